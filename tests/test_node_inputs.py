"""The whole graph's inputs to the node-level networks: how features travel to torch."""

import numpy as np
import pytest
import scipy.sparse as sp
import torch

from skgraph import Graph
from skgraph._nn._propagation import SparseOperator
from skgraph._node_inputs import node_inputs


def _graph(density: float, seed: int = 0) -> Graph:
    rng = np.random.default_rng(seed)
    A = sp.random_array((60, 60), density=0.1, random_state=seed, format="csr")
    A = ((A + A.T) > 0).astype(np.float32)
    A.setdiag(0)
    A.eliminate_zeros()
    X = sp.random_array((60, 200), density=density, random_state=rng, format="csr",
                        dtype=np.float32)
    return Graph(A, X)


@pytest.mark.parametrize("density, sparse", [(0.06, True), (0.2, True), (0.4, False)])
def test_features_stay_sparse_on_cpu_below_a_quarter_stored(density, sparse):
    inputs = node_inputs(_graph(density), "identity", torch.device("cpu"))
    assert isinstance(inputs.features, SparseOperator if sparse else torch.Tensor)
    assert (inputs.propagated is None) == sparse  # S X is precomputed for dense features only


def test_either_form_gives_the_same_products():
    G = _graph(0.2)
    W = torch.randn(200, 8, generator=torch.Generator().manual_seed(0))
    sparse = node_inputs(G, "identity", torch.device("cpu")).features
    dense = torch.as_tensor(G.features.toarray())
    torch.testing.assert_close(sparse @ W, dense @ W, rtol=1e-5, atol=1e-5)
