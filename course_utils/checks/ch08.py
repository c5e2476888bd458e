"""Checks for chapter 08's exercises (bag-of-words features, confident mistakes, one training step
on a padded batch)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from .base import CheckResult, SelfTest, call_learner, failed, passed

# Hidden cases: token-id matrices as TextVectorization returns them (0 = padding, 1 = [UNK]).
_IDS = [
    (np.array([[4, 2, 4, 0, 0], [3, 3, 3, 1, 0]]), 6),
    (np.array([[1, 2, 3, 4]]), 5),
    (np.array([[5, 5, 0], [0, 0, 0], [2, 7, 2]]), 8),
]


def bag_of_words_reference(ids: np.ndarray, vocab_size: int) -> np.ndarray:
    """(batch, T) token ids -> (batch, vocab_size) 0/1 matrix: 1 where the word occurs. Padding (id 0) never counts."""
    ids = np.asarray(ids)
    out = np.zeros((ids.shape[0], vocab_size), dtype="float32")
    rows = np.repeat(np.arange(ids.shape[0]), ids.shape[1])
    out[rows, ids.reshape(-1)] = 1.0
    out[:, 0] = 0.0
    return out


def check_bag_of_words(fn: Callable[[np.ndarray, int], Any]) -> CheckResult:
    """Exercise 1: ``fn(ids, vocab_size) -> (batch, vocab_size)`` word-presence matrix."""
    name = "bag_of_words"
    for ids, vocab in _IDS:
        got, error = call_learner(name, fn, ids.copy(), vocab)
        if error is not None:
            return error
        got = np.asarray(got, dtype="float64")
        want = bag_of_words_reference(ids, vocab)
        if got.shape != want.shape:
            return failed(name, f"expected shape (batch, vocab_size) = {want.shape}, got {got.shape}: one row per text, one column per vocabulary id.")
        if np.array_equal(got, want):
            continue
        counts = np.stack([np.bincount(row, minlength=vocab) for row in ids]).astype("float64")
        no_pad = counts.copy()
        no_pad[:, 0] = 0
        if np.array_equal(got, no_pad) or np.array_equal(got, counts):
            return failed(name, "you counted how often each word occurs; the baseline uses presence (0 or 1), so cap the counts at 1.")
        if got[:, 0].any():
            return failed(name, "column 0 is not zero: id 0 is padding, not a word, so leave it out.")
        if not np.array_equal(got, want):
            return failed(name, f"for ids {ids.tolist()} the rows should be {want.astype(int).tolist()}.")
    return passed(name)


_CASES = [
    (np.array([1, 0, 1, 0, 1, 0]), np.array([0.10, 0.95, 0.80, 0.55, 0.30, 0.20]), 2),
    (np.array([0, 0, 1, 1, 1]), np.array([0.90, 0.40, 0.05, 0.60, 0.45]), 3),
    (np.array([1, 1, 0, 0]), np.array([0.51, 0.97, 0.49, 0.02]), 1),
]


def confident_errors_reference(labels: np.ndarray, probs: np.ndarray, k: int) -> np.ndarray:
    """Indices of the ``k`` misclassified examples (threshold 0.5) whose wrong class got the most
    probability, most confident first. Returns at most as many as there are mistakes."""
    labels, probs = np.asarray(labels), np.asarray(probs, dtype="float64")
    wrong = np.flatnonzero((probs >= 0.5) != (labels == 1))
    confidence = np.where(labels[wrong] == 1, 1 - probs[wrong], probs[wrong])
    return wrong[np.argsort(-confidence, kind="stable")][:k]


def check_confident_errors(fn: Callable[[np.ndarray, np.ndarray, int], Any]) -> CheckResult:
    """Exercise 2: ``fn(labels, probs, k) -> indices`` of the most confident mistakes."""
    name = "confident_errors"
    for labels, probs, k in _CASES:
        got, error = call_learner(name, fn, labels.copy(), probs.copy(), k)
        if error is not None:
            return error
        got = np.asarray(got).reshape(-1)
        want = confident_errors_reference(labels, probs, k)
        wrong = set(np.flatnonzero((probs >= 0.5) != (labels == 1)).tolist())
        if any(int(i) not in wrong for i in got):
            return failed(name, "some of your indices are correct predictions; keep only examples where (p >= 0.5) differs from the label.")
        if len(got) == len(want) and set(got.tolist()) == set(want.tolist()) and not np.array_equal(got, want):
            return failed(name, "you found the right mistakes but in the wrong order: put the most confident mistake first.")
        if not np.array_equal(got, want):
            return failed(name, "confidence in a mistake is the probability given to the wrong class: p for a negative example, "
                                "1 - p for a positive one. Sort by that, largest first, and return k indices.")
    return passed(name)


def _by_probability(labels: np.ndarray, probs: np.ndarray, k: int) -> np.ndarray:
    wrong = np.flatnonzero((probs >= 0.5) != (labels == 1))
    return wrong[np.argsort(-probs[wrong], kind="stable")][:k]


def train_step_reference(model: Any, ids: np.ndarray, labels: np.ndarray, optimizer: Any) -> float:
    """One gradient step of a classifier from ``build_text_classifier`` on a padded batch:
    ids (batch, T) with 0 = padding, labels (batch,) 0/1. Returns the batch's mean binary
    cross-entropy before the step. The model's ``Embedding(mask_zero=True)`` skips the padding."""
    import keras
    import tensorflow as tf

    with tf.GradientTape() as tape:
        p = model(ids, training=True)                                          # (batch, 1)
        loss = keras.ops.mean(keras.losses.binary_crossentropy(labels[:, None].astype("float32"), p))
    grads = tape.gradient(loss, model.trainable_variables)
    optimizer.apply_gradients(zip(grads, model.trainable_variables))
    return float(loss)


