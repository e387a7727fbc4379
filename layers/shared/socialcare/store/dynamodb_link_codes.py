"""One-time linking codes (dialogue.linking) in the customers table: one item per code, keyed by
the code's keyed hash ("link#<hash>", never the code), holding whose code it is and when it
expires; redeemed once by a conditional write that marks it used."""

from __future__ import annotations

from typing import TYPE_CHECKING

from botocore.exceptions import ClientError

from socialcare.store.dynamodb_client import dynamodb_client

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient


class DynamoDBLinkCodes:
    def __init__(self, table_name: str, client: DynamoDBClient | None = None) -> None:
        self._table = table_name
        self._client = client or dynamodb_client()

    def issue(self, code_ref: str, customer_id: str, expires_at: float) -> None:
        self._client.put_item(
            TableName=self._table,
            Item={
                "pk": {"S": f"link#{code_ref}"},
                "link_owner": {"S": customer_id},
                "expires_at": {"N": f"{expires_at:.0f}"},
            },
        )

    def redeem(self, code_ref: str, now: float) -> str:
        key = {"pk": {"S": f"link#{code_ref}"}}
        item = self._client.get_item(TableName=self._table, Key=key, ConsistentRead=True).get(
            "Item"
        )
        if item is None or "used" in item or float(item["expires_at"]["N"]) < now:
            return ""
        try:
            self._client.put_item(
                TableName=self._table,
                Item={**item, "used": {"BOOL": True}},
                ConditionExpression="attribute_not_exists(used)",
            )
        except ClientError as error:
            if error.response["Error"]["Code"] != "ConditionalCheckFailedException":
                raise
            return ""  # redeemed by another message at the same moment
        return item["link_owner"]["S"]
