"""Tests of load_tu: the TU graph-classification format."""

from pathlib import Path

import numpy as np
import pytest

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
    assert {g.n_features for g in proteins.graphs} == {4}  # 3 one-hot labels + 1 attribute
    first = proteins.graphs[0].features
    assert np.array_equal(first[:, :3].sum(axis=1), np.ones(len(first)))
    assert first[0, 3] == 23.0  # the attribute of node 1, " 23.000000"
    assert np.bincount(proteins.target).tolist() == [663, 450]
    assert proteins.target_names.tolist() == [1, 2]
    labels_only = load_tu(DATASETS, "PROTEINS", node_attributes=False)
    assert {g.n_features for g in labels_only.graphs} == {3}
    assert np.array_equal(labels_only.graphs[0].features, first[:, :3])
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


def test_small_dataset(tmp_path):
    write_tu(tmp_path / "TOY", node_attributes=" 1.5\n 2.0\n 0.0\n-1.0\n 3.0\n")
    toy = load_tu(tmp_path, "TOY")
    first, second = toy.graphs
    assert (first.n_nodes, first.n_edges, second.n_nodes, second.n_edges) == (3, 2, 2, 1)
    assert first.adjacency.max() == 1.0  # the duplicate line "1, 2" is coalesced
    assert first.features.tolist() == [[1, 0, 0, 1.5], [0, 1, 0, 2.0], [1, 0, 0, 0.0]]
    assert second.features.tolist() == [[0, 0, 1, -1.0], [1, 0, 0, 3.0]]
    assert toy.target.tolist() == [1, 0] and toy.target_names.tolist() == [2, 7]


def test_node_attributes_can_be_left_out(tmp_path):
    # a corrupt attributes file is not even read when the attributes are left out
    write_tu(tmp_path, node_attributes="1.5\nnot a number\n")
    toy = load_tu(tmp_path, "TOY", node_attributes=False)
    assert toy.graphs[0].features.tolist() == [[1, 0, 0], [0, 1, 0], [1, 0, 0]]
    with pytest.raises(ValueError, match="TOY_node_attributes.txt"):
        load_tu(tmp_path, "TOY")
    # without labels either, the degree default applies
    write_tu(tmp_path / "bare", node_labels=None, node_attributes="1.0\n2.0\n3.0\n4.0\n5.0\n")
    bare = load_tu(tmp_path / "bare", "TOY", node_attributes=False)
    assert np.allclose(bare.graphs[0].features, np.column_stack([np.ones(3), np.log1p([1, 2, 1])]))
    assert load_tu(tmp_path / "bare", "TOY").graphs[0].features.tolist() == [[1.0], [2.0], [3.0]]
    with pytest.raises(TypeError, match="node_attributes must be True or False"):
        load_tu(tmp_path, "TOY", node_attributes="no")


def test_featureless_dataset_gets_degree_features(tmp_path):
    write_tu(tmp_path, node_labels=None)
    toy = load_tu(tmp_path, "TOY")
    expected = np.column_stack([np.ones(3), np.log1p([1, 2, 1])])
    assert np.allclose(toy.graphs[0].features, expected)


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
