"""Property-based tests (hypothesis) for the public functions that take arrays, texts or ids.

Two kinds of property:

* bad input (NaN, infinity, ids outside the vocabulary, negative settings, mismatched
  shapes, strings where lists belong) raises ValueError/TypeError naming the problem;
* good input keeps its invariants (distributions sum to 1, round trips, disjoint splits,
  windows that never read the future, metrics in their ranges).

Examples are small and few (``deadline=None``; TensorFlow-backed tests use ~15), so the
whole file runs in well under a minute.
"""

from __future__ import annotations

import math
import string
from types import SimpleNamespace

import numpy as np
import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from course_utils import metrics, time_series
from course_utils.rnn import lm_metrics, numpy_rnn, sampling
from course_utils.seq2seq import tokens
from course_utils.tagging import metrics as tag_metrics
from course_utils.rnn.char_lm import CharVocab, windows
from course_utils.data._splits import SPLITS, assign_splits, normalise, split_of
from course_utils.seq2seq.decoding import beam_search_decode, length_penalty
from course_utils.text_classification import most_confident_errors

FAST = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
TF = settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])

finite = st.floats(-50, 50, allow_nan=False, allow_infinity=False, width=64)
bad_float = st.sampled_from([math.nan, math.inf, -math.inf])


def vectors(min_size: int = 1, max_size: int = 12, elements: st.SearchStrategy = finite) -> st.SearchStrategy:
    return hnp.arrays("float64", st.integers(min_size, max_size), elements=elements)


@st.composite
def with_one_bad_entry(draw: st.DrawFn, min_size: int = 1) -> tuple[np.ndarray, int]:
    """A finite vector and a copy with one entry replaced by NaN or +-inf."""
    x = draw(vectors(min_size))
    i = draw(st.integers(0, len(x) - 1))
    y = x.copy()
    y[i] = draw(bad_float)
    return y, i


# --------------------------------------------------------------------------- metrics
@FAST
@given(st.data())
def test_mae_is_non_negative_symmetric_and_zero_on_itself(data: st.DataObject) -> None:
    a = data.draw(vectors())
    b = data.draw(hnp.arrays("float64", a.shape, elements=finite))
    assert metrics.mae(a, b) >= 0
    assert metrics.mae(a, b) == pytest.approx(metrics.mae(b, a))
    assert metrics.mae(a, a) == 0.0


@FAST
@given(with_one_bad_entry(), st.booleans())
def test_mae_rejects_nan_and_inf(bad: tuple[np.ndarray, int], in_pred: bool) -> None:
    y, i = bad
    good = np.zeros_like(y)
    args = (good, y) if in_pred else (y, good)
    with pytest.raises(ValueError, match=rf"{'y_pred' if in_pred else 'y_true'} holds 1 NaN or infinite .* index {i}"):
        metrics.mae(*args)


@FAST
@given(st.data())
def test_accuracy_lies_in_0_1_and_rejects_bad_probabilities(data: st.DataObject) -> None:
    n = data.draw(st.integers(1, 20))
    labels = data.draw(hnp.arrays("int64", n, elements=st.integers(0, 1)))
    probs = data.draw(hnp.arrays("float64", n, elements=st.floats(0, 1)))
    assert 0.0 <= metrics.accuracy(labels, probs) <= 1.0
    assert metrics.accuracy(labels, labels.astype(float)) == 1.0  # certain and right
    probs[data.draw(st.integers(0, n - 1))] = data.draw(st.one_of(bad_float, st.floats(1.01, 10), st.floats(-10, -0.01)))
    with pytest.raises(ValueError, match="probabilities (holds .* NaN or infinite|must lie in \\[0, 1\\])"):
        metrics.accuracy(labels, probs)


@FAST
@given(vectors(2), vectors(3))
def test_metric_shapes_must_match(a: np.ndarray, b: np.ndarray) -> None:
    assume(a.shape != b.shape)
    with pytest.raises(ValueError, match=rf"has shape \({len(a)},\) but y_pred has \({len(b)},\); they must match"):
        metrics.mae(a, b)


