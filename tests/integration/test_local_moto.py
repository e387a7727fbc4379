"""The local stack's moto server (socialcare_local.moto_serial): DynamoDB's item size limit kept
while items are sized once rather than once per attribute, the requests it answered counted, and
connections kept alive between requests."""

from __future__ import annotations

import http.client
import json
import os
import urllib.parse
import urllib.request
from collections import Counter

import boto3
import pytest
from botocore.exceptions import ClientError

from socialcare_local.cfn_template import Template
from socialcare_local.moto_serial import COUNTS_PATH


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


def test_the_requests_answered_are_counted_by_operation(aws: Template) -> None:
    """GIVEN the local moto server WHEN two GetItems and one SendMessage are made THEN its request
    counts (what `make load` reports per message) went up by exactly those."""
    before = _counts()
    client = boto3.client("dynamodb")
    table = aws.physical["ConversationsTable"]["Ref"]
    for _ in range(2):
        client.get_item(TableName=table, Key={"pk": {"S": "none"}, "sk": {"S": "c"}})
    boto3.client("sqs").send_message(
        QueueUrl=aws.physical["InboundQueue"]["Ref"],
        MessageBody="{}",
        MessageGroupId="g",
        MessageDeduplicationId="d",
    )

    after = _counts()
    assert after - before == Counter({"DynamoDB_20120810.GetItem": 2, "AmazonSQS.SendMessage": 1})


def test_one_connection_carries_request_after_request(aws: Template) -> None:
    """GIVEN the local moto server WHEN three requests are sent over one HTTP/1.1 connection THEN
    each is answered on it and the connection stays open (boto3's pools reuse it rather than
    opening a connection per AWS call)."""
    endpoint = urllib.parse.urlsplit(os.environ["AWS_ENDPOINT_URL"])
    connection = http.client.HTTPConnection(endpoint.hostname or "", endpoint.port, timeout=10)
    answers = []
    for _ in range(3):
        connection.request("GET", COUNTS_PATH)
        response = connection.getresponse()
        json.loads(response.read())
        answers.append((response.status, response.will_close))  # will_close: "Connection: close"
    connection.close()

    assert answers == [(200, False)] * 3


def _counts() -> Counter[str]:
    with urllib.request.urlopen(os.environ["AWS_ENDPOINT_URL"] + COUNTS_PATH) as response:
        return Counter(json.loads(response.read()))
