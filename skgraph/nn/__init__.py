"""Torch modules of skgraph: encoders, decoders, propagation and sampling."""

from ._autoencoder import (
    CosineDecoder,
    GCNEncoder,
    GCNLayer,
    GraphAutoEncoder,
    HadamardMLPDecoder,
    InnerProductDecoder,
    kl_divergence,
    reconstruction_loss,
)
from ._pair_scores import PairSet, pair_dot, pair_dots
from ._propagation import IdentityFeatures, SparseOperator, gcn_normalize
from ._sampling import EdgeSet, sample_negative_keys, sample_negative_pairs

__all__ = [
    "CosineDecoder",
    "EdgeSet",
    "GCNEncoder",
    "GCNLayer",
    "GraphAutoEncoder",
    "HadamardMLPDecoder",
    "IdentityFeatures",
    "InnerProductDecoder",
    "PairSet",
    "SparseOperator",
    "gcn_normalize",
    "kl_divergence",
    "pair_dot",
    "pair_dots",
    "reconstruction_loss",
    "sample_negative_keys",
    "sample_negative_pairs",
]
