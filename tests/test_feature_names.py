"""Feature names (skgraph/_feature_names.py): recorded at fit from a DataFrame's columns,
checked when predicting, carried through NodeFeatureTransformer."""

import pickle

import numpy as np
import pytest

from skgraph import (
    GNNGraphClassifier,
    GNNNodeClassifier,
    GNNNodeRegressor,
    Graph,
    LinkPredictor,
    VGAEEmbedder,
)
from skgraph.datasets import make_community_graph
from skgraph.preprocessing import NodeFeatureTransformer

pd = pytest.importorskip("pandas")
FAST = dict(max_epochs=2, random_state=0)


@pytest.fixture(scope="module")
def named():
    G, y = make_community_graph(n_nodes=60, n_communities=3, random_state=0)
    frame = pd.DataFrame(G.features, columns=[f"f{i}" for i in range(G.n_features)])
    return G, frame, y


def test_graphs_keep_string_column_names_only(named):
    G, frame, _ = named
    graph = Graph(G.adjacency, frame)
    assert graph.feature_names.tolist() == list(frame.columns)
    assert graph[[3, 1]].feature_names.tolist() == list(frame.columns)  # views share them
    assert pickle.loads(pickle.dumps(graph)).feature_names.tolist() == list(frame.columns)
    assert graph.with_features(G.features).feature_names is None
    assert Graph(G.adjacency, pd.DataFrame(G.features)).feature_names is None  # 0, 1, ...
    assert Graph(G.adjacency, G.features).feature_names is None
    with pytest.raises(ValueError, match="read-only"):
        graph.feature_names[0] = "x"


@pytest.mark.parametrize("make", [GNNNodeClassifier, GNNNodeRegressor, VGAEEmbedder,
                                  LinkPredictor])
def test_node_level_estimators_record_and_check_feature_names(named, make):
    G, frame, y = named
    est = make(**FAST)
    fit = (lambda X: est.fit(X, y)) if make in (GNNNodeClassifier, GNNNodeRegressor) \
        else est.fit
    fit(Graph(G.adjacency, frame))
    assert est.feature_names_in_.tolist() == list(frame.columns)
    reordered = Graph(G.adjacency, frame[frame.columns[::-1]])
    renamed = Graph(G.adjacency, frame.rename(columns={"f0": "age"}))
    if make is LinkPredictor:  # predicts pairs of its fitted graph: checked on refit instead
        return
    predict = est.transform if make is VGAEEmbedder else est.predict
    with pytest.raises(ValueError, match="the same columns in another order"):
        predict(reordered)
    with pytest.raises(ValueError, match=r"unseen at fit: \['age'\]; seen at fit, missing "
                                         r"now: \['f0'\]"):
        predict(renamed)
    predict(Graph(G.adjacency, frame))
    name = make.__name__
    with pytest.warns(UserWarning, match=f"X does not have valid feature names, but {name} was "
                                         "fitted with feature names"):
        predict(Graph(G.adjacency, G.features))  # no names to check: read by position
    fit(Graph(G.adjacency, G.features))  # a refit without names forgets them
    assert not hasattr(est, "feature_names_in_")
    with pytest.warns(UserWarning, match=f"X has feature names, but {name} was fitted "
                                         "without feature names"):
        predict(Graph(G.adjacency, frame))


def test_graph_level_estimators_record_and_check_feature_names():
    rng = np.random.default_rng(0)
    graphs = [Graph(np.ones((3, 3)), pd.DataFrame(rng.random((3, 2)), columns=["a", "b"]))
              for _ in range(8)]
    y = np.array([0, 1] * 4)
    clf = GNNGraphClassifier(**FAST).fit(graphs, y)
    assert clf.feature_names_in_.tolist() == ["a", "b"]
    swapped = Graph(np.ones((3, 3)), pd.DataFrame(rng.random((3, 2)), columns=["b", "a"]))
    with pytest.raises(ValueError, match="GNNGraphClassifier reads columns by position"):
        clf.predict([swapped])
    with pytest.warns(UserWarning, match="X does not have valid feature names, but "
                                         "GNNGraphClassifier was fitted with feature names"):
        clf.predict([Graph(np.ones((3, 3)), rng.random((3, 2)))])
    with pytest.raises(ValueError, match=r"X\[7\] names its feature columns \['b', 'a'\], but "
                                         r"X\[0\] \['a', 'b'\]"):
        GNNGraphClassifier(**FAST).fit(graphs[:7] + [swapped], y)


def test_node_feature_transformer_hands_names_to_its_transformer_and_on(named):
    from sklearn.compose import ColumnTransformer
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import OneHotEncoder, StandardScaler

    G, frame, y = named
    accounts = frame.assign(region=np.where(y == 0, "north", "south") == "north")
    graph = Graph(G.adjacency, accounts.astype(float))
    by_name = ColumnTransformer([("region", OneHotEncoder(sparse_output=False), ["region"]),
                                 ("scaled", StandardScaler(), ["f0", "f1"])])
    pipe = make_pipeline(NodeFeatureTransformer(by_name), GNNNodeClassifier(**FAST))
    pipe.fit(graph, y)
    expected = ["region__region_0.0", "region__region_1.0", "scaled__f0", "scaled__f1"]
    assert pipe[0].feature_names_in_.tolist() == list(accounts.columns)
    assert pipe[0].get_feature_names_out().tolist() == expected
    assert pipe[-1].feature_names_in_.tolist() == expected  # the output graph's names
    transformed = pipe[0].transform(graph)
    np.testing.assert_allclose(transformed.features[:, 2],
                               (frame["f0"] - frame["f0"].mean()) / frame["f0"].std(ddof=0))
    with pytest.raises(ValueError, match="NodeFeatureTransformer reads columns by position"):
        pipe.predict(Graph(G.adjacency, accounts[accounts.columns[::-1]].astype(float)))


def test_a_warm_start_continuing_on_reordered_columns_is_refused(named):
    G, frame, y = named
    est = GNNNodeClassifier(warm_start=True, **FAST).fit(Graph(G.adjacency, frame), y)
    with pytest.raises(ValueError, match="the same columns in another order"):
        est.fit(Graph(G.adjacency, frame[frame.columns[::-1]]), y)
    assert est.feature_names_in_.tolist() == list(frame.columns)  # the fit is kept
