"""What each worker process of appendix A1 runs: the training step, the loop, the checkpoints.

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

TensorFlow and Keras are imported inside the functions: the launcher imports this package
too, and a worker must declare its logical devices before TensorFlow first uses one.
"""

from __future__ import annotations

import json
import os
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from ..training import without_autotune
from .config import CHECKPOINT_DIR, FAULT_EXIT_CODE, RunConfig

__all__ = ["make_train_step", "run_worker"]

STARTED = time.time()  # when this module was imported: in a worker, about when the process started
Emit = Callable[..., None]


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


def run_worker(run_dir: Path, index: int, attempt: int, seconds: float, started: float = STARTED) -> None:
    """Worker ``index`` of ``attempt``: read ``run_dir/config.json``, train, checkpoint after
    every epoch, and log one JSON line per event (start, epoch, crash, done) to
    ``run_dir/worker{index}.jsonl``, each stamped with seconds since ``started``. Exits the
    process after ``seconds`` or when its launcher is gone (:func:`_watchdog`)."""
    _watchdog(seconds)
    cfg = RunConfig(**json.loads((run_dir / "config.json").read_text(encoding="utf-8")))
    strategy = _make_strategy(cfg)
    from ..seed import set_seed

    set_seed(cfg.seed)
    with open(run_dir / f"worker{index}.jsonl", "a", encoding="utf-8") as log:

        def emit(**record: Any) -> None:
            record = {"attempt": attempt, "worker": index, **record, "t": round(time.time() - started, 3)}
            log.write(json.dumps(record) + "\n")
            log.flush()

        _train_and_evaluate(cfg, strategy, run_dir, index, attempt, emit)


def _make_strategy(cfg: RunConfig) -> Any:
    """The ``tf.distribute`` strategy of ``cfg.strategy``; for "mirrored", first split the CPU
    into ``cfg.replicas`` logical devices (before anything initialises TensorFlow's devices)."""
    import tensorflow as tf

    if cfg.strategy == "mirrored":
        cpu = tf.config.list_physical_devices("CPU")[0]
        tf.config.set_logical_device_configuration(cpu, [tf.config.LogicalDeviceConfiguration()] * cfg.replicas)
    if cfg.strategy == "one":
        return tf.distribute.get_strategy()
    if cfg.strategy == "mirrored":
        return tf.distribute.MirroredStrategy([d.name for d in tf.config.list_logical_devices("CPU")])
    return tf.distribute.MultiWorkerMirroredStrategy()


def _train_and_evaluate(cfg: RunConfig, strategy: Any, run_dir: Path, index: int, attempt: int, emit: Emit) -> None:
    """Train from the chief's latest checkpoint (if any) to ``cfg.epochs``, then log the
    validation loss. Worker ``cfg.fail_worker`` dies where the config says, on attempt 0."""
    import shutil

    import tensorflow as tf

    from ..data import load_shakespeare
    from ..rnn.char_lm import CharVocab, windows

    splits = load_shakespeare(max_chars=max(cfg.train_chars, cfg.eval_chars))
    text = splits.train[: cfg.train_chars]
    vocab = CharVocab.from_text(text)
    x, y = windows(vocab.encode(text), cfg.seq_len)
    steps = len(x) // cfg.global_batch
    model, optimizer, epoch_var = _build_model(strategy, cfg, vocab.size)
    checkpoint = tf.train.Checkpoint(model=model, optimizer=optimizer, completed_epochs=epoch_var)
    manager, write_dir, latest = _checkpoints(checkpoint, run_dir, index)
    start = int(epoch_var.numpy())
    emit(event="start", start_epoch=start, replicas=int(strategy.num_replicas_in_sync), steps=steps,
         restored=latest or "")

    train_step = make_train_step(strategy, model, optimizer, cfg.global_batch)
    for epoch in range(start, cfg.epochs):
        t0 = time.perf_counter()
        total = 0.0
        for step, batch in enumerate(_epoch_batches(strategy, cfg, x, y, epoch)):
            if attempt == 0 and index == cfg.fail_worker and epoch == cfg.fail_epoch and step == cfg.fail_step:
                emit(event="crash", epoch=epoch, step=step)
                os._exit(FAULT_EXIT_CODE)  # a crash: no clean-up, no goodbye to the other workers
            total += float(train_step(batch))
        seconds = time.perf_counter() - t0
        epoch_var.assign(epoch + 1)
        manager.save(checkpoint_number=epoch + 1)
        emit(event="epoch", epoch=epoch, loss=total / steps, seconds=seconds)
    if index != 0:
        shutil.rmtree(write_dir, ignore_errors=True)
    emit(event="done", eval_loss=_eval_loss(model, vocab.encode(splits.validation[: cfg.eval_chars]), cfg.seq_len))


