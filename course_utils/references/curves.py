"""The Shakespeare reference models compared: learning curves, a table, the crossover, a plot.

Everything here reads the sidecars (and evaluates models only when the caller passes them).
pandas and matplotlib are imported inside the functions that return a frame or draw, so that
importing :mod:`course_utils.references` stays cheap.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ..rnn.lm_metrics import perplexity
from .catalog import CHAR_TIERS, sidecar
from .characters import char_data, slice_loss

__all__ = ["char_crossover", "char_curves", "char_table", "plot_char_curves"]


def _tier(tier: str) -> dict[str, str]:
    if tier not in CHAR_TIERS:
        raise ValueError(f"tier must be one of {', '.join(CHAR_TIERS)}, got {tier!r}")
    return CHAR_TIERS[tier]


def char_curves(tier: str = "cpu") -> Any:
    """The three Shakespeare reference models' learning curves from their sidecars, one row per
    measurement: model, minutes and characters of training, the training loss of the last batch
    (nats/char), validation and test perplexity (on the curve's slices, state carried).
    ``tier``: "cpu" (2 cores, TensorFlow, 15 min), "gpu" (one GPU, JAX, 1.5 min) or "gpu_short"
    (the same GPU, 30 s)."""
    import pandas as pd

    rows = []
    for name, kind in _tier(tier).items():
        for i, point in enumerate(sidecar(name)["curve"]):
            rows.append({"model": kind, "point": i, "minutes": point["seconds"] / 60, "train_chars": point["tokens"],
                         "train_loss": point["loss"], "val_ppl": point["val_ppl"], "test_ppl": point["test_ppl"]})
    return pd.DataFrame(rows)


def char_crossover(curves: Any, by: str = "minutes") -> dict[str, float | int | None]:
    """For each gated model in ``curves``, the first point (in ``by``: "minutes" or "train_chars")
    from which its test perplexity stays below the SimpleRNN's at every later measurement; ``None``
    if it is not below at its last one. The SimpleRNN's perplexity is interpolated (in log) at the gated model's
    x values; points outside the SimpleRNN's curve are not compared. Minutes are rounded to 2 decimals,
    characters are whole numbers."""
    if by not in ("minutes", "train_chars"):
        raise ValueError(f"by must be 'minutes' or 'train_chars', got {by!r}")
    base = curves[curves["model"] == "SimpleRNN"]
    out: dict[str, float | int | None] = {}
    for kind in [k for k in ("LSTM", "GRU") if k in set(curves["model"])]:
        sub = curves[(curves["model"] == kind) & curves[by].between(base[by].min(), base[by].max())]
        x = sub[by].to_numpy(dtype=float)
        base_ppl = np.exp(np.interp(x, base[by].to_numpy(dtype=float), np.log(base["test_ppl"].to_numpy())))
        ahead = sub["test_ppl"].to_numpy() < base_ppl
        behind = np.flatnonzero(~ahead)
        first = 0 if behind.size == 0 else int(behind[-1]) + 1
        out[kind] = None if first >= len(x) else (round(float(x[first]), 2) if by == "minutes" else int(x[first]))
    return out


def char_table(models: dict[str, Any] | None = None, tier: str = "cpu") -> Any:
    """One row per Shakespeare reference model of ``tier``: parameters, training minutes, epochs,
    characters read per second of training, and the sidecar's whole-split validation and test
    perplexity (state carried across windows). With ``models`` (kind -> loaded model, some or all) it adds, for those models, the test
    perplexity on the curve's slice evaluated now, on this machine, next to the sidecar's."""
    import pandas as pd

    rows, data = [], None
    for name, kind in _tier(tier).items():
        meta = sidecar(name)
        row = {"model": kind, "parameters": meta["parameters"], "minutes": meta["train_seconds"] / 60,
               "epochs": meta["epochs"], "chars/s": int(round(meta["train_tokens"] / meta["train_seconds"], -3)),
               "val ppl": meta["validation"]["val_ppl"], "test ppl": meta["test"]["test_ppl"]}
        if models and kind in models:
            data = data or char_data(meta["settings"], splits=("test",))
            row["slice test ppl (sidecar)"] = meta["test"]["test_slice_ppl"]
            row["slice test ppl (now)"] = perplexity(slice_loss(models[kind], data["test"], meta["settings"]))
        rows.append(row)
    return pd.DataFrame(rows).set_index("model")


def plot_char_curves(curves: Any, axes: Any = None, models: tuple[str, ...] = ("SimpleRNN", "LSTM", "GRU"),
                     where: str = "2 CPU cores") -> Any:
    """Test perplexity of the Shakespeare reference models against training minutes on ``where``
    (left) and against training characters read (right), one line per model. Returns the two axes."""
    import matplotlib.pyplot as plt
    from matplotlib import ticker

    if axes is None:
        _, axes = plt.subplots(1, 2, figsize=(13, 3.8), sharey=True)
    for ax, (column, scale, label) in zip(axes, [("minutes", 1.0, f"training minutes ({where})"),
                                                 ("train_chars", 1e6, "training characters read (millions)")]):
        for kind in models:
            sub = curves[curves["model"] == kind]
            ax.plot(sub[column] / scale, sub["test_ppl"], marker="o", ms=3, label=kind)
        ax.set(xlabel=label, yscale="log")
        ax.set_yticks([t for t in (3.5, 4, 4.5, 5, 6, 8, 10, 15, 20, 30)
                       if curves["test_ppl"].min() * 0.97 <= t <= curves["test_ppl"].max() * 1.03])
        ax.yaxis.set_major_formatter(ticker.ScalarFormatter())
        ax.yaxis.set_minor_formatter(ticker.NullFormatter())
        ax.grid(alpha=0.3, which="both")
    axes[0].set(ylabel="test perplexity (state carried)", title="at equal training time")
    axes[1].set(title="at equal characters read")
    axes[0].legend()
    return axes
