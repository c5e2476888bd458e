"""Checks for chapter 12's exercises (length normalisation, one beam-search step) and its build-it
exercise (the whole beam search for one sentence, equal to the library's)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from ..seq2seq.tokens import END, PAD, START
from .base import CheckResult, SelfTest, call_learner, call_learner_number, failed, passed
from .ch10 import toy_sources, toy_translator


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


# ---------------------------------------------------------------- build it: the whole beam search

def beam_search_sentence_reference(model: Any, src_ids: np.ndarray, beam_width: int, max_len: int,
                                   alpha: float) -> tuple[list[int], float]:
    """Beam search for one sentence, src_ids (1, S) -> (ids, score): the best hypothesis's tokens
    (without [START]; ending in [END] if it finished) and its score log p / length ** alpha. The ids
    are the row that :func:`course_utils.seq2seq.decoding.beam_search_reference` gives, without padding."""
    return _beam_variant(model, src_ids, beam_width, max_len, alpha)


def _log_probs(model: Any, tokens: np.ndarray, states: np.ndarray, enc_outputs: Any, src_mask: np.ndarray,
               ban: bool = True) -> tuple[np.ndarray, np.ndarray]:
    """One decoder step for n hypotheses of one sentence: log-probabilities (n, V), float64, with [PAD]
    and [START] at -inf, and the new states (n, H)."""
    n = len(tokens)
    logits, new_states, _ = model.decoder.step(np.asarray(tokens), np.asarray(states), np.repeat(enc_outputs, n, axis=0),
                                               np.repeat(src_mask, n, axis=0))
    logits = np.array(logits, dtype="float64")
    if ban:
        logits[:, [PAD, START]] = -np.inf
    top = logits.max(axis=-1, keepdims=True)
    return logits - top - np.log(np.exp(logits - top).sum(axis=-1, keepdims=True)), np.asarray(new_states)


def _beam_variant(model: Any, src_ids: np.ndarray, k: int, max_len: int, alpha: float, length_offset: int = 0,
                  first_finished: bool = False, start_copies: bool = False, ban: bool = True,
                  live_compete_only_if_none: bool = False, width_offset: int = 0) -> tuple[list[int], float]:
    """The beam search for one sentence, and (with an argument changed) a likely mistake: the length
    off by one, returning the first hypothesis to finish, k copies of [START] to begin with, choosing
    [PAD]/[START], letting the live hypotheses compete at max_len only when none finished, or keeping
    k + width_offset hypotheses live."""
    k = max(k + width_offset, 1)
    enc_outputs, state = model.encoder(src_ids)
    src_mask = np.asarray(src_ids) != PAD
    live = [(0.0, [START], np.asarray(state)[0])] * (k if start_copies else 1)   # (log p, tokens, state)
    finished: list[tuple[float, list[int]]] = []                                  # (normalised score, ids)

    def normalised(logp: float, length: int) -> float:
        with np.errstate(divide="ignore"):
            return float(np.float64(logp) / np.float64(length + length_offset) ** alpha)

    for t in range(max_len):
        logp, states = _log_probs(model, np.array([seq[-1] for _, seq, _ in live]),
                                  np.stack([h for _, _, h in live]), enc_outputs, src_mask, ban)
        total = np.array([score for score, _, _ in live])[:, None] + logp          # (n, V)
        new_live = []
        for flat in np.argsort(-total, axis=None, kind="stable"):                   # best first
            i, token = divmod(int(flat), total.shape[1])
            if not np.isfinite(total[i, token]):
                break
            seq = live[i][1] + [token]
            if token == END:
                finished.append((normalised(total[i, token], t + 1), seq[1:]))
                if first_finished:
                    return seq[1:], finished[-1][0]
            else:
                new_live.append((total[i, token], seq, states[i]))
                if len(new_live) == k:
                    break
        live = new_live
        if len(finished) >= k or not live:
            break
    if live and len(finished) < k and not (live_compete_only_if_none and finished):
        finished += [(normalised(score, max_len), seq[1:]) for score, seq, _ in live]
    score, ids = max(finished, key=lambda c: c[0])
    return [int(i) for i in ids], score


def _hypothesis_scores(model: Any, src_ids: np.ndarray, ids: np.ndarray, alpha: float, length_offset: int = 0,
                       ban: bool = True) -> np.ndarray:
    """Each row's log p(ids | source) / (length + length_offset) ** alpha: src_ids (batch, S), ids (batch, L)
    padded with 0 -> (batch,). One teacher-forced decoder call feeds it the ids themselves."""
    ids = np.asarray(ids, dtype="int32")
    enc_outputs, state = model.encoder(src_ids)
    tgt_in = np.concatenate([np.full((len(ids), 1), START, dtype="int32"), ids[:, :-1]], axis=1)
    real = ids != PAD
    logits, _ = model.decoder(np.where(real, tgt_in, PAD), enc_outputs, np.asarray(src_ids) != PAD, state)
    logits = np.array(logits, dtype="float64")
    if ban:
        logits[..., [PAD, START]] = -np.inf
    top = logits.max(axis=-1, keepdims=True)
    logp = logits - top - np.log(np.exp(logits - top).sum(axis=-1, keepdims=True))
    total = np.where(real, np.take_along_axis(logp, ids[..., None], axis=-1)[..., 0], 0.0).sum(axis=1)
    with np.errstate(divide="ignore"):
        return total / (real.sum(axis=1) + length_offset).astype("float64") ** alpha


_BEAM_MAX_LEN = 7
# (seed, attention, [END] bias, [(beam_width, alpha), ...]), width 1 first (it must be greedy decoding).
# Chosen so that every width gives other ids than the width one more or one less, alpha changes the ids,
# and each mistake of _BEAM_MISTAKES shows; at every step the k-th kept candidate beats the next by at
# least 0.03 in log-probability, and the best hypothesis the runner-up, so rounding cannot change the answer.
_BEAM_CASES = [(9, "none", 0.5, [(1, 1.0), (2, 0.0), (3, 0.6), (3, 1.0)]),
               (14, "bahdanau", 1.0, [(4, 1.0), (3, 0.6)])]


def _beam_rows() -> Any:
    """Every hidden case, one sentence at a time: (model, src_ids (1, S), beam_width, alpha, the library's
    ids for it without padding, their score). Lazy: the library decodes a case when it is reached."""
    from ..seq2seq.decoding import beam_search_reference

    for seed, attention, end_bias, settings in _BEAM_CASES:
        model, src = toy_translator(seed, attention, end_bias), toy_sources(seed)
        for k, alpha in settings:
            library = beam_search_reference(model, src, beam_width=k, max_len=_BEAM_MAX_LEN, alpha=alpha)
            scores = _hypothesis_scores(model, src, library, alpha)
            for row in range(len(src)):
                yield model, src[row:row + 1], k, alpha, [int(i) for i in library[row] if i != PAD], float(scores[row])


def _learner_beam(name: str, fn: Callable[..., Any], model: Any, src_ids: np.ndarray, k: int,
                  alpha: float) -> tuple[list[int], float] | CheckResult:
    """The learner's (ids, score) for one sentence, trailing padding dropped, or a failed CheckResult."""
    got, error = call_learner(name, fn, model, src_ids.copy(), k, _BEAM_MAX_LEN, alpha)
    if error is not None:
        if "empty" in error.message:
            return failed(name, f"{error.message.rstrip('.')}. When no hypothesis has finished by max_len, the "
                                "live ones compete: score / max_len ** alpha.")
        return error
    try:
        ids, score = got
        ids, score = [int(i) for i in np.ravel(np.asarray(ids))], float(score)
    except (TypeError, ValueError):
        return failed(name, "return a pair (ids, score): a list of ints and one number.")
    while ids and ids[-1] == PAD:  # a padded row is fine too
        ids.pop()
    return ids, score


