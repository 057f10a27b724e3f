"""``GNNGraphClassifier``: one label per graph, learned by a graph neural network."""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from contextlib import nullcontext
from dataclasses import dataclass
from numbers import Integral, Real
from typing import Any

import numpy as np
import scipy.sparse as sp
import torch
import torch.nn.functional as F
from sklearn.base import ClassifierMixin, _fit_context
from sklearn.model_selection import train_test_split
from sklearn.utils._param_validation import Interval, StrOptions
from sklearn.utils.class_weight import compute_class_weight
from sklearn.utils.multiclass import check_classification_targets
from sklearn.utils.validation import check_is_fitted, column_or_1d
from threadpoolctl import threadpool_limits

from ._base import _DROPOUT, BaseGraphEstimator
from ._device import thread_limit
from ._graph import Graph, as_graph
from ._node_inputs import degree_features, return_probabilities
from .nn._graph_networks import (
    CONVOLUTIONS,
    READOUTS,
    GraphClassificationEnsemble,
    GraphClassificationNetwork,
    recalibrate_batch_norm,
    uses_neighbour_sum,
)
from .nn._propagation import NeighbourSum

__all__ = ["GNNGraphClassifier"]

# Inference processes graphs in chunks of at most this many nodes (or one larger graph).
_INFERENCE_NODES = 200_000


# -- a collated set of graphs ---------------------------------------------------
@dataclass
class _CollatedGraphs:
    """Many graphs stored once as flat tensors, from which mini-batches are sliced cheaply.

    ``x`` holds every node's features, graph after graph; ``edge_index`` every graph's
    edges (both directions) in *local* node ids, graph after graph; ``node_ptr`` and
    ``edge_ptr`` are the start offsets of each graph (CSR style).
    """

    x: torch.Tensor
    edge_index: torch.Tensor
    node_ptr: torch.Tensor
    edge_ptr: torch.Tensor

    @property
    def n_graphs(self) -> int:
        return len(self.node_ptr) - 1

    def to(self, device: torch.device) -> _CollatedGraphs:
        return _CollatedGraphs(self.x.to(device), self.edge_index.to(device),
                               self.node_ptr.to(device), self.edge_ptr.to(device))

    def batch(self, graph_ids: torch.Tensor, neighbour_sum: bool = False
              ) -> tuple[torch.Tensor, torch.Tensor | NeighbourSum, torch.Tensor, int]:
        """The block-diagonal mini-batch of ``graph_ids``: ``x, edge_index, batch, n_graphs``.

        With ``neighbour_sum`` the edges come as a :class:`~skgraph.nn.NeighbourSum`, for
        every layer and network to share: one matrix, its own transpose (the graphs are
        undirected), built without sorting (the edges are sorted by source).
        """
        n_nodes = self.node_ptr[graph_ids + 1] - self.node_ptr[graph_ids]
        n_edges = self.edge_ptr[graph_ids + 1] - self.edge_ptr[graph_ids]
        total_nodes, total_edges = (int(t) for t in torch.stack([n_nodes.sum(), n_edges.sum()]))
        nodes = _concatenated_ranges(self.node_ptr[graph_ids], n_nodes, total_nodes)
        edges = _concatenated_ranges(self.edge_ptr[graph_ids], n_edges, total_edges)
        new_starts = torch.cumsum(n_nodes, 0) - n_nodes
        shift = torch.repeat_interleave(new_starts, n_edges, output_size=total_edges)
        edge_index = self.edge_index[:, edges] + shift
        positions = torch.arange(len(graph_ids), device=graph_ids.device)
        batch = torch.repeat_interleave(positions, n_nodes, output_size=total_nodes)
        if neighbour_sum:
            edge_index = NeighbourSum(edge_index, total_nodes, symmetric=True)
        return self.x[nodes], edge_index, batch, len(graph_ids)


def _concatenated_ranges(starts: torch.Tensor, counts: torch.Tensor, total: int) -> torch.Tensor:
    """``cat([arange(s, s + c) for s, c in zip(starts, counts)])`` without a Python loop."""
    offsets = torch.cumsum(counts, 0) - counts
    return (torch.arange(total, device=starts.device)
            + torch.repeat_interleave(starts - offsets, counts, output_size=total))


