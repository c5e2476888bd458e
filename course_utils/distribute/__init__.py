"""Train chapter 03's character model on one device, on several devices of one process, or on
several processes, and survive a worker lost mid-run (appendix A1).

Three strategies, one training function (:func:`train_char_lm`):

- ``"one"``: TensorFlow's default strategy, one device;
- ``"mirrored"``: ``tf.distribute.MirroredStrategy`` over ``replicas`` logical CPU devices of
  one process (each replica a copy of the model, gradients summed across them every step);
- ``"multi_worker"``: ``tf.distribute.MultiWorkerMirroredStrategy`` over ``replicas`` worker
  processes on this machine, each told its place in the cluster by ``TF_CONFIG``
  (:func:`tf_config`), gradients summed by collective all-reduce over gRPC.

From a shell, the same: ``python -m course_utils.distribute train --strategy multi_worker --replicas 2``
(``--epochs``, ``--units``, ``--global-batch``, ``--cell``, ... as in :class:`RunConfig`).

The parts, each importable from here:

- :mod:`~course_utils.distribute.config`: :class:`RunConfig` (what to train) and
  :class:`RunResult` (what a run returned);
- :mod:`~course_utils.distribute.cluster`: the cluster on this machine and each worker's
  ``TF_CONFIG``;
- :mod:`~course_utils.distribute.launcher`: :func:`launch` starts every run in fresh worker
  processes and never leaves one behind; :func:`train_char_lm` is the one call the appendix makes;
- :mod:`~course_utils.distribute.worker`: what a worker process runs: :func:`make_train_step`,
  the training loop, the checkpoints;
- :mod:`~course_utils.distribute.cli`: the command line (``__main__`` runs it).
"""

from __future__ import annotations

from .cli import main
from .cluster import MAX_LOCAL_WORKERS, free_ports, local_cluster, tf_config
from .config import CHECKPOINT_DIR, FAULT_EXIT_CODE, STRATEGIES, RunConfig, RunResult
from .launcher import RunTimeout, WorkerFailed, launch, processes_alive, train_char_lm
from .worker import make_train_step

__all__ = ["CHECKPOINT_DIR", "FAULT_EXIT_CODE", "MAX_LOCAL_WORKERS", "STRATEGIES", "RunConfig", "RunResult",
           "RunTimeout", "WorkerFailed", "free_ports", "launch", "local_cluster", "main", "make_train_step",
           "processes_alive", "tf_config", "train_char_lm"]
