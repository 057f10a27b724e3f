"""Splitting the edges of one graph for link prediction, without leakage."""

from __future__ import annotations

from numbers import Integral, Real
from typing import Any

import numpy as np
import scipy.sparse as sp
from sklearn.utils import check_random_state

from .._graph import Graph, as_graph

__all__ = ["link_pairs", "sample_non_edges", "split_edges", "train_test_split_edges"]


def _upper_edges(adjacency: sp.csr_array) -> np.ndarray:
    upper = sp.triu(adjacency, k=1, format="coo")
    return np.column_stack([upper.row, upper.col]).astype(np.int64)


def sample_non_edges(adjacency: sp.csr_array, n_pairs: int, rng: np.random.Generator,
                     exclude: np.ndarray | None = None) -> np.ndarray:
    """``n_pairs`` distinct unordered non-edges ``(i, j)``, ``i < j``, drawn uniformly.

    Pairs listed in ``exclude`` (an ``(m, 2)`` array) are not drawn either.

    Raises
    ------
    ValueError
        If the graph has fewer than ``n_pairs`` non-edges.
    """
    n = adjacency.shape[0]
    n_possible = n * (n - 1) // 2 - adjacency.nnz // 2 - (0 if exclude is None else len(exclude))
    if n_pairs > n_possible:
        raise ValueError(f"cannot sample {n_pairs} non-edges: the graph has only {n_possible} "
                         "unordered node pairs that are not edges.")
    taken = set()
    if exclude is not None and len(exclude):
        lo, hi = np.minimum(exclude[:, 0], exclude[:, 1]), np.maximum(exclude[:, 0], exclude[:, 1])
        taken.update((lo * n + hi).tolist())
    edge_keys = np.sort(_upper_edges(adjacency) @ np.array([n, 1], dtype=np.int64))
    chosen = np.zeros(0, dtype=np.int64)
    while len(chosen) < n_pairs:
        draw = 2 * (n_pairs - len(chosen)) + 16
        i, j = rng.integers(0, n, draw), rng.integers(0, n, draw)
        lo, hi = np.minimum(i, j), np.maximum(i, j)
        keys = lo * n + hi
        pos = np.searchsorted(edge_keys, keys).clip(max=max(len(edge_keys) - 1, 0))
        is_edge = edge_keys[pos] == keys if len(edge_keys) else np.zeros(len(keys), bool)
        keys = keys[(lo != hi) & ~is_edge]
        keys = keys[~np.isin(keys, chosen)]
        keys = keys[np.sort(np.unique(keys, return_index=True)[1])]
        if taken:
            keys = keys[[k not in taken for k in keys.tolist()]]
        chosen = np.concatenate([chosen, keys[: n_pairs - len(chosen)]])
    return np.column_stack([chosen // n, chosen % n])


def split_edges(adjacency: sp.csr_array, n_heldout: int, rng: np.random.Generator, *,
                whole_adjacency: sp.csr_array | None = None,
                exclude_negatives: np.ndarray | None = None):
    """Hold out ``n_heldout`` undirected edges plus as many non-edges.

    Negatives are non-edges of ``whole_adjacency`` (default: ``adjacency``), so that an
    edge held out earlier is never drawn as a negative.

    Returns
    -------
    train_adjacency : csr_array without the held-out edges (both directions)
    positives : (n_heldout, 2) int array of held-out edges
    negatives : (n_heldout, 2) int array of sampled non-edges of ``adjacency``
    """
    edges = _upper_edges(adjacency)
    picked = rng.permutation(len(edges))[:n_heldout]
    positives = edges[picked]
    whole = adjacency if whole_adjacency is None else whole_adjacency
    negatives = sample_non_edges(whole, n_heldout, rng, exclude=exclude_negatives)
    n = adjacency.shape[0]
    mask = sp.csr_array((np.ones(2 * n_heldout),
                         (np.r_[positives[:, 0], positives[:, 1]], np.r_[positives[:, 1], positives[:, 0]])),
                        shape=(n, n))
    train = adjacency - adjacency.multiply(mask)
    train = sp.csr_array(train)
    train.eliminate_zeros()
    train.sort_indices()
    return train, positives, negatives


def _n_heldout(size: Any, n_edges: int, name: str) -> int:
    if isinstance(size, (Real, np.floating)) and not isinstance(size, (Integral, bool)):
        if not 0 < size < 1:
            raise ValueError(f"{name} as a fraction must be in (0, 1), got {size}.")
        return max(1, int(round(size * n_edges)))
    if isinstance(size, (Integral, np.integer)) and not isinstance(size, bool):
        if not 0 < size < n_edges:
            raise ValueError(f"{name} as a count must be in [1, {n_edges - 1}], got {size}.")
        return int(size)
    raise TypeError(f"{name} must be a float in (0, 1) or an int, got {type(size).__name__}.")


def train_test_split_edges(graph: Any, *, test_size: float = 0.1,
                           validation_size: float | None = None,
                           random_state: Any = None):
    """Split the edges of a graph into a training graph and held-out node pairs.

    Protocol (Kipf & Welling 2016, as PyG's ``RandomLinkSplit``): ``test_size`` of the
    undirected edges are removed from the training graph in both directions; as many
    node pairs that are not edges of the *whole* graph are sampled as negatives (no self
    pairs, no duplicates, no pair in both sets). Node features are kept unchanged.

    Parameters
    ----------
    graph : Graph or any accepted graph input
    test_size : float in (0, 1) or int, default=0.1
        Fraction or number of undirected edges to hold out for testing.
    validation_size : float or int, default=None
        If given, a second disjoint set of held-out edges (and negatives) for validation.
    random_state : int, RandomState instance or None

    Returns
    -------
    train_graph : Graph
        The graph without the held-out edges (all nodes kept).
    test_pairs : ndarray of shape (2 * n_test, 2)
        Held-out edges first, then sampled non-edges.
    test_labels : ndarray of shape (2 * n_test,)
        1 for held-out edges, 0 for non-edges.
    val_pairs, val_labels : ndarrays
        Only when ``validation_size`` is given, after the test outputs.

    Examples
    --------
    >>> from skgraph.datasets import make_community_graph
    >>> from skgraph.model_selection import train_test_split_edges
    >>> G, _ = make_community_graph(n_nodes=100, random_state=0)
    >>> G_train, pairs, y = train_test_split_edges(G, test_size=0.1, random_state=0)
    >>> pairs.shape[1], int(y.sum()) * 2 == len(y), G_train.n_edges < G.n_edges
    (2, True, True)
    """
    G = as_graph(graph).whole()
    n_edges = G.n_edges
    if n_edges < 2:
        raise ValueError(f"the graph has {n_edges} edge(s); at least 2 are needed to split edges.")
    rng = np.random.default_rng(check_random_state(random_state).randint(np.iinfo(np.int32).max))
    n_test = _n_heldout(test_size, n_edges, "test_size")
    n_val = 0 if validation_size is None else _n_heldout(validation_size, n_edges, "validation_size")
    if n_test + n_val >= n_edges:
        raise ValueError(f"test and validation sets ({n_test} + {n_val} edges) leave no "
                         f"training edge out of {n_edges}.")
    train_adj, test_pos, test_neg = split_edges(G.adjacency, n_test, rng)
    outputs = [test_pos, test_neg]
    if n_val:
        train_adj, val_pos, val_neg = split_edges(train_adj, n_val, rng, whole_adjacency=G.adjacency,
                                                  exclude_negatives=test_neg)
        outputs += [val_pos, val_neg]
    train_graph = Graph(train_adj, G.features, node_names=G.node_names)

    def pairs_and_labels(pos, neg):
        return np.vstack([pos, neg]), np.r_[np.ones(len(pos), int), np.zeros(len(neg), int)]

    result = [train_graph, *pairs_and_labels(*outputs[:2])]
    if n_val:
        result += pairs_and_labels(*outputs[2:])
    return tuple(result)



def link_pairs(graph: Any, *, negative_ratio: float = 1.0, random_state: Any = None):
    """Every edge of a graph plus sampled non-edges, as samples for link-prediction CV.

    Parameters
    ----------
    graph : Graph or any accepted graph input
        Usually the training graph from :func:`train_test_split_edges`.
    negative_ratio : float, default=1.0
        Non-edges sampled per edge.
    random_state : int, RandomState instance or None

    Returns
    -------
    pairs : NodePairs
        Indexable container of node pairs (edges first, then non-edges).
    labels : ndarray of int
        1 for edges, 0 for non-edges.

    Examples
    --------
    >>> from sklearn.model_selection import GridSearchCV
    >>> from skgraph import LinkPredictor
    >>> from skgraph.datasets import make_community_graph
    >>> from skgraph.model_selection import link_pairs
    >>> G, _ = make_community_graph(n_nodes=60, random_state=0)
    >>> P, y = link_pairs(G, random_state=0)
    >>> search = GridSearchCV(LinkPredictor(max_epochs=20, random_state=0),
    ...                       {"n_components": [4, 8]}, cv=3).fit(P, y)
    >>> bool(0.5 < search.best_score_ <= 1.0)  # ROC AUC of the best candidate
    True
    """
    from .._pairs import NodePairs

    G = as_graph(graph).whole()
    if G.n_edges == 0:
        raise ValueError("the graph has no edges: there is nothing to predict.")
    if not isinstance(negative_ratio, Real) or negative_ratio <= 0:
        raise ValueError(f"negative_ratio must be a positive number, got {negative_ratio!r}.")
    rng = np.random.default_rng(check_random_state(random_state).randint(np.iinfo(np.int32).max))
    positives = _upper_edges(G.adjacency)
    negatives = sample_non_edges(G.adjacency, max(1, int(round(negative_ratio * len(positives)))), rng)
    labels = np.r_[np.ones(len(positives), int), np.zeros(len(negatives), int)]
    return NodePairs(G, np.vstack([positives, negatives])), labels
