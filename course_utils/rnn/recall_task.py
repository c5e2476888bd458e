"""A long-lag memory task and an evaluation of any recurrent layer across lags.

**The recall task.** A sequence of ``lag`` one-hot symbols from an alphabet of
``n_symbols``; the first symbol is the one to remember, the rest are random
distractors from the same alphabet. After reading the whole sequence the model must
name the first symbol. Chance accuracy is ``1 / n_symbols``. The gradient that teaches
the model to keep the symbol must travel back ``lag`` steps.

:func:`accuracy_vs_lag` trains a fresh model per lag and returns a tidy table, so that
several layers (SimpleRNN here, LSTM and GRU in chapter 05) can share one plot
(:func:`course_utils.plots.plot_accuracy_vs_lag`). Its settings (model size, data sizes,
training) travel together in one :class:`RecallConfig`.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from ..cell_kinds import CellSpec, make_cell
from ..training import FitOutcome, compile_once, fit_timed, stop_at_callbacks, without_autotune
from ..validate import finite_number, int_in_range, positive_int

__all__ = ["RecallConfig", "accuracy_vs_lag", "recall_task"]


def recall_task(n: int, lag: int, n_symbols: int = 8, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """``n`` sequences of length ``lag``: inputs (n, lag, n_symbols) float32 one-hot,
    targets (n,) int32 = the id of the first symbol of each sequence."""
    for name, v, low in [("n", n, 1), ("lag", lag, 1), ("n_symbols", n_symbols, 2)]:
        int_in_range(name, v, low)
    rng = np.random.default_rng(seed)
    ids = rng.integers(0, n_symbols, size=(n, lag))
    x = np.eye(n_symbols, dtype="float32")[ids]
    return x, ids[:, 0].astype("int32")


@dataclass(frozen=True)
class RecallConfig:
    """The settings of one :func:`accuracy_vs_lag` run, the same for every lag.

    ``units``: size of the recurrent layer; ``n_symbols``: alphabet (chance is 1/n_symbols);
    ``n_train``/``n_test``: sequences per lag; ``epochs``, ``batch_size``, ``learning_rate``
    (Adam, gradients clipped at norm 1); ``seed``: weights and data of lag L use seed + L.
    ``stop_at``: end a model's training after the first epoch whose training accuracy is at
    least this (for example 0.999: the task is solved); ``epochs`` is then the most.
    ``None`` always trains ``epochs``."""

    units: int = 32
    n_symbols: int = 8
    n_train: int = 2048
    n_test: int = 512
    epochs: int = 20
    batch_size: int = 64
    learning_rate: float = 3e-3
    seed: int = 0
    stop_at: float | None = None

    def __post_init__(self) -> None:
        for name in ("units", "n_train", "n_test", "epochs", "batch_size"):
            positive_int(name, getattr(self, name))
        int_in_range("n_symbols", self.n_symbols, 2, meaning="the alphabet; chance is 1/n_symbols")
        int_in_range("seed", self.seed, 0)
        finite_number("learning_rate", self.learning_rate, low=0, low_open=True)


def accuracy_vs_lag(cell: CellSpec, lags: Sequence[int], config: RecallConfig = RecallConfig(), *,
                    name: str | None = None, fit: Callable[..., FitOutcome] = fit_timed,
                    longer_lags: Sequence[int] = (), on_trained: Callable[[int, Any], None] | None = None,
                    validation: bool = False) -> Any:
    """Train ``Input -> recurrent layer(config.units) -> Dense(n_symbols)`` on the recall task
    at each lag and measure test accuracy. ``cell`` is "simple", "lstm" or "gru", or a factory
    ``units -> layer`` that returns a Keras recurrent layer outputting only its last step, e.g.
    ``lambda u: keras.layers.LSTM(u, unit_forget_bias=False)``.

    Returns a pandas DataFrame with one row per lag: model (``name``, or the layer's class),
    lag, accuracy (on fresh test sequences), chance, train_loss and train_accuracy (over the
    last epoch's training batches), seconds, epochs. Each lag uses fresh weights and its
    own data seeds (seed + lag), so runs repeat. With ``config.stop_at`` the ``epochs``
    column says how many epochs ran.

    ``longer_lags``: test each trained model also on fresh sequences of these lengths, which
    it never trained on; column ``accuracy at lag L`` for each (does the memory outlast the
    lag it was trained for?).

    ``validation=True`` also scores each model on fresh *validation* sequences (other data seeds
    than the test's): column ``validation_accuracy``, and ``validation accuracy at lag L`` for each
    longer lag, so that a choice (a bias, a lag, a claim's threshold) is made without the test.

    ``on_trained(lag, model)``, if given, is called with each trained Keras model (input ->
    recurrent layer -> Dense), for example ``models.__setitem__`` to keep them and look inside.

    ``fit`` trains each lag's model: :func:`course_utils.training.fit_timed` (the default) or
    any function with its signature; it is called with ``part="lag<lag>"``. The course's
    slow-machine fallback is one: it loads shipped weights instead of training, and
    ``seconds`` is then the training time measured when they were made."""
    import keras
    import pandas as pd

    if on_trained is not None and not callable(on_trained):
        raise TypeError(f"on_trained must be a function (lag, model) -> None, got {type(on_trained).__name__}")
    if not callable(fit):
        raise TypeError(f"fit must be a function like course_utils.training.fit_timed, got {type(fit).__name__}")
    if not isinstance(config, RecallConfig):
        raise TypeError(f"config must be a RecallConfig, got {type(config).__name__}; "
                        "pass for example RecallConfig(units=32, epochs=20)")
    lags = list(lags)
    if not lags:
        raise ValueError(f"lags must be a non-empty list of positive ints, got {lags!r}")
    for lag in lags:
        int_in_range("each lag", lag, 1, meaning="lags must be a non-empty list of positive ints")
    longer_lags = [int_in_range("each longer lag", lag, 1, meaning="longer_lags is a list of positive ints")
                   for lag in longer_lags]
    stop = stop_at_callbacks(config.stop_at, "accuracy", "0.999")
    rows = []
    for lag in lags:
        keras.utils.set_random_seed(config.seed + int(lag))
        layer = make_cell(cell, config.units)
        if getattr(layer, "return_sequences", False):
            raise ValueError("cell(units) must return a Keras recurrent layer with return_sequences=False "
                             f"(the answer is read from the last step), got {layer!r}")
        name = name or type(layer).__name__
        model, history, seconds = _train_at_lag(layer, int(lag), config, fit, stop)
        if on_trained is not None:
            on_trained(int(lag), model)
        predict = _predictor(model, config.n_symbols)
        row = {"model": name, "lag": int(lag), "accuracy": _fresh_accuracy(predict, int(lag), config),
               "chance": 1.0 / config.n_symbols, "train_loss": float(history["loss"][-1]),
               "train_accuracy": float(history["accuracy"][-1]), "seconds": round(seconds, 1),
               "epochs": len(history["loss"])}
        for longer in longer_lags:
            row[f"accuracy at lag {longer}"] = _fresh_accuracy(predict, longer, config, seed_offset=20_000)
        if validation:
            row["validation_accuracy"] = _fresh_accuracy(predict, int(lag), config, seed_offset=30_000)
            for longer in longer_lags:
                row[f"validation accuracy at lag {longer}"] = _fresh_accuracy(predict, longer, config, seed_offset=40_000)
        rows.append(row)
    return pd.DataFrame(rows)


def _train_at_lag(layer: Any, lag: int, config: RecallConfig, fit: Callable[..., FitOutcome],
                  stop: list[Any]) -> tuple[Any, dict[str, list[float]], float]:
    """Input(lag, n_symbols) -> layer -> Dense(n_symbols), trained on the task at ``lag``."""
    import keras
    import tensorflow as tf

    n = config.n_symbols
    x_train, y_train = recall_task(config.n_train, lag, n, seed=config.seed + lag)
    model = keras.Sequential([keras.Input((lag, n)), layer, keras.layers.Dense(n)])
    model.compile(optimizer=keras.optimizers.Adam(config.learning_rate, clipnorm=1.0),
                  loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True), metrics=["accuracy"])
    ds = without_autotune(tf.data.Dataset.from_tensor_slices((x_train, y_train))
                          .shuffle(config.n_train, seed=config.seed).batch(config.batch_size))
    extra = {"callbacks": stop} if stop else {}
    history, seconds, _ = fit(model, ds, config.epochs, part=f"lag{lag}", shuffle=False, **extra)  # ds shuffles itself
    return model, history, seconds


def _predictor(model: Any, n_symbols: int) -> Callable[[Any], Any]:
    """The trained model as one compiled function of any lag: (batch, lag, n_symbols) one-hot ->
    (batch, n_symbols) logits. Compiled: eagerly, the recurrent layer would step through its
    time loop in Python; one trace serves the training lag and every longer lag."""
    import tensorflow as tf

    recurrent, readout = model.layers  # the model's Input fixes the length; its layers take any length
    return compile_once(lambda x: readout(recurrent(x, training=False)),
                        [tf.TensorSpec((None, None, n_symbols), tf.float32)])


def _fresh_accuracy(predict: Callable[[Any], Any], lag: int, config: RecallConfig, seed_offset: int = 10_000) -> float:
    """Accuracy of ``predict`` on ``n_test`` fresh sequences of length ``lag`` (data seed
    seed + lag + seed_offset: test 10_000 for the training lag and 20_000 for the longer lags;
    validation 30_000 and 40_000)."""
    import tensorflow as tf

    x_test, y_test = recall_task(config.n_test, lag, config.n_symbols, seed=config.seed + lag + seed_offset)
    logits = predict(tf.constant(x_test, tf.float32)).numpy()
    return float(np.mean(logits.argmax(-1) == y_test))
