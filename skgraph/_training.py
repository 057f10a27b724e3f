"""The one training loop every skgraph estimator uses.

An estimator supplies a callable for one epoch of optimisation and optionally one for a
validation score; :func:`train_module` owns everything else: the optimiser (Adam), its
step-size schedule, stopping rules and best-weights tracking, weight averaging and the
batch-norm statistics of the final weights, the progress bar, epoch callbacks and
interrupts. Stopping mirrors scikit-learn's MLP: with a validation score it must improve by
``tol`` within ``n_iter_no_change`` epochs and the best weights are restored; without it,
the training loss must.
"""

from __future__ import annotations

import copy
import math
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager, nullcontext
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import torch
from sklearn.exceptions import ConvergenceWarning
from torch.optim.lr_scheduler import LambdaLR
from torch.optim.swa_utils import AveragedModel
from tqdm.auto import tqdm

from ._distributed import DistributedContext
from ._warnings import warn_caller

__all__ = ["EpochInfo", "History", "averaging_start", "cosine_schedule", "train_module"]


@dataclass
class History:
    """What one call of :func:`train_module` did."""

    loss_curve: list[float] = field(default_factory=list)
    validation_scores: list[float] = field(default_factory=list)
    best_validation_score: float | None = None
    best_loss: float = float("inf")
    n_iter: int = 0
    stopped_early: bool = False
    interrupted: bool = False


@dataclass(frozen=True)
class EpochInfo:
    """What an epoch callback receives after each epoch (see the estimators' ``callbacks``).

    Attributes
    ----------
    epoch : int
        The epoch just finished, from 1.
    loss : float
        Its mean training loss.
    validation_score : float or None
        Its validation score, when the fit validates (``early_stopping``).
    learning_rate : float
        The step size it trained with.
    seconds : float
        Wall time of its optimisation steps (validation excluded).
    module : torch.nn.Module
        The module being trained (read it, do not modify it).

    Examples
    --------
    A callback that records each epoch's loss and stops once it falls below 0.5:

    >>> from skgraph import VGAEEmbedder
    >>> from skgraph.datasets import make_community_graph
    >>> G, _ = make_community_graph(n_nodes=60, random_state=0)
    >>> losses = []
    >>> def watch(info):
    ...     losses.append(info.loss)
    ...     return info.loss < 0.5
    >>> est = VGAEEmbedder(max_epochs=20, callbacks=[watch], random_state=0).fit(G)
    >>> len(losses) == est.n_iter_
    True
    """

    epoch: int
    loss: float
    validation_score: float | None
    learning_rate: float
    seconds: float
    module: torch.nn.Module


def _dense_strides(parameter: torch.Tensor) -> tuple[int, ...]:
    """A dense layout for ``parameter``: its own when it is dense (a transposed weight laid
    out input-major, for one), else the contiguous one."""
    return torch.empty_like(parameter, device="meta").stride()


@contextmanager
def _flat_parameters(module: torch.nn.Module) -> Iterator[list[torch.Tensor]]:
    """Make the trainable parameters views into one buffer per device, dtype and decay.

    Yields one leaf tensor per buffer, whose ``grad`` is a buffer of which every
    parameter's ``grad`` is a view: autograd accumulates into those views in place, so an
    optimizer stepping the buffers updates every parameter in a few kernels instead of
    one (plus Python bookkeeping) per tensor. Estimators here train small modules for
    thousands of steps, where that per-tensor cost is a sizeable share of a step.
    Gradients must be zeroed in place (``zero_grad(set_to_none=False)``). Parameters
    marked ``no_weight_decay = True`` get buffers of their own (marked the same), which the
    optimizer steps without weight decay. On exit every parameter gets its own storage back
    (values kept) and no gradient.
    """
    groups: dict[tuple, list[torch.nn.Parameter]] = {}
    for p in module.parameters():
        if p.requires_grad:
            no_decay = bool(getattr(p, "no_weight_decay", False))
            groups.setdefault((p.device, p.dtype, no_decay), []).append(p)
    buffers = []
    try:
        for parameters in groups.values():
            values = torch.empty(sum(p.numel() for p in parameters), dtype=parameters[0].dtype,
                                 device=parameters[0].device)
            gradients = torch.zeros_like(values)
            offset = 0
            for p in parameters:
                strides = _dense_strides(p)
                with torch.no_grad():
                    values.as_strided(p.shape, strides, offset).copy_(p)
                p.data = values.as_strided(p.shape, strides, offset)
                p.grad = gradients.as_strided(p.shape, strides, offset)
                offset += p.numel()
            buffer = values.detach().requires_grad_(True)
            buffer.grad = gradients
            buffer.no_weight_decay = getattr(parameters[0], "no_weight_decay", False)
            buffers.append(buffer)
        yield buffers
    finally:
        for parameters in groups.values():
            for p in parameters:
                p.data = p.data.clone()
                p.grad = None


