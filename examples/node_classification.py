"""
Semi-supervised node classification with few labels
===================================================

:class:`skgraph.GNNNodeClassifier` learns from the whole graph (every node's features and
every edge) and the labels of a few nodes, and predicts the class of the others. With a
handful of labelled nodes per class it does far better than a classifier of the node
features alone, because the edges carry the labels to the neighbours. The picture shows
the accuracy on the unlabelled nodes against the number of labelled nodes per class, for
the graph network and for a logistic regression on the features of the same labelled
nodes.

The graph is generated: a stochastic block model with 4 communities (the classes) whose
node features are only weakly informative. On the command line ``--nodes``, ``--seeds``
and ``--epochs`` change the sizes and ``--output`` writes the picture::

    python examples/node_classification.py --output node_classification.png
"""

# %%
# Imports
# -------
import argparse
import time

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.patches import Patch
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import GridSearchCV, StratifiedKFold

from skgraph import GNNNodeClassifier
from skgraph.datasets import make_community_graph

# %%
# The graph
# ---------
# :func:`~skgraph.datasets.make_community_graph` draws edges with probability 0.05 inside
# a community and 0.005 across; each node's 16 features are its community's mean plus
# noise, with a small ``feature_signal``.


def make_graph(n_nodes):
    G, y = make_community_graph(n_nodes=n_nodes, n_communities=4, p_in=0.05, p_out=0.005,
                                n_features=16, feature_signal=0.3, random_state=0)
    print(f"graph: {G.n_nodes} nodes, {G.n_edges} edges, {G.n_features} features, "
          f"{np.unique(y).size} classes")
    return G, y


# %%
# A few labelled nodes
# --------------------
# ``k`` nodes of each class are drawn as the labelled ones; all the other nodes are for
# testing. ``fit(G[labelled], y[labelled])`` trains on the node view of the labelled
# nodes: their labels, but the features and edges of the whole graph. (``fit(G, y)`` with
# ``-1`` for the unlabelled nodes is the same.) The logistic regression sees the features
# of the labelled nodes only.


def labelled_nodes(y, k, seed):
    rng = np.random.default_rng(seed)
    return np.concatenate([rng.choice(np.flatnonzero(y == c), size=k, replace=False)
                           for c in np.unique(y)])


def accuracies(G, y, k, seed, epochs):
    labelled = labelled_nodes(y, k, seed)
    test = np.setdiff1d(np.arange(G.n_nodes), labelled)
    gnn = GNNNodeClassifier(max_epochs=epochs, random_state=seed).fit(G[labelled], y[labelled])
    features = LogisticRegression(max_iter=1000).fit(G.features[labelled], y[labelled])
    return gnn.score(G[test], y[test]), features.score(G.features[test], y[test])


# %%
# The curve
# ---------
# For each number of labelled nodes per class, a few random draws of the labelled nodes
# (``--seeds``) give the mean and standard deviation of both accuracies.


def learning_curve(G, y, per_class, seeds, epochs):
    scores = np.array([[accuracies(G, y, k, seed, epochs) for seed in range(seeds)]
                       for k in per_class])  # (len(per_class), seeds, 2)
    for k, row in zip(per_class, scores.mean(axis=1)):
        print(f"{k:3d} labelled per class: GNNNodeClassifier {row[0]:.3f}, "
              f"logistic regression on the features {row[1]:.3f}")
    return scores


def plot(per_class, scores, n_nodes):
    fig, ax = plt.subplots(figsize=(6, 4))
    for i, name in enumerate(["GNNNodeClassifier", "logistic regression, features only"]):
        mean, std = scores[:, :, i].mean(axis=1), scores[:, :, i].std(axis=1)
        ax.plot(per_class, mean, marker="o", label=name)
        ax.fill_between(per_class, mean - std, mean + std, alpha=0.2)
    ax.axhline(0.25, color="grey", linestyle=":", label="chance")
    ax.set(xscale="log", xticks=per_class, xticklabels=[str(k) for k in per_class],
           xlabel="labelled nodes per class", ylabel="accuracy on the other nodes",
           ylim=(0, 1.02), title=f"generated graph, {n_nodes} nodes, 4 classes")
    ax.legend(loc="lower right", fontsize=8)
    fig.tight_layout()
    return fig


# %%
# Choosing the convolution by cross-validation
# --------------------------------------------
# ``GridSearchCV`` takes the node view of the labelled nodes as its ``X``: each fold's
# estimator trains on the labels of the training fold (still with the features and edges of
# the whole graph) and is scored on the labels of the held-out fold. No test node's label
# enters the choice; the refitted best estimator is then scored once on the test nodes.


