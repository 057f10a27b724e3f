"""Bookkeeping for the property suite: every outcome is a result or a clear error."""

import re

import numpy as np

CASES = {"count": 0}
MESSAGES: set[str] = set()


def expect_result_or_clear_error(call, *args, **kwargs):
    """Run ``call``; return its result, or ``None`` after checking the error is clear.

    A clear error is a ``ValueError`` or ``TypeError`` with a message of some length
    (numbers are folded so that messages differing only in values count once).
    """
    CASES["count"] += 1
    try:
        return call(*args, **kwargs)
    except (ValueError, TypeError) as exc:
        message = str(exc)
        assert len(message) > 15, f"unhelpful error message: {message!r}"
        MESSAGES.add(re.sub(r"-?\d+(\.\d+)?(e[-+]?\d+)?", "N", message.splitlines()[0])[:120])
        return None


def snapshot(obj):
    """A deep copy of array-like inputs, to check they are not modified."""
    if hasattr(obj, "copy"):
        return obj.copy()
    if isinstance(obj, tuple):
        return tuple(snapshot(o) for o in obj)
    if isinstance(obj, list):
        return [snapshot(o) for o in obj]
    return obj


def same(a, b) -> bool:
    import scipy.sparse as sp

    if sp.issparse(a) or sp.issparse(b):
        return (sp.issparse(a) and sp.issparse(b) and type(a) is type(b) and a.dtype == b.dtype
                and same(a.toarray(), b.toarray()))
    if isinstance(a, (tuple, list)):
        return len(a) == len(b) and all(same(x, y) for x, y in zip(a, b))
    if isinstance(a, np.ndarray):
        if a.dtype != b.dtype or a.shape != b.shape:
            return False
        if a.dtype == object:  # NaN-aware element comparison
            return all(x is y or x == y or (x != x and y != y) for x, y in zip(a.ravel(), b.ravel()))
        return np.array_equal(a, b, equal_nan=a.dtype.kind in "fc")
    return True
