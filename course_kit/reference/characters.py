"""Training the Shakespeare reference character models, on any Keras backend, and the GPU tier's
two steps: :func:`export_char_reference` (train on a GPU with Keras on JAX, write the weights at
every curve point) and :func:`finish_char_reference` (evaluate them on a CPU with TensorFlow).

This module imports Keras at the top (its callback is a class here); :mod:`.registry` imports
it only when a character model is trained, so ``--list`` stays quick.
"""

from __future__ import annotations

import dataclasses
import importlib
import json
import math
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import keras
import numpy as np

from course_utils.references import CHAR_KINDS
from course_utils.references.catalog import STORE_DTYPE
from course_utils.references.characters import build_char_model, char_data, point_figures, validation_figures
from course_utils.rnn.char_lm import char_lm_dataset, windows
from course_utils.seed import set_seed

from ..env import versions
from ..machine import describe_machine
from .recipes import CharRecipe, char_recipe

__all__ = ["SNAPSHOT_FILE_BYTES", "Budget", "export_char_reference", "finish_char_reference", "train_char_reference"]

SNAPSHOT_FILE_BYTES = 15 * 10**6  # each file that comes back from a lent GPU machine must stay under 16 MiB


class Budget(keras.callbacks.Callback):
    """Stops training after ``recipe.minutes`` of training time and measures the learning curve at
    ``checkpoints`` (seconds; the last is the budget): measuring pauses the clock. The learning
    rate decays with a cosine from ``recipe.learning_rate`` to ``final_lr_fraction`` of it over
    the budget. At each checkpoint it appends a point to ``curve``: evaluated now on ``data``'s
    slices, or, with ``snapshots`` (a list; a backend without TensorFlow), with the float16
    weights appended there for :func:`finish_char_reference` to evaluate."""

    def __init__(self, name: str, recipe: CharRecipe, data: dict[str, Any], curve: list[dict[str, Any]],
                 snapshots: list[list[Any]] | None = None) -> None:
        super().__init__()
        self.name, self.recipe, self.data, self.curve, self.snapshots = name, recipe, data, curve, snapshots
        self.budget = 60.0 * recipe.minutes
        self.checkpoints = [c for c in recipe.checkpoints_s if c < self.budget] + [self.budget]
        self.chars_per_step = recipe.batch_size * recipe.seq_len
        self.steps, self.paused, self.start, self.rate = 0, 0.0, time.perf_counter(), 0.0

    def elapsed(self) -> float:
        return time.perf_counter() - self.start - self.paused

    def sync(self) -> None:
        """On JAX the trainer holds the variables between steps: write them back to the
        model, so that the weights can be read or the learning rate set (elsewhere: nothing)."""
        sync = getattr(self.model, "jax_state_sync", None)
        if sync is not None:
            sync()

    def on_train_batch_begin(self, batch: int, logs: dict[str, Any] | None = None) -> None:
        frac = min(self.elapsed() / self.budget, 1.0)
        low = self.recipe.final_lr_fraction
        rate = self.recipe.learning_rate * (low + (1 - low) * 0.5 * (1 + math.cos(math.pi * frac)))
        if hasattr(self.model, "jax_state_sync"):
            if self.rate and abs(rate - self.rate) < 0.005 * self.rate:
                return  # on JAX each change costs a sync of every variable: change it in steps of 0.5%
            self.sync()
        self.rate = rate
        self.model.optimizer.learning_rate = rate

    def on_train_batch_end(self, batch: int, logs: dict[str, Any] | None = None) -> None:
        self.steps += 1
        if self.steps == 1 and self.recipe.clock_after_first_step:
            self.start, self.paused = time.perf_counter(), 0.0  # the first step compiled the model
        if self.elapsed() < self.checkpoints[len(self.curve)]:
            return
        loss = float((logs or {}).get("loss", float("nan")))  # waits for the step (JAX runs ahead of Python)
        seconds, pause = self.elapsed(), time.perf_counter()
        self.sync()
        self.curve.append(self._point(seconds, loss))
        print(f"  {self.name}: {self.curve[-1]}", flush=True)
        self.paused += time.perf_counter() - pause
        if len(self.curve) == len(self.checkpoints):
            self.model.stop_training = True

    def _point(self, seconds: float, loss: float) -> dict[str, Any]:
        point: dict[str, Any] = {"seconds": round(seconds, 1), "tokens": self.steps * self.chars_per_step,
                                 "loss": round(loss, 4)}
        if self.snapshots is None:
            point.update(point_figures(self.model, self.data))
        else:
            self.snapshots.append([w.astype(STORE_DTYPE) for w in self.model.get_weights()])
        point["learning_rate"] = float(keras.ops.convert_to_numpy(self.model.optimizer.learning_rate))
        return point


