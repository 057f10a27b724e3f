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
from dataclasses import dataclass
from numbers import Integral
from typing import Any

import numpy as np
import scipy.sparse as sp
import torch

from ._nn._propagation import NeighbourSum

__all__ = ["NeighbourSampler", "SampledSubgraph", "SubgraphOperator"]


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

    @property
    def n_nodes(self) -> int:
        return len(self.nodes)

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
    """``(E + diag(d)) @ h`` for a sampled edge operator ``E`` and a diagonal ``d`` (or none)."""

    def __init__(self, edges: NeighbourSum, diagonal: torch.Tensor | None) -> None:
        self.edges = edges
        self.diagonal = None if diagonal is None else diagonal.unsqueeze(1)
        self.shape = edges.shape

    def __matmul__(self, dense: torch.Tensor) -> torch.Tensor:
        out = self.edges @ dense
        return out if self.diagonal is None else out.addcmul_(self.diagonal, dense)


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

    def __init__(self, adjacency: sp.sparray, fanouts: Sequence[int],
                 device: torch.device | str = "cpu") -> None:
        A = sp.csr_array(adjacency)
        A.sort_indices()
        self.n_nodes = A.shape[0]
        self.fanouts = tuple(int(f) for f in fanouts)
        self.crow = torch.from_numpy(A.indptr.astype(np.int64)).to(device)
        self.col = torch.from_numpy(A.indices.astype(np.int32)).to(device)  # half the bytes
        self.degree = (self.crow[1:] - self.crow[:-1])
        # local numbering of the nodes of the current batch (-1: not reached), reset after use
        self._local = torch.full((self.n_nodes,), -1, dtype=torch.long, device=device)

    def neighbours(self, nodes: torch.Tensor, fanout: int, generator: torch.Generator | None
                   ) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
        """Up to ``fanout`` neighbours of each of ``nodes``, drawn without replacement.

        Returns ``(position, entry, scale)``: for each sampled edge the position in
        ``nodes`` of the node it was sampled from, its entry in the CSR adjacency (whose
        column is the neighbour), and ``d / k``.
        """
        degree = self.degree[nodes]
        total = int(degree.sum())
        device = nodes.device
        position = torch.repeat_interleave(torch.arange(len(nodes), device=device), degree,
                                           output_size=total)
        starts = self.crow[nodes]
        offsets = torch.cumsum(degree, 0) - degree
        entries = (torch.arange(total, device=device)
                   + torch.repeat_interleave(starts - offsets, degree, output_size=total))
        if fanout < 0 or total == 0 or int(degree.max()) <= fanout:
            chosen = torch.ones(total, dtype=torch.bool, device=device)
            kept = degree
        else:
            # random keys, sorted within each node's entries: the first `fanout` of each node
            keys = torch.rand(total, generator=generator, device=device) + position
            order = torch.argsort(keys)
            rank = torch.empty_like(order)
            rank[order] = torch.arange(total, device=device)
            rank -= torch.repeat_interleave(offsets, degree, output_size=total)
            chosen = rank < fanout
            kept = torch.clamp(degree, max=fanout)
        scale = (degree / kept.clamp(min=1)).to(torch.float32)
        position = position[chosen]
        return position, entries[chosen], scale[position]

    def sample(self, seeds: torch.Tensor, generator: torch.Generator | None = None
               ) -> SampledSubgraph:
        """The sampled ``len(fanouts)``-hop neighbourhood of ``seeds`` (distinct node ids)."""
        local = self._local
        nodes = [seeds]
        local[seeds] = torch.arange(len(seeds), device=seeds.device)
        count = len(seeds)
        frontier = seeds
        targets, sources, entries, scales = [], [], [], []
        try:
            for fanout in self.fanouts:
                if len(frontier) == 0:
                    break
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
            all_nodes = torch.cat(nodes)
        finally:
            local[torch.cat(nodes)] = -1
        def joined(parts, dtype=torch.long):
            return torch.cat(parts) if parts else torch.zeros(0, dtype=dtype,
                                                              device=seeds.device)

        return SampledSubgraph(all_nodes, len(seeds), joined(targets), joined(sources),
                               joined(entries), joined(scales, torch.float32))
