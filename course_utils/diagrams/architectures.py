"""Diagrams that compare architectures and show how they run (chapters 07, 13, 14 and
appendix A1): stacked and bidirectional layers, who sees whom in an RNN, a causal dilated CNN
and causal self-attention, the sequential loop against the parallel scan, and data-parallel
replicas with their all-reduce."""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from ..validate import int_in_range
from .palette import INK, MUTED, colour
from .primitives import SMALL, TITLE, Box, arrow, box, canvas, finish, gradient_arrow, polyline, text

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

__all__ = ["replicas_all_reduce", "scan_tree", "stacked_and_bidirectional", "who_sees_whom"]

FWD, BWD = r"\overrightarrow{h}", r"\overleftarrow{h}"


def _row(ax: Axes, xs: list[float], y: float, label: Callable[[int], str], role: str, w: float = 0.62,
         **kwargs: Any) -> list[Box]:
    """One box per step at height y, labelled ``label(t)`` for t = 1, 2, ..."""
    return [box(ax, x, y, label(t + 1), role=role, w=w, h=0.48, **kwargs) for t, x in enumerate(xs)]


def stacked_and_bidirectional(steps: int = 3) -> Figure:
    """Left: a stacked RNN of two layers, the first layer's states are the second layer's inputs,
    each layer with its own shared W_hh. Right: a bidirectional layer, a forward RNN (left to
    right) and a backward RNN (right to left) over the same inputs, their states concatenated."""
    int_in_range("steps", steps, 2, high=4)
    dx = 1.3
    fig, ax = canvas(9.2, 5.1)
    y_x, y1, y2, y_y = 0.55, 1.75, 2.95, 4.15
    left = [0.75 + dx * t for t in range(steps)]
    xs = _row(ax, left, y_x, lambda t: f"$x_{t}$", "input")
    h1 = _row(ax, left, y1, lambda t: f"$h^{{(1)}}_{t}$", "hidden")
    h2 = _row(ax, left, y2, lambda t: f"$h^{{(2)}}_{t}$", "hidden")
    ys = _row(ax, left, y_y, lambda t: f"$y_{t}$", "output")
    for t in range(steps):
        for lower, upper in ((xs, h1), (h1, h2), (h2, ys)):
            arrow(ax, lower[t].top, upper[t].bottom, lw=1.2)
        if t:
            arrow(ax, h1[t - 1].right, h1[t].left, "$W^{(1)}_{hh}$", lw=1.2, label_offset=(0, 0.24))
            arrow(ax, h2[t - 1].right, h2[t].left, "$W^{(2)}_{hh}$", lw=1.2, label_offset=(0, 0.24))
    text(ax, (left[0] + left[-1]) / 2, 4.85, "stacked: 2 layers", size=TITLE, weight="bold")
    right = [5.0 + dx * t for t in range(steps)]
    xs = _row(ax, right, y_x, lambda t: f"$x_{t}$", "input")
    fw = _row(ax, right, y1, lambda t: f"${FWD}_{t}$", "hidden")
    bw = _row(ax, right, y2, lambda t: f"${BWD}_{t}$", "hidden")
    out = _row(ax, right, y_y, lambda t: f"$[{FWD}_{t};\\,{BWD}_{t}]$", "output", w=1.08, size=SMALL)
    for t, x in enumerate(right):
        arrow(ax, (x - 0.14, xs[t].top[1]), (x - 0.14, fw[t].bottom[1]), lw=1.2)
        # these two pass behind the box in between (drawn under it), so no line crosses a label
        arrow(ax, (x + 0.14, xs[t].top[1]), (x + 0.14, bw[t].bottom[1]), lw=1.2)
        arrow(ax, (x - 0.14, fw[t].top[1]), (x - 0.14, out[t].bottom[1]), lw=1.2)
        arrow(ax, (x + 0.14, bw[t].top[1]), (x + 0.14, out[t].bottom[1]), lw=1.2)
        if t:
            arrow(ax, fw[t - 1].right, fw[t].left, r"$\overrightarrow{W}_{hh}$", lw=1.2, label_offset=(0, -0.26))
            arrow(ax, bw[t].left, bw[t - 1].right, r"$\overleftarrow{W}_{hh}$", lw=1.2, label_offset=(0, 0.26))
    text(ax, (right[0] + right[-1]) / 2, 4.85, "bidirectional: forward + backward", size=TITLE, weight="bold")
    text(ax, right[-1] + 0.45, y1, "reads\nleft to right", size=SMALL, ha="left")
    text(ax, right[-1] + 0.45, y2, "reads\nright to left", size=SMALL, ha="left")
    return finish(fig, f"Two layouts over {steps} time steps. Left, a stacked RNN: inputs x_t at the bottom feed a "
                       "first recurrent layer h^(1), whose states are the inputs of a second layer h^(2), which "
                       "feeds the outputs y_t; each layer has its own recurrent weights, the same at every step. "
                       "Right, a bidirectional layer: a forward RNN reads the inputs left to right, a backward RNN "
                       "reads them right to left, and each output is the two states at that step concatenated.")