tags = st.lists(st.lists(st.sampled_from(["DT", "NN", "VB", "JJ"]), min_size=1, max_size=6), min_size=1, max_size=6)


@FAST
@given(tags, st.data())
def test_tagging_scores_stay_in_range(gold: list[list[str]], data: st.DataObject) -> None:
    pred = [data.draw(st.lists(st.sampled_from(["DT", "NN", "VB", "JJ"]), min_size=len(g), max_size=len(g)))
            for g in gold]
    scores = tag_metrics.per_tag_scores(gold, pred)
    assert scores[["precision", "recall", "f1"]].apply(lambda col: col.between(0.0, 1.0)).all().all()
    assert scores["support"].sum() == sum(map(len, gold))
    assert 0.0 <= tag_metrics.token_accuracy(gold, pred) <= 1.0
    assert 0.0 <= tag_metrics.macro_f1(scores) <= 1.0
    assert tag_metrics.token_accuracy(gold, gold) == 1.0 and tag_metrics.macro_f1(tag_metrics.per_tag_scores(gold, gold)) == 1.0


@FAST
@given(tags)
def test_tagging_rejects_strings_where_tag_lists_belong(gold: list[list[str]]) -> None:
    as_strings = [" ".join(g) for g in gold]
    with pytest.raises(TypeError, match=r"pred\[0\] must be a list of tags, got str"):
        tag_metrics.token_accuracy(gold, as_strings)
    with pytest.raises(TypeError, match="gold must be a list of tags lists .* got str"):
        tag_metrics.per_tag_scores(" ".join(as_strings), gold)


# --------------------------------------------------------------------------- language-model metrics
@FAST
@given(st.floats(0, 30))
def test_perplexity_is_exp_of_cross_entropy(h: float) -> None:
    assert lm_metrics.perplexity(h) == pytest.approx(math.exp(h))
    assert lm_metrics.perplexity(np.float32(h)) == pytest.approx(math.exp(float(np.float32(h))))
    assert lm_metrics.bits_per_char(h) == pytest.approx(h / math.log(2))


@FAST
@given(st.one_of(bad_float, st.floats(-100, -1e-6)))
def test_perplexity_rejects_non_finite_and_negative(h: float) -> None:
    with pytest.raises(ValueError, match="finite number|cannot be negative"):
        lm_metrics.perplexity(h)


@FAST
@given(st.text("abc ", min_size=2, max_size=40), st.text("abcd ", min_size=1, max_size=20), st.integers(1, 3))
def test_ngram_perplexity_is_exp_cross_entropy_and_at_least_one(train: str, test: str, n: int) -> None:
    model = lm_metrics.CharNGram(n, 0.5).fit(train)
    h = model.cross_entropy(test)
    assert h > 0
    assert model.perplexity(test) == pytest.approx(math.exp(h))


# --------------------------------------------------------------------------- sampling
logit_rows = hnp.arrays("float64", st.tuples(st.integers(1, 4), st.integers(1, 8)), elements=finite)


@FAST
@given(logit_rows, st.floats(0.05, 5))
def test_temperature_gives_distributions_that_keep_the_argmax(logits: np.ndarray, tau: float) -> None:
    p = sampling.apply_temperature(logits, tau)
    assert p.shape == logits.shape
    assert (p >= 0).all()
    np.testing.assert_allclose(p.sum(axis=-1), 1.0, rtol=1e-12)
    at_top = np.take_along_axis(p, logits.argmax(-1)[:, None], -1)[:, 0]
    assert (at_top == p.max(axis=-1)).all()  # the likeliest token stays the likeliest
    greedy = sampling.apply_temperature(logits, 0)
    assert (greedy.sum(axis=-1) == 1).all() and (greedy.argmax(-1) == logits.argmax(-1)).all()


