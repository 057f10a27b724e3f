"""Seconds per epoch and peak memory at scale: VGAEEmbedder next to the seed's plain PyG loop.

Generates an undirected random graph (average degree 10) with 32 Gaussian features, then
times training epochs of our VGAEEmbedder engine and of the seed's plain PyG VGAE loop
(GCNConv encoder, VGAE.recon_loss with PyG's negative_sampling) side by side in one process.
Peak memory (peak RSS while training, after the graph was generated; Linux) of each is
measured in a separate child process per model; for ours also the peak while it then embeds
every node (``transform``), from the memory left after training.

    python benchmarks/scale.py --nodes 10000 100000 1000000 --epochs 3
    python benchmarks/scale.py --nodes 100000 --degree 40 --features 128 --no-memory

With ``--minibatch EDGES [EDGES ...]`` the rows compare our full-batch epoch with epochs of
mini-batches of that many edges (and as many fresh non-edges) on neighbourhoods sampled
with ``--fanouts`` (``batch_size`` and ``fanouts`` of the estimator), each fit in its own
child process that reports its seconds per epoch and its peak memory; PyG's mini-batch
loaders need pyg-lib or torch-sparse, which do not install here, so there is no PyG column:

    python benchmarks/scale.py --nodes 1000000 5000000 --minibatch 4096 65536 --fanouts 5 5 --epochs 1

With ``--node`` the rows are a full-batch epoch of ``GNNNodeClassifier(conv="gcn",
consistency=0, edge_dropout=0)`` against a plain PyG 2-layer ``GCNConv`` script on the same
graph and labels (the same computation: the consistency term would run the network twice
per step, edge dropout would drop edges the PyG script reads):

    python benchmarks/scale.py --nodes 1000000 --node
"""

from __future__ import annotations

import argparse
import resource
import subprocess
import sys
import time

import numpy as np
import scipy.sparse as sp
import torch

from skgraph import Graph, VGAEEmbedder


def make_graph(n_nodes: int, degree: float = 10.0, n_features: int = 32, seed: int = 0):
    rng = np.random.default_rng(seed)
    m = int(n_nodes * degree / 2)
    src = rng.integers(0, n_nodes, m, dtype=np.int32)
    dst = rng.integers(0, n_nodes, m, dtype=np.int32)
    keep = src != dst
    src, dst = src[keep], dst[keep]
    A = sp.csr_array((np.ones(len(src), dtype=np.float32), (src, dst)), shape=(n_nodes, n_nodes))
    del src, dst, keep
    A = A + A.T
    A.data[:] = 1.0
    X = rng.standard_normal(size=(n_nodes, n_features), dtype=np.float32)
    return A, X


def _reset_peak_memory() -> bool:
    """Reset the kernel's peak-RSS mark (Linux), so the peak counts training only."""
    try:
        with open("/proc/self/clear_refs", "w") as f:
            f.write("5")
        return True
    except OSError:
        return False


def _peak_memory_gb() -> float:
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024**2
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024**2


def time_ours(A, X, epochs: int, **params) -> float:
    """Seconds per epoch of VGAEEmbedder's training step (data prepared once, as in fit)."""
    return fit_ours(A, X, epochs, **params)[0]


def fit_ours(A, X, epochs: int, **params) -> tuple[float, VGAEEmbedder, Graph]:
    """Seconds per epoch, the fitted VGAEEmbedder and the graph it was fitted on."""
    times = []
    graph = Graph(A, X)
    est = VGAEEmbedder(max_epochs=epochs, random_state=0, device="cpu", **params,
                       callbacks=[lambda info: times.append(info.seconds)]).fit(graph)
    return float(np.median(times)), est, graph


