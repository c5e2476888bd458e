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

Inside: :mod:`~course_utils.data.registry` (the corpora and how each is split),
:mod:`~course_utils.data.preparation` (prepare, cache location, status),
:mod:`~course_utils.data.loaders` (one loader per corpus) and the private helpers
``_sources`` (where each source is read), ``_splits`` (hash splitting), ``_cache``
(checksummed files) and ``_series`` (the time series). Import from here:
``from course_utils.data import load_shakespeare``. ``python -m course_utils.data status``
and ``... prepare`` run :mod:`course_utils.data.__main__`.
"""

from __future__ import annotations

from ._series import SERIES, load_co2, load_seattle_weather, load_series, load_sunspots
from ._sources import CorpusSpec, SourceMissingError
from ._splits import SPLITS, normalise
from .loaders import (Reviews, Splits, load_names, load_ner, load_numbers, load_pairs, load_pos, load_reviews,
                      load_shakespeare, load_translation, pairs_to_dataset)
from .preparation import cache_root, corpus_status, expected_checksums, prepare
from .registry import CORPORA, TRANSLATION_SOURCES

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
