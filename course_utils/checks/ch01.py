"""Checks for chapter 01's exercises (one RNN step, the tanh derivative, dL/dW_hh in BPTT) and its
build-it exercise, one min-char-rnn update: forward pass, BPTT, global-norm clipping and Adagrad."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from ..rnn import numpy_rnn as rnn
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


# --------------------------------------------------------------------------- build it: min-char-rnn
PARAM_NAMES = ("W_hx", "W_hh", "b_h", "W_hy", "b_y")
NAMES_UPDATES, NAMES_UNITS, NAMES_MAX_LOSS = 150, 32, 2.40  # the training part of check_min_char_rnn_step


def _grads(params: dict[str, np.ndarray], x_ids: np.ndarray, y_ids: np.ndarray, h: np.ndarray,
           mistake: str = "") -> tuple[float, dict[str, np.ndarray], np.ndarray]:
    """(mean loss, gradients, h_T) of the chapter's RNN on ids (B, T) from state h (B, H). ``mistake``
    makes a wrong BPTT the check recognises: "no future" drops W_hh^T dL/dz_(t+1), "zero h_0" pairs
    dz_1 with zeros instead of h, "h_t" pairs dz_t with h_t, "no slope" forgets tanh'."""
    W_hx, W_hh, b_h, W_hy, b_y = (params[k] for k in PARAM_NAMES)
    B, T = x_ids.shape
    rows = np.arange(B)
    hs, ps = [h], []
    for t in range(T):
        hs.append(np.tanh(W_hx[:, x_ids[:, t]].T + hs[-1] @ W_hh.T + b_h))
        y = hs[-1] @ W_hy.T + b_y
        e = np.exp(y - y.max(axis=1, keepdims=True))
        ps.append(e / e.sum(axis=1, keepdims=True))
    loss = float(-np.mean([np.log(ps[t][rows, y_ids[:, t]]) for t in range(T)]))
    grads = {k: np.zeros_like(v, dtype="float64") for k, v in params.items()}
    dh_next = np.zeros_like(h, dtype="float64")
    for t in reversed(range(T)):
        dy = ps[t].copy()
        dy[rows, y_ids[:, t]] -= 1.0
        dy /= B * T
        grads["W_hy"] += dy.T @ hs[t + 1]
        grads["b_y"] += dy.sum(axis=0)
        dz = (dy @ W_hy + (0.0 if mistake == "no future" else dh_next)) * (
            1.0 if mistake == "no slope" else 1.0 - hs[t + 1] ** 2)
        np.add.at(grads["W_hx"].T, x_ids[:, t], dz)
        paired = {"h_t": hs[t + 1], "zero h_0": hs[t] if t else np.zeros_like(h)}.get(mistake, hs[t])
        grads["W_hh"] += dz.T @ paired
        grads["b_h"] += dz.sum(axis=0)
        dh_next = dz @ W_hh
    return loss, grads, hs[-1]


def _clipped(grads: dict[str, np.ndarray], clip: float) -> dict[str, np.ndarray]:
    norm = np.sqrt(sum(float(np.sum(g**2)) for g in grads.values()))
    return {k: g * min(1.0, clip / norm) for k, g in grads.items()}


def _adagrad(params: dict[str, np.ndarray], memory: dict[str, np.ndarray], g: dict[str, np.ndarray],
             learning_rate: float, eps_inside: bool = True) -> tuple[dict[str, np.ndarray], dict[str, np.ndarray]]:
    """New (params, memory) after one Adagrad step with gradients g; the 1e-8 inside the square root
    (min-char-rnn) or added to it (both are accepted)."""
    mem = {k: memory[k] + g[k] ** 2 for k in params}
    den = {k: np.sqrt(mem[k] + 1e-8) if eps_inside else np.sqrt(mem[k]) + 1e-8 for k in params}
    return {k: params[k] - learning_rate * g[k] / den[k] for k in params}, mem


def min_char_rnn_step_reference(params: dict[str, np.ndarray], memory: dict[str, np.ndarray], x_ids: np.ndarray,
                                y_ids: np.ndarray, h: np.ndarray, learning_rate: float = 0.1,
                                clip: float = 5.0) -> tuple[float, dict[str, np.ndarray], np.ndarray]:
    """One min-char-rnn update on ids (B, T) from state h (B, H): forward, BPTT, clip the global norm
    to ``clip``, Adagrad step on ``params`` and ``memory`` in place. Returns (loss, raw grads, h_T)."""
    loss, grads, h_T = _grads(params, x_ids, y_ids, h)
    _update_in_place(params, memory, _clipped(grads, clip), learning_rate)
    return loss, grads, h_T