@FAST
@given(vectors(1, 8), st.floats(0.1, 3), st.integers(0, 2**16))
def test_sample_next_returns_a_valid_id(logits: np.ndarray, tau: float, seed: int) -> None:
    i = sampling.sample_next(logits, tau, np.random.default_rng(seed))
    assert 0 <= i < len(logits)
    assert sampling.sample_next(logits, 0) == int(np.argmax(logits))


@FAST
@given(with_one_bad_entry(), st.sampled_from([0.0, 1.0]))
def test_sampling_rejects_nan_and_plus_inf_logits(bad: tuple[np.ndarray, int], tau: float) -> None:
    logits, i = bad
    if logits[i] == -np.inf:  # -inf means probability 0, which is allowed unless the whole row is -inf
        if np.isneginf(logits).all():
            with pytest.raises(ValueError, match="-inf everywhere"):
                sampling.apply_temperature(logits, 1.0)
        else:
            assert sampling.apply_temperature(logits, 1.0)[i] == 0.0
        return
    with pytest.raises(ValueError, match=r"logits contain NaN or \+inf"):
        sampling.sample_next(logits, tau)


@FAST
@given(st.one_of(st.floats(-10, -1e-6), bad_float))
def test_negative_or_non_finite_temperature_is_rejected(tau: float) -> None:
    with pytest.raises(ValueError, match=r"temperature must be a number >= 0 .* use temperature=0 for greedy"):
        sampling.apply_temperature(np.zeros(3), tau)


# --------------------------------------------------------------------------- the NumPy RNN
@FAST
@given(logit_rows)
def test_numpy_softmax_is_a_distribution(logits: np.ndarray) -> None:
    p = numpy_rnn.softmax(logits)
    assert (p >= 0).all()
    np.testing.assert_allclose(p.sum(axis=-1), 1.0, rtol=1e-12)


@FAST
@given(st.integers(1, 3), st.integers(1, 4), st.integers(2, 6), st.data())
def test_uniform_logits_have_cross_entropy_log_v(b: int, t: int, v: int, data: st.DataObject) -> None:
    targets = data.draw(hnp.arrays("int64", (b, t), elements=st.integers(0, v - 1)))
    h = numpy_rnn.cross_entropy(np.zeros((b, t, v)), targets)
    assert h == pytest.approx(math.log(v))
    assert lm_metrics.perplexity(h) == pytest.approx(v)
    logits = np.zeros((b, t, v))
    logits[0, 0, 0] = data.draw(bad_float)
    with pytest.raises(ValueError, match="logits holds 1 NaN or infinite"):
        numpy_rnn.cross_entropy(logits, targets)


@FAST
@given(hnp.arrays("float64", st.integers(1, 6), elements=finite), st.floats(0.01, 10))
def test_clipping_caps_the_global_norm(g: np.ndarray, max_norm: float) -> None:
    clipped, norm = numpy_rnn.clip_by_global_norm({"a": g}, max_norm)
    assert norm == pytest.approx(np.linalg.norm(g))
    assert numpy_rnn.global_norm(clipped) <= max_norm * (1 + 1e-9)
    with pytest.raises(ValueError, match="max_norm must be a finite number > 0"):
        numpy_rnn.clip_by_global_norm({"a": g}, -max_norm)


# --------------------------------------------------------------------------- token helpers
words = st.lists(st.text(string.ascii_lowercase, min_size=1, max_size=5), min_size=1, max_size=6)


@FAST
@given(st.lists(words, min_size=1, max_size=5))
def test_vocabulary_encode_decode_round_trip(token_lists: list[list[str]]) -> None:
    vocab = tokens.build_vocabulary(token_lists)
    assert vocab[:4] == tokens.SPECIALS and len(set(vocab)) == len(vocab)
    ids = tokens.encode(token_lists, vocab, add_start=True, add_end=True)
    assert ids.shape == (len(token_lists), max(map(len, token_lists)) + 2)
    assert ((ids >= 0) & (ids < len(vocab))).all()
    for row, toks in zip(ids, token_lists):
        assert tokens.decode_ids(row, vocab) == toks
        assert (row[len(toks) + 2:] == tokens.PAD).all()


