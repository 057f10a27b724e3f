"""Reader for the Geom-GCN text format (Pei et al. 2020): Actor/film, WebKB, Wikipedia sets.

Three kinds of file per data set, as published in ``graphdml-uiuc-jlu/geom-gcn``
(``new_data/<name>/`` and ``splits/``), the files PyG's ``Actor``, ``WebKB`` and
``WikipediaNetwork(geom_gcn_preprocess=True)`` read:

- ``out1_node_feature_label.txt``: a header line, then one tab-separated line per node:
  node id, comma-separated features, class;
- ``out1_graph_edges.txt``: a header line, then one tab-separated ``src dst`` line per edge;
- ``<name>_split_0.6_0.2_<i>.npz``: boolean (or 0/1) ``train_mask``, ``val_mask``,
  ``test_mask`` of one of the ten published splits.
"""

from __future__ import annotations

import os
import re
import zipfile
import zlib
from pathlib import Path

import numpy as np
import scipy.sparse as sp
from sklearn.utils import Bunch
from sklearn.utils._param_validation import validate_params

from .._graph import Graph
from ._planetoid import _resolve_folder

__all__ = ["load_geom_gcn"]

_NODES = "out1_node_feature_label.txt"
_EDGES = "out1_graph_edges.txt"
_INDEX_FEATURES = {"film"}  # data sets whose feature field lists the non-zero columns
_ALIASES = {"actor": "film"}  # PyG's class name -> the geom-gcn file names
_MASKS = ("train_mask", "val_mask", "test_mask")


def _is_int(text: str) -> bool:
    try:
        int(text)
    except ValueError:
        return False
    return True


def _records(path: Path, n_fields: int, what: str, separator: str | None = "\t"):
    """``(line_number, fields)`` of each data line; the header line and blank lines skipped.

    The first non-blank line is the header when its first field is not an integer (all
    published files have one; PyG drops the first line unconditionally).
    """
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        raise ValueError(f"{path.name} is not a text file: {exc}") from None
    records = []
    header_checked = False
    for number, line in enumerate(text.split("\n"), start=1):
        line = line.rstrip("\r")
        if not line.strip():
            continue
        fields = line.split(separator) if separator else line.split()
        if not header_checked:
            header_checked = True
            if not _is_int(fields[0].strip()):
                continue
        if len(fields) != n_fields:
            kind = "tab-separated" if separator == "\t" else "whitespace-separated"
            raise ValueError(f"{path.name} line {number}: expected {n_fields} {kind} fields "
                             f"({what}), got {len(fields)}: {line[:80]!r}.")
        records.append((number, fields))
    if not records:
        raise ValueError(f"{path.name} has no data lines.")
    return records


def _integer(text: str, path: Path, number: int, what: str) -> int:
    try:
        return int(text)
    except ValueError:
        raise ValueError(f"{path.name} line {number}: the {what} {text[:40]!r} is not an "
                         "integer.") from None


def _read_nodes(path: Path, index_features: bool) -> tuple[sp.csr_array, np.ndarray]:
    """Features (CSR float32) and labels, each row placed by the node id of its line."""
    records = _records(path, 3, "node id, features, label")
    n_nodes = len(records)
    ids = np.empty(n_nodes, dtype=np.int64)
    labels = np.empty(n_nodes, dtype=np.int64)
    rows, cols, values, width = [], [], [], None
    for position, (number, (node, field, label)) in enumerate(records):
        ids[position] = _integer(node, path, number, "node id")
        labels[position] = _integer(label.strip(), path, number, "label")
        field = field.strip()
        if index_features:  # multi-hot: the field lists the non-zero columns
            columns = [_integer(c, path, number, "feature index") for c in field.split(",")] \
                if field else []
            if columns and min(columns) < 0:
                raise ValueError(f"{path.name} line {number}: negative feature index "
                                 f"{min(columns)}.")
            cols.extend(columns)
            rows.extend([position] * len(columns))
        else:  # dense values, the same number on every line
            try:
                row = [float(v) for v in field.split(",")]
            except ValueError:
                raise ValueError(f"{path.name} line {number}: the features must be "
                                 "comma-separated numbers.") from None
            if width is None:
                width = len(row)
            elif len(row) != width:
                raise ValueError(f"{path.name} line {number} has {len(row)} feature values, "
                                 f"the lines before it {width}.")
            values.append(row)
    if ids.min() < 0 or ids.max() >= n_nodes or len(np.unique(ids)) != n_nodes:
        counts = np.bincount(ids[(ids >= 0) & (ids < n_nodes)], minlength=n_nodes)
        bad = ids[(ids < 0) | (ids >= n_nodes)]
        problem = (f"id {bad[0]} is out of range" if len(bad) else
                   f"id {int(np.flatnonzero(counts > 1)[0])} appears more than once")
        raise ValueError(f"{path.name}: the node ids must be 0..{n_nodes - 1}, one line each "
                         f"({n_nodes} lines); {problem}.")
    if index_features:
        if not cols:
            raise ValueError(f"{path.name} lists no feature index on any line.")
        placed = ids[np.asarray(rows, dtype=np.int64)]
        features = sp.csr_array((np.ones(len(cols), dtype=np.float32), (placed, cols)),
                                shape=(n_nodes, max(cols) + 1))
        features.sum_duplicates()
        features.data[:] = 1.0  # an index listed twice on a line is still one 0/1 feature
    else:
        dense = np.asarray(values, dtype=np.float32)
        if not np.isfinite(dense).all():
            raise ValueError(f"{path.name} contains NaN or infinite feature values.")
        ordered = np.empty_like(dense)
        ordered[ids] = dense
        features = sp.csr_array(ordered)
    target = np.empty(n_nodes, dtype=np.int64)
    target[ids] = labels
    return features, target


