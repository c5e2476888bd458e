"""Character-level language models in Keras: vocabulary, tf.data windows, the model,
held-out perplexity, and a one-character-at-a-time stepper for generation.

The model is ``Embedding -> recurrent layer (return_sequences=True) -> Dense(V)``;
``cell`` names the recurrent layer (:mod:`course_utils.cell_kinds`: SimpleRNN here, LSTM
and GRU in chapter 05), or is a factory ``units -> layer`` for any other (MinGRU in 14)::

    model = build_char_lm(vocab.size, "simple", 256)
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, ClassVar

import numpy as np

from ..cell_kinds import CellSpec, make_cell
from ..training import compile_once, without_autotune
from ..validate import ids_in_range, int_in_range, positive_int

__all__ = ["CharVocab", "build_char_lm", "char_lm_dataset", "evaluate_char_lm", "evaluate_char_lm_stateful",
           "make_stepper", "windows"]


@dataclass(frozen=True)
class CharVocab:
    """The characters of a training text, sorted, with two reserved ids in front:
    id 0 is padding (as in every padded id sequence of the course) and id 1 an unknown
    character; ``chars[i]`` has id ``i + 2``. Character windows are never padded, so a
    trained model never sees id 0, but the convention is the same everywhere."""

    chars: tuple[str, ...]
    PAD_ID: ClassVar[int] = 0
    UNK_ID: ClassVar[int] = 1
    N_RESERVED: ClassVar[int] = 2

    def __post_init__(self) -> None:
        chars = self.chars
        if not isinstance(chars, tuple) or not chars:
            raise ValueError(f"chars must be a non-empty tuple of characters, got {chars!r:.60}; "
                             "build the vocabulary with CharVocab.from_text(train_text)")
        if any(not isinstance(c, str) or len(c) != 1 for c in chars) or len(set(chars)) != len(chars):
            raise ValueError("chars must be distinct single characters; build the vocabulary with "
                             "CharVocab.from_text(train_text)")

    @classmethod
    def from_text(cls, text: str) -> CharVocab:
        """The sorted set of characters in ``text`` (ids from 2, after padding and unknown)."""
        if not isinstance(text, str):
            raise TypeError(f"text must be a string, got {type(text).__name__}")
        if not text:
            raise ValueError("text is empty; build the vocabulary from the training text, e.g. load_shakespeare().train")
        return cls(tuple(sorted(set(text))))

    @property
    def size(self) -> int:
        """Number of ids, the two reserved ones included: ``len(chars) + 2``."""
        return len(self.chars) + self.N_RESERVED

    def encode(self, text: str) -> np.ndarray:
        """String -> int32 ids (len(text),); characters not seen in training map to ``UNK_ID``."""
        if not isinstance(text, str):
            raise TypeError(f"encode() needs a string, got {type(text).__name__}")
        index = {c: i + self.N_RESERVED for i, c in enumerate(self.chars)}
        return np.fromiter((index.get(c, self.UNK_ID) for c in text), dtype=np.int32, count=len(text))

    def decode(self, ids: Sequence[int] | np.ndarray) -> str:
        """Ids (T,) -> string: padding is dropped and an unknown character shown as '?'.
        Ids must be ints in ``[0, size)``."""
        ids = ids_in_range("ids", ids, self.size, "decode with the vocabulary that encoded the text")
        if ids.ndim > 1:
            raise ValueError(f"decode() takes one sequence of ids (T,), got shape {ids.shape}; "
                             "decode row by row: [vocab.decode(row) for row in ids]")
        ids = ids.ravel()
        return "".join("" if i == self.PAD_ID else "?" if i == self.UNK_ID else self.chars[i - self.N_RESERVED]
                       for i in ids)


def windows(ids: np.ndarray, seq_len: int) -> tuple[np.ndarray, np.ndarray]:
    """Cut ids (N,) into non-overlapping windows: inputs (n, seq_len) and targets shifted by one."""
    ids = np.asarray(ids)
    if ids.ndim != 1:
        raise ValueError(f"ids must be 1-D (N,), got shape {ids.shape}")
    if ids.size and (ids.dtype == bool or not np.issubdtype(ids.dtype, np.integer)):
        raise TypeError(f"ids must be integer ids, got dtype {ids.dtype}; make them with vocab.encode(text)")
    if ids.size and ids.min() < 0:
        raise ValueError(f"ids must be >= 0, got {ids.min()}; make them with vocab.encode(text)")
    positive_int("seq_len", seq_len)
    n = (len(ids) - 1) // seq_len
    if n < 1:
        raise ValueError(f"{len(ids)} ids are too few for one window of seq_len={seq_len}+1; use more text")
    x = ids[: n * seq_len].reshape(n, seq_len)
    y = ids[1: n * seq_len + 1].reshape(n, seq_len)
    return x, y


def char_lm_dataset(ids: np.ndarray, seq_len: int = 100, batch_size: int = 64, shuffle: bool = True,
                    seed: int = 0) -> Any:
    """A ``tf.data.Dataset`` of (inputs, targets) batches, each (batch, seq_len) int32,
    with tf.data autotuning off (it stalls the end of ``fit`` on small machines)."""
    import tensorflow as tf

    x, y = windows(ids, seq_len)
    positive_int("batch_size", batch_size)
    if len(x) < batch_size:
        raise ValueError(f"{len(x)} windows of seq_len={seq_len} make no full batch of batch_size={batch_size} "
                         "(the last partial batch is dropped), so the dataset would be empty; "
                         "use a smaller batch_size or seq_len, or more text")
    ds = tf.data.Dataset.from_tensor_slices((x, y))
    if shuffle:
        ds = ds.shuffle(len(x), seed=seed, reshuffle_each_iteration=True)
    return without_autotune(ds.batch(batch_size, drop_remainder=True).prefetch(2))


def build_char_lm(vocab_size: int, cell: CellSpec, units: int, embed_dim: int = 32,
                  seq_len: int | None = None, learning_rate: float = 3e-3, clipnorm: float | None = 1.0,
                  logits_dtype: str | None = None, **layer_options: Any) -> Any:
    """Embedding(V, embed_dim) -> recurrent layer(units) -> Dense(V) logits, compiled with Adam
    and sparse cross-entropy from logits (nats). ``cell`` is "simple", "lstm" or "gru" (the
    layer gets ``return_sequences=True`` and ``layer_options``, e.g. ``unroll=True``) or a
    factory ``units -> layer`` that returns a recurrent layer with ``return_sequences=True``
    (see :data:`course_utils.cell_kinds.CellSpec`). ``seq_len`` fixes the input length
    (needed for ``unroll=True``); ``logits_dtype="float32"`` keeps the logits in float32 under a
    mixed-precision policy (None: the policy's dtype). Input (batch, T) ids -> output (batch, T, V)
    logits."""
    import keras

    int_in_range("vocab_size", vocab_size, 2, numpy_ints=False)
    positive_int("units", units, "the size H of h_t")
    sequences = {"return_sequences": True} if isinstance(cell, str) else {}  # a factory sets its own
    layer = make_cell(cell, units, **sequences, **layer_options)
    if not hasattr(layer, "cell") or not getattr(layer, "return_sequences", False):
        raise ValueError(f"cell(units) must return a Keras RNN layer with return_sequences=True, got {layer!r}; "
                         "a language model predicts the next character at every step")
    model = keras.Sequential([
        keras.Input((seq_len,), dtype="int32"),
        keras.layers.Embedding(vocab_size, embed_dim),
        layer,
        keras.layers.Dense(vocab_size, dtype=logits_dtype),
    ])
    model.compile(optimizer=keras.optimizers.Adam(learning_rate, clipnorm=clipnorm),
                  loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True))
    return model


def evaluate_char_lm(model: Any, ids: np.ndarray, seq_len: int = 100, batch_size: int = 256) -> float:
    """Mean cross-entropy in nats per character on held-out ids, read in non-overlapping
    windows of ``seq_len`` (each window starts from a zero state).

    The forward pass is compiled once per call (:func:`course_utils.training.compile_once`):
    an eager GRU or LSTM steps through its time loop in Python, about 3x slower on 200,000
    characters."""
    x, y = windows(ids, seq_len)
    positive_int("batch_size", batch_size)
    import keras
    import tensorflow as tf

    loss_fn = keras.losses.SparseCategoricalCrossentropy(from_logits=True, reduction="sum")
    spec = tf.TensorSpec((None, x.shape[1]), tf.as_dtype(x.dtype))  # any batch: the last may be short
    batch_loss = compile_once(lambda xb, yb: loss_fn(yb, model(xb, training=False)),  # (batch, T) ids -> nats
                              [spec, tf.TensorSpec((None, y.shape[1]), tf.as_dtype(y.dtype))])
    total = 0.0
    for i in range(0, len(x), batch_size):
        total += float(batch_loss(x[i: i + batch_size], y[i: i + batch_size]))
    return total / y.size


def _char_lm_layers(model: Any) -> tuple[Any, Any, Any]:
    """The (Embedding, recurrent layer, Dense) of a model from :func:`build_char_lm`."""
    import keras

    layers = [l for l in model.layers if not isinstance(l, keras.layers.InputLayer)]
    if (len(layers) != 3 or not isinstance(layers[0], keras.layers.Embedding) or not hasattr(layers[1], "cell")
            or not isinstance(layers[2], keras.layers.Dense)):
        raise ValueError("expected a model Embedding -> recurrent layer -> Dense, as build_char_lm() makes")
    return layers[0], layers[1], layers[2]


def evaluate_char_lm_stateful(model: Any, ids: np.ndarray, streams: int = 32, seq_len: int = 100) -> float:
    """Mean cross-entropy in nats per character on held-out ids, with the recurrent state
    carried across windows, so that no window but the first of each stream starts from zero.

    The ids (N,) are cut into ``streams`` contiguous pieces of L = (N - 1) // streams
    characters, laid side by side as a batch (streams, L); a copy of ``model`` with a
    ``stateful=True`` recurrent layer reads them ``seq_len`` columns at a time. Every
    character but the last ``(N - 1) % streams`` is predicted once. With the state carried,
    ``seq_len`` changes the speed, not the result (up to float rounding)."""
    import keras
    import tensorflow as tf

    embedding, rnn, dense = _char_lm_layers(model)
    ids = np.asarray(ids)
    if ids.ndim != 1 or (ids.size and not np.issubdtype(ids.dtype, np.integer)):
        raise ValueError(f"ids must be 1-D integer ids (N,), got shape {ids.shape} and dtype {ids.dtype}; "
                         "make them with vocab.encode(text)")
    positive_int("streams", streams)
    positive_int("seq_len", seq_len)
    length = (len(ids) - 1) // streams
    if length < 1:
        raise ValueError(f"{len(ids)} ids are too few for {streams} streams of at least one step; "
                         "use fewer streams or more text")
    x = ids[: streams * length].reshape(streams, length)          # (streams, L)
    y = ids[1: streams * length + 1].reshape(streams, length)     # (streams, L), shifted by one
    config = {**rnn.get_config(), "stateful": True, "name": rnn.name + "_stateful"}
    windowed = keras.Sequential([keras.Input(batch_shape=(streams, seq_len), dtype="int32"),
                                 keras.layers.Embedding.from_config(embedding.get_config()),
                                 type(rnn).from_config(config),
                                 keras.layers.Dense.from_config(dense.get_config())])
    for new, old in zip(windowed.layers, (embedding, rnn, dense)):
        new.set_weights(old.get_weights())
    loss_fn = keras.losses.SparseCategoricalCrossentropy(from_logits=True, reduction=None)

    ids_spec = tf.TensorSpec((streams, seq_len), tf.as_dtype(x.dtype))  # every window has this shape
    window_loss = compile_once(  # (streams, seq_len) ids, targets and 0/1 mask -> summed nats
        lambda xb, yb, mask: tf.reduce_sum(loss_fn(yb, windowed(xb, training=False)) * mask),
        [ids_spec, ids_spec, tf.TensorSpec((streams, seq_len), tf.float32)])

    total = 0.0
    for start in range(0, length, seq_len):
        width = min(seq_len, length - start)  # the last window may be short: pad it, score its real columns
        pad = ((0, 0), (0, seq_len - width))
        xb = np.pad(x[:, start: start + width], pad)
        yb = np.pad(y[:, start: start + width], pad)
        mask = np.pad(np.ones((streams, width), np.float32), pad)
        total += float(window_loss(xb, yb, mask))
    return total / (streams * length)


def make_stepper(model: Any) -> tuple[Callable[[np.ndarray, list[Any]], tuple[np.ndarray, list[Any]]], Callable[[int], list[Any]]]:
    """For a model from :func:`build_char_lm`: ``step(ids (B,), states) -> (logits (B, V), states)``
    runs ONE character through the trained layers (sharing their weights), and
    ``initial_states(B)`` gives the zero states. Works for SimpleRNN, LSTM, GRU and scratch cells."""
    import tensorflow as tf

    embedding, rnn, dense = _char_lm_layers(model)
    cell = rnn.cell
    sizes = cell.state_size if isinstance(cell.state_size, (list, tuple)) else [cell.state_size]

    def initial_states(batch_size: int = 1) -> list[Any]:
        return [tf.zeros((batch_size, int(s))) for s in sizes]

    @tf.function(reduce_retracing=True)
    def _step(ids: Any, states: list[Any]) -> tuple[Any, list[Any]]:
        out, new_states = cell(embedding(ids), list(states))
        if not isinstance(new_states, (list, tuple)):
            new_states = [new_states]
        return dense(out), list(new_states)

    def step(ids: np.ndarray, states: list[Any]) -> tuple[np.ndarray, list[Any]]:
        logits, new = _step(tf.constant(np.asarray(ids, dtype=np.int32)), states)
        return logits.numpy(), new

    return step, initial_states


def hidden_activity(model: Any, vocab: CharVocab, text: str) -> np.ndarray:
    """The recurrent layer's output at every character of ``text``, read from zero states:
    ``(len(text), units)``. For a SimpleRNN or GRU this is the hidden state ``h_t``; for an LSTM,
    ``h_t`` too (not the cell state)."""
    if not text:
        raise ValueError("text must hold at least one character")
    embedding, rnn, _ = _char_lm_layers(model)
    return np.asarray(rnn(embedding(vocab.encode(text)[None])))[0]
