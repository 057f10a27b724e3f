import pickle
import warnings

import numpy as np
import pytest
import scipy.sparse as sp
import torch
from sklearn.model_selection import cross_val_score
from sklearn.pipeline import make_pipeline
from sklearn.svm import LinearSVC
from torch_geometric.nn import WLConv

import skgraph
from skgraph import Graph
from skgraph.preprocessing import WeisfeilerLehmanFeatures


def _labelled_graphs(n_graphs=30, seed=0):
    """Random graphs with 3 one-hot node labels, some isolated nodes, varied sizes."""
    rng = np.random.default_rng(seed)
    graphs = []
    for _ in range(n_graphs):
        n = int(rng.integers(3, 12))
        A = np.triu(rng.random((n, n)) < 0.3, 1)
        labels = rng.integers(0, 3, n)
        graphs.append(Graph((A | A.T).astype(float), np.eye(3)[labels]))
    return graphs


def _pyg_histograms(graphs, n_iter):
    """Per round, PyG WLConv's colour histograms of the graphs (one batch)."""
    x = torch.as_tensor(np.vstack([g.features for g in graphs])).argmax(dim=1)
    union = sp.block_diag([g.adjacency for g in graphs], format="coo")
    edge_index = torch.as_tensor(np.vstack([union.row, union.col]), dtype=torch.long)
    batch = torch.as_tensor(np.repeat(np.arange(len(graphs)), [g.n_nodes for g in graphs]))
    hashmap = {}
    colours = torch.as_tensor([hashmap.setdefault(c, len(hashmap)) for c in x.tolist()])
    rounds = [np.eye(len(hashmap))[colours].T @ np.eye(len(graphs))[batch]]
    for _ in range(n_iter):
        conv = WLConv()
        colours = conv(colours, edge_index)
        rounds.append(conv.histogram(colours, batch).numpy().T)
    return [r.T for r in rounds]


def test_the_kernel_is_that_of_pyg_wlconv_colours_round_by_round():
    graphs = _labelled_graphs()
    F = WeisfeilerLehmanFeatures(n_iter=3).fit_transform(graphs)
    assert sp.issparse(F) and F.shape[0] == len(graphs)
    expected = _pyg_histograms(graphs, 3)
    step = WeisfeilerLehmanFeatures(n_iter=3).fit(graphs)
    start = 0
    for h, histogram in enumerate(expected):
        width = len(step.colours_[h])
        assert width == histogram.shape[1]  # the same number of colours each round
        ours = F[:, start:start + width].toarray()
        # colour ids may be numbered differently: the kernels (and node partitions) agree
        np.testing.assert_array_equal(ours @ ours.T, histogram @ histogram.T)
        start += width
    # the subtree kernel sums the rounds' kernels
    np.testing.assert_array_equal((F @ F.T).toarray(),
                                  sum(h @ h.T for h in expected))
    assert len(step.get_feature_names_out()) == F.shape[1]
    assert step.get_feature_names_out()[0] == "wl0_0"


def test_new_graphs_count_only_the_colours_seen_in_fit():
    graphs = _labelled_graphs()
    step = WeisfeilerLehmanFeatures(n_iter=2).fit(graphs[:20])
    seen = step.transform(graphs[:20])
    again = WeisfeilerLehmanFeatures(n_iter=2).fit_transform(graphs[:20])
    assert (seen != again).nnz == 0
    new = step.transform(graphs[20:])
    assert new.shape == (10, seen.shape[1])
    # round 0 counts every node of a new graph whose labels were seen (3 labels)
    np.testing.assert_array_equal(new[:, :3].sum(axis=1), [g.n_nodes for g in graphs[20:]])
    # a graph with an unseen label: its nodes of that label count nowhere in round 0
    odd = Graph(np.ones((2, 2)) - np.eye(2), np.array([[1.0, 0, 0], [0, 0, 0]]))
    assert step.transform([odd])[:, :3].sum() == 1
    # featureless graphs: one starting colour, then the degrees, then more
    rings = [Graph(sp.diags_array([np.ones(n - 1), np.ones(n - 1)], offsets=[1, -1]))
             for n in (3, 4, 5)]
    plain = WeisfeilerLehmanFeatures(n_iter=1).fit_transform(rings)
    assert plain[:, 0].toarray().ravel().tolist() == [3, 4, 5]


