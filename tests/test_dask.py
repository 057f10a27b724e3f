"""Search and cross-validation on a Dask cluster (joblib's Dask backend), and concurrent fits.

Each test starts a real ``LocalCluster`` of worker processes on 127.0.0.1 inside the test
run (no dashboard, bounded in time) and closes it; the results must equal those of
``n_jobs=1``.
"""

import os
import re
import signal
import time
from concurrent.futures import ThreadPoolExecutor

import joblib
import numpy as np
import pytest
import torch
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import (
    GridSearchCV,
    KFold,
    RandomizedSearchCV,
    StratifiedKFold,
    cross_val_score,
    cross_validate,
)
from sklearn.pipeline import make_pipeline

from skgraph import (
    GNNGraphClassifier,
    GNNGraphRegressor,
    GNNNodeClassifier,
    GNNNodeRegressor,
    LinkPredictor,
    Node2VecEmbedder,
    VGAEEmbedder,
)
from skgraph.datasets import make_community_graph
from skgraph.model_selection import link_pairs

distributed = pytest.importorskip("distributed", reason="pip install 'skgraph[distributed]'")
pytestmark = pytest.mark.slow

FAST = dict(max_epochs=5, random_state=0, device="cpu")


def _cluster(threads_per_worker: int = 1):
    return distributed.LocalCluster(
        n_workers=2, threads_per_worker=threads_per_worker, processes=True, host="127.0.0.1",
        dashboard_address=None, worker_dashboard_address=None, silence_logs=40,
        # the scheduler's HTTP routes (health, metrics) on a free loopback port, not 8787
        scheduler_kwargs={"dashboard_address": "127.0.0.1:0"})


@pytest.fixture(scope="module")
def client():
    with _cluster() as cluster, distributed.Client(cluster, timeout=60) as client:
        client.wait_for_workers(2, timeout=60)
        yield client


def _on_dask(client, run):
    with joblib.parallel_backend("dask", wait_for_workers_timeout=60):
        return run()


def _searches():
    """(name, callable(n_jobs) -> comparable result) for every estimator and input form."""
    G, y = make_community_graph(n_nodes=90, n_communities=3, random_state=0)
    P, labels = link_pairs(G, random_state=0)
    rng = np.random.default_rng(0)
    graphs, classes = [], []
    for i in range(24):
        A = np.ones((5, 5)) - np.eye(5)
        graphs.append((A, (-1.0) ** i + 0.3 * rng.normal(size=(5, 2))))
        classes.append(i % 2)
    classes = np.array(classes)
    values = classes + 0.1 * rng.normal(size=24)
    cv = KFold(3, shuffle=True, random_state=0)
    pipe = make_pipeline(VGAEEmbedder(**FAST), LogisticRegression(max_iter=200))
    return {
        "VGAEEmbedder pipeline, node views, GridSearchCV": lambda n: GridSearchCV(
            pipe, {"vgaeembedder__n_components": [4, 8]}, cv=cv, n_jobs=n).fit(G, y)
        .cv_results_["split0_test_score"],
        "Node2VecEmbedder pipeline, node views, GridSearchCV": lambda n: GridSearchCV(
            make_pipeline(Node2VecEmbedder(n_components=8, walk_length=6, context_size=3,
                                           walks_per_node=2, max_epochs=3, random_state=0,
                                           device="cpu"), LogisticRegression(max_iter=200)),
            {"node2vecembedder__q": [0.5, 2.0]}, cv=cv, n_jobs=n).fit(G, y)
        .cv_results_["split0_test_score"],
        "LinkPredictor, NodePairs, GridSearchCV": lambda n: GridSearchCV(
            LinkPredictor(**FAST), {"n_components": [4, 8]}, cv=cv, n_jobs=n).fit(P, labels)
        .cv_results_["mean_test_score"],
        "GNNNodeClassifier, node views, RandomizedSearchCV": lambda n: RandomizedSearchCV(
            GNNNodeClassifier(**FAST), {"hidden_size": [8, 16, 32]}, n_iter=2, cv=cv,
            random_state=0, n_jobs=n).fit(G, y).cv_results_["mean_test_score"],
        "GNNNodeRegressor, node views, cross_val_score": lambda n: cross_val_score(
            GNNNodeRegressor(**FAST), G, y.astype(float), cv=cv, n_jobs=n),
        "GNNGraphClassifier, list of graphs, cross_validate": lambda n: cross_validate(
            GNNGraphClassifier(**FAST), graphs, classes, cv=StratifiedKFold(3), n_jobs=n)
        ["test_score"],
        "GNNGraphRegressor, list of graphs, cross_val_score": lambda n: cross_val_score(
            GNNGraphRegressor(**FAST), graphs, values, cv=cv, n_jobs=n),
    }


@pytest.mark.parametrize("name", list(_searches()))
def test_searches_on_the_cluster_equal_n_jobs_1(client, name):
    run = _searches()[name]
    expected = run(1)
    np.testing.assert_array_equal(_on_dask(client, lambda: run(-1)), expected)


def _torch_threads_in_a_fit(_):
    seen = []
    G, _ = make_community_graph(n_nodes=60, random_state=0)
    VGAEEmbedder(**FAST, callbacks=[lambda info: seen.append(torch.get_num_threads())]).fit(G)
    return max(seen)


