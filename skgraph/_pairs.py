"""Node pairs of one graph: validation, and a sample container for tuning link predictors."""

from __future__ import annotations

from typing import Any

import numpy as np
import scipy.sparse as sp

from ._edges import remove_edges
from ._graph import Graph, NodeIndexError, _lookup_names, _positions, as_graph, plain_value

__all__ = ["NodePairs", "check_pairs", "as_node_names", "resolve_nodes", "resolve_pairs"]


class UnknownNodeError(ValueError):
    """A pair names a node that the graph does not have (an unknown name, a position out
    of range)."""


def check_pairs(pairs: Any, n_nodes: int) -> np.ndarray:
    """Validate node pairs: an ``(n, 2)`` array of integer node indices in ``[0, n_nodes)``.

    Returns a new int64 array; raises ``TypeError`` for non-integer input and
    ``ValueError`` for a wrong shape, no pairs, or indices out of range.
    """
    if isinstance(pairs, NodePairs):
        return _own_pairs(pairs, n_nodes, None)
    if isinstance(pairs, (str, bytes)) or pairs is None or sp.issparse(pairs):
        raise TypeError(f"pairs must be an (n_pairs, 2) array of node indices, got "
                        f"{type(pairs).__name__}.")
    try:
        arr = np.asarray(pairs)
    except (TypeError, ValueError) as exc:
        raise ValueError(f"pairs could not be read as an (n_pairs, 2) array: {exc}") from None
    if arr.ndim != 2 or arr.shape[1] != 2:
        raise ValueError(f"pairs must have shape (n_pairs, 2), got {arr.shape}.")
    if arr.shape[0] == 0:
        raise ValueError("pairs is empty: give at least one (i, j) node pair.")
    if arr.dtype == bool or not (np.issubdtype(arr.dtype, np.integer)
                                 or np.issubdtype(arr.dtype, np.floating)):
        raise TypeError(f"pairs must hold integer node indices, got dtype {arr.dtype}.")
    if np.issubdtype(arr.dtype, np.floating):
        if not np.isfinite(arr).all() or (arr != np.round(arr)).any():
            raise TypeError("pairs must hold integer node indices, got non-integer values.")
    arr = arr.astype(np.int64)
    if arr.min() < 0 or arr.max() >= n_nodes:
        raise UnknownNodeError(f"pairs refer to nodes outside 0..{n_nodes - 1} "
                         f"(got values from {arr.min()} to {arr.max()}).")
    return arr


def _own_pairs(pairs: NodePairs, n_nodes: int, names: np.ndarray | None) -> np.ndarray:
    """The positions of ``pairs``, which must belong to a graph of ``n_nodes`` nodes named
    ``names`` (the graph an estimator was fitted on), not to some other graph."""
    graph = pairs.graph
    if graph.n_nodes != n_nodes:
        raise ValueError(f"these NodePairs belong to a graph of {graph.n_nodes} nodes; pairs of "
                         f"the graph of {n_nodes} nodes (the fitted one) are expected.")
    if names is not None and (graph.node_names is None
                              or not np.array_equal(graph.node_names, names)):
        raise ValueError("these NodePairs belong to a graph with other node names than the "
                         "fitted one; pairs of the fitted graph are expected.")
    return pairs.pairs


def _integer_names(names: np.ndarray) -> bool:
    return all(isinstance(value, int) and not isinstance(value, bool)
               for value in map(plain_value, names))


def resolve_pairs(pairs: Any, n_nodes: int, names: np.ndarray | None = None) -> np.ndarray:
    """Node pairs as an ``(n, 2)`` int64 array of positions, from positions or node names.

    The rule: a graph without node names takes positions (``0 .. n_nodes - 1``). A graph
    with names (a networkx graph's nodes, ``Graph(node_names=...)``) takes pairs of names;
    integer pairs are still read as positions when its names are not integers (there is no
    doubt then), but when the names are integers, integers are names. An unknown name is a
    ``ValueError`` naming it.
    """
    if isinstance(pairs, NodePairs):
        return _own_pairs(pairs, n_nodes, names)
    if isinstance(pairs, (tuple, list, np.ndarray)) and len(pairs) == 2 \
            and all(np.ndim(node) == 0 for node in pairs):
        raise ValueError(f"pairs is one pair of nodes, {tuple(np.asarray(pairs).tolist())!r}; "
                         "pairs are a sequence of them: give [(u, v)] for one.")
    if names is None:
        return check_pairs(pairs, n_nodes)
    if hasattr(pairs, "iloc") and getattr(pairs, "ndim", 1) == 2:
        pairs = pairs.to_numpy()  # a pandas edge list: its rows, not its column labels
    integer_names = _integer_names(names)
    if not integer_names and not isinstance(pairs, (str, bytes)):
        try:
            arr = np.asarray(pairs)
        except (TypeError, ValueError):
            arr = None
        if arr is not None and arr.ndim == 2 and np.issubdtype(arr.dtype, np.integer):
            return check_pairs(arr, n_nodes)
    if isinstance(pairs, (str, bytes)) or pairs is None or sp.issparse(pairs) \
            or not hasattr(pairs, "__len__"):
        raise TypeError(f"pairs must be a sequence of (u, v) node pairs, got "
                        f"{type(pairs).__name__}.")
    positions = _string_name_positions(pairs, names)
    if positions is not None:
        return positions
    position = {plain_value(name): k for k, name in enumerate(names)}
    out = np.empty((len(pairs), 2), dtype=np.int64)
    for row, pair in enumerate(pairs):
        try:
            u, v = pair
        except (TypeError, ValueError):
            raise ValueError(f"pairs[{row}] is not a pair of two nodes: {pair!r}.") from None
        for col, name in enumerate((u, v)):
            try:
                out[row, col] = position[plain_value(name)]
            except (KeyError, TypeError):
                raise UnknownNodeError(f"pairs[{row}] names node {plain_value(name)!r}, which is "
                                       "not a node of the graph.") from None
    if len(out) == 0:
        raise ValueError("pairs is empty: give at least one (u, v) node pair.")
    return out


