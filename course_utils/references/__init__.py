"""The course's reference models, read-only: what a chapter needs to show and evaluate them.

A reference model is trained once, longer than a notebook can afford, by
``python -m course_kit.reference NAME`` and stored in ``weights/reference/`` (float16 weights
and a JSON sidecar: settings, machine, training time, learning curve, test figures). A chapter
loads and labels it here::

    from course_utils import references
    print(references.label("translator"))
    model = references.load("translator")

- :mod:`~course_utils.references.store`: the checksummed weight store (file format, sidecar style)
- :mod:`~course_utils.references.catalog`: the names, ``sidecar``, ``label``
- :mod:`~course_utils.references.translators`: translator data, evaluation, ``known_words``
- :mod:`~course_utils.references.characters`: Shakespeare character models' data, model, evaluation
- :mod:`~course_utils.references.curves`: their learning curves compared (``char_curves``,
  ``char_table``, ``char_crossover``, ``plot_char_curves``)
- :mod:`~course_utils.references.loading`: ``load`` and ``evaluate`` by name

Nothing heavy is imported here: Keras, pandas and matplotlib load when a function needs them.
"""

from __future__ import annotations

from .catalog import CHAR_KINDS, CHAR_TIERS, NAMES, TRANSLATORS, label, sidecar
from .curves import char_crossover, char_curves, char_table, plot_char_curves
from .loading import evaluate, load
from .seeds import seed_study, seed_table
from .translators import known_words

__all__ = ["CHAR_KINDS", "CHAR_TIERS", "NAMES", "TRANSLATORS", "char_crossover", "char_curves", "char_table",
           "evaluate", "known_words", "label", "load", "plot_char_curves", "seed_study", "seed_table", "sidecar"]
