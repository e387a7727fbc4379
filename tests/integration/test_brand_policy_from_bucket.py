"""The brand's own policy, uploaded to the knowledge bucket (the stack's BrandPolicyKey), is the
one the worker answers with: its name in the greetings, not the sample shop's."""

from __future__ import annotations

import tempfile

import boto3
import pytest

from socialcare import bootstrap
from socialcare_local.cfn_template import ROOT, Template

SAMPLE = ROOT / "layers/shared/socialcare/generate/brands/lumen-co.toml"


def test_the_worker_loads_the_brand_policy_from_the_bucket(
    aws: Template, monkeypatch: pytest.MonkeyPatch, tmp_path_factory: pytest.TempPathFactory
) -> None:
    """GIVEN Acme's policy at s3://<knowledge bucket>/brand/policy.toml WHEN the worker builds
    its brand policy THEN it is Acme's."""
    bucket = aws.physical["KnowledgeBucket"]["Ref"]
    acme = SAMPLE.read_text().replace('name = "Lumen & Co."', 'name = "Acme Outdoor"')
    boto3.client("s3").put_object(Bucket=bucket, Key="brand/acme.toml", Body=acme.encode())
    # a fresh /tmp, as a new Lambda container has
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path_factory.mktemp("lambda-tmp")))
    monkeypatch.setenv("BRAND_POLICY_FILE", f"s3://{bucket}/brand/acme.toml")
    bootstrap.reset()

    assert bootstrap.brand_policy().name == "Acme Outdoor"
