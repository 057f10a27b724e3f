"""The edges of one graph: listing, removing, splitting off, and sampling non-edges.

Everything that holds out edges or draws node pairs that are not edges lives here, for
:func:`~skgraph.model_selection.train_test_split_edges`, :func:`~skgraph.model_selection.link_pairs`,
:class:`~skgraph.NodePairs` and the auto-encoders' training (negatives) and validation
(held-out edges). One sampler, :class:`NonEdgeSampler`, draws non-edges in the two forms
needed: i.i.d. ordered pairs as sorted keys in torch (training negatives, every epoch) and
distinct unordered pairs in NumPy (held-out negatives, once).
"""

from __future__ import annotations

import math

import numpy as np
import scipy.sparse as sp
import torch
from scipy.sparse import csgraph

from ._nn._sparse import sorted_csr_index

__all__ = ["EdgeSet", "NonEdgeSampler", "remove_edges", "split_edges", "two_sided",
           "upper_edges"]


def upper_edges(adjacency: sp.sparray, *, weights: bool = False):
    """Each undirected edge once, as ``(i, j)`` with ``i < j``, in row-major order.

    Returns
    -------
    ndarray of shape (n_edges, 2), int64
        The edges; with ``weights=True``, a tuple of them and their weights.
    """
    upper = sp.triu(adjacency, k=1, format="coo")
    pairs = np.column_stack([upper.row, upper.col]).astype(np.int64)
    return (pairs, upper.data) if weights else pairs


def pair_pattern(pairs: np.ndarray, n: int) -> sp.csr_array:
    """The node pairs ``pairs`` (an ``(m, 2)`` array) as an ``n x n`` CSR of ones, in both
    directions (a pair listed twice, or both ways, is still one entry of 1)."""
    pattern = sp.csr_array((np.ones(2 * len(pairs)), (np.r_[pairs[:, 0], pairs[:, 1]],
                                                      np.r_[pairs[:, 1], pairs[:, 0]])),
                           shape=(n, n))
    pattern.data[:] = 1.0
    return pattern


def remove_edges(adjacency: sp.sparray, pairs: np.ndarray) -> sp.csr_array:
    """``adjacency`` without the node pairs ``pairs`` (an ``(m, 2)`` array), in both directions.

    Pairs that are not edges are ignored. Returns a new CSR array with sorted indices and no
    explicit zeros.
    """
    A = sp.csr_array(adjacency)
    if len(pairs) == 0:
        return A
    mask = pair_pattern(pairs, A.shape[0])
    reduced = sp.csr_array(A - A.multiply(mask))
    reduced.eliminate_zeros()
    reduced.sort_indices()
    return reduced


def two_sided(adjacency: sp.sparray) -> bool:
    """Whether a graph is bipartite (no cycle of odd length) and not a forest: a user-item
    graph, say, where every edge joins the two sides and uniform non-edges are mostly pairs
    within one side. Colours by the parity of the BFS depth from a root joined to one node of
    each connected component (by pointer jumping over the BFS tree, vectorised)."""
    A = sp.csr_array(adjacency)
    n = A.shape[0]
    n_components, labels = csgraph.connected_components(A, directed=False)
    if A.nnz // 2 <= n - n_components:  # a forest: bipartite, but no sign of two kinds
        return False  # (symmetric, no self loops: each edge stored twice)
    firsts = np.unique(labels, return_index=True)[1]
    entries = A.tocoo()
    rows = np.r_[entries.row, np.full(len(firsts), n)]
    rooted = sp.csr_array((np.ones(len(rows)), (rows, np.r_[entries.col, firsts])),
                          shape=(n + 1, n + 1))
    _, parent = csgraph.breadth_first_order(rooted, n, directed=False, return_predecessors=True)
    parent[n] = n
    parity = np.ones(n + 1, dtype=np.int8)
    parity[n] = 0
    ancestor = parent.astype(np.int64)
    while (ancestor != n).any():  # parity to the root, doubling the reach each round
        parity ^= parity[ancestor]
        ancestor = ancestor[ancestor]
    return bool((parity[entries.row] != parity[entries.col]).all())


