"""Tests of GNNGraphClassifier: whole-graph classification."""

import copy
import pickle

import numpy as np
import pytest
import scipy.sparse as sp
import torch
from sklearn.base import clone
from sklearn.exceptions import NotFittedError
from sklearn.model_selection import GridSearchCV, cross_val_score

from skgraph import GNNGraphClassifier, Graph
from skgraph._graph_collation import _collate
from skgraph._nn._propagation import NeighbourSum

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


def test_every_input_form_and_featureless_graphs():
    nx = pytest.importorskip("networkx")
    from torch_geometric.data import Data

    path = nx.path_graph(4)
    forms = [sp.csr_array(nx.to_numpy_array(path)), nx.to_numpy_array(path), path,
             Data(edge_index=torch.tensor([[0, 1, 1, 2], [1, 0, 2, 1]]), num_nodes=3),
             Graph(np.ones((3, 3)))]
    y = [0, 1, 0, 1, 0]
    clf = GNNGraphClassifier(**FAST).fit(forms, y)
    assert clf.n_features_in_ == 0  # featureless: [1, log(1 + degree)] per node
    assert clf.predict_proba(forms).shape == (5, 2)


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


def test_cross_val_score_and_grid_search():
    graphs, y = community_graphs()
    scores = cross_val_score(GNNGraphClassifier(**FAST), graphs, y, cv=3)
    assert scores.shape == (3,) and np.all((0 <= scores) & (scores <= 1))
    for n_jobs in (1, 2):
        search = GridSearchCV(GNNGraphClassifier(**FAST), {"hidden_size": [8, 16]}, cv=2,
                              n_jobs=n_jobs).fit(graphs, y)
        assert search.best_params_["hidden_size"] in (8, 16)
        assert search.predict(graphs).shape == (len(graphs),)


def test_pickle_clone_and_repeatability():
    graphs, y = community_graphs()
    clf = GNNGraphClassifier(**FAST).fit(graphs, y)
    P = clf.predict_proba(graphs)
    restored = pickle.loads(pickle.dumps(clf))
    assert np.array_equal(restored.predict_proba(graphs), P)
    assert clone(clf).get_params() == clf.get_params()
    again = GNNGraphClassifier(**FAST).fit(graphs, y)
    assert np.array_equal(again.predict_proba(graphs), P)
    assert again.loss_curve_ == clf.loss_curve_


def test_ensemble_averages_the_probabilities_of_members_trained_side_by_side():
    graphs, y = community_graphs(30)
    clf = GNNGraphClassifier(ensemble_size=3, **FAST).fit(graphs, y)
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


def test_label_smoothing_aims_the_true_class_below_certainty():
    X_train, y_train = toy_graphs(20, seed=0, noise=0.1)
    X_test, y_test = toy_graphs(20, seed=1, noise=0.1)
    sharp = GNNGraphClassifier(max_epochs=30, random_state=0).fit(X_train, y_train)
    smooth = GNNGraphClassifier(max_epochs=30, random_state=0, label_smoothing=0.2).fit(
        X_train, y_train)
    assert smooth.score(X_test, y_test) == 1.0
    assert sharp.predict_proba(X_test).max(axis=1).min() > 0.99
    # the smoothed target of the true class: 1 - 0.2 + 0.2 / 2 classes = 0.9
    assert np.allclose(smooth.predict_proba(X_test).max(axis=1), 0.9, atol=0.05)
    with pytest.raises(ValueError, match="label_smoothing"):
        GNNGraphClassifier(label_smoothing=1.0).fit(X_train, y_train)


def test_pickle_from_before_the_walk_encoding_ensembles_and_the_clip_still_loads():
    graphs, y = community_graphs()
    clf = GNNGraphClassifier(random_walk_encoding=0, ensemble_size=1, **FAST).fit(graphs, y)
    clf.feature_bound_ = None  # models of that time did not clip
    P = clf.predict_proba(graphs)
    state = clf.__getstate__()
    for name in ("random_walk_encoding", "ensemble_size", "label_smoothing", "class_weight",
                 "feature_bound_"):
        del state[name]
    old = GNNGraphClassifier.__new__(GNNGraphClassifier)
    old.__setstate__(state)
    assert np.array_equal(old.predict_proba(graphs), P)
    assert clone(old).get_params()["random_walk_encoding"] == 0


