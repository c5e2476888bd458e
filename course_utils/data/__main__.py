"""Command line for the data layer.

    python -m course_utils.data status            # what is installed and prepared
    python -m course_utils.data prepare           # prepare every corpus whose source is installed
    python -m course_utils.data prepare en_de --force
    python -m course_utils.data cards             # rewrite datasets/*.md cards and checksums.json
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from ._sources import SourceMissingError
from ._splits import SPLITS
from .preparation import _repo_datasets_dir, cache_root, corpus_status, prepare
from .registry import CORPORA
from ._cache import read_split
from ._series import SERIES, load_series, series_checksum


def _cmd_prepare(names: list[str], force: bool) -> int:
    required = {"en_de", "numbers_en_de", "names", "shakespeare", "food_reviews", "oanc_pos"}
    failed = 0
    for name in names or list(CORPORA):
        try:
            manifest = prepare(name, force=force, verbose=True)
            if not force:
                counts = ", ".join(f"{s} {manifest['files'][s + '.jsonl']['records']:,}" for s in SPLITS)
                print(f"OK {name}: {counts} (checksum {manifest['sha256'][:12]}…)")
        except SourceMissingError as exc:
            optional = name not in required and not names
            print(f"{'skipped (optional)' if optional else 'MISSING'} {name}: {exc}", file=sys.stderr)
            failed += 0 if optional else 1
    return 1 if failed else 0


def _card(name: str, manifest: dict, samples: list[dict]) -> str:
    spec = CORPORA[name]
    lines = [f"# Dataset card: `{name}`", "", f"**{spec.title}.** {spec.description}", ""]
    lines += ["## Source", "", "| package | registry | version | licence | what it is | install |", "|---|---|---|---|---|---|"]
    for src, used in zip(spec.sources, manifest["sources"]):
        lines.append(
            f"| `{src.package}` | {src.registry} | {used['version']} | {src.licence} | {src.homepage_note} | `{src.install}` |"
        )
    total = sum(f["records"] for f in manifest["files"].values())
    if spec.kind == "tagged_official":
        how = ["The source's own train/validation/test split, kept as it is so that results compare with",
               "published ones (not hashed, so a short sentence such as a dateline can occur in two splits)."]
    else:
        how = ["Assigned by hashing each example's normalised text (see `course_utils/data/_splits.py`):",
               "independent of source order, disjoint after normalisation, 80/10/10 in expectation."]
    lines += ["", "## Splits", "", *how, "", "| split | records | sha256 of the split file |", "|---|---:|---|"]
    for s in SPLITS:
        f = manifest["files"][f"{s}.jsonl"]
        lines.append(f"| {s} | {f['records']:,} | `{f['sha256']}` |")
    lines += [f"| **total** | **{total:,}** | combined: `{manifest['sha256']}` |", ""]
    lines += ["## Loading", "", "```python"]
    if spec.kind == "text":
        lines.append("from course_utils.data import load_shakespeare\ntext = load_shakespeare()   # .train/.validation/.test are strings")
    elif spec.kind == "reviews":
        lines.append("from course_utils.data import load_reviews\nreviews = load_reviews()   # .train.texts (list of str), .train.labels (int32, 1 = 5 stars)")
    elif spec.kind == "tagged":
        lines.append("from course_utils.data import load_pos\nsentences = load_pos()   # lists of (tokens, tags), e.g. (['The', 'cat'], ['DT', 'NN'])")
    elif spec.kind == "tagged_official":
        lines.append("from course_utils.data import load_ner\nsentences = load_ner()   # lists of (tokens, BIO tags), e.g. (['EU', 'rejects'], ['B-ORG', 'O'])")
    elif spec.kind == "words":
        lines.append(f"from course_utils.data import load_{name}\nwords = load_{name}()   # lists of strings")
    else:
        lines.append(f"from course_utils.data import load_pairs\npairs = load_pairs({name!r})   # lists of (en, de) tuples")
    lines += [
        "# or, as a TensorFlow Datasets builder (offline):",
        "import course_utils.data.tfds_builders, tensorflow_datasets as tfds",
        f"ds = tfds.load('recurrent_{name}', split='train', data_dir='datasets/cache/tfds', download=True)",
        "```",
        "",
        "## Three sample records (from the train split)",
        "",
        "```json",
    ]
    lines += [json.dumps(r, ensure_ascii=False) for r in samples]
    lines += ["```", ""]
    return "\n".join(lines)


def _series_card(name: str, frame) -> str:
    spec = SERIES[name]
    src = spec.source
    numeric = frame.select_dtypes("number")
    lines = [f"# Dataset card: `{name}` (time series)", "", f"**{spec.title}.** {spec.description}", "",
             "## Source", "", "| package | registry | version | licence | what it is | install |", "|---|---|---|---|---|---|",
             f"| `{src.package}` | {src.registry} | {src.installed_version() or src.version} | {src.licence} | {src.homepage_note} | `{src.install}` |",
             "", "## Contents", "",
             f"{len(frame):,} rows from {frame.index[0].date()} to {frame.index[-1].date()} (frequency `{spec.frequency}`), "
             f"columns: {', '.join(f'`{c}`' for c in frame.columns)}. Missing values: {int(frame.isna().sum().sum())}.", "",
             "| column | mean | std | min | max |", "|---|---:|---:|---:|---:|"]
    for col in numeric.columns:
        c = numeric[col]
        lines.append(f"| {col} | {c.mean():.2f} | {c.std():.2f} | {c.min():.2f} | {c.max():.2f} |")
    lines += ["", "There is no hashed split: time series are split by time in each notebook "
              "(see `course_utils.time_series.split_by_time`), so the model never sees the future.", "",
              f"Checksum of the frame's CSV text (`course_utils.data._series.series_checksum`): `{series_checksum(frame)}`", "",
              "## Loading", "", "```python", f"from course_utils.data import load_series\nframe = load_series({name!r})   # pandas DataFrame indexed by date",
              "```", "", "## First three rows", "", "```", frame.head(3).to_string(), "```", ""]
    return "\n".join(lines)


def _cmd_cards() -> int:
    out_dir = _repo_datasets_dir()
    if out_dir is None:
        print("cards: run this from a clone of the course repository", file=sys.stderr)
        return 2
    checksums = {}
    for name in CORPORA:
        try:
            manifest = prepare(name, verbose=True)
        except SourceMissingError as exc:
            print(f"cards: skipping {name}: {exc}", file=sys.stderr)
            continue
        train = read_split(cache_root() / name, "train")
        step = max(1, len(train) // 3)
        samples = [train[i * step] for i in range(3)]
        if CORPORA[name].kind == "text":
            samples = [dict(r, text=r["text"][:200]) for r in samples]
        if CORPORA[name].kind == "reviews":
            samples = [dict(r, review=r["review"][:200] + ("…" if len(r["review"]) > 200 else "")) for r in samples]
        (out_dir / f"{name}.md").write_text(_card(name, manifest, samples), encoding="utf-8")
        checksums[name] = {
            "sha256": manifest["sha256"],
            "sources": manifest["sources"],
            "records": {s: manifest["files"][f"{s}.jsonl"]["records"] for s in SPLITS},
        }
        print(f"wrote datasets/{name}.md")
    for name, spec in SERIES.items():
        try:
            frame = load_series(name, check=False)
        except SourceMissingError as exc:
            print(f"cards: skipping {name}: {exc}", file=sys.stderr)
            continue
        (out_dir / f"{name}.md").write_text(_series_card(name, frame), encoding="utf-8")
        checksums[name] = {
            "sha256": series_checksum(frame),
            "sources": [{"package": spec.source.package, "registry": spec.source.registry,
                         "version": spec.source.installed_version() or spec.source.version}],
            "shape": list(frame.shape),
        }
        print(f"wrote datasets/{name}.md")
    path = out_dir / "checksums.json"
    old = json.loads(path.read_text()) if path.is_file() else {}
    old.update(checksums)
    path.write_text(json.dumps(old, indent=2, sort_keys=True) + "\n", encoding="utf-8")
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m course_utils.data", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="cmd", required=True)
    p = sub.add_parser("prepare", help="prepare corpora (default: all whose sources are installed)")
    p.add_argument("names", nargs="*", metavar="NAME", help=f"any of: {', '.join(CORPORA)}")
    p.add_argument("--force", action="store_true", help="rebuild even if the cache is intact")
    sub.add_parser("status", help="show which corpora are available")
    sub.add_parser("cards", help="rewrite the dataset cards and datasets/checksums.json")
    args = parser.parse_args(argv)
    if args.cmd == "prepare":
        unknown = [n for n in args.names if n not in CORPORA]
        if unknown:
            parser.error(f"unknown corpus {', '.join(unknown)}; choose from: {', '.join(CORPORA)}")
        return _cmd_prepare(args.names, args.force)
    if args.cmd == "cards":
        return _cmd_cards()
    for corpus, row in corpus_status().iterrows():
        if row["available"]:
            print(f"{corpus:15} available   train {row['train']:>6,}  validation {row['validation']:>5,}  test {row['test']:>5,}")
        else:
            print(f"{corpus:15} not installed: {row['note']}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
