"""Tests of load_tu: the TU graph-classification format."""

from pathlib import Path

import numpy as np
import pytest
import scipy.sparse as sp

from skgraph import Graph
from skgraph.datasets import load_tu

DATASETS = Path(__file__).resolve().parents[2] / ".." / "shared" / "datasets"
needs_data = pytest.mark.skipif(not (DATASETS / "MUTAG").exists(),
                                reason=f"benchmark datasets not found in {DATASETS}")


@pytest.mark.data
@needs_data
def test_mutag():
    mutag = load_tu(DATASETS, "MUTAG")
    assert mutag.name == "MUTAG"
    assert len(mutag.graphs) == 188 and all(isinstance(g, Graph) for g in mutag.graphs)
    assert sum(g.n_nodes for g in mutag.graphs) == 3371
    assert sum(g.n_edges for g in mutag.graphs) == 3721
    assert {g.n_features for g in mutag.graphs} == {7}
    features = np.vstack([g.features for g in mutag.graphs])
    assert np.array_equal(features.sum(axis=1), np.ones(3371))  # one-hot node labels
    assert np.bincount(mutag.target).tolist() == [63, 125]
    assert mutag.target_names.tolist() == [-1, 1]
    # the folder itself works as well as its parent
    assert len(load_tu(DATASETS / "MUTAG", "MUTAG").graphs) == 188


@pytest.mark.data
@pytest.mark.skipif(not (DATASETS / "PROTEINS").exists(), reason=f"no PROTEINS in {DATASETS}")
def test_proteins():
    proteins = load_tu(DATASETS, "PROTEINS")
    assert len(proteins.graphs) == 1113
    assert sum(g.n_nodes for g in proteins.graphs) == 43471
    assert sum(g.n_edges for g in proteins.graphs) == 81044
    assert {g.n_features for g in proteins.graphs} == {4}  # 1 attribute + 3 one-hot labels
    first = proteins.graphs[0].features
    assert np.array_equal(first[:, 1:].sum(axis=1), np.ones(len(first)))
    assert first[0, 0] == 23.0  # the attribute of node 1, " 23.000000"
    assert np.bincount(proteins.target).tolist() == [663, 450]
    assert proteins.target_names.tolist() == [1, 2]
    labels_only = load_tu(DATASETS, "PROTEINS", node_attributes=False)
    assert {g.n_features for g in labels_only.graphs} == {3}
    assert np.array_equal(labels_only.graphs[0].features, first[:, 1:])
    assert np.array_equal(labels_only.target, proteins.target)


def write_tu(folder, name="TOY", **files):
    """Write a small TU dataset: two graphs (nodes 1-3 and 4-5), labels 2 and 7."""
    contents = {
        "A": "1, 2\n2, 1\n2, 3\n3, 2\n1, 2\n4, 5\n5, 4\n",
        "graph_indicator": "1\n1\n1\n2\n2\n",
        "graph_labels": "7\n2\n",
        "node_labels": "0\n1\n0\n2\n0\n",
    }
    contents.update(files)
    folder.mkdir(parents=True, exist_ok=True)
    for suffix, text in contents.items():
        if text is not None:
            (folder / f"{name}_{suffix}.txt").write_text(text)
    return folder


def test_non_contiguous_labels_are_encoded_as_pyg_does(tmp_path):
    # values 3, 5 and 8: shifted by the minimum, 8 - 3 + 1 = 6 columns, 3 of them unused
    write_tu(tmp_path, node_labels="3\n5\n3\n8\n3\n")
    first = load_tu(tmp_path, "TOY").graphs[0]
    assert first.features.tolist() == [[1, 0, 0, 0, 0, 0], [0, 0, 1, 0, 0, 0],
                                       [1, 0, 0, 0, 0, 0]]
    # two label columns: one block each, side by side
    write_tu(tmp_path / "two", node_labels="0, 1\n1, 1\n0, 2\n1, 1\n0, 1\n")
    assert load_tu(tmp_path / "two", "TOY").graphs[0].features.tolist() == [
        [1, 0, 1, 0], [0, 1, 1, 0], [1, 0, 0, 1]]


