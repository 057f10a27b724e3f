"""Weisfeiler-Lehman subtree features: a list of graphs as a sparse matrix of colour counts."""

from __future__ import annotations

from numbers import Integral
from typing import Any

import numpy as np
import scipy.sparse as sp
from sklearn.base import BaseEstimator, TransformerMixin, _fit_context
from sklearn.utils._param_validation import Interval
from sklearn.utils.validation import check_is_fitted

from .._graph import Graph, is_single_graph, missing_features
from .._graph_collation import check_fitted_width, read_graphs, shared_width
from .._persistence import PersistenceMixin
from .._warnings import warn_caller

__all__ = ["WeisfeilerLehmanFeatures"]


class WeisfeilerLehmanFeatures(PersistenceMixin, TransformerMixin, BaseEstimator):
    """Weisfeiler-Lehman subtree features of graphs: how often each node colour occurs.

    Each node starts with a colour given by its feature row (a node label: one-hot or
    integer codes, or text such as atom symbols, as ``as_graph(g, node_attributes=
    ["label"])`` reads them from networkx; one colour for all nodes of featureless
    graphs); each of
    ``n_iter`` refinements gives a node a new colour for its colour and the multiset of
    its neighbours' (the rooted subtrees of depth 1, 2, ...). A graph's row counts every
    colour of every round: the WL subtree kernel of Shervashidze et al. (2011) is the
    inner product of the rows, ``K = F @ F.T`` (GraKeL's ``WeisfeilerLehman`` with
    ``VertexHistogram``), and a linear model on them is its kernel machine, scaling with
    the number of graphs rather than its square. The colours are those of PyG's
    ``WLConv`` (tested: the same partition of the nodes at every round, so the same
    kernel). Edge weights and edge features are not read.

    ``fit`` learns the colours of the training graphs; a colour first seen in
    ``transform`` is not counted (as a word outside a vectorizer's vocabulary).
    Continuous node attributes make nearly every node a colour of its own, which no
    other graph shares: discretise them first
    (``NodeFeatureTransformer(KBinsDiscretizer(...))``) or leave them out; ``fit`` warns
    when most nodes have a colour of their own from the start or after one round.

    Parameters
    ----------
    n_iter : int, default=3
        Refinement rounds (the subtree depth); ``0`` counts the initial colours only.

    Attributes
    ----------
    n_features_in_ : int
        Node feature width seen in fit (0 for featureless graphs).
    colours_ : list of dict
        Per round, the colour signatures seen in fit and their columns.

    Examples
    --------
    >>> import numpy as np
    >>> from skgraph import Graph
    >>> from skgraph.preprocessing import WeisfeilerLehmanFeatures
    >>> path = Graph(np.array([[0, 1, 0], [1, 0, 1], [0, 1, 0]]))
    >>> triangle = Graph(np.ones((3, 3)) - np.eye(3))
    >>> F = WeisfeilerLehmanFeatures(n_iter=1).fit_transform([path, triangle])
    >>> F.toarray().tolist()  # round 0: one colour; round 1: one neighbour, or two
    [[3.0, 2.0, 1.0], [3.0, 0.0, 3.0]]
    """

    _parameter_constraints: dict = {"n_iter": [Interval(Integral, 0, None, closed="left")]}

    def __init__(self, n_iter: int = 3) -> None:
        self.n_iter = n_iter

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X: Any, y: Any = None) -> WeisfeilerLehmanFeatures:
        """Learn the colours of every round in the graphs ``X``.

        Parameters
        ----------
        X : sequence of graphs
            Graphs in any accepted form, with the same node feature width.
        y : ignored

        Returns
        -------
        self
        """
        graphs = _graph_list(X)
        self.n_features_in_ = shared_width(graphs)
        self.colours_ = [{} for _ in range(self.n_iter + 1)]
        self._refine(graphs, learn=True)
        # labels refined once give a few colours (at most 3% of the nodes of the TU sets);
        # continuous attributes, or many-valued ones, give most nodes their own at once
        n_nodes = sum(graph.n_nodes for graph in graphs)
        early = max(len(colours) for colours in self.colours_[:2])
        if n_nodes >= 20 and early > n_nodes / 2:
            warn_caller(f"the node features give {early} colours to {n_nodes} nodes within "
                        "one round: most nodes have a colour of their own, which no other "
                        "graph shares. Weisfeiler-Lehman colours are for discrete node "
                        "labels; discretise continuous or many-valued attributes first "
                        "(NodeFeatureTransformer(KBinsDiscretizer(...))) or leave them out.")
        return self

    def transform(self, X: Any) -> sp.csr_array:
        """Count the fitted colours in each graph.

        Parameters
        ----------
        X : sequence of graphs

        Returns
        -------
        scipy.sparse.csr_array of shape (n_graphs, n_colours), float64
            Columns round by round, each round's colours in the order fit first saw them.
        """
        check_is_fitted(self, "colours_")
        graphs = _graph_list(X)
        check_fitted_width(graphs, self.n_features_in_, type(self).__name__)
        return self._refine(graphs, learn=False)

    def get_feature_names_out(self, input_features: Any = None) -> np.ndarray:
        """``wl{round}_{colour}`` for each column."""
        check_is_fitted(self, "colours_")
        return np.array([f"wl{h}_{c}" for h, colours in enumerate(self.colours_)
                         for c in range(len(colours))], dtype=object)

    def _refine(self, graphs: list[Graph], *, learn: bool) -> sp.csr_array:
        """Colour the nodes of ``graphs`` round by round, counting the known colours per
        graph (learning new ones when ``learn``)."""
        union = sp.block_diag([graph.adjacency for graph in graphs], format="csr")
        union.sort_indices()
        owner = np.repeat(np.arange(len(graphs)), [graph.n_nodes for graph in graphs])
        colours = _initial_colours(graphs, self.colours_[0], learn)
        counts, offset = [], 0
        for round_ in range(self.n_iter + 1):
            if round_:
                colours = _refined_colours(colours, union, self.colours_[round_], learn)
            known = colours < len(self.colours_[round_])
            counts.append((owner[known], offset + colours[known]))
            offset += len(self.colours_[round_])
        rows = np.concatenate([part[0] for part in counts])
        columns = np.concatenate([part[1] for part in counts])
        out = sp.csr_array((np.ones(len(rows)), (rows, columns)), shape=(len(graphs), offset))
        out.sum_duplicates()
        if max(out.shape + (out.nnz,)) < np.iinfo(np.int32).max:  # what liblinear takes
            out.indices = out.indices.astype(np.int32)
            out.indptr = out.indptr.astype(np.int32)
        return out

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.two_d_array = False
        tags.requires_fit = True
        return tags


