"""Where the course's files are: the one place that knows the repository layout."""

from __future__ import annotations

from pathlib import Path


def repo_root() -> Path:
    """The repository checkout ``course_utils`` runs from (its parent folder), which holds
    ``notebooks/``, ``datasets/``, ``weights/``, ``results/`` and ``build/``."""
    return Path(__file__).resolve().parent.parent


NOTEBOOK_PATTERNS = ("[0-9][0-9]_*.ipynb", "A[0-9]_*.ipynb")
"""The course's core notebooks: chapters ``00_...`` to ``99_...``, then appendices ``A1_...``."""

DEEP_DIVE_FOLDER = "deep_dives"
DEEP_DIVE_PATTERNS = ("[0-9][0-9][a-z]_*.ipynb", "A[0-9][a-z]_*.ipynb")
"""Optional deep dives, in ``notebooks/deep_dives/``: ``10a_...`` goes deeper into chapter 10."""


def course_notebooks(folder: Path | None = None, deep_dives: bool = False) -> list[Path]:
    """The chapter and appendix notebooks in ``folder`` (default ``notebooks/``), in course
    order: chapters by number, then appendices; with ``deep_dives=True``, then the optional
    deep dives of ``folder/deep_dives/``. A folder of deep dives itself lists them too. The one
    place that says which files those are; the runner, the tests, the site and the student
    copies all ask here."""
    folder = repo_root() / "notebooks" if folder is None else Path(folder)
    found = sorted({p for pattern in NOTEBOOK_PATTERNS + DEEP_DIVE_PATTERNS for p in folder.glob(pattern)})
    if deep_dives:
        found += deep_dive_notebooks(folder)
    return found


def deep_dive_notebooks(folder: Path | None = None) -> list[Path]:
    """The optional deep dives of ``folder/deep_dives/`` (default ``notebooks/deep_dives/``), in
    course order: ``05a_...`` after ``05``'s, before ``06a_...``."""
    folder = repo_root() / "notebooks" if folder is None else Path(folder)
    return sorted({p for pattern in DEEP_DIVE_PATTERNS for p in (folder / DEEP_DIVE_FOLDER).glob(pattern)})
