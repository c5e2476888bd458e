"""Execute the course's notebooks headless and tabulate the results.

    python -m course_kit.runner                 # every core notebook -> build/*.ipynb, build/*.html
    python -m course_kit.runner --deep-dives    # ... and the optional deep dives -> build/deep_dives/
    python -m course_kit.runner 00 03           # only the notebooks whose names start so
    python -m course_kit.runner 10a             # one deep dive, by its prefix
    python -m course_kit.runner --store         # also write the outputs back into notebooks/
    python -m course_kit.runner --jobs 2        # two notebooks at once (what `make course` does)

The core notebooks are the chapters and appendices of ``notebooks/``; the deep dives are the
optional notebooks of ``notebooks/deep_dives/`` (``10a_...`` goes deeper into chapter 10,
:func:`course_utils.paths.deep_dive_notebooks`). A prefix names core notebooks (``10`` is
chapter 10 alone) and, once it is as long as a deep dive's id (``10a``) or with
``--deep-dives``, deep dives too. ``--store`` writes a deep dive back where it came from.

Prints one row per notebook (wall seconds and its key metric, see
:func:`course_kit.report.key_metric`) and writes ``build/results.md`` and
``build/results.json``. Exits non-zero if any notebook fails.

``--jobs 2`` runs two notebooks at once, longest first (by each notebook's stated
**Run time**). Small recurrent models leave much of a second core idle, so on 2 cores the
whole course finishes sooner, while each notebook's own wall time grows; the Run time
figures in the notebooks are therefore measured one at a time (``--store`` forces that).

Kernels run with ``TF_CPP_MIN_LOG_LEVEL=1`` (unless set), and TensorFlow's INFO-level
start-up lines are taken out of the outputs (:mod:`course_kit.tflog`); its warnings
and errors stay. A kernel process's own stderr goes through the same filter (and loses
jupyter's notice that it talks over TCP on localhost) before the console shows it. The
HTML pages load MathJax from ``build/mathjax/``, which is copied next to them
(:mod:`course_kit.pages`): they work offline.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from course_utils.paths import DEEP_DIVE_FOLDER, course_notebooks, deep_dive_notebooks, repo_root

from .pages import write_page
from .report import METRICS_ENV
from .tflog import drop_tf_info, quiet_notebook, quiet_tf_env

ROOT = repo_root()
CELL_TIMEOUT_S = 600
_RUN_TIME = re.compile(r"\*\*Run time:\*\*\s*(?:about\s+)?(\d+(?:\.\d+)?)\s*s")


def stated_seconds(path: Path) -> float:
    """The seconds a notebook states in its **Run time** line (0.0 if it has none)."""
    match = _RUN_TIME.search(path.read_text(encoding="utf-8")[:4000])
    return float(match.group(1)) if match else 0.0


def notebook_id(path: Path) -> str:
    """A notebook's id, the part of its name before the first ``_``: ``"05"``, ``"A1"``, ``"10a"``."""
    return path.stem.split("_", 1)[0]


def is_deep_dive(path: Path) -> bool:
    """Whether ``path`` is an optional deep dive (it sits in a ``deep_dives/`` folder)."""
    return path.parent.name == DEEP_DIVE_FOLDER


def find_notebooks(notebook_dir: Path, prefixes: list[str] | None = None, deep_dives: bool = False) -> list[Path]:
    """The course's notebooks in ``notebook_dir``: chapters, then appendices
    (:func:`course_utils.paths.course_notebooks`), then, with ``deep_dives=True``, the deep
    dives of ``notebook_dir/deep_dives/``. With ``prefixes``, only those whose names start
    with one; a deep dive is then searched as well, and matches a prefix at least as long as
    its id (``10a`` finds ``10a_...``; ``10`` finds chapter 10 alone unless ``deep_dives``)."""
    core = course_notebooks(notebook_dir)
    dives = deep_dive_notebooks(notebook_dir)
    if not prefixes:
        return core + dives if deep_dives else core

    def wanted(path: Path, dive: bool) -> bool:
        return any(path.name.startswith(pre) and (not dive or deep_dives or len(pre) >= len(notebook_id(path)))
                   for pre in prefixes)

    found = [p for p in core if wanted(p, is_deep_dive(p))] + [p for p in dives if wanted(p, True)]
    if not found:
        raise SystemExit(f"No notebook in {notebook_dir} or its {DEEP_DIVE_FOLDER}/ starts with {', '.join(prefixes)}")
    return found


