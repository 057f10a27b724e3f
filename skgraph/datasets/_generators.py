"""Generated graphs: the embedded default data of skgraph."""

from __future__ import annotations

from numbers import Real

import numpy as np
import scipy.sparse as sp
from sklearn.utils import check_random_state
from sklearn.utils._param_validation import Interval, validate_params

from .._graph import Graph
from .._parameters import IntInterval

__all__ = ["make_community_graph"]


@validate_params(
    {
        "n_nodes": [IntInterval(1, None, closed="left")],
        "n_communities": [IntInterval(1, None, closed="left")],
        "p_in": [Interval(Real, 0, 1, closed="both")],
        "p_out": [Interval(Real, 0, 1, closed="both")],
        "n_features": [IntInterval(0, None, closed="left")],
        "feature_signal": [Interval(Real, 0, None, closed="left")],
        "random_state": ["random_state"],
    },
    prefer_skip_nested_validation=True,
)
def make_community_graph(n_nodes: int = 300, n_communities: int = 3, *, p_in: float = 0.1,
                         p_out: float = 0.01, n_features: int = 16, feature_signal: float = 1.0,
                         random_state=None) -> tuple[Graph, np.ndarray]:
    """A stochastic block model with informative node features.

    Nodes are split evenly into communities; an edge joins two nodes with probability
    ``p_in`` inside a community and ``p_out`` across. Each community has a random mean
    feature vector of norm ``feature_signal * sqrt(n_features)``-ish scale; node features
    are that mean plus standard normal noise, so features alone separate communities only
    partly and structure helps.

    Up to 4096 nodes every pair is drawn (the graphs of earlier releases for a
    ``random_state``); above, each community (and, up to 64 communities, each pair of
    communities; beyond, all pairs across communities at once) gets a binomial number of
    edges placed on distinct random pairs, the same distribution in memory and time linear
    in the edges and the communities (a million nodes at average degree 10 in seconds).

    Parameters
    ----------
    n_nodes : int, default=300
    n_communities : int, default=3
    p_in, p_out : float, default=0.1, 0.01
        Edge probabilities inside and across communities.
    n_features : int, default=16
        0 gives a featureless graph.
    feature_signal : float, default=1.0
        Scale of the community means relative to the unit noise.
    random_state : int, RandomState instance or None

    Returns
    -------
    graph : Graph
    communities : ndarray of int (n_nodes,)

    Examples
    --------
    >>> from skgraph.datasets import make_community_graph
    >>> G, y = make_community_graph(n_nodes=90, n_communities=3, random_state=0)
    >>> G.n_nodes, G.n_features, sorted(set(y.tolist()))
    (90, 16, [0, 1, 2])
    """
    if n_communities > n_nodes:
        raise ValueError(f"n_communities ({n_communities}) exceeds n_nodes ({n_nodes}).")
    rng = check_random_state(random_state)
    communities = np.arange(n_nodes) % n_communities
    rng.shuffle(communities)
    if n_nodes <= _DENSE_UP_TO:
        same = communities[:, None] == communities[None, :]
        upper = np.triu(rng.random_sample((n_nodes, n_nodes)) < np.where(same, p_in, p_out), 1)
        adjacency = sp.csr_array(upper + upper.T, dtype=np.float64)
    else:
        rows, cols = _block_edges(communities, n_communities, p_in, p_out, rng)
        adjacency = sp.csr_array((np.ones(2 * len(rows)), (np.r_[rows, cols], np.r_[cols, rows])),
                                 shape=(n_nodes, n_nodes))
        adjacency.sort_indices()
    features = None
    if n_features:
        means = rng.normal(scale=feature_signal, size=(n_communities, n_features))
        features = means[communities] + rng.normal(size=(n_nodes, n_features))
    return Graph(adjacency, features), communities


_DENSE_UP_TO = 4096  # nodes up to which every pair is drawn (n^2 memory)


