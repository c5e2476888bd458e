"""The NumPy RNN: forward pass, BPTT against tf.GradientTape, helpers, char-model trainer and sampler."""

from __future__ import annotations

import numpy as np
import pytest

from course_utils.rnn import numpy_rnn as rnn
def _case(seed: int = 0, B: int = 2, T: int = 5, D: int = 4, H: int = 6, V: int = 3):
    params = rnn.init_params(D, H, V, seed=seed, scale=0.5)
    rng = np.random.default_rng(seed + 1)
    return params, rng.normal(size=(B, T, D)), rng.integers(0, V, size=(B, T))


def test_forward_shapes_zero_h0_and_shared_weights() -> None:
    params, xs, _ = _case()
    cache = rnn.rnn_forward(params, xs)
    assert cache.hs.shape == (2, 6, 6) and cache.logits.shape == (2, 5, 3)
    assert np.all(cache.hs[:, 0] == 0)
    h1 = np.tanh(xs[:, 0] @ params["W_hx"].T + params["b_h"])
    h2 = np.tanh(xs[:, 1] @ params["W_hx"].T + h1 @ params["W_hh"].T + params["b_h"])
    np.testing.assert_allclose(cache.hs[:, 2], h2)
    np.testing.assert_allclose(cache.logits[:, 1], h2 @ params["W_hy"].T + params["b_y"])


@pytest.mark.parametrize("activation", rnn.ACTIVATIONS)
def test_bptt_matches_gradient_tape_in_float64(activation: str) -> None:
    params, xs, ys = _case(seed=3)
    errors = rnn.gradient_check(params, xs, ys, activation)
    assert set(errors) == set(rnn.PARAM_NAMES)
    assert max(errors.values()) < 1e-6, errors


def test_a_wrong_gradient_is_caught() -> None:
    params, xs, ys = _case(seed=4)
    _, mine, _ = rnn.loss_and_grads(params, xs, ys)
    _, theirs = rnn.tf_loss_and_grads(params, xs, ys)
    assert rnn.relative_error(mine["W_hh"] * 1.01, theirs["W_hh"]) > 1e-3


def test_loss_matches_tf_and_uniform_start() -> None:
    params, xs, ys = _case(seed=5)
    loss, _, h_last = rnn.loss_and_grads(params, xs, ys)
    tf_loss, _ = rnn.tf_loss_and_grads(params, xs, ys)
    assert loss == pytest.approx(tf_loss, rel=1e-12)
    assert h_last.shape == (2, 6)
    tiny = rnn.init_params(4, 6, 3, scale=1e-6)
    assert rnn.loss_and_grads(tiny, xs, ys)[0] == pytest.approx(np.log(3), rel=1e-4)


def test_clipping_and_spectral_radius() -> None:
    grads = {"a": np.full((2, 2), 3.0), "b": np.full(2, 4.0)}
    clipped, norm = rnn.clip_by_global_norm(grads, 1.0)
    assert norm == pytest.approx(np.sqrt(4 * 9 + 2 * 16))
    assert rnn.global_norm(clipped) == pytest.approx(1.0)
    same, _ = rnn.clip_by_global_norm(grads, 100.0)
    np.testing.assert_array_equal(same["a"], grads["a"])
    W = rnn.recurrent_matrix(16, 1.3, seed=1)
    assert np.max(np.abs(np.linalg.eigvals(W))) == pytest.approx(1.3)


def test_gradient_norms_vanish_for_small_radius_and_explode_for_large() -> None:
    params, xs, _ = _case(D=4, H=16, T=40)
    params = dict(params)
    params["W_hh"] = rnn.recurrent_matrix(16, 0.5, seed=2)
    small = rnn.hidden_gradient_norms(params, xs, "tanh")
    params["W_hh"] = rnn.recurrent_matrix(16, 3.0, seed=2)
    large = rnn.hidden_gradient_norms(params, xs, "relu")
    assert small.shape == (40,) and small[30] < 1e-6 * small[0]
    assert large[30] > 1e3 * large[0]


def test_char_rnn_trains_samples_and_scores() -> None:
    words = ["anna", "bob", "clara", "dora", "emma", "frank", "greta", "hanna"] * 20
    model = rnn.train_char_rnn(words, rnn.CharRNNConfig(units=16, seq_len=10, batch_size=4, epochs=4, seed=0))
    assert np.mean(model.losses[-10:]) < np.mean(model.losses[:10])
    assert model.grad_norms and not model.diverged
    samples = rnn.sample_char_rnn(model, n=5, seed=1, max_len=8)
    assert len(samples) == 5 and all(set(s) <= set("".join(words)) and len(s) <= 8 for s in samples)
    assert rnn.sample_char_rnn(model, n=3, seed=1) == rnn.sample_char_rnn(model, n=3, seed=1)
    assert 0 < rnn.char_rnn_loss(model, ["anna", "emma"]) < np.log(len(model.chars))


def test_training_without_clipping_can_diverge() -> None:
    words = ["anna", "bob", "clara", "dora", "emma", "frank", "greta", "hanna"] * 20
    model = rnn.train_char_rnn(words, rnn.CharRNNConfig(units=32, seq_len=30, batch_size=4, epochs=3, optimizer="sgd",
                                                        learning_rate=0.5, clip=None, activation="relu",
                                                        recurrent_radius=3.0))
    assert model.diverged and not np.isfinite(model.losses[-1])


@pytest.mark.parametrize("call, message", [
    (lambda: rnn.rnn_forward(rnn.init_params(4, 6, 3), np.zeros((5, 4))), "batch"),
    (lambda: rnn.rnn_forward(rnn.init_params(4, 6, 3), np.zeros((1, 5, 3))), "D = 3"),
    (lambda: rnn.rnn_forward(rnn.init_params(4, 6, 3), np.zeros((1, 5, 4), dtype=int)), "floats"),
    (lambda: rnn.rnn_forward(rnn.init_params(4, 6, 3), np.zeros((1, 0, 4))), "T = 0"),
    (lambda: rnn.rnn_forward({"W_hx": np.zeros((6, 4))}, np.zeros((1, 5, 4))), "missing"),
    (lambda: rnn.rnn_forward(rnn.init_params(4, 6, 3), np.zeros((1, 5, 4)), activation="gelu"), "activation"),
    (lambda: rnn.cross_entropy(np.zeros((1, 2, 3)), np.array([[0, 3]])), "[0, 3)"),
    (lambda: rnn.train_char_rnn([]), "empty"),
    (lambda: rnn.train_char_rnn("anna"), "list of strings"),
    (lambda: rnn.train_char_rnn(["a\nb"]), "boundary"),
    (lambda: rnn.train_char_rnn(["anna"], {"units": 8}), "CharRNNConfig"),
    (lambda: rnn.CharRNNConfig(units=0), "units"),
    (lambda: rnn.CharRNNConfig(optimizer="adam"), "optimizer"),
    (lambda: rnn.CharRNNConfig(clip=0.0), "clip=None"),
    (lambda: rnn.init_params(4, 0, 3), "units must be a positive int"),
    (lambda: rnn.one_hot(np.array([0.5]), 3), "integers"),
])
def test_inputs_are_validated(call, message: str) -> None:
    with pytest.raises((ValueError, TypeError), match=None) as info:
        call()
    assert message in str(info.value)
