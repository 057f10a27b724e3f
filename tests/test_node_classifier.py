"""GNNNodeClassifier: labels on some nodes of a graph, predictions for the others."""

import copy
import pickle
import warnings

import numpy as np
import pytest
import scipy.sparse as sp
from sklearn.base import clone
from sklearn.exceptions import NotFittedError
from sklearn.model_selection import GridSearchCV, StratifiedKFold, cross_val_score
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import Normalizer

import skgraph
from skgraph import GNNNodeClassifier, Graph
from skgraph.datasets import make_community_graph
from skgraph.preprocessing import NodeFeatureTransformer

FAST = dict(max_epochs=60, random_state=0, device="cpu")
pytestmark = pytest.mark.usefixtures("one_thread")


@pytest.fixture(scope="module")
def graph():
    """A 3-community graph whose features only partly tell the communities apart."""
    return make_community_graph(n_nodes=120, n_communities=3, p_in=0.15, p_out=0.01,
                                n_features=8, feature_signal=0.4, random_state=0)


def _split(n, every=4):
    labelled = np.arange(0, n, every)
    return labelled, np.setdiff1d(np.arange(n), labelled)


@pytest.mark.parametrize("conv", ["gprgnn", "appnp", "gcn", "sage", "gat"])
def test_every_network_learns_the_communities_of_unlabelled_nodes(graph, conv):
    G, y = graph
    train, test = _split(G.n_nodes)
    clf = GNNNodeClassifier(conv=conv, **{**FAST, "max_epochs": 200}).fit(G[train], y[train])
    assert clf.score(G[test], y[test]) > 0.75  # chance: 0.33
    P = clf.predict_proba(G[test])
    assert P.shape == (len(test), 3) and np.allclose(P.sum(axis=1), 1)
    assert clf.classes_.tolist() == [0, 1, 2] and clf.n_nodes_ == G.n_nodes


def test_the_structure_helps_beyond_the_features(graph):
    from sklearn.linear_model import LogisticRegression

    G, y = graph
    train, test = _split(G.n_nodes)
    features_only = LogisticRegression(max_iter=1000).fit(G.features[train], y[train])
    gnn = GNNNodeClassifier(**FAST).fit(G[train], y[train])
    assert gnn.score(G[test], y[test]) > features_only.score(G.features[test], y[test]) + 0.1


def test_rows_follow_the_selection_and_a_new_graph_is_predicted_whole(graph):
    G, y = graph
    train, _ = _split(G.n_nodes)
    clf = GNNNodeClassifier(**FAST).fit(G[train], y[train])
    everything = clf.predict_proba(G)
    np.testing.assert_allclose(clf.predict_proba(G[[7, 3, 99]]), everything[[7, 3, 99]],
                               rtol=1e-6)
    assert clf.predict(G[[7, 3]]).tolist() == everything[[7, 3]].argmax(1).tolist()
    other, other_y = make_community_graph(n_nodes=60, n_communities=3, p_in=0.15, p_out=0.01,
                                          n_features=8, feature_signal=0.4, random_state=1)
    assert clf.predict(other).shape == (60,)  # inductive: every node of the new graph
    binary = np.where(y == 0, "first", "other")
    two = GNNNodeClassifier(**FAST).fit(G[train], binary[train])
    scores = two.decision_function(G[test := _split(G.n_nodes)[1]])
    assert scores.shape == (len(test),)
    assert ((scores > 0) == (two.predict(G[test]) == "other")).all()


def test_minus_one_marks_unlabelled_nodes_and_equals_the_view(graph):
    G, y = graph
    train, _ = _split(G.n_nodes)
    partial = np.full(G.n_nodes, -1)
    partial[train] = y[train]
    on_whole = GNNNodeClassifier(**FAST).fit(G, partial)
    on_view = GNNNodeClassifier(**FAST).fit(G[train], y[train])
    np.testing.assert_array_equal(on_whole.predict_proba(G), on_view.predict_proba(G))
    assert -1 not in on_whole.classes_.tolist()
    # -1 marks unlabelled nodes in a view too: a view of the labelled nodes and some others,
    # these marked -1, trains the model of the labelled nodes alone (what a -1 node would
    # add, as a sample or as a class, would show here)
    some = np.union1d(train, np.arange(1, G.n_nodes, 3))
    assert len(some) > len(train) and (partial[some] == -1).sum() > 20
    on_more = GNNNodeClassifier(**FAST).fit(G[some], partial[some])
    assert on_more.loss_curve_ == on_view.loss_curve_ and on_more.classes_.tolist() == [0, 1, 2]
    np.testing.assert_array_equal(on_more.predict_proba(G), on_view.predict_proba(G))