def _block_edges(communities: np.ndarray, n_communities: int, p_in: float, p_out: float,
                 rng: np.random.RandomState) -> tuple[np.ndarray, np.ndarray]:
    """The edges ``(rows, cols)`` (each once) of a stochastic block model, block by block."""
    members = [np.flatnonzero(communities == c) for c in range(n_communities)]
    rows, cols = [], []
    by_block = True
    if n_communities > _BLOCKWISE_UP_TO:  # the pairs across communities in one draw
        n, sizes = len(communities), np.array([len(m) for m in members], dtype=np.int64)
        n_cross = (n * (n - 1) - int((sizes * (sizes - 1)).sum())) // 2
        n_cross_edges = rng.binomial(n_cross, p_out)
        by_block = 2 * n_cross_edges > n_cross  # dense: block by block after all
        if not by_block:
            i, j = _cross_pairs(communities, n_cross_edges, rng)
            rows.append(i)
            cols.append(j)
    for a in range(n_communities):
        for b in range(a, n_communities if by_block else a + 1):
            inside = a == b
            n_a, n_b = len(members[a]), len(members[b])
            n_pairs = n_a * (n_a - 1) // 2 if inside else n_a * n_b
            n_edges = rng.binomial(n_pairs, p_in if inside else p_out) if n_pairs else 0
            i, j = _distinct_pairs(n_a, n_b, inside, n_pairs, n_edges, rng)
            rows.append(members[a][i])
            cols.append(members[b][j])
    return np.concatenate(rows), np.concatenate(cols)


_BLOCKWISE_UP_TO = 64  # communities up to which every pair of communities is drawn apart


def _cross_pairs(communities: np.ndarray, n_edges: int, rng: np.random.RandomState
                 ) -> tuple[np.ndarray, np.ndarray]:
    """``n_edges`` distinct pairs ``i < j`` of nodes in different communities, drawn
    uniformly (at most half of all such pairs: rejection then ends quickly)."""
    n = len(communities)

    def draw(size: int) -> np.ndarray:
        i, j = rng.randint(0, n, size), rng.randint(0, n, size)
        valid = (i < j) & (communities[i] != communities[j])
        return i[valid].astype(np.int64) * n + j[valid]

    return np.divmod(_distinct_keys(draw, n_edges, rng), n)


def _distinct_keys(draw, n_edges: int, rng: np.random.RandomState) -> np.ndarray:
    """``n_edges`` distinct keys from ``draw(size)`` (keys of valid pairs, each drawn
    uniformly), drawn until there are enough."""
    keys = np.zeros(0, dtype=np.int64)
    while len(keys) < n_edges:
        keys = np.unique(np.r_[keys, draw(2 * (n_edges - len(keys)) + 16)])
    # every draw was uniform over the valid pairs, so a uniform subset of the distinct ones is
    # a uniform set of n_edges pairs
    return keys[rng.choice(len(keys), n_edges, replace=False)]


def _distinct_pairs(n_a: int, n_b: int, inside: bool, n_pairs: int, n_edges: int,
                    rng: np.random.RandomState) -> tuple[np.ndarray, np.ndarray]:
    """``n_edges`` distinct pairs drawn uniformly: of ``i < j < n_a`` (``inside``), else of
    ``range(n_a) x range(n_b)``; returned as positions ``(i, j)`` in the two blocks."""
    if 2 * n_edges > n_pairs:  # dense: enumerate the pairs (as many as twice the edges)
        if inside:
            i, j = np.triu_indices(n_a, 1)
        else:
            i, j = np.divmod(np.arange(n_pairs), n_b)
        keep = rng.choice(n_pairs, n_edges, replace=False)
        return i[keep], j[keep]

    def draw(size: int) -> np.ndarray:  # keys i * n_b + j of valid pairs
        i, j = rng.randint(0, n_a, size), rng.randint(0, n_b, size)
        if inside:
            i, j = i[i < j], j[i < j]
        return i.astype(np.int64) * n_b + j

    return np.divmod(_distinct_keys(draw, n_edges, rng), n_b)
