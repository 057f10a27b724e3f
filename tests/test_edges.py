"""The edges of one graph: listing, removing, and the non-edge sampler's two draws."""

import numpy as np
import pytest
import scipy.sparse as sp
import torch

from skgraph import Graph
from skgraph._edges import (
    EdgeSet,
    NonEdgeSampler,
    _merge_sorted,
    remove_edges,
    two_sided,
    upper_edges,
)
from skgraph.datasets import make_community_graph


def random_simple_graph(n: int, density: float, seed: int = 0) -> sp.csr_matrix:
    """A random undirected graph without self loops, as a 0/1 CSR adjacency."""
    A = sp.random(n, n, density=density, random_state=seed, format="csr")
    A = ((A + A.T) > 0).astype(float)
    A.setdiag(0)
    A.eliminate_zeros()
    return A


def test_training_negatives_are_never_edges_nor_self_pairs():
    G, _ = make_community_graph(n_nodes=50, p_in=0.5, p_out=0.2, n_features=0, random_state=0)
    keys = NonEdgeSampler(G.adjacency).training_keys(5000,
                                                      generator=torch.Generator().manual_seed(0))
    src, dst = (keys // 50).numpy().copy(), (keys % 50).numpy().copy()
    assert len(keys) == 5000 and (src != dst).all()
    assert (G.adjacency[src, dst] == 0).all()


def test_training_negatives_cover_the_non_edges_uniformly():
    A = np.zeros((4, 4))
    A[0, 1] = A[1, 0] = 1
    keys = NonEdgeSampler(Graph(A).adjacency).training_keys(
        20000, generator=torch.Generator().manual_seed(1))
    counts = np.bincount(keys.numpy(), minlength=16)
    allowed = [k for k in range(16) if k // 4 != k % 4 and k not in (1, 4)]
    assert set(np.flatnonzero(counts)) == set(allowed)
    assert counts[allowed].min() > 0.8 * 20000 / len(allowed)


def test_held_out_negatives_are_distinct_unordered_non_edges():
    G, _ = make_community_graph(n_nodes=40, p_in=0.3, p_out=0.05, n_features=0, random_state=0)
    exclude = np.array([[0, 1], [5, 2]])
    pairs = NonEdgeSampler(G.adjacency).held_out_pairs(200, np.random.default_rng(0),
                                                        exclude=exclude)
    assert pairs.shape == (200, 2) and (pairs[:, 0] < pairs[:, 1]).all()
    assert len(np.unique(pairs[:, 0] * 40 + pairs[:, 1])) == 200
    assert (G.adjacency[pairs[:, 0], pairs[:, 1]] == 0).all()
    assert not {(0, 1), (2, 5)} & set(map(tuple, pairs.tolist()))
    n_non_edges = 40 * 39 // 2 - G.n_edges
    with pytest.raises(ValueError, match=f"only {n_non_edges} unordered node pairs"):
        NonEdgeSampler(G.adjacency).held_out_pairs(n_non_edges + 1, np.random.default_rng(0))


def test_held_out_negatives_across_kinds_are_uniform_among_such_non_edges():
    # kinds of 1, 2 and 3 nodes, one edge across kinds and one within: 10 allowed pairs
    kinds = np.array([0, 1, 1, 2, 2, 2])
    A = np.zeros((6, 6))
    A[0, 3] = A[3, 0] = A[4, 5] = A[5, 4] = 1
    sampler = NonEdgeSampler(Graph(A).adjacency)
    counts = {}
    for seed in range(4000):
        pair = tuple(sampler.held_out_pairs(1, np.random.default_rng(seed), kinds=kinds)[0])
        counts[pair] = counts.get(pair, 0) + 1
    allowed = {(i, j) for i in range(6) for j in range(i + 1, 6)
               if kinds[i] != kinds[j] and A[i, j] == 0}
    assert set(counts) == allowed and len(allowed) == 10
    assert min(counts.values()) > 0.8 * 400 and max(counts.values()) < 1.2 * 400
    pairs = sampler.held_out_pairs(10, np.random.default_rng(0), kinds=kinds)  # all of them
    assert set(map(tuple, pairs.tolist())) == allowed
    with pytest.raises(ValueError, match="only 10 unordered node pairs of nodes of different "
                                         "kinds that are not edges"):
        sampler.held_out_pairs(11, np.random.default_rng(0), kinds=kinds)


def test_two_sided_finds_bipartite_graphs_with_cycles():
    def graph(edges, n):
        A = np.zeros((n, n))
        for i, j in edges:
            A[i, j] = A[j, i] = 1
        return Graph(A).adjacency

    square = [(0, 1), (1, 2), (2, 3), (3, 0)]
    assert two_sided(graph(square, 4))
    assert two_sided(graph(square + [(5, 6), (6, 7), (7, 8), (8, 5)], 10))  # 2 parts, 1 isolated
    assert not two_sided(graph(square + [(5, 6), (6, 7), (7, 5)], 8))  # and a triangle
    assert not two_sided(graph([(0, 1), (1, 2), (1, 3), (3, 4)], 5))  # a tree: no sign of sides
    long_cycle = [(k, (k + 1) % 1000) for k in range(1000)]  # deep BFS tree
    assert two_sided(graph(long_cycle, 1000))
    assert not two_sided(graph(long_cycle[:-1] + [(998, 0)], 1000))  # a cycle of 999
    G, _ = make_community_graph(n_nodes=60, random_state=0)
    assert not two_sided(G.adjacency)


def test_upper_edges_and_remove_edges():
    A = Graph(np.array([[0, 2, 1, 0], [2, 0, 0, 1], [1, 0, 0, 0], [0, 1, 0, 0]])).adjacency
    pairs, weights = upper_edges(A, weights=True)
    assert pairs.tolist() == [[0, 1], [0, 2], [1, 3]] and weights.tolist() == [2, 1, 1]
    reduced = remove_edges(A, np.array([[1, 0], [0, 1], [2, 3]]))  # twice, and a non-edge
    assert upper_edges(reduced).tolist() == [[0, 2], [1, 3]]
    assert (reduced != reduced.T).nnz == 0 and reduced.has_sorted_indices
    assert (A != Graph(np.array([[0, 2, 1, 0], [2, 0, 0, 1], [1, 0, 0, 0],
                                 [0, 1, 0, 0]])).adjacency).nnz == 0  # not modified


def test_edge_set_membership():
    G, _ = make_community_graph(n_nodes=30, n_features=0, random_state=2)
    edges = EdgeSet(G.adjacency)
    coo = G.adjacency.tocoo()
    assert edges.contains(torch.tensor(coo.row), torch.tensor(coo.col)).all()
    assert not edges.contains(torch.arange(30), torch.arange(30)).any()


def test_training_negatives_come_sorted_and_merge_is_a_sorted_union():
    A = random_simple_graph(200, 0.05)
    keys = NonEdgeSampler(A).training_keys(3000, generator=torch.Generator().manual_seed(0))
    assert keys.shape == (3000,) and bool((keys[1:] >= keys[:-1]).all())
    a, b = torch.tensor([1, 3, 3, 8, 9]), torch.tensor([0, 3, 10])
    assert _merge_sorted(a, b).tolist() == [0, 1, 3, 3, 3, 8, 9, 10]


def test_edge_set_bitmap_answers_membership_exactly():
    rng = np.random.default_rng(0)
    n = 3000
    A = sp.random(n, n, density=0.002, random_state=1, format="csr")
    A = ((A + A.T) > 0).astype(np.float32)
    edges = EdgeSet(A)
    coo = A.tocoo()
    edge_keys = coo.row.astype(np.int64) * n + coo.col
    queries = np.sort(np.concatenate([edge_keys, rng.integers(0, n * n, 50_000),
                                      edge_keys + 1, edge_keys - 1]).clip(0, n * n - 1))
    found = edges.contains_sorted_keys(torch.from_numpy(queries)).numpy()
    assert np.array_equal(found, np.isin(queries, edge_keys))


def test_training_negatives_exact_count_sorted_and_valid_on_a_dense_graph():
    A = random_simple_graph(30, 0.6)
    keys = NonEdgeSampler(A).training_keys(500, generator=torch.Generator().manual_seed(0))
    assert keys.numel() == 500 and bool((keys[1:] >= keys[:-1]).all())
    src, dst = (keys // 30).numpy().copy(), (keys % 30).numpy().copy()
    assert (src != dst).all() and (A.toarray()[src, dst] == 0).all()


def test_edge_set_reads_the_adjacency_in_row_blocks_and_shares_its_arrays(monkeypatch):
    # a hub joined to every node, a path, isolated nodes at both ends; the bitmap is built a
    # few entries at a time, so buckets span blocks, and rows are searched up to degree 58
    n = 60
    hub = [(0, j) for j in range(2, n - 1)]
    path = [(j, j + 1) for j in range(5, 40)]
    rows, cols = np.array(hub + path).T
    A = sp.csr_array((np.ones(2 * len(rows)), (np.r_[rows, cols], np.r_[cols, rows])),
                     shape=(n, n))
    A.sort_indices()
    monkeypatch.setattr(EdgeSet, "_ENTRIES_PER_BLOCK", 7)
    monkeypatch.setattr(EdgeSet, "_BITS_PER_EDGE", 2)  # coarse buckets: many exact searches
    edges = EdgeSet(A)
    assert np.shares_memory(edges.col.numpy(), A.indices)
    src, dst = np.divmod(np.arange(n * n), n)
    found = edges.contains(torch.from_numpy(src), torch.from_numpy(dst)).numpy()
    assert np.array_equal(found, A.toarray().ravel() > 0)
    indices = np.concatenate([A.indices[a:b][::-1] for a, b in zip(A.indptr[:-1], A.indptr[1:])])
    unsorted = sp.csr_array((A.data, indices, A.indptr), shape=A.shape)
    unsorted.has_sorted_indices = False
    before = unsorted.indices.copy()
    queries = torch.from_numpy(src), torch.from_numpy(dst)
    assert np.array_equal(EdgeSet(unsorted).contains(*queries).numpy(), found)
    assert np.array_equal(unsorted.indices, before)  # a sorted copy, not the caller's arrays
