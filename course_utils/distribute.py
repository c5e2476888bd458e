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
(``--epochs``, ``--units``, ``--global-batch``, ... as in :class:`RunConfig`).

Every run happens in fresh worker processes started by :func:`launch`: TensorFlow fixes its
list of devices the first time it uses one, so the logical devices of ``"mirrored"`` must be
declared before anything else touches TensorFlow, and a multi-worker cluster is several
processes anyway. The launcher puts each worker in its own process group, gives it a hard
timeout, and kills every worker it started when anything goes wrong (``try``/``finally``), so
no process outlives a run. Workers also stop by themselves when their launcher disappears.

Why a custom training loop (``strategy.run``) and not ``model.fit``: with Keras 3.15 and
TensorFlow 2.21, ``model.fit`` under ``MultiWorkerMirroredStrategy`` with two workers stops
before the first step (``ValueError: Attempt to convert a value (PerReplica...) ... to a
Tensor``, raised where Keras builds the model from a distributed batch), and
``keras.callbacks.BackupAndRestore`` is not multi-worker aware (every worker would write the
same file). So the loop is written out, the same loop for all three strategies, and fault
recovery uses ``tf.train.CheckpointManager``: the chief (worker 0) writes the checkpoints,
the other workers write theirs to a scratch folder that is deleted, and on a restart every
worker restores the chief's latest checkpoint and resumes at the next epoch.

Gradient clipping is off here (``clipnorm=None``, chapter 03 uses 1.0): Keras clips each
replica's share of the gradient before the all-reduce sums them, so a clipped distributed
step is not the single-device step, and the point of this appendix is that they agree.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from .paths import repo_root
from .validate import finite_number, int_in_range, positive_int

__all__ = ["FAULT_EXIT_CODE", "MAX_LOCAL_WORKERS", "STRATEGIES", "RunConfig", "RunResult", "RunTimeout", "WorkerFailed",
           "free_ports", "launch", "local_cluster", "processes_alive", "tf_config", "train_char_lm"]

STARTED = time.time()  # when this module was imported: in a worker, about when the process started
STRATEGIES = ("one", "mirrored", "multi_worker")
CELLS = ("SimpleRNN", "LSTM", "GRU")
FAULT_EXIT_CODE = 75
"""Exit status of a worker that was told to die (``RunConfig.fail_worker``): a simulated crash."""
MAX_LOCAL_WORKERS = 8
"""Most replicas (worker processes or logical devices) on one machine: each holds a full copy
of the model and a TensorFlow runtime, and a laptop has few cores to share among them."""
CHECKPOINT_DIR = "checkpoints"


# --------------------------------------------------------------------------- cluster description
def free_ports(n: int, host: str = "localhost") -> list[int]:
    """``n`` distinct TCP ports that are free on ``host`` right now (the OS picks them)."""
    positive_int("n", n, "how many ports")
    sockets = []
    try:
        for _ in range(n):
            s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            s.bind((host, 0))
            sockets.append(s)
        return [s.getsockname()[1] for s in sockets]
    finally:
        for s in sockets:
            s.close()


def local_cluster(workers: int, ports: Sequence[int] | None = None, host: str = "localhost") -> dict[str, list[str]]:
    """The cluster of ``workers`` processes on this machine: ``{"worker": ["localhost:p0", ...]}``,
    on the ``ports`` given or on free ones (:func:`free_ports`)."""
    _check_workers(workers)
    if ports is None:
        ports = free_ports(workers, host)
    ports = list(ports)
    if len(ports) != workers:
        raise ValueError(f"{workers} workers need {workers} ports, got {len(ports)} ({ports}); "
                         "pass one port per worker, or ports=None to pick free ones")
    for p in ports:
        int_in_range("port", p, 1, high=65535, meaning="a TCP port")
    if len(set(ports)) != len(ports):
        raise ValueError(f"ports must be distinct, got {ports}: two workers cannot listen on one port; "
                         "pass ports=None to pick free ones")
    return {"worker": [f"{host}:{p}" for p in ports]}


