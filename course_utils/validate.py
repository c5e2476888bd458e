"""Argument checks shared by ``course_utils``, so that every module words its errors alike."""

from __future__ import annotations

from typing import Any


def positive_int(name: str, value: Any, meaning: str = "", allow_none: bool = False) -> Any:
    """Return ``value`` if it is an ``int`` >= 1 (a ``bool`` is not accepted), or ``None``
    when ``allow_none``; otherwise raise ``ValueError`` naming the argument, for example
    ``units must be a positive int (the size H of h_t), got 0``."""
    if allow_none and value is None:
        return value
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        what = "a positive int or None" if allow_none else "a positive int"
        raise ValueError(f"{name} must be {what}{f' ({meaning})' if meaning else ''}, got {value!r}")
    return value
