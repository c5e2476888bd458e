"""The cluster of worker processes on this machine and the ``TF_CONFIG`` each worker reads
(appendix A1): :func:`free_ports`, :func:`local_cluster`, :func:`tf_config`.
"""

from __future__ import annotations

import json
import socket
from collections.abc import Sequence
from typing import Any

from ..validate import int_in_range, positive_int

__all__ = ["MAX_LOCAL_WORKERS", "free_ports", "local_cluster", "tf_config"]

MAX_LOCAL_WORKERS = 8
"""Most replicas (worker processes or logical devices) on one machine: each holds a full copy
of the model and a TensorFlow runtime, and a laptop has few cores to share among them."""


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