def test_missing_labels_mark_unlabelled_nodes_as_minus_one_does(graph):
    # what reindexing a table of labels onto the graph's nodes leaves: NaN, None, pd.NA
    pd = pytest.importorskip("pandas")
    G, y = graph
    train, test = _split(G.n_nodes)
    partial = np.full(G.n_nodes, -1)
    partial[train] = y[train]
    reference = GNNNodeClassifier(**FAST).fit(G, partial)
    missing = pd.Series(y).astype(float).where(partial != -1)  # NaN
    names = pd.Series(np.array(["a", "b", "c"])[y]).where(partial != -1)  # NaN among text
    nullable = pd.Series(y).astype("Int64").where(partial != -1)  # pd.NA
    objects = np.array([None if p == -1 else int(p) for p in partial], dtype=object)
    for labels in (missing, names, nullable, objects):
        clf = GNNNodeClassifier(**FAST).fit(G, labels)
        assert len(clf.classes_) == 3 and clf.loss_curve_ == reference.loss_curve_
        np.testing.assert_array_equal(clf.predict_proba(G), reference.predict_proba(G))
        assert clf.score(G, labels) == reference.score(G, partial)
    with pytest.raises(ValueError, match="every entry of y is -1 or missing"):
        GNNNodeClassifier(**FAST).fit(G, np.full(G.n_nodes, np.nan))


def test_labels_indexed_by_node_name_in_another_order_are_refused(graph):
    pd = pytest.importorskip("pandas")
    from skgraph import GNNNodeRegressor

    G0, y = graph
    names = [f"node{i}" for i in range(G0.n_nodes)]
    G = Graph(G0.adjacency, G0.features, node_names=names)
    labels = pd.Series(y, index=names)
    train, test = _split(G.n_nodes)
    clf = GNNNodeClassifier(**FAST).fit(G[train], labels.iloc[train])  # in X's order: fine
    shuffled = labels.iloc[train].sample(frac=1.0, random_state=0)
    for fit in (lambda: GNNNodeClassifier(**FAST).fit(G[train], shuffled),
                lambda: GNNNodeRegressor(**FAST).fit(G[train], shuffled.astype(float)),
                lambda: clf.score(G[train], shuffled)):
        with pytest.raises(ValueError, match="indexed by node names in another order"):
            fit()
    unknown = labels.iloc[train].rename(index={names[train[0]]: "nobody"})
    with pytest.raises(ValueError, match="1 label\\(s\\) that are not nodes of X's graph "
                                         "\\(the first: 'nobody'\\)"):
        GNNNodeClassifier(**FAST).fit(G[train], unknown)
    # integer names (user ids): the selected ids in another order are refused too
    ids = 1000 + np.arange(G.n_nodes)
    H = Graph(G0.adjacency, G0.features, node_names=ids)
    by_id = pd.Series(y, index=ids)
    GNNNodeClassifier(**FAST).fit(H[train], by_id.iloc[train])
    with pytest.raises(ValueError, match="indexed by the names of the nodes X selects, in "
                                         "another order"):
        GNNNodeClassifier(**FAST).fit(H[train], by_id.iloc[train].sort_values())
    # a default index, or positions left by a split, are positions: not checked
    GNNNodeClassifier(**FAST).fit(H[train], pd.Series(y[train]))
    GNNNodeClassifier(**FAST).fit(G[train], pd.Series(y).iloc[train])
    # what the splitters pass (iloc of a named Series, the view of the same positions)
    cv = StratifiedKFold(3, shuffle=True, random_state=0)
    np.testing.assert_array_equal(cross_val_score(GNNNodeClassifier(**FAST), G, labels, cv=cv),
                                  cross_val_score(GNNNodeClassifier(**FAST), G, y, cv=cv))
    assert clf.score(G[labels.index[test]], labels.iloc[test]) == clf.score(G[test], y[test])


