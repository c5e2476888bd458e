"""The gated cells (chapters 05 and 06): the LSTM cell with its cell-state path, the GRU
cell in Keras's convention, and the two together.

Notation follows ``course_utils.rnn.cells``: LSTM gates f, i, o and candidate g; GRU update
gate z, reset gate r and candidate n, with h_t = z_t * h_{t-1} + (1 - z_t) * n_t as
``keras.layers.GRU`` computes it (z_t near 1 keeps the old state).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from .palette import colour
from .primitives import SMALL, TITLE, box, canvas, circle, dot, finish, gradient_arrow, polyline, text

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

__all__ = ["gru_cell", "lstm_cell", "lstm_vs_gru"]

HEIGHT = 6.0   # one cell's drawing, equations included
BASE = 0.95    # where a lone cell's drawing starts, above its equations
WIDTH = 9.0


def _frame(ax: Axes, oy: float, name: str) -> None:
    """The cell's outline, from x = 0.9 to 8.1, and its name in the bottom-right corner."""
    box(ax, 4.5, oy + 2.35, "", role="padding", w=7.2, h=3.45, face="#FAFAFA", edge="#9A9A9A", hatch="",
        gid="outline", lw=1.2, zorder=0.5)
    text(ax, 8.0, oy + 0.8, name, size=SMALL, ha="right", colour_="#707070")


def _gate(ax: Axes, x: float, y: float, name: str, act: str, role: str = "gate") -> object:
    return box(ax, x, y, f"{name}\n{act}", role=role, w=1.0, h=0.66, size=SMALL)


def _draw_lstm(ax: Axes, oy: float) -> None:
    """The LSTM cell with its lower edge at height ``oy``."""
    cell, hid, grad = colour("cell"), colour("hidden"), colour("gradient")
    top, bus, gates = oy + 3.6, oy + 1.15, oy + 2.05
    _frame(ax, oy, "LSTM cell")
    # the cell-state path, drawn first and thick: the line the gradient travels along
    polyline(ax, [(0.75, top), (8.25, top)], colour_=cell, lw=4.0, zorder=1.5)
    text(ax, 0.5, top, "$c_{t-1}$", colour_=cell, ha="right")
    text(ax, 8.5, top, "$c_t$", colour_=cell, ha="left")
    f_op, plus = circle(ax, 2.2, top, r"$\odot$"), circle(ax, 4.2, top, "+")
    ig_op, o_op = circle(ax, 4.2, oy + 2.85, r"$\odot$"), circle(ax, 7.3, gates, r"$\odot$")
    # the gates all read [h_{t-1}, x_t] from one bus
    polyline(ax, [(0.75, bus), (6.3, bus)], colour_=hid, head=False)
    text(ax, 0.5, bus, "$h_{t-1}$", colour_=hid, ha="right")
    polyline(ax, [(1.4, oy + 0.35), (1.4, bus)], colour_=colour("input"), head=False)
    text(ax, 1.4, oy + 0.15, "$x_t$", colour_=colour("input"))
    specs = [(2.2, "forget", r"$\sigma$", "$f_t$", "gate"), (3.4, "input", r"$\sigma$", "$i_t$", "gate"),
             (5.05, "candidate", "tanh", "$g_t$", "hidden"), (6.3, "output", r"$\sigma$", "$o_t$", "gate")]
    for x, name, act, symbol, role in specs:
        g = _gate(ax, x, gates, name, act, role)
        polyline(ax, [(x, bus), g.bottom])
        text(ax, x + 0.14, g.top[1] + 0.2, symbol, size=SMALL, ha="left")
    polyline(ax, [(2.2, gates + 0.33), f_op.bottom])
    polyline(ax, [(3.4, gates + 0.33), (3.4, oy + 2.85), ig_op.left])
    polyline(ax, [(5.05, gates + 0.33), (5.05, oy + 2.85), ig_op.right])
    polyline(ax, [ig_op.top, plus.bottom])
    polyline(ax, [(6.3 + 0.5, gates), o_op.left])
    squash = box(ax, 7.3, oy + 2.95, "tanh", role="cell", w=0.7, h=0.42, size=SMALL)
    polyline(ax, [(7.3, top), squash.top])
    polyline(ax, [squash.bottom, o_op.top])
    polyline(ax, [o_op.bottom, (7.3, bus), (8.25, bus)], colour_=hid)
    for x, y, c in ((7.3, top, cell), (1.4, bus, hid), (2.2, bus, hid), (3.4, bus, hid), (5.05, bus, hid)):
        dot(ax, x, y, c)
    text(ax, 8.5, bus, "$h_t$", colour_=hid, ha="left")
    gradient_arrow(ax, (8.25, oy + 4.35), (0.75, oy + 4.35), lw=2.0)
    text(ax, 4.5, oy + 4.68, r"gradient along the cell state: $\partial c_t/\partial c_{t-1} = f_t$ on this path "
         "(elementwise: no matrix, no squashing)", size=SMALL, colour_=grad)


