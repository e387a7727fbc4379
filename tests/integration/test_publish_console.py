"""infra/publish_console.py puts the console, its config.js and the widget in the stack's console
bucket (a stack made on a moto server from a small template with the real stack's outputs)."""

from __future__ import annotations

import json

import boto3
from publish_console import FILES, main

from socialcare_local.cfn_template import Template

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
