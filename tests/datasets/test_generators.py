import numpy as np
import pytest

from skgraph.datasets import make_community_graph


def test_community_graph_structure_follows_the_blocks():
    G, y = make_community_graph(n_nodes=300, n_communities=3, p_in=0.1, p_out=0.01, random_state=0)
    A = G.adjacency.toarray() > 0
    same = y[:, None] == y[None, :]
    inside = A[same].sum() / (same.sum() - 300)
    across = A[~same].sum() / (~same).sum()
    assert 0.08 < inside < 0.12 and 0.005 < across < 0.015
    assert np.bincount(y).tolist() == [100, 100, 100] and G.n_features == 16


def test_features_are_informative_and_optional():
    G, y = make_community_graph(n_nodes=300, feature_signal=3.0, random_state=0)
    means = np.array([G.features[y == k].mean(axis=0) for k in range(3)])
    assert np.linalg.norm(means[0] - means[1]) > 3
    assert make_community_graph(n_nodes=30, n_features=0)[0].features is None


@pytest.mark.parametrize("kwargs, match", [
    (dict(n_nodes=0), "n_nodes"), (dict(n_communities=0), "n_communities"),
    (dict(n_nodes=3, n_communities=5), "exceeds"), (dict(p_in=1.5), "p_in"),
    (dict(n_features=-1), "n_features"),
])
def test_bad_arguments(kwargs, match):
    with pytest.raises(ValueError, match=match):
        make_community_graph(**kwargs)


@pytest.mark.parametrize("p_in, p_out", [(0.1, 0.01), (0.9, 0.02)])  # sparse and dense blocks
@pytest.mark.parametrize("blockwise_up_to", [64, 2])  # 2: all pairs across in one draw
def test_large_graphs_are_drawn_block_by_block_from_the_same_model(monkeypatch, p_in, p_out,
                                                                   blockwise_up_to):
    import skgraph.datasets._generators as generators

    monkeypatch.setattr(generators, "_DENSE_UP_TO", 50)
    monkeypatch.setattr(generators, "_BLOCKWISE_UP_TO", blockwise_up_to)
    inside, across = [], []
    for seed in range(4):
        G, y = make_community_graph(n_nodes=301, n_communities=3, p_in=p_in, p_out=p_out,
                                    n_features=0, random_state=seed)
        A = G.adjacency
        assert (A != A.T).nnz == 0 and A.diagonal().sum() == 0 and set(A.data) == {1.0}
        assert A.has_sorted_indices
        dense = A.toarray() > 0
        same = y[:, None] == y[None, :]
        inside.append(dense[same].sum() / (same.sum() - 301))
        across.append(dense[~same].sum() / (~same).sum())
    # 4 graphs of ~15,000 pairs inside and ~30,000 across: within 4 standard errors
    assert abs(np.mean(inside) - p_in) < 4 * np.sqrt(p_in * (1 - p_in) / 60000)
    assert abs(np.mean(across) - p_out) < 4 * np.sqrt(p_out * (1 - p_out) / 120000)
    again = make_community_graph(n_nodes=301, n_communities=3, p_in=p_in, p_out=p_out,
                                 n_features=0, random_state=3)[0].adjacency
    assert (again != A).nnz == 0  # repeatable for a random_state


def test_a_million_nodes_in_memory_linear_in_the_edges():
    G, y = make_community_graph(n_nodes=1_000_000, n_communities=4, p_in=2e-5, p_out=1e-6,
                                n_features=0, random_state=0)
    expected = 4 * (250_000 * 249_999 / 2) * 2e-5 + 6 * 250_000**2 * 1e-6
    assert abs(G.n_edges - expected) < 5 * np.sqrt(expected)
    assert np.bincount(y).tolist() == [250_000] * 4


def test_many_communities_in_time_linear_in_the_communities():
    # 5,000 communities of 4 nodes: 12.5 million pairs of communities, never enumerated
    G, y = make_community_graph(n_nodes=20_000, n_communities=5_000, p_in=0.5, p_out=5e-4,
                                n_features=0, random_state=0)
    A = G.adjacency.tocoo()
    across = y[A.row] != y[A.col]
    expected_across = (20_000 * 19_999 / 2 - 5_000 * 6) * 5e-4
    assert abs(across.sum() / 2 - expected_across) < 5 * np.sqrt(expected_across)
    assert abs((~across).sum() / 2 - 5_000 * 6 * 0.5) < 5 * np.sqrt(5_000 * 6 * 0.25)
