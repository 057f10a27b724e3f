"""Splitting graphs for evaluation and tuning without leakage."""

from ._edge_split import link_pairs, train_test_split_edges

__all__ = ["link_pairs", "train_test_split_edges"]
