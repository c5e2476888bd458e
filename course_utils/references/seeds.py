"""How much a headline comparison moves with the seed: the stored seed studies, read-only.

Five chapters compare models from one training run each (06, 08, 11, 13, 14). The course
reruns each comparison for several seeds, with the chapter's settings and data, and stores
the figures in ``results/seeds.json`` (``python -m course_kit.seeds``). A chapter shows them::

    from course_utils.references import seed_table
    seed_table("06")          # mean, sd and n per model on test, and the paired p-values

Nothing here trains or imports a framework; pandas loads when a table is made.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from ..paths import repo_root

__all__ = ["SEEDS_FILE", "seed_study", "seed_table"]

SEEDS_FILE = repo_root() / "results" / "seeds.json"
_SPLITS = ("validation", "test")


def _command(comparison: str) -> str:
    return f"python -m course_kit.seeds --only {comparison}"


def seed_study(comparison: str, path: Path | None = None) -> dict[str, Any]:
    """The stored record of one comparison (``"06"``, ``"08"``, ``"11"``, ``"13"`` or ``"14"``):
    models, metrics, seeds, per-seed figures, summary, tests, settings, machine and date.
    ``path`` reads another file of the same form (default ``results/seeds.json``)."""
    path = SEEDS_FILE if path is None else Path(path)
    if not isinstance(comparison, str):
        raise TypeError(f"comparison is a chapter number as a string, such as '06', got {comparison!r}")
    if not path.is_file():
        raise FileNotFoundError(f"no seed studies stored: {path} is missing; run:  {_command(comparison)}")
    stored = json.loads(path.read_text(encoding="utf-8")).get("comparisons", {})
    if comparison not in stored:
        have = ", ".join(stored) or "none"
        raise KeyError(f"comparison {comparison!r} is not stored in {path.name} (stored: {have}); "
                       f"run:  {_command(comparison)}")
    return stored[comparison]


def seed_table(comparison: str, split: str = "test", metric: str | None = None, path: Path | None = None) -> Any:
    """One row per model (and metric) of a stored seed study: ``metric``, ``mean``, ``sd`` (sample
    standard deviation across seeds), ``n`` (seeds), then ``p vs <model>`` for every other model: the
    p-value of the paired test across seeds on ``split`` ("test" or "validation"). On the test split a
    comparison scored per test item also gets ``item p vs <model>`` (the paired bootstrap of the
    seed-averaged per-item correctness). ``metric`` picks one of the comparison's metrics (default
    all of them, one block of rows each). Index: model."""
    import pandas as pd

    if split not in _SPLITS:
        raise ValueError(f"split must be 'validation' or 'test', got {split!r}")
    rec = seed_study(comparison, path)
    names = [m["name"] for m in rec["metrics"]]
    if metric is not None and metric not in names:
        raise ValueError(f"comparison {comparison!r} has no metric {metric!r}; choose one of {', '.join(names)}")
    rows = []
    for name in names if metric is None else [metric]:
        tests = rec["tests"]["across_seeds"][name][split]
        items = rec["tests"].get("across_items", {}).get(name, []) if split == "test" else []
        for model in rec["models"]:
            row: dict[str, Any] = {"model": model, "metric": name, **rec["summary"][name][split][model]}
            for t in tests:
                if model in (t["a"], t["b"]):
                    row[f"p vs {t['b'] if model == t['a'] else t['a']}"] = t["p"]
            for t in items:
                if model in (t["a"], t["b"]):
                    row[f"item p vs {t['b'] if model == t['a'] else t['a']}"] = t["bootstrap"]["p"]
            rows.append(row)
    table = pd.DataFrame(rows).set_index("model")
    order = ["metric", "mean", "sd", "n", *(f"{kind}p vs {m}" for kind in ("", "item ") for m in rec["models"])]
    return table[[c for c in order if c in table.columns]]