@pytest.mark.parametrize("batch_size", [None, 16])
def test_new_nodes_without_edges_are_predicted_from_their_own_features(batch_size):
    # inductive use on users who have no edge yet: the default network reads their
    # features (no worse than a model of the features alone), not against them
    import scipy.sparse as sp
    from sklearn.linear_model import LogisticRegression

    G, y = make_community_graph(n_nodes=600, n_communities=4, feature_signal=0.2,
                                random_state=0)
    train, new = np.arange(0, 600, 2), np.arange(1, 600, 2)
    old = Graph(G.adjacency[train][:, train], G.features[train])
    batches = {} if batch_size is None else {"batch_size": batch_size, "fanouts": (5,) * 10}
    clf = GNNNodeClassifier(random_state=0, **batches).fit(old, y[train])
    edgeless = Graph(sp.csr_array((300, 300)), G.features[new])
    features_alone = LogisticRegression().fit(G.features[train], y[train])
    assert features_alone.score(G.features[new], y[new]) > 0.38  # chance: 0.25
    assert clf.score(edgeless, y[new]) > features_alone.score(G.features[new], y[new]) - 0.05


def test_sklearn_tools_over_node_views(graph, tmp_path):
    G, y = graph
    cv = StratifiedKFold(3, shuffle=True, random_state=0)
    scores = cross_val_score(GNNNodeClassifier(**FAST), G, y, cv=cv)
    assert scores.shape == (3,) and scores.mean() > 0.85
    pipe = make_pipeline(NodeFeatureTransformer(Normalizer(norm="l1")),
                         GNNNodeClassifier(**FAST))
    search = GridSearchCV(pipe, {"gnnnodeclassifier__conv": ["gcn", "appnp"]}, cv=cv)
    search.fit(G[::2], y[::2])
    assert search.best_score_ > 0.8  # held-out nodes of the view's folds (chance: 0.33)
    # the refit is the best candidate fitted on the whole view
    refit = clone(pipe).set_params(**search.best_params_).fit(G[::2], y[::2])
    np.testing.assert_array_equal(search.predict_proba(G), refit.predict_proba(G))
    clf = GNNNodeClassifier(**FAST).fit(G[::2], y[::2])
    P = clf.predict_proba(G)
    assert np.array_equal(pickle.loads(pickle.dumps(clf)).predict_proba(G), P)
    clf.save(tmp_path / "clf")
    assert np.array_equal(skgraph.load(tmp_path / "clf").predict_proba(G), P)
    assert np.array_equal(clone(clf).fit(G[::2], y[::2]).predict_proba(G), P)


