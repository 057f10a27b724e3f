import io
import pickle

import numpy as np
import pytest
import scipy.sparse as sp
import torch
from sklearn.base import clone
from sklearn.exceptions import NotFittedError
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import GridSearchCV, cross_val_score
from sklearn.pipeline import make_pipeline

from skgraph import Graph, VGAEEmbedder
from skgraph.datasets import make_community_graph

from .conftest import FAST


def test_fit_transform_shapes_and_dtype(community):
    G, _ = community
    Z = VGAEEmbedder(n_components=4, **FAST).fit_transform(G)
    assert Z.shape == (90, 4) and Z.dtype == np.float32 and np.isfinite(Z).all()


@pytest.mark.parametrize("variational", [True, False])
def test_embeddings_separate_communities_better_than_chance(variational):
    # features carry no signal: the embedding must get communities from the structure
    G, y = make_community_graph(n_nodes=120, n_communities=3, p_in=0.2, p_out=0.005,
                                n_features=0, random_state=1)
    Z = VGAEEmbedder(n_components=8, variational=variational, max_epochs=100, random_state=0,
                     device="cpu").fit_transform(G)
    accuracy = cross_val_score(LogisticRegression(max_iter=1000), Z, y, cv=3).mean()
    assert accuracy > 0.9


def test_training_reduces_the_loss(community):
    emb = VGAEEmbedder(max_epochs=60, random_state=0, device="cpu").fit(community[0])
    assert len(emb.loss_curve_) == emb.n_iter_ == 60
    assert np.mean(emb.loss_curve_[-10:]) < 0.8 * np.mean(emb.loss_curve_[:5])


def test_transform_is_deterministic_and_view_rows_are_in_order(community):
    G, _ = community
    emb = VGAEEmbedder(**FAST).fit(G)
    Z = emb.transform(G)
    np.testing.assert_array_equal(Z, emb.transform(G))
    idx = np.array([7, 0, 3, 7])
    np.testing.assert_allclose(emb.transform(G[idx]), Z[idx], atol=1e-6)
    np.testing.assert_allclose(emb.transform(G[Z[:, 0] > 0]), Z[Z[:, 0] > 0], atol=1e-6)


def test_fit_on_a_view_learns_from_the_whole_graph(community):
    G, _ = community
    Z_view = VGAEEmbedder(**FAST).fit(G[:10]).transform(G)
    Z_whole = VGAEEmbedder(**FAST).fit(G).transform(G)
    np.testing.assert_allclose(Z_view, Z_whole, atol=1e-6)


def test_same_random_state_same_output_and_global_rng_untouched(community):
    G, _ = community
    torch.manual_seed(123)
    np.random.seed(123)
    before_torch, before_np = torch.random.get_rng_state(), np.random.get_state()[1].copy()
    Z1 = VGAEEmbedder(**FAST).fit_transform(G)
    assert torch.equal(torch.random.get_rng_state(), before_torch)
    assert np.array_equal(np.random.get_state()[1], before_np)
    Z2 = VGAEEmbedder(**FAST).fit_transform(G)
    np.testing.assert_array_equal(Z1, Z2)
    Z3 = VGAEEmbedder(**{**FAST, "random_state": 1}).fit_transform(G)
    assert not np.allclose(Z1, Z3)


def test_inputs_forms_give_the_same_embedding(community):
    G, _ = community
    Z = VGAEEmbedder(**FAST).fit_transform(G)
    for given in ((G.adjacency, G.features), (G.adjacency.toarray(), G.features)):
        np.testing.assert_allclose(VGAEEmbedder(**FAST).fit_transform(given), Z, atol=1e-5)


def test_inductive_transform_on_a_new_graph(community):
    G, _ = community
    emb = VGAEEmbedder(**FAST).fit(G)
    G_new, _ = make_community_graph(n_nodes=40, n_communities=3, n_features=8, random_state=5)
    assert emb.transform(G_new).shape == (40, 16)
    with pytest.raises(ValueError, match="X has 3 features, but VGAEEmbedder is expecting 8"):
        emb.transform((G_new.adjacency, np.ones((40, 3))))


