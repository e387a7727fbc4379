"""Log pseudonyms: a keyed hash, so a logged id cannot be turned back into a phone number."""

from __future__ import annotations

import hashlib

import pytest

from socialcare.pseudonyms import Pseudonyms

PHONE = "4915550004"


def test_a_logged_phone_number_cannot_be_found_by_hashing_every_number() -> None:
    """GIVEN the pseudonym a log line carries for a WhatsApp conversation (a phone number)
    WHEN someone without the key hashes every number of its block, whole or cut to any length
    THEN none of them matches the logged pseudonym."""
    logged = Pseudonyms(b"k" * 32)(f"whatsapp:{PHONE}")
    candidates = (f"whatsapp:4915550{n:03d}" for n in range(1000))

    digests = {hashlib.sha256(c.encode()).hexdigest() for c in candidates}

    assert len(logged) == 64
    assert not any(d.startswith(logged[:12]) for d in digests)


def test_the_same_id_keeps_its_pseudonym_under_one_key_and_not_under_another() -> None:
    """GIVEN two keys WHEN the same conversation id is pseudonymised THEN one key always gives
    the same pseudonym (logs can follow a conversation) and another key a different one."""
    one, other = Pseudonyms(b"a" * 32), Pseudonyms(b"b" * 32)

    assert one(f"whatsapp:{PHONE}") == one(f"whatsapp:{PHONE}")
    assert one(f"whatsapp:{PHONE}") != other(f"whatsapp:{PHONE}")
    assert PHONE not in one(f"whatsapp:{PHONE}")


def test_a_short_key_is_refused() -> None:
    with pytest.raises(ValueError, match="16 bytes"):
        Pseudonyms(b"short")
