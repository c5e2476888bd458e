"""Diagrams of how sequences are cut, fed and labelled (chapters 03, 07, 08 and 09):
character windows, the sampling loop, BIO tags, padding and masking, forecasting windows,
and the split by time."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

import numpy as np

from ..validate import int_in_range
from .palette import INK, MUTED, colour
from .primitives import FONT, SMALL, arrow, box, canvas, finish, polyline
from .primitives import text as write

if TYPE_CHECKING:
    from matplotlib.figure import Figure

__all__ = ["bio_tags", "char_windows", "padding_and_masking", "sampling_loop", "time_split",
           "windows_and_horizons"]


def _shown(char: str) -> str:
    """A character as drawn: a space becomes the visible-space sign."""
    return "␣" if char == " " else char


def _bracket(ax: object, x0: float, x1: float, y: float, label: str, down: bool = False,
             colour_: str = INK) -> None:
    """A square bracket from x0 to x1 at height y with a label beyond it."""
    tick = -0.12 if not down else 0.12
    polyline(ax, [(x0, y + tick), (x0, y), (x1, y), (x1, y + tick)], colour_=colour_, lw=1.2, head=False)
    write(ax, (x0 + x1) / 2, y + (0.22 if not down else -0.24), label, size=SMALL, colour_=colour_)


def char_windows(text: str = "hello world", seq_len: int = 5) -> Figure:
    """How chapter 03 cuts a text into training pairs: non-overlapping windows of ``seq_len``
    characters as inputs, and the same characters shifted by one as targets (the next
    character at every step), exactly as ``course_utils.rnn.char_lm.windows`` does."""
    int_in_range("seq_len", seq_len, 1, high=12)
    if not isinstance(text, str) or not 2 <= len(text) <= 16 or len(text) < seq_len + 1:
        raise ValueError(f"text must be a string of 2 to 16 characters and at least seq_len + 1 = {seq_len + 1} "
                         f"long (one window plus its shifted target), got {text!r}")
    n = (len(text) - 1) // seq_len
    cw, x0 = 0.62, 2.0
    fig, ax = canvas(x0 + cw * len(text) + 0.3, 4.4)
    y_text, y_in, y_out = 3.0, 1.85, 0.7
    for rows, label in ((y_text, "text"), (y_in, "inputs  $x$"), (y_out, "targets  $y$")):
        write(ax, 0.2, rows, label, ha="left")
    for j, char in enumerate(text):
        x = x0 + cw * j
        write(ax, x, y_text + 0.45, str(j), size=SMALL, colour_=colour("padding"))
        box(ax, x, y_text, _shown(char), role="input", w=0.5, h=0.5, face="white", edge=INK, gid="char")
        if j < n * seq_len:
            box(ax, x, y_in, _shown(char), role="input", w=0.5, h=0.5)
            box(ax, x, y_out, _shown(text[j + 1]), role="output", w=0.5, h=0.5)
            arrow(ax, (x, y_in - 0.25), (x, y_out + 0.25), lw=1.1)
    for k in range(n):
        a, b = x0 + cw * k * seq_len - 0.25, x0 + cw * ((k + 1) * seq_len - 1) + 0.25
        _bracket(ax, a, b, y_text + 0.8, f"window {k + 1}")
        if k:
            polyline(ax, [(a - 0.06, y_out - 0.35), (a - 0.06, y_in + 0.35)], colour_=colour("padding"), lw=1.0,
                     head=False)
    write(ax, x0 + cw * (n * seq_len) - 0.3, (y_in + y_out) / 2, "the next\ncharacter", size=SMALL, ha="left")
    return finish(fig, f"The text '{text}' in a row of numbered characters. Below it, {n} non-overlapping windows "
                       f"of {seq_len} characters are the inputs, and under each input character its target: the "
                       "character that follows it in the text, so the targets are the inputs shifted by one.")


def sampling_loop() -> Figure:
    """Generation by sampling, as chapter 03 runs it: the model turns the last character into
    logits, softmax(logits / tau) gives the next-character distribution, one character is
    drawn from it, appended to the text and fed back as the next input."""
    fig, ax = canvas(9.2, 3.9)
    y = 2.1
    b_in = box(ax, 0.85, y, "input\n$x_t$", role="input", w=1.2, h=0.85)
    b_rnn = box(ax, 3.05, y, "RNN step\n$h_{t-1}, x_t \\rightarrow h_t \\rightarrow z_t$", role="hidden",
                w=2.5, h=0.85)
    b_soft = box(ax, 5.75, y, "next-character\ndistribution\n$p_t = \\mathrm{softmax}(z_t / \\tau)$", role="output",
                 w=2.2, h=1.05)
    b_draw = box(ax, 8.15, y, "sample\n$x_{t+1} \\sim p_t$", role="output", w=1.5, h=0.85)
    arrow(ax, b_in.right, b_rnn.left)
    arrow(ax, b_rnn.right, b_soft.left, "logits", label_offset=(0, 0.22))
    arrow(ax, b_soft.right, b_draw.left)
    polyline(ax, [b_draw.bottom, (8.15, 0.95), (0.85, 0.95), b_in.bottom])
    write(ax, 4.5, 0.95, "feed it back in as the next input (and append it to the text)", size=SMALL, backdrop=True)
    # the hidden state is the loop's memory: it goes round to the next step too
    polyline(ax, [(3.65, b_rnn.top[1]), (3.65, 3.2), (2.45, 3.2), (2.45, b_rnn.top[1])])
    write(ax, 3.05, 3.45, "$h_t$ kept for the next step", size=SMALL)
    write(ax, 4.6, 0.35, r"$\tau \rightarrow 0$: greedy (argmax);   $\tau = 1$: the model's own distribution;"
         r"   $\tau > 1$: flatter, more surprising", size=SMALL)
    return finish(fig, "The sampling loop: the input character x_t goes into one RNN step, which updates the hidden "
                       "state and gives logits z_t; softmax of the logits divided by the temperature tau gives the "
                       "next-character distribution p_t; one character is sampled from it and fed back as the next "
                       "input. The hidden state also loops round to the next step. Small tau is nearly greedy, tau "
                       "= 1 samples the model's own distribution, large tau flattens it.")


def _entities(tags: Sequence[str]) -> list[tuple[int, int, str]]:
    """(first, last, type) of every B-/I- run; raises on tags that are not BIO."""
    spans: list[tuple[int, int, str]] = []
    for i, tag in enumerate(tags):
        if tag == "O":
            continue
        if tag[:2] not in ("B-", "I-") or len(tag) < 3:
            raise ValueError(f"tag {i} is {tag!r}: BIO tags are 'O', 'B-TYPE' or 'I-TYPE'")
        if tag.startswith("I-"):
            if not spans or spans[-1][1] != i - 1 or spans[-1][2] != tag[2:]:
                raise ValueError(f"tag {i} is {tag!r} but does not continue a {tag[2:]} entity; start it with B-")
            spans[-1] = (spans[-1][0], i, tag[2:])
        else:
            spans.append((i, i, tag[2:]))
    return spans


def bio_tags(tokens: Sequence[str] = ("Angela", "Merkel", "visited", "New", "York", "."),
             tags: Sequence[str] = ("B-PER", "I-PER", "O", "B-LOC", "I-LOC", "O")) -> Figure:
    """A sentence with one BIO tag per token (chapter 07): B- begins an entity, I- continues
    it, O is outside; brackets show the entities the tags spell."""
    tokens, tags = list(tokens), list(tags)
    if not tokens or len(tokens) != len(tags) or len(tokens) > 10:
        raise ValueError(f"tokens and tags must be two lists of the same length, 1 to 10, got {len(tokens)} and "
                         f"{len(tags)}; give one tag per token")
    spans = _entities(tags)
    widths = [max(0.85, 0.115 * max(len(tok), len(tag)) + 0.35) for tok, tag in zip(tokens, tags)]
    gap = 0.25
    centres = list(np.cumsum([0.0] + [w + gap for w in widths[:-1]]) + np.array(widths) / 2 + 0.3)
    fig, ax = canvas(centres[-1] + widths[-1] / 2 + 0.3, 3.9)
    y_tok, y_tag = 0.7, 2.0
    for x, w, tok, tag in zip(centres, widths, tokens, tags):
        tb = box(ax, x, y_tok, tok, role="input", w=w)
        gb = box(ax, x, y_tag, tag, role="output", w=w, face="white" if tag == "O" else None, size=SMALL)
        arrow(ax, tb.top, gb.bottom, lw=1.2)
    for first, last, kind in spans:
        _bracket(ax, centres[first] - widths[first] / 2, centres[last] + widths[last] / 2, y_tag + 0.55,
                 kind, colour_=colour("output"))
    write(ax, (centres[0] + centres[-1]) / 2, 3.6, "B- begins an entity, I- continues it, O is outside any entity",
         size=SMALL)
    words = "; ".join(f"{' '.join(tokens[a:b + 1])} ({kind})" for a, b, kind in spans) or "no entities"
    return finish(fig, "A sentence, one token per box, with its BIO tag above each token: "
                       + ", ".join(f"{tok} {tag}" for tok, tag in zip(tokens, tags))
                       + f". Brackets over the tags mark the entities they spell: {words}.")


def padding_and_masking(lengths: Sequence[int] = (5, 3, 2), max_len: int = 5) -> Figure:
    """A padded batch (chapter 08): each row is one sequence, padded with id 0 to ``max_len``
    (hatched). The mask makes the RNN skip padded steps and carry its state forward, so a
    many-to-one model reads each sequence's last real state h_L."""
    int_in_range("max_len", max_len, 2, high=8)
    lengths = [int_in_range("each length", L, 1, high=max_len, meaning="at most max_len") for L in lengths]
    if not 1 <= len(lengths) <= 5:
        raise ValueError(f"draw 1 to 5 sequences, got {len(lengths)} lengths")
    cw, x0, rh = 0.95, 2.6, 0.9
    x_out = x0 + cw * (max_len - 1) + 1.55
    top = 0.9 + rh * len(lengths)
    fig, ax = canvas(x_out + 0.8, top + 1.0)
    for t in range(max_len):
        write(ax, x0 + cw * t, top + 0.2, f"t = {t + 1}", size=SMALL)
    for i, L in enumerate(lengths):
        y = top - 0.35 - rh * i
        mask = " ".join("1" if t < L else "0" for t in range(max_len))
        write(ax, 0.2, y + 0.14, f"length {L}", ha="left", size=SMALL)
        write(ax, 0.2, y - 0.16, f"mask {mask}", ha="left", size=SMALL, colour_=colour("padding"))
        prev = None
        for t in range(max_len):
            real = t < L
            b = box(ax, x0 + cw * t, y, rf"$h_{{{t + 1}}}$" if real else "pad", role="hidden" if real else "padding",
                    w=0.62, h=0.5, size=FONT if real else SMALL)
            if prev is not None and real:
                arrow(ax, prev.right, b.left, lw=1.2)
            prev = b if real else prev
        out = box(ax, x_out, y, rf"reads $h_{{{L}}}$", role="output", w=1.15, h=0.5, size=SMALL)
        arrow(ax, prev.right, out.left, lw=1.6 if L < max_len else 1.2, colour_=colour("hidden"))
    write(ax, (x_out + 0.6) / 2, 0.5, "Hatched: padding (id 0), masked out. The RNN skips masked steps and carries "
         "its state\nforward, so the many-to-one output reads the last real state, not the state at t = "
         f"{max_len}.", size=SMALL)
    return finish(fig, f"A batch of {len(lengths)} sequences of lengths {', '.join(map(str, lengths))} padded to "
                       f"{max_len} steps: real steps are hidden-state boxes joined by arrows, padded steps are "
                       "hatched and marked pad, with the mask (1 real, 0 padding) beside each row. An arrow carries "
                       "each row's last real state past the padding to the output, which reads h_L.")


