"""Repeatability, interrupted training, numerical robustness and threads, for every estimator."""

import pickle
import warnings

import numpy as np
import pytest
import scipy.sparse as sp
import torch
from sklearn.model_selection import GridSearchCV, KFold

from skgraph import GNNGraphClassifier, GNNNodeClassifier, Graph, LinkPredictor, VGAEEmbedder
from skgraph.datasets import make_community_graph
from skgraph.model_selection import link_pairs

FAST = dict(max_epochs=15, random_state=0, device="cpu")


def _graphs_and_labels(n=16):
    graphs, labels = [], []
    for i in range(n):
        k = 1 + i % 2
        G, _ = make_community_graph(n_nodes=12, n_communities=k, p_in=0.6, p_out=0.05,
                                    n_features=3, random_state=i)
        graphs.append(G)
        labels.append(k)
    return graphs, np.array(labels)


def _outputs(name, est, data):
    """Fit ``est`` on ``data``, then its outputs (see :func:`_predictions`)."""
    est.fit(*([data] if name in ("embedder", "link") else data))
    return _predictions(name, est, data)


def _raise_at(epoch, error):
    """An epoch callback that raises ``error`` after epoch ``epoch``."""
    def callback(info):
        if info.epoch == epoch:
            raise error
    return callback


def _predictions(name, est, data):
    """The fitted ``est``'s embeddings, link probabilities or class probabilities."""
    if name == "embedder":
        return est.transform(data)
    if name == "link":
        return est.predict_proba(np.array([[0, 1], [2, 50], [7, 80]]))
    return est.predict_proba(data[0])


CASES = {
    "embedder": (lambda **kw: VGAEEmbedder(n_components=4, **kw),
                 lambda: make_community_graph(n_nodes=90, random_state=0)[0]),
    "link": (lambda **kw: LinkPredictor(n_components=8, **kw),
             lambda: make_community_graph(n_nodes=90, random_state=0)[0]),
    "classifier": (lambda **kw: GNNGraphClassifier(hidden_size=8, batch_size=4, **kw),
                   _graphs_and_labels),
}


@pytest.mark.parametrize("name", CASES)
def test_same_random_state_same_outputs_independent_of_global_rng(name):
    make, data = CASES[name]
    data = data()
    torch.manual_seed(1)
    np.random.seed(1)
    first = _outputs(name, make(**FAST), data)
    state_torch, state_np = torch.random.get_rng_state(), np.random.get_state()[1].copy()
    torch.manual_seed(999)  # a different global state must not change the result
    np.random.seed(999)
    torch.random.set_rng_state(state_torch)
    np.random.set_state(("MT19937", state_np, 624, 0, 0.0))
    second = _outputs(name, make(**FAST), data)
    np.testing.assert_array_equal(first, second)
    assert torch.equal(torch.random.get_rng_state(), state_torch)  # fitting left it alone
    torch.manual_seed(12345)
    np.testing.assert_array_equal(_outputs(name, make(**FAST), data), first)


@pytest.mark.parametrize("name", CASES)
def test_pickle_round_trip_is_exact(name):
    make, data = CASES[name]
    data = data()
    est = make(**FAST)
    out = _outputs(name, est, data)
    restored = pickle.loads(pickle.dumps(est))
    if name == "embedder":
        np.testing.assert_array_equal(restored.transform(data), out)
    elif name == "link":
        np.testing.assert_array_equal(restored.predict_proba(np.array([[0, 1], [2, 50], [7, 80]])), out)
    else:
        np.testing.assert_array_equal(restored.predict_proba(data[0]), out)


