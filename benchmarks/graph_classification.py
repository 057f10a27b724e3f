"""Graph classification benchmark: ``GNNGraphClassifier()`` (defaults) vs plain PyG scripts.

The development suite: every TU data set of ``--datasets-dir`` (MUTAG, PROTEINS, PTC_MR,
IMDB-MULTI, BZR, COX2) and, by name, ``LARGE`` (generated graphs of 1000-5000 nodes:
``_large_graphs.py``), with three methods on the same folds in the same run:

- ``skgraph``: ``GNNGraphClassifier(random_state=...)`` with its defaults (or ``--params``);
- ``PyG GIN``: the usual PyG script (PyG's ``examples/mutag_gin.py`` style: ``Data``
  objects, a ``DataLoader``, GINConv layers with an MLP and batch norm,
  ``global_add_pool``, an MLP head with dropout, Adam) with fixed settings (``REFERENCE``:
  4 layers of width 64, 100 epochs, batch 32, learning rate 0.01, dropout 0.5),
  independent of our defaults;
- ``baseline``: the structure-agnostic baseline of Errica et al. (ICLR 2020): per graph the
  sum and the mean of its node features (no edges), standardised with the training graphs'
  statistics, then an MLP (``BASELINE``: one hidden layer of 64, dropout 0.5, Adam at 0.01
  with weight decay 5e-4, batch 32, 200 epochs), fixed settings too;
- ``PyG GINE`` (``--methods``): the PyG GIN with ``GINEConv(..., edge_dim=...)`` layers
  that add a linear map of the edge features to every message, for the sets with edge
  labels (MUTAG, PTC_MR).

10-fold stratified cross-validation (shuffled, ``random_state=0``); accuracy at the last
epoch on the test fold (no model selection on the test fold); time = fit + predict per
fold. With several seeds every fold is trained once per seed (fold k with random state
seed + k, every method) and the figure reported is the mean over seeds of the 10-fold mean
± its standard error over seeds.

Input: the data as ``load_tu`` reads it, the same for every method: real-valued node
attributes where the set has them (PROTEINS, BZR, COX2), then the one-hot node labels;
edge features (one-hot bond labels of MUTAG and PTC_MR) on the graphs, read by the methods
that read them (``--edge-features drop`` removes them). Featureless graphs (IMDB-MULTI,
LARGE) give every method ``[1, log(1 + degree)]`` per node (our estimator's own default;
the PyG scripts need a dense ``x``). ``--labels-only`` drops the attributes.

Modes:

- default: the outer test accuracy of every method;
- ``--validation``: for screening defaults without touching the test folds: for each outer
  fold a stratified 10% of its training graphs (``random_state`` = the fold number) is held
  out, the model is trained on the rest and scored on those graphs; the test fold is never
  read;
- ``--nested``: the fair protocol of Errica et al.:
  ``cross_validate(GridSearchCV(GNNGraphClassifier(random_state=seed), grid, cv=inner),
  graphs, y, cv=outer)``, the grid (``--grid``) searched on 3 stratified inner folds of
  each outer training set only.

Run from the project root::

    python benchmarks/graph_classification.py --threads 1 --seeds 0 100 200    # the suite
    python benchmarks/graph_classification.py --datasets LARGE --large-graphs 40 \\
        --large-nodes 1000 2000
    python benchmarks/graph_classification.py --datasets MUTAG PTC_MR --edge-features drop \\
        --methods skgraph "PyG GIN" "PyG GINE"
    python benchmarks/graph_classification.py --validation --methods skgraph \\
        --params '{"ensemble_size": 1}'                                       # screening
    python benchmarks/graph_classification.py --nested --datasets PROTEINS \\
        --grid '{"hidden_size": [32, 64], "n_layers": [3, 5]}'
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

import numpy as np
import torch
from sklearn.model_selection import GridSearchCV, StratifiedKFold, cross_validate, train_test_split
from torch import nn
from torch_geometric.data import Data
from torch_geometric.loader import DataLoader
from torch_geometric.nn import GINConv, GINEConv, global_add_pool, global_mean_pool

from skgraph import GNNGraphClassifier, Graph
from skgraph._structural_encodings import degree_features
from skgraph.datasets import load_tu

TU_DATASETS = ["MUTAG", "PROTEINS", "PTC_MR", "IMDB-MULTI", "BZR", "COX2"]
DEFAULTS = GNNGraphClassifier().get_params()
REFERENCE = {"hidden_size": 64, "n_layers": 4, "dropout": 0.5, "batch_size": 32,
             "learning_rate": 0.01, "weight_decay": 0.0, "max_epochs": 100}
BASELINE = {"hidden_size": 64, "dropout": 0.5, "batch_size": 32, "learning_rate": 0.01,
            "weight_decay": 5e-4, "max_epochs": 200}
METHODS = ["skgraph", "PyG GIN", "baseline", "PyG GINE"]


class PlainGIN(nn.Module):
    """The usual PyG GIN for graph classification (GINE layers with ``edge_dim``)."""

    def __init__(self, in_channels: int, hidden: int, out_channels: int, n_layers: int,
                 dropout: float, edge_dim: int | None = None) -> None:
        super().__init__()
        self.convs = nn.ModuleList()
        self.norms = nn.ModuleList()
        for i in range(n_layers):
            mlp = nn.Sequential(nn.Linear(in_channels if i == 0 else hidden, hidden),
                                nn.BatchNorm1d(hidden), nn.ReLU(), nn.Linear(hidden, hidden))
            self.convs.append(GINConv(mlp, train_eps=True) if edge_dim is None
                              else GINEConv(mlp, train_eps=True, edge_dim=edge_dim))
            self.norms.append(nn.BatchNorm1d(hidden))
        self.head = nn.Sequential(nn.Linear(hidden, hidden), nn.ReLU(), nn.Dropout(dropout),
                                  nn.Linear(hidden, out_channels))

    def forward(self, x, edge_index, batch, n_graphs, edge_attr=None):
        for conv, norm in zip(self.convs, self.norms):
            h = conv(x, edge_index) if edge_attr is None else conv(x, edge_index, edge_attr)
            x = norm(h).relu()
        return self.head(global_add_pool(x, batch, size=n_graphs))


def to_data(graph, label) -> Data:
    """A PyG ``Data`` of a graph: dense ``x`` (``[1, log(1 + degree)]`` when featureless),
    ``edge_index`` in the adjacency's CSR order and ``edge_attr`` aligned with it."""
    coo = graph.adjacency.tocoo()
    edge_index = torch.from_numpy(np.vstack([coo.row, coo.col]).astype(np.int64))
    x = (degree_features(graph.adjacency) if graph.features is None
         else np.asarray(graph.features))
    data = Data(x=torch.tensor(x, dtype=torch.float32), edge_index=edge_index,
                y=torch.tensor([int(label)]), num_nodes=graph.n_nodes)
    edge_features = getattr(graph, "edge_features", None)
    if edge_features is not None:
        data.edge_attr = torch.tensor(np.asarray(edge_features), dtype=torch.float32)
    return data


