"""course_utils.approx.within: the tolerant check that trained figures use in checked cells."""

from __future__ import annotations

import math
import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from course_utils.approx import within
from test_portable_outputs import _sanitizers

finite = st.floats(min_value=-1e6, max_value=1e6, allow_nan=False, allow_infinity=False)


def _sanitize(text: str) -> str:
    for pattern, replace in _sanitizers():
        text = pattern.sub(replace, text)
    return text


def test_prints_value_reference_and_verdict(capsys: pytest.CaptureFixture[str]) -> None:
    assert within("validation cross-entropy (nats/char)", 2.113, reference=2.11, tol=0.05)
    assert capsys.readouterr().out == "validation cross-entropy (nats/char) = 2.113  [reference 2.11 ± 0.05: within]\n"
    assert not within("test perplexity", 6.2, reference=5.88, tol=0.15)
    assert capsys.readouterr().out.endswith("[reference 5.88 ± 0.15: OUTSIDE]\n")


@settings(max_examples=200, deadline=None)
@given(value=finite, reference=finite, tol=st.floats(min_value=1e-6, max_value=1e3))
def test_verdict_is_the_distance_and_only_the_number_is_masked(value: float, reference: float, tol: float) -> None:
    import contextlib
    import io

    buf = io.StringIO()
    with contextlib.redirect_stdout(buf):
        ok = within("figure", value, reference=reference, tol=tol)
    assert ok == (abs(value - reference) <= tol)
    line = buf.getvalue()
    masked = _sanitize(line)
    assert masked == f"figure = <measured>  [reference {reference:g} ± {tol:g}: {'within' if ok else 'OUTSIDE'}]\n"


@settings(max_examples=50, deadline=None)
@given(a=finite, b=finite, ref=finite)
def test_two_machines_inside_the_tolerance_print_the_same_checked_text(a: float, b: float, ref: float) -> None:
    """The point of it all: two CPUs whose figures both lie within the tolerance pass
    the same stored output."""
    import contextlib
    import io

    tol = max(abs(a - ref), abs(b - ref)) + 1.0
    outs = []
    for v in (a, b):
        buf = io.StringIO()
        with contextlib.redirect_stdout(buf):
            within("figure", v, reference=ref, tol=tol)
        outs.append(_sanitize(buf.getvalue()))
    assert outs[0] == outs[1]


@pytest.mark.parametrize("kwargs, error, message", [
    ({"name": "", "value": 1.0, "reference": 1.0, "tol": 0.1}, ValueError, "non-empty name"),
    ({"name": "x", "value": math.nan, "reference": 1.0, "tol": 0.1}, ValueError, "value must be a finite number"),
    ({"name": "x", "value": 1.0, "reference": math.inf, "tol": 0.1}, ValueError, "reference must be a finite number"),
    ({"name": "x", "value": 1.0, "reference": 1.0, "tol": 0.0}, ValueError, "tol must be a finite number > 0"),
    ({"name": "x", "value": True, "reference": 1.0, "tol": 0.1}, TypeError, "value must be a finite number"),
    ({"name": "x", "value": "1.0", "reference": 1.0, "tol": 0.1}, TypeError, "value must be a finite number"),
])
def test_bad_input_names_the_problem(kwargs: dict, error: type, message: str) -> None:
    with pytest.raises(error, match=re.escape(message)):
        within(**kwargs)


def test_numpy_scalars_are_accepted(capsys: pytest.CaptureFixture[str]) -> None:
    np = pytest.importorskip("numpy")
    assert within("accuracy", np.float32(0.9651), reference=0.965, tol=0.005)
    assert "= 0.9651  [reference 0.965 ± 0.005: within]" in capsys.readouterr().out
