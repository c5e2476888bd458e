"""Character LM pieces: vocabulary, windows, model, perplexity evaluation, stepper and decoding."""

from __future__ import annotations

import keras
import numpy as np
import pytest

from course_utils.rnn.char_lm import (CharVocab, build_char_lm, char_lm_dataset, evaluate_char_lm,
                                     evaluate_char_lm_stateful, make_stepper, windows)
from course_utils.rnn.sampling import apply_temperature, autocomplete, generate, sample_next

TEXT = "to be or not to be, that is the question. " * 40


def test_vocab_round_trip_and_unknowns() -> None:
    vocab = CharVocab.from_text(TEXT)
    assert vocab.chars == tuple(sorted(set(TEXT))) and vocab.size == len(set(TEXT)) + 2
    assert vocab.decode(vocab.encode("to be")) == "to be"
    assert vocab.encode(" ")[0] == 2, "the first character comes after padding (0) and unknown (1)"
    assert vocab.encode("Z")[0] == CharVocab.UNK_ID == 1 and vocab.decode([1]) == "?"
    assert vocab.decode([CharVocab.PAD_ID, *vocab.encode("to")]) == "to", "padding decodes to nothing"
    with pytest.raises(ValueError, match="empty"):
        CharVocab.from_text("")
    with pytest.raises(ValueError, match=r"\[0,"):
        vocab.decode([vocab.size])


def test_windows_shift_targets_by_one() -> None:
    x, y = windows(np.arange(11), 5)
    assert x.tolist() == [[0, 1, 2, 3, 4], [5, 6, 7, 8, 9]]
    assert y.tolist() == [[1, 2, 3, 4, 5], [6, 7, 8, 9, 10]]
    with pytest.raises(ValueError, match="too few"):
        windows(np.arange(3), 5)


def test_stepper_matches_the_full_model_for_each_layer_kind() -> None:
    vocab = CharVocab.from_text(TEXT)
    ids = vocab.encode(TEXT[:12])
    for cell in ("simple", "lstm", "gru"):
        model = build_char_lm(vocab.size, cell, 8, embed_dim=4)
        full = np.asarray(model(ids[None]))[0]
        step, init = make_stepper(model)
        states, outs = init(1), []
        for i in ids:
            logits, states = step(np.array([i]), states)
            outs.append(logits[0])
        np.testing.assert_allclose(np.stack(outs), full, atol=1e-5)


@pytest.mark.parametrize("cell", ["lstm", "gru", "simple"])
def test_stateful_evaluation_carries_the_state(cell: str) -> None:
    """The carried state makes the window length irrelevant, and the result is the mean loss of
    reading each stream one character at a time from a zero state (computed with the stepper)."""
    keras.utils.set_random_seed(3)
    vocab = CharVocab.from_text(TEXT)
    ids = vocab.encode(TEXT[:203])  # 202 predictions: 3 streams of 67, the last prediction dropped
    model = build_char_lm(vocab.size, cell, 8, embed_dim=4)
    by_window = {n: evaluate_char_lm_stateful(model, ids, streams=3, seq_len=n) for n in (5, 16, 67, 100)}
    assert max(by_window.values()) - min(by_window.values()) < 1e-5, by_window
    step, init = make_stepper(model)
    x, y = ids[:201].reshape(3, 67), ids[1:202].reshape(3, 67)
    states, total = init(3), 0.0
    for t in range(67):
        logits, states = step(x[:, t], states)
        log_probs = logits - np.log(np.exp(logits).sum(axis=1, keepdims=True))
        total -= log_probs[np.arange(3), y[:, t]].sum()
    assert by_window[16] == pytest.approx(total / 201, abs=1e-5)
    # one window per stream and one stream: the stateless evaluation of the same characters
    assert evaluate_char_lm_stateful(model, ids[:101], streams=1, seq_len=100) == pytest.approx(
        evaluate_char_lm(model, ids[:101], seq_len=100), abs=1e-5)


def test_stateful_evaluation_validates() -> None:
    vocab = CharVocab.from_text(TEXT)
    model = build_char_lm(vocab.size, "gru", 4)
    with pytest.raises(ValueError, match="too few"):
        evaluate_char_lm_stateful(model, vocab.encode("to be"), streams=8)
    with pytest.raises(ValueError, match="1-D integer"):
        evaluate_char_lm_stateful(model, np.zeros((2, 50)), streams=2)
    with pytest.raises(ValueError, match="streams"):
        evaluate_char_lm_stateful(model, vocab.encode(TEXT), streams=0)
    with pytest.raises(ValueError, match="Embedding"):
        evaluate_char_lm_stateful(keras.Sequential([keras.Input((3,)), keras.layers.Dense(2)]), vocab.encode(TEXT))


def test_training_lowers_perplexity_and_decoding_works() -> None:
    keras.utils.set_random_seed(0)
    vocab = CharVocab.from_text(TEXT)
    ids = vocab.encode(TEXT)
    model = build_char_lm(vocab.size, "simple", 32, embed_dim=8, learning_rate=1e-2)
    before = evaluate_char_lm(model, ids, seq_len=20)
    model.fit(char_lm_dataset(ids, seq_len=20, batch_size=16), epochs=3, verbose=0, shuffle=False)
    after = evaluate_char_lm(model, ids, seq_len=20)
    assert after < before and before == pytest.approx(np.log(vocab.size), rel=0.1)
    greedy = generate(model, vocab, "to be ", 30, temperature=0)
    assert len(greedy) == 30 and greedy == generate(model, vocab, "to be ", 30, temperature=0)
    assert generate(model, vocab, "to", 20, temperature=1.0, seed=1) == generate(model, vocab, "to", 20, 1.0, seed=1)
    done = autocomplete(model, vocab, "to be", max_chars=25, stop=".")
    assert done.startswith("to be") and "." not in done[5:] and len(done) <= 30


