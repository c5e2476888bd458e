"""The five headline comparisons, each rerun with its chapter's settings and data for one seed.

Each comparison calls the library functions its chapter calls (the builders, the dataset
helpers, the evaluations), with the chapter's sizes and budgets; only the seed changes, where
the chapter writes ``set_seed(1234)`` and shuffles with ``seed=1234``: the seed of the weights
and of the data order. Seed 1234 is the chapter's own run. The settings dictionaries below
are stored with the results. A comparison's ``prepare()`` loads its data once; ``run_seed``
trains and scores every model for one seed and returns a :data:`SeedResult`:

    {"figures": {metric: {"validation": {model: x}, "test": {model: x}}},
     "items": {metric: {model: bool array (n_test,)}},        # optional: per-item correctness
     "item_tests": {metric: [{"a", "b", "p"}]}}                # optional: a chapter's own item test

Keras and TensorFlow are imported inside the functions.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np

__all__ = ["COMPARISONS", "Comparison", "Metric", "SeedResult"]

SeedResult = dict[str, Any]


@dataclass(frozen=True)
class Metric:
    """A figure a chapter reports: its name and whether ``"lower"`` or ``"higher"`` is better."""

    name: str
    better: str


@dataclass(frozen=True)
class Comparison:
    """One headline comparison: its models, metrics, default number of seeds and how to run one seed."""

    key: str
    title: str
    notebook: str
    models: tuple[str, ...]
    metrics: tuple[Metric, ...]
    default_seeds: int
    prepare: Callable[[], Any]
    run_seed: Callable[[Any, int], SeedResult]
    settings: dict[str, Any] = field(default_factory=dict)
    claim: str = ""  # the chapter's sentence that this comparison tests, quoted


def _start(seed: int) -> None:
    """A clean Keras session, then the course's seeding (Python, NumPy, TF, Keras; deterministic ops)."""
    import keras

    from course_utils.seed import set_seed

    keras.backend.clear_session()
    set_seed(seed)


def _split_figures(models: dict[str, tuple[float, float]]) -> dict[str, dict[str, float]]:
    """{model: (validation, test)} -> {"validation": {model: x}, "test": {model: x}}."""
    return {"validation": {m: float(v) for m, (v, _) in models.items()},
            "test": {m: float(t) for m, (_, t) in models.items()}}


# --------------------------------------------------------------------------- characters (06, 14)
CHAR = {"train_chars": 600_000, "held_out_chars": 200_000, "seq_len": 100, "units": 256, "embed_dim": 32,
        "batch_size": 64, "learning_rate": 4e-3, "epochs": 1}


def _prepare_chars(train_chars: int = CHAR["train_chars"], held_out_chars: int = CHAR["held_out_chars"]) -> dict[str, Any]:
    from course_utils.data import load_shakespeare
    from course_utils.rnn.char_lm import CharVocab

    train_text = load_shakespeare(max_chars=train_chars).train
    held = load_shakespeare(max_chars=held_out_chars)
    vocab = CharVocab.from_text(train_text)
    return {"vocab": vocab, "train": vocab.encode(train_text), "validation": vocab.encode(held.validation),
            "test": vocab.encode(held.test)}


def _char_lm_figures(data: dict[str, Any], seed: int, build: Callable[[], Any], seq_len: int, epochs: int,
                     ds: Any = None) -> tuple[float, float]:
    """Train a model from ``build()`` as chapters 06 and 14 do (a fresh ``char_lm_dataset`` with the
    seed, unless ``ds`` is given), then validation and test perplexity."""
    from course_utils.rnn.char_lm import char_lm_dataset, evaluate_char_lm
    from course_utils.rnn.lm_metrics import perplexity
    from course_utils.seed import set_seed
    from course_utils.training import fit_timed

    set_seed(seed)
    model = build()
    if ds is None:
        ds = char_lm_dataset(data["train"], seq_len=seq_len, batch_size=CHAR["batch_size"], seed=seed)
    fit_timed(model, ds, epochs, shuffle=False)  # ds shuffles itself
    return (perplexity(evaluate_char_lm(model, data["validation"], seq_len=seq_len)),
            perplexity(evaluate_char_lm(model, data["test"], seq_len=seq_len)))


