"""Checks for the capstone's exercises (chapter 15): the unigram baseline, a rung of the
learner's own (a compiled, causal character language model) and the choice made on validation.

The model check runs without the learner's data: it builds the model for a hidden alphabet,
tests the output's shape and that it gives logits, tests causality (changing later characters
must not move earlier outputs), then trains it on a hidden text whose next character follows
from the last one and asks it to beat the letter frequencies there by a wide margin."""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Callable
from typing import Any

import numpy as np

from .base import CheckResult, SelfTest, call_learner, call_learner_number, failed, passed

# -- exercise 1: the unigram baseline ------------------------------------------------------------


def unigram_perplexity_reference(train_text: str, eval_text: str, k: float) -> float:
    """Perplexity on ``eval_text`` of character frequencies counted on ``train_text`` with add-k
    smoothing over the training alphabet plus one slot for any unseen character:
    ``q(c) = (count(c) + k) / (N + k V)``, V = distinct training characters + 1."""
    counts = Counter(train_text)
    V, N = len(counts) + 1, len(train_text)
    nats = sum(-math.log((counts.get(c, 0) + k) / (N + k * V)) for c in eval_text)
    return math.exp(nats / len(eval_text))


_UNIGRAM_CASES = [("abracadabra", "abcd!", 0.5), ("hello world", "low hold", 0.1), ("aaab", "ba", 1.0),
                  ("the cat sat on the mat\n", "a hat\n", 0.01)]


def check_unigram_perplexity(fn: Callable[[str, str, float], Any]) -> CheckResult:
    """Exercise 1: ``fn(train_text, eval_text, k) -> float``, the unigram baseline's perplexity."""
    name = "unigram_perplexity"
    for train, text, k in _UNIGRAM_CASES:
        got, error = call_learner_number(name, fn, train, text, k)
        if error is not None:
            return error
        want = unigram_perplexity_reference(train, text, k)
        if math.isclose(got, want, rel_tol=1e-6):
            continue
        counts, V, N = Counter(train), len(set(train)) + 1, len(train)
        if math.isinf(got) or math.isnan(got):
            return failed(name, "a character of the evaluation text got probability 0: add k to EVERY count, "
                                "the unseen characters' slot included.")
        if math.isclose(got, math.log(want), rel_tol=1e-6):
            return failed(name, "you returned the cross-entropy in nats; the perplexity is exp of it.")
        no_slot = math.exp(sum(-math.log((counts.get(c, 0) + k) / (N + k * (V - 1))) for c in text) / len(text))
        if math.isclose(got, no_slot, rel_tol=1e-6):
            return failed(name, "V must count one extra slot for characters never seen in training: "
                                "V = (distinct training characters) + 1.")
        if math.isclose(got, unigram_perplexity_reference(text, text, k), rel_tol=1e-6):
            return failed(name, "you counted the characters of the evaluation text; count them on the training "
                                "text only, or the baseline has seen the answers.")
        return failed(name, f"for train={train!r}, eval={text!r}, k={k} expected {want:.4f}, got {got:.4f}.")
    return passed(name)


# -- exercise 2: a rung of your own --------------------------------------------------------------

HIDDEN_SYMBOLS, HIDDEN_LEN = 8, 16
HIDDEN_VOCAB = HIDDEN_SYMBOLS + 2  # ids 0 (padding) and 1 (unknown) are reserved, as in CharVocab


