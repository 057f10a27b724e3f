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
