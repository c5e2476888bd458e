"""Entity spans from BIO tags and entity-level scores, checked by hand and against seqeval
(the library the CoNLL-style scores of most NER code come from)."""

from __future__ import annotations

import warnings

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from seqeval.metrics import f1_score, precision_score, recall_score
from seqeval.metrics.sequence_labeling import get_entities

from course_utils.tagging.entities import bio_spans, entity_f1, entity_scores

FAST = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
TAG = st.sampled_from(["O", "O", "B-PER", "I-PER", "B-LOC", "I-LOC"])
SENTENCE = st.lists(TAG, min_size=1, max_size=12)


def test_spans_by_hand() -> None:
    assert bio_spans(["B-PER", "O", "O", "O", "B-PER", "O", "B-LOC", "I-LOC"]) == [
        ("PER", 0, 1), ("PER", 4, 5), ("LOC", 6, 8)]
    assert bio_spans(["B-PER", "B-PER", "I-PER"]) == [("PER", 0, 1), ("PER", 1, 3)]  # B always opens a new one
    assert bio_spans(["O", "I-ORG", "I-ORG", "I-LOC"]) == [("ORG", 1, 3), ("LOC", 3, 4)]  # CoNLL reading of stray I-
    assert bio_spans(["O", "O"]) == [] and bio_spans([]) == []


def test_bad_tags_name_the_fix() -> None:
    with pytest.raises(ValueError, match="'S-PER' at position 1 is not a BIO tag.*IOBES"):
        bio_spans(["O", "S-PER"])
    with pytest.raises(ValueError, match="not a BIO tag"):
        bio_spans(["B-"])
    with pytest.raises(TypeError, match="one sentence's list of tags"):
        bio_spans("B-PER O")
    with pytest.raises(ValueError, match="sentence 0: 2 gold tags but 1 predicted"):
        entity_scores([["B-PER", "O"]], [["B-PER"]])
    with pytest.raises(ValueError, match="gold has 1 sentences but pred has 2"):
        entity_scores([["O"]], [["O"], ["O"]])


def test_scores_by_hand() -> None:
    gold = [["B-PER", "O", "B-LOC", "I-LOC"], ["B-ORG", "O"]]
    pred = [["B-PER", "O", "B-LOC", "O"], ["B-ORG", "B-PER"]]  # LOC cut short, one PER too many
    s = entity_scores(gold, pred)
    assert list(s.index) == ["LOC", "ORG", "PER", "all"]
    assert list(s.columns) == ["precision", "recall", "f1", "support", "predicted"]
    assert s.loc["LOC"].to_dict() == {"precision": 0.0, "recall": 0.0, "f1": 0.0, "support": 1, "predicted": 1}
    assert s.loc["PER", "precision"] == 0.5 and s.loc["PER", "recall"] == 1.0
    assert s.loc["all", "precision"] == 0.5 and s.loc["all", "recall"] == pytest.approx(2 / 3)
    assert entity_f1(gold, pred) == pytest.approx(2 * 0.5 * (2 / 3) / (0.5 + 2 / 3))


@FAST
@given(SENTENCE)
def test_spans_agree_with_seqeval(tags: list[str]) -> None:
    # seqeval's end is inclusive; ours is exclusive, as in Python slices
    assert bio_spans(tags) == [(kind, start, end + 1) for kind, start, end in get_entities(tags)]


@FAST
@given(st.lists(st.tuples(SENTENCE, st.data()), min_size=1, max_size=6))
def test_scores_agree_with_seqeval(rows: list) -> None:
    gold = [g for g, _ in rows]
    pred = [data.draw(st.lists(TAG, min_size=len(g), max_size=len(g))) for g, data in rows]
    s = entity_scores(gold, pred)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # seqeval warns when one side has no entity (the score is then 0)
        expected = (precision_score(gold, pred), recall_score(gold, pred), f1_score(gold, pred))
    assert (s.loc["all", "precision"], s.loc["all", "recall"], s.loc["all", "f1"]) == pytest.approx(expected)
    assert s.loc["all", "support"] == sum(s.drop(index="all")["support"])
    assert entity_f1(gold, gold) == (1.0 if s.loc["all", "support"] else 0.0)
