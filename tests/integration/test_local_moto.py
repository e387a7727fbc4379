"""The local stack's moto server (socialcare_local.moto_serial) keeps DynamoDB's item size limit
while it sizes items once rather than once per attribute."""

from __future__ import annotations

import boto3
import pytest
from botocore.exceptions import ClientError

from socialcare_local.cfn_template import Template


def test_an_item_over_400_kb_is_refused_and_a_large_one_under_it_is_stored(aws: Template) -> None:
    """GIVEN the conversations table on the local moto server WHEN an item of 300 KB spread over
    many attributes and one of 420 KB are put THEN the first is stored whole and the second is
    refused with DynamoDB's ValidationException, as DynamoDB would."""
    client = boto3.client("dynamodb")
    table = aws.physical["ConversationsTable"]["Ref"]
    turns = {f"turn{n}": {"S": "x" * 1000} for n in range(300)}

    client.put_item(TableName=table, Item={"pk": {"S": "big"}, "sk": {"S": "c"}, **turns})
    with pytest.raises(ClientError) as refused:
        client.put_item(
            TableName=table,
            Item={"pk": {"S": "huge"}, "sk": {"S": "c"}, "text": {"S": "x" * 420_000}},
        )

    stored = client.get_item(TableName=table, Key={"pk": {"S": "big"}, "sk": {"S": "c"}})["Item"]
    assert len(stored) == 302 and stored["turn299"]["S"] == "x" * 1000
    assert refused.value.response["Error"]["Code"] == "ValidationException"
    assert "Item size has exceeded" in refused.value.response["Error"]["Message"]
