"""Checks for chapter 04's exercises (one BPTT step, global-norm clipping, spectral radius) and its
build-it exercise: the norms ||dh_T/dh_t|| of a Keras SimpleRNN, from the recurrence."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from ..rnn.numpy_rnn import recurrent_matrix
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


# --------------------------------------------------------------------------- build it: ||dh_T/dh_t||
def _step_jacobians(kernel: np.ndarray, recurrent_kernel: np.ndarray, bias: np.ndarray, x: np.ndarray,
                    transpose: bool = True, derivative_at: str = "h_k") -> list[np.ndarray]:
    """dh_k/dh_(k-1) = diag(1 - h_k^2) W_hh for k = 1..T, W_hh = recurrent_kernel^T (Keras layout).
    ``transpose=False`` and ``derivative_at="h_k-1"`` are two mistakes the check recognises."""
    W_hh = recurrent_kernel.T if transpose else recurrent_kernel
    h = np.zeros(recurrent_kernel.shape[0])
    steps = []
    for x_t in x:
        h_new = np.tanh(x_t @ kernel + h @ recurrent_kernel + bias)
        slope = 1.0 - (h_new if derivative_at == "h_k" else h) ** 2
        steps.append(slope[:, None] * W_hh)
        h = h_new
    return steps


def _norms(steps: list[np.ndarray], ord: Any = 2, reverse_product: bool = False, of_sum: bool = False) -> np.ndarray:
    """Entry t: the norm of J = dh_T/dh_t = steps[T-1] ... steps[t] (``of_sum``: of 1^T J, the gradient of sum(h_T))."""
    J = np.eye(steps[0].shape[0])
    norms = np.zeros(len(steps))
    for t in reversed(range(len(steps))):
        J = steps[t] @ J if reverse_product else J @ steps[t]
        norms[t] = np.linalg.norm(J.sum(axis=0)) if of_sum else np.linalg.norm(J, ord)
    return norms


def jacobian_norms_reference(layer: Any, x: np.ndarray) -> np.ndarray:
    """||dh_T/dh_t||_2 (spectral norm) for t = 0..T-1 of a tanh SimpleRNN on one sequence x (T, D), h_0 = 0."""
    kernel, recurrent_kernel, bias = (np.asarray(w, dtype="float64") for w in layer.get_weights())
    return _norms(_step_jacobians(kernel, recurrent_kernel, bias, np.asarray(x, dtype="float64")))


def _tf_jacobian_norms(layer: Any, x: np.ndarray) -> np.ndarray:
    """The same norms from tf.GradientTape: the Jacobian of h_T with respect to every earlier state,
    run through the layer's own cell."""
    import tensorflow as tf

    h = tf.zeros((1, layer.units))
    states = []
    with tf.GradientTape(persistent=True) as tape:
        for t in range(x.shape[0]):
            tape.watch(h)
            states.append(h)
            _, new = layer.cell(x[None, t], [h])
            h = new[0]
    jacobians = tape.jacobian(h, states, experimental_use_pfor=False)  # each (1, H, 1, H)
    return np.array([np.linalg.norm(np.asarray(j, dtype="float64").reshape(layer.units, layer.units), 2)
                     for j in jacobians])


def _jacobian_case(seed: int, T: int, D: int, H: int, radius: float) -> tuple[Any, np.ndarray]:
    import keras

    rng = np.random.default_rng(40 + seed)
    layer = keras.layers.SimpleRNN(H)
    layer.build((None, T, D))
    layer.set_weights([(rng.normal(size=(D, H)) * 0.5).astype("float32"),
                       recurrent_matrix(H, radius, seed=seed).T.astype("float32"),
                       (rng.normal(size=H) * 0.1).astype("float32")])
    return layer, rng.normal(size=(T, D)).astype("float32")


