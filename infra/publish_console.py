"""Publishes the agents' console and the web chat widget to the stack's console bucket (served
by CloudFront at the ConsoleUrl output), with a config.js that names the stack's API, Cognito's
hosted sign-in and the console's app client, so that agents sign in there with no setting to
paste. Python 3 and boto3 alone; run it after each `sam deploy` that changed the console.

    python3 infra/publish_console.py --stack socialcare-prod --region eu-west-1
"""

from __future__ import annotations

import argparse
import json
import mimetypes
from pathlib import Path
from typing import Any

import boto3

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


if __name__ == "__main__":
    raise SystemExit(main())
