"""Tests of train_test_split_nodes: the per-class split of Shchur et al. (2018)."""

import numpy as np
import pytest

from skgraph.model_selection import train_test_split_nodes

# 4 classes of different sizes (60, 55, 80, 50 nodes) and 25 unlabelled nodes, shuffled
Y = np.random.default_rng(0).permutation(np.repeat([0, 1, 2, 3, -1], [60, 55, 80, 50, 25]))


def check_split(y, train, val, test, train_per_class, val_per_class):
    labelled = np.flatnonzero(np.asarray([v != -1 or isinstance(v, str) for v in y]))
    for part in (train, val, test):
        assert part.dtype == np.int64 and np.all(np.diff(part) > 0)  # sorted, no repeats
    # disjoint, and together exactly the labelled nodes
    assert not (set(train) & set(val) or set(train) & set(test) or set(val) & set(test))
    np.testing.assert_array_equal(np.sort(np.concatenate([train, val, test])), labelled)
    classes, sizes = np.unique(y[labelled], return_counts=True)
    for label, size in zip(classes, sizes):
        assert (y[train] == label).sum() == train_per_class
        assert (y[val] == label).sum() == val_per_class
        assert (y[test] == label).sum() == size - train_per_class - val_per_class


def test_per_class_counts_disjoint_and_cover():
    train, val, test = train_test_split_nodes(Y, random_state=0)
    check_split(Y, train, val, test, 20, 30)
    assert len(train) == 80 and len(val) == 120 and len(test) == 245 - 200
    train, val, test = train_test_split_nodes(Y, train_per_class=5, val_per_class=10,
                                              random_state=1)
    check_split(Y, train, val, test, 5, 10)


def test_unlabelled_nodes_are_in_no_set():
    train, val, test = train_test_split_nodes(Y, random_state=0)
    unlabelled = set(np.flatnonzero(Y == -1))
    assert not unlabelled & set(np.concatenate([train, val, test]))
    # also with -1 in a float array
    y = Y.astype(float)
    assert not unlabelled & set(np.concatenate(train_test_split_nodes(y, random_state=0)))


def test_no_validation_set():
    train, val, test = train_test_split_nodes(Y, val_per_class=0, random_state=0)
    assert val.dtype == np.int64 and len(val) == 0
    check_split(Y, train, val, test, 20, 0)


def test_repeatable_and_seeds_differ():
    first = train_test_split_nodes(Y, random_state=42)
    again = train_test_split_nodes(Y, random_state=42)
    for a, b in zip(first, again):
        np.testing.assert_array_equal(a, b)
    other = train_test_split_nodes(Y, random_state=43)
    assert not np.array_equal(first[0], other[0]) and not np.array_equal(first[1], other[1])
    rng = np.random.RandomState(0)  # a RandomState instance is drawn from, as in scikit-learn
    assert not np.array_equal(train_test_split_nodes(Y, random_state=rng)[0],
                              train_test_split_nodes(Y, random_state=rng)[0])


def test_too_small_class_is_named():
    y = np.repeat([0, 1, 2, 3], [60, 60, 60, 12])
    with pytest.raises(ValueError, match="class 3 has 12 labelled nodes; train_per_class \\+ "
                                         "val_per_class = 50 are needed"):
        train_test_split_nodes(y, random_state=0)
    # unlabelled nodes do not count for any class
    with pytest.raises(ValueError, match="class 1 has 55 labelled nodes; .* = 56"):
        train_test_split_nodes(Y, train_per_class=30, val_per_class=26)
    with pytest.raises(ValueError, match="class 'b' has 3 labelled nodes"):
        train_test_split_nodes(["a"] * 10 + ["b"] * 3, train_per_class=2, val_per_class=2)


def test_string_labels():
    # the string "-1" is a class like any other; an actual -1 in an object array is not
    y = np.array(["cat"] * 8 + ["-1"] * 6 + ["dog"] * 7)
    train, val, test = train_test_split_nodes(y, train_per_class=2, val_per_class=3,
                                              random_state=0)
    check_split(y, train, val, test, 2, 3)
    assert (y[train] == "-1").sum() == 2
    mixed = np.array(["cat"] * 8 + [-1] * 4 + ["dog"] * 7, dtype=object)
    train, val, test = train_test_split_nodes(mixed, train_per_class=2, val_per_class=3,
                                              random_state=0)
    assert not set(range(8, 12)) & set(np.concatenate([train, val, test]))
    assert len(train) + len(val) + len(test) == 15


def test_invalid_input():
    with pytest.raises(ValueError, match="1-D"):
        train_test_split_nodes(np.zeros((10, 2)))
    with pytest.raises(ValueError, match="no labelled node"):
        train_test_split_nodes([-1, -1, -1])
    for missing in ([0.0, 1.0, np.nan], np.array(["a", "b", None] * 20, dtype=object),
                    np.array(["a", "b", np.nan] * 20, dtype=object)):
        with pytest.raises(ValueError, match=r"missing values \(NaN or None\); mark "
                                             "unlabelled nodes with -1"):
            train_test_split_nodes(missing, train_per_class=2, val_per_class=2)
    with pytest.raises(ValueError, match="train_per_class"):
        train_test_split_nodes(Y, train_per_class=0)
    with pytest.raises(ValueError, match="val_per_class"):
        train_test_split_nodes(Y, val_per_class=-1)
    with pytest.raises(ValueError, match="val_per_class"):
        train_test_split_nodes(Y, val_per_class=2.5)
    with pytest.raises(ValueError, match="random_state"):
        train_test_split_nodes(Y, random_state="seed")


def test_a_list_of_strings_and_the_number_minus_one():
    y = ["a", "b"] * 10 + [-1] * 10  # nodes 20..29 unlabelled: np.asarray made them "-1"
    train, val, test = train_test_split_nodes(y, train_per_class=2, val_per_class=3,
                                              random_state=0)
    assert np.concatenate([train, val, test]).max() < 20
    assert len(train) == 4 and len(val) == 6 and len(test) == 10
    with pytest.raises(ValueError, match="mixes labels of the types \\['int', 'str'\\]"):
        train_test_split_nodes(np.array(["a", 1] * 10, dtype=object), train_per_class=2,
                               val_per_class=3)