def _positions(n: int) -> list[float]:
    return [2.35 + i * min(0.8, 5.6 / (n - 1)) for i in range(n)]


def _node(ax: Axes, x: float, y: float, role: str, on: bool) -> Box:
    from matplotlib.patches import Circle

    ax.add_patch(Circle((x, y), 0.13, fc=colour(role) if on else "white", ec=colour(role) if on else MUTED,
                        lw=1.3, zorder=4, gid=f"node-{role}"))
    return Box(x, y, 0.26, 0.26)


def _link(ax: Axes, a: Box, b: Box, on: bool, colour_: str = INK, head: bool = True) -> None:
    arrow(ax, a.toward((b.x, b.y)), b.toward((a.x, a.y)), colour_=colour_ if on else MUTED,
          lw=1.4 if on else 0.8, head=on and head)


def who_sees_whom(seq_len: int = 8) -> Figure:
    """How far information travels to the last position in three sequence models (chapter 13):
    an RNN (a chain, path length T - 1), a causal dilated CNN (kernel 2, dilations 1, 2, 4,
    ...: path length = number of layers) and causal self-attention (every earlier position,
    path length 1). The links that reach the last output are drawn dark."""
    int_in_range("seq_len", seq_len, 4, high=16)
    xs = _positions(seq_len)
    layers = max(1, math.ceil(math.log2(seq_len)))
    fig, ax = canvas(9.0, 5.25 + 0.65 * layers)
    last = seq_len - 1
    # causal self-attention, top panel
    y0 = 3.15 + 0.65 * layers
    ins = [_node(ax, x, y0, "input", True) for x in xs]
    outs = [_node(ax, x, y0 + 1.35, "attention", i == last) for i, x in enumerate(xs)]
    for j in range(seq_len):
        _link(ax, ins[j], outs[last], True, colour("attention"), head=False)
    for j in range(3):
        _link(ax, ins[j], outs[2], False)
    text(ax, 0.2, y0 + 0.95, "causal\nself-attention", size=SMALL, ha="left", weight="bold")
    text(ax, 0.2, y0 + 0.25, "path length 1", size=SMALL, ha="left")
    # causal dilated CNN, middle panel: kernel 2, dilation 2^(l-1) at layer l
    y_c = 2.05
    seen = {(layers, last)}
    for l in range(layers, 0, -1):
        d = 2 ** (l - 1)
        seen |= {(l - 1, i - k) for (ll, i) in seen if ll == l for k in (0, d) if i - k >= 0}
    grid = [[_node(ax, x, y_c + 0.65 * l, "input" if l == 0 else "hidden", (l, i) in seen) for i, x in enumerate(xs)]
            for l in range(layers + 1)]
    for l in range(1, layers + 1):
        d = 2 ** (l - 1)
        for i in range(seq_len):
            for k in (0, d):
                if i - k >= 0:
                    on = (l, i) in seen and (l - 1, i - k) in seen
                    _link(ax, grid[l - 1][i - k], grid[l][i], on, colour("hidden"))
        text(ax, xs[-1] + 0.3, y_c + 0.65 * l, f"d = {d}", size=SMALL, ha="left")
    text(ax, 0.2, y_c + 0.65 * layers - 0.1, "causal dilated\nCNN", size=SMALL, ha="left", weight="bold")
    text(ax, 0.2, y_c + 0.15, f"path length {layers}\n(layers)", size=SMALL, ha="left")
    # RNN, bottom panel
    y_r = 0.35
    ins = [_node(ax, x, y_r, "input", True) for x in xs]
    hs = [_node(ax, x, y_r + 0.75, "hidden", True) for x in xs]
    for i in range(seq_len):
        _link(ax, ins[i], hs[i], True, colour("hidden"))
        if i:
            _link(ax, hs[i - 1], hs[i], True, colour("hidden"))
    text(ax, 0.2, y_r + 0.75, "RNN", size=SMALL, ha="left", weight="bold")
    text(ax, 0.2, y_r + 0.2, f"path length {seq_len - 1}", size=SMALL, ha="left")
    for i, x in enumerate(xs):
        text(ax, x, y0 + 1.75, str(i + 1), size=SMALL, colour_=colour("padding"))
    return finish(fig, f"Three sequence models over {seq_len} positions, inputs at the bottom of each panel. Bottom, "
                       f"an RNN: a chain, so the first input reaches the last state in {seq_len - 1} steps. Middle, a "
                       f"causal dilated CNN with kernel 2 and dilations 1, 2, 4: {layers} layers, and the links that "
                       "reach the last output, drawn dark, cover every earlier position. Top, causal self-attention: "
                       "the last output attends to every position directly, path length 1; an earlier output sees "
                       "only the positions up to its own.")


