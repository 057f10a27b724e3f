"""The documentation builds with warnings as errors and documents the whole public API."""

import subprocess
import sys
from pathlib import Path

import skgraph
import skgraph.datasets
import skgraph.model_selection
import skgraph.preprocessing

ROOT = Path(__file__).resolve().parents[1]


def test_sphinx_build_without_warnings(tmp_path):
    out = tmp_path / "html"
    result = subprocess.run(
        [sys.executable, "-m", "sphinx", "-W", "--keep-going", "-q", "-b", "html",
         "-d", str(tmp_path / "doctrees"), str(ROOT / "docs"), str(out)],
        capture_output=True, text=True, timeout=600, cwd=ROOT, check=False)
    assert result.returncode == 0, result.stdout + result.stderr
    api = (out / "api.html").read_text(encoding="utf-8")
    public = [f"skgraph.{name}" for name in skgraph.__all__ if name != "__version__"]
    public += [f"skgraph.datasets.{name}" for name in skgraph.datasets.__all__]
    public += [f"skgraph.model_selection.{name}" for name in skgraph.model_selection.__all__]
    public += [f"skgraph.preprocessing.{name}" for name in skgraph.preprocessing.__all__]
    missing = [name for name in public if f'id="{name}"' not in api]
    assert not missing, f"not in the API reference: {missing}"
    for page in ("input", "node_tasks", "preprocessing", "link_prediction", "graph_classification",
                 "training_devices", "persistence", "interoperability", "performance"):
        assert (out / "user_guide" / f"{page}.html").is_file()
    assert (out / "benchmarks.html").is_file() and (out / "examples.html").is_file()
