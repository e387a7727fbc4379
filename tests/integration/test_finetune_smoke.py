"""Fine-tuning end to end on CPU, the way a user runs it: `python -m inference.finetune` with a
tiny recipe trains a tiny chat model built in the test on real fine-tuning data for a few
steps; the loss falls, the adapter loads onto its base, the merged model is the base with the
adapter, and the local LLM server (`make llm`, `make up` with LOCAL_LLM_MODEL) serves the merged
model with `transformers serve` over the OpenAI-compatible API."""

from __future__ import annotations

import csv
import json
import subprocess
import sys
import urllib.request
from itertools import islice
from pathlib import Path

import pytest

from socialcare.generate.brand import BrandPolicy, load_brand_policy
from socialcare.knowledge.embedded_index import EmbeddedIndex
from socialcare.learning.datasets import ExampleBuilder, bitext_sources, write_jsonl
from socialcare.understand.intents import shipped_model
from socialcare_local.llm_server import LlmServer, local_model
from socialcare_local.moto_server import free_port
from tests.llm.tiny_model import chat_model

ROOT = Path(__file__).resolve().parents[2]
BITEXT = ROOT.parent / "shared" / "data" / "bitext" / "train.csv"
STEPS = 16


@pytest.fixture(scope="module")
def brand() -> BrandPolicy:
    return load_brand_policy()


def _dataset(folder: Path, index: EmbeddedIndex, brand: BrandPolicy) -> Path:
    """Real fine-tuning data: a few rows of the Bitext development CSV, as the CLI builds it."""
    with BITEXT.open(newline="", encoding="utf-8") as source:
        reader = csv.DictReader(source)
        rows = list(islice(reader, 0, 400, 50))
        sample = folder / "sample.csv"
        with sample.open("w", newline="", encoding="utf-8") as handle:
            writer = csv.DictWriter(handle, reader.fieldnames or [])
            writer.writeheader()
            writer.writerows(rows)
    builder = ExampleBuilder(index, brand, shipped_model().labels, max_input_tokens=600)
    out = folder / "sft.jsonl"
    write_jsonl(builder.examples(bitext_sources(sample, builder), "bitext"), out)
    return out


def _recipe(folder: Path, base: Path, dataset: Path) -> Path:
    recipe = {
        "name": "tiny-smoke",
        "model": {"base": str(base), "hub_id": "socialcare/tiny-chat", "device": "cpu"},
        "dataset": {"path": str(dataset), "tasks": ["reply", "understand"], "max_examples": 8},
        # A random tiny model's logits move only through its head: the head gets an adapter too.
        "lora": {
            "r": 8,
            "alpha": 16,
            "dropout": 0.0,
            "target_modules": ["q_proj", "v_proj", "o_proj", "down_proj", "lm_head"],
        },
        "training": {
            "learning_rate": 0.03,
            "epochs": 4,
            "max_steps": STEPS,
            "max_length": 4096,
            "batch_size": 2,
            "seed": 3,
            "threads": 1,
        },
        "output": {"dir": str(folder / "out")},
    }
    path = folder / "tiny.yaml"
    path.write_text(json.dumps(recipe), encoding="utf-8")  # JSON is YAML
    return path


def test_a_tiny_model_fine_tunes_on_cpu_and_its_merged_model_is_served(
    tmp_path: Path,
    shipped_index: EmbeddedIndex,
    brand: BrandPolicy,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import torch
    from peft import PeftModel
    from transformers import AutoModelForCausalLM, AutoTokenizer

    base = chat_model(tmp_path / "base")
    dataset = _dataset(tmp_path, shipped_index, brand)
    recipe = _recipe(tmp_path, base, dataset)

    result = subprocess.run(
        [sys.executable, "-m", "inference.finetune", "--recipe", str(recipe)],
        capture_output=True,
        text=True,
        check=False,
        cwd=ROOT,
    )

    assert result.returncode == 0, result.stderr[-3000:]
    assert f"step {STEPS}/{STEPS}" in result.stderr
    assert "ETA" in result.stderr
    out = tmp_path / "out"
    metrics = json.loads((out / "finetune.json").read_text(encoding="utf-8"))
    assert metrics["steps"] == STEPS
    assert metrics["last_loss"] < 0.8 * metrics["first_loss"], metrics["log"]
    assert (out / "finetune_loss.png").read_bytes().startswith(b"\x89PNG")

    # The adapter, as TGI's adapter_id loads it: its config names the base it belongs to.
    adapter = out / "adapter"
    config = json.loads((adapter / "adapter_config.json").read_text(encoding="utf-8"))
    assert config["base_model_name_or_path"] == "socialcare/tiny-chat"
    assert (adapter / "adapter_model.safetensors").is_file()
    tokenizer = AutoTokenizer.from_pretrained(out / "merged")
    prompt = json.loads(dataset.read_text(encoding="utf-8").splitlines()[1])["messages"][:2]
    ids = tokenizer.apply_chat_template(prompt, add_generation_prompt=True, return_tensors="pt")
    ids = ids["input_ids"] if not isinstance(ids, torch.Tensor) else ids
    with torch.no_grad():
        plain = AutoModelForCausalLM.from_pretrained(base)
        before = plain(ids).logits
        tuned = PeftModel.from_pretrained(plain, adapter)(ids).logits
        merged = AutoModelForCausalLM.from_pretrained(out / "merged")(ids).logits
    assert not torch.allclose(tuned, before, atol=1e-3)
    assert torch.allclose(merged, tuned, atol=1e-4)

    monkeypatch.setenv("LOCAL_LLM_MODEL", str(out / "merged"))
    server = LlmServer(free_port(), local_model()).start()
    try:
        body = {"model": server.model, "messages": prompt, "max_tokens": 8, "temperature": 0}
        request = urllib.request.Request(
            f"{server.base_url}/chat/completions",
            data=json.dumps(body).encode(),
            headers={"Content-Type": "application/json"},
        )
        with urllib.request.urlopen(request, timeout=120) as response:
            answer = json.loads(response.read())
    finally:
        server.stop()
    assert answer["choices"][0]["message"]["content"]
    assert answer["usage"]["completion_tokens"] > 0
