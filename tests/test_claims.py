"""The popular-claims index: every box has its answer and its test cell, and the index is current."""

from __future__ import annotations

from pathlib import Path

import nbformat
import pytest

from course_kit.claims import INDEX, find_claims, main, render_index

ROOT = Path(__file__).resolve().parents[1]


def test_every_claim_box_has_an_answer_and_a_test_cell() -> None:
    claims = find_claims(ROOT / "notebooks")
    assert len(claims) >= 10
    for claim in claims:
        cells = nbformat.read(ROOT / "notebooks" / claim.notebook, as_version=4).cells
        test = cells[claim.test_cell]
        assert test.cell_type == "code" and test.source.strip(), f"{claim.anchor}: empty test cell"
        assert claim.truth, f"{claim.anchor}: no answer"


def test_the_index_page_is_up_to_date() -> None:
    assert INDEX.read_text(encoding="utf-8") == render_index(find_claims(ROOT / "notebooks")), \
        "docs/POPULAR_CLAIMS.md is out of date: run python -m course_kit.claims"
    assert main(["--check"]) == 0


def test_a_box_without_its_answer_or_test_is_rejected(tmp_path: Path) -> None:
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_markdown_cell('> **Popular claim:** "RNNs are magic."')]
    nbformat.write(nb, tmp_path / "01_x.ipynb")
    with pytest.raises(ValueError, match="What is true"):
        find_claims(tmp_path)
    nb.cells = [nbformat.v4.new_markdown_cell('> **Popular claim:** "RNNs are magic."\n>\n> **What is true:** no.')]
    nbformat.write(nb, tmp_path / "01_x.ipynb")
    with pytest.raises(ValueError, match="no code cell follows"):
        find_claims(tmp_path)
