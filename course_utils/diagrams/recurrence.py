"""Diagrams of the recurrence itself (chapters 01, 02 and 04): the unrolled RNN, the BPTT
gradient path, the five input/output patterns, and the product of Jacobians."""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..validate import int_in_range
from .palette import INK, colour
from .primitives import SMALL, TITLE, arrow, box, canvas, finish, gradient_arrow, legend, text

if TYPE_CHECKING:
    from matplotlib.figure import Figure

__all__ = ["bptt_paths", "jacobian_chain", "rnn_patterns", "unrolled_rnn"]

EQUATIONS = r"$h_t = f(W_{hx}x_t + W_{hh}h_{t-1} + b_h)$,   $y_t = W_{hy}h_t + b_y$"


def _step_x(t: int, dx: float) -> float:
    """Centre of step t (t = 0 is the initial state h_0)."""
    return 0.75 + dx * t


def unrolled_rnn(steps: int = 4, units: int | None = None) -> Figure:
    """The RNN unrolled over ``steps`` time steps: x_t -> h_t -> y_t, h_{t-1} -> h_t, with the
    same W_hx, W_hh, W_hy written on every step (the weights are shared). ``units`` (H), when
    given, is written in each hidden box."""
    int_in_range("steps", steps, 2, high=8, meaning="how many time steps to draw")
    int_in_range("units", units, 1, allow_none=True)
    dx = 2.0 if steps <= 4 else 1.7
    fig, ax = canvas(_step_x(steps, dx) + 0.8, 4.6)
    y_x, y_h, y_y = 0.65, 2.05, 3.45
    h_label = "" if units is None else f"\nH = {units}"
    prev = box(ax, _step_x(0, dx), y_h, r"$h_0 = 0$", role="hidden", w=1.0, gid="h0")
    for t in range(1, steps + 1):
        x = _step_x(t, dx)
        xb = box(ax, x, y_x, rf"$x_{{{t}}}$", role="input")
        hb = box(ax, x, y_h, rf"$h_{{{t}}}$" + h_label, role="hidden", h=0.75 if units else 0.55)
        yb = box(ax, x, y_y, rf"$y_{{{t}}}$", role="output")
        arrow(ax, xb.top, hb.bottom, r"$W_{hx}$", label_offset=(0.36, 0))
        arrow(ax, hb.top, yb.bottom, r"$W_{hy}$", label_offset=(0.36, 0))
        arrow(ax, prev.right, hb.left, r"$W_{hh}$", label_offset=(0, 0.22))
        prev = hb
    text(ax, _step_x(steps, dx) / 2 + 0.4, 4.25, EQUATIONS, size=TITLE)
    arrow(ax, (_step_x(1, dx) - 0.5, 0.12), (_step_x(steps, dx) + 0.5, 0.12), colour_=colour("padding"), lw=1.0)
    text(ax, _step_x(1, dx) - 0.6, 0.12, "time", size=SMALL, ha="right", colour_=colour("padding"))
    units_alt = f" Each hidden state has H = {units} units." if units else ""
    return finish(fig, f"An RNN unrolled over {steps} time steps, time running left to right. At each step the "
                       "input x_t feeds the hidden state h_t through W_hx, h_t feeds the output y_t through W_hy, "
                       "and h_t feeds the next hidden state through W_hh; the same three weight matrices are "
                       f"written on every step because they are shared. The first state h_0 is zero.{units_alt}")


