"""Training the reference translators: the two bases (subwords, words) and their fine-tuned versions.

This module imports Keras at the top (its callback is a class here); :mod:`.registry` imports
it only when a translator is trained, so ``--list`` stays quick.
"""

from __future__ import annotations

import time
from typing import Any

import keras

from course_utils.references import load, sidecar
from course_utils.references.translators import translator_data, tuned_data
from course_utils.seed import set_seed
from course_utils.seq2seq.translator import Translator, train_translator
from course_utils.training import FitOutcome, fit_timed

from ..machine import describe_machine
from .recipes import TranslatorRecipe, TunedRecipe

__all__ = ["TRANSLATOR_WHAT", "EpochCurve", "train_translator_reference", "train_tuned_translator"]

TRANSLATOR_WHAT = {
    "translator": "EN->DE translator: bidirectional GRU encoder, GRU decoder with Luong attention, joint "
                  "SentencePiece subwords; trained on the auf-deutsch and Ding sentence pairs",
    "translator_words": "EN->DE translator, word-level twin of 'translator': the same data, model, epochs and "
                        "seed, with word vocabularies (2,000 per side) instead of subwords",
    "translator_tuned": "'translator' fine-tuned on auf-deutsch's training split (domain adaptation): the "
                        "same model and subwords, trained on from the stored weights",
    "translator_words_tuned": "'translator_words' fine-tuned on auf-deutsch's training split (domain "
                              "adaptation): the same model and words, trained on from the stored weights",
}
BASE_SPLIT = ("train: the 'all' corpus's training split minus every pair sharing a sentence with auf-deutsch "
              "validation or test, plus name substitution and vocatives (names from the names corpus's "
              "training split); epochs chosen on auf-deutsch validation BLEU; test: auf-deutsch test")


class EpochCurve(keras.callbacks.Callback):
    """Appends one learning-curve point to ``curve`` after each epoch: seconds since ``start``
    (a ``time.perf_counter()``) plus ``start_seconds``, and tokens read plus ``start_tokens``
    (the base's, for a fine-tuning), with the loss, validation loss and validation BLEU."""

    def __init__(self, curve: list[dict[str, float]], tokens_per_epoch: int, start: float,
                 start_seconds: float = 0.0, start_tokens: int = 0) -> None:
        super().__init__()
        self.curve, self.tokens_per_epoch, self.start = curve, tokens_per_epoch, start
        self.start_seconds, self.start_tokens = start_seconds, start_tokens

    def on_epoch_end(self, epoch: int, logs: dict[str, Any] | None = None) -> None:
        logs = logs or {}
        self.curve.append({"epoch": epoch + 1,
                           "seconds": round(self.start_seconds + time.perf_counter() - self.start, 1),
                           "tokens": self.start_tokens + self.tokens_per_epoch * (epoch + 1),
                           "loss": round(float(logs.get("loss", float("nan"))), 4),
                           "val_loss": round(float(logs.get("val_loss", float("nan"))), 4),
                           "val_bleu": round(float(logs.get("val_bleu", float("nan"))), 2)})
        print(f"  epoch {epoch + 1}: {self.curve[-1]}", flush=True)


def _token_count(model: Any, pairs: list[tuple[str, str]]) -> int:
    tok = model.tokenizers()[1][0]
    return sum(len(tok(de)) + 1 for _, de in pairs)  # + [END]


