"""The command line: ``python -m course_kit.reference [NAMES] [--list | --retest WHY | --export DIR | --finish DIR
| --sealed | --sealed-again WHY]``.

Training modules (which import Keras) are imported only when a command trains or evaluates.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from course_utils.references import sidecar

from . import __doc__ as PACKAGE_DOC
from .registry import GPU_ONLY, REFERENCES, retest, store, train

__all__ = ["main"]


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m course_kit.reference", description=PACKAGE_DOC.split("\n\n")[0])
    parser.add_argument("names", nargs="*", help=f"reference models to train (of: {', '.join(REFERENCES)}; default all)")
    parser.add_argument("--list", action="store_true", help="list the reference models and their stored figures")
    parser.add_argument("--export", metavar="DIR", type=Path,
                        help="train Shakespeare models on this machine's Keras backend (KERAS_BACKEND=jax on a GPU) "
                             "and write their weights at each curve point to DIR, for --finish")
    parser.add_argument("--finish", metavar="DIR", type=Path,
                        help="evaluate what --export wrote to DIR and store the models in weights/reference/")
    parser.add_argument("--minutes", type=float, help="with --export: another budget (a quick trial; not for storing)")
    parser.add_argument("--allow-cpu", action="store_true", help="with --export: train a GPU-tier model without a GPU "
                        "(a trial of the pipeline)")
    parser.add_argument("--retest", metavar="WHY", help="do not train: evaluate the stored weights of the named models "
                        "again with today's code and store the figures in their sidecars, with WHY (what changed)")
    parser.add_argument("--sealed", action="store_true", help="do not train: evaluate the named translators (default "
                        "all) once on the sealed test and store the figures in their sidecars")
    parser.add_argument("--sealed-again", metavar="WHY", help="as --sealed, for models that have read it already, "
                        "with WHY (a retrained model, say)")
    return parser


def _sealed(names: list[str], again_why: str | None) -> None:
    from course_utils.references.translators import sealed_table

    from .sealed import seal

    seal(names or None, again_why)
    print("BLEU of each released translator (greedy, and with a beam of 5):")
    print(sealed_table().to_string())


def _list() -> None:
    for name in REFERENCES:
        try:
            meta = sidecar(name)
            print(f"{name}: trained {meta['train_seconds'] / 60:.1f} min on {meta['machine']['cpu']} "
                  f"({meta['made_on']}); test {json.dumps(meta.get('test', {}))}")
        except FileNotFoundError as exc:
            print(f"{name}: {exc}")


def _retest(parser: argparse.ArgumentParser, names: list[str], why: str) -> None:
    if not names or not why.strip():
        parser.error("--retest needs the names of the models to evaluate again and why, e.g. "
                     "python -m course_kit.reference translator_words --retest '[UNK] replacement changed'")
    for name in names:
        meta = retest(name, why)
        print(f"{name}: test {json.dumps(meta['test'])}; changed {json.dumps(meta['retested'][-1]['changed'])}")


def _export_or_finish(parser: argparse.ArgumentParser, args: argparse.Namespace) -> None:
    names = args.names or list(GPU_ONLY)
    not_char = [n for n in names if not REFERENCES[n].is_char]
    if not_char:
        parser.error(f"--export and --finish take Shakespeare models only, not {not_char}")
    from ..machine import describe_machine
    from .characters import export_char_reference, finish_char_reference, scaled_recipe

    for name in names:
        if args.finish and not args.export:
            meta = store(name, *finish_char_reference(name, args.finish))
            print(f"{name}: {meta['train_seconds'] / 60:.1f} min, test {json.dumps(meta['test'])}")
            continue
        recipe = REFERENCES[name].recipe
        if args.minutes:
            recipe = scaled_recipe(recipe, args.minutes)
        machine = describe_machine()
        if name in GPU_ONLY and machine["accelerator"] == "none" and not args.allow_cpu:
            parser.error(f"{name} belongs to the GPU tier and this machine has no GPU that Keras's "
                         f"{machine['keras_backend']} backend sees (set KERAS_BACKEND=jax on a GPU "
                         "machine, or pass --allow-cpu for a trial)")
        print(f"Training {name!r} for export ...", flush=True)
        print("\n".join(str(p) for p in export_char_reference(name, args.export, recipe)))


def main(argv: list[str] | None = None) -> int:
    parser = _parser()
    args = parser.parse_args(argv)
    if args.list:
        _list()
        return 0
    unknown = [n for n in args.names if n not in REFERENCES]
    if unknown:
        parser.error(f"unknown reference model(s) {unknown}; choose from {', '.join(REFERENCES)}")
    if args.sealed or args.sealed_again is not None:
        _sealed(args.names, args.sealed_again)
        return 0
    if args.retest is not None:
        _retest(parser, args.names, args.retest)
        return 0
    if args.export or args.finish:
        _export_or_finish(parser, args)
        return 0
    for name in args.names or [n for n in REFERENCES if n not in GPU_ONLY]:
        print(f"Training reference model {name!r} ...", flush=True)
        meta = train(name)
        print(f"{name}: {meta['train_seconds'] / 60:.1f} min, test {json.dumps(meta['test'])}")
    return 0
