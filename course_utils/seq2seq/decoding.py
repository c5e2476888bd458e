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


def beam_search_reference(model: Any, src_ids: Any, beam_width: int = 3, max_len: int = 20,
                          alpha: float = 1.0) -> np.ndarray:
    """Beam search, batched over sentences, one step at a time in NumPy (the readable version):
    src_ids (batch, S) -> ids (batch, max_len) int32. :func:`beam_search_decode` computes the
    same ids in one compiled loop.

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


def _beam_fn(model: Any) -> Any:
    """One compiled beam search per model (cached on it), traced once: the same algorithm as
    :func:`beam_search_reference`, with its Python loops over sentences and candidates
    replaced by tensor operations, so that the whole search runs inside ``tf.function``.
    Sentences that have finished searching are dropped from the batch, so the decoder
    steps only the hypotheses still searching. Shapes below: n sentences still searching,
    k beams, V target words."""
    fn = getattr(model, "_course_beam_fn", None)
    if fn is not None:
        return fn
    import tensorflow as tf

    encoder, decoder = model.encoder, model.decoder
    any_shape = lambda rank: tf.TensorShape([None] * rank)  # noqa: E731

    @tf.function(input_signature=[tf.TensorSpec([None, None], tf.int32), tf.TensorSpec([], tf.int32),
                                  tf.TensorSpec([None], tf.float64)])
    def beam(src: Any, k: Any, penalty: Any) -> Any:
        # penalty[t] = (t + 1) ** alpha, computed by the caller in NumPy (as the reference does)
        max_len, batch = tf.shape(penalty)[0], tf.shape(src)[0]
        enc_out, state = encoder(src)
        enc_out = tf.repeat(enc_out, k, axis=0)                           # (n*k, S, H)
        state = tf.repeat(state, k, axis=0)                               # (n*k, H)
        src_mask = tf.repeat(tf.not_equal(src, PAD), k, axis=0)           # (n*k, S)
        ids, scores, seqs, last, n_finished = _start_beams(batch, k, max_len)
        best_score = tf.fill([batch], tf.constant(-np.inf, tf.float64))   # (batch,) best finished so far
        best_seq = tf.zeros([batch, max_len], tf.int32)                   # (batch, max_len)
        steps = tf.constant(0)
        for t in tf.range(max_len):
            tf.autograph.experimental.set_loop_options(shape_invariants=[
                (enc_out, any_shape(3)), (state, any_shape(2)), (src_mask, any_shape(2)), (ids, any_shape(1)),
                (scores, any_shape(2)), (seqs, any_shape(3)), (last, any_shape(2)), (n_finished, any_shape(1))])
            logits, new_state, _ = decoder.step(tf.reshape(last, [-1]), state, enc_out, src_mask)
            top, parent, token = _best_extensions(logits, scores, k)
            finished, live, slot = _examine_candidates(top, token, k)
            best_score, best_seq = _keep_best_finished(best_score, best_seq, ids, seqs, top, parent, finished,
                                                       penalty[t], t)
            scores, last, seqs, state = _advance_live(top, parent, token, live, slot, seqs, new_state, t)
            n_finished += tf.reduce_sum(tf.cast(finished, tf.int32), axis=1)
            searching = (n_finished < k) & tf.reduce_any(live, axis=1)     # (n,)
            steps = t + 1
            if not tf.reduce_all(searching):                              # drop the sentences that are done
                keep = tf.cast(tf.where(searching)[:, 0], tf.int32)
                rows = tf.reshape(keep[:, None] * k + tf.range(k)[None, :], [-1])
                ids, scores, seqs = tf.gather(ids, keep), tf.gather(scores, keep), tf.gather(seqs, keep)
                last, n_finished = tf.gather(last, keep), tf.gather(n_finished, keep)
                enc_out, state, src_mask = tf.gather(enc_out, rows), tf.gather(state, rows), tf.gather(src_mask, rows)
            if tf.size(ids) == 0:
                break
        return _with_live_hypotheses(best_score, best_seq, ids, scores, seqs, penalty[steps - 1])

    model._course_beam_fn = beam
    return beam


def _start_beams(batch: Any, k: Any, max_len: Any) -> tuple[Any, Any, Any, Any, Any]:
    """The search state of ``batch`` sentences with one live hypothesis each (score 0, the
    other k - 1 slots -inf): ``ids`` (n,) their rows in the batch, ``scores`` (n, k) float64
    summed log-probabilities, ``seqs`` (n, k, max_len) live hypotheses, ``last`` (n, k) their
    last token ([START]), ``n_finished`` (n,) hypotheses set aside so far."""
    import tensorflow as tf

    first_slot = tf.range(k)[None, :] == 0
    scores = tf.tile(tf.where(first_slot, tf.constant(0.0, tf.float64), tf.constant(-np.inf, tf.float64)), [batch, 1])
    return (tf.range(batch), scores, tf.zeros([batch, k, max_len], tf.int32), tf.fill([batch, k], START),
            tf.zeros([batch], tf.int32))


def _best_extensions(logits: Any, scores: Any, k: Any) -> tuple[Any, Any, Any]:
    """The 2k best one-token extensions of each sentence's live hypotheses, from the decoder's
    logits (n*k, V) and the hypotheses' scores (n, k): ``top`` (n, 2k) summed log-probabilities
    (ties: lower index first), the ``parent`` slot (n, 2k) and the ``token`` (n, 2k) of each."""
    import tensorflow as tf

    n = tf.shape(scores)[0]
    logp = tf.cast(tf.nn.log_softmax(_never_emit_specials(logits), axis=-1), tf.float64)
    vocab = tf.shape(logp)[-1]
    total = tf.reshape(scores[:, :, None] + tf.reshape(logp, [n, k, vocab]), [n, k * vocab])
    top, flat = tf.math.top_k(total, 2 * k)
    return top, flat // vocab, flat % vocab


def _examine_candidates(top: Any, token: Any, k: Any) -> tuple[Any, Any, Any]:
    """Which of the 2k candidates the reference looks at: it walks them in order and stops after
    the k-th live one. Returns ``finished`` and ``live`` (n, 2k) bool (examined candidates that
    end in [END], and the others) and ``slot`` (n, 2k): the live candidates before each one,
    which is the slot a live candidate goes to."""
    import tensorflow as tf

    finite, is_end = tf.math.is_finite(top), tf.equal(token, END)
    slot = tf.cumsum(tf.cast(finite & ~is_end, tf.int32), axis=1, exclusive=True)
    examined = finite & (slot < k)
    return examined & is_end, examined & ~is_end, slot


def _keep_best_finished(best_score: Any, best_seq: Any, ids: Any, seqs: Any, top: Any, parent: Any, finished: Any,
                        penalty: Any, t: Any) -> tuple[Any, Any]:
    """``best_score`` (batch,) and ``best_seq`` (batch, max_len), updated with the hypotheses that
    finished at step ``t`` (score: log-probability / ``penalty``) where one beats the best so
    far; among equals the first candidate wins, as ``max()`` does in the reference."""
    import tensorflow as tf

    two_k = tf.shape(top)[1]
    fin_score = tf.where(finished, top / penalty, tf.constant(-np.inf, tf.float64))
    step_best = tf.reduce_max(fin_score, axis=1)                          # (n,)
    first = tf.argmin(tf.where(finished & (fin_score == step_best[:, None]), tf.range(two_k)[None, :], two_k),
                      axis=1, output_type=tf.int32)
    fin_seq = tf.gather(seqs, tf.gather(parent, tf.minimum(first, two_k - 1), batch_dims=1), batch_dims=1)
    fin_seq = tf.where(tf.range(tf.shape(seqs)[2])[None, :] == t, END, fin_seq)  # (n, max_len)
    old_score, old_seq = tf.gather(best_score, ids), tf.gather(best_seq, ids)
    better = step_best > old_score
    best_score = tf.tensor_scatter_nd_update(best_score, ids[:, None], tf.where(better, step_best, old_score))
    best_seq = tf.tensor_scatter_nd_update(best_seq, ids[:, None], tf.where(better[:, None], fin_seq, old_seq))
    return best_score, best_seq


def _advance_live(top: Any, parent: Any, token: Any, live: Any, slot: Any, seqs: Any, new_state: Any,
                  t: Any) -> tuple[Any, Any, Any, Any]:
    """The live hypotheses after step ``t``: live candidate j goes to slot ``slot[j]``; empty
    slots score -inf. Returns ``scores`` (n, k), ``last`` (n, k), ``seqs`` (n, k, max_len) and
    the decoder ``state`` (n*k, H) of each slot, taken from its parent's row of ``new_state``."""
    import tensorflow as tf

    n, k = tf.shape(seqs)[0], tf.shape(seqs)[1]
    neg_inf = tf.constant(-np.inf, tf.float64)
    onehot = live[:, :, None] & tf.equal(slot[:, :, None], tf.range(k)[None, None, :])   # (n, 2k, k)
    filled = tf.reduce_any(onehot, axis=1)                                                 # (n, k)
    scores = tf.where(filled, tf.reduce_max(tf.where(onehot, top[:, :, None], neg_inf), axis=1), neg_inf)
    new_parent = tf.reduce_sum(tf.where(onehot, parent[:, :, None], 0), axis=1)          # (n, k)
    last = tf.reduce_sum(tf.where(onehot, token[:, :, None], 0), axis=1)                 # (n, k)
    seqs = tf.gather(seqs, new_parent, batch_dims=1)
    seqs = tf.where(tf.range(tf.shape(seqs)[2])[None, None, :] == t, last[:, :, None], seqs)
    state = tf.gather(new_state, tf.reshape(tf.range(n)[:, None] * k + new_parent, [-1]))
    return scores, last, seqs, state


