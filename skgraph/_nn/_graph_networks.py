"""Torch modules for whole-graph classification over a mini-batch of graphs.

A mini-batch of graphs is one block-diagonal graph: node features ``x`` of shape
``(n_nodes, in_features)``, an ``edge_index`` of shape ``(2, n_edges)`` (both directions of
every undirected edge) and a ``batch`` vector giving the graph of each node. The network
is ``n_layers`` message-passing layers (each: convolution, batch norm, ReLU), a readout
that pools node representations into one vector per graph, and an MLP head.
:class:`PooledFeatureNetwork` ignores the edges (summed and mean node features, an MLP);
:class:`GraphNetworkEnsemble` trains several of either side by side.
"""

from __future__ import annotations

from collections.abc import Sequence

import torch
from torch import nn

from ._propagation import NeighbourSum

__all__ = ["CONVOLUTIONS", "EDGE_CONVOLUTIONS", "READOUTS", "GINConv", "GINEConv",
           "GraphNetwork", "GraphNetworkEnsemble",
           "PooledFeatureNetwork", "SumConv", "SumMeanReadout", "SumReadout", "make_conv",
           "make_readout", "readout_width", "uses_neighbour_sum"]

CONVOLUTIONS = ("gin", "gine", "gcn", "sage", "sum", "gat")
EDGE_CONVOLUTIONS = ("gine", "gat")  # the convolutions that read edge features
READOUTS = ("sum", "mean", "max", "attention", "sum+mean")


def _neighbour_sum(edge_index: torch.Tensor | NeighbourSum, n_nodes: int,
                   edge_weight: torch.Tensor | None) -> NeighbourSum:
    if isinstance(edge_index, NeighbourSum):
        return edge_index
    return NeighbourSum(edge_index, n_nodes, edge_weight)


class SumConv(nn.Module):
    """Sum over the neighbours plus a self loop, then an affine map.

    ``h_i' = W (h_i + sum_{j in N(i)} a_ij h_j) + b``: the message passing of a plain
    graph neural network (adjacency with self loops times features, then a linear layer).

    Parameters
    ----------
    in_channels, out_channels : int

    Examples
    --------
    >>> import torch
    >>> conv = SumConv(2, 3)
    >>> conv(torch.ones(3, 2), torch.tensor([[0, 1], [1, 0]])).shape
    torch.Size([3, 3])
    """

    def __init__(self, in_channels: int, out_channels: int) -> None:
        super().__init__()
        self.lin = nn.Linear(in_channels, out_channels)

    def forward(self, x: torch.Tensor, edge_index: torch.Tensor | NeighbourSum,
                edge_weight: torch.Tensor | None = None) -> torch.Tensor:
        """``edge_index`` may be a prebuilt :class:`NeighbourSum` (then ``edge_weight``
        is ignored: the operator carries its weights)."""
        return self.lin(x + _neighbour_sum(edge_index, len(x), edge_weight) @ x)


class GINConv(nn.Module):
    """The graph isomorphism network layer (Xu et al. 2019): ``nn((1 + eps) h_i + sum_j h_j)``.

    The same parameters and ``state_dict`` as :class:`torch_geometric.nn.GINConv`, with
    the neighbour sum computed as a sparse product (:class:`NeighbourSum`), which can be
    built once per mini-batch and shared by every layer.

    Parameters
    ----------
    nn : torch.nn.Module
        Applied to the aggregated features.
    eps : float, default=0.0
        Initial ``eps``.
    train_eps : bool, default=False
        Learn ``eps``.

    Examples
    --------
    >>> import torch
    >>> conv = GINConv(torch.nn.Identity(), eps=0.5)
    >>> conv(torch.tensor([[1.0], [10.0]]), torch.tensor([[0, 1], [1, 0]])).ravel().tolist()
    [11.5, 16.0]
    """

    def __init__(self, nn: nn.Module, eps: float = 0.0, train_eps: bool = False) -> None:
        super().__init__()
        self.nn = nn
        if train_eps:
            self.eps = torch.nn.Parameter(torch.full((1,), float(eps)))
        else:
            self.register_buffer("eps", torch.full((1,), float(eps)))

    def forward(self, x: torch.Tensor, edge_index: torch.Tensor | NeighbourSum) -> torch.Tensor:
        """``edge_index``: sources in row 0, targets in row 1, or a :class:`NeighbourSum`."""
        neighbours = _neighbour_sum(edge_index, len(x), None) @ x
        return self.nn(torch.addcmul(neighbours, x, 1 + self.eps))


