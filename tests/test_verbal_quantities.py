"""Words that state a quantity agree with the figures the notebook prints.

``tests/test_markdown_numbers.py`` holds every decimal and percentage in the prose to a printed
figure. This file does the same for quantities said in words: "in every seed", "two of three",
"about half", "N to M points", "all the names". Each such phrase that the patterns below find in
a notebook's Markdown must be listed in :data:`CLAIMS` with a check that reads the figures it
summarises (the notebook's stored outputs, a reference model's sidecar, or ``results/seeds.json``
for the seed study) and holds the words to them. A new phrase with no check fails, and so does a check whose phrase has
gone from its notebook, so the list cannot drift from the prose.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
_N = r"(?:one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|\d+)"
DETECT = [
    rf"\b{_N} (?:out )?of (?:the |its |their |his )?(?!epoch |step |chapter |section )(?:\w+ )?{_N}\b",  # "2 of its 32"
    r"\b(?:about|nearly|almost|roughly|over|under|more than|less than) (?:half|a third|a quarter|two thirds|"
    r"three quarters|four fifths)\b",                                                 # "about half"
    rf"\b{_N} to {_N} (?:points|percentage points|BLEU)\b",                             # "N to M points"
    r"\bin every (?:seed|run)\b",                                                      # "in every seed"
    r"\b(?:all|every|none of the|each of the) (?:\w+ )?(?:seeds|runs)\b",
    r"\b(?:all|every|none of the) (?:the )?(?:\d+ |forty )?(?:unseen )?names?\b",      # "all 40 names", "every name"
    r"\bone (?:\w+ )?(?:\w+ )?in (?:two|three|four|five|six|seven|eight|nine|ten)\b",  # "one test sentence in eight"
]


def _notebooks() -> list[Path]:
    return sorted((ROOT / "notebooks").glob("[0-9A]*.ipynb")) + sorted((ROOT / "notebooks" / "deep_dives").glob("*.ipynb"))


@cache
def _cells(stem: str) -> tuple[str, str]:
    """(Markdown text, printed text) of the notebook whose file name starts with ``stem``."""
    (path,) = [p for p in _notebooks() if p.name.startswith(stem + "_")]
    cells = json.loads(path.read_text(encoding="utf-8"))["cells"]
    markdown = "\n\n".join("".join(c["source"]) for c in cells if c["cell_type"] == "markdown")
    printed = []
    for c in cells:
        for out in c.get("outputs", []):
            text = out.get("text") or out.get("data", {}).get("text/plain", "")
            printed.append("".join(text) if isinstance(text, list) else text)
    return markdown, "\n".join(printed)


def printed(stem: str) -> str:
    return _cells(stem)[1]


def figure(stem: str, pattern: str) -> list[float]:
    """Every number captured by ``pattern`` (its first group) in the notebook's printed outputs."""
    found = [float(m.group(1).replace(",", "")) for m in re.finditer(pattern, printed(stem))]
    assert found, f"{stem}: nothing printed matches {pattern!r}"
    return found


@cache
def _seeds() -> dict:
    return json.loads((ROOT / "results" / "seeds.json").read_text(encoding="utf-8"))["comparisons"]


def per_seed(chapter: str, metric: str, model: str, split: str = "test") -> list[float]:
    return _seeds()[chapter]["per_seed"][metric][split][model]


def seeds_where(chapter: str, metric: str, better: str, worse: str, lower_is_better: bool) -> int:
    """In how many seeds ``better`` scored better than ``worse`` on the test split."""
    pairs = zip(per_seed(chapter, metric, better), per_seed(chapter, metric, worse))
    return sum((a < b) if lower_is_better else (a > b) for a, b in pairs)


def n_seeds(chapter: str) -> int:
    return len(_seeds()[chapter]["seeds"])


@dataclass(frozen=True)
class Claim:
    notebook: str                    # the file name's prefix: "08", "10a"
    phrase: str                      # a regular expression matching the words in its Markdown
    check: Callable[[], bool]        # the figures agree with the words
    means: str                       # what the words claim, in figures


def sidecar(name: str) -> dict:
    from course_utils.references import sidecar as read

    return read(name)


