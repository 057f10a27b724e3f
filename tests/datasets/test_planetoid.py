import os
import pickle
import shutil

import numpy as np
import pytest
import scipy.sparse as sp

from skgraph.datasets import load_planetoid

from ..conftest import DATASETS, requires_datasets
from ._planetoid_files import write_planetoid


@requires_datasets
@pytest.mark.data
def test_cora_matches_the_published_statistics():
    cora = load_planetoid(DATASETS, "Cora")
    G = cora.graph
    assert G.n_nodes == 2708 and G.n_edges == 5278 and G.features.shape == (2708, 1433)
    assert sp.issparse(G.features) and G.features.nnz == 49216
    assert np.bincount(cora.target).tolist() == [351, 217, 418, 818, 426, 298, 180]
    assert len(cora.train_idx) == 140 and len(cora.val_idx) == 500 and len(cora.test_idx) == 1000
    assert cora.val_idx[0] == 140 and cora.test_idx.min() == 1708 and cora.test_idx.max() == 2707
    assert np.bincount(cora.target[cora.train_idx]).tolist() == [20] * 7
    assert (G.adjacency != G.adjacency.T).nnz == 0 and G.adjacency.diagonal().sum() == 0


@requires_datasets
@pytest.mark.data
def test_parent_folder_and_corrupt_files(tmp_path):
    assert load_planetoid(DATASETS / "Cora", "Cora").graph.n_nodes == 2708
    copy = tmp_path / "Cora"
    shutil.copytree(DATASETS / "Cora", copy)
    (copy / "ind.cora.tx").write_bytes((DATASETS / "Cora" / "ind.cora.tx").read_bytes()[:100])
    with pytest.raises(ValueError, match="not a readable Planetoid pickle"):
        load_planetoid(tmp_path, "Cora")


def test_missing_folder_and_bad_arguments(tmp_path):
    with pytest.raises(FileNotFoundError, match="ind.cora.x"):
        load_planetoid(tmp_path, "Cora")
    with pytest.raises(TypeError, match="'directory' parameter of load_planetoid must be"):
        load_planetoid(3, "Cora")
    with pytest.raises(TypeError, match="name must be a non-empty str"):
        load_planetoid(tmp_path, "")


# -- the oracle: PyG's Planetoid reader on the same files ------------------------------
def _pyg_planetoid(root, name):
    from torch_geometric.datasets import Planetoid

    return Planetoid(str(root), name)[0]


def _undirected_edges(edge_index, n):
    """PyG's edge_index as the set of undirected pairs without self loops (skgraph's graph)."""
    import torch
    from torch_geometric.utils import remove_self_loops, to_undirected

    edge_index, _ = remove_self_loops(torch.as_tensor(edge_index))
    edge_index = to_undirected(edge_index, num_nodes=n)
    return sp.csr_array((np.ones(edge_index.shape[1]), edge_index.numpy()), shape=(n, n))


def _assert_equals_pyg(bunch, data):
    n = data.num_nodes
    G = bunch.graph
    assert G.n_nodes == n
    assert (G.adjacency != _undirected_edges(data.edge_index, n)).nnz == 0
    np.testing.assert_array_equal(G.features.toarray(), data.x.numpy())
    labelled = bunch.target >= 0
    np.testing.assert_array_equal(bunch.target[labelled], data.y.numpy()[labelled])
    for ours, mask in ((bunch.train_idx, data.train_mask), (bunch.val_idx, data.val_mask),
                       (bunch.test_idx, data.test_mask)):
        np.testing.assert_array_equal(np.sort(ours), np.flatnonzero(mask.numpy()))


def test_gaps_in_the_test_range_equal_pygs_reader(tmp_path):
    """CiteSeer-style files: test ids without a row (padded, unlabelled) and unsorted.

    The graph has duplicate neighbour entries, self loops, an edge listed from one end
    only, nodes that appear only as neighbours and isolated nodes. PyG pads the gaps only
    for a data set named CiteSeer, as the GCN reference code does.
    """
    rng = np.random.default_rng(1)
    listed = rng.permutation(np.r_[520:530, 532:545, 548:560])  # 534 ... : gaps 530-531, 545-547
    lists = {i: [(i + 1) % 560, (i + 7) % 560] for i in range(0, 560, 2)}
    lists[4] = [5, 5, 4, 9]  # a duplicate and a self loop
    lists[6] = [401]  # 401 is listed only as a neighbour (odd ids are never keys)
    lists[10] = []  # with 11 now isolated too (9 still lists 10? odd: never a key)
    parts, test_ids = write_planetoid(tmp_path / "CiteSeer" / "raw", "CiteSeer",
                                      test_ids=listed, adjacency_lists=lists)
    ours = load_planetoid(tmp_path, "CiteSeer")
    data = _pyg_planetoid(tmp_path, "CiteSeer")
    _assert_equals_pyg(ours, data)
    # the padded ids: in the test range, not listed: no features and no label
    gaps = [530, 531, 545, 546, 547]
    assert (ours.target[gaps] == -1).all() and ours.graph.features[gaps].nnz == 0
    assert (ours.target >= 0).sum() == 520 + len(listed)
    # every test node carries its own row of tx/ty, whatever the order of test.index
    tx, ty = parts["tx"].toarray(), parts["ty"].argmax(axis=1)
    np.testing.assert_array_equal(ours.graph.features[test_ids].toarray(), tx)
    np.testing.assert_array_equal(ours.target[test_ids], ty)
    assert ours.graph.adjacency[4, 4] == 0 and ours.graph.adjacency[4, 5] == 1
    assert ours.graph.adjacency[401, 6] == 1  # made undirected