class GINEConv(nn.Module):
    """GIN with edge features (Hu et al. 2020): ``nn((1 + eps) h_i + sum_j relu(h_j + W e_ji))``.

    The same parameters and ``state_dict`` as :class:`torch_geometric.nn.GINEConv` (``lin``
    maps the edge features to the node width when ``edge_dim`` is given). Messages are
    computed edge by edge in the order of ``edge_index`` and summed at their targets with
    ``index_add`` (its backward is a gather, cheaper than a scatter's).

    Parameters
    ----------
    nn : torch.nn.Module
        Applied to the aggregated features.
    eps : float, default=0.0
    train_eps : bool, default=False
    edge_dim : int or None, default=None
        Width of the edge features; None when they already have the node width.

    Examples
    --------
    >>> import torch
    >>> conv = GINEConv(torch.nn.Identity())
    >>> x, edges = torch.tensor([[1.0], [-3.0]]), torch.tensor([[0, 1], [1, 0]])
    >>> conv(x, edges, torch.tensor([[1.0], [1.0]])).ravel().tolist()  # relu(x_j + e)
    [1.0, -1.0]
    """

    def __init__(self, nn: nn.Module, eps: float = 0.0, train_eps: bool = False,
                 edge_dim: int | None = None) -> None:
        super().__init__()
        self.nn = nn
        if train_eps:
            self.eps = torch.nn.Parameter(torch.full((1,), float(eps)))
        else:
            self.register_buffer("eps", torch.full((1,), float(eps)))
        if edge_dim is not None:
            first = nn[0] if isinstance(nn, torch.nn.Sequential) else nn
            width = getattr(first, "in_features", getattr(first, "in_channels", None))
            if width is None:
                raise ValueError("edge_dim needs an nn whose first layer has in_features.")
            self.lin = torch.nn.Linear(edge_dim, width)
        else:
            self.lin = None

    def forward(self, x: torch.Tensor, edge_index: torch.Tensor,
                edge_attr: torch.Tensor) -> torch.Tensor:
        """``edge_index``: sources in row 0, targets in row 1; ``edge_attr``: one row per edge."""
        if edge_attr is None:
            raise ValueError("GINEConv needs edge features (edge_attr).")
        source, target = edge_index
        edges = self.lin(edge_attr) if self.lin is not None else edge_attr
        messages = torch.relu(x.index_select(0, source) + edges)
        neighbours = torch.zeros_like(x).index_add_(0, target, messages)
        return self.nn(torch.addcmul(neighbours, x, 1 + self.eps))


class SumReadout(nn.Module):
    """The sum of each graph's node representations.

    Examples
    --------
    >>> import torch
    >>> SumReadout()(torch.ones(3, 2), torch.tensor([0, 0, 1]), dim_size=2).tolist()
    [[2.0, 2.0], [1.0, 1.0]]
    """

    def forward(self, h: torch.Tensor, batch: torch.Tensor, dim_size: int) -> torch.Tensor:
        # index_add's backward is an index_select, cheaper than the gather of PyG's scatter
        # (benchmarks/layers.py); the mean readout is PyG's, which index_add does not beat
        return h.new_zeros((dim_size, h.shape[1])).index_add_(0, batch, h)


_SHARES_NEIGHBOUR_SUM = (GINConv, SumConv)


def uses_neighbour_sum(module: nn.Module) -> bool:
    """Whether ``module`` contains a layer that can take a :class:`NeighbourSum`."""
    return any(isinstance(m, _SHARES_NEIGHBOUR_SUM) for m in module.modules())


def _mlp(in_channels: int, out_channels: int) -> nn.Sequential:
    """GIN's update MLP: two linear layers with batch norm and ReLU between them."""
    return nn.Sequential(nn.Linear(in_channels, out_channels), nn.BatchNorm1d(out_channels),
                         nn.ReLU(), nn.Linear(out_channels, out_channels))


