"""skgraph: scikit-learn estimators for graph machine learning, trained with PyTorch and PyG."""

from ._embedding import VGAEEmbedder
from ._graph_classifier import GNNGraphClassifier
from ._graph import Graph, as_graph
from ._link_prediction import LinkPredictor
from ._pairs import NodePairs

__version__ = "0.1.0"

__all__ = [
    "GNNGraphClassifier",
    "Graph",
    "LinkPredictor",
    "NodePairs",
    "VGAEEmbedder",
    "as_graph",
    "__version__",
]
