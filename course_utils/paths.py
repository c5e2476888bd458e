"""Where the course's files are: the one place that knows the repository layout."""

from __future__ import annotations

from pathlib import Path


def repo_root() -> Path:
    """The repository checkout ``course_utils`` runs from (its parent folder), which holds
    ``notebooks/``, ``datasets/``, ``weights/``, ``results/`` and ``build/``."""
    return Path(__file__).resolve().parent.parent
