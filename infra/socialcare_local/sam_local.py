"""`sam local invoke` inputs: one API Gateway v2 event per channel under events/, made from the
recorded platform payloads of tests/events/ and signed with the local stack's secrets, and
events/env.json, which points every function at the local stack's moto server.

    .venv/bin/python -m socialcare_local.sam_local          # rewrites events/

The events carry the exact recorded bytes and fixed request ids and times, so a rerun rewrites
the same files (tests/integration/test_sam_local_events.py checks both, and invokes each
webhook with its event). WeChat signs a timestamp, so its event is not kept: the local stack's
own demo sends those.
"""

from __future__ import annotations

import argparse
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

from socialcare_local.cfn_template import ACCOUNT, ROOT, Template
from socialcare_local.credentials import credential
from socialcare_local.traffic import line_headers, meta_headers, telegram_headers, x_headers

EVENTS = ROOT / "events"
RECORDED = ROOT / "tests" / "events"
MOTO_URL = "http://127.0.0.1:5000"  # `make up`'s moto server
FIXED_EPOCH_MS = 1_760_000_000_000

Sign = Callable[[bytes], dict[str, str]]
CHANNELS: dict[str, tuple[str, str, Sign]] = {  # function, recorded payload, signed headers
    "telegram": (
        "WebhookTelegramFunction",
        "telegram/message_text.json",
        lambda raw: telegram_headers(),
    ),
    "whatsapp": (
        "WebhookWhatsAppFunction",
        "whatsapp/text.json",
        lambda raw: meta_headers(raw, credential("WHATSAPP_APP_SECRET")),
    ),
    "messenger": (
        "WebhookMessengerFunction",
        "messenger/text.json",
        lambda raw: meta_headers(raw, credential("MESSENGER_APP_SECRET")),
    ),
    "instagram": (
        "WebhookInstagramFunction",
        "instagram/text.json",
        lambda raw: meta_headers(raw, credential("INSTAGRAM_APP_SECRET")),
    ),
    "x": ("WebhookXFunction", "x/direct_message.json", x_headers),
    "line": ("WebhookLineFunction", "line/webhook.json", line_headers),
}


def api_event(channel: str) -> dict[str, Any]:
    """POST /webhooks/<channel> with the recorded payload, as API Gateway v2 hands it over."""
    _, recorded, sign = CHANNELS[channel]
    raw = (RECORDED / recorded).read_bytes()
    path = f"/webhooks/{channel}"
    return {
        "version": "2.0",
        "routeKey": f"POST {path}",
        "rawPath": path,
        "rawQueryString": "",
        "headers": {k.lower(): v for k, v in sign(raw).items()},
        "requestContext": {
            "accountId": ACCOUNT,
            "apiId": "local",
            "domainName": "127.0.0.1",
            "http": {
                "method": "POST",
                "path": path,
                "protocol": "HTTP/1.1",
                "sourceIp": "127.0.0.1",
            },
            "requestId": f"sam-local-{channel}",
            "routeKey": f"POST {path}",
            "stage": "$default",
            "timeEpoch": FIXED_EPOCH_MS,
        },
        "body": raw.decode(),
        "isBase64Encoded": False,
    }


def local_env(template: Template, moto_url: str = MOTO_URL) -> dict[str, dict[str, str]]:
    """--env-vars for sam local: the template's environment with the names the local stack gives
    its resources, and every AWS client pointed at its moto server."""
    for logical, props in template.of_type("AWS::DynamoDB::Table").items():
        name = template.resolve(props["TableName"])
        arn = f"arn:aws:dynamodb:{template.region}:{ACCOUNT}:table/{name}"
        template.physical[logical] = {"Ref": name, "Arn": arn}
    for logical, props in template.of_type("AWS::SQS::Queue").items():
        name = template.resolve(props["QueueName"])
        arn = f"arn:aws:sqs:{template.region}:{ACCOUNT}:{name}"
        template.physical[logical] = {
            "Ref": f"{moto_url}/{ACCOUNT}/{name}",
            "QueueName": name,
            "Arn": arn,
        }
    for logical, props in template.of_type("AWS::S3::Bucket").items():
        name = template.resolve(props["BucketName"])
        template.physical[logical] = {"Ref": name, "Arn": f"arn:aws:s3:::{name}"}
    aws = {
        "AWS_ENDPOINT_URL": moto_url,
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_DEFAULT_REGION": template.region,
        "POWERTOOLS_METRICS_DISABLED": "true",
    }
    return {
        spec.logical_id: {
            **{k: str(template.resolve(v)) for k, v in spec.environment.items()},
            **aws,
        }
        for spec in template.functions()
    }


def write(folder: Path = EVENTS) -> list[Path]:
    folder.mkdir(exist_ok=True)
    written = []
    for channel in CHANNELS:
        written.append(folder / f"{channel}.json")
        written[-1].write_text(json.dumps(api_event(channel), indent=2, ensure_ascii=False) + "\n")
    written.append(folder / "env.json")
    written[-1].write_text(json.dumps(local_env(Template()), indent=2, sort_keys=True) + "\n")
    return written


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, default=EVENTS)
    args = parser.parse_args(argv)
    for path in write(args.out):
        print(path.relative_to(ROOT) if path.is_relative_to(ROOT) else path)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
