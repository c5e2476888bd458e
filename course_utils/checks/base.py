"""What every exercise check is built from: the result a learner sees, and the safe call of
the learner's function.

A check (``course_utils.checks.chNN``) runs the learner's function on cases the learner
does not see, compares with the course's reference, and returns a :class:`CheckResult`
that prints plainly and is truthy only on success. On failure its message is a specific
hint. :class:`SelfTest` records how CI proves a check works.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

__all__ = ["CheckResult", "SelfTest", "call_learner", "call_learner_number", "failed", "passed"]


@dataclass(frozen=True)
class CheckResult:
    """Outcome of one exercise check: truthy when passed, with a message for the learner."""

    exercise: str
    passed: bool
    message: str
    details: dict[str, Any] = field(default_factory=dict)

    def __bool__(self) -> bool:
        return self.passed

    def __str__(self) -> str:
        mark = "PASSED" if self.passed else "NOT YET"
        return f"[{mark}] {self.exercise}: {self.message}"

    def _repr_pretty_(self, p: Any, cycle: bool) -> None:  # IPython display
        p.text(str(self))


def passed(exercise: str, message: str = "all hidden cases agree with the reference.") -> CheckResult:
    return CheckResult(exercise, True, message)


def failed(exercise: str, hint: str, **details: Any) -> CheckResult:
    return CheckResult(exercise, False, hint, details)


def call_learner(exercise: str, fn: Callable[..., Any], *args: Any, **kwargs: Any) -> tuple[Any, CheckResult | None]:
    """Call the learner's function; turn the usual first-attempt errors into hints.

    Returns ``(value, None)`` on success and ``(None, failure)`` otherwise; test the
    second item with ``is not None`` (a failed CheckResult is falsy).
    """
    if not callable(fn):
        return None, failed(exercise, f"pass your function itself, e.g. check(my_function), not {type(fn).__name__}.")
    try:
        return fn(*args, **kwargs), None
    except NotImplementedError:
        return None, failed(exercise, "not implemented yet: replace the `raise NotImplementedError` line with your code.")
    except Exception as exc:  # the learner's bug: report it as a hint, do not crash the notebook
        return None, failed(exercise, f"your function raised {type(exc).__name__}: {exc}")


def call_learner_number(exercise: str, fn: Callable[..., Any], *args: Any, **kwargs: Any) -> tuple[float | None, CheckResult | None]:
    """:func:`call_learner` for exercises whose answer is one number: returns
    ``(float(value), None)``, or ``(None, failure)`` with a hint when it is not a number."""
    got, error = call_learner(exercise, fn, *args, **kwargs)
    if error is not None:
        return None, error
    try:
        return float(got), None
    except (TypeError, ValueError):
        return None, failed(exercise, f"return one number, not {type(got).__name__}.")


@dataclass(frozen=True)
class SelfTest:
    """How CI proves a check works: the reference must pass, the deliberately
    wrong answer must fail with ``hint`` in its message."""

    check: Callable[[Callable[..., Any]], CheckResult]
    reference: Callable[..., Any]
    wrong: Callable[..., Any]
    hint: str
