"""Plots the chapters share: training curves, gradient norms against distance, accuracy
against lag. Each function draws on ``ax`` (or a new figure) and returns ``(fig, ax)``."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from .validate import int_in_range

__all__ = ["axes_or_new", "plot_accuracy_vs_lag", "plot_gradient_norms", "plot_text_activity", "plot_training_curves",
           "smooth"]


def axes_or_new(ax: Any, figsize: tuple[float, float]) -> tuple[Any, Any]:
    """``(ax.figure, ax)`` for a given matplotlib Axes, or a new figure of ``figsize`` inches
    and its one Axes when ``ax`` is None: how every ``plot_*`` function of the library starts."""
    import matplotlib.pyplot as plt

    if ax is None:
        fig, ax = plt.subplots(figsize=figsize)
        return fig, ax
    return ax.figure, ax


def smooth(values: Sequence[float] | np.ndarray, window: int) -> np.ndarray:
    """Running mean over ``window`` points (valid part only): (N,) -> (N - window + 1,)."""
    values = np.asarray(values, dtype="float64")
    if values.ndim != 1 or values.size == 0:
        raise ValueError(f"smooth() needs a non-empty 1-D sequence, got shape {values.shape}")
    int_in_range("window", window, 1, high=values.size, numpy_ints=False)
    return np.convolve(values, np.ones(window) / window, mode="valid")


def _history_curves(histories: Any, metric: str) -> list[tuple[str, Any, dict[str, Any]]]:
    """name -> Keras history dict  ->  [(label, values, line style)]: ``metric`` solid and
    ``val_<metric>`` dashed, one colour per model."""
    if not isinstance(histories, Mapping) or not histories:
        raise ValueError("with metric=..., curves must be a non-empty dict: model name -> Keras history dict")
    lines = []
    for i, (name, history) in enumerate(histories.items()):
        history = history.history if hasattr(history, "history") else history
        if not isinstance(history, Mapping) or metric not in history:
            raise ValueError(f"curves[{name!r}] must be a Keras history dict with a {metric!r} entry")
        lines.append((f"{name} train", history[metric], {"color": f"C{i}"}))
        if f"val_{metric}" in history:
            lines.append((f"{name} validation", history[f"val_{metric}"], {"color": f"C{i}", "ls": "--"}))
    return lines


def plot_training_curves(curves: Any, ax: Any = None, smooth_window: int = 1, xlabel: str = "epoch",
                         ylabel: str | None = None, title: str = "", logy: bool = False,
                         metric: str | None = None) -> tuple[Any, Any]:
    """Plot one or more curves. ``curves`` is a Keras ``History``, a dict name -> values,
    or a plain sequence of values. ``smooth_window`` > 1 draws a running mean.

    With ``metric`` (e.g. ``"loss"``), ``curves`` is a dict model name -> Keras history dict,
    and each model gets one colour: ``metric`` solid (train) and ``val_<metric>`` dashed
    (validation). ``ylabel`` defaults to ``metric``, else ``"loss"``."""
    ylabel = ylabel if ylabel is not None else (metric or "loss")
    if metric is not None:
        lines = _history_curves(curves, metric)
    else:
        if hasattr(curves, "history") and isinstance(curves.history, dict):
            curves = curves.history
        if not isinstance(curves, Mapping):
            curves = {ylabel: curves}
        if not curves:
            raise ValueError("no curves to plot: pass a History, a dict of lists, or a list of numbers")
        lines = [(str(name), values, {}) for name, values in curves.items()]
    fig, ax = axes_or_new(ax, (6, 3))
    for name, values, style in lines:
        values = np.asarray(values, dtype="float64")
        if values.ndim != 1 or values.size == 0:
            raise ValueError(f"curve {name!r} must be a non-empty 1-D sequence, got shape {values.shape}")
        w = min(smooth_window, values.size)
        y = smooth(values, w)
        x = np.arange(w - 1, values.size) + (1 if xlabel == "epoch" else 0)
        ax.plot(x, y, label=name, **style)
    ax.set(xlabel=xlabel, ylabel=ylabel, title=title)
    if logy:
        ax.set_yscale("log")
    ax.legend()
    ax.grid(alpha=0.3)
    return fig, ax


def plot_gradient_norms(norms: Mapping[str, Sequence[float] | np.ndarray], ax: Any = None, title: str = "",
                        logy: bool = True, ylabel: str = r"$\|\partial L / \partial h_t\|$") -> tuple[Any, Any]:
    """``norms``: label -> ||dL/dh_t|| indexed by distance from the loss (entry 0 = the last step).
    Pass ``ylabel`` when the curves are something else, e.g. ratios to the norm at the last step."""
    if not isinstance(norms, Mapping) or not norms:
        raise ValueError("norms must be a non-empty dict: label -> array of gradient norms by distance")
    fig, ax = axes_or_new(ax, (6, 3.5))
    for label, values in norms.items():
        values = np.asarray(values, dtype="float64")
        if values.ndim != 1:
            raise ValueError(f"norms[{label!r}] must be 1-D (distance,), got shape {values.shape}")
        ax.plot(np.arange(values.size), np.maximum(values, 1e-300), label=str(label))
    ax.set(xlabel="distance from the loss (steps back, T - t)", ylabel=ylabel, title=title)
    if logy:
        ax.set_yscale("log")
    ax.legend(fontsize=8)
    ax.grid(alpha=0.3)
    return fig, ax


def plot_accuracy_vs_lag(table: Any, ax: Any = None, title: str = "Memory over a lag") -> tuple[Any, Any]:
    """One line per model from a table with columns ``model``, ``lag``, ``accuracy``
    and ``chance`` (as :func:`course_utils.rnn.recall_task.accuracy_vs_lag` returns)."""
    import pandas as pd

    table = pd.DataFrame(table)
    missing = {"model", "lag", "accuracy", "chance"} - set(table.columns)
    if missing or table.empty:
        raise ValueError(f"table needs rows with columns model, lag, accuracy, chance; missing {sorted(missing)}")
    fig, ax = axes_or_new(ax, (6, 3.5))
    for name, rows in table.groupby("model", sort=False):
        rows = rows.sort_values("lag")
        ax.plot(rows["lag"], 100 * rows["accuracy"], marker="o", label=str(name))
    ax.axhline(100 * table["chance"].iloc[0], color="grey", ls="--", label="chance")
    ax.set(xlabel="lag (steps between the symbol and the question)", ylabel="test accuracy (%)",
           title=title, ylim=(0, 105))
    ax.set_xscale("log")
    lags = sorted(table["lag"].unique())
    ax.set_xticks(lags, [str(x) for x in lags])
    ax.legend()
    ax.grid(alpha=0.3)
    return fig, ax


def plot_text_activity(text: str, values: Sequence[float] | np.ndarray, width: int = 64, title: str = "",
                       ax: Any = None) -> tuple[Any, Any]:
    """Draw ``text`` in a fixed-width grid, ``width`` characters a line, each character on a
    background coloured by its value in ``values`` ((len(text),), from -1 blue to +1 red, as a
    tanh unit's activity), with a colour bar. A newline starts a new line and is drawn as "⏎"."""
    import matplotlib.pyplot as plt

    values = np.asarray(values, dtype="float64")
    if values.shape != (len(text),) or not np.all(np.isfinite(values)):
        raise ValueError(f"values must be one finite number per character: shape ({len(text)},), got {values.shape}")
    int_in_range("width", width, 8, numpy_ints=False)
    cells, row, col, wrapped = [], 0, 0, False
    for ch, v in zip(text, values):
        if ch == "\n" and wrapped:  # a newline just after a full line ends that line: no empty row
            cells.append((row - 1, width, "⏎", v))
            wrapped = False
            continue
        cells.append((row, col, "⏎" if ch == "\n" else ch, v))
        wrapped = ch != "\n" and col == width - 1
        row, col = (row + 1, 0) if ch == "\n" or wrapped else (row, col + 1)
    rows = max(r for r, _, _, _ in cells) + 1
    fig, ax = axes_or_new(ax, (min(0.16 * width + 1.2, 11.0), 0.36 * rows + 0.9))
    cmap, norm = plt.get_cmap("coolwarm"), plt.Normalize(-1.0, 1.0)
    for r, c, ch, v in cells:
        ax.add_patch(plt.Rectangle((c, -r - 1), 1, 1, color=cmap(norm(v)), linewidth=0))
        ax.text(c + 0.5, -r - 0.5, ch, ha="center", va="center", family="monospace", fontsize=10)
    ax.set(xlim=(0, width + 1), ylim=(-rows, 0), title=title)
    ax.axis("off")
    fig.colorbar(plt.cm.ScalarMappable(norm=norm, cmap=cmap), ax=ax, fraction=0.025, pad=0.01, label="activity")
    return fig, ax



def plot_samples(samples: Sequence[tuple[int, float, str]], prompt: str = "", width: int = 60,
                 title: str = "Samples during training") -> tuple[Any, Any]:
    """Draw text samples taken during training, one block per ``(epoch, loss, text)`` (as
    collected by :func:`course_utils.rnn.sampling.samples_during_training`), the epoch and the
    training loss beside each; ``prompt`` is drawn before each text, lines wrap at
    ``width`` characters and a newline is drawn as "⏎"."""
    import textwrap

    import matplotlib.pyplot as plt

    if not samples:
        raise ValueError("no samples to draw: pass the callback's .samples after model.fit has run "
                         "(with pre-trained weights nothing is trained, so nothing is sampled)")
    int_in_range("width", width, 20, numpy_ints=False)
    blocks = [textwrap.wrap((prompt + text).replace("\n", "⏎"), width, drop_whitespace=False) or [""]
              for _, _, text in samples]
    rows = sum(len(b) + 1 for b in blocks)
    fig, ax = plt.subplots(figsize=(0.085 * width + 1.6, 0.26 * rows + 0.6))
    y = 0
    for (epoch, loss, _), lines in zip(samples, blocks):
        ax.text(0, -y, f"epoch {epoch}\nloss {loss:.2f}", va="top", fontsize=9, color="0.3")
        for k, line in enumerate(lines):
            ax.text(0.15, -y - k, line, va="top", family="monospace", fontsize=9)
        y += len(lines) + 1
    ax.set(xlim=(0, 1), ylim=(-rows, 1), title=title)
    ax.axis("off")
    return fig, ax
