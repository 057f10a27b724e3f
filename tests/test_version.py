"""The version lives in one place (pyproject.toml) and the changelog records it."""

import tomllib
from pathlib import Path

import skgraph

ROOT = Path(__file__).resolve().parents[1]


def test_version_comes_from_the_package_metadata_and_is_in_the_changelog():
    declared = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["version"]
    assert skgraph.__version__ == declared
    changelog = (ROOT / "CHANGELOG.md").read_text()
    assert f"## [{declared}]" in changelog and "## [0.1.0]" in changelog
