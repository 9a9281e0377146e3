"""The public API's docstrings meet the numpydoc standard, and their Examples run.

**The public API** is every function and class named in ``__all__`` of the packages in
:data:`API_PACKAGES`, plus every function and class of the core modules in :data:`CORE_MODULES`
named in their ``__all__`` or defined there with a public name (no leading underscore).
Constants in an ``__all__`` (``SUITES``, ``SCHEMA_VERSION``, ...) have no docstring of their
own and are not checked; neither are methods (the class docstring is).

**For each entry** (one test per package or module, so a failure lists every problem there):

* numpydoc's own validator (:func:`numpydoc.validate.validate`) reports none of
  :data:`ENFORCED_CODES`: a docstring (GL08), a one-line summary (SS01), every parameter
  documented (PR01) and no unknown one (PR02), a Returns section for functions (RT01), an
  Examples section (EX01);
* every array parameter or return value (a type naming ``ndarray``, ``Tensor`` or ``array``)
  states its shape (``shape`` in its type or description);
* every exception class the function raises *itself* (a ``raise Name(...)`` in its own body, or
  in ``__init__``/``__post_init__`` for a class) is named in its Raises section (exceptions raised
  by the helpers it calls are not seen by this check);
* its Examples run as doctests and pass (``ELLIPSIS``, ``NORMALIZE_WHITESPACE``).

The module list is the one constant :data:`API_PACKAGES` + :data:`CORE_MODULES`;
:data:`PENDING` marks the ones whose docstrings are still being written (strict ``xfail``: once a
module passes, remove it from :data:`PENDING`).
"""

from __future__ import annotations

import ast
import doctest
import importlib
import inspect
import re
import textwrap

import pytest

numpydoc_validate = pytest.importorskip("numpydoc.validate", reason="numpydoc is in the dev extra")
from numpydoc.docscrape import NumpyDocString  # noqa: E402

#: Packages whose ``__all__`` is public API.
API_PACKAGES = (
    "wpgd_theory",
    "wpgd_theory.gla",
    "wpgd_theory.architectures",
    "wpgd_theory.claims",
    "wpgd_theory.report",
    "wpgd_theory.symbolic",
)

#: Core modules whose every public function and class is public API.
CORE_MODULES = tuple(
    f"wpgd_theory.{m}"
    for m in ("model", "wpgd", "landscape", "convex", "certify", "config", "quadrature", "uniqueness", "sweep",
              "parallel", "strategies")
)

#: The one list of modules checked.
API_MODULES = API_PACKAGES + CORE_MODULES

#: Modules whose docstrings are not complete yet, with the reason (strict xfail).
PENDING: dict = {}

#: numpydoc validation codes enforced (see the module docstring).
ENFORCED_CODES = frozenset({"GL08", "SS01", "PR01", "PR02", "RT01", "EX01"})

_ARRAY_TYPE = re.compile(r"ndarray|Tensor|array", re.IGNORECASE)
_FLAGS = doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE


def api_entries(module_name):
    """``{qualified name: object}`` of the functions and classes that ``module_name`` makes public."""
    mod = importlib.import_module(module_name)
    names = list(getattr(mod, "__all__", ()))
    if module_name not in API_PACKAGES:  # a core module: also what it defines without listing it
        names += [n for n, obj in vars(mod).items()
                  if not n.startswith("_") and n not in names and getattr(obj, "__module__", None) == module_name]
    out = {}
    for name in names:
        obj = getattr(mod, name)
        if inspect.isclass(obj) or inspect.isfunction(obj):
            out[f"{module_name}.{name}"] = obj
    return out


def _own_raises(obj):
    """Exception names in ``raise Name(...)`` statements of ``obj``'s own body (nested defs excluded)."""
    if inspect.isclass(obj):
        funcs = [f for f in (vars(obj).get("__init__"), vars(obj).get("__post_init__")) if inspect.isfunction(f)]
    else:
        funcs = [obj]
    names = set()
    for f in funcs:
        try:
            tree = ast.parse(textwrap.dedent(inspect.getsource(inspect.unwrap(f))))
            root = tree.body[0]
        except (OSError, TypeError):  # generated (a dataclass's __init__): nothing of its own
            continue
        stack = list(ast.iter_child_nodes(root))
        while stack:
            node = stack.pop()
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda, ast.ClassDef)):
                continue
            if isinstance(node, ast.Raise) and node.exc is not None:
                exc = node.exc.func if isinstance(node.exc, ast.Call) else node.exc
                if isinstance(exc, ast.Name) and exc.id[:1].isupper():
                    names.add(exc.id)
                elif isinstance(exc, ast.Attribute):
                    names.add(exc.attr)
            stack.extend(ast.iter_child_nodes(node))
    return names


