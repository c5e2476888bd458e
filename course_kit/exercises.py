"""The solution/student notebook split (maintainers: ``python -m course_kit.exercises``).

An exercise in a chapter notebook is two cells. The first holds the learner's code,
with the reference answer between markers::

    def unk_fraction(vectorizer, sentences):
        ### BEGIN SOLUTION
        ids = vectorizer(sentences).numpy()
        return float((ids == 1).sum() / (ids > 0).sum())
        ### END SOLUTION

The second calls a check from ``course_utils.checks.chNN``::

    check_unk_fraction(unk_fraction)

The checks and what they return live in the learner library
(:mod:`course_utils.checks.base`); this module only writes the student notebooks.

The notebooks in ``notebooks/`` are the single source of truth and contain the
solutions. :func:`strip_solutions` produces the student notebooks in
``notebooks/student/``, where each solution block becomes
``raise NotImplementedError(...)`` and the exercise cells have no outputs; a test keeps
the two in sync. The optional deep dives (``notebooks/deep_dives/``) get student copies the
same way, in ``notebooks/student/deep_dives/``, so that a chapter's link to its deep dive
works in the student folder too.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from course_utils.paths import DEEP_DIVE_FOLDER, course_notebooks, repo_root

BEGIN, END = "### BEGIN SOLUTION", "### END SOLUTION"
_BLOCK = re.compile(r"^([ \t]*)### BEGIN SOLUTION[^\n]*\n.*?^[ \t]*### END SOLUTION[^\n]*$", re.M | re.S)
PLACEHOLDER = 'raise NotImplementedError("Exercise: replace this line with your code")'
# A Markdown link from a notebook to the repository's own folders (results/, docs/, ...): in the
# student copy, one folder deeper, it needs one more "../". Links between notebooks keep working.
_REPO_LINK = re.compile(r"\]\(((?:\.\./)+(?:results|docs|datasets|weights|README\.md))")


def strip_solutions(source: str) -> str:
    """Replace every BEGIN/END SOLUTION block in a cell's source with a placeholder
    at the same indentation."""
    if source.count(BEGIN) != source.count(END):
        raise ValueError(f"unbalanced solution markers in cell:\n{source[:200]}")
    return _BLOCK.sub(lambda m: f"{m.group(1)}{PLACEHOLDER}", source)


def student_notebook(path: Path) -> Any:
    """The student version of a solution notebook: solutions stripped. Exercise cells
    (a solution block, or a ``check_...`` call) lose their outputs, so nothing gives the
    answer away; every other cell keeps its stored output, plots included, so a learner
    can compare their run with the course's."""
    import nbformat

    nb = nbformat.read(path, as_version=4)
    for cell in nb.cells:
        if cell.cell_type == "markdown":
            cell.source = _REPO_LINK.sub(r"](../\1", cell.source)  # the copy sits one folder deeper
        if cell.cell_type == "code" and (BEGIN in cell.source or "check_" in cell.source):
            cell.source = strip_solutions(cell.source)
            cell.outputs = []
            cell.execution_count = None
    return nb


def student_path(path: Path, notebook_dir: Path, out_dir: Path | None = None) -> Path:
    """Where the student copy of ``path`` (a notebook of ``notebook_dir``) goes: the same place
    inside ``out_dir`` (default ``notebook_dir/student``), a deep dive in its ``deep_dives/``."""
    out_dir = out_dir or notebook_dir / "student"
    return out_dir / DEEP_DIVE_FOLDER / path.name if path.parent.name == DEEP_DIVE_FOLDER else out_dir / path.name


def write_student_notebooks(notebook_dir: Path, out_dir: Path | None = None) -> list[Path]:
    """Write the student version of every chapter, appendix and deep dive into ``out_dir``
    (default ``notebook_dir/student``; deep dives into its ``deep_dives/``); remove a student
    copy whose notebook is gone. Return the written paths."""
    import nbformat

    out_dir = out_dir or notebook_dir / "student"
    written = []
    for path in course_notebooks(notebook_dir, deep_dives=True):
        target = student_path(path, notebook_dir, out_dir)
        target.parent.mkdir(parents=True, exist_ok=True)
        nbformat.write(student_notebook(path), target)
        written.append(target)
    for old in course_notebooks(out_dir, deep_dives=True):  # a renamed or removed notebook leaves no stale copy
        if old not in written:
            old.unlink()
    return written


if __name__ == "__main__":
    import sys

    root = Path(sys.argv[1]) if len(sys.argv) > 1 else repo_root() / "notebooks"
    for p in write_student_notebooks(root):
        print("wrote", p)
