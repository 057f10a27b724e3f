"""scikit-learn's meta-estimators and model-selection tools on graph inputs (node views and
lists of graphs), each checked against the same computation written out by hand."""

import numpy as np
import pytest
from sklearn.calibration import CalibratedClassifierCV
from sklearn.compose import TransformedTargetRegressor
from sklearn.ensemble import StackingClassifier, VotingClassifier
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import ConfusionMatrixDisplay, confusion_matrix
from sklearn.model_selection import (
    FixedThresholdClassifier,
    KFold,
    StratifiedKFold,
    cross_val_predict,
    validation_curve,
)

from skgraph import GNNGraphRegressor, GNNNodeClassifier, Graph
from skgraph.datasets import make_community_graph

CV = StratifiedKFold(3, shuffle=True, random_state=0)


def _classifier(**params):
    return GNNNodeClassifier(**{"max_epochs": 10, "random_state": 0, "device": "cpu", **params})


@pytest.fixture(scope="module")
def fraud():
    G, y = make_community_graph(n_nodes=120, n_communities=2, p_in=0.06, p_out=0.03,
                                feature_signal=0.3, random_state=0)
    return G, np.array(["fraud", "ok"])[y], np.arange(0, 120, 2), np.arange(1, 120, 2)


def test_cross_val_predict_probabilities_are_those_of_the_folds_fits(fraud):
    G, labels, train, _ = fraud
    view, y = G[train], labels[train]
    predicted = cross_val_predict(_classifier(), view, y, cv=CV, method="predict_proba")
    expected = np.empty_like(predicted)
    for fit_rows, test_rows in CV.split(np.zeros(len(y)), y):
        model = _classifier().fit(view[fit_rows], y[fit_rows])
        expected[test_rows] = model.predict_proba(view[test_rows])
    np.testing.assert_array_equal(predicted, expected)


def test_stacking_and_soft_voting_combine_the_node_models_as_written_out(fraud):
    G, labels, train, test = fraud
    members = [("gprgnn", _classifier()), ("gcn", _classifier(conv="gcn"))]
    stack = StackingClassifier(members, final_estimator=LogisticRegression(), cv=CV)
    stack.fit(G[train], labels[train])
    columns = [cross_val_predict(model, G[train], labels[train], cv=CV,
                                 method="predict_proba")[:, 1:] for _, model in members]
    final = LogisticRegression().fit(np.hstack(columns), labels[train])
    np.testing.assert_allclose(stack.final_estimator_.coef_, final.coef_, rtol=1e-6)
    vote = VotingClassifier(members, voting="soft").fit(G[train], labels[train])
    average = np.mean([model.fit(G[train], labels[train]).predict_proba(G[test])
                       for _, model in members], axis=0)
    np.testing.assert_allclose(vote.predict_proba(G[test]), average, rtol=1e-6)


def test_thresholds_calibration_and_displays_on_node_views(fraud):
    G, labels, train, test = fraud
    base = _classifier().fit(G[train], labels[train])
    fraud_column = list(base.classes_).index("fraud")
    strict = FixedThresholdClassifier(_classifier(), threshold=0.8, pos_label="fraud")
    strict.fit(G[train], labels[train])
    expected = np.where(base.predict_proba(G[test])[:, fraud_column] >= 0.8, "fraud", "ok")
    np.testing.assert_array_equal(strict.predict(G[test]), expected)
    calibrated = CalibratedClassifierCV(_classifier(), cv=3).fit(G[train], labels[train])
    probabilities = calibrated.predict_proba(G[test])
    assert probabilities.shape == (len(test), 2) and list(calibrated.classes_) == ["fraud", "ok"]
    np.testing.assert_allclose(probabilities.sum(axis=1), 1.0, rtol=1e-6)
    display = ConfusionMatrixDisplay.from_estimator(base, G[test], labels[test])
    np.testing.assert_array_equal(display.confusion_matrix,
                                  confusion_matrix(labels[test], base.predict(G[test])))


def test_validation_curve_and_a_transformed_target_on_lists_of_graphs():
    rng = np.random.default_rng(0)
    graphs, sizes = [], rng.integers(4, 12, size=30)
    for n in sizes:
        A = np.triu(rng.random((n, n)) < 0.4, 1)
        graphs.append(Graph((A | A.T).astype(float), np.ones((n, 1))))
    y = np.log(sizes.astype(float))
    model = GNNGraphRegressor(max_epochs=5, random_state=0, device="cpu")
    wrapped = TransformedTargetRegressor(model, func=np.exp, inverse_func=np.log)
    wrapped.fit(graphs[:20], y[:20])
    by_hand = GNNGraphRegressor(max_epochs=5, random_state=0, device="cpu").fit(
        graphs[:20], np.exp(y[:20]))
    np.testing.assert_allclose(wrapped.predict(graphs[20:]),
                               np.log(by_hand.predict(graphs[20:])), rtol=1e-6)
    train_scores, test_scores = validation_curve(model, graphs, y, param_name="max_epochs",
                                                 param_range=[1, 5], cv=3)
    folds = KFold(3).split(np.zeros(len(y)))  # what validation_curve splits a regressor by
    for k, (fit_rows, test_rows) in enumerate(folds):
        for row, epochs in enumerate([1, 5]):
            fitted = GNNGraphRegressor(max_epochs=epochs, random_state=0, device="cpu").fit(
                [graphs[i] for i in fit_rows], y[fit_rows])
            assert test_scores[row, k] == pytest.approx(
                fitted.score([graphs[i] for i in test_rows], y[test_rows]), rel=1e-6)
            assert train_scores[row, k] == pytest.approx(
                fitted.score([graphs[i] for i in fit_rows], y[fit_rows]), rel=1e-6)
