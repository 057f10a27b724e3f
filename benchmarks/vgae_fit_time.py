"""Fit time of VGAEEmbedder next to the seed's plain PyG VGAE loop, same data, one process.

Both train the same architecture (GCN 32 -> 16, variational) for the same number of
full-batch epochs on all edges of the graph; repeats alternate the two and the median
is reported.

    python benchmarks/vgae_fit_time.py --datasets-dir ../shared/datasets --epochs 200 --repeats 3
"""

from __future__ import annotations

import argparse
import statistics
import time

import _pyg_reference as reference
import numpy as np
import scipy.sparse as sp
import torch

from skgraph import VGAEEmbedder
from skgraph.datasets import load_planetoid


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--datasets-dir", default="../shared/datasets")
    parser.add_argument("--name", default="Cora")
    parser.add_argument("--epochs", type=int, default=200)
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()

    G = load_planetoid(args.datasets_dir, args.name).graph
    x = torch.as_tensor(G.features.toarray() if sp.issparse(G.features) else G.features,
                        dtype=torch.float32)
    coo = G.adjacency.tocoo()
    edge_index = torch.as_tensor(np.vstack([coo.row, coo.col]), dtype=torch.long)
    upper = edge_index[:, edge_index[0] < edge_index[1]]

    ours, plain = [], []
    for repeat in range(args.repeats):
        torch.manual_seed(repeat)
        start = time.perf_counter()
        reference.fit(x, edge_index, upper, args.epochs)
        plain.append(time.perf_counter() - start)
        start = time.perf_counter()
        VGAEEmbedder(max_epochs=args.epochs, random_state=repeat, device="cpu").fit(G)
        ours.append(time.perf_counter() - start)
        print(f"repeat {repeat}: plain PyG {plain[-1]:.2f} s, skgraph {ours[-1]:.2f} s", flush=True)
    p, o = statistics.median(plain), statistics.median(ours)
    print(f"{args.name}, {args.epochs} epochs, {torch.get_num_threads()} threads: plain PyG loop "
          f"{p:.2f} s, VGAEEmbedder.fit {o:.2f} s (includes input validation); "
          f"speed-up {p / o:.2f}x")


if __name__ == "__main__":
    main()
