"""The benchmark report: machine facts and every table it was given."""

from __future__ import annotations

from pathlib import Path

import pytest

from course_kit import bench, env


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
