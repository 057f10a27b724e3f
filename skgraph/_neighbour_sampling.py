"""Neighbour sampling for mini-batch training, vectorised in torch on the graph's CSR.

For a batch of seed nodes, :class:`NeighbourSampler` draws up to ``fanouts[0]`` neighbours
of each seed without replacement, then up to ``fanouts[1]`` of each newly reached node, and so
on (GraphSAGE's sampling; what PyG's ``NeighborLoader`` does with pyg-lib or torch-sparse,
which this needs neither of). The result is one subgraph per batch, its nodes numbered with
the seeds first, whose sampled edges carry the weights that make each aggregation an
unbiased estimate of the full graph's: an edge of the normalised operator ``S`` sampled as
one of ``k`` of a node's ``d`` neighbours is scaled by ``d / k``. The networks then run on
the subgraph with those operators, and the seeds' outputs are, in expectation, the full
graph's. Everything is linear in the edges sampled plus the degrees of the nodes sampled
from, and repeatable for a torch generator.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from numbers import Integral
from typing import Any

import numpy as np
import scipy.sparse as sp
import torch

from ._nn._propagation import NeighbourSum, _SparseMatmul
from ._nn._sparse import (
    csr_tensor,
    index_dtype,
    row_pointers,
    sorted_csr_index,
    sparse_dense_mm,
)
from ._warnings import warn_caller

__all__ = ["NeighbourSampler", "SampledSubgraph", "SubgraphOperator", "check_batching",
           "checked_fanouts"]


def checked_fanouts(fanouts: Any, hops: int, mismatch: str) -> tuple[int, ...]:
    """An estimator's ``fanouts`` as one int per hop (None: 10 per hop), validated.

    ``mismatch`` ends the error raised when the number of entries is not ``hops``: it says
    where the hops come from and what to give instead.
    """
    if fanouts is None:
        return (10,) * hops
    values = np.atleast_1d(np.asarray(fanouts, dtype=object)).tolist()
    if not all(isinstance(f, Integral) and not isinstance(f, bool) and (f > 0 or f == -1)
               for f in values):
        raise ValueError(f"fanouts must be positive ints (or -1 for every neighbour), got "
                         f"{fanouts!r}.")
    if len(values) != hops:
        raise ValueError(f"fanouts has {len(values)} entries but {mismatch}")
    return tuple(int(f) for f in values)


def check_batching(batch_size: Any, fanouts: Any, checked: Any) -> None:
    """Validate ``fanouts`` (``checked()``, which also counts them against the layers);
    without ``batch_size`` only its values, with a warning that it changes nothing (a
    search may pair one ``fanouts`` with full-batch points of other depths). A boolean
    ``batch_size`` is refused by the parameter constraints."""
    if fanouts is not None:
        if batch_size is not None:
            checked()
        else:
            count = len(np.atleast_1d(np.asarray(fanouts, dtype=object)))
            checked_fanouts(fanouts, count, "")
            warn_caller("fanouts has no effect without batch_size: the fit runs full batch "
                        "over the whole graph; set batch_size to train in mini-batches over "
                        "sampled neighbourhoods.")


@dataclass
class SampledSubgraph:
    """The nodes reached from a batch of seeds and the sampled edges between them.

    ``nodes`` are global node ids, the seeds first (``nodes[:n_seeds]``); ``target`` and
    ``source`` are local ids of the sampled edges (messages flow source -> target),
    ``entry`` their positions among the stored entries of the graph's CSR adjacency, and
    ``scale`` each edge's ``d / k`` (the target's degree over the neighbours sampled from it).
    """

    nodes: torch.Tensor
    n_seeds: int
    target: torch.Tensor
    source: torch.Tensor
    entry: torch.Tensor
    scale: torch.Tensor
    hop_nodes: tuple[int, ...] = ()  # nodes within 0, 1, ... hops of the seeds (cumulative)
    hop_edges: tuple[int, ...] = ()  # edges sampled in hops 1, 2, ... (cumulative)

    @property
    def n_nodes(self) -> int:
        return len(self.nodes)

    def without_edges(self, p: float) -> SampledSubgraph:
        """The same subgraph with each sampled edge removed with probability ``p`` and the
        others' ``scale`` multiplied by ``1 / (1 - p)`` (edge dropout; the nodes stay)."""
        kept = torch.rand(len(self.target), device=self.target.device) >= p
        counts = torch.cumsum(kept, 0)
        return replace(
            self, target=self.target[kept], source=self.source[kept], entry=self.entry[kept],
            scale=self.scale[kept] / (1.0 - p),
            hop_edges=tuple(int(counts[n - 1]) if n else 0 for n in self.hop_edges))

    def layer_operators(self, entry_values: torch.Tensor, diagonal: torch.Tensor | None = None
                        ) -> list[SubgraphOperator]:
        """One operator per layer of a network with ``len(fanouts)`` graph layers, each
        trimmed to the rows the next layer reads (PyG's ``trim_to_layer``).

        The seeds' outputs after ``L`` layers need layer ``k``'s outputs (``k = 1 .. L``)
        only at the nodes within ``L - k`` hops of the seeds, which read their inputs at the
        nodes within ``L - k + 1`` hops along the edges of the first ``L - k + 1`` hops. So
        layer ``k``'s operator is the ``(hop_nodes[L - k], hop_nodes[L - k + 1])`` block of
        :meth:`operator`, its edges a prefix of the sampled ones (they come grouped by hop):
        most nodes are reached in the last hop, and only the first layer reads them.
        """
        n_layers = len(self.hop_edges)
        weights = entry_values[self.entry] * self.scale
        dtype = index_dtype(self.n_nodes, len(self.target))
        # edges come sorted by target, and a layer's edges are those whose targets are its
        # rows: its matrix is a leading block of rows of the whole one (views, no copies)
        crow = row_pointers(self.target.to(dtype), self.n_nodes)
        source = self.source.to(dtype)
        by_source = torch.argsort(self.source, stable=True)  # one sort serves every layer
        operators, built = [], {}
        for k in range(n_layers, 0, -1):  # the first layer reads the most hops
            n_rows, n_cols = self.hop_nodes[k - 1], self.hop_nodes[k]
            n_edges = self.hop_edges[k - 1]  # those whose targets are the n_rows first nodes
            if (n_rows, n_cols) not in built:  # hops that reach no new node repeat a layer
                order = by_source[by_source < n_edges] if n_edges < len(by_source) else by_source
                matrix = csr_tensor(crow[: n_rows + 1], source[:n_edges], weights[:n_edges],
                                    (n_rows, n_cols))
                matrix_t = csr_tensor(row_pointers(source[order], n_cols),
                                      self.target[order].to(dtype), weights[order],
                                      (n_cols, n_rows))
                built[n_rows, n_cols] = SubgraphOperator(
                    matrix, None if diagonal is None else diagonal[self.nodes[:n_rows]],
                    matrix_t=matrix_t)
            operators.append(built[n_rows, n_cols])
        return operators

    def operator(self, entry_values: torch.Tensor, diagonal: torch.Tensor | None = None
                 ) -> SubgraphOperator:
        """The product on the subgraph whose entry ``(target, source)`` is the full operator's
        value there (``entry_values``, one per stored entry of the graph) times ``scale``, and
        ``diagonal`` (one value per node of the graph) on the diagonal; fast backward.

        The sampled edges come grouped by target in increasing local ids (each hop's targets
        are the nodes the previous hop reached, numbered in order), so the product's matrix
        needs no sort; the diagonal is applied apart, keeping that order.
        """
        edges = NeighbourSum(torch.stack([self.source, self.target]), self.n_nodes,
                             entry_values[self.entry] * self.scale)
        return SubgraphOperator(edges, None if diagonal is None else diagonal[self.nodes])


