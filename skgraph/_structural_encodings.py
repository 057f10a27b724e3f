"""Structural encodings: node features computed from the graph structure alone.

The default representation of featureless graphs (degrees) and the random-walk return
probabilities that graph-level estimators append to every node's features.
"""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp

__all__ = ["LARGE_FOR_WALKS", "degree_features", "return_probabilities", "unit_weights"]


# Nodes above which a graph's walk encoding takes minutes (callers warn).
LARGE_FOR_WALKS = 20_000


def unit_weights(adjacency: sp.csr_array) -> sp.csr_array:
    """The adjacency with every edge of weight 1 (its wiring): what the walks follow."""
    if not np.any(adjacency.data != 1):
        return adjacency
    wiring = adjacency.copy()
    wiring.data[:] = 1.0
    return wiring


def degree_features(adjacency: sp.sparray) -> np.ndarray:
    """The inductive default for featureless graphs: ``[1, log(1 + degree)]`` per node."""
    degree = np.asarray(adjacency.sum(axis=1)).ravel()
    return np.column_stack([np.ones_like(degree), np.log1p(degree)]).astype(np.float32)


# Graphs of at most this many nodes may get their return probabilities from one dense
# eigendecomposition (time ~n^3; chosen when cheaper than the walks, ~steps*n_edges*n);
# the others from sparse products over blocks of start nodes.
_EIGH_LIMIT = 4096
# Entries of the dense block of walk distributions propagated at once (larger graphs).
_WALK_BLOCK_ENTRIES = 1 << 22
# Return probabilities below this are reported as exactly 0.
_ZERO = 1e-9


def return_probabilities(adjacency: sp.sparray, steps: int) -> np.ndarray:
    """Random-walk structural encoding: the chance a walk from each node is back after k steps.

    The walk moves to a neighbour with probability proportional to the edge weight
    (transition matrix ``D^-1 A``); column ``k - 1`` is the diagonal of ``(D^-1 A)^k`` for
    ``k = 1 .. steps`` (the RWSE of Dwivedi et al. 2022). The values tell a node's
    neighbourhood structure, e.g. whether it lies on a short cycle, which sum-aggregating
    message passing cannot see. An isolated node gets zeros. Computed exactly, whichever is
    cheaper: from the eigendecomposition of ``D^-1/2 A D^-1/2`` (same diagonal powers; time
    ``n_nodes**3``, small or dense graphs) or by propagating blocks of unit vectors (time
    ``steps / 2 * n_edges * n_nodes``).

    Parameters
    ----------
    adjacency : scipy sparse of shape (n_nodes, n_nodes)
        Symmetric, non-negative, no self loops (as in :class:`~skgraph.Graph`).
    steps : int
        Walk lengths ``1 .. steps``.

    Returns
    -------
    ndarray of shape (n_nodes, steps), float32

    Examples
    --------
    >>> import scipy.sparse as sp
    >>> triangle = sp.csr_array([[0, 1, 1], [1, 0, 1], [1, 1, 0]])
    >>> return_probabilities(triangle, 3).round(3).tolist()[0]
    [0.0, 0.5, 0.25]
    """
    n = adjacency.shape[0]
    if steps == 0 or n == 0:
        return np.zeros((n, steps), dtype=np.float32)
    degree = np.asarray(adjacency.sum(axis=1), dtype=np.float64).ravel()
    inv_sqrt = np.divide(1.0, np.sqrt(degree), out=np.zeros_like(degree), where=degree > 0)
    if n <= _EIGH_LIMIT and n * n <= 2 * steps * max(adjacency.nnz, n):
        symmetric = adjacency.toarray().astype(np.float64, copy=False)
        symmetric *= inv_sqrt[:, None]
        symmetric *= inv_sqrt[None, :]
        eigenvalues, vectors = np.linalg.eigh(symmetric)
        result = np.square(vectors) @ (eigenvalues[:, None] ** np.arange(1, steps + 1))
    else:
        scaling = sp.diags(inv_sqrt)
        symmetric = sp.csr_array(scaling @ sp.csr_array(adjacency, dtype=np.float64) @ scaling)
        result = np.empty((n, steps))
        width = max(1, _WALK_BLOCK_ENTRIES // n)
        for start in range(0, n, width):
            nodes = np.arange(start, min(n, start + width))
            # half the products: with S symmetric, diag(S^2m) = |S^m e_i|^2 and
            # diag(S^(2m-1)) = <S^(m-1) e_i, S^m e_i>
            previous = np.zeros((n, len(nodes)))
            previous[nodes, np.arange(len(nodes))] = 1.0  # column j: walks from nodes[j]
            for m in range(1, (steps + 1) // 2 + 1):
                current = symmetric @ previous
                result[nodes, 2 * m - 2] = np.einsum("ij,ij->j", previous, current)
                if 2 * m <= steps:
                    result[nodes, 2 * m - 1] = np.einsum("ij,ij->j", current, current)
                previous = current
    # round-off of the eigendecomposition (~1e-16) would make exact zeros (odd steps on
    # bipartite graphs, the first step everywhere) differ between nodes
    result[result < _ZERO] = 0.0
    return np.minimum(result, 1.0).astype(np.float32)
