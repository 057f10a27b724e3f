import warnings

import numpy as np
import pytest
import torch
from sklearn.exceptions import ConvergenceWarning

from skgraph import _training
from skgraph._training import recalibrate_batch_norm, train_module


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


def test_a_diverging_loss_is_reported_unless_the_best_weights_are_restored():
    model, run_epoch = _regression_problem()
    with pytest.warns(ConvergenceWarning, match=r"training diverged: the loss rose from "
                                                r"[\d.]+ in the first epoch to .* over the "
                                                r"last three \(of 20\).*Lower learning_rate"):
        history = train_module(model, run_epoch, validation_score=None, max_epochs=20,
                               learning_rate=50.0, n_iter_no_change=None)
    assert history.loss_curve[-1] > 10 * history.loss_curve[0]
    model, run_epoch = _regression_problem()
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # converging, or diverged with the best epoch restored
        train_module(model, run_epoch, validation_score=None, max_epochs=20, learning_rate=0.05)
        model, run_epoch = _regression_problem()
        train_module(model, run_epoch, validation_score=lambda: 0.0, max_epochs=20,
                     learning_rate=50.0)
        train_module(model, lambda optimizer: 0.5, validation_score=None, max_epochs=3,
                     learning_rate=0.1)  # flat
        spikes = iter([1.0, 40.0, 30.0, 2.0, 1.0, 0.8])  # overshoots early, recovers
        train_module(model, lambda optimizer: next(spikes), validation_score=None,
                     max_epochs=6, learning_rate=0.1)
        losses = iter([1.0, 2.0, 3.0, 40.0])  # too short to judge
        train_module(model, lambda optimizer: next(losses), validation_score=None,
                     max_epochs=4, learning_rate=0.1)


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
    real_adam = _training._Adam

    def adam_without_fused_kernel(parameters, **kwargs):
        if kwargs.pop("fused", None):
            raise RuntimeError("`fused=True` requires all the params to be on CUDA")
        return real_adam(parameters, **kwargs)

    monkeypatch.setattr(_training, "_Adam", adam_without_fused_kernel)
    fallback = _training._adam(params, 0.1, 0.01)
    assert not fallback.defaults.get("fused")
    assert fallback.defaults["lr"] == 0.1 and fallback.defaults["weight_decay"] == 0.01


def _small_network() -> torch.nn.Module:
    torch.manual_seed(0)
    return torch.nn.Sequential(torch.nn.Linear(5, 9), torch.nn.ReLU(), torch.nn.Linear(9, 3))


def _adam_steps(module, parameters, steps):
    torch.manual_seed(1)
    x, y = torch.randn(40, 5), torch.randint(0, 3, (40,))
    optimizer = _training._adam(parameters, 0.01, 0.001)
    for _ in range(steps):
        optimizer.zero_grad()
        torch.nn.functional.cross_entropy(module(x), y).backward()
        optimizer.step()


def test_flat_parameters_train_like_separate_tensors_and_give_storage_back():
    reference = _small_network()
    reference[2].bias.requires_grad_(False)
    _adam_steps(reference, [p for p in reference.parameters() if p.requires_grad], 10)
    module = _small_network()
    frozen = module[2].bias
    frozen.requires_grad_(False)
    reference_frozen = frozen.detach().clone()
    with _training._flat_parameters(module) as buffers:
        (buffer,) = buffers
        assert buffer.numel() == sum(p.numel() for p in module.parameters() if p.requires_grad)
        weight = module[0].weight
        assert weight.data_ptr() == buffer.data_ptr()  # a view into the buffer
        assert weight.grad.data_ptr() == buffer.grad.data_ptr()
        _adam_steps(module, buffers, 10)
    trained = dict(module.named_parameters())
    for name, p in reference.named_parameters():
        if name != "2.bias":
            # the same update up to float rounding (Adam's kernel, one tensor or many)
            torch.testing.assert_close(trained[name], p, atol=1e-6, rtol=1e-5)
            assert not torch.equal(trained[name], _small_network().state_dict()[name])
    assert torch.equal(module[2].bias, reference_frozen)
    pointers = {p.data_ptr() for p in module.parameters()}
    assert len(pointers) == 4 and all(p.grad is None for p in module.parameters())


