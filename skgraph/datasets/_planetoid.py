"""Reader for the Planetoid citation datasets (Yang et al. 2016): ``ind.<name>.*`` files."""

from __future__ import annotations

import os
import pickle
import warnings
from collections.abc import Mapping
from pathlib import Path

import numpy as np
import scipy.sparse as sp
from sklearn.utils import Bunch
from sklearn.utils._param_validation import validate_params

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


# The globals the published ``ind.*`` pickles name (Python 2, protocol 2: ``numpy.core``,
# ``scipy.sparse.csr``, ``__builtin__``) and those of the same data re-saved by Python 3
# (``numpy._core``, ``scipy.sparse._csr``, ``_codecs.encode`` for bytes, protocol 5's
# ``_frombuffer``): arrays, dtypes, CSR/CSC matrices and the graph's ``defaultdict(list)``
# (neighbours as lists, tuples or sets, as PyG's reader takes them, or 1-D arrays).
_ALLOWED_GLOBALS = frozenset(
    [(f"numpy.{core}.multiarray", name) for core in ("core", "_core")
     for name in ("_reconstruct", "scalar")]
    + [(f"numpy.{core}.numeric", "_frombuffer") for core in ("core", "_core")]
    + [("numpy", "ndarray"), ("numpy", "dtype")]
    + [(f"scipy.sparse.{private}{fmt}", f"{fmt}_{kind}") for private in ("", "_")
       for fmt in ("csr", "csc") for kind in ("matrix", "array")]
    + [("scipy.sparse._arrays", f"{fmt}_array") for fmt in ("csr", "csc")]
    + [("collections", "defaultdict"), ("_codecs", "encode")]
    + [(builtins, name) for builtins in ("__builtin__", "builtins")
       for name in ("list", "set", "frozenset", "object")]
    # protocols 0 and 1 (Python 2's default) build objects through copy_reg: only ever of
    # the classes above, which the unpickler alone can name
    + [("copy_reg", "_reconstructor"), ("copyreg", "_reconstructor")]
)


class _RefusedGlobal(Exception):
    pass


class _PlanetoidUnpickler(pickle.Unpickler):
    """An unpickler that builds only what Planetoid files hold; any other global is refused.

    A pickle runs code only through the globals it names (a function to call, a class to
    build); these are numpy's and scipy's array constructors and ``defaultdict(list)``.
    """

    def find_class(self, module: str, name: str):
        if (module, name) not in _ALLOWED_GLOBALS:
            raise _RefusedGlobal(f"{module}.{name}")
        return super().find_class(module, name)


def _unpickle(path: Path):
    with open(path, "rb") as f, warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        try:
            return _PlanetoidUnpickler(f, encoding="latin1").load()
        except _RefusedGlobal as exc:
            raise ValueError(f"{path} names the Python object {exc}, which no Planetoid file "
                             "holds: refused (load_planetoid builds only numpy arrays, scipy "
                             "CSR/CSC matrices and the graph's dict, and runs no code from its "
                             "files).") from None
        except Exception as exc:  # corrupt or truncated file
            raise ValueError(f"{path} is not a readable Planetoid pickle: {exc}") from None


def _matrix(value, path: Path):
    """``value`` if it is a 2-D numeric ndarray or a valid CSR/CSC matrix, else a ValueError."""
    if sp.issparse(value):  # only CSR/CSC get past the unpickler
        try:
            value.check_format(full_check=True)  # its arrays came from the file unchecked
        except Exception as exc:
            raise ValueError(f"{path} holds a corrupt sparse matrix: {exc}") from None
    elif not isinstance(value, np.ndarray):
        raise ValueError(f"{path} holds a {type(value).__name__}; this Planetoid file holds a "
                         "2-D array or sparse matrix.")
    if value.ndim != 2 or value.dtype.kind not in "biuf":
        raise ValueError(f"{path} holds an array of shape {value.shape} and dtype {value.dtype}; "
                         "this Planetoid file holds a 2-D numeric one.")
    return value


def _is_id(value) -> bool:
    return type(value) is int or isinstance(value, np.integer)


