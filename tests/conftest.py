"""Shared fixtures: small generated graphs, and the path of the benchmark datasets."""

from pathlib import Path

import numpy as np
import pytest
import scipy.sparse as sp
import torch

from skgraph.datasets import make_community_graph

DATASETS = Path(__file__).resolve().parents[1].parent / "shared" / "datasets"
requires_datasets = pytest.mark.skipif(
    not (DATASETS / "Cora").is_dir(),
    reason=f"benchmark datasets not found at {DATASETS} (the shared/ folder beside the repo)",
)

FAST = dict(max_epochs=30, random_state=0, device="cpu")


@pytest.fixture(scope="module")
def one_thread():
    """Tiny models run fastest on one thread (and do not stall on a busy machine); a test
    module opts in with ``pytestmark = pytest.mark.usefixtures("one_thread")``."""
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(threads)


@pytest.fixture
def community():
    """A 3-community SBM of 90 nodes with informative features: (Graph, labels)."""
    return make_community_graph(n_nodes=90, n_communities=3, p_in=0.2, p_out=0.01,
                                n_features=8, random_state=0)


@pytest.fixture
def small_adjacency():
    """A 6-node path graph as a csr_array, and 3 features per node."""
    A = sp.diags([np.ones(5)], [1], shape=(6, 6)).tocsr()
    A = sp.csr_array(A + A.T)
    X = np.arange(18, dtype=float).reshape(6, 3)
    return A, X
