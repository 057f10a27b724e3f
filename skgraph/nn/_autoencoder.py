"""Graph convolutional encoders and pair decoders (the seed's VGAE, in small modules)."""

from __future__ import annotations

import math
from collections.abc import Sequence

import torch
from torch import nn
from torch.nn import functional as F

__all__ = [
    "CosineDecoder",
    "GCNEncoder",
    "GCNLayer",
    "HadamardMLPDecoder",
    "InnerProductDecoder",
    "kl_divergence",
    "reconstruction_loss",
]

MAX_LOGSTD = 10.0


class GCNLayer(nn.Module):
    """One graph convolution ``S @ (x W) + b`` (Kipf & Welling 2017).

    ``x`` may be a dense tensor or any object with ``x @ W`` (sparse or identity features);
    ``operator`` is the normalised adjacency (a :class:`SparseOperator`).
    """

    def __init__(self, in_channels: int, out_channels: int) -> None:
        super().__init__()
        self.weight = nn.Parameter(torch.empty(in_channels, out_channels))
        self.bias = nn.Parameter(torch.zeros(out_channels))
        self.reset_parameters()

    def reset_parameters(self) -> None:
        bound = math.sqrt(6.0 / sum(self.weight.shape))  # Glorot, as PyG's GCNConv
        nn.init.uniform_(self.weight, -bound, bound)
        nn.init.zeros_(self.bias)

    def forward(self, x, operator) -> torch.Tensor:
        return operator @ (x @ self.weight) + self.bias


class GCNEncoder(nn.Module):
    """GCN layers then a mean head and, if variational, a log-std head (the seed's encoder).

    Parameters
    ----------
    in_channels : int
    hidden_channels : sequence of int
        Widths of the shared hidden layers (ReLU, dropout after each).
    out_channels : int
        Embedding dimension.
    variational : bool
        Whether to add the log-std head (VGAE) or not (GAE).
    dropout : float
    """

    def __init__(self, in_channels: int, hidden_channels: Sequence[int], out_channels: int,
                 *, variational: bool = True, dropout: float = 0.0) -> None:
        super().__init__()
        widths = [in_channels, *hidden_channels]
        self.hidden = nn.ModuleList(GCNLayer(a, b) for a, b in zip(widths[:-1], widths[1:]))
        self.mu = GCNLayer(widths[-1], out_channels)
        self.logstd = GCNLayer(widths[-1], out_channels) if variational else None
        self.dropout = dropout

    def forward(self, x, operator) -> tuple[torch.Tensor, torch.Tensor | None]:
        for layer in self.hidden:
            x = F.dropout(F.relu(layer(x, operator)), self.dropout, self.training)
        mu = self.mu(x, operator)
        logstd = None if self.logstd is None else self.logstd(x, operator).clamp(max=MAX_LOGSTD)
        return mu, logstd

    def sample(self, mu: torch.Tensor, logstd: torch.Tensor | None) -> torch.Tensor:
        """The reparametrised sample in training mode, the mean otherwise."""
        if logstd is None or not self.training:
            return mu
        return mu + torch.randn_like(mu) * torch.exp(logstd)


class _PairDot(torch.autograd.Function):
    """``<z[i], z[j]>`` for each pair, with a backward by ``index_add_``.

    autograd's backward of ``z[idx]`` accumulates through a generic scatter that is several
    times slower on CPU than ``index_add_``; this is the decoder's hot path.
    """

    @staticmethod
    def forward(ctx, z, src, dst):
        ctx.save_for_backward(z, src, dst)
        return (z.index_select(0, src) * z.index_select(0, dst)).sum(dim=-1)

    @staticmethod
    def backward(ctx, grad):
        z, src, dst = ctx.saved_tensors
        grad = grad.unsqueeze(-1)
        grad_z = torch.zeros_like(z)
        grad_z.index_add_(0, src, grad * z.index_select(0, dst))
        grad_z.index_add_(0, dst, grad * z.index_select(0, src))
        return grad_z, None, None


