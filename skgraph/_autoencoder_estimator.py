"""Training a graph auto-encoder on the edges of one graph (shared by the node estimators).

``VGAEEmbedder`` and ``LinkPredictor`` both learn a GCN encoder from the edges of one
graph: reconstruction loss on its edges against fresh negative pairs each epoch, plus the
KL term when variational. This module holds that procedure once.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from numbers import Integral
from typing import Any

import numpy as np
import scipy.sparse as sp
import torch
from sklearn.metrics import roc_auc_score
from sklearn.utils.validation import check_is_fitted

from ._base import _DROPOUT, _FEATURELESS, BaseGraphEstimator
from ._device import thread_limit, torch_defaults
from ._distributed import DistributedContext, share_of
from ._edges import NonEdgeSampler, split_edges, upper_edges
from ._feature_names import check_feature_names, record_feature_names
from ._graph import Graph, as_graph, check_complete_features
from ._neighbour_sampling import NeighbourSampler, check_batching, checked_fanouts
from ._nn._graph_autoencoder import GCNEncoder, GraphAutoEncoder, HadamardMLPDecoder
from ._nn._pair_scores import PairSet
from ._node_inputs import (
    NodeInputs,
    SubgraphInputs,
    feature_scale,
    feature_width,
    node_inputs,
    structure_fingerprint,
    warn_unbalanced_columns,
    warn_unread_edge_features,
)
from ._parameters import IntInterval
from ._warnings import warn_caller

__all__ = ["BaseGraphAutoEncoder"]


@dataclass
class _EdgeTrainingData:
    inputs: NodeInputs
    positives: PairSet | None  # each undirected training edge once (None: validation only)
    negatives: NonEdgeSampler  # of the training graph: known edges are never negatives
    validation_pairs: torch.Tensor | None = None  # (2, 2 m): held-out edges then non-edges
    validation_labels: np.ndarray | None = None


def _positive_pairs(adjacency: sp.csr_array, device) -> PairSet:
    pairs = torch.from_numpy(upper_edges(adjacency).T.copy()).to(device)
    return PairSet(pairs, adjacency.shape[0], assume_sorted=adjacency.has_sorted_indices)


# held-out edges below which early stopping's ROC AUC is too coarse to choose weights by
_FEW_VALIDATION_EDGES = 10


class BaseGraphAutoEncoder(BaseGraphEstimator, persistent=False):
    """Base of the estimators that train a graph auto-encoder on one graph's edges."""

    _parameter_constraints: dict = {
        **BaseGraphEstimator._parameter_constraints,
        "n_components": [IntInterval(1, None, closed="left")],
        "hidden_layer_sizes": ["array-like", IntInterval(1, None, closed="left")],
        "variational": ["boolean"],
        "dropout": _DROPOUT,
        "featureless": _FEATURELESS,
        "batch_size": [IntInterval(1, None, closed="left"), None],
        "fanouts": ["array-like", None],
    }

    @classmethod
    def _upgrade_state(cls, state: dict) -> None:
        super()._upgrade_state(state)
        state.setdefault("batch_size", None)  # 0.1.0 trained full-batch only
        state.setdefault("fanouts", None)

    def _build_decoder(self) -> torch.nn.Module | None:
        return None  # the inner-product decoder

    def _build_module(self) -> GraphAutoEncoder:
        decoder = self._build_decoder()
        # An MLP decoder sees only noise while the posterior is as wide as PyG's VGAE starts
        # it (std 1) and can stall there for good (half of the seeds on small graphs); start
        # it at std e^-2 so the decoder sees the means first.
        initial_logstd = -2.0 if isinstance(decoder, HadamardMLPDecoder) else 0.0
        encoder = GCNEncoder(self._input_width, self._hidden_sizes(), self.n_components,
                             variational=self.variational, dropout=self.dropout,
                             initial_logstd=initial_logstd)
        return GraphAutoEncoder(encoder, decoder)

    def _hidden_sizes(self) -> tuple[int, ...]:
        sizes = np.atleast_1d(np.asarray(self.hidden_layer_sizes, dtype=object)).tolist()
        if not all(isinstance(s, Integral) and not isinstance(s, bool) and s > 0 for s in sizes):
            raise ValueError("hidden_layer_sizes must be a sequence of positive ints, "
                             f"got {self.hidden_layer_sizes!r}.")
        return tuple(int(s) for s in sizes)

    def _module_signature(self) -> tuple:
        return (self._input_width, self._hidden_sizes(), self.n_components, self.variational,
                type(self._build_decoder()).__name__)

    def _warm_start_hint(self) -> str:
        fitted = getattr(self, "_fitted_signature", None)
        if self._identity_of is None or fitted is None or fitted[0] == self._input_width:
            return ""
        return (f" With featureless='identity' the input has one column per node, so a graph "
                f"of {self._input_width} nodes after one of {fitted[0]} needs another network; "
                "give the graphs node features, or fit with featureless='degree', to continue "
                "across snapshots.")

    # -- fit -----------------------------------------------------------------
    def _fit_graph(self, X: Any) -> BaseGraphAutoEncoder:
        check_batching(self.batch_size, self.fanouts, self._fanouts)
        graph = as_graph(X).whole()
        name, n = type(self).__name__, graph.n_nodes
        check_complete_features(graph, name)
        if graph.n_edges == 0:
            raise ValueError(f"{name} learns from edges, but the graph has none.")
        if graph.n_edges == n * (n - 1) // 2:
            raise ValueError(
                f"{name} learns to tell the graph's edges from sampled non-edges, but the graph "
                f"is complete (each of the {n * (n - 1) // 2} pairs of its {n} nodes is an edge): "
                "there is no non-edge to sample.")
        if graph.features is not None and feature_scale(graph.features, default=0.0) == 0.0:
            raise ValueError(
                "the node features are zero for every node: they carry no information, and the "
                "encoder would give every node the same embedding. Pass the graph without "
                "features (features=None) for the featureless default representation.")
        if self.early_stopping and graph.n_edges < 4:
            raise ValueError(f"early_stopping holds out validation edges, but the graph has "
                             f"only {graph.n_edges} edge(s).")
        self._hidden_sizes()
        warn_unread_edge_features(graph, type(self).__name__)
        self.n_features_in_ = graph.n_features
        record_feature_names(self, graph.feature_names)
        self._input_width = feature_width(graph, self.featureless)
        self._identity_of = (structure_fingerprint(graph.adjacency)
                             if graph.features is None and self.featureless == "identity" else None)
        self.n_nodes_ = graph.n_nodes
        if not self._reuses_module():  # a warm start keeps the scaling it was trained on
            self.feature_scale_ = feature_scale(graph.features)
            warn_unbalanced_columns(graph.features, type(self).__name__,
                                    graph.feature_names)

        def held_out(device, rng):
            """The training adjacency, and the held-out pairs and labels of early stopping."""
            if not self.early_stopping:
                return graph.adjacency, None, None
            n_val = min(max(1, int(round(self.validation_fraction * graph.n_edges))),
                        graph.n_edges - 1)
            n_non_edges = graph.n_nodes * (graph.n_nodes - 1) // 2 - graph.n_edges
            if n_non_edges < n_val:
                raise ValueError(
                    f"early_stopping holds out {n_val} edges and as many non-edges to validate "
                    f"on, but the graph has only {n_non_edges} non-edge(s); lower "
                    "validation_fraction or set early_stopping=False.")
            if n_val < _FEW_VALIDATION_EDGES:
                warn_caller(f"early_stopping validates on {n_val} held-out edge(s) and as many "
                            "non-edges: a ROC AUC of so few pairs moves in large steps, and "
                            "the weights kept may be those of a lucky epoch. Raise "
                            "validation_fraction, or set early_stopping=False on so small a "
                            "graph.")
            adjacency, pos, neg = split_edges(graph.adjacency, n_val, rng)
            val_pairs = torch.from_numpy(np.vstack([pos, neg]).T.copy()).to(device)
            return adjacency, val_pairs, np.r_[np.ones(len(pos)), np.zeros(len(neg))]

        def prepare(device, rng):
            adjacency, val_pairs, val_labels = held_out(device, rng)
            inputs = node_inputs(graph, self.featureless, device, adjacency, self.feature_scale_)
            if isinstance(inputs.propagated, torch.Tensor):  # the first layer reads S X only
                inputs = dataclasses.replace(inputs, features=None)
            return _EdgeTrainingData(inputs, _positive_pairs(adjacency, device),
                                     NonEdgeSampler(adjacency, device), val_pairs, val_labels)

        if self.batch_size is None:
            self._fit_module(prepare, _run_epoch,
                             _validation_auc if self.early_stopping else None,
                             work_size=_work_size(graph))
            return self
        fanouts = self._fanouts()

        def prepare_batches(device, rng) -> _EdgeBatches:
            adjacency, val_pairs, val_labels = held_out(device, rng)
            subgraphs = SubgraphInputs(graph, self.featureless, device, self.feature_scale_,
                                       adjacency)
            negatives = NonEdgeSampler(adjacency, device)
            validation = None
            if self.early_stopping:  # the held-out edges, scored on the whole graph exactly
                validation = _EdgeTrainingData(subgraphs.chunked(), None, negatives, val_pairs,
                                               val_labels)
            pairs = torch.from_numpy(upper_edges(adjacency)).to(device)
            return _EdgeBatches(subgraphs, NeighbourSampler(adjacency, fanouts, device), pairs,
                                negatives, int(self.batch_size), graph.n_nodes, validation)

        self._fit_module(prepare_batches, _run_minibatch_epoch,
                         (lambda module, data: _validation_auc(module, data.validation))
                         if self.early_stopping else None,
                         work_size=int(self.batch_size) * max(self._hidden_sizes() + (1,)))
        return self

    def _fanouts(self) -> tuple[int, ...]:
        """Neighbours sampled per hop for mini-batches: one entry per layer of the encoder."""
        hops = len(self._hidden_sizes()) + 1
        return checked_fanouts(
            self.fanouts, hops,
            f"the encoder has {hops} graph convolutions (hidden_layer_sizes="
            f"{self.hidden_layer_sizes!r} and the embedding layer): give one per layer.")

    # -- inference -----------------------------------------------------------
    def _inference_graph(self, X: Any) -> Graph:
        """Validate a graph given after fit: fitted, same feature width, identity features' graph."""
        check_is_fitted(self, "module_")
        graph = as_graph(X)
        if graph.n_features != self.n_features_in_:
            raise ValueError(f"X has {graph.n_features} features, but {type(self).__name__} is "
                             f"expecting {self.n_features_in_} features as input (node feature "
                             "width seen in fit).")
        check_feature_names(self, graph.feature_names)
        check_complete_features(graph, type(self).__name__)
        if self._identity_of is not None and structure_fingerprint(graph.adjacency) != self._identity_of:
            raise ValueError(
                "this estimator was fitted on a featureless graph with featureless='identity' "
                "(one-hot node identities), which only describe the training graph; give the new "
                "graph node features, or fit with featureless='degree' for inductive use.")
        return graph

    @torch_defaults()
    def _embed(self, graph: Graph) -> torch.Tensor:
        """Mean embeddings of all nodes of the whole graph behind ``graph``.

        Fitted in mini-batches, the layers run over all nodes a chunk of rows at a time
        (exact, every neighbour), so that memory stays bounded here too.
        """
        device = torch.device(self.device_)
        featureless = self._fitted("featureless")
        self.module_.eval()
        with torch.no_grad(), thread_limit(_work_size(graph)):
            if self._fitted("batch_size") is None:
                inputs = node_inputs(graph, featureless, device, scale=self.feature_scale_)
                return self.module_.embed(inputs.features, inputs.operator, inputs.propagated)
            inputs = SubgraphInputs(graph.whole(), featureless, device,
                                    self.feature_scale_).chunked()
            return self.module_.embed(inputs.features, inputs.operator)


