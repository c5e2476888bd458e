"""Check a trained figure against its reference value, within a stated tolerance.

Training follows a slightly different floating-point path on every CPU (oneDNN and
OpenBLAS choose their kernels by instruction set: AVX-512, AVX2, ARM NEON), so a trained
metric is reproducible on one machine but not to the last printed digit across machines,
even with every seed fixed. A notebook therefore never checks a trained number as exact
text. It prints the number together with the reference it was compared against:

>>> within("validation cross-entropy (nats/char)", 2.113, reference=2.11, tol=0.05)
validation cross-entropy (nats/char) = 2.113  [reference 2.11 ± 0.05: within]
True

The test run masks the measured number (the pattern ``= <number>  [reference`` in
``tests/nbval_sanitize.cfg``) and compares the rest of the line exactly, so the cell
passes on any CPU while the figure stays inside the tolerance, and fails when it drifts
out ("OUTSIDE" instead of "within"). Quality thresholds are asserted separately.
"""

from __future__ import annotations

from .validate import finite_number

__all__ = ["within"]


def within(name: str, value: float, reference: float, tol: float, fmt: str = "") -> bool:
    """Print ``name = value  [reference R ± tol: within|OUTSIDE]`` and return whether
    ``|value - reference| <= tol``.

    Args:
        name: what the figure is, with its unit, e.g. ``"test perplexity"``.
        value: the measured figure (a finite float).
        reference: the figure measured when the notebook was stored.
        tol: the allowed absolute difference (> 0), chosen wider than the spread across CPUs.
        fmt: format of ``value``; by default as many decimals as ``reference`` shows, plus one.
    """
    if not isinstance(name, str) or not name.strip():
        raise ValueError("within() needs a non-empty name, e.g. within('test accuracy', acc, reference=0.9, tol=0.02)")
    value = finite_number(f"within({name!r}): value", value, fix="a diverged run cannot be compared")
    reference = finite_number(f"within({name!r}): reference", reference)
    tol = finite_number(f"within({name!r}): tol", tol, low=0, low_open=True,
                        fix="state how far the figure may move across CPUs")
    if not fmt:
        text = repr(float(reference))
        decimals = len(text.split(".")[1]) if "." in text and "e" not in text else 3
        fmt = f".{decimals + 1}f"
    ok = abs(value - reference) <= tol
    print(f"{name} = {value:{fmt}}  [reference {reference:g} ± {tol:g}: {'within' if ok else 'OUTSIDE'}]")
    return ok
