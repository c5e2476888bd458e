"""Every exercise check passes its reference and fails a wrong answer with its hint;
the student notebooks are the solution notebooks with the solutions stripped."""

from __future__ import annotations

import importlib
import pkgutil
from pathlib import Path

import nbformat
import pytest

import course_utils.checks
from course_kit.exercises import PLACEHOLDER, strip_solutions, student_notebook, student_path, write_student_notebooks
from course_utils.checks.base import SelfTest
from course_utils.paths import course_notebooks, deep_dive_notebooks

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = course_notebooks(ROOT / "notebooks")
DEEP_DIVES = deep_dive_notebooks(ROOT / "notebooks")


def _self_tests() -> list[tuple[str, SelfTest]]:
    out = []
    for info in pkgutil.iter_modules(course_utils.checks.__path__):
        if not info.name.startswith("ch"):  # base: what the checks are built from
            continue
        module = importlib.import_module(f"course_utils.checks.{info.name}")
        out += [(f"{info.name}.{t.check.__name__}", t) for t in module.SELF_TESTS]
    return out


SELF_TESTS = _self_tests()


@pytest.mark.parametrize("name, case", SELF_TESTS, ids=[n for n, _ in SELF_TESTS])
def test_check_passes_the_reference(name: str, case: SelfTest) -> None:
    result = case.check(case.reference)
    assert result, str(result)
    assert "PASSED" in str(result)


@pytest.mark.parametrize("name, case", SELF_TESTS, ids=[n for n, _ in SELF_TESTS])
def test_check_fails_a_wrong_answer_with_its_hint(name: str, case: SelfTest) -> None:
    result = case.check(case.wrong)
    assert not result
    assert case.hint in result.message, f"expected the hint {case.hint!r}, got {result.message!r}"


@pytest.mark.parametrize("name, case", SELF_TESTS, ids=[n for n, _ in SELF_TESTS])
def test_check_explains_an_unfinished_exercise(name: str, case: SelfTest) -> None:
    def unfinished(*args, **kwargs):
        raise NotImplementedError

    result = case.check(unfinished)
    assert not result and "not implemented yet" in result.message


def test_strip_solutions_keeps_indentation_and_code_around() -> None:
    src = "def f(x):\n    ### BEGIN SOLUTION\n    return x + 1\n    ### END SOLUTION\n\nprint(f)"
    assert strip_solutions(src) == f"def f(x):\n    {PLACEHOLDER}\n\nprint(f)"
    with pytest.raises(ValueError, match="unbalanced"):
        strip_solutions("### BEGIN SOLUTION\nx = 1")


# Chapters whose central piece the short exercises already are: 00 sets up the course and pads
# batches, 02 counts the patterns' shapes and parameters; the capstone is itself built by the learner.
WITHOUT_BUILD_IT = {"00_setup_and_sequences", "02_rnn_architectures", "15_capstone"}


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.stem for p in NOTEBOOKS])
def test_every_chapter_has_checked_exercises(path: Path) -> None:
    sources = [c.source for c in nbformat.read(path, as_version=4).cells if c.cell_type == "code"]
    solutions = sum(s.count("### BEGIN SOLUTION") for s in sources)
    build_it = sum(s.count("### BEGIN SOLUTION (build it)") for s in sources)
    checks = sum("check_" in s for s in sources)
    short = solutions - build_it
    assert 2 <= short <= 4, f"{path.name} has {short} short exercises; chapters end with 2 to 4"
    want = 0 if path.stem in WITHOUT_BUILD_IT else 1
    assert build_it == want, f"{path.name} has {build_it} build-it exercises; expected {want}"
    assert checks >= solutions, f"{path.name}: every exercise needs a check_... call"


