"""Run a comparison for several seeds, turn the per-seed figures into a record, merge it into
``results/seeds.json`` and render ``results/seeds.md``.

A record holds everything the page shows, and the page is rendered from the records alone, so
``--render`` rewrites it without training anything, and the tests can recompute every summary
and test from the per-seed figures.
"""

from __future__ import annotations

import datetime as dt
import json
import time
from pathlib import Path
from typing import Any

import numpy as np

from course_utils.paths import repo_root

from .comparisons import COMPARISONS, Comparison
from .stats import BOOTSTRAP_SAMPLES, SEED_TEST, bits, item_bootstrap, mcnemar, seed_tests, summary, unbits

__all__ = ["DATA", "FIRST_SEED", "PAGE", "load", "merge", "record", "render", "run", "seeds_for", "write"]

DATA = Path("results") / "seeds.json"
PAGE = Path("results") / "seeds.md"
FIRST_SEED = 1234
"""The chapters' seed: the first seed of every study, so that seed 1234 is each chapter's own run."""
SPLITS = ("validation", "test")
ITEM_TEST = (f"per test item: exact McNemar test for each seed; paired bootstrap ({BOOTSTRAP_SAMPLES:,} resamples "
             "of the test items, generator seed 0) of the per-item share of seeds that got the item right")


def seeds_for(n: int) -> list[int]:
    """The ``n`` seeds of a study: 1234, 1235, ..."""
    if not isinstance(n, int) or n < 1:
        raise ValueError(f"the number of seeds must be a positive integer, got {n!r}")
    return [FIRST_SEED + i for i in range(n)]


def _item_tests(models: tuple[str, ...], items: dict[str, list[str]]) -> list[dict[str, Any]]:
    """McNemar per seed and the pooled paired bootstrap, for every pair of models with stored items."""
    from itertools import combinations

    out = []
    for a, b in combinations([m for m in models if m in items], 2):
        per_seed = [mcnemar(unbits(x), unbits(y)) for x, y in zip(items[a], items[b])]
        share = {m: np.mean([unbits(s) for s in items[m]], axis=0) for m in (a, b)}
        out.append({"a": a, "b": b, "mcnemar_p_per_seed": per_seed, "bootstrap": item_bootstrap(share[a], share[b])})
    return out


def record(comparison: Comparison, seeds: list[int], results: list[dict[str, Any]], seconds: list[float],
           machine: dict[str, Any], date: str) -> dict[str, Any]:
    """The stored record of one comparison from its per-seed results (see
    :mod:`course_kit.seeds.comparisons`): per-seed figures, summaries, paired tests across seeds and,
    where the comparison gives them, across test items."""
    per_seed: dict[str, Any] = {}
    for metric in comparison.metrics:
        per_seed[metric.name] = {split: {m: [r["figures"][metric.name][split][m] for r in results]
                                         for m in comparison.models} for split in SPLITS}
    rec: dict[str, Any] = {
        "title": comparison.title, "notebook": comparison.notebook, "claim": comparison.claim,
        "models": list(comparison.models),
        "metrics": [{"name": m.name, "better": m.better} for m in comparison.metrics],
        "seeds": seeds, "per_seed": per_seed, "settings": comparison.settings,
        "seconds": {"per_seed": [round(s, 1) for s in seconds], "total": round(sum(seconds), 1)},
        "machine": machine, "date": date,
    }
    items = {metric: {m: [bits(r["items"][metric][m]) for r in results] for m in comparison.models
                      if m in results[0]["items"][metric]} for metric in results[0].get("items", {})}
    if items:
        rec["items"] = items
    own = {metric: [{"a": t["a"], "b": t["b"], "p_per_seed": [
        next(x["p"] for x in r["item_tests"][metric] if (x["a"], x["b"]) == (t["a"], t["b"])) for r in results]}
        for t in tests] for metric, tests in results[0].get("item_tests", {}).items()}
    if own:
        rec["chapter_item_tests"] = own
    return finish(rec)


