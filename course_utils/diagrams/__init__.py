"""The course's concept diagrams, drawn by code from each chapter's own parameters.

Drawn with matplotlib alone: it is already a dependency, renders offline to PNG in JupyterLab,
and nbconvert embeds that PNG in the HTML pages and the site, with no web fonts or extra package.

Every diagram is a function that returns a ``matplotlib.figure.Figure`` with its alt text in
``fig.alt_text``; :data:`DIAGRAMS` maps a short id to each function and :data:`CHAPTERS` says
which chapter uses which. In a notebook::

    from course_utils.diagrams import show
    show("lstm_cell")
    show("unrolled_rnn", steps=4, units=64)

The conventions (time left to right, layers bottom to top, gradients dashed right to left,
padding hatched, one colour per role, every box labelled) are in ``shared/FIGURES.md`` and the
palette in :mod:`~course_utils.diagrams.palette`. Nothing is drawn or imported from matplotlib
until a function is called.
"""

from __future__ import annotations

import base64
import io
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .architectures import replicas_all_reduce, scan_tree, stacked_and_bidirectional, who_sees_whom
from .capstone import model_ladder
from .cells import gru_cell, lstm_cell, lstm_vs_gru
from .recurrence import bptt_paths, jacobian_chain, rnn_patterns, unrolled_rnn
from .seq2seq import attention_step, beam_tree, encoder_decoder
from .sequences import bio_tags, char_windows, padding_and_masking, sampling_loop, time_split, windows_and_horizons

if TYPE_CHECKING:
    from matplotlib.figure import Figure

__all__ = ["CHAPTERS", "DIAGRAMS", "draw", "png_bytes", "save_all", "show"]

#: id -> function drawing the diagram (every function has defaults for all its parameters)
DIAGRAMS: dict[str, Callable[..., Figure]] = {
    "unrolled_rnn": unrolled_rnn,
    "bptt_paths": bptt_paths,
    "rnn_patterns": rnn_patterns,
    "char_windows": char_windows,
    "sampling_loop": sampling_loop,
    "jacobian_chain": jacobian_chain,
    "lstm_cell": lstm_cell,
    "gru_cell": gru_cell,
    "lstm_vs_gru": lstm_vs_gru,
    "stacked_and_bidirectional": stacked_and_bidirectional,
    "bio_tags": bio_tags,
    "padding_and_masking": padding_and_masking,
    "windows_and_horizons": windows_and_horizons,
    "time_split": time_split,
    "encoder_decoder": encoder_decoder,
    "attention_step": attention_step,
    "beam_tree": beam_tree,
    "who_sees_whom": who_sees_whom,
    "scan_tree": scan_tree,
    "replicas_all_reduce": replicas_all_reduce,
    "model_ladder": model_ladder,
}

#: chapter -> the ids of its diagrams
CHAPTERS: dict[str, tuple[str, ...]] = {
    "01": ("unrolled_rnn", "bptt_paths"),
    "02": ("rnn_patterns",),
    "03": ("char_windows", "sampling_loop"),
    "04": ("jacobian_chain",),
    "05": ("lstm_cell",),
    "06": ("gru_cell", "lstm_vs_gru"),
    "07": ("stacked_and_bidirectional", "bio_tags"),
    "08": ("padding_and_masking",),
    "09": ("windows_and_horizons", "time_split"),
    "10": ("encoder_decoder",),
    "11": ("attention_step",),
    "12": ("beam_tree",),
    "13": ("who_sees_whom",),
    "14": ("scan_tree",),
    "15": ("model_ladder",),
    "A1": ("replicas_all_reduce",),
}

DPI = 150            # pixels per inch of the PNG: sharp on high-density screens
DISPLAY_DPI = 100    # shown at 100 px per inch, so the 9-inch width is the site's 900 px


def draw(name: str, **kwargs: Any) -> Figure:
    """The diagram ``name`` (a key of :data:`DIAGRAMS`) drawn with ``kwargs``."""
    if name not in DIAGRAMS:
        raise ValueError(f"no diagram called {name!r}; choose one of: {', '.join(DIAGRAMS)}")
    return DIAGRAMS[name](**kwargs)


def png_bytes(fig: Figure, dpi: int = DPI) -> bytes:
    """The figure as PNG bytes, trimmed to its drawing, with its alt text in the PNG's
    Description field."""
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=dpi, bbox_inches="tight", pad_inches=0.08, facecolor="white",
                metadata={"Description": getattr(fig, "alt_text", "")})
    return buffer.getvalue()


def _png_width(png: bytes) -> int:
    return int.from_bytes(png[16:20], "big")  # the IHDR chunk's width field


def show(name_or_fig: str | Figure, **kwargs: Any) -> None:
    """Draw the diagram ``name_or_fig`` (an id of :data:`DIAGRAMS`, with ``kwargs`` for it, or a
    figure already drawn) and display it; prints nothing else. In a notebook the output holds
    the PNG and, as its text form, the alt text (what a screen reader or a text-only copy gets);
    outside one, ``plt.show()`` opens it."""
    fig = draw(name_or_fig, **kwargs) if isinstance(name_or_fig, str) else name_or_fig
    if kwargs and not isinstance(name_or_fig, str):
        raise ValueError("keyword arguments go with a diagram id, e.g. show('unrolled_rnn', steps=5)")
    alt = getattr(fig, "alt_text", "") or "A course diagram."
    try:
        from IPython import get_ipython
        shell = get_ipython()
    except ImportError:
        shell = None
    if shell is not None and getattr(shell, "kernel", None) is not None:
        from IPython.display import display

        png = png_bytes(fig)
        width = round(_png_width(png) * DISPLAY_DPI / DPI)
        display({"image/png": base64.b64encode(png).decode("ascii"), "text/plain": alt}, raw=True,
                metadata={"image/png": {"width": width, "alt": alt}})
        return
    import matplotlib.pyplot as plt

    plt.figure(fig)  # hand the figure to pyplot, which shows it with the current backend
    plt.show()


def save_all(folder: str | Path, dpi: int = DPI) -> dict[str, Path]:
    """Write every diagram of :data:`DIAGRAMS`, drawn with its defaults, to ``folder/<id>.png``
    (the alt text in each PNG's Description field). Returns id -> path."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    paths = {}
    for name, function in DIAGRAMS.items():
        path = folder / f"{name}.png"
        path.write_bytes(png_bytes(function(), dpi=dpi))
        paths[name] = path
    return paths
