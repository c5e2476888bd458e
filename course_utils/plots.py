"""Plots the chapters share: training curves, gradient norms against distance, accuracy
against lag. Each function draws on ``ax`` (or a new figure) and returns ``(fig, ax)``."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

__all__ = ["plot_accuracy_vs_lag", "plot_gradient_norms", "plot_training_curves", "smooth"]


def _axes(ax: Any, figsize: tuple[float, float]) -> tuple[Any, Any]:
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
    if isinstance(window, bool) or not isinstance(window, int) or not 1 <= window <= values.size:
        raise ValueError(f"window must be an int in [1, {values.size}], got {window!r}")
    return np.convolve(values, np.ones(window) / window, mode="valid")


def plot_training_curves(curves: Any, ax: Any = None, smooth_window: int = 1, xlabel: str = "epoch",
                         ylabel: str = "loss", title: str = "", logy: bool = False) -> tuple[Any, Any]:
    """Plot one or more curves. ``curves`` is a Keras ``History``, a dict name -> values,
    or a plain sequence of values. ``smooth_window`` > 1 draws a running mean."""
    if hasattr(curves, "history") and isinstance(curves.history, dict):
        curves = curves.history
    if not isinstance(curves, Mapping):
        curves = {ylabel: curves}
    if not curves:
        raise ValueError("no curves to plot: pass a History, a dict of lists, or a list of numbers")
    fig, ax = _axes(ax, (6, 3))
    for name, values in curves.items():
        values = np.asarray(values, dtype="float64")
        if values.ndim != 1 or values.size == 0:
            raise ValueError(f"curve {name!r} must be a non-empty 1-D sequence, got shape {values.shape}")
        w = min(smooth_window, values.size)
        y = smooth(values, w)
        x = np.arange(w - 1, values.size) + (1 if xlabel == "epoch" else 0)
        ax.plot(x, y, label=str(name))
    ax.set(xlabel=xlabel, ylabel=ylabel, title=title)
    if logy:
        ax.set_yscale("log")
    ax.legend()
    ax.grid(alpha=0.3)
    return fig, ax


def plot_gradient_norms(norms: Mapping[str, Sequence[float] | np.ndarray], ax: Any = None, title: str = "",
                        logy: bool = True) -> tuple[Any, Any]:
    """``norms``: label -> ||dL/dh_t|| indexed by distance from the loss (entry 0 = the last step)."""
    if not isinstance(norms, Mapping) or not norms:
        raise ValueError("norms must be a non-empty dict: label -> array of gradient norms by distance")
    fig, ax = _axes(ax, (6, 3.5))
    for label, values in norms.items():
        values = np.asarray(values, dtype="float64")
        if values.ndim != 1:
            raise ValueError(f"norms[{label!r}] must be 1-D (distance,), got shape {values.shape}")
        ax.plot(np.arange(values.size), np.maximum(values, 1e-300), label=str(label))
    ax.set(xlabel="distance from the loss (steps back, T - t)", ylabel=r"$\|\partial L / \partial h_t\|$", title=title)
    if logy:
        ax.set_yscale("log")
    ax.legend(fontsize=8)
    ax.grid(alpha=0.3)
    return fig, ax


def plot_accuracy_vs_lag(table: Any, ax: Any = None, title: str = "Memory over a lag") -> tuple[Any, Any]:
    """One line per model from a table with columns ``model``, ``lag``, ``accuracy``
    and ``chance`` (as :func:`course_utils.tasks.accuracy_vs_lag` returns)."""
    import pandas as pd

    table = pd.DataFrame(table)
    missing = {"model", "lag", "accuracy", "chance"} - set(table.columns)
    if missing or table.empty:
        raise ValueError(f"table needs rows with columns model, lag, accuracy, chance; missing {sorted(missing)}")
    fig, ax = _axes(ax, (6, 3.5))
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
