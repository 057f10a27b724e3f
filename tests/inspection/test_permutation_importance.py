import numpy as np
import pytest
import scipy.sparse as sp
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.inspection import permutation_importance as sklearn_permutation_importance
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from skgraph import GNNGraphClassifier, GNNNodeClassifier, Graph, as_graph
from skgraph.datasets import make_community_graph
from skgraph.inspection import permutation_importance
from skgraph.model_selection import link_pairs
from skgraph.preprocessing import NodeFeatureTransformer


class _RowLogistic(ClassifierMixin, BaseEstimator):
    """A logistic regression on each selected node's own feature row: its permutation
    importance on a node view must be scikit-learn's on those rows."""

    def fit(self, X, y):
        self.model_ = LogisticRegression().fit(self._rows(X), y)
        self.classes_ = self.model_.classes_
        return self

    def predict_proba(self, X):
        return self.model_.predict_proba(self._rows(X))

    def predict(self, X):
        return self.model_.predict(self._rows(X))

    @staticmethod
    def _rows(X):
        view = as_graph(X)
        features = view.features
        features = features.toarray() if sp.issparse(features) else features
        return features[view.node_index]


def _feature_graph(n_nodes=200, seed=0):
    """Labels given by feature 0 (feature 1 weaker, 2 and 3 noise) on a random graph."""
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n_nodes, 4))
    y = (X[:, 0] + 0.3 * X[:, 1] > 0).astype(int)
    A = sp.random(n_nodes, n_nodes, density=3 / n_nodes, random_state=seed)
    return Graph(A + A.T, X), y


@pytest.mark.parametrize("sparse", [False, True])
def test_equals_scikit_learn_on_the_selected_rows(sparse):
    G, y = _feature_graph()
    if sparse:
        G = G.with_features(sp.csr_array(G.features))
    train, test = np.arange(0, 200, 2), np.arange(1, 200, 2)
    model = _RowLogistic().fit(G[train], y[train])
    rows = model._rows(G[test])
    for kwargs in ({"n_repeats": 4}, {"n_repeats": 3, "max_samples": 0.5},
                   {"n_repeats": 2, "scoring": ["accuracy", "neg_log_loss"]},
                   {"n_repeats": 2, "sample_weight": np.linspace(0.5, 2, 100)}):
        ours = permutation_importance(model, G[test], y[test], random_state=7, **kwargs)
        oracle = sklearn_permutation_importance(model.model_, rows, y[test], random_state=7,
                                                **kwargs)
        pairs = [(None, ours)] if "importances" in ours else ours.items()
        for name, result in pairs:
            expected = oracle if name is None else oracle[name]
            np.testing.assert_allclose(result.importances, expected.importances)
            np.testing.assert_allclose(result.importances_mean, expected.importances_mean)
            assert result.importances.shape == (4, kwargs["n_repeats"])


def test_node_classifier_relies_on_the_informative_feature_only():
    G, y = _feature_graph(seed=1)
    original = G.features.copy()
    train, test = np.arange(0, 200, 2), np.arange(1, 200, 2)
    clf = make_pipeline(NodeFeatureTransformer(StandardScaler()),
                        GNNNodeClassifier(conv="sage", random_state=0)).fit(G[train], y[train])
    result = permutation_importance(clf, G[test], y[test], n_repeats=5, random_state=0,
                                    n_jobs=2)
    mean = result.importances_mean
    assert mean[0] > 0.2 and mean[0] > mean[1] > np.abs(mean[2:]).max() - 0.02
    assert np.abs(mean[2:]).max() < 0.05
    np.testing.assert_array_equal(G.features, original)  # the caller's graph is untouched
    again = permutation_importance(clf, G[test], y[test], n_repeats=5, random_state=0)
    np.testing.assert_array_equal(again.importances, result.importances)


def test_only_the_selected_nodes_are_shuffled_and_the_whole_graph_is_one_view():
    from skgraph.inspection._permutation_importance import _FeatureSamples

    G, _ = _feature_graph(n_nodes=10)
    samples = _FeatureSamples(G[[1, 4, 7]])
    permuted = samples.with_column(2, np.array([70.0, 10.0, 40.0]))
    assert permuted.node_index.tolist() == [1, 4, 7]
    changed = np.flatnonzero((permuted.features != G.features).any(axis=1))
    assert changed.tolist() == [1, 4, 7]
    assert permuted.features[[1, 4, 7], 2].tolist() == [70.0, 10.0, 40.0]
    whole = _FeatureSamples(G)
    assert len(whole) == 10 and not whole.with_column(0, np.zeros(10)).is_view


def test_graph_level_shuffles_a_column_among_all_nodes_of_the_graphs():
    from skgraph.inspection._permutation_importance import _FeatureSamples

    rng = np.random.default_rng(0)
    graphs, y = [], []
    for i in range(60):
        n = int(rng.integers(4, 8))
        A = np.ones((n, n)) - np.eye(n)
        sign = 1.0 if i % 2 else -1.0
        graphs.append(Graph(A, np.column_stack([sign + 0.3 * rng.normal(size=n),
                                                rng.normal(size=n)])))
        y.append(int(sign > 0))
    y = np.array(y)
    samples = _FeatureSamples(graphs[:2])
    pooled = samples.column(0)
    assert len(pooled) == graphs[0].n_nodes + graphs[1].n_nodes
    again = _FeatureSamples(samples.with_column(0, pooled[::-1]))
    np.testing.assert_array_equal(again.column(0), pooled[::-1])
    np.testing.assert_array_equal(again.column(1), samples.column(1))
    clf = GNNGraphClassifier(max_epochs=30, random_state=0).fit(graphs[:40], y[:40])
    result = permutation_importance(clf, graphs[40:], y[40:], n_repeats=3, random_state=0)
    assert result.importances_mean[0] > 0.2 and abs(result.importances_mean[1]) < 0.1


def test_inputs_it_cannot_permute_are_refused_clearly():
    G, y = make_community_graph(n_nodes=40, n_features=0, random_state=0)
    clf = GNNNodeClassifier(max_epochs=2, random_state=0).fit(G, y)
    with pytest.raises(ValueError, match="no node features to permute"):
        permutation_importance(clf, G, y)
    F, y = _feature_graph(n_nodes=40)
    model = _RowLogistic().fit(F, y)
    with pytest.raises(ValueError, match="inconsistent numbers of samples"):
        permutation_importance(model, F[:10], y)
    with pytest.raises(ValueError, match="selects a node more than once"):
        permutation_importance(model, F[[1, 2, 1]], y[[1, 2, 1]])
    with pytest.raises(ValueError, match="max_samples is 50, more than the 40 samples"):
        permutation_importance(model, F, y, max_samples=50)
    pairs, labels = link_pairs(F, random_state=0)
    with pytest.raises(TypeError, match="X is NodePairs.*node view"):
        permutation_importance(model, pairs, labels)
    with pytest.raises(ValueError, match="different widths"):
        permutation_importance(model, [F, Graph(np.eye(3), np.ones((3, 2)))], [0, 1])