def _series(n: int) -> np.ndarray:
    """A fixed smooth toy series (a trend plus two waves), scaled to [0, 1]."""
    t = np.arange(n, dtype="float64")
    v = 0.02 * t + np.sin(t / 2.3) + 0.4 * np.sin(t / 0.9 + 1.0)
    return (v - v.min()) / (v.max() - v.min())


def windows_and_horizons(window: int = 14, horizon: int = 7) -> Figure:
    """One forecasting example (chapter 09): an input window of ``window`` steps ending at
    its origin, and the next ``horizon`` values as targets; the next example is the same
    window shifted by one step."""
    int_in_range("window", window, 1, high=21)
    int_in_range("horizon", horizon, 1, high=10)
    before, after = 4, 2
    n = before + window + horizon + after
    cw = min(0.36, 8.2 / n)
    x0 = 0.55
    fig, ax = canvas(x0 + cw * n + 0.35, 4.4)
    y_plot, y_tape, y_next = 2.6, 1.75, 1.2
    values = _series(n)
    xs = x0 + cw * np.arange(n)
    ax.plot(xs, y_plot + 1.1 * values, color=colour("padding"), lw=1.2, zorder=1)
    first, origin = before, before + window - 1
    for j in range(n):
        role = "input" if first <= j <= origin else "output" if origin < j <= origin + horizon else "padding"
        face = "white" if role == "padding" else None
        box(ax, xs[j], y_tape, "", role=role, w=cw * 0.92, h=0.42, face=face, edge=MUTED if face else None,
            rounded=False, lw=1.0, hatch="")
        ax.plot([xs[j]], [y_plot + 1.1 * values[j]], "o", ms=4, zorder=4,
                color=colour(role) if role != "padding" else colour("padding"))
        if first + 1 <= j <= origin + horizon + 1:
            role_next = "input" if j <= origin + 1 else "output"
            box(ax, xs[j], y_next, "", role=role_next, w=cw * 0.92, h=0.3, rounded=False, lw=0.8, hatch="",
                face="white", gid="next")
    _bracket(ax, xs[first] - cw / 2, xs[origin] + cw / 2, y_tape - 0.98, f"input window: {window} steps", down=True)
    _bracket(ax, xs[origin + 1] - cw / 2, xs[origin + horizon] + cw / 2, y_tape - 0.98,
             f"targets: next {horizon}", down=True, colour_=colour("output"))
    polyline(ax, [(xs[origin], y_tape + 0.25), (xs[origin], y_plot - 0.2)], colour_=MUTED, lw=1.0, head=False)
    write(ax, xs[origin], y_plot - 0.3, "origin", size=SMALL, backdrop=True)
    write(ax, xs[first] - 0.05, y_next, "next example,\nshifted by one", size=SMALL, ha="right")
    arrow(ax, (x0, 0.12), (xs[-1] + cw / 2, 0.12), colour_=colour("padding"), lw=1.0)
    write(ax, x0 + 0.3, 0.3, "time", size=SMALL, colour_=colour("padding"))
    return finish(fig, f"A time series drawn as a curve over a row of time steps. An input window of {window} "
                       f"consecutive steps ends at the origin, and the {horizon} steps right after it are the "
                       "targets. A thinner row below shows the next example, the same window shifted by one step.")


