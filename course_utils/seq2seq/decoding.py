"""Greedy and beam-search decoding for an encoder-decoder (chapters 10-12).

Both decoders work on a whole batch of source sentences, stop at ``max_len`` target
tokens, and return id matrices in which everything after [END] is padding (0).
Greedy decoding takes the most probable token at every step; beam search keeps the
``beam_width`` best partial translations and ranks finished ones by their
log-probability divided by ``length ** alpha`` (length normalisation).
Neither ever outputs [PAD] or [START]: those ids are inputs only, so their logits are
set to -inf before choosing (a model that has never seen them as targets rarely picks
them anyway, but "rarely" is not "never").
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ..validate import finite_array, finite_number, ids_in_range, positive_int
from .tokens import END, PAD, START


def _check_model_and_src(model: Any, src_ids: Any, max_len: Any) -> np.ndarray:
    if not (hasattr(model, "encoder") and hasattr(model, "decoder")):
        raise TypeError(f"pass a model with .encoder and .decoder (e.g. a Translator), not {type(model).__name__}")
    src = np.asarray(src_ids)
    if src.ndim != 2 or not np.issubdtype(src.dtype, np.integer):
        raise ValueError(f"src_ids must be an int matrix (batch, S), got shape {src.shape} dtype {src.dtype}; "
                         "use course_utils.seq2seq.tokens.encode(...) to make one")
    if src.shape[0] == 0 or src.shape[1] == 0:
        raise ValueError(f"src_ids is empty, shape {src.shape}; pass at least one non-empty sentence")
    vocab_size = getattr(model.encoder, "vocab_size", None)
    if isinstance(vocab_size, int):
        ids_in_range("src_ids", src, vocab_size, "encode the source with the model's own vocabulary: "
                     "model.encode_source(texts)")
    positive_int("max_len", max_len, "the most target tokens to produce")
    return src.astype("int32")


def _never_emit_specials(logits: Any) -> Any:
    """logits (..., V) with the [PAD] and [START] entries set to -inf."""
    import tensorflow as tf

    vocab = tf.shape(logits)[-1]
    banned = tf.reduce_any(tf.equal(tf.range(vocab)[:, None], [PAD, START]), axis=-1)  # (V,)
    return tf.where(banned, tf.constant(-np.inf, logits.dtype), logits)


def _greedy_fn(model: Any) -> Any:
    """One compiled greedy loop per model (cached on it), traced once per max_len."""
    fn = getattr(model, "_course_greedy_fn", None)
    if fn is not None:
        return fn
    import tensorflow as tf

    encoder, decoder = model.encoder, model.decoder
    has_attention = decoder.attention is not None

    @tf.function(input_signature=[tf.TensorSpec([None, None], tf.int32), tf.TensorSpec([], tf.int32)])
    def greedy(src: Any, max_len: Any) -> tuple[Any, Any]:
        enc_out, state = encoder(src)
        src_mask = tf.not_equal(src, PAD)
        batch = tf.shape(src)[0]
        token = tf.fill([batch], START)
        done = tf.zeros([batch], tf.bool)
        ids = tf.TensorArray(tf.int32, size=max_len)
        att = tf.TensorArray(tf.float32, size=max_len)
        for t in tf.range(max_len):
            logits, state, weights = decoder.step(token, state, enc_out, src_mask)
            nxt = tf.argmax(_never_emit_specials(logits), axis=-1, output_type=tf.int32)
            nxt = tf.where(done, tf.zeros_like(nxt), nxt)  # pad after [END]
            ids = ids.write(t, nxt)
            att = att.write(t, weights if has_attention else tf.zeros([batch, tf.shape(src)[1]]))
            done = tf.logical_or(done, tf.equal(nxt, END))
            token = nxt
        return tf.transpose(ids.stack()), tf.transpose(att.stack(), [1, 0, 2])

    model._course_greedy_fn = greedy
    return greedy


def greedy_decode(model: Any, src_ids: Any, max_len: int = 20,
                  return_attention: bool = False) -> np.ndarray | tuple[np.ndarray, np.ndarray | None]:
    """Greedy decoding, batched, compiled with ``tf.function``.

    src_ids (batch, S) int -> ids (batch, max_len) int32 (after [END]: 0).
    With ``return_attention=True`` also returns weights (batch, max_len, S)
    (None for a model without attention).
    """
    src = _check_model_and_src(model, src_ids, max_len)
    import tensorflow as tf

    ids, att = _greedy_fn(model)(tf.constant(src), tf.constant(max_len, tf.int32))
    ids = ids.numpy()
    if not return_attention:
        return ids
    return ids, (att.numpy() if model.decoder.attention is not None else None)


def _step_fn(model: Any) -> Any:
    fn = getattr(model, "_course_step_fn", None)
    if fn is None:
        import tensorflow as tf

        decoder = model.decoder

        @tf.function(input_signature=[tf.TensorSpec([None], tf.int32), tf.TensorSpec([None, None], tf.float32),
                                      tf.TensorSpec([None, None, None], tf.float32), tf.TensorSpec([None, None], tf.bool)])
        def step(token: Any, state: Any, enc_out: Any, src_mask: Any) -> tuple[Any, Any]:
            logits, new_state, _ = decoder.step(token, state, enc_out, src_mask)
            return tf.nn.log_softmax(_never_emit_specials(logits), axis=-1), new_state

        model._course_step_fn = fn = step
    return fn


def _check_alpha(alpha: float) -> float:
    return finite_number("alpha (the length-normalisation exponent)", alpha, low=0,
                         fix="use alpha=0 for no length normalisation, alpha=1 to rank by the mean log-probability per token")


def length_penalty(length: np.ndarray | int, alpha: float) -> np.ndarray | float:
    """Divide a hypothesis's total log-probability by this: ``length ** alpha``.
    alpha = 0 ranks by raw log-probability (favours short outputs), alpha = 1 by the mean per token.
    ``length`` (any shape) counts tokens, so every entry must be >= 1."""
    _check_alpha(alpha)
    lengths = finite_array("length", length)
    if lengths.size and lengths.min() < 1:
        raise ValueError(f"length must be >= 1 (a hypothesis has at least one token, [END] included), "
                         f"got {lengths.min()}")
    return _length_penalty(lengths, alpha)


def _length_penalty(length: np.ndarray | int, alpha: float) -> np.ndarray | float:
    """length ** alpha without the checks (beam search checks alpha once, not per hypothesis)."""
    return np.power(np.asarray(length, dtype="float64"), alpha)


def beam_search_decode(model: Any, src_ids: Any, beam_width: int = 3, max_len: int = 20,
                       alpha: float = 1.0) -> np.ndarray:
    """Beam search, batched over sentences: src_ids (batch, S) -> ids (batch, max_len) int32.

    At each step every live hypothesis is extended by every token; the ``beam_width``
    best (by summed log-probability) stay live, and a hypothesis that emits [END] is
    set aside as finished with score ``logp / length ** alpha`` (length counts [END]).
    A sentence stops once it has ``beam_width`` finished hypotheses; at ``max_len`` the
    live ones count as finished. ``beam_width=1`` gives exactly greedy decoding.
    """
    src = _check_model_and_src(model, src_ids, max_len)
    positive_int("beam_width", beam_width, "the number of hypotheses kept; 1 is greedy decoding")
    _check_alpha(alpha)
    import tensorflow as tf

    k, batch = beam_width, src.shape[0]
    enc_out, state = model.encoder(tf.constant(src))
    enc_out = tf.repeat(enc_out, k, axis=0)                     # (batch*k, S, H)
    state = tf.repeat(state, k, axis=0).numpy()                 # (batch*k, H)
    src_mask = tf.repeat(tf.not_equal(src, PAD), k, axis=0)
    step = _step_fn(model)

    scores = np.full((batch, k), -np.inf)
    scores[:, 0] = 0.0                                          # one live hypothesis to start
    seqs = np.zeros((batch, k, 0), dtype="int32")
    last = np.full((batch, k), START, dtype="int32")
    finished: list[list[tuple[float, list[int]]]] = [[] for _ in range(batch)]
    active = np.ones(batch, dtype=bool)

    for t in range(max_len):
        logp, new_state = step(tf.constant(last.reshape(-1)), tf.constant(state), enc_out, src_mask)
        logp = logp.numpy().astype("float64").reshape(batch, k, -1)
        vocab = logp.shape[-1]
        total = (scores[:, :, None] + logp).reshape(batch, -1)   # (batch, k*V)
        order = np.argsort(-total, axis=1, kind="stable")[:, : 2 * k]
        new_scores = np.full((batch, k), -np.inf)
        new_seqs = np.zeros((batch, k, t + 1), dtype="int32")
        parent = np.zeros((batch, k), dtype="int64")
        for b in range(batch):
            if not active[b]:
                continue
            n_live = 0
            for flat in order[b]:
                if not np.isfinite(total[b, flat]):
                    break
                beam, token = divmod(int(flat), vocab)
                seq = list(seqs[b, beam]) + [token]
                if token == END:
                    finished[b].append((total[b, flat] / _length_penalty(t + 1, alpha), seq))
                else:
                    new_scores[b, n_live], new_seqs[b, n_live], parent[b, n_live] = total[b, flat], seq, beam
                    n_live += 1
                if n_live == k:
                    break
            if len(finished[b]) >= k or n_live == 0:
                active[b] = False
        rows = (np.arange(batch)[:, None] * k + parent).reshape(-1)
        state = new_state.numpy()[rows]
        scores, seqs, last = new_scores, new_seqs, new_seqs[:, :, -1]
        if not active.any():
            break

    out = np.zeros((batch, max_len), dtype="int32")
    for b in range(batch):
        candidates = list(finished[b])
        if active[b]:  # ran out of steps: live hypotheses compete too
            candidates += [(scores[b, j] / _length_penalty(seqs.shape[2], alpha), list(seqs[b, j]))
                           for j in range(k) if np.isfinite(scores[b, j])]
        best = max(candidates, key=lambda c: c[0])[1]
        out[b, : len(best)] = best[:max_len]
    return out
