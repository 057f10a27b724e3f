"""What every skgraph estimator shares: parameters of training, seeding and fitting."""

from __future__ import annotations

import contextlib
import copy
import dataclasses
import functools
import inspect
import types
from collections.abc import Callable, Iterable, Iterator
from numbers import Real
from typing import Any

import numpy as np
import torch
from sklearn.base import BaseEstimator, _fit_context
from sklearn.utils import check_random_state
from sklearn.utils._param_validation import Interval, StrOptions
from sklearn.utils.class_weight import compute_class_weight
from sklearn.utils.validation import _check_sample_weight

from ._allocator import retain_freed_memory
from ._device import (
    check_device_name,
    resolve_device,
    seeded_generators,
    thread_limit,
    torch_defaults,
    torch_state,
)
from ._distributed import distributed_context
from ._parameters import IntInterval
from ._persistence import PersistenceMixin
from ._training import History, train_module
from ._warnings import warn_caller

__all__ = ["BaseGraphEstimator", "class_weight_factors", "fit_context", "kept_on_failure",
           "loss_weights", "require_targets"]


class _DeviceString(StrOptions):
    """``_parameter_constraints`` entry for ``device`` (auto, cpu, cuda, cuda:N, mps).

    A ``StrOptions`` because scikit-learn accepts only its own constraint types; it also
    accepts ``"cuda:N"`` for any N.
    """

    def __init__(self) -> None:
        super().__init__({"auto", "cpu", "cuda", "mps"})

    def is_satisfied_by(self, value: Any) -> bool:
        try:
            check_device_name(value)
        except ValueError:
            return False
        return True

    def __str__(self) -> str:
        return "a str among 'auto', 'cpu', 'cuda', 'cuda:N', 'mps'"


TRAINING_PARAMETER_CONSTRAINTS: dict = {
    "max_epochs": [IntInterval(1, None, closed="left")],
    "learning_rate": [Interval(Real, 0, None, closed="neither")],
    "weight_decay": [Interval(Real, 0, None, closed="left")],
    "early_stopping": ["boolean"],
    "validation_fraction": [Interval(Real, 0, 1, closed="neither")],
    "n_iter_no_change": [IntInterval(1, None, closed="left"), None],
    "tol": [Interval(Real, 0, None, closed="left")],
    "device": [_DeviceString()],
    "random_state": ["random_state"],
    "verbose": ["verbose"],
    "warm_start": ["boolean"],
    "callbacks": [list, tuple, None],
}

def _standardisation(targets: np.ndarray, weights: np.ndarray | None
                     ) -> tuple[np.ndarray, np.ndarray]:
    """Per-target weighted mean and standard deviation (1 where a target is constant).

    Targets whose squares overflow float64 (beyond about 1e154) are measured relative to
    their largest deviation instead, so that the scale stays finite.
    """
    offset = np.average(targets, axis=0, weights=weights)
    deviation = targets - offset
    with np.errstate(over="ignore"):
        scale = np.sqrt(np.average(deviation ** 2, axis=0, weights=weights))
    wide = ~np.isfinite(scale)
    if wide.any():
        peak = np.abs(deviation[:, wide]).max(axis=0)
        scale[wide] = peak * np.sqrt(np.average((deviation[:, wide] / peak) ** 2, axis=0,
                                                weights=weights))
    return offset, np.where(scale > 0, scale, 1.0)


class StandardisedTargetsMixin:
    """A regressor's networks train on standardised targets (``target_offset_``,
    ``target_scale_``); its predictions are mapped back."""

    # the R² of early stopping is undefined on one sample (it would score 0 at every epoch
    # and keep the first epoch's weights)
    _min_validation_samples = 2

    def _training_targets(self, targets: np.ndarray, weights: np.ndarray | None,
                          reuse: bool) -> torch.Tensor:
        """``targets`` standardised; the statistics are fitted unless a warm start
        (``reuse``) keeps those its weights were trained on, weighted so that samples of
        weight 0 play no part."""
        if not reuse:
            self.target_offset_, self.target_scale_ = _standardisation(targets, weights)
        scaled = (targets - self.target_offset_) / self.target_scale_
        return torch.from_numpy(scaled.astype(np.float32))

    def _original_scale(self, outputs: torch.Tensor) -> np.ndarray:
        """Network outputs (standardised) in the targets' units."""
        return outputs.numpy() * self.target_scale_ + self.target_offset_


