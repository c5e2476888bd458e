"""Checks for chapter 11's exercises (masked attention weights, Luong scores, context vectors) and its
build-it exercise (Bahdanau's additive attention, batched, equal to the library's layer)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from .base import CheckResult, SelfTest, call_learner, failed, passed


def _softmax(x: np.ndarray, axis: int = -1) -> np.ndarray:
    e = np.exp(x - x.max(axis=axis, keepdims=True))
    return e / e.sum(axis=axis, keepdims=True)


def attention_weights_reference(scores: np.ndarray, mask: np.ndarray) -> np.ndarray:
    """scores (T, S), mask (S,) True at real source tokens -> weights (T, S), softmax over S,
    exactly 0 at masked positions."""
    scores = np.where(np.asarray(mask)[None, :], scores, -np.inf)
    return _softmax(scores, axis=-1)


def check_attention_weights(fn: Callable[[np.ndarray, np.ndarray], Any]) -> CheckResult:
    """Exercise 1: ``fn(scores (T, S), mask (S,)) -> weights (T, S)``."""
    name = "attention_weights"
    rng = np.random.default_rng(11)
    for steps, src_len, real in [(3, 5, 3), (2, 4, 4), (4, 6, 2)]:
        scores = rng.normal(size=(steps, src_len)) * 2
        mask = np.arange(src_len) < real
        got, error = call_learner(name, fn, scores.copy(), mask.copy())
        if error is not None:
            return error
        got = np.asarray(got, dtype="float64")
        want = attention_weights_reference(scores, mask)
        if got.shape != want.shape:
            return failed(name, f"expected shape (T, S) = {want.shape}, got {got.shape}.")
        if np.allclose(got, want, atol=1e-6):
            continue
        if np.allclose(got, _softmax(scores, axis=-1), atol=1e-6) and real < src_len:
            return failed(name, "your scores are not masked: padded source positions get weight. Set their scores to "
                                "-inf (or a huge negative number) before the softmax.")
        if np.allclose(got, _softmax(np.where(mask[None], scores, -np.inf), axis=0), atol=1e-6) or \
                np.allclose(got.sum(axis=0), 1.0):
            return failed(name, "the softmax runs over the wrong axis: each output step's weights (one row) must sum "
                                "to 1 over the source positions (axis -1).")
        if np.allclose(got, _softmax(scores, axis=-1) * mask[None], atol=1e-6):
            return failed(name, "you zeroed the padded weights after the softmax, so rows no longer sum to 1; mask "
                                "the scores before it.")
        return failed(name, "the weights differ from a masked softmax over the source axis.")
    return passed(name)


def luong_scores_reference(query: np.ndarray, keys: np.ndarray, w: np.ndarray) -> np.ndarray:
    """Luong's "general" score: query (T, H_q), keys (S, H_k), w (H_q, H_k) -> (T, S) = query @ w @ keys.T."""
    return query @ w @ keys.T


def check_luong_scores(fn: Callable[[np.ndarray, np.ndarray, np.ndarray], Any]) -> CheckResult:
    """Exercise 2: ``fn(query (T, H_q), keys (S, H_k), w (H_q, H_k)) -> scores (T, S)``."""
    name = "luong_scores"
    rng = np.random.default_rng(12)
    for steps, src_len, hq, hk in [(3, 4, 5, 6), (2, 5, 3, 3), (1, 3, 4, 2)]:
        q, k, w = rng.normal(size=(steps, hq)), rng.normal(size=(src_len, hk)), rng.normal(size=(hq, hk))
        got, error = call_learner(name, fn, q.copy(), k.copy(), w.copy())
        if error is not None:
            return error
        got = np.asarray(got, dtype="float64")
        want = luong_scores_reference(q, k, w)
        if got.shape == want.T.shape and got.shape != want.shape:
            return failed(name, f"your scores are transposed: rows are output steps (T), columns source steps (S); "
                                f"expected {want.shape}, got {got.shape}.")
        if got.shape != want.shape:
            return failed(name, f"expected shape (T, S) = {want.shape}, got {got.shape}. Compute query @ w @ keys.T.")
        if hq == hk and np.allclose(got, q @ k.T):
            return failed(name, "you computed the 'dot' score q·k; the 'general' score puts the learned matrix w "
                                "between them: q w k^T.")
        if not np.allclose(got, want, atol=1e-6):
            return failed(name, "the values differ from query @ w @ keys.T.")
    return passed(name)


def context_vectors_reference(weights: np.ndarray, values: np.ndarray) -> np.ndarray:
    """weights (T, S), values (S, H) -> context (T, H): each row a weighted average of the values."""
    return weights @ values


