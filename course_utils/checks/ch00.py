"""Checks for chapter 00's exercises (tokens, one-hot vectors, masks)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from .base import CheckResult, SelfTest, call_learner, failed, passed

# Hidden cases: token-id matrices as a TextVectorization layer returns them (0 = padding, 1 = [UNK]).
_IDS = [
    np.array([[5, 1, 7, 0, 0], [1, 1, 2, 3, 0]]),
    np.array([[2, 3, 4, 5, 6, 0, 0, 0]]),
    np.array([[1, 0, 0], [4, 1, 0], [1, 1, 1]]),
]


def unk_fraction_reference(ids: np.ndarray) -> float:
    """Fraction of real (non-padding) tokens that are [UNK] (id 1)."""
    ids = np.asarray(ids)
    return float((ids == 1).sum() / (ids != 0).sum())


def check_unk_fraction(fn: Callable[[np.ndarray], float]) -> CheckResult:
    """Exercise 1: ``fn(ids) -> float``, the share of non-padding tokens that are [UNK]."""
    name = "unk_fraction"
    for ids in _IDS:
        got, error = call_learner(name, fn, ids.copy())
        if error is not None:
            return error
        want = unk_fraction_reference(ids)
        try:
            got = float(got)
        except (TypeError, ValueError):
            return failed(name, f"return one number (a Python float), not {type(got).__name__}.")
        if np.isclose(got, want):
            continue
        if np.isclose(got, (ids == 1).sum() / ids.size):
            return failed(name, "you divided by every slot; padding (id 0) is not a token, so leave it out of the denominator.")
        if np.isclose(got, (ids == 1).sum()):
            return failed(name, "you returned the number of [UNK] tokens; divide it by the number of real tokens.")
        return failed(name, f"for ids {ids.tolist()} the answer is {want:.3f}, you returned {got:.3f}. [UNK] has id 1.")
    return passed(name)


def masked_mean_reference(vectors: np.ndarray, mask: np.ndarray) -> np.ndarray:
    """Mean over time of ``vectors`` (batch, T, d), counting only steps where ``mask`` (batch, T) is True."""
    m = np.asarray(mask, dtype=vectors.dtype)[..., None]
    return (vectors * m).sum(axis=1) / m.sum(axis=1)


def check_masked_mean(fn: Callable[[np.ndarray, np.ndarray], np.ndarray]) -> CheckResult:
    """Exercise 2: ``fn(vectors, mask) -> (batch, d)``, the mean over the unmasked steps only."""
    name = "masked_mean"
    rng = np.random.default_rng(0)
    for batch, steps, dim in [(2, 5, 3), (1, 4, 2), (3, 6, 4)]:
        vectors = rng.normal(size=(batch, steps, dim)).astype("float32")
        lengths = rng.integers(1, steps + 1, size=batch)
        lengths[0] = steps - 1  # at least one padded row
        mask = np.arange(steps)[None, :] < lengths[:, None]
        got, error = call_learner(name, fn, vectors.copy(), mask.copy())
        if error is not None:
            return error
        got = np.asarray(got)
        want = masked_mean_reference(vectors, mask)
        if got.shape != want.shape:
            return failed(name, f"expected shape (batch, d) = {want.shape}, got {got.shape}. Average over axis 1, the time axis.")
        if np.allclose(got, vectors.mean(axis=1), atol=1e-5):
            return failed(name, "you averaged over the padding too; multiply by the mask and divide by the number of real steps.")
        if np.allclose(got, (vectors * mask[..., None]).sum(axis=1) / steps, atol=1e-5):
            return failed(name, "you zeroed the padding but still divided by T; divide by each row's number of real steps (mask.sum(axis=1)).")
        if not np.allclose(got, want, atol=1e-5):
            return failed(name, "the values differ from the masked mean; check which axis you sum over.")
    return passed(name)


def one_hot_reference(ids: np.ndarray, depth: int) -> np.ndarray:
    """One-hot encode an integer vector: shape (T,) -> (T, depth)."""
    return np.eye(depth, dtype="float32")[np.asarray(ids)]


def check_one_hot(fn: Callable[[np.ndarray, int], Any]) -> CheckResult:
    """Exercise 3: ``fn(ids, depth) -> (T, depth)`` one-hot matrix, in NumPy."""
    name = "one_hot"
    for ids, depth in [(np.array([3, 0, 2]), 5), (np.array([1, 1, 4, 0]), 6), (np.array([7]), 8)]:
        got, error = call_learner(name, fn, ids.copy(), depth)
        if error is not None:
            return error
        got = np.asarray(got)
        want = one_hot_reference(ids, depth)
        if got.shape == want.T.shape and got.shape != want.shape:
            return failed(name, f"your matrix is transposed: expected (T, depth) = {want.shape}, got {got.shape}.")
        if got.shape != want.shape:
            return failed(name, f"expected shape (T, depth) = {want.shape}, got {got.shape}.")
        if np.array_equal(got[:, 1:], want[:, :-1]) or np.array_equal(got[:, :-1], want[:, 1:]):
            return failed(name, "the 1s sit one column off: token id i belongs in column i (ids start at 0).")
        if not np.array_equal(got, want):
            return failed(name, "each row must hold exactly one 1, in the column of that token's id.")
    return passed(name)


SELF_TESTS = [
    SelfTest(check_unk_fraction, unk_fraction_reference,
             wrong=lambda ids: float((np.asarray(ids) == 1).sum() / np.asarray(ids).size), hint="padding (id 0) is not a token"),
    SelfTest(check_masked_mean, masked_mean_reference, wrong=lambda v, m: v.mean(axis=1), hint="averaged over the padding"),
    SelfTest(check_one_hot, one_hot_reference, wrong=lambda ids, depth: np.eye(depth)[ids].T, hint="transposed"),
]
