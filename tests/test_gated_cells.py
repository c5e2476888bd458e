"""ScratchLSTMCell and ScratchGRUCell: equal to Keras's LSTM and GRU, masks, shapes, errors."""

from __future__ import annotations

import keras
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from course_utils.cell_kinds import check_cell, recurrent_layer
from course_utils.rnn.cells import ScratchGRUCell, ScratchLSTMCell, copy_weights, gru_gates, lstm_gates, scratch_rnn

CASES = [("lstm", {}), ("gru", {"reset_after": True}), ("gru", {"reset_after": False})]


def _pair(cell: str, kwargs: dict, units: int = 5, D: int = 3, seed: int = 0) -> tuple[keras.layers.Layer, keras.layers.Layer]:
    rng = np.random.default_rng(seed)
    x = np.zeros((1, 2, D), "float32")
    ref = recurrent_layer(cell, units, return_sequences=True, **kwargs)
    ref(x)
    for w in ref.weights:  # random biases too, so that every term is exercised
        w.assign(rng.normal(scale=0.5, size=tuple(w.shape)).astype("float32"))
    scratch = ScratchLSTMCell(units) if check_cell(cell) == "lstm" else ScratchGRUCell(units, **kwargs)
    mine = scratch_rnn(scratch, return_sequences=True)
    mine(x)
    copy_weights(ref, mine)
    return ref, mine


@pytest.mark.parametrize("cell, kwargs", CASES, ids=["lstm", "gru_reset_after", "gru_reset_before"])
def test_scratch_cell_equals_keras(cell: str, kwargs: dict) -> None:
    ref, mine = _pair(cell, kwargs)
    x = np.random.default_rng(1).normal(size=(4, 9, 3)).astype("float32")
    assert np.max(np.abs(np.asarray(ref(x)) - np.asarray(mine(x)))) < 1e-5


@pytest.mark.parametrize("cell, kwargs", CASES, ids=["lstm", "gru_reset_after", "gru_reset_before"])
def test_masked_steps_are_skipped_like_keras(cell: str, kwargs: dict) -> None:
    ref, mine = _pair(cell, kwargs)
    x = np.random.default_rng(2).normal(size=(2, 6, 3)).astype("float32")
    mask = np.array([[1, 1, 1, 1, 1, 1], [1, 1, 1, 0, 0, 0]], dtype=bool)
    out_ref = np.asarray(ref(x, mask=mask))
    out_mine = np.asarray(mine(x, mask=mask))
    assert np.max(np.abs(out_ref - out_mine)) < 1e-5
    # masked steps carry the last real state forward, whatever the padded inputs hold
    x2 = x.copy()
    x2[1, 3:] = 99.0
    assert np.allclose(np.asarray(mine(x2, mask=mask))[1], out_mine[1], atol=1e-6)
    assert np.allclose(out_mine[1, 3:], out_mine[1, 2], atol=1e-6)


def test_states_and_shapes() -> None:
    x = np.zeros((2, 4, 3), "float32")
    out, h, c = scratch_rnn(ScratchLSTMCell(6), return_state=True)(x)
    assert tuple(out.shape) == tuple(h.shape) == tuple(c.shape) == (2, 6)
    out, h = scratch_rnn(ScratchGRUCell(6), return_state=True)(x)
    assert tuple(out.shape) == tuple(h.shape) == (2, 6)
    lstm = scratch_rnn(ScratchLSTMCell(6))
    lstm(x)
    assert [tuple(w.shape) for w in lstm.weights] == [(3, 24), (6, 24), (24,)]
    assert np.allclose(lstm.weights[2].numpy()[6:12], 1.0) and np.allclose(lstm.weights[2].numpy()[:6], 0.0)
    gru = scratch_rnn(ScratchGRUCell(6, reset_after=True))
    gru(x)
    assert tuple(gru.weights[2].shape) == (2, 18)


def test_gate_converters_match_the_equations() -> None:
    ref, _ = _pair("lstm", {}, units=4, D=3)
    p = lstm_gates(ref)
    assert p["W_fx"].shape == (4, 3) and p["W_fh"].shape == (4, 4) and p["b_o"].shape == (4,)
    x = np.random.default_rng(3).normal(size=(2, 1, 3)).astype("float32")
    sig = lambda z: 1 / (1 + np.exp(-z))  # noqa: E731
    gate = lambda k: x[:, 0] @ p[f"W_{k}x"].T + p[f"b_{k}"]  # noqa: E731  h_0 = 0
    c = sig(gate("i")) * np.tanh(gate("g"))
    h = sig(gate("o")) * np.tanh(c)
    assert np.allclose(np.asarray(ref(x))[:, 0], h, atol=1e-5)
    g_after, _ = _pair("gru", {"reset_after": True}, units=4, D=3)
    assert set(gru_gates(g_after)) >= {"W_zx", "W_nh", "b_nx", "b_nh"}
    g_before, _ = _pair("gru", {"reset_after": False}, units=4, D=3)
    assert set(gru_gates(g_before)) >= {"W_rx", "b_z", "b_n"} and "b_nh" not in gru_gates(g_before)


