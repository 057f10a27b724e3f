"""Generated inputs for every public entry point, valid and invalid.

Each entry point has two properties. On generated VALID inputs (every accepted dtype and
container) every call must succeed and its result must hold the invariants of the success
path: shapes, finite values, probabilities summing to 1, the canonical adjacency of a
``Graph``, the sizes of an edge split, the graphs a TU file set describes; the share of
examples that reach the end of the success path is counted and required. On generated
INVALID inputs, each built by one named corruption of a valid one, the call must raise
the exception type, with a message that names the problem. Either way the caller's input
must come back unmodified (compared deeply against a snapshot).
"""

import warnings

import numpy as np
import pytest
import scipy.sparse as sp
import torch
from hypothesis import HealthCheck, Phase, assume, given, settings
from hypothesis import strategies as st

from skgraph import GNNGraphClassifier, Graph, LinkPredictor, VGAEEmbedder, as_graph
from skgraph.model_selection import train_test_split_edges

from ._outcomes import REFUSED, SUCCEEDED, assert_unchanged, run_counted, snapshot
from ._strategies import (
    GRAPH_PROBLEMS,
    WEIGHTS,
    GraphCase,
    canonical,
    containers,
    feature_values,
    graph_cases,
    graph_forms,
    invalid_graphs,
    typed,
    upper_pairs,
)

FAST = dict(max_epochs=2, random_state=0, device="cpu")
# derandomised: the same examples on every run; no "explain" phase (it traces coverage, which
# made a failing run take minutes), shrinking kept for readable failing examples
SETTINGS = settings(max_examples=60, deadline=None, derandomize=True, database=None,
                    suppress_health_check=list(HealthCheck),
                    phases=(Phase.explicit, Phase.generate, Phase.shrink))


def examples(n: int):
    return settings(SETTINGS, max_examples=n)


def _refuses(call, exc, pattern, *args, **kwargs):
    """Call; it must raise ``exc`` (or a subclass) with a message matching ``pattern``."""
    with pytest.raises(exc, match=pattern):
        call(*args, **kwargs)


# -- Graph -----------------------------------------------------------------------------------
def _caller_buffers(obj) -> list:
    """The NumPy buffers holding a caller's array-like (none for nested lists)."""
    if isinstance(obj, np.ndarray):
        return [obj]
    if sp.issparse(obj):
        return [obj.data]
    if isinstance(obj, torch.Tensor):
        return [obj.numpy()]
    return []


def check_graph(G: Graph, case) -> None:
    """``G`` holds ``case``'s canonical adjacency and features, read-only and not shared
    with the caller's arrays."""
    n = case.n_nodes
    A = G.adjacency
    assert isinstance(A, sp.csr_array) and A.dtype == np.float64 and A.shape == (n, n)
    assert A.has_sorted_indices and np.isfinite(A.data).all() and (A.data > 0).all()
    np.testing.assert_array_equal(A.toarray(), case.expected_adjacency)
    n_edges = int(np.count_nonzero(np.triu(case.expected_adjacency, 1)))
    assert (G.n_nodes, len(G), G.n_edges, G.is_view) == (n, n, n_edges, False)
    assert not any(part.flags.writeable for part in (A.data, A.indices, A.indptr))
    held = [A.data]
    if case.expected_features is None:
        assert G.features is None and G.n_features == 0
    else:
        X = G.features
        assert sp.issparse(X) == sp.issparse(case.features)
        assert X.shape == case.expected_features.shape and X.dtype == case.expected_features_dtype
        values = X.toarray() if sp.issparse(X) else X
        np.testing.assert_array_equal(values, case.expected_features)
        stored = X.data if sp.issparse(X) else X
        assert not stored.flags.writeable
        held.append(stored)
    for mine in held:
        for theirs in _caller_buffers(case.adjacency) + _caller_buffers(case.features):
            assert not np.shares_memory(mine, theirs), "the Graph shares the caller's memory"


@examples(60)
@given(graph_cases())
def _graph_accepts_valid_inputs(case):
    before = snapshot((case.adjacency, case.features))
    G = Graph(case.adjacency, case.features)
    check_graph(G, case)
    assert_unchanged(before, (case.adjacency, case.features))
    SUCCEEDED["Graph"] += 1


def test_graph_accepts_valid_inputs():
    run_counted(_graph_accepts_valid_inputs, "Graph", minimum=57)


@pytest.mark.parametrize("problem", sorted(GRAPH_PROBLEMS))
@examples(6)
@given(data=st.data())
def test_graph_refuses_invalid_inputs(problem, data):
    A, X = data.draw(invalid_graphs(problem))
    before = snapshot((A, X))
    if problem == "non_numeric_features" and isinstance(X, (np.ndarray, list)):
        # text in a dense table is kept for a pipeline to encode; the estimators refuse it
        G = Graph(A, X)
        assert G.features.dtype == object and G.features.shape == np.shape(X)
        with pytest.raises(TypeError, match=r"VGAEEmbedder got node features holding text"):
            VGAEEmbedder().fit(G)
    else:
        _refuses(Graph, *GRAPH_PROBLEMS[problem], A, X)
    assert_unchanged(before, (A, X))
    REFUSED["Graph"] += 1