def require_targets(estimator: Any, y: Any, X: Any = None) -> None:
    """scikit-learn's error for a supervised ``fit`` called without ``y``; for PyG data whose
    labels sit in ``Data.y`` (``X`` a list of graphs, or one graph), how to pass them."""
    if y is None:
        first = X[0] if isinstance(X, list) and X else X  # the graphs, or one graph
        hint = ""
        if getattr(first, "y", None) is not None and hasattr(first, "edge_index"):
            hint = (" skgraph reads labels from y, as scikit-learn does, not from Data.y: pass "
                    "y=torch.cat([data.y for data in dataset]).numpy() for graphs, or "
                    "data.y.numpy() for the nodes of one graph.")
        raise ValueError(f"{type(estimator).__name__} requires y to be passed, but the target y "
                         f"is None.{hint}")


def check_not_ragged(y: Any) -> None:
    """Refuse ``y`` given as arrays of different lengths (one per graph, as for a list of
    graphs) with the way to give one target per sample."""
    if isinstance(y, (list, tuple)) and len(y) > 1 and all(
            isinstance(item, (list, tuple)) or (hasattr(item, "__array__")
                                                and np.ndim(item) >= 1)
            for item in y):
        lengths = {len(item) for item in y}
        if len(lengths) > 1:
            raise ValueError(f"y holds {len(y)} arrays of different lengths "
                             f"({sorted(lengths)[:5]}): one per graph? Give one target per "
                             "node (or graph) in one array: np.concatenate(y) for the nodes of "
                             "graphs joined by Graph.disjoint_union.")


def check_single_label(estimator: Any, y: Any, sample: str) -> None:
    """Refuse a 2-D ``y`` of several columns (multi-label, multi-task) for a classifier that
    predicts one label per ``sample``, naming the route that works instead."""
    shape = getattr(y, "shape", None)
    if shape is None and isinstance(y, (list, tuple)) and len(y) \
            and isinstance(y[0], (list, tuple, np.ndarray)):
        shape = np.shape(np.asarray(y, dtype=object))
    if shape is not None and len(shape) == 2 and shape[1] > 1:
        name = type(estimator).__name__
        raise ValueError(
            f"{name} predicts one label per {sample}, but y has shape {tuple(shape)}: "
            f"{shape[1]} labels per {sample} (multi-label or multi-task). Wrap it in "
            f"sklearn.multioutput.MultiOutputClassifier({name}()), which fits one network per "
            "label and predicts the (n, k) indicator.")


# all-zero weights are refused below with this function's own message; scikit-learn 1.9
# refuses them first unless told (the keyword is new there)
_ALL_ZERO_WEIGHTS = (
    {"allow_all_zero_weights": True}
    if "allow_all_zero_weights" in inspect.signature(_check_sample_weight).parameters else {})


def loss_weights(sample_weight: Any, n_samples: int, factors: np.ndarray | None = None,
                 what: str = "sample_weight") -> np.ndarray | None:
    """Each sample's weight in the loss: ``sample_weight`` (validated by scikit-learn's
    ``_check_sample_weight``) times ``factors``, rescaled to mean 1 (only ratios matter);
    None when every sample weighs the same."""
    weights = _check_sample_weight(sample_weight, np.empty(n_samples), dtype=np.float64,
                                   ensure_non_negative=True, **_ALL_ZERO_WEIGHTS)
    if factors is not None:
        weights = weights * factors
    if not weights.sum() > 0:
        raise ValueError(f"{what} is zero for every sample; at least one sample needs a "
                         "positive weight.")
    weights = weights / weights.mean()
    return None if (weights == 1).all() else weights



