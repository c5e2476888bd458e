"""The static site: an index of the core chapters and the optional deep dives, navigation on every
page, links between chapters and deep dives that work in the site, and diagrams with their alt text."""

from __future__ import annotations

import posixpath
import re
import shutil
from html.parser import HTMLParser
from pathlib import Path

import nbformat
import pytest

from course_kit.site import build_site, describe, inline_html, rewrite_links
from course_utils.paths import course_notebooks, deep_dive_notebooks

ROOT = Path(__file__).resolve().parents[1]
GENERIC_ALT = "No description has been provided for this image"  # what nbconvert gives an image without one


class _Tags(HTMLParser):
    """Every ``<img>``'s attributes and every link target (``href``/``src``) of a page."""

    def __init__(self) -> None:
        super().__init__()
        self.images: list[dict[str, str | None]] = []
        self.links: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        if tag == "img":
            self.images.append(found)
        for key in ("href", "src"):
            if found.get(key):
                self.links.append(found[key])


def _tags(page: Path) -> _Tags:
    parser = _Tags()
    parser.feed(page.read_text(encoding="utf-8"))
    return parser


def diagram_alts(path: Path) -> list[str]:
    """The alt texts a notebook's stored diagrams carry (``course_utils.diagrams.show`` puts each in
    its output's ``metadata["image/png"]["alt"]``)."""
    return [out["metadata"]["image/png"]["alt"] for cell in nbformat.read(path, as_version=4).cells
            if cell.cell_type == "code" for out in cell.get("outputs", [])
            if isinstance(out.get("metadata", {}).get("image/png"), dict) and out["metadata"]["image/png"].get("alt")]


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, list[Path]]:
    """The course's site, built once from the stored notebooks: (folder, written pages)."""
    out = tmp_path_factory.mktemp("site")
    return out, build_site(ROOT / "notebooks", out)


def test_site_has_an_index_and_navigation(site) -> None:
    out, pages = site
    index = (out / "index.html").read_text(encoding="utf-8")
    notebooks = course_notebooks(ROOT / "notebooks", deep_dives=True)
    assert len(pages) == len(notebooks) + 4  # + index.html, claims.html, run_times.html and leaderboard.html
    for nb in notebooks:
        dive = nb.parent.name == "deep_dives"
        page = out / nb.relative_to(ROOT / "notebooks").with_suffix(".html")
        assert f'href="{page.relative_to(out).as_posix()}"' in index, f"the index does not link {page.name}"
        text = page.read_text(encoding="utf-8")
        up = "../" if dive else ""
        assert text.count('class="course-nav"') == 2 and f'href="{up}index.html"' in text
        if not dive:
            assert "data:image/png;base64" in text, f"{page.name} shows no stored plot"


def test_index_shows_objectives_and_minutes_then_the_deep_dives(site) -> None:
    out, _ = site
    index = (out / "index.html").read_text(encoding="utf-8")
    core = [describe(p) for p in course_notebooks(ROOT / "notebooks")]
    for chapter in core:
        assert chapter.objective, f"{chapter.path.name}: no objective line for the index"
        row = re.search(rf'<tr><td>{chapter.number}</td><td><a href="{re.escape(chapter.page)}">.*?</tr>', index)
        assert row, f"the index has no row for {chapter.page}"
        assert inline_html(chapter.objective) in row.group(0) and re.search(r">about \d+ min<", row.group(0))
        assert " s on a " not in row.group(0), "the index gives minutes, not the Run time sentence"
    dives = deep_dive_notebooks(ROOT / "notebooks")
    if dives:
        section = index.index("Deep dives (optional)")
        assert all(index.index(f'href="{c.page}"') < section for c in core)
        for path in dives:
            dive = describe(path)
            assert dive.deep_dive and dive.page == f"deep_dives/{path.stem}.html"
            assert re.search(rf'<tr><td>{dive.chapter}</td><td><a href="{re.escape(dive.page)}">'
                             rf'{re.escape(dive.title)}</a></td><td class="min">about \d+ min</td></tr>', index[section:])


def test_every_relative_link_of_a_page_resolves(site) -> None:
    """A link inside the site reaches a file of the site (a chapter's ``deep_dives/10a_x.ipynb``
    became ``deep_dives/10a_x.html``); one that leaves it is a link of the notebook into the
    repository (``../docs/...``) and reaches a file there."""
    out, pages = site
    broken = []
    for page in pages:
        folder = page.parent.relative_to(out).as_posix()
        for link in _tags(page).links:
            target = link.split("#", 1)[0].split("?", 1)[0]
            if not target or re.match(r"^[a-z]+:", target):
                continue
            resolved = posixpath.normpath(posixpath.join(folder, target))
            exists = (out / resolved).exists() if not resolved.startswith("../") else \
                (ROOT / "notebooks" / resolved).resolve().exists()
            if not exists or (target.endswith(".ipynb") and not resolved.startswith("../")):
                broken.append(f"{page.relative_to(out)}: {link}")
    assert not broken, f"links that do not work in the site: {broken}"


def test_every_chapter_page_shows_its_diagrams_with_alt_text(site) -> None:
    out, _ = site
    for path in course_notebooks(ROOT / "notebooks"):
        want = diagram_alts(path)
        assert want, f"{path.name} shows no course diagram (course_utils.diagrams.show)"
        images = _tags(out / path.with_suffix(".html").name).images
        alts = [img.get("alt") for img in images if (img.get("src") or "").startswith("data:image/png;base64,")]
        assert all(alt for alt in alts), f"{path.name}: an image without alt text"
        missing = [alt[:60] for alt in want if alt not in alts]
        assert not missing, f"{path.name}: diagrams shown without their alt text: {missing}"
        assert any(alt != GENERIC_ALT for alt in alts)


