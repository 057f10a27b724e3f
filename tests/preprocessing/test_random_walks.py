"""RandomWalkEncoding: random-walk return probabilities appended to node features."""

import pickle

import networkx as nx
import numpy as np
import pytest
import scipy.sparse as sp
import torch
from sklearn.metrics import r2_score
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from skgraph import GNNNodeRegressor, Graph, LinkPredictor, load
from skgraph.datasets import make_community_graph
from skgraph.model_selection import link_pairs
from skgraph.preprocessing import NodeFeatureTransformer, RandomWalkEncoding


def _weighted_graph(n: int = 40, seed: int = 0) -> Graph:
    rng = np.random.default_rng(seed)
    A = np.triu(rng.random((n, n)) < 0.12, 1) * rng.uniform(0.5, 2.0, (n, n))
    return Graph(sp.csr_array(A + A.T), rng.normal(size=(n, 3)))


def test_appends_pygs_random_walk_encoding_of_the_wiring():
    from torch_geometric.data import Data
    from torch_geometric.transforms import AddRandomWalkPE

    G = _weighted_graph()
    encoded = RandomWalkEncoding(steps=6).fit_transform(G)
    rows, cols = G.adjacency.nonzero()
    expected = AddRandomWalkPE(walk_length=6)(Data(
        edge_index=torch.tensor(np.vstack([rows, cols])), num_nodes=G.n_nodes)).random_walk_pe
    assert encoded.features.shape == (40, 9)
    np.testing.assert_array_equal(encoded.features[:, :3], G.features)
    np.testing.assert_allclose(encoded.features[:, 3:], expected.numpy(), atol=1e-6)
    # featureless: the encoding alone; sparse features stay sparse
    featureless = RandomWalkEncoding(steps=6).fit_transform(Graph(G.adjacency))
    np.testing.assert_allclose(featureless.features, expected.numpy(), atol=1e-6)
    sparse = RandomWalkEncoding(steps=6).fit_transform(Graph(G.adjacency, sp.eye_array(40)))
    assert sp.issparse(sparse.features) and sparse.features.shape == (40, 46)


def test_views_lists_pairs_names_and_refusals():
    pd = pytest.importorskip("pandas")
    G = _weighted_graph()
    step = RandomWalkEncoding(steps=3).fit(G)
    view = step.transform(G[[5, 2]])
    assert view.node_index.tolist() == [5, 2] and view.n_features == 6
    both = step.transform([G, _weighted_graph(seed=1)])
    assert isinstance(both, list) and both[1].n_features == 6
    pairs, _ = link_pairs(G, random_state=0)
    assert step.transform(pairs).graph.n_features == 6
    named = Graph(G.adjacency, pd.DataFrame(G.features, columns=["a", "b", "c"]))
    out = RandomWalkEncoding(steps=2).fit(named)
    assert out.transform(named).feature_names.tolist() == [
        "a", "b", "c", "return_probability_1", "return_probability_2"]
    assert out.get_feature_names_out().tolist() == out.transform(named).feature_names.tolist()
    with pytest.raises(ValueError, match="X has 1 node features, but RandomWalkEncoding was "
                                         "fitted on 3"):
        step.transform(Graph(G.adjacency, np.ones((40, 1))))
    with pytest.raises(ValueError, match="steps"):
        RandomWalkEncoding(steps=0).fit(G)


def test_lets_a_node_regressor_learn_a_structural_target(tmp_path):
    # the local clustering coefficient: how many of a node's neighbours are linked, which
    # averaging message passing cannot see and the return after 3 steps tells
    G, _ = make_community_graph(n_nodes=300, n_communities=3, p_in=0.08, p_out=0.01,
                                random_state=0)
    clustering = nx.clustering(nx.from_scipy_sparse_array(G.adjacency))
    y = np.array([clustering[i] for i in range(G.n_nodes)])
    train, test = np.arange(0, 300, 2), np.arange(1, 300, 2)
    # the probabilities vary far less than the features: standardise them side by side
    plain = make_pipeline(NodeFeatureTransformer(StandardScaler()),
                          GNNNodeRegressor(max_epochs=150, random_state=0))
    encoded = make_pipeline(RandomWalkEncoding(steps=8), NodeFeatureTransformer(StandardScaler()),
                            GNNNodeRegressor(max_epochs=150, random_state=0))
    for model in (plain, encoded):
        model.fit(G[train], y[train])
    without, with_walks = (r2_score(y[test], m.predict(G[test])) for m in (plain, encoded))
    assert with_walks > 0.5 and with_walks > without + 0.5  # measured 0.67 against -0.78
    again = pickle.loads(pickle.dumps(encoded))
    np.testing.assert_array_equal(again.predict(G[test]), encoded.predict(G[test]))
    encoded[0].save(tmp_path / "walks.skgraph")
    np.testing.assert_array_equal(load(tmp_path / "walks.skgraph").transform(G).features,
                                  encoded[0].transform(G).features)
    assert encoded[0].transform(G).n_features == G.n_features + 8


def test_in_front_of_a_link_predictor_on_pairs():
    G, _ = make_community_graph(n_nodes=80, random_state=0)
    pairs, y = link_pairs(G, random_state=0)
    pipe = make_pipeline(RandomWalkEncoding(steps=4), NodeFeatureTransformer(),
                         LinkPredictor(max_epochs=5, random_state=0)).fit(pairs)
    assert pipe.predict_proba(pairs[:5]).shape == (5, 2)


def test_large_graphs_get_one_warning_for_the_whole_list(monkeypatch):
    import warnings

    import skgraph.preprocessing._random_walks as random_walks

    monkeypatch.setattr(random_walks, "LARGE_FOR_WALKS", 6)  # instead of 20,000 nodes
    graphs = [make_community_graph(n_nodes=n, random_state=0)[0] for n in (5, 8, 9, 12)]
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        RandomWalkEncoding(steps=2).fit_transform(graphs)
    messages = [str(w.message) for w in caught if "random-walk" in str(w.message)]
    assert messages == [messages[0]] and messages[0].startswith("3 of the graphs have up to "
                                                                "12 nodes")
    with pytest.warns(UserWarning, match="^the graph has 12 nodes"):
        RandomWalkEncoding(steps=2).fit_transform(graphs[-1])
