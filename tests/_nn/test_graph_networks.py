import pytest
import torch
from torch_geometric.nn import GINConv as PyGGINConv
from torch_geometric.nn.aggr import MeanAggregation, SumAggregation

from skgraph._nn._graph_networks import (
    GINConv,
    GraphNetwork,
    GraphNetworkEnsemble,
    PooledFeatureNetwork,
    SumConv,
    SumMeanReadout,
    SumReadout,
    _mlp,
    make_conv,
    readout_width,
)
from skgraph._nn._propagation import NeighbourSum


@pytest.fixture
def built(monkeypatch):
    """Records every NeighbourSum construction."""
    records = []
    original_init = NeighbourSum.__init__

    def counting_init(self, *args, **kwargs):
        records.append(1)
        original_init(self, *args, **kwargs)

    monkeypatch.setattr(NeighbourSum, "__init__", counting_init)
    return records


def _edges(n_nodes=15, n_edges=40, seed=0):
    generator = torch.Generator().manual_seed(seed)
    return torch.randint(0, n_nodes, (2, n_edges), generator=generator)


@pytest.mark.parametrize("train_eps", [True, False])
def test_gin_conv_equals_pyg_gin_conv_with_the_same_state(train_eps):
    torch.manual_seed(0)
    ours, theirs = GINConv(_mlp(5, 8), train_eps=train_eps), PyGGINConv(_mlp(5, 8),
                                                                         train_eps=train_eps)
    ours.load_state_dict(theirs.state_dict())  # same keys: old pickles load
    with torch.no_grad():
        ours.eps.fill_(0.3)
        theirs.eps.fill_(0.3)
    edge_index = _edges()
    x = torch.randn(15, 5)
    x_ours, x_theirs = x.clone().requires_grad_(True), x.clone().requires_grad_(True)
    out_ours, out_theirs = ours(x_ours, edge_index), theirs(x_theirs, edge_index)
    torch.testing.assert_close(out_ours, out_theirs, rtol=1e-5, atol=1e-5)
    torch.testing.assert_close(ours(x, NeighbourSum(edge_index, 15)), out_theirs.detach(),
                               rtol=1e-5, atol=1e-5)
    upstream = torch.randn_like(out_ours)
    (out_ours * upstream).sum().backward()
    (out_theirs * upstream).sum().backward()
    torch.testing.assert_close(x_ours.grad, x_theirs.grad, rtol=1e-5, atol=1e-5)
    if train_eps:
        torch.testing.assert_close(ours.eps.grad, theirs.eps.grad, rtol=1e-4, atol=1e-5)
    else:
        assert not any(name == "eps" for name, _ in ours.named_parameters())


def test_sum_conv_adds_each_node_to_its_neighbour_sum():
    conv = SumConv(1, 1)
    with torch.no_grad():
        conv.lin.weight.fill_(1.0)
        conv.lin.bias.zero_()
    x = torch.tensor([[1.0], [10.0], [100.0]])
    edge_index = torch.tensor([[0, 1, 1, 2], [1, 0, 2, 1]])  # path 0 - 1 - 2
    assert conv(x, edge_index).ravel().tolist() == [11.0, 111.0, 110.0]
    assert conv(x, NeighbourSum(edge_index, 3)).ravel().tolist() == [11.0, 111.0, 110.0]


class _SumAndMean(torch.nn.Module):
    """PyG's sum and mean aggregations side by side: the oracle of ``"sum+mean"``."""

    def forward(self, h, batch, dim_size):
        return torch.cat([SumAggregation()(h, batch, dim_size=dim_size),
                          MeanAggregation()(h, batch, dim_size=dim_size)], dim=1)


@pytest.mark.parametrize("ours, theirs", [(SumReadout(), SumAggregation()),
                                          (SumMeanReadout(), _SumAndMean())])
