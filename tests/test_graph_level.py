"""What the graph-level estimators share (skgraph/_graph_level.py), tested on both.

GNNGraphClassifier and GNNGraphRegressor have the same inputs, network, training and
persistence; only their targets, loss and combination of outputs differ (their own test
modules). Each test here runs on both, with a label or a value per graph.
"""

import copy
import pickle
import warnings

import networkx as nx
import numpy as np
import pytest
import scipy.sparse as sp
import torch
from sklearn.base import clone, is_classifier
from sklearn.model_selection import GridSearchCV, check_cv, cross_val_score

import skgraph
from skgraph import GNNGraphClassifier, GNNGraphRegressor, Graph
from skgraph._graph_collation import _collate, _scale_features
from skgraph._nn._propagation import NeighbourSum

FAST = dict(max_epochs=15, random_state=0, device="cpu")
ESTIMATORS = [GNNGraphClassifier, GNNGraphRegressor]

pytestmark = [pytest.mark.usefixtures("one_thread"),
              pytest.mark.parametrize("cls", ESTIMATORS, ids=["classifier", "regressor"])]


def graphs_and_targets(cls, n=24, seed=0, mixed=False):
    """Graphs with one or two communities and features of width 3; the target is the number
    of communities (classifier: 0 / 1) or of edges (regressor). With ``mixed`` the
    features are a large real attribute, a two-valued column coded ``{2, 5}`` and a constant."""
    rng = np.random.default_rng(seed)
    graphs, labels, edges = [], [], []
    for i in range(n):
        k = 1 + i % 2
        size = 8 + i % 5
        blocks = np.arange(size) % k
        P = np.where(blocks[:, None] == blocks[None, :], 0.6, 0.05)
        A = np.triu(rng.random((size, size)) < P, 1).astype(float)
        A = A + A.T
        if mixed:
            x = np.column_stack([100 + 30 * rng.normal(size=size) + 40 * (k - 1),
                                 np.where(rng.random(size) < 0.5, 2.0, 5.0),
                                 np.full(size, 7.0)])
        else:
            x = rng.normal(size=(size, 3))
        graphs.append((A, x))
        labels.append(k - 1)
        edges.append(A.sum() / 2)
    return graphs, np.array(labels if cls is GNNGraphClassifier else edges, dtype=float
                            if cls is GNNGraphRegressor else int)


def outputs(est, graphs):
    """The estimator's real-valued outputs: class scores, or predicted values."""
    if isinstance(est, GNNGraphClassifier):
        return est.decision_function(graphs)
    return est.predict(graphs)


def test_every_input_form_and_featureless_graphs(cls):
    from torch_geometric.data import Data

    path = nx.path_graph(4)
    forms = [sp.csr_array(nx.to_numpy_array(path)), nx.to_numpy_array(path), path,
             Data(edge_index=torch.tensor([[0, 1, 1, 2], [1, 0, 2, 1]]), num_nodes=3),
             Graph(np.ones((3, 3)))]
    est = cls(**FAST).fit(forms, [0, 1, 0, 1, 0])
    assert est.n_features_in_ == 0  # featureless: [1, log(1 + degree)] per node
    assert outputs(est, forms).shape[0] == 5


def test_sklearn_tools_pickle_save_and_repeatability(cls, tmp_path):
    graphs, y = graphs_and_targets(cls)
    scores = cross_val_score(cls(**FAST), graphs, y, cv=3)
    # the same as fitting and scoring each fold's list of graphs by hand
    folds = check_cv(3, y, classifier=is_classifier(cls())).split(graphs, y)
    by_hand = [cls(**FAST).fit([graphs[i] for i in train], y[train])
               .score([graphs[i] for i in test], y[test]) for train, test in folds]
    np.testing.assert_allclose(scores, by_hand)
    searches = [GridSearchCV(cls(**FAST), {"hidden_size": [8, 16]}, cv=2,
                             n_jobs=n_jobs).fit(graphs, y) for n_jobs in (1, 2)]
    # worker processes fit exactly what the parent does
    np.testing.assert_array_equal(*(s.cv_results_["mean_test_score"] for s in searches))
    est = cls(**FAST).fit(graphs, y)
    out = outputs(est, graphs)
    assert np.array_equal(outputs(pickle.loads(pickle.dumps(est)), graphs), out)
    est.save(tmp_path / "model")
    assert np.array_equal(outputs(skgraph.load(tmp_path / "model"), graphs), out)
    assert clone(est).get_params() == est.get_params()
    again = cls(**FAST).fit(graphs, y)
    assert np.array_equal(outputs(again, graphs), out) and again.loss_curve_ == est.loss_curve_


