"""Tests of GNNGraphClassifier: whole-graph classification."""

import copy
import pickle
import warnings

import networkx as nx
import numpy as np
import pytest
import scipy.sparse as sp
import torch
from sklearn.base import clone
from sklearn.exceptions import NotFittedError
from sklearn.model_selection import cross_val_score

from skgraph import GNNGraphClassifier, GNNGraphRegressor, Graph

# The seed's 5-node graph (adjacency with self loops; Graph drops the loops).
TOY_A = np.array([[1, 0, 1, 1, 0], [0, 1, 1, 0, 1], [1, 1, 1, 0, 1],
                  [1, 0, 0, 1, 1], [0, 1, 1, 1, 1]], dtype=float)
FAST = dict(max_epochs=15, random_state=0, device="cpu")


pytestmark = pytest.mark.usefixtures("one_thread")


def toy_graphs(n, seed, noise=0.1):
    """The seed's toy problem: node features all -1 (class "neg") or all +1 ("pos")."""
    rng = np.random.default_rng(seed)
    labels = np.array(["neg", "pos"] * (n // 2))
    rng.shuffle(labels)
    noise = noise * rng.normal(size=(n, 5, 2))
    graphs = [(TOY_A, np.where(label == "neg", -1.0, 1.0) + noise[i])
              for i, label in enumerate(labels)]
    return graphs, labels


def community_graphs(n=24, seed=0):
    """Graphs with one or two communities (label 0 / 1), random features of width 3."""
    rng = np.random.default_rng(seed)
    graphs, y = [], []
    for i in range(n):
        k = 1 + i % 2
        size = 8 + i % 5
        blocks = np.arange(size) % k
        P = np.where(blocks[:, None] == blocks[None, :], 0.6, 0.05)
        A = np.triu(rng.random((size, size)) < P, 1).astype(float)
        graphs.append(Graph(sp.csr_array(A + A.T), rng.normal(size=(size, 3))))
        y.append(k - 1)
    return graphs, np.array(y)


@pytest.mark.parametrize("noise", [0.0, 0.1])
def test_toy_problem_is_learned_perfectly(noise):
    X_train, y_train = toy_graphs(20, seed=0, noise=noise)
    X_test, y_test = toy_graphs(20, seed=1, noise=noise)
    clf = GNNGraphClassifier(max_epochs=30, random_state=0).fit(X_train, y_train)
    assert clf.score(X_test, y_test) == 1.0
    assert list(clf.classes_) == ["neg", "pos"]
    assert clf.loss_curve_[-1] < clf.loss_curve_[0]


@pytest.mark.parametrize("conv", ["gin", "gcn", "sage", "sum", "gat"])
@pytest.mark.parametrize("readout", ["sum", "mean", "max", "attention"])
def test_every_conv_and_readout_learns_the_toy(conv, readout):
    X_train, y_train = toy_graphs(16, seed=2)
    X_test, y_test = toy_graphs(10, seed=3)
    clf = GNNGraphClassifier(conv, readout=readout, n_layers=2, hidden_size=16, max_epochs=30,
                             random_state=0).fit(X_train, y_train)
    assert clf.score(X_test, y_test) == 1.0


def test_shapes_probabilities_and_decision_function():
    graphs, y = community_graphs()
    clf = GNNGraphClassifier(**FAST).fit(graphs, y)
    P = clf.predict_proba(graphs)
    assert P.shape == (len(graphs), 2) and np.allclose(P.sum(axis=1), 1)
    assert np.allclose(np.exp(clf.predict_log_proba(graphs)), P)
    d = clf.decision_function(graphs)
    assert d.shape == (len(graphs),)
    assert np.array_equal(clf.predict(graphs), clf.classes_[(d > 0).astype(int)])
    assert clf.n_classes_ == 2 and clf.n_features_in_ == 3
    assert len(clf.loss_curve_) == clf.n_iter_ == 15
    assert clf.device_ == "cpu"


def test_multiclass_and_string_labels_round_trip():
    graphs, y = community_graphs(30)
    labels = np.array(["a", "b", "c"])[np.arange(30) % 3]
    clf = GNNGraphClassifier(**FAST).fit(graphs, labels)
    assert list(clf.classes_) == ["a", "b", "c"]
    assert clf.predict_proba(graphs).shape == (30, 3)
    assert clf.decision_function(graphs).shape == (30, 3)
    assert set(clf.predict(graphs)) <= {"a", "b", "c"}


def test_graphs_without_edges_and_single_nodes_are_valid():
    # class 0: isolated nodes only (1 to 4 of them); class 1: a triangle; features near 1
    rng = np.random.default_rng(0)
    graphs, y = [], []
    for i in range(12):
        n = 1 + i % 4
        graphs.append((sp.csr_array((n, n)), 1 + 0.1 * rng.normal(size=(n, 1))))
        graphs.append((np.ones((3, 3)) - np.eye(3), 1 + 0.1 * rng.normal(size=(3, 1))))
        y += [0, 1]
    clf = GNNGraphClassifier(max_epochs=40, random_state=0).fit(graphs, y)
    single = [(np.zeros((1, 1)), np.ones((1, 1)))]
    assert clf.predict(single).tolist() == [0]
    assert clf.score(graphs, y) == 1.0


def test_ensemble_averages_the_probabilities_of_members_trained_side_by_side():
    graphs, y = community_graphs(30)
    clf = GNNGraphClassifier(ensemble_size=3, pooled_member=False, **FAST).fit(graphs, y)
    members = clf.module_.members
    assert len(members) == 3
    first_weights = [m.convs[0].nn[0].weight for m in members]
    assert not torch.allclose(first_weights[0], first_weights[1])  # own initial weights
    alone = []
    for member in members:  # each member as a model of its own
        single = copy.deepcopy(clf)
        single.module_ = member
        alone.append(single.predict_proba(graphs))
        assert single.score(graphs, y) >= 0.9  # every member learned from its own loss
    assert np.allclose(clf.predict_proba(graphs), np.mean(alone, axis=0), atol=1e-6)
    restored = pickle.loads(pickle.dumps(clf))
    assert np.array_equal(restored.predict_proba(graphs), clf.predict_proba(graphs))
    with pytest.raises(ValueError, match="ensemble_size"):
        GNNGraphClassifier(ensemble_size=0).fit(graphs, y)


def test_pooled_member_joins_the_average_and_learns_what_the_summed_features_say():
    graphs, y = toy_graphs(20, seed=0)  # the class is the sign of every node's features
    clf = GNNGraphClassifier(ensemble_size=2, pooled_member=True, **FAST).fit(graphs, y)
    members = clf.module_.members
    assert [type(m).__name__ for m in members] == ["GraphNetwork", "GraphNetwork",
                                                   "PooledFeatureNetwork"]
    alone = []
    for member in members:
        single = copy.deepcopy(clf)
        single.module_ = member
        alone.append(single.predict_proba(graphs))
    assert np.allclose(clf.predict_proba(graphs), np.mean(alone, axis=0), atol=1e-6)
    X_test, y_test = toy_graphs(20, seed=1)
    pooled = copy.deepcopy(clf)
    pooled.module_ = members[-1]
    assert pooled.score(X_test, y_test) == 1.0  # the edges play no part in this task
    one = GNNGraphClassifier(ensemble_size=1, pooled_member=True, **FAST).fit(graphs, y)
    assert len(one.module_.members) == 2
    restored = pickle.loads(pickle.dumps(clf))
    assert np.array_equal(restored.predict_proba(X_test), clf.predict_proba(X_test))
    with pytest.raises(ValueError, match="pooled_member"):
        GNNGraphClassifier(pooled_member="yes").fit(graphs, y)


def test_label_smoothing_aims_the_true_class_below_certainty():
    X_train, y_train = toy_graphs(20, seed=0, noise=0.1)
    X_test, y_test = toy_graphs(20, seed=1, noise=0.1)
    sharp = GNNGraphClassifier(max_epochs=30, random_state=0).fit(X_train, y_train)
    smooth = GNNGraphClassifier(max_epochs=30, random_state=0, label_smoothing=0.2).fit(
        X_train, y_train)
    assert smooth.score(X_test, y_test) == 1.0
    assert sharp.predict_proba(X_test).max(axis=1).min() > 0.99
    # the smoothed target of the true class: 1 - 0.2 + 0.2 / 2 classes = 0.9
    confidence = smooth.predict_proba(X_test).max(axis=1)
    assert abs(confidence.mean() - 0.9) < 0.03 and confidence.max() < 0.97
    with pytest.raises(ValueError, match="label_smoothing"):
        GNNGraphClassifier(label_smoothing=1.0).fit(X_train, y_train)


def test_pickle_from_before_the_walk_encoding_ensembles_and_the_clip_still_loads():
    graphs, y = community_graphs()
    clf = GNNGraphClassifier(random_walk_encoding=0, ensemble_size=1, pooled_member=False,
                             **FAST).fit(graphs, y)
    clf.feature_bound_ = None  # models of that time did not clip
    P = clf.predict_proba(graphs)
    state = clf.__getstate__()
    for name in ("random_walk_encoding", "ensemble_size", "label_smoothing", "class_weight",
                 "feature_bound_", "pooled_member", "conv_", "_fit_params"):
        del state[name]
    old = GNNGraphClassifier.__new__(GNNGraphClassifier)
    old.__setstate__(state)
    assert np.array_equal(old.predict_proba(graphs), P)
    assert clone(old).get_params()["random_walk_encoding"] == 0
    assert clone(old).get_params()["pooled_member"] is False


def test_bad_input():
    graphs, y = community_graphs(10)
    with pytest.raises(ValueError, match="empty"):
        GNNGraphClassifier(**FAST).fit([], [])
    with pytest.raises(ValueError, match=r"X\[1\].*0 nodes"):
        GNNGraphClassifier(**FAST).fit([graphs[0], np.zeros((0, 0))], [0, 1])
    wrong_width = graphs[:3] + [(graphs[3].adjacency, np.ones((graphs[3].n_nodes, 5)))]
    with pytest.raises(ValueError, match=r"X\[3\] has 5 node features"):
        GNNGraphClassifier(**FAST).fit(wrong_width, y[:4])
    with pytest.raises(ValueError, match="single class"):
        GNNGraphClassifier(**FAST).fit(graphs, np.zeros(10))
    with pytest.raises(ValueError, match="10 graphs but y has 9 labels"):
        GNNGraphClassifier(**FAST).fit(graphs, y[:9])
    with pytest.raises(ValueError, match="continuous"):
        GNNGraphClassifier(**FAST).fit(graphs, np.linspace(0, 1, 10))
    with pytest.raises(NotFittedError):
        GNNGraphClassifier().predict(graphs)
    for single in (graphs[0], (graphs[0].adjacency, graphs[0].features), graphs[0].adjacency):
        with pytest.raises(TypeError, match="single graph"):
            GNNGraphClassifier(**FAST).fit(single, [0])
    with pytest.raises(TypeError, match=r"X\[0\] is not a valid graph"):
        GNNGraphClassifier(**FAST).fit(["not a graph", graphs[1]], [0, 1])
    with pytest.raises(ValueError, match="conv"):
        GNNGraphClassifier(conv="nope").fit(graphs, y)
    clf = GNNGraphClassifier(**FAST).fit(graphs, y)
    with pytest.raises(ValueError, match="training graphs had 3"):
        clf.predict([(np.ones((2, 2)), np.ones((2, 4)))])
    with pytest.raises(TypeError, match="single graph"):
        clf.predict(graphs[0])


def _permuted(adjacency: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    order = rng.permutation(len(adjacency))
    return adjacency[np.ix_(order, order)]


def _triangles_or_ring(n_pairs: int, rng: np.random.Generator) -> tuple[list, np.ndarray]:
    """Pairs of 2-regular graphs on 3m nodes (m = 2..5, node order shuffled): m disjoint
    triangles, labelled "triangles", and one ring of 3m nodes, labelled "ring"."""
    graphs, y = [], []
    for _ in range(n_pairs):
        m = int(rng.integers(2, 6))
        ring = np.roll(np.eye(3 * m), 1, axis=1) + np.roll(np.eye(3 * m), -1, axis=1)
        triangles = np.kron(np.eye(m), np.ones((3, 3)) - np.eye(3))
        graphs += [_permuted(triangles, rng), _permuted(ring, rng)]
        y += ["triangles", "ring"]
    return graphs, np.array(y)


def test_random_walk_encoding_separates_graphs_message_passing_cannot():
    # every node has degree 2 in both kinds of graph, so a message-passing network with the
    # same features at every node computes the same output for a triangles/ring pair
    rng = np.random.default_rng(0)
    graphs, y = _triangles_or_ring(20, rng)
    unseen, y_unseen = _triangles_or_ring(10, rng)

    blind = GNNGraphClassifier(random_walk_encoding=0, **FAST).fit(graphs, y)
    scores = blind.decision_function(unseen)
    assert np.allclose(scores[0::2], scores[1::2], atol=1e-4)
    assert blind.score(unseen, y_unseen) == 0.5
    assert blind.feature_offset_.shape == (2,)  # the featureless default: [1, log(1 + degree)]

    walks = GNNGraphClassifier(**FAST).fit(graphs, y)  # default: 16 return probabilities
    assert walks.feature_offset_.shape == (2 + 16,)
    assert walks.score(unseen, y_unseen) == 1.0


def _poisoned_toy(n_clean=20, n_poisoned=10, seed=0):
    """The toy problem plus graphs that look "neg" (features near -1) but are labelled "pos"."""
    graphs, y = toy_graphs(n_clean, seed=seed)
    rng = np.random.default_rng(seed + 1)
    poisoned = [(TOY_A, -1.0 + 0.1 * rng.normal(size=(5, 2))) for _ in range(n_poisoned)]
    return graphs + poisoned, np.concatenate([y, ["pos"] * n_poisoned]), len(graphs)


def test_graphs_of_weight_zero_do_not_train_the_network():
    graphs, y, n_clean = _poisoned_toy()
    weights = np.r_[np.ones(n_clean), np.zeros(len(y) - n_clean)]
    kwargs = dict(max_epochs=30, random_state=0, device="cpu")
    weighted = GNNGraphClassifier(**kwargs).fit(graphs, y, sample_weight=weights)
    unweighted = GNNGraphClassifier(**kwargs).fit(graphs, y)
    neg = list(weighted.classes_).index("neg")
    # the poisoned graphs follow the clean rule when they weigh nothing...
    assert weighted.predict_proba(graphs[n_clean:])[:, neg].min() > 0.9
    assert weighted.score(graphs[:n_clean], y[:n_clean]) == 1.0
    # ...and pull their look-alikes towards "pos" when they count
    assert unweighted.predict_proba(graphs[n_clean:])[:, neg].mean() < 0.8
    # weight 0 is as if the graphs were not given: the same scaling, batches and weights
    # (their classes stay among classes_, as scikit-learn's classifiers keep them)
    removed = GNNGraphClassifier(**kwargs).fit(graphs[:n_clean], y[:n_clean])
    np.testing.assert_array_equal(weighted.predict_proba(graphs), removed.predict_proba(graphs))
    np.testing.assert_array_equal(weighted.feature_offset_, removed.feature_offset_)
    with pytest.raises(TypeError, match=r"X\[25\] is not a valid graph"):
        GNNGraphClassifier(**kwargs).fit(graphs[:25] + ["not a graph"] + graphs[26:], y,
                                         sample_weight=weights)
    wider = (TOY_A, np.ones((5, 7)))  # checked as any graph is, whatever its weight
    with pytest.raises(ValueError, match=r"X\[25\] has 7 node features but the first graph "
                                         r"had 2"):
        GNNGraphClassifier(**kwargs).fit(graphs[:25] + [wider] + graphs[26:], y,
                                         sample_weight=weights)


def test_class_weight_multiplies_each_graphs_loss_by_its_classs_weight():
    graphs, y = toy_graphs(24, seed=5)
    by_class = GNNGraphClassifier(class_weight={"pos": 3.0}, **FAST).fit(graphs, y)
    by_graph = GNNGraphClassifier(**FAST).fit(graphs, y, sample_weight=np.where(y == "pos", 3, 1))
    assert np.array_equal(by_class.predict_proba(graphs), by_graph.predict_proba(graphs))
    both = GNNGraphClassifier(class_weight={"pos": 3.0}, **FAST).fit(
        graphs, y, sample_weight=np.where(y == "neg", 3.0, 1.0))  # 3 x 1 and 1 x 3: uniform
    plain = GNNGraphClassifier(**FAST).fit(graphs, y)
    assert np.array_equal(both.predict_proba(graphs), plain.predict_proba(graphs))


def test_balanced_class_weight_favours_the_minority_class():
    rng = np.random.default_rng(0)
    y = np.array([0] * 48 + [1] * 12)
    # heavily overlapping classes: the features only lean one way or the other
    graphs = [(TOY_A, (0.3 if label else -0.3) + rng.normal(size=(5, 2))) for label in y]
    test = [(TOY_A, rng.normal(size=(5, 2))) for _ in range(200)]
    kwargs = dict(max_epochs=20, batch_size=32, random_state=0, device="cpu")
    balanced = GNNGraphClassifier(class_weight="balanced", **kwargs).fit(graphs, y)
    expected = len(y) / (2 * np.bincount(y))  # n / (n_classes * count): 0.625 and 2.5
    same = GNNGraphClassifier(**kwargs).fit(graphs, y, sample_weight=expected[y])
    assert np.array_equal(balanced.predict_proba(test), same.predict_proba(test))
    plain = GNNGraphClassifier(**kwargs).fit(graphs, y)
    assert balanced.predict_proba(test)[:, 1].mean() > plain.predict_proba(test)[:, 1].mean() + 0.1
    assert (balanced.predict(test) == 1).mean() > (plain.predict(test) == 1).mean()


def test_sample_weight_in_cross_val_score_and_pipelines():
    from sklearn.pipeline import make_pipeline

    graphs, y = community_graphs()
    weights = np.r_[np.ones(12), np.full(12, 2.0)]
    scores = cross_val_score(GNNGraphClassifier(**FAST), graphs, y, cv=3,
                             params={"sample_weight": weights})
    assert scores.shape == (3,)
    pipe = make_pipeline(GNNGraphClassifier(**FAST))
    pipe.fit(graphs, y, gnngraphclassifier__sample_weight=weights)
    direct = GNNGraphClassifier(**FAST).fit(graphs, y, sample_weight=weights)
    assert np.array_equal(pipe.predict_proba(graphs), direct.predict_proba(graphs))


@pytest.mark.parametrize("sample_weight, error, match", [
    (np.ones(3), ValueError, r"sample_weight.shape == \(3,\), expected \(24,\)"),
    (np.ones((24, 2)), ValueError, "Sample weights must be 1D array or scalar"),
    (np.r_[-1.0, np.ones(23)], ValueError, "Negative values in data passed to `sample_weight`"),
    (np.r_[np.nan, np.ones(23)], ValueError, "Input sample_weight contains NaN"),
    (np.zeros(24), ValueError, "zero for every sample"),
    (["a"] * 24, ValueError, "could not convert string to float"),
])
def test_bad_sample_weight(sample_weight, error, match):
    graphs, y = community_graphs()
    before = copy.deepcopy(sample_weight)
    with pytest.raises(error, match=match):
        GNNGraphClassifier(**FAST).fit(graphs, y, sample_weight=sample_weight)
    np.testing.assert_array_equal(sample_weight, before)


def test_class_weight_ignores_classes_absent_from_y_as_scikit_learn_does():
    # a cross-validation fold may lack a rare class the dict names
    graphs, y = community_graphs()
    named = GNNGraphClassifier(class_weight={0: 1.0, 1: 3.0, 7: 2.0}, **FAST).fit(graphs, y)
    plain = GNNGraphClassifier(class_weight={0: 1.0, 1: 3.0}, **FAST).fit(graphs, y)
    assert np.array_equal(named.predict_proba(graphs), plain.predict_proba(graphs))


def test_bad_class_weight():
    graphs, y = community_graphs()
    # keys that name no class while some class has no weight: refused, as scikit-learn does
    for weight in ({"1": 5.0}, {1: 5.0, 7: 2.0}):
        with pytest.raises(ValueError, match=r"class_weight names .* which are not classes of "
                                             r"y, while the classes \[0.*\] have no weight"):
            GNNGraphClassifier(class_weight=weight, **FAST).fit(graphs, y)
    for weight in (-1.0, np.inf, np.nan, "2"):
        with pytest.raises(ValueError, match=r"class_weight\[0\] is .*; class weights must be "
                                             "finite numbers >= 0"):
            GNNGraphClassifier(class_weight={0: weight}, **FAST).fit(graphs, y)
    with pytest.raises(ValueError, match="class_weight"):  # InvalidParameterError
        GNNGraphClassifier(class_weight="equal", **FAST).fit(graphs, y)
    with pytest.raises(ValueError, match="zero for every sample"):
        GNNGraphClassifier(class_weight={0: 0.0, 1: 0.0}, **FAST).fit(graphs, y)


def _bond_graphs(n, seed):
    """Rings of 6 atoms, identical but for one bond: "double" (class 1) or "single" (0); the
    class is in the edge features only."""
    rng = np.random.default_rng(seed)
    graphs, y = [], []
    ring = [(i, (i + 1) % 6) for i in range(6)]
    for k in range(n):
        label = k % 2
        bonds = np.zeros((6, 2))
        bonds[:, 0] = 1.0
        if label:
            bonds[rng.integers(6)] = [0.0, 1.0]
        rows = [u for u, v in ring] + [v for u, v in ring]
        cols = [v for u, v in ring] + [u for u, v in ring]
        A = sp.coo_array((np.ones(12), (rows, cols)), shape=(6, 6))
        graphs.append(Graph(A, np.ones((6, 1)), edge_features=np.vstack([bonds, bonds])))
        y.append(label)
    return graphs, np.array(y)


def test_gine_learns_from_bond_types_that_gin_cannot_see():
    graphs, y = _bond_graphs(40, seed=0)
    unseen, y_unseen = _bond_graphs(20, seed=1)
    gine = GNNGraphClassifier(conv="gine", **{**FAST, "max_epochs": 40}).fit(graphs, y)
    assert gine.n_edge_features_in_ == 2 and gine.score(unseen, y_unseen) == 1.0
    with pytest.warns(UserWarning, match="2 edge features, which conv='gin' does not read"):
        gin = GNNGraphClassifier(conv="gin", **{**FAST, "max_epochs": 40}).fit(graphs, y)
    assert gin.score(unseen, y_unseen) == 0.5  # every ring looks the same without its bonds
    restored = pickle.loads(pickle.dumps(gine))
    assert np.array_equal(restored.predict_proba(unseen), gine.predict_proba(unseen))
    bare = [Graph(g.adjacency, g.features) for g in unseen]
    with pytest.raises(ValueError, match="has 0 edge features but the training graphs had 2"):
        gine.predict(bare)


def test_graphs_without_edges_mix_with_edge_featured_ones():
    # a one-atom molecule has no bonds, hence no bond features, whatever form it comes in
    graphs, y = _bond_graphs(20, seed=0)
    single = [Graph(np.zeros((1, 1)), np.ones((1, 1))), nx.Graph()]
    single[1].add_node(0, x=np.ones(1))
    for lone in single:
        for mixed in ([lone] + graphs, graphs + [lone]):
            labels = np.r_[0, y] if mixed[0] is lone else np.r_[y, 0]
            clf = GNNGraphClassifier(**FAST).fit(mixed, labels)
            assert clf.n_edge_features_in_ == 2 and clf.conv_ == "gine"
            assert clf.predict([lone]).shape == (1,)
    wrong = graphs[:3] + [Graph(graphs[0].adjacency, graphs[0].features)]
    with pytest.raises(ValueError, match=r"X\[3\] has 0 edge features but X\[0\], the first "
                                         "graph with edges, had 2"):
        GNNGraphClassifier(**FAST).fit(wrong, [0, 1, 0, 1])


def test_too_few_graphs_per_batch_are_refused_clearly():
    graphs, y = community_graphs()
    with pytest.raises(ValueError, match="'batch_size' parameter .* must be an int in the "
                                         "range \\[2, inf\\)"):
        GNNGraphClassifier(batch_size=1).fit(graphs, y)
    with pytest.raises(ValueError, match="training needs at least 2 graphs, got 1 after "
                                         "holding out the early-stopping validation graphs"):
        GNNGraphClassifier(early_stopping=True, **FAST).fit(graphs[:2], [0, 1])
    clf = GNNGraphClassifier(batch_size=2, **FAST).fit(graphs[:5], y[:5])  # 2 + 3 graphs
    assert clf.predict(graphs[:5]).shape == (5,)


def test_edge_feature_warning_points_at_the_callers_line():
    graphs, y = _bond_graphs(10, seed=0)
    with pytest.warns(UserWarning, match="does not read") as caught:
        GNNGraphClassifier(conv="gin", **FAST).fit(graphs, y)
    assert caught[0].filename == __file__


def test_edge_weights_are_named_as_unread():
    graphs, y = community_graphs()
    weighted = [Graph(g.adjacency * 2.0, g.features) for g in graphs[:3]] + list(graphs[3:])
    with pytest.warns(UserWarning, match=r"3 of the graphs have edge weights other than 1 "
                                         r"\(given, or repeated edges summed\), which the "
                                         "graph-level networks do not read"):
        GNNGraphClassifier(**FAST).fit(weighted, y)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        GNNGraphClassifier(**FAST).fit(graphs, y)  # unit weights: nothing to say


def test_the_advice_for_edge_weights_works_on_directed_graphs_with_repeated_edges():
    # payments: 0->1 of 2 and 1->0 of 3, 1->2 twice; what the warning says to write
    A = sp.coo_array(([2.0, 3.0, 5.0, 7.0, 1.0], ([0, 1, 1, 1, 2], [1, 0, 2, 2, 3])),
                     shape=(4, 4))
    graphs = [Graph(A * (1 + i % 2), np.ones((4, 2))) for i in range(10)]
    y = [i % 2 for i in range(10)]
    with pytest.warns(UserWarning, match=r"edge weights other than 1") as caught:
        GNNGraphClassifier(**FAST).fit(graphs, y)
    advice = ("G = Graph(A, X); Graph((G.adjacency > 0) * 1.0, X, "
              "edge_features=G.adjacency.data[:, None])")
    assert advice in str(caught[0].message)
    advised = []
    for G in graphs:  # the advice, word for word, on each graph's A and X
        namespace = {"Graph": Graph, "A": G.adjacency, "X": G.features}
        exec(advice.replace("; Graph(", "; result = Graph("), namespace)
        advised.append(namespace["result"])
    assert sorted(advised[1].edge_features.ravel().tolist()) == [2, 2, 6, 6, 24, 24]
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # the weights are read now: nothing to say
        model = GNNGraphClassifier(**FAST).fit(advised, y)
    assert model.conv_ == "gine" and model.n_edge_features_in_ == 1


def test_auto_reads_edge_features_when_the_graphs_have_them_and_gin_otherwise():
    graphs, y = _bond_graphs(40, seed=0)
    unseen, _ = _bond_graphs(20, seed=1)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        auto = GNNGraphClassifier(**{**FAST, "max_epochs": 20}).fit(graphs, y)
    assert not [w for w in caught if "does not read" in str(w.message)]
    assert auto.get_params()["conv"] == "auto" and auto.conv_ == "gine"
    gine = GNNGraphClassifier(conv="gine", **{**FAST, "max_epochs": 20}).fit(graphs, y)
    assert np.array_equal(auto.predict_proba(unseen), gine.predict_proba(unseen))
    bare = [Graph(g.adjacency, g.features) for g in graphs]
    plain = GNNGraphClassifier(**FAST).fit(bare, y)
    gin = GNNGraphClassifier(conv="gin", **FAST).fit(bare, y)
    assert plain.conv_ == "gin"
    assert np.array_equal(plain.predict_proba(bare), gin.predict_proba(bare))
    restored = pickle.loads(pickle.dumps(auto))
    assert restored.conv_ == "gine"
    assert np.array_equal(restored.predict_proba(unseen), auto.predict_proba(unseen))


@pytest.mark.parametrize("estimator", [GNNGraphClassifier, GNNGraphRegressor])
def test_values_beyond_float32_are_refused_not_computed(estimator):
    graphs, y = community_graphs()
    huge = [Graph(g.adjacency, g.features * 1e39) for g in graphs]
    with pytest.raises(ValueError, match="X\\[0\\]'s node features hold values too large for "
                                         "float32"):
        estimator(**FAST).fit(huge, y)
    fitted = estimator(**FAST).fit(graphs, y)
    with pytest.raises(ValueError, match="too large for float32"):
        fitted.predict(huge[:3])
    bonds, labels = _bond_graphs(10, seed=0)
    with pytest.raises(ValueError, match="X\\[0\\]'s edge features hold values too large"):
        estimator(**FAST).fit([Graph(g.adjacency, g.features, edge_features=g.edge_features
                                     * 1e300) for g in bonds], labels)
    # finite in float32, but a network without standardisation overflows on them
    raw = estimator(**FAST, standardize=False).fit(graphs, y)
    large = [Graph(g.adjacency, np.sign(g.features) * 1e38) for g in graphs[:3]]
    with pytest.raises(ValueError, match="outputs overflowed for 3 graph\\(s\\) of X \\(the "
                                         "first: X\\[0\\]\\).*standardize=True"):
        raw.predict(large)


def test_parameters_set_after_fit_do_not_change_predictions():
    graphs, y = community_graphs()
    for estimator in (GNNGraphClassifier, GNNGraphRegressor):
        fitted = estimator(**FAST).fit(graphs, y)
        before = fitted.predict(graphs)
        fitted.set_params(random_walk_encoding=8, standardize=False, ensemble_size=1)
        np.testing.assert_array_equal(fitted.predict(graphs), before)


def test_targets_none_and_pyg_batches():
    graphs, y = community_graphs()
    with pytest.raises(ValueError, match="requires y to be passed, but the target y is None"):
        GNNGraphClassifier(**FAST).fit(graphs, None)
    with pytest.raises(ValueError, match=r"single class, one class only \('a'\)"):
        GNNGraphClassifier(**FAST).fit(graphs, ["a"] * len(graphs))
    from torch_geometric.data import Batch, Data

    def data(graph):
        coo = graph.adjacency.tocoo()
        return Data(x=torch.tensor(graph.features, dtype=torch.float32),
                    edge_index=torch.tensor(np.vstack([coo.row, coo.col]), dtype=torch.long))
    batch = Batch.from_data_list([data(g) for g in graphs])
    clf = GNNGraphClassifier(**FAST).fit(batch, y)  # a Batch is its graphs
    # the graphs' float64 features are scaled in float64, the Data's float32 ones in float32
    np.testing.assert_allclose(clf.predict_proba(batch), clf.predict_proba(graphs), atol=1e-6)

    # PyG datasets whatever their class name, their random_split subsets; loaders refused
    from torch_geometric.data import InMemoryDataset
    from torch_geometric.loader import DataLoader

    class QM9(InMemoryDataset):  # a name that does not end in "Dataset"
        def __init__(self, data_list):
            super().__init__()
            self.data, self.slices = self.collate(data_list)

    QM9.__module__ = "torch_geometric.datasets.qm9"  # as PyG's own
    dataset = QM9([data(g) for g in graphs])
    labelled = [Data(x=d.x, edge_index=d.edge_index, y=torch.tensor([k])) for k, d in
                enumerate(dataset)]
    for estimator in (GNNGraphClassifier, GNNGraphRegressor):
        with pytest.raises(ValueError, match=r"requires y to be passed, .* not from Data.y: "
                                             r"pass y=torch.cat\(\[data.y for data in"):
            estimator(**FAST).fit(labelled, None)
    expected = clf.predict_proba(batch)
    np.testing.assert_allclose(clf.predict_proba(dataset), expected, atol=1e-6)
    subset = torch.utils.data.Subset(dataset, [2, 0])
    np.testing.assert_allclose(clf.predict_proba(subset), expected[[2, 0]], atol=1e-6)
    with pytest.raises(TypeError, match=r"X is a DataLoader, which yields batches; pass its "
                                        r"dataset \(loader.dataset\)"):
        clf.predict(DataLoader(dataset, batch_size=4))


def test_small_early_stopping_splits_and_bad_callbacks_get_clear_errors():
    graphs, _ = community_graphs(5)
    y = np.array([0, 1, 0, 1, 0])
    with pytest.raises(ValueError, match="holds out 5 of the 5 graphs \\(validation_fraction="
                                         "0.99\\), which leaves none"):
        GNNGraphClassifier(early_stopping=True, validation_fraction=0.99, batch_size=2,
                           **FAST).fit(graphs, y)
    with pytest.raises(ValueError, match="training needs at least 2 graphs, got 1 after "
                                         "holding out"):  # was scikit-learn's train_size error
        GNNGraphClassifier(early_stopping=True, validation_fraction=0.9, batch_size=2,
                           **FAST).fit(graphs, y)
    # fewer training graphs than classes cannot be stratified: the split is not
    seven, _ = community_graphs(7)
    clf = GNNGraphClassifier(early_stopping=True, validation_fraction=0.7, batch_size=2,
                             **FAST).fit(seven, [0, 1, 2, 0, 1, 2, 0])
    assert clf.n_iter_ >= 1
    with pytest.raises(ValueError, match="holds out 2 of the 2 graphs .*at least 2: the "
                                         "validation R² needs them"):
        GNNGraphRegressor(early_stopping=True, **FAST).fit(graphs[:2], [0.0, 1.0])
    with pytest.raises(TypeError, match="callbacks\\[0\\] is a int, not a callable"):
        GNNGraphClassifier(callbacks=[1], **FAST).fit(graphs, y)


def test_several_labels_per_graph_name_the_multi_output_route_which_works():
    from sklearn.multioutput import MultiOutputClassifier

    graphs, kind = _triangles_or_ring(8, np.random.default_rng(0))
    sizes = np.array([Graph(A).n_nodes for A in graphs])
    Y = np.column_stack([kind == "ring", sizes > 9]).astype(int)  # two tasks per graph
    with pytest.raises(ValueError, match=r"predicts one label per graph, but y has shape "
                                         r"\(16, 2\): 2 labels per graph .*MultiOutputClassifier"):
        GNNGraphClassifier(**FAST).fit(graphs, Y)
    with pytest.raises(ValueError, match="MultiOutputClassifier"):
        GNNGraphClassifier(**FAST).fit(graphs, Y.tolist())
    multi = MultiOutputClassifier(GNNGraphClassifier(**{**FAST, "max_epochs": 40})).fit(graphs, Y)
    predicted = multi.predict(graphs)
    assert predicted.shape == (16, 2) and set(np.unique(predicted)) <= {0, 1}
    assert (predicted == Y).mean() > 0.8  # both tasks learnt (one network each)


def test_minus_one_beside_other_labels_is_a_class_with_a_warning():
    graphs, kind = _triangles_or_ring(4, np.random.default_rng(0))
    y = np.where(kind == "ring", 1, 0)
    y[:2] = -1  # "untested", in a multi-task table's habit
    with pytest.warns(UserWarning, match="y holds -1 beside the classes 0, 1: "
                                         "GNNGraphClassifier takes -1 as a class") as record:
        clf = GNNGraphClassifier(**FAST).fit(graphs, y)
    assert record[0].filename == __file__ and clf.classes_.tolist() == [-1, 0, 1]
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # -1 and 1, a usual binary coding: no warning
        GNNGraphClassifier(**FAST).fit(graphs, np.where(kind == "ring", 1, -1))
