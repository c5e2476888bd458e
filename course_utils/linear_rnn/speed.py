"""Training speed against sequence length, and the depth of a scan against a loop's.

:func:`seconds_per_epoch` times a few training steps of a character language model
(:func:`course_utils.rnn.char_lm.build_char_lm`) at each sequence length, with the same
number of tokens in every step (so the batch shrinks as the sequences grow), and scales the
mean step time to an epoch of ``epoch_tokens`` tokens. What it measures is speed only: the
ids are random.
"""

from __future__ import annotations

import math
import time
from collections.abc import Sequence
from typing import Any

import numpy as np

from ..cell_kinds import CellSpec
from ..plots import axes_or_new
from ..validate import positive_int

__all__ = ["count_combine_rounds", "plot_depth", "plot_speed", "seconds_per_epoch"]


def seconds_per_epoch(cell: CellSpec, units: int, seq_lens: Sequence[int], tokens_per_step: int = 8192,
                      epoch_tokens: int = 600_000, steps: int = 2, vocab_size: int = 64, seed: int = 0) -> Any:
    """Time ``steps`` training steps (after one untimed step that traces the graph) of
    ``build_char_lm(vocab_size, cell, units, seq_len=T)`` for each T in ``seq_lens``, on batches
    of ``tokens_per_step // T`` random sequences. ``cell``: "simple", "lstm", "gru" or a factory
    ``units -> layer`` (with ``return_sequences=True``). Returns a DataFrame, one row per T:
    seq_len, batch, s/step (mean), s/epoch (s/step scaled to ``epoch_tokens`` tokens)."""
    import pandas as pd
    import tensorflow as tf

    from ..rnn.char_lm import build_char_lm
    from ..training import build_before_fit, no_retracing_warning

    positive_int("tokens_per_step", tokens_per_step)
    positive_int("epoch_tokens", epoch_tokens)
    positive_int("steps", steps)
    if not seq_lens:
        raise ValueError("seq_lens is empty; pass the lengths to time, e.g. [64, 256, 1024, 4096]")
    rows = []
    rng = np.random.default_rng(seed)
    for T in seq_lens:
        positive_int("each sequence length", T)
        batch = tokens_per_step // T
        if batch < 1:
            raise ValueError(f"tokens_per_step={tokens_per_step} is less than one sequence of length {T}; "
                             "raise tokens_per_step to at least the longest length")
        model = build_char_lm(vocab_size, cell, units, seq_len=T)
        x = rng.integers(0, vocab_size, size=(batch, T)).astype("int32")
        y = rng.integers(0, vocab_size, size=(batch, T)).astype("int32")
        build_before_fit(model, tf.data.Dataset.from_tensors((x, y)))  # so the next line traces once, not twice
        with no_retracing_warning():  # one new model per length: one trace each, by design
            model.train_on_batch(x, y)  # traces the training step; not timed
        t0 = time.perf_counter()
        for _ in range(steps):
            model.train_on_batch(x, y)
        per_step = (time.perf_counter() - t0) / steps
        rows.append({"seq_len": T, "batch": batch, "s/step": per_step,
                     "s/epoch": per_step * epoch_tokens / (batch * T)})
    return pd.DataFrame(rows)


def count_combine_rounds(T: int) -> int:
    """How many times ``keras.ops.associative_scan`` calls its operator to scan T elements
    (each call combines a whole level of pairs at once, so this is the scan's depth in rounds)."""
    from keras import ops

    positive_int("T", T)
    calls = [0]

    def add(x: Any, y: Any) -> Any:
        calls[0] += 1
        return x + y

    ops.associative_scan(add, np.ones((T,), dtype="float32"), axis=0)
    return calls[0]


def plot_speed(tables: dict[str, Any], ax: Any = None, column: str = "s/epoch") -> tuple[Any, Any]:
    """One line per model (name -> DataFrame from :func:`seconds_per_epoch`): ``column``
    against sequence length, both axes logarithmic. Returns (fig, ax)."""
    if not tables:
        raise ValueError("tables is empty; pass {'model name': seconds_per_epoch(...)}")
    fig, ax = axes_or_new(ax, (6, 3.5))
    for name, table in tables.items():
        if "seq_len" not in table or column not in table:
            raise ValueError(f"tables[{name!r}] needs the columns 'seq_len' and {column!r}, as seconds_per_epoch() returns")
        ax.plot(table["seq_len"], table[column], marker="o", label=name)
    ax.set(xscale="log", yscale="log", xlabel="sequence length T", ylabel=column)
    ax.set_xticks(list(next(iter(tables.values()))["seq_len"]))
    ax.set_xticklabels([str(t) for t in next(iter(tables.values()))["seq_len"]])
    ax.legend()
    return fig, ax


def plot_depth(seq_lens: Sequence[int], rounds: Sequence[int] | None = None, ax: Any = None) -> tuple[Any, Any]:
    """Sequential steps (T) against log2 T, and optionally the measured ``rounds`` of a scan
    (:func:`count_combine_rounds`), on logarithmic axes. Returns (fig, ax)."""
    if not seq_lens:
        raise ValueError("seq_lens is empty")
    T = np.asarray(seq_lens, dtype="float64")
    fig, ax = axes_or_new(ax, (6, 3.5))
    ax.plot(T, T, marker="o", label="loop: T dependent steps")
    ax.plot(T, [math.log2(t) for t in T], marker="o", label="log2 T")
    if rounds is not None:
        if len(rounds) != len(seq_lens):
            raise ValueError(f"rounds has {len(rounds)} entries for {len(seq_lens)} lengths; give one per length")
        ax.plot(T, rounds, marker="s", ls="--", label="associative_scan: rounds of combine (measured)")
    ax.set(xscale="log", yscale="log", xlabel="sequence length T", ylabel="steps one after another")
    ax.legend()
    return fig, ax