def scan_tree(n: int = 8) -> Figure:
    """h_t = a_t h_{t-1} + b_t computed two ways (chapter 14): the sequential loop, depth n, and
    the parallel prefix scan (Hillis-Steele form), depth log2 n, each level combining pairs
    2^k apart with the associative (a_1, b_1) then (a_2, b_2) = (a_1 a_2, a_2 b_1 + b_2)."""
    int_in_range("n", n, 2, high=16)
    depth = math.ceil(math.log2(n))
    dy, gap = 0.42, min(0.44, 3.1 / n)
    fig, ax = canvas(9.2, 1.6 + dy * n + 0.9)
    base = 0.95
    left = [1.05 + gap * i for i in range(n)]
    right = [4.75 + gap * i for i in range(n)]
    ins = [_node(ax, x, base, "input", True) for x in left]
    prev = None
    for i, x in enumerate(left):
        h = _node(ax, x, base + dy * (i + 1), "hidden", True)
        _link(ax, ins[i], h, True, colour("hidden"))
        if prev is not None:
            _link(ax, prev, h, True, colour("hidden"))
        prev = h
    text(ax, (left[0] + left[-1]) / 2, 0.45, f"sequential loop: depth {n}", size=SMALL, weight="bold")
    level = [_node(ax, x, base, "input", True) for x in right]
    for k in range(depth):
        step = 2 ** k
        nxt = [_node(ax, x, base + dy * (k + 1) * 2, "hidden", True) for x in right]
        for i in range(n):
            _link(ax, level[i], nxt[i], True, MUTED if i < step else colour("hidden"))
            if i >= step:
                _link(ax, level[i - step], nxt[i], True, colour("hidden"))
        text(ax, right[-1] + 0.3, base + dy * (k + 1) * 2, f"pairs {step} apart", size=SMALL, ha="left")
        level = nxt
    text(ax, (right[0] + right[-1]) / 2, 0.45, f"parallel scan: depth log$_2${n} = {depth}", size=SMALL,
         weight="bold")
    text(ax, 4.6, 1.6 + dy * n + 0.55, r"$h_t = a_t h_{t-1} + b_t$;   $(a_1, b_1)$ then $(a_2, b_2)$ is "
         r"$(a_1 a_2,\ a_2 b_1 + b_2)$: an associative combine")
    text(ax, left[0] - 0.22, base, "$(a_t, b_t)$", size=SMALL, ha="right")
    return finish(fig, f"Two ways to compute all states of h_t = a_t h_(t-1) + b_t for {n} steps, inputs at the "
                       f"bottom. Left, the loop: a staircase where each state waits for the one before, {n} levels "
                       f"deep. Right, the parallel scan: {depth} levels, where level k combines every element with "
                       "the one 2^k positions before it, which works because composing the steps' affine maps is "
                       "associative.")


