"""The course benchmark: notebook wall times, training and decoding throughput.

    python -m course_kit.bench                  # everything (runs the whole course first)
    python -m course_kit.bench --reuse-notebooks build/results.json
    python -m course_kit.bench --skip-notebooks # only the throughput measurements
    python -m course_kit.bench --only peak,recurrence   # only these; the rest kept from benchmarks.json

Writes ``results/benchmarks.md`` and ``results/benchmarks.json``. Wherever two
things are compared they are measured in the same run, interleaved, and reported as
a ratio: absolute times on a shared machine drift by 20-40%, ratios much less.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from course_utils.paths import repo_root

ROOT = repo_root()
RESULTS = ROOT / "results"


# --------------------------------------------------------------------------- machine
def machine_info() -> dict[str, Any]:
    """Cores, CPU model, memory, versions and the date of this run."""
    from .env import _cpu_model, versions

    mem_gib = None
    try:
        mem_kb = int(next(l for l in Path("/proc/meminfo").read_text().splitlines() if l.startswith("MemTotal")).split()[1])
        mem_gib = round(mem_kb / 2**20, 1)
    except (OSError, StopIteration, ValueError):
        pass
    return {
        "date": dt.datetime.now(dt.timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
        "cpu": _cpu_model(),
        "cores": os.cpu_count(),
        "memory_gib": mem_gib,
        "platform": platform.platform(),
        **versions(),
    }


# --------------------------------------------------------------------------- training throughput
def _layer(kind: str, scratch: bool, units: int, unroll: bool = False) -> Any:
    import keras

    from course_utils.rnn import cells
    if scratch:
        cell = {"SimpleRNN": cells.ScratchSimpleRNNCell, "LSTM": cells.ScratchLSTMCell, "GRU": cells.ScratchGRUCell}[kind]
        return keras.layers.RNN(cell(units), return_sequences=True, unroll=unroll)
    return getattr(keras.layers, kind)(units, return_sequences=True, unroll=unroll)


def _char_model(kind: str, scratch: bool, vocab: int, units: int, jit: bool, unroll: bool) -> Any:
    import keras

    model = keras.Sequential([
        keras.layers.Embedding(vocab, 32),
        _layer(kind, scratch, units, unroll),
        keras.layers.Dense(vocab),
    ])
    model.compile(optimizer="adam", loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True), jit_compile=jit)
    return model


def _time_fit(model: Any, x: Any, y: Any, batch: int, repeats: int) -> float:
    """Best samples/s over ``repeats`` epochs, after one untimed warm-up epoch (tracing)."""
    model.fit(x, y, batch_size=batch, epochs=1, verbose=0, shuffle=False)
    best = 0.0
    for _ in range(repeats):
        t0 = time.perf_counter()
        model.fit(x, y, batch_size=batch, epochs=1, verbose=0, shuffle=False)
        best = max(best, len(x) / (time.perf_counter() - t0))
    return best


def training_throughput(units: int = 128, seq_len: int = 50, batch: int = 64, batches: int = 20,
                        repeats: int = 3, progress: Callable[[str], None] = print) -> list[dict[str, Any]]:
    """Samples/s of a char-LM-shaped model (Embedding 32 -> RNN(units) -> Dense(65)) for
    SimpleRNN, LSTM and GRU: Keras built-in layers against ``keras.layers.RNN`` around the
    course's from-scratch cells, plus the speed knobs tried (jit_compile, unroll)."""
    import numpy as np

    from course_utils.seed import set_seed

    set_seed(0, deterministic_ops=False)  # determinism costs speed and is not needed to time
    vocab = 65
    rng = np.random.default_rng(0)
    x = rng.integers(0, vocab, size=(batch * batches, seq_len)).astype("int32")
    y = np.roll(x, -1, axis=1)
    variants = [("built-in", False, False, False), ("from scratch", True, False, False),
                ("from scratch + jit_compile", True, True, False), ("built-in + jit_compile", False, True, False)]
    rows = []
    for kind in ("SimpleRNN", "LSTM", "GRU"):
        kind_variants = variants + ([("from scratch + unroll", True, False, True)] if kind == "SimpleRNN" else [])
        for label, scratch, jit, unroll in kind_variants:
            model = _char_model(kind, scratch, vocab, units, jit, unroll)
            sps = _time_fit(model, x, y, batch, repeats)
            rows.append({"layer": kind, "variant": label, "samples_per_s": round(sps, 1),
                         "params": int(model.count_params())})
            progress(f"  {kind:9} {label:28} {sps:8.1f} samples/s")
    for kind in ("SimpleRNN", "LSTM", "GRU"):
        base = next((r["samples_per_s"] for r in rows if r["layer"] == kind and r["variant"] == "built-in"), None)
        for r in rows:
            if r["layer"] == kind and base:
                r["slowdown_vs_builtin"] = round(base / r["samples_per_s"], 2)
    return rows


