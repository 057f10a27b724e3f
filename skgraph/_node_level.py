"""What node-level estimators share: labels on some nodes of one graph, predictions for the rest.

:class:`NodeLevelEstimator` holds the architecture and training parameters of
:class:`~skgraph.GNNNodeClassifier` and :class:`~skgraph.GNNNodeRegressor`. It reads which
nodes are labelled (a node view selects them, or ``-1`` marks unlabelled nodes, scikit-learn's
``semi_supervised`` convention), prepares the whole graph's inputs once (the normalised
operator and the features, as the auto-encoders do) and trains full-batch on the labelled
nodes' loss; a subclass supplies its targets, loss and validation score.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable
from dataclasses import dataclass
from numbers import Real
from typing import Any

import numpy as np
import torch
from sklearn.model_selection import train_test_split
from sklearn.utils._param_validation import Interval, StrOptions
from sklearn.utils.validation import check_is_fitted

from ._base import _DROPOUT, _FEATURELESS, BaseGraphEstimator
from ._device import thread_limit, torch_defaults
from ._distributed import DistributedContext, share_of
from ._feature_names import check_feature_names, record_feature_names
from ._graph import Graph, as_graph, check_complete_features, is_missing
from ._interop import _node_label_index, _selected_labels
from ._neighbour_sampling import NeighbourSampler, check_batching, checked_fanouts
from ._nn._node_networks import EDGES_READ, NODE_CONVOLUTIONS, NodeNetwork
from ._node_inputs import (
    NodeInputs,
    SubgraphInputs,
    feature_scale,
    feature_width,
    node_inputs,
    structure_fingerprint,
    warn_unbalanced_columns,
    warn_unread_edge_features,
    warn_unread_weights,
    without_edges,
)
from ._parameters import IntInterval
from ._training import averaging_start, cosine_schedule

# loss(outputs, targets, weights or None): a scalar
LossFunction = Callable[[torch.Tensor, torch.Tensor, torch.Tensor | None], torch.Tensor]


@dataclass
class Consistency:
    """The Π-model's consistency term (Laine & Aila 2017) of one fit.

    Every step runs the network twice, each pass with its own dropout, and adds
    ``weight(epoch) * disagreement(first, second)`` over every node of the step (labelled
    or not) to the labelled nodes' loss averaged over both passes: the network learns that
    its predictions should not hang on which units dropout removed, from the nodes without
    labels too. The weight rises along ``exp(-5 (1 - t)^2)`` over the first
    ``ramp_epochs``, while the predictions it asks to agree are still poor.
    """

    weight: float
    disagreement: Callable[[torch.Tensor, torch.Tensor], torch.Tensor]
    ramp_epochs: float
    epoch: int = 0

    def next_weight(self) -> float:
        """The weight of the epoch about to run."""
        self.epoch += 1
        t = min(1.0, self.epoch / max(self.ramp_epochs, 1.0))
        return self.weight * float(np.exp(-5.0 * (1.0 - t) ** 2))


def _consistent_loss(module: NodeNetwork, inputs: Any, rows: int | None,
                     labelled: slice | torch.Tensor, targets: torch.Tensor,
                     weights: torch.Tensor | None, loss: LossFunction,
                     consistency: Consistency | None, weight: float) -> torch.Tensor:
    """The loss of one step: of one pass, or of two with the consistency term over the
    first ``rows`` outputs (the step's nodes, None for all; ``labelled`` picks the
    labelled ones)."""
    if consistency is None:
        return loss(module(inputs)[:rows][labelled], targets, weights)
    first, second = (out[:rows] for out in module.passes(inputs, 2))
    supervised = (loss(first[labelled], targets, weights)
                  + loss(second[labelled], targets, weights)) / 2
    return supervised + weight * consistency.disagreement(first, second)


@dataclass
class _NodeTrainingData:
    inputs: NodeInputs
    train_ids: torch.Tensor  # labelled nodes the loss reads
    y: torch.Tensor  # their targets, in that order
    weights: torch.Tensor | None
    validation_ids: torch.Tensor | None
    validation_y: torch.Tensor | None
    loss: LossFunction
    consistency: Consistency | None = None
    edge_dropout: float = 0.0  # of each training step's operator


def _run_epoch(module: NodeNetwork, optimizer: torch.optim.Optimizer,
               data: _NodeTrainingData) -> float:
    """One full-batch step on the labelled nodes' loss (and the consistency term over
    every node)."""
    optimizer.zero_grad()
    consistency = data.consistency
    weight = consistency.next_weight() if consistency is not None else 0.0
    inputs = data.inputs
    if data.edge_dropout > 0:
        inputs = without_edges(inputs, data.edge_dropout, EDGES_READ[module.conv])
    loss = _consistent_loss(module, inputs, None, data.train_ids, data.y, data.weights,
                            data.loss, consistency, weight)
    loss.backward()
    optimizer.step()
    return loss.item()


@dataclass
class _MiniBatchData:
    subgraphs: SubgraphInputs
    sampler: NeighbourSampler
    train_ids: torch.Tensor  # labelled nodes the loss reads
    y: torch.Tensor  # targets by node id (rows of unlabelled nodes unused)
    weights: torch.Tensor | None  # by node id
    batch_size: int
    loss: LossFunction
    full: _NodeTrainingData  # the whole graph (chunked rows), for exact validation
    # each layer on the rows the next reads: about 1.5x faster per step for two-layer
    # networks; none faster for ten propagation hops, whose neighbourhoods soon hold the
    # whole graph at every hop but the last few
    layered: bool = False
    distributed: DistributedContext | None = None  # a data-parallel fit's: this rank's share
    order: torch.Generator | None = None  # the same shuffles on every rank


def _with_unlabelled(seeds: torch.Tensor, n_nodes: int) -> torch.Tensor:
    """``seeds`` followed by up to as many other nodes drawn at random (distinct): the
    nodes a step's consistency term reads besides its labelled ones."""
    drawn = torch.unique(torch.randint(n_nodes, (len(seeds),), device=seeds.device))
    return torch.cat([seeds, drawn[~torch.isin(drawn, seeds)]])