@pytest.mark.parametrize("path", NOTEBOOKS + DEEP_DIVES, ids=[p.stem for p in NOTEBOOKS + DEEP_DIVES])
def test_student_notebook_is_in_sync(path: Path) -> None:
    stored = student_path(path, ROOT / "notebooks")
    assert stored.is_file(), f"missing {stored}; run `make student`"
    want = student_notebook(path)
    got = nbformat.read(stored, as_version=4)
    assert [c.source for c in got.cells] == [c.source for c in want.cells], \
        f"{stored.name} is out of date with its solution notebook; run `make student`"
    assert not any("### BEGIN SOLUTION" in c.source for c in got.cells)
    exercise_cells = [c for c in got.cells if c.cell_type == "code" and (PLACEHOLDER in c.source or "check_" in c.source)]
    assert not any(c.outputs for c in exercise_cells), "an exercise cell gives its answer away"
    if path in NOTEBOOKS:  # every chapter ends with exercises; a deep dive may have none
        assert exercise_cells, f"{stored.name} has no exercise cell"


def test_the_student_folder_holds_exactly_the_course_notebooks() -> None:
    """Core chapters in notebooks/student/, deep dives apart in notebooks/student/deep_dives/, and no
    copy of a notebook that is gone."""
    student = ROOT / "notebooks" / "student"
    assert [p.name for p in course_notebooks(student)] == [p.name for p in NOTEBOOKS]
    assert [p.name for p in deep_dive_notebooks(student)] == [p.name for p in DEEP_DIVES], "run `make student`"


def test_write_student_notebooks_puts_deep_dives_apart(tmp_path: Path) -> None:
    notebooks = tmp_path / "notebooks"
    (notebooks / "deep_dives").mkdir(parents=True)
    exercise = "def f(x):\n    ### BEGIN SOLUTION\n    return x\n    ### END SOLUTION"
    for path in (notebooks / "00_x.ipynb", notebooks / "deep_dives" / "00a_y.ipynb"):
        cell = nbformat.v4.new_code_cell(exercise)
        cell.outputs = [nbformat.v4.new_output("stream", text="answer\n")]
        nbformat.write(nbformat.v4.new_notebook(cells=[cell, nbformat.v4.new_code_cell("print(2)")]), path)
    (notebooks / "student" / "deep_dives").mkdir(parents=True)
    nbformat.write(nbformat.v4.new_notebook(), notebooks / "student" / "deep_dives" / "00b_gone.ipynb")
    written = write_student_notebooks(notebooks)
    assert written == [notebooks / "student" / "00_x.ipynb", notebooks / "student" / "deep_dives" / "00a_y.ipynb"]
    assert not (notebooks / "student" / "deep_dives" / "00b_gone.ipynb").exists(), "a stale copy is left"
    dive = nbformat.read(written[1], as_version=4)
    assert dive.cells[0].source == f"def f(x):\n    {PLACEHOLDER}" and dive.cells[0].outputs == []


def test_sample_std_gets_a_hint_that_names_ddof() -> None:
    from course_utils.checks.ch09 import check_train_scaling

    def sample_std(train, test):  # what pandas' DataFrame.std() would give
        mean, std = train.mean(axis=0), train.std(axis=0, ddof=1)
        return (train - mean) / std, (test - mean) / std

    result = check_train_scaling(sample_std)
    assert not result and "ddof" in str(result)


def test_student_copies_links_resolve() -> None:
    """The student copies sit one folder deeper than the chapters: every relative Markdown link
    in them (to results/, docs/, another chapter or a deep dive) must still reach a file."""
    import re

    from course_kit.exercises import student_notebook, student_path

    missing = []
    for path in course_notebooks(ROOT / "notebooks", deep_dives=True):
        target = student_path(path, ROOT / "notebooks")
        for cell in student_notebook(path).cells:
            if cell.cell_type != "markdown":
                continue
            for link in re.findall(r"\]\(([^)#\s]+)(?:#[^)]*)?\)", cell.source):
                if "://" not in link and not (target.parent / link).resolve().exists():
                    missing.append(f"{target.relative_to(ROOT)}: {link}")
    assert not missing, "broken links in the student copies:\n" + "\n".join(missing)
