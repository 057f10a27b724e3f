"""skgraph: scikit-learn estimators for graph machine learning, trained with PyTorch and PyG."""

from ._embedding import VGAEEmbedder
from ._graph import Graph, as_graph
from ._graph_classifier import GNNGraphClassifier
from ._graph_regressor import GNNGraphRegressor
from ._interop import embeddings_by_node, to_networkx
from ._link_prediction import LinkPredictor
from ._node2vec import Node2VecEmbedder
from ._node_classifier import GNNNodeClassifier
from ._node_regressor import GNNNodeRegressor
from ._pairs import NodePairs
from ._persistence import load
from ._training import EpochInfo
from ._version import __version__

__all__ = [
    "EpochInfo",
    "GNNGraphClassifier",
    "GNNGraphRegressor",
    "GNNNodeClassifier",
    "GNNNodeRegressor",
    "Graph",
    "LinkPredictor",
    "Node2VecEmbedder",
    "NodePairs",
    "VGAEEmbedder",
    "__version__",
    "as_graph",
    "embeddings_by_node",
    "load",
    "to_networkx",
]