def _run_minibatch_epoch(module: NodeNetwork, optimizer: torch.optim.Optimizer,
                         data: _MiniBatchData) -> float:
    """One pass over the labelled nodes in shuffled batches, each on its sampled subgraph
    (with as many random nodes again for the consistency term)."""
    permutation = torch.randperm(len(data.train_ids), generator=data.order)
    order = data.train_ids[permutation.to(data.train_ids.device)]
    total = torch.zeros((), device=order.device)
    done = 0
    consistency = data.full.consistency
    weight = consistency.next_weight() if consistency is not None else 0.0
    for seeds in share_of(list(order.split(data.batch_size)), data.distributed):
        optimizer.zero_grad()
        nodes = (seeds if consistency is None
                 else _with_unlabelled(seeds, data.subgraphs.n_nodes))
        sub = data.sampler.sample(nodes)
        if data.full.edge_dropout > 0:
            sub = sub.without_edges(data.full.edge_dropout)
        weights = None if data.weights is None else data.weights[seeds]
        loss = _consistent_loss(module, data.subgraphs(sub, layered=data.layered), len(nodes),
                                slice(0, len(seeds)), data.y[seeds], weights, data.loss,
                                consistency, weight)
        loss.backward()
        optimizer.step()
        total += loss.detach() * len(seeds)
        done += len(seeds)
    return float(total) / done


def numbers_as_numbers(y: np.ndarray) -> np.ndarray:
    """``y`` with a numeric dtype when it is an object array of numbers only (as pandas
    hands them over), so that ``-1`` reads as unlabelled and the classes as numbers."""
    if y.dtype == object and y.size and all(
            isinstance(v, Real) and not isinstance(v, (bool, np.bool_)) for v in y.flat):
        return np.asarray(y.tolist())
    return y


