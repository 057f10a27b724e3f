import pickle
import sys
import warnings

import networkx as nx
import numpy as np
import pytest
import scipy.sparse as sp
import torch
from torch_geometric.data import Data

from skgraph import GNNNodeClassifier, Graph, as_graph, to_networkx
from skgraph._graph import check_complete_features, is_single_graph


def test_graph_canonical_form(small_adjacency):
    A, X = small_adjacency
    G = Graph(A, X)
    assert isinstance(G.adjacency, sp.csr_array)
    assert G.adjacency.dtype == np.float64 and G.n_nodes == 6 and G.n_edges == 5
    assert len(G) == G.shape[0] == 6 and G.n_features == 3
    np.testing.assert_array_equal(G.features, X)
    assert not G.is_view and np.array_equal(G.node_index, np.arange(6))


@pytest.mark.parametrize("form", ["csr_matrix", "coo_array", "csc_matrix", "dense", "list"])
def test_graph_accepts_adjacency_forms(small_adjacency, form):
    A, _ = small_adjacency
    given = {"csr_matrix": sp.csr_matrix(A), "coo_array": sp.coo_array(A),
             "csc_matrix": sp.csc_matrix(A), "dense": A.toarray(),
             "list": A.toarray().tolist()}[form]
    assert (Graph(given).adjacency != A).nnz == 0


def test_directed_input_is_symmetrised_with_max_weight_and_self_loops_dropped():
    A = np.array([[5.0, 2.0, 0.0], [0.0, 0.0, 3.0], [0.0, 1.0, 0.0]])
    G = Graph(A)
    expected = np.array([[0, 2, 0], [2, 0, 3], [0, 3, 0]], dtype=float)
    np.testing.assert_array_equal(G.adjacency.toarray(), expected)
    assert G.n_edges == 2


def test_isolated_nodes_are_kept():
    A = np.zeros((4, 4))
    A[0, 1] = A[1, 0] = 1
    G = Graph(A)
    assert G.n_nodes == 4 and G.n_edges == 1


def test_graph_is_immutable_and_does_not_alias_caller_data(small_adjacency):
    A, X = small_adjacency
    A0, X0 = A.copy(), X.copy()
    G = Graph(A, X)
    with pytest.raises(AttributeError, match="immutable"):
        G.features = None
    with pytest.raises(ValueError):
        G.features[0, 0] = 1.0  # read-only
    X[0, 0] = 99.0  # the caller's array is theirs: the graph kept a copy
    assert G.features[0, 0] == X0[0, 0]
    X[0, 0] = X0[0, 0]
    assert abs(A - A0).sum() == 0


def test_sparse_features_stay_sparse_and_read_only(small_adjacency):
    A, X = small_adjacency
    G = Graph(A, sp.csr_matrix(X))
    assert sp.issparse(G.features) and G.features.dtype == np.float64
    with pytest.raises(ValueError):
        G.features.data[0] = 1.0


def test_scipys_in_place_methods_change_a_copy_never_the_graph(small_adjacency):
    A, X = small_adjacency
    G = Graph(A, sp.csr_array(X))
    adjacency, features = G.adjacency.toarray(), G.features.toarray()
    for matrix in (G.adjacency, G.features):
        matrix.resize((9, 9))
    G.adjacency.setdiag(5.0)
    G.adjacency.data = np.zeros(G.n_edges * 2)
    G.features.data = np.zeros(G.features.nnz)
    np.testing.assert_array_equal(G.adjacency.toarray(), adjacency)
    np.testing.assert_array_equal(G.features.toarray(), features)
    with pytest.raises(ValueError, match="read-only"):  # the arrays themselves are shared
        G.adjacency.data[0] = 7.0


@pytest.mark.parametrize("key, expected", [
    (np.array([3, 1, 2]), [3, 1, 2]),
    (slice(1, 6, 2), [1, 3, 5]),
    (slice(-2, None), [4, 5]),
    (np.array([True, False, True, False, False, True]), [0, 2, 5]),
    ((np.array([4, 0]), Ellipsis), [4, 0]),
    ((np.array([4, 0]), slice(None)), [4, 0]),
    (2, [2]),
])
def test_node_views(small_adjacency, key, expected):
    G = Graph(*small_adjacency)
    view = G[key]
    assert view.is_view and len(view) == len(expected) == view.shape[0]
    assert view.node_index.tolist() == expected
    assert view.n_nodes == 6 and view.adjacency.data is G.adjacency.data  # the whole graph, shared
    assert view.whole().node_index.tolist() == list(range(6))


def test_view_of_view_composes(small_adjacency):
    G = Graph(*small_adjacency)
    assert G[[5, 4, 3, 2]][[1, 3]].node_index.tolist() == [4, 2]


@pytest.mark.parametrize("key, match", [
    (np.array([0, 6]), "out of range"),
    (np.array([-7]), "negative positions"),
    ([0, -1], "get_indexer marks labels it does not find with -1"),
    (np.array([True, False]), "boolean mask has length 2"),
    (np.array([0.5, 1.0]), "integers or a boolean mask"),
    (np.zeros((2, 2), dtype=int), "1-D"),
    ((np.array([0]), 1), "indexed by node only"),
    (([1, 2], np.array([0, 1])), "indexed by node only"),
])
def test_bad_node_index(small_adjacency, key, match):
    with pytest.raises(IndexError, match=match):
        Graph(*small_adjacency)[key]
    with pytest.raises(ValueError, match=match):  # the same error is also a ValueError
        Graph(*small_adjacency)[key]


@pytest.mark.parametrize("adjacency, error, match", [
    (np.ones((3, 4)), ValueError, "square"),
    (sp.csr_array(np.ones((3, 4))), ValueError, "square"),
    (np.zeros((0, 0)), ValueError, "empty"),
    (np.array([[0, np.nan], [np.nan, 0]]), ValueError, "NaN or infinite"),
    (np.array([[0, np.inf], [1, 0]]), ValueError, "NaN or infinite"),
    (np.array([[0, -1.0], [-1.0, 0]]), ValueError, "negative edge weights"),
    (np.array([[0, 1j], [1j, 0]]), ValueError, "Complex data not supported"),
    (np.array([["a", "b"], ["c", "d"]]), TypeError, "dtype"),
    (np.array([[0, {}], [1, 0]], dtype=object), TypeError, "non-numeric"),
    (np.ones(3), ValueError, "2-D"),
    ([[0, 1], [1]], ValueError, "ragged"),
    ("graph", TypeError, "adjacency must be a 2-D array"),
    (None, TypeError, "adjacency must be a 2-D array"),
])
def test_bad_adjacency(adjacency, error, match):
    with pytest.raises(error, match=match):
        Graph(adjacency)


@pytest.mark.parametrize("features, error, match", [
    (np.ones((5, 2)), ValueError, "5 rows but the graph has 6 nodes"),
    (np.ones(6), ValueError, "Reshape your data"),
    (np.full((6, 2), np.inf), ValueError, "infinite values"),
    (sp.csr_array(np.full((6, 2), -np.inf)), ValueError, "infinite values"),
    (np.ones((6, 0)), ValueError, "0 feature"),
    (np.array([[{}]] * 6, dtype=object), TypeError, "non-numeric"),
])
def test_bad_features(small_adjacency, features, error, match):
    with pytest.raises(error, match=match):
        Graph(small_adjacency[0], features)


def test_as_graph_forms(small_adjacency):
    A, X = small_adjacency
    G = Graph(A, X)
    assert as_graph(G) is G
    for given in (A, A.toarray(), sp.coo_matrix(A)):
        assert as_graph(given).features is None and as_graph(given).n_edges == 5
    assert as_graph((A, X)).n_features == 3 and as_graph((A,)).features is None
    with pytest.raises(ValueError, match="edge_features has 6 rows but the adjacency stores 10"):
        as_graph((A, X, X))  # a third item is the edge features
    with pytest.raises(ValueError, match="length 4"):
        as_graph((A, X, None, X))
    with pytest.raises(TypeError, match="networkx graph or a torch_geometric Data"):
        as_graph("graph")
    with pytest.raises(TypeError, match="got list. A list holds several graphs"):
        as_graph([A, X])
    # what a splitter hands on when it selects rows of a matrix, or a user's pairs array
    with pytest.raises(ValueError, match="got shape \\(3, 6\\). Were its rows selected"):
        as_graph(A[:3])
    with pytest.raises(ValueError, match=r"got shape \(300, 4\). A table of one row per "
                                         r"node, such as a feature matrix, is not a graph"):
        as_graph(np.ones((300, 4)))  # what an estimator gets in fit(X, y) with tabular X
    with pytest.raises(ValueError,
                       match="looks like an edge list or node pairs.*Graph.from_edges"
                             ".*skgraph.NodePairs\\(G, pairs\\)"):
        as_graph(np.array([[0, 1], [1, 2], [0, 4]]))


def test_as_graph_networkx_keeps_weights_features_and_names():
    g = nx.Graph()
    g.add_edge("a", "b", weight=2.0)
    g.add_edge("b", "c")
    for i, v in enumerate(g.nodes):
        g.nodes[v]["x"] = [i, 10 * i]
    G = as_graph(g)
    assert G.n_nodes == 3 and G.n_edges == 2
    assert G.adjacency[0, 1] == 2.0 and G.adjacency[1, 2] == 1.0
    np.testing.assert_array_equal(G.features, [[0, 0], [1, 10], [2, 20]])
    assert G.node_names.tolist() == ["a", "b", "c"]
    with pytest.raises(ValueError, match="0 nodes"):
        as_graph(nx.Graph())
    g.nodes["a"].pop("x")
    with pytest.raises(ValueError, match="some networkx nodes"):
        as_graph(g)


