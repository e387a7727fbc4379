"""Starting and stopping the whole local stack in one process (moto runs in a child process)."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from dataclasses import dataclass, field, replace
from types import TracebackType
from typing import Any

import boto3

from socialcare_local.cfn_template import Template
from socialcare_local.gateway import Gateway, Route
from socialcare_local.http_server import LoopbackServer
from socialcare_local.lambdas import LocalFunction
from socialcare_local.poller import SqsPoller
from socialcare_local.provision import function_environment, provision
from socialcare_local.sandbox import PlatformSandbox

AWS_ENV = {
    "AWS_ACCESS_KEY_ID": "testing",
    "AWS_SECRET_ACCESS_KEY": "testing",
    "AWS_DEFAULT_REGION": "us-east-1",
    "AWS_REGION": "us-east-1",
}


class PortBusy(RuntimeError):
    """Another program (perhaps another local stack) holds a port the stack needs."""


@dataclass(frozen=True)
class StackConfig:
    moto_port: int = 5000
    gateway_port: int = 3000
    sandbox_port: int = 3001
    retry_after_s: int | None = None  # see SqsPoller
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
            retry_after_s=int(retry) if retry else None,
            parameters={"LogLevel": env["LOG_LEVEL"]} if "LOG_LEVEL" in env else {},
        )
        return replace(config, **overrides)


class LocalStack:
    def __init__(self, config: StackConfig | None = None) -> None:
        self.config = config or StackConfig.from_env()
        self.template = Template(stack_name=self.config.stack_name)
        self.template.parameters.update(self.config.parameters)
        self._moto: subprocess.Popen[bytes] | None = None
        self._servers: list[LoopbackServer] = []
        self._pollers: list[SqsPoller] = []
        self.sandbox = PlatformSandbox()
        self.functions: dict[str, LocalFunction] = {}

    @property
    def gateway_url(self) -> str:
        return f"http://127.0.0.1:{self.config.gateway_port}"

    @property
    def sandbox_url(self) -> str:
        return f"http://127.0.0.1:{self.config.sandbox_port}"

    @property
    def moto_url(self) -> str:
        return f"http://127.0.0.1:{self.config.moto_port}"

    def healthy(self) -> bool:
        return (
            self._moto is not None
            and self._moto.poll() is None
            and all(p.running for p in self._pollers)
            and len(self._servers) == 2
        )

    def start(self) -> LocalStack:
        for port in (self.config.moto_port, self.config.gateway_port, self.config.sandbox_port):
            _ensure_free(port)
        os.environ.update({**AWS_ENV, "AWS_ENDPOINT_URL": self.moto_url})
        self._start_moto()
        session = boto3.session.Session()
        provision(self.template, session)
        os.environ.update(function_environment(self.template))
        os.environ.update(
            {
                "TELEGRAM_API_BASE": f"{self.sandbox_url}/telegram",
                "WHATSAPP_API_BASE": f"{self.sandbox_url}/whatsapp/v21.0",
            }
        )
        self._servers.append(LoopbackServer(self.sandbox, self.config.sandbox_port).start())
        self.functions = {
            spec.logical_id: LocalFunction(spec) for spec in self.template.functions()
        }
        routes = [
            Route(method, path, self.functions[spec.logical_id])
            for spec in self.template.functions()
            for method, path in spec.routes
        ]
        self._servers.append(
            LoopbackServer(Gateway(routes, self.healthy), self.config.gateway_port).start()
        )
        sqs = session.client("sqs")
        for spec in self.template.functions():
            for queue, batch_size in spec.queues:
                physical = self.template.physical[queue]
                self._pollers.append(
                    SqsPoller(
                        sqs,
                        physical["Ref"],
                        physical["Arn"],
                        self.functions[spec.logical_id],
                        batch_size=batch_size,
                        retry_after_s=self.config.retry_after_s,
                    ).start()
                )
        _wait_until(lambda: _get(f"{self.gateway_url}/health") == 200, "the gateway's /health")
        return self

    def queue_url(self, logical_id: str) -> str:
        return self.template.physical[logical_id]["Ref"]

    def stop(self) -> None:
        for poller in self._pollers:
            poller.stop()
        for server in self._servers:
            server.stop()
        if self._moto:
            self._moto.terminate()
            self._moto.wait(timeout=10)
        self._pollers, self._servers, self._moto = [], [], None

    def __enter__(self) -> LocalStack:
        return self.start()

    def __exit__(self, *exc: type[BaseException] | BaseException | TracebackType | None) -> None:
        self.stop()

    def _start_moto(self) -> None:
        self._moto = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "moto.server",
                "-H",
                "127.0.0.1",
                "-p",
                str(self.config.moto_port),
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        _wait_until(lambda: _get(f"{self.moto_url}/moto-api/") in (200, 404), "the moto server")


def _ensure_free(port: int) -> None:
    with socket.socket() as sock:
        if sock.connect_ex(("127.0.0.1", port)) == 0:
            raise PortBusy(f"127.0.0.1:{port} is in use: is another local stack running?")


def _get(url: str) -> int | None:
    try:
        with urllib.request.urlopen(url, timeout=2) as response:
            return int(response.status)
    except OSError as error:
        return getattr(error, "code", None)


def _wait_until(check: Any, what: str, timeout_s: float = 30.0) -> None:
    deadline = time.monotonic() + timeout_s
    while not check():
        if time.monotonic() > deadline:
            raise TimeoutError(f"{what} did not come up within {timeout_s:.0f} s")
        time.sleep(0.05)
