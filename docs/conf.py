"""Sphinx configuration of the slth-theory documentation (``pip install -e '.[docs]'``).

Build: ``python -m sphinx -W -b html docs docs/_build/html`` (warnings are errors; the test
suite runs the same build into a temporary folder).
"""

import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE / "_ext"))
sys.path.insert(0, str(HERE.parent))  # document the checkout, not another installed copy

import slth_theory  # noqa: E402

project = "slth-theory"
author = "slth-theory contributors"
release = slth_theory.__version__
version = release

extensions = [
    "myst_parser",
    "sphinx.ext.autodoc",
    "sphinx.ext.napoleon",
    "slth_docs",
]
source_suffix = {".md": "markdown"}
root_doc = "index"
exclude_patterns = ["_build", "_ext"]
myst_heading_anchors = 3
myst_enable_extensions = ["dollarmath"]

# numpydoc-style docstrings through napoleon
napoleon_google_docstring = False
napoleon_numpy_docstring = True
napoleon_use_ivar = True  # "Attributes" as fields: no duplicate object descriptions
napoleon_use_rtype = False
autodoc_member_order = "bysource"
autodoc_typehints = "signature"
autodoc_preserve_defaults = True

html_theme = "alabaster"
html_title = f"slth-theory {release}"
