"""The index of popular claims that the course tests.

Each chapter answers some confident claims from popular writing on RNNs in a box that starts
``> **Popular claim:** "..."``, followed by a code cell that shows what is true. This module
finds those boxes, in the chapters and in the optional deep dives (``notebooks/deep_dives/``),
and writes their index, ``docs/POPULAR_CLAIMS.md``; the static site lists them too
(:mod:`course_kit.site`).

    python -m course_kit.claims           # rewrite docs/POPULAR_CLAIMS.md
    python -m course_kit.claims --check   # exit 1 if it is out of date
"""

from __future__ import annotations

import argparse
import re
import sys
from dataclasses import dataclass
from pathlib import Path

from course_utils.paths import course_notebooks, repo_root

ROOT = repo_root()
INDEX = ROOT / "docs" / "POPULAR_CLAIMS.md"
CLAIM = re.compile(r'^> \*\*Popular claim:\*\*\s*"(?P<claim>[^"]+)"', re.MULTILINE)
TRUE = re.compile(r"^> \*\*What is true:\*\*\s*(?P<true>.+)$", re.MULTILINE)


@dataclass(frozen=True)
class Claim:
    notebook: str  # path inside notebooks/, e.g. "08_sentiment.ipynb" or "deep_dives/10a_subwords.ipynb"
    number: int  # 1, 2, ... within the chapter
    claim: str
    truth: str  # the first sentence of the "What is true" paragraph
    section: str  # the heading the box sits under
    test_cell: int  # index of the code cell after the box, counted from 0

    @property
    def notebook_id(self) -> str:
        """The notebook's id: ``"08"``, ``"A1"``, or a deep dive's ``"10a"``."""
        return Path(self.notebook).stem.split("_", 1)[0]

    @property
    def anchor(self) -> str:
        return f"claim-{self.notebook_id}-{self.number}"


def _first_sentence(text: str) -> str:
    return re.split(r"(?<=[.!?])\s", text.strip(), maxsplit=1)[0]


def find_claims(notebook_dir: Path = ROOT / "notebooks") -> list[Claim]:
    """Every popular-claim box in the course's notebooks (chapters, appendices, then deep dives), in course order.
    Raises ``ValueError`` for a box without a "What is true" line or without a code cell after it."""
    import nbformat

    claims = []
    for path in course_notebooks(notebook_dir, deep_dives=True):
        name = path.relative_to(notebook_dir).as_posix()
        cells = nbformat.read(path, as_version=4).cells
        section, n = path.stem, 0
        for i, cell in enumerate(cells):
            if cell.cell_type != "markdown":
                continue
            for match in CLAIM.finditer(cell.source):
                n += 1
                where = f"{name}, cell {i}"
                truth = TRUE.search(cell.source, match.end())
                if truth is None:
                    raise ValueError(f"{where}: the claim box has no '> **What is true:**' line")
                test = next((j for j in range(i + 1, len(cells)) if cells[j].cell_type == "code"), None)
                if test is None:
                    raise ValueError(f"{where}: no code cell follows the claim box; add the cell that tests it")
                before = cell.source[: match.start()]
                heads_before = re.findall(r"^#{1,3} (.+)$", before, re.MULTILINE)
                claims.append(Claim(name, n, match.group("claim"), _first_sentence(truth.group("true")),
                                    heads_before[-1] if heads_before else section, test))
            headings = re.findall(r"^#{1,3} (.+)$", cell.source, re.MULTILINE)
            if headings:
                section = headings[-1]
    return claims


def render_index(claims: list[Claim]) -> str:
    """The markdown of docs/POPULAR_CLAIMS.md."""
    lines = [
        "# Popular claims, tested",
        "",
        "Learners often arrive with confident claims from popular articles about RNNs. Each claim below",
        "has a short box in its chapter: the claim, what is true, and a code cell right after the box",
        "that shows it by measurement or computation. In the HTML site (`make site`) each link jumps to",
        "the box.",
        "",
        "This page is generated from the notebooks: `python -m course_kit.claims` rewrites it, and",
        "`make test` fails when it is out of date.",
        "",
        "| # | chapter | claim | what is true | where |",
        "|---:|---|---|---|---|",
    ]
    for k, c in enumerate(claims, 1):
        truth = c.truth.replace("|", "\\|")
        lines.append(f"| {k} | {c.notebook_id} | \"{c.claim}\" | {truth} | "
                     f"[{Path(c.notebook).name}](../notebooks/{c.notebook}), {c.section}, test cell {c.test_cell} "
                     f"(site: `{Path(c.notebook).with_suffix('.html').as_posix()}#{c.anchor}`) |")
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m course_kit.claims", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--check", action="store_true", help="exit 1 if docs/POPULAR_CLAIMS.md is out of date")
    args = parser.parse_args(argv)
    claims = find_claims()
    text = render_index(claims)
    if args.check:
        if not INDEX.exists() or INDEX.read_text(encoding="utf-8") != text:
            print(f"{INDEX.relative_to(ROOT)} is out of date: run python -m course_kit.claims")
            return 1
        print(f"{INDEX.relative_to(ROOT)} is up to date")
        return 0
    INDEX.write_text(text, encoding="utf-8")
    print(f"wrote {INDEX.relative_to(ROOT)} ({len(claims)} claims)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
