"""A recurrent sequence tagger (one label per token) in Keras: vocabularies, length-bucketed
batches, the model, and prediction back to tag strings. Chapter 07 uses it for POS tagging.

Each token is read through three small embeddings, concatenated:

* the lowercased **word** (id 0 = padding, masked; id 1 = a word rare or unseen in training);
* its last three letters, the **suffix** (``-ing``, ``-ed``, ``-ly`` carry much of the tag);
* its **shape**: lowercase, Capitalised, ALL CAPS, has a digit, punctuation, other.

>>> vocab = TaggerVocab.from_corpus(train_tokens, train_tags)
>>> model = build_tagger(vocab, units=64, bidirectional=True)
>>> model.fit(tagging_dataset(vocab, train_tokens, train_tags), epochs=3)
>>> predict_tags(model, vocab, [["Bob", "got", "a", "toy"]])
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from ..cell_kinds import check_cell, recurrent_layer
from ..training import without_autotune
from ..validate import positive_int, string_lists

__all__ = ["SHAPES", "TaggerVocab", "build_tagger", "predict_tags", "tag_probabilities", "tagging_dataset", "word_shape"]

SHAPES = ("<pad>", "lower", "Capitalised", "UPPER", "digit", "punct", "other")
PAD, UNK = 0, 1


def word_shape(word: str) -> int:
    """The id in :data:`SHAPES` of a token's shape (never 0, which is padding)."""
    if not isinstance(word, str) or not word:
        raise ValueError(f"a token must be a non-empty string, got {word!r}")
    if any(c.isdigit() for c in word):
        return SHAPES.index("digit")
    if not any(c.isalnum() for c in word):
        return SHAPES.index("punct")
    if word.islower():
        return SHAPES.index("lower")
    if word.isupper():
        return SHAPES.index("UPPER")
    if word[0].isupper():
        return SHAPES.index("Capitalised")
    return SHAPES.index("other")


def _check_corpus(sentences: Sequence[Sequence[str]], tags: Sequence[Sequence[str]] | None = None) -> None:
    if isinstance(sentences, str) or not isinstance(sentences, (list, tuple)) or not sentences:
        raise ValueError("sentences must be a non-empty list of token lists, e.g. [['The', 'cat'], ['Hi', '!']]")
    for i, s in enumerate(sentences):
        if isinstance(s, str) or not isinstance(s, (list, tuple)) or not s:
            raise ValueError(f"sentence {i} must be a non-empty list of tokens (split the string first), got {s!r:.60}")
        bad = next((t for t in s if not isinstance(t, str) or not t), None)
        if bad is not None:
            raise ValueError(f"sentence {i} holds {bad!r}; every token must be a non-empty string")
    if tags is not None:
        if len(tags) != len(sentences):
            raise ValueError(f"{len(sentences)} sentences but {len(tags)} tag lists; pass one tag list per sentence")
        for i, (s, t) in enumerate(zip(sentences, tags)):
            if len(s) != len(t):
                raise ValueError(f"sentence {i} has {len(s)} tokens but {len(t)} tags")