def make_conv(name: str, in_channels: int, out_channels: int, *, train_eps: bool = True,
              edge_dim: int | None = None) -> nn.Module:
    """A graph convolution by name: ``"gin"``, ``"gcn"``, ``"sage"``, ``"sum"`` or ``"gat"``.

    Every returned module is called as ``conv(x, edge_index)``.

    Parameters
    ----------
    name : str
        ``"gin"``: :class:`GINConv` (Xu et al. 2019), ``MLP((1 + eps) h_i + sum_j h_j)``
        with a two-layer MLP with batch norm; ``"gine"``: :class:`GINEConv`, the same with
        edge features in the messages; ``"gcn"``: Kipf & Welling (2017);
        ``"sage"``: GraphSAGE with mean aggregation; ``"sum"``: :class:`SumConv`;
        ``"gat"``: graph attention (4 heads concatenated when ``out_channels`` is
        divisible by 4). ``"gin"`` and ``"sum"`` also accept a prebuilt
        :class:`NeighbourSum` in place of ``edge_index``.
    in_channels, out_channels : int
    train_eps : bool, default=True
        GIN and GINE: learn ``eps`` (else ``eps = 0``).
    edge_dim : int or None, default=None
        Width of the edge features, for ``"gine"`` and ``"gat"`` (which then read them).

    Returns
    -------
    torch.nn.Module

    Examples
    --------
    >>> conv = make_conv("gin", 7, 16)
    >>> type(conv).__name__, conv.eps.requires_grad
    ('GINConv', True)
    """
    if name == "gin":
        return GINConv(_mlp(in_channels, out_channels), train_eps=train_eps)
    if name == "gine":
        return GINEConv(_mlp(in_channels, out_channels), train_eps=train_eps,
                        edge_dim=edge_dim)
    if name == "gcn":
        from torch_geometric.nn import GCNConv  # PyG's modules load only when used

        return GCNConv(in_channels, out_channels)
    if name == "sage":
        from torch_geometric.nn import SAGEConv

        return SAGEConv(in_channels, out_channels)
    if name == "sum":
        return SumConv(in_channels, out_channels)
    if name == "gat":
        from torch_geometric.nn import GATConv

        heads = 4 if out_channels % 4 == 0 else 1
        return GATConv(in_channels, out_channels // heads, heads=heads, edge_dim=edge_dim)
    raise ValueError(f"unknown convolution {name!r}; expected one of {CONVOLUTIONS}.")


class SumMeanReadout(SumReadout):
    """Each graph's sum and mean of node representations, side by side: the total
    (which counts) and the average (which does not grow with the graph).

    Examples
    --------
    >>> import torch
    >>> SumMeanReadout()(torch.ones(3, 1), torch.tensor([0, 0, 1]), dim_size=2).tolist()
    [[2.0, 1.0], [1.0, 1.0]]
    """

    def forward(self, h: torch.Tensor, batch: torch.Tensor, dim_size: int) -> torch.Tensor:
        total = super().forward(h, batch, dim_size)
        counts = torch.bincount(batch, minlength=dim_size).clamp_(min=1).to(h.dtype)
        return torch.cat([total, total / counts.unsqueeze(1)], dim=1)


def readout_width(name: str, channels: int) -> int:
    """The width of what readout ``name`` returns for ``channels``-wide nodes."""
    return 2 * channels if name == "sum+mean" else channels


def make_readout(name: str, channels: int) -> nn.Module:
    """A graph readout by name: ``"sum"``, ``"mean"``, ``"max"``, ``"attention"`` or
    ``"sum+mean"``.

    Called as ``readout(h, batch, dim_size=n_graphs)``; returns ``(n_graphs, width)``, width
    ``channels`` (twice that for ``"sum+mean"``: both side by side, see
    :func:`readout_width`). ``"attention"`` is a learned softmax gate over each graph's
    nodes (Li et al. 2016).

    Examples
    --------
    >>> import torch
    >>> make_readout("sum", 2)(torch.ones(3, 2), torch.tensor([0, 0, 1]), dim_size=2).tolist()
    [[2.0, 2.0], [1.0, 1.0]]
    """
    if name == "sum":
        return SumReadout()
    if name == "sum+mean":
        return SumMeanReadout()
    from torch_geometric.nn import aggr  # PyG's modules load only when used

    if name == "mean":
        return aggr.MeanAggregation()
    if name == "max":
        return aggr.MaxAggregation()
    if name == "attention":
        return aggr.AttentionalAggregation(gate_nn=nn.Linear(channels, 1))
    raise ValueError(f"unknown readout {name!r}; expected one of {READOUTS}.")


class _OneMember(nn.Module):
    """A network that also answers as an ensemble of one (see :class:`GraphNetworkEnsemble`)."""

    def member_outputs(self, x: torch.Tensor, edge_index: torch.Tensor | NeighbourSum | None,
                       batch: torch.Tensor, n_graphs: int,
                       edge_attr: torch.Tensor | None = None) -> torch.Tensor:
        """The outputs as an ensemble of one: shape ``(1, n_graphs, n_outputs)``."""
        return self(x, edge_index, batch, n_graphs, edge_attr).unsqueeze(0)


class GraphNetwork(_OneMember):
    """Message-passing layers, a readout and an MLP head: one output row per graph.

    The outputs are class logits for a classifier, (standardised) targets for a regressor.
    With ``jumping_knowledge=True`` (as in the GIN paper) the readout pools the
    concatenation of every layer's node representations, so the head sees each graph at
    every depth; otherwise it pools the last layer only.

    Parameters
    ----------
    in_features : int
        Width of the node features.
    n_outputs : int
        Width of the output.
    conv : str, default="gin"
        See :func:`make_conv`.
    readout : str, default="sum"
        See :func:`make_readout`.
    n_layers : int, default=4
        Message-passing layers.
    hidden_size : int, default=64
        Width of every layer and of the head's hidden layer.
    dropout : float, default=0.5
        Dropout before the head's last linear layer (training only).
    jumping_knowledge : bool, default=False

    Examples
    --------
    >>> import torch
    >>> net = GraphNetwork(3, 2, n_layers=2, hidden_size=8).eval()
    >>> x = torch.randn(5, 3)
    >>> edge_index = torch.tensor([[0, 1, 3, 4], [1, 0, 4, 3]])
    >>> batch = torch.tensor([0, 0, 1, 1, 1])
    >>> net(x, edge_index, batch, 2).shape
    torch.Size([2, 2])
    """

    def __init__(self, in_features: int, n_outputs: int, *, conv: str = "gin",
                 readout: str = "sum", n_layers: int = 4, hidden_size: int = 64,
                 dropout: float = 0.5, jumping_knowledge: bool = False,
                 edge_dim: int | None = None) -> None:
        super().__init__()
        widths = [in_features] + [hidden_size] * n_layers
        self.convs = nn.ModuleList(make_conv(conv, a, b, edge_dim=edge_dim)
                                   for a, b in zip(widths, widths[1:]))
        self.norms = nn.ModuleList(nn.BatchNorm1d(hidden_size) for _ in range(n_layers))
        self.jumping_knowledge = jumping_knowledge
        pooled = sum(widths[1:]) if jumping_knowledge else widths[-1]
        self.readout = make_readout(readout, pooled)
        self.head = nn.Sequential(nn.Linear(readout_width(readout, pooled), hidden_size),
                                  nn.ReLU(), nn.Dropout(dropout),
                                  nn.Linear(hidden_size, n_outputs))

    def node_representations(self, x: torch.Tensor, edge_index: torch.Tensor | NeighbourSum,
                             edge_attr: torch.Tensor | None = None) -> torch.Tensor:
        """What the readout pools: every layer's output (concatenated) or the last one.

        ``edge_index`` may be a prebuilt :class:`NeighbourSum` of the batch (its
        ``edge_index`` then serves the convolutions that take an edge list); otherwise
        one is built here, once for all layers, when a layer takes it. ``edge_attr`` (one
        row per edge) goes to the convolutions that read edge features.
        """
        layers = []
        h = x
        shared = None
        if isinstance(edge_index, NeighbourSum):
            shared, edge_index = edge_index, edge_index.edge_index
        elif uses_neighbour_sum(self):
            shared = NeighbourSum(edge_index, len(x))
        for conv, norm in zip(self.convs, self.norms):
            if isinstance(conv, _SHARES_NEIGHBOUR_SUM):
                h = conv(h, shared)
            elif isinstance(conv, GINEConv) or (edge_attr is not None
                                                and getattr(conv, "edge_dim", None)):
                h = conv(h, edge_index, edge_attr)
            else:
                h = conv(h, edge_index)
            h = torch.relu(norm(h))
            layers.append(h)
        return torch.cat(layers, dim=-1) if self.jumping_knowledge else h

    def forward(self, x: torch.Tensor, edge_index: torch.Tensor | NeighbourSum,
                batch: torch.Tensor, n_graphs: int, edge_attr: torch.Tensor | None = None
                ) -> torch.Tensor:
        """Outputs of shape ``(n_graphs, n_outputs)``."""
        h = self.node_representations(x, edge_index, edge_attr)
        return self.head(self.readout(h, batch, dim_size=n_graphs))


class PooledFeatureNetwork(_OneMember):
    """A structure-agnostic network: each graph's summed and mean node features, then an MLP.

    The baseline of Errica et al. (ICLR 2020), which ignores the edges: the two pooled
    vectors are batch-normalised (standardised with the batch's statistics in training,
    running ones at prediction) and mapped by an MLP with one hidden layer. Called like
    :class:`GraphNetwork`; ``edge_index`` and ``edge_attr`` are not read.

    Parameters
    ----------
    in_features : int
        Width of the node features.
    n_outputs : int
        Width of the output.
    hidden_size : int, default=64
        Width of the hidden layer.
    dropout : float, default=0.5
        Dropout before the last linear layer (training only).

    Examples
    --------
    >>> import torch
    >>> net = PooledFeatureNetwork(3, 2, hidden_size=8).eval()
    >>> net(torch.randn(5, 3), None, torch.tensor([0, 0, 1, 1, 1]), 2).shape
    torch.Size([2, 2])
    """

    def __init__(self, in_features: int, n_outputs: int, *, hidden_size: int = 64,
                 dropout: float = 0.5) -> None:
        super().__init__()
        self.sum = SumReadout()
        self.norm = nn.BatchNorm1d(2 * in_features)
        self.head = nn.Sequential(nn.Linear(2 * in_features, hidden_size), nn.ReLU(),
                                  nn.Dropout(dropout), nn.Linear(hidden_size, n_outputs))

    def forward(self, x: torch.Tensor, edge_index: torch.Tensor | NeighbourSum | None,
                batch: torch.Tensor, n_graphs: int, edge_attr: torch.Tensor | None = None
                ) -> torch.Tensor:
        """Outputs of shape ``(n_graphs, n_outputs)``."""
        total = self.sum(x, batch, dim_size=n_graphs)
        count = torch.bincount(batch, minlength=n_graphs).clamp_(min=1).to(x.dtype)
        return self.head(self.norm(torch.cat([total, total / count.unsqueeze(1)], dim=1)))


class GraphNetworkEnsemble(nn.Module):
    """Networks trained side by side on the same mini-batches, each on its own loss.

    Each member has its own initial weights and dropout masks; trained with the sum of the
    members' losses, every member receives exactly the gradient it would receive alone
    (their parameters are disjoint), so this is a deep ensemble (Lakshminarayanan et al.
    2017) trained in one loop. How the members' outputs combine into a prediction is the
    estimator's (mean probabilities for a classifier, mean values for a regressor).

    Parameters
    ----------
    members : sequence of torch.nn.Module
        Each called as ``member(x, edge_index, batch, n_graphs)`` and returning outputs of
        the same shape.

    Examples
    --------
    >>> import torch
    >>> nets = [GraphNetwork(3, 2, n_layers=1, hidden_size=4) for _ in range(3)]
    >>> ensemble = GraphNetworkEnsemble(nets).eval()
    >>> x, edge_index = torch.randn(4, 3), torch.tensor([[0, 1], [1, 0]])
    >>> batch = torch.tensor([0, 0, 1, 1])
    >>> ensemble.member_outputs(x, edge_index, batch, 2).shape
    torch.Size([3, 2, 2])
    """

    def __init__(self, members: Sequence[nn.Module]) -> None:
        super().__init__()
        if not members:
            raise ValueError("an ensemble needs at least one member.")
        self.members = nn.ModuleList(members)

    def member_outputs(self, x: torch.Tensor, edge_index: torch.Tensor | NeighbourSum,
                       batch: torch.Tensor, n_graphs: int,
                       edge_attr: torch.Tensor | None = None) -> torch.Tensor:
        """Every member's outputs: shape ``(n_members, n_graphs, n_outputs)``.

        Members that take a :class:`NeighbourSum` share one, built once per call.
        """
        edge_list = edge_index.edge_index if isinstance(edge_index, NeighbourSum) else edge_index
        if edge_index is edge_list and uses_neighbour_sum(self):
            edge_index = NeighbourSum(edge_list, len(x))
        # networks take the shared operator; other members get the plain edge list
        return torch.stack([
            member(x, edge_index, batch, n_graphs, edge_attr) if isinstance(member, GraphNetwork)
            else member(x, edge_list, batch, n_graphs)
            for member in self.members])

    forward = member_outputs
