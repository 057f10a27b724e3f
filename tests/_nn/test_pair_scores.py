import numpy as np
import scipy.sparse as sp
import torch

from skgraph._nn._graph_autoencoder import (
    MAX_LOGSTD,
    GCNEncoder,
    GraphAutoEncoder,
    kl_divergence,
    reconstruction_loss,
    relu_dropout,
    sample_with_kl,
)
from skgraph._nn._pair_scores import PairSet, pair_dot, pair_dots
from skgraph._nn._propagation import SparseOperator


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


def random_simple_graph(n: int, density: float, seed: int = 0) -> sp.csr_matrix:
    """A random undirected graph without self loops, as a 0/1 CSR adjacency."""
    A = sp.random(n, n, density=density, random_state=seed, format="csr")
    A = ((A + A.T) > 0).astype(float)
    A.setdiag(0)
    A.eliminate_zeros()
    return A


def test_relu_dropout_matches_relu_then_dropout_in_distribution_and_gradient():
    torch.manual_seed(0)
    leaf = torch.randn(400, 50, requires_grad=True)
    h = leaf * 1.0  # a layer output (not a leaf): the fused path, which works in place
    before = h.detach().clone()
    out = relu_dropout(h, 0.3)
    kept = out != 0
    # only positive entries survive, scaled by 1 / (1 - p); about 70% of them survive
    assert bool((before[kept] > 0).all())
    torch.testing.assert_close(out[kept], before[kept] / 0.7)
    assert abs(kept.sum().item() / (before > 0).sum().item() - 0.7) < 0.02
    out.sum().backward()
    torch.testing.assert_close(leaf.grad, kept.float() / 0.7)
    h_eval = before
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


def test_pair_dots_of_several_sets_equal_separate_pair_dots_with_summed_gradient():
    gen = torch.Generator().manual_seed(3)
    z = torch.randn(30, 4, generator=gen, requires_grad=True)
    sets = [PairSet(torch.randint(0, 30, (2, k), generator=gen), 30) for k in (50, 80)]
    upstream = [torch.randn(len(s), generator=gen) for s in sets]
    scores = pair_dots(z, *sets)
    sum((s * u).sum() for s, u in zip(scores, upstream)).backward()
    z_ref = z.detach().clone().requires_grad_(True)
    expected = [pair_dot(z_ref, s.as_tensor().long()) for s in sets]
    sum((s * u).sum() for s, u in zip(expected, upstream)).backward()
    for got, want in zip(scores, expected):
        torch.testing.assert_close(got.detach(), want.detach())
    torch.testing.assert_close(z.grad, z_ref.grad)


def test_pair_set_indices_are_int32_when_they_fit():
    pairs = PairSet(torch.tensor([[0, 2], [1, 1]]), n_nodes=3)
    assert pairs.src.dtype == pairs.crow.dtype == pairs.transposed_col.dtype == torch.int32
    keys = torch.tensor([1, 7])  # (0, 1) and (2, 1) in a 3-node graph
    assert torch.equal(PairSet.from_sorted_keys(keys, 3).as_tensor(), torch.tensor([[0, 2], [1, 1]]))


def test_sample_with_kl_matches_the_composed_sample_and_kl_and_their_gradient():
    torch.manual_seed(0)
    heads = torch.randn(60, 8, dtype=torch.float64)
    heads[0, 5] = MAX_LOGSTD + 2  # clamped: no gradient through it
    upstream = torch.randn(60, 4, dtype=torch.float64)
    fused_heads = heads.clone().requires_grad_(True)
    torch.manual_seed(1)
    z, kl = sample_with_kl(fused_heads)
    ((z * upstream).sum() + 3.0 * kl).backward()
    ref_heads = heads.clone().requires_grad_(True)
    torch.manual_seed(1)
    mu, raw = ref_heads.chunk(2, dim=1)
    logstd = raw.clamp(max=MAX_LOGSTD)
    z_ref = mu + torch.randn(logstd.shape, dtype=logstd.dtype) * logstd.exp()
    kl_ref = kl_divergence(mu, logstd)
    ((z_ref * upstream).sum() + 3.0 * kl_ref).backward()
    torch.testing.assert_close(z, z_ref)
    torch.testing.assert_close(kl, kl_ref)
    torch.testing.assert_close(fused_heads.grad, ref_heads.grad)
    assert fused_heads.grad[0, 5] == 0


def test_autoencoder_loss_is_the_composed_loss():
    torch.manual_seed(0)
    A = sp.random(40, 40, density=0.15, random_state=2, format="csr")
    A = ((A + A.T) > 0).astype(np.float32)
    operator = SparseOperator(A, symmetric=True)
    x = torch.randn(40, 5)
    model = GraphAutoEncoder(GCNEncoder(5, (8,), 3, variational=True)).train()
    positives = PairSet(torch.randint(0, 40, (2, 60)), 40)
    negatives = PairSet(torch.randint(0, 40, (2, 60)), 40)
    torch.manual_seed(5)
    loss = model.loss(x, operator, positives, negatives, 40)
    torch.manual_seed(5)
    mu, logstd = model.encoder(x, operator)
    z = mu + torch.randn(mu.shape) * logstd.exp()
    pos, neg = pair_dot(z, positives), pair_dot(z, negatives)
    expected = (torch.nn.functional.softplus(-pos).mean() + torch.nn.functional.softplus(neg).mean()
                + kl_divergence(mu, logstd) / 40)
    torch.testing.assert_close(loss, expected)


def test_reconstruction_loss_equals_pygs_and_a_side_without_pairs_adds_nothing():
    from torch_geometric.nn import GAE

    torch.manual_seed(0)
    z = torch.randn(12, 4)
    pos, neg = torch.randint(0, 12, (2, 20)), torch.randint(0, 12, (2, 15))
    logits = [(z[p[0]] * z[p[1]]).sum(-1) for p in (pos, neg)]
    reference = GAE(torch.nn.Identity()).recon_loss(z, pos, neg)
    torch.testing.assert_close(reconstruction_loss(*logits), reference, rtol=1e-5, atol=1e-5)
    alone = reconstruction_loss(logits[0], logits[1][:0])
    assert torch.isfinite(alone)
    torch.testing.assert_close(alone, torch.nn.functional.softplus(-logits[0]).mean())
