"""Probes that re-make a reference recipe's choice on validation data only.

    python -m course_kit.reference.probes name-examples [--out results/probes/name_examples.json]
    python -m course_kit.reference.probes char-rates [--out results/probes/char_rates.json]
    python -m course_kit.reference.probes determinism [--out results/probes/determinism.json]
    python -m course_kit.reference.probes chapter-epochs [--out results/probes/chapter_epochs.json]
    python -m course_kit.reference.probes copy-head [--out results/probes/copy_head.json]

``name-examples``: the fine-tuned translators' name examples (vocatives and substitutions per
name pair) were first chosen on test BLEU and the test name-copy rate (``docs/HISTORY.md``).
This probe fine-tunes each base with each candidate, as ``TunedRecipe`` does (the released
model stands for its own candidate), and judges them on auf-deutsch's validation split (BLEU of
the epoch kept) and on copying 40 *validation* names (from the names corpus's validation split,
none in the training pairs): the released models are tested on the test split's names, so no
test sentence and no test name is read here.

``char-rates``: the Shakespeare references' starting learning rates (4e-3 for the LSTM, 2e-3 for
the SimpleRNN and the GRU) were first chosen by 3-minute probes judged on *test* perplexity. This
probe repeats them, judged on validation: each model at each rate, constant, for 3 minutes of
training on this machine's cores, then its perplexity on the curve's validation slice (the first
100,000 validation characters). Only validation is evaluated.

``determinism``: is translator training bit-reproducible on this CPU, with and without
TensorFlow's op determinism, and what does determinism cost? Two short trainings of the word-level
translator (the cheaper twin) in fresh processes for each setting, compared weight by weight.

``chapter-epochs``: chapter 10's cap of 24 epochs and chapter 11's 9 epochs were set after test
BLEU had been seen. This probe trains the chapters' own models (their settings and seed) for
longer, 40 and 12 epochs, and records the validation BLEU after every epoch: where it stops
rising says whether the chapters' epoch counts cut training short (then they are budget choices:
each chapter must fit its minutes) or not.

``copy-head``: the fine-tuned subword translator ships no copy head (pointer-generator) because
three copy-head variants were first rejected on the *test* name-copy rate (``docs/HISTORY.md``).
This probe writes the head again (:mod:`.copy_head`) and judges the three variants on validation
only: each puts the head on the stored ``translator`` base and fine-tunes it with the released
``TUNED["translator_tuned"]`` recipe (its data, epochs, batch, learning rate and seed), keeping the
epoch of best greedy validation BLEU; then the share of the 40 validation names copied
(:func:`validation_names`) and the mean gate on those names' pieces. The released model (no head)
stands for itself, with its figures from ``results/probes/name_examples.json``. Decision rule,
fixed before the runs: a variant would replace the released model only if it beats it on BOTH
validation BLEU and the validation name-copy rate; otherwise the model without a head stays
(simpler, and no better on validation). The word-level twin copies names by [UNK] replacement
(every validation name, ``name_examples.json``), so no head is tried on it.

Nothing is stored in ``weights/``: each probe writes its figures to ``--out``.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import re
import sys
import time
from pathlib import Path
from typing import Any

CANDIDATES = ((300, 20), (1500, 40), (3000, 100))  # (vocatives, substitutions per name pair)
CHAR_RATES = (2e-3, 4e-3)
CHAR_MODELS = ("shakespeare_simplernn", "shakespeare_lstm", "shakespeare_gru")


def validation_names(data: dict[str, Any], count: int = 40) -> list[str]:
    """``count`` first names from the names corpus's validation split that occur in no training or
    validation pair (capitalised): unseen names a probe may judge copying on."""
    from course_utils.data import load_names

    words = {w.lower() for pair in data["train"] + data["validation"] for s in pair for w in re.findall(r"\w+", s)}
    return [n.capitalize() for n in load_names().validation if n not in words and n.isalpha()][:count]


def name_examples(bases: tuple[str, ...] = ("translator", "translator_words")) -> list[dict[str, Any]]:
    """Fine-tune each base with each of :data:`CANDIDATES`; one row per run with the validation
    BLEU of the epoch kept, that epoch, and the share of validation names copied."""
    from course_utils.references import load, sidecar
    from course_utils.references.translators import tuned_data
    from course_utils.seed import set_seed
    from course_utils.seq2seq.names import name_copy_rate

    from .recipes import TUNED
    from .translators import _fit_translator

    rows = []
    for name, recipe in TUNED.items():
        if recipe.base not in bases:
            continue
        base = sidecar(recipe.base)
        for vocatives, copies in CANDIDATES:
            trial = dataclasses.replace(recipe, vocatives=vocatives, name_copies=copies)
            data = tuned_data(trial.as_dict(), base)
            start = time.perf_counter()
            if trial == recipe:  # the released model is this candidate's run: read it, do not train it again
                model, curve = load(name), [p for p in sidecar(name)["curve"] if p["stage"] == "fine-tune"]
            else:
                model = load(recipe.base)
                set_seed(trial.seed)
                curve, _ = _fit_translator(model, data, trial)  # keeps the epoch of best validation BLEU
            best = max(curve, key=lambda r: r["val_bleu"])
            names = validation_names(data)
            copied = float(name_copy_rate(model, names)["copied"].mean())
            rows.append({"model": name, "vocatives": vocatives, "substitutions_per_pair": copies,
                         "validation_bleu": best["val_bleu"], "epoch_kept": best["epoch"],
                         "validation_names_copied": round(copied, 4), "names": len(names),
                         "minutes": round((time.perf_counter() - start) / 60, 1)})
            print(json.dumps(rows[-1]), flush=True)
    return rows


def char_rates(minutes: float = 3.0) -> list[dict[str, Any]]:
    """Each of :data:`CHAR_MODELS` at each of :data:`CHAR_RATES`, constant, for ``minutes`` of
    training; one row per run with the validation perplexity on the curve's slice at the end."""
    from course_utils.references.characters import char_data, slice_loss
    from course_utils.rnn.lm_metrics import perplexity

    from .characters import train_char_reference
    from .recipes import char_recipe

    rows = []
    for name in CHAR_MODELS:
        data = None  # the validation slice: the same for every rate (the rate changes no data setting)
        for rate in CHAR_RATES:
            recipe = dataclasses.replace(char_recipe(name), learning_rate=rate, final_lr_fraction=1.0,
                                         minutes=minutes, checkpoints_s=())
            # snapshots: the budget keeps the weights at its end instead of evaluating both splits
            model, meta = train_char_reference(name, recipe, snapshots=[])
            data = data or char_data(recipe.as_dict())
            val = slice_loss(model, data["validation"], data["settings"])
            rows.append({"model": name, "learning_rate": rate, "minutes": minutes, "steps": meta["curve"][-1]["tokens"]
                         // (recipe.batch_size * recipe.seq_len), "val_ppl": round(perplexity(val), 3)})
            print(json.dumps(rows[-1]), flush=True)
    return rows


def _short_translator_run(deterministic: bool, epochs: int) -> dict[str, Any]:
    """One training of the word-level reference translator for ``epochs`` on its own data and
    seed (in this process): seconds and a digest of the weights."""
    import hashlib

    import tensorflow as tf

    from course_utils.references.translators import translator_data
    from course_utils.seed import set_seed
    from course_utils.seq2seq.translator import Translator, train_translator

    from .recipes import TRANSLATOR_WORDS

    if deterministic:
        tf.config.experimental.enable_op_determinism()
    settings = TRANSLATOR_WORDS.as_dict()
    data = translator_data(settings)
    set_seed(TRANSLATOR_WORDS.seed)
    model = Translator.from_pairs(data["train"], max_vocab=TRANSLATOR_WORDS.max_vocab, **settings["model"])
    start = time.perf_counter()
    train_translator(model, data["train"], None, epochs=epochs, batch_size=TRANSLATOR_WORDS.batch_size,
                     learning_rate=TRANSLATOR_WORDS.learning_rate, seed=TRANSLATOR_WORDS.seed)
    seconds = time.perf_counter() - start
    digest = hashlib.sha256(b"".join(w.tobytes() for w in model.get_weights())).hexdigest()[:16]
    return {"deterministic": deterministic, "epochs": epochs, "seconds": round(seconds, 1), "weights_sha256": digest}


def determinism(epochs: int = 2, repeats: int = 2) -> list[dict[str, Any]]:
    """``repeats`` runs of :func:`_short_translator_run` per setting, each in a fresh process."""
    import subprocess

    rows = []
    for deterministic in (False, True):
        for _ in range(repeats):
            code = ("import json; from course_kit.reference.probes import _short_translator_run as r; "
                    f"print('ROW', json.dumps(r({deterministic}, {epochs})))")
            out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
            rows.append(json.loads(out.split("ROW ", 1)[1]))
            print(json.dumps(rows[-1]), flush=True)
    return rows


def chapter_epochs(ch10_epochs: int = 40, ch11_epochs: int = 12) -> list[dict[str, Any]]:
    """Validation BLEU after each epoch of chapter 10's model and chapter 11's three sentence
    models (their notebooks' settings), trained for more epochs than the chapters allow."""
    from course_utils.data import load_translation
    from course_utils.seed import set_seed
    from course_utils.seq2seq.translator import Translator, train_translator

    pairs = load_translation(source="auf-deutsch", max_words=10)
    runs = [("10", "none", ch10_epochs, {}), *[("11", kind, ch11_epochs, {"bidirectional": True, "attention_units": 64})
                                              for kind in ("none", "bahdanau", "luong")]]
    rows = []
    for chapter, kind, epochs, extra in runs:
        set_seed(1234)
        model = Translator.from_pairs(pairs.train, attention=kind, embed_dim=128, units=256, dropout=0.2,
                                      max_source_len=20, max_target_len=20, **extra)
        start = time.perf_counter()
        history = train_translator(model, pairs.train, pairs.validation, epochs=epochs, batch_size=64,
                                   learning_rate=3e-3, keep_best_bleu=True)
        curve = [round(float(b), 2) for b in history["val_bleu"]]
        rows.append({"chapter": chapter, "attention": kind, "epochs": epochs, "val_bleu": curve,
                     "best_epoch": curve.index(max(curve)) + 1, "minutes": round((time.perf_counter() - start) / 60, 1)})
        print(json.dumps(rows[-1]), flush=True)
    return rows


def copy_head(limit: int | None = None, epochs: int | None = None) -> list[dict[str, Any]]:
    """The released ``translator_tuned`` (no head, read from ``name_examples.json``), then one row per
    :data:`~.copy_head.VARIANTS` with the validation BLEU of the epoch kept, that epoch, the share of
    validation names copied, the mean gate on their pieces, and the minutes. ``limit`` (training
    pairs) and ``epochs``: a quick trial, not for recording."""
    from course_utils.references import load, sidecar
    from course_utils.references.translators import tuned_data
    from course_utils.seed import set_seed
    from course_utils.seq2seq.names import name_copy_rate

    from ..machine import cpu_model
    from .copy_head import VARIANTS, CopyHead, fit_copy_head
    from .recipes import TUNED

    recipe = TUNED["translator_tuned"]
    released = next(r for r in json.loads((Path("results/probes") / "name_examples.json").read_text(encoding="utf-8"))
                    ["rows"] if r["model"] == "translator_tuned" and (r["vocatives"], r["substitutions_per_pair"])
                    == (recipe.vocatives, recipe.name_copies))
    rows: list[dict[str, Any]] = [{
        "model": "translator_tuned", "head": "none", "validation_bleu": released["validation_bleu"],
        "epoch_kept": released["epoch_kept"], "validation_names_copied": released["validation_names_copied"],
        "names": released["names"], "mean_gate_on_name_pieces": None, "minutes": None,
        "note": f"the released model, not retrained: figures from results/probes/name_examples.json; trained on "
                f"the {sidecar('translator_tuned')['machine']['cpu']}, the variants below on the {cpu_model()}"}]
    data = tuned_data(recipe.as_dict(), sidecar(recipe.base))
    train = data["train"][:limit] if limit else data["train"]
    names = validation_names(data)
    for variant in VARIANTS:
        start = time.perf_counter()
        set_seed(recipe.seed)  # op determinism on, as _fit_translator turns it on
        model = CopyHead(load(recipe.base), variant)
        curve = fit_copy_head(model, train, data["validation"], epochs or recipe.epochs, recipe.batch_size,
                              recipe.learning_rate, recipe.seed)
        best = max(curve, key=lambda r: r["val_bleu"])
        copied = float(name_copy_rate(model, names)["copied"].mean())
        rows.append({"model": "translator_tuned", "head": variant, "validation_bleu": best["val_bleu"],
                     "epoch_kept": best["epoch"], "validation_names_copied": round(copied, 4), "names": len(names),
                     "mean_gate_on_name_pieces": round(model.name_gate(names), 3),
                     "minutes": round((time.perf_counter() - start) / 60, 1)})
        print(json.dumps(rows[-1]), flush=True)
    return rows


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m course_kit.reference.probes", description=__doc__.split("\n\n")[0])
    parser.add_argument("probe", choices=["name-examples", "char-rates", "determinism", "chapter-epochs",
                                            "copy-head"])
    parser.add_argument("--bases", nargs="+", default=["translator", "translator_words"], help="name-examples only")
    parser.add_argument("--minutes", type=float, default=3.0, help="char-rates only: training minutes per run")
    parser.add_argument("--limit", type=int, help="copy-head only: the first N training pairs (a trial)")
    parser.add_argument("--epochs", type=int, help="copy-head only: epochs instead of the recipe's (a trial)")
    parser.add_argument("--out", type=Path, help="default: results/probes/<probe, with _>.json")
    args = parser.parse_args(argv)
    args.out = args.out or Path("results/probes") / f"{args.probe.replace('-', '_')}.json"
    run = {"name-examples": lambda: name_examples(tuple(args.bases)), "char-rates": lambda: char_rates(args.minutes),
           "determinism": determinism, "chapter-epochs": chapter_epochs,
           "copy-head": lambda: copy_head(args.limit, args.epochs)}
    rows = run[args.probe]()
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps({"probe": args.probe, "made_on": time.strftime("%Y-%m-%d"), "rows": rows},
                                   indent=1) + "\n", encoding="utf-8")
    print(f"wrote {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
