"""The scratch SimpleRNN cell inside keras.layers.RNN equals keras.layers.SimpleRNN."""

from __future__ import annotations

import keras
import numpy as np
import pytest

from course_utils.rnn import numpy_rnn as rnn
from course_utils.rnn.cells import (ScratchCell, ScratchSimpleRNNCell, copy_weights, numpy_to_simple_rnn,
                                scratch_rnn, simple_rnn_to_numpy)

X = np.random.default_rng(0).normal(size=(3, 7, 5)).astype("float32")


@pytest.mark.parametrize("return_sequences", [False, True])
def test_scratch_cell_matches_keras_simple_rnn(return_sequences: bool) -> None:
    ref = keras.layers.SimpleRNN(6, return_sequences=return_sequences)
    ours = scratch_rnn(ScratchSimpleRNNCell(6), return_sequences=return_sequences)
    ref(X)
    ours(X)
    copy_weights(ref, ours)
    assert np.abs(np.asarray(ref(X)) - np.asarray(ours(X))).max() < 1e-5
    assert ref.count_params() == ours.count_params() == 6 * (5 + 6 + 1)


def test_copy_back_and_return_state() -> None:
    ours = scratch_rnn(ScratchSimpleRNNCell(4), return_sequences=True, return_state=True)
    seq, state = ours(X)
    np.testing.assert_allclose(np.asarray(seq)[:, -1], np.asarray(state), atol=1e-6)
    ref = keras.layers.SimpleRNN(4, return_sequences=True)
    ref(X)
    copy_weights(ours, ref)
    np.testing.assert_allclose(np.asarray(ref(X)), np.asarray(seq), atol=1e-5)


def test_numpy_conversion_round_trip_matches_numpy_forward() -> None:
    layer = keras.layers.SimpleRNN(4, return_sequences=True)
    layer(X)
    params = simple_rnn_to_numpy(layer)
    assert params["W_hx"].shape == (4, 5) and params["W_hh"].shape == (4, 4)
    full = {**{k: v.astype("float64") for k, v in params.items()}, "W_hy": np.zeros((1, 4)), "b_y": np.zeros(1)}
    np.testing.assert_allclose(rnn.rnn_forward(full, X.astype("float64")).hs[:, 1:], np.asarray(layer(X)), atol=1e-5)
    new = rnn.init_params(5, 4, 1, seed=3, scale=0.3)
    numpy_to_simple_rnn(new, layer)
    np.testing.assert_allclose(simple_rnn_to_numpy(layer)["W_hh"], new["W_hh"], atol=1e-6)


def test_scratch_cell_trains_in_a_model_and_relu_works() -> None:
    model = keras.Sequential([keras.Input((7, 5)), scratch_rnn(ScratchSimpleRNNCell(3, activation="relu")),
                              keras.layers.Dense(1)])
    model.compile("adam", "mse")
    model.fit(X, np.ones((3, 1)), epochs=1, verbose=0)
    assert isinstance(ScratchSimpleRNNCell(3), ScratchCell)
    assert ScratchSimpleRNNCell(3).get_config()["units"] == 3


def test_errors_say_what_to_do() -> None:
    with pytest.raises(ValueError, match="units"):
        ScratchSimpleRNNCell(0)
    with pytest.raises(TypeError, match="ScratchCell"):
        scratch_rnn(keras.layers.SimpleRNNCell(3))
    with pytest.raises(ValueError, match="no weights yet"):
        copy_weights(keras.layers.SimpleRNN(3), keras.layers.SimpleRNN(3))
    a, b = keras.layers.SimpleRNN(3), keras.layers.SimpleRNN(4)
    a(X)
    b(X)
    with pytest.raises(ValueError, match="shapes differ"):
        copy_weights(a, b)
    lstm = keras.layers.LSTM(3)
    lstm(X)
    with pytest.raises(ValueError, match="not a SimpleRNN"):
        simple_rnn_to_numpy(lstm)
