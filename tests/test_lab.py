"""`make lab` opens the student notebooks, `make lab-solutions` the full ones, both offline-minded."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from course_kit import lab
from course_utils.paths import course_notebooks, deep_dive_notebooks

ROOT = Path(__file__).resolve().parents[1]


@pytest.mark.parametrize(("argv", "folder"), [([], ROOT / "notebooks" / "student"), (["--solutions"], ROOT / "notebooks")])
def test_lab_opens_the_right_folder_without_news(monkeypatch: pytest.MonkeyPatch, tmp_path: Path,
                                                 argv: list[str], folder: Path) -> None:
    started = {}
    monkeypatch.setattr(lab, "app_settings_dir", lambda: tmp_path)
    monkeypatch.setattr(lab.os, "execve", lambda exe, cmd, env: started.update(cmd=cmd, env=env))
    monkeypatch.delenv("TF_CPP_MIN_LOG_LEVEL", raising=False)
    assert lab.main([*argv, "--", "--port=8899"]) == 0
    cmd = started["cmd"]
    assert cmd[1:4] == ["-m", "jupyterlab", str(folder)] and cmd[-1] == "--port=8899"
    assert "--LabApp.news_url=None" in cmd
    assert "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate" in cmd
    assert started["env"]["TF_CPP_MIN_LOG_LEVEL"] == "1"
    overrides = json.loads((tmp_path / "overrides.d" / "recurrent.json").read_text())
    assert overrides[lab.NOTIFICATION_PLUGIN]["fetchNews"] == "false"


def test_every_chapter_has_a_student_notebook() -> None:
    chapters = {p.name for p in course_notebooks(ROOT / "notebooks")}
    assert chapters and chapters == {p.name for p in course_notebooks(lab.STUDENT_DIR)}


def test_the_deep_dives_sit_apart_in_the_student_folder() -> None:
    """`make lab` shows the core chapters, and the optional deep dives in their own subfolder."""
    dives = {p.name for p in deep_dive_notebooks(ROOT / "notebooks")}
    assert dives == {p.name for p in deep_dive_notebooks(lab.STUDENT_DIR)}, "run `make student`"
    assert not dives & {p.name for p in course_notebooks(lab.STUDENT_DIR)}, "a deep dive among the core chapters"
    assert all(p.parent == lab.STUDENT_DIR / "deep_dives" for p in deep_dive_notebooks(lab.STUDENT_DIR))


def test_lab_names_the_deep_dives_when_it_starts(monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys) -> None:
    student = tmp_path / "student"
    (student / "deep_dives").mkdir(parents=True)
    for path in (student / "00_x.ipynb", student / "deep_dives" / "00a_y.ipynb"):
        path.write_text('{"cells": [], "metadata": {}, "nbformat": 4, "nbformat_minor": 5}', encoding="utf-8")
    monkeypatch.setattr(lab, "STUDENT_DIR", student)
    monkeypatch.setattr(lab, "ROOT", tmp_path)
    monkeypatch.setattr(lab, "app_settings_dir", lambda: tmp_path / "settings")
    monkeypatch.setattr(lab.os, "execve", lambda exe, cmd, env: None)
    assert lab.main([]) == 0
    assert "optional deep dives: 1 in deep_dives/ (00a)" in capsys.readouterr().out


def test_makefile_help_lists_lab_and_lab_solutions() -> None:
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    help_range = int(makefile.split("@sed -n '1,", 1)[1].split("p'", 1)[0])
    header = makefile.splitlines()[:help_range]
    assert all(line.startswith("#") or not line.strip() for line in header), "the help shows Makefile code"
    text = "\n".join(header)
    assert "make lab " in text and "notebooks/student/" in text and "make lab-solutions" in text
    assert "\nlab-solutions:" in makefile and "-m course_kit.lab --solutions" in makefile