class _Adam(torch.optim.Adam):
    """Adam whose ``zero_grad`` always zeroes in place (gradients are views of a buffer), and
    whose ``step`` first averages the gradients over the ranks of a data-parallel fit."""

    distributed: DistributedContext | None = None

    def zero_grad(self, set_to_none: bool = True) -> None:
        super().zero_grad(set_to_none=False)

    def step(self, closure=None):
        if self.distributed is not None:  # one all-reduce per flat gradient buffer
            for group in self.param_groups:
                for buffer in group["params"]:
                    self.distributed.all_reduce(buffer.grad)
        return super().step(closure)


def _adam(parameters: list[torch.Tensor], learning_rate: float, weight_decay: float,
          distributed: DistributedContext | None = None) -> torch.optim.Adam:
    """Adam, fused into one kernel per step where the device supports it.

    Estimators here train small modules for many steps: the per-tensor loop of the
    default implementation costs about ten times the fused kernel on CPU (1.6 vs 0.15 ms
    per step for the graph classifier), a sizeable share of an epoch. The update is the
    same; devices or dtypes without a fused kernel get the default one.
    """
    decayed = [p for p in parameters if not getattr(p, "no_weight_decay", False)]
    exempt = [p for p in parameters if getattr(p, "no_weight_decay", False)]
    groups = [{"params": decayed}] + ([{"params": exempt, "weight_decay": 0.0}] if exempt
                                      else [])
    try:
        optimizer = _Adam(groups, lr=learning_rate, weight_decay=weight_decay, fused=True)
    except (RuntimeError, TypeError, ValueError):
        optimizer = _Adam(groups, lr=learning_rate, weight_decay=weight_decay)
    optimizer.distributed = distributed
    return optimizer


def validation_log_loss(outputs: torch.Tensor, targets: torch.Tensor) -> float:
    """The classifiers' validation score: the negated mean log-loss of class ``outputs``
    (logits, or log-probabilities) against integer ``targets`` (higher is better).

    Examples
    --------
    >>> import torch
    >>> round(validation_log_loss(torch.tensor([[0.0, 0.0]]), torch.tensor([1])), 4)
    -0.6931
    """
    return -float(torch.nn.functional.cross_entropy(outputs.float(), targets.long()))


def cosine_schedule(max_epochs: int) -> Callable[[int], float]:
    """The step-size factor of epoch ``e``: a cosine from 1 down to 0 over ``max_epochs``."""
    return lambda epoch: 0.5 * (1 + math.cos(math.pi * epoch / max_epochs))


def averaging_start(max_epochs: int, fraction: float) -> int:
    """The epochs after which weights are averaged, to average the last ``fraction``."""
    return int(math.floor(max_epochs * (1 - fraction)))


class _Sum:
    """``avg_fn`` for :class:`~torch.optim.swa_utils.AveragedModel` that keeps the sum.

    The average is taken once, at the end (:func:`_load_average`): the same weights as
    swa_utils' running average up to float rounding, computed exactly as earlier releases
    did, so fitted models stay bit-identical.
    """

    def __call__(self, total: torch.Tensor, parameter: torch.Tensor, _n) -> torch.Tensor:
        return total + parameter


