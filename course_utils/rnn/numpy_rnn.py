"""A vanilla RNN in NumPy: forward pass, backpropagation through time, a character
model trainer in the spirit of min-char-rnn, and its sampler.

Notation (course-wide)::

    h_t = f(W_hx x_t + W_hh h_{t-1} + b_h)      h_0 = 0
    y_t = W_hy h_t + b_y                         (logits; softmax gives p_t)

Shapes: ``W_hx`` (H, D), ``W_hh`` (H, H), ``b_h`` (H,), ``W_hy`` (V, H), ``b_y`` (V,).
Sequences are batched: inputs ``xs`` (B, T, D), hidden states (B, T, H), logits (B, T, V).
The loss is the mean cross-entropy (nats) over all B*T targets.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np

from ..validate import finite_array, finite_number, positive_int

PARAM_NAMES = ("W_hx", "W_hh", "b_h", "W_hy", "b_y")
ACTIVATIONS = ("tanh", "relu", "sigmoid")

Params = dict[str, np.ndarray]


# --------------------------------------------------------------------------- validation
def _check_activation(activation: str) -> None:
    if activation not in ACTIVATIONS:
        raise ValueError(f"activation must be one of {ACTIVATIONS}, got {activation!r}")


def check_params(params: Params) -> tuple[int, int, int]:
    """Check names and shapes of ``params``; return (D, H, V)."""
    if not isinstance(params, dict):
        raise TypeError(f"params must be a dict with keys {PARAM_NAMES}, got {type(params).__name__}; use init_params()")
    missing = [k for k in PARAM_NAMES if k not in params]
    if missing:
        raise ValueError(f"params is missing {missing}; create it with init_params(n_in, units, n_out)")
    H, D = np.shape(params["W_hx"])
    V = np.shape(params["W_hy"])[0]
    want = {"W_hx": (H, D), "W_hh": (H, H), "b_h": (H,), "W_hy": (V, H), "b_y": (V,)}
    for k, shape in want.items():
        if np.shape(params[k]) != shape:
            raise ValueError(f"params[{k!r}] has shape {np.shape(params[k])}, expected {shape} "
                             f"(from W_hx (H, D) = {(H, D)} and W_hy (V, H) with V = {V})")
    return D, H, V


def _check_inputs(xs: np.ndarray, D: int) -> np.ndarray:
    xs = np.asarray(xs)
    if xs.ndim != 3:
        raise ValueError(f"xs must have shape (batch, T, D), got {xs.shape}; add a batch axis with xs[None] for one sequence")
    if xs.shape[1] == 0:
        raise ValueError("xs has T = 0 time steps; give at least one step")
    if xs.shape[2] != D:
        raise ValueError(f"xs has D = {xs.shape[2]} features per step but W_hx expects D = {D}")
    if not np.issubdtype(xs.dtype, np.floating):
        raise TypeError(f"xs must hold floats (e.g. one-hot vectors), got dtype {xs.dtype}; use one_hot(ids, V)")
    return xs


def _check_targets(targets: np.ndarray, B: int, T: int, V: int) -> np.ndarray:
    targets = np.asarray(targets)
    if targets.shape != (B, T):
        raise ValueError(f"targets must have shape (batch, T) = {(B, T)}, got {targets.shape}")
    if not np.issubdtype(targets.dtype, np.integer):
        raise TypeError(f"targets must be integer class ids, got dtype {targets.dtype}")
    if targets.size and (targets.min() < 0 or targets.max() >= V):
        raise ValueError(f"targets must lie in [0, {V}), got values from {targets.min()} to {targets.max()}")
    return targets


# --------------------------------------------------------------------------- basics
def init_params(n_in: int, units: int, n_out: int, seed: int = 0, scale: float = 0.01,
                dtype: str = "float64") -> Params:
    """Small random weights, zero biases: W_hx (H, D), W_hh (H, H), b_h (H,), W_hy (V, H), b_y (V,),
    with D = ``n_in``, H = ``units`` and V = ``n_out``."""
    for name, v in [("n_in", n_in), ("units", units), ("n_out", n_out)]:
        positive_int(name, v)
    finite_number("scale", scale, low=0, low_open=True, fix="0.01 is the usual start")
    rng = np.random.default_rng(seed)
    return {
        "W_hx": (rng.standard_normal((units, n_in)) * scale).astype(dtype),
        "W_hh": (rng.standard_normal((units, units)) * scale).astype(dtype),
        "b_h": np.zeros(units, dtype),
        "W_hy": (rng.standard_normal((n_out, units)) * scale).astype(dtype),
        "b_y": np.zeros(n_out, dtype),
    }


def one_hot(ids: np.ndarray, depth: int, dtype: str = "float64") -> np.ndarray:
    """Integer ids of any shape (...) -> one-hot array (..., depth)."""
    ids = np.asarray(ids)
    if not np.issubdtype(ids.dtype, np.integer):
        raise TypeError(f"ids must be integers, got dtype {ids.dtype}")
    if ids.size and (ids.min() < 0 or ids.max() >= depth):
        raise ValueError(f"ids must lie in [0, {depth}), got values from {ids.min()} to {ids.max()}")
    return np.eye(depth, dtype=dtype)[ids]


def activate(z: np.ndarray, activation: str = "tanh") -> np.ndarray:
    """The hidden nonlinearity f."""
    _check_activation(activation)
    if activation == "tanh":
        return np.tanh(z)
    if activation == "relu":
        return np.maximum(z, 0.0)
    return 1.0 / (1.0 + np.exp(-z))


def activation_derivative(h: np.ndarray, z: np.ndarray, activation: str = "tanh") -> np.ndarray:
    """f'(z), written with the output h = f(z) where that is cheaper (tanh: 1 - h^2)."""
    _check_activation(activation)
    if activation == "tanh":
        return 1.0 - h**2
    if activation == "relu":
        return (z > 0).astype(h.dtype)
    return h * (1.0 - h)


