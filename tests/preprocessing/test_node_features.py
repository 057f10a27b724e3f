"""NodeFeatureTransformer: a scikit-learn transformer of node features inside pipelines."""

import pickle
import warnings

import numpy as np
import pytest
import scipy.sparse as sp
from sklearn.base import clone
from sklearn.compose import ColumnTransformer
from sklearn.decomposition import TruncatedSVD
from sklearn.feature_selection import SelectKBest
from sklearn.impute import SimpleImputer
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import GridSearchCV, cross_val_score
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import (
    FunctionTransformer,
    Normalizer,
    StandardScaler,
    TargetEncoder,
)
from sklearn.utils import get_tags

from skgraph import (
    GNNGraphClassifier,
    GNNNodeClassifier,
    Graph,
    LinkPredictor,
    NodePairs,
    VGAEEmbedder,
)
from skgraph.datasets import make_community_graph
from skgraph.model_selection import link_pairs
from skgraph.preprocessing import NodeFeatureTransformer


@pytest.fixture
def bag_of_words():
    """A graph with sparse non-negative count features, and its communities."""
    G, y = make_community_graph(n_nodes=60, n_communities=2, p_in=0.3, p_out=0.02,
                                n_features=0, random_state=0)
    rng = np.random.default_rng(0)
    counts = sp.random(60, 30, density=0.2, random_state=0, format="csr") * 10
    counts.data = np.ceil(counts.data)
    return Graph(G.adjacency, counts), y, rng


def test_normalizer_keeps_bag_of_words_sparse_and_rows_sum_to_one(bag_of_words):
    G, _, _ = bag_of_words
    out = NodeFeatureTransformer(Normalizer(norm="l1")).fit_transform(G)
    assert isinstance(out, Graph) and sp.issparse(out.features)
    rows = np.asarray(out.features.sum(axis=1)).ravel()
    has_words = np.asarray(G.features.sum(axis=1)).ravel() > 0
    np.testing.assert_allclose(rows[has_words], 1.0, rtol=1e-6)
    assert out.adjacency.indices is G.adjacency.indices  # the structure is shared, not copied
    np.testing.assert_allclose(out.features.toarray(),
                               Normalizer(norm="l1").fit_transform(G.features).toarray(),
                               rtol=1e-6)


def test_standard_scaler_and_truncated_svd(bag_of_words):
    G, _, _ = bag_of_words
    dense = Graph(G.adjacency, G.features.toarray())
    scaled = NodeFeatureTransformer(StandardScaler()).fit_transform(dense)
    np.testing.assert_allclose(scaled.features.mean(axis=0), 0, atol=1e-6)
    svd = NodeFeatureTransformer(TruncatedSVD(n_components=5, random_state=0)).fit_transform(G)
    assert svd.features.shape == (60, 5) and not sp.issparse(svd.features)


def test_a_node_view_is_fitted_on_every_node_and_keeps_its_selection(community):
    G, _ = community
    view = G[[5, 1, 7]]
    nft = NodeFeatureTransformer(StandardScaler()).fit(view)
    whole = NodeFeatureTransformer(StandardScaler()).fit(G)
    np.testing.assert_array_equal(nft.transformer_.mean_, whole.transformer_.mean_)
    out = nft.transform(view)
    assert out.is_view and out.node_index.tolist() == [5, 1, 7] and out.n_nodes == G.n_nodes
    np.testing.assert_allclose(out.features, StandardScaler().fit_transform(G.features),
                               rtol=1e-5, atol=1e-6)


