"""Pre-trained fallback weights: saved by training, loaded safely, tampering refused."""

from __future__ import annotations

import json
import time
from pathlib import Path

import numpy as np
import pytest

from course_kit import pretrained
from course_utils.references import store


def _model():
    import keras

    keras.utils.set_random_seed(0)
    model = keras.Sequential([keras.Input((4, 3)), keras.layers.GRU(5), keras.layers.Dense(1)])
    model.compile("adam", "mse")
    return model


@pytest.fixture()
def weights_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setattr(pretrained, "WEIGHTS_DIR", tmp_path)
    return tmp_path


def test_train_save_then_load_gives_identical_weights(weights_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    x, y = np.random.default_rng(0).random((32, 4, 3)), np.random.default_rng(1).random((32, 1))
    monkeypatch.setenv(pretrained.SAVE_ENV, "1")
    trained = _model()
    history = pretrained.fit_or_load(trained, x, 2, "tiny_gru", y=y, batch_size=8)
    assert len(history["loss"]) == 2 and pretrained.available("tiny_gru")

    monkeypatch.delenv(pretrained.SAVE_ENV)
    monkeypatch.setenv(pretrained.USE_ENV, "1")
    loaded = _model()
    assert pretrained.fit_or_load(loaded, x, 2, "tiny_gru", y=y, batch_size=8) == history
    for a, b in zip(trained.get_weights(), loaded.get_weights()):
        np.testing.assert_array_equal(a, b)


def test_a_fallback_sidecar_has_the_reference_models_style(weights_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Slow-machine weights and reference models share one store: the same record of the file
    (format, dtype, bytes, checksum, parameters) and the same JSON layout."""
    monkeypatch.setenv(pretrained.SAVE_ENV, "1")
    pretrained.fit_or_load(_model(), np.zeros((8, 4, 3)), 1, "styled", y=np.zeros((8, 1)))
    text = (weights_dir / "styled.json").read_text(encoding="utf-8")
    meta = json.loads(text)
    assert text == json.dumps(meta, indent=1, ensure_ascii=False) + "\n"
    assert list(meta)[:6] == ["name", "format", "store_dtype", "bytes", "sha256", "parameters"]
    assert meta["bytes"] == (weights_dir / "styled.weights.h5").stat().st_size
    assert meta["sha256"] == store.file_sha256(weights_dir / "styled.weights.h5")


def test_float16_storage_rounds_and_says_so(weights_dir: Path, monkeypatch: pytest.MonkeyPatch, capsys) -> None:
    x, y = np.random.default_rng(0).random((32, 4, 3)), np.random.default_rng(1).random((32, 1))
    monkeypatch.setenv(pretrained.SAVE_ENV, "1")
    trained = _model()
    pretrained.fit_or_load(trained, x, 1, "tiny16", store_dtype="float16", y=y, batch_size=8)
    assert json.loads((weights_dir / "tiny16.json").read_text())["store_dtype"] == "float16"
    monkeypatch.delenv(pretrained.SAVE_ENV)
    monkeypatch.setenv(pretrained.USE_ENV, "1")
    loaded = _model()
    pretrained.fit_or_load(loaded, x, 1, "tiny16", y=y)
    assert "stored in float16" in capsys.readouterr().out
    for a, b in zip(trained.get_weights(), loaded.get_weights()):
        assert b.dtype == np.float32
        np.testing.assert_array_equal(b, a.astype(np.float16).astype(np.float32))


def test_same_weights_give_the_same_bytes(tmp_path: Path) -> None:
    model = _model()
    first = store.save_weights(model, tmp_path / "a.weights.h5")
    time.sleep(1.1)  # HDF5 can store modification times in whole seconds: the bytes must not depend on them
    second = store.save_weights(model, tmp_path / "b.weights.h5")
    assert store.file_sha256(first) == store.file_sha256(second)


def test_a_different_model_is_refused_with_the_fix(tmp_path: Path) -> None:
    import keras

    path = store.save_weights(_model(), tmp_path / "gru.weights.h5")
    other = keras.Sequential([keras.Input((4, 3)), keras.layers.GRU(6), keras.layers.Dense(1)])
    with pytest.raises(ValueError, match="has shape .* rerun scripts/train_fallbacks.py"):
        store.load_weights(other, path, fix=pretrained.FIX)
    smaller = keras.Sequential([keras.Input((4, 3)), keras.layers.Dense(1)])
    with pytest.raises(ValueError, match="holds 5 arrays but the model has 2 weights"):
        store.load_weights(smaller, path)
    with pytest.raises(ValueError, match="store_dtype must be one of"):
        store.save_weights(_model(), tmp_path / "c.weights.h5", store_dtype="int8")
    with pytest.raises(ValueError, match="store_dtype must be one of"):
        pretrained.fallback_fit("tiny", store_dtype="int8")


def test_tampered_weights_are_refused(weights_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    x, y = np.zeros((8, 4, 3)), np.zeros((8, 1))
    monkeypatch.setenv(pretrained.SAVE_ENV, "1")
    pretrained.fit_or_load(_model(), x, 1, "tiny", y=y)
    meta = json.loads((weights_dir / "tiny.json").read_text())
    meta["sha256"] = "0" * 64
    (weights_dir / "tiny.json").write_text(json.dumps(meta))
    monkeypatch.delenv(pretrained.SAVE_ENV)
    monkeypatch.setenv(pretrained.USE_ENV, "1")
    with pytest.raises(ValueError, match="does not match the checksum"):
        pretrained.fit_or_load(_model(), x, 1, "tiny", y=y)


def test_without_the_variable_it_trains(weights_dir: Path, monkeypatch: pytest.MonkeyPatch, capsys) -> None:
    monkeypatch.delenv(pretrained.USE_ENV, raising=False)
    history = pretrained.fit_or_load(_model(), np.zeros((8, 4, 3)), 1, "absent", y=np.zeros((8, 1)))
    assert len(history["loss"]) == 1


def test_a_list_of_names_loads_those_and_trains_the_others(weights_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    x, y = np.random.default_rng(0).random((16, 4, 3)), np.random.default_rng(1).random((16, 1))
    monkeypatch.setenv(pretrained.SAVE_ENV, "1")
    for name in ("first", "second"):
        pretrained.fit_or_load(_model(), x, 1, name, y=y)
    monkeypatch.delenv(pretrained.SAVE_ENV)
    monkeypatch.setenv(pretrained.USE_ENV, " second, other ")
    assert [pretrained.wants_shipped(n) for n in ("first", "second", "other", "")] == [False, True, True, False]
    assert not pretrained.fit_or_load_timed(_model(), x, 1, "first", y=y).loaded
    assert pretrained.fit_or_load_timed(_model(), x, 1, "second", y=y).loaded
    monkeypatch.setenv(pretrained.USE_ENV, "1")
    assert pretrained.wants_shipped("first") and pretrained.fit_or_load_timed(_model(), x, 1, "first", y=y).loaded
    monkeypatch.setenv(pretrained.USE_ENV, "0")
    assert not pretrained.wants_shipped("first")
    monkeypatch.delenv(pretrained.USE_ENV)
    assert not pretrained.wants_shipped("first") and not pretrained.wants_shipped("")


def test_a_deep_dive_repeats_exactly_the_points_its_chapter_also_trains(tmp_path: Path) -> None:
    """make test loads these in the deep dive's nbval run, where the chapter's run trains them live
    (conftest.py): 07a repeats chapter 07's two taggers; its forward-only tagger is its own."""
    notebooks = pretrained.ROOT / "notebooks"
    chapter, dive = notebooks / "07_deep_and_bidirectional.ipynb", notebooks / "deep_dives" / "07a_inside_the_taggers.ipynb"
    assert pretrained.repeated_points(dive, chapter) == ["ch07_ner_bilstm", "ch07_pos_bilstm"]
    assert pretrained.repeated_points(notebooks / "deep_dives" / "06a_reference_models.ipynb",
                                      notebooks / "06_gru.ipynb") == []  # trains nothing of chapter 06's
    import nbformat

    no_fit = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell('print("ch07_pos_bilstm")')])
    nbformat.write(no_fit, tmp_path / "07b.ipynb")
    assert pretrained.repeated_points(tmp_path / "07b.ipynb", chapter) == []  # names it, has no fallback point


