"""Data-parallel training under torchrun: 2 gloo processes on 127.0.0.1 (skgraph/_distributed.py)."""

import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest
import torch

from skgraph._distributed import DistributedContext

SCRIPT = Path(__file__).with_name("_ddp_fit.py")
pytestmark = pytest.mark.slow


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _torchrun(out: Path, which: str, *extra: str, batch: int = 8, timeout: int = 240):
    env = {**os.environ, "OMP_NUM_THREADS": "1", "GLOO_SOCKET_IFNAME": "lo",
           "SKGRAPH_TEST_BATCH": str(batch), "SKGRAPH_DISTRIBUTED_TIMEOUT": "60",
           "PYTHONPATH": str(Path(__file__).resolve().parents[1])}
    command = [sys.executable, "-m", "torch.distributed.run", "--nproc_per_node=2",
               "--master_addr=127.0.0.1", f"--master_port={_free_port()}", "--max_restarts=0",
               "--monitor_interval=30", str(SCRIPT), str(out), which, *extra]
    return subprocess.run(command, capture_output=True, text=True, timeout=timeout, env=env,
                          check=False)


def _alone(out: Path, which: str, batch: int):
    env = {**os.environ, "OMP_NUM_THREADS": "1", "SKGRAPH_TEST_BATCH": str(batch),
           "PYTHONPATH": str(Path(__file__).resolve().parents[1])}
    for name in ("RANK", "WORLD_SIZE", "MASTER_ADDR", "MASTER_PORT"):
        env.pop(name, None)
    subprocess.run([sys.executable, str(SCRIPT), str(out), which], check=True, env=env,
                   timeout=240, capture_output=True)
    return np.load(out / "rank0.npz")


