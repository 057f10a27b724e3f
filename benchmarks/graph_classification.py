"""Graph classification benchmark: ``GNNGraphClassifier()`` (defaults) vs a plain PyG GIN script.

10-fold stratified cross-validation (shuffled, ``random_state=0``) on MUTAG and PROTEINS,
both methods on the same folds in the same run. Accuracy is measured at the last epoch on
the test fold (no model selection on the test fold); time is fit + predict per fold.

The PyG baseline is written the usual way (as PyG's ``examples/mutag_gin.py``): ``Data``
objects built from the graphs that ``skgraph.datasets.load_tu`` reads, a ``DataLoader``,
GINConv layers with an MLP, ``global_add_pool``, an MLP head with dropout, Adam; its
settings are fixed (``REFERENCE``: 4 layers of width 64, 100 epochs, batch 32, learning
rate 0.01, dropout 0.5), independent of our defaults.

Run from the project root::

    python benchmarks/graph_classification.py                       # full: 10 folds, defaults
    python benchmarks/graph_classification.py --folds 3 --epochs 20  # quick
    python benchmarks/graph_classification.py --skip-pyg --params '{"weight_averaging": 0}'
    python benchmarks/graph_classification.py --seeds 0 100 200 300  # mean over random states
    python benchmarks/graph_classification.py --datasets PROTEINS --node-attributes

Node features are the one-hot node labels, the input of the published results (the GIN
paper's, and PyG's ``TUDataset`` default ``use_node_attr=False``); ``--node-attributes``
appends the real-valued node attributes where a data set has them (PROTEINS: one per
node, integer-valued and heavy-tailed), for both methods.

With several seeds every fold is trained once per seed (fold k with random state seed + k,
both methods) and the accuracy reported is the mean over seeds of the 10-fold mean (each
seed's figure is printed too): one seed's 10-fold mean moves by about 0.01 with the seed
alone on these data sets, as much as many of the differences being measured.
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

import numpy as np
import torch
from sklearn.model_selection import StratifiedKFold
from torch import nn
from torch_geometric.data import Data
from torch_geometric.loader import DataLoader
from torch_geometric.nn import GINConv, global_add_pool

from skgraph import GNNGraphClassifier
from skgraph.datasets import load_tu

DEFAULTS = GNNGraphClassifier().get_params()
REFERENCE = {"hidden_size": 64, "n_layers": 4, "dropout": 0.5, "batch_size": 32,
             "learning_rate": 0.01, "weight_decay": 0.0, "max_epochs": 100}


class PlainGIN(nn.Module):
    """The usual PyG GIN for graph classification."""

    def __init__(self, in_channels: int, hidden: int, out_channels: int, n_layers: int,
                 dropout: float) -> None:
        super().__init__()
        self.convs = nn.ModuleList()
        self.norms = nn.ModuleList()
        for i in range(n_layers):
            mlp = nn.Sequential(nn.Linear(in_channels if i == 0 else hidden, hidden),
                                nn.BatchNorm1d(hidden), nn.ReLU(), nn.Linear(hidden, hidden))
            self.convs.append(GINConv(mlp, train_eps=True))
            self.norms.append(nn.BatchNorm1d(hidden))
        self.head = nn.Sequential(nn.Linear(hidden, hidden), nn.ReLU(), nn.Dropout(dropout),
                                  nn.Linear(hidden, out_channels))

    def forward(self, x, edge_index, batch, n_graphs):
        for conv, norm in zip(self.convs, self.norms):
            x = norm(conv(x, edge_index)).relu()
        return self.head(global_add_pool(x, batch, size=n_graphs))


def to_data(graph, label) -> Data:
    coo = graph.adjacency.tocoo()
    edge_index = torch.from_numpy(np.vstack([coo.row, coo.col]).astype(np.int64))
    return Data(x=torch.tensor(np.asarray(graph.features), dtype=torch.float32),
                edge_index=edge_index, y=torch.tensor([int(label)]))


def train_plain(model, train_data, epochs, loss) -> None:
    """The usual PyG training loop (Adam, shuffled ``DataLoader``) with REFERENCE settings."""
    p = REFERENCE
    optimizer = torch.optim.Adam(model.parameters(), lr=p["learning_rate"],
                                 weight_decay=p["weight_decay"])
    loader = DataLoader(train_data, batch_size=p["batch_size"], shuffle=True, drop_last=False)
    for _ in range(epochs):
        model.train()
        for batch in loader:
            if batch.num_graphs < 2:
                continue  # batch norm needs more than one value
            optimizer.zero_grad()
            out = model(batch.x, batch.edge_index, batch.batch, batch.num_graphs)
            loss(out, batch.y).backward()
            optimizer.step()
    model.eval()


def predict_plain(model, test_data) -> torch.Tensor:
    """The model's outputs for ``test_data``, in order."""
    with torch.no_grad():
        return torch.cat([model(batch.x, batch.edge_index, batch.batch, batch.num_graphs)
                          for batch in DataLoader(test_data, batch_size=256)])


