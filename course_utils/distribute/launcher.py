"""The launcher of appendix A1: every run happens in fresh worker processes.

TensorFlow fixes its list of devices the first time it uses one, so the logical devices of
``"mirrored"`` must be declared before anything else touches TensorFlow, and a multi-worker
cluster is several processes anyway. :func:`launch` puts each worker in its own process
group, gives it a hard timeout, and kills every worker it started when anything goes wrong
(``try``/``finally``), so no process outlives a run. :func:`train_char_lm` is the one call
the appendix makes.
"""

from __future__ import annotations

import functools
import json
import os
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from dataclasses import asdict
from pathlib import Path
from typing import Any

from ..paths import repo_root
from ..validate import finite_number, int_in_range
from .cluster import local_cluster, tf_config
from .config import RunConfig, RunResult

__all__ = ["RunTimeout", "WorkerFailed", "launch", "new_run_dir", "processes_alive", "train_char_lm"]


class WorkerFailed(RuntimeError):
    """A worker exited with an error and no restart was left; ``pids``: every process started."""

    def __init__(self, message: str, pids: list[int]) -> None:
        super().__init__(message)
        self.pids = pids


class RunTimeout(TimeoutError):
    """The run outlived its ``timeout_s`` and every worker was killed; ``pids``: every process started."""

    def __init__(self, message: str, pids: list[int]) -> None:
        super().__init__(message)
        self.pids = pids


def processes_alive(pids: Sequence[int]) -> list[int]:
    """The pids of ``pids`` that still exist (and are not zombies)."""
    alive = []
    for pid in pids:
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            continue
        except PermissionError:  # exists, owned by someone else: a reused pid, not ours
            continue
        try:
            with open(f"/proc/{pid}/stat", encoding="utf-8") as f:
                if f.read().rsplit(")", 1)[1].split()[0] == "Z":
                    continue
        except OSError:
            pass
        alive.append(pid)
    return alive