def _ascent(model: Any, ids: np.ndarray, labels: np.ndarray, optimizer: Any) -> float:
    import keras
    import tensorflow as tf

    with tf.GradientTape() as tape:
        loss = keras.ops.mean(keras.losses.binary_crossentropy(labels[:, None].astype("float32"), model(ids)))
    grads = tape.gradient(loss, model.trainable_variables)
    optimizer.apply_gradients(zip([-g for g in grads], model.trainable_variables))
    return float(loss)


def check_train_step(fn: Callable[..., Any]) -> CheckResult:
    """Exercise 3: ``fn(model, ids (batch, T), labels (batch,), optimizer) -> loss before the step``.
    Compared with the reference step on an identical model: the loss, and every weight after."""
    import keras

    from ..text_classification import build_text_classifier

    name = "train_step"
    rng = np.random.default_rng(8)
    for case, pad in enumerate([0, 3, 6]):
        ids = rng.integers(2, 30, size=(4, 5))
        ids = np.concatenate([ids, np.zeros((4, pad), dtype=ids.dtype)], axis=1)  # padding at the end
        ids[1, 3:] = 0                                                            # and one short review
        labels = np.array([1, 0, 1, 0])
        models = []
        for _ in range(2):
            keras.utils.set_random_seed(80 + case)
            models.append(build_text_classifier(30, embed_dim=4, units=3))
        mine, ref = models
        got, error = call_learner(name, fn, mine, ids.copy(), labels.copy(), keras.optimizers.SGD(0.5))
        if error is not None:
            return error
        want = train_step_reference(ref, ids, labels, keras.optimizers.SGD(0.5))
        try:
            got = float(got)
        except (TypeError, ValueError):
            return failed(name, "return the batch's loss (a float) computed before the update.")
        if not np.isclose(got, want, atol=1e-5):
            return failed(name, f"the loss differs from the mean binary cross-entropy of the batch: expected "
                                f"{want:.4f}, got {got:.4f}. Use keras.losses.binary_crossentropy on the model's "
                                "probabilities and average it.")
        moved = [float(np.abs(a - b).max()) for a, b in zip(mine.get_weights(), ref.get_weights())]
        if max(moved) > 1e-5:
            keras.utils.set_random_seed(80 + case)
            start = build_text_classifier(30, embed_dim=4, units=3).get_weights()
            if all(np.allclose(w, s) for w, s in zip(mine.get_weights(), start)):
                return failed(name, "the weights did not change: apply the gradients with "
                                    "optimizer.apply_gradients(zip(grads, model.trainable_variables)).")
            return failed(name, "the weights after your step differ from one gradient-descent step: take the "
                                "gradient of the loss (tape.gradient) and let the optimizer apply it as it is, "
                                "not its negative.")
    return passed(name)


SELF_TESTS = [
    SelfTest(check_bag_of_words, bag_of_words_reference,
             wrong=lambda ids, v: np.stack([np.bincount(r, minlength=v) for r in ids]), hint="you counted how often"),
    SelfTest(check_confident_errors, confident_errors_reference, wrong=_by_probability,
             hint="probability given to the wrong class"),
    SelfTest(check_train_step, train_step_reference, wrong=_ascent, hint="not its negative"),
]
