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
from sklearn.utils._param_validation import validate_params

from .._graph import Graph
from ._planetoid import _resolve_folder

__all__ = ["load_tu"]


def _read_table(path: Path, dtype, *, expected_rows: int | None = None,
                n_columns: int | None = None) -> np.ndarray:
    """A comma-separated numeric table as a 2-D array, with the checks the format needs."""
    integers = np.issubdtype(dtype, np.integer)
    try:
        with warnings.catch_warnings():  # an empty file warns; the row check below reports it
            warnings.simplefilter("ignore", UserWarning)
            # integers are read as floats and checked: NumPy before 2.3 reads "1.5" as 1 for
            # an integer dtype (with only a DeprecationWarning); ids stay far below 2**53
            table = np.loadtxt(path, delimiter=",", dtype=np.float64 if integers else dtype,
                               ndmin=2)
    except ValueError as exc:
        raise ValueError(f"{path.name} is corrupt (non-numeric or ragged line): {exc}") from None
    if integers:
        fractional = ~np.isfinite(table) | (table != np.round(table))
        if fractional.any():
            raise ValueError(f"{path.name} is corrupt (non-numeric or ragged line): "
                             f"{float(table[fractional][0])!r} is not an integer.")
        table = table.astype(dtype)
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


# A one-hot block wider than both bounds is refused: a few stray huge values, not categories.
_MAX_ONE_HOT_WIDTH = 100_000
_MAX_ONE_HOT_SPARSITY = 100  # columns per distinct value


def _one_hot(codes: np.ndarray, file: str) -> np.ndarray:
    """One-hot encode each column of an integer table, as PyG's ``TUDataset`` does.

    Column ``c`` is shifted by its minimum over the whole data set and encoded with
    ``max - min + 1`` columns, so a value that no node takes still has its (all-zero)
    column: BZR's atom labels 1..53 give 53 columns. The blocks of several label columns
    are placed side by side. A block wider than both ``_MAX_ONE_HOT_WIDTH`` and
    ``_MAX_ONE_HOT_SPARSITY`` times the number of distinct values is refused.
    """
    blocks = []
    for column in codes.T:
        low, high = int(column.min()), int(column.max())
        width = high - low + 1  # Python ints: no overflow for extreme int64 values
        n_values = len(np.unique(column))
        if width > max(_MAX_ONE_HOT_WIDTH, _MAX_ONE_HOT_SPARSITY * n_values):
            gib = len(column) * width * 4 / 2**30
            raise ValueError(
                f"{file} has labels from {low} to {high}: one-hot encoding them over that "
                f"range (as PyG does) takes {width} columns for {n_values} distinct value(s), "
                f"{gib:,.1f} GiB for {len(column)} rows; a label file holds categories, "
                "these values look corrupt.")
        block = np.zeros((len(column), width), dtype=np.float32)
        block[np.arange(len(column)), column - low] = 1.0
        blocks.append(block)
    return np.hstack(blocks)


def _item_features(attributes_file: Path | None, labels_file: Path | None, n_rows: int
                   ) -> tuple[np.ndarray | None, int]:
    """``[attributes, one-hot labels]`` per line (node or edge), float32, None for neither;
    and the number of attribute columns."""
    blocks = []
    if attributes_file is not None:
        blocks.append(_read_table(attributes_file, np.float64, expected_rows=n_rows)
                      .astype(np.float32))
    n_attributes = blocks[0].shape[1] if blocks else 0
    if labels_file is not None:
        blocks.append(_one_hot(_read_table(labels_file, np.int64, expected_rows=n_rows),
                               labels_file.name))
    blocks = [block for block in blocks if block.shape[1]]
    return (np.hstack(blocks) if blocks else None), n_attributes


