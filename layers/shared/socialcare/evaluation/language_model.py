"""What a causal language model says about the texts (transformers + torch, on the CPU): the
perplexity of the reference answers, and token counts. Imported only by the evaluation."""

from __future__ import annotations

import math
import os
import shutil
from collections.abc import Callable, Sequence
from functools import cache
from pathlib import Path
from typing import Any

from socialcare.evaluation.dataset import Case
from socialcare.evaluation.progress import Progress


@cache
def token_counter(tokenizer_json: Path) -> Callable[[str], int]:
    """Counts the tokens of a text with a model's tokenizer (its tokenizer.json)."""
    from tokenizers import Tokenizer

    tokenizer = Tokenizer.from_file(str(tokenizer_json))

    def count(text: str) -> int:
        return len(tokenizer.encode(text, add_special_tokens=False).ids) if text else 0

    return count


def tokenizer_of_gguf(folder: Path, gguf_file: str, cache: Path) -> Path:
    """The tokenizer.json of a GGUF model, extracted once into `cache` (reading the GGUF file
    takes transformers and tens of seconds; the extracted tokenizer loads in milliseconds)."""
    target = cache / "tokenizer.json"
    if not target.is_file():
        from transformers import AutoTokenizer

        partial = cache.with_name(f"{cache.name}.{os.getpid()}.partial")
        AutoTokenizer.from_pretrained(folder, gguf_file=gguf_file).save_pretrained(partial)
        try:
            partial.rename(cache)
        except OSError:  # another process extracted it first
            shutil.rmtree(partial)
    return target


def perplexity(folder: Path, cases: Sequence[Case]) -> dict[str, Any]:
    """exp of the mean negative log-likelihood per token of each reference answer, given the
    customer's message as the chat prompt when the model has a chat template."""
    import torch
    from transformers import AutoModelForCausalLM, AutoTokenizer

    tokenizer = AutoTokenizer.from_pretrained(folder)
    model: Any = AutoModelForCausalLM.from_pretrained(folder, dtype=torch.float32)
    model.eval()  # no dropout
    total_nll, total_tokens = 0.0, 0
    progress = Progress(len(cases), "references scored")
    with torch.inference_mode():
        for case in cases:
            prompt = _prompt(tokenizer, case.text)
            answer = tokenizer(case.reference, add_special_tokens=False)["input_ids"]
            ids = torch.tensor([prompt + answer])
            labels = ids.clone()
            labels[0, : len(prompt)] = -100  # only the answer's tokens are scored
            loss = model(input_ids=ids, labels=labels).loss
            scored = len(answer) if prompt else len(answer) - 1
            total_nll += float(loss) * scored
            total_tokens += scored
            progress.step()
    return {
        "model": str(folder),
        "references": len(cases),
        "tokens": total_tokens,
        "perplexity": round(math.exp(total_nll / total_tokens), 3) if total_tokens else None,
    }


def _prompt(tokenizer: Any, message: str) -> list[int]:
    if not getattr(tokenizer, "chat_template", None):
        return []
    ids = tokenizer.apply_chat_template(
        [{"role": "user", "content": message}], add_generation_prompt=True, tokenize=True
    )
    if isinstance(ids, dict) or hasattr(ids, "keys"):
        ids = ids["input_ids"]
    return [int(i) for i in ids]