def _update_in_place(params: dict[str, np.ndarray], memory: dict[str, np.ndarray], g: dict[str, np.ndarray],
                     learning_rate: float) -> None:
    new_params, new_memory = _adagrad(params, memory, g, learning_rate)
    for k in params:
        params[k][...], memory[k][...] = new_params[k], new_memory[k]


def _copy(d: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    return {k: v.copy() for k, v in d.items()}


def _zeros(d: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    return {k: np.zeros_like(v) for k, v in d.items()}


def _close(a: dict[str, Any], b: dict[str, np.ndarray], rtol: float = 1e-6, atol: float = 1e-9) -> bool:
    return all(np.allclose(np.asarray(a[k], dtype="float64"), b[k], rtol=rtol, atol=atol) for k in b)


def _rel_err(a: Any, b: np.ndarray) -> float:
    """max |a - b| / max(|a| + |b|), as rnn.relative_error, but infinite (not an error) for NaN in a."""
    a = np.asarray(a, dtype="float64")
    if not np.all(np.isfinite(a)):
        return float("inf")
    return float(np.max(np.abs(a - b)) / max(float(np.max(np.abs(a) + np.abs(b))), 1e-300))


def _step_case(seed: int, B: int, T: int, V: int, H: int, zero_h: bool) -> tuple[Any, ...]:
    rng = np.random.default_rng(100 + seed)
    params = rnn.init_params(V, H, V, seed=seed, scale=0.5)
    h = np.zeros((B, H)) if zero_h else np.tanh(rng.normal(size=(B, H)))
    return params, rng.integers(0, V, size=(B, T)), rng.integers(0, V, size=(B, T)), h


def _call_step(fn: Callable[..., Any], params: dict[str, np.ndarray], memory: dict[str, np.ndarray], x_ids: np.ndarray,
               y_ids: np.ndarray, h: np.ndarray, learning_rate: float, clip: float
               ) -> tuple[tuple[float, dict[str, Any], np.ndarray] | None, CheckResult | None]:
    """Call the learner's step; check it returns (loss, grads, h_T) with the right keys and shapes."""
    name = "min_char_rnn_step"
    got, error = call_learner(name, fn, params, memory, x_ids.copy(), y_ids.copy(), h.copy(), learning_rate, clip)
    if error is not None:
        return None, error
    if not isinstance(got, tuple) or len(got) != 3:
        return None, failed(name, "return three things: (loss, grads, h_T), the mean loss, a dict of gradients "
                                  "and the last hidden state.")
    loss, grads, h_T = got
    if not isinstance(grads, dict) or set(grads) != set(PARAM_NAMES):
        return None, failed(name, f"grads must be a dict with the keys of params, {PARAM_NAMES}.")
    for k in PARAM_NAMES:
        if np.shape(grads[k]) != params[k].shape:
            return None, failed(name, f"grads[{k!r}] must have the shape of params[{k!r}], {params[k].shape}; "
                                      f"got {np.shape(grads[k])}.")
    if np.shape(h_T) != h.shape:
        return None, failed(name, f"h_T is the last hidden state, shape (B, H) = {h.shape}; got {np.shape(h_T)}.")
    try:
        loss = float(loss)
    except (TypeError, ValueError):
        return None, failed(name, f"the loss must be one number, not {type(loss).__name__}.")
    return (loss, grads, np.asarray(h_T, dtype="float64")), None


def _check_gradients(fn: Callable[..., Any]) -> CheckResult | None:
    """Case 1: h = 0, against tf.GradientTape. Case 2: h != 0, against central differences."""
    name = "min_char_rnn_step"
    params, x_ids, y_ids, h = _step_case(0, B=2, T=5, V=6, H=4, zero_h=True)
    got, error = _call_step(fn, _copy(params), _zeros(params), x_ids, y_ids, h, 0.1, 5.0)
    if error is not None:
        return error
    loss, grads, _ = got
    tf_loss, tf_grads = rnn.tf_loss_and_grads(params, rnn.one_hot(x_ids, 6), y_ids)
    n = x_ids.size
    if not np.isclose(loss, tf_loss, rtol=1e-6):
        if np.isclose(loss, tf_loss * n, rtol=1e-6):
            return failed(name, "your loss is the sum over all B*T predictions; the chapter uses the mean "
                                "(divide by B*T).")
        return failed(name, "the loss differs from tf.GradientTape's: the mean over all B*T targets of "
                            "-log softmax(y_t)[target], with y_t = W_hy h_t + b_y.")
    bad = [k for k in PARAM_NAMES if _rel_err(grads[k], tf_grads[k]) > 1e-6]
    if bad:
        if all(np.allclose(np.asarray(grads[k], dtype="float64"), tf_grads[k] * n) for k in PARAM_NAMES):
            return failed(name, "every gradient is B*T times too large: the loss is a mean, so "
                                "dL/dy_t = (p_t - onehot) / (B*T).")
        if _close(grads, _grads(params, x_ids, y_ids, h, "no future")[1]):
            return failed(name, "dL/dh_t misses the term from the next step: add W_hh^T dL/dz_(t+1) "
                                "(dh_next = dz @ W_hh) to W_hy^T dL/dy_t.")
        if _close(grads, _grads(params, x_ids, y_ids, h, "no slope")[1]):
            return failed(name, "the tanh derivative is missing: dL/dz_t = dL/dh_t * (1 - h_t**2).")
        got_W_hh = np.asarray(grads["W_hh"], dtype="float64")
        if np.allclose(got_W_hh, _grads(params, x_ids, y_ids, h, "h_t")[1]["W_hh"]):
            return failed(name, "dL/dW_hh pairs dz_t with h_t; W_hh multiplies the PREVIOUS state, h_(t-1).")
        if np.allclose(got_W_hh, tf_grads["W_hh"].T):
            return failed(name, "dL/dW_hh is transposed: entry (i, j) is sum_t dz_t[i] h_(t-1)[j], i.e. dz.T @ h_prev.")
        return failed(name, f"your gradients of {', '.join(bad)} differ from tf.GradientTape's; "
                            "shared weights sum dz_t x_t^T, dz_t h_(t-1)^T and dz_t over every step.")
    params, x_ids, y_ids, h = _step_case(1, B=3, T=4, V=5, H=3, zero_h=False)
    got, error = _call_step(fn, _copy(params), _zeros(params), x_ids, y_ids, h, 0.1, 5.0)
    if error is not None:
        return error
    loss, grads, h_T = got
    want_loss, _, want_h = _grads(params, x_ids, y_ids, h)
    if not np.isclose(loss, want_loss, rtol=1e-6):
        if np.isclose(loss, _grads(params, x_ids, y_ids, np.zeros_like(h))[0], rtol=1e-6):
            return failed(name, "you started from zeros: the forward pass starts from the state h you are given "
                                "(the last state of the previous chunk).")
        return failed(name, "with a non-zero starting state h your loss differs; the first step is "
                            "h_1 = tanh(W_hx x_1 + W_hh h + b_h).")
    if not np.allclose(h_T, want_h):
        return failed(name, "h_T must be the hidden state after the LAST step of the chunk, the one to carry on.")
    xs = rnn.one_hot(x_ids, 5)

    def loss_at(p: dict[str, np.ndarray]) -> float:
        return rnn.cross_entropy(rnn.rnn_forward(p, xs, h0=h).logits, y_ids)

    bad = []
    for k in PARAM_NAMES:  # central differences: (L(w + eps) - L(w - eps)) / (2 eps)
        numeric = np.zeros_like(params[k])
        for i in np.ndindex(params[k].shape):
            plus, minus = _copy(params), _copy(params)
            plus[k][i] += 1e-5
            minus[k][i] -= 1e-5
            numeric[i] = (loss_at(plus) - loss_at(minus)) / 2e-5
        if _rel_err(grads[k], numeric) > 1e-6:
            bad.append(k)
    if bad:
        if _close(grads, _grads(params, x_ids, y_ids, h, "zero h_0")[1]):
            return failed(name, "dL/dW_hh at the first step pairs dz_1 with the starting state h (not zeros): "
                                "keep h as h_0 in your list of states.")
        return failed(name, f"with a non-zero starting state your gradients of {', '.join(bad)} differ from "
                            "finite differences of the loss.")
    return None


def _check_update(fn: Callable[..., Any]) -> CheckResult | None:
    """Three updates in a row with clip = 0.05, so that clipping acts; params, memory and h carried."""
    name = "min_char_rnn_step"
    params, _, _, h = _step_case(2, B=2, T=6, V=5, H=4, zero_h=True)
    memory = _zeros(params)
    rng = np.random.default_rng(7)
    lr, clip = 0.1, 0.05
    for _ in range(3):
        x_ids, y_ids = rng.integers(0, 5, size=(2, 6)), rng.integers(0, 5, size=(2, 6))
        before, mem_before = _copy(params), _copy(memory)
        got, error = _call_step(fn, params, memory, x_ids, y_ids, h, lr, clip)
        if error is not None:
            return error
        _, grads, h_T = got
        _, raw, want_h = _grads(before, x_ids, y_ids, h)
        g = _clipped(raw, clip)
        if not _close(grads, raw):
            if _close(grads, g):
                return failed(name, "return the gradients as BPTT gives them, before clipping; "
                                    "clip a copy for the update.")
            return failed(name, "the returned gradients differ from BPTT's on a later chunk: carry nothing between "
                                "calls except params, memory and h.")
        if all(np.array_equal(params[k], before[k]) for k in PARAM_NAMES):
            return failed(name, "params did not change: update the arrays of the dict in place "
                                "(params[k] -= ...), do not build a new dict.")
        wants = [_adagrad(before, mem_before, g, lr, eps_inside) for eps_inside in (True, False)]
        if not any(_close(params, p) and _close(memory, m) for p, m in wants):
            return _update_hint(params, memory, before, mem_before, raw, lr, clip)
        if not np.allclose(h_T, want_h):
            return failed(name, "h_T must be the hidden state after the last step of the chunk.")
        h = h_T
    return None


def _update_hint(params: dict[str, np.ndarray], memory: dict[str, np.ndarray], before: dict[str, np.ndarray],
                 mem_before: dict[str, np.ndarray], raw: dict[str, np.ndarray], lr: float, clip: float) -> CheckResult:
    """Name the likely mistake in the clip-then-Adagrad update."""
    name = "min_char_rnn_step"

    def matches(g: dict[str, np.ndarray]) -> bool:
        return any(_close(params, _adagrad(before, mem_before, g, lr, e)[0]) and
                   _close(memory, _adagrad(before, mem_before, g, lr, e)[1]) for e in (True, False))

    if all(np.array_equal(memory[k], mem_before[k]) for k in PARAM_NAMES):
        return failed(name, "memory did not change: Adagrad adds the squared (clipped) gradient to it in place, "
                            "memory[k] += g**2, and the next update divides by its square root.")
    if matches({k: np.clip(v, -clip, clip) for k, v in raw.items()}):
        return failed(name, "you clipped each value to [-clip, clip], as min-char-rnn does; this course clips the "
                            "global norm: one factor min(1, clip / norm) for all gradients, which keeps the direction.")
    if matches({k: v * min(1.0, clip / np.linalg.norm(v)) for k, v in raw.items()}):
        return failed(name, "you clipped each gradient by its own norm; the global norm is over all of them together.")
    if matches(raw):
        return failed(name, "the gradients were not clipped: scale all of them by min(1, clip / global norm) "
                            "before the Adagrad step.")
    g = _clipped(raw, clip)
    if any(_close(params, {k: 2 * before[k] - v for k, v in _adagrad(before, mem_before, g, lr, e)[0].items()})
           for e in (True, False)):
        return failed(name, "the step goes UP the gradient: subtract it, params[k] -= learning_rate * g / ...")
    if _close(memory, {k: mem_before[k] + v**2 for k, v in raw.items()}):
        return failed(name, "memory must add the square of the gradient you step with: the clipped one.")
    if _close(params, {k: before[k] - lr * g[k] for k in PARAM_NAMES}):
        return failed(name, "that is an SGD step; use Adagrad: memory[k] += g**2, then "
                            "params[k] -= learning_rate * g / np.sqrt(memory[k] + 1e-8).")
    return failed(name, "after the update params or memory differ from clip-then-Adagrad: g = clipped gradients, "
                        "memory[k] += g**2, params[k] -= learning_rate * g / np.sqrt(memory[k] + 1e-8).")


def _check_training(fn: Callable[..., Any]) -> CheckResult | None:
    """Train on the names with the learner's step (state carried between chunks, as train_char_rnn
    does); the validation loss must fall below NAMES_MAX_LOSS."""
    from ..data import load_names

    name = "min_char_rnn_step"
    names = load_names()
    _, chars = rnn.encode_words(names.train)
    index = {c: i for i, c in enumerate(chars)}
    V, B, T = len(chars), 32, 25
    params = rnn.init_params(V, NAMES_UNITS, V, seed=0)
    memory = _zeros(params)
    rng = np.random.default_rng(0)
    updates = 0
    while updates < NAMES_UPDATES:  # one epoch: shuffled names, one stream cut into B lanes
        order = rng.permutation(len(names.train))
        stream = np.array([index[c] for i in order for c in names.train[i] + "\n"])
        lane = (len(stream) - 1) // B
        x_all, y_all = stream[: B * lane].reshape(B, lane), stream[1: B * lane + 1].reshape(B, lane)
        h = np.zeros((B, NAMES_UNITS))
        for start in range(0, lane - T + 1, T):
            if updates == NAMES_UPDATES:
                break
            got, error = _call_step(fn, params, memory, x_all[:, start: start + T], y_all[:, start: start + T],
                                    h, 0.1, 5.0)
            if error is not None:
                return error
            h = got[2]
            updates += 1
    if not all(np.all(np.isfinite(v)) for v in params.values()):
        return failed(name, "training on the names diverged (NaN or infinite weights); check the clipping.")
    loss = rnn.char_rnn_loss(rnn.CharRNN(params, chars), names.validation)
    if loss >= NAMES_MAX_LOSS:
        return failed(name, f"after {NAMES_UPDATES} updates on the names the validation loss is still "
                            f"above {NAMES_MAX_LOSS:.2f} nats/char. Your step passed the small cases, so look for what "
                            "depends on size (B = 32, T = 25, H = 32) or on the state h carried between chunks.")
    return None


def check_min_char_rnn_step(fn: Callable[..., Any]) -> CheckResult:
    """Build it: ``fn(params, memory, x_ids, y_ids, h, learning_rate, clip) -> (loss, grads, h_T)``,
    one min-char-rnn update that changes ``params`` and ``memory`` in place."""
    for part in (_check_gradients, _check_update, _check_training):
        result = part(fn)
        if result is not None:
            return result
    return passed("min_char_rnn_step", "gradients match tf.GradientTape and finite differences, the update is "
                                       f"clip-then-Adagrad, and {NAMES_UPDATES} updates on the names bring the "
                                       f"validation loss below {NAMES_MAX_LOSS:.2f} nats/char.")


def _wrong_step(mistake: str = "", clip_values: bool = False) -> Callable[..., Any]:
    """Wrong answers for the self-tests: a BPTT ``mistake`` (see _grads), or min-char-rnn's per-value clipping."""
    def step(params: dict[str, np.ndarray], memory: dict[str, np.ndarray], x_ids: np.ndarray, y_ids: np.ndarray,
             h: np.ndarray, learning_rate: float = 0.1, clip: float = 5.0) -> tuple[float, Any, np.ndarray]:
        loss, grads, h_T = _grads(params, x_ids, y_ids, h, mistake)
        g = {k: np.clip(v, -clip, clip) for k, v in grads.items()} if clip_values else _clipped(grads, clip)
        _update_in_place(params, memory, g, learning_rate)
        return loss, grads, h_T

    return step


SELF_TESTS = [
    SelfTest(check_rnn_step, rnn_step_reference,
             wrong=lambda x, h, Wx, Wh, b: x @ Wx.T + h @ Wh.T + b, hint="apply np.tanh"),
    SelfTest(check_tanh_backward, tanh_backward_reference,
             wrong=lambda dh, h: dh * (1.0 - np.tanh(h) ** 2), hint="applied tanh twice"),
    SelfTest(check_grad_W_hh, grad_W_hh_reference,
             wrong=lambda dz, hs: np.einsum("bti,btj->ij", dz, hs[:, 1:]), hint="PREVIOUS state"),
    SelfTest(check_min_char_rnn_step, min_char_rnn_step_reference, wrong=_wrong_step("no future"),
             hint="misses the term from the next step"),
    SelfTest(check_min_char_rnn_step, min_char_rnn_step_reference, wrong=_wrong_step(clip_values=True),
             hint="clipped each value"),
]
