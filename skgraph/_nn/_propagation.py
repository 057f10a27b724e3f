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

from ._sparse import csr_by_rows, csr_from_scipy, sparse_dense_mm

__all__ = ["IdentityFeatures", "NeighbourSum", "SparseOperator", "gcn_normalize", "per_hop",
           "polynomial_filter"]


class _SparseMatmul(torch.autograd.Function):
    @staticmethod
    def forward(ctx, matrix, matrix_t, dense):
        ctx.matrix_t = matrix_t
        return sparse_dense_mm(matrix, dense)

    @staticmethod
    def backward(ctx, grad):
        return None, None, sparse_dense_mm(ctx.matrix_t, grad.contiguous())


class _PolynomialFilter(torch.autograd.Function):
    """``sum_k gamma_k S^k h`` as one autograd node: the powers go into one buffer, their
    weighted sum is one product, and the backward runs Horner's scheme on ``S.T``. The same
    arithmetic as a loop of products, multiplications and additions, in a handful of
    kernel calls instead of a dozen per step (what a small graph's epoch is made of)."""

    @staticmethod
    def forward(ctx, gamma, h, matrix, matrix_t):
        powers = torch.empty((len(gamma), *h.shape), dtype=h.dtype, device=h.device)
        powers[0] = h
        for k in range(1, len(gamma)):
            torch.addmm(powers[k], matrix, powers[k - 1], beta=0.0, out=powers[k])
        ctx.matrix_t = matrix_t
        ctx.save_for_backward(gamma, powers)
        return (gamma @ powers.view(len(gamma), -1)).view(h.shape)

    @staticmethod
    def backward(ctx, grad):
        gamma, powers = ctx.saved_tensors
        grad = grad.contiguous()
        grad_gamma = grad_h = None
        if ctx.needs_input_grad[0]:
            grad_gamma = powers.view(len(gamma), -1) @ grad.view(-1)
        if ctx.needs_input_grad[1]:
            grad_h = grad * gamma[-1]
            for k in range(len(gamma) - 2, -1, -1):
                grad_h = torch.addcmul(sparse_dense_mm(ctx.matrix_t, grad_h), grad, gamma[k])
        return grad_gamma, grad_h, None, None


def polynomial_filter(operator, h: torch.Tensor, gamma: torch.Tensor) -> torch.Tensor:
    """``sum_k gamma[k] S^k h`` for the operator ``S`` (``len(gamma) - 1`` products).

    ``operator`` may also be a list with one per hop (see :func:`per_hop`), each mapping
    the rows it reads to the fewer rows the next hop reads: the output has the last one's.
    """
    if isinstance(operator, SparseOperator) and (h.requires_grad or gamma.requires_grad):
        return _PolynomialFilter.apply(gamma, h, operator.matrix, operator.matrix_t)
    out, z = h * gamma[0], h
    for k, hop in enumerate(per_hop(operator, len(gamma) - 1), 1):
        z = hop @ z
        out = out[: hop.shape[0]] + gamma[k] * z
    return out


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
        self.matrix = csr_from_scipy(matrix, device)
        self.matrix_t = self.matrix if symmetric else csr_from_scipy(matrix.T.tocsr(), device)
        self._transposed_order = None

    def dropout(self, p: float, *, keep_diagonal: bool = False) -> SparseOperator:
        """The same matrix with each stored value dropped with probability ``p`` and the
        others scaled by ``1 / (1 - p)`` (dropout of sparse input features, or of a
        propagation operator's edges, whose self loops ``keep_diagonal`` leaves as they
        are); a new operator that shares the index tensors."""
        given = self.matrix.values()
        values = given * torch.rand(given.shape, device=given.device, dtype=given.dtype).ge_(p)
        values /= 1.0 - p
        if keep_diagonal:
            values = torch.where(self._diagonal_entries(), given, values)
        if self._transposed_order is None:  # where each entry of the matrix is in its transpose
            self._transposed_order = _transposed_order(self.matrix, self.shape)
        out = object.__new__(SparseOperator)
        out.shape, out._transposed_order = self.shape, None
        out.matrix = _with_values(self.matrix, values, self.shape)
        out.matrix_t = _with_values(self.matrix_t,
                                    torch.index_select(values, 0, self._transposed_order),
                                    self.shape[::-1])
        return out

    def _diagonal_entries(self) -> torch.Tensor:
        """Which stored entries lie on the diagonal (computed once)."""
        if "_diagonal" not in self.__dict__:
            rows = torch.repeat_interleave(torch.arange(self.shape[0], device=self.matrix.device),
                                           self.matrix.crow_indices().diff())
            self._diagonal = rows == self.matrix.col_indices()
        return self._diagonal

    def repeated(self, copies: int) -> SparseOperator:
        """The matrix stacked ``copies`` times over its rows, ``[S; S; ...]``, built once and
        kept (so that each copy can take its own dropout, all in one product)."""
        cache = self.__dict__.setdefault("_repeated", {})
        if copies not in cache:
            stacked = sp.vstack([_scipy_csr(self.matrix, self.shape)] * copies, format="csr")
            cache[copies] = SparseOperator(stacked, device=self.matrix.device)
        return cache[copies]

    def __matmul__(self, dense: torch.Tensor) -> torch.Tensor:
        if dense.requires_grad:
            return _SparseMatmul.apply(self.matrix, self.matrix_t, dense)
        return sparse_dense_mm(self.matrix, dense)