@dataclass(frozen=True)
class TaggerVocab:
    """Id maps for words, suffixes and tags, built from the training split only.
    Ids 0 (padding) and 1 (unknown) are reserved in ``words`` and ``suffixes``; tag ids start at 0."""

    words: tuple[str, ...]
    suffixes: tuple[str, ...]
    tags: tuple[str, ...]

    @classmethod
    def from_corpus(cls, sentences: Sequence[Sequence[str]], tags: Sequence[Sequence[str]],
                    min_count: int = 2) -> TaggerVocab:
        """Keep lowercased words and suffixes seen at least ``min_count`` times (rarer ones
        become unknown, so the model learns what to do with words it has never seen)."""
        _check_corpus(sentences, tags)
        positive_int("min_count", min_count)
        words = Counter(w.lower() for s in sentences for w in s)
        sufs = Counter(w.lower()[-3:] for s in sentences for w in s)
        tagset = sorted({t for ts in tags for t in ts})
        keep = lambda c: tuple(sorted(k for k, n in c.items() if n >= min_count))  # noqa: E731
        return cls(("<pad>", "<unk>", *keep(words)), ("<pad>", "<unk>", *keep(sufs)), tuple(tagset))

    def encode(self, sentences: Sequence[Sequence[str]], max_len: int | None = None) -> dict[str, np.ndarray]:
        """Token lists -> ``{"words", "suffixes", "shapes"}``, each (n, T) int32, zero-padded to
        T = ``max_len`` or the longest sentence (longer sentences are cut)."""
        _check_corpus(sentences)
        positive_int("max_len", max_len, "the padded length T", allow_none=True)
        T = max_len or max(len(s) for s in sentences)
        w_ix = {w: i for i, w in enumerate(self.words)}
        s_ix = {s: i for i, s in enumerate(self.suffixes)}
        out = {k: np.zeros((len(sentences), T), dtype="int32") for k in ("words", "suffixes", "shapes")}
        for i, sent in enumerate(sentences):
            for j, tok in enumerate(sent[:T]):
                low = tok.lower()
                out["words"][i, j] = w_ix.get(low, UNK)
                out["suffixes"][i, j] = s_ix.get(low[-3:], UNK)
                out["shapes"][i, j] = word_shape(tok)
        return out

    def encode_tags(self, tags: Sequence[Sequence[str]], max_len: int | None = None) -> np.ndarray:
        """Tag lists -> (n, T) int32 tag ids, padded with 0 (padding is excluded by the sample weights)."""
        string_lists("tags", tags, "tags", "pass one list of tags per sentence, e.g. [['DT', 'NN']]")
        if not tags:
            raise ValueError("tags is empty; pass one tag list per sentence")
        positive_int("max_len", max_len, "the padded length T", allow_none=True)
        T = max_len or max(len(t) for t in tags)
        t_ix = {t: i for i, t in enumerate(self.tags)}
        out = np.zeros((len(tags), T), dtype="int32")
        for i, ts in enumerate(tags):
            for j, t in enumerate(ts[:T]):
                if t not in t_ix:
                    raise ValueError(f"tag {t!r} was not seen in training; known tags: {', '.join(self.tags)}")
                out[i, j] = t_ix[t]
        return out


def tagging_dataset(vocab: TaggerVocab, sentences: Sequence[Sequence[str]], tags: Sequence[Sequence[str]],
                    batch_size: int = 64, seed: int = 0) -> Any:
    """A ``tf.data.Dataset`` of ``(inputs, tag ids, weights)`` batches. Sentences are sorted by
    length and cut into batches, each padded only to its own longest sentence (far less wasted
    work than padding everything to the corpus maximum); the batch order is shuffled with
    ``seed``. ``weights`` (batch, T) is 1 on real tokens, 0 on padding, so padding adds no loss."""
    import tensorflow as tf

    _check_corpus(sentences, tags)
    positive_int("batch_size", batch_size)
    order = sorted(range(len(sentences)), key=lambda i: (len(sentences[i]), i))
    batches = []
    for k in range(0, len(order), batch_size):
        idx = order[k:k + batch_size]
        x = vocab.encode([sentences[i] for i in idx])
        y = vocab.encode_tags([tags[i] for i in idx], max_len=x["words"].shape[1])
        batches.append((x, y, (x["words"] != PAD).astype("float32")))
    rng = np.random.default_rng(seed)

    def gen() -> Any:
        for b in rng.permutation(len(batches)):
            yield batches[b]

    spec = tf.TensorSpec((None, None), tf.int32)
    ds = tf.data.Dataset.from_generator(gen, output_signature=(
        {"words": spec, "suffixes": spec, "shapes": spec}, spec, tf.TensorSpec((None, None), tf.float32)))
    ds = ds.apply(tf.data.experimental.assert_cardinality(len(batches)))  # Keras then knows the epoch's length
    return without_autotune(ds)