_BEAM_MISTAKES = [  # (how _beam_variant plants the mistake, the hint), most basic first
    ({"alpha": 0.0}, "you did not normalise: rank (and score) finished hypotheses by log p(y) / length ** alpha, "
                     "not by the raw sum of log-probabilities."),
    ({"length_offset": -1}, "you normalised by the wrong length: length counts every token the decoder wrote, "
                            "[END] included and [START] not, so a hypothesis that ends at step t (counting from 1) "
                            "has length t."),
    ({"length_offset": 1}, "you normalised by the wrong length: length counts every token the decoder wrote, "
                           "[END] included and [START] not, so a hypothesis that ends at step t (counting from 1) "
                           "has length t."),
    ({"first_finished": True}, "you returned the first hypothesis to produce [END]. Set finished hypotheses aside "
                               "and keep extending the live ones until beam_width have finished (or max_len), then "
                               "return the finished one with the best normalised score."),
    ({"live_compete_only_if_none": True}, "at max_len the live hypotheses compete with the finished ones (score / "
                                          "max_len ** alpha) whenever fewer than beam_width have finished, not only "
                                          "when none has."),
    ({"start_copies": True}, "you started with beam_width copies of [START]; they fill the beam with duplicates of "
                             "one hypothesis. Start with ONE live hypothesis ([START], score 0)."),
    ({"width_offset": 1}, "you kept beam_width + 1 hypotheses live; keep exactly beam_width (the best beam_width "
                          "candidates that do not end in [END])."),
    ({"width_offset": -1}, "you kept beam_width - 1 hypotheses live; keep exactly beam_width (the best beam_width "
                           "candidates that do not end in [END])."),
]
_BANNED = (f"[PAD] ({PAD}) and [START] ({START}) are inputs only: set their logits to -inf before the log-softmax, "
           "so that they are never chosen and the other tokens' log-probabilities sum to 1.")