# -- node-level estimators ---------------------------------------------------------------------
@examples(20)
@given(graph_cases(3, 7, node_level=True), st.sampled_from(["embedder", "link"]), st.data())
def _node_estimators_on_valid_graphs(case, which, data):
    X = data.draw(graph_forms(case))
    before = snapshot(X)
    n = case.n_nodes
    if which == "embedder":
        embedder = VGAEEmbedder(n_components=2, **FAST)
        Z = embedder.fit_transform(X)
        assert Z.shape == (n, 2) and np.isfinite(Z).all()
        # a node view gives the rows of its nodes, in its order
        idx = data.draw(st.permutations(range(n)))[:data.draw(st.integers(1, n))]
        np.testing.assert_allclose(embedder.transform(as_graph(X)[idx]), Z[idx], rtol=1e-5,
                                   atol=1e-6)
    else:
        lp = LinkPredictor(n_components=2, **FAST).fit(X)
        assert lp.n_nodes_ == n and lp.embedding_.shape == (n, 2)
        assert np.isfinite(lp.embedding_).all()
        pairs = np.array(upper_pairs(n))
        P = lp.predict_proba(pairs)
        assert P.shape == (len(pairs), 2) and np.isfinite(P).all()
        assert ((P >= 0) & (P <= 1)).all() and np.allclose(P.sum(axis=1), 1)
        np.testing.assert_allclose(lp.predict_proba(pairs[:, ::-1]), P)  # undirected
        predicted = lp.predict(pairs)
        assert np.where(predicted == 1, P[:, 1] >= 0.5, P[:, 1] <= 0.5).all()
    assert_unchanged(before, X)
    SUCCEEDED["VGAEEmbedder / LinkPredictor"] += 1


def test_node_estimators_on_valid_graphs():
    run_counted(_node_estimators_on_valid_graphs, "VGAEEmbedder / LinkPredictor", minimum=19)


NODE_PROBLEMS = {
    "edgeless": (ValueError, r"learns from edges, but the graph has none"),
    "complete": (ValueError, r"the graph is complete .*no non-edge to sample"),
    "zero_features": (ValueError, r"the node features are zero for every node"),
    "nested_lists": (TypeError, r"got list\. A list holds several graphs"),
}


# text in a dense table is kept by Graph for a pipeline (its own test above checks that the
# estimators refuse it), so the estimators' tests draw the problems Graph itself refuses
_REFUSED_BY_GRAPH = sorted(set(GRAPH_PROBLEMS) - {"non_numeric_features"})


@st.composite
def invalid_node_inputs(draw, problem: str):
    """(graph, exception type, message pattern) with the problem named ``problem``, or with
    one of the invalid graphs of GRAPH_PROBLEMS (``"invalid_graph"``; Graph's own test
    covers each of them, as the node estimators all read their input through it)."""
    if problem == "invalid_graph":
        name = draw(st.sampled_from(_REFUSED_BY_GRAPH))
        return (draw(invalid_graphs(name)), *GRAPH_PROBLEMS[name])
    return (draw(_node_problem(problem)), *NODE_PROBLEMS[problem])


@st.composite
def _node_problem(draw, problem: str):
    n = draw(st.integers(3, 6))
    case = draw(graph_cases(n, n, node_level=True))
    if problem == "edgeless":
        A = np.zeros((n, n), dtype=draw(st.sampled_from(["float64", "int64", "bool"])))
        return draw(containers(A)), case.features
    if problem == "complete":
        A = typed(np.ones((n, n)) * draw(st.sampled_from(WEIGHTS)),
                  draw(st.sampled_from(["float64", "float32", "int64", "bool"])))
        A[np.diag_indices(n)] = draw(st.sampled_from([0, 1]))
        return draw(containers(A)), case.features
    if problem == "zero_features":
        X = np.zeros((n, draw(st.integers(1, 3))), dtype=draw(st.sampled_from(["float64",
                                                                              "int64"])))
        return case.adjacency, draw(containers(X))
    assert problem == "nested_lists"
    return np.asarray(case.expected_adjacency).tolist()


@pytest.mark.parametrize("problem", sorted(NODE_PROBLEMS) + ["invalid_graph"])
@examples(4)
@given(which=st.sampled_from([VGAEEmbedder, LinkPredictor]), data=st.data())
def test_node_estimators_refuse_invalid_graphs(problem, which, data):
    graph, exc, pattern = data.draw(invalid_node_inputs(problem))
    before = snapshot(graph)
    _refuses(which(n_components=2, **FAST).fit, exc, pattern, graph)
    assert_unchanged(before, graph)
    REFUSED["VGAEEmbedder / LinkPredictor"] += 1


# -- LinkPredictor's node pairs --------------------------------------------------------------------
_CACHE = {}


def _fitted_link_predictor():
    """A LinkPredictor fitted on a path of 6 nodes."""
    if "lp" not in _CACHE:
        A = np.zeros((6, 6))
        for i in range(5):
            A[i, i + 1] = A[i + 1, i] = 1
        _CACHE["lp"] = LinkPredictor(n_components=2, **FAST).fit(A)
    return _CACHE["lp"]


