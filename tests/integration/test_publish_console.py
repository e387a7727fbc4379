"""infra/publish_console.py puts the console, its config.js and the widget in the stack's console
bucket (a stack made on a moto server from a small template with the real stack's outputs)."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

import boto3
from publish_console import FILES, handler, main

from socialcare_local.cfn_template import Template
from socialcare_local.http_server import LoopbackServer, Request, Response
from socialcare_local.moto_server import free_port

BUCKET = "brand-prod-console"
OUTPUTS = {
    "ApiUrl": "https://abc123.execute-api.eu-west-1.amazonaws.com",
    "AgentSignInDomain": "https://socialcare-prod-0a1b2c3d.auth.eu-west-1.amazoncognito.com",
    "AgentUserPoolClientId": "client123",
    "ConsoleUrl": "https://d111111abcdef8.cloudfront.net/",
}


def test_the_console_is_published_with_the_stacks_sign_in_settings(aws: Template) -> None:
    """GIVEN a deployed stack WHEN the console is published THEN the bucket serves every file
    of the console and the widget, and config.js names this stack's API, sign-in domain and
    app client (what the console needs to send agents to Cognito's hosted UI)."""
    outputs = {k: {"Value": v} for k, v in {**OUTPUTS, "ConsoleBucketName": BUCKET}.items()}
    template = {
        "Resources": {"Bucket": {"Type": "AWS::S3::Bucket", "Properties": {"BucketName": BUCKET}}},
        "Outputs": outputs,
    }
    boto3.client("cloudformation").create_stack(
        StackName="brand-prod", TemplateBody=json.dumps(template)
    )

    assert main(["--stack", "brand-prod"]) == 0

    s3 = boto3.client("s3")
    stored = {o["Key"] for o in s3.list_objects_v2(Bucket=BUCKET)["Contents"]}
    assert stored == {*FILES, "config.js"}
    config = s3.get_object(Bucket=BUCKET, Key="config.js")
    assert config["ContentType"].startswith("text/javascript")
    text = config["Body"].read().decode()
    settings = json.loads(text.removeprefix("window.SOCIALCARE_CONFIG = ").rstrip(";\n"))
    assert settings == {
        "api": OUTPUTS["ApiUrl"],
        "auth": OUTPUTS["AgentSignInDomain"],
        "clientId": "client123",
    }
    page = s3.get_object(Bucket=BUCKET, Key="index.html")
    assert page["ContentType"].startswith("text/html")


@dataclass
class CloudFormationAnswers:
    answers: list[dict[str, Any]] = field(default_factory=list)

    def __call__(self, request: Request) -> Response:
        self.answers.append(json.loads(request.body))
        return Response(200)


def test_the_stack_publishes_its_console_itself(aws: Template) -> None:
    """GIVEN the stack's ConsoleSite custom resource WHEN CloudFormation creates it THEN the
    console, its config.js and the widget are in the console bucket and CloudFormation hears
    SUCCESS; WHEN the bucket is missing THEN it hears FAILED with the reason."""
    cloudformation = CloudFormationAnswers()
    server = LoopbackServer(cloudformation, free_port()).start()
    bucket = aws.physical["ConsoleBucket"]["Ref"]
    event = {
        "RequestType": "Create",
        "ResponseURL": f"http://127.0.0.1:{server.port}/response",
        "StackId": "arn:aws:cloudformation:us-east-1:123456789012:stack/brand-prod/0a1b",
        "RequestId": "r-1",
        "LogicalResourceId": "ConsoleSite",
        "ResourceProperties": {**OUTPUTS, "ConsoleBucketName": bucket, "FilesVersion": "3"},
    }
    try:
        handler(event, None)
        broken = {**event["ResourceProperties"], "ConsoleBucketName": "no-such-bucket"}
        handler({**event, "RequestType": "Update", "ResourceProperties": broken}, None)
    finally:
        server.stop()

    assert [a["Status"] for a in cloudformation.answers] == ["SUCCESS", "FAILED"]
    stored = {o["Key"] for o in boto3.client("s3").list_objects_v2(Bucket=bucket)["Contents"]}
    assert stored == {*FILES, "config.js"}
    assert "NoSuchBucket" in cloudformation.answers[1]["Reason"]
