"""Tagging metrics and the most-frequent-tag baseline."""

from __future__ import annotations

import pytest

from course_utils.tagging.metrics import MostFrequentTagBaseline, macro_f1, per_tag_scores, token_accuracy

GOLD = [["PER", "O", "O", "O", "PER"], ["O", "LOC"]]
PRED = [["PER", "O", "O", "PER", "O"], ["O", "LOC"]]


def test_per_tag_scores_by_hand() -> None:
    s = per_tag_scores(GOLD, PRED)
    # PER: 1 true positive, 2 predicted, 2 gold
    assert list(s.index) == ["LOC", "O", "PER"] and list(s.columns) == ["precision", "recall", "f1", "support"]
    assert s.loc["PER"].to_dict() == {"precision": 0.5, "recall": 0.5, "f1": 0.5, "support": 2}
    # O: 3 true positives, 4 predicted, 4 gold
    assert s.loc["O", "precision"] == pytest.approx(0.75) and s.loc["O", "recall"] == pytest.approx(0.75)
    assert s.loc["LOC", "f1"] == 1.0
    assert token_accuracy(GOLD, PRED) == pytest.approx(5 / 7)
    assert macro_f1(s) == pytest.approx((0.5 + 0.75 + 1.0) / 3)


def test_never_predicted_tag_scores_zero_precision() -> None:
    s = per_tag_scores([["A", "B"]], [["A", "A"]])
    assert s.loc["B", "precision"] == 0.0 and s.loc["B", "recall"] == 0.0 and s.loc["B", "f1"] == 0.0
    assert s.loc["B", "support"] == 1 and macro_f1(s) == pytest.approx((2 / 3 + 0.0) / 2)


def test_macro_f1_names_what_it_takes() -> None:
    with pytest.raises(TypeError, match="DataFrame that per_tag_scores"):
        macro_f1({"A": {"f1": 1.0, "support": 1}})


def test_baseline_uses_the_majority_tag_per_word_and_overall() -> None:
    base = MostFrequentTagBaseline().fit([["the", "can", "can"], ["a", "can"]], [["DT", "MD", "NN"], ["DT", "NN"]])
    assert base.predict([["The", "can", "zebra"]]) == [["DT", "NN", "DT"]]


@pytest.mark.parametrize(
    "gold, pred, message",
    [
        ([["A"]], [], "gold has 1 sentences but pred has 0"),
        ([["A", "B"]], [["A"]], "strip padding"),
        ([[]], [[]], "no tokens"),
    ],
)
def test_bad_input_is_explained(gold, pred, message) -> None:
    with pytest.raises(ValueError, match=message):
        per_tag_scores(gold, pred)


def test_baseline_must_be_fitted() -> None:
    with pytest.raises(RuntimeError, match="fit"):
        MostFrequentTagBaseline().predict([["x"]])