@st.composite
def valid_pairs(draw):
    pairs = draw(st.lists(st.tuples(st.integers(0, 5), st.integers(0, 5)), min_size=1,
                          max_size=8))
    form = draw(st.sampled_from(["int64", "int32", "uint8", "int8", "float64", "float32",
                                 "list of tuples", "list of lists", "tuple of tuples"]))
    if form == "list of tuples":
        return pairs, pairs
    if form == "list of lists":
        return [list(p) for p in pairs], pairs
    if form == "tuple of tuples":
        return tuple(pairs), pairs
    return np.array(pairs, dtype=form), pairs


@examples(40)
@given(valid_pairs())
def _link_predictor_scores_valid_pairs(given_pairs):
    X, pairs = given_pairs
    lp = _fitted_link_predictor()
    before = snapshot(X)
    self_pairs = any(i == j for i, j in pairs)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        P = lp.predict_proba(X)
    warned = [w for w in caught if "join a node to itself" in str(w.message)]
    assert len(warned) == self_pairs, "a self pair warns, once; other pairs do not"
    assert P.shape == (len(pairs), 2) and P.dtype == np.float64 and np.isfinite(P).all()
    assert ((P >= 0) & (P <= 1)).all() and np.allclose(P.sum(axis=1), 1)
    reference = np.array(pairs, dtype=np.int64)  # each row scored on its own, either order
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        np.testing.assert_allclose(lp.predict_proba(reference[::-1])[::-1], P)
        np.testing.assert_allclose(lp.predict_proba(reference[:, ::-1]), P)
    assert_unchanged(before, X)
    SUCCEEDED["LinkPredictor pairs"] += 1


def test_link_predictor_scores_valid_pairs():
    run_counted(_link_predictor_scores_valid_pairs, "LinkPredictor pairs", minimum=38)


PAIR_PROBLEMS = {
    "out_of_range": (ValueError, r"pairs refer to nodes outside 0\.\.5 \(got values from"),
    "non_integer": (TypeError, r"pairs must hold integer node indices, got non-integer values"),
    "bool": (TypeError, r"pairs must hold integer node indices, got dtype bool"),
    "strings": (TypeError, r"pairs must hold integer node indices, got dtype <U"),
    # (one pair flattened is named as one pair, with the [(u, v)] form to use)
    "shape": (ValueError, r"pairs must have shape \(n_pairs, 2\), got \(|pairs is one pair "
                          r"of nodes, \(\d, \d\); .* give \[\(u, v\)\] for one"),
    "empty": (ValueError, r"pairs is empty: give at least one \(i, j\) node pair"),
    "ragged": (ValueError, r"pairs could not be read as an \(n_pairs, 2\) array"),
    "not_an_array": (TypeError, r"pairs must be an \(n_pairs, 2\) array of node indices, got"),
}


@st.composite
def invalid_pairs(draw, problem: str):
    pairs = np.array(draw(st.lists(st.tuples(st.integers(0, 5), st.integers(0, 5)),
                                   min_size=1, max_size=6)))
    i = draw(st.integers(0, len(pairs) - 1))
    if problem == "out_of_range":  # one node just outside 0..5, maybe another far outside
        pairs[i, draw(st.integers(0, 1))] = draw(st.sampled_from([6, -1]))
        if draw(st.booleans()):
            pairs[draw(st.integers(0, len(pairs) - 1)), draw(st.integers(0, 1))] = \
                draw(st.sampled_from([-7, 7, 100]))
        return draw(st.sampled_from([pairs, pairs.tolist()]))
    if problem == "non_integer":
        pairs = pairs.astype(draw(st.sampled_from(["float64", "float32"])))
        pairs[i, draw(st.integers(0, 1))] += draw(st.sampled_from([0.5, 0.25, np.nan,
                                                                   np.inf]))
        return draw(st.sampled_from([pairs, pairs.tolist()]))
    if problem == "bool":
        return pairs.astype(bool)
    if problem == "strings":
        return pairs.astype(str) if draw(st.booleans()) else pairs.astype(str).tolist()
    if problem == "shape":
        return draw(st.sampled_from([pairs.ravel(), pairs[:, :1], np.hstack([pairs, pairs]),
                                     pairs[None]]))
    if problem == "empty":
        return draw(st.sampled_from([np.zeros((0, 2), dtype=np.int64), np.zeros((0, 2))]))
    if problem == "ragged":
        rows = pairs.tolist() + [[0, 1]]
        rows[i] = rows[i][:1]
        return rows
    assert problem == "not_an_array"
    return draw(st.sampled_from([None, "0 1", b"01", sp.csr_array(pairs)]))


@pytest.mark.parametrize("problem", sorted(PAIR_PROBLEMS))
@examples(4)
@given(data=st.data())
def test_link_predictor_refuses_invalid_pairs(problem, data):
    X = data.draw(invalid_pairs(problem))
    before = snapshot(X)
    _refuses(_fitted_link_predictor().predict_proba, *PAIR_PROBLEMS[problem], X)
    assert_unchanged(before, X)
    REFUSED["LinkPredictor pairs"] += 1


# -- GNNGraphClassifier ------------------------------------------------------------------------------
CLASSES = [(0, 1), (0, 1, 2), ("a", "b"), ("x", "y", "z"), (-1, 1), (False, True)]


