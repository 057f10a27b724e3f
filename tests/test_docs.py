"""The documentation builds with warnings as errors, documents the whole public API and
renders every example of the gallery with its pictures.

The site is built once per module (the ``built_docs`` fixture, into a temporary folder);
sphinx-gallery runs the examples during the build, and writes their pages into the
git-ignored ``docs/auto_examples`` (and its backreferences into ``docs/gen_modules``).
"""

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

import skgraph
import skgraph.datasets
import skgraph.inspection
import skgraph.model_selection
import skgraph.preprocessing

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = sorted(path.stem for path in (ROOT / "examples").glob("*.py"))
PNG = b"\x89PNG\r\n\x1a\n"


@pytest.fixture(scope="module")
def built_docs(tmp_path_factory):
    """The built HTML folder (the build's output is in the assertion message if it fails)."""
    tmp = tmp_path_factory.mktemp("docs")
    out = tmp / "html"
    # the examples' models are tiny: one torch thread is the fastest, and spares the machine
    env = {**os.environ, "OMP_NUM_THREADS": os.environ.get("OMP_NUM_THREADS", "1")}
    result = subprocess.run(
        [sys.executable, "-m", "sphinx", "-W", "--keep-going", "-q", "-b", "html",
         "-d", str(tmp / "doctrees"), str(ROOT / "docs"), str(out)],
        capture_output=True, text=True, timeout=900, cwd=ROOT, env=env, check=False)
    assert result.returncode == 0, result.stdout + result.stderr
    return out


def test_sphinx_build_without_warnings(built_docs):
    out = built_docs
    api = (out / "api.html").read_text(encoding="utf-8")
    public = [f"skgraph.{name}" for name in skgraph.__all__ if name != "__version__"]
    public += [f"skgraph.datasets.{name}" for name in skgraph.datasets.__all__]
    public += [f"skgraph.model_selection.{name}" for name in skgraph.model_selection.__all__]
    public += [f"skgraph.preprocessing.{name}" for name in skgraph.preprocessing.__all__]
    public += [f"skgraph.inspection.{name}" for name in skgraph.inspection.__all__]
    missing = [name for name in public if f'id="{name}"' not in api]
    assert not missing, f"not in the API reference: {missing}"
    for page in ("input", "node_tasks", "preprocessing", "link_prediction", "graph_classification",
                 "training_devices", "persistence", "interoperability", "performance", "molecules"):
        assert (out / "user_guide" / f"{page}.html").is_file()
    assert (out / "benchmarks.html").is_file()


def _check_png(path):
    assert path.is_file(), f"missing picture {path}"
    data = path.read_bytes()
    assert data[:8] == PNG, f"{path} is not a PNG"
    assert len(data) > 5_000, f"{path} is nearly empty ({len(data)} bytes)"


def test_every_example_has_a_gallery_page_with_its_pictures(built_docs):
    gallery = built_docs / "auto_examples"
    assert EXAMPLES, "no example found"
    index = (gallery / "index.html").read_text(encoding="utf-8")
    # the gallery is linked from the landing page's table of contents
    assert 'href="auto_examples/index.html"' in (built_docs / "index.html").read_text("utf-8")
    for name in EXAMPLES:
        assert f'href="{name}.html"' in index, f"{name} is not in the gallery's index"
        _check_png(built_docs / "_images" / f"sphx_glr_{name}_thumb.png")
        page = (gallery / f"{name}.html").read_text(encoding="utf-8")
        pictures = re.findall(r'<img src="\.\./_images/(sphx_glr_[^"]+\.png)"', page)
        assert pictures, f"{name}.html shows no picture"
        for picture in pictures:
            _check_png(built_docs / "_images" / picture)
        assert "sphx-glr-script-out" in page, f"{name}.html shows no printed output"
        # the source and the notebook can be downloaded
        assert f"{name}.py" in page and f"{name}.ipynb" in page


@pytest.mark.parametrize("name, example", [
    ("VGAEEmbedder", "demo"),
    ("Node2VecEmbedder", "node2vec_communities"),
    ("LinkPredictor", "link_prediction"),
    ("GNNNodeClassifier", "node_classification"),
    ("GNNGraphClassifier", "graph_classification"),
    ("GNNGraphRegressor", "graph_regression"),
    ("make_community_graph", "node_embeddings"),
])
def test_api_reference_shows_the_examples_of_each_estimator(built_docs, name, example):
    api = (built_docs / "api.html").read_text(encoding="utf-8")
    rubric = f'Examples using <code class="docutils literal notranslate"><span class="pre">{name}'
    assert api.count(rubric) == 1, f"no minigallery for {name}"
    start = api.index(rubric) + len(rubric)
    # the minigallery runs from its rubric to the next API entry, rubric or section
    ends = [api.find(marker, start) for marker in ('<dl class="py', '<p class="rubric"', "<h2")]
    minigallery = api[start:min([end for end in ends if end != -1] or [len(api)])]
    assert f'href="auto_examples/{example}.html' in minigallery
    assert "sphx_glr_" in minigallery and "_thumb.png" in minigallery
