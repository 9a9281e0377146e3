"""The Examples in the package's docstrings run (``make test`` runs them as doctests)."""

from __future__ import annotations

import doctest
import importlib
import pkgutil

import pytest

import wpgd_theory

_FLAGS = doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE


def _tests(name):
    mod = importlib.import_module(name)
    return [t for t in doctest.DocTestFinder().find(mod, name) if t.examples]


def _modules_with_examples():
    names = ["wpgd_theory"] + [m.name for m in pkgutil.walk_packages(wpgd_theory.__path__, "wpgd_theory.")]
    return [n for n in names if not n.endswith("__main__") and _tests(n)]


@pytest.mark.parametrize("name", _modules_with_examples())
def test_docstring_examples(name):
    runner = doctest.DocTestRunner(optionflags=_FLAGS)
    for test in _tests(name):
        runner.run(test)
    result = runner.summarize(verbose=False)
    assert result.attempted > 0 and result.failed == 0, f"{result.failed} doctest examples failed in {name}"


def test_the_package_docstring_has_runnable_examples():
    assert "wpgd_theory" in _modules_with_examples()
