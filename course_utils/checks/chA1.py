"""Checks for appendix A1's exercises (TF_CONFIG, the per-replica loss, learning-rate scaling)."""

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


SELF_TESTS = [
    SelfTest(check_tf_config_for, tf_config_for_reference,
             wrong=lambda hosts, i: {"cluster": {"worker": [hosts[i]]}, "task": {"type": "worker", "index": i}},
             hint="SAME cluster"),
    SelfTest(check_replica_loss, replica_loss_reference,
             wrong=lambda losses, gb: float(np.mean(losses)), hint="GLOBAL batch"),
    SelfTest(check_scaled_learning_rate, scaled_learning_rate_reference,
             wrong=lambda lr, b0, b: lr * float(np.sqrt(b / b0)), hint="square-root rule"),
]
