"""course_utils: the learner library of the Recurrent course, grouped by topic.

Nothing is imported here, so ``import course_utils`` is instant; import the module you
need. The course's own tooling (runner, site, bench, lab, student notebooks, environment
check, key metrics, slow-machine weights) is the separate package :mod:`course_kit`, which
this library never imports.

The library has three layers: base helpers that every chapter shares (``data``, ``seed``,
``validate``, ``training``, ``plots``, ...), one topic package or module per subject (``rnn``,
``tagging``, ``seq2seq``, ``transformer``, ...), and the exercise checks (``checks``); a module
imports only from its own layer or a lower one. ``docs/MODULES.md`` lists every module with what it
is for (generated from the docstrings by ``python -m course_kit.module_map``).

The conventions every module follows (what builders, plots and tables return, what id 0
means, where special token ids come from) are in ``docs/AUTHORING.md``.
"""

__version__ = "0.1.0"
