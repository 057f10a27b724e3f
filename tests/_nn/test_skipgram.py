"""SkipGram's loss and gradients, equal to PyG's Node2Vec on the same walks."""

import types

import numpy as np
import pytest
import torch
from torch_geometric.nn.models import Node2Vec

from skgraph._nn._skipgram import SkipGram


def _pyg_windows(walks, context_size):
    """PyG's Node2Vec.pos_sample cutting ``walks`` (as if its random walk drew them)."""
    fake = types.SimpleNamespace(
        walks_per_node=1, walk_length=walks.shape[1] - 1, context_size=context_size,
        p=1.0, q=1.0, rowptr=None, col=None,
        random_walk_fn=lambda rowptr, col, batch, length, p, q: walks)
    return Node2Vec.pos_sample(fake, torch.arange(len(walks)))


@pytest.mark.parametrize("length, context_size", [(20, 10), (6, 2), (5, 5)])
def test_loss_and_gradient_equal_pygs_node2vec(length, context_size):
    torch.manual_seed(0)
    n_nodes, dim = 50, 16
    ours = SkipGram(n_nodes, dim)
    walks = torch.randint(n_nodes, (30, length))
    random_walks = torch.cat([walks[:, :1], torch.randint(n_nodes, (30, length - 1))], dim=1)
    loss = ours.loss(walks, random_walks, context_size)
    loss.backward()
    ours_grad = ours.embedding.weight.grad.to_dense()

    table = torch.nn.Embedding(n_nodes, dim)
    table.weight.data.copy_(ours.embedding.weight.data)
    pyg = types.SimpleNamespace(embedding=table, embedding_dim=dim, EPS=1e-15)
    reference = Node2Vec.loss(pyg, _pyg_windows(walks, context_size),
                              _pyg_windows(random_walks, context_size))
    reference.backward()
    torch.testing.assert_close(loss, reference, rtol=1e-5, atol=1e-6)
    torch.testing.assert_close(ours_grad, table.weight.grad, rtol=1e-4, atol=1e-6)
    # a step touches the rows of its walks only
    touched = torch.unique(torch.cat([walks.ravel(), random_walks.ravel()]))
    untouched = np.setdiff1d(np.arange(n_nodes), touched.numpy())
    assert (ours_grad[untouched] == 0).all() and ours.embedding.weight.grad.is_sparse


def test_embeddings_start_small():
    table = SkipGram(2000, 128).embedding.weight.detach()
    assert abs(float(table.std()) - 128 ** -0.5) < 0.01
