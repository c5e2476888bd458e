"""Key metrics and the course runner's results table."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from course_kit.report import METRICS_ENV, key_metric
from course_kit.runner import find_notebooks, main, notebook_id, output_dir, results_table, run_notebooks, stated_seconds
from course_utils.paths import deep_dive_notebooks

ROOT = Path(__file__).resolve().parents[1]


def test_key_metric_prints_and_records(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys) -> None:
    path = tmp_path / "m.jsonl"
    monkeypatch.setenv(METRICS_ENV, str(path))
    key_metric("test accuracy", 0.91234, ".3f")
    assert capsys.readouterr().out == "Key metric: test accuracy = 0.912\n"
    assert json.loads(path.read_text()) == {"name": "test accuracy", "value": 0.91234, "text": "0.912"}


@pytest.mark.parametrize("name, value", [("", 1.0), ("x", float("nan")), ("x", "0.9"), ("x", True)])
def test_key_metric_rejects_bad_input(name, value) -> None:
    with pytest.raises(ValueError):
        key_metric(name, value)


def test_results_table_lists_each_notebook_and_failures() -> None:
    rows = [
        {"notebook": "00_a", "seconds": 6.5, "ok": True, "error": None, "metrics": [{"name": "m", "text": "1.0"}]},
        {"notebook": "01_b", "seconds": 3.0, "ok": False, "error": "ValueError: boom", "metrics": []},
    ]
    table = results_table(rows)
    assert "| 00_a | 6.5 | m = 1.0 | ok |" in table
    assert "FAILED: ValueError: boom" in table
    assert "| **total** | **9.5** | | 1/2 ok |" in table


def test_every_notebook_is_numbered_and_stored_with_outputs() -> None:
    import nbformat

    notebooks = find_notebooks(ROOT / "notebooks", deep_dives=True)
    assert notebooks and notebooks[0].name.startswith("00_")
    for path in notebooks:
        nb = nbformat.read(path, as_version=4)
        code = [c for c in nb.cells if c.cell_type == "code"]
        assert any(c.outputs for c in code), f"{path.name} is stored without outputs; run `make store`"
        if path.parent.name == "deep_dives":  # tested like every notebook: a checked cell or an assert
            assert any("NBVAL_CHECK_OUTPUT" in c.source or re.search(r"^\s*assert\b", c.source, re.M) for c in code), \
                f"{path.name} checks nothing: give it a checked cell or an assert"
        else:
            assert any("NBVAL_CHECK_OUTPUT" in c.source for c in code), f"{path.name} has no checked cell"
        assert any("set_seed(" in c.source for c in code), f"{path.name} does not call course_utils.seed.set_seed"
        assert not any("pip install" in c.source for c in code), f"{path.name} installs packages itself"


def test_every_deep_dive_belongs_to_a_chapter_that_links_it() -> None:
    """A deep dive ``NNa_...`` goes deeper into chapter NN: the chapter exists and links it, and it
    links back to the chapter."""
    import nbformat

    chapters = {notebook_id(p): p for p in find_notebooks(ROOT / "notebooks")}
    for dive in deep_dive_notebooks(ROOT / "notebooks"):
        chapter = chapters.get(notebook_id(dive)[:2])
        assert chapter is not None, f"{dive.name}: no chapter {notebook_id(dive)[:2]} for it to go deeper into"
        prose = [c.source for c in nbformat.read(chapter, as_version=4).cells if c.cell_type == "markdown"]
        assert any(f"(deep_dives/{dive.name})" in s for s in prose), f"{chapter.name} does not link its deep dive {dive.name}"
        own = [c.source for c in nbformat.read(dive, as_version=4).cells if c.cell_type == "markdown"]
        assert any(f"(../{chapter.name})" in s for s in own), f"{dive.name} does not link back to ../{chapter.name}"


def _write_notebooks(folder: Path, specs: list[tuple[str, int, str]]) -> list[Path]:
    import nbformat

    paths = []
    for name, secs, code in specs:
        nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_markdown_cell(f"**Run time:** {secs} s"),
                                             nbformat.v4.new_code_cell(code)])
        folder.mkdir(parents=True, exist_ok=True)
        nbformat.write(nb, folder / f"{name}.ipynb")
        paths.append(folder / f"{name}.ipynb")
    return paths


def test_find_notebooks_finds_a_deep_dive_by_its_prefix(tmp_path: Path) -> None:
    core = _write_notebooks(tmp_path, [("09_a", 1, ""), ("10_b", 1, ""), ("A1_c", 1, "")])
    dives = _write_notebooks(tmp_path / "deep_dives", [("10a_d", 1, ""), ("10b_e", 1, "")])
    assert find_notebooks(tmp_path) == core
    assert find_notebooks(tmp_path, deep_dives=True) == core + dives
    assert find_notebooks(tmp_path, ["10"]) == [core[1]]
    assert find_notebooks(tmp_path, ["10"], deep_dives=True) == [core[1], *dives]
    assert find_notebooks(tmp_path, ["10a"]) == [dives[0]]
    assert find_notebooks(tmp_path, ["10b_e", "A1"]) == [core[2], dives[1]]
    assert find_notebooks(tmp_path / "deep_dives", ["10a"]) == [dives[0]]  # a folder of deep dives lists its own
    assert find_notebooks(tmp_path / "deep_dives") == dives
    assert [notebook_id(p) for p in core + dives] == ["09", "10", "A1", "10a", "10b"]
    with pytest.raises(SystemExit, match="10c"):
        find_notebooks(tmp_path, ["10c"])


def test_a_deep_dive_runs_and_is_stored_in_its_own_folder(tmp_path: Path) -> None:
    import nbformat

    notebooks = tmp_path / "notebooks"
    _write_notebooks(notebooks, [("10_b", 1, "print(1)")])
    dive, = _write_notebooks(notebooks / "deep_dives", [("10a_d", 1, "print('deep')")])
    assert output_dir(dive, tmp_path / "out") == tmp_path / "out" / "deep_dives"
    assert main(["10a", "--store", "--notebooks", str(notebooks), "--out", str(tmp_path / "out")]) == 0
    assert (tmp_path / "out" / "deep_dives" / "10a_d.html").is_file()
    assert not (tmp_path / "out" / "10_b.ipynb").exists(), "10a ran chapter 10 too"
    stored = nbformat.read(dive, as_version=4)
    assert stored.cells[1].outputs[0]["text"] == "deep\n", "--store wrote the deep dive's outputs back"
    rows = json.loads((tmp_path / "out" / "results.json").read_text())
    assert [r["notebook"] for r in rows] == ["10a_d"]


def test_slowest_cells_reads_nbclient_timing() -> None:
    import nbformat

    from course_kit.runner import slowest_cells

    nb = nbformat.v4.new_notebook()
    for i, secs in enumerate([1.0, 4.5, 0.2]):
        cell = nbformat.v4.new_code_cell(f"# a comment\nstep_{i}()")
        cell.metadata["execution"] = {"iopub.execute_input": "2026-11-27T02:00:00.000000Z",
                                      "shell.execute_reply": f"2026-11-27T02:00:0{int(secs)}.{int(secs % 1 * 10)}00000Z"}
        nb.cells.append(cell)
    nb.cells.append(nbformat.v4.new_markdown_cell("text"))
    assert slowest_cells(nb, top=2) == [{"cell": 1, "seconds": 4.5, "first_line": "step_1()"},
                                        {"cell": 0, "seconds": 1.0, "first_line": "step_0()"}]


def test_stated_seconds_reads_the_run_time_line(tmp_path: Path) -> None:
    import nbformat

    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_markdown_cell("# 99 · x\n\n**Run time:** 42 s on a laptop.")])
    path = tmp_path / "99_x.ipynb"
    nbformat.write(nb, path)
    assert stated_seconds(path) == 42.0
    nbformat.write(nbformat.v4.new_notebook(cells=[nbformat.v4.new_markdown_cell("no line")]), path)
    assert stated_seconds(path) == 0.0
    assert all(stated_seconds(p) > 0 for p in find_notebooks(ROOT / "notebooks", deep_dives=True)), \
        "every notebook states its run time"


def test_two_at_a_time_gives_the_rows_in_chapter_order(tmp_path: Path) -> None:
    notebooks = _write_notebooks(tmp_path, [("97_short", 1, "print(1)"), ("98_long", 9, "print(2)"), ("99_bad", 5, "1 / 0")])
    rows = run_notebooks(notebooks, tmp_path / "out", jobs=2)
    assert [r["notebook"] for r in rows] == ["97_short", "98_long", "99_bad"]
    assert [r["ok"] for r in rows] == [True, True, False] and "ZeroDivisionError" in rows[2]["error"]
    assert (tmp_path / "out" / "98_long.html").exists()
