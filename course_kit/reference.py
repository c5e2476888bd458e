"""Reference models: trained longer than a notebook can afford, evaluated live in the chapters.

    python -m course_kit.reference translator       # train it, write weights/reference/translator.*
    python -m course_kit.reference --list            # what there is, with its stored figures
    make reference                                   # every reference model

A chapter trains its own small model in minutes; that figure stays, with its own asserted
threshold. A reference model shows what the same code reaches with more data and time.
Each one is written to ``weights/reference/`` (apart from the slow-machine fallbacks) as

* ``<name>.weights.h5``: the weights, float16 arrays in the course's HDF5 format
  (:func:`course_kit.pretrained.save_weights`: no pickle, no code; at most 5 MiB);
* ``<name>.json``: the sidecar: the exact settings and the model's config, the command,
  the data and split, the machine (CPU, cores, accelerator), the versions, the training
  seconds, the learning curve (validation loss against wall-clock seconds and training
  tokens) and the test figures of the *stored* weights.

:func:`load` rebuilds a model from the sidecar and its weights, on any CPU;
``tests/test_reference.py`` evaluates every reference model and compares with its sidecar.
A notebook labels every reference figure as such, with its training time and command.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import platform
import re
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from course_utils.paths import repo_root

from .pretrained import load_weights, save_weights

REFERENCE_DIR = repo_root() / "weights" / "reference"
MAX_BYTES = 5 * 2**20
STORE_DTYPE = "float16"


def _paths(name: str) -> tuple[Path, Path]:
    if name not in REFERENCES:
        raise ValueError(f"unknown reference model {name!r}; choose one of {', '.join(REFERENCES)}")
    return REFERENCE_DIR / f"{name}.weights.h5", REFERENCE_DIR / f"{name}.json"


def sidecar(name: str) -> dict[str, Any]:
    """The stored sidecar of reference model ``name``."""
    weights, meta = _paths(name)
    if not (weights.is_file() and meta.is_file()):
        raise FileNotFoundError(f"reference model {name!r} is not in {REFERENCE_DIR}; "
                                f"train it with:  python -m course_kit.reference {name}")
    return json.loads(meta.read_text(encoding="utf-8"))


def _machine() -> dict[str, Any]:
    import os

    from .env import _cpu_model

    accelerator = "none"
    try:
        import tensorflow as tf

        gpus = tf.config.list_physical_devices("GPU")
        accelerator = ", ".join(g.name for g in gpus) or "none"
    except Exception:  # noqa: BLE001  a machine description must never stop a run
        pass
    return {"cpu": _cpu_model(), "cores": os.cpu_count(), "accelerator": accelerator,
            "platform": platform.platform(), "python": platform.python_version()}


# --------------------------------------------------------------------------- the translator
TRANSLATOR_SETTINGS: dict[str, Any] = {
    "source": "all", "max_words": 10, "epochs": 12, "batch_size": 64, "learning_rate": 3e-3, "seed": 1234,
    "model": {"attention": "luong", "embed_dim": 128, "units": 256, "dropout": 0.2, "bidirectional": True,
              "max_source_len": 40, "max_target_len": 40, "source_tokenizer": "subwords",
              "target_tokenizer": "subwords", "lowercase_source": False},
    "subword_vocab_size": 2000, "name_copies": 20, "vocatives": 3000,
}
DEMO_NAMES = ("john",)  # kept out of the augmentation, so that "My name is John." is a name never trained on


def translator_data(settings: dict[str, Any] = TRANSLATOR_SETTINGS) -> dict[str, Any]:
    """The reference translator's pairs: the training split of ``settings["source"]`` without any
    pair whose English or German side (normalised) is a sentence of the auf-deutsch validation or
    test split; name substitution and vocatives on top, with first names from the ``names``
    training split (never the evaluation names); auf-deutsch's validation and test splits."""
    from course_utils.data import load_names, load_translation, normalise
    from course_utils.seq2seq.names import add_vocatives, substitute_names

    small = load_translation("auf-deutsch", max_words=settings["max_words"])
    big = load_translation(settings["source"], max_words=settings["max_words"])
    held_out = {normalise(s) for split in (small.validation, small.test) for pair in split for s in pair}
    train = [p for p in big.train if normalise(p[0]) not in held_out and normalise(p[1]) not in held_out]
    names = load_names()
    corpus_words = {w.lower() for pair in big.train + small.validation + small.test for s in pair
                    for w in re.findall(r"\w+", s)}
    replacements = [n.capitalize() for n in names.train if n not in DEMO_NAMES]
    known = set(names.train) | set(names.validation) | set(names.test)
    extra = substitute_names(train, known, replacements, copies=settings["name_copies"], seed=settings["seed"])
    extra += add_vocatives(train, replacements, settings["vocatives"], seed=settings["seed"])
    eval_names = [n.capitalize() for n in names.test if n not in corpus_words and n.isalpha()][:40]
    return {"train": train + extra, "validation": small.validation, "test": small.test,
            "counts": {"source_train": len(big.train), "dropped_held_out": len(big.train) - len(train),
                       "name_substitutions": settings["name_copies"], "augmented": len(extra),
                       "train": len(train) + len(extra), "validation": len(small.validation), "test": len(small.test)},
            "eval_names": eval_names}