def _check_graph_sequence(graphs: Any, what: str = "X") -> list:
    """The items of a sequence of graphs; a single graph passed instead is a TypeError."""
    single = (
        isinstance(graphs, Graph) or sp.issparse(graphs)
        or (isinstance(graphs, np.ndarray) and graphs.ndim == 2 and graphs.dtype != object)
        or type(graphs).__module__.startswith(("networkx", "torch_geometric"))
        or (isinstance(graphs, tuple) and 1 <= len(graphs) <= 2 and _looks_like_adjacency(graphs[0])
            and (len(graphs) == 1 or graphs[1] is None or _rows(graphs[1]) == _rows(graphs[0])))
    )
    if single and not type(graphs).__name__.endswith("Dataset"):  # a PyG dataset is a sequence
        raise TypeError(f"{what} must be a sequence of graphs (e.g. a list), one per sample; got a "
                        f"single graph ({type(graphs).__name__}). Wrap it in a list: [graph].")
    if isinstance(graphs, (str, bytes)) or not isinstance(graphs, Iterable):
        raise TypeError(f"{what} must be a sequence of graphs (e.g. a list), got "
                        f"{type(graphs).__name__}.")
    items = list(graphs)
    if not items:
        raise ValueError(f"{what} is empty: expected at least one graph.")
    return items


def _looks_like_adjacency(obj: Any) -> bool:
    return sp.issparse(obj) or (isinstance(obj, np.ndarray) and obj.ndim == 2
                                and obj.shape[0] == obj.shape[1] and obj.dtype != object)


def _rows(obj: Any) -> int | None:
    shape = getattr(obj, "shape", None)
    return shape[0] if shape else None


def _node_features(graph: Graph) -> np.ndarray:
    """Dense float32 node features; ``[1, log(1 + degree)]`` for a featureless graph."""
    if graph.features is None:
        return degree_features(graph.adjacency)
    features = graph.features
    return (features.toarray() if sp.issparse(features) else np.asarray(features)
            ).astype(np.float32, copy=False)


def _collate(graphs: Sequence[Any], width: int | None, what: str, walk_steps: int
             ) -> tuple[_CollatedGraphs, int]:
    """Validate every graph (through ``as_graph``) and store them as flat CPU tensors.

    ``width`` is the node feature width every graph must have (``None``: the first's);
    returns the collated graphs and that width (0 for featureless graphs). Each node's
    features are followed by its ``walk_steps`` random-walk return probabilities.
    """
    # many small eigendecompositions, where BLAS threads only contend; entering the limit
    # costs about a millisecond, so only when there are walks to compute
    limit = threadpool_limits(limits=1, user_api="blas") if walk_steps else nullcontext()
    with limit:
        return _collate_graphs(graphs, width, what, walk_steps)


def _collate_graphs(graphs: Sequence[Any], width: int | None, what: str, walk_steps: int
                    ) -> tuple[_CollatedGraphs, int]:
    xs, edges, n_nodes, n_edges = [], [], [], []
    expected = width
    for i, item in enumerate(graphs):
        try:
            graph = as_graph(item).whole()
        except (TypeError, ValueError) as exc:
            raise type(exc)(f"{what}[{i}] is not a valid graph: {exc}") from None
        if expected is None:
            expected = graph.n_features
        elif graph.n_features != expected:
            origin = "the first graph" if width is None else "the training graphs"
            raise ValueError(f"{what}[{i}] has {graph.n_features} node features but {origin} "
                             f"had {expected}; every graph needs the same feature width "
                             "(0 for featureless graphs).")
        coo = graph.adjacency.tocoo()
        features = _node_features(graph)
        if walk_steps:
            features = np.hstack([features, return_probabilities(graph.adjacency, walk_steps)])
        xs.append(features)
        edges.append(np.vstack([coo.row, coo.col]))
        n_nodes.append(graph.n_nodes)
        n_edges.append(coo.nnz)
    ptr = [torch.from_numpy(np.concatenate([[0], np.cumsum(n)]).astype(np.int64))
           for n in (n_nodes, n_edges)]
    collated = _CollatedGraphs(torch.from_numpy(np.concatenate(xs)),
                               torch.from_numpy(np.hstack(edges).astype(np.int64)), *ptr)
    return collated, expected


# Standardised values of real-valued columns are clipped to this many standard deviations.
_CLIP_STDS = 3.0


