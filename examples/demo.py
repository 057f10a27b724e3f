"""
Embedding a community graph with VGAEEmbedder
=============================================

The graph is a stochastic block model with 4 communities whose node features are only
weakly informative, so the structure matters. :class:`skgraph.VGAEEmbedder` embeds it
without ever seeing the communities; a linear classifier on the embedding is then compared
with one on the raw features (5-fold cross-validation over the nodes), k-means clusters
the embedding, and a 2-D PCA picture shows it coloured by community.

This is the README's quick-start demo. On the command line, ``--output`` writes the
picture to a file and ``--nodes`` / ``--epochs`` change the sizes::

    python examples/demo.py --output embedding.png
    python examples/demo.py --nodes 2000 --epochs 300 --output embedding.png
"""

# %%
# Imports
# -------
import argparse
import time

import matplotlib.pyplot as plt
from sklearn.cluster import KMeans
from sklearn.decomposition import PCA
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import adjusted_rand_score
from sklearn.model_selection import cross_val_score

from skgraph import VGAEEmbedder
from skgraph.datasets import make_community_graph

# %%
# A graph whose features say little
# ---------------------------------
# :func:`~skgraph.datasets.make_community_graph` draws edges with probability 0.05 inside
# a community and 0.005 across; each node's 16 features are its community's mean plus
# noise, with a small ``feature_signal`` so that the features alone separate the
# communities only partly.


def make_graph(n_nodes):
    """(graph, community of each node)."""
    G, communities = make_community_graph(n_nodes=n_nodes, n_communities=4, p_in=0.05,
                                          p_out=0.005, n_features=16, feature_signal=0.3,
                                          random_state=0)
    print(f"graph: {G.n_nodes} nodes, {G.n_edges} edges, {G.n_features} features, "
          "4 communities")
    return G, communities


# %%
# The embedding
# -------------
# The variational graph auto-encoder learns to reconstruct the edges from a 16-d code per
# node; ``fit_transform`` returns the codes (the mean of each node's Gaussian). It reads
# the structure and the features, never the communities.


def embed(G, epochs):
    start = time.perf_counter()
    Z = VGAEEmbedder(n_components=16, max_epochs=epochs, random_state=0).fit_transform(G)
    print(f"VGAEEmbedder: {Z.shape[1]}-d embedding in {time.perf_counter() - start:.1f} s")
    return Z


# %%
# What the embedding knows about the communities
# ----------------------------------------------
# The same logistic regression is cross-validated on the raw features and on the
# embedding; k-means on the embedding is compared with the true communities by the
# adjusted Rand index (1 is a perfect match, 0 chance).


def evaluate(G, communities, Z):
    classifier = LogisticRegression(max_iter=1000)
    raw = cross_val_score(classifier, G.features, communities, cv=5).mean()
    embedded = cross_val_score(classifier, Z, communities, cv=5).mean()
    ari = adjusted_rand_score(communities, KMeans(4, n_init=10, random_state=0).fit_predict(Z))
    print(f"community accuracy, logistic regression (5-fold CV): raw features {raw:.3f}, "
          f"embedding {embedded:.3f}")
    print(f"k-means on the embedding vs the true communities: adjusted Rand index {ari:.3f}")
    return {"raw_accuracy": raw, "embedding_accuracy": embedded, "ari": ari}


# %%
# The picture
# -----------
# The first two principal components of the embedding, coloured by community.


def plot(Z, communities, results):
    xy = PCA(n_components=2, random_state=0).fit_transform(Z)
    fig, ax = plt.subplots(figsize=(6, 5))
    scatter = ax.scatter(xy[:, 0], xy[:, 1], c=communities, cmap="tab10", s=10, alpha=0.8)
    ax.legend(*scatter.legend_elements(), title="community", loc="best", fontsize=8)
    ax.set(title=f"VGAE embedding, PCA (CV accuracy {results['embedding_accuracy']:.2f}, "
                 f"ARI {results['ari']:.2f})",
           xlabel="PC 1", ylabel="PC 2")
    fig.tight_layout()
    return fig


# %%
# Putting it together
# -------------------
# ``main`` reads the command-line flags (none in the gallery, which runs the defaults),
# runs the steps above and returns the scores. With ``--output`` it writes the picture to
# that file and closes it; without, the figure stays open (for ``plt.show()``, or for the
# gallery, which collects it).


def main(argv=None) -> dict:
    parser = argparse.ArgumentParser(
        description="Embed a generated community graph with VGAEEmbedder.")
    parser.add_argument("--output", default=None, help="PNG file to write the picture to")
    parser.add_argument("--nodes", type=int, default=800)
    parser.add_argument("--epochs", type=int, default=200)
    args = parser.parse_args(argv)

    G, communities = make_graph(args.nodes)
    Z = embed(G, args.epochs)
    results = evaluate(G, communities, Z)
    fig = plot(Z, communities, results)
    if args.output:
        fig.savefig(args.output, dpi=120)
        plt.close(fig)
        print(f"picture written to {args.output}")
    return results


if __name__ == "__main__":
    main()
    plt.show()
