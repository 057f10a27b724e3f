"""Sparse propagation: a cached normalised operator whose backward reuses a cached transpose.

torch's generic backward of a sparse-dense product is several times slower than its
forward; the gradient of ``S @ X`` with respect to ``X`` is simply ``S.T @ grad``, so we
keep ``S.T`` (the same object when ``S`` is symmetric) and compute that directly.
"""

from __future__ import annotations

import warnings

import numpy as np
import scipy.sparse as sp
import torch

from ._pair_scores import index_dtype

__all__ = ["IdentityFeatures", "SparseOperator", "gcn_normalize"]


def sparse_dense_mm(matrix: torch.Tensor, dense: torch.Tensor) -> torch.Tensor:
    """``matrix @ dense`` for a sparse CSR ``matrix``, into an output that is never zero-filled.

    ``torch.sparse.mm`` zero-fills its result before accumulating; ``addmm`` with
    ``beta=0`` ignores its (uninitialised) input instead, one pass less over the output.
    """
    out = torch.empty((matrix.shape[0], dense.shape[1]), dtype=dense.dtype, device=dense.device)
    return torch.addmm(out, matrix, dense, beta=0.0)


class _SparseMatmul(torch.autograd.Function):
    @staticmethod
    def forward(ctx, matrix, matrix_t, dense):
        ctx.matrix_t = matrix_t
        return sparse_dense_mm(matrix, dense)

    @staticmethod
    def backward(ctx, grad):
        return None, None, sparse_dense_mm(ctx.matrix_t, grad.contiguous())


def _torch_csr(matrix: sp.csr_array, device: torch.device | str) -> torch.Tensor:
    matrix = sp.csr_array(matrix)
    with warnings.catch_warnings():  # torch flags CSR as beta on every construction
        warnings.simplefilter("ignore", UserWarning)
        return _csr_tensor(matrix, device)


def _csr_tensor(matrix: sp.csr_array, device: torch.device | str) -> torch.Tensor:
    index = np.int32 if index_dtype(max(matrix.shape), matrix.nnz) == torch.int32 else np.int64
    return torch.sparse_csr_tensor(
        torch.from_numpy(matrix.indptr.astype(index)),
        torch.from_numpy(matrix.indices.astype(index)),
        torch.from_numpy(matrix.data.astype(np.float32)),
        size=matrix.shape, device=device, check_invariants=False,
    )


class SparseOperator:
    """A fixed sparse matrix ``S`` applied as ``S @ dense`` with a fast backward.

    Parameters
    ----------
    matrix : scipy sparse of shape (m, n)
    symmetric : bool, default=False
        Whether ``matrix`` is symmetric; then no transpose is stored.
    device : torch device, default="cpu"
    """

    def __init__(self, matrix: sp.sparray, *, symmetric: bool = False,
                 device: torch.device | str = "cpu") -> None:
        matrix = sp.csr_array(matrix)
        self.shape = matrix.shape
        self.matrix = _torch_csr(matrix, device)
        self.matrix_t = self.matrix if symmetric else _torch_csr(matrix.T.tocsr(), device)

    def __matmul__(self, dense: torch.Tensor) -> torch.Tensor:
        if dense.requires_grad:
            return _SparseMatmul.apply(self.matrix, self.matrix_t, dense)
        return sparse_dense_mm(self.matrix, dense)


class IdentityFeatures:
    """One-hot node identities as features, without materialising the identity matrix."""

    def __init__(self, n_nodes: int) -> None:
        self.shape = (n_nodes, n_nodes)

    def __matmul__(self, weight: torch.Tensor) -> torch.Tensor:
        return weight


def gcn_normalize(adjacency: sp.sparray, *, add_self_loops: bool = True) -> sp.csr_array:
    """``D^-1/2 (A + I) D^-1/2`` of Kipf & Welling (2017), as a float32 CSR array.

    Weighted edges keep their weights; degrees are weighted degrees.
    """
    A = sp.csr_array(adjacency, dtype=np.float32)
    if add_self_loops:
        A = (A + sp.eye_array(A.shape[0], dtype=np.float32, format="csr")).tocsr()
    degree = np.asarray(A.sum(axis=1)).ravel()
    inv_sqrt = np.zeros_like(degree)
    np.divide(1.0, np.sqrt(degree), out=inv_sqrt, where=degree > 0)
    A.sort_indices()
    rows = np.repeat(np.arange(A.shape[0]), np.diff(A.indptr))
    A.data = (A.data * inv_sqrt[rows] * inv_sqrt[A.indices]).astype(np.float32)
    return A