def time_pyg(A, X, epochs: int) -> float:
    import _pyg_reference as reference  # PyG loads in the processes that run it only

    coo = A.tocoo()
    edge_index = torch.as_tensor(np.vstack([coo.row, coo.col]), dtype=torch.long)
    upper = edge_index[:, edge_index[0] < edge_index[1]]
    x = torch.as_tensor(X)
    torch.manual_seed(0)
    model = reference.make_model(x.shape[1])
    optimizer = torch.optim.Adam(model.parameters(), lr=0.01)
    times = []
    for _ in range(epochs):
        start = time.perf_counter()
        reference.train_epoch(model, optimizer, x, edge_index, upper, x.shape[0])
        times.append(time.perf_counter() - start)
    return float(np.median(times))


def time_node_ours(A, X, epochs: int) -> float:
    """Seconds per full-batch epoch of GNNNodeClassifier(conv="gcn", consistency=0,
    edge_dropout=0) (labels on a tenth): one pass per step over every edge, as the PyG
    script."""
    n = A.shape[0]
    y = np.random.default_rng(0).integers(0, 5, n)
    times = []
    from skgraph import GNNNodeClassifier

    G = Graph(A, X)
    GNNNodeClassifier(conv="gcn", consistency=0.0, edge_dropout=0.0, max_epochs=epochs,
                      random_state=0, device="cpu",
                      callbacks=[lambda info: times.append(info.seconds)]).fit(G[::10], y[::10])
    return float(np.median(times))


def time_node_pyg(A, X, epochs: int) -> float:
    """Seconds per epoch of a plain PyG 2-layer GCN on the same task.

    ``GCNConv(cached=True)``, hidden 64, as in PyG's ``examples/gcn.py``: the normalised
    adjacency is built once, like ours.
    """
    from torch_geometric.nn import GCNConv

    n = A.shape[0]
    y = torch.as_tensor(np.random.default_rng(0).integers(0, 5, n))
    train = torch.arange(0, n, 10)
    coo = A.tocoo()
    edge_index = torch.as_tensor(np.vstack([coo.row, coo.col]), dtype=torch.long)
    x = torch.as_tensor(X)
    torch.manual_seed(0)
    conv1 = GCNConv(x.shape[1], 64, cached=True)
    conv2 = GCNConv(64, 5, cached=True)
    optimizer = torch.optim.Adam([*conv1.parameters(), *conv2.parameters()], lr=0.01,
                                 weight_decay=5e-4)
    times = []
    for _ in range(epochs):
        start = time.perf_counter()
        optimizer.zero_grad()
        h = torch.nn.functional.dropout(x, 0.5)
        h = torch.nn.functional.dropout(conv1(h, edge_index).relu(), 0.5)
        loss = torch.nn.functional.cross_entropy(conv2(h, edge_index)[train], y[train])
        loss.backward()
        optimizer.step()
        times.append(time.perf_counter() - start)
    return float(np.median(times))


CHILDREN = {"skgraph": time_ours, "pyg": time_pyg, "node": time_node_ours,
            "node-pyg": time_node_pyg}


def peak_memory_child(model: str, n_nodes: int, args) -> float:
    """Peak RSS in GB of a child process while it trains ``model`` (graph already built).

    The peak counts the runtime (Python, torch, PyG: about 0.5 GB), the graph held by the
    caller and everything the training builds from it, not the generation of the graph.
    """
    return float(_run_child(model, n_nodes, args)[1])