def test_readouts_equal_pyg_aggregations_including_a_graph_without_nodes(ours, theirs):
    h = torch.randn(7, 3)
    batch = torch.tensor([0, 0, 0, 2, 2, 3, 3])  # graph 1 has no nodes
    h_ours, h_theirs = h.clone().requires_grad_(True), h.clone().requires_grad_(True)
    out = ours(h_ours, batch, dim_size=4)
    expected = theirs(h_theirs, batch, dim_size=4)
    torch.testing.assert_close(out, expected)
    assert torch.equal(out[1], torch.zeros(out.shape[1]))
    out.pow(2).sum().backward()
    expected.pow(2).sum().backward()
    torch.testing.assert_close(h_ours.grad, h_theirs.grad)


@pytest.mark.parametrize("conv", ["gin", "sum", "gcn"])
def test_network_shares_one_neighbour_sum_and_matches_layer_by_layer(conv, built):
    torch.manual_seed(0)
    net = GraphNetwork(4, 3, conv=conv, n_layers=3, hidden_size=8).eval()
    x, edge_index = torch.randn(15, 4), _edges()
    h = net.node_representations(x, edge_index)
    assert len(built) == (0 if conv == "gcn" else 1)
    expected = x
    for layer, norm in zip(net.convs, net.norms):  # each layer on the edge list alone
        expected = torch.relu(norm(layer(expected, edge_index)))
    torch.testing.assert_close(h, expected, rtol=1e-5, atol=1e-5)


def test_gin_network_state_matches_a_network_of_pyg_gin_convs():
    """Pickles of networks built with PyG's GINConv load into the current modules."""
    torch.manual_seed(0)
    net = GraphNetwork(4, 2, n_layers=2, hidden_size=8)
    old = GraphNetwork(4, 2, n_layers=2, hidden_size=8)
    old.convs = torch.nn.ModuleList(PyGGINConv(_mlp(a, 8), train_eps=True) for a in (4, 8))
    assert isinstance(make_conv("gin", 4, 8), GINConv)
    net.load_state_dict(old.state_dict())
    x, edge_index, batch = torch.randn(15, 4), _edges(), torch.arange(15) // 8
    torch.testing.assert_close(net.eval()(x, edge_index, batch, 2),
                               old.eval()(x, edge_index, batch, 2), rtol=1e-5, atol=1e-5)


def test_ensemble_builds_one_neighbour_sum_for_all_members(built):
    torch.manual_seed(0)
    members = [GraphNetwork(4, 2, n_layers=2, hidden_size=8) for _ in range(3)]
    ensemble = GraphNetworkEnsemble(members).eval()
    x, edge_index, batch = torch.randn(15, 4), _edges(), torch.arange(15) // 8
    expected = torch.stack([m(x, edge_index, batch, 2) for m in members])  # one each
    built.clear()
    torch.testing.assert_close(ensemble.member_outputs(x, edge_index, batch, 2), expected)
    assert len(built) == 1


def test_pooled_feature_network_reads_pygs_sum_and_mean_pools_and_no_edges():
    from torch_geometric.nn import global_add_pool, global_mean_pool

    torch.manual_seed(0)
    net = PooledFeatureNetwork(3, 2, hidden_size=8).eval()
    net.norm.running_mean.normal_()  # non-trivial statistics, so that the test can fail
    net.norm.running_var.uniform_(0.5, 2.0)
    x = torch.randn(7, 3)
    batch = torch.tensor([0, 0, 0, 2, 2, 2, 2])  # graph 1 has no nodes
    pooled = torch.cat([global_add_pool(x, batch, 3), global_mean_pool(x, batch, 3)], dim=1)
    expected = net.head(net.norm(pooled))
    torch.testing.assert_close(net(x, _edges(7, 10), batch, 3), expected)
    torch.testing.assert_close(net(x, None, batch, 3), expected)
    assert torch.equal(expected[1], net.head(net.norm(torch.zeros(1, 6)))[0])


