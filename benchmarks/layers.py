"""skgraph's own layers against PyG's, one by one: same inputs, same results, time of each.

Where skgraph keeps a piece of its own instead of PyG's, this script is the measured reason
(docs/scaling.md, "PyG's role"). Each row checks first that both give the same result, then
times forward and backward (median of repeats, one torch thread):

- GIN convolution on mini-batches of PROTEINS-sized graphs: ``skgraph._nn.GINConv`` with
  the batch's shared neighbour-sum operator against ``torch_geometric.nn.GINConv``;
- the sum readout: ``index_add`` against ``global_add_pool`` (the mean readout is PyG's:
  ``index_add`` and a division did not beat ``global_mean_pool``);
- GIN with edge features: ``GINEConv`` against ``torch_geometric.nn.GINEConv`` (and a
  segment-sum variant);
- the GCN layer on one graph: the cached normalised operator (``SparseOperator``) against
  ``GCNConv`` (``cached=True`` and the default);
- negative sampling: ``NonEdgeSampler.training_keys`` against
  ``torch_geometric.utils.negative_sampling``;
- collation: slicing a mini-batch from graphs collated once against ``Batch.from_data_list``.

    OMP_NUM_THREADS=1 python benchmarks/layers.py
"""

from __future__ import annotations

import argparse
import statistics
import time

import numpy as np
import scipy.sparse as sp
import torch
from torch_geometric.data import Batch, Data
from torch_geometric.nn import GCNConv, global_add_pool
from torch_geometric.nn import GINConv as PygGINConv
from torch_geometric.utils import negative_sampling

from skgraph import Graph
from skgraph._edges import NonEdgeSampler
from skgraph._graph_collation import _collate
from skgraph._nn._graph_networks import GINConv, SumReadout, _mlp
from skgraph._nn._propagation import NeighbourSum, SparseOperator, gcn_normalize


def timed(fn, repeats: int) -> float:
    fn()  # warm up
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def row(name: str, ours: float, pyg: float) -> None:
    print(f"{name:<58} {1e3 * ours:9.3f} {1e3 * pyg:9.3f} {pyg / ours:7.2f}x", flush=True)


