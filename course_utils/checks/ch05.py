"""Checks for chapter 05's exercises (one LSTM step in NumPy, the forget-bias vector, the parameter count)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from .base import CheckResult, SelfTest, call_learner, failed, passed


def _sigmoid(z: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-z))


def lstm_step_reference(x: np.ndarray, h: np.ndarray, c: np.ndarray, p: dict[str, np.ndarray]) -> tuple[np.ndarray, np.ndarray]:
    """One LSTM step with row vectors: x (B, D), h and c (B, H); p holds W_kx (H, D), W_kh (H, H), b_k (H,)
    for k in i, f, g, o. Returns (h_t, c_t)."""
    gate = lambda k: x @ p[f"W_{k}x"].T + h @ p[f"W_{k}h"].T + p[f"b_{k}"]  # noqa: E731
    i, f, o, g = _sigmoid(gate("i")), _sigmoid(gate("f")), _sigmoid(gate("o")), np.tanh(gate("g"))
    c_new = f * c + i * g
    return o * np.tanh(c_new), c_new


def _random_params(rng: np.random.Generator, D: int, H: int) -> dict[str, np.ndarray]:
    p = {}
    for k in "ifgo":
        p[f"W_{k}x"], p[f"W_{k}h"], p[f"b_{k}"] = rng.normal(size=(H, D)), rng.normal(size=(H, H)) * 0.5, rng.normal(size=H)
    return p


def check_lstm_step(fn: Callable[..., Any]) -> CheckResult:
    """Exercise 1: ``fn(x, h, c, p) -> (h_t, c_t)``, one LSTM step in NumPy."""
    name = "lstm_step"
    rng = np.random.default_rng(50)
    for B, D, H in [(2, 3, 4), (1, 5, 2), (3, 2, 3)]:
        x, h, c = rng.normal(size=(B, D)), rng.normal(size=(B, H)), rng.normal(size=(B, H))
        p = _random_params(rng, D, H)
        got, error = call_learner(name, fn, x.copy(), h.copy(), c.copy(), {k: v.copy() for k, v in p.items()})
        if error is not None:
            return error
        if not isinstance(got, (tuple, list)) or len(got) != 2:
            return failed(name, "return the pair (h_t, c_t): the new hidden state and the new cell state.")
        h_got, c_got = (np.asarray(v, dtype="float64") for v in got)
        h_want, c_want = lstm_step_reference(x, h, c, p)
        if h_got.shape != (B, H) or c_got.shape != (B, H):
            return failed(name, f"h_t and c_t both have shape (B, H) = {(B, H)}; got {h_got.shape} and {c_got.shape}.")
        if np.allclose(h_got, h_want) and np.allclose(c_got, c_want):
            continue
        gate = lambda k: x @ p[f"W_{k}x"].T + h @ p[f"W_{k}h"].T + p[f"b_{k}"]  # noqa: E731
        i, f, o, g = _sigmoid(gate("i")), _sigmoid(gate("f")), _sigmoid(gate("o")), np.tanh(gate("g"))
        if np.allclose(c_got, c + i * g):
            return failed(name, "the forget gate is missing from the cell state: c_t = f_t * c_(t-1) + i_t * g_t.")
        if np.allclose(c_got, f * c + g):
            return failed(name, "the input gate is missing: the candidate g_t enters the cell as i_t * g_t.")
        if np.allclose(c_got, i * c + f * g):
            return failed(name, "the input and forget gates are swapped: f_t multiplies the old cell c_(t-1), i_t the candidate g_t.")
        if np.allclose(c_got, f * c + i * _sigmoid(gate("g"))):
            return failed(name, "the candidate g_t uses tanh, not sigmoid: it is a value in (-1, 1), not a gate.")
        if np.allclose(c_got, c_want) and np.allclose(h_got, o * c_want):
            return failed(name, "the output squashes the cell state first: h_t = o_t * tanh(c_t).")
        if np.allclose(c_got, c_want) and np.allclose(h_got, np.tanh(c_want)):
            return failed(name, "the output gate is missing: h_t = o_t * tanh(c_t).")
        if np.allclose(c_got, c_want):
            return failed(name, "c_t is right but h_t differs: h_t = o_t * tanh(c_t), with o_t = sigmoid(W_ox x + W_oh h + b_o).")
        return failed(name, "c_t differs from f_t * c_(t-1) + i_t * g_t; check each gate's weights (W_kx is (H, D): use x @ W_kx.T).")
    return passed(name)


def forget_bias_reference(units: int) -> np.ndarray:
    """Keras's initial LSTM bias with unit_forget_bias=True: (4H,), ones in the forget slice [H, 2H)."""
    b = np.zeros(4 * units, dtype="float32")
    b[units:2 * units] = 1.0
    return b


