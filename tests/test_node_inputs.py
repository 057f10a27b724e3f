"""The whole graph's inputs to the node-level networks: how features travel to torch."""

import numpy as np
import pytest
import scipy.sparse as sp
import torch

from skgraph import Graph
from skgraph._nn._propagation import SparseOperator
from skgraph._node_inputs import node_inputs


def _graph(density: float, seed: int = 0) -> Graph:
    rng = np.random.default_rng(seed)
    A = sp.random_array((60, 60), density=0.1, random_state=seed, format="csr")
    A = ((A + A.T) > 0).astype(np.float32)
    A.setdiag(0)
    A.eliminate_zeros()
    X = sp.random_array((60, 200), density=density, random_state=rng, format="csr",
                        dtype=np.float32)
    return Graph(A, X)


@pytest.mark.parametrize("density, sparse", [(0.06, True), (0.2, True), (0.4, False)])
def test_features_stay_sparse_on_cpu_below_a_quarter_stored(density, sparse):
    inputs = node_inputs(_graph(density), "identity", torch.device("cpu"))
    assert isinstance(inputs.features, SparseOperator if sparse else torch.Tensor)
    assert (inputs.propagated is None) == sparse  # S X is precomputed for dense features only


def test_either_form_gives_the_same_products():
    G = _graph(0.2)
    W = torch.randn(200, 8, generator=torch.Generator().manual_seed(0))
    sparse = node_inputs(G, "identity", torch.device("cpu")).features
    dense = torch.as_tensor(G.features.toarray())
    torch.testing.assert_close(sparse @ W, dense @ W, rtol=1e-5, atol=1e-5)


def test_features_beyond_float32_are_divided_before_the_cast():
    from skgraph._node_inputs import SubgraphInputs, feature_scale

    rng = np.random.default_rng(0)
    A = sp.random(30, 30, density=0.2, random_state=0)
    X = rng.normal(size=(30, 4))
    reference = node_inputs(Graph(A + A.T, X), "identity", "cpu", scale=feature_scale(X))
    for factor in (1e40, 1e-42):  # above float32's range; below its normal one
        huge = X * factor
        inputs = node_inputs(Graph(A + A.T, huge), "identity", "cpu", scale=feature_scale(huge))
        torch.testing.assert_close(inputs.features, reference.features)
        batch = SubgraphInputs(Graph(A + A.T, huge), "identity", "cpu",
                                scale=feature_scale(huge))
        torch.testing.assert_close(batch.features(torch.tensor([3, 7])),
                                   reference.features[[3, 7]])


def test_features_beyond_float32_are_divided_first_under_a_smaller_fitted_scale():
    # a model fitted on features near 1e30 given one above float32's range (1e39, within
    # it once divided): divided in float64 first, not turned into inf by the cast
    from skgraph._node_inputs import SubgraphInputs

    rng = np.random.default_rng(0)
    A = sp.random(30, 30, density=0.2, random_state=0)
    X = rng.normal(size=(30, 4)) * 1e30
    X[0, 0] = 1e39
    scale = 1e31
    expected = torch.as_tensor(X / scale, dtype=torch.float32)
    inputs = node_inputs(Graph(A + A.T, X), "identity", "cpu", scale=scale)
    torch.testing.assert_close(inputs.features, expected)
    batch = SubgraphInputs(Graph(A + A.T, X), "identity", "cpu", scale=scale)
    torch.testing.assert_close(batch.features(torch.tensor([0, 7])), expected[[0, 7]])


def test_gcn_normalisation_of_weights_beyond_float32():
    from skgraph._nn._propagation import gcn_normalize

    A = sp.random(20, 20, density=0.3, random_state=1)
    A = sp.csr_array(A + A.T)
    for add_self_loops in (True, False):
        wide = gcn_normalize(A * 1e38, add_self_loops=add_self_loops)
        assert wide.dtype == np.float32 and np.isfinite(wide.data).all()
        exact = sp.csr_array(A * 1e38, dtype=np.float64)
        if add_self_loops:
            exact = exact + sp.eye_array(20)
        d = np.asarray(exact.sum(axis=1)).ravel() ** -0.5
        expected = (sp.diags_array(d) @ exact @ sp.diags_array(d)).toarray()
        np.testing.assert_allclose(wide.toarray(), expected, rtol=1e-6)


@pytest.mark.parametrize("estimator", ["GNNNodeClassifier", "GNNNodeRegressor", "VGAEEmbedder",
                                       "mini-batch GNNNodeClassifier"])
