"""Graph convolutional encoders and pair decoders (the seed's VGAE, in small modules)."""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence

import torch
from torch import nn
from torch.nn import functional as F

from ._pair_scores import PairSet, pair_dot, pair_dots, pair_indices
from ._propagation import per_hop

__all__ = [
    "CosineDecoder",
    "GCNEncoder",
    "GCNLayer",
    "HadamardMLPDecoder",
    "InnerProductDecoder",
    "kl_divergence",
    "reconstruction_loss",
    "sample_with_kl",
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

    def forward(self, x, operator, propagated=None) -> torch.Tensor:
        """``S (x W) + b``, or ``propagated W + b`` when ``propagated = S x`` is given."""
        return _propagate(x, self.weight, self.bias, operator, propagated)


def _propagate(x, weight: torch.Tensor, bias: torch.Tensor, operator,
               propagated=None) -> torch.Tensor:
    if isinstance(propagated, torch.Tensor):
        return torch.addmm(bias, propagated, weight)
    product = propagated @ weight if propagated is not None else operator @ (x @ weight)
    return product.add_(bias)  # in place: neither product saves its output for backward


class _ReluDropout(torch.autograd.Function):
    @staticmethod
    def forward(ctx, h, p):
        # the mask holds 1 / (1 - p) where a unit is kept and positive, else 0; built in
        # place, because at scale each temporary of h's size costs page faults
        mask = torch.rand(h.shape, device=h.device, dtype=h.dtype).ge_(p).mul_(1.0 / (1.0 - p))
        mask.masked_fill_(h <= 0, 0.0)
        ctx.save_for_backward(mask)
        ctx.mark_dirty(h)
        return h.mul_(mask)  # h is a fresh layer output that nothing else saved

    @staticmethod
    def backward(ctx, grad):
        (mask,) = ctx.saved_tensors
        return grad * mask, None


def relu_dropout(h: torch.Tensor, p: float, training: bool = True) -> torch.Tensor:
    """``dropout(relu(h), p)`` in one pass that keeps a boolean mask for backward.

    Same distribution as ``F.dropout(F.relu(h))``; its mask comes from ``torch.rand``,
    which on CPU is about three times faster than the ``bernoulli_`` of ``F.dropout``.
    """
    if not training or p == 0.0 or not h.requires_grad or h.is_leaf:
        return F.dropout(F.relu(h), p, training)
    return _ReluDropout.apply(h, p)


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
    initial_logstd : float, default=0.0
        Initial bias of the log-std head: the posterior's initial log standard deviation
        (0 as in PyG's VGAE; negative starts it narrower).
    """

    def __init__(self, in_channels: int, hidden_channels: Sequence[int], out_channels: int,
                 *, variational: bool = True, dropout: float = 0.0,
                 initial_logstd: float = 0.0) -> None:
        super().__init__()
        widths = [in_channels, *hidden_channels]
        self.hidden = nn.ModuleList(GCNLayer(a, b) for a, b in zip(widths[:-1], widths[1:]))
        self.mu = GCNLayer(widths[-1], out_channels)
        self.logstd = GCNLayer(widths[-1], out_channels) if variational else None
        if self.logstd is not None:
            nn.init.constant_(self.logstd.bias, initial_logstd)
        self.dropout = dropout

    def forward(self, x, operator, propagated=None) -> tuple[torch.Tensor, torch.Tensor | None]:
        """``(mu, logstd)``; ``logstd`` is None for a plain GAE.

        ``propagated``, when given, is ``operator @ x`` computed once (the input does not
        change between epochs): the first layer is then ``propagated @ W``, which is the same
        product ``S (X W)`` reassociated, without a sparse product forward or backward.
        """
        heads = self.heads(x, operator, propagated)
        if self.logstd is None:
            return heads, None
        mu, logstd = heads.chunk(2, dim=1)
        return mu, logstd.clamp(max=MAX_LOGSTD)

    def heads(self, x, operator, propagated=None) -> torch.Tensor:
        """``mu``, or ``[mu, raw logstd]`` side by side (before the clamp) when variational.

        ``operator`` may also be a list with one operator per graph convolution (a sampled
        subgraph's, trimmed layer by layer: each maps its input rows to the rows the next
        layer reads).
        """
        operators = per_hop(operator, len(self.hidden) + 1)
        for layer, operator in zip(self.hidden, operators):
            x = relu_dropout(layer(x, operator, propagated), self.dropout, self.training)
            propagated = None
        operator = operators[-1]
        if self.logstd is None:
            return self.mu(x, operator, propagated)
        # both heads in one propagation of width 2 * out: one pass over the sparse operator
        weight = torch.cat([self.mu.weight, self.logstd.weight], dim=1)
        bias = torch.cat([self.mu.bias, self.logstd.bias])
        return _propagate(x, weight, bias, operator, propagated)

    def sample(self, mu: torch.Tensor, logstd: torch.Tensor | None) -> torch.Tensor:
        """The reparametrised sample in training mode, the mean otherwise."""
        if logstd is None or not self.training:
            return mu
        return mu + torch.randn_like(mu) * torch.exp(logstd)


class InnerProductDecoder(nn.Module):
    """Edge logit ``<z_i, z_j>`` (Kipf & Welling 2016)."""

    def forward(self, z: torch.Tensor, pairs: torch.Tensor | PairSet) -> torch.Tensor:
        return pair_dot(z, pairs)

    def pair_scorer(self, z_columns: torch.Tensor) -> Callable[[torch.Tensor], torch.Tensor]:
        """A function of row embeddings giving the logits of every pair of a row node and
        a column node, shape (rows, columns)."""
        columns = z_columns.T.contiguous()
        return lambda z_rows: z_rows @ columns


class HadamardMLPDecoder(nn.Module):
    """Edge logit from an MLP on ``z_i * z_j`` (symmetric in i and j)."""

    def __init__(self, in_channels: int, hidden_channels: int = 64, dropout: float = 0.0) -> None:
        super().__init__()
        self.mlp = nn.Sequential(nn.Linear(in_channels, hidden_channels), nn.ReLU(),
                                 nn.Dropout(dropout), nn.Linear(hidden_channels, 1))

    def forward(self, z: torch.Tensor, pairs: torch.Tensor | PairSet) -> torch.Tensor:
        src, dst = pair_indices(pairs)
        return self.mlp(z[src] * z[dst]).squeeze(-1)

    def pair_scorer(self, z_columns: torch.Tensor) -> Callable[[torch.Tensor], torch.Tensor]:
        """A function of row embeddings giving the logits of every pair of a row node and
        a column node, shape (rows, columns)."""
        return lambda z_rows: self.mlp(z_rows[:, None, :] * z_columns[None, :, :]).squeeze(-1)


class CosineDecoder(nn.Module):
    """Edge logit ``a * cos(z_i, z_j) + b`` with a learned temperature ``a`` and offset ``b``.

    Normalising removes the degree bias of the plain inner product (high-degree nodes get
    large norms), the motivation of normalised graph auto-encoders (Ahn & Kim, 2021).
    """

    def __init__(self, scale: float = 5.0) -> None:
        super().__init__()
        self.scale = nn.Parameter(torch.tensor(float(scale)))
        self.offset = nn.Parameter(torch.tensor(0.0))

    def forward(self, z: torch.Tensor, pairs: torch.Tensor | PairSet) -> torch.Tensor:
        return self.scale * pair_dot(F.normalize(z, dim=-1), pairs) + self.offset

    def pair_scorer(self, z_columns: torch.Tensor) -> Callable[[torch.Tensor], torch.Tensor]:
        """A function of row embeddings giving the logits of every pair of a row node and
        a column node, shape (rows, columns)."""
        columns = F.normalize(z_columns, dim=-1).T.contiguous()
        return lambda z_rows: torch.addmm(self.offset, F.normalize(z_rows, dim=-1) * self.scale,
                                          columns)  # the scale on the rows: one pass fewer


class _SampleWithKL(torch.autograd.Function):
    """The reparametrised sample and the KL term from the side-by-side heads, in one pass.

    Forward: ``z = mu + eps * exp(logstd)`` and ``KL(q || N(0, I))`` averaged over nodes,
    with ``logstd`` clamped at :data:`MAX_LOGSTD`; backward writes the analytic gradient of
    both straight into one tensor shaped like the heads. At scale this replaces a dozen
    node-sized temporaries (and their page faults) of the composed autograd graph.
    """

    @staticmethod
    def forward(ctx, heads):
        mu, raw = heads.chunk(2, dim=1)
        logstd = raw.clamp(max=MAX_LOGSTD)
        std = logstd.exp()
        noise = torch.randn(std.shape, dtype=std.dtype, device=std.device).mul_(std)
        z = torch.add(mu, noise)
        n, d = mu.shape
        # sum(1 + 2 logstd - mu^2 - std^2) without temporaries of the nodes' size
        total = (n * d + 2 * logstd.sum() - torch.linalg.vector_norm(mu).square()
                 - torch.linalg.vector_norm(std).square())
        clamped = raw > MAX_LOGSTD
        ctx.save_for_backward(mu, std, noise, clamped if bool(clamped.any()) else None)
        return z, -0.5 * total / n

    @staticmethod
    def backward(ctx, grad_z, grad_kl):
        mu, std, noise, clamped = ctx.saved_tensors
        n, d = mu.shape
        scale = float(grad_kl) / n  # d KL/d mu = mu / n, d KL/d logstd = (std^2 - 1) / n
        if grad_z is None:
            grad_z = torch.zeros_like(std)
        # contiguous halves first (strided outputs run several times slower), then one copy
        grad_logstd = torch.mul(grad_z, noise).addcmul_(std, std, value=scale).sub_(scale)
        if clamped is not None:
            grad_logstd.masked_fill_(clamped, 0.0)
        grad_mu = grad_z.add(mu, alpha=scale) if scale else grad_z
        return torch.cat([grad_mu, grad_logstd], dim=1)


def sample_with_kl(heads: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    """``(z, kl)`` from ``heads = [mu, logstd]`` (side by side, logstd not yet clamped).

    ``z = mu + eps * exp(logstd)`` with ``eps ~ N(0, I)`` and ``kl`` the KL divergence of
    the posterior from ``N(0, I)`` averaged over nodes: the same values as
    :meth:`GCNEncoder.sample` and :func:`kl_divergence`, with a leaner backward.
    """
    return _SampleWithKL.apply(heads)


def reconstruction_loss(pos_logits: torch.Tensor, neg_logits: torch.Tensor) -> torch.Tensor:
    """Binary cross-entropy on positive and negative pairs, each averaged (PyG's recon_loss);
    a side with no pairs (a batch of a nearly complete graph may draw no non-edge) adds 0."""
    return _mean(F.softplus(-pos_logits)) + _mean(F.softplus(neg_logits))


def _mean(losses: torch.Tensor) -> torch.Tensor:
    return losses.mean() if losses.numel() else losses.sum()


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

    def embed(self, features, operator, propagated=None) -> torch.Tensor:
        """The mean embedding (deterministic)."""
        return self.encoder(features, operator, propagated)[0]

    def pair_loss(self, heads: torch.Tensor, positives: torch.Tensor, negatives: torch.Tensor,
                  n_nodes: int) -> torch.Tensor:
        """The loss of :meth:`loss` from the encoder's heads of the nodes the pairs (``(2, P)``
        indices into ``heads``) name: a mini-batch's, whose KL term is averaged over its
        nodes."""
        if self.encoder.logstd is None:
            z, kl = heads, None
        elif self.training:
            z, kl = sample_with_kl(heads)
        else:
            mu, logstd = heads.chunk(2, dim=1)
            z, kl = mu, kl_divergence(mu, logstd.clamp(max=MAX_LOGSTD))
        loss = reconstruction_loss(self.decoder(z, positives), self.decoder(z, negatives))
        return loss if kl is None else loss + kl / n_nodes

    def loss(self, features, operator, positives: torch.Tensor | PairSet,
             negatives: torch.Tensor | PairSet, n_nodes: int, propagated=None) -> torch.Tensor:
        """Reconstruction loss on ``positives``/``negatives`` plus KL / n_nodes (VGAE)."""
        heads = self.encoder.heads(features, operator, propagated)
        kl = None
        if self.encoder.logstd is None:
            z = heads
        elif self.training:
            z, kl = sample_with_kl(heads)
        else:
            mu, logstd = heads.chunk(2, dim=1)
            z, kl = mu, kl_divergence(mu, logstd.clamp(max=MAX_LOGSTD))
        if (type(self.decoder) is InnerProductDecoder and isinstance(positives, PairSet)
                and isinstance(negatives, PairSet)):
            scores = pair_dots(z, positives, negatives)  # one gradient buffer for both sets
        else:
            scores = self.decoder(z, positives), self.decoder(z, negatives)
        loss = reconstruction_loss(*scores)
        return loss if kl is None else loss + kl / n_nodes
