"""moto's server answering one request at a time:
`python -m socialcare_local.moto_serial HOST PORT`.

DynamoDB applies each write atomically: a conditional PutItem checks its condition and writes in
one step, which is what optimistic versioning (two agents replying at once) relies on. moto's own
threaded server checks and writes in separate steps, so two requests can interleave; one lock
around the application gives back DynamoDB's guarantee."""

from __future__ import annotations

import os
import sys
import threading
from collections.abc import Callable, Iterable
from typing import Any

from moto.server import DomainDispatcherApplication, MotoRequestHandler, create_backend_app
from werkzeug.serving import run_simple


class OneAtATime:
    def __init__(self, app: Callable[..., Iterable[bytes]]) -> None:
        self._app = app
        self._lock = threading.Lock()

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> list[bytes]:
        with self._lock:
            return list(self._app(environ, start_response))


def main(host: str, port: int) -> None:
    os.environ.setdefault("MOTO_PORT", str(port))  # as moto's own server does (queue URLs)
    app = DomainDispatcherApplication(create_backend_app)
    run_simple(host, port, OneAtATime(app), threaded=True, request_handler=MotoRequestHandler)


if __name__ == "__main__":
    main(sys.argv[1], int(sys.argv[2]))
