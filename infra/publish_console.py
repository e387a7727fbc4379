"""Publishes the agents' console and the web chat widget to the stack's console bucket (served
by CloudFront at the ConsoleUrl output), with a config.js that names the stack's API, Cognito's
hosted sign-in and the console's app client, so that agents sign in there with no setting to
paste. The stack runs it itself: `handler` is the function behind its ConsoleSite custom
resource, run on create and on every deploy whose console files or settings changed. As a
command (Python 3 and boto3 alone) it republishes by hand:

    python3 infra/publish_console.py --stack socialcare-prod --region eu-west-1
"""

from __future__ import annotations

import argparse
import json
import mimetypes
import urllib.request
from pathlib import Path
from typing import Any

import boto3
from botocore.exceptions import BotoCoreError, ClientError

INFRA = Path(__file__).resolve().parent
FILES = {  # object key -> file
    "index.html": INFRA / "agent_console" / "index.html",
    "console.css": INFRA / "agent_console" / "console.css",
    "console.js": INFRA / "agent_console" / "console.js",
    "signin.js": INFRA / "agent_console" / "signin.js",
    "widget.js": INFRA / "webchat_widget" / "widget.js",
}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--stack", required=True, help="the stack's name")
    parser.add_argument("--region", default=None)
    args = parser.parse_args(argv)
    session = boto3.session.Session(region_name=args.region)
    outputs = stack_outputs(session.client("cloudformation"), args.stack)
    published = publish(session.client("s3"), outputs)
    print(f"published {', '.join(published)}: agents sign in at {outputs['ConsoleUrl']}")
    return 0


def stack_outputs(cloudformation: Any, stack: str) -> dict[str, str]:
    (described,) = cloudformation.describe_stacks(StackName=stack)["Stacks"]
    return {o["OutputKey"]: o["OutputValue"] for o in described.get("Outputs", [])}


def console_config(outputs: dict[str, str]) -> str:
    """config.js: what signin.js and console.js need to reach Cognito and the API."""
    config = {
        "api": outputs["ApiUrl"],
        "auth": outputs["AgentSignInDomain"],
        "clientId": outputs["AgentUserPoolClientId"],
    }
    return f"window.SOCIALCARE_CONFIG = {json.dumps(config)};\n"


def publish(s3: Any, outputs: dict[str, str]) -> list[str]:
    bucket = outputs["ConsoleBucketName"]
    bodies = {key: path.read_bytes() for key, path in FILES.items()}
    bodies["config.js"] = console_config(outputs).encode()
    for key, body in bodies.items():
        kind = mimetypes.guess_type(key)[0] or "application/octet-stream"
        s3.put_object(Bucket=bucket, Key=key, Body=body, ContentType=f"{kind}; charset=utf-8")
    return sorted(bodies)


def handler(event: dict[str, Any], context: Any) -> None:
    """The ConsoleSite custom resource: publishes on Create and Update with the stack's settings
    (its properties carry the outputs' names), leaves the retained bucket as it is on Delete,
    and always answers CloudFormation."""
    outputs = {k: str(v) for k, v in event["ResourceProperties"].items()}
    status, reason = "SUCCESS", "the console stays in the retained bucket"
    if event["RequestType"] in ("Create", "Update"):
        try:
            reason = f"published {', '.join(publish(boto3.client('s3'), outputs))}"
        except (BotoCoreError, ClientError, OSError, KeyError) as error:
            status, reason = "FAILED", f"console not published: {error!r}"
    answer = {
        "Status": status,
        "Reason": reason[:1000],
        "PhysicalResourceId": f"s3://{outputs.get('ConsoleBucketName', 'none')}",
        "StackId": event["StackId"],
        "RequestId": event["RequestId"],
        "LogicalResourceId": event["LogicalResourceId"],
    }
    request = urllib.request.Request(  # noqa: S310  the presigned https URL CloudFormation gave
        event["ResponseURL"],
        data=json.dumps(answer).encode(),
        method="PUT",
        headers={"Content-Type": ""},
    )
    with urllib.request.urlopen(request, timeout=30):  # noqa: S310
        pass


if __name__ == "__main__":
    raise SystemExit(main())