def test_flat_parameters_keep_each_parameters_memory_layout():
    reference = _small_network()
    _adam_steps(reference, list(reference.parameters()), 10)
    module = _small_network()
    first = module[0]
    first.weight = torch.nn.Parameter(first.weight.detach().T.contiguous().T)  # input-major
    assert first.weight.stride() == (1, 9)
    with _training._flat_parameters(module) as buffers:
        assert first.weight.stride() == (1, 9) and first.weight.grad.stride() == (1, 9)
        assert first.weight.data_ptr() == buffers[0].data_ptr()
        _adam_steps(module, buffers, 10)
        assert first.weight.grad.abs().sum() > 0
    assert first.weight.stride() == (1, 9)  # its own storage again, in the same layout
    for (name, p), trained in zip(reference.named_parameters(), module.parameters()):
        torch.testing.assert_close(trained, p, atol=1e-6, rtol=1e-5, msg=name)


def test_flat_parameters_restore_on_error():
    module = _small_network()
    before = {k: v.clone() for k, v in module.state_dict().items()}
    with pytest.raises(RuntimeError, match="boom"):
        with _training._flat_parameters(module):
            raise RuntimeError("boom")
    assert all(torch.equal(v, before[k]) for k, v in module.state_dict().items())
    assert len({p.data_ptr() for p in module.parameters()}) == 4
    assert all(p.grad is None for p in module.parameters())


def test_callbacks_see_every_epoch_and_can_stop_training():
    module, run_epoch = _regression_problem()
    seen = []
    history = train_module(module, run_epoch, validation_score=None, max_epochs=10,
                           learning_rate=0.1, n_iter_no_change=None,
                           callbacks=[seen.append, lambda info: info.epoch == 4])
    assert history.n_iter == 4 and history.stopped_early
    assert [info.epoch for info in seen] == [1, 2, 3, 4]
    assert [info.loss for info in seen] == history.loss_curve
    assert all(info.seconds >= 0 and info.learning_rate == 0.1 and info.module is module
               and info.validation_score is None for info in seen)
    # NumPy's True and a bool tensor stop too; other values (a loss, a list) do not
    for stop_at_three in (lambda info: np.int64(info.epoch) == 3,
                          lambda info: torch.tensor(info.epoch) == 3):
        history = train_module(module, run_epoch, validation_score=None, max_epochs=10,
                               learning_rate=0.1, n_iter_no_change=None,
                               callbacks=[stop_at_three, lambda info: info.loss, lambda info: [1]])
        assert history.n_iter == 3 and history.stopped_early


def test_schedule_averaging_and_batch_norm_recalibration():
    torch.manual_seed(0)
    module = torch.nn.Sequential(torch.nn.Linear(2, 4), torch.nn.BatchNorm1d(4))
    x = torch.randn(32, 2)
    snapshots, rates = [], []

    def run_epoch(optimizer):
        optimizer.zero_grad()
        loss = module(x).square().mean()
        loss.backward()
        optimizer.step()
        return loss.item()

    def record(info):
        rates.append(info.learning_rate)
        snapshots.append([p.detach().clone() for p in info.module.parameters()])

    train_module(module, run_epoch, validation_score=None, max_epochs=6, learning_rate=0.1,
                 n_iter_no_change=None, lr_schedule=lambda epoch: 1 / (epoch + 1),
                 average_from=2, recalibration_batches=[(x[:16],), (x[16:],)],
                 callbacks=[record])
    assert rates == pytest.approx([0.1 / (epoch + 1) for epoch in range(6)])
    for k, p in enumerate(module.parameters()):  # the mean of epochs 3..6
        torch.testing.assert_close(p.detach(), torch.stack([s[k] for s in snapshots[2:]]).mean(0))
    norm = module[1]  # population statistics of the final weights over both batches
    with torch.no_grad():
        hidden = module[0](x)
    torch.testing.assert_close(norm.running_mean, hidden.mean(0))
    torch.testing.assert_close(norm.running_var, hidden.var(0, unbiased=False))
    assert not module.training and norm.momentum == 0.1


