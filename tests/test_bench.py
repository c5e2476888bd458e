"""The benchmark report: machine facts and every table it was given."""

from __future__ import annotations

from pathlib import Path

import pytest

from course_kit import bench, bench_measure


def test_machine_info_names_cores_cpu_versions_and_date() -> None:
    info = bench.machine_info()
    assert info["cores"] >= 1 and info["cpu"] and info["date"].endswith("UTC")
    assert info["tensorflow"] != "missing"


def test_report_has_every_section(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(bench, "RESULTS", tmp_path)
    results = {
        "machine": bench.machine_info(),
        "notebooks": [{"notebook": "00_x", "seconds": 6.0, "ok": True, "metrics": [{"name": "m", "text": "1"}]}],
        "training": [{"layer": "GRU", "variant": "built-in", "samples_per_s": 100.0, "slowdown_vs_builtin": 1.0, "params": 9}],
        "threads": [{"setting": "1 thread", "samples_per_s": 90.0, "slowdown_vs_default": 1.1}],
        "cache": [{"pipeline": "map once, then .cache()", "s_per_epoch": 0.2, "speedup": 1.2}],
        "fit_teardown": [{"pipeline": "autotune off", "calls": 6, "median_s": 0.5, "max_s": 0.6, "calls_over_2s": 0}],
        "decoding": [{"decoder": "greedy", "sentences_per_s": 50.0, "slowdown_vs_greedy": 1.0, "bleu": 9.0, "chrf": 30.0}],
    }
    md, js = bench.write_report(results, "Kept: autotune off.")
    text = md.read_text()
    for heading in ("## Notebooks", "## Training throughput", "## fit() teardown", "## Decoding throughput",
                    "## Thread settings", "## tf.data cache", "## Speed work"):
        assert heading in text
    assert "| 00_x | 6.0 | m = 1 | ok |" in text and js.is_file()


# --------------------------------------------------------------------------- FLOP counting and the peak
@pytest.mark.parametrize("cell", ["simple", "lstm", "gru"])
def test_forward_flops_per_token_are_twice_the_weight_matrix_parameters(cell: str) -> None:
    from course_kit import flops
    from course_utils.rnn.char_lm import build_char_lm

    V, D, H = 77, 32, 48
    model = build_char_lm(V, cell, H, embed_dim=D)  # the model the benchmark times
    kernels = [w for layer in model.layers for w in layer.weights if w.name in ("kernel", "recurrent_kernel")]
    assert len(kernels) == 3  # the cell's input and recurrent kernels, the Dense kernel (biases and embedding: no products)
    matrices = sum(int(w.numpy().size) for w in kernels)
    assert flops.forward_flops_per_token(cell, D, H, V) == 2 * matrices
    assert flops.train_flops_per_token(cell, D, H, V) == 3 * 2 * matrices


def test_flop_formulas_by_hand() -> None:
    from course_kit import flops

    assert flops.forward_flops_per_token("lstm", 32, 256, 77) == 2 * 4 * (32 + 256) * 256 + 2 * 256 * 77
    assert flops.recurrent_flops_per_token("gru", 10, 20) == 2 * 3 * 30 * 20
    assert flops.formula("lstm") == "2*4*(D+H)*H + 2*H*V" and flops.formula("simple") == "2*(D+H)*H + 2*H*V"
    with pytest.raises(ValueError, match="cell must be one of 'simple', 'lstm', 'gru'"):
        flops.forward_flops_per_token("Transformer", 1, 1, 1)
    with pytest.raises(ValueError, match="positive ints"):
        flops.forward_flops_per_token("lstm", 0, 1, 1)


def test_fp32_peak_from_cpuinfo() -> None:
    from course_kit import flops

    cpuinfo = ("processor\t: 0\nmodel name\t: Intel(R) Xeon(R) Processor\ncpu MHz\t\t: 2100.000\n"
               "flags\t\t: fpu avx2 fma avx512f avx512_bf16 amx_bf16\n\n"
               "processor\t: 1\nmodel name\t: Intel(R) Xeon(R) Processor\ncpu MHz\t\t: 2100.000\n"
               "flags\t\t: fpu avx2 fma avx512f avx512_bf16 amx_bf16\n")
    facts = flops.cpu_facts(cpuinfo)
    assert facts["logical_cpus"] == 2 and facts["ghz"] == 2.1 and facts["avx512f"] and facts["amx_bf16"]
    peak = flops.fp32_peak_gflops(facts)
    assert peak["gflops"] == 2 * 2 * 16 * 2 * 2.1 and peak["lanes"] == 16
    avx2 = flops.cpu_facts(cpuinfo.replace(" avx512f", "").replace("2100.000", "3000.000")
                           .replace("Processor", "CPU @ 2.50GHz"))
    assert flops.fp32_peak_gflops(avx2)["gflops"] == 2 * 2 * 8 * 2 * 2.5 and avx2["clock_source"] == "model name"


def test_report_shows_the_peak_section(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from course_kit import flops

    monkeypatch.setattr(bench, "RESULTS", tmp_path)
    facts = flops.cpu_facts()
    results = {
        "machine": bench.machine_info(),
        "peak": {"peak": flops.fp32_peak_gflops({**facts, "ghz": facts["ghz"] or 2.0}), "cpu": facts,
                 "shape": dict(bench_measure.PEAK_SHAPE),
                 "rows": [{"layer": "LSTM", "variant": "base (batch 64)", "tokens_per_s": 1000,
                           "train_MFLOP_per_token": 1.887, "GFLOP_per_s": 1.9, "fraction_of_fp32_peak": 0.01,
                           "speedup_vs_base": 1.0}]},
        "recurrence": [{"case": "one product over B*T = 6400 rows", "ms": 1.0, "GFLOP_per_s": 100.0},
                       {"case": "100 chained products of 64 rows (recurrence, batch 64)", "ms": 2.0, "GFLOP_per_s": 50.0}],
    }
    md, _ = bench.write_report(results)
    text = md.read_text()
    assert "## Training speed against the machine's measured ceiling" in text and "LSTM `2*4*(D+H)*H + 2*H*V`" in text
    assert "SimpleRNN `2*(D+H)*H + 2*H*V`, GRU `2*3*(D+H)*H + 2*H*V`" in text
    assert "| LSTM | base (batch 64) | 1000 |" in text and "### Where an LSTM's time goes" in text
    # 64 x 100 tokens at 1000 tokens/s = 6400 ms; 12.1 GFLOP at 50 GFLOP/s = 242 ms of products
    assert "took 6400 ms" in text and "would take 242 ms, 4% of the step" in text and "short of the 50% goal" in text
    assert "the LSTM reached 1% of the FP32 peak" in text  # a report made without a measured ceiling


def test_report_divides_by_the_measured_ceiling(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from course_kit import flops

    monkeypatch.setattr(bench, "RESULTS", tmp_path)
    facts = flops.cpu_facts()
    row = {"layer": "LSTM", "variant": "base (batch 64)", "tokens_per_s": 40000, "train_MFLOP_per_token": 1.887,
           "GFLOP_per_s": 75.5, "fraction_of_ceiling": 0.372, "fraction_of_fp32_peak": 0.227, "speedup_vs_base": 1.0}
    results = {
        "machine": bench.machine_info(),
        "peak": {"peak": flops.fp32_peak_gflops({**facts, "ghz": facts["ghz"] or 2.0}), "cpu": facts,
                 "ceiling": {"n": 4096, "numpy_gflops": 203.0, "tensorflow_gflops": 180.0, "gflops": 203.0},
                 "shape": dict(bench_measure.PEAK_SHAPE), "rows": [row]},
        "recurrence": [{"case": "one product over B*T = 6400 rows", "ms": 1.0, "GFLOP_per_s": 100.0},
                       {"case": "100 chained products of 64 rows (recurrence, batch 64)", "ms": 2.0, "GFLOP_per_s": 50.0}],
    }
    text = bench.write_report(results)[0].read_text()
    assert "203.0 GFLOP/s in NumPy and 180.0 in TensorFlow" in text and "**203.0 GFLOP/s**" in text
    assert "| fraction_of_ceiling |" in text or "fraction_of_ceiling" in text
    assert "the LSTM reached 37% of the measured ceiling" in text and "short of the 50% goal" in text


def test_measured_ceiling_times_one_large_product() -> None:
    ceiling = bench_measure.measured_ceiling(n=256, repeats=1)
    assert ceiling["gflops"] == max(ceiling["numpy_gflops"], ceiling["tensorflow_gflops"]) > 0
    with pytest.raises(ValueError, match="n >= 2"):
        bench_measure.measured_ceiling(n=1)


def test_only_rejects_unknown_measurements() -> None:
    with pytest.raises(SystemExit):
        bench.main(["--only", "nonsense"])


def test_the_benchmark_times_the_course_char_model() -> None:
    """Every character model of the benchmark is build_char_lm's: the layers chapter 03 trains."""
    import keras

    scratch = bench_measure._char_model("simple", True, 11, 4, 5, jit=False, unroll=True)
    builtin = bench_measure._char_model("gru", False, 11, 4, 5, jit=False, unroll=False)
    assert [type(layer).__name__ for layer in scratch.layers] == ["Embedding", "RNN", "Dense"]
    assert scratch.layers[1].unroll and not scratch.jit_compile
    assert [type(layer).__name__ for layer in builtin.layers] == ["Embedding", "GRU", "Dense"]
    bf16 = bench_measure._peak_model("lstm", 11, 3, 4, 5, jit=False, bf16=True)
    assert bf16.layers[1].compute_dtype == "bfloat16" and bf16.layers[-1].compute_dtype == "float32"
    assert keras.mixed_precision.global_policy().name == "float32"
    compile(bench_measure._THREAD_PROBE, "<thread probe>", "exec")
    assert "from course_utils.rnn.char_lm import build_char_lm" in bench_measure._THREAD_PROBE
