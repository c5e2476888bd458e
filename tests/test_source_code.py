"""course_utils.source_code: the helper chapters use to print library code."""

from __future__ import annotations

import pytest

from course_utils.source_code import show_source, source_of
from course_utils.validate import positive_int


def test_source_is_dedented_and_says_where_it_lives(capsys) -> None:
    from course_utils.seq2seq.layers import Decoder

    text = source_of(Decoder.step)
    assert text.startswith("# course_utils.seq2seq.layers.Decoder.step\ndef step(")
    show_source(positive_int, Decoder.step)
    out = capsys.readouterr().out
    assert out.startswith("# course_utils.validate.positive_int\ndef positive_int(")
    assert "\n\n# course_utils.seq2seq.layers.Decoder.step\n" in out


def test_only_code_objects_are_accepted() -> None:
    with pytest.raises(TypeError, match="functions, methods and classes"):
        source_of(3)
    with pytest.raises(TypeError, match="at least one"):
        show_source()
