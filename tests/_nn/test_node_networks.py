"""Node-level networks (skgraph/_nn/_node_networks.py): several dropout passes at once."""

import numpy as np
import pytest
import scipy.sparse as sp
import torch

from skgraph import Graph
from skgraph._nn._node_networks import NODE_CONVOLUTIONS, NodeNetwork
from skgraph._nn._propagation import IdentityFeatures, SparseOperator
from skgraph._node_inputs import node_inputs
from skgraph.datasets import make_community_graph

OPERATORS = {"gcn": (), "sage": ("mean",), "gat": ("edges",), "appnp": (), "gprgnn": ("plain",)}


def _graph(features: str) -> Graph:
    G, _ = make_community_graph(n_nodes=60, n_communities=3, p_in=0.2, p_out=0.02,
                                n_features=40, random_state=0)
    if features == "sparse":  # one stored entry in twenty: kept sparse on the CPU
        X = sp.random(60, 40, density=0.05, random_state=1, format="csr", dtype=np.float32)
        return Graph(G.adjacency, X)
    return Graph(G.adjacency) if features == "identity" else G


@pytest.mark.parametrize("features", ["dense", "sparse", "identity"])
@pytest.mark.parametrize("conv", NODE_CONVOLUTIONS)
def test_passes_without_dropout_are_the_forward_pass_outputs_and_gradients(conv, features):
    torch.manual_seed(0)
    G = _graph(features)
    inputs = node_inputs(G, "identity", "cpu", operators=OPERATORS[conv])
    if features == "sparse":
        assert isinstance(inputs.features, SparseOperator)
    if features == "identity":
        assert isinstance(inputs.features, IdentityFeatures)
    width = inputs.features.shape[1]
    for training in (False, True):  # with gradients (training) or without
        net = NodeNetwork(width, 3, conv=conv, dropout=0.0, propagation_steps=4)
        net.train(training)
        single = net(inputs)
        passes = net.passes(inputs, 3)
        assert len(passes) == 3
        for out in passes:
            torch.testing.assert_close(out, single, rtol=1e-5, atol=1e-5)
        if training:
            upstream = torch.randn_like(single)
            grads = torch.autograd.grad((single * upstream).sum(), list(net.parameters()))
            together = torch.autograd.grad(sum((out * upstream).sum() for out in passes),
                                           list(net.parameters()))
            for one, three in zip(grads, together):
                torch.testing.assert_close(three, 3 * one, rtol=1e-4, atol=1e-5)


@pytest.mark.parametrize("features", ["dense", "sparse"])
def test_each_pass_takes_its_own_dropout(features):
    torch.manual_seed(0)
    G = _graph(features)
    inputs = node_inputs(G, "identity", "cpu", operators=("plain",))
    net = NodeNetwork(40, 3, conv="gprgnn", dropout=0.5).train()
    first, second = net.passes(inputs, 2)
    assert first.shape == second.shape == (60, 3)
    assert not torch.allclose(first, second)
    net.eval()  # and the same network agrees with itself without dropout
    first, second = net.passes(inputs, 2)
    torch.testing.assert_close(first, second)


@pytest.mark.parametrize("features", ["dense", "sparse"])
@pytest.mark.parametrize("conv", ["appnp", "gprgnn"])
def test_stacked_passes_keep_each_pass_apart(conv, features, monkeypatch):
    # the input "dropout" of pass k multiplies the features by k + 1: each pass must then
    # be the network's output on those features (rows stacked, columns side by side and
    # back, never one pass's rows or columns in another's)
    from skgraph._nn import _node_networks

    G = _graph(features)
    n = G.n_nodes
    calls = []

    def scaled_input(x, p, training):
        if not training:
            return x
        if isinstance(x, SparseOperator):  # the passes' rows stacked: block k times k + 1
            copies = x.shape[0] // n
            block = np.repeat(np.arange(1, copies + 1, dtype=np.float32), n)
            dense = x.matrix.to_dense().numpy() * block[:, None]
            return SparseOperator(sp.csr_array(dense))
        calls.append(None)
        return x * len(calls)

    monkeypatch.setattr(_node_networks, "_dropout_input", scaled_input)
    torch.manual_seed(0)
    inputs = node_inputs(G, "identity", "cpu", operators=OPERATORS[conv])
    net = NodeNetwork(40, 3, conv=conv, dropout=0.0, propagation_steps=4).train()
    passes = net.passes(inputs, 3)
    X = G.features.toarray() if sp.issparse(G.features) else G.features
    for k, out in enumerate(passes, 1):
        scaled = node_inputs(Graph(G.adjacency, X * k), "identity", "cpu",
                             operators=OPERATORS[conv])
        torch.testing.assert_close(out, net.eval()(scaled), rtol=1e-4, atol=1e-5)
        net.train()


