"""The copy head of the copy-head probe (course_kit/reference/copy_head.py): the mixed
distribution and the gate's targets, on hand-made numbers."""

from __future__ import annotations

import numpy as np
import pytest

from course_kit.reference.copy_head import gate_targets, mix
from course_utils.seq2seq.tokens import END, PAD

V = 8


def _mixed(gate: float, src: list[int], weights: list[float]) -> np.ndarray:
    """P for one sentence, one step: P_vocab uniform over the V pieces."""
    p_vocab = np.full((1, 1, V), 1.0 / V, "float32")
    return np.asarray(mix(p_vocab, np.full((1, 1, 1), gate, "float32"), np.asarray([[weights]], "float32"),
                          np.asarray([src], "int32")))[0, 0]


@pytest.mark.parametrize("gate", [0.0, 0.3, 1.0])
def test_the_mixed_distribution_sums_to_one(gate: float) -> None:
    assert _mixed(gate, [4, 5, 6, PAD], [0.2, 0.5, 0.3, 0.0]).sum() == pytest.approx(1.0, abs=1e-6)


def test_an_open_gate_gives_the_vocabulary_distribution_and_a_closed_one_the_attention() -> None:
    src, weights = [4, 5, 6, PAD], [0.2, 0.5, 0.3, 0.0]
    np.testing.assert_allclose(_mixed(1.0, src, weights), np.full(V, 1.0 / V), atol=1e-7)
    expected = np.zeros(V)
    expected[[4, 5, 6]] = [0.2, 0.5, 0.3]
    np.testing.assert_allclose(_mixed(0.0, src, weights), expected, atol=1e-7)


def test_a_piece_that_occurs_twice_in_the_source_gets_both_weights() -> None:
    p = _mixed(0.0, [4, 5, 4], [0.25, 0.35, 0.4])
    assert p[4] == pytest.approx(0.65) and p[5] == pytest.approx(0.35)
    assert _mixed(0.5, [4, 5, 4], [0.25, 0.35, 0.4])[4] == pytest.approx(0.5 / V + 0.5 * 0.65)


def test_the_gate_targets_of_the_two_supervised_variants() -> None:
    # "Ada is my friend ." -> "Ada ist mein Freund .": Ada (10) and "." (4) occur in the source and
    # stand beside the same neighbour there (the sentence's start, its end); the rest do not occur.
    # "I see I ." -> "Ich I sehe .": "I" (30) occurs twice, but beside other neighbours each time.
    src = np.array([[10, 11, 12, 13, 4], [30, 31, 30, 4, PAD]])
    tgt = np.array([[10, 20, 21, 22, 4, END], [40, 30, 41, 4, END, PAD]])
    np.testing.assert_array_equal(gate_targets(src, tgt, "occurs"),
                                  [[1, 0, 0, 0, 1, 0], [0, 1, 0, 1, 0, -1]])
    np.testing.assert_array_equal(gate_targets(src, tgt, "neighbour"),
                                  [[1, 0, 0, 0, 1, 0], [0, 0, 0, 1, 0, -1]])
    # a name of two pieces: each piece has the other as neighbour on both sides
    np.testing.assert_array_equal(gate_targets(np.array([[50, 51, 52, 7]]), np.array([[60, 51, 52, 7, END]]),
                                               "neighbour"), [[0, 1, 1, 1, 0]])
    with pytest.raises(ValueError, match="rule"):
        gate_targets(src, tgt, "anywhere")