def test_features_that_would_overflow_float32_after_the_fitted_scaling_are_refused(estimator):
    import skgraph
    from skgraph.datasets import make_community_graph

    G, y = make_community_graph(n_nodes=30, n_communities=2, random_state=0)
    A, X = G.adjacency, G.features
    name = estimator.split()[-1]
    batching = dict(batch_size=8, fanouts=(3,) * 10) if "mini" in estimator else {}
    model = getattr(skgraph, name)(max_epochs=2, random_state=0, **batching)
    model.fit(G) if name == "VGAEEmbedder" else model.fit(G, y.astype(float))
    apply = model.transform if name == "VGAEEmbedder" else model.predict
    with pytest.raises(ValueError, match=r"node features reach 4\.47e\+39 .* 1e\+39 times the "
                                         r"largest value of the features the model was fitted"):
        apply((A, X * 1e39))  # was NaN throughout
    # features of any scale are fine where the fit saw the same scale
    assert np.isfinite(apply(G)).all()
    tiny = getattr(skgraph, name)(max_epochs=2, random_state=0, **batching)
    tiny.fit((A, X * 1e-300)) if name == "VGAEEmbedder" else tiny.fit((A, X * 1e-300), y * 1.0)
    apply = tiny.transform if name == "VGAEEmbedder" else tiny.predict
    assert np.isfinite(apply((A, X * 1e-300))).all()
    with pytest.raises(ValueError, match="1e\\+300 times"):
        apply(G)


def test_a_column_large_throughout_gets_a_warning_bag_of_words_does_not(recwarn):
    import warnings

    from sklearn.preprocessing import StandardScaler, normalize

    from skgraph import GNNNodeClassifier, VGAEEmbedder
    from skgraph.datasets import make_community_graph

    G, y = make_community_graph(n_nodes=120, n_communities=4, feature_signal=0.5,
                                random_state=0)
    noise = np.random.default_rng(0).normal(size=(120, 1))
    wide = Graph(G.adjacency, np.hstack([G.features, 100 * noise]))
    for est in (GNNNodeClassifier(max_epochs=2, random_state=0),
                VGAEEmbedder(max_epochs=2, random_state=0)):
        with pytest.warns(UserWarning, match="node feature column 16 averages .* times the "
                                             "largest value of a typical column.*"
                                             "NodeFeatureTransformer\\(StandardScaler\\(\\)\\)"):
            est.fit(wide, y)
    # tabular columns on very different scales (a count beside flows in the thousands)
    rng = np.random.default_rng(1)
    road = np.column_stack([rng.integers(1, 5, 120), rng.uniform(100, 3500, (120, 2))])
    with pytest.warns(UserWarning, match="node feature columns are on very different scales: "
                                         "column [12] varies by .*, column 0 by 1.1"):
        GNNNodeClassifier(max_epochs=2, random_state=0).fit(Graph(G.adjacency, road), y)
    pd = pytest.importorskip("pandas")
    named = pd.DataFrame(road, columns=["lanes", "flow_am", "flow_pm"])
    with pytest.warns(UserWarning, match="column 'flow_(am|pm)' varies by .*, column 'lanes' "
                                         "by 1.1"):  # the columns' names, where they have them
        GNNNodeClassifier(max_epochs=2, random_state=0).fit(Graph(G.adjacency, named), y)
    # unit-scale, binary and row-normalised bag-of-words features: no warning
    words = sp.random(120, 300, density=0.02, random_state=0, format="csr")
    words.data[:] = 1.0
    with warnings.catch_warnings():
        warnings.simplefilter("error", UserWarning)
        skewed = np.column_stack([noise[:, 0], np.random.default_rng(2).pareto(1.5, 120),
                                  np.arange(120) % 2])
        for X in (G.features, np.hstack([G.features, 10 * noise]), words,
                  normalize(words, norm="l1"),
                  StandardScaler().fit_transform(skewed),  # standardised as advised
                  np.column_stack([np.ones(120), 100 * np.abs(noise[:, 0])])):  # a bias column
            GNNNodeClassifier(max_epochs=2, random_state=0).fit(Graph(G.adjacency, X), y)



def test_the_scale_warning_reads_sparse_and_dense_copies_alike():
    import warnings

    from skgraph._node_inputs import warn_unbalanced_columns

    n = 10  # column 0: one value among stored zeros, so not filled on half the nodes
    data = np.r_[np.zeros(n - 1), 100.0, np.full(n, 0.5)]
    rows, cols = np.r_[np.arange(n), np.arange(n)], np.r_[np.zeros(n, int), np.ones(n, int)]
    stored_zeros = sp.csr_array((data, (rows, cols)), shape=(n, 2))
    with warnings.catch_warnings():
        warnings.simplefilter("error", UserWarning)
        warn_unbalanced_columns(stored_zeros, "E")
        warn_unbalanced_columns(stored_zeros.toarray(), "E")
    tabular = np.column_stack([np.arange(n) % 4 + 1.0, 1000.0 * np.arange(n)])
    for X in (tabular, sp.csr_array(tabular)):
        with pytest.warns(UserWarning, match="very different scales"):
            warn_unbalanced_columns(X, "E")
