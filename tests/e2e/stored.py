"""Everything the local stack keeps: every DynamoDB table's items and every SQS queue's
messages, as one JSON text to look for traces in."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any


def stored_everywhere(client: Callable[[str], Any]) -> str:
    """`client(service)` is a boto3 client of the stack's moto server."""
    dynamodb = client("dynamodb")
    sqs = client("sqs")
    found = []
    for table in dynamodb.list_tables()["TableNames"]:
        found += dynamodb.scan(TableName=table)["Items"]
    for url in sqs.list_queues().get("QueueUrls", []):
        found += sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10, VisibilityTimeout=0).get(
            "Messages", []
        )
    return json.dumps(found, ensure_ascii=False)
