"""Checks for chapter 07's exercises (reversing padded sequences, masked token accuracy, Bidirectional parameters,
entity spans from BIO tags) and its build-it exercise (a bidirectional layer from two recurrent layers)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from ..tagging.entities import bio_spans
from .base import CheckResult, SelfTest, call_learner, failed, passed


def reverse_padded_reference(x: np.ndarray, lengths: np.ndarray) -> np.ndarray:
    """Reverse the first lengths[b] steps of each sequence x[b] (B, T, ...), leaving the padding
    at the end where it was: what the backward half of a masked Bidirectional layer reads."""
    out = np.array(x, copy=True)
    for b, n in enumerate(lengths):
        out[b, :n] = x[b, :n][::-1]
    return out


def check_reverse_padded(fn: Callable[[np.ndarray, np.ndarray], Any]) -> CheckResult:
    """Exercise 1: ``fn(x, lengths) -> array like x``, each sequence's real steps reversed, padding kept at the end."""
    name = "reverse_padded"
    rng = np.random.default_rng(70)
    for B, T, D in [(3, 5, 2), (2, 4, 1), (4, 6, 3)]:
        lengths = rng.integers(1, T + 1, size=B)
        lengths[0] = T
        x = rng.normal(size=(B, T, D))
        for b, n in enumerate(lengths):
            x[b, n:] = 0.0
        got, error = call_learner(name, fn, x.copy(), lengths.copy())
        if error is not None:
            return error
        got = np.asarray(got, dtype="float64")
        if got.shape != x.shape:
            return failed(name, f"keep the shape {x.shape}; got {got.shape}.")
        want = reverse_padded_reference(x, lengths)
        if np.allclose(got, want):
            continue
        if np.allclose(got, x[:, ::-1]):
            return failed(name, "you reversed the padding too: the zeros now come first, so the backward RNN would read "
                                "padding before the last real word. Reverse only x[b, :lengths[b]].")
        if np.allclose(got, x):
            return failed(name, "nothing changed: reverse the first lengths[b] steps of each sequence.")
        return failed(name, "the values differ: out[b, :n] should be x[b, :n][::-1] with n = lengths[b], the rest unchanged.")
    return passed(name)


def masked_accuracy_reference(y_true: np.ndarray, y_pred: np.ndarray, mask: np.ndarray) -> float:
    """Token accuracy over the real (mask True) positions only: (B, T) arrays of tag ids."""
    mask = np.asarray(mask, dtype=bool)
    return float(np.mean(np.asarray(y_true)[mask] == np.asarray(y_pred)[mask]))


def check_masked_accuracy(fn: Callable[[np.ndarray, np.ndarray, np.ndarray], Any]) -> CheckResult:
    """Exercise 2: ``fn(y_true, y_pred, mask) -> float``, accuracy over unpadded tokens."""
    name = "masked_accuracy"
    rng = np.random.default_rng(71)
    for B, T in [(4, 6), (2, 9), (5, 3)]:
        lengths = rng.integers(1, T + 1, size=B)
        mask = np.arange(T)[None, :] < lengths[:, None]
        y_true = rng.integers(1, 5, size=(B, T)) * mask
        y_pred = np.where(rng.random((B, T)) < 0.6, y_true, rng.integers(1, 5, size=(B, T))) * mask
        got, error = call_learner(name, fn, y_true.copy(), y_pred.copy(), mask.copy())
        if error is not None:
            return error
        try:
            got = float(got)
        except (TypeError, ValueError):
            return failed(name, f"return one number between 0 and 1, not {type(got).__name__}.")
        want = masked_accuracy_reference(y_true, y_pred, mask)
        if np.isclose(got, want):
            continue
        if np.isclose(got, float(np.mean(y_true == y_pred))):
            return failed(name, "padding was counted: padded positions always 'agree' (both 0) and inflate the score. "
                                "Average only where mask is True.")
        if np.isclose(got, 1.0 - want):
            return failed(name, "that is the error rate; return the share of tokens whose tags agree.")
        return failed(name, f"expected {want:.4f}, got {got:.4f}.")
    return passed(name)


def bidirectional_lstm_params_reference(D: int, H: int) -> int:
    """Parameters of Bidirectional(LSTM(H)) on D inputs: two independent LSTMs, 2 * 4 * (D + H + 1) * H."""
    return 2 * 4 * (D + H + 1) * H


def check_bidirectional_lstm_params(fn: Callable[[int, int], Any]) -> CheckResult:
    """Exercise 3: ``fn(D, H) -> int``, the parameter count of Bidirectional(LSTM(H)) on D inputs."""
    name = "bidirectional_lstm_params"
    for D, H in [(84, 64), (3, 5), (1, 1)]:
        got, error = call_learner(name, fn, D, H)
        if error is not None:
            return error
        want = bidirectional_lstm_params_reference(D, H)
        if got == want:
            continue
        if got == want // 2:
            return failed(name, "that is one direction: Bidirectional keeps a second LSTM with its own weights for the backward pass.")
        if got == 2 * 4 * (D + 2 * H + 1) * H:
            return failed(name, "each direction's recurrent weights see only its own state (H), not the concatenation (2H).")
        return failed(name, f"for D={D}, H={H} expected {want}, got {got}.")
    return passed(name)