def _relu_inactive_share(rho: float) -> float:
    """Chapter 04's setting (cells 5-6): the share of ReLU units with slope 0 over its 16 sequences."""
    import numpy as np

    from course_utils.rnn import numpy_rnn as rnn

    xs = np.random.default_rng(0).normal(size=(16, 60, 8))
    params = rnn.init_params(8, 64, 1, seed=1, scale=0.5)
    params["W_hh"] = rnn.recurrent_matrix(64, rho, seed=2)
    return float(np.mean(rnn.rnn_forward(params, xs, activation="relu").zs <= 0))


def _ratio(stem: str, numerator: str, denominator: str) -> float:
    return figure(stem, numerator)[0] / figure(stem, denominator)[0]


def _all_seeds(chapter: str, metric: str, better: str, worse: str, lower: bool) -> bool:
    return seeds_where(chapter, metric, better, worse, lower) == n_seeds(chapter)


def _attention_seeds() -> bool:
    """Chapter 11's seed study, as its recap and section 5 both state it: Luong attention above none
    in every seed on BLEU and chrF, Bahdanau in two seeds of three on both."""
    metrics = ("BLEU", "chrF")
    return (n_seeds("11") == 3 and all(_all_seeds("11", m, "Luong", "none", False) for m in metrics)
            and all(seeds_where("11", m, "Bahdanau", "none", False) == 2 for m in metrics))