def test_as_graph_reads_the_weights_from_the_attribute_named():
    g = nx.Graph()
    g.add_edge("u1", "i1", count=5, weight=0.5)
    g.add_edge("u1", "i2", count=2)
    with pytest.warns(UserWarning, match=r"numeric attributes \['weight'\], which are not"):
        G = as_graph(g, weight="count")  # the other one is unread
    assert G.adjacency[0, 1] == 5.0 and G.adjacency[0, 2] == 2.0
    np.testing.assert_array_equal(G.adjacency.toarray(),
                                  nx.to_scipy_sparse_array(g, weight="count").toarray())
    with pytest.warns(UserWarning, match=r"numeric attributes \['count'\]"):
        unweighted = as_graph(g, weight=None)
    assert set(unweighted.adjacency.data) == {1.0}
    with pytest.warns(UserWarning, match=r"numeric attributes \['count'\], which are not "
                                         r"read.*as_graph\(graph, weight=name\)"):
        default = as_graph(g)
    assert default.adjacency[0, 1] == 0.5 and default.adjacency[0, 2] == 1.0
    g.add_edge("u2", "i1", count="many")
    with pytest.raises(ValueError, match="has weight 'many'; an edge's 'count' attribute"):
        as_graph(g, weight="count")
    with pytest.raises(ValueError, match="weight= chooses the networkx edge attribute read as "
                                         "the weight .*, but the input is"):
        as_graph(np.eye(2), weight=None)
    with pytest.raises(ValueError, match="no networkx edge has the attribute 'cnt' named by "
                                         r"weight=; the edges' attributes are \['count', "):
        as_graph(g, weight="cnt")
    with pytest.raises(TypeError, match="weight must be the name of an edge attribute"):
        as_graph(g, weight=3)


def test_as_graph_pyg_data():
    data = Data(x=torch.ones(4, 2), edge_index=torch.tensor([[0, 1, 2], [1, 2, 3]]))
    G = as_graph(data)
    assert G.n_nodes == 4 and G.n_edges == 3 and G.n_features == 2
    bad = Data(x=torch.ones(2, 2), edge_index=torch.tensor([[0], [5]]))
    with pytest.raises(ValueError, match="outside 0..1"):
        as_graph(bad)


def test_pyg_sparse_adjacency_and_features_are_read():
    import torch_geometric.transforms as T

    edges = torch.tensor([[0, 1, 1, 2], [1, 0, 2, 1]])
    data = Data(x=torch.randn(3, 2), edge_index=edges, edge_weight=torch.tensor([1.0, 1, 3, 3]))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # torch's notes on beta sparse CSR support
        sparse = T.ToSparseTensor()(data.clone())  # adj_t, no edge_index any more
    assert sparse.edge_index is None
    np.testing.assert_array_equal(as_graph(sparse).adjacency.toarray(),
                                  as_graph(data).adjacency.toarray())
    np.testing.assert_array_equal(as_graph(sparse).features, as_graph(data).features)
    bonds = Data(x=torch.randn(3, 2), adj_t=sparse.adj_t, edge_attr=torch.ones(4, 1))
    with pytest.raises(ValueError, match="edge_attr follows the rows of edge_index, which "
                                         "adj_t replaced"):
        as_graph(bonds)
    with pytest.raises(TypeError, match="Data.adj_t must be a sparse tensor"):
        as_graph(Data(x=torch.randn(3, 2), adj_t=torch.eye(3)))
    x = torch.eye(3).to_sparse()
    G = as_graph(Data(x=x, edge_index=edges))
    assert sp.issparse(G.features) and (G.features.toarray() == np.eye(3)).all()


def test_pyg_integer_ids_and_unread_node_attributes_warn():
    edges = torch.tensor([[0, 1], [1, 2]])
    with pytest.warns(UserWarning, match=r"Data.x holds integers \(dtype torch.int64\), read "
                                         r"as amounts.*OneHotEncoder"):
        G = as_graph(Data(x=torch.tensor([[6], [8], [1]]), edge_index=edges))
    assert G.features.ravel().tolist() == [6, 8, 1]
    with pytest.warns(UserWarning, match=r"node attributes \['pos', 'z'\] are not read"):
        G = as_graph(Data(pos=torch.randn(3, 3), z=torch.tensor([6, 8, 1]), edge_index=edges,
                          train_mask=torch.ones(3, dtype=torch.bool), num_nodes=3))
    assert G.features is None
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # x read (pos beside it is the user's choice), floats
        as_graph(Data(x=torch.randn(3, 2), pos=torch.randn(3, 3), edge_index=edges))
        # edge labels of a link split (3 of them, as many as nodes), NumPy attributes
        as_graph(Data(edge_index=edges, num_nodes=3, edge_label=torch.ones(3),
                      edge_label_index=torch.zeros(2, 3, dtype=torch.long), meta=np.zeros(5)))
        as_graph(Data(edge_index=edges, y=torch.tensor([0, 1, 0]),
                      train_mask=torch.ones(3, dtype=torch.bool), num_nodes=3))


def test_pyg_unread_edge_attributes_warn():
    from torch_geometric.data import HeteroData

    hetero = HeteroData()
    hetero["user"].x = torch.randn(3, 2)
    hetero["item"].x = torch.randn(2, 2)
    hetero["user", "buys", "item"].edge_index = torch.tensor([[0, 1, 2], [0, 1, 1]])
    hetero["user", "knows", "user"].edge_index = torch.tensor([[0, 1], [1, 2]])
    with pytest.warns(UserWarning, match=r"edge attributes \['edge_type'\] are not read.*"
                                         r"one_hot\(data.edge_type\)"):
        G = as_graph(hetero.to_homogeneous())  # what the HeteroData error advises
    assert G.edge_features is None and G.n_nodes == 5
    edges = torch.tensor([[0, 1], [1, 2]])
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # read as edge_attr; a link split's labels and pairs
        as_graph(Data(edge_index=edges, num_nodes=3, edge_attr=torch.ones(2, 1),
                      edge_type=torch.tensor([0, 1])))
        as_graph(Data(edge_index=edges, num_nodes=3, edge_label=torch.ones(2),
                      edge_label_index=torch.zeros(2, 2, dtype=torch.long)))


def test_pyg_containers_get_errors_that_lead_somewhere():
    from torch_geometric.data import HeteroData

    hetero = HeteroData()
    hetero["user"].x = torch.randn(2, 3)
    with pytest.raises(TypeError, match=r"convert it with data.to_homogeneous\(\)"):
        as_graph(hetero)
    with pytest.raises(TypeError, match=r"adjacency is a torch_geometric HeteroData object "
                                        r"\(HeteroData\).*use skgraph.as_graph"):
        Graph(hetero)
    dataset = torch.utils.data.TensorDataset(torch.zeros(3))  # any sized torch dataset
    with pytest.raises(TypeError, match=r"for its one graph .* pass dataset\[0\]"):
        as_graph(dataset)
    assert not is_single_graph(dataset)


def test_graph_pickles(small_adjacency):
    G = Graph(*small_adjacency)[[1, 2]]
    H = pickle.loads(pickle.dumps(G))
    assert H.node_index.tolist() == [1, 2] and (H.adjacency != G.adjacency).nnz == 0
    assert repr(H) == "Graph(n_nodes=6, n_edges=5, n_features=3, view of 2 nodes)"


def test_node_names_must_be_unique_and_are_read_only():
    A = np.ones((3, 3)) - np.eye(3)
    with pytest.raises(ValueError, match="node_names must be unique; 'a' names two nodes"):
        Graph(A, node_names=["a", "b", "a"])
    names = np.array(["a", "b", "c"])
    G = Graph(A, node_names=names)
    names[0] = "z"  # the caller's array stays the caller's
    assert G.node_names.tolist() == ["a", "b", "c"] and not G.node_names.flags.writeable



# -- edge features -----------------------------------------------------------------------
def _bonds():
    """A 4-node molecule-like graph as an edge list with one-hot bond types."""
    edges = [(0, 1), (1, 2), (2, 3), (3, 0)]
    bonds = np.array([[1, 0], [0, 1], [1, 0], [0, 1]], dtype=float)
    return edges, bonds


def test_edge_features_follow_the_canonical_entries_from_every_input_form():
    from torch_geometric.data import Data

    edges, bonds = _bonds()
    rows = [u for u, v in edges] + [v for u, v in edges]
    cols = [v for u, v in edges] + [u for u, v in edges]
    both = np.vstack([bonds, bonds])
    coo = sp.coo_array((np.ones(8), (rows, cols)), shape=(4, 4))
    expected = Graph(coo, edge_features=both)
    A = expected.adjacency
    entry_rows = np.repeat(np.arange(4), np.diff(A.indptr))
    lookup = {(u, v): b for (u, v), b in zip(edges, bonds)} | {(v, u): b for (u, v), b in
                                                               zip(edges, bonds)}
    np.testing.assert_array_equal(expected.edge_features,
                                  [lookup[(i, j)] for i, j in zip(entry_rows, A.indices)])
    forms = {
        "tuple": (coo, None, both),
        "one direction": (sp.coo_array((np.ones(4), ([u for u, _ in edges],
                                                     [v for _, v in edges])), shape=(4, 4)),
                          None, bonds),
        "pyg": Data(edge_index=torch.tensor([rows, cols]), edge_attr=torch.tensor(both),
                    num_nodes=4),
        "networkx": nx.Graph([(u, v, {"edge_attr": b}) for (u, v), b in zip(edges, bonds)]),
        "networkx named attribute": (nx.Graph([(u, v, {"bond": b}) for (u, v), b in
                                               zip(edges, bonds)]), ["bond"]),
    }
    for name, form in forms.items():
        if name == "networkx named attribute":
            G = as_graph(form[0], edge_attributes=form[1])
        else:
            G = as_graph(form)
        np.testing.assert_array_equal(G.edge_features, expected.edge_features, err_msg=name)
        assert G.n_edge_features == 2
    # back out to networkx and in again
    again = as_graph(to_networkx(expected))
    np.testing.assert_array_equal(again.edge_features, expected.edge_features)
    # views, new features and pickling keep them
    view = expected[[2, 0]]
    assert view.edge_features is expected.edge_features
    assert expected.with_features(np.ones((4, 1))).edge_features is expected.edge_features
    np.testing.assert_array_equal(pickle.loads(pickle.dumps(expected)).edge_features,
                                  expected.edge_features)


