"""The course leaderboard (course_kit.leaderboard): every rung scored on the same characters,
the stored page current, a tiny run that works end to end, and the site's page."""

from __future__ import annotations

import copy
import json
import math
import shutil
from pathlib import Path

import numpy as np
import pytest

from course_kit.leaderboard import DATA, PAGE, RUNGS, Protocol, eval_windows, load, main, render, run
from course_kit.leaderboard.protocol import network_nll, ngram_nll
from course_kit.leaderboard.rungs import _grow
from course_utils.rnn.char_lm import CharVocab
from course_utils.rnn.lm_metrics import CharNGram

ROOT = Path(__file__).resolve().parents[1]
ISSUE_RUNGS = ("unigram", "ngram", "mlp", "simplernn", "lstm", "gru", "cnn", "transformer", "mingru")
TEXT = ("First Citizen:\nBefore we proceed any further, hear me speak.\n\nAll:\nSpeak, speak.\n\n" * 40)


@pytest.mark.parametrize(("n", "seq_len"), [(101, 100), (151, 100), (175, 100), (1000, 100), (37, 10), (38, 11)])
def test_every_position_from_the_minimum_context_is_scored_once(n: int, seq_len: int) -> None:
    starts, scored = eval_windows(n, seq_len)
    positions = (starts[:, None] + np.arange(1, seq_len + 1))[scored]   # the ids each scored prediction targets
    context = np.broadcast_to(np.arange(1, seq_len + 1), scored.shape)[scored]  # window characters before it
    first = seq_len - seq_len // 2 + 1
    assert sorted(positions.tolist()) == list(range(first, n))
    assert context.min() >= first and context.max() <= seq_len
    assert starts.min() >= 0 and starts.max() + seq_len <= n - 1


def test_a_text_too_short_for_one_window_is_refused() -> None:
    with pytest.raises(ValueError, match="too few"):
        eval_windows(100, 100)


def test_ngram_scoring_is_the_models_own_probability_at_the_scored_positions() -> None:
    model = CharNGram(3, k=0.1).fit(TEXT[:1500])
    held_out = TEXT[700:1400] + "Zounds!"  # with characters unseen in training
    want = -np.mean([math.log(model.prob(held_out[:j], held_out[j])) for j in range(51, len(held_out))])
    assert ngram_nll(model, held_out, 100) == pytest.approx(want, rel=1e-12)


def test_networks_and_counts_are_scored_on_the_same_characters() -> None:
    """A Keras model whose logits are a unigram's log-probabilities (ignoring its input) must score
    exactly what the unigram scores: the two scorers read the same positions."""
    import keras

    train, held_out = TEXT[:2000], TEXT[2000:2600] + "Zounds!"
    unigram = CharNGram(1, k=0.1).fit(train)
    vocab = CharVocab.from_text(train)
    log_q = np.full(vocab.size, -1e4, np.float32)  # padding: never
    log_q[CharVocab.UNK_ID] = math.log(unigram.prob("", "\x00"))
    for i, c in enumerate(vocab.chars):
        log_q[i + CharVocab.N_RESERVED] = math.log(unigram.prob("", c))
    model = keras.Sequential([keras.Input((20,), dtype="int32"), keras.layers.Embedding(vocab.size, 1),
                              keras.layers.Dense(vocab.size)])
    model.layers[0].set_weights([np.zeros((vocab.size, 1), np.float32)])
    model.layers[1].set_weights([np.zeros((1, vocab.size), np.float32), log_q])
    assert network_nll(model, vocab.encode(held_out), 20) == pytest.approx(ngram_nll(unigram, held_out, 20), rel=1e-5)


def test_the_grid_grows_past_the_end_that_holds_the_best_probe_within_its_bounds() -> None:
    grid = {"learning_rate": [2e-3, 4e-3, 8e-3], "window": [4, 8, 16]}
    bounds = {"learning_rate": (5e-4, 3.2e-2), "window": (2, 32)}
    assert _grow(grid, {"learning_rate": 8e-3, "window": 4}, bounds)
    assert grid == {"learning_rate": [2e-3, 4e-3, 8e-3, 1.6e-2], "window": [2, 4, 8, 16]}
    assert not _grow(grid, {"learning_rate": 4e-3, "window": 8}, bounds)  # inside: done
    assert _grow(grid, {"learning_rate": 1.6e-2, "window": 2}, bounds) and grid["learning_rate"][-1] == 3.2e-2
    assert not _grow(grid, {"learning_rate": 3.2e-2, "window": 2}, bounds)  # at the bounds: done
    assert grid == {"learning_rate": [2e-3, 4e-3, 8e-3, 1.6e-2, 3.2e-2], "window": [2, 4, 8, 16]}


