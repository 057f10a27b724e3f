"""
Node embeddings coloured by class
=================================

:class:`skgraph.VGAEEmbedder` embeds the nodes of a graph; a 2-D PCA (or t-SNE) of the
embedding, coloured by class, shows how well the classes separate. The embedder is
unsupervised: it never sees the classes, which only colour the picture and give the
silhouette score.

In the gallery the graph is generated (a 4-community stochastic block model with weak
features). On the command line, ``--datasets-dir`` reads a Planetoid dataset (Cora by
default) from its raw files instead, ``--method tsne`` draws a t-SNE picture and
``--output`` writes it to a file::

    python examples/node_embeddings.py --output node_embeddings.png
    python examples/node_embeddings.py --datasets-dir ../shared/datasets --method tsne
"""

# %%
# Imports
# -------
import argparse
import time

import matplotlib.pyplot as plt
import numpy as np
from sklearn.decomposition import PCA
from sklearn.manifold import TSNE
from sklearn.metrics import silhouette_score

from skgraph import VGAEEmbedder
from skgraph.datasets import load_planetoid, make_community_graph

# %%
# The graph
# ---------
# :func:`~skgraph.datasets.load_planetoid` returns the graph of a Planetoid dataset with
# its classes (``-1`` for the nodes without a label);
# :func:`~skgraph.datasets.make_community_graph` a generated one, the communities being
# the classes.


def load_graph(args):
    """(graph, class per node, title) from the Planetoid files or a generated graph."""
    if args.datasets_dir:
        data = load_planetoid(args.datasets_dir, args.dataset)
        return data.graph, data.target, args.dataset
    G, classes = make_community_graph(n_nodes=args.nodes, n_communities=4, p_in=0.05,
                                      p_out=0.005, n_features=16, feature_signal=0.3,
                                      random_state=0)
    return G, classes, f"generated graph, {args.nodes} nodes"


# %%
# The picture
# -----------
# The silhouette score of the classes in the embedding (from -1 to 1, higher when the
# nodes of a class lie close together and far from the others) is computed on the
# labelled nodes; PCA or t-SNE then projects the embedding to 2-D.


def plot(Z, classes, method, title):
    labelled = classes >= 0  # Planetoid marks unlabelled nodes with -1
    silhouette = silhouette_score(Z[labelled], classes[labelled])
    if method == "tsne":
        xy = TSNE(n_components=2, init="pca", random_state=0,
                  perplexity=min(30.0, (len(Z) - 1) / 3)).fit_transform(Z)
    else:
        xy = PCA(n_components=2, random_state=0).fit_transform(Z)
    fig, ax = plt.subplots(figsize=(6, 5))
    scatter = ax.scatter(xy[labelled, 0], xy[labelled, 1], c=classes[labelled], cmap="tab10",
                         s=6, alpha=0.8)
    ax.legend(*scatter.legend_elements(), title="class", loc="best", fontsize=7)
    ax.set(title=f"VGAE embedding ({method.upper()}), {title}\n"
                 f"silhouette by class {silhouette:.2f}",
           xlabel="component 1", ylabel="component 2")
    fig.tight_layout()
    return fig, silhouette


# %%
# Putting it together
# -------------------
# ``main`` reads the command-line flags (none in the gallery, which runs the defaults),
# embeds the graph with the embedder's default settings and draws the picture. With
# ``--output`` it writes the picture to that file and closes it; without, the figure
# stays open (for ``plt.show()``, or for the gallery, which collects it).


def main(argv=None) -> dict:
    parser = argparse.ArgumentParser(
        description="Node embeddings coloured by class: VGAEEmbedder, then PCA or t-SNE.")
    parser.add_argument("--output", default=None, help="PNG file to write the picture to")
    parser.add_argument("--datasets-dir", default=None,
                        help="folder with the Planetoid files (e.g. ../shared/datasets)")
    parser.add_argument("--dataset", default="Cora", help="Planetoid dataset name")
    parser.add_argument("--nodes", type=int, default=800, help="nodes of the generated graph")
    parser.add_argument("--epochs", type=int, default=200)
    parser.add_argument("--method", choices=["pca", "tsne"], default="pca")
    parser.add_argument("--device", default="auto")
    args = parser.parse_args(argv)

    G, classes, title = load_graph(args)
    print(f"{title}: {G.n_nodes} nodes, {G.n_edges} edges, {G.n_features} features")
    start = time.perf_counter()
    Z = VGAEEmbedder(max_epochs=args.epochs, device=args.device, random_state=0).fit_transform(G)
    print(f"VGAEEmbedder: {Z.shape[1]}-d embedding in {time.perf_counter() - start:.1f} s")

    fig, silhouette = plot(Z, classes, args.method, title)
    print(f"silhouette by class: {silhouette:.3f}")
    if args.output:
        fig.savefig(args.output, dpi=120)
        plt.close(fig)
        print(f"picture written to {args.output}")
    labelled = classes >= 0
    return {"silhouette": float(silhouette), "n_nodes": int(G.n_nodes),
            "n_classes": int(np.unique(classes[labelled]).size)}


if __name__ == "__main__":
    main()
    plt.show()
