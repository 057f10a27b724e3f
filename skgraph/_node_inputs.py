"""From a validated Graph to the tensors a node encoder reads.

Shared by the estimators that encode the nodes of one graph (``VGAEEmbedder``,
``LinkPredictor``): the normalised propagation operator and the node representation,
including the default representation of a featureless graph.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, replace

import numpy as np
import scipy.sparse as sp
import torch

from ._graph import Graph
from ._nn._propagation import IdentityFeatures, SparseOperator, gcn_normalize
from ._nn._sparse import csr_tensor, shared_tensor, sparse_dense_mm
from ._structural_encodings import degree_features
from ._warnings import warn_caller

__all__ = ["NodeInputs", "SubgraphInputs", "feature_scale", "feature_width", "node_inputs",
           "structure_fingerprint", "warn_unread_edge_features", "warn_unread_weights",
           "without_edges"]

# Dense features above this many entries stay sparse on the way to torch.
_DENSE_LIMIT = 50_000_000
# Sparse features are made dense above this fraction of stored entries. On one CPU thread a
# training step of dropout and a linear layer on 3000 x 1000 features (width 64) costs the
# same either way near 30% (dense dropout draws a number for every entry, zeros included);
# at 5% sparse is 3-10x faster. Other devices keep the foundation's unmeasured 5%.
_DENSE_FRACTION = {"cpu": 0.25}


@dataclass
class NodeInputs:
    """Encoder inputs of one graph: ``features @ W`` then ``operator @ (...)``."""

    features: object  # Tensor, SparseOperator or IdentityFeatures
    operator: SparseOperator
    n_nodes: int
    # ``operator @ features`` computed once, when that is cheap and no larger than the
    # features (dense features; the operator itself for identity features); else None
    propagated: object = None
    # built on request (``operators``): the mean over neighbours ``D^-1 A`` (GraphSAGE),
    # ``D^-1/2 A D^-1/2`` without self loops (GPR-GNN) and the edge list (attention)
    mean_operator: SparseOperator | None = None
    plain_operator: SparseOperator | None = None
    edge_index: torch.Tensor | None = None


def isolated_nodes(adjacency: sp.sparray) -> np.ndarray:
    """Which nodes have no edge. The propagation without self loops (``"plain"``, of
    GPR-GNN) gives them one: ``P^k h`` of a node without neighbours would be 0 for every
    ``k > 0``, leaving its output ``gamma_0 h``, which a learned ``gamma_0 < 0`` turns
    against its own features; with the loop it is ``sum_k gamma_k h``, as in GPR-GNN's own
    operator with self loops, and no other row changes (no edge reaches such a node)."""
    return np.diff(sp.csr_array(adjacency).indptr) == 0


def without_edges(inputs: NodeInputs, p: float, operator: str) -> NodeInputs:
    """``inputs`` with each edge of its ``operator`` (the field a network reads:
    ``"operator"``, ``"mean_operator"``, ``"plain_operator"`` or ``"edge_index"``) dropped
    with probability ``p`` for one training step: sparse operators keep their self loops
    and scale the edges kept by ``1 / (1 - p)``; an edge list loses its columns."""
    if operator == "edge_index":
        from torch_geometric.utils import dropout_edge

        return replace(inputs, edge_index=dropout_edge(inputs.edge_index, p)[0])
    dropped = getattr(inputs, operator).dropout(p, keep_diagonal=True)
    if operator != "operator":
        return replace(inputs, **{operator: dropped})
    # S X computed once no longer holds; for identity features it is S itself
    propagated = dropped if isinstance(inputs.features, IdentityFeatures) else None
    return replace(inputs, operator=dropped, propagated=propagated)


def warn_unread_edge_features(graph: Graph, estimator: str) -> None:
    """Say that ``graph``'s edge features, if any, are not read by the node-level networks."""
    if graph.n_edge_features:
        warn_caller(f"the graph has {graph.n_edge_features} edge features, which {estimator} "
                    "does not read (its networks read the edges' weights); they are ignored. "
                    "The graph-level estimators' conv='gine' and conv='gat' read edge features.")