@FAST
@given(st.lists(words, min_size=1, max_size=3), st.integers(1, 50))
def test_decode_ids_rejects_ids_outside_the_vocabulary(token_lists: list[list[str]], extra: int) -> None:
    vocab = tokens.build_vocabulary(token_lists)
    with pytest.raises(ValueError, match=rf"ids must lie in \[0, {len(vocab)}\) .* got id {len(vocab) - 1 + extra}"):
        tokens.decode_ids([4, len(vocab) - 1 + extra], vocab)
    with pytest.raises(ValueError, match="got id -"):
        tokens.decode_ids([-extra], vocab)
    with pytest.raises(ValueError, match="vocab is empty"):
        tokens.decode_ids([0], [])


@FAST
@given(st.lists(words, min_size=1, max_size=3))
def test_token_helpers_reject_strings_where_token_lists_belong(token_lists: list[list[str]]) -> None:
    sentences = [" ".join(t) for t in token_lists]
    with pytest.raises(TypeError, match=r"token_lists\[0\] must be a list of tokens, got str .* tokenise each sentence"):
        tokens.build_vocabulary(sentences)
    with pytest.raises(TypeError, match=r"token_lists\[0\] must be a list of tokens"):
        tokens.encode(sentences, tokens.SPECIALS + ["a"])
    with pytest.raises(ValueError, match="vocab must start with"):
        tokens.encode(token_lists, ["a", "b"])


@FAST
@given(st.lists(st.sampled_from(tokens.DE_NUMBER_MORPHEMES + list("xyzäöüß")), min_size=1, max_size=8))
def test_german_morphemes_round_trip(pieces: list[str]) -> None:
    word = "".join(pieces)
    assert tokens.detokenize_de_number_morphemes(tokens.tokenize_de_number_morphemes(word)) == word


@FAST
@given(st.lists(st.text(string.ascii_lowercase, min_size=1, max_size=8), min_size=1, max_size=6))
def test_english_number_words_round_trip(ws: list[str]) -> None:
    text = " ".join(ws)
    assert tokens.detokenize_en_number_words(tokens.tokenize_en_number_words(text)) == text


# --------------------------------------------------------------------------- character vocabulary
@FAST
@given(st.text(min_size=1, max_size=30), st.data())
def test_char_vocab_round_trips_text_from_its_alphabet(train: str, data: st.DataObject) -> None:
    vocab = CharVocab.from_text(train)
    text = data.draw(st.text(st.sampled_from(sorted(set(train))), max_size=30))
    ids = vocab.encode(text)
    assert ids.dtype == np.int32 and ((ids >= CharVocab.N_RESERVED) & (ids < vocab.size)).all()
    assert vocab.decode(ids) == text


@FAST
@given(st.text(string.ascii_letters, min_size=1, max_size=10), st.integers(0, 20))
def test_char_vocab_rejects_bad_ids(train: str, extra: int) -> None:
    vocab = CharVocab.from_text(train)
    with pytest.raises(ValueError, match=rf"ids must lie in \[0, {vocab.size}\)"):
        vocab.decode([vocab.size + extra])
    with pytest.raises(TypeError, match="must hold integer ids"):
        vocab.decode([0.5 + extra])
    with pytest.raises(ValueError, match="non-empty tuple"):
        CharVocab(())


