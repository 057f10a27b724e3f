"""Tests of load_npz: the gnn-benchmark .npz format, checked against PyG's read_npz."""

from pathlib import Path

import numpy as np
import pytest
import scipy.sparse as sp
from torch_geometric.io import read_npz

from skgraph import Graph
from skgraph.datasets import load_npz, load_planetoid

DATASETS = Path(__file__).resolve().parents[2] / ".." / "shared" / "datasets"
CORA_NPZ = DATASETS / "npz" / "cora.npz"

# 6 nodes: directed, weighted edges, self loops (0->0, 4->4), 5 isolated; no duplicates
ADJACENCY = np.array([[1, 2.5, 0, 0, 0, 0],
                      [0, 0, 1, 0, 0, 0],
                      [3, 0, 0, 1, 0, 0],
                      [0, 0, 0, 0, 0.5, 0],
                      [0, 1, 0, 0, 2, 0],
                      [0, 0, 0, 0, 0, 0]])
COUNTS = np.array([[0, 3, 1, 0],  # bag-of-words counts, not binary
                   [2, 0, 0, 0],
                   [0, 0, 0, 5],
                   [1, 1, 0, 0],
                   [0, 0, 4, 0],
                   [0, 0, 0, 0]], dtype=np.float32)
LABELS = np.array([0, 2, 1, 0, 2, 1])


def csr_parts(prefix, matrix):
    matrix = sp.csr_matrix(matrix)
    return {f"{prefix}_data": matrix.data, f"{prefix}_indices": matrix.indices,
            f"{prefix}_indptr": matrix.indptr, f"{prefix}_shape": np.array(matrix.shape)}


def write_npz(path, adjacency=ADJACENCY, features=COUNTS, labels=LABELS, **keys):
    """The CSR layout PyG reads; ``keys`` add keys, or remove them when set to None."""
    arrays = {**csr_parts("adj", adjacency), **csr_parts("attr", features), "labels": labels}
    arrays.update(keys)
    np.savez(path, **{k: v for k, v in arrays.items() if v is not None})
    return path


def pyg_edges(data):
    return sorted(map(tuple, data.edge_index.t().tolist()))


def skgraph_edges(graph):
    A = graph.adjacency.tocoo()
    return sorted(zip(A.row.tolist(), A.col.tolist()))


def assert_same_as_pyg(bunch, data):
    """Edge set, features and labels of load_npz equal those of PyG's read_npz."""
    assert isinstance(bunch.graph, Graph)
    assert skgraph_edges(bunch.graph) == pyg_edges(data)
    assert np.unique(bunch.graph.adjacency.data).tolist() == [1.0]
    assert sp.issparse(bunch.graph.features) and bunch.graph.features.dtype == np.float32
    np.testing.assert_array_equal(bunch.graph.features.toarray(), data.x.numpy())
    assert bunch.target.dtype == np.int64
    np.testing.assert_array_equal(bunch.target, data.y.numpy())


def test_matches_read_npz(tmp_path):
    path = write_npz(tmp_path / "toy.npz")
    toy = load_npz(path)
    assert_same_as_pyg(toy, read_npz(str(path)))
    # 0-1, 1-2, 0-2, 2-3, 3-4, 1-4 undirected; self loops 0-0 and 4-4 dropped; 5 isolated
    assert toy.graph.n_nodes == 6 and toy.graph.n_edges == 6
    assert toy.target_names.tolist() == ["0", "1", "2"] and toy.name == "toy"
    assert toy.graph.node_names is None
    assert_same_as_pyg(load_npz(str(path)), read_npz(str(path)))


def test_binarize_false_keeps_the_counts(tmp_path):
    toy = load_npz(write_npz(tmp_path / "toy.npz"), binarize=False)
    assert toy.graph.features.dtype == np.float32
    np.testing.assert_array_equal(toy.graph.features.toarray(), COUNTS)
    # binarize sets positive values to 1 and keeps negative ones, as PyG does
    signed = COUNTS.copy()
    signed[5, 0] = -2.0
    path = write_npz(tmp_path / "signed.npz", features=signed)
    np.testing.assert_array_equal(load_npz(path).graph.features.toarray(),
                                  read_npz(str(path)).x.numpy())
    assert load_npz(path).graph.features[5, 0] == -2.0


def test_stored_entries_are_edges_whatever_their_weight(tmp_path):
    # an explicitly stored zero weight is an edge for PyG (it reads the sparsity pattern)
    parts = csr_parts("adj", ADJACENCY)
    parts["adj_data"] = parts["adj_data"].copy()
    parts["adj_data"][1] = 0.0  # the entry 0->1
    path = write_npz(tmp_path / "zero.npz", **parts)
    assert_same_as_pyg(load_npz(path), read_npz(str(path)))
    assert load_npz(path).graph.adjacency[0, 1] == 1.0


