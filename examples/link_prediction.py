"""Link prediction with a ROC curve: LinkPredictor against a common-neighbours baseline.

10 % of the edges are held out (removed from the training graph, with as many sampled
non-edges); ``LinkPredictor`` is fitted on the rest and scores the held-out pairs. The
picture is the ROC curve of both scorers on those pairs.

    python examples/link_prediction.py [--output link_prediction.png]
    python examples/link_prediction.py --datasets-dir ../shared/datasets --dataset Cora
"""

from __future__ import annotations

import argparse
import time

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np
from sklearn.metrics import RocCurveDisplay, average_precision_score, roc_auc_score

from skgraph import LinkPredictor
from skgraph.datasets import load_planetoid, make_community_graph
from skgraph.model_selection import train_test_split_edges


def common_neighbours(graph, pairs):
    """The number of common neighbours of each pair (a classic link-prediction heuristic)."""
    A = (graph.adjacency > 0).astype(np.float64).tocsr()
    return np.asarray((A[pairs[:, 0]].multiply(A[pairs[:, 1]])).sum(axis=1)).ravel()


def main(argv=None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--output", default="link_prediction.png", help="PNG file to write")
    parser.add_argument("--datasets-dir", default=None,
                        help="folder with the Planetoid files (e.g. ../shared/datasets)")
    parser.add_argument("--dataset", default="Cora")
    parser.add_argument("--nodes", type=int, default=600, help="nodes of the generated graph")
    parser.add_argument("--epochs", type=int, default=200)
    parser.add_argument("--device", default="auto")
    args = parser.parse_args(argv)

    if args.datasets_dir:
        G, title = load_planetoid(args.datasets_dir, args.dataset).graph, args.dataset
    else:
        G, _ = make_community_graph(n_nodes=args.nodes, n_communities=4, p_in=0.1, p_out=0.005,
                                    random_state=0)
        title = f"generated graph, {args.nodes} nodes"
    G_train, pairs, y = train_test_split_edges(G, test_size=0.1, random_state=0)
    print(f"{title}: {G.n_edges} edges, {G_train.n_edges} for training, {len(pairs)} test pairs")

    start = time.perf_counter()
    lp = LinkPredictor(max_epochs=args.epochs, device=args.device, random_state=0).fit(G_train)
    proba = lp.predict_proba(pairs)[:, 1]
    print(f"LinkPredictor fitted in {time.perf_counter() - start:.1f} s")
    baseline = common_neighbours(G_train, pairs)
    scores = {"LinkPredictor": proba, "common neighbours": baseline}
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
    fig.savefig(args.output, dpi=120)
    plt.close(fig)
    print(f"picture written to {args.output}")
    return results


if __name__ == "__main__":
    main()