# --------------------------------------------------------------------------- speed against the machine's limit
PEAK_SHAPE = {"vocab": 77, "embed_dim": 32, "units": 256, "seq_len": 100, "batch": 64}  # chapter 03's model


def _peak_model(kind: str, vocab: int, embed_dim: int, units: int, seq_len: int, jit: bool, bf16: bool) -> Any:
    import keras

    keras.mixed_precision.set_global_policy("mixed_bfloat16" if bf16 else "float32")
    try:
        model = keras.Sequential([
            keras.Input((seq_len,), dtype="int32"),
            keras.layers.Embedding(vocab, embed_dim),
            getattr(keras.layers, kind)(units, return_sequences=True),
            keras.layers.Dense(vocab, dtype="float32"),  # logits and loss in float32 under bf16 too
        ])
    finally:
        keras.mixed_precision.set_global_policy("float32")
    model.compile(optimizer=keras.optimizers.Adam(3e-3),
                  loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True), jit_compile=jit)
    return model


def speed_vs_peak(repeats: int = 2, kinds: tuple[str, ...] = ("SimpleRNN", "LSTM", "GRU"),
                  progress: Callable[[str], None] = print) -> dict[str, Any]:
    """Achieved GFLOP/s of chapter 03's character model in training, for each cell, against
    this CPU's FP32 peak (:mod:`course_kit.flops`), then the speed changes tried: a larger
    batch, ``jit_compile=True`` and ``mixed_bfloat16`` (where the CPU has bf16 instructions).
    All models are built first and timed interleaved, best of ``repeats`` epochs each after a
    warm-up epoch, so every ratio compares measurements of the same minutes."""
    import numpy as np

    from course_utils.seed import set_seed

    from . import flops

    set_seed(0, deterministic_ops=False)
    facts = flops.cpu_facts()
    peak = flops.fp32_peak_gflops(facts)
    shape = PEAK_SHAPE
    bf16 = facts["avx512_bf16"] or facts["amx_bf16"]
    variants = [("base (batch 64)", 64, False, False), ("batch 256", 256, False, False),
                ("batch 1024", 1024, False, False), ("jit_compile", 64, True, False)]
    if bf16:
        variants += [("mixed_bfloat16", 64, False, True), ("mixed_bfloat16 + batch 1024", 1024, False, True)]
    rng = np.random.default_rng(0)
    configs = []
    for kind in kinds:
        for label, batch, jit, half in variants:
            if batch == 256 and kind != "LSTM":  # the in-between batch for the goal's cell only (time)
                continue
            samples = max(512, batch)
            x = rng.integers(2, shape["vocab"], size=(samples, shape["seq_len"])).astype("int32")
            model = _peak_model(kind, shape["vocab"], shape["embed_dim"], shape["units"], shape["seq_len"], jit, half)
            model.fit(x, np.roll(x, -1, 1), batch_size=batch, epochs=1, verbose=0, shuffle=False)  # tracing
            configs.append({"kind": kind, "label": label, "batch": batch, "model": model, "x": x, "best": 0.0})
    for _ in range(repeats):
        for c in configs:
            t0 = time.perf_counter()
            c["model"].fit(c["x"], np.roll(c["x"], -1, 1), batch_size=c["batch"], epochs=1, verbose=0, shuffle=False)
            c["best"] = max(c["best"], c["x"].size / (time.perf_counter() - t0))
    rows = []
    for c in configs:
        per_token = flops.train_flops_per_token(c["kind"], shape["embed_dim"], shape["units"], shape["vocab"])
        gflops = c["best"] * per_token / 1e9
        base = next(b for b in configs if b["kind"] == c["kind"] and b["label"].startswith("base"))
        rows.append({"layer": c["kind"], "variant": c["label"], "tokens_per_s": round(c["best"]),
                     "train_MFLOP_per_token": round(per_token / 1e6, 3), "GFLOP_per_s": round(gflops, 1),
                     "fraction_of_fp32_peak": round(gflops / peak["gflops"], 3) if peak["gflops"] else None,
                     "speedup_vs_base": round(c["best"] / base["best"], 2)})
        progress(f"  {c['kind']:9} {c['label']:28} {c['best']:9.0f} tokens/s {gflops:7.1f} GFLOP/s "
                 f"({rows[-1]['fraction_of_fp32_peak']:.1%} of FP32 peak)")
    return {"peak": peak, "cpu": facts, "shape": dict(shape), "rows": rows}


