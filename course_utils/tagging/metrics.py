"""Metrics for sequence tagging (one label per token): per-tag precision, recall
and F1, token accuracy, and the most-frequent-tag baseline.

Labels are compared token by token, ignoring padding. Entity-level (span) scoring,
as in the CoNLL evaluation, is stricter and lives in :mod:`~course_utils.tagging.entities`;
per-tag token scores are what a POS tagger is usually reported with.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Sequence
from typing import TYPE_CHECKING

import numpy as np

from ..validate import string_lists

if TYPE_CHECKING:
    import pandas as pd


def _flatten(gold: Sequence[Sequence[str]], pred: Sequence[Sequence[str]]) -> tuple[list[str], list[str]]:
    string_lists("gold", gold, "tags", "pass one list of tags per sentence, e.g. [['NNP', 'VBD'], ['DT']]")
    string_lists("pred", pred, "tags", "pass one list of tags per sentence, e.g. [['NNP', 'VBD'], ['DT']]")
    if len(gold) != len(pred):
        raise ValueError(f"gold has {len(gold)} sentences but pred has {len(pred)}; pass one tag list per sentence for both")
    g_all, p_all = [], []
    for i, (g, p) in enumerate(zip(gold, pred)):
        if len(g) != len(p):
            raise ValueError(f"sentence {i}: {len(g)} gold tags but {len(p)} predicted; strip padding before scoring")
        g_all.extend(g)
        p_all.extend(p)
    if not g_all:
        raise ValueError("no tokens to score: gold and pred are empty")
    return g_all, p_all


def per_tag_scores(gold: Sequence[Sequence[str]], pred: Sequence[Sequence[str]]) -> pd.DataFrame:
    """Per-tag precision, recall, F1 and support (gold count), token level: a DataFrame
    with one row per tag (index ``tag``, sorted) and columns precision, recall, f1, support.

    gold, pred: one list of tags per sentence, e.g. ``[["NNP", "VBD"], ["DT"]]``.
    Tags that are never predicted get precision 0; tags with no gold tokens get recall 0.
    """
    import pandas as pd

    g_all, p_all = _flatten(gold, pred)
    tp: Counter[str] = Counter()
    n_pred: Counter[str] = Counter(p_all)
    n_gold: Counter[str] = Counter(g_all)
    for g, p in zip(g_all, p_all):
        if g == p:
            tp[g] += 1
    rows = []
    for tag in sorted(set(n_gold) | set(n_pred)):
        precision = tp[tag] / n_pred[tag] if n_pred[tag] else 0.0
        recall = tp[tag] / n_gold[tag] if n_gold[tag] else 0.0
        f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
        rows.append({"tag": tag, "precision": precision, "recall": recall, "f1": f1, "support": n_gold[tag]})
    return pd.DataFrame(rows).set_index("tag")


def token_accuracy(gold: Sequence[Sequence[str]], pred: Sequence[Sequence[str]]) -> float:
    """Share of tokens whose predicted tag equals the gold tag."""
    g_all, p_all = _flatten(gold, pred)
    return float(np.mean([g == p for g, p in zip(g_all, p_all)]))


def macro_f1(scores: pd.DataFrame) -> float:
    """Unweighted mean F1 over the tags that occur in the gold data (``support > 0``).
    ``scores``: the DataFrame that :func:`per_tag_scores` returns."""
    import pandas as pd

    if not isinstance(scores, pd.DataFrame) or not {"f1", "support"} <= set(scores.columns):
        raise TypeError("macro_f1() takes the DataFrame that per_tag_scores() returns (columns f1 and support), "
                        f"got {type(scores).__name__}")
    f1 = scores["f1"].astype(float)
    bad = scores.index[~f1.between(0.0, 1.0)]  # NaN fails too
    if len(bad):
        raise ValueError(f"the F1 of tag {bad[0]!r} is {scores.loc[bad[0], 'f1']!r}, not a number in [0, 1]; "
                         "pass the scores that per_tag_scores() returns")
    f1s = f1[scores["support"] > 0]
    if f1s.empty:
        raise ValueError("no tag has gold support; score a non-empty gold set")
    return float(f1s.mean())


class MostFrequentTagBaseline:
    """Tag each word with the tag it had most often in training; unknown words get
    the most frequent tag overall. The classic baseline a tagger must beat."""

    def __init__(self) -> None:
        self.by_word: dict[str, str] = {}
        self.default: str | None = None

    def fit(self, sentences: Sequence[Sequence[str]], tags: Sequence[Sequence[str]]) -> "MostFrequentTagBaseline":
        """sentences: lists of tokens; tags: the matching lists of tags."""
        string_lists("sentences", sentences, "tokens")
        string_lists("tags", tags, "tags")
        counts: dict[str, Counter[str]] = defaultdict(Counter)
        overall: Counter[str] = Counter()
        for words, labels in zip(sentences, tags, strict=True):
            if len(words) != len(labels):
                raise ValueError(f"a sentence has {len(words)} tokens but {len(labels)} tags")
            for w, t in zip(words, labels):
                counts[w.lower()][t] += 1
                overall[t] += 1
        if not overall:
            raise ValueError("fit() got no tagged tokens")
        self.by_word = {w: c.most_common(1)[0][0] for w, c in counts.items()}
        self.default = overall.most_common(1)[0][0]
        return self

    def predict(self, sentences: Sequence[Sequence[str]]) -> list[list[str]]:
        """One tag list per sentence."""
        if self.default is None:
            raise RuntimeError("call fit() before predict()")
        string_lists("sentences", sentences, "tokens")
        return [[self.by_word.get(w.lower(), self.default) for w in words] for words in sentences]
