"""The statistics of a seed study: mean and spread per model, paired tests across seeds, and
paired tests across the shared test items.

Everything here is plain NumPy (and SciPy where it is installed), so that the tests can
recompute every stored figure from the per-seed numbers of ``results/seeds.json``.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from itertools import combinations
from typing import Any

import numpy as np

__all__ = ["BOOTSTRAP_SAMPLES", "SEED_TEST", "bits", "item_bootstrap", "mcnemar", "paired_seed_test", "seed_tests",
           "summary", "unbits"]

BOOTSTRAP_SAMPLES = 10_000
"""Resamples of the test items in :func:`item_bootstrap` (fixed generator seed 0: the same p every run)."""


def _has_scipy() -> bool:
    try:
        import scipy.stats  # noqa: F401
    except ImportError:
        return False
    return True


SEED_TEST = ("paired t-test across seeds, two-sided (scipy.stats.ttest_rel)" if _has_scipy() else
             "sign-flip permutation test across seeds, two-sided (exact, all 2^n sign patterns)")
"""Which paired test :func:`paired_seed_test` runs here: SciPy's, or the permutation test without SciPy."""


def summary(values: Sequence[float]) -> dict[str, float | int]:
    """``{"mean", "sd", "n"}`` of one model's per-seed figures; ``sd`` is the sample standard
    deviation (ddof=1), 0.0 for a single seed."""
    x = np.asarray(values, dtype="float64")
    if x.ndim != 1 or x.size == 0:
        raise ValueError(f"need a non-empty list of per-seed figures, got {values!r:.60}")
    return {"mean": float(x.mean()), "sd": float(x.std(ddof=1)) if x.size > 1 else 0.0, "n": int(x.size)}


def _sign_flip_p(diff: np.ndarray) -> float:
    """Exact two-sided sign-flip test of mean(diff) = 0: the share of the 2^n sign patterns whose
    |mean| is at least the observed one."""
    n = diff.size
    signs = 1 - 2 * ((np.arange(2**n)[:, None] >> np.arange(n)) & 1)  # (2^n, n) of +-1
    means = np.abs((signs * diff).mean(axis=1))
    return float((means >= abs(diff.mean()) - 1e-12).mean())


def paired_seed_test(a: Sequence[float], b: Sequence[float]) -> dict[str, Any]:
    """Paired test of two models' figures across the same seeds (see :data:`SEED_TEST`):
    ``{"mean_diff": mean(a - b), "sd_diff", "p"}``; ``p`` is None where it is undefined (fewer
    than two seeds, or the same difference at every seed, where a t-test has no spread)."""
    diff = np.asarray(a, dtype="float64") - np.asarray(b, dtype="float64")
    out: dict[str, Any] = {"mean_diff": float(diff.mean()), "sd_diff": float(diff.std(ddof=1)) if diff.size > 1 else 0.0,
                           "p": None}
    if diff.size < 2:
        return out
    if _has_scipy():
        from scipy.stats import ttest_rel

        p = float(ttest_rel(a, b).pvalue)
        out["p"] = None if math.isnan(p) else p
    else:
        out["p"] = _sign_flip_p(diff)
    return out


def seed_tests(per_model: dict[str, Sequence[float]]) -> list[dict[str, Any]]:
    """:func:`paired_seed_test` for every pair of models, in the order given: ``[{"a", "b", ...}]``."""
    return [{"a": a, "b": b, **paired_seed_test(per_model[a], per_model[b])} for a, b in combinations(per_model, 2)]


def bits(correct: Any) -> str:
    """A 0/1 vector (n,) as a string of "0" and "1", the way ``results/seeds.json`` stores per-item correctness."""
    return "".join("1" if c else "0" for c in np.asarray(correct, dtype=bool).reshape(-1))


def unbits(text: str) -> np.ndarray:
    """The inverse of :func:`bits`: a bool array (n,)."""
    return np.frombuffer(text.encode("ascii"), dtype=np.uint8) == ord("1")


def mcnemar(a: Any, b: Any) -> float:
    """Exact McNemar test of two classifiers on the same items (bool arrays (n,), True = right):
    the two-sided binomial p of the items only one of them got right."""
    a, b = np.asarray(a, dtype=bool), np.asarray(b, dtype=bool)
    only_a, only_b = int((a & ~b).sum()), int((~a & b).sum())
    if only_a + only_b == 0:
        return 1.0
    try:
        from scipy.stats import binomtest
    except ImportError:
        k, n = min(only_a, only_b), only_a + only_b
        return min(1.0, 2 * sum(math.comb(n, i) for i in range(k + 1)) / 2**n)
    return float(binomtest(only_a, only_a + only_b, 0.5).pvalue)


def item_bootstrap(a: Any, b: Any) -> dict[str, Any]:
    """Paired bootstrap over test items of mean(a) - mean(b), where a and b (n,) are per-item scores
    (here: the share of seeds that got item i right). Resamples the items :data:`BOOTSTRAP_SAMPLES`
    times with generator seed 0: ``{"diff", "ci95": [low, high], "p"}``, p two-sided (twice the
    share of resampled differences on the far side of zero, at most 1)."""
    diff = np.asarray(a, dtype="float64") - np.asarray(b, dtype="float64")
    rng = np.random.default_rng(0)
    means = np.empty(BOOTSTRAP_SAMPLES)
    for start in range(0, BOOTSTRAP_SAMPLES, 1000):  # in blocks: 1000 x n indices at a time
        idx = rng.integers(0, diff.size, size=(min(1000, BOOTSTRAP_SAMPLES - start), diff.size))
        means[start: start + len(idx)] = diff[idx].mean(axis=1)
    p = min(1.0, 2 * min(float((means <= 0).mean()), float((means >= 0).mean())))
    low, high = np.percentile(means, [2.5, 97.5])
    return {"diff": float(diff.mean()), "ci95": [float(low), float(high)], "p": p}