def recurrence_vs_matmul(repeats: int = 3, progress: Callable[[str], None] = print) -> list[dict[str, Any]]:
    """Where an LSTM's time goes: GFLOP/s of the same matrix product (H -> 4H, chapter 03's
    width) done three ways: once over all B*T positions (what the input and output
    projections can do), as T products of B rows chained one after another (what the
    recurrence must do: h_t needs h_{t-1}), and the chain at batch 1024."""
    import tensorflow as tf

    units, steps = PEAK_SHAPE["units"], PEAK_SHAPE["seq_len"]
    w = tf.random.normal((units, 4 * units)) * 0.05

    @tf.function
    def chain(h: Any) -> Any:
        for _ in tf.range(steps):
            h = tf.tanh(tf.matmul(h, w))[:, :units]
        return h

    @tf.function
    def one_product(x: Any) -> Any:
        return tf.matmul(x, w)

    cases = [("one product over B*T = 6400 rows", one_product, (PEAK_SHAPE["batch"] * steps, units), 1),
             ("100 chained products of 64 rows (recurrence, batch 64)", chain, (PEAK_SHAPE["batch"], units), steps),
             ("100 chained products of 1024 rows (recurrence, batch 1024)", chain, (1024, units), steps)]
    rows = []
    for label, fn, shape, count in cases:
        x = tf.random.normal(shape)
        fn(x).numpy()  # tracing
        flop = 2 * shape[0] * units * 4 * units * count  # the same total work in all three cases
        best = float("inf")
        for _ in range(repeats):
            t0 = time.perf_counter()
            for _ in range(5):
                fn(x).numpy()
            best = min(best, (time.perf_counter() - t0) / 5)
        rows.append({"case": label, "ms": round(best * 1e3, 2), "GFLOP_per_s": round(flop / best / 1e9, 1)})
        progress(f"  {label:58} {best * 1e3:7.2f} ms {flop / best / 1e9:7.1f} GFLOP/s")
    return rows


# --------------------------------------------------------------------------- decoding throughput
_THREAD_PROBE = """
import sys, time, numpy as np, tensorflow as tf, keras
n = int(sys.argv[1])
if n:
    tf.config.threading.set_intra_op_parallelism_threads(n)
    tf.config.threading.set_inter_op_parallelism_threads(n)
keras.utils.set_random_seed(0)
x = np.random.default_rng(0).integers(0, 65, size=(1280, 50)).astype("int32")
model = keras.Sequential([keras.layers.Embedding(65, 32), keras.layers.GRU(128, return_sequences=True),
                          keras.layers.Dense(65)])
model.compile("adam", keras.losses.SparseCategoricalCrossentropy(from_logits=True))
model.fit(x, np.roll(x, -1, 1), batch_size=64, epochs=1, verbose=0)
t0 = time.perf_counter()
model.fit(x, np.roll(x, -1, 1), batch_size=64, epochs=2, verbose=0)
print(2 * len(x) / (time.perf_counter() - t0))
"""


def thread_settings(repeats: int = 2, progress: Callable[[str], None] = print) -> list[dict[str, Any]]:
    """Samples/s of a GRU char model in fresh processes with TensorFlow's default threads
    and with intra/inter-op threads pinned to 1 (interleaved, best of ``repeats``)."""
    import subprocess

    best: dict[str, float] = {"default threads": 0.0, "1 thread": 0.0}
    for _ in range(repeats):
        for label, n in (("default threads", 0), ("1 thread", 1)):
            out = subprocess.run([sys.executable, "-c", _THREAD_PROBE, str(n)], capture_output=True, text=True, check=True)
            best[label] = max(best[label], float(out.stdout.strip().splitlines()[-1]))
    rows = [{"setting": k, "samples_per_s": round(v, 1), "slowdown_vs_default": round(best["default threads"] / v, 2)}
            for k, v in best.items()]
    for r in rows:
        progress(f"  {r['setting']:16} {r['samples_per_s']:8.1f} samples/s")
    return rows


