"""Where the course's files are: the one place that knows the repository layout."""

from __future__ import annotations

from pathlib import Path


def repo_root() -> Path:
    """The repository checkout ``course_utils`` runs from (its parent folder), which holds
    ``notebooks/``, ``datasets/``, ``weights/``, ``results/`` and ``build/``."""
    return Path(__file__).resolve().parent.parent


NOTEBOOK_PATTERNS = ("[0-9][0-9]_*.ipynb", "A[0-9]_*.ipynb")
"""The course's notebooks: chapters ``00_...`` to ``99_...``, then appendices ``A1_...``."""


def course_notebooks(folder: Path | None = None) -> list[Path]:
    """The chapter and appendix notebooks in ``folder`` (default ``notebooks/``), in course
    order: chapters by number, then appendices. The one place that says which files those are;
    the runner, the tests, the site and the student copies all ask here."""
    folder = repo_root() / "notebooks" if folder is None else Path(folder)
    return sorted({p for pattern in NOTEBOOK_PATTERNS for p in folder.glob(pattern)})
