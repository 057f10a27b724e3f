"""
Link prediction with a ROC curve
================================

10 % of the edges of a graph are held out (removed from the training graph, with as many
sampled non-edges); :class:`skgraph.LinkPredictor` is fitted on the rest and scores the
held-out pairs, next to the classic common-neighbours heuristic. The picture is the ROC
curve of both on those pairs.

In the gallery the graph is generated; on the command line ``--datasets-dir`` reads a
Planetoid dataset (Cora by default) instead, and ``--output`` writes the picture::

    python examples/link_prediction.py --output link_prediction.png
    python examples/link_prediction.py --datasets-dir ../shared/datasets --dataset Cora
"""

# %%
# Imports
# -------
import argparse
import time

import matplotlib.pyplot as plt
import numpy as np
from sklearn.metrics import RocCurveDisplay, average_precision_score, roc_auc_score

from skgraph import LinkPredictor
from skgraph.datasets import load_planetoid, make_community_graph
from skgraph.model_selection import train_test_split_edges

# %%
# A baseline
# ----------
# The number of common neighbours of two nodes, counted in the training graph, is a
# classic link-prediction score that needs no training.


def common_neighbours(graph, pairs):
    """The number of common neighbours of each pair."""
    A = (graph.adjacency > 0).astype(np.float64).tocsr()
    return np.asarray((A[pairs[:, 0]].multiply(A[pairs[:, 1]])).sum(axis=1)).ravel()


# %%
# Held-out edges
# --------------
# :func:`~skgraph.model_selection.train_test_split_edges` removes 10 % of the edges from
# the graph and returns them as test pairs, with as many sampled non-edges (label 0).


def split(args):
    if args.datasets_dir:
        G, title = load_planetoid(args.datasets_dir, args.dataset).graph, args.dataset
    else:
        G, _ = make_community_graph(n_nodes=args.nodes, n_communities=4, p_in=0.1, p_out=0.005,
                                    random_state=0)
        title = f"generated graph, {args.nodes} nodes"
    G_train, pairs, y = train_test_split_edges(G, test_size=0.1, random_state=0)
    print(f"{title}: {G.n_edges} edges, {G_train.n_edges} for training, {len(pairs)} test pairs")
    return G_train, pairs, y, title


# %%
# Scores and ROC curves
# ---------------------
# ``LinkPredictor.predict_proba`` gives the probability of an edge for each pair; the
# area under the ROC curve and the average precision compare it with the baseline.


def evaluate(G_train, pairs, y, args, title):
    start = time.perf_counter()
    lp = LinkPredictor(max_epochs=args.epochs, device=args.device, random_state=0).fit(G_train)
    proba = lp.predict_proba(pairs)[:, 1]
    print(f"LinkPredictor fitted in {time.perf_counter() - start:.1f} s")
    scores = {"LinkPredictor": proba, "common neighbours": common_neighbours(G_train, pairs)}
    results = {}
    fig, ax = plt.subplots(figsize=(5, 5))
    for name, score in scores.items():
        auc, ap = roc_auc_score(y, score), average_precision_score(y, score)
        results[name] = {"roc_auc": float(auc), "average_precision": float(ap)}
        print(f"{name}: ROC AUC {auc:.3f}, average precision {ap:.3f}")
        RocCurveDisplay.from_predictions(y, score, name=name, ax=ax)
    ax.plot([0, 1], [0, 1], color="grey", linestyle=":", label="chance")
    ax.set(title=f"held-out edges, {title}")
    ax.legend(loc="lower right", fontsize=8)
    fig.tight_layout()
    return fig, results


# %%
# Putting it together
# -------------------
# ``main`` reads the command-line flags (none in the gallery, which runs the defaults),
# runs the steps above and returns both scorers' ROC AUC and average precision. With
# ``--output`` it writes the picture to that file and closes it; without, the figure
# stays open (for ``plt.show()``, or for the gallery, which collects it).


def main(argv=None) -> dict:
    parser = argparse.ArgumentParser(
        description="Link prediction: LinkPredictor against common neighbours, ROC curves.")
    parser.add_argument("--output", default=None, help="PNG file to write the picture to")
    parser.add_argument("--datasets-dir", default=None,
                        help="folder with the Planetoid files (e.g. ../shared/datasets)")
    parser.add_argument("--dataset", default="Cora")
    parser.add_argument("--nodes", type=int, default=600, help="nodes of the generated graph")
    parser.add_argument("--epochs", type=int, default=200)
    parser.add_argument("--device", default="auto")
    args = parser.parse_args(argv)

    G_train, pairs, y, title = split(args)
    fig, results = evaluate(G_train, pairs, y, args, title)
    if args.output:
        fig.savefig(args.output, dpi=120)
        plt.close(fig)
        print(f"picture written to {args.output}")
    return results


if __name__ == "__main__":
    main()
    plt.show()
