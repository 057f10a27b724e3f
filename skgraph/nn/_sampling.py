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
        keys = src * self.n_nodes + dst
        if self.keys.numel() == 0:
            return torch.zeros_like(keys, dtype=torch.bool)
        # sorted queries walk the sorted edge keys in order: several times faster than
        # random-order lookups on large graphs (cache locality)
        keys, order = torch.sort(keys)
        pos = torch.searchsorted(self.keys, keys).clamp(max=self.keys.numel() - 1)
        found = torch.empty_like(keys, dtype=torch.bool)
        found[order] = self.keys[pos] == keys
        return found


def sample_negative_pairs(edges: EdgeSet, n_pairs: int, *, device: torch.device | str = "cpu",
                          generator: torch.Generator | None = None,
                          max_rounds: int = 20) -> torch.Tensor:
    """Draw ``n_pairs`` uniform pairs ``(i, j)``, ``i != j``, that are not edges.

    Rejected draws are redrawn (vectorised); the cost is linear in the pairs drawn. On a
    graph so dense that ``max_rounds`` rounds cannot fill the quota, fewer pairs are returned.

    Returns
    -------
    Tensor of shape (2, n_pairs) of int64 node indices.
    """
    n = edges.n_nodes
    src = torch.empty(0, dtype=torch.long, device=device)
    dst = torch.empty(0, dtype=torch.long, device=device)
    needed = n_pairs
    for _ in range(max_rounds):
        if needed <= 0 or n < 2:
            break
        draw = int(needed * 1.1) + 8
        s = torch.randint(0, n, (draw,), device=device, generator=generator)
        d = torch.randint(0, n, (draw,), device=device, generator=generator)
        keep = (s != d) & ~edges.contains(s, d)
        s, d = s[keep][:needed], d[keep][:needed]
        src, dst = torch.cat([src, s]), torch.cat([dst, d])
        needed = n_pairs - src.numel()
    return torch.stack([src, dst])