CLAIMS: list[Claim] = [
    Claim("04", r"about half the units are inactive",
          lambda: 0.4 <= _relu_inactive_share(1.5) <= 0.6,
          "40-60% of the ReLU units at slope 0 at radius 1.5 (recomputed from chapter 04's setting)"),
    Claim("05", r"2 of its 32 units keep more than half",
          lambda: figure("05", r"b_f = 3 \(recalls\)\s+units keeping more than half of c_1 to step 80:\s+(\d+) of 32") == [2],
          "the printed count for the recalling model: 2 of 32"),
    Claim("05", r"one of 8 symbols", lambda: "(chance 12.5%)" in printed("05"), "an alphabet of 8: chance 12.5%"),
    Claim("05", r"less than half the time at the longest test lag",
          lambda: figure("05", r"\n80\s+[\d.]+%\s+[\d.]+%\s+([\d.]+)%")[0] < 50,
          "the lag-80 model's accuracy at lag 640 under 50%"),
    Claim("06", r"about three quarters of the LSTM's (?:recurrent )?parameters",
          lambda: 0.7 <= _ratio("06", r"\n\s+GRU\s+Shakespeare\s+(\d+)", r"\n\s+LSTM\s+Shakespeare\s+(\d+)") <= 0.8,
          "GRU / LSTM parameters between 0.7 and 0.8 (printed table)"),
    Claim("06", r"the same order in every seed",
          lambda: _all_seeds("06", "perplexity", "GRU", "SimpleRNN", True)
          and _all_seeds("06", "perplexity", "SimpleRNN", "LSTM", True),
          "GRU < SimpleRNN < LSTM in test perplexity in each seed"),
    Claim("07", r"five of the six tokens",
          lambda: re.findall(r"(\S+) ([BI]-[A-Z]+|O)[,.]", re.search(r"with its BIO tag above each token: ([^\n]*)",
                                                                     printed("07")).group(1))
          == [("Angela", "B-PER"), ("Merkel", "I-PER"), ("visited", "O"), ("New", "B-LOC"), ("York", "I-LOC"), (".", "O")],
          "the drawn sentence has six tokens; B-LOC O for New York gets five of them right"),
    Claim("07", r"from about a quarter to about four fifths",
          lambda: 0.2 <= figure("07", r"most-frequent-tag baseline\s+[\d.]+\s+[\d.]+\s+([\d.]+)")[0] <= 0.3
          and 0.75 <= figure("07", r"BiLSTM tagger\s+[\d.]+\s+[\d.]+\s+([\d.]+)")[0] <= 0.85,
          "accuracy on unseen words: baseline 0.2-0.3, tagger 0.75-0.85"),
    Claim("08", r"below the bag of words in every seed, and the bidirectional LSTM was ahead of it in one seed of three",
          lambda: _all_seeds("08", "accuracy", "bag of words", "LSTM", False)
          and seeds_where("08", "accuracy", "BiLSTM", "bag of words", False) == 1 and n_seeds("08") == 3,
          "LSTM below bag of words in each seed; BiLSTM above it in exactly 1 of 3"),
    Claim("11", r"Luong's gain held every time and Bahdanau's in two of three", _attention_seeds,
          "Luong above none in every seed on BLEU and chrF; Bahdanau in 2 of 3 on both"),
    Claim("11", r"above no attention in every seed, on both metrics, and Bahdanau attention in two seeds of three",
          _attention_seeds, "as above"),
    Claim("12", r"changed more than half of the test translations",
          lambda: (lambda a, b: a / b > 0.5)(*map(float, re.search(
              r"beam 5 changes (\d+) of (\d+) translations", printed("12")).groups())),
          "beam 5 changes more than half of the test translations (printed count)"),
    Claim("13", r"an accuracy of about three quarters",
          lambda: (lambda acc: len(acc) == 3 and all(0.7 <= a <= 0.8 for a in acc))(
              figure("13", r"\n(?:GRU|1-D CNN|Transformer)\s+sentiment(?:\s+[\d.]+){3}\s+([\d.]+)\s+accuracy")),
          "the three test accuracies between 0.7 and 0.8"),
    Claim("13", r"the GRU lowest in every seed",
          lambda: _all_seeds("13", "characters perplexity", "GRU", "1-D CNN", True)
          and _all_seeds("13", "characters perplexity", "GRU", "Transformer", True),
          "the GRU's character perplexity below both others in each seed"),
    Claim("06a", r"about three quarters as many characters per second",
          lambda: 0.7 <= _ratio("06a", r"\n\s*LSTM\s+355989\s+[\d.]+\s+[\d.]+\s+(\d+)",
                                r"\n\s*(?:cpu\s+)?SimpleRNN\s+344469\s+[\d.]+\s+[\d.]+\s+(\d+)") <= 0.8,
          "LSTM(256) chars/s / SimpleRNN chars/s between 0.7 and 0.8"),
    Claim("06a", r"about a third of the GRU's parameters",
          lambda: 0.28 <= _ratio("06a", r"SimpleRNN\s+(344469)", r"GRU\s+(\d+)\s+15\.0") <= 0.4,
          "SimpleRNN / GRU parameters between 0.28 and 0.4"),
    Claim("07a", r"less than half of the probability, and `ORG` close behind",
          lambda: (lambda per, org: per < 0.5 and per - org < 0.1)(
              *map(float, re.search(r"\nYoda\s+([\d.]+)\s+([\d.]+)", printed("07a")).groups())),
          "Yoda: B-PER under 0.5, B-ORG within 0.1 of it"),
    Claim("10a", r"the first 20 of its 30 epochs",
          lambda: (lambda c: len(c) == 30 and max(range(30), key=c.__getitem__) + 1 == 20)(
              [p["val_bleu"] for p in sidecar("translator")["curve"]]),
          "the subword reference's best validation BLEU at epoch 20 of 30"),
    Claim("10a", r"in about half the reference's time",
          lambda: 0.4 <= sidecar("translator_words")["train_seconds"] / sidecar("translator")["train_seconds"] <= 0.6,
          "word twin's training time / reference's between 0.4 and 0.6"),
    Claim("10a", r"Four to twelve BLEU points",
          lambda: sorted(round(sidecar(t)["test"]["greedy_bleu"] - sidecar(b)["test"]["greedy_bleu"])
                         for t, b in (("translator_tuned", "translator"), ("translator_words_tuned", "translator_words")))
          == [4, 12], "fine-tuning gains of 4 and 12 greedy BLEU points, rounded"),
    Claim("10a", r"about 3 to 4 BLEU",
          lambda: all(3 <= round(sidecar(n)[part][k]) <= 4 for n in ("translator", "translator_words", "translator_tuned",
                      "translator_words_tuned") for part in ("sealed_test", "ding_validation")
                      for k in ("greedy_bleu", "beam5_bleu")),
          "every sealed-test and Ding-validation BLEU rounds to 3 or 4"),
    Claim("10a", r"Neither copies every unseen name",
          lambda: all(sidecar(n)["test"]["name_copy_rate"] < 1 for n in ("translator", "translator_words")),
          "both bases copy under 100% of the unseen names"),
    Claim("10a", r"every name in \"My name is …\" and \"… is my friend\", none in \"Where is …\?\"",
          lambda: sidecar("translator_words")["test"]["name_copy_by_pattern"]
          == {"My name is {name}.": 1.0, "Where is {name}?": 0.0, "{name} is my friend.": 1.0},
          "the word twin's copy rate by pattern: 1, 0, 1"),
    Claim("10a", r"both subword models copy all 40 names",
          lambda: all(sidecar(n)["test"]["pass_through_name_copy_rate"] == 1.0 and len(sidecar(n)["eval_names"]) == 40
                      for n in ("translator", "translator_tuned")),
          "with names passed through, both subword models copy 100% of their 40 names"),
    Claim("10a", r"near one test sentence in eight at best",
          lambda: 10 <= max(sidecar(n)["test"]["beam5_exact_match"] for n in (
              "translator", "translator_words", "translator_tuned", "translator_words_tuned")) <= 15,
          "the best exact match 10-15% (one in eight is 12.5%)"),
    Claim("11a", r"every name in \"My name is …\" and \"… is my friend\", in sentences that are exactly right",
          lambda: (lambda m: m is not None and m.groups() == ("1.0", "1.0", "0.0", "0.0", "1.0", "1.0"))(
              re.search(r"My name is \{name\}\.\s+[\d.]+\s+[\d.]+\s+([\d.]+)\s+([\d.]+)\s*\n"
                                      r"Where is \{name\}\?\s+[\d.]+\s+[\d.]+\s+([\d.]+)\s+([\d.]+)\s*\n"
                                      r"\{name\} is my friend\.\s+[\d.]+\s+[\d.]+\s+([\d.]+)\s+([\d.]+)", printed("11a"))),
          "the word twin's printed copied/exact by pattern: 1/1, 0/0, 1/1"),
]


