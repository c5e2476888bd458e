"""The rungs of the leaderboard: what each model is, which chapter teaches it, and how it is
counted or trained under the one :class:`~.protocol.Protocol`.

Counted rungs (unigram, n-gram) choose their order and smoothing on validation perplexity.
Trained rungs use the chapters' sizes; their peak learning rate (and the MLP's window) is
chosen by short probe runs scored on validation text, then the chosen setting is trained for
the full budget; the test split is read once, at the end.
"""

from __future__ import annotations

import itertools
import math
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from .protocol import Protocol, network_nll, ngram_nll

__all__ = ["RUNGS", "Rung", "build_mlp_lm", "run_rung"]

Log = Callable[[str], None]


@dataclass(frozen=True)
class Rung:
    """One model of the leaderboard. ``grid``: the options chosen on validation, each with its
    candidates (``learning_rate`` is filled in from the protocol for trained rungs)."""

    name: str
    chapter: str
    model: str  # one line: the architecture and its sizes
    kind: str  # "count" or "network"
    grid: dict[str, tuple[Any, ...]] = field(default_factory=dict)
    sizes: dict[str, Any] = field(default_factory=dict)  # the builder's fixed sizes (from the chapter)
    bounds: dict[str, tuple[Any, Any]] = field(default_factory=dict)  # how far a trained rung's grid may grow


def build_mlp_lm(vocab_size: int, window: int, seq_len: int, embed_dim: int = 32, hidden: int = 256) -> Any:
    """A fixed-window MLP language model (Bengio et al. 2003) at every position of a window:
    ids (batch, seq_len) -> logits (batch, seq_len, V). At position t it embeds the ids t, t-1,
    ..., t-window+1 (before the window's start: padding id 0), concatenates the embeddings
    (window * embed_dim), and applies Dense(hidden, tanh) -> Dense(V)."""
    import keras
    from keras import ops

    class LastChars(keras.layers.Layer):
        """ids (batch, T) -> (batch, T, window): column j holds the id j steps back (0 before the start)."""

        def call(self, ids: Any) -> Any:
            padded = ops.pad(ids, [[0, 0], [window - 1, 0]])  # id 0 = padding
            return ops.stack([padded[:, window - 1 - j: window - 1 - j + seq_len] for j in range(window)], axis=-1)

    ids = keras.Input((seq_len,), dtype="int32", name="char_ids")
    x = keras.layers.Embedding(vocab_size, embed_dim, name="embedding")(LastChars(name="last_chars")(ids))
    x = keras.layers.Reshape((seq_len, window * embed_dim), name="concatenate")(x)
    x = keras.layers.Dense(hidden, activation="tanh", name="hidden")(x)
    return keras.Model(ids, keras.layers.Dense(vocab_size, name="logits")(x), name="mlp_lm")


def _network(rung: Rung, vocab_size: int, seq_len: int, options: dict[str, Any]) -> Any:
    """The (uncompiled or builder-compiled) model of a trained rung, with the chapter's sizes."""
    from course_utils.rnn.char_lm import build_char_lm

    s = rung.sizes
    if rung.name == "mlp":
        return build_mlp_lm(vocab_size, options["window"], seq_len, s["embed_dim"], s["hidden"])
    if rung.name in ("simplernn", "lstm", "gru"):
        extra = {"unroll": True} if rung.name == "simplernn" else {}  # as chapter 03 and the reference tier
        cell = {"simplernn": "simple"}.get(rung.name, rung.name)
        return build_char_lm(vocab_size, cell, s["units"], embed_dim=s["embed_dim"], seq_len=seq_len, **extra)
    if rung.name == "mingru":
        from course_utils.linear_rnn.layers import MinGRU

        return build_char_lm(vocab_size, lambda u: MinGRU(u, return_sequences=True, method=s["method"]), s["units"],
                             embed_dim=s["embed_dim"], seq_len=seq_len)
    if rung.name == "cnn":
        from course_utils.convolution import build_conv_lm

        return build_conv_lm(vocab_size, filters=s["filters"], kernel_size=s["kernel_size"],
                             dilations=s["dilations"], embed_dim=s["embed_dim"], seq_len=seq_len)
    if rung.name == "transformer":
        from course_utils.transformer import build_transformer_lm

        return build_transformer_lm(vocab_size, d_model=s["d_model"], num_heads=s["num_heads"], ff_dim=s["ff_dim"],
                                    num_blocks=s["num_blocks"], seq_len=seq_len)
    raise ValueError(f"{rung.name!r} is not a trained rung")