def run_pyg(train_data, test_data, n_classes, epochs, seed) -> float:
    torch.manual_seed(seed)
    p = REFERENCE
    model = PlainGIN(train_data[0].num_features, p["hidden_size"], n_classes, p["n_layers"],
                     p["dropout"])
    train_plain(model, train_data, epochs, nn.functional.cross_entropy)
    labels = torch.cat([d.y for d in test_data])
    return int((predict_plain(model, test_data).argmax(1) == labels).sum()) / len(test_data)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--datasets-dir", default="../shared/datasets")
    parser.add_argument("--datasets", nargs="+", default=["MUTAG", "PROTEINS"])
    parser.add_argument("--folds", type=int, default=10,
                        help="run the first FOLDS of the 10 stratified folds")
    parser.add_argument("--first-fold", type=int, default=0,
                        help="start at this fold (to split the folds over processes)")
    parser.add_argument("--epochs", type=int, default=None,
                        help="epochs for both methods (default: each its own, "
                             f"ours {DEFAULTS['max_epochs']}, PyG {REFERENCE['max_epochs']})")
    parser.add_argument("--seeds", type=int, nargs="+", default=[0],
                        help="for each SEED, fold k trains with random_state SEED + k (both "
                             "methods); accuracies are averaged over seeds")
    parser.add_argument("--threads", type=int, default=None,
                        help="torch.set_num_threads for both methods (default: torch's)")
    parser.add_argument("--skip-pyg", action="store_true")
    parser.add_argument("--node-attributes", action="store_true",
                        help="append the real-valued node attributes to the one-hot node labels "
                             "(both methods)")
    parser.add_argument("--params", default="{}",
                        help="JSON of GNNGraphClassifier parameters that replace our defaults "
                             "(to compare variants on the same folds)")
    args = parser.parse_args()
    if args.threads:
        torch.set_num_threads(args.threads)
    params = json.loads(args.params)
    epochs = args.epochs or params.pop("max_epochs", DEFAULTS["max_epochs"])
    pyg_epochs = args.epochs or REFERENCE["max_epochs"]
    print(f"torch threads {torch.get_num_threads()}, epochs {epochs} (PyG {pyg_epochs}), "
          f"folds {args.folds} of 10, node features: labels"
          f"{' + attributes' if args.node_attributes else ' only'}; defaults: " + ", ".join(
              f"{k}={params.get(k, DEFAULTS[k])}" for k in (
                  "conv", "readout", "n_layers", "hidden_size", "jumping_knowledge",
                  "standardize", "random_walk_encoding", "weight_averaging", "ensemble_size",
                  "dropout", "batch_size", "learning_rate",
                  "weight_decay", "early_stopping", "validation_fraction")))
    rows = []
    for name in args.datasets:
        bunch = load_tu(Path(args.datasets_dir), name, node_attributes=args.node_attributes)
        graphs, y = bunch.graphs, bunch.target
        data = [to_data(g, label) for g, label in zip(graphs, y)]
        folds = list(StratifiedKFold(10, shuffle=True, random_state=0).split(np.zeros(len(y)), y))
        methods = ["skgraph"] + ([] if args.skip_pyg else ["PyG GIN"])
        scores = {m: [] for m in methods}  # per method: a list of fold accuracies per seed
        elapsed = dict.fromkeys(methods, 0.0)
        for seed in args.seeds:
            for m in methods:
                scores[m].append([])
            for k, (train, test) in enumerate(folds[: args.folds]):
                if k < args.first_fold:
                    continue
                line = f"{name} seed {seed} fold {k}:"
                for m in methods:
                    start = time.perf_counter()
                    if m == "skgraph":
                        clf = GNNGraphClassifier(random_state=seed + k, max_epochs=epochs,
                                                 **params)
                        clf.fit([graphs[i] for i in train], y[train])
                        accuracy = clf.score([graphs[i] for i in test], y[test])
                    else:
                        accuracy = run_pyg([data[i] for i in train], [data[i] for i in test],
                                           len(bunch.target_names), pyg_epochs, seed=seed + k)
                    seconds = time.perf_counter() - start
                    scores[m][-1].append(accuracy)
                    elapsed[m] += seconds
                    line += f"  {m} {accuracy:.3f} ({seconds:.1f}s)"
                print(line, flush=True)
        rows += [(name, m, scores[m], elapsed[m]) for m in methods]
    print()
    n_folds = args.folds - args.first_fold
    print(f"| dataset | method | accuracy: mean over {len(args.seeds)} seed(s) of the "
          f"{n_folds}-fold mean (per seed) | std over folds | time (s) |")
    print("|---|---|---|---|---:|")
    for name, method, fold_scores, seconds in rows:
        per_seed = [np.mean(seed_scores) for seed_scores in fold_scores]
        spread = " / ".join(f"{np.std(seed_scores):.3f}" for seed_scores in fold_scores)
        detail = f" ({' / '.join(f'{m:.3f}' for m in per_seed)})" if len(per_seed) > 1 else ""
        print(f"| {name} | {method} | {np.mean(per_seed):.3f}{detail} | {spread} "
              f"| {seconds:.1f} |")
    for name in args.datasets:
        times = {m: t for n, m, _, t in rows if n == name}
        if len(times) == 2:
            print(f"{name}: time skgraph / PyG GIN = {times['skgraph'] / times['PyG GIN']:.2f}")


if __name__ == "__main__":
    main()
