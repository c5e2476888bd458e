"""Training a model and timing it: the one place the course's training helpers call ``fit``.

The helpers that train models for the learner (``seq2seq.translator.train_translator``,
``rnn.recall_task.accuracy_vs_lag``) take a ``fit=`` function with the signature of
:func:`fit_timed`, which is also their default: it simply trains. Any function with that
signature can take its place, for example one that loads weights trained earlier instead
of training (the course's slow-machine fallback does so).
"""

from __future__ import annotations

import time
from typing import Any, NamedTuple

__all__ = ["FitOutcome", "fit_timed"]


class FitOutcome(NamedTuple):
    """What a fit function did: the Keras history dict (lists of floats), the training wall
    seconds, and whether weights were loaded instead of trained (``seconds`` is then the time
    measured when they were made)."""

    history: dict[str, list[float]]
    seconds: float
    loaded: bool


def fit_timed(model: Any, data: Any, epochs: int, part: str | None = None, **fit_kwargs: Any) -> FitOutcome:
    """``model.fit(data, epochs=epochs, verbose=0, **fit_kwargs)``, timed.

    ``part`` names the piece of a larger experiment this fit is (``"lag40"`` when
    ``accuracy_vs_lag`` trains one model per lag); plain training ignores it, a fit function
    that stores or loads weights uses it in the file name."""
    t0 = time.perf_counter()
    history = model.fit(data, epochs=epochs, verbose=0, **fit_kwargs).history
    seconds = time.perf_counter() - t0
    return FitOutcome({k: [float(v) for v in vals] for k, vals in history.items()}, seconds, False)
