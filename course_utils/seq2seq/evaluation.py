"""Judging a translator's output: corpus scores against references, how sure a difference
between two systems is (paired bootstrap), and a heatmap of where the decoder looked
(chapters 10-12)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import numpy as np

from ..validate import finite_array, int_in_range

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["evaluate_translations", "paired_bootstrap", "plot_attention", "unknown_rate"]


def evaluate_translations(hypotheses: Sequence[str], references: Sequence[str]) -> dict[str, float]:
    """Corpus BLEU and chrF (sacrebleu, default settings) and exact match (%), all 0-100."""
    import sacrebleu

    if isinstance(hypotheses, str) or isinstance(references, str):
        raise TypeError("pass lists of strings, not single strings")
    if len(hypotheses) != len(references) or not references:
        raise ValueError(f"need as many hypotheses as references (and at least one): {len(hypotheses)} vs {len(references)}")
    _check_texts("hypotheses", hypotheses)
    _check_texts("references", references)
    exact = np.mean([h.strip() == r.strip() for h, r in zip(hypotheses, references)])
    return {"bleu": sacrebleu.corpus_bleu(list(hypotheses), [list(references)]).score,
            "chrf": sacrebleu.corpus_chrf(list(hypotheses), [list(references)]).score,
            "exact_match": 100.0 * float(exact)}


def unknown_rate(model: Any, texts: Sequence[str]) -> float:
    """The share (0-1) of source tokens that the model's vocabulary maps to [UNK]: the words,
    or pieces, of ``texts`` that the encoder cannot tell apart. A word vocabulary meets every
    name it has not seen as [UNK]; a subword model cuts it into known pieces instead."""
    from .tokens import UNK

    _check_texts("texts", texts)
    ids = model.encode_source(list(texts)) if texts else np.zeros((0, 0))
    real = ids != 0
    if not real.any():
        raise ValueError("texts hold no tokens; pass at least one non-empty sentence")
    return float((ids[real] == UNK).mean())


def _check_texts(name: str, texts: Sequence[str]) -> None:
    if isinstance(texts, str):
        raise TypeError(f"{name} must be a list of strings, not a single string")
    bad = next((i for i, t in enumerate(texts) if not isinstance(t, str)), None)
    if bad is not None:
        raise TypeError(f"{name}[{bad}] is {type(texts[bad]).__name__} ({texts[bad]!r:.40}), not a string; "
                        "detokenise token lists first (e.g. detokenize_words(tokens))")


def paired_bootstrap(systems: dict[str, Sequence[str]], references: Sequence[str], baseline: str,
                     n_samples: int = 1000) -> pd.DataFrame:
    """How sure is a BLEU or chrF difference on a small test set? sacrebleu's paired bootstrap:
    resample the test sentences with replacement ``n_samples`` times (sacrebleu's fixed seed),
    rescore every system on each resample, and count how often a system's gap to ``baseline``
    vanishes.

    systems: name -> hypotheses (one string per test sentence, same order as ``references``).
    Returns a DataFrame, one row per system (the baseline first): ``bleu``, ``bleu_ci`` (half
    width of the 95% bootstrap interval), ``bleu_p`` (p-value of the difference from the
    baseline; empty for the baseline itself), and the same three for chrF."""
    import pandas as pd
    from sacrebleu.metrics import BLEU, CHRF
    from sacrebleu.significance import PairedTest

    if not isinstance(systems, dict) or len(systems) < 2:
        raise ValueError("systems must be a dict of at least two {name: hypotheses}, the baseline among them")
    if baseline not in systems:
        raise ValueError(f"baseline {baseline!r} is not one of the systems {list(systems)}")
    int_in_range("n_samples", n_samples, 100, meaning="bootstrap resamples; 1000 is usual")
    _check_texts("references", references)
    for name, hyps in systems.items():
        _check_texts(f"systems[{name!r}]", hyps)
        if len(hyps) != len(references):
            raise ValueError(f"system {name!r} has {len(hyps)} hypotheses for {len(references)} references; "
                             "translate every test sentence, in order")
    named = [(baseline, list(systems[baseline]))] + [(n, list(h)) for n, h in systems.items() if n != baseline]
    _, scores = PairedTest(named, {"BLEU": BLEU(), "chrF": CHRF()}, [list(references)], test_type="bs",
                           n_samples=n_samples)()
    metric_names = [k for k in scores if k != "System"]  # sacrebleu's names, e.g. "BLEU", "chrF2", in our order
    rows = []
    for i, (name, _) in enumerate(named):
        row: dict[str, Any] = {"system": name}
        for metric, key in zip(metric_names, ("bleu", "chrf")):
            result = scores[metric][i]
            row.update({key: result.score, f"{key}_ci": result.ci, f"{key}_p": result.p_value})
        rows.append(row)
    return pd.DataFrame(rows).set_index("system")


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
