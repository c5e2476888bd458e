"""The reference models' recipes: frozen dataclasses, one per kind of reference model.

A sidecar stores a recipe as ``recipe.as_dict()``, the settings dict it has always stored
(``tests/test_reference.py`` checks every recipe against its stored sidecar). The library
(:mod:`course_utils.references`) reads those dicts; only training here uses the dataclasses.
Why each setting is what it is now is said beside it; the probes behind the choices are in
``docs/HISTORY.md`` ("Reference recipes").
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from typing import Any

from course_utils.references import CHAR_KINDS, CHAR_TIERS, TRANSLATORS

__all__ = ["CHAR", "CHAR_GPU", "CHAR_GPU_SHORT", "CHAR_LEARNING_RATES", "CharRecipe", "TRANSLATOR",
           "TRANSLATOR_WORDS", "TUNED", "TranslatorModel", "TranslatorRecipe", "TunedRecipe", "char_recipe",
           "recipe"]


@dataclass(frozen=True)
class TranslatorModel:
    """The model half of a translator recipe: the keyword arguments of ``Translator.from_pairs``."""

    attention: str = "luong"
    embed_dim: int = 128
    units: int = 256
    dropout: float = 0.2
    bidirectional: bool = True
    max_source_len: int = 40
    max_target_len: int = 40
    source_tokenizer: str = "subwords"
    target_tokenizer: str = "subwords"
    lowercase_source: bool = False  # case is kept, so that [UNK] replacement copies "Ada" as "Ada"


@dataclass(frozen=True)
class TranslatorRecipe:
    """A base reference translator: its data (``source``, sentences of at most ``max_words``,
    name substitutions and vocatives), its model, and its training. ``max_vocab``: the word
    vocabulary per side (``None``: the Translator's default; subwords ignore it)."""

    source: str = "all"
    max_words: int = 10
    # 30 epochs: at 12 the bases were still improving; the epoch is chosen by validation BLEU
    epochs: int = 30
    batch_size: int = 64
    learning_rate: float = 3e-3
    seed: int = 1234
    model: TranslatorModel = field(default_factory=TranslatorModel)
    subword_vocab_size: int = 2000
    name_copies: int = 20
    vocatives: int = 3000
    max_vocab: int | None = None

    def as_dict(self) -> dict[str, Any]:
        """The settings as a sidecar stores them (no ``max_vocab`` where it is the default)."""
        out = dataclasses.asdict(self)
        if self.max_vocab is None:
            del out["max_vocab"]
        return out


@dataclass(frozen=True)
class TunedRecipe:
    """A base translator fine-tuned on auf-deutsch's training split (domain adaptation): the test
    split is auf-deutsch's everyday sentences, but seven in eight of a base's training pairs are
    Ding's dictionary examples. It continues from the stored ``base`` at a third of the base's
    learning rate, with name examples made from auf-deutsch itself (so that name copying is not
    unlearnt), keeping the epoch with the best validation BLEU."""

    base: str
    source: str = "auf-deutsch"
    max_words: int = 10
    epochs: int = 20  # 10 were too few; 20 reach a plateau that longer runs did not beat
    batch_size: int = 64
    learning_rate: float = 1e-3
    seed: int = 1234
    # many name examples: they help copying, and each vocative adds in-domain text as well
    name_copies: int = 100
    vocatives: int = 3000

    def as_dict(self) -> dict[str, Any]:
        """The settings as a sidecar stores them."""
        return dataclasses.asdict(self)


@dataclass(frozen=True)
class CharRecipe:
    """A Shakespeare character model trained for ``minutes`` of training time (evaluation pauses
    the clock), the learning rate decaying with a cosine from ``learning_rate`` to
    ``final_lr_fraction`` of it; the curve is measured at ``checkpoints_s`` seconds of training
    on the first ``curve_chars`` characters of the validation and test splits.
    ``clock_after_first_step``: start the clock after the first step, which compiles the model
    (the GPU tier, on JAX)."""

    units: int = 512
    embed_dim: int = 64
    seq_len: int = 100
    batch_size: int = 128
    learning_rate: float = 2e-3
    final_lr_fraction: float = 0.1
    clipnorm: float = 1.0
    minutes: float = 15.0
    seed: int = 1234
    eval_streams: int = 32
    curve_chars: int = 100_000
    checkpoints_s: tuple[float, ...] = (15, 30, 60, 90, 120, 180, 240, 300, 420, 540, 660, 780, 900)
    clock_after_first_step: bool = False

    def as_dict(self) -> dict[str, Any]:
        """The settings as a sidecar stores them (``checkpoints_s`` as a list; no
        ``clock_after_first_step`` where it is off)."""
        out = dataclasses.asdict(self)
        out["checkpoints_s"] = list(self.checkpoints_s)
        if not self.clock_after_first_step:
            del out["clock_after_first_step"]
        return out


TRANSLATOR = TranslatorRecipe()
# The word-level twin: the same data, model, epochs and seed, and vocabularies of the same size
# (2,000 words per side against 2,000 joint SentencePiece pieces), so about the same number of
# parameters; only the tokens differ.
TRANSLATOR_WORDS = dataclasses.replace(
    TRANSLATOR, model=dataclasses.replace(TRANSLATOR.model, source_tokenizer="words", target_tokenizer="words"),
    max_vocab=2000)
TUNED: dict[str, TunedRecipe] = {"translator_tuned": TunedRecipe(base="translator"),
                                 "translator_words_tuned": TunedRecipe(base="translator_words")}

CHAR = CharRecipe()
# The LSTM starts at twice the others' rate: in 3-minute probes on 2 cores it gained clearly from
# 4e-3, while the SimpleRNN and the GRU did worse there than at 2e-3.
CHAR_LEARNING_RATES: dict[str, float] = {"LSTM": 4e-3}
# The GPU tier: the same models and settings, on one GPU with Keras on JAX, for 1.5 minutes;
# the clock starts after the first step, which compiles the model.
CHAR_GPU = {"minutes": 1.5, "checkpoints_s": (5, 10, 15, 20, 30, 45, 60, 75, 90), "clock_after_first_step": True}
# The short GPU tier: 30 s, where the 1.5-minute LSTM and GRU reached their lowest validation
# perplexity before they began to overfit.
CHAR_GPU_SHORT = {**CHAR_GPU, "minutes": 0.5, "checkpoints_s": (2.5, 5, 7.5, 10, 15, 20, 25, 30)}
_CHAR_CHANGES: dict[str, dict[str, Any]] = {
    **{name: CHAR_GPU for name in CHAR_TIERS["gpu"]},
    **{name: CHAR_GPU_SHORT for name in CHAR_TIERS["gpu_short"]},
    "shakespeare_lstm_256": {"units": 256},
}


def char_recipe(name: str) -> CharRecipe:
    """The recipe of Shakespeare reference model ``name``: :data:`CHAR` with its layer's starting
    learning rate and its tier's budget and checkpoints (or its own units)."""
    if name not in CHAR_KINDS:
        raise ValueError(f"unknown Shakespeare reference model {name!r}; choose from {', '.join(CHAR_KINDS)}")
    rate = CHAR_LEARNING_RATES.get(CHAR_KINDS[name], CHAR.learning_rate)
    return dataclasses.replace(CHAR, **_CHAR_CHANGES.get(name, {}), learning_rate=rate)


def recipe(name: str) -> TranslatorRecipe | TunedRecipe | CharRecipe:
    """The recipe of reference model ``name`` (any kind)."""
    if name in TUNED:
        return TUNED[name]
    if name in TRANSLATORS:
        return {"translator": TRANSLATOR, "translator_words": TRANSLATOR_WORDS}[name]
    return char_recipe(name)
