"""Generated malformed and edge-case inputs for every public entry point.

Every outcome must be a correct result or a ValueError/TypeError whose message names the
problem; nothing may hang, crash, return NaN silently or modify the caller's input.
"""

import warnings

import numpy as np
import pytest
import scipy.sparse as sp
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from skgraph import GNNGraphClassifier, Graph, LinkPredictor, VGAEEmbedder
from skgraph.model_selection import train_test_split_edges

from ._outcomes import expect_result_or_clear_error, same, snapshot

FAST = dict(max_epochs=2, random_state=0, device="cpu")
SETTINGS = settings(max_examples=60, deadline=None, derandomize=True,
                    suppress_health_check=list(HealthCheck))

special = st.sampled_from([0.0, 1.0, 2.5, -1.0, np.nan, np.inf, -np.inf, 1e300, 1e-300])
dtypes = st.sampled_from(["float64", "float32", "int64", "bool", "complex128", "object"])
containers = st.sampled_from(["dense", "csr", "coo", "list"])


@st.composite
def matrices(draw, rows=None, cols=None):
    n = draw(st.integers(0, 6)) if rows is None else rows
    m = draw(st.integers(0, 6)) if cols is None else cols
    values = np.array(draw(st.lists(special, min_size=n * m, max_size=n * m)),
                      dtype=float).reshape(n, m)
    values[np.array(draw(st.lists(st.booleans(), min_size=n * m, max_size=n * m)),
                    dtype=bool).reshape(n, m)] = 0.0
    dtype = draw(dtypes)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        arr = values.astype(dtype) if dtype != "object" else values.astype(object)
    kind = draw(containers)
    if kind == "list":
        return arr.tolist()
    if kind in ("csr", "coo") and dtype != "object":
        return sp.csr_array(arr) if kind == "csr" else sp.coo_array(arr)
    return arr


@st.composite
def graph_inputs(draw):
    A = draw(matrices())
    n = np.asarray(A.toarray() if sp.issparse(A) else A, dtype=object).shape[0] \
        if not isinstance(A, list) else len(A)
    features = draw(st.one_of(st.none(), matrices(rows=draw(st.sampled_from([n, n, max(n - 1, 0), n + 1])),
                                                  cols=draw(st.integers(0, 3)))))
    return A, features


def _check_graph(G: Graph):
    A = G.adjacency
    assert (A != A.T).nnz == 0 and A.diagonal().sum() == 0
    assert np.isfinite(A.data).all() and (A.data > 0).all()
    if G.features is not None:
        values = G.features.data if sp.issparse(G.features) else G.features
        assert np.isfinite(values).all()


@SETTINGS
@given(graph_inputs())
def test_graph_from_generated_inputs(given_input):
    A, X = given_input
    before = snapshot(given_input)
    G = expect_result_or_clear_error(Graph, A, X)
    if G is not None:
        _check_graph(G)
    assert same(before, (A, X)), "the caller's input was modified"


@SETTINGS
@given(graph_inputs(), st.sampled_from(["embedder", "link"]))
def test_node_estimators_on_generated_graphs(given_input, which):
    before = snapshot(given_input)
    if which == "embedder":
        Z = expect_result_or_clear_error(lambda g: VGAEEmbedder(n_components=2, **FAST).fit_transform(g),
                                         given_input)
        if Z is not None:
            assert np.isfinite(Z).all()
    else:
        lp = expect_result_or_clear_error(lambda g: LinkPredictor(n_components=2, **FAST).fit(g),
                                          given_input)
        if lp is not None:
            P = lp.predict_proba(np.array([[0, lp.n_nodes_ - 1]]))
            assert np.isfinite(P).all() and np.allclose(P.sum(axis=1), 1)
    assert same(before, given_input)


@SETTINGS
@given(st.lists(st.tuples(st.integers(-3, 9), st.integers(-3, 9)), min_size=0, max_size=5),
       st.sampled_from(["int64", "float64", "bool", "object", "int32"]))
def test_link_predictor_pairs(pairs, dtype):
    lp = _fitted_link_predictor()
    arr = np.array(pairs, dtype=dtype) if pairs else np.zeros((0, 2), dtype=dtype)
    P = expect_result_or_clear_error(lp.predict_proba, arr)
    if P is not None:
        assert P.shape == (len(pairs), 2) and np.isfinite(P).all()


_CACHE = {}


def _fitted_link_predictor():
    if "lp" not in _CACHE:
        A = np.zeros((6, 6))
        for i in range(5):
            A[i, i + 1] = A[i + 1, i] = 1
        _CACHE["lp"] = LinkPredictor(n_components=2, **FAST).fit(A)
    return _CACHE["lp"]


@SETTINGS
@given(st.lists(graph_inputs(), min_size=0, max_size=4),
       st.lists(st.sampled_from([0, 1, "a", "b", 1.5, None, True]), min_size=0, max_size=5))
def test_graph_classifier_on_generated_datasets(graphs, labels):
    before = snapshot(graphs)
    clf = expect_result_or_clear_error(
        lambda g, y: GNNGraphClassifier(hidden_size=4, n_layers=1, batch_size=2, **FAST).fit(g, y),
        graphs, labels)
    if clf is not None:
        P = clf.predict_proba(graphs)
        assert np.isfinite(P).all() and np.allclose(P.sum(axis=1), 1)
    assert same(before, graphs)


@SETTINGS
@given(st.one_of(st.floats(allow_nan=True, allow_infinity=True), st.integers(-5, 50),
                 st.sampled_from(["10%", None, True])),
       st.one_of(st.none(), st.floats(-1, 2), st.integers(-1, 30)))
def test_train_test_split_edges_sizes(test_size, validation_size):
    A = np.zeros((8, 8))
    for i in range(7):
        A[i, i + 1] = A[i + 1, i] = 1
    A[0, 7] = A[7, 0] = 1
    out = expect_result_or_clear_error(train_test_split_edges, A, test_size=test_size,
                                       validation_size=validation_size, random_state=0)
    if out is not None:
        G_train, pairs, y = out[:3]
        assert G_train.n_edges < 8 and len(pairs) == len(y) and set(y) <= {0, 1}


@pytest.mark.parametrize("name", ["A", "graph_indicator", "graph_labels", "node_labels"])
@SETTINGS
@given(lines=st.lists(st.text(alphabet="0123456789, -.ax\t", max_size=8), min_size=0, max_size=6))
def test_load_tu_on_corrupt_files(tmp_path_factory, name, lines):
    from skgraph.datasets import load_tu

    folder = tmp_path_factory.mktemp("tu") / "DS"
    folder.mkdir()
    good = {"A": "1, 2\n2, 1\n3, 4\n4, 3\n", "graph_indicator": "1\n1\n2\n2\n",
            "graph_labels": "1\n-1\n", "node_labels": "0\n1\n0\n1\n"}
    good[name] = "\n".join(lines)
    for key, text in good.items():
        (folder / f"DS_{key}.txt").write_text(text)
    data = expect_result_or_clear_error(load_tu, folder.parent, "DS")
    if data is not None:
        assert len(data.graphs) == len(data.target)
        for G in data.graphs:
            _check_graph(G)