def test_lists_of_graphs_are_fitted_on_the_stacked_training_nodes():
    rng = np.random.default_rng(0)
    ring = np.roll(np.eye(4), 1, axis=1)
    train = [(ring + ring.T, rng.normal(5, 3, size=(4, 2))) for _ in range(6)]
    test = [(ring + ring.T, rng.normal(5, 3, size=(4, 2))) for _ in range(3)]
    nft = NodeFeatureTransformer(StandardScaler()).fit(train)
    stacked = np.vstack([x for _, x in train])
    np.testing.assert_allclose(nft.transformer_.mean_, stacked.mean(axis=0))
    out = nft.transform(test)
    assert isinstance(out, list) and len(out) == 3
    expected = StandardScaler().fit(stacked).transform(np.vstack([x for _, x in test]))
    np.testing.assert_allclose(np.vstack([g.features for g in out]), expected, rtol=1e-6)


def test_passthrough_and_none_leave_graphs_unchanged(community):
    G, _ = community
    for transformer in ("passthrough", None):
        out = NodeFeatureTransformer(transformer).fit_transform(G)
        np.testing.assert_array_equal(out.features, G.features)
    featureless = Graph(G.adjacency)
    assert NodeFeatureTransformer().fit_transform(featureless).features is None


def test_pipeline_grid_search_clone_and_pickle():
    # six communities with weak features: on `community` an untrained embedder already
    # classifies every node right, here it reaches 0.43, a trained one 0.63-0.65 (chance 1/6)
    G, y = make_community_graph(n_nodes=120, n_communities=6, p_in=0.3, p_out=0.01,
                                n_features=8, feature_signal=0.2, random_state=0)
    pipe = make_pipeline(NodeFeatureTransformer(Normalizer(norm="l1")),
                         VGAEEmbedder(max_epochs=20, random_state=0, device="cpu"),
                         LogisticRegression(max_iter=500))
    # with untrained candidates (a negligible step) in the grid, which the trained ones beat
    search = GridSearchCV(pipe, {"nodefeaturetransformer__transformer": [
        Normalizer(norm="l1"), "passthrough"], "vgaeembedder__learning_rate": [1e-9, 0.01]},
        cv=3).fit(G, y)
    rates = [params["vgaeembedder__learning_rate"] for params in search.cv_results_["params"]]
    assert rates == [1e-9, 0.01, 1e-9, 0.01]
    scores = search.cv_results_["mean_test_score"].reshape(2, 2)  # transformer, rate
    assert (scores[:, 1] > scores[:, 0] + 0.1).all()
    assert search.best_params_["vgaeembedder__learning_rate"] == 0.01
    pipe.fit(G[:60], y[:60])
    again = pickle.loads(pickle.dumps(pipe))
    np.testing.assert_array_equal(again.predict(G[60:]), pipe.predict(G[60:]))
    params = clone(pipe).get_params()
    assert params["nodefeaturetransformer__transformer__norm"] == "l1"
    assert pipe.set_output(transform="pandas") is pipe  # every step accepts the setting


def test_steps_give_graphs_under_the_global_pandas_output_setting():
    import sklearn

    from skgraph.preprocessing import RandomWalkEncoding

    pd = pytest.importorskip("pandas")
    G, y = make_community_graph(n_nodes=40, n_features=4, random_state=0)
    steps = (NodeFeatureTransformer(StandardScaler()), RandomWalkEncoding(steps=3))
    expected = [step.fit_transform(G).features for step in steps]
    with sklearn.config_context(transform_output="pandas"):  # a common notebook setting
        for step, features in zip(steps, expected):
            for out in (clone(step).fit_transform(G), clone(step).fit(G).transform(G)):
                assert isinstance(out, Graph)
                np.testing.assert_array_equal(out.features, features)
        pipe = make_pipeline(NodeFeatureTransformer(StandardScaler()),
                             VGAEEmbedder(max_epochs=2, random_state=0))
        assert isinstance(pipe.fit_transform(G), pd.DataFrame)


def test_graph_classification_pipeline():
    rng = np.random.default_rng(0)
    A = np.ones((5, 5)) - np.eye(5)
    signs = np.tile([-1.0, 1.0], 12)
    graphs = [(A, 100 * s + 30 * rng.normal(size=(5, 2))) for s in signs]
    pipe = make_pipeline(NodeFeatureTransformer(StandardScaler()),
                         GNNGraphClassifier(max_epochs=20, random_state=0, device="cpu"))
    assert cross_val_score(pipe, graphs, signs > 0, cv=3).mean() > 0.9


