"""Exercise checks and the solution/student notebook split.

An exercise in a chapter notebook is two cells. The first holds the learner's code,
with the reference answer between markers::

    def unk_fraction(vectorizer, sentences):
        ### BEGIN SOLUTION
        ids = vectorizer(sentences).numpy()
        return float((ids == 1).sum() / (ids > 0).sum())
        ### END SOLUTION

The second calls a check from ``course_utils.checks.chNN``::

    check_unk_fraction(unk_fraction)

A check runs the learner's function on cases the learner does not see, compares with
the course's reference, and returns a :class:`CheckResult` that prints plainly and is
truthy only on success. On failure its message is a specific hint.

The notebooks in ``notebooks/`` are the single source of truth and contain the
solutions. :func:`strip_solutions` produces the student notebooks in
``notebooks/student/``, where each solution block becomes
``raise NotImplementedError(...)`` and the exercise cells have no outputs; a test keeps
the two in sync.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .paths import repo_root

BEGIN, END = "### BEGIN SOLUTION", "### END SOLUTION"
_BLOCK = re.compile(r"^([ \t]*)### BEGIN SOLUTION[^\n]*\n.*?^[ \t]*### END SOLUTION[^\n]*$", re.M | re.S)
PLACEHOLDER = 'raise NotImplementedError("Exercise: replace this line with your code")'


@dataclass(frozen=True)
class CheckResult:
    """Outcome of one exercise check: truthy when passed, with a message for the learner."""

    exercise: str
    passed: bool
    message: str
    details: dict[str, Any] = field(default_factory=dict)

    def __bool__(self) -> bool:
        return self.passed

    def __str__(self) -> str:
        mark = "PASSED" if self.passed else "NOT YET"
        return f"[{mark}] {self.exercise}: {self.message}"

    def _repr_pretty_(self, p: Any, cycle: bool) -> None:  # IPython display
        p.text(str(self))


def passed(exercise: str, message: str = "all hidden cases agree with the reference.") -> CheckResult:
    return CheckResult(exercise, True, message)


def failed(exercise: str, hint: str, **details: Any) -> CheckResult:
    return CheckResult(exercise, False, hint, details)


def call_learner(exercise: str, fn: Callable[..., Any], *args: Any, **kwargs: Any) -> tuple[Any, CheckResult | None]:
    """Call the learner's function; turn the usual first-attempt errors into hints.

    Returns ``(value, None)`` on success and ``(None, failure)`` otherwise; test the
    second item with ``is not None`` (a failed CheckResult is falsy).
    """
    if not callable(fn):
        return None, failed(exercise, f"pass your function itself, e.g. check(my_function), not {type(fn).__name__}.")
    try:
        return fn(*args, **kwargs), None
    except NotImplementedError:
        return None, failed(exercise, "not implemented yet: replace the `raise NotImplementedError` line with your code.")
    except Exception as exc:  # the learner's bug: report it as a hint, do not crash the notebook
        return None, failed(exercise, f"your function raised {type(exc).__name__}: {exc}")


def call_learner_number(exercise: str, fn: Callable[..., Any], *args: Any, **kwargs: Any) -> tuple[float | None, CheckResult | None]:
    """:func:`call_learner` for exercises whose answer is one number: returns
    ``(float(value), None)``, or ``(None, failure)`` with a hint when it is not a number."""
    got, error = call_learner(exercise, fn, *args, **kwargs)
    if error is not None:
        return None, error
    try:
        return float(got), None
    except (TypeError, ValueError):
        return None, failed(exercise, f"return one number, not {type(got).__name__}.")


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
    """Write the student version of every numbered notebook into ``out_dir``
    (default ``notebook_dir/student``); return the written paths."""
    import nbformat

    out_dir = out_dir or notebook_dir / "student"
    out_dir.mkdir(parents=True, exist_ok=True)
    written = []
    for path in sorted(notebook_dir.glob("[0-9][0-9]_*.ipynb")):
        target = out_dir / path.name
        nbformat.write(student_notebook(path), target)
        written.append(target)
    return written


@dataclass(frozen=True)
class SelfTest:
    """How CI proves a check works: the reference must pass, the deliberately
    wrong answer must fail with ``hint`` in its message."""

    check: Callable[[Callable[..., Any]], CheckResult]
    reference: Callable[..., Any]
    wrong: Callable[..., Any]
    hint: str


if __name__ == "__main__":
    import sys

    root = Path(sys.argv[1]) if len(sys.argv) > 1 else repo_root() / "notebooks"
    for p in write_student_notebooks(root):
        print("wrote", p)
