"""Chapters 10-12 library: tokenisers, attention, decoders, the Translator (fast: tiny models)."""

from __future__ import annotations

import json
import warnings
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from course_utils.seq2seq.tokens import (END, PAD, SPECIALS, START, UNK, build_vocabulary, decode_ids, detokenize_words, encode,
                                 tokenize_de_number_morphemes, tokenize_en_number_words, tokenize_words)

PAIRS = [("I am here.", "Ich bin hier."), ("You are here.", "Du bist hier."), ("I am tired.", "Ich bin müde."),
         ("My name is Anna.", "Ich heiße Anna."), ("Where is the station?", "Wo ist der Bahnhof?")]


# ---------------------------------------------------------------- tokens
def test_tokenizers_round_trip() -> None:
    assert tokenize_words("I'm here, John.") == ["I'm", "here", ",", "John", "."]
    assert detokenize_words(["Ich", "heiße", "John", "."]) == "Ich heiße John."
    assert tokenize_en_number_words("two thousand, twenty-one") == ["two", "thousand", "twenty", "one"]
    assert tokenize_de_number_morphemes("einundzwanzig") == ["ein", "und", "zwanzig"]
    assert tokenize_de_number_morphemes("siebzehntausendsechshundert") == ["sieb", "zehn", "tausend", "sechs", "hundert"]


def test_vocabulary_and_encoding() -> None:
    vocab = build_vocabulary([["b", "a", "b"], ["c"]])
    assert vocab == SPECIALS + ["b", "a", "c"]
    ids = encode([["a", "zzz"], ["b"]], vocab, add_start=True, add_end=True)
    assert ids.tolist() == [[START, 5, UNK, END], [START, 4, END, PAD]]
    assert encode([["a", "b", "c"]], vocab, max_len=2).tolist() == [[5, 4]]
    assert decode_ids([4, 5, END, 6], vocab) == ["b", "a"]
    with pytest.raises(ValueError, match="max_size"):
        build_vocabulary([["a"]], max_size=3)
    with pytest.raises(TypeError):
        encode("abc", vocab)


# ---------------------------------------------------------------- attention
@pytest.mark.parametrize("kind", ["bahdanau", "luong"])
def test_attention_weights_sum_to_one_and_respect_the_mask(kind: str) -> None:
    from course_utils.seq2seq.attention import BahdanauAttention, LuongAttention

    layer = BahdanauAttention(8) if kind == "bahdanau" else LuongAttention()
    rng = np.random.default_rng(0)
    query = rng.normal(size=(2, 3, 6)).astype("float32")
    keys = rng.normal(size=(2, 5, 6)).astype("float32")
    mask = np.array([[True] * 5, [True, True, False, False, False]])
    context, weights = layer(query, keys, mask)
    weights = np.asarray(weights)
    assert context.shape == (2, 3, 6) and weights.shape == (2, 3, 5)
    np.testing.assert_allclose(weights.sum(-1), 1.0, atol=1e-5)
    assert np.all(weights[1, :, 2:] < 1e-6)
    # padded keys must not change the context of the masked row
    keys2 = keys.copy()
    keys2[1, 2:] = 100.0
    context2, _ = layer(query, keys2, mask)
    np.testing.assert_allclose(np.asarray(context)[1], np.asarray(context2)[1], atol=1e-5)


def test_attention_serialises_and_rejects_bad_input() -> None:
    import keras

    from course_utils.seq2seq.attention import BahdanauAttention, LuongAttention

    for layer in [BahdanauAttention(4), LuongAttention("dot")]:
        clone = keras.layers.deserialize(keras.layers.serialize(layer))
        assert type(clone) is type(layer) and clone.get_config() == layer.get_config()
    with pytest.raises(ValueError, match="units"):
        BahdanauAttention(0)
    with pytest.raises(ValueError, match="score"):
        LuongAttention("cosine")
    with pytest.raises(ValueError, match="3-D"):
        LuongAttention()(np.zeros((2, 4), "float32"), np.zeros((2, 3, 4), "float32"))


