"""Collated graphs against PyG's batching and random-walk encoding (oracles)."""

import numpy as np
import scipy.sparse as sp
import torch

from skgraph import Graph
from skgraph._graph_collation import _collate


def test_a_mini_batch_equals_pygs_batch_with_the_random_walk_encoding():
    from torch_geometric.data import Batch, Data
    from torch_geometric.transforms import AddRandomWalkPE

    rng = np.random.default_rng(0)
    graphs, data = [], []
    for k in range(6):
        n = int(rng.integers(3, 12))
        A = np.triu(rng.random((n, n)) < 0.4, 1) * (rng.uniform(0.5, 2, (n, n)) if k % 2
                                                    else 1.0)
        A = A + A.T
        if k == 2:
            A[-1, :] = A[:, -1] = 0  # an isolated node
        graphs.append(Graph(sp.csr_array(A), rng.normal(size=(n, 3))))
        coo = sp.coo_array(graphs[-1].adjacency)
        edge_index = torch.tensor(np.vstack([coo.row, coo.col]), dtype=torch.long)
        # the encoding reads the wiring (weights are for the convolutions), as PyG's does
        data.append(AddRandomWalkPE(5, attr_name=None)(Data(
            x=torch.tensor(graphs[-1].features, dtype=torch.float32), edge_index=edge_index,
            num_nodes=n)))
    collated, width = _collate(graphs, None, "X", 5)
    assert width == 3
    ids = torch.tensor([4, 1, 5, 2])
    x, edge_index, batch, n_graphs, edge_attr = collated.batch(ids)
    expected = Batch.from_data_list([data[i] for i in ids.tolist()])
    torch.testing.assert_close(x.float(), expected.x, atol=1e-6, rtol=1e-6)
    assert torch.equal(edge_index, expected.edge_index) and torch.equal(batch, expected.batch)
    assert n_graphs == expected.num_graphs and edge_attr is None


def test_feature_scaling_equals_scikit_learns_standard_scaler():
    from sklearn.preprocessing import StandardScaler

    from skgraph._graph_collation import _feature_scaling

    rng = np.random.default_rng(0)
    x = torch.tensor(rng.normal(size=(50, 4)) * [1, 5, 0.1, 3] + [0, 2, -1, 7])
    weights = torch.tensor(rng.uniform(0.1, 3.0, 50))
    for row_weights in (None, weights):
        offset, scale, _ = _feature_scaling(x, row_weights)
        reference = StandardScaler().fit(
            x.numpy(), sample_weight=None if row_weights is None else row_weights.numpy())
        np.testing.assert_allclose(offset.numpy(), reference.mean_, rtol=1e-10, atol=1e-12)
        np.testing.assert_allclose(scale.numpy(), reference.scale_, rtol=1e-10)
