"""The sample order system: orders in a DynamoDB table (pk = order number). A brand connects
its real order system by writing another adapter of the same port. An order's e-mail and phone
are stored only as keyed hashes (`contact_hashes`, a string set: dialogue.verification)."""

from __future__ import annotations

from typing import TYPE_CHECKING

import boto3

from socialcare.dialogue.orders import Order

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient


class DynamoDBOrders:
    def __init__(self, table_name: str, client: DynamoDBClient | None = None) -> None:
        self._table = table_name
        self._client = client or boto3.session.Session().client("dynamodb")

    def find(self, number: str) -> Order | None:
        item = self._client.get_item(TableName=self._table, Key={"pk": {"S": number}}).get("Item")
        if item is None:
            return None
        return Order(
            number=number,
            status=item["status"]["S"],
            carrier=item.get("carrier", {}).get("S", ""),
            eta=item.get("eta", {}).get("S", ""),
            customer_id=item.get("customer_id", {}).get("S", ""),
            contact_hashes=tuple(sorted(item.get("contact_hashes", {}).get("SS", []))),
        )
