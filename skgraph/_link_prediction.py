"""``LinkPredictor``: a binary classifier over node pairs of one graph."""

from __future__ import annotations

import numbers
from typing import Any

import numpy as np
import scipy.sparse as sp
import torch
from sklearn.base import ClassifierMixin
from sklearn.metrics import roc_auc_score
from sklearn.utils._param_validation import StrOptions
from sklearn.utils.validation import check_is_fitted

from ._autoencoder_estimator import BaseGraphAutoEncoder
from ._base import fit_context
from ._device import thread_limit, torch_defaults
from ._edges import edge_key_sample, edge_share, pair_pattern
from ._graph import Graph, _lookup_names, as_graph, is_single_graph, keep_feature_names
from ._nn._graph_autoencoder import CosineDecoder, HadamardMLPDecoder
from ._node_inputs import structure_fingerprint
from ._pairs import NodePairs, UnknownNodeError, as_node_names, resolve_nodes, resolve_pairs
from ._parameters import IntInterval
from ._text_features import plain_value
from ._warnings import warn_caller

__all__ = ["LinkPredictor"]

_CHUNK = 1 << 20  # pairs decoded at once at prediction time
_SCORE_BLOCK = 1 << 24  # scores (times the decoder's width) of recommend at once: 64 MB
_TRAINED_EDGE_SAMPLE = 100_000  # edges kept to check scored positives against (800 kB)


def _edge_probability(logits: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-logits.astype(np.float64)))


def _excluded_cells(queries: np.ndarray, column: np.ndarray,
                    excluded: sp.csr_array) -> tuple[torch.Tensor, torch.Tensor]:
    """(row, column) cells of a block of scores (``queries`` by the candidates, whose
    columns ``column`` gives) that are not recommended: each query itself and its
    excluded pairs."""
    block = excluded[queries]
    counts = np.diff(block.indptr)
    rows = np.r_[np.arange(len(queries)), np.repeat(np.arange(len(queries)), counts)]
    columns = column[np.r_[queries, block.indices]]
    kept = columns >= 0
    return torch.from_numpy(rows[kept]), torch.from_numpy(columns[kept])


