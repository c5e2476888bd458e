"""Checks for chapter 14's exercises (the minGRU's a_t and b_t from its pre-activations; the
scan's combine operator; one step of recurrent linear attention; build it: a parallel scan).

The build-it check compares the learner's Hillis-Steele scan of ``h_t = a_t * h_{t-1} + b_t``
with the library's sequential loop, and counts the Python lines it runs to tell a scan
(about log2 T rounds) from a loop over the T steps."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import sys
from types import FrameType

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


# -- build it: the parallel scan by hand (Hillis-Steele), against the library's loop ----------

def _hillis_steele(a: np.ndarray, b: np.ndarray, h0: np.ndarray, *, swap: bool = False, rounds: int | None = None,
                   stale_a: bool = False) -> np.ndarray:
    """Inclusive scan of the maps (a_t, b_t) along axis 1, h0 folded into the first step; the
    switches reproduce the usual mistakes (for hints)."""
    A, Bs = a.copy(), b.copy()
    Bs[:, 0] = a[:, 0] * h0 + b[:, 0]
    T, shift, done = a.shape[1], 1, 0
    while shift < T and (rounds is None or done < rounds):
        earlier, later = (A[:, :-shift], Bs[:, :-shift]), (A[:, shift:], Bs[:, shift:])
        if swap:
            earlier, later = later, earlier
        new_a, new_b = combine_reference(earlier, later)
        if stale_a:  # a updated first, then read again by the b update
            A[:, shift:] = new_a
            Bs[:, shift:] = A[:, shift:] * Bs[:, :-shift] + Bs[:, shift:]
        else:
            A[:, shift:], Bs[:, shift:] = new_a, new_b
        shift, done = 2 * shift, done + 1
    return Bs


def parallel_linear_scan_reference(a: np.ndarray, b: np.ndarray, h0: np.ndarray) -> np.ndarray:
    """``h_t = a_t * h_{t-1} + b_t`` for t = 1..T by a Hillis-Steele scan: a, b (B, T, H); h0 (B, H).
    Round k composes every position t with the block that ends at t - 2^k, in one vectorised
    operation: ceil(log2 T) rounds. Returns h_1..h_T, (B, T, H)."""
    return _hillis_steele(np.asarray(a, dtype="float64"), np.asarray(b, dtype="float64"),
                          np.asarray(h0, dtype="float64"))


def _loop(a: np.ndarray, b: np.ndarray, h0: np.ndarray) -> np.ndarray:
    """The library's loop, course_utils.linear_rnn.scan.sequential_scan (keras.ops.scan)."""
    from ..linear_rnn.scan import sequential_scan

    return np.asarray(sequential_scan(a, b, h0), dtype="float64")


def _python_lines(fn: Callable[..., Any], *args: Any) -> int | None:
    """How many lines of Python the call runs in the file that defines ``fn`` (its own
    code and helpers defined beside it); None when ``fn`` has no source file to follow."""
    code = getattr(fn, "__code__", None)
    if code is None:
        return None
    lines = 0

    def local(frame: FrameType, event: str, arg: Any) -> Any:
        nonlocal lines
        lines += event == "line"
        return local

    def tracer(frame: FrameType, event: str, arg: Any) -> Any:
        return local if frame.f_code.co_filename == code.co_filename else None

    previous = sys.gettrace()
    sys.settrace(tracer)
    try:
        fn(*args)
    except Exception:  # it ran on the hidden cases; a failure here only means we cannot count
        return None
    finally:
        sys.settrace(previous)
    return lines


