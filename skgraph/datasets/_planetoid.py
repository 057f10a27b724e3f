"""Reader for the Planetoid citation datasets (Yang et al. 2016): ``ind.<name>.*`` files."""

from __future__ import annotations

import os
import pickle
import warnings
from pathlib import Path

import numpy as np
import scipy.sparse as sp
from sklearn.utils import Bunch

from .._graph import Graph

__all__ = ["load_planetoid"]

_SUFFIXES = ("x", "y", "tx", "ty", "allx", "ally", "graph")


def _resolve_folder(directory: str | os.PathLike, name: str, probe: str) -> Path:
    """``directory`` itself or ``directory/name`` (or ``directory/name/raw``), whichever holds ``probe``."""
    if not isinstance(directory, (str, os.PathLike)):
        raise TypeError(f"directory must be a path, got {type(directory).__name__}.")
    if not isinstance(name, str) or not name:
        raise TypeError(f"name must be a non-empty str, got {name!r}.")
    base = Path(directory)
    for folder in (base, base / name, base / name / "raw"):
        if (folder / probe).is_file():
            return folder
    raise FileNotFoundError(f"no {probe} in {base}, {base / name} or {base / name / 'raw'}.")


def _unpickle(path: Path):
    with open(path, "rb") as f, warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        try:
            return pickle.load(f, encoding="latin1")
        except Exception as exc:  # corrupt or truncated file
            raise ValueError(f"{path} is not a readable Planetoid pickle: {exc}") from None


def load_planetoid(directory: str | os.PathLike, name: str) -> Bunch:
    """Load a Planetoid dataset (Cora, CiteSeer, PubMed) from its raw ``ind.*`` files.

    Assembly follows the GCN reference code and PyG: test rows are reordered to their
    node ids, the graph is symmetrised and de-duplicated, and the standard split of
    Yang et al. (2016) is returned.

    Parameters
    ----------
    directory : path
        Folder holding ``ind.<name>.*`` (or a parent with a ``<name>/`` subfolder).
    name : str
        Dataset name, e.g. ``"Cora"`` (file names use its lower case).

    Returns
    -------
    Bunch with
        graph : Graph with sparse binary features,
        target : ndarray of int (n_nodes,), class per node (-1 where unlabelled),
        train_idx, val_idx, test_idx : int ndarrays of the standard split,
        target_names : class indices as strings.

    Examples
    --------
    >>> from skgraph.datasets import load_planetoid
    >>> cora = load_planetoid("../shared/datasets", "Cora")  # doctest: +SKIP
    >>> cora.graph.n_nodes, len(cora.train_idx), len(cora.test_idx)  # doctest: +SKIP
    (2708, 140, 1000)
    """
    prefix = f"ind.{name.lower()}" if isinstance(name, str) else name
    folder = _resolve_folder(directory, name, f"{prefix}.x")
    parts = {s: _unpickle(folder / f"{prefix}.{s}") for s in _SUFFIXES}
    try:
        test_index = np.loadtxt(folder / f"{prefix}.test.index", dtype=np.int64, ndmin=1)
    except (OSError, ValueError) as exc:
        raise ValueError(f"{prefix}.test.index is missing or malformed: {exc}") from None

    x, y, tx, ty, allx, ally, adjacency_lists = (parts[s] for s in _SUFFIXES)
    test_range = np.arange(test_index.min(), test_index.max() + 1)
    if len(test_range) > tx.shape[0]:  # CiteSeer: isolated test ids without rows
        tx_full = sp.lil_matrix((len(test_range), tx.shape[1]))
        tx_full[test_index - test_index.min(), :] = tx
        tx = tx_full
        ty_full = np.zeros((len(test_range), ty.shape[1]))
        ty_full[test_index - test_index.min(), :] = ty
        ty = ty_full
    features = sp.vstack([allx, tx]).tolil()
    labels = np.vstack([ally, ty])
    order = np.sort(test_index)
    features[test_index, :] = features[order, :]
    labels[test_index, :] = labels[order, :]
    n = features.shape[0]

    rows, cols = [], []
    for node, neighbours in adjacency_lists.items():
        rows.extend([node] * len(neighbours))
        cols.extend(neighbours)
    rows, cols = np.asarray(rows, dtype=np.int64), np.asarray(cols, dtype=np.int64)
    if rows.size and max(rows.max(), cols.max()) >= n:
        raise ValueError(f"{prefix}.graph names node {max(rows.max(), cols.max())} but the "
                         f"features have {n} rows.")
    adjacency = sp.csr_array((np.ones(len(rows)), (rows, cols)), shape=(n, n))
    adjacency.data[:] = 1.0  # duplicates were summed: back to binary

    target = np.where(labels.any(axis=1), labels.argmax(axis=1), -1)
    n_train = y.shape[0]
    return Bunch(
        graph=Graph(adjacency, sp.csr_array(features, dtype=np.float32)),
        target=target,
        train_idx=np.arange(n_train),
        val_idx=np.arange(n_train, n_train + 500),
        test_idx=np.sort(test_index),
        target_names=np.array([str(c) for c in range(labels.shape[1])]),
        name=name,
    )
