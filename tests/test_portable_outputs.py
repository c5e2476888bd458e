"""Checked outputs hold on another numeric path, and the slow-machine path works end to end.

Trained numbers differ from one CPU to another even with every seed fixed: oneDNN and
OpenBLAS choose their floating-point kernels by instruction set (AVX-512, AVX2, ARM), so
training takes another path. ``make test`` must pass on every learner's machine, so a
``# NBVAL_CHECK_OUTPUT`` cell may only print what every CPU prints alike
(docs/AUTHORING.md). This test proves it on one machine: it executes every notebook a
second way, whose floating-point path differs from the one that stored the outputs:

- ``TF_ENABLE_ONEDNN_OPTS=0``: TensorFlow's own Eigen kernels instead of oneDNN, the
  path of TensorFlow builds without oneDNN (macOS, for one) and the path TensorFlow takes by
  default on an x86-64 CPU without AVX-512 (it turns oneDNN on only for CPUs with AVX-512
  VNNI, BF16 or AMX; measured on a 2-core AVX2-only AMD EPYC, below). That is why CI no longer
  runs ``make test-avx2`` (oneDNN held to its AVX2 kernels, a path no CPU takes by default):
  this run already puts every notebook on an AVX2 CPU's own path;
- ``OPENBLAS_CORETYPE=Haswell``: NumPy's OpenBLAS uses its AVX2 kernels, as on a CPU
  without AVX-512 (x86-64 only);
- ``NPY_DISABLE_CPU_FEATURES``: NumPy's own AVX-512 loops off, where this CPU has them.

Every checked cell must then print what the stored notebook printed, after the same
sanitizer that nbval uses (``tests/nbval_sanitize.cfg``, which masks only the measured
number of a ``course_utils.approx.within`` line).

Why with ``RECURRENT_PRETRAINED=1``: re-training every model on a second path would
cost as much again as the whole nbval run (10 minutes or more, 1.7x that on an AVX2
machine). The chapters with slow-machine weights load them instead, so this one run is
also the slow-machine test: each such notebook loads only weights of its chapter
(``weights/chNN_*``), a chapter and its optional deep dives (``notebooks/deep_dives/NNa_*``,
each run here as a notebook of its own) load, between them, exactly the weights the chapter
ships, and each still passes its own asserted thresholds. What trains live on the changed path: chapter 01's
NumPy RNN (OpenBLAS on other kernels), chapter 14's Keras minGRU language model and deep dive
14a's speed sweep (GRU, minGRU loop and scan), and appendix A1's distributed runs. The
tolerances of the ``within`` lines come from a full trained run on this path (numbers in
AUTHORING.md).

On a CPU whose own path this already is (x86-64 with AVX2 but no AVX-512, where TensorFlow leaves
oneDNN off: :func:`other_path_is_native`), a notebook without a fallback point would run the very
same code on the very same kernels as its nbval run in the same session, so it is skipped there
with that reason (chapters 00-02, 14, the capstone, A1 and the deep dives that load reference
models or train nothing): on such a CPU the second run only checks the slow-machine path.

Why not run nbval itself on this path, live, and drop this second run: measured back to back on
an AMD EPYC with AVX-512 (2026-11-30, both workers, notebooks only), every checked cell of all
16 notebooks held with live training on this path, but TensorFlow without oneDNN made the run
12.6% slower (475 s against 422 s; chapter 03's training cell 82 s against 50 s). That costs
more than the live runs of this test that such a change would save (chapters 00-02, 14 and A1,
about 135 s of worker time), so nbval keeps the default path, the one learners train on.
"""

from __future__ import annotations

import configparser
import functools
import os
import platform
import re
import sys
from pathlib import Path

import nbformat
import pytest

from course_kit import pretrained
from course_kit.runner import find_notebooks, notebook_id, output_dir, run_notebook

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = find_notebooks(ROOT / "notebooks", deep_dives=True)  # chapters, appendices, then the deep dives
FALLBACK_NOTEBOOKS = [p for p in NOTEBOOKS if pretrained.FALLBACK_CALL.search(p.read_text(encoding="utf-8"))]
CHECK_MARK = "NBVAL_CHECK_OUTPUT"
LOADED = re.compile(r"Loaded pre-trained weights (\w+)\.weights\.h5")


def other_numeric_path() -> dict[str, str]:
    """Environment variables that move TensorFlow and NumPy onto other kernels."""
    env = {"TF_ENABLE_ONEDNN_OPTS": "0"}
    if platform.machine().lower() in {"x86_64", "amd64"}:
        env["OPENBLAS_CORETYPE"] = "Haswell"
        from numpy._core._multiarray_umath import __cpu_dispatch__, __cpu_features__

        avx512 = [f for f in __cpu_dispatch__ if __cpu_features__.get(f) and (f == "X86_V4" or f.startswith("AVX512"))]
        if avx512:
            env["NPY_DISABLE_CPU_FEATURES"] = " ".join(avx512)
    return env


