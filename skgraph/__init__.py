"""skgraph: scikit-learn estimators for graph machine learning, trained with PyTorch and PyG."""

from ._embedding import VGAEEmbedder
from ._graph import Graph, as_graph

__version__ = "0.1.0"

__all__ = ["Graph", "VGAEEmbedder", "as_graph", "__version__"]
