"""
Graph classification on a toy problem: the sign of the node features
====================================================================

Every graph is the same 5-node graph; in class ``"negative"`` all node features are -1, in
class ``"positive"`` all are +1 (with a little noise). A sum over neighbours followed by a
sum readout separates them at once, so :class:`skgraph.GNNGraphClassifier` learns the
problem perfectly and classifies new graphs without error. It is the smallest complete
use of a graph-level estimator: a list of ``(adjacency, features)`` pairs, string labels,
``fit``, ``score`` and ``predict_proba``.

::

    python examples/graph_classification_toy.py --output toy.png
"""

# %%
# Imports
# -------
import argparse

import matplotlib.pyplot as plt
import numpy as np

from skgraph import GNNGraphClassifier

# %%
# The graphs
# ----------
# A graph may be given as a pair ``(adjacency, features)``: here a dense 5 × 5 adjacency
# matrix and 2 features per node. The classes are balanced and shuffled.

adjacency = np.array([[0, 0, 1, 1, 0],
                      [0, 0, 1, 0, 1],
                      [1, 1, 0, 0, 1],
                      [1, 0, 0, 0, 1],
                      [0, 1, 1, 1, 0]])


def make_graphs(n_graphs, seed):
    rng = np.random.default_rng(seed)
    labels = rng.permutation(np.array(["negative", "positive"] * (n_graphs // 2)))
    graphs = [(adjacency, np.where(label == "negative", -1.0, 1.0)
               + 0.1 * rng.normal(size=(5, 2))) for label in labels]
    return graphs, labels


# %%
# The picture
# -----------
# Left, the training loss of each epoch (``loss_curve_``); right, the predicted
# probability of ``"positive"`` for each new graph against the mean of its node features.


def plot(clf, X_test, y_test):
    proba = clf.predict_proba(X_test)[:, list(clf.classes_).index("positive")]
    mean_feature = np.array([features.mean() for _, features in X_test])
    fig, (left, right) = plt.subplots(1, 2, figsize=(10, 4))
    left.plot(np.arange(1, len(clf.loss_curve_) + 1), clf.loss_curve_)
    left.set(xlabel="epoch", ylabel="training loss", title="loss_curve_")
    for label, colour in (("negative", "tab:blue"), ("positive", "tab:orange")):
        mask = y_test == label
        right.scatter(mean_feature[mask], proba[mask], color=colour, label=f"true: {label}")
    right.set(xlabel="mean node feature of the graph", ylabel='P("positive")',
              ylim=(-0.05, 1.05), title="new graphs")
    right.legend(loc="center right")
    fig.tight_layout()
    return fig


# %%
# Putting it together
# -------------------
# ``main`` fits on 40 graphs and scores 20 new ones. With ``--output`` it writes the
# picture to that file and closes it; without, the figure stays open (for ``plt.show()``,
# or for the gallery, which collects it).


def main(argv=None) -> dict:
    parser = argparse.ArgumentParser(
        description="Graph classification on a toy problem: the sign of the node features.")
    parser.add_argument("--output", default=None, help="PNG file to write the picture to")
    parser.add_argument("--epochs", type=int, default=30)
    args = parser.parse_args(argv)

    X_train, y_train = make_graphs(40, seed=0)
    X_test, y_test = make_graphs(20, seed=1)
    clf = GNNGraphClassifier(max_epochs=args.epochs, random_state=0).fit(X_train, y_train)
    train_accuracy, test_accuracy = clf.score(X_train, y_train), clf.score(X_test, y_test)
    print(f"classes: {clf.classes_.tolist()}")
    print(f"training accuracy: {train_accuracy:.3f}")
    print(f"test accuracy:     {test_accuracy:.3f}")
    print("P(class) of the first test graph (true class "
          f"{str(y_test[0])!r}): {np.round(clf.predict_proba(X_test[:1])[0], 3).tolist()}")
    fig = plot(clf, X_test, y_test)
    if args.output:
        fig.savefig(args.output, dpi=120)
        plt.close(fig)
        print(f"picture written to {args.output}")
    return {"train_accuracy": float(train_accuracy), "test_accuracy": float(test_accuracy)}


if __name__ == "__main__":
    main()
    plt.show()
