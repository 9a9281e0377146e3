"""Sphinx configuration of the wpgd_theory docs.

Built with ``python -m sphinx -W --keep-going -b html docs docs/_build/html`` (``make docs``);
warnings are errors.  At ``builder-inited`` :mod:`docs._pages` (``_pages.py`` beside
this file) generates, into git-ignored folders:

* ``theory/`` — one page per claim family: the claims as registered, and the machine-checked
  proof from ``proofs/`` rendered by ``wpgd_theory.symbolic.proofcheck`` (with ✓ marks) when
  that module is importable;
* ``report/`` — the latest ``quick`` report (run in-process at build time; set
  ``WPGD_DOCS_REPORT_DIR=DIR`` to embed an existing report directory instead, or
  ``WPGD_DOCS_REPORT=off`` to skip it);
* ``api/`` — an autodoc page per importable module of the package;
* ``_generated/cli-*.txt`` — the ``--help`` of each ``wpgd-verify`` command.

No step needs the network: MathJax is referenced by URL and loaded by the reader's browser.
"""

from __future__ import annotations

import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(HERE))

import wpgd_theory  # noqa: E402

project = "wpgd_theory"
author = "wpgd_theory contributors"
copyright = "2025, wpgd_theory contributors"
release = wpgd_theory.__version__
version = release

extensions = [
    "myst_parser",
    "sphinx.ext.autodoc",
    "sphinx.ext.napoleon",
    "sphinx.ext.mathjax",
    "sphinx.ext.viewcode",
]
source_suffix = {".rst": "restructuredtext", ".md": "markdown"}
root_doc = "index"
exclude_patterns = ["_build", "Thumbs.db", ".DS_Store", "_generated/*.md", "examples"]
templates_path: list = []

myst_enable_extensions = ["dollarmath", "amsmath", "colon_fence", "deflist"]
myst_heading_anchors = 3
suppress_warnings = ["myst.header"]

autodoc_default_options = {"member-order": "bysource"}
autodoc_typehints = "description"
autodoc_mock_imports: list = []
napoleon_numpy_docstring = True
napoleon_google_docstring = True
napoleon_use_rtype = False

# psmallmatrix (used by the G-claims' statements) lives in MathJax's mathtools package.
mathjax3_config = {"loader": {"load": ["[tex]/mathtools"]}, "tex": {"packages": {"[+]": ["mathtools"]}}}

html_theme = "furo"
html_title = f"wpgd_theory {release}"
html_static_path = ["_static"]
html_last_updated_fmt = None
html_show_sourcelink = False


def setup(app):
    from _pages import generate_all

    app.connect("builder-inited", lambda app: generate_all(Path(app.srcdir)))
    return {"parallel_read_safe": True}