def labelled_positions(y: np.ndarray) -> np.ndarray:
    """Boolean mask of the labelled entries of ``y``: ``-1`` or a missing value (NaN,
    None) marks an unlabelled node.

    ``-1`` counts in numeric labels only; string labels with a ``-1`` among them are refused
    (it would otherwise become a class).
    """
    if y.dtype.kind in "biuf":
        if y.ndim != 1:
            return np.ones(len(y), dtype=bool)
        return (y != -1) & ~np.isnan(y) if y.dtype.kind == "f" else y != -1
    if y.dtype == object:
        missing = np.fromiter(map(is_missing, y), dtype=bool, count=len(y))
        if missing.any():  # the others, numbers or not, as if alone
            labelled = np.zeros(len(y), dtype=bool)
            labelled[~missing] = labelled_positions(numbers_as_numbers(y[~missing]))
            return labelled
    marks = [v for v in y if (isinstance(v, (int, np.integer)) and v == -1) or v == "-1"]
    if marks:
        raise ValueError(
            "y mixes non-numeric labels with -1: -1 marks an unlabelled node only among "
            "numeric labels (scikit-learn's semi_supervised convention). Encode the classes "
            "as integers, or fit on a node view of the labelled nodes: fit(G[idx], y[idx]).")
    return np.ones(len(y), dtype=bool)


def check_target_order(y: Any, X: Any) -> None:
    """Refuse a pandas ``y`` indexed by node names that are not, in order, the nodes ``X``
    selects: ``y`` is read by position (as scikit-learn reads it), and would label the
    wrong nodes.

    A default ``RangeIndex`` says nothing and is not checked. With names that are not
    integers, an index of such names (text, ...) must be the selected nodes' names; with
    integer names, an index holding exactly the selected names must hold them in order
    (integers that are not those names are taken for positions, as a split of a Series
    with a default index leaves them).
    """
    index = getattr(y, "index", None)
    if index is None or not hasattr(y, "iloc") or type(index).__name__ == "RangeIndex":
        return
    graph = as_graph(X)
    names = graph.node_names
    if names is None or len(index) != len(graph):
        return
    selected = names[graph.node_index].tolist()
    labels = index.tolist()
    if labels == selected:
        return
    how = ("Put it in X's order first: y.loc[names] for X = G[names], or "
           "y.reindex(G.node_names) for the whole graph.")
    if names.dtype.kind in "biu":
        if set(labels) == set(selected):
            raise ValueError("y is indexed by the names of the nodes X selects, in another "
                             f"order; y is read by position (as scikit-learn reads it), so it "
                             f"would label the wrong nodes. {how}")
        return
    if any(isinstance(label, Real) for label in labels):
        return  # numbers: positions (a split of a Series with a default index)
    known = set(names.tolist())
    unknown = [label for label in labels if not isinstance(label, Hashable)
               or label not in known]
    if unknown:
        raise ValueError(f"y is indexed by {len(unknown)} label(s) that are not nodes of X's "
                         f"graph (the first: {unknown[0]!r}); y is read by position, so its "
                         f"index must name the nodes X selects, in order. {how}")
    raise ValueError("y is indexed by node names in another order than the nodes X selects; "
                     "y is read by position (as scikit-learn reads it), so it would label the "
                     f"wrong nodes. {how}")


def labelled_rows(y: np.ndarray, labelled: np.ndarray, predicted: Any,
                  sample_weight: Any) -> tuple[np.ndarray, np.ndarray, np.ndarray | None]:
    """``y``, the predictions and the weights at the ``labelled`` rows, for ``score``:
    unlabelled nodes (``-1``, NaN) are left out as ``fit`` leaves them out."""
    predicted = np.asarray(predicted)
    if len(y) != len(predicted):
        raise ValueError(f"y has {len(y)} entries for the {len(predicted)} nodes X selects.")
    if not labelled.any():
        raise ValueError("no node of y is labelled (each marked unlabelled): nothing to score.")
    if sample_weight is not None:
        sample_weight = np.asarray(sample_weight)
        if sample_weight.shape != (len(y),):
            raise ValueError(f"sample_weight must hold one weight per node of y ({len(y)}), "
                             f"got shape {sample_weight.shape}.")
        sample_weight = sample_weight[labelled]
    return y[labelled], predicted[labelled], sample_weight