def random_graphs(n_graphs: int, mean_nodes: int, seed: int) -> list[Graph]:
    """Graphs of about ``mean_nodes`` nodes and degree ~3.7 (PROTEINS-like), 8 features."""
    rng = np.random.default_rng(seed)
    graphs = []
    for _ in range(n_graphs):
        n = int(rng.integers(mean_nodes // 2, 3 * mean_nodes // 2))
        A = sp.random(n, n, density=min(1.0, 1.9 / n), random_state=rng, format="csr")
        graphs.append(Graph(A + A.T, rng.normal(size=(n, 8)).astype(np.float32)))
    return graphs


def gin_and_readouts(repeats: int) -> None:
    graphs = random_graphs(32, 39, seed=0)
    collated, _ = _collate(graphs, None, "X", 0)
    x, edge_index, batch, n, _ = collated.batch(torch.arange(32))
    x = x.requires_grad_(True)
    torch.manual_seed(0)
    ours = GINConv(_mlp(8, 32), train_eps=True)
    pyg = PygGINConv(_mlp(8, 32), train_eps=True)
    pyg.load_state_dict(ours.state_dict())  # the same parameters, the same state dict
    shared = NeighbourSum(edge_index, len(x), symmetric=True)
    torch.testing.assert_close(ours(x, shared), pyg(x, edge_index), rtol=1e-5, atol=1e-5)

    def step(conv, graph):
        def run():
            conv(x, graph).sum().backward()
        return run

    row("GIN layer, 32 graphs x 39 nodes, forward + backward", timed(step(ours, shared), repeats),
        timed(step(pyg, edge_index), repeats))
    row("  ... including building the batch's neighbour sum",
        timed(lambda: ours(x, NeighbourSum(edge_index, len(x), symmetric=True)).sum().backward(),
              repeats), timed(step(pyg, edge_index), repeats))
    h = torch.randn(len(x), 32, requires_grad=True)
    readout = SumReadout()
    torch.testing.assert_close(readout(h, batch, n), global_add_pool(h, batch, size=n))
    row("sum readout, 32 graphs, width 32, forward + backward",
        timed(lambda: readout(h, batch, n).sum().backward(), repeats),
        timed(lambda: global_add_pool(h, batch, size=n).sum().backward(), repeats))


def gine(repeats: int) -> None:
    """GIN with edge features on molecule-sized graphs (32 x 18 atoms, 4 bond types):
    messages by gather + index_add at the targets (ours), PyG's GINEConv, and a segment sum
    over the CSR order (each row's entries contiguous; valid for undirected graphs, whose
    two directions carry the same edge features)."""
    rng = np.random.default_rng(4)
    graphs = []
    for _ in range(32):
        n = 18
        ring = sp.csr_array((np.ones(n), (np.arange(n), (np.arange(n) + 1) % n)), shape=(n, n))
        A = Graph(ring + ring.T).adjacency
        bonds = np.eye(4)[rng.integers(0, 4, A.nnz // 2)]
        upper = np.repeat(np.arange(n), np.diff(A.indptr)) < A.indices
        E = np.zeros((A.nnz, 4))
        E[upper] = bonds
        rows = np.repeat(np.arange(n), np.diff(A.indptr))
        lookup = {(i, j): e for i, j, e in zip(rows[upper], A.indices[upper], bonds)}
        E[~upper] = [lookup[(j, i)] for i, j in zip(rows[~upper], A.indices[~upper])]
        graphs.append(Graph(A, rng.normal(size=(n, 8)), edge_features=E))
    collated, _ = _collate(graphs, None, "X", 0)
    x, edge_index, _, _, edge_attr = collated.batch(torch.arange(32))
    x = x.requires_grad_(True)
    from torch_geometric.nn import GINEConv as PygGINEConv

    from skgraph._nn._graph_networks import GINEConv

    torch.manual_seed(0)
    ours = GINEConv(_mlp(8, 32), train_eps=True, edge_dim=4)
    pyg = PygGINEConv(_mlp(8, 32), train_eps=True, edge_dim=4)
    pyg.load_state_dict(ours.state_dict())
    torch.testing.assert_close(ours(x, edge_index, edge_attr), pyg(x, edge_index, edge_attr),
                               rtol=1e-5, atol=1e-5)
    source, target = edge_index
    lengths = torch.bincount(source, minlength=len(x))

    def segment_sum():  # the same messages, summed over each row's contiguous entries
        edges = ours.lin(edge_attr)
        messages = torch.relu(x.index_select(0, target) + edges)
        summed = torch.segment_reduce(messages, "sum", lengths=lengths)
        return ours.nn(torch.addcmul(summed, x, 1 + ours.eps))

    torch.testing.assert_close(segment_sum(), ours(x, edge_index, edge_attr), rtol=1e-5,
                               atol=1e-5)
    t_ours = timed(lambda: ours(x, edge_index, edge_attr).sum().backward(), repeats)
    row("GINE layer, 32 graphs x 18 atoms, 4 bond types, forward + backward", t_ours,
        timed(lambda: pyg(x, edge_index, edge_attr).sum().backward(), repeats))
    row("  ... a segment sum over the CSR order instead of index_add",
        timed(lambda: segment_sum().sum().backward(), repeats),
        timed(lambda: pyg(x, edge_index, edge_attr).sum().backward(), repeats))


def gcn_layer(n_nodes: int, repeats: int) -> None:
    rng = np.random.default_rng(1)
    A = sp.random(n_nodes, n_nodes, density=5 / n_nodes, random_state=rng, format="csr")
    A = Graph((A + A.T) > 0).adjacency  # unweighted, as GCNConv reads an edge_index
    coo = A.tocoo()
    edge_index = torch.from_numpy(np.vstack([coo.row, coo.col]).astype(np.int64))
    x = torch.randn(n_nodes, 64, requires_grad=True)
    torch.manual_seed(0)
    conv = GCNConv(64, 32)
    cached = GCNConv(64, 32, cached=True)
    cached.load_state_dict(conv.state_dict())
    operator = SparseOperator(gcn_normalize(A), symmetric=True)
    weight, bias = conv.lin.weight.detach().T.clone().requires_grad_(True), conv.bias

    def ours():
        return (operator @ (x @ weight)).add_(bias)

    torch.testing.assert_close(ours(), conv(x, edge_index), rtol=1e-4, atol=1e-5)
    label = f"GCN layer, {n_nodes:,} nodes, 64 -> 32, forward + backward"
    t_ours = timed(lambda: ours().sum().backward(), repeats)
    row(label + " (GCNConv)", t_ours, timed(lambda: conv(x, edge_index).sum().backward(), repeats))
    row(label + " (cached)", t_ours, timed(lambda: cached(x, edge_index).sum().backward(), repeats))


def negatives(n_nodes: int, repeats: int) -> None:
    rng = np.random.default_rng(2)
    A = sp.random(n_nodes, n_nodes, density=5 / n_nodes, random_state=rng, format="csr")
    A = Graph(A + A.T).adjacency
    coo = A.tocoo()
    edge_index = torch.from_numpy(np.vstack([coo.row, coo.col]).astype(np.int64))
    m = A.nnz // 2
    sampler = NonEdgeSampler(A)
    keys = sampler.training_keys(m)
    assert len(keys) == m and not sampler.edges.contains_sorted_keys(keys).any()
    row(f"{m:,} negatives of a {n_nodes:,}-node graph (exact, i.i.d.)",
        timed(lambda: sampler.training_keys(m), repeats),
        timed(lambda: negative_sampling(edge_index, num_nodes=n_nodes, num_neg_samples=m),
              repeats))


def collation(repeats: int) -> None:
    graphs = random_graphs(1113, 39, seed=3)
    collated, _ = _collate(graphs, None, "X", 0)
    data = []
    for g in graphs:
        coo = g.adjacency.tocoo()
        data.append(Data(x=torch.from_numpy(np.array(g.features)),
                         edge_index=torch.from_numpy(np.vstack([coo.row, coo.col]).astype(np.int64))))
    order = torch.randperm(len(graphs), generator=torch.Generator().manual_seed(0))

    def ours():
        for ids in order.split(32):
            collated.batch(ids, neighbour_sum=True)

    def pyg():
        for ids in order.split(32):
            Batch.from_data_list([data[i] for i in ids.tolist()])

    x_ours = collated.batch(order[:32])[0]
    x_pyg = Batch.from_data_list([data[i] for i in order[:32].tolist()]).x
    torch.testing.assert_close(x_ours, x_pyg)
    row("one epoch of mini-batches (1113 graphs, batches of 32)", timed(ours, repeats),
        timed(pyg, repeats))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=20)
    args = parser.parse_args()
    torch.set_num_threads(1)
    print(f"torch {torch.__version__}, one thread; milliseconds (median of {args.repeats})")
    print(f"{'':<58} {'skgraph':>9} {'PyG':>9} {'PyG/ours':>8}")
    gin_and_readouts(args.repeats)
    gine(args.repeats)
    gcn_layer(2708, args.repeats)
    gcn_layer(100_000, max(3, args.repeats // 4))
    negatives(100_000, max(3, args.repeats // 4))
    negatives(1_000_000, 3)
    collation(max(3, args.repeats // 4))


if __name__ == "__main__":
    main()