def class_weight_factors(class_weight: dict | str | None, classes: np.ndarray, y: np.ndarray,
                         y_encoded: np.ndarray) -> np.ndarray | None:
    """Each sample's ``class_weight`` factor (scikit-learn's ``compute_class_weight``); None
    without ``class_weight``. As there, a dict's classes absent from ``y`` are ignored when
    every class of ``y`` has a weight (a cross-validation fold may lack a rare class), and
    refused when some class has none (keys that name no class, e.g. ``"1"`` for ``1``, are
    a mistake then); its weights must be finite and >= 0."""
    if class_weight is None:
        return None
    if isinstance(class_weight, dict):
        for label, weight in class_weight.items():
            if not isinstance(weight, Real) or isinstance(weight, bool) \
                    or not np.isfinite(weight) or weight < 0:
                raise ValueError(f"class_weight[{label!r}] is {weight!r}; class weights must "
                                 "be finite numbers >= 0.")
        known = set(classes.tolist())
        unknown = [c for c in class_weight if c not in known]
        unweighted = [c for c in classes.tolist() if c not in class_weight]
        if unknown and unweighted:
            raise ValueError(f"class_weight names {unknown!r}, which are not classes of y, "
                             f"while the classes {unweighted!r} have no weight; its keys are "
                             "the labels as they are in y.")
        class_weight = {c: w for c, w in class_weight.items() if c in known}
    return compute_class_weight(class_weight, classes=classes, y=y)[y_encoded]


def fit_context(fit: Callable) -> Callable:
    """Decorate an estimator's ``fit``: scikit-learn's parameter validation
    (``_fit_context``), training under :func:`~skgraph._device.torch_defaults`, and the
    estimator left as it was when ``fit`` raises (a failed refit must not leave new
    fitted attributes beside the old network, nor a warm start's half-trained weights)."""

    @functools.wraps(fit)
    def fit_or_keep(self, *args: Any, **kwargs: Any):
        for i, callback in enumerate(getattr(self, "callbacks", None) or ()):
            if not callable(callback):
                raise TypeError(f"callbacks[{i}] is a {type(callback).__name__}, not a callable: "
                                "each callback is called as callback(info) after every epoch.")
        with kept_on_failure(self) as state:
            if getattr(self, "warm_start", False) and "module_" in state:
                state["module_"] = copy.deepcopy(state["module_"])  # trained in place
            # the parameters this fit builds and reads its inputs with (see _fitted): what
            # predictions, pickling and load use, whatever set_params does later
            self._fit_params = {name: value
                                for name, value in self.get_params(deep=False).items()
                                if name not in ("callbacks", "random_state")}
            with torch_defaults(training=True):
                return fit(self, *args, **kwargs)

    return _fit_context(prefer_skip_nested_validation=True)(fit_or_keep)


@contextlib.contextmanager
def kept_on_failure(estimator: Any) -> Iterator[dict]:
    """Restore ``estimator``'s attributes as they were on entry when the block raises (a
    failed refit leaves the previous fit whole); yields that saved state, which the block
    may complete (e.g. with a copy of what it changes in place)."""
    state = dict(estimator.__dict__)
    try:
        yield state
    except BaseException:
        estimator.__dict__.clear()
        estimator.__dict__.update(state)
        raise


_DROPOUT = [Interval(Real, 0, 1, closed="left")]
_FEATURELESS = [StrOptions({"identity", "degree"})]


def _renamed_init(init: Callable, class_name: str) -> Callable:
    """A copy of an inherited ``__init__`` that calls itself ``class_name``'s, so that a
    misspelt parameter's ``TypeError`` names the class the user wrote, not its base."""
    qualname, code = f"{class_name}.__init__", init.__code__
    if hasattr(code, "co_qualname"):  # Python >= 3.11 names the function from its code
        code = code.replace(co_qualname=qualname)
    renamed = types.FunctionType(code, init.__globals__, "__init__", init.__defaults__,
                                 init.__closure__)
    renamed.__kwdefaults__ = init.__kwdefaults__
    renamed.__qualname__ = qualname
    renamed.__doc__, renamed.__module__ = init.__doc__, init.__module__
    renamed.__annotations__ = init.__annotations__
    return renamed