def _work_size(graph: Graph) -> int:
    return graph.adjacency.nnz + graph.n_nodes * max(graph.n_features, 1)


def _run_epoch(module: GraphAutoEncoder, optimizer, data: _EdgeTrainingData) -> float:
    optimizer.zero_grad()
    inputs = data.inputs
    negatives = data.negatives.training_keys(len(data.positives))
    loss = module.loss(inputs.features, inputs.operator, data.positives,
                       PairSet.from_sorted_keys(negatives, inputs.n_nodes), inputs.n_nodes,
                       inputs.propagated)
    loss.backward()
    optimizer.step()
    return loss.item()


@dataclass
class _EdgeBatches:
    subgraphs: SubgraphInputs
    sampler: NeighbourSampler
    pairs: torch.Tensor  # (m, 2): each undirected training edge once
    negatives: NonEdgeSampler
    batch_size: int
    n_nodes: int
    validation: _EdgeTrainingData | None  # the whole graph and held-out pairs
    distributed: DistributedContext | None = None  # a data-parallel fit's: this rank's share
    order: torch.Generator | None = None  # the same shuffles on every rank


def _run_minibatch_epoch(module: GraphAutoEncoder, optimizer, data: _EdgeBatches) -> float:
    """One pass over the training edges in shuffled batches of ``batch_size``, each with as
    many fresh negatives, on the sampled neighbourhood of their endpoints."""
    n = data.n_nodes
    order = torch.randperm(len(data.pairs), generator=data.order).to(data.pairs.device)
    total, done = 0.0, 0
    for batch in share_of(list(order.split(data.batch_size)), data.distributed):
        optimizer.zero_grad()
        positives = data.pairs[batch].T
        keys = data.negatives.training_keys(len(batch))
        negatives = torch.stack([torch.div(keys, n, rounding_mode="floor"),
                                 torch.remainder(keys, n)])
        seeds, local = torch.unique(torch.cat([positives, negatives], dim=1),
                                    return_inverse=True)
        sub = data.sampler.sample(seeds)
        inputs = data.subgraphs(sub, layered=True)  # the last layer's rows are the seeds'
        heads = module.encoder.heads(inputs.features, inputs.operator)
        loss = module.pair_loss(heads, local[:, : len(batch)], local[:, len(batch):], n)
        loss.backward()
        optimizer.step()
        total += loss.item() * len(batch)
        done += len(batch)
    return total / done


def _validation_auc(module: GraphAutoEncoder, data: _EdgeTrainingData) -> float:
    z = module.embed(data.inputs.features, data.inputs.operator, data.inputs.propagated)
    scores = module.decoder(z, data.validation_pairs)
    return float(roc_auc_score(data.validation_labels, scores.cpu().double().numpy()))
