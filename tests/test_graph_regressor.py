import pickle

import numpy as np
import pytest
import scipy.sparse as sp
import torch
from sklearn.base import clone, is_regressor
from sklearn.exceptions import NotFittedError
from sklearn.metrics import r2_score
from sklearn.model_selection import GridSearchCV, cross_val_score
from sklearn.pipeline import make_pipeline

import skgraph
from skgraph import GNNGraphClassifier, GNNGraphRegressor, Graph
from skgraph._graph_regressor import _r2

FAST = dict(max_epochs=40, random_state=0, device="cpu")


pytestmark = pytest.mark.usefixtures("one_thread")


def random_graphs(n, seed):
    """Random graphs of 6-20 nodes with one feature in [0, 1]; targets: the number of
    edges (extensive: a sum over the graph) and the mean feature (intensive)."""
    rng = np.random.default_rng(seed)
    graphs, edges, means = [], [], []
    for _ in range(n):
        size = int(rng.integers(6, 21))
        upper = np.triu(rng.random((size, size)) < rng.uniform(0.1, 0.5), 1)
        A = sp.csr_array((upper | upper.T).astype(float))
        x = rng.random((size, 1))
        graphs.append(Graph(A, x))
        edges.append(A.nnz / 2)
        means.append(x.mean())
    return graphs, np.column_stack([edges, means])


def test_learns_graph_properties_it_was_not_shown():
    graphs, y = random_graphs(160, seed=0)
    test_graphs, y_test = random_graphs(60, seed=1)
    reg = GNNGraphRegressor(**FAST).fit(graphs, y[:, 0])
    predicted = reg.predict(test_graphs)
    assert predicted.shape == (60,)
    assert r2_score(y_test[:, 0], predicted) > 0.75  # 0.90 measured; a constant scores 0
    assert reg.score(test_graphs, y_test[:, 0]) == pytest.approx(r2_score(y_test[:, 0], predicted))
    assert reg.loss_curve_[-1] < 0.2 * reg.loss_curve_[0]


def test_multi_output_shapes_and_learning():
    graphs, y = random_graphs(160, seed=0)
    test_graphs, y_test = random_graphs(60, seed=1)
    reg = GNNGraphRegressor(readout="sum", **FAST).fit(graphs, y)
    predicted = reg.predict(test_graphs)
    assert reg.n_outputs_ == 2 and predicted.shape == (60, 2)
    assert r2_score(y_test[:, 0], predicted[:, 0]) > 0.75  # 0.84 measured
    assert r2_score(y_test[:, 1], predicted[:, 1]) > 0.45  # 0.60 measured
    column = GNNGraphRegressor(**FAST).fit(graphs, y[:, :1])  # a 2-D y of one column stays 2-D
    assert column.predict(test_graphs).shape == (60, 1)


def test_targets_are_standardised_so_their_scale_does_not_matter():
    graphs, y = random_graphs(80, seed=2)
    base = GNNGraphRegressor(**FAST).fit(graphs, y[:, 0])
    scaled = GNNGraphRegressor(**FAST).fit(graphs, 4.0 * y[:, 0])  # exact in floating point
    np.testing.assert_allclose(scaled.predict(graphs), 4.0 * base.predict(graphs), rtol=1e-6)
    huge = GNNGraphRegressor(**FAST).fit(graphs, 1e6 * y[:, 0] + 3e7)
    assert huge.target_offset_[0] == pytest.approx(1e6 * y[:, 0].mean() + 3e7)
    assert r2_score(1e6 * y[:, 0] + 3e7, huge.predict(graphs)) > 0.75
    constant = GNNGraphRegressor(**FAST).fit(graphs, np.full(len(graphs), 7.0))
    assert constant.target_scale_[0] == 1.0
    np.testing.assert_allclose(constant.predict(graphs), 7.0, atol=0.5)


def test_graphs_of_weight_zero_do_not_train_the_network():
    graphs, y = random_graphs(120, seed=4)
    test_graphs, y_test = random_graphs(60, seed=5)
    corrupted = y[:, 0].copy()
    corrupted[:40] = 500.0  # wrong targets on a third of the graphs
    weights = np.r_[np.zeros(40), np.ones(80)]
    weighted = GNNGraphRegressor(**FAST).fit(graphs, corrupted, sample_weight=weights)
    unweighted = GNNGraphRegressor(**FAST).fit(graphs, corrupted)
    assert r2_score(y_test[:, 0], weighted.predict(test_graphs)) > 0.75  # 0.85 measured
    assert r2_score(y_test[:, 0], unweighted.predict(test_graphs)) < 0  # -133 measured
    assert weighted.target_offset_[0] == pytest.approx(y[40:, 0].mean())
    doubled = GNNGraphRegressor(**FAST).fit(graphs, corrupted, sample_weight=2 * weights)
    assert np.array_equal(doubled.predict(test_graphs), weighted.predict(test_graphs))
    removed = GNNGraphRegressor(**FAST).fit(graphs[40:], y[40:, 0])  # as if not given
    np.testing.assert_array_equal(weighted.predict(test_graphs), removed.predict(test_graphs))