def test_no_name_always_trains_and_saves_nothing(weights_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(pretrained.USE_ENV, "1")
    monkeypatch.setenv(pretrained.SAVE_ENV, "1")
    outcome = pretrained.fit_or_load_timed(_model(), np.zeros((8, 4, 3)), 2, None, y=np.zeros((8, 1)))
    assert len(outcome.history["loss"]) == 2 and not outcome.loaded and outcome.seconds > 0
    assert list(weights_dir.iterdir()) == []


def test_bad_name_is_explained() -> None:
    with pytest.raises(ValueError, match="letters, digits and underscores"):
        pretrained.available("../etc/passwd")


def test_shipped_weights_match_their_checksums() -> None:
    for meta_path in sorted(pretrained.WEIGHTS_DIR.glob("*.json")):
        meta = json.loads(meta_path.read_text())
        weights = meta_path.with_name(f"{meta['name']}.weights.h5")
        assert store.file_sha256(weights) == meta["sha256"], f"{weights.name} was changed without rerunning the script"
        assert meta["format"] == pretrained.FORMAT and meta["store_dtype"] in pretrained.STORE_DTYPES
        assert weights.stat().st_size < 5 * 2**20, f"{weights.name} is over 5 MiB; store it as float16"


def test_every_stored_sidecar_is_in_the_one_store_style() -> None:
    """Slow-machine weights and reference models share one checksummed store and one sidecar style
    (course_utils.references.store.write_sidecar): indent 1, non-ASCII kept, a final newline."""
    import json

    from course_utils.paths import repo_root

    sidecars = sorted((repo_root() / "weights").rglob("*.json"))
    assert len(sidecars) > 40
    for path in sidecars:
        text = path.read_text(encoding="utf-8")
        meta = json.loads(text)
        assert text == json.dumps(meta, indent=1, ensure_ascii=False) + "\n", f"{path.name} is not in the store's style"
        assert meta["format"] == "recurrent-weights-1" and len(meta["sha256"]) == 64, path.name