def _char_builder(vocab_size: int, cell: Any, **options: Any) -> Callable[[], Any]:
    from course_utils.rnn.char_lm import build_char_lm

    return lambda: build_char_lm(vocab_size, cell, CHAR["units"], embed_dim=CHAR["embed_dim"], seq_len=CHAR["seq_len"],
                                 learning_rate=CHAR["learning_rate"], **options)


def _run_06(data: dict[str, Any], seed: int) -> SeedResult:
    _start(seed)
    size = data["vocab"].size
    builds = {"SimpleRNN": _char_builder(size, "simple", unroll=True),  # unrolled, as chapter 06 trains it
              "LSTM": _char_builder(size, "lstm", unroll=False), "GRU": _char_builder(size, "gru", unroll=False)}
    return {"figures": {"perplexity": _split_figures(
        {name: _char_lm_figures(data, seed, build, CHAR["seq_len"], CHAR["epochs"]) for name, build in builds.items()})}}


def _run_14(data: dict[str, Any], seed: int) -> SeedResult:
    from course_utils.linear_rnn.layers import MinGRU

    _start(seed)
    size = data["vocab"].size
    builds = {"minGRU": _char_builder(size, lambda units: MinGRU(units, return_sequences=True, method="sequential")),
              "GRU": _char_builder(size, "gru", unroll=False)}  # chapter 06's GRU, which chapter 14 cites
    return {"figures": {"perplexity": _split_figures(
        {name: _char_lm_figures(data, seed, build, CHAR["seq_len"], CHAR["epochs"]) for name, build in builds.items()})}}


# --------------------------------------------------------------------------- reviews (08, 13)
def _review_data(vocab: int, max_len: int) -> dict[str, Any]:
    import keras

    from course_utils.data import load_reviews

    reviews = load_reviews()
    vectorizer = keras.layers.TextVectorization(max_tokens=vocab, output_mode="int", output_sequence_length=max_len)
    vectorizer.adapt(reviews.train.texts)
    return {"reviews": reviews, "vectorizer": vectorizer}


def _review_dataset(data: dict[str, Any], split: str, seed: int | None, batch: int) -> Any:
    """The chapters' ``to_dataset``: vectorised reviews and labels in batches, shuffled with ``seed``
    (None: in order), tf.data autotuning off."""
    import tensorflow as tf

    from course_utils.training import without_autotune

    part = data["reviews"][split]
    ds = tf.data.Dataset.from_tensor_slices((data["vectorizer"](part.texts), part.labels))
    if seed is not None:
        ds = ds.shuffle(len(part), seed=seed)
    return without_autotune(ds.batch(batch).prefetch(2))


def _classifier_scores(model: Any, data: dict[str, Any], split: str) -> tuple[float, np.ndarray]:
    """(accuracy, per-review correctness) of a classifier on one split."""
    from course_utils.metrics import accuracy
    from course_utils.text_classification import score_texts

    part = data["reviews"][split]
    p = score_texts(model, data["vectorizer"], part.texts)
    return accuracy(part.labels, p), (p >= 0.5) == (np.asarray(part.labels) == 1)


SENTIMENT_08 = {"vocab": 10_000, "max_len": 200, "batch_size": 64, "embed_dim": 32, "units": 32, "max_epochs": 6,
                "early_stopping": "val_accuracy, patience 2, best weights restored",
                "bag_of_words_l2_grid": [1e-4, 1e-3, 1e-2]}


