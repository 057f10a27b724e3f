import pytest
import torch

from skgraph._device import (
    check_device_name,
    load_location,
    resolve_device,
    thread_limit,
)


@pytest.mark.parametrize("name", ["auto", "cpu", "cuda", "cuda:1", "mps"])
def test_accepted_device_names(name):
    check_device_name(name)


@pytest.mark.parametrize("name", ["gpu", "cuda:x", "", None, 0, "CPU"])
def test_rejected_device_names(name):
    with pytest.raises(ValueError, match="device must be"):
        check_device_name(name)


def test_auto_prefers_cuda_then_mps_then_cpu(monkeypatch):
    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)
    monkeypatch.setattr(torch.backends.mps, "is_available", lambda: False)
    assert resolve_device("auto") == torch.device("cpu")
    monkeypatch.setattr(torch.backends.mps, "is_available", lambda: True)
    assert resolve_device("auto") == torch.device("mps")
    monkeypatch.setattr(torch.cuda, "is_available", lambda: True)
    assert resolve_device("auto") == torch.device("cuda")


def test_an_estimator_that_mps_cannot_train_skips_it_under_auto_and_refuses_it(monkeypatch):
    from skgraph import Node2VecEmbedder
    from skgraph.datasets import make_community_graph

    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)
    monkeypatch.setattr(torch.backends.mps, "is_available", lambda: True)
    reason = "no float64 there."
    assert resolve_device("auto", mps=reason) == torch.device("cpu")
    assert resolve_device("auto") == torch.device("mps")
    with pytest.raises(ValueError, match="device='mps' cannot train this estimator: no "
                                         "float64 there. Use 'cpu'"):
        resolve_device("mps", mps=reason)
    G, _ = make_community_graph(n_nodes=30, n_features=0, random_state=0)
    small = dict(n_components=4, walk_length=4, context_size=2, walks_per_node=1,
                 max_epochs=1, random_state=0)
    assert Node2VecEmbedder(**small).fit(G).device_ == "cpu"  # auto, with "MPS" present
    with pytest.raises(ValueError, match="float64 .* sparse gradients"):
        Node2VecEmbedder(**small, device="mps").fit(G)


def test_missing_devices_are_refused(monkeypatch):
    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)
    monkeypatch.setattr(torch.backends.mps, "is_available", lambda: False)
    with pytest.raises(ValueError, match="CUDA is not available"):
        resolve_device("cuda:0")
    with pytest.raises(ValueError, match="MPS is not available"):
        resolve_device("mps")


def test_state_saved_on_a_gpu_loads_on_the_cpu_with_a_warning(monkeypatch):
    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)
    monkeypatch.setattr(torch.backends.mps, "is_available", lambda: False)
    with pytest.warns(UserWarning, match="loaded on the CPU"):
        assert load_location("cuda:1") == torch.device("cpu")
    with pytest.warns(UserWarning, match="MPS"):
        assert load_location("mps") == torch.device("cpu")
    assert load_location("cpu") == torch.device("cpu")


def test_thread_limit_is_restored():
    before = torch.get_num_threads()
    with thread_limit(10):
        assert torch.get_num_threads() == 1
    assert torch.get_num_threads() == before
    with thread_limit(None):
        assert torch.get_num_threads() == before


def test_a_cpu_fit_leaves_the_gpu_and_mps_generators_alone(monkeypatch):
    # torch.manual_seed would reseed every CUDA device and MPS as well; fork_rng gives back
    # only the devices it is told about, so a fit must seed only what it draws from
    import numpy as np

    from skgraph import GNNNodeClassifier
    from skgraph.datasets import make_community_graph

    calls = []
    for module, name in ((torch.cuda, "manual_seed_all"), (torch.cuda, "manual_seed"),
                         (torch.mps, "manual_seed")):
        monkeypatch.setattr(module, name, lambda seed, name=name: calls.append(name))
    G, y = make_community_graph(n_nodes=30, random_state=0)
    state = torch.random.get_rng_state()
    first = GNNNodeClassifier(max_epochs=3, random_state=0, device="cpu").fit(G, y)
    assert calls == []
    assert torch.equal(torch.random.get_rng_state(), state)  # the CPU's: given back
    second = GNNNodeClassifier(max_epochs=3, random_state=0, device="cpu").fit(G, y)
    np.testing.assert_array_equal(first.predict_proba(G), second.predict_proba(G))


def test_the_default_dtype_is_left_alone_when_it_is_float32(monkeypatch):
    # process-wide: setting it, even back, would reach other threads during a fit
    from skgraph import VGAEEmbedder
    from skgraph.datasets import make_community_graph

    G, _ = make_community_graph(n_nodes=30, random_state=0)
    calls = []
    original = torch.set_default_dtype
    monkeypatch.setattr(torch, "set_default_dtype", lambda d: (calls.append(d), original(d)))
    VGAEEmbedder(max_epochs=2, random_state=0, device="cpu").fit(G).transform(G)
    assert calls == []