def tf_config(cluster: dict[str, list[str]], index: int, task_type: str = "worker") -> str:
    """The ``TF_CONFIG`` value (a JSON string) for task ``index`` of ``task_type`` in ``cluster``:
    ``{"cluster": {"worker": [...]}, "task": {"type": "worker", "index": index}}``. Every
    worker gets the same cluster and its own index; worker 0 is the chief."""
    if not isinstance(cluster, dict) or not cluster:
        raise ValueError(f"cluster must be a dict such as {{'worker': ['host0:2222', 'host1:2222']}}, got {cluster!r}; "
                         "make one with local_cluster(workers)")
    for kind, addresses in cluster.items():
        if not isinstance(addresses, (list, tuple)) or not addresses:
            raise ValueError(f"cluster[{kind!r}] must be a non-empty list of 'host:port' addresses, got {addresses!r}")
        for a in addresses:
            host, _, port = str(a).rpartition(":")
            if not isinstance(a, str) or not host or not port.isdigit():
                raise ValueError(f"cluster[{kind!r}] holds {a!r}, which is not a 'host:port' address "
                                 "(e.g. 'localhost:12345' or '10.0.0.2:2222')")
        if len(set(addresses)) != len(addresses):
            raise ValueError(f"cluster[{kind!r}] lists an address twice ({list(addresses)}): each task needs its own port")
    if task_type not in cluster:
        raise ValueError(f"task_type {task_type!r} is not in the cluster, which has {sorted(cluster)}; "
                         "use one of those")
    int_in_range("index", index, 0, high=len(cluster[task_type]) - 1,
                 meaning=f"this task's position in cluster[{task_type!r}]", numpy_ints=False)
    return json.dumps({"cluster": {k: list(v) for k, v in cluster.items()},
                       "task": {"type": task_type, "index": index}})


def _check_workers(workers: Any) -> int:
    if isinstance(workers, bool) or not isinstance(workers, int):
        raise ValueError(f"workers must be an int, got {type(workers).__name__} {workers!r}")
    if workers < 2:
        raise ValueError(f"a multi-worker cluster needs at least 2 workers, got {workers}; "
                         "for one process use strategy='one' (one device) or 'mirrored' (several devices)")
    if workers > MAX_LOCAL_WORKERS:
        raise ValueError(f"{workers} workers on one machine is more than MAX_LOCAL_WORKERS = {MAX_LOCAL_WORKERS}: "
                         "each holds a full TensorFlow runtime and they share this machine's cores; "
                         "use 2-4 here, and one worker per host on a real cluster")
    return workers


# --------------------------------------------------------------------------- what to train
@dataclass(frozen=True)
class RunConfig:
    """One training run of chapter 03's model (Embedding -> recurrent layer -> Dense), small.

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
    cell: str = "SimpleRNN"
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
        if self.cell not in CELLS:
            raise ValueError(f"cell must be one of {CELLS}, got {self.cell!r}")
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


# --------------------------------------------------------------------------- the launcher
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

    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join([str(repo_root()), *filter(None, [env.get("PYTHONPATH")])])
    env.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    env.pop("TF_CONFIG", None)
    deadline = time.monotonic() + timeout_s
    t0 = time.perf_counter()
    pids: list[int] = []
    attempts: list[list[int]] = []
    for attempt in range(restarts + 1):
        n = config.processes
        cluster = local_cluster(n) if config.strategy == "multi_worker" else None
        procs: list[subprocess.Popen[bytes]] = []
        outputs = [run_dir / f"worker{i}.attempt{attempt}.out" for i in range(n)]
        try:
            for i in range(n):
                worker_env = dict(env)
                if cluster is not None:
                    worker_env["TF_CONFIG"] = tf_config(cluster, i)
                with open(outputs[i], "wb") as out:
                    procs.append(subprocess.Popen(
                        [sys.executable, "-m", "course_utils.distribute", "worker", str(run_dir), str(i), str(attempt),
                         str(max(1.0, deadline - time.monotonic()))],
                        env=worker_env, stdout=out, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                        start_new_session=True))  # its own process group: killpg reaches everything it starts
                pids.append(procs[-1].pid)
            codes = _wait(procs, deadline, poll_s)
        finally:
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
    The same code trains on one device, on several devices, or on several processes."""
    if replicas is None:
        replicas = 1 if strategy == "one" else 2
    config = RunConfig(strategy=strategy, replicas=replicas, **settings)
    if run_dir is None:
        import tempfile

        run_dir = tempfile.mkdtemp(prefix=f"a1_{strategy}_")
    return launch(config, run_dir, timeout_s=timeout_s, restarts=restarts)


