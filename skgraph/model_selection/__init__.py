"""Splitting graphs for evaluation without leakage."""

from ._edge_split import train_test_split_edges

__all__ = ["train_test_split_edges"]