def check_context_vectors(fn: Callable[[np.ndarray, np.ndarray], Any]) -> CheckResult:
    """Exercise 3: ``fn(weights (T, S), values (S, H)) -> context (T, H)``."""
    name = "context_vectors"
    rng = np.random.default_rng(13)
    for steps, src_len, h in [(3, 4, 5), (2, 2, 2), (5, 3, 4)]:
        weights = _softmax(rng.normal(size=(steps, src_len)))
        values = rng.normal(size=(src_len, h))
        got, error = call_learner(name, fn, weights.copy(), values.copy())
        if error is not None:
            return error
        got = np.asarray(got, dtype="float64")
        want = context_vectors_reference(weights, values)
        if got.shape != want.shape:
            return failed(name, f"expected shape (T, H) = {want.shape}, got {got.shape}. Weight the values over S.")
        if np.allclose(got, np.broadcast_to(values.mean(axis=0), want.shape)):
            return failed(name, "you took a plain average of the values; weight each source position by its attention weight.")
        if not np.allclose(got, want, atol=1e-6):
            return failed(name, "the values differ from weights @ values.")
    return passed(name)


# ---------------------------------------------------------------- build it: Bahdanau attention

def bahdanau_attention_reference(query: np.ndarray, keys: np.ndarray, mask: np.ndarray, W_q: np.ndarray,
                                 W_k: np.ndarray, b_k: np.ndarray, v: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Additive attention in NumPy: query (batch, T, H_q) decoder states s_t, keys (batch, S, H_k) encoder
    outputs h_s, mask (batch, S) True at real source tokens, W_q (H_q, U), W_k (H_k, U), b_k (U,), v (U,)
    -> (context (batch, T, H_k), weights (batch, T, S)), with e_{t,s} = v^T tanh(W_q s_t + W_k h_s + b_k)."""
    return _bahdanau_variant(query, keys, mask, W_q, W_k, b_k, v)


def _bahdanau_variant(query: np.ndarray, keys: np.ndarray, mask: np.ndarray, W_q: np.ndarray, W_k: np.ndarray,
                      b_k: np.ndarray, v: np.ndarray, use_mask: bool = True, axis: int = -1, bias: bool = True,
                      mask_after: bool = False) -> tuple[np.ndarray, np.ndarray]:
    """Bahdanau attention, and (with an argument changed) a likely mistake: no mask, the softmax over
    another axis, no bias b_k, or padded weights zeroed after the softmax."""
    q = (query @ W_q)[:, :, None, :]                               # (batch, T, 1, U)
    k = (keys @ W_k + (b_k if bias else 0))[:, None, :, :]        # (batch, 1, S, U)
    scores = np.tanh(q + k) @ v                                    # (batch, T, S)
    real = np.asarray(mask, dtype=bool)[:, None, :]                # (batch, 1, S)
    if use_mask and not mask_after:
        scores = np.where(real, scores, -1e9)
    weights = _softmax(scores, axis=axis)
    if mask_after:
        weights = weights * real
    return weights @ keys, weights


def _random_bahdanau(units: int, H_q: int, H_k: int, rng: np.random.Generator) -> Any:
    """The library's BahdanauAttention, built, with random weights (its bias b_k too, which starts at 0)."""
    from ..seq2seq.attention import BahdanauAttention

    layer = BahdanauAttention(units)
    layer.build((None, None, H_q), (None, None, H_k))
    for w in layer.weights:
        w.assign(rng.normal(scale=0.7, size=tuple(w.shape)).astype("float32"))
    return layer


def check_bahdanau_attention(fn: Callable[..., Any]) -> CheckResult:
    """Build it: ``fn(query, keys, mask, W_q, W_k, b_k, v) -> (context, weights)``, compared with the
    library's :class:`~course_utils.seq2seq.attention.BahdanauAttention` whose weights are copied in."""
    name = "bahdanau_attention"
    rng = np.random.default_rng(111)
    # (batch, T, S, H_q, H_k, U, real source tokens per sentence): padding in most sentences, H_q != H_k
    for batch, T, S, H_q, H_k, U, lengths in [(2, 3, 5, 4, 6, 5, [5, 3]), (3, 4, 4, 3, 3, 2, [2, 4, 1]),
                                             (1, 1, 6, 5, 2, 3, [4])]:
        layer = _random_bahdanau(U, H_q, H_k, rng)
        query = rng.normal(size=(batch, T, H_q)).astype("float32")
        keys = rng.normal(size=(batch, S, H_k)).astype("float32")
        mask = np.arange(S)[None, :] < np.array(lengths)[:, None]
        context, weights = (np.asarray(x, dtype="float64") for x in layer(query, keys, mask))
        params = (np.asarray(layer.w_query.kernel, dtype="float64"), np.asarray(layer.w_keys.kernel, dtype="float64"),
                  np.asarray(layer.w_keys.bias, dtype="float64"), np.asarray(layer.v.kernel, dtype="float64")[:, 0])
        got, error = call_learner(name, fn, query.astype("float64"), keys.astype("float64"), mask.copy(),
                                  *(p.copy() for p in params))
        if error is not None:
            said = error.message.rstrip().rstrip(".")
            if any(word in said for word in ("matmul", "core dimension", "Matrix size")):
                return failed(name, f"{said}. W_q multiplies the decoder states and W_k the encoder outputs: "
                                    f"query @ W_q with W_q (H_q, U) = {params[0].shape}, keys @ W_k with W_k (H_k, U) "
                                    f"= {params[1].shape}.")
            if any(word in said for word in ("broadcast", "ncompatible shapes")):
                return failed(name, f"{said}. Check the shapes: W_q s_t is (batch, T, U) and W_k h_s + b_k is "
                                    "(batch, S, U); give the first a source axis and the second a target axis, "
                                    "(batch, T, 1, U) + (batch, 1, S, U), so that every (t, s) pair gets a score.")
            return error
        if not isinstance(got, (tuple, list)) or len(got) != 2:
            return failed(name, "return the pair (context, weights).")
        got_context, got_weights = (np.asarray(x, dtype="float64") for x in got)
        if got_weights.shape != weights.shape:
            if got_weights.shape == (batch, S, T) and S != T:
                return failed(name, f"your weights are transposed: (batch, T, S) = {weights.shape}, one row per "
                                    f"output step, got {got_weights.shape}.")
            return failed(name, f"expected weights of shape (batch, T, S) = {weights.shape}, got {got_weights.shape}: "
                                "one score per (output step t, source position s) pair, (batch, T, 1, U) + "
                                "(batch, 1, S, U) before the tanh.")
        if not np.allclose(got_weights, weights, atol=1e-5):
            return failed(name, _weights_diagnosis(got_weights, query, keys, mask, params))
        if got_context.shape != context.shape or not np.allclose(got_context, context, atol=1e-5):
            return failed(name, f"the weights are right but the context is not: c_t = sum_s a_(t,s) h_s, the "
                                f"weighted sum of the keys (encoder outputs), weights @ keys, shape (batch, T, H_k) = "
                                f"{context.shape}; got {got_context.shape}.")
    return passed(name, "equal to the library's BahdanauAttention with copied weights (weights and context, to 1e-5).")


def _weights_diagnosis(got: np.ndarray, query: np.ndarray, keys: np.ndarray, mask: np.ndarray,
                       params: tuple[np.ndarray, ...]) -> str:
    """A hint naming the mistake whose attention weights the learner's function reproduces."""
    same = lambda **kw: np.allclose(got, _bahdanau_variant(query, keys, mask, *params, **kw)[1], atol=1e-5)  # noqa: E731
    if same(use_mask=False):
        return ("the padded source positions get weight: your softmax ignores the mask. Set the scores of "
                "padded positions (mask False) to -1e9 before the softmax.")
    if same(mask_after=True):
        return "you zeroed the padded weights after the softmax, so rows no longer sum to 1; mask the scores before it."
    if same(axis=1) or same(axis=1, use_mask=False) or same(axis=0) or same(axis=0, use_mask=False) or \
            not np.allclose(got.sum(axis=-1), 1.0, atol=1e-5):
        return ("the softmax runs over the wrong axis: for each sentence and output step t the weights over the "
                "source positions s (the last axis) must sum to 1.")
    if same(bias=False):
        return "the bias b_k is missing: e_(t,s) = v^T tanh(W_q s_t + W_k h_s + b_k)."
    return ("the weights differ from the library's: e_(t,s) = v^T tanh(W_q s_t + W_k h_s + b_k) with row vectors "
            "(query @ W_q, keys @ W_k + b_k), then the masked softmax over s.")


SELF_TESTS = [
    SelfTest(check_bahdanau_attention, bahdanau_attention_reference,
             wrong=lambda *args: _bahdanau_variant(*args, use_mask=False), hint="ignores the mask"),
    SelfTest(check_attention_weights, attention_weights_reference, wrong=lambda s, m: _softmax(s, axis=-1),
             hint="your scores are not masked"),
    SelfTest(check_luong_scores, luong_scores_reference, wrong=lambda q, k, w: (q @ w @ k.T).T, hint="transposed"),
    SelfTest(check_context_vectors, context_vectors_reference,
             wrong=lambda wts, v: np.broadcast_to(v.mean(axis=0), (wts.shape[0], v.shape[1])), hint="plain average"),
]
