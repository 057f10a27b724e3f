"""Inspecting fitted estimators that take graphs: which node features they rely on."""

from ._permutation_importance import permutation_importance

__all__ = ["permutation_importance"]
