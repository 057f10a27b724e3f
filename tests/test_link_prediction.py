import pickle

import numpy as np
import pytest
import scipy.sparse as sp
from sklearn.base import clone
from sklearn.exceptions import NotFittedError
from sklearn.metrics import roc_auc_score
from sklearn.model_selection import GridSearchCV, KFold, cross_val_score, learning_curve

from skgraph import Graph, LinkPredictor, NodePairs, as_graph
from skgraph.datasets import make_community_graph
from skgraph.model_selection import link_pairs, train_test_split_edges

from .conftest import FAST


@pytest.fixture(scope="module")
def split():
    G, _ = make_community_graph(n_nodes=150, n_communities=3, p_in=0.25, p_out=0.005,
                                random_state=0)
    return G, *train_test_split_edges(G, test_size=0.1, random_state=0)


@pytest.fixture(scope="module")
def eight():
    """Eight communities with weak features, where learning shows in held-out edges.

    On ``split`` an untrained GCN encoder already ranks held-out edges about as well as a
    trained one (AUC 0.82 with a cosine or inner-product decoder: neighbours share their
    neighbourhoods, which a random projection of the smoothed features keeps). Here, with
    4 embedding dimensions, a random encoder mixes the eight communities (AUC 0.65-0.8
    over seeds) and a trained one separates them (about 0.9).
    """
    G, _ = make_community_graph(n_nodes=200, n_communities=8, p_in=0.3, p_out=0.005,
                                feature_signal=0.3, random_state=0)
    return G, *train_test_split_edges(G, test_size=0.1, random_state=0)


def untrained(estimator):
    """The same estimator, but fitted without learning: one step of a negligible size."""
    return clone(estimator).set_params(max_epochs=1, learning_rate=1e-9)


@pytest.mark.parametrize("decoder", ["cosine", "inner_product", "hadamard_mlp"])
@pytest.mark.parametrize("variational", [False, True])
def test_learns_to_predict_held_out_edges(request, decoder, variational):
    # the MLP decoder starts at or below chance on `split` (AUC 0.25-0.54); the others
    # learn only where an untrained encoder is weak (see `eight`)
    data, n_components = ("split", 64) if decoder == "hadamard_mlp" else ("eight", 4)
    _, G_train, pairs, y = request.getfixturevalue(data)
    lp = LinkPredictor(n_components=n_components, decoder=decoder, variational=variational,
                       max_epochs=100, random_state=0, device="cpu").fit(G_train)
    P = lp.predict_proba(pairs)
    assert P.shape == (len(pairs), 2) and np.allclose(P.sum(axis=1), 1) and (P >= 0).all()
    assert list(lp.classes_) == [0, 1]
    auc = roc_auc_score(y, P[:, 1])
    before = roc_auc_score(y, untrained(lp).fit(G_train).predict_proba(pairs)[:, 1])
    # measured: trained 0.82-0.92, untrained 0.54 or below (MLP) and 0.65-0.70 (others)
    assert auc > 0.75 and auc > before + 0.1


def test_outputs_are_consistent(split):
    _, G_train, pairs, y = split
    lp = LinkPredictor(**FAST).fit(G_train)
    logits = lp.decision_function(pairs)
    np.testing.assert_allclose(lp.predict_proba(pairs)[:, 1], 1 / (1 + np.exp(-logits)), rtol=1e-5)
    np.testing.assert_array_equal(lp.predict(pairs), (logits > 0).astype(int))
    assert lp.score(pairs, y) == pytest.approx(roc_auc_score(y, lp.predict_proba(pairs)[:, 1]))
    assert lp.embedding_.shape == (150, 64)
    # pairs are unordered: (i, j) and (j, i) score the same
    np.testing.assert_allclose(lp.decision_function(pairs[:, ::-1]), logits, rtol=1e-5)


def test_repeatable_and_pickles(split):
    _, G_train, pairs, _ = split
    P = LinkPredictor(**FAST).fit(G_train).predict_proba(pairs)
    lp = LinkPredictor(**FAST).fit(G_train)
    np.testing.assert_array_equal(lp.predict_proba(pairs), P)
    np.testing.assert_array_equal(pickle.loads(pickle.dumps(lp)).predict_proba(pairs), P)
    assert clone(lp).get_params() == lp.get_params()