def _entry_features(edges: np.ndarray, line_features: np.ndarray, adjacency: sp.csr_array,
                    describe) -> np.ndarray:
    """The features of each stored entry of the symmetric ``adjacency``, in CSR order.

    Entry ``(i, j)`` takes the features of the line that lists ``i, j`` or ``j, i``; the
    lines of one undirected edge (both directions, repeats) must carry the same features,
    else ``describe(a, b, column)`` (two rows of ``edges`` and a column that differs) names
    them in the error.
    """
    n = adjacency.shape[0]
    low, high = np.minimum(edges[:, 0], edges[:, 1]), np.maximum(edges[:, 0], edges[:, 1])
    keys = low * n + high
    order = np.argsort(keys, kind="stable")
    keys, line_features = keys[order], line_features[order]
    same_edge = keys[1:] == keys[:-1]
    differs = same_edge & (line_features[1:] != line_features[:-1]).any(axis=1)
    if differs.any():
        first = int(np.flatnonzero(differs)[0])
        column = int(np.flatnonzero(line_features[first] != line_features[first + 1])[0])
        a, b = sorted((int(order[first]), int(order[first + 1])))
        raise ValueError(describe(a, b, column) + "; both directions (and repeated lines) of "
                         "an edge must carry the same values.")
    unique_keys, first_line = np.unique(keys, return_index=True)
    rows = np.repeat(np.arange(n, dtype=np.int64), np.diff(adjacency.indptr))
    cols = adjacency.indices.astype(np.int64)
    entry_keys = np.minimum(rows, cols) * n + np.maximum(rows, cols)
    return line_features[first_line[np.searchsorted(unique_keys, entry_keys)]]


def _graph_labels(path: Path) -> tuple[np.ndarray, np.ndarray]:
    """Graph labels mapped to ``0..C-1``, and the original label values."""
    raw = _read_table(path, np.float64, n_columns=1)[:, 0]
    if raw.size == 0:
        raise ValueError(f"{path.name} is empty: the dataset has no graphs.")
    names, target = np.unique(raw, return_inverse=True)
    if np.array_equal(names, np.round(names)) and np.abs(names).max() < 2.0**63:
        names = names.astype(np.int64)  # (a larger value would wrap: it stays a float)
    return target.astype(np.int64), names


@validate_params({"directory": [str, os.PathLike], "name": [str], "node_attributes": ["boolean"]},
                 prefer_skip_nested_validation=True)