def resolve_nodes(nodes: Any, n_nodes: int, names: np.ndarray | None, what: str) -> np.ndarray:
    """Nodes as int64 positions, from positions or node names by :func:`resolve_pairs`'s
    rule (integers are positions unless the names are integers)."""
    if isinstance(nodes, (str, bytes)) or np.ndim(nodes) == 0:
        raise TypeError(f"{what} must be a sequence of nodes (positions or names), got "
                        f"{nodes!r}; give [{nodes!r}] for one node.")
    arr = np.asarray(nodes)
    if arr.ndim != 1 or not len(arr):
        raise ValueError(f"{what} must be a non-empty 1-D sequence of nodes, got shape "
                         f"{arr.shape}.")
    if names is None or (arr.dtype.kind in "iu" and not _integer_names(names)):
        if arr.dtype.kind not in "iu":
            raise TypeError(f"{what} must hold node positions (integers) for a graph without "
                            f"node names, got dtype {arr.dtype}.")
        if arr.min() < 0 or arr.max() >= n_nodes:
            raise ValueError(f"{what} refer to nodes outside 0..{n_nodes - 1} (got values "
                             f"from {arr.min()} to {arr.max()}).")
        return arr.astype(np.int64)
    positions = _lookup_names(names, arr)
    unknown = np.flatnonzero(positions < 0)
    if len(unknown):
        raise ValueError(f"{what}[{unknown[0]}] names node {plain_value(arr[unknown[0]])!r}, "
                         "which is not a node of the graph.")
    return positions


def _string_name_positions(pairs: Any, names: np.ndarray) -> np.ndarray | None:
    """Positions of pairs given as a 2-D array of strings when every node name is a string,
    looked up at once (the general route is a loop in Python, 9x slower); None when that
    does not apply or a name is unknown (the general route then names it)."""
    try:
        arr = np.asarray(pairs)
    except (TypeError, ValueError):
        return None
    if arr.dtype.kind != "U" or arr.ndim != 2 or arr.shape[1] != 2 or not len(arr):
        return None
    listed = names.tolist()
    if not all(type(name) is str for name in listed):  # np.asarray would turn 1 into "1"
        return None
    strings = np.array(listed)
    order = np.argsort(strings)
    ordered = strings[order]
    at = np.searchsorted(ordered, arr).clip(max=len(ordered) - 1)
    if not (ordered[at] == arr).all():
        return None
    return order[at].astype(np.int64)


def as_node_names(positions: np.ndarray, names: np.ndarray | None) -> np.ndarray:
    """``positions`` as node names (an object array of the same shape; None where a
    position is -1), or unchanged without names."""
    if names is None:
        return positions
    out = np.empty(positions.shape, dtype=object)
    for index, k in np.ndenumerate(positions):
        out[index] = None if k < 0 else plain_value(names[k])
    return out