def time_split(train: int = 731, validation: int = 365, test: int = 365,
               labels: Sequence[str] = ("2012-2013", "2014", "2015")) -> Figure:
    """Train | validation | test cut by time, as chapter 09 splits its weather series: each
    period strictly after the one before. A window belongs to the period of its targets."""
    sizes = [int_in_range(name, v, 1) for name, v in (("train", train), ("validation", validation), ("test", test))]
    if len(labels) != 3:
        raise ValueError(f"labels must name the three periods, e.g. ('2012-2013', '2014', '2015'), got {labels!r}")
    fig, ax = canvas(9.0, 3.4)
    x0, x1, y = 0.4, 8.6, 1.65
    total = sum(sizes)
    edges = np.cumsum([0] + sizes) / total * (x1 - x0) + x0
    faces = ("white", "#EDEDED", "#D0D0D0")
    for k, name in enumerate(("train", "validation", "test")):
        mid = (edges[k] + edges[k + 1]) / 2
        box(ax, mid, y, f"{name}\n{labels[k]}  ({sizes[k]} steps)", role="padding", w=edges[k + 1] - edges[k],
            h=0.9, face=faces[k], edge=INK, hatch="", rounded=False, gid=name, size=SMALL)
    values = _series(60)
    xs = np.linspace(x0, x1, 60)
    ax.plot(xs, y + 0.75 + 0.5 * values, color=colour("padding"), lw=1.2)
    # one window whose targets open the validation period: its inputs still come from the training period
    cut = edges[1]
    box(ax, cut - 0.45, y - 0.85, "", role="input", w=0.9, h=0.25, rounded=False, gid="window")
    box(ax, cut + 0.09, y - 0.85, "", role="output", w=0.18, h=0.25, rounded=False, gid="window")
    write(ax, cut + 0.3, y - 0.85, "a validation example: its target is in 2014,\nits inputs may reach back before the cut",
         size=SMALL, ha="left")
    arrow(ax, (x0, 0.25), (x1, 0.25), colour_=colour("padding"), lw=1.0)
    write(ax, x0 + 0.35, 0.42, "time", size=SMALL, colour_=colour("padding"))
    return finish(fig, f"A time axis cut into three consecutive periods: train ({labels[0]}), validation "
                       f"({labels[1]}) and test ({labels[2]}), each strictly after the one before, never shuffled. "
                       "A small example window at the first cut has its target in the validation period while its "
                       "inputs reach back into the training period.")