def test_the_callers_graph_is_not_modified(bag_of_words):
    G, _, _ = bag_of_words
    before = G.features.copy()
    NodeFeatureTransformer(Normalizer(norm="l1")).fit_transform(G)
    assert (G.features != before).nnz == 0


def test_bad_input_gets_clear_errors(community):
    G, _ = community
    with pytest.raises(ValueError, match="no node features to transform"):
        NodeFeatureTransformer(StandardScaler()).fit(Graph(G.adjacency))
    nft = NodeFeatureTransformer(StandardScaler()).fit(G)
    narrow = Graph(G.adjacency, G.features[:, :3])
    with pytest.raises(ValueError, match="has 3 node features, but NodeFeatureTransformer "
                                         "was fitted on 8"):
        nft.transform(narrow)
    with pytest.raises(ValueError, match="different widths"):
        NodeFeatureTransformer(StandardScaler()).fit([G, narrow])
    with pytest.raises((TypeError, ValueError), match="transformer"):
        NodeFeatureTransformer(LogisticRegression()).fit(G)
    with pytest.raises(ValueError, match="X\\[1\\] is not a valid graph"):
        NodeFeatureTransformer(StandardScaler()).fit([G, np.ones((2, 3))])


def test_supervised_transformers_are_refused_with_the_reason(community):
    G, _ = community
    with pytest.raises(ValueError, match="TargetEncoder needs targets to fit"):
        NodeFeatureTransformer(TargetEncoder()).fit(G)
    # feature selection on labels does not declare that it needs them: its own error is kept,
    # with the reason in front
    with pytest.raises(ValueError, match="SelectKBest could not be fitted on the node "
                                         "features.*unsupervised.*requires y"):
        NodeFeatureTransformer(SelectKBest(k=2)).fit(G)
    # an error that has nothing to do with targets is passed on as it is
    with pytest.raises(ValueError, match="^Specifying the columns using strings is only"):
        NodeFeatureTransformer(ColumnTransformer([("s", StandardScaler(), ["age"])])).fit(G)


def test_link_prediction_pipeline_on_pairs(community):
    G, _ = community
    P, y = link_pairs(G, random_state=0)
    scaled = NodeFeatureTransformer(StandardScaler()).fit(G).transform(G)
    fast = dict(max_epochs=20, random_state=0, device="cpu")
    pipe = make_pipeline(NodeFeatureTransformer(StandardScaler()), LinkPredictor(**fast))
    # fitted on a graph, predicting on plain pairs (positions, as a list or an array)
    pipe.fit(G)
    direct = LinkPredictor(**fast).fit(scaled)
    pairs = [[0, 1], [2, 50], [7, 80]]
    np.testing.assert_array_equal(pipe.predict_proba(pairs), direct.predict_proba(pairs))
    np.testing.assert_array_equal(pipe.predict_proba(np.array(pairs)),
                                  direct.predict_proba(pairs))
    # fitted on a selection of pairs: held-out edges stay out, scored on the other pairs
    train, test = np.arange(0, len(P), 2), np.arange(1, len(P), 2)
    pipe.fit(P[train], y[train])
    direct = LinkPredictor(**fast).fit(P[train].with_graph(scaled))
    assert pipe.score(P[test], y[test]) == direct.score(P[test], y[test])
    step = pipe[0].transform(P[test])
    assert isinstance(step, NodePairs) and np.array_equal(step.pairs, P[test].pairs)
    np.testing.assert_array_equal(step.graph.features, scaled.features)
    np.testing.assert_array_equal(step.training_adjacency().toarray(),
                                  P[test].training_adjacency().toarray())
    search = GridSearchCV(pipe, {"nodefeaturetransformer__transformer": [
        "passthrough", StandardScaler()]}, cv=2).fit(P, y)
    assert np.isfinite(search.cv_results_["mean_test_score"]).all()


