import numpy as np
import scipy.sparse as sp
import torch
from torch_geometric.nn.conv.gcn_conv import gcn_norm

from skgraph._nn._graph_autoencoder import GCNEncoder
from skgraph._nn._propagation import (
    IdentityFeatures,
    NeighbourSum,
    SparseOperator,
    gcn_normalize,
    polynomial_filter,
)
from skgraph.datasets import make_community_graph


def _weighted_graph():
    G, _ = make_community_graph(n_nodes=40, n_features=0, random_state=0)
    A = G.adjacency.copy()
    A.data = np.random.default_rng(0).uniform(0.5, 2.0, A.nnz)
    return sp.csr_array(A.maximum(A.T))


def test_gcn_normalize_matches_pyg_gcn_norm():
    A = _weighted_graph()
    coo = A.tocoo()
    edge_index = torch.tensor(np.vstack([coo.row, coo.col]), dtype=torch.long)
    ei, w = gcn_norm(edge_index, torch.tensor(coo.data, dtype=torch.float32),
                     num_nodes=A.shape[0], add_self_loops=True)
    expected = sp.csr_array((w.numpy(), (ei[1].numpy(), ei[0].numpy())), shape=A.shape)
    np.testing.assert_allclose(gcn_normalize(A).toarray(), expected.toarray(), rtol=1e-5)


def test_normalisation_without_self_loops_ignores_the_scale_of_the_weights():
    # exp(-distance / s) weights of a road network fall far below float32's range (1e-46):
    # they must not vanish (an operator of zeros), nor weights near its top overflow
    A = _weighted_graph()
    expected = gcn_normalize(A, add_self_loops=False)
    for scale in (1e-50, 1e-30, 1e30, 1e300):
        scaled = gcn_normalize(A * scale, add_self_loops=False)
        assert scaled.dtype == np.float32 and scaled.nnz == expected.nnz
        np.testing.assert_allclose(scaled.toarray(), expected.toarray(), rtol=1e-6)


def test_isolated_nodes_keep_their_self_loop():
    A = sp.csr_array(np.array([[0, 1, 0], [1, 0, 0], [0, 0, 0]], dtype=float))
    S = gcn_normalize(A).toarray()
    assert S[2, 2] == 1.0 and np.allclose(S[:2, :2], 0.5)


def test_sparse_operator_gradient_matches_dense():
    A = _weighted_graph()
    S = gcn_normalize(A)
    asym = sp.random(40, 30, density=0.2, random_state=0, format="csr", dtype=np.float32)
    for matrix, symmetric in ((S, True), (asym, False)):
        op = SparseOperator(matrix, symmetric=symmetric)
        x = torch.randn(matrix.shape[1], 5, requires_grad=True)
        x_dense = x.detach().clone().requires_grad_(True)
        out = op @ x
        dense_out = torch.tensor(matrix.toarray()) @ x_dense
        torch.testing.assert_close(out, dense_out, rtol=1e-5, atol=1e-5)
        upstream = torch.randn_like(out)
        (out * upstream).sum().backward()
        (dense_out * upstream).sum().backward()
        torch.testing.assert_close(x.grad, x_dense.grad, rtol=1e-5, atol=1e-5)


def test_identity_features_equal_one_hot_input():
    op = SparseOperator(gcn_normalize(_weighted_graph()), symmetric=True)
    torch.manual_seed(0)
    encoder = GCNEncoder(40, (8,), 4, variational=True)
    mu, logstd = encoder(IdentityFeatures(40), op)
    mu_dense, logstd_dense = encoder(torch.eye(40), op)
    torch.testing.assert_close(mu, mu_dense)
    torch.testing.assert_close(logstd, logstd_dense)


def test_encoder_sampling_only_in_training():
    encoder = GCNEncoder(3, (), 2, variational=True)
    mu, logstd = torch.zeros(5, 2), torch.zeros(5, 2)
    encoder.eval()
    assert torch.equal(encoder.sample(mu, logstd), mu)
    encoder.train()
    assert not torch.equal(encoder.sample(mu, logstd), mu)


