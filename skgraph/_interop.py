"""Interoperability: graphs and embeddings out to networkx, pandas and plain dicts.

Inputs from networkx and PyG are read by :func:`skgraph.as_graph`; this module is the way
back out, keyed by the original node labels (``Graph.node_names``) where the graph has them.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import scipy.sparse as sp
from sklearn.utils._param_validation import StrOptions, validate_params

from ._edges import upper_edges
from ._graph import as_graph

__all__ = ["embeddings_by_node", "to_networkx"]


def _node_labels(graph) -> list:
    """The original label of every node of the whole graph (``0..n-1`` when it has none)."""
    names = graph.node_names
    if names is None:
        return list(range(graph.n_nodes))
    return [name.item() if isinstance(name, np.generic) else name for name in names]


def _selected_labels(graph) -> list:
    """The original labels of the nodes a graph (or node view) selects, in its order."""
    labels = _node_labels(graph)
    return [labels[i] for i in graph.node_index.tolist()]


def _node_label_index(labels: list):
    """``labels`` (from :func:`_selected_labels`) as a pandas Index named ``node``, tuple
    labels kept whole."""
    import pandas as pd

    return pd.Index(labels, name="node", tupleize_cols=False)


def selected_node_rows(estimator: Any, Z: np.ndarray, graph) -> Any:
    """The rows of ``Z`` (one per node of the whole graph) of the nodes ``graph`` selects,
    as the estimator's ``set_output`` asks: an array, or a DataFrame indexed by node (the
    node names where the graph has them, else positions; scikit-learn's wrapper keeps the
    index and names the columns)."""
    from sklearn.utils._set_output import _get_output_config

    if graph.is_view:
        Z = Z[graph.node_index]
    if _get_output_config("transform", estimator)["dense"] == "pandas":
        import pandas as pd

        return pd.DataFrame(Z, index=_node_label_index(_selected_labels(graph)), copy=False)
    return Z


def _rows(values: Any, n_rows: int, what: str) -> np.ndarray:
    if hasattr(values, "to_numpy"):  # a pandas DataFrame, e.g. from set_output("pandas")
        values = values.to_numpy()
    if hasattr(values, "detach"):  # a torch tensor
        values = values.detach().cpu().numpy()
    values = np.asarray(values)
    if values.ndim != 2 or values.shape[0] != n_rows:
        raise ValueError(f"{what} must have shape (n_nodes, n_components) with {n_rows} rows, "
                         f"got shape {values.shape}.")
    return values


def to_networkx(graph: Any, embeddings: Any = None):
    """A networkx graph with the original node labels, edge weights, features and embeddings.

    Parameters
    ----------
    graph : Graph or any accepted graph input
        For a node view, the whole graph is converted.
    embeddings : array-like of shape (n_nodes, n_components), default=None
        One row per node of the whole graph (e.g. ``VGAEEmbedder().fit_transform(G)``),
        stored as node attribute ``"embedding"`` (a 1-D ndarray).

    Returns
    -------
    networkx.Graph
        Nodes are ``graph.node_names`` when the graph has them (a graph read from networkx
        keeps its labels), else ``0..n_nodes-1``; each edge has its ``"weight"`` and, with
        edge features, them as attribute ``"edge_attr"``; with node features, each node has
        them as attribute ``"x"`` (1-D ndarrays), which is what :func:`skgraph.as_graph`
        reads, so ``as_graph(to_networkx(G))`` rebuilds ``G``.

    Examples
    --------
    >>> import networkx as nx
    >>> from skgraph import as_graph, to_networkx
    >>> G = as_graph(nx.Graph([("a", "b"), ("b", "c")]))
    >>> H = to_networkx(G)
    >>> sorted(H.edges(data="weight"))
    [('a', 'b', 1.0), ('b', 'c', 1.0)]
    """
    import networkx as nx

    graph = as_graph(graph).whole()
    labels = _node_labels(graph)
    out = nx.Graph()
    out.add_nodes_from(labels)
    A = graph.adjacency
    pairs, weights = upper_edges(A, weights=True)
    out.add_weighted_edges_from((labels[i], labels[j], float(w))
                                for (i, j), w in zip(pairs.tolist(), weights.tolist()))
    if graph.edge_features is not None:  # the entries above the diagonal, row by row
        rows = np.repeat(np.arange(A.shape[0]), np.diff(A.indptr))
        for (i, j), row in zip(pairs.tolist(), graph.edge_features[rows < A.indices]):
            out.edges[labels[i], labels[j]]["edge_attr"] = row.copy()
    features = graph.features
    if features is not None:
        dense = features.toarray() if sp.issparse(features) else np.asarray(features)
        for label, row in zip(labels, dense):
            out.nodes[label]["x"] = row.copy()
    if embeddings is not None:
        Z = _rows(embeddings, graph.n_nodes, "embeddings")
        for label, row in zip(labels, Z):
            out.nodes[label]["embedding"] = row.copy()
    return out


@validate_params(
    {"graph": "no_validation", "embeddings": "no_validation",
     "output": [StrOptions({"dict", "pandas"})]},
    prefer_skip_nested_validation=True,
)
def embeddings_by_node(graph: Any, embeddings: Any, *, output: str = "dict"):
    """Embeddings keyed by the original node labels.

    Parameters
    ----------
    graph : Graph or any accepted graph input
        The graph the embeddings belong to. For a node view, ``embeddings`` has one row per
        selected node, in the view's order (what ``transform(view)`` returns).
    embeddings : array-like or DataFrame of shape (n_selected_nodes, n_components)
    output : {"dict", "pandas"}, default="dict"
        ``"dict"``: ``{node label: 1-D ndarray}``. ``"pandas"``: a DataFrame indexed by
        node label (requires pandas); its columns are those of ``embeddings`` when it is a
        DataFrame (e.g. from ``set_output(transform="pandas")``), else ``z0, z1, ...``.

    Returns
    -------
    dict or pandas.DataFrame

    Examples
    --------
    >>> import numpy as np, networkx as nx
    >>> from skgraph import as_graph, embeddings_by_node
    >>> G = as_graph(nx.Graph([("a", "b"), ("b", "c")]))
    >>> Z = np.array([[0.0, 1.0], [1.0, 0.0], [2.0, 2.0]])  # e.g. from VGAEEmbedder
    >>> embeddings_by_node(G, Z)["c"].tolist()
    [2.0, 2.0]
    >>> embeddings_by_node(G, Z, output="pandas").loc["b"].tolist()
    [1.0, 0.0]
    """
    graph = as_graph(graph)
    selected = _selected_labels(graph)
    columns = list(embeddings.columns) if hasattr(embeddings, "columns") else None
    Z = _rows(embeddings, len(selected), "embeddings")
    if output == "dict":
        return {label: row.copy() for label, row in zip(selected, Z)}
    import pandas as pd

    if columns is None:
        columns = [f"z{i}" for i in range(Z.shape[1])]
    return pd.DataFrame(Z, index=_node_label_index(selected), columns=columns)
