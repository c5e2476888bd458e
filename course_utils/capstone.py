"""The capstone's own pieces (chapter 15): its settings in one frozen dataclass, its text from an
installed corpus or a ``.txt`` file of the learner's own, and its results table.

    config = CapstoneConfig(text="food_reviews")          # or text="my_notes.txt"
    text = load_capstone_text(config.text, config.train_chars, config.eval_chars)
    text.sizes()                                           # {'train': ..., 'validation': ..., 'test': ...}

The models themselves come from the chapters' builders (``rnn.char_lm.build_char_lm``,
``transformer.build_transformer_lm``); this module only holds what they share.
"""

from __future__ import annotations

import math
import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .validate import finite_number, int_in_range, positive_int

__all__ = ["CAPSTONE_CORPORA", "CapstoneConfig", "CapstoneText", "load_capstone_text", "results_table", "split_text"]

CAPSTONE_CORPORA: tuple[str, ...] = ("food_reviews", "shakespeare", "names")
"""The installed corpora the capstone reads as plain text (any other text: a path to a ``.txt`` file)."""

SPLITS: tuple[str, str, str] = ("train", "validation", "test")


@dataclass(frozen=True)
class CapstoneConfig:
    """Every setting of the capstone, in one place. ``text`` is a corpus of
    :data:`CAPSTONE_CORPORA` or the path to a UTF-8 ``.txt`` file; the first ``train_chars``
    characters of its training split are trained on, the first ``eval_chars`` of its
    validation and test splits are scored. ``units`` sizes the recurrent layers, ``d_model``
    the Transformer; every neural model trains ``epochs`` epochs of windows of ``seq_len``
    characters, ``batch_size`` windows a step, with Adam at ``learning_rate``."""

    text: str = "food_reviews"
    train_chars: int = 250_000
    eval_chars: int = 50_000
    seq_len: int = 64
    batch_size: int = 64
    units: int = 96
    embed_dim: int = 32
    d_model: int = 48
    epochs: int = 6
    learning_rate: float = 1e-2
    seed: int = 15

    def __post_init__(self) -> None:
        if not isinstance(self.text, (str, os.PathLike)) or not str(self.text).strip():
            raise ValueError(f"text must name a corpus ({', '.join(CAPSTONE_CORPORA)}) or a .txt file, got {self.text!r}")
        for name in ("train_chars", "eval_chars", "seq_len", "batch_size", "units", "embed_dim", "epochs"):
            positive_int(name, getattr(self, name))
        positive_int("d_model", self.d_model, "the Transformer's width; even, for the sinusoidal positions")
        if self.d_model % 2:
            raise ValueError(f"d_model must be even (sinusoidal positions pair sines with cosines), got {self.d_model}")
        finite_number("learning_rate", self.learning_rate, low=0, low_open=True, high=1,
                      fix="Adam's rates for these models lie between 1e-4 and 1e-2")
        int_in_range("seed", self.seed, 0, numpy_ints=False)
        if self.train_chars <= self.seq_len * self.batch_size:
            raise ValueError(f"train_chars={self.train_chars:,} makes no full batch of {self.batch_size} windows of "
                             f"{self.seq_len} characters; raise train_chars or lower batch_size or seq_len")
        if self.eval_chars <= self.seq_len:
            raise ValueError(f"eval_chars={self.eval_chars:,} holds no window of seq_len={self.seq_len}; raise eval_chars")


@dataclass(frozen=True)
class CapstoneText:
    """The capstone's three texts (plain strings) and where they came from."""

    train: str
    validation: str
    test: str
    source: str

    def sizes(self) -> dict[str, int]:
        """Characters in each split: ``{"train": ..., "validation": ..., "test": ...}``."""
        return {split: len(getattr(self, split)) for split in SPLITS}


def split_text(text: str, fractions: Sequence[float] = (0.8, 0.1, 0.1)) -> tuple[str, str, str]:
    """Cut ``text`` into (train, validation, test) in reading order: the first ``fractions[0]``
    of its characters, the next ``fractions[1]``, the rest. Each cut moves forward to the next
    line start, so no line is shared by two splits; a cut in the last line (or in a text without
    line breaks) stays at the character. ``train + validation + test == text``. The end of a file is its test text: later
    writing, as a time series keeps its last days for testing."""
    if not isinstance(text, str):
        raise TypeError(f"text must be a string, got {type(text).__name__}")
    fractions = tuple(float(f) for f in fractions)
    if len(fractions) != 3 or any(not math.isfinite(f) or f <= 0 for f in fractions) or \
            not math.isclose(sum(fractions), 1.0, abs_tol=1e-9):
        raise ValueError(f"fractions must be three positive numbers summing to 1 (train, validation, test), "
                         f"got {fractions}")

    def cut(at: int) -> int:
        if at <= 0 or at >= len(text) or text[at - 1] == "\n":
            return max(0, min(at, len(text)))
        newline = text.find("\n", at)
        return at if newline < 0 else newline + 1

    first = cut(round(len(text) * fractions[0]))
    second = max(first, cut(round(len(text) * (fractions[0] + fractions[1]))))
    return text[:first], text[first:second], text[second:]


