"""Node classification from unsupervised embeddings: VGAEEmbedder + LogisticRegression.

On every node-level set (``_node_data``): the embedder is fitted on the whole graph
(transductive, no labels), ``LogisticRegression(max_iter=1000)`` on the training nodes of a
split; test accuracy on that split's test nodes, mean over splits (and seeds). ``--features``
compares the raw input with ``NodeFeatureTransformer(Normalizer(norm="l1"))`` in front.

    OMP_NUM_THREADS=1 python benchmarks/node_embedding.py --features raw l1
"""

from __future__ import annotations

import argparse
import json
import time

import numpy as np
from _node_data import NODE_SETS, load, used_splits
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import Normalizer

from skgraph import VGAEEmbedder
from skgraph.preprocessing import NodeFeatureTransformer


def pipeline(features: str, seed: int, params: dict):
    steps = [VGAEEmbedder(random_state=seed, **params), LogisticRegression(max_iter=1000)]
    if features == "l1":
        steps.insert(0, NodeFeatureTransformer(Normalizer(norm="l1")))
    return make_pipeline(*steps)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--datasets-dir", default="../shared/datasets")
    parser.add_argument("--datasets", nargs="+", default=list(NODE_SETS))
    parser.add_argument("--features", nargs="+", default=["raw"], choices=["raw", "l1"])
    parser.add_argument("--seeds", type=int, default=1, help="fits per split")
    parser.add_argument("--splits", type=int, default=10, help="at most this many splits")
    parser.add_argument("--params", default="{}", help="JSON of VGAEEmbedder parameters")
    args = parser.parse_args()
    params = json.loads(args.params)
    print(f"VGAEEmbedder({params or 'defaults'}) + LogisticRegression(max_iter=1000)")
    for name in args.datasets:
        data = load(name, args.datasets_dir)
        G, y = data.graph, data.target
        for features in args.features:
            scores, times = [], []
            for split, (train, _, test) in enumerate(data.splits[:args.splits]):
                for seed in range(args.seeds):
                    pipe = pipeline(features, seed, params)
                    start = time.perf_counter()
                    pipe.fit(G[train], y[train])
                    times.append(time.perf_counter() - start)
                    scores.append(pipe.score(G[test], y[test]))
            print(f"{name:<10} {features:<4} test accuracy {np.mean(scores):.4f} ± "
                  f"{np.std(scores):.4f} over {len(scores)} fits "
                  f"({used_splits(data, args.splits)}); "
                  f"mean fit {np.mean(times):.1f} s", flush=True)


if __name__ == "__main__":
    main()