def test_featureless_identity_only_transforms_its_own_graph():
    G, _ = make_community_graph(n_nodes=60, n_features=0, random_state=0)
    emb = VGAEEmbedder(**FAST).fit(G.adjacency)
    assert emb.n_features_in_ == 0 and emb.transform(G.adjacency).shape == (60, 16)
    other, _ = make_community_graph(n_nodes=60, n_features=0, random_state=1)
    with pytest.raises(ValueError, match="featureless='degree'"):
        emb.transform(other)


def test_featureless_degree_is_inductive():
    G, _ = make_community_graph(n_nodes=60, n_features=0, random_state=0)
    emb = VGAEEmbedder(featureless="degree", **FAST).fit(G)
    other, _ = make_community_graph(n_nodes=30, n_features=0, random_state=1)
    assert np.isfinite(emb.transform(other)).all() and emb.transform(other).shape == (30, 16)


def test_sparse_and_dense_features_agree(community):
    G, _ = community
    dense = VGAEEmbedder(**FAST).fit_transform(G)
    sparse = VGAEEmbedder(**FAST).fit_transform((G.adjacency, sp.csr_array(G.features)))
    np.testing.assert_allclose(dense, sparse, atol=1e-4)


def test_not_fitted_and_bad_input(community):
    G, _ = community
    with pytest.raises(NotFittedError):
        VGAEEmbedder().transform(G)
    with pytest.raises(ValueError, match="learns from edges"):
        VGAEEmbedder(**FAST).fit(np.zeros((5, 5)))
    with pytest.raises(TypeError, match="expected a skgraph.Graph"):
        VGAEEmbedder(**FAST).fit("graph")
    with pytest.raises(ValueError, match="hidden_layer_sizes"):
        VGAEEmbedder(hidden_layer_sizes=(0,), **FAST).fit(G)
    with pytest.raises(ValueError, match="hidden_layer_sizes"):
        VGAEEmbedder(hidden_layer_sizes=0, **FAST).fit(G)
    one_layer = VGAEEmbedder(hidden_layer_sizes=8, n_components=4, **FAST).fit(G)
    assert one_layer._hidden_sizes() == (8,)  # an int is one layer, as for MLPClassifier
    with pytest.raises(ValueError, match="device"):
        VGAEEmbedder(device="gpu").fit(G)
    with pytest.raises(ValueError, match="max_epochs"):
        VGAEEmbedder(max_epochs=0).fit(G)
    if not torch.cuda.is_available():
        with pytest.raises(ValueError, match="CUDA is not available"):
            VGAEEmbedder(device="cuda").fit(G)


def test_callers_arrays_are_not_modified(community):
    G, _ = community
    A, X = sp.csr_matrix(G.adjacency), np.array(G.features)
    A0, X0 = A.copy(), X.copy()
    VGAEEmbedder(**FAST).fit((A, X)).transform((A, X))
    assert abs(A - A0).sum() == 0 and np.array_equal(X, X0)


def test_early_stopping_tracks_validation_auc_and_keeps_the_best():
    # eight communities with weak features: the untrained network scores the held-out
    # edges 0.72, training lifts that to about 0.85 (on `community` the untrained network
    # already scores 0.82, which training barely passes)
    G, _ = make_community_graph(n_nodes=200, n_communities=8, p_in=0.3, p_out=0.005,
                                feature_signal=0.3, random_state=0)
    states = []

    def record(info):
        states.append({k: v.detach().clone() for k, v in info.module.state_dict().items()})

    emb = VGAEEmbedder(early_stopping=True, n_iter_no_change=20, max_epochs=300,
                       random_state=0, device="cpu", callbacks=[record]).fit(G)
    scores = emb.validation_scores_
    assert emb.n_iter_ < 300 and len(scores) == len(states) == emb.n_iter_
    best = int(np.argmax(scores))
    assert emb.best_validation_score_ == scores[best] and best < emb.n_iter_ - 1
    for name, value in emb.module_.state_dict().items():  # the best epoch's weights, kept
        torch.testing.assert_close(value, states[best][name], rtol=0, atol=0)
    assert any(not torch.equal(value, states[-1][name]) for name, value in states[best].items())
    before = VGAEEmbedder(early_stopping=True, max_epochs=1, learning_rate=1e-9,
                          random_state=0, device="cpu").fit(G)  # the same held-out edges
    assert emb.best_validation_score_ > before.best_validation_score_ + 0.08