def bptt_paths(steps: int = 4) -> Figure:
    """Backpropagation through time: the forward path (solid) x_t -> h_t -> y_t -> L_t and the
    backward path (dashed), where dL/dh_t collects the gradient of its own loss and, through
    W_hh, the gradient coming back from h_{t+1}: right to left."""
    int_in_range("steps", steps, 2, high=6, meaning="how many time steps to draw")
    dx = 2.0
    fig, ax = canvas(_step_x(steps - 1, dx) + 1.6, 5.9)
    y_x, y_h, y_y, y_l = 0.65, 2.05, 3.35, 4.55
    grad = colour("gradient")
    prev = None
    for t in range(1, steps + 1):
        x = _step_x(t - 1, dx)
        xb = box(ax, x, y_x, rf"$x_{{{t}}}$", role="input")
        hb = box(ax, x, y_h, rf"$h_{{{t}}}$", role="hidden")
        yb = box(ax, x, y_y, rf"$y_{{{t}}}$", role="output")
        text(ax, x + 0.1, y_h - 0.5, rf"$\partial L/\partial h_{{{t}}}$", size=SMALL, colour_=grad, ha="left")
        lb = box(ax, x, y_l, rf"$L_{{{t}}}$", role="output", face="white", edge=INK, gid="loss")
        arrow(ax, xb.top, hb.bottom)
        arrow(ax, (x - 0.15, hb.top[1]), (x - 0.15, yb.bottom[1]))
        arrow(ax, (x - 0.15, yb.top[1]), (x - 0.15, lb.bottom[1]))
        gradient_arrow(ax, (x + 0.15, lb.bottom[1]), (x + 0.15, yb.top[1]))
        gradient_arrow(ax, (x + 0.15, yb.bottom[1]), (x + 0.15, hb.top[1]))
        if prev is not None:
            arrow(ax, (prev.right[0], y_h + 0.12), (hb.left[0], y_h + 0.12), r"$W_{hh}$", label_offset=(0, 0.22))
            gradient_arrow(ax, (hb.left[0], y_h - 0.12), (prev.right[0], y_h - 0.12))
        prev = hb
    text(ax, 0.3, 5.55, r"$L = L_1 + \dots + L_T$.   $\partial L/\partial h_t$ = the part from $L_t$ (through $y_t$)"
         r" + the part from $h_{t+1}$ (through $W_{hh}$)", size=SMALL, ha="left")
    legend(ax, 0.3, 5.1, [(INK, "forward", "forward pass"), (grad, "gradient", "gradient (backward)")], gap=2.4)
    return finish(fig, f"Backpropagation through time over {steps} steps. Solid arrows run forward from each input "
                       "x_t to h_t, y_t and the loss L_t, and from each h_t to the next through W_hh. Dashed arrows "
                       "run backward, right to left: from each loss down to its hidden state, and from each hidden "
                       "state to the one before it, so the gradient dL/dh_t collects its own loss's part and the "
                       "part coming back from all later steps.")


# (title, example, number of columns, columns with an input, columns with an output)
_PATTERNS = [
    ("one-to-one", "image → class", 1, (0,), (0,)),
    ("one-to-many", "first character →\ngenerated text", 3, (0,), (0, 1, 2)),
    ("many-to-one", "review →\nsentiment", 3, (0, 1, 2), (2,)),
    ("many-to-many\n(aligned)", "word → tag\n(tagging)", 3, (0, 1, 2), (0, 1, 2)),
    ("many-to-many\n(encoder-decoder)", "English → German\n(translation)", 4, (0, 1), (2, 3)),
]