# --------------------------------------------------------------------------- the worker
def make_train_step(strategy: Any, model: Any, optimizer: Any, global_batch: int) -> Any:
    """One synchronous data-parallel step, the same code for every strategy: each replica
    computes its share of the global mean loss on its slice of the batch (B / replicas
    windows) and its gradients; ``apply_gradients`` sums the gradients of all replicas
    (all-reduce) and applies the same Adam update everywhere. Returns the step as a
    ``tf.function`` taking one distributed batch and returning the global mean loss."""
    import keras
    import tensorflow as tf

    loss_fn = keras.losses.SparseCategoricalCrossentropy(from_logits=True, reduction=None)

    def replica_step(x: Any, y: Any) -> Any:
        with tf.GradientTape() as tape:
            per_window = tf.reduce_mean(loss_fn(y, model(x, training=True)), axis=-1)  # (B / replicas,)
            loss = tf.nn.compute_average_loss(per_window, global_batch_size=global_batch)  # sum / B
        grads = tape.gradient(loss, model.trainable_variables)
        optimizer.apply_gradients(zip(grads, model.trainable_variables))  # all-reduce (SUM), then Adam
        return loss

    @tf.function
    def train_step(batch: Any) -> Any:
        per_replica = strategy.run(replica_step, args=batch)
        return strategy.reduce(tf.distribute.ReduceOp.SUM, per_replica, axis=None)

    return train_step


def _watchdog(seconds: float) -> None:
    """Exit this worker when its time is up or when the launcher that started it is gone."""
    import faulthandler
    import threading

    faulthandler.dump_traceback_later(seconds, exit=True)  # hard timeout, even if stuck in C++
    parent = os.getppid()

    def watch() -> None:
        while True:
            time.sleep(0.5)
            if os.getppid() != parent:
                os._exit(3)

    threading.Thread(target=watch, daemon=True).start()


