"""The leaderboard page: ``results/leaderboard.json`` rendered as Markdown, deterministically
(the same JSON always gives the same page; nothing is read from the clock or the machine)."""

from __future__ import annotations

from typing import Any

from .protocol import Protocol
from .rungs import RUNGS

__all__ = ["render"]

_NAMES = {"unigram": "unigram", "ngram": "n-gram", "mlp": "fixed-window MLP", "simplernn": "SimpleRNN",
          "lstm": "LSTM", "gru": "GRU", "cnn": "dilated causal CNN", "transformer": "Transformer", "mingru": "minGRU"}


_GROWS = ("learning_rate", "window")  # the options whose grid grows past an end that holds the best probe


def _rate(value: float) -> str:
    return f"{value:g}"


def _chosen(record: dict[str, Any]) -> str:
    """The options chosen on validation, as text: ``n = 5, k = 0.03``; ``lr 0.004, window 8``."""
    chosen, grid = record["settings"]["chosen"], record["settings"]["grid"]
    parts = []
    for key, value in chosen.items():
        text = {"learning_rate": f"peak lr {_rate(value)}", "window": f"k = {value} characters",
                "n": f"n = {value}", "k": f"add-{_rate(value)}"}.get(key, f"{key} {value}")
        candidates = sorted({row[key] for row in grid})
        edge = key in _GROWS and len(candidates) > 1 and value in (candidates[0], candidates[-1])
        parts.append(text + (" (at its bound)" if edge else ""))
    return ", ".join(parts)


def _grid(record: dict[str, Any]) -> str:
    """The validation perplexity of every candidate of a rung's grid, as one line."""
    rows = record["settings"]["grid"]
    if not rows:
        return "no choice to make (a single candidate)"
    def option(key: str, value: Any) -> str:
        return {"learning_rate": f"lr {_rate(value)}", "window": f"k = {value}", "n": f"n = {value}",
                "k": f"add-{_rate(value)}"}.get(key, f"{key} {value}")

    return "; ".join(", ".join(option(k, v) for k, v in row.items() if k != "val_ppl") + f": {row['val_ppl']:.2f}"
                     for row in rows)


def _machine(machine: dict[str, Any]) -> str:
    return (f"{machine['cpu']}, {machine['cores']} logical CPUs, accelerator {machine['accelerator']}, "
            f"Keras on {machine['keras_backend']}, Python {machine['python']}")