def test_fit_leaves_the_global_torch_rng_and_the_callers_data_alone(cls):
    graphs, y = graphs_and_targets(cls, 10)
    copies, y_copy, weights = copy.deepcopy(graphs), y.copy(), np.ones(10)
    state = torch.random.get_rng_state()
    est = cls(**FAST).fit(graphs, y, sample_weight=weights)
    outputs(est, graphs)
    assert torch.equal(torch.random.get_rng_state(), state)
    assert all(np.array_equal(a, a0) and np.array_equal(x, x0)
               for (a, x), (a0, x0) in zip(graphs, copies))
    assert np.array_equal(y, y_copy) and (weights == 1).all()


def test_early_stopping_and_warm_start(cls):
    graphs, y = graphs_and_targets(cls, 30)
    est = cls(early_stopping=True, n_iter_no_change=3, max_epochs=50,
              random_state=0).fit(graphs, y)
    assert len(est.validation_scores_) == est.n_iter_ <= 50
    assert est.best_validation_score_ == max(est.validation_scores_) <= 1
    warm = cls(warm_start=True, **FAST).fit(graphs, y)
    warm.fit(graphs, y)
    curve = warm.loss_curve_
    assert len(curve) == 30  # the second fit starts where the first ended, not afresh:
    assert abs(curve[15] - curve[14]) < abs(curve[15] - curve[0])


def test_standardize_statistics_come_from_the_training_nodes(cls):
    graphs, y = graphs_and_targets(cls, mixed=True)
    est = cls(**FAST).fit(graphs[:16], y[:16])
    nodes = np.vstack([x for _, x in graphs[:16]])
    # three feature columns, then 16 random-walk return probabilities
    assert est.feature_offset_.shape == est.feature_scale_.shape == (3 + 16,)
    # real column: mean / std; two-valued column: min / (max - min); constant: 0 / 1
    assert np.allclose(est.feature_offset_[:3], [nodes[:, 0].mean(), 2, 0], rtol=1e-5)
    assert np.allclose(est.feature_scale_[:3], [nodes[:, 0].std(), 3, 1], rtol=1e-5)
    # only the real-valued column is clipped (to 3 standard deviations)
    assert np.array_equal(est.feature_bound_[:3], [3, np.inf, np.inf])
    offset, scale = est.feature_offset_.copy(), est.feature_scale_.copy()
    # prediction reuses the fitted statistics: a graph scores the same alone or among others
    out = outputs(est, graphs[16:])
    assert np.allclose(outputs(est, graphs[16:17]), out[:1], atol=1e-5)
    # ... and is not refitted on the graphs predicted: shifting them all changes the output
    shifted = [(a, x + [1000.0, 0, 0]) for a, x in graphs[16:]]
    assert not np.allclose(outputs(est, shifted), out, atol=1e-3)
    # a warm start keeps the scaling its weights were trained on
    est.set_params(warm_start=True).fit([(a, 2 * x) for a, x in graphs[:16]], y[:16])
    assert np.array_equal(est.feature_offset_, offset)
    assert np.array_equal(est.feature_scale_, scale)
    off = cls(standardize=False, **FAST).fit(graphs, y)
    assert off.feature_offset_ is None and off.feature_scale_ is None
    assert off.feature_bound_ is None


def test_standardize_clips_outlying_values_of_real_columns(cls):
    graphs, y = graphs_and_targets(cls, mixed=True)
    est = cls(**FAST).fit(graphs, y)
    a, x = graphs[0]
    original = x.copy()
    mean, std = est.feature_offset_[0], est.feature_scale_[0]

    def with_first_node(value):
        changed = x.copy()
        changed[0, 0] = value
        return (a, changed)

    at_bound, far, farther = (with_first_node(mean + k * std) for k in (3.0, 50.0, 5000.0))
    out = outputs(est, [at_bound, far, farther])
    # every value beyond 3 standard deviations acts as the bound itself ...
    assert np.allclose(out[1], out[0], atol=1e-5) and np.allclose(out[2], out[0], atol=1e-5)
    # ... while a value just inside the bound still differs; the caller's array is intact
    inside = outputs(est, [with_first_node(mean + 2.5 * std)])
    assert not np.allclose(inside, out[:1], atol=1e-4)
    assert np.array_equal(x, original)
    restored = pickle.loads(pickle.dumps(est))  # the bounds travel with the model
    assert np.array_equal(restored.feature_bound_, est.feature_bound_)
    assert np.allclose(outputs(restored, [far]), out[1:2], atol=1e-5)