@st.composite
def graph_datasets(draw, width=None):
    """(cases, graphs as given, y as given, labels): 2 to 5 graphs of one feature width,
    labels of at least 2 classes."""
    k = draw(st.integers(2, 5))
    width = draw(st.sampled_from([0, 1, 2])) if width is None else width
    cases = [draw(graph_cases(1, 5, width=width)) for _ in range(k)]
    graphs = [draw(graph_forms(case)) for case in cases]
    classes = draw(st.sampled_from(CLASSES))
    labels = draw(st.lists(st.sampled_from(classes), min_size=k, max_size=k))
    if len(set(labels)) < 2:
        labels[draw(st.integers(0, k - 1))] = next(c for c in classes if c != labels[0])
    y = draw(st.sampled_from([list(labels), np.array(labels)]))
    return cases, graphs, y, labels


def _classifier():
    return GNNGraphClassifier(hidden_size=4, n_layers=1, batch_size=2, **FAST)


@examples(15)
@given(graph_datasets())
def _graph_classifier_on_valid_datasets(dataset):
    cases, graphs, y, labels = dataset
    before = snapshot((graphs, y))
    clf = _classifier()
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        clf.fit(graphs, y)
    weighted = any(((c.expected_adjacency != 0) & (c.expected_adjacency != 1)).any()
                   for c in cases)
    warned = any("edge weights other than 1" in str(w.message) for w in caught)
    assert warned == weighted, "edge weights other than 1 warn (they are not read)"
    classes = np.unique(np.asarray(labels))
    assert np.array_equal(clf.classes_, classes)
    assert clf.n_features_in_ == cases[0].features_width
    P = clf.predict_proba(graphs)
    assert P.shape == (len(graphs), len(classes)) and np.isfinite(P).all() and (P >= 0).all()
    np.testing.assert_allclose(P.sum(axis=1), 1, rtol=1e-6)
    # each graph is scored on its own: reordering the graphs reorders the predictions (where
    # the two most probable classes are not too close to call)
    top = np.sort(P, axis=1)
    clear = (top[:, -1] - top[:, -2] > 1e-6)[::-1]
    predicted = clf.predict(graphs[::-1])
    assert np.array_equal(predicted[clear], classes[P[::-1].argmax(axis=1)][clear])
    assert np.isin(predicted, classes).all()
    assert_unchanged(before, (graphs, y))
    SUCCEEDED["GNNGraphClassifier"] += 1


def test_graph_classifier_on_valid_datasets():
    run_counted(_graph_classifier_on_valid_datasets, "GNNGraphClassifier", minimum=14)


CLASSIFIER_PROBLEMS = {
    "single_class": (ValueError, r"y has a single class"),
    "label_count": (ValueError, r"X has \d+ graphs but y has \d+ labels"),
    "no_graphs": (ValueError, r"X is empty: expected at least one graph"),
    "single_graph": (TypeError, r"X must be a sequence of graphs .*got a single graph"),
    "feature_widths": (ValueError, r"X\[\d+\] has \d+ node features but the first graph had "
                                   r"\d+"),
    "continuous_labels": (ValueError, r"Unknown label type: continuous"),
    "nan_label": (ValueError, r"Input y contains NaN"),
}


@st.composite
def invalid_datasets(draw, problem: str):
    """(graphs, y, exception type, message pattern) with the problem named ``problem``, or
    with one graph replaced by an invalid graph of GRAPH_PROBLEMS (``"invalid_graph"``)."""
    if problem == "invalid_graph":
        name = draw(st.sampled_from(_REFUSED_BY_GRAPH))
        graphs, y = draw(_dataset_problem(name))
        exc, pattern = GRAPH_PROBLEMS[name]
        return graphs, y, exc, r"X\[\d+\] is not a valid graph: " + pattern
    return (*draw(_dataset_problem(problem)), *CLASSIFIER_PROBLEMS[problem])


@st.composite
def _dataset_problem(draw, problem: str):
    cases, graphs, y, labels = draw(graph_datasets())
    graphs, labels = list(graphs), list(labels)
    k = len(graphs)
    if problem == "single_class":
        return graphs, [labels[0]] * k
    if problem == "label_count":
        return graphs, labels[:-1] if draw(st.booleans()) else labels + [labels[0]]
    if problem == "no_graphs":
        return [], []
    if problem == "single_graph":
        case = cases[0]
        return draw(st.sampled_from([
            Graph(case.adjacency, case.features),
            (canonical(case.expected_adjacency), case.expected_features),
            sp.csr_array(case.expected_adjacency)])), labels[:1]
    if problem == "feature_widths":
        width = cases[0].features_width
        other = draw(graph_cases(1, 5, width=draw(st.sampled_from(
            [w for w in (0, 1, 2, 3) if w != width]))))
        graphs[draw(st.integers(1, k - 1))] = draw(graph_forms(other))
        return graphs, labels
    if problem == "continuous_labels":
        return graphs, [0.5 + 1.25 * i for i in range(k)]
    if problem == "nan_label":
        values = [float(i % 2) for i in range(k)]
        values[draw(st.integers(0, k - 1))] = np.nan
        return graphs, draw(st.sampled_from([values, np.array(values)]))
    A, X = draw(invalid_graphs(problem))
    graphs[draw(st.integers(0, k - 1))] = (A, X)
    return graphs, labels


