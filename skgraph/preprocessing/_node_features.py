"""``NodeFeatureTransformer``: any scikit-learn transformer applied to node features."""

from __future__ import annotations

import re
import warnings
from typing import Any

import numpy as np
import scipy.sparse as sp
from sklearn import get_config
from sklearn.base import BaseEstimator, TransformerMixin, _fit_context, clone
from sklearn.utils import get_tags
from sklearn.utils._param_validation import HasMethods, StrOptions
from sklearn.utils.metadata_routing import get_routing_for_object
from sklearn.utils.validation import _check_feature_names_in, check_is_fitted

from .._base import kept_on_failure
from .._feature_names import check_feature_names, record_feature_names, shared_feature_names
from .._graph import Graph, as_graph, is_single_graph, missing_features
from .._graph_collation import check_fitted_width, read_graphs, shared_width
from .._pairs import NodePairs
from .._persistence import PersistenceMixin
from .._text_features import encoding_suggestion, is_text_table

__all__ = ["GraphFeatureStep", "NodeFeatureTransformer"]


def _plain_pairs(X: Any) -> bool:
    """Whether ``X`` is an ``(n_pairs, 2)`` table of node positions or names (an array,
    a list of pairs or a DataFrame), not a graph."""
    if hasattr(X, "iloc"):
        return getattr(X, "ndim", 0) == 2 and X.shape[1] == 2
    if isinstance(X, np.ndarray):
        return X.ndim == 2 and X.shape[1] == 2 and (
            X.dtype != object or all(np.ndim(v) == 0 for v in X.ravel()))
    if isinstance(X, list):
        return bool(X) and all(isinstance(row, (list, tuple)) and len(row) == 2
                               and all(np.ndim(v) == 0 for v in row) for row in X)
    return False


def _refuse_routed_metadata(transformer: Any) -> None:
    """Refuse a transformer that requests metadata (``set_fit_request(sample_weight=True)``)
    when routing is on: it is fitted on node rows (every node of the graphs), not on the
    samples a pipeline's metadata describes (selected nodes, or graphs), so nothing is
    routed to it, and a request left unanswered would be dropped in silence."""
    if not get_config().get("enable_metadata_routing", False):
        return
    try:  # a Pipeline or ColumnTransformer routes to its steps: their requests count
        routing = get_routing_for_object(transformer)
    except (AttributeError, TypeError):  # an object scikit-learn cannot read routing from
        return
    for method in ("fit", "transform"):
        asked = sorted(_requested(routing, method))
        if asked:
            raise ValueError(
                f"{type(transformer).__name__} requests {asked} for {method}, but "
                "NodeFeatureTransformer routes no metadata: it fits its transformer on node "
                "rows (every node of the graphs), which the pipeline's per-sample metadata "
                f"does not describe. Unset the request: set_{method}_request("
                f"{asked[0]}=None) on the transformer (or on the step of it that asked).")


def _tags(transformer: Any) -> Any:
    """The transformer's scikit-learn tags, or None for an object without them (which
    ``fit``/``transform`` duck typing admits) or whose tags fail, as scikit-learn's own
    ``Pipeline`` tolerates."""
    try:
        return get_tags(transformer)
    except (AttributeError, TypeError, ValueError):
        return None


def _needs_targets(transformer: Any) -> bool:
    """Whether the transformer's tags say it needs ``y``."""
    tags = _tags(transformer)
    return tags is not None and bool(tags.target_tags.required)


def _requested(routing: Any, method: str) -> set:
    """The metadata a transformer (or, through a router, any of its steps) requests for
    ``method``: parameters whose request is True or an alias."""
    if hasattr(routing, "_route_mappings"):  # a MetadataRouter: its own and its steps'
        found = _requested(routing._self_request, method) \
            if getattr(routing, "_self_request", None) is not None else set()
        for mapping in routing._route_mappings.values():
            for pair in mapping.mapping:
                if pair.caller == method:
                    found |= _requested(mapping.router, pair.callee)
        return found
    requests = getattr(getattr(routing, method, None), "requests", {}) or {}
    return {param for param, alias in requests.items()
            if alias is True or isinstance(alias, str)}


