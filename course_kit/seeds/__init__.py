"""Seeds behind the course's headline comparisons: each rerun for several seeds, with the spread.

    python -m course_kit.seeds                      # all five comparisons, one after another
    python -m course_kit.seeds --only 06,14         # only these; the others kept in results/seeds.json
    python -m course_kit.seeds --only 08 --seeds 5  # another number of seeds
    python -m course_kit.seeds --render             # rewrite results/seeds.md from the JSON

One seed is an anecdote. Five chapters headline a comparison between models (06: SimpleRNN,
LSTM and GRU; 08: bidirectional LSTM and bag of words; 11: attention and none; 13: GRU, CNN
and Transformer; 14: minGRU and GRU), each from one training run. This package reruns each
with the chapter's settings and data (:mod:`.comparisons`, through the library functions the
chapter calls), varying only the seed of the weights and of the data order, from 1234 (the
chapter's own run) on: 5 seeds where a seed of the whole comparison costs under about 30 s
on 2 cores, else 3 (measured on 2 shared cores: 35-80 s per seed for 06, 08, 13 and 14, about
100 s for 11, so each has 3; ``--seeds`` asks for more). For every model it records the chapter's metric on validation and on test
(test is reported, never used to choose), then mean ± standard deviation and, for every pair,
a paired test across seeds and, where the test items are shared and cheap, across test items
(:mod:`.stats`). :mod:`.study` writes ``results/seeds.json`` comparison by comparison and
renders ``results/seeds.md``. Chapters read the tables with
:func:`course_utils.references.seed_table`.
"""

from __future__ import annotations

from .comparisons import COMPARISONS, Comparison, Metric
from .study import DATA, PAGE, load, merge, record, render, run, write

__all__ = ["COMPARISONS", "DATA", "PAGE", "Comparison", "Metric", "load", "main", "merge", "record", "render", "run",
           "write"]


def main(argv: list[str] | None = None) -> int:
    """The command line (see the module's docstring)."""
    import argparse

    from ..tflog import quiet_tf_env
    from .study import known

    parser = argparse.ArgumentParser(prog="python -m course_kit.seeds", description=__doc__.split("\n\n")[0])
    parser.add_argument("--only", default="", help=f"comma-separated comparisons (of {', '.join(COMPARISONS)}; "
                                                   "default all)")
    parser.add_argument("--seeds", type=int, help="seeds per comparison (default: each comparison's own, 3 or 5)")
    parser.add_argument("--render", action="store_true", help="do not train: rewrite results/seeds.md from the JSON")
    args = parser.parse_args(argv)
    if args.render:
        data = load()
        _, page = write(data)
        print(f"wrote {page}")
        return 0
    quiet_tf_env()  # before TensorFlow loads: no INFO lines
    for comparison in known([k.strip() for k in args.only.split(",") if k.strip()]):
        rec = run(comparison, args.seeds or comparison.default_seeds)
        json_path, page = write(merge(load(), comparison.key, rec))  # reread: another comparison may have finished
        print(f"[{comparison.key}] {rec['seconds']['total']:.0f} s; wrote {json_path} and {page}")
    return 0