def test_fit_leaves_the_global_torch_rng_alone():
    graphs, y = community_graphs(10)
    state = torch.random.get_rng_state()
    GNNGraphClassifier(**FAST).fit(graphs, y)
    assert torch.equal(torch.random.get_rng_state(), state)


def test_early_stopping_and_warm_start():
    graphs, y = community_graphs(30)
    clf = GNNGraphClassifier(early_stopping=True, n_iter_no_change=3, max_epochs=50,
                             random_state=0).fit(graphs, y)
    assert len(clf.validation_scores_) == clf.n_iter_ <= 50
    assert 0 <= clf.best_validation_score_ <= 1
    warm = GNNGraphClassifier(warm_start=True, **FAST).fit(graphs, y)
    first = warm.module_
    warm.fit(graphs, y)
    assert warm.module_ is first and len(warm.loss_curve_) == 30


def test_callers_data_is_not_modified():
    graphs, y = community_graphs(10)
    raw = [(g.adjacency.toarray(), np.array(g.features)) for g in graphs]
    copies = [(a.copy(), x.copy()) for a, x in raw]
    y_copy = y.copy()
    GNNGraphClassifier(**FAST).fit(raw, y).predict_proba(raw)
    assert all(np.array_equal(a, a0) and np.array_equal(x, x0)
               for (a, x), (a0, x0) in zip(raw, copies))
    assert np.array_equal(y, y_copy)


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


def mixed_feature_graphs(n=24, seed=0):
    """Community graphs whose features are a large real attribute, a one-hot pair coded
    ``{2, 5}`` and a constant column; label 1: two communities and a larger attribute."""
    graphs, y = community_graphs(n, seed)
    rng = np.random.default_rng(seed)
    mixed = []
    for g, label in zip(graphs, y):
        n_nodes = g.n_nodes
        attribute = 100 + 30 * rng.normal(size=n_nodes) + 40 * label
        onehot = np.where(rng.random(n_nodes) < 0.5, 2.0, 5.0)
        mixed.append((g.adjacency.toarray(),
                      np.column_stack([attribute, onehot, np.full(n_nodes, 7.0)])))
    return mixed, y


def test_standardize_statistics_come_from_the_training_nodes():
    graphs, y = mixed_feature_graphs()
    clf = GNNGraphClassifier(**FAST).fit(graphs[:16], y[:16])
    nodes = np.vstack([x for _, x in graphs[:16]])
    # three feature columns, then 16 random-walk return probabilities
    assert clf.feature_offset_.shape == clf.feature_scale_.shape == (3 + 16,)
    # real column: mean / std; two-valued column: min / (max - min); constant: 0 / 1
    assert np.allclose(clf.feature_offset_[:3], [nodes[:, 0].mean(), 2, 0], rtol=1e-5)
    assert np.allclose(clf.feature_scale_[:3], [nodes[:, 0].std(), 3, 1], rtol=1e-5)
    # only the real-valued column is clipped (to 3 standard deviations)
    assert np.array_equal(clf.feature_bound_[:3], [3, np.inf, np.inf])
    offset, scale = clf.feature_offset_.copy(), clf.feature_scale_.copy()
    # prediction reuses the fitted statistics: a graph scores the same alone or among others
    P = clf.predict_proba(graphs[16:])
    assert np.allclose(clf.predict_proba(graphs[16:17]), P[:1], atol=1e-6)
    # ... and is not refitted on the graphs predicted: shifting them all changes the output
    shifted = [(a, x + [1000.0, 0, 0]) for a, x in graphs[16:]]
    assert not np.allclose(clf.predict_proba(shifted), P, atol=1e-3)
    assert np.array_equal(clf.feature_offset_, offset)
    assert np.array_equal(clf.feature_scale_, scale)
    # a warm start keeps the scaling its weights were trained on
    clf.set_params(warm_start=True).fit([(a, 2 * x) for a, x in graphs[:16]], y[:16])
    assert np.array_equal(clf.feature_offset_, offset)
    off = GNNGraphClassifier(standardize=False, **FAST).fit(graphs, y)
    assert off.feature_offset_ is None and off.feature_scale_ is None
    assert off.feature_bound_ is None


