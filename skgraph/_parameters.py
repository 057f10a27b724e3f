"""Parameter constraints beyond scikit-learn's own (``_parameter_constraints``)."""

from __future__ import annotations

from numbers import Integral

from sklearn.utils._param_validation import Interval

__all__ = ["IntInterval"]


class IntInterval(Interval):
    """``Interval(Integral, left, right, closed=...)`` that refuses ``True`` and ``False``:
    Python counts them as ints, but ``n_layers=True`` is a mistake, not one layer."""

    def __init__(self, left, right, *, closed: str) -> None:
        super().__init__(Integral, left, right, closed=closed)

    def is_satisfied_by(self, val) -> bool:
        return not isinstance(val, bool) and super().is_satisfied_by(val)