def _shuffled_batches(ids: np.ndarray, recipe: CharRecipe) -> Iterator[tuple[np.ndarray, np.ndarray]]:
    """Endless (inputs, targets) batches, each (batch_size, seq_len) int, of the windows of ``ids``
    in a new random order every pass: the training data on a Keras backend without TensorFlow,
    where ``char_lm_dataset`` (tf.data) is not available."""
    x, y = windows(ids, recipe.seq_len)   # (n, seq_len) each
    rng, size = np.random.default_rng(recipe.seed), recipe.batch_size
    while True:
        order = rng.permutation(len(x))
        for i in range(0, len(x) - size + 1, size):
            yield x[order[i: i + size]], y[order[i: i + size]]


def _training_data(ids: np.ndarray, recipe: CharRecipe) -> Any:
    """Shuffled windows of ``ids``, repeated: tf.data on TensorFlow, a NumPy generator elsewhere."""
    if keras.backend.backend() == "tensorflow":
        return char_lm_dataset(ids, seq_len=recipe.seq_len, batch_size=recipe.batch_size, seed=recipe.seed).repeat()
    return _shuffled_batches(ids, recipe)


def _char_sidecar(name: str, recipe: CharRecipe, data: dict[str, Any], curve: list[dict[str, Any]],
                  budget: Budget) -> dict[str, Any]:
    """The sidecar (without the stored file's record and the test figures) of a trained model."""
    kind = CHAR_KINDS[name]
    return {"name": name, "kind": kind,
            "what": f"Shakespeare character model: Embedding({recipe.embed_dim}) -> {kind}({recipe.units}) -> Dense",
            "command": f"python -m course_kit.reference {name}", "settings": recipe.as_dict(),
            "config": {"kind": kind, "vocab_chars": "".join(data["vocab"].chars)},
            "data": {**data["counts"], "corpus": "shakespeare", "sha256": data["sha256"]},
            "split": "train: the whole training split (shuffled windows of seq_len, repeated); curve: the first "
                     f"{recipe.curve_chars:,} characters of the validation and test splits; final figures: the whole "
                     "splits; every evaluation carries the state across windows (evaluate_char_lm_stateful)",
            "machine": describe_machine(), "train_seconds": curve[-1]["seconds"],
            "train_tokens": budget.steps * budget.chars_per_step,
            "epochs": round(budget.steps * budget.chars_per_step / len(data["train"]), 2),
            "curve": curve, "made_on": time.strftime("%Y-%m-%d")}


def train_char_reference(name: str, recipe: CharRecipe | None = None,
                         snapshots: list[list[Any]] | None = None) -> tuple[Any, dict[str, Any]]:
    """Train one Shakespeare character model as ``recipe`` says (default ``char_recipe(name)``;
    see :class:`Budget`); returns the model and its sidecar.

    It runs on any Keras backend. Without TensorFlow (``KERAS_BACKEND=jax``, for the GPU tier)
    the curve cannot be evaluated here: pass a list as ``snapshots``, and each measurement
    appends the weights (float16) to it instead; :func:`finish_char_reference` evaluates them."""
    recipe = char_recipe(name) if recipe is None else recipe
    settings = recipe.as_dict()
    data = char_data(settings)
    set_seed(recipe.seed)
    model = build_char_model(CHAR_KINDS[name], data["vocab"].size, settings)
    curve: list[dict[str, Any]] = []
    budget = Budget(name, recipe, data, curve, snapshots)
    model.fit(_training_data(data["train"], recipe), epochs=1, steps_per_epoch=10**9, verbose=0, shuffle=False,
              callbacks=[budget])
    meta = _char_sidecar(name, recipe, data, curve, budget)
    if snapshots is None:
        meta["validation"] = validation_figures(model, data, "float32, before storing")
    return model, meta


