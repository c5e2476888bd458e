"""The static site: an index linking every chapter, and navigation on every page."""

from __future__ import annotations

import re
from pathlib import Path

from course_kit.site import build_site, describe
from course_utils.paths import course_notebooks

ROOT = Path(__file__).resolve().parents[1]


def test_site_has_an_index_and_navigation(tmp_path: Path) -> None:
    pages = build_site(ROOT / "notebooks", tmp_path)
    index = (tmp_path / "index.html").read_text(encoding="utf-8")
    notebooks = course_notebooks(ROOT / "notebooks")
    assert len(pages) == len(notebooks) + 2  # + index.html and claims.html
    for nb in notebooks:
        page = tmp_path / nb.with_suffix(".html").name
        assert f'href="{page.name}"' in index
        text = page.read_text(encoding="utf-8")
        assert text.count('class="course-nav"') == 2 and 'href="index.html"' in text
        assert "data:image/png;base64" in text, f"{page.name} shows no stored plot"


def test_describe_reads_title_and_run_time() -> None:
    chapter = describe(ROOT / "notebooks" / "00_setup_and_sequences.ipynb")
    assert chapter.title == "00 · Setup and sequences"
    assert re.fullmatch(r"about \d+ s on a 2-core laptop CPU", chapter.run_time), chapter.run_time


def test_claims_page_links_to_an_anchored_box_in_each_chapter(tmp_path: Path) -> None:
    from course_kit.claims import find_claims

    build_site(ROOT / "notebooks", tmp_path)
    claims = find_claims(ROOT / "notebooks")
    page = (tmp_path / "claims.html").read_text(encoding="utf-8")
    assert 'href="claims.html"' in (tmp_path / "index.html").read_text(encoding="utf-8")
    for claim in claims:
        chapter_page = Path(claim.notebook).with_suffix(".html").name
        assert f'href="{chapter_page}#{claim.anchor}"' in page
        chapter = (tmp_path / chapter_page).read_text(encoding="utf-8")
        assert f'<blockquote id="{claim.anchor}">' in chapter, f"{chapter_page} has no box with id {claim.anchor}"
