"""Neighbour sampling for mini-batches (skgraph/_neighbour_sampling.py) and mini-batch fits."""

import numpy as np
import pytest
import scipy.sparse as sp
import torch
from sklearn.base import clone
from sklearn.linear_model import LogisticRegression

from skgraph import GNNNodeClassifier, GNNNodeRegressor, Graph, LinkPredictor, VGAEEmbedder
from skgraph._neighbour_sampling import NeighbourSampler
from skgraph._nn._node_networks import NodeNetwork
from skgraph._node_inputs import SubgraphInputs, node_inputs
from skgraph.datasets import make_community_graph
from skgraph.model_selection import train_test_split_edges

pytestmark = pytest.mark.usefixtures("one_thread")


@pytest.fixture(scope="module")
def graph():
    return make_community_graph(n_nodes=300, n_communities=3, p_in=0.06, p_out=0.005,
                                n_features=6, random_state=0)


@pytest.fixture(params=["floyd", "sorted keys"])
def subset_method(request, monkeypatch):
    """Each of the sampler's two ways of drawing a node's neighbours, whatever the batch."""
    monkeypatch.setattr(NeighbourSampler, "_FLOYD_FROM", 0 if request.param == "floyd" else 10**9)
    return request.param


def test_sampled_neighbours_are_distinct_true_neighbours_with_their_weights(graph, subset_method):
    G, _ = graph
    A = G.adjacency
    sampler = NeighbourSampler(A, fanouts=[4])
    nodes = torch.arange(0, 300, 7)
    position, entry, scale = sampler.neighbours(nodes, 4, torch.Generator().manual_seed(0))
    degree = np.diff(A.indptr)
    neighbour = sampler.col[entry].long().numpy()
    for k, node in enumerate(nodes.tolist()):
        mine = neighbour[position.numpy() == k]
        assert len(mine) == min(4, degree[node]) and len(set(mine)) == len(mine)
        assert set(mine) <= set(A.indices[A.indptr[node]:A.indptr[node + 1]])
        assert np.allclose(scale[position == k].numpy(), degree[node] / max(1, len(mine)))


def test_every_neighbour_gives_the_full_graphs_outputs_exactly(graph):
    G, _ = graph
    torch.manual_seed(0)
    seeds = torch.tensor([5, 17, 250, 3])
    for conv, operators in (("gcn", ()), ("sage", ("mean",)), ("gprgnn", ("plain",)),
                            ("appnp", ()), ("gat", ("edges",))):
        hops = 3 if conv in ("gprgnn", "appnp") else 2
        net = NodeNetwork(6, 3, conv=conv, propagation_steps=3).eval()
        full = net(node_inputs(G, "identity", "cpu", operators=operators))[seeds]
        sub = NeighbourSampler(G.adjacency, fanouts=[-1] * hops).sample(seeds)
        assert sub.nodes[:4].tolist() == seeds.tolist()
        subgraphs = SubgraphInputs(G, "identity", "cpu", operators=operators)
        torch.testing.assert_close(net(subgraphs(sub))[:4], full, rtol=1e-5, atol=1e-5)
        trimmed = net(subgraphs(sub, layered=True))  # each hop on the rows the next reads
        assert len(trimmed) == (sub.n_nodes if conv == "gat" else 4)  # attention: edge lists
        torch.testing.assert_close(trimmed[:4], full, rtol=1e-5, atol=1e-5)


def test_a_sampled_aggregation_is_unbiased(graph, subset_method):
    G, _ = graph
    h = torch.randn(300, 5)
    seeds = torch.arange(0, 300, 10)
    inputs = SubgraphInputs(G, "identity", "cpu")
    exact = node_inputs(G, "identity", "cpu").operator @ h
    sampler = NeighbourSampler(G.adjacency, fanouts=[2])
    generator = torch.Generator().manual_seed(1)
    total = torch.zeros(len(seeds), 5)
    draws = 3000
    for _ in range(draws):
        sub = sampler.sample(seeds, generator)
        total += (sub.operator(inputs.gcn_values, inputs.gcn_diagonal) @ h[sub.nodes])[:30]
    torch.testing.assert_close(total / draws, exact[seeds], rtol=0.05, atol=0.05)


