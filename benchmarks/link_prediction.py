"""Link prediction: LinkPredictor next to the seed's plain PyG VGAE loop, on every node-level set.

Protocol (Kipf & Welling 2016): per seed, 85% / 5% / 10% of the undirected edges for
training / validation / test, with as many sampled non-edges of the whole graph in
validation and test; held-out edges removed from the training graph. Both models are fitted
on the same training graph and scored on the same test pairs (test ROC AUC and average
precision); the validation pairs are not used by either. ``--features l1`` row-normalises
the features first (the VGAE paper's preprocessing) for both; ``raw`` gives them as read.

    python benchmarks/link_prediction.py --datasets Cora --features raw l1 --seeds 10
"""

from __future__ import annotations

import argparse
import json
import time

import _pyg_reference as reference
import numpy as np
import scipy.sparse as sp
import torch
from _node_data import NODE_SETS, load
from sklearn.metrics import average_precision_score, roc_auc_score

from skgraph import Graph, LinkPredictor
from skgraph.model_selection import train_test_split_edges


def row_normalise(X):
    X = sp.csr_array(X, dtype=np.float64)
    sums = np.asarray(X.sum(axis=1)).ravel()
    sums[sums == 0] = 1.0
    return sp.csr_array(sp.diags_array(1.0 / sums) @ X)


def run_plain_pyg(G_train: Graph, pairs, seed: int, epochs: int):
    torch.manual_seed(seed)
    X = G_train.features
    x = torch.as_tensor(X.toarray() if sp.issparse(X) else X, dtype=torch.float32)
    coo = G_train.adjacency.tocoo()
    edge_index = torch.as_tensor(np.vstack([coo.row, coo.col]), dtype=torch.long)
    upper = edge_index[:, edge_index[0] < edge_index[1]]
    model = reference.fit(x, edge_index, upper, epochs)
    model.eval()
    with torch.no_grad():
        z = model.encode(x, edge_index)
        return model.decoder(z, torch.as_tensor(pairs.T), sigmoid=True).numpy()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--datasets-dir", default="../shared/datasets")
    parser.add_argument("--datasets", nargs="+", default=["Cora"], choices=list(NODE_SETS))
    parser.add_argument("--features", nargs="+", default=["l1"], choices=["raw", "l1"])
    parser.add_argument("--seeds", type=int, default=10)
    parser.add_argument("--pyg-epochs", type=int, default=400, help="the seed's loop: 400")
    parser.add_argument("--params", default="{}", help="JSON of LinkPredictor parameters")
    parser.add_argument("--skip-pyg", action="store_true")
    args = parser.parse_args()
    params = json.loads(args.params)
    for name in args.datasets:
        data = load(name, args.datasets_dir)
        for features in args.features:
            X = data.graph.features
            G = Graph(data.graph.adjacency, row_normalise(X) if features == "l1" else X)
            run(G, f"{name} ({features} features)", params, args)


def run(G: Graph, label: str, params: dict, args) -> None:
    results = {"skgraph": [], "plain PyG": []}
    times = {"skgraph": [], "plain PyG": []}
    for seed in range(args.seeds):
        G_train, test_pairs, test_y, _, _ = train_test_split_edges(
            G, test_size=0.10, validation_size=0.05, random_state=seed)
        start = time.perf_counter()
        lp = LinkPredictor(random_state=seed, **params).fit(G_train)
        proba = lp.predict_proba(test_pairs)[:, 1]
        times["skgraph"].append(time.perf_counter() - start)
        results["skgraph"].append((roc_auc_score(test_y, proba),
                                   average_precision_score(test_y, proba)))
        line = (f"seed {seed}: skgraph AUC {results['skgraph'][-1][0]:.4f} "
                f"AP {results['skgraph'][-1][1]:.4f}")
        if not args.skip_pyg:
            start = time.perf_counter()
            proba = run_plain_pyg(G_train, test_pairs, seed, args.pyg_epochs)
            times["plain PyG"].append(time.perf_counter() - start)
            results["plain PyG"].append((roc_auc_score(test_y, proba),
                                         average_precision_score(test_y, proba)))
            line += (f" | plain PyG AUC {results['plain PyG'][-1][0]:.4f} "
                     f"AP {results['plain PyG'][-1][1]:.4f}")
        print(line, flush=True)

    print(f"\n{label}, 85/5/10 edge split, {args.seeds} seeds, test set:")
    print(f"{'model':<48} {'ROC AUC':>16} {'AP':>16} {'fit s':>7}")
    labels = {"skgraph": f"skgraph LinkPredictor({json.dumps(params) if params else 'defaults'})",
              "plain PyG": f"plain PyG VGAE loop (seed, {args.pyg_epochs} epochs)"}
    for key, rows in results.items():
        if rows:
            rows = np.array(rows)
            print(f"{labels[key]:<48} {rows[:, 0].mean():.4f} ± {rows[:, 0].std():.4f} "
                  f"{rows[:, 1].mean():.4f} ± {rows[:, 1].std():.4f} {np.mean(times[key]):7.1f}",
                  flush=True)


if __name__ == "__main__":
    main()
