"""The auto-encoders' encoder and KL term against PyG's GCNConv and VGAE (oracles)."""

import numpy as np
import pytest
import scipy.sparse as sp
import torch

from skgraph._nn._graph_autoencoder import MAX_LOGSTD, GCNEncoder, kl_divergence
from skgraph._nn._propagation import SparseOperator, gcn_normalize


@pytest.mark.parametrize("weighted", [False, True])
def test_variational_encoder_and_kl_term_equal_pygs_gcnconv_and_vgae(weighted):
    from torch_geometric.nn import VGAE, GCNConv

    rng = np.random.default_rng(1)
    A = np.triu(rng.random((25, 25)) < 0.2, 1) * (rng.uniform(0.5, 2, (25, 25)) if weighted
                                                   else 1.0)
    A = sp.csr_array(A + A.T)
    coo = sp.coo_array(A)
    edge_index = torch.tensor(np.vstack([coo.row, coo.col]), dtype=torch.long)
    weight = torch.tensor(coo.data, dtype=torch.float32)
    x = torch.tensor(rng.normal(size=(25, 6)), dtype=torch.float32)
    torch.manual_seed(0)
    encoder = GCNEncoder(6, (8,), 4, variational=True).eval()
    convs = [GCNConv(6, 8), GCNConv(8, 4), GCNConv(8, 4)]
    with torch.no_grad():
        for ours, theirs in zip([encoder.hidden[0], encoder.mu, encoder.logstd], convs):
            ours.bias.uniform_(-0.5, 0.5)
            theirs.lin.weight.copy_(ours.weight.T)
            theirs.bias.copy_(ours.bias)
    mu, logstd = encoder(x, SparseOperator(gcn_normalize(A), symmetric=True))
    hidden = torch.relu(convs[0](x, edge_index, weight))
    torch.testing.assert_close(mu, convs[1](hidden, edge_index, weight), atol=1e-5, rtol=1e-5)
    torch.testing.assert_close(logstd, convs[2](hidden, edge_index, weight), atol=1e-5,
                               rtol=1e-5)
    vgae = VGAE(torch.nn.Identity())
    torch.testing.assert_close(kl_divergence(mu, logstd), vgae.kl_loss(mu, logstd))
    wide = logstd + 20  # PyG clamps inside kl_loss; the encoder clamps its output
    torch.testing.assert_close(kl_divergence(mu, wide.clamp(max=MAX_LOGSTD)),
                               vgae.kl_loss(mu, wide), atol=1e-3, rtol=1e-6)
