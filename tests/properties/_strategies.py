"""Generators for the property suite.

Valid inputs come with the oracle their checks need (``GraphCase``: the canonical
adjacency and the features a ``Graph`` must hold). Invalid inputs are built by one named
corruption of a valid input each, with the error type and message pattern it must raise.
"""

from dataclasses import dataclass
from itertools import combinations

import numpy as np
import scipy.sparse as sp
import torch
from hypothesis import strategies as st

WEIGHTS = (0.5, 1.0, 1.0, 2.0, 3.25, 1e-3, 1e3)  # positive edge weights
FEATURE_VALUES = (0.0, 1.0, -1.0, 0.5, -2.25, 3.0, 100.0, -1e3, 1e-3)

ADJACENCY_DTYPES = ("float64", "float32", "int64", "int32", "uint8", "bool", "object")
FEATURE_DTYPES = ("float64", "float32", "int64", "bool", "object")
CONTAINERS = ("ndarray", "list", "csr", "csc", "coo", "csr_matrix", "coo_duplicates", "torch")


def typed(values: np.ndarray, dtype: str) -> np.ndarray:
    """Float64 ``values`` in ``dtype``: integers rounded away from 0 (a non-zero value stays
    non-zero), bool as ``!= 0``, object as Python numbers."""
    if dtype == "bool":
        return values != 0
    if dtype in ("int64", "int32", "uint8"):
        rounded = np.where(values > 0, np.maximum(np.round(values), 1),
                           np.minimum(np.round(values), -1))
        return np.where(values != 0, rounded, 0).astype(dtype)
    if dtype == "object":
        out = values.astype(object)
        out.flat[::2] = [int(v) if float(v).is_integer() else v for v in out.flat[::2]]
        return out
    return values.astype(dtype)


def _containers_for(arr: np.ndarray, kinds) -> list:
    dtype = arr.dtype
    allowed = set(kinds)
    if dtype == object:
        allowed &= {"ndarray", "list"}
    if dtype != np.float64:
        allowed.discard("coo_duplicates")
    if dtype.kind == "c":
        allowed.discard("torch")
    return [k for k in kinds if k in allowed]


@st.composite
def containers(draw, arr: np.ndarray, kinds=CONTAINERS):
    """``arr`` as a dense array, nested lists, a scipy sparse array or matrix (a COO one
    with an entry split into two repeated entries, which sum to it), or a torch tensor."""
    kind = draw(st.sampled_from(_containers_for(arr, kinds)))
    if kind == "ndarray":
        return arr
    if kind == "list":
        return arr.tolist()
    if kind == "csr":
        return sp.csr_array(arr)
    if kind == "csc":
        return sp.csc_array(arr)
    if kind == "coo":
        return sp.coo_array(arr)
    if kind == "csr_matrix":
        return sp.csr_matrix(arr)
    if kind == "coo_duplicates":
        coo = sp.coo_array(arr)
        if not coo.nnz:
            return coo
        data = np.r_[coo.data, coo.data[0] / 2]
        data[0] /= 2
        return sp.coo_array((data, (np.r_[coo.row, coo.row[0]], np.r_[coo.col, coo.col[0]])),
                            shape=arr.shape)
    assert kind == "torch"
    return torch.tensor(arr)


@st.composite
def weight_values(draw, n: int) -> np.ndarray:
    """An n x n float64 matrix of non-negative weights: symmetric, upper triangular, or
    anything (asymmetric, with self loops)."""
    mask = np.array(draw(st.lists(st.booleans(), min_size=n * n, max_size=n * n)),
                    dtype=bool).reshape(n, n)
    values = np.array(draw(st.lists(st.sampled_from(WEIGHTS), min_size=n * n, max_size=n * n)),
                      dtype=float).reshape(n, n)
    W = np.where(mask, values, 0.0)
    form = draw(st.sampled_from(["symmetric", "upper", "any"]))
    if form == "symmetric":
        W = np.triu(W, 1)
        W = W + W.T
    elif form == "upper":
        W = np.triu(W, 1)
    return W


@st.composite
def feature_values(draw, n: int, width: int) -> np.ndarray:
    """An n x width float64 matrix of finite values, not all zero."""
    X = np.array(draw(st.lists(st.sampled_from(FEATURE_VALUES), min_size=n * width,
                               max_size=n * width)), dtype=float).reshape(n, width)
    if X.size and not X.any():
        X[0, 0] = 1.0
    return X


