"""One seeding helper makes runs repeatable."""

from __future__ import annotations

import subprocess
import sys

import numpy as np
import pytest

from course_utils.seed import set_seed

TRAIN_TINY_GRU = """
import numpy as np, keras
from course_utils.seed import set_seed
set_seed(7)
x = np.random.rand(64, 5, 3).astype("float32"); y = np.random.rand(64, 1).astype("float32")
model = keras.Sequential([keras.Input((5, 3)), keras.layers.GRU(4, dropout=0.1), keras.layers.Dense(1)])
model.compile("adam", "mse")
model.fit(x, y, epochs=2, batch_size=16, verbose=0)
print(repr(float(np.sum([np.sum(w) for w in model.get_weights()]))))
"""


def test_same_seed_same_numbers() -> None:
    import keras

    set_seed(3)
    a = (np.random.rand(3), keras.random.normal((3,)).numpy())
    set_seed(3)
    b = (np.random.rand(3), keras.random.normal((3,)).numpy())
    np.testing.assert_array_equal(a[0], b[0])
    np.testing.assert_array_equal(a[1], b[1])


def test_training_is_bit_identical_across_processes() -> None:
    runs = [subprocess.run([sys.executable, "-c", TRAIN_TINY_GRU], capture_output=True, text=True, check=True).stdout.strip()
            for _ in range(2)]
    assert runs[0] == runs[1]


@pytest.mark.parametrize("bad", [-1, 2**32, 1.5, "1", True])
def test_bad_seed_is_rejected(bad) -> None:
    with pytest.raises(ValueError, match="seed must be an int"):
        set_seed(bad)
