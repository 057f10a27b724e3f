"""Interoperability: networkx and PyG in, networkx / dict / pandas out, keyed by node label."""

import networkx as nx
import numpy as np
import pandas as pd
import pytest
import scipy.sparse as sp
import torch
from torch_geometric.data import Data

from skgraph import VGAEEmbedder, as_graph, embeddings_by_node, to_networkx
from skgraph.datasets import make_community_graph


def _labelled_networkx():
    H = nx.Graph()
    H.add_edge("alice", "bob", weight=2.0)
    H.add_edge("bob", "carol", weight=0.5)
    H.add_edge("carol", "alice")
    H.add_node("dave")  # isolated
    for i, node in enumerate(H.nodes):
        H.nodes[node]["x"] = np.array([i, 1.0 - i])
    return H


def test_to_networkx_keeps_labels_weights_features_and_embeddings():
    H = _labelled_networkx()
    G = as_graph(H)
    Z = np.arange(8, dtype=np.float32).reshape(4, 2)
    out = to_networkx(G, embeddings=Z)
    assert list(out.nodes) == list(H.nodes)
    assert out["alice"]["bob"]["weight"] == 2.0 and out["bob"]["carol"]["weight"] == 0.5
    assert out["carol"]["alice"]["weight"] == 1.0 and out.degree("dave") == 0
    np.testing.assert_array_equal(out.nodes["bob"]["x"], H.nodes["bob"]["x"])
    np.testing.assert_array_equal(out.nodes["carol"]["embedding"], Z[2])
    again = as_graph(out)  # and back: the same graph
    assert (again.adjacency != G.adjacency).nnz == 0
    np.testing.assert_array_equal(again.features, G.features)
    assert list(again.node_names) == list(G.node_names)


def test_to_networkx_without_names_uses_integers_and_dense_sparse_features():
    G, _ = make_community_graph(n_nodes=30, random_state=0)
    G = as_graph((G.adjacency, sp.csr_array(G.features)))
    out = to_networkx(G[[3, 4]])  # a node view converts the whole graph
    assert list(out.nodes) == list(range(30)) and out.number_of_edges() == G.n_edges
    np.testing.assert_allclose(out.nodes[5]["x"], G.features.toarray()[5])
    with pytest.raises(ValueError, match="30 rows"):
        to_networkx(G, embeddings=np.zeros((29, 2)))


def test_embeddings_by_node_dict_and_dataframe_with_real_embeddings():
    H = _labelled_networkx()
    G = as_graph(H)
    Z = VGAEEmbedder(n_components=3, max_epochs=5, device="cpu", random_state=0).fit_transform(G)
    by_node = embeddings_by_node(G, Z)
    assert list(by_node) == ["alice", "bob", "carol", "dave"]
    np.testing.assert_array_equal(by_node["carol"], Z[2])
    frame = embeddings_by_node(G, Z, output="pandas")
    assert isinstance(frame, pd.DataFrame) and list(frame.index) == list(H.nodes)
    assert list(frame.columns) == ["z0", "z1", "z2"]
    np.testing.assert_array_equal(frame.loc["dave"].to_numpy(), Z[3])


def test_embeddings_by_node_follows_a_node_view_and_pandas_output_columns():
    G = as_graph(_labelled_networkx())
    est = VGAEEmbedder(n_components=2, max_epochs=5, device="cpu", random_state=0).fit(G)
    view = G[[3, 0]]
    frame = embeddings_by_node(view, est.set_output(transform="pandas").transform(view),
                               output="pandas")
    assert list(frame.index) == ["dave", "alice"]
    assert list(frame.columns) == ["vgaeembedder0", "vgaeembedder1"]
    with pytest.raises(ValueError, match="'output' parameter of embeddings_by_node must be"):
        embeddings_by_node(G, np.zeros((4, 2)), output="polars")
    with pytest.raises(ValueError, match="2 rows"):
        embeddings_by_node(view, np.zeros((4, 2)))


def test_tuple_node_labels_stay_tuples():
    G = as_graph(nx.grid_2d_graph(2, 3))
    frame = embeddings_by_node(G, np.zeros((6, 1)), output="pandas")
    assert frame.index[0] == (0, 0) and (1, 2) in embeddings_by_node(G, np.zeros((6, 1)))
    assert set(to_networkx(G).nodes) == set(nx.grid_2d_graph(2, 3).nodes)


def test_pyg_data_in():
    edge_index = torch.tensor([[0, 1, 1, 2], [1, 0, 2, 1]])
    data = Data(x=torch.eye(3), edge_index=edge_index, edge_weight=torch.tensor([1., 1., 3., 3.]))
    G = as_graph(data)
    assert G.n_nodes == 3 and G.n_edges == 2 and G.adjacency[1, 2] == 3.0
    np.testing.assert_array_equal(G.features, np.eye(3, dtype=np.float32))
    Z = VGAEEmbedder(n_components=2, max_epochs=5, device="cpu", random_state=0).fit_transform(data)
    assert Z.shape == (3, 2)
    out = to_networkx(data, embeddings=Z)
    assert out[1][2]["weight"] == 3.0 and out.nodes[0]["embedding"].shape == (2,)
