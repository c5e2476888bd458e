"""Checks for appendix A1's exercises (TF_CONFIG, the per-replica loss, learning-rate scaling;
build it: a synchronous data-parallel step by hand).

The build-it check runs the learner's step (shards, each replica's share of the gradient, the
all-reduce, one update) and compares the weights after it with those after the library's
single-device step, ``make_train_step`` on the whole batch."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import numpy as np

from .base import CheckResult, SelfTest, call_learner, call_learner_number, failed, passed


def tf_config_for_reference(hosts: list[str], index: int) -> dict[str, Any]:
    """The TF_CONFIG of worker ``index`` in a cluster of workers at ``hosts`` ('host:port')."""
    return {"cluster": {"worker": list(hosts)}, "task": {"type": "worker", "index": index}}


def check_tf_config_for(fn: Callable[[list[str], int], Any]) -> CheckResult:
    """Exercise 1: ``fn(hosts, index) -> dict`` (the value of TF_CONFIG, before json.dumps)."""
    name = "tf_config_for"
    cases = [(["10.0.0.1:2222", "10.0.0.2:2222"], 0), (["10.0.0.1:2222", "10.0.0.2:2222"], 1),
             (["a:1", "b:1", "c:1", "d:1"], 2)]
    for hosts, index in cases:
        got, error = call_learner(name, fn, list(hosts), index)
        if error is not None:
            return error
        if isinstance(got, str):
            try:
                got = json.loads(got)
            except ValueError:
                return failed(name, "return the dict (or its JSON text), e.g. {'cluster': {...}, 'task': {...}}.")
        want = tf_config_for_reference(hosts, index)
        if got == want:
            continue
        if not isinstance(got, dict) or set(got) != {"cluster", "task"}:
            return failed(name, "TF_CONFIG has exactly two keys: 'cluster' (every task's address) and 'task' "
                                "(who this process is).")
        cluster = got.get("cluster")
        if isinstance(cluster, dict) and cluster.get("worker") == [hosts[index]]:
            return failed(name, "every worker gets the SAME cluster, all hosts in the same order; only 'task' "
                                "differs from one worker to the next.")
        if isinstance(cluster, dict) and list(cluster.get("worker", [])) != list(hosts):
            return failed(name, "cluster['worker'] must list all the hosts, in the order given.")
        task = got.get("task")
        if isinstance(task, dict) and task.get("index") == index + 1:
            return failed(name, "task indices count from 0: worker 0 is the chief.")
        return failed(name, f"for hosts={hosts}, index={index} expected {want}, got {got}.")
    return passed(name)


def replica_loss_reference(per_example_losses: np.ndarray, global_batch: int) -> float:
    """A replica's share of the global mean loss: sum of its examples' losses / global batch."""
    return float(np.sum(per_example_losses) / global_batch)


def check_replica_loss(fn: Callable[[np.ndarray, int], Any]) -> CheckResult:
    """Exercise 2: ``fn(per_example_losses, global_batch) -> float``."""
    name = "replica_loss"
    rng = np.random.default_rng(7)
    for local, replicas in [(4, 2), (8, 4), (3, 3)]:
        losses = rng.uniform(0.5, 4.0, size=local)
        got, error = call_learner_number(name, fn, losses.copy(), local * replicas)
        if error is not None:
            return error
        want = replica_loss_reference(losses, local * replicas)
        if np.isclose(got, want):
            continue
        if np.isclose(got, losses.mean()):
            return failed(name, "you took this replica's own mean; the all-reduce SUMS the replicas' gradients, "
                                "so divide by the GLOBAL batch size (tf.nn.compute_average_loss does).")
        if np.isclose(got, losses.sum()):
            return failed(name, "divide the sum by the global batch size, so that the replicas' shares add up "
                                "to the mean over the whole batch.")
        return failed(name, f"expected {want:.4f}, got {got:.4f}.")
    return passed(name)


def scaled_learning_rate_reference(base_lr: float, base_batch: int, global_batch: int) -> float:
    """The linear scaling rule: the learning rate grows with the global batch."""
    return base_lr * global_batch / base_batch


def check_scaled_learning_rate(fn: Callable[[float, int, int], Any]) -> CheckResult:
    """Exercise 3: ``fn(base_lr, base_batch, global_batch) -> float``."""
    name = "scaled_learning_rate"
    for args in [(0.1, 256, 1024), (3e-3, 64, 64), (1e-3, 32, 512), (0.4, 1024, 256)]:
        got, error = call_learner_number(name, fn, *args)
        if error is not None:
            return error
        lr, b0, b = args
        want = scaled_learning_rate_reference(*args)
        if np.isclose(got, want):
            continue
        if b != b0 and np.isclose(got, lr * np.sqrt(b / b0)):
            return failed(name, "that is the square-root rule; this exercise asks for the linear one: "
                                "k times the batch, k times the learning rate.")
        if b != b0 and np.isclose(got, lr * b0 / b):
            return failed(name, "upside down: a LARGER global batch takes a larger learning rate.")
        return failed(name, f"for base_lr={lr}, base_batch={b0}, global_batch={b} expected {want:.4g}, got {got:.4g}.")
    return passed(name)


# -- build it: the synchronous data-parallel step by hand --------------------------------------

_VOCAB, _STEPS, _UNITS, _LR = 7, 5, 6, 0.5  # a tiny character model; plain SGD shows any scaling error


def window_losses(model: Any, x: Any, y: Any) -> Any:
    """(n,) the mean cross-entropy of each window: ids x (n, T), targets y (n, T), as the appendix's
    training step (course_utils.distribute.make_train_step) computes it."""
    import keras
    import tensorflow as tf

    logits = model(x, training=True)
    return tf.reduce_mean(keras.losses.sparse_categorical_crossentropy(y, logits, from_logits=True), axis=-1)


def data_parallel_step_reference(model: Any, optimizer: Any, x: np.ndarray, y: np.ndarray, num_replicas: int) -> float:
    """One synchronous data-parallel step, by hand, in one process: split the B windows into
    ``num_replicas`` shards (np.array_split), let each replica differentiate its share of the global
    mean loss (its sum / B) with the SAME weights, sum the gradients (the all-reduce) and apply
    them once. Returns the global mean loss."""
    import tensorflow as tf

    B = len(x)
    summed = [tf.zeros_like(w) for w in model.trainable_variables]
    global_loss = 0.0
    for shard in np.array_split(np.arange(B), num_replicas):
        with tf.GradientTape() as tape:
            loss = tf.nn.compute_average_loss(window_losses(model, x[shard], y[shard]), global_batch_size=B)
        grads = tape.gradient(loss, model.trainable_variables)
        summed = [s + g for s, g in zip(summed, grads)]
        global_loss += float(loss)
    optimizer.apply_gradients(zip(summed, model.trainable_variables))
    return global_loss


def _model(weights: list[np.ndarray] | None, seen: list[int]) -> Any:
    """Embedding -> SimpleRNN -> Dense logits, with a first layer that notes the batch size of
    every call in ``seen``; the weights are ``weights`` (or drawn from a seeded generator)."""
    import keras

    class _NoteBatch(keras.layers.Layer):
        def call(self, ids: Any) -> Any:
            seen.append(int(ids.shape[0]) if ids.shape[0] is not None else -1)
            return ids

    model = keras.Sequential([keras.Input((_STEPS,), dtype="int32"), _NoteBatch(),
                              keras.layers.Embedding(_VOCAB, 4), keras.layers.SimpleRNN(_UNITS, return_sequences=True),
                              keras.layers.Dense(_VOCAB)])
    rng = np.random.default_rng(11)
    model.set_weights(weights or [rng.normal(scale=0.5, size=w.shape).astype("float32") for w in model.get_weights()])
    seen.clear()
    return model


def _sgd(model: Any) -> Any:
    import keras

    optimizer = keras.optimizers.SGD(learning_rate=_LR)
    optimizer.build(model.trainable_variables)
    return optimizer


def _flat(arrays: list[np.ndarray]) -> np.ndarray:
    return np.concatenate([np.ravel(a) for a in arrays]).astype("float64")


def _shard_steps(weights: list[np.ndarray], x: np.ndarray, y: np.ndarray, R: int) -> tuple[list[np.ndarray], list[int]]:
    """Each shard's own mean-loss gradient, flattened, as an SGD step -lr * g (for the hints)."""
    import tensorflow as tf

    model, steps, sizes = _model(weights, []), [], []
    for shard in np.array_split(np.arange(len(x)), R):
        with tf.GradientTape() as tape:
            loss = tf.reduce_mean(window_losses(model, x[shard], y[shard]))
        grads = tape.gradient(loss, model.trainable_variables)  # the embedding's comes as IndexedSlices
        steps.append(-_LR * _flat([np.asarray(tf.convert_to_tensor(g)) for g in grads]))
        sizes.append(len(shard))
    return steps, sizes


