"""Documents generated from the code (``docs/MODULES.md``, ``docs/CHOICES.md``): how a stored copy is
compared with a fresh render, and the command line they share (write it, or ``--check`` it)."""

from __future__ import annotations

import argparse
import difflib
from collections.abc import Callable, Sequence
from pathlib import Path

__all__ = ["check_or_write", "diff_against"]


def diff_against(target: Path, fresh: str, label: Path, fresh_label: str = "fresh") -> str:
    """A unified diff from the file at ``target`` (missing counts as empty) to ``fresh``; ``""`` when
    they are equal. ``label`` names the file in the diff's header (a repository-relative path)."""
    stored = target.read_text(encoding="utf-8") if target.exists() else ""
    if stored == fresh:
        return ""
    return "".join(difflib.unified_diff(stored.splitlines(keepends=True), fresh.splitlines(keepends=True),
                                        fromfile=f"{label.as_posix()} (stored)",
                                        tofile=f"{label.as_posix()} ({fresh_label})"))


def check_or_write(argv: Sequence[str] | None, prog: str, description: str | None, label: Path,
                   stale_diff: Callable[[], str], write: Callable[[], Path],
                   after_write: Callable[[], str] = lambda: "") -> int:
    """The command line of a generated document: write it (printing ``wrote <label>`` and whatever
    ``after_write`` adds), or with ``--check`` exit 1 and print the diff when it is out of date."""
    parser = argparse.ArgumentParser(prog=prog, description=description,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--check", action="store_true", help=f"exit 1 if {label.as_posix()} is out of date")
    args = parser.parse_args(argv)
    if args.check:
        diff = stale_diff()
        if diff:
            print(f"{label.as_posix()} is out of date: run {prog}\n\n{diff}")
            return 1
        print(f"{label.as_posix()} is up to date")
        return 0
    write()
    print(f"wrote {label.as_posix()}{after_write()}")
    return 0