def load_tu(directory: str | os.PathLike, name: str, *, node_attributes: bool = True) -> Bunch:
    """Load a TU-format graph dataset (e.g. MUTAG, PROTEINS) from local files.

    The graphs are those PyG's ``TUDataset(root, name, use_node_attr=True,
    use_edge_attr=True)`` reads from the same files (tested equal to it), as undirected
    :class:`~skgraph.Graph` objects: duplicate edge lines are merged, self loops dropped and
    every edge stored in both directions. Node features are PyG's, in its column order: the
    real-valued node attributes (unless ``node_attributes=False``), then the one-hot node
    labels, each label column shifted by its minimum over the data set and encoded with
    ``max - min + 1`` columns (so BZR's atom numbers 1..53 give 53 columns; edge labels
    likewise). A label column whose range would need more than 100,000 columns *and* more
    than 100 columns per distinct value is refused as corrupt (a stray value such as
    ``10**11`` would ask for hundreds of GiB); category codes never come near. Graph labels
    are only mapped to class indices, so any values work there. A data set with neither
    node attributes nor node labels gives featureless graphs (``features=None``; PyG's
    ``x`` is None too), for which the estimators use their documented featureless default.

    Edge labels and edge attributes become each graph's ``edge_features`` (and are returned
    as the list ``edge_features`` too): one row per stored entry of its adjacency in CSR
    order (row by row, columns sorted: the order of PyG's ``edge_index``),
    ``[edge attributes, one-hot edge labels]`` as PyG builds ``edge_attr``. The lines of one undirected edge must agree (a file where ``i, j`` and
    ``j, i`` carry different values is refused); repeated lines count once (PyG adds their
    values up).

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
        Include the real-valued node attributes (``<name>_node_attributes.txt``) where the
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
        edge_features : list of ndarray of float32, one of shape (n_entries, k) per graph
        (``n_entries = graph.adjacency.nnz``), or None when the data set has neither edge
        labels nor edge attributes,
        name : str.

    Notes
    -----
    Where PyG's reader differs: with both graph labels and graph attributes PyG's ``y`` is
    the attributes, here the target is the labels (the attributes are in
    ``graph_attributes``); a regression target with one value per graph is 1-D here
    (PyG: ``(n_graphs, 1)``, float32); the graphs are undirected (PyG keeps the listed
    direction only, the same for these data sets, which list both).

    Raises
    ------
    FileNotFoundError
        If a required file (``_A``, ``_graph_indicator``, and ``_graph_labels`` or
        ``_graph_attributes``) is missing.
    ValueError
        If a file is corrupt or truncated: non-numeric lines, line counts that do not
        match, node ids out of range, edges joining two graphs, a graph without nodes,
        two lines of one edge with different edge labels or attributes, or node or edge
        labels spread too far to one-hot encode (see above).

    Examples
    --------
    >>> from skgraph.datasets import load_tu
    >>> mutag = load_tu("../shared/datasets", "MUTAG")  # doctest: +SKIP
    >>> len(mutag.graphs), mutag.graphs[0].n_features, mutag.target_names.tolist()  # doctest: +SKIP
    (188, 7, [-1, 1])
    """
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

    node_attributes_file = path("node_attributes", required=False) if node_attributes else None
    features, _ = _item_features(node_attributes_file, path("node_labels", required=False),
                                 n_nodes)
    edge_attributes_file = path("edge_attributes", required=False)
    edge_labels_file = path("edge_labels", required=False)
    line_features, n_attributes = _item_features(edge_attributes_file, edge_labels_file,
                                                  len(edges))
    loops = edges[:, 0] == edges[:, 1]  # dropped, as Graph drops them (and PyG)
    lines, edges = np.flatnonzero(~loops), edges[~loops]  # lines: 0-based, of the files
    given_edges = edges  # node ids as the files give them (0-based), for error messages
    line_features = None if line_features is None else line_features[~loops]

    # Renumber nodes so that each graph's nodes are contiguous, then slice diagonal blocks:
    # the global adjacency is symmetric, binary, loop-free and sorted, so each block is a
    # validated Graph's adjacency entry for entry, in the same CSR order as edge features.
    order = np.argsort(graph_of, kind="stable")
    position = np.empty(n_nodes, dtype=np.int64)
    position[order] = np.arange(n_nodes)
    edges = position[edges]
    adjacency = sp.csr_array((np.ones(len(edges)), (edges[:, 0], edges[:, 1])),
                             shape=(n_nodes, n_nodes))
    adjacency = sp.csr_array(adjacency.maximum(adjacency.T))
    adjacency.data[:] = 1.0  # duplicate lines were summed: back to binary
    adjacency.sort_indices()
    entry_features = None
    if line_features is not None:
        def describe(a: int, b: int, column: int) -> str:
            file = edge_attributes_file if column < n_attributes else edge_labels_file
            i, j = sorted(given_edges[a] + 1)
            return (f"{file.name} lines {lines[a] + 1} and {lines[b] + 1} give different "
                    f"values to the undirected edge between nodes {i} and {j}")

        entry_features = _entry_features(edges, line_features, adjacency, describe)
    if features is not None:
        features = features[order]
    bounds = np.concatenate([[0], np.cumsum(sizes)])
    graphs, edge_features = [], []
    for start, stop in zip(bounds[:-1], bounds[1:]):
        block_features = None
        if entry_features is not None:  # the block is canonical: its entries in CSR order
            block_features = entry_features[adjacency.indptr[start]:adjacency.indptr[stop]]
            edge_features.append(block_features.copy())
        graphs.append(Graph(adjacency[start:stop, start:stop],
                            None if features is None else features[start:stop],
                            edge_features=block_features))
    return Bunch(graphs=graphs, target=target, target_names=target_names,
                 graph_attributes=graph_attributes,
                 edge_features=edge_features if entry_features is not None else None,
                 name=name)