def _search(name, n_jobs):
    cv = KFold(3, shuffle=True, random_state=0)
    if name == "embedder":
        from sklearn.linear_model import LogisticRegression
        from sklearn.pipeline import make_pipeline
        G, y = make_community_graph(n_nodes=90, random_state=0)
        pipe = make_pipeline(VGAEEmbedder(**FAST), LogisticRegression(max_iter=300))
        grid = {"vgaeembedder__n_components": [2, 4]}
        return GridSearchCV(pipe, grid, cv=cv, n_jobs=n_jobs).fit(G, y)
    if name == "link":
        P, y = link_pairs(make_community_graph(n_nodes=90, random_state=0)[0], random_state=0)
        return GridSearchCV(LinkPredictor(**FAST), {"n_components": [4, 8]}, cv=cv,
                            n_jobs=n_jobs).fit(P, y)
    graphs, y = _graphs_and_labels()
    return GridSearchCV(GNNGraphClassifier(batch_size=4, **FAST), {"hidden_size": [4, 8]},
                        cv=cv, n_jobs=n_jobs).fit(graphs, y)


@pytest.mark.slow
@pytest.mark.parametrize("name", CASES)
def test_grid_search_in_two_processes_matches_one(name):
    one, two = _search(name, 1), _search(name, 2)
    np.testing.assert_array_equal(one.cv_results_["mean_test_score"],
                                  two.cv_results_["mean_test_score"])
    assert one.best_params_ == two.best_params_


@pytest.mark.parametrize("name", CASES)
def test_keyboard_interrupt_keeps_a_usable_estimator(name):
    make, data = CASES[name]
    data = data()

    est = make(**{**FAST, "max_epochs": 50, "callbacks": [_raise_at(3, KeyboardInterrupt)]})
    with pytest.warns(UserWarning, match="interrupted after 3 epoch") as caught:
        out = _outputs(name, est, data)
    assert caught[0].filename == __file__  # the caller's line, not skgraph's
    assert est.n_iter_ == 3 and len(est.loss_curve_) == 3
    assert np.isfinite(out).all()


@pytest.mark.parametrize("scale", [1e-6, 1.0, 1e6])
def test_feature_scale_does_not_matter_for_the_node_estimators(scale):
    G, _ = make_community_graph(n_nodes=90, random_state=0)
    scaled = Graph(G.adjacency, np.asarray(G.features) * scale)
    base = VGAEEmbedder(**FAST).fit_transform(G)
    Z = VGAEEmbedder(**FAST).fit_transform(scaled)
    assert np.isfinite(Z).all()
    np.testing.assert_allclose(Z, base, rtol=1e-3, atol=1e-4)
    P = LinkPredictor(**FAST).fit(scaled).predict_proba(np.array([[0, 1], [3, 4]]))
    assert np.isfinite(P).all()


def test_awkward_structures_stay_finite():
    rng = np.random.default_rng(0)
    n = 300
    hub = np.zeros((n, n))
    hub[0, 1:] = hub[1:, 0] = 1  # a star: one node of degree 299
    components = sp.block_diag([sp.csr_array(np.ones((5, 5)) - np.eye(5))] * 10).toarray()
    isolated = np.pad(components, ((0, 20), (0, 20)))  # 20 isolated nodes
    for A in (hub, isolated):
        X = rng.normal(size=(A.shape[0], 4))
        Z = VGAEEmbedder(**FAST).fit_transform((A, X))
        assert np.isfinite(Z).all()
        P = LinkPredictor(**FAST).fit((A, X)).predict_proba(np.array([[0, 1], [0, A.shape[0] - 1]]))
        assert np.isfinite(P).all() and np.allclose(P.sum(axis=1), 1)


@pytest.mark.slow
def test_long_training_stays_finite():
    G, _ = make_community_graph(n_nodes=60, random_state=0)
    emb = VGAEEmbedder(max_epochs=1500, learning_rate=0.05, random_state=0, device="cpu").fit(G)
    assert np.isfinite(emb.transform(G)).all() and np.isfinite(emb.loss_curve_).all()
    graphs, y = _graphs_and_labels(8)
    clf = GNNGraphClassifier(max_epochs=300, hidden_size=8, batch_size=4, random_state=0,
                             device="cpu").fit(graphs, y)
    assert np.isfinite(clf.predict_proba(graphs)).all()


