"""The per-class node split of Shchur et al. (2018) for node classification."""

from __future__ import annotations

import numbers
from typing import Any

import numpy as np
from sklearn.utils import check_random_state
from sklearn.utils._param_validation import validate_params

from .._graph import object_array
from .._parameters import IntInterval

__all__ = ["train_test_split_nodes"]


def _unlabelled(y: np.ndarray) -> np.ndarray:
    """Where ``y`` is the number -1 (never the string ``"-1"``)."""
    if y.dtype.kind in "biuf":
        return y == -1
    if y.dtype == object:
        return np.array([isinstance(v, numbers.Real) and not isinstance(v, (bool, np.bool_))
                         and v == -1 for v in y], dtype=bool)
    return np.zeros(len(y), dtype=bool)  # strings: no value is special


@validate_params(
    {
        "y": ["array-like"],
        "train_per_class": [IntInterval(1, None, closed="left")],
        "val_per_class": [IntInterval(0, None, closed="left")],
        "random_state": ["random_state"],
    },
    prefer_skip_nested_validation=True,
)
def train_test_split_nodes(y: Any, *, train_per_class: int = 20, val_per_class: int = 30,
                           random_state: Any = None) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Split the labelled nodes per class: a few for training and validation, the rest test.

    The protocol of Shchur et al. (2018), "Pitfalls of Graph Neural Network Evaluation":
    for each class, ``train_per_class`` of its nodes are drawn at random for training and
    ``val_per_class`` for validation; all its other nodes are test nodes. Every class is
    thus equally represented in the small training set (20 per class by default, as in
    the Planetoid split), whatever its size. Repeat with several ``random_state`` values to
    average over splits, as that paper does.

    Nodes labelled -1 are unlabelled (scikit-learn's semi-supervised convention, as in
    :class:`~sklearn.semi_supervised.LabelSpreading`) and are in none of the three sets.
    For string labels -1 is not special: only an actual number -1 (in an object array)
    marks an unlabelled node, never the string ``"-1"``.

    Parameters
    ----------
    y : array-like of shape (n_nodes,)
        The class of each node (integers, strings or other hashable values), -1 where
        unlabelled, e.g. the ``target`` of :func:`skgraph.datasets.load_npz`.
    train_per_class : int, default=20
        Training nodes drawn from each class.
    val_per_class : int, default=30
        Validation nodes drawn from each class; 0 gives an empty validation set.
    random_state : int, RandomState instance or None, default=None
        Controls the draw; pass an int for the same split on every call.

    Returns
    -------
    train_idx, val_idx, test_idx : ndarray of int64
        Sorted node indices (positions in ``y``) of the three sets; disjoint, and together
        all labelled nodes.

    Raises
    ------
    ValueError
        If ``y`` is not 1-D, holds NaN, has no labelled node, or a class has fewer than
        ``train_per_class + val_per_class`` labelled nodes (the message names the class).

    Examples
    --------
    >>> import numpy as np
    >>> from skgraph.model_selection import train_test_split_nodes
    >>> y = np.array([0, 1, 2] * 40 + [-1] * 5)
    >>> train_idx, val_idx, test_idx = train_test_split_nodes(
    ...     y, train_per_class=5, val_per_class=10, random_state=0)
    >>> np.bincount(y[train_idx]).tolist(), np.bincount(y[val_idx]).tolist()
    ([5, 5, 5], [10, 10, 10])
    >>> len(test_idx)  # the other 3 * 25 labelled nodes; the 5 unlabelled are left out
    75
    """
    if isinstance(y, (list, tuple)) and any(isinstance(v, str) for v in y) \
            and not all(isinstance(v, str) for v in y):
        y = object_array(y)  # np.asarray would make the number -1 the class "-1"
    y = np.asarray(y)
    if y.ndim != 1:
        raise ValueError(f"y must be 1-D (one class per node), got shape {y.shape}.")
    if (y.dtype.kind == "f" and np.isnan(y).any()) or (y.dtype == object and any(
            v is None or (isinstance(v, numbers.Real) and v != v) for v in y)):
        raise ValueError("y contains missing values (NaN or None); mark unlabelled nodes "
                         "with -1.")
    labelled = ~_unlabelled(y)
    if not labelled.any():
        raise ValueError("y has no labelled node (every entry is -1).")
    rng = check_random_state(random_state)
    needed = train_per_class + val_per_class
    try:
        classes, codes = np.unique(y[labelled], return_inverse=True)
    except TypeError:  # labels that do not sort together
        kinds = sorted({type(v).__name__ for v in y[labelled]})
        raise ValueError(f"y mixes labels of the types {kinds}, which do not sort together; "
                         "give labels of one type (and -1 for unlabelled nodes).") from None
    nodes = np.flatnonzero(labelled)
    train, val, test = [], [], []
    for code, label in enumerate(classes):
        members = nodes[codes.ravel() == code]
        if len(members) < needed:
            label = label.item() if isinstance(label, np.generic) else label
            raise ValueError(f"class {label!r} has {len(members)} labelled nodes; "
                             f"train_per_class + val_per_class = {needed} are needed.")
        drawn = rng.permutation(members)
        train.append(drawn[:train_per_class])
        val.append(drawn[train_per_class:needed])
        test.append(drawn[needed:])
    return tuple(np.sort(np.concatenate(part)).astype(np.int64) for part in (train, val, test))
