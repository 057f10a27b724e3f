"""Graph classification: cross-validation, a loss curve and a learning curve.

By default the graphs are generated: each is a small stochastic block model with one or two
communities (the class), with uninformative node features, so only structure tells them
apart. With ``--datasets-dir`` a TU dataset (MUTAG by default) is read from its raw files.
The picture shows the training loss of one fit (``loss_curve_``) and scikit-learn's
``learning_curve`` (CV accuracy against the number of training graphs).

    python examples/graph_classification.py [--output graph_classification.png]
    python examples/graph_classification.py --datasets-dir ../shared/datasets --dataset MUTAG
"""

from __future__ import annotations

import argparse
import time

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np
from sklearn.model_selection import StratifiedKFold, cross_val_score, learning_curve

from skgraph import GNNGraphClassifier
from skgraph.datasets import load_tu, make_community_graph


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


def main(argv=None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--output", default="graph_classification.png", help="PNG file to write")
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
    clf = GNNGraphClassifier(max_epochs=args.epochs, device=args.device, random_state=0)
    cv = StratifiedKFold(args.cv, shuffle=True, random_state=0)
    start = time.perf_counter()
    scores = cross_val_score(clf, graphs, y, cv=cv)
    print(f"{args.cv}-fold CV accuracy {scores.mean():.3f} ± {scores.std():.3f} "
          f"({time.perf_counter() - start:.1f} s)")

    fitted = clf.fit(graphs, y)
    sizes, train_scores, test_scores = learning_curve(
        clf, graphs, y, cv=cv, train_sizes=np.linspace(0.3, 1.0, 3))

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
    fig.savefig(args.output, dpi=120)
    plt.close(fig)
    print(f"picture written to {args.output}")
    return {"cv_accuracy": float(scores.mean()), "final_loss": float(fitted.loss_curve_[-1]),
            "learning_curve": test_scores.mean(axis=1).tolist()}


if __name__ == "__main__":
    main()