def _build_model(strategy: Any, cfg: RunConfig, vocab_size: int) -> tuple[Any, Any, Any]:
    """Chapter 03's model (Embedding -> ``cfg.cell`` layer -> Dense), its built optimizer and
    the completed-epochs counter, all created under ``strategy``'s scope."""
    import tensorflow as tf

    from ..rnn.char_lm import build_char_lm

    with strategy.scope():
        model = build_char_lm(vocab_size, cfg.cell, cfg.units, embed_dim=cfg.embed_dim, seq_len=cfg.seq_len,
                              learning_rate=cfg.learning_rate, clipnorm=None)
        optimizer = model.optimizer
        optimizer.build(model.trainable_variables)
        epoch_var = tf.Variable(0, dtype=tf.int64, trainable=False, name="completed_epochs")
    return model, optimizer, epoch_var


def _checkpoints(checkpoint: Any, run_dir: Path, index: int) -> tuple[Any, Path, str | None]:
    """``(manager, write_dir, latest)``: the chief writes the checkpoints; every other worker
    must take part in saving too, into a scratch folder. ``checkpoint`` is restored from the
    chief's latest one, if there is one (a restarted run)."""
    import tensorflow as tf

    ckpt_dir = run_dir / CHECKPOINT_DIR
    write_dir = ckpt_dir if index == 0 else run_dir / f"scratch_worker{index}"
    manager = tf.train.CheckpointManager(checkpoint, str(write_dir), max_to_keep=2)
    latest = tf.train.latest_checkpoint(str(ckpt_dir))
    if latest:
        checkpoint.restore(latest).assert_existing_objects_matched()
    return manager, write_dir, latest


def _epoch_batches(strategy: Any, cfg: RunConfig, x: Any, y: Any, epoch: int) -> Any:
    """Epoch ``epoch``'s full global batches of windows ``x`` (n, T) and targets ``y`` (n, T),
    shuffled with a seed made of ``cfg.seed`` and ``epoch`` (a resumed run sees the batches an
    uninterrupted one would), each batch split over the replicas."""
    import numpy as np
    import tensorflow as tf

    steps = len(x) // cfg.global_batch
    order = np.random.default_rng([cfg.seed, epoch]).permutation(len(x))[: steps * cfg.global_batch]
    ds = tf.data.Dataset.from_tensor_slices((x[order], y[order])).batch(cfg.global_batch, drop_remainder=True)
    shard = tf.data.Options()
    shard.experimental_distribute.auto_shard_policy = tf.data.experimental.AutoShardPolicy.DATA
    return strategy.experimental_distribute_dataset(without_autotune(ds).with_options(shard))


def _eval_loss(model: Any, ids: Any, seq_len: int) -> float:
    """Mean cross-entropy (nats/char) of ``model`` on ids (N,), in windows of ``seq_len``."""
    import keras
    import tensorflow as tf

    from ..rnn.char_lm import windows

    eval_x, eval_y = windows(ids, seq_len)
    logits = model(eval_x, training=False)
    return float(tf.reduce_mean(keras.losses.sparse_categorical_crossentropy(eval_y, logits, from_logits=True)))