def test_sampling_is_repeatable_and_bounded_by_the_fanouts(graph, subset_method):
    G, _ = graph
    sampler = NeighbourSampler(G.adjacency, fanouts=[3, 2])
    seeds = torch.tensor([1, 2, 3, 4])
    a = sampler.sample(seeds, torch.Generator().manual_seed(5))
    b = sampler.sample(seeds, torch.Generator().manual_seed(5))
    assert torch.equal(a.nodes, b.nodes) and torch.equal(a.entry, b.entry)
    assert a.n_nodes <= 4 * (1 + 3 + 3 * 2) and len(a.target) <= 4 * 3 + 4 * 3 * 2
    assert (sampler._local == -1).all()  # its scratch numbering is reset


def test_sampled_subsets_are_uniform_over_every_subset_of_the_fanout(subset_method):
    # each of the C(6, 2) = 15 pairs of the hub's 6 neighbours equally likely
    star = sp.csr_array((np.ones(12), (np.r_[[0] * 6, 1:7], np.r_[1:7, [0] * 6])))
    sampler = NeighbourSampler(star, fanouts=[2])
    draws = 30000
    position, entry, _ = sampler.neighbours(torch.zeros(draws, dtype=torch.long), 2,
                                            torch.Generator().manual_seed(0))
    pairs = sampler.col[entry].long().reshape(draws, 2)
    assert torch.equal(position.reshape(draws, 2)[:, 0], torch.arange(draws))
    assert bool((pairs[:, 0] < pairs[:, 1]).all()) and set(pairs.unique().tolist()) == set(range(1, 7))
    _, counts = torch.unique(pairs[:, 0] * 7 + pairs[:, 1], return_counts=True)
    assert len(counts) == 15
    expected = draws / 15
    assert float(((counts - expected) ** 2 / expected).sum()) < 36.1  # chi2(14) at p = 0.001


def test_hops_are_recorded_and_edges_come_grouped_by_hop_and_target(graph):
    G, _ = graph
    sub = NeighbourSampler(G.adjacency, fanouts=[3, 2]).sample(torch.tensor([9, 4, 120]),
                                                              torch.Generator().manual_seed(2))
    assert sub.hop_nodes[0] == 3 and sub.hop_nodes[-1] == sub.n_nodes and len(sub.hop_edges) == 2
    assert sub.hop_edges[-1] == len(sub.target) and bool((sub.target[1:] >= sub.target[:-1]).all())
    first = slice(0, sub.hop_edges[0])
    assert int(sub.target[first].max()) < sub.hop_nodes[0]  # hop 1 reads into the seeds
    assert int(sub.source[first].max()) < sub.hop_nodes[1]
    assert int(sub.target[sub.hop_edges[0]:].min()) >= sub.hop_nodes[0]