def canonical(adjacency: np.ndarray) -> np.ndarray:
    """What ``Graph`` must make of a dense adjacency: float64, no self loops, symmetric with
    the larger of the two weights."""
    W = np.asarray(adjacency, dtype=np.float64).copy()
    np.fill_diagonal(W, 0.0)
    return np.maximum(W, W.T)


def given_dtype(obj) -> np.dtype:
    """The dtype a container holds its values in (nested lists: NumPy's reading)."""
    if isinstance(obj, torch.Tensor):
        return obj.numpy().dtype
    if isinstance(obj, list):
        return np.asarray(obj).dtype
    return obj.dtype


@dataclass
class GraphCase:
    adjacency: object  # as given to the library
    features: object  # as given, or None
    expected_adjacency: np.ndarray  # canonical, dense float64
    expected_features: np.ndarray | None  # the values the features must hold, dense

    @property
    def n_nodes(self) -> int:
        return self.expected_adjacency.shape[0]

    @property
    def features_width(self) -> int:
        return 0 if self.expected_features is None else self.expected_features.shape[1]

    @property
    def expected_features_dtype(self):
        return np.float32 if given_dtype(self.features) == np.float32 else np.float64


def _fix_edges(W: np.ndarray) -> np.ndarray:
    """W with at least one edge and one non-edge between two distinct nodes (n >= 3)."""
    support = canonical(W) > 0
    np.fill_diagonal(support, True)
    if not np.triu(canonical(W) > 0, 1).any():
        W[0, 1] = 1.0
    elif support.all():
        W[0, 1] = W[1, 0] = 0.0
    return W


@st.composite
def graph_cases(draw, n_min: int = 1, n_max: int = 6, *, width=None, node_level=False,
                kinds=CONTAINERS, adjacency_dtypes=ADJACENCY_DTYPES,
                feature_dtypes=FEATURE_DTYPES) -> GraphCase:
    """A valid adjacency (any dtype and container) and features (``width`` columns; None:
    featureless or 1 to 3 columns; 0: featureless). ``node_level``: at least one edge and one
    non-edge, as the node-level estimators need."""
    n = draw(st.integers(n_min, n_max))
    W = draw(weight_values(n))
    if node_level:
        W = _fix_edges(W)
    A = typed(W, draw(st.sampled_from(adjacency_dtypes)))
    if width is None:
        width = draw(st.sampled_from([0, 1, 2, 3]))
    X = None
    if width:
        X = typed(draw(feature_values(n, width)), draw(st.sampled_from(feature_dtypes)))
    return GraphCase(draw(containers(A, kinds)), None if X is None else draw(containers(X, kinds)),
                     canonical(A), None if X is None else np.asarray(X, dtype=np.float64))


@st.composite
def graph_forms(draw, case: GraphCase):
    """The ways an estimator takes one graph: the bare adjacency (featureless, not nested
    lists), an ``(adjacency,)`` / ``(adjacency, features)`` tuple, or a ``Graph``."""
    from skgraph import Graph

    forms = ["pair"]
    if case.features is None:
        forms += ["single"]
        if isinstance(case.adjacency, np.ndarray) or sp.issparse(case.adjacency):
            forms += ["bare"]  # (as_graph reads tensors and nested lists in tuples only)
    forms += ["graph"]
    form = draw(st.sampled_from(forms))
    if form == "bare":
        return case.adjacency
    if form == "single":
        return (case.adjacency,)
    if form == "pair":
        return (case.adjacency, case.features)
    return Graph(case.adjacency, case.features)


def upper_pairs(n: int) -> list:
    return list(combinations(range(n), 2))


# -- invalid graphs: one named problem each ------------------------------------------------
# name -> (exception type, message pattern); the builders below make the inputs
GRAPH_PROBLEMS = {
    "negative_weight": (ValueError, r"adjacency has negative edge weights"),
    "nonfinite_weight": (ValueError, r"adjacency contains NaN or infinite values"),
    "complex_adjacency": (ValueError, r"adjacency has complex dtype.*Complex data not supported"),
    "non_numeric_adjacency": (TypeError, r"adjacency has dtype .*expected numbers"),
    "non_square": (ValueError, r"adjacency must be square \(n_nodes, n_nodes\), got shape"),
    "no_nodes": (ValueError, r"the graph is empty: adjacency has 0 nodes"),
    "not_2d_adjacency": (ValueError, r"adjacency must be 2-D, got an array with [013] dim"),
    "ragged_adjacency": (ValueError, r"adjacency could not be read as an array \(ragged rows\?\)"),
    "scalar_adjacency": (TypeError, r"adjacency must be a 2-D array or scipy sparse matrix, got"),
    "feature_rows": (ValueError, r"features has \d+ rows but the graph has \d+ nodes"),
    "no_feature_columns": (ValueError, r"features has 0 feature\(s\)"),
    # NaN features are missing values, which a Graph keeps for a pipeline to impute
    "infinite_features": (ValueError, r"features contains infinite values"),
    "features_1d": (ValueError, r"features must be 2-D.*features\.reshape\(-1, 1\)"),
    "non_numeric_features": (TypeError, r"features has dtype .*expected numbers"),
}


