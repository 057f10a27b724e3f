"""Reader for the gnn-benchmark ``.npz`` format (Shchur et al. 2018): Amazon, Coauthor, CitationFull.

One attributed graph per file, written by ``gnnbench.data.io.save_sparse_graph_to_npz``
with ``np.savez``: CSR parts of the adjacency (``adj_*``) and of the attribute matrix
(``attr_*``, or a dense ``attr_matrix``), and the labels (``labels``, or the CSR parts
``labels_*`` of a label matrix). The file is read with ``allow_pickle=False``: nothing in
it is ever unpickled.
"""

from __future__ import annotations

import os
import zipfile
import zlib
from pathlib import Path

import numpy as np
import scipy.sparse as sp
from sklearn.utils import Bunch
from sklearn.utils._param_validation import validate_params

from .._graph import Graph

__all__ = ["load_npz"]

_CSR_PARTS = ("data", "indices", "indptr", "shape")
_ZIP_MAGIC = (b"PK\x03\x04", b"PK\x05\x06")  # a zip's first entry, or an empty zip
_NPY_MAGIC = b"\x93NUMPY"


class _Archive:
    """The arrays of an open ``.npz`` file, each read with errors that name the file and key."""

    def __init__(self, npz: np.lib.npyio.NpzFile, file: str) -> None:
        self._npz = npz
        self.file = file
        self.keys = set(npz.files)

    def __contains__(self, key: str) -> bool:
        return key in self.keys

    def __getitem__(self, key: str) -> np.ndarray:
        if key not in self.keys:
            raise ValueError(f"{self.file} has no key {key!r} (keys: {sorted(self.keys)}).")
        try:
            array = self._npz[key]
        except ValueError as exc:
            if "allow_pickle" in str(exc):
                raise ValueError(f"{self.file}: key {key!r} holds a pickled (object) array; "
                                 "load_npz never unpickles (allow_pickle=False).") from None
            raise ValueError(f"{self.file}: key {key!r} is not a readable array: {exc}") from None
        except (zipfile.BadZipFile, zlib.error, OSError, EOFError) as exc:
            raise ValueError(f"{self.file} is corrupt: key {key!r} cannot be read: {exc}") from None
        if array.dtype.hasobject:  # pragma: no cover - numpy refuses these without pickle
            raise ValueError(f"{self.file}: key {key!r} holds an object array.")
        return array

    def numeric(self, key: str, *, integer: bool = False, ndim: int | None = None) -> np.ndarray:
        array = self[key]
        kind = "an integer" if integer else "a numeric"
        ok = array.dtype.kind in ("iu" if integer else "biuf")
        if not ok:
            raise ValueError(f"{self.file}: key {key!r} must be {kind} array, got dtype "
                             f"{array.dtype}.")
        if ndim is not None and array.ndim != ndim:
            raise ValueError(f"{self.file}: key {key!r} must be {ndim}-D, got shape "
                             f"{array.shape}.")
        if array.dtype.kind == "f" and not np.isfinite(array).all():
            raise ValueError(f"{self.file}: key {key!r} contains NaN or infinite values.")
        return array


def _csr(archive: _Archive, prefix: str) -> sp.csr_array:
    """The CSR matrix stored as ``<prefix>_data/_indices/_indptr/_shape``, checked."""
    missing = [f"{prefix}_{part}" for part in _CSR_PARTS if f"{prefix}_{part}" not in archive]
    if missing:
        raise ValueError(f"{archive.file} has {prefix}_* keys but lacks {missing}: a CSR matrix "
                         f"needs {', '.join(f'{prefix}_{p}' for p in _CSR_PARTS)}.")
    data = archive.numeric(f"{prefix}_data", ndim=1)
    indices = archive.numeric(f"{prefix}_indices", integer=True, ndim=1)
    indptr = archive.numeric(f"{prefix}_indptr", integer=True, ndim=1)
    shape = archive.numeric(f"{prefix}_shape", integer=True, ndim=1)
    if shape.shape != (2,) or shape.min() < 0:
        raise ValueError(f"{archive.file}: {prefix}_shape must be two non-negative integers, "
                         f"got {shape.tolist()}.")
    n_rows, n_cols = (int(s) for s in shape)
    if len(indptr) != n_rows + 1:
        raise ValueError(f"{archive.file}: {prefix}_indptr has {len(indptr)} entries but "
                         f"{prefix}_shape {[n_rows, n_cols]} needs {n_rows + 1}.")
    if indptr[0] != 0 or (np.diff(indptr) < 0).any() or indptr[-1] != len(indices):
        raise ValueError(f"{archive.file}: {prefix}_indptr is inconsistent (it must start at 0, "
                         f"never decrease and end at len({prefix}_indices) = {len(indices)}).")
    if len(data) != len(indices):
        raise ValueError(f"{archive.file}: {prefix}_data has {len(data)} entries but "
                         f"{prefix}_indices has {len(indices)}.")
    if len(indices) and (indices.min() < 0 or indices.max() >= n_cols):
        raise ValueError(f"{archive.file}: {prefix}_indices has column indices from "
                         f"{indices.min()} to {indices.max()}, outside 0..{n_cols - 1} "
                         f"({prefix}_shape {[n_rows, n_cols]}).")
    matrix = sp.csr_array((data, indices.astype(np.int64), indptr.astype(np.int64)),
                          shape=(n_rows, n_cols))
    matrix.sum_duplicates()  # duplicate entries add up, as in scipy's .todense()
    return matrix