@pytest.mark.parametrize("hidden", [(8,), (8, 6)])
def test_layer_trimmed_operators_give_the_full_graphs_outputs_and_gradients(graph, hidden):
    from skgraph._nn._graph_autoencoder import GCNEncoder

    G, _ = graph
    torch.manual_seed(0)
    encoder = GCNEncoder(6, hidden, 4).eval()
    seeds = torch.tensor([5, 17, 250, 3, 120])
    full = node_inputs(G, "identity", "cpu", scale=2.0)
    expected = encoder.heads(full.features, full.operator)[seeds]
    sub = NeighbourSampler(G.adjacency, fanouts=[-1] * (len(hidden) + 1)).sample(seeds)
    subgraphs = SubgraphInputs(G, "identity", "cpu", scale=2.0)
    trimmed = subgraphs(sub, layered=True)
    assert [op.shape for op in trimmed.operator] == [
        (sub.hop_nodes[k - 1], sub.hop_nodes[k]) for k in range(len(hidden) + 1, 0, -1)]
    out = encoder.heads(trimmed.features, trimmed.operator)
    torch.testing.assert_close(out, expected, rtol=1e-5, atol=1e-5)
    # sampled (fanout 2): the same gradients as the square operator of the same sample
    sub = NeighbourSampler(G.adjacency, fanouts=[2] * (len(hidden) + 1)).sample(
        seeds, torch.Generator().manual_seed(0))
    gradients = []
    for inputs, rows in ((subgraphs(sub, layered=True), slice(None)), (subgraphs(sub), slice(0, 5))):
        encoder.zero_grad()
        encoder.heads(inputs.features, inputs.operator)[rows].square().sum().backward()
        gradients.append([p.grad.clone() for p in encoder.parameters()])
    for trimmed_grad, square_grad in zip(*gradients):
        torch.testing.assert_close(trimmed_grad, square_grad, rtol=1e-5, atol=1e-6)


def test_subgraph_inputs_read_the_graphs_features_without_copying_them(graph):
    G, _ = graph
    inputs = SubgraphInputs(G, "identity", "cpu", scale=4.0)
    assert np.shares_memory(inputs._dense.numpy(), G.features)
    nodes = torch.tensor([3, 0, 299])
    expected = node_inputs(G, "identity", "cpu", scale=4.0).features[nodes]
    assert torch.equal(inputs.features(nodes), expected)  # scaled per batch, bit for bit
    assert np.array_equal(G.features[3], graph[0].features[3])  # the graph is untouched


@pytest.mark.parametrize("make, fit, score", [
    (lambda **kw: GNNNodeClassifier(conv="sage", **kw),
     lambda est, G, y: est.fit(G[::3], y[::3]), lambda est, G, y: est.score(G, y)),
    (lambda **kw: GNNNodeRegressor(conv="gcn", **kw),
     lambda est, G, y: est.fit(G[::3], 10.0 * y[::3]),
     lambda est, G, y: est.score(G, 10.0 * y)),
])
def test_node_estimators_learn_in_mini_batches_and_repeat(graph, make, fit, score):
    G, y = graph
    kwargs = dict(batch_size=16, fanouts=(5, 5), max_epochs=30, random_state=0, device="cpu")
    est = fit(make(**kwargs), G, y)
    assert score(est, G, y) > 0.7
    again = fit(make(**kwargs), G, y)
    assert est.loss_curve_ == again.loss_curve_


@pytest.fixture(scope="module")
def eight_communities():
    """Eight communities with weak features: embedded in 4 dimensions by an untrained
    encoder they mix (held-out edge AUC 0.70, a linear classifier on the embedding 0.15),
    trained they separate (0.92 and 0.91). On ``graph`` an untrained encoder already ranks
    held-out edges as well as a trained one (0.72-0.75)."""
    return make_community_graph(n_nodes=200, n_communities=8, p_in=0.3, p_out=0.005,
                                feature_signal=0.3, random_state=0)


def untrained(estimator):
    """The same estimator, but fitted without learning: one step of a negligible size."""
    return clone(estimator).set_params(max_epochs=1, learning_rate=1e-9)