def dataset_cache(epochs: int = 3, progress: Callable[[str], None] = print) -> list[dict[str, Any]]:
    """Seconds per epoch (after the first) of a text pipeline that tokenises in ``map``,
    with and without ``.cache()`` after the map, on the EN->DE training sentences."""
    import keras
    import tensorflow as tf

    from course_utils.data import load_translation, without_autotune
    from course_utils.seed import set_seed

    set_seed(0, deterministic_ops=False)
    sentences = [en for en, _ in load_translation().train]
    vectorizer = keras.layers.TextVectorization(max_tokens=2000)
    vectorizer.adapt(sentences)
    labels = [float(len(s.split()) > 6) for s in sentences]
    rows = []
    for label in ("map every epoch", "map once, then .cache()"):
        ds = tf.data.Dataset.from_tensor_slices((sentences, labels)).map(lambda s, y: (vectorizer(s), y))
        if label.endswith("cache()"):
            ds = ds.cache()
        ds = without_autotune(ds.padded_batch(64).prefetch(2))
        model = keras.Sequential([keras.layers.Embedding(2000, 16, mask_zero=True), keras.layers.GRU(16),
                                  keras.layers.Dense(1)])
        model.compile("adam", keras.losses.BinaryCrossentropy(from_logits=True))
        model.fit(ds, epochs=1, verbose=0, shuffle=False)
        t0 = time.perf_counter()
        model.fit(ds, epochs=epochs, verbose=0, shuffle=False)
        rows.append({"pipeline": label, "s_per_epoch": round((time.perf_counter() - t0) / epochs, 3)})
        progress(f"  {label:24} {rows[-1]['s_per_epoch']:.3f} s/epoch")
    base = rows[0]["s_per_epoch"]
    for r in rows:
        r["speedup"] = round(base / r["s_per_epoch"], 2)
    return rows


def fit_teardown(calls: int = 6, progress: Callable[[str], None] = print) -> list[dict[str, Any]]:
    """Wall time of short ``fit()`` calls on a tf.data pipeline with autotuning on (the
    default) and off, interleaved. Autotuning can block 2-10 s when ``fit`` tears down
    its iterator; chapters that call ``fit`` in a loop turn it off."""
    import keras
    import numpy as np
    import tensorflow as tf

    from course_utils.data import without_autotune
    from course_utils.seed import set_seed

    set_seed(0, deterministic_ops=False)
    rng = np.random.default_rng(0)
    x = rng.random((640, 20, 8)).astype("float32")
    y = rng.random((640, 1)).astype("float32")
    model = keras.Sequential([keras.Input((20, 8)), keras.layers.GRU(16), keras.layers.Dense(1)])
    model.compile("adam", "mse")
    times: dict[str, list[float]] = {"autotune on (default)": [], "autotune off": []}
    for _ in range(calls):
        for label in times:
            ds = tf.data.Dataset.from_tensor_slices((x, y)).batch(64).prefetch(tf.data.AUTOTUNE)
            if label == "autotune off":
                ds = without_autotune(ds)
            t0 = time.perf_counter()
            model.fit(ds, epochs=1, verbose=0)
            times[label].append(time.perf_counter() - t0)
    rows = []
    for label, ts in times.items():
        rows.append({"pipeline": label, "calls": calls, "median_s": round(float(np.median(ts)), 2),
                     "max_s": round(max(ts), 2), "calls_over_2s": sum(t > 2 for t in ts)})
        progress(f"  {label:22} median {np.median(ts):.2f} s, max {max(ts):.2f} s")
    return rows