class BaseGraphEstimator(PersistenceMixin, BaseEstimator, persistent=False):
    """Base class: the shared fit procedure of skgraph's torch estimators.

    A subclass defines ``_build_module()`` (a fresh torch module from its parameters and
    fitted shape attributes), then calls :meth:`_fit_module` from ``fit`` with callables
    for one epoch and for the validation score. Fitted torch state lives only in
    ``module_``, so persistence can store it as a device-independent ``state_dict``.
    """

    _parameter_constraints: dict = dict(TRAINING_PARAMETER_CONSTRAINTS)
    _min_validation_samples = 1  # held out by early_stopping, whatever validation_fraction
    _mps_unsupported: str | None = None  # why MPS cannot train a subclass (None: it can)

    def __init_subclass__(cls, persistent: bool = True, **kwargs: Any) -> None:
        super().__init_subclass__(persistent=persistent, **kwargs)
        if persistent and "__init__" not in cls.__dict__:  # a public estimator
            cls.__init__ = _renamed_init(cls.__init__, cls.__name__)

    # -- fitting -------------------------------------------------------------
    def _build_module(self) -> torch.nn.Module:  # pragma: no cover - abstract
        raise NotImplementedError

    @classmethod
    def _upgrade_state(cls, state: dict) -> None:
        state.setdefault("callbacks", None)  # 0.1.0 had no epoch callbacks

    def _module_signature(self) -> tuple:
        """What must not change for ``warm_start`` to continue training the same module."""
        return ()

    def _reuses_module(self) -> bool:
        """Whether this fit continues the fitted module (``warm_start``, same signature)."""
        return (self.warm_start and hasattr(self, "module_")
                and getattr(self, "_fitted_signature", None) == self._module_signature())

    # where a classifier's ``_module_signature`` holds its classes (None: no classes)
    _classes_in_signature: int | None = None

    def _check_warm_start(self) -> None:
        """Say so when ``warm_start`` cannot continue the fitted module, which this fit then
        replaces; as ``MLPClassifier`` does, refuse a classifier's other classes."""
        if not (self.warm_start and hasattr(self, "module_")) or self._reuses_module():
            return
        fitted = getattr(self, "_fitted_signature", None)
        if self._classes_in_signature is not None and fitted is not None:
            previous = fitted[self._classes_in_signature]
            if previous != tuple(self.classes_.tolist()):
                raise ValueError(f"warm_start can only continue where y has the same classes "
                                 f"as in the previous fit: {list(previous)} then "
                                 f"{self.classes_.tolist()}. Set warm_start=False to start "
                                 "afresh.")
        warn_caller(f"warm_start=True, but the fitted network does not fit this fit (the "
                    f"input width, the number of outputs or a parameter that shapes the "
                    f"network changed): {type(self).__name__} trains a new one from scratch."
                    f"{self._warm_start_hint()}")

    def _warm_start_hint(self) -> str:
        """Why a warm start could not continue, where a subclass can say more."""
        return ""

    def _epochs(self) -> int:
        """The epochs this fit trains at most (``max_epochs``, unless a subclass derives it)."""
        return self.max_epochs

    def _fitted(self, name: str) -> Any:
        """Parameter ``name`` as the last fit used it (``set_params`` since reaches only the
        next fit); the current value for a model saved before fits kept theirs."""
        return getattr(self, "_fit_params", {}).get(name, getattr(self, name))

    def _validation_size(self, n_samples: int, what: str) -> int:
        """How many of the ``n_samples`` training samples (``what``: "graphs", "labelled
        nodes") ``early_stopping`` holds out; an error when none would be left to train."""
        least = self._min_validation_samples
        n_validation = max(least, int(round(self.validation_fraction * n_samples)))
        if n_validation >= n_samples:
            reason = f", and at least {least}: the validation R² needs them" if least > 1 else ""
            raise ValueError(
                f"early_stopping holds out {n_validation} of the {n_samples} {what} "
                f"(validation_fraction={self.validation_fraction}{reason}), which leaves none "
                "to train on; give more, or set early_stopping=False.")
        return n_validation

    def _continued_module(self) -> torch.nn.Module:
        """The fitted weights in a module built from today's parameters: a warm start
        trains with the dropout (teleport probability, ...) set since, as the module that
        pickling or ``load`` rebuild does. Built without drawing from the fit's seeded
        generator, so that training draws what it drew before."""
        with torch.random.fork_rng(devices=[]):
            module = self._build_module()
        module.load_state_dict(self.module_.state_dict())
        return module

    def _distributed_facts(self, data: Any, module: torch.nn.Module) -> dict[str, Any]:
        """What every rank of a data-parallel fit must share: the parameters of the fit
        (:meth:`_fitted`'s record, without the seed, which rank 0 gives, and the callbacks)
        but the per-process ones, the training data's sizes and the network's shapes."""
        facts = {f"parameter {name}": value for name, value in sorted(self._fit_params.items())
                 if name not in ("verbose", "device")}
        if dataclasses.is_dataclass(data):
            for field in dataclasses.fields(data):
                value = getattr(data, field.name)
                if isinstance(value, torch.Tensor):
                    facts[f"the training data's {field.name} (shape)"] = tuple(value.shape)
        facts["the network's parameter shapes"] = [tuple(p.shape) for p in module.parameters()]
        return facts

    def _fit_module(
        self,
        prepare: Callable[[torch.device, np.random.Generator], Any],
        run_epoch: Callable[[torch.nn.Module, torch.optim.Optimizer, Any], float],
        validation_score: Callable[[torch.nn.Module, Any], float] | None = None,
        *,
        work_size: int | None = None,
        lr_schedule: Callable[[int], float] | None = None,
        average_from: int | None = None,
        recalibration: Callable[[torch.nn.Module, Any], tuple[Iterable[tuple], Callable]]
        | None = None,
        sparse_gradients: bool = False,
    ) -> History:
        """Seed, build (or reuse with ``warm_start``) the module, and train it.

        ``prepare(device, rng)`` returns the training data (tensors on ``device``); it and
        training run inside a forked torch RNG seeded from ``random_state``, so two fits
        with the same ``random_state`` agree on CPU and the global torch RNG is untouched.
        ``work_size`` (about the non-zeros touched by one product) picks the thread count;
        ``None`` leaves torch's setting alone. ``lr_schedule`` and ``average_from`` are
        :func:`~skgraph._training.train_module`'s; ``recalibration(module, data)`` returns
        the batches (consumed after training, so a generator) and the forward call over
        which the batch-norm statistics are recomputed for the final weights;
        ``sparse_gradients`` is :func:`~skgraph._training.train_module`'s.
        """
        device = resolve_device(self.device, mps=self._mps_unsupported)
        seed = int(check_random_state(self.random_state).randint(np.iinfo(np.int32).max))
        distributed = distributed_context(device)
        if distributed is not None:  # every rank draws as rank 0 does
            seed = int(distributed.all_reduce(torch.tensor([seed if distributed.rank == 0
                                                            else 0]), average=False))
        self._check_warm_start()
        reuse = self._reuses_module()
        with torch_state(), seeded_generators(device, seed), \
                thread_limit(work_size), retain_freed_memory(device, work_size):
            data = prepare(device, np.random.default_rng(seed))
            if distributed is not None and hasattr(data, "distributed"):
                data.distributed = distributed
                data.order = torch.Generator().manual_seed(seed)  # the same order everywhere
            module = (self._continued_module() if reuse else self._build_module()).to(device)
            if distributed is not None:
                distributed.agree(self._distributed_facts(data, module))
            batches, forward = (None, None) if recalibration is None \
                else recalibration(module, data)
            history = train_module(
                module, lambda optimizer: run_epoch(module, optimizer, data),
                validation_score=(None if validation_score is None
                                  else lambda: validation_score(module, data)),
                max_epochs=self._epochs(), learning_rate=self.learning_rate,
                weight_decay=getattr(self, "weight_decay", 0.0),  # none: sparse embeddings
                n_iter_no_change=self.n_iter_no_change,
                tol=self.tol, verbose=self.verbose, description=type(self).__name__,
                lr_schedule=lr_schedule, average_from=average_from,
                recalibration_batches=batches, recalibration_forward=forward,
                callbacks=self.callbacks or (), distributed=distributed,
                sparse_gradients=sparse_gradients,
            )
        self.module_ = module
        self.device_ = str(device)
        self._fitted_signature = self._module_signature()
        previous = self.loss_curve_ if reuse else []
        self.loss_curve_ = list(previous) + history.loss_curve
        self.validation_scores_ = history.validation_scores if validation_score else None
        self.best_validation_score_ = history.best_validation_score
        self.best_loss_ = min(self.loss_curve_) if self.loss_curve_ else float("nan")
        # as MLPClassifier: a warm start's epochs add to those of the fits it continues
        self.n_iter_ = (getattr(self, "n_iter_", 0) if reuse else 0) + history.n_iter
        return history

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.two_d_array = False
        tags.input_tags.sparse = True
        tags.input_tags.pairwise = False
        return tags
