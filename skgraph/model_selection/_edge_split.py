"""Splitting the edges of one graph for link prediction, without leakage."""

from __future__ import annotations

from numbers import Integral, Real
from typing import Any

import numpy as np
import scipy.sparse as sp
from sklearn.utils import check_random_state
from sklearn.utils._param_validation import Interval, RealNotInt, validate_params

from .._edges import NonEdgeSampler, split_edges, two_sided, upper_edges
from .._graph import Graph, as_graph, is_missing, keep_feature_names
from .._pairs import NodePairs, as_node_names
from .._parameters import IntInterval
from .._warnings import warn_caller

__all__ = ["link_pairs", "train_test_split_edges"]


def _n_heldout(size: float | int, n_edges: int, name: str) -> int:
    """Held-out edges for a fraction or a count (types and ranges checked by validate_params)."""
    if isinstance(size, Integral):
        if size >= n_edges:
            raise ValueError(f"{name} as a count must be in [1, {n_edges - 1}] for a graph of "
                             f"{n_edges} edges, got {size}.")
        return int(size)
    return max(1, int(round(size * n_edges)))


_HELD_OUT_SIZE = [Interval(RealNotInt, 0, 1, closed="neither"),
                  IntInterval(1, None, closed="left")]


def _kept_edge_features(graph: Graph, kept: sp.csr_array) -> np.ndarray | None:
    """The edge features of ``graph`` for the stored entries of ``kept`` (a subset of its
    adjacency's), in ``kept``'s CSR order; None without edge features."""
    if graph.edge_features is None:
        return None
    whole, kept = graph.adjacency.tocoo(), kept.tocoo()
    n = graph.n_nodes
    whole_keys = whole.row.astype(np.int64) * n + whole.col  # sorted: the canonical CSR
    kept_keys = kept.row.astype(np.int64) * n + kept.col
    return graph.edge_features[np.searchsorted(whole_keys, kept_keys)]


def _kind_codes(node_kinds: Any, graph: Graph) -> np.ndarray | None:
    """``node_kinds`` as an integer code per node of ``graph`` (None stays None); a pandas
    Series indexed by the graph's node names is read by name."""
    if node_kinds is None:
        return None
    index = getattr(node_kinds, "index", None)
    names = graph.node_names
    positional = type(index).__name__ == "RangeIndex" and index.start == 0 and index.step == 1
    if index is not None and hasattr(node_kinds, "reindex") and names is not None \
            and not positional:
        if not index.is_unique:
            raise ValueError(f"node_kinds' index repeats "
                             f"{index[index.duplicated()][:1].tolist()[0]!r}: one kind per node.")
        unknown = ~np.isin(names, np.asarray(index, dtype=object))
        if unknown.any():
            name = names[unknown][:1].tolist()[0]
            raise ValueError(f"node_kinds has no entry for node {name!r}; a Series of node "
                             "kinds is read by node name.")
        node_kinds = node_kinds.reindex(names)
    if isinstance(node_kinds, (str, bytes)) or not hasattr(node_kinds, "__len__"):
        raise TypeError(f"node_kinds must be an array-like with one kind per node, got "
                        f"{type(node_kinds).__name__}.")
    kinds = np.asarray(node_kinds, dtype=object)
    if kinds.shape != (graph.n_nodes,):
        raise ValueError(f"node_kinds must hold one kind per node ({graph.n_nodes}), got shape "
                         f"{kinds.shape}.")
    missing = np.fromiter(map(is_missing, kinds), dtype=bool, count=len(kinds))
    if missing.any():
        raise ValueError(f"node_kinds is missing (None or NaN) for node "
                         f"{int(np.flatnonzero(missing)[0])}.")
    try:
        codes = np.unique(kinds, return_inverse=True)[1]
    except TypeError:  # kinds that do not sort: codes in order of appearance
        seen = {}
        codes = np.array([seen.setdefault(k, len(seen)) for k in kinds.tolist()])
    if codes.max(initial=0) < 1:
        raise ValueError("node_kinds names a single kind: negatives join nodes of different "
                         "kinds, so at least two are needed.")
    return codes.astype(np.int64).ravel()


def _warn_two_sided(graph: Graph, kinds: np.ndarray | None, function: str) -> None:
    """Warn that uniform negatives make a bipartite graph's task easy, unless ``kinds``."""
    if kinds is None and two_sided(graph.adjacency):
        warn_caller(
            f"the graph is bipartite (every edge joins two sides; no odd cycle): if its sides "
            f"are two kinds of node (users and items, ...), pass {function}(..., "
            "node_kinds=...), one kind per node, so that the negatives pair users with items. "
            "Uniform negatives are mostly pairs within one side, which no model finds hard: "
            "ROC AUC and model selection then reward telling the sides apart.")