def test_describe_reads_title_run_time_and_objective() -> None:
    chapter = describe(ROOT / "notebooks" / "00_setup_and_sequences.ipynb")
    assert chapter.title == "00 · Setup and sequences"
    assert re.fullmatch(r"about \d+ s on a 2-core laptop CPU", chapter.run_time), chapter.run_time
    assert chapter.objective.startswith("check your environment") and not chapter.objective.endswith(";")
    assert re.fullmatch(r"about \d+ min", chapter.minutes) and not chapter.deep_dive and chapter.page == "00_setup_and_sequences.html"


def test_inline_html_renders_markdown_and_maths_without_mathjax() -> None:
    assert inline_html(r"write $h_{t-1} \odot a_t$ with `x<y`, **by time**, *not* [here](a.ipynb)") == \
        "write <i>h<sub>t-1</sub> ⊙ a<sub>t</sub></i> with <code>x&lt;y</code>, <strong>by time</strong>, <em>not</em> here"


def test_rewrite_links_points_notebook_links_at_pages() -> None:
    pages = {"10_seq.html", "deep_dives/10a_sub.html"}
    chapter = '<a href="deep_dives/10a_sub.ipynb#top">d</a> <a href="11_x.ipynb">x</a> <a href="../results/run_times.md">t</a>'
    assert rewrite_links(chapter, "10_seq.html", pages, run_times=True) == \
        '<a href="deep_dives/10a_sub.html#top">d</a> <a href="11_x.ipynb">x</a> <a href="run_times.html">t</a>'
    dive = '<a href="../10_seq.ipynb">c</a> <a href="../../results/run_times.md">t</a> <a href="https://x.org/a.ipynb">w</a>'
    assert rewrite_links(dive, "deep_dives/10a_sub.html", pages, run_times=True) == \
        '<a href="../10_seq.html">c</a> <a href="../run_times.html">t</a> <a href="https://x.org/a.ipynb">w</a>'
    assert rewrite_links(dive, "deep_dives/10a_sub.html", pages) == dive.replace("10_seq.ipynb", "10_seq.html")


def test_a_deep_dive_gets_its_page_and_its_row(tmp_path: Path) -> None:
    """With a tiny deep dive of chapter 00: its page in deep_dives/, MathJax one folder up, the
    chapter's link to it and its link back both working, and its row under the chapter's number."""
    notebooks = tmp_path / "notebooks"
    (notebooks / "deep_dives").mkdir(parents=True)
    (tmp_path / "results").mkdir()
    shutil.copy(ROOT / "results" / "run_times.md", tmp_path / "results" / "run_times.md")
    chapter = nbformat.read(ROOT / "notebooks" / "00_setup_and_sequences.ipynb", as_version=4)
    chapter.cells.append(nbformat.v4.new_markdown_cell(
        "**Deep dives (optional):** [00a · Deep dive: more](deep_dives/00a_more.ipynb): one line."))
    nbformat.write(chapter, notebooks / "00_setup_and_sequences.ipynb")
    dive = nbformat.v4.new_notebook(cells=[
        nbformat.v4.new_markdown_cell(
            "# 00a · Deep dive: more\n\n**Run time:** about 70 s on a 2-core laptop CPU (measured times: "
            "[results/run_times.md](../../results/run_times.md)).\n\nOptional; it goes deeper into "
            "[chapter 00](../00_setup_and_sequences.ipynb).\n\n$$a = b$$"),
        nbformat.v4.new_code_cell("print(1)")])
    nbformat.write(dive, notebooks / "deep_dives" / "00a_more.ipynb")

    pages = build_site(notebooks, tmp_path / "site")
    site = tmp_path / "site"
    assert site / "deep_dives" / "00a_more.html" in pages and site / "run_times.html" in pages
    index = (site / "index.html").read_text(encoding="utf-8")
    assert '<tr><td>00</td><td><a href="deep_dives/00a_more.html">00a · Deep dive: more</a></td>' \
           '<td class="min">about 2 min</td></tr>' in index
    assert index.index("Chapters") < index.index("Deep dives (optional)")
    page = (site / "deep_dives" / "00a_more.html").read_text(encoding="utf-8")
    assert 'src="../mathjax/MathJax.js' in page and 'href="../00_setup_and_sequences.html"' in page
    assert 'href="../run_times.html"' in page and 'href="../index.html"' in page
    assert "&uarr; 00 · Setup and sequences" in page, "a deep dive's navigation leads back to its chapter"
    assert 'href="deep_dives/00a_more.html"' in (site / "00_setup_and_sequences.html").read_text(encoding="utf-8")


def test_claims_page_links_to_an_anchored_box_in_each_chapter(site) -> None:
    from course_kit.claims import find_claims

    out, _ = site
    claims = find_claims(ROOT / "notebooks")
    page = (out / "claims.html").read_text(encoding="utf-8")
    assert 'href="claims.html"' in (out / "index.html").read_text(encoding="utf-8")
    for claim in claims:
        chapter_page = Path(claim.notebook).with_suffix(".html").as_posix()
        assert f'href="{chapter_page}#{claim.anchor}"' in page
        chapter = (out / chapter_page).read_text(encoding="utf-8")
        assert f'<blockquote id="{claim.anchor}">' in chapter, f"{chapter_page} has no box with id {claim.anchor}"
