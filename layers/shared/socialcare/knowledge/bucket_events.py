"""The documents an S3 event notification names: uploaded (ObjectCreated:*) or deleted
(ObjectRemoved:*), in the order S3 reported them."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from urllib.parse import unquote_plus


@dataclass(frozen=True, slots=True)
class BucketChange:
    bucket: str
    key: str  # decoded: S3 sends keys URL-encoded, "+" for a space
    removed: bool


def bucket_changes(event: dict[str, Any]) -> list[BucketChange]:
    """Every ObjectCreated and ObjectRemoved record of the event; others (a test event, a
    restore) are not changes to the documents."""
    out = []
    for record in event.get("Records", []):
        kind = str(record.get("eventName", "")).split(":", 1)[0]
        if record.get("eventSource") == "aws:s3" and kind in ("ObjectCreated", "ObjectRemoved"):
            out.append(
                BucketChange(
                    record["s3"]["bucket"]["name"],
                    unquote_plus(record["s3"]["object"]["key"]),
                    kind == "ObjectRemoved",
                )
            )
    return out
