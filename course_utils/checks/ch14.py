"""Checks for chapter 14's exercises (the minGRU's a_t and b_t from its pre-activations; the
scan's combine operator; one step of recurrent linear attention)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from .base import CheckResult, SelfTest, call_learner, failed, passed


def _sigmoid(x: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-x))


def _phi(x: np.ndarray) -> np.ndarray:
    return np.where(x > 0, x + 1.0, np.exp(np.minimum(x, 0.0)))  # elu(x) + 1


def _pair(name: str, got: Any, shape: tuple[int, ...], what: str) -> tuple[np.ndarray, np.ndarray] | CheckResult:
    if not isinstance(got, (tuple, list)) or len(got) != 2:
        return failed(name, f"return two arrays, {what}.")
    first, second = (np.asarray(g, dtype="float64") for g in got)
    if first.shape != shape or second.shape != shape:
        return failed(name, f"both arrays have shape {shape} (the inputs' shape); got {first.shape} and {second.shape}.")
    return first, second


def mingru_coefficients_reference(k_z: np.ndarray, k_n: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """minGRU, course (Keras) convention: z = sigmoid(k_z), n = k_n (no tanh);
    h_t = z h_{t-1} + (1 - z) n, so a = z and b = (1 - z) n. Shapes (..., H)."""
    z = _sigmoid(k_z)
    return z, (1.0 - z) * k_n


def check_mingru_coefficients(fn: Callable[..., Any]) -> CheckResult:
    """Exercise 1: ``fn(k_z, k_n) -> (a, b)`` with h_t = a * h_{t-1} + b."""
    name = "mingru_coefficients"
    rng = np.random.default_rng(140)
    for shape in [(3, 4), (2, 5, 3), (1,)]:
        k_z, k_n = rng.normal(size=shape), rng.normal(size=shape)
        got, error = call_learner(name, fn, k_z.copy(), k_n.copy())
        if error is not None:
            return error
        pair = _pair(name, got, shape, "a (the coefficient of h_(t-1)) and b")
        if isinstance(pair, CheckResult):
            return pair
        a, b = pair
        want_a, want_b = mingru_coefficients_reference(k_z, k_n)
        if np.allclose(a, want_a) and np.allclose(b, want_b):
            continue
        z = _sigmoid(k_z)
        if np.allclose(a, 1.0 - z) and np.allclose(b, z * k_n):
            return failed(name, "that is the paper's convention; the course keeps Keras's: h_t = z_t * h_(t-1) + "
                                "(1 - z_t) * n_t, so z near 1 keeps the old state and a_t = z_t.")
        if np.allclose(a, want_a) and np.allclose(b, (1.0 - z) * np.tanh(k_n)):
            return failed(name, "the minGRU drops the tanh of the candidate: n_t = k_n itself.")
        if np.allclose(a, want_a) and np.allclose(b, k_n):
            return failed(name, "b_t is what the new step writes, (1 - z_t) * n_t: the candidate scaled by 1 - z_t.")
        if np.allclose(a, k_z):
            return failed(name, "the gate is sigmoid(k_z), not the pre-activation itself.")
        return failed(name, "the values differ from a = sigmoid(k_z), b = (1 - a) * k_n.")
    return passed(name)


def combine_reference(earlier: tuple[Any, Any], later: tuple[Any, Any]) -> tuple[Any, Any]:
    """First h -> a1 h + b1, then h -> a2 h + b2: together h -> (a1 a2) h + (a2 b1 + b2)."""
    a1, b1 = earlier
    a2, b2 = later
    return a1 * a2, a2 * b1 + b2


def check_combine(fn: Callable[..., Any]) -> CheckResult:
    """Exercise 2: ``fn((a1, b1), (a2, b2)) -> (a, b)``, the map 'first (a1, b1), then (a2, b2)'."""
    name = "combine"
    rng = np.random.default_rng(141)
    for shape in [(4,), (2, 3), (2, 5, 3)]:
        a1, b1, a2, b2 = (rng.uniform(0.1, 1.5, size=shape) for _ in range(4))
        got, error = call_learner(name, fn, (a1.copy(), b1.copy()), (a2.copy(), b2.copy()))
        if error is not None:
            return error
        pair = _pair(name, got, shape, "(a, b) of the combined map h -> a h + b")
        if isinstance(pair, CheckResult):
            return pair
        a, b = pair
        want_a, want_b = combine_reference((a1, b1), (a2, b2))
        if np.allclose(a, want_a) and np.allclose(b, want_b):
            continue
        if np.allclose(a, want_a) and np.allclose(b, a1 * b2 + b1):
            return failed(name, "the order is reversed: you applied (a2, b2) first. The earlier map runs first: "
                                "h -> a2 * (a1 * h + b1) + b2.")
        if np.allclose(a, want_a) and np.allclose(b, b1 + b2):
            return failed(name, "the earlier offset b1 passes through the later map too, so it is scaled by a2.")
        if np.allclose(a, a1 + a2):
            return failed(name, "composing two scalings multiplies them: the new a is a1 * a2.")
        return failed(name, "expand h -> a2 * (a1 * h + b1) + b2 and read off its a and b.")
    return passed(name)


def linear_attention_step_reference(S: np.ndarray, z: np.ndarray, q: np.ndarray, k: np.ndarray,
                                    v: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """One token of causal linear attention, one sequence: S (d, d_v), z (d,), q and k (d,), v (d_v,).
    S <- S + outer(phi(k), v); z <- z + phi(k); out = phi(q) @ S / (phi(q) . z)."""
    S = S + np.outer(_phi(k), v)
    z = z + _phi(k)
    return _phi(q) @ S / (_phi(q) @ z), S, z


def check_linear_attention_step(fn: Callable[..., Any]) -> CheckResult:
    """Exercise 3: ``fn(S, z, q, k, v) -> (out, S_new, z_new)`` for one sequence, phi = elu + 1."""
    name = "linear_attention_step"
    rng = np.random.default_rng(142)
    for d, dv in [(4, 3), (2, 5), (6, 6)]:
        S, z = rng.uniform(0.0, 2.0, size=(d, dv)), rng.uniform(0.5, 2.0, size=d)
        q, k, v = rng.normal(size=d), rng.normal(size=d), rng.normal(size=dv)
        got, error = call_learner(name, fn, S.copy(), z.copy(), q.copy(), k.copy(), v.copy())
        if error is not None:
            return error
        if not isinstance(got, (tuple, list)) or len(got) != 3:
            return failed(name, "return three things: (out, S_new, z_new).")
        out, S_new, z_new = (np.asarray(g, dtype="float64") for g in got)
        want_out, want_S, want_z = linear_attention_step_reference(S, z, q, k, v)
        if S_new.shape != (d, dv) or z_new.shape != (d,) or out.shape != (dv,):
            return failed(name, f"shapes: out (d_v,) = {(dv,)}, S (d, d_v) = {(d, dv)}, z (d,) = {(d,)}; "
                                f"got {out.shape}, {S_new.shape}, {z_new.shape}.")
        if np.allclose(S_new, S + np.outer(k, v)):
            return failed(name, "S adds the outer product phi(k) v^T: the feature map goes on the key.")
        if not np.allclose(S_new, want_S):
            return failed(name, "S_new = S + outer(phi(k), v), with phi(x) = elu(x) + 1.")
        if not np.allclose(z_new, want_z):
            return failed(name, "z_new = z + phi(k): the normaliser sums the keys' features.")
        if np.allclose(out, want_out):
            continue
        if np.allclose(out, _phi(q) @ S / (_phi(q) @ z)):
            return failed(name, "read the state AFTER adding the current token: a token attends to itself too.")
        if np.allclose(out, q @ want_S / (q @ want_z)):
            return failed(name, "the query needs the feature map too: phi(q) @ S / (phi(q) . z).")
        if np.allclose(out, _phi(q) @ want_S):
            return failed(name, "divide by phi(q) . z, so the weights on the values add up to one.")
        return failed(name, "out = phi(q) @ S_new / (phi(q) . z_new).")
    return passed(name)


SELF_TESTS = [
    SelfTest(check_mingru_coefficients, mingru_coefficients_reference,
             wrong=lambda k_z, k_n: (1.0 - _sigmoid(k_z), _sigmoid(k_z) * k_n), hint="paper's convention"),
    SelfTest(check_combine, combine_reference,
             wrong=lambda e, l: (e[0] * l[0], e[0] * l[1] + e[1]), hint="order is reversed"),
    SelfTest(check_linear_attention_step, linear_attention_step_reference,
             wrong=lambda S, z, q, k, v: (_phi(q) @ S / (_phi(q) @ z), S + np.outer(_phi(k), v), z + _phi(k)),
             hint="AFTER adding the current token"),
]
