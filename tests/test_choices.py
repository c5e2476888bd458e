"""The audit of the course's choices (course_kit/choices.py, docs/CHOICES.md): current, complete, and
no new choice made on test slips in unnoticed."""

from __future__ import annotations

import pytest

from course_kit import choices
from course_kit.choices import SPLITS, Choice, all_choices, notebook_id
from course_utils.paths import course_notebooks

# Every choice made on test, as (where, choice). A new one fails the test below: re-derive it on
# validation, or, if it must stay, list it here and in its row say what would re-derive it.
MADE_ON_TEST: set[tuple[str, str]] = set()


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


def test_only_a_within_band_is_a_check() -> None:
    """``check`` is kept for reproducibility bands, which choose nothing; it cannot hide a choice."""
    checks = [c for c in all_choices() if c.split == "check"]
    assert checks and all(c.choice.startswith("within() reference figures: ") for c in checks), checks


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