def _run_child(model: str, n_nodes: int, args, batch_size: int | None = None) -> list[str]:
    """Run ``model`` in a child process; the words of the last line it prints."""
    minibatch = (["--minibatch", str(batch_size), "--fanouts", *map(str, args.fanouts)]
                 if model == "minibatch" else [])
    out = subprocess.run([sys.executable, __file__, "--child", model, "--nodes", str(n_nodes),
                          "--epochs", str(args.epochs), "--degree", str(args.degree),
                          "--features", str(args.features), *minibatch],
                         capture_output=True, text=True, check=True)
    return out.stdout.strip().splitlines()[-1].split()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--nodes", type=int, nargs="+", default=[10_000, 100_000, 1_000_000])
    parser.add_argument("--epochs", type=int, default=3)
    parser.add_argument("--no-memory", action="store_true")
    parser.add_argument("--degree", type=float, default=10.0, help="average degree")
    parser.add_argument("--features", type=int, default=32, help="node feature width")
    parser.add_argument("--minibatch", type=int, nargs="+", default=None,
                        help="compare with mini-batches of this many edges (no PyG column)")
    parser.add_argument("--fanouts", type=int, nargs="+", default=[5, 5])
    parser.add_argument("--node", action="store_true",
                        help="GNNNodeClassifier(conv='gcn', consistency=0, edge_dropout=0) "
                             "against a plain PyG GCN instead")
    parser.add_argument("--child", choices=["skgraph", "pyg", "minibatch", "node", "node-pyg"])
    args = parser.parse_args()

    if args.child:
        A, X = make_graph(args.nodes[0], args.degree, args.features)
        _reset_peak_memory()
        if args.child in ("minibatch", "skgraph"):
            params = (dict(batch_size=args.minibatch[0], fanouts=args.fanouts)
                      if args.child == "minibatch" else {})
            seconds, est, graph = fit_ours(A, X, args.epochs, **params)
            fit_peak = _peak_memory_gb()
            _reset_peak_memory()
            est.transform(graph)  # every node's embedding, exact
            print(seconds, fit_peak, A.nnz, _peak_memory_gb())
        else:
            print(CHILDREN[args.child](A, X, args.epochs), _peak_memory_gb(), A.nnz)
        return
    if args.minibatch:
        minibatch_rows(args)
        return

    print(f"torch threads: {torch.get_num_threads()}, average degree {args.degree:g}, "
          f"{args.features} features")
    print(f"{'nodes':>10} {'edges':>11} {'PyG s/epoch':>12} {'ours s/epoch':>13} {'speed-up':>9}"
          f" {'PyG peak GB':>12} {'ours peak GB':>13}")
    ours_name, pyg_name = ("node", "node-pyg") if args.node else ("skgraph", "pyg")
    if args.node:
        print("GNNNodeClassifier(conv='gcn', consistency=0, edge_dropout=0), full batch, labels "
              "on a tenth of the nodes, against a plain PyG 2-layer GCNConv(cached=True) "
              "(hidden 64)")
    for n in args.nodes:
        A, X = make_graph(n, args.degree, args.features)
        pyg = CHILDREN[pyg_name](A, X, args.epochs)
        ours = CHILDREN[ours_name](A, X, args.epochs)
        mem = ("", "") if args.no_memory else (
            f"{peak_memory_child(pyg_name, n, args):.2f}",
            f"{peak_memory_child(ours_name, n, args):.2f}")
        print(f"{n:>10} {A.nnz:>11} {pyg:>12.3f} {ours:>13.3f} {pyg / ours:>8.1f}x"
              f" {mem[0]:>12} {mem[1]:>13}", flush=True)


def minibatch_rows(args) -> None:
    """Our full-batch epoch next to mini-batches: seconds per epoch and peak memory, each
    configuration fitted in its own child process."""
    print(f"torch threads: {torch.get_num_threads()}, average degree {args.degree:g}, "
          f"{args.features} features; mini-batches with fanouts {tuple(args.fanouts)}")
    print(f"{'nodes':>10} {'edges':>11} {'batch (edges)':>14} {'steps/epoch':>12}"
          f" {'s/epoch':>9} {'fit peak GB':>12} {'transform peak GB':>18}")
    for n in args.nodes:
        for batch_size in [None, *args.minibatch]:
            seconds, peak, edges, transform_peak = map(float, _run_child(
                "skgraph" if batch_size is None else "minibatch", n, args, batch_size))
            edges = int(edges)  # stored entries: each undirected edge twice
            steps = 1 if batch_size is None else -(-(edges // 2) // batch_size)
            print(f"{n:>10} {edges:>11} {batch_size or 'full':>14} {steps:>12}"
                  f" {seconds:>9.2f} {peak:>12.2f} {transform_peak:>18.2f}", flush=True)


if __name__ == "__main__":
    main()
