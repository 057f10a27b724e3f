"""Semi-supervised node classification: GNNNodeClassifier next to plain PyG scripts.

On every node-level set (``_node_data``: Cora's standard split and its per-class random
splits, the ten published splits of film, wisconsin and cornell) each method is fitted on
the training nodes of a split only (the validation nodes are not used by anyone) and scored
on its test nodes at the end of training: test accuracy, mean over splits and seeds, and the
fit time. Methods, all on the same splits in one process:

- ``skgraph``: ``make_pipeline(NodeFeatureTransformer(Normalizer(norm="l1")),
  GNNNodeClassifier(random_state=seed))``, and ``GNNNodeClassifier`` on the raw features;
- plain PyG scripts written as PyG's examples are (``examples/gcn.py``, ``gat.py``): a
  2-layer ``GCNConv`` (hidden 16, dropout 0.5, Adam 0.01, weight decay 5e-4, 200 epochs), a
  2-layer ``GATConv`` (8 heads of 8, dropout 0.6, Adam 0.005, weight decay 5e-4, 200
  epochs) and a 2-layer MLP on the features alone (hidden 64, the GCN's settings), all on
  the row-normalised features (PyG's ``NormalizeFeatures``).

    OMP_NUM_THREADS=1 python benchmarks/node_classification.py
    OMP_NUM_THREADS=1 python benchmarks/node_classification.py --datasets Cora --seeds 10
"""

from __future__ import annotations

import argparse
import json
import time

import numpy as np
import scipy.sparse as sp
import torch
import torch.nn.functional as F
from _node_data import NODE_SETS, load, used_splits
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import Normalizer
from torch_geometric.nn import GATConv, GCNConv

from skgraph import GNNNodeClassifier
from skgraph.preprocessing import NodeFeatureTransformer


class PlainGCN(torch.nn.Module):
    def __init__(self, in_channels, out_channels, hidden=16):
        super().__init__()
        self.conv1 = GCNConv(in_channels, hidden)
        self.conv2 = GCNConv(hidden, out_channels)

    def forward(self, x, edge_index):
        x = F.dropout(x, p=0.5, training=self.training)
        x = self.conv1(x, edge_index).relu()
        x = F.dropout(x, p=0.5, training=self.training)
        return self.conv2(x, edge_index)


class PlainGAT(torch.nn.Module):
    def __init__(self, in_channels, out_channels, hidden=8, heads=8):
        super().__init__()
        self.conv1 = GATConv(in_channels, hidden, heads=heads, dropout=0.6)
        self.conv2 = GATConv(hidden * heads, out_channels, heads=1, concat=False, dropout=0.6)

    def forward(self, x, edge_index):
        x = F.dropout(x, p=0.6, training=self.training)
        x = F.elu(self.conv1(x, edge_index))
        x = F.dropout(x, p=0.6, training=self.training)
        return self.conv2(x, edge_index)


class PlainMLP(torch.nn.Module):
    def __init__(self, in_channels, out_channels, hidden=64):
        super().__init__()
        self.lin1 = torch.nn.Linear(in_channels, hidden)
        self.lin2 = torch.nn.Linear(hidden, out_channels)

    def forward(self, x, edge_index):
        x = F.dropout(x, p=0.5, training=self.training)
        x = F.dropout(self.lin1(x).relu(), p=0.5, training=self.training)
        return self.lin2(x)


PLAIN = {"PyG GCN": (PlainGCN, 0.01), "PyG GAT": (PlainGAT, 0.005), "PyG MLP": (PlainMLP, 0.01)}


def plain_pyg(name, x, edge_index, y, train, test, seed, epochs=200):
    """Train one of the plain scripts on the training nodes; test accuracy at the end."""
    cls, lr = PLAIN[name]
    torch.manual_seed(seed)
    n_classes = int(y.max()) + 1
    model = cls(x.shape[1], n_classes)
    optimizer = torch.optim.Adam(model.parameters(), lr=lr, weight_decay=5e-4)
    y = torch.as_tensor(y)
    train, test = torch.as_tensor(train), torch.as_tensor(test)
    for _ in range(epochs):
        model.train()
        optimizer.zero_grad()
        F.cross_entropy(model(x, edge_index)[train], y[train]).backward()
        optimizer.step()
    model.eval()
    with torch.no_grad():
        return float((model(x, edge_index)[test].argmax(1) == y[test]).float().mean())


def row_normalised(X) -> torch.Tensor:
    """PyG's ``NormalizeFeatures``: every row divided by its sum."""
    X = sp.csr_array(X, dtype=np.float32)
    sums = np.asarray(X.sum(axis=1)).ravel()
    scaled = sp.diags_array(1 / np.where(sums > 0, sums, 1)) @ X
    return torch.as_tensor(scaled.toarray(), dtype=torch.float32)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--datasets-dir", default="../shared/datasets")
    parser.add_argument("--datasets", nargs="+", default=list(NODE_SETS), choices=NODE_SETS)
    parser.add_argument("--seeds", type=int, default=1, help="fits per split (Cora: 10)")
    parser.add_argument("--splits", type=int, default=10)
    parser.add_argument("--params", default="{}", help="JSON of GNNNodeClassifier parameters")
    parser.add_argument("--methods", nargs="+",
                        default=["skgraph (l1 pipeline)", "skgraph (raw)", *PLAIN])
    args = parser.parse_args()
    params = json.loads(args.params)
    print(f"GNNNodeClassifier({params or 'defaults'}); torch threads {torch.get_num_threads()}")
    for name in args.datasets:
        data = load(name, args.datasets_dir, n_random_splits=args.splits)
        G, y = data.graph, data.target
        seeds = args.seeds if len(data.splits) > 1 else max(args.seeds, 10)
        coo = G.adjacency.tocoo()
        edge_index = torch.as_tensor(np.vstack([coo.row, coo.col]), dtype=torch.long)
        x = row_normalised(G.features)
        results = {method: ([], []) for method in args.methods}
        for train, _, test in data.splits[:args.splits]:
            for seed in range(seeds):
                for method in args.methods:
                    start = time.perf_counter()
                    if method.startswith("skgraph"):
                        clf = GNNNodeClassifier(random_state=seed, **params)
                        if "l1" in method:
                            clf = make_pipeline(NodeFeatureTransformer(Normalizer(norm="l1")), clf)
                        accuracy = clf.fit(G[train], y[train]).score(G[test], y[test])
                    else:
                        accuracy = plain_pyg(method, x, edge_index, y, train, test, seed)
                    results[method][1].append(time.perf_counter() - start)
                    results[method][0].append(accuracy)
        print(f"\n{name}: {used_splits(data, args.splits)}; {seeds} seed(s) per split; "
              "test accuracy")
        for method, (scores, times) in results.items():
            print(f"  {method:<24} {np.mean(scores):.4f} ± {np.std(scores):.4f}   "
                  f"fit + predict {np.mean(times):6.2f} s", flush=True)


if __name__ == "__main__":
    main()