@pytest.mark.parametrize("which", ["graph", "node", "edges"])
def test_two_ranks_end_with_identical_weights_and_a_loss_close_to_one_process(tmp_path, which):
    result = _torchrun(tmp_path, which)
    assert result.returncode == 0, result.stdout + result.stderr
    ranks = [np.load(tmp_path / f"rank{r}.npz") for r in (0, 1)]
    np.testing.assert_array_equal(ranks[0]["weights"], ranks[1]["weights"])
    np.testing.assert_array_equal(ranks[0]["outputs"], ranks[1]["outputs"])
    np.testing.assert_array_equal(ranks[0]["loss"], ranks[1]["loss"])
    # each rank trains on its own share of every epoch's batches: together the ranks make one
    # pass over the data (plus at most one batch again, where a rank wraps around to take as
    # many steps as the other), not one pass each; one optimizer step per batch of the share
    batch = 32 if which == "edges" else 8  # per rank (see _ddp_fit.py)
    n = int(ranks[0]["n_samples"])
    steps = -(-(-(-n // batch)) // 2)  # half the batches of an epoch, rounded up
    epochs = [np.split(r["ids"], np.cumsum(r["ids_per_epoch"])[:-1]) for r in ranks]
    for rank in ranks:
        assert rank["steps"].tolist() == [steps] * len(rank["loss"])
    for mine, theirs in zip(*epochs, strict=True):
        assert n <= len(mine) + len(theirs) <= n + batch
        assert np.union1d(mine, theirs).size == n
    # one process with the same global batch (2 ranks x 8): a loss as close as the batches'
    # order and dropout draws, which differ, allow
    (tmp_path / "alone").mkdir()
    alone = _alone(tmp_path / "alone", which, batch=16)
    final = slice(-3, None)
    start = alone["loss"][0]
    assert abs(ranks[0]["loss"][final].mean() - alone["loss"][final].mean()) < 0.15 * start
    np.testing.assert_allclose(ranks[0]["loss"][0], start, rtol=0.3)
    assert ranks[0]["loss"][-1] < ranks[0]["loss"][0]  # it learns


def test_a_rank_that_dies_fails_the_other_with_a_clear_error(tmp_path):
    start = time.perf_counter()
    result = _torchrun(tmp_path, "graph", "2")  # rank 1 exits after its second epoch
    elapsed = time.perf_counter() - start
    assert result.returncode != 0
    assert "lost the other ranks" in result.stdout + result.stderr, result.stderr[-3000:]
    assert elapsed < 120  # failed, not hung until some far timeout
    assert not (tmp_path / "rank0.npz").exists()  # no partial result written


def test_ranks_that_fit_different_networks_all_fail_naming_the_difference(tmp_path):
    result = _torchrun(tmp_path, "mismatch")
    assert result.returncode != 0
    output = result.stdout + result.stderr
    assert output.count("the ranks of a data-parallel fit differ in parameter hidden_size "
                        "(rank 0: 8; rank 1: 16)") == 2, output[-3000:]  # on both ranks


def test_a_search_with_worker_processes_runs_under_torchrun(tmp_path):
    # the workers inherit torchrun's environment; joining the job's group from there hung
    # until gloo's connect timeout
    result = _torchrun(tmp_path, "search", timeout=200)
    assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-3000:]
    ranks = [np.load(tmp_path / f"rank{r}.npz") for r in (0, 1)]
    np.testing.assert_array_equal(ranks[0]["weights"], ranks[1]["weights"])  # the refit
    np.testing.assert_array_equal(*(np.load(tmp_path / f"scores{r}.npy") for r in (0, 1)))


@pytest.mark.parametrize("given", ["abc", "0", "-5", "inf"])
def test_a_bad_timeout_setting_is_named(monkeypatch, given):
    from skgraph._distributed import _timeout

    monkeypatch.setenv("SKGRAPH_DISTRIBUTED_TIMEOUT", given)
    with pytest.raises(ValueError, match=f"SKGRAPH_DISTRIBUTED_TIMEOUT must be a positive "
                                         f"number of seconds, got '{given}'"):
        _timeout()


def test_a_process_started_by_a_rank_is_no_rank(monkeypatch):
    from skgraph import _distributed

    monkeypatch.setenv("RANK", "1")
    monkeypatch.setenv("WORLD_SIZE", "2")
    monkeypatch.setenv("MASTER_ADDR", "127.0.0.1")
    monkeypatch.setenv(_distributed._RANK_PROCESS, f"1:{os.getpid()}")
    assert _distributed._is_rank_process()
    monkeypatch.setenv(_distributed._RANK_PROCESS, f"1:{os.getpid() + 1}")  # our parent's
    assert not _distributed._is_rank_process()
    assert _distributed.distributed_context(torch.device("cpu")) is None  # trains alone


def test_each_rank_runs_its_share_of_the_batches():
    two = [DistributedContext(rank, 2).share(5) for rank in (0, 1)]
    assert two == [[0, 2, 4], [1, 3, 0]]  # as many steps on each rank, wrapping around
    assert DistributedContext(0, 3).share(2) == [0]
    assert sorted(sum((DistributedContext(r, 4).share(8) for r in range(4)), [])) == list(range(8))


def test_broadcast_reaches_parameters_of_any_memory_layout(monkeypatch):
    """Rank 0's values land in every parameter, and the collective only ever sees
    contiguous tensors (as NCCL requires), also for an input-major weight."""
    from skgraph import _distributed
    from skgraph._nn._node_networks import NodeNetwork

    network = NodeNetwork(30, 3, conv="sage")
    assert not network.layers[0].self_weight.weight.is_contiguous()
    seen = []

    def broadcast(tensor, src):  # what rank 0 sends: every value 7
        assert src == 0 and tensor.is_contiguous()
        seen.append(tensor.shape)
        tensor.fill_(7.0)

    monkeypatch.setattr(_distributed.dist, "broadcast", broadcast)
    DistributedContext(1, 2).broadcast_parameters(network)
    assert len(seen) == len(list(network.parameters())) + len(list(network.buffers()))
    assert all(bool((p == 7.0).all()) for p in network.parameters())
    assert not network.layers[0].self_weight.weight.is_contiguous()  # its layout kept