@pytest.mark.parametrize("conv", ["appnp", "gprgnn", "sage"])
def test_first_layer_weight_is_input_major_and_its_state_is_unchanged(conv):
    """Sparse features multiply W^T, stored contiguous; state dicts keep nn.Linear's shape."""
    torch.manual_seed(0)
    network = NodeNetwork(40, 3, conv=conv)
    first = network.layers[0]
    weights = [first.weight] if conv != "sage" else [first.self_weight.weight,
                                                      first.neighbour_weight.weight]
    for weight in weights:
        assert weight.shape == (64, 40) and weight.T.is_contiguous()
    torch.manual_seed(0)
    reference = torch.nn.Linear(40, 64)  # the same initial values as nn.Linear's
    if conv != "sage":
        assert torch.equal(first.weight, reference.weight)
    state = network.state_dict()
    assert all(v.shape == (64, 40) for k, v in state.items() if k.startswith("layers.0.")
               and k.endswith("weight"))
    restored = NodeNetwork(40, 3, conv=conv)
    restored.load_state_dict({k: v.contiguous() for k, v in state.items()})
    for k, v in restored.state_dict().items():
        assert torch.equal(v, state[k])
    moved = restored.to(torch.float64)
    assert all(w.T.is_contiguous() for w in ([moved.layers[0].weight] if conv != "sage" else
                                               [moved.layers[0].self_weight.weight]))
    G = _graph("sparse")
    inputs = node_inputs(G, "identity", "cpu", operators=OPERATORS[conv])
    out = network.train()(inputs)
    out.sum().backward()
    assert all(w.grad is not None and w.grad.T.is_contiguous() for w in weights)


def test_gat_builds_identity_features_on_the_graphs_device(monkeypatch):
    # a model on another device (meta here, CUDA in use) with identity features: GATConv
    # needs them dense, and the identity matrix must be made there, not on the CPU
    import torch.fx.experimental._config as fx_config

    monkeypatch.setattr(fx_config, "meta_nonzero_assume_all_nonzero", True)  # GAT's self loops
    net = NodeNetwork(5, 3, conv="gat", dropout=0.0).to("meta")
    edge_index = torch.tensor([[0, 1, 2], [1, 2, 3]], device="meta")
    inputs = type("Inputs", (), {"features": IdentityFeatures(5), "edge_index": edge_index})
    out = net.eval()(inputs)
    assert out.device.type == "meta" and out.shape == (5, 3)


@pytest.mark.parametrize("features", ["dense", "identity"])
def test_gprgnn_gives_an_isolated_node_its_own_prediction_at_every_step(features):
    # P^k h of a node without neighbours would be 0 for k > 0, its output gamma_0 h, turned
    # against its features by a negative gamma_0; with the loop the propagation gives it,
    # sum_k gamma_k h, and the other nodes' outputs do not move
    G = _graph(features)
    n, extra = G.n_nodes, 5
    A = sp.block_diag([G.adjacency, sp.csr_array((extra, extra))], format="csr")
    X = None if G.features is None else np.vstack([G.features, G.features[:extra]])
    widened = Graph(A, X)
    net = NodeNetwork(G.n_features or n + extra, 3, conv="gprgnn", dropout=0.0,
                      propagation_steps=4).eval()
    with torch.no_grad():
        net.gamma.copy_(torch.tensor([-0.05, 0.4, 0.3, 0.2, 0.15]))
        out = net(node_inputs(widened, "identity", "cpu", operators=("plain",)))
        mlp = net._stack(node_inputs(widened, "identity", "cpu").features,
                         lambda i, layer, h: layer(h) if isinstance(h, torch.Tensor)
                         else (h @ layer.weight.T) + layer.bias)
    torch.testing.assert_close(out[n:], net.gamma.sum() * mlp[n:])
    if features == "dense":  # the graph without the isolated nodes: the same rows
        with torch.no_grad():
            alone = net(node_inputs(G, "identity", "cpu", operators=("plain",)))
        torch.testing.assert_close(out[:n], alone)


