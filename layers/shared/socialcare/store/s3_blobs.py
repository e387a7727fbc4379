"""S3 as the knowledge base's blob store (index snapshots) and model shelf."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING

import boto3
from botocore.exceptions import BotoCoreError, ClientError

from socialcare.knowledge.port import KnowledgeUnavailable

if TYPE_CHECKING:
    from mypy_boto3_s3 import S3Client


def parse_s3_url(url: str) -> tuple[str, str]:
    """s3://bucket/some/prefix -> ("bucket", "some/prefix")"""
    bucket, _, key = url.removeprefix("s3://").partition("/")
    if not url.startswith("s3://") or not bucket:
        raise ValueError(f"not an s3://bucket/key URL: {url!r}")
    return bucket, key.strip("/")


class S3Blobs:
    def __init__(self, url: str, client: S3Client | None = None) -> None:
        self.bucket, self.prefix = parse_s3_url(url)
        self._client = client or boto3.client("s3")

    def _key(self, path: str) -> str:
        return f"{self.prefix}/{path}" if self.prefix else path

    def get(self, path: str) -> bytes | None:
        try:
            return self._client.get_object(Bucket=self.bucket, Key=self._key(path))["Body"].read()
        except self._client.exceptions.NoSuchKey:
            return None
        except (BotoCoreError, ClientError) as error:
            raise KnowledgeUnavailable(f"s3://{self.bucket}/{self._key(path)}: {error}") from error

    def put(self, path: str, data: bytes) -> None:
        try:
            self._client.put_object(Bucket=self.bucket, Key=self._key(path), Body=data)
        except (BotoCoreError, ClientError) as error:
            raise KnowledgeUnavailable(f"s3://{self.bucket}/{self._key(path)}: {error}") from error

    def delete(self, path: str) -> None:
        self._client.delete_object(Bucket=self.bucket, Key=self._key(path))

    def list(self, prefix: str) -> list[str]:
        start = f"{self._key('')}" if self.prefix else ""
        paginator = self._client.get_paginator("list_objects_v2")
        keys: list[str] = []
        for page in paginator.paginate(Bucket=self.bucket, Prefix=self._key(prefix)):
            keys.extend(item["Key"][len(start) :] for item in page.get("Contents", []))
        return sorted(keys)


def fetch_once(url: str, client: S3Client | None = None) -> Path:
    """The S3 object as a local file in /tmp, downloaded once per container (a warm Lambda keeps
    /tmp): the 72 MB embedding model is too big for the function's package."""
    bucket, key = parse_s3_url(url)
    target = Path(tempfile.gettempdir()) / "socialcare-models" / key.replace("/", "_")
    if target.is_file():
        return target
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_suffix(f".{os.getpid()}.part")
    try:
        (client or boto3.client("s3")).download_file(bucket, key, str(partial))
    except (BotoCoreError, ClientError) as error:
        partial.unlink(missing_ok=True)
        raise KnowledgeUnavailable(f"cannot fetch {url}: {error}") from error
    os.replace(partial, target)
    return target


@contextmanager
def downloaded(bucket: str, key: str, client: S3Client | None = None) -> Iterator[Path]:
    """The object in a temporary folder under its own file name, removed afterwards."""
    with tempfile.TemporaryDirectory() as folder:
        target = Path(folder) / (PurePosixPath(key).name or "document")
        try:
            (client or boto3.client("s3")).download_file(bucket, key, str(target))
        except (BotoCoreError, ClientError) as error:
            raise KnowledgeUnavailable(f"cannot fetch s3://{bucket}/{key}: {error}") from error
        yield target
