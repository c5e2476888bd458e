"""course_utils.text_classification: the bag-of-words baseline, the RNN classifier, error listing."""

from __future__ import annotations

import numpy as np
import pytest

from course_utils import text_classification as sentiment
TEXTS = ["good tea", "great good coffee", "bad tea", "awful bad coffee", "good", "bad", "great", "awful"] * 5
LABELS = np.array([1, 1, 0, 0, 1, 0, 1, 0] * 5)


def test_bag_of_words_baseline_learns_and_ignores_order() -> None:
    model = sentiment.BagOfWordsLogisticRegression(max_tokens=50, l2=1e-3).fit(TEXTS, LABELS)
    p = model.predict_proba(["great tea", "awful tea", "tea great"])
    assert p[0] > 0.5 > p[1]
    assert p[0] == pytest.approx(p[2])  # a bag of words cannot see order
    assert model.n_params == model.vocab_size + 1
    top = model.top_words(2)
    assert {w for w, _ in top["positive"]} <= {"good", "great"}


@pytest.mark.parametrize("call, message", [
    (lambda: sentiment.BagOfWordsLogisticRegression(max_tokens=1), "max_tokens must be an int >= 3"),
    (lambda: sentiment.BagOfWordsLogisticRegression(l2=-1), "l2 must be a finite number >= 0"),
    (lambda: sentiment.BagOfWordsLogisticRegression().fit("one text", [1]), "wrap a single sentence in a list"),
    (lambda: sentiment.BagOfWordsLogisticRegression().fit(["a", "b"], [1]), r"labels must have shape \(2,\)"),
    (lambda: sentiment.BagOfWordsLogisticRegression().fit(["a", "b"], [1, 2]), "labels must be 0 or 1"),
    (lambda: sentiment.build_text_classifier(100, cell="rnn"), "cell must be one of 'simple', 'lstm', 'gru'"),
    (lambda: sentiment.build_text_classifier(0), "vocab_size must be a positive int"),
    (lambda: sentiment.most_confident_errors(["a"], [1], [0.2], k=0), "k must be a positive int"),
    (lambda: sentiment.most_confident_errors(["a", "b"], [1, 0], [0.2], k=1), r"probabilities must have shape \(2,\)"),
])
def test_bad_arguments_get_clear_errors(call, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        call()


def test_predict_before_fit_is_explained() -> None:
    with pytest.raises(RuntimeError, match="call fit"):
        sentiment.BagOfWordsLogisticRegression().predict_proba(["x"])


def test_text_classifier_shapes_and_masking() -> None:
    import keras

    keras.utils.set_random_seed(0)
    uni = sentiment.build_text_classifier(50, embed_dim=4, units=3, cell="gru")
    bi = sentiment.build_text_classifier(50, embed_dim=4, units=3, cell="gru", bidirectional=True)
    assert bi.count_params() > uni.count_params()
    ids = np.array([[5, 7, 9, 0, 0, 0], [5, 7, 9, 0, 0, 0]], dtype="int32")
    short = np.array([[5, 7, 9]], dtype="int32")
    out = uni.predict(ids, verbose=0)
    assert out.shape == (2, 1)
    np.testing.assert_allclose(out[0], uni.predict(short, verbose=0)[0], atol=1e-6)  # padding is masked


def test_most_confident_errors_orders_by_confidence_in_the_wrong_class() -> None:
    texts = ["a", "b", "c", "d", "e"]
    table = sentiment.most_confident_errors(texts, [1, 0, 1, 0, 1], [0.4, 0.9, 0.05, 0.3, 0.99], k=5)
    assert list(table["text"]) == ["c", "b", "a"]
    assert list(table["confidence"]) == [0.95, 0.9, 0.6]


def test_builders_return_compiled_models() -> None:
    """The builder convention (docs/AUTHORING.md): a build_* function returns a model ready for fit."""
    from course_utils.time_series import build_rnn_forecaster

    classifier = sentiment.build_text_classifier(50, embed_dim=4, units=4)
    forecaster = build_rnn_forecaster(5, 2, horizon=1, units=4)
    assert classifier.compiled and forecaster.compiled
    assert float(classifier.optimizer.learning_rate) == pytest.approx(2e-3)
    assert float(forecaster.optimizer.learning_rate) == pytest.approx(3e-3)


def test_position_influence_is_zero_at_padding_and_matches_a_finite_difference() -> None:
    import keras

    keras.utils.set_random_seed(0)
    model = sentiment.build_text_classifier(20, embed_dim=4, units=3)
    ids = np.array([[5, 6, 7, 0, 0], [1, 2, 3, 4, 9]])
    influence = sentiment.position_influence(model, ids)
    assert influence.shape == (2, 5) and influence.dtype == np.float32
    assert (influence[0, 3:] == 0).all() and (influence[:, :3] > 0).all()
    # check one entry against the logit's change when token (1, 2)'s embedding moves along its gradient direction
    import tensorflow as tf

    emb = np.asarray(model.get_layer("embedding")(ids))
    rnn, dense = model.layers[-2], model.layers[-1]

    def logit(e: np.ndarray) -> float:
        state = rnn(tf.constant(e), mask=tf.constant(ids != 0))
        return float((tf.matmul(state, dense.kernel) + dense.bias)[1, 0])

    eps = 1e-3
    best = 0.0
    for d in np.eye(4):  # the gradient norm bounds every directional derivative
        plus, minus = emb.copy(), emb.copy()
        plus[1, 2] += eps * d
        minus[1, 2] -= eps * d
        best = max(best, abs(logit(plus) - logit(minus)) / (2 * eps))
    assert best <= influence[1, 2] * 1.01 and best >= influence[1, 2] / 2.0
    with pytest.raises(ValueError, match=r"\(batch, T\)"):
        sentiment.position_influence(model, np.array([1, 2, 3]))
