"""``VGAEEmbedder``: node embeddings from a (variational) graph auto-encoder."""

from __future__ import annotations

from typing import Any

import numpy as np
from sklearn.base import ClassNamePrefixFeaturesOutMixin, TransformerMixin

from ._autoencoder_estimator import BaseGraphAutoEncoder
from ._base import fit_context
from ._interop import selected_node_rows

__all__ = ["VGAEEmbedder"]


class VGAEEmbedder(ClassNamePrefixFeaturesOutMixin, TransformerMixin, BaseGraphAutoEncoder):
    """Node embeddings learned by a variational graph auto-encoder (Kipf & Welling, 2016).

    A GCN encoder maps node features and graph structure to a Gaussian per node; it is
    trained to reconstruct the graph's edges with an inner-product decoder, against fresh
    uniformly sampled non-edges each epoch, plus the KL term (weight ``1 / n_nodes``).
    ``transform`` returns the mean of each node's Gaussian, so it is deterministic.

    Parameters
    ----------
    n_components : int, default=16
        Embedding dimension.
    hidden_layer_sizes : int or sequence of int, default=(32,)
        Widths of the GCN layers before the embedding heads (may be empty; an int is one
        layer, as for MLPClassifier).
    variational : bool, default=True
        VGAE when True, plain GAE (no sampling, no KL term) when False.
    dropout : float, default=0.5
        Dropout after each hidden layer, during training. With ``weight_decay`` this is
        the GCN paper's regularisation.
    featureless : {"identity", "degree"}, default="identity"
        Node representation of a graph given without features. ``"identity"``: one-hot
        node identities, as in the paper's featureless model (best embeddings of the
        training graph; ``transform`` then only accepts that same graph). ``"degree"``:
        ``[1, log(1 + degree)]`` (the degree: the sum of the node's edge weights), which
        also applies to new graphs but tells nodes apart only by the degrees around them,
        not by the community they are in: clusters of such embeddings follow degrees
        (karate club, KMeans of the embeddings of ``random_state`` 0 .. 9: adjusted Rand
        index against the two factions about 0 for all ten, with ``"identity"`` 0.88 for
        nine and 0.07 for one), so cluster with ``"identity"``.
    max_epochs : int, default=200
        Maximum number of full-batch epochs.
    learning_rate : float, default=0.01
        Adam's step size.
    weight_decay : float, default=5e-4
        L2 penalty (Adam's ``weight_decay``).
    early_stopping : bool, default=False
        Hold out ``validation_fraction`` of the edges (and as many non-edges), stop when
        their ROC AUC has not improved by ``tol`` for ``n_iter_no_change`` epochs, and keep
        the best weights. When False, the training loss is watched instead.
    validation_fraction : float, default=0.1
        Fraction of edges held out with ``early_stopping``.
    n_iter_no_change : int or None, default=None
        Training stops once more than this many epochs in a row bring no improvement of
        ``tol`` (scikit-learn's MLP rule). ``None`` trains for
        ``max_epochs``: the reconstruction loss is stochastic (fresh negatives each epoch),
        and stopping on its plateaus ends training too early.
    tol : float, default=1e-4
        Minimum improvement that counts.
    device : {"auto", "cpu", "cuda", "cuda:N", "mps"}, default="auto"
        Where to train: ``"auto"`` picks CUDA, then MPS, then CPU.
    random_state : int, RandomState instance or None, default=None
        Seeds weights, sampling and dropout; fits with the same integer agree on CPU.
    verbose : int, default=0
        Show a progress bar with the current loss.
    warm_start : bool, default=False
        Continue from the previous fit's weights and feature scaling (same architecture
        and input width); a network that no longer fits is replaced, with a warning.
    callbacks : list of callable or None, default=None
        Each is called after every epoch as ``callback(info)`` with a
        :class:`~skgraph.EpochInfo` (epoch, loss, validation score, step size, seconds,
        the module); one returning True stops training there. ``save`` does not store them
        (code never is).
    batch_size : int or None, default=None
        None trains full-batch on all edges at once. An int trains on batches of that many
        edges (with as many fresh non-edges), each on the sampled neighbourhood of their
        endpoints (see ``fanouts``): memory then grows with the batch, not with the graph.
        Embeddings are computed exactly either way (every neighbour, layer by layer; after
        a mini-batch fit a chunk of rows at a time, so that memory stays bounded).
    fanouts : sequence of int or None, default=None
        With ``batch_size``: neighbours sampled per node at each hop, one entry per graph
        convolution of the encoder (``len(hidden_layer_sizes) + 1``), ``-1`` for all; None
        samples 10 per hop.

    Attributes
    ----------
    module_ : torch.nn.Module
        The trained graph auto-encoder.
    n_features_in_ : int
        Width of the node features seen in fit (0 for a featureless graph).
    n_nodes_ : int
        Nodes of the graph seen in fit.
    feature_scale_ : float
        Global max-abs value of the training features; features are divided by it (also
        at ``transform``), so the model does not depend on their overall scale.
    loss_curve_ : list of float
        Training loss per epoch; a ``warm_start`` fit appends its own.
    validation_scores_ : list of float or None
        Validation ROC AUC per epoch with ``early_stopping``.
    best_validation_score_ : float or None
        The best of ``validation_scores_`` (None without ``early_stopping``).
    best_loss_ : float
        The lowest training loss of ``loss_curve_``.
    n_iter_ : int
        Epochs trained: the last fit's, plus those of the fits it continued with
        ``warm_start`` (as ``loss_curve_`` holds them all; MLPClassifier's rule).
    device_ : str
        Device the model lives on.

    See Also
    --------
    LinkPredictor : the same encoder trained to score node pairs.

    Examples
    --------
    >>> from skgraph import VGAEEmbedder
    >>> from skgraph.datasets import make_community_graph
    >>> G, communities = make_community_graph(n_nodes=60, random_state=0)
    >>> Z = VGAEEmbedder(n_components=8, max_epochs=50, random_state=0).fit_transform(G)
    >>> Z.shape
    (60, 8)
    """

    def __init__(self, n_components: int = 16, *, hidden_layer_sizes=(32,), variational: bool = True,
                 dropout: float = 0.5, featureless: str = "identity", max_epochs: int = 200,
                 learning_rate: float = 0.01, weight_decay: float = 5e-4,
                 early_stopping: bool = False, validation_fraction: float = 0.1,
                 n_iter_no_change: int | None = None, tol: float = 1e-4, device: str = "auto",
                 random_state=None, verbose: int = 0, warm_start: bool = False,
                 callbacks: list | None = None, batch_size: int | None = None,
                 fanouts: tuple | None = None) -> None:
        self.n_components = n_components
        self.hidden_layer_sizes = hidden_layer_sizes
        self.variational = variational
        self.dropout = dropout
        self.featureless = featureless
        self.max_epochs = max_epochs
        self.learning_rate = learning_rate
        self.weight_decay = weight_decay
        self.early_stopping = early_stopping
        self.validation_fraction = validation_fraction
        self.n_iter_no_change = n_iter_no_change
        self.tol = tol
        self.device = device
        self.random_state = random_state
        self.verbose = verbose
        self.warm_start = warm_start
        self.callbacks = callbacks
        self.batch_size = batch_size
        self.fanouts = fanouts

    @fit_context
    def fit(self, X: Any, y: Any = None) -> VGAEEmbedder:
        """Train the auto-encoder on the whole graph behind ``X``.

        Parameters
        ----------
        X : Graph or any accepted graph input
            A node view trains on the whole graph (transductive).
        y : ignored

        Returns
        -------
        self
        """
        return self._fit_graph(X)

    def transform(self, X: Any) -> np.ndarray:
        """Mean embeddings of the nodes of ``X`` (the selected nodes, for a node view).

        Parameters
        ----------
        X : Graph or any accepted graph input
            The training graph or, inductively, a new graph with the same feature width.

        Returns
        -------
        ndarray of shape (n_selected_nodes, n_components), float32
            A pandas DataFrame under ``set_output(transform="pandas")``, indexed by node
            (an Index named ``node``): the node names where the graph has them (e.g. a
            networkx graph's nodes), else their positions in the whole graph.
        """
        graph = self._inference_graph(X)
        return selected_node_rows(self, self._embed(graph).cpu().numpy(), graph)

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.transformer_tags.preserves_dtype = ["float32"]  # embeddings are float32 always
        return tags

    @property
    def _n_features_out(self) -> int:
        return self.n_components
