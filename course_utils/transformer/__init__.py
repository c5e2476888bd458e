"""Self-attention and the Transformer (chapter 13): NumPy from scratch, then Keras.

- :mod:`~course_utils.transformer.numpy_attention`: the maths in NumPy: :func:`causal_mask`,
  :func:`sinusoidal_positions`, :func:`scaled_dot_product_attention`, and
  :func:`multi_head_attention`, which computes what ``keras.layers.MultiHeadAttention`` does
  from that layer's weights (:func:`mha_weights`);
- :mod:`~course_utils.transformer.costs`: generating ONE token with a key/value cache
  (:func:`attention_step`) and with a recurrent state (:func:`gru_step`), their bytes, and
  :func:`generation_cost_table`, which times both against the context length;
- :mod:`~course_utils.transformer.layers`: :class:`SinusoidalPositionEncoding` and
  :class:`TransformerBlock` (pre-norm);
- :mod:`~course_utils.transformer.builders`: the compiled models
  :func:`build_transformer_classifier` and :func:`build_transformer_lm`.

Import everything from here (``from course_utils.transformer import causal_mask``): this
package is the public address of these names, and the one ``show_source`` prints.
"""

from __future__ import annotations

from .builders import build_transformer_classifier, build_transformer_lm
from .costs import (attention_step, generation_cost_table, gru_step, kv_cache_bytes, plot_generation_cost,
                    rnn_state_bytes, tokens_per_second)
from .layers import SinusoidalPositionEncoding, TransformerBlock
from .numpy_attention import (MASKED_SCORE, causal_mask, mha_weights, multi_head_attention,
                              scaled_dot_product_attention, sinusoidal_positions)

__all__ = [
    "MASKED_SCORE",
    "SinusoidalPositionEncoding",
    "TransformerBlock",
    "attention_step",
    "build_transformer_classifier",
    "build_transformer_lm",
    "causal_mask",
    "generation_cost_table",
    "gru_step",
    "kv_cache_bytes",
    "mha_weights",
    "multi_head_attention",
    "plot_generation_cost",
    "rnn_state_bytes",
    "scaled_dot_product_attention",
    "sinusoidal_positions",
    "tokens_per_second",
]
