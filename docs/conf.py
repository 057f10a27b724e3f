"""Sphinx configuration of the skgraph documentation.

Build (warnings are errors):  python -m sphinx -W --keep-going -b html docs docs/_build/html
"""

import os
import sys

sys.path.insert(0, os.path.abspath(".."))

import skgraph  # noqa: E402

project = "skgraph"
author = "the skgraph developers"
copyright = "the skgraph developers"
version = release = skgraph.__version__

extensions = [
    "sphinx.ext.autodoc",
    "sphinx.ext.autosummary",
    "sphinx.ext.intersphinx",
    "numpydoc",
    "myst_parser",
    "sphinx_gallery.gen_gallery",
]
source_suffix = {".rst": "restructuredtext", ".md": "markdown"}
root_doc = "index"
exclude_patterns = ["_build", "Thumbs.db", ".DS_Store"]
templates_path = []
html_static_path = []
html_theme = "alabaster"
# alabaster's defaults (a 940px page, an 800px body) cut the examples' 99-column code and
# the gallery's pictures; a wider page and a slightly smaller code font fit them at 1280px
html_theme_options = {
    "page_width": "1240px",
    "sidebar_width": "240px",
    "body_max_width": "none",
    "code_font_size": "0.85em",
}
html_title = f"skgraph {release}"

# API reference: one hand-written page of autodoc directives; no generated stub files.
autosummary_generate = False
autodoc_default_options = {"show-inheritance": False}
autodoc_member_order = "groupwise"
autodoc_typehints = "none"  # the numpydoc sections document the types
numpydoc_show_class_members = False
numpydoc_class_members_toctree = False
numpydoc_xref_param_type = False

# the build must not touch the network: no intersphinx inventories are fetched
intersphinx_mapping = {}
myst_heading_anchors = 3
suppress_warnings = ["myst.header"]

# Example gallery: sphinx-gallery runs every script of examples/ (their defaults: small
# generated graphs, seconds each on one CPU thread) and renders its text cells, code,
# printed output and matplotlib figures into auto_examples/. backreferences_dir records
# which examples use which skgraph object, for the ``.. minigallery::`` of docs/api.rst.
# Both generated folders, and sg_execution_times.rst, are git-ignored.
sphinx_gallery_conf = {
    "examples_dirs": "../examples",
    "gallery_dirs": "auto_examples",
    "filename_pattern": r"\.py$",  # run every script, not only plot_*.py
    "backreferences_dir": "gen_modules/backreferences",
    "doc_module": ("skgraph",),
}
