"""A 12-fit search on a local Dask cluster: bytes sent per task, and wall time by workers.

``GridSearchCV`` (4 candidates x 3 folds) of ``make_pipeline(VGAEEmbedder(max_epochs=50),
LogisticRegression(max_iter=300))`` over the nodes of a generated graph, under
``joblib.parallel_backend("dask")`` on a ``LocalCluster`` of 1 and of 2 single-threaded
worker processes (127.0.0.1), next to ``n_jobs=1`` in this process; the scores must be equal. Bytes per task: what the client sent
to the scheduler during the search (``client.scheduler_comm.byte_count``: task definitions,
and the data embedded in them) divided by the tasks; the graph itself is sent to the workers
once (scattered by joblib), which the workers' transfer logs count.

    python benchmarks/dask_search.py --nodes 20000
"""

from __future__ import annotations

import argparse
import time

import joblib
import numpy as np
from dask.distributed import Client, LocalCluster
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import GridSearchCV, KFold
from sklearn.pipeline import make_pipeline

from skgraph import VGAEEmbedder
from skgraph.datasets import make_community_graph


def search():
    pipe = make_pipeline(VGAEEmbedder(max_epochs=50, random_state=0, device="cpu"),
                         LogisticRegression(max_iter=300))
    return GridSearchCV(pipe, {"vgaeembedder__n_components": [4, 8, 16, 32]},
                        cv=KFold(3, shuffle=True, random_state=0))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--nodes", type=int, default=20000)
    args = parser.parse_args()
    G, y = make_community_graph(n_nodes=args.nodes, n_communities=5, p_in=40 / args.nodes,
                                p_out=2 / args.nodes, n_features=64, random_state=0)
    print(f"graph: {G.n_nodes} nodes, {G.n_edges} edges, 64 features; {G.__sizeof__() / 1e6:.1f} "
          "MB of arrays")
    start = time.perf_counter()
    local = search().fit(G, y).cv_results_["mean_test_score"]
    print(f"n_jobs=1 in this process: {time.perf_counter() - start:.1f} s")
    for workers in (1, 2):
        with LocalCluster(n_workers=workers, threads_per_worker=1, processes=True,
                          host="127.0.0.1", dashboard_address=None,
                          scheduler_kwargs={"dashboard_address": "127.0.0.1:0"}) as cluster, \
                Client(cluster) as client:
            before = client.scheduler_comm.byte_count
            start = time.perf_counter()
            with joblib.parallel_backend("dask"):
                scores = search().fit(G, y).cv_results_["mean_test_score"]
            seconds = time.perf_counter() - start
            sent = client.scheduler_comm.byte_count - before
            fetched = sum(client.run(lambda dask_worker: sum(
                t["total"] for t in dask_worker.transfer_incoming_log)).values())
        assert np.array_equal(scores, local)
        print(f"{workers} worker(s): {seconds:.1f} s; {sent / 13 / 1e3:.1f} kB sent per task "
              f"(12 fits + refit); {fetched / 1e6:.1f} MB fetched between workers; scores equal "
              "to n_jobs=1")


if __name__ == "__main__":
    main()