def _with_live_hypotheses(best_score: Any, best_seq: Any, ids: Any, scores: Any, seqs: Any, penalty: Any) -> Any:
    """``best_seq`` (batch, max_len) once the sentences still searching after the last step let
    their live hypotheses compete too (score: log-probability / ``penalty``; first of equals)."""
    import tensorflow as tf

    k = tf.shape(scores)[1]
    live_score = tf.where(tf.math.is_finite(scores), scores / penalty, tf.constant(-np.inf, tf.float64))  # (n, k)
    live_best = tf.reduce_max(live_score, axis=1)
    first = tf.argmin(tf.where(live_score == live_best[:, None], tf.range(k)[None, :], k), axis=1,
                      output_type=tf.int32)
    live_seq = tf.gather(seqs, tf.minimum(first, k - 1), batch_dims=1)
    better = live_best > tf.gather(best_score, ids)
    return tf.tensor_scatter_nd_update(best_seq, ids[:, None],
                                       tf.where(better[:, None], live_seq, tf.gather(best_seq, ids)))


def beam_search_decode(model: Any, src_ids: Any, beam_width: int = 3, max_len: int = 20,
                       alpha: float = 1.0) -> np.ndarray:
    """Beam search, batched over sentences and compiled with ``tf.function``:
    src_ids (batch, S) -> ids (batch, max_len) int32 (after [END]: 0).

    At each step every live hypothesis is extended by every token; the ``beam_width``
    best (by summed log-probability) stay live, and a hypothesis that emits [END] is
    set aside as finished with score ``logp / length ** alpha`` (length counts [END]).
    A sentence stops once it has ``beam_width`` finished hypotheses; at ``max_len`` the
    live ones count as finished. ``beam_width=1`` gives exactly greedy decoding.
    The result equals :func:`beam_search_reference`, the step-by-step NumPy version.
    """
    src = _check_model_and_src(model, src_ids, max_len)
    positive_int("beam_width", beam_width, "the number of hypotheses kept; 1 is greedy decoding")
    _check_alpha(alpha)
    import tensorflow as tf

    penalty = _length_penalty(np.arange(1, max_len + 1), alpha)
    ids = _beam_fn(model)(tf.constant(src), tf.constant(beam_width, tf.int32), tf.constant(penalty, tf.float64))
    return ids.numpy()
