"""Metrics that any chapter can use: :func:`mae`, binary :func:`accuracy`, and
:func:`metrics_table` (one row per model, chapters 08 and 09).

Where the course's metrics live, and why: a metric that only makes sense for one kind of
model stays with that topic, beside the code whose output it scores; a metric that any
model's numbers can go through lives here. So:

- here (:mod:`course_utils.metrics`): metrics of plain arrays of targets and predictions,
  and the table that compares models;
- :mod:`course_utils.rnn.lm_metrics`: language models: ``perplexity`` and
  ``bits_per_char`` of a cross-entropy, and the ``CharNGram`` baseline to beat;
- :mod:`course_utils.tagging.metrics` (and ``tagging.entities`` for spans): one label per
  token: per-tag precision/recall/F1, token accuracy, the most-frequent-tag baseline;
- :mod:`course_utils.seq2seq.evaluation`: translations: corpus BLEU and chrF, the rate of
  unknown words, the paired bootstrap between systems, and attention plots;
- ``masked_loss``/``masked_accuracy`` in :mod:`course_utils.seq2seq.layers`: Keras
  training metrics of the translator, compiled into the model.

A new metric goes to its topic's module; it moves here once a second topic needs it.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np

from .validate import binary_labels, finite_array, finite_number, in_unit_interval, same_shape

__all__ = ["accuracy", "mae", "metrics_table"]


def _pair(y_true: Any, y_pred: Any, name: str, names: tuple[str, str] = ("y_true", "y_pred")) -> tuple[np.ndarray, np.ndarray]:
    t = finite_array(f"{name}(): {names[0]}", y_true, "float64")
    p = finite_array(f"{name}(): {names[1]}", y_pred, "float64")
    same_shape(f"{name}(): {names[0]}", t, names[1], p, "pass one prediction per target")
    if t.size == 0:
        raise ValueError(f"{name}() got empty arrays; pass at least one target and prediction")
    return t, p


def mae(y_true: Any, y_pred: Any) -> float:
    """Mean absolute error over every element (same shapes, e.g. (m, horizon))."""
    t, p = _pair(y_true, y_pred, "mae")
    return float(np.mean(np.abs(t - p)))


def accuracy(labels: Any, probabilities: Any, threshold: float = 0.5) -> float:
    """Share of examples whose predicted class (probability >= threshold) equals the 0/1 label. Shapes (n,)."""
    t, p = _pair(labels, probabilities, "accuracy", ("labels", "probabilities"))
    finite_number("threshold", threshold, 0, 1, low_open=True, high_open=True, fix="0.5 picks the likelier class")
    binary_labels("accuracy(): labels", t, "for class ids of several classes compare argmax predictions instead")
    in_unit_interval("accuracy(): probabilities", p, "apply a sigmoid to logits first")
    return float(np.mean((p >= threshold) == (t == 1)))


def metrics_table(rows: Mapping[str, Mapping[str, Any]], sort_by: str | None = None, ascending: bool = True) -> Any:
    """A pandas DataFrame with one row per model, from ``{"naive": {"MAE": 2.1}, ...}``.

    Every model must report the same metric names. ``sort_by`` orders the rows by one metric.
    """
    import pandas as pd

    if not isinstance(rows, Mapping) or not rows:
        raise ValueError("metrics_table() needs a non-empty dict {model name: {metric: value}}")
    columns: list[str] | None = None
    for model, metrics in rows.items():
        if not isinstance(metrics, Mapping):
            raise ValueError(f"the metrics of {model!r} must be a dict {{metric: value}}, got {type(metrics).__name__}")
        if columns is None:
            columns = list(metrics)
        elif list(metrics) != columns:
            raise ValueError(f"{model!r} reports {list(metrics)}, but the first model reports {columns}; use the same metrics")
        for metric, value in metrics.items():
            if isinstance(value, (float, np.floating)) and not np.isfinite(value):
                raise ValueError(f"{model!r} reports {metric} = {value}; a NaN or infinite metric hides a failed run, "
                                 "so fix the run (or leave the model out) before tabulating")
    table = pd.DataFrame.from_dict({m: dict(v) for m, v in rows.items()}, orient="index")
    table.index.name = "model"
    if sort_by is not None:
        if sort_by not in table.columns:
            raise ValueError(f"sort_by={sort_by!r} is not a metric; choose one of {list(table.columns)}")
        table = table.sort_values(sort_by, ascending=ascending, kind="stable")
    return table
