"""The API reference of :mod:`wpgd_theory.symbolic` and :mod:`wpgd_theory.architectures`
meets the numpydoc standard (issue 20, item 4).

The entries checked are every function and class named in ``__all__`` of the two packages,
every public function and class defined in the user-facing modules of
``wpgd_theory/symbolic/`` (:data:`SYMBOLIC_MODULES`), those named in ``__all__`` of the
architecture modules :data:`ARCHITECTURE_MODULES`, and the public methods and properties
those classes define.  For each:

* :func:`numpydoc.validate.validate` reports none of the codes :data:`CODES` (a docstring,
  a one-line summary, every parameter documented and none unknown, a ``Returns`` section
  for functions and methods, an ``Examples`` section);
* its ``Examples`` run as doctests and pass.

Data constants of ``__all__`` (``DERIVATIONS``, ``ARCHITECTURES``, ``WEIGHT_CLASSES``) are
instances of ``dict``/``tuple`` and carry no docstring of their own; they are left out.
"""

from __future__ import annotations

import doctest
import importlib
import inspect

import pytest

numpydoc_validate = pytest.importorskip("numpydoc.validate")

#: numpydoc error codes that must not occur (RT01 applies to functions and methods only).
CODES = ("GL08", "SS01", "PR01", "PR02", "RT01", "EX01")
#: numpydoc's object types that return a value (a property or class has no ``Returns``)
_RETURNING = ("function", "method")

PACKAGES = ("wpgd_theory.symbolic", "wpgd_theory.architectures")
SYMBOLIC_MODULES = ("algebra", "bilinear", "induction", "matrixwick", "moments", "positivity", "proofcheck",
                    "recurrences", "sizefree", "stationary", "termsums", "elasticity", "coq")
#: architecture modules whose ``__all__`` is checked beyond the package's own
ARCHITECTURE_MODULES = (
    "cones", "conformance", "delta", "fit", "fenwick", "fla_ops", "layers", "mesa_limit", "registry",
    "registry_ext", "selective_scan", "stacking", "table", "train",
)
_FLAGS = doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE


def _is_api(obj) -> bool:
    return inspect.isfunction(obj) or inspect.isclass(obj)


def _entries() -> dict:
    """``{"module.qualname": (module name, object)}`` of the entries checked, in a deterministic order."""
    out: dict = {}
    for pkg in PACKAGES:
        mod = importlib.import_module(pkg)
        for name in mod.__all__:
            obj = getattr(mod, name)
            if _is_api(obj):
                out[f"{obj.__module__}.{obj.__qualname__}"] = (obj.__module__, obj)
    for short in SYMBOLIC_MODULES:
        mod = importlib.import_module(f"wpgd_theory.symbolic.{short}")
        for name, obj in vars(mod).items():
            if not name.startswith("_") and _is_api(obj) and obj.__module__ == mod.__name__:
                out[f"{mod.__name__}.{name}"] = (mod.__name__, obj)
    for short in ARCHITECTURE_MODULES:
        mod = importlib.import_module(f"wpgd_theory.architectures.{short}")
        for name in mod.__all__:
            obj = getattr(mod, name)
            if _is_api(obj) and obj.__module__ == mod.__name__:
                out[f"{mod.__name__}.{name}"] = (mod.__name__, obj)
    for name, (module, obj) in list(out.items()):
        if inspect.isclass(obj):
            for attr, member in vars(obj).items():
                if not attr.startswith("_") and (inspect.isfunction(member) or isinstance(member, property)):
                    out[f"{name}.{attr}"] = (module, member)
    return out


ENTRIES = _entries()


def test_the_entries_cover_both_packages():
    modules = {module for module, _ in ENTRIES.values()}
    assert any(m.startswith("wpgd_theory.architectures.") for m in modules)
    assert {f"wpgd_theory.symbolic.{m}" for m in SYMBOLIC_MODULES} <= modules


@pytest.mark.parametrize("name", list(ENTRIES))
def test_numpydoc_sections(name):
    result = numpydoc_validate.validate(name)
    errors = [f"{code}: {msg}" for code, msg in result["errors"]
              if code in CODES and not (code == "RT01" and result["type"] not in _RETURNING)]
    assert not errors, f"{name}: " + "; ".join(errors)


@pytest.mark.parametrize("module", sorted({module for module, _ in ENTRIES.values()}))
def test_examples_run_as_doctests(module):
    runner = doctest.DocTestRunner(optionflags=_FLAGS)
    finder = doctest.DocTestFinder(recurse=False)
    without = []
    for name, (mod, obj) in ENTRIES.items():
        if mod != module:
            continue
        tests = [t for t in finder.find(obj, name, module=False, globs=vars(importlib.import_module(mod)).copy())
                 if t.examples]
        if not tests:
            without.append(name)
        for test in tests:
            runner.run(test)
    result = runner.summarize(verbose=False)
    assert not without, f"no runnable Examples: {without}"
    assert result.attempted > 0 and result.failed == 0, f"{result.failed} doctest examples failed in {module}"