def test_edge_features_drop_with_self_loops_and_zeros_and_are_copied_read_only():
    A = sp.coo_array(([1.0, 1.0, 1.0, 0.0], ([0, 1, 1, 0], [1, 0, 1, 2])), shape=(3, 3))
    E = np.array([[5.0], [5.0], [9.0], [7.0]])  # (1, 1) a self loop, (0, 2) an explicit zero
    G = Graph(A, edge_features=E)
    assert G.n_edges == 1 and G.edge_features.tolist() == [[5.0], [5.0]]
    E[0, 0] = 1.0
    assert G.edge_features[0, 0] == 5.0 and not G.edge_features.flags.writeable
    with pytest.raises(ValueError, match="read-only"):
        G.edge_features[0, 0] = 2.0


@pytest.mark.parametrize("edge_features, error, match", [
    (np.array([[1.0], [2.0]]), ValueError, r"disagree on the undirected edge \(0, 1\)"),
    (np.array([[1.0], [np.nan]]), ValueError, "NaN or infinite"),
    (np.array([[1.0], [np.inf]]), ValueError, "NaN or infinite"),
    (np.array([[1.0]]), ValueError, "1 rows but the adjacency stores 2 entries"),
    (np.array([1.0, 1.0]), ValueError, "must be 2-D"),
    (np.array([["a"], ["b"]]), TypeError, "edge_features has dtype"),
    (np.zeros((2, 0)), ValueError, "0 columns"),
])
def test_bad_edge_features(edge_features, error, match):
    A = np.array([[0, 1], [1, 0]])
    with pytest.raises(error, match=match):
        Graph(A, edge_features=edge_features)


def test_edge_feature_errors_name_the_edge_and_the_input_as_the_user_gave_them():
    A = np.array([[0, 1], [1, 0]])
    with pytest.raises(ValueError, match=r"disagree on the undirected edge \('C1', 'C2'\)"):
        Graph(A, edge_features=[[1.0], [2.0]], node_names=["C1", "C2"])
    D = nx.DiGraph()
    D.add_edge("C1", "C2", bond=1)
    D.add_edge("C2", "C1", bond=2)
    with pytest.raises(ValueError, match=r"undirected edge \('C1', 'C2'\)"):
        as_graph(D, edge_attributes=["bond"])
    data = Data(edge_index=torch.tensor([[0, 1], [1, 0]]), edge_attr=torch.ones(3, 2),
                num_nodes=2)
    with pytest.raises(ValueError, match="Data.edge_attr has 3 rows but Data.edge_index has 2"):
        as_graph(data)
    for other in (A, (A, None), Graph(A), data):
        with pytest.raises(ValueError, match="edge_attributes names networkx edge attributes"):
            as_graph(other, edge_attributes=["bond"])


def test_a_graph_is_refused_at_once_as_an_array():
    # numpy would otherwise recurse through node views (len and getitem) for seconds
    G = Graph(sp.random(2000, 2000, density=1e-3, format="csr", random_state=0))
    for view in (G, G[[3, 1]]):
        with pytest.raises(TypeError, match="a Graph is not an array.*fit\\(G, y\\) with -1"):
            np.asarray(view)


def test_tools_that_index_feature_columns_get_the_clear_error():
    from sklearn.inspection import partial_dependence

    from skgraph import GNNNodeClassifier
    from skgraph.datasets import make_community_graph

    G, y = make_community_graph(n_nodes=40, n_features=3, random_state=0)
    clf = GNNNodeClassifier(max_epochs=2, random_state=0).fit(G[:20], y[:20])
    for view in (G, G[20:]):  # it takes anything with __array__ for an array, reads shape[1]
        with pytest.raises(TypeError, match="a Graph is not an array.*partial_dependence.*"
                                            "skgraph.inspection.permutation_importance"):
            partial_dependence(clf, view, features=[0])
    assert G.shape == (40,) and G[20:].shape[0] == 20 and G.shape[-1] == 40
    assert pickle.loads(pickle.dumps(G.shape)) == (40,)


def test_self_training_gets_a_clear_error_naming_the_alternative():
    from sklearn.semi_supervised import SelfTrainingClassifier

    from skgraph import GNNNodeClassifier
    from skgraph.datasets import make_community_graph

    G, y = make_community_graph(n_nodes=40, random_state=0)
    partial = np.where(np.arange(40) % 4 == 0, y, -1)
    with pytest.raises(TypeError, match="a Graph is not an array"):
        SelfTrainingClassifier(GNNNodeClassifier(max_epochs=2)).fit(G, partial)


def test_a_tuple_with_misshapen_features_is_one_graph_with_a_clear_error(small_adjacency):
    from skgraph._graph import is_single_graph

    A = small_adjacency[0]
    n = A.shape[0]
    X = np.ones((n - 1, 3))
    assert is_single_graph((A, X))  # not two graphs: X cannot be an adjacency
    assert not is_single_graph((A, sp.csr_array(np.ones((2, 2)))))  # two graphs
    with pytest.raises(ValueError, match=f"features has {n - 1} rows but the graph has {n} "
                                         "nodes"):
        as_graph((A, X))


def test_pyg_and_networkx_inputs_with_odd_attributes():
    edge_index = torch.tensor([[0, 1, 1, 2], [1, 0, 2, 1]])
    x = torch.randn(3, 2)
    G = as_graph(Data(x=x.to(torch.bfloat16), edge_index=edge_index))
    np.testing.assert_array_equal(G.features, x.to(torch.bfloat16).float().numpy())
    with pytest.raises(ValueError, match="edge_weight has 3 entries but Data.edge_index has 4"):
        as_graph(Data(x=x, edge_index=edge_index, edge_weight=torch.ones(3)))
    g = nx.path_graph(3)
    for v, width in zip(g.nodes, (2, 2, 3)):
        g.nodes[v]["x"] = np.ones(width)
    with pytest.raises(ValueError, match=r"node attribute 'x' has different lengths on "
                                         r"different nodes \(\[2, 3\]\)"):
        as_graph(g)
    for weight in ("heavy", None):
        h = nx.path_graph(3)
        h.edges[0, 1]["weight"] = weight
        with pytest.raises(ValueError, match=r"the networkx edge \(0, 1\) has weight"):
            as_graph(h)


def test_node_names_are_kept_as_given():
    A = np.array([[0, 1, 1], [1, 0, 0], [1, 0, 0.0]])
    mixed = Graph(A, node_names=["a", 2, 3.5])
    assert mixed.node_names.tolist() == ["a", 2, 3.5]
    assert [type(n) for n in mixed.node_names.tolist()] == [str, int, float]
    assert Graph(A[:2, :2], node_names=[1, "1"]).node_names.tolist() == [1, "1"]
    assert Graph(A[:2, :2], node_names=[(0, 0), (0, 1)]).node_names.tolist() == [(0, 0), (0, 1)]
    assert Graph(A, node_names=["x", "y", "z"]).node_names.dtype.kind == "U"
    assert Graph(A, node_names=range(3)).node_names.dtype.kind == "i"
    with pytest.raises(ValueError, match="one entry per node"):
        Graph(A, node_names=np.zeros((3, 2)))
    with pytest.raises(TypeError, match="node_names must be a sequence of names, got str"):
        Graph(A, node_names="abc")