def _feature_scaling(x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """Per-column ``(offset, scale, bound)``: ``clip((x - offset) / scale, -bound, bound)``.

    Constant columns are left unchanged (offset 0, scale 1, no bound: a constant input
    still counts neighbours under sum aggregation); two-valued columns (e.g. one-hot
    labels) are mapped to ``{0, 1}``, smallest value to 0 (no bound); every other column
    is standardised to zero mean and unit variance and clipped to ``_CLIP_STDS`` standard
    deviations, so that a few outlying values (summed over neighbours and nodes) cannot
    dominate. Statistics are computed in float64 over all nodes of ``x``.
    """
    x = x.double()
    offset = torch.zeros(x.shape[1], dtype=torch.float64)
    scale = torch.ones(x.shape[1], dtype=torch.float64)
    bound = torch.full((x.shape[1],), math.inf, dtype=torch.float64)
    for j in range(x.shape[1]):
        column = x[:, j]
        low, high = column.min(), column.max()
        if high <= low:
            continue
        if not torch.any((column != low) & (column != high)):
            offset[j], scale[j] = low, high - low
        else:
            std = column.std(unbiased=False)
            if std > 0:
                offset[j], scale[j], bound[j] = column.mean(), std, _CLIP_STDS
    return offset.float(), scale.float(), bound.float()


def _chunks(node_ptr: torch.Tensor, budget: int) -> list[torch.Tensor]:
    """Consecutive graph ids in chunks of about ``budget`` nodes (at least one graph each)."""
    ends = node_ptr[1:].numpy()
    chunks, start = [], 0
    while start < len(ends):
        base = node_ptr[start].item()
        stop = max(start + 1, int(np.searchsorted(ends, base + budget, side="right")))
        chunks.append(torch.arange(start, stop))
        start = stop
    return chunks


@dataclass
class _TrainingData:
    graphs: _CollatedGraphs
    y: torch.Tensor
    train_ids: torch.Tensor
    validation_ids: torch.Tensor | None
    batch_size: int
    learning_rate: float
    max_epochs: int
    label_smoothing: float = 0.0
    weights: torch.Tensor | None = None  # per graph, mean 1 over the training graphs
    average_from: int | None = None  # epochs after which the weights are averaged
    weight_sum: dict[str, torch.Tensor] | None = None
    n_averaged: int = 0
    epoch: int = 0

    def accumulate(self, module: torch.nn.Module) -> None:
        """Add the module's current parameters to the running weight average."""
        params = {name: p.detach() for name, p in module.named_parameters()}
        if self.weight_sum is None:
            self.weight_sum = {name: p.clone() for name, p in params.items()}
        else:
            for name, p in params.items():
                self.weight_sum[name].add_(p)
        self.n_averaged += 1

    def load_average(self, module: torch.nn.Module) -> None:
        """Give the module the averaged parameters (if any were accumulated)."""
        if not self.n_averaged:
            return
        with torch.no_grad():
            for name, p in module.named_parameters():
                p.copy_(self.weight_sum[name] / self.n_averaged)


# -- the estimator ----------------------------------------------------------------
class GNNGraphClassifier(ClassifierMixin, BaseGraphEstimator):
    """Whole-graph classification with a graph neural network (GIN by default).

    Each sample is a graph. Every node's features are extended by its random-walk
    return probabilities (``random_walk_encoding``) and put on a common scale
    (``standardize``, statistics from the training graphs). Message-passing layers
    compute node representations, a readout pools them into one vector per graph and
    an MLP head gives class logits; two such networks (``ensemble_size``) are trained
    side by side, each with cross-entropy, over shuffled mini-batches of graphs, and
    their class probabilities averaged. The step size decays along a cosine over
    ``max_epochs``; the weights of the last ``weight_averaging`` fraction of epochs are
    averaged. After training, the batch-norm
    statistics are recomputed for the final weights on the training graphs, so
    predictions match what training saw. With ``jumping_knowledge`` (as in the GIN paper)
    the readout pools every layer's representations.

    Graphs may have different sizes but must share the node feature width. A graph given
    without features gets ``[1, log(1 + degree)]`` per node. Graphs without edges and
    single-node graphs are valid. All graphs are validated and collated once per call;
    mini-batches are then sliced from flat tensors.

    Parameters
    ----------
    conv : {"gin", "gcn", "sage", "sum", "gat"}, default="gin"
        Graph convolution: GIN (Xu et al. 2019) with a learnable ``eps``, GCN, GraphSAGE
        (mean), ``"sum"`` (sum over neighbours and self, then an affine map), or GAT.
    readout : {"sum", "mean", "max", "attention"}, default="sum"
        How node representations are pooled into a graph representation.
    n_layers : int, default=4
        Message-passing layers.
    hidden_size : int, default=32
        Width of the node representations and of the head's hidden layer (of each
        network of the ensemble).
    dropout : float, default=0.5
        Dropout in the classification head, during training.
    jumping_knowledge : bool, default=False
        Pool the concatenation of all layers' node representations rather than the last
        layer's only. (Measured: no better on MUTAG, worse on PROTEINS with sum readout.)
    standardize : bool, default=True
        Put every node feature column on a common scale, with statistics fitted on the
        training graphs' nodes and reused at prediction (stored in ``feature_offset_``,
        ``feature_scale_`` and ``feature_bound_``): two-valued columns (e.g. one-hot
        labels) are mapped to ``{0, 1}``, other non-constant columns standardised to zero
        mean and unit variance and clipped to 3 standard deviations, constant columns left
        unchanged. Predictions are then invariant to a positive rescaling (and shift) of
        any feature column. Without it a large-valued attribute (summed over neighbours
        and nodes) can swamp the others; without the clip, a few outlying values can
        (as PROTEINS' heavy-tailed attribute does; measured in the benchmarks).
    random_walk_encoding : int, default=16
        Append to every node's features the probabilities that a random walk from the
        node is back at it after 1, 2, ..., ``random_walk_encoding`` steps (a structural
        encoding, RWSE: Dwivedi et al. 2022; exact, for the walk that moves along an edge
        with probability proportional to its weight). They tell, for instance, whether a node
        lies on a ring of 5 or 6 atoms, which message passing with sum aggregation cannot
        detect; computed per graph in time ``steps * n_edges * n_nodes`` at most (cubic in
        the nodes for small graphs). ``0`` adds nothing.
    weight_averaging : float, default=0.5
        Fraction of the final epochs whose weights are averaged into the returned model
        (stochastic weight averaging, Izmailov et al. 2018; the batch-norm statistics are
        then recomputed for the averaged weights). Averaging along the end of the cosine
        schedule lands in a flatter region than the last iterate: lower variance across
        seeds and folds. ``0`` keeps the last epoch's weights; ignored with
        ``early_stopping`` (the best validated weights are kept).
    ensemble_size : int, default=2
        Networks trained side by side (each with its own initial weights and dropout,
        on the same mini-batches, each on its own loss) whose class probabilities are
        averaged: a deep ensemble (Lakshminarayanan et al. 2017) in one training loop, at
        ``ensemble_size`` times the cost of one network per epoch. The default, two
        networks of width 32, costs about as much as one of width 64 (the products with
        the weights dominate and scale with the width squared) and measured higher on
        PROTEINS and as high, with a smaller spread over seeds, on MUTAG (see the
        benchmarks). ``1`` trains a single network.
    batch_size : int, default=32
        Graphs per mini-batch.
    max_epochs : int, default=100
        Passes over the training graphs.
    learning_rate : float, default=0.01
        Adam's initial step size (cosine decay over ``max_epochs``).
    label_smoothing : float, default=0.0
        Train against targets that give this much probability mass, spread evenly, to
        every class (Szegedy et al. 2016): the true class of a training graph is aimed at
        ``1 - label_smoothing + label_smoothing / n_classes`` rather than 1, which keeps
        the logits bounded and the probabilities less overconfident. ``loss_curve_``
        includes the smoothing term.
    class_weight : dict, "balanced" or None, default=None
        Weights of the classes in the training loss, as in scikit-learn's linear models: a
        dict ``{class_label: weight}`` (classes left out weigh 1), ``"balanced"`` for
        ``n_graphs / (n_classes * np.bincount(y))``, so that every class weighs the same in
        total, or None for equal weights. Multiplied with ``sample_weight`` when both are
        given.
    weight_decay : float, default=0.0
        L2 penalty (Adam's ``weight_decay``).
    early_stopping : bool, default=False
        Hold out a stratified ``validation_fraction`` of the graphs, stop when their
        accuracy has not improved by ``tol`` for ``n_iter_no_change`` epochs and keep the
        best weights. When False the training loss is watched instead.
    validation_fraction : float, default=0.1
        Fraction of graphs held out with ``early_stopping``.
    n_iter_no_change : int or None, default=None
        Epochs without improvement before stopping; ``None`` runs all ``max_epochs``
        epochs (with ``early_stopping``, the best weights are still kept).
    tol : float, default=1e-4
        Minimum improvement that counts.
    device : {"auto", "cpu", "cuda", "cuda:N", "mps"}, default="auto"
        Where to train: ``"auto"`` picks CUDA, then MPS, then CPU.
    random_state : int, RandomState instance or None, default=None
        Seeds weights, shuffling, dropout and the validation split; fits with the same
        integer agree on CPU.
    verbose : int, default=0
        Show a progress bar with the loss.
    warm_start : bool, default=False
        Continue from the previous fit's weights (same architecture, classes and width).

    Attributes
    ----------
    classes_ : ndarray of shape (n_classes,)
        Class labels, sorted.
    n_classes_ : int
    n_features_in_ : int
        Node feature width of the training graphs (0 for featureless graphs).
    feature_offset_ : ndarray of shape (n_input_features,) or None
        Subtracted from each node feature column before the network (``None`` without
        ``standardize``). ``n_input_features`` is ``n_features_in_`` (or 2 for featureless
        graphs: their ``[1, log(1 + degree)]`` features) plus ``random_walk_encoding``.
    feature_scale_ : ndarray of shape (n_input_features,) or None
        Then divided into each column.
    feature_bound_ : ndarray of shape (n_input_features,) or None
        Then each column is clipped to ``[-bound, bound]`` (3 for real-valued columns,
        ``inf`` for two-valued and constant ones).
    module_ : skgraph.nn.GraphClassificationNetwork or skgraph.nn.GraphClassificationEnsemble
        The trained torch module (an ensemble when ``ensemble_size > 1``).
    loss_curve_ : list of float
        Mean training loss per epoch.
    validation_scores_ : list of float or None
        Validation accuracy per epoch with ``early_stopping``.
    best_validation_score_ : float or None
    n_iter_ : int
        Epochs run by the last fit.
    device_ : str
        Device the model lives on.

    Examples
    --------
    >>> import numpy as np
    >>> from skgraph import GNNGraphClassifier
    >>> rng = np.random.default_rng(0)
    >>> A = np.ones((5, 5)) - np.eye(5)  # 5 nodes; features near -1 ("neg") or +1 ("pos")
    >>> signs = np.tile([-1.0, 1.0], 10)
    >>> graphs = [(A, s + 0.1 * rng.normal(size=(5, 2))) for s in signs]
    >>> y = np.where(signs < 0, "neg", "pos")
    >>> clf = GNNGraphClassifier(max_epochs=20, random_state=0).fit(graphs, y)
    >>> clf.predict([(A, np.full((5, 2), 0.9)), (A, np.full((5, 2), -1.1))]).tolist()
    ['pos', 'neg']
    >>> clf.predict_proba(graphs[:3]).shape
    (3, 2)
    """

    _parameter_constraints: dict = {
        **BaseGraphEstimator._parameter_constraints,
        "conv": [StrOptions(set(CONVOLUTIONS))],
        "readout": [StrOptions(set(READOUTS))],
        "n_layers": [Interval(Integral, 1, None, closed="left")],
        "hidden_size": [Interval(Integral, 1, None, closed="left")],
        "dropout": _DROPOUT,
        "jumping_knowledge": ["boolean"],
        "batch_size": [Interval(Integral, 1, None, closed="left")],
        "standardize": ["boolean"],
        "random_walk_encoding": [Interval(Integral, 0, None, closed="left")],
        "weight_averaging": [Interval(Real, 0, 1, closed="left")],
        "ensemble_size": [Interval(Integral, 1, None, closed="left")],
        "label_smoothing": [Interval(Real, 0, 1, closed="left")],
        "class_weight": [StrOptions({"balanced"}), dict, None],
    }

    def __init__(self, conv: str = "gin", *, readout: str = "sum", n_layers: int = 4,
                 hidden_size: int = 32, dropout: float = 0.5, jumping_knowledge: bool = False,
                 standardize: bool = True, random_walk_encoding: int = 16,
                 weight_averaging: float = 0.5, ensemble_size: int = 2,
                 batch_size: int = 32, max_epochs: int = 100,
                 learning_rate: float = 0.01, label_smoothing: float = 0.0,
                 class_weight: dict | str | None = None, weight_decay: float = 0.0, early_stopping: bool = False,
                 validation_fraction: float = 0.1, n_iter_no_change: int | None = None,
                 tol: float = 1e-4, device: str = "auto", random_state=None, verbose: int = 0,
                 warm_start: bool = False) -> None:
        self.conv = conv
        self.readout = readout
        self.n_layers = n_layers
        self.hidden_size = hidden_size
        self.dropout = dropout
        self.jumping_knowledge = jumping_knowledge
        self.standardize = standardize
        self.random_walk_encoding = random_walk_encoding
        self.weight_averaging = weight_averaging
        self.ensemble_size = ensemble_size
        self.batch_size = batch_size
        self.max_epochs = max_epochs
        self.learning_rate = learning_rate
        self.label_smoothing = label_smoothing
        self.class_weight = class_weight
        self.weight_decay = weight_decay
        self.early_stopping = early_stopping
        self.validation_fraction = validation_fraction
        self.n_iter_no_change = n_iter_no_change
        self.tol = tol
        self.device = device
        self.random_state = random_state
        self.verbose = verbose
        self.warm_start = warm_start

    # -- the module ------------------------------------------------------------
    def _build_module(self) -> GraphClassificationNetwork | GraphClassificationEnsemble:
        def network() -> GraphClassificationNetwork:
            return GraphClassificationNetwork(
                self._input_width, self.n_classes_, conv=self.conv, readout=self.readout,
                n_layers=self.n_layers, hidden_size=self.hidden_size, dropout=self.dropout,
                jumping_knowledge=self.jumping_knowledge)

        return network() if self.ensemble_size == 1 else GraphClassificationEnsemble(
            [network() for _ in range(self.ensemble_size)])

    def _upgrade_state(self, state: dict) -> None:
        """Give a pickle written before a parameter or attribute existed the value that
        reproduces how it was fitted (no walk encoding, one network, no clip, ...)."""
        for name, value in (("random_walk_encoding", 0), ("ensemble_size", 1),
                            ("label_smoothing", 0.0), ("class_weight", None)):
            state.setdefault(name, value)
        if "feature_offset_" in state:  # fitted
            state.setdefault("feature_bound_", None)

    def _module_signature(self) -> tuple:
        return (self._input_width, tuple(self.classes_.tolist()), self.conv, self.readout,
                self.n_layers, self.hidden_size, self.jumping_knowledge, self.standardize,
                self.random_walk_encoding, self.ensemble_size)

    # -- fit -----------------------------------------------------------------
    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X: Sequence[Any], y: Any, sample_weight: Any = None) -> GNNGraphClassifier:
        """Train on a sequence of graphs and one class label per graph.

        Parameters
        ----------
        X : sequence of graphs
            Each a :class:`~skgraph.Graph`, an adjacency, an ``(adjacency, features)``
            tuple, a networkx graph or a PyG ``Data`` object; all with the same node
            feature width.
        y : array-like of shape (n_graphs,)
            Class labels (ints, strings, ...), at least two distinct ones.
        sample_weight : array-like of shape (n_graphs,) or float, default=None
            Non-negative weight of each graph in the training loss (times its class's
            ``class_weight``). Only the ratios matter: the weights are rescaled to a mean
            of 1, so that the step size means the same as without weights; a graph of
            weight 0 does not train the network (it still counts in the feature
            statistics of ``standardize``). The validation accuracy of ``early_stopping``
            is unweighted.

        Returns
        -------
        self : GNNGraphClassifier
        """
        graphs = _check_graph_sequence(X)
        y = column_or_1d(y, warn=True)
        if len(y) != len(graphs):
            raise ValueError(f"X has {len(graphs)} graphs but y has {len(y)} labels; "
                             "expected one label per graph.")
        check_classification_targets(y)
        classes, y_encoded = np.unique(y, return_inverse=True)
        if len(classes) < 2:
            raise ValueError(f"y has a single class ({classes[0]!r}); a classifier needs "
                             "samples of at least 2 classes.")
        weights = self._graph_weights(sample_weight, classes, y, y_encoded)
        collated, width = _collate(graphs, None, "X", self.random_walk_encoding)
        self.classes_ = classes
        self.n_classes_ = len(classes)
        self.n_features_in_ = width
        self._input_width = collated.x.shape[1]
        reuse = (self.warm_start and hasattr(self, "module_")
                 and getattr(self, "_fitted_signature", None) == self._module_signature())
        if not self.standardize:
            self.feature_offset_ = self.feature_scale_ = self.feature_bound_ = None
        elif not reuse:  # a warm start keeps the scaling its weights were trained on
            offset, scale, bound = _feature_scaling(collated.x)
            self.feature_offset_, self.feature_scale_ = offset.numpy(), scale.numpy()
            self.feature_bound_ = bound.numpy()
        collated = self._scaled(collated)
        targets = torch.from_numpy(y_encoded.astype(np.int64))
        prepared = []

        def prepare(device: torch.device, rng: np.random.Generator) -> _TrainingData:
            ids = np.arange(len(y_encoded))
            validation = None
            if self.early_stopping:
                ids, validation = self._validation_split(ids, y_encoded, rng)
                validation = torch.from_numpy(validation).to(device)
            average_from = None
            if self.weight_averaging > 0 and not self.early_stopping:
                average_from = int(math.floor(self.max_epochs * (1 - self.weight_averaging)))
            prepared.append(_TrainingData(collated.to(device), targets.to(device),
                                          torch.from_numpy(ids).to(device), validation,
                                          self.batch_size, self.learning_rate, self.max_epochs,
                                          self.label_smoothing,
                                          None if weights is None else weights.to(device),
                                          average_from))
            return prepared[-1]

        work_size = self._work_size(collated, self.batch_size)
        self._fit_module(prepare, _run_epoch, _validation_accuracy if self.early_stopping else None,
                         work_size=work_size)
        data = prepared[-1]
        data.load_average(self.module_)
        order = torch.from_numpy(np.random.default_rng(0).permutation(len(data.train_ids)))
        with thread_limit(work_size):
            neighbour_sum = uses_neighbour_sum(self.module_)
            recalibrate_batch_norm(self.module_, (
                data.graphs.batch(ids, neighbour_sum) for ids in _batches(
                    data.train_ids[order.to(data.train_ids.device)], data.batch_size)))
        return self

    def _graph_weights(self, sample_weight: Any, classes: np.ndarray, y: np.ndarray,
                       y_encoded: np.ndarray) -> torch.Tensor | None:
        """Each graph's weight in the loss (``sample_weight`` times ``class_weight``),
        rescaled to mean 1; None when every graph weighs the same."""
        n_graphs = len(y)
        weights = np.ones(n_graphs)
        if sample_weight is not None:
            given = np.asarray(sample_weight)
            if given.dtype.kind not in "biuf":  # bool, ints, floats
                raise TypeError(f"sample_weight must be numbers, got dtype {given.dtype}.")
            weights = np.broadcast_to(given, (n_graphs,)).astype(np.float64) \
                if given.ndim == 0 else given.astype(np.float64)
            if weights.shape != (n_graphs,):
                raise ValueError(f"sample_weight has shape {given.shape}; expected "
                                 f"({n_graphs},), one weight per graph, or a single number.")
            if not np.isfinite(weights).all() or (weights < 0).any():
                raise ValueError("sample_weight must be finite and non-negative.")
        if self.class_weight is not None:
            if isinstance(self.class_weight, dict):
                unknown = [c for c in self.class_weight if c not in set(classes.tolist())]
                if unknown:
                    raise ValueError(f"class_weight names classes not in y: {unknown!r}; "
                                     f"the classes are {classes.tolist()!r}.")
            weights = weights * compute_class_weight(self.class_weight, classes=classes,
                                                     y=y)[y_encoded]
        if not weights.sum() > 0:
            raise ValueError("sample_weight (times class_weight) is zero for every graph; at "
                             "least one graph needs a positive weight.")
        weights = weights / weights.mean()
        if (weights == 1).all():
            return None
        return torch.from_numpy(weights.astype(np.float32))

    def _scaled(self, collated: _CollatedGraphs) -> _CollatedGraphs:
        """``collated`` with its node features scaled by the fitted statistics (a new tensor)."""
        if getattr(self, "feature_offset_", None) is None:
            return collated
        offset = torch.from_numpy(self.feature_offset_)
        scale = torch.from_numpy(self.feature_scale_)
        x = (collated.x - offset) / scale
        if self.feature_bound_ is not None:
            bound = torch.from_numpy(self.feature_bound_)
            x = x.clamp_(-bound, bound)
        return _CollatedGraphs(x, collated.edge_index, collated.node_ptr, collated.edge_ptr)

    def _work_size(self, collated: _CollatedGraphs, n_graphs: int) -> int:
        """About the entries one layer touches for ``n_graphs`` average graphs."""
        per_graph = (collated.node_ptr[-1] + collated.edge_ptr[-1]).item() / collated.n_graphs
        return int(per_graph * n_graphs * self.hidden_size)

    def _validation_split(self, ids: np.ndarray, y: np.ndarray, rng: np.random.Generator
                          ) -> tuple[np.ndarray, np.ndarray]:
        n_validation = max(1, int(round(self.validation_fraction * len(ids))))
        if n_validation >= len(ids):
            raise ValueError(f"early_stopping with validation_fraction={self.validation_fraction} "
                             f"leaves no training graphs out of {len(ids)}.")
        seed = int(rng.integers(np.iinfo(np.int32).max))
        stratify = y if np.bincount(y).min() >= 2 and n_validation >= self.n_classes_ else None
        train, validation = train_test_split(ids, test_size=n_validation, stratify=stratify,
                                             random_state=seed)
        return np.sort(train), np.sort(validation)

    # -- inference -----------------------------------------------------------
    def _logits(self, X: Sequence[Any]) -> torch.Tensor:
        check_is_fitted(self, "module_")
        graphs = _check_graph_sequence(X)
        collated, _ = _collate(graphs, self.n_features_in_, "X", self.random_walk_encoding)
        collated = self._scaled(collated)
        chunks = _chunks(collated.node_ptr, _INFERENCE_NODES)
        device = torch.device(self.device_)
        collated = collated.to(device)
        neighbour_sum = uses_neighbour_sum(self.module_)
        self.module_.eval()
        outputs = []
        work_size = self._work_size(collated, collated.n_graphs)
        with torch.no_grad(), thread_limit(work_size):
            for ids in chunks:
                part = collated.batch(ids.to(device), neighbour_sum)
                outputs.append(self.module_(*part).cpu())
        return torch.cat(outputs).double()

    def decision_function(self, X: Sequence[Any]) -> np.ndarray:
        """Class logits of each graph.

        Parameters
        ----------
        X : sequence of graphs
            With the node feature width seen in fit.

        Returns
        -------
        ndarray of shape (n_graphs,) for two classes (the logit of ``classes_[1]`` minus
        that of ``classes_[0]``), else (n_graphs, n_classes)
        """
        logits = self._logits(X).numpy()
        return logits[:, 1] - logits[:, 0] if self.n_classes_ == 2 else logits

    def predict_proba(self, X: Sequence[Any]) -> np.ndarray:
        """Class probabilities of each graph, columns in the order of ``classes_``.

        Parameters
        ----------
        X : sequence of graphs
            With the node feature width seen in fit.

        Returns
        -------
        ndarray of shape (n_graphs, n_classes), rows summing to 1
        """
        return torch.softmax(self._logits(X), dim=1).numpy()

    def predict_log_proba(self, X: Sequence[Any]) -> np.ndarray:
        """Logarithm of :meth:`predict_proba`.

        Parameters
        ----------
        X : sequence of graphs

        Returns
        -------
        ndarray of shape (n_graphs, n_classes)
        """
        return torch.log_softmax(self._logits(X), dim=1).numpy()

    def predict(self, X: Sequence[Any]) -> np.ndarray:
        """The most probable class of each graph.

        Parameters
        ----------
        X : sequence of graphs
            With the node feature width seen in fit.

        Returns
        -------
        ndarray of shape (n_graphs,), labels from ``classes_``
        """
        indices = self._logits(X).argmax(dim=1).numpy()
        return self.classes_[indices]

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.two_d_array = False
        return tags