def check_forget_bias(fn: Callable[[int], Any]) -> CheckResult:
    """Exercise 2: ``fn(units) -> (4 * units,)`` the initial bias of a Keras LSTM with unit_forget_bias=True."""
    name = "forget_bias"
    for H in (1, 3, 8):
        got, error = call_learner(name, fn, H)
        if error is not None:
            return error
        got = np.asarray(got, dtype="float64").ravel()
        want = forget_bias_reference(H)
        if got.shape != want.shape:
            return failed(name, f"the bias stacks the four gates i, f, c, o: shape (4 * units,) = {want.shape}, got {got.shape}.")
        if np.allclose(got, want):
            continue
        if np.isclose(got.sum(), H) and np.allclose(got[:H], 1.0):
            return failed(name, "you set the input gate's slice; Keras orders the gates i, f, c, o, so the forget "
                                "gate's biases are entries [units, 2 * units).")
        if np.isclose(got.sum(), H):
            return failed(name, "the ones are in the wrong slice: gate order i, f, c, o puts the forget gate at [units, 2 * units).")
        return failed(name, "expected zeros everywhere except ones for the forget gate, entries [units, 2 * units).")
    return passed(name)


def lstm_param_count_reference(D: int, H: int) -> int:
    """Weights of keras.layers.LSTM(H) on inputs of size D: 4 gates of (D + H + 1) * H."""
    return 4 * (D + H + 1) * H


def check_lstm_param_count(fn: Callable[[int, int], Any]) -> CheckResult:
    """Exercise 3: ``fn(D, H) -> int``, the parameter count of keras.layers.LSTM(H) on D inputs."""
    name = "lstm_param_count"
    for D, H in [(8, 32), (32, 256), (1, 1), (5, 7)]:
        got, error = call_learner(name, fn, D, H)
        if error is not None:
            return error
        want = lstm_param_count_reference(D, H)
        if got == want:
            continue
        if got == (D + H + 1) * H:
            return failed(name, "that is one gate's worth (a SimpleRNN); an LSTM has four weight blocks: i, f, g, o.")
        if got == 4 * (D + H) * H:
            return failed(name, "the biases are missing: each of the four gates has H of them.")
        if got == 3 * (D + H + 1) * H:
            return failed(name, "three blocks is a GRU; the LSTM has four: input, forget, candidate, output.")
        return failed(name, f"for D={D}, H={H} expected {want}, got {got}.")
    return passed(name)


def _no_forget(x: np.ndarray, h: np.ndarray, c: np.ndarray, p: dict[str, np.ndarray]) -> tuple[np.ndarray, np.ndarray]:
    gate = lambda k: x @ p[f"W_{k}x"].T + h @ p[f"W_{k}h"].T + p[f"b_{k}"]  # noqa: E731
    c_new = c + _sigmoid(gate("i")) * np.tanh(gate("g"))
    return _sigmoid(gate("o")) * np.tanh(c_new), c_new


SELF_TESTS = [
    SelfTest(check_lstm_step, lstm_step_reference,
             wrong=_no_forget, hint="forget gate is missing"),
    SelfTest(check_forget_bias, forget_bias_reference,
             wrong=lambda H: np.concatenate([np.ones(H), np.zeros(3 * H)]), hint="input gate's slice"),
    SelfTest(check_lstm_param_count, lstm_param_count_reference,
             wrong=lambda D, H: 4 * (D + H) * H, hint="biases are missing"),
]

