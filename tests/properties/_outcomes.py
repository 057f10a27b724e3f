"""Bookkeeping for the property suite: deep snapshots of the caller's input, a recursive
comparison that names what changed, and counts of the examples that succeeded."""

import copy
import math
from collections import Counter

import numpy as np
import scipy.sparse as sp

# examples that went through the success path and passed its checks, by property
SUCCEEDED: Counter = Counter()
# examples refused with the expected error type and message, by property
REFUSED: Counter = Counter()


def run_counted(prop, name: str, minimum: int) -> None:
    """Run the hypothesis property ``prop``; then require ``minimum`` examples of it to
    have reached the end of its success path (a property whose generated inputs mostly
    fail would otherwise pass without checking a single result)."""
    SUCCEEDED[name] = 0
    prop()
    assert SUCCEEDED[name] >= minimum, (
        f"only {SUCCEEDED[name]} examples of {name} succeeded, expected at least {minimum}")


def _sparse_parts(matrix) -> dict:
    """The arrays that hold a scipy sparse matrix's values and structure."""
    names = {"coo": ("data", "row", "col"), "csr": ("data", "indices", "indptr"),
             "csc": ("data", "indices", "indptr"), "bsr": ("data", "indices", "indptr")}
    return {name: getattr(matrix, name) for name in names.get(matrix.format, ())}


def _copy_flags(original, copied) -> None:
    """Give the arrays in ``copied`` (a deep copy of ``original``) their original
    ``writeable`` flags, which ``copy.deepcopy`` does not keep."""
    if isinstance(original, np.ndarray):
        if original.dtype == object:
            for a, b in zip(original.ravel().tolist(), copied.ravel().tolist()):
                _copy_flags(a, b)
        copied.flags.writeable = original.flags.writeable
    elif sp.issparse(original):
        for (_, a), (_, b) in zip(_sparse_parts(original).items(),
                                  _sparse_parts(copied).items()):
            _copy_flags(a, b)
    elif isinstance(original, (list, tuple)):
        for a, b in zip(original, copied):
            _copy_flags(a, b)
    elif isinstance(original, dict):
        for key in original:
            _copy_flags(original[key], copied[key])


def snapshot(obj):
    """A deep copy of ``obj`` (nested lists, tuples, dicts, arrays, sparse matrices,
    tensors) for :func:`assert_unchanged`, with the arrays' ``writeable`` flags kept."""
    copied = copy.deepcopy(obj)
    _copy_flags(obj, copied)
    return copied


def _same_scalar(a, b) -> bool:
    if isinstance(a, float) and isinstance(b, float) and math.isnan(a) and math.isnan(b):
        return True
    if isinstance(a, np.generic) and isinstance(b, np.generic) and a.dtype.kind in "fc" \
            and np.isnan(a) and np.isnan(b):
        return True
    return bool(a == b)


def assert_unchanged(before, after, where: str = "input") -> None:
    """Fail, naming the first difference, unless ``after`` equals the snapshot ``before``:
    the same types; arrays of the same dtype, shape, values (NaN equal to NaN) and
    ``writeable`` flag; sparse matrices of the same format, dtype, shape, stored arrays and
    values; lists, tuples and dicts equal element by element; other values equal."""
    assert type(after) is type(before), (
        f"the caller's {where} changed type: {type(before).__name__} -> {type(after).__name__}")
    if isinstance(before, np.ndarray):
        assert (after.dtype, after.shape) == (before.dtype, before.shape), (
            f"the caller's {where} changed from {before.dtype}{before.shape} to "
            f"{after.dtype}{after.shape}")
        assert after.flags.writeable == before.flags.writeable, (
            f"the caller's {where} had its writeable flag changed to {after.flags.writeable}")
        if before.dtype == object:
            for k, (a, b) in enumerate(zip(before.ravel().tolist(), after.ravel().tolist())):
                assert_unchanged(a, b, f"{where}.flat[{k}]")
        else:
            equal_nan = before.dtype.kind in "fc"
            assert np.array_equal(before, after, equal_nan=equal_nan), (
                f"the caller's {where} was modified")
    elif sp.issparse(before):
        assert (after.format, after.dtype, after.shape) == \
            (before.format, before.dtype, before.shape), f"the caller's {where} was modified"
        parts_before, parts_after = _sparse_parts(before), _sparse_parts(after)
        for name in parts_before:
            assert_unchanged(parts_before[name], parts_after[name], f"{where}.{name}")
        assert_unchanged(before.toarray(), after.toarray(), f"{where} (as an array)")
    elif type(before).__module__ == "torch" or type(before).__name__ == "Tensor":
        import torch

        assert (after.dtype, after.shape) == (before.dtype, before.shape), (
            f"the caller's {where} changed dtype or shape")
        assert torch.equal(before, after), f"the caller's {where} was modified"
    elif isinstance(before, (list, tuple)):
        assert len(after) == len(before), (
            f"the caller's {where} changed length: {len(before)} -> {len(after)}")
        for k, (a, b) in enumerate(zip(before, after)):
            assert_unchanged(a, b, f"{where}[{k}]")
    elif isinstance(before, dict):
        assert list(after) == list(before), f"the caller's {where} changed keys"
        for key in before:
            assert_unchanged(before[key], after[key], f"{where}[{key!r}]")
    elif type(before).__name__ == "Graph":  # immutable; compared by its parts all the same
        for name in ("adjacency", "features", "edge_features", "node_names", "node_index"):
            assert_unchanged(getattr(before, name), getattr(after, name), f"{where}.{name}")
    else:
        assert _same_scalar(before, after), (
            f"the caller's {where} was modified: {before!r} -> {after!r}")