def test_the_feature_scaling_counts_each_graph_by_its_weight():
    graphs, y = random_graphs(30, seed=7)
    weights = np.r_[np.full(10, 2.0), np.ones(20)]
    weighted = GNNGraphRegressor(max_epochs=1, random_state=0).fit(graphs, y[:, 0],
                                                                  sample_weight=weights)
    repeated = GNNGraphRegressor(max_epochs=1, random_state=0).fit(
        graphs + graphs[:10], np.r_[y[:, 0], y[:10, 0]])
    np.testing.assert_allclose(weighted.feature_offset_, repeated.feature_offset_, rtol=1e-12)
    np.testing.assert_allclose(weighted.feature_scale_, repeated.feature_scale_, rtol=1e-12)


def test_early_stopping_scores_r2_on_held_out_graphs_and_warm_start_continues():
    graphs, y = random_graphs(80, seed=6)
    reg = GNNGraphRegressor(early_stopping=True, n_iter_no_change=3, max_epochs=60,
                            random_state=0, device="cpu").fit(graphs, y[:, 0])
    assert reg.validation_scores_ and all(s <= 1 for s in reg.validation_scores_)
    assert reg.best_validation_score_ == max(reg.validation_scores_) > 0.5
    assert reg.n_iter_ < 60
    warm = GNNGraphRegressor(warm_start=True, max_epochs=5, random_state=0, device="cpu")
    warm.fit(graphs, y[:, 0])
    offset = warm.target_offset_.copy()
    warm.fit(graphs, y[:, 0] + 100.0)  # the first fit's target scaling is kept
    assert len(warm.loss_curve_) == 10
    np.testing.assert_array_equal(warm.target_offset_, offset)


def test_sklearn_tools_pickle_and_persistence(tmp_path):
    graphs, y = random_graphs(30, seed=7)
    reg = GNNGraphRegressor(max_epochs=10, random_state=0, device="cpu")
    assert is_regressor(reg)
    assert cross_val_score(reg, graphs, y[:, 0], cv=3).shape == (3,)
    for n_jobs in (1, 2):
        search = GridSearchCV(reg, {"hidden_size": [8, 16]}, cv=2, n_jobs=n_jobs)
        assert search.fit(graphs, y[:, 0]).predict(graphs).shape == (30,)
    pipe = make_pipeline(clone(reg)).fit(graphs, y[:, 0],
                                         gnngraphregressor__sample_weight=np.arange(30) % 3)
    fitted = clone(reg).fit(graphs, y[:, 0])
    predicted = fitted.predict(graphs)
    assert np.array_equal(pickle.loads(pickle.dumps(fitted)).predict(graphs), predicted)
    assert np.array_equal(clone(reg).fit(graphs, y[:, 0]).predict(graphs), predicted)
    fitted.save(tmp_path / "model")
    assert np.array_equal(skgraph.load(tmp_path / "model").predict(graphs), predicted)
    assert pipe.predict(graphs).shape == (30,)
    assert not hasattr(fitted, "classes_")


def test_r2_matches_scikit_learn_with_constant_columns():
    rng = np.random.default_rng(0)
    target = rng.normal(size=(20, 3))
    target[:, 2] = 1.5
    predicted = target + 0.3 * rng.normal(size=(20, 3))
    for exact_constant in (False, True):
        if exact_constant:
            predicted[:, 2] = 1.5
        expected = r2_score(target, predicted)
        assert float(_r2(torch.tensor(target), torch.tensor(predicted))) == pytest.approx(expected)


