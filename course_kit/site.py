"""Build a static HTML site of the course from the stored, executed notebooks.

    python -m course_kit.site            # -> build/site/index.html and one page per notebook

Each page is nbconvert's HTML export of a notebook (with its stored plots and diagrams, each
diagram with its alt text: ``templates/offline``), with a navigation bar (index, popular
claims, previous, next) added at the top and bottom. The site mirrors ``notebooks/``: a
chapter's page sits in ``build/site/``, a deep dive's in ``build/site/deep_dives/``, so a
chapter's link to ``deep_dives/10a_x.ipynb`` and a deep dive's to ``../10_x.ipynb`` are
rewritten to the pages (``.ipynb`` to ``.html``) and nothing else changes; the Run time
lines' link to ``results/run_times.md`` goes to the site's ``run_times.html``.
``leaderboard.html`` shows ``results/leaderboard.md`` (:mod:`course_kit.leaderboard`: every
model of the course on one task), linked from the index.

The index lists every core chapter with its title, its one-line objective and its minutes
on a 2-core laptop CPU (from the stated **Run time**), then the optional deep dives under
their chapter's number. The one-line objective is the chapter's first objective (the
``1. ...`` line under **Objectives.**); a notebook without one gets the first sentence after
its Run time line. ``claims.html`` lists every popular-claim box (:mod:`course_kit.claims`),
each linked to its box.

The site works offline: MathJax is copied into ``build/site/mathjax/`` and every page
loads it from there (:mod:`course_kit.pages`); TensorFlow's INFO-level start-up lines
are left out of the stored outputs shown (:mod:`course_kit.tflog`).
"""

from __future__ import annotations

import argparse
import html
import math
import posixpath
import re
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from course_utils.paths import DEEP_DIVE_FOLDER, course_notebooks, repo_root

from .claims import Claim, find_claims
from .leaderboard.cli import PAGE as LEADERBOARD_PAGE
from .pages import copy_mathjax, html_exporter
from .runner import is_deep_dive, notebook_id, stated_seconds
from .run_times import PAGE as RUN_TIMES_PAGE
from .tflog import quiet_notebook

ROOT = repo_root()
RUN_TIMES_HTML = "run_times.html"
LEADERBOARD_HTML = "leaderboard.html"

_STYLE = """
<style>
.course-nav{font:15px/1.4 system-ui,sans-serif;background:#f4f6f8;border-bottom:1px solid #dde;
 padding:10px 24px;display:flex;gap:24px;align-items:center}
.course-nav a{color:#1f5fa8;text-decoration:none}.course-nav .title{font-weight:600;margin-right:auto}
</style>
"""
_PAGE_STYLE = """<style>body{margin:0;font:16px/1.5 system-ui,sans-serif}main{max-width:1000px;margin:24px auto;padding:0 16px}
table{border-collapse:collapse;width:100%}td,th{border-bottom:1px solid #e3e3e3;padding:6px 8px;text-align:left;vertical-align:top}
td.min{white-space:nowrap}</style>"""


@dataclass(frozen=True)
class Chapter:
    """One notebook of the site: a core chapter or appendix, or an optional deep dive."""

    path: Path
    number: str  # the notebook's id: "05", "A1", or a deep dive's "10a"
    title: str
    run_time: str  # "about 110 s on a 2-core laptop CPU"
    objective: str = ""  # one line of Markdown: what a learner can do after it
    seconds: float = 0.0  # the stated Run time
    deep_dive: bool = False

    @property
    def page(self) -> str:
        """The page's path inside the site: ``05_lstm.html``, ``deep_dives/10a_x.html``."""
        name = self.path.with_suffix(".html").name
        return f"{DEEP_DIVE_FOLDER}/{name}" if self.deep_dive else name

    @property
    def chapter(self) -> str:
        """The number of the chapter it belongs to: ``"10"`` for ``10`` and ``10a``."""
        return self.number[:2]

    @property
    def minutes(self) -> str:
        """The stated run time in whole minutes, rounded up: ``"about 2 min"`` ("" if none)."""
        return f"about {math.ceil(self.seconds / 60)} min" if self.seconds > 0 else ""


_OBJECTIVE = re.compile(r"\*\*Objectives?\.?\*\*.*?^\s*1\.\s+(?P<line>[^\n]+)", re.S | re.M)
_AFTER_RUN_TIME = re.compile(r"\*\*Run time:\*\*[^\n]*\n\s*\n(?P<para>[^\n]+)")


