"""Pseudonyms: how logs and audit records name a customer, a conversation or a message without
naming them. An id is often personal (a WhatsApp id is a phone number, and so are the message
ids that embed it), and the space of phone numbers is small enough to hash every one of them in
seconds, so a plain hash of the id would be no pseudonym at all: each is HMAC-SHA256 of the id
under a secret key, in full (64 hex digits). Without the key nobody can tell which id a
pseudonym stands for; with the same key the same id always gets the same pseudonym, so one
conversation can be followed through the logs.

The key comes from Secrets Manager (PSEUDONYM_SECRET_NAME, see bootstrap.pseudonyms); without
one configured each process draws a random key, which keeps logs unreversible but makes
pseudonyms differ between containers and runs (an erasure's audit record then cannot be matched
to a later request for the same id).
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from functools import cache

KEY_BYTES = 32
MIN_KEY_BYTES = 16


class Pseudonyms:
    """`pseudonyms(identifier)`: the keyed pseudonym of the id."""

    def __init__(self, key: bytes) -> None:
        if len(key) < MIN_KEY_BYTES:
            raise ValueError(f"a pseudonym key has at least {MIN_KEY_BYTES} bytes")
        self._key = key

    def __call__(self, identifier: str) -> str:
        data = identifier.encode("utf-8", "surrogatepass")
        return hmac.new(self._key, data, hashlib.sha256).hexdigest()


@cache
def per_process() -> bytes:
    """This process's random key, for when none is configured (drawn once, on first use)."""
    return secrets.token_bytes(KEY_BYTES)
