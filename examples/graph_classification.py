"""
Graph classification: cross-validation, loss curve and learning curve
=====================================================================

:class:`skgraph.GNNGraphClassifier` classifies whole graphs. It is cross-validated like any
scikit-learn classifier (the samples are graphs); the picture shows the training loss of
one fit (``loss_curve_``) and scikit-learn's ``learning_curve``: the CV accuracy against
the number of training graphs.

In the gallery the graphs are generated: each is a small stochastic block model with one
or two communities (its class), with uninformative node features, so only the structure
tells them apart. On the command line ``--datasets-dir`` reads a TU dataset (MUTAG by
default) from its raw files instead, and ``--output`` writes the picture::

    python examples/graph_classification.py --output graph_classification.png
    python examples/graph_classification.py --datasets-dir ../shared/datasets --dataset MUTAG
"""

# %%
# Imports
# -------
import argparse
import time

import matplotlib.pyplot as plt
import numpy as np
from sklearn.model_selection import StratifiedKFold, cross_val_score, learning_curve

from skgraph import GNNGraphClassifier
from skgraph.datasets import load_tu, make_community_graph

# %%
# The graphs
# ----------
# A list of graphs is the ``X`` of a graph-level estimator; each generated one is a
# :class:`~skgraph.Graph` from :func:`~skgraph.datasets.make_community_graph` of 16 to 24
# nodes, whose 4 features are noise (``feature_signal=0``). The labels may be strings.


def load_graphs(args):
    """(list of graphs, class labels, title)."""
    if args.datasets_dir:
        data = load_tu(args.datasets_dir, args.dataset)
        return data.graphs, data.target_names[data.target], args.dataset
    rng = np.random.default_rng(0)
    counts = rng.choice([1, 2], size=args.graphs)
    graphs = [make_community_graph(n_nodes=int(rng.integers(16, 25)), n_communities=int(k),
                                   p_in=0.5, p_out=0.03, n_features=4, feature_signal=0.0,
                                   random_state=i)[0] for i, k in enumerate(counts)]
    labels = np.where(counts == 1, "one community", "two communities")
    return graphs, labels, f"{args.graphs} generated graphs"


# %%
# Cross-validation, a fit and a learning curve
# --------------------------------------------
# ``cross_val_score`` and ``learning_curve`` clone and refit the classifier on subsets of
# the list of graphs, as they would any estimator.


def evaluate(graphs, y, args):
    clf = GNNGraphClassifier(max_epochs=args.epochs, device=args.device, random_state=0)
    cv = StratifiedKFold(args.cv, shuffle=True, random_state=0)
    start = time.perf_counter()
    scores = cross_val_score(clf, graphs, y, cv=cv)
    print(f"{args.cv}-fold CV accuracy {scores.mean():.3f} ± {scores.std():.3f} "
          f"({time.perf_counter() - start:.1f} s)")
    fitted = clf.fit(graphs, y)
    print(f"fitted on all {len(graphs)} graphs: final training loss "
          f"{fitted.loss_curve_[-1]:.4f}")
    sizes, train_scores, test_scores = learning_curve(
        clf, graphs, y, cv=cv, train_sizes=np.linspace(0.3, 1.0, 3))
    return scores, fitted, (sizes, train_scores, test_scores)


# %%
# The picture
# -----------
# Left, the loss of each epoch of the fit on all graphs; right, the training and
# cross-validated accuracy (mean ± standard deviation over the folds) against the number
# of training graphs.


def plot(fitted, curve, title):
    sizes, train_scores, test_scores = curve
    fig, (left, right) = plt.subplots(1, 2, figsize=(10, 4))
    left.plot(np.arange(1, len(fitted.loss_curve_) + 1), fitted.loss_curve_)
    left.set(xlabel="epoch", ylabel="training loss", title="loss_curve_ of a fit on all graphs")
    for name, values in (("training", train_scores), ("cross-validation", test_scores)):
        mean, std = values.mean(axis=1), values.std(axis=1)
        right.plot(sizes, mean, marker="o", label=name)
        right.fill_between(sizes, mean - std, mean + std, alpha=0.2)
    right.set(xlabel="training graphs", ylabel="accuracy", ylim=(0, 1.05),
              title=f"learning curve, {title}")
    right.legend(loc="lower right")
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
        description="Graph classification: cross-validation, a loss curve and a learning curve.")
    parser.add_argument("--output", default=None, help="PNG file to write the picture to")
    parser.add_argument("--datasets-dir", default=None,
                        help="folder with the TU dataset files (e.g. ../shared/datasets)")
    parser.add_argument("--dataset", default="MUTAG")
    parser.add_argument("--graphs", type=int, default=120, help="number of generated graphs")
    parser.add_argument("--epochs", type=int, default=60)
    parser.add_argument("--cv", type=int, default=3)
    parser.add_argument("--device", default="auto")
    args = parser.parse_args(argv)

    graphs, y, title = load_graphs(args)
    print(f"{title}: classes {sorted(set(y.tolist()))}")
    scores, fitted, curve = evaluate(graphs, y, args)
    fig = plot(fitted, curve, title)
    if args.output:
        fig.savefig(args.output, dpi=120)
        plt.close(fig)
        print(f"picture written to {args.output}")
    return {"cv_accuracy": float(scores.mean()), "final_loss": float(fitted.loss_curve_[-1]),
            "learning_curve": curve[2].mean(axis=1).tolist()}


if __name__ == "__main__":
    main()
    plt.show()
