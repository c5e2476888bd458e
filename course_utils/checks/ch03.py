"""Checks for chapter 03's exercises (perplexity, temperature, add-k smoothing)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from .base import CheckResult, SelfTest, call_learner, call_learner_number, failed, passed


def perplexity_from_probs_reference(p_true: np.ndarray) -> float:
    """Perplexity from the probabilities (N,) a model gave the characters that actually came:
    exp of the mean negative log-probability (natural log)."""
    return float(np.exp(-np.mean(np.log(p_true))))


def check_perplexity_from_probs(fn: Callable[[np.ndarray], Any]) -> CheckResult:
    """Exercise 1: ``fn(p_true) -> float``."""
    name = "perplexity_from_probs"
    rng = np.random.default_rng(3)
    for n in (5, 12, 40):
        p = rng.uniform(0.02, 0.9, size=n)
        got, error = call_learner_number(name, fn, p.copy())
        if error is not None:
            return error
        want = perplexity_from_probs_reference(p)
        if np.isclose(got, want):
            continue
        if np.isclose(got, -np.mean(np.log(p))):
            return failed(name, "you returned the cross-entropy; perplexity is exp of it.")
        if np.isclose(got, np.mean(1.0 / p)):
            return failed(name, "you averaged 1/p; average the log-probabilities first, then exponentiate.")
        if np.isclose(got, np.exp(-np.sum(np.log(p)))):
            return failed(name, "use the MEAN negative log-probability per character, not the sum.")
        return failed(name, f"expected {want:.4f}, got {got:.4f}.")
    return passed(name)


def temperature_probs_reference(logits: np.ndarray, temperature: float) -> np.ndarray:
    """softmax(logits / temperature) for logits (V,)."""
    z = np.asarray(logits, dtype="float64") / temperature
    e = np.exp(z - z.max())
    return e / e.sum()


def check_temperature_probs(fn: Callable[[np.ndarray, float], Any]) -> CheckResult:
    """Exercise 2: ``fn(logits, temperature) -> probabilities (V,)``."""
    name = "temperature_probs"
    rng = np.random.default_rng(4)
    for V, t in [(5, 0.5), (8, 2.0), (3, 1.0), (6, 0.25)]:
        logits = rng.normal(size=V) * 2
        got, error = call_learner(name, fn, logits.copy(), t)
        if error is not None:
            return error
        got = np.asarray(got, dtype="float64")
        want = temperature_probs_reference(logits, t)
        if got.shape != want.shape:
            return failed(name, f"return one probability per character, shape {want.shape}; got {got.shape}.")
        if np.allclose(got, want):
            continue
        if not np.isclose(got.sum(), 1.0):
            return failed(name, "the probabilities do not sum to 1: normalise with a softmax.")
        if np.allclose(got, temperature_probs_reference(logits * t, 1.0)):
            return failed(name, "you multiplied by the temperature; DIVIDE the logits by it (low temperature = sharper).")
        return failed(name, "the values differ from softmax(logits / temperature).")
    return passed(name)


def add_k_prob_reference(count_pair: int, count_context: int, k: float, V: int) -> float:
    """Add-k estimate q(c | ctx) = (count(ctx, c) + k) / (count(ctx) + k V)."""
    return (count_pair + k) / (count_context + k * V)


def check_add_k_prob(fn: Callable[[int, int, float, int], Any]) -> CheckResult:
    """Exercise 3: ``fn(count_pair, count_context, k, V) -> float``."""
    name = "add_k_prob"
    for args in [(3, 10, 0.5, 4), (0, 7, 1.0, 5), (0, 0, 0.1, 26), (12, 40, 0.01, 60)]:
        got, error = call_learner_number(name, fn, *args)
        if error is not None:
            return error
        c, n, k, V = args
        want = add_k_prob_reference(*args)
        if np.isclose(got, want):
            continue
        if n and np.isclose(got, (c + k) / n):
            return failed(name, "the denominator must grow by k for EVERY character of the alphabet: count(ctx) + k*V.")
        if np.isclose(got, (c + k) / (n + k)):
            return failed(name, "you added k once to the denominator; add k*V so the V probabilities sum to 1.")
        if np.isclose(got, (c + 1) / (n + V)):
            return failed(name, "you used add-one (Laplace) smoothing; use the given k instead of 1.")
        return failed(name, f"for counts {c}/{n}, k={k}, V={V} expected {want:.4f}, got {got:.4f}.")
    return passed(name)


SELF_TESTS = [
    SelfTest(check_perplexity_from_probs, perplexity_from_probs_reference,
             wrong=lambda p: float(-np.mean(np.log(p))), hint="exp of it"),
    SelfTest(check_temperature_probs, temperature_probs_reference,
             wrong=lambda z, t: temperature_probs_reference(z * t, 1.0), hint="DIVIDE"),
    SelfTest(check_add_k_prob, add_k_prob_reference,
             wrong=lambda c, n, k, V: (c + k) / (n + k), hint="add k*V"),
]
