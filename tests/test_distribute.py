"""The launcher of appendix A1: TF_CONFIG and its errors, then real runs on this machine, and its command line.

The runs start real worker processes (two for the multi-worker cluster), so they are kept
small: 3 epochs of 8 steps on 25,000 characters. Each must stop by itself within its timeout
and leave no process behind.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import psutil
import pytest

from course_utils import distribute as d

SMALL = {"epochs": 3, "train_chars": 25_000, "eval_chars": 5_000, "units": 32, "global_batch": 64}
RUN_TIMEOUT_S = 90
ROOT = Path(__file__).resolve().parents[1]
LOSS_TOL = 1e-3  # nats/char; measured differences are about 1e-6 (summation order of the all-reduce)


# --------------------------------------------------------------------------- TF_CONFIG and the cluster
def test_tf_config_gives_every_worker_the_same_cluster_and_its_own_index() -> None:
    cluster = d.local_cluster(2, ports=[12345, 12346])
    assert cluster == {"worker": ["localhost:12345", "localhost:12346"]}
    configs = [json.loads(d.tf_config(cluster, i)) for i in range(2)]
    assert configs[0] == {"cluster": cluster, "task": {"type": "worker", "index": 0}}
    assert configs[1]["cluster"] == configs[0]["cluster"] and configs[1]["task"]["index"] == 1


def test_free_ports_are_distinct_and_usable() -> None:
    ports = d.free_ports(3)
    assert len(set(ports)) == 3 and all(1 <= p <= 65535 for p in ports)
    assert len(set(d.local_cluster(3)["worker"])) == 3


@pytest.mark.parametrize(("workers", "words"), [
    (1, ["at least 2 workers", "strategy='one'"]),
    (0, ["at least 2 workers"]),
    (d.MAX_LOCAL_WORKERS + 1, ["MAX_LOCAL_WORKERS", "one worker per host"]),
    ("2", ["must be an int"]),
    (True, ["must be an int"]),
])
def test_bad_worker_counts_say_what_to_do(workers: object, words: list[str]) -> None:
    with pytest.raises(ValueError) as err:
        d.local_cluster(workers, ports=None)  # type: ignore[arg-type]
    for w in words:
        assert w in str(err.value)


@pytest.mark.parametrize(("kwargs", "words"), [
    ({"workers": 2, "ports": [1234]}, ["2 workers need 2 ports", "ports=None"]),
    ({"workers": 2, "ports": [1234, 1234]}, ["distinct", "ports=None"]),
    ({"workers": 2, "ports": [0, 1234]}, ["port must be an int in [1, 65535]"]),
])
def test_bad_ports_say_what_to_do(kwargs: dict, words: list[str]) -> None:
    with pytest.raises(ValueError) as err:
        d.local_cluster(**kwargs)
    for w in words:
        assert w in str(err.value)


@pytest.mark.parametrize(("cluster", "index", "task_type", "words"), [
    ({"worker": ["localhost:1", "localhost:2"]}, 2, "worker", ["index must be an int in [0, 1]"]),
    ({"worker": ["localhost:1", "localhost:2"]}, -1, "worker", ["index must be an int in [0, 1]"]),
    ({"worker": ["localhost:1"]}, 0, "chief", ["task_type 'chief' is not in the cluster", "['worker']"]),
    ({"worker": ["localhost"]}, 0, "worker", ["not a 'host:port' address"]),
    ({"worker": ["localhost:1", "localhost:1"]}, 0, "worker", ["address twice"]),
    ({"worker": []}, 0, "worker", ["non-empty list"]),
    ({}, 0, "worker", ["local_cluster(workers)"]),
])
def test_bad_tf_config_arguments_say_what_was_wrong(cluster: dict, index: int, task_type: str, words: list[str]) -> None:
    with pytest.raises(ValueError) as err:
        d.tf_config(cluster, index, task_type)
    for w in words:
        assert w in str(err.value)


@pytest.mark.parametrize(("kwargs", "words"), [
    ({"strategy": "horovod"}, ["strategy must be one of"]),
    ({"strategy": "one", "replicas": 2}, ["one device", "strategy='mirrored'"]),
    ({"strategy": "multi_worker", "replicas": 1}, ["at least 2 workers"]),
    ({"strategy": "mirrored", "replicas": 3, "global_batch": 64}, ["does not split evenly over 3 replicas", "e.g. 63"]),
    ({"strategy": "mirrored", "replicas": 0}, ["replicas must be an int >= 1"]),
    ({"strategy": "mirrored", "replicas": 2, "fail_worker": 0}, ["give both fail_worker and fail_epoch"]),
    ({"strategy": "multi_worker", "replicas": 2, "fail_worker": 2, "fail_epoch": 0}, ["fail_worker must be an int in [0, 1]"]),
    ({"strategy": "one", "train_chars": 1000}, ["fewer than one global batch"]),
    ({"cell": "Transformer"}, ["cell must be one of"]),
    ({"cell": "SimpleRNN"}, ["cell must be one of 'simple', 'lstm', 'gru'", "is called 'simple'"]),
])
def test_bad_run_configs_say_how_to_fix_them(kwargs: dict, words: list[str]) -> None:
    with pytest.raises(ValueError) as err:
        d.RunConfig(**kwargs)
    for w in words:
        assert w in str(err.value)


@pytest.mark.parametrize(("cell", "layer"), [("simple", "SimpleRNN"), ("LSTM", "LSTM"), ("gru", "GRU")])
def test_the_cell_names_the_recurrent_layer_of_chapter_03s_model(cell: str, layer: str) -> None:
    import tensorflow as tf

    from course_utils.distribute.worker import _build_model

    config = d.RunConfig(cell=cell)
    assert config.cell == cell.lower()
    model, optimizer, epochs = _build_model(tf.distribute.get_strategy(), config, vocab_size=30)
    assert [type(l).__name__ for l in model.layers] == ["Embedding", layer, "Dense"]
    assert model.layers[1].units == config.units and model.layers[1].return_sequences
    assert optimizer.built and int(epochs.numpy()) == 0


def test_the_package_is_the_public_address_of_its_code() -> None:
    """Appendix A1 prints make_train_step with show_source, under the address it is imported from."""
    from course_utils.source_code import public_address, source_of

    assert source_of(d.make_train_step).startswith("# course_utils.distribute.make_train_step\n")
    assert public_address(d.RunConfig) == "course_utils.distribute.RunConfig"
    from course_utils.seq2seq.layers import Decoder  # a package that re-exports nothing: the module's address
    assert public_address(Decoder.step) == "course_utils.seq2seq.layers.Decoder.step"


def test_launch_refuses_a_used_run_dir_and_bad_limits(tmp_path: Path) -> None:
    (tmp_path / "old.txt").write_text("x")
    with pytest.raises(ValueError, match="not empty"):
        d.launch(d.RunConfig(), tmp_path)
    with pytest.raises(ValueError, match="timeout_s must be a finite number > 0"):
        d.launch(d.RunConfig(), tmp_path / "new", timeout_s=0)
    with pytest.raises(TypeError, match="RunConfig"):
        d.launch({"strategy": "one"}, tmp_path / "new")  # type: ignore[arg-type]


# --------------------------------------------------------------------------- real runs
def _no_worker_left(result_or_pids: d.RunResult | list[int], run_dir: Path) -> None:
    pids = result_or_pids.pids if isinstance(result_or_pids, d.RunResult) else result_or_pids
    assert pids, "no worker was started"
    assert d.processes_alive(pids) == [], f"workers still running: {d.processes_alive(pids)}"
    ours = [p.pid for p in psutil.process_iter(["cmdline"])
            if str(run_dir) in " ".join(p.info["cmdline"] or []) and p.status() != psutil.STATUS_ZOMBIE]
    assert ours == [], f"processes still working in {run_dir}: {ours}"


@pytest.fixture(scope="module")
def single(tmp_path_factory: pytest.TempPathFactory) -> d.RunResult:
    return d.train_char_lm("one", run_dir=tmp_path_factory.mktemp("one"), timeout_s=RUN_TIMEOUT_S, **SMALL)


@pytest.fixture(scope="module")
def two_workers(tmp_path_factory: pytest.TempPathFactory) -> tuple[d.RunResult, float]:
    t0 = time.perf_counter()
    result = d.train_char_lm("multi_worker", replicas=2, run_dir=tmp_path_factory.mktemp("mw"),
                             timeout_s=RUN_TIMEOUT_S, **SMALL)
    return result, time.perf_counter() - t0


def test_two_workers_on_localhost_match_one_process(single: d.RunResult, two_workers: tuple[d.RunResult, float]) -> None:
    multi, seconds = two_workers
    assert seconds < RUN_TIMEOUT_S
    assert multi.attempts == [[0, 0]]
    assert [r["epoch"] for r in multi.epochs] == list(range(SMALL["epochs"]))
    assert len(multi.losses) == len(single.losses) == SMALL["epochs"]
    gaps = [abs(a - b) for a, b in zip(multi.losses, single.losses)]
    assert max(gaps) < LOSS_TOL, f"loss curves differ by {gaps}"
    assert abs(multi.eval_loss - single.eval_loss) < LOSS_TOL
    assert multi.losses[-1] < multi.losses[0], "the model did not learn"
    assert sorted(p.name for p in (multi.run_dir / d.CHECKPOINT_DIR).glob("ckpt-*.index")) == \
        [f"ckpt-{e}.index" for e in (SMALL["epochs"] - 1, SMALL["epochs"])], "the chief keeps the last two checkpoints"
    assert not list(multi.run_dir.glob("scratch_worker*")), "the other worker's scratch checkpoints are left over"
    _no_worker_left(multi, multi.run_dir)
    _no_worker_left(single, single.run_dir)


def test_a_killed_worker_is_restarted_and_no_completed_epoch_is_lost(
        two_workers: tuple[d.RunResult, float], tmp_path: Path) -> None:
    t0 = time.perf_counter()
    crashed = d.train_char_lm("multi_worker", replicas=2, run_dir=tmp_path, timeout_s=RUN_TIMEOUT_S, restarts=1,
                              fail_worker=1, fail_epoch=1, fail_step=3, **SMALL)
    assert time.perf_counter() - t0 < RUN_TIMEOUT_S
    first, second = crashed.attempts
    assert first[1] == d.FAULT_EXIT_CODE and first[0] != 0, first  # the crash, then the chief stopped by the launcher
    assert second == [0, 0]
    before = [r["epoch"] for r in crashed.epochs if r["attempt"] == 0]
    after = [r["epoch"] for r in crashed.epochs if r["attempt"] == 1]
    assert before == [0] and crashed.resumed_from == [0, 1] and after == [1, 2]
    assert sorted(before + after) == list(range(SMALL["epochs"])), "an epoch was lost or repeated"
    uninterrupted, _ = two_workers
    assert abs(crashed.losses[-1] - uninterrupted.losses[-1]) < LOSS_TOL
    assert abs(crashed.eval_loss - uninterrupted.eval_loss) < LOSS_TOL
    _no_worker_left(crashed, tmp_path)


def test_a_crash_without_restarts_is_reported_with_the_workers_output(tmp_path: Path) -> None:
    with pytest.raises(d.WorkerFailed, match=r"worker 0 of the one run exited with status 75 on attempt 0") as err:
        d.train_char_lm("one", run_dir=tmp_path, timeout_s=RUN_TIMEOUT_S, fail_worker=0, fail_epoch=0, **SMALL)
    assert "0 restart(s) allowed" in str(err.value) and len(err.value.pids) == 1
    _no_worker_left(err.value.pids, tmp_path)


def test_a_run_past_its_timeout_is_killed(tmp_path: Path) -> None:
    t0 = time.perf_counter()
    with pytest.raises(d.RunTimeout, match="did not finish within timeout_s=2 s") as err:
        d.train_char_lm("multi_worker", replicas=2, run_dir=tmp_path, timeout_s=2, **SMALL)
    assert time.perf_counter() - t0 < 15 and isinstance(err.value, TimeoutError)
    assert len(err.value.pids) == 2
    _no_worker_left(err.value.pids, tmp_path)


def test_command_line_trains_with_a_strategy_and_explains_bad_arguments(capsys: pytest.CaptureFixture[str],
                                                                       tmp_path: Path,
                                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))  # where the command's default run folder goes
    with pytest.raises(SystemExit):
        d.main(["train", "--strategy", "mirrored", "--replicas", "3", "--global-batch", "64"])
    assert "does not split evenly over 3 replicas" in capsys.readouterr().err
    assert not list(tmp_path.iterdir()), "a refused command left a run folder behind"
    with pytest.raises(SystemExit):
        d.main(["train", "--strategy", "horovod"])
    assert "invalid choice" in capsys.readouterr().err
    assert d.main(["train", "--strategy", "one", "--epochs", "1", "--train-chars", "6400", "--units", "16"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["strategy"] == "one" and len(out["losses"]) == 1 and out["eval_loss"] > 0
    run_dir = Path(out["run_dir"])
    assert run_dir.parent == tmp_path and (run_dir / "worker0.jsonl").is_file(), "the printed run folder is not kept"


def test_default_run_folders_are_new_and_go_when_the_process_exits(tmp_path: Path) -> None:
    """A notebook that trains without naming a folder leaves nothing behind once its kernel exits."""
    code = ("from course_utils.distribute.launcher import new_run_dir\n"
            "a, b = new_run_dir('one'), new_run_dir('mirrored')\n"
            "assert a.is_dir() and b.is_dir() and not any(a.iterdir()) and a != b and a.parent == b.parent\n"
            "print(a, b)")
    out = subprocess.run([sys.executable, "-c", code], env=os.environ | {"TMPDIR": str(tmp_path)}, cwd=ROOT,
                         capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    a, b = map(Path, out.stdout.split())
    assert a.parent.parent == tmp_path and a.parent.name.startswith("a1_runs_") and a.name.startswith("one_")
    assert not list(tmp_path.iterdir()), f"left behind after the process exited: {list(tmp_path.iterdir())}"