# ---------------------------------------------------------------- decoders
def _tiny(attention: str = "luong", seed: int = 0, **kwargs):
    from course_utils.seed import set_seed
    from course_utils.seq2seq.translator import Translator

    set_seed(seed)
    return Translator.from_pairs(PAIRS, attention=attention, embed_dim=8, units=16, max_source_len=6,
                                 max_target_len=8, **kwargs)


class _Counter:
    """A model with known weights: an encoder that ignores its input and a decoder whose
    next-token distribution depends only on the previous token (a fixed bigram table)."""

    def __init__(self, table: np.ndarray) -> None:
        import tensorflow as tf

        class Enc:
            def __call__(self, src):
                b = tf.shape(src)[0]
                return tf.zeros([b, tf.shape(src)[1], 2]), tf.zeros([b, 2])

        class Dec:
            attention = None

            def step(self, token, state, enc_out, src_mask):
                return tf.math.log(tf.gather(tf.constant(table, tf.float32), token)), state, None

        self.encoder, self.decoder = Enc(), Dec()


def test_greedy_and_beam_on_known_weights() -> None:
    from course_utils.seq2seq.decoding import beam_search_decode, greedy_decode

    # vocab: 0 pad, 1 unk, 2 start, 3 end, 4 "a", 5 "b".
    # From START: a 0.6, b 0.4.  After a: END 0.3, b 0.7... greedy: a b b ...; after b: END 0.9.
    table = np.full((6, 6), 1e-9)
    table[START, [4, 5]] = [0.55, 0.45]
    table[4, [END, 5]] = [0.45, 0.55]
    table[5, [END, 4]] = [0.99, 0.01]
    table /= table.sum(1, keepdims=True)
    model = _Counter(table)
    src = np.array([[4, 5], [5, 0]], "int32")
    greedy = greedy_decode(model, src, max_len=5)
    assert greedy.tolist() == [[4, 5, END, 0, 0]] * 2            # a b END: p = .55*.55*.99 = .30
    assert beam_search_decode(model, src, beam_width=1, max_len=5).tolist() == greedy.tolist()
    # beam 2 also sees "b END": p = .45*.99 = .45 > .30, the better sentence greedy missed
    assert beam_search_decode(model, src, beam_width=2, max_len=5, alpha=0.0).tolist() == [[5, END, 0, 0, 0]] * 2
    assert greedy_decode(model, src, max_len=2).tolist() == [[4, 5]] * 2   # max_len caps the output


def test_decoders_never_emit_pad_or_start() -> None:
    from course_utils.seq2seq.decoding import beam_search_decode, greedy_decode

    # A model that prefers the input-only ids: from START, PAD .5 and START .3 beat "a" .15.
    table = np.full((6, 6), 1e-9)
    table[START, [PAD, START, 4, END]] = [0.5, 0.3, 0.15, 0.05]
    table[4, [START, END]] = [0.6, 0.4]
    table /= table.sum(1, keepdims=True)
    model = _Counter(table)
    src = np.array([[4, 5]], "int32")
    assert greedy_decode(model, src, max_len=4).tolist() == [[4, END, 0, 0]]
    for width in (1, 3):
        assert beam_search_decode(model, src, beam_width=width, max_len=4).tolist() == [[4, END, 0, 0]]


def test_length_normalisation_changes_the_ranking() -> None:
    from course_utils.seq2seq.decoding import beam_search_decode

    # "END" at once: log .4 = -0.92.  "a END": log .6 + log .5 = -1.20 in total, -0.60 per token.
    table = np.full((6, 6), 1e-9)
    table[START, [END, 4]] = [0.4, 0.6]
    table[4, [4, END]] = [0.5, 0.5]
    table /= table.sum(1, keepdims=True)
    model = _Counter(table)
    src = np.array([[4]], "int32")
    assert beam_search_decode(model, src, 2, 5, alpha=0.0).tolist() == [[END, 0, 0, 0, 0]]  # raw: short wins
    assert beam_search_decode(model, src, 2, 5, alpha=1.0).tolist() == [[4, END, 0, 0, 0]]  # per token: longer wins


