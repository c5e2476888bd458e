"""The recall task, accuracy across lags for any recurrent layer, and the shared plots."""

from __future__ import annotations

from dataclasses import replace

import keras
import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402

from course_utils.plots import plot_accuracy_vs_lag, plot_gradient_norms, plot_training_curves, smooth  # noqa: E402
from course_utils.rnn.recall_task import RecallConfig, accuracy_vs_lag, recall_task  # noqa: E402


def test_recall_task_targets_are_the_first_symbol() -> None:
    x, y = recall_task(50, 7, n_symbols=5, seed=3)
    assert x.shape == (50, 7, 5) and x.dtype == np.float32 and y.shape == (50,)
    np.testing.assert_array_equal(x[:, 0].argmax(-1), y)
    np.testing.assert_array_equal(x.sum(-1), 1.0)
    assert np.array_equal(recall_task(5, 4, seed=1)[0], recall_task(5, 4, seed=1)[0])
    with pytest.raises(ValueError, match="lag"):
        recall_task(5, 0)


def test_accuracy_vs_lag_returns_a_tidy_table_for_any_layer() -> None:
    models: dict[int, keras.Model] = {}
    table = accuracy_vs_lag("gru", [2, 3], RecallConfig(units=8, n_symbols=3, n_train=128, n_test=64, epochs=2, seed=0),
                            on_trained=models.__setitem__)
    assert sorted(models) == [2, 3] and all(m.layers[0].units == 8 for m in models.values()), \
        "on_trained gets each lag's trained model"
    assert list(table.columns) == ["model", "lag", "accuracy", "chance", "train_loss", "train_accuracy",
                                   "seconds", "epochs"]
    assert table["train_accuracy"].between(0, 1).all()
    assert table["epochs"].tolist() == [2, 2]
    assert table["model"].tolist() == ["GRU", "GRU"] and table["lag"].tolist() == [2, 3]
    assert ((table["accuracy"] >= 0) & (table["accuracy"] <= 1)).all()
    assert table["chance"].iloc[0] == pytest.approx(1 / 3)
    fig, ax = plot_accuracy_vs_lag(table)
    assert len(ax.lines) == 2  # the model and the chance line
    plt.close(fig)
    with pytest.raises(ValueError, match="return_sequences=False"):
        accuracy_vs_lag(lambda u: keras.layers.SimpleRNN(u, return_sequences=True), [2],
                        RecallConfig(epochs=1, n_train=8, n_test=4))
    with pytest.raises(ValueError, match="positive ints"):
        accuracy_vs_lag(lambda u: keras.layers.SimpleRNN(u), [])
    with pytest.raises(ValueError, match="cell must be one of 'simple', 'lstm', 'gru'"):
        accuracy_vs_lag("rnn", [2])
    with pytest.raises(TypeError, match="on_trained must be a function"):
        accuracy_vs_lag("simple", [2], on_trained={})
    with pytest.raises(TypeError, match="config must be a RecallConfig"):
        accuracy_vs_lag("simple", [2], {"epochs": 1})
    with pytest.raises(ValueError, match="n_symbols must be an int >= 2"):
        RecallConfig(n_symbols=1)


def test_accuracy_vs_lag_tests_the_trained_model_at_longer_lags() -> None:
    config = RecallConfig(units=8, n_symbols=3, n_train=128, n_test=64, epochs=2, seed=0)
    plain = accuracy_vs_lag(lambda u: keras.layers.GRU(u), [3], config)
    table = accuracy_vs_lag("gru", [3], config, longer_lags=[6, 12])
    assert list(table.columns) == [*plain.columns, "accuracy at lag 6", "accuracy at lag 12"]
    # the extra evaluation does not touch training: the same model, the same figures
    assert table[plain.columns].drop(columns="seconds").equals(plain.drop(columns="seconds"))
    assert table[["accuracy at lag 6", "accuracy at lag 12"]].apply(lambda c: c.between(0, 1)).all().all()
    with pytest.raises(ValueError, match="longer_lags"):
        accuracy_vs_lag("gru", [3], config, longer_lags=[0])