def check_jacobian_norms(fn: Callable[[Any, np.ndarray], Any]) -> CheckResult:
    """Build it: ``fn(layer, x) -> (T,)`` with entry t = ||dh_T/dh_t||_2, t = 0..T-1, for a built tanh
    ``keras.layers.SimpleRNN`` and one sequence x (T, D), compared with tf.GradientTape Jacobians."""
    name = "jacobian_norms"
    for seed, (T, D, H, radius) in enumerate([(12, 3, 8, 1.0), (20, 4, 6, 1.5), (8, 2, 10, 0.8)]):
        layer, x = _jacobian_case(seed, T, D, H, radius)
        got, error = call_learner(name, fn, layer, x.copy())
        if error is not None:
            return error
        try:
            got = np.asarray(got, dtype="float64")
        except (TypeError, ValueError):
            return failed(name, f"return an array of T numbers, not {type(got).__name__}.")
        want = _tf_jacobian_norms(layer, x)
        if got.shape != want.shape:
            return failed(name, f"return T = {T} numbers, shape {want.shape}; got {got.shape}. Entry t is for h_t, "
                                "t = 0..T-1: entry 0 is the initial state h_0, T steps before h_T, and "
                                "dh_T/dh_T = I is not included.")
        if np.allclose(got, want, rtol=1e-3, atol=0):
            continue
        weights = [np.asarray(w, dtype="float64") for w in layer.get_weights()]
        x64 = x.astype("float64")
        steps = _step_jacobians(*weights, x64)

        def like(other: np.ndarray) -> bool:
            return bool(np.allclose(got, other, rtol=1e-3, atol=0))

        if like(want[::-1]):
            return failed(name, "your array runs backwards in time: entry t is for h_t, so entry 0 (h_0, T steps "
                                "before h_T) is the product of all T step Jacobians and the last entry is one step.")
        if like(np.append(want[1:], 1.0)):
            return failed(name, "off by one: you measured h_1..h_T. Start from the initial state: entry 0 is "
                                "dh_T/dh_0, T steps back, and the last entry is dh_T/dh_(T-1), one step back.")
        if like(_norms(steps, of_sum=True)):
            return failed(name, "you took the gradient of sum(h_T), one vector (what tape.gradient returns); the "
                                "exercise asks for the spectral norm of the whole Jacobian matrix dh_T/dh_t.")
        if like(_norms(steps, ord="fro")):
            return failed(name, "that is the Frobenius norm; use the spectral norm, np.linalg.norm(J, 2), the most "
                                "the Jacobian can stretch a vector (the norm of the chapter's bound).")
        if like(_norms(_step_jacobians(*weights, x64, transpose=False))):
            return failed(name, "W_hh is transposed: Keras stores recurrent_kernel = W_hh^T, so with column "
                                "vectors the step Jacobian is diag(1 - h_k^2) @ recurrent_kernel.T.")
        if like(_norms(_step_jacobians(*weights, x64, derivative_at="h_k-1"))):
            return failed(name, "the tanh slope belongs to the step's OUTPUT: dh_k/dh_(k-1) = diag(1 - h_k^2) W_hh, "
                                "with h_k, not h_(k-1).")
        if like(_norms(steps, reverse_product=True)):
            return failed(name, "the product is in the wrong order: dh_T/dh_t = J_T J_(T-1) ... J_(t+1), so each "
                                "step further back multiplies on the RIGHT (J = J @ J_k).")
        if like(_norms([weights[1].T] * T)) or like(_norms([weights[1]] * T)):
            return failed(name, "the tanh derivative is missing: each step back multiplies by diag(1 - h_k^2) W_hh, "
                                "not W_hh alone.")
        return failed(name, "the norms differ from tf.GradientTape's Jacobians: run the layer forward from h_0 = 0 "
                            "and multiply the step Jacobians diag(1 - h_k^2) W_hh from h_T backwards.")
    return passed(name, "every norm agrees with tf.GradientTape's Jacobians through the Keras layer.")


def _jacobian_norms_reversed(layer: Any, x: np.ndarray) -> np.ndarray:
    """A wrong answer for the self-test: the right norms, indexed by distance from h_T."""
    return jacobian_norms_reference(layer, x)[::-1]


def _gradient_of_sum_norms(layer: Any, x: np.ndarray) -> np.ndarray:
    """A wrong answer for the self-test: the norm of d sum(h_T) / dh_t."""
    kernel, recurrent_kernel, bias = (np.asarray(w, dtype="float64") for w in layer.get_weights())
    return _norms(_step_jacobians(kernel, recurrent_kernel, bias, np.asarray(x, dtype="float64")), of_sum=True)


SELF_TESTS = [
    SelfTest(check_backprop_one_step, backprop_one_step_reference,
             wrong=lambda dh, h, W: dh @ W, hint="tanh derivative"),
    SelfTest(check_clip_global_norm, clip_global_norm_reference,
             wrong=lambda gs, m: [g * min(1.0, m / np.linalg.norm(g)) for g in gs], hint="clipped each gradient separately"),
    SelfTest(check_spectral_radius, spectral_radius_reference,
             wrong=lambda W: float(np.linalg.norm(W, 2)), hint="largest singular value"),
    SelfTest(check_jacobian_norms, jacobian_norms_reference, wrong=_jacobian_norms_reversed, hint="runs backwards"),
    SelfTest(check_jacobian_norms, jacobian_norms_reference, wrong=_gradient_of_sum_norms, hint="gradient of sum(h_T)"),
]
