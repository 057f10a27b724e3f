import warnings

import numpy as np
import pytest

from skgraph import Graph
from skgraph.datasets import make_community_graph
from skgraph.model_selection import link_pairs, train_test_split_edges


def _keys(pairs, n):
    return set((np.minimum(pairs[:, 0], pairs[:, 1]) * n + np.maximum(pairs[:, 0], pairs[:, 1])).tolist())


def test_split_protocol():
    G, _ = make_community_graph(n_nodes=100, random_state=0)
    n = G.n_nodes
    G_train, pairs, y = train_test_split_edges(G, test_size=0.1, random_state=0)
    n_test = int(round(0.1 * G.n_edges))
    assert pairs.shape == (2 * n_test, 2) and y.tolist() == [1] * n_test + [0] * n_test
    pos, neg = pairs[y == 1], pairs[y == 0]
    assert (G.adjacency[pos[:, 0], pos[:, 1]] > 0).all()  # held-out edges are edges
    assert (G.adjacency[neg[:, 0], neg[:, 1]] == 0).all()  # negatives: non-edges of the whole graph
    assert (G_train.adjacency[pos[:, 0], pos[:, 1]] == 0).all()  # removed ...
    assert (G_train.adjacency[pos[:, 1], pos[:, 0]] == 0).all()  # ... in both directions
    assert G_train.n_edges == G.n_edges - n_test and G_train.n_nodes == n
    assert (pairs[:, 0] != pairs[:, 1]).all() and len(_keys(neg, n)) == n_test
    np.testing.assert_array_equal(G_train.features, G.features)


def test_validation_split_is_disjoint_and_leak_free():
    G, _ = make_community_graph(n_nodes=100, random_state=1)
    n = G.n_nodes
    G_train, test_pairs, test_y, val_pairs, val_y = train_test_split_edges(
        G, test_size=0.1, validation_size=0.05, random_state=0)
    assert not _keys(test_pairs, n) & _keys(val_pairs, n)
    for pairs, y in ((test_pairs, test_y), (val_pairs, val_y)):
        assert (G_train.adjacency[pairs[:, 0], pairs[:, 1]] == 0).all()
        assert (G.adjacency[pairs[y == 0, 0], pairs[y == 0, 1]] == 0).all()
    assert G_train.n_edges == G.n_edges - (test_y == 1).sum() - (val_y == 1).sum()


def test_many_negatives_per_held_out_edge_for_ranking_protocols():
    G, _ = make_community_graph(n_nodes=100, random_state=1)
    n = G.n_nodes
    plain = train_test_split_edges(G, test_size=0.1, validation_size=0.05, random_state=0)
    G_train, test_pairs, test_y, val_pairs, val_y = train_test_split_edges(
        G, test_size=0.1, validation_size=0.05, random_state=0, negative_ratio=20)
    for y, before in ((test_y, plain[2]), (val_y, plain[4])):
        assert (y == 0).sum() == 20 * (y == 1).sum() and (y == 1).sum() == (before == 1).sum()
    assert not _keys(test_pairs, n) & _keys(val_pairs, n)
    for pairs, y in ((test_pairs, test_y), (val_pairs, val_y)):
        negatives = pairs[y == 0]
        assert (G.adjacency[negatives[:, 0], negatives[:, 1]] == 0).all()
        assert len(_keys(negatives, n)) == len(negatives)  # no pair twice
    # the held-out edges do not move with the number of negatives, nor does the graph
    np.testing.assert_array_equal(test_pairs[test_y == 1], plain[1][plain[2] == 1])
    np.testing.assert_array_equal(val_pairs[val_y == 1], plain[3][plain[4] == 1])
    assert (G_train.adjacency != plain[0].adjacency).nnz == 0
    with pytest.raises(ValueError, match="negative_ratio"):
        train_test_split_edges(G, negative_ratio=0)


def test_random_state_repeats():
    G, _ = make_community_graph(n_nodes=60, random_state=0)
    a = train_test_split_edges(G, random_state=3)
    b = train_test_split_edges(G, random_state=3)
    np.testing.assert_array_equal(a[1], b[1])


@pytest.mark.parametrize("kwargs, error, match", [
    (dict(test_size=0.0), ValueError, r"'test_size' parameter .* in the range \(0.0, 1.0\)"),
    (dict(test_size=1.5), ValueError, r"'test_size' parameter .* in the range \(0.0, 1.0\)"),
    (dict(test_size=10_000), ValueError, "as a count"),
    (dict(test_size="10%"), TypeError, "float in"),
    (dict(test_size=0.5, validation_size=0.5), ValueError, "leave no training edge"),
])
def test_bad_sizes(kwargs, error, match):
    G, _ = make_community_graph(n_nodes=60, random_state=0)
    with pytest.raises(error, match=match):
        train_test_split_edges(G, **kwargs)


def test_too_few_edges_or_non_edges():
    with pytest.raises(ValueError, match="at least 2 are needed"):
        train_test_split_edges(np.array([[0, 1], [1, 0]]))
    complete = np.ones((4, 4)) - np.eye(4)
    with pytest.raises(ValueError, match="cannot sample"):
        train_test_split_edges(Graph(complete), test_size=2)