def test_feature_names_out_in_a_pipeline(community):
    G, _ = community
    names = NodeFeatureTransformer(StandardScaler()).fit(G).get_feature_names_out()
    assert names.tolist() == [f"x{i}" for i in range(G.n_features)]
    svd = NodeFeatureTransformer(TruncatedSVD(3, random_state=0)).fit(G)
    assert svd.get_feature_names_out().tolist() == ["truncatedsvd0", "truncatedsvd1",
                                                    "truncatedsvd2"]
    pipe = make_pipeline(NodeFeatureTransformer(StandardScaler()),
                         VGAEEmbedder(n_components=4, max_epochs=2, random_state=0))
    assert pipe.fit(G).get_feature_names_out().tolist() == [f"vgaeembedder{i}"
                                                           for i in range(4)]


def test_a_transformer_requesting_metadata_is_refused_rather_than_left_unanswered(community):
    import sklearn

    G, y = community
    with sklearn.config_context(enable_metadata_routing=True):
        scaler = StandardScaler().set_fit_request(sample_weight=True)
        pipe = make_pipeline(NodeFeatureTransformer(scaler),
                             GNNNodeClassifier(max_epochs=2).set_fit_request(sample_weight=True))
        with pytest.raises(ValueError, match=r"StandardScaler requests \['sample_weight'\] for "
                                             r"fit, but NodeFeatureTransformer routes no "
                                             r"metadata.*set_fit_request\(sample_weight=None\)"):
            pipe.fit(G, y, sample_weight=np.ones(len(y)))
        nested = make_pipeline(StandardScaler().set_fit_request(sample_weight=True),
                               TruncatedSVD(2, random_state=0))
        with pytest.raises(ValueError, match=r"Pipeline requests \['sample_weight'\] for fit"):
            NodeFeatureTransformer(nested).fit(G)
        # meta-transformers without requests, and duck-typed ones, fit as without routing
        assert NodeFeatureTransformer(make_pipeline(StandardScaler(), TruncatedSVD(
            2, random_state=0))).fit_transform(G).n_features == 2
        assert NodeFeatureTransformer(_Duck()).fit_transform(G).n_features == G.n_features
        # without the request the weights reach the estimator that asked for them
        pipe = make_pipeline(NodeFeatureTransformer(StandardScaler()),
                             GNNNodeClassifier(max_epochs=2).set_fit_request(sample_weight=True))
        pipe.fit(G, y, sample_weight=np.ones(len(y)))


class _Duck:
    """A transformer by duck typing only: fit and transform, no scikit-learn base or tags."""

    def get_params(self, deep=True):
        return {}

    def set_params(self, **params):
        return self

    def fit(self, X, y=None):
        return self

    def transform(self, X):
        return np.asarray(X) * 2.0


def test_a_duck_typed_transformer_is_fitted(community):
    G, _ = community
    out = NodeFeatureTransformer(_Duck()).fit_transform(G)
    np.testing.assert_array_equal(out.features, 2.0 * G.features)


def test_a_refit_that_fails_keeps_the_previous_fit(community):
    pd = pytest.importorskip("pandas")
    G, _ = community
    named = Graph(G.adjacency, pd.DataFrame(G.features, columns=[f"f{i}" for i in range(8)]))
    nft = NodeFeatureTransformer(StandardScaler()).fit(named)
    before = nft.transform(named).features.copy()
    with pytest.raises(ValueError, match="SelectKBest could not be fitted"):
        nft.set_params(transformer=SelectKBest(k=2)).fit(Graph(G.adjacency, G.features))
    assert nft.feature_names_in_.tolist() == [f"f{i}" for i in range(8)]
    np.testing.assert_array_equal(nft.transform(named).features, before)


