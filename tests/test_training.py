import warnings

import numpy as np
import pytest
import torch

from skgraph._training import train_module


def _regression_problem():
    torch.manual_seed(0)
    x = torch.randn(64, 3)
    y = x @ torch.tensor([[1.0], [-2.0], [0.5]])
    model = torch.nn.Linear(3, 1)

    def run_epoch(optimizer):
        optimizer.zero_grad()
        loss = torch.nn.functional.mse_loss(model(x), y)
        loss.backward()
        optimizer.step()
        return loss.item()

    return model, run_epoch


def test_trains_for_max_epochs_and_learns():
    model, run_epoch = _regression_problem()
    history = train_module(model, run_epoch, validation_score=None, max_epochs=300,
                           learning_rate=0.05, n_iter_no_change=None)
    assert history.n_iter == 300 and history.loss_curve[-1] < 1e-3 < history.loss_curve[0]
    assert not model.training


def test_validation_restores_the_best_weights():
    model, run_epoch = _regression_problem()
    scores = iter([0.1, 0.9, 0.5, 0.4, 0.3, 0.2, 0.1])
    snapshots = []

    def validation_score():
        snapshots.append({k: v.clone() for k, v in model.state_dict().items()})
        return next(scores)

    history = train_module(model, run_epoch, validation_score=validation_score, max_epochs=7,
                           learning_rate=0.05, n_iter_no_change=3, tol=0.0)
    assert history.n_iter == 6 and history.stopped_early  # 4 epochs without improvement > 3
    assert history.best_validation_score == 0.9
    for key, value in model.state_dict().items():
        assert torch.equal(value, snapshots[1][key])


def test_non_finite_loss_is_reported():
    model = torch.nn.Linear(1, 1)
    with pytest.raises(FloatingPointError, match="lower learning_rate"):
        train_module(model, lambda optimizer: float("nan"), validation_score=None,
                     max_epochs=5, learning_rate=0.1)


def test_keyboard_interrupt_stops_cleanly_with_a_warning():
    model, run_epoch = _regression_problem()
    calls = []

    def interrupted(optimizer):
        calls.append(1)
        if len(calls) == 4:
            raise KeyboardInterrupt
        return run_epoch(optimizer)

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        history = train_module(model, interrupted, validation_score=None, max_epochs=50,
                               learning_rate=0.05)
    assert history.interrupted and history.n_iter == 3
    assert any("interrupted after 3 epoch(s)" in str(w.message) for w in caught)
    assert np.isfinite(model(torch.ones(1, 3)).item())


def test_adam_is_fused_where_supported_and_falls_back_otherwise(monkeypatch):
    from skgraph import _training

    params = [torch.nn.Parameter(torch.ones(3))]
    optimizer = _training._adam(params, 0.1, 0.0)
    assert optimizer.defaults["fused"] is True  # torch's CPU kernel (torch >= 2.4)
    real_adam = torch.optim.Adam

    def adam_without_fused_kernel(parameters, **kwargs):
        if kwargs.pop("fused", None):
            raise RuntimeError("`fused=True` requires all the params to be on CUDA")
        return real_adam(parameters, **kwargs)

    monkeypatch.setattr(torch.optim, "Adam", adam_without_fused_kernel)
    fallback = _training._adam(params, 0.1, 0.01)
    assert not fallback.defaults.get("fused")
    assert fallback.defaults["lr"] == 0.1 and fallback.defaults["weight_decay"] == 0.01
