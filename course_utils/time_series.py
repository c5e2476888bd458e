"""Forecasting helpers (chapter 09): time splits, train-only normalisation, windows, baselines,
an RNN.

Notation: a series has ``n`` time steps and ``f`` features. A *window* holds
``window`` consecutive steps of inputs; its *origin* is the index of its last input
step, and it is paired with the next ``horizon`` values of the target column:
``y[origin + 1 : origin + 1 + horizon]``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from .cell_kinds import check_cell, recurrent_layer
from .validate import finite_array, finite_number, int_in_range

__all__ = [
    "Normaliser",
    "LinearForecaster",
    "build_rnn_forecaster",
    "fit_normaliser",
    "make_window_dataset",
    "naive_forecast",
    "period_windows",
    "seasonal_naive_forecast",
    "split_by_time",
    "window_arrays",
    "window_origins",
]


# --------------------------------------------------------------------------- validation
def _as_2d(data: Any, name: str = "data") -> np.ndarray:
    arr = np.asarray(data, dtype="float32")
    if arr.ndim == 1:
        arr = arr[:, None]
    if arr.ndim != 2:
        raise ValueError(f"{name} must have shape (n,) or (n, features), got {arr.shape}")
    if not np.isfinite(arr).all():
        raise ValueError(f"{name} contains NaN or inf; fill gaps first (e.g. frame.interpolate()) before windowing")
    return arr


def _as_target(target: Any, n: int) -> np.ndarray:
    y = finite_array("target", target, "float32", fix="fill gaps first (e.g. frame.interpolate()) before windowing")
    if y.ndim != 1 or len(y) != n:
        raise ValueError(f"target must have shape (n,) = ({n},), got {y.shape}; pass one column, e.g. frame['temp_max']")
    return y


def _as_series(y: Any) -> np.ndarray:
    y = finite_array("y", y, "float32", fix="fill gaps first (e.g. frame.interpolate())")
    if y.ndim != 1:
        raise ValueError(f"y must be one series of shape (n,), got {y.shape}; pass one column")
    return y


def _as_origins(origins: Any, n: int) -> np.ndarray:
    o = np.asarray(origins)
    if o.ndim != 1 or o.size == 0:
        raise ValueError(f"origins must be a non-empty 1-D array of indices, got shape {o.shape}; "
                         "use the origins that period_windows() returns")
    if o.dtype == bool or not np.issubdtype(o.dtype, np.integer):
        raise TypeError(f"origins must be integer indices, got dtype {o.dtype}; use the origins that period_windows() returns")
    if o.min() < 0 or o.max() >= n:
        raise ValueError(f"origins must index into y (0..{n - 1}), got values from {o.min()} to {o.max()}")
    return o.astype(int)


# --------------------------------------------------------------------------- splitting
def split_by_time(index: Any, train_end: str, validation_end: str) -> dict[str, slice]:
    """Index slices of the train, validation and test periods of a sorted date index.

    Train is every date ``<= train_end``, validation ``(train_end, validation_end]``,
    test the rest. Returns ``{"train": slice, "validation": slice, "test": slice}``;
    the periods are contiguous, in time order, and never overlap.
    """
    import pandas as pd

    idx = pd.DatetimeIndex(index)
    if not idx.is_monotonic_increasing or idx.has_duplicates:
        raise ValueError("split_by_time() needs a sorted date index without duplicates; call frame.sort_index() first")
    t1, t2 = pd.Timestamp(train_end), pd.Timestamp(validation_end)
    if not t1 < t2:
        raise ValueError(f"train_end ({t1.date()}) must come before validation_end ({t2.date()})")
    a = int(idx.searchsorted(t1, side="right"))
    b = int(idx.searchsorted(t2, side="right"))
    if a == 0 or b == a or b == len(idx):
        raise ValueError(
            f"split_by_time(): the periods must all be non-empty; the data run from {idx[0].date()} to {idx[-1].date()}, "
            f"so pick {idx[0].date()} <= train_end < validation_end < {idx[-1].date()}"
        )
    return {"train": slice(0, a), "validation": slice(a, b), "test": slice(b, len(idx))}


# --------------------------------------------------------------------------- normalising
@dataclass(frozen=True)
class Normaliser:
    """Per-feature standardisation ``(x - mean) / std`` with statistics from one period."""

    mean: np.ndarray  # shape (f,)
    std: np.ndarray  # shape (f,)

    def transform(self, data: Any) -> np.ndarray:
        """(n, f) or (n,) -> same shape, standardised."""
        arr = finite_array("data", data, "float32", fix="fill gaps first (e.g. frame.interpolate())")
        if arr.ndim == 1 and len(self.mean) == 1:
            return ((arr - self.mean[0]) / self.std[0]).astype("float32")
        if arr.ndim == 1 or arr.shape[-1] != len(self.mean):
            raise ValueError(f"expected shape (n, {len(self.mean)}) (the features it was fitted on), got {arr.shape}")
        return ((arr - self.mean) / self.std).astype("float32")

    def inverse(self, scaled: Any, column: int | None = None) -> np.ndarray:
        """Undo :meth:`transform`; ``column`` picks one feature's statistics (for a target)."""
        arr = finite_array("scaled", scaled, "float32", fix="check the model's forecasts: did training diverge?")
        int_in_range("column", column, -len(self.mean), high=len(self.mean) - 1, meaning="a feature index",
                     allow_none=True)
        if column is None:
            return arr * self.std + self.mean
        return arr * self.std[column] + self.mean[column]


