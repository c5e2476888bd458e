"""How much a learner reads: the prose words of each notebook, against a core chapter's budget.

    python -m course_kit.prose        # one line per notebook: words, and the budget for a core chapter

A core chapter is one lesson read in one sitting: at most :data:`BUDGET` words of prose.
The count is deliberately strict: every word in the Markdown cells, inside formulas and inline
code too (``$W_{hh} h_{t-1}$`` is four), leaving out only link targets and HTML tags, which a
reader does not read. Code cells do not count.
What a learner may skip goes into an optional deep dive (``notebooks/deep_dives/``), which
has no budget. ``tests/test_prose_budget.py`` holds every core chapter to it.
"""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path

from course_utils.paths import course_notebooks, repo_root

BUDGET = 2500
_LINK_TARGET = re.compile(r"\]\([^)]*\)")
_HTML_TAG = re.compile(r"<[^>]+>")
_WORD = re.compile(r"[A-Za-zÀ-ÿ0-9'’-]+")


def prose_words(path: Path) -> int:
    """The words in the Markdown cells of the notebook at ``path``: letters and digits runs,
    formulas and inline code included, link targets and HTML tags left out."""
    cells = json.loads(Path(path).read_text(encoding="utf-8"))["cells"]
    text = "\n".join("".join(c["source"]) for c in cells if c["cell_type"] == "markdown")
    return len(_WORD.findall(_HTML_TAG.sub(" ", _LINK_TARGET.sub("]", text))))


def main() -> int:
    for path in course_notebooks(repo_root() / "notebooks", deep_dives=True):
        words = prose_words(path)
        core = path.parent.name != "deep_dives"
        flag = ("over the budget" if words > BUDGET else "") if core else "deep dive (no budget)"
        print(f"{path.stem:40} {words:6,} {flag}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
