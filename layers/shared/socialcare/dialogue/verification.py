"""Proof that a customer knows the contact details on an order, without keeping those details.

At ingress, before the text is redacted, each e-mail address and phone number a customer typed
becomes a proof: the keyed hash (HMAC-SHA256 under the pseudonym key, socialcare.pseudonyms) of
its normal form. The order system stores the same hashes of the order's e-mail and phone, so the
worker can tell whether the customer typed the order's contact without either side keeping it
in clear. Without the key, a proof cannot be turned back into the phone number it stands for.
"""

from __future__ import annotations

from collections.abc import Callable

from socialcare.understand.pii import find_personal_data
from socialcare.understand.text import sanitize

# Phone numbers are compared on their last digits: "+44 20 7946 0018" and "020 7946 0018" name
# the same line, whatever prefix the customer typed.
PHONE_DIGITS = 9
_CONTACT_TYPES = frozenset({"email", "phone"})

Keyed = Callable[[str], str]


def normal_contact(kind: str, value: str) -> str:
    """The form both sides hash: e-mail lower-cased, phone reduced to its last digits."""
    if kind == "email":
        return "email:" + value.strip().lower()
    digits = "".join(c for c in value if c.isdigit())
    return "phone:" + digits[-PHONE_DIGITS:]


def contact_hash(kind: str, value: str, keyed: Keyed) -> str:
    """The keyed hash an order system stores for its order's e-mail ("email") or phone."""
    return keyed("contact:" + normal_contact(kind, value))


def contact_proofs(text: str, keyed: Keyed) -> tuple[str, ...]:
    """The keyed hashes of every e-mail address and phone number in `text`."""
    clean = sanitize(text)
    return tuple(
        contact_hash(item.type, clean[item.start : item.end], keyed)
        for item in find_personal_data(clean)
        if item.type in _CONTACT_TYPES
    )