def _explains(fn: Callable[..., Any], mistake: dict[str, Any]) -> bool:
    """Does the planted mistake give the learner's ids on every hidden sentence?"""
    for model, src_ids, k, alpha, _, _ in _beam_rows():
        got = _learner_beam("", fn, model, src_ids, k, alpha)
        if isinstance(got, CheckResult) or got[0] != _beam_variant(model, src_ids, k, _BEAM_MAX_LEN,
                                                                    **{"alpha": alpha, **mistake})[0]:
            return False
    return True


def _beam_diagnosis(fn: Callable[..., Any], model: Any, src_ids: np.ndarray, k: int, alpha: float, ids: list[int],
                    score: float, want: list[int], want_score: float) -> str:
    """A hint naming the mistake that gives the learner's (ids, score) for this sentence; where several
    would, the one that gives the learner's ids on every hidden sentence."""
    close = lambda a, b: bool(np.isclose(a, b, rtol=0, atol=1e-4))  # noqa: E731
    if ids[:1] == [START] and ids[1:] == want:
        return "leave [START] out of the returned ids: they are the tokens the decoder wrote, [END] included."
    if PAD in ids or START in ids:
        return f"your search chose [PAD] or [START]. {_BANNED}"
    if ids == want:
        def score_of(**kw: Any) -> float:
            return float(_hypothesis_scores(model, src_ids, np.array([ids]), **{"alpha": alpha, **kw})[0])
        if close(score, score_of(ban=False)):
            return _BANNED
        if alpha != 0 and close(score, score_of(alpha=0.0)):
            return _BEAM_MISTAKES[0][1]
        if any(close(score, score_of(length_offset=off)) for off in (-1, 1)):
            return _BEAM_MISTAKES[1][1]
        return (f"the ids are right but the score is not: expected {want_score:.4f}, got {score:.4f}. Return the "
                "best hypothesis's summed log-probability divided by length ** alpha.")
    if k == 1:
        return (f"with beam_width=1 beam search must be exactly greedy decoding (chapter 10): expected ids {want}, "
                f"got {ids}. Keep the single best extension at each step and stop at [END].")
    matching = [(mistake, hint) for mistake, hint in _BEAM_MISTAKES
                if ids == _beam_variant(model, src_ids, k, _BEAM_MAX_LEN, **{"alpha": alpha, **mistake})[0]]
    if len(matching) > 1:
        matching = [(mistake, hint) for mistake, hint in matching if _explains(fn, mistake)] or matching
    if matching:
        return matching[0][1]
    return (f"for beam_width={k}, alpha={alpha} expected ids {want} (score {want_score:.4f}), got {ids} (score "
            f"{score:.4f}). At each step extend every live hypothesis by every token, rank all candidates by "
            "summed log-probability, set those ending in [END] aside (score / length ** alpha) and keep the best "
            "beam_width others; stop once beam_width have finished.")


def check_beam_search(fn: Callable[..., Any]) -> CheckResult:
    """Build it: ``fn(model, src_ids (1, S), beam_width, max_len, alpha) -> (ids, score)`` for one sentence,
    compared with the library's :func:`~course_utils.seq2seq.decoding.beam_search_reference` on small
    untrained translators (its row without padding; the score recomputed by feeding the decoder those ids)."""
    name = "beam_search"
    for model, src_ids, k, alpha, want, want_score in _beam_rows():
        got = _learner_beam(name, fn, model, src_ids, k, alpha)
        if isinstance(got, CheckResult):
            return got
        ids, score = got
        if ids != want or not np.isclose(score, want_score, rtol=0, atol=1e-4):
            return failed(name, _beam_diagnosis(fn, model, src_ids, k, alpha, ids, score, want, want_score))
    return passed(name, "equal to the library's beam search (ids and scores) for widths 1 to 4 and alpha 0 to 1.")

SELF_TESTS = [
    SelfTest(check_beam_search, beam_search_sentence_reference,
             wrong=lambda model, src, k, max_len, alpha: _beam_variant(model, src, k, max_len, 0.0),
             hint="you did not normalise"),
    SelfTest(check_normalised_score, normalised_score_reference, wrong=lambda logp, length, alpha: logp,
             hint="you forgot the length normalisation"),
    SelfTest(check_best_extensions, best_extensions_reference,
             wrong=lambda s, lp, k: [(b, int(np.argmax(lp[b]))) for b in range(k)], hint="best token of each beam"),
]
