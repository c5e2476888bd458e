"""The seed studies of the headline comparisons: results/seeds.json, its page, the machinery, and
the learner library's read-only table."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from course_kit.seeds import COMPARISONS, Comparison, Metric, load, merge, render, run, write
from course_kit.seeds.stats import item_bootstrap, mcnemar, paired_seed_test, summary, unbits
from course_kit.seeds.study import finish
from course_utils.references import seed_table
from course_utils.references.seeds import seed_study

ROOT = Path(__file__).resolve().parents[1]
STORED = load(ROOT)
KEYS = ["06", "08", "11", "13", "14"]


def test_the_five_comparisons_are_defined_and_stored_with_three_seeds_or_more() -> None:
    assert list(COMPARISONS) == KEYS
    for key in KEYS:
        rec = STORED["comparisons"].get(key)
        assert rec is not None, f"comparison {key} is not stored: run python -m course_kit.seeds --only {key}"
        assert len(rec["seeds"]) >= 3 and len(set(rec["seeds"])) == len(rec["seeds"])
        assert rec["seeds"][0] == 1234, "the first seed is the chapter's own"
        assert rec["models"] == list(COMPARISONS[key].models)
        for metric in rec["metrics"]:
            for split in ("validation", "test"):
                for model in rec["models"]:
                    assert len(rec["per_seed"][metric["name"]][split][model]) == len(rec["seeds"])
        assert {"cpu", "cores", "accelerator", "keras_backend"} <= set(rec["machine"]) and rec["date"]


def test_the_page_is_a_fresh_render_of_the_json_and_rendering_is_deterministic() -> None:
    page = (ROOT / "results" / "seeds.md").read_text(encoding="utf-8")
    assert render(STORED) == render(json.loads(json.dumps(STORED))) == page, \
        "results/seeds.md is stale: run python -m course_kit.seeds --render"


@pytest.mark.parametrize("key", KEYS)
def test_summaries_and_tests_recomputed_from_the_per_seed_figures_equal_the_stored_ones(key: str) -> None:
    rec = STORED["comparisons"][key]
    fresh = finish({k: v for k, v in json.loads(json.dumps(rec)).items() if k not in ("summary", "tests")})
    assert fresh["summary"] == rec["summary"]
    assert fresh["tests"] == rec["tests"]
    for metric, splits in rec["per_seed"].items():
        for split, by_model in splits.items():
            for model, values in by_model.items():
                assert rec["summary"][metric][split][model]["mean"] == pytest.approx(np.mean(values), rel=1e-12)
                assert rec["summary"][metric][split][model]["sd"] == pytest.approx(np.std(values, ddof=1), rel=1e-12)
    for metric, by_model in rec.get("items", {}).items():  # stored correctness gives the stored test accuracy
        for model, per_seed in by_model.items():
            assert [unbits(s).mean() for s in per_seed] == pytest.approx(rec["per_seed"][metric]["test"][model])


def test_seed_table_reads_the_stored_summary() -> None:
    table = seed_table("14")
    rec = STORED["comparisons"]["14"]
    assert list(table.index) == rec["models"]
    assert table.loc["GRU", "mean"] == rec["summary"]["perplexity"]["test"]["GRU"]["mean"]
    assert table.loc["GRU", "p vs minGRU"] == table.loc["minGRU", "p vs GRU"]
    assert set(seed_table("13")["metric"]) == {"reviews accuracy", "characters perplexity"}
    assert "item p vs bag of words" in seed_table("08").columns


def test_seed_table_names_the_command_when_a_comparison_is_missing(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError, match=r"python -m course_kit.seeds --only 06"):
        seed_table("06", path=tmp_path / "seeds.json")
    (tmp_path / "seeds.json").write_text(json.dumps({"about": "", "comparisons": {}}), encoding="utf-8")
    with pytest.raises(KeyError, match=r"python -m course_kit.seeds --only 11"):
        seed_study("11", path=tmp_path / "seeds.json")
    with pytest.raises(ValueError, match="split must be"):
        seed_table("14", split="train")


def test_the_statistics_on_known_cases() -> None:
    assert summary([1.0, 2.0, 3.0]) == {"mean": 2.0, "sd": 1.0, "n": 3}
    assert paired_seed_test([1.0, 2.0], [1.0, 2.0])["p"] is None  # no spread in the differences
    assert paired_seed_test([2.0, 3.1, 4.0], [1.0, 2.0, 3.05])["p"] < 0.01
    right = np.array([True] * 30 + [False] * 10)
    assert mcnemar(right, right) == 1.0
    assert mcnemar(np.ones(40, bool), ~right) < 0.01  # the first model alone is right on 30 items
    assert item_bootstrap(right.astype(float), right.astype(float))["p"] == 1.0


def _toy_prepare() -> dict[str, np.ndarray]:
    return {"truth": np.random.default_rng(0).integers(0, 2, 300)}


def _toy_seed(data: dict[str, np.ndarray], seed: int) -> dict:
    rng = np.random.default_rng(seed)
    right = {"weak": rng.random(300) < 0.55, "strong": rng.random(300) < 0.8}
    return {"figures": {"accuracy": {"validation": {m: float(rng.random(300).__lt__(0.6).mean()) for m in right},
                                     "test": {m: float(r.mean()) for m, r in right.items()}}},
            "items": {"accuracy": right}}


def test_a_toy_comparison_runs_merges_and_renders(tmp_path: Path) -> None:
    toy = Comparison("toy", "A toy", "notebooks/toy.ipynb", ("weak", "strong"), (Metric("accuracy", "higher"),), 3,
                     _toy_prepare, _toy_seed, {"items": 300}, "the strong model wins")
    rec = run(toy, 3, log=lambda *_: None)
    assert rec["seeds"] == [1234, 1235, 1236]
    summary_test = rec["summary"]["accuracy"]["test"]
    assert summary_test["strong"]["mean"] > summary_test["weak"]["mean"] and summary_test["weak"]["n"] == 3
    pair = rec["tests"]["across_seeds"]["accuracy"]["test"][0]
    assert (pair["a"], pair["b"]) == ("weak", "strong") and pair["mean_diff"] < 0 and pair["p"] < 0.05
    items = rec["tests"]["across_items"]["accuracy"][0]
    assert len(items["mcnemar_p_per_seed"]) == 3 and items["bootstrap"]["p"] < 0.05
    data = merge(merge(load(tmp_path), "toy", rec), "aaa", rec)
    assert list(data["comparisons"]) == ["aaa", "toy"]
    json_path, page = write(data, tmp_path)
    assert page.read_text(encoding="utf-8") == render(json.loads(json_path.read_text(encoding="utf-8")))
    assert "> the strong model wins" in page.read_text(encoding="utf-8")
    table = seed_table("toy", path=json_path)
    assert table.loc["weak", "n"] == 3 and table.loc["weak", "p vs strong"] == pair["p"]
    assert table.loc["strong", "item p vs weak"] == items["bootstrap"]["p"]
    assert "item p vs weak" not in seed_table("toy", split="validation", path=json_path).columns
    with pytest.raises(ValueError, match="no metric 'BLEU'; choose one of accuracy"):
        seed_table("toy", metric="BLEU", path=json_path)
