"""GNNNodeRegressor: real targets on some nodes of a graph, predicted for the others."""

import numpy as np
import pytest
from sklearn.metrics import r2_score

from skgraph import GNNNodeClassifier, GNNNodeRegressor
from skgraph.datasets import make_community_graph

FAST = dict(max_epochs=150, random_state=0, device="cpu")
pytestmark = pytest.mark.usefixtures("one_thread")


@pytest.fixture(scope="module")
def graph():
    G, communities = make_community_graph(n_nodes=120, n_communities=3, p_in=0.15,
                                          p_out=0.01, n_features=8, feature_signal=0.4,
                                          random_state=0)
    return G, np.column_stack([10.0 * communities + 3.0, -5.0 * (communities == 1)])


def test_learns_node_values_it_was_not_shown(graph):
    G, values = graph
    train, test = np.arange(0, 120, 3), np.setdiff1d(np.arange(120), np.arange(0, 120, 3))
    reg = GNNNodeRegressor(**FAST).fit(G[train], values[train, 0])
    assert reg.predict(G[test]).shape == (len(test),)
    assert reg.score(G[test], values[test, 0]) > 0.8
    multi = GNNNodeRegressor(**FAST).fit(G[train], values[train])
    assert multi.predict(G[test]).shape == (len(test), 2) and multi.n_outputs_ == 2
    assert r2_score(values[test, 0], multi.predict(G[test])[:, 0]) > 0.7


def test_nan_marks_unlabelled_nodes_and_the_scale_of_targets_does_not_matter(graph):
    G, values = graph
    train = np.arange(0, 120, 3)
    partial = np.full(120, np.nan)
    partial[train] = values[train, 0]
    a = GNNNodeRegressor(**FAST).fit(G, partial)
    b = GNNNodeRegressor(**FAST).fit(G[train], values[train, 0])
    np.testing.assert_allclose(a.predict(G), b.predict(G), rtol=1e-5)
    big = GNNNodeRegressor(**FAST).fit(G[train], 1e6 * values[train, 0])
    np.testing.assert_allclose(big.predict(G) / 1e6, b.predict(G), rtol=1e-3, atol=1e-3)
    assert b.target_offset_.shape == b.target_scale_.shape == (1,)
    # the classifier's -1 for unlabelled nodes is a value here: said so
    minus_one = np.where(np.isnan(partial), -1.0, partial)
    with pytest.warns(UserWarning, match=r"^67% of the targets are exactly -1: for regression "
                                         "-1 is a value, and NaN marks an unlabelled node"):
        GNNNodeRegressor(**{**FAST, "max_epochs": 1}).fit(G, minus_one)


def test_shares_the_classifiers_parameters_but_dropouts_class_weight_and_consistency():
    reg, clf = GNNNodeRegressor().get_params(), GNNNodeClassifier().get_params()
    assert set(clf) - set(reg) == {"class_weight", "consistency"} and set(reg) <= set(clf)
    assert {k for k in reg if reg[k] != clf[k]} == {"dropout", "edge_dropout"}


def test_bad_targets(graph):
    G, values = graph
    train = np.arange(0, 120, 3)
    with pytest.raises(ValueError, match="NaN in some targets only"):
        y = values[train].copy()
        y[0, 1] = np.nan
        GNNNodeRegressor(**FAST).fit(G[train], y)
    with pytest.raises(ValueError, match="no node is labelled"):
        GNNNodeRegressor(**FAST).fit(G, np.full(120, np.nan))
    with pytest.raises(ValueError, match="infinity"):
        GNNNodeRegressor(**FAST).fit(G[train], np.r_[np.inf, values[train[1:], 0]])
    with pytest.raises(ValueError, match="y has 40 entries but X selects 39 nodes"):
        GNNNodeRegressor(**FAST).fit(G[train[1:]], values[train, 0])
    with pytest.raises(ValueError, match="requires y"):
        GNNNodeRegressor(**FAST).fit(G, None)