class SubgraphOperator:
    """``(E + diag(d)) @ h`` for a sampled edge operator ``E`` and a diagonal ``d`` (or none).

    ``E`` is a :class:`NeighbourSum`, or a CSR tensor of shape ``(rows, columns)`` with its
    transpose ``matrix_t`` (a layer trimmed to fewer rows than it reads: ``d`` then holds
    one value per row, on the first ``rows`` of ``h``).
    """

    def __init__(self, edges, diagonal: torch.Tensor | None,
                 matrix_t: torch.Tensor | None = None) -> None:
        self.edges = edges
        self.matrix_t = matrix_t
        self.diagonal = None if diagonal is None else diagonal.unsqueeze(1)
        self.shape = tuple(edges.shape)

    def __matmul__(self, dense: torch.Tensor) -> torch.Tensor:
        if self.matrix_t is None:
            out = self.edges @ dense
        elif dense.requires_grad:
            out = _SparseMatmul.apply(self.edges, self.matrix_t, dense)
        else:
            out = sparse_dense_mm(self.edges, dense)
        if self.diagonal is None:
            return out
        return out.addcmul_(self.diagonal, dense[: self.shape[0]])


class NeighbourSampler:
    """Samples the ``len(fanouts)``-hop neighbourhoods of batches of nodes of one graph.

    Parameters
    ----------
    adjacency : scipy sparse of shape (n_nodes, n_nodes)
        Symmetric, as a :class:`~skgraph.Graph`'s.
    fanouts : sequence of int
        Neighbours sampled per node at each hop, from the seeds outwards; ``-1`` takes all.
    device : torch device, default="cpu"

    Examples
    --------
    >>> import numpy as np, scipy.sparse as sp, torch
    >>> star = sp.csr_array((np.ones(8), ([0, 0, 0, 0, 1, 2, 3, 4], [1, 2, 3, 4, 0, 0, 0, 0])))
    >>> sampler = NeighbourSampler(star, fanouts=[2])
    >>> sub = sampler.sample(torch.tensor([0]), torch.Generator().manual_seed(0))
    >>> sub.n_seeds, sub.n_nodes, sub.scale.tolist()  # 2 of the hub's 4 neighbours, each x 2
    (1, 3, [2.0, 2.0])
    >>> sorted(sub.nodes[1:].tolist()) in ([1, 2], [1, 3], [1, 4], [2, 3], [2, 4], [3, 4])
    True
    """

    # nodes sampled from at once, per neighbour drawn, from which Floyd's algorithm is faster
    _FLOYD_FROM = 128

    def __init__(self, adjacency: sp.sparray, fanouts: Sequence[int],
                 device: torch.device | str = "cpu") -> None:
        self.n_nodes = adjacency.shape[0]
        self.fanouts = tuple(int(f) for f in fanouts)
        # the adjacency's own column indices on CPU (int32 unless the graph needs int64)
        self.crow, self.col = sorted_csr_index(adjacency, device)
        self.degree = (self.crow[1:] - self.crow[:-1])
        # local numbering of the nodes of the current batch (-1: not reached), reset after use
        self._local = torch.full((self.n_nodes,), -1, dtype=torch.long, device=device)

    def neighbours(self, nodes: torch.Tensor, fanout: int, generator: torch.Generator | None
                   ) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
        """Up to ``fanout`` neighbours of each of ``nodes``, drawn without replacement.

        Returns ``(position, entry, scale)``: for each sampled edge the position in
        ``nodes`` of the node it was sampled from (in increasing order), its entry in the
        CSR adjacency (whose column is the neighbour), and ``d / k``. A node of degree
        ``d > fanout`` gets a uniform ``fanout``-subset of its entries: for many nodes by
        Floyd's algorithm, vectorised over the nodes (``fanout^2`` per node, whatever its
        degree: three to four times faster than sorting random keys from 10^4 nodes on);
        for a few, where each of Floyd's ``fanout`` rounds costs more in overhead than its
        work, as the first ``fanout`` of each node's entries in an order of random keys.
        """
        device = nodes.device
        degree = self.degree[nodes]
        kept = degree if fanout < 0 else torch.clamp(degree, max=fanout)
        sampled = degree > kept
        scale = (degree / kept.clamp(min=1)).to(torch.float32)
        if len(nodes) < self._FLOYD_FROM * fanout and bool(sampled.any()):
            position, entry = self._sorted_subsets(nodes, degree, fanout, generator)
            return position, entry, scale[position]
        total = int(kept.sum())
        position = torch.repeat_interleave(torch.arange(len(nodes), device=device), kept,
                                           output_size=total)
        # each edge's offset among its node's entries: 0, 1, ... unless the node is sampled
        first = torch.cumsum(kept, 0) - kept
        offset = (torch.arange(total, device=device)
                  - torch.repeat_interleave(first, kept, output_size=total))
        if bool(sampled.any()):
            offset[sampled[position]] = self._subsets(degree[sampled], fanout, generator).ravel()
        return position, self.crow[nodes][position] + offset, scale[position]

    def _sorted_subsets(self, nodes: torch.Tensor, degree: torch.Tensor, fanout: int,
                        generator: torch.Generator | None) -> tuple[torch.Tensor, torch.Tensor]:
        """``(position, entry)`` of the first ``fanout`` entries of each node in an order of
        random keys: uniform subsets in a constant number of steps, linear in the degrees."""
        device = nodes.device
        total = int(degree.sum())
        position = torch.repeat_interleave(torch.arange(len(nodes), device=device), degree,
                                           output_size=total)
        first = torch.cumsum(degree, 0) - degree
        entry = (torch.arange(total, device=device)
                 + torch.repeat_interleave(self.crow[nodes] - first, degree, output_size=total))
        order = torch.argsort(torch.rand(total, generator=generator, device=device) + position)
        rank = torch.empty_like(order)
        rank[order] = torch.arange(total, device=device)
        chosen = rank < torch.repeat_interleave(first, degree, output_size=total) + fanout
        return position[chosen], entry[chosen]

    @staticmethod
    def _subsets(degree: torch.Tensor, k: int, generator: torch.Generator | None
                 ) -> torch.Tensor:
        """A uniform ``k``-subset of ``range(d)`` for each ``d`` of ``degree`` (all ``> k``),
        as the sorted rows of a ``(len(degree), k)`` tensor (Floyd's algorithm: the ``i``-th
        draw is uniform on ``0 .. d - k + i``, replaced by ``d - k + i`` if already taken)."""
        chosen = torch.empty((len(degree), k), dtype=torch.long, device=degree.device)
        for i in range(k):
            upper = degree - (k - i)
            draw = torch.rand(len(degree), generator=generator, device=degree.device,
                              dtype=torch.float32 if degree.device.type == "mps"
                              else torch.float64)  # MPS has no float64
            draw = torch.minimum((draw * (upper + 1)).long(), upper)
            if i:
                taken = (chosen[:, :i] == draw.unsqueeze(1)).any(1)
                draw = torch.where(taken, upper, draw)
            chosen[:, i] = draw
        return torch.sort(chosen, dim=1).values

    def sample(self, seeds: torch.Tensor, generator: torch.Generator | None = None
               ) -> SampledSubgraph:
        """The sampled ``len(fanouts)``-hop neighbourhood of ``seeds`` (distinct node ids)."""
        local = self._local
        nodes = [seeds]
        local[seeds] = torch.arange(len(seeds), device=seeds.device)
        count = len(seeds)
        frontier = seeds
        targets, sources, entries, scales = [], [], [], []
        hop_nodes, hop_edges = [count], []
        try:
            for fanout in self.fanouts:
                if len(frontier) == 0:  # nothing new to sample from: later hops add nothing
                    hop_nodes.append(count)
                    hop_edges.append(hop_edges[-1] if hop_edges else 0)
                    continue
                position, entry, scale = self.neighbours(frontier, fanout, generator)
                neighbour = self.col[entry].long()
                new = torch.unique(neighbour[local[neighbour] < 0])
                local[new] = torch.arange(count, count + len(new), device=seeds.device)
                count += len(new)
                nodes.append(new)
                targets.append(local[frontier[position]])
                sources.append(local[neighbour])
                entries.append(entry)
                scales.append(scale)
                frontier = new
                hop_nodes.append(count)
                hop_edges.append(len(entry) + (hop_edges[-1] if hop_edges else 0))
            all_nodes = torch.cat(nodes)
        finally:
            local[torch.cat(nodes)] = -1
        def joined(parts, dtype=torch.long):
            return torch.cat(parts) if parts else torch.zeros(0, dtype=dtype,
                                                              device=seeds.device)

        return SampledSubgraph(all_nodes, len(seeds), joined(targets), joined(sources),
                               joined(entries), joined(scales, torch.float32),
                               tuple(hop_nodes), tuple(hop_edges))
