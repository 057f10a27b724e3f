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
    GINConv,
    GraphClassificationEnsemble,
    GraphClassificationNetwork,
    MeanReadout,
    SumConv,
    SumReadout,
    make_conv,
    make_readout,
)
from ._pair_scores import PairSet, pair_dot, pair_dots
from ._propagation import IdentityFeatures, NeighbourSum, SparseOperator, gcn_normalize
from ._sampling import EdgeSet, sample_negative_keys, sample_negative_pairs

__all__ = [
    "CosineDecoder",
    "EdgeSet",
    "GCNEncoder",
    "GCNLayer",
    "GINConv",
    "GraphAutoEncoder",
    "GraphClassificationEnsemble",
    "GraphClassificationNetwork",
    "HadamardMLPDecoder",
    "IdentityFeatures",
    "InnerProductDecoder",
    "MeanReadout",
    "NeighbourSum",
    "PairSet",
    "SparseOperator",
    "SumConv",
    "SumReadout",
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
