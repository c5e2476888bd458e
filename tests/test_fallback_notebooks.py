"""The slow-machine path end to end: every notebook with a fallback point runs top to
bottom with ``RECURRENT_PRETRAINED=1``, loads every shipped weight file it names instead
of training, and still passes its own asserted thresholds (they raise if not)."""

from __future__ import annotations

import re
from pathlib import Path

import nbformat
import pytest

from course_utils import pretrained
from course_utils.runner import find_notebooks, run_notebook

ROOT = Path(__file__).resolve().parents[1]
FALLBACK_NOTEBOOKS = [p for p in find_notebooks(ROOT / "notebooks")
                      if pretrained.FALLBACK_CALL.search(p.read_text(encoding="utf-8"))]


def _stream_text(nb: nbformat.NotebookNode) -> str:
    return "".join(out.get("text", "") for cell in nb.cells if cell.cell_type == "code"
                   for out in cell.get("outputs", []) if out.get("output_type") == "stream")


def test_fallback_points_exist_where_training_takes_longest() -> None:
    names = sorted(p.name[:2] for p in FALLBACK_NOTEBOOKS)
    assert {"03", "04", "05", "06", "08", "09", "10", "11", "12"} <= set(names), names


@pytest.mark.parametrize("path", FALLBACK_NOTEBOOKS, ids=lambda p: p.name[:2])
def test_notebook_runs_on_shipped_weights(path: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(pretrained.USE_ENV, "1")  # inherited by the kernel
    monkeypatch.delenv(pretrained.SAVE_ENV, raising=False)
    row = run_notebook(path, tmp_path)
    assert row["ok"], f"{path.name} failed on the shipped weights: {row['error']}"
    text = _stream_text(nbformat.read(tmp_path / path.name, as_version=4))
    assert "training instead" not in text, f"{path.name} names weights that weights/ lacks: run scripts/train_fallbacks.py"
    loaded = set(re.findall(r"Loaded pre-trained weights (\w+)\.weights\.h5", text))
    shipped = {w.name.removesuffix(".weights.h5") for w in pretrained.WEIGHTS_DIR.glob(f"ch{path.name[:2]}_*.weights.h5")}
    assert loaded and loaded == shipped, f"{path.name} loaded {sorted(loaded)}, weights/ ships {sorted(shipped)}"