def train_plain(model, train_data, epochs, loss, edges: bool = False) -> None:
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
            out = model(batch.x, batch.edge_index, batch.batch, batch.num_graphs,
                        *([batch.edge_attr] if edges else []))
            loss(out, batch.y).backward()
            optimizer.step()
    model.eval()


def predict_plain(model, test_data, edges: bool = False) -> torch.Tensor:
    """The model's outputs for ``test_data``, in order."""
    with torch.no_grad():
        return torch.cat([model(batch.x, batch.edge_index, batch.batch, batch.num_graphs,
                                *([batch.edge_attr] if edges else []))
                          for batch in DataLoader(test_data, batch_size=256)])


def run_pyg(train_data, test_data, n_classes, epochs, seed, edges: bool = False) -> float:
    torch.manual_seed(seed)
    p = REFERENCE
    edge_dim = train_data[0].edge_attr.shape[1] if edges else None
    model = PlainGIN(train_data[0].num_features, p["hidden_size"], n_classes, p["n_layers"],
                     p["dropout"], edge_dim=edge_dim)
    train_plain(model, train_data, epochs, nn.functional.cross_entropy, edges)
    labels = torch.cat([d.y for d in test_data])
    return int((predict_plain(model, test_data, edges).argmax(1) == labels).sum()) / len(test_data)