def _graph_edges(adjacency_lists, file: str) -> tuple[np.ndarray, np.ndarray, int]:
    """The (rows, cols) of the graph dict's entries, and its largest node (-1 if none).

    The dict's keys and the neighbours it lists are the graph's nodes.
    """
    if not isinstance(adjacency_lists, Mapping):
        raise ValueError(f"{file} holds a {type(adjacency_lists).__name__}; a Planetoid "
                         "graph file holds a dict of each node's neighbour list.")
    rows, cols = [], []
    for node, neighbours in adjacency_lists.items():
        if not _is_id(node):
            raise ValueError(f"{file} has the key {node!r} ({type(node).__name__}); node ids "
                             "are integers.")
        if isinstance(neighbours, np.ndarray) and neighbours.ndim == 1:
            neighbours = neighbours.tolist()
        elif isinstance(neighbours, (set, frozenset)):
            neighbours = list(neighbours)
        elif not isinstance(neighbours, (list, tuple)):
            raise ValueError(f"{file} maps node {node} to an object of type "
                             f"{type(neighbours).__name__}; each node maps to a list of "
                             "neighbour ids.")
        if not all(map(_is_id, neighbours)):
            bad = next(v for v in neighbours if not _is_id(v))
            raise ValueError(f"{file} lists {bad!r} ({type(bad).__name__}) as a neighbour of "
                             f"node {node}; node ids are integers.")
        rows.extend([node] * len(neighbours))
        cols.extend(neighbours)
    try:
        keys = np.asarray(list(adjacency_lists), dtype=np.int64)
        rows, cols = np.asarray(rows, dtype=np.int64), np.asarray(cols, dtype=np.int64)
    except OverflowError:
        raise ValueError(f"{file} names a node id beyond the 64-bit integers.") from None
    last_node = max(int(keys.max()) if keys.size else -1, int(cols.max()) if cols.size else -1)
    return rows, cols, last_node


def _assemble(allx, ally, tx, ty, test_index: np.ndarray, prefix: str):
    """Features and one-hot labels of every node, each row on its node id.

    Node ``i < len(allx)`` is row ``i`` of ``allx``/``ally``; row ``k`` of ``tx``/``ty``
    belongs to node ``test_index[k]`` (the file is not sorted). Ids inside the test range
    that ``test.index`` does not list (CiteSeer's isolated test nodes, which the GCN
    reference code and PyG pad with zero rows) get no features and no label.
    """
    n_allx, n_test = allx.shape[0], len(test_index)
    if tx.shape[0] != n_test or ty.shape[0] != n_test:
        raise ValueError(f"{prefix}.test.index lists {n_test} test nodes but tx has "
                         f"{tx.shape[0]} rows and ty {ty.shape[0]}; one row per test node.")
    if allx.shape[0] != ally.shape[0]:
        raise ValueError(f"{prefix}.allx has {allx.shape[0]} rows but {prefix}.ally has "
                         f"{ally.shape[0]}.")
    if tx.shape[1] != allx.shape[1] or ty.shape[1] != ally.shape[1]:
        raise ValueError(f"{prefix}.tx/ty have {tx.shape[1]}/{ty.shape[1]} columns but "
                         f"allx/ally have {allx.shape[1]}/{ally.shape[1]}.")
    if len(np.unique(test_index)) != n_test:
        raise ValueError(f"{prefix}.test.index lists a node id more than once.")
    if n_test and test_index.min() < n_allx:
        raise ValueError(f"{prefix}.test.index names node {test_index.min()}, which is a row "
                         f"of allx (ids 0..{n_allx - 1}); test ids must follow them.")
    n = max(n_allx, int(test_index.max()) + 1) if n_test else n_allx
    features = sp.lil_matrix((n, allx.shape[1]), dtype=np.float32)
    features[:n_allx] = allx
    labels = np.zeros((n, ally.shape[1]), dtype=np.int64)
    labels[:n_allx] = np.asarray(ally)
    if n_test:
        features[test_index] = tx
        labels[test_index] = np.asarray(ty)
    return sp.csr_array(features.tocsr(), dtype=np.float32), labels