FEATURE_PROBLEMS = ("feature_rows", "no_feature_columns", "infinite_features", "features_1d",
                    "non_numeric_features")
_KINDS = ("ndarray", "list", "csr", "csc", "coo", "csr_matrix", "torch")


@st.composite
def invalid_graphs(draw, problem: str, n_min: int = 1):
    """``(adjacency, features)`` with the one problem named ``problem``."""
    n = draw(st.integers(max(n_min, 2 if problem == "ragged_adjacency" else 1), 6))
    W = draw(weight_values(n))
    float_dtypes = ("float64", "float32", "object")
    A = typed(W, draw(st.sampled_from(ADJACENCY_DTYPES)))
    width = draw(st.integers(1, 3))
    X = typed(draw(feature_values(n, width)), draw(st.sampled_from(FEATURE_DTYPES)))
    i, j = draw(st.integers(0, n - 1)), draw(st.integers(0, n - 1))
    if problem in FEATURE_PROBLEMS:
        if problem == "feature_rows":
            rows = draw(st.sampled_from([n - 1, n + 1, n + 2]))
            X = typed(draw(feature_values(rows, width)), draw(st.sampled_from(FEATURE_DTYPES)))
        elif problem == "no_feature_columns":
            X = np.zeros((n, 0), dtype=draw(st.sampled_from(FEATURE_DTYPES)))
        elif problem == "infinite_features":
            X = typed(draw(feature_values(n, width)), draw(st.sampled_from(float_dtypes)))
            X[draw(st.integers(0, n - 1)), draw(st.integers(0, width - 1))] = \
                draw(st.sampled_from([np.inf, -np.inf]))
        elif problem == "features_1d":
            X = X[:, 0]
        elif problem == "non_numeric_features":
            X = X.astype(object)
            X[draw(st.integers(0, n - 1)), 0] = draw(st.sampled_from(["a", b"x"]))
        kinds = _KINDS
        if X.ndim != 2 or X.shape[1] == 0:
            kinds = ("ndarray", "list", "torch")
        if X.shape[0] == 0:  # nested lists would be 1-D
            kinds = ("ndarray", "csr", "coo", "torch")
        return draw(containers(A)), draw(containers(X, kinds))
    X = draw(st.sampled_from([None, X]))  # valid features, or none
    X = None if X is None else draw(containers(X))
    kinds = _KINDS
    if problem == "negative_weight":
        A = typed(W, draw(st.sampled_from(float_dtypes)))
        A[i, j] = -draw(st.sampled_from(WEIGHTS))
    elif problem == "nonfinite_weight":
        A = typed(W, draw(st.sampled_from(float_dtypes)))
        A[i, j] = draw(st.sampled_from([np.nan, np.inf, -np.inf]))
    elif problem == "complex_adjacency":
        A = W.astype(np.complex128)
        A[i, j] += draw(st.sampled_from([0, 1j]))
    elif problem == "non_numeric_adjacency":
        A = W.astype(object)
        A[i, j] = draw(st.sampled_from(["a", b"x"]))
    elif problem == "non_square":
        extra = typed(draw(weight_values(n))[:, :1], str(A.dtype))
        A = np.hstack([A, extra]) if draw(st.booleans()) else np.vstack([A, extra.T])
    elif problem == "no_nodes":
        A = np.zeros((0, 0), dtype=A.dtype)
        kinds = ("ndarray", "csr", "coo", "torch")
    elif problem == "not_2d_adjacency":
        A = np.asarray(draw(st.sampled_from([A.ravel(), A[None], A[0, 0]])))
        kinds = ("ndarray", "list", "torch") if A.ndim else ("ndarray", "torch")
    elif problem == "ragged_adjacency":
        rows = A.tolist()
        rows[i] = rows[i][:-1]
        return rows, X
    elif problem == "scalar_adjacency":
        return draw(st.sampled_from([None, 1.0, 3, "A", b"A"])), X
    else:
        raise AssertionError(problem)
    return draw(containers(A, kinds)), X