def _prepare_08() -> dict[str, Any]:
    from course_utils.metrics import accuracy
    from course_utils.text_classification import BagOfWordsLogisticRegression

    data = _review_data(SENTIMENT_08["vocab"], SENTIMENT_08["max_len"])
    reviews, best = data["reviews"], None
    for l2 in SENTIMENT_08["bag_of_words_l2_grid"]:  # chosen on validation, as the chapter does; no seed involved
        model = BagOfWordsLogisticRegression(max_tokens=SENTIMENT_08["vocab"], l2=l2).fit(reviews.train.texts,
                                                                                       reviews.train.labels)
        val = accuracy(reviews.validation.labels, model.predict_proba(reviews.validation.texts))
        if best is None or val > best[0]:
            best = (val, model)
    val, bow = best
    p = bow.predict_proba(reviews.test.texts)
    data["bag_of_words"] = {"validation": val, "test": accuracy(reviews.test.labels, p), "l2": bow.l2,
                            "correct": (p >= 0.5) == (np.asarray(reviews.test.labels) == 1)}
    return data


def _run_08(data: dict[str, Any], seed: int) -> SeedResult:
    import keras

    from course_utils.seed import set_seed
    from course_utils.text_classification import build_text_classifier
    from course_utils.training import fit_timed

    _start(seed)
    s = SENTIMENT_08
    train_ds = _review_dataset(data, "train", seed, s["batch_size"])  # one dataset, both models, as in the chapter
    next(iter(train_ds))  # the chapter prints one batch's shape first: that pass advances the shuffle order
    val_ds = _review_dataset(data, "validation", None, s["batch_size"])
    bow = data["bag_of_words"]
    figures, items = {"bag of words": (bow["validation"], bow["test"])}, {"bag of words": bow["correct"]}
    for name, bidirectional in (("LSTM", False), ("BiLSTM", True)):
        set_seed(seed)
        model = build_text_classifier(s["vocab"], embed_dim=s["embed_dim"], units=s["units"], cell="lstm",
                                      bidirectional=bidirectional)
        stop = keras.callbacks.EarlyStopping(monitor="val_accuracy", patience=2, restore_best_weights=True)
        fit_timed(model, train_ds, s["max_epochs"], validation_data=val_ds, callbacks=[stop], shuffle=False)
        val, _ = _classifier_scores(model, data, "validation")
        test, items[name] = _classifier_scores(model, data, "test")
        figures[name] = (val, test)
    return {"figures": {"accuracy": _split_figures(figures)}, "items": {"accuracy": items}}


SENTIMENT_13 = {"vocab": 2_000, "max_len": 100, "embed_dim": 16, "batch_size": 64, "epochs": 3,
                "gru_units": 24, "cnn": "36 filters, width 5", "transformer": "d 16, 2 heads, ff 48, 1 block"}
CHARS_13 = {"train_chars": 150_000, "held_out_chars": 100_000, "seq_len": 64, "batch_size": 64, "epochs": 4,
            "learning_rate": 4e-3, "gru_units": 64, "cnn": "42 filters, width 3, dilations 1-2-4-8",
            "transformer": "d 32, 2 heads, ff 96, 2 blocks"}


def _prepare_13() -> dict[str, Any]:
    return {"reviews": _review_data(SENTIMENT_13["vocab"], SENTIMENT_13["max_len"]),
            "chars": _prepare_chars(CHARS_13["train_chars"], CHARS_13["held_out_chars"])}


