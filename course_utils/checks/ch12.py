"""Checks for chapter 12's exercises (length normalisation, one beam-search step)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from .base import CheckResult, SelfTest, call_learner, call_learner_number, failed, passed


def normalised_score_reference(logp_sum: float, length: int, alpha: float) -> float:
    """A finished hypothesis's ranking score: summed log-probability / length ** alpha."""
    return float(logp_sum / length ** alpha)


def check_normalised_score(fn: Callable[[float, int, float], float]) -> CheckResult:
    """Exercise 1: ``fn(logp_sum, length, alpha) -> float``."""
    name = "normalised_score"
    for logp, length, alpha in [(-6.0, 4, 1.0), (-3.3, 3, 0.6), (-1.2, 1, 0.7), (-9.0, 6, 0.0)]:
        got, error = call_learner_number(name, fn, logp, length, alpha)
        if error is not None:
            return error
        want = normalised_score_reference(logp, length, alpha)
        if np.isclose(got, want):
            continue
        if np.isclose(got, logp):
            return failed(name, "you forgot the length normalisation: divide the summed log-probability by length ** alpha.")
        if np.isclose(got, logp * length ** alpha):
            return failed(name, "you multiplied by length ** alpha; divide, so long sentences are not punished.")
        if np.isclose(got, logp / length):
            return failed(name, "you divided by length, ignoring alpha; use length ** alpha.")
        return failed(name, f"for logp={logp}, length={length}, alpha={alpha} expected {want:.4f}, got {got:.4f}.")
    return passed(name)


def best_extensions_reference(beam_scores: np.ndarray, log_probs: np.ndarray, k: int) -> list[tuple[int, int]]:
    """One beam-search step. beam_scores (K,) summed log-probs so far, log_probs (K, V) of the
    next token -> the k best (beam, token) pairs over all K*V extensions, best first."""
    total = (np.asarray(beam_scores)[:, None] + np.asarray(log_probs)).ravel()
    best = np.argsort(-total, kind="stable")[:k]
    return [divmod(int(i), log_probs.shape[1]) for i in best]


def check_best_extensions(fn: Callable[[np.ndarray, np.ndarray, int], Any]) -> CheckResult:
    """Exercise 2: ``fn(beam_scores (K,), log_probs (K, V), k) -> [(beam, token), ...]`` best first."""
    name = "best_extensions"
    rng = np.random.default_rng(14)
    cases = [(np.array([-0.1, -2.5]), np.log(np.array([[0.5, 0.3, 0.2], [0.05, 0.05, 0.9]])), 2)]
    for beams, vocab in [(3, 5), (2, 6)]:
        logits = rng.normal(size=(beams, vocab)) * 2
        cases.append((np.sort(rng.uniform(-4, 0, size=beams))[::-1].copy(),
                      logits - np.log(np.exp(logits).sum(1, keepdims=True)), beams))
    for scores, logp, k in cases:
        got, error = call_learner(name, fn, scores.copy(), logp.copy(), k)
        if error is not None:
            return error
        try:
            got = [(int(b), int(t)) for b, t in got]
        except (TypeError, ValueError):
            return failed(name, "return a list of (beam, token) pairs of ints, best first.")
        want = best_extensions_reference(scores, logp, k)
        if got == want:
            continue
        if got == [(b, int(np.argmax(logp[b]))) for b in range(k)]:
            return failed(name, "you picked the best token of each beam separately; compare all K x V extensions together.")
        if got == best_extensions_reference(np.zeros_like(scores), logp, k):
            return failed(name, "you ranked by the next token's log-probability only; add each beam's score so far.")
        if got == best_extensions_reference(scores, np.exp(logp), k) and got != want:
            return failed(name, "you added probabilities to log-probabilities; add log-probabilities (they sum over steps).")
        return failed(name, f"expected {want}, got {got}.")
    return passed(name)


SELF_TESTS = [
    SelfTest(check_normalised_score, normalised_score_reference, wrong=lambda logp, length, alpha: logp,
             hint="you forgot the length normalisation"),
    SelfTest(check_best_extensions, best_extensions_reference,
             wrong=lambda s, lp, k: [(b, int(np.argmax(lp[b]))) for b in range(k)], hint="best token of each beam"),
]
