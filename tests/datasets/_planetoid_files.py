"""Writing small Planetoid data sets in the raw ``ind.<name>.*`` format, for oracle tests."""

import pickle
from collections import defaultdict

import numpy as np
import scipy.sparse as sp


def write_planetoid(folder, name, *, n_train=10, n_allx=520, n_features=12, n_classes=3,
                    test_ids=None, adjacency_lists=None, seed=0):
    """Write ``ind.<name.lower()>.*`` into ``folder`` (created); return what was written.

    ``test_ids`` is the content of ``test.index`` (row k of tx/ty is node test_ids[k]);
    by default 40 ids after the allx rows, shuffled. ``adjacency_lists`` is the ``graph``
    dict; by default a random symmetric graph over all nodes.
    """
    rng = np.random.default_rng(seed)
    if test_ids is None:
        test_ids = rng.permutation(np.arange(n_allx, n_allx + 40))
    test_ids = np.asarray(test_ids)
    n_test = len(test_ids)

    def features(rows):
        dense = (rng.random((rows, n_features)) < 0.3).astype(np.float32)
        return sp.csr_matrix(dense)

    def one_hot(rows):
        labels = np.zeros((rows, n_classes), dtype=np.int32)
        labels[np.arange(rows), rng.integers(0, n_classes, rows)] = 1
        return labels

    allx, ally = features(n_allx), one_hot(n_allx)
    tx, ty = features(n_test), one_hot(n_test)
    if adjacency_lists is None:
        n = max(n_allx, int(test_ids.max()) + 1)
        adjacency_lists = defaultdict(list)
        for i, j in rng.integers(0, n, size=(3 * n, 2)):
            adjacency_lists[int(i)].append(int(j))
            adjacency_lists[int(j)].append(int(i))
        adjacency_lists.setdefault(n - 1, [])  # the last test id is a node of the graph
    folder.mkdir(parents=True, exist_ok=True)
    prefix = f"ind.{name.lower()}"
    parts = {"x": allx[:n_train], "y": ally[:n_train], "allx": allx, "ally": ally,
             "tx": tx, "ty": ty, "graph": adjacency_lists}
    for suffix, value in parts.items():
        with open(folder / f"{prefix}.{suffix}", "wb") as f:
            pickle.dump(value, f, protocol=2)
    (folder / f"{prefix}.test.index").write_text("".join(f"{i}\n" for i in test_ids))
    return parts, test_ids