def _frame(values: np.ndarray, columns: list) -> Any:
    """``values`` as a pandas DataFrame with these column names (pandas is there: the
    names came from a DataFrame)."""
    import pandas as pd

    return pd.DataFrame(values, columns=columns)


def _reads_texts(transformer: Any) -> bool:
    """Whether the transformer takes one text per row, a 1-D input (``TfidfVectorizer``,
    ``CountVectorizer``, ``HashingVectorizer``, or a pipeline that starts with one)."""
    while hasattr(transformer, "steps") and transformer.steps:  # a Pipeline: its first step
        transformer = transformer.steps[0][1]
    tags = _tags(transformer)
    return tags is not None and tags.input_tags.string and not tags.input_tags.two_d_array


def _stack(blocks: list) -> np.ndarray | sp.csr_array:
    if any(sp.issparse(block) for block in blocks):
        return sp.csr_array(sp.vstack([sp.csr_array(block) for block in blocks], format="csr"))
    return np.concatenate(blocks) if len(blocks) > 1 else blocks[0]


class GraphFeatureStep(PersistenceMixin, TransformerMixin, BaseEstimator,
                       auto_wrap_output_keys=None, persistent=False):
    """Base of the pipeline steps that give graphs other node features (not public API):
    the graphs they take (one, a node view, a sequence, :class:`~skgraph.NodePairs`), the
    width and names they record in fit and check in transform, and the node pairs of the
    fitted graph they pass through. A step implements ``_transform_graphs``."""

    def __init_subclass__(cls, **kwargs: Any) -> None:
        # steps give graphs: scikit-learn must never wrap them in a DataFrame (under its
        # global transform_output="pandas" too), and it re-enables wrapping per subclass
        kwargs.setdefault("auto_wrap_output_keys", None)
        super().__init_subclass__(**kwargs)

    def _recorded_graphs(self, X: Any) -> list[Graph]:
        """The graphs of ``X``, recording what the step is fitted on."""
        if isinstance(X, NodePairs):
            X = X.graph
        self._fitted_on_one_graph = is_single_graph(X)
        graphs = self._graphs(X)
        self.n_features_in_ = shared_width(graphs)
        record_feature_names(self, shared_feature_names([g.feature_names for g in graphs]))
        return graphs

    def _transform(self, X: Any) -> Graph | list[Graph] | NodePairs:
        check_is_fitted(self, "n_features_in_")
        if isinstance(X, NodePairs):
            return X.with_graph(self._transform(X.graph))
        if getattr(self, "_fitted_on_one_graph", False) and _plain_pairs(X):
            return X  # pairs of the fitted graph: the predictor after this step reads them
        single = is_single_graph(X)
        graphs = self._graphs(X)
        check_fitted_width(graphs, self.n_features_in_, type(self).__name__, single)
        check_feature_names(self, shared_feature_names([g.feature_names for g in graphs]))
        transformed = self._transform_graphs(graphs, single)
        return transformed[0] if single else transformed

    def _transform_graphs(self, graphs: list[Graph], single: bool) -> list[Graph]:
        raise NotImplementedError  # pragma: no cover - each step's own

    @staticmethod
    def _graphs(X: Any) -> list[Graph]:
        with warnings.catch_warnings():
            # this step is where integer ids get encoded (OneHotEncoder): the reader's advice
            # to do so is for the estimators reading such features as they are
            warnings.filterwarnings("ignore", message="Data.x holds integers")
            return [as_graph(X)] if is_single_graph(X) else read_graphs(X)

    def set_output(self, *, transform: str | None = None) -> GraphFeatureStep:
        """Accepted for pipelines, and ignored: the output is graphs, not a table.

        ``Pipeline.set_output(transform="pandas")`` configures every step that
        transforms (a :class:`~skgraph.VGAEEmbedder` later in the pipeline then gives a
        DataFrame); scikit-learn does not pass it to a final predictor, so configure a
        :class:`~skgraph.GNNNodeClassifier` or :class:`~skgraph.GNNNodeRegressor` itself:
        ``make_pipeline(NodeFeatureTransformer(...), GNNNodeClassifier().set_output(
        transform="pandas"))``.

        Returns
        -------
        self
        """
        return self

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.two_d_array = False
        tags.input_tags.sparse = True
        tags.requires_fit = True
        return tags