def test_standardize_clips_outlying_values_of_real_columns():
    graphs, y = mixed_feature_graphs()
    clf = GNNGraphClassifier(**FAST).fit(graphs, y)
    a, x = graphs[0]
    original = x.copy()
    mean, std = clf.feature_offset_[0], clf.feature_scale_[0]

    def with_first_node(value):
        changed = x.copy()
        changed[0, 0] = value
        return (a, changed)

    at_bound, far, farther = (with_first_node(mean + k * std) for k in (3.0, 50.0, 5000.0))
    P = clf.decision_function([at_bound, far, farther])
    # every value beyond 3 standard deviations acts as the bound itself ...
    assert np.allclose(P[1], P[0], atol=1e-5) and np.allclose(P[2], P[0], atol=1e-5)
    # ... while a value just inside the bound still differs; the caller's array is intact
    inside = clf.decision_function([with_first_node(mean + 2.5 * std)])
    assert not np.allclose(inside, P[:1], atol=1e-3)
    assert np.array_equal(x, original)
    # the bounds travel with the model
    restored = pickle.loads(pickle.dumps(clf))
    assert np.array_equal(restored.feature_bound_, clf.feature_bound_)
    assert np.allclose(restored.decision_function([far]), P[1:2], atol=1e-5)


def test_standardize_makes_predictions_invariant_to_feature_rescaling():
    graphs, y = mixed_feature_graphs()
    copies = [(a.copy(), x.copy()) for a, x in graphs]
    # a positive rescaling and shift of the real and the two-valued columns (the constant
    # column is left alone by standardisation: under sum aggregation it counts neighbours)
    rescaled = [(a, x * [0.001, 10.0, 1.0] + [5.0, -1.0, 0.0]) for a, x in graphs]
    original = GNNGraphClassifier(**FAST).fit(graphs, y)
    transformed = GNNGraphClassifier(**FAST).fit(rescaled, y)
    # the network sees the same inputs, up to float32 rounding ...
    inputs = [clf._scaled(_collate(data, None, "X", clf.random_walk_encoding)[0]).x
              for clf, data in ((original, graphs), (transformed, rescaled))]
    assert torch.allclose(inputs[0], inputs[1], atol=1e-4)
    # ... which training can amplify (by up to about 1e-3 over random states), nothing more
    P, Q = original.predict_proba(graphs), transformed.predict_proba(rescaled)
    assert np.allclose(Q, P, atol=1e-2)
    assert all(np.array_equal(x, x0) for (_, x), (_, x0) in zip(graphs, copies))
    raw = GNNGraphClassifier(standardize=False, **FAST).fit(rescaled, y).predict_proba(rescaled)
    assert not np.allclose(raw, P, atol=1e-2)


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


def test_random_walk_encoding_is_validated():
    graphs, y = community_graphs(10)
    with pytest.raises(ValueError, match="random_walk_encoding"):
        GNNGraphClassifier(random_walk_encoding=-1).fit(graphs, y)


def test_standardize_is_validated():
    graphs, y = community_graphs(10)
    with pytest.raises(ValueError, match="standardize"):
        GNNGraphClassifier(standardize="yes").fit(graphs, y)


def test_weight_averaging_returns_the_mean_of_the_last_epochs_weights():
    graphs, y = toy_graphs(16, seed=3)
    snapshots = []

    def record(info):
        snapshots.append({k: v.detach().clone() for k, v in info.module.named_parameters()})

    clf = GNNGraphClassifier(max_epochs=6, weight_averaging=0.5, n_layers=1, hidden_size=8,
                             random_state=0, callbacks=[record]).fit(graphs, y)
    assert len(snapshots) == 6
    for name, param in clf.module_.named_parameters():
        expected = torch.stack([s[name] for s in snapshots[3:]]).mean(0)
        torch.testing.assert_close(param.detach(), expected)
    # without averaging, the last epoch's weights
    snapshots.clear()
    last = GNNGraphClassifier(max_epochs=6, weight_averaging=0.0, n_layers=1, hidden_size=8,
                              random_state=0, callbacks=[record]).fit(graphs, y)
    for name, param in last.module_.named_parameters():
        torch.testing.assert_close(param.detach(), snapshots[-1][name])


