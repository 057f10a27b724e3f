"""Prints how many generated cases ran and how many distinct error messages they produced."""

import pytest

from ._outcomes import CASES, MESSAGES


@pytest.fixture(scope="session", autouse=True)
def _report_property_cases():
    yield
    print(f"\nproperty suite: {CASES['count']} generated cases, "
          f"{len(MESSAGES)} distinct error messages")
    for message in sorted(MESSAGES):
        print(f"  - {message}")
