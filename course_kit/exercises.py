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
the two in sync.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from course_utils.paths import course_notebooks, repo_root

BEGIN, END = "### BEGIN SOLUTION", "### END SOLUTION"
_BLOCK = re.compile(r"^([ \t]*)### BEGIN SOLUTION[^\n]*\n.*?^[ \t]*### END SOLUTION[^\n]*$", re.M | re.S)
PLACEHOLDER = 'raise NotImplementedError("Exercise: replace this line with your code")'


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
        if cell.cell_type == "code" and (BEGIN in cell.source or "check_" in cell.source):
            cell.source = strip_solutions(cell.source)
            cell.outputs = []
            cell.execution_count = None
    return nb


def write_student_notebooks(notebook_dir: Path, out_dir: Path | None = None) -> list[Path]:
    """Write the student version of every chapter and appendix notebook into ``out_dir``
    (default ``notebook_dir/student``); return the written paths."""
    import nbformat

    out_dir = out_dir or notebook_dir / "student"
    out_dir.mkdir(parents=True, exist_ok=True)
    written = []
    for path in course_notebooks(notebook_dir):
        target = out_dir / path.name
        nbformat.write(student_notebook(path), target)
        written.append(target)
    return written


if __name__ == "__main__":
    import sys

    root = Path(sys.argv[1]) if len(sys.argv) > 1 else repo_root() / "notebooks"
    for p in write_student_notebooks(root):
        print("wrote", p)
