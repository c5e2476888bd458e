"""Training a model and timing it: the one place the course's training helpers call ``fit``.

The helpers that train models for the learner (``seq2seq.translator.train_translator``,
``rnn.recall_task.accuracy_vs_lag``) take a ``fit=`` function with the signature of
:func:`fit_timed`, which is also their default: it simply trains. Any function with that
signature can take its place, for example one that loads weights trained earlier instead
of training (the course's slow-machine fallback does so).

Three helpers keep training and evaluation fast without changing a number:
:func:`build_before_fit` (``fit_timed`` calls it: the first training step is traced once,
not twice), :func:`compile_once` (a model's forward pass compiled for one helper call) and
:func:`stop_when_reached` (a callback that ends ``fit`` once a task is solved; a helper's
``stop_at=`` argument goes through :func:`stop_at_callbacks`). Two callbacks put a figure per
epoch into the history, so that saved weights carry it: :func:`score_each_epoch` (any score
of the model) and :func:`time_each_epoch` (wall seconds). Every ``tf.data`` pipeline that
``fit`` reads goes through :func:`without_autotune`.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any, NamedTuple

__all__ = ["FitOutcome", "build_before_fit", "compile_once", "fit_timed", "no_retracing_warning", "score_each_epoch",
           "stop_at_callbacks", "stop_when_reached", "time_each_epoch", "without_autotune"]


class FitOutcome(NamedTuple):
    """What a fit function did: the Keras history dict (lists of floats), the training wall
    seconds, and whether weights were loaded instead of trained (``seconds`` is then the time
    measured when they were made)."""

    history: dict[str, list[float]]
    seconds: float
    loaded: bool


def build_before_fit(model: Any, data: Any) -> bool:
    """Create a compiled model's weights, optimizer slots and metric variables from the
    shapes of a ``tf.data.Dataset`` (``data.element_spec``), before its first ``fit``.

    Why: Keras 3 on TensorFlow otherwise creates the optimizer slots and metric variables
    inside the first traced training step, and ``tf.function`` traces a function that
    created variables a second time. Building first saves that second trace (about 2 s for
    chapter 11's translators) and changes no number: nothing is read from ``data``, so the
    shuffle order and the random state stay as they were. Returns whether it built anything;
    it does nothing for other inputs, for a model already trained, for a model compiled under
    a ``tf.distribute`` strategy (Keras builds those first itself), or if this Keras version
    lacks the hook (then ``fit`` builds as usual)."""
    import tensorflow as tf

    build = getattr(model, "_symbolic_build", None)  # Keras 3's own pre-fit build step
    optimizer = getattr(model, "optimizer", None)
    if (not isinstance(data, tf.data.Dataset) or build is None or optimizer is None or optimizer.built
            or getattr(model, "_distribute_strategy", None) is not None):
        return False
    build(data_batch=data.element_spec)
    return True


def without_autotune(dataset: Any) -> Any:
    """``dataset`` (a ``tf.data.Dataset``) with tf.data autotuning switched off. Autotuning can
    stall the end of each ``fit()`` call by several seconds on small machines
    (results/benchmarks.md, "fit teardown"), so every course pipeline that ``fit`` reads goes
    through this."""
    import tensorflow as tf

    options = tf.data.Options()
    options.autotune.enabled = False
    return dataset.with_options(options)


def fit_timed(model: Any, data: Any, epochs: int, part: str | None = None, **fit_kwargs: Any) -> FitOutcome:
    """``model.fit(data, epochs=epochs, verbose=0, **fit_kwargs)``, timed (the build of
    :func:`build_before_fit` included).

    ``part`` names the piece of a larger experiment this fit is (``"lag40"`` when
    ``accuracy_vs_lag`` trains one model per lag); plain training ignores it, a fit function
    that stores or loads weights uses it in the file name."""
    t0 = time.perf_counter()
    build_before_fit(model, data)
    history = model.fit(data, epochs=epochs, verbose=0, **fit_kwargs).history
    seconds = time.perf_counter() - t0
    return FitOutcome({k: [float(v) for v in vals] for k, vals in history.items()}, seconds, False)


def stop_when_reached(monitor: str, target: float) -> Any:
    """A Keras callback that ends ``fit`` after the first epoch whose logged ``monitor``
    (for example ``"accuracy"``, on the training data) is at least ``target``: once a task is
    solved, more epochs teach nothing. Pass it in ``callbacks=[...]``; ``epochs`` becomes
    the most that run, and ``len(history["loss"])`` says how many did."""
    import keras

    if not isinstance(monitor, str) or not monitor:
        raise TypeError(f"monitor must be the name of a logged metric such as 'accuracy', got {monitor!r}")
    target = float(target)
    if target != target:  # NaN
        raise ValueError("target must be a number, got NaN")

    class StopWhenReached(keras.callbacks.Callback):
        def on_epoch_end(self, epoch: int, logs: dict[str, Any] | None = None) -> None:
            logs = logs or {}
            if monitor not in logs:
                raise KeyError(f"stop_when_reached: fit logs no {monitor!r}; it logs {sorted(logs)} "
                               "(compile the model with that metric)")
            if float(logs[monitor]) >= target:
                self.model.stop_training = True

    return StopWhenReached()


def _check_log_name(name: str, example: str) -> None:
    """A callback that adds ``name`` to the epoch's logs puts it in the history: Keras hands
    every callback the same logs dict, and its ``History`` callback comes last."""
    if not isinstance(name, str) or not name:
        raise TypeError(f"name must be a non-empty string such as {example!r}, got {name!r}")


def score_each_epoch(name: str, score: Callable[[Any], float]) -> Any:
    """A Keras callback that, after every epoch, logs ``score(model)`` under ``name``, so that
    ``history[name]`` holds one float per epoch, beside the loss. For figures that
    ``compile(metrics=...)`` cannot compute, such as entity F1 on a validation split
    (``score=lambda m: entity_f1(val_tags, predict_tags(m, vocab, val_words))``).
    Pass it in ``callbacks=[...]``."""
    import keras

    _check_log_name(name, "val_entity_f1")
    if not callable(score):
        raise TypeError(f"score must be a function of the model that returns a float, got {type(score).__name__}")

    class ScoreEachEpoch(keras.callbacks.Callback):
        def on_epoch_end(self, epoch: int, logs: dict[str, Any] | None = None) -> None:
            if logs is not None:
                logs[name] = float(score(self.model))

    return ScoreEachEpoch()


def time_each_epoch(name: str = "epoch_seconds") -> Any:
    """A Keras callback that logs each epoch's wall seconds (its validation pass included)
    under ``name``, so that ``history[name]`` holds one float per epoch. Kept in the history,
    the timings travel with it: saved weights can report how long each epoch took when they
    were made. Pass it in ``callbacks=[...]``."""
    import keras

    _check_log_name(name, "epoch_seconds")

    class TimeEachEpoch(keras.callbacks.Callback):
        def on_epoch_begin(self, epoch: int, logs: dict[str, Any] | None = None) -> None:
            self.start = time.perf_counter()

        def on_epoch_end(self, epoch: int, logs: dict[str, Any] | None = None) -> None:
            if logs is not None:
                logs[name] = time.perf_counter() - self.start

    return TimeEachEpoch()


def stop_at_callbacks(stop_at: float | None, monitor: str, example: str) -> list[Any]:
    """The ``callbacks`` for a helper's ``stop_at=`` argument: ``[]`` for ``None`` (train every
    epoch), else ``[stop_when_reached(monitor, stop_at)]`` once ``stop_at`` is checked to be a
    share in (0, 1]. ``example`` is a good value to name in the error (``"0.999"``)."""
    if stop_at is None:
        return []
    if not (isinstance(stop_at, (int, float)) and 0.0 < float(stop_at) <= 1.0):
        raise ValueError(f"stop_at is a training {monitor.replace('_', ' ')} in (0, 1], such as {example}, "
                         f"or None to train every epoch; got {stop_at!r}")
    return [stop_when_reached(monitor, stop_at)]


class _DropRetracingWarning(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        return "triggered tf.function retracing" not in record.getMessage()


@contextmanager
def no_retracing_warning() -> Iterator[None]:
    """Drop TensorFlow's "triggered tf.function retracing" warning (and no other) inside the
    block: for code that builds and traces one model after another on purpose, where the
    warning is a false alarm."""
    logger = logging.getLogger("tensorflow")
    drop = _DropRetracingWarning()
    logger.addFilter(drop)
    try:
        yield
    finally:
        logger.removeFilter(drop)


def compile_once(fn: Callable[..., Any], input_signature: Sequence[Any]) -> Callable[..., Any]:
    """``tf.function(fn, input_signature=input_signature)``: ``fn`` traced once, for every
    batch size and length the signature allows (``tf.TensorSpec((None, None), "int32")``).

    For helpers that evaluate one model per call: eagerly, a Keras GRU or LSTM steps through
    its time loop in Python, 3x slower or more. Such a helper compiles a fresh function for
    each model, so TensorFlow sees the same Python code traced once per model and, from the
    fifth model in a row, warns of "excessive retracing". Here one trace per model is the
    design, so calls of the returned function drop that one warning (and no other)."""
    import tensorflow as tf

    compiled = tf.function(fn, input_signature=list(input_signature))

    def call(*args: Any) -> Any:
        with no_retracing_warning():
            return compiled(*args)

    return call
