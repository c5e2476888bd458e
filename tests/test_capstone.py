"""The capstone's library (course_utils.capstone): its settings refuse what cannot train, its
text splits lose and share nothing, a learner's own file loads, and the results table compares
every row with the baseline. Plus the hints of its model check (course_utils.checks.ch15)."""

from __future__ import annotations

import dataclasses
import math
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from course_utils.capstone import (CAPSTONE_CORPORA, CapstoneConfig, CapstoneText, load_capstone_text, results_table,
                                   split_text)

FAST = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])

lines = st.lists(st.text(st.characters(blacklist_categories=("Cs",), blacklist_characters="\r\n"), max_size=12),
                 min_size=0, max_size=30).map("\n".join)
fractions = st.tuples(st.floats(0.05, 0.9), st.floats(0.05, 0.9)).filter(lambda f: f[0] + f[1] < 0.97) \
    .map(lambda f: (f[0], f[1], 1 - f[0] - f[1]))


# -- split_text ----------------------------------------------------------------------------------

@FAST
@given(text=lines, fractions=fractions)
def test_split_text_keeps_every_character_in_reading_order(text: str, fractions: tuple[float, float, float]) -> None:
    train, validation, test = split_text(text, fractions)
    assert train + validation + test == text


@FAST
@given(text=lines, fractions=fractions)
def test_split_text_cuts_only_at_line_starts(text: str, fractions: tuple[float, float, float]) -> None:
    train, validation, _ = split_text(text, fractions)
    for cut in (len(train), len(train) + len(validation)):
        in_last_line = "\n" not in text[cut:]  # no line start follows: the cut stays at the character
        assert cut in (0, len(text)) or text[cut - 1] == "\n" or in_last_line, f"a line is cut at {cut}"


@FAST
@given(text=st.text(st.characters(blacklist_categories=("Cs",), blacklist_characters="\r\n"), min_size=1, max_size=80),
       fractions=fractions)
def test_split_text_without_line_breaks_cuts_at_the_fractions(text: str, fractions: tuple[float, float, float]) -> None:
    train, validation, test = split_text(text, fractions)
    assert len(train) == round(len(text) * fractions[0])
    assert len(train) + len(validation) == max(len(train), round(len(text) * (fractions[0] + fractions[1])))


def test_split_text_moves_a_cut_to_the_next_line() -> None:
    text = "".join(f"line {i:02d}\n" for i in range(10))  # 10 lines of 8 characters
    train, validation, test = split_text(text)
    assert (train.count("\n"), validation.count("\n"), test.count("\n")) == (8, 1, 1)
    assert split_text("abcdefghij") == ("abcdefgh", "i", "j")


@pytest.mark.parametrize("bad", [(0.5, 0.5), (0.8, 0.1, 0.2), (1.0, 0.0, 0.0), (0.8, -0.1, 0.3), (math.nan, 0.5, 0.5)])
def test_split_text_refuses_fractions_that_are_not_three_shares(bad: tuple[float, ...]) -> None:
    with pytest.raises(ValueError, match="three positive numbers summing to 1"):
        split_text("a\nb\nc\n", bad)


def test_split_text_refuses_what_is_not_text() -> None:
    with pytest.raises(TypeError, match="must be a string"):
        split_text(["a", "b"])  # type: ignore[arg-type]


# -- CapstoneConfig ------------------------------------------------------------------------------

def test_the_default_config_is_valid_and_frozen() -> None:
    config = CapstoneConfig()
    assert config.text in CAPSTONE_CORPORA
    with pytest.raises(dataclasses.FrozenInstanceError):
        config.epochs = 3  # type: ignore[misc]


@pytest.mark.parametrize("change, message", [
    ({"units": 0}, "units must be a positive int"),
    ({"epochs": 2.5}, "epochs must be a positive int"),
    ({"d_model": 47}, "d_model must be even"),
    ({"learning_rate": 0.0}, "learning_rate must be a finite number > 0"),
    ({"learning_rate": 5.0}, "learning_rate must be a finite number > 0 and <= 1"),
    ({"seed": -1}, "seed must be an int >= 0"),
    ({"train_chars": 1_000}, "makes no full batch"),
    ({"eval_chars": 10}, "holds no window"),
    ({"text": " "}, "must name a corpus"),
])
def test_config_refuses_settings_that_cannot_train(change: dict, message: str) -> None:
    with pytest.raises((ValueError, TypeError), match=message):
        CapstoneConfig(**change)


# -- load_capstone_text --------------------------------------------------------------------------

def test_a_text_file_of_ones_own_loads_and_splits(tmp_path: Path) -> None:
    path = tmp_path / "notes.txt"
    path.write_bytes("".join(f"Zeile {i}: grüße\r\n" for i in range(100)).encode("utf-8"))
    text = load_capstone_text(path)
    assert isinstance(text, CapstoneText) and text.source == "notes.txt"
    assert "\r" not in text.train + text.validation + text.test
    assert text.train.startswith("Zeile 0: grüße\n") and text.test.endswith("Zeile 99: grüße\n")
    assert sum(text.sizes().values()) == 100 * len("Zeile 00: grüße\n") - 10  # "Zeile 0" .. "Zeile 9" are shorter
    cut = load_capstone_text(str(path), train_chars=50, eval_chars=20)
    assert cut.sizes() == {"train": 50, "validation": 20, "test": 20}
    assert cut.train == text.train[:50]


