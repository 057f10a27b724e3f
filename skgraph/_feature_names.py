"""Feature names in and out: ``feature_names_in_`` recorded at fit from the graphs' feature
names (a DataFrame's string column names, :attr:`skgraph.Graph.feature_names`) and checked
when predicting, as scikit-learn checks a DataFrame's columns."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from ._warnings import warn_caller

__all__ = ["check_feature_names", "record_feature_names", "shared_feature_names"]


def shared_feature_names(per_graph: Sequence[np.ndarray | None]) -> np.ndarray | None:
    """The feature names graphs share (``per_graph``: each one's, or None), or None when
    none has names; a ``ValueError`` when two of them name their columns differently."""
    names = None
    for i, given in enumerate(per_graph):
        if given is None:
            continue
        if names is None:
            names, first = given, i
        elif not np.array_equal(given, names):
            raise ValueError(f"X[{i}] names its feature columns {_listed(given)}, but X[{first}] "
                             f"{_listed(names)}; every graph needs the same columns in the "
                             "same order.")
    return names


def record_feature_names(estimator: Any, names: np.ndarray | None) -> None:
    """Set ``feature_names_in_`` (or remove a previous fit's) as scikit-learn does.

    A warm start that would continue the fitted network (as many columns as before) must
    see the fitted names: other ones, or the same in another order, are refused.
    """
    previous = getattr(estimator, "feature_names_in_", None)
    if (getattr(estimator, "warm_start", False) and hasattr(estimator, "module_")
            and previous is not None and names is not None and len(previous) == len(names)):
        check_feature_names(estimator, names)
    if names is None:
        if "feature_names_in_" in vars(estimator):
            del estimator.feature_names_in_
    else:
        estimator.feature_names_in_ = np.array(names, dtype=object)


def check_feature_names(estimator: Any, names: np.ndarray | None, where: str = "X") -> None:
    """Refuse features whose column names differ from those seen in fit (both named): in
    another order, or other columns, they would be read as the fitted ones. Warn, as
    scikit-learn does, when only one side has names (nothing to check the columns by)."""
    fitted = getattr(estimator, "feature_names_in_", None)
    if (fitted is None) != (names is None):
        name = type(estimator).__name__
        warn_caller(f"{where} has feature names, but {name} was fitted without feature names"
                    if fitted is None else
                    f"{where} does not have valid feature names, but {name} was fitted with "
                    "feature names (its columns are read by position, unchecked)")
        return
    if fitted is None or np.array_equal(fitted, names):
        return
    unseen = [name for name in names if name not in set(fitted)]
    missing = [name for name in fitted if name not in set(names)]
    detail = (f"unseen at fit: {unseen[:5]}; seen at fit, missing now: {missing[:5]}"
              if unseen or missing else "the same columns in another order")
    raise ValueError(f"The feature names of {where} should match those that were passed "
                     f"during fit ({detail}): {type(estimator).__name__} reads columns by "
                     "position. Select them in the fitted order: "
                     "features[estimator.feature_names_in_].")


def _listed(names: np.ndarray) -> str:
    shown = ", ".join(repr(name) for name in names[:5])
    return f"[{shown}{', ...' if len(names) > 5 else ''}]"
