"""Skip-gram with negative sampling over random-walk windows (DeepWalk, node2vec)."""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import nn

__all__ = ["SkipGram"]


class SkipGram(nn.Module):
    """One embedding per node, trained so that nodes near each other on random walks have
    large inner products and random pairs small ones.

    Each window of ``context_size`` consecutive nodes ``(v_0, v_1, ...)`` of a walk scores
    ``<z_{v_0}, z_{v_k}>`` for each ``k >= 1``; the loss is the mean of ``-log sigmoid`` of
    the scores of walks plus that of ``-log sigmoid(-score)`` of the scores of random
    "walks", PyG's ``Node2Vec.loss`` over the windows PyG cuts (computed with
    ``logsigmoid``, exact where PyG adds ``1e-15`` inside the logarithm). One table serves
    both ends, as PyG's does.

    The scores of a walk come from the Gram matrix of its nodes' embeddings (one batched
    matrix product) instead of gathering every window's rows: a walk of ``L`` nodes holds
    ``L - c + 1`` windows of ``c``, each node in up to ``c`` of them. The table's gradient
    is sparse, over the distinct nodes of a step only.

    Parameters
    ----------
    n_nodes, n_components : int
    """

    def __init__(self, n_nodes: int, n_components: int) -> None:
        super().__init__()
        self.embedding = nn.Embedding(n_nodes, n_components, sparse=True)
        # inner products of order 1 / sqrt(d) at the start (word2vec starts as small):
        # from PyG's N(0, 1), whose products are of order sqrt(d), the loss takes tens of
        # epochs to come down (Cora: test accuracy 0.26 after 5 epochs, 0.72 from here)
        nn.init.normal_(self.embedding.weight, std=n_components ** -0.5)

    def loss(self, walks: torch.Tensor, random_walks: torch.Tensor,
             context_size: int) -> torch.Tensor:
        """The loss of ``walks`` against ``random_walks`` (each of shape
        ``(n_walks, length)``, of node ids) with windows of ``context_size`` nodes."""
        rows, local = torch.unique(torch.cat([walks.reshape(-1), random_walks.reshape(-1)]),
                                   return_inverse=True)
        table = self.embedding(rows)  # each row a step touches, once
        split = walks.numel()
        scores = _window_scores(table, local[:split].view(walks.shape), context_size)
        negative = _window_scores(table, local[split:].view(random_walks.shape), context_size)
        return -F.logsigmoid(scores).mean() - F.logsigmoid(-negative).mean()


def _window_scores(table: torch.Tensor, walks: torch.Tensor, size: int) -> torch.Tensor:
    """``<z[w_j], z[w_{j+k}]>`` for each window start ``j`` and ``1 <= k < size``."""
    n_walks, length = walks.shape
    z = table.index_select(0, walks.reshape(-1)).view(n_walks, length, -1)
    gram = torch.bmm(z, z.transpose(1, 2))
    starts = torch.arange(length - size + 1, device=walks.device)[:, None]
    offsets = torch.arange(1, size, device=walks.device)[None, :]
    return gram[:, starts, starts + offsets]