def test_bad_input():
    graphs, y = random_graphs(10, seed=9)
    reg = GNNGraphRegressor(max_epochs=2, device="cpu")
    with pytest.raises(NotFittedError):
        reg.predict(graphs)
    with pytest.raises(TypeError, match="y must be numbers .* use GNNGraphClassifier"):
        reg.fit(graphs, ["a"] * 10)
    with pytest.raises(ValueError, match="Input y contains NaN"):
        reg.fit(graphs, np.r_[np.nan, np.ones(9)])
    with pytest.raises(ValueError, match="Complex data not supported"):
        reg.fit(graphs, np.ones(10) * 1j)
    with pytest.raises(ValueError, match=r"Found array with dim 3"):
        reg.fit(graphs, np.ones((10, 1, 1)))
    with pytest.raises(ValueError, match="X has 10 graphs but y has 9 targets"):
        reg.fit(graphs, np.ones(9))
    with pytest.raises(ValueError, match="requires y to be passed"):
        reg.fit(graphs, None)
    with pytest.raises(ValueError, match="at least 2 graphs"):
        reg.fit(graphs[:1], [1.0])
    with pytest.raises(ValueError, match="empty"):
        reg.fit([], [])
    with pytest.raises(TypeError, match="sequence of graphs"):
        reg.fit(graphs[0], [1.0])
    with pytest.raises(TypeError, match=r"X must be a sequence of graphs \(e.g. a list\), got a "
                                        r"dict; pass list\(mapping.values\(\)\)"):
        reg.fit(dict(enumerate(graphs)), y[:, 0])
    with pytest.raises(ValueError, match="Negative values in data passed to `sample_weight`"):
        reg.fit(graphs, y[:, 0], sample_weight=-np.ones(10))
    with pytest.raises(ValueError, match="hidden_size"):
        GNNGraphRegressor(hidden_size=0).fit(graphs, y[:, 0])
    fitted = GNNGraphRegressor(max_epochs=2, device="cpu").fit(graphs, y[:, 0])
    wide = Graph(graphs[0].adjacency, np.ones((graphs[0].n_nodes, 3)))
    with pytest.raises(ValueError, match=r"X\[0\] has 3 node features but the training graphs"):
        fitted.predict([wide])


def test_integer_and_object_targets_are_numbers():
    graphs, y = random_graphs(20, seed=10)
    counts = y[:, 0].astype(int)
    a = GNNGraphRegressor(max_epochs=5, random_state=0, device="cpu").fit(graphs, counts)
    b = GNNGraphRegressor(max_epochs=5, random_state=0, device="cpu").fit(
        graphs, counts.astype(object))
    assert a.predict(graphs).dtype == np.float64
    np.testing.assert_array_equal(a.predict(graphs), b.predict(graphs))


def test_shares_the_classifiers_parameters():
    classifier_only = {"label_smoothing", "class_weight"}
    assert set(GNNGraphRegressor().get_params()) == (set(GNNGraphClassifier().get_params())
                                                      - classifier_only)
    differ = {name for name, value in GNNGraphRegressor().get_params().items()
              if GNNGraphClassifier().get_params()[name] != value}
    # dropout 0 for regression (noise on a linear output); the classifier's batch size,
    # epochs and pooled member were chosen on the classification suite, the regressor's on
    # its own benchmark; both read edge features when the graphs have them
    assert differ == {"dropout", "batch_size", "max_epochs", "pooled_member"}
    assert (GNNGraphRegressor().conv, GNNGraphRegressor().pooled_member) == ("auto", False)
    assert GNNGraphRegressor().dropout == 0.0
    assert (GNNGraphRegressor().batch_size, GNNGraphRegressor().max_epochs) == (32, 100)
    assert (GNNGraphClassifier().batch_size, GNNGraphClassifier().max_epochs) == (128, 70)


def test_prediction_is_the_mean_of_the_members_predictions():
    graphs, y = random_graphs(30, seed=11)
    reg = GNNGraphRegressor(ensemble_size=3, max_epochs=5, random_state=0,
                            device="cpu").fit(graphs, y)
    predicted = reg.predict(graphs)
    ensemble, alone = reg.module_, []
    for member in ensemble.members:
        reg.module_ = member
        alone.append(reg.predict(graphs))
    reg.module_ = ensemble
    assert not np.allclose(alone[0], alone[1])
    np.testing.assert_allclose(predicted, np.mean(alone, axis=0), rtol=1e-5, atol=1e-6)


def test_early_stopping_on_few_graphs_holds_out_two():
    # one held-out graph has no R² (it scored 0 at every epoch: the first epoch's weights)
    graphs, y = random_graphs(12, seed=0)
    reg = GNNGraphRegressor(early_stopping=True, validation_fraction=0.1, **FAST).fit(graphs, y)
    assert len(set(reg.validation_scores_)) > 1