class LinkPredictor(ClassifierMixin, BaseGraphAutoEncoder):
    """Link prediction with a graph auto-encoder: fit on a graph, score node pairs.

    A GCN encoder (variational or not) embeds the nodes of the training graph; a pair
    decoder turns two embeddings into the logit of an edge. Training reconstructs the
    graph's edges against fresh uniformly sampled non-edges every epoch (a known edge is
    never sampled as a negative). Classes are ``[0, 1]``: no edge, edge.

    Parameters
    ----------
    n_components : int, default=64
        Embedding dimension.
    hidden_layer_sizes : int or sequence of int, default=(128,)
    decoder : {"cosine", "inner_product", "hadamard_mlp"}, default="cosine"
        ``"cosine"``: ``a * cos(z_i, z_j) + b`` with learned ``a``, ``b`` (free of the inner
        product's degree bias); ``"inner_product"``: ``<z_i, z_j>`` (the VGAE paper's);
        ``"hadamard_mlp"``: an MLP on ``z_i * z_j`` with ``decoder_hidden_size`` units.
    decoder_hidden_size : int, default=64
    variational : bool, default=False
        VGAE when True, plain GAE (no sampling, no KL term) when False.
    dropout : float, default=0.8
        Dropout after the hidden layer (and in the MLP decoder), during training: strong
        regularisation suits link prediction on node features as given (bag-of-words
        counts or indicators, attributes), see the benchmarks page.
    featureless : {"identity", "degree"}, default="identity"
    max_epochs : int, default=200
    learning_rate : float, default=0.01
    weight_decay : float, default=5e-4
    early_stopping : bool, default=False
        Hold out ``validation_fraction`` of the edges and keep the weights with the best
        validation ROC AUC, stopping after ``n_iter_no_change`` epochs without improvement.
    validation_fraction : float, default=0.1
    n_iter_no_change : int or None, default=None
    tol : float, default=1e-4
    device : {"auto", "cpu", "cuda", "cuda:N", "mps"}, default="auto"
    random_state : int, RandomState instance or None, default=None
    verbose : int, default=0
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
    classes_ : ndarray ``[0, 1]``
    embedding_ : ndarray of shape (n_nodes, n_components)
        Node embeddings of the training graph, used to score pairs.
    node_names_ : ndarray of shape (n_nodes,) or None
        The training graph's node names, by which pairs may be given.
    module_, n_features_in_, n_nodes_, feature_scale_, loss_curve_, validation_scores_, \
best_validation_score_, best_loss_, n_iter_, device_
        As for :class:`VGAEEmbedder`.

    Notes
    -----
    ``score`` returns the ROC AUC of ``predict_proba`` (what link-prediction studies
    report), not accuracy; ``GridSearchCV`` therefore tunes for ROC AUC by default. To tune
    without leakage, cross-validate over :func:`skgraph.model_selection.link_pairs`.

    Examples
    --------
    >>> from skgraph import LinkPredictor
    >>> from skgraph.datasets import make_community_graph
    >>> from skgraph.model_selection import train_test_split_edges
    >>> G, _ = make_community_graph(n_nodes=200, p_in=0.3, p_out=0.01, random_state=0)
    >>> G_train, pairs, y = train_test_split_edges(G, test_size=0.1, random_state=0)
    >>> lp = LinkPredictor(max_epochs=100, random_state=0).fit(G_train)
    >>> lp.predict_proba(pairs).shape == (len(pairs), 2)
    True
    >>> bool(lp.score(pairs, y) > 0.7)  # ROC AUC; 0.5 is chance
    True
    """

    _parameter_constraints: dict = {
        **BaseGraphAutoEncoder._parameter_constraints,
        "decoder": [StrOptions({"inner_product", "cosine", "hadamard_mlp"})],
        "decoder_hidden_size": [IntInterval(1, None, closed="left")],
    }

    def __init__(self, n_components: int = 64, *, hidden_layer_sizes=(128,),
                 decoder: str = "cosine", decoder_hidden_size: int = 64,
                 variational: bool = False, dropout: float = 0.8, featureless: str = "identity",
                 max_epochs: int = 200, learning_rate: float = 0.01, weight_decay: float = 5e-4,
                 early_stopping: bool = False, validation_fraction: float = 0.1,
                 n_iter_no_change: int | None = None, tol: float = 1e-4, device: str = "auto",
                 random_state=None, verbose: int = 0, warm_start: bool = False,
                 callbacks: list | None = None, batch_size: int | None = None,
                 fanouts: tuple | None = None) -> None:
        self.n_components = n_components
        self.hidden_layer_sizes = hidden_layer_sizes
        self.decoder = decoder
        self.decoder_hidden_size = decoder_hidden_size
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

    def _build_decoder(self) -> torch.nn.Module | None:
        if self.decoder == "cosine":
            return CosineDecoder()
        if self.decoder == "hadamard_mlp":
            return HadamardMLPDecoder(self.n_components, self.decoder_hidden_size, self.dropout)
        return None

    @fit_context
    def fit(self, X: Any, y: Any = None) -> LinkPredictor:
        """Learn to predict the edges of a graph.

        Parameters
        ----------
        X : Graph, any accepted graph input, or NodePairs
            The training graph: every edge is a positive example. For a selection of
            :class:`NodePairs`, the pairs of the whole set that are edges but are not
            selected are removed from the graph first (held out, never seen).
        y : ignored
            Labels come from the graph's edges.

        Returns
        -------
        self
        """
        pairs_graph = None
        if isinstance(X, NodePairs):
            pairs_graph = X.graph
            X = keep_feature_names(Graph(X.training_adjacency(), X.graph.features,
                                         node_names=X.graph.node_names), X.graph)
        graph = as_graph(X)
        if graph.is_view:
            raise ValueError(
                "LinkPredictor learns from a graph's edges; a node view G[idx] selects nodes, "
                "which it cannot split (fitting it would use every edge). To cross-validate, "
                "split node pairs: P, y = skgraph.model_selection.link_pairs(G), then "
                "cross_val_score(LinkPredictor(), P, y).")
        graph = graph.whole()
        self._fit_graph(graph)
        self.node_names_ = graph.node_names
        # the edges of the graph whose NodePairs this model scores (the whole set's, for a
        # fold of NodePairs): pairs of another graph of as many nodes are refused
        self._pairs_structure = structure_fingerprint((pairs_graph or graph).adjacency)
        # what score checks its positive pairs against (a sample of a large graph's edges)
        self._trained_edges = edge_key_sample(graph.adjacency, _TRAINED_EDGE_SAMPLE)
        self._n_trained_edges = graph.n_edges
        self.classes_ = np.array([0, 1])
        self.embedding_ = self._embed(graph).cpu().numpy()
        return self

    @torch_defaults()
    def decision_function(self, X: Any) -> np.ndarray:
        """Edge logits of node pairs.

        Parameters
        ----------
        X : array-like of shape (n_pairs, 2) or NodePairs
            Pairs of nodes of the training graph: positions ``0 .. n_nodes - 1``, or, for a
            graph with node names (a networkx graph's nodes, ``Graph(node_names=...)``), pairs
            of names such as ``[("alice", "bob")]``. With names, integer pairs still mean
            positions unless the names are integers themselves (then integers are names).
            An unknown name is a ``ValueError`` naming it. A pair of a node with itself
            gets a warning: graphs here hold no self loops, so its score means nothing
            (a similarity decoder scores it highest).

            Pairs of a *new* graph with the same feature width (a later snapshot with new
            nodes, another graph of the same kind) as ``NodePairs(new_graph, pairs)``: the
            fitted encoder embeds that graph's nodes from their features and its edges
            (inductive), and the decoder scores the pairs. :class:`NodePairs` of the fitted
            graph (the same edges) use the fitted embeddings.

        Returns
        -------
        ndarray of shape (n_pairs,)
        """
        return self._pair_logits(X)[1]

    @torch_defaults()
    def _pair_logits(self, X: Any) -> tuple[np.ndarray, np.ndarray]:
        """The positions of the pairs ``X`` and their logits."""
        check_is_fitted(self, "embedding_")
        device = torch.device(self.device_)
        if self._of_another_graph(X):
            # pairs of a new graph: its nodes embedded by the fitted encoder (inductive)
            pairs = X.pairs
            z = self._embed(self._inference_graph(X.graph))
        else:
            if isinstance(X, NodePairs) and X.graph.n_features != self.n_features_in_:
                raise ValueError(f"these NodePairs' graph has {X.graph.n_features} features, "
                                 f"but LinkPredictor is expecting {self.n_features_in_} "
                                 "features as input (node feature width seen in fit).")
            try:
                pairs = resolve_pairs(X, self.n_nodes_, getattr(self, "node_names_", None))
            except UnknownNodeError as exc:
                raise UnknownNodeError(
                    f"{exc} Arrays of pairs are pairs of the fitted graph; for pairs of a new "
                    "graph (new nodes), give NodePairs(new_graph, pairs).") from None
            z = torch.as_tensor(self.embedding_, device=device)
        self_pairs = np.flatnonzero(pairs[:, 0] == pairs[:, 1])
        if len(self_pairs):
            warn_caller(f"{len(self_pairs)} of the pairs join a node to itself (the first: "
                        f"pairs[{self_pairs[0]}]); graphs hold no self loops, so their scores "
                        "mean nothing.")
        out = np.empty(len(pairs), dtype=np.float32)
        self.module_.eval()
        with torch.no_grad(), thread_limit(len(pairs) * self.n_components):
            for start in range(0, len(pairs), _CHUNK):
                chunk = torch.as_tensor(pairs[start:start + _CHUNK].T.copy(), device=device)
                out[start:start + _CHUNK] = self.module_.decoder(z, chunk).cpu().numpy()
        return pairs, out

    def _of_another_graph(self, X: Any) -> bool:
        """Whether ``X`` is :class:`NodePairs` of a graph other than the fitted one (for a
        model fitted on a fold of NodePairs: other than the whole set's graph)."""
        if not isinstance(X, NodePairs):
            return False
        fitted_structure = getattr(self, "_pairs_structure", None)
        if fitted_structure is None:  # saved before 0.2: pairs of the fitted graph only
            return False
        graph = X.graph
        if graph.n_nodes != self.n_nodes_:
            return True
        names = getattr(self, "node_names_", None)
        if (names is None) != (graph.node_names is None) or (
                names is not None and not np.array_equal(graph.node_names, names)):
            return True
        return structure_fingerprint(graph.adjacency) != fitted_structure

    @torch_defaults()
    def recommend(self, nodes: Any = None, k: int = 10, *, candidates: Any = None,
                  exclude: Any = None) -> tuple[np.ndarray, np.ndarray]:
        """The ``k`` most likely new neighbours of each of ``nodes``, best first.

        Each node is scored against every candidate at once (a matrix product for the
        inner-product and cosine decoders), in chunks of bounded memory, without building
        the pairs; the scores are :meth:`decision_function`'s. A node is never
        recommended to itself.

        Parameters
        ----------
        nodes : array-like of node positions or names, default=None
            The nodes to recommend to (names by :meth:`decision_function`'s rule); None
            for every node.
        k : int, default=10
            Neighbours recommended per node (at most the number of candidates).
        candidates : array-like of node positions or names, default=None
            The nodes that may be recommended (the items of a user-item graph); None for
            every node.
        exclude : graph or array-like of shape (n_pairs, 2), default=None
            Pairs never recommended, in both directions: the edges of a graph of the
            fitted graph's nodes (pass the training graph, so that the links it already
            has are not recommended again; where both graphs name their nodes, its nodes
            are matched by name, in any order, and it may hold more nodes, as a later
            snapshot does), or node pairs (positions or names).

        Returns
        -------
        neighbours : ndarray of shape (n_queries, k)
            Positions, or node names for a graph with names. Where fewer than ``k``
            candidates remain for a node (the others excluded), its row ends with -1
            (None for names).
        scores : ndarray of shape (n_queries, k)
            Edge logits, float32; ``-inf`` where the row has no neighbour left.

        Examples
        --------
        >>> from skgraph import LinkPredictor
        >>> from skgraph.datasets import make_community_graph
        >>> from skgraph.model_selection import train_test_split_edges
        >>> G, _ = make_community_graph(n_nodes=100, random_state=0)
        >>> G_train, pairs, y = train_test_split_edges(G, random_state=0)
        >>> lp = LinkPredictor(max_epochs=20, random_state=0).fit(G_train)
        >>> neighbours, scores = lp.recommend([0, 1], k=5, exclude=G_train)
        >>> neighbours.shape, bool((scores[:, :-1] >= scores[:, 1:]).all())
        ((2, 5), True)
        """
        check_is_fitted(self, "embedding_")
        names = getattr(self, "node_names_", None)
        n = self.n_nodes_
        queries = np.arange(n) if nodes is None else resolve_nodes(nodes, n, names, "nodes")
        pool = (np.arange(n) if candidates is None
                else np.unique(resolve_nodes(candidates, n, names, "candidates")))
        if not isinstance(k, numbers.Integral) or isinstance(k, bool) or k < 1:
            raise ValueError(f"k must be a positive integer, got {k!r}.")
        if k > len(pool):
            raise ValueError(f"k is {k}, more than the {len(pool)} candidates.")
        excluded = self._excluded_pairs(exclude)
        column = np.full(n, -1, dtype=np.int64)  # a node's column among the candidates
        column[pool] = np.arange(len(pool))
        device = torch.device(self.device_)
        z = torch.as_tensor(self.embedding_, device=device)
        z_pool = z[torch.as_tensor(pool, device=device)]
        # floats per scored pair: the MLP's input and its two hidden activations
        width = (self.n_components + 2 * self.decoder_hidden_size
                 if self.decoder == "hadamard_mlp" else 1)
        rows = max(1, _SCORE_BLOCK // (len(pool) * width))  # queries scored at once
        neighbours = np.full((len(queries), k), -1, dtype=np.int64)
        scores = np.full((len(queries), k), -np.inf, dtype=np.float32)
        self.module_.eval()
        with torch.no_grad(), thread_limit(min(len(queries), rows) * len(pool) * width):
            score = self.module_.decoder.pair_scorer(z_pool)
            for start in range(0, len(queries), rows):
                chunk = queries[start:start + rows]
                logits = score(z[torch.as_tensor(chunk, device=device)]).float().cpu()
                row, col = _excluded_cells(chunk, column, excluded)
                logits[row, col] = -torch.inf
                top = torch.topk(logits, k, dim=1)
                found = torch.isfinite(top.values).numpy()
                block = pool[top.indices.numpy()]
                neighbours[start:start + len(chunk)] = np.where(found, block, -1)
                scores[start:start + len(chunk)] = top.values.numpy()
        return as_node_names(neighbours, names), scores

    def _module_signature(self) -> tuple:
        signature = super()._module_signature()
        if self.decoder == "hadamard_mlp":  # its width shapes the decoder's weights
            signature += (self.decoder_hidden_size,)
        return signature

    def _excluded_pairs(self, exclude: Any) -> sp.csr_array:
        """``exclude`` as a symmetric CSR pattern over the fitted graph's nodes."""
        n = self.n_nodes_
        if exclude is None:
            return sp.csr_array((n, n), dtype=np.int8)
        shape = getattr(exclude, "shape", None)
        if isinstance(exclude, NodePairs) or not is_single_graph(exclude) or (
                shape is not None and len(shape) == 2 and shape[1] == 2
                and tuple(shape) != (n, n)):  # a table, array or tensor of pairs
            return pair_pattern(resolve_pairs(exclude, n, getattr(self, "node_names_", None)),
                                n)
        columns = getattr(exclude, "columns", None)
        if columns is not None and len(columns) > 2 and not (
                len(columns) == len(exclude) and list(columns) == list(exclude.index)):
            raise ValueError(f"exclude is a table of {len(columns)} columns "
                             f"{list(columns)[:4]!r}: neither (n_pairs, 2) node pairs nor an "
                             "adjacency (whose index and columns are the nodes). Select its "
                             "two node columns, as table[['source', 'target']].")
        if shape is not None and len(shape) == 2 and shape[0] != shape[1]:
            raise ValueError(f"exclude has shape {tuple(shape)}: neither (n_pairs, 2) node pairs "
                             "nor a square adjacency. For an edge table with more columns "
                             "(a time, a weight), select its two node columns, as "
                             "table[['source', 'target']].")
        graph = as_graph(exclude).whole()
        if graph.n_nodes != n and graph.node_names is None:
            raise ValueError(f"exclude is a graph of {graph.n_nodes} unnamed nodes; the edges "
                             f"of a graph of the fitted graph's {n} nodes are expected (a graph "
                             "with node names may hold more nodes: its fitted ones are used).")
        names = getattr(self, "node_names_", None)
        if names is None:  # nodes 0 .. n - 1 (a networkx graph of them in order, say)
            names = np.arange(n)
        if graph.node_names is None or np.array_equal(graph.node_names, names):
            return graph.adjacency  # the same nodes in the same order, or read by position
        # the same names in another order, or among more nodes (a later snapshot): its rows
        # and columns of the fitted nodes, in the fitted order
        order = _lookup_names(graph.node_names, names)
        if (order < 0).any():
            raise ValueError(f"exclude is a graph of other nodes than the fitted one (it has "
                             f"no node {plain_value(names[np.argmax(order < 0)])!r}); the "
                             "edges of a graph of the fitted graph's nodes are expected.")
        return graph.adjacency[order][:, order]

    def predict_proba(self, X: Any) -> np.ndarray:
        """Probabilities of no edge and edge for node pairs: shape (n_pairs, 2).

        ``X`` as for :meth:`decision_function`: positions, or node names. The model learns
        from as many sampled non-edges as edges, so these are the probabilities of a world
        where half of all pairs are edges: they rank pairs, and overstate the chance of an
        edge in a sparse graph (add ``log(rate / (1 - rate))`` of the real edge rate to
        :meth:`decision_function` for a probability).
        """
        p = _edge_probability(self.decision_function(X))
        return np.column_stack([1.0 - p, p])

    def predict(self, X: Any) -> np.ndarray:
        """1 where an edge is more likely than not among balanced pairs (probability above
        0.5, see :meth:`predict_proba`), else 0."""
        return (self.decision_function(X) > 0).astype(int)

    def score(self, X: Any, y: Any, sample_weight: Any = None) -> float:
        """ROC AUC of ``predict_proba(X)[:, 1]`` against ``y`` (1 edge, 0 no edge).

        Warns when ``X`` is an array of pairs and most of those labelled 1 are edges of the
        graph the model was fitted on (a held-out score that would leak), or when ``X`` is
        :class:`NodePairs` of a new graph in which most of them are edges (the encoder sees
        them there). Folds of :class:`NodePairs` hold out their own edges, and a fold's
        training score (as ``learning_curve`` computes) is meant to be one."""
        pairs, logits = self._pair_logits(X)
        scores = _edge_probability(logits)
        labels = np.asarray(y)
        if labels.ndim != 1 or len(labels) != len(scores):
            raise ValueError(f"y must hold one label per pair: {len(scores)} pairs, y of shape "
                             f"{labels.shape}.")
        numeric = labels.dtype.kind in "biuf"
        unexpected = labels[~np.isin(labels, (0, 1))] if numeric else labels
        if len(unexpected):
            raise ValueError(f"y must be 1 (an edge) or 0 (no edge) for each pair; got "
                             f"{unexpected[:3].tolist()!r}.")
        if not isinstance(X, NodePairs):
            self._warn_trained_positives(pairs, labels)
        elif self._of_another_graph(X):
            _warn_visible_positives(X.graph, pairs, labels)
        return float(roc_auc_score(labels, scores, sample_weight=sample_weight))

    def _warn_trained_positives(self, pairs: np.ndarray, labels: np.ndarray) -> None:
        """Warn when most pairs labelled 1 are edges the model was trained on: the usual
        leak of fitting on the whole graph and scoring edges held out from it."""
        trained = getattr(self, "_trained_edges", None)  # None: fitted before 0.2
        positives = pairs[np.asarray(labels).astype(float) == 1]
        if trained is None or not len(positives):
            return
        share = edge_share(trained, self._n_trained_edges, self.n_nodes_, positives)
        if share >= 0.5:
            exact = len(trained) == self._n_trained_edges
            warn_caller(f"{'' if exact else 'about '}{min(share, 1.0):.0%} of the "
                        f"{len(positives)} pairs labelled 1 are edges of the graph this "
                        "LinkPredictor was fitted on: the score measures how it reconstructs "
                        "edges it learned from, not how it predicts unseen ones. For a "
                        "held-out score, fit on the training graph of train_test_split_edges "
                        "(or cross-validate link_pairs).")

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.classifier_tags.multi_class = False
        tags.target_tags.required = False  # fit(G): the edges are the targets
        return tags


def _warn_visible_positives(graph: Graph, pairs: np.ndarray, labels: np.ndarray) -> None:
    """Warn when most pairs labelled 1 are edges of the new graph they are scored on."""
    positives = pairs[np.asarray(labels).astype(float) == 1]
    if not len(positives):
        return
    share = float(np.mean(graph.adjacency[positives[:, 0], positives[:, 1]] != 0))
    if share >= 0.5:
        warn_caller(f"{share:.0%} of the {len(positives)} pairs labelled 1 are edges of the "
                    "graph they are scored on, which the encoder reads: the score measures how "
                    "it recognises edges it can see, not how it predicts missing ones. Remove "
                    "the pairs to predict from that graph first (skgraph.model_selection."
                    "train_test_split_edges on it, for example).")