def _lstm_equations(ax: Axes, oy: float) -> None:
    text(ax, 4.5, oy - 0.35, r"$c_t = f_t \odot c_{t-1} + i_t \odot g_t$,    $h_t = o_t \odot \tanh(c_t)$;"
         r"    every gate reads $[h_{t-1}, x_t]$")


def _draw_gru(ax: Axes, oy: float) -> None:
    """The GRU cell with its lower edge at height ``oy`` (Keras's convention)."""
    hid, grad = colour("hidden"), colour("gradient")
    top, bus, gates, mid, low = oy + 3.6, oy + 1.0, oy + 1.8, oy + 2.95, oy + 2.3
    _frame(ax, oy, "GRU cell")
    # the state path: h_{t-1} is kept in proportion z_t, the candidate added in proportion 1 - z_t
    polyline(ax, [(0.75, top), (8.25, top)], colour_=hid, lw=4.0, zorder=1.5)
    text(ax, 0.5, top, "$h_{t-1}$", colour_=hid, ha="right")
    text(ax, 8.5, top, "$h_t$", colour_=hid, ha="left")
    z_op, plus = circle(ax, 5.6, top, r"$\odot$"), circle(ax, 7.2, top, "+")
    r_op, n_op = circle(ax, 2.4, mid, r"$\odot$"), circle(ax, 7.2, mid, r"$\odot$")
    minus = circle(ax, 7.2, low, "1−", r=0.22, size=SMALL)
    polyline(ax, [(1.1, top), (1.1, bus), (5.6, bus)], colour_=hid, head=False)
    polyline(ax, [(1.7, oy + 0.35), (1.7, bus)], colour_=colour("input"), head=False)
    text(ax, 1.7, oy + 0.15, "$x_t$", colour_=colour("input"))
    r_gate = _gate(ax, 2.4, gates, "reset", r"$\sigma$")
    z_gate = _gate(ax, 5.6, gates, "update", r"$\sigma$")
    cand = _gate(ax, 4.1, mid, "candidate", "tanh", role="hidden")
    for g in (r_gate, z_gate):
        polyline(ax, [(g.x, bus), g.bottom])
    polyline(ax, [(4.1, bus), cand.bottom])
    polyline(ax, [(2.4, top), r_op.top])
    polyline(ax, [r_gate.top, r_op.bottom])
    text(ax, 2.52, gates + 0.48, "$r_t$", size=SMALL, ha="left")
    polyline(ax, [r_op.right, cand.left])
    polyline(ax, [cand.right, n_op.left])
    text(ax, 4.95, mid + 0.2, "$n_t$", size=SMALL)
    polyline(ax, [z_gate.top, z_op.bottom])
    text(ax, 5.48, gates + 0.48, "$z_t$", size=SMALL, ha="right")
    polyline(ax, [(5.6, low), minus.left])
    polyline(ax, [minus.top, n_op.bottom])
    polyline(ax, [n_op.top, plus.bottom])
    for x, y, c in ((1.1, top, hid), (2.4, top, hid), (5.6, low, "#222222"), (1.7, bus, hid), (2.4, bus, hid),
                    (4.1, bus, hid)):
        dot(ax, x, y, c)
    gradient_arrow(ax, (8.25, oy + 4.35), (0.75, oy + 4.35), lw=2.0)
    text(ax, 4.5, oy + 4.68, r"gradient along the state: $\partial h_t/\partial h_{t-1} = z_t$ on this path "
         "(elementwise: no matrix, no squashing)", size=SMALL, colour_=grad)


