"""Node2VecEmbedder: embeddings of a graph's nodes from random walks on it."""

import io
import pickle

import numpy as np
import pytest
import scipy.sparse as sp
import torch
from sklearn.base import clone
from sklearn.exceptions import NotFittedError
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import cross_val_score
from sklearn.utils._param_validation import InvalidParameterError

import skgraph
from skgraph import Graph, Node2VecEmbedder
from skgraph.datasets import make_community_graph

FAST = dict(n_components=16, walk_length=10, context_size=5, walks_per_node=4,
            max_epochs=30, random_state=0, device="cpu")
pytestmark = pytest.mark.usefixtures("one_thread")


@pytest.fixture(scope="module")
def communities():
    # no features: only the edges tell the four communities apart
    return make_community_graph(n_nodes=200, n_communities=4, p_in=0.1, p_out=0.01,
                                n_features=0, random_state=0)


def test_embeddings_find_the_communities_that_only_the_edges_show(communities):
    G, y = communities
    emb = Node2VecEmbedder(**FAST)
    Z = emb.fit_transform(G)
    assert Z.shape == (200, 16) and Z.dtype == np.float32 and np.isfinite(Z).all()
    accuracy = cross_val_score(LogisticRegression(max_iter=1000), Z, y, cv=3).mean()
    untrained = Node2VecEmbedder(**{**FAST, "max_epochs": 1, "learning_rate": 1e-9})
    before = cross_val_score(LogisticRegression(max_iter=1000), untrained.fit_transform(G),
                             y, cv=3).mean()
    # measured: 0.99 trained, 0.30 untrained (four classes: chance 0.25)
    assert accuracy > 0.9 and before < 0.5, (accuracy, before)
    assert emb.loss_curve_[-1] < 0.9 * emb.loss_curve_[0] and emb.n_iter_ == 30


def test_the_default_training_length_makes_at_least_100_steps_and_5_epochs(communities):
    G, _ = communities
    small = dict(n_components=4, walk_length=4, context_size=2, walks_per_node=1)
    fit = Node2VecEmbedder(**small, max_epochs=None).fit  # 200 nodes: 2 batches of 128
    assert fit(G).n_iter_ == 50
    assert fit(G[np.arange(10)]).n_iter_ == 50  # a view trains on its whole graph
    assert Node2VecEmbedder(**small, batch_size=16).fit(G).n_iter_ == 8  # 13 steps an epoch
    assert Node2VecEmbedder(**small, batch_size=1).fit(G).n_iter_ == 5  # 200 steps an epoch


def test_deepwalk_and_biased_walks_both_learn(communities):
    G, y = communities
    for p, q in ((1.0, 1.0), (0.5, 2.0), (2.0, 0.5)):
        Z = Node2VecEmbedder(**{**FAST, "p": p, "q": q}).fit_transform(G)
        assert cross_val_score(LogisticRegression(max_iter=1000), Z, y, cv=3).mean() > 0.85


def test_node_views_select_rows_and_pandas_output_is_indexed_by_node_name(communities):
    G, _ = communities
    with pytest.raises(NotFittedError):
        Node2VecEmbedder().embedding_
    emb = Node2VecEmbedder(**FAST).fit(G)
    Z = emb.transform(G)
    np.testing.assert_array_equal(emb.embedding_, Z)
    emb.embedding_[:] = 0  # a copy: the model is untouched
    np.testing.assert_array_equal(emb.transform(G), Z)
    idx = np.array([5, 0, 17])
    np.testing.assert_array_equal(emb.transform(G[idx]), Z[idx])
    named = Graph(G.adjacency, node_names=[f"n{k}" for k in range(G.n_nodes)])
    frame = Node2VecEmbedder(**FAST).set_output(transform="pandas").fit(named).transform(
        named[idx])
    assert list(frame.index) == ["n5", "n0", "n17"] and frame.index.name == "node"
    assert list(frame.columns[:2]) == ["node2vecembedder0", "node2vecembedder1"]
    np.testing.assert_array_equal(frame.to_numpy(), Z[idx])  # names do not change the walks


def test_features_are_not_read_and_another_graph_is_refused(communities):
    G, _ = communities
    plain = Node2VecEmbedder(**FAST).fit_transform(G)
    featured = Graph(G.adjacency, np.random.default_rng(0).normal(size=(G.n_nodes, 3)))
    np.testing.assert_array_equal(Node2VecEmbedder(**FAST).fit_transform(featured), plain)
    other, _ = make_community_graph(n_nodes=200, n_features=0, random_state=1)
    emb = Node2VecEmbedder(**FAST).fit(G)
    reweighted = Graph(G.adjacency * 2.0)  # the same edges, other weights: other walks
    for graph in (other, reweighted):
        with pytest.raises(ValueError, match="embeds the nodes of the graph it was fitted "
                                             "on.*edge weights.*VGAEEmbedder"):
            emb.transform(graph)


def test_weights_steer_the_walks():
    # two triangles joined by a bridge: with a heavy bridge the walks cross it often, and
    # the two sides come closer than with a light one
    edges = [(0, 1), (1, 2), (0, 2), (3, 4), (4, 5), (3, 5), (2, 3)]
    rows, cols = np.array(edges).T

    def side_similarity(bridge):
        w = np.r_[np.ones(6), bridge]
        A = sp.coo_array((np.r_[w, w], (np.r_[rows, cols], np.r_[cols, rows])), shape=(6, 6))
        Z = Node2VecEmbedder(**{**FAST, "max_epochs": 20}).fit_transform(A)
        Z /= np.linalg.norm(Z, axis=1, keepdims=True)
        return float((Z[:3] @ Z[3:].T).mean())

    assert side_similarity(20.0) > side_similarity(0.05) + 0.2