def fit_normaliser(train: Any) -> Normaliser:
    """Fit a :class:`Normaliser` on the *training period only*, shape (n, f) or (n,).

    Using statistics of the validation or test period would leak the future into training.
    """
    arr = _as_2d(train, "train")
    if len(arr) < 2:
        raise ValueError("fit_normaliser() needs at least 2 training steps")
    std = arr.std(axis=0)
    if (std == 0).any():
        raise ValueError(f"features {np.flatnonzero(std == 0).tolist()} are constant over the training period; drop them")
    return Normaliser(mean=arr.mean(axis=0), std=std)


# --------------------------------------------------------------------------- windows
def window_origins(n: int, window: int, horizon: int = 1, stride: int = 1) -> np.ndarray:
    """Origins (index of the last input step) of every full window over ``n`` steps.

    Window ``i`` reads steps ``[i*stride, i*stride + window)`` and predicts
    ``[i*stride + window, i*stride + window + horizon)``. Shape (num_windows,).
    """
    int_in_range("window", window, 1)
    int_in_range("horizon", horizon, 1)
    int_in_range("stride", stride, 1)
    int_in_range("n", n, 1)
    if window + horizon > n:
        raise ValueError(
            f"a window of {window} steps plus a horizon of {horizon} needs at least {window + horizon} steps, "
            f"but the series has {n}; use a shorter window or horizon, or a longer period"
        )
    return np.arange(0, n - window - horizon + 1, stride) + window - 1


def _targets(y: np.ndarray, window: int, horizon: int) -> np.ndarray:
    """targets[i] = y[i + window : i + window + horizon], shape (n - window - horizon + 1, horizon)."""
    count = len(y) - window - horizon + 1
    return np.stack([y[window + k: window + k + count] for k in range(horizon)], axis=1)


def make_window_dataset(
    data: Any,
    target: Any,
    window: int,
    horizon: int = 1,
    stride: int = 1,
    batch_size: int = 32,
    shuffle: bool = False,
    seed: int | None = None,
) -> Any:
    """A ``tf.data.Dataset`` of ``(inputs, targets)`` batches, built by
    ``keras.utils.timeseries_dataset_from_array``.

    data: (n, f) inputs; target: (n,) the series to forecast. Yields inputs of shape
    (batch, window, f) and targets of shape (batch, horizon), where each target row
    holds the ``horizon`` values right after its window (never inside it).
    """
    import keras

    x = _as_2d(data, "data")
    y = _as_target(target, len(x))
    window_origins(len(x), window, horizon, stride)  # validates the arguments
    int_in_range("batch_size", batch_size, 1)
    if shuffle and seed is None:
        raise ValueError("shuffle=True needs a seed, so that runs are reproducible")
    return keras.utils.timeseries_dataset_from_array(
        x, _targets(y, window, horizon), sequence_length=window, sequence_stride=stride,
        batch_size=batch_size, shuffle=shuffle, seed=seed,
    )


def window_arrays(data: Any, target: Any, window: int, horizon: int = 1, stride: int = 1) -> tuple[np.ndarray, np.ndarray]:
    """The same windows as :func:`make_window_dataset`, as NumPy arrays:
    inputs (num_windows, window, f) and targets (num_windows, horizon)."""
    x = _as_2d(data, "data")
    y = _as_target(target, len(x))
    origins = window_origins(len(x), window, horizon, stride)
    starts = origins - window + 1
    inputs = np.stack([x[s: s + window] for s in starts])
    targets = np.stack([y[o + 1: o + 1 + horizon] for o in origins])
    return inputs, targets


