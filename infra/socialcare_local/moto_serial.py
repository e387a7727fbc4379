"""moto's server answering one request at a time:
`python -m socialcare_local.moto_serial HOST PORT`.

DynamoDB applies each write atomically: a conditional PutItem checks its condition and writes in
one step, which is what optimistic versioning (two agents replying at once) relies on. moto's own
threaded server checks and writes in separate steps, so two requests can interleave; one lock
around the application gives back DynamoDB's guarantee.

Since every request of the stack waits on that one lock, what moto spends on each counts: no
access log line per request (waitress writes none), an item's size summed once rather than once
per attribute, SQS's clock read without building datetimes (moto reads it for every queued
message on every send and receive, so a backlog made each call slower the longer it grew),
moto's list of services read from disk once rather than once per request, and waitress rather
than werkzeug's development server, which closes every connection: with keep-alive, boto3's
connection pools save a TCP connection and a server thread per request."""

from __future__ import annotations

import json
import os
import sys
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterable
from typing import Any

import waitress
from moto import backends
from moto.dynamodb.exceptions import ItemSizeTooLarge
from moto.dynamodb.models.dynamo_type import DynamoType, Item, LimitedSizeDict
from moto.dynamodb.models.utilities import bytesize
from moto.server import DomainDispatcherApplication, create_backend_app
from moto.sqs import models as sqs_models

ITEM_SIZE_LIMIT = 405_000  # moto's: DynamoDB's 400 KB, as measured by moto's authors


def _item_init(self: Item, hash_key: DynamoType, range_key: DynamoType | None, attrs: Any) -> None:
    """moto 5.2.5's Item.__init__ without its quadratic cost: it sums the size of the whole item
    again for each attribute it sets (a conversation's turns, dozens of times per PutItem). The
    same limit and error, summed once."""
    self.hash_key = hash_key
    self.range_key = range_key
    values = {key: DynamoType(value) for key, value in attrs.items()}
    if sum(bytesize(key) + value.size() for key, value in values.items()) > ITEM_SIZE_LIMIT:
        raise ItemSizeTooLarge
    self.attrs = LimitedSizeDict(values)


def _now_s() -> float:
    """moto's unix_time(): seconds since the epoch, UTC."""
    return time.time()


def _now_ms() -> float:
    """moto's unix_time_millis()."""
    return time.time() * 1000.0


def _within_retention(self: sqs_models.SQSBackend, queue_name: str, message: Any) -> bool:
    """moto's check, without reading every queue attribute (each counting the queue's messages)
    for each message it receives."""
    retention_s = int(self.get_queue(queue_name).message_retention_period)  # type: ignore[attr-defined]
    return bool(retention_s + message.sent_timestamp / 1000 > time.time())


COUNTS_PATH = "/_socialcare/requests"  # GET: the requests answered so far, by operation


class OneAtATime:
    """The moto application behind one lock, counting the requests it answers by operation
    (`X-Amz-Target`, as DynamoDB's and SQS's JSON protocols name it): what `make load` reports
    per message."""

    def __init__(self, app: Callable[..., Iterable[bytes]]) -> None:
        self._app = app
        self._lock = threading.Lock()
        self._counts: Counter[str] = Counter()

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> list[bytes]:
        if environ.get("PATH_INFO") == COUNTS_PATH:
            with self._lock:
                body = json.dumps(self._counts).encode()
            start_response("200 OK", [("Content-Type", "application/json")])
            return [body]
        with self._lock:
            self._counts[environ.get("HTTP_X_AMZ_TARGET", "other")] += 1
            return list(self._app(environ, start_response))


def main(host: str, port: int) -> None:
    os.environ.setdefault("MOTO_PORT", str(port))  # as moto's own server does (queue URLs)
    # moto lists and stats the folders of its package for every request; they do not change.
    services = tuple(backends.list_of_moto_modules())
    backends.list_of_moto_modules = lambda: services
    Item.__init__ = _item_init  # type: ignore[method-assign]
    # sqs.models calls both without arguments only (checked for moto 5.2.5, the pinned version).
    sqs_models.unix_time, sqs_models.unix_time_millis = _now_s, _now_ms
    sqs_models.SQSBackend.is_message_valid_based_on_retention_period = _within_retention  # type: ignore[method-assign]
    app = DomainDispatcherApplication(create_backend_app)
    # Threads enough for the stack's connection pools; one lock serialises the work anyway.
    waitress.serve(OneAtATime(app), host=host, port=port, threads=8, ident="moto")


if __name__ == "__main__":
    main(sys.argv[1], int(sys.argv[2]))
