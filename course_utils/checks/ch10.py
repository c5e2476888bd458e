"""Checks for chapter 10's exercises (teacher forcing, the masked loss, exact match, a teacher-forced
decoder run one step at a time) and its build-it exercise (the greedy decoding loop)."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

import numpy as np

from ..seq2seq.tokens import END, PAD, START
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


# ---------------------------------------------------------------- build it: the greedy decoding loop

class ToyTranslator:
    """An untrained translator small enough to build in a check: ``.encoder`` and ``.decoder``
    (the library's :class:`~course_utils.seq2seq.layers.Encoder` and ``Decoder``), which is all the
    decoders of :mod:`course_utils.seq2seq.decoding` need."""

    def __init__(self, encoder: Any, decoder: Any) -> None:
        self.encoder, self.decoder = encoder, decoder


@functools.cache
def toy_translator(seed: int, attention: str = "none", end_bias: float = 0.0, vocab: int = 12) -> ToyTranslator:
    """A seeded untrained translator (vocabulary ``vocab`` on both sides, embeddings 6, GRUs of 8 units)
    whose weights come from NumPy's generator, so they are the same on every machine. The weights are
    large enough that its choices are clear-cut (no near-ties for rounding to flip), and ``end_bias``
    is added to the [END] logit, so that some sentences end early and others run to ``max_len``."""
    from ..seq2seq.layers import Decoder, Encoder

    encoder = Encoder(vocab, 6, 8, name=f"toy_encoder_{seed}")
    decoder = Decoder(vocab, 6, 8, attention=attention, name=f"toy_decoder_{seed}")
    encoder.build((None, None))
    decoder.build((None, None))
    rng = np.random.default_rng(seed)
    for w in encoder.weights + decoder.weights:
        scale = 1.5 if "logits" in w.path else 2.0 if "embedding" in w.path else 0.6
        w.assign(rng.normal(scale=scale, size=tuple(w.shape)).astype("float32"))
    bias = decoder.out.bias.numpy()
    bias[END] += end_bias
    decoder.out.bias.assign(bias)
    return ToyTranslator(encoder, decoder)


def toy_sources(seed: int, batch: int = 4, src_len: int = 5, vocab: int = 12) -> np.ndarray:
    """Source ids (batch, src_len) for a toy translator: real tokens 4 .. vocab-1, rows 1 and 2 padded."""
    src = np.random.default_rng(100 + seed).integers(4, vocab, size=(batch, src_len))
    src[1, 3:] = PAD
    src[2, 4:] = PAD
    return src.astype("int32")


def greedy_loop_reference(model: Any, src_ids: np.ndarray, max_len: int) -> np.ndarray:
    """Greedy decoding one ``model.decoder.step`` at a time: src_ids (batch, S) -> ids (batch, max_len)
    int32, each row the argmax tokens up to and including its [END], then padding (0).
    [PAD] and [START] are never chosen. Equal to :func:`course_utils.seq2seq.decoding.greedy_decode`."""
    return _greedy_variant(model, src_ids, max_len)


def _greedy_variant(model: Any, src_ids: np.ndarray, max_len: int, ban: bool = True, feed_back: bool = True,
                    pad_after_end: bool = True, keep_end: bool = True, stop_batch_at_first_end: bool = False,
                    steps: int | None = None) -> np.ndarray:
    """The greedy loop, and (with an argument changed) a likely mistake: choosing [PAD]/[START], always
    feeding [START], writing tokens after [END], dropping the [END] itself, stopping the whole batch at
    the first [END], or running ``steps`` steps instead of ``max_len``."""
    enc_outputs, state = model.encoder(src_ids)
    src_mask = np.asarray(src_ids) != PAD
    batch = len(src_ids)
    token = np.full(batch, START)
    done = np.zeros(batch, dtype=bool)
    ids = np.zeros((batch, max_len), dtype="int32")
    for t in range(max_len if steps is None else steps):
        logits, state, _ = model.decoder.step(token if feed_back else np.full(batch, START), state, enc_outputs,
                                              src_mask)
        logits = np.array(logits)
        if ban:
            logits[:, [PAD, START]] = -np.inf
        token = logits.argmax(axis=-1)
        hidden = done if pad_after_end else np.zeros(batch, dtype=bool)
        if not keep_end:
            hidden = hidden | (token == END)
        ids[:, t] = np.where(hidden, PAD, token)
        done |= token == END
        if done.all() or (stop_batch_at_first_end and done.any()):
            break
    return ids


# (seed, attention, [END] bias, max_len): sentences that stop at different steps (one exactly at max_len) and
# ones that reach max_len; the best logit beats the second by at least 0.06 at every step of every row.
_GREEDY_CASES = [(26, "bahdanau", 1.0, 7), (12, "none", 1.0, 7), (25, "luong", 1.0, 6)]


def _greedy_diagnosis(got: np.ndarray, want: np.ndarray, model: Any, src: np.ndarray, max_len: int) -> str:
    same = lambda **kw: np.array_equal(got, _greedy_variant(model, src, max_len, **kw))  # noqa: E731
    if np.isin(got, [PAD, START]).any() and same(ban=False):
        return (f"your decoder chose [PAD] ({PAD}) or [START] ({START}); they are inputs only. Set their logits "
                "to -inf before the argmax: logits[:, [PAD, START]] = -np.inf.")
    if same(feed_back=False):
        return ("the decoder always reads [START]. Feed back its own prediction: the argmax of step t is the input "
                "of step t+1 (at test time there is no true target to feed, unlike teacher forcing).")
    if same(pad_after_end=False):
        return ("a sentence kept running after its [END]: after [END] a row holds only padding (0). Remember which "
                "sentences are done and write 0 for them.")
    if same(stop_batch_at_first_end=True):
        return ("you stopped every sentence when the first one produced [END]; each sentence stops at its own [END] "
                "(stop the loop only when all are done, or at max_len).")
    if same(keep_end=False):
        return "the [END] token itself belongs in the output: write it, then padding after it."
    if max_len > 1 and same(steps=max_len - 1):
        return f"your loop ran max_len - 1 = {max_len - 1} steps; run max_len = {max_len} (range(max_len))."
    row = int(np.argmax((got != want).any(axis=1)))
    return (f"for source row {row} expected {want[row].tolist()}, got {got[row].tolist()}. At each step: "
            "decoder.step(token, state, enc_outputs, src_mask), argmax over the vocabulary, carry the new state.")


def _check_greedy_loop(fn: Callable[..., Any]) -> CheckResult:
    """Build it: ``fn(model, src_ids (batch, S), max_len) -> ids (batch, max_len)``, greedy decoding with
    ``model.decoder.step``, compared with the library's compiled
    :func:`~course_utils.seq2seq.decoding.greedy_decode` on small untrained translators."""
    from ..seq2seq.decoding import greedy_decode

    name = "greedy_loop"
    for seed, attention, end_bias, max_len in _GREEDY_CASES:
        model, src = toy_translator(seed, attention, end_bias), toy_sources(seed)
        want = greedy_decode(model, src, max_len=max_len)
        got, error = call_learner(name, fn, model, src.copy(), max_len)
        if error is not None:
            return error
        try:
            got = np.asarray(got).astype("int64")
        except (TypeError, ValueError):
            return failed(name, "return the ids as one int array of shape (batch, max_len).")
        if got.shape != want.shape:
            if got.ndim == 2 and got.shape[0] == want.shape[0] and abs(got.shape[1] - max_len) == 1:
                return failed(name, f"off by one: with max_len={max_len} return exactly {max_len} tokens per sentence "
                                    f"(shape {want.shape}), got {got.shape}.")
            return failed(name, f"expected ids of shape (batch, max_len) = {want.shape}, got {got.shape}.")
        if not np.array_equal(got, want):
            return failed(name, _greedy_diagnosis(got, want, model, src, max_len))
    return passed(name, "equal to greedy_decode on every hidden batch (three toy translators, with and without attention).")


def check_greedy_loop(fn: Callable[..., Any]) -> CheckResult:
    """Build it: ``fn(model, src_ids, max_len) -> ids (batch, max_len)``, equal to
    :func:`~course_utils.seq2seq.decoding.greedy_decode` on small untrained translators. TensorFlow's
    retracing warnings (each toy translator compiles its own decoder) are held back while it runs, so
    the check prints only its result."""
    import logging

    logger = logging.getLogger("tensorflow")
    level = logger.level
    logger.setLevel(logging.ERROR)
    try:
        return _check_greedy_loop(fn)
    finally:
        logger.setLevel(level)


SELF_TESTS = [
    SelfTest(check_teacher_forced_logits, teacher_forced_logits_reference, wrong=_free_running,
             hint="TRUE previous token"),
    SelfTest(check_greedy_loop, greedy_loop_reference,
             wrong=lambda model, src, max_len: _greedy_variant(model, src, max_len, pad_after_end=False),
             hint="kept running after its [END]"),
    SelfTest(check_teacher_forcing, teacher_forcing_reference, wrong=lambda ids: (list(ids), list(ids) + [END]),
             hint="[START]"),
    SelfTest(check_masked_mean_loss, masked_mean_loss_reference, wrong=lambda loss, y: float(np.mean(loss)),
             hint="your loss is not masked"),
    SelfTest(check_exact_match, exact_match_reference,
             wrong=lambda h, r: float(np.mean([a.strip() == b.strip() for a, b in zip(h, r)])), hint="percentage"),
]