def test_warm_start_refits_the_target_scaling_when_the_network_is_new():
    G, y = make_community_graph(n_nodes=60, random_state=0)
    A, X = G.adjacency, np.asarray(G.features)
    values = y.astype(float)
    reg = GNNNodeRegressor(warm_start=True, max_epochs=60, random_state=0).fit(G, values)
    assert np.allclose(reg.target_offset_, values.mean())
    # a new feature width builds a new network, with a warning: its targets are scaled afresh
    with pytest.warns(UserWarning, match="the fitted network does not fit this fit .* "
                                         "GNNNodeRegressor trains a new one from scratch"):
        reg.fit((A, X[:, :4]), values * 1000 + 5000)
    fresh = GNNNodeRegressor(max_epochs=60, random_state=0).fit((A, X[:, :4]),
                                                                values * 1000 + 5000)
    assert np.allclose(reg.target_offset_, fresh.target_offset_)
    assert np.allclose(reg.target_scale_, fresh.target_scale_)
    assert np.allclose(reg.predict((A, X[:, :4])), fresh.predict((A, X[:, :4])))
    # the same network continues with the scaling its weights were trained on
    kept = reg.target_offset_.copy()
    reg.fit((A, X[:, :4]), values)
    assert np.allclose(reg.target_offset_, kept)


def test_targets_near_the_float64_limit_train_and_predict_finitely():
    G, y = make_community_graph(n_nodes=60, random_state=0)
    values = y.astype(float)
    small = GNNNodeRegressor(max_epochs=30, random_state=0).fit(G, values)
    huge = GNNNodeRegressor(max_epochs=30, random_state=0).fit(G, values * 1e300)
    assert np.isfinite(huge.target_scale_).all()
    np.testing.assert_allclose(huge.target_scale_, small.target_scale_ * 1e300)
    np.testing.assert_allclose(huge.predict(G), small.predict(G) * 1e300, rtol=1e-5)


def test_early_stopping_on_few_labelled_nodes_holds_out_two():
    # one held-out node has no R² (it scored 0 at every epoch: the first epoch's weights)
    G, communities = make_community_graph(n_nodes=60, random_state=0)
    labelled = np.arange(14)
    reg = GNNNodeRegressor("gcn", early_stopping=True, validation_fraction=0.1,
                           **FAST).fit(G[labelled], 3.0 * communities[labelled] + 1.0)
    assert len(set(reg.validation_scores_)) > 1 and reg.n_iter_ > 1


def test_score_leaves_out_the_nodes_marked_unlabelled(graph):
    G, y = graph
    labelled = np.arange(0, G.n_nodes, 3)
    rest = np.setdiff1d(np.arange(G.n_nodes), labelled)
    reg = GNNNodeRegressor(**FAST).fit(G[labelled], y[labelled])
    marked = y.astype(float)
    marked[labelled] = np.nan
    assert reg.score(G, marked) == pytest.approx(reg.score(G[rest], y[rest]))
    with pytest.raises(ValueError, match="no node of y is labelled"):
        reg.score(G, np.full(G.n_nodes, np.nan))
    two = GNNNodeRegressor(**{**FAST, "max_epochs": 5}).fit(G, np.c_[y, -y].astype(float))
    partly = np.c_[y, -y].astype(float)
    partly[4, 1] = np.nan
    with pytest.raises(ValueError, match="row 4 of y is NaN in some targets only"):
        two.score(G, partly)


def test_pandas_predictions_are_named_after_the_targets(graph, tmp_path):
    import skgraph

    pd = pytest.importorskip("pandas")
    G, values = graph
    train = np.arange(0, 120, 3)
    table = pd.DataFrame(values[train], columns=["temperature", "rainfall"])
    reg = GNNNodeRegressor(**{**FAST, "max_epochs": 2}).set_output(transform="pandas")
    predicted = reg.fit(G[train], table).predict(G[[4, 5]])
    assert predicted.columns.tolist() == ["temperature", "rainfall"]
    assert predicted.index.tolist() == [4, 5] and predicted.index.name == "node"
    reg.save(tmp_path / "reg.skgraph")
    loaded = skgraph.load(tmp_path / "reg.skgraph").set_output(transform="pandas")
    assert loaded.predict(G[[4, 5]]).columns.tolist() == ["temperature", "rainfall"]
    series = reg.fit(G[train], pd.Series(values[train, 0], name="price")).predict(G[[4]])
    assert series.name == "price"
    unnamed = reg.fit(G[train], values[train]).predict(G[[4]])
    assert unnamed.columns.tolist() == ["y0", "y1"]
    assert reg.fit(G[train], values[train, 0]).predict(G[[4]]).name == "prediction"
