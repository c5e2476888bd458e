"""A unit's activity over a text: the hidden states a character model computes, and their drawing."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

import matplotlib

matplotlib.use("Agg")

import pytest  # noqa: E402

from course_utils.plots import plot_text_activity  # noqa: E402


@settings(max_examples=25, deadline=None)
@given(st.text(alphabet=st.characters(min_codepoint=32, max_codepoint=126) | st.just("\n"), min_size=1, max_size=150),
       st.integers(min_value=8, max_value=40))
def test_every_character_gets_one_coloured_cell(text: str, width: int) -> None:
    import matplotlib.pyplot as plt

    values = np.linspace(-1, 1, len(text))
    fig, ax = plot_text_activity(text, values, width=width)
    assert len(ax.patches) == len(text) and len(ax.texts) == len(text)
    lines = text.count("\n") + sum(len(part) // width for part in text.split("\n"))
    assert -ax.get_ylim()[0] <= lines + 1
    plt.close(fig)


def test_a_newline_after_a_full_line_adds_no_empty_row() -> None:
    import matplotlib.pyplot as plt

    fig, ax = plot_text_activity("abcdefgh\nij", np.zeros(11), width=8)
    assert ax.get_ylim() == (-2, 0) and len(ax.patches) == 11  # "abcdefgh⏎" then "ij"
    plt.close(fig)


def test_values_must_match_the_text() -> None:
    with pytest.raises(ValueError, match="one finite number per character"):
        plot_text_activity("abc", [0.1, 0.2])
    with pytest.raises(ValueError, match="one finite number per character"):
        plot_text_activity("ab", [0.1, float("nan")])


def test_hidden_activity_matches_the_layer_run_over_the_whole_text() -> None:
    from course_utils.rnn.char_lm import CharVocab, build_char_lm, hidden_activity
    from course_utils.seed import set_seed

    import keras

    set_seed(0)
    vocab = CharVocab.from_text("hello world\n")
    model = build_char_lm(vocab.size, "simple", 6)
    text = "hello\nworld"
    acts = hidden_activity(model, vocab, text)
    assert acts.shape == (len(text), 6) and np.all(np.abs(acts) <= 1)
    embedding, rnn = model.layers[0], model.layers[1]
    whole = keras.layers.SimpleRNN(6, return_sequences=True)
    whole.build((1, len(text), embedding.output_dim))
    whole.set_weights(rnn.get_weights())
    expected = whole(embedding(vocab.encode(text)[None])).numpy()[0]
    np.testing.assert_allclose(acts, expected, atol=1e-5)
    with pytest.raises(ValueError, match="at least one character"):
        hidden_activity(model, vocab, "")