def test_auto_encoders_learn_in_mini_batches(eight_communities):
    G, y = eight_communities
    G_train, pairs, labels = train_test_split_edges(G, test_size=0.1, random_state=0)
    kwargs = dict(n_components=4, batch_size=128, fanouts=(5, 5), max_epochs=20,
                  random_state=0, device="cpu")
    lp = LinkPredictor(**kwargs).fit(G_train)
    full = LinkPredictor(n_components=4, max_epochs=20, random_state=0, device="cpu").fit(G_train)
    score = lp.score(pairs, labels)
    assert score > max(0.8, full.score(pairs, labels) - 0.03)
    assert score > untrained(lp).fit(G_train).score(pairs, labels) + 0.1

    def accuracy(Z):  # of a linear classifier on the embedding, on the other half of the nodes
        return LogisticRegression(max_iter=500).fit(Z[::2], y[::2]).score(Z[1::2], y[1::2])

    embedder = VGAEEmbedder(**kwargs)
    accuracy_trained = accuracy(embedder.fit_transform(G))
    assert accuracy_trained > 0.7 and accuracy_trained > accuracy(
        untrained(embedder).fit_transform(G)) + 0.3  # chance: 0.125
    assert VGAEEmbedder(**kwargs).fit(G).loss_curve_ == VGAEEmbedder(**kwargs).fit(G).loss_curve_


def test_fanouts_are_validated(graph):
    G, y = graph
    with pytest.raises(ValueError, match="fanouts has 1 entries but conv='sage' with n_layers=2"):
        GNNNodeClassifier(conv="sage", batch_size=8, fanouts=(5,)).fit(G[::3], y[::3])
    with pytest.raises(ValueError, match="fanouts must be positive ints"):
        GNNNodeClassifier(conv="sage", batch_size=8, fanouts=(5, 0)).fit(G[::3], y[::3])
    with pytest.raises(ValueError, match="one per layer"):
        VGAEEmbedder(batch_size=8, fanouts=(5, 5, 5)).fit(G)
    # without batch_size too (they would do nothing: a warning says so)
    with pytest.raises(ValueError, match="fanouts must be positive ints"):
        GNNNodeClassifier(fanouts=(0, -7)).fit(G[::3], y[::3])
    with pytest.raises(ValueError, match="fanouts must be positive ints"):
        VGAEEmbedder(fanouts=(0, 0, 0)).fit(G)
    with pytest.warns(UserWarning, match="fanouts has no effect without batch_size") as caught:
        LinkPredictor(fanouts=(5, 5), max_epochs=2).fit(G)
    assert caught[0].filename == __file__
    # nor counted against the layers then: a search pairs it with full-batch points
    with pytest.warns(UserWarning, match="fanouts has no effect without batch_size"):
        GNNNodeClassifier(n_layers=1, fanouts=(5, 5), max_epochs=2).fit(G[::3], y[::3])
    # a bool is an int to Python, but True is no batch size
    for estimator in (GNNNodeRegressor(batch_size=True), LinkPredictor(batch_size=True)):
        with pytest.raises(ValueError, match="'batch_size' parameter .* Got True instead"):
            estimator.fit(G, y) if isinstance(estimator, GNNNodeRegressor) else estimator.fit(G)
    isolated = Graph(sp.csr_array((4, 4)) + sp.csr_array(([1.0, 1.0], ([0, 1], [1, 0])),
                                                          shape=(4, 4)))
    assert GNNNodeClassifier(conv="gcn", batch_size=2, max_epochs=2).fit(
        isolated, [0, 1, -1, -1]).predict(isolated).shape == (4,)


@pytest.mark.parametrize("features", ["dense", "sparse", "none"])
def test_mini_batch_fits_embed_all_nodes_exactly_a_chunk_of_rows_at_a_time(graph, features,
                                                                           monkeypatch):
    import skgraph._node_inputs as node_inputs_module

    G, _ = graph
    X = {"dense": G.features, "sparse": sp.csr_array(np.where(G.features > 0.5, G.features, 0)),
         "none": None}[features]
    G = Graph(G.adjacency, X)
    est = VGAEEmbedder(batch_size=64, fanouts=(5, 5), max_epochs=3, random_state=0,
                       featureless="degree").fit(G)
    monkeypatch.setattr(node_inputs_module, "_INFERENCE_ROWS", 7)  # 43 chunks, the last one short
    chunked = est.transform(G)
    # the same weights through the whole-graph route (predictions read the fit's record of
    # its parameters: setting est.batch_size would change nothing)
    est._fit_params = {**est._fit_params, "batch_size": None}
    whole = est.transform(G)
    np.testing.assert_allclose(chunked, whole, rtol=1e-5, atol=1e-6)
    assert np.abs(whole).max() > 0.05


