"""The nonces of signed webhook requests (WeChat's), in the idempotency table: one item per
nonce, expiring with its request's replay window through the table's TTL (`expiration`, the
attribute Powertools' idempotency records use too; the "nonce#" prefix keeps the two apart)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from botocore.exceptions import ClientError

from socialcare.store.dynamodb_client import dynamodb_client

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient


class DynamoDBNonces:
    def __init__(self, table_name: str, client: DynamoDBClient | None = None) -> None:
        self._table = table_name
        self._client = client or dynamodb_client()

    def claim(self, key: str, fingerprint: str, expires_at: int) -> bool:
        """One conditional write: recorded unless recorded before with another fingerprint."""
        try:
            self._client.put_item(
                TableName=self._table,
                Item={
                    "id": {"S": f"nonce#{key}"},
                    "fingerprint": {"S": fingerprint},
                    "expiration": {"N": str(expires_at)},
                },
                ConditionExpression="attribute_not_exists(id) OR fingerprint = :fingerprint",
                ExpressionAttributeValues={":fingerprint": {"S": fingerprint}},
            )
        except ClientError as error:
            if error.response["Error"]["Code"] != "ConditionalCheckFailedException":
                raise
            return False
        return True
