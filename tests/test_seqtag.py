"""course_utils.tagging.tagger: vocabularies, batches, the tagger model and its masks."""

from __future__ import annotations

import numpy as np
import pytest

from course_utils.tagging.tagger import (SHAPES, TaggerVocab, build_tagger, predict_tags, tag_probabilities,
                                         tagging_dataset, word_shape)

SENTS = [["The", "cat", "sat", "."], ["A", "dog", "ran", "home", "."], ["Bob", "sat", "."], ["The", "dog", "."]]
TAGS = [["DT", "NN", "VBD", "."], ["DT", "NN", "VBD", "NN", "."], ["NNP", "VBD", "."], ["DT", "NN", "."]]


def test_word_shapes() -> None:
    assert [SHAPES[word_shape(w)] for w in ["dog", "Bob", "NASA", "1990", ",", "iPhone"]] == [
        "lower", "Capitalised", "UPPER", "digit", "punct", "other"]
    with pytest.raises(ValueError, match="non-empty string"):
        word_shape("")


def test_vocab_encodes_with_padding_and_unknowns() -> None:
    vocab = TaggerVocab.from_corpus(SENTS, TAGS, min_count=2)
    assert vocab.words[:2] == ("<pad>", "<unk>") and "cat" not in vocab.words and "the" in vocab.words
    x = vocab.encode([["The", "zebra"], ["."]])
    assert x["words"].shape == (2, 2) and x["words"].dtype == np.int32
    assert x["words"][0, 1] == 1 and x["words"][1, 1] == 0 and x["shapes"][1, 1] == 0
    y = vocab.encode_tags([["DT", "NN"], ["."]])
    assert y.shape == (2, 2) and vocab.tags[y[0, 1]] == "NN"
    with pytest.raises(ValueError, match="not seen in training"):
        vocab.encode_tags([["XYZ"]])


def test_bad_corpora_are_explained() -> None:
    with pytest.raises(ValueError, match="split the string first"):
        TaggerVocab.from_corpus(["The cat"], [["DT", "NN"]])  # type: ignore[list-item]
    with pytest.raises(ValueError, match="2 tokens but 1 tags"):
        TaggerVocab.from_corpus([["The", "cat"]], [["DT"]])
    with pytest.raises(ValueError, match="min_count"):
        TaggerVocab.from_corpus(SENTS, TAGS, min_count=0)
    vocab = TaggerVocab.from_corpus(SENTS, TAGS)
    with pytest.raises(ValueError, match="cell must be"):
        build_tagger(vocab, cell="transformer")
    with pytest.raises(ValueError, match="dropout"):
        build_tagger(vocab, dropout=1.5)


def test_dataset_batches_are_bucketed_and_weighted() -> None:
    vocab = TaggerVocab.from_corpus(SENTS, TAGS, min_count=1)
    batches = list(tagging_dataset(vocab, SENTS, TAGS, batch_size=2, seed=0).as_numpy_iterator())
    assert sorted(b[0]["words"].shape[1] for b in batches) == [3, 5]  # each batch padded to its own maximum
    for x, y, w in batches:
        assert x["words"].shape == y.shape == w.shape
        assert np.array_equal(w, (x["words"] != 0).astype("float32"))


@pytest.mark.parametrize("bidirectional, layers", [(True, 1), (False, 2)])
def test_tagger_shapes_and_padding_does_not_change_tags(bidirectional: bool, layers: int) -> None:
    import keras

    keras.utils.set_random_seed(0)
    vocab = TaggerVocab.from_corpus(SENTS, TAGS, min_count=1)
    model = build_tagger(vocab, units=8, bidirectional=bidirectional, layers=layers, word_dim=8)
    x = vocab.encode(SENTS)
    out = np.asarray(model(x))
    assert out.shape == (4, 5, len(vocab.tags))
    short = np.asarray(model(vocab.encode(SENTS[2:3])))  # the same sentence with no padding
    assert np.allclose(out[2, :3], short[0], atol=1e-5)
    tags = predict_tags(model, vocab, SENTS)
    assert [len(t) for t in tags] == [len(s) for s in SENTS] and all(t in vocab.tags for ts in tags for t in ts)


def test_tag_probabilities_are_distributions_whose_argmax_is_the_predicted_tag() -> None:
    import keras

    keras.utils.set_random_seed(1)
    vocab = TaggerVocab.from_corpus(SENTS, TAGS, min_count=1)
    model = build_tagger(vocab, units=8, word_dim=8)
    for sentence in SENTS:
        probs = tag_probabilities(model, vocab, sentence)
        assert list(probs.index) == sentence and list(probs.columns) == list(vocab.tags)
        assert np.allclose(probs.sum(axis=1), 1.0) and (probs.to_numpy() >= 0).all()
        assert list(probs.idxmax(axis=1)) == predict_tags(model, vocab, [sentence])[0]
    with pytest.raises(ValueError, match="split the string first"):
        tag_probabilities(model, vocab, "Bob sat .")