def test_a_missing_or_unreadable_file_says_what_to_give(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="neither a corpus .* nor a file"):
        load_capstone_text(tmp_path / "nowhere.txt")
    with pytest.raises(ValueError, match="neither a corpus"):
        load_capstone_text("shakespear")
    latin = tmp_path / "latin1.txt"
    latin.write_bytes("caf\xe9\n".encode("latin-1") * 50)
    with pytest.raises(ValueError, match="not UTF-8"):
        load_capstone_text(latin)
    short = tmp_path / "short.txt"
    short.write_text("one line\n", encoding="utf-8")
    with pytest.raises(ValueError, match="empty; use a longer text"):
        load_capstone_text(short)


@pytest.mark.parametrize("corpus", CAPSTONE_CORPORA)
def test_every_listed_corpus_loads_in_its_own_splits(corpus: str) -> None:
    text = load_capstone_text(corpus, train_chars=5_000, eval_chars=1_000)
    assert text.source == corpus and text.sizes() == {"train": 5_000, "validation": 1_000, "test": 1_000}
    assert text.train[:200] not in text.validation and text.train[:200] not in text.test


# -- results_table -------------------------------------------------------------------------------

def test_results_table_compares_every_row_with_the_baseline() -> None:
    rows = {"unigram": {"validation perplexity": 22.0, "parameters": 90},
            "GRU": {"validation perplexity": 5.5, "parameters": 49_000},
            "broken": {"validation perplexity": 30.0, "parameters": 10}}
    table = results_table(rows, baseline="unigram")
    assert list(table.index) == ["unigram", "GRU", "broken"] and table.index.name == "model"
    assert table.loc["GRU", "vs baseline"] == pytest.approx(0.25)
    assert table.loc["GRU", "bits/char"] == pytest.approx(math.log2(5.5))
    assert list(table["beats baseline"]) == [False, True, False]
    assert table.loc["GRU", "parameters"] == 49_000


@pytest.mark.parametrize("rows, baseline, message", [
    ({}, "unigram", "rows is empty"),
    ({"GRU": {"validation perplexity": 5.0}}, "unigram", "baseline 'unigram' is not a row"),
    ({"unigram": {"validation perplexity": 20.0}, "GRU": {"parameters": 5}}, "unigram", "needs a 'validation perplexity'"),
    ({"unigram": {"validation perplexity": 20.0}, "GRU": {"validation perplexity": math.nan}}, "unigram", "needs a"),
    ({"unigram": {"validation perplexity": 20.0}, "GRU": {"validation perplexity": 0.5}}, "unigram", ">= 1"),
])
def test_results_table_refuses_rows_it_cannot_compare(rows: dict, baseline: str, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        results_table(rows, baseline)


# -- the model check's hints (course_utils.checks.ch15) -------------------------------------------

def test_the_model_check_names_a_softmax_and_a_missing_compile() -> None:
    import keras

    from course_utils.checks.ch15 import check_my_lm

    def model(vocab_size: int, seq_len: int, softmax: bool, compiled: bool) -> keras.Model:
        m = keras.Sequential([keras.Input((seq_len,), dtype="int32"), keras.layers.Embedding(vocab_size, 8),
                              keras.layers.GRU(8, return_sequences=True),
                              keras.layers.Dense(vocab_size, activation="softmax" if softmax else None)])
        if compiled:
            m.compile("adam", "sparse_categorical_crossentropy")
        return m

    assert "return logits" in check_my_lm(lambda v, t: model(v, t, softmax=True, compiled=True)).message
    assert "not compiled" in check_my_lm(lambda v, t: model(v, t, softmax=False, compiled=False)).message

    def last_step_only(vocab_size: int, seq_len: int) -> keras.Model:
        m = keras.Sequential([keras.Input((seq_len,), dtype="int32"), keras.layers.Embedding(vocab_size, 8),
                              keras.layers.GRU(8), keras.layers.Dense(vocab_size)])
        m.compile("adam", keras.losses.SparseCategoricalCrossentropy(from_logits=True))
        return m

    assert "return_sequences=True" in check_my_lm(last_step_only).message


def test_the_baseline_check_names_the_usual_slips() -> None:
    from course_utils.checks.ch15 import check_unigram_perplexity, unigram_perplexity_reference as reference

    assert "exp of it" in check_unigram_perplexity(lambda a, b, k: math.log(reference(a, b, k))).message

    def without_the_unseen_slot(train: str, text: str, k: float) -> float:
        counts, n, v = {c: train.count(c) for c in set(train)}, len(train), len(set(train))
        return math.exp(-sum(math.log((counts.get(c, 0) + k) / (n + k * v)) for c in text) / len(text))

    assert "one extra slot" in check_unigram_perplexity(without_the_unseen_slot).message
