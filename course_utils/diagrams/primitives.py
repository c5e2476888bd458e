"""Drawing helpers shared by every diagram: a canvas, labelled boxes, arrows, legends.

Coordinates are in inches of the finished figure (one data unit = one inch) until a drawing is
wider than :data:`MAX_WIDTH`, when the whole canvas is scaled down to fit; text sizes are in
points, so at the course's 9-inch width the smallest label is 11 pt. Matplotlib is imported
inside the functions, so importing this module costs nothing.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from .palette import HATCH, INK, LINESTYLES, colour, fill

if TYPE_CHECKING:  # only for annotations; nothing is imported at run time
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

__all__ = ["FONT", "MAX_WIDTH", "SMALL", "TITLE", "WIDTH", "Box", "arrow", "box", "canvas", "circle", "dot",
           "finish", "gradient_arrow", "legend", "polyline", "text"]

WIDTH = 9.0      # the width every diagram is designed at, in inches
MAX_WIDTH = 10.0  # wider drawings are scaled down to this (the site's text column)
FONT, SMALL, TITLE = 12, 11, 13  # points; SMALL is the floor

Point = tuple[float, float]


@dataclass(frozen=True)
class Box:
    """A drawn box: centre (x, y), width w, height h, in data units."""

    x: float
    y: float
    w: float
    h: float

    @property
    def top(self) -> Point:
        return (self.x, self.y + self.h / 2)

    @property
    def bottom(self) -> Point:
        return (self.x, self.y - self.h / 2)

    @property
    def left(self) -> Point:
        return (self.x - self.w / 2, self.y)

    @property
    def right(self) -> Point:
        return (self.x + self.w / 2, self.y)

    def toward(self, point: Point) -> Point:
        """Where the straight line from the centre to ``point`` leaves the box."""
        dx, dy = point[0] - self.x, point[1] - self.y
        if dx == 0 and dy == 0:
            return (self.x, self.y)
        scale = min(self.w / 2 / abs(dx) if dx else math.inf, self.h / 2 / abs(dy) if dy else math.inf)
        return (self.x + dx * scale, self.y + dy * scale)


def canvas(width: float, height: float, max_width: float = MAX_WIDTH) -> tuple[Figure, Axes]:
    """A new figure with one borderless axes of ``width`` x ``height`` data units, equal aspect,
    axis off: one unit is one inch unless ``width`` > ``max_width``, when all is scaled to fit."""
    from matplotlib.figure import Figure

    if width <= 0 or height <= 0:
        raise ValueError(f"canvas needs a positive width and height, got {width} x {height}")
    scale = min(1.0, max_width / width)
    fig = Figure(figsize=(width * scale, height * scale))
    ax = fig.add_axes((0.0, 0.0, 1.0, 1.0))
    ax.set_xlim(0, width)
    ax.set_ylim(0, height)
    ax.set_aspect("equal")
    ax.axis("off")
    return fig, ax


def text(ax: Axes, x: float, y: float, s: str, size: float = FONT, colour_: str = INK,
         ha: str = "center", va: str = "center", weight: str = "normal", backdrop: bool = False,
         **kwargs: Any) -> Any:
    """A text label; ``backdrop`` puts a white patch behind it so lines do not cross it."""
    box_style = {"boxstyle": "square,pad=0.12", "fc": "white", "ec": "none"} if backdrop else None
    return ax.text(x, y, s, fontsize=max(size, SMALL), color=colour_, ha=ha, va=va, weight=weight,
                   bbox=box_style, zorder=kwargs.pop("zorder", 5), **kwargs)


def box(ax: Axes, x: float, y: float, label: str, role: str = "hidden", w: float = 0.9, h: float = 0.55,
        size: float = FONT, hatch: str | None = None, gid: str | None = None, face: str | None = None,
        edge: str | None = None, lw: float = 1.5, linestyle: Any = "-", rounded: bool = True,
        text_colour: str = INK, zorder: float = 3) -> Box:
    """A labelled box centred at (x, y) in the colours of ``role``; its patch's gid is ``gid`` or
    ``role`` (tests count boxes by it). ``role="padding"`` hatches it."""
    from matplotlib.patches import FancyBboxPatch

    if role == "padding" and hatch is None:
        hatch = HATCH
    pad = min(0.08, w / 6, h / 6) if rounded else 0.0
    patch = FancyBboxPatch((x - w / 2 + pad, y - h / 2 + pad), w - 2 * pad, h - 2 * pad,
                           boxstyle=f"round,pad={pad}" if rounded else "square,pad=0",
                           fc=face or fill(role), ec=edge or colour(role), lw=lw, hatch=hatch,
                           linestyle=linestyle, zorder=zorder)
    patch.set_gid(gid or role)
    ax.add_patch(patch)
    if label:
        # a hatched face gets a white patch behind the label, so the hatch never runs through it
        text(ax, x, y, label, size=size, colour_=text_colour, backdrop=bool(hatch), gid="label")
    return Box(x, y, w, h)


def circle(ax: Axes, x: float, y: float, label: str, r: float = 0.2, role: str | None = None,
           size: float = FONT) -> Box:
    """A small labelled circle (an operation such as ⊙ or +) centred at (x, y)."""
    from matplotlib.patches import Circle

    patch = Circle((x, y), r, fc=fill(role) if role else "white", ec=colour(role) if role else INK,
                   lw=1.5, zorder=4)
    patch.set_gid("op")
    ax.add_patch(patch)
    text(ax, x, y, label, size=size, gid="label", zorder=6)
    return Box(x, y, 2 * r, 2 * r)


def dot(ax: Axes, x: float, y: float, colour_: str = INK) -> None:
    """A junction dot where a line branches."""
    ax.plot([x], [y], "o", ms=5, color=colour_, zorder=4)


def _arrow_kwargs(colour_: str, style: str, lw: float, head: bool) -> dict[str, Any]:
    if style not in LINESTYLES:
        raise ValueError(f"unknown line style {style!r}; use one of {', '.join(LINESTYLES)}")
    return {"arrowstyle": "-|>" if head else "-", "mutation_scale": 12 + 2 * lw, "color": colour_,
            "lw": lw, "linestyle": LINESTYLES[style], "shrinkA": 0, "shrinkB": 0, "zorder": 2}


def arrow(ax: Axes, start: Point, end: Point, label: str = "", colour_: str = INK, style: str = "forward",
          lw: float = 1.5, label_offset: Point = (0.0, 0.2), label_at: float = 0.5, rad: float = 0.0,
          head: bool = True, size: float = SMALL, label_colour: str | None = None) -> Any:
    """An arrow from ``start`` to ``end`` (data units). ``style`` is a key of
    :data:`~course_utils.diagrams.palette.LINESTYLES`; a dashed arrow keeps a solid head.
    ``label`` is written at fraction ``label_at`` of the way, moved by ``label_offset``;
    ``rad`` bends it (matplotlib's ``arc3`` connection)."""
    from matplotlib.patches import FancyArrowPatch

    kwargs = _arrow_kwargs(colour_, style, lw, head)
    if style != "forward" and head:
        # a dashed outline on the head looks broken: draw the shaft dashed and the head solid
        shaft = FancyArrowPatch(start, end, connectionstyle=f"arc3,rad={rad}", **{**kwargs, "arrowstyle": "-"})
        ax.add_patch(shaft)
        kwargs["linestyle"] = "-"
        kwargs["lw"] = 0.01  # a head-only patch: its zero-width shaft is invisible
        kwargs["mutation_scale"] = 12 + 2 * lw
    patch = FancyArrowPatch(start, end, connectionstyle=f"arc3,rad={rad}", **kwargs)
    patch.set_gid(f"arrow-{style}")
    ax.add_patch(patch)
    if label:
        x = start[0] + label_at * (end[0] - start[0]) + label_offset[0]
        y = start[1] + label_at * (end[1] - start[1]) + label_offset[1]
        text(ax, x, y, label, size=size, colour_=label_colour or colour_, backdrop=True)
    return patch


def gradient_arrow(ax: Axes, start: Point, end: Point, label: str = "", **kwargs: Any) -> Any:
    """A backward (gradient) arrow: the gradient colour, dashed, solid head."""
    kwargs.setdefault("colour_", colour("gradient"))
    return arrow(ax, start, end, label=label, style="gradient", **kwargs)


def polyline(ax: Axes, points: Sequence[Point], colour_: str = INK, style: str = "forward", lw: float = 1.5,
             head: bool = True, zorder: float = 2) -> None:
    """A line through ``points`` (right-angle routing), with an arrow head on its last segment."""
    from matplotlib.lines import Line2D

    if len(points) < 2:
        raise ValueError("polyline needs at least two points")
    xs, ys = zip(*points[:-1])
    if len(points) > 2:
        ax.add_line(Line2D(xs, ys, color=colour_, lw=lw, linestyle=LINESTYLES[style], zorder=zorder,
                           solid_capstyle="butt"))
    arrow(ax, points[-2], points[-1], colour_=colour_, style=style, lw=lw, head=head)


def legend(ax: Axes, x: float, y: float, entries: Sequence[tuple[str, str, str]], gap: float = 2.6,
           size: float = SMALL) -> None:
    """A hand-drawn legend in one row from (x, y): each entry is (colour, line style key, label)."""
    for i, (colour_, style, label) in enumerate(entries):
        x0 = x + i * gap
        arrow(ax, (x0, y), (x0 + 0.55, y), colour_=colour_, style=style, lw=1.8)
        text(ax, x0 + 0.65, y, label, size=size, ha="left")


def finish(fig: Figure, alt: str) -> Figure:
    """Attach the alt text (``fig.alt_text``) that says what the figure shows, and return it."""
    if not alt or not alt.strip():
        raise ValueError("every diagram needs alt text saying what it shows")
    fig.alt_text = " ".join(alt.split())
    return fig
