"""What each reference model's name trains, and how a trained model is stored or re-tested.

The registry holds one small frozen :class:`Reference` per name, in the library's order
(:data:`course_utils.references.NAMES`). Training modules (which import Keras) are imported
only inside :func:`train`, so that listing the models stays quick.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any

from course_utils.references import CHAR_TIERS, NAMES, sidecar
from course_utils.references.catalog import MAX_BYTES, REFERENCE_DIR, STORE_DTYPE, paths
from course_utils.references.loading import evaluate, evaluation_data, evaluator, load_stored
from course_utils.references.store import stamp_weights, write_sidecar

from ..env import versions
from ..machine import describe_machine
from .recipes import CharRecipe, TranslatorRecipe, TunedRecipe, recipe
from .selection import selection_history

__all__ = ["GPU_ONLY", "REFERENCES", "Reference", "retest", "store", "train"]

GPU_ONLY = (*CHAR_TIERS["gpu"], *CHAR_TIERS["gpu_short"])


@dataclass(frozen=True)
class Reference:
    """One reference model: its ``name``, its ``recipe``, and whether it trains only on a GPU
    (in two steps, ``--export`` there and ``--finish`` here)."""

    name: str
    recipe: TranslatorRecipe | TunedRecipe | CharRecipe
    gpu_only: bool = False

    @property
    def is_char(self) -> bool:
        return isinstance(self.recipe, CharRecipe)


REFERENCES: dict[str, Reference] = {name: Reference(name, recipe(name), name in GPU_ONLY) for name in NAMES}


def _needs_gpu(name: str) -> ValueError:
    return ValueError(f"{name} is trained on a GPU with Keras on JAX, in two steps: on the GPU machine "
                      f"`KERAS_BACKEND=jax python -m course_kit.reference --export DIR {name}`, then here "
                      f"`python -m course_kit.reference --finish DIR {name}`")


def _train_model(entry: Reference) -> tuple[Any, dict[str, Any]]:
    """Train ``entry``'s model; returns it and its sidecar so far."""
    if entry.gpu_only:
        raise _needs_gpu(entry.name)
    if isinstance(entry.recipe, CharRecipe):
        from .characters import train_char_reference

        return train_char_reference(entry.name, entry.recipe)
    from .translators import train_translator_reference, train_tuned_translator

    if isinstance(entry.recipe, TunedRecipe):
        return train_tuned_translator(entry.recipe, entry.name)
    return train_translator_reference(entry.recipe, entry.name)


def train(name: str) -> dict[str, Any]:
    """Train reference model ``name``, store its weights and sidecar, evaluate the *stored* weights."""
    paths(name)
    return store(name, *_train_model(REFERENCES[name]))


def store(name: str, model: Any, meta: dict[str, Any]) -> dict[str, Any]:
    """Store ``model``'s weights (float16) and sidecar, with the test figures of the *stored* weights."""
    weights, meta_path = paths(name)
    REFERENCE_DIR.mkdir(parents=True, exist_ok=True)
    meta.update(stamp_weights(model, weights, STORE_DTYPE, MAX_BYTES))
    meta.setdefault("versions", versions())  # an exported model keeps the versions that trained it
    meta["selection"] = selection_history(name)  # which split each choice was judged on
    meta["test"] = evaluator(meta)(load_stored(meta, weights), evaluation_data(meta))  # the stored (float16) weights
    write_sidecar(meta_path, meta)
    return meta


def retest(name: str, why: str) -> dict[str, Any]:
    """Evaluate the stored weights of ``name`` again, with today's code, and write the figures into
    its sidecar's ``test``, noting the date, the machine and ``why`` under ``retested``. For a
    change in how a model is *used* (decoding, say), not in the model: the weights stay as trained."""
    if not why.strip():
        raise ValueError("say why the figures change, e.g. python -m course_kit.reference translator_words "
                         "--retest '[UNK] replacement copies unknown words'")
    _, meta_path = paths(name)
    meta = sidecar(name)
    before = meta["test"]
    meta["test"] = evaluate(name)
    meta.setdefault("retested", []).append({"date": time.strftime("%Y-%m-%d"), "machine": describe_machine(),
                                            "why": why, "changed": {k: [before.get(k), v] for k, v in meta["test"].items()
                                                                    if before.get(k) != v}})
    write_sidecar(meta_path, meta)
    return meta
