"""Argument checks shared by ``course_utils``, so that every module words its errors alike.

Each check returns the checked value (converted where it says so) or raises a
``ValueError`` / ``TypeError`` whose message names the argument, the problem and,
through ``fix``, what to do instead. Checks run once at a public entry point, never
inside a per-step loop.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np


def _tail(fix: str) -> str:
    return f"; {fix}" if fix else ""


def _is_int(value: Any, numpy_ints: bool) -> bool:
    if isinstance(value, (bool, np.bool_)):
        return False
    return isinstance(value, (int, np.integer) if numpy_ints else int)


def _int_check(name: str, value: Any, low: int, high: int | None, what: str, meaning: str,
               allow_none: bool, numpy_ints: bool) -> Any:
    """The one integer check behind :func:`int_in_range` and :func:`positive_int`."""
    if allow_none and value is None:
        return value
    if not _is_int(value, numpy_ints) or value < low or (high is not None and value > high):
        if allow_none:
            what += " or None"
        raise ValueError(f"{name} must be {what}{f' ({meaning})' if meaning else ''}, got {value!r}")
    return value


def int_in_range(name: str, value: Any, low: int, *, high: int | None = None, meaning: str = "",
                 allow_none: bool = False, numpy_ints: bool = True) -> Any:
    """Return ``value`` if it is an int (a ``bool`` is not; NumPy integers are when
    ``numpy_ints``) with ``low <= value`` (and ``value <= high`` when ``high`` is given), or
    ``None`` when ``allow_none``; otherwise raise ``ValueError`` naming the argument and the
    range, for example ``window must be an int >= 1, got 0`` or
    ``window must be an int in [1, 40], got 50``."""
    what = f"an int >= {low}" if high is None else f"an int in [{low}, {high}]"
    return _int_check(name, value, low, high, what, meaning, allow_none, numpy_ints)


def positive_int(name: str, value: Any, meaning: str = "", allow_none: bool = False) -> Any:
    """:func:`int_in_range` with ``low=1`` and a Python ``int`` only (a ``bool`` is not
    accepted), worded for sizes, for example
    ``units must be a positive int (the size H of h_t), got 0``."""
    return _int_check(name, value, 1, None, "a positive int", meaning, allow_none, numpy_ints=False)


def finite_number(name: str, value: Any, low: float | None = None, high: float | None = None,
                  low_open: bool = False, high_open: bool = False, fix: str = "") -> float:
    """Return ``value`` as a float if it is a finite real number (Python or NumPy scalar, not a
    ``bool``) inside the bounds given; ``low_open``/``high_open`` exclude the bound itself.
    ``finite_number("alpha", -1.0, low=0, fix="use alpha=0 for no length normalisation")`` raises
    ``alpha must be a finite number >= 0, got -1.0; use alpha=0 for no length normalisation``."""
    bounds = []
    if low is not None:
        bounds.append(f"{'>' if low_open else '>='} {low:g}")
    if high is not None:
        bounds.append(f"{'<' if high_open else '<='} {high:g}")
    what = "a finite number" + (f" {' and '.join(bounds)}" if bounds else "")
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, (int, float, np.integer, np.floating)):
        raise TypeError(f"{name} must be {what}, got {type(value).__name__} {value!r}{_tail(fix)}")
    x = float(value)
    if not np.isfinite(x) or (low is not None and (x <= low if low_open else x < low)) \
            or (high is not None and (x >= high if high_open else x > high)):
        raise ValueError(f"{name} must be {what}, got {value!r}{_tail(fix)}")
    return x


def finite_array(name: str, values: Any, dtype: str | None = None, fix: str = "") -> np.ndarray:
    """Return ``np.asarray(values, dtype)`` after checking it holds real numbers and no NaN or
    infinity (``TypeError`` for text or objects, ``ValueError`` naming the first bad entry)."""
    try:
        arr = np.asarray(values, dtype=dtype)
    except (TypeError, ValueError) as err:
        raise TypeError(f"{name} must be an array of numbers, got {type(values).__name__} ({err})") from None
    if arr.dtype == bool or not (np.issubdtype(arr.dtype, np.integer) or np.issubdtype(arr.dtype, np.floating)):
        raise TypeError(f"{name} must hold real numbers, got dtype {arr.dtype}{_tail(fix)}")
    if np.issubdtype(arr.dtype, np.floating):
        bad = ~np.isfinite(arr)
        if bad.any():
            where = tuple(int(i) for i in np.argwhere(bad)[0])
            raise ValueError(f"{name} holds {int(bad.sum())} NaN or infinite value(s), the first "
                             f"({float(arr[where])}) at index {where if arr.ndim != 1 else where[0]}"
                             f"{_tail(fix or 'find where they come from (a diverged model? missing data?) and remove them')}")
    return arr


def ids_in_range(name: str, ids: Any, size: int, fix: str = "") -> np.ndarray:
    """Return ``np.asarray(ids)`` after checking that it holds integers in ``[0, size)``
    (``TypeError`` for floats or text, ``ValueError`` naming the offending id)."""
    arr = np.asarray(ids)
    if arr.size == 0 and arr.dtype == np.float64:  # np.asarray([]) is float64: an empty list is fine
        return arr.astype("int64")
    if arr.dtype == bool or not np.issubdtype(arr.dtype, np.integer):
        raise TypeError(f"{name} must hold integer ids, got dtype {arr.dtype}{_tail(fix or 'round them with np.asarray(ids).astype(int) only if they are whole numbers')}")
    if arr.size and (arr.min() < 0 or arr.max() >= size):
        bad = int(arr.min()) if arr.min() < 0 else int(arr.max())
        raise ValueError(f"{name} must lie in [0, {size}) (the vocabulary size is {size}), got id {bad}"
                         f"{_tail(fix or 'decode with the vocabulary that produced the ids')}")
    return arr


def non_empty_vocab(name: str, vocab: Any, first: Sequence[str] = (), fix: str = "") -> Sequence[str]:
    """Return ``vocab`` after checking it is a non-empty list or tuple that starts with the
    tokens ``first`` (e.g. the reserved special tokens). Cheap: the entries are not scanned."""
    if isinstance(vocab, str) or not isinstance(vocab, (list, tuple)):
        raise TypeError(f"{name} must be a list of token strings, got {type(vocab).__name__}{_tail(fix)}")
    if not vocab:
        raise ValueError(f"{name} is empty: a vocabulary needs at least one token{_tail(fix)}")
    if list(vocab[: len(first)]) != list(first):
        raise ValueError(f"{name} must start with {list(first)}, got {list(vocab[: len(first)])}{_tail(fix)}")
    return vocab


def same_shape(name_a: str, a: np.ndarray, name_b: str, b: np.ndarray, fix: str = "") -> None:
    """Raise ``ValueError`` naming both shapes unless ``a.shape == b.shape``."""
    if tuple(a.shape) != tuple(b.shape):
        raise ValueError(f"{name_a} has shape {tuple(a.shape)} but {name_b} has {tuple(b.shape)}; they must match"
                         f"{_tail(fix)}")


def string_lists(name: str, value: Any, what: str = "tokens", fix: str = "") -> Sequence[Sequence[str]]:
    """Return ``value`` after checking it is a list of lists of strings (one list per sentence),
    not one string and not a list of strings (which would be read character by character)."""
    if isinstance(value, str) or not isinstance(value, (list, tuple)):
        raise TypeError(f"{name} must be a list of {what} lists (one per sentence), got {type(value).__name__}"
                        f"{_tail(fix)}")
    for i, row in enumerate(value):
        if isinstance(row, str) or not isinstance(row, (list, tuple)):
            raise TypeError(f"{name}[{i}] must be a list of {what}, got {type(row).__name__} {row!r:.40}"
                            f"{_tail(fix or 'split each sentence into a list first')}")
        bad = next((t for t in row if not isinstance(t, str)), None)
        if bad is not None:
            raise TypeError(f"{name}[{i}] must hold strings only, found {type(bad).__name__} {bad!r}{_tail(fix)}")
    return value


def binary_labels(name: str, values: np.ndarray, fix: str = "") -> np.ndarray:
    """Return ``values`` after checking every entry is 0 or 1 (``ValueError`` naming the
    first other value)."""
    ok = np.isin(values, (0, 1))
    if not ok.all():
        raise ValueError(f"{name} must be 0 or 1, found {values[~ok][0]!r}{_tail(fix)}")
    return values


def in_unit_interval(name: str, values: np.ndarray, fix: str = "") -> np.ndarray:
    """Return ``values`` after checking every entry lies in [0, 1] (``ValueError`` naming
    the range found)."""
    if values.size and (values.min() < 0 or values.max() > 1):
        raise ValueError(f"{name} must lie in [0, 1], got values from {values.min()} to {values.max()}{_tail(fix)}")
    return values
