"""template.yaml as data: its resources, its functions and their events, intrinsics resolved
against the names the local stack gives the resources."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parents[2]
TEMPLATE = ROOT / "template.yaml"
ACCOUNT = "123456789012"


class _CfnLoader(yaml.SafeLoader):
    """YAML with CloudFormation's short-form tags (!Ref, !Sub, !GetAtt ...)."""


def _intrinsic(loader: yaml.Loader, tag_suffix: str, node: yaml.Node) -> dict[str, Any]:
    if isinstance(node, yaml.ScalarNode):
        value: Any = loader.construct_scalar(node)
    elif isinstance(node, yaml.SequenceNode):
        value = loader.construct_sequence(node, deep=True)
    else:
        value = loader.construct_mapping(node, deep=True)  # type: ignore[arg-type]
    if tag_suffix == "Ref":
        return {"Ref": value}
    if tag_suffix == "GetAtt" and isinstance(value, str):
        value = value.split(".", 1)
    return {f"Fn::{tag_suffix}": value}


_CfnLoader.add_multi_constructor("!", _intrinsic)


@dataclass(frozen=True)
class FunctionSpec:
    logical_id: str
    code_uri: Path
    handler: str
    environment: dict[str, Any]
    routes: list[tuple[str, str]] = field(default_factory=list)  # (METHOD, /path)
    queues: list[tuple[str, int]] = field(default_factory=list)  # (queue logical id, batch)
    # Routes behind the HttpApi's JWT authorizer, with the scopes each one requires.
    scopes: dict[tuple[str, str], tuple[str, ...]] = field(default_factory=dict)
    timeout_s: float = 10.0  # the function's Timeout (or the Globals'), as Lambda enforces it


class Template:
    def __init__(
        self, path: Path = TEMPLATE, stack_name: str = "socialcare-local", region: str = "us-east-1"
    ) -> None:
        self.data: dict[str, Any] = yaml.load(path.read_text(), Loader=_CfnLoader)  # noqa: S506
        self.root = path.parent
        self.stack_name = stack_name
        self.region = region
        self.resources: dict[str, dict[str, Any]] = self.data["Resources"]
        self.parameters = {
            name: str(spec.get("Default", "")) for name, spec in self.data["Parameters"].items()
        }
        # What Ref and GetAtt give for each resource; the provisioner fills in what AWS assigns.
        self.physical: dict[str, dict[str, str]] = {}

    def of_type(self, kind: str) -> dict[str, dict[str, Any]]:
        return {k: v.get("Properties", {}) for k, v in self.resources.items() if v["Type"] == kind}

    def functions(self) -> list[FunctionSpec]:
        base = self.data.get("Globals", {}).get("Function", {})
        base_env = base.get("Environment", {})
        specs = []
        for logical_id, props in self.of_type("AWS::Serverless::Function").items():
            env = {
                **base_env.get("Variables", {}),
                **props.get("Environment", {}).get("Variables", {}),
            }
            routes, queues = [], []
            scopes: dict[tuple[str, str], tuple[str, ...]] = {}
            for event in props.get("Events", {}).values():
                ev = event.get("Properties", {})
                if event["Type"] == "HttpApi":
                    routes.append((ev["Method"].upper(), ev["Path"]))
                    auth = ev.get("Auth", {})
                    if auth.get("Authorizer", "NONE") != "NONE":
                        scopes[routes[-1]] = tuple(auth.get("AuthorizationScopes", ()))
                elif event["Type"] == "SQS":
                    queues.append((ev["Queue"]["Fn::GetAtt"][0], int(ev.get("BatchSize", 10))))
            specs.append(
                FunctionSpec(
                    logical_id,
                    self.root / props["CodeUri"],
                    props["Handler"],
                    env,
                    routes,
                    queues,
                    scopes,
                    float(props.get("Timeout", base.get("Timeout", 10))),
                )
            )
        return specs

    def resolve(self, value: Any) -> Any:
        """Evaluate Ref, Fn::Sub, Fn::GetAtt and Fn::If with this stack's names and parameters;
        other values as is."""
        if isinstance(value, list):
            return [self.resolve(v) for v in value]
        if not isinstance(value, dict):
            return value
        if "Fn::If" in value:
            condition, if_true, if_false = value["Fn::If"]
            return self.resolve(if_true if self.condition(condition) else if_false)
        if "Ref" in value:
            return self._ref(value["Ref"])
        if "Fn::GetAtt" in value:
            logical, attribute = value["Fn::GetAtt"]
            return self.physical[logical][attribute]
        if "Fn::Sub" in value:
            return self._sub(value["Fn::Sub"])
        return {k: self.resolve(v) for k, v in value.items()}

    def condition(self, name: str) -> bool:
        """A condition of the template's Conditions section, evaluated on the parameters."""
        return self._truth(self.data.get("Conditions", {})[name])

    def _truth(self, expression: Any) -> bool:
        (function, arguments), *_ = expression.items()
        if function in ("Condition", "Fn::Condition"):
            return self.condition(arguments)
        if function == "Fn::Equals":
            left, right = (self.resolve(a) for a in arguments)
            return str(left) == str(right)
        if function == "Fn::Not":
            return not self._truth(arguments[0])
        if function == "Fn::And":
            return all(self._truth(a) for a in arguments)
        if function == "Fn::Or":
            return any(self._truth(a) for a in arguments)
        raise ValueError(f"unsupported condition function {function}")

    def _ref(self, name: str) -> str:
        pseudo = {
            "AWS::StackName": self.stack_name,
            "AWS::Region": self.region,
            "AWS::AccountId": ACCOUNT,
            "AWS::Partition": "aws",
            "AWS::URLSuffix": "amazonaws.com",
        }
        if name in pseudo:
            return pseudo[name]
        if name in self.parameters:
            return self.parameters[name]
        return self.physical[name]["Ref"]

    def _sub(self, spec: str | list[Any]) -> str:
        text, variables = (spec, {}) if isinstance(spec, str) else (spec[0], spec[1])
        out, rest = "", text
        while "${" in rest:
            before, _, after = rest.partition("${")
            name, _, rest = after.partition("}")
            if name in variables:
                resolved = self.resolve(variables[name])
            elif "." in name:
                resolved = self.resolve({"Fn::GetAtt": name.split(".", 1)})
            else:
                resolved = self._ref(name)
            out += before + str(resolved)
        return out + rest