def test_kept_edges_keep_their_features():
    G, _ = make_community_graph(n_nodes=40, random_state=0)
    coo = G.adjacency.tocoo()
    # a feature per undirected edge, the same both ways: its endpoints' sum and product
    E = np.c_[coo.row + coo.col, coo.row * coo.col].astype(float)
    featured = Graph(G.adjacency, G.features, edge_features=E)
    G_train, pairs, y = train_test_split_edges(featured, test_size=0.2, validation_size=0.1,
                                               random_state=0)[:3]
    kept = G_train.adjacency.tocoo()
    assert G_train.n_edge_features == 2 and len(G_train.edge_features) == kept.nnz
    np.testing.assert_array_equal(G_train.edge_features,
                                  np.c_[kept.row + kept.col, kept.row * kept.col])
    assert G_train.n_edges < featured.n_edges
    plain = train_test_split_edges(G, test_size=0.2, random_state=0)[0]
    assert plain.edge_features is None


def test_the_training_graph_keeps_the_feature_names():
    pd = pytest.importorskip("pandas")
    G, _ = make_community_graph(n_nodes=60, random_state=0)
    columns = [f"f{i}" for i in range(G.n_features)]
    named = Graph(G.adjacency, pd.DataFrame(G.features, columns=columns))
    G_train, *_ = train_test_split_edges(named, random_state=0)
    assert G_train.feature_names.tolist() == columns
    assert train_test_split_edges(G, random_state=0)[0].feature_names is None


def _user_item_graph(n_users=60, n_items=20, n_ratings=400, seed=0):
    rng = np.random.default_rng(seed)
    users, items = rng.integers(0, n_users, n_ratings), n_users + rng.integers(0, n_items,
                                                                                n_ratings)
    A = np.zeros((n_users + n_items,) * 2)
    A[users, items] = A[items, users] = 1
    return Graph(A), np.array(["user"] * n_users + ["item"] * n_items)


def test_node_kinds_make_user_item_negatives_and_bipartite_graphs_warn():
    G, kinds = _user_item_graph()
    with pytest.warns(UserWarning, match="the graph is bipartite .* pass "
                                         r"train_test_split_edges\(..., node_kinds=...\)"):
        _, pairs, y = train_test_split_edges(G, random_state=0)
    negatives = pairs[y == 0]
    within = (negatives[:, 0] < 60) == (negatives[:, 1] < 60)
    assert within.mean() > 0.4  # uniform pairs: mostly user-user or item-item, trivially easy
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        G_train, pairs, y, val_pairs, val_y = train_test_split_edges(
            G, random_state=0, node_kinds=kinds, validation_size=0.1)
        P, labels = link_pairs(G_train, random_state=0, node_kinds=kinds)
    for negatives, graph in ((pairs[y == 0], G), (val_pairs[val_y == 0], G),
                             (P.pairs[labels == 0], G_train)):
        assert ((negatives[:, 0] < 60) != (negatives[:, 1] < 60)).all()  # a user and an item
        assert (graph.adjacency[negatives[:, 0], negatives[:, 1]] == 0).all()
    assert not set(map(tuple, np.sort(pairs[y == 0], 1).tolist())) & set(
        map(tuple, np.sort(val_pairs[val_y == 0], 1).tolist()))
    with pytest.warns(UserWarning, match=r"pass link_pairs\(..., node_kinds=...\)"):
        link_pairs(G_train, random_state=0)
    # the positives are those of the split without kinds: only the negatives' draw differs
    test_only = train_test_split_edges(G, random_state=0, node_kinds=kinds)
    with pytest.warns(UserWarning, match="the graph is bipartite"):
        uniform = train_test_split_edges(G, random_state=0)
    np.testing.assert_array_equal(test_only[1][test_only[2] == 1], uniform[1][uniform[2] == 1])


def test_node_kinds_by_name_and_bad_kinds():
    pd = pytest.importorskip("pandas")
    G, kinds = _user_item_graph()
    names = np.array([f"n{k}" for k in range(G.n_nodes)])
    named = Graph(G.adjacency, node_names=names)
    by_name = pd.Series(kinds, index=names)[::-1]  # another order: read by name
    _, pairs, y = train_test_split_edges(named, random_state=0, node_kinds=by_name)
    _, expected, _ = train_test_split_edges(G, random_state=0, node_kinds=kinds)
    np.testing.assert_array_equal(pairs, names[expected])
    with pytest.raises(ValueError, match="node_kinds has no entry for node 'n0'"):
        train_test_split_edges(named, node_kinds=by_name.iloc[:-1])
    with pytest.raises(ValueError, match=r"one kind per node \(80\), got shape \(79,\)"):
        train_test_split_edges(G, node_kinds=kinds[:-1])
    with pytest.raises(ValueError, match="node_kinds names a single kind"):
        train_test_split_edges(G, node_kinds=np.zeros(80))
    with pytest.raises(ValueError, match="node_kinds is missing \\(None or NaN\\) for node 3"):
        train_test_split_edges(G, node_kinds=[None if k == 3 else "a" for k in range(80)])
    with pytest.raises(ValueError, match="node_kinds is missing .* for node 5"):
        train_test_split_edges(G, node_kinds=pd.Series(kinds, dtype="string").mask(
            np.arange(80) == 5))  # pd.NA
    with pytest.raises(ValueError, match="node_kinds' index repeats 'n1'"):
        train_test_split_edges(named, node_kinds=pd.Series(kinds, index=["n1"] * 80))
    one_based = pd.Series(kinds, index=pd.RangeIndex(1, 81))  # ids, not positions
    numbered = Graph(G.adjacency, node_names=np.arange(1, 81))
    _, by_id, _ = train_test_split_edges(numbered, random_state=0, node_kinds=one_based)
    np.testing.assert_array_equal(by_id, expected + 1)
    with pytest.raises(ValueError, match="of nodes of different kinds that are not edges"):
        train_test_split_edges(G, test_size=0.5, node_kinds=["a"] * 79 + ["b"])
