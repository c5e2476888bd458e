"""The shared argument check: one wording for every module's errors."""

from __future__ import annotations

import pytest

from course_utils.validate import positive_int


def test_accepts_positive_ints_and_returns_them() -> None:
    assert positive_int("units", 3) == 3
    assert positive_int("max_words", None, allow_none=True) is None


@pytest.mark.parametrize("value", [0, -2, 1.5, "3", True, None])
def test_rejects_everything_else_naming_the_argument(value) -> None:
    with pytest.raises(ValueError, match=r"^units must be a positive int \(the size H of h_t\), got "):
        positive_int("units", value, "the size H of h_t")


def test_says_when_none_is_allowed() -> None:
    with pytest.raises(ValueError, match=r"^max_chars must be a positive int or None, got 0$"):
        positive_int("max_chars", 0, allow_none=True)