def replicas_all_reduce(workers: int = 2) -> Figure:
    """Data-parallel training (appendix A1): the global batch split into one shard per replica,
    each replica a copy of the model computing its own gradients, an all-reduce summing them so
    every replica applies the same update, and the chief (worker 0) writing the checkpoint."""
    int_in_range("workers", workers, 2, high=4)
    step = 6.6 / workers
    xs = [0.4 + step * (k + 0.5) for k in range(workers)]
    fig, ax = canvas(9.2, 6.5)
    y_d, y_m, y_g, y_r, y_u = 0.55, 1.75, 2.9, 4.05, 5.2
    w = min(2.3, step - 0.3)
    reduce_bar = box(ax, (xs[0] + xs[-1]) / 2, y_r, r"all-reduce: every replica receives $g = "
                     + " + ".join(f"g_{k}" for k in range(workers)) + "$", role="gradient", w=xs[-1] - xs[0] + w,
                     h=0.5, size=SMALL)
    for k, x in enumerate(xs):
        shard = box(ax, x, y_d, f"batch shard {k}", role="input", w=w, h=0.5, size=SMALL)
        model = box(ax, x, y_m, f"replica {k}: model copy", role="hidden", w=w, h=0.5, size=SMALL)
        grads = box(ax, x, y_g, f"gradients $g_{k}$", role="gradient", w=w, h=0.5, size=SMALL, face="white")
        update = box(ax, x, y_u, "same update", role="hidden", w=w, h=0.5, size=SMALL)
        arrow(ax, shard.top, model.bottom)
        gradient_arrow(ax, model.top, grads.bottom)
        gradient_arrow(ax, grads.top, (x, reduce_bar.bottom[1]))
        arrow(ax, (x, reduce_bar.top[1]), update.bottom)
        text(ax, x, y_u + 0.55, f"worker {k}" + (" (chief)" if k == 0 else ""), size=SMALL, weight="bold")
    ckpt = box(ax, 8.3, y_u, "checkpoint", role="output", w=1.35, h=0.5, size=SMALL)
    polyline(ax, [(xs[0] + w / 2, y_u + 0.12), (xs[0] + w / 2 + 0.2, y_u + 0.12), (xs[0] + w / 2 + 0.2, y_u + 0.78),
                  (8.3, y_u + 0.78), ckpt.top])
    text(ax, (xs[0] + 8.3) / 2 + 0.9, y_u + 0.95, "only the chief writes it", size=SMALL)
    text(ax, 8.3, y_m, "the weights\nstay identical\non every\nreplica", size=SMALL)
    return finish(fig, f"Data-parallel training on {workers} workers, bottom to top: the global batch is split into "
                       f"{workers} shards, each replica holds a copy of the model and computes gradients on its "
                       "shard (dashed), an all-reduce sums the gradients so every replica receives the same total "
                       "and applies the same update, and only worker 0, the chief, writes the checkpoint.")
