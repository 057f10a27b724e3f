"""Preprocessing inside a pipeline: transformers of the node features of graphs, and
structural features computed from the graphs (per node, or a row per graph)."""

from ._node_features import NodeFeatureTransformer
from ._random_walks import RandomWalkEncoding
from ._weisfeiler_lehman import WeisfeilerLehmanFeatures

__all__ = ["NodeFeatureTransformer", "RandomWalkEncoding", "WeisfeilerLehmanFeatures"]
