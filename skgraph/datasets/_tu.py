"""Reader for the TU Dortmund graph dataset format (``<NAME>_A.txt``, ...).

The format (Morris et al. 2020, the files PyG's ``TUDataset`` reads) stores all graphs of a
dataset as one big graph: global 1-based node ids, an edge list, a node-to-graph indicator
and one label (classification) or row of real values (regression) per graph. Parsing is
vectorised (``np.loadtxt``); the only per-graph loop builds the returned
:class:`~skgraph.Graph` objects.
"""

from __future__ import annotations

import os
import warnings
from pathlib import Path

import numpy as np
import scipy.sparse as sp
from sklearn.utils import Bunch

from .._graph import Graph
from .._node_inputs import degree_features
from ._planetoid import _resolve_folder

__all__ = ["load_tu"]


def _read_table(path: Path, dtype, *, expected_rows: int | None = None,
                n_columns: int | None = None) -> np.ndarray:
    """A comma-separated numeric table as a 2-D array, with the checks the format needs."""
    try:
        with warnings.catch_warnings():  # an empty file warns; the row check below reports it
            warnings.simplefilter("ignore", UserWarning)
            table = np.loadtxt(path, delimiter=",", dtype=dtype, ndmin=2)
    except ValueError as exc:
        raise ValueError(f"{path.name} is corrupt (non-numeric or ragged line): {exc}") from None
    if n_columns is not None and table.shape[0] == 0:  # an empty file: no rows of that width
        table = table.reshape(0, n_columns)
    if n_columns is not None and table.shape[0] and table.shape[1] != n_columns:
        raise ValueError(f"{path.name} must have {n_columns} comma-separated column(s) per line, "
                         f"got {table.shape[1]}.")
    if expected_rows is not None and table.shape[0] != expected_rows:
        raise ValueError(f"{path.name} has {table.shape[0]} line(s) but {expected_rows} were "
                         "expected (truncated or mismatched files?).")
    if np.issubdtype(table.dtype, np.floating) and not np.isfinite(table).all():
        raise ValueError(f"{path.name} contains NaN or infinite values.")
    return table


def _one_hot(codes: np.ndarray) -> np.ndarray:
    """One-hot encode each column of an integer table, categories from the whole column."""
    blocks = []
    for column in codes.T:
        _, inverse = np.unique(column, return_inverse=True)
        block = np.zeros((len(column), inverse.max() + 1), dtype=np.float32)
        block[np.arange(len(column)), inverse] = 1.0
        blocks.append(block)
    return np.hstack(blocks)


def _graph_labels(path: Path) -> tuple[np.ndarray, np.ndarray]:
    """Graph labels mapped to ``0..C-1``, and the original label values."""
    raw = _read_table(path, np.float64, n_columns=1)[:, 0]
    if raw.size == 0:
        raise ValueError(f"{path.name} is empty: the dataset has no graphs.")
    names, target = np.unique(raw, return_inverse=True)
    if np.array_equal(names, np.round(names)):
        names = names.astype(np.int64)
    return target.astype(np.int64), names