def evaluate_translator(model: Any, data: dict[str, Any]) -> dict[str, Any]:
    """Test BLEU/chrF/exact match (greedy and beam 5), the unknown-token rate, and the name-copy rate."""
    from course_utils.seq2seq.evaluation import evaluate_translations, unknown_rate
    from course_utils.seq2seq.names import name_copy_rate

    test_en, test_de = [e for e, _ in data["test"]], [d for _, d in data["test"]]
    out: dict[str, Any] = {}
    for label, kwargs in [("greedy", {}), ("beam5", {"method": "beam", "beam_width": 5})]:
        scores = evaluate_translations(model.translate(test_en, **kwargs), test_de)
        out.update({f"{label}_{k}": round(v, 2) for k, v in scores.items()})
    out["unknown_rate"] = round(unknown_rate(model, test_en), 4)
    copies = name_copy_rate(model, data["eval_names"])
    out["name_copy_rate"] = round(float(copies["copied"].mean()), 4)
    out["name_copy_by_pattern"] = {k: round(float(v), 4) for k, v in copies.groupby("pattern")["copied"].mean().items()}
    return out


def _token_count(model: Any, pairs: list[tuple[str, str]]) -> int:
    tok = model.tokenizers()[1][0]
    return sum(len(tok(de)) + 1 for _, de in pairs)  # + [END]


def train_translator_reference(settings: dict[str, Any] = TRANSLATOR_SETTINGS) -> tuple[Any, dict[str, Any]]:
    """Train the reference translator; returns the model and its sidecar (without the file checksum)."""
    import keras

    from course_utils.seed import set_seed
    from course_utils.seq2seq.translator import Translator, train_translator

    data = translator_data(settings)
    set_seed(settings["seed"])
    model = Translator.from_pairs(data["train"], subword_vocab_size=settings["subword_vocab_size"], **settings["model"])
    tokens_per_epoch = _token_count(model, data["train"])
    curve: list[dict[str, float]] = []
    start = time.perf_counter()

    class Curve(keras.callbacks.Callback):
        def on_epoch_end(self, epoch: int, logs: dict[str, Any] | None = None) -> None:
            logs = logs or {}
            curve.append({"epoch": epoch + 1, "seconds": round(time.perf_counter() - start, 1),
                          "tokens": tokens_per_epoch * (epoch + 1),
                          "loss": round(float(logs.get("loss", float("nan"))), 4),
                          "val_loss": round(float(logs.get("val_loss", float("nan"))), 4),
                          "val_bleu": round(float(logs.get("val_bleu", float("nan"))), 2)})
            print(f"  epoch {epoch + 1}: {curve[-1]}", flush=True)

    def fit(model_: Any, ds: Any, epochs: int, **kwargs: Any) -> Any:
        from course_utils.training import fit_timed

        # BestValidationBleu (keep_best_bleu) writes val_bleu into the logs first, then Curve reads it
        kwargs["callbacks"] = list(kwargs.get("callbacks", [])) + [Curve()]
        return fit_timed(model_, ds, epochs, **kwargs)

    train_translator(model, data["train"], data["validation"], epochs=settings["epochs"],
                     batch_size=settings["batch_size"], learning_rate=settings["learning_rate"],
                     seed=settings["seed"], keep_best_bleu=True, fit=fit)
    seconds = time.perf_counter() - start
    best = max(curve, key=lambda r: r["val_bleu"])
    meta = {"name": "translator", "kind": "Translator",
            "what": "EN->DE translator: bidirectional GRU encoder, GRU decoder with Luong attention, joint "
                    "SentencePiece subwords; trained on the auf-deutsch and Ding sentence pairs",
            "command": "python -m course_kit.reference translator", "settings": settings,
            "config": model.get_config(), "data": data["counts"],
            "split": "train: the 'all' corpus's training split minus every pair sharing a sentence with auf-deutsch "
                     "validation or test, plus name substitution and vocatives (names from the names corpus's "
                     "training split); epochs chosen on auf-deutsch validation BLEU; test: auf-deutsch test",
            "eval_names": data["eval_names"], "machine": _machine(), "train_seconds": round(seconds, 1),
            "best_epoch": best["epoch"], "curve": curve, "made_on": time.strftime("%Y-%m-%d")}
    return model, meta