def test_every_rung_of_the_issue_is_defined_and_stored() -> None:
    assert tuple(RUNGS) == ISSUE_RUNGS
    stored = load(ROOT / DATA)
    assert stored is not None, f"{DATA} is missing: run python -m course_kit.leaderboard"
    assert [r["rung"] for r in stored["records"]] == list(ISSUE_RUNGS), "every rung stored, in the issue's order"
    assert stored["protocol"] == Protocol().as_dict(), "the stored leaderboard was made under another protocol"
    for record in stored["records"]:
        assert record["chapter"] == RUNGS[record["rung"]].chapter
        assert record["params"] > 0 and record["train_minutes"] >= 0 and record["machine"]["cores"] >= 1
        assert 1 < record["val_ppl"] < stored["data"]["vocab_size"] and 1 < record["test_ppl"] < stored["data"]["vocab_size"]
        grid = record["settings"]["grid"]
        assert grid and min(row["val_ppl"] for row in grid) == next(  # chosen: the best on validation
            row["val_ppl"] for row in grid if all(row[k] == v for k, v in record["settings"]["chosen"].items()))


def test_rendering_is_deterministic_and_the_stored_page_is_current() -> None:
    stored = load(ROOT / DATA)
    assert stored is not None
    page = render(stored)
    assert render(copy.deepcopy(stored)) == page == render(json.loads(json.dumps(stored)))
    assert (ROOT / PAGE).read_text(encoding="utf-8") == page, \
        f"{PAGE} is stale: run python -m course_kit.leaderboard --render"
    for record in stored["records"]:
        assert f"| {record['val_ppl']:.2f} | {record['test_ppl']:.2f} |" in page
    assert "Not yet measured" not in page


def test_a_tiny_run_of_two_cheap_rungs_works_end_to_end(tmp_path: Path) -> None:
    protocol = Protocol(steps=2, batch_size=8, seq_len=20, learning_rates=(4e-3, 8e-3), learning_rate_bounds=(2e-3, 1.6e-2),
                        probe_val_chars=500, train_chars=20_000, eval_chars=2_000)
    out = tmp_path / "board.json"
    messages: list[str] = []
    board = run(["unigram", "simplernn"], protocol, out, out.with_suffix(".md"), log=messages.append)
    assert [r["rung"] for r in board["records"]] == ["unigram", "simplernn"]
    for record in board["records"]:
        assert math.isfinite(record["val_ppl"]) and math.isfinite(record["test_ppl"])
    rnn = board["records"][1]
    rates = [row["learning_rate"] for row in rnn["settings"]["grid"]]  # one probe per rate, in order
    assert rates == sorted(set(rates)) and {4e-3, 8e-3} <= set(rates) <= {2e-3, 4e-3, 8e-3, 1.6e-2}
    chosen = rnn["settings"]["chosen"]["learning_rate"]
    assert chosen in (2e-3, 1.6e-2) or min(rates) < chosen < max(rates), "a choice at an end of the grid is at a bound"
    assert rnn["settings"]["train_chars_seen"] == 2 * 8 * 20
    assert load(out) == board and "A quick trial, not the leaderboard" in out.with_suffix(".md").read_text()

    again = run(["unigram"], protocol, out, out.with_suffix(".md"), log=messages.append)  # stored: reused
    assert again["records"] == board["records"] and any("reused" in m for m in messages)
    out.with_suffix(".md").write_text("stale", encoding="utf-8")
    assert main(["--render", "--out", str(out)]) == 0
    assert out.with_suffix(".md").read_text(encoding="utf-8") == render(board)
    with pytest.raises(SystemExit, match="another protocol"):
        run(["unigram"], Protocol(steps=3, train_chars=20_000, eval_chars=2_000), out, out.with_suffix(".md"))


def test_the_site_has_the_leaderboard_page_linked_from_the_index(tmp_path: Path) -> None:
    from course_kit.site import build_site

    notebooks = tmp_path / "notebooks"
    notebooks.mkdir()
    shutil.copy(ROOT / "notebooks" / "00_setup_and_sequences.ipynb", notebooks)
    (tmp_path / "results").mkdir()
    shutil.copy(ROOT / PAGE, tmp_path / PAGE)
    pages = build_site(notebooks, tmp_path / "site")
    page = tmp_path / "site" / "leaderboard.html"
    assert page in pages
    text = page.read_text(encoding="utf-8")
    assert "<table>" in text and "Leaderboard" in text and 'class="course-nav"' in text
    assert "http://" not in text and "https://" not in text, "the page must work offline"
    assert 'href="leaderboard.html"' in (tmp_path / "site" / "index.html").read_text(encoding="utf-8")
