"""The capstone's plan as a picture (chapter 15): a text split three ways, a ladder of models
from a counting baseline up to attention, each scored on validation into one table, and the
test text read once, for the model the table chose."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from .palette import INK, MUTED
from .primitives import SMALL, TITLE, arrow, box, canvas, finish, polyline, text

if TYPE_CHECKING:
    from matplotlib.figure import Figure

__all__ = ["model_ladder"]

#: what each of the course's rungs adds, shown under its name; other names get no note
RUNG_NOTES: dict[str, tuple[str, str]] = {
    "baseline": ("counts", "character frequencies, n-grams"),
    "RNN": ("hidden", "a state $h_t$ carries the past"),
    "gated RNN": ("gate", "gates choose what $h_t$ keeps"),
    "attention": ("attention", "each step reads all earlier ones"),
}
_ROLES = ("cell", "hidden", "gate", "attention", "output", "input")


def model_ladder(rungs: Sequence[str] = ("baseline", "RNN", "gated RNN", "attention")) -> Figure:
    """The capstone's pipeline: the text cut into train, validation and test (left); a ladder of
    models, one rung each, bottom to top (``rungs``, 3 to 6 names), each fitted on the training
    text; every rung's validation perplexity in one results table; the test text read once, for
    the model with the lowest validation perplexity."""
    rungs = list(rungs)
    if not 3 <= len(rungs) <= 6 or not all(isinstance(r, str) and r.strip() for r in rungs):
        raise ValueError(f"rungs must be 3 to 6 non-empty names, bottom rung first, got {rungs!r}")
    if len(set(rungs)) != len(rungs):
        raise ValueError(f"rungs must be distinct names, got {rungs!r}")
    gap = 0.95
    height = 1.35 + gap * len(rungs)
    fig, ax = canvas(9.0, height)
    # the text, cut three ways
    y_top = height - 1.0
    text(ax, 1.05, height - 0.35, "your text", size=TITLE, weight="bold")
    splits = {}
    for i, (name, role) in enumerate((("train", "input"), ("validation", "input"), ("test", "padding"))):
        splits[name] = box(ax, 1.05, y_top - 0.8 * i, name, role=role, w=1.6, h=0.55, gid=f"split-{name}")
    text(ax, 1.05, splits["test"].bottom[1] - 0.3, "kept aside", size=SMALL, colour_=MUTED)
    # the ladder: two rails, one rung a model
    x_l, x_r, y0 = 2.65, 5.75, 0.75
    ys = [y0 + gap * i for i in range(len(rungs))]
    for x in (x_l, x_r):
        ax.plot([x, x], [y0 - 0.45, ys[-1] + 0.45], color=MUTED, lw=3, solid_capstyle="butt", zorder=1)
    for i, (name, y) in enumerate(zip(rungs, ys)):
        role, note = RUNG_NOTES.get(name, (_ROLES[i % len(_ROLES)], ""))
        role = "cell" if role == "counts" else role
        box(ax, (x_l + x_r) / 2, y, "", role=role, w=x_r - x_l - 0.2, h=0.72, gid="rung")
        text(ax, (x_l + x_r) / 2, y + (0.15 if note else 0), f"{i + 1}. {name}", weight="bold")
        if note:
            text(ax, (x_l + x_r) / 2, y - 0.17, note, size=SMALL)
    text(ax, (x_l + x_r) / 2, ys[-1] + 0.62, "the ladder: one model a rung", size=TITLE, weight="bold")
    x_fit, x_score = 2.2, 6.05
    polyline(ax, [splits["train"].right, (x_fit, splits["train"].y), (x_fit, ys[0]), (x_l + 0.1, ys[0])])
    for y in ys[1:]:
        arrow(ax, (x_fit, y), (x_l + 0.1, y))
    text(ax, x_fit, (ys[0] + ys[1]) / 2, "fit", size=SMALL, backdrop=True)
    # every rung scored on validation into one table; the test text read once
    table = box(ax, 7.45, ys[-1] - 0.12, "", role="output", w=1.9, h=0.95, gid="table")
    text(ax, 7.45, ys[-1] + 0.15, "results table", weight="bold")
    text(ax, 7.45, ys[-1] - 0.25, "validation\nperplexities", size=SMALL)
    for y in ys[:-1]:
        ax.plot([x_r - 0.1, x_score], [y, y], color=INK, lw=1.5, zorder=2)
    polyline(ax, [(x_score, ys[0]), (x_score, ys[-1]), (x_r - 0.1, ys[-1])], head=False)
    arrow(ax, (x_score, ys[-1]), (table.left[0], ys[-1]))
    once = box(ax, 7.45, ys[0], "test, read once", role="input", w=1.9, h=0.6, gid="test-once")
    x_down = 6.95
    arrow(ax, (x_down, table.bottom[1]), (x_down, once.top[1]))
    text(ax, x_down + 0.1, (table.bottom[1] + once.top[1]) / 2, "lowest\nvalidation\nonly", size=SMALL, ha="left")
    return finish(fig, f"The capstone's plan. Left, the text is cut into train, validation and test; the test part "
                       f"is kept aside. Middle, a ladder of {len(rungs)} models, bottom to top: "
                       + ", ".join(f"{i + 1}. {r}" for i, r in enumerate(rungs))
                       + ", each fitted on the training text. Right, every rung's validation perplexity goes into "
                       "one results table, and only the model with the lowest validation perplexity is scored on "
                       "the test text, once.")
