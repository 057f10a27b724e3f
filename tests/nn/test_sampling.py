import numpy as np
import torch

from skgraph.datasets import make_community_graph
from skgraph.nn import EdgeSet, sample_negative_pairs


def test_negatives_are_never_edges_nor_self_pairs():
    G, _ = make_community_graph(n_nodes=50, p_in=0.5, p_out=0.2, n_features=0, random_state=0)
    edges = EdgeSet(G.adjacency)
    gen = torch.Generator().manual_seed(0)
    pairs = sample_negative_pairs(edges, 5000, generator=gen)
    assert pairs.shape == (2, 5000)
    src, dst = pairs.numpy()
    assert (src != dst).all()
    assert (G.adjacency[src, dst] == 0).all()


def test_negatives_cover_the_non_edges_uniformly():
    A = np.zeros((4, 4))
    A[0, 1] = A[1, 0] = 1
    from skgraph import Graph
    edges = EdgeSet(Graph(A).adjacency)
    pairs = sample_negative_pairs(edges, 20000, generator=torch.Generator().manual_seed(1))
    counts = np.bincount((pairs[0] * 4 + pairs[1]).numpy(), minlength=16)
    allowed = [k for k in range(16) if k // 4 != k % 4 and k not in (1, 4)]
    assert set(np.flatnonzero(counts)) == set(allowed)
    assert counts[allowed].min() > 0.8 * 20000 / len(allowed)


def test_edge_set_membership():
    G, _ = make_community_graph(n_nodes=30, n_features=0, random_state=2)
    edges = EdgeSet(G.adjacency)
    coo = G.adjacency.tocoo()
    assert edges.contains(torch.tensor(coo.row), torch.tensor(coo.col)).all()
    assert not edges.contains(torch.arange(30), torch.arange(30)).any()