class EdgeSet:
    """The directed pairs of an adjacency, for membership tests of keys ``i * n + j``.

    It reads the adjacency's own CSR arrays (shared, not copied, on CPU) and keeps next to
    them a coarse bitmap of the key range (one bit per bucket of consecutive keys, about 32
    bits per edge): a query whose bucket holds no edge is answered from the bitmap, and only
    the few others are looked up exactly, by a binary search in their row. On sorted
    queries the bitmap is read in order, so the test is a handful of streaming passes.
    """

    _BITS_PER_EDGE = 32
    _ENTRIES_PER_BLOCK = 1 << 22  # keys built for the bitmap a block of rows at a time

    def __init__(self, adjacency: sp.sparray, device: torch.device | str = "cpu") -> None:
        n = adjacency.shape[0]
        self.n_nodes = n
        self.crow, self.col = sorted_csr_index(adjacency, device)
        self.n_entries = len(self.col)
        degree = self.crow[1:] - self.crow[:-1]
        self._search_steps = int(degree.max()).bit_length() if n else 0
        n_bits = max(64, min(n * n, self._BITS_PER_EDGE * self.n_entries))
        self._bucket_width = -(-n * n // n_bits)  # ceil: keys 0 .. n^2 - 1 fit the bitmap
        self._bitmap = torch.zeros(-(-n_bits // 64) + 1, dtype=torch.long, device=device)
        last = -1  # the last bucket set: buckets come in order, and may span two blocks
        for first_row, end_row in _row_blocks(self.crow.cpu().numpy(), self._ENTRIES_PER_BLOCK):
            rows = torch.arange(first_row, end_row, device=device)
            lo, hi = int(self.crow[first_row]), int(self.crow[end_row])
            keys = torch.repeat_interleave(rows * n, degree[first_row:end_row],
                                           output_size=hi - lo)
            keys += self.col[lo:hi]
            buckets = torch.unique_consecutive(keys.div_(self._bucket_width,
                                                         rounding_mode="floor"))
            if len(buckets) and int(buckets[0]) == last:
                buckets = buckets[1:]
            if len(buckets):
                last = int(buckets[-1])
                # distinct powers of two per word: their sum is their bitwise or
                self._bitmap.index_add_(0, buckets >> 6,
                                        torch.ones_like(buckets) << (buckets & 63))

    def contains(self, src: torch.Tensor, dst: torch.Tensor) -> torch.Tensor:
        """Whether each pair ``(src[k], dst[k])`` is an edge."""
        keys, order = torch.sort(src * self.n_nodes + dst)
        found = torch.empty_like(keys, dtype=torch.bool)
        # sorted queries read the bitmap in order: several times faster than random-order
        # lookups on large graphs (cache locality)
        found[order] = self.contains_sorted_keys(keys)
        return found

    def contains_sorted_keys(self, keys: torch.Tensor) -> torch.Tensor:
        """Whether each key ``i * n + j`` is an edge (fastest when ``keys`` are sorted)."""
        if self.n_entries == 0:
            return torch.zeros_like(keys, dtype=torch.bool)
        buckets = torch.div(keys, self._bucket_width, rounding_mode="floor")
        found = (self._bitmap[buckets >> 6] >> (buckets & 63)).bitwise_and_(1).bool()
        candidates = found.nonzero().squeeze(1)
        queries = keys[candidates]
        found[candidates] = self._in_rows(torch.div(queries, self.n_nodes, rounding_mode="floor"),
                                          torch.remainder(queries, self.n_nodes))
        return found

    def _in_rows(self, rows: torch.Tensor, cols: torch.Tensor) -> torch.Tensor:
        """Whether ``cols[k]`` is among the sorted column indices of row ``rows[k]``: one
        vectorised binary search, as many halvings as the largest row needs."""
        lo, end = self.crow[rows], self.crow[rows + 1]
        hi = end.clone()
        last = self.n_entries - 1
        for _ in range(self._search_steps):
            mid = (lo + hi) >> 1
            active = lo < hi
            right = active & (self.col[mid.clamp(max=last)] < cols)
            lo = torch.where(right, mid + 1, lo)
            hi = torch.where(active & ~right, mid, hi)
        return (lo < end) & (self.col[lo.clamp(max=last)] == cols)


def _row_blocks(indptr: np.ndarray, entries: int):
    """Consecutive ranges of rows ``(first, end)`` holding about ``entries`` stored entries each."""
    n = len(indptr) - 1
    first = 0
    while first < n:
        end = int(np.searchsorted(indptr, indptr[first] + entries, side="right")) - 1
        end = min(n, max(end, first + 1))
        yield first, end
        first = end


class NonEdgeSampler:
    """Uniform node pairs ``(i, j)``, ``i != j``, that are not edges of a graph.

    Parameters
    ----------
    adjacency : scipy sparse of shape (n_nodes, n_nodes)
        Symmetric, as a :class:`~skgraph.Graph`'s.
    device : torch device, default="cpu"
        Where :meth:`training_keys` draws (the membership index lives there).
    """

    def __init__(self, adjacency: sp.sparray, device: torch.device | str = "cpu") -> None:
        self.adjacency = sp.csr_array(adjacency)
        self.n_nodes = self.adjacency.shape[0]
        self.n_entries = self.adjacency.nnz
        self.device = torch.device(device)
        self._edges: EdgeSet | None = None
        self._upper = None

    @property
    def edges(self) -> EdgeSet:
        """The graph's directed pairs, indexed for membership tests on :attr:`device`."""
        if self._edges is None:
            self._edges = EdgeSet(self.adjacency, self.device)
        return self._edges

    def _upper_keys(self) -> np.ndarray:
        if self._upper is None:
            self._upper = np.sort(upper_edges(self.adjacency) @ np.array([self.n_nodes, 1],
                                                                        dtype=np.int64))
        return self._upper

    def training_keys(self, n_pairs: int, *, generator: torch.Generator | None = None,
                      max_rounds: int = 20) -> torch.Tensor:
        """``n_pairs`` i.i.d. uniform non-edges as sorted keys ``i * n + j`` (training negatives).

        Exact rejection sampling in one vectorised round: draw a few more pairs than needed
        (the expected rejections plus six standard deviations), sort them, reject self pairs
        and edges, then drop the surplus at uniformly random positions, which leaves an
        i.i.d. uniform sample. The cost is linear in the pairs drawn plus one sort. In the
        rare case of a shortfall, further rounds draw replacements (merged in order); on a
        graph so dense that ``max_rounds`` rounds cannot fill the quota, fewer pairs are
        returned.
        """
        n = self.n_nodes
        if n < 2 or n_pairs <= 0:
            return torch.empty(0, dtype=torch.long, device=self.device)
        reject = min((self.n_entries + n) / n**2, 0.95)  # edges and self pairs
        draw = min(int(math.ceil((n_pairs + 6 * math.sqrt(n_pairs) + 8) / (1 - reject))),
                   20 * n_pairs + 8)
        keys = torch.randint(0, n, (draw,), device=self.device, generator=generator)
        keys.mul_(n).add_(torch.randint(0, n, (draw,), device=self.device, generator=generator))
        keys = torch.sort(keys).values
        keep = ~self.edges.contains_sorted_keys(keys)
        keep &= torch.remainder(keys, n + 1) != 0  # i * n + i: a self pair
        surplus = int(keep.sum()) - n_pairs
        if surplus > 0:
            keep[_random_true_positions(keep, surplus, generator)] = False
        keys = keys[keep]
        for _ in range(max_rounds - 1):  # shortfall (unlikely): replacements, merged in order
            needed = n_pairs - keys.numel()
            if needed <= 0:
                break
            extra = int(needed * 1.1) + 8
            s = torch.randint(0, n, (extra,), device=self.device, generator=generator)
            d = torch.randint(0, n, (extra,), device=self.device, generator=generator)
            s, d = s[s != d], d[s != d]
            accepted = (s * n + d)[~self.edges.contains(s, d)][:needed]  # first in draw order
            keys = _merge_sorted(keys, torch.sort(accepted).values)
        return keys

    def held_out_pairs(self, n_pairs: int, rng: np.random.Generator,
                       exclude: np.ndarray | None = None,
                       kinds: np.ndarray | None = None) -> np.ndarray:
        """``n_pairs`` distinct unordered non-edges ``(i, j)``, ``i < j``, drawn uniformly.

        Pairs listed in ``exclude`` (an ``(m, 2)`` array) are not drawn either. With
        ``kinds`` (an integer code per node), only pairs of nodes of different kinds are
        drawn (uniformly among them): the negatives of a user-item graph.

        Raises
        ------
        ValueError
            If the graph has fewer than ``n_pairs`` such pairs.
        """
        n = self.n_nodes
        if kinds is None:
            n_pairs_there, n_edges_there, what = n * (n - 1) // 2, self.n_entries // 2, ""
        else:
            counts = np.bincount(kinds).astype(np.int64)
            n_pairs_there = (n * n - int(counts @ counts)) // 2
            edge_keys = self._upper_keys()  # cached: the draws below read it too
            n_edges_there = int((kinds[edge_keys // n] != kinds[edge_keys % n]).sum())
            what = " of nodes of different kinds"
        n_possible = n_pairs_there - n_edges_there - (0 if exclude is None else len(exclude))
        if n_pairs > n_possible:
            raise ValueError(f"cannot sample {n_pairs} non-edges: the graph has only {n_possible} "
                             f"unordered node pairs{what} that are not edges.")
        draw_pairs = _uniform_pairs(n) if kinds is None else _pairs_across_kinds(kinds)
        taken = np.zeros(0, dtype=np.int64)
        if exclude is not None and len(exclude):
            lo, hi = np.minimum(exclude[:, 0], exclude[:, 1]), np.maximum(exclude[:, 0], exclude[:, 1])
            taken = np.unique(lo * n + hi)
        edge_keys = self._upper_keys()
        chosen = np.zeros(0, dtype=np.int64)
        while len(chosen) < n_pairs:
            i, j = draw_pairs(rng, 2 * (n_pairs - len(chosen)) + 16)
            lo, hi = np.minimum(i, j), np.maximum(i, j)
            keys = lo * n + hi
            keys = keys[(lo != hi) & ~_in_sorted(edge_keys, keys)]
            keys = keys[~np.isin(keys, chosen)]
            keys = keys[np.sort(np.unique(keys, return_index=True)[1])]
            keys = keys[~_in_sorted(taken, keys)]
            chosen = np.concatenate([chosen, keys[: n_pairs - len(chosen)]])
        return np.column_stack([chosen // n, chosen % n])


def _uniform_pairs(n: int):
    """A drawer of ordered node pairs, each node uniform over ``0 ... n - 1``."""
    return lambda rng, size: (rng.integers(0, n, size), rng.integers(0, n, size))


def _pairs_across_kinds(kinds: np.ndarray):
    """A drawer of ordered pairs ``(i, j)`` uniform among those whose nodes differ in kind:
    ``i`` in proportion to the nodes of other kinds than its own, then ``j`` uniform among
    them (the nodes sorted by kind, those of ``i``'s kind are one block to skip)."""
    order = np.argsort(kinds, kind="stable")
    counts = np.bincount(kinds).astype(np.int64)
    starts = np.concatenate([[0], np.cumsum(counts)[:-1]])
    others = len(kinds) - counts[kinds]  # per node: how many nodes of another kind
    cumulative = np.cumsum(others)

    def draw(rng: np.random.Generator, size: int):
        i = np.searchsorted(cumulative, rng.integers(0, cumulative[-1], size), side="right")
        kind = kinds[i]
        rank = rng.integers(0, others[i])
        j = order[np.where(rank < starts[kind], rank, rank + counts[kind])]
        return i, j

    return draw


def _in_sorted(sorted_keys: np.ndarray, queries: np.ndarray) -> np.ndarray:
    """Whether each of ``queries`` is in ``sorted_keys``. The queries are looked up in
    sorted order: random lookups into millions of keys miss the cache at every step of the
    binary search (about 4x slower at 5 million edges)."""
    if not len(sorted_keys) or not len(queries):
        return np.zeros(len(queries), dtype=bool)
    order = np.argsort(queries)  # (equal queries get equal answers: any order serves)
    ordered = queries[order]
    position = np.searchsorted(sorted_keys, ordered).clip(max=len(sorted_keys) - 1)
    found = np.empty(len(queries), dtype=bool)
    found[order] = sorted_keys[position] == ordered
    return found


def edge_key_sample(adjacency: sp.sparray, limit: int) -> np.ndarray:
    """Sorted keys ``i * n + j`` (``i < j``) of the undirected edges of ``adjacency``, or of
    a uniform sample of ``limit`` of them (seeded: a graph always gives the same sample)."""
    n = adjacency.shape[0]
    pairs = upper_edges(adjacency)
    if len(pairs) > limit:
        pairs = pairs[np.random.default_rng(0).choice(len(pairs), limit, replace=False)]
    return np.sort(pairs[:, 0] * n + pairs[:, 1])


def edge_share(sample: np.ndarray, n_edges: int, n_nodes: int, pairs: np.ndarray) -> float:
    """The share of ``pairs`` that are edges of the graph whose :func:`edge_key_sample` of
    its ``n_edges`` edges is ``sample``: exact when the sample holds every edge, else an
    unbiased estimate (a pair found in the sample is an edge; others may be too)."""
    if not len(pairs) or not len(sample):
        return 0.0
    low, high = np.minimum(pairs[:, 0], pairs[:, 1]), np.maximum(pairs[:, 0], pairs[:, 1])
    found = int(_in_sorted(sample, low.astype(np.int64) * n_nodes + high).sum())
    return found * (n_edges / len(sample)) / len(pairs)


def split_edges(adjacency: sp.csr_array, n_heldout: int, rng: np.random.Generator, *,
                whole_adjacency: sp.csr_array | None = None,
                exclude_negatives: np.ndarray | None = None,
                kinds: np.ndarray | None = None, n_negatives: int | None = None):
    """Hold out ``n_heldout`` undirected edges plus ``n_negatives`` non-edges (default: as
    many).

    Negatives are non-edges of ``whole_adjacency`` (default: ``adjacency``), so that an
    edge held out earlier is never drawn as a negative; with ``kinds``, pairs of nodes of
    different kinds only (:meth:`NonEdgeSampler.held_out_pairs`).

    Returns
    -------
    train_adjacency : csr_array without the held-out edges (both directions)
    positives : (n_heldout, 2) int array of held-out edges
    negatives : (n_negatives, 2) int array of sampled non-edges of ``adjacency``
    """
    edges = upper_edges(adjacency)
    picked = rng.permutation(len(edges))[:n_heldout]
    positives = edges[picked]
    whole = adjacency if whole_adjacency is None else whole_adjacency
    negatives = NonEdgeSampler(whole).held_out_pairs(
        n_heldout if n_negatives is None else n_negatives, rng, exclude=exclude_negatives,
        kinds=kinds)
    return remove_edges(adjacency, positives), positives, negatives


def _merge_sorted(a: torch.Tensor, b: torch.Tensor) -> torch.Tensor:
    """Merge sorted ``b`` (short) into sorted ``a`` in linear time."""
    at = torch.searchsorted(a, b) + torch.arange(b.numel(), device=b.device)
    merged = torch.empty(a.numel() + b.numel(), dtype=a.dtype, device=a.device)
    from_b = torch.zeros(merged.numel(), dtype=torch.bool, device=a.device)
    from_b[at] = True
    merged[at] = b
    merged[~from_b] = a
    return merged


def _random_true_positions(mask: torch.Tensor, k: int, generator: torch.Generator | None
                           ) -> torch.Tensor:
    """``k`` distinct positions where ``mask`` is True, uniformly at random (``k`` small)."""
    chosen = torch.empty(0, dtype=torch.long, device=mask.device)
    while chosen.numel() < k:
        draws = torch.randint(0, mask.numel(), (2 * (k - chosen.numel()) + 16,),
                              device=mask.device, generator=generator)
        chosen = torch.unique(torch.cat([chosen, draws[mask[draws]]]))
    if chosen.numel() > k:  # every step is symmetric in the positions: a uniform k-subset
        pick = torch.randperm(chosen.numel(), device=mask.device, generator=generator)[:k]
        chosen = chosen[pick]
    return chosen