def test_standardize_makes_the_inputs_invariant_to_feature_rescaling(cls):
    graphs, y = graphs_and_targets(cls, mixed=True)
    # a positive rescaling and shift of the real and the two-valued columns (the constant
    # column is left alone by standardisation: under sum aggregation it counts neighbours)
    rescaled = [(a, x * [0.001, 10.0, 1.0] + [5.0, -1.0, 0.0]) for a, x in graphs]
    original, transformed = cls(**FAST).fit(graphs, y), cls(**FAST).fit(rescaled, y)
    # the network sees the same inputs, up to float32 rounding ...
    inputs = [est._scaled(_collate(data, None, "X", est.random_walk_encoding)[0]).x
              for est, data in ((original, graphs), (transformed, rescaled))]
    assert torch.allclose(inputs[0], inputs[1], atol=1e-4)
    # ... which training can amplify a little, nothing more
    out, again = outputs(original, graphs), outputs(transformed, rescaled)
    assert np.allclose(again, out, rtol=1e-2, atol=1e-2)
    raw = outputs(cls(standardize=False, **FAST).fit(rescaled, y), rescaled)
    assert not np.allclose(raw, out, rtol=1e-2, atol=1e-2)


def test_standardize_subtracts_a_large_offset_before_the_float32_cast(cls):
    graphs, y = graphs_and_targets(cls)  # float64 features of standard deviation 1

    def symmetric_edge_features(a):
        entries = sp.coo_array(a)
        rows, cols = entries.row, entries.col
        return np.sin(rows * cols + rows + cols)[:, None]

    graphs = [(a, x, symmetric_edge_features(a)) for a, x in graphs]
    shifted = [(a, x + [1e4, 0, 0], e + 1e4) for a, x, e in graphs]

    def proba(data):
        est = cls(conv="gine", **FAST).fit(data, y)
        return est.predict_proba(data) if is_classifier(est) else est.predict(data)

    np.testing.assert_allclose(proba(shifted), proba(graphs), atol=1e-5)
    # float32 columns (float32 features, the random-walk encoding), already at float32's
    # resolution, are scaled in float32 arithmetic
    x = torch.randn(50, 2)
    offset, scale = np.array([0.3, -1.0]), np.array([2.0, 0.7])
    expected = (x - torch.from_numpy(offset).float()) / torch.from_numpy(scale).float()
    assert torch.equal(_scale_features(x, offset, scale, None), expected)
    assert torch.equal(_scale_features(x.double(), offset, scale, None, 1)[:, 1],
                       expected[:, 1])
    # ... and so is everything under float32 statistics (a model fitted by skgraph 0.1)
    old = _scale_features(x.double(), offset.astype(np.float32), scale.astype(np.float32),
                          None, 1)
    assert torch.equal(old, expected)


def test_a_node_view_among_the_graphs_is_refused(cls):
    graphs, y = graphs_and_targets(cls, 12)
    G = Graph(*graphs[0])
    view, idx = G[[0, 1]], [0, 1]
    message = (r"X\[3\] is a node view \(G\[idx\], 2 of the 8 nodes of one graph\): a node "
               r"view selects nodes of a graph, while graph-level estimators take whole "
               r"graphs. Pass view.whole\(\) .*Graph\(G.adjacency\[idx\]\[:, idx\], "
               r"G.features\[idx\]\)")
    with pytest.raises(ValueError, match=message):
        cls(**FAST).fit(graphs[:3] + [view] + graphs[4:], y)
    est = cls(**FAST).fit(graphs, y)
    predictions = [est.predict] + ([est.predict_proba] if is_classifier(est) else [])
    for predict in predictions:
        with pytest.raises(ValueError, match=message.replace("3", "1", 1)):
            predict([G, view])
    # the two ways out the message names
    for graph in (view.whole(), Graph(G.adjacency[idx][:, idx], G.features[idx])):
        assert predict([graph]).shape[0] == 1


def test_weight_averaging_returns_the_mean_of_the_last_epochs_weights(cls):
    graphs, y = graphs_and_targets(cls, 16)
    snapshots = []

    def record(info):
        snapshots.append({k: v.detach().clone() for k, v in info.module.named_parameters()})

    small = dict(max_epochs=6, n_layers=1, hidden_size=8, random_state=0, callbacks=[record])
    est = cls(weight_averaging=0.5, **small).fit(graphs, y)
    assert len(snapshots) == 6
    for name, param in est.module_.named_parameters():
        expected = torch.stack([s[name] for s in snapshots[3:]]).mean(0)
        torch.testing.assert_close(param.detach(), expected)
    snapshots.clear()  # without averaging, the last epoch's weights
    last = cls(weight_averaging=0.0, **small).fit(graphs, y)
    for name, param in last.module_.named_parameters():
        torch.testing.assert_close(param.detach(), snapshots[-1][name])
    # with early stopping the best validated weights are kept instead
    kwargs = dict(max_epochs=6, early_stopping=True, random_state=0, n_layers=1, hidden_size=8)
    a = cls(weight_averaging=0.5, **kwargs).fit(graphs, y)
    b = cls(weight_averaging=0.0, **kwargs).fit(graphs, y)
    np.testing.assert_allclose(outputs(a, graphs), outputs(b, graphs))


