"""One LoRA run: load the base, attach the adapter, train on the assistant tokens with progress
(step, loss, ETA), then write the adapter (what TGI serves with `adapter_id`) and the merged
model (what `transformers serve` and vLLM load), the metrics and the loss plot."""

from __future__ import annotations

import json
import math
import platform
import random
import sys
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass
from typing import Any

from inference.finetune.examples import IGNORE, Selection, Tokenised, select
from inference.finetune.plot import plot_loss
from inference.finetune.recipe import Recipe, TrainingSettings

ADAPTER = "adapter"
MERGED = "merged"
Say = Callable[[str], None]


@dataclass
class Progress:
    log: list[dict[str, float]]
    planned_steps: int
    tokens: int = 0
    wall_s: float = 0.0


def run(recipe: Recipe, say: Say | None = None) -> dict[str, Any]:
    import torch

    say = say or _stderr
    started = time.perf_counter()
    settings = recipe.training
    if settings.threads:
        torch.set_num_threads(settings.threads)
    random.seed(settings.seed)
    torch.manual_seed(settings.seed)
    device = _device(recipe.model.device, torch)
    dtype = _dtype(recipe.model.dtype, device, torch)
    tokenizer, selection = _examples(recipe)
    say(
        f"{len(selection.examples)} examples ({selection.read} matched, {selection.too_long} "
        f"longer than {settings.max_length} tokens left out) on {device} in {dtype}"
    )
    model = _lora_model(recipe, device, dtype)
    trainable, total = model.get_nb_trainable_parameters()
    say(f"LoRA r={recipe.lora.r}: {trainable:,} trainable of {total:,} parameters")
    progress = _train(
        model, selection.examples, settings, tokenizer.pad_token_id, device=device, say=say
    )
    adapter_dir, merged_dir = recipe.output.dir / ADAPTER, recipe.output.dir / MERGED
    if recipe.model.hub_id:  # TGI matches an adapter to the served base by this id
        model.peft_config["default"].base_model_name_or_path = recipe.model.hub_id
    model.save_pretrained(adapter_dir)
    tokenizer.save_pretrained(adapter_dir)
    model.merge_and_unload().save_pretrained(merged_dir)
    tokenizer.save_pretrained(merged_dir)
    say(f"adapter: {adapter_dir}\nmerged model: {merged_dir}")

    window = max(1, len(progress.log) // 10)
    metrics = {
        "recipe": recipe.name,
        "settings": json.loads(json.dumps(asdict(recipe), default=str)),
        "examples": len(selection.examples),
        "matched": selection.read,
        "too_long": selection.too_long,
        "steps": len(progress.log),
        "planned_steps": progress.planned_steps,
        "tokens_seen": progress.tokens,
        "train_wall_s": round(progress.wall_s, 1),
        "run_wall_s": round(time.perf_counter() - started, 1),  # loading and writing too
        "first_loss": _mean(progress.log[:window]),
        "last_loss": _mean(progress.log[-window:]),
        "device": device,
        "dtype": str(dtype).removeprefix("torch."),
        "threads": torch.get_num_threads(),
        "machine": f"{platform.machine()} {platform.processor()}".strip(),
        "torch": torch.__version__,
        "adapter_dir": str(adapter_dir),
        "merged_dir": str(merged_dir),
        "log": progress.log,
    }
    recipe.metrics_path.parent.mkdir(parents=True, exist_ok=True)
    recipe.metrics_path.write_text(json.dumps(metrics, indent=2) + "\n", encoding="utf-8")
    plot_loss(progress.log, recipe.plot_path, f"{recipe.name}: training loss")
    say(f"metrics: {recipe.metrics_path}\nloss plot: {recipe.plot_path}")
    return metrics


def _examples(recipe: Recipe) -> tuple[Any, Selection]:
    from transformers import AutoTokenizer

    tokenizer = AutoTokenizer.from_pretrained(recipe.model.base)
    if tokenizer.pad_token_id is None:
        tokenizer.pad_token = tokenizer.eos_token
    settings = recipe.training
    selection = select(recipe.dataset, tokenizer, settings.max_length, settings.seed)
    if not selection.examples:
        raise ValueError(
            f"no example of {recipe.dataset.path} fits max_length {settings.max_length} "
            f"({selection.read} matched the recipe's tasks and sources)"
        )
    return tokenizer, selection


def _lora_model(recipe: Recipe, device: str, dtype: Any) -> Any:
    from peft import LoraConfig, get_peft_model
    from transformers import AutoModelForCausalLM

    base = AutoModelForCausalLM.from_pretrained(recipe.model.base, dtype=dtype).to(device)
    if recipe.training.gradient_checkpointing:
        base.gradient_checkpointing_enable()
        base.enable_input_require_grads()
    lora = LoraConfig(
        r=recipe.lora.r,
        lora_alpha=recipe.lora.alpha,
        lora_dropout=recipe.lora.dropout,
        target_modules=list(recipe.lora.target_modules),
        task_type="CAUSAL_LM",
    )
    return get_peft_model(base, lora)


def _train(
    model: Any,
    examples: list[Tokenised],
    settings: TrainingSettings,
    pad_id: int,
    *,
    device: str,
    say: Say,
) -> Progress:
    import torch

    batches = _batches(examples, settings.batch_size, settings.seed, settings.epochs)
    steps = max(1, len(batches) // settings.gradient_accumulation)
    if settings.max_steps:
        steps = settings.max_steps
    optimizer = torch.optim.AdamW(
        [p for p in model.parameters() if p.requires_grad],
        lr=settings.learning_rate,
        weight_decay=settings.weight_decay,
    )
    warmup = max(1, int(steps * settings.warmup_ratio))
    scheduler = torch.optim.lr_scheduler.LambdaLR(
        optimizer, lambda s: min((s + 1) / warmup, max(0.0, (steps - s) / max(1, steps - warmup)))
    )
    model.train()
    progress = Progress([], steps)
    started = time.perf_counter()
    for step in range(steps):
        loss_sum = 0.0
        for micro in range(settings.gradient_accumulation):
            batch = batches[(step * settings.gradient_accumulation + micro) % len(batches)]
            inputs = _collate(batch, pad_id, device, torch)
            loss = model(**inputs).loss / settings.gradient_accumulation
            loss.backward()
            loss_sum += float(loss.detach())
            progress.tokens += int(inputs["attention_mask"].sum())
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        optimizer.step()
        scheduler.step()
        optimizer.zero_grad()
        elapsed = time.perf_counter() - started
        progress.log.append(
            {"step": step + 1, "loss": round(loss_sum, 5), "elapsed_s": round(elapsed, 2)}
        )
        out_of_time = bool(settings.max_minutes) and elapsed > settings.max_minutes * 60
        if (step + 1) % settings.log_every == 0 or step + 1 == steps or out_of_time:
            eta = elapsed / (step + 1) * (steps - step - 1)
            say(
                f"step {step + 1}/{steps}  loss {loss_sum:.4f}  "
                f"lr {scheduler.get_last_lr()[0]:.2e}  elapsed {_clock(elapsed)}  ETA {_clock(eta)}"
            )
        if out_of_time:
            say(f"stopped after {step + 1} of {steps} steps: max_minutes {settings.max_minutes}")
            break
    progress.wall_s = time.perf_counter() - started
    return progress


def _batches(examples: list[Tokenised], size: int, seed: int, epochs: int) -> list[list[Tokenised]]:
    """Each epoch shuffled; examples of like length batched together (less padding)."""
    rng = random.Random(seed)
    out: list[list[Tokenised]] = []
    for _ in range(max(1, epochs)):
        order = examples[:]
        rng.shuffle(order)
        for start in range(0, len(order), size * 8):
            chunk = sorted(order[start : start + size * 8], key=lambda e: len(e.input_ids))
            chunk_batches = [chunk[i : i + size] for i in range(0, len(chunk), size)]
            rng.shuffle(chunk_batches)
            out.extend(chunk_batches)
    return out


def _collate(batch: list[Tokenised], pad_id: int, device: str, torch: Any) -> dict[str, Any]:
    width = max(len(e.input_ids) for e in batch)
    ids = [e.input_ids + [pad_id] * (width - len(e.input_ids)) for e in batch]
    labels = [e.labels + [IGNORE] * (width - len(e.labels)) for e in batch]
    mask = [[1] * len(e.input_ids) + [0] * (width - len(e.input_ids)) for e in batch]
    return {
        "input_ids": torch.tensor(ids, device=device),
        "labels": torch.tensor(labels, device=device),
        "attention_mask": torch.tensor(mask, device=device),
    }


def _device(setting: str, torch: Any) -> str:
    if setting != "auto":
        return setting
    return "cuda" if torch.cuda.is_available() else "cpu"


def _dtype(setting: str, device: str, torch: Any) -> Any:
    if setting != "auto":
        return getattr(torch, setting)
    if device.startswith("cuda") and torch.cuda.is_bf16_supported():
        return torch.bfloat16
    return torch.float32


def _mean(entries: list[dict[str, float]]) -> float:
    return round(sum(e["loss"] for e in entries) / len(entries), 5) if entries else math.nan


def _clock(seconds: float) -> str:
    minutes, secs = divmod(int(seconds), 60)
    return f"{minutes}:{secs:02d}"


def _stderr(line: str) -> None:
    print(line, file=sys.stderr, flush=True)
