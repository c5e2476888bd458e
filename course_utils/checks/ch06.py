"""Checks for chapter 06's exercises (one GRU step in NumPy, both reset_after variants; the parameter count)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from .base import CheckResult, SelfTest, call_learner, failed, passed


def _sigmoid(z: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-z))


def gru_step_reference(x: np.ndarray, h: np.ndarray, p: dict[str, np.ndarray], reset_after: bool) -> np.ndarray:
    """One Keras-convention GRU step with row vectors: x (B, D), h (B, H). ``p`` holds W_kx (H, D),
    W_kh (H, H) for k in z, r, n, and b_kx, b_kh (H,) per gate (for reset_after=False use only b_kx).
    Returns h_t = z * h + (1 - z) * n."""
    z = _sigmoid(x @ p["W_zx"].T + p["b_zx"] + h @ p["W_zh"].T + (p["b_zh"] if reset_after else 0.0))
    r = _sigmoid(x @ p["W_rx"].T + p["b_rx"] + h @ p["W_rh"].T + (p["b_rh"] if reset_after else 0.0))
    if reset_after:
        n = np.tanh(x @ p["W_nx"].T + p["b_nx"] + r * (h @ p["W_nh"].T + p["b_nh"]))
    else:
        n = np.tanh(x @ p["W_nx"].T + p["b_nx"] + (r * h) @ p["W_nh"].T)
    return z * h + (1.0 - z) * n


def check_gru_step(fn: Callable[..., Any]) -> CheckResult:
    """Exercise 1: ``fn(x, h, p, reset_after) -> h_t``, one GRU step in NumPy (Keras's convention)."""
    name = "gru_step"
    rng = np.random.default_rng(60)
    for (B, D, H), reset_after in [((2, 3, 4), True), ((2, 3, 4), False), ((1, 5, 2), True), ((3, 2, 3), False)]:
        x, h = rng.normal(size=(B, D)), rng.normal(size=(B, H))
        p = {}
        for k in "zrn":
            p[f"W_{k}x"], p[f"W_{k}h"] = rng.normal(size=(H, D)), rng.normal(size=(H, H))
            p[f"b_{k}x"], p[f"b_{k}h"] = rng.normal(size=H), rng.normal(size=H)
        got, error = call_learner(name, fn, x.copy(), h.copy(), {k: v.copy() for k, v in p.items()}, reset_after)
        if error is not None:
            return error
        got = np.asarray(got, dtype="float64")
        want = gru_step_reference(x, h, p, reset_after)
        if got.shape != (B, H):
            return failed(name, f"h_t has shape (B, H) = {(B, H)}; got {got.shape}.")
        if np.allclose(got, want):
            continue
        bz = p["b_zh"] if reset_after else 0.0
        br = p["b_rh"] if reset_after else 0.0
        z = _sigmoid(x @ p["W_zx"].T + p["b_zx"] + h @ p["W_zh"].T + bz)
        r = _sigmoid(x @ p["W_rx"].T + p["b_rx"] + h @ p["W_rh"].T + br)
        n_after = np.tanh(x @ p["W_nx"].T + p["b_nx"] + r * (h @ p["W_nh"].T + (p["b_nh"] if reset_after else 0.0)))
        n_before = np.tanh(x @ p["W_nx"].T + p["b_nx"] + (r * h) @ p["W_nh"].T)
        n = n_after if reset_after else n_before
        if np.allclose(got, (1.0 - z) * h + z * n):
            return failed(name, "the update gate is the wrong way round: in Keras h_t = z_t * h_(t-1) + (1 - z_t) * n_t, "
                                "so z_t near 1 keeps the old state.")
        if np.allclose(got, z * h + (1.0 - z) * np.tanh(x @ p["W_nx"].T + p["b_nx"] + h @ p["W_nh"].T + (p["b_nh"] if reset_after else 0.0))):
            return failed(name, "the reset gate r_t is missing from the candidate n_t: it scales the recurrent term.")
        if reset_after and np.allclose(got, z * h + (1.0 - z) * n_before):
            return failed(name, "with reset_after=True the reset gate multiplies (W_nh h + b_nh) AFTER the matrix product, "
                                "not h before it.")
        if not reset_after and np.allclose(got, z * h + (1.0 - z) * np.tanh(x @ p["W_nx"].T + p["b_nx"] + r * (h @ p["W_nh"].T))):
            return failed(name, "with reset_after=False the reset gate multiplies h BEFORE the matrix product: (r * h) @ W_nh.T.")
        if np.allclose(got, n):
            return failed(name, "you returned the candidate n_t; mix it with the old state: z_t * h_(t-1) + (1 - z_t) * n_t.")
        return failed(name, "the values differ; check each gate's biases (reset_after=True has b_kx and b_kh, False only b_kx).")
    return passed(name)


def gru_param_count_reference(D: int, H: int, reset_after: bool) -> int:
    """Weights of keras.layers.GRU(H, reset_after=...) on D inputs: 3 blocks of (D + H) * H, plus
    3H biases, or 6H with reset_after=True (separate input and recurrent biases)."""
    return 3 * (D + H) * H + 3 * H * (2 if reset_after else 1)


def check_gru_param_count(fn: Callable[[int, int, bool], Any]) -> CheckResult:
    """Exercise 2: ``fn(D, H, reset_after) -> int``, the parameter count of keras.layers.GRU."""
    name = "gru_param_count"
    for D, H, ra in [(8, 32, True), (8, 32, False), (32, 256, True), (1, 1, False), (5, 7, True)]:
        got, error = call_learner(name, fn, D, H, ra)
        if error is not None:
            return error
        want = gru_param_count_reference(D, H, ra)
        if got == want:
            continue
        if ra and got == gru_param_count_reference(D, H, False):
            return failed(name, "with reset_after=True Keras keeps two bias vectors per gate (bias has shape (2, 3H)).")
        if got == 4 * (D + H + 1) * H:
            return failed(name, "four blocks is an LSTM; a GRU has three: update z, reset r, candidate n.")
        if got == 3 * (D + H) * H:
            return failed(name, "the biases are missing.")
        return failed(name, f"for D={D}, H={H}, reset_after={ra} expected {want}, got {got}.")
    return passed(name)


SELF_TESTS = [
    SelfTest(check_gru_step, gru_step_reference,
             wrong=lambda x, h, p, ra: (lambda z, n: (1.0 - z) * h + z * n)(*_z_and_n(x, h, p, ra)),
             hint="update gate is the wrong way round"),
    SelfTest(check_gru_param_count, gru_param_count_reference,
             wrong=lambda D, H, ra: 3 * (D + H) * H + 3 * H, hint="two bias vectors"),
]


def _z_and_n(x: np.ndarray, h: np.ndarray, p: dict[str, np.ndarray], reset_after: bool) -> tuple[np.ndarray, np.ndarray]:
    z = _sigmoid(x @ p["W_zx"].T + p["b_zx"] + h @ p["W_zh"].T + (p["b_zh"] if reset_after else 0.0))
    r = _sigmoid(x @ p["W_rx"].T + p["b_rx"] + h @ p["W_rh"].T + (p["b_rh"] if reset_after else 0.0))
    if reset_after:
        return z, np.tanh(x @ p["W_nx"].T + p["b_nx"] + r * (h @ p["W_nh"].T + p["b_nh"]))
    return z, np.tanh(x @ p["W_nx"].T + p["b_nx"] + (r * h) @ p["W_nh"].T)