def _names(archive: _Archive, key: str, length: int, what: str) -> np.ndarray:
    names = archive[key]
    if names.shape != (length,):
        raise ValueError(f"{archive.file}: {key} has shape {names.shape}, but the file has "
                         f"{length} {what}.")
    return names


def _target(archive: _Archive, n_nodes: int) -> tuple[np.ndarray, int]:
    """The target (1-D classes with -1 for unlabelled, or a 0/1 indicator matrix), n_classes."""
    if any(f"labels_{part}" in archive for part in _CSR_PARTS):
        matrix = _csr(archive, "labels")
    elif "labels" in archive:
        labels = archive.numeric("labels")
        if labels.ndim == 2:  # a dense label matrix
            matrix = sp.csr_array(labels)
        elif labels.ndim == 1:
            if labels.dtype.kind == "f" and not np.array_equal(labels, np.round(labels)):
                raise ValueError(f"{archive.file}: labels must be class indices (integers), "
                                 "got fractional values.")
            target = labels.astype(np.int64)
            if len(target) != n_nodes:
                raise ValueError(f"{archive.file}: labels has {len(target)} entries but the "
                                 f"adjacency (adj_shape) has {n_nodes} nodes.")
            if len(target) and target.min() < -1:
                raise ValueError(f"{archive.file}: labels has the value {target.min()}; class "
                                 "indices are 0, 1, ... (and -1 for an unlabelled node).")
            return target, int(target.max()) + 1 if len(target) else 0
        else:
            raise ValueError(f"{archive.file}: labels must be 1-D (a class per node) or 2-D "
                             f"(a label matrix), got shape {labels.shape}.")
    else:
        raise ValueError(f"{archive.file} has no labels: expected the key 'labels' or the keys "
                         "labels_data, labels_indices, labels_indptr, labels_shape.")
    if matrix.shape[0] != n_nodes:
        raise ValueError(f"{archive.file}: the label matrix has {matrix.shape[0]} rows but the "
                         f"adjacency (adj_shape) has {n_nodes} nodes.")
    matrix.eliminate_zeros()
    indicator = (matrix != 0).astype(np.int64)
    per_node = np.diff(indicator.indptr)
    if (per_node > 1).any():  # multilabel: the indicator matrix, as scikit-learn expects it
        return indicator.toarray(), matrix.shape[1]
    target = np.full(n_nodes, -1, dtype=np.int64)
    labelled = per_node == 1
    target[labelled] = indicator.indices[indicator.indptr[:-1][labelled]]
    return target, matrix.shape[1]


