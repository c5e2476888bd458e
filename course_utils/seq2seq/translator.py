"""A complete translator: tokenisers, vocabularies, encoder, decoder (chapters 10-12).

>>> tr = Translator.from_pairs(pairs.train, attention="luong")      # doctest: +SKIP
>>> train_translator(tr, pairs.train, pairs.validation, epochs=20)  # doctest: +SKIP
>>> tr.translate(["My name is Anna."])                               # doctest: +SKIP
>>> tr.save_translator("translator.keras")                           # doctest: +SKIP
>>> Translator.load_translator("translator.keras")                  # doctest: +SKIP

How ``translate`` treats awkward inputs (documented behaviour, tested):

* an empty or blank string translates to ``""`` without calling the model;
* an unknown word becomes ``[UNK]`` on the way in; an output ``[UNK]`` is replaced by
  the source word the decoder attended to most, among the source's own unknown words when
  it has any (attention models, ``unk_replace=True``, the default), or left as ``[UNK]``
  (models without attention);
* input longer than ``max_source_len`` tokens is cut to that length, with a warning;
* anything that is not a list of strings raises ``TypeError`` saying what to pass;
* a decoding setting out of range (``beam_width`` or ``batch_size`` < 1, a negative or
  non-finite ``alpha``) raises ``ValueError`` before any decoding starts.
"""

from __future__ import annotations

import dataclasses
import warnings
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import keras
import numpy as np
from keras import ops

from ..training import FitOutcome, fit_timed, stop_at_callbacks, without_autotune
from ..validate import ids_in_range, positive_int
from .decoding import _check_alpha, beam_search_decode, greedy_decode
from .layers import Decoder, Encoder, masked_accuracy, masked_loss
from .subwords import Subwords, train_subwords
from .tokens import END, PAD, SPECIALS, START, UNK, build_vocabulary, decode_ids, encode, get_tokenizer
from .translator_config import FIELD_DEFAULTS, FIELDS, SUBWORDS, TranslatorConfig

__all__ = ["FIELDS", "FIELD_DEFAULTS", "BestValidationBleu", "Translator", "TranslatorConfig", "compile_translator",
           "train_translator"]

Tokenizer = tuple[Callable[[str], list[str]], Callable[[Sequence[str]], str]]


def _tokenizer(name: str, subwords: Subwords | None) -> Tokenizer:
    """``(tokenize, detokenize)`` for a tokeniser name: a named one from ``tokens.TOKENIZERS``,
    or ``"subwords"``, which needs the model's subword model."""
    if name != SUBWORDS:
        return get_tokenizer(name)
    if subwords is None:
        raise ValueError("the 'subwords' tokenizer needs a subword model: build the Translator with "
                         "Translator.from_pairs(..., source_tokenizer='subwords', target_tokenizer='subwords'), "
                         "which trains one, or pass subword_model=Subwords(...).to_text()")
    return subwords.tokenize, subwords.detokenize


def _cut_to_longest(inputs: Any, tgt_out: Any) -> Any:
    """Drop the padding columns that no row of this batch uses (ids are padded at the end)."""
    import tensorflow as tf

    src, tgt_in = inputs

    def width(ids: Any) -> Any:  # (batch, T) -> length of the longest row
        return tf.reduce_max(tf.reduce_sum(tf.cast(tf.not_equal(ids, PAD), tf.int32), axis=1))

    s, t = width(src), width(tgt_out)  # tgt_out = y_1 .. y_n [END] is never shorter than tgt_in
    return (src[:, :s], tgt_in[:, :t]), tgt_out[:, :t]


def _copied_position(weights: np.ndarray, src_ids: np.ndarray, n_tokens: int) -> int:
    """The source position whose word replaces an output ``[UNK]``: the one with the largest
    attention weight (weights (S,), src_ids (S,)) among the sentence's ``n_tokens`` tokens, and
    among its unknown words alone when it has any. An output ``[UNK]`` nearly always stands for
    a source word the model cannot read ("Amelia"), not for the word next to it that attention
    also looks at ("my")."""
    weights, unknown = np.asarray(weights[:n_tokens], float), np.asarray(src_ids[:n_tokens]) == UNK
    if unknown.any():
        weights = np.where(unknown, weights, -np.inf)
    return int(np.argmax(weights))