def softmax(logits: np.ndarray) -> np.ndarray:
    """Softmax over the last axis, numerically stable. logits (..., V) must be finite."""
    logits = finite_array("logits", logits, fix="NaN or infinite logits mean the model diverged")
    if logits.ndim < 1 or logits.shape[-1] < 1:
        raise ValueError(f"logits must have a last axis of size V >= 1, got shape {logits.shape}")
    return _softmax(logits)


def _softmax(logits: np.ndarray) -> np.ndarray:
    z = logits - logits.max(axis=-1, keepdims=True)
    e = np.exp(z)
    return e / e.sum(axis=-1, keepdims=True)


# --------------------------------------------------------------------------- forward and BPTT
@dataclass
class ForwardCache:
    """What the forward pass keeps for BPTT. hs has T+1 steps: hs[:, 0] is h_0."""

    xs: np.ndarray  # (B, T, D)
    zs: np.ndarray  # (B, T, H) pre-activations
    hs: np.ndarray  # (B, T+1, H)
    logits: np.ndarray  # (B, T, V)
    activation: str = "tanh"


def rnn_forward(params: Params, xs: np.ndarray, h0: np.ndarray | None = None,
                activation: str = "tanh") -> ForwardCache:
    """Run the RNN over ``xs`` (B, T, D). ``h0`` (B, H) defaults to zeros.
    Returns a :class:`ForwardCache`; ``cache.hs[:, 1:]`` are h_1..h_T, ``cache.logits`` the y_t."""
    D, H, V = check_params(params)
    xs = _check_inputs(xs, D)
    _check_activation(activation)
    B, T, _ = xs.shape
    dtype = np.result_type(xs.dtype, params["W_hx"].dtype)
    hs = np.zeros((B, T + 1, H), dtype)
    if h0 is not None:
        h0 = np.asarray(h0)
        if h0.shape != (B, H):
            raise ValueError(f"h0 must have shape (batch, H) = {(B, H)}, got {h0.shape}")
        hs[:, 0] = h0
    zs = np.zeros((B, T, H), dtype)
    W_hx, W_hh, b_h = params["W_hx"], params["W_hh"], params["b_h"]
    for t in range(T):  # the same W_hx, W_hh, b_h at every step
        zs[:, t] = xs[:, t] @ W_hx.T + hs[:, t] @ W_hh.T + b_h
        hs[:, t + 1] = activate(zs[:, t], activation)
    logits = hs[:, 1:] @ params["W_hy"].T + params["b_y"]
    return ForwardCache(xs, zs, hs, logits, activation)