def _with_source(obj):
    """``obj``, or for a function compiled from a string (a Hypothesis ``@composite`` strategy) a
    stand-in with its docstring and signature that numpydoc can locate in a file."""
    code = getattr(obj, "__code__", None)
    if code is None or code.co_filename != "<string>":
        return obj

    def stand_in():
        return obj  # returns something, as the strategy does (numpydoc reads the source for RT01)

    stand_in.__doc__, stand_in.__signature__ = obj.__doc__, inspect.signature(obj)
    stand_in.__name__ = stand_in.__qualname__ = obj.__name__
    return stand_in


def problems(qualname, obj):
    """Every way ``obj``'s docstring falls short, as ``'qualname: CODE message'`` lines."""
    out = []
    report = numpydoc_validate.validate(numpydoc_validate.get_doc_object(_with_source(obj)))
    for code, msg in report["errors"]:
        if code == "PR01":  # a private dataclass field (``_tasks``) is not a parameter a user passes
            missing = {p for p in ast.literal_eval(msg[msg.index("{"):msg.rindex("}") + 1]) if not p.startswith("_")}
            if not missing:
                continue
        if code in ENFORCED_CODES:
            out.append(f"{qualname}: {code} {msg}")
    doc = NumpyDocString(inspect.getdoc(obj) or "")
    for section in ("Parameters", "Other Parameters", "Returns", "Yields"):
        for p in doc[section]:
            text = " ".join([p.type, *p.desc])
            if _ARRAY_TYPE.search(p.type) and "shape" not in text.lower():
                out.append(f"{qualname}: SHAPE {section} entry {p.name or p.type!r} gives no shape")
    documented = " ".join(" ".join([p.name, p.type]) for p in doc["Raises"])
    for exc in sorted(_own_raises(obj)):
        if exc not in documented:
            out.append(f"{qualname}: RAISES raises {exc} but its Raises section does not name it")
    runner = doctest.DocTestRunner(optionflags=_FLAGS)
    tests = [t for t in doctest.DocTestFinder(recurse=False).find(obj, qualname) if t.examples]
    for test in tests:
        result = runner.run(test, out=lambda s: None)
        if result.failed:
            out.append(f"{qualname}: DOCTEST {result.failed} of {result.attempted} examples fail")
    if not tests:
        out.append(f"{qualname}: DOCTEST no runnable example")
    return out


@pytest.mark.parametrize(
    "module_name",
    [pytest.param(m, marks=pytest.mark.xfail(reason=PENDING[m], strict=True)) if m in PENDING else m
     for m in API_MODULES],
)
def test_public_api_docstrings(module_name):
    entries = api_entries(module_name)
    assert entries, f"{module_name} makes no function or class public"
    found = [line for qualname, obj in entries.items() for line in problems(qualname, obj)]
    assert not found, f"{len(found)} docstring problems in {module_name}:\n" + "\n".join(found)


def test_the_checks_reject_an_undocumented_function_and_accept_a_documented_one():
    def bare(x, y):
        """Add."""
        if x is None:
            raise ValueError("x")
        return x + y

    def documented(x):
        """Double an array.

        Parameters
        ----------
        x : ndarray, shape (n,)
            The values.

        Returns
        -------
        ndarray, shape (n,)
            ``2 x``.

        Raises
        ------
        ValueError
            If ``x`` is None.

        Examples
        --------
        >>> import numpy as np
        >>> documented(np.ones(2)).shape
        (2,)
        """
        if x is None:
            raise ValueError("x")
        return 2 * x

    bare_found = " ".join(problems("bare", bare))
    for code in ("PR01", "RT01", "EX01", "RAISES", "DOCTEST"):
        assert code in bare_found, code
    documented.__globals__["documented"] = documented  # the doctest calls it by name
    try:
        assert problems("documented", documented) == []
    finally:
        del documented.__globals__["documented"]
