"""Splitting graphs for evaluation and tuning without leakage."""

from ._edge_split import link_pairs, train_test_split_edges
from ._node_split import train_test_split_nodes

__all__ = ["link_pairs", "train_test_split_edges", "train_test_split_nodes"]
