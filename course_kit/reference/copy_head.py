"""A copy head (pointer-generator, See et al. 2017) on a subword reference translator, for the
``copy-head`` probe (:mod:`.probes`).

At each target step t a gate g_t = sigmoid(w . [c_t; s_t; e_t] + b) (context, decoder state,
embedding of the input piece) mixes the translator's vocabulary distribution with its Luong
attention weights a_t put on the source's own pieces:

    P(w) = g_t P_vocab(w) + (1 - g_t) * sum_{i: x_i = w} a_{t,i}

(source ids mapped to target ids by piece; the joint subword vocabulary has every piece on both
sides). Training is cross-entropy on P itself. Three variants (:data:`VARIANTS`): ``free`` (the
gate learns from that loss alone); ``supervised`` (plus a binary loss on the gate, "copy" wherever
the next target piece occurs in the source; Gulcehre et al. 2016); ``neighbour`` ("copy" only where
that piece stands beside the same neighbour in the source, and the gate loss trains the gate's
own weights alone). Greedy decoding uses P; :meth:`CopyHead.translate` has ``Translator.translate``'s
shape, so ``name_copy_rate`` takes the model as it is.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from typing import Any

import keras
import numpy as np
from keras import ops

from course_utils.seq2seq.names import NAME_PATTERNS
from course_utils.seq2seq.tokens import END, PAD, SPECIALS, START, UNK, decode_ids
from course_utils.seq2seq.translator import _copied_position, _cut_to_longest
from course_utils.training import without_autotune

__all__ = ["EPS", "VARIANTS", "CopyHead", "fit_copy_head", "gate_targets", "mix"]

VARIANTS = ("free", "supervised", "neighbour")
EPS = 1e-7  # the least probability a log is taken of


def mix(p_vocab: Any, gate: Any, weights: Any, src_ids: Any) -> Any:
    """P = g P_vocab + (1 - g) * attention scattered onto the source's pieces.
    p_vocab (batch, T, V), gate (batch, T, 1) in [0, 1], weights (batch, T, S), src_ids (batch, S)
    *target* ids of the source pieces -> (batch, T, V). A piece that occurs twice gets both weights."""
    scatter = ops.one_hot(src_ids, ops.shape(p_vocab)[-1], dtype=weights.dtype)  # (batch, S, V)
    return gate * p_vocab + (1.0 - gate) * ops.matmul(weights, scatter)


def gate_targets(src_ids: np.ndarray, tgt_out: np.ndarray, rule: str) -> np.ndarray:
    """The gate's "copy" targets (1 copy, 0 not, -1 padding) for target rows tgt_out (N, T)
    (y_1 .. y_n [END], then PAD) and their sources src_ids (N, S) in target ids. ``"occurs"``:
    y_t occurs in the source. ``"neighbour"``: some x_i = y_t with x_{i-1} = y_{t-1} or
    x_{i+1} = y_{t+1}, where both sentences start with [START] and end with [END]."""
    if rule not in ("occurs", "neighbour"):
        raise ValueError(f"rule must be 'occurs' or 'neighbour', got {rule!r}")
    out = np.full(tgt_out.shape, -1.0, "float32")
    for n, (src_row, tgt_row) in enumerate(zip(np.asarray(src_ids), np.asarray(tgt_out))):
        x = [START, *[int(i) for i in src_row if i != PAD], END]
        y = [START, *[int(i) for i in tgt_row if i != PAD]]  # y ends with [END]
        y.append(END)  # the boundary after [END] (never a piece of the source)
        for t in range(1, len(y) - 1):
            spots = [i for i in range(1, len(x) - 1) if x[i] == y[t]]
            if rule == "neighbour":
                spots = [i for i in spots if x[i - 1] == y[t - 1] or x[i + 1] == y[t + 1]]
            out[n, t - 1] = float(bool(spots))
    return out


@keras.saving.register_keras_serializable(package="course_kit")
class CopyHead(keras.Model):
    """A loaded subword ``Translator`` with a copy gate. ``call((src (batch, S), tgt_in (batch, T)))``
    -> ``(P (batch, T, V), gate logits (batch, T))``: teacher forcing; the logits are those the gate
    loss reads (for ``neighbour`` computed from features the loss cannot change)."""

    def __init__(self, translator: Any, variant: str = "free", **kwargs: Any) -> None:
        super().__init__(**kwargs)
        if variant not in VARIANTS:
            raise ValueError(f"variant must be one of {VARIANTS}, got {variant!r}")
        self.translator, self.variant = translator, variant
        index = {p: i for i, p in enumerate(translator.target_vocab)}
        to_target = [index.get(p, UNK) for p in translator.source_vocab]
        to_target[PAD] = PAD
        self.to_target = np.asarray(to_target, "int32")  # (V_source,) source id -> target id
        self.gate = keras.layers.Dense(1, name="gate")
        self.gate.build((None, None, 2 * translator.units + translator.embed_dim))
        self._greedy: Any = None

    def _head(self, emb: Any, states: Any, enc_out: Any, src: Any) -> tuple[Any, Any, Any, Any]:
        """emb (batch, T, E), states (batch, T, H) -> P (batch, T, V), g (batch, T), loss logits, weights."""
        dec = self.translator.decoder
        context, weights = dec.attention(states, enc_out, ops.not_equal(src, PAD))
        logits = dec.out(dec.combine(ops.concatenate([context, states], axis=-1)))
        features = ops.concatenate([context, states, emb], axis=-1)
        z = self.gate(features)[..., 0]
        g = ops.sigmoid(z)
        probs = mix(ops.softmax(logits, axis=-1), g[..., None], weights, ops.take(self.to_target, src, axis=0))
        z_loss = self.gate(ops.stop_gradient(features))[..., 0] if self.variant == "neighbour" else z
        return probs, g, z_loss, weights

    def call(self, inputs: Any, training: bool = False) -> tuple[Any, Any]:
        src, tgt_in = inputs
        enc_out, state = self.translator.encoder(src, training=training)
        dec = self.translator.decoder
        emb = dec.embedding(tgt_in)
        states, _ = dec.gru(emb, initial_state=state, mask=ops.not_equal(tgt_in, PAD), training=training)
        probs, _, z_loss, _ = self._head(emb, states, enc_out, src)
        return ops.add(probs, 0.0), ops.add(z_loss, 0.0)  # no Keras mask metadata: the losses mask

    def gates(self, src: np.ndarray, tgt_in: np.ndarray) -> np.ndarray:
        """g (batch, T) under teacher forcing."""
        return np.asarray(ops.sigmoid(self((src, tgt_in))[1]))

    def _greedy_fn(self) -> Any:
        """Greedy decoding on P, compiled once: src (batch, S), max_len -> ids, attention, gates."""
        import tensorflow as tf

        tr, dec = self.translator, self.translator.decoder

        @tf.function(input_signature=[tf.TensorSpec([None, None], tf.int32), tf.TensorSpec([], tf.int32)])
        def greedy(src: Any, max_len: Any) -> tuple[Any, Any, Any]:
            enc_out, state = tr.encoder(src)
            batch = tf.shape(src)[0]
            token, done = tf.fill([batch], START), tf.zeros([batch], tf.bool)
            arrays = [tf.TensorArray(dtype, size=max_len) for dtype in (tf.int32, tf.float32, tf.float32)]
            for t in tf.range(max_len):
                x = tf.gather(dec.embedding.embeddings, token)
                h, _ = dec.gru.cell(x, [state], training=False)
                probs, g, _, weights = self._head(x[:, None], h[:, None], enc_out, src)
                banned = tf.reduce_any(tf.equal(tf.range(tf.shape(probs)[-1])[:, None], [PAD, START]), axis=-1)
                nxt = tf.argmax(tf.where(banned, -1.0, probs[:, 0]), axis=-1, output_type=tf.int32)
                nxt = tf.where(done, tf.zeros_like(nxt), nxt)
                arrays = [a.write(t, v) for a, v in zip(arrays, (nxt, weights[:, 0], g[:, 0]))]
                done, token, state = done | tf.equal(nxt, END), nxt, h
            ids, att, gates = (a.stack() for a in arrays)
            return tf.transpose(ids), tf.transpose(att, [1, 0, 2]), tf.transpose(gates)

        return greedy

    def translate(self, texts: Sequence[str], unk_replace: bool = True, batch_size: int = 256) -> list[str]:
        """Greedy translations on P, ``Translator.translate``'s way (an output [UNK] replaced by the
        source piece attended to most, when ``unk_replace``)."""
        tr = self.translator
        self._greedy = self._greedy or self._greedy_fn()
        detok, out = tr.tokenizers()[1][1], []
        for start in range(0, len(texts), batch_size):
            chunk = list(texts[start: start + batch_size])
            src = tr.encode_source(chunk)
            ids, att, _ = (np.asarray(a) for a in self._greedy(src, np.int32(tr.max_target_len)))
            for j, pieces in enumerate(tr.source_tokens(chunk)):
                tokens = decode_ids(ids[j], tr.target_vocab)
                if unk_replace:
                    n = min(len(pieces), tr.max_source_len)
                    tokens = [pieces[_copied_position(att[j, p], src[j], n)] if tok == SPECIALS[UNK] else tok
                              for p, tok in enumerate(tokens)]
                out.append(detok(tokens) if pieces else "")
        return out

    def name_gate(self, names: Sequence[str]) -> float:
        """Mean g on the pieces of each name in the references of :data:`NAME_PATTERNS` (teacher forcing)."""
        tok = self.translator.tokenizers()[1][0]
        pairs = [(en.format(name=n), de.format(name=n)) for en, de in NAME_PATTERNS for n in names]
        src, tgt_in, _ = self.translator.teacher_forcing_ids(pairs)
        g, values = self.gates(src, tgt_in), []
        for row, ((_, de), name) in enumerate(zip(pairs, [n for _ in NAME_PATTERNS for n in names])):
            ref, piece = tok(de), tok(name)
            at = next((i for i in range(len(ref)) if ref[i: i + len(piece)] == piece), None)
            if at is not None:  # g at step t predicts tgt_out[t] = ref[t]
                values += list(g[row, at: at + len(piece)])
        return float(np.mean(values))


def copy_nll(y_true: Any, probs: Any) -> Any:
    """Cross-entropy of P (probabilities, clipped at :data:`EPS`) over real target pieces."""
    y = ops.cast(y_true, "int32")
    p = ops.take_along_axis(probs, ops.expand_dims(y, -1), axis=-1)[..., 0]
    mask = ops.cast(ops.not_equal(y, PAD), probs.dtype)
    return ops.sum(-ops.log(ops.clip(p, EPS, 1.0)) * mask) / ops.maximum(ops.sum(mask), 1.0)


def gate_bce(target: Any, z: Any) -> Any:
    """Binary cross-entropy of the gate (target 1 = copy, so g -> 0) from its logits; -1 is padding."""
    mask = ops.cast(ops.greater_equal(target, 0.0), z.dtype)
    loss = target * ops.softplus(z) + (1.0 - target) * ops.softplus(-z)  # -log(1 - g), -log(g)
    return ops.sum(loss * mask) / ops.maximum(ops.sum(mask), 1.0)


def _dataset(model: CopyHead, pairs: Sequence[tuple[str, str]], batch_size: int, seed: int) -> Any:
    """((src, tgt_in), (tgt_out, gate targets)), shuffled each epoch, each batch cut to its longest row."""
    import tensorflow as tf

    src, tgt_in, tgt_out = model.translator.teacher_forcing_ids(pairs)
    rule = "neighbour" if model.variant == "neighbour" else "occurs"
    gate = gate_targets(model.to_target[src], tgt_out, rule)

    def cut(x: Any, y: Any) -> Any:  # the Translator's own cut, the gate targets cut as tgt_out
        inputs, tgt = _cut_to_longest(x, y[0])
        return inputs, (tgt, y[1][:, :tf.shape(tgt)[1]])

    ds = tf.data.Dataset.from_tensor_slices(((src, tgt_in), (tgt_out, gate)))
    ds = ds.shuffle(len(pairs), seed=seed, reshuffle_each_iteration=True)
    return without_autotune(ds.batch(batch_size).map(cut))


def fit_copy_head(model: CopyHead, train: Sequence[tuple[str, str]], validation: Sequence[tuple[str, str]],
                  epochs: int, batch_size: int, learning_rate: float, seed: int) -> list[dict[str, float]]:
    """Train with Adam (clipnorm 1, as ``compile_translator``), the gate loss weighted 1 (0 for
    ``free``); after each epoch the greedy validation BLEU (no [UNK] replacement, as
    ``BestValidationBleu``); the weights of the best epoch are put back. Returns one point per epoch."""
    from course_utils.seq2seq.evaluation import evaluate_translations

    sources, refs = [en for en, _ in validation], [de for _, de in validation]
    curve: list[dict[str, float]] = []
    best: list[Any] = [-1.0, None]
    start = time.perf_counter()

    class Keep(keras.callbacks.Callback):
        def on_epoch_end(self, epoch: int, logs: dict[str, Any] | None = None) -> None:
            bleu = round(evaluate_translations(model.translate(sources, unk_replace=False), refs)["bleu"], 2)
            curve.append({"epoch": epoch + 1, "seconds": round(time.perf_counter() - start, 1),
                          "loss": round(float((logs or {}).get("loss", np.nan)), 4), "val_bleu": bleu})
            print(f"  {model.variant} epoch {epoch + 1}: {curve[-1]}", flush=True)
            if bleu > best[0]:
                best[:] = [bleu, model.get_weights()]

    model.compile(optimizer=keras.optimizers.Adam(learning_rate, clipnorm=1.0), loss=[copy_nll, gate_bce],
                  loss_weights=[1.0, 0.0 if model.variant == "free" else 1.0])
    model.fit(_dataset(model, train, batch_size, seed), epochs=epochs, verbose=0, shuffle=False, callbacks=[Keep()])
    model.set_weights(best[1])
    return curve