@pytest.mark.parametrize("problem", sorted(CLASSIFIER_PROBLEMS) + ["invalid_graph"])
@examples(4)
@given(data=st.data())
def test_graph_classifier_refuses_invalid_datasets(problem, data):
    graphs, y, exc, pattern = data.draw(invalid_datasets(problem))
    before = snapshot((graphs, y))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # edge weights other than 1, before the error
        _refuses(_classifier().fit, exc, pattern, graphs, y)
    assert_unchanged(before, (graphs, y))
    REFUSED["GNNGraphClassifier"] += 1


# -- train_test_split_edges ------------------------------------------------------------------------
@st.composite
def edge_graphs(draw, n_min=4, n_max=9, min_edges=2):
    """A case whose graph has at least ``min_edges`` edges and as many non-edges."""
    n = draw(st.integers(n_min, n_max))
    pairs = upper_pairs(n)
    chosen = draw(st.lists(st.sampled_from(range(len(pairs))), unique=True,
                           min_size=min_edges, max_size=len(pairs) // 2))
    W = np.zeros((n, n))
    for k in chosen:
        i, j = pairs[k]
        W[i, j] = draw(st.sampled_from(WEIGHTS))
        if draw(st.booleans()):
            W[j, i] = W[i, j]
    A = typed(W, draw(st.sampled_from(["float64", "float32", "int64", "bool"])))
    X = None
    if draw(st.booleans()):
        X = typed(draw(feature_values(n, draw(st.integers(1, 3)))),
                  draw(st.sampled_from(["float64", "float32"])))
    return GraphCase(draw(containers(A)), None if X is None else draw(containers(X)),
                     canonical(A), None if X is None else np.asarray(X, dtype=np.float64))


def _dense(matrix):
    return matrix.toarray() if sp.issparse(matrix) else np.asarray(matrix)


def _held_out(size, n_edges: int) -> int:
    return int(size) if isinstance(size, int) else max(1, int(round(size * n_edges)))


sizes = st.one_of(st.floats(0, 1, exclude_min=True, exclude_max=True), st.integers(1, 40))


def _keys(pairs: np.ndarray, n: int) -> np.ndarray:
    """Unordered node pairs as integers."""
    pairs = np.asarray(pairs, dtype=np.int64)
    return np.minimum(pairs[:, 0], pairs[:, 1]) * n + np.maximum(pairs[:, 0], pairs[:, 1])


@examples(40)
@given(edge_graphs(), sizes, st.one_of(st.none(), sizes), st.data())
def _split_edges_of_valid_graphs(case, test_size, validation_size, data):
    W = case.expected_adjacency
    n, n_edges = case.n_nodes, int(np.count_nonzero(np.triu(W, 1)))
    if isinstance(test_size, int):
        test_size = 1 + test_size % (n_edges - 1)  # a count in [1, n_edges - 1]
    if isinstance(validation_size, int):
        validation_size = 1 + validation_size % (n_edges - 1)
    n_test = _held_out(test_size, n_edges)
    n_val = 0 if validation_size is None else _held_out(validation_size, n_edges)
    assume(n_test + n_val < n_edges)
    graph = data.draw(graph_forms(case))
    before = snapshot(graph)
    out = train_test_split_edges(graph, test_size=test_size, validation_size=validation_size,
                                 random_state=0)
    assert len(out) == (3 if validation_size is None else 5)
    G_train, held = out[0], out[1:]
    assert isinstance(G_train, Graph) and G_train.n_nodes == n
    assert G_train.n_edges == n_edges - n_test - n_val
    whole_edges = set(_keys(np.argwhere(np.triu(W, 1)), n).tolist())
    expected_train = W.copy()
    seen = set()
    for pairs, y, count in zip(held[0::2], held[1::2], (n_test, n_val)):
        assert pairs.shape == (2 * count, 2) and pairs.dtype == np.int64
        assert np.array_equal(y, np.r_[np.ones(count, int), np.zeros(count, int)])
        keys = _keys(pairs, n)
        assert (pairs[:, 0] != pairs[:, 1]).all() and len(set(keys.tolist())) == 2 * count
        assert set(keys[:count].tolist()) <= whole_edges  # held-out edges of the graph
        assert not set(keys[count:].tolist()) & whole_edges  # non-edges of the whole graph
        assert not set(keys.tolist()) & seen  # test and validation pairs are disjoint
        seen |= set(keys.tolist())
        for i, j in pairs[:count]:
            expected_train[i, j] = expected_train[j, i] = 0.0
    np.testing.assert_array_equal(G_train.adjacency.toarray(), expected_train)
    if case.expected_features is None:
        assert G_train.features is None
    else:
        np.testing.assert_array_equal(_dense(G_train.features), case.expected_features)
    again = train_test_split_edges(graph, test_size=test_size, validation_size=validation_size,
                                   random_state=0)
    for a, b in zip(out[1:], again[1:]):
        assert np.array_equal(a, b), "random_state=0 gives the same split again"
    assert_unchanged(before, graph)
    SUCCEEDED["train_test_split_edges"] += 1


@pytest.mark.filterwarnings("ignore:the graph is bipartite")  # small graphs often are
def test_split_edges_of_valid_graphs():
    run_counted(_split_edges_of_valid_graphs, "train_test_split_edges", minimum=36)


MATRICES = ("ndarray", "csr", "csc", "coo", "csr_matrix")  # what as_graph reads bare
BAD_SIZES = [0, 0.0, 1.0, -0.25, 1.5, -1, np.nan, np.inf, -np.inf, True, False, "10%", 1j, []]
SPLIT_PROBLEMS = {
    "test_size": (ValueError, r"The 'test_size' parameter of train_test_split_edges must be"),
    "validation_size": (ValueError, r"The 'validation_size' parameter of "
                                    r"train_test_split_edges must be"),
    "random_state": (ValueError, r"The 'random_state' parameter of train_test_split_edges "
                                 r"must be"),
    "test_count": (ValueError, r"test_size as a count must be in \[1, \d+\] for a graph of \d+ "
                               r"edges"),
    "validation_count": (ValueError, r"validation_size as a count must be in \[1, \d+\]"),
    "no_training_edge": (ValueError, r"test and validation sets \(\d+ \+ \d+ edges\) leave no "
                                     r"training edge out of \d+"),
    "too_few_edges": (ValueError, r"the graph has [01] edge\(s\); at least 2 are needed"),
    "too_few_non_edges": (ValueError, r"cannot sample \d+ non-edges: the graph has only \d+ "),
    "not_a_graph": (TypeError, r"expected a skgraph\.Graph, .*; got list"),
}


@st.composite
def invalid_splits(draw, problem: str):
    """(graph, keyword arguments) with the problem named ``problem``."""
    case = draw(edge_graphs(n_min=4, n_max=7, min_edges=3))
    graph = draw(graph_forms(case))
    n_edges = int(np.count_nonzero(np.triu(case.expected_adjacency, 1)))
    kwargs = dict(test_size=0.2, validation_size=None, random_state=0)
    if problem in ("test_size", "validation_size"):
        kwargs[problem] = draw(st.sampled_from(BAD_SIZES + ([None] if problem == "test_size"
                                                            else [])))
    elif problem == "random_state":
        kwargs["random_state"] = draw(st.sampled_from(["seed", 1.5, [0]]))
    elif problem == "test_count":
        kwargs["test_size"] = n_edges + draw(st.integers(0, 5))
    elif problem == "validation_count":
        kwargs["validation_size"] = n_edges + draw(st.integers(0, 5))
    elif problem == "no_training_edge":
        kwargs["test_size"] = draw(st.integers(1, n_edges - 1))
        kwargs["validation_size"] = draw(st.integers(n_edges - kwargs["test_size"], n_edges - 1))
    elif problem == "too_few_edges":
        n = case.n_nodes
        A = np.zeros((n, n))
        if draw(st.booleans()):
            A[0, 1] = A[1, 0] = 1.0
        graph = draw(containers(A, MATRICES))
    elif problem == "too_few_non_edges":
        n = draw(st.integers(3, 6))
        graph = draw(containers(np.ones((n, n)) - np.eye(n), MATRICES))
        kwargs["test_size"] = draw(st.integers(1, n * (n - 1) // 2 - 1))
    else:
        assert problem == "not_a_graph"
        graph = np.asarray(case.expected_adjacency).tolist()
    return graph, kwargs


@pytest.mark.parametrize("problem", sorted(SPLIT_PROBLEMS))
@examples(4)
@given(data=st.data())
def test_split_edges_refuses_invalid_arguments(problem, data):
    graph, kwargs = data.draw(invalid_splits(problem))
    before = snapshot(graph)
    _refuses(train_test_split_edges, *SPLIT_PROBLEMS[problem], graph, **kwargs)
    assert_unchanged(before, graph)
    REFUSED["train_test_split_edges"] += 1


# -- load_tu -----------------------------------------------------------------------------------------
@st.composite
def tu_datasets(draw, min_graphs=1, min_nodes=1, node_attributes=None, node_labels=None,
                edge_labels=None, min_lines=0):
    """The files of a valid TU data set (name -> lines) and what load_tu must read."""
    n_graphs = draw(st.integers(min_graphs, 4))
    sizes = [draw(st.integers(min_nodes, 4)) for _ in range(n_graphs)]
    graph_of = [g for g, size in enumerate(sizes) for _ in range(size)]
    if draw(st.booleans()):  # nodes of the graphs interleaved in the files
        graph_of = draw(st.permutations(graph_of))
    n = len(graph_of)
    members = [[v for v in range(n) if graph_of[v] == g] for g in range(n_graphs)]
    lines, edge_label = [], {}
    for g, nodes in enumerate(members):
        for _ in range(draw(st.integers(0, 4))):
            u, v = draw(st.sampled_from(nodes)), draw(st.sampled_from(nodes))
            edge_label.setdefault((min(u, v), max(u, v)), draw(st.sampled_from([1, 2, 4])))
            lines.append((u, v))
            if draw(st.booleans()):
                lines.append((v, u))
    while len(lines) < min_lines:  # an edge (or a self loop) of the largest graph
        nodes = max(members, key=len)
        u, v = nodes[0], nodes[-1]
        edge_label.setdefault((min(u, v), max(u, v)), 1)
        lines.append((u, v))
    lines = draw(st.permutations(lines))
    sep = draw(st.sampled_from([",", ", "]))
    labels = [draw(st.sampled_from([-1, 0, 1, 2, 7, 0.5])) for _ in range(n_graphs)]
    files = {"A": [f"{u + 1}{sep}{v + 1}" for u, v in lines],
             "graph_indicator": [str(g + 1) for g in graph_of],
             "graph_labels": [repr(label) for label in labels]}
    blocks = []
    if node_attributes if node_attributes is not None else draw(st.booleans()):
        attributes = np.array([[draw(st.sampled_from([0.5, -1.25, 3.0, 0.0])) for _ in range(2)]
                               for _ in range(n)])[:, :draw(st.integers(1, 2))]
        files["node_attributes"] = [sep.join(repr(float(a)) for a in row) for row in attributes]
        blocks.append(attributes)
    if node_labels if node_labels is not None else draw(st.booleans()):
        codes = np.array([[draw(st.sampled_from([-1, 0, 1, 3])) for _ in range(2)]
                          for _ in range(n)])[:, :draw(st.integers(1, 2))]
        files["node_labels"] = [sep.join(str(c) for c in row) for row in codes]
        blocks += [np.eye(col.max() - col.min() + 1)[col - col.min()] for col in codes.T]
    features = np.hstack(blocks).astype(np.float32) if blocks else None
    with_edge_labels = (edge_labels if edge_labels is not None else draw(st.booleans())) \
        and len(lines) > 0
    if with_edge_labels:
        codes = np.array([edge_label[(min(u, v), max(u, v))] for u, v in lines])
        files["edge_labels"] = [str(c) for c in codes]
        edge_width = codes.max() - codes.min() + 1
        one_hot = {key: np.eye(edge_width)[code - codes.min()]
                   for key, code in edge_label.items()}
    expected = []
    for nodes in members:
        local = {v: k for k, v in enumerate(nodes)}
        A = np.zeros((len(nodes), len(nodes)))
        for u, v in lines:
            if u in local and u != v:
                A[local[u], local[v]] = A[local[v], local[u]] = 1.0
        edge_features = None
        if with_edge_labels:
            rows, cols = np.nonzero(A)  # row by row, as the CSR order
            edge_features = np.array([one_hot[(min(nodes[i], nodes[j]), max(nodes[i], nodes[j]))]
                                      for i, j in zip(rows, cols)], dtype=np.float32)
            edge_features = edge_features.reshape(len(rows), edge_width)
        expected.append((A, None if features is None else features[nodes], edge_features))
    if draw(st.booleans()):
        files = {name: lines_ + [""] for name, lines_ in files.items()}  # final newline
    return files, expected, labels


def _write_tu(folder, files) -> None:
    folder.mkdir()
    for key, lines in files.items():
        (folder / f"DS_{key}.txt").write_text("\n".join(lines))


@examples(40)
@given(dataset=tu_datasets(), where=st.sampled_from(["parent", "folder"]))
def _load_tu_reads_valid_files(tmp_path_factory, dataset, where):
    from skgraph.datasets import load_tu

    files, expected, labels = dataset
    root = tmp_path_factory.mktemp("tu")
    _write_tu(root / "DS", files)
    data = load_tu(root if where == "parent" else root / "DS", "DS")
    assert data.name == "DS" and data.graph_attributes is None
    assert len(data.graphs) == len(data.target) == len(expected)
    assert data.target.dtype == np.int64
    assert data.target_names[data.target].tolist() == labels
    assert data.target_names.tolist() == sorted(set(labels))
    assert (data.edge_features is None) == (expected[0][2] is None)
    for k, (G, (A, X, E)) in enumerate(zip(data.graphs, expected)):
        assert isinstance(G, Graph) and G.n_nodes == len(A)
        np.testing.assert_array_equal(G.adjacency.toarray(), A)
        if X is None:
            assert G.features is None
        else:
            assert G.features.dtype == np.float32
            np.testing.assert_array_equal(G.features, X)
        if E is None:
            assert G.edge_features is None
        else:
            np.testing.assert_array_equal(G.edge_features, E)
            np.testing.assert_array_equal(data.edge_features[k], E)
    SUCCEEDED["load_tu"] += 1


def test_load_tu_reads_valid_files(tmp_path_factory):
    run_counted(lambda: _load_tu_reads_valid_files(tmp_path_factory), "load_tu", minimum=38)


TU_PROBLEMS = {
    "non_numeric_A": (ValueError, r"DS_A\.txt is corrupt \(non-numeric or ragged line\)"),
    "non_numeric_indicator": (ValueError, r"DS_graph_indicator\.txt is corrupt \(non-numeric"),
    "non_numeric_graph_label": (ValueError, r"DS_graph_labels\.txt is corrupt \(non-numeric"),
    "A_columns": (ValueError, r"DS_A\.txt must have 2 comma-separated column\(s\) per line, "
                              r"got 3"),
    "node_label_lines": (ValueError, r"DS_node_labels\.txt has \d+ line\(s\) but \d+ were "
                                     r"expected"),
    "graph_id_out_of_range": (ValueError, r"DS_graph_indicator\.txt names graph ids from -?\d+ "
                                          r"to \d+, but DS_graph_labels\.txt has \d+ graphs"),
    "graph_without_nodes": (ValueError, r"graph \d+ has no nodes in DS_graph_indicator\.txt"),
    "node_id_out_of_range": (ValueError, r"DS_A\.txt names node ids from -?\d+ to \d+, but the "
                                         r"dataset has \d+ nodes"),
    "edge_joins_graphs": (ValueError, r"DS_A\.txt line \d+ joins node \d+ of graph \d+ to node "
                                      r"\d+ of graph \d+"),
    "no_graph_labels": (ValueError, r"DS_graph_labels\.txt is empty"),
    "no_nodes": (ValueError, r"DS_graph_indicator\.txt is empty"),
    "missing_indicator": (FileNotFoundError, r"DS_graph_indicator\.txt is missing"),
    "missing_graph_labels": (FileNotFoundError, r"DS_graph_labels\.txt is missing"),
    "nonfinite_attribute": (ValueError, r"DS_node_attributes\.txt contains NaN or infinite"),
    "edge_labels_disagree": (ValueError, r"DS_edge_labels\.txt lines \d+ and \d+ give different "
                                         r"values to the undirected edge between nodes"),
    "node_labels_spread": (ValueError, r"DS_node_labels\.txt has labels from .*look corrupt"),
}


@st.composite
def invalid_tu_files(draw, problem: str):
    files, _, _ = draw(tu_datasets(
        min_graphs=2 if problem == "edge_joins_graphs" else 1,
        min_nodes=2 if problem in ("edge_joins_graphs", "edge_labels_disagree",
                                   "node_labels_spread") else 1,
        node_attributes=True if problem == "nonfinite_attribute" else None,
        node_labels=True if problem in ("node_label_lines", "node_labels_spread") else None,
        edge_labels=True if problem == "edge_labels_disagree" else None,
        min_lines=1 if problem in ("non_numeric_A", "A_columns", "edge_labels_disagree")
        else 0))
    files = {name: [line for line in lines if line] for name, lines in files.items()}
    n = len(files["graph_indicator"])
    n_graphs = len(files["graph_labels"])

    def line_of(name):
        return draw(st.integers(0, len(files[name]) - 1))

    if problem == "non_numeric_A":
        files["A"][line_of("A")] = draw(st.sampled_from(["1, x", "a, 1", "1;2", "1, "]))
    elif problem == "non_numeric_indicator":
        files["graph_indicator"][line_of("graph_indicator")] = draw(st.sampled_from(["x", "1.5",
                                                                                     "one"]))
    elif problem == "non_numeric_graph_label":
        files["graph_labels"][line_of("graph_labels")] = draw(st.sampled_from(["x", "yes", "1/2"]))
    elif problem == "A_columns":
        files["A"] = [f"{line}, 1" for line in files["A"]]
    elif problem == "node_label_lines":
        if draw(st.booleans()) and n > 1:
            del files["node_labels"][line_of("node_labels")]
        else:
            files["node_labels"].append(files["node_labels"][0])
    elif problem == "graph_id_out_of_range":
        files["graph_indicator"][line_of("graph_indicator")] = str(
            draw(st.sampled_from([0, -1, n_graphs + 1, n_graphs + 5])))
    elif problem == "graph_without_nodes":
        files["graph_labels"].append("1")
    elif problem == "node_id_out_of_range":
        files["A"].append(draw(st.sampled_from([f"1, {n + 1}", f"{n + 3}, 1", "0, 1", "-2, 1"])))
        if "edge_labels" in files:
            files["edge_labels"].append("1")
    elif problem == "edge_joins_graphs":
        indicator = [int(g) for g in files["graph_indicator"]]
        u = indicator.index(1) + 1
        v = indicator.index(2) + 1
        files["A"].append(f"{u}, {v}" if draw(st.booleans()) else f"{v}, {u}")
        if "edge_labels" in files:
            files["edge_labels"].append("1")
    elif problem == "no_graph_labels":
        files["graph_labels"] = []
    elif problem == "no_nodes":
        files["graph_indicator"] = []
    elif problem == "missing_indicator":
        del files["graph_indicator"]
    elif problem == "missing_graph_labels":
        del files["graph_labels"]
    elif problem == "nonfinite_attribute":
        k = line_of("node_attributes")
        row = files["node_attributes"][k].split(",")
        row[draw(st.integers(0, len(row) - 1))] = draw(st.sampled_from(["nan", "inf", "-inf"]))
        files["node_attributes"][k] = ",".join(row)
    elif problem == "edge_labels_disagree":
        indicator = [int(g) for g in files["graph_indicator"]]
        first = indicator[0]
        u = 1
        v = next((k + 1 for k in range(1, n) if indicator[k] == first), None)
        if v is None:  # node 1 is alone in its graph: use a graph of two or more nodes
            counts = {g: indicator.count(g) for g in set(indicator)}
            g = next(g for g, c in counts.items() if c > 1)
            u, v = [k + 1 for k in range(n) if indicator[k] == g][:2]
        files["A"] += [f"{u}, {v}", f"{v}, {u}"]
        files["edge_labels"] += ["1", "2"]
    else:
        assert problem == "node_labels_spread"
        files["node_labels"][0] = ", ".join(  # the other lines hold labels from -1 to 3
            ["100000000000"] * len(files["node_labels"][0].split(",")))
    return files


@pytest.mark.parametrize("problem", sorted(TU_PROBLEMS))
@examples(4)
@given(data=st.data())
def test_load_tu_refuses_corrupt_files(tmp_path_factory, problem, data):
    from skgraph.datasets import load_tu

    files = data.draw(invalid_tu_files(problem))
    root = tmp_path_factory.mktemp("tu")
    _write_tu(root / "DS", files)
    _refuses(load_tu, *TU_PROBLEMS[problem], root, "DS")
    REFUSED["load_tu"] += 1