@validate_params(
    {"path": [str, os.PathLike], "binarize": ["boolean"]},
    prefer_skip_nested_validation=True,
)
def load_npz(path: str | os.PathLike, *, binarize: bool = True) -> Bunch:
    """Load a graph stored in the gnn-benchmark ``.npz`` format (Shchur et al. 2018).

    The format of the Amazon (Photo, Computers), Coauthor (CS, Physics) and CitationFull
    data sets: one attributed graph per file, as written by gnnbench's
    ``save_sparse_graph_to_npz``. The result matches PyG's ``torch_geometric.io.read_npz``
    (what its ``Amazon`` and ``Coauthor`` classes use):

    - the adjacency is made binary: every stored entry is an edge, whatever its weight
      (an explicitly stored zero too, as in PyG); weights are dropped, self loops removed
      and the graph made undirected (see :class:`~skgraph.Graph`). All nodes are kept (no
      cut to the largest connected component);
    - the features are the attribute matrix (CSR parts ``attr_*``, or the dense
      ``attr_matrix`` the writer also uses), returned as a CSR float32 matrix; with
      ``binarize=True`` every positive value is set to 1, as PyG does (zeros and negative
      values are kept);
    - the target is ``labels``, a class index per node. Files that store a label matrix
      instead (``labels_data``, ``labels_indices``, ``labels_indptr``, ``labels_shape``,
      or a 2-D ``labels``) give, for each node, the column of its one non-zero, or -1 (an
      unlabelled node, scikit-learn's semi-supervised convention) for a row without one.
      If some row has several non-zeros, the data set is multilabel and the target is
      the 0/1 indicator matrix of shape (n_nodes, n_classes) instead.

    The file is read with ``np.load(path, allow_pickle=False)``: a key holding a pickled
    (object) array is an error if it is needed (``adj_*``, ``attr_*``, ``labels*``,
    ``node_names``, ``class_names``); other keys (``attr_names``, ``metadata``) are not read.

    Parameters
    ----------
    path : str or path-like
        The ``.npz`` file, e.g. ``amazon_electronics_photo.npz``.
    binarize : bool, default=True
        Set every positive feature value to 1 (bag-of-words counts become indicators), as
        PyG's ``read_npz`` does. ``False`` keeps the stored values (as float32).

    Returns
    -------
    Bunch with
        graph : Graph with the binary undirected adjacency and CSR float32 features; its
        ``node_names`` are the file's ``node_names`` where it has them,
        target : ndarray of int64 of shape (n_nodes,), the class of each node (-1 where
        unlabelled), or of shape (n_nodes, n_classes) for a multilabel file (see above),
        target_names : ndarray of shape (n_classes,), the file's ``class_names``, else the
        class indices as strings,
        name : str, the file name without ``.npz``.

    Raises
    ------
    FileNotFoundError
        If ``path`` is not a file.
    ValueError
        If the file is not a readable ``.npz`` archive (another kind of file, a single
        ``.npy`` array or a corrupt zip), a needed key is missing or holds a pickled array,
        or the arrays are inconsistent (CSR parts that do not fit their shape, a non-square
        adjacency, row counts that differ from the number of nodes, NaN or infinite values).

    Examples
    --------
    >>> from skgraph.datasets import load_npz
    >>> cora = load_npz("../shared/datasets/npz/cora.npz")  # doctest: +SKIP
    >>> cora.graph.n_nodes, cora.graph.n_edges, cora.graph.n_features  # doctest: +SKIP
    (2708, 5278, 1433)
    >>> cora.target_names[:2].tolist()  # doctest: +SKIP
    ['Case_Based', 'Genetic_Algorithms']
    """
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"{path} is not a file.")
    file = path.name
    # np.load takes any other content for a pickle and says to allow_pickle: tell first
    with open(path, "rb") as f:
        magic = f.read(len(_NPY_MAGIC))
    if magic == _NPY_MAGIC:
        raise ValueError(f"{file} holds a single array (.npy), not an .npz archive of named "
                         "arrays.")
    if not magic.startswith(_ZIP_MAGIC):
        raise ValueError(f"{file} is not a .npz archive: an .npz file is a zip archive of .npy "
                         "arrays, and this file does not start like a zip file.")
    try:
        npz = np.load(path, allow_pickle=False)
    except (ValueError, OSError, EOFError, zipfile.BadZipFile, zlib.error) as exc:
        raise ValueError(f"{file} is not a readable .npz archive: {exc}") from None
    with npz:
        archive = _Archive(npz, file)
        if not any(key.startswith("adj_") for key in archive.keys):
            raise ValueError(f"{file} has no adjacency: expected the keys adj_data, "
                             f"adj_indices, adj_indptr, adj_shape (keys: {sorted(archive.keys)}).")
        adjacency = _csr(archive, "adj")
        n_nodes = adjacency.shape[0]
        if adjacency.shape[1] != n_nodes:
            raise ValueError(f"{file}: the adjacency must be square, adj_shape is "
                             f"{list(adjacency.shape)}.")
        if n_nodes == 0:
            raise ValueError(f"{file}: the graph has no nodes (adj_shape {[0, 0]}).")
        adjacency.data = np.ones(len(adjacency.data), dtype=np.float64)  # weights dropped

        if any(key.startswith("attr_") and key != "attr_names" and key != "attr_matrix"
               for key in archive.keys):
            features = _csr(archive, "attr")
            source = "attr_shape"
        elif "attr_matrix" in archive:
            features = sp.csr_array(archive.numeric("attr_matrix", ndim=2))
            source = "attr_matrix"
        else:
            raise ValueError(f"{file} has no node attributes: expected the keys attr_data, "
                             "attr_indices, attr_indptr, attr_shape (CSR) or attr_matrix "
                             "(dense).")
        if features.shape[0] != n_nodes:
            raise ValueError(f"{file}: {source} gives {features.shape[0]} rows of attributes "
                             f"but the adjacency (adj_shape) has {n_nodes} nodes.")
        features = sp.csr_array(features, dtype=np.float32)
        if binarize:
            features.data[features.data > 0] = 1.0
        features.eliminate_zeros()

        target, n_classes = _target(archive, n_nodes)
        node_names = (_names(archive, "node_names", n_nodes, "nodes")
                      if "node_names" in archive else None)
        if "class_names" in archive:
            target_names = archive["class_names"]
            if target_names.ndim != 1 or len(target_names) < n_classes or (
                    target.ndim == 2 and len(target_names) != n_classes):
                raise ValueError(f"{file}: class_names has shape {target_names.shape} but the "
                                 f"labels have {n_classes} classes.")
        else:
            target_names = np.array([str(c) for c in range(n_classes)])
    return Bunch(graph=Graph(adjacency, features, node_names=node_names), target=target,
                 target_names=target_names, name=path.stem)
