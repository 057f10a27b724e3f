"""Weisfeiler-Lehman subtree features: WeisfeilerLehmanFeatures against PyG's WLConv
histograms, on the labelled TU sets.

Side by side in one process, on the same folds, the same classifier on each method's
features:

* ``skgraph``: ``make_pipeline(WeisfeilerLehmanFeatures(n_iter), Normalizer(),
  LinearSVC())``: the colours are learned on each training fold, and a test graph counts
  the colours seen there;
* ``pyg``: the features of PyG's ``examples/wl_kernel.py``: ``WLConv`` layers over the whole
  data set in one batch (every graph's colours, test folds included, as that example
  computes them), each round's ``histogram(..., norm=True)``, here concatenated over the
  rounds (the example instead picks one round on a validation split), then ``LinearSVC``.

10-fold stratified cross-validation (shuffled, ``random_state=0``); ``C`` chosen by an
inner 3-fold search over ``10^-3 .. 10^3`` on each training fold (``GridSearchCV``).
Time: the features of the whole data set (skgraph: ``fit_transform``; pyg: the WLConv
rounds and histograms), best of 3 after an untimed first call of each.

Usage::

    OMP_NUM_THREADS=1 python benchmarks/wl_features.py --datasets MUTAG PTC_MR --n-iter 3
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import numpy as np
import scipy.sparse as sp
import torch
from sklearn.model_selection import GridSearchCV, StratifiedKFold, cross_val_score
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import Normalizer
from sklearn.svm import LinearSVC
from torch_geometric.nn import WLConv

from skgraph.datasets import load_tu
from skgraph.preprocessing import WeisfeilerLehmanFeatures

C_GRID = {"linearsvc__C": [10.0 ** k for k in range(-3, 4)]}


def _pyg_features(graphs, n_iter: int) -> np.ndarray:
    x = torch.as_tensor(np.vstack([g.features for g in graphs])).argmax(dim=1)
    union = sp.block_diag([g.adjacency for g in graphs], format="coo")
    edge_index = torch.as_tensor(np.vstack([union.row, union.col]), dtype=torch.long)
    batch = torch.as_tensor(np.repeat(np.arange(len(graphs)), [g.n_nodes for g in graphs]))
    histograms = []
    for _ in range(n_iter):
        conv = WLConv()
        x = conv(x, edge_index)
        histograms.append(conv.histogram(x, batch, norm=True))
    return torch.cat(histograms, dim=1).numpy()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--datasets-dir", default=str(Path(__file__).resolve().parents[2]
                                                      / "shared" / "datasets"))
    parser.add_argument("--datasets", nargs="+", default=["MUTAG", "PTC_MR"])
    parser.add_argument("--n-iter", type=int, default=3)
    args = parser.parse_args()
    torch.set_num_threads(1)
    outer = StratifiedKFold(10, shuffle=True, random_state=0)
    inner = StratifiedKFold(3, shuffle=True, random_state=0)
    print(f"WL with {args.n_iter} rounds; 10-fold accuracy (C searched on inner folds)")
    for name in args.datasets:
        data = load_tu(args.datasets_dir, name)
        graphs, y = data.graphs, data.target
        routes = {"skgraph": lambda: WeisfeilerLehmanFeatures(args.n_iter).fit_transform(
                      graphs), "pyg": lambda: _pyg_features(graphs, args.n_iter)}
        times = {}
        for route_name, route in routes.items():
            route()  # untimed: first calls pay for imports and caches
            times[route_name] = []
            for _ in range(3):
                start = time.perf_counter()
                route()
                times[route_name].append(time.perf_counter() - start)
        ours_time, pyg_time = min(times["skgraph"]), min(times["pyg"])
        pyg = _pyg_features(graphs, args.n_iter)
        ours = GridSearchCV(make_pipeline(WeisfeilerLehmanFeatures(args.n_iter), Normalizer(),
                                          LinearSVC(random_state=0)), C_GRID, cv=inner)
        theirs = GridSearchCV(make_pipeline(LinearSVC(random_state=0)), C_GRID, cv=inner)
        ours_scores = cross_val_score(ours, graphs, y, cv=outer)
        pyg_scores = cross_val_score(theirs, pyg, y, cv=outer)
        print(f"{name:8s} skgraph {ours_scores.mean():.3f} ± {ours_scores.std():.3f} "
              f"(features {ours_time:.2f} s)   pyg {pyg_scores.mean():.3f} ± "
              f"{pyg_scores.std():.3f} (features {pyg_time:.2f} s, "
              f"{pyg_time / ours_time:.1f}x skgraph's time)")


if __name__ == "__main__":
    main()