def test_temperature_and_sampling() -> None:
    logits = np.array([2.0, 1.0, 0.0])
    assert apply_temperature(logits, 1.0).sum() == pytest.approx(1.0)
    assert apply_temperature(logits, 0.1)[0] > apply_temperature(logits, 1.0)[0] > apply_temperature(logits, 10)[0]
    assert apply_temperature(logits, 0).tolist() == [1.0, 0.0, 0.0]
    assert sample_next(logits, 0) == 0
    draws = [sample_next(logits, 1.0, np.random.default_rng(s)) for s in range(200)]
    assert set(draws) == {0, 1, 2}
    with pytest.raises(ValueError, match="temperature"):
        apply_temperature(logits, -1)
    with pytest.raises(ValueError, match="one step"):
        sample_next(np.zeros((2, 3)))


def test_builder_and_generate_validate() -> None:
    vocab = CharVocab.from_text(TEXT)
    with pytest.raises(ValueError, match="return_sequences=True"):
        build_char_lm(vocab.size, lambda units: keras.layers.SimpleRNN(units), 4)
    with pytest.raises(TypeError, match="function"):
        build_char_lm(vocab.size, keras.layers.SimpleRNN(4, return_sequences=True), 4)
    with pytest.raises(ValueError, match=r"cell must be one of 'simple', 'lstm', 'gru', got 'SimpleRNN'"):
        build_char_lm(vocab.size, "SimpleRNN", 4)
    with pytest.raises(TypeError, match=r"layer options \['unroll'\] apply only to a kind"):
        build_char_lm(vocab.size, lambda units: keras.layers.SimpleRNN(units, return_sequences=True), 4, unroll=True)
    with pytest.raises(ValueError, match="units must be a positive int"):
        build_char_lm(vocab.size, "simple", 0)
    model = build_char_lm(vocab.size, lambda units: keras.layers.SimpleRNN(units, return_sequences=True), 4)
    with pytest.raises(ValueError, match="non-empty"):
        generate(model, vocab, "", 5)
    with pytest.raises(ValueError, match="Embedding"):
        make_stepper(keras.Sequential([keras.Input((3,)), keras.layers.Dense(2)]))


def test_a_kind_builds_the_same_model_as_the_matching_factory() -> None:
    """The stored weights name their layers by class: a kind string must give the layers a factory gave."""
    from course_utils.cell_kinds import CELL_NAMES, recurrent_layer

    for cell, name in CELL_NAMES.items():
        by_kind = build_char_lm(11, cell.upper(), 6, embed_dim=3, seq_len=5, unroll=True)
        by_factory = build_char_lm(11, lambda units, name=name: getattr(keras.layers, name)(
            units, return_sequences=True, unroll=True), 6, embed_dim=3, seq_len=5)
        assert [type(layer).__name__ for layer in by_kind.layers] == ["Embedding", name, "Dense"]
        assert [w.shape for w in by_kind.weights] == [w.shape for w in by_factory.weights]
        assert by_kind.layers[1].unroll and by_kind.layers[1].units == 6
        assert type(recurrent_layer(cell, 3)).__name__ == name


def test_samples_during_training_samples_the_chosen_epochs_with_one_seed() -> None:
    from course_utils.rnn.sampling import samples_during_training

    vocab = CharVocab.from_text(TEXT)
    data = char_lm_dataset(vocab.encode(TEXT), seq_len=10, batch_size=8, seed=1)
    model = build_char_lm(vocab.size, "simple", 8, embed_dim=4, seq_len=10)
    callback = samples_during_training(vocab, "to ", at_epochs=(2, 1, 2), n_chars=15, seed=5)
    model.fit(data.take(3), epochs=3, verbose=0, callbacks=[callback])
    assert [epoch for epoch, _, _ in callback.samples] == [1, 2], "each chosen epoch once, in order"
    # 15 ids are drawn; an untrained model may draw padding, which decodes to nothing
    assert all(np.isfinite(loss) and 0 < len(text) <= 15 for _, loss, text in callback.samples)
    assert all(set(text) <= set(TEXT) | {"?"} for _, _, text in callback.samples)
    with pytest.raises(ValueError, match="at least one epoch"):
        samples_during_training(vocab, "to ", at_epochs=())
    with pytest.raises(ValueError, match="at_epochs"):
        samples_during_training(vocab, "to ", at_epochs=(0,))
    with pytest.raises(ValueError, match="non-empty"):
        samples_during_training(vocab, "", at_epochs=(1,))


def test_plot_samples_draws_one_block_per_sample_and_refuses_none() -> None:
    import matplotlib

    matplotlib.use("Agg")
    from course_utils.plots import plot_samples

    fig, ax = plot_samples([(1, 2.5, "ab\ncd"), (5, 1.2, "x" * 130)], prompt="KING.\n", width=60)
    texts = [t.get_text() for t in ax.texts]
    assert "epoch 1\nloss 2.50" in texts and "epoch 5\nloss 1.20" in texts
    assert "KING.⏎ab⏎cd" in texts, "newlines are drawn as a visible mark, on one line"
    assert max(len(t) for t in texts) <= 60, "lines wrap at width"
    with pytest.raises(ValueError, match="no samples"):
        plot_samples([])