def test_ensemble_passes_the_edge_list_to_a_pooled_member_and_stacks_its_outputs(built):
    torch.manual_seed(0)
    members = [GraphNetwork(4, 2, n_layers=2, hidden_size=8), PooledFeatureNetwork(4, 2)]
    ensemble = GraphNetworkEnsemble(members).eval()
    x, edge_index, batch = torch.randn(15, 4), _edges(), torch.arange(15) // 8
    outputs = ensemble.member_outputs(x, edge_index, batch, 2)
    assert outputs.shape == (2, 2, 2)
    torch.testing.assert_close(outputs[1], members[1](x, edge_index, batch, 2))
    torch.testing.assert_close(outputs[0], members[0](x, edge_index, batch, 2))


def test_gine_equals_pygs_gineconv_with_the_same_state_dict():
    from torch_geometric.nn import GINEConv as PygGINEConv

    from skgraph._nn._graph_networks import GINEConv

    torch.manual_seed(0)
    x = torch.randn(6, 5, requires_grad=True)
    edge_index = torch.tensor([[0, 1, 1, 2, 3, 4, 5, 0], [1, 0, 2, 1, 4, 3, 0, 5]])
    edge_attr = torch.randn(8, 3)
    ours = GINEConv(_mlp(5, 8), train_eps=True, edge_dim=3)
    theirs = PygGINEConv(_mlp(5, 8), train_eps=True, edge_dim=3)
    assert set(ours.state_dict()) == set(theirs.state_dict())
    theirs.load_state_dict(ours.state_dict())
    ours.eval(), theirs.eval()
    x2 = x.detach().clone().requires_grad_(True)
    out, expected = ours(x, edge_index, edge_attr), theirs(x2, edge_index, edge_attr)
    torch.testing.assert_close(out, expected)
    out.square().sum().backward()
    expected.square().sum().backward()
    torch.testing.assert_close(x.grad, x2.grad)
    # edge features of the node width need no projection
    plain = GINEConv(torch.nn.Identity())
    torch.testing.assert_close(plain(x, edge_index, torch.randn(8, 5)).shape, (6, 5))


def test_networks_pass_edge_features_to_the_convolutions_that_read_them():
    torch.manual_seed(0)
    x = torch.randn(5, 3)
    edge_index = torch.tensor([[0, 1, 3, 4], [1, 0, 4, 3]])
    batch = torch.tensor([0, 0, 1, 1, 1])
    edge_attr = torch.tensor([[1.0, 0.0], [1.0, 0.0], [0.0, 1.0], [0.0, 1.0]])
    for conv in ("gine", "gat"):
        net = GraphNetwork(3, 2, conv=conv, n_layers=2, hidden_size=8, edge_dim=2).eval()
        out = net(x, edge_index, batch, 2, edge_attr)
        other = net(x, edge_index, batch, 2, edge_attr.flip(1))
        assert out.shape == (2, 2) and not torch.allclose(out, other)  # they matter


def test_pyg_loads_only_with_the_modules_that_use_it():
    # PyG costs about 0.1 GB of memory and a second of import: the estimators that never
    # build one of its modules (the auto-encoders, GIN networks) run without loading it
    import subprocess
    import sys

    code = ("import sys, skgraph\n"
            "from skgraph._nn._graph_networks import make_conv, make_readout\n"
            "make_conv('gin', 3, 4), make_readout('sum', 4)\n"
            "assert 'torch_geometric' not in sys.modules, 'loaded early'\n"
            "make_readout('mean', 4)\n"
            "assert 'torch_geometric' in sys.modules\n")
    subprocess.run([sys.executable, "-c", code], check=True, timeout=120)


def test_the_sum_and_mean_readout_doubles_the_heads_input():
    net = GraphNetwork(4, 2, readout="sum+mean", n_layers=2, hidden_size=8)
    assert net.head[0].in_features == 16 == readout_width("sum+mean", 8)
    out = net(torch.randn(15, 4), _edges(), torch.arange(15) // 5, 3)
    assert out.shape == (3, 2)
