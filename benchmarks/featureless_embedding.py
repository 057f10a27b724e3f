"""Node embeddings of a graph's structure alone: VGAEEmbedder against a spectral embedding.

Cora without its features (the adjacency only), as karateclub and scikit-network users
embed graphs: the embeddings of every node, then a logistic regression on the standard
split's 140 training nodes, accuracy on its 1,000 test nodes. Side by side in one process:

* ``skgraph``: ``VGAEEmbedder(random_state=seed).fit_transform(A)`` (one-hot identities as
  features), for each seed;
* ``spectral``: the 32 leading eigenvectors of ``D^-1/2 A D^-1/2`` (``scipy``'s ``eigsh``),
  the classical baseline.

Usage::

    OMP_NUM_THREADS=2 python benchmarks/featureless_embedding.py --seeds 0 1 2
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import numpy as np
import scipy.sparse as sp
import scipy.sparse.linalg as sla
from sklearn.linear_model import LogisticRegression

from skgraph import VGAEEmbedder
from skgraph.datasets import load_planetoid


def _accuracy(Z: np.ndarray, data) -> float:
    model = LogisticRegression(max_iter=2000).fit(Z[data.train_idx], data.target[data.train_idx])
    return model.score(Z[data.test_idx], data.target[data.test_idx])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--datasets-dir", default=str(Path(__file__).resolve().parents[2]
                                                      / "shared" / "datasets"))
    parser.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2])
    args = parser.parse_args()
    data = load_planetoid(args.datasets_dir, "Cora")
    A = data.graph.adjacency
    for seed in args.seeds:
        start = time.perf_counter()
        Z = np.asarray(VGAEEmbedder(random_state=seed).fit_transform(A))
        print(f"skgraph  seed {seed}: {_accuracy(Z, data):.3f} "
              f"({time.perf_counter() - start:.1f} s)")
    start = time.perf_counter()
    degree = np.asarray(A.sum(axis=1)).ravel()
    scale = sp.diags_array(1 / np.sqrt(np.maximum(degree, 1)))
    _, vectors = sla.eigsh(scale @ A @ scale, k=32, which="LA", v0=np.ones(A.shape[0]))
    print(f"spectral (32): {_accuracy(vectors, data):.3f} ({time.perf_counter() - start:.1f} s)")


if __name__ == "__main__":
    main()
