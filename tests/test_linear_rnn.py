"""course_utils.linear_rnn: the three computations of h_t = a_t h_{t-1} + b_t agree, the
minGRU/minLSTM layers equal a hand loop and never read the future, linear attention's
parallel and recurrent forms agree; bad input raises errors that say what to do."""

from __future__ import annotations

import keras
import numpy as np
import pytest
import tensorflow as tf
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from course_utils.linear_rnn.layers import MinGRU, MinGRUCell, MinLSTM, g, log_g
from course_utils.linear_rnn.linear_attention import (
    elu_feature_map,
    parallel_linear_attention,
    recurrent_linear_attention,
)
from course_utils.linear_rnn.scan import combine, log_space_scan, parallel_scan, sequential_scan
from course_utils.linear_rnn.speed import count_combine_rounds, plot_depth, plot_speed, seconds_per_epoch
from course_utils.rnn.char_lm import build_char_lm, make_stepper

TF = settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def loop(a: np.ndarray, b: np.ndarray, h0: np.ndarray | None = None) -> np.ndarray:
    h = np.zeros_like(a[:, 0]) if h0 is None else h0
    out = []
    for t in range(a.shape[1]):
        h = a[:, t] * h + b[:, t]
        out.append(h)
    return np.stack(out, axis=1)


def coefficients(seed: int, shape: tuple[int, int, int], dtype: str, positive_b: bool = False):
    rng = np.random.default_rng(seed)
    a = rng.uniform(0.3, 1.0, size=shape).astype(dtype)
    b = (rng.uniform(0.05, 1.0, size=shape) if positive_b else rng.normal(size=shape)).astype(dtype)
    return a, b


@pytest.mark.parametrize("dtype, tol", [("float32", 1e-5), ("float64", 1e-12)])
@pytest.mark.parametrize("T", [1, 2, 7, 64])
def test_scan_and_loop_agree(dtype: str, tol: float, T: int) -> None:
    a, b = coefficients(T, (3, T, 5), dtype)
    h0 = np.random.default_rng(1).normal(size=(3, 5)).astype(dtype)
    for start in (None, h0):
        want = loop(a, b, start)
        for fn in (sequential_scan, parallel_scan):
            got = np.asarray(fn(a, b, start))
            assert got.dtype == np.dtype(dtype) and got.shape == (3, T, 5)
            assert np.max(np.abs(got - want)) < tol, fn.__name__


@pytest.mark.parametrize("dtype, tol", [("float32", 1e-5), ("float64", 1e-12)])
def test_log_space_agrees_with_the_loop(dtype: str, tol: float) -> None:
    a, b = coefficients(3, (2, 48, 4), dtype, positive_b=True)
    h0 = np.full((2, 4), 0.5, dtype=dtype)
    for start in (None, h0):
        got = np.asarray(log_space_scan(np.log(a), np.log(b), start))
        assert np.max(np.abs(got - loop(a, b, start))) < tol


def test_parallel_scan_gradient_equals_the_loops() -> None:
    a, b = (tf.Variable(x) for x in coefficients(5, (2, 13, 3), "float64"))
    h0 = tf.Variable(np.ones((2, 3)))
    w = tf.constant(np.random.default_rng(2).normal(size=(2, 13, 3)))

    def grads(fn):
        with tf.GradientTape() as tape:
            loss = tf.reduce_sum(fn(a, b, h0) * w)
        return tape.gradient(loss, [a, b, h0])

    for got, want in zip(grads(parallel_scan), grads(sequential_scan)):
        np.testing.assert_allclose(got.numpy(), want.numpy(), atol=1e-12)


def test_combine_is_associative_and_composes_in_order() -> None:
    rng = np.random.default_rng(0)
    m1, m2, m3 = [tuple(rng.normal(size=4) for _ in range(2)) for _ in range(3)]
    left, right = combine(combine(m1, m2), m3), combine(m1, combine(m2, m3))
    for x, y in zip(left, right):
        np.testing.assert_allclose(x, y)
    a, b = combine(m1, m2)
    h = rng.normal(size=4)
    np.testing.assert_allclose(a * h + b, m2[0] * (m1[0] * h + m1[1]) + m2[1])