def _load_average(module: torch.nn.Module, averaged: AveragedModel) -> None:
    n = int(averaged.n_averaged)
    if not n:
        return
    with torch.no_grad():
        for p, total in zip(module.parameters(), averaged.module.parameters()):
            p.copy_(total / n)


def _asks_to_stop(answer: Any) -> bool:
    """Whether a callback's return value is True: Python's, NumPy's or a one-element bool
    tensor (``np.float64(loss) < x`` is NumPy's); anything else, None included, is not."""
    if isinstance(answer, (bool, np.bool_)):
        return bool(answer)
    if isinstance(answer, torch.Tensor) and answer.dtype == torch.bool and answer.numel() == 1:
        return bool(answer.item())
    return False


class _PopulationStatistics:
    """Per-channel count, mean and sum of squared deviations of a batch-norm layer's inputs,
    merged batch by batch in float64 (Chan et al.'s pairwise update, exact for
    near-constant channels, where a sum of squares would cancel)."""

    def __init__(self) -> None:
        self.count, self.mean, self.squares = 0, None, None

    def __call__(self, _layer: torch.nn.Module, inputs: tuple) -> None:
        x = inputs[0].detach()
        # float64 (MPS has none: merged on the CPU there)
        x = (x.cpu() if x.device.type == "mps" else x).to(torch.float64)
        x = x.transpose(0, 1).reshape(x.shape[1], -1)  # channels first, rows after
        n = x.shape[1]
        if n == 0:
            return
        mean = x.mean(dim=1)
        squares = (x - mean.unsqueeze(1)).square().sum(dim=1)
        if self.mean is None:
            self.count, self.mean, self.squares = n, mean, squares
            return
        total = self.count + n
        delta = mean - self.mean
        self.mean = self.mean + delta * (n / total)
        self.squares = self.squares + squares + delta.square() * (self.count * n / total)
        self.count = total


def recalibrate_batch_norm(module: torch.nn.Module, batches: Iterable[tuple],
                           forward: Callable[..., Any] | None = None) -> None:
    """Set every batch-norm layer's running statistics to its final weights' population ones.

    During training the running averages lag behind the weights (more so after weight
    averaging); one pass over the training mini-batches makes the evaluation statistics
    those of the final model ("precise BN", Wu & Johnson 2021). Each layer gets the mean
    and the biased variance of its inputs over every row of every batch (the variance
    training normalised with; :func:`torch.optim.swa_utils.update_bn` stores the unbiased
    one and weighs batches equally, which a stack of normalised near-constant channels
    amplifies into predictions far from what training saw); a channel constant over all
    rows gets an infinite variance, so that it stays at its shift. The pass runs in
    training mode without gradients, each layer normalising with its batch's statistics as
    in training; ``batches`` yields the positional arguments of ``forward`` (default: the
    module itself). The module is left in evaluation mode.
    """
    forward = module if forward is None else forward
    layers = [m for m in module.modules()
              if isinstance(m, torch.nn.modules.batchnorm._BatchNorm) and m.track_running_stats]
    statistics = {layer: _PopulationStatistics() for layer in layers}
    handles = [layer.register_forward_pre_hook(statistics[layer]) for layer in layers]
    tracked = [layer.num_batches_tracked.clone() for layer in layers]  # the pass counts on
    module.train()
    try:
        with torch.no_grad():
            for args in batches:
                forward(*args)
    finally:
        for handle in handles:
            handle.remove()
    with torch.no_grad():
        for layer, count in zip(layers, tracked):
            layer.num_batches_tracked.copy_(count)
            seen = statistics[layer]
            if seen.mean is None:  # no batch reached it: what training left stands
                continue
            variance = seen.squares / seen.count
            # a channel constant over every training row (within float32's resolution of
            # its mean) left training as exactly its shift; an infinite variance keeps it
            # so, where a zero one would magnify any rounding by 1/sqrt(eps)
            resolution = torch.finfo(layer.running_var.dtype).eps * seen.mean.abs()
            constant = variance <= resolution.square()
            layer.running_mean.copy_(seen.mean)
            layer.running_var.copy_(variance.masked_fill(constant, math.inf))
    module.eval()