def pair_dot(z: torch.Tensor, pairs: torch.Tensor) -> torch.Tensor:
    """Inner products ``<z[pairs[0, k]], z[pairs[1, k]]>`` (differentiable in ``z``)."""
    if z.requires_grad:
        return _PairDot.apply(z, pairs[0], pairs[1])
    return (z.index_select(0, pairs[0]) * z.index_select(0, pairs[1])).sum(dim=-1)


class InnerProductDecoder(nn.Module):
    """Edge logit ``<z_i, z_j>`` (Kipf & Welling 2016)."""

    def forward(self, z: torch.Tensor, pairs: torch.Tensor) -> torch.Tensor:
        return pair_dot(z, pairs)


class HadamardMLPDecoder(nn.Module):
    """Edge logit from an MLP on ``z_i * z_j`` (symmetric in i and j)."""

    def __init__(self, in_channels: int, hidden_channels: int = 64, dropout: float = 0.0) -> None:
        super().__init__()
        self.mlp = nn.Sequential(nn.Linear(in_channels, hidden_channels), nn.ReLU(),
                                 nn.Dropout(dropout), nn.Linear(hidden_channels, 1))

    def forward(self, z: torch.Tensor, pairs: torch.Tensor) -> torch.Tensor:
        return self.mlp(z[pairs[0]] * z[pairs[1]]).squeeze(-1)


class CosineDecoder(nn.Module):
    """Edge logit ``a * cos(z_i, z_j) + b`` with a learned temperature ``a`` and offset ``b``.

    Normalising removes the degree bias of the plain inner product (high-degree nodes get
    large norms), the motivation of normalised graph auto-encoders (Ahn & Kim, 2021).
    """

    def __init__(self, scale: float = 5.0) -> None:
        super().__init__()
        self.scale = nn.Parameter(torch.tensor(float(scale)))
        self.offset = nn.Parameter(torch.tensor(0.0))

    def forward(self, z: torch.Tensor, pairs: torch.Tensor) -> torch.Tensor:
        return self.scale * pair_dot(F.normalize(z, dim=-1), pairs) + self.offset


def reconstruction_loss(pos_logits: torch.Tensor, neg_logits: torch.Tensor) -> torch.Tensor:
    """Binary cross-entropy on positive and negative pairs, each averaged (PyG's recon_loss)."""
    return F.softplus(-pos_logits).mean() + F.softplus(neg_logits).mean()


def kl_divergence(mu: torch.Tensor, logstd: torch.Tensor) -> torch.Tensor:
    """KL(q(z|x) || N(0, I)), averaged over nodes (PyG's kl_loss)."""
    return -0.5 * torch.mean(torch.sum(1 + 2 * logstd - mu**2 - logstd.exp() ** 2, dim=1))


class GraphAutoEncoder(nn.Module):
    """(Variational) graph auto-encoder: an encoder, a pair decoder and the seed's loss.

    Parameters
    ----------
    encoder : GCNEncoder
    decoder : nn.Module
        Maps ``(z, pairs)`` to edge logits; :class:`InnerProductDecoder` by default.
    """

    def __init__(self, encoder: GCNEncoder, decoder: nn.Module | None = None) -> None:
        super().__init__()
        self.encoder = encoder
        self.decoder = InnerProductDecoder() if decoder is None else decoder

    def embed(self, features, operator) -> torch.Tensor:
        """The mean embedding (deterministic)."""
        return self.encoder(features, operator)[0]

    def loss(self, features, operator, positives: torch.Tensor, negatives: torch.Tensor,
             n_nodes: int) -> torch.Tensor:
        """Reconstruction loss on ``positives``/``negatives`` plus KL / n_nodes (VGAE)."""
        mu, logstd = self.encoder(features, operator)
        z = self.encoder.sample(mu, logstd)
        loss = reconstruction_loss(self.decoder(z, positives), self.decoder(z, negatives))
        if logstd is not None:
            loss = loss + kl_divergence(mu, logstd) / n_nodes
        return loss