def _corpus_text(name: str, cache_dir: str | os.PathLike[str] | None) -> tuple[str, str, str]:
    from .data import load_names, load_reviews, load_shakespeare

    if name == "food_reviews":  # one review a line, in the corpus's own splits
        reviews = load_reviews(cache_dir=cache_dir)
        return tuple("\n".join(getattr(reviews, split).texts) + "\n" for split in SPLITS)  # type: ignore[return-value]
    if name == "names":
        names = load_names(cache_dir=cache_dir)
        return tuple("\n".join(names[split]) + "\n" for split in SPLITS)  # type: ignore[return-value]
    shakespeare = load_shakespeare(cache_dir=cache_dir)
    return shakespeare.train, shakespeare.validation, shakespeare.test


def load_capstone_text(source: str | os.PathLike[str], train_chars: int | None = None, eval_chars: int | None = None,
                       cache_dir: str | os.PathLike[str] | None = None) -> CapstoneText:
    """The capstone's train, validation and test texts. ``source`` is a corpus of
    :data:`CAPSTONE_CORPORA` (read in its own splits: ``food_reviews`` one review a line,
    ``names`` one name a line) or the path to a UTF-8 text file, cut by :func:`split_text`.
    ``train_chars`` keeps the first characters of the training text, ``eval_chars`` those of the
    validation and test texts (None: all)."""
    positive_int("train_chars", train_chars, allow_none=True)
    positive_int("eval_chars", eval_chars, allow_none=True)
    if isinstance(source, str) and source in CAPSTONE_CORPORA:
        texts, label = _corpus_text(source, cache_dir), source
    else:
        path = Path(source).expanduser()
        if not path.is_file():
            raise ValueError(f"text={str(source)!r} is neither a corpus ({', '.join(CAPSTONE_CORPORA)}) nor a file "
                             f"that exists (looked for {path.resolve()}); give a corpus name or the path to a .txt file")
        try:
            raw = path.read_text(encoding="utf-8")
        except UnicodeDecodeError as err:
            raise ValueError(f"{path} is not UTF-8 text ({err.reason} at byte {err.start}); save it as UTF-8, "
                             "or open it with the right encoding and write it back") from None
        texts, label = split_text(raw.replace("\r\n", "\n").replace("\r", "\n")), path.name
    train, validation, test = texts
    train, validation, test = train[:train_chars], validation[:eval_chars], test[:eval_chars]
    empty = [split for split, t in zip(SPLITS, (train, validation, test)) if not t]
    if empty:
        raise ValueError(f"{label}: the {' and '.join(empty)} text is empty; use a longer text (a few hundred "
                         "thousand characters train a model in minutes)")
    return CapstoneText(train, validation, test, label)


def results_table(rows: Mapping[str, Mapping[str, Any]], baseline: str) -> Any:
    """The results table: a pandas DataFrame with one row per model, in the order given. Each of
    ``rows`` maps a model's name to at least ``{"validation perplexity": float}`` (other
    columns, such as parameters or training seconds, are kept as they are). Added columns:
    ``bits/char`` (log2 of the perplexity), ``vs baseline`` (its perplexity over the row
    ``baseline``'s: below 1 is better) and ``beats baseline`` (below the baseline's)."""
    import pandas as pd

    if not rows:
        raise ValueError("rows is empty: give one row per model, e.g. {'GRU': {'validation perplexity': 6.2}}")
    if baseline not in rows:
        raise ValueError(f"baseline {baseline!r} is not a row; the rows are {', '.join(rows)}")
    table = pd.DataFrame({name: dict(row) for name, row in rows.items()}).T
    if "validation perplexity" not in table.columns or table["validation perplexity"].isna().any():
        missing = [name for name, row in rows.items() if "validation perplexity" not in row]
        raise ValueError(f"every row needs a 'validation perplexity'; missing in {missing}")
    ppl = table["validation perplexity"].astype(float)
    if not (ppl.map(math.isfinite) & (ppl >= 1)).all():
        bad = {name: value for name, value in ppl.items() if not (math.isfinite(value) and value >= 1)}
        raise ValueError(f"a perplexity is a finite number >= 1 (exp of a cross-entropy in nats), got {bad}")
    table["validation perplexity"] = ppl
    table["bits/char"] = ppl.map(math.log2)
    table["vs baseline"] = ppl / ppl[baseline]
    table["beats baseline"] = ppl < ppl[baseline]
    table.index.name = "model"
    return table