def _fit_translator(model: Any, data: dict[str, Any], recipe: TranslatorRecipe | TunedRecipe,
                    start_seconds: float = 0.0, start_tokens: int = 0) -> tuple[list[dict[str, float]], float]:
    """Train ``model`` on ``data["train"]``, choosing the epoch by validation BLEU; returns the
    learning curve (one point per epoch, seconds and tokens counted on from ``start_*``) and
    the training seconds. The caller seeds."""
    import tensorflow as tf

    # Bit-reproducible on one machine: two-epoch trainings in fresh processes gave identical weights
    # with and without this, at no measured cost (results/probes/determinism.json). It does not make
    # two CPUs agree: their kernels round differently. It stays on for the rest of the process.
    tf.config.experimental.enable_op_determinism()
    tokens_per_epoch = _token_count(model, data["train"])
    curve: list[dict[str, float]] = []
    start = time.perf_counter()

    def fit(model_: Any, ds: Any, epochs: int, **kwargs: Any) -> FitOutcome:
        # BestValidationBleu (keep_best_bleu) writes val_bleu into the logs first, then EpochCurve reads it
        kwargs["callbacks"] = list(kwargs.get("callbacks", [])) + [
            EpochCurve(curve, tokens_per_epoch, start, start_seconds, start_tokens)]
        return fit_timed(model_, ds, epochs, **kwargs)

    train_translator(model, data["train"], data["validation"], epochs=recipe.epochs,
                     batch_size=recipe.batch_size, learning_rate=recipe.learning_rate,
                     seed=recipe.seed, keep_best_bleu=True, fit=fit)
    return curve, time.perf_counter() - start


def train_translator_reference(recipe: TranslatorRecipe, name: str) -> tuple[Any, dict[str, Any]]:
    """Train the reference translator ``name`` ("translator": subwords; "translator_words": its
    word-level twin) with ``recipe``; returns the model and its sidecar (without the file checksum)."""
    settings = recipe.as_dict()
    data = translator_data(settings)
    set_seed(recipe.seed)
    model = Translator.from_pairs(data["train"], subword_vocab_size=recipe.subword_vocab_size,
                                  max_vocab=5000 if recipe.max_vocab is None else recipe.max_vocab,
                                  **settings["model"])
    curve, seconds = _fit_translator(model, data, recipe)
    return model, _translator_sidecar(name, model, settings, data, BASE_SPLIT, curve, seconds)


def train_tuned_translator(recipe: TunedRecipe, name: str) -> tuple[Any, dict[str, Any]]:
    """Fine-tune the stored reference translator ``recipe.base`` on auf-deutsch's training split;
    returns the model and its sidecar. Its training time is the base's plus the fine-tuning's,
    and its curve continues the base's."""
    settings = recipe.as_dict()
    base = sidecar(recipe.base)
    model = load(recipe.base)
    data = tuned_data(settings, base)
    last = base["curve"][-1]
    set_seed(recipe.seed)
    curve, seconds = _fit_translator(model, data, recipe, base["train_seconds"], last["tokens"])
    split = (f"starts from the stored '{recipe.base}' ({base['split']}); then fine-tuned on the auf-deutsch "
             "training split with its own name substitutions and vocatives; epoch chosen on auf-deutsch "
             "validation BLEU; test: auf-deutsch test")
    return model, _translator_sidecar(name, model, settings, data, split, curve, seconds, base)


def _translator_sidecar(name: str, model: Any, settings: dict[str, Any], data: dict[str, Any], split: str,
                        curve: list[dict[str, float]], seconds: float,
                        base: dict[str, Any] | None = None) -> dict[str, Any]:
    """The sidecar (without the file checksum) of a translator that :func:`_fit_translator` trained
    for ``seconds`` with learning ``curve``; ``base``: the sidecar of the model it was fine-tuned from,
    whose training time and curve it then includes."""
    best = max(curve, key=lambda r: r["val_bleu"])
    meta: dict[str, Any] = {
        "name": name, "kind": "Translator", "what": TRANSLATOR_WHAT[name],
        "command": f"python -m course_kit.reference {name}", "settings": settings, "config": model.get_config(),
        "data": data["counts"], "split": split, "eval_names": data["eval_names"], "machine": describe_machine()}
    if base is None:
        meta.update({"train_seconds": round(seconds, 1), "best_epoch": best["epoch"], "curve": curve})
    else:
        meta.update({"base_train_seconds": base["train_seconds"], "tune_seconds": round(seconds, 1),
                     "train_seconds": round(base["train_seconds"] + seconds, 1),
                     "best_epoch": best["epoch"],  # counted within the fine-tuning
                     "curve": [{**point, "stage": "base"} for point in base["curve"]]
                     + [{**point, "stage": "fine-tune"} for point in curve]})
    meta["made_on"] = time.strftime("%Y-%m-%d")
    return meta
