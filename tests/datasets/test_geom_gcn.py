"""Tests of load_geom_gcn: the Geom-GCN text format, checked against PyG's Actor and WebKB."""

import shutil
from pathlib import Path

import numpy as np
import pytest
import scipy.sparse as sp
from torch_geometric.datasets import Actor, WebKB
from torch_geometric.utils import remove_self_loops, to_undirected

from skgraph import Graph
from skgraph.datasets import load_geom_gcn

DATASETS = Path(__file__).resolve().parents[2] / ".." / "shared" / "datasets"

# film flavour: the feature field lists non-zero columns; lines out of id order, column 2
# listed twice on node 3's line
FILM_NODES = ("node_id\tfeature(feature_amount:6)\tlabel\n"
              "3\t2,0,2\t1\n"
              "0\t1,5\t0\n"
              "4\t3\t2\n"
              "1\t0\t1\n"
              "2\t4,1\t0\n")
FILM_FEATURES = np.array([[0, 1, 0, 0, 0, 1],
                          [1, 0, 0, 0, 0, 0],
                          [0, 1, 0, 0, 1, 0],
                          [1, 0, 1, 0, 0, 0],
                          [0, 0, 0, 1, 0, 0]], dtype=np.float32)
FILM_TARGET = [0, 1, 0, 1, 2]
# a self loop (2 2), a duplicate line (0 1), both directions of 1-3; node 4 is isolated
EDGES = "node_id\tnode_id\n0\t1\n1\t2\n2\t2\n0\t1\n1\t3\n3\t1\n3\t0\n"
EDGE_SET = [(0, 1), (0, 3), (1, 0), (1, 2), (1, 3), (2, 1), (3, 0), (3, 1)]
# WebKB flavour: dense 0/1 values, in id order like the published files
WEBKB_FEATURES = np.array([[1, 0, 0, 1], [0, 0, 1, 0], [1, 1, 0, 0], [0, 0, 0, 0],
                           [0, 1, 0, 1]], dtype=np.float32)
WEBKB_TARGET = [4, 0, 3, 3, 1]


def webkb_nodes(order=range(5)):
    lines = [f"{i}\t{','.join(str(int(v)) for v in WEBKB_FEATURES[i])}\t{WEBKB_TARGET[i]}\n"
             for i in order]
    return "node_id\tfeature\tlabel\n" + "".join(lines)


def masks(seed, n_nodes=5):
    """Disjoint train/val/test masks covering every node, as in the published files."""
    part = np.random.default_rng(seed).permutation(np.arange(n_nodes) % 3)
    return {key: part == k for k, key in enumerate(("train_mask", "val_mask", "test_mask"))}


def write_set(folder, name, nodes, edges=EDGES, n_splits=10, split_overrides=None):
    """Write the files of a Geom-GCN set; split i's masks are masks(i), uint8 for odd i
    (the published files mix both dtypes); ``split_overrides`` {i: {key: array or None}}."""
    folder.mkdir(parents=True, exist_ok=True)
    if nodes is not None:
        (folder / "out1_node_feature_label.txt").write_text(nodes)
    if edges is not None:
        (folder / "out1_graph_edges.txt").write_text(edges)
    for i in range(n_splits):
        arrays = {k: m.astype(np.uint8) if i % 2 else m for k, m in masks(i).items()}
        arrays.update((split_overrides or {}).get(i, {}))
        np.savez(folder / f"{name}_split_0.6_0.2_{i}.npz",
                 **{k: v for k, v in arrays.items() if v is not None})
    return folder


def pyg_data(files, name, tmp_path):
    """PyG's reading of a copy of ``files`` in the layout its class expects (no download)."""
    root = tmp_path / f"pyg_{name}"
    if name == "film":
        shutil.copytree(files, root / "raw")
        return Actor(str(root))[0]
    raw_dir = root / name.lower() / "raw"  # WebKB.raw_dir: <root>/<lower-case name>/raw
    shutil.copytree(files, raw_dir)
    dataset = WebKB(str(root), name.capitalize())
    assert Path(dataset.raw_dir) == raw_dir
    return dataset[0]


def edge_set(graph):
    A = graph.adjacency.tocoo()
    return sorted(zip(A.row.tolist(), A.col.tolist()))


def assert_same_as_pyg(bunch, data):
    """Features, labels, the undirected loop-free edge set and every split's masks."""
    assert isinstance(bunch.graph, Graph)
    features = bunch.graph.features
    assert sp.issparse(features) and features.dtype == np.float32
    np.testing.assert_array_equal(features.toarray(), data.x.numpy())
    assert bunch.target.dtype == np.int64
    np.testing.assert_array_equal(bunch.target, data.y.numpy())
    edge_index, _ = remove_self_loops(data.edge_index)
    edge_index = to_undirected(edge_index, num_nodes=data.num_nodes)
    assert edge_set(bunch.graph) == sorted(map(tuple, edge_index.t().tolist()))
    assert len(bunch.splits) == data.train_mask.shape[1]
    for i, split in enumerate(bunch.splits):
        for idx, mask in zip(split, (data.train_mask, data.val_mask, data.test_mask)):
            assert idx.dtype == np.int64 and np.all(np.diff(idx) > 0)
            np.testing.assert_array_equal(idx, np.flatnonzero(mask[:, i].numpy()))


