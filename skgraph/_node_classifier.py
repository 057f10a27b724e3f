"""``GNNNodeClassifier``: semi-supervised node classification on one graph."""

from __future__ import annotations

from numbers import Real
from typing import Any

import numpy as np
import torch
import torch.nn.functional as F
from sklearn.base import ClassifierMixin
from sklearn.metrics import accuracy_score
from sklearn.utils._param_validation import Interval, StrOptions
from sklearn.utils.multiclass import check_classification_targets
from sklearn.utils.validation import column_or_1d

from ._base import (
    check_not_ragged,
    check_single_label,
    class_weight_factors,
    fit_context,
    loss_weights,
    require_targets,
)
from ._node_level import (
    NodeLevelEstimator,
    check_one_graph,
    check_target_order,
    labelled_positions,
    labelled_rows,
    numbers_as_numbers,
)
from ._training import validation_log_loss

__all__ = ["GNNNodeClassifier"]


def _cross_entropy(logits: torch.Tensor, targets: torch.Tensor,
                   weights: torch.Tensor | None) -> torch.Tensor:
    if weights is None:
        return F.cross_entropy(logits, targets)
    return (F.cross_entropy(logits, targets, reduction="none") * weights).mean()


def _probability_disagreement(first: torch.Tensor, second: torch.Tensor) -> torch.Tensor:
    """Mean over nodes of the squared distance of each pass's class probabilities from the
    two passes' mean (a quarter of their squared distance)."""
    return (first.softmax(dim=1) - second.softmax(dim=1)).pow(2).sum(dim=1).mean() / 4


