"""Every estimator on CUDA next to the CPU, and the 10^6-node epoch against plain PyG on the GPU.

One short script for any machine with a CUDA device (``python benchmarks/gpu.py``):

1. each estimator fitted on the CPU is moved to the GPU (its state dict, as a GPU-saved model
   would load) and predicts there: the outputs must equal the CPU's within float tolerance;
2. each estimator is fitted on the GPU (``device="cuda"``) and scored next to the same fit on
   the CPU (the random streams of the two devices differ, so the scores, not the weights, are
   compared), with both fit times;
3. a full-batch VGAE epoch at 10^6 nodes / 10^7 edges (average degree 10, 32 features): ours
   against the seed's plain PyG loop, seconds per epoch and peak GPU memory.

Without a CUDA device it says so and exits with status 0 (nothing to measure).
"""

from __future__ import annotations

import argparse
import copy
import sys
import time

import numpy as np
import scipy.sparse as sp
import torch

from skgraph import (
    GNNGraphClassifier,
    GNNGraphRegressor,
    GNNNodeClassifier,
    GNNNodeRegressor,
    Graph,
    LinkPredictor,
    VGAEEmbedder,
)
from skgraph.datasets import make_community_graph
from skgraph.model_selection import train_test_split_edges


def _moved(est, device: str):
    """A copy of the fitted ``est`` whose module lives on ``device``."""
    other = copy.deepcopy(est)
    other.module_ = other.module_.to(device)
    other.device_ = device
    if hasattr(other, "embedding_"):  # LinkPredictor keeps the training embeddings
        other.embedding_ = est.embedding_
    return other


def cases():
    G, y = make_community_graph(n_nodes=2000, n_communities=4, p_in=0.01, p_out=0.001,
                                random_state=0)
    G_train, pairs, labels = train_test_split_edges(G, random_state=0)
    rng = np.random.default_rng(0)
    graphs, classes = [], []
    for i in range(200):
        n = int(rng.integers(10, 30))
        A = sp.random(n, n, density=0.2, random_state=rng)
        graphs.append(Graph(A + A.T, rng.normal(size=(n, 4)) + (i % 2)))
        classes.append(i % 2)
    classes = np.array(classes)
    return [
        ("VGAEEmbedder", VGAEEmbedder, lambda e: e.fit(G), lambda e: e.transform(G), None),
        ("LinkPredictor", LinkPredictor, lambda e: e.fit(G_train),
         lambda e: e.predict_proba(pairs), lambda e: e.score(pairs, labels)),
        ("GNNNodeClassifier", GNNNodeClassifier, lambda e: e.fit(G[::4], y[::4]),
         lambda e: e.predict_proba(G), lambda e: e.score(G, y)),
        ("GNNNodeRegressor", GNNNodeRegressor, lambda e: e.fit(G[::4], y[::4] * 1.0),
         lambda e: e.predict(G), lambda e: e.score(G, y * 1.0)),
        ("GNNGraphClassifier", GNNGraphClassifier, lambda e: e.fit(graphs[:150], classes[:150]),
         lambda e: e.predict_proba(graphs), lambda e: e.score(graphs[150:], classes[150:])),
        ("GNNGraphRegressor", GNNGraphRegressor,
         lambda e: e.fit(graphs[:150], classes[:150] * 1.0), lambda e: e.predict(graphs),
         lambda e: e.score(graphs[150:], classes[150:] * 1.0)),
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--nodes", type=int, default=1_000_000)
    parser.add_argument("--epochs", type=int, default=5)
    args = parser.parse_args()
    if not torch.cuda.is_available():
        print("no CUDA device here: nothing to measure (run this on a machine with a GPU).")
        sys.exit(0)
    print(f"torch {torch.__version__}, {torch.cuda.get_device_name()}")
    for name, cls, fit, outputs, score in cases():
        start = time.perf_counter()
        cpu = fit(cls(random_state=0, device="cpu"))
        cpu_seconds = time.perf_counter() - start
        on_cpu, on_gpu = outputs(cpu), outputs(_moved(cpu, "cuda"))
        difference = float(np.max(np.abs(np.asarray(on_cpu) - np.asarray(on_gpu))))
        torch.cuda.synchronize()
        start = time.perf_counter()
        gpu = fit(cls(random_state=0, device="cuda"))
        torch.cuda.synchronize()
        gpu_seconds = time.perf_counter() - start
        scores = "" if score is None else f"; score CPU {score(cpu):.4f}, GPU {score(gpu):.4f}"
        print(f"{name:<20} same model on GPU vs CPU: max |difference| {difference:.2e}"
              f"{scores}; fit CPU {cpu_seconds:.1f} s, GPU {gpu_seconds:.1f} s", flush=True)
        assert difference < 1e-3, name
    import _pyg_reference as reference
    from scale import make_graph

    A, X = make_graph(args.nodes, 10.0, 32, seed=0)
    times = []
    torch.cuda.reset_peak_memory_stats()
    VGAEEmbedder(max_epochs=args.epochs, random_state=0, device="cuda",
                 callbacks=[lambda info: (torch.cuda.synchronize(),
                                          times.append(info.seconds))]).fit(Graph(A, X))
    ours_peak = torch.cuda.max_memory_allocated() / 1e9
    coo = A.tocoo()
    edge_index = torch.as_tensor(np.vstack([coo.row, coo.col]), dtype=torch.long).cuda()
    upper = edge_index[:, edge_index[0] < edge_index[1]]
    x = torch.as_tensor(X).cuda()
    torch.cuda.reset_peak_memory_stats()
    model = reference.make_model(x.shape[1]).cuda()
    optimizer = torch.optim.Adam(model.parameters(), lr=0.01)
    pyg_times = []
    for _ in range(args.epochs):
        torch.cuda.synchronize()
        start = time.perf_counter()
        reference.train_epoch(model, optimizer, x, edge_index, upper, x.shape[0])
        torch.cuda.synchronize()
        pyg_times.append(time.perf_counter() - start)
    pyg_peak = torch.cuda.max_memory_allocated() / 1e9
    ours, pyg = float(np.median(times)), float(np.median(pyg_times))
    print(f"VGAE epoch at {args.nodes:,} nodes on the GPU: plain PyG {pyg:.3f} s, skgraph "
          f"{ours:.3f} s ({pyg / ours:.1f}x); peak GPU memory PyG {pyg_peak:.2f} GB, skgraph "
          f"{ours_peak:.2f} GB")


if __name__ == "__main__":
    main()
