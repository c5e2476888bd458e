"""Checks for chapter 04's exercises (one BPTT step, global-norm clipping, spectral radius)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from .base import CheckResult, SelfTest, call_learner, failed, passed


def backprop_one_step_reference(dh: np.ndarray, h: np.ndarray, W_hh: np.ndarray) -> np.ndarray:
    """dL/dh_{t-1} from dL/dh_t (B, H) through h_t = tanh(... + W_hh h_{t-1}): (dh * (1 - h_t**2)) @ W_hh."""
    return (dh * (1.0 - h**2)) @ W_hh


def check_backprop_one_step(fn: Callable[[np.ndarray, np.ndarray, np.ndarray], Any]) -> CheckResult:
    """Exercise 1: ``fn(dh, h, W_hh) -> dh_prev`` (B, H); ``h`` is h_t, the tanh output."""
    name = "backprop_one_step"
    rng = np.random.default_rng(8)
    for B, H in [(2, 4), (3, 3), (1, 6)]:
        dh, h, W = rng.normal(size=(B, H)), np.tanh(rng.normal(size=(B, H))), rng.normal(size=(H, H))
        got, error = call_learner(name, fn, dh.copy(), h.copy(), W.copy())
        if error is not None:
            return error
        got = np.asarray(got, dtype="float64")
        want = backprop_one_step_reference(dh, h, W)
        if got.shape != want.shape:
            return failed(name, f"dL/dh_(t-1) has the shape of h, {want.shape}; got {got.shape}.")
        if np.allclose(got, want):
            continue
        if np.allclose(got, dh @ W):
            return failed(name, "the tanh derivative (1 - h**2) is missing: multiply dh by it before W_hh.")
        if np.allclose(got, (dh * (1.0 - h**2)) @ W.T):
            return failed(name, "W_hh is transposed: with row vectors the backward step is dz @ W_hh.")
        return failed(name, "the values differ from (dh * (1 - h**2)) @ W_hh.")
    return passed(name)


def clip_global_norm_reference(grads: list[np.ndarray], max_norm: float) -> list[np.ndarray]:
    """Scale all gradients by one factor min(1, max_norm / global norm)."""
    norm = np.sqrt(sum(float(np.sum(g**2)) for g in grads))
    scale = min(1.0, max_norm / norm) if norm > 0 else 1.0
    return [g * scale for g in grads]


def check_clip_global_norm(fn: Callable[[list[np.ndarray], float], Any]) -> CheckResult:
    """Exercise 2: ``fn(grads, max_norm) -> list of arrays`` with global norm at most max_norm."""
    name = "clip_global_norm"
    rng = np.random.default_rng(9)
    cases = [([rng.normal(size=(3, 3)) * 5, rng.normal(size=3) * 5], 1.0),
             ([rng.normal(size=(2, 4)) * 0.01, rng.normal(size=4) * 0.01], 1.0),
             ([rng.normal(size=(4,)) * 3, rng.normal(size=(2, 2)) * 0.1, rng.normal(size=2)], 2.0)]
    for grads, max_norm in cases:
        got, error = call_learner(name, fn, [g.copy() for g in grads], max_norm)
        if error is not None:
            return error
        want = clip_global_norm_reference(grads, max_norm)
        if not isinstance(got, (list, tuple)) or len(got) != len(want):
            return failed(name, f"return a list of {len(want)} arrays, one per gradient, in the same order.")
        got = [np.asarray(g, dtype="float64") for g in got]
        if any(g.shape != w.shape for g, w in zip(got, want)):
            return failed(name, "each clipped gradient keeps the shape of its input.")
        if all(np.allclose(g, w) for g, w in zip(got, want)):
            continue
        per_tensor = [x * min(1.0, max_norm / np.linalg.norm(x)) for x in grads]
        if all(np.allclose(g, w) for g, w in zip(got, per_tensor)):
            return failed(name, "you clipped each gradient separately; the global norm is over all of them "
                                "together, and one common factor keeps the update's direction.")
        if all(np.allclose(g, w) for g, w in zip(got, [x * max_norm / np.sqrt(sum(float(np.sum(y**2)) for y in grads)) for x in grads])):
            return failed(name, "you scaled gradients whose norm was already below max_norm; only shrink, never grow.")
        return failed(name, "the values differ: compute the norm over all gradients, then scale each by min(1, max_norm/norm).")
    return passed(name)


def spectral_radius_reference(W: np.ndarray) -> float:
    """The largest absolute eigenvalue of a square matrix."""
    return float(np.max(np.abs(np.linalg.eigvals(W))))


def check_spectral_radius(fn: Callable[[np.ndarray], Any]) -> CheckResult:
    """Exercise 3: ``fn(W) -> float``, the spectral radius of a square matrix."""
    name = "spectral_radius"
    rng = np.random.default_rng(10)
    cases = [rng.normal(size=(4, 4)), np.array([[0.0, 2.0], [0.5, 0.0]]), np.array([[1.0, 5.0], [0.0, 0.5]]),
             -np.eye(3) * 1.5]
    for W in cases:
        got, error = call_learner(name, fn, W.copy())
        if error is not None:
            return error
        try:
            got = float(np.real(got))
        except (TypeError, ValueError):
            return failed(name, f"return one real number, not {type(got).__name__}.")
        want = spectral_radius_reference(W)
        if np.isclose(got, want):
            continue
        if np.isclose(got, np.linalg.norm(W, 2)):
            return failed(name, "you returned the largest singular value (the 2-norm); the spectral radius is the "
                                "largest |eigenvalue| (np.linalg.eigvals).")
        if np.isclose(got, float(np.max(np.real(np.linalg.eigvals(W))))):
            return failed(name, "take the absolute value of the eigenvalues: they can be negative or complex.")
        return failed(name, f"expected {want:.4f}, got {got:.4f}.")
    return passed(name)


SELF_TESTS = [
    SelfTest(check_backprop_one_step, backprop_one_step_reference,
             wrong=lambda dh, h, W: dh @ W, hint="tanh derivative"),
    SelfTest(check_clip_global_norm, clip_global_norm_reference,
             wrong=lambda gs, m: [g * min(1.0, m / np.linalg.norm(g)) for g in gs], hint="clipped each gradient separately"),
    SelfTest(check_spectral_radius, spectral_radius_reference,
             wrong=lambda W: float(np.linalg.norm(W, 2)), hint="largest singular value"),
]
