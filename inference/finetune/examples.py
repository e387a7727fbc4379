"""Training examples from `socialcare dataset` JSON lines: the chat rendered with the model's own
chat template, the prompt (system and user turns, and the generation prompt) masked out of the
labels, so the loss falls on the assistant's tokens alone."""

from __future__ import annotations

import json
import random
from dataclasses import dataclass
from typing import Any

from inference.finetune.recipe import DatasetSettings

IGNORE = -100  # the label transformers' loss skips


class ExampleError(ValueError):
    """A line of the dataset cannot be trained on; the message names the file and line."""


@dataclass(frozen=True)
class Tokenised:
    input_ids: list[int]
    labels: list[int]  # IGNORE on the prompt's tokens


@dataclass(frozen=True)
class Selection:
    examples: list[Tokenised]
    read: int  # lines matching the recipe's tasks and sources
    too_long: int  # left out: longer than max_length


def read_chats(settings: DatasetSettings, seed: int) -> tuple[list[list[dict[str, str]]], int]:
    """The chats the recipe asks for (a seeded sample when max_examples is set), and how many
    lines matched before sampling."""
    chats = []
    with settings.path.open(encoding="utf-8") as handle:
        for number, line in enumerate(handle, start=1):
            if not line.strip():
                continue
            try:
                row = json.loads(line)
                messages = row["messages"]
            except (json.JSONDecodeError, KeyError, TypeError) as error:
                raise ExampleError(f"{settings.path}: line {number}: {error}") from error
            if row.get("task") not in settings.tasks:
                continue
            if settings.sources and row.get("source") not in settings.sources:
                continue
            if not messages or messages[-1].get("role") != "assistant":
                raise ExampleError(f"{settings.path}: line {number}: no assistant turn at the end")
            chats.append(messages)
    matched = len(chats)
    random.Random(seed).shuffle(chats)
    if settings.max_examples:
        chats = chats[: settings.max_examples]
    return chats, matched


def tokenise(messages: list[dict[str, str]], tokenizer: Any) -> Tokenised:
    prompt = tokenizer.apply_chat_template(
        messages[:-1], add_generation_prompt=True, tokenize=False
    )
    full = tokenizer.apply_chat_template(messages, tokenize=False)
    if not full.startswith(prompt):
        raise ExampleError(
            "the chat template does not render the conversation as the prompt followed by the "
            "answer; it cannot mask the prompt"
        )
    prompt_ids = tokenizer(prompt, add_special_tokens=False)["input_ids"]
    answer_ids = tokenizer(full[len(prompt) :], add_special_tokens=False)["input_ids"]
    return Tokenised(prompt_ids + answer_ids, [IGNORE] * len(prompt_ids) + answer_ids)


def select(settings: DatasetSettings, tokenizer: Any, max_length: int, seed: int) -> Selection:
    chats, matched = read_chats(settings, seed)
    examples = [tokenise(chat, tokenizer) for chat in chats]
    kept = [e for e in examples if len(e.input_ids) <= max_length]
    return Selection(kept, matched, len(examples) - len(kept))