def check_data_parallel_step(fn: Callable[..., Any]) -> CheckResult:
    """Build it: ``fn(model, optimizer, x (B, T), y (B, T), num_replicas) -> global mean loss``, one
    synchronous data-parallel step by hand; the weights after it must equal those after the
    library's single-device step (make_train_step with TensorFlow's default strategy) on the
    whole batch, with plain SGD."""
    import tensorflow as tf

    from ..distribute import make_train_step

    name = "data_parallel_step"
    rng = np.random.default_rng(101)
    for B, R in [(8, 2), (10, 4), (9, 3)]:
        x, y = (rng.integers(0, _VOCAB, size=(B, _STEPS)).astype("int32") for _ in range(2))
        seen: list[int] = []
        model = _model(None, seen)
        start = model.get_weights()
        optimizer = _sgd(model)
        got, error = call_learner(name, fn, model, optimizer, x.copy(), y.copy(), R)
        if error is not None:
            return error
        step = _flat(model.get_weights()) - _flat(start)
        updates = int(optimizer.iterations.numpy())

        reference = _model(start, [])
        eager = tf.config.functions_run_eagerly()
        tf.config.run_functions_eagerly(True)  # the same step, without tracing a new graph for every case
        try:
            want_loss = float(make_train_step(tf.distribute.get_strategy(), reference, _sgd(reference), B)((x, y)))
        finally:
            tf.config.run_functions_eagerly(eager)
        want = _flat(reference.get_weights()) - _flat(start)
        if seen and min(seen) >= B and R > 1:  # the model never saw a shard: right or wrong, no replicas
            return failed(name, f"the model read all {B} windows at once: split the batch into num_replicas = {R} "
                                "shards (np.array_split(np.arange(B), num_replicas)), one per replica.")
        if np.allclose(step, want, rtol=1e-4, atol=1e-6):
            try:
                loss_ok = bool(np.isclose(float(got), want_loss, rtol=1e-4))
            except (TypeError, ValueError):
                loss_ok = False
            if not loss_ok:
                return failed(name, f"the update is right; now return the global mean loss, one number: the sum of "
                                    f"the replicas' shares ({want_loss:.4f} here).")
            continue
        if not np.any(step):
            return failed(name, "the weights did not change: apply the summed gradients once, with "
                                "optimizer.apply_gradients(zip(grads, model.trainable_variables)).")
        if updates > 1:
            return failed(name, f"the optimizer applied {updates} updates; a synchronous step applies ONE. Sum the "
                                "replicas' gradients first (the all-reduce), then call apply_gradients once: "
                                "every replica computes its gradient with the same weights.")
        steps, sizes = _shard_steps(start, x, y, R)
        if np.allclose(step, sum(steps), rtol=1e-4, atol=1e-6):
            return failed(name, f"each replica averaged over its own windows, and the all-reduce SUMS: that is "
                                f"{R} times the gradient. A replica's loss is the sum of its windows' losses "
                                "divided by the GLOBAL batch B (tf.nn.compute_average_loss(..., global_batch_size=B)).")
        if np.allclose(step, sum(steps) / R, rtol=1e-4, atol=1e-6):
            return failed(name, f"the mean of the replicas' means is the global mean only when the shards are "
                                f"equal; here B = {B} windows on {R} replicas make shards of {sizes}. Divide each "
                                "replica's sum by the global batch B, then sum over the replicas.")
        alone = [s * scale for s, n in zip(steps, sizes) for scale in (1, n / B)]  # one replica's step, either scale
        if any(np.allclose(step, one, rtol=1e-4, atol=1e-6) for one in alone):
            return failed(name, "only one replica's gradient reached the update: add up ALL the replicas' "
                                "gradients (the all-reduce) before applying them.")
        return failed(name, "the update differs from one step on the whole batch (the library's make_train_step "
                            "on one device): each replica differentiates sum(window losses) / B for its shard, "
                            "the gradients are summed, and applied once.")
    return passed(name, "after one step the weights equal those of the library's single-device step on the whole "
                        "batch (make_train_step, plain SGD), with even and uneven shards.")


