"""Prints, per property, how many generated examples succeeded and how many were refused
with the expected error (shown with ``-s`` or ``-rP``)."""

import pytest

from ._outcomes import REFUSED, SUCCEEDED


@pytest.fixture(scope="session", autouse=True)
def _report_property_outcomes():
    yield
    print("\nproperty suite: examples that succeeded (valid inputs) / were refused as "
          "expected (invalid inputs)")
    for name in sorted(set(SUCCEEDED) | set(REFUSED)):
        print(f"  {name}: {SUCCEEDED[name]} succeeded, {REFUSED[name]} refused")