def render(data: dict[str, Any]) -> str:
    """The Markdown page of the leaderboard JSON ``data`` (``protocol``, ``data``, ``records``)."""
    p = Protocol.from_dict(data["protocol"])
    d = data["data"]
    records = data["records"]
    chars = d["chars"]
    lines = [
        "# Leaderboard: one task, every model of the course", "",
        "Generated from `results/leaderboard.json` by `python -m course_kit.leaderboard` (`make leaderboard`); "
        "`--render` rewrites this page from the JSON. Edit neither by hand.", "",
        f"**The task.** Predict the next character of Shakespeare (`load_shakespeare()`, the split of chapter 03 and "
        f"the reference models: by speech, so no speech is in two splits): training {chars['train']:,} characters, "
        f"validation {chars['validation']:,}, test {chars['test']:,}; {d['vocab_size']} ids (the training text's "
        f"characters, padding and unknown). Characters unseen in training: {d['unseen']['validation']} in validation, "
        f"{d['unseen']['test']} in test (every rung scores them as one unknown symbol).", "",
        "| rung | chapter | model | parameters | train min | chosen on validation | validation ppl | test ppl |",
        "|---|---|---|---:|---:|---|---:|---:|",
    ]
    for r in records:
        lines.append(f"| {_NAMES.get(r['rung'], r['rung'])} | {r['chapter']} | {r['model']} | {r['params']:,} | "
                     f"{r['train_minutes']:.2f} | {_chosen(r)} | {r['val_ppl']:.2f} | {r['test_ppl']:.2f} |")
    missing = [name for name in RUNGS if name not in {r["rung"] for r in records}]
    if missing:
        lines += ["", "**Not yet measured:** " + ", ".join(_NAMES.get(m, m) for m in missing)
                  + f" (`python -m course_kit.leaderboard --rungs {','.join(missing)}` adds them)."]
    ranked = sorted(records, key=lambda r: r["val_ppl"])
    if ranked:
        best = ranked[0]
        lines += ["", f"Lowest validation perplexity{' of the rungs measured' if missing else ''}: "
                      f"**{_NAMES.get(best['rung'], best['rung'])}** ({best['val_ppl']:.3f}; test {best['test_ppl']:.3f})"
                  + (f", then {_NAMES.get(ranked[1]['rung'], ranked[1]['rung'])} ({ranked[1]['val_ppl']:.3f}; test "
                     f"{ranked[1]['test_ppl']:.3f})" if len(ranked) > 1 else "")
                  + ". Each rung is one run with one seed: how far its figures would move with another seed is "
                    "not measured here."]
    lines += [
        "", "Perplexity is per character: exp of the mean natural-log cross-entropy. For the counted rungs, "
        "*parameters* are the counts the model keeps (one per context and next character seen in training).", "",
        "## How every rung is scored", "",
        f"The same characters, with the same text before them, for every rung. Each split is read in windows of "
        f"{p.seq_len} characters that start every {p.stride} characters; a window scores only its last {p.stride} "
        f"predictions, so every character from position {p.min_context} on is scored exactly once, predicted from "
        f"{p.min_context} to {p.seq_len} characters before it and nothing earlier (a last window, aligned to the end "
        "of the split, scores what the others leave). A network reads only its window, from a zero state: a "
        "recurrent model's state is not carried across windows (the reference models' figures carry it), so "
        f"every model reads at most the {p.seq_len} characters of a window, as the Transformer does. An n-gram's context (n - 1 characters) and the MLP's (k) always lie inside the window. "
        "The test split is scored once per rung, at the end; nothing is chosen on it.", "",
        "## The budget", "",
        f"Every trained rung gets the same budget: {p.steps} optimiser steps of {p.batch_size} windows of "
        f"{p.seq_len} characters, {p.steps * p.chars_per_step:,} training characters "
        f"({p.steps * p.chars_per_step / chars['train']:.2f} passes over the training split), shuffled windows "
        f"(seed {p.seed}). The training settings are the reference tier's (`course_kit/reference/recipes.py`): "
        f"batch {p.batch_size}, windows of {p.seq_len}, Adam with gradient clipping at norm {p.clipnorm:g}, the "
        f"learning rate decaying with a cosine from its peak to {p.final_lr_fraction:g} of it (here over the "
        "steps), seed as above. The sizes are the chapters': 256 units and 32-dimensional embeddings as in "
        "chapters 03, 06 and 14, and chapter 13's CNN and Transformer, which that chapter sized to match a GRU of "
        "64 units (compare the parameters column). The counted rungs count the whole training split "
        "once. *Train min* is the wall time of that training (or counting) alone, on a machine that other jobs "
        "may have shared: the budget is what is equal, not the minutes.", "",
        "## Choices made on validation", "",
        f"Every trained rung chooses its peak learning rate (the fixed-window MLP also its window k) by probe runs "
        f"of {p.probe_steps} steps ({p.probe_fraction:g} of the budget, the cosine over those steps), one per "
        f"candidate, scored on the first {p.probe_val_chars:,} validation characters. The rates start at "
        f"{', '.join(_rate(r) for r in p.learning_rates)} (the MLP's windows at "
        f"{', '.join(str(k) for k in RUNGS['mlp'].grid['window'])}); while the best probe sits at an end of the grid, "
        f"the next value past that end (twice or half) is probed too, within {_rate(p.learning_rate_bounds[0])} to "
        f"{_rate(p.learning_rate_bounds[1])} for the rate (windows {RUNGS['mlp'].bounds['window'][0]} to "
        f"{RUNGS['mlp'].bounds['window'][1]}), so a choice at an end of its grid is at one of these bounds. "
        "The best probe's setting is then trained for the full budget. "
        "The counted rungs choose n and the add-k smoothing on the whole validation split. Validation perplexity of "
        "every candidate:", "",
    ]
    for r in records:
        minutes = f" (selection took {r['selection_minutes']:.1f} min)" if r["settings"]["grid"] else ""
        lines.append(f"- **{_NAMES.get(r['rung'], r['rung'])}**{minutes}: {_grid(r)}.")
    machines: dict[str, list[str]] = {}
    for r in records:
        machines.setdefault(_machine(r["machine"]), []).append(f"{_NAMES.get(r['rung'], r['rung'])} ({r['date']})")
    lines += ["", "## Where it ran", ""]
    lines += [f"- {machine}: {', '.join(rungs)}." for machine, rungs in machines.items()]
    if p.train_chars is not None or p.eval_chars is not None:
        lines += ["", f"**A quick trial, not the leaderboard:** the splits were cut to {p.train_chars} training and "
                      f"{p.eval_chars} validation/test characters."]
    return "\n".join(lines) + "\n"