def check_parallel_linear_scan(fn: Callable[..., Any]) -> CheckResult:
    """Build it: ``fn(a (B, T, H), b (B, T, H), h0 (B, H)) -> h (B, T, H)``, the states h_1..h_T of
    ``h_t = a_t * h_{t-1} + b_t`` by a parallel scan, compared with the library's sequential loop."""
    name = "parallel_linear_scan"
    rng = np.random.default_rng(1414)
    # h0 = 0 first (the scan alone), then a starting state; lengths that are not powers of two
    for B, T, H, start in [(2, 8, 3, False), (2, 13, 3, False), (1, 1, 2, False), (3, 5, 2, True),
                           (2, 37, 4, True), (1, 64, 1, True)]:
        a, b = rng.uniform(0.3, 1.1, size=(B, T, H)), rng.normal(size=(B, T, H))
        h0 = rng.normal(size=(B, H)) if start else np.zeros((B, H))
        a_in, b_in, h0_in = a.copy(), b.copy(), h0.copy()
        got, error = call_learner(name, fn, a_in, b_in, h0_in)
        if error is not None:
            return error
        got = np.asarray(got, dtype="float64")
        want = _loop(a, b, h0)
        if got.shape != want.shape:
            return failed(name, f"return every state h_1..h_T, shape (B, T, H) = {want.shape}; got {got.shape}.")
        if not (np.array_equal(a_in, a) and np.array_equal(b_in, b) and np.array_equal(h0_in, h0)):
            return failed(name, "your function changed the caller's a, b or h0 in place; work on copies "
                                "(a = a.copy()) so that the inputs stay as they were.")
        if np.allclose(got, want, atol=1e-5):
            continue
        first = int(np.argmax(~np.isclose(got, want, atol=1e-5).all(axis=(0, 2))))
        where = f" (T = {T}; the first wrong state is h_{first + 1})"
        if np.allclose(got, _hillis_steele(a, b, h0, swap=True), atol=1e-5):
            return failed(name, "the combine order is reversed: the operator is not commutative. In each round "
                                "the EARLIER block (position t - shift) is applied first, then the later one "
                                "(position t): (a1 a2, a2 b1 + b2) with (a1, b1) the earlier." + where)
        if start and np.allclose(got, _loop(a, b, np.zeros_like(h0)), atol=1e-5):
            return failed(name, "h0 is ignored: the states start from h0, not from 0. Fold it into the first "
                                "step (b_1 <- a_1 * h0 + b_1) before the scan.")
        shifted = np.concatenate([h0[:, None], want[:, :-1]], axis=1)
        if np.allclose(got, shifted, atol=1e-5):
            return failed(name, "off by one step: you returned h_0..h_(T-1). Return h_1..h_T: the state after "
                                "step t includes that step's b_t.")
        if T > 1 and np.allclose(got, _hillis_steele(a, b, h0, stale_a=True), atol=1e-5):
            return failed(name, "within a round, the b update read the a that this round had already changed. "
                                "Compute the new a and the new b both from the old arrays (one tuple "
                                "assignment)." + where)
        rounds = int(np.ceil(np.log2(T))) if T > 1 else 0
        if rounds and np.allclose(got, _hillis_steele(a, b, h0, rounds=rounds - 1), atol=1e-5):
            return failed(name, f"one round too few: after k rounds each position covers 2^k steps, so T = {T} "
                                f"needs {rounds}. Keep going while the shift is < T.")
        if T & (T - 1):
            return failed(name, "wrong when T is not a power of two" + where + ": let the shift run while it "
                                "is < T, and in each round update only the positions t >= shift (the first "
                                "shift positions keep their values).")
        return failed(name, "the states differ from the loop" + where + ". In the round with shift s, position "
                            "t >= s combines the block ending at t - s (earlier) with its own (later); positions "
                            "t < s stay as they are.")
    # the scan's point: about log2 T rounds of vectorised work, not a Python loop over the steps
    short, long = (_python_lines(fn, *(rng.uniform(0.3, 1.1, size=(1, T, 2)) for _ in range(2)), np.zeros((1, 2)))
                   for T in (16, 1024))
    message = ("equal to the library's sequential loop on every hidden case (h0 = 0 and not, T from 1 to 64, "
               "powers of two and not)")
    if short is None or long is None:
        return passed(name, message + ".")
    if long > 4 * short:
        return failed(name, f"the states are right, but your function ran {long:,} lines of Python for T = 1024 "
                            f"against {short:,} for T = 16: a loop over the time steps. A scan does about log2 T "
                            "rounds, each ONE vectorised operation over all positions (slices such as "
                            "b[:, shift:] and b[:, :-shift]).")
    return passed(name, message + ", and its Python work does not grow with T as a loop's does.")


def _loop_numpy(a: np.ndarray, b: np.ndarray, h0: np.ndarray) -> np.ndarray:
    """The plain loop in NumPy: right, but T sequential steps (a wrong answer to the build-it)."""
    h, out = h0, []
    for t in range(a.shape[1]):
        h = a[:, t] * h + b[:, t]
        out.append(h)
    return np.stack(out, axis=1)


SELF_TESTS = [
    SelfTest(check_mingru_coefficients, mingru_coefficients_reference,
             wrong=lambda k_z, k_n: (1.0 - _sigmoid(k_z), _sigmoid(k_z) * k_n), hint="paper's convention"),
    SelfTest(check_combine, combine_reference,
             wrong=lambda e, l: (e[0] * l[0], e[0] * l[1] + e[1]), hint="order is reversed"),
    SelfTest(check_linear_attention_step, linear_attention_step_reference,
             wrong=lambda S, z, q, k, v: (_phi(q) @ S / (_phi(q) @ z), S + np.outer(_phi(k), v), z + _phi(k)),
             hint="AFTER adding the current token"),
    SelfTest(check_parallel_linear_scan, parallel_linear_scan_reference,
             wrong=lambda a, b, h0: _hillis_steele(a, b, h0, swap=True), hint="combine order is reversed"),
    SelfTest(check_parallel_linear_scan, parallel_linear_scan_reference, wrong=_loop_numpy, hint="a loop over"),
]