def test_torch_thread_setting_is_respected_and_restored():
    seen = []
    before = torch.get_num_threads()
    try:
        torch.set_num_threads(1)
        VGAEEmbedder(**FAST, callbacks=[lambda info: seen.append(torch.get_num_threads())]).fit(
            make_community_graph(n_nodes=60, random_state=0)[0])
        assert seen[-1] == 1 and torch.get_num_threads() == 1
    finally:
        torch.set_num_threads(before)
    assert torch.get_num_threads() == before


class _ThreadsSeen:
    """An epoch callback that appends the torch thread count its fit trains with to a file
    per process (it runs in a search's worker processes, whose memory the test cannot read)."""

    def __init__(self, folder):
        self.folder = str(folder)

    def __call__(self, info):
        import os

        with open(os.path.join(self.folder, f"{os.getpid()}.txt"), "a") as record:
            record.write(f"{torch.get_num_threads()}\n")


def _torch_threads(_):
    return torch.get_num_threads()


@pytest.mark.slow
def test_grid_search_workers_do_not_oversubscribe_the_cores(tmp_path):
    """Inside GridSearchCV(n_jobs=2) each worker trains with cores // 2 torch threads at most:
    a fit as small as this one runs single-threaded (skgraph's thread_limit), even where
    joblib lets each worker use every core."""
    import os

    from joblib import Parallel, delayed, parallel_config

    G, y = make_community_graph(n_nodes=40, random_state=0)
    every_core = max(2, os.cpu_count() or 2)
    with parallel_config(backend="loky", inner_max_num_threads=every_core):
        allowed = Parallel(n_jobs=2)(delayed(_torch_threads)(i) for i in range(2))
        GridSearchCV(GNNNodeClassifier(max_epochs=2, callbacks=[_ThreadsSeen(tmp_path)],
                                       random_state=0, device="cpu"),
                     {"hidden_size": [4, 8]}, cv=2, n_jobs=2).fit(G, y)
    assert min(allowed) == every_core  # outside skgraph's fits, the workers may use them all
    seen = {int(path.stem): path.read_text().split() for path in tmp_path.iterdir()}
    in_workers = [count for pid, counts in seen.items() if pid != os.getpid()
                  for count in counts]
    assert len(in_workers) == 4 * 2  # 2 candidates x 2 folds, 2 epochs each, in the workers
    assert set(in_workers) == {"1"}  # one thread each: within cores // 2 on any machine


@pytest.mark.parametrize("name", CASES)
@pytest.mark.parametrize("context", ["no_grad", "inference_mode", "float64_default"])
def test_callers_torch_modes_do_not_reach_fit_or_predict(name, context):
    make, data = CASES[name]
    data = data()
    expected = _outputs(name, make(**FAST), data)
    fitted = make(**FAST)
    _outputs(name, fitted, data)
    saved = pickle.dumps(fitted)
    previous = torch.get_default_dtype()
    try:
        if context == "float64_default":
            torch.set_default_dtype(torch.float64)
            mode = torch.enable_grad()
        else:
            mode = torch.no_grad() if context == "no_grad" else torch.inference_mode()
        with mode:
            out = _outputs(name, make(**FAST), data)
            restored = pickle.loads(saved)
            again = _predictions(name, restored, data)
            assert torch.get_default_dtype() == (torch.float64 if context == "float64_default"
                                                 else previous)
    finally:
        torch.set_default_dtype(previous)
    np.testing.assert_array_equal(out, expected)
    np.testing.assert_array_equal(again, expected)


