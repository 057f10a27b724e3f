"""Dataset readers for local benchmark files, and generated graphs."""

from ._generators import make_community_graph
from ._planetoid import load_planetoid

__all__ = ["load_planetoid", "make_community_graph"]
