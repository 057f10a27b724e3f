"""Node classification with GridSearchCV over the nodes of one graph.

A pipeline ``VGAEEmbedder -> LogisticRegression`` is tuned by ``GridSearchCV`` directly on
a ``Graph``: the splitter selects nodes (node views), the embedder trains on the whole graph
(transductive: structure and features of every node, labels of the training fold only), and
the classifier is scored on the held-out nodes. The picture shows the CV accuracy of each
candidate, and the test accuracy of the refitted best one.

    python examples/node_classification_grid_search.py [--output grid_search.png]
    python examples/node_classification_grid_search.py --datasets-dir ../shared/datasets
"""

from __future__ import annotations

import argparse
import time

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import GridSearchCV, train_test_split
from sklearn.pipeline import make_pipeline

from skgraph import VGAEEmbedder
from skgraph.datasets import load_planetoid, make_community_graph


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


def main(argv=None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--output", default="grid_search.png", help="PNG file to write")
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
    pipe = make_pipeline(VGAEEmbedder(max_epochs=args.epochs, device=args.device,
                                      random_state=0),
                         LogisticRegression(max_iter=1000))
    grid = {"vgaeembedder__n_components": [8, 32], "vgaeembedder__dropout": [0.0, 0.5]}
    start = time.perf_counter()
    # G[train] is a node view: the splitter and the pipeline see len(train) samples
    search = GridSearchCV(pipe, grid, cv=args.cv).fit(G[train], y[train])
    test_accuracy = search.score(G[test], y[test])
    print(f"grid search in {time.perf_counter() - start:.1f} s; best {search.best_params_}, "
          f"CV accuracy {search.best_score_:.3f}, test accuracy {test_accuracy:.3f}")

    results = search.cv_results_
    names = [f"{p['vgaeembedder__n_components']}-d\ndropout {p['vgaeembedder__dropout']}"
             for p in results["params"]]
    fig, ax = plt.subplots(figsize=(6, 4))
    colours = ["tab:orange" if rank == 1 else "tab:blue" for rank in results["rank_test_score"]]
    ax.bar(names, results["mean_test_score"], yerr=results["std_test_score"], color=colours,
           capsize=4)
    ax.axhline(test_accuracy, color="k", linestyle="--",
               label=f"best candidate, test accuracy {test_accuracy:.2f}")
    low = max(0.0, float(np.min(results["mean_test_score"] - results["std_test_score"])) - 0.1)
    ax.set(ylim=(low, 1.0), ylabel=f"{args.cv}-fold CV accuracy",
           title=f"GridSearchCV over nodes, {title}")
    ax.legend(loc="lower right", fontsize=8)
    fig.tight_layout()
    fig.savefig(args.output, dpi=120)
    plt.close(fig)
    print(f"picture written to {args.output}")
    return {"best_params": search.best_params_, "best_score": float(search.best_score_),
            "test_accuracy": float(test_accuracy)}


if __name__ == "__main__":
    main()