@pytest.mark.parametrize("name", CASES)
def test_a_failed_refit_leaves_the_fitted_estimator_as_it_was(name):
    make, data = CASES[name]
    data = data()

    for warm_start in (False, True):
        est = make(**FAST, warm_start=warm_start)
        before = _outputs(name, est, data)
        attributes = {k: v for k, v in vars(est).items() if k != "module_"}
        weights = {k: v.clone() for k, v in est.module_.state_dict().items()}
        est.set_params(callbacks=[_raise_at(2, RuntimeError("stop here"))])
        with pytest.raises(RuntimeError, match="stop here"):
            _outputs(name, est, data)
        assert est.callbacks is not None  # parameters are the caller's, kept as set
        est.set_params(callbacks=None)
        assert set(vars(est)) == set(attributes) | {"module_"}
        for key, value in est.module_.state_dict().items():
            torch.testing.assert_close(value, weights[key], rtol=0, atol=0)
        after = _predictions(name, est, data)
        np.testing.assert_array_equal(after, before)
        assert est.n_iter_ == attributes["n_iter_"]


def test_a_refit_refused_late_keeps_the_earlier_fit():
    graphs, y = _graphs_and_labels()
    est = GNNGraphClassifier(hidden_size=8, batch_size=4, **FAST).fit(graphs, y)
    before = est.predict_proba(graphs)
    three_classes = np.where(np.arange(len(y)) < 3, 3, y)
    wider = graphs[:-1] + [Graph(graphs[-1].adjacency, np.ones((graphs[-1].n_nodes, 5)))]
    with pytest.raises(ValueError, match="node features"):
        est.fit(wider, three_classes)
    with pytest.raises(ValueError, match="conv='gine'"):
        est.set_params(conv="gine").fit(graphs, three_classes)
    assert est.classes_.tolist() == [1, 2] and est.conv_ == "gin"
    np.testing.assert_array_equal(est.predict_proba(graphs), before)


@pytest.mark.parametrize("name", CASES)
def test_a_warm_start_trains_with_the_parameters_set_since(name):
    make, data = CASES[name]
    data = data()
    est = make(**FAST, dropout=0.5)
    _outputs(name, est, data)
    est.set_params(warm_start=True, dropout=0.0, max_epochs=2)
    out = _outputs(name, est, data)
    dropouts = {m.p for m in est.module_.modules() if isinstance(m, torch.nn.Dropout)}
    dropouts |= {getattr(m, "dropout") for m in est.module_.modules()
                 if isinstance(getattr(m, "dropout", None), float)}
    assert dropouts == {0.0}
    restored = pickle.loads(pickle.dumps(est))  # rebuilt from today's parameters, as trained
    again = _predictions(name, restored, data)
    np.testing.assert_array_equal(again, out)


def test_a_warm_start_refuses_other_classes_and_says_when_it_starts_afresh():
    # as MLPClassifier: other classes are refused; a network that no longer fits (another
    # feature width) is replaced, with a warning instead of in silence
    G, y = make_community_graph(n_nodes=60, n_communities=3, random_state=0)
    graphs, labels = _graphs_and_labels()
    for est, X, target, other, narrower in (
            (GNNNodeClassifier(warm_start=True, **FAST), G, y, np.minimum(y, 1),
             Graph(G.adjacency, G.features[:, :3])),
            (GNNGraphClassifier(hidden_size=8, batch_size=4, warm_start=True, **FAST), graphs,
             labels, np.where(labels == 1, 0, labels),
             [Graph(g.adjacency, np.ones((g.n_nodes, 2))) for g in graphs])):
        est.fit(X, target)
        before = est.predict_proba(X)
        with pytest.raises(ValueError, match="warm_start can only continue where y has the "
                                             "same classes as in the previous fit"):
            est.fit(X, other)
        np.testing.assert_array_equal(est.predict_proba(X), before)  # the fit is kept
        with pytest.warns(UserWarning, match="trains a new one from scratch"):
            est.fit(narrower, target)
        assert len(est.loss_curve_) == FAST["max_epochs"]  # not continued


