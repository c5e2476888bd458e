"""Checks for chapter 09's exercises (windows, train-only normalisation, seasonal naive) and its build-it
exercise (the windows of one period of a time split, without leakage)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from ..time_series import period_windows
from .base import CheckResult, SelfTest, call_learner, failed, passed


def make_windows_reference(series: np.ndarray, window: int, horizon: int) -> tuple[np.ndarray, np.ndarray]:
    """(n,) series -> inputs (m, window) and targets (m, horizon), m = n - window - horizon + 1.
    Row i reads series[i : i+window] and predicts series[i+window : i+window+horizon]."""
    series = np.asarray(series)
    m = len(series) - window - horizon + 1
    inputs = np.stack([series[i:i + window] for i in range(m)])
    targets = np.stack([series[i + window:i + window + horizon] for i in range(m)])
    return inputs, targets


def check_make_windows(fn: Callable[[np.ndarray, int, int], Any]) -> CheckResult:
    """Exercise 1: ``fn(series, window, horizon) -> (inputs, targets)``."""
    name = "make_windows"
    for n, window, horizon in [(10, 3, 1), (12, 4, 3), (7, 5, 2)]:
        series = np.arange(100, 100 + n, dtype="float64")
        got, error = call_learner(name, fn, series.copy(), window, horizon)
        if error is not None:
            return error
        if not isinstance(got, tuple) or len(got) != 2:
            return failed(name, "return a tuple (inputs, targets).")
        x, y = (np.asarray(a) for a in got)
        want_x, want_y = make_windows_reference(series, window, horizon)
        if x.shape[1:] != want_x.shape[1:] or y.shape[1:] != want_y.shape[1:]:
            return failed(name, f"inputs should have shape (m, window) = {want_x.shape} and targets (m, horizon) = {want_y.shape}; "
                                f"got {x.shape} and {y.shape}.")
        if len(x) < len(want_x) or len(y) < len(want_y):
            return failed(name, f"you made {min(len(x), len(y))} windows but {len(want_x)} fit: the last window may end "
                                "exactly `horizon` steps before the end of the series (m = n - window - horizon + 1).")
        if len(x) > len(want_x) or len(y) != len(x):
            return failed(name, f"you made {len(x)} windows but only {len(want_x)} have a full target; m = n - window - horizon + 1.")
        if np.array_equal(y[:, 0], x[:, -1]):
            return failed(name, "the first target repeats the last input step: the target starts right *after* the window, "
                                "at series[i + window].")
        if not (np.array_equal(x, want_x) and np.array_equal(y, want_y)):
            return failed(name, f"for series 100..{100 + n - 1}, window {window}, horizon {horizon}, the first row should be "
                                f"{want_x[0].tolist()} -> {want_y[0].tolist()}.")
    return passed(name)


def train_scaling_reference(train: np.ndarray, test: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Standardise both periods with the *training* period's mean and std (per column). Shapes unchanged."""
    mean, std = train.mean(axis=0), train.std(axis=0)
    return (train - mean) / std, (test - mean) / std


def check_train_scaling(fn: Callable[[np.ndarray, np.ndarray], Any]) -> CheckResult:
    """Exercise 2: ``fn(train, test) -> (train_scaled, test_scaled)`` using training statistics only."""
    name = "train_scaling"
    rng = np.random.default_rng(9)
    for shape_train, shape_test, shift in [((50, 2), (20, 2), 3.0), ((30, 1), (10, 1), -2.0), ((40, 3), (15, 3), 5.0)]:
        train = rng.normal(size=shape_train)
        test = rng.normal(size=shape_test) + shift  # the future drifts, as real weather and CO2 do
        got, error = call_learner(name, fn, train.copy(), test.copy())
        if error is not None:
            return error
        if not isinstance(got, tuple) or len(got) != 2:
            return failed(name, "return a tuple (train_scaled, test_scaled).")
        a, b = (np.asarray(x, dtype="float64") for x in got)
        want_a, want_b = train_scaling_reference(train, test)
        if a.shape != want_a.shape or b.shape != want_b.shape:
            return failed(name, f"keep the shapes: {want_a.shape} and {want_b.shape}, got {a.shape} and {b.shape}.")
        if np.allclose(a, want_a) and np.allclose(b, want_b):
            continue
        if np.allclose(b, (test - test.mean(0)) / test.std(0)):
            return failed(name, "you scaled the test period with its own mean and std: that uses the future. "
                                "Compute mean and std on the training period only and apply them to both.")
        both = np.concatenate([train, test])
        if np.allclose(a, (train - both.mean(0)) / both.std(0)):
            return failed(name, "you computed mean and std over train and test together, which leaks the test period "
                                "into training. Use the training rows only.")
        if np.allclose(a, (train - train.mean(0)) / train.std(0, ddof=1)):
            return failed(name, "you divided by the sample standard deviation (ddof=1, what pandas' .std() does by "
                                "default); this exercise uses NumPy's default, ddof=0: train.std(axis=0), or "
                                ".std(ddof=0) on a DataFrame.")
        if np.allclose(a, (train - train.mean()) / train.std()):
            return failed(name, "use one mean and std per column (axis=0), not one over the whole array.")
        if not (np.allclose(a, want_a) and np.allclose(b, want_b)):
            return failed(name, "subtract the training mean, then divide by the training standard deviation (per column).")
    return passed(name)


