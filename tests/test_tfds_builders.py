"""Every corpus builds as a TensorFlow Datasets dataset with the network cut."""

from __future__ import annotations

from pathlib import Path

import pytest

from course_utils import data


@pytest.mark.parametrize("corpus", ["en_de", "numbers_en_de"])
def test_tfds_load_builds_offline_with_the_loader_splits(corpus: str, tmp_path: Path, no_network: None) -> None:
    import course_utils.data.tfds_builders  # noqa: F401  registers the builders
    import tensorflow_datasets as tfds

    expected = data.load_pairs(corpus)
    for split in data.SPLITS:
        ds = tfds.load(f"recurrent_{corpus}", split=split, data_dir=str(tmp_path))
        got = {(ex["en"].decode(), ex["de"].decode()) for ex in tfds.as_numpy(ds)}
        assert got == set(expected[split])


def test_every_corpus_has_a_builder() -> None:
    from course_utils.data.tfds_builders import BUILDERS

    assert set(BUILDERS) == set(data.CORPORA)