def rnn_patterns() -> Figure:
    """The five input/output patterns of a recurrent network, each with an example task:
    one-to-one, one-to-many, many-to-one, many-to-many aligned, and encoder-decoder."""
    step, bw, bh = 0.62, 0.4, 0.38
    widths = [max(n * step + 0.2, 1.45 if n == 1 else 0) for *_, n, _, _ in
              [(p[0], p[1], p[2], p[3], p[4]) for p in _PATTERNS]]
    widths = [max(w, 2.0) if n > 1 else w for w, (_, _, n, _, _) in zip(widths, _PATTERNS)]
    gap = 0.2
    fig, ax = canvas(sum(widths) + gap * (len(widths) + 1), 4.2, max_width=9.4)
    y_x, y_h, y_y = 1.45, 2.2, 2.95
    left = gap
    for (title, example, n, ins, outs), width in zip(_PATTERNS, widths):
        x0 = left + width / 2 - (n - 1) * step / 2
        prev = None
        for c in range(n):
            x = x0 + c * step
            hb = box(ax, x, y_h, "$h$", role="hidden", w=bw, h=bh, size=SMALL)
            if c in ins:
                xb = box(ax, x, y_x, "$x$", role="input", w=bw, h=bh, size=SMALL)
                arrow(ax, xb.top, hb.bottom, lw=1.2)
            if c in outs:
                yb = box(ax, x, y_y, "$y$", role="output", w=bw, h=bh, size=SMALL)
                arrow(ax, hb.top, yb.bottom, lw=1.2)
            if prev is not None:
                arrow(ax, prev.right, hb.left, lw=1.2)
            prev = hb
        text(ax, left + width / 2, 3.7, title, size=SMALL, weight="bold")
        text(ax, left + width / 2, 0.65, example, size=SMALL)
        left += width + gap
    return finish(fig, "Five recurrent patterns side by side, each with inputs x at the bottom, hidden states h in "
                       "the middle and outputs y at the top: one-to-one (image to class); one-to-many (a first "
                       "character to generated text); many-to-one (a review to its sentiment); many-to-many "
                       "aligned, one output per input (a tag per word); and many-to-many encoder-decoder, which "
                       "reads the whole input before writing (English to German translation).")


def _product(steps: int) -> str:
    factors = [f"J_{{{k}}}" for k in range(steps, 1, -1)]
    if len(factors) > 5:
        factors = factors[:2] + [r"\cdots"] + factors[-2:]
    return rf"$\dfrac{{\partial h_{{{steps}}}}}{{\partial h_1}} = " + r"\,".join(factors) + "$"


def jacobian_chain(steps: int = 5) -> Figure:
    """dh_T/dh_1 as a product of T - 1 Jacobians J_k = dh_k/dh_{k-1} = diag(f'(a_k)) W_hh along
    the time axis: the gradient crosses one factor per step, right to left."""
    int_in_range("steps", steps, 3, high=8, meaning="how many hidden states to draw")
    dx = 1.8 if steps <= 5 else 1.3
    fig, ax = canvas(_step_x(steps - 1, dx) + 0.8, 4.3)
    y_h = 2.3
    boxes = [box(ax, _step_x(t, dx), y_h, rf"$h_{{{t + 1}}}$", role="hidden") for t in range(steps)]
    for k in range(1, steps):
        a, b = boxes[k - 1], boxes[k]
        arrow(ax, (a.right[0], y_h + 0.12), (b.left[0], y_h + 0.12), r"$W_{hh}$", label_offset=(0, 0.24))
        # thinner to the left: each factor can shrink what reaches the earlier states
        gradient_arrow(ax, (b.left[0], y_h - 0.12), (a.right[0], y_h - 0.12), rf"$J_{{{k + 1}}}$",
                       label_offset=(0, -0.3), lw=1.0 + 1.6 * k / (steps - 1))
    text(ax, _step_x(steps - 1, dx) / 2 + 0.4, 3.6, _product(steps), size=TITLE + 2)
    text(ax, _step_x(steps - 1, dx) / 2 + 0.4, 1.15,
         r"$J_k = \partial h_k/\partial h_{k-1} = \mathrm{diag}(f'(a_k))\,W_{hh}$,   "
         r"$a_k = W_{hx}x_k + W_{hh}h_{k-1} + b_h$")
    text(ax, _step_x(steps - 1, dx) / 2 + 0.4, 0.55,
         f"{steps - 1} factors: if each shrinks vectors (norm < 1) the product vanishes geometrically;"
         "\nif each stretches them (norm > 1) it can explode.", size=SMALL)
    return finish(fig, f"Hidden states h_1 to h_{steps} in a row. Solid forward arrows labelled W_hh run left to "
                       "right; dashed gradient arrows run right to left, each labelled with the Jacobian J_k = "
                       "diag(f'(a_k)) W_hh, and drawn thinner towards the left. The gradient of the last state "
                       f"with respect to the first is the product of the {steps - 1} Jacobians, which vanishes "
                       "when every factor shrinks vectors and can explode when every factor stretches them.")
