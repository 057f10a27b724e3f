"""Random walks on a graph's CSR, vectorised in torch: DeepWalk's and node2vec's.

Every walk takes its steps at once with the others. A first-order step draws a neighbour
with probability proportional to the edge weight (uniformly on an unweighted graph);
node2vec's second-order step (return parameter ``p``, in-out parameter ``q``) draws one by
rejection, as KnightKing and pyg-lib do: a neighbour ``x`` of the current node ``v``, drawn
by weight, is kept with probability ``alpha(t, x) / max(alpha)``, where ``t`` is the
previous node and ``alpha`` is ``1 / p`` for ``x == t``, ``1`` for a neighbour of ``t`` and
``1 / q`` otherwise, which draws ``x`` with probability proportional to ``alpha * weight``
(Grover & Leskovec, 2016). Walkers that a few rounds have not served (low acceptance: a hub
under extreme ``p`` or ``q``) draw from all their neighbours' ``alpha * weight`` at once. None of this needs pyg-lib or torch-cluster, which PyG's
``Node2Vec`` does.
"""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp
import torch

__all__ = ["RandomWalker"]

# a second-order step weighs every neighbour of the walkers left once their neighbours
# number at most this many (memory of a few arrays of it), or after this many rounds
_EXACT_ENTRIES = 1 << 20
_MAX_REJECTION_ROUNDS = 20


