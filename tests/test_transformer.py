"""course_utils.transformer and course_utils.convolution: NumPy attention against
keras.layers.MultiHeadAttention, causality, masking, shapes, the KV-cache step, the builders,
serialization, and bad input."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

keras = pytest.importorskip("keras")

from course_utils import transformer as tr  # noqa: E402
from course_utils.convolution import build_conv_classifier, build_conv_lm, receptive_field  # noqa: E402
from course_utils.seed import set_seed  # noqa: E402

FAST = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
TF = settings(max_examples=10, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def _mha(d_model: int = 8, heads: int = 2, seed: int = 0) -> tuple[object, dict[str, np.ndarray], np.ndarray]:
    set_seed(seed)
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(2, 5, d_model)).astype("float32")
    layer = keras.layers.MultiHeadAttention(num_heads=heads, key_dim=d_model // heads)
    layer(x, x)
    # random biases too, so that a bias bug cannot hide behind Keras's zero initialisation
    layer.set_weights([rng.normal(size=w.shape).astype("float32") for w in layer.get_weights()])
    return layer, tr.mha_weights(layer), x


# --------------------------------------------------------------------------- NumPy pieces
def test_causal_mask_is_lower_triangular() -> None:
    m = tr.causal_mask(4)
    assert m.dtype == bool and m.shape == (4, 4)
    assert np.array_equal(m, np.tril(np.ones((4, 4), bool)))
    with pytest.raises(ValueError, match="length must be a positive int"):
        tr.causal_mask(0)


def test_sinusoidal_positions_match_the_formula() -> None:
    pe = tr.sinusoidal_positions(50, 8)
    p, i = 7, 2
    assert pe.shape == (50, 8) and pe.dtype == np.float32
    assert pe[p, 2 * i] == pytest.approx(np.sin(p / 10000 ** (2 * i / 8)), abs=1e-6)
    assert pe[p, 2 * i + 1] == pytest.approx(np.cos(p / 10000 ** (2 * i / 8)), abs=1e-6)
    assert np.abs(pe).max() <= 1.0
    with pytest.raises(ValueError, match="d_model must be even"):
        tr.sinusoidal_positions(10, 7)


def test_scaled_dot_product_attention_by_hand() -> None:
    q = np.array([[1.0, 0.0]])
    k = np.array([[1.0, 0.0], [0.0, 1.0]])
    v = np.array([[10.0], [20.0]])
    out, w = tr.scaled_dot_product_attention(q, k, v)
    e = np.exp(np.array([1.0, 0.0]) / np.sqrt(2))
    assert np.allclose(w, e / e.sum())
    assert np.allclose(out, (e / e.sum()) @ v)
    out, w = tr.scaled_dot_product_attention(q, k, v, mask=np.array([[False, True]]))
    assert np.allclose(w, [[0.0, 1.0]]) and np.allclose(out, [[20.0]])


@pytest.mark.parametrize("bad, match", [
    (dict(query=np.ones((2, 3)), key=np.ones((4, 5)), value=np.ones((4, 1))), "same last size d_k"),
    (dict(query=np.ones((2, 3)), key=np.ones((4, 3)), value=np.ones((5, 1))), "same number of positions"),
    (dict(query=np.ones(3), key=np.ones((4, 3)), value=np.ones((4, 1))), "at least 2 axes"),
    (dict(query=np.full((2, 3), np.nan), key=np.ones((4, 3)), value=np.ones((4, 1))), "NaN or infinite"),
])
def test_attention_rejects_bad_shapes_and_values(bad: dict, match: str) -> None:
    with pytest.raises(ValueError, match=match):
        tr.scaled_dot_product_attention(**bad)


def test_attention_rejects_bad_masks() -> None:
    q = np.ones((2, 3))
    with pytest.raises(TypeError, match="mask must be boolean"):
        tr.scaled_dot_product_attention(q, q, q, mask=np.ones((2, 2)))
    with pytest.raises(ValueError, match="does not fit the scores"):
        tr.scaled_dot_product_attention(q, q, q, mask=np.ones((3, 3), bool))


# --------------------------------------------------------------------------- against Keras
@pytest.mark.parametrize("heads", [1, 2, 4])
def test_numpy_multi_head_attention_equals_keras(heads: int) -> None:
    layer, w, x = _mha(8, heads)
    assert w["query_kernel"].shape == (8, heads, 8 // heads) and w["output_kernel"].shape == (heads, 8 // heads, 8)
    ours, att = tr.multi_head_attention(x, x, w)
    assert np.abs(ours - layer(x, x).numpy()).max() < 1e-4
    assert att.shape == (2, heads, 5, 5) and np.allclose(att.sum(-1), 1)
    ours, _ = tr.multi_head_attention(x, x, w, causal=True)
    assert np.abs(ours - layer(x, x, use_causal_mask=True).numpy()).max() < 1e-4


def test_numpy_multi_head_attention_equals_keras_with_padding_and_cross_attention() -> None:
    layer, w, x = _mha()
    real = np.array([[True, True, True, False, False], [True] * 5])
    keras_out = layer(x, x, attention_mask=real[:, None, :] & np.ones((2, 5, 1), bool)).numpy()
    ours, att = tr.multi_head_attention(x, x, w, mask=real)
    assert np.abs(ours - keras_out).max() < 1e-4
    assert att[0, :, :, 3:].max() < 1e-12
    y = np.random.default_rng(1).normal(size=(2, 3, 8)).astype("float32")  # 3 queries, 5 keys
    ours, att = tr.multi_head_attention(y, x, w)
    assert ours.shape == (2, 3, 8) and np.abs(ours - layer(y, x).numpy()).max() < 1e-4


def test_multi_head_attention_rejects_bad_input() -> None:
    layer, w, x = _mha()
    with pytest.raises(ValueError, match="weights must be a dict"):
        tr.multi_head_attention(x, x, {"query_kernel": w["query_kernel"]})
    with pytest.raises(ValueError, match="mask must be"):
        tr.multi_head_attention(x, x, w, mask=np.ones((2, 4), bool))
    with pytest.raises(ValueError, match="causal attention needs as many queries as keys"):
        tr.multi_head_attention(x[:, :3], x, w, causal=True)
    with pytest.raises(ValueError, match=r"\(batch, time, d_model\)"):
        tr.multi_head_attention(x[0], x[0], w)
    with pytest.raises(TypeError, match="MultiHeadAttention"):
        tr.mha_weights(keras.layers.Dense(3))
    with pytest.raises(ValueError, match="no weights yet"):
        tr.mha_weights(keras.layers.MultiHeadAttention(2, 4))


def test_attention_step_with_a_kv_cache_equals_causal_attention() -> None:
    layer, w, x = _mha()
    full, _ = tr.multi_head_attention(x, x, w, causal=True)
    heads, dk = w["key_kernel"].shape[1:]
    k_cache, v_cache = np.zeros((heads, 5, dk)), np.zeros((heads, 5, dk))
    steps = np.stack([tr.attention_step(x[0, t].astype("float64"), w, k_cache, v_cache, t) for t in range(5)])
    assert np.allclose(steps, full[0], atol=1e-9)


def test_gru_step_equals_keras_gru() -> None:
    set_seed(0)
    x = np.random.default_rng(0).normal(size=(1, 6, 4)).astype("float32")
    gru = keras.layers.GRU(5)
    want = gru(x).numpy()[0]
    kernel, recurrent, bias = (v.numpy() for v in gru.weights)
    h = np.zeros(5, "float32")
    for t in range(6):
        h = tr.gru_step(x[0, t], h, kernel, recurrent, bias)
    assert np.abs(h - want).max() < 1e-5


def test_cache_and_state_bytes() -> None:
    assert tr.kv_cache_bytes(1024, 12, 768) == 2 * 12 * 1024 * 768 * 4
    assert tr.kv_cache_bytes(10, 1, 8, bytes_per_value=2) == 320
    assert tr.rnn_state_bytes(64) == 256
    assert tr.rnn_state_bytes(64, num_layers=2, states_per_layer=2) == 1024
    with pytest.raises(ValueError, match="context_length must be a positive int"):
        tr.kv_cache_bytes(0, 1, 8)
    with pytest.raises(ValueError, match="units must be a positive int"):
        tr.rnn_state_bytes(-1)


def test_generation_cost_table_shape_and_bytes() -> None:
    table = tr.generation_cost_table([4, 8], width=16, num_heads=2, repeats=3)
    assert list(table["context"]) == [4, 8]
    assert list(table["KV cache (bytes)"]) == [2 * 4 * 16 * 4, 2 * 8 * 16 * 4]
    assert set(table["GRU state (bytes)"]) == {64}
    assert (table[["GRU step (µs)", "attention step (µs)"]] > 0).all().all()
    with pytest.raises(ValueError, match="multiple of num_heads"):
        tr.generation_cost_table([4], width=10, num_heads=4)
    with pytest.raises(ValueError, match="context_lengths is empty"):
        tr.generation_cost_table([])
    fig, ax = tr.plot_generation_cost(table, ("GRU step (µs)", "attention step (µs)"))
    assert ax.figure is fig
    with pytest.raises(ValueError, match="missing"):
        tr.plot_generation_cost(table, ("GRU step (µs)", "nope"))


# --------------------------------------------------------------------------- Keras layers and models
def test_transformer_block_shapes_config_and_errors() -> None:
    block = tr.TransformerBlock(8, 2, 16, causal=True, name="b")
    x = np.random.default_rng(0).normal(size=(3, 7, 8)).astype("float32")
    assert block(x).shape == (3, 7, 8)
    clone = tr.TransformerBlock.from_config(block.get_config())
    assert (clone.d_model, clone.num_heads, clone.ff_dim, clone.causal) == (8, 2, 16, True)
    with pytest.raises(ValueError, match="multiple of num_heads"):
        tr.TransformerBlock(10, 4, 16)
    with pytest.raises(ValueError, match="ff_dim must be a positive int"):
        tr.TransformerBlock(8, 2, 0)
    with pytest.raises(ValueError, match=r"needs inputs \(batch, T, 8\)"):
        tr.TransformerBlock(8, 2, 16)(np.zeros((1, 3, 6), "float32"))


def test_position_encoding_layer_adds_the_table() -> None:
    layer = tr.SinusoidalPositionEncoding(max_length=20)
    x = np.zeros((2, 5, 6), "float32")
    assert np.allclose(layer(x).numpy(), tr.sinusoidal_positions(20, 6)[None, :5])
    with pytest.raises(ValueError, match="exceeds max_length"):
        layer(np.zeros((1, 21, 6), "float32"))


@pytest.mark.parametrize("build", [
    lambda: tr.build_transformer_lm(11, d_model=8, num_heads=2, ff_dim=16, num_blocks=2),
    lambda: build_conv_lm(11, filters=6, kernel_size=3, dilations=(1, 2, 4), embed_dim=4),
], ids=["transformer", "dilated-cnn"])
def test_language_models_never_see_the_future(build) -> None:
    set_seed(0)
    model = build()
    rng = np.random.default_rng(0)
    a = rng.integers(0, 11, size=(2, 20))
    for t in (0, 7, 18):
        b = a.copy()
        b[:, t + 1:] = rng.integers(0, 11, size=b[:, t + 1:].shape)
        out_a, out_b = model(a).numpy(), model(b).numpy()
        assert out_a.shape == (2, 20, 11)
        assert np.allclose(out_a[:, : t + 1], out_b[:, : t + 1], atol=1e-5), f"position <= {t} saw the future"
        assert not np.allclose(out_a[:, t + 1:], out_b[:, t + 1:], atol=1e-4)
    assert model.loss is not None and model.optimizer is not None  # builders compile


def test_conv_receptive_field_is_what_the_model_sees() -> None:
    set_seed(0)
    model = build_conv_lm(11, filters=4, kernel_size=3, dilations=(1, 2, 4), embed_dim=4)
    field = receptive_field(3, (1, 2, 4))
    assert field == 15
    rng = np.random.default_rng(1)
    a = rng.integers(0, 11, size=(1, 40))
    b = a.copy()
    b[0, : 39 - field + 1] = (b[0, : 39 - field + 1] + 1) % 11  # change everything outside the last window
    assert np.allclose(model(a).numpy()[0, -1], model(b).numpy()[0, -1], atol=1e-6)
    with pytest.raises(ValueError, match="dilations must be a non-empty list"):
        receptive_field(3, [])
    with pytest.raises(ValueError, match="each dilation must be a positive int"):
        receptive_field(3, [1, 0])


def test_transformer_classifier_ignores_padding() -> None:
    set_seed(0)
    model = tr.build_transformer_classifier(30, d_model=8, num_heads=2, ff_dim=16)
    short = np.array([[5, 6, 7]])
    padded = np.array([[5, 6, 7, 0, 0, 0, 0]])
    p_short, p_padded = model(short).numpy(), model(padded).numpy()
    assert p_short.shape == (1, 1) and 0 < p_short[0, 0] < 1
    assert np.allclose(p_short, p_padded, atol=1e-6)
    assert model.loss == "binary_crossentropy"


def test_conv_classifier_is_trained_end_to_end() -> None:
    set_seed(0)
    model = build_conv_classifier(30, embed_dim=4, filters=3, kernel_size=2)
    assert isinstance(model.layers[-1], keras.layers.Dense) and model.layers[-1].activation.__name__ == "sigmoid"
    x, y = np.random.default_rng(0).integers(0, 30, size=(8, 6)), np.array([0, 1] * 4, "float32")
    before = model.get_layer("conv1").kernel.numpy().copy()
    model.train_on_batch(x, y)
    assert not np.allclose(before, model.get_layer("conv1").kernel.numpy())


def test_models_save_and_load(tmp_path) -> None:
    set_seed(0)
    model = tr.build_transformer_lm(9, d_model=8, num_heads=2, ff_dim=8, num_blocks=1, seq_len=6)
    x = np.random.default_rng(0).integers(0, 9, size=(2, 6))
    path = tmp_path / "lm.keras"
    model.save(path)
    loaded = keras.models.load_model(path)
    assert np.allclose(model(x).numpy(), loaded(x).numpy(), atol=1e-6)


@pytest.mark.parametrize("call, match", [
    (lambda: tr.build_transformer_lm(1), "vocab_size must be an int >= 2"),
    (lambda: tr.build_transformer_lm(10, d_model=7, num_heads=1), "d_model must be even"),
    (lambda: tr.build_transformer_classifier(10, d_model=8, num_heads=3), "multiple of num_heads"),
    (lambda: tr.build_transformer_classifier(10, learning_rate=0), "learning_rate must be a finite number > 0"),
    (lambda: tr.build_transformer_classifier(0), "vocab_size must be a positive int"),
    (lambda: build_conv_lm(10, dilations=(1, -2)), "each dilation must be a positive int"),
    (lambda: build_conv_classifier(0), "vocab_size must be a positive int"),
])
def test_builders_reject_bad_settings(call, match: str) -> None:
    with pytest.raises(ValueError, match=match):
        call()


def test_the_package_is_the_public_address_of_its_code() -> None:
    """Chapter 13 prints this code with show_source, under the address it is imported from."""
    from course_utils.source_code import source_of

    for obj, where in [(tr.causal_mask, "causal_mask"), (tr.attention_step, "attention_step"),
                       (tr.TransformerBlock.call, "TransformerBlock.call")]:
        assert source_of(obj).startswith(f"# course_utils.transformer.{where}\n")
    assert "def call(self, x" in source_of(tr.TransformerBlock.call)
    assert source_of(tr.TransformerBlock).startswith("# course_utils.transformer.TransformerBlock\n")


def test_tokens_per_second_counts_full_batches() -> None:
    set_seed(0)
    model = build_conv_classifier(30, embed_dim=4, filters=3, kernel_size=2)
    assert tr.tokens_per_second(model, np.ones((10, 5), "int32"), batch_size=4, repeats=1) > 0
    with pytest.raises(ValueError, match=r"\(n, T\) integer array"):
        tr.tokens_per_second(model, np.ones(5))


# --------------------------------------------------------------------------- properties
@FAST
@given(st.integers(1, 6), st.integers(1, 6), st.integers(1, 5), st.integers(0, 10_000))
def test_attention_weights_are_distributions_and_masked_keys_get_none(T: int, S: int, d: int, seed: int) -> None:
    rng = np.random.default_rng(seed)
    q, k, v = rng.normal(size=(T, d)) * 3, rng.normal(size=(S, d)) * 3, rng.normal(size=(S, 2))
    mask = rng.random((T, S)) < 0.6
    mask[:, rng.integers(0, S)] = True  # at least one key per query
    out, w = tr.scaled_dot_product_attention(q, k, v, mask)
    assert out.shape == (T, 2) and w.shape == (T, S)
    assert np.allclose(w.sum(-1), 1) and (w >= 0).all()
    assert w[~mask].max(initial=0.0) < 1e-12
    # each output is a weighted average of the values: inside their range
    assert (out >= v.min(0) - 1e-9).all() and (out <= v.max(0) + 1e-9).all()


@FAST
@given(st.integers(1, 8), st.integers(0, 10_000))
def test_causal_attention_outputs_do_not_depend_on_the_future(T: int, seed: int) -> None:
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(T, 4))
    t = int(rng.integers(0, T))
    y = x.copy()
    y[t + 1:] = rng.normal(size=y[t + 1:].shape)
    a, _ = tr.scaled_dot_product_attention(x, x, x, tr.causal_mask(T))
    b, _ = tr.scaled_dot_product_attention(y, y, y, tr.causal_mask(T))
    assert np.allclose(a[: t + 1], b[: t + 1])


@FAST
@given(st.integers(1, 200), st.sampled_from([2, 4, 8, 16]))
def test_positional_encodings_are_bounded_and_distinct(length: int, d_model: int) -> None:
    pe = tr.sinusoidal_positions(length, d_model)
    assert pe.shape == (length, d_model) and np.abs(pe).max() <= 1.0
    assert np.allclose(pe[:, 1::2] ** 2 + pe[:, 0::2] ** 2, 1.0, atol=1e-5)  # sin^2 + cos^2 per frequency
    if length > 1:
        assert len({row.tobytes() for row in pe}) == length  # every position gets its own vector


@FAST
@given(st.integers(1, 6), st.lists(st.integers(1, 16), min_size=1, max_size=5))
def test_receptive_field_formula(kernel_size: int, dilations: list[int]) -> None:
    assert receptive_field(kernel_size, dilations) == 1 + (kernel_size - 1) * sum(dilations)
    assert receptive_field(kernel_size, dilations) >= 1


@TF
@given(st.integers(2, 6), st.integers(0, 1000))
def test_multi_head_attention_matches_keras_on_random_sizes(T: int, seed: int) -> None:
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(1, T, 4)).astype("float32")
    layer = keras.layers.MultiHeadAttention(num_heads=2, key_dim=2)
    layer(x, x)
    layer.set_weights([rng.normal(size=w.shape).astype("float32") for w in layer.get_weights()])
    ours, _ = tr.multi_head_attention(x, x, tr.mha_weights(layer), causal=True)
    assert np.abs(ours - layer(x, x, use_causal_mask=True).numpy()).max() < 1e-4