def test_many_pairs_are_predicted_in_chunks(split, monkeypatch):
    _, G_train, _, _ = split
    lp = LinkPredictor(**FAST).fit(G_train)
    monkeypatch.setattr("skgraph._link_prediction._CHUNK", 1000)
    rng = np.random.default_rng(0)
    pairs = rng.integers(0, 150, size=(4600, 2))
    pairs = pairs[pairs[:, 0] != pairs[:, 1]][:4500]  # no self pairs (they warn)
    chunked = lp.decision_function(pairs)
    monkeypatch.setattr("skgraph._link_prediction._CHUNK", 1 << 20)
    np.testing.assert_array_equal(chunked, lp.decision_function(pairs))


@pytest.mark.slow
def test_ten_million_pairs_are_predicted(split, monkeypatch):
    # memory stays linear: the decoder never sees more than _CHUNK pairs at once
    _, G_train, pairs, y = split
    lp = LinkPredictor(**FAST).fit(G_train)
    seen = []
    decode = lp.module_.decoder.forward
    monkeypatch.setattr(lp.module_.decoder, "forward",
                        lambda z, chunk: seen.append(chunk.shape[1]) or decode(z, chunk))
    many = np.random.default_rng(0).integers(0, G_train.n_nodes, size=(10_000_000, 2),
                                             dtype=np.int32)
    many[:len(pairs)] = pairs
    self_pairs = many[:, 0] == many[:, 1]  # (which would get a warning)
    many[self_pairs, 1] = (many[self_pairs, 1] + 1) % G_train.n_nodes
    P = lp.predict_proba(many)
    assert P.shape == (10_000_000, 2) and np.isfinite(P).all()
    assert max(seen) <= 1 << 20 and sum(seen) == 10_000_000
    np.testing.assert_allclose(P[:len(pairs)], lp.predict_proba(pairs), rtol=1e-6)


@pytest.mark.parametrize("pairs, error, match", [
    (np.array([[0, 150]]), ValueError, r"outside 0..149"),
    (np.array([[-1, 2]]), ValueError, r"outside 0..149"),
    (np.array([[0, 1, 2]]), ValueError, r"shape \(n_pairs, 2\)"),
    (np.array([0, 1]), ValueError, r"one pair of nodes, \(0, 1\).*give \[\(u, v\)\]"),
    ((3, 4), ValueError, r"one pair of nodes, \(3, 4\)"),
    (np.array([0, 1, 2]), ValueError, r"shape \(n_pairs, 2\)"),
    (np.zeros((0, 2), dtype=int), ValueError, "empty"),
    (np.array([[0.5, 1.0]]), TypeError, "non-integer"),
    (np.array([[True, False]]), TypeError, "integer node indices"),
    (np.array([["a", "b"]]), TypeError, "integer node indices"),
    ("pairs", TypeError, r"\(n_pairs, 2\) array"),
])
def test_bad_pairs(split, pairs, error, match):
    _, G_train, _, _ = split
    lp = LinkPredictor(**FAST).fit(G_train)
    with pytest.raises(error, match=match):
        lp.predict_proba(pairs)


def test_not_fitted_and_graph_without_edges(split):
    with pytest.raises(NotFittedError):
        LinkPredictor().predict_proba(np.array([[0, 1]]))
    with pytest.raises(ValueError, match="learns from edges, but the graph has none"):
        LinkPredictor(**FAST).fit(sp.csr_array((5, 5)))


def test_float_pairs_with_integer_values_are_accepted(split):
    _, G_train, pairs, _ = split
    lp = LinkPredictor(**FAST).fit(G_train)
    np.testing.assert_array_equal(lp.decision_function(pairs.astype(float)),
                                  lp.decision_function(pairs))


def test_node_pairs_views_and_training_adjacency():
    A = np.zeros((5, 5))
    for i, j in [(0, 1), (1, 2), (2, 3), (3, 4)]:
        A[i, j] = A[j, i] = 1
    P = NodePairs(Graph(A), [[0, 1], [2, 1], [3, 4], [0, 4]])  # 3 edges, 1 non-edge
    assert len(P) == 4 and P.shape == (4,)
    view = P[[2, 0]]
    assert view.pairs.tolist() == [[3, 4], [0, 1]] and len(view[[1]]) == 1
    reduced = view.training_adjacency().toarray()
    assert reduced[1, 2] == reduced[2, 1] == 0  # unselected edge removed, both directions
    assert reduced[0, 1] == reduced[3, 4] == 1 and reduced[2, 3] == 1  # others kept
    assert (P.training_adjacency() != Graph(A).adjacency).nnz == 0
    # every pair selected, shuffled (a refit after a search over P[perm]): nothing held out
    assert (P[[3, 1, 0, 2]].training_adjacency() != Graph(A).adjacency).nnz == 0
    assert (P[[0, 1, 2]].training_adjacency() != Graph(A).adjacency).nnz == 0  # a non-edge out
    LinkPredictor(max_epochs=2, random_state=0, device="cpu").fit(P[[3, 1, 0, 2]])
    with pytest.raises(IndexError):
        P[[7]]