def test_early_stopping_on_a_handful_of_edges_warns(community):
    import warnings

    G = community[0]
    with pytest.warns(UserWarning, match=r"early_stopping validates on 1 held-out edge\(s\) "
                                         "and as many non-edges.*Raise validation_fraction"):
        VGAEEmbedder(early_stopping=True, validation_fraction=0.001, max_epochs=2,
                     random_state=0, device="cpu").fit(G)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        VGAEEmbedder(early_stopping=True, max_epochs=2, random_state=0, device="cpu").fit(G)


def test_plateau_stopping_on_training_loss(community):
    # the first epoch improves on +inf; with tol=10 no later one counts: stop once the
    # count of epochs without improvement exceeds n_iter_no_change (scikit-learn's MLP rule)
    emb = VGAEEmbedder(n_iter_no_change=2, tol=10.0, max_epochs=100, random_state=0,
                       device="cpu").fit(community[0])
    assert emb.n_iter_ == 4 and emb.validation_scores_ is None


def test_warm_start_continues(community):
    G, _ = community
    emb = VGAEEmbedder(warm_start=True, **FAST).fit(G)
    emb.fit(G)
    curve = emb.loss_curve_
    assert len(curve) == 60  # the second fit starts where the first ended, not afresh:
    assert abs(curve[30] - curve[29]) < abs(curve[30] - curve[0])
    cold = VGAEEmbedder(**FAST).fit(G)
    cold.fit(G)
    assert len(cold.loss_curve_) == 30


def test_verbose_shows_progress(community, capsys):
    VGAEEmbedder(verbose=2, max_epochs=3, random_state=0, device="cpu").fit(community[0])
    assert "VGAEEmbedder" in capsys.readouterr().err
    VGAEEmbedder(max_epochs=3, random_state=0, device="cpu").fit(community[0])
    assert capsys.readouterr().err == ""


def test_pickle_round_trip_gives_identical_output(community):
    G, _ = community
    emb = VGAEEmbedder(**FAST).fit(G)
    Z = emb.transform(G)
    restored = pickle.loads(pickle.dumps(emb))
    np.testing.assert_array_equal(restored.transform(G), Z)
    np.testing.assert_array_equal(emb.transform(G), Z)  # pickling left the original intact


def _saved_as_if_on_cuda(monkeypatch, obj, dump):
    """Serialise ``obj`` with every storage tagged 'cuda:0', as torch does on a GPU."""
    cpu_tag = torch.serialization.location_tag
    with monkeypatch.context() as patch:
        patch.setattr(torch.serialization, "location_tag",
                      lambda storage: "cuda:0" if cpu_tag(storage) == "cpu" else cpu_tag(storage))
        return dump(obj)


@pytest.mark.skipif(torch.cuda.is_available(), reason="simulates a machine without CUDA")
def test_model_saved_on_cuda_loads_on_a_machine_without_one(community, monkeypatch):
    G, _ = community
    emb = VGAEEmbedder(**FAST).fit(G)
    Z = emb.transform(G)
    emb.device_ = "cuda:0"  # as after a fit on a GPU
    blob = _saved_as_if_on_cuda(monkeypatch, emb, pickle.dumps)
    weights = _saved_as_if_on_cuda(monkeypatch, emb.module_.state_dict(),
                                   lambda obj: (torch.save(obj, buf := io.BytesIO()), buf)[1])
    with pytest.raises(RuntimeError, match="CUDA"):  # what a plain torch.load does with it
        torch.load(io.BytesIO(weights.getvalue()), weights_only=True)
    with pytest.warns(UserWarning, match="trained on cuda:0 but CUDA is not available"):
        restored = pickle.loads(blob)
    assert restored.device_ == "cpu"
    np.testing.assert_array_equal(restored.transform(G), Z)


