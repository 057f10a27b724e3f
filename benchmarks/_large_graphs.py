"""LARGE: generated graphs of thousands of nodes, for the size axis of the graph benchmark.

Two classes of sparse random graphs with the same degrees but a different structure:

- class 0, a small world: a Watts-Strogatz ring lattice (every node joined to its 4
  nearest neighbours on a ring, each edge rewired with probability ``p`` drawn uniformly
  from 0.05-0.2): many triangles, long cycles;
- class 1, the same graph with its edges shuffled, degrees kept: a configuration model
  on its degree sequence (self loops and repeated edges dropped, which changes a few
  degrees by one or two): almost no triangles, short paths.

A node's degree therefore tells almost nothing about the class; what does is how its
neighbourhood is wired. The graphs are featureless (every method gets
``[1, log(1 + degree)]`` per node), the uninformative input the benchmark asks for.
Sizes are drawn uniformly from ``min_nodes``..``max_nodes`` for both classes alike, so
the size does not tell the class either. Deterministic for a given ``seed``.
"""

from __future__ import annotations

import networkx as nx
import numpy as np
import scipy.sparse as sp
from sklearn.utils import Bunch

from skgraph import Graph


def _adjacency(edges: np.ndarray, n: int) -> sp.csr_array:
    """The symmetric binary adjacency of an edge list (loops and repeats dropped)."""
    edges = edges[edges[:, 0] != edges[:, 1]]
    A = sp.csr_array((np.ones(len(edges)), (edges[:, 0], edges[:, 1])), shape=(n, n))
    A = sp.csr_array(A.maximum(A.T))
    A.data[:] = 1.0
    return A


def _shuffled(A: sp.csr_array, rng: np.random.Generator) -> sp.csr_array:
    """A configuration model on the degree sequence of ``A`` (stubs matched at random)."""
    degree = np.asarray(A.sum(axis=1)).astype(np.int64).ravel()
    stubs = np.repeat(np.arange(len(degree)), degree)
    rng.shuffle(stubs)
    if len(stubs) % 2:
        stubs = stubs[:-1]
    return _adjacency(stubs.reshape(-1, 2), len(degree))


def make_large(n_graphs: int = 100, min_nodes: int = 1000, max_nodes: int = 5000,
               seed: int = 0) -> Bunch:
    """``n_graphs`` graphs (half of each class, alternating) as a ``load_tu``-like Bunch."""
    rng = np.random.default_rng(seed)
    graphs, target = [], []
    for i in range(n_graphs):
        n = int(rng.integers(min_nodes, max_nodes + 1))
        small_world = nx.watts_strogatz_graph(n, 4, float(rng.uniform(0.05, 0.2)),
                                              seed=int(rng.integers(2**31)))
        A = _adjacency(np.array(small_world.edges(), dtype=np.int64), n)
        label = i % 2
        if label:
            A = _shuffled(A, rng)
        graphs.append(Graph(A))
        target.append(label)
    return Bunch(graphs=graphs, target=np.array(target, dtype=np.int64),
                 target_names=np.array(["small world", "shuffled"]), edge_features=None,
                 name="LARGE")