def test_scan_rejects_bad_shapes_with_a_fix() -> None:
    a = np.ones((2, 5, 3), "float32")
    with pytest.raises(ValueError, match=r"\(batch, T, H\).*x\[None\]"):
        parallel_scan(a[0], a[0])
    with pytest.raises(ValueError, match="same dtype"):
        sequential_scan(a, a.astype("float64"))
    with pytest.raises(ValueError, match="h0 must have shape"):
        parallel_scan(a, a, np.ones((2, 4), "float32"))


def test_g_is_positive_continuous_and_log_g_is_its_log() -> None:
    x = np.linspace(-20, 20, 401)
    gx = np.asarray(g(x))
    assert (gx > 0).all() and abs(float(np.asarray(g(np.array([0.0])))[0]) - 0.5) < 1e-12
    np.testing.assert_allclose(np.asarray(log_g(x)), np.log(gx), rtol=1e-10, atol=1e-12)


@pytest.mark.parametrize("layer_cls", [MinGRU, MinLSTM])
def test_layer_methods_agree_with_a_hand_loop_over_the_cell(layer_cls) -> None:
    x = np.random.default_rng(0).normal(size=(3, 20, 4)).astype("float32")
    outputs = {}
    for method in ("scan", "sequential", "log"):
        keras.utils.set_random_seed(7)
        layer = layer_cls(6, return_sequences=True, method=method, candidate="g")
        outputs[method] = np.asarray(layer(x))
        assert outputs[method].shape == (3, 20, 6)
    h, hand = np.zeros((3, 6), "float32"), []
    for t in range(20):
        h, _ = layer.cell(x[:, t], [h])
        hand.append(np.asarray(h))
    hand = np.stack(hand, axis=1)
    for method, out in outputs.items():
        assert np.max(np.abs(out - hand)) < 1e-5, method
    keras.utils.set_random_seed(7)
    last = layer_cls(6, candidate="g")
    assert np.max(np.abs(np.asarray(last(x)) - hand[:, -1])) < 1e-5


@pytest.mark.parametrize("layer_cls", [MinGRU, MinLSTM])
def test_layer_is_causal(layer_cls) -> None:
    rng = np.random.default_rng(1)
    x = rng.normal(size=(2, 16, 3)).astype("float32")
    layer = layer_cls(5, return_sequences=True)
    before = np.asarray(layer(x))
    for t in (0, 7, 14):
        changed = x.copy()
        changed[:, t + 1:] = rng.normal(size=changed[:, t + 1:].shape)
        after = np.asarray(layer(changed))
        np.testing.assert_array_equal(after[:, : t + 1], before[:, : t + 1])


def test_parameter_counts() -> None:
    for cls, blocks in ((MinGRU, 2), (MinLSTM, 3)):
        layer = cls(8)
        layer.build((None, None, 5))
        assert layer.count_params() == blocks * (5 + 1) * 8


def test_layer_rejects_bad_settings_with_a_fix() -> None:
    with pytest.raises(ValueError, match="candidate='g'"):
        MinGRU(4, method="log")
    with pytest.raises(ValueError, match="method must be one of"):
        MinGRU(4, method="fast")
    with pytest.raises(ValueError, match="units must be a positive int"):
        MinLSTM(0)
    with pytest.raises(ValueError, match=r"\(batch, T, D\)"):
        MinGRU(4)(np.ones((2, 3), "float32"))


def test_min_gru_works_in_a_char_lm_saves_and_steps(tmp_path) -> None:
    keras.utils.set_random_seed(0)
    model = build_char_lm(11, lambda units: MinGRU(units, return_sequences=True), 8, embed_dim=4, seq_len=12)
    ids = np.random.default_rng(0).integers(0, 11, size=(4, 12)).astype("int32")
    model.fit(ids, ids, epochs=1, verbose=0)
    path = tmp_path / "m.keras"
    model.save(path)
    loaded = keras.models.load_model(path)
    np.testing.assert_allclose(np.asarray(loaded(ids)), np.asarray(model(ids)), atol=1e-6)
    step, initial = make_stepper(model)
    states = initial(4)
    for t in range(12):
        logits, states = step(ids[:, t], states)
    np.testing.assert_allclose(logits, np.asarray(model(ids))[:, -1], atol=1e-4)
    assert isinstance(loaded.layers[1].cell, MinGRUCell)