def test_same_seed_same_embeddings_and_the_global_generator_is_left_alone(communities):
    G, _ = communities
    torch.manual_seed(123)
    expected = torch.rand(1)
    torch.manual_seed(123)
    a = Node2VecEmbedder(**FAST).fit_transform(G)
    assert torch.equal(torch.rand(1), expected)
    np.testing.assert_array_equal(a, Node2VecEmbedder(**FAST).fit_transform(G))
    assert not np.array_equal(a, Node2VecEmbedder(**{**FAST, "random_state": 1}).fit_transform(G))


def test_pickle_save_and_load_give_the_same_embeddings(communities, tmp_path):
    G, _ = communities
    emb = Node2VecEmbedder(**FAST).fit(G)
    Z = emb.transform(G)
    np.testing.assert_array_equal(pickle.loads(pickle.dumps(emb)).transform(G), Z)
    emb.save(tmp_path / "n2v.skgraph")
    loaded = skgraph.load(tmp_path / "n2v.skgraph")
    assert type(loaded) is Node2VecEmbedder and loaded.get_params() == emb.get_params()
    np.testing.assert_array_equal(loaded.transform(G), Z)
    buffer = io.BytesIO()
    torch.save(emb.module_.state_dict(), buffer)
    assert set(emb.module_.state_dict()) == {"embedding.weight"}


def test_warm_start_continues_and_clone_starts_afresh(communities):
    G, _ = communities
    emb = Node2VecEmbedder(**{**FAST, "warm_start": True}).fit(G)
    first = emb.loss_curve_[-1]
    emb.fit(G)
    assert len(emb.loss_curve_) == emb.n_iter_ == 60 and emb.loss_curve_[30] < first + 0.05
    assert not hasattr(clone(emb), "module_")
    with pytest.warns(UserWarning, match="one vector per node: a graph of 30 nodes after one "
                                         "of 200"):
        emb.fit(make_community_graph(n_nodes=30, n_features=0, random_state=0)[0])


def test_bad_input_gets_clear_errors():
    G, _ = make_community_graph(n_nodes=30, n_features=0, random_state=0)
    with pytest.raises(ValueError, match=r"context_size \(12\) must be at most walk_length "
                                         r"\(10\)"):
        Node2VecEmbedder(walk_length=10, context_size=12).fit(G)
    with pytest.raises(InvalidParameterError, match="'p' parameter"):
        Node2VecEmbedder(p=0).fit(G)
    with pytest.raises(InvalidParameterError, match="'context_size' parameter"):
        Node2VecEmbedder(context_size=1).fit(G)
    with pytest.raises(ValueError, match="walks along edges, but the graph has none"):
        Node2VecEmbedder().fit(sp.csr_array((5, 5)))
    with pytest.raises(NotFittedError):
        Node2VecEmbedder().transform(G)


def test_tags_say_no_targets_and_float32():
    from sklearn.utils import get_tags

    tags = get_tags(Node2VecEmbedder())
    assert not tags.target_tags.required and tags.transformer_tags.preserves_dtype == ["float32"]
    assert not tags.input_tags.two_d_array


def test_in_a_pipeline_cross_validated_by_node(communities):
    from sklearn.model_selection import GridSearchCV
    from sklearn.pipeline import make_pipeline

    G, y = communities
    pipe = make_pipeline(Node2VecEmbedder(**FAST), LogisticRegression(max_iter=1000))
    assert cross_val_score(pipe, G, y, cv=3).mean() > 0.9  # fitted on views of the graph
    search = GridSearchCV(pipe, {"node2vecembedder__q": [0.5, 2.0]}, cv=2).fit(G, y)
    assert search.best_score_ > 0.9


def test_isolated_nodes_keep_their_random_start_and_form_no_cluster(communities):
    G, _ = communities
    A = sp.block_diag([G.adjacency, sp.csr_array((30, 30))]).tocsr()  # nodes 200-229 alone
    trained = Node2VecEmbedder(**FAST).fit_transform(A)
    start = Node2VecEmbedder(**{**FAST, "max_epochs": 1, "learning_rate": 1e-9}).fit_transform(A)
    np.testing.assert_array_equal(trained[200:], start[200:])  # never stepped
    assert not np.allclose(trained[:200], start[:200], atol=1e-3)
    alone = trained[200:] / np.linalg.norm(trained[200:], axis=1, keepdims=True)
    similarity = (alone @ alone.T)[~np.eye(30, dtype=bool)]
    assert abs(similarity.mean()) < 0.1  # drawn as negatives, they gathered (cosine 0.72)


def test_a_networkx_graphs_node_attributes_raise_no_warning_here():
    import warnings

    nx = pytest.importorskip("networkx")
    sbm = nx.stochastic_block_model([20, 20], [[0.5, 0.05], [0.05, 0.5]], seed=0)
    assert "block" in sbm.nodes[0]  # numeric, which a feature-reading model warns about
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        Z = Node2VecEmbedder(**{**FAST, "max_epochs": 2}).fit_transform(sbm)
    assert Z.shape == (40, 16)