# (tags, what a wrong answer on them usually means)
_BIO_CASES: list[list[str]] = [
    ["B-PER", "O", "O", "O", "B-PER"],                      # Bob got a toy Yoda
    ["O", "B-LOC", "I-LOC", "O"],                           # an entity of two tokens
    ["B-PER", "I-PER", "B-PER", "O"],                       # two people side by side: B starts a new one
    ["B-ORG", "I-ORG", "I-ORG"],                            # an entity that runs to the end
    ["O", "I-MISC", "I-MISC", "O"],                         # a stray I- with nothing to continue
    ["B-LOC", "I-PER", "O"],                                # I- of another type
    ["O", "O"],                                             # no entity
]


def _without_end_flush(tags: list[str]) -> list[tuple[str, int, int]]:
    """A typical slip: forgetting the entity still open at the end of the sentence."""
    return [s for s in bio_spans(tags) if s[2] < len(tags)]


def check_bio_spans(fn: Callable[[list[str]], Any]) -> CheckResult:
    """Exercise 4: ``fn(tags) -> [(type, start, end), ...]``, the entities in one sentence's BIO tags,
    ``end`` exclusive, in order, reading a stray ``I-X`` as the start of an X entity (CoNLL)."""
    name = "bio_to_spans"
    for tags in _BIO_CASES:
        got, error = call_learner(name, fn, list(tags))
        if error is not None:
            return error
        try:
            got = [(str(k), int(a), int(b)) for k, a, b in got]
        except (TypeError, ValueError):
            return failed(name, f"return a list of (type, start, end) tuples such as [('PER', 0, 1)], got {got!r:.80}.")
        want = bio_spans(tags)
        if got == want:
            continue
        shown = f"for {tags}: expected {want}, got {got}."
        if got == [(k, a, b - 1) for k, a, b in want]:
            return failed(name, f"end is one past the last token, as in a Python slice (tokens[start:end]); {shown}")
        if got == _without_end_flush(tags):
            return failed(name, f"an entity still open at the end of the sentence must be closed too; {shown}")
        if tags[0] == "O" and "I-MISC" in tags and not got:
            return failed(name, f"an I- tag with nothing to continue starts an entity (the CoNLL reading); {shown}")
        if tags == ["B-PER", "I-PER", "B-PER", "O"] and got == [("PER", 0, 3)]:
            return failed(name, f"a B- tag always starts a new entity, even right after one of the same type; {shown}")
        return failed(name, shown)
    return passed(name)


# --------------------------------------------------------------------------- build it: Bidirectional by hand
def _as_array(a: Any) -> np.ndarray:
    return np.asarray(a, dtype="float64")


def bidirectional_by_hand_reference(forward_rnn: Any, backward_rnn: Any, x: np.ndarray, lengths: np.ndarray) -> np.ndarray:
    """Two recurrent layers (``return_sequences=True``, H units each) read x (B, T, D), whose
    sequence b has its real steps in x[b, :lengths[b]]: forward_rnn left to right, backward_rnn
    over each sequence's real steps reversed. Returns (B, T, 2H), [forward ; backward] per step,
    aligned with x; what Bidirectional gives at the real steps."""
    forward = np.asarray(forward_rnn(x))
    backward = reverse_padded_reference(np.asarray(backward_rnn(reverse_padded_reference(x, lengths))), lengths)
    return np.concatenate([forward, backward], axis=-1)


def _recurrent_pair(kind: str, units: int, features: int, seed: int) -> tuple[Any, Any, Any]:
    """Two independent recurrent layers and a keras.layers.Bidirectional holding copies of their weights."""
    import keras

    layer = {"lstm": keras.layers.LSTM, "gru": keras.layers.GRU}[kind]
    init = keras.initializers
    pair = []
    for k in range(2):
        rnn = layer(units, return_sequences=True, kernel_initializer=init.GlorotUniform(seed + 3 * k),
                    recurrent_initializer=init.Orthogonal(seed=seed + 3 * k + 1),
                    bias_initializer=init.RandomNormal(stddev=0.5, seed=seed + 3 * k + 2))
        rnn.build((None, None, features))
        pair.append(rnn)
    bi = keras.layers.Bidirectional(layer(units, return_sequences=True))
    bi.build((None, None, features))
    bi.forward_layer.set_weights(pair[0].get_weights())
    bi.backward_layer.set_weights(pair[1].get_weights())
    return pair[0], pair[1], bi


