"""Checks for chapter 13's exercises (the causal mask, scaled dot-product attention, the
bytes of a key/value cache; build it: one causal self-attention head).

The build-it check compares the learner's head, computed from x and its weight matrices, with
``keras.layers.MultiHeadAttention`` (one head, the same weights, ``use_causal_mask=True``)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from .base import CheckResult, SelfTest, call_learner, call_learner_number, failed, passed


def causal_mask_reference(T: int) -> np.ndarray:
    """(T, T) bool, True where query t may look at key s: s <= t."""
    return np.tril(np.ones((T, T), dtype=bool))


def check_causal_mask(fn: Callable[[int], Any]) -> CheckResult:
    """Exercise 1: ``fn(T) -> (T, T)`` boolean mask, True where position t may attend to s."""
    name = "causal_mask"
    for T in (1, 3, 6):
        got, error = call_learner(name, fn, T)
        if error is not None:
            return error
        got = np.asarray(got)
        want = causal_mask_reference(T)
        if got.shape != want.shape:
            return failed(name, f"expected shape (T, T) = {want.shape} for T={T}, got {got.shape}.")
        if got.dtype != bool:
            if np.array_equal(got, want.astype(got.dtype)):
                return failed(name, f"the values are right but the dtype is {got.dtype}; return booleans "
                                    "(True = may attend), e.g. with .astype(bool).")
            got = got.astype(bool)
        if np.array_equal(got, want):
            continue
        if np.array_equal(got, want.T):
            return failed(name, "your mask is transposed: row t must allow columns s <= t (the past), "
                                "not s >= t (the future). Use np.tril, not np.triu.")
        if np.array_equal(got, np.tril(np.ones((T, T), dtype=bool), -1)):
            return failed(name, "the diagonal is missing: a position may always look at itself (s = t).")
        if np.array_equal(got, ~want):
            return failed(name, "True and False are swapped: True must mark the keys a query MAY look at.")
        return failed(name, f"for T={T} the mask differs from 'True where s <= t'.")
    return passed(name)


def attention_reference(q: np.ndarray, k: np.ndarray, v: np.ndarray, mask: np.ndarray) -> np.ndarray:
    """q (T, d), k (S, d), v (S, d_v), mask (T, S) bool -> softmax(q k^T / sqrt(d), masked) v."""
    scores = np.where(mask, q @ k.T / np.sqrt(q.shape[-1]), -np.inf)
    e = np.exp(scores - scores.max(axis=-1, keepdims=True))
    return (e / e.sum(axis=-1, keepdims=True)) @ v


def _unscaled(q: np.ndarray, k: np.ndarray, v: np.ndarray, mask: np.ndarray) -> np.ndarray:
    return attention_reference(q * np.sqrt(q.shape[-1]), k, v, mask)


def check_attention(fn: Callable[[np.ndarray, np.ndarray, np.ndarray, np.ndarray], Any]) -> CheckResult:
    """Exercise 2: ``fn(q (T, d), k (S, d), v (S, d_v), mask (T, S)) -> (T, d_v)``."""
    name = "attention"
    rng = np.random.default_rng(13)
    for T, S, d, dv in [(4, 4, 8, 3), (3, 5, 4, 2), (1, 6, 16, 5)]:
        q, k, v = rng.normal(size=(T, d)), rng.normal(size=(S, d)), rng.normal(size=(S, dv))
        mask = causal_mask_reference(T) if T == S else rng.random((T, S)) < 0.7
        mask[:, 0] = True  # every query may look at one key at least
        got, error = call_learner(name, fn, q.copy(), k.copy(), v.copy(), mask.copy())
        if error is not None:
            return error
        got = np.asarray(got, dtype="float64")
        want = attention_reference(q, k, v, mask)
        if got.shape != want.shape:
            return failed(name, f"expected shape (T, d_v) = {want.shape}, got {got.shape}. "
                                "The output is the weights (T, S) times v (S, d_v).")
        if np.allclose(got, want, atol=1e-6):
            continue
        if np.allclose(got, _unscaled(q, k, v, mask), atol=1e-6):
            return failed(name, "the scores are not scaled: divide q k^T by sqrt(d), the size of each query.")
        if np.allclose(got, attention_reference(q, k, v, np.ones_like(mask)), atol=1e-6):
            return failed(name, "the mask is not applied: set the masked scores to -inf (or -1e9) before the softmax.")
        scores = np.where(mask, q @ k.T / np.sqrt(d), -np.inf)
        e = np.exp(scores - scores.max(axis=0, keepdims=True))
        if np.allclose(got, np.nan_to_num(e / e.sum(axis=0, keepdims=True)) @ v, atol=1e-6):
            return failed(name, "the softmax runs over the wrong axis: each query's weights (one row, over the keys) "
                                "must sum to 1 (axis -1).")
        return failed(name, "the output differs from softmax(q k^T / sqrt(d), masked) v.")
    return passed(name)


def kv_cache_bytes_reference(context_length: int, num_layers: int, d_model: int, bytes_per_value: int) -> int:
    """Keys and values (2) for every layer and every position, d_model numbers each."""
    return 2 * num_layers * context_length * d_model * bytes_per_value


def check_kv_cache_bytes(fn: Callable[[int, int, int, int], Any]) -> CheckResult:
    """Exercise 3: ``fn(context_length, num_layers, d_model, bytes_per_value) -> bytes``."""
    name = "kv_cache_bytes"
    for args in [(1024, 12, 768, 4), (64, 2, 32, 4), (2048, 1, 256, 2), (10, 3, 8, 1)]:
        got, error = call_learner_number(name, fn, *args)
        if error is not None:
            return error
        want = kv_cache_bytes_reference(*args)
        if got == want:
            continue
        n, layers, d, b = args
        if got == want / 2:
            return failed(name, "half the expected size: the cache holds keys AND values, two vectors per position.")
        if got == want / layers and layers > 1:
            return failed(name, "every layer keeps its own keys and values: multiply by num_layers.")
        if got == want / b and b > 1:
            return failed(name, "that is a count of numbers, not bytes: multiply by bytes_per_value.")
        return failed(name, f"for context {n}, {layers} layers, d_model {d}, {b} bytes per value, expected "
                            f"{want:,} bytes, got {got:,.0f}.")
    return passed(name)


# -- build it: one causal self-attention head, from x and the weight matrices ------------------

def _head(x: np.ndarray, W_q: np.ndarray, W_k: np.ndarray, W_v: np.ndarray, *, scale: float | None = None,
          mask: str = "causal", masked_score: float = -np.inf, after: bool = False, axis: int = -1,
          swap_qk: bool = False) -> np.ndarray:
    """One attention head in NumPy, with switches that reproduce the usual mistakes (for hints)."""
    q, k, v = x @ W_q, x @ W_k, x @ W_v
    if swap_qk:
        q, k = k, q
    T = x.shape[0]
    allowed = {"causal": causal_mask_reference(T), "future": np.triu(np.ones((T, T), dtype=bool)),
               "none": np.ones((T, T), dtype=bool)}[mask]
    scores = q @ k.T / (np.sqrt(q.shape[-1]) if scale is None else scale)
    if not after:
        scores = np.where(allowed, scores, masked_score)
    e = np.exp(scores - scores.max(axis=axis, keepdims=True))
    weights = e / e.sum(axis=axis, keepdims=True)
    if after:
        weights = weights * allowed
    return weights @ v


def causal_self_attention_reference(x: np.ndarray, W_q: np.ndarray, W_k: np.ndarray, W_v: np.ndarray) -> np.ndarray:
    """One causal self-attention head: x (T, d_model); W_q, W_k (d_model, d_k); W_v (d_model, d_v).
    q_t = x_t W_q, k_s = x_s W_k, v_s = x_s W_v; out_t = sum over s <= t of softmax_s(q_t . k_s / sqrt(d_k)) v_s.
    Returns (T, d_v)."""
    return _head(x, W_q, W_k, W_v)


def _keras_head(x: np.ndarray, W_q: np.ndarray, W_k: np.ndarray, W_v: np.ndarray) -> np.ndarray:
    """The same head computed by keras.layers.MultiHeadAttention (one head, no biases, our weights
    copied in, an identity output projection), with use_causal_mask=True."""
    import keras

    d_k, d_v = W_q.shape[1], W_v.shape[1]
    mha = keras.layers.MultiHeadAttention(num_heads=1, key_dim=d_k, value_dim=d_v, use_bias=False, output_shape=d_v)
    xb = x[None].astype("float32")
    mha(xb, xb)  # builds the weights: query/key/value kernels (d_model, 1, d), output kernel (1, d_v, d_v)
    mha.set_weights([W_q[:, None, :], W_k[:, None, :], W_v[:, None, :], np.eye(d_v)[None]])
    return np.asarray(mha(xb, xb, use_causal_mask=True))[0].astype("float64")


def check_causal_self_attention(fn: Callable[..., Any]) -> CheckResult:
    """Build it: ``fn(x (T, d_model), W_q, W_k (d_model, d_k), W_v (d_model, d_v)) -> (T, d_v)``,
    compared with keras.layers.MultiHeadAttention (one head, the same weights, causal mask)."""
    name = "causal_self_attention"
    rng = np.random.default_rng(1313)
    for T, D, d_k, d_v in [(5, 8, 4, 3), (7, 6, 6, 2), (1, 4, 2, 2), (9, 16, 8, 5)]:
        x = rng.normal(size=(T, D))
        W_q, W_k, W_v = (rng.normal(size=(D, n)) / np.sqrt(D) * 1.5 for n in (d_k, d_k, d_v))
        args = (x, W_q, W_k, W_v)
        got, error = call_learner(name, fn, *(a.copy() for a in args))
        if error is not None:
            return error
        if isinstance(got, (tuple, list)):
            return failed(name, "return only the output, one array of shape (T, d_v), not a tuple.")
        got = np.asarray(got, dtype="float64")
        want = _keras_head(*args)
        if got.shape != want.shape:
            return failed(name, f"expected shape (T, d_v) = {want.shape} for T={T}, d_v={d_v}, got {got.shape}; "
                                "the output is the weights (T, T) times the values x @ W_v (T, d_v).")
        if np.allclose(got, want, atol=1e-5):
            continue
        if np.isnan(got).any():
            return failed(name, "the output has NaN: a row whose scores are all -inf. Position t may always look "
                                "at itself, so keep the diagonal (s <= t, np.tril), and subtract the row maximum "
                                "before np.exp.")

        def like(**kw: Any) -> bool:
            return bool(np.allclose(got, _head(*args, **kw), atol=1e-5))

        if like(scale=1.0):
            return failed(name, "the scores are not scaled: divide q k^T by sqrt(d_k), the width of the queries.")
        if D != d_k and like(scale=np.sqrt(D)):
            return failed(name, "you divided by sqrt(d_model); the scale is sqrt(d_k), the width of the queries "
                                "and keys (W_q.shape[1]), not of x.")
        if like(mask="future"):
            return failed(name, "the mask is the wrong way round: position t sees the future (s >= t). Allow "
                                "s <= t, the past and itself: np.tril, not np.triu.")
        if like(after=True):
            return failed(name, "the mask is applied after the softmax, so each row's weights no longer sum to 1. "
                                "Set the future scores to -inf before the softmax.")
        if like(masked_score=0.0):
            return failed(name, "a masked score of 0 still gets the weight e^0 > 0 after the softmax: set the "
                                "future scores to -inf (or -1e9).")
        if T > 1 and like(mask="none"):
            return failed(name, "no causal mask: every position sees the whole sequence, its future included. "
                                "Set the scores with s > t to -inf before the softmax.")
        if like(axis=0):
            return failed(name, "the softmax runs over the wrong axis: each query's weights (one row, over the "
                                "keys s) must sum to 1; use axis=-1.")
        if like(swap_qk=True):
            return failed(name, "queries and keys are swapped: scores[t, s] = q_t . k_s with q = x @ W_q, "
                                "k = x @ W_k, i.e. q @ k.T.")
        return failed(name, "the output differs from keras.layers.MultiHeadAttention with one head, these weights "
                            "and use_causal_mask=True: softmax(q k^T / sqrt(d_k), future masked) v.")
    return passed(name, "all hidden cases agree with keras.layers.MultiHeadAttention (one head, the same weights, "
                        "use_causal_mask=True).")


SELF_TESTS = [
    SelfTest(check_causal_mask, causal_mask_reference,
             wrong=lambda T: np.triu(np.ones((T, T), dtype=bool)), hint="transposed"),
    SelfTest(check_attention, attention_reference, wrong=_unscaled, hint="not scaled"),
    SelfTest(check_kv_cache_bytes, kv_cache_bytes_reference,
             wrong=lambda n, layers, d, b: layers * n * d * b, hint="keys AND values"),
    SelfTest(check_causal_self_attention, causal_self_attention_reference,
             wrong=lambda x, W_q, W_k, W_v: _head(x, W_q, W_k, W_v, after=True), hint="after the softmax"),
]