def _objective(markdown: str) -> str:
    """The first objective line (``1. ...`` under **Objectives.**), else the first sentence after
    the Run time line; without its list punctuation."""
    match = _OBJECTIVE.search(markdown)
    if match:
        return match.group("line").strip().rstrip(";.,").strip()
    match = _AFTER_RUN_TIME.search(markdown)
    if match:
        return re.split(r"(?<=[.!?])\s", match.group("para").strip(), maxsplit=1)[0]
    return ""


def describe(path: Path) -> Chapter:
    """Title, run time and one-line objective of a notebook, read from its first markdown cells."""
    import nbformat

    nb = nbformat.read(path, as_version=4)
    markdown = [c.source for c in nb.cells if c.cell_type == "markdown"]
    first = markdown[0] if markdown else ""
    title = next((line.lstrip("# ").strip() for line in first.splitlines() if line.startswith("#")), path.stem)
    match = re.search(r"\*\*Run time:\*\*\s*([^\n(]+)", first)
    return Chapter(path, notebook_id(path), title, match.group(1).strip().rstrip(".") if match else "",
                   _objective("\n\n".join(markdown[:2])), stated_seconds(path), is_deep_dive(path))


_MATH = re.compile(r"\$([^$]+)\$")
_TEX_SYMBOLS = {"partial": "∂", "odot": "⊙", "cdot": "·", "times": "×", "nabla": "∇", "sum": "∑", "prod": "∏",
                "le": "≤", "leq": "≤", "ge": "≥", "geq": "≥", "approx": "≈", "to": "→", "rightarrow": "→",
                "in": "∈", "ell": "ℓ", "alpha": "α", "beta": "β", "gamma": "γ", "delta": "δ", "eta": "η",
                "theta": "θ", "lambda": "λ", "mu": "μ", "sigma": "σ", "tau": "τ", "phi": "φ", "infty": "∞",
                "mathbf": "", "mathrm": "", "mathcal": "", "text": "", "operatorname": ""}
_CODE = re.compile(r"`([^`]+)`")


def _tex_text(tex: str) -> str:
    """Inline TeX as plain HTML, for the index (which loads no MathJax): ``W_{hh}`` as W<sub>hh</sub>."""
    text = re.sub(r"\\(?:left|right|,|;|!)", "", tex)
    text = re.sub(r"\\([A-Za-z]+)", lambda m: _TEX_SYMBOLS.get(m.group(1), m.group(1)), text)
    for mark, tag in (("_", "sub"), (r"\^", "sup")):
        text = re.sub(mark + r"\{([^{}]*)\}", rf"<{tag}>\1</{tag}>", text)
        text = re.sub(mark + r"([A-Za-z0-9])", rf"<{tag}>\1</{tag}>", text)
    return "<i>" + text.replace("{", "").replace("}", "") + "</i>"


def inline_html(markdown: str) -> str:
    """One line of the notebooks' Markdown as HTML: code, inline maths, bold, italics, links (as text)."""
    spans: list[str] = []

    def keep(fragment: str) -> str:
        spans.append(fragment)
        return f"\x00{len(spans) - 1}\x00"

    text = _CODE.sub(lambda m: keep(f"<code>{html.escape(m.group(1))}</code>"), markdown)
    text = _MATH.sub(lambda m: keep(_tex_text(html.escape(m.group(1), quote=False))), text)
    text = html.escape(re.sub(r"\[([^\]]+)\]\([^)]*\)", r"\1", text), quote=False)
    text = re.sub(r"\*\*(.+?)\*\*", r"<strong>\1</strong>", text)
    text = re.sub(r"(?<![\w*])\*(?!\s)(.+?)(?<!\s)\*(?![\w*])", r"<em>\1</em>", text)
    return re.sub("\x00(\\d+)\x00", lambda m: spans[int(m.group(1))], text)


_CLAIM_BOX = re.compile(r"<blockquote>(\s*<p><strong>Popular claim:</strong>)")
_HREF = re.compile(r'href="(?P<target>[^"#:?]+)(?P<rest>[#?][^"]*)?"')


def _anchor_claims(body: str, claims: list[Claim]) -> str:
    """Give the k-th popular-claim box of a page the id of its k-th claim."""
    ids = iter(c.anchor for c in claims)
    return _CLAIM_BOX.sub(lambda m: f'<blockquote id="{next(ids, "claim")}">{m.group(1)}', body)