def _run_13(data: dict[str, Any], seed: int) -> SeedResult:
    from course_utils.convolution import build_conv_classifier, build_conv_lm
    from course_utils.metrics import accuracy
    from course_utils.rnn.char_lm import build_char_lm, char_lm_dataset
    from course_utils.seed import set_seed
    from course_utils.text_classification import build_text_classifier
    from course_utils.training import fit_timed
    from course_utils.transformer import build_transformer_classifier, build_transformer_lm

    _start(seed)
    s, c, rev = SENTIMENT_13, CHARS_13, data["reviews"]
    classifiers = {
        "GRU": lambda: build_text_classifier(s["vocab"], embed_dim=s["embed_dim"], units=s["gru_units"], cell="gru"),
        "1-D CNN": lambda: build_conv_classifier(s["vocab"], embed_dim=s["embed_dim"], filters=36, kernel_size=5),
        "Transformer": lambda: build_transformer_classifier(s["vocab"], d_model=s["embed_dim"], num_heads=2, ff_dim=48,
                                                            num_blocks=1),
    }
    train_ds = _review_dataset(rev, "train", seed, s["batch_size"])
    val_ds = _review_dataset(rev, "validation", None, s["batch_size"])
    ids = {split: rev["vectorizer"](rev["reviews"][split].texts).numpy() for split in ("validation", "test")}
    review_figures, items = {}, {}
    for name, build in classifiers.items():
        set_seed(seed)
        model = build()
        fit_timed(model, train_ds, s["epochs"], validation_data=val_ds, shuffle=False)
        scores = []
        for split in ("validation", "test"):
            p = model.predict(ids[split], batch_size=len(ids[split]), verbose=0).reshape(-1)
            labels = np.asarray(rev["reviews"][split].labels)
            scores.append(accuracy(labels, p))
        items[name] = (p >= 0.5) == (labels == 1)  # the test split, scored last
        review_figures[name] = tuple(scores)

    chars, size = data["chars"], data["chars"]["vocab"].size
    lms = {
        "GRU": lambda: build_char_lm(size, "gru", c["gru_units"], embed_dim=32, seq_len=c["seq_len"],
                                     learning_rate=c["learning_rate"]),
        "1-D CNN": lambda: build_conv_lm(size, filters=42, kernel_size=3, dilations=(1, 2, 4, 8), embed_dim=32,
                                         seq_len=c["seq_len"], learning_rate=c["learning_rate"]),
        "Transformer": lambda: build_transformer_lm(size, d_model=32, num_heads=2, ff_dim=96, num_blocks=2,
                                                    seq_len=c["seq_len"], learning_rate=c["learning_rate"]),
    }
    lm_train = char_lm_dataset(chars["train"], seq_len=c["seq_len"], batch_size=c["batch_size"], seed=seed)  # shared
    char_figures = {name: _char_lm_figures(chars, seed, build, c["seq_len"], c["epochs"], ds=lm_train)
                    for name, build in lms.items()}
    return {"figures": {"reviews accuracy": _split_figures(review_figures),
                        "characters perplexity": _split_figures(char_figures)},
            "items": {"reviews accuracy": items}}


# --------------------------------------------------------------------------- translation (11)
TRANSLATION_11 = {"source": "auf-deutsch", "max_words": 10, "embed_dim": 128, "units": 256, "dropout": 0.2,
                  "bidirectional": True, "attention_units": 64, "max_source_len": 20, "max_target_len": 20,
                  "epochs": 9, "learning_rate": 3e-3, "batch_size": 64, "decoding": "greedy, unk_replace=False"}
KINDS_11 = {"none": "none", "Bahdanau": "bahdanau", "Luong": "luong"}


def _prepare_11() -> Any:
    from course_utils.data import load_translation

    return load_translation(source=TRANSLATION_11["source"], max_words=TRANSLATION_11["max_words"])


