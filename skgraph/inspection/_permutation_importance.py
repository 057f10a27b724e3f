"""Permutation importance of node features, for estimators that take graphs."""

from __future__ import annotations

import copy
import numbers
from collections.abc import Callable
from typing import Any

import numpy as np
import scipy.sparse as sp
from sklearn.ensemble._bagging import _generate_indices
from sklearn.metrics import check_scoring, get_scorer_names
from sklearn.utils import Bunch, _safe_indexing, check_random_state
from sklearn.utils._param_validation import (
    HasMethods,
    Integral,
    Interval,
    RealNotInt,
    StrOptions,
    validate_params,
)
from sklearn.utils.parallel import Parallel, delayed
from sklearn.utils.validation import check_consistent_length

from .._graph import Graph, as_graph, is_single_graph, with_feature_names
from .._graph_collation import read_graphs, shared_width
from .._pairs import NodePairs

__all__ = ["permutation_importance"]


class _FeatureSamples:
    """The samples of ``X`` and the feature rows each stands on: the selected nodes of one
    graph (a node view), or the graphs of a sequence, whose nodes' rows are pooled."""

    def __init__(self, X: Any) -> None:
        if isinstance(X, NodePairs):
            raise TypeError("X is NodePairs: permutation importance permutes a node feature "
                            "among the samples, and node pairs share their nodes; pass a "
                            "node view G[idx] or a list of graphs.")
        self.single = is_single_graph(X)
        if self.single:
            view = as_graph(X)
            self.graphs = [view.whole()]
            self.nodes = view.node_index
            self._view = view.is_view
            if len(np.unique(self.nodes)) < len(self.nodes):
                raise ValueError("X selects a node more than once: its copies would share one "
                                 "feature value, so a column could not be shuffled among "
                                 "them; give a view of distinct nodes.")
        else:
            self.graphs = read_graphs(X)
        self.n_features = shared_width(self.graphs)
        if self.n_features == 0:
            raise ValueError("X has no node features to permute (a featureless graph).")
        # each graph's features, sparse ones by column once (every shuffle reads a column)
        self.features = [sp.csc_array(graph.features) if sp.issparse(graph.features)
                         else graph.features for graph in self.graphs]

    def __len__(self) -> int:
        return len(self.nodes) if self.single else len(self.graphs)

    def subset(self, samples: np.ndarray) -> _FeatureSamples:
        """The same samples restricted to ``samples`` (positions among them)."""
        part = copy.copy(self)
        if self.single:
            part.nodes, part._view = self.nodes[samples], True
        else:
            part.graphs = [self.graphs[i] for i in samples]
            part.features = [self.features[i] for i in samples]
        return part

    def rows(self) -> list[tuple[Graph, Any, np.ndarray]]:
        """Each graph with its features and the feature rows its samples stand on."""
        if self.single:
            return [(self.graphs[0], self.features[0], self.nodes)]
        return [(graph, features, np.arange(graph.n_nodes))
                for graph, features in zip(self.graphs, self.features)]

    def column(self, j: int) -> np.ndarray:
        """Column ``j`` of the samples' rows, pooled in order."""
        return np.concatenate([_column(features, j)[rows] for _, features, rows in self.rows()])

    def with_column(self, j: int, values: np.ndarray) -> Any:
        """The input with column ``j`` of the samples' rows set to ``values`` (in the order of
        :meth:`column`); other rows and columns as they are."""
        graphs, start = [], 0
        for graph, features, rows in self.rows():
            column = _column(features, j)
            column[rows] = values[start:start + len(rows)]
            start += len(rows)
            changed = with_feature_names(graph.with_features(_replace_column(
                features, j, column)), graph.feature_names)
            graphs.append(changed)
        if not self.single:
            return graphs
        return graphs[0][self.nodes] if self._view else graphs[0]

    def original(self) -> Any:
        if not self.single:
            return list(self.graphs)
        return self.graphs[0][self.nodes] if self._view else self.graphs[0]


def _column(features: np.ndarray | sp.csc_array, j: int) -> np.ndarray:
    if sp.issparse(features):
        return features[:, [j]].toarray().ravel()
    return np.array(features[:, j])  # a copy


def _replace_column(features: np.ndarray | sp.csc_array, j: int,
                    column: np.ndarray) -> np.ndarray | sp.csr_array:
    if sp.issparse(features):
        return sp.hstack([features[:, :j], sp.csc_array(column.reshape(-1, 1)),
                          features[:, j + 1:]], format="csr")
    changed = features.copy()
    changed[:, j] = column
    return changed


def _score(scorer: Callable, estimator: Any, X: Any, y: Any, sample_weight: Any) -> Any:
    if sample_weight is not None:
        return scorer(estimator, X, y, sample_weight=sample_weight)
    return scorer(estimator, X, y)


def _permutation_scores(estimator: Any, samples: _FeatureSamples, y: Any, sample_weight: Any,
                        j: int, random_seed: int, n_repeats: int, scorer: Callable,
                        max_samples: int) -> Any:
    """The scores with column ``j`` permuted, ``n_repeats`` times (scikit-learn's scheme:
    each repeat shuffles the previous repeat's column again)."""
    random_state = check_random_state(random_seed)
    if max_samples < len(samples):
        chosen = _generate_indices(random_state=random_state, bootstrap=False,
                                   n_population=len(samples), n_samples=max_samples)
        samples = samples.subset(chosen)
        y = _safe_indexing(y, chosen, axis=0)
        if sample_weight is not None:
            sample_weight = _safe_indexing(sample_weight, chosen, axis=0)
    values = samples.column(j)
    shuffling = np.arange(len(values))
    scores = []
    for _ in range(n_repeats):
        random_state.shuffle(shuffling)
        values = values[shuffling]
        scores.append(_score(scorer, estimator, samples.with_column(j, values), y,
                             sample_weight))
    if isinstance(scores[0], dict):
        return {name: np.array([score[name] for score in scores]) for name in scores[0]}
    return np.array(scores)


