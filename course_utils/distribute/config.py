"""What one run of appendix A1 trains (:class:`RunConfig`) and what it returned
(:class:`RunResult`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..cell_kinds import check_cell
from ..validate import finite_number, int_in_range, positive_int
from .cluster import MAX_LOCAL_WORKERS, _check_workers

__all__ = ["CHECKPOINT_DIR", "FAULT_EXIT_CODE", "STRATEGIES", "RunConfig", "RunResult"]

STRATEGIES = ("one", "mirrored", "multi_worker")
FAULT_EXIT_CODE = 75
"""Exit status of a worker that was told to die (``RunConfig.fail_worker``): a simulated crash."""
CHECKPOINT_DIR = "checkpoints"
"""The folder of ``run_dir`` that holds the chief's checkpoints."""


@dataclass(frozen=True)
class RunConfig:
    """One training run of chapter 03's model (Embedding -> recurrent layer -> Dense), small.

    ``cell`` is the recurrent layer's kind, ``"simple"`` (SimpleRNN), ``"lstm"`` or ``"gru"``
    (:mod:`course_utils.cell_kinds`; ``"LSTM"`` is stored as ``"lstm"``).

    ``global_batch`` windows of ``seq_len`` characters per step, split evenly over the
    replicas; ``train_chars`` characters of the Shakespeare training split, reshuffled every
    epoch with a seed derived from ``seed`` and the epoch (so a resumed run sees the same
    batches as an uninterrupted one); the loss reported after training is the mean
    cross-entropy (nats/char) on the first ``eval_chars`` characters of the validation split.
    ``fail_worker``/``fail_epoch``/``fail_step``: that worker exits with
    :data:`FAULT_EXIT_CODE` just before that step of that epoch, on the first attempt only.
    """

    strategy: str = "one"
    replicas: int = 1
    cell: str = "simple"
    units: int = 64
    embed_dim: int = 16
    seq_len: int = 50
    global_batch: int = 64
    train_chars: int = 40_000
    eval_chars: int = 10_000
    epochs: int = 4
    learning_rate: float = 3e-3
    seed: int = 1234
    fail_worker: int | None = None
    fail_epoch: int | None = None
    fail_step: int = 0

    def __post_init__(self) -> None:
        if self.strategy not in STRATEGIES:
            raise ValueError(f"strategy must be one of {STRATEGIES}, got {self.strategy!r}")
        object.__setattr__(self, "cell", check_cell(self.cell))  # frozen: the one place it is set
        int_in_range("replicas", self.replicas, 1, numpy_ints=False,
                     meaning="model copies: logical devices for 'mirrored', processes for 'multi_worker'")
        if self.strategy == "one" and self.replicas != 1:
            raise ValueError(f"strategy='one' trains on one device, got replicas={self.replicas}; "
                             "use strategy='mirrored' or 'multi_worker' for more replicas")
        if self.strategy == "multi_worker":
            _check_workers(self.replicas)
        if self.replicas > MAX_LOCAL_WORKERS:
            raise ValueError(f"replicas={self.replicas} is more than MAX_LOCAL_WORKERS = {MAX_LOCAL_WORKERS} "
                             "on one machine; use 2-4")
        for name in ("units", "embed_dim", "seq_len", "global_batch", "train_chars", "eval_chars", "epochs"):
            positive_int(name, getattr(self, name))
        if self.global_batch % self.replicas:
            raise ValueError(f"global_batch={self.global_batch} does not split evenly over {self.replicas} replicas; "
                             f"choose a multiple of {self.replicas}, e.g. {self.replicas * max(1, self.global_batch // self.replicas)}")
        finite_number("learning_rate", self.learning_rate, low=0, low_open=True)
        int_in_range("seed", self.seed, 0, high=2**31 - 1, numpy_ints=False)
        if (self.fail_worker is None) != (self.fail_epoch is None):
            raise ValueError("give both fail_worker and fail_epoch to simulate a crash, or neither")
        if self.fail_worker is not None:
            int_in_range("fail_worker", self.fail_worker, 0, high=self.processes - 1, numpy_ints=False,
                         meaning="the index of the worker process to kill")
            int_in_range("fail_epoch", self.fail_epoch, 0, high=self.epochs - 1, numpy_ints=False,
                         meaning="the epoch in which it dies")
            int_in_range("fail_step", self.fail_step, 0, numpy_ints=False)
        if self.train_chars // self.seq_len < self.global_batch:
            raise ValueError(f"train_chars={self.train_chars} make {self.train_chars // self.seq_len} windows of "
                             f"{self.seq_len}, fewer than one global batch of {self.global_batch}; use more characters")

    @property
    def processes(self) -> int:
        """Worker processes the run needs: ``replicas`` for multi-worker, else 1."""
        return self.replicas if self.strategy == "multi_worker" else 1


@dataclass
class RunResult:
    """What :func:`launch` observed. ``epochs``: one record per completed epoch, as the chief
    logged it (``attempt``, ``epoch``, ``loss`` = mean training loss of the epoch in nats/char,
    ``seconds``), across attempts; ``eval_loss``: the trained model's validation cross-entropy;
    ``attempts``: exit codes of every worker, per attempt; ``pids``: every process started."""

    config: RunConfig
    epochs: list[dict[str, Any]]
    eval_loss: float
    attempts: list[list[int]]
    pids: list[int]
    resumed_from: list[int]
    wall_seconds: float
    run_dir: Path
    logs: list[str] = field(default_factory=list)

    @property
    def losses(self) -> list[float]:
        """The training-loss curve: the loss of each epoch, last record per epoch."""
        by_epoch = {r["epoch"]: r["loss"] for r in self.epochs}
        return [by_epoch[e] for e in sorted(by_epoch)]

    def seconds_per_epoch(self) -> float:
        """Median wall seconds of an epoch, leaving out each attempt's first (it traces the step)."""
        import numpy as np

        first = {}
        for r in self.epochs:
            first.setdefault(r["attempt"], r["epoch"])
        times = [r["seconds"] for r in self.epochs if r["epoch"] != first[r["attempt"]]]
        return float(np.median(times)) if times else float("nan")
