"""Negative sampling in vectorised torch: uniform node pairs that are not edges."""

from __future__ import annotations

import math

import numpy as np
import scipy.sparse as sp
import torch

__all__ = ["EdgeSet", "sample_negative_keys", "sample_negative_pairs"]


class EdgeSet:
    """The directed pairs of an adjacency as sorted int64 keys ``i * n + j``, for membership tests.

    Next to the sorted keys it keeps a coarse bitmap of the key range (one bit per bucket
    of consecutive keys, about 32 bits per edge): a query whose bucket holds no edge is
    answered from the bitmap, and only the few others are looked up exactly. On sorted
    queries the bitmap is read in order, so the test is a handful of streaming passes.
    """

    _BITS_PER_EDGE = 32

    def __init__(self, adjacency: sp.sparray, device: torch.device | str = "cpu") -> None:
        A = sp.csr_array(adjacency)
        A.sort_indices()
        n = A.shape[0]
        rows = np.repeat(np.arange(n, dtype=np.int64), np.diff(A.indptr))
        # CSR order with sorted indices is already sorted by key
        self.keys = torch.from_numpy(rows * n + A.indices.astype(np.int64)).to(device)
        self.n_nodes = n
        n_bits = max(64, min(n * n, self._BITS_PER_EDGE * self.keys.numel()))
        self._bucket_width = -(-n * n // n_bits)  # ceil: keys 0 .. n^2 - 1 fit the bitmap
        buckets = torch.unique_consecutive(torch.div(self.keys, self._bucket_width,
                                                     rounding_mode="floor"))
        self._bitmap = torch.zeros(-(-n_bits // 64) + 1, dtype=torch.long, device=device)
        # distinct powers of two per word: their sum is their bitwise or
        self._bitmap.index_add_(0, buckets >> 6, torch.ones_like(buckets) << (buckets & 63))

    def contains(self, src: torch.Tensor, dst: torch.Tensor) -> torch.Tensor:
        """Whether each pair ``(src[k], dst[k])`` is an edge."""
        keys, order = torch.sort(src * self.n_nodes + dst)
        found = torch.empty_like(keys, dtype=torch.bool)
        # sorted queries walk the sorted edge keys in order: several times faster than
        # random-order lookups on large graphs (cache locality)
        found[order] = self.contains_sorted_keys(keys)
        return found

    def contains_sorted_keys(self, keys: torch.Tensor) -> torch.Tensor:
        """Whether each key ``i * n + j`` of a sorted key tensor is an edge."""
        if self.keys.numel() == 0:
            return torch.zeros_like(keys, dtype=torch.bool)
        buckets = torch.div(keys, self._bucket_width, rounding_mode="floor")
        found = (self._bitmap[buckets >> 6] >> (buckets & 63)).bitwise_and_(1).bool()
        candidates = found.nonzero().squeeze(1)
        queries = keys[candidates]
        pos = torch.searchsorted(self.keys, queries).clamp_(max=self.keys.numel() - 1)
        found[candidates] = self.keys[pos] == queries
        return found


def _merge_sorted(a: torch.Tensor, b: torch.Tensor) -> torch.Tensor:
    """Merge sorted ``b`` (short) into sorted ``a`` in linear time."""
    at = torch.searchsorted(a, b) + torch.arange(b.numel(), device=b.device)
    merged = torch.empty(a.numel() + b.numel(), dtype=a.dtype, device=a.device)
    from_b = torch.zeros(merged.numel(), dtype=torch.bool, device=a.device)
    from_b[at] = True
    merged[at] = b
    merged[~from_b] = a
    return merged


def sample_negative_pairs(edges: EdgeSet, n_pairs: int, *, device: torch.device | str = "cpu",
                          generator: torch.Generator | None = None,
                          max_rounds: int = 20) -> torch.Tensor:
    """Draw ``n_pairs`` uniform pairs ``(i, j)``, ``i != j``, that are not edges.

    Exact rejection sampling, vectorised (see :func:`sample_negative_keys`).

    Returns
    -------
    Tensor of shape (2, n_pairs) of int64 node indices, sorted by ``(i, j)`` (ready to
    build a :class:`~skgraph.nn.PairSet` with ``assume_sorted=True``).
    """
    keys = sample_negative_keys(edges, n_pairs, device=device, generator=generator,
                                max_rounds=max_rounds)
    n = edges.n_nodes
    return torch.stack([torch.div(keys, n, rounding_mode="floor"), torch.remainder(keys, n)])


def sample_negative_keys(edges: EdgeSet, n_pairs: int, *, device: torch.device | str = "cpu",
                         generator: torch.Generator | None = None,
                         max_rounds: int = 20) -> torch.Tensor:
    """``n_pairs`` uniform non-edge pairs as sorted keys ``i * n + j`` (``i != j``).

    Exact rejection sampling in one vectorised round: draw a few more pairs than needed
    (the expected rejections plus six standard deviations), sort them, reject self pairs
    and edges, then drop the surplus at uniformly random positions, which leaves an i.i.d.
    uniform sample. The cost is linear in the pairs drawn plus one sort. In the rare case
    of a shortfall, further rounds draw replacements (merged in order); on a graph so
    dense that ``max_rounds`` rounds cannot fill the quota, fewer pairs are returned.
    """
    n = edges.n_nodes
    if n < 2 or n_pairs <= 0:
        return torch.empty(0, dtype=torch.long, device=device)
    reject = min((edges.keys.numel() + n) / n**2, 0.95)  # edges and self pairs
    draw = min(int(math.ceil((n_pairs + 6 * math.sqrt(n_pairs) + 8) / (1 - reject))),
               20 * n_pairs + 8)
    keys = torch.randint(0, n, (draw,), device=device, generator=generator)
    keys.mul_(n).add_(torch.randint(0, n, (draw,), device=device, generator=generator))
    keys = torch.sort(keys).values
    keep = ~edges.contains_sorted_keys(keys)
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
        s = torch.randint(0, n, (extra,), device=device, generator=generator)
        d = torch.randint(0, n, (extra,), device=device, generator=generator)
        s, d = s[s != d], d[s != d]
        accepted = (s * n + d)[~edges.contains(s, d)][:needed]  # first in draw order
        keys = _merge_sorted(keys, torch.sort(accepted).values)
    return keys


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
