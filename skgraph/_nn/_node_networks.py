"""Networks that predict one output row per node of one graph (node classification and regression).

Every network reads the node inputs of :func:`skgraph._node_inputs.node_inputs` (features as a
dense tensor, a sparse operator or identity features, the normalised operator ``S`` and,
when cheap, ``S X`` computed once) and returns ``(n_nodes, n_outputs)``. Propagation runs on
cached sparse operators with fast backwards (:class:`SparseOperator`), never on an edge
list, except for attention (GAT), which weighs each edge and uses PyG's ``GATConv``.

- ``"gcn"``: GCN layers ``S h W`` (Kipf & Welling 2017);
- ``"sage"``: GraphSAGE with mean aggregation, ``h W_self + (D^-1 A h) W_neigh``: a node's
  own representation kept apart from its neighbours' (Hamilton et al. 2017);
- ``"gat"``: graph attention (Veličković et al. 2018), PyG's ``GATConv``;
- ``"appnp"``: an MLP, then ``K`` steps of personalised PageRank ``z <- (1 - a) S z + a h``
  (Gasteiger et al. 2019);
- ``"gprgnn"``: an MLP, then ``sum_k gamma_k P^k h`` with learned ``gamma`` (initialised as
  personalised PageRank, not weight-decayed) over ``P = D^-1/2 A D^-1/2`` without self loops,
  so that ``gamma_0`` weighs the node's own prediction and ``gamma_1`` its neighbours' alone:
  it learns to smooth on homophilous graphs and to keep the node's own prediction on
  heterophilous ones (Chien et al. 2021, without their self loops and dropout before
  propagation, both measured worse here).
"""

from __future__ import annotations

import torch
from torch import nn
from torch.nn import functional as F

from ._graph_autoencoder import GCNLayer, relu_dropout
from ._propagation import IdentityFeatures, SparseOperator, per_hop, polynomial_filter

__all__ = ["EDGES_READ", "NODE_CONVOLUTIONS", "NodeNetwork"]

NODE_CONVOLUTIONS = ("gcn", "sage", "gat", "appnp", "gprgnn")
# the field of NodeInputs through which each network reads the graph's edges
EDGES_READ = {"gcn": "operator", "appnp": "operator", "sage": "mean_operator",
              "gat": "edge_index", "gprgnn": "plain_operator"}


def _dropout_input(x, p: float, training: bool):
    """Dropout of the input features: dense, or the stored values of sparse ones (identity
    features are left as they are)."""
    if not training or p == 0:
        return x
    if isinstance(x, torch.Tensor):
        return F.dropout(x, p, training)
    if isinstance(x, SparseOperator):
        return x.dropout(p)
    return x


def _input_major(layer: nn.Linear) -> nn.Linear:
    """The layer with its weight laid out input-major in memory (shape and values kept).

    For the first layer, which may read sparse features: they are multiplied by ``W^T``,
    which is then contiguous instead of copied at every step, and the gradient arrives in
    the weight's own layout (the product's backward writes ``X^T G``), so it is
    accumulated without a transposing pass. State dicts are unchanged; ``load_state_dict``,
    ``.to`` and the training loop's flat parameter buffer keep the layout."""
    layer.weight = nn.Parameter(layer.weight.detach().T.contiguous().T)
    return layer


def _linear(x, layer: nn.Linear) -> torch.Tensor:
    """``x W^T + b`` for dense, sparse (a SparseOperator) or identity features."""
    if isinstance(x, torch.Tensor):
        return layer(x)
    return (x @ layer.weight.T) + layer.bias  # not in place: identity features return W^T