def cross_entropy(logits: np.ndarray, targets: np.ndarray) -> float:
    """Mean cross-entropy in nats of logits (B, T, V) against integer targets (B, T)."""
    logits = finite_array("logits", logits, fix="NaN or infinite logits mean the model diverged; "
                          "retrain with gradient clipping or a lower learning rate")
    if logits.ndim != 3:
        raise ValueError(f"logits must have shape (batch, T, V), got {logits.shape}; add a batch axis with logits[None]")
    return _cross_entropy(logits, targets)


def _cross_entropy(logits: np.ndarray, targets: np.ndarray) -> float:
    """cross_entropy without the finiteness check: training uses a NaN loss to detect divergence."""
    B, T, V = logits.shape
    targets = _check_targets(targets, B, T, V)
    z = logits - logits.max(axis=-1, keepdims=True)
    log_p = z - np.log(np.exp(z).sum(axis=-1, keepdims=True))
    return float(-np.take_along_axis(log_p, targets[..., None], axis=-1).mean())


def rnn_backward(params: Params, cache: ForwardCache, targets: np.ndarray,
                 dh_last: np.ndarray | None = None) -> tuple[Params, np.ndarray]:
    """Backpropagation through time for the mean cross-entropy loss.

    Returns ``(grads, dhs)``: grads has the keys of ``params``; ``dhs`` (B, T, H) holds
    dL/dh_t for t = 1..T (the total gradient reaching each hidden state).
    ``dh_last`` (B, H) adds an extra gradient arriving at h_T from later chunks (unused by default)."""
    D, H, V = check_params(params)
    B, T, _ = cache.xs.shape
    targets = _check_targets(targets, B, T, V)
    n = B * T
    dlogits = _softmax(cache.logits)  # unchecked: a diverged run is detected by the caller
    np.put_along_axis(dlogits, targets[..., None], np.take_along_axis(dlogits, targets[..., None], -1) - 1.0, -1)
    dlogits /= n  # the loss is a mean over B*T targets
    grads = {k: np.zeros_like(v, dtype=cache.logits.dtype) for k, v in params.items()}
    grads["W_hy"] = np.einsum("btv,bth->vh", dlogits, cache.hs[:, 1:])
    grads["b_y"] = dlogits.sum(axis=(0, 1))
    dhs = np.zeros((B, T, H), cache.logits.dtype)
    dh_next = np.zeros((B, H), cache.logits.dtype) if dh_last is None else np.asarray(dh_last)
    for t in reversed(range(T)):
        dh = dlogits[:, t] @ params["W_hy"] + dh_next  # from y_t, and from h_{t+1}
        dhs[:, t] = dh
        dz = dh * activation_derivative(cache.hs[:, t + 1], cache.zs[:, t], cache.activation)
        grads["W_hx"] += dz.T @ cache.xs[:, t]
        grads["W_hh"] += dz.T @ cache.hs[:, t]
        grads["b_h"] += dz.sum(axis=0)
        dh_next = dz @ params["W_hh"]
    return grads, dhs


