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

    # what each epoch of this rank trains on: the ids of the samples of the batches its
    # loop runs (the lists the training loops take their share of) and the optimizer steps
    epoch_ids, epoch_steps, ids, steps = [], [], [], []

    def record(info):
        epoch_ids.append(list(ids))
        epoch_steps.append(len(steps))
        ids.clear()
        steps.clear()

    if which in ("graph", "node", "edges"):
        from skgraph import _autoencoder_estimator, _graph_level, _node_level, _training

        for module in (_autoencoder_estimator, _graph_level, _node_level):
            def shared(batches, distributed, share_of=module.share_of):
                mine = share_of(batches, distributed)
                if distributed is not None:  # a training loop's (prediction passes None)
                    ids.extend(i for batch in mine for i in torch.as_tensor(batch).tolist())
                return mine

            module.share_of = shared
        step = _training._Adam.step

        def counted(self, closure=None):
            steps.append(1)
            return step(self, closure)

        _training._Adam.step = counted

    common = dict(random_state=0, device="cpu", callbacks=[die, record])
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
        n_samples = len(graphs)
    elif which == "node":
        G, y = make_community_graph(n_nodes=200, random_state=0)
        est = GNNNodeClassifier(conv="sage", batch_size=batch, fanouts=(5, 5),
                                max_epochs=12, **common).fit(G[::2], y[::2])
        outputs = est.predict_proba(G)
        n_samples = len(y[::2])
    else:
        G, _ = make_community_graph(n_nodes=200, random_state=0)
        est = VGAEEmbedder(batch_size=4 * batch, fanouts=(5, 5), max_epochs=8,
                           **common).fit(G)
        outputs = est.transform(G)
        n_samples = G.n_edges
    weights = torch.cat([p.detach().reshape(-1) for p in est.module_.parameters()]).numpy()
    shares = {} if which == "search" else dict(
        n_samples=n_samples, ids=np.array(sum(epoch_ids, []), dtype=np.int64),
        ids_per_epoch=np.array([len(e) for e in epoch_ids]), steps=np.array(epoch_steps))
    np.savez(os.path.join(out, f"rank{rank}.npz"), weights=weights, outputs=outputs,
             loss=np.array(est.loss_curve_), **shares)


if __name__ == "__main__":
    main()
