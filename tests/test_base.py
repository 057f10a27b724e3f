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
