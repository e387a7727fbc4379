"""Create template.yaml's key, queues, tables, bucket and secrets on the moto server, encrypted
with the template's customer managed key as in AWS."""

from __future__ import annotations

import json
from typing import Any

import boto3

from socialcare_local.cfn_template import Template
from socialcare_local.credentials import DEV_CREDENTIALS, secret_values

_QUEUE_ATTRIBUTES = (
    "FifoQueue",
    "ContentBasedDeduplication",
    "DeduplicationScope",
    "FifoThroughputLimit",
    "VisibilityTimeout",
    "MessageRetentionPeriod",
    "DelaySeconds",
    "ReceiveMessageWaitTimeSeconds",
    "SqsManagedSseEnabled",
    "KmsMasterKeyId",
    "KmsDataKeyReusePeriodSeconds",
)


def provision(template: Template, session: boto3.session.Session) -> None:
    _keys(template, session.client("kms"))
    _queues(template, session.client("sqs"))
    _tables(template, session.client("dynamodb"))
    _buckets(template, session.client("s3"))
    _secrets(template, session.client("secretsmanager"))


def function_environment(template: Template) -> dict[str, str]:
    """Every function's environment from the template, resolved to the local resources."""
    env: dict[str, str] = {}
    for spec in template.functions():
        env.update({k: str(template.resolve(v)) for k, v in spec.environment.items()})
    return env


def _text(value: Any) -> str:
    return str(value).lower() if isinstance(value, bool) else str(value)


def _keys(template: Template, kms: Any) -> None:
    for logical, props in template.of_type("AWS::KMS::Key").items():
        key = kms.create_key(Description=props.get("Description", logical))["KeyMetadata"]
        if props.get("EnableKeyRotation"):
            kms.enable_key_rotation(KeyId=key["KeyId"])
        template.physical[logical] = {"Ref": key["KeyId"], "Arn": key["Arn"]}


def _queues(template: Template, sqs: Any) -> None:
    queues = template.of_type("AWS::SQS::Queue")
    # Dead-letter queues first: a redrive policy names the ARN of one.
    for logical, props in sorted(queues.items(), key=lambda item: "RedrivePolicy" in item[1]):
        name = template.resolve(props["QueueName"])
        attributes = {k: _text(template.resolve(props[k])) for k in _QUEUE_ATTRIBUTES if k in props}
        if "RedrivePolicy" in props:
            attributes["RedrivePolicy"] = json.dumps(template.resolve(props["RedrivePolicy"]))
        url = sqs.create_queue(QueueName=name, Attributes=attributes)["QueueUrl"]
        arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])
        template.physical[logical] = {
            "Ref": url,
            "Arn": arn["Attributes"]["QueueArn"],
            "QueueName": name,
        }


def _tables(template: Template, dynamodb: Any) -> None:
    for logical, props in template.of_type("AWS::DynamoDB::Table").items():
        name = template.resolve(props["TableName"])
        indexes = {k: props[k] for k in ("GlobalSecondaryIndexes",) if k in props}
        description = dynamodb.create_table(
            TableName=name,
            AttributeDefinitions=props["AttributeDefinitions"],
            KeySchema=props["KeySchema"],
            BillingMode=props.get("BillingMode", "PAY_PER_REQUEST"),
            SSESpecification=_table_encryption(template.resolve(props["SSESpecification"])),
            **indexes,
        )["TableDescription"]
        ttl = props.get("TimeToLiveSpecification")
        if ttl:
            dynamodb.update_time_to_live(TableName=name, TimeToLiveSpecification=ttl)
        template.physical[logical] = {"Ref": name, "Arn": description["TableArn"]}


def _table_encryption(spec: dict[str, Any]) -> dict[str, Any]:
    """CloudFormation's SSESpecification in the API's words (Enabled, not SSEEnabled)."""
    return {("Enabled" if k == "SSEEnabled" else k): v for k, v in spec.items()}


def _buckets(template: Template, s3: Any) -> None:
    for logical, props in template.of_type("AWS::S3::Bucket").items():
        name = template.resolve(props["BucketName"])
        s3.create_bucket(Bucket=name)
        if "BucketEncryption" in props:
            rules = template.resolve(props["BucketEncryption"]["ServerSideEncryptionConfiguration"])
            s3.put_bucket_encryption(
                Bucket=name,
                ServerSideEncryptionConfiguration={"Rules": [_bucket_rule(r) for r in rules]},
            )
        template.physical[logical] = {"Ref": name, "Arn": f"arn:aws:s3:::{name}"}


def _bucket_rule(rule: dict[str, Any]) -> dict[str, Any]:
    """CloudFormation's encryption rule in the API's words (ApplyServerSideEncryptionByDefault)."""
    return {
        ("ApplyServerSideEncryptionByDefault" if k == "ServerSideEncryptionByDefault" else k): v
        for k, v in rule.items()
    }


def _secrets(template: Template, secretsmanager: Any) -> None:
    for parameter in DEV_CREDENTIALS:
        secretsmanager.create_secret(
            Name=template.parameters[parameter],
            SecretString=json.dumps(secret_values(parameter)),
        )
