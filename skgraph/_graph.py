"""Graph input: the one place where every accepted input form is validated.

Every estimator calls :func:`as_graph` on what the user passes, so no estimator
ever branches on input types (the pattern of scikit-network's ``get_adjacency``).
"""

from __future__ import annotations

import copy
import numbers
import sys
from collections.abc import Sequence
from typing import Any

import numpy as np
import scipy.sparse as sp

from ._text_features import (
    is_missing,
    is_text_table,
    plain_value,
    refuse_text,
    text_dtype,
    text_table,
)
from ._warnings import warn_caller

__all__ = ["Graph", "NodeIndexError", "as_graph", "is_single_graph"]


class NodeIndexError(IndexError, ValueError):
    """A bad node or pair index: an ``IndexError`` for containers, a ``ValueError`` for users."""

_ACCEPTED = (
    "a skgraph.Graph, an adjacency matrix (scipy sparse, or a 2-D array or torch tensor), an "
    "(adjacency, features[, edge_features]) tuple, a networkx graph or a torch_geometric "
    "Data object"
)


_NOT_AN_ARRAY = (
    "a Graph is not an array: skgraph's estimators take graphs, node views G[idx] and lists "
    "of graphs directly, but a scikit-learn tool that converts its input to an array or "
    "indexes its feature columns (SelfTrainingClassifier, BaggingClassifier, "
    "OneVsOneClassifier, classifier and regressor chains, permutation_importance, "
    "partial_dependence, ...) cannot pass them on (MultiOutputClassifier and "
    "MultiOutputRegressor can: several labels per node). For semi-supervised node "
    "classification, fit(G, y) with -1 for the unlabelled nodes; for the importance of a "
    "node feature, skgraph.inspection.permutation_importance takes graphs; G.adjacency "
    "and G.features are the arrays.")


class _NodeShape(tuple):
    """A Graph's ``shape``, ``(n_nodes,)``: its samples are its nodes. Its features are
    inside it, so a tool asking for its columns (``shape[1]``, as scikit-learn's
    ``partial_dependence`` does of anything with ``__array__``) is told so."""

    __slots__ = ()

    def __getitem__(self, key: Any) -> Any:
        if isinstance(key, numbers.Integral) and not isinstance(key, bool) \
                and key >= len(self):
            raise TypeError(_NOT_AN_ARRAY)
        return super().__getitem__(key)


# graph objects of other libraries, which as_graph reads and Graph's constructor does not
_GRAPH_OBJECTS = (("networkx", "Graph", "networkx graph"),
                  ("torch_geometric.data", "Data", "torch_geometric Data object"),
                  ("torch_geometric.data", "HeteroData", "torch_geometric HeteroData object"))


def _kind_name(obj: Any) -> str:
    return type(obj).__name__


def _check_numeric_dtype(dtype: np.dtype, what: str) -> None:
    if np.issubdtype(dtype, np.complexfloating):
        raise ValueError(f"{what} has complex dtype {dtype}: Complex data not supported; "
                         "expected real numbers.")
    if not (np.issubdtype(dtype, np.number) or dtype.kind == "b"):
        raise TypeError(f"{what} has dtype {dtype}; expected numbers (bool, int or float).")


def _to_2d_numeric(obj: Any, what: str) -> np.ndarray | sp.sparray:
    """Return ``obj`` as a 2-D ndarray or scipy sparse array, without copying yet."""
    if sp.issparse(obj):
        _check_numeric_dtype(obj.dtype, what)
        return obj
    if isinstance(obj, (str, bytes)) or obj is None or isinstance(obj, numbers.Number):
        raise TypeError(f"{what} must be a 2-D array or scipy sparse matrix, got {_kind_name(obj)}.")
    if hasattr(obj, "detach") and hasattr(obj, "cpu"):  # a torch tensor
        obj = _tensor_numpy(obj, what)
        if sp.issparse(obj):
            _check_numeric_dtype(obj.dtype, what)
            return obj
    try:
        arr = np.asarray(obj)
    except (ValueError, TypeError) as exc:
        raise ValueError(f"{what} could not be read as an array (ragged rows?): {exc}") from None
    if arr.dtype == object:  # numbers in an object array are fine, anything else is not
        text = next((v for v in arr.flat if isinstance(v, (str, bytes))), None)
        if text is not None:  # float("2.5") would read it as a number
            raise TypeError(f"{what} has dtype object holding text ({text!r}); expected "
                            "numbers (bool, int or float): convert the column first.")
        missing = _missing(arr.ravel())
        if missing.any():  # None or pandas' NA (a nullable column beside others): NaN
            arr = arr.copy()
            arr.flat[np.flatnonzero(missing)] = np.nan
        try:
            arr = arr.astype(np.float64)
        except (TypeError, ValueError) as exc:
            raise TypeError(f"{what} has dtype object with non-numeric entries ({exc}); "
                            "expected numbers (bool, int or float).") from None
    _check_numeric_dtype(arr.dtype, what)
    if arr.ndim != 2:
        hint = " Reshape your data with features.reshape(-1, 1) if it has a single feature." \
            if what == "features" and arr.ndim == 1 else ""
        raise ValueError(f"{what} must be 2-D, got an array with {arr.ndim} dimension(s) "
                         f"and shape {arr.shape}.{hint}")
    return arr


def _tensor_numpy(tensor: Any, what: str) -> np.ndarray | sp.coo_array:
    """A torch tensor as a NumPy array; a sparse one (any layout) as a scipy COO array of
    its stored entries, repeated ones kept, without densifying."""
    import torch

    tensor = tensor.detach().cpu()
    if tensor.layout == torch.strided:
        return _float_numpy(tensor, what)
    if tensor.dim() != 2:
        raise ValueError(f"{what} must be 2-D, got a sparse tensor of shape "
                         f"{tuple(tensor.shape)}.")
    coo = tensor if tensor.layout == torch.sparse_coo else tensor.to_sparse_coo()
    if coo.dense_dim():
        raise ValueError(f"{what} is a hybrid sparse tensor (its stored values have shape "
                         f"{tuple(coo._values().shape)}); expected one number per entry.")
    rows, cols = coo._indices().numpy()
    return sp.coo_array((_float_numpy(coo._values(), what), (rows, cols)),
                        shape=tuple(coo.shape))


def _float_numpy(tensor: Any, what: str) -> np.ndarray:
    """A CPU tensor as a NumPy array (float32 for the floating types NumPy lacks, such as
    bfloat16)."""
    try:
        return tensor.numpy()
    except TypeError:  # a dtype NumPy lacks
        if not tensor.is_floating_point():
            raise TypeError(f"{what} has dtype {tensor.dtype}, which is not numeric.") \
                from None
        return tensor.float().numpy()


def _check_finite(values: np.ndarray, what: str, allow_nan: bool = False) -> None:
    if values.dtype.kind != "f":
        return
    if allow_nan:
        if np.isinf(values).any():
            raise ValueError(f"{what} contains infinite values (NaN marks a missing value; "
                             "infinity has no meaning as a feature).")
    elif not np.isfinite(values).all():
        raise ValueError(f"{what} contains NaN or infinite values.")


def keep_feature_names(graph: Graph, source: Graph) -> Graph:
    """``graph``, just built from ``source``'s features (another adjacency: a training
    graph with held-out edges removed), given ``source``'s feature names too."""
    if graph.n_features != source.n_features:
        raise ValueError("keep_feature_names needs a graph with the source's features.")
    return with_feature_names(graph, source.feature_names)


def with_feature_names(graph: Graph, names: Any) -> Graph:
    """``graph``, just built with array features, given these column names (None: none)."""
    if names is not None:
        if len(names) != graph.n_features:
            raise ValueError("with_feature_names needs one name per feature column.")
        names = np.asarray(names, dtype=object)
        names.flags.writeable = False
    object.__setattr__(graph, "_feature_names", names)
    return graph


def missing_features(graph: Graph) -> tuple[int, int, int] | None:
    """``(count, node, column)`` of the graph's missing feature values (NaN) and the first
    of them, or None when its features are complete (or absent)."""
    features = graph.features
    if is_text_table(features):
        missing = _missing(features.ravel()).reshape(features.shape)
        if not missing.any():
            return None
        node, column = (int(i) for i in np.argwhere(missing)[0])
        return int(missing.sum()), node, column
    if features is None or features.dtype.kind != "f":
        return None
    if sp.issparse(features):
        missing = np.isnan(features.data)
        if not missing.any():
            return None
        first = np.flatnonzero(missing)[0]
        node = int(np.searchsorted(features.indptr, first, side="right") - 1)
        column = int(features.indices[first])
    else:
        missing = np.isnan(features)
        if not missing.any():
            return None
        node, column = (int(i) for i in np.argwhere(missing)[0])
    return int(missing.sum()), node, column


def check_complete_features(graph: Graph, estimator: str, which: str = "") -> None:
    """Refuse node features with missing values (NaN), naming the first and the remedy.

    :class:`Graph` keeps NaN features so that a pipeline can impute them
    (``NodeFeatureTransformer(SimpleImputer())``); no network can read them.
    ``which`` names the graph among several (e.g. ``" in X[3]"``). Features holding text
    are refused first: a pipeline encodes them (``NodeFeatureTransformer(TfidfVectorizer())``
    for one column of text, a ``ColumnTransformer`` inside it for several kinds).
    """
    names, columns = graph.node_names, graph.feature_names
    if is_text_table(graph.features):
        refuse_text(graph.features, estimator, which, columns, names)
    found = missing_features(graph)
    if found is None:
        return
    count, node, column = found
    node_label = repr(plain_value(names[node])) if names is not None else str(node)
    column_label = repr(str(columns[column])) if columns is not None else str(column)
    raise ValueError(
        f"{estimator} got node features with missing values (NaN){which}: "
        f"{count} in all, the first at node {node_label}, column {column_label}. "
        "Impute them inside the pipeline, e.g. make_pipeline(NodeFeatureTransformer("
        f"SimpleImputer()), {estimator}()), or fill them before building the graph.")


def _name_kind(name: Any) -> str:
    if isinstance(name, (bool, np.bool_)):
        return "bool"
    if isinstance(name, numbers.Integral):
        return "int"
    if isinstance(name, numbers.Real):
        return "float"
    return "str" if isinstance(name, str) else "other"


def object_array(items: Sequence[Any]) -> np.ndarray:
    """A 1-D object array of ``items`` as they are (``np.asarray`` would turn ``['a', -1]``
    into strings and split tuples into columns)."""
    out = np.empty(len(items), dtype=object)
    for k, item in enumerate(items):
        out[k] = item
    return out


def _names_array(node_names: Any) -> np.ndarray:
    """Node names as an array that keeps each name as given: NumPy's own array when they
    are all strings, all integers, ... alike, else an object array (``np.asarray`` would
    turn ``['a', 2]`` into strings and split tuples into columns)."""
    if isinstance(node_names, np.ndarray):
        return node_names
    if isinstance(node_names, (str, bytes)) or not hasattr(node_names, "__iter__"):
        raise TypeError(f"node_names must be a sequence of names, got "
                        f"{type(node_names).__name__}.")
    items = list(node_names)
    # a name's kind follows from its type: one name of each type is enough to ask
    kinds = {_name_kind(name) for name in dict(zip(map(type, items), items)).values()}
    if len(kinds) == 1 and "other" not in kinds:
        return np.asarray(items)
    return object_array(items)


