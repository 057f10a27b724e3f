import numpy as np
import pytest
import scipy.sparse as sp

from skgraph import _structural_encodings
from skgraph._structural_encodings import degree_features, return_probabilities


def _matrix_power_diagonals(A: np.ndarray, steps: int) -> np.ndarray:
    """The definition: diagonals of (D^-1 A)^k, k = 1 .. steps (rows of isolated nodes zero)."""
    degree = A.sum(axis=1)
    P = np.divide(A, degree[:, None], out=np.zeros_like(A), where=degree[:, None] > 0)
    power, columns = np.eye(len(A)), []
    for _ in range(steps):
        power = power @ P
        columns.append(np.diag(power))
    return np.column_stack(columns)


def _random_weighted_graph(n: int, seed: int) -> np.ndarray:
    rng = np.random.default_rng(seed)
    A = np.triu(rng.random((n, n)) < 0.15, 1) * rng.uniform(0.5, 2.0, (n, n))
    A = A + A.T
    A[-1, :] = A[:, -1] = 0  # one isolated node
    return A


def test_return_probabilities_of_a_triangle():
    triangle = sp.csr_array(np.ones((3, 3)) - np.eye(3))
    # back after 1 step: never; after 2: half the time; after 3: a quarter
    assert np.allclose(return_probabilities(triangle, 3), [[0, 0.5, 0.25]] * 3)


@pytest.mark.parametrize("steps", [11, 12])  # the walks pair up steps: odd and even counts
@pytest.mark.parametrize("method", ["eigendecomposition", "blocks of walks"])
def test_return_probabilities_match_the_definition_on_a_weighted_graph(method, steps,
                                                                        monkeypatch):
    if method == "blocks of walks":  # the path taken by graphs above the dense limit
        monkeypatch.setattr(_structural_encodings, "_EIGH_LIMIT", 0)
        monkeypatch.setattr(_structural_encodings, "_WALK_BLOCK_ENTRIES", 200)
    A = _random_weighted_graph(60, seed=1)
    result = return_probabilities(sp.csr_array(A), steps)
    assert result.shape == (60, steps) and result.dtype == np.float32
    assert np.allclose(result, _matrix_power_diagonals(A, steps), atol=1e-6)
    assert np.all(result[-1] == 0)  # the isolated node


def test_return_probabilities_see_cycle_lengths():
    def cycle(n):
        return sp.csr_array(np.roll(np.eye(n), 1, axis=1) + np.roll(np.eye(n), -1, axis=1))

    # a walk returns after an odd number of steps only on an odd cycle, first after its length
    five, six = return_probabilities(cycle(5), 6), return_probabilities(cycle(6), 6)
    assert np.all(six[:, [0, 2, 4]] == 0) and np.all(six[:, [1, 3, 5]] > 0)
    assert np.all(five[:, [0, 2]] == 0) and np.allclose(five[:, 4], 2 / 32)
    # the degree features of both are identical: only the walks tell them apart
    assert np.array_equal(degree_features(cycle(5))[0], degree_features(cycle(6))[0])


def test_return_probabilities_of_degenerate_graphs():
    assert return_probabilities(sp.csr_array((0, 0)), 4).shape == (0, 4)
    assert return_probabilities(sp.csr_array((3, 3)), 4).tolist() == [[0.0] * 4] * 3
    assert return_probabilities(sp.csr_array(np.ones((2, 2)) - np.eye(2)), 0).shape == (2, 0)


@pytest.mark.parametrize("method", ["eigendecomposition", "blocks of walks"])
def test_return_probabilities_equal_pygs_random_walk_encoding(method, monkeypatch):
    import torch
    from torch_geometric.data import Data
    from torch_geometric.transforms import AddRandomWalkPE

    if method == "blocks of walks":
        monkeypatch.setattr(_structural_encodings, "_EIGH_LIMIT", 0)
    # unweighted (PyG's transform drops the weight from its numerator on weighted graphs,
    # so its rows are not probabilities there; the graph estimators encode the wiring)
    A = (_random_weighted_graph(60, seed=3) > 0).astype(float)
    rows, cols = np.nonzero(A)
    expected = AddRandomWalkPE(walk_length=13)(Data(
        edge_index=torch.tensor(np.vstack([rows, cols])), num_nodes=60)).random_walk_pe
    np.testing.assert_allclose(return_probabilities(sp.csr_array(A), 13), expected.numpy(),
                               atol=1e-6)