def test_bad_input_gets_clear_errors() -> None:
    with pytest.raises(ValueError, match="units must be a positive int"):
        ScratchLSTMCell(0)
    with pytest.raises(ValueError, match="units must be a positive int"):
        ScratchGRUCell(2.5)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match=r"wrap it as keras.layers.RNN\(cell\)"):
        ScratchLSTMCell(3).build((2, 4, 3))
    simple = keras.layers.SimpleRNN(4)
    simple(np.zeros((1, 2, 3), "float32"))
    with pytest.raises(ValueError, match="not a LSTM"):
        lstm_gates(simple)
    with pytest.raises(ValueError, match="no weights yet"):
        gru_gates(keras.layers.GRU(3))
    lstm, gru = keras.layers.LSTM(4), scratch_rnn(ScratchGRUCell(4))
    lstm(np.zeros((1, 2, 3), "float32"))
    gru(np.zeros((1, 2, 3), "float32"))
    with pytest.raises(ValueError, match="weight shapes differ"):
        copy_weights(lstm, gru)


def test_gate_bias_initialisers() -> None:
    from course_utils.rnn.cells import forget_bias, update_bias

    lstm = keras.layers.LSTM(3, unit_forget_bias=False, bias_initializer=forget_bias(3.0))
    lstm(np.zeros((1, 2, 2), "float32"))
    assert np.allclose(lstm_gates(lstm)["b_f"], 3.0) and np.allclose(lstm_gates(lstm)["b_i"], 0.0)
    default = keras.layers.LSTM(3)
    default(np.zeros((1, 2, 2), "float32"))
    unit = keras.layers.LSTM(3, unit_forget_bias=False, bias_initializer=forget_bias(1.0))
    unit(np.zeros((1, 2, 2), "float32"))
    assert np.array_equal(default.weights[2].numpy(), unit.weights[2].numpy())
    for reset_after in (True, False):
        gru = keras.layers.GRU(3, reset_after=reset_after, bias_initializer=update_bias(2.0))
        gru(np.zeros((1, 2, 2), "float32"))
        p = gru_gates(gru)
        b_z = p["b_zx"] if reset_after else p["b_z"]
        assert np.allclose(b_z, 2.0) and np.allclose(p["b_nx" if reset_after else "b_n"], 0.0)
        if reset_after:
            assert np.allclose(p["b_zh"], 0.0)  # only the input-side row is set
    with pytest.raises(ValueError, match="does not split into 4 gates"):
        forget_bias(1.0)((9,))


@settings(max_examples=6, deadline=None)
@given(batch=st.integers(1, 3), steps=st.integers(1, 7), seed=st.integers(0, 2**16))
def test_lstm_gate_values_reproduce_the_layer(batch: int, steps: int, seed: int) -> None:
    from course_utils.rnn.cells import lstm_gate_values

    rng = np.random.default_rng(seed)
    layer = keras.layers.LSTM(4)
    x = rng.normal(size=(batch, steps, 3)).astype("float32")
    layer(x)
    for w in layer.weights:
        w.assign(rng.normal(scale=0.5, size=tuple(w.shape)).astype("float32"))
    g = lstm_gate_values(layer, x)
    assert all(g[k].shape == (batch, steps, 4) for k in "ifgoch")
    assert np.allclose(g["h"][:, -1], np.asarray(layer(x)), atol=1e-5)
    assert all(((g[k] > 0) & (g[k] < 1)).all() for k in "ifo"), "gates are sigmoids"
    assert np.allclose(g["c"][:, 0], g["i"][:, 0] * g["g"][:, 0]), "the first cell starts from zero"


def test_lstm_gate_values_name_the_expected_input_shape() -> None:
    from course_utils.rnn.cells import lstm_gate_values

    layer = keras.layers.LSTM(2)
    layer(np.zeros((1, 3, 5), "float32"))
    with pytest.raises(ValueError, match=r"\(batch, time, 5\)"):
        lstm_gate_values(layer, np.zeros((1, 3, 4)))
