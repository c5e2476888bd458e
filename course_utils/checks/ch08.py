"""Checks for chapter 08's exercises (bag-of-words features, confident mistakes, one training step
on a padded batch) and its build-it exercise (a masked many-to-one classifier in NumPy)."""

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


# --------------------------------------------------------------------------- build it: many-to-one with a mask
def _sigmoid(z: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-z))


def _run_rnn(ids: np.ndarray, E: np.ndarray, W_hx: np.ndarray, W_hh: np.ndarray, b_h: np.ndarray,
             use_mask: bool = True, zero_padded: bool = False) -> np.ndarray:
    """The final state (B, H) of h_t = tanh(x_t W_hx + h_(t-1) W_hh + b_h) over ids (B, T); with the mask,
    a padded step (id 0) carries the state over unchanged (or, the slip, resets it to zero)."""
    ids = np.asarray(ids)
    h = np.zeros((ids.shape[0], W_hh.shape[0]))
    for t in range(ids.shape[1]):
        new = np.tanh(E[ids[:, t]] @ W_hx + h @ W_hh + b_h)
        real = ids[:, t:t + 1] != 0
        h = new if not use_mask else np.where(real, new, 0.0 if zero_padded else h)
    return h


def many_to_one_reference(ids: np.ndarray, E: np.ndarray, W_hx: np.ndarray, W_hh: np.ndarray, b_h: np.ndarray,
                          W_hy: np.ndarray, b_y: np.ndarray) -> np.ndarray:
    """p(class 1) of Embedding(mask_zero=True) -> SimpleRNN(H) -> Dense(1, sigmoid) for ids (B, T), 0 = padding
    anywhere; weights in the order and layout of model.get_weights(). Returns shape (B,)."""
    h = _run_rnn(ids, E, W_hx, W_hh, b_h)
    return _sigmoid(h @ W_hy + b_y)[:, 0]


def _classifier(V: int, D: int, H: int, seed: int) -> Any:
    """Embedding(mask_zero=True) -> SimpleRNN(H) -> Dense(1, sigmoid), with seeded random weights
    (non-zero biases and a strong output layer, so that the usual slips change the answer)."""
    import keras

    model = keras.Sequential([keras.Input((None,), dtype="int32"), keras.layers.Embedding(V, D, mask_zero=True),
                              keras.layers.SimpleRNN(H), keras.layers.Dense(1, activation="sigmoid")])
    rng = np.random.default_rng(seed)
    model.set_weights([rng.normal(size=(V, D)), rng.normal(scale=0.7, size=(D, H)), rng.normal(scale=0.5, size=(H, H)),
                       rng.normal(scale=0.5, size=H), rng.normal(scale=2.0, size=(H, 1)), rng.normal(size=1)])
    return model


# (B, T) token ids; 0 is padding: at the end as TextVectorization pads, at the start as
# keras.utils.pad_sequences pads by default
_MANY_TO_ONE_IDS = [
    np.array([[4, 7, 2, 9, 5, 3], [6, 2, 8, 0, 0, 0], [3, 0, 0, 0, 0, 0]]),
    np.array([[0, 0, 5, 1, 7], [0, 0, 0, 0, 9], [4, 3, 6, 2, 8], [0, 8, 8, 2, 6]]),
]