def warn_unread_weights(graph: Graph, conv: str, estimator: str) -> None:
    """Say that ``conv="gat"`` (attention over the edge list) does not read ``graph``'s edge
    weights, if it has weights other than 1."""
    weights = graph.adjacency.data
    if conv == "gat" and weights.size and (weights != 1).any():
        warn_caller(f"{estimator}(conv='gat') attends over the edges without reading their "
                    f"weights (from {weights.min():g} to {weights.max():g} here, given or "
                    "repeated edges summed): they are "
                    "ignored. conv='gprgnn' (the default), 'appnp', 'gcn' and 'sage' weigh "
                    "the edges.")


def warn_unbalanced_columns(features, estimator: str,
                            names: np.ndarray | None = None) -> None:
    """Warn when feature columns are on very different scales: every column is divided by
    one scale (``feature_scale_``), so the small ones then nearly vanish and the network
    learns little from them (tabular columns such as a count of lanes beside hourly flows
    in the thousands).

    Two tests, neither tripped by bag-of-words features (binary or row-normalised, whose
    columns are mostly zeros) nor by standardised ones: a column large throughout (its mean
    absolute value over 10 times the median column's largest value), or, among the columns
    non-zero on at least half of the nodes and not constant, a standard deviation over 50
    times another's. Columns are named by ``names`` (the features' column names) when given,
    else by position.
    """
    if features is None or features.shape[0] == 0 or features.shape[1] == 0:
        return
    n_rows = features.shape[0]
    if sp.issparse(features):
        matrix = sp.csr_array(features, dtype=np.float64)
        magnitude = abs(matrix)
        peaks = magnitude.max(axis=0).toarray().ravel()
        sums = np.asarray(matrix.sum(axis=0)).ravel()
        absolute = np.asarray(magnitude.sum(axis=0)).ravel()
        squares = np.asarray(matrix.multiply(matrix).sum(axis=0)).ravel()
        filled = np.bincount(matrix.indices[matrix.data != 0], minlength=matrix.shape[1])
    else:  # a block of rows at a time: no copy of a large matrix
        peaks, sums, absolute, squares = (np.zeros(features.shape[1]) for _ in range(4))
        filled = np.zeros(features.shape[1], dtype=np.int64)
        for start in range(0, n_rows, _INFERENCE_ROWS):
            block = np.asarray(features[start:start + _INFERENCE_ROWS], dtype=np.float64)
            np.maximum(peaks, np.abs(block).max(axis=0), out=peaks)
            sums += block.sum(axis=0)
            absolute += np.abs(block).sum(axis=0)
            squares += (block * block).sum(axis=0)
            filled += np.count_nonzero(block, axis=0)
    if not (peaks > 0).any():
        return
    advice = (f"{estimator} divides every column by one scale, so the small ones nearly "
              "vanish. Standardise the columns first: make_pipeline(NodeFeatureTransformer("
              "StandardScaler()), ...).")

    def label(k: int) -> str:
        return repr(str(names[k])) if names is not None else str(int(k))

    means = absolute / n_rows
    typical = float(np.median(peaks[peaks > 0]))
    column = int(np.argmax(means))
    if means[column] > 10 * typical:
        warn_caller(f"node feature column {label(column)} averages {means[column]:.3g} in "
                    f"absolute value, {means[column] / typical:.3g} times the largest value of a "
                    f"typical column ({typical:.3g}); {advice}")
        return
    spread = np.sqrt(np.maximum(squares / n_rows - (sums / n_rows) ** 2, 0.0))
    dense = np.flatnonzero((filled >= 0.5 * n_rows) & (spread > 1e-12 * peaks))
    if len(dense) > 1:
        large, small = dense[np.argmax(spread[dense])], dense[np.argmin(spread[dense])]
        if spread[large] > 50 * spread[small]:
            warn_caller(f"node feature columns are on very different scales: column "
                        f"{label(large)} varies by {spread[large]:.3g} (standard deviation), "
                        f"column {label(small)} by {spread[small]:.3g} "
                        f"({spread[large] / spread[small]:.3g} times "
                        f"less); {advice}")


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


def _float32_scale(scale: float) -> bool:
    """Whether features of max-abs ``scale`` fit float32 before they are divided by it
    (else they are divided first, in float64)."""
    float32 = np.finfo(np.float32)
    return float(float32.tiny) <= scale <= float(float32.max)