def test_film_flavour_matches_actor(tmp_path):
    files = write_set(tmp_path / "film", "film", FILM_NODES)
    film = load_geom_gcn(tmp_path, "film")
    assert_same_as_pyg(film, pyg_data(files, "film", tmp_path))
    # the lines are placed by node id, not line order; a repeated index is one 1
    np.testing.assert_array_equal(film.graph.features.toarray(), FILM_FEATURES)
    assert film.target.tolist() == FILM_TARGET
    # undirected, the self loop dropped, the duplicate merged, node 4 isolated but kept
    assert edge_set(film.graph) == EDGE_SET and film.graph.n_nodes == 5
    assert film.graph.adjacency.max() == 1.0
    assert len(film.splits) == 10 and film.name == "film"
    train, val, test = film.splits[3]
    assert [train.tolist(), val.tolist(), test.tolist()] == \
        [np.flatnonzero(m).tolist() for m in masks(3).values()]


def test_webkb_flavour_matches_webkb(tmp_path):
    files = write_set(tmp_path / "wisconsin", "wisconsin", webkb_nodes())
    wisconsin = load_geom_gcn(files, "wisconsin")
    assert_same_as_pyg(wisconsin, pyg_data(files, "wisconsin", tmp_path))
    np.testing.assert_array_equal(wisconsin.graph.features.toarray(), WEBKB_FEATURES)
    assert edge_set(wisconsin.graph) == EDGE_SET
    # PyG's WebKB reads features and labels in line order; load_geom_gcn places each line
    # by its node id, so a file with shuffled lines gives the same data set
    shuffled = write_set(tmp_path / "shuffled", "wisconsin", webkb_nodes([2, 0, 4, 1, 3]))
    assert_same_as_pyg(load_geom_gcn(shuffled, "wisconsin"),
                       pyg_data(files, "wisconsin", tmp_path / "again"))


def test_format_is_decided_by_name(tmp_path):
    # the same id-list file read as a WebKB-style set would be ragged dense values
    write_set(tmp_path / "texas", "texas", FILM_NODES)
    with pytest.raises(ValueError, match="line 3 has 2 feature values, the lines before it 3"):
        load_geom_gcn(tmp_path, "texas")
    # "Actor" (PyG's class) names the film files; the name is returned as given
    write_set(tmp_path / "film" / "raw", "film", FILM_NODES)
    actor = load_geom_gcn(tmp_path, "Actor")
    assert actor.name == "Actor" and actor.graph.n_features == 6
    # a node without any feature index gets an all-zero row
    write_set(tmp_path / "empty", "film", FILM_NODES.replace("4\t3\t2", "4\t\t2"))
    empty = load_geom_gcn(tmp_path / "empty", "film")
    assert empty.graph.features[[4]].nnz == 0 and empty.graph.n_features == 6


def test_any_number_of_splits(tmp_path):
    write_set(tmp_path, "film", FILM_NODES, n_splits=3)
    assert len(load_geom_gcn(tmp_path, "film").splits) == 3


def test_missing_files(tmp_path):
    with pytest.raises(FileNotFoundError, match="out1_node_feature_label.txt"):
        load_geom_gcn(tmp_path, "film")
    write_set(tmp_path / "a", "film", FILM_NODES, edges=None)
    with pytest.raises(FileNotFoundError, match="out1_graph_edges.txt is missing"):
        load_geom_gcn(tmp_path / "a", "film")
    write_set(tmp_path / "b", "film", FILM_NODES, n_splits=0)
    with pytest.raises(FileNotFoundError, match="expected film_split_0.6_0.2_0.npz"):
        load_geom_gcn(tmp_path / "b", "film")
    write_set(tmp_path / "c", "film", FILM_NODES, n_splits=4)
    (tmp_path / "c" / "film_split_0.6_0.2_2.npz").unlink()
    with pytest.raises(FileNotFoundError, match="film_split_0.6_0.2_2.npz is missing"):
        load_geom_gcn(tmp_path / "c", "film")


