"""Many-to-one text classification (chapter 08): a bag-of-words baseline, an RNN classifier, and
helpers for scoring sentences and finding confident mistakes.

Token ids come from a Keras ``TextVectorization`` layer (0 = padding, 1 = [UNK]).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from .cell_kinds import check_cell, recurrent_layer
from .validate import binary_labels, finite_array, finite_number, in_unit_interval, int_in_range, positive_int

__all__ = [
    "BagOfWordsLogisticRegression",
    "build_text_classifier",
    "most_confident_errors",
    "position_influence",
    "score_texts",
]


def _check_texts(texts: Any, name: str = "texts") -> list[str]:
    if isinstance(texts, str):
        raise ValueError(f"{name} must be a list of strings; wrap a single sentence in a list: [{texts[:30]!r}]")
    texts = list(texts)
    if not texts:
        raise ValueError(f"{name} is empty; pass at least one text")
    bad = next((i for i, t in enumerate(texts) if not isinstance(t, str)), None)
    if bad is not None:
        raise ValueError(f"{name} must be a non-empty list of strings; item {bad} is {type(texts[bad]).__name__} "
                         f"({texts[bad]!r:.40}); convert it with str(...) or drop it")
    return texts


def _check_labels(labels: Any, n: int) -> np.ndarray:
    y = np.asarray(labels)
    if y.shape != (n,):
        raise ValueError(f"labels must have shape ({n},), one per text, got {y.shape}")
    binary_labels("labels", y, "map the classes to 0/1 first")
    return y.astype("float64")


class BagOfWordsLogisticRegression:
    """Logistic regression on word presence: ``p(positive) = sigmoid(w . x + b)`` where
    ``x`` is a 0/1 vector of size V saying which vocabulary words occur (order ignored).

    Fitted with L-BFGS on the mean log-loss plus ``l2/2 * |w|^2``. Parameters: V + 1.
    """

    def __init__(self, max_tokens: int = 10_000, l2: float = 1e-3) -> None:
        int_in_range("max_tokens", max_tokens, 3, numpy_ints=False)
        finite_number("l2", l2, low=0, fix="use l2=0 for no regularisation")
        self.max_tokens, self.l2 = max_tokens, float(l2)
        self.vectorizer: Any = None
        self.weights: np.ndarray | None = None  # (V,)
        self.bias: float = 0.0

    def _features(self, texts: list[str]) -> Any:
        """Sparse (n, V) 0/1 matrix of word presence."""
        from scipy import sparse

        ids = self.vectorizer(texts).numpy()
        rows, cols = np.nonzero(ids)
        matrix = sparse.csr_matrix((np.ones(len(rows)), (rows, ids[rows, cols])), shape=(len(texts), self.vocab_size))
        matrix.sum_duplicates()
        matrix.data[:] = 1.0  # presence, not counts (np.nonzero already skipped the padding id 0)
        return matrix

    @property
    def vocab_size(self) -> int:
        return 0 if self.vectorizer is None else int(self.vectorizer.vocabulary_size())

    def fit(self, texts: Sequence[str], labels: Any) -> "BagOfWordsLogisticRegression":
        """Learn the vocabulary and the weights from training texts and 0/1 labels."""
        import keras
        from scipy.optimize import minimize

        texts = _check_texts(texts)
        y = _check_labels(labels, len(texts))
        self.vectorizer = keras.layers.TextVectorization(max_tokens=self.max_tokens, output_mode="int")
        self.vectorizer.adapt(texts)
        x = self._features(texts)
        n, v = x.shape

        def loss_and_grad(theta: np.ndarray) -> tuple[float, np.ndarray]:
            w, b = theta[:-1], theta[-1]
            z = x @ w + b
            loss = np.mean(np.logaddexp(0.0, z) - y * z) + 0.5 * self.l2 * w @ w
            r = (1.0 / (1.0 + np.exp(-z)) - y) / n
            return loss, np.concatenate([x.T @ r + self.l2 * w, [r.sum()]])

        result = minimize(loss_and_grad, np.zeros(v + 1), jac=True, method="L-BFGS-B", options={"maxiter": 500})
        self.weights, self.bias = result.x[:-1], float(result.x[-1])
        return self

    def predict_proba(self, texts: Sequence[str]) -> np.ndarray:
        """Probabilities of the positive class, shape (n,)."""
        if self.weights is None:
            raise RuntimeError("call fit(texts, labels) before predict_proba()")
        z = self._features(_check_texts(texts)) @ self.weights + self.bias
        return 1.0 / (1.0 + np.exp(-z))

    @property
    def n_params(self) -> int:
        return 0 if self.weights is None else int(self.weights.size + 1)

    def top_words(self, k: int = 10) -> dict[str, list[tuple[str, float]]]:
        """The ``k`` words with the most positive and the most negative weights."""
        if self.weights is None:
            raise RuntimeError("call fit() first")
        vocab = self.vectorizer.get_vocabulary()
        order = np.argsort(self.weights)
        return {"positive": [(vocab[i], float(self.weights[i])) for i in order[::-1][:k]],
                "negative": [(vocab[i], float(self.weights[i])) for i in order[:k]]}


def build_text_classifier(
    vocab_size: int, embed_dim: int = 32, units: int = 32, cell: str = "lstm", bidirectional: bool = False,
    learning_rate: float = 2e-3,
) -> Any:
    """Keras model: token ids (batch, T) -> P(positive) (batch, 1), compiled with
    Adam(learning_rate), binary cross-entropy and accuracy, ready for ``fit``.

    Embedding(mask_zero=True) so that padding is skipped, one recurrent layer of kind ``cell``
    ("lstm", "gru" or "simple"; optionally Bidirectional: one pass left-to-right and one
    right-to-left, final states concatenated), then Dense(1, sigmoid).
    """
    import keras

    for name, value in (("vocab_size", vocab_size), ("embed_dim", embed_dim), ("units", units)):
        positive_int(name, value)
    finite_number("learning_rate", learning_rate, low=0, low_open=True)
    cell = check_cell(cell)
    ids = keras.Input(shape=(None,), dtype="int32", name="token_ids")
    x = keras.layers.Embedding(vocab_size, embed_dim, mask_zero=True, name="embedding")(ids)
    rnn = recurrent_layer(cell, units)
    x = (keras.layers.Bidirectional(rnn) if bidirectional else rnn)(x)
    out = keras.layers.Dense(1, activation="sigmoid")(x)
    name = f"{'bi' if bidirectional else ''}{cell}_classifier"
    model = keras.Model(ids, out, name=name)
    model.compile(optimizer=keras.optimizers.Adam(learning_rate), loss="binary_crossentropy", metrics=["accuracy"])
    return model


def position_influence(model: Any, ids: Any) -> np.ndarray:
    """How much each input position sways a classifier from :func:`build_text_classifier`:
    the norm of the gradient of its output logit with respect to each token's embedding.

    ids: (batch, T) token ids, 0 = padding. Returns (batch, T) float32, 0 at padding: entry
    ``[i, t]`` is ``||d logit_i / d e_{i,t}||``, how fast review i's score moves when the
    embedding of its token t moves."""
    import keras
    import tensorflow as tf

    ids = np.asarray(ids)
    if ids.ndim != 2 or ids.size == 0 or not np.issubdtype(ids.dtype, np.integer):
        raise ValueError(f"ids must be a non-empty (batch, T) array of token ids, got shape {ids.shape} and dtype "
                         f"{ids.dtype}; vectorise the texts first, e.g. vectorizer(texts)")
    try:
        embedding = model.get_layer("embedding")
    except ValueError:
        raise ValueError("model has no layer named 'embedding'; build it with build_text_classifier") from None
    recurrent, readout = model.layers[-2], model.layers[-1]
    if not isinstance(readout, keras.layers.Dense):
        raise ValueError("the model must end in Dense(1, sigmoid) after its recurrent layer; build it with "
                         "build_text_classifier")
    ids_t = tf.constant(ids, dtype="int32")
    mask = ids_t != 0                                   # (batch, T)
    emb = embedding(ids_t)                              # (batch, T, E)
    with tf.GradientTape() as tape:
        tape.watch(emb)
        state = recurrent(emb, mask=mask)              # (batch, units): the state after the last real token
        z = tf.matmul(state, readout.kernel) + readout.bias   # (batch, 1): the logit, before the sigmoid
    grads = tape.gradient(z, emb)                       # (batch, T, E); each review's logit depends on its own row only
    norms = tf.norm(grads, axis=-1) * tf.cast(mask, grads.dtype)
    return np.asarray(norms, dtype="float32")


def score_texts(model: Any, vectorizer: Any, texts: Sequence[str]) -> np.ndarray:
    """P(positive) for each text, shape (n,): vectorise with the training vectorizer, then predict."""
    texts = _check_texts(texts)
    ids = vectorizer(texts)
    return np.asarray(model.predict(ids, verbose=0)).reshape(-1)


def most_confident_errors(texts: Sequence[str], labels: Any, probabilities: Any, k: int = 5) -> Any:
    """The ``k`` misclassified examples the model was surest about, as a DataFrame with
    columns text, label, p_positive, confidence (probability given to the wrong class)."""
    import pandas as pd

    texts = _check_texts(texts)
    y = _check_labels(labels, len(texts)).astype(int)
    p = finite_array("probabilities", probabilities, "float64").reshape(-1)
    if p.shape != (len(texts),):
        raise ValueError(f"probabilities must have shape ({len(texts)},), got {p.shape}")
    in_unit_interval("probabilities", p, "pass P(positive), e.g. a sigmoid output, not logits")
    positive_int("k", k)
    wrong = np.flatnonzero((p >= 0.5) != (y == 1))
    confidence = np.where(y[wrong] == 1, 1 - p[wrong], p[wrong])
    order = wrong[np.argsort(-confidence, kind="stable")][:k]
    return pd.DataFrame({
        "text": [texts[i] for i in order],
        "label": y[order],
        "p_positive": p[order].round(3),
        "confidence": np.where(y[order] == 1, 1 - p[order], p[order]).round(3),
    })