@pytest.mark.parametrize("attention", ["none", "bahdanau", "luong"])
def test_greedy_equals_beam_width_one_on_a_tiny_model(attention: str) -> None:
    from course_utils.seq2seq.decoding import beam_search_decode, greedy_decode

    model = _tiny(attention)
    src = model.encode_source([s for s, _ in PAIRS])
    np.testing.assert_array_equal(greedy_decode(model, src, 7), beam_search_decode(model, src, 1, 7))


@pytest.mark.parametrize("seed", range(12))
def test_compiled_beam_search_equals_the_reference_on_random_models(seed: int) -> None:
    from course_utils.seq2seq.decoding import beam_search_decode, beam_search_reference

    # A random first-order model over V tokens, sharp enough that some hypotheses end early and some
    # run to max_len, and with exact ties (two equal columns) so that the tie-breaking is compared too.
    rng = np.random.default_rng(seed)
    V = int(rng.integers(6, 12))
    table = rng.dirichlet(np.full(V, 0.3), size=V)
    table[:, V - 1] = table[:, V - 2]
    table /= table.sum(1, keepdims=True)
    model = _Counter(table)
    src = rng.integers(1, V, size=(int(rng.integers(1, 5)), 3)).astype("int32")
    for width, max_len, alpha in [(1, 6, 1.0), (2, 5, 0.0), (3, 7, 0.7), (5, 4, 1.0), (4, 9, 2.5)]:
        want = beam_search_reference(model, src, width, max_len, alpha)
        got = beam_search_decode(model, src, width, max_len, alpha)
        np.testing.assert_array_equal(got, want, err_msg=f"width {width}, max_len {max_len}, alpha {alpha}")


@pytest.mark.parametrize("attention", ["none", "bahdanau", "luong"])
def test_compiled_beam_search_equals_the_reference_on_a_tiny_model(attention: str) -> None:
    from course_utils.seq2seq.decoding import beam_search_decode, beam_search_reference

    model = _tiny(attention)
    src = model.encode_source([s for s, _ in PAIRS])
    for width, alpha in [(2, 0.0), (3, 1.0), (5, 0.6)]:
        np.testing.assert_array_equal(beam_search_decode(model, src, width, 7, alpha),
                                      beam_search_reference(model, src, width, 7, alpha))


def test_decoders_reject_bad_input() -> None:
    from course_utils.seq2seq.decoding import beam_search_decode, greedy_decode

    model = _tiny("none")
    with pytest.raises(ValueError, match="int matrix"):
        greedy_decode(model, np.zeros(3, "int32"))
    with pytest.raises(ValueError, match="max_len"):
        greedy_decode(model, np.ones((1, 2), "int32"), max_len=0)
    with pytest.raises(ValueError, match="beam_width"):
        beam_search_decode(model, np.ones((1, 2), "int32"), beam_width=0)
    with pytest.raises(TypeError, match="encoder"):
        greedy_decode(object(), np.ones((1, 2), "int32"))


# ---------------------------------------------------------------- translator
def test_save_load_round_trip_gives_identical_outputs(tmp_path: Path) -> None:
    from course_utils.seq2seq.translator import Translator

    model = _tiny("bahdanau", bidirectional=True, attention_units=4)
    sentences = [s for s, _ in PAIRS]
    path = model.save_translator(tmp_path / "tiny.keras")
    loaded = Translator.load_translator(path)
    assert loaded.get_config() == model.get_config()
    src = model.encode_source(sentences)
    tgt = np.ones((len(sentences), 3), "int32")
    np.testing.assert_array_equal(np.asarray(model((src, tgt))), np.asarray(loaded((src, tgt))))
    assert loaded.translate(sentences) == model.translate(sentences)
    assert loaded.translate(sentences, method="beam", beam_width=2) == model.translate(sentences, method="beam",
                                                                                       beam_width=2)
    with pytest.raises(ValueError, match=".keras"):
        model.save_translator(tmp_path / "tiny.h5")
    with pytest.raises(FileNotFoundError):
        Translator.load_translator(tmp_path / "missing.keras")


