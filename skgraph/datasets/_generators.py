"""Generated graphs: the embedded default data of skgraph."""

from __future__ import annotations

from numbers import Integral, Real

import numpy as np
import scipy.sparse as sp
from sklearn.utils import check_random_state
from sklearn.utils._param_validation import Interval, validate_params

from .._graph import Graph

__all__ = ["make_community_graph"]


@validate_params(
    {
        "n_nodes": [Interval(Integral, 1, None, closed="left")],
        "n_communities": [Interval(Integral, 1, None, closed="left")],
        "p_in": [Interval(Real, 0, 1, closed="both")],
        "p_out": [Interval(Real, 0, 1, closed="both")],
        "n_features": [Interval(Integral, 0, None, closed="left")],
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
    same = communities[:, None] == communities[None, :]
    upper = np.triu(rng.random_sample((n_nodes, n_nodes)) < np.where(same, p_in, p_out), 1)
    adjacency = sp.csr_array(upper + upper.T, dtype=np.float64)
    features = None
    if n_features:
        means = rng.normal(scale=feature_signal, size=(n_communities, n_features))
        features = means[communities] + rng.normal(size=(n_nodes, n_features))
    return Graph(adjacency, features), communities
