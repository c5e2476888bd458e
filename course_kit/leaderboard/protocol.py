"""The leaderboard's one protocol: the budget every trainable rung gets, the data, and the
evaluation windows that every rung, counted or trained, is scored on.

Evaluation: the split's ids (N,) are read in windows of ``seq_len`` characters that start every
``seq_len // 2`` characters; each window scores only its last ``seq_len // 2`` predictions, so
every character from position ``seq_len // 2 + 1`` on is scored exactly once, predicted from
between ``seq_len // 2 + 1`` and ``seq_len`` characters before it and nothing earlier (a final
window aligned to the end of the split scores what the regular ones leave). A network reads
only its window; an n-gram's context (n - 1 characters) always lies inside it, so counted and
trained rungs are scored on the same characters with the same text before them.
Perplexity = exp(mean natural-log cross-entropy per scored character).
"""

from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass
from typing import Any

import numpy as np

__all__ = ["DEFAULT_STEPS", "Protocol", "eval_windows", "leaderboard_data", "network_nll", "ngram_nll"]

DEFAULT_STEPS = 500
"""The budget: optimiser steps of ``batch_size`` x ``seq_len`` = 12,800 characters, so 6.4 M training
characters per trained rung (about 1.6 passes over the training split). On 2 cores the seven trained rungs
took 9 minutes for it together in the stored run (``train_minutes`` in results/leaderboard.json)."""


@dataclass(frozen=True)
class Protocol:
    """What every rung shares. ``steps`` optimiser steps of ``batch_size`` windows of ``seq_len``
    characters (the reference tier's batch and window), shuffled windows of the training split
    (seeded), Adam with gradient clipping at ``clipnorm`` and a cosine decay of the learning
    rate from its peak to ``final_lr_fraction`` of it over the steps (as the reference tier).
    The peak learning rate (and any rung's other option) is chosen from its grid by probe runs
    of ``probe_fraction`` of the steps, scored on the first ``probe_val_chars`` validation
    characters; the grid starts at ``learning_rates`` and, while the best probe sits at one end
    of it, grows by the next rate past that end (twice or half) within ``learning_rate_bounds``.
    ``train_chars`` / ``eval_chars`` cut the splits (None: whole; quick trials only)."""

    steps: int = DEFAULT_STEPS
    batch_size: int = 128
    seq_len: int = 100
    learning_rates: tuple[float, ...] = (2e-3, 4e-3, 8e-3)
    learning_rate_bounds: tuple[float, float] = (5e-4, 3.2e-2)
    final_lr_fraction: float = 0.1
    clipnorm: float = 1.0
    seed: int = 1234
    probe_fraction: float = 0.25
    probe_val_chars: int = 100_000
    train_chars: int | None = None
    eval_chars: int | None = None

    def __post_init__(self) -> None:
        for name in ("steps", "batch_size", "seq_len", "probe_val_chars"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int) or value < 1:
                raise ValueError(f"{name} must be a positive int, got {value!r}")
        if self.seq_len < 2:
            raise ValueError(f"seq_len must be at least 2 (half of each window is context), got {self.seq_len}")
        if not self.learning_rates or any(not 0 < r < 1 for r in self.learning_rates):
            raise ValueError(f"learning_rates must be a non-empty tuple of rates in (0, 1), got {self.learning_rates!r}")
        low, high = self.learning_rate_bounds
        if not low <= min(self.learning_rates) <= max(self.learning_rates) <= high:
            raise ValueError(f"learning_rate_bounds {self.learning_rate_bounds!r} must hold every starting rate "
                             f"{self.learning_rates!r}")
        if not 0 < self.probe_fraction <= 1:
            raise ValueError(f"probe_fraction must be in (0, 1], got {self.probe_fraction!r}")

    @property
    def chars_per_step(self) -> int:
        return self.batch_size * self.seq_len

    @property
    def probe_steps(self) -> int:
        return max(1, round(self.steps * self.probe_fraction))

    @property
    def stride(self) -> int:
        """How far apart evaluation windows start, and how many predictions each scores."""
        return self.seq_len // 2

    @property
    def min_context(self) -> int:
        """The fewest characters any scored prediction is made from (its window's before it)."""
        return self.seq_len - self.stride + 1

    def as_dict(self) -> dict[str, Any]:
        out = dataclasses.asdict(self)
        out["learning_rates"] = list(self.learning_rates)
        out["learning_rate_bounds"] = list(self.learning_rate_bounds)
        return out

    @classmethod
    def from_dict(cls, settings: dict[str, Any]) -> Protocol:
        return cls(**{**settings, "learning_rates": tuple(settings["learning_rates"]),
                      "learning_rate_bounds": tuple(settings["learning_rate_bounds"])})