def load_tu(directory: str | os.PathLike, name: str, *, node_attributes: bool = True) -> Bunch:
    """Load a TU-format graph dataset (e.g. MUTAG, PROTEINS) from local files.

    Node features are, in this order: the one-hot encoded node labels (categories taken
    from the whole dataset, as PyG's ``TUDataset`` does), then the real-valued node
    attributes (unless ``node_attributes=False``). A dataset with neither gets the
    inductive featureless default ``[1, log(1 + degree)]`` per node. Duplicate edge lines
    are coalesced, edges are made undirected and self loops dropped (see
    :class:`~skgraph.Graph`); edge labels and edge attributes are not read.

    The target is the graph labels (``<name>_graph_labels.txt``) mapped to ``0..C-1``; a
    regression data set, with real values per graph (``<name>_graph_attributes.txt``) and no
    labels, gets those values as the target instead, for
    :class:`~skgraph.GNNGraphRegressor`. Graph attributes are returned in either case.

    Parameters
    ----------
    directory : str or path-like
        The folder holding ``<name>_A.txt`` and the other files, or its parent (with a
        ``<name>/`` or ``<name>/raw/`` subfolder).
    name : str
        Dataset name, the prefix of the file names, e.g. ``"MUTAG"``.
    node_attributes : bool, default=True
        Append the real-valued node attributes (``<name>_node_attributes.txt``) where the
        dataset has them. ``False`` keeps the node labels only, the input of most published
        results on these data sets (the GIN paper's, and PyG's ``TUDataset`` default
        ``use_node_attr=False``); the attributes file is then not read.

    Returns
    -------
    Bunch with
        graphs : list of Graph, one per graph, with float32 node features,
        target : ndarray of int64 of shape (n_graphs,), class indices ``0..C-1``; for a
        regression data set (graph attributes, no labels) ndarray of float64 of shape
        (n_graphs,), or (n_graphs, k) with k values per graph,
        target_names : ndarray of shape (C,), the original label of each class index
        (None for a regression data set),
        graph_attributes : ndarray of float64 of shape (n_graphs, k), or None without a
        ``<name>_graph_attributes.txt``,
        name : str.

    Raises
    ------
    FileNotFoundError
        If a required file (``_A``, ``_graph_indicator``, and ``_graph_labels`` or
        ``_graph_attributes``) is missing.
    ValueError
        If a file is corrupt or truncated: non-numeric lines, line counts that do not
        match, node ids out of range, edges joining two graphs, or a graph without nodes.

    Examples
    --------
    >>> from skgraph.datasets import load_tu
    >>> mutag = load_tu("../shared/datasets", "MUTAG")  # doctest: +SKIP
    >>> len(mutag.graphs), mutag.graphs[0].n_features, mutag.target_names.tolist()  # doctest: +SKIP
    (188, 7, [-1, 1])
    """
    if not isinstance(node_attributes, (bool, np.bool_)):
        raise TypeError(f"node_attributes must be True or False, got {node_attributes!r}.")
    folder = _resolve_folder(directory, name, f"{name}_A.txt")

    def path(suffix: str, required: bool = True) -> Path | None:
        file = folder / f"{name}_{suffix}.txt"
        if not file.is_file():
            if required:
                raise FileNotFoundError(
                    f"{file} is missing: a TU dataset needs {name}_A.txt, "
                    f"{name}_graph_indicator.txt and {name}_graph_labels.txt or "
                    f"{name}_graph_attributes.txt.")
            return None
        return file

    graph_labels_file = path("graph_labels", required=False)
    graph_attributes_file = path("graph_attributes", required=False)
    if graph_labels_file is None and graph_attributes_file is None:
        raise FileNotFoundError(
            f"{folder / f'{name}_graph_labels.txt'} is missing, and so is "
            f"{name}_graph_attributes.txt: a TU dataset needs {name}_A.txt, "
            f"{name}_graph_indicator.txt and one of {name}_graph_labels.txt (classes) or "
            f"{name}_graph_attributes.txt (regression values).")
    graph_attributes = None
    if graph_attributes_file is not None:
        graph_attributes = _read_table(graph_attributes_file, np.float64)
        if graph_attributes.size == 0:
            raise ValueError(f"{name}_graph_attributes.txt is empty: the dataset has no graphs.")
    if graph_labels_file is not None:
        target, target_names = _graph_labels(graph_labels_file)
        if graph_attributes is not None and len(graph_attributes) != len(target):
            raise ValueError(f"{name}_graph_attributes.txt has {len(graph_attributes)} line(s) "
                             f"but {name}_graph_labels.txt has {len(target)}: one line per "
                             "graph in each.")
    else:
        target = graph_attributes[:, 0].copy() if graph_attributes.shape[1] == 1 \
            else graph_attributes.copy()
        target_names = None
    n_graphs = len(target)
    target_file = (graph_labels_file or graph_attributes_file).name
    indicator = _read_table(path("graph_indicator"), np.int64, n_columns=1)[:, 0]
    n_nodes = len(indicator)
    if n_nodes == 0:
        raise ValueError(f"{name}_graph_indicator.txt is empty: the dataset has no nodes.")
    if indicator.min() < 1 or indicator.max() > n_graphs:
        raise ValueError(f"{name}_graph_indicator.txt names graph ids from {indicator.min()} to "
                         f"{indicator.max()}, but {target_file} has {n_graphs} graphs "
                         "(ids must be 1..n_graphs).")
    graph_of = indicator - 1
    sizes = np.bincount(graph_of, minlength=n_graphs)
    if (sizes == 0).any():
        empty = int(np.flatnonzero(sizes == 0)[0]) + 1
        raise ValueError(f"graph {empty} has no nodes in {name}_graph_indicator.txt.")

    edges = _read_table(path("A"), np.int64, n_columns=2) - 1
    if edges.size and (edges.min() < 0 or edges.max() >= n_nodes):
        raise ValueError(f"{name}_A.txt names node ids from {edges.min() + 1} to "
                         f"{edges.max() + 1}, "
                         f"but the dataset has {n_nodes} nodes (ids must be 1..{n_nodes}).")
    crossing = graph_of[edges[:, 0]] != graph_of[edges[:, 1]]
    if crossing.any():
        line = int(np.flatnonzero(crossing)[0])
        raise ValueError(f"{name}_A.txt line {line + 1} joins node {edges[line, 0] + 1} of graph "
                         f"{graph_of[edges[line, 0]] + 1} to node {edges[line, 1] + 1} of graph "
                         f"{graph_of[edges[line, 1]] + 1}; edges must stay inside one graph.")

    blocks = []
    node_labels_file = path("node_labels", required=False)
    if node_labels_file is not None:
        blocks.append(_one_hot(_read_table(node_labels_file, np.int64, expected_rows=n_nodes)))
    attributes_file = path("node_attributes", required=False) if node_attributes else None
    if attributes_file is not None:
        blocks.append(_read_table(attributes_file, np.float64, expected_rows=n_nodes)
                      .astype(np.float32))
    features = np.hstack(blocks) if blocks else None

    # Renumber nodes so that each graph's nodes are contiguous, then slice diagonal blocks.
    order = np.argsort(graph_of, kind="stable")
    position = np.empty(n_nodes, dtype=np.int64)
    position[order] = np.arange(n_nodes)
    adjacency = sp.csr_array((np.ones(len(edges), dtype=np.float64),
                              (position[edges[:, 0]], position[edges[:, 1]])),
                             shape=(n_nodes, n_nodes))
    adjacency.data[:] = 1.0  # duplicate lines were summed: back to binary
    if features is not None:
        features = features[order]
    bounds = np.concatenate([[0], np.cumsum(sizes)])
    graphs = []
    for start, stop in zip(bounds[:-1], bounds[1:]):
        block = adjacency[start:stop, start:stop]
        if features is None:  # degrees of the validated (undirected, loop-free) graph
            block = Graph(block).adjacency
            graphs.append(Graph(block, degree_features(block)))
        else:
            graphs.append(Graph(block, features[start:stop]))
    return Bunch(graphs=graphs, target=target, target_names=target_names,
                 graph_attributes=graph_attributes, name=name)