@pytest.mark.parametrize("layer_cls", [MinGRU, MinLSTM])
def test_the_three_methods_train_alike(layer_cls) -> None:
    ids = np.random.default_rng(0).integers(0, 11, size=(16, 20)).astype("int32")
    losses = {}
    for method in ("scan", "sequential", "log"):
        keras.utils.set_random_seed(0)
        model = build_char_lm(11, lambda units: layer_cls(units, return_sequences=True, method=method, candidate="g"),
                              8, embed_dim=4, seq_len=20)
        losses[method] = model.fit(ids, ids, epochs=2, batch_size=8, verbose=0).history["loss"]
    np.testing.assert_allclose(losses["scan"], losses["sequential"], atol=1e-5)
    np.testing.assert_allclose(losses["log"], losses["sequential"], atol=1e-5)


@pytest.mark.parametrize("dtype, tol", [("float32", 1e-5), ("float64", 1e-12)])
def test_linear_attention_parallel_equals_recurrent(dtype: str, tol: float) -> None:
    rng = np.random.default_rng(3)
    q, k = rng.normal(size=(2, 2, 30, 4)).astype(dtype)
    v = rng.normal(size=(2, 30, 3)).astype(dtype)
    par = np.asarray(parallel_linear_attention(q, k, v))
    rec, (S, z) = recurrent_linear_attention(q, k, v, return_state=True)
    assert par.shape == (2, 30, 3) and tuple(S.shape) == (2, 4, 3) and tuple(z.shape) == (2, 4)
    assert np.max(np.abs(par - np.asarray(rec))) < tol
    assert np.all(np.asarray(elu_feature_map(q)) > 0)


def test_linear_attention_rejects_mismatched_shapes() -> None:
    q = np.ones((1, 5, 4), "float32")
    with pytest.raises(ValueError, match=r"\(batch, T, d\)"):
        parallel_linear_attention(q, q[:, :4], q)
    with pytest.raises(ValueError, match=r"\(batch, T, d_v\)"):
        recurrent_linear_attention(q, q, q[:, :3])


def test_speed_helpers_run_and_plot() -> None:
    keras.utils.set_random_seed(0)
    table = seconds_per_epoch(lambda units: MinGRU(units, return_sequences=True), 4, [8, 16], tokens_per_step=32,
                              epoch_tokens=320, steps=1, vocab_size=5)
    assert list(table["seq_len"]) == [8, 16] and list(table["batch"]) == [4, 2]
    np.testing.assert_allclose(table["s/epoch"], table["s/step"] * 10)
    with pytest.raises(ValueError, match="raise tokens_per_step"):
        seconds_per_epoch("gru", 4, [64], tokens_per_step=32)
    assert [count_combine_rounds(T) for T in (1, 2, 64)] == [0, 1, 11]
    fig, ax = plot_speed({"minGRU": table})
    fig2, ax2 = plot_depth([8, 16], rounds=[5, 7])
    assert fig is ax.figure and fig2 is ax2.figure


# Property tests, in the style of tests/test_properties.py.

@TF
@given(st.integers(1, 40), st.integers(1, 4), st.integers(0, 10_000))
def test_property_scan_matches_loop_for_any_length(T: int, H: int, seed: int) -> None:
    a, b = coefficients(seed, (2, T, H), "float64")
    want = loop(a, b)
    assert np.max(np.abs(np.asarray(parallel_scan(a, b)) - want)) < 1e-10
    log_h = np.asarray(log_space_scan(np.log(a), np.log(np.abs(b) + 0.1)))
    assert np.max(np.abs(log_h - loop(a, np.abs(b) + 0.1))) < 1e-9


@TF
@given(st.integers(1, 25), st.integers(1, 4), st.integers(1, 4), st.integers(0, 10_000))
def test_property_linear_attention_forms_agree_and_average_the_values(T: int, d: int, dv: int, seed: int) -> None:
    rng = np.random.default_rng(seed)
    q, k = rng.normal(scale=2.0, size=(2, 1, T, d))
    v = rng.normal(size=(1, T, dv))
    par = np.asarray(parallel_linear_attention(q, k, v))
    np.testing.assert_allclose(par, np.asarray(recurrent_linear_attention(q, k, v)), atol=1e-10)
    # each output is a weighted average of the values seen so far: inside their running range
    assert np.all(par <= np.maximum.accumulate(v, axis=1) + 1e-9)
    assert np.all(par >= np.minimum.accumulate(v, axis=1) - 1e-9)