def test_sample_weight_zero_nodes_do_not_train(graph):
    G, y = graph
    train, test = _split(G.n_nodes, every=2)
    poisoned = y[train].copy()
    poisoned[: len(train) // 3] = (poisoned[: len(train) // 3] + 1) % 3  # wrong labels
    weights = np.r_[np.zeros(len(train) // 3), np.ones(len(train) - len(train) // 3)]
    weighted = GNNNodeClassifier(**FAST).fit(G[train], poisoned, sample_weight=weights)
    clean = GNNNodeClassifier(**FAST).fit(G[train[len(train) // 3:]], y[train[len(train) // 3:]])
    np.testing.assert_allclose(weighted.predict_proba(G[test]), clean.predict_proba(G[test]),
                               rtol=1e-4, atol=1e-5)
    balanced = GNNNodeClassifier(class_weight="balanced", **FAST).fit(G[train], y[train])
    assert balanced.score(G[test], y[test]) > 0.8


def test_early_stopping_keeps_the_best_validated_weights_and_warm_start_continues(graph):
    G, y = graph
    train, _ = _split(G.n_nodes, every=2)
    clf = GNNNodeClassifier(early_stopping=True, n_iter_no_change=5, max_epochs=200,
                            random_state=0).fit(G[train], y[train])
    assert len(clf.validation_scores_) == clf.n_iter_ < 200
    assert clf.best_validation_score_ == max(clf.validation_scores_) < 0  # negated log-loss
    warm = GNNNodeClassifier(warm_start=True, **FAST).fit(G[train], y[train])
    warm.fit(G[train], y[train])
    curve, n = warm.loss_curve_, FAST["max_epochs"]
    assert len(curve) == 2 * n  # the second fit starts where the first ended, not afresh:
    assert abs(curve[n] - curve[n - 1]) < abs(curve[n] - curve[0])


def test_featureless_graphs(graph):
    G, y = graph
    train, test = _split(G.n_nodes)
    bare = Graph(G.adjacency)
    clf = GNNNodeClassifier(**FAST).fit(bare[train], y[train])  # one-hot identities
    assert clf.score(bare[test], y[test]) > 0.8
    with pytest.raises(ValueError, match="featureless='identity'"):
        clf.predict(Graph(G.adjacency[:50, :50]))
    degree = GNNNodeClassifier(featureless="degree", **FAST).fit(bare[train], y[train])
    assert degree.predict(Graph(G.adjacency[:50, :50])).shape == (50,)


def test_bad_input_gets_clear_errors_and_nothing_is_modified(graph):
    G, y = graph
    train, _ = _split(G.n_nodes)
    before = y.copy()
    with pytest.raises(ValueError, match=r"y has 120 entries but X selects 30 nodes.*-1"):
        GNNNodeClassifier(**FAST).fit(G[train], y)  # labels of unselected nodes too
    with pytest.raises(ValueError, match=r"y has 30 entries but X selects 120 nodes.*select "
                                         r"them: fit\(G\[labelled\], y\)"):
        GNNNodeClassifier(**FAST).fit(G, y[train])  # the labelled nodes' labels, on G
    with pytest.raises(ValueError, match="y has 29 entries but X selects 30 nodes"):
        GNNNodeClassifier(**FAST).fit(G[train], y[train][:-1])
    with pytest.raises(ValueError, match="no node is labelled"):
        GNNNodeClassifier(**FAST).fit(G, np.full(G.n_nodes, -1))
    with pytest.raises(ValueError, match=r"single class \(0\)[^-]*$"):
        GNNNodeClassifier(**FAST).fit(G[train], np.zeros(len(train), int))
    with pytest.raises(ValueError, match=r"single class \(1\).*-1 marks an unlabelled node, "
                                         "never a class: encode the classes otherwise"):
        GNNNodeClassifier(**FAST).fit(G, np.where(y > 0, 1, -1))  # {-1, 1} labels
    with pytest.raises(ValueError, match="requires y to be passed, but the target y is None"):
        GNNNodeClassifier(**FAST).fit(G, None)
    two_each = np.flatnonzero(np.isin(np.arange(G.n_nodes), [np.flatnonzero(y == c)[:2]
                                                             for c in range(3)]))
    with pytest.raises(ValueError, match="holds out 5 of the 6 labelled nodes .* fewer than "
                                         "one per class \\(3 classes\\)"):
        GNNNodeClassifier(early_stopping=True, validation_fraction=0.9,
                          **FAST).fit(G[two_each], y[two_each])
    with pytest.raises(ValueError, match="X selects no node"):
        GNNNodeClassifier(**FAST).fit(G[[]], [])
    with pytest.raises(ValueError, match=r"class_weight names \['1'\], which are not classes "
                                         r"of y, while the classes \[0, 1, 2\] have no weight"):
        GNNNodeClassifier(class_weight={"1": 5.0}, **FAST).fit(G[train], y[train])
    one = y[train].copy()
    one[0], one[1:][one[1:] == 2] = 2, 1  # class 2 labelled once
    with pytest.raises(ValueError, match="class 2 has 1 labelled node.*early_stopping=False"):
        GNNNodeClassifier(early_stopping=True, **FAST).fit(G[train], one)
    assert GNNNodeClassifier(**FAST).fit(G[train], one).classes_.tolist() == [0, 1, 2]
    objects = y[train].astype(object)  # numbers in an object array: -1 is still a number
    objects[:3] = -1
    numbers = y[train].copy()
    numbers[:3] = -1
    assert np.array_equal(GNNNodeClassifier(**FAST).fit(G[train], objects).predict_proba(G),
                          GNNNodeClassifier(**FAST).fit(G[train], numbers).predict_proba(G))
    mixed = np.array(["a", "b", -1] * 10, dtype=object)
    with pytest.raises(ValueError, match="mixes non-numeric labels with -1"):
        GNNNodeClassifier(**FAST).fit(G[train], mixed)
    with pytest.raises(ValueError, match="selects a node more than once"):
        GNNNodeClassifier(**FAST).fit(G[[0, 0, 1, 2]], [0, 0, 1, 2])
    with pytest.raises(NotFittedError):
        GNNNodeClassifier().predict(G)
    fitted = GNNNodeClassifier(**FAST).fit(G[train], y[train])
    with pytest.raises(ValueError, match="X has 3 node features, but GNNNodeClassifier"):
        fitted.predict(Graph(G.adjacency, np.ones((G.n_nodes, 3))))
    with pytest.raises(ValueError, match="conv"):
        GNNNodeClassifier(conv="gin").fit(G[train], y[train])
    # the caller's labels are neither changed nor made read-only
    assert np.array_equal(y, before) and y.flags.writeable


def test_fits_are_repeatable_and_leave_the_callers_data_alone(graph):
    G, y = graph
    train, _ = _split(G.n_nodes)
    labels = y[train].copy()
    graph_before = copy.deepcopy(G)
    a = GNNNodeClassifier(**FAST).fit(G[train], labels)
    b = GNNNodeClassifier(**FAST).fit(G[train], labels)
    assert a.loss_curve_ == b.loss_curve_
    np.testing.assert_array_equal(labels, y[train])
    assert (G.adjacency != graph_before.adjacency).nnz == 0
    np.testing.assert_array_equal(G.features, graph_before.features)


def test_pandas_output_is_indexed_by_node_name():
    nx = pytest.importorskip("networkx")
    karate = nx.relabel_nodes(nx.karate_club_graph(), {i: f"member{i}" for i in range(34)})
    G = skgraph.as_graph(karate)
    clubs = np.array([karate.nodes[n]["club"] for n in karate.nodes])
    clf = GNNNodeClassifier(**FAST).set_output(transform="pandas").fit(G[::2], clubs[::2])
    predicted = clf.predict(G[[5, 1]])
    assert predicted.index.tolist() == ["member5", "member1"]
    proba = clf.predict_proba(G[[5, 1]])
    assert proba.columns.tolist() == clf.classes_.tolist() and proba.index.name == "node"
    assert clf.score(G[1::2], clubs[1::2]) > 0.7
    assert isinstance(clf.set_output(transform="default").predict(G[[5]]), np.ndarray)
    with pytest.raises(ValueError, match="'default' or 'pandas'"):
        clf.set_output(transform="polars")


def test_the_consistency_weight_rises_to_its_value_over_the_ramp():
    from skgraph._node_level import Consistency

    term = Consistency(2.0, lambda a, b: a, ramp_epochs=10)
    weights = [term.next_weight() for _ in range(12)]
    assert weights[0] == pytest.approx(2.0 * np.exp(-5 * 0.9 ** 2))
    assert np.all(np.diff(weights[:10]) > 0)
    assert weights[9:] == [2.0, 2.0, 2.0]


def test_the_disagreement_is_a_quarter_of_the_squared_distance_of_probabilities():
    import torch

    from skgraph._node_classifier import _probability_disagreement

    first, second = torch.tensor([[0.0, 0.0], [2.0, 0.0]]), torch.tensor([[0.0, 0.0],
                                                                          [0.0, 2.0]])
    gap = torch.sigmoid(torch.tensor(2.0)) - torch.sigmoid(torch.tensor(-2.0))
    expected = (2 * gap ** 2) / 2 / 4  # one node apart by `gap` in both classes
    assert float(_probability_disagreement(first, second)) == pytest.approx(float(expected))
    assert float(_probability_disagreement(first, first)) == 0.0


def _disagreement_on(clf, G, nodes):
    """How far apart two training-mode passes of the fitted network put ``nodes``."""
    import torch

    from skgraph._node_classifier import _probability_disagreement
    from skgraph._node_inputs import node_inputs

    module = clf.module_.train()
    inputs = node_inputs(G.whole(), "identity", torch.device("cpu"),
                         scale=clf.feature_scale_, operators=clf._operators())
    torch.manual_seed(0)
    with torch.no_grad():
        return np.mean([float(_probability_disagreement(module(inputs)[nodes],
                                                         module(inputs)[nodes]))
                        for _ in range(20)])


@pytest.mark.parametrize("batched", [False, True])
def test_consistency_makes_unlabelled_predictions_agree_across_dropout(graph, batched):
    G, y = graph
    train, test = _split(G.n_nodes)
    extra = dict(batch_size=8, fanouts=(5,) * 10) if batched else {}
    gaps = {}
    for weight in (0.0, 5.0):
        fits = [GNNNodeClassifier(consistency=weight, **{**FAST, "random_state": seed}, **extra)
                .fit(G[train], y[train]) for seed in range(3)]
        gaps[weight] = np.mean([_disagreement_on(clf, G, test) for clf in fits])
        assert np.mean([clf.score(G[test], y[test]) for clf in fits]) > 0.75
    assert gaps[5.0] < 0.85 * gaps[0.0]
    again = GNNNodeClassifier(consistency=5.0, **{**FAST, "random_state": 2}, **extra)
    assert np.array_equal(again.fit(G[train], y[train]).predict_proba(G), fits[2].predict_proba(G))


def test_consistency_without_dropout_changes_nothing(graph):
    G, y = graph
    train, _ = _split(G.n_nodes)
    P = [GNNNodeClassifier(consistency=c, dropout=0.0, **FAST).fit(G[train], y[train])
         .predict_proba(G) for c in (0.0, 1.0)]
    assert np.array_equal(*P)


def test_consistency_runs_no_second_pass_where_dropout_has_nothing_to_drop(graph, monkeypatch):
    # identity features are never dropped, so a one-layer network on them is deterministic
    from skgraph._nn._node_networks import NodeNetwork

    G, y = graph
    featureless = Graph(G.adjacency)
    train, _ = _split(G.n_nodes)
    calls = []
    original = NodeNetwork.passes
    monkeypatch.setattr(NodeNetwork, "passes",
                        lambda self, inputs, n: calls.append(n) or original(self, inputs, n))
    for n_layers, expected in ((1, []), (2, [2])):
        calls.clear()
        GNNNodeClassifier(n_layers=n_layers, **{**FAST, "max_epochs": 1}).fit(
            featureless[train], y[train])
        assert calls == expected


def test_a_step_draws_distinct_unlabelled_nodes_after_its_seeds():
    import torch

    from skgraph._node_level import _with_unlabelled

    torch.manual_seed(0)
    seeds = torch.tensor([5, 3, 9])
    nodes = _with_unlabelled(seeds, 12)
    assert nodes[:3].tolist() == [5, 3, 9]
    assert len(set(nodes.tolist())) == len(nodes) and 3 < len(nodes) <= 6
    assert int(nodes.max()) < 12


def test_a_model_pickled_before_the_consistency_term_and_edge_dropout_loads_without_them(graph):
    G, y = graph
    train, _ = _split(G.n_nodes)
    clf = GNNNodeClassifier(consistency=0.0, **FAST).fit(G[train], y[train])
    state = clf.__getstate__()
    del state["consistency"], state["edge_dropout"]
    old = GNNNodeClassifier.__new__(GNNNodeClassifier)
    old.__setstate__(state)
    assert old.consistency == 0.0 and old.edge_dropout == 0.0
    assert np.array_equal(old.predict_proba(G), clf.predict_proba(G))
    with pytest.raises(ValueError, match="consistency"):
        GNNNodeClassifier(consistency=-1.0).fit(G[train], y[train])


def test_parameters_set_after_fit_do_not_change_predictions(graph):
    G, y = graph
    for conv in ("gprgnn", "sage", "gat"):
        clf = GNNNodeClassifier(conv, **{**FAST, "max_epochs": 3}).fit(G, y)
        before = clf.predict_proba(G)
        for other in ("gcn", "sage", "gat", "appnp"):
            clf.set_params(conv=other, batch_size=8, featureless="degree")
            np.testing.assert_array_equal(clf.predict_proba(G), before)
    bare = Graph(G.adjacency)
    emb = skgraph.VGAEEmbedder(max_epochs=3, random_state=0, device="cpu").fit(bare)
    before = emb.transform(bare)
    emb.set_params(featureless="degree", batch_size=4)
    np.testing.assert_array_equal(emb.transform(bare), before)


@pytest.mark.parametrize("estimator", [GNNNodeClassifier, skgraph.GNNNodeRegressor])
def test_edge_features_are_ignored_with_a_warning_at_the_callers_line(estimator):
    G, y = make_community_graph(n_nodes=40, random_state=0)
    entries = G.adjacency.tocoo()
    bonds = ((entries.row + entries.col) % 3)[:, None]  # the same in both directions
    with_bonds = Graph(entries, G.features, edge_features=bonds)
    with pytest.warns(UserWarning, match=f"1 edge features, which "
                                         f"{estimator.__name__} does not read") as record:
        fitted = estimator(max_epochs=3, random_state=0).fit(with_bonds, y)
    assert record[0].filename == __file__
    plain = estimator(max_epochs=3, random_state=0).fit(G, y)  # ignored: the same model
    np.testing.assert_array_equal(fitted.predict(G), plain.predict(G))


@pytest.mark.parametrize("estimator", [GNNNodeClassifier, skgraph.GNNNodeRegressor])
def test_gat_says_it_ignores_edge_weights(estimator):
    G, y = make_community_graph(n_nodes=40, random_state=0)
    entries = G.adjacency.tocoo()
    weights = 1.0 + (entries.row + entries.col) % 5  # the same in both directions
    weighted = Graph(sp.coo_array((weights, (entries.row, entries.col)), shape=entries.shape),
                     G.features)
    with pytest.warns(UserWarning, match="conv='gat'.* without reading their weights "
                                         r"\(from 1 to 5 here, given or repeated edges "
                                         r"summed\)") as record:
        fitted = estimator(conv="gat", max_epochs=3, random_state=0).fit(weighted, y)
    assert record[0].filename == __file__
    plain = estimator(conv="gat", max_epochs=3, random_state=0).fit(G, y)  # the same model
    np.testing.assert_array_equal(fitted.predict(G), plain.predict(G))
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # unit weights, or a network that reads the weights
        estimator(conv="gat", max_epochs=1, random_state=0).fit(G, y)
        estimator(conv="gcn", max_epochs=1, random_state=0).fit(weighted, y)


@pytest.mark.parametrize("conv", ["gprgnn", "appnp", "gcn", "sage", "gat"])
@pytest.mark.parametrize("batched", [False, True], ids=["full batch", "mini-batch"])
def test_edge_dropout_drops_the_edges_each_network_reads_at_every_step(graph, conv, batched,
                                                                       monkeypatch):
    import skgraph._node_level as node_level
    from skgraph._neighbour_sampling import SampledSubgraph
    from skgraph._nn._node_networks import EDGES_READ

    G, y = graph
    train, test = _split(G.n_nodes)
    drops = []
    full_batch_drop, subgraph_drop = node_level.without_edges, SampledSubgraph.without_edges
    monkeypatch.setattr(node_level, "without_edges", lambda inputs, p, field: (
        drops.append((p, field)), full_batch_drop(inputs, p, field))[1])
    monkeypatch.setattr(SampledSubgraph, "without_edges", lambda sub, p: (
        drops.append((p, "sampled")), subgraph_drop(sub, p))[1])
    hops = 10 if conv in ("gprgnn", "appnp") else 2
    batching = dict(batch_size=10, fanouts=(5,) * hops) if batched else {}
    params = {**FAST, "max_epochs": 4, **batching}
    clf = GNNNodeClassifier(conv, edge_dropout=0.3, **params).fit(G[train], y[train])
    steps = 4 * (3 if batched else 1)  # 30 labelled nodes in batches of 10
    assert drops == [(0.3, "sampled" if batched else EDGES_READ[conv])] * steps
    drops.clear()
    first = clf.predict_proba(G[test])
    np.testing.assert_array_equal(first, clf.predict_proba(G[test]))  # every edge, no draw
    assert drops == []
    plain = GNNNodeClassifier(conv, **params).fit(G[train], y[train])
    assert not np.allclose(first, plain.predict_proba(G[test]))


def test_edge_dropout_still_learns_and_is_validated(graph):
    G, y = graph
    train, test = _split(G.n_nodes)
    clf = GNNNodeClassifier(edge_dropout=0.5, **{**FAST, "max_epochs": 200})
    assert clf.fit(G[train], y[train]).score(G[test], y[test]) > 0.75
    for bad in (1.0, -0.1):
        with pytest.raises(ValueError, match="edge_dropout"):
            GNNNodeClassifier(edge_dropout=bad).fit(G[train], y[train])


def test_score_leaves_out_the_nodes_marked_unlabelled(graph):
    G, y = graph
    train, test = _split(G.n_nodes)
    clf = GNNNodeClassifier(**FAST).fit(G[train], y[train])
    marked = y.copy()
    marked[train] = -1  # the labels of fit(G, y) with -1 for every node but the test ones
    assert clf.score(G, marked) == clf.score(G[test], y[test])
    weights = np.arange(G.n_nodes, dtype=float)
    assert clf.score(G, marked, sample_weight=weights) == pytest.approx(
        clf.score(G[test], y[test], sample_weight=weights[test]))
    with pytest.raises(ValueError, match="no node of y is labelled"):
        clf.score(G, np.full(G.n_nodes, -1))
    with pytest.raises(ValueError, match="y has 30 entries for the 90 nodes X selects"):
        clf.score(G[test], y[train])
    with pytest.raises(ValueError, match="one weight per node of y"):
        clf.score(G[test], y[test], sample_weight=weights)


def test_early_stopping_watches_the_log_loss_which_moves_where_accuracy_does_not():
    # 1 in 12 nodes positive, as in fraud: a held-out accuracy sits at the majority share
    # for many epochs, while the log-loss falls as the model learns
    G, communities = make_community_graph(n_nodes=240, n_communities=12, feature_signal=0.5,
                                          random_state=0)
    y = (communities == 0).astype(int)
    clf = GNNNodeClassifier(early_stopping=True, validation_fraction=0.25, max_epochs=40,
                            random_state=0).fit(G, y)
    scores = np.array(clf.validation_scores_)
    assert (scores < 0).all() and len(set(scores.round(6))) > 10
    assert scores.argmax() > 0 and clf.best_validation_score_ == scores.max() > scores[0] + 0.05


def test_several_labels_per_node_name_the_multi_output_route():
    G, y = make_community_graph(n_nodes=40, random_state=0)
    with pytest.raises(ValueError, match=r"GNNNodeClassifier predicts one label per node, but "
                                         r"y has shape \(40, 3\).*MultiOutputClassifier"):
        GNNNodeClassifier(**FAST).fit(G, np.zeros((40, 3), int))
    with pytest.raises(ValueError, match="MultiOutputClassifier"):
        GNNNodeClassifier(**FAST).fit(G, sp.csr_array(np.eye(40, 3, dtype=int)))


def test_labels_left_in_pyg_data_get_a_hint():
    import torch
    from torch_geometric.data import Data

    edges = torch.tensor([[0, 1, 1, 2], [1, 0, 2, 1]])
    data = Data(x=torch.randn(3, 2), edge_index=edges, y=torch.tensor([0, 1, 0]))
    for estimator in (GNNNodeClassifier, skgraph.GNNNodeRegressor):
        with pytest.raises(ValueError, match=r"not from Data.y: .* data.y.numpy\(\) for the "
                                             "nodes of one graph"):
            estimator(**FAST).fit(data, None)
    with pytest.raises(ValueError, match=r"requires y to be passed, but the target y is None.$"):
        GNNNodeClassifier(**FAST).fit(Data(x=torch.randn(3, 2), edge_index=edges), None)