def test_edge_labels_follow_the_adjacency_entries(tmp_path):
    # edge lines: 1-2 (label 4, twice), 2-3 (label 2), the reverse lines; 4-5 (label 3)
    write_tu(tmp_path, A="1, 2\n2, 1\n2, 3\n3, 2\n1, 2\n4, 5\n5, 4\n",
             edge_labels="4\n4\n2\n2\n4\n3\n3\n",
             edge_attributes="0.5\n0.5\n1.5\n1.5\n0.5\n-1\n-1\n")
    toy = load_tu(tmp_path, "TOY")
    first, second = toy.graphs
    # entries in CSR order: (0,1), (1,0), (1,2), (2,1); columns [attribute, labels 2..4]
    assert first.adjacency.indices.tolist() == [1, 0, 2, 1]
    assert toy.edge_features[0].tolist() == [[0.5, 0, 0, 1], [0.5, 0, 0, 1],
                                             [1.5, 1, 0, 0], [1.5, 1, 0, 0]]
    assert toy.edge_features[1].tolist() == [[-1, 0, 1, 0], [-1, 0, 1, 0]]
    assert toy.edge_features[1].dtype == np.float32
    # one direction listed only: the other takes its values; a self loop line is dropped
    write_tu(tmp_path / "one", A="1, 2\n3, 2\n3, 3\n4, 5\n", edge_labels="1\n2\n1\n1\n")
    one = load_tu(tmp_path / "one", "TOY")
    assert one.edge_features[0].tolist() == [[1, 0], [1, 0], [0, 1], [0, 1]]
    # the two directions disagree: refused, naming the lines and the edge
    write_tu(tmp_path / "bad", A="1, 2\n2, 1\n4, 5\n", edge_labels="1\n2\n1\n")
    with pytest.raises(ValueError, match="TOY_edge_labels.txt lines 1 and 2 .* nodes 1 and 2"):
        load_tu(tmp_path / "bad", "TOY")
    # the error names the file whose column differs, the lines and node ids as in the files
    # (after a self-loop line, with the graphs' nodes listed out of order)
    write_tu(tmp_path / "which", A="1, 2\n2, 1\n4, 5\n", edge_labels="1\n2\n1\n",
             edge_attributes="0.5\n0.5\n1\n")
    with pytest.raises(ValueError, match="TOY_edge_labels.txt lines 1 and 2"):
        load_tu(tmp_path / "which", "TOY")
    write_tu(tmp_path / "order", A="1, 1\n1, 2\n4, 5\n5, 4\n", graph_indicator="2\n2\n2\n1\n1\n",
             node_labels=None, edge_labels="0\n0\n0\n1\n")
    with pytest.raises(ValueError, match="TOY_edge_labels.txt lines 3 and 4 give different "
                                         "values to the undirected edge between nodes 4 and 5"):
        load_tu(tmp_path / "order", "TOY")
    write_tu(tmp_path / "short", edge_labels="1\n2\n")
    with pytest.raises(ValueError, match="TOY_edge_labels.txt has 2 line"):
        load_tu(tmp_path / "short", "TOY")


def test_small_dataset(tmp_path):
    write_tu(tmp_path / "TOY", node_attributes=" 1.5\n 2.0\n 0.0\n-1.0\n 3.0\n")
    toy = load_tu(tmp_path, "TOY")
    first, second = toy.graphs
    assert (first.n_nodes, first.n_edges, second.n_nodes, second.n_edges) == (3, 2, 2, 1)
    assert first.adjacency.max() == 1.0  # the duplicate line "1, 2" is coalesced
    # PyG's columns: the attribute, then the one-hot labels
    assert first.features.tolist() == [[1.5, 1, 0, 0], [2.0, 0, 1, 0], [0.0, 1, 0, 0]]
    assert second.features.tolist() == [[-1.0, 0, 0, 1], [3.0, 1, 0, 0]]
    assert toy.edge_features is None
    assert toy.target.tolist() == [1, 0] and toy.target_names.tolist() == [2, 7]


def test_node_attributes_can_be_left_out(tmp_path):
    # a corrupt attributes file is not even read when the attributes are left out
    write_tu(tmp_path, node_attributes="1.5\nnot a number\n")
    toy = load_tu(tmp_path, "TOY", node_attributes=False)
    assert toy.graphs[0].features.tolist() == [[1, 0, 0], [0, 1, 0], [1, 0, 0]]
    with pytest.raises(ValueError, match="TOY_node_attributes.txt"):
        load_tu(tmp_path, "TOY")
    # without labels either, the graphs are featureless
    write_tu(tmp_path / "bare", node_labels=None, node_attributes="1.0\n2.0\n3.0\n4.0\n5.0\n")
    bare = load_tu(tmp_path / "bare", "TOY", node_attributes=False)
    assert bare.graphs[0].features is None
    assert load_tu(tmp_path / "bare", "TOY").graphs[0].features.tolist() == [[1.0], [2.0], [3.0]]
    with pytest.raises(TypeError, match="'node_attributes' parameter of load_tu must be"):
        load_tu(tmp_path, "TOY", node_attributes="no")