def test_batches_are_cut_to_their_longest_row_and_lose_nothing() -> None:
    from course_utils.seq2seq.layers import masked_loss

    model = _tiny("luong")
    pairs = PAIRS + [("Where is the big old station, please?", "Wo ist der große alte Bahnhof, bitte?")]
    full_src = model.encode_source([s for s, _ in pairs])             # (6, longest source in the corpus)
    batches = list(model.make_dataset(pairs, batch_size=3, shuffle=False))
    (src0, tgt_in0), tgt_out0 = batches[0]                               # three short sentences
    (src1, _), tgt_out1 = batches[1]                                     # holds the long one
    assert src1.shape[1] == full_src.shape[1] and src0.shape[1] < full_src.shape[1]
    assert tgt_in0.shape == tgt_out0.shape and tgt_out0.shape[1] < tgt_out1.shape[1]
    for ids in (src0, tgt_out0):  # the last column still holds a real token in some row: nothing real is cut
        assert np.any(np.asarray(ids)[:, -1] != PAD)
    # Padding is masked, so the loss is the same as with the corpus-wide padding.
    pad = full_src.shape[1] - src0.shape[1]
    src_padded = np.pad(np.asarray(src0), ((0, 0), (0, pad)))
    t_pad = 4
    tin_padded, tout_padded = (np.pad(np.asarray(a), ((0, 0), (0, t_pad))) for a in (tgt_in0, tgt_out0))
    cut = float(masked_loss(tgt_out0, model((src0, tgt_in0))))
    padded = float(masked_loss(tout_padded, model((src_padded, tin_padded))))
    assert cut == pytest.approx(padded, abs=1e-5)


def test_translator_handles_awkward_inputs() -> None:
    model = _tiny("luong")
    out = model.translate(["", "   ", "I am here.", "Zyzzyva quux blorf."])
    assert out[0] == "" and out[1] == "" and len(out) == 4 and all(isinstance(s, str) for s in out)
    assert "[UNK]" not in out[3]   # attention copies a source word for each [UNK]
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        long_out = model.translate(["I am here " * 10])
    assert len(long_out) == 1 and any("max_source_len" in str(w.message) for w in caught)
    with pytest.raises(TypeError, match="list of strings"):
        model.translate("I am here.")
    with pytest.raises(TypeError, match="item 1 is int"):
        model.translate(["I am here.", 42])
    with pytest.raises(ValueError, match="method"):
        model.translate(["I am here."], method="sampling")
    assert model.translate([]) == []


def test_masked_loss_ignores_padding() -> None:
    from course_utils.seq2seq.layers import masked_loss

    rng = np.random.default_rng(0)
    logits = rng.normal(size=(1, 4, 6)).astype("float32")
    y = np.array([[4, 5, END, PAD]])
    logits2 = logits.copy()
    logits2[0, 3] = 50.0  # only the padded step changes
    assert float(masked_loss(y, logits)) == pytest.approx(float(masked_loss(y, logits2)))


def test_evaluate_translations() -> None:
    from course_utils.seq2seq.evaluation import evaluate_translations

    scores = evaluate_translations(["Ich heiße John.", "Hallo"], ["Ich heiße John.", "Guten Tag"])
    assert scores["exact_match"] == 50.0 and 0 < scores["bleu"] < 100 and 0 < scores["chrf"] < 100
    with pytest.raises(ValueError, match="as many"):
        evaluate_translations(["a"], ["a", "b"])