def rewrite_links(body: str, page: str, pages: set[str], run_times: bool = False) -> str:
    """Point a page's relative links to notebooks at their pages in the site.

    ``page`` is the page's path in the site (``deep_dives/10a_x.html``) and ``pages`` every
    page's. The site mirrors ``notebooks/``, so a link ``X.ipynb`` that resolves to a page
    becomes ``X.html``; with ``run_times``, a link to the repository's
    ``results/run_times.md`` (one folder above ``notebooks/``) becomes the site's
    ``run_times.html``. Every other link is left as written."""
    folder = posixpath.dirname(page)

    def fix(match: re.Match[str]) -> str:
        target, rest = match.group("target"), match.group("rest") or ""
        if target.startswith("/"):
            return match.group(0)
        resolved = posixpath.normpath(posixpath.join(folder, target))
        if target.endswith(".ipynb") and resolved[: -len(".ipynb")] + ".html" in pages:
            return f'href="{target[: -len(".ipynb")]}.html{rest}"'
        if run_times and resolved == "../" + RUN_TIMES_PAGE.as_posix():
            return f'href="{posixpath.relpath(RUN_TIMES_HTML, folder or ".")}{rest}"'
        return match.group(0)

    return _HREF.sub(fix, body)


def _claims_page(claims: list[Claim], chapters: list[Chapter]) -> str:
    rows = "\n".join(
        f'<tr><td>{c.notebook_id}</td><td>&ldquo;{html.escape(c.claim)}&rdquo;</td><td>{html.escape(c.truth)}</td>'
        f'<td><a href="{Path(c.notebook).with_suffix(".html").as_posix()}#{c.anchor}">the box and its test</a></td></tr>'
        for c in claims
    )
    return f"""<!doctype html><html lang="en"><head><meta charset="utf-8">
<title>Recurrent: popular claims, tested</title>{_STYLE}
{_PAGE_STYLE}
</head><body>{_nav(chapters, None)}<main>
<h1>Popular claims, tested</h1>
<p>Confident claims from popular writing on RNNs, each answered in its chapter by a short box and a code cell
that measures or computes what is true.</p>
<table><thead><tr><th>#</th><th>claim</th><th>what is true</th><th>where</th></tr></thead><tbody>
{rows}
</tbody></table></main></body></html>
"""


def _nav(chapters: list[Chapter], i: int | None) -> str:
    """The navigation bar of page ``i`` (None: a page in the site's root that is no chapter).
    Core chapters link the previous and the next core chapter; a deep dive links its chapter."""
    here = chapters[i] if i is not None else None
    up = "../" if here is not None and here.deep_dive else ""
    links = ['<span class="title">Recurrent: RNNs with Keras</span>', f'<a href="{up}index.html">All chapters</a>',
             f'<a href="{up}claims.html">Popular claims</a>']

    def link(other: Chapter, text: str) -> str:
        return f'<a href="{up}{other.page}">{text}</a>'

    if here is not None and here.deep_dive:
        parent = next((c for c in chapters if not c.deep_dive and c.number == here.chapter), None)
        if parent is not None:
            links.append(link(parent, f"&uarr; {html.escape(parent.title)}"))
    elif here is not None:
        core = [c for c in chapters if not c.deep_dive]
        k = core.index(here)
        if k > 0:
            links.append(link(core[k - 1], f"&larr; {html.escape(core[k - 1].title)}"))
        if k + 1 < len(core):
            links.append(link(core[k + 1], f"{html.escape(core[k + 1].title)} &rarr;"))
    return f'<nav class="course-nav">{" ".join(links)}</nav>'


def _index_page(chapters: list[Chapter], leaderboard: bool = False) -> str:
    core = [c for c in chapters if not c.deep_dive]
    dives = [c for c in chapters if c.deep_dive]
    rows = "\n".join(
        f'<tr><td>{c.number}</td><td><a href="{c.page}">{html.escape(c.title)}</a></td>'
        f'<td>{inline_html(c.objective)}</td><td class="min">{c.minutes}</td></tr>'
        for c in core
    )
    section = ""
    if dives:
        dive_rows = "\n".join(
            f'<tr><td>{c.chapter}</td><td><a href="{c.page}">{html.escape(c.title)}</a></td>'
            f'<td class="min">{c.minutes}</td></tr>'
            for c in dives
        )
        section = f"""
<h2 id="deep-dives">Deep dives (optional)</h2>
<p>Each deep dive goes further into one chapter: the evidence behind its figures, larger models, extra
comparisons. Skip them on a first pass; each chapter links its own at the end. They run on their own and are
tested like every notebook.</p>
<table><thead><tr><th>chapter</th><th>deep dive</th><th>time</th></tr></thead><tbody>
{dive_rows}
</tbody></table>"""
    return f"""<!doctype html><html lang="en"><head><meta charset="utf-8">
<title>Recurrent: recurrent neural networks with Keras</title>{_STYLE}
{_PAGE_STYLE}
</head><body>{_nav(chapters, None)}<main>
<h1>Recurrent</h1>
<p>A hands-on course on recurrent neural networks with Keras and TensorFlow. Every notebook below was executed
on a 2-core CPU, offline; the pages show its stored outputs, plots and diagrams. Times are for a 2-core laptop CPU.</p>
<p>Arrived with a claim from a popular article? <a href="claims.html">Popular claims, tested</a> lists every
claim the course answers, with a link to the cell that tests it.</p>{_leaderboard_line(leaderboard)}
<h2 id="chapters">Chapters</h2>
<table><thead><tr><th>#</th><th>chapter</th><th>after it you can</th><th>time</th></tr></thead><tbody>
{rows}
</tbody></table>{section}</main></body></html>
"""


