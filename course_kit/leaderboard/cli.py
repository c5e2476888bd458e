"""``python -m course_kit.leaderboard``: count or train the rungs, merge them into
``results/leaderboard.json`` rung by rung, and render ``results/leaderboard.md``."""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path
from typing import Any

from course_utils.paths import repo_root

from .protocol import DEFAULT_STEPS, Protocol
from .render import render
from .rungs import RUNGS

__all__ = ["DATA", "PAGE", "load", "main", "run", "write"]

DATA = Path("results") / "leaderboard.json"
PAGE = Path("results") / "leaderboard.md"


def load(path: Path) -> dict[str, Any] | None:
    """The stored leaderboard at ``path``, or None where there is none."""
    return json.loads(path.read_text(encoding="utf-8")) if path.is_file() else None


def write(data: dict[str, Any], json_path: Path, page_path: Path) -> None:
    """Write the JSON and its rendered page."""
    json_path.parent.mkdir(parents=True, exist_ok=True)
    json_path.write_text(json.dumps(data, indent=1) + "\n", encoding="utf-8")
    page_path.write_text(render(data), encoding="utf-8")


def _data_summary(data: dict[str, Any]) -> dict[str, Any]:
    return {"corpus": "shakespeare", "sha256": data["sha256"], "chars": data["chars"], "unseen": data["unseen"],
            "vocab_size": data["vocab"].size}


def run(rungs: list[str], protocol: Protocol, json_path: Path, page_path: Path, retrain: bool = False,
        fresh: bool = False, log: Any = print) -> dict[str, Any]:
    """Count or train each of ``rungs`` (a stored record under the same protocol is reused unless
    ``retrain``), merging each into ``json_path`` as soon as it is done, and render ``page_path``.
    A stored file made under another protocol or data is an error, unless ``fresh`` (start over)."""
    from course_kit.machine import describe_machine

    from .protocol import leaderboard_data
    from .rungs import run_rung

    unknown = [r for r in rungs if r not in RUNGS]
    if unknown:
        raise SystemExit(f"unknown rung(s) {', '.join(unknown)}; choose from {', '.join(RUNGS)}")
    data = leaderboard_data(protocol)
    stored = None if fresh else load(json_path)
    board = {"protocol": protocol.as_dict(), "data": _data_summary(data), "records": []}
    if stored is not None:
        if stored["protocol"] != board["protocol"] or stored["data"] != board["data"]:
            raise SystemExit(f"{json_path} was made under another protocol or data ({stored['protocol']}); run every "
                             "rung under that protocol again, or start afresh with --fresh")
        board["records"] = stored["records"]
    for name in rungs:
        if not retrain and any(r["rung"] == name for r in board["records"]):
            log(f"{name}: stored result reused (--retrain to train it again)")
            continue
        record = run_rung(name, protocol, data, log)
        record.update({"machine": describe_machine(), "date": time.strftime("%Y-%m-%d")})
        others = [r for r in board["records"] if r["rung"] != name] + [record]
        board["records"] = sorted(others, key=lambda r: list(RUNGS).index(r["rung"]))
        write(board, json_path, page_path)
        log(f"{name}: validation perplexity {record['val_ppl']:.3f}, test {record['test_ppl']:.3f}; "
            f"wrote {json_path}")
    write(board, json_path, page_path)
    return board


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m course_kit.leaderboard", description=__doc__)
    parser.add_argument("--rungs", default=",".join(RUNGS),
                        help=f"comma-separated rungs to count or train (default: all): {','.join(RUNGS)}")
    parser.add_argument("--budget", type=int, default=DEFAULT_STEPS,
                        help=f"optimiser steps per trained rung (default {DEFAULT_STEPS}); every rung must share it")
    parser.add_argument("--render", action="store_true", help="only re-render the Markdown from the stored JSON")
    parser.add_argument("--retrain", action="store_true", help="train the named rungs even where a result is stored")
    parser.add_argument("--fresh", action="store_true", help="ignore the stored results and start a new table")
    parser.add_argument("--train-chars", type=int, default=None, help="cut the training split (quick trials only)")
    parser.add_argument("--eval-chars", type=int, default=None, help="cut validation and test (quick trials only)")
    parser.add_argument("--out", type=Path, default=None, help="the JSON to write (default results/leaderboard.json; "
                        "the page goes beside it, named .md)")
    args = parser.parse_args(argv)
    json_path = args.out or repo_root() / DATA
    page_path = json_path.with_suffix(".md")
    if args.render:
        stored = load(json_path)
        if stored is None:
            raise SystemExit(f"no {json_path} to render; make it with python -m course_kit.leaderboard")
        page_path.write_text(render(stored), encoding="utf-8")
        print(f"wrote {page_path}")
        return 0
    protocol = Protocol(steps=args.budget, train_chars=args.train_chars, eval_chars=args.eval_chars)
    names = [r.strip() for r in args.rungs.split(",") if r.strip()]
    run(names, protocol, json_path, page_path, retrain=args.retrain, fresh=args.fresh)
    print(f"wrote {json_path} and {page_path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
