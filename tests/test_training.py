"""course_utils.training: fit_timed builds before the first fit, and that changes no number;
the callbacks that log a figure per epoch put it in the history and change no number either."""

from __future__ import annotations

import keras
import numpy as np
import pytest
import tensorflow as tf

from course_utils.seed import set_seed
from course_utils.training import build_before_fit, fit_timed, score_each_epoch, time_each_epoch


class _CountingGRU(keras.layers.GRU):
    """A GRU that counts how often Python runs its ``call``: once per trace, or per eager call."""

    traces = 0

    def call(self, sequences, initial_state=None, mask=None, training=False):
        type(self).traces += 1
        return super().call(sequences, initial_state=initial_state, mask=mask, training=training)


def _model_and_data() -> tuple[keras.Model, tf.data.Dataset]:
    set_seed(0)
    model = keras.Sequential([keras.Input((12, 3)), _CountingGRU(8, dropout=0.1), keras.layers.Dense(4)])
    model.compile(keras.optimizers.Adam(1e-2, clipnorm=1.0),
                  keras.losses.SparseCategoricalCrossentropy(from_logits=True), metrics=["accuracy"])
    rng = np.random.default_rng(0)
    x = rng.normal(size=(96, 12, 3)).astype("float32")
    y = rng.integers(0, 4, size=96)
    return model, tf.data.Dataset.from_tensor_slices((x, y)).shuffle(96, seed=1).batch(32)


def test_building_first_saves_the_second_trace_and_changes_no_number() -> None:
    model, ds = _model_and_data()
    _CountingGRU.traces = 0
    plain = model.fit(ds, epochs=3, verbose=0, shuffle=False).history
    traced_plain = _CountingGRU.traces  # the training step, traced twice (it created variables)

    model, ds = _model_and_data()
    _CountingGRU.traces = 0
    assert build_before_fit(model, ds)
    built = _CountingGRU.traces  # the symbolic build runs the layer once
    history, seconds, loaded = fit_timed(model, ds, 3, shuffle=False)
    assert _CountingGRU.traces - built == traced_plain - 1 == 1
    assert history["loss"] == plain["loss"] and history["accuracy"] == plain["accuracy"]
    assert seconds > 0 and not loaded
    assert not build_before_fit(model, ds), "an optimizer that is built already needs no build"


def test_build_before_fit_leaves_other_inputs_to_keras() -> None:
    model, _ = _model_and_data()
    x = np.zeros((4, 12, 3), "float32")
    assert not build_before_fit(model, x)
    assert not model.optimizer.built


def test_compile_once_traces_once_per_function_and_drops_only_the_retracing_warning(caplog) -> None:
    import logging

    from course_utils.rnn.char_lm import evaluate_char_lm
    from course_utils.training import compile_once

    calls = []
    square = compile_once(lambda x: (calls.append(1), x * x)[1], [tf.TensorSpec((None,), tf.float32)])
    for n in (1, 2, 3):  # three batch sizes, one trace
        assert np.allclose(square(tf.ones(n) * 2.0).numpy(), 4.0)
    assert len(calls) == 1

    ids = np.arange(200) % 7  # one batch per model: without the filter, TensorFlow warns from the fifth
    with caplog.at_level(logging.WARNING, logger="tensorflow"):
        for seed in range(7):  # seven models in a row: each its own function, one trace each
            set_seed(seed)
            model = keras.Sequential([keras.Input((20,)), keras.layers.Embedding(7, 4),
                                      keras.layers.GRU(8, return_sequences=True), keras.layers.Dense(7)])
            assert evaluate_char_lm(model, ids, seq_len=20, batch_size=32) > 0
        logging.getLogger("tensorflow").warning("a real warning stays")
    messages = [r.getMessage() for r in caplog.records]
    assert not any("retracing" in m for m in messages), messages
    assert "a real warning stays" in messages


def test_score_each_epoch_matches_scoring_between_one_epoch_fits() -> None:
    """The callback gives what a hand-written loop gives (fit one epoch, score, repeat): the
    same scores and the same losses. The baseline is that loop, not a fit without scoring:
    here a ``predict`` between epochs changes the later losses slightly, with or without
    the callback."""
    x_check = np.ones((5, 12, 3), "float32")

    def score(m: keras.Model) -> float:
        return float(np.asarray(m.predict(x_check, verbose=0)).mean())

    model, ds = _model_and_data()
    loop_loss, loop_scores = [], []
    for _ in range(3):
        loop_loss += model.fit(ds, epochs=1, verbose=0, shuffle=False).history["loss"]
        loop_scores.append(score(model))

    model, ds = _model_and_data()
    history = model.fit(ds, epochs=3, verbose=0, shuffle=False, callbacks=[score_each_epoch("check", score)]).history
    assert history["check"] == loop_scores and all(isinstance(v, float) for v in history["check"])
    assert history["loss"] == loop_loss
    assert history["check"][-1] == score(model)  # the last entry is the trained model's score


def test_score_each_epoch_rejects_what_it_cannot_log() -> None:
    with pytest.raises(TypeError, match="non-empty string"):
        score_each_epoch("", lambda m: 0.0)
    with pytest.raises(TypeError, match="function of the model"):
        score_each_epoch("f1", 0.5)


def test_time_each_epoch_logs_one_positive_float_per_epoch_and_changes_no_number() -> None:
    model, ds = _model_and_data()
    plain = model.fit(ds, epochs=3, verbose=0, shuffle=False).history
    model, ds = _model_and_data()
    timed = model.fit(ds, epochs=3, verbose=0, shuffle=False, callbacks=[time_each_epoch()]).history
    assert len(timed["epoch_seconds"]) == 3 and all(isinstance(s, float) and s > 0 for s in timed["epoch_seconds"])
    assert timed["loss"] == plain["loss"]
    with pytest.raises(TypeError, match="non-empty string"):
        time_each_epoch("")
