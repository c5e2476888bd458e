"""The reference translators' data, evaluation and loading, as their sidecars' settings describe them.

``settings`` is a sidecar's ``"settings"`` (a mapping with ``source``, ``max_words``,
``name_copies``, ``vocatives``, ``seed``; a fine-tuned translator's also has ``base``).
Building a :class:`~course_utils.seq2seq.translator.Translator` imports Keras, so that import
sits inside :func:`load_translator`; the rest of this module is cheap to import.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from ..data import load_names, load_translation, normalise
from ..seq2seq.evaluation import evaluate_translations, unknown_rate
from ..seq2seq.names import PassThroughNames, add_vocatives, name_copy_rate, source_words, substitute_names
from .catalog import TRANSLATORS, paths, sidecar
from .store import load_weights

__all__ = ["DEMO_NAMES", "evaluate_translator", "known_words", "load_translator", "sealed_table", "translator_data",
           "translator_eval_data", "tuned_data"]

DEMO_NAMES = ("john",)  # kept out of the augmentation, so that "My name is John." is a name never trained on


def translator_data(settings: Mapping[str, Any], eval_names: list[str] | None = None) -> dict[str, Any]:
    """The reference translator's pairs: the training split of ``settings["source"]`` without any
    pair whose English or German side (normalised) is a sentence of the auf-deutsch validation or
    test split; name substitution and vocatives on top, with first names from the ``names``
    training split (never the evaluation names); auf-deutsch's validation and test splits; and
    ``eval_names``, the unseen names to test copying on: by default 40 from the ``names`` test
    split that occur nowhere in the pairs; and ``known_words``, the lower-cased English words of
    the training pairs (what ``PassThroughNames`` leaves to the model)."""
    small = load_translation("auf-deutsch", max_words=settings["max_words"])
    big = load_translation(settings["source"], max_words=settings["max_words"])
    held_out = {normalise(s) for split in (small.validation, small.test) for pair in split for s in pair}
    train = [p for p in big.train if normalise(p[0]) not in held_out and normalise(p[1]) not in held_out]
    names = load_names()
    replacements = [n.capitalize() for n in names.train if n not in DEMO_NAMES]
    known = set(names.train) | set(names.validation) | set(names.test)
    extra = substitute_names(train, known, replacements, copies=settings["name_copies"], seed=settings["seed"])
    extra += add_vocatives(train, replacements, settings["vocatives"], seed=settings["seed"])
    if eval_names is None:
        corpus_words = {w.lower() for pair in big.train + small.validation + small.test for s in pair
                        for w in re.findall(r"\w+", s)}
        eval_names = [n.capitalize() for n in names.test if n not in corpus_words and n.isalpha()][:40]
    return {"train": train + extra, "validation": small.validation, "test": small.test,
            "counts": {"source_train": len(big.train), "dropped_held_out": len(big.train) - len(train),
                       "name_substitutions": settings["name_copies"], "augmented": len(extra),
                       "train": len(train) + len(extra), "validation": len(small.validation), "test": len(small.test)},
            "eval_names": eval_names, "known_words": source_words(train + extra)}


def tuned_data(settings: Mapping[str, Any], base: dict[str, Any] | None = None) -> dict[str, Any]:
    """A fine-tuned translator's pairs: auf-deutsch's training split with its own name examples,
    and the base model's validation, test and unseen names (so that their figures compare).
    ``base``: the base's sidecar, when the caller has read it already."""
    base = base if base is not None else sidecar(settings["base"])
    data = translator_data(settings, eval_names=base["eval_names"])
    data["known_words"] |= translator_data(base["settings"], eval_names=base["eval_names"])["known_words"]
    return data


def translator_eval_data(meta: dict[str, Any]) -> dict[str, Any]:
    """The data that the translator with sidecar ``meta`` was trained and is evaluated on."""
    settings = meta["settings"]
    return tuned_data(settings) if "base" in settings else translator_data(settings)


def evaluate_translator(model: Any, data: dict[str, Any]) -> dict[str, Any]:
    """Test BLEU/chrF/exact match (greedy and beam 5), the unknown-token rate, and the name-copy
    rate, of the model alone and with unseen names passed through (``PassThroughNames``)."""
    test_en, test_de = [e for e, _ in data["test"]], [d for _, d in data["test"]]
    out: dict[str, Any] = {}
    for label, kwargs in [("greedy", {}), ("beam5", {"method": "beam", "beam_width": 5})]:
        scores = evaluate_translations(model.translate(test_en, **kwargs), test_de)
        out.update({f"{label}_{k}": round(v, 2) for k, v in scores.items()})
    out["unknown_rate"] = round(unknown_rate(model, test_en), 4)
    copies = name_copy_rate(model, data["eval_names"])
    out["name_copy_rate"] = round(float(copies["copied"].mean()), 4)
    out["name_copy_by_pattern"] = {k: round(float(v), 4) for k, v in copies.groupby("pattern")["copied"].mean().items()}
    passing = PassThroughNames(model, data["known_words"])
    out["pass_through_name_copy_rate"] = round(float(name_copy_rate(passing, data["eval_names"])["copied"].mean()), 4)
    out["pass_through_greedy_bleu"] = round(evaluate_translations(passing.translate(test_en), test_de)["bleu"], 2)
    return out


def load_translator(meta: dict[str, Any], weights: Path) -> Any:
    """The Translator that sidecar ``meta`` describes, with the weights from the file ``weights``."""
    from ..seq2seq.translator import Translator

    model = Translator.from_config(meta["config"])
    load_weights(model, weights, fix=f"retrain it: {meta['command']}")
    return model


def known_words(name: str) -> set[str]:
    """The lower-cased English words that translator reference ``name`` was trained on (a
    fine-tuned one: its base's too), for ``PassThroughNames(load(name), known_words(name))``."""
    paths(name)  # an unknown name raises, listing the choices
    if name not in TRANSLATORS:
        raise ValueError(f"{name} is not a translator; choose one of {', '.join(TRANSLATORS)}")
    return translator_eval_data(sidecar(name))["known_words"]


def sealed_table() -> Any:
    """The released translators' BLEU (greedy and beam 5) on three sets, from their sidecars, as a
    DataFrame with one row per translator and two columns per set: the development test
    ("dev test": auf-deutsch's test split, read while recipes were chosen), Ding's validation pairs,
    and the sealed test (Ding's test pairs, read once: ``python -m course_kit.reference --sealed``).
    A translator not yet evaluated on the sealed test raises, naming that command."""
    import pandas as pd

    rows = []
    for name in TRANSLATORS:
        meta = sidecar(name)
        if "sealed_test" not in meta:
            raise ValueError(f"{name} has no sealed-test figures yet: python -m course_kit.reference --sealed {name}")
        dev, val, sealed = meta["test"], meta["ding_validation"], meta["sealed_test"]
        rows.append({"model": name, "dev test": dev["greedy_bleu"], "dev test, beam 5": dev["beam5_bleu"],
                     "Ding validation": val["greedy_bleu"], "Ding validation, beam 5": val["beam5_bleu"],
                     "sealed test": sealed["greedy_bleu"], "sealed test, beam 5": sealed["beam5_bleu"]})
    return pd.DataFrame(rows).set_index("model")
