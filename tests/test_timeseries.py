"""course_utils.time_series and course_utils.metrics: time splits without leakage,
train-only normalisation, windows, baselines, and clear errors for bad arguments."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from course_utils import time_series as ts
from course_utils.metrics import accuracy, mae, metrics_table

DATES = pd.date_range("2020-01-01", periods=100, freq="D")


# --------------------------------------------------------------------------- time split
def test_split_by_time_is_ordered_contiguous_and_disjoint() -> None:
    parts = ts.split_by_time(DATES, "2020-02-29", "2020-03-20")
    assert parts["train"] == slice(0, 60) and parts["validation"] == slice(60, 80) and parts["test"] == slice(80, 100)
    assert DATES[parts["train"]].max() < DATES[parts["validation"]].min()
    assert DATES[parts["validation"]].max() < DATES[parts["test"]].min()


@pytest.mark.parametrize("train_end, val_end, message", [
    ("2020-03-20", "2020-02-29", "must come before"),
    ("2019-01-01", "2020-02-01", "must all be non-empty"),
    ("2020-02-01", "2021-01-01", "must all be non-empty"),
])
def test_split_by_time_rejects_bad_dates(train_end: str, val_end: str, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        ts.split_by_time(DATES, train_end, val_end)


def test_split_by_time_rejects_an_unsorted_index() -> None:
    with pytest.raises(ValueError, match="sort_index"):
        ts.split_by_time(DATES[::-1], "2020-02-01", "2020-03-01")


# --------------------------------------------------------------------------- normalisation
def test_normaliser_statistics_come_from_the_training_period_only() -> None:
    rng = np.random.default_rng(0)
    data = np.concatenate([rng.normal(0, 1, (60, 2)), rng.normal(10, 5, (40, 2))])  # the future drifts
    parts = ts.split_by_time(DATES, "2020-02-29", "2020-03-20")
    norm = ts.fit_normaliser(data[parts["train"]])
    np.testing.assert_allclose(norm.mean, data[:60].mean(axis=0), rtol=1e-5)
    np.testing.assert_allclose(norm.std, data[:60].std(axis=0), rtol=1e-5)
    assert not np.allclose(norm.mean, data.mean(axis=0), atol=1)
    scaled = norm.transform(data)
    np.testing.assert_allclose(scaled[:60].mean(axis=0), 0, atol=1e-5)
    assert scaled[60:].mean() > 3  # the test period keeps its drift: nothing was fitted on it
    np.testing.assert_allclose(norm.inverse(scaled), data, rtol=1e-4, atol=1e-4)
    np.testing.assert_allclose(norm.inverse(scaled[:, 1], column=1), data[:, 1], rtol=1e-4, atol=1e-4)


def test_normaliser_errors() -> None:
    with pytest.raises(ValueError, match="constant"):
        ts.fit_normaliser(np.ones((10, 2)))
    with pytest.raises(ValueError, match="NaN"):
        ts.fit_normaliser(np.array([1.0, np.nan, 2.0]))
    norm = ts.fit_normaliser(np.random.default_rng(1).normal(size=(20, 3)))
    with pytest.raises(ValueError, match=r"expected shape \(n, 3\)"):
        norm.transform(np.zeros((5, 2)))


# --------------------------------------------------------------------------- windows
def test_window_dataset_targets_follow_the_window() -> None:
    series = np.arange(20, dtype="float32")
    data = np.stack([series, -series], axis=1)
    batches = list(ts.make_window_dataset(data, series, window=5, horizon=3, stride=2, batch_size=4))
    x = np.concatenate([b[0].numpy() for b in batches])
    y = np.concatenate([b[1].numpy() for b in batches])
    assert x.shape == (7, 5, 2) and y.shape == (7, 3)
    np.testing.assert_array_equal(y[:, 0], x[:, -1, 0] + 1)  # the first target is the step after the window
    wx, wy = ts.window_arrays(data, series, 5, 3, 2)
    np.testing.assert_array_equal(x, wx)
    np.testing.assert_array_equal(y, wy)
    np.testing.assert_array_equal(ts.window_origins(20, 5, 3, 2), wx[:, -1, 0])


def test_period_windows_never_read_after_the_period() -> None:
    series = np.arange(100, dtype="float32")
    parts = ts.split_by_time(DATES, "2020-02-29", "2020-03-20")
    for name, part in parts.items():
        x, y, origins = ts.period_windows(series, series, part, window=7, horizon=3)
        assert x.max() < part.stop and y.max() < part.stop, f"{name} windows read past the end of their period"
        assert y.min() >= part.start, f"{name} targets start before the period"
        np.testing.assert_array_equal(x[:, -1, 0], origins)
    x, _, _ = ts.period_windows(series, series, parts["validation"], window=7, horizon=1)
    assert x.min() == parts["validation"].start - 7  # inputs may use the known past


@pytest.mark.parametrize("kwargs, message", [
    (dict(window=0), "window must be an int >= 1"),
    (dict(window=2.5), "window must be an int >= 1"),
    (dict(window=True), "window must be an int >= 1"),
    (dict(horizon=0), "horizon must be an int >= 1"),
    (dict(stride=-1), "stride must be an int >= 1"),
    (dict(window=18, horizon=3), "needs at least 21 steps"),
    (dict(shuffle=True), "needs a seed"),
])
def test_window_arguments_are_validated(kwargs: dict, message: str) -> None:
    args = dict(window=5, horizon=1, stride=1)
    args.update(kwargs)
    with pytest.raises(ValueError, match=message):
        ts.make_window_dataset(np.zeros((20, 2)), np.zeros(20), **args)


def test_window_data_errors() -> None:
    with pytest.raises(ValueError, match=r"target must have shape \(n,\)"):
        ts.make_window_dataset(np.zeros((20, 2)), np.zeros(19), window=3)
    with pytest.raises(ValueError, match="NaN"):
        ts.window_arrays(np.array([1.0, np.nan, 3, 4, 5]), np.zeros(5), window=2)
    with pytest.raises(ValueError, match="period must be a slice"):
        ts.period_windows(np.zeros(10), np.zeros(10), [0, 5], window=2)  # type: ignore[arg-type]


# --------------------------------------------------------------------------- baselines
def test_naive_and_seasonal_naive() -> None:
    y = np.arange(30, dtype="float32")
    np.testing.assert_array_equal(ts.naive_forecast(y, [9, 19], horizon=2), [[9, 9], [19, 19]])
    np.testing.assert_array_equal(ts.seasonal_naive_forecast(y, [9, 19], horizon=2, period=7), [[3, 4], [13, 14]])
    with pytest.raises(ValueError, match="must be >= horizon"):
        ts.seasonal_naive_forecast(y, [20], horizon=5, period=3)
    with pytest.raises(ValueError, match="full season of history"):
        ts.seasonal_naive_forecast(y, [2], horizon=1, period=7)
    with pytest.raises(ValueError, match="origins must index into y"):
        ts.naive_forecast(y, [30])


def test_linear_forecaster_recovers_a_linear_rule() -> None:
    rng = np.random.default_rng(3)
    x = rng.normal(size=(200, 4, 2))
    y = np.stack([x[:, -1, 0] * 2 - x[:, 0, 1] + 0.5, x.sum(axis=(1, 2))], axis=1)
    model = ts.LinearForecaster(l2=0).fit(x, y)
    np.testing.assert_allclose(model.predict(x), y, atol=1e-4)
    assert model.n_params == (4 * 2 + 1) * 2
    with pytest.raises(RuntimeError, match="call fit"):
        ts.LinearForecaster().predict(x)
    with pytest.raises(ValueError, match=r"\(m, window, f\)"):
        model.predict(x[:, :, 0])


def test_rnn_forecaster_shapes_and_errors() -> None:
    model = ts.build_rnn_forecaster(window=6, n_features=3, horizon=4, units=5, cell="gru")
    assert model.output_shape == (None, 4)
    with pytest.raises(ValueError, match="cell must be one of 'simple', 'lstm', 'gru'"):
        ts.build_rnn_forecaster(6, 3, cell="rnn")
    assert ts.build_rnn_forecaster(6, 3, units=2, cell="LSTM").name == "lstm_forecaster"
    assert type(ts.build_rnn_forecaster(6, 3, units=2, cell="simple").layers[1]).__name__ == "SimpleRNN"
    with pytest.raises(ValueError, match="units must be an int"):
        ts.build_rnn_forecaster(6, 3, units=0)


# --------------------------------------------------------------------------- metrics
def test_metrics_and_table() -> None:
    assert mae([1, 2, 3], [2, 2, 5]) == pytest.approx(1.0)
    assert accuracy([1, 0, 1, 0], [0.9, 0.2, 0.4, 0.6]) == 0.5
    table = metrics_table({"naive": {"MAE": 2.0}, "rnn": {"MAE": 1.5}}, sort_by="MAE")
    assert list(table.index) == ["rnn", "naive"] and table.index.name == "model"
    with pytest.raises(ValueError, match="y_pred has"):
        mae([1, 2], [1, 2, 3])
    with pytest.raises(ValueError, match="use the same metrics"):
        metrics_table({"a": {"MAE": 1}, "b": {"RMSE": 1}})
    with pytest.raises(ValueError, match="non-empty dict"):
        metrics_table({})
    with pytest.raises(ValueError, match="is not a metric"):
        metrics_table({"a": {"MAE": 1}}, sort_by="acc")
