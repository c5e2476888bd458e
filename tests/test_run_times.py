"""Each notebook (chapter, appendix or deep dive) states its run time in one sentence for the learner;
the measurements live in results/."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from course_kit import run_times
from course_kit.runner import stated_seconds
from course_utils.paths import course_notebooks

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = course_notebooks(ROOT / "notebooks", deep_dives=True)


def test_the_page_and_every_run_time_line_are_current() -> None:
    assert run_times.stale(ROOT) == []


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem.split("_", 1)[0])
def test_a_run_time_line_is_one_sentence_without_machine_or_date(path: Path) -> None:
    line = run_times.stated_line(path)
    assert line is not None, f"{path.name} has no **Run time:** line"
    assert line.count(". ") == 0 and line.endswith(")."), f"{path.name}: one sentence, please: {line}"
    assert not re.search(r"\d{4}-\d{2}-\d{2}|Intel|AMD|EPYC|Xeon|Apple|AVX", line), \
        f"{path.name}: machines and dates belong in results/run_times.json, not in the chapter: {line}"
    entry = run_times.load(ROOT)["chapters"].get(path.stem)
    assert entry is not None, f"{path.stem} has no entry in results/run_times.json"
    assert stated_seconds(path) == entry["stated_s"]
    depth = run_times.notebook_depth(path, ROOT)
    assert f"]({'../' * depth}results/run_times.md)" in line, f"{path.name}: the link must reach results/ from its folder"
    assert (path.parent / ("../" * (depth - 1) + "../results/run_times.md")).resolve().is_file()


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


def test_a_deep_dive_links_the_page_from_one_folder_further_down(tmp_path: Path) -> None:
    (tmp_path / "results").mkdir()
    (tmp_path / "notebooks" / "deep_dives").mkdir(parents=True)
    data = {"about": "x", "chapters": {"01_x": {"stated_s": 20, "history": []}, "01a_y": {"stated_s": 70, "history": []}}}
    (tmp_path / "results" / "run_times.json").write_text(json.dumps(data), encoding="utf-8")
    (tmp_path / "results" / "run_times.md").write_text(run_times.render(data), encoding="utf-8")

    def notebook(path: Path, line: str) -> None:
        path.write_text(json.dumps({"cells": [{"cell_type": "markdown", "source": [f"# t\n\n{line}"]}]}), encoding="utf-8")

    chapter, dive = tmp_path / "notebooks" / "01_x.ipynb", tmp_path / "notebooks" / "deep_dives" / "01a_y.ipynb"
    notebook(chapter, run_times.run_time_line(20))
    notebook(dive, run_times.run_time_line(70))  # a chapter's link, one folder short
    assert run_times.stale(tmp_path) == [f"01a_y.ipynb: its Run time line should read: {run_times.run_time_line(70, 2)}"]
    assert "(../../results/run_times.md)" in run_times.run_time_line(70, 2)
    assert run_times.run_time_line(20) == run_times.run_time_line(20, run_times.notebook_depth(chapter, tmp_path))
    notebook(dive, run_times.run_time_line(70, 2))
    assert run_times.stale(tmp_path) == []
    with pytest.raises(ValueError, match="depth"):
        run_times.run_time_line(70, 0)
