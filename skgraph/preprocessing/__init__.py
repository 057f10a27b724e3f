"""Preprocessing inside a pipeline: transformers of the node features of graphs, and
structural features computed from the graphs."""

from ._node_features import NodeFeatureTransformer
from ._random_walks import RandomWalkEncoding

__all__ = ["NodeFeatureTransformer", "RandomWalkEncoding"]
