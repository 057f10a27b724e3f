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
from ._propagation import IdentityFeatures, SparseOperator, gcn_normalize
from ._sampling import EdgeSet, sample_negative_pairs

__all__ = [
    "CosineDecoder",
    "EdgeSet",
    "GCNEncoder",
    "GCNLayer",
    "GraphAutoEncoder",
    "HadamardMLPDecoder",
    "IdentityFeatures",
    "InnerProductDecoder",
    "SparseOperator",
    "gcn_normalize",
    "kl_divergence",
    "reconstruction_loss",
    "sample_negative_pairs",
]