def test_missing_feature_values_are_imputed_in_the_pipeline_and_refused_without(community):
    G, y = community
    X = np.array(G.features, dtype=np.float64)
    X[[3, 3, 17], [0, 2, 1]] = np.nan
    holey = Graph(G.adjacency, X)
    graphs = [Graph(G.adjacency, X if i == 2 else G.features) for i in range(6)]
    stacked = np.vstack([g.features for g in graphs])
    fast = dict(max_epochs=3, random_state=0, device="cpu")
    cases = [(GNNNodeClassifier(**fast), holey, y, ""),
             (VGAEEmbedder(**fast), holey, None, ""),
             (LinkPredictor(**fast), holey, None, ""),
             (GNNGraphClassifier(**fast), graphs, [0, 1] * 3, r" in X\[2\]")]
    for estimator, data, target, which in cases:
        name = type(estimator).__name__
        with pytest.raises(ValueError, match=(
                rf"{name} got node features with missing values \(NaN\){which}: 3 in all, the "
                rf"first at node 3, column 0. Impute them inside the pipeline, e.g. make_pipeline"
                rf"\(NodeFeatureTransformer\(SimpleImputer\(\)\), {name}\(\)\)")):
            clone(estimator).fit(data, target)
        pipe = make_pipeline(NodeFeatureTransformer(SimpleImputer()), estimator)
        pipe.fit(data, target)
        means = np.nanmean(X if data is holey else stacked, axis=0)  # of the fitted nodes
        filled = pipe[0].transform(holey)
        np.testing.assert_allclose(filled.features[3, [0, 2]], means[[0, 2]])
        np.testing.assert_allclose(filled.features[17, 1], means[1])
        np.testing.assert_array_equal(filled.features[~np.isnan(X)], X[~np.isnan(X)])
    assert np.isnan(holey.features).sum() == 3  # the caller's graph untouched
    clf = GNNNodeClassifier(**fast).fit(G, y)  # complete at fit, holey at prediction
    with pytest.raises(ValueError, match="GNNNodeClassifier got node features with missing"):
        clf.predict(holey[[0, 1]])
    assert get_tags(NodeFeatureTransformer(SimpleImputer())).input_tags.allow_nan
    assert not get_tags(NodeFeatureTransformer(Normalizer())).input_tags.allow_nan


def test_nan_made_by_the_transformer_is_named_and_failing_tags_do_not_break_it(community):
    G, y = community
    negative = Graph(G.adjacency, G.features - 5.0)  # np.log1p of values below -1: NaN
    with pytest.raises(ValueError, match=r"the transformer FunctionTransformer\(func=<ufunc "
                                         r"'log1p'>\) returned NaN for node features that had "
                                         "none"):
        with np.errstate(invalid="ignore"):
            NodeFeatureTransformer(FunctionTransformer(np.log1p)).fit_transform(negative)
    holey = np.array(G.features, dtype=np.float64)
    holey[0, 0] = np.nan  # missing in, missing out: for a later imputer
    scaled = NodeFeatureTransformer(StandardScaler()).fit_transform(Graph(G.adjacency, holey))
    assert np.isnan(scaled.features[0, 0]) and np.isnan(scaled.features).sum() == 1

    class BrokenTags:  # a third-party transformer whose tags raise
        def fit(self, X, y=None):
            return self

        def transform(self, X):
            return np.asarray(X) * 2

        def get_params(self, deep=True):
            return {}

        def __sklearn_tags__(self):
            raise AttributeError("'super' object has no attribute '__sklearn_tags__'")

    step = NodeFeatureTransformer(BrokenTags()).fit(G)
    np.testing.assert_array_equal(step.transform(G).features, G.features * 2)
    assert get_tags(step).input_tags.allow_nan is False


