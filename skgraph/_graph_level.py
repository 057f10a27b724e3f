"""What graph-level estimators share: one network (or ensemble) per graph, trained once.

:class:`GraphLevelEstimator` holds the architecture and training parameters of
:class:`~skgraph.GNNGraphClassifier` and :class:`~skgraph.GNNGraphRegressor`, collates and
scales the graphs, trains over mini-batches with weight averaging and recomputes the
batch-norm statistics; a subclass supplies its targets, its loss, how the members'
outputs combine into a prediction and its validation score.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from numbers import Real
from typing import Any

import numpy as np
import torch
from sklearn.model_selection import train_test_split
from sklearn.utils._param_validation import Interval, StrOptions
from sklearn.utils.validation import check_is_fitted

from ._base import _DROPOUT, BaseGraphEstimator
from ._device import thread_limit, torch_defaults
from ._distributed import DistributedContext, share_of
from ._feature_names import check_feature_names, record_feature_names
from ._graph_collation import (
    _INFERENCE_NODES,
    _batches,
    _check_graph_sequence,
    _chunks,
    _collate,
    _CollatedGraphs,
    _feature_scaling,
    _scale_features,
)
from ._nn._graph_networks import (
    CONVOLUTIONS,
    EDGE_CONVOLUTIONS,
    READOUTS,
    GraphNetwork,
    GraphNetworkEnsemble,
    PooledFeatureNetwork,
    uses_neighbour_sum,
)
from ._parameters import IntInterval
from ._training import averaging_start, cosine_schedule
from ._warnings import warn_caller

# loss(outputs, targets, reduction): the mean over the batch, or one value per graph
LossFunction = Callable[[torch.Tensor, torch.Tensor, str], torch.Tensor]


@dataclass
class _TrainingData:
    graphs: _CollatedGraphs
    y: torch.Tensor  # per graph: a class index, or a row of (scaled) regression targets
    train_ids: torch.Tensor
    validation_ids: torch.Tensor | None
    batch_size: int
    loss: LossFunction
    weights: torch.Tensor | None = None  # per graph, mean 1 over the training graphs
    distributed: DistributedContext | None = None  # a data-parallel fit's: this rank's share
    order: torch.Generator | None = None  # the same shuffles on every rank

    def batches(self, module: torch.nn.Module, order: torch.Tensor,
                share: bool = False) -> Iterator[tuple]:
        """The mini-batches of the graphs ``order`` (graph ids), as the module's arguments;
        with ``share``, this rank's share of them in a data-parallel fit."""
        neighbour_sum = uses_neighbour_sum(module)
        for ids in share_of(_batches(order, self.batch_size), self.distributed if share
                            else None):
            yield ids, self.graphs.batch(ids, neighbour_sum)


def _run_epoch(module: GraphNetwork | GraphNetworkEnsemble, optimizer: torch.optim.Optimizer,
               data: _TrainingData) -> float:
    """One pass over the training graphs in shuffled mini-batches; the mean loss per member.

    Each member of an ensemble is trained on its own loss (the sum over members is
    minimised; their parameters are disjoint), each graph's term multiplied by its weight
    when the fit was given any.
    """
    n = len(data.train_ids)
    order = data.train_ids[torch.randperm(n, generator=data.order).to(data.train_ids.device)]
    total = torch.zeros((), device=order.device)
    done = 0
    for ids, batch in data.batches(module, order, share=True):
        optimizer.zero_grad()
        outputs = module.member_outputs(*batch)
        n_members = outputs.shape[0]
        targets = data.y[ids]
        targets = targets.repeat(n_members, *[1] * (targets.dim() - 1))  # member after member
        if data.weights is None:
            loss = data.loss(outputs.flatten(0, 1), targets, "mean")
        else:
            loss = (data.loss(outputs.flatten(0, 1), targets, "none")
                    * data.weights[ids].repeat(n_members)).mean()
        (loss * n_members).backward()
        optimizer.step()
        total += loss.detach() * len(ids)
        done += len(ids)
    return float(total) / done


def _recalibration(module: torch.nn.Module, data: _TrainingData) -> tuple[Iterator, Callable]:
    """The training batches (a fixed order) over which batch-norm statistics are recomputed."""
    order = torch.from_numpy(np.random.default_rng(0).permutation(len(data.train_ids)))
    ids = data.train_ids[order.to(data.train_ids.device)]
    return (batch for _, batch in data.batches(module, ids)), module.member_outputs