def test_pair_dot_gradient_matches_autograd_indexing():
    from skgraph._nn._pair_scores import pair_dot

    torch.manual_seed(0)
    z = torch.randn(30, 4, requires_grad=True)
    z_ref = z.detach().clone().requires_grad_(True)
    pairs = torch.randint(0, 30, (2, 200))
    upstream = torch.randn(200)
    (pair_dot(z, pairs) * upstream).sum().backward()
    ((z_ref[pairs[0]] * z_ref[pairs[1]]).sum(-1) * upstream).sum().backward()
    torch.testing.assert_close(z.grad, z_ref.grad)


def test_neighbour_sum_matches_dense_sum_over_unsorted_weighted_repeated_edges():
    rng = np.random.default_rng(1)
    n = 12
    edge_index = torch.from_numpy(rng.integers(0, n, size=(2, 50)))  # repeats, self loops
    edge_index[:, -1] = torch.tensor([3, 3])
    weight = torch.from_numpy(rng.uniform(0.5, 2.0, 50).astype(np.float32))

    def dense(values):  # row = target, column = source; repeated edges add up
        return torch.zeros(n, n).index_put_((edge_index[1], edge_index[0]), values,
                                            accumulate=True)

    for w, matrix in ((None, dense(torch.ones(50))), (weight, dense(weight))):
        x = torch.randn(n, 4, requires_grad=True)
        x_dense = x.detach().clone().requires_grad_(True)
        out = NeighbourSum(edge_index, n, w) @ x
        expected = matrix @ x_dense
        torch.testing.assert_close(out, expected, rtol=1e-5, atol=1e-5)
        upstream = torch.randn_like(out)
        (out * upstream).sum().backward()
        (expected * upstream).sum().backward()
        torch.testing.assert_close(x.grad, x_dense.grad, rtol=1e-5, atol=1e-5)
    # nodes beyond every edge (isolated, last) receive nothing
    assert torch.equal(NeighbourSum(torch.tensor([[0], [1]]), 4) @ torch.ones(4, 1),
                       torch.tensor([[0.0], [1.0], [0.0], [0.0]]))


def test_symmetric_neighbour_sum_is_its_own_transpose_sorted_or_not():
    A = _weighted_graph()
    coo = A.tocoo()
    edge_index = torch.from_numpy(np.vstack([coo.row, coo.col]).astype(np.int64))
    weight = torch.from_numpy(coo.data.astype(np.float32))
    shuffled = torch.randperm(edge_index.shape[1], generator=torch.Generator().manual_seed(0))
    x = torch.randn(A.shape[0], 3, requires_grad=True)
    expected = torch.from_numpy(A.toarray().astype(np.float32)) @ x
    for order in (torch.arange(edge_index.shape[1]), shuffled):  # sorted by source, shuffled
        op = NeighbourSum(edge_index[:, order], A.shape[0], weight[order], symmetric=True)
        assert op.matrix is op.matrix_t
        torch.testing.assert_close(op @ x, expected, rtol=1e-5, atol=1e-5)
        (grad,) = torch.autograd.grad((op @ x).sum(), x)
        torch.testing.assert_close(grad, torch.from_numpy(A.sum(axis=0).astype(np.float32))
                                   .unsqueeze(1).expand(-1, 3), rtol=1e-5, atol=1e-5)