def _graph_list(X: Any) -> list[Graph]:
    if is_single_graph(X):
        raise TypeError("X is one graph; WeisfeilerLehmanFeatures gives one row per graph of "
                        "a sequence: pass [graph].")
    graphs = [graph.whole() for graph in read_graphs(X)]
    for i, graph in enumerate(graphs):
        found = missing_features(graph)
        if found is not None:
            raise ValueError(f"X[{i}] has node features with missing values ({found[0]}, the "
                             f"first at node {found[1]}, column {found[2]}): a missing label "
                             "is no colour. Impute them in the pipeline "
                             "(NodeFeatureTransformer(SimpleImputer(strategy='constant')))."
                             )
    return graphs


def _colour_ids(signatures: list, vocabulary: dict, learn: bool) -> np.ndarray:
    """Each signature's colour: its column in ``vocabulary`` (new ones added when
    ``learn``), or, unknown, a number past the vocabulary (one per distinct signature, so
    that later rounds still tell unknown colours apart)."""
    unknown: dict = {}
    out = np.empty(len(signatures), dtype=np.int64)
    for i, signature in enumerate(signatures):
        colour = vocabulary.get(signature)
        if colour is None:
            if learn:
                colour = vocabulary[signature] = len(vocabulary)
            else:
                colour = unknown.setdefault(signature, len(vocabulary) + len(unknown))
        out[i] = colour
    return out


def _initial_colours(graphs: list[Graph], vocabulary: dict, learn: bool) -> np.ndarray:
    """A colour per node for its feature row (one colour without features)."""
    rows = []
    for graph in graphs:
        features = graph.features
        if features is None:
            rows.extend([()] * graph.n_nodes)
            continue
        dense = features.toarray() if sp.issparse(features) else np.asarray(features)
        rows.extend(map(tuple, dense.tolist()))
    return _colour_ids(rows, vocabulary, learn)


def _refined_colours(colours: np.ndarray, adjacency: sp.csr_array, vocabulary: dict,
                     learn: bool) -> np.ndarray:
    """A node's next colour: its colour and the sorted colours of its neighbours."""
    ptr = adjacency.indptr
    rows = np.repeat(np.arange(len(colours)), np.diff(ptr))
    neighbour = colours[adjacency.indices]
    neighbour = neighbour[np.lexsort((neighbour, rows))].tolist()  # sorted within each row
    own, starts = colours.tolist(), ptr.tolist()
    signatures = [(own[i], *neighbour[starts[i]:starts[i + 1]]) for i in range(len(own))]
    return _colour_ids(signatures, vocabulary, learn)
