"""RandomWalker: DeepWalk's and node2vec's walks, checked against their transition laws."""

import numpy as np
import pytest
import scipy.sparse as sp
import torch

from skgraph import Graph
from skgraph._random_walks import RandomWalker
from skgraph.datasets import make_community_graph


def _graph(weights=None):
    # a square 0-1-2-3-0 with a chord 0-2 and a pendant 4 on node 2; node 5 isolated
    edges = np.array([[0, 1], [1, 2], [2, 3], [3, 0], [0, 2], [2, 4]])
    w = np.ones(len(edges)) if weights is None else np.asarray(weights, float)
    A = sp.coo_array((np.r_[w, w], (np.r_[edges[:, 0], edges[:, 1]],
                                    np.r_[edges[:, 1], edges[:, 0]])), shape=(6, 6))
    return Graph(A).adjacency


def test_walks_follow_edges_and_an_isolated_node_stays():
    A = _graph()
    walks = RandomWalker(A).walks(torch.arange(6).repeat(50), 8,
                                  torch.Generator().manual_seed(0))
    assert walks.shape == (300, 8) and walks.dtype == torch.long
    assert (walks[:, 0] == torch.arange(6).repeat(50)).all()
    steps = walks[:, :-1].reshape(-1).numpy(), walks[:, 1:].reshape(-1).numpy()
    moving = steps[0] != 5
    assert (A[steps[0][moving], steps[1][moving]] > 0).all()
    assert (steps[1][~moving] == 5).all()  # node 5 has no edge: it stays put


@pytest.mark.parametrize("weights", [None, [1, 1, 1, 1, 5, 0.5]])
def test_a_first_order_step_is_drawn_in_proportion_to_the_edge_weights(weights):
    A = _graph(weights)
    n = 200_000
    nxt = RandomWalker(A).walks(torch.full((n,), 2), 2, torch.Generator().manual_seed(1))[:, 1]
    counts = np.bincount(nxt.numpy(), minlength=6)
    expected = A[[2]].toarray().ravel() / A[[2]].sum()
    # within 5 standard deviations of the multinomial frequencies
    np.testing.assert_allclose(counts / n, expected, atol=5 * np.sqrt(0.25 / n))


@pytest.mark.parametrize("rounds, entries", [(20, 1 << 20), (0, 1 << 20), (0, 100_000)])
@pytest.mark.parametrize("p, q", [(0.25, 4.0), (4.0, 0.25), (1.0, 0.5)])
def test_a_second_order_step_follows_node2vec_biases(p, q, rounds, entries, monkeypatch):
    # by rejection then exactly (the defaults), exactly at once (no round), exactly in
    # blocks of 100,000 entries (the walkers at node 2 weigh 4 each: 8 blocks)
    import skgraph._random_walks as random_walks

    monkeypatch.setattr(random_walks, "_MAX_REJECTION_ROUNDS", rounds)
    monkeypatch.setattr(random_walks, "_EXACT_ENTRIES", entries)
    # from 1 to 2 (previous node 1): back to 1 has weight 1/p, to 0 (a neighbour of 1) 1,
    # to 3 and 4 (not neighbours of 1) 1/q; times the edge weights
    weights = [1, 1, 1, 1, 2, 3]  # 0-2 weighs 2, 2-4 weighs 3
    A = _graph(weights)
    n = 200_000
    walker = RandomWalker(A, p=p, q=q)
    walks = walker.walks(torch.full((n,), 1), 3, torch.Generator().manual_seed(2))
    arrived = walks[:, 1] == 2
    third = walks[arrived, 2].numpy()
    alpha = {1: 1 / p, 0: 1.0, 3: 1 / q, 4: 1 / q}
    unnormalised = np.array([alpha.get(x, 0.0) * A[2, x] for x in range(6)])
    expected = unnormalised / unnormalised.sum()
    freq = np.bincount(third, minlength=6) / len(third)
    np.testing.assert_allclose(freq, expected, atol=5 * np.sqrt(0.25 / len(third)))


def test_walks_repeat_for_a_generator_seed():
    G, _ = make_community_graph(n_nodes=2000, n_features=0, random_state=0)
    walker = RandomWalker(G.adjacency, p=0.5, q=2.0)
    starts = torch.arange(2000)
    a = walker.walks(starts, 20, torch.Generator().manual_seed(3))
    b = walker.walks(starts, 20, torch.Generator().manual_seed(3))
    assert torch.equal(a, b)
    assert not torch.equal(a, walker.walks(starts, 20, torch.Generator().manual_seed(4)))


