"""Checks for chapter 13's exercises (the causal mask, scaled dot-product attention, the
bytes of a key/value cache)."""

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


SELF_TESTS = [
    SelfTest(check_causal_mask, causal_mask_reference,
             wrong=lambda T: np.triu(np.ones((T, T), dtype=bool)), hint="transposed"),
    SelfTest(check_attention, attention_reference, wrong=_unscaled, hint="not scaled"),
    SelfTest(check_kv_cache_bytes, kv_cache_bytes_reference,
             wrong=lambda n, layers, d, b: layers * n * d * b, hint="keys AND values"),
]
