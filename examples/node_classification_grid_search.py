"""
GridSearchCV over the nodes of one graph
========================================

A pipeline ``VGAEEmbedder -> LogisticRegression`` is tuned by scikit-learn's
``GridSearchCV`` directly on a :class:`~skgraph.Graph`: the splitter selects nodes (node
views), the embedder trains on the whole graph (transductive: the structure and features
of every node, the labels of the training fold only) and the classifier is scored on the
held-out nodes. The picture shows the cross-validated accuracy of each candidate and the
test accuracy of the refitted best one.

In the gallery the graph is generated; on the command line ``--datasets-dir`` reads a
Planetoid dataset and its standard split instead (tuning on the 140 training + 500
validation nodes, testing on the 1000 test nodes), and ``--output`` writes the picture::

    python examples/node_classification_grid_search.py --output grid_search.png
    python examples/node_classification_grid_search.py --datasets-dir ../shared/datasets
"""

# %%
# Imports
# -------
import argparse
import time

import matplotlib.pyplot as plt
import numpy as np
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import GridSearchCV, train_test_split
from sklearn.pipeline import make_pipeline

from skgraph import VGAEEmbedder
from skgraph.datasets import load_planetoid, make_community_graph

# %%
# The graph and the split
# -----------------------
# The nodes are split once into a tuning half and a test half (stratified by class); the
# grid search cross-validates on the tuning nodes only.


def load_split(args):
    """(graph, labels, train node indices, test node indices, title)."""
    if args.datasets_dir:
        data = load_planetoid(args.datasets_dir, args.dataset)
        # the standard split: tune on the 140 training + 500 validation nodes, test on 1000
        train = np.concatenate([data.train_idx, data.val_idx])
        return data.graph, data.target, train, data.test_idx, args.dataset
    G, y = make_community_graph(n_nodes=args.nodes, n_communities=4, p_in=0.05, p_out=0.005,
                                n_features=16, feature_signal=0.3, random_state=0)
    train, test = train_test_split(np.arange(G.n_nodes), test_size=0.5, stratify=y,
                                   random_state=0)
    return G, y, train, test, f"generated graph, {args.nodes} nodes"


# %%
# The search
# ----------
# ``G[train]`` is a node view: to the splitter and to the pipeline it is ``len(train)``
# samples, while the embedder still sees the whole graph. The grid crosses the width of
# the embedding with the embedder's dropout.


def search(G, y, train, test, args):
    pipe = make_pipeline(VGAEEmbedder(max_epochs=args.epochs, device=args.device,
                                      random_state=0),
                         LogisticRegression(max_iter=1000))
    grid = {"vgaeembedder__n_components": [8, 32], "vgaeembedder__dropout": [0.0, 0.5]}
    start = time.perf_counter()
    fitted = GridSearchCV(pipe, grid, cv=args.cv).fit(G[train], y[train])
    test_accuracy = fitted.score(G[test], y[test])
    print(f"grid search in {time.perf_counter() - start:.1f} s; best {fitted.best_params_}, "
          f"CV accuracy {fitted.best_score_:.3f}, test accuracy {test_accuracy:.3f}")
    return fitted, test_accuracy


# %%
# The picture
# -----------
# One bar per candidate (its mean CV accuracy, with the standard deviation over the folds),
# the best in orange, and the test accuracy of the best candidate refitted on all the
# tuning nodes.


def plot(search_cv, test_accuracy, n_folds, title):
    results = search_cv.cv_results_
    names = [f"{p['vgaeembedder__n_components']}-d\ndropout {p['vgaeembedder__dropout']}"
             for p in results["params"]]
    fig, ax = plt.subplots(figsize=(6, 4))
    colours = ["tab:orange" if rank == 1 else "tab:blue" for rank in results["rank_test_score"]]
    ax.bar(names, results["mean_test_score"], yerr=results["std_test_score"], color=colours,
           capsize=4)
    ax.axhline(test_accuracy, color="k", linestyle="--",
               label=f"best candidate, test accuracy {test_accuracy:.2f}")
    low = max(0.0, float(np.min(results["mean_test_score"] - results["std_test_score"])) - 0.1)
    ax.set(ylim=(low, 1.0), ylabel=f"{n_folds}-fold CV accuracy",
           title=f"GridSearchCV over nodes, {title}")
    ax.legend(loc="lower right", fontsize=8)
    fig.tight_layout()
    return fig


# %%
# Putting it together
# -------------------
# ``main`` reads the command-line flags (none in the gallery, which runs the defaults),
# runs the steps above and returns the best parameters and scores. With ``--output`` it
# writes the picture to that file and closes it; without, the figure stays open (for
# ``plt.show()``, or for the gallery, which collects it).


def main(argv=None) -> dict:
    parser = argparse.ArgumentParser(
        description="Node classification with GridSearchCV over the nodes of one graph.")
    parser.add_argument("--output", default=None, help="PNG file to write the picture to")
    parser.add_argument("--datasets-dir", default=None,
                        help="folder with the Planetoid files (e.g. ../shared/datasets)")
    parser.add_argument("--dataset", default="Cora")
    parser.add_argument("--nodes", type=int, default=600, help="nodes of the generated graph")
    parser.add_argument("--epochs", type=int, default=200)
    parser.add_argument("--cv", type=int, default=3)
    parser.add_argument("--device", default="auto")
    args = parser.parse_args(argv)

    G, y, train, test, title = load_split(args)
    print(f"{title}: {G.n_nodes} nodes; tuning on {len(train)} nodes, testing on {len(test)}")
    search_cv, test_accuracy = search(G, y, train, test, args)
    fig = plot(search_cv, test_accuracy, args.cv, title)
    if args.output:
        fig.savefig(args.output, dpi=120)
        plt.close(fig)
        print(f"picture written to {args.output}")
    return {"best_params": search_cv.best_params_, "best_score": float(search_cv.best_score_),
            "test_accuracy": float(test_accuracy)}


if __name__ == "__main__":
    main()
    plt.show()