def _divide_first(scale: float, peak: float) -> bool:
    """Whether dense features of max-abs ``peak`` are divided by ``scale`` in float64
    before the cast to float32: when the scale is outside float32's normal range, or the
    features themselves are beyond it (larger than those of the fit, though within range
    once divided)."""
    return not _float32_scale(scale) or peak > float(np.finfo(np.float32).max)


def check_scaled_range(features, scale: float) -> float:
    """Refuse features that divided by the fitted ``scale`` would overflow float32, which
    the networks compute in (features far larger than those the model was fitted on);
    return their max-abs value (0 for none), for :func:`_divide_first`."""
    if features is None:
        return 0.0
    peak = feature_scale(features, default=0.0)
    limit = float(np.finfo(np.float32).max)
    if peak / scale > limit:
        raise ValueError(
            f"node features reach {peak:.3g} in absolute value, {peak / scale:.3g} times the "
            f"largest value of the features the model was fitted on ({scale:.3g}): beyond "
            f"float32's range (about {limit:.2g}), which the networks compute in. Give "
            "features on the scale of those of the fit.")
    return peak


def _feature_tensor(features, scale: float, device, peak: float | None = None) -> object:
    """Features divided by ``scale`` as a float32 tensor (dense, or a SparseOperator for
    sparse ones); ``peak``, their max-abs value, when the caller has it."""
    if sp.issparse(features):
        n, f = features.shape
        features = features / scale if scale != 1.0 else features
        fraction = _DENSE_FRACTION.get(torch.device(device).type, 0.05)
        if n * f <= _DENSE_LIMIT and features.nnz > fraction * n * f:
            return torch.as_tensor(features.toarray(), dtype=torch.float32, device=device)
        return SparseOperator(features, device=device)
    if _divide_first(scale, feature_scale(features, 0.0) if peak is None else peak):
        return torch.tensor((np.asarray(features, dtype=np.float64) / scale
                             ).astype(np.float32), device=device)
    dense = torch.tensor(np.asarray(features, dtype=np.float32), device=device)
    return dense.div_(scale) if scale != 1.0 else dense