def test_link_pairs_covers_all_edges_and_as_many_non_edges(split):
    G = split[0]
    P, y = link_pairs(G, random_state=0)
    assert len(P) == len(y) == 2 * G.n_edges and y.sum() == G.n_edges
    pos, neg = P.pairs[y == 1], P.pairs[y == 0]
    assert (G.adjacency[pos[:, 0], pos[:, 1]] > 0).all()
    assert (G.adjacency[neg[:, 0], neg[:, 1]] == 0).all()
    # in random order: unshuffled folds (cv=3) hold out random pairs, not the edges of the
    # lowest-numbered nodes (whose held-out edges then left them isolated in the fold's graph)
    assert not (np.diff(pos[:, 0]) >= 0).all()  # edges not by node
    assert 0.3 < y[: len(y) // 3].mean() < 0.7
    np.testing.assert_array_equal(link_pairs(G, random_state=0)[0].pairs, P.pairs)
    with pytest.raises(ValueError, match="negative_ratio"):
        link_pairs(G, negative_ratio=0)
    with pytest.raises(ValueError, match="no edges"):
        link_pairs(sp.csr_array((4, 4)))


def test_grid_search_over_pairs_never_sees_held_out_edges(eight):
    G_train = eight[1]
    P, y = link_pairs(G_train, random_state=0)
    cv = KFold(3, shuffle=True, random_state=0)
    params = dict(n_components=8, max_epochs=20, random_state=0, device="cpu")

    def present(adjacency, pairs):
        return np.asarray(adjacency[pairs[:, 0], pairs[:, 1]]).ravel() > 0

    for train, test in cv.split(P.pairs, y):
        seen = P[train].training_adjacency()
        assert not present(seen, P.pairs[test][y[test] == 1]).any()  # held-out positives
        assert present(seen, P.pairs[train][y[train] == 1]).all()
        # a fit on the fold is exactly a fit on that graph: nothing else reaches it
        on_fold = LinkPredictor(**params).fit(P[train])
        on_graph = LinkPredictor(**params).fit(Graph(seen, G_train.features))
        np.testing.assert_array_equal(on_fold.embedding_, on_graph.embedding_)
    # the grid holds an untrained candidate (a negligible step): the search must pick the
    # trained one, which scores its held-out folds clearly better (0.86 against 0.63)
    search = GridSearchCV(LinkPredictor(n_components=4, max_epochs=20, random_state=0,
                                        device="cpu"),
                          {"learning_rate": [1e-9, 0.01]}, cv=cv).fit(P, y)
    assert search.best_params_ == {"learning_rate": 0.01}
    untrained_score, trained_score = search.cv_results_["mean_test_score"]
    assert trained_score == search.best_score_ > max(0.75, untrained_score + 0.1)


def test_cross_val_score_over_pairs(eight):
    P, y = link_pairs(eight[0], random_state=0)
    cv = KFold(3, shuffle=True, random_state=0)
    lp = LinkPredictor(n_components=4, **FAST)
    scores = cross_val_score(lp, P, y, cv=cv)
    before = cross_val_score(untrained(lp), P, y, cv=cv)  # the same folds, no learning
    # measured: 0.85-0.91 against 0.63-0.64
    assert scores.shape == (3,) and (scores > 0.75).all() and (scores > before + 0.1).all()


@pytest.mark.parametrize("random_state", [1, 2, 3])
def test_variational_mlp_decoder_does_not_stall_on_noise(split, random_state):
    # with PyG's initial posterior (std 1) this stalled at chance for half of the seeds
    _, G_train, pairs, y = split
    lp = LinkPredictor(decoder="hadamard_mlp", variational=True, max_epochs=100,
                       random_state=random_state, device="cpu").fit(G_train)
    assert roc_auc_score(y, lp.predict_proba(pairs)[:, 1]) > 0.75


def test_pairs_of_node_names_in_and_out():
    nx = pytest.importorskip("networkx")
    karate = nx.relabel_nodes(nx.karate_club_graph(), {i: f"member{i}" for i in range(34)})
    G_train, pairs, y = train_test_split_edges(karate, test_size=0.2, random_state=0)
    assert pairs.dtype == object and str(pairs[0, 0]).startswith("member")
    positions = train_test_split_edges(Graph(nx.to_scipy_sparse_array(karate)), test_size=0.2,
                                       random_state=0)[1]
    assert [[f"member{i}" for i in row] for row in positions.tolist()] == pairs.tolist()
    lp = LinkPredictor(max_epochs=30, random_state=0, device="cpu").fit(G_train)
    assert lp.node_names_[3] == "member3"
    by_name = lp.predict_proba([("member3", "member17"), ("member0", "member33")])
    np.testing.assert_array_equal(by_name, lp.predict_proba([[3, 17], [0, 33]]))
    assert lp.score(pairs, y) == lp.score(positions, y)
    assert lp.score(pairs.astype(str), y) == lp.score(positions, y)  # looked up at once
    for unknown in ([("member3", "member17"), ("member1", "nobody")],
                    np.array([("member3", "member17"), ("member1", "nobody")])):
        with pytest.raises(ValueError, match="pairs\\[1\\] names node 'nobody', which is not "
                                             "a node"):
            lp.predict_proba(unknown)
    P, labels = link_pairs(G_train, random_state=0)
    named = NodePairs(G_train, [("member0", "member1")])
    assert named.pairs.tolist() == [[0, 1]] and len(P) == len(labels)
    # integer names: integers are names, not positions
    shifted = nx.relabel_nodes(nx.path_graph(4), {i: 10 + i for i in range(4)})
    fitted = LinkPredictor(max_epochs=5, random_state=0, device="cpu").fit(shifted)
    np.testing.assert_array_equal(fitted.decision_function([[10, 11]]),
                                  fitted.decision_function(NodePairs(shifted, [[10, 11]])))
    with pytest.raises(ValueError, match="names node 0"):
        fitted.decision_function([[0, 1]])


def test_node_pairs_are_refused_at_once_as_an_array():
    A = np.zeros((4, 4))
    A[0, 1] = A[1, 0] = 1
    pairs = NodePairs(Graph(A), [[0, 1], [2, 3]])
    with pytest.raises(TypeError, match="NodePairs is not an array.*\\.pairs"):
        np.asarray(pairs)
    assert pairs.pairs.shape == (len(pairs), 2)


@pytest.mark.parametrize("relabel", ["reordered", "one_based"])
def test_link_pairs_on_graphs_with_integer_node_names(relabel):
    nx = pytest.importorskip("networkx")
    if relabel == "reordered":  # built from an edge list: nodes stored in the order 2, 0, 1, ...
        H = nx.Graph([(2, 0), (0, 1), (1, 3), (3, 4), (4, 2), (0, 5), (5, 6)])
    else:
        H = nx.relabel_nodes(nx.karate_club_graph(), lambda i: i + 1)
    P, y = link_pairs(H, random_state=0)
    A = P.graph.adjacency
    is_edge = np.asarray(A[P.pairs[:, 0], P.pairs[:, 1]]).ravel() > 0
    np.testing.assert_array_equal(is_edge, y == 1)
    # a fold that selects only non-edges holds every edge out of its training graph
    assert P[np.flatnonzero(y == 0)].training_adjacency().nnz == 0
    scores = cross_val_score(LinkPredictor(max_epochs=2, random_state=0, device="cpu"), P, y,
                             cv=KFold(2, shuffle=True, random_state=0))
    assert np.isfinite(scores).all()


def test_node_pairs_of_a_new_graph_are_scored_on_its_own_embeddings():
    # a permuted copy of the fitted graph is another graph: its node pairs are scored on
    # embeddings of its own nodes (inductive), which the encoder gives the same as the
    # fitted ones, node for node (it is equivariant); the fitted graph's embeddings would
    # score the permuted positions wrongly
    G, _ = make_community_graph(n_nodes=60, random_state=0)
    lp = LinkPredictor(max_epochs=5, random_state=0, device="cpu").fit(G)
    order = np.random.default_rng(0).permutation(G.n_nodes)  # new position k: old order[k]
    new_of_old = np.argsort(order)
    H = Graph(G.adjacency[order][:, order], G.features[order])
    pairs = np.random.default_rng(1).integers(0, G.n_nodes, (200, 2))
    pairs = pairs[pairs[:, 0] != pairs[:, 1]]
    inductive = lp.decision_function(NodePairs(H, new_of_old[pairs]))
    np.testing.assert_allclose(inductive, lp.decision_function(pairs), rtol=1e-4, atol=1e-5)
    assert not np.allclose(lp.decision_function(new_of_old[pairs]), inductive, atol=1e-3)
    # graphs of other sizes and named nodes too; the feature width must match
    for n_nodes in (80, 30):
        other, _ = make_community_graph(n_nodes=n_nodes, random_state=1)
        assert lp.predict_proba(link_pairs(other, random_state=0)[0]).shape[1] == 2
    for structure in (G.adjacency, H.adjacency):  # the fitted graph's or another
        narrow = Graph(structure, G.features[:, :3])
        with pytest.raises(ValueError, match="has 3 features, but LinkPredictor is expecting"):
            lp.predict_proba(NodePairs(narrow, [[0, 1]]))
    nx = pytest.importorskip("networkx")
    named = nx.relabel_nodes(nx.path_graph(5), lambda i: f"n{i}")
    renamed = nx.relabel_nodes(nx.path_graph(6), lambda i: f"m{i}")
    lp = LinkPredictor(max_epochs=2, featureless="degree", random_state=0,
                       device="cpu").fit(named)
    with pytest.raises(ValueError, match="names node 'm5', which is not a node of the graph. "
                                         r"Arrays of pairs .* NodePairs\(new_graph, pairs\)"):
        lp.decision_function([("m5", "n1")])
    scores = lp.decision_function(NodePairs(renamed, [("m5", "m1"), ("m0", "m1")]))
    assert scores.shape == (2,) and np.isfinite(scores).all()
    identity = LinkPredictor(max_epochs=2, random_state=0, device="cpu").fit(named)
    with pytest.raises(ValueError, match="featureless='identity'"):
        identity.decision_function(NodePairs(renamed, [("m5", "m1")]))


def test_predicting_links_of_a_new_graph_from_what_was_learnt_on_another():
    # two halves of one block model (the same communities' features): fitted on one half,
    # the model predicts held-out edges of the other (inductive). Measured: 0.829 against
    # 0.775 untrained and 0.886 for a model fitted on the second half itself (seeds 1-3:
    # +0.05 to +0.08 over untrained)
    big, _ = make_community_graph(n_nodes=400, n_communities=8, p_in=0.3, p_out=0.005,
                                  feature_signal=0.3, random_state=0)
    halves = np.random.default_rng(0).permutation(big.n_nodes).reshape(2, -1)
    first, second = (Graph(big.adjacency[h][:, h], big.features[h]) for h in halves)
    second_train, pairs, y = train_test_split_edges(second, test_size=0.1, random_state=0)
    lp = LinkPredictor(n_components=4, max_epochs=100, random_state=0, device="cpu")
    auc = lp.fit(first).score(NodePairs(second_train, pairs), y)
    before = untrained(lp).fit(first).score(NodePairs(second_train, pairs), y)
    own = clone(lp).fit(second_train).score(pairs, y)
    assert auc > 0.8 and auc > before + 0.03 and auc > own - 0.08, (auc, before, own)
    # the held-out edges left in the graph they are scored on: a leak, said so
    with pytest.warns(UserWarning, match=r"^100% of the \d+ pairs labelled 1 are edges of the "
                                         "graph they are scored on"):
        lp.score(NodePairs(second, pairs), y)


def test_pairs_of_names_as_a_data_frame():
    pd = pytest.importorskip("pandas")
    nx = pytest.importorskip("networkx")
    karate = nx.relabel_nodes(nx.karate_club_graph(), lambda i: f"n{i}")
    lp = LinkPredictor(max_epochs=2, random_state=0, device="cpu").fit(karate)
    frame = pd.DataFrame({"source": ["n0", "n2"], "target": ["n1", "n3"]})
    np.testing.assert_array_equal(lp.decision_function(frame),
                                  lp.decision_function([[0, 1], [2, 3]]))
    one_based = nx.relabel_nodes(nx.karate_club_graph(), lambda i: i + 1)
    lp = LinkPredictor(max_epochs=2, random_state=0, device="cpu").fit(one_based)
    np.testing.assert_array_equal(
        lp.decision_function(pd.DataFrame({"u": [1, 3], "v": [2, 4]})),
        lp.decision_function([[1, 2], [3, 4]]))


def test_a_node_view_is_refused_with_the_way_to_cross_validate():
    G, _ = make_community_graph(n_nodes=40, random_state=0)
    with pytest.raises(ValueError, match="a node view G\\[idx\\] selects nodes.*link_pairs"):
        LinkPredictor(max_epochs=2, device="cpu").fit(G[:10])
    with pytest.raises(ValueError, match="fits failed"):  # all of them, with that reason
        cross_val_score(LinkPredictor(max_epochs=2, device="cpu"), G, cv=2)


def test_self_pairs_get_a_warning():
    G, _ = make_community_graph(n_nodes=40, random_state=0)
    lp = LinkPredictor(max_epochs=3, random_state=0).fit(G)
    with pytest.warns(UserWarning, match=r"1 of the pairs join a node to itself \(the first: "
                                         r"pairs\[1\]\)") as caught:
        lp.predict_proba([[0, 1], [5, 5]])
    assert caught[0].filename == __file__


def test_a_nearly_complete_graph_trains_in_mini_batches_and_says_why_it_cannot_validate():
    A = np.ones((40, 40)) - np.eye(40)
    A[0, 1] = A[1, 0] = 0  # one non-edge among 780 pairs
    # batches that draw no non-edge add nothing for them (their mean was nan)
    lp = LinkPredictor(batch_size=64, max_epochs=3, random_state=0).fit(A)
    assert np.isfinite(lp.loss_curve_).all()
    with pytest.raises(ValueError, match="early_stopping holds out 78 edges and as many "
                                         "non-edges .* only 1 non-edge"):
        LinkPredictor(early_stopping=True, max_epochs=3).fit(A)


def test_score_checks_its_labels(split):
    _, G_train, pairs, y = split
    lp = LinkPredictor(**FAST).fit(G_train)
    three = pairs[:3]
    with pytest.raises(ValueError, match="one label per pair: 3 pairs, y of shape \\(1,\\)"):
        lp.score(three, [1])
    with pytest.raises(ValueError, match=r"1 \(an edge\) or 0 \(no edge\) .* got \[2\]"):
        lp.score(three, [2, 0, 0])
    with pytest.raises(ValueError, match=r"got \['a', 'b', 'a'\]"):
        lp.score(three, ["a", "b", "a"])
    expected = lp.score(pairs, y)  # booleans and floats of 0 and 1 are labels too
    assert lp.score(pairs, y.astype(bool)) == lp.score(pairs, y.astype(float)) == expected


def test_node_pairs_of_another_graph_of_as_many_nodes_are_not_scored_on_the_fitted_one(split):
    G, G_train, pairs, y = split
    other, _ = make_community_graph(n_nodes=150, n_communities=3, p_in=0.25, p_out=0.005,
                                    random_state=1)
    lp = LinkPredictor(**FAST).fit(G_train)
    np.testing.assert_array_equal(  # another graph's pairs: embedded there (inductive)
        lp.predict_proba(NodePairs(other, pairs)),
        LinkPredictor(**FAST).fit(G_train).predict_proba(NodePairs(other, pairs)))
    assert not np.allclose(lp.predict_proba(NodePairs(other, pairs)), lp.predict_proba(pairs))
    own = NodePairs(G_train, pairs)
    np.testing.assert_array_equal(lp.predict_proba(own), lp.predict_proba(pairs))
    # a model fitted on a fold of NodePairs scores the other folds of the same set, as the
    # node pairs they hold (whether it learnt is checked by the tests above; 0.5 is a bound)
    P, labels = link_pairs(G_train, random_state=0)
    half = len(P) // 2
    folded = LinkPredictor(**FAST).fit(P[:half])
    score = folded.score(P[half:], labels[half:])
    assert score == folded.score(P.pairs[half:], labels[half:]) and 0.5 < score <= 1
    with pytest.warns(UserWarning, match="edges of the graph they are scored on"):
        folded.score(NodePairs(G, pairs), y)  # the whole graph, with the pairs' edges in it


def test_scoring_held_out_edges_with_a_model_fitted_on_them_warns(split, monkeypatch):
    import warnings

    import skgraph._link_prediction as link_prediction

    G, G_train, pairs, y = split
    leaky = LinkPredictor(**FAST).fit(G)  # the held-out edges are training edges here
    with pytest.warns(UserWarning, match=rf"^100% of the {int(y.sum())} pairs labelled 1 are "
                                         r"edges of the graph this LinkPredictor was fitted "
                                         r"on.*train_test_split_edges"):
        leaky.score(pairs, y)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        LinkPredictor(**FAST).fit(G_train).score(pairs, y)  # held out: nothing to say
        folds = link_pairs(G, random_state=0)
        cross_val_score(LinkPredictor(**{**FAST, "max_epochs": 2}), *folds, cv=2)
        # a fold's training score is meant to be one (learning_curve computes them)
        learning_curve(LinkPredictor(**{**FAST, "max_epochs": 2}), *folds, cv=2,
                       train_sizes=[1.0])
    # a large graph's edges are checked against a sample of them
    monkeypatch.setattr(link_prediction, "_TRAINED_EDGE_SAMPLE", G.n_edges // 4)
    sampled = LinkPredictor(**{**FAST, "max_epochs": 2}).fit(G)
    assert len(sampled._trained_edges) == G.n_edges // 4
    with pytest.warns(UserWarning, match=r"^about \d+% of the"):
        sampled.score(pairs, y)


def test_edge_share_is_exact_with_every_edge_and_unbiased_from_a_sample():
    from skgraph._edges import edge_key_sample, edge_share, upper_edges

    G, _ = make_community_graph(n_nodes=300, random_state=0)
    edges = upper_edges(G.adjacency)
    rng = np.random.default_rng(1)
    half = np.vstack([edges[rng.choice(len(edges), 100, replace=False)][:, ::-1],  # (j, i)
                      rng.integers(0, 300, size=(100, 2))])
    truth = float(np.mean(np.asarray(G.adjacency[half[:, 0], half[:, 1]]).ravel() > 0))
    every = edge_key_sample(G.adjacency, limit=10 ** 9)
    assert len(every) == G.n_edges
    assert edge_share(every, G.n_edges, 300, half) == truth
    estimates = [edge_share(np.sort(rng.choice(every, len(every) // 3, replace=False)),
                            G.n_edges, 300, half) for _ in range(200)]
    assert abs(np.mean(estimates) - truth) < 0.02
    np.testing.assert_array_equal(edge_key_sample(G.adjacency, 50),
                                  edge_key_sample(G.adjacency, 50))  # seeded


@pytest.mark.parametrize("decoder", ["cosine", "inner_product", "hadamard_mlp"])
def test_recommend_is_the_top_of_decision_function_over_the_candidates(split, decoder):
    G, G_train, _, _ = split
    lp = LinkPredictor(decoder=decoder, **{**FAST, "max_epochs": 5}).fit(G_train)
    queries = np.array([0, 7, 42, 149])
    neighbours, scores = lp.recommend(queries, k=6, exclude=G_train)
    assert neighbours.shape == scores.shape == (4, 6) and scores.dtype == np.float32
    A = G_train.adjacency
    for q, row, top in zip(queries, neighbours, scores):
        allowed = np.array([c for c in range(G.n_nodes) if c != q and A[q, c] == 0])
        logits = lp.decision_function(np.column_stack([np.full(len(allowed), q), allowed]))
        np.testing.assert_allclose(top, np.sort(logits)[::-1][:6], rtol=1e-5, atol=1e-5)
        np.testing.assert_allclose(lp.decision_function(np.column_stack([np.full(6, q), row])),
                                   top, rtol=1e-5, atol=1e-5)
        assert q not in row and not A.toarray()[q, row].any()


def test_recommend_candidates_exclusions_and_a_row_with_nothing_left():
    A = np.ones((6, 6)) - np.eye(6)
    A[4, 5] = A[5, 4] = 0  # one non-edge to sample
    G = Graph(sp.csr_array(A), np.eye(6))
    lp = LinkPredictor(**{**FAST, "max_epochs": 2}).fit(G)
    neighbours, scores = lp.recommend([0, 1], k=2, candidates=[3, 4, 5], exclude=[(3, 0)])
    assert set(neighbours[0]) == {4, 5} and set(neighbours[1]) <= {3, 4, 5}
    everything, scores = lp.recommend([0], k=3, exclude=G)  # every other node is a neighbour
    assert everything.tolist() == [[-1, -1, -1]] and np.isneginf(scores).all()
    all_nodes, _ = lp.recommend(k=1)
    assert all_nodes.shape == (6, 1) and (all_nodes.ravel() != np.arange(6)).all()
    with pytest.raises(ValueError, match="k is 4, more than the 3 candidates"):
        lp.recommend([0], k=4, candidates=[3, 4, 5])
    with pytest.raises(ValueError, match="k must be a positive integer"):
        lp.recommend([0], k=0)
    with pytest.raises(ValueError, match=r"nodes refer to nodes outside 0..5"):
        lp.recommend([6])
    with pytest.raises(TypeError, match=r"nodes must be a sequence of nodes.*give \[3\]"):
        lp.recommend(3)
    with pytest.raises(ValueError, match="exclude is a graph of 3 unnamed nodes"):
        lp.recommend([0], k=1, exclude=Graph(sp.csr_array(np.ones((3, 3)) - np.eye(3))))
    with pytest.raises(ValueError, match=r"exclude has shape \(2, 3\).*two node columns"):
        lp.recommend([0], k=1, exclude=np.array([[0, 1, 2020], [0, 2, 2021]]))  # with a time
    import pandas as pd

    square = pd.DataFrame({"u": [0, 0, 1], "v": [1, 2, 2], "time": [2020, 2021, 2022]})
    with pytest.raises(ValueError, match=r"exclude is a table of 3 columns \['u', 'v', "
                                         r"'time'\].*two node columns"):
        lp.recommend([0], k=1, exclude=square)  # 3 edges, 3 columns: not an adjacency


def test_recommend_in_blocks_and_exclusions_in_any_table_of_pairs(split, monkeypatch):
    import pandas as pd
    import torch

    import skgraph._link_prediction as link_prediction

    G, G_train, _, _ = split
    for decoder in ("cosine", "hadamard_mlp"):
        lp = LinkPredictor(decoder=decoder, **{**FAST, "max_epochs": 2}).fit(G_train)
        whole = lp.recommend(k=5, exclude=G_train)
        monkeypatch.setattr(link_prediction, "_SCORE_BLOCK", 3 * G.n_nodes)  # 3 rows a block
        blocks = lp.recommend(k=5, exclude=G_train)
        monkeypatch.undo()
        np.testing.assert_array_equal(blocks[0], whole[0])
        np.testing.assert_allclose(blocks[1], whole[1], rtol=1e-6)  # float32 rounding
    excluded = [(0, int(whole[0][0, 0])), (0, int(whole[0][0, 1]))]
    for table in (np.array(excluded), pd.DataFrame(excluded, columns=["u", "v"]),
                  torch.tensor(excluded), excluded):
        neighbours, _ = lp.recommend([0], k=3, exclude=table)
        assert not set(neighbours[0]) & {pair[1] for pair in excluded}


def test_recommend_takes_and_gives_node_names():
    import networkx as nx

    karate = nx.relabel_nodes(nx.karate_club_graph(), lambda k: f"member{k}")
    G_train, pairs, y = train_test_split_edges(karate, random_state=0)
    lp = LinkPredictor(**{**FAST, "max_epochs": 5}).fit(G_train)
    neighbours, scores = lp.recommend(["member3", "member17"], k=4, exclude=G_train)
    assert neighbours.dtype == object and all(name.startswith("member")
                                             for name in neighbours.ravel())
    np.testing.assert_allclose(lp.decision_function([("member3", v) for v in neighbours[0]]),
                               scores[0], rtol=1e-5)
    assert not any(G_train.adjacency[3, G_train.positions(neighbours[0])])
    by_position, _ = lp.recommend([3, 17], k=4, exclude=G_train)  # names are not integers
    assert (by_position == neighbours).all()
    with pytest.raises(ValueError, match=r"nodes\[0\] names node 'nobody'"):
        lp.recommend(["nobody"])
    # the training graph with its nodes in another order: matched by name
    order = np.random.default_rng(0).permutation(G_train.n_nodes)
    shuffled = Graph(G_train.adjacency[order][:, order], node_names=G_train.node_names[order])
    again, _ = lp.recommend(["member3", "member17"], k=4, exclude=shuffled)
    assert (again == neighbours).all()
    # a graph of nodes 0 .. n - 1 (no names) against the same nodes in another order
    plain = nx.karate_club_graph()
    rebuilt = nx.Graph(list(reversed(list(plain.edges()))))
    assert as_graph(rebuilt).node_names is not None
    unnamed = LinkPredictor(**{**FAST, "max_epochs": 2}).fit(as_graph(plain))
    suggested, _ = unnamed.recommend([0], k=5, exclude=rebuilt)
    assert not set(suggested[0]) & set(plain[0])
    # a later snapshot with more nodes: the fitted nodes' edges are excluded
    later = karate.copy()
    later.add_edges_from([("newcomer", "member3"), ("member3", "member17")])
    suggested, _ = lp.recommend(["member3"], k=30, exclude=later)
    assert not set(suggested[0]) & set(later["member3"]) and len(suggested[0]) == 30
    renamed = Graph(G_train.adjacency, node_names=[f"x{k}" for k in range(G_train.n_nodes)])
    with pytest.raises(ValueError, match="exclude is a graph of other nodes than the fitted "
                                         "one \\(it has no node 'member0'\\)"):
        lp.recommend(["member3"], k=2, exclude=renamed)