def test_featureless_dataset_gives_featureless_graphs(tmp_path):
    write_tu(tmp_path, node_labels=None)
    toy = load_tu(tmp_path, "TOY")
    assert all(g.features is None for g in toy.graphs)


def test_unsorted_graph_indicator(tmp_path):
    write_tu(tmp_path, A="1, 3\n3, 1\n2, 4\n", graph_indicator="1\n2\n1\n2\n", node_labels=None)
    first, second = load_tu(tmp_path, "TOY").graphs
    assert first.n_nodes == second.n_nodes == 2 and first.n_edges == second.n_edges == 1


@pytest.mark.parametrize("files, message", [
    ({"graph_indicator": "1\n1\n1\n2\n"}, "out of range|node ids"),
    ({"node_labels": "0\n1\n0\n"}, "TOY_node_labels.txt has 3 line"),
    ({"A": "1, 2\n2, x\n"}, "TOY_A.txt is corrupt"),
    ({"A": "1, 2\n2,\n"}, "TOY_A.txt is corrupt"),
    ({"A": "1, 2, 3\n"}, "2 comma-separated column"),
    ({"A": "1, 4\n"}, "edges must stay inside one graph"),
    ({"A": "1, 9\n"}, "ids must be 1..5"),
    ({"graph_indicator": "1\n1\n1\n3\n3\n"}, "ids must be 1..n_graphs"),
    ({"graph_indicator": "1\n1\n1\n1\n1\n", "A": "1, 2\n"}, "graph 2 has no nodes"),
    ({"graph_labels": ""}, "no graphs"),
    ({"graph_labels": "1\nfoo\n"}, "TOY_graph_labels.txt is corrupt"),
])
def test_corrupt_files(tmp_path, files, message):
    write_tu(tmp_path, **files)
    with pytest.raises(ValueError, match=message):
        load_tu(tmp_path, "TOY")


def test_missing_files(tmp_path):
    with pytest.raises(FileNotFoundError, match="TOY_A.txt"):
        load_tu(tmp_path, "TOY")
    write_tu(tmp_path, graph_labels=None)
    with pytest.raises(FileNotFoundError, match="TOY_graph_labels.txt is missing, and so is "
                                                "TOY_graph_attributes.txt"):
        load_tu(tmp_path, "TOY")
    with pytest.raises(TypeError, match="name"):
        load_tu(tmp_path, 3)


def test_regression_dataset_reads_graph_attributes(tmp_path):
    # no graph labels: the graph attributes (one real value per graph) are the target
    write_tu(tmp_path, graph_labels=None, graph_attributes="-0.5\n2.25\n")
    toy = load_tu(tmp_path, "TOY")
    assert toy.target.dtype == np.float64 and toy.target.tolist() == [-0.5, 2.25]
    assert toy.target_names is None
    assert toy.graph_attributes.tolist() == [[-0.5], [2.25]]
    assert [g.n_nodes for g in toy.graphs] == [3, 2]
    # several values per graph: a 2-D target, a copy (not a view of graph_attributes)
    write_tu(tmp_path / "multi", graph_labels=None, graph_attributes="1, 2\n3, 4\n")
    multi = load_tu(tmp_path / "multi", "TOY")
    assert multi.target.shape == (2, 2) and multi.target.tolist() == [[1, 2], [3, 4]]
    multi.target[0, 0] = 9.0
    assert multi.graph_attributes[0, 0] == 1.0


def test_graph_attributes_beside_labels(tmp_path):
    # with labels, the labels stay the target and the attributes come along
    write_tu(tmp_path, graph_attributes="0.5\n1.5\n")
    toy = load_tu(tmp_path, "TOY")
    assert toy.target.tolist() == [1, 0] and toy.target_names.tolist() == [2, 7]
    assert toy.graph_attributes.tolist() == [[0.5], [1.5]]
    assert load_tu(write_tu(tmp_path / "plain"), "TOY").graph_attributes is None


@pytest.mark.parametrize("files, message", [
    ({"graph_attributes": "0.5\n"}, "TOY_graph_attributes.txt has 1 line.*graph_labels.txt has 2"),
    ({"graph_labels": None, "graph_attributes": "0.5\n"},
     "ids from 1 to 2, but TOY_graph_attributes.txt has 1 graphs"),
    ({"graph_labels": None, "graph_attributes": ""}, "TOY_graph_attributes.txt is empty"),
    ({"graph_labels": None, "graph_attributes": "0.5\nnan\n"}, "NaN or infinite"),
    ({"graph_labels": None, "graph_attributes": "0.5\nabc\n"}, "is corrupt"),
])
def test_corrupt_graph_attributes(tmp_path, files, message):
    write_tu(tmp_path, **files)
    with pytest.raises(ValueError, match=message):
        load_tu(tmp_path, "TOY")