def loss_and_grads(params: Params, xs: np.ndarray, targets: np.ndarray, h0: np.ndarray | None = None,
                   activation: str = "tanh") -> tuple[float, Params, np.ndarray]:
    """Forward + BPTT. Returns (mean loss in nats, grads, h_T (B, H))."""
    cache = rnn_forward(params, xs, h0, activation)
    loss = _cross_entropy(cache.logits, targets)  # NaN when training diverges; train_char_rnn checks
    grads, _ = rnn_backward(params, cache, targets)
    return loss, grads, cache.hs[:, -1]


# --------------------------------------------------------------------------- gradient helpers
def relative_error(a: np.ndarray, b: np.ndarray) -> float:
    """max |a - b| / max(|a| + |b|, tiny): 0 for equal arrays, about 1 for unrelated ones."""
    a, b = finite_array("a", a, "float64"), finite_array("b", b, "float64")
    if a.shape != b.shape:
        raise ValueError(f"relative_error() needs equal shapes, got {a.shape} and {b.shape}")
    return float(np.max(np.abs(a - b)) / max(float(np.max(np.abs(a) + np.abs(b))), 1e-300))


def tf_loss_and_grads(params: Params, xs: np.ndarray, targets: np.ndarray,
                      activation: str = "tanh") -> tuple[float, Params]:
    """The same loss and its gradients computed by ``tf.GradientTape`` (in the dtype of ``params``)."""
    import tensorflow as tf

    D, H, V = check_params(params)
    xs = _check_inputs(xs, D)
    _check_activation(activation)
    B, T, _ = xs.shape
    targets = _check_targets(targets, B, T, V)
    variables = {k: tf.Variable(v) for k, v in params.items()}
    f = {"tanh": tf.tanh, "relu": tf.nn.relu, "sigmoid": tf.sigmoid}[activation]
    x = tf.constant(xs, dtype=variables["W_hx"].dtype)
    with tf.GradientTape() as tape:
        h = tf.zeros((B, H), dtype=x.dtype)
        losses = []
        for t in range(T):
            h = f(tf.matmul(x[:, t], variables["W_hx"], transpose_b=True)
                  + tf.matmul(h, variables["W_hh"], transpose_b=True) + variables["b_h"])
            y = tf.matmul(h, variables["W_hy"], transpose_b=True) + variables["b_y"]
            losses.append(tf.nn.sparse_softmax_cross_entropy_with_logits(targets[:, t], y))
        loss = tf.reduce_mean(tf.stack(losses))
    grads = tape.gradient(loss, variables)
    return float(loss), {k: g.numpy() for k, g in grads.items()}


def gradient_check(params: Params, xs: np.ndarray, targets: np.ndarray,
                   activation: str = "tanh") -> dict[str, float]:
    """Relative error between the hand-written BPTT and tf.GradientTape, per parameter.
    Use float64 params and inputs: float32 round-off alone gives errors near 1e-6."""
    _, mine, _ = loss_and_grads(params, xs, targets, activation=activation)
    _, theirs = tf_loss_and_grads(params, xs, targets, activation)
    return {k: relative_error(mine[k], theirs[k]) for k in PARAM_NAMES}


def global_norm(grads: Params) -> float:
    """sqrt of the sum of squares of every gradient entry."""
    return float(np.sqrt(sum(float(np.sum(g.astype("float64") ** 2)) for g in grads.values())))


def clip_by_global_norm(grads: Params, max_norm: float) -> tuple[Params, float]:
    """Scale all gradients together so their global norm is at most ``max_norm``.
    Returns (clipped grads, norm before clipping)."""
    finite_number("max_norm", max_norm, low=0, low_open=True, fix="to switch clipping off, do not call it (clip=None)")
    norm = global_norm(grads)
    if not np.isfinite(norm):
        raise ValueError(f"the gradients' global norm is {norm}: they contain NaN or infinity, and clipping "
                         "cannot repair that; training has diverged, lower the learning rate or clip earlier")
    scale = min(1.0, max_norm / (norm + 1e-12))
    return {k: g * scale for k, g in grads.items()}, norm