@pytest.mark.parametrize("weight_averaging", [0.0, 0.5])
def test_step_size_decays_along_a_cosine_over_all_epochs(weight_averaging):
    graphs, y = toy_graphs(16, seed=3)
    steps = []
    GNNGraphClassifier(max_epochs=8, learning_rate=0.02, weight_averaging=weight_averaging,
                       n_layers=1, hidden_size=8, random_state=0,
                       callbacks=[lambda info: steps.append(info.learning_rate)]).fit(graphs, y)
    # the averaged epochs too (a cosine over every epoch, not SWA's constant step)
    np.testing.assert_allclose(steps, [0.01 * (1 + np.cos(np.pi * epoch / 8))
                                       for epoch in range(8)])
    assert steps[0] == pytest.approx(0.02) and steps[-1] < 0.001


def test_weight_averaging_is_ignored_with_early_stopping():
    graphs, y = toy_graphs(30, seed=4)
    kwargs = dict(max_epochs=6, early_stopping=True, random_state=0, n_layers=1, hidden_size=8)
    a = GNNGraphClassifier(weight_averaging=0.5, **kwargs).fit(graphs, y)
    b = GNNGraphClassifier(weight_averaging=0.0, **kwargs).fit(graphs, y)
    np.testing.assert_allclose(a.predict_proba(graphs), b.predict_proba(graphs))


def test_batches_share_one_neighbour_sum_with_the_same_outputs_as_edge_lists():
    graphs, y = community_graphs(12)
    clf = GNNGraphClassifier(**FAST).fit(graphs, y)
    collated = clf._scaled(_collate(graphs, None, "X", clf.random_walk_encoding)[0])
    ids = torch.tensor([5, 0, 7, 3])
    x, shared, batch, n = collated.batch(ids, neighbour_sum=True)
    _, edge_index, _, _ = collated.batch(ids)
    assert isinstance(shared, NeighbourSum) and torch.equal(shared.edge_index, edge_index)
    assert shared.matrix is shared.matrix_t  # undirected: one matrix
    module = clf.module_.eval()
    with torch.no_grad():
        torch.testing.assert_close(module.member_outputs(x, shared, batch, n),
                                   module.member_outputs(x, edge_index, batch, n))


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


def test_only_the_ratios_of_sample_weights_matter():
    graphs, y = community_graphs()
    weights = np.random.default_rng(0).uniform(0.5, 2.0, size=len(y))
    a = GNNGraphClassifier(**FAST).fit(graphs, y, sample_weight=weights)
    b = GNNGraphClassifier(**FAST).fit(graphs, y, sample_weight=4 * weights)
    assert np.array_equal(a.predict_proba(graphs), b.predict_proba(graphs))
    plain = GNNGraphClassifier(**FAST).fit(graphs, y)
    assert not np.allclose(plain.predict_proba(graphs), a.predict_proba(graphs))
    for uniform in (3.0, np.full(len(y), 0.5), [True] * len(y)):
        same = GNNGraphClassifier(**FAST).fit(graphs, y, sample_weight=uniform)
        assert np.array_equal(same.predict_proba(graphs), plain.predict_proba(graphs))
        assert same.loss_curve_ == plain.loss_curve_


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
    kwargs = dict(max_epochs=20, random_state=0, device="cpu")
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
    (np.zeros(24), ValueError, "zero for every graph"),
    (["a"] * 24, ValueError, "could not convert string to float"),
])
def test_bad_sample_weight(sample_weight, error, match):
    graphs, y = community_graphs()
    before = copy.deepcopy(sample_weight)
    with pytest.raises(error, match=match):
        GNNGraphClassifier(**FAST).fit(graphs, y, sample_weight=sample_weight)
    np.testing.assert_array_equal(sample_weight, before)


def test_bad_class_weight():
    graphs, y = community_graphs()
    with pytest.raises(ValueError, match=r"class_weight names classes not in y: \[7\]"):
        GNNGraphClassifier(class_weight={7: 2.0}, **FAST).fit(graphs, y)
    with pytest.raises(ValueError, match="class_weight"):  # InvalidParameterError
        GNNGraphClassifier(class_weight="equal", **FAST).fit(graphs, y)
    with pytest.raises(ValueError, match="zero for every graph"):
        GNNGraphClassifier(class_weight={0: 0.0, 1: 0.0}, **FAST).fit(graphs, y)
