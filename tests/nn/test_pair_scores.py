import numpy as np
import scipy.sparse as sp
import torch

from skgraph.nn import EdgeSet, GCNEncoder, PairSet, SparseOperator, pair_dot, sample_negative_pairs
from skgraph.nn._autoencoder import MAX_LOGSTD, relu_dropout
from skgraph.nn._sampling import _merge_sorted


def _reference_scores_and_grad(z, pairs, upstream):
    z_ref = z.detach().clone().requires_grad_(True)
    scores = (z_ref[pairs[0]] * z_ref[pairs[1]]).sum(-1)
    (scores * upstream).sum().backward()
    return scores.detach(), z_ref.grad


def test_pair_set_scores_and_gradient_match_gathering_with_duplicates():
    gen = torch.Generator().manual_seed(0)
    z = torch.randn(40, 5, generator=gen, requires_grad=True)
    pairs = torch.randint(0, 40, (2, 300), generator=gen)
    pairs[:, 150:160] = pairs[:, 0:10]  # duplicate pairs count twice
    pair_set = PairSet(pairs, 40)
    order = torch.sort(pairs[0] * 40 + pairs[1]).indices
    upstream = torch.randn(300, generator=gen)
    scores = pair_dot(z, pair_set)
    (scores * upstream).sum().backward()
    expected_scores, expected_grad = _reference_scores_and_grad(z, pairs[:, order], upstream)
    torch.testing.assert_close(scores.detach(), expected_scores)
    torch.testing.assert_close(z.grad, expected_grad)
    assert torch.equal(pair_set.as_tensor(), pairs[:, order])


def test_pair_set_of_sorted_pairs_keeps_their_order_and_handles_empty_sets():
    pairs = torch.tensor([[0, 0, 2, 3], [1, 3, 1, 0]])
    assert torch.equal(PairSet(pairs, 4, assume_sorted=True).as_tensor(), pairs)
    z = torch.randn(4, 3, requires_grad=True)
    empty = PairSet(torch.empty(2, 0, dtype=torch.long), 4)
    assert len(empty) == 0 and pair_dot(z, empty).shape == (0,)


def test_negative_pairs_come_sorted_and_merge_is_a_sorted_union():
    A = sp.random(200, 200, density=0.05, random_state=0, format="csr")
    A = ((A + A.T) > 0).astype(float)
    A.setdiag(0)
    A.eliminate_zeros()
    pairs = sample_negative_pairs(EdgeSet(A), 3000, generator=torch.Generator().manual_seed(0))
    keys = pairs[0] * 200 + pairs[1]
    assert pairs.shape == (2, 3000) and bool((keys[1:] >= keys[:-1]).all())
    a, b = torch.tensor([1, 3, 3, 8, 9]), torch.tensor([0, 3, 10])
    assert _merge_sorted(a, b).tolist() == [0, 1, 3, 3, 3, 8, 9, 10]


def test_relu_dropout_matches_relu_then_dropout_in_distribution_and_gradient():
    torch.manual_seed(0)
    h = torch.randn(400, 50, requires_grad=True)
    out = relu_dropout(h, 0.3)
    kept = out != 0
    # only positive entries survive, scaled by 1 / (1 - p); about 70% of them survive
    assert bool((h[kept] > 0).all())
    torch.testing.assert_close(out[kept], h[kept] / 0.7)
    assert abs(kept.sum().item() / (h > 0).sum().item() - 0.7) < 0.02
    out.sum().backward()
    torch.testing.assert_close(h.grad, kept.float() / 0.7)
    h_eval = h.detach()
    assert torch.equal(relu_dropout(h_eval, 0.3, training=False), torch.relu(h_eval))


def test_cached_propagation_and_fused_heads_equal_the_layerwise_encoder():
    torch.manual_seed(0)
    A = sp.random(30, 30, density=0.2, random_state=1, format="csr")
    A = ((A + A.T) > 0).astype(np.float32)
    operator = SparseOperator(A, symmetric=True)
    x = torch.randn(30, 6)
    encoder = GCNEncoder(6, (8,), 4, variational=True).eval()
    mu, logstd = encoder(x, operator, operator @ x)
    h = torch.relu(encoder.hidden[0](x, operator))
    torch.testing.assert_close(mu, encoder.mu(h, operator), rtol=1e-5, atol=1e-5)
    expected = encoder.logstd(h, operator).clamp(max=MAX_LOGSTD)
    torch.testing.assert_close(logstd, expected, rtol=1e-5, atol=1e-5)