def test_networkx_attributes_that_are_not_numbers_are_named():
    H = nx.path_graph(3)
    nx.set_edge_attributes(H, "single", "bond")
    with pytest.raises(ValueError, match="the networkx edge \\(0, 1\\)'s attribute 'bond' is "
                                         "'single' \\(not numeric\\); it must be a number"):
        as_graph(H, edge_attributes=["bond"])
    # what np.asarray(..., dtype=float) would read silently: numeric strings, None, matrices
    for value, problem in [("2", "not numeric"), (None, "not numeric"),
                           (["1", "2"], "not numeric"), (np.eye(2), "a 2-D array")]:
        H = nx.path_graph(3)
        nx.set_edge_attributes(H, {(0, 1): value, (1, 2): 1.0}, "bond")
        with pytest.raises(ValueError, match=f"(?s)edge \\(0, 1\\)'s attribute 'bond' is .*"
                                             f"\\({problem}"):
            as_graph(H, edge_attributes=["bond"])
    H = nx.path_graph(3)
    nx.set_edge_attributes(H, np.array([1, 2.5], dtype=object), "bond")  # numbers as objects
    np.testing.assert_array_equal(as_graph(H, edge_attributes="bond").edge_features[0], [1, 2.5])
    assert as_graph(H, edge_attributes=[]).edge_features is None  # none, on purpose
    H = nx.path_graph(3)
    nx.set_node_attributes(H, {0: "ab", 1: [1.0], 2: [2.0]}, "x")
    stray = as_graph(H)  # node features hold text: kept for a pipeline, named by estimators
    assert stray.features[:, 0].tolist() == ["ab", 1.0, 2.0]
    with pytest.raises(TypeError, match="column 0 holds numbers and text \\('ab' at node 0\\)"):
        GNNNodeClassifier().fit(stray[[1, 2]], [0, 1])
    H = nx.path_graph(3)  # tensors that require grad, as a model's output would
    nx.set_node_attributes(H, {i: torch.full((2,), float(i), requires_grad=True)
                               for i in range(3)}, "x")
    np.testing.assert_array_equal(as_graph(H).features, [[0, 0], [1, 1], [2, 2]])
    floats = as_graph(nx.Graph([(0.0, 1.0), (1.0, 2.0)]))  # equal to positions, yet names
    assert [type(v) for v in floats.node_names.tolist()] == [float] * 3
    assert list(to_networkx(floats).nodes) == [0.0, 1.0, 2.0]
    assert as_graph(nx.path_graph(3)).node_names is None
    tuples = nx.Graph([((0, 0), (0, 1)), ((0, 1), (1, 1))])
    assert as_graph(tuples).node_names.tolist() == [(0, 0), (0, 1), (1, 1)]
    with pytest.raises(TypeError, match="a graph tuple holds an adjacency matrix, not a Graph; "
                                        "pass the Graph itself"):
        as_graph((nx.path_graph(3), np.ones((3, 1))))


def test_read_only_after_pickling_and_small_integer_indices():
    import copy

    A = sp.csr_array(np.array([[0, 1, 0], [1, 0, 1], [0, 1, 0]], float))
    G = Graph(A, np.eye(3), node_names=list("abc"))
    for H in (pickle.loads(pickle.dumps(G)), copy.deepcopy(G),
              pickle.loads(pickle.dumps(G[[2, 0]]))):
        with pytest.raises(ValueError, match="read-only"):
            H.features[0, 0] = 99
        with pytest.raises(ValueError, match="read-only"):
            H.adjacency.data[0] = 5
        with pytest.raises(ValueError, match="read-only"):
            H.node_names[0] = "z"
    view = pickle.loads(pickle.dumps(G[[2, 0]]))
    with pytest.raises(ValueError, match="read-only"):
        view.node_index[0] = 1
    ring = Graph(sp.eye_array(300, k=1) + sp.eye_array(300, k=-1))
    assert ring[np.array([1, 2], dtype=np.uint8)].node_index.tolist() == [1, 2]
    assert ring[np.array([127], dtype=np.int8)].node_index.tolist() == [127]


def test_a_data_frame_adjacency_is_a_graph_everywhere():
    pd = pytest.importorskip("pandas")
    A = np.array([[0, 1, 1], [1, 0, 0], [1, 0, 0.0]])
    frame = pd.DataFrame(A)
    assert as_graph(frame).n_edges == Graph(A).n_edges == 2
    from skgraph._graph import is_single_graph
    assert is_single_graph(frame)


# -- repeated entries, torch sparse tensors, other libraries' graphs --------------------
@pytest.mark.parametrize("weights, minimum", [([-1.0, 2.0, 1.0], "-1"),  # sums to 1
                                              ([-5.0, 5.0, 1.0], "-5"),  # sums to 0
                                              ([-3.0, 1.0, 1.0], "-3")])  # sums to -2
def test_a_negative_weight_in_a_repeated_entry_is_refused_as_given(weights, minimum):
    rows, cols = np.array([0, 0, 1]), np.array([1, 1, 2])
    coo = sp.coo_array((np.array(weights), (rows, cols)), shape=(3, 3))
    csr = sp.csr_array((np.array(weights), cols, np.array([0, 2, 3, 3])), shape=(3, 3))
    for form in (coo, csr, csr.tocsc()):
        assert form.nnz == 3  # the repeated entry is stored twice
        with pytest.raises(ValueError, match=rf"negative edge weights \(minimum {minimum}\)"):
            Graph(form)
    edge_index = torch.tensor([[0, 0, 1, 1, 1, 2], [1, 1, 0, 0, 2, 1]])
    data = Data(edge_index=edge_index, edge_weight=torch.tensor([-1.0, 2, -1, 2, 1, 1]),
                num_nodes=3)
    with pytest.raises(ValueError, match=r"edge_weight has negative weights \(minimum -1\)"):
        as_graph(data)
    # positive repeated entries are summed, as scipy does
    summed = sp.coo_array((np.array([1.0, 2.0]), (np.array([0, 0]), np.array([1, 1]))),
                          shape=(2, 2))
    assert Graph(summed).adjacency.toarray().tolist() == [[0, 3], [3, 0]]


def test_pyg_edge_index_must_be_an_integer_tensor():
    for dtype in (torch.float32, torch.float64, torch.bool):
        data = Data(edge_index=torch.tensor([[0.9], [2.9]]).to(dtype), num_nodes=3)
        with pytest.raises(TypeError, match=f"edge_index has dtype {dtype}; node ids must be "
                                            "integers"):
            as_graph(data)
    with pytest.raises(TypeError, match="edge_index must be a torch tensor of node ids .* "
                                        "got ndarray; convert it with torch.as_tensor"):
        as_graph(Data(edge_index=np.array([[0, 1], [1, 0]]), num_nodes=2))
    small = Data(edge_index=torch.tensor([[0, 1], [1, 0]], dtype=torch.int32), num_nodes=2)
    assert as_graph(small).n_edges == 1


def test_graph_refuses_other_libraries_graphs_pointing_at_as_graph():
    for graph, kind in ((nx.path_graph(3), "networkx graph"), (nx.DiGraph([(0, 1)]),
                                                                "networkx graph"),
                        (Data(edge_index=torch.tensor([[0, 1], [1, 0]]), num_nodes=2),
                         "torch_geometric Data object")):
        with pytest.raises(TypeError, match=f"adjacency is a {kind} .*not an adjacency "
                                            "matrix; use skgraph.as_graph"):
            Graph(graph)


def test_node_names_must_be_hashable():
    A = np.ones((3, 3))
    with pytest.raises(TypeError, match=r"node_names must be hashable .*node_names\[1\] is "
                                        r"\[2\], a list"):
        Graph(A, node_names=[1, [2], [3]])
    with pytest.raises(TypeError, match=r"node_names\[0\] is \[1\], a list"):
        Graph(A, np.eye(3), node_names=[[1], [2], [3]])


@pytest.mark.filterwarnings("ignore:Sparse CSR tensor support:UserWarning",
                            "ignore:Sparse invariant checks:UserWarning")
def test_torch_sparse_adjacency_is_read_without_densifying():
    indices = torch.tensor([[0, 0, 1, 1, 2], [1, 1, 0, 2, 1]])
    sparse = torch.sparse_coo_tensor(indices, torch.tensor([1.0, 2, 3, 1, 1]), (3, 3))
    expected = [[0, 3, 0], [3, 0, 1], [0, 1, 0]]  # repeated entries summed
    for form in (sparse, sparse.coalesce().to_sparse_csr(), sparse.coalesce().to_sparse_csc()):
        assert Graph(form).adjacency.toarray().tolist() == expected
    assert Graph(np.ones((3, 3)), sparse).features.toarray().tolist() == [
        [0, 3, 0], [3, 0, 1], [0, 1, 0]]
    negative = torch.sparse_coo_tensor(indices, torch.tensor([-1.0, 2, 3, 1, 1]), (3, 3))
    with pytest.raises(ValueError, match=r"negative edge weights \(minimum -1\)"):
        Graph(negative)
    hybrid = torch.sparse_coo_tensor(torch.tensor([[0, 1]]), torch.ones(2, 3), (3, 3))
    with pytest.raises(ValueError, match="adjacency is a hybrid sparse tensor"):
        Graph(hybrid)
    with pytest.raises(ValueError, match=r"adjacency must be 2-D, got a sparse tensor of "
                                         r"shape \(3,\)"):
        Graph(torch.sparse_coo_tensor(torch.tensor([[0, 2]]), torch.ones(2), (3,)))


@pytest.mark.filterwarnings("ignore:Sparse CSR tensor support:UserWarning",
                            "ignore:Sparse invariant checks:UserWarning")
def test_torch_tensors_are_one_graph_wherever_a_graph_is_accepted():
    A = torch.tensor([[0.0, 1, 0], [1, 0, 2], [0, 2, 0]])
    X = torch.arange(6.0).reshape(3, 2)
    expected = Graph(A.numpy(), X.numpy())
    for form in (A, A.to_sparse(), A.to_sparse_csr()):
        assert is_single_graph(form) and is_single_graph((form, X))
        assert as_graph(form).adjacency.toarray().tolist() == A.tolist()
        G = as_graph((form, X))
        assert (G.adjacency != expected.adjacency).nnz == 0
        np.testing.assert_array_equal(G.features, expected.features)
    assert not is_single_graph([A, A])
    assert not is_single_graph(torch.ones(3))
    # the estimators read it as one graph too, like the NumPy array it holds
    from skgraph import VGAEEmbedder

    fast = dict(max_epochs=3, random_state=0)
    np.testing.assert_array_equal(VGAEEmbedder(**fast).fit_transform((A, X)),
                                  VGAEEmbedder(**fast).fit_transform((A.numpy(), X.numpy())))


