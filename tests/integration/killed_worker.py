"""A worker process that SIGKILLs itself at one step of answering: run by test_exactly_once.py.

    python -m tests.integration.killed_worker STEP < sqs_event.json

STEP is after_claim (the conversation write that takes the right to answer), after_send (the
platform accepted the reply) or after_finish (the agent's turn is stored, the queue not yet
told). Nothing runs after the kill: no except clause, no finally, no acknowledgement.
"""

from __future__ import annotations

import json
import os
import signal
import sys
from typing import Any

import botocore.client
import urllib3

from socialcare_local.cfn_template import Template
from tests.integration.functions import function


def _die() -> None:
    os.kill(os.getpid(), signal.SIGKILL)


def _kill_after_conversation_write(nth: int) -> None:
    real = botocore.client.BaseClient._make_api_call
    writes = 0

    def call(client: Any, operation: str, params: dict[str, Any]) -> Any:
        nonlocal writes
        result = real(client, operation, params)
        if operation == "PutItem" and str(params.get("TableName", "")).endswith("-conversations"):
            writes += 1
            if writes == nth:
                _die()
        return result

    botocore.client.BaseClient._make_api_call = call  # type: ignore[method-assign]


def _kill_after_platform_accepts() -> None:
    real = urllib3.PoolManager.request

    def request(pool: Any, method: str, url: str, *args: Any, **kwargs: Any) -> Any:
        response = real(pool, method, url, *args, **kwargs)
        if url.endswith("/sendMessage") and response.status == 200:
            _die()
        return response

    urllib3.PoolManager.request = request  # type: ignore[method-assign]


def main(step: str) -> None:
    match step:
        case "after_claim":
            _kill_after_conversation_write(1)
        case "after_send":
            _kill_after_platform_accepts()
        case "after_finish":
            _kill_after_conversation_write(2)
        case _:
            raise SystemExit(f"unknown step {step}")
    function(Template(), "WorkerFunction").invoke(json.load(sys.stdin))


if __name__ == "__main__":
    main(sys.argv[1])