def pooled(data) -> torch.Tensor:
    """Per graph: the sum and the mean of its node features, side by side (no edges)."""
    rows = []
    for batch in DataLoader(data, batch_size=256):
        size = batch.num_graphs
        rows.append(torch.cat([global_add_pool(batch.x, batch.batch, size=size),
                               global_mean_pool(batch.x, batch.batch, size=size)], dim=1))
    return torch.cat(rows)


def run_baseline(train_data, test_data, n_classes, seed) -> float:
    """The structure-agnostic baseline: an MLP on each graph's summed and mean features."""
    torch.manual_seed(seed)
    p = BASELINE
    x_train, x_test = pooled(train_data), pooled(test_data)
    mean, std = x_train.mean(0), x_train.std(0)
    std[std == 0] = 1.0
    x_train, x_test = (x_train - mean) / std, (x_test - mean) / std
    y_train = torch.cat([d.y for d in train_data])
    y_test = torch.cat([d.y for d in test_data])
    model = nn.Sequential(nn.Linear(x_train.shape[1], p["hidden_size"]), nn.ReLU(),
                          nn.Dropout(p["dropout"]), nn.Linear(p["hidden_size"], n_classes))
    optimizer = torch.optim.Adam(model.parameters(), lr=p["learning_rate"],
                                 weight_decay=p["weight_decay"])
    for _ in range(p["max_epochs"]):
        model.train()
        for ids in torch.randperm(len(y_train)).split(p["batch_size"]):
            optimizer.zero_grad()
            nn.functional.cross_entropy(model(x_train[ids]), y_train[ids]).backward()
            optimizer.step()
    model.eval()
    with torch.no_grad():
        return float((model(x_test).argmax(1) == y_test).float().mean())


def load(args, name):
    """The data set as every method sees it (a ``load_tu``-like Bunch)."""
    if name == "LARGE":
        from _large_graphs import make_large

        return make_large(args.large_graphs, *args.large_nodes)
    bunch = load_tu(Path(args.datasets_dir), name, node_attributes=not args.labels_only)
    if args.edge_features == "drop":
        bunch.graphs = [Graph(g.adjacency, g.features) for g in bunch.graphs]
        bunch.edge_features = None
    return bunch


def summary(scores: list[list[float]]) -> tuple[float, float, list[float]]:
    """Mean over seeds of the fold mean, its standard error over seeds, the seed means."""
    per_seed = [float(np.mean(s)) for s in scores]
    se = float(np.std(per_seed, ddof=1) / np.sqrt(len(per_seed))) if len(per_seed) > 1 else 0.0
    return float(np.mean(per_seed)), se, per_seed


