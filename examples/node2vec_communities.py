"""
Communities from random walks: node2vec on the karate club
==========================================================

:class:`skgraph.Node2VecEmbedder` embeds a graph from its structure alone: nodes that meet
on random walks get similar vectors. Zachary's karate club (34 members, the friendships
between them) split into two factions; the embedding never sees them, yet KMeans on the
L2-normalised vectors recovers them, which the adjusted Rand index (ARI) measures (1 for
the factions exactly, 0 for chance). The picture is a 2-D PCA of the embedding, coloured
by faction, with the friendships drawn.

On the command line, ``--output`` writes the picture to a file and ``--q 1`` walks as
DeepWalk does::

    python examples/node2vec_communities.py --output karate.png
"""

# %%
# Imports
# -------
import argparse
import time

import matplotlib.pyplot as plt
import networkx as nx
import numpy as np
from sklearn.cluster import KMeans
from sklearn.decomposition import PCA
from sklearn.metrics import adjusted_rand_score
from sklearn.preprocessing import normalize

from skgraph import Node2VecEmbedder, as_graph

# %%
# The embedding and the clusters
# ------------------------------
# A networkx graph goes in as it is; the members keep their names as rows of a pandas
# output (``set_output(transform="pandas")``), here plain positions. Vectors are compared
# by direction, so they are L2-normalised before KMeans.


def embed_and_cluster(graph, q: float, seed: int):
    embedder = Node2VecEmbedder(q=q, random_state=seed, device="cpu")
    Z = embedder.fit_transform(graph)
    clusters = KMeans(n_clusters=2, n_init=10, random_state=seed).fit_predict(normalize(Z))
    return Z, clusters, embedder


# %%
# The picture
# -----------


def plot(graph, Z, factions, ari):
    xy = PCA(n_components=2, random_state=0).fit_transform(normalize(Z))
    fig, ax = plt.subplots(figsize=(6, 5))
    rows, cols = graph.adjacency.nonzero()
    for i, j in zip(rows, cols):
        if i < j:
            ax.plot(xy[[i, j], 0], xy[[i, j], 1], color="0.85", linewidth=0.6, zorder=1)
    for value, colour, name in ((0, "tab:blue", "Mr. Hi"), (1, "tab:orange", "Officer")):
        mine = factions == value
        ax.scatter(xy[mine, 0], xy[mine, 1], c=colour, s=40, label=name, zorder=2)
    ax.legend(title="faction")
    ax.set(title=f"node2vec embedding of the karate club (PCA)\n"
                 f"KMeans of the embedding against the factions: ARI {ari:.2f}",
           xlabel="component 1", ylabel="component 2")
    fig.tight_layout()
    return fig


# %%
# Putting it together
# -------------------


def main(argv=None) -> dict:
    parser = argparse.ArgumentParser(
        description="node2vec on the karate club: KMeans of the embedding vs the factions.")
    parser.add_argument("--output", default=None, help="PNG file to write the picture to")
    parser.add_argument("--q", type=float, default=0.5, help="in-out parameter (1: DeepWalk)")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)

    karate = nx.karate_club_graph()
    factions = np.array([karate.nodes[v]["club"] != "Mr. Hi" for v in karate], dtype=int)
    graph = as_graph(karate)
    start = time.perf_counter()
    Z, clusters, embedder = embed_and_cluster(graph, args.q, args.seed)
    ari = adjusted_rand_score(factions, clusters)
    print(f"Node2VecEmbedder: {Z.shape[1]}-d vectors of {Z.shape[0]} members in "
          f"{time.perf_counter() - start:.1f} s ({embedder.n_iter_} epochs)")
    print(f"KMeans of the embedding against the factions: ARI {ari:.3f}")
    fig = plot(graph, Z, factions, ari)
    if args.output:
        fig.savefig(args.output, dpi=120)
        plt.close(fig)
        print(f"picture written to {args.output}")
    return {"ari": float(ari), "n_iter": int(embedder.n_iter_)}


if __name__ == "__main__":
    main()
    plt.show()