# -- edge lists ---------------------------------------------------------------------------
def _edge_frame():
    pd = pytest.importorskip("pandas")
    return pd.DataFrame({"source": ["ann", "bob", "bob", "eve", "cat"],
                         "target": ["bob", "cat", "dan", "ann", "dan"],
                         "weight": [1.0, 2.0, 0.5, 3.0, 1.5],
                         "kind": [0.0, 1.0, 1.0, 0.0, 1.0]})


def _in_order(G, names):
    """G's adjacency and edge features with its nodes put in the order of ``names``."""
    order = [G.node_names.tolist().index(name) for name in names]
    A = G.adjacency[order][:, order]
    E = sp.csr_array((G.edge_features[:, 0] + 1, G.adjacency.indices, G.adjacency.indptr),
                     shape=G.adjacency.shape)[order][:, order]
    return A.toarray(), E.toarray()


def test_from_edges_equals_the_networkx_route():
    edges = _edge_frame()
    G = Graph.from_edges(edges, weight="weight", edge_features=["kind"])
    reference = as_graph(nx.from_pandas_edgelist(edges, "source", "target",
                                                 edge_attr=["weight", "kind"]),
                         edge_attributes=["kind"])
    assert G.node_names.tolist() == ["ann", "bob", "cat", "dan", "eve"]  # sorted names
    assert sorted(reference.node_names.tolist()) == G.node_names.tolist()
    for ours, theirs in zip(_in_order(G, G.node_names), _in_order(reference, G.node_names)):
        np.testing.assert_array_equal(ours, theirs)
    assert G.adjacency[1, 2] == 2.0 and G.adjacency[0, 4] == 3.0


def test_from_edges_node_order_comes_from_nodes_or_the_features_index():
    pd = pytest.importorskip("pandas")
    edges = _edge_frame()
    names = ["eve", "dan", "cat", "bob", "ann", "fay"]  # fay has no edge: isolated
    features = pd.DataFrame(np.arange(12.0).reshape(6, 2), index=names)
    G = Graph.from_edges(edges, features)
    assert G.node_names.tolist() == names and G.n_nodes == 6
    np.testing.assert_array_equal(G.features, features.to_numpy())
    assert G.adjacency[4, 3] == 1 and G.adjacency[[5]].nnz == 0
    # nodes reorders a DataFrame's rows by index
    H = Graph.from_edges(edges, features, nodes=names[::-1])
    assert H.node_names.tolist() == names[::-1]
    np.testing.assert_array_equal(H.features, features.to_numpy()[::-1])
    np.testing.assert_array_equal(H.adjacency.toarray(), G.adjacency.toarray()[::-1, ::-1])
    with pytest.raises(ValueError, match="features has no row for node 'zed'"):
        Graph.from_edges(edges, features, nodes=names + ["zed"])
    with pytest.raises(ValueError, match="edges row 1 names node 'cat', which is not among the 2 "
                                         "nodes given"):
        Graph.from_edges(edges, nodes=["ann", "bob"])


def test_from_edges_with_positions_and_array_features():
    X = np.arange(8.0).reshape(4, 2)
    G = Graph.from_edges(np.array([[0, 1], [2, 1], [1, 0]]), X)
    assert G.node_names is None and G.n_nodes == 4 and G.n_edges == 2
    np.testing.assert_array_equal(G.adjacency.toarray(),
                                  [[0, 1, 0, 0], [1, 0, 1, 0], [0, 1, 0, 0], [0, 0, 0, 0]])
    np.testing.assert_array_equal(G.features, X)
    with pytest.raises(ValueError, match="edges row 0 names node 4, but features has 4 rows"):
        Graph.from_edges([(0, 4)], X)
    with pytest.raises(TypeError, match="edges hold node positions .* must be integers"):
        Graph.from_edges([("a", "b")], X)


@pytest.mark.parametrize("pandas_installed", [True, False])  # hashed by pandas or a dict
def test_from_edges_keeps_names_as_given_and_sums_repeated_rows(pandas_installed, monkeypatch):
    if not pandas_installed:
        monkeypatch.setitem(sys.modules, "pandas", None)  # import pandas raises ImportError
    G = Graph.from_edges([(1, "a"), ("a", 2.5), (1, "a")])
    assert G.node_names.tolist() == [1, "a", 2.5]  # kinds kept, in order of appearance
    texts = Graph.from_edges([("b", "c"), ("a", "b"), ("c", "a"), ("b", "d")])
    assert texts.node_names.tolist() == ["a", "b", "c", "d"]  # text names sorted
    np.testing.assert_array_equal(texts.adjacency.toarray(),
                                  [[0, 1, 1, 0], [1, 0, 1, 1], [1, 1, 0, 0], [0, 1, 0, 0]])
    assert G.adjacency[0, 1] == 2.0 and G.adjacency[1, 2] == 1.0
    # columns by position, weights as an array, self loops dropped
    with pytest.warns(UserWarning, match=r"1 of the 3 edges rows join a node to itself "
                                         r"\(row 2: 5 and 5\).*are dropped"):
        H = Graph.from_edges(np.array([[5, 0, 7], [7, 9, 5], [5, 1, 5]]), source=2, target=0,
                             weight=[1.0, 4.0, 2.0])
    assert H.node_names.tolist() == [5, 7] and H.adjacency[0, 1] == 4.0 and H.n_edges == 1


def test_from_edges_warns_when_users_and_items_share_ids():
    pd = pytest.importorskip("pandas")
    ratings = pd.DataFrame({"user": [1, 1, 2, 3], "item": [1, 2, 3, 3]})
    with pytest.warns(UserWarning, match="2 of the 4 edges rows join a node to itself "
                                         r"\(row 0: 1 and 1\).*prefix each kind's ids"):
        merged = Graph.from_edges(ratings, source="user", target="item")
    assert merged.n_nodes == 3 and merged.n_edges == 2  # user 1 and item 1 became one node
    apart = pd.DataFrame({"user": "u" + ratings["user"].astype(str),
                          "item": "i" + ratings["item"].astype(str)})
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        G = Graph.from_edges(apart, source="user", target="item")
    assert G.n_nodes == 6 and G.n_edges == 4
    with pytest.warns(UserWarning, match=r"row 1: 2 and 2"):  # positions: named by position
        Graph.from_edges(np.array([[0, 1], [2, 2]]), np.zeros((3, 1)))


def test_from_edges_looks_numbers_up_by_value_and_refuses_missing_nodes():
    pd = pytest.importorskip("pandas")
    G = Graph.from_edges(np.array([[5.0, 7.0], [9.0, 5.0]]), nodes=[7, 5, 9, 11])
    assert G.node_names.tolist() == [7, 5, 9, 11]
    np.testing.assert_array_equal(G.adjacency.toarray()[1], [1, 0, 1, 0])
    with pytest.raises(ValueError, match="edges row 1 names node 8.0, which is not among"):
        Graph.from_edges(np.array([[5.0, 7.0], [8.0, 5.0]]), nodes=[7, 5, 9])
    frame = pd.DataFrame({"source": ["a", None, "b"], "target": ["b", "c", "c"]})
    with pytest.raises(ValueError, match="edges row 1 has a missing node \\(None or NaN\\)"):
        Graph.from_edges(frame)
    with pytest.raises(ValueError, match="edges row 0 has a missing node"):
        Graph.from_edges(np.array([[np.nan, 1.0], [1.0, 2.0]]))