def finish(rec: dict[str, Any]) -> dict[str, Any]:
    """Add (or recompute) a record's ``summary`` and ``tests`` from its per-seed figures and items."""
    rec["summary"] = {metric: {split: {m: summary(v) for m, v in by_model.items()} for split, by_model in splits.items()}
                      for metric, splits in rec["per_seed"].items()}
    rec["tests"] = {"across_seeds": {"method": SEED_TEST, **{
        metric: {split: seed_tests(by_model) for split, by_model in splits.items()}
        for metric, splits in rec["per_seed"].items()}}}
    if "items" in rec:
        rec["tests"]["across_items"] = {"method": ITEM_TEST, **{
            metric: _item_tests(tuple(rec["models"]), by_model) for metric, by_model in rec["items"].items()}}
    return rec


def run(comparison: Comparison, n_seeds: int, log: Any = print) -> dict[str, Any]:
    """Train and score every model of ``comparison`` for ``n_seeds`` seeds; the record."""
    from course_kit.machine import describe_machine

    seeds = seeds_for(n_seeds)
    log(f"[{comparison.key}] {comparison.title}: preparing the data")
    data = comparison.prepare()
    results, seconds = [], []
    for seed in seeds:
        t0 = time.perf_counter()
        results.append(comparison.run_seed(data, seed))
        seconds.append(time.perf_counter() - t0)
        shown = "; ".join(f"{metric} " + ", ".join(f"{m} {x:.3f}" for m, x in figures["test"].items())
                          for metric, figures in results[-1]["figures"].items())
        log(f"[{comparison.key}] seed {seed}: {seconds[-1]:.0f} s; test {shown}")
    date = dt.datetime.now(dt.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    return record(comparison, seeds, results, seconds, describe_machine(), date)


def load(root: Path | None = None) -> dict[str, Any]:
    """The stored records, ``{"about": str, "comparisons": {key: record}}`` (empty when there is no file yet)."""
    path = (root or repo_root()) / DATA
    if not path.is_file():
        return {"about": ABOUT, "comparisons": {}}
    return json.loads(path.read_text(encoding="utf-8"))


def merge(data: dict[str, Any], key: str, rec: dict[str, Any]) -> dict[str, Any]:
    """``data`` with comparison ``key`` replaced by ``rec``, the comparisons in key order; the others kept."""
    comparisons = {**data.get("comparisons", {}), key: rec}
    return {"about": ABOUT, "comparisons": {k: comparisons[k] for k in sorted(comparisons)}}


def write(data: dict[str, Any], root: Path | None = None) -> tuple[Path, Path]:
    """Write the JSON and the page rendered from it; their paths."""
    root = root or repo_root()
    (root / DATA).parent.mkdir(parents=True, exist_ok=True)
    (root / DATA).write_text(json.dumps(data, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    (root / PAGE).write_text(render(data), encoding="utf-8")
    return root / DATA, root / PAGE


# --------------------------------------------------------------------------- the page
ABOUT = ("Each comparison that a chapter headlines, rerun with the chapter's settings and data for several seeds "
         "(the seed of the weights and of the data order; 1234 is the chapter's own run). Validation figures are "
         "reported beside the test figures; nothing here was chosen on the test split. The p-values are not "
         "corrected for the several pairs and metrics tested.")


def _fmt(x: float | None, digits: int = 3) -> str:
    return "n/a" if x is None else f"{x:.{digits}f}"


def _p(p: float | None) -> str:
    return "n/a" if p is None else ("< 0.001" if p < 0.001 else f"{p:.3f}")


def _section(key: str, rec: dict[str, Any]) -> list[str]:
    m = rec["machine"]
    lines = [f"## {key} · {rec['title']}", "",
             f"Chapter: `{rec['notebook']}`. Seeds: {', '.join(map(str, rec['seeds']))} ({len(rec['seeds'])}). "
             f"Run {rec['date']} on {m['cores']} cores of {m['cpu']} ({m['keras_backend']}, accelerator "
             f"{m['accelerator']}), {rec['seconds']['total']:.0f} s in all.", ""]
    if rec.get("claim"):
        lines += ["The chapter's sentence that this study tests:", "", f"> {rec['claim']}", ""]
    lines += [f"Paired test across seeds: {rec['tests']['across_seeds']['method']}.", ""]
    for metric in rec["metrics"]:
        name = metric["name"]
        lines += [f"### {name} ({metric['better']} is better)", "",
                  "| model | validation mean ± sd | test mean ± sd | test per seed |", "|---|---:|---:|---|"]
        for model in rec["models"]:
            val, test = (rec["summary"][name][s][model] for s in SPLITS)
            per = ", ".join(_fmt(x) for x in rec["per_seed"][name]["test"][model])
            lines.append(f"| {model} | {_fmt(val['mean'])} ± {_fmt(val['sd'])} | {_fmt(test['mean'])} ± "
                         f"{_fmt(test['sd'])} | {per} |")
        lines += ["", "| pair (a − b) | split | mean difference | sd of difference | p across seeds |",
                  "|---|---|---:|---:|---:|"]
        for split in SPLITS:
            for t in rec["tests"]["across_seeds"][name][split]:
                lines.append(f"| {t['a']} − {t['b']} | {split} | {_fmt(t['mean_diff'])} | {_fmt(t['sd_diff'])} | "
                             f"{_p(t['p'])} |")
        bullets = []
        for t in rec["tests"].get("across_items", {}).get(name, []):
            b = t["bootstrap"]
            bullets.append(f"- Test items, {t['a']} − {t['b']}: McNemar p per seed "
                         f"{', '.join(_p(p) for p in t['mcnemar_p_per_seed'])}; bootstrap of the seed-averaged "
                         f"correctness: difference {_fmt(b['diff'])} (95% interval {_fmt(b['ci95'][0])} to "
                         f"{_fmt(b['ci95'][1])}), p {_p(b['p'])}.")
        for t in rec.get("chapter_item_tests", {}).get(name, []):
            bullets.append(f"- Test sentences (the chapter's paired bootstrap, 1,000 resamples), {t['a']} vs {t['b']}: "
                         f"p per seed {', '.join(_p(p) for p in t['p_per_seed'])}.")
        lines += ([""] + bullets if bullets else []) + [""]
    lines += [f"Seconds per seed: {', '.join(f'{s:.0f}' for s in rec['seconds']['per_seed'])}. Settings: "
              f"`{json.dumps(rec['settings'], ensure_ascii=False)}`.", ""]
    return lines


def render(data: dict[str, Any]) -> str:
    """The Markdown page for ``data`` (deterministic: the same JSON gives the same page)."""
    lines = ["# Seeds behind the headline comparisons", "",
             "Generated from `results/seeds.json` by `python -m course_kit.seeds --render`; "
             "rerun a comparison with `python -m course_kit.seeds --only 06` (see the module's help).", "",
             data.get("about", ABOUT), ""]
    if not data.get("comparisons"):
        lines += ["No comparison has been run yet.", ""]
    else:
        lines += ["| comparison | metric | test mean ± sd per model (seeds) |", "|---|---|---|"]
        for key, rec in data["comparisons"].items():
            for metric in rec["metrics"]:
                test = rec["summary"][metric["name"]]["test"]
                shown = "; ".join(f"{m} {_fmt(test[m]['mean'])} ± {_fmt(test[m]['sd'])}" for m in rec["models"])
                lines.append(f"| {key} | {metric['name']} ({metric['better']} is better) | {shown} "
                             f"({len(rec['seeds'])}) |")
        lines.append("")
    for key, rec in data.get("comparisons", {}).items():
        lines += _section(key, rec)
    return "\n".join(lines).rstrip() + "\n"


def known(keys: list[str]) -> list[Comparison]:
    """The comparisons named by ``keys`` (all, in order, when empty); an unknown key raises, listing the choices."""
    bad = [k for k in keys if k not in COMPARISONS]
    if bad:
        raise SystemExit(f"unknown comparison {', '.join(bad)}; choose from {', '.join(COMPARISONS)}")
    return [COMPARISONS[k] for k in (keys or COMPARISONS)]
