"""Diagrams of sequence-to-sequence models (chapters 10 to 12): the encoder-decoder under
teacher forcing and at inference, one decoder step's attention, and a beam-search tree.

Notation follows ``course_utils.seq2seq.layers``: encoder outputs h_1..h_S, decoder states
s_t (s_0 = h_S), attention weights a_{t,s} and context c_t = sum_s a_{t,s} h_s.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

import numpy as np

from ..validate import int_in_range
from .palette import INK, LINESTYLES, MUTED, colour
from .primitives import SMALL, TITLE, Box, arrow, box, canvas, finish, legend, text

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

__all__ = ["attention_step", "beam_tree", "encoder_decoder"]

SOURCE = ("I", "am", "Tom", ".")
TARGET = ("Ich", "bin", "Tom", ".")


def _tokens(name: str, tokens: Sequence[str], most: int) -> list[str]:
    tokens = [str(t) for t in tokens]
    if not 1 <= len(tokens) <= most or not all(tokens):
        raise ValueError(f"{name} must hold 1 to {most} non-empty tokens, got {tokens!r}")
    return tokens


def _seq2seq_panel(ax: Axes, y0: float, source: list[str], target: list[str], inference: bool) -> None:
    """One encoder-decoder unrolled with its bottom at y0: inputs, states, outputs."""
    step, bw = 0.98, 0.86
    y_in, y_h, y_out = y0 + 0.35, y0 + 1.3, y0 + 2.25
    enc = [0.6 + step * i for i in range(len(source))]
    hw = 0.6  # narrower than the word boxes, so the feedback arrows of inference pass between them
    dec = [enc[-1] + 0.5 + step * (i + 1) for i in range(len(target) + 1)]
    prev: Box | None = None
    for s, (x, tok) in enumerate(zip(enc, source)):
        xb = box(ax, x, y_in, tok, role="input", w=bw, h=0.45, size=SMALL)
        hb = box(ax, x, y_h, rf"$h_{{{s + 1}}}$", role="hidden", w=hw, h=0.45, gid="encoder")
        arrow(ax, xb.top, hb.bottom, lw=1.2)
        if prev is not None:
            arrow(ax, prev.right, hb.left, lw=1.2)
        prev = hb
    text(ax, (enc[0] + enc[-1]) / 2, y_out, "encoder", size=SMALL, colour_=colour("hidden"))
    ins, outs = ["[START]", *target], [*target, "[END]"]
    out_boxes: list[Box] = []
    for i, (x, tok_in, tok_out) in enumerate(zip(dec, ins, outs)):
        xb = box(ax, x, y_in, tok_in, role="input" if not (inference and i) else "output", w=bw, h=0.45,
                 size=SMALL, face="white" if inference and i else None)
        hb = box(ax, x, y_h, rf"$s_{{{i + 1}}}$", role="hidden", w=hw, h=0.45, gid="decoder")
        ob = box(ax, x, y_out, tok_out, role="output", w=bw, h=0.45, size=SMALL)
        arrow(ax, xb.top, hb.bottom, lw=1.2)
        arrow(ax, hb.top, ob.bottom, lw=1.2)
        arrow(ax, prev.right, hb.left, lw=1.6 if i == 0 else 1.2, colour_=colour("hidden") if i == 0 else INK)
        if inference and i:
            arrow(ax, (out_boxes[-1].x + 0.3, y_out - 0.23), (x - 0.3, y_in + 0.23), lw=1.1,
                  colour_=colour("output"))
        out_boxes.append(ob)
        prev = hb
    text(ax, (enc[-1] + dec[0]) / 2, y_h + 0.32, "state", size=SMALL, colour_=colour("hidden"))


def encoder_decoder(source: Sequence[str] = SOURCE, target: Sequence[str] = TARGET) -> Figure:
    """The encoder-decoder (chapter 10) twice: in training (teacher forcing: the decoder's inputs
    are the target shifted right behind [START]) and at inference (the decoder feeds its own
    previous prediction back in, until it writes [END])."""
    source, target = _tokens("source", source, 5), _tokens("target", target, 5)
    width = 0.6 + 0.98 * (len(source) + len(target)) + 0.5 + 0.6
    fig, ax = canvas(width, 7.2)
    _seq2seq_panel(ax, 3.75, source, target, inference=False)
    text(ax, 0.15, 6.95, "training (teacher forcing): the decoder reads the true previous word", size=TITLE,
         ha="left", weight="bold")
    _seq2seq_panel(ax, 0.15, source, target, inference=True)
    text(ax, 0.15, 3.35, "inference: the decoder reads its own previous prediction", size=TITLE,
         ha="left", weight="bold")
    src, tgt = " ".join(source), " ".join(target)
    return finish(fig, f"Two encoder-decoders translating '{src}' into '{tgt}'. Above, in training, the encoder reads "
                       "the source and hands its final state to the decoder, whose inputs are the target words "
                       "shifted right behind [START] (teacher forcing), and whose outputs are the target words "
                       "followed by [END]. Below, at inference, the decoder starts from [START] and each input is its "
                       "own previous prediction, drawn as an arrow from each output to the next input.")


def _default_weights(n: int, peak: int) -> np.ndarray:
    w = np.full(n, 0.3)
    w[peak] = 3.0
    return w / w.sum()


def attention_step(source: Sequence[str] = SOURCE, weights: Sequence[float] | None = None,
                   previous: str = "bin", output: str = "Tom") -> Figure:
    """One decoder step of attention (chapter 11): the decoder state s_t scores every encoder
    state h_s, softmax turns the scores into weights a_{t,s} (numbers, and line widths), and
    the context c_t = sum_s a_{t,s} h_s is mixed with s_t to predict the next word."""
    source = _tokens("source", source, 7)
    if weights is None:
        weights = [0.05, 0.1, 0.77, 0.08] if list(source) == list(SOURCE) else _default_weights(len(source),
                                                                                                 len(source) // 2)
    a = np.asarray(weights, dtype="float64")
    if a.shape != (len(source),) or not np.all(np.isfinite(a)) or a.min() < 0 or abs(a.sum() - 1) > 1e-3:
        raise ValueError(f"weights must be {len(source)} non-negative numbers summing to 1 (one per source "
                         f"token, a softmax), got {list(weights)!r}")
    step = min(1.15, 5.6 / len(source))
    xs = [0.75 + step * i for i in range(len(source))]
    fig, ax = canvas(9.0, 5.3)
    y_tok, y_h, y_a, y_c = 0.45, 1.45, 2.75, 4.15
    att = colour("attention")
    # the row of weights sits on a band: one softmax over the whole source
    box(ax, (xs[0] + xs[-1]) / 2, y_a, "", role="attention", w=xs[-1] - xs[0] + 0.95, h=0.62, face="white",
        rounded=True, lw=1.0, gid="softmax")
    ctx = box(ax, (xs[0] + xs[-1]) / 2, y_c, r"context $c_t = \sum_s a_{t,s}\,h_s$", role="attention", w=2.9, h=0.55)
    for s, (x, tok, w) in enumerate(zip(xs, source, a)):
        tb = box(ax, x, y_tok, tok, role="input", w=0.8, h=0.45, size=SMALL)
        hb = box(ax, x, y_h, rf"$h_{{{s + 1}}}$", role="hidden", w=0.8, h=0.5)
        wb = box(ax, x, y_a, f"{w:.2f}", role="attention", w=0.7, h=0.42, size=SMALL, gid="weight")
        arrow(ax, tb.top, hb.bottom, lw=1.1)
        arrow(ax, hb.top, wb.bottom, lw=1.1)
        arrow(ax, wb.top, ctx.toward(wb.top), colour_=att, lw=0.6 + 9 * w, head=False)
    text(ax, xs[-1] + 0.6, y_a - 0.3, r"weights $a_{t,s}$", size=SMALL, ha="left", colour_=INK)
    x_dec = 7.7
    sb = box(ax, x_dec, y_h, "$s_t$", role="hidden", w=0.8, h=0.5)
    pb = box(ax, x_dec, y_tok, previous, role="input", w=0.8, h=0.45, size=SMALL)
    arrow(ax, pb.top, sb.bottom, lw=1.1)
    polyline_end = (xs[-1] + 0.48, y_a + 0.12)
    arrow(ax, (x_dec, sb.top[1]), (x_dec, y_a + 0.12), head=False, lw=1.3)
    arrow(ax, (x_dec, y_a + 0.12), polyline_end, lw=1.3)
    text(ax, (x_dec + polyline_end[0]) / 2 + 0.1, y_a + 0.62, "score every $h_s$,\nthen softmax", size=SMALL)
    mix = box(ax, x_dec, y_c, r"$\tilde s_t = \tanh(W_c[c_t; s_t])$", role="hidden", w=2.35, h=0.55, size=SMALL)
    arrow(ax, ctx.right, mix.left, lw=1.3)
    out = box(ax, x_dec, y_c + 0.85, output, role="output", w=0.8, h=0.42, size=SMALL)
    arrow(ax, mix.top, out.bottom, lw=1.1)
    text(ax, x_dec + 0.55, y_h - 0.05, "decoder\nstate", size=SMALL, ha="left")
    text(ax, (xs[0] + xs[-1]) / 2 + 0.3, y_c + 0.72, r"$e_{t,s} = \mathrm{score}(s_t, h_s)$,   "
         r"$a_{t,s} = \mathrm{softmax}_s(e_{t,s})$", size=SMALL)
    pairs = ", ".join(f"{tok} {w:.2f}" for tok, w in zip(source, a))
    return finish(fig, f"One decoder step of attention. The encoder states h_1 to h_{len(source)} sit above the "
                       f"source words; the decoder state s_t, which has just read '{previous}', scores each of them "
                       f"and a softmax turns the scores into weights ({pairs}), drawn as numbers and as the widths of "
                       "the lines into the context vector c_t, their weighted sum. The context and s_t are mixed "
                       f"to predict the next word, '{output}'.")


# Each step's candidate words for the toy beam tree (a German sentence being written).
_WORDS = (("Ich", "Er", "Wir", "Es"), ("bin", "heiße", "war", "habe"), ("Tom", "müde", "hier", "[END]"),
          (".", "!", "[END]", "jetzt"), ("[END]", ".", "!", "?"))


def _expand(score: float, step: int, rng: np.random.Generator, k: int) -> list[tuple[str, float]]:
    """The k best next words of a hypothesis and their total log-probabilities (toy numbers)."""
    probs = np.sort(rng.dirichlet(np.full(len(_WORDS[step]), 0.7)))[::-1][:k]
    order = rng.permutation(len(_WORDS[step]))[:k]
    return [(_WORDS[step][j], score + float(np.log(p))) for j, p in zip(order, probs)]


def beam_tree(beam_width: int = 2, steps: int = 3, seed: int = 3) -> Figure:
    """A beam search (chapter 12) with toy log-probabilities: at every step each kept hypothesis
    is extended by its best ``beam_width + 1`` words, every candidate is scored by its total
    log-probability, and only the ``beam_width`` best are kept (solid); the rest are pruned
    (grey, dotted). The best final hypothesis is drawn thick."""
    int_in_range("beam_width", beam_width, 1, high=3)
    int_in_range("steps", steps, 1, high=len(_WORDS))
    rng = np.random.default_rng(seed)
    k = beam_width + 1
    col, bw, bh = 2.45, 1.45, 0.4
    rows = beam_width * k
    height = 1.3 + 0.52 * rows
    fig, ax = canvas(0.9 + col * steps + bw / 2 + 0.2, height + 0.9)
    root = box(ax, 0.75, height / 2, "[START]", role="input", w=1.1, h=bh, size=SMALL)
    kept: list[tuple[float, Box]] = [(0.0, root)]
    edges: list[tuple[Box, Box, bool]] = []
    paths: dict[Box, list[str]] = {root: ["[START]"]}
    for t in range(steps):
        cands = [(score_c, word, parent) for score, parent in kept for word, score_c in _expand(score, t, rng, k)]
        ranked = sorted(range(len(cands)), key=lambda i: -cands[i][0])[:beam_width]
        ys = np.linspace(height - 0.6, 0.6, len(cands)) if len(cands) > 1 else [height / 2]
        new_kept = []
        for i, ((score, word, parent), y) in enumerate(zip(cands, ys)):
            keep = i in ranked
            node = box(ax, 0.75 + col * (t + 1), float(y), f"{word}  {score:.2f}", role="output", w=bw, h=bh,
                       size=SMALL, face=None if keep else "white", edge=None if keep else MUTED,
                       text_colour=INK if keep else "#8A8A8A", gid="kept" if keep else "pruned",
                       linestyle="-" if keep else LINESTYLES["pruned"])
            edges.append((parent, node, keep))
            paths[node] = [*paths[parent], word]
            if keep:
                new_kept.append((score, node))
        kept = sorted(new_kept, key=lambda c: -c[0])
    best_node = kept[0][1]
    on_best = {best_node}
    for parent, node, _ in reversed(edges):
        if node in on_best:
            on_best.add(parent)
    for parent, node, keep in edges:
        best = parent in on_best and node in on_best
        arrow(ax, parent.right, node.left, colour_=colour("output") if best else INK if keep else MUTED,
              style="forward" if keep else "pruned", lw=3.0 if best else 1.3 if keep else 1.1, head=keep)
    legend(ax, 0.3, height + 0.45, [(colour("output"), "forward", "best hypothesis"), (INK, "forward", "kept"),
                                     (MUTED, "pruned", "pruned")], gap=2.6)
    text(ax, 0.3, height + 0.05, f"beam width {beam_width}: total log-probabilities, the best {beam_width} kept "
         "at each step", size=SMALL, ha="left")
    best_words = "'" + " ".join(paths[best_node][1:]) + "'"
    return finish(fig, f"A beam-search tree growing left to right from [START] over {steps} steps with beam width "
                       f"{beam_width}. Each kept hypothesis is extended by its {k} best next words, each labelled with "
                       f"its total log-probability; the {beam_width} best candidates of each step are kept (solid) "
                       "and the others are pruned (grey, dotted, not extended). The best final hypothesis, "
                       f"{best_words}, is drawn with a thick line.")