def run_nested(args, name, bunch, folds, params) -> dict:
    """Errica et al.'s protocol: a grid search on inner folds inside every outer fold."""
    grid = json.loads(args.grid)
    result = {"scores": [], "best_params": [], "fit_time": 0.0}
    for seed in args.seeds:
        inner = StratifiedKFold(args.inner_folds, shuffle=True, random_state=seed)
        search = GridSearchCV(GNNGraphClassifier(random_state=seed, **params), grid, cv=inner)
        start = time.perf_counter()
        cv = cross_validate(search, bunch.graphs, bunch.target, cv=folds[: args.folds],
                            return_estimator=True)
        result["fit_time"] += time.perf_counter() - start
        result["scores"].append([float(s) for s in cv["test_score"]])
        result["best_params"].append([e.best_params_ for e in cv["estimator"]])
        for k, (score, est) in enumerate(zip(cv["test_score"], cv["estimator"])):
            print(f"{name} seed {seed} outer fold {k}: {score:.3f}  best {est.best_params_} "
                  f"(inner {est.best_score_:.3f})", flush=True)
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--datasets-dir", default="../shared/datasets")
    parser.add_argument("--datasets", nargs="+", default=TU_DATASETS,
                        help="TU data sets of --datasets-dir, and LARGE (generated)")
    parser.add_argument("--methods", nargs="+", default=METHODS[:3], choices=METHODS)
    parser.add_argument("--folds", type=int, default=10,
                        help="run the first FOLDS of the 10 stratified folds")
    parser.add_argument("--epochs", type=int, default=None,
                        help="epochs for our estimator and the PyG scripts (default: each its "
                             f"own, ours {DEFAULTS['max_epochs']}, PyG "
                             f"{REFERENCE['max_epochs']})")
    parser.add_argument("--seeds", type=int, nargs="+", default=[0],
                        help="for each SEED, fold k trains with random_state SEED + k (every "
                             "method); accuracies are averaged over seeds")
    parser.add_argument("--threads", type=int, default=None,
                        help="torch.set_num_threads for every method (default: torch's)")
    parser.add_argument("--labels-only", action="store_true",
                        help="node features: the one-hot node labels only (no attributes)")
    parser.add_argument("--edge-features", choices=["keep", "drop"], default="keep",
                        help="keep the edge features load_tu reads, or drop them (every method)")
    parser.add_argument("--large-graphs", type=int, default=100,
                        help="graphs in LARGE")
    parser.add_argument("--large-nodes", type=int, nargs=2, default=[1000, 5000],
                        metavar=("MIN", "MAX"), help="nodes per graph in LARGE")
    parser.add_argument("--params", default="{}",
                        help="JSON of GNNGraphClassifier parameters that replace our defaults "
                             "(to compare variants on the same folds)")
    parser.add_argument("--validation", action="store_true",
                        help="score a stratified 10%% of each outer training set, held out "
                             "from training, instead of the test fold (for screening)")
    parser.add_argument("--nested", action="store_true",
                        help="our estimator only, in GridSearchCV over --grid on inner folds")
    parser.add_argument("--grid", default='{"hidden_size": [32, 64]}',
                        help="JSON parameter grid of the nested search")
    parser.add_argument("--inner-folds", type=int, default=3)
    parser.add_argument("--json", default=None, help="write the results to this JSON file")
    args = parser.parse_args()
    if args.threads:
        torch.set_num_threads(args.threads)
    params = json.loads(args.params)
    epochs = args.epochs or params.pop("max_epochs", DEFAULTS["max_epochs"])
    pyg_epochs = args.epochs or REFERENCE["max_epochs"]
    shown = {**DEFAULTS, **params, "max_epochs": epochs}
    print(f"torch threads {torch.get_num_threads()}, folds {args.folds} of 10, "
          f"{'validation (10% of each training set)' if args.validation else 'test folds'}"
          f"{', nested' if args.nested else ''}; node features: "
          f"{'labels only' if args.labels_only else 'attributes + labels'}, edge features "
          f"{args.edge_features}; ours: " + ", ".join(
              f"{k}={shown[k]}" for k in sorted(shown) if k not in (
                  "device", "random_state", "verbose", "warm_start", "callbacks")), flush=True)
    results = {"args": vars(args), "params": shown, "datasets": {}}
    for name in args.datasets:
        bunch = load(args, name)
        graphs, y = bunch.graphs, bunch.target
        n_classes = len(bunch.target_names)
        folds = list(StratifiedKFold(10, shuffle=True, random_state=0).split(np.zeros(len(y)), y))
        if args.nested:
            results["datasets"][name] = {"skgraph (nested)": run_nested(
                args, name, bunch, folds, {**params, "max_epochs": epochs})}
            continue
        if args.validation:  # the test fold is never read: score held-out training graphs
            folds = [tuple(train_test_split(train, test_size=0.1, stratify=y[train],
                                            random_state=k))
                     for k, (train, _) in enumerate(folds)]
        has_edges = bunch.edge_features is not None
        methods = [m for m in args.methods if m != "PyG GINE" or has_edges]
        data = [to_data(g, label) for g, label in zip(graphs, y)]
        scores = {m: [] for m in methods}  # per method: a list of fold accuracies per seed
        elapsed = dict.fromkeys(methods, 0.0)
        for seed in args.seeds:
            for m in methods:
                scores[m].append([])
            for k, (train, test) in enumerate(folds[: args.folds]):
                line = f"{name} seed {seed} fold {k}:"
                for m in methods:
                    start = time.perf_counter()
                    if m == "skgraph":
                        clf = GNNGraphClassifier(random_state=seed + k, max_epochs=epochs,
                                                 **params)
                        clf.fit([graphs[i] for i in train], y[train])
                        accuracy = clf.score([graphs[i] for i in test], y[test])
                    elif m == "baseline":
                        accuracy = run_baseline([data[i] for i in train],
                                                [data[i] for i in test], n_classes, seed + k)
                    else:
                        accuracy = run_pyg([data[i] for i in train], [data[i] for i in test],
                                           n_classes, pyg_epochs, seed=seed + k,
                                           edges=m == "PyG GINE")
                    seconds = time.perf_counter() - start
                    scores[m][-1].append(accuracy)
                    elapsed[m] += seconds
                    line += f"  {m} {accuracy:.3f} ({seconds:.1f}s)"
                print(line, flush=True)
        results["datasets"][name] = {m: {"scores": scores[m], "time": elapsed[m]}
                                     for m in methods}
    report(results, args)
    if args.json:
        Path(args.json).write_text(json.dumps(results, indent=1))