def test_translator_settings_are_one_field_list():
    """Constructor, from_pairs and get_config share Translator's FIELDS (the vocabularies, then
    the fields of TranslatorConfig)."""
    from course_utils.seq2seq.translator import FIELD_DEFAULTS, FIELDS, Translator

    model = Translator.from_pairs([("a b", "x y"), ("b a", "y x")], embed_dim=4, units=4, attention="luong")
    config = model.get_config()
    assert list(config) == [*FIELDS, "name"]
    assert config["attention"] == "luong" and config["embed_dim"] == 4
    assert set(FIELD_DEFAULTS) == set(FIELDS) - {"source_vocab", "target_vocab"}
    with pytest.raises(TypeError, match="from_pairs"):
        Translator.from_pairs([("a", "x")], embed_dims=4)


@pytest.mark.parametrize("sidecar", sorted(Path(__file__).parents[1].glob("weights/reference/translator*.json")),
                         ids=lambda p: p.stem)
def test_every_stored_translator_config_builds_the_same_model(sidecar: Path) -> None:
    """A stored sidecar's config builds a Translator whose config is the stored one, with the
    stored parameter count; the settings land in one TranslatorConfig, read as attributes too."""
    from course_utils.seq2seq.translator import FIELD_DEFAULTS, Translator, TranslatorConfig

    meta = json.loads(sidecar.read_text(encoding="utf-8"))
    model = Translator.from_config(meta["config"])
    assert model.get_config() == meta["config"] and list(model.get_config()) == list(meta["config"])
    assert model.count_params() == meta["parameters"]
    settings = {k: meta["config"][k] for k in FIELD_DEFAULTS}
    assert model.config == TranslatorConfig(**settings)
    assert all(getattr(model, k) == v for k, v in settings.items())
    embedding = model.encoder.embedding.embeddings
    assert tuple(embedding.shape) == (len(meta["config"]["source_vocab"]), meta["config"]["embed_dim"])


def test_translator_config_and_keywords_do_not_mix() -> None:
    from course_utils.seq2seq.translator import Translator, TranslatorConfig

    vocab = ["", "[UNK]", "[START]", "[END]", "a"]
    assert Translator(vocab, vocab, TranslatorConfig(units=4, embed_dim=2), name="t").get_config() == \
        Translator(vocab, vocab, units=4, embed_dim=2, name="t").get_config()
    with pytest.raises(TypeError, match="either in config or as keywords"):
        Translator(vocab, vocab, TranslatorConfig(), units=4)
    with pytest.raises(TypeError, match="TranslatorConfig"):
        Translator(vocab, vocab, {"units": 4})  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="max_source_len"):
        TranslatorConfig(max_source_len=0)


def test_plot_attention_returns_figure_and_axes() -> None:
    import matplotlib

    matplotlib.use("Agg")
    from course_utils.seq2seq.evaluation import plot_attention

    fig, ax = plot_attention(np.full((2, 3), 1 / 3), ["a", "b", "c"], ["x", "y"], title="t")
    assert ax.figure is fig and ax.get_title() == "t"


def test_paired_bootstrap_separates_a_real_gap_from_none() -> None:
    from course_utils.seq2seq.evaluation import paired_bootstrap

    refs = ["das ist ein haus", "ich heiße john", "wo ist der bahnhof", "es regnet heute"] * 30
    weak = ["das ist ein haus", "ich heiße anna", "wo ist die kabine", "es regnet"] * 30
    nearly = [*weak[:-1], refs[-1]]  # one sentence of 120 fixed: too small a gap to be sure of
    table = paired_bootstrap({"weak": weak, "nearly": nearly, "perfect": list(refs)}, refs, "weak", n_samples=200)
    assert list(table.index) == ["weak", "nearly", "perfect"]
    assert list(table.columns) == ["bleu", "bleu_ci", "bleu_p", "chrf", "chrf_ci", "chrf_p"]
    assert np.isnan(table.loc["weak", "bleu_p"]), "the baseline has no p-value against itself"
    assert table.loc["nearly", "bleu_p"] > 0.05 and table.loc["nearly", "bleu"] > table.loc["weak", "bleu"]
    assert table.loc["perfect", "bleu_p"] < 0.05 and table.loc["perfect", "chrf_p"] < 0.05
    assert table.loc["perfect", "bleu"] == pytest.approx(100.0) and table.loc["weak", "bleu_ci"] > 0
    with pytest.raises(ValueError, match="baseline 'none' is not one of"):
        paired_bootstrap({"weak": weak, "perfect": refs}, refs, "none")
    with pytest.raises(ValueError, match="translate every test sentence"):
        paired_bootstrap({"weak": weak[:-1], "perfect": refs}, refs, "weak")
    with pytest.raises(TypeError, match="not a single string"):
        paired_bootstrap({"weak": weak, "perfect": refs}, "das", "weak")