def check_one_graph(X: Any) -> None:
    """Refuse a list for a node-level ``fit`` before its labels are read: several graphs
    (to be joined by ``Graph.disjoint_union``), or items a splitter took from a graph;
    :func:`as_graph` says which and what to do."""
    if isinstance(X, list):
        as_graph(X)


class NodeLevelEstimator(BaseGraphEstimator, persistent=False):
    """Base of the estimators that predict a target for each node of a graph (not public API).

    A subclass's ``fit`` validates its targets and calls :meth:`_fit_nodes`; it defines
    ``_n_outputs`` (the network's output width) and ``_score`` (the validation score of
    ``early_stopping``).
    """

    _parameter_constraints: dict = {
        **BaseGraphEstimator._parameter_constraints,
        "conv": [StrOptions(set(NODE_CONVOLUTIONS))],
        "hidden_size": [IntInterval(1, None, closed="left")],
        "n_layers": [IntInterval(1, None, closed="left")],
        "dropout": _DROPOUT,
        "edge_dropout": _DROPOUT,
        "propagation_steps": [IntInterval(0, None, closed="left")],
        "alpha": [Interval(Real, 0, 1, closed="neither")],
        "featureless": _FEATURELESS,
        "batch_size": [IntInterval(1, None, closed="left"), None],
        "fanouts": ["array-like", None],
        "weight_averaging": [Interval(Real, 0, 1, closed="left")],
    }

    # the regressor's defaults; the classifier overrides ``dropout`` (0.5)
    def __init__(self, conv: str = "gprgnn", *, hidden_size: int = 64, n_layers: int = 2,
                 dropout: float = 0.0, edge_dropout: float = 0.0, propagation_steps: int = 10,
                 alpha: float = 0.1, featureless: str = "identity", max_epochs: int = 200,
                 learning_rate: float = 0.02, weight_decay: float = 5e-4,
                 early_stopping: bool = False, validation_fraction: float = 0.1,
                 n_iter_no_change: int | None = None, tol: float = 1e-4, device: str = "auto",
                 random_state=None, verbose: int = 0, warm_start: bool = False,
                 callbacks: list | None = None, batch_size: int | None = None,
                 fanouts: tuple | None = None, weight_averaging: float = 0.5) -> None:
        self.conv = conv
        self.hidden_size = hidden_size
        self.n_layers = n_layers
        self.dropout = dropout
        self.edge_dropout = edge_dropout
        self.propagation_steps = propagation_steps
        self.alpha = alpha
        self.featureless = featureless
        self.max_epochs = max_epochs
        self.learning_rate = learning_rate
        self.weight_decay = weight_decay
        self.early_stopping = early_stopping
        self.validation_fraction = validation_fraction
        self.n_iter_no_change = n_iter_no_change
        self.tol = tol
        self.device = device
        self.random_state = random_state
        self.verbose = verbose
        self.warm_start = warm_start
        self.callbacks = callbacks
        self.batch_size = batch_size
        self.fanouts = fanouts
        self.weight_averaging = weight_averaging

    @classmethod
    def _upgrade_state(cls, state: dict) -> None:
        """Models saved before edge dropout existed were fitted without it."""
        super()._upgrade_state(state)
        state.setdefault("edge_dropout", 0.0)

    # -- the module ------------------------------------------------------------
    def _build_module(self) -> NodeNetwork:
        return NodeNetwork(self._input_width, self._n_outputs, conv=self.conv,
                           hidden_size=self.hidden_size, n_layers=self.n_layers,
                           dropout=self.dropout, propagation_steps=self.propagation_steps,
                           alpha=self.alpha)

    def _module_signature(self) -> tuple:
        return (self._input_width, self._n_outputs, self.conv, self.hidden_size,
                self.n_layers, self.propagation_steps)

    def _score(self, outputs: torch.Tensor, targets: torch.Tensor) -> float:
        raise NotImplementedError  # pragma: no cover - abstract

    def _training_targets(self, targets: Any, weights: np.ndarray | None,
                          reuse: bool) -> torch.Tensor:
        """The tensor the network trains on, one row per labelled node; a warm start
        (``reuse``, known once this fit's network is) keeps any scaling its weights were
        trained on."""
        return targets

    # -- fit -----------------------------------------------------------------
    def _selected_graph(self, X: Any, n_targets: int, y: Any = None) -> Graph:
        graph = as_graph(X)
        check_target_order(y, graph)
        if n_targets != len(graph):
            if graph.is_view and n_targets == graph.n_nodes:
                hint = (" For labels on every node, fit on the whole graph with -1 (or NaN) "
                        "marking the unlabelled ones.")
            elif not graph.is_view and n_targets < len(graph):
                hint = (" For labels on some nodes, select them: fit(G[labelled], y) (by name: "
                        "G[y.index] for a Series indexed by node name), or give one entry per "
                        "node, -1 or NaN for the unlabelled ones (y.reindex(G.node_names)).")
            else:
                hint = ""
            raise ValueError(f"y has {n_targets} entries but X selects {len(graph)} nodes; give "
                             f"one label per selected node, in order.{hint}")
        if graph.is_view and len(np.unique(graph.node_index)) != len(graph):
            raise ValueError("X selects a node more than once; each labelled node must appear "
                             "once.")
        return graph

    def _fit_nodes(self, graph: Graph, labelled: np.ndarray, targets: torch.Tensor,
                   weights: np.ndarray | None, loss: LossFunction,
                   stratify: np.ndarray | None,
                   disagreement: Callable[[torch.Tensor, torch.Tensor], torch.Tensor] | None
                   = None, consistency: float = 0.0) -> None:
        """Train on the whole graph behind ``graph`` with the loss of its selected nodes
        where ``labelled`` (``targets`` and ``weights``: one row per labelled node), plus
        ``consistency`` times the ``disagreement`` of two passes (:class:`Consistency`;
        off where dropout has nothing to drop, whose passes would be the same)."""
        check_batching(self.batch_size, self.fanouts, self._fanouts)
        whole = graph.whole()
        check_complete_features(whole, type(self).__name__)
        warn_unread_edge_features(whole, type(self).__name__)
        warn_unread_weights(whole, self.conv, type(self).__name__)
        # identity features are never dropped: one layer of them then has no dropout at all
        random_passes = self.dropout > 0 and (
            whole.features is not None or self.featureless != "identity"
            or self.n_layers > 1 or self.conv == "gat")
        use_consistency = disagreement is not None and consistency > 0 and random_passes
        nodes = graph.node_index[labelled]
        self.n_features_in_ = whole.n_features
        record_feature_names(self, whole.feature_names)
        self._input_width = feature_width(whole, self.featureless)
        self._identity_of = (structure_fingerprint(whole.adjacency)
                             if whole.features is None and self.featureless == "identity"
                             else None)
        self.n_nodes_ = whole.n_nodes
        reuse = self._reuses_module()
        if not reuse:  # a warm start keeps the scaling its weights were trained on
            self.feature_scale_ = feature_scale(whole.features)
            warn_unbalanced_columns(whole.features, type(self).__name__,
                                    whole.feature_names)
        targets = self._training_targets(targets, weights, reuse)

        def prepare(device: torch.device, rng: np.random.Generator,
                    subgraphs: SubgraphInputs | None = None) -> _NodeTrainingData:
            train, validation = np.arange(len(nodes)), None
            if self.early_stopping:
                train, validation = self._validation_split(len(nodes), stratify, rng)
            inputs = self._whole_inputs(whole, device, subgraphs)
            ids = torch.from_numpy(nodes).to(device)
            index = torch.from_numpy(train).to(device)
            w = None if weights is None else torch.from_numpy(weights[train]).float().to(device)
            data = _NodeTrainingData(inputs, ids[index], targets[train].to(device), w,
                                     None, None, loss, edge_dropout=self.edge_dropout)
            if use_consistency:
                data.consistency = Consistency(consistency, disagreement, self.max_epochs / 2)
            if validation is not None:
                data.validation_ids = ids[torch.from_numpy(validation).to(device)]
                data.validation_y = targets[validation].to(device)
            return data

        if self.batch_size is None:
            self._fit_module(prepare, _run_epoch,
                             self._validation_score if self.early_stopping else None,
                             work_size=_work_size(whole), **self._schedule())
            return
        fanouts = self._fanouts()

        def prepare_batches(device: torch.device, rng: np.random.Generator) -> _MiniBatchData:
            subgraphs = SubgraphInputs(whole, self.featureless, device, self.feature_scale_,
                                       operators=self._operators())
            full = prepare(device, rng, subgraphs)
            y = torch.zeros((whole.n_nodes, *full.y.shape[1:]), dtype=full.y.dtype,
                            device=device)
            y[full.train_ids] = full.y
            weights = None
            if full.weights is not None:
                weights = torch.zeros(whole.n_nodes, device=device)
                weights[full.train_ids] = full.weights
            return _MiniBatchData(
                subgraphs, NeighbourSampler(whole.adjacency, fanouts, device), full.train_ids,
                y, weights,
                int(self.batch_size), loss, full, layered=self.conv in ("gcn", "sage"))

        self._fit_module(prepare_batches, _run_minibatch_epoch,
                         (lambda module, data: self._validation_score(module, data.full))
                         if self.early_stopping else None,
                         work_size=int(self.batch_size) * max(1, self.hidden_size),
                         **self._schedule())

    def _schedule(self) -> dict:
        """The step size decays along a cosine over ``max_epochs``; the weights of the last
        ``weight_averaging`` of them are averaged (not with ``early_stopping``)."""
        average_from = None
        if self.weight_averaging > 0 and not self.early_stopping:
            average_from = averaging_start(self.max_epochs, self.weight_averaging)
        return {"lr_schedule": cosine_schedule(self.max_epochs), "average_from": average_from}

    def _hops(self) -> int:
        """Propagation steps of the network: the hops a mini-batch's neighbourhood needs."""
        return self.propagation_steps if self.conv in ("appnp", "gprgnn") else self.n_layers

    def _fanouts(self) -> tuple[int, ...]:
        hops = self._hops()
        what = (f"propagation_steps={self.propagation_steps}"
                if self.conv in ("appnp", "gprgnn") else f"n_layers={self.n_layers}")
        return checked_fanouts(
            self.fanouts, hops,
            f"conv={self.conv!r} with {what} propagates over {hops} hops: give one per hop "
            "(conv='sage' or 'gcn' with 2 layers suits mini-batches: fanouts=(15, 10)).")

    def _whole_inputs(self, whole: Graph, device: torch.device,
                      subgraphs: SubgraphInputs | None = None) -> NodeInputs:
        """The whole graph's inputs for validation and prediction. Fitted in mini-batches
        (``subgraphs``: the fit's own), every layer runs over all nodes a chunk of rows at a
        time (exact), so that memory stays bounded there too; attention reads the whole
        edge list either way."""
        featureless = self._fitted("featureless")
        if self._fitted("batch_size") is None or self._fitted("conv") == "gat":
            return node_inputs(whole, featureless, device, scale=self.feature_scale_,
                               operators=self._operators())
        if subgraphs is None:
            subgraphs = SubgraphInputs(whole, featureless, device, self.feature_scale_,
                                       operators=self._operators())
        return subgraphs.chunked()

    def _operators(self) -> tuple[str, ...]:
        """The sparse operators the fitted network reads besides the GCN one."""
        return {"sage": ("mean",), "gat": ("edges",),
                "gprgnn": ("plain",)}.get(self._fitted("conv"), ())

    def _validation_score(self, module: NodeNetwork, data: _NodeTrainingData) -> float:
        outputs = module(data.inputs)[data.validation_ids]
        return self._score(outputs, data.validation_y)

    def _validation_split(self, n_labelled: int, stratify: np.ndarray | None,
                          rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
        n_validation = self._validation_size(n_labelled, "labelled nodes")
        if stratify is not None:
            classes, counts = np.unique(stratify, return_counts=True)
            if counts.min() < 2:
                rare = self.classes_[classes[counts.argmin()]]
                rare = rare.item() if isinstance(rare, np.generic) else rare
                raise ValueError(
                    f"class {rare!r} has 1 labelled node; early_stopping holds "
                    "out a stratified validation_fraction of the labelled nodes, which needs "
                    "at least 2 per class. Label more nodes, or set early_stopping=False.")
            n_validation = max(n_validation, len(classes))
            if n_labelled - n_validation < len(classes):
                raise ValueError(
                    f"early_stopping holds out {n_validation} of the {n_labelled} labelled "
                    f"nodes (validation_fraction={self.validation_fraction}), which leaves "
                    f"fewer than one per class ({len(classes)} classes) to train on; lower "
                    "validation_fraction, or set early_stopping=False.")
        seed = int(rng.integers(np.iinfo(np.int32).max))
        train, validation = train_test_split(np.arange(n_labelled), test_size=n_validation,
                                             stratify=stratify, random_state=seed)
        return np.sort(train), np.sort(validation)

    # -- inference -----------------------------------------------------------
    def set_output(self, *, transform: str | None = None) -> NodeLevelEstimator:
        """Give predictions as pandas objects indexed by node, or as arrays.

        Parameters
        ----------
        transform : {"default", "pandas"} or None, default=None
            ``"pandas"``: ``predict`` returns a Series (a DataFrame for several targets),
            ``predict_proba`` and ``decision_function`` DataFrames (columns: the classes),
            indexed by the selected nodes' names (a networkx graph's nodes,
            ``Graph(node_names=...)``) or positions. ``"default"``: arrays. None: unchanged.
            Scikit-learn wrappers that read the predictions as arrays
            (``OneVsRestClassifier``, ``CalibratedClassifierCV``,
            ``TunedThresholdClassifierCV``, ``TransformedTargetRegressor``) need the
            default; configure the wrapper's output instead.

        Returns
        -------
        self
        """
        if transform is not None:
            if transform not in ("default", "pandas"):
                raise ValueError(f"transform must be 'default' or 'pandas', got {transform!r}.")
            self._sklearn_output_config = {"transform": transform}
        return self

    def _output(self, values: np.ndarray, X: Any, columns: Any = None):
        """``values`` (one row per selected node) as configured by :meth:`set_output`."""
        config = getattr(self, "_sklearn_output_config", {}).get("transform", "default")
        if config != "pandas":
            return values
        import pandas as pd

        index = _node_label_index(_selected_labels(as_graph(X)))
        if values.ndim == 1:
            return pd.Series(values, index=index, name=columns)
        return pd.DataFrame(values, index=index, columns=columns)

    @torch_defaults()
    def _node_outputs(self, X: Any) -> torch.Tensor:
        """The network's outputs for the nodes ``X`` selects (float64, on the CPU)."""
        check_is_fitted(self, "module_")
        graph = as_graph(X)
        if graph.n_features != self.n_features_in_:
            raise ValueError(f"X has {graph.n_features} node features, but "
                             f"{type(self).__name__} is expecting {self.n_features_in_} "
                             "features as input (node feature width seen in fit).")
        check_feature_names(self, graph.feature_names)
        check_complete_features(graph, type(self).__name__)
        whole = graph.whole()
        if self._identity_of is not None and structure_fingerprint(
                whole.adjacency) != self._identity_of:
            raise ValueError(
                "this estimator was fitted on a featureless graph with featureless='identity' "
                "(one-hot node identities), which only describe the training graph; give the "
                "new graph node features, or fit with featureless='degree' for inductive use.")
        device = torch.device(self.device_)
        inputs = self._whole_inputs(whole, device)
        self.module_.eval()
        with torch.no_grad(), thread_limit(_work_size(whole)):
            out = self.module_(inputs)
        index = torch.tensor(graph.node_index, device=device)
        return out[index].cpu().double()


def _work_size(graph: Graph) -> int:
    return graph.adjacency.nnz + graph.n_nodes * max(graph.n_features, 1)
