"""One seeding helper, used by every notebook and test."""

from __future__ import annotations

import os
import random

from .validate import int_in_range

DEFAULT_SEED = 1234


def set_seed(seed: int = DEFAULT_SEED, deterministic_ops: bool = True) -> int:
    """Seed Python, NumPy, TensorFlow and Keras, and (by default) make TF ops deterministic.

    With ``deterministic_ops=True``, training the same model twice gives bit-identical
    weights on the same machine (measured for SimpleRNN, LSTM and GRU with dropout).
    On another Keras backend (``KERAS_BACKEND=jax``, used only for reference training on
    a GPU) TensorFlow is not needed: Python, NumPy and Keras are seeded.
    Returns the seed, so a notebook can print it.
    """
    int_in_range("seed", seed, 0, high=2**32 - 1, numpy_ints=False)
    import keras
    import numpy as np

    os.environ["PYTHONHASHSEED"] = str(seed)  # affects subprocesses only
    random.seed(seed)
    np.random.seed(seed)
    keras.utils.set_random_seed(seed)  # also seeds tf.random
    if deterministic_ops and keras.backend.backend() == "tensorflow":
        import tensorflow as tf

        tf.config.experimental.enable_op_determinism()
    return seed
