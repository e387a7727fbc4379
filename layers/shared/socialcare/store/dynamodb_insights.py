"""The insights' hourly counts in DynamoDB: one item per (shard, hour) whose attributes are
counters (insights.metrics.counter_names) that each message adds 1 to with one UpdateItem.
A write goes to a random one of SHARDS items, so that no item takes more than its share of a
busy hour; a read queries each shard from the window's first hour and sums them."""

from __future__ import annotations

import secrets
import time
from collections import Counter
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from aws_lambda_powertools import Logger
from botocore.exceptions import BotoCoreError, ClientError

from socialcare.insights.figures import BUCKET_S
from socialcare.insights.metrics import TurnOutcome, counter_names
from socialcare.model import StoreUnavailable
from socialcare.store.dynamodb_client import dynamodb_client

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient

SHARDS = 16
logger = Logger(child=True)


class DynamoDBInsights:
    def __init__(
        self,
        table_name: str,
        retention_days: int,
        client: DynamoDBClient | None = None,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self._table = table_name
        self._retention = retention_days * 86400
        self._client = client or dynamodb_client()
        self._clock = clock

    def record(self, outcome: TurnOutcome) -> None:
        """Adds the turn to its hour's counts. A failure is logged, not raised: the customer's
        reply matters more than one count."""
        now = self._clock()
        names = {f"#c{i}": name for i, name in enumerate(counter_names(outcome))}
        add = ", ".join(f"{n} :one" for n in names)
        try:
            self._client.update_item(
                TableName=self._table,
                Key={
                    "pk": {"S": f"shard#{secrets.randbelow(SHARDS):02d}"},
                    "sk": {"S": _hour(now)},
                },
                UpdateExpression=f"ADD {add} SET expires_at = :ttl",
                ExpressionAttributeNames=names,
                ExpressionAttributeValues={
                    ":one": {"N": "1"},
                    ":ttl": {"N": str(int(now) + self._retention)},
                },
            )
        except (ClientError, BotoCoreError) as error:
            logger.warning("insight counts not updated", extra={"error": type(error).__name__})

    def hourly(self, since: float) -> list[tuple[int, dict[str, int]]]:
        """(hour start, counts) of every hour from `since`, summed over the shards."""
        hours: dict[int, Counter[str]] = {}
        for shard in range(SHARDS):
            for item in self._items(f"shard#{shard:02d}", _hour(since)):
                counts = hours.setdefault(int(item["sk"]["S"]), Counter())
                counts.update(
                    {k: int(v["N"]) for k, v in item.items() if k not in ("pk", "sk", "expires_at")}
                )
        return sorted((at, dict(counts)) for at, counts in hours.items())

    def _items(self, pk: str, first_hour: str) -> list[dict[str, Any]]:
        try:
            pages = self._client.get_paginator("query").paginate(
                TableName=self._table,
                KeyConditionExpression="pk = :pk AND sk >= :since",
                ExpressionAttributeValues={":pk": {"S": pk}, ":since": {"S": first_hour}},
            )
            return [item for page in pages for item in page["Items"]]
        except (ClientError, BotoCoreError) as error:
            raise StoreUnavailable(f"reading the insights: {type(error).__name__}") from error


def _hour(at: float) -> str:
    return f"{int(at // BUCKET_S * BUCKET_S):012d}"