def _leaderboard_line(leaderboard: bool) -> str:
    """The index's paragraph that links the leaderboard page ("" where the site has none)."""
    if not leaderboard:
        return ""
    return (f'\n<p>How do the course\'s models compare on one task? <a href="{LEADERBOARD_HTML}">The leaderboard</a>: '
            "every model, from character counts to the Transformer, on next-character prediction in Shakespeare, "
            "under one training budget.</p>")


def _markdown_page(source: Path, chapters: list[Chapter], title: str = "notebook run times") -> str:
    """A Markdown file of ``results/`` (``run_times.md``, ``leaderboard.md``) as a page of the site."""
    from nbconvert.filters import markdown2html

    return f"""<!doctype html><html lang="en"><head><meta charset="utf-8">
<title>Recurrent: {html.escape(title)}</title>{_STYLE}
{_PAGE_STYLE}
</head><body>{_nav(chapters, None)}<main>
{markdown2html(source.read_text(encoding="utf-8"))}
</main></body></html>
"""


def _notebook_page(chapters: list[Chapter], i: int, claims: list[Claim], run_times: bool, exporter: Any) -> str:
    """The HTML page of ``chapters[i]``: nbconvert's export, claim ids, links and navigation."""
    import nbformat

    chapter = chapters[i]
    body, _ = exporter.from_notebook_node(quiet_notebook(nbformat.read(chapter.path, as_version=4)))
    body = _anchor_claims(body, [c for c in claims if Path(c.notebook).with_suffix(".html").as_posix() == chapter.page])
    body = rewrite_links(body, chapter.page, {c.page for c in chapters}, run_times)
    nav = _nav(chapters, i)
    body = body.replace("</head>", _STYLE + "</head>", 1)
    body = re.sub(r"(<body[^>]*>)", lambda m: m.group(1) + nav, body, count=1)
    return body.replace("</body>", nav + "</body>", 1)


def build_site(notebook_dir: Path = ROOT / "notebooks", out_dir: Path = ROOT / "build" / "site") -> list[Path]:
    """Write index.html, claims.html, run_times.html and leaderboard.html (where
    ``results/run_times.md`` and ``results/leaderboard.md`` sit next to ``notebook_dir``) and one
    page per chapter, appendix and deep dive; return the written paths: index, claims, then the
    notebooks' pages in course order (then run_times.html, then leaderboard.html)."""
    paths = course_notebooks(notebook_dir, deep_dives=True)
    if not any(not is_deep_dive(p) for p in paths):
        raise FileNotFoundError(f"no chapter notebooks (00_*.ipynb) in {notebook_dir}")
    chapters = [describe(p) for p in paths]
    out_dir.mkdir(parents=True, exist_ok=True)
    copy_mathjax(out_dir)
    claims = find_claims(notebook_dir)
    run_times = Path(notebook_dir).parent / RUN_TIMES_PAGE
    leaderboard = Path(notebook_dir).parent / LEADERBOARD_PAGE
    exporters = {False: html_exporter(), True: html_exporter("../")}  # a deep dive's page is one folder down
    written = []
    for i, chapter in enumerate(chapters):
        target = out_dir / chapter.page
        target.parent.mkdir(parents=True, exist_ok=True)
        page = _notebook_page(chapters, i, claims, run_times.is_file(), exporters[chapter.deep_dive])
        target.write_text(page, encoding="utf-8")
        written.append(target)
    (out_dir / "index.html").write_text(_index_page(chapters, leaderboard.is_file()), encoding="utf-8")
    (out_dir / "claims.html").write_text(_claims_page(claims, chapters), encoding="utf-8")
    extra = []
    if run_times.is_file():
        (out_dir / RUN_TIMES_HTML).write_text(_markdown_page(run_times, chapters), encoding="utf-8")
        extra.append(out_dir / RUN_TIMES_HTML)
    if leaderboard.is_file():
        (out_dir / LEADERBOARD_HTML).write_text(_markdown_page(leaderboard, chapters, "leaderboard"), encoding="utf-8")
        extra.append(out_dir / LEADERBOARD_HTML)
    return [out_dir / "index.html", out_dir / "claims.html", *written, *extra]


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
