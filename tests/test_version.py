"""The version lives in one place (pyproject.toml) and the changelog records it."""

import re
from pathlib import Path

import skgraph

ROOT = Path(__file__).resolve().parents[1]


def test_version_comes_from_the_package_metadata_and_is_in_the_changelog():
    # a regular expression rather than tomllib, which Python 3.10 (supported) lacks
    project = (ROOT / "pyproject.toml").read_text().split("[project]", 1)[1].split("\n[", 1)[0]
    declared = re.search(r'^version\s*=\s*"([^"]+)"', project, re.MULTILINE).group(1)
    assert skgraph.__version__ == declared
    changelog = (ROOT / "CHANGELOG.md").read_text()
    assert f"## [{declared}]" in changelog and "## [0.1.0]" in changelog