def seasonal_naive_reference(history: np.ndarray, period: int, horizon: int) -> np.ndarray:
    """Forecast the next ``horizon`` steps after ``history`` (n,) by repeating the value one
    season earlier: step k (1..horizon) gets ``history[n + k - 1 - period]``. Shape (horizon,)."""
    history = np.asarray(history)
    n = len(history)
    return np.array([history[n + k - 1 - period] for k in range(1, horizon + 1)])


def check_seasonal_naive(fn: Callable[[np.ndarray, int, int], Any]) -> CheckResult:
    """Exercise 3: ``fn(history, period, horizon) -> (horizon,)`` seasonal-naive forecast."""
    name = "seasonal_naive"
    for n, period, horizon in [(20, 4, 2), (30, 7, 7), (15, 5, 3)]:
        history = np.arange(n, dtype="float64") ** 1.5
        got, error = call_learner(name, fn, history.copy(), period, horizon)
        if error is not None:
            return error
        got = np.asarray(got, dtype="float64").reshape(-1)
        want = seasonal_naive_reference(history, period, horizon)
        if got.shape != want.shape:
            return failed(name, f"return one value per step ahead: shape ({horizon},), got {got.shape}.")
        if np.allclose(got, want):
            continue
        if np.allclose(got, history[-1]):
            return failed(name, "you repeated the last value: that is the naive forecast. Look one season (period) back instead.")
        if np.allclose(got, [history[n + k - 2 - period] for k in range(1, horizon + 1)]):
            return failed(name, "you are one step too far back: the step right after the history (k = 1) "
                                "repeats history[n - period], exactly one season earlier.")
        if period > horizon and np.allclose(got, [history[n + k - period] for k in range(1, horizon + 1)]):
            return failed(name, "you are one step too late: the step right after the history (k = 1) "
                                "repeats history[n - period], exactly one season earlier.")
        if not np.allclose(got, want):
            return failed(name, f"with {n} past values, period {period} and horizon {horizon} the forecast is {want.tolist()}.")
    return passed(name)