def _gru_equations(ax: Axes, oy: float) -> None:
    text(ax, 4.5, oy - 0.25, r"$h_t = z_t \odot h_{t-1} + (1 - z_t) \odot n_t$   (Keras's convention: $z_t$ near 1"
         " keeps the old state)", size=SMALL)
    text(ax, 4.5, oy - 0.6, r"the candidate reads $x_t$ and $r_t \odot h_{t-1}$ (Keras's default reset_after=True:"
         r" $r_t \odot W_{nh}h_{t-1}$)", size=SMALL)


_LSTM_ALT = ("The LSTM cell. Its cell state runs along the top as a thick line from c_{t-1} to c_t, changed only by an "
             "elementwise product with the forget gate f_t and an addition of i_t times the candidate g_t. Four boxes "
             "read h_{t-1} and x_t: the forget, input and output gates (sigmoid) and the candidate (tanh). The new "
             "hidden state h_t is o_t times tanh(c_t). A dashed gradient arrow runs right to left above the cell "
             "state: on that path dc_t/dc_{t-1} = f_t, with no weight matrix and no squashing.")
_GRU_ALT = ("The GRU cell in Keras's convention. The hidden state runs along the top from h_{t-1} to h_t: it is "
            "multiplied by the update gate z_t, and (1 - z_t) times the candidate n_t is added. The reset gate r_t "
            "multiplies h_{t-1} before the candidate (tanh) reads it together with x_t. A dashed gradient arrow runs "
            "right to left above the state: on that path dh_t/dh_{t-1} = z_t.")


def lstm_cell() -> Figure:
    """The LSTM cell (chapter 05): forget, input and output gates and the candidate, all reading
    [h_{t-1}, x_t]; the cell-state path c_{t-1} -> c_t on top, the additive path the gradient
    takes (dashed, right to left)."""
    fig, ax = canvas(WIDTH, HEIGHT)
    _draw_lstm(ax, BASE)
    _lstm_equations(ax, BASE)
    return finish(fig, _LSTM_ALT)


def gru_cell() -> Figure:
    """The GRU cell (chapter 06) as ``keras.layers.GRU`` computes it: update gate z_t, reset gate
    r_t, candidate n_t, and h_t = z_t * h_{t-1} + (1 - z_t) * n_t (z_t near 1 keeps the old state)."""
    fig, ax = canvas(WIDTH, HEIGHT)
    _draw_gru(ax, BASE)
    _gru_equations(ax, BASE)
    return finish(fig, _GRU_ALT)


def lstm_vs_gru() -> Figure:
    """The LSTM cell above the GRU cell, drawn alike: two states and three gates against one state
    and two gates, each with the additive path its gradient takes."""
    fig, ax = canvas(WIDTH, 2 * HEIGHT + 0.6)
    upper = HEIGHT + BASE + 0.3
    _draw_lstm(ax, upper)
    _lstm_equations(ax, upper)
    text(ax, 0.2, upper + 5.25, "LSTM: two states (c, h), three gates", size=TITLE, ha="left", weight="bold")
    _draw_gru(ax, BASE)
    _gru_equations(ax, BASE)
    text(ax, 0.2, BASE + 5.25, "GRU: one state (h), two gates", size=TITLE, ha="left", weight="bold")
    return finish(fig, "Two cells drawn alike, the LSTM above the GRU. " + _LSTM_ALT + " " + _GRU_ALT)
