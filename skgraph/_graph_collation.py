"""A sequence of graphs collated once into flat tensors: validation, features, batches.

What every graph-level estimator shares before its network: each graph validated (through
:func:`~skgraph.as_graph`), its node features (plus random-walk return probabilities)
stacked, its edges in local node ids, mini-batches sliced from them without copying the
graphs again, and the per-column scaling of the node features.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from contextlib import nullcontext
from dataclasses import dataclass
from typing import Any

import numpy as np
import scipy.sparse as sp
import torch
from threadpoolctl import threadpool_limits

from ._device import torch_state
from ._feature_names import shared_feature_names
from ._graph import Graph, _is_instance_of, as_graph, check_complete_features, is_single_graph
from ._nn._propagation import NeighbourSum
from ._structural_encodings import (
    LARGE_FOR_WALKS,
    degree_features,
    return_probabilities,
)
from ._structural_encodings import unit_weights as _wiring  # what the networks read
from ._warnings import warn_caller

# Inference processes graphs in chunks of at most this many nodes (or one larger graph).
_INFERENCE_NODES = 200_000


# -- a collated set of graphs ---------------------------------------------------
@dataclass
class _CollatedGraphs:
    """Many graphs stored once as flat tensors, from which mini-batches are sliced cheaply.

    ``x`` holds every node's features, graph after graph; ``edge_index`` every graph's
    edges (both directions) in *local* node ids, graph after graph, each graph's sorted by
    source (its adjacency's CSR order); ``edge_attr`` their features in the same order (or
    None); ``node_ptr`` and ``edge_ptr`` are the start offsets of each graph (CSR style).
    """

    x: torch.Tensor
    edge_index: torch.Tensor
    node_ptr: torch.Tensor
    edge_ptr: torch.Tensor
    edge_attr: torch.Tensor | None = None
    n_weighted: int = 0  # graphs whose edge weights are not all 1 (the networks read
    # the wiring, not the weights)
    feature_names: np.ndarray | None = None  # the graphs' shared feature names, if named

    @property
    def n_graphs(self) -> int:
        return len(self.node_ptr) - 1

    @property
    def n_edge_features(self) -> int:
        return 0 if self.edge_attr is None else self.edge_attr.shape[1]

    def to(self, device: torch.device) -> _CollatedGraphs:
        return _CollatedGraphs(self.x.to(device), self.edge_index.to(device),
                               self.node_ptr.to(device), self.edge_ptr.to(device),
                               None if self.edge_attr is None else self.edge_attr.to(device))

    def batch(self, graph_ids: torch.Tensor, neighbour_sum: bool = False) -> tuple:
        """The block-diagonal mini-batch of ``graph_ids``:
        ``x, edge_index, batch, n_graphs, edge_attr`` (``edge_attr`` None without edge
        features).

        With ``neighbour_sum`` the edges come as a :class:`NeighbourSum`, for every layer and
        network to share: one matrix, its own transpose (the graphs are undirected), built
        without sorting (the edges are sorted by source).
        """
        n_nodes = self.node_ptr[graph_ids + 1] - self.node_ptr[graph_ids]
        n_edges = self.edge_ptr[graph_ids + 1] - self.edge_ptr[graph_ids]
        total_nodes, total_edges = (int(t) for t in torch.stack([n_nodes.sum(), n_edges.sum()]))
        nodes = _concatenated_ranges(self.node_ptr[graph_ids], n_nodes, total_nodes)
        edges = _concatenated_ranges(self.edge_ptr[graph_ids], n_edges, total_edges)
        new_starts = torch.cumsum(n_nodes, 0) - n_nodes
        shift = torch.repeat_interleave(new_starts, n_edges, output_size=total_edges)
        edge_index = self.edge_index[:, edges] + shift
        positions = torch.arange(len(graph_ids), device=graph_ids.device)
        batch = torch.repeat_interleave(positions, n_nodes, output_size=total_nodes)
        if neighbour_sum:
            edge_index = NeighbourSum(edge_index, total_nodes, symmetric=True)
        edge_attr = None if self.edge_attr is None else self.edge_attr[edges]
        return self.x[nodes], edge_index, batch, len(graph_ids), edge_attr


def _concatenated_ranges(starts: torch.Tensor, counts: torch.Tensor, total: int) -> torch.Tensor:
    """``cat([arange(s, s + c) for s, c in zip(starts, counts)])`` without a Python loop."""
    offsets = torch.cumsum(counts, 0) - counts
    return (torch.arange(total, device=starts.device)
            + torch.repeat_interleave(starts - offsets, counts, output_size=total))


def _check_graph_sequence(graphs: Any, what: str = "X") -> list:
    """The items of a sequence of graphs (a PyG ``Batch``: its graphs); a single graph
    passed instead is a TypeError."""
    if callable(getattr(graphs, "to_data_list", None)) and hasattr(graphs, "num_graphs"):
        graphs = graphs.to_data_list()
    if _is_instance_of(graphs, "torch.utils.data", "DataLoader"):
        raise TypeError(f"{what} is a DataLoader, which yields batches; pass its dataset "
                        "(loader.dataset): the estimators batch the graphs themselves "
                        "(batch_size).")
    if is_single_graph(graphs):
        raise TypeError(f"{what} must be a sequence of graphs (e.g. a list), one per sample; got a "
                        f"single graph ({type(graphs).__name__}). Wrap it in a list: [graph].")
    if isinstance(graphs, Mapping):  # iterating would give its keys
        raise TypeError(f"{what} must be a sequence of graphs (e.g. a list), got a "
                        f"{type(graphs).__name__}; pass list(mapping.values()) for its values.")
    if not isinstance(graphs, Iterable) and hasattr(graphs, "__len__") \
            and hasattr(graphs, "__getitem__"):  # a torch Subset (random_split), say
        graphs = [graphs[k] for k in range(len(graphs))]
    if isinstance(graphs, (str, bytes)) or not isinstance(graphs, Iterable):
        raise TypeError(f"{what} must be a sequence of graphs (e.g. a list), got "
                        f"{type(graphs).__name__}.")
    items = list(graphs)
    if not items:
        raise ValueError(f"{what} is empty: expected at least one graph.")
    return items


def read_graphs(X: Any, what: str = "X") -> list[Graph]:
    """The graphs of the sequence ``X``, each read by :func:`as_graph`; one that cannot be
    read is named by its position."""
    graphs = []
    for i, item in enumerate(_check_graph_sequence(X, what)):
        try:
            graphs.append(as_graph(item))
        except (TypeError, ValueError) as exc:
            raise type(exc)(f"{what}[{i}] is not a valid graph: {exc}") from None
    return graphs


def shared_width(graphs: Sequence[Graph]) -> int:
    """The node feature width every one of ``graphs`` has (a ValueError where they differ)."""
    widths = {graph.n_features for graph in graphs}
    if len(widths) > 1:
        raise ValueError(f"the graphs have node features of different widths {sorted(widths)}; "
                         "every graph needs the same width.")
    return widths.pop()


def check_fitted_width(graphs: Sequence[Graph], width: int, estimator: str,
                       single: bool = False) -> None:
    """Refuse graphs whose node feature width is not ``width``, the one fitted on."""
    for i, graph in enumerate(graphs):
        if graph.n_features != width:
            where = "X" if single else f"X[{i}]"
            raise ValueError(f"{where} has {graph.n_features} node features, but {estimator} "
                             f"was fitted on {width}.")


def _node_features(graph: Graph, wiring: sp.csr_array) -> np.ndarray:
    """Dense node features, in their own float dtype; ``[1, log(1 + degree)]`` for a
    featureless graph (the number of neighbours in ``wiring``, its :func:`_wiring`: edge
    weights are not read)."""
    if graph.features is None:
        return degree_features(wiring)
    features = graph.features
    return features.toarray() if sp.issparse(features) else features


def _check_float32_range(values: np.ndarray, what: str) -> None:
    """The networks compute in float32: a value finite in float64 but beyond float32's
    range (about 3.4e38) would become inf there."""
    if np.abs(values).max(initial=0) > np.finfo(np.float32).max:
        raise ValueError(f"{what} hold values too large for float32 (beyond "
                         f"{np.finfo(np.float32).max:.3g} in absolute value), which the "
                         "networks compute in; rescale them.")


def _collate(graphs: Sequence[Any], width: int | None, what: str, walk_steps: int,
             edge_width: int | None = None, estimator: str = "the estimator"
             ) -> tuple[_CollatedGraphs, int]:
    """Validate every graph (through ``as_graph``) and store them as flat CPU tensors.

    Node and edge features keep their float dtype (float64 unless every graph's are
    float32; the random-walk columns are float32 values), for :func:`_scale_features` to
    subtract offsets before the cast to float32.

    ``width`` is the node feature width every graph must have (``None``: the first's);
    returns the collated graphs and that width (0 for featureless graphs). Each node's
    features are followed by its ``walk_steps`` random-walk return probabilities.
    ``edge_width`` is the edge feature width every graph with edges must have (``None``:
    the first such graph's; 0: none); a graph without edges fits any. ``estimator``
    names the estimator in the error about missing feature values.
    """
    # many small eigendecompositions, where BLAS threads only contend; entering the limit
    # costs about a millisecond, so only when there are walks to compute
    limit = threadpool_limits(limits=1, user_api="blas") if walk_steps else nullcontext()
    with torch_state(), limit:  # the BLAS thread setting is process-wide too
        return _collate_graphs(graphs, width, what, walk_steps, edge_width, estimator)


def _collate_graphs(graphs: Sequence[Any], width: int | None, what: str, walk_steps: int,
                    edge_width: int | None, estimator: str) -> tuple[_CollatedGraphs, int]:
    xs, edges, edge_features, n_nodes, n_edges, n_weighted = [], [], [], [], [], 0
    feature_names = []
    warned_walks = False
    expected, expected_edges = width, edge_width
    for i, item in enumerate(graphs):
        try:
            graph = as_graph(item)
        except (TypeError, ValueError) as exc:
            raise type(exc)(f"{what}[{i}] is not a valid graph: {exc}") from None
        feature_names.append(graph.feature_names)
        if graph.is_view:
            raise ValueError(
                f"{what}[{i}] is a node view (G[idx], {len(graph)} of the {graph.n_nodes} nodes "
                "of one graph): a node view selects nodes of a graph, while graph-level "
                "estimators take whole graphs. Pass view.whole() for its whole graph, or "
                "Graph(G.adjacency[idx][:, idx], G.features[idx]) for the subgraph its nodes "
                "induce.")
        origin = "the first graph" if width is None else "the training graphs"
        if expected is None:
            expected = graph.n_features
        elif graph.n_features != expected:
            raise ValueError(f"{what}[{i}] has {graph.n_features} node features but {origin} "
                             f"had {expected}; every graph needs the same feature width "
                             "(0 for featureless graphs).")
        check_complete_features(graph, estimator, f" in {what}[{i}]")
        if graph.n_edges:  # a graph without edges fits any edge feature width
            if expected_edges is None:
                expected_edges, edge_origin = graph.n_edge_features, i
            elif graph.n_edge_features != expected_edges:
                source = ("the training graphs" if edge_width is not None
                          else f"{what}[{edge_origin}], the first graph with edges,")
                raise ValueError(f"{what}[{i}] has {graph.n_edge_features} edge features but "
                                 f"{source} had {expected_edges}; every graph with edges "
                                 "needs the same edge feature width (0 for none).")
        adjacency = graph.adjacency
        coo = adjacency.tocoo()  # the CSR order: aligned with the edge features
        if graph.features is not None:
            _check_float32_range(graph.features.data if sp.issparse(graph.features)
                                 else graph.features, f"{what}[{i}]'s node features")
        if graph.n_edges and graph.n_edge_features:
            _check_float32_range(graph.edge_features, f"{what}[{i}]'s edge features")
        wiring = _wiring(adjacency)
        features = _node_features(graph, wiring)
        if walk_steps:
            if graph.n_nodes > LARGE_FOR_WALKS and not warned_walks:
                warned_walks = True
                warn_caller(
                    f"{what}[{i}] has {graph.n_nodes} nodes: its random-walk encoding costs "
                    "about random_walk_encoding x edges x nodes (about a minute at 20,000 "
                    "nodes of 10 neighbours, growing with the square of the size); set "
                    "random_walk_encoding=0 for graphs this large.")
            features = np.hstack([features, return_probabilities(wiring, walk_steps)])
        xs.append(features)
        edges.append(np.vstack([coo.row, coo.col]))
        edge_features.append(graph.edge_features if graph.n_edges else None)
        n_nodes.append(graph.n_nodes)
        n_edges.append(coo.nnz)
        n_weighted += wiring is not adjacency
    ptr = [torch.from_numpy(np.concatenate([[0], np.cumsum(n)]).astype(np.int64))
           for n in (n_nodes, n_edges)]
    edge_attr = None
    if expected_edges:
        edge_attr = torch.from_numpy(np.concatenate(
            [np.zeros((0, expected_edges), np.float32) if e is None else e
             for e in edge_features]))
    collated = _CollatedGraphs(torch.from_numpy(np.concatenate(xs)),
                               torch.from_numpy(np.hstack(edges).astype(np.int64)), *ptr,
                               edge_attr=edge_attr, n_weighted=n_weighted,
                               feature_names=shared_feature_names(feature_names))
    return collated, expected


# Standardised values of real-valued columns are clipped to this many standard deviations.
_CLIP_STDS = 3.0


def _feature_scaling(x: torch.Tensor, row_weights: torch.Tensor | None = None
                     ) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """Per-column ``(offset, scale, bound)``: ``clip((x - offset) / scale, -bound, bound)``.

    Constant columns are left unchanged (offset 0, scale 1, no bound: a constant input
    still counts neighbours under sum aggregation); two-valued columns (e.g. one-hot
    labels) are mapped to ``{0, 1}``, smallest value to 0 (no bound); every other column
    is standardised to zero mean and unit variance and clipped to ``_CLIP_STDS`` standard
    deviations, so that a few outlying values (summed over neighbours and nodes) cannot
    dominate. Statistics are computed, and returned, in float64 over all rows of ``x``,
    each row counted by its ``row_weights`` when given (a graph's weight in the loss, on each
    of its nodes or edges: a graph of weight 2 counts as two copies of it).
    """
    x = x.double()
    w = None if row_weights is None else row_weights.double()
    offset = torch.zeros(x.shape[1], dtype=torch.float64)
    scale = torch.ones(x.shape[1], dtype=torch.float64)
    bound = torch.full((x.shape[1],), math.inf, dtype=torch.float64)
    for j in range(x.shape[1]):
        column = x[:, j]
        low, high = column.min(), column.max()
        if high <= low:
            continue
        if not torch.any((column != low) & (column != high)):
            offset[j], scale[j] = low, high - low
        else:
            if w is None:
                mean, std = column.mean(), column.std(unbiased=False)
            else:
                mean = (w * column).sum() / w.sum()
                std = ((w * (column - mean) ** 2).sum() / w.sum()).sqrt()
            if std > 0:
                offset[j], scale[j], bound[j] = mean, std, _CLIP_STDS
    return offset, scale, bound


_SCALING_ROWS = 1 << 16  # rows scaled at a time in float64: the temporaries stay small


def _scale_features(x: torch.Tensor, offset: np.ndarray | None, scale: np.ndarray | None,
                    bound: np.ndarray | None, float32_from: int | None = None) -> torch.Tensor:
    """``clip((x - offset) / scale, -bound, bound)`` as a new float32 tensor, or ``x`` in
    float32 when ``offset`` is None.

    Float64 columns are scaled in float64 and only then cast: in float32 a column with a
    large offset relative to its spread (values around 1e4 that differ by 1) would lose its
    spread to rounding. Float32 columns, already at float32's resolution, are scaled in
    float32: those of a float32 ``x`` and, of a float64 one, the columns from
    ``float32_from`` on (the random-walk encoding). Float32 statistics (a model fitted by
    skgraph 0.1) keep the float32 arithmetic their model was fitted with.
    """
    if offset is None:
        return x.float()
    split = x.shape[1] if float32_from is None else float32_from
    if x.dtype == torch.float32 or offset.dtype == np.float32 or split == 0:
        return _standardised(x, offset, scale, bound, torch.float32)
    out = torch.empty(x.shape, dtype=torch.float32)
    if split < x.shape[1]:
        out[:, split:] = _standardised(x[:, split:], offset[split:], scale[split:],
                                       None if bound is None else bound[split:], torch.float32)
    head = (offset[:split], scale[:split], None if bound is None else bound[:split])
    for start in range(0, len(x), _SCALING_ROWS):
        rows = slice(start, start + _SCALING_ROWS)
        out[rows, :split] = _standardised(x[rows, :split], *head, torch.float64)
    return out


def _standardised(x: torch.Tensor, offset: np.ndarray, scale: np.ndarray,
                  bound: np.ndarray | None, dtype: torch.dtype) -> torch.Tensor:
    """``clip((x - offset) / scale, -bound, bound)`` computed in ``dtype`` (a new tensor)."""
    out = x.to(dtype) - torch.from_numpy(offset).to(dtype)
    out /= torch.from_numpy(scale).to(dtype)
    if bound is not None:
        limit = torch.from_numpy(bound).to(dtype)
        out.clamp_(-limit, limit)
    return out


def _chunks(node_ptr: torch.Tensor, budget: int) -> list[torch.Tensor]:
    """Consecutive graph ids in chunks of about ``budget`` nodes (at least one graph each)."""
    ends = node_ptr[1:].numpy()
    chunks, start = [], 0
    while start < len(ends):
        base = node_ptr[start].item()
        stop = max(start + 1, int(np.searchsorted(ends, base + budget, side="right")))
        chunks.append(torch.arange(start, stop))
        start = stop
    return chunks


def _batches(order: torch.Tensor, batch_size: int) -> list[torch.Tensor]:
    """``order`` in consecutive mini-batches; a last batch of one graph joins the previous
    one (batch norm needs more than one value)."""
    starts = list(range(0, len(order), batch_size))
    if len(starts) > 1 and len(order) - starts[-1] == 1:
        starts.pop()
    return [order[a:b] for a, b in zip(starts, starts[1:] + [len(order)])]