def check_bidirectional_by_hand(fn: Callable[..., Any]) -> CheckResult:
    """Build it: ``fn(forward_rnn, backward_rnn, x, lengths) -> (B, T, 2H)``, equal at every real
    step to ``keras.layers.Bidirectional`` holding the same two layers' weights, called with the mask."""
    name = "bidirectional_by_hand"
    rng = np.random.default_rng(77)
    for kind, (B, T, D, H) in [("lstm", (3, 6, 2, 4)), ("gru", (4, 5, 3, 2))]:
        forward_rnn, backward_rnn, bi = _recurrent_pair(kind, H, D, seed=700 + T)
        lengths = np.array([T, 3, 1, T - 1][:B])
        x = rng.normal(size=(B, T, D)).astype("float32")
        mask = np.arange(T)[None, :] < lengths[:, None]
        x[~mask] = 0.0
        want = np.asarray(bi(x, mask=mask), dtype="float64")
        got, error = call_learner(name, fn, forward_rnn, backward_rnn, x.copy(), lengths.copy())
        if error is not None:
            return error
        got = _as_array(got)
        if got.shape != want.shape:
            if got.shape == (B, T, H):
                return failed(name, f"concatenate the two halves on the last axis: shape (B, T, 2H) = {want.shape}, got {got.shape}.")
            return failed(name, f"expected shape (B, T, 2H) = {want.shape}, got {got.shape}.")
        if np.allclose(got[mask], want[mask], atol=1e-5):
            continue
        fwd, bwd = got[..., :H], got[..., H:]
        if np.allclose(bwd[mask], want[..., :H][mask], atol=1e-5) and np.allclose(fwd[mask], want[..., H:][mask], atol=1e-5):
            return failed(name, "the halves are swapped: Bidirectional concatenates [forward ; backward], the forward "
                                "layer's outputs first.")
        if not np.allclose(fwd[mask], want[..., :H][mask], atol=1e-5):
            return failed(name, "the forward half (the first H values) differs: it is forward_rnn run on x as it is.")
        # what the usual slips give as the backward half
        not_back = np.asarray(backward_rnn(reverse_padded_reference(x, lengths)))
        flipped_in = np.asarray(backward_rnn(x[:, ::-1]))
        slips = [
            (np.asarray(backward_rnn(x[:, ::-1], mask=mask[:, ::-1])),
             "the backward outputs are still in reversed order: flip them back (step t of the output must line "
             "up with step t of x) before you concatenate."),
            (not_back, "the backward outputs are still in reversed order: reverse each sequence's real steps back "
                       "(step t of the output must line up with step t of x) before you concatenate."),
            (flipped_in[:, ::-1], "the backward layer read the padding before the last real step: x[:, ::-1] puts the "
                                  "zeros first. Reverse only x[b, :lengths[b]], or pass the mask reversed too."),
            (reverse_padded_reference(flipped_in, lengths), "the backward layer read the padding before the last real step: "
                                                            "x[:, ::-1] puts the zeros first. Reverse only x[b, :lengths[b]]."),
            (np.asarray(backward_rnn(x)), "the backward layer read x left to right: give it each sequence reversed, "
                                          "then reverse its outputs back."),
            (reverse_padded_reference(np.asarray(forward_rnn(reverse_padded_reference(x, lengths))), lengths),
             "the backward half uses forward_rnn's weights: run backward_rnn, the second layer with its own weights."),
        ]
        for value, hint in slips:
            if np.allclose(bwd[mask], _as_array(value)[mask], atol=1e-5):
                return failed(name, hint)
        if np.allclose(bwd[lengths == T], want[lengths == T][..., H:], atol=1e-5):
            return failed(name, "the backward half is right on full-length sequences but not on padded ones: reverse "
                                "only each sequence's real steps x[b, :lengths[b]], both going in and coming back.")
        return failed(name, "the backward half (the last H values) differs: reverse each sequence's real steps, run "
                            "backward_rnn, reverse its outputs back, then concatenate [forward ; backward].")
    return passed(name)


def _forgot_to_reverse_back(forward_rnn: Any, backward_rnn: Any, x: np.ndarray, lengths: np.ndarray) -> np.ndarray:
    backward = np.asarray(backward_rnn(reverse_padded_reference(x, lengths)))
    return np.concatenate([np.asarray(forward_rnn(x)), backward], axis=-1)


SELF_TESTS = [
    SelfTest(check_reverse_padded, reverse_padded_reference,
             wrong=lambda x, lengths: x[:, ::-1], hint="reversed the padding too"),
    SelfTest(check_masked_accuracy, masked_accuracy_reference,
             wrong=lambda t, p, m: float(np.mean(t == p)), hint="padding was counted"),
    SelfTest(check_bidirectional_lstm_params, bidirectional_lstm_params_reference,
             wrong=lambda D, H: 4 * (D + H + 1) * H, hint="one direction"),
    SelfTest(check_bio_spans, bio_spans, wrong=_without_end_flush, hint="still open at the end"),
    SelfTest(check_bidirectional_by_hand, bidirectional_by_hand_reference,
             wrong=_forgot_to_reverse_back, hint="still in reversed order"),
]