def test_stop_at_ends_training_once_the_task_is_solved() -> None:
    config = RecallConfig(units=8, n_symbols=2, n_train=128, n_test=64, epochs=40, seed=0, learning_rate=3e-2)
    full = accuracy_vs_lag("gru", [2], config)
    early = accuracy_vs_lag("gru", [2], replace(config, stop_at=0.99))
    assert full["epochs"].iloc[0] == 40
    assert early["epochs"].iloc[0] < 40, "lag 2 with two symbols is solved long before 40 epochs"
    never = accuracy_vs_lag("gru", [2], replace(config, stop_at=1.0, epochs=1))
    assert never["epochs"].iloc[0] == 1
    for bad in (0, 1.5, "0.9"):
        with pytest.raises(ValueError, match="stop_at"):
            accuracy_vs_lag("gru", [2], replace(config, stop_at=bad))


def test_stop_when_reached_names_a_metric_that_fit_does_not_log() -> None:
    from course_utils.training import stop_when_reached

    model = keras.Sequential([keras.Input((3,)), keras.layers.Dense(2)])
    model.compile("adam", keras.losses.SparseCategoricalCrossentropy(from_logits=True))
    x, y = np.zeros((8, 3), "float32"), np.zeros(8, "int32")
    with pytest.raises(KeyError, match="accuracy"):
        model.fit(x, y, epochs=1, verbose=0, callbacks=[stop_when_reached("accuracy", 0.9)])
    with pytest.raises(TypeError, match="monitor"):
        stop_when_reached("", 0.9)


def test_accuracy_vs_lag_fallback_saves_then_loads_each_lag(tmp_path, monkeypatch: pytest.MonkeyPatch) -> None:
    from course_kit import pretrained

    monkeypatch.setattr(pretrained, "WEIGHTS_DIR", tmp_path)
    config = RecallConfig(units=4, n_symbols=3, n_train=64, n_test=32, epochs=2, seed=0)
    kwargs = dict(fit=pretrained.fallback_fit("tiny_recall"))
    monkeypatch.setenv(pretrained.SAVE_ENV, "1")
    trained = accuracy_vs_lag("simple", [2, 3], config, **kwargs)
    assert sorted(p.name for p in tmp_path.glob("*.h5")) == ["tiny_recall_lag2.weights.h5", "tiny_recall_lag3.weights.h5"]
    monkeypatch.delenv(pretrained.SAVE_ENV)
    monkeypatch.setenv(pretrained.USE_ENV, "1")
    loaded = accuracy_vs_lag(lambda u: keras.layers.SimpleRNN(u), [2, 3], config, **kwargs)
    # same weights -> same accuracy and loss; seconds are the ones measured when the weights were made
    assert loaded.to_dict() == trained.to_dict()


def test_plots_return_figure_and_axes() -> None:
    fig, ax = plot_training_curves({"train": [3, 2, 1.5], "val": [3.1, 2.5, 2.2]})
    assert len(ax.lines) == 2 and ax.get_xlabel() == "epoch"
    plt.close(fig)
    fig, ax = plot_training_curves([5, 4, 3, 2, 1], smooth_window=2, xlabel="update")
    assert len(ax.lines[0].get_xdata()) == 4
    plt.close(fig)
    fig, ax = plot_gradient_norms({"tanh": np.logspace(0, -5, 10)})
    assert ax.get_yscale() == "log"
    plt.close(fig)
    np.testing.assert_allclose(smooth([1, 2, 3, 4], 2), [1.5, 2.5, 3.5])
    with pytest.raises(ValueError, match="window"):
        smooth([1, 2], 3)
    with pytest.raises(ValueError, match="no curves"):
        plot_training_curves({})
    with pytest.raises(ValueError, match="columns"):
        plot_accuracy_vs_lag([{"lag": 1}])


def test_accuracy_vs_lag_scores_validation_sequences_apart_from_the_test() -> None:
    """``validation=True`` adds validation columns, from other sequences than the test's: a model
    scored on both gets the test figures it gets without them, and the two sets differ."""
    config = RecallConfig(units=8, n_symbols=3, n_train=128, n_test=64, epochs=1, seed=0)
    plain = accuracy_vs_lag("simple", [3], config, longer_lags=[6])
    both = accuracy_vs_lag("simple", [3], config, longer_lags=[6], validation=True)
    assert list(both.columns) == list(plain.columns) + ["validation_accuracy", "validation accuracy at lag 6"]
    assert both["accuracy"].tolist() == plain["accuracy"].tolist()
    assert both[["validation_accuracy", "validation accuracy at lag 6"]].stack().between(0, 1).all()
    x_validation, _ = recall_task(64, 3, 3, seed=0 + 3 + 30_000)  # the data seeds the docstring names
    x_test, _ = recall_task(64, 3, 3, seed=0 + 3 + 10_000)
    assert not np.array_equal(x_validation, x_test)