def output_dir(path: Path, out_dir: Path) -> Path:
    """Where the executed copy of ``path`` goes: ``out_dir``, or ``out_dir/deep_dives`` for a
    deep dive, so that its relative links (``../10_seq2seq.ipynb``) still point at the chapter."""
    return out_dir / DEEP_DIVE_FOLDER if is_deep_dive(path) else out_dir


# jupyter_client's notice for every kernel it starts on localhost's TCP ports, as the runner does
_TCP_NOTICE = re.compile(r"^\[IPKernelApp\] WARNING \| Kernel is running over TCP without encryption\..*\n?", re.M)


def kernel_console(text: str) -> str:
    """What of a kernel process's own stderr the console shows: ``text`` without TensorFlow's
    INFO lines and known noise (:func:`course_kit.tflog.drop_tf_info`) and without the notice
    that the kernel talks over unencrypted TCP (to this runner, on localhost). Everything else
    stays: a real warning or a crash's last words."""
    return _TCP_NOTICE.sub("", drop_tf_info(text))


def run_notebook(path: Path, out_dir: Path, store: bool = False) -> dict[str, Any]:
    """Execute one notebook; write the executed copy and an HTML page into ``out_dir`` (a deep
    dive's into ``out_dir/deep_dives``: :func:`output_dir`); with ``store``, and if every cell
    ran, write the outputs back into ``path`` itself."""
    import nbformat
    from nbclient import NotebookClient
    from nbclient.exceptions import CellExecutionError

    nb = nbformat.read(path, as_version=4)
    fd, metrics_file = tempfile.mkstemp(suffix=".jsonl")
    os.close(fd)
    os.environ[METRICS_ENV] = metrics_file  # inherited by the kernel
    client = NotebookClient(
        nb, timeout=CELL_TIMEOUT_S, kernel_name="python3", record_timing=True,
        resources={"metadata": {"path": str(path.parent)}},
    )
    t0 = time.perf_counter()
    error = None
    # The kernel process's own stderr (TensorFlow's C++ start-up lines, jupyter's notices) would
    # reach the console beside the progress lines: it goes to a file, then through kernel_console.
    kernel_stderr = tempfile.TemporaryFile("w+", encoding="utf-8", errors="replace")
    try:
        client.execute(env=quiet_tf_env(dict(os.environ)), stderr=kernel_stderr)
    except CellExecutionError as exc:
        error = str(exc).strip().splitlines()[-1] if str(exc).strip() else repr(exc)
    except Exception as exc:  # a dead kernel or a timeout: report it, go on with the next notebook
        error = f"{type(exc).__name__}: {exc}"
    seconds = time.perf_counter() - t0
    kernel_stderr.seek(0)
    leftover = kernel_console(kernel_stderr.read())
    kernel_stderr.close()
    if leftover:
        print(f"{path.stem}, the kernel's own stderr:\n{leftover}", file=sys.stderr, end="", flush=True)
    del os.environ[METRICS_ENV]
    metrics = [json.loads(line) for line in Path(metrics_file).read_text().splitlines() if line.strip()]
    os.unlink(metrics_file)

    cells = slowest_cells(nb)
    quiet_notebook(nb)
    out_dir = output_dir(path, out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    nbformat.write(nb, out_dir / path.name)
    write_page(nb, out_dir / path.with_suffix(".html").name)
    if store and error is None:
        for cell in nb.cells:  # timestamps would make every stored notebook differ from run to run
            cell.metadata.pop("execution", None)
        nbformat.write(nb, path)
    return {"notebook": path.stem, "seconds": round(seconds, 1), "ok": error is None, "error": error,
            "metrics": metrics, "slowest_cells": cells}


def _print_done(i: int, n: int, path: Path, row: dict[str, Any]) -> None:
    print(f"[{i}/{n}] {path.name}: {'ok' if row['ok'] else 'FAILED'} in {row['seconds']:.1f} s", flush=True)


def run_notebooks(notebooks: list[Path], out_dir: Path, store: bool = False, jobs: int = 1) -> list[dict[str, Any]]:
    """Run each notebook (:func:`run_notebook`), ``jobs`` at a time, and return their rows in
    the order given. With ``jobs > 1`` each runs in a process of its own, longest first."""
    n = len(notebooks)
    if jobs <= 1 or n <= 1:
        rows = []
        for i, path in enumerate(notebooks, 1):
            print(f"[{i}/{n}] running {path.name} ...", flush=True)
            rows.append(run_notebook(path, out_dir, store=store))
            _print_done(i, n, path, rows[-1])
        return rows
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor, as_completed

    order = sorted(notebooks, key=stated_seconds, reverse=True)
    print(f"running {n} notebooks, {jobs} at a time, longest first: {', '.join(notebook_id(p) for p in order)}", flush=True)
    done: dict[Path, dict[str, Any]] = {}
    with ProcessPoolExecutor(max_workers=jobs, mp_context=multiprocessing.get_context("spawn")) as pool:
        futures = {pool.submit(run_notebook, path, out_dir, store): path for path in order}
        for future in as_completed(futures):
            path = futures[future]
            done[path] = future.result()
            _print_done(len(done), n, path, done[path])
    return [done[path] for path in notebooks]


def slowest_cells(nb: Any, top: int = 3) -> list[dict[str, Any]]:
    """The ``top`` slowest code cells of an executed notebook (from nbclient's timing
    metadata): index, seconds and first line."""
    import datetime as dt

    rows = []
    for i, cell in enumerate(nb.cells):
        timing = cell.get("metadata", {}).get("execution", {})
        start, end = timing.get("iopub.execute_input"), timing.get("shell.execute_reply")
        if cell.cell_type == "code" and start and end:
            secs = (dt.datetime.fromisoformat(end.replace("Z", "+00:00"))
                    - dt.datetime.fromisoformat(start.replace("Z", "+00:00"))).total_seconds()
            first = next((line for line in cell.source.splitlines() if line.strip() and not line.startswith("#")), "")
            rows.append({"cell": i, "seconds": round(secs, 1), "first_line": first[:70]})
    return sorted(rows, key=lambda r: -r["seconds"])[:top]


def results_table(rows: list[dict[str, Any]]) -> str:
    """A Markdown table: notebook, wall seconds, key metric, status."""
    lines = ["| notebook | wall s | key metric | status |", "|---|---:|---|---|"]
    for r in rows:
        metric = "; ".join(f"{m['name']} = {m['text']}" for m in r["metrics"]) or "-"
        status = "ok" if r["ok"] else f"FAILED: {r['error']}"
        lines.append(f"| {r['notebook']} | {r['seconds']:.1f} | {metric} | {status} |")
    total = sum(r["seconds"] for r in rows)
    lines.append(f"| **total** | **{total:.1f}** | | {sum(r['ok'] for r in rows)}/{len(rows)} ok |")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m course_kit.runner", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("only", nargs="*", help="notebook name prefixes, e.g. 00 03 A1 10a (default: all)")
    parser.add_argument("--deep-dives", action="store_true",
                        help="also run the optional deep dives of notebooks/deep_dives/ (with prefixes: theirs too)")
    parser.add_argument("--notebooks", type=Path, default=ROOT / "notebooks")
    parser.add_argument("--out", type=Path, default=ROOT / "build")
    parser.add_argument("--store", action="store_true", help="write executed outputs back into the notebooks")
    parser.add_argument("--jobs", "-j", type=int, default=1,
                        help="notebooks run at once, longest first (default 1; --store always uses 1)")
    args = parser.parse_args(argv)

    if args.jobs < 1:
        parser.error(f"--jobs must be 1 or more, got {args.jobs}")
    jobs = 1 if args.store else args.jobs  # stored Run time figures are measured one notebook at a time
    notebooks = find_notebooks(args.notebooks, args.only, deep_dives=args.deep_dives)
    wall_start = time.perf_counter()
    rows = run_notebooks(notebooks, args.out, store=args.store, jobs=jobs)
    wall = time.perf_counter() - wall_start
    table = results_table(rows) + f"\n\nWall time: {wall:.0f} s, {jobs} notebook{'s' if jobs > 1 else ''} at a time."
    print("\n" + table)
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "results.md").write_text(table + "\n", encoding="utf-8")
    (args.out / "results.json").write_text(json.dumps(rows, indent=2) + "\n", encoding="utf-8")
    print(f"\nExecuted notebooks and HTML pages are in {args.out}/")
    return 0 if all(r["ok"] for r in rows) else 1


if __name__ == "__main__":
    sys.exit(main())