def test_polynomial_filter_equals_the_loop_of_products_forward_and_backward():
    # sum_k gamma_k S^k h on a non-symmetric S (the backward must use S.T), against dense
    # autograd; gradients for h and gamma both
    rng = np.random.default_rng(0)
    S = sp.random(30, 30, density=0.15, random_state=1, format="csr", dtype=np.float32)
    dense_S = torch.tensor(S.toarray())
    h0 = torch.tensor(rng.normal(size=(30, 4)), dtype=torch.float32)
    gamma0 = torch.tensor(rng.normal(size=6), dtype=torch.float32)
    upstream = torch.tensor(rng.normal(size=(30, 4)), dtype=torch.float32)

    def reference(h, gamma):
        out, z = gamma[0] * h, h
        for k in range(1, len(gamma)):
            z = dense_S @ z
            out = out + gamma[k] * z
        return out

    results = []
    for function in (lambda h, g: polynomial_filter(SparseOperator(S), h, g), reference):
        h, gamma = h0.clone().requires_grad_(), gamma0.clone().requires_grad_()
        out = function(h, gamma)
        (out * upstream).sum().backward()
        results.append((out.detach(), h.grad, gamma.grad))
    for ours, expected in zip(*results):
        torch.testing.assert_close(ours, expected, rtol=1e-5, atol=1e-5)
    # without gradients (inference): the same values
    with torch.no_grad():
        torch.testing.assert_close(polynomial_filter(SparseOperator(S), h0, gamma0),
                                   results[1][0], rtol=1e-5, atol=1e-5)


def test_polynomial_filter_gradient_for_one_input_only():
    S = sp.random(12, 12, density=0.3, random_state=2, format="csr", dtype=np.float32)
    gamma = torch.tensor([0.5, 0.3, 0.2], requires_grad=True)
    polynomial_filter(SparseOperator(S), torch.ones(12, 2), gamma).sum().backward()
    assert gamma.grad is not None and gamma.grad.shape == (3,)
    h = torch.ones(12, 2, requires_grad=True)
    polynomial_filter(SparseOperator(S), h, torch.tensor([0.5, 0.3, 0.2])).sum().backward()
    # d/dh of sum(S^k h) is the column sums of S^k
    column_sums = [np.ones(12), np.asarray(S.sum(axis=0)).ravel(),
                   np.asarray((S @ S).sum(axis=0)).ravel()]
    expected = torch.tensor(0.5 * column_sums[0] + 0.3 * column_sums[1] + 0.2 * column_sums[2],
                            dtype=torch.float32)
    torch.testing.assert_close(h.grad[:, 0], expected)


def test_repeated_operator_stacks_the_matrix_and_its_transpose():
    S = sp.random(7, 5, density=0.4, random_state=0, format="csr", dtype=np.float32)
    op = SparseOperator(S)
    for copies in (1, 2, 3):
        stacked = op.repeated(copies)
        assert stacked is op.repeated(copies)  # built once
        expected = sp.vstack([S] * copies).toarray()
        np.testing.assert_array_equal(stacked.matrix.to_dense().numpy(), expected)
        np.testing.assert_array_equal(stacked.matrix_t.to_dense().numpy(), expected.T)
        dropped = stacked.dropout(0.5)  # the transpose keeps the same dropped entries
        np.testing.assert_array_equal(dropped.matrix.to_dense().numpy().T,
                                      dropped.matrix_t.to_dense().numpy())


def test_edge_dropout_keeps_self_loops_scales_kept_edges_and_transposes_alike():
    A = _weighted_graph()
    normalized = gcn_normalize(A)  # with self loops
    op = SparseOperator(normalized, symmetric=True)
    torch.manual_seed(0)
    dropped = op.dropout(0.4, keep_diagonal=True)
    original = normalized.toarray()
    out = dropped.matrix.to_dense().numpy()
    np.testing.assert_allclose(np.diag(out), np.diag(original))  # self loops as they were
    off = ~np.eye(len(out), dtype=bool) & (original != 0)
    kept = out[off] != 0
    np.testing.assert_allclose(out[off][kept], original[off][kept] / 0.6, rtol=1e-6)
    assert 0 < kept.sum() < off.sum()  # some edges dropped, some kept
    # the backward's transpose is the dropped matrix's own
    np.testing.assert_array_equal(dropped.matrix_t.to_dense().numpy(), out.T)
    x = torch.randn(len(out), 3, requires_grad=True)
    (dropped @ x).sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), out.T @ np.ones((len(out), 3)), rtol=1e-5)
    # without keep_diagonal the self loops are dropped like any entry
    torch.manual_seed(0)
    assert (np.diag(op.dropout(0.99).matrix.to_dense().numpy()) == 0).any()