def _cycle_windows(n: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """n windows (n, HIDDEN_LEN) of a hidden text in which each character fixes the next (a cycle
    through the 8 symbols in a shuffled order), each from a random point; targets shifted by one."""
    order = np.random.default_rng(1515).permutation(HIDDEN_SYMBOLS) + 2
    starts = np.random.default_rng(seed).integers(0, HIDDEN_SYMBOLS, size=n)
    ids = order[(starts[:, None] + np.arange(HIDDEN_LEN + 1)) % HIDDEN_SYMBOLS].astype("int32")
    return ids[:, :-1], ids[:, 1:]


def _mean_nats(model: Any, x: np.ndarray, y: np.ndarray) -> float:
    logits = np.asarray(model(x, training=False), dtype="float64")
    logits -= logits.max(axis=-1, keepdims=True)
    log_p = logits - np.log(np.exp(logits).sum(axis=-1, keepdims=True))
    return float(-np.take_along_axis(log_p, y[..., None], axis=-1).mean())


def check_my_lm(build: Callable[[int, int], Any], max_epochs: int = 15) -> CheckResult:
    """Exercise 2: ``build(vocab_size, seq_len)`` returns a compiled Keras model, ids
    (batch, seq_len) -> logits (batch, seq_len, vocab_size), that sees only the past. Trained on
    a hidden text (at most ``max_epochs`` epochs of 16 steps), its held-out cross-entropy must
    fall below half the letter frequencies'. Seeds Keras's random generators (seed 15)."""
    import keras

    name = "my_lm"
    keras.utils.set_random_seed(15)
    model, error = call_learner(name, build, HIDDEN_VOCAB, HIDDEN_LEN)
    if error is not None:
        return error
    if not isinstance(model, keras.Model):
        return failed(name, f"return the Keras model itself, e.g. build_char_lm(...), not {type(model).__name__}.")
    if not getattr(model, "compiled", False):
        return failed(name, "the model is not compiled: call model.compile(optimizer, loss) before returning it "
                            "(the course's build_* functions do), with SparseCategoricalCrossentropy(from_logits=True).")
    x, y = _cycle_windows(512, seed=0)
    try:
        out = np.asarray(model(x[:4], training=False))
    except Exception as exc:  # the learner's model: report, do not crash
        return failed(name, f"calling the model on ids of shape (4, {HIDDEN_LEN}) raised {type(exc).__name__}: {exc}")
    if out.shape != (4, HIDDEN_LEN, HIDDEN_VOCAB):
        return failed(name, f"for ids (batch, seq_len) = (4, {HIDDEN_LEN}) and vocab_size={HIDDEN_VOCAB} the model "
                            f"must return (4, {HIDDEN_LEN}, {HIDDEN_VOCAB}), one score per character at every step; "
                            f"got {out.shape}. Keep return_sequences=True and end with Dense(vocab_size).")
    if np.all(out >= 0) and np.allclose(out.sum(-1), 1.0, atol=1e-4):
        return failed(name, "the model returns probabilities (a softmax at the end); return logits, with no "
                            "activation on the last Dense: the loss and evaluate_char_lm apply the softmax themselves.")
    changed = x[:4].copy()
    t = HIDDEN_LEN // 2
    changed[:, t + 1:] = (changed[:, t + 1:] - 2 + 3) % HIDDEN_SYMBOLS + 2  # other symbols after step t
    before, after = out, np.asarray(model(changed, training=False))
    if not np.allclose(before[:, :t + 1], after[:, :t + 1], atol=1e-4):
        return failed(name, f"the output at step {t} changed when only later characters changed: the model looks "
                            "into the future. Use a causal layer (SimpleRNN, GRU, LSTM; no Bidirectional) or an "
                            "attention with its causal mask (build_transformer_lm does).")
    x_held, y_held = _cycle_windows(64, seed=1)
    target = 0.5 * math.log(HIDDEN_SYMBOLS)  # half the letter frequencies' cross-entropy: ln 8 nats/char
    dataset = (x, y)
    for _ in range(max_epochs):
        try:
            model.fit(*dataset, batch_size=32, epochs=1, verbose=0, shuffle=True)
        except Exception as exc:
            return failed(name, f"model.fit raised {type(exc).__name__}: {exc}. Compile it with "
                                "SparseCategoricalCrossentropy(from_logits=True), targets are ids.")
        nats = _mean_nats(model, x_held, y_held)
        if not math.isfinite(nats):
            return failed(name, "training diverged (the loss is NaN or infinite): lower the learning rate or "
                                "clip the gradients (clipnorm=1.0).")
        if nats < target:
            return passed(name, "compiled, gives logits, sees only the past, and learns a hidden text "
                                "far better than its letter frequencies.")
    return failed(name, f"after {max_epochs} epochs on a hidden text where each character fixes the next, the model "
                        f"is still at {nats:.2f} nats/char, not below {target:.2f} (half of what letter frequencies "
                        "give): check the loss (from_logits=True with logits out), and try a higher learning rate.")


def my_lm_reference(vocab_size: int, seq_len: int) -> Any:
    """An LSTM language model: Embedding -> LSTM(64) -> Dense(V), compiled by ``build_char_lm``."""
    from ..rnn.char_lm import build_char_lm

    return build_char_lm(vocab_size, "lstm", 64, seq_len=seq_len, learning_rate=1e-2)


def _bidirectional_lm(vocab_size: int, seq_len: int) -> Any:
    """A wrong answer: a Bidirectional GRU reads the whole window, the future included."""
    import keras

    model = keras.Sequential([keras.Input((seq_len,), dtype="int32"), keras.layers.Embedding(vocab_size, 16),
                              keras.layers.Bidirectional(keras.layers.GRU(16, return_sequences=True)),
                              keras.layers.Dense(vocab_size)])
    model.compile("adam", keras.losses.SparseCategoricalCrossentropy(from_logits=True))
    return model


# -- exercise 3: choose on validation ------------------------------------------------------------


def choose_on_validation_reference(table: Any) -> str:
    """The name (index label) of the row of ``table`` with the lowest 'validation perplexity'."""
    return str(table["validation perplexity"].astype(float).idxmin())


def _choice_tables() -> list[Any]:
    import pandas as pd

    rows = [
        {"unigram": (22.1, 22.4, 90), "4-gram": (6.3, 6.1, 52_000), "GRU": (5.9, 6.2, 49_000), "LSTM": (6.4, 6.0, 61_000)},
        {"RNN": (7.1, 7.0, 24_000), "GRU": (6.6, 6.9, 49_000), "Transformer": (8.2, 6.5, 47_000), "unigram": (22.0, 21.9, 90)},
        {"unigram": (19.0, 19.5, 80), "3-gram": (7.4, 7.2, 9_000), "RNN": (7.9, 7.1, 24_000)},
    ]
    return [pd.DataFrame({name: dict(zip(["validation perplexity", "test perplexity", "parameters"], values))
                          for name, values in table.items()}).T for table in rows]


def check_choose_on_validation(fn: Callable[[Any], Any]) -> CheckResult:
    """Exercise 3: ``fn(table) -> str``, the model to read the test set for."""
    name = "choose_on_validation"
    for table in _choice_tables():
        got, error = call_learner(name, fn, table.copy())
        if error is not None:
            return error
        want = choose_on_validation_reference(table)
        if isinstance(got, (int, np.integer)) and not isinstance(got, bool):
            return failed(name, "return the model's name (the row's index label, e.g. with idxmin), not its position.")
        if got == want:
            continue
        if got == table["test perplexity"].astype(float).idxmin():
            return failed(name, "you chose on the test perplexity: choose on validation, and read the test set once, "
                                "for the chosen model only.")
        if got == table["validation perplexity"].astype(float).idxmax():
            return failed(name, "you chose the HIGHEST perplexity; lower is better.")
        return failed(name, f"expected {want!r} (lowest validation perplexity), got {got!r}.")
    return passed(name)


SELF_TESTS = [
    SelfTest(check_unigram_perplexity, unigram_perplexity_reference,
             wrong=lambda train, text, k: unigram_perplexity_reference(text, text, k), hint="training text only"),
    SelfTest(check_my_lm, my_lm_reference, wrong=_bidirectional_lm, hint="looks into the future"),
    SelfTest(check_choose_on_validation, choose_on_validation_reference,
             wrong=lambda table: str(table["test perplexity"].astype(float).idxmin()), hint="choose on validation"),
]