def _check_weights(values: Any) -> None:
    """Refuse non-finite or negative edge weights among an adjacency's stored ``values``."""
    _check_finite(values, "adjacency")
    if values.size and values.min() < 0:
        raise ValueError(f"adjacency has negative edge weights (minimum {values.min():g}); "
                         "edge weights must be non-negative.")


def check_adjacency(adjacency: Any) -> sp.csr_array:
    """Validate an adjacency matrix and return its canonical form.

    The canonical form is a new ``scipy.sparse.csr_array`` of float64 edge weights,
    symmetric (an edge given in one direction becomes undirected, with the larger of the
    two weights), without self loops or explicit zeros, with sorted indices.
    """
    A = _to_2d_numeric(adjacency, "adjacency")
    if A.shape[0] != A.shape[1]:
        hint = ""
        if A.shape[1] == 2 and A.shape[0] != 2:
            hint = (" An (n, 2) array looks like an edge list or node pairs: build the graph "
                    "from an edge list with skgraph.Graph.from_edges(edges); pairs to score go "
                    "with their graph, as skgraph.NodePairs(G, pairs).")
        elif A.shape[0] < A.shape[1]:
            hint = (" Were its rows selected (by a cross-validation splitter, or "
                    "train_test_split)? A matrix split by rows is no longer a graph: to split "
                    "one graph by node, wrap it in skgraph.Graph (or skgraph.as_graph) and pass "
                    "that; its node views keep the whole graph.")
        else:
            hint = (" A table of one row per node, such as a feature matrix, is not a graph: "
                    "an estimator takes skgraph.Graph(A, X) with the adjacency A of the nodes "
                    "(for points, sklearn.neighbors.kneighbors_graph(X_coordinates, "
                    "n_neighbors, mode='connectivity')).")
        raise ValueError(f"adjacency must be square (n_nodes, n_nodes), got shape "
                         f"{A.shape}.{hint}")
    if A.shape[0] == 0:
        raise ValueError("the graph is empty: adjacency has 0 nodes.")
    if sp.issparse(A) and A.format in ("coo", "csr", "csc", "bsr"):
        # the stored values as given: repeated entries are summed next, which would hide a
        # negative weight (-1 and 2 sum to 1) or delete an edge (-5 and 5)
        _check_weights(A.data)
    A = sp.csr_array(A, dtype=np.float64, copy=True)
    A.sum_duplicates()
    _check_weights(A.data)
    if A.diagonal().any():  # (setdiag rebuilds the matrix even when there is nothing to do)
        A.setdiag(0)
    A = A.maximum(A.T).tocsr()
    A.eliminate_zeros()
    A.sort_indices()
    A = sp.csr_array(A)
    if A.nnz < 2**31 - 1 and A.shape[0] < 2**31 - 1 and A.indices.dtype != np.int32:
        # scipy's own choice for such a matrix, which tools that take it (scikit-learn's
        # SpectralEmbedding with affinity="precomputed") expect
        A.indices = A.indices.astype(np.int32)
        A.indptr = A.indptr.astype(np.int32)
    return A


def check_features(features: Any, n_nodes: int) -> np.ndarray | sp.csr_array | None:
    """Validate node features and return a read-only float copy (dense or CSR), or a
    read-only object array for a table holding text (see :func:`is_text_table`)."""
    if features is None:
        return None
    if _sparse_frame(features):  # read as the sparse matrix it holds, never densified
        features = features.sparse.to_coo()
    elif _data_frame(features) and len(features.columns) and all(
            getattr(dtype, "kind", "O") in "biuf" for dtype in features.dtypes):
        # numbers (bool and nullable columns too) column by column: np.asarray of a frame
        # of mixed kinds gives Python objects, each then checked one by one
        single = all(dtype == np.float32 for dtype in features.dtypes)
        features = features.to_numpy(dtype=np.float32 if single else np.float64,
                                     na_value=np.nan)
    X = text_table(features)
    if X is None:
        X = _to_2d_numeric(features, "features")
    if X.shape[0] != n_nodes:
        raise ValueError(f"features has {X.shape[0]} rows but the graph has {n_nodes} nodes; "
                         "expected one row per node.")
    if X.shape[1] == 0:
        raise ValueError(f"features has 0 feature(s) (shape={X.shape}) while a minimum of 1 is "
                         "required; pass features=None for a featureless graph.")
    if is_text_table(X):
        X.flags.writeable = False
        return X
    dtype = np.float32 if X.dtype == np.float32 else np.float64
    if sp.issparse(X):
        X = sp.csr_array(X, dtype=dtype, copy=True)
        X.sum_duplicates()
        _check_finite(X.data, "features", allow_nan=True)
        for part in (X.data, X.indices, X.indptr):
            part.flags.writeable = False
        return X
    X = np.array(X, dtype=dtype, copy=True, order="C")
    _check_finite(X, "features", allow_nan=True)
    X.flags.writeable = False
    return X


def _sparse_frame(features: Any) -> bool:
    """A DataFrame whose columns are all sparse (``pd.SparseDtype``), e.g. a vectorizer's
    output with its vocabulary as column names."""
    return (_data_frame(features) and len(features.columns) > 0
            and all(type(dtype).__name__ == "SparseDtype" and dtype.fill_value == 0
                    for dtype in features.dtypes))  # (NaN-filled ones are read densely)


def _column_names(features: Any) -> np.ndarray | None:
    """The column names of a DataFrame of features when all are strings (scikit-learn's
    rule for ``feature_names_in_``), read-only; else None."""
    if not _data_frame(features):
        return None
    names = list(features.columns)
    if not names or not all(isinstance(name, str) for name in names):
        return None
    out = np.asarray(names, dtype=object)
    out.flags.writeable = False
    return out


def _edge_entries(adjacency: Any) -> tuple[np.ndarray, np.ndarray, np.ndarray, int]:
    """Rows, columns and weights of the stored entries of an adjacency, in the order edge
    features are aligned with: ``scipy.sparse.coo_array(adjacency)``'s (for a dense array,
    its non-zero entries row by row)."""
    A = _to_2d_numeric(adjacency, "adjacency")
    coo = sp.coo_array(A)
    return coo.row.astype(np.int64), coo.col.astype(np.int64), coo.data, A.shape[0]


