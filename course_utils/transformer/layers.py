"""The Transformer's Keras layers (chapter 13): :class:`SinusoidalPositionEncoding` and
:class:`TransformerBlock` (pre-norm: attention then a feed-forward network, each added back
to its input). Both are registered for Keras serialization under the package name
``course_utils``.
"""

from __future__ import annotations

from typing import Any

import keras
from keras import ops

from ..validate import finite_number, positive_int
from .numpy_attention import sinusoidal_positions

__all__ = ["SinusoidalPositionEncoding", "TransformerBlock"]


@keras.saving.register_keras_serializable(package="course_utils")
class SinusoidalPositionEncoding(keras.layers.Layer):
    """Adds :func:`sinusoidal_positions` to its input: (batch, T, d_model) -> same shape.
    No weights; works for any T up to ``max_length``; passes a padding mask through."""

    def __init__(self, max_length: int = 2048, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        positive_int("max_length", max_length, "the longest sequence the layer will see")
        self.max_length = max_length
        self.supports_masking = True
        self._table: Any = None

    def build(self, input_shape: Any) -> None:
        d_model = input_shape[-1]
        if d_model is None or len(input_shape) != 3:
            raise ValueError(f"SinusoidalPositionEncoding needs inputs (batch, T, d_model) with a known d_model, "
                             f"got {tuple(input_shape)}")
        self._table = sinusoidal_positions(self.max_length, int(d_model))

    def call(self, x: Any) -> Any:
        length = ops.shape(x)[1]
        if isinstance(length, int) and length > self.max_length:
            raise ValueError(f"sequence length {length} exceeds max_length={self.max_length}; "
                             f"build the layer with a larger max_length")
        table = ops.convert_to_tensor(self._table, dtype=x.dtype)
        return x + table[None, :length, :]

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "max_length": self.max_length}


@keras.saving.register_keras_serializable(package="course_utils")
class TransformerBlock(keras.layers.Layer):
    """One Transformer block, pre-norm (layer normalisation first, as in GPT-2)::

        x = x + MultiHeadAttention(LN(x), LN(x))        self-attention, causal if ``causal``
        x = x + W_2 relu(W_1 LN(x) + b_1) + b_2           position-wise feed-forward

    (batch, T, d_model) -> (batch, T, d_model). A padding mask (from
    ``Embedding(mask_zero=True)``) keeps every query from looking at padding.
    Parameters: ``4 d (d + 1)`` attention + ``2 d ff + ff + d`` feed-forward + ``4 d`` norms."""

    def __init__(self, d_model: int, num_heads: int, ff_dim: int, causal: bool = False, dropout: float = 0.0,
                 **kwargs: Any) -> None:
        super().__init__(**kwargs)
        positive_int("d_model", d_model, "the width of every position's vector")
        positive_int("num_heads", num_heads)
        positive_int("ff_dim", ff_dim, "the hidden size of the feed-forward network")
        if d_model % num_heads:
            raise ValueError(f"d_model ({d_model}) must be a multiple of num_heads ({num_heads}); "
                             f"each head gets d_model / num_heads dimensions")
        finite_number("dropout", dropout, low=0, high=1, high_open=True)
        self.d_model, self.num_heads, self.ff_dim = d_model, num_heads, ff_dim
        self.causal, self.dropout = bool(causal), float(dropout)
        self.supports_masking = True
        self.attention = keras.layers.MultiHeadAttention(num_heads, key_dim=d_model // num_heads, dropout=dropout,
                                                         name="attention")
        self.norm1 = keras.layers.LayerNormalization(epsilon=1e-5, name="norm1")
        self.norm2 = keras.layers.LayerNormalization(epsilon=1e-5, name="norm2")
        self.ff1 = keras.layers.Dense(ff_dim, activation="relu", name="ff1")
        self.ff2 = keras.layers.Dense(d_model, name="ff2")

    def build(self, input_shape: Any) -> None:
        if len(input_shape) != 3 or (input_shape[-1] is not None and input_shape[-1] != self.d_model):
            raise ValueError(f"TransformerBlock(d_model={self.d_model}) needs inputs (batch, T, {self.d_model}), "
                             f"got {tuple(input_shape)}")
        self.norm1.build(input_shape)
        self.attention.build(input_shape, input_shape)
        self.norm2.build(input_shape)
        self.ff1.build(input_shape)
        self.ff2.build((*input_shape[:-1], self.ff_dim))

    def call(self, x: Any, mask: Any | None = None, training: bool | None = None) -> Any:
        attention_mask = None
        if mask is not None:  # (batch, S) -> (batch, T, S): no query looks at a padded key
            keys = ops.expand_dims(ops.cast(mask, "bool"), 1)
            attention_mask = ops.logical_and(keys, ops.expand_dims(ops.ones_like(mask, dtype="bool"), 2))
        h = self.norm1(x)
        x = x + self.attention(h, h, attention_mask=attention_mask, use_causal_mask=self.causal, training=training)
        return x + self.ff2(self.ff1(self.norm2(x)))

    def compute_mask(self, x: Any, mask: Any | None = None) -> Any:
        return mask

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "d_model": self.d_model, "num_heads": self.num_heads,
                "ff_dim": self.ff_dim, "causal": self.causal, "dropout": self.dropout}