@validate_params(
    {"graph": "no_validation", "test_size": _HELD_OUT_SIZE,
     "validation_size": _HELD_OUT_SIZE + [None], "random_state": ["random_state"],
     "node_kinds": ["array-like", None],
     "negative_ratio": [Interval(Real, 0, None, closed="neither")]},
    prefer_skip_nested_validation=True,
)
def train_test_split_edges(graph: Any, *, test_size: float = 0.1,
                           validation_size: float | None = None,
                           random_state: Any = None, node_kinds: Any = None,
                           negative_ratio: float = 1.0):
    """Split the edges of a graph into a training graph and held-out node pairs.

    Protocol (Kipf & Welling 2016, as PyG's ``RandomLinkSplit``): ``test_size`` of the
    undirected edges are removed from the training graph in both directions; as many
    node pairs that are not edges of the *whole* graph are sampled as negatives
    (``negative_ratio`` times as many; no self pairs, no duplicates, no pair in both
    sets). Node features are kept unchanged, and so
    are the edge features of the edges kept.

    Parameters
    ----------
    graph : Graph or any accepted graph input
    test_size : float in (0, 1) or int, default=0.1
        Fraction or number of undirected edges to hold out for testing; a fraction holds
        out ``round(test_size * n_edges)`` edges, at least one (PyG's ``RandomLinkSplit``
        rounds down, so the counts can differ by one).
    validation_size : float or int, default=None
        If given, a second disjoint set of held-out edges (and negatives) for validation.
    random_state : int, RandomState instance or None
    node_kinds : array-like of shape (n_nodes,), default=None
        The kind of each node (``"user"`` / ``"item"``, or any labels), in node order (a
        pandas Series indexed by node names is read by name). Negatives then join nodes of
        different kinds only, uniformly among such pairs, as the edges of a user-item
        graph do. None draws them among all pairs, and warns when the graph is bipartite.
    negative_ratio : float, default=1.0
        Non-edges sampled per held-out edge, for the test and the validation pairs (OGB's
        ranking protocols score each edge against many non-edges: 100, say).

    Returns
    -------
    train_graph : Graph
        The graph without the held-out edges (all nodes kept; the kept edges keep their
        features).
    test_pairs : ndarray of shape (n_test + n_negatives, 2)
        Held-out edges first, then sampled non-edges: node positions (int64), or, for a
        graph with node names (e.g. from networkx), pairs of names (an object array), which
        :class:`~skgraph.LinkPredictor` accepts as they are.
    test_labels : ndarray of shape (n_test + n_negatives,)
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
    seed = check_random_state(random_state).randint(np.iinfo(np.int32).max)
    rng = np.random.default_rng(seed)
    n_test = _n_heldout(test_size, n_edges, "test_size")
    n_val = 0 if validation_size is None else _n_heldout(validation_size, n_edges, "validation_size")
    if n_test + n_val >= n_edges:
        raise ValueError(f"test and validation sets ({n_test} + {n_val} edges) leave no "
                         f"training edge out of {n_edges}.")
    kinds = _kind_codes(node_kinds, G)
    _warn_two_sided(G, kinds, "train_test_split_edges")
    def negatives(n_positives):
        return max(1, int(round(negative_ratio * n_positives)))

    train_adj, test_pos, test_neg = split_edges(G.adjacency, n_test, rng, kinds=kinds,
                                                n_negatives=negatives(n_test))
    outputs = [test_pos, test_neg]
    if n_val:
        # A stream of its own, so that the validation edges do not move with how many
        # negatives the test set drew (negative_ratio).
        val_rng = np.random.default_rng([seed, 1])
        train_adj, val_pos, val_neg = split_edges(train_adj, n_val, val_rng,
                                                  whole_adjacency=G.adjacency,
                                                  exclude_negatives=test_neg, kinds=kinds,
                                                  n_negatives=negatives(n_val))
        outputs += [val_pos, val_neg]
    train_adj = sp.csr_array(train_adj)
    train_adj.sort_indices()  # the edge features below follow this order
    train_graph = keep_feature_names(Graph(train_adj, G.features, node_names=G.node_names,
                                           edge_features=_kept_edge_features(G, train_adj)), G)

    def pairs_and_labels(pos, neg):
        return np.vstack([pos, neg]), np.r_[np.ones(len(pos), int), np.zeros(len(neg), int)]

    outputs = [as_node_names(pairs, G.node_names) for pairs in outputs]
    result = [train_graph, *pairs_and_labels(*outputs[:2])]
    if n_val:
        result += pairs_and_labels(*outputs[2:])
    return tuple(result)



@validate_params(
    {"graph": "no_validation", "negative_ratio": [Interval(Real, 0, None, closed="neither")],
     "random_state": ["random_state"], "node_kinds": ["array-like", None]},
    prefer_skip_nested_validation=True,
)
def link_pairs(graph: Any, *, negative_ratio: float = 1.0, random_state: Any = None,
               node_kinds: Any = None):
    """Every edge of a graph plus sampled non-edges, as samples for link-prediction CV.

    Parameters
    ----------
    graph : Graph or any accepted graph input
        Usually the training graph from :func:`train_test_split_edges`.
    negative_ratio : float, default=1.0
        Non-edges sampled per edge.
    random_state : int, RandomState instance or None
    node_kinds : array-like of shape (n_nodes,), default=None
        The kind of each node: non-edges then join nodes of different kinds only (see
        :func:`train_test_split_edges`).

    Returns
    -------
    pairs : NodePairs
        Indexable container of node pairs, edges and non-edges in random order (so that
        ``cv=3``, unshuffled folds, holds out random pairs, not the edges of the
        lowest-numbered nodes).
    labels : ndarray of int
        1 for edges, 0 for non-edges.

    Notes
    -----
    The non-edges are those of ``graph``: from a training graph, a few of them may be
    edges held out in the test pairs (as many as chance puts there), which a model then
    learns as non-edges; the test pairs stay untouched.

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
    G = as_graph(graph).whole()
    if G.n_edges == 0:
        raise ValueError("the graph has no edges: there is nothing to predict.")
    rng = np.random.default_rng(check_random_state(random_state).randint(np.iinfo(np.int32).max))
    positives = upper_edges(G.adjacency)
    n_negatives = max(1, int(round(negative_ratio * len(positives))))
    kinds = _kind_codes(node_kinds, G)
    _warn_two_sided(G, kinds, "link_pairs")
    negatives = NonEdgeSampler(G.adjacency).held_out_pairs(n_negatives, rng, kinds=kinds)
    labels = np.r_[np.ones(len(positives), int), np.zeros(len(negatives), int)]
    order = rng.permutation(len(labels))
    return NodePairs._of_positions(G, np.vstack([positives, negatives])[order]), labels[order]