def test_a_warm_start_with_another_decoder_width_starts_afresh():
    G, _ = make_community_graph(n_nodes=60, random_state=0)
    lp = LinkPredictor(decoder="hadamard_mlp", decoder_hidden_size=8, warm_start=True, **FAST)
    lp.fit(G)
    lp.set_params(decoder_hidden_size=16)
    with pytest.warns(UserWarning, match="trains a new one from scratch"):
        lp.fit(G)
    assert len(lp.loss_curve_) == FAST["max_epochs"]
    assert lp.module_.decoder.mlp[0].out_features == 16
    lp.set_params(dropout=0.1)  # shapes alike: continued
    lp.fit(G)
    assert len(lp.loss_curve_) == 2 * FAST["max_epochs"]


def test_a_warm_start_on_a_featureless_graph_of_more_nodes_says_why_it_starts_afresh():
    G, _ = make_community_graph(n_nodes=40, n_features=0, random_state=0)
    larger, _ = make_community_graph(n_nodes=50, n_features=0, random_state=0)
    lp = LinkPredictor(warm_start=True, **FAST).fit(G)
    with pytest.warns(UserWarning, match="from scratch. With featureless='identity' the input "
                                         "has one column per node, so a graph of 50 nodes "
                                         "after one of 40"):
        lp.fit(larger)
    degree = LinkPredictor(warm_start=True, featureless="degree", **FAST).fit(G)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        degree.fit(larger)  # [1, log(1 + degree)] for any number of nodes: continued
    assert len(degree.loss_curve_) == 2 * FAST["max_epochs"]


def test_a_warm_start_keeps_the_feature_scaling_its_weights_were_trained_on():
    G, y = make_community_graph(n_nodes=60, n_communities=3, random_state=0)
    for est in (GNNNodeClassifier(warm_start=True, **FAST),
                VGAEEmbedder(n_components=4, warm_start=True, **FAST)):
        est.fit(G, y)
        scale = est.feature_scale_
        est.fit(Graph(G.adjacency, G.features * 3.0), y)  # continues, inputs read as fitted
        assert est.feature_scale_ == scale
        # the epochs of both fits, in the curve and in n_iter_ (MLPClassifier's rule)
        assert len(est.loss_curve_) == est.n_iter_ == 2 * FAST["max_epochs"]
        assert est.best_loss_ == min(est.loss_curve_)
        est.set_params(warm_start=False).fit(G, y)  # afresh: this fit's epochs only
        assert len(est.loss_curve_) == est.n_iter_ == FAST["max_epochs"]


@pytest.mark.parametrize("name", ["node classifier", "graph regressor", "VGAE"])
def test_a_fit_whose_loss_diverges_says_so_at_the_callers_line(name):
    from sklearn.exceptions import ConvergenceWarning

    from skgraph import GNNGraphRegressor

    G, y = make_community_graph(n_nodes=40, random_state=0)
    graphs, labels = _graphs_and_labels()
    fit = {"node classifier": lambda **p: GNNNodeClassifier(**p).fit(G, y),
           "graph regressor": lambda **p: GNNGraphRegressor(**p).fit(
               graphs, labels.astype(float)),
           "VGAE": lambda **p: VGAEEmbedder(**p).fit(G)}[name]
    with pytest.warns(ConvergenceWarning, match="training diverged") as record:
        model = fit(learning_rate=1e3, **FAST)
    assert record[0].filename == __file__
    assert model.loss_curve_[-1] > 10 * model.loss_curve_[0]


def test_a_warning_from_a_fit_inside_cross_val_score_points_at_the_callers_line():
    from sklearn.exceptions import ConvergenceWarning
    from sklearn.model_selection import cross_val_score

    from skgraph import GNNGraphRegressor

    graphs, labels = _graphs_and_labels()
    with pytest.warns(ConvergenceWarning, match="training diverged") as record:
        cross_val_score(GNNGraphRegressor(learning_rate=1e3, **FAST), graphs,
                        labels.astype(float), cv=2)
    assert {warning.filename for warning in record} == {__file__}  # not joblib's
