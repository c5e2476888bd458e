"""Checks for chapter 11's exercises (masked attention weights, Luong scores, context vectors)."""

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


SELF_TESTS = [
    SelfTest(check_attention_weights, attention_weights_reference, wrong=lambda s, m: _softmax(s, axis=-1),
             hint="your scores are not masked"),
    SelfTest(check_luong_scores, luong_scores_reference, wrong=lambda q, k, w: (q @ w @ k.T).T, hint="transposed"),
    SelfTest(check_context_vectors, context_vectors_reference,
             wrong=lambda wts, v: np.broadcast_to(v.mean(axis=0), (wts.shape[0], v.shape[1])), hint="plain average"),
]
