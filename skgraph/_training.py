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
from collections.abc import Callable
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


def _adam(parameters: list[torch.nn.Parameter], learning_rate: float, weight_decay: float
          ) -> torch.optim.Adam:
    """Adam, fused into one kernel per step where the device supports it.

    Estimators here train small modules for many steps: the per-tensor loop of the
    default implementation costs about ten times the fused kernel on CPU (1.6 vs 0.15 ms
    per step for the graph classifier), a sizeable share of an epoch. The update is the
    same; devices or dtypes without a fused kernel get the default one.
    """
    try:
        return torch.optim.Adam(parameters, lr=learning_rate, weight_decay=weight_decay,
                                fused=True)
    except (RuntimeError, TypeError, ValueError):
        return torch.optim.Adam(parameters, lr=learning_rate, weight_decay=weight_decay)


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
    optimizer = _adam(list(module.parameters()), learning_rate, weight_decay)
    history = History()
    best_state = None
    no_improvement = 0
    bar = tqdm(range(max_epochs), desc=description, disable=not verbose, leave=verbose > 1,
               dynamic_ncols=True)
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
        warnings.warn(f"training interrupted after {history.n_iter} epoch(s); the estimator keeps "
                      "the best model so far and stays usable.", UserWarning, stacklevel=3)
    finally:
        bar.close()
    if best_state is not None:
        module.load_state_dict(best_state)
    module.eval()
    return history