def period_windows(
    data: Any, target: Any, period: slice, window: int, horizon: int = 1, stride: int = 1
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Windows whose *targets* all fall inside ``period`` (a slice from :func:`split_by_time`).

    Inputs may reach back up to ``window`` steps before the period starts (that past is
    known at forecast time); nothing after ``period.stop`` is ever read, so windows of the
    training period never see validation or test data. Returns inputs (m, window, f),
    targets (m, horizon) and origins (m,), the index in the full series of each window's
    last input step.
    """
    if not isinstance(period, slice) or period.start is None or period.stop is None or period.step not in (None, 1):
        raise ValueError("period must be a slice(start, stop) as returned by split_by_time()")
    x = _as_2d(data, "data")
    if not 0 <= period.start < period.stop <= len(x):
        raise ValueError(f"period {period} does not fit a series of {len(x)} steps")
    y = _as_target(target, len(x))
    first = max(0, period.start - window)
    inputs, targets = window_arrays(x[first:period.stop], y[first:period.stop], window, horizon, stride)
    origins = window_origins(period.stop - first, window, horizon, stride) + first
    return inputs, targets, origins


# --------------------------------------------------------------------------- baselines
def naive_forecast(y: Any, origins: Any, horizon: int = 1) -> np.ndarray:
    """Persistence: every step ahead repeats the last known value ``y[origin]``. Shape (len(origins), horizon)."""
    int_in_range("horizon", horizon, 1)
    y = _as_series(y)
    origins = _as_origins(origins, len(y))
    return np.repeat(y[origins][:, None], horizon, axis=1)


def seasonal_naive_forecast(y: Any, origins: Any, horizon: int, period: int) -> np.ndarray:
    """Seasonal persistence: step ``origin + k`` repeats ``y[origin + k - period]``, the value one
    season earlier (k = 1..horizon). Needs ``period >= horizon`` so it uses only known values.
    Shape (len(origins), horizon)."""
    int_in_range("horizon", horizon, 1)
    int_in_range("period", period, 1)
    if period < horizon:
        raise ValueError(f"period ({period}) must be >= horizon ({horizon}), or the forecast would use unknown future values")
    y = _as_series(y)
    origins = _as_origins(origins, len(y))
    first = origins.min() + 1 - period
    if first < 0:
        raise ValueError(
            f"the first origin ({origins.min()}) has only {origins.min() + 1} past steps but period={period} "
            "needs a full season of history; start forecasting later or use a shorter period"
        )
    idx = origins[:, None] + np.arange(1, horizon + 1)[None, :] - period
    return y[idx]


class LinearForecaster:
    """A linear autoregressive model: the flattened window (window * f inputs) times a
    weight matrix, plus a bias, gives all ``horizon`` outputs at once. Fitted in closed
    form by ridge-regularised least squares."""

    def __init__(self, l2: float = 1e-3) -> None:
        finite_number("l2", l2, low=0, fix="use l2=0 for plain least squares")
        self.l2 = float(l2)
        self.weights: np.ndarray | None = None  # (window * f + 1, horizon)

    def fit(self, inputs: Any, targets: Any) -> "LinearForecaster":
        """inputs (m, window, f), targets (m, horizon)."""
        x, y = self._design(inputs), finite_array("targets", targets, "float64")
        if y.ndim != 2 or len(y) != len(x):
            raise ValueError(f"targets must have shape (m, horizon) with m = {len(x)}, got {y.shape}")
        reg = self.l2 * len(x) * np.eye(x.shape[1])
        reg[-1, -1] = 0.0  # do not shrink the bias
        self.weights = np.linalg.solve(x.T @ x + reg, x.T @ y)
        return self

    def predict(self, inputs: Any) -> np.ndarray:
        """inputs (m, window, f) -> forecasts (m, horizon)."""
        if self.weights is None:
            raise RuntimeError("call fit(inputs, targets) before predict()")
        x = self._design(inputs)
        if x.shape[1] != self.weights.shape[0]:
            raise ValueError(f"expected windows with {self.weights.shape[0] - 1} values, got {x.shape[1] - 1}")
        return (x @ self.weights).astype("float32")

    @property
    def n_params(self) -> int:
        return 0 if self.weights is None else int(self.weights.size)

    @staticmethod
    def _design(inputs: Any) -> np.ndarray:
        x = finite_array("inputs", inputs, "float64", fix="fill gaps in the series before windowing")
        if x.ndim != 3:
            raise ValueError(f"inputs must have shape (m, window, f), got {x.shape}")
        flat = x.reshape(len(x), -1)
        return np.concatenate([flat, np.ones((len(x), 1))], axis=1)


# --------------------------------------------------------------------------- the RNN
def build_rnn_forecaster(window: int, n_features: int, horizon: int = 1, units: int = 32, cell: str = "gru",
                         learning_rate: float = 3e-3) -> Any:
    """A Keras model (batch, window, f) -> (batch, horizon): one recurrent layer of kind
    ``cell`` ("gru", "lstm" or "simple") reads the window, and a Dense layer maps its last state to the ``horizon`` values.
    Compiled with Adam(learning_rate) and mean squared error, ready for ``fit``."""
    import keras

    for name, value in (("window", window), ("n_features", n_features), ("horizon", horizon), ("units", units)):
        int_in_range(name, value, 1)
    finite_number("learning_rate", learning_rate, low=0, low_open=True)
    cell = check_cell(cell)
    inputs = keras.Input(shape=(window, n_features))
    state = recurrent_layer(cell, units)(inputs)
    outputs = keras.layers.Dense(horizon)(state)
    model = keras.Model(inputs, outputs, name=f"{cell}_forecaster")
    model.compile(optimizer=keras.optimizers.Adam(learning_rate), loss="mse")
    return model