def test_from_edges_bad_input_gets_clear_errors():
    pd = pytest.importorskip("pandas")
    edges = _edge_frame()
    with pytest.raises(ValueError, match="source 'src' is not a column of edges"):
        Graph.from_edges(edges, source="src")
    with pytest.raises(ValueError, match="weight must hold one value per edge \\(5\\)"):
        Graph.from_edges(edges, weight=[1.0, 2.0])
    with pytest.raises(ValueError, match="weight is -1 in edges row 0; edge weights must be "
                                         "finite and non-negative"):
        Graph.from_edges(edges, weight=-edges["weight"].to_numpy())
    with pytest.raises(ValueError, match="weight column 'weight' is nan in edges row 2"):
        Graph.from_edges(edges.assign(weight=[1.0, 2.0, np.nan, 1.0, 1.0]), weight="weight")
    with pytest.raises(TypeError, match="weight column 'kind' has dtype object holding text "
                                        "\\('1'\\); expected numbers"):
        Graph.from_edges(edges.assign(kind=np.array(["1", "0", "2.5", "0", "1"], dtype=object)),
                         weight="kind")
    with pytest.raises(ValueError, match="source and target name the same column"):
        Graph.from_edges(edges, source="source", target="source")
    names = ["ann", "bob", "cat", "dan", "eve"]
    accounts = pd.DataFrame({"age": [30.0, 41, 22, 35, 58], "region": list("nsnns")},
                            index=names)
    for regions in (accounts, accounts.astype({"region": "category"})):  # kept as text
        table = Graph.from_edges(edges, regions)
        assert table.features.dtype == object and table.features[:, 1].tolist() == list("nsnns")
        assert table.features[:, 0].tolist() == [30.0, 41, 22, 35, 58]
        with pytest.raises(TypeError, match="holding text \\(column 'region'\\)"):
            GNNNodeClassifier().fit(table, [0, 1, 0, 1, 0])
    with pytest.raises(TypeError, match="features column 'when' holds datetime64.* neither "
                                        "numbers nor text"):
        Graph.from_edges(edges, accounts.assign(when=pd.Timestamp("2026-01-01"))[["when"]])
    with pytest.raises(ValueError, match="features column 'age' is inf for node 'cat'; features "
                                         "must be finite or missing"):
        Graph.from_edges(edges, accounts[["age"]].assign(age=[1.0, 2, np.inf, 4, 5]))
    missing_age = accounts[["age"]].assign(age=[1.0, 2, None, 4, 5])  # kept, for an imputer
    kept = Graph.from_edges(edges, missing_age)
    assert np.isnan(kept.features[kept.positions(["cat"]), 0]).all()
    assert np.isnan(kept.features).sum() == 1
    with pytest.raises(ValueError, match="features' index repeats 'ann'"):
        Graph.from_edges(edges, accounts[["age"]].iloc[[0, 1, 2, 3, 4, 0]])
    with pytest.raises(ValueError, match="names node 'eve', which is not among the 4 nodes .*add "
                                         "it there .* or drop its edges"):
        Graph.from_edges(edges, accounts[["age"]].iloc[:4])
    with pytest.raises(ValueError, match="The edges hold int names, the nodes str ones: "
                                         "convert one to the other"):
        Graph.from_edges(pd.DataFrame({"source": [1], "target": [2]}),
                         pd.DataFrame({"x": [1.0, 2.0]}, index=["1", "2"]))
    nullable = Graph.from_edges(edges, accounts[["age"]].astype("Int64"))
    np.testing.assert_array_equal(nullable.features.ravel(), accounts["age"].to_numpy())
    with pytest.raises(ValueError, match="edge_features disagree on the undirected edge"):
        Graph.from_edges([("a", "b"), ("b", "a")], edge_features=[[1.0], [2.0]])
    with pytest.raises(TypeError, match="sparse matrix, which reads as an adjacency"):
        Graph.from_edges(sp.csr_array(np.eye(2)))
    with pytest.raises(ValueError, match="same number of columns in every row"):
        Graph.from_edges([(0, 1), (1, 2, 3.0)])
    with pytest.raises(ValueError, match="at least two columns"):
        Graph.from_edges(np.arange(3).reshape(3, 1))
    with pytest.raises(TypeError, match="column position \\(int\\) when edges is an array"):
        Graph.from_edges(np.array([[0, 1]]), source="source")
    with pytest.raises(TypeError, match="edges must be a DataFrame"):
        Graph.from_edges("a-b")
    before = edges.copy()
    Graph.from_edges(edges, weight="weight", edge_features=["kind"])
    assert edges.equals(before)


def test_text_in_object_arrays_is_not_read_as_numbers():
    text = Graph(np.ones((2, 2)), np.array([["1", 2], [3, 4]], dtype=object))
    assert text.features[0, 0] == "1"  # kept as text for a pipeline, never read as 1.0
    # a stray text among numbers is a data error, named as such
    stray = Graph(np.ones((3, 3)) - np.eye(3), [[1.5, 0], ["n/a", 1], [2.0, 1]],
                  node_names=["a", "b", "c"])
    with pytest.raises(TypeError, match=r"column 0 holds numbers and text \('n/a' at node "
                                        r"'b'\); convert it to numbers first"):
        GNNNodeClassifier().fit(stray[[0, 2]], [0, 1])
    with pytest.raises(TypeError, match="adjacency has dtype object holding text"):
        Graph(np.array([[0, "2.5"], [1, 0]], dtype=object))
    assert Graph(np.ones((2, 2)), np.array([[1, 2.5], [3, 4]], dtype=object)).n_features == 2
    # lists of rows: numbers (NumPy's fast path), booleans, missing values, text
    A = np.ones((2, 2))
    for rows, expected in (([[1, 2.5], [3, 4]], np.array([[1, 2.5], [3, 4]])),
                           (((True, False), (False, True)), np.eye(2)),
                           ([[1.0, np.nan], [3, 4]], np.array([[1.0, np.nan], [3, 4]]))):
        features = Graph(A, rows).features
        assert features.dtype == np.float64
        np.testing.assert_array_equal(features, expected)
    mixed = Graph(A, [[1.5, "a"], [None, "b"]]).features
    assert mixed.dtype == object and mixed[0, 1] == "a" and mixed[0, 0] == 1.5
    assert np.isnan(mixed[1, 0])


def test_a_graph_from_edges_takes_names_in_the_estimators():
    from skgraph import LinkPredictor

    G = Graph.from_edges(_edge_frame(), weight="weight")
    model = LinkPredictor(max_epochs=3, random_state=0).fit(G)
    by_name = model.predict_proba([("ann", "cat"), ("dan", "eve")])
    np.testing.assert_array_equal(by_name, model.predict_proba([(0, 2), (3, 4)]))


def test_nodes_are_selected_by_name_where_the_graph_has_names():
    pd = pytest.importorskip("pandas")
    G = Graph(np.ones((4, 4)), np.arange(8.0).reshape(4, 2), node_names=["a", "b", "c", "d"])
    for key in (["c", "a"], np.array(["c", "a"]), pd.Index(["c", "a"]),
                pd.Series(["c", "a"], index=[7, 8])):
        assert G[key].node_index.tolist() == [2, 0]
    assert G["b"].node_index.tolist() == [1]
    view = G[[3, 1, 2]]
    assert view[["c", "d"]].node_index.tolist() == [2, 3]  # names of the view's nodes
    with pytest.raises(IndexError, match="names 'a', which is not among the nodes of this view"):
        view[["a"]]
    with pytest.raises(IndexError, match="names 'zed', which is not a node of the graph"):
        G[["a", "zed"]]
    with pytest.raises(IndexError, match="holds 'a', a name, but the graph has no node names"):
        Graph(np.ones((2, 2)))[["a"]]
    # integers stay positions, also where the names are integers (scikit-learn's splitters
    # pass positions)
    H = Graph(np.ones((3, 3)), node_names=[10, 0, 1])
    assert H[[0, 1]].node_index.tolist() == [0, 1]
    assert H.positions([0, 10]).tolist() == [1, 0] and H.positions(np.int64(1)).tolist() == [2]
    assert G.positions(pd.Index(["d", "b"])).tolist() == [3, 1]
    with pytest.raises(IndexError, match="names 7, which is not a node of the graph"):
        H.positions([7])
    # a model fitted by names equals one fitted by positions
    from skgraph import GNNNodeClassifier

    y = np.array([0, 1])
    fast = dict(max_epochs=3, random_state=0)
    np.testing.assert_array_equal(
        GNNNodeClassifier(**fast).fit(G[["d", "a"]], y).predict_proba(G[["b", "c"]]),
        GNNNodeClassifier(**fast).fit(G[[3, 0]], y).predict_proba(G[[1, 2]]))


def test_name_lookups_are_cached_exact_for_large_integers_and_keep_views_fast():
    G = Graph(sp.csr_array((4, 4)), node_names=2**60 + np.array([4, 1, 2, 3], dtype=np.int64))
    # int64 names with uint64 keys: no float common type, compared exactly
    assert G.positions(np.array([2**60 + 1, 2**60 + 3], dtype=np.uint64)).tolist() == [1, 3]
    assert G.positions([2**60 + 3]).tolist() == [3] and G.positions([]).tolist() == []
    named = Graph(sp.csr_array((3, 3)), node_names=["a", "b", "c"])
    named["b"]
    assert named._lookup_cache and named[[0, 2]]._lookup_cache is named._lookup_cache
    again = pickle.loads(pickle.dumps(named))  # the cache is rebuilt, not stored
    assert again._lookup_cache == {} and again.positions(["c"]).tolist() == [2]
    pd = pytest.importorskip("pandas")
    pickled = pickle.loads(pickle.dumps(Graph(sp.csr_array((1, 1)), pd.DataFrame({"x": [1.0]}))))
    with pytest.raises(ValueError, match="read-only"):  # read-only again, as constructed
        pickled.feature_names[0] = "y"


def test_from_edges_more_refusals_and_float_tables():
    pd = pytest.importorskip("pandas")
    # a float table (a weight column beside the nodes) holds positions as whole numbers
    G = Graph.from_edges(np.array([[0, 1, 0.5], [1, 2, 2.0]]), np.eye(3), weight=2)
    assert G.adjacency[0, 1] == 0.5 and G.adjacency[1, 2] == 2.0
    with pytest.raises(ValueError, match="source and target name the same column \\(1\\)"):
        Graph.from_edges(np.array([[0, 1], [1, 2]]), source=1)
    with pytest.raises(ValueError, match="same column \\('source'\\)"):
        Graph.from_edges(pd.DataFrame({"source": ["a"], "target": ["b"]}), target="source")
    text = pd.DataFrame({"source": pd.array(["a", "b", pd.NA], dtype="string"),
                         "target": ["b", "c", "a"]})
    with pytest.raises(ValueError, match="edges row 2 has a missing node"):
        Graph.from_edges(text)