def _kill(procs: Sequence[subprocess.Popen[bytes]]) -> None:
    """SIGKILL each worker's whole process group, then reap it."""
    for p in procs:
        if p.poll() is None:
            try:
                os.killpg(p.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
    for p in procs:
        try:
            p.wait(timeout=10)
        except subprocess.TimeoutExpired:  # pragma: no cover - SIGKILL is not ignorable
            pass


def _tail(path: Path, n: int = 12) -> str:
    try:
        lines = path.read_text(encoding="utf-8", errors="replace").splitlines()
    except OSError:
        return "(no output)"
    lines = [l for l in lines if not l.startswith(("I0000", "W0000", "WARNING: All log messages"))]
    return "\n".join(lines[-n:])



def launch(config: RunConfig, run_dir: str | os.PathLike[str], timeout_s: float = 120.0,
           restarts: int = 0, poll_s: float = 0.05) -> RunResult:
    """Run ``config`` in fresh worker processes and wait for them; return what they logged.

    ``run_dir`` (created, must be empty or absent) receives the config, each worker's output
    and epoch log, and the chief's checkpoints. When a worker exits with an error, the others
    are killed at once (a synchronous all-reduce cannot go on without it); with ``restarts``
    left, every worker is started again on fresh ports and resumes from the chief's last
    checkpoint, else :class:`WorkerFailed` is raised. ``timeout_s`` bounds the whole run,
    restarts included: past it every worker is killed and :class:`RunTimeout` (a
    ``TimeoutError``) raised. No worker outlives this call; the errors carry ``pids``.
    """
    if not isinstance(config, RunConfig):
        raise TypeError(f"config must be a RunConfig, got {type(config).__name__}; e.g. RunConfig(strategy='mirrored', replicas=2)")
    timeout_s = finite_number("timeout_s", timeout_s, low=0, low_open=True, fix="give the run a time limit in seconds")
    int_in_range("restarts", restarts, 0, numpy_ints=False, meaning="how often to restart after a crash")
    run_dir = Path(run_dir)
    if run_dir.exists() and any(run_dir.iterdir()):
        raise ValueError(f"run_dir {run_dir} is not empty: a leftover checkpoint would be resumed; "
                         "pass a new folder (e.g. tempfile.mkdtemp())")
    run_dir.mkdir(parents=True, exist_ok=True)
    (run_dir / "config.json").write_text(json.dumps(asdict(config)), encoding="utf-8")

    deadline = time.monotonic() + timeout_s
    t0 = time.perf_counter()
    pids: list[int] = []
    attempts: list[list[int]] = []
    for attempt in range(restarts + 1):
        outputs = [run_dir / f"worker{i}.attempt{attempt}.out" for i in range(config.processes)]
        procs: list[subprocess.Popen[bytes]] = []
        try:
            _start_workers(config, run_dir, attempt, deadline, outputs, procs)
            codes = _wait(procs, deadline, poll_s)
        finally:
            pids.extend(p.pid for p in procs)
            _kill(procs)
        attempts.append(codes)
        if codes is None:
            raise RunTimeout(f"the {config.strategy} run did not finish within timeout_s={timeout_s:g} s "
                             f"(attempt {attempt}); every worker was killed. Last output of worker 0:\n"
                             f"{_tail(outputs[0])}\nGive it more time, or train less (fewer epochs or characters).", pids)
        if all(c == 0 for c in codes):
            break
        crashed = [i for i, c in enumerate(codes) if c not in (0, -signal.SIGKILL)]
        if attempt == restarts:
            i = crashed[0] if crashed else 0
            raise WorkerFailed(f"worker {i} of the {config.strategy} run exited with status {codes[i]} on attempt "
                               f"{attempt} ({restarts} restart(s) allowed). Its last output:\n{_tail(outputs[i])}", pids)
    return _collect(config, run_dir, attempts, pids, time.perf_counter() - t0)


def _worker_env() -> dict[str, str]:
    """The environment every worker starts from: this one, with the repository importable,
    TensorFlow's info logs off, and no inherited ``TF_CONFIG`` (each worker gets its own)."""
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join([str(repo_root()), *filter(None, [env.get("PYTHONPATH")])])
    env.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    env.pop("TF_CONFIG", None)
    return env


def _start_workers(config: RunConfig, run_dir: Path, attempt: int, deadline: float, outputs: Sequence[Path],
                   procs: list[subprocess.Popen[bytes]]) -> None:
    """Start ``config.processes`` workers of ``attempt``, appending each to ``procs`` as soon
    as it runs (so that the caller can kill it even if a later start fails); worker ``i``
    writes its output to ``outputs[i]``. A multi-worker run gets a cluster on fresh ports."""
    env = _worker_env()
    cluster = local_cluster(config.processes) if config.strategy == "multi_worker" else None
    for i in range(config.processes):
        worker_env = dict(env)
        if cluster is not None:
            worker_env["TF_CONFIG"] = tf_config(cluster, i)
        with open(outputs[i], "wb") as out:
            procs.append(subprocess.Popen(
                [sys.executable, "-m", "course_utils.distribute", "worker", str(run_dir), str(i), str(attempt),
                 str(max(1.0, deadline - time.monotonic()))],
                env=worker_env, stdout=out, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                start_new_session=True))  # its own process group: killpg reaches everything it starts


def _wait(procs: Sequence[subprocess.Popen[bytes]], deadline: float, poll_s: float) -> list[int] | None:
    """Exit codes once every worker has exited, or as soon as one fails (the rest are then
    killed: they would wait for it for ever in the next all-reduce); None at the deadline."""
    while time.monotonic() < deadline:
        codes = [p.poll() for p in procs]
        if all(c is not None for c in codes):
            return [int(c) for c in codes]
        if any(c not in (None, 0) for c in codes):
            _kill(procs)
            return [int(p.returncode) for p in procs]
        time.sleep(poll_s)
    return None


def _collect(config: RunConfig, run_dir: Path, attempts: list[list[int]], pids: list[int], wall: float) -> RunResult:
    records = []
    log = run_dir / "worker0.jsonl"
    if log.is_file():
        records = [json.loads(l) for l in log.read_text(encoding="utf-8").splitlines() if l.strip()]
    epochs = [r for r in records if r["event"] == "epoch"]
    starts = [r["start_epoch"] for r in records if r["event"] == "start"]
    done = [r for r in records if r["event"] == "done"]
    if not done:
        raise RuntimeError(f"the chief of {run_dir} logged no result; see {run_dir}/worker0.attempt*.out")
    outs = sorted(run_dir.glob("worker*.out"))
    return RunResult(config, epochs, float(done[-1]["eval_loss"]), attempts, pids, starts, wall, run_dir,
                     [_tail(p) for p in outs])


def train_char_lm(strategy: str = "one", replicas: int | None = None, run_dir: str | os.PathLike[str] | None = None,
                  timeout_s: float = 120.0, restarts: int = 0, **settings: Any) -> RunResult:
    """Train chapter 03's character model with ``strategy`` (``"one"``, ``"mirrored"`` or
    ``"multi_worker"``) on ``replicas`` model copies (default 1 for "one", else 2), through
    :func:`launch`; ``settings`` are :class:`RunConfig` fields (``epochs``, ``units``, ...).
    The same code trains on one device, on several devices, or on several processes.

    ``run_dir`` receives the run's logs and checkpoints; by default a new folder that is
    removed when this Python process (the notebook's kernel) exits (:func:`new_run_dir`):
    pass a folder of your own to keep them."""
    if replicas is None:
        replicas = 1 if strategy == "one" else 2
    config = RunConfig(strategy=strategy, replicas=replicas, **settings)
    return launch(config, new_run_dir(strategy) if run_dir is None else run_dir, timeout_s=timeout_s,
                  restarts=restarts)


@functools.cache
def _runs_folder() -> tempfile.TemporaryDirectory[str]:
    """This process's folder of default runs, made on the first one; Python deletes it at exit."""
    return tempfile.TemporaryDirectory(prefix="a1_runs_")


def new_run_dir(strategy: str) -> Path:
    """A new empty folder for one run, inside one temporary folder per process (``a1_runs_*``)
    that Python deletes when the process exits, so that running a notebook again and again
    leaves nothing behind in the temporary directory."""
    return Path(tempfile.mkdtemp(prefix=f"{strategy}_", dir=_runs_folder().name))