def test_unsorted_test_index_without_gaps_equals_pygs_reader(tmp_path):
    parts, test_ids = write_planetoid(tmp_path / "Pubmed" / "raw", "Pubmed", seed=3)
    ours, data = load_planetoid(tmp_path, "Pubmed"), _pyg_planetoid(tmp_path, "Pubmed")
    _assert_equals_pyg(ours, data)
    assert (ours.target >= 0).all()
    np.testing.assert_array_equal(ours.target[test_ids], parts["ty"].argmax(axis=1))


@requires_datasets
@pytest.mark.data
def test_cora_equals_pygs_reader(tmp_path):
    shutil.copytree(DATASETS / "Cora", tmp_path / "Cora" / "raw")
    _assert_equals_pyg(load_planetoid(DATASETS, "Cora"), _pyg_planetoid(tmp_path, "Cora"))


def test_inconsistent_files_are_refused(tmp_path):
    write_planetoid(tmp_path, "Toy", test_ids=[520, 521, 521, 522] + list(range(523, 559)))
    with pytest.raises(ValueError, match="more than once"):
        load_planetoid(tmp_path, "Toy")
    write_planetoid(tmp_path, "Toy", test_ids=[3] + list(range(521, 560)))
    with pytest.raises(ValueError, match="row of allx"):
        load_planetoid(tmp_path, "Toy")
    write_planetoid(tmp_path, "Toy", adjacency_lists={0: [900]})
    with pytest.raises(ValueError, match="names node 900"):
        load_planetoid(tmp_path, "Toy")
    write_planetoid(tmp_path, "Toy", adjacency_lists=[[1], [0]])
    with pytest.raises(ValueError, match="toy.graph holds a list; a Planetoid graph file "
                                         "holds a dict"):
        load_planetoid(tmp_path, "Toy")
    # 500 validation ids after the training ids must be rows of allx, not test nodes
    write_planetoid(tmp_path, "Toy", n_allx=400, test_ids=list(range(400, 440)))
    with pytest.raises(ValueError, match="500 validation nodes follow the 10 training nodes "
                                         r"\(ids 10..509\), but ind.toy.allx has 400 rows"):
        load_planetoid(tmp_path, "Toy")


# -- hostile and malformed files -------------------------------------------------------
_RAN = []


def _record(*args):
    _RAN.append(args)


class _Calls:
    """Pickles as a call of ``function(*args)``: what a crafted file runs on ``pickle.load``."""

    def __init__(self, function, *args):
        self.function, self.args = function, args

    def __reduce__(self):
        return self.function, self.args


@pytest.mark.parametrize("suffix", ["ty", "allx", "graph"])
@pytest.mark.parametrize("protocol", [0, 2, 5])
def test_crafted_pickles_run_no_code(tmp_path, suffix, protocol):
    write_planetoid(tmp_path, "Toy")
    target = tmp_path / f"ind.toy.{suffix}"
    marker = tmp_path / "ran"
    for payload, refused in [(_Calls(_record, "ran"), f"{__name__}._record"),
                             (_Calls(os.system, f"touch {marker}"), "system"),
                             # the harmful call nested inside what the file should hold
                             ({0: [1, _Calls(_record, "nested")]}, "_record")]:
        target.write_bytes(pickle.dumps(payload, protocol=protocol))
        with pytest.raises(ValueError, match=rf"ind.toy.{suffix} names the Python object "
                                             rf"\S*{refused}, which no Planetoid file holds"):
            load_planetoid(tmp_path, "Toy")
    assert _RAN == [] and not marker.exists()