def node_inputs(graph: Graph, featureless: str, device: torch.device | str,
                adjacency: sp.sparray | None = None, scale: float = 1.0,
                operators: tuple[str, ...] = ()) -> NodeInputs:
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
    operators : tuple of {"mean", "plain", "edges"}, default=()
        Further structure to build: the neighbour mean ``D^-1 A``, the normalised adjacency
        without self loops ``D^-1/2 A D^-1/2`` and the edge list.
    """
    A = graph.adjacency if adjacency is None else adjacency
    peak = check_scaled_range(graph.features, scale)
    if graph.features is not None:
        features = _feature_tensor(graph.features, scale, device, peak)
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
    inputs = NodeInputs(features, operator, graph.n_nodes, propagated)
    if "mean" in operators:
        degree = np.asarray(A.sum(axis=1)).ravel()
        inverse = np.divide(1.0, degree, out=np.zeros_like(degree), where=degree > 0)
        inputs.mean_operator = SparseOperator(sp.diags_array(inverse) @ A, device=device)
    if "plain" in operators:
        plain = gcn_normalize(A, add_self_loops=False)
        isolated = isolated_nodes(A)
        if isolated.any():
            plain = sp.csr_array(plain + sp.diags_array(isolated.astype(np.float32)))
        inputs.plain_operator = SparseOperator(plain, symmetric=True, device=device)
    if "edges" in operators:
        coo = sp.coo_array(A)
        inputs.edge_index = torch.from_numpy(
            np.vstack([coo.row, coo.col]).astype(np.int64)).to(device)
    return inputs


class SubgraphInputs:
    """Builds the inputs of sampled subgraphs of one graph, for mini-batch training.

    Holds what every batch reads from the whole graph (its features, kept where they can be
    sliced by rows, and the values of its normalised operators at each stored entry), so
    that a batch's :class:`NodeInputs` costs only its own nodes and edges.

    Parameters
    ----------
    graph : Graph
        The whole graph.
    featureless : {"identity", "degree"}
    device : torch device
    scale : float
        Node features are divided by it (see :func:`feature_scale`).
    adjacency : scipy sparse, default=None
        Message-passing structure instead of ``graph.adjacency``.
    operators : tuple of {"mean", "edges"}
        As for :func:`node_inputs`.
    """

    def __init__(self, graph: Graph, featureless: str, device: torch.device | str,
                 scale: float = 1.0, adjacency: sp.sparray | None = None,
                 operators: tuple[str, ...] = ()) -> None:
        A = sp.csr_array(graph.adjacency if adjacency is None else adjacency, dtype=np.float64)
        A.sort_indices()
        self.adjacency = A
        self.device = device
        self.operators = operators
        self.n_nodes = graph.n_nodes
        self._sparse = None
        self._dense = None
        self._scale = 1.0  # applied to the rows of _dense per batch
        self._divide_first = False
        peak = check_scaled_range(graph.features, scale)
        if graph.features is not None:
            features = graph.features
            if sp.issparse(features):
                self._sparse = sp.csr_array(features / scale if scale != 1.0 else features,
                                            dtype=np.float32)
            elif torch.device(device).type == "cpu":
                # the graph's own rows (no copy of them all); each batch converts and
                # scales its rows as node_inputs does the whole matrix
                self._dense = shared_tensor(np.asarray(features))
                self._scale = scale
                self._divide_first = _divide_first(scale, peak)
            else:
                self._dense = _feature_tensor(features, scale, device, peak)
        elif featureless == "degree":
            self._dense = torch.as_tensor(degree_features(A), device=device)
        # the values of each operator at every stored entry (what a sampled edge carries)
        rows = np.repeat(np.arange(A.shape[0], dtype=np.int32), np.diff(A.indptr))
        degree = np.asarray(A.sum(axis=1)).ravel()
        with_loops = degree + 1.0  # GCN's D^-1/2 (A + I) D^-1/2 on the whole graph
        values = {"gcn": lambda: A.data / np.sqrt(with_loops[rows] * with_loops[A.indices]),
                  "mean": lambda: A.data / np.where(degree > 0, degree, 1.0)[rows],
                  # stored entries have d > 0 at both ends
                  "plain": lambda: A.data / np.sqrt(degree[rows] * degree[A.indices])}
        needed = {"gcn"} | {name for name in ("mean", "plain") if name in operators}
        for name in ("gcn", "mean", "plain"):
            value = values[name]() if name in needed else None
            setattr(self, f"{name}_values", None if value is None else torch.as_tensor(
                value, dtype=torch.float32, device=device))
        self.gcn_diagonal = torch.as_tensor(1.0 / with_loops, dtype=torch.float32, device=device)
        isolated = isolated_nodes(A)
        self.plain_diagonal = (torch.as_tensor(isolated, dtype=torch.float32, device=device)
                               if isolated.any() else None)

    def features(self, nodes: torch.Tensor):
        """The input rows of ``nodes``."""
        if self._dense is not None:
            rows = self._dense.index_select(0, nodes)
            if self._divide_first:
                return rows.double().div_(self._scale).to(torch.float32)
            rows = rows.to(torch.float32)
            return rows.div_(self._scale) if self._scale != 1.0 else rows
        if self._sparse is not None:
            rows = self._sparse[nodes.cpu().numpy()]
            return _feature_tensor(rows, 1.0, self.device)
        return IdentityFeatures(self.n_nodes, nodes)

    def __call__(self, sub, *, layered: bool = False) -> NodeInputs:
        """The :class:`NodeInputs` of a :class:`~skgraph._neighbour_sampling.SampledSubgraph`:
        its nodes' features and the sampled operators, each entry of the whole graph's
        operator scaled by ``d / k`` (unbiased for the whole graph's aggregation).

        With ``layered=True`` each operator is a list with one per hop, trimmed to the rows
        the next hop reads (see ``SampledSubgraph.layer_operators``; the last one's rows are
        the seeds), and GCN's operator is built only when no other one was asked for.
        """
        build = sub.layer_operators if layered else sub.operator
        gcn = not layered or not set(self.operators) & {"mean", "plain", "edges"}
        inputs = NodeInputs(self.features(sub.nodes),
                            build(self.gcn_values, self.gcn_diagonal) if gcn else None,
                            sub.n_nodes)
        if "mean" in self.operators:
            inputs.mean_operator = build(self.mean_values)
        if "plain" in self.operators:
            inputs.plain_operator = build(self.plain_values, self.plain_diagonal)
        if "edges" in self.operators:
            inputs.edge_index = torch.stack([sub.source, sub.target])
        return inputs

    def chunked(self, rows_per_chunk: int | None = None) -> NodeInputs:
        """The whole graph's inputs, exact, built ``rows_per_chunk`` rows at a time (None:
        65,536).

        Its features' ``@ W`` and its operators' ``@ h`` fill their outputs chunk by chunk
        of rows from what this object holds (the graph's rows, each operator's values at
        each stored entry): no scaled copy of the features and no normalised copy of the
        adjacency, as PyG's layer-wise ``inference`` over all nodes. The operators are those
        of :meth:`__call__` but the edge list (attention reads edges, not rows).
        """
        rows = rows_per_chunk or _INFERENCE_ROWS
        col = shared_tensor(self.adjacency.indices).to(self.device)  # one copy for all
        indptr = self.adjacency.indptr.astype(np.int32 if col.dtype == torch.int32
                                              else np.int64, copy=False)

        def operator(values, diagonal=None):
            return _ChunkedOperator(indptr, col, values, diagonal, rows)

        inputs = NodeInputs(_ChunkedFeatures(self, rows),
                            operator(self.gcn_values, self.gcn_diagonal), self.n_nodes)
        if "mean" in self.operators:
            inputs.mean_operator = operator(self.mean_values)
        if "plain" in self.operators:
            inputs.plain_operator = operator(self.plain_values, self.plain_diagonal)
        return inputs


_INFERENCE_ROWS = 65536  # rows per chunk of the layer-wise inference of chunked inputs


class _ChunkedFeatures:
    """A graph's input rows, multiplied by a weight matrix a chunk of rows at a time."""

    def __init__(self, source: SubgraphInputs, rows_per_chunk: int) -> None:
        self.source = source
        self.rows_per_chunk = rows_per_chunk
        self.shape = (source.n_nodes, None)

    def __matmul__(self, weight: torch.Tensor) -> torch.Tensor:
        n = self.source.n_nodes
        out = torch.empty((n, weight.shape[1]), dtype=weight.dtype, device=weight.device)
        for start in range(0, n, self.rows_per_chunk):
            nodes = torch.arange(start, min(n, start + self.rows_per_chunk), device=weight.device)
            out[start:start + len(nodes)] = self.source.features(nodes) @ weight
        return out


