"""Deterministic, order-independent train/validation/test splits.

Every example is assigned to a split by hashing a *normalised* key, so the
assignment does not depend on where an example sits in its source file, and two
examples that normalise to the same text always land in the same split.
For sentence pairs, examples that share a normalised English *or* German side
are grouped first (union-find), so no sentence appears in two splits.
"""

from __future__ import annotations

import hashlib
import numbers
import re
import unicodedata
from collections.abc import Callable, Iterable, Sequence
from typing import TypeVar

T = TypeVar("T")

SPLITS: tuple[str, str, str] = ("train", "validation", "test")
DEFAULT_FRACTIONS: tuple[float, float, float] = (0.8, 0.1, 0.1)

_PUNCT = re.compile(r"[^\w\s]", re.UNICODE)
_SPACE = re.compile(r"\s+")


def normalise(text: str) -> str:
    """Return the comparison key of ``text``: NFKC, case-folded, no punctuation,
    single spaces. ``"Ich heiße John!"`` -> ``"ich heisse john"``."""
    if not isinstance(text, str):
        raise TypeError(f"normalise() expects a str, got {type(text).__name__}")
    text = unicodedata.normalize("NFKC", text).casefold()
    text = _PUNCT.sub(" ", text)
    return _SPACE.sub(" ", text).strip()


def hash_unit(key: str) -> float:
    """Map a string to a stable number in [0, 1) (first 8 bytes of SHA-256)."""
    digest = hashlib.sha256(key.encode("utf-8")).digest()
    return int.from_bytes(digest[:8], "big") / 2**64


def split_of(key: str, fractions: Sequence[float] = DEFAULT_FRACTIONS) -> str:
    """Name of the split that the (already normalised) ``key`` belongs to."""
    _check_fractions(fractions)
    u = hash_unit(key)
    if u < fractions[0]:
        return "train"
    if u < fractions[0] + fractions[1]:
        return "validation"
    return "test"


def _check_fractions(fractions: Sequence[float]) -> None:
    if len(fractions) != 3 or any(isinstance(f, bool) or not isinstance(f, numbers.Real) or not 0 <= f <= 1
                                  for f in fractions):
        raise ValueError(
            f"fractions must be three numbers in [0, 1] (train, validation, test), got {tuple(fractions)}; "
            "e.g. (0.8, 0.1, 0.1)"
        )
    if abs(sum(fractions) - 1.0) > 1e-9:
        raise ValueError(f"fractions must sum to 1, got {tuple(fractions)} (sum {sum(fractions)})")


def assign_splits(
    items: Iterable[T],
    keys: Callable[[T], Sequence[str]],
    fractions: Sequence[float] = DEFAULT_FRACTIONS,
) -> dict[str, list[T]]:
    """Split ``items`` into train/validation/test, order-independently.

    ``keys(item)`` returns the strings that must never be shared across splits
    (for a sentence pair: both sides). Items linked through any shared
    normalised key form one group; a group's split is decided by hashing its
    smallest key. Exact duplicates are dropped. Inside each split, items are
    sorted by (hash, item) so the result does not depend on input order.
    """
    _check_fractions(fractions)
    unique = sorted(set(items))  # type: ignore[type-var]
    if not unique:
        raise ValueError("assign_splits() got no items; check that the source is not empty")

    parent: dict[str, str] = {}

    def find(k: str) -> str:
        root = k
        while parent[root] != root:
            root = parent[root]
        while parent[k] != root:  # path compression
            parent[k], k = root, parent[k]
        return root

    def union(a: str, b: str) -> None:
        ra, rb = find(a), find(b)
        if ra != rb:
            if rb < ra:
                ra, rb = rb, ra
            parent[rb] = ra  # the smaller key stays the root

    item_keys: list[list[str]] = []
    for item in unique:
        ks = [normalise(k) for k in keys(item)]
        if not ks:
            raise ValueError(f"keys() returned no key for {item!r}")
        for k in ks:
            parent.setdefault(k, k)
        for k in ks[1:]:
            union(ks[0], k)
        item_keys.append(ks)

    out: dict[str, list[tuple[float, T]]] = {name: [] for name in SPLITS}
    for item, ks in zip(unique, item_keys):
        root = find(ks[0])
        out[split_of(root, fractions)].append((hash_unit("|".join(ks)), item))
    return {name: [item for _, item in sorted(rows)] for name, rows in out.items()}
