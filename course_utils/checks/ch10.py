"""Checks for chapter 10's exercises (teacher forcing, the masked loss, exact match, a teacher-forced
decoder run one step at a time)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from ..seq2seq.tokens import END, START
from .base import CheckResult, SelfTest, call_learner, call_learner_number, failed, passed


def teacher_forcing_reference(ids: list[int]) -> tuple[list[int], list[int]]:
    """One target sentence's ids (no special tokens) -> (decoder input, decoder target):
    input = [START] + ids, target = ids + [END]."""
    return [START] + list(ids), list(ids) + [END]


def check_teacher_forcing(fn: Callable[[list[int]], Any]) -> CheckResult:
    """Exercise 1: ``fn(ids) -> (decoder_input, decoder_target)``, two lists of ints."""
    name = "teacher_forcing_pair"
    for ids in [[7, 8, 9], [5], [12, 4, 4, 30, 6]]:
        got, error = call_learner(name, fn, list(ids))
        if error is not None:
            return error
        try:
            inp, out = [int(i) for i in got[0]], [int(i) for i in got[1]]
        except (TypeError, ValueError, IndexError):
            return failed(name, "return a pair (decoder_input, decoder_target), each a list of ints.")
        want_in, want_out = teacher_forcing_reference(ids)
        if (inp, out) == (want_in, want_out):
            continue
        if (inp, out) == (want_out, want_in):
            return failed(name, "you swapped them: the decoder *reads* [START] y_1..y_n and must *predict* y_1..y_n [END].")
        if inp == list(ids) or inp[:1] != [START]:
            return failed(name, f"the decoder input must begin with the [START] token (id {START}).")
        if out == list(ids) or out[-1:] != [END]:
            return failed(name, f"the decoder target must end with the [END] token (id {END}), or the model never learns to stop.")
        if inp == out:
            return failed(name, "input and target are identical; the target is the input shifted one step to the left.")
        return failed(name, f"for ids {ids} expected input {want_in} and target {want_out}, got {inp} and {out}.")
    return passed(name)


def masked_mean_loss_reference(per_token_loss: np.ndarray, y_true: np.ndarray) -> float:
    """Mean of ``per_token_loss`` (batch, T) over the real tokens (``y_true != 0``) only."""
    mask = np.asarray(y_true) != 0
    return float((np.asarray(per_token_loss) * mask).sum() / mask.sum())


def check_masked_mean_loss(fn: Callable[[np.ndarray, np.ndarray], float]) -> CheckResult:
    """Exercise 2: ``fn(per_token_loss (batch, T), y_true (batch, T)) -> float``."""
    name = "masked_mean_loss"
    rng = np.random.default_rng(10)
    for batch, steps in [(2, 5), (3, 4), (1, 6)]:
        loss = rng.uniform(0.1, 3.0, size=(batch, steps)).astype("float32")
        y = rng.integers(4, 30, size=(batch, steps))
        y[0, -2:] = 0  # padding at the end of the first row
        got, error = call_learner_number(name, fn, loss.copy(), y.copy())
        if error is not None:
            return error
        want = masked_mean_loss_reference(loss, y)
        if np.isclose(got, want, atol=1e-5):
            continue
        if np.isclose(got, loss.mean(), atol=1e-5):
            return failed(name, "your loss is not masked: padding positions (id 0) are averaged in. Multiply by y_true != 0.")
        if np.isclose(got, (loss * (y != 0)).sum() / loss.size, atol=1e-5):
            return failed(name, "you zeroed the padding but divided by every slot; divide by the number of real tokens.")
        return failed(name, f"expected {want:.4f}, got {got:.4f}.")
    return passed(name)


def exact_match_reference(hypotheses: list[str], references: list[str]) -> float:
    """Percentage (0-100) of hypotheses equal to their reference, ignoring surrounding spaces."""
    return 100.0 * float(np.mean([h.strip() == r.strip() for h, r in zip(hypotheses, references)]))


def check_exact_match(fn: Callable[[list[str], list[str]], float]) -> CheckResult:
    """Exercise 3: ``fn(hypotheses, references) -> percent``."""
    name = "exact_match"
    cases = [(["Ich heiße John.", "Hallo"], ["Ich heiße John.", "Guten Tag"]),
             (["Ja. ", "nein", "Danke."], ["Ja.", "Nein", "Danke."]),
             (["a b c"], ["a b c"])]
    for hyps, refs in cases:
        got, error = call_learner_number(name, fn, list(hyps), list(refs))
        if error is not None:
            return error
        want = exact_match_reference(hyps, refs)
        if np.isclose(got, want):
            continue
        if np.isclose(100 * got, want):
            return failed(name, "return a percentage (0-100), not a fraction.")
        if np.isclose(got, 100.0 * np.mean([h == r for h, r in zip(hyps, refs)])):
            return failed(name, "strip surrounding spaces before comparing: 'Ja. ' is the same sentence as 'Ja.'.")
        return failed(name, f"for {hyps} vs {refs} expected {want:.1f}, got {got:.1f}. The comparison is case-sensitive.")
    return passed(name)




def teacher_forced_logits_reference(decoder: Any, tgt_in: np.ndarray, state: Any, enc_outputs: Any,
                                    src_mask: Any) -> np.ndarray:
    """The decoder run one step at a time, fed the *true* previous token at every step:
    tgt_in (batch, T) ids -> logits (batch, T, V). Equal to one call of ``decoder(tgt_in, ...)``."""
    outs = []
    for t in range(tgt_in.shape[1]):
        logits, state, _ = decoder.step(tgt_in[:, t], state, enc_outputs, src_mask)
        outs.append(np.asarray(logits))
    return np.stack(outs, axis=1)


def _free_running(decoder: Any, tgt_in: np.ndarray, state: Any, enc_outputs: Any, src_mask: Any) -> np.ndarray:
    token, outs = tgt_in[:, 0], []
    for _ in range(tgt_in.shape[1]):
        logits, state, _ = decoder.step(token, state, enc_outputs, src_mask)
        outs.append(np.asarray(logits))
        token = np.asarray(logits).argmax(-1)
    return np.stack(outs, axis=1)


def check_teacher_forced_logits(fn: Callable[..., Any]) -> CheckResult:
    """Exercise 4: ``fn(decoder, tgt_in (batch, T), state (batch, H), enc_outputs, src_mask) -> logits
    (batch, T, V)``, one ``decoder.step`` per position, fed the true previous token; compared with
    the library's own teacher-forced call, ``decoder(tgt_in, enc_outputs, src_mask, state)``."""
    import keras

    from ..seq2seq.layers import Decoder

    name = "teacher_forced_logits"
    for seed, (batch, steps, attention) in enumerate([(2, 5, "none"), (3, 4, "luong"), (1, 6, "bahdanau")]):
        keras.utils.set_random_seed(100 + seed)
        rng = np.random.default_rng(seed)
        vocab, units, src_len = 11, 6, 4
        decoder = Decoder(vocab, embed_dim=4, units=units, attention=attention, name=f"check_decoder_{seed}")
        tgt_in = np.concatenate([np.full((batch, 1), START), rng.integers(4, vocab, size=(batch, steps - 1))], axis=1)
        enc_outputs = rng.normal(size=(batch, src_len, units)).astype("float32")
        src_mask = np.ones((batch, src_len), dtype=bool)
        state = rng.normal(size=(batch, units)).astype("float32")
        want = np.asarray(decoder(tgt_in, enc_outputs, src_mask, state)[0])   # (batch, T, V), the library's call
        got, error = call_learner(name, fn, decoder, tgt_in.copy(), state.copy(), enc_outputs, src_mask)
        if error is not None:
            return error
        got = np.asarray(got, dtype="float32")
        if got.shape == want.shape[:1] + want.shape[2:]:
            return failed(name, f"you returned only one step's logits {got.shape}; stack every step's logits "
                                f"along axis 1: shape (batch, T, V) = {want.shape}.")
        if got.shape != want.shape:
            return failed(name, f"expected logits of shape (batch, T, V) = {want.shape}, got {got.shape}.")
        if np.allclose(got, _free_running(decoder, tgt_in, state, enc_outputs, src_mask), atol=1e-5) and \
                not np.allclose(got, want, atol=1e-4):
            return failed(name, "you fed the decoder its own predictions (free running). Teacher forcing feeds "
                                "the TRUE previous token: tgt_in[:, t] at step t.")
        if not np.allclose(got, want, atol=1e-4):
            return failed(name, "your logits differ from the decoder's own teacher-forced call. At step t, call "
                                "decoder.step(tgt_in[:, t], state, enc_outputs, src_mask) and carry the new state.")
    return passed(name)


SELF_TESTS = [
    SelfTest(check_teacher_forced_logits, teacher_forced_logits_reference, wrong=_free_running,
             hint="TRUE previous token"),
    SelfTest(check_teacher_forcing, teacher_forcing_reference, wrong=lambda ids: (list(ids), list(ids) + [END]),
             hint="[START]"),
    SelfTest(check_masked_mean_loss, masked_mean_loss_reference, wrong=lambda loss, y: float(np.mean(loss)),
             hint="your loss is not masked"),
    SelfTest(check_exact_match, exact_match_reference,
             wrong=lambda h, r: float(np.mean([a.strip() == b.strip() for a, b in zip(h, r)])), hint="percentage"),
]
