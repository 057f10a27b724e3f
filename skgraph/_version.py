"""The installed version of skgraph, read once from the package metadata (pyproject.toml)."""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("skgraph")
except PackageNotFoundError:  # running from a source tree that was never installed
    __version__ = "0+unknown"
