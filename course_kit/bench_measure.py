"""The measurements of the course benchmark (``make bench``, :mod:`course_kit.bench`).

Each function times one thing and returns its table rows (a list of dicts, or a dict for the
peak); :mod:`course_kit.bench` runs them and writes the report. The character models are built
with :func:`course_utils.rnn.char_lm.build_char_lm`, the model chapter 03 trains, so that the
benchmark times the course's own model. Wherever two things are compared they are measured in
the same run, interleaved: absolute times on a shared machine drift by 20-40%, ratios much less.
"""

from __future__ import annotations

import subprocess
import sys
import time
from collections.abc import Callable
from typing import Any

from course_utils.cell_kinds import CELL_NAMES, CELLS, check_cell
from course_utils.paths import repo_root


# --------------------------------------------------------------------------- training throughput
def _char_model(cell: str, scratch: bool, vocab_size: int, units: int, seq_len: int, jit: bool, unroll: bool) -> Any:
    """Chapter 03's model with a Keras layer of kind ``cell``, or (``scratch``) ``keras.layers.RNN``
    around the course's from-scratch cell of that kind; Adam at Keras's default rate, no clipping."""
    import keras

    from course_utils.rnn import cells
    from course_utils.rnn.char_lm import build_char_lm

    if scratch:
        cell_class = {"simple": cells.ScratchSimpleRNNCell, "lstm": cells.ScratchLSTMCell, "gru": cells.ScratchGRUCell}[cell]
        model = build_char_lm(vocab_size, lambda n: keras.layers.RNN(cell_class(n), return_sequences=True, unroll=unroll),
                              units, seq_len=seq_len, learning_rate=1e-3, clipnorm=None)
    else:
        model = build_char_lm(vocab_size, cell, units, seq_len=seq_len, learning_rate=1e-3, clipnorm=None, unroll=unroll)
    model.jit_compile = jit  # set either way: Keras's "auto" would turn XLA on where there is a GPU
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
    """Samples/s of a char-LM-shaped model (Embedding 32 -> RNN(units) -> Dense(65)) for each
    kind of cell: Keras built-in layers against ``keras.layers.RNN`` around the course's
    from-scratch cells, plus the speed knobs tried (jit_compile, unroll). Rows name the layer
    by its Keras class (``CELL_NAMES``)."""
    import numpy as np

    from course_utils.seed import set_seed

    set_seed(0, deterministic_ops=False)  # determinism costs speed and is not needed to time
    vocab_size = 65
    rng = np.random.default_rng(0)
    x = rng.integers(0, vocab_size, size=(batch * batches, seq_len)).astype("int32")
    y = np.roll(x, -1, axis=1)
    variants = [("built-in", False, False, False), ("from scratch", True, False, False),
                ("from scratch + jit_compile", True, True, False), ("built-in + jit_compile", False, True, False)]
    rows = []
    for cell in CELLS:
        name = CELL_NAMES[cell]
        cell_variants = variants + ([("from scratch + unroll", True, False, True)] if cell == "simple" else [])
        for label, scratch, jit, unroll in cell_variants:
            model = _char_model(cell, scratch, vocab_size, units, seq_len, jit, unroll)
            sps = _time_fit(model, x, y, batch, repeats)
            rows.append({"layer": name, "variant": label, "samples_per_s": round(sps, 1),
                         "params": int(model.count_params())})
            progress(f"  {name:9} {label:28} {sps:8.1f} samples/s")
    for name in CELL_NAMES.values():
        base = next((r["samples_per_s"] for r in rows if r["layer"] == name and r["variant"] == "built-in"), None)
        for r in rows:
            if r["layer"] == name and base:
                r["slowdown_vs_builtin"] = round(base / r["samples_per_s"], 2)
    return rows


# --------------------------------------------------------------------------- speed against the machine's limit
# Chapter 03's model. The keys are stored in results/benchmarks.json and read back by the report.
PEAK_SHAPE = {"vocab": 77, "embed_dim": 32, "units": 256, "seq_len": 100, "batch": 64}


def _peak_model(cell: str, vocab_size: int, embed_dim: int, units: int, seq_len: int, jit: bool, bf16: bool) -> Any:
    """Chapter 03's model (Adam at 3e-3, no clipping), in ``mixed_bfloat16`` when ``bf16``."""
    import keras

    from course_utils.rnn.char_lm import build_char_lm

    keras.mixed_precision.set_global_policy("mixed_bfloat16" if bf16 else "float32")
    try:  # logits and loss in float32 under bf16 too
        model = build_char_lm(vocab_size, cell, units, embed_dim=embed_dim, seq_len=seq_len, learning_rate=3e-3,
                              clipnorm=None, logits_dtype="float32" if bf16 else None)
    finally:
        keras.mixed_precision.set_global_policy("float32")
    model.jit_compile = jit
    return model


def measured_ceiling(n: int = 4096, repeats: int = 3) -> dict[str, Any]:
    """This machine's measured ceiling for float32 arithmetic: GFLOP/s of one large (n, n) @ (n, n)
    product, best of ``repeats`` after a warm-up, in NumPy (OpenBLAS) and in TensorFlow (the
    kernels training uses); ``gflops`` is the larger, what a training step is compared with."""
    import numpy as np
    import tensorflow as tf

    if n < 2 or repeats < 1:
        raise ValueError(f"need n >= 2 and repeats >= 1, got n={n}, repeats={repeats}")
    flop = 2.0 * n ** 3
    a = np.random.default_rng(0).standard_normal((n, n), dtype=np.float32)
    b = np.random.default_rng(1).standard_normal((n, n), dtype=np.float32)

    def best(product: Callable[[], Any]) -> float:
        product()  # warm-up: threads started, kernels chosen
        seconds = []
        for _ in range(repeats):
            t0 = time.perf_counter()
            product()
            seconds.append(time.perf_counter() - t0)
        return round(flop / min(seconds) / 1e9, 1)

    ta, tb = tf.constant(a), tf.constant(b)
    numpy_rate = best(lambda: a @ b)
    tf_rate = best(lambda: tf.linalg.matmul(ta, tb).numpy())
    return {"n": n, "numpy_gflops": numpy_rate, "tensorflow_gflops": tf_rate, "gflops": max(numpy_rate, tf_rate)}


