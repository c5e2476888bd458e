"""Checks for chapter 01's exercises (one RNN step, the tanh derivative, dL/dW_hh in BPTT)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from .base import CheckResult, SelfTest, call_learner, failed, passed


def _case(seed: int, B: int = 3, D: int = 4, H: int = 5) -> dict[str, np.ndarray]:
    rng = np.random.default_rng(seed)
    return {"x": rng.normal(size=(B, D)), "h_prev": np.tanh(rng.normal(size=(B, H))),
            "W_hx": rng.normal(size=(H, D)) * 0.5, "W_hh": rng.normal(size=(H, H)) * 0.5,
            "b_h": rng.normal(size=H) * 0.5}


def rnn_step_reference(x: np.ndarray, h_prev: np.ndarray, W_hx: np.ndarray, W_hh: np.ndarray,
                       b_h: np.ndarray) -> np.ndarray:
    """One step for a batch: x (B, D), h_prev (B, H) -> h (B, H) = tanh(x W_hx^T + h_prev W_hh^T + b_h)."""
    return np.tanh(x @ W_hx.T + h_prev @ W_hh.T + b_h)


def check_rnn_step(fn: Callable[..., Any]) -> CheckResult:
    """Exercise 1: ``fn(x, h_prev, W_hx, W_hh, b_h) -> h`` of shape (B, H)."""
    name = "rnn_step"
    for seed, (B, D, H) in enumerate([(3, 4, 5), (1, 2, 6), (4, 7, 3)]):
        c = _case(seed, B, D, H)
        got, error = call_learner(name, fn, *(v.copy() for v in c.values()))
        if error is not None:
            return error
        got = np.asarray(got, dtype="float64")
        want = rnn_step_reference(**c)
        if got.shape != want.shape:
            return failed(name, f"expected h of shape (B, H) = {want.shape}, got {got.shape}. "
                                "Rows are examples: x (B, D) times W_hx^T (D, H) gives (B, H).")
        if np.allclose(got, want):
            continue
        pre = c["x"] @ c["W_hx"].T + c["h_prev"] @ c["W_hh"].T + c["b_h"]
        if np.allclose(got, pre):
            return failed(name, "you returned the pre-activation; apply np.tanh to it.")
        if np.allclose(got, np.tanh(c["x"] @ c["W_hx"].T + c["b_h"])):
            return failed(name, "the W_hh h_{t-1} term is missing: the previous state must feed into the new one.")
        if np.allclose(got, np.tanh(c["x"] @ c["W_hx"].T + c["h_prev"] @ c["W_hh"].T)):
            return failed(name, "the bias b_h is missing.")
        if np.allclose(got, np.tanh(c["x"] @ c["W_hx"].T + c["h_prev"] @ c["W_hh"] + c["b_h"])):
            return failed(name, "W_hh is used untransposed: with row vectors write h_prev @ W_hh.T.")
        return failed(name, "the values differ from tanh(x W_hx^T + h_prev W_hh^T + b_h); check each term.")
    return passed(name)


def tanh_backward_reference(dh: np.ndarray, h: np.ndarray) -> np.ndarray:
    """dL/dz for h = tanh(z), given dL/dh and the OUTPUT h: dh * (1 - h**2)."""
    return dh * (1.0 - h**2)


def check_tanh_backward(fn: Callable[[np.ndarray, np.ndarray], Any]) -> CheckResult:
    """Exercise 2: ``fn(dh, h) -> dz``, where h = tanh(z) is the forward output."""
    name = "tanh_backward"
    rng = np.random.default_rng(11)
    for shape in [(3, 5), (1, 4), (2, 7)]:
        h = np.tanh(rng.normal(size=shape))
        dh = rng.normal(size=shape)
        got, error = call_learner(name, fn, dh.copy(), h.copy())
        if error is not None:
            return error
        got = np.asarray(got, dtype="float64")
        want = tanh_backward_reference(dh, h)
        if got.shape != want.shape:
            return failed(name, f"dz has the shape of h, {want.shape}; got {got.shape}. Multiply elementwise, not with @.")
        if np.allclose(got, want):
            continue
        if np.allclose(got, dh * (1.0 - np.tanh(h) ** 2)):
            return failed(name, "you applied tanh twice: h is already tanh(z), so tanh'(z) = 1 - h**2.")
        if np.allclose(got, dh * (1.0 - h)):
            return failed(name, "the derivative of tanh is 1 - h**2 (squared), not 1 - h.")
        if np.allclose(got, 1.0 - h**2):
            return failed(name, "multiply the local derivative by the incoming gradient dh (chain rule).")
        return failed(name, "the values differ from dh * (1 - h**2).")
    return passed(name)


def grad_W_hh_reference(dz: np.ndarray, hs: np.ndarray) -> np.ndarray:
    """dL/dW_hh = sum_t dz_t^T h_{t-1}: dz (B, T, H), hs (B, T+1, H) with hs[:, 0] = h_0 -> (H, H)."""
    return np.einsum("bti,btj->ij", dz, hs[:, :-1])


def check_grad_W_hh(fn: Callable[[np.ndarray, np.ndarray], Any]) -> CheckResult:
    """Exercise 3: ``fn(dz, hs) -> dW_hh`` (H, H), summed over batch and time."""
    name = "grad_W_hh"
    rng = np.random.default_rng(5)
    for B, T, H in [(2, 4, 3), (1, 6, 5), (3, 3, 4)]:
        dz = rng.normal(size=(B, T, H))
        hs = np.concatenate([np.zeros((B, 1, H)), np.tanh(rng.normal(size=(B, T, H)))], axis=1)
        got, error = call_learner(name, fn, dz.copy(), hs.copy())
        if error is not None:
            return error
        got = np.asarray(got, dtype="float64")
        want = grad_W_hh_reference(dz, hs)
        if got.shape != (H, H):
            return failed(name, f"dW_hh has the shape of W_hh, (H, H) = {(H, H)}; got {got.shape}. "
                                "Sum over batch and time.")
        if np.allclose(got, want):
            continue
        if np.allclose(got, np.einsum("bti,btj->ij", dz, hs[:, 1:])):
            return failed(name, "you paired dz_t with h_t; W_hh multiplies the PREVIOUS state h_{t-1} (hs[:, :-1]).")
        if np.allclose(got, want.T):
            return failed(name, "your matrix is transposed: entry (i, j) is sum dz_t[i] * h_{t-1}[j].")
        if np.allclose(got, np.einsum("bi,bj->ij", dz[:, -1], hs[:, -2])):
            return failed(name, "you used only the last step; the weights are shared, so sum over every time step.")
        return failed(name, "the values differ from sum_t dz_t^T h_{t-1}.")
    return passed(name)


SELF_TESTS = [
    SelfTest(check_rnn_step, rnn_step_reference,
             wrong=lambda x, h, Wx, Wh, b: x @ Wx.T + h @ Wh.T + b, hint="apply np.tanh"),
    SelfTest(check_tanh_backward, tanh_backward_reference,
             wrong=lambda dh, h: dh * (1.0 - np.tanh(h) ** 2), hint="applied tanh twice"),
    SelfTest(check_grad_W_hh, grad_W_hh_reference,
             wrong=lambda dz, hs: np.einsum("bti,btj->ij", dz, hs[:, 1:]), hint="PREVIOUS state"),
]
