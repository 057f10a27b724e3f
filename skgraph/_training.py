"""The one training loop every skgraph estimator uses.

An estimator supplies two callables (one epoch of optimisation, and optionally a
validation score); this loop owns the optimiser, stopping rules, best-weights tracking,
the progress bar and interrupts. Stopping mirrors scikit-learn's MLP: with
``early_stopping`` the validation score must improve by ``tol`` within
``n_iter_no_change`` epochs and the best weights are restored; without it, the
training loss must.
"""

from __future__ import annotations

import copy
import warnings
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

import torch
from tqdm.auto import tqdm

__all__ = ["History", "train_module"]


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


@contextmanager
def _flat_parameters(module: torch.nn.Module) -> Iterator[list[torch.Tensor]]:
    """Make the trainable parameters views into one buffer per device and dtype.

    Yields one leaf tensor per buffer, whose ``grad`` is a buffer of which every
    parameter's ``grad`` is a view: autograd accumulates into those views in place, so an
    optimizer stepping the buffers updates every parameter in a few kernels instead of
    one (plus Python bookkeeping) per tensor. Estimators here train small modules for
    thousands of steps, where that per-tensor cost is a sizeable share of a step.
    Gradients must be zeroed in place (``zero_grad(set_to_none=False)``). On exit every
    parameter gets its own storage back (values kept) and no gradient.
    """
    groups: dict[tuple[torch.device, torch.dtype], list[torch.nn.Parameter]] = {}
    for p in module.parameters():
        if p.requires_grad:
            groups.setdefault((p.device, p.dtype), []).append(p)
    buffers = []
    try:
        for parameters in groups.values():
            with torch.no_grad():
                values = torch.cat([p.reshape(-1) for p in parameters])
            gradients = torch.zeros_like(values)
            offset = 0
            for p in parameters:
                size = p.numel()
                p.data = values[offset:offset + size].view_as(p)
                p.grad = gradients[offset:offset + size].view_as(p)
                offset += size
            buffer = values.detach().requires_grad_(True)
            buffer.grad = gradients
            buffers.append(buffer)
        yield buffers
    finally:
        for parameters in groups.values():
            for p in parameters:
                p.data = p.data.clone()
                p.grad = None


class _Adam(torch.optim.Adam):
    """Adam whose ``zero_grad`` always zeroes in place (gradients are views of a buffer)."""

    def zero_grad(self, set_to_none: bool = True) -> None:
        super().zero_grad(set_to_none=False)


def _adam(parameters: list[torch.Tensor], learning_rate: float, weight_decay: float
          ) -> torch.optim.Adam:
    """Adam, fused into one kernel per step where the device supports it.

    Estimators here train small modules for many steps: the per-tensor loop of the
    default implementation costs about ten times the fused kernel on CPU (1.6 vs 0.15 ms
    per step for the graph classifier), a sizeable share of an epoch. The update is the
    same; devices or dtypes without a fused kernel get the default one.
    """
    try:
        return _Adam(parameters, lr=learning_rate, weight_decay=weight_decay, fused=True)
    except (RuntimeError, TypeError, ValueError):
        return _Adam(parameters, lr=learning_rate, weight_decay=weight_decay)


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

    Returns
    -------
    History
    """
    history = History()
    best_state = None
    no_improvement = 0
    with _flat_parameters(module) as buffers, tqdm(
            range(max_epochs), desc=description, disable=not verbose, leave=verbose > 1,
            dynamic_ncols=True) as bar:
        optimizer = _adam(buffers, learning_rate, weight_decay)
        try:
            for _ in bar:
                module.train()
                loss = float(run_epoch(optimizer))
                if not torch.isfinite(torch.tensor(loss)):
                    raise FloatingPointError(
                        f"the training loss became {loss} at epoch {history.n_iter + 1}; "
                        "lower learning_rate or rescale the features.")
                history.loss_curve.append(loss)
                history.n_iter += 1
                if validation_score is None:
                    improved = loss < history.best_loss - tol
                    history.best_loss = min(history.best_loss, loss)
                    postfix = {"loss": f"{loss:.4f}"}
                else:
                    module.eval()
                    with torch.no_grad():
                        score = float(validation_score())
                    history.validation_scores.append(score)
                    best = history.best_validation_score
                    improved = best is None or score > best + tol
                    if best is None or score > best:
                        history.best_validation_score = score
                        best_state = copy.deepcopy(module.state_dict())
                    postfix = {"loss": f"{loss:.4f}", "val": f"{score:.4f}"}
                bar.set_postfix(postfix, refresh=False)
                no_improvement = 0 if improved else no_improvement + 1
                if n_iter_no_change is not None and no_improvement > n_iter_no_change:
                    history.stopped_early = True
                    break
        except KeyboardInterrupt:
            history.interrupted = True
            warnings.warn(f"training interrupted after {history.n_iter} epoch(s); the estimator "
                          "keeps the best model so far and stays usable.", UserWarning,
                          stacklevel=3)
    if best_state is not None:
        module.load_state_dict(best_state)
    module.eval()
    return history
