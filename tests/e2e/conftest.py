"""The local stack, started the way `make up` starts it, on free loopback ports: extractive
answers for most tests (`LLM=off`), and a second stack whose worker uses the tiny LLM."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import pytest

from socialcare_local.moto_server import free_port, http_status, moto_client, wait_until
from tests.conftest import TinyLlm


@dataclass(frozen=True)
class RunningStack:
    gateway: str
    sandbox: str
    moto: str

    def client(self, service: str) -> Any:
        """A boto3 client of the stack's moto server."""
        return moto_client(self.moto, service)


def replies_to(
    stack: RunningStack, recipient: str, at_least: int = 1, wait_s: float = 10.0
) -> list[str]:
    """The texts the sandbox recorded for a recipient, once there are at_least of them."""
    deadline = time.monotonic() + wait_s
    while True:
        with urllib.request.urlopen(f"{stack.sandbox}/_sent", timeout=5) as response:
            texts = [s["text"] for s in json.loads(response.read()) if s["recipient"] == recipient]
        if len(texts) >= at_least or time.monotonic() > deadline:
            return texts
        time.sleep(0.05)


@contextmanager
def _local_stack(settings: dict[str, str]) -> Iterator[RunningStack]:
    ports = {
        name: free_port()
        for name in ("LOCAL_GATEWAY_PORT", "LOCAL_SANDBOX_PORT", "LOCAL_MOTO_PORT")
    }
    env = {
        **os.environ,
        **{k: str(v) for k, v in ports.items()},
        "LOCAL_RETRY_AFTER_S": "1",
        **settings,
    }
    process = subprocess.Popen(
        [sys.executable, "-m", "socialcare_local", "up"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    running = RunningStack(
        f"http://127.0.0.1:{ports['LOCAL_GATEWAY_PORT']}",
        f"http://127.0.0.1:{ports['LOCAL_SANDBOX_PORT']}",
        f"http://127.0.0.1:{ports['LOCAL_MOTO_PORT']}",
    )
    try:
        wait_until(
            lambda: http_status(f"{running.gateway}/health") == 200, "the local stack", timeout_s=60
        )
        yield running
    finally:
        process.terminate()
        process.wait(timeout=15)


@pytest.fixture(scope="session")
def stack() -> Iterator[RunningStack]:
    """`LLM=off make up`: the worker answers from the help centre alone."""
    with _local_stack({"LLM": "off"}) as running:
        yield running


@pytest.fixture(scope="session")
def llm_stack(tiny_llm: TinyLlm) -> Iterator[RunningStack]:
    """`make up` given an OpenAI-compatible endpoint: the tiny answering model."""
    settings = {
        "LLM_ENDPOINT_URL": tiny_llm.base_url,
        "LLM_MODEL": tiny_llm.answering,
        "LLM_TEMPERATURE": "0",
        "LLM_TIMEOUT_S": "30",  # a busy CI machine; the budget has its own tests
        "LLM_BUDGET_S": "30",
    }
    with _local_stack(settings) as running:
        yield running
