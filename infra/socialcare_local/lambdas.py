"""Running a template's functions in this process. Lambda runs concurrent invocations in
separate containers; here a few may run at once per function (a long-polling web chat request
must not hold up the next one), sharing one warm module."""

from __future__ import annotations

import importlib.util
import threading
import time
import uuid
from dataclasses import dataclass, field
from typing import Any

from socialcare_local.cfn_template import FunctionSpec

CONCURRENCY = 8


@dataclass
class LambdaContext:
    """What Lambda passes as `context`, enough for Powertools."""

    function_name: str
    timeout_s: float
    memory_limit_in_mb: int = 512
    aws_request_id: str = field(default_factory=lambda: str(uuid.uuid4()))
    started: float = field(default_factory=time.monotonic)

    @property
    def invoked_function_arn(self) -> str:
        return f"arn:aws:lambda:us-east-1:123456789012:function:{self.function_name}"

    def get_remaining_time_in_millis(self) -> int:
        return max(0, int((self.timeout_s - (time.monotonic() - self.started)) * 1000))


class LocalFunction:
    def __init__(self, spec: FunctionSpec, timeout_s: float | None = None) -> None:
        self.spec = spec
        self._timeout_s = spec.timeout_s if timeout_s is None else timeout_s
        module_name, _, attribute = spec.handler.rpartition(".")
        path = spec.code_uri / f"{module_name.replace('.', '/')}.py"
        module_spec = importlib.util.spec_from_file_location(
            f"{spec.logical_id}.{module_name}", path
        )
        if module_spec is None or module_spec.loader is None:
            raise ImportError(f"cannot load {path}")
        module = importlib.util.module_from_spec(module_spec)
        module_spec.loader.exec_module(module)
        self._handler = getattr(module, attribute)
        self._slots = threading.BoundedSemaphore(CONCURRENCY)

    def invoke(self, event: dict[str, Any]) -> Any:
        with self._slots:
            return self._handler(event, LambdaContext(self.spec.logical_id, self._timeout_s))
