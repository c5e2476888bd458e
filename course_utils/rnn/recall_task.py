"""A long-lag memory task and an evaluation of any recurrent layer across lags.

**The recall task.** A sequence of ``lag`` one-hot symbols from an alphabet of
``n_symbols``; the first symbol is the one to remember, the rest are random
distractors from the same alphabet. After reading the whole sequence the model must
name the first symbol. Chance accuracy is ``1 / n_symbols``. The gradient that teaches
the model to keep the symbol must travel back ``lag`` steps.

:func:`accuracy_vs_lag` trains a fresh model per lag and returns a tidy table, so that
several layers (SimpleRNN here, LSTM and GRU in chapter 05) can share one plot
(:func:`course_utils.plots.plot_accuracy_vs_lag`).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from ..data import without_autotune
from ..training import FitOutcome, compile_once, fit_timed, stop_at_callbacks
from ..validate import int_in_range

__all__ = ["accuracy_vs_lag", "recall_task"]


def recall_task(n: int, lag: int, n_symbols: int = 8, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """``n`` sequences of length ``lag``: inputs (n, lag, n_symbols) float32 one-hot,
    targets (n,) int32 = the id of the first symbol of each sequence."""
    for name, v, low in [("n", n, 1), ("lag", lag, 1), ("n_symbols", n_symbols, 2)]:
        int_in_range(name, v, low)
    rng = np.random.default_rng(seed)
    ids = rng.integers(0, n_symbols, size=(n, lag))
    x = np.eye(n_symbols, dtype="float32")[ids]
    return x, ids[:, 0].astype("int32")


def accuracy_vs_lag(layer_factory: Callable[[int], Any], lags: Sequence[int], name: str | None = None,
                    units: int = 32, n_symbols: int = 8, n_train: int = 2048, n_test: int = 512,
                    epochs: int = 20, batch_size: int = 64, learning_rate: float = 3e-3,
                    seed: int = 0, fit: Callable[..., FitOutcome] = fit_timed,
                    longer_lags: Sequence[int] = (), stop_at: float | None = None) -> Any:
    """Train ``Input -> layer_factory(units) -> Dense(n_symbols)`` on the recall task at each lag
    and measure test accuracy. ``layer_factory(units)`` must return a Keras recurrent layer that
    outputs only its last step, e.g. ``lambda u: keras.layers.SimpleRNN(u)``.

    Returns a pandas DataFrame with one row per lag: model, lag, accuracy, chance, train_loss,
    seconds, epochs. Each lag uses fresh weights and its own data seeds (seed + lag), so runs repeat.

    ``stop_at``: end a model's training after the first epoch whose training accuracy is at
    least this (for example 0.999: the task is solved); ``epochs`` is then the most, and the
    ``epochs`` column says how many ran. ``None`` (the default) always trains ``epochs``.

    ``longer_lags``: test each trained model also on fresh sequences of these lengths, which
    it never trained on; column ``accuracy at lag L`` for each (does the memory outlast the
    lag it was trained for?).

    ``fit`` trains each lag's model: :func:`course_utils.training.fit_timed` (the default) or
    any function with its signature; it is called with ``part="lag<lag>"``. The course's
    slow-machine fallback is one: it loads shipped weights instead of training, and
    ``seconds`` is then the training time measured when they were made."""
    import keras
    import pandas as pd
    import tensorflow as tf

    if not callable(fit):
        raise TypeError(f"fit must be a function like course_utils.training.fit_timed, got {type(fit).__name__}")
    if not callable(layer_factory):
        raise TypeError("layer_factory must be a function units -> layer, e.g. lambda u: keras.layers.SimpleRNN(u)")
    lags = list(lags)
    if not lags:
        raise ValueError(f"lags must be a non-empty list of positive ints, got {lags!r}")
    for lag in lags:
        int_in_range("each lag", lag, 1, meaning="lags must be a non-empty list of positive ints")
    longer_lags = [int_in_range("each longer lag", lag, 1, meaning="longer_lags is a list of positive ints")
                   for lag in longer_lags]
    stop = stop_at_callbacks(stop_at, "accuracy", "0.999")
    rows = []
    for lag in lags:
        keras.utils.set_random_seed(seed + int(lag))
        layer = layer_factory(units)
        if not isinstance(layer, keras.layers.Layer) or getattr(layer, "return_sequences", False):
            raise ValueError("layer_factory(units) must return a Keras recurrent layer with return_sequences=False "
                             f"(the answer is read from the last step), got {layer!r}")
        name = name or type(layer).__name__
        x_train, y_train = recall_task(n_train, int(lag), n_symbols, seed=seed + int(lag))
        x_test, y_test = recall_task(n_test, int(lag), n_symbols, seed=seed + int(lag) + 10_000)
        model = keras.Sequential([keras.Input((int(lag), n_symbols)), layer, keras.layers.Dense(n_symbols)])
        model.compile(optimizer=keras.optimizers.Adam(learning_rate, clipnorm=1.0),
                      loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True), metrics=["accuracy"])
        ds = without_autotune(tf.data.Dataset.from_tensor_slices((x_train, y_train))
                              .shuffle(n_train, seed=seed).batch(batch_size))
        extra = {"callbacks": stop} if stop else {}
        history, seconds, _ = fit(model, ds, epochs, part=f"lag{int(lag)}", shuffle=False, **extra)  # ds shuffles itself
        recurrent, readout = model.layers  # the model's Input fixes the length; its layers take any length
        # Compiled: eagerly, the recurrent layer would step through its time loop in Python.
        # (batch, lag, n_symbols) one-hot -> (batch, n_symbols) logits; any lag, one trace.
        predict = compile_once(lambda x: readout(recurrent(x, training=False)),
                               [tf.TensorSpec((None, None, n_symbols), tf.float32)])
        logits = predict(tf.constant(x_test, tf.float32)).numpy()
        row = {"model": name, "lag": int(lag), "accuracy": float(np.mean(logits.argmax(-1) == y_test)),
               "chance": 1.0 / n_symbols, "train_loss": float(history["loss"][-1]), "seconds": round(seconds, 1),
               "epochs": len(history["loss"])}
        for longer in longer_lags:
            x_long, y_long = recall_task(n_test, longer, n_symbols, seed=seed + longer + 20_000)
            logits = predict(tf.constant(x_long, tf.float32)).numpy()
            row[f"accuracy at lag {longer}"] = float(np.mean(logits.argmax(-1) == y_long))
        rows.append(row)
    return pd.DataFrame(rows)