def _version_of(module: str) -> str:
    return str(getattr(importlib.import_module(module), "__version__", "unknown"))


def scaled_recipe(recipe: CharRecipe, minutes: float) -> CharRecipe:
    """``recipe`` with another budget, its checkpoints scaled with it (a quick trial; not for storing)."""
    scale = minutes / recipe.minutes
    return dataclasses.replace(recipe, minutes=minutes, checkpoints_s=tuple(round(c * scale, 1)
                                                                            for c in recipe.checkpoints_s))


def export_char_reference(name: str, folder: Path, recipe: CharRecipe | None = None) -> list[Path]:
    """Train ``name`` on this machine's Keras backend and write, to ``folder``, the sidecar so far
    and the float16 weights at every curve point, as ``<name>.partN.npz`` files of at most 15 MB
    (NumPy arrays and one JSON string: no pickle). :func:`finish_char_reference` evaluates them on
    a CPU with TensorFlow. This is how the GPU tier is trained (``KERAS_BACKEND=jax``)."""
    snapshots: list[list[Any]] = []
    model, meta = train_char_reference(name, recipe, snapshots=snapshots)
    backend = keras.backend.backend()
    meta.update({"versions": {**versions(), backend: _version_of(backend)}, "parameters": int(model.count_params()),
                 "command": f"KERAS_BACKEND=jax python -m course_kit.reference --export DIR {name} (on a GPU), "
                            f"then python -m course_kit.reference --finish DIR {name} (evaluates on a CPU)"})
    folder.mkdir(parents=True, exist_ok=True)
    files: list[dict[str, Any]] = [{"meta": np.array(json.dumps(meta))}]
    for k, weights in enumerate(snapshots):
        if sum(a.nbytes for a in files[-1].values()) + sum(w.nbytes for w in weights) > SNAPSHOT_FILE_BYTES:
            files.append({})
        files[-1].update({f"s{k:02d}_{i}": w for i, w in enumerate(weights)})
    paths = [folder / f"{name}.part{j}.npz" for j in range(len(files))]
    for path, arrays in zip(paths, files):
        np.savez(path, **arrays)
    return paths


def finish_char_reference(name: str, folder: Path) -> tuple[Any, dict[str, Any]]:
    """Read what :func:`export_char_reference` wrote to ``folder`` for ``name``, evaluate every
    curve point's weights here (validation and test slices, state carried, as a CPU-trained curve
    is measured) and the final weights on the whole validation split. Returns (model, sidecar)."""
    paths = sorted(folder.glob(f"{name}.part*.npz"))
    if not paths:
        raise FileNotFoundError(f"no {name}.part*.npz in {folder}; make them with "
                                f"KERAS_BACKEND=jax python -m course_kit.reference --export {folder} {name}")
    arrays: dict[str, Any] = {}
    for path in paths:
        with np.load(path, allow_pickle=False) as npz:
            arrays.update({key: npz[key] for key in npz.files})
    meta = json.loads(str(arrays.pop("meta")))
    settings = meta["settings"]
    data = char_data(settings)
    model = build_char_model(meta["kind"], data["vocab"].size, settings)
    count = len(model.get_weights())
    for k, point in enumerate(meta["curve"]):
        model.set_weights([arrays[f"s{k:02d}_{i}"].astype("float32") for i in range(count)])
        point.update(point_figures(model, data))
    meta["validation"] = validation_figures(model, data, "float16, as stored")  # the last point's weights: the final ones
    meta["evaluated_on"] = {"machine": describe_machine(), "what": "every curve point and the final figures, "
                            "from the float16 weights that the training run wrote at each point"}
    return model, meta