def build_tagger(vocab: TaggerVocab, units: int = 64, bidirectional: bool = True, layers: int = 1,
                 cell: str = "lstm", word_dim: int = 64, suffix_dim: int = 16, shape_dim: int = 4,
                 dropout: float = 0.0, recurrent_dropout: float = 0.0, learning_rate: float = 3e-3) -> Any:
    """Embeddings (word, suffix, shape) -> ``layers`` stacked recurrent layers of kind ``cell``
    ("lstm", "gru" or "simple"; each wrapped in
    ``Bidirectional`` if asked) -> Dense(n_tags) logits per step, compiled with Adam and sparse
    cross-entropy. Every recurrent layer gets the mask ``words != 0``: padded steps are skipped
    (the state is carried over them; the backward direction starts at the last real token). Inputs: dict of (batch, T) int32 ids; output (batch, T, n_tags)."""
    import keras

    cell = check_cell(cell)
    for name, v in [("units", units), ("layers", layers)]:
        positive_int(name, v)
    for name, v in [("dropout", dropout), ("recurrent_dropout", recurrent_dropout)]:
        if not 0.0 <= v < 1.0:
            raise ValueError(f"{name} must be in [0, 1), got {v!r}")
    inputs = {k: keras.Input((None,), dtype="int32", name=k) for k in ("words", "suffixes", "shapes")}
    # The mask is passed explicitly. Relying on Embedding(mask_zero=True) through Concatenate (one masked and
    # two unmasked embeddings) let padding change Bidirectional's outputs in Keras 3.15; tests/test_seqtag.py checks.
    mask = keras.ops.not_equal(inputs["words"], PAD)
    h = keras.layers.Concatenate()([
        keras.layers.Embedding(len(vocab.words), word_dim, name="word_embedding")(inputs["words"]),
        keras.layers.Embedding(len(vocab.suffixes), suffix_dim, name="suffix_embedding")(inputs["suffixes"]),
        keras.layers.Embedding(len(SHAPES), shape_dim, name="shape_embedding")(inputs["shapes"]),
    ])
    for i in range(layers):
        layer = recurrent_layer(cell, units, return_sequences=True, dropout=dropout,
                                recurrent_dropout=recurrent_dropout, name=f"{cell}_{i + 1}")
        h = keras.layers.Bidirectional(layer, name=f"bi_{cell}_{i + 1}")(h, mask=mask) if bidirectional else layer(h, mask=mask)
    logits = keras.layers.Dense(len(vocab.tags), name="tag_logits")(h)
    model = keras.Model(inputs, logits, name=f"{'bi' if bidirectional else ''}{cell}_tagger")
    model.compile(optimizer=keras.optimizers.Adam(learning_rate, clipnorm=1.0),
                  loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True), weighted_metrics=[])
    return model


def predict_tags(model: Any, vocab: TaggerVocab, sentences: Sequence[Sequence[str]],
                 batch_size: int = 256) -> list[list[str]]:
    """Tag token lists with a model from :func:`build_tagger`: one tag list per sentence,
    the same length as the sentence (padding stripped)."""
    _check_corpus(sentences)
    positive_int("batch_size", batch_size)
    order = sorted(range(len(sentences)), key=lambda i: len(sentences[i]))
    out: list[list[str]] = [[] for _ in sentences]
    for k in range(0, len(order), batch_size):
        idx = order[k:k + batch_size]
        x = vocab.encode([sentences[i] for i in idx])
        ids = np.asarray(model(x, training=False)).argmax(-1)
        for row, i in enumerate(idx):
            out[i] = [vocab.tags[t] for t in ids[row, :len(sentences[i])]]
    return out


def tag_probabilities(model: Any, vocab: TaggerVocab, tokens: Sequence[str]) -> Any:
    """The softmax over tags at every token of one sentence, as a DataFrame: one row per token
    (index: the tokens), one column per tag of ``vocab.tags``; each row sums to 1. The tag that
    :func:`predict_tags` gives a token is its row's largest entry."""
    import pandas as pd

    _check_corpus([tokens])
    logits = np.asarray(model(vocab.encode([list(tokens)]), training=False), dtype="float64")[0]  # (T, n_tags)
    probs = np.exp(logits - logits.max(-1, keepdims=True))
    probs /= probs.sum(-1, keepdims=True)
    return pd.DataFrame(probs, index=pd.Index(list(tokens), name="token"), columns=list(vocab.tags))
