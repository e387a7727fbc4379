"""The DynamoDB client of the worker's stores (conversations, customer profiles)."""

from __future__ import annotations

from typing import TYPE_CHECKING

import boto3
from botocore.config import Config

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient


def dynamodb_client() -> DynamoDBClient:
    """Without botocore's client-side parameter validation: it walks every attribute of an item
    (a conversation's turns, their entities) before each call, a few milliseconds a turn, and
    DynamoDB checks the request anyway: what it refuses comes back as a ClientError
    (ValidationException), which the stores translate like any other."""
    return boto3.session.Session().client("dynamodb", config=Config(parameter_validation=False))