@FAST
@given(st.integers(2, 60), st.integers(1, 8))
def test_char_windows_targets_are_inputs_shifted_by_one(n: int, seq_len: int) -> None:
    assume((n - 1) // seq_len >= 1)
    ids = np.arange(n)
    x, y = windows(ids, seq_len)
    assert x.shape == y.shape == ((n - 1) // seq_len, seq_len)
    assert (y == x + 1).all()
    assert len(np.unique(x)) == x.size  # windows do not overlap


@FAST
@given(hnp.arrays("int64", st.integers(3, 20), elements=st.integers(-5, 5)), st.integers(1, 2))
def test_char_windows_reject_negative_or_float_ids(ids: np.ndarray, seq_len: int) -> None:
    if (ids < 0).any():
        with pytest.raises(ValueError, match=r"ids must be >= 0, got -\d; make them with vocab.encode"):
            windows(ids, seq_len)
    with pytest.raises(TypeError, match="ids must be integer ids, got dtype float64"):
        windows(ids.astype(float), seq_len)


# --------------------------------------------------------------------------- splits
sentences = st.text(string.ascii_letters + " .,!?", min_size=1, max_size=12).filter(lambda s: normalise(s) != "")


@FAST
@given(st.lists(st.tuples(sentences, sentences), min_size=1, max_size=30), st.randoms(use_true_random=False))
def test_splits_are_disjoint_cover_everything_and_ignore_order(pairs: list[tuple[str, str]], rnd) -> None:
    splits = assign_splits(pairs, lambda p: p)
    assert set(splits) == set(SPLITS)
    rows = [p for s in SPLITS for p in splits[s]]
    assert sorted(rows) == sorted(set(pairs))  # every unique pair exactly once
    home = {}
    for s in SPLITS:  # a normalised sentence never appears in two splits
        for p in splits[s]:
            for side in p:
                assert home.setdefault(normalise(side), s) == s
    shuffled = list(pairs)
    rnd.shuffle(shuffled)
    assert assign_splits(shuffled, lambda p: p) == splits


@FAST
@given(st.one_of(st.tuples(bad_float, st.just(0.1), st.just(0.1)), st.tuples(st.just(0.9), st.just(-0.1), st.just(0.2))))
def test_split_fractions_must_be_finite_and_in_range(fractions: tuple[float, float, float]) -> None:
    with pytest.raises(ValueError, match=r"three numbers in \[0, 1\]"):
        split_of("key", fractions)


# --------------------------------------------------------------------------- time series
@FAST
@given(st.integers(6, 40), st.integers(1, 5), st.integers(1, 3), st.integers(1, 3))
def test_windows_never_read_the_future(n: int, window: int, horizon: int, stride: int) -> None:
    assume(window + horizon <= n)
    y = np.arange(n, dtype="float32")
    x, t = time_series.window_arrays(y, y, window, horizon, stride)
    origins = time_series.window_origins(n, window, horizon, stride)
    assert (x[:, -1, 0] == origins).all()  # the last input is the origin
    assert (t[:, 0] == origins + 1).all() and (t[:, -1] == origins + horizon).all()
    assert (x.max(axis=(1, 2)) < t.min(axis=1)).all()  # every input precedes every target


@FAST
@given(st.integers(12, 40), st.integers(1, 4), st.integers(1, 3), st.data())
def test_period_windows_stay_inside_their_period(n: int, window: int, horizon: int, data: st.DataObject) -> None:
    start = data.draw(st.integers(1, n - horizon - 1))
    stop = data.draw(st.integers(start + horizon, n))
    assume(stop - max(0, start - window) >= window + horizon)
    y = np.arange(n, dtype="float32")
    x, t, origins = time_series.period_windows(y, y, slice(start, stop), window, horizon)
    assert t.min() >= start and t.max() < stop  # targets in the period
    assert x.max() < stop  # nothing after the period is read
    assert (time_series.naive_forecast(y, origins, horizon) == y[origins][:, None]).all()


@FAST
@given(with_one_bad_entry(min_size=8))
def test_time_series_helpers_reject_nan(bad: tuple[np.ndarray, int]) -> None:
    y, i = bad
    with pytest.raises(ValueError, match=rf"target holds 1 NaN .* index {i}; fill gaps"):
        time_series.window_arrays(np.zeros(len(y)), y, 2)
    with pytest.raises(ValueError, match=r"y holds 1 NaN .* fill gaps"):
        time_series.naive_forecast(y, [len(y) - 1])
    with pytest.raises(ValueError, match="data holds 1 NaN"):
        time_series.fit_normaliser(np.arange(len(y), dtype=float)).transform(y)


@FAST
@given(st.one_of(bad_float, st.floats(-10, -1e-6)))
def test_bad_regularisation_is_rejected(l2: float) -> None:
    with pytest.raises(ValueError, match="l2 must be a finite number >= 0"):
        time_series.LinearForecaster(l2)


@FAST
@given(st.integers(2, 6), st.data())
def test_most_confident_errors_needs_probabilities(n: int, data: st.DataObject) -> None:
    probs = data.draw(hnp.arrays("float64", n, elements=st.floats(0, 1)))
    probs[0] = data.draw(st.one_of(bad_float, st.floats(1.01, 5), st.floats(-5, -0.01)))
    with pytest.raises(ValueError, match="probabilities (holds|must lie in)"):
        most_confident_errors([f"text {i}" for i in range(n)], [i % 2 for i in range(n)], probs)


# --------------------------------------------------------------------------- decoding settings
@FAST
@given(st.integers(1, 50), st.integers(1, 50), st.floats(0.01, 3))
def test_length_penalty_grows_with_length(a: int, b: int, alpha: float) -> None:
    assume(a < b)
    assert length_penalty(a, alpha) < length_penalty(b, alpha)
    assert length_penalty(b, 0.0) == 1.0


@FAST
@given(st.one_of(st.floats(-5, -1e-6), bad_float))
def test_negative_or_non_finite_alpha_is_rejected_before_any_decoding(alpha: float) -> None:
    with pytest.raises(ValueError, match=r"alpha .* must be a finite number >= 0, got .*; use alpha=0 for no length"):
        length_penalty(3, alpha)
    model = SimpleNamespace(encoder=SimpleNamespace(vocab_size=10), decoder=None)
    with pytest.raises(ValueError, match=r"alpha .* must be a finite number >= 0"):
        beam_search_decode(model, np.ones((1, 3), "int32"), 2, 5, alpha)


@FAST
@given(st.integers(1, 10), st.integers(0, 20))
def test_source_ids_outside_the_vocabulary_are_rejected(vocab_size: int, extra: int) -> None:
    model = SimpleNamespace(encoder=SimpleNamespace(vocab_size=vocab_size), decoder=None)
    with pytest.raises(ValueError, match=rf"src_ids must lie in \[0, {vocab_size}\) .* model.encode_source"):
        beam_search_decode(model, np.array([[1 % vocab_size, vocab_size + extra]]), 2, 5)


# --------------------------------------------------------------------------- attention (TensorFlow)
@TF
@given(st.integers(1, 3), st.integers(1, 3), st.integers(2, 5), st.data())
def test_masked_softmax_rows_sum_to_one_or_are_all_zero(b: int, t: int, s: int, data: st.DataObject) -> None:
    from course_utils.seq2seq.attention import masked_softmax

    scores = data.draw(hnp.arrays("float32", (b, t, s), elements=st.floats(-20, 20, width=32)))
    mask = data.draw(hnp.arrays(bool, (b, s)))
    w = np.asarray(masked_softmax(scores, mask))
    assert w.shape == (b, t, s) and (w >= 0).all()
    assert (w[~np.broadcast_to(mask[:, None, :], w.shape)] == 0).all()  # no weight on padding
    sums = w.sum(axis=-1)
    np.testing.assert_allclose(sums[mask.any(axis=1)], 1.0, rtol=1e-5)
    assert (sums[~mask.any(axis=1)] == 0).all()  # a row with no real token: all-zero weights, not NaN


@TF
@given(st.integers(1, 3), st.integers(1, 4), st.integers(1, 3), st.integers(1, 3))
def test_attention_names_mismatched_mask_shapes(b: int, s: int, db: int, ds: int) -> None:
    from course_utils.seq2seq.attention import LuongAttention, masked_softmax

    scores = np.zeros((b, 2, s), "float32")
    for mask_shape in [(b + db, s), (b, s + ds)]:
        with pytest.raises(ValueError, match=rf"mask must have shape \(batch, S\) = \({b}, {s}\) .* got \({mask_shape[0]}, {mask_shape[1]}\)"):
            masked_softmax(scores, np.ones(mask_shape, bool))
    keys = np.zeros((b, s, 4), "float32")
    with pytest.raises(ValueError, match=rf"to match keys of shape \({b}, {s}, 4\), got \({b}, {s + ds}\)"):
        LuongAttention()(np.zeros((b, 2, 4), "float32"), keys, np.ones((b, s + ds), bool))
    with pytest.raises(ValueError, match=rf"query has batch size {b + db} but keys have {b}"):
        LuongAttention()(np.zeros((b + db, 2, 4), "float32"), keys)


def test_translator_settings_and_texts_are_checked_before_decoding() -> None:
    from course_utils.seq2seq.evaluation import evaluate_translations
    from course_utils.seq2seq.translator import Translator

    model = Translator.from_pairs([("warm up", "aufwärmen")], embed_dim=2, units=2, attention="luong")
    with pytest.raises(ValueError, match=r"alpha .* must be a finite number >= 0, got -0.5; use alpha=0"):
        model.translate([""], method="beam", alpha=-0.5)  # checked even when no text needs the model
    with pytest.raises(ValueError, match="beam_width must be a positive int"):
        model.translate(["warm up"], method="beam", beam_width=0)
    with pytest.raises(ValueError, match="batch_size must be a positive int"):
        model.translate(["warm up"], batch_size=0)
    with pytest.raises(TypeError, match=r"hypotheses\[0\] is list .* detokenise"):
        evaluate_translations([["auf"]], ["aufwärmen"])
    src = model.encode_source(["warm up"])
    with pytest.raises(ValueError, match=r"out_ids must lie in \[0, 5\)"):
        model.attention_for(src, np.array([[99]]))
    # A source row of padding only: zero attention weights (a zero context), never NaN.
    weights = model.attention_for(np.zeros((1, 2), "int32"), np.array([[4, 3]]))
    assert weights.shape == (1, 2, 2) and (weights == 0).all()



# --------------------------------------------------------------------------- recurrent layer kind
@FAST
@given(st.sampled_from(["simple", "lstm", "gru"]), st.lists(st.booleans(), min_size=6, max_size=6))
def test_check_cell_reads_each_kind_in_any_case(kind: str, upper: list[bool]) -> None:
    from course_utils.cell_kinds import CELL_NAMES, CELLS, check_cell

    spelled = "".join(c.upper() if up else c for c, up in zip(kind, upper + [False] * len(kind)))
    assert check_cell(spelled) == kind
    assert kind in CELLS and kind in CELL_NAMES


@FAST
@given(st.one_of(st.text(max_size=12), st.integers(), st.none(), st.floats(allow_nan=False), st.lists(st.text(max_size=3))))
def test_check_cell_names_the_three_kinds_for_anything_else(value: object) -> None:
    from course_utils.cell_kinds import check_cell

    assume(not (isinstance(value, str) and value.lower() in ("simple", "lstm", "gru")))
    with pytest.raises(ValueError, match=r"cell must be one of 'simple', 'lstm', 'gru', got .*; pass cell='simple'"):
        check_cell(value)


@FAST
@given(st.one_of(st.integers(), st.none(), st.floats(allow_nan=False), st.lists(st.integers(), max_size=2)))
def test_make_cell_rejects_what_is_neither_a_kind_nor_a_factory(value: object) -> None:
    from course_utils.cell_kinds import make_cell

    with pytest.raises(TypeError, match=r"cell must be a kind .* or a function units -> keras layer"):
        make_cell(value, 4)