_RNN = {"units": 256, "embed_dim": 32}  # chapters 03, 06 and 14
RUNGS: dict[str, Rung] = {r.name: r for r in (
    Rung("unigram", "03", "character frequencies, add-k", "count", {"k": (0.01, 0.1, 1.0)}),
    Rung("ngram", "03", "character n-gram, add-k", "count",
         {"n": (2, 3, 4, 5, 6, 7), "k": (0.01, 0.03, 0.1, 0.3)}),
    Rung("mlp", "03", "fixed-window MLP: last k characters embedded (32), concatenated -> Dense(256, tanh) -> Dense(V)",
         "network", {"window": (4, 8, 16)}, {"embed_dim": 32, "hidden": 256}, {"window": (2, 32)}),
    Rung("simplernn", "03", "Embedding(32) -> SimpleRNN(256) -> Dense(V)", "network", sizes=_RNN),
    Rung("lstm", "05", "Embedding(32) -> LSTM(256) -> Dense(V)", "network", sizes=_RNN),
    Rung("gru", "06", "Embedding(32) -> GRU(256) -> Dense(V)", "network", sizes=_RNN),
    Rung("cnn", "13", "Embedding(32) -> 4 causal Conv1D(42, width 3, dilations 1, 2, 4, 8; sees 31 characters) -> Dense(V)",
         "network", sizes={"filters": 42, "kernel_size": 3, "dilations": (1, 2, 4, 8), "embed_dim": 32}),
    Rung("transformer", "13", "Embedding + sinusoidal positions (d 32) -> 2 causal blocks (2 heads, feed-forward 96) -> Dense(V)",
         "network", sizes={"d_model": 32, "num_heads": 2, "ff_dim": 96, "num_blocks": 2}),
    Rung("mingru", "14", "Embedding(32) -> minGRU(256) -> Dense(V)", "network", sizes={**_RNN, "method": "sequential"}),
)}


def _choices(grid: dict[str, Iterable[Any]]) -> list[dict[str, Any]]:
    keys = list(grid)
    return [dict(zip(keys, values)) for values in itertools.product(*(grid[k] for k in keys))]


def _train(rung: Rung, data: dict[str, Any], protocol: Protocol, options: dict[str, Any], steps: int) -> tuple[Any, float]:
    """Build, compile and train one model for ``steps`` steps; returns (model, training seconds)."""
    import keras

    from course_utils.rnn.char_lm import char_lm_dataset
    from course_utils.seed import set_seed

    set_seed(protocol.seed)
    model = _network(rung, data["vocab"].size, protocol.seq_len, options)
    rate = keras.optimizers.schedules.CosineDecay(options["learning_rate"], steps, alpha=protocol.final_lr_fraction)
    model.compile(optimizer=keras.optimizers.Adam(rate, clipnorm=protocol.clipnorm),
                  loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True))
    batches = char_lm_dataset(data["ids"]["train"], seq_len=protocol.seq_len, batch_size=protocol.batch_size,
                              seed=protocol.seed).repeat()
    start = time.perf_counter()
    model.fit(batches, epochs=1, steps_per_epoch=steps, verbose=0, shuffle=False)
    return model, time.perf_counter() - start


def _grow(grid: dict[str, list[Any]], best: dict[str, Any], bounds: dict[str, tuple[Any, Any]]) -> bool:
    """Where ``best`` sits at an end of ``grid``, add the next value past that end (twice or half)
    if ``bounds`` allow it; return whether the grid grew."""
    grown = False
    for key, values in grid.items():
        low, high = bounds[key]
        value = best[key]
        half = value // 2 if isinstance(value, int) else value / 2
        if value == max(values) and value * 2 <= high:
            values.append(value * 2)
            grown = True
        elif value == min(values) and low <= half and (not isinstance(value, int) or value % 2 == 0):
            values.insert(0, half)
            grown = True
    return grown


