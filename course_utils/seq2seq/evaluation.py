"""Judging a translator's output: corpus scores against references, and a heatmap of where
the decoder looked (chapters 10-12)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from ..validate import finite_array

__all__ = ["evaluate_translations", "plot_attention"]


def evaluate_translations(hypotheses: Sequence[str], references: Sequence[str]) -> dict[str, float]:
    """Corpus BLEU and chrF (sacrebleu, default settings) and exact match (%), all 0-100."""
    import sacrebleu

    if isinstance(hypotheses, str) or isinstance(references, str):
        raise TypeError("pass lists of strings, not single strings")
    if len(hypotheses) != len(references) or not references:
        raise ValueError(f"need as many hypotheses as references (and at least one): {len(hypotheses)} vs {len(references)}")
    for name, texts in (("hypotheses", hypotheses), ("references", references)):
        bad = next((i for i, t in enumerate(texts) if not isinstance(t, str)), None)
        if bad is not None:
            raise TypeError(f"{name}[{bad}] is {type(texts[bad]).__name__} ({texts[bad]!r:.40}), not a string; "
                            "detokenise token lists first (e.g. detokenize_words(tokens))")
    exact = np.mean([h.strip() == r.strip() for h, r in zip(hypotheses, references)])
    return {"bleu": sacrebleu.corpus_bleu(list(hypotheses), [list(references)]).score,
            "chrf": sacrebleu.corpus_chrf(list(hypotheses), [list(references)]).score,
            "exact_match": 100.0 * float(exact)}


def plot_attention(weights: np.ndarray, source_tokens: Sequence[str], target_tokens: Sequence[str],
                   ax: Any = None, title: str | None = None) -> tuple[Any, Any]:
    """Heatmap of one sentence's attention weights (T, S): rows = output tokens, columns = source
    tokens. Draws on ``ax`` (or a new figure) and returns ``(fig, ax)``, like every course plot."""
    import matplotlib.pyplot as plt

    weights = finite_array("weights", weights, fix="pass the attention weights of one sentence, (T, S)")
    if weights.ndim != 2:
        raise ValueError(f"weights must be one sentence's attention matrix (T, S), got shape {weights.shape}; "
                         "pick one sentence: weights[i]")
    weights = weights[: len(target_tokens), : len(source_tokens)]
    if ax is None:
        _, ax = plt.subplots(figsize=(0.5 * len(source_tokens) + 2, 0.4 * len(target_tokens) + 1.5))
    ax.imshow(weights, cmap="viridis", vmin=0, vmax=1)
    ax.set_xticks(range(len(source_tokens)), source_tokens, rotation=60, ha="right")
    ax.set_yticks(range(len(target_tokens)), target_tokens)
    ax.set(xlabel="source (English)", ylabel="output (German)")
    if title:
        ax.set_title(title)
    return ax.figure, ax