class _ChunkedOperator:
    """A normalised operator of a whole graph (``values`` at the stored entries of the CSR
    ``indptr`` / ``col``, both of ``col``'s integer type, and a ``diagonal`` or none)
    applied a chunk of rows at a time."""

    def __init__(self, indptr: np.ndarray, col: torch.Tensor, values: torch.Tensor,
                 diagonal: torch.Tensor | None, rows_per_chunk: int) -> None:
        n = len(indptr) - 1
        self.shape = (n, n)
        self.indptr = indptr
        self.col = col
        self.values = values
        self.diagonal = None if diagonal is None else diagonal.unsqueeze(1)
        self.rows_per_chunk = rows_per_chunk

    def __matmul__(self, dense: torch.Tensor) -> torch.Tensor:
        n = self.shape[0]
        out = torch.empty((n, dense.shape[1]), dtype=dense.dtype, device=dense.device)
        for start in range(0, n, self.rows_per_chunk):
            end = min(n, start + self.rows_per_chunk)
            lo, hi = int(self.indptr[start]), int(self.indptr[end])
            crow = torch.from_numpy(self.indptr[start:end + 1] - lo).to(dense.device)
            rows = csr_tensor(crow, self.col[lo:hi], self.values[lo:hi], (end - start, n))
            out[start:end] = sparse_dense_mm(rows, dense)
            if self.diagonal is not None:
                out[start:end].addcmul_(self.diagonal[start:end], dense[start:end])
        return out