@pytest.mark.parametrize("conv, isolated", [("gcn", 0), ("sage", 0), ("gprgnn", 0),
                                             ("appnp", 0), ("gprgnn", 4)])
def test_node_estimators_fitted_in_mini_batches_predict_exactly_a_chunk_at_a_time(
        graph, conv, isolated, monkeypatch):
    import skgraph._node_inputs as node_inputs_module

    G, y = graph
    if isolated:  # nodes without edges: gprgnn gives them a loop, in every route
        A = sp.block_diag([G.adjacency, sp.csr_array((isolated, isolated))], format="csr")
        G = Graph(A, np.vstack([G.features, G.features[:isolated]]))
        y = np.concatenate([y, y[:isolated]])
    est = GNNNodeClassifier(conv=conv, propagation_steps=3, batch_size=16,
                            fanouts=(5,) * (3 if conv in ("gprgnn", "appnp") else 2),
                            max_epochs=5, early_stopping=True, random_state=0,
                            device="cpu").fit(G[::3], y[::3])
    assert len(est.validation_scores_) == len(est.loss_curve_)  # validated on chunked rows
    monkeypatch.setattr(node_inputs_module, "_INFERENCE_ROWS", 7)
    chunked = est.predict_proba(G)
    # the same weights through the whole-graph route (predictions read the fit's record of
    # its parameters: setting est.batch_size would change nothing)
    est._fit_params = {**est._fit_params, "batch_size": None}
    np.testing.assert_allclose(chunked, est.predict_proba(G), rtol=1e-5, atol=1e-6)


def test_auto_encoders_validate_mini_batch_fits_on_chunked_rows(eight_communities):
    G, _ = eight_communities
    est = LinkPredictor(n_components=4, batch_size=64, fanouts=(5, 5), max_epochs=6,
                        early_stopping=True, random_state=0, device="cpu").fit(G)
    assert len(est.validation_scores_) == 6
    # the same held-out edges, scored by the untrained network: 0.70 (trained: 0.87-0.91)
    before = untrained(est).fit(G).validation_scores_
    assert len(before) == 1 and max(est.validation_scores_) > max(0.8, before[0] + 0.1)


def test_edge_dropout_removes_sampled_edges_keeping_hops_grouped(graph):
    G, _ = graph
    sub = NeighbourSampler(G.adjacency, fanouts=[-1, -1]).sample(torch.tensor([9, 4, 120]))
    torch.manual_seed(0)
    kept = sub.without_edges(0.5)
    assert 0 < len(kept.target) < len(sub.target)
    np.testing.assert_allclose(kept.scale.numpy(), 2.0)  # every neighbour, kept at 1 / (1 - p)
    # the kept edges are a subsequence of the sampled ones, still grouped by hop and target
    all_edges = set(zip(sub.entry.tolist(), sub.target.tolist(), sub.source.tolist()))
    assert set(zip(kept.entry.tolist(), kept.target.tolist(), kept.source.tolist())) <= all_edges
    assert kept.hop_edges[-1] == len(kept.target) and kept.hop_nodes == sub.hop_nodes
    first_hop = slice(0, kept.hop_edges[0])
    assert int(kept.target[first_hop].max()) < kept.hop_nodes[0]
    assert int(kept.target[kept.hop_edges[0]:].min()) >= kept.hop_nodes[0]
    subgraphs = SubgraphInputs(G, "identity", "cpu")
    for operator in subgraphs(kept, layered=True).operator:  # layer operators still build
        assert operator.edges._nnz() <= len(kept.target)
