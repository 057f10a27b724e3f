"""Negative sampling in vectorised torch: uniform node pairs that are not edges."""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp
import torch

__all__ = ["EdgeSet", "sample_negative_pairs"]


class EdgeSet:
    """The directed pairs of an adjacency as sorted int64 keys ``i * n + j``, for membership tests."""

    def __init__(self, adjacency: sp.sparray, device: torch.device | str = "cpu") -> None:
        A = sp.csr_array(adjacency)
        A.sort_indices()
        n = A.shape[0]
        rows = np.repeat(np.arange(n, dtype=np.int64), np.diff(A.indptr))
        # CSR order with sorted indices is already sorted by key
        self.keys = torch.from_numpy(rows * n + A.indices.astype(np.int64)).to(device)
        self.n_nodes = n

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
        pos = torch.searchsorted(self.keys, keys).clamp(max=self.keys.numel() - 1)
        return self.keys[pos] == keys


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

    Exact rejection sampling, vectorised: a first round draws ``n_pairs`` pairs and keeps
    every one that is neither a self pair nor an edge; later rounds draw replacements for
    the rejected ones. The cost is linear in the pairs drawn (plus one sort). On a graph so
    dense that ``max_rounds`` rounds cannot fill the quota, fewer pairs are returned.

    Returns
    -------
    Tensor of shape (2, n_pairs) of int64 node indices, sorted by ``(i, j)`` (ready to
    build a :class:`~skgraph.nn.PairSet` with ``assume_sorted=True``).
    """
    n = edges.n_nodes
    keys = torch.empty(0, dtype=torch.long, device=device)
    for round_ in range(max_rounds):
        needed = n_pairs - keys.numel()
        if needed <= 0 or n < 2:
            break
        draw = needed if round_ == 0 else int(needed * 1.1) + 8
        s = torch.randint(0, n, (draw,), device=device, generator=generator)
        d = torch.randint(0, n, (draw,), device=device, generator=generator)
        drawn = (s * n + d)[s != d]
        if round_ == 0:  # every accepted draw is kept: no truncation, so sort once
            drawn = torch.sort(drawn).values
            keys = drawn[~edges.contains_sorted_keys(drawn)]
        else:  # the first accepted in draw order (unbiased), merged into the sorted rest
            accepted = drawn[~edges.contains(drawn // n, drawn % n)][:needed]
            keys = _merge_sorted(keys, torch.sort(accepted).values)
    return torch.stack([keys // n, keys % n])
