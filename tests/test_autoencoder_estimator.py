"""What both auto-encoder estimators share: degenerate graphs get a result or the real reason."""

import numpy as np
import pytest
import scipy.sparse as sp

from skgraph import LinkPredictor, VGAEEmbedder

FAST = {"max_epochs": 10, "random_state": 0, "device": "cpu"}
ESTIMATORS = [VGAEEmbedder, LinkPredictor]


def _complete(n):
    return np.ones((n, n)) - np.eye(n)


@pytest.mark.parametrize("cls", ESTIMATORS)
@pytest.mark.parametrize("adjacency", [_complete(5), _complete(2)], ids=["K5", "one edge"])
def test_a_complete_graph_has_no_negative_to_sample(cls, adjacency):
    with pytest.raises(ValueError, match="the graph is complete .* no non-edge to sample"):
        cls(**FAST).fit(adjacency)
    with pytest.raises(ValueError, match="the graph is complete"):
        cls(**FAST).fit((adjacency, np.random.default_rng(0).normal(size=(len(adjacency), 3))))


@pytest.mark.parametrize("cls", ESTIMATORS)
def test_all_zero_features_are_refused_with_the_reason(cls):
    A = sp.csr_array(([1.0, 1.0, 1.0, 1.0], ([0, 1, 1, 2], [1, 0, 2, 1])), shape=(6, 6))
    for zeros in (np.zeros((6, 3)), sp.csr_array((6, 3))):
        with pytest.raises(ValueError, match="zero for every node.*features=None"):
            cls(**FAST).fit((A, zeros))


@pytest.mark.parametrize("cls", ESTIMATORS)
def test_one_edge_among_isolated_nodes_trains(cls):
    A = sp.csr_array(([1.0, 1.0], ([0, 1], [1, 0])), shape=(10, 10))
    est = cls(**FAST).fit(A)
    assert np.isfinite(est.loss_curve_).all()
    if cls is LinkPredictor:  # the one edge scores above a pair of isolated nodes
        p = est.predict_proba([[0, 1], [5, 7]])[:, 1]
        assert p[0] > p[1]
    else:
        assert np.isfinite(est.transform(A)).all()


@pytest.mark.parametrize("cls", ESTIMATORS)
def test_identical_features_still_tell_nodes_apart_by_structure(cls):
    # a star and a path: equal features, so only the structure (degrees) separates nodes
    rows = [0, 0, 0, 4, 5]
    cols = [1, 2, 3, 5, 6]
    A = sp.csr_array((np.ones(5), (rows, cols)), shape=(7, 7))
    A = A + A.T
    est = cls(**FAST).fit((A, np.ones((7, 4))))
    assert np.isfinite(est.loss_curve_).all()
    if cls is VGAEEmbedder:
        Z = est.transform((A, np.ones((7, 4))))
        assert not np.allclose(Z[0], Z[1])  # the hub differs from a leaf


@pytest.mark.parametrize("estimator", [VGAEEmbedder, LinkPredictor])
def test_edge_features_are_ignored_with_a_warning(estimator):
    from skgraph import Graph
    from skgraph.datasets import make_community_graph

    G, _ = make_community_graph(n_nodes=40, random_state=0)
    with_bonds = Graph(G.adjacency, G.features, edge_features=np.ones((G.adjacency.nnz, 2)))
    with pytest.warns(UserWarning, match=f"2 edge features, which {estimator.__name__} "
                                         "does not read"):
        estimator(max_epochs=2, random_state=0).fit(with_bonds)