class NodeNetwork(nn.Module):
    """A node-level network by name (see the module docstring).

    Parameters
    ----------
    in_features : int
        Width of the node input.
    n_outputs : int
        Width of the output (classes, or targets).
    conv : {"gcn", "sage", "gat", "appnp", "gprgnn"}, default="gprgnn"
    hidden_size : int, default=64
    n_layers : int, default=2
        Graph convolutions for ``"gcn"``, ``"sage"`` and ``"gat"`` (the last one gives the
        output); linear layers of the MLP for ``"appnp"`` and ``"gprgnn"``.
    dropout : float, default=0.5
        Dropout of the input and of every hidden layer, during training.
    propagation_steps : int, default=10
        ``K`` of ``"appnp"`` and ``"gprgnn"``.
    alpha : float, default=0.1
        Teleport probability of the personalised PageRank (``"appnp"``, and the initial
        ``gamma`` of ``"gprgnn"``).
    heads : int, default=8
        Attention heads of the hidden GAT layers.
    """

    def __init__(self, in_features: int, n_outputs: int, *, conv: str = "gprgnn",
                 hidden_size: int = 64, n_layers: int = 2, dropout: float = 0.5,
                 propagation_steps: int = 10, alpha: float = 0.1, heads: int = 8) -> None:
        super().__init__()
        if conv not in NODE_CONVOLUTIONS:
            raise ValueError(f"unknown convolution {conv!r}; expected one of {NODE_CONVOLUTIONS}.")
        self.conv = conv
        self.dropout = dropout
        self.propagation_steps = propagation_steps
        self.alpha = alpha = float(alpha)  # a numpy float32 cannot be written into a tensor
        widths = [in_features] + [hidden_size] * (n_layers - 1) + [n_outputs]
        pairs = list(zip(widths[:-1], widths[1:]))
        if conv == "gcn":
            self.layers = nn.ModuleList(GCNLayer(a, b) for a, b in pairs)
        elif conv == "sage":
            self.layers = nn.ModuleList(_SageLayer(a, b) for a, b in pairs)
            _input_major(self.layers[0].self_weight)
            _input_major(self.layers[0].neighbour_weight)
        elif conv == "gat":
            from torch_geometric.nn import GATConv

            layers, width = [], in_features
            for i in range(n_layers):
                last = i == n_layers - 1
                out = n_outputs if last else max(1, hidden_size // heads)
                layers.append(GATConv(width, out, heads=1 if last else heads,
                                      concat=not last, dropout=dropout))
                width = out * heads
            self.layers = nn.ModuleList(layers)
        else:  # an MLP, then propagation
            self.layers = nn.ModuleList(nn.Linear(a, b) for a, b in pairs)
            _input_major(self.layers[0])
            if conv == "gprgnn":
                gamma = alpha * (1 - alpha) ** torch.arange(propagation_steps + 1,
                                                             dtype=torch.float32)
                gamma[-1] = (1 - alpha) ** propagation_steps
                self.gamma = nn.Parameter(gamma)
                self.gamma.no_weight_decay = True  # the filter's shape is not penalised

    def forward(self, inputs) -> torch.Tensor:
        """``(n_nodes, n_outputs)`` from a :class:`~skgraph._node_inputs.NodeInputs`.

        Its operators may also be lists with one per hop (a sampled subgraph's, trimmed hop
        by hop: each maps the rows it reads to the fewer rows the next hop reads); the
        output then has the last one's rows.
        """
        x = inputs.features
        if self.conv == "gcn":
            return self._gcn(inputs)
        if self.conv == "sage":
            mean = per_hop(inputs.mean_operator, len(self.layers))
            return self._stack(x, lambda i, layer, h: layer(h, mean[i]))
        if self.conv == "gat":
            return self._stack(x, lambda i, layer, h: layer(_dense(h, inputs.edge_index.device),
                                                            inputs.edge_index))
        return self._propagate(inputs, self._stack(x, lambda i, layer, h: _linear(h, layer)))

    def passes(self, inputs, n_passes: int) -> tuple[torch.Tensor, ...]:
        """``n_passes`` forward passes, each with its own dropout (outputs as :meth:`forward`'s).

        An MLP followed by propagation (``"appnp"``, ``"gprgnn"``) runs them as one: the
        MLP on the passes' rows stacked, the propagation on their columns side by side (the
        same products, in a fraction of the kernel calls a small graph's step is made of).
        """
        if self.conv not in ("appnp", "gprgnn") or n_passes == 1:
            return tuple(self(inputs) for _ in range(n_passes))
        first, x = self.layers[0], inputs.features
        if isinstance(x, SparseOperator):  # the passes' dropped-out rows in one product
            h = _linear(_dropout_input(x.repeated(n_passes), self.dropout, self.training), first)
        else:
            h = torch.cat([_linear(_dropout_input(x, self.dropout, self.training), first)
                           for _ in range(n_passes)])
        for layer in self.layers[1:]:
            h = _linear(relu_dropout(h, self.dropout, self.training), layer)
        rows, width = h.shape[0] // n_passes, h.shape[1]
        side_by_side = h.view(n_passes, rows, width).transpose(0, 1).reshape(rows, -1)
        out = self._propagate(inputs, side_by_side)
        return out.view(out.shape[0], n_passes, width).unbind(1)

    def _propagate(self, inputs, h: torch.Tensor) -> torch.Tensor:
        """The propagation after the MLP of ``"appnp"`` and ``"gprgnn"`` (columnwise, so
        any number of side-by-side passes at once)."""
        if self.conv == "appnp":
            z = h
            for operator in per_hop(inputs.operator, self.propagation_steps):
                z = torch.add(operator @ z, h[: operator.shape[0]],
                              alpha=self.alpha / (1 - self.alpha)).mul_(1 - self.alpha)
            return z
        # over D^-1/2 A D^-1/2 (neighbours only, no self loop): gamma_0 weighs the node's
        # own prediction
        return polynomial_filter(inputs.plain_operator, h, self.gamma)

    def _stack(self, x, apply) -> torch.Tensor:
        h = _dropout_input(x, self.dropout, self.training)
        for i, layer in enumerate(self.layers):
            h = apply(i, layer, h)
            if i < len(self.layers) - 1:
                h = relu_dropout(h, self.dropout, self.training)
        return h

    def _gcn(self, inputs) -> torch.Tensor:
        # the first layer reads S X computed once (no input dropout then: it would have to
        # come before the propagation), else S (X W)
        h, propagated = inputs.features, inputs.propagated
        if self.training and self.dropout > 0 and not isinstance(h, IdentityFeatures):
            h, propagated = _dropout_input(h, self.dropout, True), None
        for i, (layer, operator) in enumerate(zip(self.layers,
                                                  per_hop(inputs.operator, len(self.layers)))):
            h = layer(h, operator, propagated)
            propagated = None
            if i < len(self.layers) - 1:
                h = relu_dropout(h, self.dropout, self.training)
        return h


def _dense(x, device: torch.device) -> torch.Tensor:
    """Sparse or identity features as a dense tensor on ``device`` (the graph's), for
    PyG's ``GATConv``."""
    if isinstance(x, torch.Tensor):
        return x
    return x @ torch.eye(x.shape[1], device=device)


class _SageLayer(nn.Module):
    """``h W_self + (D^-1 A h) W_neigh + b``: GraphSAGE's mean aggregation with root weight."""

    def __init__(self, in_channels: int, out_channels: int) -> None:
        super().__init__()
        self.self_weight = nn.Linear(in_channels, out_channels)
        self.neighbour_weight = nn.Linear(in_channels, out_channels, bias=False)

    def forward(self, h, mean_operator) -> torch.Tensor:
        rows = mean_operator.shape[0]  # fewer than h's in a trimmed hop of a sampled subgraph
        if isinstance(h, torch.Tensor):
            own = self.self_weight(h[:rows])
        else:
            own = _linear(h, self.self_weight)[:rows]
        if isinstance(h, torch.Tensor):
            neighbours = mean_operator @ self.neighbour_weight(h)
        else:
            neighbours = mean_operator @ (h @ self.neighbour_weight.weight.T)
        return own.add_(neighbours)