def load_translator_reference(meta: dict[str, Any], weights: Path) -> Any:
    from course_utils.seq2seq.translator import Translator

    model = Translator.from_config(meta["config"])
    load_weights(model, weights)
    return model


# --------------------------------------------------------------------------- registry
REFERENCES: dict[str, dict[str, Callable[..., Any]]] = {
    "translator": {"train": train_translator_reference, "load": load_translator_reference,
                   "data": lambda meta: translator_data(meta["settings"]), "evaluate": evaluate_translator},
}


def load(name: str) -> Any:
    """The reference model ``name``, rebuilt from its sidecar and weights (checksum verified)."""
    weights, _ = _paths(name)
    meta = sidecar(name)
    digest = hashlib.sha256(weights.read_bytes()).hexdigest()
    if digest != meta["sha256"]:
        raise ValueError(f"{weights} does not match the checksum in its sidecar; restore it with "
                         f"`git checkout weights/reference/` or retrain: {meta['command']}")
    return REFERENCES[name]["load"](meta, weights)


def label(name: str) -> str:
    """How a notebook names a reference figure: what the model is, how long and where it was
    trained, and the command that made it."""
    meta = sidecar(name)
    machine = meta["machine"]
    where = f"{machine['cores']} cores of {machine['cpu']}" + \
        (f" with {machine['accelerator']}" if machine.get("accelerator", "none") != "none" else "")
    return (f"reference model '{name}', not trained in this notebook: {meta['what']}; trained for "
            f"{meta['train_seconds'] / 60:.0f} min on {where} ({meta['made_on']}) by `{meta['command']}`")


def evaluate(name: str) -> dict[str, Any]:
    """Evaluate the stored reference model ``name`` now, on this machine: the sidecar's figures, fresh."""
    meta = sidecar(name)
    spec = REFERENCES[name]
    return spec["evaluate"](load(name), spec["data"](meta))


def train(name: str) -> dict[str, Any]:
    """Train reference model ``name``, store its weights and sidecar, evaluate the *stored* weights."""
    from .env import versions

    weights, meta_path = _paths(name)
    model, meta = REFERENCES[name]["train"]()
    REFERENCE_DIR.mkdir(parents=True, exist_ok=True)
    save_weights(model, weights, STORE_DTYPE)
    size = weights.stat().st_size
    if size > MAX_BYTES:
        weights.unlink()
        raise ValueError(f"{weights.name} would be {size / 2**20:.1f} MiB, over the {MAX_BYTES / 2**20:.0f} MiB "
                         "limit; make the model smaller")
    meta.update({"format": "recurrent-weights-1", "store_dtype": STORE_DTYPE, "bytes": size,
                 "sha256": hashlib.sha256(weights.read_bytes()).hexdigest(), "versions": versions(),
                 "parameters": int(model.count_params())})
    spec = REFERENCES[name]
    meta["test"] = spec["evaluate"](spec["load"](meta, weights), spec["data"](meta))  # the stored (float16) weights
    meta_path.write_text(json.dumps(meta, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    return meta


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m course_kit.reference", description=__doc__.split("\n\n")[0])
    parser.add_argument("names", nargs="*", help=f"reference models to train (of: {', '.join(REFERENCES)}; default all)")
    parser.add_argument("--list", action="store_true", help="list the reference models and their stored figures")
    args = parser.parse_args(argv)
    if args.list:
        for name in REFERENCES:
            try:
                meta = sidecar(name)
                print(f"{name}: trained {meta['train_seconds'] / 60:.1f} min on {meta['machine']['cpu']} "
                      f"({meta['made_on']}); test {json.dumps(meta.get('test', {}))}")
            except FileNotFoundError as exc:
                print(f"{name}: {exc}")
        return 0
    unknown = [n for n in args.names if n not in REFERENCES]
    if unknown:
        parser.error(f"unknown reference model(s) {unknown}; choose from {', '.join(REFERENCES)}")
    for name in args.names or list(REFERENCES):
        print(f"Training reference model {name!r} ...", flush=True)
        meta = train(name)
        print(f"{name}: {meta['train_seconds'] / 60:.1f} min, test {json.dumps(meta['test'])}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
