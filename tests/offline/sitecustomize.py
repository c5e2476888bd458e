"""Logs every attempt to reach the network from this Python process (tests/test_offline.py).

Put this directory on PYTHONPATH and name a log file in RECURRENT_NETWORK_LOG: every
Python process started with that environment, Jupyter kernels included, appends one
JSON line per attempt to reach a host other than this machine (a connect or a name
lookup; Unix sockets and loopback are fine) with the code that made it. It only
watches: the attempt goes on as it would (and fails inside a network namespace).
"""

from __future__ import annotations

import ipaddress
import json
import os
import socket
import sys
import traceback

_LOG = os.environ.get("RECURRENT_NETWORK_LOG")
_LOCAL_NAMES = {"", "localhost", "localhost.localdomain", "ip6-localhost", "ip6-loopback"}


def _is_local(host: object) -> bool:
    if host is None:
        return True
    if isinstance(host, bytes):
        host = host.decode(errors="replace")
    host = str(host).strip("[]").lower()
    if host in _LOCAL_NAMES:
        return True
    try:
        address = ipaddress.ip_address(host.split("%")[0])
    except ValueError:
        return False
    return address.is_loopback or address.is_unspecified


def _record(event: str, target: object) -> None:
    stack = "".join(traceback.format_stack(limit=10)[:-2])
    line = json.dumps({"event": event, "target": repr(target), "pid": os.getpid(), "argv": sys.argv[:3], "stack": stack})
    with open(_LOG, "a", encoding="utf-8") as fh:
        fh.write(line + "\n")


def _hook(event: str, args: tuple) -> None:
    if not event.startswith(("socket.", "urllib.")):
        return
    try:
        if event in ("socket.connect", "socket.sendto", "socket.sendmsg"):
            sock, address = args[0], args[1]
            if sock.family in (socket.AF_INET, socket.AF_INET6) and isinstance(address, tuple) and not _is_local(address[0]):
                _record(event, address)
        elif event in ("socket.getaddrinfo", "socket.gethostbyname", "socket.gethostbyname_ex", "socket.gethostbyaddr"):
            if not _is_local(args[0]):
                _record(event, args[0])
        elif event == "urllib.Request":
            from urllib.parse import urlsplit

            url = urlsplit(str(args[0]))
            if url.scheme != "file" and not _is_local(url.hostname):
                _record(event, args[0])
    except Exception as exc:  # never break the program being watched
        _record("audit-hook-error", exc)


if _LOG:
    sys.addaudithook(_hook)

# Run the sitecustomize this one shadows, if there is one.
_here = os.path.dirname(os.path.abspath(__file__))
try:
    import importlib.machinery
    import importlib.util

    _spec = importlib.machinery.PathFinder.find_spec(
        "sitecustomize", [p for p in sys.path if p and os.path.abspath(p) != _here])
    if _spec is not None and _spec.loader is not None:
        _module = importlib.util.module_from_spec(_spec)
        _spec.loader.exec_module(_module)
except Exception:
    pass
