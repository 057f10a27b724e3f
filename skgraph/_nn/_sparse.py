"""Sparse CSR tensors in torch: construction, index types and the products the models use.

torch flags sparse CSR tensors as beta on every construction; everything here builds them
quietly, with int32 indices where they fit, and without invariant checks (the inputs are
canonical by construction).
"""

from __future__ import annotations

import warnings

import numpy as np
import scipy.sparse as sp
import torch

__all__ = ["csr_by_rows", "csr_from_scipy", "csr_tensor", "index_dtype", "row_pointers",
           "shared_tensor", "sorted_csr_index", "sparse_dense_mm"]


def index_dtype(n_nodes: int, n_entries: int) -> torch.dtype:
    """int32 for sparse indices when they fit (half the memory traffic and no conversion
    in the sparse kernels), else int64."""
    return torch.int32 if max(n_nodes, n_entries) < 2**31 - 1 else torch.int64


def row_pointers(sorted_rows: torch.Tensor, n: int) -> torch.Tensor:
    crow = torch.zeros(n + 1, dtype=sorted_rows.dtype, device=sorted_rows.device)
    torch.cumsum(torch.bincount(sorted_rows, minlength=n), 0, out=crow[1:])
    return crow


def csr_tensor(crow: torch.Tensor, col: torch.Tensor, values: torch.Tensor,
               n: int | tuple[int, int]) -> torch.Tensor:
    """The CSR tensor of shape ``(n, n)`` (or ``n`` when a shape is given)."""
    with warnings.catch_warnings():  # torch flags sparse CSR as beta on every construction
        warnings.simplefilter("ignore", UserWarning)
        return torch.sparse_csr_tensor(crow, col, values, size=(n, n) if isinstance(n, int) else n,
                                       check_invariants=False)


def csr_from_scipy(matrix: sp.csr_array, device: torch.device | str) -> torch.Tensor:
    matrix = sp.csr_array(matrix)
    with warnings.catch_warnings():  # torch flags CSR as beta on every construction
        warnings.simplefilter("ignore", UserWarning)
        return _scipy_csr_tensor(matrix, device)


def _scipy_csr_tensor(matrix: sp.csr_array, device: torch.device | str) -> torch.Tensor:
    index = np.int32 if index_dtype(max(matrix.shape), matrix.nnz) == torch.int32 else np.int64
    return torch.sparse_csr_tensor(
        torch.from_numpy(matrix.indptr.astype(index)),
        torch.from_numpy(matrix.indices.astype(index)),
        torch.from_numpy(matrix.data.astype(np.float32)),
        size=matrix.shape, device=device, check_invariants=False,
    )


def shared_tensor(array: np.ndarray) -> torch.Tensor:
    """A CPU tensor on ``array``'s memory (no copy), read-only arrays included: the tensor
    must only ever be read."""
    with warnings.catch_warnings():  # torch warns that it cannot mark the tensor read-only
        warnings.simplefilter("ignore", UserWarning)
        return torch.from_numpy(array)


def sorted_csr_index(adjacency: sp.sparray, device: torch.device | str = "cpu"
                     ) -> tuple[torch.Tensor, torch.Tensor]:
    """``(row pointers as int64, column indices)`` of ``adjacency`` with sorted indices,
    the column indices the adjacency's own on CPU (a sorted copy when they are not sorted:
    never the caller's arrays sorted in place)."""
    A = sp.csr_array(adjacency)
    if not A.has_sorted_indices:
        A = A.sorted_indices()
    return (torch.from_numpy(A.indptr.astype(np.int64)).to(device),
            shared_tensor(A.indices).to(device))


def csr_by_rows(rows: torch.Tensor, cols: torch.Tensor, values: torch.Tensor, n: int
                 ) -> torch.Tensor:
    """The ``n x n`` CSR tensor with entries ``values`` at ``(rows, cols)`` (no duplicates
    merged: repeated pairs add up in products)."""
    if len(rows) > 1 and not bool((rows[1:] >= rows[:-1]).all()):
        order = torch.argsort(rows)
        rows, cols, values = rows[order], cols[order], values[order]
    dtype = index_dtype(n, len(rows))
    return csr_tensor(row_pointers(rows.to(dtype), n), cols.to(dtype), values, n)


def sparse_dense_mm(matrix: torch.Tensor, dense: torch.Tensor) -> torch.Tensor:
    """``matrix @ dense`` for a sparse CSR ``matrix``, into an output that is never zero-filled.

    ``torch.sparse.mm`` zero-fills its result before accumulating; ``addmm`` with
    ``beta=0`` ignores its (uninitialised) input instead, one pass less over the output.
    """
    out = torch.empty((matrix.shape[0], dense.shape[1]), dtype=dense.dtype, device=dense.device)
    return torch.addmm(out, matrix, dense, beta=0.0)
