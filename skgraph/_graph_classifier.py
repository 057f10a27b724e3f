"""``GNNGraphClassifier``: one label per graph, learned by a graph neural network."""

from __future__ import annotations

import math
from collections.abc import Sequence
from numbers import Real
from typing import Any

import numpy as np
import torch
import torch.nn.functional as F
from sklearn.base import ClassifierMixin
from sklearn.utils._param_validation import Interval, StrOptions
from sklearn.utils.multiclass import check_classification_targets
from sklearn.utils.validation import column_or_1d

from ._base import (
    check_single_label,
    class_weight_factors,
    fit_context,
    loss_weights,
    require_targets,
)
from ._graph_collation import _check_graph_sequence
from ._graph_level import GraphLevelEstimator
from ._training import validation_log_loss
from ._warnings import warn_caller

__all__ = ["GNNGraphClassifier"]


class GNNGraphClassifier(ClassifierMixin, GraphLevelEstimator):
    """Whole-graph classification with a graph neural network (GIN by default).

    Each sample is a graph. Every node's features are extended by its random-walk
    return probabilities (``random_walk_encoding``) and put on a common scale
    (``standardize``, statistics from the training graphs). Message-passing layers
    compute node representations, a readout pools them into one vector per graph and
    an MLP head gives class logits; two such networks (``ensemble_size``) and a
    structure-agnostic member (``pooled_member``: an MLP on each graph's summed and mean
    node features) are trained side by side, each with cross-entropy, over shuffled
    mini-batches of graphs, and their class probabilities averaged. The step size decays
    along a cosine over ``max_epochs``; the weights of the last ``weight_averaging``
    fraction of epochs are averaged. After training, the batch-norm statistics are
    recomputed for the final weights on the training graphs (the mean and variance over
    all of them, as training normalised each batch), so predictions match what training
    saw. With ``jumping_knowledge`` (as in the GIN paper)
    the readout pools every layer's representations.

    Graphs may have different sizes but must share the node feature width. A graph given
    without features gets ``[1, log(1 + degree)]`` per node (the number of neighbours,
    PyG's ``degree``). Graphs without edges and single-node graphs are valid. All graphs
    are validated and collated once per call; mini-batches are then sliced from flat
    tensors.

    Parameters
    ----------
    conv : {"auto", "gin", "gine", "gcn", "sage", "sum", "gat"}, default="auto"
        Graph convolution: GIN (Xu et al. 2019) with a learnable ``eps``, GINE (GIN with
        the edge features added to the messages, Hu et al. 2020), GCN, GraphSAGE (mean),
        ``"sum"`` (sum over neighbours and self, then an affine map), or GAT. ``"auto"``:
        ``"gine"`` when the training graphs carry edge features (bond types, ...), else
        ``"gin"`` (the choice is kept in ``conv_``); chosen on held-out training graphs of
        the two TU sets with bond labels, where reading them scored higher (see the
        benchmarks page).
    readout : {"sum", "mean", "max", "attention", "sum+mean"}, default="sum"
        How node representations are pooled into a graph representation; ``"sum+mean"``
        puts both side by side (the total, which counts, and the average, which does not
        grow with the graph).
    n_layers : int, default=4
        Message-passing layers.
    hidden_size : int, default=32
        Width of the node representations and of the head's hidden layer (of each
        network of the ensemble).
    dropout : float, default=0.5
        Dropout in the classification head, during training.
    jumping_knowledge : bool, default=False
        Pool the concatenation of all layers' node representations rather than the last
        layer's only.
    standardize : bool, default=True
        Put every node feature column on a common scale, with statistics fitted on the
        training graphs' nodes and reused at prediction (stored in ``feature_offset_``,
        ``feature_scale_`` and ``feature_bound_``): two-valued columns (e.g. one-hot
        labels) are mapped to ``{0, 1}``, other non-constant columns standardised to zero
        mean and unit variance and clipped to 3 standard deviations, constant columns left
        unchanged. Predictions are then invariant to a positive rescaling (and shift) of
        any feature column (float64 features are scaled in float64 before the cast to
        float32, so a large shift costs no precision; float32 ones at their own
        resolution), and neither a large-valued attribute (summed over neighbours and
        nodes) nor a few outlying values can swamp the others.
    random_walk_encoding : int, default=16
        Append to every node's features the probabilities that a random walk from the
        node is back at it after 1, 2, ..., ``random_walk_encoding`` steps (a structural
        encoding, RWSE: Dwivedi et al. 2022; exact, for the walk that moves to each
        neighbour with equal probability: edge weights are not read). They tell, for
        instance, whether a node lies on a ring of 5 or 6 atoms, which message passing with
        sum aggregation cannot detect; computed per graph in time
        ``steps * n_edges * n_nodes`` at most (cubic in the nodes for small graphs). ``0``
        adds nothing.
    weight_averaging : float, default=0.5
        Fraction, in [0, 1), of the final epochs whose weights are averaged into the returned
        model (stochastic weight averaging, Izmailov et al. 2018; the batch-norm statistics are
        then recomputed for the averaged weights). Averaging along the end of the cosine
        schedule lands in a flatter region than the last iterate: lower variance across
        seeds and folds. ``0`` keeps the last epoch's weights; ignored with
        ``early_stopping`` (the best validated weights are kept).
    ensemble_size : int, default=2
        Networks trained side by side (each with its own initial weights and dropout,
        on the same mini-batches, each on its own loss) whose class probabilities are
        averaged: a deep ensemble (Lakshminarayanan et al. 2017) in one training loop, at
        ``ensemble_size`` times the cost of one network per epoch (two networks of width
        32 cost about as much as one of width 64). ``1`` trains a single network.
    pooled_member : bool, default=True
        Add to the ensemble a member that ignores the edges: each graph's summed and mean
        node features (random-walk encoding included), batch-normalised, then an MLP
        with ``hidden_size`` units and ``dropout`` (the structure-agnostic baseline of
        Errica et al. 2020), trained with the networks and averaged with them. Where the
        node features alone say most of what the wiring can (PROTEINS), it keeps the
        ensemble from falling below that baseline; chosen on held-out training graphs of
        six TU sets (see the benchmarks page). Costs a few percent of the fit time.
    batch_size : int, default=128
        Graphs per mini-batch, at least 2 (batch normalisation normalises over them; a
        last batch of one graph joins the one before).
    max_epochs : int, default=70
        Passes over the training graphs. With ``batch_size``, chosen on held-out training
        graphs of six TU sets (never their test folds): 128 graphs for 70 epochs scored
        within noise of the best setting screened and fitted in about half the time of 32
        graphs for 100 epochs (see the benchmarks page).
    learning_rate : float, default=0.01
        Adam's initial step size (cosine decay over ``max_epochs``).
    label_smoothing : float, default=0.0
        In [0, 1). Train against targets that give this much probability mass, spread evenly, to
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
        log-loss has not improved by ``tol`` for ``n_iter_no_change`` epochs and keep the
        best weights (the loss, not the accuracy, which can stay at the majority share
        of imbalanced classes while the model learns). When False the training loss is
        watched instead.
    validation_fraction : float, default=0.1
        Fraction of graphs held out with ``early_stopping``.
    n_iter_no_change : int or None, default=None
        Training stops once more than this many epochs in a row bring no improvement of
        ``tol`` (scikit-learn's MLP rule); ``None`` runs all ``max_epochs`` epochs (with
        ``early_stopping``, the best weights are still kept).
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
        Continue from the previous fit's weights and feature scaling (same architecture,
        classes and width); other classes are refused, as by ``MLPClassifier``, and a
        network that no longer fits is replaced, with a warning.
    callbacks : list of callable or None, default=None
        Each is called after every epoch as ``callback(info)`` with a
        :class:`~skgraph.EpochInfo` (epoch, loss, validation score, step size, seconds,
        the module); one returning True stops training there. ``save`` does not store them
        (code never is).

    Attributes
    ----------
    classes_ : ndarray of shape (n_classes,)
        Class labels, sorted.
    n_classes_ : int
    n_features_in_ : int
        Node feature width of the training graphs (0 for featureless graphs).
    n_edge_features_in_ : int
        Edge feature width of the training graphs (0 without edge features).
    conv_ : str
        The convolution trained: ``conv``, or what ``"auto"`` chose.
    feature_offset_ : ndarray of shape (n_input_features,) or None
        Subtracted from each node feature column before the network (``None`` without
        ``standardize``). ``n_input_features`` is ``n_features_in_`` (or 2 for featureless
        graphs: their ``[1, log(1 + degree)]`` features) plus ``random_walk_encoding``.
    feature_scale_ : ndarray of shape (n_input_features,) or None
        Then divided into each column.
    feature_bound_ : ndarray of shape (n_input_features,) or None
        Then each column is clipped to ``[-bound, bound]`` (3 for real-valued columns,
        ``inf`` for two-valued and constant ones).
    edge_feature_offset_, edge_feature_scale_, edge_feature_bound_ : ndarray of shape \
(n_edge_features,) or None
        The same scaling of the edge features (``None`` without edge features or
        ``standardize``).
    module_ : torch.nn.Module
        The trained network (an ensemble when ``ensemble_size > 1`` or with the
        ``pooled_member``).
    loss_curve_ : list of float
        Mean training loss per epoch; a ``warm_start`` fit appends its own.
    validation_scores_ : list of float or None
        The negated validation log-loss per epoch with ``early_stopping`` (higher is
        better).
    best_validation_score_ : float or None
        The best of ``validation_scores_`` (None without ``early_stopping``).
    best_loss_ : float
        The lowest training loss of ``loss_curve_``.
    n_iter_ : int
        Epochs trained: the last fit's, plus those of the fits it continued with
        ``warm_start`` (as ``loss_curve_`` holds them all; MLPClassifier's rule).
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
        **GraphLevelEstimator._parameter_constraints,
        "label_smoothing": [Interval(Real, 0, 1, closed="left")],
        "class_weight": [StrOptions({"balanced"}), dict, None],
    }

    def __init__(self, conv: str = "auto", *, readout: str = "sum", n_layers: int = 4,
                 hidden_size: int = 32, dropout: float = 0.5, jumping_knowledge: bool = False,
                 standardize: bool = True, random_walk_encoding: int = 16,
                 weight_averaging: float = 0.5, ensemble_size: int = 2,
                 pooled_member: bool = True,
                 batch_size: int = 128, max_epochs: int = 70,
                 learning_rate: float = 0.01, label_smoothing: float = 0.0,
                 class_weight: dict | str | None = None, weight_decay: float = 0.0,
                 early_stopping: bool = False, validation_fraction: float = 0.1,
                 n_iter_no_change: int | None = None, tol: float = 1e-4, device: str = "auto",
                 random_state=None, verbose: int = 0, warm_start: bool = False,
                 callbacks: list | None = None) -> None:
        super().__init__(
            conv, readout=readout, n_layers=n_layers, hidden_size=hidden_size, dropout=dropout,
            jumping_knowledge=jumping_knowledge, standardize=standardize,
            random_walk_encoding=random_walk_encoding, weight_averaging=weight_averaging,
            ensemble_size=ensemble_size, pooled_member=pooled_member, batch_size=batch_size,
            max_epochs=max_epochs,
            learning_rate=learning_rate, weight_decay=weight_decay,
            early_stopping=early_stopping, validation_fraction=validation_fraction,
            n_iter_no_change=n_iter_no_change, tol=tol, device=device,
            random_state=random_state, verbose=verbose, warm_start=warm_start,
            callbacks=callbacks)
        self.label_smoothing = label_smoothing
        self.class_weight = class_weight

    @classmethod
    def _upgrade_state(cls, state: dict) -> None:
        """Give state written before a parameter or attribute existed the value that
        reproduces how it was fitted (no walk encoding, one network, no clip, ...)."""
        super()._upgrade_state(state)
        for name, value in (("random_walk_encoding", 0), ("ensemble_size", 1),
                            ("label_smoothing", 0.0), ("class_weight", None)):
            state.setdefault(name, value)
        if "feature_offset_" in state:  # fitted
            state.setdefault("feature_bound_", None)

    @property
    def _n_outputs(self) -> int:
        return self.n_classes_

    _classes_in_signature = 1

    def _module_signature(self) -> tuple:
        return (self._input_width, tuple(self.classes_.tolist())) + self._architecture()

    # -- fit -----------------------------------------------------------------
    @fit_context
    def fit(self, X: Sequence[Any], y: Any, sample_weight: Any = None) -> GNNGraphClassifier:
        """Train on a sequence of graphs and one class label per graph.

        Parameters
        ----------
        X : sequence of graphs
            Each a :class:`~skgraph.Graph`, an adjacency, an ``(adjacency, features)``
            tuple, a networkx graph or a PyG ``Data`` object; all with the same node
            feature width. The networks read the wiring, not the
            edge weights (give them as edge features for ``conv="gine"``; a warning
            says so when any weight is not 1).
        y : array-like of shape (n_graphs,)
            Class labels (ints, strings, ...), at least two distinct ones.
        sample_weight : array-like of shape (n_graphs,) or float, default=None
            Non-negative weight of each graph in the training loss (times its class's
            ``class_weight``). Only the ratios matter: the weights are rescaled to a mean
            of 1, so that the step size means the same as without weights; a graph of
            weight 0 adds nothing to the loss, but it still counts in the feature
            statistics of ``standardize`` and in the batch normalisation of the batches it
            falls in, so the fit is not that without it. The validation log-loss of
            ``early_stopping`` is unweighted.

        Returns
        -------
        self : GNNGraphClassifier
        """
        graphs = _check_graph_sequence(X)
        require_targets(self, y, graphs)
        check_single_label(self, y, "graph")
        y = column_or_1d(y, warn=True)
        if len(y) != len(graphs):
            raise ValueError(f"X has {len(graphs)} graphs but y has {len(y)} labels; "
                             "expected one label per graph.")
        check_classification_targets(y)
        classes, y_encoded = np.unique(y, return_inverse=True)
        _warn_minus_one_class(classes)
        if len(classes) < 2:
            raise ValueError(f"y has a single class, one class only "
                             f"({classes[:1].tolist()[0]!r}); a "
                             "classifier needs samples of at least 2 classes.")
        weights = loss_weights(sample_weight, len(y),
                               class_weight_factors(self.class_weight, classes, y, y_encoded),
                               "sample_weight (times class_weight)")
        self.classes_ = classes
        self.n_classes_ = len(classes)
        self._fit_graphs(graphs, y_encoded.astype(np.int64), weights, self._loss,
                         stratify=y_encoded)
        return self

    def _loss(self, logits: torch.Tensor, targets: torch.Tensor, reduction: str) -> torch.Tensor:
        return F.cross_entropy(logits, targets, label_smoothing=self.label_smoothing,
                               reduction=reduction)

    def _combine(self, module: torch.nn.Module, batch: tuple) -> torch.Tensor:
        """The logits of one network, or the log of an ensemble's mean probabilities."""
        outputs = module.member_outputs(*batch)
        if len(outputs) == 1:
            return outputs[0]
        return torch.logsumexp(torch.log_softmax(outputs, dim=-1), dim=0) - math.log(len(outputs))

    def _score(self, outputs: torch.Tensor, targets: torch.Tensor) -> float:
        """The negated log-loss (higher is better): see :func:`validation_log_loss`."""
        return validation_log_loss(outputs, targets)

    # -- inference -----------------------------------------------------------
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
        logits = self._outputs(X).numpy()
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
        return torch.softmax(self._outputs(X), dim=1).numpy()

    def predict_log_proba(self, X: Sequence[Any]) -> np.ndarray:
        """Logarithm of :meth:`predict_proba`.

        Parameters
        ----------
        X : sequence of graphs

        Returns
        -------
        ndarray of shape (n_graphs, n_classes)
        """
        return torch.log_softmax(self._outputs(X), dim=1).numpy()

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
        indices = self._outputs(X).argmax(dim=1).numpy()
        return self.classes_[indices]


def _warn_minus_one_class(classes: np.ndarray) -> None:
    """Warn that -1 beside non-negative classes is a class here (it marks unlabelled nodes
    for GNNNodeClassifier, and untested molecules in many multi-task tables)."""
    if classes.dtype.kind in "iuf" and len(classes) > 2 and classes[0] == -1 \
            and (classes[1:] >= 0).all():
        others = ", ".join(str(c) for c in classes[1:].tolist()[:5])
        warn_caller(f"y holds -1 beside the classes {others}: GNNGraphClassifier takes -1 as a "
                    "class of its own (every graph is labelled; -1 for an unlabelled node is "
                    "GNNNodeClassifier's convention). If -1 marks graphs without a label, drop "
                    "them: fit on the graphs that have one.")