def _run_epoch(module: GraphClassificationNetwork | GraphClassificationEnsemble,
               optimizer: torch.optim.Optimizer, data: _TrainingData) -> float:
    """One pass over the training graphs in shuffled mini-batches; the mean loss per member.

    The step size follows a cosine decay from ``learning_rate`` over ``max_epochs``, so the
    weights settle by the last epoch. Each member of an ensemble is trained on its own
    cross-entropy (the sum over members is minimised; their parameters are disjoint), each
    graph's term multiplied by its weight when the fit was given any.
    """
    for group in optimizer.param_groups:
        cosine = 0.5 * (1 + math.cos(math.pi * data.epoch / data.max_epochs))
        group["lr"] = data.learning_rate * cosine
    data.epoch += 1
    n = len(data.train_ids)
    order = data.train_ids[torch.randperm(n).to(data.train_ids.device)]
    total = torch.zeros((), device=order.device)
    neighbour_sum = uses_neighbour_sum(module)
    for ids in _batches(order, data.batch_size):
        optimizer.zero_grad()
        logits = module.member_logits(*data.graphs.batch(ids, neighbour_sum))
        n_members = logits.shape[0]
        loss = F.cross_entropy(logits.flatten(0, 1), data.y[ids].repeat(n_members),
                               label_smoothing=data.label_smoothing,
                               reduction="mean" if data.weights is None else "none")
        if data.weights is not None:
            loss = (loss * data.weights[ids].repeat(n_members)).mean()
        (loss * n_members).backward()
        optimizer.step()
        total += loss.detach() * len(ids)
    if data.average_from is not None and data.epoch > data.average_from:
        data.accumulate(module)
    return float(total) / n


def _batches(order: torch.Tensor, batch_size: int) -> list[torch.Tensor]:
    """``order`` in consecutive mini-batches; a last batch of one graph joins the previous
    one (batch norm needs more than one value)."""
    starts = list(range(0, len(order), batch_size))
    if len(starts) > 1 and len(order) - starts[-1] == 1:
        starts.pop()
    return [order[a:b] for a, b in zip(starts, starts[1:] + [len(order)])]


def _validation_accuracy(module: GraphClassificationNetwork | GraphClassificationEnsemble,
                         data: _TrainingData) -> float:
    ids = data.validation_ids
    logits = module(*data.graphs.batch(ids, uses_neighbour_sum(module)))
    return float((logits.argmax(dim=1) == data.y[ids]).float().mean())