def _run_11(pairs: Any, seed: int) -> SeedResult:
    from course_utils.seed import set_seed
    from course_utils.seq2seq.evaluation import evaluate_translations, paired_bootstrap
    from course_utils.seq2seq.translator import Translator, train_translator

    t = TRANSLATION_11
    _start(seed)
    hyps: dict[str, list[str]] = {}
    scores: dict[str, dict[str, tuple[float, float]]] = {"BLEU": {}, "chrF": {}}
    for name, kind in KINDS_11.items():
        set_seed(seed)
        model = Translator.from_pairs(pairs.train, attention=kind, embed_dim=t["embed_dim"], units=t["units"],
                                      dropout=t["dropout"], bidirectional=t["bidirectional"],
                                      attention_units=t["attention_units"], max_source_len=t["max_source_len"],
                                      max_target_len=t["max_target_len"])
        train_translator(model, pairs.train, pairs.validation, epochs=t["epochs"], batch_size=t["batch_size"],
                         learning_rate=t["learning_rate"], seed=seed)
        found = {}
        for split in ("validation", "test"):
            out = model.translate([en for en, _ in pairs[split]], unk_replace=False)  # plain greedy output
            found[split] = evaluate_translations(out, [de for _, de in pairs[split]])
            if split == "test":
                hyps[name] = out
        scores["BLEU"][name] = (found["validation"]["bleu"], found["test"]["bleu"])
        scores["chrF"][name] = (found["validation"]["chrf"], found["test"]["chrf"])
    refs = [de for _, de in pairs.test]
    item_tests: dict[str, list[dict[str, Any]]] = {"BLEU": [], "chrF": []}
    for baseline, others in (("none", ("Bahdanau", "Luong")), ("Bahdanau", ("Luong",))):
        table = paired_bootstrap({n: hyps[n] for n in (baseline, *others)}, refs, baseline=baseline)
        for other in others:
            item_tests["BLEU"].append({"a": other, "b": baseline, "p": float(table.loc[other, "bleu_p"])})
            item_tests["chrF"].append({"a": other, "b": baseline, "p": float(table.loc[other, "chrf_p"])})
    return {"figures": {m: _split_figures(v) for m, v in scores.items()}, "item_tests": item_tests}


COMPARISONS: dict[str, Comparison] = {c.key: c for c in (
    Comparison("06", "SimpleRNN vs LSTM vs GRU on Shakespeare, one epoch", "notebooks/06_gru.ipynb",
               ("SimpleRNN", "LSTM", "GRU"), (Metric("perplexity", "lower"),), 3, _prepare_chars, _run_06,
               {**CHAR, "simple_rnn": "unroll=True"},
               "In this run the GRU had the lowest test perplexity and the LSTM the highest, with the `SimpleRNN` "
               "between: **the LSTM did not win here.**"),
    Comparison("08", "Bidirectional LSTM vs LSTM vs bag of words on 5,000 food reviews", "notebooks/08_sentiment.ipynb",
               ("bag of words", "LSTM", "BiLSTM"), (Metric("accuracy", "higher"),), 3, _prepare_08, _run_08,
               {**SENTIMENT_08, "bag_of_words": "deterministic: fitted once, the same figure for every seed"},
               "The plain LSTM is a little *less* accurate than the baseline; the bidirectional LSTM is a little "
               "ahead, by a margin of a few test reviews out of 496. That is well inside the noise"),
    Comparison("11", "Attention (Bahdanau, Luong) vs none, English to German sentences", "notebooks/11_attention.ipynb",
               ("none", "Bahdanau", "Luong"), (Metric("BLEU", "higher"), Metric("chrF", "higher")), 3, _prepare_11,
               _run_11, TRANSLATION_11,
               "In this run both attention models score above the same network without attention on both "
               "metrics"),
    Comparison("13", "GRU vs dilated 1-D CNN vs Transformer at equal parameters and steps",
               "notebooks/13_rnn_cnn_transformer.ipynb", ("GRU", "1-D CNN", "Transformer"),
               (Metric("reviews accuracy", "higher"), Metric("characters perplexity", "lower")), 3, _prepare_13,
               _run_13, {"reviews": SENTIMENT_13, "characters": CHARS_13},
               "**Reviews: a tie.** ... **Characters: the GRU.** Its test perplexity (9.67) is clearly below the "
               "Transformer's (11.52) and the CNN's (11.56); the order of those two is open."),
    Comparison("14", "minGRU vs GRU on Shakespeare, chapter 06's budget", "notebooks/14_recurrent_revival.ipynb",
               ("minGRU", "GRU"), (Metric("perplexity", "lower"),), 3, _prepare_chars, _run_14,
               {**CHAR, "mingru": "MinGRU(256, method='sequential')"},
               "**It does not match the GRU** under this budget: chapter 06's GRU reached a clearly lower "
               "perplexity, with about six times as many parameters."),
)}
"""The headline comparisons by chapter, in course order."""