@pytest.mark.parametrize("name, nodes, edges, message", [
    ("film", FILM_NODES.replace("4\t3\t2", "4\t3"), EDGES,
     "out1_node_feature_label.txt line 4: expected 3 tab-separated fields"),
    ("film", FILM_NODES.replace("4\t3\t2", "x\t3\t2"), EDGES,
     "line 4: the node id 'x' is not an integer"),
    ("film", FILM_NODES.replace("4\t3\t2", "4\t3\tactor"), EDGES,
     "line 4: the label 'actor' is not an integer"),
    ("film", FILM_NODES.replace("4\t3\t2", "4\t3,a\t2"), EDGES,
     "line 4: the feature index 'a' is not an integer"),
    ("film", FILM_NODES.replace("4\t3\t2", "4\t-3\t2"), EDGES, "negative feature index -3"),
    ("film", FILM_NODES.replace("4\t3\t2", "1\t3\t2"), EDGES, "id 1 appears more than once"),
    ("film", FILM_NODES.replace("4\t3\t2", "7\t3\t2"), EDGES, "id 7 is out of range"),
    ("wisconsin", webkb_nodes().replace("1,1,0,0", "1,1,0"), EDGES,
     "line 4 has 3 feature values, the lines before it 4"),
    ("wisconsin", webkb_nodes().replace("1,1,0,0", "1,y,0,0"), EDGES,
     "line 4: the features must be comma-separated numbers"),
    ("wisconsin", webkb_nodes().replace("1,1,0,0", "1,nan,0,0"), EDGES, "NaN or infinite"),
    ("film", FILM_NODES, EDGES + "1\t5\n",
     "out1_graph_edges.txt line 9 names a node outside 0..4"),
    ("film", FILM_NODES, EDGES + "1\t2\t3\n",
     "out1_graph_edges.txt line 9: expected 2 whitespace-separated fields"),
    ("film", FILM_NODES, EDGES + "1\tb\n", "out1_graph_edges.txt line 9: the node id 'b'"),
    ("film", "node_id\tfeature\tlabel\n", EDGES, "has no data lines"),
])
def test_malformed_lines(tmp_path, name, nodes, edges, message):
    write_set(tmp_path, name, nodes, edges=edges)
    with pytest.raises(ValueError, match=message):
        load_geom_gcn(tmp_path, name)


@pytest.mark.parametrize("override, message", [
    ({"train_mask": np.ones(4, dtype=bool)}, "train_mask has shape .4,., but the data set "
                                             "has 5 nodes"),
    ({"val_mask": np.array([0, 2, 0, 1, 0])}, "val_mask must be boolean .or 0/1."),
    ({"test_mask": np.ones(5, dtype=bool)}, "a node is in more than one"),
    ({"test_mask": None}, r"lacks \['test_mask'\]"),
    ({"val_mask": np.array([None] * 5, dtype=object)}, "corrupt or holds pickled masks"),
])
def test_malformed_splits(tmp_path, override, message):
    write_set(tmp_path, "film", FILM_NODES, split_overrides={5: override})
    with pytest.raises(ValueError, match=f"film_split_0.6_0.2_5.npz.*{message}"):
        load_geom_gcn(tmp_path, "film")


def test_corrupt_split_file(tmp_path):
    write_set(tmp_path, "film", FILM_NODES)
    (tmp_path / "film_split_0.6_0.2_1.npz").write_bytes(b"PK\x03\x04 truncated")
    with pytest.raises(ValueError, match="film_split_0.6_0.2_1.npz is not a readable .npz"):
        load_geom_gcn(tmp_path, "film")
    np.save(tmp_path / "film_split_0.6_0.2_1.npz", np.ones(5, dtype=bool))
    (tmp_path / "film_split_0.6_0.2_1.npz.npy").rename(tmp_path / "film_split_0.6_0.2_1.npz")
    with pytest.raises(ValueError, match="holds a single array"):
        load_geom_gcn(tmp_path, "film")


def test_parameter_validation(tmp_path):
    with pytest.raises(TypeError, match="name"):
        load_geom_gcn(tmp_path, 3)
    with pytest.raises(TypeError, match="directory"):
        load_geom_gcn(None, "film")


@pytest.mark.data
@pytest.mark.parametrize("name, n_nodes, n_features", [
    ("film", 7600, 932), ("wisconsin", 251, 1703), ("cornell", 183, 1703)])
def test_published_files_match_pyg(tmp_path, name, n_nodes, n_features):
    files = DATASETS / name
    if not files.is_dir():
        pytest.skip(f"no {files}")
    data = load_geom_gcn(DATASETS, name)
    assert_same_as_pyg(data, pyg_data(files, name, tmp_path))
    assert (data.graph.n_nodes, data.graph.n_features, len(data.splits)) == \
        (n_nodes, n_features, 10)
    # film's lines are not in id order (PyG's Actor places them by id); the WebKB files are,
    # so PyG's WebKB, which uses the line order, reads them right too
    lines = (files / "out1_node_feature_label.txt").read_text().split("\n")[1:-1]
    ids = [int(line.split("\t")[0]) for line in lines]
    assert (ids == list(range(n_nodes))) == (name != "film")
    # the published splits hold about 48/32/20 %, not the 60/20/20 % of their file names
    sizes = np.array([[len(part) for part in split] for split in data.splits]) / n_nodes
    assert np.allclose(sizes.mean(axis=0), [0.48, 0.32, 0.20], atol=0.01)
