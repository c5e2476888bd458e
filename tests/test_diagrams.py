"""The concept diagrams: every one renders offline to PNG with alt text, fits the site's width,
keeps its text inside the figure, and follows the parameters it is given."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import matplotlib
import pytest
from matplotlib.backends.backend_agg import FigureCanvasAgg

matplotlib.use("Agg")  # the tests draw off screen; the library itself never picks a backend

from course_utils import diagrams  # noqa: E402
from course_utils.diagrams import CHAPTERS, DIAGRAMS, draw, png_bytes, save_all, show  # noqa: E402
from course_utils.diagrams.palette import COLOURS, FILLS, HATCH, LINESTYLES, ROLES  # noqa: E402

TEST_DPI = 40  # enough to lay out every text; fast


def _gids(fig, gid: str) -> int:
    return sum(1 for p in fig.axes[0].patches if p.get_gid() == gid)


def _texts(fig) -> list[str]:
    return [t.get_text() for ax in fig.axes for t in ax.texts if t.get_text().strip()]


@pytest.mark.parametrize("name", list(DIAGRAMS))
def test_every_diagram_renders_with_alt_text_inside_the_width(name: str, tmp_path: Path) -> None:
    fig = DIAGRAMS[name]()
    png = png_bytes(fig, dpi=TEST_DPI)
    (tmp_path / f"{name}.png").write_bytes(png)
    assert png[:8] == b"\x89PNG\r\n\x1a\n" and len(png) > 1000
    alt = getattr(fig, "alt_text", "")
    assert len(alt) > 60, f"{name}: alt text should say what the figure shows, got {alt!r}"
    width, height = fig.get_size_inches()
    assert width <= 10.0 and height <= 14.0, f"{name}: {width:.1f} x {height:.1f} in is wider than the site's column"
    assert _texts(fig), f"{name}: no text label at all"
    # no label may spill over the figure's edge (it would be clipped in the notebook and the site)
    renderer = FigureCanvasAgg(fig).get_renderer()
    bounds = fig.bbox
    for t in fig.axes[0].texts:
        box = t.get_window_extent(renderer)
        assert box.x0 >= bounds.x0 - 1 and box.x1 <= bounds.x1 + 1 and box.y0 >= bounds.y0 - 1 \
            and box.y1 <= bounds.y1 + 1, f"{name}: the label {t.get_text()!r} runs over the figure's edge"
    assert min(t.get_fontsize() for t in fig.axes[0].texts) >= 11


def test_every_chapter_has_a_diagram_and_every_diagram_a_chapter() -> None:
    assert len(DIAGRAMS) >= 15
    listed = [name for names in CHAPTERS.values() for name in names]
    assert sorted(listed) == sorted(DIAGRAMS)
    assert set(CHAPTERS) == {f"{i:02d}" for i in range(1, 16)} | {"A1"}
    for name, function in DIAGRAMS.items():
        assert function.__doc__ and len(function.__doc__) > 40, f"{name} needs a docstring saying what it shows"


def test_the_palette_has_one_colour_per_role_and_styles_beyond_colour() -> None:
    assert set(ROLES) >= {"input", "hidden", "cell", "output", "gate", "attention", "gradient", "padding"}
    assert len(set(COLOURS.values())) == len(COLOURS), "two roles share a colour"
    assert set(FILLS) == set(COLOURS)
    assert LINESTYLES["forward"] == "-" and LINESTYLES["gradient"] != LINESTYLES["forward"]
    assert HATCH
    with pytest.raises(ValueError, match="unknown diagram role"):
        diagrams.palette.colour("weights")


def test_diagrams_follow_their_parameters() -> None:
    fig = draw("unrolled_rnn", steps=5, units=64)
    assert _gids(fig, "hidden") == 5 and _gids(fig, "input") == 5 and _gids(fig, "output") == 5
    assert sum("H = 64" in s for s in _texts(fig)) == 5
    assert sum(s == "$W_{hh}$" for s in _texts(fig)) == 5, "every recurrent arrow carries the shared W_hh"
    assert _gids(draw("bptt_paths", steps=3), "loss") == 3
    assert _gids(draw("padding_and_masking", lengths=(4, 2, 1), max_len=4), "padding") == 0 + 2 + 3
    assert _gids(draw("char_windows", text="abcdefg", seq_len=3), "input") == 6  # (7 - 1) // 3 = 2 windows of 3
    fig = draw("beam_tree", beam_width=3, steps=2)
    assert _gids(fig, "kept") == 3 * 2 and _gids(fig, "pruned") == (4 + 3 * 4) - 6
    fig = draw("attention_step", source=["a", "b"], weights=[0.25, 0.75])
    assert [t for t in _texts(fig) if t in ("0.25", "0.75")] == ["0.25", "0.75"]
    assert sum(s.startswith("batch shard") for s in _texts(draw("replicas_all_reduce", workers=3))) == 3
    assert "depth 4" in " ".join(_texts(draw("scan_tree", n=4))).replace("sequential loop: ", "")
    assert "Merkel I-PER" in draw("bio_tags").alt_text
    fig = draw("model_ladder", rungs=("baseline", "RNN", "my model"))
    assert _gids(fig, "rung") == 3 and "3. my model" in _texts(fig) and "3. my model" in fig.alt_text


def test_bad_parameters_say_what_to_do() -> None:
    with pytest.raises(ValueError, match="does not continue"):
        draw("bio_tags", tokens=["New", "York"], tags=["I-LOC", "I-LOC"])
    with pytest.raises(ValueError, match="summing to 1"):
        draw("attention_step", source=["a", "b"], weights=[0.5, 0.6])
    with pytest.raises(ValueError, match="steps"):
        draw("unrolled_rnn", steps=1)
    with pytest.raises(ValueError, match="choose one of"):
        draw("lstm")
    with pytest.raises(ValueError, match="3 to 6"):
        draw("model_ladder", rungs=("baseline",))


def test_show_displays_the_png_with_its_alt_text(monkeypatch: pytest.MonkeyPatch) -> None:
    import IPython
    import IPython.display

    shown = []

    class Shell:
        kernel = object()

    monkeypatch.setattr(IPython, "get_ipython", lambda: Shell())
    monkeypatch.setattr(IPython.display, "display", lambda data, raw, metadata: shown.append((data, metadata)))
    show("rnn_patterns")
    (data, metadata), = shown
    assert data["image/png"] and "one-to-many" in data["text/plain"]
    assert metadata["image/png"]["alt"] == data["text/plain"] and metadata["image/png"]["width"] <= 1000


def test_save_all_writes_one_png_per_diagram(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    from PIL import Image

    monkeypatch.setattr(diagrams, "DIAGRAMS", {name: DIAGRAMS[name] for name in ("bio_tags", "time_split")})
    paths = save_all(tmp_path / "out", dpi=TEST_DPI)
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == ["bio_tags.png", "time_split.png"]
    assert "BIO tag" in Image.open(paths["bio_tags"]).info["Description"]


def test_importing_the_package_draws_nothing_and_loads_no_matplotlib() -> None:
    code = "import sys, course_utils.diagrams; print('matplotlib' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                         cwd=Path(__file__).resolve().parents[1])
    assert out.stdout.strip() == "False"
