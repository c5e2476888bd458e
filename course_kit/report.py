"""Key metrics: each notebook reports one headline figure, which `make course` tabulates."""

from __future__ import annotations

import json
import math
import os

METRICS_ENV = "RECURRENT_METRICS_FILE"


def key_metric(name: str, value: float, fmt: str = ".4g") -> None:
    """Print a notebook's headline figure and, when the course runner set
    ``$RECURRENT_METRICS_FILE``, append it there as one JSON line."""
    if not isinstance(name, str) or not name.strip():
        raise ValueError("key_metric() needs a non-empty name, e.g. key_metric('test accuracy', 0.93)")
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
        raise ValueError(f"key_metric() needs a finite number for {name!r}, got {value!r}")
    print(f"Key metric: {name} = {value:{fmt}}")
    path = os.environ.get(METRICS_ENV)
    if path:
        with open(path, "a", encoding="utf-8") as f:
            f.write(json.dumps({"name": name, "value": float(value), "text": f"{value:{fmt}}"}) + "\n")