def _read_edges(path: Path, n_nodes: int) -> sp.csr_array:
    records = _records(path, 2, "source and target node ids", separator=None)
    edges = np.array([[_integer(a, path, number, "node id"), _integer(b, path, number, "node id")]
                      for number, (a, b) in records], dtype=np.int64)
    outside = (edges < 0) | (edges >= n_nodes)
    if outside.any():
        line = records[int(np.flatnonzero(outside.any(axis=1))[0])][0]
        raise ValueError(f"{path.name} line {line} names a node outside 0..{n_nodes - 1} "
                         f"(the {n_nodes} nodes of {_NODES}).")
    adjacency = sp.csr_array((np.ones(len(edges)), (edges[:, 0], edges[:, 1])),
                             shape=(n_nodes, n_nodes))
    adjacency.sum_duplicates()
    adjacency.data[:] = 1.0  # a duplicate line is one edge
    return adjacency


def _read_split(path: Path, n_nodes: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    try:
        npz = np.load(path, allow_pickle=False)
    except (ValueError, OSError, EOFError, zipfile.BadZipFile, zlib.error) as exc:
        raise ValueError(f"{path.name} is not a readable .npz archive: {exc}") from None
    if not isinstance(npz, np.lib.npyio.NpzFile):
        raise ValueError(f"{path.name} holds a single array, not the .npz archive of "
                         f"{', '.join(_MASKS)}.")
    with npz:
        missing = [key for key in _MASKS if key not in npz.files]
        if missing:
            raise ValueError(f"{path.name} lacks {missing} (keys: {sorted(npz.files)}).")
        try:
            masks = [npz[key] for key in _MASKS]
        except (ValueError, OSError, EOFError, zipfile.BadZipFile, zlib.error) as exc:
            raise ValueError(f"{path.name} is corrupt or holds pickled masks: {exc}") from None
    for key, mask in zip(_MASKS, masks):
        if mask.shape != (n_nodes,):
            raise ValueError(f"{path.name}: {key} has shape {mask.shape}, but the data set has "
                             f"{n_nodes} nodes (one entry per node expected).")
        if mask.dtype != bool and not (mask.dtype.kind in "iu" and np.isin(mask, (0, 1)).all()):
            raise ValueError(f"{path.name}: {key} must be boolean (or 0/1), got dtype "
                             f"{mask.dtype} with values {np.unique(mask)[:5].tolist()}.")
    masks = [mask.astype(bool) for mask in masks]
    if (sum(mask.astype(np.int64) for mask in masks) > 1).any():
        raise ValueError(f"{path.name}: a node is in more than one of train_mask, val_mask "
                         "and test_mask.")
    return tuple(np.flatnonzero(mask).astype(np.int64) for mask in masks)


def _split_files(folder: Path, stem: str) -> list[Path]:
    pattern = re.compile(rf"{re.escape(stem)}_split_0\.6_0\.2_(\d+)\.npz")
    found = {int(m.group(1)): f for f in folder.iterdir() if (m := pattern.fullmatch(f.name))}
    if not found:
        raise FileNotFoundError(f"no split file in {folder}: expected "
                                f"{stem}_split_0.6_0.2_0.npz (and _1 ... _9).")
    missing = [i for i in range(max(found) + 1) if i not in found]
    if missing:
        raise FileNotFoundError(f"{folder / f'{stem}_split_0.6_0.2_{missing[0]}.npz'} is missing "
                                f"but split {max(found)} exists: splits must be numbered "
                                "0, 1, ... without gaps.")
    return [found[i] for i in sorted(found)]


@validate_params(
    {"directory": [str, os.PathLike], "name": [str]},
    prefer_skip_nested_validation=True,
)
def load_geom_gcn(directory: str | os.PathLike, name: str) -> Bunch:
    """Load a data set in the Geom-GCN text format (Actor/film, WebKB, Chameleon, Squirrel).

    The heterophilous node-classification sets of Pei et al. (2020): ``film`` (PyG's
    ``Actor``), ``cornell``, ``texas`` and ``wisconsin`` (PyG's ``WebKB``), ``chameleon`` and
    ``squirrel`` (PyG's ``WikipediaNetwork`` with ``geom_gcn_preprocess=True``), read from
    ``out1_node_feature_label.txt``, ``out1_graph_edges.txt`` and the split files
    ``<name>_split_0.6_0.2_<i>.npz``. The result matches PyG's readers, except that the
    graph is undirected:

    - features: for ``film`` (the name decides, as it decides PyG's reader class) each line
      lists the *indices* of the node's non-zero binary features, read as a multi-hot
      vector as wide as the largest index + 1 (932 columns for film, as PyG's ``Actor``);
      for every other name the line lists the dense feature values (1703 0/1 values for
      the WebKB sets). Returned as a CSR float32 matrix;
    - each line is placed by its node id, the first column (film's lines are not in id
      order; PyG's ``Actor`` places them by id too, PyG's ``WebKB`` by line order, which is
      the same for the published WebKB files, as they are in id order);
    - edges: the file lists directed edges, some twice, some self loops. PyG keeps them
      as listed (coalesced); here the graph is undirected like every
      :class:`~skgraph.Graph`: an edge in either direction joins the two nodes, duplicates
      are merged and self loops dropped;
    - splits: one ``(train_idx, val_idx, test_idx)`` per split file, the nodes of each mask.
      The published files hold about 48/32/20 % of the nodes, not the 60/20/20 % their
      names say (for instance film's 3648/2432/1520 of 7600); they are returned as stored.

    Parameters
    ----------
    directory : str or path-like
        The folder holding the files, or its parent (with a ``<name>/`` or
        ``<name>/raw/`` subfolder, as in PyG's ``WebKB`` root).
    name : str
        Data set name, the prefix of the split files, in any case: ``"film"`` (or
        ``"Actor"``), ``"wisconsin"``, ``"cornell"``, ``"texas"``, ``"chameleon"``,
        ``"squirrel"``.

    Returns
    -------
    Bunch with
        graph : Graph, undirected without self loops, with CSR float32 features,
        target : ndarray of int64 of shape (n_nodes,), the class of each node,
        splits : list of tuples ``(train_idx, val_idx, test_idx)`` of sorted int64 node
        indices, one per split file (ten in the published data sets),
        name : str, as given.

    Raises
    ------
    FileNotFoundError
        If ``out1_node_feature_label.txt``, ``out1_graph_edges.txt`` or the split files are
        missing (or split numbers have a gap).
    ValueError
        If a line is malformed (wrong number of fields, non-integer ids, labels or feature
        indices, ragged dense features), the node ids are not ``0..n_nodes-1`` once each, an
        edge names an unknown node, or a split file is unreadable, lacks a mask, has masks
        of the wrong length or non-boolean values, or puts a node in two sets.

    Examples
    --------
    >>> from skgraph.datasets import load_geom_gcn
    >>> film = load_geom_gcn("../shared/datasets", "film")  # doctest: +SKIP
    >>> film.graph.n_nodes, film.graph.n_features, len(film.splits)  # doctest: +SKIP
    (7600, 932, 10)
    >>> train_idx, val_idx, test_idx = film.splits[0]  # doctest: +SKIP
    >>> len(train_idx), len(val_idx), len(test_idx)  # doctest: +SKIP
    (3648, 2432, 1520)
    """
    stem = _ALIASES.get(name.lower(), name.lower())
    try:
        folder = _resolve_folder(directory, stem, _NODES)
    except FileNotFoundError:
        if stem == name:
            raise
        folder = _resolve_folder(directory, name, _NODES)
    edges_file = folder / _EDGES
    if not edges_file.is_file():
        raise FileNotFoundError(f"{edges_file} is missing: a Geom-GCN data set needs {_NODES}, "
                                f"{_EDGES} and the {stem}_split_0.6_0.2_<i>.npz files.")
    split_files = _split_files(folder, stem)
    features, target = _read_nodes(folder / _NODES, index_features=stem in _INDEX_FEATURES)
    n_nodes = len(target)
    adjacency = _read_edges(edges_file, n_nodes)
    splits = [_read_split(file, n_nodes) for file in split_files]
    return Bunch(graph=Graph(adjacency, features), target=target, splits=splits, name=name)