class NodePairs:
    """Node pairs of one graph, as a sample container (one sample per pair).

    ``NodePairs`` lets scikit-learn split *pairs* for link prediction, as node views let it
    split nodes. Indexing returns a view with a selection of pairs over the same graph.
    A :class:`~skgraph.LinkPredictor` fitted on a selection removes from its message-passing
    graph every pair of the whole set that is an edge but is *not* selected, so a held-out
    positive edge is never seen during ``fit``. Build one with
    :func:`skgraph.model_selection.link_pairs`.

    Parameters
    ----------
    graph : Graph or any accepted graph input
    pairs : array-like of shape (n_pairs, 2)
        Node positions, or node names of a graph that has them (see
        :meth:`skgraph.LinkPredictor.predict_proba` for the rule).

    Attributes
    ----------
    graph : Graph
    pairs : ndarray of shape (n_selected, 2)
        The selected pairs.

    Examples
    --------
    >>> import numpy as np
    >>> from skgraph import Graph, NodePairs
    >>> G = Graph(np.array([[0, 1, 0], [1, 0, 1], [0, 1, 0]]))
    >>> P = NodePairs(G, [[0, 1], [1, 2], [0, 2]])
    >>> len(P), P[[2, 0]].pairs.tolist()
    (3, [[0, 2], [0, 1]])
    """

    __slots__ = ("__weakref__", "_all_pairs", "_graph", "_index")  # weak refs: see Graph

    def __init__(self, graph: Any, pairs: Any) -> None:
        self._graph = as_graph(graph).whole()
        self._all_pairs = resolve_pairs(pairs, self._graph.n_nodes, self._graph.node_names)
        self._all_pairs.flags.writeable = False
        self._index = None

    def with_graph(self, graph: Graph) -> NodePairs:
        """The same pairs and selection over ``graph``, a graph with the same nodes (e.g.
        with transformed features: :class:`~skgraph.preprocessing.NodeFeatureTransformer`)."""
        graph = as_graph(graph).whole()
        if graph.n_nodes != self._graph.n_nodes:
            raise ValueError(f"the graph has {graph.n_nodes} nodes; these pairs need the "
                             f"{self._graph.n_nodes} of theirs.")
        return NodePairs._assembled(graph, self._all_pairs, self._index)

    @classmethod
    def _of_positions(cls, graph: Graph, positions: np.ndarray) -> NodePairs:
        """Pairs of node positions (never read as names, whatever the graph's names are)."""
        positions = check_pairs(positions, graph.n_nodes)
        positions.flags.writeable = False
        return cls._assembled(graph, positions, None)

    @classmethod
    def _assembled(cls, graph: Graph, all_pairs: np.ndarray,
                   index: np.ndarray | None) -> NodePairs:
        """A NodePairs of validated parts: a whole graph, its read-only pairs, a selection."""
        out = object.__new__(cls)
        out._graph, out._all_pairs, out._index = graph, all_pairs, index
        return out

    @property
    def graph(self) -> Graph:
        return self._graph

    @property
    def pairs(self) -> np.ndarray:
        return self._all_pairs if self._index is None else self._all_pairs[self._index]

    def __array__(self, dtype=None, copy=None):
        # as Graph's: not a nested sequence for numpy to recurse through
        raise TypeError(
            "NodePairs is not an array: its pairs belong to its graph, which a scikit-learn "
            "tool that converts its input to an array cannot pass on; .pairs holds the "
            "(n_pairs, 2) node positions and .graph the graph. To score pairs, give the "
            "NodePairs itself: on a graph whose node names are integers, an array of "
            "integer pairs means names.")

    def __len__(self) -> int:
        return len(self._all_pairs) if self._index is None else len(self._index)

    @property
    def shape(self) -> tuple[int]:
        return (len(self),)

    def __getitem__(self, key: Any) -> NodePairs:
        if isinstance(key, tuple):
            if not all(k is Ellipsis or (isinstance(k, slice) and k == slice(None))
                       for k in key[1:]):
                raise NodeIndexError("NodePairs are indexed by pair only: P[idx] or P[idx, ...].")
            key = key[0]
        positions = _positions(key, len(self))
        index = positions if self._index is None else self._index[positions]
        return NodePairs._assembled(self._graph, self._all_pairs, index)

    def training_adjacency(self) -> sp.csr_array:
        """The graph's adjacency without the unselected pairs that are edges (both
        directions): what an estimator fitted on this selection trains on. For a test fold
        it is the other folds' graph, not the one a model fitted on the training folds saw
        (that is ``train_fold.training_adjacency()``)."""
        A = self._graph.adjacency
        if self._index is None:
            return A
        held_out = np.ones(len(self._all_pairs), dtype=bool)
        held_out[self._index] = False
        out = self._all_pairs[held_out]
        if not len(out):  # every pair selected (in any order): nothing is held out
            return A
        return remove_edges(A, out[np.asarray(A[out[:, 0], out[:, 1]]).ravel() > 0])

    def __sizeof__(self) -> int:
        index = 0 if self._index is None else self._index.nbytes
        return (object.__sizeof__(self) + self._graph.__sizeof__() + self._all_pairs.nbytes
                + index)

    def __getstate__(self):
        return {"_all_pairs": self._all_pairs, "_graph": self._graph, "_index": self._index}

    def __setstate__(self, state):
        for name, value in state.items():
            object.__setattr__(self, name, value)

    def __repr__(self) -> str:
        return f"NodePairs({len(self)} pairs over {self._graph!r})"
