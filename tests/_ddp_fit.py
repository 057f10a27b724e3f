"""A fit run under torchrun by tests/test_data_parallel.py; writes what each rank ended with.

    torchrun --nproc_per_node=2 tests/_ddp_fit.py OUT_DIR WHAT [die_at_epoch]

WHAT: graph, node or edges (an estimator's data-parallel fit), mismatch (ranks asking for
different networks) or search (a GridSearchCV with n_jobs=2 on each rank).
"""

import os
import sys

import numpy as np
import torch


def main() -> None:
    out, which = sys.argv[1], sys.argv[2]
    die_at = int(sys.argv[3]) if len(sys.argv) > 3 else None
    torch.set_num_threads(1)
    from skgraph import GNNGraphClassifier, GNNNodeClassifier, VGAEEmbedder
    from skgraph.datasets import make_community_graph

    rank = int(os.environ.get("RANK", "0"))

    def die(info):
        if die_at is not None and rank == 1 and info.epoch == die_at:
            os._exit(3)  # a rank that dies mid-training, without a word

    common = dict(random_state=0, device="cpu", callbacks=[die])
    batch = int(os.environ.get("SKGRAPH_TEST_BATCH", "8"))  # per rank: the global batch is
    # WORLD_SIZE times this
    if which == "mismatch":  # rank 1 asks for another width: both ranks must say so
        G, y = make_community_graph(n_nodes=60, random_state=0)
        GNNNodeClassifier(hidden_size=8 + 8 * rank, max_epochs=3, **common).fit(G, y)
        return
    if which == "search":  # a search's joblib workers are no ranks: they fit alone
        from sklearn.model_selection import GridSearchCV

        G, y = make_community_graph(n_nodes=60, random_state=0)
        search = GridSearchCV(GNNNodeClassifier(max_epochs=5, **common),
                              {"hidden_size": [4, 8]}, cv=2, n_jobs=2).fit(G, y)
        est, outputs = search.best_estimator_, search.best_estimator_.predict_proba(G)
        np.save(os.path.join(out, f"scores{rank}.npy"), search.cv_results_["mean_test_score"])
    elif which == "graph":
        rng = np.random.default_rng(0)
        graphs, y = [], []
        for i in range(96):
            A = np.ones((5, 5)) - np.eye(5)
            graphs.append((A, (-1.0) ** i + 0.5 * rng.normal(size=(5, 2))))
            y.append(i % 2)
        est = GNNGraphClassifier(max_epochs=12, batch_size=batch, n_layers=2,
                                 hidden_size=8, **common).fit(graphs, y)
        outputs = est.predict_proba(graphs)
    elif which == "node":
        G, y = make_community_graph(n_nodes=200, random_state=0)
        est = GNNNodeClassifier(conv="sage", batch_size=batch, fanouts=(5, 5),
                                max_epochs=12, **common).fit(G[::2], y[::2])
        outputs = est.predict_proba(G)
    else:
        G, _ = make_community_graph(n_nodes=200, random_state=0)
        est = VGAEEmbedder(batch_size=4 * batch, fanouts=(5, 5), max_epochs=8,
                           **common).fit(G)
        outputs = est.transform(G)
    weights = torch.cat([p.detach().reshape(-1) for p in est.module_.parameters()]).numpy()
    np.savez(os.path.join(out, f"rank{rank}.npz"), weights=weights, outputs=outputs,
             loss=np.array(est.loss_curve_))


if __name__ == "__main__":
    main()