def test_one_hot_step_reads_integer_ids_of_pyg_data_without_the_readers_advice():
    import torch
    from sklearn.preprocessing import OneHotEncoder
    from torch_geometric.data import Data

    from skgraph import GNNGraphClassifier

    rng = np.random.default_rng(0)
    dataset, y = [], []
    for _ in range(12):
        n = int(rng.integers(3, 7))
        ids = torch.as_tensor(rng.integers(0, 5, (n, 1)))
        chain = torch.tensor([[k, k + 1] for k in range(n - 1)]).T
        dataset.append(Data(x=ids, edge_index=torch.cat([chain, chain.flip(0)], dim=1)))
        y.append(int((ids == 3).any()))
    pipe = make_pipeline(NodeFeatureTransformer(OneHotEncoder(sparse_output=False,
                                                              handle_unknown="ignore")),
                         GNNGraphClassifier(max_epochs=2, random_state=0))
    with warnings.catch_warnings():
        warnings.simplefilter("error", UserWarning)
        pipe.fit(dataset, y)
    assert pipe[0].transform(dataset)[0].n_features == 5  # one column per id seen
    with pytest.warns(UserWarning, match="Data.x holds integers"):  # read as they are
        GNNGraphClassifier(max_epochs=2, random_state=0).fit(dataset, y)


def _text_graph(n: int = 120, seed: int = 0):
    """Papers with a text, a year and a venue, citing mostly papers of their own topic."""
    pd = pytest.importorskip("pandas")
    rng = np.random.default_rng(seed)
    topic = rng.integers(0, 3, n)
    words = [[f"t{t}w{i}" for i in range(12)] for t in range(3)]
    texts = [" ".join(rng.choice(words[t], 5).tolist() + rng.choice(["graph", "model"], 2)
                      .tolist()) for t in topic]
    names = [f"paper_{i:03d}" for i in range(n)]
    table = pd.DataFrame({"text": texts, "year": rng.integers(1990, 2020, n).astype(float),
                          "venue": pd.Categorical(rng.choice(["kdd", "icml"], n))},
                         index=names)
    rows, cols = np.nonzero(np.triu((topic[:, None] == topic) & (rng.random((n, n)) < 0.08), 1))
    return Graph(sp.csr_array((np.ones(len(rows)), (rows, cols)), shape=(n, n)), table), topic


def _columns():
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.preprocessing import OneHotEncoder

    return ColumnTransformer([("text", TfidfVectorizer(), "text"),
                              ("venue", OneHotEncoder(), ["venue"])],
                             remainder=StandardScaler(), sparse_threshold=0)


def test_text_columns_are_encoded_inside_the_pipeline_as_scikit_learn_encodes_the_table():
    G, topic = _text_graph()
    table = G.features.copy()  # the object array the graph keeps
    # the oracle: the same ColumnTransformer on the DataFrame, outside any graph
    pd = pytest.importorskip("pandas")
    frame = pd.DataFrame(table, columns=G.feature_names).infer_objects()
    expected = _columns().fit_transform(frame)
    encoded = NodeFeatureTransformer(_columns()).fit_transform(G)
    np.testing.assert_allclose(encoded.features, expected)
    assert encoded.features.dtype == np.float64 and np.array_equal(G.features, table)
    # a pipeline learns from the encoded texts: far above chance (1/3) on unlabelled nodes
    train, test = np.arange(0, 120, 4), np.setdiff1d(np.arange(120), np.arange(0, 120, 4))
    pipe = make_pipeline(NodeFeatureTransformer(_columns()),
                         GNNNodeClassifier(max_epochs=60, random_state=0))
    assert pipe.fit(G[train], topic[train]).score(G[test], topic[test]) > 0.9
    by_hand = Graph(G.adjacency, _columns().fit_transform(frame))
    reference = GNNNodeClassifier(max_epochs=60, random_state=0).fit(by_hand[train],
                                                                      topic[train])
    np.testing.assert_array_equal(pipe.predict_proba(G[test]),
                                  reference.predict_proba(by_hand[test]))
    again = pickle.loads(pickle.dumps(pipe))
    np.testing.assert_array_equal(again.predict_proba(G[test]), pipe.predict_proba(G[test]))
    search = GridSearchCV(pipe, {"nodefeaturetransformer__transformer__text__max_features":
                                 [2, None]}, cv=2).fit(G[train], topic[train])
    assert search.best_params_ == {"nodefeaturetransformer__transformer__text__max_features":
                                   None}  # two words cannot tell three topics apart