@functools.cache
def _tensorflow_turns_onednn_on() -> bool:
    """Whether TensorFlow, left to its default, runs oneDNN's operations on this CPU (it says so in
    an INFO line at import; it does so on x86-64 CPUs with AVX-512 VNNI, BF16 or AMX)."""
    import subprocess

    env = {k: v for k, v in os.environ.items() if k != "TF_ENABLE_ONEDNN_OPTS"} | {"TF_CPP_MIN_LOG_LEVEL": "0"}
    out = subprocess.run([sys.executable, "-c", "import tensorflow as tf; tf.constant(1.0) + 1.0"], env=env,
                         capture_output=True, text=True, timeout=300)
    return "oneDNN custom operations are on" in out.stderr


@functools.cache
def other_path_is_native() -> bool:
    """True where :func:`other_numeric_path` is the path this CPU takes anyway: an x86-64 CPU with
    AVX2 and FMA but no AVX-512 (NumPy has no AVX-512 loops to turn off, OpenBLAS already picks its
    Haswell kernels, as on Intel Haswell and later and AMD Zen) on which TensorFlow leaves oneDNN off
    by default. Measured on a 2-core AMD EPYC with AVX2 and FMA only (2026-12-02): training and a BLAS
    product bit-identical on both paths (``test_the_other_path_really_changes_the_numbers``)."""
    if platform.machine().lower() not in {"x86_64", "amd64"}:
        return False
    from numpy._core._multiarray_umath import __cpu_features__

    if not (__cpu_features__.get("AVX2") and __cpu_features__.get("FMA3")):
        return False
    return "NPY_DISABLE_CPU_FEATURES" not in other_numeric_path() and not _tensorflow_turns_onednn_on()


def _sanitizers() -> list[tuple[re.Pattern[str], str]]:
    cfg = configparser.ConfigParser(interpolation=None)
    cfg.read(ROOT / "tests" / "nbval_sanitize.cfg", encoding="utf-8")
    return [(re.compile(cfg[s]["regex"]), cfg[s]["replace"]) for s in cfg.sections()]


def checked_outputs(nb: nbformat.NotebookNode) -> list[tuple[int, str]]:
    """(code cell number as nbval counts it, sanitized text output) of every checked cell:
    stdout and ``text/plain`` results, the text that nbval compares."""
    subs = _sanitizers()
    rows = []
    code_cells = [c for c in nb.cells if c.cell_type == "code"]
    for n, cell in enumerate(code_cells):
        if not cell.source.lstrip().startswith("# " + CHECK_MARK):
            continue
        parts = []
        for out in cell.get("outputs", []):
            if out.get("output_type") == "stream" and out.get("name") == "stdout":
                parts.append(out.get("text", ""))
            elif "data" in out and "text/plain" in out["data"]:
                parts.append(out["data"]["text/plain"])
        text = "".join(parts)
        for pattern, replace in subs:
            text = pattern.sub(replace, text)
        rows.append((n, text))
    return rows


def _stream_text(nb: nbformat.NotebookNode) -> str:
    return "".join(out.get("text", "") for cell in nb.cells if cell.cell_type == "code"
                   for out in cell.get("outputs", []) if out.get("output_type") == "stream")


def chapter_of(path: Path) -> str:
    """The chapter a notebook belongs to: ``"10"`` for ``10_seq2seq`` and for the deep dive ``10a_...``."""
    return notebook_id(path)[:2]


def shipped_weights(chapter: str) -> set[str]:
    """The slow-machine weights that ``weights/`` ships for a chapter (``chNN_*``)."""
    return {w.name.removesuffix(".weights.h5") for w in pretrained.WEIGHTS_DIR.glob(f"ch{chapter}_*.weights.h5")}


def test_fallback_points_exist_where_training_takes_longest() -> None:
    names = sorted(chapter_of(p) for p in FALLBACK_NOTEBOOKS)  # in the chapter or in one of its deep dives
    assert {"03", "04", "05", "06", "07", "08", "09", "10", "11", "12", "13"} <= set(names), names


