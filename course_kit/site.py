"""Build a static HTML site of the course from the stored, executed notebooks.

    python -m course_kit.site            # -> build/site/index.html and one page per chapter

Each chapter page is nbconvert's HTML export of the notebook (with its stored plots),
with a navigation bar (index, popular claims, previous, next) added at the top and bottom.
The index lists every chapter with its title, objectives line and run time; ``claims.html``
lists every popular-claim box (:mod:`course_kit.claims`), each linked to its box.

The site works offline: MathJax is copied into ``build/site/mathjax/`` and every page
loads it from there (:mod:`course_kit.pages`); TensorFlow's INFO-level start-up lines
are left out of the stored outputs shown (:mod:`course_kit.tflog`).
"""

from __future__ import annotations

import argparse
import html
import re
import sys
from dataclasses import dataclass
from pathlib import Path

from course_utils.paths import course_notebooks, repo_root

from .claims import Claim, find_claims
from .pages import copy_mathjax, html_exporter
from .tflog import quiet_notebook

ROOT = repo_root()

_STYLE = """
<style>
.course-nav{font:15px/1.4 system-ui,sans-serif;background:#f4f6f8;border-bottom:1px solid #dde;
 padding:10px 24px;display:flex;gap:24px;align-items:center}
.course-nav a{color:#1f5fa8;text-decoration:none}.course-nav .title{font-weight:600;margin-right:auto}
</style>
"""


@dataclass(frozen=True)
class Chapter:
    path: Path
    number: str
    title: str
    run_time: str

    @property
    def page(self) -> str:
        return self.path.with_suffix(".html").name


def describe(path: Path) -> Chapter:
    """Title and run time of a notebook, read from its first markdown cell."""
    import nbformat

    nb = nbformat.read(path, as_version=4)
    first = next((c.source for c in nb.cells if c.cell_type == "markdown"), "")
    title = next((line.lstrip("# ").strip() for line in first.splitlines() if line.startswith("#")), path.stem)
    match = re.search(r"\*\*Run time:\*\*\s*([^\n(]+)", first)
    return Chapter(path, path.name[:2], title, match.group(1).strip().rstrip(".") if match else "")


_CLAIM_BOX = re.compile(r"<blockquote>(\s*<p><strong>Popular claim:</strong>)")


def _anchor_claims(body: str, claims: list[Claim]) -> str:
    """Give the k-th popular-claim box of a chapter page the id of its k-th claim."""
    ids = iter(c.anchor for c in claims)
    return _CLAIM_BOX.sub(lambda m: f'<blockquote id="{next(ids, "claim")}">{m.group(1)}', body)


def _claims_page(claims: list[Claim], chapters: list[Chapter]) -> str:
    rows = "\n".join(
        f'<tr><td>{c.notebook[:2]}</td><td>&ldquo;{html.escape(c.claim)}&rdquo;</td><td>{html.escape(c.truth)}</td>'
        f'<td><a href="{Path(c.notebook).with_suffix(".html").name}#{c.anchor}">the box and its test</a></td></tr>'
        for c in claims
    )
    return f"""<!doctype html><html lang="en"><head><meta charset="utf-8">
<title>Recurrent: popular claims, tested</title>{_STYLE}
<style>body{{margin:0;font:16px/1.5 system-ui,sans-serif}}main{{max-width:1000px;margin:24px auto;padding:0 16px}}
table{{border-collapse:collapse;width:100%}}td,th{{border-bottom:1px solid #e3e3e3;padding:6px 8px;text-align:left;vertical-align:top}}</style>
</head><body>{_nav(chapters, None)}<main>
<h1>Popular claims, tested</h1>
<p>Confident claims from popular writing on RNNs, each answered in its chapter by a short box and a code cell
that measures or computes what is true.</p>
<table><thead><tr><th>#</th><th>claim</th><th>what is true</th><th>where</th></tr></thead><tbody>
{rows}
</tbody></table></main></body></html>
"""


def _nav(chapters: list[Chapter], i: int | None) -> str:
    links = ['<span class="title">Recurrent: RNNs with Keras</span>', '<a href="index.html">All chapters</a>',
             '<a href="claims.html">Popular claims</a>']
    if i is not None and i > 0:
        links.append(f'<a href="{chapters[i - 1].page}">&larr; {html.escape(chapters[i - 1].title)}</a>')
    if i is not None and i + 1 < len(chapters):
        links.append(f'<a href="{chapters[i + 1].page}">{html.escape(chapters[i + 1].title)} &rarr;</a>')
    return f'<nav class="course-nav">{" ".join(links)}</nav>'


def build_site(notebook_dir: Path = ROOT / "notebooks", out_dir: Path = ROOT / "build" / "site") -> list[Path]:
    """Write index.html and one page per chapter and appendix; return the written paths."""
    import nbformat

    paths = course_notebooks(notebook_dir)
    if not paths:
        raise FileNotFoundError(f"no chapter notebooks (00_*.ipynb) in {notebook_dir}")
    chapters = [describe(p) for p in paths]
    out_dir.mkdir(parents=True, exist_ok=True)
    exporter = html_exporter()
    copy_mathjax(out_dir)
    claims = find_claims(notebook_dir)
    written = []
    for i, chapter in enumerate(chapters):
        body, _ = exporter.from_notebook_node(quiet_notebook(nbformat.read(chapter.path, as_version=4)))
        body = _anchor_claims(body, [c for c in claims if c.notebook == chapter.path.name])
        nav = _nav(chapters, i)
        body = body.replace("</head>", _STYLE + "</head>", 1)
        body = re.sub(r"(<body[^>]*>)", lambda m: m.group(1) + nav, body, count=1)
        body = body.replace("</body>", nav + "</body>", 1)
        target = out_dir / chapter.page
        target.write_text(body, encoding="utf-8")
        written.append(target)
    rows = "\n".join(
        f'<tr><td>{c.number}</td><td><a href="{c.page}">{html.escape(c.title)}</a></td><td>{html.escape(c.run_time)}</td></tr>'
        for c in chapters
    )
    index = f"""<!doctype html><html lang="en"><head><meta charset="utf-8">
<title>Recurrent: recurrent neural networks with Keras</title>{_STYLE}
<style>body{{margin:0;font:16px/1.5 system-ui,sans-serif}}main{{max-width:900px;margin:24px auto;padding:0 16px}}
table{{border-collapse:collapse;width:100%}}td,th{{border-bottom:1px solid #e3e3e3;padding:6px 8px;text-align:left}}</style>
</head><body>{_nav(chapters, None)}<main>
<h1>Recurrent</h1>
<p>A hands-on course on recurrent neural networks with Keras and TensorFlow. Every chapter below was executed
on a 2-core CPU, offline; the pages show its stored outputs and plots.</p>
<p>Arrived with a claim from a popular article? <a href="claims.html">Popular claims, tested</a> lists every
claim the course answers, with a link to the cell that tests it.</p>
<table><thead><tr><th>#</th><th>chapter</th><th>run time</th></tr></thead><tbody>
{rows}
</tbody></table></main></body></html>
"""
    (out_dir / "index.html").write_text(index, encoding="utf-8")
    (out_dir / "claims.html").write_text(_claims_page(claims, chapters), encoding="utf-8")
    return [out_dir / "index.html", out_dir / "claims.html", *written]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m course_kit.site", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--notebooks", type=Path, default=ROOT / "notebooks")
    parser.add_argument("--out", type=Path, default=ROOT / "build" / "site")
    args = parser.parse_args(argv)
    pages = build_site(args.notebooks, args.out)
    print(f"wrote {len(pages)} pages; open {pages[0]}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
