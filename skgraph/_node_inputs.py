"""From a validated Graph to the tensors a node encoder reads.

Shared by the estimators that encode the nodes of one graph (``VGAEEmbedder``,
``LinkPredictor``): the normalised propagation operator and the node representation,
including the default representation of a featureless graph.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp
import torch

from ._graph import Graph
from .nn._propagation import IdentityFeatures, SparseOperator, gcn_normalize

__all__ = [
    "NodeInputs",
    "degree_features",
    "feature_scale",
    "node_inputs",
    "return_probabilities",
    "structure_fingerprint",
]

# Dense features above this many entries stay sparse on the way to torch.
_DENSE_LIMIT = 50_000_000


@dataclass
class NodeInputs:
    """Encoder inputs of one graph: ``features @ W`` then ``operator @ (...)``."""

    features: object  # Tensor, SparseOperator or IdentityFeatures
    operator: SparseOperator
    n_nodes: int
    # ``operator @ features`` computed once, when that is cheap and no larger than the
    # features (dense features; the operator itself for identity features); else None
    propagated: object = None


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
    ``steps * n_edges * n_nodes``).

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
            starts = (nodes, np.arange(len(nodes)))  # entry (i, column of walks from i)
            walk = np.zeros((n, len(nodes)))
            walk[starts] = 1.0
            for k in range(steps):
                walk = symmetric @ walk
                result[nodes, k] = walk[starts]
    # round-off of the eigendecomposition (~1e-16) would make exact zeros (odd steps on
    # bipartite graphs, the first step everywhere) differ between nodes
    result[result < _ZERO] = 0.0
    return np.minimum(result, 1.0).astype(np.float32)


def structure_fingerprint(adjacency: sp.csr_array) -> str:
    """A hash of the edge structure, to recognise the graph that identity features belong to."""
    digest = hashlib.blake2b(digest_size=16)
    digest.update(np.asarray(adjacency.shape, dtype=np.int64).tobytes())
    digest.update(np.ascontiguousarray(adjacency.indptr, dtype=np.int64).tobytes())
    digest.update(np.ascontiguousarray(adjacency.indices, dtype=np.int64).tobytes())
    return digest.hexdigest()


def feature_width(graph: Graph, featureless: str) -> int:
    """Width of the encoder input for ``graph`` under the ``featureless`` policy."""
    if graph.features is not None:
        return graph.n_features
    return graph.n_nodes if featureless == "identity" else 2


def feature_scale(features, default: float = 1.0) -> float:
    """The global max-abs value of node features (``default`` for none or all-zero features).

    Features are divided by it, fitted once: a feature matrix and ``1e6`` times it give
    the same model, and extreme scales cannot overflow the encoder. Binary and
    row-normalised features (maximum 1) are unchanged.
    """
    if features is None:
        return default
    values = features.data if sp.issparse(features) else np.asarray(features)
    peak = float(np.abs(values).max()) if values.size else 0.0
    return peak if peak > 0 else default


def _feature_tensor(features, scale: float, device) -> object:
    if sp.issparse(features):
        n, f = features.shape
        features = features / scale if scale != 1.0 else features
        if n * f <= _DENSE_LIMIT and features.nnz > 0.05 * n * f:
            return torch.as_tensor(features.toarray(), dtype=torch.float32, device=device)
        return SparseOperator(features, device=device)
    dense = torch.tensor(np.asarray(features, dtype=np.float32), device=device)
    return dense.div_(scale) if scale != 1.0 else dense


def node_inputs(graph: Graph, featureless: str, device: torch.device | str,
                adjacency: sp.sparray | None = None, scale: float = 1.0) -> NodeInputs:
    """Encoder inputs for the whole graph behind ``graph``.

    Parameters
    ----------
    graph : Graph
    featureless : {"identity", "degree"}
        Representation of a graph without features: one-hot node identities
        (transductive; the paper's featureless VGAE) or ``[1, log(1 + degree)]``
        (inductive).
    device : torch device
    adjacency : scipy sparse, default=None
        Message-passing structure to use instead of ``graph.adjacency`` (for example the
        training graph without held-out edges).
    scale : float, default=1.0
        Node features are divided by it (see :func:`feature_scale`).
    """
    A = graph.adjacency if adjacency is None else adjacency
    if graph.features is not None:
        features = _feature_tensor(graph.features, scale, device)
    elif featureless == "identity":
        features = IdentityFeatures(graph.n_nodes)
    else:
        features = torch.as_tensor(degree_features(A), device=device)
    operator = SparseOperator(gcn_normalize(A), symmetric=True, device=device)
    if isinstance(features, IdentityFeatures):
        propagated = operator  # S @ I
    elif isinstance(features, torch.Tensor):
        propagated = operator @ features
    else:  # sparse features: S @ X could fill in far beyond X
        propagated = None
    return NodeInputs(features, operator, graph.n_nodes, propagated)
