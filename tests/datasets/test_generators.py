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
