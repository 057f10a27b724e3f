"""``Node2VecEmbedder``: node embeddings from random walks (DeepWalk, node2vec)."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from numbers import Real
from typing import Any

import numpy as np
import torch
from sklearn.base import ClassNamePrefixFeaturesOutMixin, TransformerMixin
from sklearn.utils._param_validation import Interval
from sklearn.utils.validation import check_is_fitted

from ._base import TRAINING_PARAMETER_CONSTRAINTS, BaseGraphEstimator, fit_context
from ._device import torch_defaults
from ._distributed import distributed_context
from ._graph import _is_instance_of, as_graph
from ._interop import selected_node_rows
from ._nn._skipgram import SkipGram
from ._node_inputs import structure_fingerprint
from ._parameters import IntInterval
from ._random_walks import RandomWalker

__all__ = ["Node2VecEmbedder"]


@dataclass
class _WalkData:
    walker: RandomWalker
    starts: torch.Tensor  # the nodes walks start from: every node with an edge
    n_nodes: int
    device: torch.device


class Node2VecEmbedder(ClassNamePrefixFeaturesOutMixin, TransformerMixin, BaseGraphEstimator):
    """Node embeddings from random walks: node2vec (Grover & Leskovec, 2016), and DeepWalk
    (Perozzi et al., 2014) with ``p = q = 1``.

    Walks of ``walk_length`` nodes start ``walks_per_node`` times from every node with an
    edge each epoch; nodes within ``context_size`` steps of each other on a walk are pulled together
    and random nodes apart (skip-gram with negative sampling, as PyG's ``Node2Vec``, which
    needs pyg-lib to walk; this does not). A step follows an edge with probability
    proportional to its weight; ``p`` and ``q`` bias the walk's second step on:
    ``p < 1`` keeps it near where it came from, ``q < 1`` pushes it outwards
    (depth-first, across a community), ``q > 1`` keeps it local (breadth-first). The
    embeddings use the
    edges only: node features, if the graph has them, are not read (:class:`VGAEEmbedder`
    reads both). Embeddings exist for the nodes of the fitted graph only (transductive):
    ``transform`` takes that graph or a node view of it. An isolated node has no walk and
    is never drawn as a random node: its vector stays at its small random start, near no
    other node's (as word2vec leaves the words it never saw). Vectors are best compared by
    direction: L2-normalise them before KMeans or cosine similarity.

    Parameters
    ----------
    n_components : int, default=128
        Embedding dimension.
    walk_length : int, default=20
        Nodes per walk, the start included.
    context_size : int, default=10
        Nodes per window of a walk (the first is the centre): how far apart two nodes of a
        walk may be and still count as near. At most ``walk_length``.
    walks_per_node : int, default=10
        Walks from each node per epoch.
    p : float, default=1.0
        Return parameter: the walk steps back to the node it came from with weight ``1 / p``.
    q : float, default=0.5
        In-out parameter: a step to a node that is not a neighbour of the previous one has
        weight ``1 / q`` (one to a common neighbour, 1). The default 0.5 (walks that move
        outwards) scored above 1 (DeepWalk's) and 2 on the validation nodes of each of the
        five node-level benchmark sets (see the benchmarks page); ``q=1`` gives DeepWalk.
    negative_samples : int, default=1
        Random windows per window of a walk.
    batch_size : int, default=128
        Start nodes per optimisation step (each with its ``walks_per_node`` walks). A step's
        memory grows with ``batch_size * walks_per_node * walk_length * n_components``; a
        larger batch makes fewer steps an epoch, so with ``max_epochs=None`` more epochs
        (at least 100 steps), not a faster fit.
    max_epochs : int or None, default=None
        Epochs: passes over every start node. None trains at least 5, and on a small graph
        (few batches per epoch) as many as make 100 optimisation steps: Cora's 2,708 nodes
        take 5 epochs of 22 steps, the karate club's 34 take 100 of one.
    learning_rate : float, default=0.01
        Step size of :class:`torch.optim.SparseAdam` (which steps only the rows of a batch).
    n_iter_no_change : int or None, default=None
        Stop once more than this many epochs in a row bring no improvement of ``tol`` in
        the training loss; None trains for ``max_epochs``.
    tol : float, default=1e-4
        Minimum improvement that counts.
    device : {"auto", "cpu", "cuda", "cuda:N"}, default="auto"
        Where to train: ``"auto"`` picks CUDA, then CPU (MPS has neither the float64 the
        walks sum weights in nor sparse gradients: ``"mps"`` is refused).
    random_state : int, RandomState instance or None, default=None
        Seeds the embeddings' start, the walks and the negatives; fits with the same
        integer agree on CPU.
    verbose : int, default=0
        Show a progress bar with the current loss.
    warm_start : bool, default=False
        Continue from the previous fit's embeddings (a graph of as many nodes).
    callbacks : list of callable or None, default=None
        Each is called after every epoch with a :class:`~skgraph.EpochInfo`; one returning
        True stops training there.

    Attributes
    ----------
    module_ : torch.nn.Module
        The trained embedding table (``module_.embedding``).
    embedding_ : ndarray of shape (n_nodes, n_components), float32
        Every node's vector, in the fitted graph's node order (a copy; karateclub's
        ``get_embedding()``); ``transform`` gives them by node view or name.
    n_nodes_ : int
        Nodes of the graph seen in fit.
    n_features_in_ : int
        Width of that graph's node features (not read; 0 for none).
    loss_curve_ : list of float
        Mean training loss per epoch; a ``warm_start`` fit appends its own.
    best_loss_ : float
        The lowest training loss of ``loss_curve_``.
    n_iter_ : int
        Epochs trained: the last fit's, plus those of the fits it continued with
        ``warm_start``.
    device_ : str
        Device the model lives on.

    See Also
    --------
    VGAEEmbedder : embeddings from node features and edges, also for new graphs.

    Examples
    --------
    >>> from skgraph import Node2VecEmbedder
    >>> from skgraph.datasets import make_community_graph
    >>> G, communities = make_community_graph(n_nodes=60, n_features=0, random_state=0)
    >>> Z = Node2VecEmbedder(n_components=8, random_state=0).fit_transform(G)
    >>> Z.shape
    (60, 8)
    """

    _parameter_constraints: dict = {
        **{name: TRAINING_PARAMETER_CONSTRAINTS[name]
           for name in ("learning_rate", "n_iter_no_change", "tol", "device",
                        "random_state", "verbose", "warm_start", "callbacks")},
        "max_epochs": [IntInterval(1, None, closed="left"), None],
        "n_components": [IntInterval(1, None, closed="left")],
        "walk_length": [IntInterval(2, None, closed="left")],
        "context_size": [IntInterval(2, None, closed="left")],
        "walks_per_node": [IntInterval(1, None, closed="left")],
        "p": [Interval(Real, 0, None, closed="neither")],
        "q": [Interval(Real, 0, None, closed="neither")],
        "negative_samples": [IntInterval(1, None, closed="left")],
        "batch_size": [IntInterval(1, None, closed="left")],
    }

    def __init__(self, n_components: int = 128, *, walk_length: int = 20,
                 context_size: int = 10, walks_per_node: int = 10, p: float = 1.0,
                 q: float = 0.5, negative_samples: int = 1, batch_size: int = 128,
                 max_epochs: int | None = None, learning_rate: float = 0.01,
                 n_iter_no_change: int | None = None, tol: float = 1e-4,
                 device: str = "auto", random_state=None, verbose: int = 0,
                 warm_start: bool = False, callbacks: list | None = None) -> None:
        self.n_components = n_components
        self.walk_length = walk_length
        self.context_size = context_size
        self.walks_per_node = walks_per_node
        self.p = p
        self.q = q
        self.negative_samples = negative_samples
        self.batch_size = batch_size
        self.max_epochs = max_epochs
        self.learning_rate = learning_rate
        self.n_iter_no_change = n_iter_no_change
        self.tol = tol
        self.device = device
        self.random_state = random_state
        self.verbose = verbose
        self.warm_start = warm_start
        self.callbacks = callbacks

    # torch has no float64 on MPS (the walks' running sums) nor sparse gradients there
    _mps_unsupported = ("its walks sum weights in float64 and its embedding table takes "
                        "sparse gradients, neither of which MPS has.")

    def _build_module(self) -> SkipGram:
        return SkipGram(self.n_nodes_, self.n_components)

    def _module_signature(self) -> tuple:
        return (self.n_nodes_, self.n_components)

    def _warm_start_hint(self) -> str:
        fitted = getattr(self, "_fitted_signature", None)
        if fitted is None or fitted[0] == self.n_nodes_:
            return ""
        return (f" Its table holds one vector per node: a graph of {self.n_nodes_} nodes "
                f"after one of {fitted[0]} needs another.")

    @fit_context
    def fit(self, X: Any, y: Any = None) -> Node2VecEmbedder:
        """Learn an embedding of every node of the graph behind ``X`` from walks on it.

        Parameters
        ----------
        X : Graph or any accepted graph input
            A node view trains on the whole graph (transductive).
        y : ignored

        Returns
        -------
        self
        """
        if self.context_size > self.walk_length:
            raise ValueError(f"context_size ({self.context_size}) must be at most walk_length "
                             f"({self.walk_length}): a window is part of a walk.")
        graph = _read_graph(X).whole()
        if graph.n_edges == 0:
            raise ValueError("Node2VecEmbedder learns from walks along edges, but the graph "
                             "has none.")
        if distributed_context(torch.device("cpu")) is not None:
            raise ValueError("Node2VecEmbedder trains in one process; under torchrun, fit it "
                             "on one rank.")
        self.n_nodes_ = graph.n_nodes
        self.n_features_in_ = graph.n_features
        self._structure = _walk_fingerprint(graph.adjacency)
        adjacency = graph.adjacency
        # an isolated node has no walk (only itself, again and again): its vector keeps its
        # small random start, near no other, rather than learning to be like itself alone
        starts = np.flatnonzero(np.diff(adjacency.indptr) > 0)
        self._n_walk_starts = len(starts)

        def prepare(device: torch.device, _rng: np.random.Generator) -> _WalkData:
            return _WalkData(RandomWalker(adjacency, self.p, self.q, device),
                             torch.as_tensor(starts, device=device), graph.n_nodes, device)

        self._fit_module(prepare, self._run_epoch, sparse_gradients=True)
        return self

    # epochs and steps of the default training length (max_epochs=None)
    _MIN_EPOCHS, _MIN_STEPS = 5, 100

    def _epochs(self) -> int:
        if self.max_epochs is not None:
            return self.max_epochs
        steps_per_epoch = -(-self._n_walk_starts // self.batch_size)
        return max(self._MIN_EPOCHS, -(-self._MIN_STEPS // steps_per_epoch))

    def _run_epoch(self, module: SkipGram, optimizer, data: _WalkData) -> float:
        order = data.starts[torch.randperm(len(data.starts), device=data.device)]
        total, steps = 0.0, 0
        for start in range(0, len(order), self.batch_size):
            batch = order[start:start + self.batch_size]
            walks, random_walks = self._walks(batch, data)
            optimizer.zero_grad()
            loss = module.loss(walks, random_walks, self.context_size)
            loss.backward()
            optimizer.step()
            total += float(loss.detach())
            steps += 1
        return total / steps

    def _walks(self, batch: torch.Tensor, data: _WalkData) -> tuple[torch.Tensor, torch.Tensor]:
        """Walks from ``batch``, and random walks as PyG's ``Node2Vec`` draws them: each a
        start node followed by uniform random nodes (here of those with an edge)."""
        walks = data.walker.walks(batch.repeat(self.walks_per_node), self.walk_length)
        starts = batch.repeat(self.walks_per_node * self.negative_samples)
        # random nodes among those with an edge (as word2vec draws negatives from its
        # corpus): an isolated node drawn only ever as a negative would be pushed, with
        # every other such node, away from all the rest, into a cluster of their own
        random = data.starts[torch.randint(len(data.starts), (len(starts), self.walk_length - 1),
                                           device=data.device)]
        return walks, torch.cat([starts[:, None], random], dim=1)

    @torch_defaults()
    def transform(self, X: Any) -> np.ndarray:
        """The embeddings of the nodes of ``X``: the fitted graph, or a node view of it.

        Parameters
        ----------
        X : Graph or any accepted graph input

        Returns
        -------
        ndarray of shape (n_selected_nodes, n_components), float32
            A pandas DataFrame under ``set_output(transform="pandas")``, indexed by node
            (the node names where the graph has them, else positions).
        """
        check_is_fitted(self, "module_")
        graph = _read_graph(X)
        if (graph.n_nodes != self.n_nodes_
                or _walk_fingerprint(graph.adjacency) != self._structure):
            raise ValueError(
                "Node2VecEmbedder embeds the nodes of the graph it was fitted on (one learned "
                "vector per node) and this is another graph (other edges or edge weights, "
                "which steer the walks); refit on it, or, for embeddings of new graphs from "
                "node features, use VGAEEmbedder.")
        table = self.module_.embedding.weight.detach().cpu().numpy()
        return selected_node_rows(self, table if graph.is_view else table.copy(), graph)

    @property
    def embedding_(self) -> np.ndarray:
        check_is_fitted(self, "module_")
        return self.module_.embedding.weight.detach().cpu().numpy().copy()

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.target_tags.required = False
        tags.transformer_tags.preserves_dtype = ["float32"]
        return tags

    @property
    def _n_features_out(self) -> int:
        return self.n_components


def _read_graph(X: Any):
    """``as_graph(X)``, without the warning about a networkx graph's numeric node
    attributes: no node attribute is a feature here."""
    return as_graph(X, node_attributes=[] if _is_instance_of(X, "networkx", "Graph") else None)


def _walk_fingerprint(adjacency) -> str:
    """A hash of what the walks follow: the edges and their weights."""
    digest = hashlib.blake2b(structure_fingerprint(adjacency).encode(), digest_size=16)
    digest.update(np.ascontiguousarray(adjacency.data, dtype=np.float64).tobytes())
    return digest.hexdigest()
