"""One leaderboard across the course (makemore-style): every model of the course, from character
counts to the Transformer and the minGRU, on one task (next character of Shakespeare), one
split, one training budget and one way of scoring; chapters 03, 05, 06, 13 and 14 each own a rung.

    python -m course_kit.leaderboard                          # every rung not stored yet; then the page
    python -m course_kit.leaderboard --rungs unigram,ngram    # these rungs (stored ones reused)
    python -m course_kit.leaderboard --rungs gru --retrain    # train a stored rung again
    python -m course_kit.leaderboard --render                 # only rewrite results/leaderboard.md

Writes ``results/leaderboard.json`` (one record per rung, merged as each finishes) and
``results/leaderboard.md``. The protocol (budget, scoring windows) is in :mod:`.protocol`,
the rungs in :mod:`.rungs`, the page in :mod:`.render`; importing this package loads no Keras.
"""

from __future__ import annotations

from .cli import DATA, PAGE, load, main, run, write
from .protocol import DEFAULT_STEPS, Protocol, eval_windows
from .render import render
from .rungs import RUNGS

__all__ = ["DATA", "DEFAULT_STEPS", "PAGE", "RUNGS", "Protocol", "eval_windows", "load", "main", "render", "run",
           "write"]