def check_edge_features(edge_features: Any, adjacency: Any, canonical: sp.csr_array,
                        node_names: np.ndarray | None = None) -> np.ndarray | None:
    """Validate edge features given for ``adjacency``'s stored entries; return them aligned
    with the entries of ``canonical`` (its validated form, row by row), read-only.

    The two directions of an undirected edge (and repeated entries of one) must carry the
    same features: an edge given in one direction only lends its features to the other;
    self loops and explicit zeros are dropped with their features. An error names an edge by
    ``node_names`` when given, else by node positions.
    """
    if edge_features is None:
        return None
    E = _to_2d_numeric(edge_features, "edge_features") if not (
        isinstance(edge_features, np.ndarray) and edge_features.ndim == 1) else None
    if E is None:
        raise ValueError("edge_features must be 2-D (n_entries, n_edge_features); reshape a "
                         "single feature with edge_features.reshape(-1, 1).")
    E = E.toarray() if sp.issparse(E) else E
    if E.shape[1] == 0:
        raise ValueError("edge_features has 0 columns; pass edge_features=None instead.")
    rows, cols, weights, n = _edge_entries(adjacency)
    if E.shape[0] != len(rows):
        raise ValueError(f"edge_features has {E.shape[0]} rows but the adjacency stores "
                         f"{len(rows)} entries; give one row per stored entry, in the order of "
                         "scipy.sparse.coo_array(adjacency) (row by row for a dense array).")
    dtype = np.float32 if E.dtype == np.float32 else np.float64
    E = np.asarray(E, dtype=dtype)
    _check_finite(E, "edge_features")
    keep = (rows != cols) & (weights != 0)
    rows, cols, E = rows[keep], cols[keep], E[keep]
    # each entry and its reverse; direct entries first within a pair of nodes
    keys = np.concatenate([rows * n + cols, cols * n + rows])
    reverse = np.repeat([0, 1], len(rows))
    order = np.lexsort((reverse, keys))
    keys, values = keys[order], np.concatenate([E, E])[order]
    same = keys[1:] == keys[:-1]
    differ = same & (values[1:] != values[:-1]).any(axis=1)
    if differ.any():
        k = int(keys[1:][differ][0])
        i, j = sorted((k // n, k % n))
        edge = (i, j) if node_names is None else tuple(node_names[[i, j]].tolist())
        raise ValueError(f"edge_features disagree on the undirected edge {edge}: its two "
                         "directions (or repeated entries) carry different values; an "
                         "undirected graph has one feature vector per edge.")
    unique, first = np.unique(keys, return_index=True)
    canonical_rows = np.repeat(np.arange(n, dtype=np.int64), np.diff(canonical.indptr))
    canonical_keys = canonical_rows * n + canonical.indices
    position = np.searchsorted(unique, canonical_keys)
    result = np.ascontiguousarray(values[first[position]])
    result.flags.writeable = False
    return result


class Graph:
    """An undirected graph with optional node features; also a sample container over nodes.

    ``Graph`` validates its input once and is immutable. Indexing it with node indices
    (``G[idx]``) returns a *node view*: the same whole graph with a selection of nodes,
    which is how scikit-learn's splitters and ``GridSearchCV`` split one graph by node.
    Estimators fitted on a view learn from the whole graph (transductive setting) and
    ``transform(view)`` returns rows for the selected nodes only, in order.

    Parameters
    ----------
    adjacency : array-like or scipy sparse of shape (n_nodes, n_nodes)
        Non-negative edge weights (a torch tensor, sparse too, is read as well). The graph
        is undirected: a non-symmetric adjacency is symmetrised (``max(A, A.T)``), after
        repeated entries of a sparse one are summed (each checked as given); self loops are
        dropped (the encoders add their own unit self loops, as GCN does); explicit zeros
        are dropped. Isolated nodes are kept.
    features : array-like or scipy sparse of shape (n_nodes, n_features), default=None
        Node features. ``None`` means a featureless graph; estimators then use the
        default node representation they document. NaN marks a missing value: the graph
        keeps it so that a pipeline can impute it
        (``make_pipeline(NodeFeatureTransformer(SimpleImputer()), estimator)``); the
        estimators refuse features with NaN, naming the first. Infinite values are refused.
        Text (a DataFrame's text or category columns beside numeric ones, an array of
        strings) is kept likewise, as an object array, for a pipeline to encode
        (``NodeFeatureTransformer(TfidfVectorizer())`` for one column of text, a
        ``ColumnTransformer`` inside it for several kinds); the estimators refuse it,
        naming the column.
        A DataFrame indexed by node names (distinct texts) names the nodes
        (:attr:`node_names`), its rows in the adjacency's order; with ``node_names`` given
        too, its rows are read by name (each name needs a row). Other indexes (numbers,
        which may be positions; repeated entries) are read as positions
        (``node_names=df.index`` names nodes by number).
    edge_features : array-like of shape (n_entries, n_edge_features), default=None
        Features of the edges (bond types, distances, ...): one row per stored entry of
        ``adjacency``, in the order of ``scipy.sparse.coo_array(adjacency)`` (for a dense
        array, its non-zero entries row by row). The graph being undirected, both
        directions of an edge (and repeated entries of it) must carry the same values, or
        the input is refused naming the edge; an edge given in one direction lends its
        features to the other; self loops and explicit zeros are dropped with theirs. They
        are stored aligned with :attr:`adjacency`'s entries, row by row.
    node_names : array-like of shape (n_nodes,), default=None
        Original node labels (set when converting from networkx), unique and hashable, kept
        for output and accepted in place of positions where an estimator takes nodes or
        node pairs.

    Attributes
    ----------
    adjacency : scipy.sparse.csr_array of shape (n_nodes, n_nodes)
    features : ndarray, scipy.sparse.csr_array or None
        Floats, or objects for a table holding text.
    edge_features : ndarray of shape (adjacency.nnz, n_edge_features) or None
    n_nodes : int
        Nodes of the whole graph (also for a node view).
    node_index : ndarray of int
        The selected nodes of a view (``arange(n_nodes)`` for the whole graph).

    Examples
    --------
    >>> import numpy as np, scipy.sparse as sp
    >>> from skgraph import Graph
    >>> A = sp.csr_array(np.array([[0, 1, 0], [1, 0, 1], [0, 1, 0]]))
    >>> G = Graph(A, np.eye(3))
    >>> len(G), G.n_nodes, G.n_edges
    (3, 3, 2)
    >>> view = G[[2, 0]]
    >>> len(view), view.n_nodes, view.node_index.tolist()
    (2, 3, [2, 0])
    """

    # "__weakref__": joblib's Dask backend sends a weak-referenceable argument larger than
    # 1 kB (as measured by __sizeof__) to the workers once, instead of inside every task
    __slots__ = ("__weakref__", "_adjacency", "_edge_features", "_feature_names", "_features",
                 "_frozen", "_lookup_cache", "_node_index", "_node_names")

    def __init__(self, adjacency: Any, features: Any = None, *, edge_features: Any = None,
                 node_names: Any = None) -> None:
        if isinstance(adjacency, Graph):
            raise TypeError("adjacency is already a Graph; use it directly or skgraph.as_graph.")
        for module, cls, kind in _GRAPH_OBJECTS:
            if _is_instance_of(adjacency, module, cls):
                raise TypeError(f"adjacency is a {kind} ({_kind_name(adjacency)}), not an "
                                "adjacency matrix; use skgraph.as_graph to read it.")
        A = check_adjacency(adjacency)
        for part in (A.data, A.indices, A.indptr):
            part.flags.writeable = False
        self._adjacency = A
        if _data_frame(features) and _names_index(features.index):
            # an index of node names (distinct texts): it names the nodes, and where
            # node_names are given too and it holds them all, the rows are read by name
            if node_names is None:
                node_names = _names_array(features.index.tolist())
            else:
                features = _rows_by_name(features, _names_array(node_names))
        self._features = check_features(features, A.shape[0])
        self._feature_names = _column_names(features)
        if node_names is not None:
            node_names = _names_array(node_names)
            if node_names.shape != (A.shape[0],):
                raise ValueError(f"node_names must have one entry per node ({A.shape[0]}), "
                                 f"got shape {node_names.shape}.")
            seen = set()
            for k, name in enumerate(node_names.tolist()):
                try:
                    hash(name)
                except TypeError:
                    raise TypeError(f"node_names must be hashable (names key the nodes, as in "
                                    f"a dict); node_names[{k}] is {name!r}, a "
                                    f"{_kind_name(name)}.") from None
                if name in seen:
                    raise ValueError(f"node_names must be unique; {name!r} names two nodes.")
                seen.add(name)
            node_names = node_names.copy()
            node_names.flags.writeable = False
        self._edge_features = check_edge_features(edge_features, adjacency, A, node_names)
        self._node_names = node_names
        self._lookup_cache = {}  # node names -> positions, built on first use (see positions)
        self._node_index = None
        self._frozen = True

    @classmethod
    def _view(cls, base: Graph, node_index: np.ndarray | None) -> Graph:
        view = object.__new__(cls)
        for name in ("_adjacency", "_edge_features", "_feature_names", "_features",
                     "_lookup_cache", "_node_names"):
            object.__setattr__(view, name, getattr(base, name))
        if node_index is not None:
            node_index = np.asarray(node_index, dtype=np.int64)
            node_index.flags.writeable = False
        object.__setattr__(view, "_node_index", node_index)
        object.__setattr__(view, "_frozen", True)
        return view

    def __setattr__(self, name: str, value: Any) -> None:
        if getattr(self, "_frozen", False):
            raise AttributeError("Graph is immutable.")
        object.__setattr__(self, name, value)

    def __getstate__(self):
        return {name: getattr(self, name) for name in self.__slots__
                if name not in ("__weakref__", "_lookup_cache")}

    def __sizeof__(self) -> int:
        """Bytes of the arrays held (shared with every view of the same graph)."""
        parts = [self._adjacency.data, self._adjacency.indices, self._adjacency.indptr,
                 self._node_index, self._node_names, self._edge_features]
        features, text = self._features, 0
        if sp.issparse(features):
            parts += [features.data, features.indices, features.indptr]
        else:
            parts.append(features)
        if is_text_table(features):  # the array holds pointers: count the texts too
            text = sum(len(v) for v in features.flat if isinstance(v, (str, bytes)))
        return object.__sizeof__(self) + text + sum(p.nbytes for p in parts if p is not None)

    def __setstate__(self, state):
        # graphs pickled before edge features, or feature names
        state = {"_edge_features": None, "_feature_names": None, **state, "_lookup_cache": {}}
        for name, value in state.items():
            object.__setattr__(self, name, value)
        # numpy's pickle gives writeable arrays back: read-only again, as constructed
        for value in (self._adjacency, self._features, self._edge_features,
                      self._node_names, self._node_index, self._feature_names):
            for part in ((value.data, value.indices, value.indptr) if sp.issparse(value)
                         else (value,) if isinstance(value, np.ndarray) else ()):
                part.flags.writeable = False

    # -- the graph ---------------------------------------------------------
    # Sparse matrices are handed out as shallow copies over the same read-only arrays: scipy's
    # in-place methods (setdiag, resize) and attribute assignment then change the caller's
    # copy, never the graph (writing into the arrays is refused: they are read-only).
    @property
    def adjacency(self) -> sp.csr_array:
        return copy.copy(self._adjacency)

    @property
    def features(self) -> np.ndarray | sp.csr_array | None:
        return copy.copy(self._features) if sp.issparse(self._features) else self._features

    @property
    def edge_features(self) -> np.ndarray | None:
        """Features of each stored entry of :attr:`adjacency`, row by row (both directions of
        every edge, equal), or None."""
        return self._edge_features

    @property
    def n_edge_features(self) -> int:
        return 0 if self._edge_features is None else self._edge_features.shape[1]

    @property
    def node_names(self) -> np.ndarray | None:
        return self._node_names

    @property
    def feature_names(self) -> np.ndarray | None:
        """Names of the feature columns, from a DataFrame of features whose column names
        are all strings (as scikit-learn takes them), else None."""
        return self._feature_names

    @property
    def n_nodes(self) -> int:
        return self._adjacency.shape[0]

    @property
    def n_edges(self) -> int:
        """Number of undirected edges."""
        return self._adjacency.nnz // 2

    @property
    def n_features(self) -> int:
        return 0 if self._features is None else self._features.shape[1]

    @property
    def is_view(self) -> bool:
        return self._node_index is not None

    @property
    def node_index(self) -> np.ndarray:
        if self._node_index is None:
            return np.arange(self.n_nodes)
        return self._node_index

    def with_features(self, features: Any) -> Graph:
        """The same graph, and node selection for a view, with other node features.

        The adjacency and node names are shared (they are immutable); ``features`` is
        validated and copied as by the constructor (``None`` for a featureless graph).
        """
        graph = Graph._view(self, self._node_index)
        object.__setattr__(graph, "_features", check_features(features, self.n_nodes))
        object.__setattr__(graph, "_feature_names", _column_names(features))
        return graph

    @classmethod
    def disjoint_union(cls, graphs: Sequence[Any]) -> Graph:
        """One graph holding ``graphs`` side by side, no edge between them.

        The node-level estimators learn from one graph; to train them on several (the
        inductive setting of PPI: train graphs, unseen test graphs), join the training
        graphs into one and give one label per node, concatenated in the same order. A
        network's message passing never crosses between the parts, so the predictions
        for each part are those it would get alone. Graph-wise cross-validation splits
        the union's nodes by graph with ``groups`` (e.g. ``GroupKFold``):
        ``groups = np.repeat(np.arange(len(graphs)), [g.n_nodes for g in graphs])``.
        Node views of the union still propagate over every part (as any node view does
        over its whole graph); for a strictly inductive protocol, join only the training
        graphs.

        Parameters
        ----------
        graphs : sequence of graphs
            Any accepted graph inputs (the whole graph of a node view); all with the same
            node feature width (0 for featureless graphs) and edge feature width.

        Returns
        -------
        Graph
            Nodes of ``graphs[0]`` first, then ``graphs[1]``'s, ...; node names
            ``(i, name)`` for node ``name`` of ``graphs[i]`` where any graph has names
            (``(i, position)`` in the others), else none; feature names where every graph
            has the same.

        Examples
        --------
        >>> import numpy as np
        >>> from skgraph import Graph
        >>> path = Graph(np.array([[0, 1], [1, 0]]), np.eye(2))
        >>> union = Graph.disjoint_union([path, path])
        >>> union.n_nodes, union.n_edges, union.features.shape
        (4, 2, (4, 2))
        """
        if is_single_graph(graphs) or not isinstance(graphs, Sequence) or not len(graphs):
            raise TypeError(f"graphs must be a non-empty sequence of graphs, got "
                            f"{_kind_name(graphs)}.")
        parts = []
        for i, item in enumerate(graphs):
            try:
                parts.append(as_graph(item).whole())
            except (TypeError, ValueError) as exc:
                raise type(exc)(f"graphs[{i}] is not a valid graph: {exc}") from None
        for what, width in (("node", lambda g: g.n_features),
                            ("edge", lambda g: g.n_edge_features if g.n_edges else None)):
            widths = {width(g) for g in parts} - {None}
            if len(widths) > 1:
                raise ValueError(f"the graphs have {what} features of different widths "
                                 f"{sorted(widths)}; every graph needs the same width.")
        adjacency = sp.block_diag([g.adjacency for g in parts], format="csr")
        features = None
        if parts[0].n_features:
            blocks = [g.features for g in parts]
            if any(sp.issparse(b) for b in blocks):
                features = sp.vstack([sp.csr_array(b) for b in blocks], format="csr")
            else:
                features = np.concatenate(blocks)
        edge_width = max(g.n_edge_features for g in parts)
        edge_features = None
        if edge_width:
            edge_features = np.concatenate([g.edge_features if g.n_edges else
                                            np.zeros((0, edge_width)) for g in parts])
        names = None
        if any(g.node_names is not None for g in parts):
            names = object_array([(i, plain_value(name)) for i, g in enumerate(parts)
                                  for name in (g.node_names.tolist() if g.node_names is not None
                                               else range(g.n_nodes))])
        union = cls(adjacency, features, edge_features=edge_features, node_names=names)
        shared = {None if g.feature_names is None else tuple(g.feature_names) for g in parts}
        return with_feature_names(union, parts[0].feature_names if len(shared) == 1 else None)

    def whole(self) -> Graph:
        """The whole graph behind a node view (``self`` if this is not a view)."""
        return self if self._node_index is None else Graph._view(self, None)

    @classmethod
    def from_edges(cls, edges: Any, features: Any = None, *, source: Any = None,
                   target: Any = None, weight: Any = None, edge_features: Any = None,
                   nodes: Any = None) -> Graph:
        """A graph from an edge list: one row per edge, naming its two nodes.

        The usual form of transaction, citation or social data: a table of ``(source,
        target)`` pairs of node names (account ids, user names, ...), perhaps with a
        weight and other columns, and a table of node features indexed by name. Node
        names are kept (:attr:`node_names`), so estimators take them in place of positions.

        Which nodes, in which order (the rows of ``features``):

        * ``nodes`` when given (every endpoint must be among them; the others are
          isolated nodes);
        * else the index of ``features`` when it is a DataFrame;
        * else, with ``features`` an array, the endpoints are node positions (integers
          ``0 ... n_nodes - 1``, the rows of ``features``) and the graph has no names;
        * else the distinct endpoints, sorted (in order of appearance when names of
          different kinds cannot be sorted).

        Parameters
        ----------
        edges : DataFrame or array-like of shape (n_edges, n_columns)
            One row per edge. The graph is undirected: an edge listed in either direction
            joins its two nodes. Rows that repeat an edge in the same direction add their
            weights; where both directions are listed the larger total is the edge's weight
            (the constructor's ``max(A, A.T)``): aggregate the table first for another rule.
            Self loops and zero weights are dropped, as by the constructor; rows that join
            a node to itself are dropped with a warning (on a table of users and items, say,
            whose ids overlap, they mean that two nodes became one: prefix the ids).
        features : DataFrame, array-like or scipy sparse of shape (n_nodes, n_features), \
default=None
            Node features, one row per node in the order above (a DataFrame's rows are
            read by index when ``nodes`` is also given).
        source, target : column label or int, default=None
            The columns of ``edges`` that hold the two nodes: for a DataFrame ``"source"``
            and ``"target"`` when None (networkx's ``from_pandas_edgelist`` convention), for
            an array the columns at positions 0 and 1.
        weight : column label, int or array-like of shape (n_edges,), default=None
            Non-negative edge weights: a column of ``edges`` or one value per row; None
            weighs every edge 1.
        edge_features : list of column labels or ints, or array-like of shape \
(n_edges, n_edge_features), default=None
            Edge features: columns of ``edges``, or one row per edge. Both directions and
            repeated rows of an edge must carry the same values (see the constructor).
        nodes : array-like of shape (n_nodes,), default=None
            Node names in order.

        Returns
        -------
        Graph

        Raises
        ------
        ValueError
            If a column is missing, an endpoint is missing (None or NaN) or not among
            ``nodes`` (or not a position of ``features``' rows), or the parts are invalid
            as for the constructor.

        Examples
        --------
        >>> import pandas as pd
        >>> from skgraph import Graph
        >>> edges = pd.DataFrame({"source": ["ann", "bob", "bob"],
        ...                       "target": ["bob", "cat", "dan"]})
        >>> G = Graph.from_edges(edges)
        >>> G.node_names.tolist(), G.n_edges
        (['ann', 'bob', 'cat', 'dan'], 3)
        >>> G.adjacency.toarray()[1].tolist()
        [1.0, 0.0, 1.0, 1.0]
        """
        return _graph_from_edges(cls, edges, features, source, target, weight, edge_features,
                                 nodes)

    # -- sample container over nodes ----------------------------------------
    def __array__(self, dtype=None, copy=None):
        # without this numpy reads a Graph as a nested sequence (len and getitem), recursing
        # through node views for seconds before a message about dimensions
        raise TypeError(_NOT_AN_ARRAY)

    def __len__(self) -> int:
        return self.n_nodes if self._node_index is None else len(self._node_index)

    @property
    def shape(self) -> tuple[int]:
        return _NodeShape((len(self),))

    def __getitem__(self, key: Any) -> Graph:
        if isinstance(key, tuple):
            rest = key[1:]
            if not all(k is Ellipsis or (isinstance(k, slice) and k == slice(None))
                       for k in rest):
                raise NodeIndexError("a Graph is indexed by node only: G[idx] or G[idx, ...].")
            key = key[0]
        names = self._named_positions(key)
        if names is not None:
            return Graph._view(self, names)
        if _negative(key):
            raise NodeIndexError(
                "node index has negative positions; G[idx] takes positions 0 ... "
                f"{len(self) - 1} (or node names), and pandas' get_indexer marks labels it "
                "does not find with -1: check for them first.")
        positions = _positions(key, len(self))
        return Graph._view(self, self.node_index[positions])

    def positions(self, names: Any) -> np.ndarray:
        """Positions of the nodes ``names`` names, in the whole graph, in order.

        ``G[names]`` selects by name where the names are not numbers; where they are
        (integers are positions there), ``G[G.positions(ids)]`` selects by name.

        Parameters
        ----------
        names : array-like of node names

        Returns
        -------
        ndarray of int64

        Raises
        ------
        IndexError
            If the graph has no node names, or a name is not one of its nodes (or of this
            view's).

        Examples
        --------
        >>> import numpy as np
        >>> from skgraph import Graph
        >>> G = Graph(np.ones((3, 3)), node_names=[10, 20, 30])
        >>> G.positions([30, 10]).tolist(), G[G.positions([30])].node_index.tolist()
        ([2, 0], [2])
        """
        if isinstance(names, (str, bytes)) or np.ndim(names) == 0:
            names = [names]
        if isinstance(names, np.ndarray) and names.dtype.kind in "iuf":
            return self._located(names.ravel())  # numbers stay numbers: binary search
        listed = names.tolist() if hasattr(names, "tolist") else list(names)
        return self._located(_names_array([plain_value(k) for k in listed]))

    def _located(self, keys: np.ndarray) -> np.ndarray:
        if not len(keys):
            return np.zeros(0, dtype=np.int64)
        if self._node_names is None:
            raise NodeIndexError(f"node index holds {plain_value(keys[0])!r}, a name, but the "
                                 "graph has no node names (give node_names=..., or use "
                                 "positions).")
        found = _lookup_names(self._node_names, keys, self._lookup_cache)
        if (found < 0).any():
            missing = plain_value(keys[np.flatnonzero(found < 0)[0]])
            raise NodeIndexError(f"node index names {missing!r}, which is not a node of the "
                                 "graph.")
        if self._node_index is not None:  # a view selects among its own nodes
            inside = np.isin(found, self._node_index)
            if not inside.all():
                missing = plain_value(keys[np.flatnonzero(~inside)[0]])
                raise NodeIndexError(f"node index names {missing!r}, which is not among the "
                                     "nodes of this view.")
        return found

    def _named_positions(self, key: Any) -> np.ndarray | None:
        """The whole graph's positions of the nodes ``key`` names, when ``key`` holds names
        rather than positions (text or other non-numeric keys; numbers are positions,
        what scikit-learn's splitters pass), else None."""
        if isinstance(key, (str, bytes)):
            return self.positions([key])
        if isinstance(key, np.ndarray) and key.dtype.kind in "biuf":
            return None  # positions or a mask (what splitters pass): no per-item pass
        if isinstance(key, (slice, numbers.Number, np.generic)) or key is None:
            return None
        if isinstance(key, list) and key and all(isinstance(k, tuple) for k in key) \
                and self._node_names is not None and isinstance(self._node_names[0], tuple):
            return self._located(object_array(key))  # names that are tuples (a union's)
        if np.ndim(key) != 1:
            return None
        keys = _names_array(key.tolist() if hasattr(key, "tolist") else list(key))
        if keys.dtype.kind in "biuf" or keys.size == 0 or (
                keys.dtype == object and all(isinstance(k, numbers.Number) for k in keys)):
            return None  # positions (or a mask): numbers are never read as names here
        return self._located(keys)

    def __repr__(self) -> str:
        view = f", view of {len(self)} nodes" if self.is_view else ""
        edges = f", n_edge_features={self.n_edge_features}" if self.n_edge_features else ""
        return (f"Graph(n_nodes={self.n_nodes}, n_edges={self.n_edges}, "
                f"n_features={self.n_features}{edges}{view})")


def _edge_column(edges: Any, key: Any, what: str) -> np.ndarray:
    """Column ``key`` of an edge table (a DataFrame's label, an array's position)."""
    if _data_frame(edges):
        if key not in edges.columns:
            raise ValueError(f"{what} {key!r} is not a column of edges; its columns are "
                             f"{list(edges.columns)}.")
        column = edges[key].to_numpy()
    else:
        if not isinstance(key, numbers.Integral) or isinstance(key, bool):
            raise TypeError(f"{what} must be a column position (int) when edges is an array, "
                            f"got {key!r}.")
        if not -edges.shape[1] <= key < edges.shape[1]:
            raise ValueError(f"{what}={key} is out of range for edges with {edges.shape[1]} "
                             "columns.")
        column = edges[:, key]
    # an object column (names of mixed kinds) keeps each name as given, typed where uniform
    # (text stays an object array: NumPy's fixed-width strings cost a copy of every name)
    if column.dtype != object or _all_text(column):
        return column
    return _names_array(column.tolist())


def _edge_table(edges: Any) -> np.ndarray:
    """An edge list as a 2-D array; rows of names of mixed kinds (``(1, "a")``) as an
    object array, so that NumPy does not turn them all into strings."""
    if isinstance(edges, np.ndarray) or _torch_matrix(edges):
        return np.asarray(edges)
    rows = [tuple(row) if hasattr(row, "__iter__") and not isinstance(row, (str, bytes))
            else (row,) for row in edges]
    widths = {len(row) for row in rows}
    if len(widths) > 1:
        raise ValueError(f"edges must have the same number of columns in every row, got "
                         f"rows of {sorted(widths)} entries.")
    table = np.empty((len(rows), widths.pop() if widths else 2), dtype=object)
    for k, row in enumerate(rows):
        table[k] = row
    return table


def _missing(values: np.ndarray) -> np.ndarray:
    """Where ``values`` (node names) are None or NaN: missing entries of a table."""
    if values.dtype.kind == "f":
        return np.isnan(values)
    if values.dtype != object:
        return np.zeros(len(values), dtype=bool)
    return np.fromiter(map(is_missing, values), dtype=bool, count=len(values))


def _first_bad_row(endpoints: np.ndarray, bad: np.ndarray) -> tuple[int, Any]:
    """The first edge row with a bad endpoint (``endpoints`` holds the sources, then the
    targets), and that endpoint."""
    n_edges = len(endpoints) // 2
    row = int((np.flatnonzero(bad) % n_edges).min())
    return row, plain_value(next(endpoints[k] for k in (row, row + n_edges) if bad[k]))


def _lookup_names(names: np.ndarray, keys: np.ndarray, cache: dict | None = None,
                  keys_text: bool | None = None) -> np.ndarray:
    """Positions of ``keys`` among the node ``names`` (-1 where a key is not a name).

    Numbers of one kind (integers with integers, floats with floats) are looked up by
    binary search over the sorted names; anything else through a dict, as Python compares
    names (``1 == 1.0``); text with text through pandas' hash table. ``cache`` (a graph's,
    its names being immutable) keeps the sorted order and the dict between calls;
    ``keys_text`` says whether the keys are all text when the caller knows.
    """
    cache = {} if cache is None else cache
    if _same_number_kind(names.dtype, keys.dtype):
        if "order" not in cache:
            cache["order"] = np.argsort(names, kind="stable")
        order = cache["order"]
        found = np.searchsorted(names[order], keys).clip(max=max(len(names) - 1, 0))
        return np.where(names[order][found] == keys, order[found], -1).astype(np.int64)
    texts = _text_index(names, cache)
    if texts is not None and (_all_text(keys) if keys_text is None else keys_text):
        return texts.get_indexer(keys).astype(np.int64, copy=False)
    if "dict" not in cache:
        lookup = {}
        for k, name in enumerate(names.tolist()):
            lookup.setdefault(name, k)  # repeated names are refused by Graph
        cache["dict"] = lookup
    lookup = cache["dict"]
    return np.fromiter((lookup.get(_hashable(key), -1) for key in keys.tolist()),
                       dtype=np.int64, count=len(keys))


def _all_text(values: np.ndarray) -> bool:
    """Whether every entry is a str (pandas' type inference, in C), False without pandas."""
    try:
        from pandas.api.types import infer_dtype
    except ImportError:
        return False
    return values.dtype.kind == "U" or (values.dtype == object
                                        and infer_dtype(values, skipna=False) == "string")


def _text_index(names: np.ndarray, cache: dict) -> Any:
    """A pandas Index of node names that are all text (None otherwise), kept in ``cache``."""
    if "text_index" not in cache:
        cache["text_index"] = None
        if _all_text(names):
            import pandas as pd

            index = pd.Index(names, dtype=object)
            if index.is_unique:  # (repeated names are refused by Graph, naming one)
                cache["text_index"] = index
    return cache["text_index"]


def _same_number_kind(a: np.dtype, b: np.dtype) -> bool:
    """Integers with integers (without a float common type: int64 with uint64 has one) or
    floats with floats: compared exactly by NumPy."""
    if a.kind in "iu" and b.kind in "iu":
        return np.result_type(a, b).kind in "iu"
    return a.kind == "f" and b.kind == "f"


def _hashable(key: Any) -> Any:
    try:
        hash(key)
    except TypeError:
        return None  # an unhashable key names no node
    return key


def _factorize(values: np.ndarray) -> tuple[np.ndarray, list]:
    """Codes of ``values`` and their distinct values, in order of first appearance: pandas'
    hash table where installed (about 20 times faster on text), else a dict."""
    try:
        import pandas as pd
    except ImportError:
        found: dict = {}
        codes = [found.setdefault(value, len(found)) for value in values.tolist()]
        return np.array(codes, dtype=np.int64), list(found)
    codes, distinct = pd.factorize(values)
    return codes.astype(np.int64, copy=False), list(distinct)


def _refuse_missing_endpoints(endpoints: np.ndarray, missing: np.ndarray) -> None:
    if missing.any():
        row, _ = _first_bad_row(endpoints, missing)
        raise ValueError(f"edges row {row} has a missing node (None or NaN) as its source or "
                         "target; drop or fill such rows first.")


def _endpoint_positions(endpoints: np.ndarray, names: np.ndarray | None,
                        n_rows: int | None) -> tuple[np.ndarray, np.ndarray | None]:
    """Node positions of ``endpoints`` (source then target, concatenated) and the node
    names: looked up among ``names`` when given, positions below ``n_rows`` when that is
    given, else the distinct endpoints themselves (sorted when they sort)."""
    if names is None and n_rows is not None:
        if endpoints.dtype.kind == "f" and np.isfinite(endpoints).all() \
                and (endpoints == np.round(endpoints)).all():
            endpoints = endpoints.astype(np.int64)  # a float table's node columns (weights)
        if endpoints.dtype.kind not in "iu":
            raise TypeError(f"with features as an array and no nodes, edges hold node "
                            f"positions (the rows of features), which must be integers; got "
                            f"dtype {endpoints.dtype}. Pass nodes=... (or features as a "
                            "DataFrame indexed by node) to name the rows.")
        bad = (endpoints < 0) | (endpoints >= n_rows)
        if bad.any():
            row, name = _first_bad_row(endpoints, bad)
            raise ValueError(f"edges row {row} names node {name}, but features has "
                             f"{n_rows} rows (node positions 0 ... {n_rows - 1}).")
        return endpoints.astype(np.int64), None
    text = _all_text(endpoints)  # then nothing is missing: no scan
    if not text:
        _refuse_missing_endpoints(endpoints, _missing(endpoints))
    if names is None and endpoints.dtype.kind in "biuf":  # numbers: sorted by np.unique
        names, positions = np.unique(endpoints, return_inverse=True)
        return positions.astype(np.int64), names
    if names is None:  # hashed (faster than sorting text), then sorted when the names sort
        positions, distinct = _factorize(endpoints)
        _refuse_missing_endpoints(endpoints, positions < 0)  # pandas' own (NaT, ...)
        names = _names_array(distinct)
        try:
            order = np.array(sorted(range(len(names)), key=names.__getitem__), dtype=np.int64)
        except TypeError:  # names of kinds that do not sort: in order of appearance
            return positions, names
        rank = np.empty_like(order)
        rank[order] = np.arange(len(order))
        return rank[positions], names[order]
    positions = _lookup_names(names, endpoints, keys_text=text)
    if (positions < 0).any():
        row, name = _first_bad_row(endpoints, positions < 0)
        given, known = _name_kind(name), {_name_kind(v) for v in names[:1000].tolist()}
        hint = "" if given in known else (
            f" The edges hold {given} names, the nodes {' and '.join(sorted(known))} ones: "
            "convert one to the other.")
        raise ValueError(f"edges row {row} names node {name!r}, which is not among the "
                         f"{len(names)} nodes given (nodes=, or the features' index): add it "
                         f"there (a row of features for it) or drop its edges.{hint}")
    return positions, names


def _rows_by_name(features: Any, names: np.ndarray) -> Any:
    """The rows of a DataFrame (a unique index) in the order of the node ``names``."""
    order = names.tolist()
    if features.index.tolist() == order:  # already in order (from_edges' frame, say)
        return features
    missing = [name for name in order if name not in features.index]
    if missing:
        raise ValueError(f"features has no row for node {missing[0]!r}: a DataFrame's rows "
                         "are read by index when the nodes are named; pass "
                         "features.reset_index(drop=True) to read them by position.")
    return features.loc[order]


def _feature_frame(features: Any, names: np.ndarray | None) -> Any:
    """A DataFrame of node features checked column by column (numbers, not infinite, or
    text) and by index (unique), numbers as float64 (missing entries NaN), its rows in the
    order of ``names`` when given."""
    repeated = features.index[features.index.duplicated()]
    if len(repeated):
        raise ValueError(f"features' index repeats {repeated[0]!r}: one row per node.")
    if names is not None:
        features = _rows_by_name(features, names)
    if _sparse_frame(features):
        return features  # the constructor reads it as a sparse matrix, never densified
    numbers_by_column, any_text = [], False
    for position, column in enumerate(features.columns):
        series = features.iloc[:, position]
        if getattr(series.dtype, "kind", "O") in "OSU":  # objects, strings, categories
            values = np.asarray(series, dtype=object)
            if text_dtype(series.dtype) or any(isinstance(v, (str, bytes)) for v in values):
                # text or categories: kept for a pipeline to encode (the estimators refuse
                # it), checked by the constructor
                numbers_by_column.append(values)
                any_text = True
                continue
        try:
            if series.dtype.kind in "mM":  # pandas would give the time in (micro)seconds
                raise TypeError
            values = series.to_numpy(dtype=np.float64, na_value=np.nan)
        except (TypeError, ValueError):
            raise TypeError(f"features column {column!r} holds {series.dtype} values, neither "
                            "numbers nor text; convert it to numbers (or text, for a "
                            "pipeline to encode).") from None
        if np.isinf(values).any():
            first = np.flatnonzero(np.isinf(values))[0]
            raise ValueError(f"features column {column!r} is {values[first]} for node "
                             f"{features.index[first]!r}; features must be finite or missing "
                             "(NaN, None), which a pipeline can impute.")
        numbers_by_column.append(values)
    # numbers as float (nullable, categorical and object columns too), missing ones NaN,
    # the column names and index kept; text columns as objects
    if not any_text:
        return type(features)(np.column_stack(numbers_by_column) if numbers_by_column
                              else np.empty((len(features), 0)), index=features.index,
                              columns=features.columns)
    by_position = type(features)(dict(enumerate(numbers_by_column)), index=features.index)
    return by_position.set_axis(features.columns, axis=1)  # column names may repeat


def _graph_from_edges(cls: type, edges: Any, features: Any, source: Any, target: Any,
                      weight: Any, edge_features: Any, nodes: Any) -> Graph:
    if sp.issparse(edges):
        raise TypeError("edges is a sparse matrix, which reads as an adjacency matrix, not an "
                        "edge list: use Graph(adjacency, features).")
    if not _data_frame(edges):
        if isinstance(edges, (str, bytes, dict)) or not hasattr(edges, "__len__"):
            raise TypeError(f"edges must be a DataFrame or an (n_edges, 2 or more) array of "
                            f"node pairs, got {_kind_name(edges)}.")
        edges = _edge_table(edges)
        if edges.ndim != 2 or edges.shape[1] < 2:
            raise ValueError(f"edges must have one row per edge and at least two columns "
                             f"(source, target), got shape {edges.shape}.")
    frame = _data_frame(edges)
    source_key = ("source" if frame else 0) if source is None else source
    target_key = ("target" if frame else 1) if target is None else target
    source_column = _edge_column(edges, source_key, "source")
    target_column = _edge_column(edges, target_key, "target")
    if source_key == target_key or (not frame and source_key % edges.shape[1]
                                    == target_key % edges.shape[1]):
        raise ValueError(f"source and target name the same column ({source_key!r}): every "
                         "edge would be a self loop, which the graph drops.")
    n_edges = len(source_column)
    if weight is None:
        weights = np.ones(n_edges)
    elif np.ndim(weight) == 0:
        weights = _edge_column(edges, weight, "weight")
        what = f"weight column {weight!r}"
    else:
        weights = np.asarray(weight)
        what = "weight"
        if weights.shape != (n_edges,):
            raise ValueError(f"weight must hold one value per edge ({n_edges}), got shape "
                             f"{weights.shape}.")
    if weight is not None:
        weights = _to_2d_numeric(np.asarray(weights).reshape(-1, 1), what).ravel()
        bad = ~np.isfinite(weights) | (weights < 0)
        if bad.any():
            row = int(np.flatnonzero(bad)[0])
            raise ValueError(f"{what} is {weights[row]:g} in edges row {row}; edge weights "
                             "must be finite and non-negative.")
    if edge_features is not None and not hasattr(edge_features, "shape") and all(
            np.ndim(key) == 0 for key in edge_features):
        columns = [_edge_column(edges, key, "edge_features column") for key in edge_features]
        edge_features = (np.column_stack(columns) if columns
                         else np.empty((n_edges, 0)))
    names = None if nodes is None else _names_array(nodes)
    if _data_frame(features):
        features = _feature_frame(features, names)
        if names is None:
            names = _names_array(features.index.tolist())
    n_rows = None
    if features is not None and names is None:
        n_rows = _to_2d_numeric(features, "features").shape[0]
    endpoints = np.concatenate([np.asarray(source_column), np.asarray(target_column)])
    positions, names = _endpoint_positions(endpoints, names, n_rows)
    loops = np.flatnonzero(positions[:n_edges] == positions[n_edges:])
    if len(loops):
        at = loops[0]
        name = (endpoints if names is not None else positions)[at:at + 1].tolist()[0]
        warn_caller(f"{len(loops)} of the {n_edges} edges rows join a node to itself (row "
                    f"{at}: {name!r} and {name!r}); a graph has no self loops, so they "
                    "are dropped. Where sources and targets are nodes of two kinds (users and "
                    "items, ...) whose ids overlap, make the names distinct first (for "
                    "example, prefix each kind's ids).")
    n_nodes = len(names) if names is not None else n_rows
    adjacency = sp.coo_array((weights, (positions[:n_edges], positions[n_edges:])),
                             shape=(n_nodes, n_nodes))
    return cls(adjacency, features, edge_features=edge_features, node_names=names)


def _negative(key: Any) -> bool:
    """Whether an integer node index holds a negative position."""
    if isinstance(key, slice) or isinstance(key, bool):
        return False
    try:
        idx = np.asarray(key)
    except (TypeError, ValueError):
        return False
    return idx.dtype.kind == "i" and idx.size > 0 and bool(idx.min() < 0)


def _positions(key: Any, length: int) -> np.ndarray:
    """Integer positions selected by ``key`` in a container of ``length`` items."""
    if isinstance(key, slice):
        return np.arange(length)[key]
    if isinstance(key, (numbers.Integral, np.integer)) and not isinstance(key, bool):
        key = [key]
    idx = np.asarray(key)
    if idx.ndim != 1:
        raise NodeIndexError(f"node index must be 1-D, got shape {idx.shape}.")
    if idx.dtype == bool:
        if idx.shape[0] != length:
            raise NodeIndexError(f"boolean mask has length {idx.shape[0]}, expected {length}.")
        return np.flatnonzero(idx)
    if idx.size == 0:
        return np.zeros(0, dtype=np.int64)
    if not np.issubdtype(idx.dtype, np.integer):
        raise NodeIndexError(f"node index must be integers or a boolean mask, got dtype {idx.dtype}.")
    idx = idx.astype(np.int64)  # uint8 / int8 positions: -length and idx + length overflow
    if idx.min() < -length or idx.max() >= length:
        raise NodeIndexError(f"node index out of range for {length} nodes "
                         f"(got values from {idx.min()} to {idx.max()}).")
    return np.where(idx < 0, idx + length, idx).astype(np.int64)


# -- conversion from every accepted form ---------------------------------------
def _from_networkx(nx_graph: Any, node_attributes: Sequence[str] | None = None,
                   edge_attributes: Sequence[str] | None = None,
                   weight: str | None = "weight") -> Graph:
    nodes = list(nx_graph.nodes)
    if not nodes:
        raise ValueError("the graph is empty: the networkx graph has 0 nodes.")
    position = {v: k for k, v in enumerate(nodes)}
    edges = list(nx_graph.edges(data=True))
    rows = np.array([position[u] for u, _, _ in edges], dtype=np.int64)
    cols = np.array([position[v] for _, v, _ in edges], dtype=np.int64)
    if weight not in (None, "weight") and edges and not any(weight in d for _, _, d in edges):
        raise ValueError(f"no networkx edge has the attribute {weight!r} named by weight=; "
                         f"the edges' attributes are {_edge_attribute_names(edges)}.")
    weights = [1.0 if weight is None else d.get(weight, 1.0) for _, _, d in edges]
    for (u, v, _), w in zip(edges, weights):
        if not isinstance(w, numbers.Real) or isinstance(w, bool):
            raise ValueError(f"the networkx edge ({u!r}, {v!r}) has weight {w!r}; an edge's "
                             f"{weight!r} attribute must be a number (or absent, for 1).")
    weights = np.array(weights, dtype=float)
    A = sp.coo_array((weights, (rows, cols)), shape=(len(nodes), len(nodes)))
    features = _networkx_node_features(nx_graph, nodes, node_attributes)
    edge_features = _networkx_edge_features(edges, edge_attributes)
    _warn_unread_attributes(nx_graph, nodes, edges,  # not where the caller chose none: []
                            features is None and node_attributes is None,
                            edge_features is None and edge_attributes is None, weight)
    names = None
    if nodes != list(range(len(nodes))) or not all(_name_kind(v) == "int" for v in nodes):
        # (nodes 0.0, 1.0, ... or True, False compare equal to positions but are names)
        names = object_array(nodes)
    graph = Graph(A, features, edge_features=edge_features, node_names=names)
    columns = _attribute_names(node_attributes) if node_attributes is not None else []
    if columns and graph.n_features == len(columns) and all(isinstance(c, str) for c in columns):
        # one value per attribute: the columns are named by them (a ColumnTransformer
        # selects them by name), as a DataFrame's would be
        return with_feature_names(graph, columns)
    return graph


def _numbers(value: Any, what: str) -> np.ndarray:
    """A networkx attribute (a number, a sequence, an array or a tensor) as a float row."""
    if hasattr(value, "detach") and hasattr(value, "cpu"):  # a torch tensor
        value = value.detach().cpu().numpy()
    try:
        as_given = np.asarray(value)
        strings = as_given.dtype.kind in "USV" or (as_given.dtype == object and any(
            isinstance(v, (str, bytes)) for v in as_given.ravel().tolist()))
        if value is None or strings:  # np.asarray(.., float) reads "2" as 2.0, None as nan
            problem = "not numeric"
        elif as_given.ndim > 1:
            problem = f"a {as_given.ndim}-D array of shape {as_given.shape}"
        else:
            return np.asarray(value, dtype=float).ravel()
    except (TypeError, ValueError):
        problem = "not numeric"
    raise ValueError(f"{what} is {value!r} ({problem}); it must be a number or a 1-D "
                     "sequence of numbers.")


def _attribute_row(value: Any, what: str) -> np.ndarray:
    """A networkx node attribute as a row: numbers as floats; a text, or a sequence holding
    text (a text table's row, as :func:`~skgraph.to_networkx` writes it), as objects, for a
    pipeline to encode."""
    if isinstance(value, (str, bytes)):
        return object_array([value])
    if isinstance(value, (list, tuple, np.ndarray)):
        row = np.asarray(value, dtype=object)
        if row.ndim == 1 and any(isinstance(v, (str, bytes)) for v in row):
            return row
    return _numbers(value, what)


def _attribute_names(names: Sequence[str] | str) -> list:
    return [names] if isinstance(names, str) else list(names)


def _networkx_node_features(nx_graph: Any, nodes: list,
                            names: Sequence[str] | None) -> np.ndarray | None:
    """The node attributes ``names`` (numbers or 1-D arrays) side by side, one row per
    node, NaN where a node lacks one (None, NaN or absent: a missing value, for a pipeline
    to impute); by default the attribute ``"x"`` when every node has it."""
    if names is None:
        attrs = [nx_graph.nodes[v].get("x") for v in nodes]
        if all(a is None for a in attrs):
            return None
        if any(a is None for a in attrs):
            raise ValueError("some networkx nodes have an 'x' feature attribute and some do "
                             "not; give every node one, or name the attributes to read with "
                             "node_attributes=[...] (a node without one then gets NaN: a "
                             "missing value).")
        names = ["x"]
    names = _attribute_names(names)
    if not names:
        return None
    columns = []
    for name in names:
        values = [nx_graph.nodes[v].get(name) for v in nodes]
        rows = {k: _attribute_row(value, f"the networkx node {nodes[k]!r}'s attribute "
                                         f"{name!r}")
                for k, value in enumerate(values) if not is_missing(value)}
        if not rows:
            raise ValueError(f"no networkx node has a value of the attribute {name!r} named "
                             "by node_attributes.")
        widths = {len(r) for r in rows.values()}
        if len(widths) > 1:
            raise ValueError(f"the node attribute {name!r} has different lengths on different "
                             f"nodes ({sorted(widths)}); every node needs the same number of "
                             "features.")
        gap = np.full(widths.pop(), np.nan)
        columns.append(np.vstack([rows.get(k, gap) for k in range(len(nodes))]))
    return np.hstack(columns)


def _numeric_attributes(dicts: Any, skip: str) -> list:
    """The attribute names among ``dicts`` that hold numbers or numeric sequences, except
    ``skip`` and booleans (masks); missing values say nothing, and an attribute counts as
    text after 100 values that are not numbers."""
    numeric, not_numbers = [], {skip: 100}  # names in the order first found numeric
    for data in dicts:
        for name, value in data.items():
            if name in numeric or not_numbers.get(name, 0) >= 100 \
                    or isinstance(value, (bool, np.bool_)) or is_missing(value):
                continue
            try:
                _numbers(value, "")
                numeric.append(name)
            except ValueError:
                not_numbers[name] = not_numbers.get(name, 0) + 1
    return numeric


_LABEL_NAMES = ("label", "labels", "node_label")


def _text_attributes(dicts: list, skip: str) -> list:
    """The attribute names among ``dicts`` whose values are all text (missing values aside),
    except ``skip``, in the order first found."""
    kinds: dict = {}
    for data in dicts:
        for name, value in data.items():
            if name != skip and not is_missing(value):
                kinds[name] = kinds.get(name, True) and isinstance(value, str)
    return [name for name, text in kinds.items() if text]


def _edge_attribute_names(edges: list) -> list:
    """The attribute names of the first 1000 networkx edges, in order of appearance."""
    return list(dict.fromkeys(name for _, _, d in edges[:1000] for name in d))


def _warn_unread_attributes(nx_graph: Any, nodes: list, edges: list, no_features: bool,
                            no_edge_features: bool, weight: str | None = "weight") -> None:
    """Warn when a networkx graph is read without features although its nodes (edges)
    carry numeric attributes under other names than the ones read by default."""
    weights = ("" if weight != "weight" else
               " If one of them is the edges' strength, read it as the weight: "
               "as_graph(graph, weight=name).")
    for unread, kind, dicts, skip, parameter, default, more in (
            (no_features, "nodes", (nx_graph.nodes[v] for v in nodes), "x", "node_attributes",
             "x", ""),
            (no_edge_features, "edges", (d for _, _, d in edges), weight or "weight",
             "edge_attributes", "edge_attr", weights)):
        dicts = list(dicts) if unread else []
        names = _numeric_attributes(dicts, skip)
        if names:
            warn_caller(
                f"the networkx {kind} carry numeric attributes {names}, which are not read: "
                f"the graph is read without {kind[:-1]} features (they come from the "
                f"attribute {default!r}, or from those named by as_graph(graph, "
                f"{parameter}=[...])). Name there the ones that are features (not labels "
                f"or ids), or pass {parameter}=[] to read none without this warning.{more}")
        # text in general is no feature (karate's "club" is a target), but text under
        # "label" is GraKeL's and the TU converters' node label ("C", "O"): say so
        texts = [name for name in _text_attributes(dicts, skip) if name in _LABEL_NAMES] \
            if kind == "nodes" and not names else []
        if texts:
            warn_caller(
                f"the networkx nodes carry text labels {texts}, which are not read: the "
                "graph is read without node features. To use them (atom types, ...), name "
                f"them, as_graph(graph, node_attributes={texts}), and encode the text in "
                "the pipeline for a network (NodeFeatureTransformer(OneHotEncoder("
                "handle_unknown='ignore')); WeisfeilerLehmanFeatures reads text labels as "
                "they are); node_attributes=[] reads none without this warning.")


def _networkx_edge_features(edges: list, names: Sequence[str] | None) -> np.ndarray | None:
    """The edge attributes ``names`` (numbers or 1-D arrays) side by side, one row per edge;
    by default the attribute ``"edge_attr"`` when every edge has it."""
    if names is None:
        present = [("edge_attr" in d) for _, _, d in edges]
        if not any(present):
            return None
        if not all(present):
            raise ValueError("some networkx edges have an 'edge_attr' attribute and some do "
                             "not; give every edge one, or name the attributes to read with "
                             "edge_attributes=[...].")
        names = ["edge_attr"]
    names = _attribute_names(names)
    if not edges or not names:
        return None
    rows = []
    for u, v, data in edges:
        missing = [name for name in names if name not in data]
        if missing:
            raise ValueError(f"the networkx edge ({u!r}, {v!r}) has no attribute {missing[0]!r}; "
                             "every edge needs each of edge_attributes.")
        rows.append(np.concatenate([_numbers(data[name], f"the networkx edge ({u!r}, {v!r})'s "
                                             f"attribute {name!r}") for name in names]))
    if len({len(r) for r in rows}) > 1:
        raise ValueError(f"the edge attributes {list(names)} have different lengths on "
                         "different edges.")
    return np.vstack(rows)


def _from_pyg(data: Any) -> Graph:
    n = data.num_nodes
    if n is None or n == 0:
        raise ValueError("the graph is empty: the torch_geometric Data object has 0 nodes.")
    edge_index = data.edge_index
    adj_t = getattr(data, "adj_t", None)
    if edge_index is None and adj_t is not None:  # T.ToSparseTensor's form
        return _from_pyg_adj_t(data, adj_t)
    if edge_index is None:
        src = dst = np.zeros(0, dtype=np.int64)
    else:
        if not (hasattr(edge_index, "detach") and hasattr(edge_index, "dtype")):
            raise TypeError(f"Data.edge_index must be a torch tensor of node ids (as "
                            f"torch_geometric requires), got {_kind_name(edge_index)}; "
                            "convert it with torch.as_tensor(edge_index, dtype=torch.long).")
        if edge_index.is_floating_point() or edge_index.is_complex() or \
                str(edge_index.dtype) == "torch.bool":
            raise TypeError(f"Data.edge_index has dtype {edge_index.dtype}; node ids must be "
                            "integers (torch.long, as torch_geometric requires).")
        edge_index = edge_index.detach().cpu().numpy()
        if edge_index.ndim != 2 or edge_index.shape[0] != 2:
            raise ValueError(f"Data.edge_index must have shape (2, n_edges), got {edge_index.shape}.")
        src, dst = edge_index
        if edge_index.size and (edge_index.min() < 0 or edge_index.max() >= n):
            raise ValueError(f"Data.edge_index refers to nodes outside 0..{n - 1}.")
    weight = getattr(data, "edge_weight", None)
    weight = np.ones(len(src)) if weight is None else _numpy(weight, "edge_weight").ravel()
    if len(weight) != len(src):
        raise ValueError(f"Data.edge_weight has {len(weight)} entries but Data.edge_index "
                         f"has {len(src)} edges; give one weight per edge.")
    if weight.size and weight.min() < 0:  # before repeated edges are summed
        raise ValueError(f"Data.edge_weight has negative weights (minimum {weight.min():g}); "
                         "edge weights must be non-negative.")
    A = sp.coo_array((weight, (src, dst)), shape=(n, n))  # entries in edge_index's order
    x = _pyg_node_features(data)
    edge_attr = getattr(data, "edge_attr", None)
    if edge_attr is None:
        _warn_unread_edge_attributes(data, len(src))
    else:
        edge_attr = _numpy(edge_attr, "edge_attr")
        edge_attr = edge_attr.reshape(-1, 1) if edge_attr.ndim == 1 else edge_attr
        if edge_attr.shape[0] != len(src):
            raise ValueError(f"Data.edge_attr has {edge_attr.shape[0]} rows but Data.edge_index "
                             f"has {len(src)} edges; give one row of edge features per edge.")
    return Graph(A, x, edge_features=edge_attr)


def _from_pyg_adj_t(data: Any, adj_t: Any) -> Graph:
    """A ``Data`` whose edges are a sparse ``adj_t`` (the transposed adjacency, values the
    edge weights; the graph being undirected, the transpose reads the same)."""
    if getattr(data, "edge_attr", None) is not None:
        raise ValueError("Data.edge_attr follows the rows of edge_index, which adj_t replaced; "
                         "keep edge_index (T.ToSparseTensor(remove_edge_index=False)) to read "
                         "the edge features.")
    if callable(getattr(adj_t, "to_scipy", None)):  # torch_sparse's SparseTensor
        adjacency = adj_t.to_scipy(layout="csr")
    elif hasattr(adj_t, "layout") and str(adj_t.layout) != "torch.strided":
        adjacency = adj_t
    else:
        raise TypeError(f"Data.adj_t must be a sparse tensor (torch sparse or torch_sparse's "
                        f"SparseTensor), got {_kind_name(adj_t)}.")
    return Graph(adjacency, _pyg_node_features(data))


# the Data attributes read, or known not to be node features (labels, masks, batching)
_PYG_READ = {"x", "edge_index", "edge_weight", "edge_attr", "adj_t", "y", "batch", "ptr",
             "num_nodes", "train_mask", "val_mask", "test_mask", "n_id", "e_id"}


def _pyg_node_features(data: Any) -> np.ndarray | sp.csr_array | None:
    """``Data.x`` as NumPy (a sparse one as CSR), with warnings where the reading may not be
    what the user meant: integer ids read as amounts, node attributes left unread."""
    x = getattr(data, "x", None)
    if x is None:
        unread = sorted(key for key in _pyg_keys(data) if key not in _PYG_READ
                        and _numeric_node_attribute(data, key))
        if unread:
            warn_caller(f"the Data object's node attributes {unread} are not read: node features "
                        "come from Data.x only, and the graph is read without them. Put those "
                        "that are features (not targets) into x (data.x = "
                        f"torch.cat([data.{unread[0]}, ...], dim=1)).")
        return None
    if hasattr(x, "layout") and str(x.layout) != "torch.strided":  # a sparse torch x
        coo = x.detach().cpu().to_sparse_coo().coalesce()
        row, col = coo.indices().numpy()
        return sp.csr_array((_float_numpy(coo.values(), "Data.x"), (row, col)),
                            shape=tuple(coo.shape))
    features = _numpy(x, "x")
    if features.dtype.kind in "iu" and features.size:
        warn_caller(f"Data.x holds integers (dtype {x.dtype}), read as amounts. If they are "
                    "category ids (OGB's atom features, ZINC's atom types, ...), one-hot "
                    "encode them: make_pipeline(NodeFeatureTransformer(OneHotEncoder("
                    "sparse_output=False, handle_unknown='ignore')), estimator), or "
                    "torch.nn.functional.one_hot first; give x as floats to read amounts "
                    "without this warning.")
    return features


def _pyg_keys(data: Any) -> list:
    keys = getattr(data, "keys", ())
    return list(keys() if callable(keys) else keys)


def _numeric_rows(value: Any) -> int | None:
    """The row count of a torch tensor of real numbers (not a boolean mask), else None."""
    if not (callable(getattr(value, "is_complex", None)) and hasattr(value, "dtype")) \
            or value.ndim < 1 or str(value.dtype) == "torch.bool" or value.is_complex():
        return None
    return value.shape[0]


def _numeric_node_attribute(data: Any, key: str) -> bool:
    """Whether ``Data[key]`` is a torch tensor of numbers (not a boolean mask) with one row
    per node, by PyG's rule, and not by name an edge's (``edge_label``, ``*_index``): PyG
    tells them apart by name only where there are as many edges as nodes."""
    rows = _numeric_rows(getattr(data, key, None))
    is_node = getattr(data, "is_node_attr", None)
    return (rows is not None and data.num_nodes > 1 and "edge" not in key
            and not key.endswith("index")
            and (is_node(key) if callable(is_node) else rows == data.num_nodes))


def _warn_unread_edge_attributes(data: Any, n_edges: int) -> None:
    """Warn about numeric tensors with one row per edge (an R-GCN's ``edge_type``, a
    ``to_homogeneous()`` graph's) when there is no ``edge_attr``: they are not read. A link
    split's ``edge_label`` and ``*_index`` tensors are targets and pairs, not features."""
    unread = [key for key in _pyg_keys(data)
              if key not in _PYG_READ and "label" not in key and not key.endswith("index")
              and _numeric_rows(getattr(data, key, None)) == n_edges
              # as many edges as nodes: PyG tells an edge's tensor by its name
              and (n_edges != data.num_nodes or "edge" in key)]
    if unread:
        example = (f"torch.nn.functional.one_hot(data.{unread[0]}).float()"
                   if "type" in unread[0] else f"data.{unread[0]}")
        warn_caller(f"the Data object's edge attributes {sorted(unread)} are not read: edge "
                    "features come from Data.edge_attr only, and the graph is read without "
                    f"them. Put those that are features into edge_attr (data.edge_attr = "
                    f"{example}).")


def _numpy(tensor: Any, name: str) -> np.ndarray:
    """A ``Data`` attribute as a NumPy array (float32 for the floating types NumPy lacks,
    such as bfloat16)."""
    if not hasattr(tensor, "detach"):
        return np.asarray(tensor)
    return _float_numpy(tensor.detach().cpu(), f"Data.{name}")


def _is_instance_of(obj: Any, module: str, cls: str) -> bool:
    mod = sys.modules.get(module)
    return mod is not None and isinstance(obj, getattr(mod, cls))


def as_graph(obj: Any, *, node_attributes: Sequence[str] | None = None,
             edge_attributes: Sequence[str] | None = None,
             weight: str | None = "weight") -> Graph:
    """Turn any accepted graph input into a :class:`Graph`.

    Accepted: a :class:`Graph` (returned as is), a square adjacency (scipy sparse, NumPy,
    pandas or a torch tensor, dense or sparse),
    an ``(adjacency, features)`` or ``(adjacency, features, edge_features)`` tuple, a
    networkx graph (edge attribute ``weight``; as node features the attribute ``x`` or those
    named by ``node_attributes``; as edge features the attribute ``edge_attr`` or those
    named by ``edge_attributes``) or a torch_geometric ``Data`` object (``edge_index`` or
    ``T.ToSparseTensor``'s ``adj_t``, ``edge_weight``, ``x``, ``edge_attr``; an integer ``x``
    and node attributes left unread when there is no ``x`` get a warning). A networkx
    graph read without node (edge) features whose nodes (edges) carry other numeric
    attributes gets a warning naming them.

    Parameters
    ----------
    obj : any accepted graph input
    node_attributes : sequence of str, default=None
        For a networkx graph: the node attributes (numbers or 1-D arrays) that become the
        node features, side by side in this order (as PyG's ``from_networkx``
        ``group_node_attrs``); a node without one (absent, None or NaN) gets NaN there, a
        missing value for a pipeline to impute. Text (an atom's symbol, a member's club)
        is kept for a pipeline to encode. Where each attribute is one value, the feature
        columns are named by the attributes (:attr:`Graph.feature_names`). None reads
        ``"x"`` when every node has it (what :func:`skgraph.to_networkx` writes), else no
        node features; ``[]`` reads no node features and does not warn about numeric
        attributes left unread.
    edge_attributes : sequence of str, default=None
        For a networkx graph: the edge attributes (numbers or 1-D arrays) that become the
        edge features, side by side in this order. None reads ``"edge_attr"`` when every
        edge has it (what :func:`skgraph.to_networkx` writes), else no edge features;
        ``[]`` reads none, without the warning.
    weight : str or None, default="weight"
        For a networkx graph: the edge attribute that holds the edge weights (an edge
        without it weighs 1), as networkx's ``to_scipy_sparse_array`` reads it; None reads
        every edge as weight 1.

    Returns
    -------
    Graph

    Raises
    ------
    TypeError
        If ``obj`` is none of these.
    ValueError
        If it is one of these but invalid (see :class:`Graph`).

    Examples
    --------
    >>> import networkx as nx
    >>> from skgraph import as_graph
    >>> g = nx.Graph()
    >>> g.add_node("C1", element=[1, 0], charge=0.0)
    >>> g.add_node("O2", element=[0, 1], charge=-1.0)
    >>> g.add_edge("C1", "O2", bond_type=2.0)
    >>> G = as_graph(g, node_attributes=["element", "charge"], edge_attributes=["bond_type"])
    >>> G.features.tolist(), G.edge_features.tolist(), G.node_names.tolist()
    ([[1.0, 0.0, 0.0], [0.0, 1.0, -1.0]], [[2.0], [2.0]], ['C1', 'O2'])
    """
    if edge_attributes is not None and not _is_instance_of(obj, "networkx", "Graph"):
        raise ValueError(f"edge_attributes names networkx edge attributes, but the input is "
                         f"{_kind_name(obj)}; its edge features come from "
                         "Graph(edge_features=...), Data.edge_attr or the third entry of an "
                         "(adjacency, features, edge_features) tuple.")
    if node_attributes is not None and not _is_instance_of(obj, "networkx", "Graph"):
        raise ValueError(f"node_attributes names networkx node attributes, but the input is "
                         f"{_kind_name(obj)}; its node features come from Graph(adjacency, "
                         "features), Data.x or the second entry of an (adjacency, features) "
                         "tuple.")
    if weight != "weight" and not _is_instance_of(obj, "networkx", "Graph"):
        raise ValueError(f"weight= chooses the networkx edge attribute read as the weight (or "
                         f"None for none), but the input is {_kind_name(obj)}; its edge "
                         "weights are the adjacency's values (PyG: Data.edge_weight).")
    if weight is not None and not isinstance(weight, str):
        raise TypeError(f"weight must be the name of an edge attribute (str) or None, got "
                        f"{_kind_name(weight)}.")
    if isinstance(obj, Graph):
        return obj
    if isinstance(obj, tuple):
        if len(obj) not in (1, 2, 3):
            raise ValueError(f"a graph tuple must be (adjacency,), (adjacency, features) or "
                             f"(adjacency, features, edge_features), got a tuple of length "
                             f"{len(obj)}.")
        adjacency, features, edge_features = (*obj, None, None)[:3]
        if any(_is_instance_of(adjacency, module, cls) for module, cls, _ in _GRAPH_OBJECTS):
            raise TypeError(f"a graph tuple holds an adjacency matrix, not a "
                            f"{type(adjacency).__name__}; pass the {type(adjacency).__name__} "
                            "itself, with its features inside it (networkx: node attribute "
                            "'x'; PyG: Data.x), or (adjacency_matrix, features).")
        return Graph(adjacency, features, edge_features=edge_features)
    if sp.issparse(obj) or isinstance(obj, np.ndarray) or _data_frame(obj) or _torch_matrix(obj):
        return Graph(obj)
    if _is_instance_of(obj, "networkx", "Graph"):
        return _from_networkx(obj, node_attributes, edge_attributes, weight)
    if _is_instance_of(obj, "torch_geometric.data", "Data"):
        return _from_pyg(obj)
    hint = ""
    if _is_instance_of(obj, "torch_geometric.data", "HeteroData"):
        hint = (" skgraph's graphs have one type of node and edge: convert it with "
                "data.to_homogeneous() (node and edge types then become ids you may "
                "one-hot encode as features).")
    elif _is_instance_of(obj, "torch.utils.data", "DataLoader"):
        hint = " A DataLoader yields batches: pass its dataset (loader.dataset)."
    elif _sized_dataset(obj):
        hint = (" A dataset holds graphs: for its one graph (Planetoid, ...) pass dataset[0]; "
                "the graph-level estimators take the dataset itself.")
    if isinstance(obj, list):
        hint = (" A list holds several graphs (the graph-level estimators' input), not one; to "
                "learn node labels across several graphs, join them into one with "
                "Graph.disjoint_union(graphs), their nodes' labels concatenated in the same "
                "order. If a cross-validation splitter or train_test_split selected items of a "
                "networkx graph or a Data object, wrap the graph in skgraph.Graph (or "
                "skgraph.as_graph) first: its node views split it by node and keep the whole "
                "graph.")
    raise TypeError(f"expected {_ACCEPTED}; got {_kind_name(obj)}.{hint}")


def is_single_graph(obj: Any) -> bool:
    """Whether ``obj`` is one graph in an accepted form, rather than a sequence of graphs.

    A tuple counts as one graph when it looks like ``(adjacency,)``, ``(adjacency,
    features)`` or ``(adjacency, features, edge_features)``; a PyG dataset (a sequence of
    ``Data``) is a sequence.
    """
    if type(obj).__name__.endswith("Dataset") or _sized_dataset(obj):
        return False
    if isinstance(obj, tuple):
        return (1 <= len(obj) <= 3 and _looks_like_adjacency(obj[0])
                and (len(obj) == 1 or obj[1] is None or _rows(obj[1]) == _rows(obj[0])
                     # a non-square matrix cannot be a second graph's adjacency: features
                     # with the wrong row count, for Graph to name
                     or _non_square_matrix(obj[1])))
    return (isinstance(obj, Graph) or sp.issparse(obj) or _data_frame(obj)
            or (isinstance(obj, np.ndarray) and obj.ndim == 2 and obj.dtype != object)
            or _torch_matrix(obj)
            or type(obj).__module__.startswith(("networkx", "torch_geometric")))


def _sized_dataset(obj: Any) -> bool:
    """A torch ``Dataset`` with a length: a PyG dataset whatever its class name (QM9, ZINC,
    Planetoid, ...), or a ``Subset`` of one (``random_split``)."""
    return _is_instance_of(obj, "torch.utils.data", "Dataset") and hasattr(obj, "__len__")


def _torch_matrix(obj: Any) -> bool:
    """A 2-D torch tensor (dense or sparse): an adjacency matrix, as ``Graph`` reads it."""
    return (hasattr(obj, "detach") and hasattr(obj, "cpu") and hasattr(obj, "layout")
            and getattr(obj, "ndim", None) == 2)


def _names_index(index: Any) -> bool:
    """Whether a DataFrame's index holds node names: distinct texts (ids, names). Numbers
    may be positions (pandas' default index, or the rows a selection kept: ``df.loc[rows]``)
    and, as names, would turn integer node pairs from positions into names; a repeated or
    missing entry, dates or tuples do not name nodes either."""
    return (type(index).__name__ == "Index" and np.asarray(index[:0]).dtype.kind in "OU"
            and len(index) > 0 and index.is_unique
            and all(isinstance(value, str) for value in index.tolist()))


def _data_frame(obj: Any) -> bool:
    """A pandas DataFrame (an adjacency matrix, as ``Graph`` reads it)."""
    return type(obj).__name__ == "DataFrame" and hasattr(obj, "iloc")


def _looks_like_adjacency(obj: Any) -> bool:
    return sp.issparse(obj) or (_torch_matrix(obj) and obj.shape[0] == obj.shape[1]) or (
        isinstance(obj, np.ndarray) and obj.ndim == 2 and obj.shape[0] == obj.shape[1]
        and obj.dtype != object)


def _non_square_matrix(obj: Any) -> bool:
    shape = getattr(obj, "shape", None)
    return (not isinstance(obj, Graph) and isinstance(shape, tuple) and len(shape) == 2
            and shape[0] != shape[1])


def _rows(obj: Any) -> int | None:
    shape = getattr(obj, "shape", None)
    return shape[0] if shape else None
