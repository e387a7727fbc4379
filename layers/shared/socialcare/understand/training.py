"""Training the intent model: multinomial logistic regression over `features.features`, in numpy.

numpy is a development dependency only: the worker reads the trained file with the standard
library (see `intents.IntentModel`). Training is deterministic for a given seed and data.
"""

from __future__ import annotations

from array import array
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

from socialcare.understand.datasets import Example
from socialcare.understand.features import features
from socialcare.understand.intents import OTHER, IntentModel


@dataclass(frozen=True, slots=True)
class TrainingSettings:
    epochs: int = 30
    batch_size: int = 64
    learning_rate: float = 0.05
    l2: float = 1e-5
    min_count: int = 2  # features seen fewer times are left out of the model
    min_confidence: float = 0.3  # below this, the model answers `other`
    seed: int = 13


Progress = Callable[[int, int, float], None]  # epoch, epochs, mean loss

# Real messages open and close with pleasantries; without these the model would learn that "hi"
# means `other` and send "hi, where is my order?" there.
_OPENINGS = ("hi, ", "hello ", "hey ", "good morning, ", "你好,", "您好,", "在吗?", "亲,", "hi ")
_CLOSINGS = (" thanks", " thank you!", " please", " 谢谢", "，谢谢", " 急", "?")


def with_pleasantries(examples: Sequence[Example], share: float, seed: int) -> list[Example]:
    """`examples` plus, for a seeded `share` of the in-scope ones, a copy wrapped in a greeting
    or a thank-you."""
    rng = np.random.default_rng(seed)
    extra = []
    for example in examples:
        if example.intent != OTHER and rng.random() < share:
            opening = _OPENINGS[rng.integers(len(_OPENINGS))] if rng.random() < 0.7 else ""
            closing = _CLOSINGS[rng.integers(len(_CLOSINGS))] if not opening else ""
            extra.append(Example(f"{opening}{example.text}{closing}", example.intent))
    return [*examples, *extra]


def train(
    examples: Sequence[Example], settings: TrainingSettings, progress: Progress | None = None
) -> IntentModel:
    labels = sorted({e.intent for e in examples})
    label_index = {label: i for i, label in enumerate(labels)}
    bags = [features(e.text) for e in examples]
    counts = Counter(f for bag in bags for f in bag)
    vocabulary = sorted(f for f, n in counts.items() if n >= settings.min_count)
    index = {f: i for i, f in enumerate(vocabulary)}
    rows = [np.array(sorted(index[f] for f in bag if f in index), dtype=np.int64) for bag in bags]
    y = np.array([label_index[e.intent] for e in examples])

    rng = np.random.default_rng(settings.seed)
    weights = np.zeros((len(vocabulary), len(labels)))
    bias = np.zeros(len(labels))
    adam = _Adam(weights.shape, settings.learning_rate)
    adam_bias = _Adam(bias.shape, settings.learning_rate)
    for epoch in range(settings.epochs):
        order = rng.permutation(len(examples))
        losses = []
        for start in range(0, len(order), settings.batch_size):
            batch = order[start : start + settings.batch_size]
            ids, owner, value = _sparse(batch, rows)
            logits = np.zeros((len(batch), len(labels)))
            np.add.at(logits, owner, weights[ids] * value[:, None])
            logits += bias
            logits -= logits.max(axis=1, keepdims=True)
            probabilities = np.exp(logits)
            probabilities /= probabilities.sum(axis=1, keepdims=True)
            truth = y[batch]
            losses.append(-np.log(probabilities[np.arange(len(batch)), truth] + 1e-12).mean())
            delta = probabilities
            delta[np.arange(len(batch)), truth] -= 1.0
            delta /= len(batch)
            grad = np.zeros_like(weights)
            np.add.at(grad, ids, delta[owner] * value[:, None])
            touched = np.unique(ids)
            grad[touched] += settings.l2 * weights[touched]
            weights -= adam.step(grad)
            bias -= adam_bias.step(delta.sum(axis=0))
        if progress:
            progress(epoch + 1, settings.epochs, float(np.mean(losses)))
    return _quantised(labels, vocabulary, weights, bias, settings.min_confidence)


def _sparse(batch: np.ndarray, rows: list[np.ndarray]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The batch's features as (feature id, sample within batch, value): binary features scaled
    to unit length, as `IntentModel.probabilities` scales them."""
    ids = [rows[i] for i in batch]
    owner = np.concatenate([np.full(len(r), k) for k, r in enumerate(ids)])
    value = np.concatenate([np.full(len(r), 1.0 / np.sqrt(max(len(r), 1))) for r in ids])
    return np.concatenate(ids), owner.astype(np.int64), value


class _Adam:
    def __init__(self, shape: tuple[int, ...], rate: float) -> None:
        self.m = np.zeros(shape)
        self.v = np.zeros(shape)
        self.t = 0
        self.rate = rate

    def step(self, grad: np.ndarray) -> np.ndarray:
        self.t += 1
        self.m = 0.9 * self.m + 0.1 * grad
        self.v = 0.999 * self.v + 0.001 * grad * grad
        m_hat = self.m / (1 - 0.9**self.t)
        v_hat = self.v / (1 - 0.999**self.t)
        result: np.ndarray = self.rate * m_hat / (np.sqrt(v_hat) + 1e-8)
        return result


def _quantised(
    labels: list[str],
    vocabulary: list[str],
    weights: np.ndarray,
    bias: np.ndarray,
    min_confidence: float,
) -> IntentModel:
    """int8 weights with one scale per intent: a quarter of float32's size, the same answers."""
    scales = np.abs(weights).max(axis=0) / 127.0
    scales[scales == 0] = 1.0
    quantised = np.clip(np.rint(weights / scales), -127, 127).astype(np.int8)
    packed = array("b")
    packed.frombytes(quantised.tobytes())
    return IntentModel(
        labels,
        vocabulary,
        packed,
        scales=[float(s) for s in scales],
        bias=[float(b) for b in bias],
        min_confidence=min_confidence,
    )
