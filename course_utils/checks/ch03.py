"""Checks for chapter 03's exercises (perplexity, temperature, add-k smoothing) and its build-it
exercise (the temperature-sampling loop)."""

from __future__ import annotations

import operator
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


# --- Build it: the sampling loop -------------------------------------------------------------------

class _ToyCharModel:
    """A fixed random character RNN in NumPy that stands in for a trained model in the sampling check:
    ``next_logits(state, id) -> (logits (V,), new_state (H,))``, so the state matters."""

    def __init__(self, seed: int, V: int = 9, H: int = 6) -> None:
        rng = np.random.default_rng(seed)
        self.V, self.H = V, H
        self.E, self.W, self.U = rng.normal(size=(V, H)), rng.normal(scale=0.6, size=(H, H)), rng.normal(scale=1.5, size=(H, V))

    def initial_state(self) -> np.ndarray:
        return np.zeros(self.H)

    def next_logits(self, state: np.ndarray, i: Any) -> tuple[np.ndarray, np.ndarray]:
        try:
            i = operator.index(i)
        except TypeError:
            raise TypeError(f"next_logits(state, id) takes one id, an int; got {type(i).__name__} {i!r:.40}") from None
        if not 0 <= i < self.V:
            raise ValueError(f"next_logits got id {i}, outside [0, V) = [0, {self.V})")
        h = np.tanh(np.asarray(state, dtype="float64") @ self.W + self.E[i])
        return h @ self.U, h


def _sample(next_logits: Callable[[Any, int], tuple[np.ndarray, Any]], state: Any, prompt_ids: Any, n_chars: int,
            temperature: float, rng: np.random.Generator, mistake: str = "") -> list[int]:
    """The sampling loop, with an optional planted ``mistake`` for the hints: "times_t" (multiplies
    by the temperature), "no_t" (ignores it), "greedy", "no_state" (restarts the state every call),
    "no_feedback" (never feeds a new id back), "last_only" (feeds only the prompt's last id)."""
    start = state
    prompt = list(prompt_ids)[-1:] if mistake == "last_only" else list(prompt_ids)
    logits = None
    for i in prompt:
        logits, state = next_logits(start if mistake == "no_state" else state, int(i))
    out: list[int] = []
    for _ in range(n_chars):
        if temperature == 0 or mistake == "greedy":
            i = int(np.argmax(logits))
        else:
            t = {"times_t": 1 / temperature, "no_t": 1.0}.get(mistake, temperature)
            z = np.asarray(logits, dtype="float64") / t
            p = np.exp(z - z.max())
            i = int(rng.choice(len(p), p=p / p.sum()))
        out.append(i)
        if mistake != "no_feedback":
            logits, state = next_logits(start if mistake == "no_state" else state, i)
    return out


def sample_chars_reference(next_logits: Callable[[Any, int], tuple[np.ndarray, Any]], state: Any, prompt_ids: Any,
                           n_chars: int, temperature: float, rng: np.random.Generator) -> list[int]:
    """Feed ``prompt_ids`` through ``next_logits(state, id) -> (logits (V,), state)``, then draw ``n_chars``
    ids, each with ``rng.choice(V, p=softmax(logits / temperature))`` (argmax at temperature 0), feeding
    each back in. Returns the new ids (without the prompt)."""
    return _sample(next_logits, state, prompt_ids, n_chars, temperature, rng)


_SAMPLING_HINTS = {
    "times_t": "you multiplied the logits by the temperature; DIVIDE them by it: p = softmax(logits / temperature).",
    "no_t": "the temperature has no effect in your loop: draw from softmax(logits / temperature).",
    "greedy": "you took the argmax at a temperature above 0; draw instead: rng.choice(V, p=p).",
    "no_state": "you restart from the initial state at every call; carry it: logits, state = next_logits(state, id).",
    "no_feedback": "every id is drawn from the same logits: feed each new id back, logits, state = next_logits(state, id).",
    "last_only": "only the prompt's last id reached the model; feed every prompt id through next_logits, in order.",
}


def check_sample_chars(fn: Callable[..., Any]) -> CheckResult:
    """Build it: ``fn(next_logits, state, prompt_ids, n_chars, temperature, rng) -> ids (n_chars,)``, compared
    id for id with the reference on the same random draws (a toy model stands in for the trained one)."""
    name = "sample_chars"
    cases = [(0, [2, 5, 1], 12, 1.0), (1, [4], 10, 0.5), (2, [3, 3, 7, 0, 8], 12, 2.0), (3, [6, 1], 8, 0.0)]
    for seed, prompt, n, temperature in cases:
        model = _ToyCharModel(seed)
        with np.errstate(all="ignore"):  # a division by temperature 0 becomes a hint, not a warning
            got, error = call_learner(name, fn, model.next_logits, model.initial_state(), np.array(prompt), n,
                                      temperature, np.random.default_rng(seed))
        if error is not None:
            if temperature == 0 and "not implemented" not in error.message:
                return failed(name, "temperature 0 means greedy decoding: take np.argmax(logits) (no draw) instead of "
                                    f"dividing by 0. ({error.message})")
            return error
        if isinstance(got, str):
            return failed(name, "return the new ids (a list of ints), not text; the notebook decodes them with vocab.decode.")
        try:
            ids = [operator.index(i) for i in np.asarray(got).ravel()]
        except TypeError:
            return failed(name, f"return a list of int ids, got {type(got).__name__} {got!r:.60}.")
        want = sample_chars_reference(model.next_logits, model.initial_state(), prompt, n, temperature,
                                      np.random.default_rng(seed))
        if ids == want:
            continue
        if len(ids) == len(prompt) + n and ids[len(prompt):] == want:
            return failed(name, "return only the n_chars new ids, not the prompt in front of them.")
        if len(ids) != n:
            return failed(name, f"asked for n_chars={n} new ids, got {len(ids)}.")
        if temperature == 0:
            return failed(name, "at temperature 0 (greedy) take np.argmax(logits) at every step, drawing nothing.")
        for mistake, hint in _SAMPLING_HINTS.items():
            if ids == _sample(model.next_logits, model.initial_state(), prompt, n, temperature,
                              np.random.default_rng(seed), mistake):
                return failed(name, hint)
        k = next(j for j, (a, b) in enumerate(zip(ids, want)) if a != b)
        return failed(name, f"your ids differ from the reference from position {k} on. Draw each new id with "
                            "rng.choice(V, p=p), one draw per character and nothing else from rng (so that one seed "
                            "gives one text), from p = softmax(logits / temperature), then feed it back.")
    return passed(name, "the same ids as the reference on the same random draws, greedy included.")


SELF_TESTS = [
    SelfTest(check_perplexity_from_probs, perplexity_from_probs_reference,
             wrong=lambda p: float(-np.mean(np.log(p))), hint="exp of it"),
    SelfTest(check_temperature_probs, temperature_probs_reference,
             wrong=lambda z, t: temperature_probs_reference(z * t, 1.0), hint="DIVIDE"),
    SelfTest(check_add_k_prob, add_k_prob_reference,
             wrong=lambda c, n, k, V: (c + k) / (n + k), hint="add k*V"),
    SelfTest(check_sample_chars, sample_chars_reference,
             wrong=lambda *args: _sample(*args, mistake="no_state"), hint="carry it"),
]