def recurrent_matrix(units: int, spectral_radius: float, seed: int = 0) -> np.ndarray:
    """A random (H, H) matrix (H = ``units``) rescaled so its largest |eigenvalue| equals ``spectral_radius``."""
    positive_int("units", units)
    finite_number("spectral_radius", spectral_radius, low=0, low_open=True, fix="1.0 sits at the edge of stability")
    W = np.random.default_rng(seed).standard_normal((units, units))
    return W * (spectral_radius / np.max(np.abs(np.linalg.eigvals(W))))


def hidden_gradient_norms(params: Params, xs: np.ndarray, activation: str = "tanh") -> np.ndarray:
    """||dL/dh_t|| for a loss placed on the LAST step only (L = sum of y_T), averaged over the batch.

    Returns an array (T,) indexed by distance from the loss: entry k is for h_{T-k}."""
    D, H, V = check_params(params)
    cache = rnn_forward(params, xs, activation=activation)
    B, T, _ = cache.xs.shape
    dh = np.tile(params["W_hy"].sum(axis=0), (B, 1))  # dL/dh_T for L = sum_v y_T[v]
    norms = np.zeros(T)
    for k, t in enumerate(reversed(range(T))):
        norms[k] = np.linalg.norm(dh, axis=1).mean()
        dz = dh * activation_derivative(cache.hs[:, t + 1], cache.zs[:, t], activation)
        dh = dz @ params["W_hh"]
    return norms


# --------------------------------------------------------------------------- character model
@dataclass
class CharRNN:
    """A trained NumPy character model: params, its alphabet (index = id) and the loss history."""

    params: Params
    chars: list[str]
    losses: list[float] = field(default_factory=list)  # mean loss per update, nats
    boundary: str = "\n"
    activation: str = "tanh"
    grad_norms: list[float] = field(default_factory=list)  # global gradient norm per update, before clipping
    diverged: bool = False

    @property
    def char_to_id(self) -> dict[str, int]:
        return {c: i for i, c in enumerate(self.chars)}


def encode_words(words: Sequence[str], boundary: str = "\n") -> tuple[np.ndarray, list[str]]:
    """Join words into one stream, each followed by ``boundary``; return (ids (N,), alphabet)."""
    if isinstance(words, str) or not isinstance(words, Sequence):
        raise TypeError("words must be a list of strings, e.g. load_names().train")
    if not words:
        raise ValueError("words is empty; pass a non-empty list such as load_names().train")
    if any(not isinstance(w, str) or not w for w in words):
        raise ValueError("every word must be a non-empty string")
    if any(boundary in w for w in words):
        raise ValueError(f"a word contains the boundary character {boundary!r}; choose another boundary")
    text = "".join(w + boundary for w in words)
    chars = sorted(set(text))
    index = {c: i for i, c in enumerate(chars)}
    return np.array([index[c] for c in text], dtype=np.int64), chars


def _batches(ids: np.ndarray, batch_size: int, seq_len: int) -> tuple[np.ndarray, np.ndarray]:
    """Cut the stream into batch_size parallel lanes; return inputs/targets (n_chunks, B, seq_len)."""
    lane = (len(ids) - 1) // batch_size
    n_chunks = lane // seq_len
    if n_chunks < 1:
        raise ValueError(f"the text ({len(ids)} characters) is too short for batch_size={batch_size} "
                         f"and seq_len={seq_len}; lower one of them")
    x = ids[: batch_size * lane].reshape(batch_size, lane)
    y = ids[1: batch_size * lane + 1].reshape(batch_size, lane)
    cut = n_chunks * seq_len
    x = x[:, :cut].reshape(batch_size, n_chunks, seq_len).transpose(1, 0, 2)
    y = y[:, :cut].reshape(batch_size, n_chunks, seq_len).transpose(1, 0, 2)
    return x, y