class GNNNodeClassifier(ClassifierMixin, NodeLevelEstimator):
    """Semi-supervised node classification with a graph neural network.

    Some nodes of a graph carry labels; the network learns from the whole graph (every
    node's features and every edge) and the labels it is given, and predicts the class of
    any node. Which nodes are labelled:

    * ``fit(G[idx], y_idx)``: the nodes a node view selects, with one label each
      (scikit-learn's splitters and ``GridSearchCV`` pass such views);
    * ``fit(G, y)``: one entry per node, ``-1`` for an unlabelled node (the convention of
      ``sklearn.semi_supervised``; ``-1`` is never a class), or a missing value (NaN,
      None: what reindexing a table of labels onto the graph's nodes leaves).

    No label of an unselected or unlabelled node is ever read (their features and edges
    are, as in the transductive setting of the Planetoid benchmarks). ``predict`` and
    ``predict_proba`` of ``G[idx]`` return the rows of the selected nodes, in order; given a
    new graph with the same feature width (inductive use), the rows of its nodes.

    Parameters
    ----------
    conv : {"gprgnn", "appnp", "gcn", "sage", "gat"}, default="gprgnn"
        The network (see Notes).
    hidden_size : int, default=64
        Width of the hidden layers.
    n_layers : int, default=2
        Graph convolutions (``"gcn"``, ``"sage"``, ``"gat"``) or layers of the MLP before
        the propagation (``"gprgnn"``, ``"appnp"``).
    dropout : float, default=0.5
        Dropout of the input features and of each hidden layer, during training.
    edge_dropout : float, default=0.1
        Fraction of the graph's edges dropped at each training step (DropEdge; Rong et
        al. 2020), the others' weights scaled by ``1 / (1 - edge_dropout)``: self loops
        stay, and with ``batch_size`` the sampled edges are dropped. Prediction reads every
        edge. The default was chosen on the validation nodes of citation and heterophilous
        sets (see the benchmark history).
    propagation_steps : int, default=10
        Steps of propagation of ``"gprgnn"`` and ``"appnp"``.
    alpha : float, default=0.1
        Teleport probability of the personalised PageRank of ``"appnp"`` (and the start of
        ``"gprgnn"``'s learned weights).
    featureless : {"identity", "degree"}, default="identity"
        Node representation of a graph given without features: one-hot node identities
        (transductive: ``predict`` then only accepts that same graph) or
        ``[1, log(1 + degree)]`` (also for new graphs; the degree is the sum of the node's
        edge weights, as the network weighs its neighbours).
    class_weight : dict, "balanced" or None, default=None
        Weights of the classes in the loss, as in scikit-learn's linear models; multiplied
        with ``sample_weight``.
    consistency : float, default=1.0
        Weight of the Π-model's consistency term (Laine & Aila 2017), which lets the
        unlabelled nodes teach too: each step runs the network twice, with different
        dropout, and penalises the squared difference of the two passes' class
        probabilities on every node (labelled or not; in mini-batches, the batch's nodes
        and as many drawn at random), its weight rising to ``consistency`` over the first
        half of ``max_epochs``. A step then costs about two. ``0`` (or ``dropout=0``) trains
        on the labelled nodes' loss alone.
    max_epochs : int, default=200
        Full-batch epochs.
    learning_rate : float, default=0.02
        Adam's initial step size; it decays along a cosine to 0 over ``max_epochs``.
    weight_decay : float, default=5e-4
        L2 penalty (Adam's ``weight_decay``).
    early_stopping : bool, default=False
        Hold out a stratified ``validation_fraction`` of the labelled nodes, keep the
        weights of the best validation log-loss and stop when it has not improved by
        ``tol`` for ``n_iter_no_change`` epochs (the loss, as scikit-learn's
        ``HistGradientBoostingClassifier`` watches by default: with imbalanced classes
        the accuracy can stay at the majority share while the model learns).
    validation_fraction : float, default=0.1
        Fraction of the labelled nodes held out with ``early_stopping`` (at least one per
        class).
    n_iter_no_change : int or None, default=None
        Training stops once more than this many epochs in a row bring no improvement of
        ``tol`` (scikit-learn's MLP rule); ``None`` trains for ``max_epochs``.
    tol : float, default=1e-4
    device : {"auto", "cpu", "cuda", "cuda:N", "mps"}, default="auto"
    random_state : int, RandomState instance or None, default=None
    verbose : int, default=0
    warm_start : bool, default=False
        Continue from the previous fit's weights and feature scaling (same architecture,
        classes and feature width); other classes are refused, as by ``MLPClassifier``,
        and a network that no longer fits is replaced, with a warning.
    callbacks : list of callable or None, default=None
        Each is called after every epoch as ``callback(info)`` with a
        :class:`~skgraph.EpochInfo`; one returning True (a Python or NumPy bool, or a
        one-element bool tensor) stops training there.
    weight_averaging : float, default=0.5
        Fraction, in [0, 1), of the final epochs whose weights are averaged into the returned
        model (stochastic weight averaging); ``0`` keeps the last epoch's weights. Ignored with
        ``early_stopping`` (the best validated weights are kept).
    batch_size : int or None, default=None
        None trains full-batch (every node's activations at once). An int trains on
        batches of that many labelled nodes, each with a sampled neighbourhood (see
        ``fanouts``): memory then grows with the batch, not with the graph. Prediction is
        exact either way (every neighbour, layer by layer).
    fanouts : sequence of int or None, default=None
        With ``batch_size``: neighbours sampled per node at each hop from the batch
        outwards, one entry per hop of the network (its ``n_layers`` for ``"gcn"``,
        ``"sage"``, ``"gat"``; ``propagation_steps`` for ``"appnp"``, ``"gprgnn"``), ``-1``
        for all; None samples 10 per hop. Sampled edges are scaled by the node's degree
        over the neighbours drawn, so each aggregation is an unbiased estimate of the whole
        graph's.

    Attributes
    ----------
    classes_ : ndarray of shape (n_classes,)
    n_features_in_ : int
        Node feature width of the training graph (0 for a featureless graph).
    n_nodes_ : int
        Nodes of the training graph.
    feature_scale_ : float
        Global max-abs value of the training features; features are divided by it.
    module_ : torch.nn.Module
        The trained network.
    loss_curve_, best_loss_, n_iter_, device_
        As for the other skgraph estimators (see :class:`~skgraph.VGAEEmbedder`).
    validation_scores_ : list of float or None
        The negated validation log-loss per epoch with ``early_stopping`` (higher is
        better).
    best_validation_score_ : float or None
        The best of ``validation_scores_`` (None without ``early_stopping``).

    Notes
    -----
    ``"gprgnn"`` (Chien et al. 2021) is an MLP on each node's features whose outputs are then
    propagated ``propagation_steps`` times over the normalised adjacency, the steps mixed
    with learned weights: it learns how much a node's own features count against its
    neighbourhood's, so it holds on graphs where neighbours share labels (citation networks)
    and where they do not (heterophilous graphs). ``"appnp"`` fixes those weights to
    personalised PageRank; ``"gcn"``, ``"sage"`` and ``"gat"`` are the usual layers.

    Examples
    --------
    >>> import numpy as np
    >>> from skgraph import GNNNodeClassifier
    >>> from skgraph.datasets import make_community_graph
    >>> G, y = make_community_graph(n_nodes=90, random_state=0)
    >>> labelled = np.arange(0, 90, 3)  # a third of the nodes carry labels
    >>> clf = GNNNodeClassifier(max_epochs=50, random_state=0).fit(G[labelled], y[labelled])
    >>> rest = np.setdiff1d(np.arange(90), labelled)
    >>> clf.predict_proba(G[rest]).shape
    (60, 3)
    >>> bool(clf.score(G[rest], y[rest]) > 0.8)
    True
    """

    _parameter_constraints: dict = {
        **NodeLevelEstimator._parameter_constraints,
        "class_weight": [StrOptions({"balanced"}), dict, None],
        "consistency": [Interval(Real, 0, None, closed="left")],
    }

    def __init__(self, conv: str = "gprgnn", *, hidden_size: int = 64, n_layers: int = 2,
                 dropout: float = 0.5, edge_dropout: float = 0.1, propagation_steps: int = 10,
                 alpha: float = 0.1, featureless: str = "identity",
                 class_weight: dict | str | None = None,
                 consistency: float = 1.0, max_epochs: int = 200, learning_rate: float = 0.02,
                 weight_decay: float = 5e-4, early_stopping: bool = False,
                 validation_fraction: float = 0.1, n_iter_no_change: int | None = None,
                 tol: float = 1e-4, device: str = "auto", random_state=None, verbose: int = 0,
                 warm_start: bool = False, callbacks: list | None = None,
                 batch_size: int | None = None, fanouts: tuple | None = None,
                 weight_averaging: float = 0.5) -> None:
        super().__init__(
            conv, hidden_size=hidden_size, n_layers=n_layers, dropout=dropout,
            edge_dropout=edge_dropout, propagation_steps=propagation_steps, alpha=alpha,
            featureless=featureless,
            max_epochs=max_epochs, learning_rate=learning_rate, weight_decay=weight_decay,
            early_stopping=early_stopping, validation_fraction=validation_fraction,
            n_iter_no_change=n_iter_no_change, tol=tol, device=device,
            random_state=random_state, verbose=verbose, warm_start=warm_start,
            callbacks=callbacks, batch_size=batch_size, fanouts=fanouts,
            weight_averaging=weight_averaging)
        self.class_weight = class_weight
        self.consistency = consistency

    @classmethod
    def _upgrade_state(cls, state: dict) -> None:
        """Models saved before the consistency term existed were fitted without it."""
        super()._upgrade_state(state)
        state.setdefault("consistency", 0.0)

    @property
    def _n_outputs(self) -> int:
        return len(self.classes_)

    _classes_in_signature = -1

    def _module_signature(self) -> tuple:
        return super()._module_signature() + (tuple(self.classes_.tolist()),)

    @fit_context
    def fit(self, X: Any, y: Any, sample_weight: Any = None) -> GNNNodeClassifier:
        """Learn from the whole graph behind ``X`` and the labels of its labelled nodes.

        Parameters
        ----------
        X : Graph (or node view), or any accepted graph input
            The graph; a node view selects the nodes ``y`` labels.
        y : array-like of shape (n_selected_nodes,)
            One label per selected node, in order; ``-1`` (numeric labels only) or a missing
            value (NaN, None) marks an unlabelled node. At least two classes among the
            labelled nodes.
        sample_weight : array-like of shape (n_selected_nodes,) or float, default=None
            Non-negative weight of each node in the loss (times its class's
            ``class_weight``); only the ratios matter. Unlabelled nodes' weights are ignored.

        Returns
        -------
        self : GNNNodeClassifier
        """
        check_one_graph(X)
        require_targets(self, y, X)
        check_not_ragged(y)
        check_single_label(self, y, "node")
        given, y = y, numbers_as_numbers(column_or_1d(y, warn=True))
        graph = self._selected_graph(X, len(y), given)
        labelled = labelled_positions(y)
        if not len(y):
            raise ValueError("X selects no node (y is empty); a classifier needs labelled "
                             "nodes of at least 2 classes.")
        if not labelled.any():
            raise ValueError("no node is labelled: every entry of y is -1 or missing "
                             "(unlabelled); a classifier needs labelled nodes of at least 2 "
                             "classes.")
        targets = numbers_as_numbers(y[labelled])
        check_classification_targets(targets)
        classes, encoded = np.unique(targets, return_inverse=True)
        if len(classes) < 2:
            minus_one = " (-1 marks an unlabelled node, never a class: encode the " \
                "classes otherwise, e.g. with LabelEncoder)" if (~labelled).any() else ""
            raise ValueError(f"the labelled nodes have a single class "
                             f"({classes[:1].tolist()[0]!r}); a classifier needs labelled "
                             f"nodes of at least 2 classes{minus_one}.")
        self.classes_ = classes
        weights = loss_weights(sample_weight, len(y))
        factors = class_weight_factors(self.class_weight, classes, targets, encoded)
        node_weights = None
        if weights is not None or factors is not None:
            node_weights = loss_weights(None if weights is None else weights[labelled],
                                        len(targets), factors,
                                        "sample_weight (times class_weight)")
        self._fit_nodes(graph, labelled, torch.from_numpy(encoded.astype(np.int64)),
                        node_weights, _cross_entropy, stratify=encoded,
                        disagreement=_probability_disagreement,
                        consistency=self.consistency)
        return self

    def _score(self, outputs: torch.Tensor, targets: torch.Tensor) -> float:
        """The negated log-loss (higher is better): see :func:`validation_log_loss`."""
        return validation_log_loss(outputs, targets)

    def decision_function(self, X: Any) -> np.ndarray:
        """Class logits of the selected nodes.

        Parameters
        ----------
        X : Graph (or node view), or any accepted graph input

        Returns
        -------
        ndarray of shape (n_selected_nodes,) for two classes (the logit of ``classes_[1]``
        minus that of ``classes_[0]``), else (n_selected_nodes, n_classes)
        """
        logits = self._node_outputs(X).numpy()
        if len(self.classes_) == 2:
            return self._output(logits[:, 1] - logits[:, 0], X, "decision_function")
        return self._output(logits, X, self.classes_)

    def predict_proba(self, X: Any) -> np.ndarray:
        """Class probabilities of the selected nodes, columns in the order of ``classes_``.

        Parameters
        ----------
        X : Graph (or node view), or any accepted graph input

        Returns
        -------
        ndarray of shape (n_selected_nodes, n_classes)
        """
        return self._output(torch.softmax(self._node_outputs(X), dim=1).numpy(), X,
                            self.classes_)

    def predict_log_proba(self, X: Any) -> np.ndarray:
        """Logarithm of :meth:`predict_proba`."""
        return self._output(torch.log_softmax(self._node_outputs(X), dim=1).numpy(), X,
                            self.classes_)

    def predict(self, X: Any) -> np.ndarray:
        """The most probable class of each selected node.

        Parameters
        ----------
        X : Graph (or node view), or any accepted graph input

        Returns
        -------
        ndarray of shape (n_selected_nodes,)
        """
        indices = self._node_outputs(X).argmax(dim=1).numpy()
        return self._output(self.classes_[indices], X, "prediction")

    def score(self, X: Any, y: Any, sample_weight: Any = None) -> float:
        """Accuracy on the selected nodes that have a label: ``-1`` or a missing value
        marks an unlabelled node, as in :meth:`fit`, and is left out.

        Parameters
        ----------
        X : Graph (or node view), or any accepted graph input
        y : array-like of shape (n_selected_nodes,)
        sample_weight : array-like of shape (n_selected_nodes,), default=None

        Returns
        -------
        float
        """
        check_target_order(y, X)
        y = numbers_as_numbers(column_or_1d(y))
        y, predicted, weights = labelled_rows(y, labelled_positions(y), self.predict(X),
                                              sample_weight)
        return float(accuracy_score(numbers_as_numbers(y), predicted, sample_weight=weights))