@validate_params({"directory": [str, os.PathLike], "name": [str]},
                 prefer_skip_nested_validation=True)
def load_planetoid(directory: str | os.PathLike, name: str) -> Bunch:
    """Load a Planetoid dataset (Cora, CiteSeer, PubMed) from its raw ``ind.*`` files.

    Assembly follows the GCN reference code and PyG's ``Planetoid`` reader (and is tested
    equal to it): row ``k`` of ``tx``/``ty`` belongs to node ``test.index[k]`` (the file is
    not sorted), the graph is de-duplicated, stripped of self loops and made undirected,
    and the standard split of Yang et al. (2016) is returned. Ids inside the test range
    that ``test.index`` does not list (CiteSeer's isolated test nodes) get no features and
    the target ``-1`` (unlabelled; PyG pads them the same way but labels them 0).

    The seven pickles are read with a restricted unpickler that builds only what Planetoid
    files hold (numpy arrays, scipy CSR/CSC matrices, the graph's dict of lists) and refuses
    any other Python object a file names: no code from the files runs, unlike with
    ``pickle.load`` (which PyG uses), so files from an untrusted source are safe to read.

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

    Raises
    ------
    FileNotFoundError
        If ``ind.<name>.x`` is in none of the folders searched.
    ValueError
        If a file is corrupt or inconsistent: a pickle naming any object but those above,
        a part of the wrong type (``graph`` a dict of integer lists, the others 2-D numeric
        arrays or sparse matrices), row counts that do not match, or ids out of range (a
        test id repeated, among the ``allx`` rows or beyond the largest node of ``graph``,
        a graph node beyond the last row or test id).

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

    x, y, tx, ty, allx, ally = (_matrix(parts[s], folder / f"{prefix}.{s}")
                                for s in _SUFFIXES[:-1])
    ty, ally = (labels.toarray() if sp.issparse(labels) else labels for labels in (ty, ally))
    rows, cols, last_node = _graph_edges(parts["graph"], f"{prefix}.graph")
    # Checked before anything of the graph's size is allocated: a stray huge id would make it
    # gigabytes. Every data set PyG reads passes: its nodes are 0..max(test.index).
    if len(test_index) and test_index.max() > last_node:
        raise ValueError(f"{prefix}.test.index names node {test_index.max()}, but the largest "
                         f"node of {prefix}.graph (its keys and neighbours) is {last_node}: "
                         "test nodes must be nodes of the graph.")
    features, labels = _assemble(allx, ally, tx, ty, test_index, prefix)
    n = features.shape[0]

    if rows.size and (min(rows.min(), cols.min()) < 0 or max(rows.max(), cols.max()) >= n):
        bad = max(rows.max(), cols.max()) if max(rows.max(), cols.max()) >= n \
            else min(rows.min(), cols.min())
        raise ValueError(f"{prefix}.graph names node {bad} but the dataset has nodes "
                         f"0..{n - 1} (allx rows and test ids).")
    adjacency = sp.csr_array((np.ones(len(rows)), (rows, cols)), shape=(n, n))
    adjacency.data[:] = 1.0  # duplicates were summed: back to binary

    target = np.where(labels.any(axis=1), labels.argmax(axis=1), -1)
    n_train = y.shape[0]
    if n_train + 500 > allx.shape[0]:  # PyG's reader fails on such files too
        raise ValueError(
            f"the standard split's 500 validation nodes follow the {n_train} training nodes "
            f"(ids {n_train}..{n_train + 499}), but {prefix}.allx has {allx.shape[0]} rows: "
            "they would run into the test nodes; these files do not follow the Planetoid "
            "layout.")
    return Bunch(
        graph=Graph(adjacency, sp.csr_array(features, dtype=np.float32)),
        target=target,
        train_idx=np.arange(n_train),
        val_idx=np.arange(n_train, n_train + 500),
        test_idx=np.sort(test_index),
        target_names=np.array([str(c) for c in range(labels.shape[1])]),
        name=name,
    )