def test_files_of_the_wrong_type_are_refused(tmp_path):
    parts, _ = write_planetoid(tmp_path, "Toy")

    def refused(suffix, value, message):
        with open(tmp_path / f"ind.toy.{suffix}", "wb") as f:
            pickle.dump(value, f, protocol=2)
        with pytest.raises(ValueError, match=message):
            load_planetoid(tmp_path, "Toy")
        with open(tmp_path / f"ind.toy.{suffix}", "wb") as f:
            pickle.dump(parts[suffix], f, protocol=2)

    refused("ty", {"a": 1}, "ind.toy.ty holds a dict; this Planetoid file holds a 2-D array")
    refused("x", None, "ind.toy.x holds a NoneType")
    refused("ally", parts["ally"][:, 0], r"ind.toy.ally holds an array of shape \(520,\)")
    refused("tx", np.array([["a"]]), "ind.toy.tx holds an array .* dtype <U1")
    bad = parts["allx"].copy()
    bad.indices[0] = 99  # beyond its 12 columns: pickle keeps it as it is
    refused("allx", bad, "ind.toy.allx holds a corrupt sparse matrix")
    graph = parts["graph"]
    refused("graph", {**graph, 3: [0, "5"]},
            r"ind.toy.graph lists '5' \(str\) as a neighbour of node 3; node ids are integers")
    refused("graph", {**graph, 3: [0, 2.0]}, r"lists 2.0 \(float\) as a neighbour of node 3")
    refused("graph", {**graph, "3": [0]}, r"ind.toy.graph has the key '3' \(str\)")
    refused("graph", {**graph, 3: 7},
            "ind.toy.graph maps node 3 to an object of type int; each node maps to a list")
    refused("graph", {**graph, 3: [2**70]}, "ind.toy.graph names a node id beyond the 64-bit")
    assert load_planetoid(tmp_path, "Toy").graph.n_nodes == 560  # all restored


def test_test_ids_beyond_the_graph_are_refused(tmp_path):
    lists = {i: [i + 1] for i in range(559)}
    write_planetoid(tmp_path, "Toy", adjacency_lists=lists)
    index = tmp_path / "ind.toy.test.index"
    ids = index.read_text().split()
    # one huge id would have made the assembly allocate gigabytes
    index.write_text("\n".join(["1000000000"] + ids[1:]))
    with pytest.raises(ValueError, match="ind.toy.test.index names node 1000000000, but the "
                                         r"largest node of ind.toy.graph \(its keys and "
                                         "neighbours\\) is 559"):
        load_planetoid(tmp_path, "Toy")
    # one past the graph, and the same ids against a graph whose last node is a key only
    index.write_text("\n".join(["560"] + ids[1:]))
    with pytest.raises(ValueError, match="names node 560, but the largest node .* is 559"):
        load_planetoid(tmp_path, "Toy")
    write_planetoid(tmp_path, "Toy", adjacency_lists={**lists, 560: []},
                    test_ids=[560] + [int(i) for i in ids[1:]])
    assert load_planetoid(tmp_path, "Toy").graph.n_nodes == 561


def test_files_resaved_by_python3_equal_pygs_reader(tmp_path):
    """Protocol 5 (numpy's ``_frombuffer``) and sparse label matrices, which PyG reads too."""
    folder = tmp_path / "Pubmed" / "raw"
    parts, _ = write_planetoid(folder, "Pubmed", seed=4)
    for suffix, value in parts.items():
        if suffix in ("y", "ty", "ally"):
            value = sp.csr_matrix(value)
        with open(folder / f"ind.pubmed.{suffix}", "wb") as f:
            pickle.dump(value, f, protocol=5)
    _assert_equals_pyg(load_planetoid(tmp_path, "Pubmed"), _pyg_planetoid(tmp_path, "Pubmed"))


@pytest.mark.parametrize("protocol", [0, 1])
def test_python2_default_protocols_and_other_neighbour_containers_equal_pygs_reader(
        tmp_path, protocol):
    """Python 2's ``pickle.dump`` wrote protocol 0 (scipy matrices through copy_reg); a
    graph dict may hold sets, tuples or arrays of neighbours, as PyG's reader takes."""
    folder = tmp_path / "Pubmed" / "raw"
    parts, _ = write_planetoid(folder, "Pubmed", seed=5)
    graph = parts["graph"]
    for k, node in enumerate(sorted(graph)[:30]):
        graph[node] = (set, tuple)[k % 2](graph[node])
    for suffix, value in parts.items():
        with open(folder / f"ind.pubmed.{suffix}", "wb") as f:
            pickle.dump(value, f, protocol=protocol)
    ours = load_planetoid(tmp_path, "Pubmed")
    _assert_equals_pyg(ours, _pyg_planetoid(tmp_path, "Pubmed"))
    # neighbours as arrays (which PyG's reader does not take) read as the same lists
    with open(folder / "ind.pubmed.graph", "wb") as f:
        pickle.dump({node: np.asarray(list(v), dtype=np.int64) for node, v in graph.items()},
                    f, protocol=protocol)
    assert (load_planetoid(tmp_path, "Pubmed").graph.adjacency != ours.graph.adjacency).nnz == 0
