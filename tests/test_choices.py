"""The audit of the course's choices (course_kit/choices.py, docs/CHOICES.md): current, complete, and
no new choice made on test slips in unnoticed."""

from __future__ import annotations

import pytest

from course_kit import choices
from course_kit.choices import SPLITS, Choice, all_choices, notebook_id
from course_utils.paths import course_notebooks

# Every choice made on test, as (where, choice). A new one fails the test below: re-derive it on
# validation, or, if it must stay, list it here and in its row say what would re-derive it.
MADE_ON_TEST = {
    ("03", "within() reference figures: SimpleRNN test perplexity 5.88 ± 0.15"),
    ("05", "forget-gate bias 3 for the LSTM"),
    ("05", "assert on longer lags: recall falls at every doubling and ends under half"),
    ("06", "within() reference figures: one-epoch test perplexities 10.26, 11.27, 9.53 ± 0.3"),
    ("06a", "within() reference figures: each reference's test perplexity on 100,000 test characters against "
            "its sidecar"),
    ("07", "within() reference figures: POS token accuracy 0.965 ± 0.005, NER entity F1 0.778 ± 0.02"),
    ("07a", "within() reference figures: token accuracy 0.965 and 0.955 ± 0.005, NER F1 0.778 ± 0.02"),
    ("08", "within() reference figures: test accuracies 0.788, 0.774, 0.794 ± 0.02"),
    ("09", "within() reference figures: 1-day test MAE 2.178 (LSTM) and 2.088 (GRU) ± 0.05"),
    ("10", "at most 24 epochs"),
    ("10", "asserts: test BLEU >= 5, chrF >= 20, chrF at least 5 above the constant-output floor"),
    ("10a", "chapter 10's thresholds re-checked on its fallback weights"),
    ("10a", "within() reference figures: test BLEU, beam-5 BLEU and name-copy rates against the sidecars, "
            "± 1.0 BLEU"),
    ("11", "9 epochs for the three sentence models"),
    ("11a", "within() reference figures: name-copy rates with pass-through against the sidecars"),
    ("14", "GRU_CH06_PERPLEXITY = 9.53, cited instead of retrained"),
    ("14", "within() reference figures: minGRU test perplexity 11.30 ± 0.3"),
    ("reference: translator, translator_words", "epochs = 30 (the first bases trained 12)"),
    ("reference: translator_tuned, translator_words_tuned",
     "name examples: 3,000 vocatives and 100 substitutions per name pair"),
    ("reference: translator_tuned, translator_words_tuned", "no copy head (pointer-generator)"),
    ("reference: shakespeare_simplernn, shakespeare_lstm, shakespeare_gru, shakespeare_gpu_simplernn, "
     "shakespeare_gpu_lstm, shakespeare_gpu_gru, shakespeare_gpu_short_simplernn, shakespeare_gpu_short_lstm, "
     "shakespeare_gpu_short_gru, shakespeare_lstm_256",
     "starting learning rate (4e-3 for the LSTM, 2e-3 for the others)"),
}


def test_the_table_is_current() -> None:
    diff = choices.stale_diff()
    assert not diff, f"docs/CHOICES.md is out of date: run python -m course_kit.choices\n\n{diff}"


def test_every_split_is_known_and_every_row_says_how() -> None:
    for c in all_choices():
        assert c.split in SPLITS, c
        assert c.choice.strip() and c.how.strip(), c


def test_every_notebook_has_a_choice() -> None:
    recorded = {c.where for c in choices.CHOICES}
    missing = [p.name for p in course_notebooks(deep_dives=True) if notebook_id(p) not in recorded]
    assert not missing, f"no choice recorded for {missing}: add its choices to course_kit/choices.py"


def test_every_entry_names_a_notebook_or_reference_models() -> None:
    ids = {notebook_id(p) for p in course_notebooks(deep_dives=True)}
    unknown = [c for c in choices.CHOICES if c.where not in ids]
    assert not unknown, f"entries for notebooks that do not exist: {unknown}"


def test_the_choices_made_on_test_are_the_listed_ones() -> None:
    found = {(c.where, c.choice) for c in all_choices() if c.split == "test"}
    new, gone = sorted(found - MADE_ON_TEST), sorted(MADE_ON_TEST - found)
    assert not new, (f"new choices made on test: {new}. Re-derive each on validation; if one must stay, "
                     "list it in MADE_ON_TEST with what would re-derive it (Choice.redo).")
    assert not gone, f"listed as made on test but no longer recorded so: {gone}; remove them from MADE_ON_TEST"


def test_a_test_choice_must_say_how_to_redo_it_and_a_bad_split_is_refused() -> None:
    with pytest.raises(ValueError, match="redo"):
        Choice("03", "x", "test", "y")
    with pytest.raises(ValueError, match="split"):
        Choice("03", "x", "dev", "y")


def test_reference_rows_are_not_duplicated() -> None:
    rows = [(c.choice, c.split, c.how) for c in choices.reference_choices()]
    assert len(rows) == len(set(rows))


def test_check_exits_non_zero_when_stale(tmp_path, monkeypatch) -> None:
    monkeypatch.setattr(choices, "repo_root", lambda: tmp_path)
    (tmp_path / "notebooks").mkdir()
    (tmp_path / "docs").mkdir()
    (tmp_path / "docs" / "CHOICES.md").write_text("stale\n", encoding="utf-8")
    assert choices.main(["--check"]) == 1
    choices.write(tmp_path)
    assert choices.main(["--check"]) == 0