@dataclass(frozen=True)
class CharRNNConfig:
    """The settings of :func:`train_char_rnn`. ``units``: H; ``seq_len``: characters per lane
    per update; ``batch_size``: lanes; ``clip``: global gradient norm (None: no clipping);
    ``optimizer``: "adagrad" (as in min-char-rnn) or "sgd"; ``recurrent_radius``: rescale the
    initial W_hh to that spectral radius; ``max_updates``: stop after that many updates."""

    units: int = 64
    seq_len: int = 25
    batch_size: int = 32
    epochs: int = 10
    learning_rate: float = 0.05
    clip: float | None = 5.0
    seed: int = 0
    optimizer: str = "adagrad"
    activation: str = "tanh"
    recurrent_radius: float | None = None
    max_updates: int | None = None

    def __post_init__(self) -> None:
        finite_number("learning_rate", self.learning_rate, low=0, low_open=True)
        if self.clip is not None:
            finite_number("clip", self.clip, low=0, low_open=True, fix="use clip=None for no clipping")
        for name in ("epochs", "units", "seq_len", "batch_size"):
            positive_int(name, getattr(self, name))
        positive_int("max_updates", self.max_updates, allow_none=True)
        if self.optimizer not in ("adagrad", "sgd"):
            raise ValueError(f"optimizer must be 'adagrad' or 'sgd', got {self.optimizer!r}")
        _check_activation(self.activation)


def train_char_rnn(words: Sequence[str], config: CharRNNConfig = CharRNNConfig(), boundary: str = "\n") -> CharRNN:
    """Train a character RNN on ``words`` with hand-written BPTT, as ``config`` says.

    Each epoch the words are shuffled and joined (each followed by ``boundary``) into one
    stream split into ``batch_size`` lanes; each update reads ``seq_len`` characters per lane
    and carries the hidden state to the next chunk (truncated BPTT). Training stops early if
    the loss stops being finite (``model.diverged``). ``model.grad_norms`` records each
    update's norm before clipping."""
    ids, chars = encode_words(words, boundary)
    if not isinstance(config, CharRNNConfig):
        raise TypeError(f"config must be a CharRNNConfig, got {type(config).__name__}; "
                        "pass for example CharRNNConfig(units=64, epochs=30)")
    cfg = config
    V = len(chars)
    params = init_params(V, cfg.units, V, seed=cfg.seed, dtype="float64")
    if cfg.recurrent_radius is not None:
        params["W_hh"] = recurrent_matrix(cfg.units, cfg.recurrent_radius, seed=cfg.seed)
    memory = {k: np.zeros_like(v) for k, v in params.items()}  # Adagrad's sum of squared gradients
    model = CharRNN(params, chars, [], boundary, activation=cfg.activation)
    rng = np.random.default_rng(cfg.seed)
    index = {c: i for i, c in enumerate(chars)}
    word_ids = [np.array([index[c] for c in w + boundary], dtype=np.int64) for w in words]
    for _ in range(cfg.epochs):
        # a fresh word order each epoch: in a sorted list, neighbours share prefixes, and the
        # state carried across words would let the model learn the order instead of the names
        order = rng.permutation(len(word_ids))
        xs_all, ys_all = _batches(np.concatenate([word_ids[i] for i in order]), cfg.batch_size, cfg.seq_len)
        h = np.zeros((cfg.batch_size, cfg.units))
        for x_ids, y_ids in zip(xs_all, ys_all):
            with np.errstate(all="ignore"):
                loss, grads, h = loss_and_grads(params, one_hot(x_ids, V), y_ids, h0=h, activation=cfg.activation)
                norm = global_norm(grads)
            model.losses.append(loss)
            model.grad_norms.append(norm)
            if not (np.isfinite(loss) and np.isfinite(norm)):
                model.diverged = True
                return model
            _apply_update(params, grads, memory, cfg)
            if cfg.max_updates is not None and len(model.losses) >= cfg.max_updates:
                return model
    return model


