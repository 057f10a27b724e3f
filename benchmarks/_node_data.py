"""The node-level benchmark sets of ../shared/datasets, each with the splits it is scored on.

``load(name, directory)`` returns ``Bunch(graph, target, splits, protocol)``: ``splits`` a list
of ``(train_idx, val_idx, test_idx)``. Cora (Planetoid): the standard split of Yang et al.
(2016), once; ``cora_npz`` (the gnn-benchmark file of the same graph): the per-class protocol
of Shchur et al. (2018), 20 train and 30 validation nodes per class, one split per seed;
film, wisconsin, cornell (Geom-GCN): their ten published splits.
"""

from __future__ import annotations

from pathlib import Path

from sklearn.utils import Bunch

from skgraph.datasets import load_geom_gcn, load_npz, load_planetoid
from skgraph.model_selection import train_test_split_nodes

NODE_SETS = ("Cora", "cora_npz", "film", "wisconsin", "cornell")
HOMOPHILOUS = ("Cora", "cora_npz")


def load(name: str, directory: str | Path, n_random_splits: int = 10) -> Bunch:
    directory = Path(directory)
    if name == "Cora":
        data = load_planetoid(directory, "Cora")
        return Bunch(graph=data.graph, target=data.target,
                     splits=[(data.train_idx, data.val_idx, data.test_idx)],
                     protocol="standard Planetoid split (140 / 500 / 1000)")
    if name == "cora_npz":
        data = load_npz(directory / "npz" / "cora.npz")
        splits = [train_test_split_nodes(data.target, train_per_class=20, val_per_class=30,
                                         random_state=seed) for seed in range(n_random_splits)]
        return Bunch(graph=data.graph, target=data.target, splits=splits,
                     protocol=f"20 / 30 per class, rest test, {n_random_splits} random splits")
    data = load_geom_gcn(directory, name)
    return Bunch(graph=data.graph, target=data.target, splits=data.splits,
                 protocol=f"the {len(data.splits)} published Geom-GCN splits")


def used_splits(data: Bunch, n_splits: int) -> str:
    """The protocol of ``data`` as run with its first ``n_splits`` splits."""
    if n_splits >= len(data.splits):
        return data.protocol
    return f"the first {n_splits} of {data.protocol}"