def test_sklearn_plumbing(community):
    G, y = community
    emb = VGAEEmbedder(n_components=5, **FAST)
    assert clone(emb).get_params() == emb.get_params()
    emb.set_params(n_components=3)
    assert emb.n_components == 3
    emb.fit(G)
    names = emb.get_feature_names_out()
    assert names.tolist() == ["vgaeembedder0", "vgaeembedder1", "vgaeembedder2"]
    pipe = make_pipeline(VGAEEmbedder(**FAST), LogisticRegression(max_iter=500))
    # the grid holds untrained candidates (a negligible step), which the trained ones beat:
    # a linear classifier on the 4-d embedding scores 1.0, on the untrained one 0.81
    search = GridSearchCV(pipe, {"vgaeembedder__n_components": [2, 4],
                                 "vgaeembedder__learning_rate": [1e-9, 0.01]}, cv=3).fit(G, y)
    assert search.best_params_["vgaeembedder__learning_rate"] == 0.01
    results = search.cv_results_
    untrained = results["mean_test_score"][results["param_vgaeembedder__learning_rate"] == 1e-9]
    assert search.best_score_ > max(0.9, untrained.max() + 0.1)
    assert search.predict(G[[0, 1]]).shape == (2,)


def test_set_output_pandas(community):
    pd = pytest.importorskip("pandas")
    G, _ = community
    out = VGAEEmbedder(n_components=3, **FAST).set_output(transform="pandas").fit_transform(G)
    assert isinstance(out, pd.DataFrame) and list(out.columns) == ["vgaeembedder0",
                                                                    "vgaeembedder1",
                                                                    "vgaeembedder2"]
    assert list(out.index) == list(range(G.n_nodes)) and out.index.name == "node"
    embedder = VGAEEmbedder(n_components=3, **FAST).set_output(transform="pandas").fit(G)
    view = embedder.transform(G[[7, 3]])  # a view's rows keep their nodes' positions
    assert list(view.index) == [7, 3]
    np.testing.assert_array_equal(view.to_numpy(), embedder.transform(G).to_numpy()[[7, 3]])


def test_set_output_pandas_indexes_rows_by_node_names(community):
    pd = pytest.importorskip("pandas")
    G, _ = community
    names = np.array([f"n{i}" for i in range(G.n_nodes)])
    named = Graph(G.adjacency, G.features, node_names=names)
    embedder = VGAEEmbedder(n_components=3, **FAST).fit(named)
    plain = embedder.transform(named)
    out = embedder.set_output(transform="pandas").transform(named)
    assert isinstance(out, pd.DataFrame) and list(out.index) == list(names)
    assert out.index.name == "node"  # as skgraph.embeddings_by_node names it
    assert list(out.columns) == ["vgaeembedder0", "vgaeembedder1", "vgaeembedder2"]
    np.testing.assert_array_equal(out.to_numpy(), plain)
    view = named[[5, 2]]
    out = embedder.transform(view)
    assert list(out.index) == ["n5", "n2"]
    np.testing.assert_array_equal(out.to_numpy(), plain[[5, 2]])
    assert isinstance(embedder.set_output(transform="default").transform(named), np.ndarray)


def test_set_output_pandas_keeps_tuple_node_names_whole():
    pd = pytest.importorskip("pandas")
    nx = pytest.importorskip("networkx")
    grid = nx.grid_2d_graph(3, 4)  # nodes (i, j)
    out = VGAEEmbedder(n_components=2, featureless="degree", **FAST).set_output(
        transform="pandas").fit_transform(grid)
    assert not isinstance(out.index, pd.MultiIndex) and list(out.index) == list(grid.nodes)
    assert out.index.name == "node"