def _worker(run_dir: Path, index: int, attempt: int, seconds: float, started: float) -> None:
    _watchdog(seconds)
    cfg = RunConfig(**json.loads((run_dir / "config.json").read_text(encoding="utf-8")))
    import tensorflow as tf

    if cfg.strategy == "mirrored":  # before anything initialises TensorFlow's devices
        cpu = tf.config.list_physical_devices("CPU")[0]
        tf.config.set_logical_device_configuration(cpu, [tf.config.LogicalDeviceConfiguration()] * cfg.replicas)

    import keras
    import numpy as np

    from .data import load_shakespeare
    from .rnn.char_lm import CharVocab, build_char_lm, windows
    from .seed import set_seed

    if cfg.strategy == "one":
        strategy = tf.distribute.get_strategy()
    elif cfg.strategy == "mirrored":
        strategy = tf.distribute.MirroredStrategy([d.name for d in tf.config.list_logical_devices("CPU")])
    else:
        strategy = tf.distribute.MultiWorkerMirroredStrategy()
    set_seed(cfg.seed)
    chief = index == 0
    log = open(run_dir / f"worker{index}.jsonl", "a", encoding="utf-8")  # noqa: SIM115 - open for the run

    def emit(**record: Any) -> None:
        record = {"attempt": attempt, "worker": index, **record, "t": round(time.time() - started, 3)}
        log.write(json.dumps(record) + "\n")
        log.flush()

    splits = load_shakespeare(max_chars=max(cfg.train_chars, cfg.eval_chars))
    text = splits.train[: cfg.train_chars]
    vocab = CharVocab.from_text(text)
    x, y = windows(vocab.encode(text), cfg.seq_len)
    steps = len(x) // cfg.global_batch
    options = tf.data.Options()
    options.experimental_distribute.auto_shard_policy = tf.data.experimental.AutoShardPolicy.DATA
    options.autotune.enabled = False

    def epoch_data(epoch: int) -> Any:
        order = np.random.default_rng([cfg.seed, epoch]).permutation(len(x))[: steps * cfg.global_batch]
        ds = tf.data.Dataset.from_tensor_slices((x[order], y[order])).batch(cfg.global_batch, drop_remainder=True)
        return strategy.experimental_distribute_dataset(ds.with_options(options))

    layer = getattr(keras.layers, cfg.cell)
    with strategy.scope():
        model = build_char_lm(vocab.size, lambda: layer(cfg.units, return_sequences=True), embed_dim=cfg.embed_dim,
                              seq_len=cfg.seq_len, learning_rate=cfg.learning_rate, clipnorm=None)
        optimizer = model.optimizer
        optimizer.build(model.trainable_variables)
        epoch_var = tf.Variable(0, dtype=tf.int64, trainable=False, name="completed_epochs")
    checkpoint = tf.train.Checkpoint(model=model, optimizer=optimizer, completed_epochs=epoch_var)
    ckpt_dir = run_dir / CHECKPOINT_DIR
    # the chief writes the checkpoints; every other worker must take part in saving too, into scratch
    write_dir = ckpt_dir if chief else run_dir / f"scratch_worker{index}"
    manager = tf.train.CheckpointManager(checkpoint, str(write_dir), max_to_keep=2)
    latest = tf.train.latest_checkpoint(str(ckpt_dir))
    if latest:
        checkpoint.restore(latest).assert_existing_objects_matched()
    start = int(epoch_var.numpy())
    emit(event="start", start_epoch=start, replicas=int(strategy.num_replicas_in_sync), steps=steps,
         restored=latest or "")

    train_step = make_train_step(strategy, model, optimizer, cfg.global_batch)

    for epoch in range(start, cfg.epochs):
        t0 = time.perf_counter()
        total = 0.0
        for step, batch in enumerate(epoch_data(epoch)):
            if attempt == 0 and index == cfg.fail_worker and epoch == cfg.fail_epoch and step == cfg.fail_step:
                emit(event="crash", epoch=epoch, step=step)
                os._exit(FAULT_EXIT_CODE)  # a crash: no clean-up, no goodbye to the other workers
            total += float(train_step(batch))
        seconds = time.perf_counter() - t0
        epoch_var.assign(epoch + 1)
        manager.save(checkpoint_number=epoch + 1)
        emit(event="epoch", epoch=epoch, loss=total / steps, seconds=seconds)
    if not chief:
        import shutil

        shutil.rmtree(write_dir, ignore_errors=True)
    eval_x, eval_y = windows(vocab.encode(splits.validation[: cfg.eval_chars]), cfg.seq_len)
    logits = model(eval_x, training=False)
    eval_loss = float(tf.reduce_mean(keras.losses.sparse_categorical_crossentropy(eval_y, logits, from_logits=True)))
    emit(event="done", eval_loss=eval_loss)
    log.close()


def main(argv: Sequence[str] | None = None) -> int:
    """``python -m course_utils.distribute train --strategy mirrored --replicas 2 --epochs 4``: train
    chapter 03's model with a strategy and print the run as JSON. (``worker RUN_DIR INDEX ATTEMPT
    SECONDS`` is what :func:`launch` starts in each worker process.)"""
    import argparse

    args = list(sys.argv[1:] if argv is None else argv)
    if args[:1] == ["worker"] and len(args) == 5:
        _worker(Path(args[1]), int(args[2]), int(args[3]), float(args[4]), STARTED)
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
    train.add_argument("--run-dir", type=Path, default=None, help="an empty folder (default: a new temporary one)")
    for name in ("epochs", "units", "global_batch", "train_chars", "seq_len"):
        train.add_argument(f"--{name.replace('_', '-')}", type=int, default=None)
    train.add_argument("--cell", choices=CELLS, default=None)
    train.add_argument("--learning-rate", type=float, default=None)
    opts = parser.parse_args(args)
    settings = {k: v for k, v in vars(opts).items()
                if k in RunConfig.__dataclass_fields__ and k not in ("strategy", "replicas") and v is not None}
    try:
        result = train_char_lm(opts.strategy, opts.replicas, run_dir=opts.run_dir, timeout_s=opts.timeout,
                               restarts=opts.restarts, **settings)
    except (ValueError, TypeError) as err:
        parser.error(str(err))
    print(json.dumps({"strategy": opts.strategy, "replicas": result.config.replicas, "losses": result.losses,
                      "eval_loss": result.eval_loss, "seconds_per_epoch": result.seconds_per_epoch(),
                      "wall_seconds": round(result.wall_seconds, 1), "run_dir": str(result.run_dir)}, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