def _with_values(matrix: torch.Tensor, values: torch.Tensor, shape) -> torch.Tensor:
    with warnings.catch_warnings():  # torch flags CSR as beta on every construction
        warnings.simplefilter("ignore", UserWarning)
        return torch.sparse_csr_tensor(matrix.crow_indices(), matrix.col_indices(), values,
                                       size=shape, check_invariants=False)


def _scipy_csr(matrix: torch.Tensor, shape, values: np.ndarray | None = None) -> sp.csr_array:
    """The scipy CSR array of a torch CSR ``matrix`` (with ``values`` in place of its own)."""
    if values is None:
        values = matrix.values().cpu().numpy()
    return sp.csr_array((values, matrix.col_indices().cpu().numpy(),
                         matrix.crow_indices().cpu().numpy()), shape=shape)


def _transposed_order(matrix: torch.Tensor, shape) -> torch.Tensor:
    """For each stored entry of ``matrix``'s transpose (in its CSR order), the position of the
    same entry among ``matrix``'s."""
    positions = _scipy_csr(matrix, shape, np.arange(1, matrix.values().shape[0] + 1,
                                                    dtype=np.float64)).T.tocsr()
    positions.sort_indices()
    return torch.from_numpy(positions.data.astype(np.int64) - 1).to(matrix.device)


class NeighbourSum(SparseOperator):
    """Sum of the messages along an edge list, ``out[i] = sum_{(j, i) in edges} w_ji x_j``.

    Built once from ``edge_index`` (sources in row 0, targets in row 1, PyG's convention)
    as a CSR matrix indexed by target and its transpose, and then applied to any number
    of feature matrices (every layer of a network) as a sparse product whose backward is
    the transposed product. On CPU this is several times faster, forward and backward,
    than gathering one message per edge and scattering them back.

    Parameters
    ----------
    edge_index : torch.Tensor of shape (2, n_edges)
        Integer node ids, in any order (kept as :attr:`edge_index`).
    n_nodes : int
    edge_weight : torch.Tensor of shape (n_edges,), default=None
        Weight of each message (1 when ``None``).
    symmetric : bool, default=False
        Whether every edge ``(j, i)`` comes with ``(i, j)`` of the same weight (an
        undirected graph): then one matrix serves as its own transpose, built without
        sorting when ``edge_index`` is sorted by source, as collated batches are.

    Examples
    --------
    >>> import torch
    >>> edges = torch.tensor([[0, 1, 1], [1, 0, 2]])  # 0 -> 1, 1 -> 0, 1 -> 2
    >>> (NeighbourSum(edges, 3) @ torch.tensor([[1.0], [10.0], [100.0]])).ravel().tolist()
    [10.0, 1.0, 10.0]
    """

    def __init__(self, edge_index: torch.Tensor, n_nodes: int,
                 edge_weight: torch.Tensor | None = None, *, symmetric: bool = False) -> None:
        if edge_weight is None:
            edge_weight = torch.ones(edge_index.shape[1], device=edge_index.device)
        source, target = edge_index
        self.edge_index = edge_index
        self.shape = (n_nodes, n_nodes)
        self.matrix_t = csr_by_rows(source, target, edge_weight, n_nodes)
        self.matrix = (self.matrix_t if symmetric
                       else csr_by_rows(target, source, edge_weight, n_nodes))


class IdentityFeatures:
    """One-hot node identities as features, without materialising the identity matrix.

    With ``nodes``, the rows of those nodes only (a mini-batch's subgraph): ``@ W`` then
    gives ``W[nodes]``.
    """

    def __init__(self, n_nodes: int, nodes: torch.Tensor | None = None) -> None:
        self.nodes = nodes
        self.shape = (n_nodes if nodes is None else len(nodes), n_nodes)

    def __matmul__(self, weight: torch.Tensor) -> torch.Tensor:
        return weight if self.nodes is None else weight.index_select(0, self.nodes)


def gcn_normalize(adjacency: sp.sparray, *, add_self_loops: bool = True) -> sp.csr_array:
    """``D^-1/2 (A + I) D^-1/2`` of Kipf & Welling (2017), as a float32 CSR array.

    Weighted edges keep their weights; degrees are weighted degrees (computed in float64
    when float32 could not hold them or the weights, too large or too small for it: the
    normalised weights are at most 1, and without self loops unchanged by scaling every
    weight).
    """
    A = sp.csr_array(adjacency)
    float32 = np.finfo(np.float32)
    wide = A.nnz and (float(np.abs(A.data).max()) * int(np.diff(A.indptr).max())
                      > float(float32.max) / 2  # bounds the weighted degrees
                      or float(np.abs(A.data).min()) < float(float32.tiny))  # would vanish
    dtype = np.float64 if wide else np.float32
    A = A.astype(dtype)
    if add_self_loops:
        A = (A + sp.eye_array(A.shape[0], dtype=dtype, format="csr")).tocsr()
    degree = np.asarray(A.sum(axis=1)).ravel()
    inv_sqrt = np.zeros_like(degree)
    np.divide(1.0, np.sqrt(degree), out=inv_sqrt, where=degree > 0)
    A.sort_indices()
    rows = np.repeat(np.arange(A.shape[0]), np.diff(A.indptr))
    A.data = A.data * inv_sqrt[rows] * inv_sqrt[A.indices]
    return A.astype(np.float32, copy=False)


def per_hop(operator, hops: int) -> list:
    """One operator per hop: a list as given (a sampled subgraph's, trimmed hop by hop), or
    the same operator ``hops`` times."""
    return operator if isinstance(operator, list) else [operator] * hops
