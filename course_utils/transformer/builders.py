"""Compiled Transformer models (chapter 13): :func:`build_transformer_classifier` (reviews ->
P(positive)) and :func:`build_transformer_lm` (a decoder-only character language model).
"""

from __future__ import annotations

from typing import Any

import keras

from ..validate import finite_number, int_in_range, positive_int
from .layers import SinusoidalPositionEncoding, TransformerBlock

__all__ = ["build_transformer_classifier", "build_transformer_lm"]


def _check_sizes(d_model: int, num_heads: int, ff_dim: int, num_blocks: int, learning_rate: float) -> None:
    positive_int("d_model", d_model)
    positive_int("num_heads", num_heads)
    positive_int("ff_dim", ff_dim)
    positive_int("num_blocks", num_blocks)
    finite_number("learning_rate", learning_rate, low=0, low_open=True)
    if d_model % 2:
        raise ValueError(f"d_model must be even for sinusoidal positions, got {d_model}")
    if d_model % num_heads:
        raise ValueError(f"d_model ({d_model}) must be a multiple of num_heads ({num_heads})")


def build_transformer_classifier(vocab_size: int, d_model: int = 16, num_heads: int = 2, ff_dim: int = 32,
                                 num_blocks: int = 1, max_length: int = 512, learning_rate: float = 2e-3) -> Any:
    """Token ids (batch, T), 0 = padding -> P(positive) (batch, 1), compiled with
    Adam(learning_rate), binary cross-entropy and accuracy.

    Embedding(mask_zero=True) + sinusoidal positions -> ``num_blocks`` TransformerBlocks (not
    causal: every token sees the whole review) -> LayerNorm -> mean over the real tokens ->
    Dense(1, sigmoid)."""
    positive_int("vocab_size", vocab_size)
    _check_sizes(d_model, num_heads, ff_dim, num_blocks, learning_rate)
    ids = keras.Input(shape=(None,), dtype="int32", name="token_ids")
    x = keras.layers.Embedding(vocab_size, d_model, mask_zero=True, name="embedding")(ids)
    x = SinusoidalPositionEncoding(max_length, name="positions")(x)
    for i in range(num_blocks):
        x = TransformerBlock(d_model, num_heads, ff_dim, name=f"block{i + 1}")(x)
    x = keras.layers.LayerNormalization(epsilon=1e-5, name="final_norm")(x)
    x = keras.layers.GlobalAveragePooling1D(name="mean_over_tokens")(x)
    out = keras.layers.Dense(1, activation="sigmoid", name="p_positive")(x)
    model = keras.Model(ids, out, name="transformer_classifier")
    model.compile(optimizer=keras.optimizers.Adam(learning_rate), loss="binary_crossentropy", metrics=["accuracy"])
    return model


def build_transformer_lm(vocab_size: int, d_model: int = 32, num_heads: int = 2, ff_dim: int = 64,
                         num_blocks: int = 2, seq_len: int | None = None, max_length: int = 2048,
                         learning_rate: float = 3e-3, clipnorm: float | None = 1.0) -> Any:
    """A decoder-only (GPT-style) character language model: ids (batch, T) -> logits
    (batch, T, V), compiled like ``rnn.char_lm.build_char_lm`` (Adam, sparse cross-entropy
    from logits, in nats), so ``evaluate_char_lm`` scores it too.

    Embedding + sinusoidal positions -> ``num_blocks`` causal TransformerBlocks ->
    LayerNorm -> Dense(V). Position t sees positions 0..t only."""
    int_in_range("vocab_size", vocab_size, 2, numpy_ints=False)
    _check_sizes(d_model, num_heads, ff_dim, num_blocks, learning_rate)
    positive_int("seq_len", seq_len, allow_none=True)
    ids = keras.Input(shape=(seq_len,), dtype="int32", name="char_ids")
    x = keras.layers.Embedding(vocab_size, d_model, name="embedding")(ids)
    x = SinusoidalPositionEncoding(max_length, name="positions")(x)
    for i in range(num_blocks):
        x = TransformerBlock(d_model, num_heads, ff_dim, causal=True, name=f"block{i + 1}")(x)
    x = keras.layers.LayerNormalization(epsilon=1e-5, name="final_norm")(x)
    logits = keras.layers.Dense(vocab_size, name="logits")(x)
    model = keras.Model(ids, logits, name="transformer_lm")
    model.compile(optimizer=keras.optimizers.Adam(learning_rate, clipnorm=clipnorm),
                  loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True))
    return model
