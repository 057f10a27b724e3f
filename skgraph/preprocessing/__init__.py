"""Preprocessing inside a pipeline: transformers of the node features of graphs."""

from ._node_features import NodeFeatureTransformer

__all__ = ["NodeFeatureTransformer"]
