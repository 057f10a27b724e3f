import shutil

import numpy as np
import pytest
import scipy.sparse as sp

from skgraph.datasets import load_planetoid

from ..conftest import DATASETS, requires_datasets


@requires_datasets
@pytest.mark.data
def test_cora_matches_the_published_statistics():
    cora = load_planetoid(DATASETS, "Cora")
    G = cora.graph
    assert G.n_nodes == 2708 and G.n_edges == 5278 and G.features.shape == (2708, 1433)
    assert sp.issparse(G.features) and G.features.nnz == 49216
    assert np.bincount(cora.target).tolist() == [351, 217, 418, 818, 426, 298, 180]
    assert len(cora.train_idx) == 140 and len(cora.val_idx) == 500 and len(cora.test_idx) == 1000
    assert cora.val_idx[0] == 140 and cora.test_idx.min() == 1708 and cora.test_idx.max() == 2707
    assert np.bincount(cora.target[cora.train_idx]).tolist() == [20] * 7
    assert (G.adjacency != G.adjacency.T).nnz == 0 and G.adjacency.diagonal().sum() == 0


@requires_datasets
@pytest.mark.data
def test_parent_folder_and_corrupt_files(tmp_path):
    assert load_planetoid(DATASETS / "Cora", "Cora").graph.n_nodes == 2708
    copy = tmp_path / "Cora"
    shutil.copytree(DATASETS / "Cora", copy)
    (copy / "ind.cora.tx").write_bytes((DATASETS / "Cora" / "ind.cora.tx").read_bytes()[:100])
    with pytest.raises(ValueError, match="not a readable Planetoid pickle"):
        load_planetoid(tmp_path, "Cora")


def test_missing_folder_and_bad_arguments(tmp_path):
    with pytest.raises(FileNotFoundError, match="ind.cora.x"):
        load_planetoid(tmp_path, "Cora")
    with pytest.raises(TypeError, match="directory must be a path"):
        load_planetoid(3, "Cora")
    with pytest.raises(TypeError, match="name must be a non-empty str"):
        load_planetoid(tmp_path, "")
