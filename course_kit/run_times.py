"""The notebooks' measured run times: ``results/run_times.json`` rendered as ``results/run_times.md``.

    python -m course_kit.run_times            # rewrite results/run_times.md from the JSON
    python -m course_kit.run_times --check    # exit 1 if the page or a notebook's Run time line is stale

A notebook's **Run time** line is one sentence for the learner: the seconds of
``stated_s`` on a 2-core laptop CPU, and a link here. The machines, dates and earlier
figures live in the JSON's ``history`` (and on the generated page), not in the chapter.
The optional deep dives (``notebooks/deep_dives/``) have entries too, by their stem; their
link climbs one folder more (``../../results/run_times.md``).
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from pathlib import Path
from typing import Any

from course_utils.paths import course_notebooks, repo_root

DATA = Path("results") / "run_times.json"
PAGE = Path("results") / "run_times.md"
LINK = "[results/run_times.md](../results/run_times.md)"  # from a chapter in notebooks/
RUN_TIME_LINE = re.compile(r"\*\*Run time:\*\*[^\n]*")


def link(depth: int = 1) -> str:
    """The Markdown link to the page from a notebook ``depth`` folders below the repository
    root: 1 for a chapter (``notebooks/``), 2 for a deep dive (``notebooks/deep_dives/``)."""
    if depth < 1:
        raise ValueError(f"depth counts the folders between the repository root and the notebook (1 or more), got {depth}")
    return f"[{PAGE.as_posix()}]({'../' * depth}{PAGE.as_posix()})"


def notebook_depth(path: Path, root: Path | None = None) -> int:
    """How many folders ``path`` sits below the repository root ``root``: 1 for ``notebooks/05_lstm.ipynb``."""
    root = (root or repo_root()).resolve()
    try:
        return len(Path(path).resolve().relative_to(root).parts) - 1
    except ValueError:
        raise ValueError(f"{path} is not inside the repository {root}; pass the root it belongs to") from None


def run_time_line(stated_s: int, depth: int = 1) -> str:
    """The one sentence a notebook ``depth`` folders below the root states (:func:`link`), e.g.
    ``**Run time:** about 110 s on a 2-core laptop CPU (measured times: [results/run_times.md](...)).``"""
    return f"**Run time:** about {stated_s} s on a 2-core laptop CPU (measured times: {link(depth)})."


def load(root: Path | None = None) -> dict[str, Any]:
    """The measurements: ``{"about": str, "chapters": {notebook stem: {"stated_s": int, "history": [str]}}}``."""
    return json.loads(((root or repo_root()) / DATA).read_text(encoding="utf-8"))


def render(data: dict[str, Any]) -> str:
    """The Markdown page: one row per notebook with the stated figure, then each notebook's history."""
    chapters = data["chapters"]
    lines = ["# Notebook run times", "",
             "Generated from `results/run_times.json` by `python -m course_kit.run_times`; edit the JSON, not this page.",
             "", data["about"], "", "| notebook | stated (s) |", "|---|---:|"]
    lines += [f"| `{stem}` | {entry['stated_s']} |" for stem, entry in chapters.items()]
    total = sum(entry["stated_s"] for entry in chapters.values())
    lines += [f"| all | {total} |", "", "## History", ""]
    for stem, entry in chapters.items():
        lines.append(f"### `{stem}`")
        lines.append("")
        lines += [f"- {text}" for text in entry["history"]]
        lines.append("")
    return "\n".join(lines).rstrip() + "\n"


def stated_line(path: Path) -> str | None:
    """The Run time line of a notebook's first cells, or None."""
    cells = json.loads(path.read_text(encoding="utf-8"))["cells"][:3]
    match = RUN_TIME_LINE.search("\n".join("".join(c["source"]) for c in cells if c["cell_type"] == "markdown"))
    return match.group(0) if match else None


def stale(root: Path | None = None) -> list[str]:
    """What is out of date: the page, and each notebook (chapters, appendices and deep dives)
    whose Run time line is not the one sentence."""
    root = root or repo_root()
    data = load(root)
    problems = []
    if (root / PAGE).read_text(encoding="utf-8") != render(data):
        problems.append(f"{PAGE} is stale: run python -m course_kit.run_times")
    for path in course_notebooks(root / "notebooks", deep_dives=True):
        entry = data["chapters"].get(path.stem)
        if entry is None:
            problems.append(f"{path.name} has no entry in {DATA}: add its measured seconds there")
            continue
        want = run_time_line(entry["stated_s"], notebook_depth(path, root))
        if stated_line(path) != want:
            problems.append(f"{path.name}: its Run time line should read: {want}")
    return problems


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m course_kit.run_times", description=__doc__.split("\n\n")[0])
    parser.add_argument("--check", action="store_true", help="exit 1 if anything is stale, saying what")
    args = parser.parse_args(argv)
    root = repo_root()
    if args.check:
        problems = stale(root)
        print("\n".join(problems) or "run times: up to date")
        return 1 if problems else 0
    (root / PAGE).write_text(render(load(root)), encoding="utf-8")
    print(f"wrote {PAGE}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