def test_keep_best_bleu_logs_validation_bleu_and_restores_the_best_epoch() -> None:
    from course_utils.seq2seq.evaluation import evaluate_translations
    from course_utils.seq2seq.translator import train_translator

    model = _tiny("none")
    history = train_translator(model, PAIRS, PAIRS[:4], epochs=4, batch_size=4, learning_rate=1e-2, keep_best_bleu=True)
    assert len(history["val_bleu"]) == 4 == len(history["loss"])
    now = evaluate_translations(model.translate([en for en, _ in PAIRS[:4]], unk_replace=False),
                                [de for _, de in PAIRS[:4]])["bleu"]
    assert now == pytest.approx(max(history["val_bleu"])), "the model should end with its best validation epoch"
    with pytest.raises(ValueError, match="pass the validation pairs"):
        train_translator(model, PAIRS, None, epochs=1, keep_best_bleu=True)


def test_stop_at_ends_translator_training_once_every_training_token_is_right() -> None:
    from course_utils.seq2seq.translator import train_translator

    full = train_translator(_tiny("luong"), PAIRS, None, epochs=60, batch_size=5, learning_rate=3e-2)
    stopped = train_translator(_tiny("luong"), PAIRS, None, epochs=60, batch_size=5, learning_rate=3e-2, stop_at=1.0)
    assert len(full["loss"]) == 60
    first = next(i for i, acc in enumerate(full["masked_accuracy"]) if acc >= 1.0)  # five sentences: learnt early
    assert len(stopped["loss"]) == first + 1 and stopped["loss"] == full["loss"][: first + 1]
    with pytest.raises(ValueError, match="stop_at"):
        train_translator(_tiny("luong"), PAIRS, None, epochs=1, stop_at=0)


@settings(max_examples=60, deadline=None)
@given(st.integers(1, 12).flatmap(lambda n: st.tuples(
    st.lists(st.floats(0, 1, allow_nan=False), min_size=n + 3, max_size=n + 3),
    st.lists(st.sampled_from([UNK, 5, 6, 7]), min_size=n, max_size=n), st.just(n))))
def test_unk_replacement_copies_an_unknown_source_word_when_there_is_one(case: tuple) -> None:
    """An output [UNK] takes the source position attention weighs most, among the source's own
    [UNK] words when it has any, and never a padding position."""
    from course_utils.seq2seq.translator import _copied_position

    weights, ids, n = case
    src = np.array(ids + [PAD] * 3)  # (S,) = n tokens, then padding
    pos = _copied_position(np.array(weights), src, n)
    assert 0 <= pos < n
    candidates = [k for k in range(n) if ids[k] == UNK] or list(range(n))
    assert pos in candidates and weights[pos] == max(weights[k] for k in candidates)


def test_unk_replacement_prefers_the_unknown_name_to_a_word_attention_also_weighs() -> None:
    from course_utils.seq2seq.translator import _copied_position

    # "Amelia is my friend ." with "Amelia" unknown; attention at the output [UNK] peaks on "my"
    src = np.array([UNK, 5, 6, 7, 8, PAD])
    assert _copied_position(np.array([0.2, 0.1, 0.5, 0.1, 0.1, 0.0]), src, 5) == 0
    assert _copied_position(np.array([0.2, 0.1, 0.5, 0.1, 0.1, 0.0]), np.array([4, 5, 6, 7, 8, PAD]), 5) == 2