def test_dense_attr_matrix_layout(tmp_path):
    # PyG cannot read this layout: compare with the CSR-layout file PyG reads
    reference = read_npz(str(write_npz(tmp_path / "csr.npz")))
    dense = write_npz(tmp_path / "dense.npz", attr_data=None, attr_indices=None,
                      attr_indptr=None, attr_shape=None, attr_matrix=COUNTS)
    assert "attr_data" not in np.load(dense).files
    assert_same_as_pyg(load_npz(dense), reference)
    np.testing.assert_array_equal(load_npz(dense, binarize=False).graph.features.toarray(),
                                  COUNTS)


def test_sparse_label_matrix_layout(tmp_path):
    # one non-zero per row gives its column; node 5 has none: -1, unlabelled
    target = LABELS.copy()
    target[5] = -1
    reference = read_npz(str(write_npz(tmp_path / "csr.npz", labels=target)))
    matrix = np.zeros((6, 3))
    matrix[np.arange(5), target[:5]] = [1, 1, 2, 1, 1]  # a stored value need not be 1
    path = write_npz(tmp_path / "sparse.npz", labels=None, **csr_parts("labels", matrix))
    sparse = load_npz(path)
    assert_same_as_pyg(sparse, reference)
    assert sparse.target[5] == -1
    assert sparse.target_names.tolist() == ["0", "1", "2"]
    # a dense 2-D "labels" array is the same label matrix
    assert_same_as_pyg(load_npz(write_npz(tmp_path / "dense_labels.npz", labels=matrix)),
                       reference)
    # both other layouts at once (dense attributes, sparse labels)
    both = write_npz(tmp_path / "both.npz", labels=None, attr_data=None, attr_indices=None,
                     attr_indptr=None, attr_shape=None, attr_matrix=COUNTS,
                     **csr_parts("labels", matrix))
    assert_same_as_pyg(load_npz(both), reference)


def test_multilabel_file_gives_an_indicator_matrix(tmp_path):
    matrix = np.zeros((6, 4), dtype=np.float32)
    matrix[np.arange(6), LABELS] = 1
    matrix[2, 3] = 1  # node 2 has two labels
    path = write_npz(tmp_path / "multi.npz", labels=None, **csr_parts("labels", matrix),
                     class_names=np.array(["a", "b", "c", "d"]))
    multi = load_npz(path)
    assert multi.target.shape == (6, 4) and multi.target.dtype == np.int64
    np.testing.assert_array_equal(multi.target, matrix.astype(np.int64))
    assert multi.target_names.tolist() == ["a", "b", "c", "d"]


def test_node_and_class_names(tmp_path):
    names = np.array([f"paper{i}" for i in range(6)])
    path = write_npz(tmp_path / "named.npz", node_names=names,
                     class_names=np.array(["x", "y", "z"]), attr_names=np.array(list("abcd")))
    named = load_npz(path)
    assert named.graph.node_names.tolist() == names.tolist()
    assert named.target_names.tolist() == ["x", "y", "z"]


def test_unread_pickled_keys_are_ignored(tmp_path):
    # gnnbench may store a dict under "metadata": pickled, but never needed
    path = write_npz(tmp_path / "meta.npz", metadata=np.array({"source": "x"}, dtype=object))
    assert load_npz(path).graph.n_nodes == 6


@pytest.mark.parametrize("keys, message", [
    ({"adj_data": None, "adj_indices": None, "adj_indptr": None, "adj_shape": None},
     "has no adjacency"),
    ({"adj_indptr": None}, r"lacks \['adj_indptr'\]"),
    ({"attr_data": None, "attr_indices": None, "attr_indptr": None, "attr_shape": None},
     "has no node attributes"),
    ({"attr_shape": None}, r"lacks \['attr_shape'\]"),
    ({"labels": None}, "has no labels"),
    ({"adj_shape": np.array([6, 7])}, "adjacency must be square"),
    ({"adj_shape": np.array([7, 7])}, "adj_indptr has 7 entries but adj_shape"),
    ({"adj_indices": np.array([0, 1, 9, 0, 3, 4, 1, 4])}, "adj_indices has column indices"),
    ({"adj_data": np.ones(3)}, "adj_data has 3 entries but adj_indices has 8"),
    ({"adj_indptr": np.array([0, 2, 1, 5, 6, 8, 8])}, "adj_indptr is inconsistent"),
    ({"adj_indices": np.array(["a"] * 8)}, "adj_indices' must be an integer array"),
    ({"labels": LABELS[:5]}, "labels has 5 entries but the adjacency"),
    ({"labels": np.array([0, 1, 0, 2, 0.5, 1])}, "fractional"),
    ({"labels": np.array([0, 1, 0, 2, -3, 1])}, "the value -3"),
    ({"labels": np.zeros((6, 2, 2))}, "labels must be 1-D"),
    ({"node_names": np.array(["a", "b"])}, "node_names has shape"),
    ({"class_names": np.array(["a", "b"])}, "class_names has shape"),
    ({"node_names": np.array([None] * 6, dtype=object)}, "'node_names' holds a pickled"),
    ({"labels": np.array([0, 2, 1, 0, 2, "x"], dtype=object)}, "'labels' holds a pickled"),
    ({"attr_data": np.array([1, np.nan, 2, 5, 1, 1, 4], dtype=np.float32)}, "NaN"),
])
def test_malformed_files(tmp_path, keys, message):
    path = write_npz(tmp_path / "bad.npz", **keys)
    with pytest.raises(ValueError, match=message) as info:
        load_npz(path)
    assert "bad.npz" in str(info.value)


