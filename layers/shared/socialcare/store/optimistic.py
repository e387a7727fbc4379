"""Optimistic concurrency for DynamoDB items with a `version` attribute."""

from __future__ import annotations

from typing import Any


def expecting_version(version: int) -> dict[str, Any]:
    """PutItem arguments that succeed only if the stored item is still at `version` (0: absent)."""
    if version == 0:
        return {"ConditionExpression": "attribute_not_exists(pk)"}
    return {
        "ConditionExpression": "version = :expected",
        "ExpressionAttributeValues": {":expected": {"N": str(version)}},
    }
