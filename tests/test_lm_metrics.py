"""Perplexity and the add-k character n-gram baseline."""

from __future__ import annotations

import math

import pytest

from course_utils.rnn.lm_metrics import CharNGram, bits_per_char, perplexity, select_ngram


def test_perplexity_is_exp_of_nats() -> None:
    assert perplexity(math.log(4)) == pytest.approx(4.0)
    assert perplexity(0.0) == 1.0
    assert bits_per_char(math.log(2)) == pytest.approx(1.0)
    for bad in (-0.1, float("nan"), "1.0", True):
        with pytest.raises(ValueError):
            perplexity(bad)


def test_ngram_probabilities_sum_to_one_and_match_add_k() -> None:
    model = CharNGram(n=2, k=0.5).fit("abab")
    V = model.vocab_size  # a, b, unknown
    assert V == 3
    total = sum(model.prob("a", c) for c in ["a", "b", CharNGram.UNK])
    assert total == pytest.approx(1.0)
    # after "a": "b" seen twice, context "a" seen twice
    assert model.prob("a", "b") == pytest.approx((2 + 0.5) / (2 + 0.5 * V))
    assert model.prob("zz", "a") == pytest.approx(1 / V)  # unseen context: uniform


def test_unigram_cross_entropy_and_uniform_perplexity() -> None:
    model = CharNGram(n=1, k=1e-9).fit("aabb")
    assert model.cross_entropy("ab") == pytest.approx(math.log(2), rel=1e-6)
    assert model.perplexity("abab") == pytest.approx(2.0, rel=1e-6)


def test_higher_order_helps_on_patterned_text_and_selection_picks_it() -> None:
    text = "the cat sat on the mat. " * 50
    best, rows = select_ngram(text, "the cat sat on the mat. " * 3, orders=(1, 2, 4), ks=(0.01, 1.0))
    assert len(rows) == 6 and best.n == 4 and best.k == 0.01
    assert best.perplexity("the mat. ") < CharNGram(1, 0.01).fit(text).perplexity("the mat. ")


def test_validation() -> None:
    with pytest.raises(ValueError, match="positive int"):
        CharNGram(n=0)
    with pytest.raises(ValueError, match="add-k"):
        CharNGram(k=0)
    with pytest.raises(ValueError, match="empty"):
        CharNGram().fit("")
    with pytest.raises(RuntimeError, match="fit the model first"):
        CharNGram().cross_entropy("abc")


def test_stored_counts_are_the_distinct_context_next_pairs() -> None:
    # "abab" as a bigram: (\x02, a), (a, b), (b, a), (a, b) -> 3 distinct pairs
    assert CharNGram(n=2, k=0.5).fit("abab").stored_counts == 3
    # a unigram keeps one count per distinct character
    assert CharNGram(n=1, k=0.5).fit("abcabc").stored_counts == 3
    # "aaaa" as a trigram: (\x02\x02, a), (\x02a, a), then (aa, a) twice -> 3 distinct pairs
    assert CharNGram(n=3, k=0.5).fit("aaaa").stored_counts == 3
