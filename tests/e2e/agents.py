"""The agent side of the end-to-end tests: the Agent API with a dev token, and what the platform
sandbox sent to one customer."""

from __future__ import annotations

import json
import time
import urllib.error
import urllib.request
from typing import Any

from socialcare_local.agent_auth import dev_token
from socialcare_local.traffic import sent
from tests.e2e.conftest import RunningStack


def agent_call(
    stack: RunningStack, method: str, path: str, body: Any = None, token: str | None = None
) -> tuple[int, Any]:
    request = urllib.request.Request(
        stack.gateway + path,
        data=None if body is None else json.dumps(body).encode(),
        headers={
            "Authorization": f"Bearer {dev_token() if token is None else token}",
            "Content-Type": "application/json",
        },
        method=method,
    )
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read() or b"{}")


def texts_to(
    stack: RunningStack, recipient: str, at_least: int = 0, wait_s: float = 10
) -> list[str]:
    """What the sandbox sent to `recipient`, once there are `at_least` messages (or time is up)."""
    deadline = time.monotonic() + wait_s
    while True:
        texts = [s["text"] for s in sent(stack.sandbox) if s["recipient"] == recipient]
        if len(texts) >= at_least or time.monotonic() > deadline:
            return texts
        time.sleep(0.02)