def test_attribute_rows_must_match_the_nodes(tmp_path):
    path = write_npz(tmp_path / "bad.npz", features=COUNTS[:5])
    with pytest.raises(ValueError, match="attr_shape gives 5 rows of attributes but the "
                                         "adjacency .adj_shape. has 6 nodes"):
        load_npz(path)
    dense = write_npz(tmp_path / "dense.npz", attr_data=None, attr_indices=None,
                      attr_indptr=None, attr_shape=None, attr_matrix=COUNTS[:5])
    with pytest.raises(ValueError, match="attr_matrix gives 5 rows"):
        load_npz(dense)
    sparse = write_npz(tmp_path / "labels.npz", labels=None,
                       **csr_parts("labels", np.eye(5, 3)))
    with pytest.raises(ValueError, match="label matrix has 5 rows"):
        load_npz(sparse)


def test_corrupt_and_missing_files(tmp_path):
    good = write_npz(tmp_path / "good.npz").read_bytes()
    truncated = tmp_path / "truncated.npz"
    truncated.write_bytes(good[: len(good) // 2])
    with pytest.raises(ValueError, match="truncated.npz is not a readable .npz archive"):
        load_npz(truncated)
    # flip bytes inside a member: the zip's CRC check fails when that key is read
    damaged = bytearray(good)
    start = good.index(b"adj_indices.npy") + len("adj_indices.npy") + 140
    damaged[start:start + 8] = b"\xff" * 8
    (tmp_path / "damaged.npz").write_bytes(bytes(damaged))
    with pytest.raises(ValueError, match="damaged.npz is corrupt: key 'adj_indices'"):
        load_npz(tmp_path / "damaged.npz")
    for content in ("not an archive\n", ""):  # numpy's message here suggests allow_pickle
        (tmp_path / "text.npz").write_text(content)
        with pytest.raises(ValueError, match="text.npz is not a .npz archive") as error:
            load_npz(tmp_path / "text.npz")
        assert "pickle" not in str(error.value)
    np.save(tmp_path / "single.npy", np.arange(3))
    with pytest.raises(ValueError, match="single array"):
        load_npz(tmp_path / "single.npy")
    with pytest.raises(FileNotFoundError, match="missing.npz"):
        load_npz(tmp_path / "missing.npz")


def test_parameter_validation(tmp_path):
    path = write_npz(tmp_path / "toy.npz")
    with pytest.raises(ValueError, match="binarize"):
        load_npz(path, binarize="yes")
    with pytest.raises(TypeError, match="path"):
        load_npz(3)


@pytest.mark.data
@pytest.mark.skipif(not CORA_NPZ.is_file(), reason=f"no {CORA_NPZ}")
def test_cora_npz_matches_read_npz():
    cora = load_npz(CORA_NPZ)
    assert_same_as_pyg(cora, read_npz(str(CORA_NPZ)))
    assert (cora.graph.n_nodes, cora.graph.n_edges, cora.graph.n_features) == (2708, 5278, 1433)
    assert cora.name == "cora" and len(cora.target_names) == 7
    assert cora.target_names[0] == "Case_Based" and cora.graph.node_names[0] == "1000012"
    # the same graph as the Planetoid files (another node order): same sizes, same classes
    if (DATASETS / "Cora").is_dir():
        planetoid = load_planetoid(DATASETS, "Cora")
        assert planetoid.graph.n_edges == cora.graph.n_edges
        assert sorted(np.bincount(planetoid.target)) == sorted(np.bincount(cora.target))
        assert planetoid.graph.features.nnz == cora.graph.features.nnz
