"""``GNNGraphRegressor``: one or more real-valued targets per graph, learned by a GNN."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import torch
import torch.nn.functional as F
from sklearn.base import RegressorMixin
from sklearn.utils.validation import _check_y

from ._base import StandardisedTargetsMixin, fit_context, loss_weights, require_targets
from ._graph_collation import _check_graph_sequence
from ._graph_level import GraphLevelEstimator

__all__ = ["GNNGraphRegressor"]


class GNNGraphRegressor(StandardisedTargetsMixin, RegressorMixin, GraphLevelEstimator):
    """Whole-graph regression with a graph neural network (GIN by default).

    Each sample is a graph and its target one number, or a row of numbers (multi-output).
    The network, its inputs and its training are those of
    :class:`~skgraph.GNNGraphClassifier` (random-walk encoding, standardised node
    features, two networks side by side, cosine step size, weight averaging, batch-norm
    statistics recomputed), with a linear output per target trained on the mean squared
    error. The targets are standardised with the training graphs' mean and standard
    deviation (``target_offset_``, ``target_scale_``), so the defaults need no rescaling
    of ``y``; predictions are mapped back, and the members' predictions averaged.

    Parameters
    ----------
    conv : {"auto", "gin", "gine", "gcn", "sage", "sum", "gat"}, default="auto"
        Graph convolution (see :class:`~skgraph.GNNGraphClassifier`): ``"auto"`` trains
        GINE when the graphs have edge features (bond types and the like), else GIN, as the
        classifier does. The trained one is ``conv_``.
    readout : {"sum", "mean", "max", "attention", "sum+mean"}, default="sum"
        How node representations are pooled into a graph representation: ``"sum"`` for
        targets that grow with the graph (counts, totals), ``"mean"`` for intensive ones,
        ``"sum+mean"`` both side by side.
    n_layers : int, default=4
        Message-passing layers.
    hidden_size : int, default=32
        Width of the node representations and of the head's hidden layer.
    dropout : float, default=0.0
        Dropout in the head, during training. Off by default, unlike the classifier's:
        dropout just before a linear output adds its noise to every training prediction.
    jumping_knowledge : bool, default=False
        Pool the concatenation of all layers' node representations.
    standardize : bool, default=True
        Put every node feature column on a common scale (as the classifier does).
    random_walk_encoding : int, default=16
        Random-walk return probabilities appended to every node's features.
    weight_averaging : float, default=0.5
        Fraction, in [0, 1), of the final epochs whose weights are averaged into the returned
        model.
    ensemble_size : int, default=2
        Networks trained side by side whose predictions are averaged.
    pooled_member : bool, default=False
        Add to the ensemble the classifier's structure-agnostic member (an MLP on each
        graph's summed and mean node features). Off by default: not screened for
        regression.
    batch_size : int, default=32
        Graphs per mini-batch, at least 2 (batch normalisation normalises over them; a
        last batch of one graph joins the one before).
    max_epochs : int, default=100
        Passes over the training graphs.
    learning_rate : float, default=0.01
        Adam's initial step size (cosine decay over ``max_epochs``).
    weight_decay : float, default=0.0
        L2 penalty (Adam's ``weight_decay``).
    early_stopping : bool, default=False
        Hold out ``validation_fraction`` of the graphs, stop when their R² has not
        improved by ``tol`` for ``n_iter_no_change`` epochs and keep the best weights.
    validation_fraction : float, default=0.1
        Fraction of graphs held out with ``early_stopping`` (at least 2: R² needs them).
    n_iter_no_change : int or None, default=None
        Training stops once more than this many epochs in a row bring no improvement of
        ``tol`` (scikit-learn's MLP rule); ``None`` runs all ``max_epochs``.
    tol : float, default=1e-4
        Minimum improvement that counts.
    device : {"auto", "cpu", "cuda", "cuda:N", "mps"}, default="auto"
        Where to train: ``"auto"`` picks CUDA, then MPS, then CPU.
    random_state : int, RandomState instance or None, default=None
        Seeds weights, shuffling, dropout and the validation split.
    verbose : int, default=0
        Show a progress bar with the loss.
    warm_start : bool, default=False
        Continue from the previous fit's weights (same architecture, number of targets
        and feature width), with the feature and target scaling those weights were
        trained on; a network that no longer fits is replaced, with a warning.
    callbacks : list of callable or None, default=None
        Each is called after every epoch as ``callback(info)`` with a
        :class:`~skgraph.EpochInfo` (epoch, loss, validation score, step size, seconds,
        the module); one returning True stops training there. ``save`` does not store them
        (code never is).

    Attributes
    ----------
    n_outputs_ : int
        Number of targets per graph.
    n_features_in_ : int
        Node feature width of the training graphs (0 for featureless graphs).
    target_offset_ : ndarray of shape (n_outputs,)
        Mean of each target over the training graphs.
    target_scale_ : ndarray of shape (n_outputs,)
        Standard deviation of each target (1 where it is constant).
    n_edge_features_in_ : int
        Edge feature width of the training graphs (0 without edge features).
    conv_ : str
        The convolution trained: ``conv``, or what ``"auto"`` chose.
    feature_offset_, feature_scale_, feature_bound_, edge_feature_offset_, \
edge_feature_scale_, edge_feature_bound_ : ndarray or None
        The node and edge feature scaling, as in :class:`~skgraph.GNNGraphClassifier`.
    module_ : torch.nn.Module
        The trained network (or ensemble); its outputs are the standardised targets.
    loss_curve_ : list of float
        Mean squared error of the standardised targets per epoch (training graphs); a
        ``warm_start`` fit appends its own.
    validation_scores_ : list of float or None
        Validation R² per epoch with ``early_stopping``.
    best_validation_score_ : float or None
        The best of ``validation_scores_`` (None without ``early_stopping``).
    best_loss_ : float
        The lowest training loss of ``loss_curve_``.
    n_iter_ : int
        Epochs trained: the last fit's, plus those of the fits it continued with
        ``warm_start`` (as ``loss_curve_`` holds them all; MLPClassifier's rule).
    device_ : str
        Device the model lives on.

    See Also
    --------
    GNNGraphClassifier : the same network for class labels; its parameters are documented
        there at length.

    Examples
    --------
    >>> import numpy as np
    >>> from skgraph import GNNGraphRegressor
    >>> rng = np.random.default_rng(0)
    >>> def ring(n):  # a cycle of n nodes; the target is its number of nodes
    ...     A = np.roll(np.eye(n), 1, axis=1)
    ...     return A + A.T
    >>> sizes = rng.integers(3, 12, size=60)
    >>> reg = GNNGraphRegressor(max_epochs=60, random_state=0)
    >>> reg = reg.fit([ring(n) for n in sizes], sizes.astype(float))
    >>> np.round(reg.predict([ring(5), ring(10)])).tolist()
    [5.0, 10.0]
    """

    @property
    def _n_outputs(self) -> int:
        return self.n_outputs_

    def _module_signature(self) -> tuple:
        return (self._input_width, self.n_outputs_) + self._architecture()

    # -- fit -----------------------------------------------------------------
    @fit_context
    def fit(self, X: Sequence[Any], y: Any, sample_weight: Any = None) -> GNNGraphRegressor:
        """Train on a sequence of graphs and one target (or row of targets) per graph.

        Parameters
        ----------
        X : sequence of graphs
            Each a :class:`~skgraph.Graph`, an adjacency, an ``(adjacency, features)``
            tuple, a networkx graph or a PyG ``Data`` object; all with the same node
            feature width; at least two graphs. The networks read the wiring, not the
            edge weights (give them as edge features for ``conv="gine"``; a warning
            says so when any weight is not 1).
        y : array-like of shape (n_graphs,) or (n_graphs, n_outputs)
            Real-valued targets.
        sample_weight : array-like of shape (n_graphs,) or float, default=None
            Non-negative weight of each graph in the loss and in the targets' mean and
            standard deviation; only the ratios matter, a graph of weight 0 adds nothing
            to the loss but still counts in the feature and batch statistics (see
            :meth:`GNNGraphClassifier.fit`). The validation R² is unweighted.

        Returns
        -------
        self : GNNGraphRegressor
        """
        graphs = _check_graph_sequence(X)
        require_targets(self, y, graphs)
        y = _check_targets(y, self)
        if len(y) != len(graphs):
            raise ValueError(f"X has {len(graphs)} graphs but y has {len(y)} targets; "
                             "expected one target (or row of targets) per graph.")
        if len(graphs) < 2:
            raise ValueError("X has 1 graph (n_samples=1); a regressor needs at least 2 graphs "
                             "to learn from.")
        weights = loss_weights(sample_weight, len(y))
        targets = y.reshape(len(y), -1)
        self.n_outputs_ = targets.shape[1]
        self._one_dimensional = y.ndim == 1
        self._fit_graphs(graphs, targets, weights, _squared_error, stratify=None)
        return self

    def _combine(self, module: torch.nn.Module, batch: tuple) -> torch.Tensor:
        return module.member_outputs(*batch).mean(dim=0)

    def _score(self, outputs: torch.Tensor, targets: torch.Tensor) -> float:
        """R², averaged over the targets."""
        return float(_r2(targets, outputs))

    # -- inference -----------------------------------------------------------
    def predict(self, X: Sequence[Any]) -> np.ndarray:
        """The predicted target(s) of each graph.

        Parameters
        ----------
        X : sequence of graphs
            With the node feature width seen in fit.

        Returns
        -------
        ndarray of shape (n_graphs,), or (n_graphs, n_outputs) when fitted on a 2-D ``y``
        """
        predicted = self._original_scale(self._outputs(X))
        return predicted[:, 0] if self._one_dimensional else predicted

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.target_tags.multi_output = True
        return tags


def _check_targets(y: Any, estimator: GNNGraphRegressor) -> np.ndarray:
    """Regression targets as float64, of shape (n,) or (n, n_outputs): scikit-learn's
    ``_check_y`` (present, finite, real, at most 2-D), then numbers only."""
    array = _check_y(y, multi_output=True, y_numeric=True, estimator=estimator)
    if array.dtype.kind not in "biuf":  # bool, ints, floats
        raise TypeError(f"y must be numbers (regression targets), got dtype {array.dtype}; "
                        "for class labels use GNNGraphClassifier.")
    if array.ndim == 2 and array.shape[1] == 0:
        raise ValueError(f"y has shape {array.shape}; expected (n_graphs,) or "
                         "(n_graphs, n_outputs) with n_outputs >= 1.")
    return array.astype(np.float64)


def _squared_error(outputs: torch.Tensor, targets: torch.Tensor, reduction: str
                   ) -> torch.Tensor:
    """Mean squared error over the targets: of the batch, or per graph (``"none"``)."""
    if reduction == "mean":
        return F.mse_loss(outputs, targets)
    return F.mse_loss(outputs, targets, reduction="none").mean(dim=1)


def _r2(target: torch.Tensor, predicted: torch.Tensor) -> torch.Tensor:
    """Coefficient of determination averaged over columns (scikit-learn's ``r2_score``
    with ``force_finite``: a constant column scores 1 if predicted exactly, else 0)."""
    residual = ((target - predicted) ** 2).sum(dim=0)
    total = ((target - target.mean(dim=0)) ** 2).sum(dim=0)
    constant = total == 0
    score = 1 - residual / torch.where(constant, torch.ones_like(total), total)
    score = torch.where(constant, (residual == 0).to(score.dtype), score)
    return score.mean()