class RandomWalker:
    """Draws random walks on one graph.

    Parameters
    ----------
    adjacency : scipy sparse of shape (n_nodes, n_nodes)
        Symmetric, with sorted indices (a :class:`~skgraph.Graph`'s); its values weigh the
        steps.
    p, q : float
        node2vec's return and in-out parameters; ``p = q = 1`` is DeepWalk's walk.
    device : torch device, default="cpu"

    Examples
    --------
    >>> import numpy as np, scipy.sparse as sp, torch
    >>> path = sp.csr_array(np.array([[0, 1, 0], [1, 0, 1], [0, 1, 0]], dtype=float))
    >>> walks = RandomWalker(path).walks(torch.tensor([0, 2]), 4, torch.Generator().manual_seed(0))
    >>> walks.shape, walks[:, 1::2].tolist()  # every other node is the middle one
    (torch.Size([2, 4]), [[1, 1], [1, 1]])
    """

    def __init__(self, adjacency: sp.sparray, p: float = 1.0, q: float = 1.0,
                 device: torch.device | str = "cpu") -> None:
        adjacency = sp.csr_array(adjacency)
        if not adjacency.has_sorted_indices:  # the neighbour test searches sorted rows
            adjacency = adjacency.copy()
            adjacency.sort_indices()
        self.n_nodes = adjacency.shape[0]
        self.p, self.q = float(p), float(q)
        self.crow = torch.as_tensor(adjacency.indptr.astype(np.int64), device=device)
        self.col = torch.as_tensor(adjacency.indices.astype(np.int64), device=device)
        self.degree = self.crow[1:] - self.crow[:-1]
        weights = adjacency.data
        self.cumulative = None
        if len(weights) and not np.all(weights == weights[0]):
            # running sums of each row's weights as shares of its total (every row spans a
            # width of 1, whatever the weights' scale elsewhere): a step draws a point in its
            # row's span and finds the entry whose running sum passes it
            rows = np.repeat(np.arange(self.n_nodes), np.diff(adjacency.indptr))
            totals = np.bincount(rows, weights=weights, minlength=self.n_nodes)
            cumulative = np.cumsum(weights / totals[rows], dtype=np.float64)
            self.cumulative = torch.as_tensor(cumulative, device=device)
            starts = np.concatenate([[0.0], cumulative])[adjacency.indptr]
            self.row_start = torch.as_tensor(starts, device=device)
        # sorted keys of the edges, to ask whether x is a neighbour of t
        self.second_order = not (self.p == 1.0 and self.q == 1.0)
        if self.second_order:
            rows = torch.repeat_interleave(torch.arange(self.n_nodes, device=device),
                                           self.degree)
            self.keys = rows * self.n_nodes + self.col
            self.weights = torch.tensor(weights, dtype=torch.float64, device=device)

    def _step(self, nodes: torch.Tensor, generator: torch.Generator | None) -> torch.Tensor:
        """One first-order step from each of ``nodes`` (an isolated node stays)."""
        degree = self.degree[nodes]
        u = torch.rand(len(nodes), dtype=torch.float64, device=nodes.device,
                       generator=generator)
        first = self.crow[nodes]
        if self.cumulative is None:
            offset = (u * degree).long()
        else:
            start = self.row_start[nodes]
            total = self.row_start[nodes + 1] - start
            entry = torch.searchsorted(self.cumulative, start + u * total, right=True)
            offset = entry - first
        offset = torch.minimum(offset, (degree - 1).clamp(min=0))
        entry = (first + offset).clamp(max=max(len(self.col) - 1, 0))
        return torch.where(degree > 0, self.col[entry] if len(self.col) else nodes, nodes)

    def _are_neighbours(self, a: torch.Tensor, b: torch.Tensor) -> torch.Tensor:
        key = a * self.n_nodes + b
        at = torch.searchsorted(self.keys, key).clamp(max=max(len(self.keys) - 1, 0))
        return self.keys[at] == key if len(self.keys) else torch.zeros_like(a, dtype=torch.bool)

    def _biased_step(self, previous: torch.Tensor, current: torch.Tensor,
                     generator: torch.Generator | None) -> torch.Tensor:
        """node2vec's second-order step: by rejection while the walkers left are many or
        at nodes of many neighbours, then exactly (over every neighbour, in blocks of
        bounded memory) for those still waiting, so that every step follows
        ``alpha * weight`` whatever the acceptance (a hub under extreme ``p`` or ``q``)."""
        alphas = self._alphas(current.device)
        ceiling = alphas.max()
        out = current.clone()
        waiting = torch.arange(len(current), device=current.device)
        for round in range(_MAX_REJECTION_ROUNDS):
            if round and int(self.degree[current[waiting]].sum()) <= _EXACT_ENTRIES:
                break  # few enough entries left to weigh them all
            proposal = self._step(current[waiting], generator)
            kind = self._kind(previous[waiting], proposal)
            u = torch.rand(len(waiting), dtype=torch.float64, device=current.device,
                           generator=generator)
            accepted = u * ceiling < alphas[kind]
            out[waiting[accepted]] = proposal[accepted]
            waiting = waiting[~accepted]
            if not len(waiting):
                return out
        entries = torch.cumsum(self.degree[current[waiting]], 0)
        if not len(entries) or int(entries[-1]) <= _EXACT_ENTRIES:
            out[waiting] = self._exact_biased_step(previous[waiting], current[waiting],
                                                   generator)
            return out
        block = torch.div(entries - 1, _EXACT_ENTRIES, rounding_mode="floor").clamp(min=0)
        for b in torch.unique(block).tolist():  # walkers left at hubs: blocks of them
            some = waiting[block == b]
            out[some] = self._exact_biased_step(previous[some], current[some], generator)
        return out

    def _alphas(self, device) -> torch.Tensor:
        return torch.tensor([1.0 / self.p, 1.0, 1.0 / self.q], dtype=torch.float64,
                            device=device)

    def _kind(self, previous: torch.Tensor, proposal: torch.Tensor) -> torch.Tensor:
        """0 for a step back, 1 to a neighbour of the previous node, 2 further away."""
        return torch.where(proposal == previous, 0,
                           torch.where(self._are_neighbours(previous, proposal), 1, 2))

    def _exact_biased_step(self, previous: torch.Tensor, current: torch.Tensor,
                           generator: torch.Generator | None) -> torch.Tensor:
        """The second-order step drawn from every neighbour's ``alpha * weight`` at once
        (work in the degrees of ``current``; an isolated node stays)."""
        degree = self.degree[current]
        owner = torch.repeat_interleave(torch.arange(len(current), device=current.device),
                                        degree)
        first = torch.cumsum(degree, 0) - degree  # each walker's first entry among them all
        entry = self.crow[current][owner] + torch.arange(len(owner), device=current.device) \
            - first[owner]
        neighbour = self.col[entry]
        score = self._alphas(current.device)[self._kind(previous[owner], neighbour)] \
            * self.weights[entry]
        total = torch.zeros(len(current), dtype=torch.float64, device=current.device)
        total.index_add_(0, owner, score)
        # each walker's scores as shares of its total, so that every walker spans a width
        # of 1 in the running sum, whatever the scale of the others' weights
        running = torch.cumsum(score / total[owner], 0)
        last = (first + degree - 1).clamp(min=0)
        below = torch.where(first > 0, running[(first - 1).clamp(min=0)], 0.0) \
            if len(running) else torch.zeros_like(total)
        span = running[last.clamp(max=max(len(running) - 1, 0))] - below \
            if len(running) else torch.zeros_like(total)
        u = torch.rand(len(current), dtype=torch.float64, device=current.device,
                       generator=generator)
        at = torch.searchsorted(running, below + u * span, right=True)
        at = torch.minimum(torch.maximum(at, first), first + degree - 1).clamp(min=0)
        picked = neighbour[at.clamp(max=max(len(neighbour) - 1, 0))] if len(neighbour) \
            else current
        return torch.where(degree > 0, picked, current)

    def walks(self, starts: torch.Tensor, length: int,
              generator: torch.Generator | None = None) -> torch.Tensor:
        """Walks of ``length`` nodes from each of ``starts``: shape ``(len(starts), length)``,
        int64, the start first."""
        out = torch.empty((len(starts), length), dtype=torch.long, device=starts.device)
        out[:, 0] = starts
        for step in range(1, length):
            if self.second_order and step > 1:
                out[:, step] = self._biased_step(out[:, step - 2], out[:, step - 1], generator)
            else:
                out[:, step] = self._step(out[:, step - 1], generator)
        return out

