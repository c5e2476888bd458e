"""Named entities from BIO tags, and entity-level scoring as in the CoNLL shared tasks.

A named-entity tagger labels each token ``B-TYPE`` (begins an entity), ``I-TYPE``
(inside one, continuing the entity on its left) or ``O`` (outside every entity):

    tokens  Bob    got  a  toy  Yoda   from  New    York
    tags    B-PER  O    O  O    B-PER  O     B-LOC  I-LOC

An entity is a *span* ``(type, start, end)`` (``end`` exclusive). Scoring counts whole
spans: a predicted entity is right only if its type and both boundaries equal a gold
one, so "New" alone as ``LOC`` is a false positive *and* "New York" a false negative.

Ill-formed sequences are read as the CoNLL scorer (``conlleval``) and seqeval's default
mode read them: an ``I-X`` that does not continue an ``X`` (after ``O``, at the start,
or after another type) starts a new entity.

>>> bio_spans(["B-PER", "O", "B-LOC", "I-LOC"])
[('PER', 0, 1), ('LOC', 2, 4)]
>>> entity_f1([["B-PER", "O"]], [["B-PER", "O"]])
1.0
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from typing import TYPE_CHECKING

from ..validate import string_lists

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["Span", "bio_spans", "entity_f1", "entity_scores"]

Span = tuple[str, int, int]  # (entity type, first token, one past the last token)


def _split_tag(tag: str, position: int) -> tuple[str, str]:
    """``"B-PER"`` -> ``("B", "PER")``, ``"O"`` -> ``("O", "")``; anything else raises."""
    if tag == "O":
        return "O", ""
    prefix, sep, kind = tag.partition("-")
    if not sep or prefix not in ("B", "I") or not kind:
        raise ValueError(f"tag {tag!r} at position {position} is not a BIO tag: use 'O', 'B-TYPE' or 'I-TYPE' "
                         "(e.g. 'B-PER'); convert other schemes (IOBES, BILOU) to BIO first")
    return prefix, kind


def bio_spans(tags: Sequence[str]) -> list[Span]:
    """The entities in one sentence's BIO tags, as ``(type, start, end)`` spans in order.

    tags: length T, each ``"O"``, ``"B-TYPE"`` or ``"I-TYPE"``. An ``I-X`` that does not
    continue an entity of type X starts one (the CoNLL convention)."""
    if isinstance(tags, str) or not isinstance(tags, Sequence):
        raise TypeError(f"bio_spans() takes one sentence's list of tags, e.g. ['B-PER', 'O'], got {type(tags).__name__}")
    spans: list[Span] = []
    start, current = 0, ""  # the open entity's first token and type ("" = none open)
    for i, tag in enumerate(tags):
        if not isinstance(tag, str):
            raise TypeError(f"tag at position {i} is {tag!r}; every tag must be a string such as 'B-PER' or 'O'")
        prefix, kind = _split_tag(tag, i)
        continues = prefix == "I" and kind == current
        if current and not continues:  # the open entity ends before token i
            spans.append((current, start, i))
            current = ""
        if prefix != "O" and not continues:  # B-X, or an I-X that continues nothing, opens one
            start, current = i, kind
    if current:
        spans.append((current, start, len(tags)))
    return spans


def _spans_by_sentence(name: str, tag_lists: Sequence[Sequence[str]]) -> list[set[Span]]:
    string_lists(name, tag_lists, "tags", "pass one list of BIO tags per sentence, e.g. [['B-PER', 'O'], ['O']]")
    return [set(bio_spans(tags)) for tags in tag_lists]


def entity_scores(gold: Sequence[Sequence[str]], pred: Sequence[Sequence[str]]) -> pd.DataFrame:
    """Entity-level precision, recall and F1 per entity type, and over all types (micro average).

    gold, pred: one list of BIO tags per sentence, same lengths. A predicted entity counts
    only if its type, start and end all match a gold entity. Returns a DataFrame indexed by
    ``type`` (sorted, then the row ``"all"``) with columns precision, recall, f1, support
    (gold entities) and predicted (predicted entities). A type never predicted gets precision
    0; the ``"all"`` row's F1 is :func:`entity_f1`."""
    import pandas as pd

    if len(gold) != len(pred):
        raise ValueError(f"gold has {len(gold)} sentences but pred has {len(pred)}; pass one tag list per sentence for both")
    gold_spans, pred_spans = _spans_by_sentence("gold", gold), _spans_by_sentence("pred", pred)
    for i, (g, p) in enumerate(zip(gold, pred)):
        if len(g) != len(p):
            raise ValueError(f"sentence {i}: {len(g)} gold tags but {len(p)} predicted; strip padding before scoring")
    n_gold: Counter[str] = Counter(kind for spans in gold_spans for kind, _, _ in spans)
    n_pred: Counter[str] = Counter(kind for spans in pred_spans for kind, _, _ in spans)
    n_right: Counter[str] = Counter(kind for g, p in zip(gold_spans, pred_spans) for kind, _, _ in g & p)

    def row(name: str, right: int, n_g: int, n_p: int) -> dict[str, object]:
        precision = right / n_p if n_p else 0.0
        recall = right / n_g if n_g else 0.0
        f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
        return {"type": name, "precision": precision, "recall": recall, "f1": f1, "support": n_g, "predicted": n_p}

    rows = [row(kind, n_right[kind], n_gold[kind], n_pred[kind]) for kind in sorted(set(n_gold) | set(n_pred))]
    rows.append(row("all", sum(n_right.values()), sum(n_gold.values()), sum(n_pred.values())))
    return pd.DataFrame(rows).set_index("type")


def entity_f1(gold: Sequence[Sequence[str]], pred: Sequence[Sequence[str]]) -> float:
    """Micro-averaged entity-level F1 over all types: the CoNLL shared task's headline figure.
    0.0 when neither side has an entity."""
    return float(entity_scores(gold, pred).loc["all", "f1"])