def _trained_conv(conv: str, n_edge_features: int) -> str:
    """The convolution a fit trains: ``conv``, or for ``"auto"`` GINE when the graphs carry
    edge features (bond types and the like are read when there are any), else GIN."""
    if conv != "auto":
        return conv
    return "gine" if n_edge_features else "gin"


class GraphLevelEstimator(BaseGraphEstimator, persistent=False):
    """Base of the estimators that predict one target per graph (not public API).

    A subclass's ``fit`` validates its targets, fixes what ``_n_outputs`` (the network's
    output width) reads, and calls :meth:`_fit_graphs`; it defines ``_combine`` (the
    members' outputs to one prediction per graph), ``_score`` (of validation outputs, for
    ``early_stopping``) and ``_module_signature``.
    """

    _parameter_constraints: dict = {
        **BaseGraphEstimator._parameter_constraints,
        "conv": [StrOptions(set(CONVOLUTIONS) | {"auto"})],
        "readout": [StrOptions(set(READOUTS))],
        "n_layers": [IntInterval(1, None, closed="left")],
        "hidden_size": [IntInterval(1, None, closed="left")],
        "dropout": _DROPOUT,
        "jumping_knowledge": ["boolean"],
        "batch_size": [IntInterval(2, None, closed="left")],  # batch norm needs 2
        "standardize": ["boolean"],
        "random_walk_encoding": [IntInterval(0, None, closed="left")],
        "weight_averaging": [Interval(Real, 0, 1, closed="left")],
        "ensemble_size": [IntInterval(1, None, closed="left")],
        "pooled_member": ["boolean"],
    }

    # the regressor's defaults; the classifier overrides ``dropout`` (0.5), ``batch_size`` (128)
    # and ``max_epochs`` (70)
    def __init__(self, conv: str = "auto", *, readout: str = "sum", n_layers: int = 4,
                 hidden_size: int = 32, dropout: float = 0.0, jumping_knowledge: bool = False,
                 standardize: bool = True, random_walk_encoding: int = 16,
                 weight_averaging: float = 0.5, ensemble_size: int = 2,
                 pooled_member: bool = False,
                 batch_size: int = 32, max_epochs: int = 100,
                 learning_rate: float = 0.01, weight_decay: float = 0.0,
                 early_stopping: bool = False, validation_fraction: float = 0.1,
                 n_iter_no_change: int | None = None, tol: float = 1e-4, device: str = "auto",
                 random_state=None, verbose: int = 0, warm_start: bool = False,
                 callbacks: list | None = None) -> None:
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
        self.pooled_member = pooled_member
        self.batch_size = batch_size
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

    # -- the module ------------------------------------------------------------
    def _build_module(self) -> GraphNetwork | GraphNetworkEnsemble:
        def network() -> GraphNetwork:
            return GraphNetwork(
                self._input_width, self._n_outputs, conv=self.conv_, readout=self.readout,
                n_layers=self.n_layers, hidden_size=self.hidden_size, dropout=self.dropout,
                jumping_knowledge=self.jumping_knowledge,
                edge_dim=getattr(self, "n_edge_features_in_", 0) or None)

        members = [network() for _ in range(self.ensemble_size)]
        if self.pooled_member:
            members.append(PooledFeatureNetwork(self._input_width, self._n_outputs,
                                                hidden_size=self.hidden_size,
                                                dropout=self.dropout))
        return members[0] if len(members) == 1 else GraphNetworkEnsemble(members)

    def _architecture(self) -> tuple:
        """The parameters that shape the module (part of ``_module_signature``)."""
        return (self.conv_, self.readout, self.n_layers, self.hidden_size, self.jumping_knowledge,
                self.standardize, self.random_walk_encoding, self.ensemble_size,
                getattr(self, "n_edge_features_in_", 0), self.pooled_member)

    @classmethod
    def _upgrade_state(cls, state: dict) -> None:
        super()._upgrade_state(state)
        state.setdefault("pooled_member", False)  # written before the pooled member existed
        if "feature_offset_" in state:  # fitted before edge features existed
            state.setdefault("n_edge_features_in_", 0)
            state.setdefault("conv_", _trained_conv(state["conv"], state["n_edge_features_in_"]))
            for name in ("edge_feature_offset_", "edge_feature_scale_", "edge_feature_bound_"):
                state.setdefault(name, None)

    def _combine(self, module: torch.nn.Module, batch: tuple) -> torch.Tensor:
        """One output row per graph of ``batch`` from the module (its members combined)."""
        raise NotImplementedError  # pragma: no cover - abstract

    def _score(self, outputs: torch.Tensor, targets: torch.Tensor) -> float:
        """The validation score of combined outputs against targets (higher is better)."""
        raise NotImplementedError  # pragma: no cover - abstract

    def _validation_score(self, module: torch.nn.Module, data: _TrainingData) -> float:
        ids = data.validation_ids
        outputs = self._combine(module, data.graphs.batch(ids, uses_neighbour_sum(module)))
        return self._score(outputs, data.y[ids])

    def _training_targets(self, targets: np.ndarray, weights: np.ndarray | None,
                          reuse: bool) -> torch.Tensor:
        """The tensor the loss compares outputs with; a warm start (``reuse``) keeps any
        scaling its weights were trained on."""
        return torch.from_numpy(targets)

    # -- fit -----------------------------------------------------------------
    def _fit_graphs(self, graphs: list, targets: np.ndarray, weights: np.ndarray | None,
                    loss: LossFunction, stratify: np.ndarray | None) -> None:
        """Collate and scale ``graphs``, then train the module on ``targets`` (one per graph).

        ``weights``: each graph's weight in the loss (from :func:`loss_weights`) or None;
        ``stratify``: the class of each graph for the validation split of
        ``early_stopping``, or None. Graphs of weight 0 are validated and left out, so
        that they move nothing (not the feature scaling, not batch normalisation), as if
        they were not given; the scaling counts each graph by its weight.
        """
        if weights is not None and (weights == 0).any():
            # every graph validated, as with any weight
            _collate(graphs, None, "X", 0, estimator=type(self).__name__)
            keep = weights > 0
            graphs = [graph for graph, kept in zip(graphs, keep) if kept]
            targets, weights = targets[keep], weights[keep] / weights[keep].mean()  # mean 1
            stratify = None if stratify is None else stratify[keep]
        collated, width = _collate(graphs, None, "X", self.random_walk_encoding,
                                   estimator=type(self).__name__)
        self.n_features_in_ = width
        record_feature_names(self, collated.feature_names)
        self.n_edge_features_in_ = collated.n_edge_features
        self._input_width = collated.x.shape[1]
        self.conv_ = _trained_conv(self.conv, self.n_edge_features_in_)
        if self.conv_ == "gine" and not self.n_edge_features_in_:
            raise ValueError("conv='gine' adds edge features to the messages, and the graphs "
                             "have none; use conv='auto' (GINE when the graphs carry edge "
                             "features, else GIN) or conv='gin'.")
        if self.n_edge_features_in_ and self.conv_ not in EDGE_CONVOLUTIONS:
            warn_caller(
                f"the graphs have {self.n_edge_features_in_} edge features, which "
                f"conv={self.conv_!r} does not read; conv='gine' (or 'gat', or 'auto') "
                f"uses them.")
        if collated.n_weighted:
            warn_caller(
                f"{collated.n_weighted} of the graphs have edge weights other than 1 (given, "
                "or repeated edges summed), which "
                "the graph-level networks do not read (they read the wiring: messages, "
                "random-walk encodings and the degrees of featureless graphs count edges); "
                "to let conv='gine' use them, give them as edge features as each graph "
                "holds them (repeats summed, the larger of two directions): "
                "G = Graph(A, X); Graph((G.adjacency > 0) * 1.0, X, "
                "edge_features=G.adjacency.data[:, None]).")
        reuse = self._reuses_module()
        targets = self._training_targets(targets, weights, reuse)
        if weights is not None:
            weights = torch.from_numpy(weights.astype(np.float32))
        if not self.standardize:
            self.feature_offset_ = self.feature_scale_ = self.feature_bound_ = None
            self.edge_feature_offset_ = self.edge_feature_scale_ = None
            self.edge_feature_bound_ = None
        elif not reuse:  # a warm start keeps the scaling its weights were trained on
            node_weights = edge_weights = None
            if weights is not None and (weights != weights[0]).any():  # on each graph's rows
                node_weights = torch.repeat_interleave(weights, collated.node_ptr.diff())
                edge_weights = torch.repeat_interleave(weights, collated.edge_ptr.diff())
            self.feature_offset_, self.feature_scale_, self.feature_bound_ = (
                t.numpy() for t in _feature_scaling(collated.x, node_weights))
            self.edge_feature_offset_ = self.edge_feature_scale_ = None
            self.edge_feature_bound_ = None
            if collated.edge_attr is not None:
                self.edge_feature_offset_, self.edge_feature_scale_, \
                    self.edge_feature_bound_ = (t.numpy() for t in
                                                _feature_scaling(collated.edge_attr,
                                                                 edge_weights))
        collated = self._scaled(collated)

        def prepare(device: torch.device, rng: np.random.Generator) -> _TrainingData:
            ids = np.arange(len(targets))
            validation = None
            if self.early_stopping:
                ids, validation = self._validation_split(ids, stratify, rng)
                validation = torch.from_numpy(validation).to(device)
            if len(ids) < 2:  # batch normalisation normalises over a batch's graphs
                raise ValueError(
                    f"training needs at least 2 graphs, got {len(ids)}"
                    + (" after holding out the early-stopping validation graphs"
                       if self.early_stopping else "") + ".")
            return _TrainingData(
                collated.to(device), targets.to(device), torch.from_numpy(ids).to(device),
                validation, self.batch_size, loss,
                None if weights is None else weights.to(device))

        average_from = None
        if self.weight_averaging > 0 and not self.early_stopping:
            average_from = averaging_start(self.max_epochs, self.weight_averaging)
        self._fit_module(prepare, _run_epoch,
                         self._validation_score if self.early_stopping else None,
                         work_size=self._work_size(collated, self.batch_size),
                         lr_schedule=cosine_schedule(self.max_epochs), average_from=average_from,
                         recalibration=_recalibration)

    def _scaled(self, collated: _CollatedGraphs) -> _CollatedGraphs:
        """``collated`` with node (and edge) features scaled by the fitted statistics, in
        float32."""
        x = _scale_features(collated.x, getattr(self, "feature_offset_", None),
                            getattr(self, "feature_scale_", None),
                            getattr(self, "feature_bound_", None), self.n_features_in_)
        edge_attr = collated.edge_attr
        if edge_attr is not None:
            edge_attr = _scale_features(edge_attr, getattr(self, "edge_feature_offset_", None),
                                        getattr(self, "edge_feature_scale_", None),
                                        getattr(self, "edge_feature_bound_", None))
        return _CollatedGraphs(x, collated.edge_index, collated.node_ptr, collated.edge_ptr,
                               edge_attr)

    def _work_size(self, collated: _CollatedGraphs, n_graphs: int) -> int:
        """About the entries one layer touches for ``n_graphs`` average graphs."""
        per_graph = (collated.node_ptr[-1] + collated.edge_ptr[-1]).item() / collated.n_graphs
        return int(per_graph * n_graphs * self.hidden_size)

    def _validation_split(self, ids: np.ndarray, stratify: np.ndarray | None,
                          rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
        n_validation = self._validation_size(len(ids), "graphs")
        seed = int(rng.integers(np.iinfo(np.int32).max))
        n_classes = None if stratify is None else len(np.unique(stratify))
        if stratify is not None and (np.bincount(stratify).min() < 2
                                     or n_validation < n_classes
                                     or len(ids) - n_validation < n_classes):
            stratify = None  # too few graphs for every class on both sides
        train, validation = train_test_split(ids, test_size=n_validation, stratify=stratify,
                                             random_state=seed)
        return np.sort(train), np.sort(validation)

    # -- inference -----------------------------------------------------------
    @torch_defaults()
    def _outputs(self, X: Sequence[Any]) -> torch.Tensor:
        """The combined network outputs for every graph of ``X`` (float64, on the CPU)."""
        check_is_fitted(self, "module_")
        graphs = _check_graph_sequence(X)
        collated, _ = _collate(graphs, self.n_features_in_, "X",
                               self._fitted("random_walk_encoding"),
                               getattr(self, "n_edge_features_in_", 0),
                               estimator=type(self).__name__)
        check_feature_names(self, collated.feature_names)
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
                outputs.append(self._combine(self.module_, part).cpu())
        outputs = torch.cat(outputs).double()
        overflowed = ~torch.isfinite(outputs.reshape(len(outputs), -1)).all(dim=1)
        if overflowed.any():  # never a label or a number from an overflowed network
            raise ValueError(
                f"the network's outputs overflowed for {int(overflowed.sum())} graph(s) of X "
                f"(the first: X[{int(overflowed.nonzero()[0, 0])}]): their features are far "
                "larger than the training graphs'" + (
                    "; standardize=True would scale and clip them."
                    if not self._fitted("standardize") else "."))
        return outputs

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.two_d_array = False
        return tags