def test_a_vectorizer_reads_the_one_column_of_texts_and_keeps_its_vocabulary():
    from sklearn.feature_extraction.text import TfidfVectorizer

    G, _ = _text_graph()
    texts = G.features[:, 0]
    G_text = Graph(G.adjacency, G.features[:, :1])
    step = NodeFeatureTransformer(TfidfVectorizer()).fit(G_text)
    vectorizer = TfidfVectorizer().fit(texts)
    assert sp.issparse(step.transform(G_text).features)
    np.testing.assert_allclose(step.transform(G_text).features.toarray(),
                               vectorizer.transform(texts).toarray())
    # a new graph's texts: read with the fitted vocabulary (unseen words are dropped)
    new = Graph(np.ones((2, 2)) - np.eye(2), np.array([["t0w1 unseen graph"], ["t2w3"]],
                                                      dtype=object))
    np.testing.assert_allclose(step.transform(new).features.toarray(),
                               vectorizer.transform(["t0w1 unseen graph", "t2w3"]).toarray())
    with pytest.raises(ValueError, match="TfidfVectorizer reads one text per node, but the node "
                                         "features have 3 columns; .*ColumnTransformer"):
        NodeFeatureTransformer(TfidfVectorizer()).fit(G)
    with pytest.raises(ValueError, match="TfidfVectorizer reads text, one text per node, but "
                                         "the node features are numbers"):
        NodeFeatureTransformer(TfidfVectorizer()).fit(Graph(G.adjacency, np.ones((120, 1))))


def test_text_encoders_in_a_pipeline_and_a_new_graph_whose_texts_are_all_missing(tmp_path):
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.preprocessing import OneHotEncoder

    from skgraph import load

    pd = pytest.importorskip("pandas")
    G, _ = _text_graph()
    texts = G.features[:, 0]
    # a vectorizer at the head of a pipeline gets the column of texts too
    lsa = make_pipeline(TfidfVectorizer(), TruncatedSVD(2, random_state=0))
    reduced = NodeFeatureTransformer(lsa).fit_transform(Graph(G.adjacency, G.features[:, :1]))
    np.testing.assert_allclose(reduced.features, clone(lsa).fit_transform(texts), atol=1e-12)
    # a new graph's venues all missing: read as NaN numbers by Graph, taken as unknown
    # categories by the encoder fitted on text (as scikit-learn's own encoder takes them)
    venues = NodeFeatureTransformer(OneHotEncoder(handle_unknown="ignore")).fit(
        Graph(G.adjacency, pd.DataFrame({"venue": G.features[:, 2]})))
    unknown = Graph(np.ones((2, 2)) - np.eye(2), pd.DataFrame({"venue": [None, None]}))
    assert unknown.features.dtype == np.float64
    venues.save(tmp_path / "venues.skgraph")
    for step in (venues, load(tmp_path / "venues.skgraph")):
        np.testing.assert_array_equal(_dense(step.transform(unknown).features), np.zeros((2, 2)))
    with pytest.raises(ValueError, match=r"TfidfVectorizer reads one text per node, but the node "
                                         r"features have 3 columns; .*NodeFeatureTransformer\("
                                         r"ColumnTransformer\(\[\('text', TfidfVectorizer\(\), "
                                         r"'text'\), \('venue', OneHotEncoder"):
        NodeFeatureTransformer(TfidfVectorizer()).fit(G)


def _dense(features):
    return features.toarray() if sp.issparse(features) else np.asarray(features)
