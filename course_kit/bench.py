"""The course benchmark: notebook wall times, training and decoding throughput.

    python -m course_kit.bench                  # everything (runs the whole course first)
    python -m course_kit.bench --reuse-notebooks build/results.json
    python -m course_kit.bench --skip-notebooks # only the throughput measurements
    python -m course_kit.bench --only peak,recurrence   # only these; the rest kept from benchmarks.json

Writes ``results/benchmarks.md`` and ``results/benchmarks.json``. Wherever two
things are compared they are measured in the same run, interleaved, and reported as
a ratio: absolute times on a shared machine drift by 20-40%, ratios much less. The
measurements are in :mod:`course_kit.bench_measure`; this module runs them and writes
the report.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from course_utils.cell_kinds import CELL_NAMES
from course_utils.paths import repo_root

from .bench_measure import (dataset_cache, decoding_throughput, fit_teardown, recurrence_vs_matmul, speed_vs_peak,
                            thread_settings, training_throughput)

ROOT = repo_root()
RESULTS = ROOT / "results"


# --------------------------------------------------------------------------- machine
def _memory_gib(meminfo: Path = Path("/proc/meminfo")) -> float | None:
    """Total memory in GiB from ``/proc/meminfo``; None where there is no such file."""
    try:
        line = next(l for l in meminfo.read_text().splitlines() if l.startswith("MemTotal"))
        return round(int(line.split()[1]) / 2**20, 1)
    except (OSError, StopIteration, ValueError):
        return None


def machine_info() -> dict[str, Any]:
    """The date of this run, the machine (:func:`course_kit.machine.describe_machine`: CPU model,
    cores, accelerator, Keras backend, platform), its memory, and the packages' versions."""
    from .env import versions
    from .machine import describe_machine

    return {
        "date": dt.datetime.now(dt.timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
        **describe_machine(),
        "memory_gib": _memory_gib(),
        **versions(),
    }


# --------------------------------------------------------------------------- notebooks
def notebook_times(reuse: Path | None = None) -> list[dict[str, Any]]:
    """Wall seconds and key metric of every notebook: a fresh run, or a results.json to reuse."""
    if reuse is not None:
        return json.loads(Path(reuse).read_text())
    from .runner import find_notebooks, run_notebook

    rows = []
    for path in find_notebooks(ROOT / "notebooks"):
        print(f"  running {path.name} ...", flush=True)
        rows.append(run_notebook(path, ROOT / "build"))
    return rows


# --------------------------------------------------------------------------- report
def _table(rows: list[dict[str, Any]], columns: list[str]) -> str:
    lines = ["| " + " | ".join(columns) + " |", "|" + "---|" * len(columns)]
    for r in rows:
        lines.append("| " + " | ".join(str(r.get(c, "")) for c in columns) + " |")
    return "\n".join(lines)


# Report sections after the notebooks: result key, heading, one-paragraph method, table columns.
_SECTIONS = [
    ("training", "## Training throughput",
     "Char-LM-shaped model: Embedding(65, 32) -> recurrent layer(128, return_sequences) -> Dense(65), "
     "batch 64, sequence length 50; best of 3 epochs of 20 batches after a warm-up epoch. "
     "`slowdown_vs_builtin` = built-in samples/s divided by this variant's.",
     ["layer", "variant", "samples_per_s", "slowdown_vs_builtin", "params"]),
    ("decoding", "## Decoding throughput",
     "Bahdanau-attention GRU translator (embed 64, units 128) trained 12 epochs on the EN->DE pairs of "
     "at most 8 words; decoding up to 200 held-out sentences in one batch; best of 3. The model is small and "
     "briefly trained, so its BLEU only shows how the decoders differ on the same model; chapter 12 "
     "measures translation quality.",
     ["decoder", "sentences_per_s", "slowdown_vs_greedy", "bleu", "chrf"]),
    ("fit_teardown", "## fit() teardown with and without tf.data autotuning",
     "Six short `fit()` calls each (10 batches of a GRU-16 model), interleaved.",
     ["pipeline", "calls", "median_s", "max_s", "calls_over_2s"]),
    ("threads", "## Thread settings", "GRU-128 char model, fresh process per setting, interleaved, best of 2.",
     ["setting", "samples_per_s", "slowdown_vs_default"]),
    ("cache", "## tf.data cache",
     "TextVectorization in `map` over the EN->DE training sentences, GRU-16 classifier, "
     "seconds per epoch over 3 epochs after a warm-up epoch.",
     ["pipeline", "s_per_epoch", "speedup"]),
]


def _ceiling_lines(ceiling: dict[str, Any] | None) -> list[str]:
    """The sentence that states the measured ceiling (none for a report made before it was measured)."""
    if not ceiling:
        return []
    return [f"Measured ceiling: one {ceiling['n']}x{ceiling['n']} float32 matrix product in the same run, "
            f"{ceiling['numpy_gflops']} GFLOP/s in NumPy and {ceiling['tensorflow_gflops']} in TensorFlow; the "
            f"fractions below divide by the larger, **{ceiling['gflops']} GFLOP/s**, what this machine's "
            "arithmetic actually reaches on the most favourable work.", ""]


def _peak_section(peak: dict[str, Any], recurrence: list[dict[str, Any]]) -> list[str]:
    from . import flops

    p, sh, cpu = peak["peak"], peak["shape"], peak["cpu"]
    bf16 = "yes" if cpu.get("avx512_bf16") or cpu.get("amx_bf16") else "no"
    lines = [
        "## Training speed against the machine's measured ceiling", "",
        f"Chapter 03's character model: Embedding(V={sh['vocab']}, D={sh['embed_dim']}) -> recurrent layer "
        f"(H={sh['units']}, return_sequences) -> Dense(V), sequences of {sh['seq_len']} characters, Adam; "
        "tokens/s = characters trained per second, best of 2 epochs after a warm-up epoch, all variants timed "
        "interleaved in one run.", "",
        "FLOPs are counted analytically, matrix products only (`course_kit/flops.py`): per token, forward "
        + ", ".join(f"{CELL_NAMES[k]} `{flops.formula(k)}`" for k in flops.GATES)
        + " (the embedding is a lookup); training = 3 x forward (the backward pass computes two products of the "
        "same size per forward product). Element-wise work (gates, softmax, Adam) is not counted, so the "
        "fractions below slightly understate the work done.", "",
        *_ceiling_lines(peak.get("ceiling")),
        f"For comparison, the assumed FP32 peak = cores x FMA units x fp32 lanes x 2 x clock = {p['formula']} = "
        f"{p['gflops']} GFLOP/s. "
        f"Read from /proc/cpuinfo: {p['cores']} logical CPUs (counted as cores: the machine reports one thread "
        f"per core), clock {p['ghz']} GHz (from {cpu['clock_source']}; turbo and AVX-512 frequency licences "
        f"move it), AVX-512: {'yes' if cpu.get('avx512f') else 'no'} ({p['lanes']} fp32 lanes); assumed "
        f"{p['fma_units']} FMA units per core (server Xeons with AVX-512 have 2; some SKUs 1, which would halve "
        f"the peak). bf16 instructions (avx512_bf16 / amx_bf16): {bf16}; the `mixed_bfloat16` rows are still "
        "compared with the FP32 peak.", "",
        _table(peak["rows"], ["layer", "variant", "tokens_per_s", "train_MFLOP_per_token", "GFLOP_per_s",
                              *(["fraction_of_ceiling"] if peak.get("ceiling") else []),
                              "fraction_of_fp32_peak", "speedup_vs_base"]), "",
    ]
    if recurrence:
        base = next((r for r in peak["rows"] if r["layer"] == "LSTM" and r["variant"].startswith("base")), None)
        chain = next((r for r in recurrence if "batch 64)" in r["case"]), None)
        big = next((r for r in recurrence if r["case"].startswith("one product")), None)
        if base and chain and big:
            step_ms = sh["batch"] * sh["seq_len"] / base["tokens_per_s"] * 1e3
            step_gflop = sh["batch"] * sh["seq_len"] * base["train_MFLOP_per_token"] / 1e3
            chained_ms, ideal_ms = step_gflop / chain["GFLOP_per_s"] * 1e3, step_gflop / big["GFLOP_per_s"] * 1e3
            share = chained_ms / step_ms
            measure = "fraction_of_ceiling" if peak.get("ceiling") else "fraction_of_fp32_peak"
            against = "the measured ceiling" if peak.get("ceiling") else "the FP32 peak"
            best_lstm = max((r for r in peak["rows"] if r["layer"] == "LSTM"), key=lambda r: r[measure])
            lines += ["### Where an LSTM's time goes", "",
                      f"One LSTM training step at batch {sh['batch']} took {step_ms:.0f} ms ({base['tokens_per_s']} "
                      f"tokens/s) for {step_gflop:.1f} GFLOP of matrix products. At the rate of the chained "
                      f"recurrent-sized products measured below ({chain['GFLOP_per_s']} GFLOP/s) those products "
                      f"would take {chained_ms:.0f} ms, {share:.0%} of the step; at the rate of one large product "
                      f"({big['GFLOP_per_s']} GFLOP/s), {ideal_ms:.0f} ms. So two limits stack: the recurrence "
                      "must run as one small product per time step, which already runs below the rate of one "
                      f"large product, and the other {1 - share:.0%} of the step is not matrix products at all: "
                      "the gates' element-wise work, the loop over 100 time steps forward and backward (one "
                      "iteration of TensorFlow's while loop each), storing and reading the activations for the "
                      "backward pass, the softmax over the vocabulary and Adam's update. Larger batches (bigger "
                      "products, the same number of loop iterations for more tokens) and bf16 (half the bytes to "
                      "move; AMX for the products) attack those two limits; `jit_compile` does not change either. "
                      f"At the chapters' own settings (batch {sh['batch']}) the LSTM reached "
                      f"{base[measure]:.0%} of {against}; the best LSTM variant of this run reached "
                      f"{best_lstm[measure]:.0%} ({best_lstm['variant']}), "
                      + ("short of the 50% goal: the products alone, at the rates below, leave no room for it "
                         "once the non-product work is added." if best_lstm[measure] < 0.5
                         else "at or above the 50% goal."), ""]
        lines += ["#### The recurrence's small products against one large product", "",
                  f"The same product, (rows x {sh['units']}) @ ({sh['units']} x {4 * sh['units']}) (an LSTM's "
                  "recurrent kernel), with the same total FLOPs in each case: once over every position of a batch "
                  "(what the input and output projections can do, since they do not depend on the previous step), "
                  "and as a chain of one product per time step (what the recurrence must do: h_t needs h_{t-1}), "
                  "each followed by a tanh. Best of 3.", "",
                  _table(recurrence, ["case", "ms", "GFLOP_per_s"]), ""]
    return lines


def write_report(results: dict[str, Any], notes: str = "") -> tuple[Path, Path]:
    """Write results/benchmarks.json and results/benchmarks.md."""
    RESULTS.mkdir(parents=True, exist_ok=True)
    json_path, md_path = RESULTS / "benchmarks.json", RESULTS / "benchmarks.md"
    json_path.write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
    m = results["machine"]
    tf_dist = next((k for k in ("tensorflow-cpu", "tensorflow") if k in m), "tensorflow-cpu")
    parts = [
        "# Course benchmark", "",
        f"Generated by `make bench` on {m['date']}: {m['cores']} cores, {m['cpu']}, {m['memory_gib']} GiB; "
        f"Python {m['python']}, {tf_dist} {m.get(tf_dist, 'missing')}, keras {m['keras']}.", "",
    ]
    if results.get("remeasured"):
        r = results["remeasured"]
        parts += [f"Re-measured on {r['date']} on {r['cores']} cores, {r['cpu']} (`--only {','.join(r['sections'])}`): "
                  "those sections; the others are from the run above.", ""]
    if results.get("notebooks"):
        nb = [{"notebook": r["notebook"], "wall s": r["seconds"],
               "key metric": "; ".join(f"{x['name']} = {x['text']}" for x in r.get("metrics", [])) or "-",
               "status": "ok" if r.get("ok") else "FAILED"} for r in results["notebooks"]]
        total = sum(r["seconds"] for r in results["notebooks"])
        parts += ["## Notebooks", "", _table(nb, ["notebook", "wall s", "key metric", "status"]), "",
                  f"Whole course: {total:.0f} s ({total / 60:.1f} min).", ""]
        slow = sorted(({"notebook": r["notebook"], **c} for r in results["notebooks"] for c in r.get("slowest_cells", [])),
                      key=lambda c: -c["seconds"])[:8]
        if slow:
            for c in slow:
                c["first line"] = f"`{c.pop('first_line')}`"
            parts += ["### The slowest cells", "", _table(slow, ["notebook", "cell", "seconds", "first line"]), ""]
    for key, heading, intro, columns in _SECTIONS:
        if results.get(key):
            parts += [heading, "", intro, "", _table(results[key], columns), ""]
    if results.get("peak"):
        parts += _peak_section(results["peak"], results.get("recurrence", []))
    if notes:
        parts += ["## Speed work", "", notes.strip(), ""]
    md_path.write_text("\n".join(parts), encoding="utf-8")
    return md_path, json_path


MEASUREMENTS: dict[str, tuple[str, Callable[[], Any]]] = {
    "training": ("Training throughput", lambda: training_throughput()),
    "peak": ("Training speed against the measured ceiling", lambda: speed_vs_peak()),
    "recurrence": ("Where an LSTM's time goes", lambda: recurrence_vs_matmul()),
    "threads": ("Thread settings", lambda: thread_settings()),
    "cache": ("tf.data cache", lambda: dataset_cache()),
    "fit_teardown": ("fit() teardown", lambda: fit_teardown()),
    "decoding": ("Decoding throughput", lambda: decoding_throughput()),
}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m course_kit.bench", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--skip-notebooks", action="store_true", help="do not run the notebooks")
    parser.add_argument("--reuse-notebooks", type=Path, help="take notebook times from a runner results.json")
    parser.add_argument("--notes", type=Path, default=ROOT / "results" / "speed_notes.md",
                        help="Markdown appended as the report's speed-work section")
    parser.add_argument("--only", help="comma-separated measurements to run (of: " + ", ".join(MEASUREMENTS)
                        + "); the others are kept from the existing results/benchmarks.json")
    args = parser.parse_args(argv)
    only = MEASUREMENTS if not args.only else [k.strip() for k in args.only.split(",") if k.strip()]
    unknown = [k for k in only if k not in MEASUREMENTS]
    if unknown:
        parser.error(f"--only: unknown measurement(s) {unknown}; choose from {', '.join(MEASUREMENTS)}")
    results: dict[str, Any] = {}
    if args.only and (RESULTS / "benchmarks.json").is_file():
        results = json.loads((RESULTS / "benchmarks.json").read_text(encoding="utf-8"))
    if args.only:  # the first run's machine line stays; say what this run re-measured, and when
        results.setdefault("machine", machine_info())
        now = machine_info()
        results["remeasured"] = {"date": now["date"], "cpu": now["cpu"], "cores": now["cores"], "sections": only}
    else:
        results["machine"] = machine_info()
        results.pop("remeasured", None)
    if not args.skip_notebooks and not args.only:
        print("Notebooks:", flush=True)
        results["notebooks"] = notebook_times(args.reuse_notebooks)
    for key in only:
        title, run = MEASUREMENTS[key]
        print(f"{title}:", flush=True)
        results[key] = run()
    notes = args.notes.read_text(encoding="utf-8") if args.notes and args.notes.is_file() else ""
    md, js = write_report(results, notes)
    print(f"wrote {md} and {js}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
