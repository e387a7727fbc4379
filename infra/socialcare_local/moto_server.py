"""A moto server in a child process: its long polling spins a core, so it gets its own."""

from __future__ import annotations

import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from typing import Any

AWS_ENV = {
    "AWS_ACCESS_KEY_ID": "testing",
    "AWS_SECRET_ACCESS_KEY": "testing",
    "AWS_DEFAULT_REGION": "us-east-1",
    "AWS_REGION": "us-east-1",
}


def moto_client(url: str, service: str) -> Any:
    """A boto3 client of the moto server at url (a local stack's), whatever the environment says."""
    import boto3

    return boto3.session.Session(
        aws_access_key_id=AWS_ENV["AWS_ACCESS_KEY_ID"],
        aws_secret_access_key=AWS_ENV["AWS_SECRET_ACCESS_KEY"],
        region_name=AWS_ENV["AWS_REGION"],
    ).client(service, endpoint_url=url)


class PortBusy(RuntimeError):
    """Another program (perhaps another local stack) holds a port the stack needs."""


class MotoServer:
    def __init__(self, port: int) -> None:
        self.port = port
        self._process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def env(self) -> dict[str, str]:
        """What every boto3 client needs to talk to this server instead of AWS."""
        return {**AWS_ENV, "AWS_ENDPOINT_URL": self.url}

    def alive(self) -> bool:
        return self._process is not None and self._process.poll() is None

    def start(self) -> MotoServer:
        ensure_free(self.port)
        self._process = subprocess.Popen(
            [sys.executable, "-m", "socialcare_local.moto_serial", "127.0.0.1", str(self.port)],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        wait_until(lambda: http_status(f"{self.url}/moto-api/") == 200, "the moto server")
        return self

    def stop(self) -> None:
        if self._process:
            self._process.terminate()
            self._process.wait(timeout=10)
            self._process = None


def ensure_free(port: int) -> None:
    with socket.socket() as sock:
        if sock.connect_ex(("127.0.0.1", port)) == 0:
            raise PortBusy(f"127.0.0.1:{port} is in use: is another local stack running?")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def http_status(url: str) -> int | None:
    try:
        with urllib.request.urlopen(url, timeout=2) as response:
            return int(response.status)
    except urllib.error.HTTPError as error:
        return int(error.code)
    except OSError:
        return None


def wait_until(check: Callable[[], bool], what: str, timeout_s: float = 30.0) -> None:
    deadline = time.monotonic() + timeout_s
    while not check():
        if time.monotonic() > deadline:
            raise TimeoutError(f"{what} did not come up within {timeout_s:.0f} s")
        time.sleep(0.05)