def check_many_to_one(fn: Callable[..., Any]) -> CheckResult:
    """Build it: ``fn(ids, E, W_hx, W_hh, b_h, W_hy, b_y) -> (B,)`` probabilities, equal to a Keras model
    Embedding(mask_zero=True) -> SimpleRNN -> Dense(1, sigmoid) holding those weights."""
    name = "many_to_one"
    for case, ids in enumerate(_MANY_TO_ONE_IDS):
        model = _classifier(V=10, D=3, H=4, seed=810 + case)
        weights = model.get_weights()
        want = np.asarray(model(ids), dtype="float64")[:, 0]
        got, error = call_learner(name, fn, ids.copy(), *(w.copy() for w in weights))
        if error is not None:
            return error
        got = np.asarray(got, dtype="float64")
        if got.size == len(ids):
            got = got.reshape(-1)
        if got.shape != want.shape:
            return failed(name, f"return one probability per review: shape (B,) = {want.shape}, got {got.shape}.")
        if np.allclose(got, want, atol=1e-5):
            continue
        E, W_hx, W_hh, b_h, W_hy, b_y = weights
        readout = lambda h: _sigmoid(h @ W_hy + b_y)[:, 0]  # noqa: E731
        if np.allclose(got, _run_rnn(ids, E, W_hx, W_hh, b_h) @ W_hy[:, 0] + b_y[0], atol=1e-5):
            return failed(name, "these are logits z = W_hy h_T + b_y; return probabilities, sigma(z) = 1 / (1 + exp(-z)).")
        if np.allclose(got, readout(_run_rnn(ids, E, W_hx, W_hh, b_h, use_mask=False)), atol=1e-5):
            return failed(name, "padding was read as input: id 0 is a row of E like any other, so the state kept "
                                "changing over the padded steps. Skip the steps where ids == 0.")
        if np.allclose(got, readout(_run_rnn(ids, E, W_hx, W_hh, b_h, zero_padded=True)), atol=1e-5):
            return failed(name, "at a padded step the state must be carried over unchanged, not set to zero: "
                                "h_t = h_(t-1) where ids[:, t] == 0.")
        if np.allclose(got, _stops_at_length(ids, *weights), atol=1e-5):
            return failed(name, "right where the padding is at the end, wrong where it comes first: "
                                "keras.utils.pad_sequences pads at the start by default. Decide at every step "
                                "from the mask ids[:, t] != 0, not by reading the first lengths[b] steps.")
        if np.allclose(got, readout(_mean_real_state(ids, E, W_hx, W_hh, b_h)), atol=1e-5):
            return failed(name, "you averaged the states; this classifier reads only the last real state h_T, "
                                "the one after the review's last real token.")
        return failed(name, "the probabilities differ from Keras's: run h_t = tanh(x_t @ W_hx + h_(t-1) @ W_hh + b_h) "
                            "from h_0 = 0 with x_t = E[ids[:, t]], keep h_(t-1) where ids[:, t] == 0, "
                            "then p = sigma(h_T @ W_hy + b_y).")
    return passed(name)


def _mean_real_state(ids: np.ndarray, E: np.ndarray, W_hx: np.ndarray, W_hh: np.ndarray, b_h: np.ndarray) -> np.ndarray:
    """Masked mean pooling: the average of the states at the real steps (a slip for this exercise)."""
    ids = np.asarray(ids)
    h, total = np.zeros((ids.shape[0], W_hh.shape[0])), np.zeros((ids.shape[0], W_hh.shape[0]))
    for t in range(ids.shape[1]):
        real = ids[:, t:t + 1] != 0
        h = np.where(real, np.tanh(E[ids[:, t]] @ W_hx + h @ W_hh + b_h), h)
        total += real * h
    return total / np.maximum((ids != 0).sum(axis=1, keepdims=True), 1)


def _stops_at_length(ids: np.ndarray, E: np.ndarray, W_hx: np.ndarray, W_hh: np.ndarray, b_h: np.ndarray,
                     W_hy: np.ndarray, b_y: np.ndarray) -> np.ndarray:
    """A typical slip: assume the padding is at the end and read only the first lengths[b] steps."""
    lengths = (np.asarray(ids) != 0).sum(axis=1)
    h = np.zeros((len(ids), W_hh.shape[0]))
    for t in range(np.asarray(ids).shape[1]):
        h = np.where((t < lengths)[:, None], np.tanh(E[ids[:, t]] @ W_hx + h @ W_hh + b_h), h)
    return _sigmoid(h @ W_hy + b_y)[:, 0]


SELF_TESTS = [
    SelfTest(check_bag_of_words, bag_of_words_reference,
             wrong=lambda ids, v: np.stack([np.bincount(r, minlength=v) for r in ids]), hint="you counted how often"),
    SelfTest(check_confident_errors, confident_errors_reference, wrong=_by_probability,
             hint="probability given to the wrong class"),
    SelfTest(check_train_step, train_step_reference, wrong=_ascent, hint="not its negative"),
    SelfTest(check_many_to_one, many_to_one_reference, wrong=_stops_at_length, hint="pads at the start"),
]
