"""The local stack, started the way `make up` starts it, on free loopback ports."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass

import pytest

from socialcare_local.moto_server import free_port, http_status, wait_until


@dataclass(frozen=True)
class RunningStack:
    gateway: str
    sandbox: str
    moto: str


@pytest.fixture(scope="session")
def stack() -> Iterator[RunningStack]:
    ports = {
        name: free_port()
        for name in ("LOCAL_GATEWAY_PORT", "LOCAL_SANDBOX_PORT", "LOCAL_MOTO_PORT")
    }
    env = {**os.environ, **{k: str(v) for k, v in ports.items()}, "LOCAL_RETRY_AFTER_S": "1"}
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