def _found_phrases() -> list[tuple[str, str, str]]:
    """(notebook prefix, phrase found, its sentence) for every quantity in words in every notebook."""
    out = []
    for path in _notebooks():
        stem = path.name.split("_")[0]
        markdown = _cells(stem)[0]
        for pattern in DETECT:
            for m in re.finditer(pattern, markdown, re.I):
                start = max(markdown.rfind(". ", 0, m.start()), markdown.rfind("\n", 0, m.start())) + 1
                end = min(i for i in (markdown.find(". ", m.end()), markdown.find("\n", m.end()), len(markdown)) if i >= 0)
                out.append((stem, m.group(0), markdown[start:end].strip()))
    return out


def test_every_quantity_in_words_has_a_check() -> None:
    missing = [(stem, phrase, sentence) for stem, phrase, sentence in _found_phrases()
               if not any(c.notebook == stem and any(phrase.lower() in m.group(0).lower()
                                                     for m in re.finditer(c.phrase, sentence, re.I)) for c in CLAIMS)]
    assert not missing, ("quantities in words with no check in tests/test_verbal_quantities.py (add a Claim that "
                         "reads the figures they summarise, or say the figure itself):\n"
                         + "\n".join(f"  {s}: {p!r} in {t!r}" for s, p, t in missing))


@pytest.mark.parametrize("claim", CLAIMS, ids=lambda c: f"{c.notebook}: {c.phrase[:40]}")
def test_quantity_in_words_agrees_with_the_figures(claim: Claim) -> None:
    markdown = _cells(claim.notebook)[0]
    assert re.search(claim.phrase, markdown, re.I), (f"{claim.notebook}: the phrase {claim.phrase!r} is no longer in "
                                                     "its Markdown; remove or update its Claim")
    assert claim.check(), f"{claim.notebook}: the words {claim.phrase!r} claim {claim.means}, which the figures do not show"


def test_the_detector_finds_quantities_in_words() -> None:
    text = ("Luong scored higher in every seed and Bahdanau in two of three. About half the units died; "
            "it gained eight to eleven points and copies all the unseen names, one sentence in eight.")
    found = [m.group(0).lower() for pattern in DETECT for m in re.finditer(pattern, text, re.I)]
    assert found == ["two of three", "about half", "eight to eleven points", "in every seed", "all the unseen names",
                     "one sentence in eight"]


def test_the_checks_tell_true_words_from_false_ones() -> None:
    """The helpers the checks use say no to words the figures do not support."""
    assert not _all_seeds("08", "accuracy", "BiLSTM", "bag of words", False), "the BiLSTM led in one seed of three"
    assert seeds_where("11", "BLEU", "Bahdanau", "none", False) != n_seeds("11"), "Bahdanau led in two seeds of three"
    with pytest.raises(AssertionError, match="nothing printed matches"):
        figure("05", r"units keeping more than half of c_1 to step 80:\s+(\d+) of 64")