def _apply_update(params: Params, grads: Params, memory: Params, cfg: CharRNNConfig) -> None:
    """One step in place: clip, then Adagrad (``memory``: its sum of squared gradients) or SGD."""
    if cfg.clip is not None:
        grads, _ = clip_by_global_norm(grads, cfg.clip)
    for k in params:
        if cfg.optimizer == "adagrad":
            memory[k] += grads[k] ** 2
            params[k] -= cfg.learning_rate * grads[k] / np.sqrt(memory[k] + 1e-8)
        else:
            params[k] -= cfg.learning_rate * grads[k]


def char_rnn_loss(model: CharRNN, words: Sequence[str]) -> float:
    """Mean cross-entropy (nats per character) of ``model`` on ``words``, each read from h_0 = 0
    after a boundary character (as sampling starts)."""
    if isinstance(words, str) or not isinstance(words, Sequence):
        raise TypeError("words must be a list of strings, e.g. load_names().validation, not one string")
    if not words:
        raise ValueError("words is empty; pass a non-empty list such as load_names().validation")
    if any(not isinstance(w, str) for w in words):
        raise TypeError("every word must be a string")
    index = model.char_to_id
    unknown = sorted({c for w in words for c in w} - set(index))
    if unknown:
        raise ValueError(f"characters {unknown} are not in the model's alphabet")
    total, count = 0.0, 0
    V = len(model.chars)
    for length in sorted({len(w) for w in words}):
        group = [w for w in words if len(w) == length]
        seq = np.array([[index[c] for c in model.boundary + w + model.boundary] for w in group])
        cache = rnn_forward(model.params, one_hot(seq[:, :-1], V), activation=model.activation)
        total += cross_entropy(cache.logits, seq[:, 1:]) * seq[:, 1:].size
        count += seq[:, 1:].size
    return total / count


def sample_char_rnn(model: CharRNN, n: int = 10, temperature: float = 1.0, seed: int = 0,
                    max_len: int = 20, prefix: str = "") -> list[str]:
    """Sample ``n`` words: start from h_0 = 0 and the boundary character, feed back each
    sampled character, stop at the boundary (or ``max_len`` characters)."""
    finite_number("temperature", temperature, low=0, low_open=True,
                  fix="1.0 samples the model's own distribution, lower values are more conservative")
    positive_int("n", n, "the number of words to sample")
    positive_int("max_len", max_len, "the most characters per word")
    if not isinstance(prefix, str):
        raise TypeError(f"prefix must be a string, got {type(prefix).__name__}")
    for k in PARAM_NAMES:
        finite_array(f"model.params[{k!r}]", model.params[k],
                     fix="the model diverged (see model.diverged); retrain it with clipping or a lower learning rate")
    index = model.char_to_id
    if any(c not in index for c in prefix):
        raise ValueError(f"prefix {prefix!r} has characters outside the alphabet {''.join(model.chars)!r}")
    rng = np.random.default_rng(seed)
    p = model.params
    V, H = len(model.chars), p["W_hh"].shape[0]
    out = []
    for _ in range(n):
        h = np.zeros(H)
        word = prefix
        feed = [index[model.boundary]] + [index[c] for c in prefix]
        for i in feed[:-1]:
            h = activate(p["W_hx"][:, i] + p["W_hh"] @ h + p["b_h"], model.activation)
        last = feed[-1]
        while len(word) < max_len:
            h = activate(p["W_hx"][:, last] + p["W_hh"] @ h + p["b_h"], model.activation)
            logits = (p["W_hy"] @ h + p["b_y"]) / temperature
            last = int(rng.choice(V, p=_softmax(logits)))  # params checked once above
            if model.chars[last] == model.boundary:
                break
            word += model.chars[last]
        out.append(word)
    return out