def _check_pairs(pairs: Any) -> None:
    if isinstance(pairs, str) or not isinstance(pairs, Sequence) or not pairs:
        raise TypeError("pairs must be a non-empty list of (source, target) string tuples, e.g. load_translation().train")
    bad = next((p for p in pairs if not (isinstance(p, (tuple, list)) and len(p) == 2
                                          and all(isinstance(s, str) for s in p))), None)
    if bad is not None:
        raise TypeError(f"every pair must be a (source, target) tuple of two strings, found {bad!r}")


def _setting(name: str) -> property:
    """A read-only attribute that reads ``self.config.<name>``."""
    return property(lambda self: getattr(self.config, name), doc=f"``config.{name}`` (read-only).")


@keras.saving.register_keras_serializable(package="course_utils")
class Translator(keras.Model):
    """Encoder-decoder translator that owns its vocabularies and tokenisers.

    ``call((src (batch, S), tgt_in (batch, T)))`` -> logits (batch, T, V_target): teacher forcing.
    ``translate(list[str]) -> list[str]``: greedy or beam-search decoding.
    Saved as ``.keras`` (config as JSON + weights); no pickle, loads with ``safe_mode=True``.
    """

    def __init__(self, source_vocab: list[str], target_vocab: list[str], config: TranslatorConfig | None = None,
                 **kwargs: Any) -> None:
        """``config`` holds every setting; or pass the settings as keywords instead
        (``Translator(src_vocab, tgt_vocab, attention="luong")``). Other keywords (``name``)
        go to ``keras.Model``."""
        settings = {k: kwargs.pop(k) for k in FIELD_DEFAULTS if k in kwargs}
        if config is None:
            config = TranslatorConfig(**settings)
        elif settings:
            raise TypeError(f"pass the settings either in config or as keywords, not both; "
                            f"got config and {sorted(settings)}")
        if not isinstance(config, TranslatorConfig):
            raise TypeError(f"config must be a TranslatorConfig, got {type(config).__name__}")
        super().__init__(**kwargs)
        for name, vocab in [("source_vocab", source_vocab), ("target_vocab", target_vocab)]:
            if not isinstance(vocab, (list, tuple)) or list(vocab[: len(SPECIALS)]) != SPECIALS:
                raise ValueError(f"{name} must be a list starting with the special tokens {SPECIALS}; "
                                 "build it with course_utils.seq2seq.tokens.build_vocabulary")
        uses_model = config.uses_subwords and config.subword_model is not None
        self._subwords = Subwords(config.subword_model) if uses_model else None
        _tokenizer(config.source_tokenizer, self._subwords), _tokenizer(config.target_tokenizer, self._subwords)
        self.config = config
        self.source_vocab, self.target_vocab = list(source_vocab), list(target_vocab)
        self.encoder = Encoder(len(self.source_vocab), config.embed_dim, config.units, config.dropout,
                               config.bidirectional, name="encoder")
        self.decoder = Decoder(len(self.target_vocab), config.embed_dim, config.units, config.attention,
                               config.dropout, config.attention_units, name="decoder")

    # Each setting reads as an attribute too: model.units, model.max_source_len, ...
    embed_dim = _setting("embed_dim")
    units = _setting("units")
    attention = _setting("attention")
    dropout = _setting("dropout")
    source_tokenizer = _setting("source_tokenizer")
    target_tokenizer = _setting("target_tokenizer")
    lowercase_source = _setting("lowercase_source")
    max_source_len = _setting("max_source_len")
    max_target_len = _setting("max_target_len")
    bidirectional = _setting("bidirectional")
    attention_units = _setting("attention_units")
    subword_model = _setting("subword_model")

    # ------------------------------------------------------------------ construction
    @classmethod
    def from_pairs(cls, pairs: Sequence[tuple[str, str]], max_vocab: int | None = 5000, min_count: int = 1,
                   subword_vocab_size: int = 1000, **kwargs: Any) -> "Translator":
        """Build vocabularies from training pairs (source, target), then the model;
        ``kwargs`` are the other constructor arguments (:data:`FIELDS`).

        With ``source_tokenizer="subwords"`` and/or ``target_tokenizer="subwords"`` (and no
        ``subword_model``), a joint SentencePiece model of about ``subword_vocab_size`` pieces is
        first trained on the texts of those sides (:func:`~course_utils.seq2seq.subwords.train_subwords`).
        Subword sources must keep their case (``lowercase_source=False``): a lower-cased name
        could not be copied back with its capital."""
        _check_pairs(pairs)
        unknown = sorted(set(kwargs) - set(FIELDS) - {"name"})
        if unknown or {"source_vocab", "target_vocab"} & set(kwargs):
            raise TypeError(f"from_pairs() builds the vocabularies itself and takes the other Translator "
                            f"settings {list(FIELDS[2:])}; got {unknown or ['source_vocab/target_vocab']}")
        config = TranslatorConfig(**{k: v for k, v in kwargs.items() if k in FIELD_DEFAULTS})
        sides = [i for i, tok in enumerate((config.source_tokenizer, config.target_tokenizer)) if tok == SUBWORDS]
        if config.source_tokenizer == SUBWORDS and config.lowercase_source:
            raise ValueError("subword sources keep their case, so that names can be copied: pass lowercase_source=False")
        if sides and config.subword_model is None:
            texts = [pair[i] for i in sides for pair in pairs]
            trained = Subwords(train_subwords(texts, subword_vocab_size)).to_text()
            config = dataclasses.replace(config, subword_model=trained)
        subwords = Subwords(config.subword_model) if sides else None
        src_tok = _tokenizer(config.source_tokenizer, subwords)[0]
        tgt_tok = _tokenizer(config.target_tokenizer, subwords)[0]
        src_vocab = build_vocabulary([src_tok(s) for s, _ in pairs], max_vocab, min_count,
                                     lowercase=config.lowercase_source)
        tgt_vocab = build_vocabulary([tgt_tok(t) for _, t in pairs], max_vocab, min_count)
        if subwords is not None:
            # Every piece of the subword model gets an id, also one that the training text only ever
            # shows inside a longer piece (a lone "B"): an unseen name may need it.
            extra = [p for p in subwords.pieces() if p != "<unk>"]
            if 0 in sides:
                seen = set(src_vocab)
                src_vocab += [p for p in extra if p not in seen]
            if 1 in sides:
                seen = set(tgt_vocab)
                tgt_vocab += [p for p in extra if p not in seen]
        model = cls(src_vocab, tgt_vocab, config, **{k: v for k, v in kwargs.items() if k == "name"})
        model.build_now()
        return model

    def build_now(self) -> None:
        """Create every weight by running one dummy batch (needed before loading weights)."""
        self((np.ones((1, 2), "int32"), np.ones((1, 2), "int32")))

    def build(self, input_shape: Any) -> None:
        src_shape, tgt_shape = input_shape
        self.encoder.build(src_shape)
        self.decoder.build(tgt_shape)

    def call(self, inputs: Any, training: bool = False) -> Any:
        src, tgt_in = inputs
        enc_out, state = self.encoder(src, training=training)
        logits, _ = self.decoder(tgt_in, enc_out, ops.not_equal(src, PAD), state, training=training)
        # A fresh tensor without Keras's mask metadata: masked_loss does its own masking
        # (Keras would otherwise try to apply the mask to the scalar loss).
        return ops.add(logits, 0.0)

    def get_config(self) -> dict[str, Any]:
        """``{"source_vocab", "target_vocab", every TranslatorConfig field, "name"}``: what
        ``.keras`` files and the reference sidecars store."""
        return {"source_vocab": self.source_vocab, "target_vocab": self.target_vocab, **self.config.to_dict(),
                "name": self.name}

    @classmethod
    def from_config(cls, config: dict[str, Any]) -> "Translator":
        """The Translator of a :meth:`get_config` dict, built (ready to load weights)."""
        config = dict(config)
        vocabs = config.pop("source_vocab"), config.pop("target_vocab")
        settings = {k: config.pop(k) for k in FIELD_DEFAULTS if k in config}
        model = cls(*vocabs, TranslatorConfig(**settings), **config)
        model.build_now()
        return model

    def get_build_config(self) -> dict[str, Any]:
        return {}

    def build_from_config(self, config: dict[str, Any]) -> None:
        if not self.built:
            self.build_now()

    # ------------------------------------------------------------------ data
    def tokenizers(self) -> tuple[Tokenizer, Tokenizer]:
        """``((tokenize, detokenize) for the source, the same for the target)``."""
        return _tokenizer(self.source_tokenizer, self._subwords), _tokenizer(self.target_tokenizer, self._subwords)

    def source_tokens(self, texts: Sequence[str]) -> list[list[str]]:
        tok = self.tokenizers()[0][0]
        return [tok(t) for t in texts]

    def encode_source(self, texts: Sequence[str]) -> np.ndarray:
        """Strings -> source ids (batch, S), cut to ``max_source_len``."""
        return encode(self.source_tokens(texts), self.source_vocab, self.max_source_len,
                      lowercase=self.lowercase_source)

    def teacher_forcing_ids(self, pairs: Sequence[tuple[str, str]]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(source, target) strings -> src (N, S), tgt_in (N, T), tgt_out (N, T), padded with 0:
        tgt_in = [START] y_1 .. y_n, tgt_out = y_1 .. y_n [END] (what :meth:`make_dataset` batches)."""
        _check_pairs(pairs)
        tgt_tok = self.tokenizers()[1][0]
        src = self.encode_source([s for s, _ in pairs])
        tgt = encode([tgt_tok(t) for _, t in pairs], self.target_vocab, self.max_target_len + 1,
                     add_start=True, add_end=True)
        tgt_in = np.where(tgt == END, PAD, tgt)[:, :-1]   # drop [END] from the input side
        tgt_out = tgt[:, 1:]                            # shift left: predict the next token
        return src, tgt_in, tgt_out

    def make_dataset(self, pairs: Sequence[tuple[str, str]], batch_size: int = 64, shuffle: bool = True,
                     seed: int = 1234) -> Any:
        """A tf.data pipeline of ``((src, tgt_in), tgt_out)`` for teacher forcing:
        tgt_in = [START] y_1 .. y_n, tgt_out = y_1 .. y_n [END]; padded with 0 (masked in the loss).

        Each batch is cut to its own longest row: src (batch, S_b), tgt_in and tgt_out
        (batch, T_b). The padding is masked, so the numbers are those of padding to the
        longest sentence of the corpus, but a batch of short sentences costs fewer
        recurrent steps (about a third less time per epoch on chapter 11's pairs)."""
        import tensorflow as tf

        src, tgt_in, tgt_out = self.teacher_forcing_ids(pairs)
        ds = tf.data.Dataset.from_tensor_slices(((src, tgt_in), tgt_out))
        if shuffle:
            ds = ds.shuffle(len(pairs), seed=seed, reshuffle_each_iteration=True)
        return without_autotune(ds.batch(batch_size).map(_cut_to_longest))

    # ------------------------------------------------------------------ inference
    def translate(self, texts: Sequence[str], method: str = "greedy", beam_width: int = 3, alpha: float = 1.0,
                  max_len: int | None = None, unk_replace: bool = True, batch_size: int = 256) -> list[str]:
        """Translate a list of strings; returns a list of strings of the same length.

        ``method``: ``"greedy"`` or ``"beam"`` (with ``beam_width`` and length-normalisation ``alpha``).
        ``max_len`` caps the target tokens (default ``max_target_len``).
        """
        if isinstance(texts, str):
            raise TypeError("translate() takes a list of strings; wrap one sentence as translate([sentence])")
        if not isinstance(texts, Sequence) and not isinstance(texts, np.ndarray):
            raise TypeError(f"translate() takes a list of strings, got {type(texts).__name__}")
        bad = [(i, t) for i, t in enumerate(texts) if not isinstance(t, str)]
        if bad:
            i, t = bad[0]
            raise TypeError(f"translate() takes strings only; item {i} is {type(t).__name__} ({t!r}). "
                            "Convert it with str(...) or drop it.")
        if method not in ("greedy", "beam"):
            raise ValueError(f"method must be 'greedy' or 'beam', got {method!r}")
        if method == "beam":
            positive_int("beam_width", beam_width, "the number of hypotheses kept; 1 is greedy decoding")
            _check_alpha(alpha)
        positive_int("max_len", max_len, "the most target tokens; None for max_target_len", allow_none=True)
        positive_int("batch_size", batch_size)
        max_len = self.max_target_len if max_len is None else max_len
        out = [""] * len(texts)
        todo = [i for i, t in enumerate(texts) if self.source_tokens([t])[0]]
        too_long = [i for i in todo if len(self.source_tokens([texts[i]])[0]) > self.max_source_len]
        if too_long:
            warnings.warn(f"{len(too_long)} input(s) longer than max_source_len={self.max_source_len} tokens "
                          f"were cut to that length (first: item {too_long[0]})", stacklevel=2)
        detok = self.tokenizers()[1][1]
        for start in range(0, len(todo), batch_size):
            idx = todo[start: start + batch_size]
            chunk = [texts[i] for i in idx]
            src = self.encode_source(chunk)
            att = None
            if method == "greedy":
                ids, att = greedy_decode(self, src, max_len, return_attention=True)
            else:
                ids = beam_search_decode(self, src, beam_width, max_len, alpha)
                if unk_replace and self.decoder.attention is not None and (ids == UNK).any():
                    att = self.attention_for(src, ids)
            src_tokens = [t[: self.max_source_len] for t in self.source_tokens(chunk)]
            for j, i in enumerate(idx):
                tokens = decode_ids(ids[j], self.target_vocab)
                if unk_replace and att is not None:
                    tokens = [src_tokens[j][_copied_position(att[j, p], src[j], len(src_tokens[j]))]
                              if tok == SPECIALS[UNK] else tok for p, tok in enumerate(tokens)]
                out[i] = detok(tokens)
        return out

    def attention_for(self, src_ids: np.ndarray, out_ids: np.ndarray) -> np.ndarray | None:
        """Attention weights (batch, T, S) the decoder gives when fed ``out_ids`` (teacher forcing).
        None for a model without attention."""
        if self.decoder.attention is None:
            return None
        src_ids, out_ids = np.asarray(src_ids), np.asarray(out_ids)
        if src_ids.ndim != 2 or out_ids.ndim != 2 or len(src_ids) != len(out_ids) or not out_ids.shape[1]:
            raise ValueError(f"attention_for() needs src_ids (batch, S) and out_ids (batch, T) for the same sentences, "
                             f"got shapes {src_ids.shape} and {out_ids.shape}")
        ids_in_range("src_ids", src_ids, len(self.source_vocab), "make them with model.encode_source(texts)")
        ids_in_range("out_ids", out_ids, len(self.target_vocab), "pass ids the decoder produced")
        tgt_in = np.concatenate([np.full((out_ids.shape[0], 1), START, "int32"), out_ids[:, :-1]], axis=1)
        tgt_in = np.where(tgt_in == END, PAD, tgt_in)
        enc_out, state = self.encoder(src_ids)
        _, weights = self.decoder(tgt_in, enc_out, ops.not_equal(src_ids, PAD), state)
        return np.asarray(weights)

    # ------------------------------------------------------------------ files
    def save_translator(self, path: str | Path) -> Path:
        """Save as ``.keras`` (JSON config + weights, no pickle)."""
        path = Path(path)
        if path.suffix != ".keras":
            raise ValueError(f"save to a path ending in .keras, got {str(path)!r}")
        self.save(path)
        return path

    @staticmethod
    def load_translator(path: str | Path) -> "Translator":
        """Load a ``.keras`` file written by :meth:`save_translator`, with ``safe_mode=True``."""
        path = Path(path)
        if not path.is_file():
            raise FileNotFoundError(f"no translator at {path}; train one first and save it with save_translator()")
        model = keras.saving.load_model(path, safe_mode=True, compile=False)
        if not isinstance(model, Translator):
            raise TypeError(f"{path} holds a {type(model).__name__}, not a Translator")
        return model



def compile_translator(model: Translator, learning_rate: float = 3e-3, jit_compile: bool = False) -> Translator:
    """Adam + the padding-masked loss and accuracy."""
    if not isinstance(model, Translator):
        raise TypeError(f"compile_translator() needs a Translator, got {type(model).__name__}")
    model.compile(optimizer=keras.optimizers.Adam(learning_rate, clipnorm=1.0), loss=masked_loss,
                  metrics=[masked_accuracy], jit_compile=jit_compile)
    return model


class BestValidationBleu(keras.callbacks.Callback):
    """Model selection on the validation split: after every epoch, translate the validation
    sources greedily and log their corpus BLEU as ``val_bleu``; when training ends, put back
    the weights of the epoch with the highest ``val_bleu``. The test split is never looked at."""

    def __init__(self, translator: Translator, validation: Sequence[tuple[str, str]]) -> None:
        super().__init__()
        _check_pairs(validation)
        self.translator = translator
        self.sources = [en for en, _ in validation]
        self.references = [de for _, de in validation]
        self.best_bleu, self.best_epoch, self._best_weights = -1.0, 0, None

    def on_epoch_end(self, epoch: int, logs: dict[str, Any] | None = None) -> None:
        from .evaluation import evaluate_translations

        hyps = self.translator.translate(self.sources, unk_replace=False)
        bleu = evaluate_translations(hyps, self.references)["bleu"]
        if logs is not None:
            logs["val_bleu"] = bleu
        if bleu > self.best_bleu:
            self.best_bleu, self.best_epoch = bleu, epoch + 1
            self._best_weights = self.translator.get_weights()

    def on_train_end(self, logs: dict[str, Any] | None = None) -> None:
        if self._best_weights is not None:
            self.translator.set_weights(self._best_weights)


def train_translator(model: Translator, train: Sequence[tuple[str, str]], validation: Sequence[tuple[str, str]] | None,
                     epochs: int, batch_size: int = 64, learning_rate: float = 3e-3, seed: int = 1234,
                     fit: Callable[..., FitOutcome] = fit_timed, keep_best_bleu: bool = False,
                     stop_at: float | None = None) -> dict[str, list[float]]:
    """Compile (if needed) and fit with teacher forcing; returns the Keras history dict
    (``loss``, ``masked_accuracy``, and ``val_`` versions when validation is given).

    ``keep_best_bleu``: choose the epoch on the validation split. Every epoch ends with greedy
    validation BLEU (``val_bleu`` in the history), and the model keeps the weights of the
    epoch where it was highest (:class:`BestValidationBleu`); ``epochs`` is then the maximum.

    ``stop_at``: end training after the first epoch whose training ``masked_accuracy`` is at
    least this (1.0: every training token right, the task is solved); ``epochs`` is then the
    most, and the history's length says how many ran.

    ``fit`` trains: :func:`course_utils.training.fit_timed` (the default) or any function
    with its signature, such as the course's slow-machine fallback, which loads shipped
    weights instead of training."""
    positive_int("epochs", epochs)
    if not callable(fit):
        raise TypeError(f"fit must be a function like course_utils.training.fit_timed, got {type(fit).__name__}")
    if keep_best_bleu and not validation:
        raise ValueError("keep_best_bleu=True chooses the epoch by validation BLEU: pass the validation pairs")
    stop = stop_at_callbacks(stop_at, "masked_accuracy", "1.0")
    if not getattr(model, "compiled", False):
        compile_translator(model, learning_rate)
    ds = model.make_dataset(train, batch_size, shuffle=True, seed=seed)
    val = model.make_dataset(validation, batch_size, shuffle=False) if validation else None
    callbacks = ([BestValidationBleu(model, validation)] if keep_best_bleu else []) + stop
    extra = {"callbacks": callbacks} if callbacks else {}
    return fit(model, ds, epochs, validation_data=val, shuffle=False, **extra).history  # ds shuffles itself