@pytest.mark.parametrize("weight_averaging", [0.0, 0.5])
def test_step_size_decays_along_a_cosine_over_all_epochs(cls, weight_averaging):
    graphs, y = graphs_and_targets(cls, 16)
    steps = []
    cls(max_epochs=8, learning_rate=0.02, weight_averaging=weight_averaging, n_layers=1,
        hidden_size=8, random_state=0,
        callbacks=[lambda info: steps.append(info.learning_rate)]).fit(graphs, y)
    # the averaged epochs too (a cosine over every epoch, not SWA's constant step)
    np.testing.assert_allclose(steps, [0.01 * (1 + np.cos(np.pi * epoch / 8))
                                       for epoch in range(8)])
    assert steps[0] == pytest.approx(0.02) and steps[-1] < 0.001


def test_batches_share_one_neighbour_sum_with_the_same_outputs_as_edge_lists(cls):
    graphs, y = graphs_and_targets(cls, 12)
    est = cls(**FAST).fit(graphs, y)
    collated = est._scaled(_collate(graphs, None, "X", est.random_walk_encoding)[0])
    ids = torch.tensor([5, 0, 7, 3])
    x, shared, batch, n, _ = collated.batch(ids, neighbour_sum=True)
    _, edge_index, _, _, _ = collated.batch(ids)
    assert isinstance(shared, NeighbourSum) and torch.equal(shared.edge_index, edge_index)
    assert shared.matrix is shared.matrix_t  # undirected: one matrix
    module = est.module_.eval()
    with torch.no_grad():
        torch.testing.assert_close(module.member_outputs(x, shared, batch, n),
                                   module.member_outputs(x, edge_index, batch, n))


def test_only_the_ratios_of_sample_weights_matter(cls):
    graphs, y = graphs_and_targets(cls)
    weights = np.random.default_rng(0).uniform(0.5, 2.0, size=len(y))
    a = cls(**FAST).fit(graphs, y, sample_weight=weights)
    b = cls(**FAST).fit(graphs, y, sample_weight=4 * weights)
    assert np.array_equal(outputs(a, graphs), outputs(b, graphs))
    plain = cls(**FAST).fit(graphs, y)
    assert not np.allclose(outputs(plain, graphs), outputs(a, graphs))
    for uniform in (3.0, np.full(len(y), 0.5), [True] * len(y)):
        same = cls(**FAST).fit(graphs, y, sample_weight=uniform)
        assert np.array_equal(outputs(same, graphs), outputs(plain, graphs))
        assert same.loss_curve_ == plain.loss_curve_


def test_parameters_are_validated(cls):
    graphs, y = graphs_and_targets(cls, 10)
    for bad in ({"random_walk_encoding": -1}, {"standardize": "yes"}, {"hidden_size": 0},
                {"callbacks": "print"}):
        with pytest.raises(ValueError, match=next(iter(bad))):
            cls(**bad).fit(graphs, y)


def test_edge_weights_change_nothing(cls):
    # the networks read the wiring: weights do not reach the degrees of featureless graphs
    # or the random-walk encoding either
    rng = np.random.default_rng(0)
    graphs = []
    for i in range(12):
        n = 5 + i % 4
        A = np.triu(rng.random((n, n)) < 0.5, 1).astype(float)
        graphs.append(sp.csr_array(A + A.T))
    y = np.arange(12) % 2
    est = cls(**FAST).fit(graphs, y)
    with pytest.warns(UserWarning, match="edge weights other than 1"):
        heavy = cls(**FAST).fit([3.0 * A for A in graphs], y)
    np.testing.assert_array_equal(outputs(heavy, graphs), outputs(est, graphs))
    np.testing.assert_array_equal(outputs(est, [0.5 * A for A in graphs]),
                                  outputs(est, graphs))


def test_graphs_too_large_for_the_walk_encoding_get_a_warning(cls, monkeypatch):
    import skgraph._graph_collation as collation

    monkeypatch.setattr(collation, "LARGE_FOR_WALKS", 6)  # instead of 20,000 nodes
    graphs = [sp.csr_array(np.ones((n, n)) - np.eye(n)) for n in (4, 5, 7, 8)]
    y = [0, 1, 0, 1]
    with pytest.warns(UserWarning, match=r"X\[2\] has 7 nodes: its random-walk encoding "
                                         "costs") as caught:
        cls(**FAST).fit(graphs, y)
    assert len(caught) == 1 and caught[0].filename == __file__  # once, at the caller's line
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        cls(**{**FAST, "random_walk_encoding": 0}).fit(graphs, y)
