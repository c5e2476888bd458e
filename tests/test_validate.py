"""The shared argument checks: one wording for every module's errors."""

from __future__ import annotations

import numpy as np
import pytest

from course_utils.validate import (finite_array, finite_number, ids_in_range, non_empty_vocab, positive_int,
                                   same_shape, string_lists)


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


# --------------------------------------------------------------------------- the checks added for bad data
def test_finite_number_bounds_and_fix() -> None:
    assert finite_number("alpha", 0, low=0) == 0.0
    assert finite_number("tau", np.float32(0.5), low=0, low_open=True) == 0.5
    with pytest.raises(ValueError, match=r"^alpha must be a finite number >= 0, got -1.0; use alpha=0 for none$"):
        finite_number("alpha", -1.0, low=0, fix="use alpha=0 for none")
    with pytest.raises(ValueError, match=r"> 0 and < 1, got nan"):
        finite_number("p", float("nan"), 0, 1, low_open=True, high_open=True)
    with pytest.raises(TypeError, match="got bool True"):
        finite_number("k", True)
    with pytest.raises(TypeError, match="got str"):
        finite_number("k", "1")


def test_finite_array_names_the_first_bad_entry() -> None:
    assert finite_array("x", [1, 2]).tolist() == [1, 2]
    with pytest.raises(ValueError, match=r"^x holds 2 NaN or infinite value\(s\), the first \(inf\) at index 1; fill it$"):
        finite_array("x", [0.0, np.inf, np.nan], fix="fill it")
    with pytest.raises(ValueError, match=r"at index \(1, 0\)"):
        finite_array("x", [[0.0], [np.nan]])
    with pytest.raises(TypeError, match="must be an array of numbers"):
        finite_array("x", ["a"], "float64")
    with pytest.raises(TypeError, match="must hold real numbers, got dtype bool"):
        finite_array("x", [True])


def test_ids_in_range() -> None:
    assert ids_in_range("ids", [0, 4], 5).tolist() == [0, 4]
    assert ids_in_range("ids", [], 5).size == 0
    with pytest.raises(ValueError, match=r"must lie in \[0, 5\) .* got id 5"):
        ids_in_range("ids", [1, 5], 5)
    with pytest.raises(ValueError, match="got id -1"):
        ids_in_range("ids", [-1], 5)
    with pytest.raises(TypeError, match="must hold integer ids, got dtype float64"):
        ids_in_range("ids", [1.0], 5)


def test_non_empty_vocab_same_shape_string_lists() -> None:
    assert non_empty_vocab("vocab", ["", "a"], [""]) == ["", "a"]
    with pytest.raises(ValueError, match="vocab is empty"):
        non_empty_vocab("vocab", [])
    with pytest.raises(ValueError, match=r"must start with \[''\]"):
        non_empty_vocab("vocab", ["a"], [""])
    with pytest.raises(TypeError, match="list of token strings, got str"):
        non_empty_vocab("vocab", "abc")
    with pytest.raises(ValueError, match=r"a has shape \(2,\) but b has \(3,\)"):
        same_shape("a", np.zeros(2), "b", np.zeros(3))
    assert string_lists("x", [["a"], []]) == [["a"], []]
    with pytest.raises(TypeError, match=r"x\[1\] must be a list of tokens, got str"):
        string_lists("x", [["a"], "b c"])
    with pytest.raises(TypeError, match=r"x\[0\] must hold strings only, found int 3"):
        string_lists("x", [[3]])


def test_binary_labels_and_unit_interval_name_the_first_bad_value() -> None:
    from course_utils.validate import binary_labels, in_unit_interval

    y = np.array([0, 1, 1])
    assert binary_labels("labels", y) is y
    with pytest.raises(ValueError, match=r"labels must be 0 or 1, found np.int64\(2\); map them"):
        binary_labels("labels", np.array([0, 2, 5]), "map them")
    p = np.array([0.0, 0.5, 1.0])
    assert in_unit_interval("p", p) is p
    assert in_unit_interval("p", np.array([])).size == 0
    with pytest.raises(ValueError, match=r"p must lie in \[0, 1\], got values from -0.1 to 1.0; use a sigmoid"):
        in_unit_interval("p", np.array([-0.1, 1.0]), "use a sigmoid")
