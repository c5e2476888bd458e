"""The command line of appendix A1: ``python -m course_utils.distribute train ...`` (see
:func:`main`); the launcher starts each worker process with ``... worker RUN_DIR INDEX ATTEMPT
SECONDS``.
"""

from __future__ import annotations

import json
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path

from ..cell_kinds import CELLS
from .config import STRATEGIES, RunConfig
from .launcher import train_char_lm
from .worker import run_worker

__all__ = ["main"]


def main(argv: Sequence[str] | None = None) -> int:
    """``python -m course_utils.distribute train --strategy mirrored --replicas 2 --epochs 4``: train
    chapter 03's model with a strategy and print the run as JSON. (``worker RUN_DIR INDEX ATTEMPT
    SECONDS`` is what :func:`launch` starts in each worker process.)"""
    import argparse

    args = list(sys.argv[1:] if argv is None else argv)
    if args[:1] == ["worker"] and len(args) == 5:
        run_worker(Path(args[1]), int(args[2]), int(args[3]), float(args[4]))
        return 0
    parser = argparse.ArgumentParser(prog="python -m course_utils.distribute",
                                     description="Train chapter 03's character model on one device, several "
                                                 "devices (mirrored) or several worker processes (multi_worker).")
    sub = parser.add_subparsers(dest="command", required=True)
    train = sub.add_parser("train", help="train once and print the result as JSON")
    train.add_argument("--strategy", choices=STRATEGIES, default="one")
    train.add_argument("--replicas", type=int, default=None, help="default 1 for 'one', else 2")
    train.add_argument("--timeout", type=float, default=300.0, help="seconds before every worker is killed")
    train.add_argument("--restarts", type=int, default=0, help="restarts allowed after a worker crash")
    train.add_argument("--run-dir", type=Path, default=None, help="an empty folder (default: a new temporary one, kept)")
    for name in ("epochs", "units", "global_batch", "train_chars", "seq_len"):
        train.add_argument(f"--{name.replace('_', '-')}", type=int, default=None)
    train.add_argument("--cell", choices=CELLS, default=None, help="the recurrent layer (default: simple)")
    train.add_argument("--learning-rate", type=float, default=None)
    opts = parser.parse_args(args)
    settings = {k: v for k, v in vars(opts).items()
                if k in RunConfig.__dataclass_fields__ and k not in ("strategy", "replicas") and v is not None}
    run_dir = opts.run_dir or Path(tempfile.mkdtemp(prefix=f"a1_{opts.strategy}_"))  # kept: its path is printed
    try:
        result = train_char_lm(opts.strategy, opts.replicas, run_dir=run_dir, timeout_s=opts.timeout,
                               restarts=opts.restarts, **settings)
    except (ValueError, TypeError) as err:
        if opts.run_dir is None:
            run_dir.rmdir()  # still empty: the settings were refused before the run started
        parser.error(str(err))
    print(json.dumps({"strategy": opts.strategy, "replicas": result.config.replicas, "losses": result.losses,
                      "eval_loss": result.eval_loss, "seconds_per_epoch": result.seconds_per_epoch(),
                      "wall_seconds": round(result.wall_seconds, 1), "run_dir": str(result.run_dir)}, indent=2))
    return 0

