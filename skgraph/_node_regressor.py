"""``GNNNodeRegressor``: real-valued targets on some nodes of one graph, predicted for the rest."""

from __future__ import annotations

from typing import Any

import numpy as np
import torch
import torch.nn.functional as F
from sklearn.base import RegressorMixin
from sklearn.metrics import r2_score
from sklearn.utils.validation import check_array

from ._base import (
    StandardisedTargetsMixin,
    check_not_ragged,
    fit_context,
    loss_weights,
    require_targets,
)
from ._graph_regressor import _r2
from ._node_level import NodeLevelEstimator, check_one_graph, check_target_order, labelled_rows
from ._warnings import warn_caller

__all__ = ["GNNNodeRegressor"]


def _squared_error(outputs: torch.Tensor, targets: torch.Tensor,
                   weights: torch.Tensor | None) -> torch.Tensor:
    if weights is None:
        return F.mse_loss(outputs, targets)
    return (F.mse_loss(outputs, targets, reduction="none").mean(dim=1) * weights).mean()


class GNNNodeRegressor(StandardisedTargetsMixin, RegressorMixin, NodeLevelEstimator):
    """Semi-supervised node regression: real targets on some nodes, predicted for the others.

    The network, inputs and training of :class:`~skgraph.GNNNodeClassifier`, with a linear
    output per target trained on the mean squared error of targets standardised with the
    labelled nodes' mean and standard deviation (``target_offset_``, ``target_scale_``).
    Which nodes are labelled: those a node view selects (``fit(G[idx], y_idx)``), or, with one
    entry per node (``fit(G, y)``), those whose target is not NaN (``-1`` is a valid value
    here, so NaN marks an unlabelled node). ``predict(G[idx])`` returns the rows of the
    selected nodes, in order.

    Parameters
    ----------
    conv, hidden_size, n_layers, dropout, edge_dropout, propagation_steps, alpha, featureless
        As for :class:`~skgraph.GNNNodeClassifier`; ``dropout`` and ``edge_dropout``
        default to 0 here (noise just before a linear output blurs every prediction).
    max_epochs, learning_rate, weight_decay, early_stopping, validation_fraction, \
n_iter_no_change, tol, device, random_state, verbose, warm_start, callbacks, batch_size, \
fanouts, weight_averaging
        As for :class:`~skgraph.GNNNodeClassifier`; ``early_stopping`` scores the R² of the
        held-out labelled nodes (at least 2); a warm start also keeps the target scaling
        its weights were trained on (the number of targets must stay the same).

    Attributes
    ----------
    n_outputs_ : int
        Targets per node.
    target_offset_, target_scale_ : ndarray of shape (n_outputs,)
        Mean and standard deviation (1 where constant) of the labelled nodes' targets.
    n_features_in_, n_nodes_, feature_scale_, module_, loss_curve_, validation_scores_, \
best_validation_score_, best_loss_, n_iter_, device_
        As for :class:`~skgraph.GNNNodeClassifier`.

    Examples
    --------
    >>> import numpy as np
    >>> from skgraph import GNNNodeRegressor
    >>> from skgraph.datasets import make_community_graph
    >>> G, communities = make_community_graph(n_nodes=90, random_state=0)
    >>> values = 10.0 * communities + 1.0  # a value per community, to predict
    >>> labelled = np.arange(0, 90, 3)
    >>> reg = GNNNodeRegressor(max_epochs=100, random_state=0).fit(G[labelled], values[labelled])
    >>> rest = np.setdiff1d(np.arange(90), labelled)
    >>> bool(reg.score(G[rest], values[rest]) > 0.8)
    True
    """

    @property
    def _n_outputs(self) -> int:
        return self.n_outputs_

    @fit_context
    def fit(self, X: Any, y: Any, sample_weight: Any = None) -> GNNNodeRegressor:
        """Learn from the whole graph behind ``X`` and the targets of its labelled nodes.

        Parameters
        ----------
        X : Graph (or node view), or any accepted graph input
        y : array-like of shape (n_selected_nodes,) or (n_selected_nodes, n_outputs)
            Real targets of the selected nodes, in order; a row of NaN marks an unlabelled
            node.
        sample_weight : array-like of shape (n_selected_nodes,) or float, default=None
            Non-negative weight of each node in the loss; only the ratios matter.

        Returns
        -------
        self : GNNNodeRegressor
        """
        check_one_graph(X)
        require_targets(self, y, X)
        check_not_ragged(y)
        array = check_array(y, ensure_2d=False, dtype="numeric", ensure_all_finite="allow-nan",
                            input_name="y")
        if array.ndim not in (1, 2) or (array.ndim == 2 and array.shape[1] == 0):
            raise ValueError(f"y has shape {array.shape}; expected (n_nodes,) or "
                             "(n_nodes, n_outputs) with n_outputs >= 1.")
        if np.isinf(array).any():
            raise ValueError("y contains infinity; targets must be finite (NaN marks an "
                             "unlabelled node).")
        graph = self._selected_graph(X, len(array), y)
        targets = array.reshape(len(array), -1).astype(np.float64)
        labelled = _labelled_rows_of(targets)
        if not labelled.any():
            raise ValueError("no node is labelled: every target is NaN (unlabelled).")
        weights = loss_weights(sample_weight, len(targets))
        node_weights = None if weights is None else loss_weights(weights[labelled],
                                                                 int(labelled.sum()))
        values = targets[labelled]
        minus_one = float(np.mean(np.all(values == -1, axis=1)))
        if minus_one >= 0.5 and labelled.all():
            warn_caller(f"{minus_one:.0%} of the targets are exactly -1: for regression -1 is "
                        "a value, and NaN marks an unlabelled node (the classifier's -1 "
                        "convention does not apply). Give NaN for the unlabelled nodes, or "
                        "fit on a view of the labelled ones, G[labelled].")
        self.n_outputs_ = values.shape[1]
        self._one_dimensional = array.ndim == 1
        self._target_names = _target_names(y, array.ndim)
        self._fit_nodes(graph, labelled, values, node_weights, _squared_error, stratify=None)
        return self

    def _score(self, outputs: torch.Tensor, targets: torch.Tensor) -> float:
        """R², averaged over the targets."""
        return float(_r2(targets, outputs))

    def predict(self, X: Any) -> np.ndarray:
        """The predicted target(s) of each selected node.

        Parameters
        ----------
        X : Graph (or node view), or any accepted graph input

        Returns
        -------
        ndarray of shape (n_selected_nodes,), or (n_selected_nodes, n_outputs) when fitted
        on a 2-D ``y``
        """
        predicted = self._original_scale(self._node_outputs(X))
        names = getattr(self, "_target_names", None)  # None: fitted before 0.2
        if self._one_dimensional:
            return self._output(predicted[:, 0], X, names or "prediction")
        return self._output(predicted, X, names or [f"y{k}" for k in range(self.n_outputs_)])

    def score(self, X: Any, y: Any, sample_weight: Any = None) -> float:
        """R² on the selected nodes that have targets (averaged over the targets): a row
        of NaN marks an unlabelled node, as in :meth:`fit`, and is left out.

        Parameters
        ----------
        X : Graph (or node view), or any accepted graph input
        y : array-like of shape (n_selected_nodes,) or (n_selected_nodes, n_outputs)
        sample_weight : array-like of shape (n_selected_nodes,), default=None

        Returns
        -------
        float
        """
        check_target_order(y, X)
        y = check_array(y, ensure_2d=False, ensure_all_finite="allow-nan", dtype=np.float64,
                        input_name="y")
        labelled = _labelled_rows_of(y.reshape(len(y), -1))
        y, predicted, weights = labelled_rows(y, labelled, self.predict(X), sample_weight)
        return float(r2_score(y, predicted, sample_weight=weights))

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.target_tags.multi_output = True
        return tags


def _target_names(y: Any, ndim: int) -> str | list[str] | None:
    """The names of targets given as a named pandas Series (its name) or a DataFrame with
    text column names (its columns), for the pandas output of ``predict``."""
    if ndim == 1:
        name = getattr(y, "name", None)
        return name if isinstance(name, str) else None
    columns = getattr(y, "columns", None)
    if columns is not None and all(isinstance(c, str) for c in columns):
        return [str(c) for c in columns]
    return None


def _labelled_rows_of(targets: np.ndarray) -> np.ndarray:
    """Which rows of ``(n, n_outputs)`` targets are labelled: a row of NaN marks an
    unlabelled node; NaN in some targets of a row only is refused, naming the row."""
    missing = np.isnan(targets)
    labelled = ~missing.all(axis=1)
    partial = missing.any(axis=1) & labelled
    if partial.any():
        raise ValueError(f"row {int(np.flatnonzero(partial)[0])} of y is NaN in some targets "
                         "only; NaN marks an unlabelled node and must fill its whole row "
                         "(score or fit each target on its own rows for partial targets).")
    return labelled