class NodeFeatureTransformer(GraphFeatureStep):
    """Apply a scikit-learn transformer to the node features of graphs.

    Node features live inside the graph, so a transformer of plain arrays cannot be a
    pipeline step before a graph estimator; this one is. It fits ``transformer`` on the
    node features and returns graphs whose features are the transformed ones (the
    adjacency is shared, the caller's graph is never modified):

    * one graph (any accepted input form): fitted on the features of all its nodes;
    * a node view ``G[idx]``: also fitted on the features of *all* nodes of the graph,
      not only the selected ones. Node features are unlabelled inputs, available for
      every node in the transductive setting (as the graph structure is); no label is
      read. ``transform`` returns a view with the same selection;
    * a sequence of graphs: fitted on the stacked nodes of the training graphs, then
      applied to each graph of the sequence given to ``transform`` (a list of graphs);
    * :class:`~skgraph.NodePairs` (link prediction): fitted on all nodes of their graph;
      ``transform`` returns the same pairs over the transformed graph, and passes plain
      node pairs (an ``(n_pairs, 2)`` array, list or DataFrame of positions or names)
      through unchanged once fitted on one graph, so that
      ``make_pipeline(NodeFeatureTransformer(...), LinkPredictor())`` fits on a graph or
      on pairs and predicts on pairs.

    Fitted, it pickles and saves like skgraph's estimators (``save(path)``,
    :func:`skgraph.load`), its transformer stored as parameters and fitted arrays.

    Text and categories (a graph built from a DataFrame with such columns, which the
    estimators refuse) reach the transformer as a DataFrame with typed columns, for a
    ``ColumnTransformer`` of encoders; a transformer that reads one text per row
    (``TfidfVectorizer``, ``CountVectorizer``) gets the graph's one column of texts.

    Sparse features (bag of words) stay sparse where the transformer keeps them sparse
    (``Normalizer``, ``MaxAbsScaler``); a transformer that returns dense arrays (e.g.
    ``TruncatedSVD``) gives dense features.

    Parameters
    ----------
    transformer : estimator with ``fit`` and ``transform``, "passthrough" or None, \
default="passthrough"
        Fitted on node features (rows are nodes), cloned first. ``"passthrough"`` or
        ``None`` leave the graphs unchanged (useful in a grid search).

    Attributes
    ----------
    transformer_ : estimator or None
        The fitted clone of ``transformer`` (None for ``"passthrough"``).
    n_features_in_ : int
        Node feature width seen in fit.

    Raises
    ------
    ValueError
        From ``fit`` or ``transform`` when a graph has no node features (there is nothing
        to transform; the estimators give featureless graphs their documented default
        representation) unless ``transformer="passthrough"``, or when the feature width
        differs from the one seen in fit.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn.preprocessing import Normalizer
    >>> from skgraph import Graph
    >>> from skgraph.preprocessing import NodeFeatureTransformer
    >>> A = np.array([[0, 1, 0], [1, 0, 1], [0, 1, 0]])
    >>> G = Graph(A, np.array([[1.0, 3.0], [2.0, 2.0], [0.0, 5.0]]))
    >>> G2 = NodeFeatureTransformer(Normalizer(norm="l1")).fit_transform(G)
    >>> G2.features.tolist()
    [[0.25, 0.75], [0.5, 0.5], [0.0, 1.0]]
    >>> view = NodeFeatureTransformer(Normalizer(norm="l1")).fit_transform(G[[2, 0]])
    >>> view.node_index.tolist(), view.n_nodes
    ([2, 0], 3)
    """

    _parameter_constraints: dict = {
        "transformer": [HasMethods(["fit", "transform"]), StrOptions({"passthrough"}), None],
    }

    def __init__(self, transformer: Any = "passthrough") -> None:
        self.transformer = transformer

    def _passthrough(self) -> bool:
        return self.transformer is None or (isinstance(self.transformer, str)
                                            and self.transformer == "passthrough")

    @_fit_context(prefer_skip_nested_validation=False)
    def fit(self, X: Any, y: Any = None) -> NodeFeatureTransformer:
        """Fit the transformer on the node features of ``X``.

        Parameters
        ----------
        X : graph (any accepted input form, or a node view) or sequence of graphs
        y : ignored

        Returns
        -------
        self
        """
        with kept_on_failure(self):  # a refit that fails leaves the previous fit as it was
            return self._fit(X)

    def _fit(self, X: Any) -> NodeFeatureTransformer:
        graphs = self._recorded_graphs(X)
        if self._passthrough():
            self.transformer_ = None
            return self
        self._check_features(graphs)
        _refuse_routed_metadata(self.transformer)
        name = type(self.transformer).__name__
        if _needs_targets(self.transformer):
            raise ValueError(f"{name} needs targets to fit, but node features are transformed "
                             "without any (NodeFeatureTransformer is unsupervised).")
        stacked = _stack([graph.features for graph in graphs])
        self._text_input = is_text_table(stacked)
        try:
            self.transformer_ = clone(self.transformer).fit(self._input(stacked))
        except (TypeError, ValueError) as exc:
            if not re.search(r"\by\b|target", str(exc)):
                raise
            try:
                explained = type(exc)(f"{name} could not be fitted on the node features, which "
                                      f"it gets without targets (NodeFeatureTransformer is "
                                      f"unsupervised): {exc}")
            except Exception:  # noqa: BLE001 - an exception type that takes other arguments
                raise exc from None
            raise explained from exc
        return self

    def transform(self, X: Any) -> Graph | list[Graph]:
        """The graphs of ``X`` with transformed node features.

        Parameters
        ----------
        X : graph (any accepted input form, or a node view) or sequence of graphs

        Returns
        -------
        Graph, list of Graph or NodePairs
            A :class:`~skgraph.Graph` for a graph (a view with the same selection for a
            node view), a list for a sequence, :class:`~skgraph.NodePairs` for node pairs.
        """
        return self._transform(X)

    def _transform_graphs(self, graphs: list[Graph], single: bool) -> list[Graph]:
        if self.transformer_ is not None:
            self._check_features(graphs, single)
            transformed = self.transformer_.transform(
                self._input(_stack([g.features for g in graphs])))
            if sp.issparse(transformed):
                transformed = sp.csr_array(transformed)
            elif hasattr(transformed, "iloc"):  # a transformer set to give DataFrames
                transformed = transformed.to_numpy()
            n_rows = sum(graph.n_nodes for graph in graphs)
            if transformed.ndim != 2 or transformed.shape[0] != n_rows:
                raise ValueError(f"the transformer returned shape {transformed.shape} for "
                                 f"{n_rows} nodes; expected one row per node.")
            self._check_no_new_missing(graphs, transformed)
            bounds = np.cumsum([0] + [graph.n_nodes for graph in graphs])
            names = None if sp.issparse(transformed) else self._output_names()
            graphs = [graph.with_features(transformed[a:b] if names is None
                                          else _frame(transformed[a:b], names))
                      for graph, a, b in zip(graphs, bounds[:-1], bounds[1:])]
        return graphs

    def _check_no_new_missing(self, graphs: list[Graph], transformed: Any) -> None:
        """Refuse NaN that the transformer made from complete features (``np.log1p`` of a
        negative value, a division by zero): the estimator after this step would take it
        for missing data and advise an imputer."""
        values = transformed.data if sp.issparse(transformed) else np.asarray(transformed)
        if values.dtype.kind != "f" or not np.isnan(values).any():
            return
        if any(missing_features(g) is not None for g in graphs):
            return  # missing values in, missing values out (a later step may impute them)
        raise ValueError(f"the transformer {self.transformer_!r} returned NaN for node "
                         "features that had none; check that the features suit it (e.g. "
                         "np.log1p of values below -1).")

    def _input(self, features: Any) -> Any:
        """The stacked node features as the transformer takes them: dense ones as a
        DataFrame with the fitted column names, when the graphs name their columns (a
        ``ColumnTransformer`` selects columns by name, and learns the names), a table's
        columns typed (numbers as numbers); the one column of texts, 1-D, for a
        transformer that reads one text per row (``TfidfVectorizer``)."""
        names = getattr(self, "feature_names_in_", None)
        if getattr(self, "_text_input", False) and not sp.issparse(features) \
                and not is_text_table(features):
            # a table whose text columns are all missing here reads as numbers (NaN): the
            # encoders fitted on text take it as text
            features = features.astype(object)
        if _reads_texts(self.transformer):
            name = type(self.transformer).__name__
            if not is_text_table(features):
                raise ValueError(f"{name} reads text, one text per node, but the node "
                                 "features are numbers; give the graph its texts (a "
                                 "DataFrame column of strings) as node features.")
            if features.shape[1] != 1:
                raise ValueError(
                    f"{name} reads one text per node, but the node features have "
                    f"{features.shape[1]} columns; give it the column of texts through a "
                    f"ColumnTransformer, e.g. NodeFeatureTransformer("
                    f"{encoding_suggestion(features, names)}).")
            return features[:, 0]
        if names is None or sp.issparse(features):
            return features
        frame = _frame(features, list(names))
        if not is_text_table(features):
            return frame
        # numbers as numbers; a column of missing entries only has no type, and stays
        # objects (the encoders fitted on text take them as missing text)
        typed = frame.infer_objects()
        empty = frame.columns[frame.isna().all().to_numpy()]
        return typed.astype(dict.fromkeys(empty, object)) if len(empty) else typed

    def _output_names(self) -> list[str] | None:
        """The transformer's output names, when the input had names and the transformer
        gives them (so the estimator after this step records them), else None."""
        if (getattr(self, "feature_names_in_", None) is None
                or not hasattr(self.transformer_, "get_feature_names_out")):
            return None
        try:
            return [str(name) for name in self.transformer_.get_feature_names_out()]
        except (AttributeError, ValueError, TypeError):  # not every transformer can say
            return None

    @staticmethod
    def _check_features(graphs: list[Graph], single: bool = True) -> None:
        for i, graph in enumerate(graphs):
            if graph.features is None:
                where = "the graph" if single and len(graphs) == 1 else f"graph {i}"
                raise ValueError(
                    f"{where} has no node features to transform; estimators give featureless "
                    "graphs their documented default representation, or use "
                    "transformer='passthrough'.")

    def get_feature_names_out(self, input_features: Any = None) -> np.ndarray:
        """Names of the transformed node features: the transformer's own, else ``x0``,
        ``x1``, ... (for ``Pipeline.get_feature_names_out``).

        Parameters
        ----------
        input_features : array-like of str or None, default=None
            Names of the input node features; ``x0``, ``x1``, ... when None.

        Returns
        -------
        ndarray of str
        """
        check_is_fitted(self, "n_features_in_")
        names = _check_feature_names_in(self, input_features)
        if self.transformer_ is None:
            return names
        if not hasattr(self.transformer_, "get_feature_names_out"):
            raise AttributeError(f"{type(self.transformer_).__name__} does not provide "
                                 "get_feature_names_out.")
        return self.transformer_.get_feature_names_out(names)

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        # missing feature values (NaN) reach the transformer, an imputer's to fill
        if self.transformer in (None, "passthrough"):
            tags.input_tags.allow_nan = True
        elif (inner := _tags(self.transformer)) is not None:
            tags.input_tags.allow_nan = inner.input_tags.allow_nan
        return tags

