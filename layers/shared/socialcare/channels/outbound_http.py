"""HTTP to the platforms' send APIs: one keep-alive pool, retries with backoff on 429 and 5xx.

urllib3 (already in every Lambda Python runtime through botocore) does the retrying; we only cap
how long a platform's Retry-After may hold a worker, and translate failures into DeliveryFailed.
"""

from __future__ import annotations

import json
import logging
import re
from typing import Any
from urllib.parse import urlsplit

import urllib3
from urllib3.util.retry import Retry

RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})
# The IETF's header (draft-ietf-httpapi-idempotency-key-header): a platform that honours it
# delivers a request once however often it is resent; others ignore it.
IDEMPOTENCY_HEADER = "Idempotency-Key"


# urllib3 logs the request's URL when it retries (a warning) and at debug level on every request;
# Telegram puts the bot token in the URL's path and WeChat its access token in the query.
URLLIB3_LOGGERS = (
    "urllib3.connectionpool",
    "urllib3.connection",
    "urllib3.poolmanager",
    "urllib3.response",
    "urllib3.util.retry",
)
# Linear: one character class each, no nesting. Telegram's URLs are /bot<token>/<method>.
_SECRETS_IN_URLS = (
    (re.compile(r"/bot[^/\s'\"]+"), "/bot<token>"),
    (re.compile(r"(access_token|token|key|secret)=[^&\s'\"]+", re.IGNORECASE), r"\1=<redacted>"),
)


def without_url_secrets(text: str) -> str:
    """The text with bot tokens in URL paths and tokens, keys and secrets in queries masked."""
    for pattern, mask in _SECRETS_IN_URLS:
        text = pattern.sub(mask, text)
    return text


class UrlSecretsFilter(logging.Filter):
    """Masks URL secrets in urllib3's log records (message, arguments and traceback alike)."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.msg = without_url_secrets(record.getMessage())
        record.args = None
        if record.exc_info:
            record.exc_text = without_url_secrets(
                logging.Formatter().formatException(record.exc_info)
            )
            record.exc_info = None
        return True


def mask_urllib3_logs() -> None:
    """Install UrlSecretsFilter on urllib3's loggers, once per process."""
    for name in URLLIB3_LOGGERS:
        logger = logging.getLogger(name)
        if not any(isinstance(f, UrlSecretsFilter) for f in logger.filters):
            logger.addFilter(UrlSecretsFilter())


class DeliveryFailed(Exception):
    """A reply the platform did not accept, after retries. The message goes back to the queue."""

    def __init__(self, reason: str, status: int = 0) -> None:
        super().__init__(reason)
        self.status = status  # the platform's HTTP status; 0 when it never answered


class CappedRetry(Retry):
    """Honour Retry-After, but never sleep longer than `max_retry_after` seconds at a time."""

    max_retry_after = 5.0

    def parse_retry_after(self, retry_after: str) -> float:
        return min(super().parse_retry_after(retry_after), self.max_retry_after)


def default_retry(attempts: int = 3, backoff: float = 0.2) -> Retry:
    return CappedRetry(
        total=attempts,
        connect=attempts,
        read=0,  # a read timeout may mean the platform got it: resending could double a reply
        status=attempts,
        status_forcelist=RETRY_STATUSES,
        allowed_methods=None,  # the send APIs are POST; we retry them only on the cases above
        backoff_factor=backoff,
        respect_retry_after_header=True,
    )


class PlatformHttp:
    def __init__(self, pool: urllib3.PoolManager | None = None, timeout: float = 5.0) -> None:
        mask_urllib3_logs()
        self._pool = pool or urllib3.PoolManager(
            retries=default_retry(), timeout=urllib3.Timeout(connect=2.0, read=timeout)
        )

    def post_json(
        self,
        url: str,
        payload: dict[str, Any],
        headers: dict[str, str] | None = None,
        idempotency_key: str = "",
    ) -> dict[str, Any]:
        """POST `payload`; `idempotency_key` travels as the Idempotency-Key header, so that a
        resend of the same reply part is recognised by a platform that honours it."""
        where = urlsplit(url).netloc  # never the path: Telegram puts the bot token there
        keyed = {IDEMPOTENCY_HEADER: idempotency_key} if idempotency_key else {}
        try:
            response = self._pool.request(
                "POST",
                url,
                body=json.dumps(payload, ensure_ascii=False).encode(),
                headers={"Content-Type": "application/json", **keyed, **(headers or {})},
            )
        except urllib3.exceptions.HTTPError as error:
            raise DeliveryFailed(f"{where}: {type(error).__name__}") from None
        if response.status >= 400:
            raise DeliveryFailed(f"{where}: HTTP {response.status}", response.status)
        try:
            body = json.loads(response.data or b"{}")
        except (ValueError, RecursionError):  # not JSON, or nested past Python's recursion
            return {}
        return body if isinstance(body, dict) else {}
