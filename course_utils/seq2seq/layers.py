"""Encoder-decoder building blocks (chapters 10-12).

Notation (course): the encoder reads source ids x_1..x_S and returns its outputs
h_1..h_S (batch, S, H) and final state h_S (batch, H). The decoder starts from
s_0 = h_S and, at step t, reads the previous target token y_{t-1}:

    s_t = GRU(E_y y_{t-1}, s_{t-1})
    (with attention)  c_t = attend(s_t, h_1..h_S),  s~_t = tanh(W_c [c_t; s_t])
    logits_t = W_o s~_t + b_o                    (batch, V_target)

Attention sits *after* the recurrent step (Luong et al. 2015). With teacher forcing every
decoder input is known in advance, so in training one call of the GRU layer covers the
whole target sequence (the GRU still steps through time inside that call; running the
steps in parallel is what Transformers add), and attention is then computed for all
steps at once. The Bahdanau layer differs only in its score function.
"""

from __future__ import annotations

from typing import Any

import keras
from keras import ops

from ..validate import positive_int
from .attention import ATTENTION_TYPES
from .tokens import PAD


@keras.saving.register_keras_serializable(package="course_utils")
class Encoder(keras.layers.Layer):
    """Embedding + GRU. ``call(src (batch, S) int)`` -> ``(outputs (batch, S, H), state (batch, H))``.
    Padding (id 0) is masked, so the state is the one after the last real token.

    ``bidirectional=True``: a forward and a backward GRU of H/2 units each, outputs and
    final states concatenated (still H), so each h_s sees the words on both sides of s.
    """

    def __init__(self, vocab_size: int, embed_dim: int, units: int, dropout: float = 0.0,
                 bidirectional: bool = False, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.vocab_size = positive_int("vocab_size", vocab_size)
        self.embed_dim = positive_int("embed_dim", embed_dim)
        self.units = positive_int("units", units)
        if not 0.0 <= float(dropout) < 1.0:
            raise ValueError(f"dropout must be in [0, 1), got {dropout!r}")
        self.dropout = float(dropout)
        self.bidirectional = bool(bidirectional)
        if self.bidirectional and units % 2:
            raise ValueError(f"a bidirectional encoder splits units between two directions; pass an even number, got {units}")
        self.embedding = keras.layers.Embedding(vocab_size, embed_dim, mask_zero=True, name="embedding")
        if self.bidirectional:
            self.gru = keras.layers.Bidirectional(
                keras.layers.GRU(units // 2, return_sequences=True, return_state=True, dropout=self.dropout),
                name="bigru")
        else:
            self.gru = keras.layers.GRU(units, return_sequences=True, return_state=True, dropout=self.dropout,
                                        name="gru")

    def build(self, src_shape: Any) -> None:
        self.embedding.build(src_shape)
        self.gru.build((src_shape[0], src_shape[1], self.embed_dim))

    def call(self, src: Any, training: bool = False) -> tuple[Any, Any]:
        mask = ops.not_equal(src, PAD)
        if self.bidirectional:
            outputs, forward, backward = self.gru(self.embedding(src), mask=mask, training=training)
            return outputs, ops.concatenate([forward, backward], axis=-1)
        outputs, state = self.gru(self.embedding(src), mask=mask, training=training)
        return outputs, state

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "vocab_size": self.vocab_size, "embed_dim": self.embed_dim,
                "units": self.units, "dropout": self.dropout, "bidirectional": self.bidirectional}


@keras.saving.register_keras_serializable(package="course_utils")
class Decoder(keras.layers.Layer):
    """Embedding + GRU (+ optional attention) + output layer.

    ``attention_units``: hidden size of Bahdanau's scoring network (default ``units``).

    ``call(tgt_in (batch, T), enc_outputs (batch, S, H), src_mask (batch, S), state (batch, H))``
    -> ``(logits (batch, T, V), weights (batch, T, S) or None)``: teacher forcing,
    one GRU call over the whole target (the GRU steps through time inside it).

    ``step(token (batch,), state (batch, H), enc_outputs, src_mask)``
    -> ``(logits (batch, V), new_state (batch, H), weights (batch, S) or None)``: one step, for decoding.
    """

    def __init__(self, vocab_size: int, embed_dim: int, units: int, attention: str = "none",
                 dropout: float = 0.0, attention_units: int | None = None, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.vocab_size = positive_int("vocab_size", vocab_size)
        self.embed_dim = positive_int("embed_dim", embed_dim)
        self.units = positive_int("units", units)
        if attention not in ATTENTION_TYPES:
            raise ValueError(f"attention must be one of {sorted(ATTENTION_TYPES)}, got {attention!r}")
        self.attention_type = attention
        self.attention_units = units if attention_units is None else positive_int("attention_units", attention_units)
        self.dropout = float(dropout)
        self.embedding = keras.layers.Embedding(vocab_size, embed_dim, mask_zero=True, name="embedding")
        self.gru = keras.layers.GRU(units, return_sequences=True, return_state=True, dropout=self.dropout,
                                    name="gru")
        self.attention = None
        self.combine = None
        if attention == "bahdanau":
            self.attention = ATTENTION_TYPES[attention](self.attention_units, name="attention")
        elif attention == "luong":
            self.attention = ATTENTION_TYPES[attention]("general", scale=True, name="attention")
        if self.attention is not None:
            self.combine = keras.layers.Dense(units, activation="tanh", name="combine")
        self.out = keras.layers.Dense(vocab_size, name="logits")

    def build(self, tgt_in_shape: Any, enc_outputs_shape: Any = None, src_mask_shape: Any = None,
              state_shape: Any = None) -> None:
        self.embedding.build(tgt_in_shape)
        self.gru.build((tgt_in_shape[0], tgt_in_shape[1], self.embed_dim))
        if self.attention is not None:
            self.attention.build((None, None, self.units), (None, None, self.units))
            self.combine.build((None, None, 2 * self.units))
        self.out.build((None, None, self.units))

    def _head(self, states: Any, enc_outputs: Any, src_mask: Any) -> tuple[Any, Any]:
        if self.attention is None:
            return self.out(states), None
        context, weights = self.attention(states, enc_outputs, src_mask)
        mixed = self.combine(ops.concatenate([context, states], axis=-1))
        return self.out(mixed), weights

    def call(self, tgt_in: Any, enc_outputs: Any, src_mask: Any, state: Any, training: bool = False) -> tuple[Any, Any]:
        mask = ops.not_equal(tgt_in, PAD)
        states, _ = self.gru(self.embedding(tgt_in), initial_state=state, mask=mask, training=training)
        return self._head(states, enc_outputs, src_mask)

    def step(self, token: Any, state: Any, enc_outputs: Any, src_mask: Any) -> tuple[Any, Any, Any]:
        x = ops.take(self.embedding.embeddings, token, axis=0)  # (batch, E); a lookup, no mask needed
        h, _ = self.gru.cell(x, [state], training=False)  # the same GRU weights, one step
        logits, weights = self._head(ops.expand_dims(h, 1), enc_outputs, src_mask)
        return logits[:, 0], h, (None if weights is None else weights[:, 0])

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "vocab_size": self.vocab_size, "embed_dim": self.embed_dim,
                "units": self.units, "attention": self.attention_type, "dropout": self.dropout,
                "attention_units": self.attention_units}


@keras.saving.register_keras_serializable(package="course_utils")
def masked_loss(y_true: Any, logits: Any) -> Any:
    """Cross-entropy averaged over real target tokens only: padding (id 0) counts 0.

    y_true (batch, T) int, logits (batch, T, V) -> scalar.
    """
    per_token = keras.losses.sparse_categorical_crossentropy(y_true, logits, from_logits=True)
    mask = ops.cast(ops.not_equal(y_true, PAD), per_token.dtype)
    return ops.sum(per_token * mask) / ops.maximum(ops.sum(mask), 1.0)


@keras.saving.register_keras_serializable(package="course_utils")
def masked_accuracy(y_true: Any, logits: Any) -> Any:
    """Share of real target tokens whose argmax is right (padding ignored)."""
    y_true = ops.cast(y_true, "int32")
    hit = ops.cast(ops.equal(ops.cast(ops.argmax(logits, axis=-1), "int32"), y_true), "float32")
    mask = ops.cast(ops.not_equal(y_true, PAD), "float32")
    return ops.sum(hit * mask) / ops.maximum(ops.sum(mask), 1.0)
