"""Torch modules and sparse kernels of skgraph's estimators (private).

``_sparse``: CSR tensors and products; ``_propagation``: the cached normalised operator and
the neighbour sum with fast backwards; ``_pair_scores``: node-pair scores; ``_graph_autoencoder``:
the GCN encoder, pair decoders and the VGAE loss; ``_graph_networks``: convolutions,
readouts and the graph-level networks.
"""
