"""Building a graph from a named edge list: Graph.from_edges against the plain PyG route.

A table of transactions (source and target account ids as text) and a table of account
features indexed by id, as a fraud or churn user holds them. Timed side by side in one
process:

* ``skgraph``: ``Graph.from_edges(edges, accounts)`` (names kept, features read by name,
  validated, undirected);
* ``pyg``: what a PyG user writes by hand: ids to positions with pandas
  (``Index.get_indexer``), ``edge_index`` as a tensor, ``to_undirected`` and
  ``coalesce``, features as a tensor in the table's order (no validation);
* ``networkx``: ``nx.from_pandas_edgelist`` then ``skgraph.as_graph``, with the features
  set as node attributes (the route through networkx).

Usage::

    OMP_NUM_THREADS=1 python benchmarks/edge_lists.py --accounts 300000 --rows 1500000
"""

from __future__ import annotations

import argparse
import time

import numpy as np
import pandas as pd
import torch

from skgraph import Graph, as_graph


def _tables(n_accounts: int, n_rows: int, n_features: int, seed: int):
    rng = np.random.default_rng(seed)
    names = np.array([f"acct_{i:07d}" for i in rng.permutation(n_accounts)], dtype=object)
    source, target = rng.integers(0, n_accounts, (2, n_rows))
    keep = source != target
    edges = pd.DataFrame({"source": names[source[keep]], "target": names[target[keep]],
                          "amount": rng.gamma(2.0, 50.0, keep.sum())})
    accounts = pd.DataFrame(rng.normal(size=(n_accounts, n_features)),
                            columns=[f"f{j}" for j in range(n_features)], index=names)
    accounts["verified"] = rng.random(n_accounts) < 0.3
    return edges, accounts


def _pyg(edges: pd.DataFrame, accounts: pd.DataFrame):
    from torch_geometric.utils import coalesce, to_undirected

    index = pd.Index(accounts.index)
    rows = torch.from_numpy(index.get_indexer(edges["source"]).astype(np.int64))
    cols = torch.from_numpy(index.get_indexer(edges["target"]).astype(np.int64))
    edge_index = to_undirected(torch.stack([rows, cols]), num_nodes=len(index))
    edge_index = coalesce(edge_index, num_nodes=len(index))
    x = torch.from_numpy(accounts.to_numpy(dtype=np.float32))
    return edge_index, x


def _networkx(edges: pd.DataFrame, accounts: pd.DataFrame):
    import networkx as nx

    g = nx.from_pandas_edgelist(edges, "source", "target")
    g.add_nodes_from(accounts.index)
    nx.set_node_attributes(g, dict(zip(accounts.index, accounts.to_numpy(dtype=float))), "x")
    return as_graph(g)


def _best_of(repeats: int, build, *args) -> tuple[float, object]:
    times, out = [], None
    for _ in range(repeats):
        start = time.perf_counter()
        out = build(*args)
        times.append(time.perf_counter() - start)
    return min(times), out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--accounts", type=int, default=300_000)
    parser.add_argument("--rows", type=int, default=1_500_000)
    parser.add_argument("--features", type=int, default=16)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--networkx", action="store_true",
                        help="also time the networkx route (slow above 10^5 accounts)")
    args = parser.parse_args()
    torch.set_num_threads(1)
    edges, accounts = _tables(args.accounts, args.rows, args.features, seed=0)
    print(f"{args.accounts} accounts, {len(edges)} rows, {accounts.shape[1]} feature columns")
    ours, G = _best_of(args.repeats, Graph.from_edges, edges, accounts)
    theirs, (edge_index, _) = _best_of(args.repeats, _pyg, edges, accounts)
    assert G.adjacency.nnz == edge_index.shape[1], "the two routes disagree on the edges"
    print(f"skgraph Graph.from_edges: {ours:.2f} s")
    print(f"plain PyG route:          {theirs:.2f} s  (skgraph / PyG = {ours / theirs:.2f})")
    if args.networkx:
        routed, H = _best_of(1, _networkx, edges, accounts)
        assert H.n_edges == G.n_edges
        print(f"networkx route:           {routed:.2f} s  (skgraph / networkx = "
              f"{ours / routed:.2f})")


if __name__ == "__main__":
    main()
