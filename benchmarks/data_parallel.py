"""Data-parallel training on this machine: 2 processes under torchrun against 1 process.

``GNNNodeClassifier(conv="sage", consistency=0, edge_dropout=0)`` trains in mini-batches of
labelled nodes on a generated graph: in one process with the global batch (one torch thread,
then two), and under ``torchrun --nproc_per_node=2`` with half the batch per rank (one thread
each). Seconds per epoch (median) and the last epoch's loss; the ranks' weights are checked
equal.

    python benchmarks/data_parallel.py --nodes 200000
"""

from __future__ import annotations

import argparse
import json
import os
import socket
import subprocess
import sys
import tempfile

import numpy as np
import torch


def community_graph(nodes: int, degree: float = 22.0, communities: int = 5,
                    within: float = 0.9, features: int = 32, seed: int = 0):
    """A planted-partition graph given by its average degree: ``nodes * degree / 2``
    edges, a fraction ``within`` of them inside a community, and features that lean
    towards the node's community."""
    import scipy.sparse as sp

    from skgraph import Graph

    rng = np.random.default_rng(seed)
    label = rng.integers(communities, size=nodes)
    members = [np.flatnonzero(label == c) for c in range(communities)]
    n_edges = int(nodes * degree / 2)
    source = rng.integers(nodes, size=n_edges)
    inside = rng.random(n_edges) < within
    target = rng.integers(nodes, size=n_edges)
    for c, nodes_c in enumerate(members):  # inside edges: a target from the source's community
        pick = inside & (label[source] == c)
        target[pick] = nodes_c[rng.integers(len(nodes_c), size=int(pick.sum()))]
    A = sp.csr_array((np.ones(n_edges), (source, target)), shape=(nodes, nodes))
    X = rng.normal(size=(nodes, features)) + 0.5 * np.eye(communities, features)[label]
    return Graph(A + A.T, X.astype(np.float32)), label


def fit(nodes: int, batch: int, epochs: int) -> dict:
    from skgraph import GNNNodeClassifier

    G, y = community_graph(nodes)
    times = []
    est = GNNNodeClassifier(conv="sage", consistency=0.0, edge_dropout=0.0, batch_size=batch,
                            fanouts=(10, 5),
                            max_epochs=epochs, random_state=0, device="cpu",
                            callbacks=[lambda info: times.append(info.seconds)])
    est.fit(G[::5], y[::5])
    weights = torch.cat([p.detach().reshape(-1) for p in est.module_.parameters()])
    return {"seconds": float(np.median(times)), "loss": est.loss_curve_[-1],
            "checksum": float(weights.double().sum()), "accuracy": est.score(G[1::5], y[1::5])}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--nodes", type=int, default=200_000)
    parser.add_argument("--batch", type=int, default=2048, help="global batch (labelled nodes)")
    parser.add_argument("--epochs", type=int, default=3)
    parser.add_argument("--rank-output", default=None, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.rank_output:  # a rank under torchrun
        torch.set_num_threads(1)
        world = int(os.environ["WORLD_SIZE"])
        result = fit(args.nodes, args.batch // world, args.epochs)
        with open(f"{args.rank_output}.{os.environ['RANK']}", "w") as f:
            json.dump(result, f)
        return
    rows = []
    for threads in (1, 2):
        torch.set_num_threads(threads)
        rows.append((f"1 process, {threads} thread(s), batch {args.batch}",
                     fit(args.nodes, args.batch, args.epochs)))
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    with tempfile.TemporaryDirectory() as tmp:
        out = os.path.join(tmp, "rank")
        subprocess.run([sys.executable, "-m", "torch.distributed.run", "--nproc_per_node=2",
                        "--master_addr=127.0.0.1", f"--master_port={port}", __file__,
                        "--nodes", str(args.nodes), "--batch", str(args.batch), "--epochs",
                        str(args.epochs), "--rank-output", out], check=True,
                       env={**os.environ, "OMP_NUM_THREADS": "1", "GLOO_SOCKET_IFNAME": "lo"})
        ranks = [json.load(open(f"{out}.{r}")) for r in (0, 1)]
    assert ranks[0]["checksum"] == ranks[1]["checksum"]
    rows.append((f"torchrun, 2 processes x 1 thread, batch {args.batch // 2} each", ranks[0]))
    print(f"GNNNodeClassifier(conv='sage', consistency=0, edge_dropout=0, fanouts=(10, 5)), "
          f"{args.nodes} nodes, {args.epochs} epochs")
    for label, r in rows:
        print(f"  {label:<52} {r['seconds']:7.2f} s/epoch  last loss {r['loss']:.4f}  "
              f"held-out accuracy {r['accuracy']:.3f}")


if __name__ == "__main__":
    main()