def test_every_shipped_weights_file_has_a_notebook_that_loads_it() -> None:
    """Each ``weights/chNN_*`` belongs to a chapter whose notebooks (it or its deep dives) have a
    fallback point; which files each loads is checked by the run below."""
    chapters = {chapter_of(p) for p in FALLBACK_NOTEBOOKS}
    orphans = sorted(w.name for w in pretrained.WEIGHTS_DIR.glob("ch*.weights.h5") if w.name[2:4] not in chapters)
    assert not orphans, f"weights/ ships files that no notebook loads: {orphans}"


def _loaded_records(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A folder that every test of this session (every pytest-xdist worker too) shares: each
    notebook run writes the weights it loaded there, so that the last of a chapter's notebooks
    to finish can compare the union with what the chapter ships."""
    base = tmp_path_factory.getbasetemp()
    if os.environ.get("PYTEST_XDIST_WORKER"):
        base = base.parent  # popen-gwN/ lies in the session's folder
    folder = base / "loaded_weights"
    folder.mkdir(exist_ok=True)
    return folder


def check_loaded_weights(path: Path, loaded: set[str], records: Path) -> None:
    """The slow-machine check of one fallback notebook's run: it loaded weights, only its chapter's;
    once every fallback notebook of the chapter (the chapter and its deep dives) has run, their
    union is exactly what weights/ ships for the chapter."""
    chapter = chapter_of(path)
    shipped = shipped_weights(chapter)
    assert loaded and loaded <= shipped, f"{path.name} loaded {sorted(loaded)}, weights/ ships {sorted(shipped)}"
    tmp = records / f".{path.stem}.tmp"
    tmp.write_text("\n".join(sorted(loaded)), encoding="utf-8")
    tmp.replace(records / f"{path.stem}.txt")  # whole, for a worker that reads it at once
    group = [p for p in FALLBACK_NOTEBOOKS if chapter_of(p) == chapter]
    runs = [records / f"{p.stem}.txt" for p in group]
    if all(r.is_file() for r in runs):  # the last to finish (or a chapter without deep dives) compares
        union = set().union(*(set(r.read_text(encoding="utf-8").split()) for r in runs))
        assert union == shipped, (f"{', '.join(p.name for p in group)} loaded {sorted(union)} between them, "
                                  f"weights/ ships {sorted(shipped)}")


def test_a_chapter_and_its_deep_dives_must_load_what_it_ships_between_them(tmp_path: Path,
                                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    shipped = sorted(shipped_weights("05"))
    assert len(shipped) >= 2
    chapter, dive = ROOT / "notebooks" / "05_lstm.ipynb", ROOT / "notebooks" / "deep_dives" / "05a_x.ipynb"
    monkeypatch.setattr(sys.modules[__name__], "FALLBACK_NOTEBOOKS", [chapter, dive])
    check_loaded_weights(chapter, set(shipped[:1]), tmp_path)  # the deep dive has not run yet: no verdict
    with pytest.raises(AssertionError, match="between them"):
        check_loaded_weights(dive, set(shipped[1:-1]) or {shipped[0]}, tmp_path)  # one file loaded by neither
    check_loaded_weights(dive, set(shipped[1:]), tmp_path)
    with pytest.raises(AssertionError, match="weights/ ships"):
        check_loaded_weights(dive, {"ch04_simplernn_lag5"}, tmp_path)  # another chapter's weights
    with pytest.raises(AssertionError, match="weights/ ships"):
        check_loaded_weights(dive, set(), tmp_path)


def test_sanitizer_masks_only_the_measured_number() -> None:
    line = "test perplexity = 5.913  [reference 5.88 ± 0.15: within]"
    (pattern, replace), = _sanitizers()
    assert pattern.sub(replace, line) == "test perplexity = <measured>  [reference 5.88 ± 0.15: within]"
    assert pattern.sub(replace, line.replace("within", "OUTSIDE")).endswith("OUTSIDE]")


@pytest.mark.parametrize("path", NOTEBOOKS, ids=notebook_id)
def test_checked_cells_hold_on_another_numeric_path(path: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                    tmp_path_factory: pytest.TempPathFactory,
                                                    request: pytest.FixtureRequest) -> None:
    nbval_runs_it = any(Path(str(item.path)) == path for item in request.session.items)
    if nbval_runs_it and path not in FALLBACK_NOTEBOOKS and other_path_is_native():
        pytest.skip("this CPU's own numeric path is the other one (no AVX-512, TensorFlow without oneDNN), and this "
                    "notebook has no fallback point, so nbval has already run the very same code on the very same "
                    "path in this session: a second run would check nothing new")
    for key, value in other_numeric_path().items():
        monkeypatch.setenv(key, value)  # inherited by the kernel
    monkeypatch.setenv(pretrained.USE_ENV, "1")
    monkeypatch.delenv(pretrained.SAVE_ENV, raising=False)
    row = run_notebook(path, tmp_path)
    assert row["ok"], f"{path.name} failed on the other numeric path (RECURRENT_PRETRAINED=1): {row['error']}"

    ran = nbformat.read(output_dir(path, tmp_path) / path.name, as_version=4)
    stored = nbformat.read(path, as_version=4)
    fresh, want = checked_outputs(ran), checked_outputs(stored)
    assert [n for n, _ in fresh] == [n for n, _ in want]
    differ = [f"cell {n}:\n--- stored\n{a}\n--- on the other path\n{b}" for (n, a), (_, b) in zip(want, fresh) if a != b]
    assert not differ, (f"{path.name}: checked cells print something that depends on the CPU; print a tolerance "
                        "check instead (docs/AUTHORING.md):\n" + "\n".join(differ))

    if path in FALLBACK_NOTEBOOKS:
        text = _stream_text(ran)
        assert "training instead" not in text, f"{path.name} names weights that weights/ lacks: run scripts/train_fallbacks.py"
        check_loaded_weights(path, set(LOADED.findall(text)), _loaded_records(tmp_path_factory))


PROBE = """
import numpy as np, keras
from course_utils.seed import set_seed
set_seed(0)
x = np.random.default_rng(0).integers(0, 76, size=(256, 100))   # a chapter-03-shaped character model
y = np.random.default_rng(1).integers(0, 76, size=(256, 100))
model = keras.Sequential([keras.Input((100,)), keras.layers.Embedding(76, 32),
                          keras.layers.SimpleRNN(256, return_sequences=True), keras.layers.Dense(76)])
model.compile(keras.optimizers.Adam(4e-3, clipnorm=1.0), keras.losses.SparseCategoricalCrossentropy(from_logits=True))
model.fit(x, y, epochs=1, batch_size=64, verbose=0, shuffle=False)
a = np.random.default_rng(2).normal(size=(300, 300))
print(repr(float(sum(float(np.abs(w).sum()) for w in model.get_weights()))), repr(float((a @ a).sum())))
"""


def _probe(env_extra: dict[str, str]) -> list[str]:
    """PROBE's two numbers (trained weights, a BLAS product) in a fresh process, on the default path
    plus ``env_extra``."""
    import subprocess

    env = {k: v for k, v in os.environ.items() if k not in other_numeric_path()} | env_extra
    return subprocess.run([sys.executable, "-c", PROBE], env=env, cwd=ROOT, capture_output=True,
                          text=True, check=True, timeout=300).stdout.split()


def test_the_other_path_really_changes_the_numbers() -> None:
    """Without this, the test above could pass on a path that is the default in disguise:
    the same seeded training and BLAS product must come out different in the last bits."""
    if platform.machine().lower() not in {"x86_64", "amd64"}:
        pytest.skip("the other path is defined for x86-64 (oneDNN and OpenBLAS kernels by instruction set); "
                    "on this CPU the native path already differs from the x86-64 machine that stored the outputs")
    if other_path_is_native():
        pytest.skip("this CPU has no AVX-512 and TensorFlow turns no oneDNN operations on here: the other path is "
                    "this machine's own (test_the_native_path_is_the_other_one checks that), and it already differs "
                    "from the AVX-512 machine that stored the outputs (make test-avx2 skips here for the same reason)")
    avx512 = "NPY_DISABLE_CPU_FEATURES" in other_numeric_path()
    if not avx512 and not _tensorflow_turns_onednn_on():
        pytest.skip("this CPU has neither AVX-512 nor AVX2 with FMA, and TensorFlow leaves oneDNN off here: nothing "
                    "that this test could expect to change")
    default, other = _probe({}), _probe(other_numeric_path())
    assert default[0] != other[0], f"oneDNN off gave bit-identical training: {default} vs {other}"
    if avx512:  # OpenBLAS's own kernels here are not Haswell's
        assert default[1] != other[1], f"OpenBLAS's Haswell kernels gave a bit-identical product: {default} vs {other}"


def test_the_native_path_is_the_other_one() -> None:
    """The premise of skipping a notebook without a fallback point on the other path: where
    :func:`other_path_is_native` says so, training and a BLAS product are bit-identical on both."""
    if not other_path_is_native():
        pytest.skip("this CPU's own path differs from the other one (test_the_other_path_really_changes_the_numbers "
                    "checks that), so every notebook runs on the other path")
    default, other = _probe({}), _probe(other_numeric_path())
    assert default == other, (f"other_path_is_native() holds, yet the other path changed the numbers: {default} vs "
                              f"{other}; tell it what differs on this CPU, so that no notebook is skipped here")