@pytest.mark.parametrize("p, q", [(0.02, 50.0), (50.0, 0.02), (1.0, 50.0)])
def test_extreme_biases_at_a_hub_are_exact(p, q):
    # a star: from leaf 1 through the hub, back to 1 weighs 1/p, to any of the other 199
    # leaves (not neighbours of leaf 1) 1/q; rejection alone accepts rarely here
    leaves = 200
    A = sp.coo_array((np.ones(2 * leaves), (np.r_[np.zeros(leaves, int), 1 + np.arange(leaves)],
                                            np.r_[1 + np.arange(leaves), np.zeros(leaves, int)])))
    n = 40_000
    walks = RandomWalker(Graph(A).adjacency, p=p, q=q).walks(
        torch.full((n,), 1), 3, torch.Generator().manual_seed(5))
    back = float((walks[:, 2] == 1).float().mean())
    expected = (1 / p) / (1 / p + (leaves - 1) / q)
    assert abs(back - expected) < 5 * np.sqrt(expected * (1 - expected) / n) + 1e-3


@pytest.mark.parametrize("p, q", [(1.0, 1.0), (0.5, 2.0)])
def test_weights_of_very_different_scales_elsewhere_do_not_blur_a_nodes_choice(p, q):
    # one heavy edge early in the CSR, then a node whose two edges weigh 1e-10 and 3e-10:
    # running sums over the whole graph lost that node's shares (0.125 / 0.875 seen)
    rows = np.array([0, 2, 2, 3])
    cols = np.array([1, 3, 4, 4])
    w = np.array([1e17, 1e-10, 3e-10, 1.0])
    A = sp.coo_array((np.r_[w, w], (np.r_[rows, cols], np.r_[cols, rows])), shape=(5, 5))
    n = 100_000
    walker = RandomWalker(Graph(A).adjacency, p=p, q=q)
    nxt = walker.walks(torch.full((n,), 2), 2, torch.Generator().manual_seed(6))[:, 1].numpy()
    assert abs(np.mean(nxt == 4) - 0.75) < 0.01
    if (p, q) != (1.0, 1.0):
        # the exact second-order draw, for walkers at a node of huge weights (0, via 5) and
        # at one of small ones (2, via 3) in one block
        import skgraph._random_walks as random_walks

        rows, cols = np.array([0, 0, 2, 2]), np.array([1, 5, 3, 4])
        w = np.array([1e17, 2e17, 1.0, 3.0])
        B = sp.coo_array((np.r_[w, w], (np.r_[rows, cols], np.r_[cols, rows])), shape=(6, 6))
        old = random_walks._MAX_REJECTION_ROUNDS
        random_walks._MAX_REJECTION_ROUNDS = 0
        try:
            walks = RandomWalker(Graph(B).adjacency, p=p, q=q).walks(
                torch.tensor([5, 3]).repeat_interleave(n), 3, torch.Generator().manual_seed(7))
        finally:
            random_walks._MAX_REJECTION_ROUNDS = old
        back = float((walks[n:, 2] == 3).float().mean())
        expected = (1 / p) / (1 / p + 3 / q)  # 4 is no neighbour of 3: 1/q
        assert abs(back - expected) < 0.01, (back, expected)


def test_unsorted_rows_are_sorted_for_the_neighbour_test():
    A = _graph()
    indptr = np.array(A.indptr, dtype=np.int64)
    order = np.concatenate([np.arange(a, b)[::-1] for a, b in zip(indptr[:-1], indptr[1:])])
    shuffled = sp.csr_array((np.array(A.data)[order], np.array(A.indices)[order], indptr),
                            shape=A.shape)
    assert not shuffled.has_sorted_indices
    walker = RandomWalker(shuffled, p=0.5, q=2.0)
    walks = walker.walks(torch.arange(5).repeat(20), 6, torch.Generator().manual_seed(0))
    steps = walks[:, :-1].reshape(-1).numpy().copy(), walks[:, 1:].reshape(-1).numpy().copy()
    assert (A[steps[0], steps[1]] > 0).all()
    t, x = torch.tensor([0, 0, 1]), torch.tensor([1, 4, 3])
    assert walker._are_neighbours(t, x).tolist() == [True, False, False]
