"""The shared estimator base (skgraph._base)."""

import pytest

from skgraph import GNNGraphRegressor, GNNNodeRegressor


@pytest.mark.parametrize("estimator_class", [GNNGraphRegressor, GNNNodeRegressor])
def test_misspelt_parameter_names_the_class_written(estimator_class):
    # the regressors inherit their base's __init__; the error must still name them
    with pytest.raises(TypeError, match=rf"^{estimator_class.__name__}\.__init__\(\) got an "
                                        "unexpected keyword argument 'max_epoch'"):
        estimator_class(max_epoch=3)
    assert estimator_class(max_epochs=3).get_params()["max_epochs"] == 3


@pytest.mark.parametrize("weighted", [False, True])
def test_target_standardisation_equals_scikit_learns_standard_scaler(weighted):
    import numpy as np
    from sklearn.preprocessing import StandardScaler

    from skgraph._base import _standardisation

    rng = np.random.default_rng(0)
    targets = rng.normal(size=(40, 2)) * [3, 0.1] + [1, -5]
    weights = rng.uniform(0.1, 3.0, 40) if weighted else None
    offset, scale = _standardisation(targets, weights)
    reference = StandardScaler().fit(targets, sample_weight=weights)
    np.testing.assert_allclose(offset, reference.mean_, rtol=1e-12)
    np.testing.assert_allclose(scale, reference.scale_, rtol=1e-10)