def test_missing_feature_values_are_kept_and_named_by_the_estimators_check():
    pd = pytest.importorskip("pandas")
    A = sp.csr_array(np.ones((3, 3)) - np.eye(3))
    X = np.array([[1.0, 2.0], [3.0, np.nan], [np.nan, 0.0]])
    dense = Graph(A, X)
    assert np.array_equal(np.isnan(dense.features), np.isnan(X))
    with pytest.raises(ValueError, match=r"Est got node features with missing values \(NaN\) in "
                                         r"X\[4\]: 2 in all, the first at node 1, column 1\."):
        check_complete_features(dense, "Est", " in X[4]")
    sparse = Graph(A, sp.csr_array(X))
    with pytest.raises(ValueError, match="first at node 1, column 1"):
        check_complete_features(sparse, "Est")
    frame = pd.DataFrame(X, columns=["age", "income"], index=["ann", "bob", "cat"])
    named = Graph(A, frame, node_names=frame.index)
    with pytest.raises(ValueError, match="first at node 'bob', column 'income'"):
        check_complete_features(named[[2]], "Est")  # a view: the whole graph's features
    check_complete_features(Graph(A, np.nan_to_num(X)), "Est")
    check_complete_features(Graph(A), "Est")


def test_networkx_node_attributes_by_name_and_unread_attributes_warn():
    H = nx.cycle_graph(["C1", "C2", "O3"])
    onehot = {"C1": [1, 0], "C2": [1, 0], "O3": [0, 1]}
    nx.set_node_attributes(H, onehot, "element")
    nx.set_node_attributes(H, {"C1": 0.0, "C2": -1.0, "O3": 1.0}, "charge")
    nx.set_node_attributes(H, "atom", "kind")  # text: never a feature, no warning
    nx.set_edge_attributes(H, 2.0, "bond_type")
    nx.set_edge_attributes(H, 1.0, "weight")
    G = as_graph(H, node_attributes=["element", "charge"], edge_attributes="bond_type")
    np.testing.assert_array_equal(G.features, [[1, 0, 0], [1, 0, -1], [0, 1, 1]])
    assert G.edge_features.ravel().tolist() == [2.0] * 6
    with pytest.warns(UserWarning) as record:
        bare = as_graph(H)
    messages = [str(w.message) for w in record]
    assert bare.features is None and bare.edge_features is None and len(messages) == 2
    assert "nodes carry numeric attributes ['element', 'charge'], which are not read" in \
        messages[0] and "as_graph(graph, node_attributes=[...])" in messages[0]
    assert "edges carry numeric attributes ['bond_type']" in messages[1]
    assert "weight" not in messages[1].split("]")[0]
    assert "not labels or ids" in messages[0] and "node_attributes=[] to read none" in \
        messages[0]
    nx.set_node_attributes(H, True, "train_mask")  # a mask, not a feature
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # features read, none on purpose, text, weights: silent
        as_graph(H, node_attributes=["charge"], edge_attributes=["bond_type"])
        chosen = as_graph(H, node_attributes=[], edge_attributes=[])
        as_graph(nx.karate_club_graph())
    assert chosen.features is None and chosen.edge_features is None
    molecule = nx.path_graph(3)
    nx.set_node_attributes(molecule, {0: "C", 1: "O", 2: "C"}, "label")  # GraKeL's form
    with pytest.warns(UserWarning, match=r"nodes carry text labels \['label'\], which are "
                                         r"not read.*node_attributes=\['label'\]"):
        assert as_graph(molecule).features is None
    assert as_graph(molecule, node_attributes=["label"]).features[:, 0].tolist() == \
        ["C", "O", "C"]
    with pytest.warns(UserWarning, match=r"numeric attributes \['age'\]"):  # after a None
        as_graph(_with_ages(nx.path_graph(3), [None, "n/a", 4.0]))
    # a node without a named attribute (absent, None) gets NaN: a missing value
    del H.nodes["O3"]["charge"]
    H.nodes["C2"]["charge"] = None
    holey = as_graph(H, node_attributes=["element", "charge"], edge_attributes=["bond_type"])
    np.testing.assert_array_equal(holey.features[:, :2], [[1, 0], [1, 0], [0, 1]])
    assert holey.features[0, 2] == 0.0 and np.isnan(holey.features[1:, 2]).all()
    H.nodes["O3"]["charge"] = [1.0, 2.0]
    with pytest.raises(ValueError, match=r"node attribute 'charge' has different lengths"):
        as_graph(H, node_attributes=["charge"])
    with pytest.raises(ValueError, match="no networkx node has a value of the attribute 'mass'"):
        as_graph(H, node_attributes=["mass"])
    with pytest.raises(ValueError, match="node_attributes names networkx node attributes"):
        as_graph(G, node_attributes=["charge"])


def _with_ages(graph, ages):
    nx.set_node_attributes(graph, dict(enumerate(ages)), "age")
    return graph


def test_pandas_missing_values_in_feature_frames_are_nan():
    pd = pytest.importorskip("pandas")
    A = np.ones((3, 3)) - np.eye(3)
    frames = [pd.DataFrame({"a": pd.array([1.0, None, 3.0], dtype="Float64"), "b": [1.0, 2, 3]}),
              pd.DataFrame({"a": pd.array([1, None, 3], dtype="Int64"), "b": [1.0, 2, 3]}),
              pd.DataFrame({"a": pd.Series([1.0, pd.NA, 3.0], dtype=object), "b": [1.0, 2, 3]}),
              pd.DataFrame({"a": [1.0, np.nan, 3.0], "b": [1, 2, 3]}).convert_dtypes()]
    edges = pd.DataFrame({"source": [0, 1], "target": [1, 2]})
    for frame in frames:
        for G in (Graph(A, frame), Graph.from_edges(edges, frame)):
            np.testing.assert_array_equal(G.features, [[1, 1], [np.nan, 2], [3, 3]])
            assert G.feature_names.tolist() == ["a", "b"]


def test_a_features_frame_indexed_by_names_names_the_nodes():
    pd = pytest.importorskip("pandas")
    A = np.array([[0, 1, 0], [1, 0, 1], [0, 1, 0]])
    frame = pd.DataFrame({"age": [30.0, 40.0, 50.0]}, index=["ann", "bob", "cat"])
    G = Graph(A, frame)
    assert G.node_names.tolist() == ["ann", "bob", "cat"]
    np.testing.assert_array_equal(G.features.ravel(), [30, 40, 50])
    # with node_names too, the rows are read by name
    H = Graph(A, frame, node_names=["cat", "ann", "bob"])
    np.testing.assert_array_equal(H.features.ravel(), [50, 30, 40])
    # names the index lacks: refused (a row could not be placed), with the positional remedy
    with pytest.raises(ValueError, match=r"features has no row for node 'dan'.*"
                                         r"reset_index\(drop=True\)"):
        Graph(A, frame, node_names=["ann", "bob", "dan"])
    other = Graph(A, frame.reset_index(drop=True), node_names=["a@x", "b@x", "c@x"])
    np.testing.assert_array_equal(other.features.ravel(), [30, 40, 50])
    assert Graph(A, frame.set_axis(["ann", "bob", "ann"])).node_names is None  # repeated
    assert Graph(A, frame.set_axis(pd.date_range("2026-01-01", periods=3))).node_names is None
    # numbers are no names (positions, or the rows a selection kept): integer node pairs
    # stay positions; node_names=df.index names nodes by number
    for index in (pd.RangeIndex(3), pd.Index([0, 1, 2]), pd.Index([5, 7, 9]), [0.5, 1, 2]):
        assert Graph(A, frame.set_axis(index)).node_names is None
    numbered = frame.set_axis([5, 7, 9])
    assert Graph(A, numbered, node_names=numbered.index).node_names.tolist() == [5, 7, 9]


def test_labels_indexed_by_the_frames_names_in_another_order_are_refused():
    pd = pytest.importorskip("pandas")
    from skgraph import GNNNodeClassifier
    from skgraph.datasets import make_community_graph

    G, y = make_community_graph(n_nodes=30, random_state=0)
    names = [f"acct{k}" for k in range(30)]
    frame = pd.DataFrame(G.features, index=names)
    shuffled = pd.Series(y, index=names).iloc[::-1]  # another order: would label wrong nodes
    with pytest.raises(ValueError, match="y is indexed by node names in another order than "
                                         "the nodes X selects"):
        GNNNodeClassifier(max_epochs=1).fit(Graph(G.adjacency, frame), shuffled)


def test_text_tables_are_kept_for_a_pipeline_and_refused_by_every_estimator():
    from skgraph import GNNGraphClassifier, VGAEEmbedder

    pd = pytest.importorskip("pandas")
    A = np.ones((4, 4)) - np.eye(4)
    table = pd.DataFrame({"title": ["graph nets", "deep sets", None, "graph kernels"],
                          "year": [2019, 2017, 2020, 2011],
                          "venue": pd.Categorical(["icml", "nips", "icml", "icml"])},
                         index=["a", "b", "c", "d"])
    before = table.copy()
    G = Graph(A, table)
    assert G.features.dtype == object and not G.features.flags.writeable
    assert G.feature_names.tolist() == ["title", "year", "venue"]
    assert G.node_names.tolist() == ["a", "b", "c", "d"] and table.equals(before)
    assert G.features[0].tolist() == ["graph nets", 2019, "icml"]
    assert np.isnan(G.features[2, 0])  # None is missing, as in numeric columns
    assert G[[3, 1]].features is G.features  # views share the table
    again = pickle.loads(pickle.dumps(G[[3, 1]]))
    assert again.node_index.tolist() == [3, 1] and not again.features.flags.writeable
    assert again.features[3, 0] == "graph kernels"
    suggestion = ("make_pipeline(NodeFeatureTransformer(ColumnTransformer([('title', "
                  "TfidfVectorizer(), 'title'), ('venue', OneHotEncoder(handle_unknown="
                  "'ignore'), ['venue'])], remainder=StandardScaler())), {}()). Fill the "
                  "missing texts of 'title' first (e.g. df.fillna({{'title': ''}})): "
                  "vectorizers refuse NaN.")
    for estimator, fit in [
            (GNNNodeClassifier, lambda est: est.fit(G[[0, 1]], [0, 1])),
            (VGAEEmbedder, lambda est: est.fit(G)),
            (GNNGraphClassifier, lambda est: est.fit([G, G], [0, 1]))]:
        where = " in X\\[0\\]" if estimator is GNNGraphClassifier else ""
        with pytest.raises(TypeError, match=f"{estimator.__name__} got node features holding "
                                            f"text{where} \\(columns 'title', 'venue'\\); a "
                                            "network reads numbers") as info:
            fit(estimator())
        assert suggestion.format(estimator.__name__) in str(info.value)
    # one column of free text: the vectorizer alone; categories: one-hot
    with pytest.raises(TypeError, match=r"NodeFeatureTransformer\(TfidfVectorizer\(\)\)"):
        GNNNodeClassifier().fit(Graph(A, table[["title"]].fillna(""))[[0, 1]], [0, 1])
    with pytest.raises(TypeError, match=r"NodeFeatureTransformer\(OneHotEncoder\("
                                        r"handle_unknown='ignore'\)\)"):
        VGAEEmbedder().fit(Graph(A, table[["venue"]]))