def test_text_labels_are_colours_and_missing_ones_are_refused():
    import networkx as nx

    from skgraph import as_graph

    graphs = _labelled_graphs()
    symbols = np.array(["C", "O", "N"], dtype=object)
    as_text = [Graph(g.adjacency, symbols[g.features.argmax(axis=1)][:, None])
               for g in graphs]
    codes = WeisfeilerLehmanFeatures(n_iter=2).fit_transform(graphs)
    text = WeisfeilerLehmanFeatures(n_iter=2).fit_transform(as_text)
    np.testing.assert_array_equal((text @ text.T).toarray(), (codes @ codes.T).toarray())
    molecule = nx.path_graph(3)  # GraKeL's networkx form: labels under "label"
    nx.set_node_attributes(molecule, {0: "C", 1: "O", 2: "C"}, "label")
    F = WeisfeilerLehmanFeatures(n_iter=0).fit_transform(
        [as_graph(molecule, node_attributes=["label"])])
    assert sorted(F.toarray().ravel().tolist()) == [1.0, 2.0]
    holey = Graph(np.ones((2, 2)) - np.eye(2), np.array([[1.0], [np.nan]]))
    with pytest.raises(ValueError, match=r"X\[1\] has node features with missing values "
                                         r"\(1, the first at node 1, column 0\)"):
        WeisfeilerLehmanFeatures().fit([graphs[0], holey])


def test_a_linear_model_on_wl_features_learns_what_a_gnn_sum_cannot_see():
    # the same 6 nodes with one label: two triangles against a hexagon (regular graphs,
    # alike to 1-WL too) and a triangle with a tail against a path
    rng = np.random.default_rng(0)
    graphs, y = [], []
    for i in range(40):
        n = 6
        if i % 2:
            A = np.zeros((n, n))
            A[[0, 1, 2], [1, 2, 0]] = 1
            A[[3, 4], [4, 5]] = 1
        else:
            A = np.zeros((n, n))
            A[np.arange(n - 1), np.arange(1, n)] = 1
        perm = rng.permutation(n)
        A = (A + A.T)[perm][:, perm]
        graphs.append(Graph(A, np.ones((n, 1))))
        y.append(i % 2)
    model = make_pipeline(WeisfeilerLehmanFeatures(n_iter=2), LinearSVC())
    assert cross_val_score(model, graphs, y, cv=4).mean() == 1.0


def test_checks_warnings_and_persistence(tmp_path):
    graphs = _labelled_graphs()
    with pytest.raises(TypeError, match="X is one graph.*pass \\[graph\\]"):
        WeisfeilerLehmanFeatures().fit(graphs[0])
    with pytest.raises(ValueError, match="different widths"):
        WeisfeilerLehmanFeatures().fit([graphs[0], Graph(np.eye(2), np.ones((2, 2)))])
    step = WeisfeilerLehmanFeatures(n_iter=1).fit(graphs)
    with pytest.raises(ValueError, match=r"X\[0\] has 2 node features, but "
                                         "WeisfeilerLehmanFeatures was fitted on 3"):
        step.transform([Graph(np.eye(2), np.ones((2, 2)))])
    with pytest.raises(ValueError, match="n_iter"):
        WeisfeilerLehmanFeatures(n_iter=-1).fit(graphs)
    rng = np.random.default_rng(0)
    continuous = [Graph(g.adjacency, rng.normal(size=(g.n_nodes, 2))) for g in graphs]
    with pytest.warns(UserWarning, match="most nodes have a colour of their own.*"
                                         "KBinsDiscretizer"):
        WeisfeilerLehmanFeatures().fit(continuous)
    # an integer attribute of many values beside the labels: few colours at first, most
    # nodes their own after one round (PROTEINS' attribute)
    many = [Graph(g.adjacency, np.column_stack([g.features, rng.integers(0, 8, g.n_nodes)]))
            for g in graphs]
    with pytest.warns(UserWarning, match="within one round: most nodes"):
        WeisfeilerLehmanFeatures().fit(many)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        WeisfeilerLehmanFeatures().fit(graphs)
    expected = step.transform(graphs[:5])
    step.save(tmp_path / "wl.skgraph")
    for again in (skgraph.load(tmp_path / "wl.skgraph"), pickle.loads(pickle.dumps(step))):
        assert (again.transform(graphs[:5]) != expected).nnz == 0
