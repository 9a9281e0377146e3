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

The example gallery (``gallery/*.py`` → ``auto_examples/``) is run by sphinx-gallery at
build time; an example whose source did not change is not run again (its outputs are kept
in ``auto_examples/``, git-ignored).

No step needs the network, and neither does reading the pages: mathematics is pre-rendered
to MathML at build time (``_mathml.py``, no MathJax, no CDN).  Cross-references to numpy,
scipy, torch, sympy, cvxpy and hypothesis (intersphinx) use the inventories found in
``_intersphinx/<name>.inv``; a project without a local inventory is left out, so an offline
build never warns.  ``make docs-inventories`` fetches them where the network allows.
"""

from __future__ import annotations

import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(HERE))

import _timings  # noqa: E402  (beside this file)

import wpgd_theory  # noqa: E402

project = "wpgd_theory"
author = "wpgd_theory contributors"
copyright = "2025, wpgd_theory contributors"
release = wpgd_theory.__version__
version = release

extensions = [
    "myst_parser",
    "sphinx.ext.autodoc",
    "sphinx.ext.autosummary",
    "sphinx.ext.napoleon",
    "sphinx.ext.intersphinx",
    "sphinx.ext.viewcode",
    "sphinx_gallery.gen_gallery",
    "_mathml",
]
html_math_renderer = "mathml"
source_suffix = {".rst": "restructuredtext", ".md": "markdown"}
root_doc = "index"
exclude_patterns = ["_build", "Thumbs.db", ".DS_Store", "_generated/*.md", "examples", "gallery", "_intersphinx",
                    "auto_examples/*.ipynb", "auto_examples/*.py", "auto_examples/*.zip"]
templates_path: list = []

myst_enable_extensions = ["dollarmath", "amsmath", "colon_fence", "deflist", "substitution"]
# durations quoted by the pages, from benchmarks/results/ (never typed: _timings.py)
myst_substitutions = _timings.substitutions()
myst_heading_anchors = 3
suppress_warnings = ["myst.header"]

autodoc_default_options = {"member-order": "bysource"}
autodoc_typehints = "description"
autodoc_mock_imports: list = []
napoleon_numpy_docstring = True
napoleon_google_docstring = True
napoleon_use_rtype = False

autosummary_generate = True
autosummary_imported_members = True

# intersphinx: only the projects whose inventory is on disk (see the module docstring).
_INVENTORIES = {
    "python": "https://docs.python.org/3/",
    "numpy": "https://numpy.org/doc/stable/",
    "scipy": "https://docs.scipy.org/doc/scipy/",
    "torch": "https://docs.pytorch.org/docs/stable/",
    "sympy": "https://docs.sympy.org/latest/",
    "cvxpy": "https://www.cvxpy.org/",
    "hypothesis": "https://hypothesis.readthedocs.io/en/latest/",
}
intersphinx_mapping = {name: (url, str(HERE / "_intersphinx" / f"{name}.inv"))
                       for name, url in _INVENTORIES.items() if (HERE / "_intersphinx" / f"{name}.inv").exists()}
intersphinx_timeout = 5

sphinx_gallery_conf = {
    "examples_dirs": "gallery",
    "gallery_dirs": "auto_examples",
    "filename_pattern": r"/plot_",
    "within_subsection_order": "FileNameSortKey",
    "reset_modules": ("matplotlib", "_gallery.reset_style"),
    "download_all_examples": False,
    "remove_config_comments": True,
    "abort_on_example_error": True,
    "show_memory": False,
    "show_signature": False,
    "min_reported_time": 1,
    "write_computation_times": False,  # its page loads scripts from a CDN
    "capture_repr": ("_repr_html_", "__repr__"),
    "matplotlib_animations": False,
    # "Examples using this" on the API pages (a minigallery per module, _pages.generate_api)
    "doc_module": ("wpgd_theory",),
    "backreferences_dir": "_generated/backreferences",
}

html_theme = "furo"
html_title = f"wpgd_theory {release}"
html_static_path = ["_static"]
html_css_files = ["custom.css"]
html_last_updated_fmt = None
html_show_sourcelink = False


def _examples_using(app, what, name, obj, options, lines):
    """SciPy-style "Examples using this" under every function and class the gallery uses: a
    rubric and a ``minigallery`` of the examples that sphinx-gallery's backreferences record
    for the object, under its defining module's path or that of a package re-exporting it
    (``wpgd_theory.gla.GLA`` for ``wpgd_theory.gla.model.GLA``).

    A rubric, not the directive's ``:add-heading:`` (a section title inside a docstring is
    invalid reStructuredText); nothing is added for an object no example uses."""
    if what not in ("function", "class") or not name.startswith("wpgd_theory."):
        return
    import json

    found = Path(app.srcdir, sphinx_gallery_conf["backreferences_dir"], "backreferences_all.json")
    if not found.is_file():
        return
    import importlib

    used_by = json.loads(found.read_text(encoding="utf-8"))
    module, attr = name.rsplit(".", 1)
    parts = module.split(".")
    packages = [".".join(parts[:i]) for i in range(1, len(parts))]
    names = [name] + [f"{p}.{attr}" for p in packages if getattr(importlib.import_module(p), attr, None) is obj]
    names = [n for n in names if used_by.get(n)]
    if names:
        lines += ["", ".. rubric:: Examples using this", "", ".. minigallery:: " + " ".join(names), ""]


def setup(app):
    from _pages import generate_all

    app.connect("builder-inited", lambda app: generate_all(Path(app.srcdir)))
    # after sphinx-gallery's builder-inited handler has written the backreferences
    app.connect("autodoc-process-docstring", _examples_using)
    return {"parallel_read_safe": True}