def _select(rung: Rung, data: dict[str, Any], protocol: Protocol, log: Log) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """Probe runs over the rung's grid, grown past an end while the best probe sits there;
    returns (chosen options, every probe with its validation perplexity, sorted by its options)."""
    grid = {"learning_rate": list(protocol.learning_rates), **{k: list(v) for k, v in rung.grid.items()}}
    bounds = {"learning_rate": protocol.learning_rate_bounds, **rung.bounds}
    if all(len(v) == 1 and bounds[k][0] == bounds[k][1] == v[0] for k, v in grid.items()):
        return {k: v[0] for k, v in grid.items()}, []  # nothing to choose
    probe_ids = data["ids"]["validation"][: protocol.probe_val_chars]
    probes: list[dict[str, Any]] = []
    while True:
        done = [{k: p[k] for k in grid} for p in probes]
        for options in (o for o in _choices(grid) if o not in done):
            model, _ = _train(rung, data, protocol, options, protocol.probe_steps)
            probes.append({**options, "val_ppl": round(math.exp(network_nll(model, probe_ids, protocol.seq_len)), 4)})
            log(f"  {rung.name} probe {options}: validation perplexity {probes[-1]['val_ppl']:.3f}")
        best = min(probes, key=lambda p: p["val_ppl"])
        if not _grow(grid, best, bounds):
            return {k: best[k] for k in grid}, sorted(probes, key=lambda p: tuple(p[k] for k in grid))


def _run_network(rung: Rung, data: dict[str, Any], protocol: Protocol, log: Log) -> dict[str, Any]:
    start = time.perf_counter()
    options, probes = _select(rung, data, protocol, log)
    selection = time.perf_counter() - start
    model, seconds = _train(rung, data, protocol, options, protocol.steps)
    log(f"  {rung.name} trained with {options} in {seconds:.0f} s")
    val = network_nll(model, data["ids"]["validation"], protocol.seq_len)
    test = network_nll(model, data["ids"]["test"], protocol.seq_len)  # once, at the end
    return {"params": int(model.count_params()), "train_seconds": seconds, "selection_seconds": selection,
            "val_loss": val, "test_loss": test, "chosen": options, "grid": probes,
            "train_chars_seen": protocol.steps * protocol.chars_per_step}


def _run_count(rung: Rung, data: dict[str, Any], protocol: Protocol, log: Log) -> dict[str, Any]:
    from course_utils.rnn.lm_metrics import CharNGram

    orders = rung.grid.get("n", (1,))
    rows, fit_seconds, best = [], {}, None
    start = time.perf_counter()
    for n in orders:
        t0 = time.perf_counter()
        counted = CharNGram(n).fit(data["text"]["train"])
        fit_seconds[n] = time.perf_counter() - t0
        for k in rung.grid["k"]:
            model = CharNGram(n, k)  # shares the counts: k only changes the smoothing
            model.alphabet, model.counts, model.context_totals = counted.alphabet, counted.counts, counted.context_totals
            val = ngram_nll(model, data["text"]["validation"], protocol.seq_len)
            rows.append({"n": n, "k": k, "val_ppl": round(math.exp(val), 4)})
            log(f"  {rung.name} n={n} k={k}: validation perplexity {rows[-1]['val_ppl']:.3f}")
            if best is None or val < best[1]:
                best = (model, val)
    assert best is not None
    model, val = best
    test = ngram_nll(model, data["text"]["test"], protocol.seq_len)  # once, at the end
    return {"params": model.stored_counts, "train_seconds": fit_seconds[model.n],
            "selection_seconds": time.perf_counter() - start, "val_loss": val, "test_loss": test,
            "chosen": {"n": model.n, "k": model.k}, "grid": rows, "train_chars_seen": len(data["text"]["train"])}


def run_rung(name: str, protocol: Protocol, data: dict[str, Any], log: Log = print) -> dict[str, Any]:
    """Count or train rung ``name`` under ``protocol`` on ``data`` (:func:`~.protocol.leaderboard_data`)
    and return its leaderboard record (without the machine and date, which the caller adds)."""
    if name not in RUNGS:
        raise ValueError(f"unknown rung {name!r}; choose from {', '.join(RUNGS)}")
    rung = RUNGS[name]
    log(f"{name} (chapter {rung.chapter}): {rung.model}")
    out = (_run_count if rung.kind == "count" else _run_network)(rung, data, protocol, log)
    return {"rung": name, "chapter": rung.chapter, "model": rung.model, "params": out["params"],
            "train_minutes": round(out["train_seconds"] / 60, 2), "selection_minutes": round(out["selection_seconds"] / 60, 2),
            "val_ppl": round(math.exp(out["val_loss"]), 3), "test_ppl": round(math.exp(out["test_loss"]), 3),
            "settings": {"chosen": out["chosen"], "grid": out["grid"], "sizes": _jsonable(rung.sizes),
                         "train_chars_seen": out["train_chars_seen"]}}


def _jsonable(sizes: dict[str, Any]) -> dict[str, Any]:
    return {k: list(v) if isinstance(v, tuple) else v for k, v in sizes.items()}