def decoding_throughput(n_sentences: int = 200, epochs: int = 12, repeats: int = 3,
                        progress: Callable[[str], None] = print) -> list[dict[str, Any]]:
    """Sentences/s of greedy decoding and beam search (widths 3 and 5) with a small
    attention translator trained briefly on the EN->DE pairs (so it emits [END])."""
    from course_utils.data import load_translation
    from course_utils.seed import set_seed
    from course_utils.seq2seq.evaluation import evaluate_translations
    from course_utils.seq2seq.translator import Translator, train_translator

    set_seed(0)
    pairs = load_translation(max_words=8)
    model = Translator.from_pairs(pairs.train, embed_dim=64, units=128, attention="bahdanau")
    train_translator(model, pairs.train, None, epochs=epochs)
    test = pairs.test[:n_sentences]
    sources, refs = [en for en, _ in test], [de for _, de in test]
    rows = []
    for label, kwargs in [("greedy", {"method": "greedy"}), ("beam 1", {"method": "beam", "beam_width": 1}),
                          ("beam 3", {"method": "beam", "beam_width": 3}), ("beam 5", {"method": "beam", "beam_width": 5})]:
        model.translate(sources[:8], **kwargs)  # warm-up: tracing
        best, out = float("inf"), []
        for _ in range(repeats):
            t0 = time.perf_counter()
            out = model.translate(sources, **kwargs)
            best = min(best, time.perf_counter() - t0)
        scores = evaluate_translations(out, refs)
        rows.append({"decoder": label, "sentences_per_s": round(len(sources) / best, 1),
                     "bleu": round(scores["bleu"], 2), "chrf": round(scores["chrf"], 2)})
        progress(f"  {label:7} {len(sources) / best:8.1f} sentences/s  BLEU {scores['bleu']:.2f}")
    greedy = rows[0]["sentences_per_s"]
    for r in rows:
        r["slowdown_vs_greedy"] = round(greedy / r["sentences_per_s"], 2)
    return rows


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


def _peak_section(peak: dict[str, Any], recurrence: list[dict[str, Any]]) -> list[str]:
    from . import flops

    p, sh, cpu = peak["peak"], peak["shape"], peak["cpu"]
    bf16 = "yes" if cpu.get("avx512_bf16") or cpu.get("amx_bf16") else "no"
    lines = [
        "## Training speed against the machine's FP32 peak", "",
        f"Chapter 03's character model: Embedding(V={sh['vocab']}, D={sh['embed_dim']}) -> recurrent layer "
        f"(H={sh['units']}, return_sequences) -> Dense(V), sequences of {sh['seq_len']} characters, Adam; "
        "tokens/s = characters trained per second, best of 2 epochs after a warm-up epoch, all variants timed "
        "interleaved in one run.", "",
        "FLOPs are counted analytically, matrix products only (`course_kit/flops.py`): per token, forward "
        + ", ".join(f"{k} `{flops.formula(k)}`" for k in flops.GATES)
        + " (the embedding is a lookup); training = 3 x forward (the backward pass computes two products of the "
        "same size per forward product). Element-wise work (gates, softmax, Adam) is not counted, so the "
        "fractions below slightly understate the work done.", "",
        f"FP32 peak = cores x FMA units x fp32 lanes x 2 x clock = {p['formula']} = **{p['gflops']} GFLOP/s**. "
        f"Read from /proc/cpuinfo: {p['cores']} logical CPUs (counted as cores: the machine reports one thread "
        f"per core), clock {p['ghz']} GHz (from {cpu['clock_source']}; turbo and AVX-512 frequency licences "
        f"move it), AVX-512: {'yes' if cpu.get('avx512f') else 'no'} ({p['lanes']} fp32 lanes); assumed "
        f"{p['fma_units']} FMA units per core (server Xeons with AVX-512 have 2; some SKUs 1, which would halve "
        f"the peak). bf16 instructions (avx512_bf16 / amx_bf16): {bf16}; the `mixed_bfloat16` rows are still "
        "compared with the FP32 peak.", "",
        _table(peak["rows"], ["layer", "variant", "tokens_per_s", "train_MFLOP_per_token", "GFLOP_per_s",
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
            best_lstm = max((r for r in peak["rows"] if r["layer"] == "LSTM"), key=lambda r: r["fraction_of_fp32_peak"])
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
                      f"The best LSTM variant of this run reached {best_lstm['fraction_of_fp32_peak']:.0%} of the "
                      f"FP32 peak ({best_lstm['variant']}), "
                      + ("short of the 50% goal: the products alone, at the rates below, leave no room for it "
                         "once the non-product work is added." if best_lstm["fraction_of_fp32_peak"] < 0.5
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
    "peak": ("Training speed against the FP32 peak", lambda: speed_vs_peak()),
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
