"""1-D convolutions over sequences (chapter 13): a review classifier and a causal, dilated
character language model.

A ``Conv1D`` with kernel size k computes, at every position t, one weighted sum of the
k input vectors around t (the same weights at every t)::

    y_t = f(b + sum_{j=0}^{k-1} W_j x_{t - j * d})           causal, dilation d

With ``padding="causal"`` the window ends at t, so position t never sees the future;
stacking layers with dilations 1, 2, 4, ... lets the window grow exponentially with depth
(WaveNet, van den Oord et al. 2016): :func:`receptive_field`.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from .validate import finite_number, int_in_range, positive_int

__all__ = ["build_conv_classifier", "build_conv_lm", "receptive_field"]


def receptive_field(kernel_size: int, dilations: Sequence[int]) -> int:
    """How many input positions one output of a stack of causal convolutions sees:
    ``1 + (kernel_size - 1) * sum(dilations)`` (itself and that many minus one before it)."""
    positive_int("kernel_size", kernel_size)
    if isinstance(dilations, (str, bytes)) or not isinstance(dilations, Sequence) or not dilations:
        raise ValueError(f"dilations must be a non-empty list of positive ints, one per layer, got {dilations!r}")
    for d in dilations:
        positive_int("each dilation", d)
    return 1 + (kernel_size - 1) * sum(dilations)


def build_conv_classifier(vocab_size: int, embed_dim: int = 16, filters: int = 32, kernel_size: int = 5,
                          num_layers: int = 1, learning_rate: float = 2e-3) -> Any:
    """Token ids (batch, T), 0 = padding -> P(positive) (batch, 1), compiled with
    Adam(learning_rate), binary cross-entropy and accuracy: trained end to end on the labels.

    Embedding -> ``num_layers`` × Conv1D(filters, kernel_size, relu, padding "same") ->
    max over positions (each filter reports its strongest match anywhere in the review) ->
    Dense(1, sigmoid). Padding is embedded like a word (Conv1D takes no mask)."""
    import keras

    for name, value in (("vocab_size", vocab_size), ("embed_dim", embed_dim), ("filters", filters),
                        ("kernel_size", kernel_size), ("num_layers", num_layers)):
        positive_int(name, value)
    finite_number("learning_rate", learning_rate, low=0, low_open=True)
    ids = keras.Input(shape=(None,), dtype="int32", name="token_ids")
    x = keras.layers.Embedding(vocab_size, embed_dim, name="embedding")(ids)
    for i in range(num_layers):
        x = keras.layers.Conv1D(filters, kernel_size, padding="same", activation="relu", name=f"conv{i + 1}")(x)
    x = keras.layers.GlobalMaxPooling1D(name="max_over_positions")(x)
    out = keras.layers.Dense(1, activation="sigmoid", name="p_positive")(x)
    model = keras.Model(ids, out, name="conv_classifier")
    model.compile(optimizer=keras.optimizers.Adam(learning_rate), loss="binary_crossentropy", metrics=["accuracy"])
    return model


def build_conv_lm(vocab_size: int, filters: int = 48, kernel_size: int = 3, dilations: Sequence[int] = (1, 2, 4, 8),
                  embed_dim: int = 32, seq_len: int | None = None, learning_rate: float = 3e-3,
                  clipnorm: float | None = 1.0) -> Any:
    """A causal, dilated convolutional character language model: ids (batch, T) -> logits
    (batch, T, V), compiled like ``rnn.char_lm.build_char_lm`` (Adam, sparse cross-entropy
    from logits, in nats).

    Embedding -> one Conv1D(filters, kernel_size, relu, padding "causal") per dilation ->
    Dense(V). Position t sees the :func:`receptive_field` positions ending at t, none after."""
    import keras

    int_in_range("vocab_size", vocab_size, 2, numpy_ints=False)
    for name, value in (("filters", filters), ("kernel_size", kernel_size), ("embed_dim", embed_dim)):
        positive_int(name, value)
    receptive_field(kernel_size, dilations)  # validates the dilations
    positive_int("seq_len", seq_len, allow_none=True)
    finite_number("learning_rate", learning_rate, low=0, low_open=True)
    ids = keras.Input(shape=(seq_len,), dtype="int32", name="char_ids")
    x = keras.layers.Embedding(vocab_size, embed_dim, name="embedding")(ids)
    for d in dilations:
        x = keras.layers.Conv1D(filters, kernel_size, padding="causal", dilation_rate=d, activation="relu",
                                name=f"conv_dilation{d}")(x)
    logits = keras.layers.Dense(vocab_size, name="logits")(x)
    model = keras.Model(ids, logits, name="conv_lm")
    model.compile(optimizer=keras.optimizers.Adam(learning_rate, clipnorm=clipnorm),
                  loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True))
    return model