# -- oracles: the node-level networks equal PyG's layers with the same weights ------------
def _random_graph(weighted: bool, n: int = 30, seed: int = 1) -> sp.csr_array:
    rng = np.random.default_rng(seed)
    A = np.triu(rng.random((n, n)) < 0.15, 1).astype(float)
    if weighted:
        A = A * rng.uniform(0.5, 2.0, (n, n))
    A = A + A.T
    A[-1, :] = A[:, -1] = 0  # an isolated node
    return sp.csr_array(A)


def _edge_index(A: sp.csr_array) -> tuple[torch.Tensor, torch.Tensor]:
    coo = sp.coo_array(A)
    return (torch.tensor(np.vstack([coo.row, coo.col]), dtype=torch.long),
            torch.tensor(coo.data, dtype=torch.float32))


@pytest.mark.parametrize("weighted", [False, True])
def test_gcn_network_and_its_gradients_equal_pygs_gcnconv(weighted):
    from torch_geometric.nn import GCNConv

    G = Graph(_random_graph(weighted), np.random.default_rng(0).normal(size=(30, 6)))
    torch.manual_seed(0)
    net = NodeNetwork(6, 3, conv="gcn", hidden_size=8, n_layers=2, dropout=0.0).eval()
    convs = [GCNConv(6, 8), GCNConv(8, 3)]
    with torch.no_grad():
        for ours, theirs in zip(net.layers, convs):
            ours.bias.add_(0.1)  # non-zero biases
            theirs.lin.weight.copy_(ours.weight.T)
            theirs.bias.copy_(ours.bias)
    edge_index, weight = _edge_index(G.adjacency)
    x = torch.tensor(G.features, dtype=torch.float32)
    expected = convs[1](torch.relu(convs[0](x, edge_index, weight)), edge_index, weight)
    out = net(node_inputs(G, "identity", "cpu"))
    torch.testing.assert_close(out, expected, atol=1e-5, rtol=1e-5)
    ours = torch.autograd.grad(out.square().sum(), net.layers[0].weight)[0]
    theirs = torch.autograd.grad(expected.square().sum(), convs[0].lin.weight)[0]
    torch.testing.assert_close(ours, theirs.T, atol=1e-4, rtol=1e-4)


def test_sage_network_equals_pygs_sageconv_with_mean_aggregation():
    from torch_geometric.nn import SAGEConv

    # unweighted: PyG's SAGEConv ignores edge weights, ours weighs the mean (documented)
    G = Graph(_random_graph(False, seed=2), np.random.default_rng(0).normal(size=(30, 6)))
    torch.manual_seed(0)
    net = NodeNetwork(6, 3, conv="sage", hidden_size=8, n_layers=2, dropout=0.0).eval()
    convs = [SAGEConv(6, 8), SAGEConv(8, 3)]
    with torch.no_grad():
        for ours, theirs in zip(net.layers, convs):
            theirs.lin_l.weight.copy_(ours.neighbour_weight.weight)
            theirs.lin_l.bias.copy_(ours.self_weight.bias)
            theirs.lin_r.weight.copy_(ours.self_weight.weight)
    edge_index, _ = _edge_index(G.adjacency)
    x = torch.tensor(G.features, dtype=torch.float32)
    expected = convs[1](torch.relu(convs[0](x, edge_index)), edge_index)
    out = net(node_inputs(G, "identity", "cpu", operators=("mean",)))
    torch.testing.assert_close(out, expected, atol=1e-5, rtol=1e-5)


@pytest.mark.parametrize("weighted", [False, True])
def test_appnp_network_equals_an_mlp_then_pygs_appnp(weighted):
    from torch_geometric.nn import APPNP

    G = Graph(_random_graph(weighted, seed=2), np.random.default_rng(0).normal(size=(30, 6)))
    torch.manual_seed(0)
    net = NodeNetwork(6, 3, conv="appnp", hidden_size=8, n_layers=2, dropout=0.0,
                      propagation_steps=10, alpha=0.1).eval()
    edge_index, weight = _edge_index(G.adjacency)
    x = torch.tensor(G.features, dtype=torch.float32)
    expected = APPNP(K=10, alpha=0.1)(net.layers[1](torch.relu(net.layers[0](x))), edge_index,
                                      weight)
    torch.testing.assert_close(net(node_inputs(G, "identity", "cpu")), expected, atol=1e-5,
                               rtol=1e-5)