def test_regression_dataset_trains_the_graph_regressor(tmp_path):
    # a TU regression data set written from rings: the graph attribute is the ring's size
    from skgraph import GNNGraphRegressor
    sizes = np.random.default_rng(0).integers(3, 12, size=48)
    ends = np.cumsum(sizes)
    starts = ends - sizes
    edges = [(s + i + 1, s + (i + 1) % n + 1) for s, n in zip(starts, sizes) for i in range(n)]
    write_tu(tmp_path, graph_labels=None, node_labels=None,
             A="".join(f"{a}, {b}\n{b}, {a}\n" for a, b in edges),
             graph_indicator="".join(f"{g + 1}\n" * n for g, n in enumerate(sizes)),
             graph_attributes="".join(f"{n}.0\n" for n in sizes))
    data = load_tu(tmp_path, "TOY")
    assert data.target.tolist() == sizes.astype(float).tolist()
    assert [g.n_nodes for g in data.graphs] == sizes.tolist()
    reg = GNNGraphRegressor(max_epochs=60, random_state=0).fit(data.graphs[:40], data.target[:40])
    held_out = reg.predict(data.graphs[40:])
    assert np.abs(held_out - data.target[40:]).max() < 1.0, held_out


# -- the oracle: PyG's TUDataset on the same files -------------------------------------
def _pyg_tu(folder, name):
    """``TUDataset(use_node_attr=True, use_edge_attr=True)`` reading a copy of ``folder``."""
    import shutil
    import tempfile

    from torch_geometric.datasets import TUDataset

    root = Path(tempfile.mkdtemp())
    shutil.copytree(folder, root / name / "raw")
    return TUDataset(str(root), name, use_node_attr=True, use_edge_attr=True)


def _assert_graphs_equal_pyg(ours, dataset, *, edge_features=True):
    """Graph by graph: structure, features, edge features, targets."""
    import torch
    from torch_geometric.utils import to_undirected

    assert len(ours.graphs) == len(dataset)
    for g, (graph, data) in enumerate(zip(ours.graphs, dataset)):
        n = data.num_nodes
        assert graph.n_nodes == n, g
        undirected = to_undirected(data.edge_index, num_nodes=n)
        expected = sp.csr_array((np.ones(undirected.shape[1]), undirected.numpy()), shape=(n, n))
        assert (graph.adjacency != expected).nnz == 0, g
        if data.x is None:
            assert graph.features is None, g
        else:
            np.testing.assert_array_equal(graph.features, data.x.numpy(), err_msg=str(g))
        if data.edge_attr is None or data.edge_attr.shape[1] == 0:
            assert ours.edge_features is None
        elif edge_features:
            # the files list both directions: PyG's coalesced edge_index is the CSR order
            assert torch.equal(data.edge_index, undirected), g
            np.testing.assert_array_equal(ours.edge_features[g], data.edge_attr.numpy())
    y = torch.cat([data.y for data in dataset]).numpy()
    if ours.target_names is None:  # regression: PyG's y is (n_graphs, k) float32
        np.testing.assert_array_equal(ours.target.reshape(len(y), -1).astype(np.float32), y)
    else:
        np.testing.assert_array_equal(ours.target, y)


def _rich_tu(folder, *, repeated_lines=False, graph_labels=True, graph_attributes=False):
    """Three graphs with node labels 2, 5, 9 (non-contiguous), 2 node attributes, edge labels
    1 and 3 and an edge attribute (both directions listed), an isolated node."""
    rng = np.random.default_rng(0)
    sizes, lines = [4, 3, 5], []
    starts = np.cumsum([0] + sizes[:-1]) + 1
    for start, size in zip(starts, sizes):
        for i in range(size - 1):  # a path, the last node of the third graph isolated
            if start == starts[2] and i == size - 2:
                continue
            label = int(rng.choice([1, 3]))
            value = round(float(rng.normal()), 3)
            lines += [(start + i, start + i + 1, label, value), (start + i + 1, start + i, label, value)]
    if repeated_lines:
        lines += lines[:3]
    order = rng.permutation(len(lines))
    lines = [lines[k] for k in order]
    n = sum(sizes)
    files = dict(
        A="".join(f"{a}, {b}\n" for a, b, _, _ in lines),
        edge_labels="".join(f"{lab}\n" for _, _, lab, _ in lines),
        edge_attributes="".join(f"{v}\n" for _, _, _, v in lines),
        graph_indicator="".join(f"{g + 1}\n" * s for g, s in enumerate(sizes)),
        node_labels="".join(f"{int(v)}\n" for v in rng.choice([2, 5, 9], n)),
        node_attributes="".join(f"{a:.4f}, {b:.4f}\n" for a, b in rng.normal(size=(n, 2))),
        graph_labels="5\n-1\n5\n" if graph_labels else None,
    )
    if graph_attributes:
        files["graph_attributes"] = "0.5, 1\n-2, 3\n4.25, 0\n"
    return write_tu(folder, **files)


