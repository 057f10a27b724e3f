"""Graph regression benchmark: ``GNNGraphRegressor()`` (defaults) vs a plain PyG GIN script.

No public graph-regression data set is at hand here, so the targets are structural
properties computed from real graphs (the 1113 PROTEINS graphs of the TU collection, with
their node features): the number of triangles of each graph (a substructure count, the
classic test of what message passing can express; Chen et al. 2020) and its cycle rank
(edges - nodes + connected components: the number of independent cycles). 5-fold
cross-validation (shuffled, ``random_state=0``), both methods on the same folds in the same
run; R² and mean absolute error on the test fold at the last epoch; time = fit + predict.

The PyG baseline is the classification benchmark's plain GIN (4 layers of width 64, sum
pooling, Adam at 0.01, batch 32, 100 epochs) with one linear output per target, trained on
the mean squared error of standardised targets (as ours), without dropout (as our default).

Run from the project root::

    python benchmarks/graph_regression.py
    python benchmarks/graph_regression.py --skip-pyg --params '{"dropout": 0.5}'
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

import numpy as np
import scipy.sparse as sp
import torch
from graph_classification import REFERENCE, PlainGIN, predict_plain, to_data, train_plain
from scipy.sparse.csgraph import connected_components
from sklearn.metrics import mean_absolute_error, r2_score
from sklearn.model_selection import KFold

from skgraph import GNNGraphRegressor
from skgraph.datasets import load_tu


def structural_targets(graph) -> tuple[float, float]:
    """(number of triangles, cycle rank) of an undirected graph."""
    A = sp.csr_array(graph.adjacency, dtype=np.float64, copy=True)  # a Graph's is read-only
    A.data[:] = 1.0
    triangles = (A @ A).multiply(A).sum() / 6
    n_components = connected_components(A, directed=False)[0]
    cycle_rank = A.nnz / 2 - A.shape[0] + n_components
    return float(triangles), float(cycle_rank)


def run_pyg(train_data, test_data, y_train, epochs, seed) -> np.ndarray:
    torch.manual_seed(seed)
    p = REFERENCE
    offset, scale = y_train.mean(0), y_train.std(0)
    scale[scale == 0] = 1.0
    for d, target in zip(train_data, (y_train - offset) / scale):
        d.y = torch.tensor(target[None], dtype=torch.float32)
    model = PlainGIN(train_data[0].num_features, p["hidden_size"], y_train.shape[1],
                     p["n_layers"], dropout=0.0)
    train_plain(model, train_data, epochs, torch.nn.functional.mse_loss)
    return predict_plain(model, test_data).numpy() * scale + offset


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--datasets-dir", default="../shared/datasets")
    parser.add_argument("--dataset", default="PROTEINS")
    parser.add_argument("--folds", type=int, default=5)
    parser.add_argument("--seed", type=int, default=0, help="fold k trains with SEED + k")
    parser.add_argument("--skip-pyg", action="store_true")
    parser.add_argument("--params", default="{}",
                        help="JSON of GNNGraphRegressor parameters that replace our defaults")
    args = parser.parse_args()
    params = json.loads(args.params)
    bunch = load_tu(Path(args.datasets_dir), args.dataset)
    graphs = bunch.graphs
    data = [to_data(g, 0) for g in graphs]  # run_pyg sets each training graph's y
    y = np.array([structural_targets(g) for g in graphs])
    names = ["triangles", "cycle rank"]
    print(f"{args.dataset}: {len(graphs)} graphs; targets {names}: mean "
          f"{np.round(y.mean(0), 1).tolist()}, std {np.round(y.std(0), 1).tolist()}, max "
          f"{y.max(0).tolist()}; torch threads {torch.get_num_threads()}; params {params}")
    methods = ["skgraph"] + ([] if args.skip_pyg else ["PyG GIN"])
    predictions = {m: np.zeros_like(y) for m in methods}
    elapsed = dict.fromkeys(methods, 0.0)
    folds = list(KFold(args.folds, shuffle=True, random_state=0).split(graphs))
    per_fold = {m: [] for m in methods}
    for k, (train, test) in enumerate(folds):
        line = f"fold {k}:"
        for m in methods:
            start = time.perf_counter()
            if m == "skgraph":
                reg = GNNGraphRegressor(random_state=args.seed + k, **params)
                reg.fit([graphs[i] for i in train], y[train])
                predicted = reg.predict([graphs[i] for i in test])
            else:
                predicted = run_pyg([data[i] for i in train], [data[i] for i in test],
                                    y[train], REFERENCE["max_epochs"], seed=args.seed + k)
            seconds = time.perf_counter() - start
            elapsed[m] += seconds
            predictions[m][test] = predicted
            scores = [r2_score(y[test, j], predicted[:, j]) for j in range(len(names))]
            per_fold[m].append(scores)
            line += f"  {m} R² {' / '.join(f'{s:.3f}' for s in scores)} ({seconds:.1f}s)"
        print(line, flush=True)
    print()
    print("| method | " + " | ".join(f"{n}: R² (std over folds), MAE" for n in names)
          + " | time (s) |")
    print("|---|" + "---|" * len(names) + "---:|")
    for m in methods:
        cells = []
        for j in range(len(names)):
            fold_r2 = np.array(per_fold[m])[:, j]
            mae = np.mean([mean_absolute_error(y[test, j], predictions[m][test, j])
                           for _, test in folds])
            cells.append(f"{fold_r2.mean():.3f} ({fold_r2.std():.3f}), {mae:.2f}")
        print(f"| {m} | " + " | ".join(cells) + f" | {elapsed[m]:.1f} |")
    if len(methods) == 2:
        print(f"time skgraph / PyG GIN = {elapsed['skgraph'] / elapsed['PyG GIN']:.2f}")


if __name__ == "__main__":
    main()