def choose_conv(G, y, k, epochs, cv, convs=("gprgnn", "appnp", "gcn", "sage", "gat")):
    labelled = labelled_nodes(y, k, seed=0)
    test = np.setdiff1d(np.arange(G.n_nodes), labelled)
    search = GridSearchCV(GNNNodeClassifier(max_epochs=epochs, random_state=0),
                          {"conv": list(convs)},
                          cv=StratifiedKFold(cv, shuffle=True, random_state=0))
    search.fit(G[labelled], y[labelled])
    test_accuracy = search.score(G[test], y[test])
    for conv, mean in zip(search.cv_results_["param_conv"], search.cv_results_["mean_test_score"]):
        print(f"conv={conv!r:9} cross-validated accuracy {mean:.3f}")
    print(f"best conv={search.best_params_['conv']!r}, accuracy on the {test.size} test nodes "
          f"{test_accuracy:.3f}")
    return search, test_accuracy


def plot_search(search, test_accuracy, k):
    results = search.cv_results_
    convs = [str(c) for c in results["param_conv"]]
    fig, ax = plt.subplots(figsize=(6, 3.5))
    bars = ax.bar(convs, results["mean_test_score"], yerr=results["std_test_score"],
                  color="tab:blue", alpha=0.7, capsize=4)
    bars[int(results["rank_test_score"].argmin())].set_color("tab:orange")
    line = ax.axhline(test_accuracy, color="tab:orange", linestyle="--")
    ax.set(ylim=(0, 1.02), ylabel="accuracy", xlabel="conv",
           title=f"GridSearchCV over conv, {k} labelled nodes per class")
    ax.legend([Patch(color="tab:blue", alpha=0.7), Patch(color="tab:orange"), line],
              ["cross-validated on the labelled nodes", "the best, chosen",
               f"the best refitted, on the test nodes ({test_accuracy:.2f})"],
              loc="lower right", fontsize=8)
    fig.tight_layout()
    return fig


# %%
# Putting it together
# -------------------
# ``main`` reads the command-line flags (none in the gallery, which runs the defaults),
# runs the steps above and returns the mean accuracies and the chosen ``conv``. With
# ``--output`` it writes the pictures (the second with ``_conv`` added to the name) and
# closes them; without, the figures stay open (for ``plt.show()``, or for the gallery,
# which collects them).


def main(argv=None) -> dict:
    parser = argparse.ArgumentParser(
        description="Node classification: accuracy against the number of labelled nodes.")
    parser.add_argument("--output", default=None, help="PNG file to write the picture to")
    parser.add_argument("--nodes", type=int, default=600, help="nodes of the generated graph")
    parser.add_argument("--per-class", type=int, nargs="+", default=[1, 2, 5, 10, 20],
                        help="numbers of labelled nodes per class")
    parser.add_argument("--seeds", type=int, default=3, help="draws of the labelled nodes")
    parser.add_argument("--epochs", type=int, default=200)
    parser.add_argument("--search-per-class", type=int, default=20,
                        help="labelled nodes per class for the grid search over conv")
    parser.add_argument("--cv", type=int, default=3, help="folds of the grid search")
    args = parser.parse_args(argv)

    G, y = make_graph(args.nodes)
    start = time.perf_counter()
    scores = learning_curve(G, y, args.per_class, args.seeds, args.epochs)
    print(f"{scores.shape[0] * scores.shape[1]} fits in {time.perf_counter() - start:.1f} s")
    fig = plot(args.per_class, scores, args.nodes)
    search, test_accuracy = choose_conv(G, y, args.search_per_class, args.epochs, args.cv)
    search_fig = plot_search(search, test_accuracy, args.search_per_class)
    if args.output:
        fig.savefig(args.output, dpi=120)
        search_output = args.output.rsplit(".", 1)[0] + "_conv.png"
        search_fig.savefig(search_output, dpi=120)
        plt.close(fig)
        plt.close(search_fig)
        print(f"pictures written to {args.output} and {search_output}")
    mean = scores.mean(axis=1)
    return {"per_class": list(args.per_class), "gnn_accuracy": mean[:, 0].tolist(),
            "feature_accuracy": mean[:, 1].tolist(), "best_conv": search.best_params_["conv"],
            "search_test_accuracy": test_accuracy}


if __name__ == "__main__":
    main()
    plt.show()
