"""Torch modules of skgraph: encoders, decoders, propagation, sampling, graph classifiers."""

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
from ._graph_networks import (
    GraphClassificationEnsemble,
    GraphClassificationNetwork,
    SumConv,
    make_conv,
    make_readout,
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
    "GraphClassificationEnsemble",
    "GraphClassificationNetwork",
    "HadamardMLPDecoder",
    "IdentityFeatures",
    "InnerProductDecoder",
    "PairSet",
    "SparseOperator",
    "SumConv",
    "gcn_normalize",
    "kl_divergence",
    "make_conv",
    "make_readout",
    "pair_dot",
    "pair_dots",
    "reconstruction_loss",
    "sample_negative_keys",
    "sample_negative_pairs",
]