def _normalised_stack(width: int = 3, depth: int = 6) -> torch.nn.Sequential:
    layers = []
    for _ in range(depth):
        layers += [torch.nn.Linear(width, width), torch.nn.BatchNorm1d(width), torch.nn.ReLU()]
    return torch.nn.Sequential(*layers)


def test_recalibration_uses_population_statistics_over_uneven_batches():
    torch.manual_seed(0)
    module = _normalised_stack(depth=1)
    x = torch.randn(30, 3) * 5 + 2
    recalibrate_batch_norm(module, [(x[:25],), (x[25:],)])
    with torch.no_grad():
        hidden = module[0](x).double()
    norm = module[1]  # every row weighs the same, whichever batch it came in
    torch.testing.assert_close(norm.running_mean, hidden.mean(0).float())
    torch.testing.assert_close(norm.running_var, hidden.var(0, unbiased=False).float())
    assert not module.training and int(norm.num_batches_tracked) == 0


def test_recalibrated_evaluation_reproduces_training_on_one_batch():
    # near-constant inputs through a stack of batch norms: torch's own update_bn (unbiased
    # variance) ends 0.5 away from what training computed; the population statistics agree
    # up to training's own float32 rounding
    torch.manual_seed(0)
    module = _normalised_stack()
    x = 1 + 1e-2 * torch.randn(40, 3)
    with torch.no_grad():
        trained = module.train()(x)
    recalibrate_batch_norm(module, [(x,)])
    with torch.no_grad():
        torch.testing.assert_close(module(x), trained, atol=1e-3, rtol=1e-3)


def test_recalibration_keeps_constant_channels_at_their_shift():
    torch.manual_seed(0)
    module = _normalised_stack(depth=2)
    x = torch.ones(4, 3)  # every row the same: each normalisation gives its shift alone
    with torch.no_grad():
        trained = module.train()(x)
    recalibrate_batch_norm(module, [(x[:2],), (x[2:],)])
    with torch.no_grad():
        torch.testing.assert_close(module(x + 1e-6), trained)  # rounding is not magnified
    assert torch.isinf(module[1].running_var).all()


def test_validation_log_loss_is_scikit_learns_log_loss_negated():
    import math

    from sklearn.metrics import log_loss

    from skgraph._training import validation_log_loss

    torch.manual_seed(0)
    logits, y = torch.randn(3, 20, 4) * 3, torch.randint(0, 4, (20,))
    assert validation_log_loss(logits[0], y) == pytest.approx(
        -log_loss(y.numpy(), torch.softmax(logits[0], 1).numpy(), labels=range(4)), abs=1e-6)
    # an ensemble's log of mean probabilities (the graph classifier's combination)
    combined = torch.logsumexp(torch.log_softmax(logits, dim=-1), dim=0) - math.log(3)
    assert validation_log_loss(combined, y) == pytest.approx(
        -log_loss(y.numpy(), torch.softmax(logits, -1).mean(0).numpy(), labels=range(4)),
        abs=1e-6)


def test_sparse_gradients_train_with_sparse_adam_and_refuse_weight_decay():
    table = torch.nn.Embedding(100, 4, sparse=True)
    before = table.weight.detach().clone()
    rows = torch.tensor([3, 7])

    def run_epoch(optimizer):
        optimizer.zero_grad()
        loss = (table(rows) - 1.0).pow(2).sum()
        loss.backward()
        assert table.weight.grad.is_sparse
        optimizer.step()
        return float(loss.detach())

    history = train_module(table, run_epoch, validation_score=None, max_epochs=50,
                           learning_rate=0.1, n_iter_no_change=None, sparse_gradients=True)
    assert history.loss_curve[-1] < 0.1 * history.loss_curve[0]
    changed = (table.weight.detach() != before).any(dim=1)
    assert changed.nonzero().ravel().tolist() == [3, 7]  # only the rows of the steps
    with pytest.raises(ValueError, match="sparse gradients trains without weight decay"):
        train_module(table, run_epoch, validation_score=None, max_epochs=1, learning_rate=0.1,
                     weight_decay=0.01, sparse_gradients=True)
