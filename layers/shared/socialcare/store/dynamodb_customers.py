"""Customer profiles in DynamoDB, one item each (pk = customer id). A profile merged into another
keeps only `linked_to`, so the same person on another channel resolves to one profile. The table
is encrypted with its own KMS key: it holds display names."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from botocore.exceptions import ClientError

from socialcare.dialogue.profiles import CustomerProfile
from socialcare.store.dynamodb_client import dynamodb_client
from socialcare.store.optimistic import expecting_version

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient

MAX_ATTEMPTS = 5
# Profiles read by `load`, kept for the `update` that follows in the same turn (bounded: a turn
# that fails between the two leaves its entry behind).
MAX_REMEMBERED = 1024


class ProfileConflict(RuntimeError):
    """Others kept changing the same profile; the message goes back to the queue."""


class DynamoDBCustomers:
    def __init__(self, table_name: str, client: DynamoDBClient | None = None) -> None:
        self._table = table_name
        self._client = client or dynamodb_client()
        self._read: dict[str, tuple[CustomerProfile, int]] = {}

    def load(self, customer_id: str) -> CustomerProfile:
        profile, version = self._resolve(customer_id)
        if len(self._read) >= MAX_REMEMBERED:
            self._read.clear()
        self._read[customer_id] = (profile, version)
        return profile

    def update(
        self, customer_id: str, change: Callable[[CustomerProfile], CustomerProfile]
    ) -> CustomerProfile:
        """Starts from the profile `load` read for this id, if any, rather than reading it again:
        the conditional write still refuses it if it changed since, and then reads it afresh."""
        known = self._read.pop(customer_id, None)
        for _ in range(MAX_ATTEMPTS):
            profile, version = known or self._resolve(customer_id)
            known = None
            changed = change(profile)
            if changed == profile:
                return profile
            try:
                self._put(changed, version)
            except ClientError as error:
                if error.response["Error"]["Code"] != "ConditionalCheckFailedException":
                    raise
                continue
            return changed
        raise ProfileConflict(f"profile changed {MAX_ATTEMPTS} times while saving")

    def link(self, primary_id: str, other_id: str) -> CustomerProfile:
        """`other_id`'s profile (conversations, orders, its own linked ids) moves to the profile
        `primary_id` resolves to, and every id of it resolves there in one hop. Linking two ids
        that already share a profile, in either order, changes nothing."""
        primary, _ = self._resolve(primary_id)
        other, _ = self._resolve(other_id)
        if other.id == primary.id:
            return primary

        def merged(profile: CustomerProfile) -> CustomerProfile:
            return profile.merged(other)

        profile = self.update(primary.id, merged)
        for moved in dict.fromkeys((other.id, other_id, *other.linked)):
            self._client.put_item(
                TableName=self._table,
                Item={"pk": {"S": moved}, "linked_to": {"S": profile.id}, "version": {"N": "1"}},
            )
        return profile

    def _resolve(self, customer_id: str) -> tuple[CustomerProfile, int]:
        item = self._get(customer_id)
        if item is not None and "linked_to" in item:
            item = self._get(item["linked_to"]["S"])
        if item is None:
            return CustomerProfile(customer_id), 0
        return _profile(item), int(item["version"]["N"])

    def _get(self, customer_id: str) -> dict[str, Any] | None:
        return self._client.get_item(
            TableName=self._table, Key={"pk": {"S": customer_id}}, ConsistentRead=True
        ).get("Item")

    def _put(self, profile: CustomerProfile, version: int) -> None:
        self._client.put_item(
            TableName=self._table,
            Item=profile_item(profile, version + 1),
            **expecting_version(version),
        )


def profile_item(profile: CustomerProfile, version: int) -> dict[str, Any]:
    def strings(values: tuple[str, ...]) -> dict[str, Any]:
        return {"L": [{"S": v} for v in values]}

    return {
        "pk": {"S": profile.id},
        "display_name": {"S": profile.display_name if profile.consent else ""},
        "language": {"S": profile.language},
        "tier": {"S": profile.tier},
        "tags": strings(profile.tags),
        "consent": {"BOOL": profile.consent},
        "conversations": strings(profile.conversations),
        "orders": strings(profile.orders),
        "linked": strings(profile.linked),
        "version": {"N": str(version)},
    }


def _profile(item: dict[str, Any]) -> CustomerProfile:
    def strings(name: str) -> tuple[str, ...]:
        return tuple(v["S"] for v in item.get(name, {}).get("L", []))

    return CustomerProfile(
        id=item["pk"]["S"],
        display_name=item.get("display_name", {}).get("S", ""),
        language=item.get("language", {}).get("S", ""),
        tier=item.get("tier", {}).get("S", "standard"),
        tags=strings("tags"),
        consent=item.get("consent", {}).get("BOOL", False),
        conversations=strings("conversations"),
        orders=strings("orders"),
        linked=strings("linked"),
    )