def test_each_worker_trains_within_its_thread_budget(client):
    # distributed gives each worker process one thread per task slot (OMP_NUM_THREADS=1)
    assert set(client.run(torch.get_num_threads).values()) == {1}
    assert client.gather(client.map(_torch_threads_in_a_fit, range(4))) == [1] * 4


def test_a_large_graph_travels_to_each_worker_once(client):
    G, y = make_community_graph(n_nodes=8000, n_communities=4, p_in=0.005, p_out=0.0002,
                                n_features=64, random_state=0)
    graph_bytes = G.__sizeof__()
    assert graph_bytes > 4e6
    pipe = make_pipeline(VGAEEmbedder(max_epochs=1, random_state=0, device="cpu"),
                         LogisticRegression(max_iter=20))
    before = client.scheduler_comm.byte_count
    incoming_before = sum(client.run(
        lambda dask_worker: sum(t["total"] for t in dask_worker.transfer_incoming_log)).values())
    _on_dask(client, lambda: GridSearchCV(pipe, {"vgaeembedder__n_components": [2, 4]},
                                          cv=3).fit(G, y))
    sent = client.scheduler_comm.byte_count - before
    incoming = sum(client.run(
        lambda dask_worker: sum(t["total"] for t in dask_worker.transfer_incoming_log))
        .values()) - incoming_before
    # 6 fits and scores and a refit: each task refers to the graph, none carries it
    assert sent / 7 < 0.01 * graph_bytes, sent
    # scattered to one worker, fetched at most once by the other
    assert incoming <= 1.1 * graph_bytes, incoming


def _kill_my_worker_once(info):
    marker = os.environ.get("SKGRAPH_TEST_KILL_MARKER")
    if marker and info.epoch == 2 and not os.path.exists(marker):
        open(marker, "w").close()
        os.kill(os.getpid(), signal.SIGKILL)


@pytest.mark.parametrize("broadcast", [True, False], ids=["scatter=[G, y]", "auto-scatter"])
def test_a_worker_killed_mid_search_never_gives_a_partial_result(tmp_path, broadcast):
    """With the data broadcast to every worker (``parallel_backend("dask", scatter=[G, y])``)
    the search survives a worker's death and gives the full results; with joblib's automatic
    scatter (the data on one worker) losing the worker that holds it fails the search with
    an error instead (losing the other one does not)."""
    G, y = make_community_graph(n_nodes=90, n_communities=3, random_state=0)
    cv = KFold(3, shuffle=True, random_state=0)
    grid = {"vgaeembedder__n_components": [4, 8]}
    expected = GridSearchCV(make_pipeline(VGAEEmbedder(**FAST), LogisticRegression(
        max_iter=200)), grid, cv=cv).fit(G, y).cv_results_["mean_test_score"]
    pipe = make_pipeline(VGAEEmbedder(**FAST, callbacks=[_kill_my_worker_once]),
                         LogisticRegression(max_iter=200))
    os.environ["SKGRAPH_TEST_KILL_MARKER"] = str(tmp_path / "killed")
    try:
        with _cluster() as cluster, distributed.Client(cluster, timeout=60) as client:
            client.wait_for_workers(2, timeout=60)
            with joblib.parallel_backend("dask", scatter=[G, y] if broadcast else None,
                                         wait_for_workers_timeout=60):
                try:
                    got = GridSearchCV(pipe, grid, cv=cv).fit(G, y).cv_results_
                except Exception as error:  # only when the data's one copy died with it
                    assert not broadcast, error
                    assert re.search("cancelled|forgotten|[Kk]illed|lost", str(error)), error
                else:
                    np.testing.assert_array_equal(got["mean_test_score"], expected)
    finally:
        del os.environ["SKGRAPH_TEST_KILL_MARKER"]
    assert (tmp_path / "killed").exists()  # a worker really died mid-search


def _fits_in_threads(seeds):
    G, _ = make_community_graph(n_nodes=120, random_state=0)
    with ThreadPoolExecutor(len(seeds)) as pool:
        return list(pool.map(lambda s: VGAEEmbedder(max_epochs=20, random_state=s,
                                                    device="cpu").fit_transform(G), seeds))


def test_concurrent_fits_in_one_process_equal_sequential_ones():
    G, _ = make_community_graph(n_nodes=120, random_state=0)
    sequential = [VGAEEmbedder(max_epochs=20, random_state=s, device="cpu").fit_transform(G)
                  for s in (0, 1, 2, 3)]
    for concurrent, expected in zip(_fits_in_threads((0, 1, 2, 3)), sequential):
        np.testing.assert_array_equal(concurrent, expected)


def test_a_cluster_with_two_threads_per_worker_equals_n_jobs_1():
    run = _searches()["GNNNodeClassifier, node views, RandomizedSearchCV"]
    expected = run(1)
    with _cluster(threads_per_worker=2) as cluster, distributed.Client(cluster) as client:
        client.wait_for_workers(2, timeout=60)
        np.testing.assert_array_equal(_on_dask(client, lambda: run(-1)), expected)
        start = time.perf_counter()
        results = client.gather(client.map(_fits_in_threads, [(0, 1), (2, 3)]))
        assert time.perf_counter() - start < 120
    sequential = [VGAEEmbedder(max_epochs=20, random_state=s, device="cpu").fit_transform(
        make_community_graph(n_nodes=120, random_state=0)[0]) for s in (0, 1, 2, 3)]
    for got, expected_embedding in zip([z for pair in results for z in pair], sequential):
        np.testing.assert_array_equal(got, expected_embedding)