def eval_windows(n: int, seq_len: int) -> tuple[np.ndarray, np.ndarray]:
    """The evaluation windows of ids (n,): ``starts`` (W,) and ``scored`` (W, seq_len) bool, where
    ``scored[w, k]`` says whether window w's prediction of ``ids[starts[w] + k + 1]`` counts. Every
    position from ``seq_len - seq_len // 2 + 1`` to ``n - 1`` is scored once."""
    stride = seq_len // 2
    if n - 1 < seq_len:
        raise ValueError(f"{n} characters are too few for one evaluation window of {seq_len} + 1; use more text")
    starts = list(range(0, n - 1 - seq_len + 1, stride))
    scored = np.zeros((len(starts), seq_len), bool)
    scored[:, seq_len - stride:] = True
    last = starts[-1] + seq_len  # the last position scored so far
    if last < n - 1:  # the tail: one more window, aligned to the end, scores what is left
        start = n - 1 - seq_len
        tail = np.zeros((1, seq_len), bool)
        tail[0, last - start:] = True  # offset k predicts position start + k + 1 > last
        starts.append(start)
        scored = np.concatenate([scored, tail])
    return np.asarray(starts), scored


def network_nll(model: Any, ids: np.ndarray, seq_len: int, batch_size: int = 256) -> float:
    """Mean cross-entropy (nats per scored character) of a Keras language model (ids (B, T) ->
    logits (B, T, V)) on ``ids``, read in :func:`eval_windows`, each window from scratch."""
    import keras
    import tensorflow as tf

    from course_utils.training import compile_once

    ids = np.asarray(ids, np.int32)
    starts, scored = eval_windows(len(ids), seq_len)
    positions = starts[:, None] + np.arange(seq_len)  # (W, seq_len)
    x, y = ids[positions], ids[positions + 1]
    loss_fn = keras.losses.SparseCategoricalCrossentropy(from_logits=True, reduction=None)
    spec = tf.TensorSpec((None, seq_len), tf.int32)
    nll = compile_once(lambda xb, yb: loss_fn(yb, model(xb, training=False)), [spec, spec])  # (B, T) nats
    total = 0.0
    for i in range(0, len(x), batch_size):
        total += float(np.sum(np.asarray(nll(x[i: i + batch_size], y[i: i + batch_size]), np.float64)
                              * scored[i: i + batch_size]))
    return total / int(scored.sum())


def ngram_nll(model: Any, text: str, seq_len: int) -> float:
    """Mean -ln q(c_j | the n-1 characters before it) of a fitted ``CharNGram`` over the positions j
    that :func:`eval_windows` scores (the same characters as :func:`network_nll`)."""
    n_ctx = model.n - 1
    first = seq_len - seq_len // 2 + 1
    if n_ctx > first:
        raise ValueError(f"an n-gram of order {model.n} needs more context than the {first} characters "
                         f"every scored position is guaranteed; use n <= {first + 1} or longer windows")
    if len(text) - 1 < seq_len:
        raise ValueError(f"{len(text)} characters are too few for one evaluation window of {seq_len} + 1")
    k, V = model.k, model.vocab_size
    counts, totals = model.counts, model.context_totals
    total = 0.0
    for j in range(first, len(text)):
        ctx = text[j - n_ctx: j]
        counter = counts.get(ctx)
        count = counter.get(text[j], 0) if counter is not None else 0
        total -= math.log((count + k) / (totals.get(ctx, 0) + k * V))
    return total / (len(text) - first)


def leaderboard_data(protocol: Protocol) -> dict[str, Any]:
    """Shakespeare's splits as text and ids (the vocabulary of the training text used), cut as
    ``protocol`` says, and how many validation/test characters are unseen in training."""
    from course_utils.data import load_shakespeare
    from course_utils.rnn.char_lm import CharVocab

    shakespeare = load_shakespeare()
    text = {"train": shakespeare.train[: protocol.train_chars],
            "validation": shakespeare.validation[: protocol.eval_chars],
            "test": shakespeare.test[: protocol.eval_chars]}
    vocab = CharVocab.from_text(text["train"])
    ids = {split: vocab.encode(t) for split, t in text.items()}
    return {"vocab": vocab, "text": text, "ids": ids, "sha256": shakespeare.sha256,
            "chars": {split: len(t) for split, t in text.items()},
            "unseen": {split: int((ids[split] == CharVocab.UNK_ID).sum()) for split in ("validation", "test")}}
