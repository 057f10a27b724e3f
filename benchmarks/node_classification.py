"""Node classification on a Planetoid dataset with VGAEEmbedder + LogisticRegression.

Standard split (140 train / 500 val / 1000 test on Cora). The embedder is unsupervised
and fitted on the whole graph (transductive); the classifier sees only the training
labels; accuracy is measured on the 1000 test nodes.

    python benchmarks/node_classification.py --datasets-dir ../shared/datasets --seeds 5
"""

from __future__ import annotations

import argparse
import time

import numpy as np
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import GridSearchCV
from sklearn.pipeline import make_pipeline

from skgraph import VGAEEmbedder
from skgraph.datasets import load_planetoid


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--datasets-dir", default="../shared/datasets")
    parser.add_argument("--name", default="Cora")
    parser.add_argument("--seeds", type=int, default=5)
    parser.add_argument("--grid", action="store_true", help="also run the API.md GridSearchCV")
    args = parser.parse_args()

    data = load_planetoid(args.datasets_dir, args.name)
    G, y = data.graph, data.target
    scores, times = [], []
    for seed in range(args.seeds):
        pipe = make_pipeline(VGAEEmbedder(random_state=seed), LogisticRegression(max_iter=1000))
        start = time.perf_counter()
        pipe.fit(G[data.train_idx], y[data.train_idx])
        times.append(time.perf_counter() - start)
        scores.append(pipe.score(G[data.test_idx], y[data.test_idx]))
        print(f"seed {seed}: test accuracy {scores[-1]:.4f}  fit {times[-1]:.1f} s", flush=True)
    print(f"{args.name} VGAEEmbedder(defaults) + LogisticRegression(max_iter=1000): "
          f"test accuracy {np.mean(scores):.4f} ± {np.std(scores):.4f} over {args.seeds} seeds; "
          f"mean fit {np.mean(times):.1f} s")

    if args.grid:
        pipe = make_pipeline(VGAEEmbedder(random_state=0), LogisticRegression(max_iter=1000))
        start = time.perf_counter()
        search = GridSearchCV(pipe, {"vgaeembedder__n_components": [16, 32]}, cv=3).fit(G, y)
        print(f"GridSearchCV over {args.name}'s nodes (2 candidates x 3 folds + refit): "
              f"{time.perf_counter() - start:.1f} s; best {search.best_params_} "
              f"cv accuracy {search.best_score_:.4f}")


if __name__ == "__main__":
    main()