def _warn_if_diverged(loss_curve: list[float]) -> None:
    """Warn when the training loss ends far above where it started (a step size too
    large: the weights grew without bound and the model predicts nonsense, while the loss
    stays finite and nothing downstream looks wrong). The median of the last three epochs
    against the first, from five epochs on: early steps may overshoot and recover (a
    default graph regressor's second epoch can be ten times its first)."""
    if len(loss_curve) < 5:
        return
    last = sorted(loss_curve[-3:])[1]
    if last > 10 * max(loss_curve[0], 0.1):
        warn_caller(f"training diverged: the loss rose from {loss_curve[0]:.4g} in the first "
                    f"epoch to {last:.4g} over the last three (of {len(loss_curve)}), and the "
                    "model is unreliable. Lower learning_rate (or rescale the features).",
                    ConvergenceWarning)


def train_module(
    module: torch.nn.Module,
    run_epoch: Callable[[torch.optim.Optimizer], float],
    *,
    validation_score: Callable[[], float] | None,
    max_epochs: int,
    learning_rate: float,
    weight_decay: float = 0.0,
    n_iter_no_change: int | None = 10,
    tol: float = 1e-4,
    verbose: int = 0,
    description: str = "fit",
    lr_schedule: Callable[[int], float] | None = None,
    average_from: int | None = None,
    recalibration_batches: Iterable[tuple] | None = None,
    recalibration_forward: Callable[..., Any] | None = None,
    callbacks: Sequence[Callable[[EpochInfo], Any]] = (),
    distributed: DistributedContext | None = None,
    sparse_gradients: bool = False,
) -> History:
    """Train ``module`` with Adam until ``max_epochs`` or a stopping rule fires.

    Parameters
    ----------
    module : torch.nn.Module
        Trained in place; in evaluation mode when this returns.
    run_epoch : callable
        ``run_epoch(optimizer) -> mean training loss`` runs one epoch (one or many steps).
    validation_score : callable or None
        ``validation_score() -> float``, higher is better, evaluated after each epoch.
        When given, stopping watches it and the best weights are restored at the end.
    max_epochs, learning_rate, weight_decay, n_iter_no_change, tol, verbose
        As the estimators document them; ``n_iter_no_change=None`` never stops before
        ``max_epochs`` (the best weights are still restored when validating).
    description : str
        Label of the progress bar.
    lr_schedule : callable, default=None
        ``lr_schedule(epoch) -> factor``: epoch ``e`` (from 0) steps with
        ``learning_rate * factor`` (:class:`torch.optim.lr_scheduler.LambdaLR`). None keeps
        the step size constant.
    average_from : int, default=None
        Average the weights of every epoch after the first ``average_from`` ones and return
        the average (stochastic weight averaging, with
        :class:`torch.optim.swa_utils.AveragedModel`). None returns the last (or, when
        validating, the best) weights.
    recalibration_batches : iterable of tuples, default=None
        After training, the batch-norm statistics are recomputed for the final weights over
        these batches of arguments (:func:`recalibrate_batch_norm`; consumed only then, so
        a generator sees the final module), each called as
        ``recalibration_forward(*args)`` (default: the module).
    callbacks : sequence of callable, default=()
        Each is called as ``callback(EpochInfo)`` after every epoch; a callback returning
        True stops training after that epoch (``History.stopped_early``).
    distributed : DistributedContext, default=None
        In a data-parallel fit: the parameters start as rank 0's, every step averages the
        gradients over the ranks, and the epoch's loss, validation score and stopping
        decision are the ranks' average (so every rank takes the same decisions);
        ``run_epoch`` runs this rank's share of the batches.
    sparse_gradients : bool, default=False
        The module's parameters get sparse gradients (embedding tables with
        ``sparse=True``, of which a step touches a few rows): they are stepped by
        :class:`torch.optim.SparseAdam`, whose cost grows with the rows a step touches, not
        with the table; no weight decay, no data-parallel training.

    Returns
    -------
    History
    """
    history = History()
    best_state = None
    averaged = None
    no_improvement = 0
    if sparse_gradients and (weight_decay or distributed is not None):
        raise ValueError("a module with sparse gradients trains without weight decay, in one "
                         "process.")
    parameters = (nullcontext([p for p in module.parameters() if p.requires_grad])
                  if sparse_gradients else _flat_parameters(module))
    with parameters as buffers, tqdm(
            range(max_epochs), desc=description, disable=not verbose, leave=verbose > 1,
            dynamic_ncols=True) as bar:
        if distributed is not None:
            distributed.broadcast_parameters(module)
        optimizer = (torch.optim.SparseAdam(buffers, lr=learning_rate) if sparse_gradients
                     else _adam(buffers, learning_rate, weight_decay, distributed))
        scheduler = None if lr_schedule is None else LambdaLR(optimizer, lr_schedule)
        try:
            for epoch in bar:
                module.train()
                rate = optimizer.param_groups[0]["lr"]
                start = time.perf_counter()
                loss = float(run_epoch(optimizer))
                seconds = time.perf_counter() - start
                if distributed is not None:
                    loss = float(distributed.all_reduce(torch.tensor([loss], dtype=torch.float64)))
                if not torch.isfinite(torch.tensor(loss)):
                    raise FloatingPointError(
                        f"the training loss became {loss} at epoch {history.n_iter + 1}; "
                        "lower learning_rate or rescale the features.")
                if scheduler is not None:
                    scheduler.step()
                if average_from is not None and epoch + 1 > average_from:
                    if averaged is None:
                        averaged = AveragedModel(module, avg_fn=_Sum())
                    averaged.update_parameters(module)
                history.loss_curve.append(loss)
                history.n_iter += 1
                score = None
                if validation_score is None:
                    improved = loss < history.best_loss - tol
                    history.best_loss = min(history.best_loss, loss)
                    postfix = {"loss": f"{loss:.4f}"}
                else:
                    module.eval()
                    with torch.no_grad():
                        score = float(validation_score())
                    if distributed is not None:
                        score = float(distributed.all_reduce(
                            torch.tensor([score], dtype=torch.float64)))
                    history.validation_scores.append(score)
                    best = history.best_validation_score
                    improved = best is None or score > best + tol
                    if best is None or score > best:
                        history.best_validation_score = score
                        best_state = copy.deepcopy(module.state_dict())
                    postfix = {"loss": f"{loss:.4f}", "val": f"{score:.4f}"}
                bar.set_postfix(postfix, refresh=False)
                no_improvement = 0 if improved else no_improvement + 1
                info = EpochInfo(history.n_iter, loss, score, rate, seconds, module)
                stop = any([_asks_to_stop(callback(info)) for callback in callbacks])
                if distributed is not None:  # any rank's callback stops every rank
                    stop = bool(distributed.all_reduce(torch.tensor([float(stop)]),
                                                       average=False) > 0)
                if stop or (n_iter_no_change is not None and no_improvement > n_iter_no_change):
                    history.stopped_early = True
                    break
        except KeyboardInterrupt:
            history.interrupted = True
            warn_caller(f"training interrupted after {history.n_iter} epoch(s); the estimator "
                        "keeps the best model so far and stays usable.")
    if best_state is not None:
        module.load_state_dict(best_state)
    else:  # the last (or averaged) weights are kept, whatever the loss did
        _warn_if_diverged(history.loss_curve)
    if averaged is not None:
        _load_average(module, averaged)
    if recalibration_batches is not None:
        recalibrate_batch_norm(module, recalibration_batches, recalibration_forward)
    module.eval()
    return history
