"""The seed's plain PyG VGAE (../shared/seeds/000_*.txt), written the usual way, as a reference."""

from __future__ import annotations

import torch
from torch_geometric.nn import VGAE, GCNConv


class VariationalGCNEncoder(torch.nn.Module):
    def __init__(self, in_channels: int, out_channels: int) -> None:
        super().__init__()
        self.conv1 = GCNConv(in_channels, 2 * out_channels)
        self.conv_mu = GCNConv(2 * out_channels, out_channels)
        self.conv_logstd = GCNConv(2 * out_channels, out_channels)

    def forward(self, x, edge_index):
        x = self.conv1(x, edge_index).relu()
        return self.conv_mu(x, edge_index), self.conv_logstd(x, edge_index)


def make_model(in_channels: int, out_channels: int = 16) -> VGAE:
    return VGAE(VariationalGCNEncoder(in_channels, out_channels))


def train_epoch(model: VGAE, optimizer, x, edge_index, pos_edge_index, num_nodes: int) -> float:
    """One epoch of the seed's loop: recon_loss (PyG's negative_sampling inside) + KL / n."""
    model.train()
    optimizer.zero_grad()
    z = model.encode(x, edge_index)
    loss = model.recon_loss(z, pos_edge_index) + (1 / num_nodes) * model.kl_loss()
    loss.backward()
    optimizer.step()
    return loss.item()


def fit(x, edge_index, pos_edge_index, epochs: int, out_channels: int = 16, lr: float = 0.01) -> VGAE:
    model = make_model(x.shape[1], out_channels)
    optimizer = torch.optim.Adam(model.parameters(), lr=lr)
    for _ in range(epochs):
        train_epoch(model, optimizer, x, edge_index, pos_edge_index, x.shape[0])
    return model