def _importances(baseline: float, permuted: np.ndarray) -> Bunch:
    importances = baseline - permuted
    return Bunch(importances_mean=np.mean(importances, axis=1),
                 importances_std=np.std(importances, axis=1), importances=importances)


@validate_params(
    {
        "estimator": [HasMethods(["fit"])],
        "X": "no_validation",
        "y": ["array-like", None],
        "scoring": [StrOptions(set(get_scorer_names())), callable, list, tuple, dict, None],
        "n_repeats": [Interval(Integral, 1, None, closed="left")],
        "n_jobs": [Integral, None],
        "random_state": ["random_state"],
        "sample_weight": ["array-like", None],
        "max_samples": [Interval(Integral, 1, None, closed="left"),
                        Interval(RealNotInt, 0, 1, closed="right")],
    },
    prefer_skip_nested_validation=True,
)
def permutation_importance(estimator: Any, X: Any, y: Any, *, scoring: Any = None,
                           n_repeats: int = 5, n_jobs: int | None = None,
                           random_state: Any = None, sample_weight: Any = None,
                           max_samples: float = 1.0) -> Bunch | dict[str, Bunch]:
    """Permutation importance of each node feature for a fitted estimator that takes graphs.

    scikit-learn's :func:`sklearn.inspection.permutation_importance` for graph inputs: the
    decrease of the score when one feature column's values are shuffled among the
    samples, with scikit-learn's arguments, random scheme and result. For a node view
    ``G[idx]`` (node-level estimators, and pipelines of them) the samples are the selected
    nodes: the column is shuffled among them, every other node keeps its value (the
    graph's structure and the rest of its features stay, so a node's score still reads
    its neighbours). For a list of graphs (graph-level estimators) the samples are the
    graphs, and the column is shuffled among all of their nodes.

    Parameters
    ----------
    estimator : fitted estimator
        An estimator (or pipeline) that predicts from graphs, such as
        :class:`~skgraph.GNNNodeClassifier` or :class:`~skgraph.GNNGraphRegressor`.
    X : Graph or node view, or sequence of graphs
        Held-out data: a node view ``G[test_idx]`` (a whole graph: all its nodes), any
        accepted graph input, or a list of graphs. Node features are required; a text
        table's columns are shuffled like numbers.
    y : array-like of shape (n_samples,) or (n_samples, n_outputs)
        Targets of the samples, as the scorer takes them.
    scoring : str, callable, list, tuple or dict, default=None
        As for scikit-learn (None: the estimator's ``score``); several give a dict of
        results, one per scorer.
    n_repeats : int, default=5
        Shuffles per feature.
    n_jobs : int, default=None
        Features scored in parallel (joblib).
    random_state : int, RandomState instance or None, default=None
        Seeds the shuffles (scikit-learn's scheme: the same value gives the same
        shuffles as its ``permutation_importance``).
    sample_weight : array-like of shape (n_samples,), default=None
        Weights of the samples in the scores.
    max_samples : int or float, default=1.0
        Samples drawn (without replacement) per feature: a count, or a share of them. As
        in scikit-learn, the baseline is scored on all the samples and the shuffled
        scores on the drawn ones, so a subset's own score level shifts every importance.

    Returns
    -------
    Bunch or dict of Bunch
        ``importances_mean`` and ``importances_std`` of shape (n_features,), and
        ``importances`` of shape (n_features, n_repeats): the baseline score minus the
        score with the feature shuffled.

    Examples
    --------
    >>> import numpy as np
    >>> from skgraph import GNNNodeClassifier
    >>> from skgraph.datasets import make_community_graph
    >>> from skgraph.inspection import permutation_importance
    >>> G, y = make_community_graph(n_nodes=60, n_features=3, random_state=0)
    >>> clf = GNNNodeClassifier(max_epochs=20, random_state=0).fit(G[:30], y[:30])
    >>> result = permutation_importance(clf, G[30:], y[30:], n_repeats=3, random_state=0)
    >>> result.importances.shape
    (3, 3)
    """
    samples = _FeatureSamples(X)
    if y is not None:
        check_consistent_length(np.empty(len(samples)), y, sample_weight)
    random_seed = check_random_state(random_state).randint(np.iinfo(np.int32).max + 1)
    if not isinstance(max_samples, numbers.Integral):
        max_samples = int(max_samples * len(samples))
    elif max_samples > len(samples):
        raise ValueError(f"max_samples is {max_samples}, more than the {len(samples)} samples "
                         "of X.")
    scorer = check_scoring(estimator, scoring=scoring)
    baseline = _score(scorer, estimator, samples.original(), y, sample_weight)
    scores = Parallel(n_jobs=n_jobs)(
        delayed(_permutation_scores)(estimator, samples, y, sample_weight, j, random_seed,
                                     n_repeats, scorer, max_samples)
        for j in range(samples.n_features))
    if isinstance(baseline, dict):
        return {name: _importances(baseline[name], np.array([s[name] for s in scores]))
                for name in baseline}
    return _importances(baseline, np.array(scores))
