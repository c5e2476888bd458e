"""Keep TensorFlow's INFO-level start-up lines out of executed notebooks; keep its warnings.

Importing TensorFlow 2.21 in a kernel writes, on stderr (shown in red under the first
code cell)::

    WARNING: All log messages before absl::InitializeLog() is called are written to STDERR
    I0000 00:00:1795752210.878041   31758 port.cc:153] oneDNN custom operations are on. ...
    I0000 00:00:1795752210.924522   31758 cpu_feature_guard.cc:227] This TensorFlow binary is optimized ...
    To enable the following instructions: AVX2 AVX512F ..., rebuild TensorFlow with the appropriate compiler flags.

Every TensorFlow line starts with its level: ``I`` INFO, ``W`` WARNING, ``E`` ERROR,
``F`` FATAL. Two mechanisms, both by level:

- :data:`TF_LOG_ENV` (``TF_CPP_MIN_LOG_LEVEL=1``) makes TensorFlow drop INFO messages
  itself (the CPU-feature notice, and later ones such as tf.data's "Memory patch
  applied"); WARNING and ERROR lines still print. The runner, the notebook tests
  (the repository's ``conftest.py``) and the ``make lab`` kernel set it.
- It cannot reach the oneDNN notice: that INFO line is logged while the shared library
  loads, before TensorFlow reads the variable (absl's "before absl::InitializeLog()"
  notice above it says so, at every level up to 3). :func:`drop_tf_info` removes such
  INFO lines from a notebook's stored stderr, and absl's notice with them when nothing
  but INFO followed it: exactly what absl would print with INFO switched off. oneDNN
  stays on; only the sentence saying so is gone.

Two ERROR lines are not errors, and go from stored pages too (:data:`_KNOWN_NOISE`, matched
by file and exact wording; every other WARNING and ERROR line is kept):

- ``util.cc] oneDNN supports DT_BOOL only on platforms with AVX-512. Falling back to the
  default Eigen-based implementation if present.``: a boolean op (a mask) runs on
  TensorFlow's own kernel instead of oneDNN's; the result is the same;
- ``node_def_util.cc] NodeDef mentions attribute use_unbounded_threadpool which is not in
  the op definition: Op<name=MapDataset ...``: ``tf.data``'s Python side sets a newer
  attribute on ``Dataset.map`` than the op's registered definition lists; the map runs
  as before.

Learners still see both live, under the cell, in JupyterLab (a kernel's stderr cannot be
filtered by level); docs/WORKSHOP.md says what they mean.
"""

from __future__ import annotations

import os
import re
from typing import Any

TF_LOG_ENV = {"TF_CPP_MIN_LOG_LEVEL": "1"}

# absl's prefix: severity letter, MMDD, hh:mm:ss.micro (before absl is set up: "0000 00:00:"
# and the Unix time), thread id, file:line]
_ABSL_LINE = re.compile(r"^([IWEF])\d{4} \d\d:\d\d:\d+\.\d+ +\d+ ([^\s:\]]+):\d+\] ")
_ABSL_NOTICE = "WARNING: All log messages before absl::InitializeLog() is called are written to STDERR"
# The second lines of multi-line INFO messages (only the CPU-feature notice so far).
# Anything else after an INFO line is kept: it may be the notebook's own stderr.
_INFO_CONTINUATIONS = (
    re.compile(r"^To enable the following instructions: .*rebuild TensorFlow with the appropriate compiler flags\.$"),
)

# ERROR lines that report no error (see the module docstring): (file, start of the message).
_KNOWN_NOISE = (
    ("util.cc", "oneDNN supports DT_BOOL only on platforms with AVX-512. Falling back to the default "
                "Eigen-based implementation if present."),
    ("node_def_util.cc", "NodeDef mentions attribute use_unbounded_threadpool which is not in the op "
                         "definition: Op<name=MapDataset;"),
)


def _is_known_noise(match: re.Match[str]) -> bool:
    """Whether an absl line (``match`` of :data:`_ABSL_LINE`) is one of :data:`_KNOWN_NOISE`."""
    level, source, message = match.group(1), match.group(2), match.string[match.end():]
    return level == "E" and any(source == file and message.startswith(start) for file, start in _KNOWN_NOISE)


def quiet_tf_env(env: dict[str, str] | None = None) -> dict[str, str]:
    """Set :data:`TF_LOG_ENV` in ``env`` (default ``os.environ``) unless already set; return it."""
    env = os.environ if env is None else env
    for key, value in TF_LOG_ENV.items():
        env.setdefault(key, value)
    return env


def drop_tf_info(text: str) -> str:
    """``text`` (a stderr stream) without TensorFlow's INFO lines and its two known ERROR
    lines that report no error (:data:`_KNOWN_NOISE`).

    A line without absl's prefix goes only when it follows an INFO line and is a known
    second line of an INFO message (:data:`_INFO_CONTINUATIONS`); every other line is
    kept. absl's "before absl::InitializeLog()" notice, which only introduces absl's own
    lines, goes when the absl lines after it (up to the next notice) were all INFO: what
    absl prints with INFO switched off."""
    lines = text.splitlines(keepends=True)
    kept: list[str] = []
    notice_at: int | None = None  # index in ``kept`` of the notice whose block we are in
    block_has_other = False
    in_info = False

    def close_block() -> None:
        if notice_at is not None and not block_has_other:
            kept[notice_at] = ""

    for line in lines:
        bare = line.rstrip("\r\n")
        match = _ABSL_LINE.match(bare)
        if bare == _ABSL_NOTICE:
            close_block()
            notice_at, block_has_other, in_info = len(kept), False, False
        elif match:
            in_info = match.group(1) == "I"
            if in_info or _is_known_noise(match):
                continue
            block_has_other = True
        elif in_info and any(pattern.match(bare) for pattern in _INFO_CONTINUATIONS):
            continue
        else:
            in_info = False
        kept.append(line)
    close_block()
    return "".join(kept)


def quiet_outputs(outputs: list[Any]) -> list[Any]:
    """A code cell's outputs with :func:`drop_tf_info` applied to its stderr streams;
    stderr outputs left empty go."""
    result = []
    for out in outputs:
        if out.get("output_type") == "stream" and out.get("name") == "stderr":
            text = out["text"] if isinstance(out["text"], str) else "".join(out["text"])
            out["text"] = drop_tf_info(text)
            if not out["text"]:
                continue
        result.append(out)
    return result


def quiet_notebook(nb: Any) -> Any:
    """Apply :func:`quiet_outputs` to every code cell of ``nb`` (in place); return ``nb``."""
    for cell in nb.cells:
        if cell.get("cell_type") == "code" and cell.get("outputs"):
            cell["outputs"] = quiet_outputs(cell["outputs"])
    return nb
