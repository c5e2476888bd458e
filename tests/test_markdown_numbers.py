"""Numbers in the prose must be backed by the notebook itself.

A decimal number written in a markdown cell (outside maths) must also appear in the same
notebook's code (a setting such as a learning rate, in any spelling: 0.003 or 3e-3) or in
its stored outputs (a measured figure, at the precision the prose quotes). A figure measured
somewhere else, once, and pasted into the prose goes stale silently; this test makes it fail
instead. Maths ($...$) is derivation, not measurement, and is not checked; arXiv identifiers
are not measurements either.

A percentage in the prose ("88%", "69.2 %") is held to the same rule: a cell must show that
number, or the fraction it stands for (0.88), at the precision the prose quotes.
"""

from __future__ import annotations

import re
from pathlib import Path

import nbformat
import pytest

from course_utils.paths import course_notebooks

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = course_notebooks(ROOT / "notebooks", deep_dives=True)  # chapters, appendices and deep dives
PROSE_NUMBER = re.compile(r"(?<![\w.^_{/-])(\d+\.\d+)(?![\w.])(?!\s?%)")  # a percentage: below
PERCENTAGE = re.compile(r"(?<![\w.^_{/-])(\d+(?:\.\d+)?)\s?%")
ANY_NUMBER = re.compile(r"(?<![\w.])-?(\d+\.?\d*(?:[eE][-+]?\d+)?)")
NOT_MEASURED = re.compile(r"\$\$.*?\$\$|\$[^$]*\$|arXiv:\S+|`[^`]*`", re.DOTALL)


def _backing(nb: nbformat.NotebookNode) -> list[float]:
    texts = []
    for cell in nb.cells:
        if cell.cell_type != "code":
            continue
        texts.append(cell.source)
        for out in cell.get("outputs", []):
            texts.append(out.get("text", "") if isinstance(out.get("text", ""), str) else "".join(out["text"]))
            texts.append(out.get("data", {}).get("text/plain", ""))
    values = []
    for m in ANY_NUMBER.finditer("\n".join(texts)):
        try:
            values.append(float(m.group(1)))
        except ValueError:
            pass
    return values


def unbacked_numbers(path: Path) -> list[str]:
    nb = nbformat.read(path, as_version=4)
    values = _backing(nb)
    problems = []
    for i, cell in enumerate(nb.cells):
        if cell.cell_type != "markdown":
            continue
        prose = NOT_MEASURED.sub(" ", cell.source)
        # a decimal must be shown as itself; a percentage as itself or as the fraction it stands for
        for pattern, suffix, percent in ((PROSE_NUMBER, "", False), (PERCENTAGE, "%", True)):
            for m in pattern.finditer(prose):
                quoted = m.group(1)
                decimals = len(quoted.split(".")[1]) if "." in quoted else 0
                shown = values + ([100 * v for v in values if 0 <= v <= 1] if percent else [])
                if not any(round(v, decimals) == float(quoted) for v in shown):
                    problems.append(f"cell {i}: {quoted}{suffix} in "
                                    f"'...{prose[max(0, m.start() - 50): m.end() + 10]}...'")
    return problems


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem.split("_", 1)[0])
def test_every_decimal_in_the_prose_is_backed_by_code_or_output(path: Path) -> None:
    problems = unbacked_numbers(path)
    assert not problems, (f"{path.name}: numbers in the prose that no code or stored output of the notebook "
                          "shows; print them from a cell, or drop them:\n" + "\n".join(problems))


def _problems(tmp_path: Path, code: str, output: str, prose: str) -> list[str]:
    """unbacked_numbers of a notebook of one code cell (with its stored output) and one Markdown cell."""
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell(code), nbformat.v4.new_markdown_cell(prose)]
    nb.cells[0].outputs = [nbformat.v4.new_output("stream", text=output)]
    nbformat.write(nb, tmp_path / "01_x.ipynb")
    return unbacked_numbers(tmp_path / "01_x.ipynb")


def test_the_check_catches_a_pasted_figure(tmp_path: Path) -> None:
    problems = _problems(tmp_path, "lr = 3e-3\nprint(f'{0.8712:.3f}')", "0.871\n",
                         "Adam at 0.003 reached 0.871, and once 0.912; $e^{0.5} = 1.65$.")
    assert len(problems) == 1 and "0.912" in problems[0]


def test_the_check_catches_a_pasted_percentage(tmp_path: Path) -> None:
    problems = _problems(tmp_path, "print(f'{0.6917:.3f}', f'{0.8833:.1%}')", "0.692 88.3%\n",
                         "It copied 69% (69.2 %), then 88.3%; once 45%, and 12.5% is 1/8.")
    assert [p.split(" in ")[0] for p in problems] == ["cell 1: 45%", "cell 1: 12.5%"], problems