def speed_vs_peak(repeats: int = 2, cells: tuple[str, ...] = CELLS,
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
    ceiling = measured_ceiling()
    progress(f"  measured ceiling: one {ceiling['n']}x{ceiling['n']} float32 product, {ceiling['numpy_gflops']} "
             f"GFLOP/s in NumPy, {ceiling['tensorflow_gflops']} in TensorFlow")
    shape = PEAK_SHAPE
    bf16 = facts["avx512_bf16"] or facts["amx_bf16"]
    variants = [("base (batch 64)", 64, False, False), ("batch 256", 256, False, False),
                ("batch 1024", 1024, False, False), ("jit_compile", 64, True, False)]
    if bf16:
        variants += [("mixed_bfloat16", 64, False, True), ("mixed_bfloat16 + batch 1024", 1024, False, True)]
    rng = np.random.default_rng(0)
    configs = []
    for cell in map(check_cell, cells):
        for label, batch, jit, half in variants:
            if batch == 256 and cell != "lstm":  # the in-between batch for the goal's cell only (time)
                continue
            samples = max(512, batch)
            x = rng.integers(2, shape["vocab"], size=(samples, shape["seq_len"])).astype("int32")
            model = _peak_model(cell, shape["vocab"], shape["embed_dim"], shape["units"], shape["seq_len"], jit, half)
            model.fit(x, np.roll(x, -1, 1), batch_size=batch, epochs=1, verbose=0, shuffle=False)  # tracing
            configs.append({"cell": cell, "label": label, "batch": batch, "model": model, "x": x, "best": 0.0})
    for _ in range(repeats):
        for c in configs:
            t0 = time.perf_counter()
            c["model"].fit(c["x"], np.roll(c["x"], -1, 1), batch_size=c["batch"], epochs=1, verbose=0, shuffle=False)
            c["best"] = max(c["best"], c["x"].size / (time.perf_counter() - t0))
    rows = []
    for c in configs:
        per_token = flops.train_flops_per_token(c["cell"], shape["embed_dim"], shape["units"], shape["vocab"])
        gflops = c["best"] * per_token / 1e9
        base = next(b for b in configs if b["cell"] == c["cell"] and b["label"].startswith("base"))
        rows.append({"layer": CELL_NAMES[c["cell"]], "variant": c["label"], "tokens_per_s": round(c["best"]),
                     "train_MFLOP_per_token": round(per_token / 1e6, 3), "GFLOP_per_s": round(gflops, 1),
                     "fraction_of_ceiling": round(gflops / ceiling["gflops"], 3),
                     "fraction_of_fp32_peak": round(gflops / peak["gflops"], 3) if peak["gflops"] else None,
                     "speedup_vs_base": round(c["best"] / base["best"], 2)})
        progress(f"  {CELL_NAMES[c['cell']]:9} {c['label']:28} {c['best']:9.0f} tokens/s {gflops:7.1f} GFLOP/s "
                 f"({rows[-1]['fraction_of_ceiling']:.1%} of the measured ceiling)")
    return {"peak": peak, "ceiling": ceiling, "cpu": facts, "shape": dict(shape), "rows": rows}


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


# --------------------------------------------------------------------------- settings of TensorFlow and tf.data
# Run in a fresh process per setting (threads are fixed once TensorFlow starts), from the
# repository root so that it imports the course's model. Threads are set before the import.
_THREAD_PROBE = """
import sys, time, numpy as np, tensorflow as tf, keras
n = int(sys.argv[1])
if n:
    tf.config.threading.set_intra_op_parallelism_threads(n)
    tf.config.threading.set_inter_op_parallelism_threads(n)
from course_utils.rnn.char_lm import build_char_lm
keras.utils.set_random_seed(0)
x = np.random.default_rng(0).integers(0, 65, size=(1280, 50)).astype("int32")
model = build_char_lm(65, "gru", 128, learning_rate=1e-3, clipnorm=None)
model.fit(x, np.roll(x, -1, 1), batch_size=64, epochs=1, verbose=0)
t0 = time.perf_counter()
model.fit(x, np.roll(x, -1, 1), batch_size=64, epochs=2, verbose=0)
print(2 * len(x) / (time.perf_counter() - t0))
"""


def thread_settings(repeats: int = 2, progress: Callable[[str], None] = print) -> list[dict[str, Any]]:
    """Samples/s of a GRU char model in fresh processes with TensorFlow's default threads
    and with intra/inter-op threads pinned to 1 (interleaved, best of ``repeats``)."""
    best: dict[str, float] = {"default threads": 0.0, "1 thread": 0.0}
    for _ in range(repeats):
        for label, n in (("default threads", 0), ("1 thread", 1)):
            out = subprocess.run([sys.executable, "-c", _THREAD_PROBE, str(n)], capture_output=True, text=True,
                                 check=True, cwd=repo_root())
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

    from course_utils.data import load_translation
    from course_utils.seed import set_seed
    from course_utils.training import without_autotune

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

    from course_utils.seed import set_seed
    from course_utils.training import without_autotune

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


# --------------------------------------------------------------------------- decoding throughput
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