def test_rich_dataset_equals_pygs_reader(tmp_path):
    folder = _rich_tu(tmp_path / "TOY")
    ours = load_tu(folder, "TOY")
    assert ours.graphs[0].n_features == 2 + 8  # two attributes, labels 2..9
    _assert_graphs_equal_pyg(ours, _pyg_tu(folder, "TOY"))


def test_repeated_edge_lines_equal_pygs_structure(tmp_path):
    # PyG adds up the edge values of repeated lines (a label of 2 in a one-hot column);
    # here a repeated line counts once: structure, features and targets still equal
    folder = _rich_tu(tmp_path / "TOY", repeated_lines=True)
    ours, dataset = load_tu(folder, "TOY"), _pyg_tu(folder, "TOY")
    _assert_graphs_equal_pyg(ours, dataset, edge_features=False)
    single = load_tu(_rich_tu(tmp_path / "single"), "TOY")
    for repeated, once in zip(ours.edge_features, single.edge_features):
        np.testing.assert_array_equal(repeated, once)


def test_regression_dataset_equals_pygs_reader(tmp_path):
    folder = _rich_tu(tmp_path / "TOY", graph_labels=False, graph_attributes=True)
    _assert_graphs_equal_pyg(load_tu(folder, "TOY"), _pyg_tu(folder, "TOY"))


@pytest.mark.data
@pytest.mark.parametrize("name", ["MUTAG", "PROTEINS", "PTC_MR", "IMDB-MULTI", "BZR", "COX2"])
def test_shared_datasets_equal_pygs_reader(name):
    if not (DATASETS / name).exists():
        pytest.skip(f"{name} not found in {DATASETS}")
    _assert_graphs_equal_pyg(load_tu(DATASETS, name), _pyg_tu(DATASETS / name, name))


def test_labels_too_spread_to_one_hot_are_refused(tmp_path):
    # one stray value: 10**11 columns (745 GiB for the 5 nodes) instead of a MemoryError
    write_tu(tmp_path, node_labels="0\n1\n0\n100000000000\n0\n")
    with pytest.raises(ValueError, match=r"TOY_node_labels.txt has labels from 0 to "
                                         r"100000000000: .* takes 100000000001 columns for 3 "
                                         r"distinct value\(s\), 1,862.6 GiB for 5 rows"):
        load_tu(tmp_path, "TOY")
    write_tu(tmp_path / "edges", edge_labels="1\n1\n2\n2\n1\n-99999999999\n-99999999999\n")
    with pytest.raises(ValueError, match="TOY_edge_labels.txt has labels from -99999999999 to 2"):
        load_tu(tmp_path / "edges", "TOY")
    # the bound: wider than 100,000 columns and than 100 per distinct value
    write_tu(tmp_path / "wide", node_labels="0\n0\n0\n0\n99999\n")
    assert load_tu(tmp_path / "wide", "TOY").graphs[1].features.shape == (2, 100_000)  # as PyG
    write_tu(tmp_path / "wide", node_labels="0\n0\n0\n0\n100000\n")
    with pytest.raises(ValueError, match="TOY_node_labels.txt has labels from 0 to 100000:"):
        load_tu(tmp_path / "wide", "TOY")


def test_graph_labels_of_any_size_are_class_names(tmp_path):
    write_tu(tmp_path, graph_labels="100000000000\n-3\n")
    toy = load_tu(tmp_path, "TOY")
    assert toy.target.tolist() == [1, 0] and toy.target_names.tolist() == [-3, 100000000000]
    write_tu(tmp_path, graph_labels="100000000000000000000\n-3\n")  # beyond int64: no wrap
    assert load_tu(tmp_path, "TOY").target_names.tolist() == [-3.0, 1e20]
