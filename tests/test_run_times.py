"""Each chapter states its run time in one sentence for the learner; the measurements live in results/."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from course_kit import run_times
from course_kit.runner import stated_seconds
from course_utils.paths import course_notebooks

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = course_notebooks(ROOT / "notebooks")


def test_the_page_and_every_run_time_line_are_current() -> None:
    assert run_times.stale(ROOT) == []


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name[:2])
def test_a_run_time_line_is_one_sentence_without_machine_or_date(path: Path) -> None:
    line = run_times.stated_line(path)
    assert line is not None, f"{path.name} has no **Run time:** line"
    assert line.count(". ") == 0 and line.endswith(")."), f"{path.name}: one sentence, please: {line}"
    assert not re.search(r"\d{4}-\d{2}-\d{2}|Intel|AMD|EPYC|Xeon|Apple|AVX", line), \
        f"{path.name}: machines and dates belong in results/run_times.json, not in the chapter: {line}"
    assert stated_seconds(path) == run_times.load(ROOT)["chapters"][path.stem]["stated_s"]


def test_stale_names_what_to_fix(tmp_path: Path) -> None:
    (tmp_path / "results").mkdir()
    (tmp_path / "notebooks").mkdir()
    data = {"about": "x", "chapters": {}}
    (tmp_path / "results" / "run_times.json").write_text('{"about": "x", "chapters": {}}', encoding="utf-8")
    (tmp_path / "results" / "run_times.md").write_text("old", encoding="utf-8")
    (tmp_path / "notebooks" / "01_x.ipynb").write_text(
        '{"cells": [{"cell_type": "markdown", "source": ["**Run time:** 5 s."]}]}', encoding="utf-8")
    problems = run_times.stale(tmp_path)
    assert any("run_times.md is stale" in p for p in problems)
    assert any("01_x.ipynb has no entry" in p for p in problems)
    assert run_times.render(data).startswith("# Notebook run times")