def _own_mean(model: Any, optimizer: Any, x: np.ndarray, y: np.ndarray, num_replicas: int) -> float:
    """A realistic mistake: each replica averages over its own windows, then the gradients are summed."""
    import tensorflow as tf

    summed = [tf.zeros_like(w) for w in model.trainable_variables]
    total = 0.0
    for shard in np.array_split(np.arange(len(x)), num_replicas):
        with tf.GradientTape() as tape:
            loss = tf.reduce_mean(window_losses(model, x[shard], y[shard]))
        summed = [s + g for s, g in zip(summed, tape.gradient(loss, model.trainable_variables))]
        total += float(loss) / num_replicas
    optimizer.apply_gradients(zip(summed, model.trainable_variables))
    return total


SELF_TESTS = [
    SelfTest(check_tf_config_for, tf_config_for_reference,
             wrong=lambda hosts, i: {"cluster": {"worker": [hosts[i]]}, "task": {"type": "worker", "index": i}},
             hint="SAME cluster"),
    SelfTest(check_replica_loss, replica_loss_reference,
             wrong=lambda losses, gb: float(np.mean(losses)), hint="GLOBAL batch"),
    SelfTest(check_scaled_learning_rate, scaled_learning_rate_reference,
             wrong=lambda lr, b0, b: lr * float(np.sqrt(b / b0)), hint="square-root rule"),
    SelfTest(check_data_parallel_step, data_parallel_step_reference, wrong=_own_mean, hint="GLOBAL batch B"),
]
