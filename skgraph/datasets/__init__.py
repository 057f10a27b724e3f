"""Dataset readers for local benchmark files, and generated graphs."""

from ._generators import make_community_graph
from ._geom_gcn import load_geom_gcn
from ._npz import load_npz
from ._planetoid import load_planetoid
from ._tu import load_tu

__all__ = ["load_geom_gcn", "load_npz", "load_planetoid", "load_tu", "make_community_graph"]