def test_a_sparse_data_frame_stays_sparse_with_its_column_names():
    pd = pytest.importorskip("pandas")
    X = sp.csr_array(np.array([[0, 2.0, 0], [1.0, 0, 0], [0, 0, 0], [0, 0, 3.0]]))
    words = pd.DataFrame.sparse.from_spmatrix(X, index=list("abcd"),
                                              columns=["graph", "kernel", "walk"])
    G = Graph(np.ones((4, 4)) - np.eye(4), words)
    assert sp.issparse(G.features) and G.features.nnz == 3  # never densified
    np.testing.assert_array_equal(G.features.toarray(), X.toarray())
    assert G.feature_names.tolist() == ["graph", "kernel", "walk"]
    assert G.node_names.tolist() == list("abcd")
    H = Graph.from_edges([("d", "a"), ("b", "c")], words.iloc[[3, 1, 0, 2]])
    assert sp.issparse(H.features) and H.node_names.tolist() == list("dbac")
    np.testing.assert_array_equal(H.features.toarray(), X.toarray()[[3, 1, 0, 2]])
    with pytest.raises(ValueError, match="infinite values"):
        Graph(np.ones((2, 2)), pd.DataFrame.sparse.from_spmatrix(
            sp.csr_array(np.array([[np.inf, 0], [0, 1.0]]))))


def test_text_tables_are_checked_and_travel_through_networkx():
    pd = pytest.importorskip("pandas")
    A = np.ones((3, 3)) - np.eye(3)
    papers = pd.DataFrame({"title": ["graph nets", "deep sets", None], "year": [2019.0, 2017, 2020]},
                          index=["a", "b", "c"])
    G = Graph(A, papers)
    again = as_graph(to_networkx(G))  # rows of text and numbers come back as a table
    assert again.node_names.tolist() == ["a", "b", "c"]
    assert again.features[:, 0].tolist()[:2] == ["graph nets", "deep sets"]
    assert np.isnan(again.features[2, 0]) and again.features[:, 1].tolist() == [2019, 2017, 2020]
    karate = as_graph(nx.karate_club_graph(), node_attributes=["club"])  # a text attribute
    assert karate.features.dtype == object and karate.features[0, 0] == "Mr. Hi"
    assert karate.feature_names.tolist() == ["club"]  # one value each: named by attribute
    # the texts count in the graph's size (the Dask backend ships large graphs once)
    assert sys.getsizeof(G) - sys.getsizeof(Graph(A, np.zeros((3, 2)))) >= len("graph nets")
    # the numbers of a table are checked as a numeric table's are; other kinds are refused
    with pytest.raises(ValueError, match="features column 'year' is inf for row 1"):
        Graph(A, papers.assign(year=[1.0, np.inf, 2.0]))
    with pytest.raises(TypeError, match="features column 'when' holds Timestamp values \\(row 0"):
        Graph(A, papers.assign(when=pd.Timestamp("2026-01-01")))


def test_disjoint_union_joins_graphs_side_by_side_for_the_node_level_estimators():
    from skgraph.datasets import make_community_graph

    parts = [make_community_graph(n_nodes=n, random_state=n)[0] for n in (40, 50, 30)]
    labels = [make_community_graph(n_nodes=n, random_state=n)[1] for n in (40, 50, 30)]
    union = Graph.disjoint_union(parts)
    assert union.n_nodes == 120 and union.n_edges == sum(g.n_edges for g in parts)
    np.testing.assert_array_equal(union.adjacency.toarray(), sp.block_diag(
        [g.adjacency for g in parts]).toarray())
    np.testing.assert_array_equal(union.features, np.concatenate([g.features for g in parts]))
    assert union.node_names is None
    # message passing never crosses parts: each part's predictions are those it gets alone
    model = GNNNodeClassifier(max_epochs=30, random_state=0).fit(union[:90],
                                                                  np.concatenate(labels[:2]))
    np.testing.assert_allclose(model.predict_proba(union[90:]), model.predict_proba(parts[2]),
                               atol=1e-6)
    # names (i, name), edge features aligned with each part's entries, sparse features
    named = Graph(sp.csr_array(np.array([[0, 1, 1], [1, 0, 0], [1, 0, 0]])), sp.eye_array(3),
                  edge_features=[[1.0], [2.0], [1.0], [2.0]], node_names=["x", "y", "z"])
    plain = Graph(np.array([[0, 3.0], [3.0, 0]]), np.ones((2, 3)), edge_features=[[5.0], [5.0]])
    joined = Graph.disjoint_union([named, plain[[1]]])  # a view: its whole graph
    assert joined.node_names.tolist() == [(0, "x"), (0, "y"), (0, "z"), (1, 0), (1, 1)]
    assert joined[[(1, 1), (0, "y")]].node_index.tolist() == [4, 1]  # selected by name
    assert sp.issparse(joined.features) and joined.features.shape == (5, 3)
    assert joined.edge_features.ravel().tolist() == [1.0, 2.0, 1.0, 2.0, 5.0, 5.0]
    assert joined.adjacency[3, 4] == 3.0
    with pytest.raises(ValueError, match="node features of different widths \\[2, 3\\]"):
        Graph.disjoint_union([Graph(np.ones((2, 2)), np.ones((2, 2))), plain])
    with pytest.raises(TypeError, match="graphs must be a non-empty sequence of graphs"):
        Graph.disjoint_union(plain)
    with pytest.raises(ValueError, match="graphs\\[1\\] is not a valid graph"):
        Graph.disjoint_union([plain, np.ones((2, 3))])


def test_node_level_estimators_point_a_list_of_graphs_to_the_union():
    from skgraph import GNNNodeRegressor

    G = Graph(np.ones((3, 3)) - np.eye(3), np.eye(3))
    for estimator in (GNNNodeClassifier(), GNNNodeRegressor()):
        with pytest.raises(TypeError, match="Graph.disjoint_union\\(graphs\\)"):
            estimator.fit([G, G], [[0, 1, 0], [1, 0, 1]])
        with pytest.raises(ValueError, match="y holds 2 arrays of different lengths \\(\\[2, 3\\]\\)"
                                             ".*np.concatenate"):
            estimator.fit(G, [np.array([0, 1]), np.array([1, 0, 1])])


def test_reader_edge_cases_of_tables_and_names():
    pd = pytest.importorskip("pandas")
    # a sparse frame filled with NaN (pandas' default) is read, densely
    nan_filled = pd.DataFrame({"a": [0.0, 1.0, 0.0]}).astype(pd.SparseDtype(float))
    np.testing.assert_array_equal(Graph(np.ones((3, 3)) - np.eye(3), nan_filled).features,
                                  [[0.0], [1.0], [0.0]])
    # pandas' own missing values among names are missing nodes, not a node
    with pytest.raises(ValueError, match="edges row 1 has a missing node"):
        Graph.from_edges(pd.DataFrame({"source": ["a", pd.NaT], "target": ["b", "c"]}))
    # a text column with no text (all missing) is missing numbers, not a table
    empty = Graph(np.ones((2, 2)) - np.eye(2),
                  pd.DataFrame({"title": pd.array([None, None], dtype="string")}))
    assert empty.features.dtype == np.float64 and np.isnan(empty.features).all()
    with pytest.raises(ValueError, match="node_names must be unique; 'a' names two nodes"):
        Graph.from_edges([("a", "b")], nodes=["a", "b", "a"])
    # labels given as a list of NumPy scalars are one label per node, not ragged arrays
    G = Graph(np.ones((3, 3)) - np.eye(3), np.eye(3))
    GNNNodeClassifier(max_epochs=2).fit(G, list(np.array([0, 1, 0])))


def test_the_adjacency_has_scipys_int32_indices_for_tools_that_need_them():
    from sklearn.manifold import SpectralEmbedding

    rows, cols = np.array([0, 1, 2, 3]), np.array([1, 2, 3, 0])
    A = sp.csr_array((np.ones(4), (rows, cols)), shape=(4, 4))
    A.indices, A.indptr = A.indices.astype(np.int64), A.indptr.astype(np.int64)
    G = Graph(A)
    assert G.adjacency.indices.dtype == G.adjacency.indptr.dtype == np.int32
    assert SpectralEmbedding(2, affinity="precomputed", random_state=0).fit_transform(
        G.adjacency).shape == (4, 2)  # refuses int64 indices