def _own_stats(train: np.ndarray, test: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    return (train - train.mean(0)) / train.std(0), (test - test.mean(0)) / test.std(0)


# --------------------------------------------------------------------------- build it: windows of one period
def windows_in_period_reference(X: np.ndarray, y: np.ndarray, period: slice, window: int,
                                horizon: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Every window whose ``horizon`` targets all lie inside ``period`` (a slice of the full series):
    inputs (m, window, f) = X[o - window + 1 : o + 1], targets (m, horizon) = y[o + 1 : o + 1 + horizon],
    origins (m,) = o, the index of each window's last input step in the full series. Inputs may reach
    back before period.start; nothing at or after period.stop is read."""
    first = max(period.start - 1, window - 1)
    origins = np.arange(first, period.stop - horizon)
    inputs = np.stack([X[o - window + 1:o + 1] for o in origins])
    targets = np.stack([y[o + 1:o + 1 + horizon] for o in origins])
    return inputs, targets, origins


# (n, period, window, horizon): a period in the middle first (leakage at either end shows), then one
# at the start (no past to reach back into) and one at the end of the series
_PERIOD_CASES = [(40, slice(20, 30), 4, 3), (40, slice(0, 20), 5, 1), (40, slice(30, 40), 6, 2), (30, slice(12, 16), 8, 2)]


def check_windows_in_period(fn: Callable[..., Any]) -> CheckResult:
    """Build it: ``fn(X (n, f), y (n,), period, window, horizon) -> (inputs, targets, origins)``,
    equal to ``course_utils.time_series.period_windows``."""
    name = "windows_in_period"
    for n, period, window, horizon in _PERIOD_CASES:
        steps = np.arange(n, dtype="float64")
        X = np.stack([100.0 + steps, 200.0 + steps], axis=1)  # each value says which day it is
        y = 0.5 + 10.0 * steps                                # the target: day i holds 10 i + 0.5
        got, error = call_learner(name, fn, X.copy(), y.copy(), period, window, horizon)
        if error is not None:
            return error
        if not isinstance(got, tuple) or len(got) != 3:
            return failed(name, "return a tuple (inputs, targets, origins).")
        inputs, targets, origins = (np.asarray(a) for a in got)
        want_x, want_y, want_o = period_windows(X, y, period, window, horizon)
        shown = f"(period {period.start}..{period.stop - 1}, window {window}, horizon {horizon})"
        if inputs.shape[1:] != want_x.shape[1:] or targets.shape[1:] != want_y.shape[1:] or origins.ndim != 1:
            return failed(name, f"inputs have shape (m, window, f) = (m, {window}, 2), targets (m, horizon) = "
                                f"(m, {horizon}) and origins (m,); got {inputs.shape}, {targets.shape} and {origins.shape}.")
        if not len(inputs) == len(targets) == len(origins):
            return failed(name, f"one origin and one target row per window: got {len(inputs)} windows, "
                                f"{len(targets)} target rows and {len(origins)} origins.")
        day_x = inputs[..., 0] - 100.0            # which day each input row holds
        day_y = (targets - 0.5) / 10.0            # which day each target holds
        if not np.allclose(day_y, np.round(day_y)):
            return failed(name, "the targets are not values of y: take them from the target series y, not from X.")
        if len(inputs) and np.allclose(day_y[:, 0], day_x[:, -1]):
            return failed(name, "the first target repeats the last input day: targets start right after the window, "
                                "y[origin + 1 : origin + 1 + horizon].")
        if len(inputs) and np.allclose(day_y[:, 0], day_x[:, -1] + 2):
            if targets.shape == want_y.shape and np.array_equal(targets, want_y):
                return failed(name, f"the targets are right but the inputs end one day early: window i reads "
                                    f"X[origin - window + 1 : origin + 1], the {window} days up to and including the origin.")
            return failed(name, "the targets skip a day: the first one is y[origin + 1], the day right after the "
                                "window's last input.")
        if len(targets) and day_y.max() >= period.stop:
            return failed(name, f"a target lies at or after period.stop = {period.stop}, in the next period: that "
                                f"leaks the future. The last origin is period.stop - 1 - horizon {shown}.")
        if len(targets) and day_y.min() < period.start:
            return failed(name, f"a target lies before period.start = {period.start}, in the previous period: the "
                                f"first window's targets start at period.start, so its origin is period.start - 1 {shown}.")
        if len(inputs) < len(want_x):
            return failed(name, f"you made {len(inputs)} windows but {len(want_x)} have all their targets in the "
                                "period: inputs may reach back before period.start (up to `window` days, not before "
                                f"day 0), since those days are known at forecast time; only the targets must lie in the period {shown}.")
        if len(inputs) > len(want_x):
            return failed(name, f"you made {len(inputs)} windows; {len(want_x)} fit {shown}.")
        if not np.array_equal(inputs, want_x):
            return failed(name, f"the targets are right but the inputs are not: window i reads "
                                f"X[origin - window + 1 : origin + 1], the {window} days up to and including the origin.")
        if not np.array_equal(targets, want_y):
            return failed(name, "the targets differ: y[origin + 1 : origin + 1 + horizon] for each origin.")
        if np.array_equal(origins, want_o):
            continue
        if np.array_equal(origins, want_o - window + 1):
            return failed(name, "an origin is the index of the window's *last* input step, not its first.")
        if np.array_equal(origins, np.arange(len(want_o))) or np.array_equal(origins, want_o - period.start):
            return failed(name, "the origins must index the full series (as X and y do), not count from the period's start.")
        return failed(name, f"the origins should be {want_o.tolist()} {shown}: the index of each window's last input step.")
    return passed(name)


def _no_reach_back(X: np.ndarray, y: np.ndarray, period: slice, window: int,
                   horizon: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """A typical slip: cut the period out first, so that no window reads the days before it."""
    origins = np.arange(period.start + window - 1, period.stop - horizon)
    return (np.stack([X[o - window + 1:o + 1] for o in origins]), np.stack([y[o + 1:o + 1 + horizon] for o in origins]),
            origins)


SELF_TESTS = [
    SelfTest(check_make_windows, make_windows_reference,
             wrong=lambda s, w, h: (np.stack([s[i:i + w] for i in range(len(s) - w - h + 1)]),
              np.stack([s[i + w - 1:i + w - 1 + h] for i in range(len(s) - w - h + 1)])),
             hint="repeats the last input step"),
    SelfTest(check_train_scaling, train_scaling_reference, wrong=_own_stats, hint="uses the future"),
    SelfTest(check_seasonal_naive, seasonal_naive_reference,
             wrong=lambda h, p, k: np.repeat(h[-1], k), hint="that is the naive forecast"),
    SelfTest(check_windows_in_period, windows_in_period_reference, wrong=_no_reach_back, hint="reach back before"),
]