def report(results: dict, args) -> None:
    """The markdown table of the results, and the time ratios."""
    print()
    what = "validation" if args.validation else "test"
    print(f"| dataset | method | {what} accuracy: mean over {len(args.seeds)} seed(s) ± SE "
          "(per seed) | std over folds | time (s) |")
    print("|---|---|---|---|---:|")
    totals: dict[str, float] = {}
    for name, methods in results["datasets"].items():
        for method, r in methods.items():
            mean, se, per_seed = summary(r["scores"])
            seconds = r.get("time", r.get("fit_time", 0.0))
            totals[method] = totals.get(method, 0.0) + seconds
            spread = " / ".join(f"{np.std(s):.3f}" for s in r["scores"])
            detail = f" ({' / '.join(f'{m:.3f}' for m in per_seed)})" if len(per_seed) > 1 \
                else ""
            print(f"| {name} | {method} | {mean:.3f} ± {se:.3f}{detail} | {spread} "
                  f"| {seconds:.1f} |")
    for name, methods in results["datasets"].items():
        if "skgraph" in methods and "PyG GIN" in methods:
            ratio = methods["skgraph"]["time"] / methods["PyG GIN"]["time"]
            print(f"{name}: time skgraph / PyG GIN = {ratio:.2f}")
    if "skgraph" in totals and "PyG GIN" in totals:
        print(f"total: skgraph {totals['skgraph']:.1f} s, PyG GIN {totals['PyG GIN']:.1f} s, "
              f"ratio {totals['skgraph'] / totals['PyG GIN']:.2f}")
    means = {m: [summary(r[m]["scores"])[0] for r in results["datasets"].values() if m in r]
             for m in totals}
    print("mean over data sets: " + ", ".join(f"{m} {np.mean(v):.4f}"
                                              for m, v in means.items()))


if __name__ == "__main__":
    main()
