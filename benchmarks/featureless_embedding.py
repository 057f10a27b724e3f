"""Node embeddings of a graph's structure alone: Node2VecEmbedder, VGAEEmbedder, PyG's
Node2Vec and a spectral embedding, side by side.

Every node-level set of ../shared/datasets without its node features (the adjacency only),
as karateclub and scikit-network users embed graphs: the embeddings of every node (fitted
once per seed, no labels), then ``LogisticRegression`` on each split's training nodes,
accuracy on its test nodes (the splits of ``benchmarks/_node_data.py``). Methods:

* ``node2vec``: ``Node2VecEmbedder(random_state=seed)`` with its defaults;
* ``vgae``: ``VGAEEmbedder(random_state=seed)`` (one-hot identities as features);
* ``PyG Node2Vec``: PyG's ``Node2Vec`` module, loss and loop as in PyG's
  ``examples/node2vec.py`` (128-d, walks of 20, context 10, 10 walks per node,
  ``SparseAdam`` at 0.01, batches of 128 start nodes) for ``--pyg-epochs`` epochs. PyG's
  module walks with pyg-lib, which does not install here: its walks come from skgraph's
  ``RandomWalker`` (the same distribution), everything else is PyG's;
* ``spectral``: the 32 leading eigenvectors of ``D^-1/2 A D^-1/2`` (``scipy``'s ``eigsh``).

Usage::

    OMP_NUM_THREADS=1 python benchmarks/featureless_embedding.py --seeds 0 1 2
    OMP_NUM_THREADS=1 python benchmarks/featureless_embedding.py --datasets Cora \\
        --methods "PyG Node2Vec" --pyg-epochs 5 100 --seeds 0

``--score-on validation`` scores the validation nodes instead (to choose parameters with
``--params``; the test nodes never choose).
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import numpy as np
import scipy.sparse as sp
import scipy.sparse.linalg as sla
import torch
from _node_data import NODE_SETS, load
from sklearn.linear_model import LogisticRegression

from skgraph import Node2VecEmbedder, VGAEEmbedder
from skgraph._random_walks import RandomWalker

METHODS = ("node2vec", "vgae", "PyG Node2Vec", "spectral")


def _accuracies(Z: np.ndarray, data, score_on: str = "test") -> list[float]:
    scores = []
    for train, val, test in data.splits:
        scored = test if score_on == "test" else val
        model = LogisticRegression(max_iter=2000).fit(Z[train], data.target[train])
        scores.append(model.score(Z[scored], data.target[scored]))
    return scores


def _spectral(A: sp.sparray, _seed: int) -> np.ndarray:
    degree = np.asarray(A.sum(axis=1)).ravel()
    scale = sp.diags_array(1 / np.sqrt(np.maximum(degree, 1)))
    _, vectors = sla.eigsh(scale @ A @ scale, k=32, which="LA", v0=np.ones(A.shape[0]))
    return vectors


def _pyg_node2vec(A: sp.sparray, seed: int, epochs: int) -> np.ndarray:
    """PyG's examples/node2vec.py loop, its walks drawn by skgraph's RandomWalker."""
    import torch_geometric.nn.models.node2vec as pyg_node2vec

    walker = RandomWalker(A)

    def random_walk(rowptr, col, batch, walk_length, p, q):
        return walker.walks(batch, walk_length + 1)

    torch.manual_seed(seed)
    A = sp.coo_array(A)
    edge_index = torch.from_numpy(np.vstack([A.row, A.col]).astype(np.int64))
    real, pyg_node2vec.WITH_PYG_LIB = pyg_node2vec.WITH_PYG_LIB, True
    ops = torch.ops
    try:
        torch.ops = type("Ops", (), {"pyg": type("Pyg", (), {"random_walk": None})})()
        model = pyg_node2vec.Node2Vec(edge_index, embedding_dim=128, walk_length=20,
                                      context_size=10, walks_per_node=10,
                                      num_negative_samples=1, p=1.0, q=1.0, sparse=True,
                                      num_nodes=A.shape[0])
    finally:
        torch.ops, pyg_node2vec.WITH_PYG_LIB = ops, real
    model.random_walk_fn = random_walk
    loader = model.loader(batch_size=128, shuffle=True, num_workers=0)
    optimizer = torch.optim.SparseAdam(list(model.parameters()), lr=0.01)
    for _ in range(epochs):
        model.train()
        for pos_rw, neg_rw in loader:
            optimizer.zero_grad()
            loss = model.loss(pos_rw, neg_rw)
            loss.backward()
            optimizer.step()
    return model().detach().numpy()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--datasets-dir", default=str(Path(__file__).resolve().parents[2]
                                                      / "shared" / "datasets"))
    parser.add_argument("--datasets", nargs="+", default=list(NODE_SETS), choices=NODE_SETS)
    parser.add_argument("--methods", nargs="+", default=list(METHODS), choices=METHODS)
    parser.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2])
    parser.add_argument("--pyg-epochs", type=int, nargs="+", default=[5])
    parser.add_argument("--params", default="{}", help="JSON of Node2VecEmbedder parameters")
    parser.add_argument("--score-on", choices=("test", "validation"), default="test",
                        help="the nodes scored: validation to choose parameters")
    args = parser.parse_args()
    import json

    params = json.loads(args.params)
    torch.set_num_threads(1)
    for name in args.datasets:
        data = load(name, args.datasets_dir)
        A = data.graph.adjacency
        print(f"\n{name}: {A.shape[0]} nodes, {A.nnz // 2} edges; {data.protocol}; scored on "
              f"the {args.score_on} nodes", flush=True)
        runs = {
            "node2vec": [("node2vec", lambda seed: Node2VecEmbedder(
                random_state=seed, **params).fit_transform(A))],
            "vgae": [("vgae", lambda seed: VGAEEmbedder(random_state=seed).fit_transform(A))],
            "PyG Node2Vec": [(f"PyG Node2Vec, {epochs} epochs",
                              lambda seed, epochs=epochs: _pyg_node2vec(A, seed, epochs))
                             for epochs in args.pyg_epochs],
            "spectral": [("spectral (32)", lambda seed: _spectral(A, seed))],
        }
        for method in args.methods:
            for label, embed in runs[method]:
                seeds = args.seeds[:1] if method == "spectral" else args.seeds
                means, seconds = [], []
                for seed in seeds:
                    start = time.perf_counter()
                    Z = np.asarray(embed(seed))
                    seconds.append(time.perf_counter() - start)
                    means.append(np.mean(_accuracies(Z, data, args.score_on)))
                print(f"{label:28s} {args.score_on} accuracy {np.mean(means):.3f} ± "
                      f"{np.std(means):.3f} "
                      f"over {len(seeds)} seed(s) (per seed: "
                      f"{' '.join(f'{m:.3f}' for m in means)}); fit {np.mean(seconds):.1f} s",
                      flush=True)


if __name__ == "__main__":
    main()
