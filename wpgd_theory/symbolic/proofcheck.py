r"""Machine-checked proofs: data model, checker, Markdown renderer and a runner.

A proof (one file per claim family in ``proofs/`` at the repository root) is a module
defining ``PROOF = Proof(...)``: an ordered list of :class:`Step` objects.  Each step is a
sentence of mathematics (Markdown with ``$…$`` math) and one of

* ``kind="symbolic"`` — ``check`` is a callable returning exact sympy objects: an
  :class:`~wpgd_theory.symbolic.algebra.Identity` or a list of them (a
  :class:`~wpgd_theory.symbolic.derivations.Derivation` is such a callable), a pair
  ``(lhs, rhs)``, or a single expression that must vanish.  The checker runs it and
  reports ✓ when every residual is exactly zero, ✗ otherwise.
* ``kind="numeric"`` — ``check`` is the key ``"CLAIM:check name"`` of a check in the claim
  registry (:func:`wpgd_theory.claims.registry`).  A step citing a key under which no check
  is registered **fails** (✗: a proof may not cite a check that does not exist); otherwise
  ``—`` (registered, run by ``wpgd-verify``) or, with ``run_numeric=True``, ✓/✗ from running
  it (``pending`` only when the check does not run in the requested suite).
* ``kind="text"`` — an argument with nothing to execute (``—``).

``scope`` states honestly what the check covers (:data:`SCOPES`):

* ``"all-sizes"`` — an identity checked with *symbolic* sizes ``d``, ``n`` (the
  symbolic-size engines: :mod:`.termsums`, :mod:`.matrixwick`, :mod:`.induction`), and
  cross-checked by the fixed-size engine at small sizes where one exists;
* ``"certified"`` — an inequality checked over its whole domain (a positivity certificate,
  :mod:`.positivity`, or interval arithmetic);
* ``"sizes"`` — exact, but only at the listed sizes (``sizes``); a prose argument for the
  other sizes is *not* counted as a check;
* ``"numeric"`` — a registered numeric check.

``python -m wpgd_theory.symbolic.proofcheck --json`` prints ``{"steps": [...]}`` with the
family, index, kind, scope, sizes, engines and result of every step, and what it actually ran:
``identities`` (the step's own identities) and ``cross_checks`` (the fixed-size cross-check
identities run beside them, ``cross_check_sizes`` distinct sizes); the text output shows the
same counts per step.

Layering: this module sits *above* the claim registry (proofs cite checks), so it imports
:mod:`wpgd_theory.claims` lazily, only to resolve numeric keys; the rest of
:mod:`wpgd_theory.symbolic` never imports the registry.

Run ``python -m wpgd_theory.symbolic.proofcheck [family ...] [--numeric] [--markdown DIR]
[--proofs DIR] [--json]``: prints ✓/✗ per step with timings and exits 1 if any step fails (2 for a
usage error).
"""

from __future__ import annotations

import importlib
import importlib.util
import json
import sys
import time
import traceback
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

import sympy as sp

from .algebra import Identity

__all__ = [
    "Step",
    "Checked",
    "Proof",
    "StepResult",
    "STATUSES",
    "load_proofs",
    "proofs_dir",
    "check_proof",
    "render_markdown",
    "main",
    "symbolic",
    "all_sizes",
    "certified",
    "numeric",
    "argument",
    "SCOPES",
    "step_records",
    "scope_counts",
]

STEP_KINDS = ("symbolic", "numeric", "text")
#: ✓ verified · ✗ failed (or cites a missing check) · pending (numeric check not run in this suite) · — nothing run
STATUSES = ("✓", "✗", "pending", "—")
FAMILY_ORDER = ("construction", "risk", "optimum", "general_sigma", "gla_landscape")
#: how far a step's check reaches (see the module docstring)
SCOPES = ("all-sizes", "certified", "sizes", "numeric")
_SCOPES_OF_KIND = {"symbolic": ("all-sizes", "certified", "sizes"), "numeric": ("numeric",), "text": ("",)}


# ---------------------------------------------------------------------- data model
@dataclass(frozen=True)
class Step:
    r"""One step of a proof: a sentence of mathematics and what checks it.

    Usually made with the helpers :func:`symbolic`, :func:`all_sizes`, :func:`certified`,
    :func:`numeric` and :func:`argument`.

    Parameters
    ----------
    text : str
        The step (Markdown, ``$…$`` math), non-empty.
    kind : {"text", "symbolic", "numeric"}, optional
        ``"symbolic"``: ``check`` is a callable returning exact objects; ``"numeric"``:
        ``check`` is a registry key ``"CLAIM:check name"``; ``"text"`` (default): nothing to run.
    check : callable or str or None, optional
        What checks the step (``None`` for text).
    scope : str, optional
        One of :data:`SCOPES` allowed for the kind (``""`` for text): ``"all-sizes"``,
        ``"certified"``, ``"sizes"`` (symbolic) or ``"numeric"``.
    sizes : str, optional
        What the check covers, in words.
    engines : tuple of str, optional
        What checks it.
    extends : str, optional
        A prose argument beyond the checked sizes (shown, never counted as a check).
    stated : str, optional
        A standard fact the text uses without checking it, with its source (shown as such,
        never counted as a check).

    Raises
    ------
    TypeError
        If ``check`` does not fit ``kind``.
    ValueError
        If ``kind`` or ``scope`` is not allowed, or ``text`` is empty.

    Examples
    --------
    >>> from wpgd_theory.symbolic.proofcheck import Proof, all_sizes, argument, check_proof
    >>> from wpgd_theory.symbolic.sizefree import w1_label_variance
    >>> proof = Proof("demo", "The label variance", ("W1",), "A two-step proof.", [
    ...     all_sizes("$E[y^2] = \\operatorname{tr}\\Sigma + \\sigma^2 = \\tau$.", w1_label_variance, ("matrixwick",)),
    ...     argument("Hence the first term of the risk is $\\tau$.")])
    >>> proof.steps[0].scope, proof.steps[1].kind
    ('all-sizes', 'text')
    >>> [result.status for result in check_proof(proof)]
    ['✓', '—']
    """

    text: str
    kind: str = "text"
    check: Callable | str | None = None
    scope: str = ""
    sizes: str = ""
    engines: tuple = ()
    extends: str = ""
    stated: str = ""

    def __post_init__(self):
        if self.kind not in STEP_KINDS:
            raise ValueError(f"Step.kind must be one of {STEP_KINDS}, got {self.kind!r}")
        if self.kind == "symbolic" and not callable(self.check):
            raise TypeError(f"a symbolic step needs a callable check, got {type(self.check).__name__}")
        if self.kind == "numeric" and not (isinstance(self.check, str) and ":" in self.check):
            raise TypeError(f"a numeric step needs a registry key 'CLAIM:check name', got {self.check!r}")
        if self.kind == "text" and self.check is not None:
            raise TypeError("a text step has no check")
        if not self.text.strip():
            raise ValueError("Step.text must not be empty")
        if self.scope not in _SCOPES_OF_KIND[self.kind]:
            raise ValueError(f"Step.scope of a {self.kind} step must be one of {_SCOPES_OF_KIND[self.kind]}, "
                             f"got {self.scope!r}")

    @property
    def check_label(self) -> str:
        r"""What the step checks with: a derivation key, a function name or a registry key (``""`` for text).

        Examples
        --------
        >>> from wpgd_theory.symbolic.proofcheck import argument, numeric
        >>> numeric("The risk agrees with Monte Carlo.", "W1:some check").check_label
        'W1:some check'
        >>> argument("Hence the claim.").check_label
        ''
        """
        if self.check is None:
            return ""
        if isinstance(self.check, str):
            return self.check
        return getattr(self.check, "key", None) or getattr(self.check, "__qualname__", None) or repr(self.check)


@dataclass
class Proof:
    r"""A proof of the claims ``claims`` (THEORY ids) of one family: an ordered list of steps.

    Each file ``proofs/<family>.py`` defines ``PROOF = Proof(...)`` (:func:`load_proofs`).

    Parameters
    ----------
    family : str
        The family (the file's stem, e.g. ``"risk"``).
    title : str
        The proof's title.
    claims : tuple of str
        The claim ids proved (e.g. ``("W1", "W2")``).
    intro : str
        Markdown shown before the steps.
    steps : list of Step
        The steps, in order.
    source : str, optional
        The file it was loaded from (set by :func:`load_proofs`).

    Raises
    ------
    TypeError
        If a step is not a :class:`Step`.

    Examples
    --------
    >>> from wpgd_theory.symbolic.proofcheck import Proof, all_sizes, argument, check_proof
    >>> from wpgd_theory.symbolic.sizefree import w1_label_variance
    >>> proof = Proof("demo", "The label variance", ("W1",), "A two-step proof.", [
    ...     all_sizes("$E[y^2] = \\operatorname{tr}\\Sigma + \\sigma^2 = \\tau$.", w1_label_variance, ("matrixwick",)),
    ...     argument("Hence the first term of the risk is $\\tau$.")])
    >>> proof.steps[0].scope, proof.steps[1].kind
    ('all-sizes', 'text')
    >>> [result.status for result in check_proof(proof)]
    ['✓', '—']
    """

    family: str
    title: str
    claims: tuple
    intro: str
    steps: list
    source: str = ""

    def __post_init__(self):
        self.claims = tuple(self.claims)
        bad = [s for s in self.steps if not isinstance(s, Step)]
        if bad:
            raise TypeError(f"Proof.steps must be Step objects, got {type(bad[0]).__name__}")


@dataclass
class StepResult:
    r"""Outcome of checking one step (:func:`check_proof`).

    Parameters
    ----------
    step : Step
        The step checked.
    status : str
        One of :data:`STATUSES`: ``"✓"`` (verified), ``"✗"`` (failed), ``"pending"`` or
        ``"—"`` (nothing run here).
    seconds : float, optional
        Time taken.
    note : str, optional
        What was run (counts of identities and sizes) or why it failed.
    identities : list of Identity, optional
        The step's own identities.
    cross : list of Identity, optional
        The fixed-size cross-check identities run beside them (counted apart).

    Examples
    --------
    >>> from wpgd_theory.symbolic.proofcheck import Proof, all_sizes, argument, check_proof
    >>> from wpgd_theory.symbolic.sizefree import w1_label_variance
    >>> proof = Proof("demo", "The label variance", ("W1",), "A two-step proof.", [
    ...     all_sizes("$E[y^2] = \\operatorname{tr}\\Sigma + \\sigma^2 = \\tau$.", w1_label_variance, ("matrixwick",)),
    ...     argument("Hence the first term of the risk is $\\tau$.")])
    >>> proof.steps[0].scope, proof.steps[1].kind
    ('all-sizes', 'text')
    >>> [result.status for result in check_proof(proof)]
    ['✓', '—']
    """

    step: Step
    status: str
    seconds: float = 0.0
    note: str = ""
    identities: list = field(default_factory=list, repr=False)
    #: the fixed-size cross-check identities run beside ``identities`` (not counted in them)
    cross: list = field(default_factory=list, repr=False)


# ---------------------------------------------------------------------- helpers for proof files
FIXED_SIZE = "fixed-size engine (sympy polynomials at concrete d, n)"


def symbolic(text: str, key: str, extends: str = "") -> Step:
    r"""Make a symbolic step checked by the fixed-size derivation ``key``: scope ``"sizes"``.

    Parameters
    ----------
    text : str
        The step (Markdown, ``$…$`` math).
    key : str
        A key of :data:`~wpgd_theory.symbolic.derivations.DERIVATIONS`.
    extends : str, optional
        How the text argues beyond those sizes; it is shown, never counted.

    Returns
    -------
    Step
        Kind ``"symbolic"``, its ``sizes`` the derivation's default coverage.

    Raises
    ------
    KeyError
        If ``key`` is not a registered derivation.

    Examples
    --------
    >>> from wpgd_theory.symbolic.proofcheck import check_proof, Proof, symbolic
    >>> step = symbolic("$E[y^2] = \\tau$ at small sizes.", "W1.label_variance")
    >>> step.scope, step.sizes, step.check_label
    ('sizes', 'd ≤ 3', 'W1.label_variance')
    """
    from .derivations import derivation

    der = derivation(key)
    return Step(text, "symbolic", der, "sizes", der.scope("default"), (FIXED_SIZE,), extends)


def _name(f) -> str:
    return f if isinstance(f, str) else getattr(f, "__name__", repr(f))


class Checked(list):
    r"""The identities a check ran (the list) and the cross-check identities run beside them.

    :attr:`cross` holds the fixed-size cross-check identities, counted apart from the step's
    own identities.

    Parameters
    ----------
    identities : iterable of Identity, optional
        The check's own identities.
    cross : iterable of Identity, optional
        The fixed-size cross-check identities.

    Examples
    --------
    >>> from wpgd_theory.symbolic.proofcheck import Checked
    >>> from wpgd_theory.symbolic.sizefree import crosscheck_isserlis, w1_isserlis
    >>> checked = Checked(w1_isserlis(), crosscheck_isserlis(sizes=(2,)))
    >>> len(checked), len(checked.cross)
    (1, 1)
    """

    def __init__(self, identities=(), cross=()):
        super().__init__(identities)
        self.cross = list(cross)


class _Both:
    """A check running all-sizes functions and, as a cross-check, fixed-size derivations
    (keys) or cross-check functions; returns a :class:`Checked`."""

    def __init__(self, funcs: tuple, cross: tuple):
        self.funcs, self.cross = funcs, cross
        self.key = " + ".join(_name(f) for f in funcs + cross)

    def __call__(self):
        from .derivations import derivation

        out, cross = [], []
        for f in self.funcs:
            out.extend(_as_identities(f()))
        for c in self.cross:
            cross.extend(derivation(c).run("default") if isinstance(c, str) else _as_identities(c()))
        return Checked(out, cross)


def all_sizes(text: str, func, engines: tuple, cross: tuple = (), sizes: str = "symbolic d, n",
              stated: str = "") -> Step:
    r"""Make a symbolic step checked with symbolic sizes (scope ``"all-sizes"``).

    The fixed-size derivations ``cross`` (keys, or callables comparing the two engines) are
    run too, as the second engine.

    Parameters
    ----------
    text : str
        The step (Markdown, ``$…$`` math).
    func : callable or tuple of callable
        The all-sizes check(s), each returning Identity objects.
    engines : tuple of str
        What checks it (names of the engines).
    cross : tuple, optional
        Derivation keys or cross-check callables run beside ``func`` (default none).
    sizes : str, optional
        What the check covers (default ``"symbolic d, n"``).
    stated : str, optional
        A standard fact the text uses unchecked, with its source.

    Returns
    -------
    Step
        Kind ``"symbolic"``, scope ``"all-sizes"``.

    Raises
    ------
    KeyError
        If a key of ``cross`` is not a registered derivation.

    Examples
    --------
    >>> from wpgd_theory.symbolic.proofcheck import all_sizes, check_proof, Proof
    >>> from wpgd_theory.symbolic.sizefree import w1_label_variance
    >>> step = all_sizes("$E[y^2] = \\tau$.", w1_label_variance, ("matrixwick",), cross=("W1.label_variance",))
    >>> step.sizes
    'symbolic d, n; cross-checked by the fixed-size engine at d ≤ 3'
    >>> result, = check_proof(Proof("demo", "Demo", ("W1",), "", [step]))
    >>> result.status, len(result.identities), len(result.cross)
    ('✓', 1, 3)
    """
    funcs = tuple(func) if isinstance(func, (tuple, list)) else (func,)
    check = _Both(funcs, tuple(cross)) if (cross or len(funcs) > 1) else funcs[0]
    if cross:
        from .derivations import derivation

        where = [derivation(c).scope("default") if isinstance(c, str) else getattr(c, "sizes", "small sizes")
                 for c in cross]
        sizes += "; cross-checked by the fixed-size engine at " + "; ".join(where)
        engines = tuple(engines) + (FIXED_SIZE,)
    return Step(text, "symbolic", check, "all-sizes", sizes, tuple(engines), stated=stated)


def certified(text: str, func: Callable, engines: tuple, sizes: str = "whole domain") -> Step:
    r"""Make a step for an inequality (or enclosure) checked over its whole domain: scope ``"certified"``.

    Parameters
    ----------
    text : str
        The step (Markdown, ``$…$`` math).
    func : callable
        Returns the certificate's identities (e.g. :meth:`PositivityCertificate.check
        <wpgd_theory.symbolic.positivity.PositivityCertificate.check>`).
    engines : tuple of str
        What checks it.
    sizes : str, optional
        What the check covers (default ``"whole domain"``).

    Returns
    -------
    Step
        Kind ``"symbolic"``, scope ``"certified"``.

    Examples
    --------
    >>> from wpgd_theory.symbolic.elasticity import u3_cubic_max
    >>> from wpgd_theory.symbolic.proofcheck import certified
    >>> certified("$\\max_{y\\ge0} y^2(c-y) = 4c^3/27$.", u3_cubic_max, ("positivity certificate",)).scope
    'certified'
    """
    return Step(text, "symbolic", func, "certified", sizes, tuple(engines))


def numeric(text: str, key: str, sizes: str = "") -> Step:
    r"""Make a step pointing to the registered numeric check ``"CLAIM:check name"``.

    A key under which no check is registered makes the step fail when checked.

    Parameters
    ----------
    text : str
        The step (Markdown, ``$…$`` math).
    key : str
        The registry key, ``"CLAIM:check name"``.
    sizes : str, optional
        What the check covers, in words.

    Returns
    -------
    Step
        Kind ``"numeric"``, scope ``"numeric"``.

    Raises
    ------
    TypeError
        If ``key`` has no ``":"``.

    Examples
    --------
    >>> from wpgd_theory.symbolic.proofcheck import numeric
    >>> step = numeric("The risk agrees with Monte Carlo.", "W1:some check")
    >>> step.kind, step.check_label
    ('numeric', 'W1:some check')
    """
    return Step(text, "numeric", key, "numeric", sizes, ("claims registry",))


def argument(text: str) -> Step:
    r"""Make a step of pure argument (nothing to execute).

    Parameters
    ----------
    text : str
        The step (Markdown, ``$…$`` math).

    Returns
    -------
    Step
        Kind ``"text"``; checking it gives ``"—"``.

    Examples
    --------
    >>> from wpgd_theory.symbolic.proofcheck import argument
    >>> argument("Hence the claim.").kind
    'text'
    """
    return Step(text, "text", None)


# ---------------------------------------------------------------------- loading
def proofs_dir() -> Path:
    r"""Return ``proofs/`` at the repository root (next to the ``wpgd_theory`` package).

    Returns
    -------
    pathlib.Path
        The directory (present in a source checkout, not in an installed wheel).

    Examples
    --------
    >>> from wpgd_theory.symbolic.proofcheck import proofs_dir
    >>> proofs_dir().name
    'proofs'
    """
    return Path(__file__).resolve().parents[2] / "proofs"


def load_proofs(directory: str | Path | None = None) -> list:
    r"""Import every ``proofs/*.py`` and return their ``PROOF`` objects.

    Families come in the order construction, risk, optimum, general_sigma, gla_landscape
    (then any other file, alphabetically).

    Parameters
    ----------
    directory : str or pathlib.Path or None, optional
        Where the proof files are; ``None`` (default) for :func:`proofs_dir`.

    Returns
    -------
    list of Proof
        One per file, each with its ``source`` set.

    Raises
    ------
    FileNotFoundError
        If the directory is missing (the proofs ship with the source tree, not with an
        installed wheel) or holds no proof file.
    ValueError
        If a file defines no :class:`Proof` named ``PROOF``.

    Examples
    --------
    >>> from wpgd_theory.symbolic.proofcheck import load_proofs
    >>> [proof.family for proof in load_proofs()][:3]
    ['construction', 'risk', 'optimum']
    """
    root = Path(directory) if directory is not None else proofs_dir()
    if not root.is_dir():
        raise FileNotFoundError(
            f"proofs directory not found at {root}: load_proofs() needs the repository checkout "
            f"(proofs/ sits next to the wpgd_theory package and is not installed with it)")
    files = {p.stem: p for p in root.glob("*.py") if not p.name.startswith("_")}
    if not files:
        raise FileNotFoundError(f"no proof files (*.py) in {root}")
    order = [f for f in FAMILY_ORDER if f in files] + sorted(f for f in files if f not in FAMILY_ORDER)
    out = []
    for stem in order:
        path = files[stem]
        name = f"wpgd_theory_proofs.{stem}"
        spec = importlib.util.spec_from_file_location(name, path)
        module = importlib.util.module_from_spec(spec)
        sys.modules[name] = module
        spec.loader.exec_module(module)
        proof = getattr(module, "PROOF", None)
        if not isinstance(proof, Proof):
            raise ValueError(f"{path} must define PROOF = Proof(...), found {type(proof).__name__}")
        proof.source = str(path)
        out.append(proof)
    return out


# ---------------------------------------------------------------------- checking
def _count(k: int, one: str, many: str) -> str:
    return f"{k} {one if k == 1 else many}"


def _as_identities(result) -> list:
    if isinstance(result, Identity):
        return [result]
    if isinstance(result, (list, tuple)) and result and all(isinstance(r, Identity) for r in result):
        return list(result)
    if isinstance(result, tuple) and len(result) == 2:
        return [Identity("lhs = rhs", {}, result[0], result[1])]
    if isinstance(result, bool) or result is None:
        raise TypeError("a symbolic check must return expressions, not a bool/None (nothing to verify)")
    if isinstance(result, (sp.Basic, sp.MatrixBase)) or hasattr(result, "ring"):
        return [Identity("expr = 0", {}, result, 0)]
    raise TypeError(f"cannot interpret a symbolic check result of type {type(result).__name__}")


def _check_symbolic(step: Step) -> StepResult:
    t0 = time.perf_counter()
    try:
        result = step.check()
        cross = list(getattr(result, "cross", ()))
        ids = _as_identities(list(result) if isinstance(result, Checked) else result)
        failed = [i for i in ids + cross if not i.ok]
    except Exception as exc:  # a check that raises is a failure, never a pass
        return StepResult(step, "✗", time.perf_counter() - t0,
                          f"{type(exc).__name__}: {exc}\n{traceback.format_exc(limit=4)}")
    secs = time.perf_counter() - t0
    sizes = sorted({i.size_label() for i in ids + cross})
    if failed:
        worst = ", ".join(f"{i.name} [{i.size_label()}]: {i.residual} non-zero terms" for i in failed[:3])
        return StepResult(step, "✗", secs, f"{len(failed)} of {len(ids) + len(cross)} identities fail: {worst}",
                          ids, cross)
    note = f"{_count(len(ids), 'identity', 'identities')}"
    if cross:
        note += f" and {_count(len(cross), 'fixed-size cross-check', 'fixed-size cross-checks')}"
    note += " exact"
    fixed = [z for z in sizes if z != "general" and "symbolic" not in z]
    if len(fixed) < len(sizes):
        note += " with symbolic sizes" + (f" and at {len(fixed)} fixed size{'s' if len(fixed) > 1 else ''}"
                                          if fixed else "")
    elif fixed:
        note += f" at {len(fixed)} size{'s' if len(fixed) > 1 else ''}"
    return StepResult(step, "✓", secs, note, ids, cross)


_REGISTRY_CACHE: dict = {}


def _registered_checks() -> tuple:
    """``({key: Check}, error message or "")``, resolved lazily from the claim registry."""
    if "checks" not in _REGISTRY_CACHE:
        try:
            claims = importlib.import_module("wpgd_theory.claims")
            checks = {chk.key: chk for claim in claims.registry() for chk in claim.checks}
            _REGISTRY_CACHE["checks"] = (checks, "")
        except Exception as exc:  # a broken family module must not crash the proof checker
            _REGISTRY_CACHE["checks"] = ({}, f"claim registry could not be loaded: {type(exc).__name__}: {exc}")
    return _REGISTRY_CACHE["checks"]


def _check_numeric(step: Step, registry: Mapping | None, run_numeric: bool, suite: str) -> StepResult:
    t0 = time.perf_counter()
    if registry is None:
        registry, err = _registered_checks()
    else:
        err = ""
    chk = registry.get(step.check)
    if chk is None:  # a proof may not cite a check that does not exist: a failure, never pending
        note = f"cites a missing check: no check registered under {step.check!r}"
        return StepResult(step, "✗", time.perf_counter() - t0, note + (f" ({err})" if err else ""))
    if not run_numeric:
        return StepResult(step, "—", time.perf_counter() - t0,
                          f"registered {getattr(chk, 'kind', 'numeric')} check; run by `wpgd-verify run --only "
                          f"{step.check.split(':', 1)[0]}`")
    from wpgd_theory.claims.core import CheckContext  # lazy: see module docstring
    from wpgd_theory.claims.runner import run_check

    if suite not in getattr(chk, "suites", (suite,)):
        return StepResult(step, "pending", time.perf_counter() - t0, f"check does not run in suite {suite!r}")
    res, secs = run_check(chk, CheckContext(suite=suite))
    status = {"passed": "✓", "failed": "✗", "error": "✗"}.get(res.status, "pending")
    note = f"{res.status}: measured {res.measured} (tolerance {res.tolerance})" + (
        f"; {res.message}" if res.message else "")
    return StepResult(step, status, secs, note)


def check_proof(proof: Proof, *, run_numeric: bool = False, suite: str = "quick",
                registry: Mapping | None = None) -> list:
    r"""Check every step of ``proof``.

    Symbolic steps are executed (their derivations are cached per process) and pass when every
    residual is exactly zero.  Numeric steps are resolved against the claim registry; a key
    with no registered check fails, and with ``run_numeric`` they are run in ``suite``.  Text
    steps give ``"—"``.

    Parameters
    ----------
    proof : Proof
        The proof.
    run_numeric : bool, optional
        Run the numeric checks too (default False).
    suite : str, optional
        The suite numeric checks run in (default ``"quick"``).
    registry : mapping or None, optional
        ``{key: Check}``; ``None`` (default) for the live claim registry.

    Returns
    -------
    list of StepResult
        One per step.

    Raises
    ------
    TypeError
        If ``proof`` is not a :class:`Proof`.

    Examples
    --------
    >>> from wpgd_theory.symbolic.proofcheck import Proof, all_sizes, argument, check_proof
    >>> from wpgd_theory.symbolic.sizefree import w1_label_variance
    >>> proof = Proof("demo", "The label variance", ("W1",), "A two-step proof.", [
    ...     all_sizes("$E[y^2] = \\operatorname{tr}\\Sigma + \\sigma^2 = \\tau$.", w1_label_variance, ("matrixwick",)),
    ...     argument("Hence the first term of the risk is $\\tau$.")])
    >>> proof.steps[0].scope, proof.steps[1].kind
    ('all-sizes', 'text')
    >>> [result.status for result in check_proof(proof)]
    ['✓', '—']
    """
    if not isinstance(proof, Proof):
        raise TypeError(f"proof must be a Proof, got {type(proof).__name__}")
    out = []
    for step in proof.steps:
        if step.kind == "symbolic":
            out.append(_check_symbolic(step))
        elif step.kind == "numeric":
            out.append(_check_numeric(step, registry, run_numeric, suite))
        else:
            out.append(StepResult(step, "—", 0.0, "argument"))
    return out


# ---------------------------------------------------------------------- rendering
def _status_word(status: str) -> str:
    return {"✓": "verified", "✗": "FAILED", "pending": "pending", "—": "not run here"}[status]


def render_markdown(proof: Proof, results: list | None = None) -> str:
    r"""Render ``proof`` as MyST-compatible Markdown (``$…$`` math needs the ``dollarmath`` extension).

    Parameters
    ----------
    proof : Proof
        The proof.
    results : list of StepResult or None, optional
        From :func:`check_proof`; then every step carries its mark (default None).

    Returns
    -------
    str
        The Markdown page, ending with a newline.

    Raises
    ------
    ValueError
        If ``results`` does not have one entry per step.

    Examples
    --------
    >>> from wpgd_theory.symbolic.proofcheck import Proof, argument, render_markdown
    >>> proof = Proof("demo", "A proof", ("W1",), "Intro.", [argument("Hence the claim.")])
    >>> print(render_markdown(proof).splitlines()[1])
    # A proof
    >>> "**Step 1.** Hence the claim." in render_markdown(proof)
    True
    """
    if results is not None and len(results) != len(proof.steps):
        raise ValueError(f"results has {len(results)} entries for {len(proof.steps)} steps")
    lines = [f"(proof-{proof.family})=", f"# {proof.title}", ""]
    lines.append(f"**Claims:** {', '.join(proof.claims)} · **Source:** `proofs/{proof.family}.py`")
    lines.append("")
    if results is not None:
        counts = {s: sum(r.status == s for r in results) for s in STATUSES}
        total = sum(r.seconds for r in results)
        summary = ", ".join(f"{counts[s]} {s}" for s in STATUSES if counts[s])
        lines += [f"**Machine check:** {summary} ({total:.2f} s).", ""]
    counts = scope_counts(proof)
    lines += ["**Scope of the checks:** " + ", ".join(f"{counts[sc]} {sc}" for sc in SCOPES) + f", {counts['text']} "
              "text (all-sizes: symbolic d, n; certified: an inequality over its whole domain; sizes: only at "
              "the listed sizes; numeric: a registered numeric check).", ""]
    lines += [proof.intro.strip(), ""]
    for k, step in enumerate(proof.steps, start=1):
        res = results[k - 1] if results is not None else None
        mark = f" {res.status}" if res is not None and res.status != "—" else ""
        lines.append(f"**Step {k}{mark}.** {step.text.strip()}")
        lines.append("")
        if step.kind == "text":
            continue
        where = f"`{step.check_label}`"
        info = f"`[{step.scope}]` *{step.kind.capitalize()} check* {where}"
        if step.sizes:
            info += f", covers: {step.sizes}"
        if step.engines:
            info += f"; engines: {', '.join(step.engines)}"
        if step.extends:
            info += f"; beyond the checked sizes by argument only: {step.extends}"
        if step.stated:
            info += f"; stated fact, not checked: {step.stated}"
        if res is not None:
            info += f" — **{_status_word(res.status)}**"
            if res.note:
                info += f" ({res.note.splitlines()[0]}"
                info += f", {res.seconds:.2f} s)" if step.kind == "symbolic" else ")"
        lines += [f"> {info}", ""]
    return "\n".join(lines).rstrip() + "\n"


# ---------------------------------------------------------------------- scope report
_RESULT_WORDS = {"✓": "passed", "✗": "failed", "pending": "pending", "—": "not run"}


def scope_counts(proof: Proof) -> dict:
    r"""Count the steps of ``proof`` per scope.

    Parameters
    ----------
    proof : Proof
        The proof.

    Returns
    -------
    dict
        ``{scope: number of steps}`` over :data:`SCOPES` plus ``"text"``.

    Examples
    --------
    >>> from wpgd_theory.symbolic.proofcheck import Proof, argument, numeric, scope_counts
    >>> proof = Proof("demo", "Demo", ("W1",), "", [argument("A."), numeric("B.", "W1:x")])
    >>> scope_counts(proof)
    {'all-sizes': 0, 'certified': 0, 'sizes': 0, 'numeric': 1, 'text': 1}
    """
    out = {sc: 0 for sc in SCOPES}
    out["text"] = 0
    for step in proof.steps:
        out[step.scope or "text"] += 1
    return out


def step_records(proof: Proof, results: list) -> list:
    r"""Return one JSON-ready dict per step (the ``"steps"`` of ``proofcheck --json``).

    Each record has the family, index, kind, scope, sizes, engines, result, check, seconds,
    numbers of identities and cross-checks, note, ``coq`` (the Coq lemmas proving the step,
    :mod:`.coq`) and ``scopes`` (its scope, plus ``"coq"``).

    Parameters
    ----------
    proof : Proof
        The proof.
    results : list of StepResult
        From :func:`check_proof`.

    Returns
    -------
    list of dict
        One record per step.

    Examples
    --------
    >>> from wpgd_theory.symbolic.proofcheck import Proof, argument, check_proof, step_records
    >>> proof = Proof("demo", "Demo", ("W1",), "", [argument("Hence the claim.")])
    >>> record, = step_records(proof, check_proof(proof))
    >>> record["index"], record["kind"], record["result"], record["coq"]
    (1, 'text', 'not run', None)
    """
    from .coq import step_fields as coq_step_fields

    out = []
    for k, (step, res) in enumerate(zip(proof.steps, results), start=1):
        out.append({"family": proof.family, "index": k, "kind": step.kind, "scope": step.scope or None,
                    "sizes": step.sizes or None, "engines": list(step.engines), "result": _RESULT_WORDS[res.status],
                    "check": step.check_label or None, "seconds": round(res.seconds, 4),
                    "identities": len(res.identities), "cross_checks": len(res.cross),
                    "cross_check_sizes": len({i.size_label() for i in res.cross}),
                    "note": res.note.splitlines()[0] if res.note else "",
                    "argument_beyond_checked_sizes": step.extends or None,
                    "stated_fact": step.stated or None})
        out[-1].update(coq_step_fields(proof.family, k, step.scope))  # scope "coq" (proofs/coq, issue 22)
    return out


# ---------------------------------------------------------------------- runner
def main(argv: list | None = None) -> int:
    r"""Check the proofs from the command line; print one line per step.

    ``python -m wpgd_theory.symbolic.proofcheck [family ...] [--numeric] [--markdown DIR]
    [--proofs DIR] [--json]``.

    Parameters
    ----------
    argv : list of str or None, optional
        The arguments; ``None`` (default) for ``sys.argv[1:]``.

    Returns
    -------
    int
        The exit status: 0 if every step passed, 1 if one failed, 2 for a usage error.

    Examples
    --------
    >>> import pathlib, tempfile
    >>> from wpgd_theory.symbolic.proofcheck import main
    >>> with tempfile.TemporaryDirectory() as tmp:
    ...     _ = (pathlib.Path(tmp) / "demo.py").write_text(
    ...         "from wpgd_theory.symbolic.proofcheck import Proof, argument\n"
    ...         "PROOF = Proof('demo', 'Demo', ('W1',), 'Intro.', [argument('Nothing to run.')])\n")
    ...     status = main(["--proofs", tmp])  # doctest: +ELLIPSIS, +NORMALIZE_WHITESPACE
    [demo] Demo  (W1)
          —  step  1  ...s  text     argument
    OK: 0 failing step(s), ... s
    >>> status
    0
    """
    argv = list(sys.argv[1:] if argv is None else argv)
    run_numeric = "--numeric" in argv
    md_dir = None
    if "--markdown" in argv:
        i = argv.index("--markdown")
        if i + 1 >= len(argv):
            print("--markdown needs a directory", file=sys.stderr)
            return 2
        md_dir = Path(argv[i + 1])
        del argv[i:i + 2]
    directory = None
    if "--proofs" in argv:
        i = argv.index("--proofs")
        if i + 1 >= len(argv):
            print("--proofs needs a directory", file=sys.stderr)
            return 2
        directory = argv[i + 1]
        del argv[i:i + 2]
    as_json = "--json" in argv
    families = [a for a in argv if not a.startswith("--")]
    try:
        proofs = load_proofs(directory)
    except (FileNotFoundError, ValueError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    known = {p.family for p in proofs}
    unknown = [f for f in families if f not in known]
    if unknown:
        print(f"unknown proof families {unknown}; known: {sorted(known)}", file=sys.stderr)
        return 2
    failed = 0
    t_all = time.perf_counter()
    records, counts = [], {}
    say = (lambda *a, **k: None) if as_json else print
    for proof in proofs:
        if families and proof.family not in families:
            continue
        say(f"[{proof.family}] {proof.title}  ({', '.join(proof.claims)})")
        results = check_proof(proof, run_numeric=run_numeric)
        records += step_records(proof, results)
        counts[proof.family] = scope_counts(proof)
        for k, res in enumerate(results, start=1):
            label = res.step.check_label or "argument"
            scope = f": {res.step.sizes}" if res.step.sizes else ""
            scope = f" [{res.step.scope}{scope}]" if res.step.scope else ""
            ran = (f" ({_count(len(res.identities), 'identity', 'identities')}, "
                   f"{_count(len(res.cross), 'fixed-size cross-check', 'fixed-size cross-checks')})"
                   if res.step.kind == "symbolic" else "")
            say(f"  {res.status:>7}  step {k:2d}  {res.seconds:7.3f}s  {res.step.kind:8s} {label}{scope}{ran}")
            if res.status == "✗":
                say("           " + res.note.replace("\n", "\n           "))
        failed += sum(r.status == "✗" for r in results)
        if md_dir is not None:
            md_dir.mkdir(parents=True, exist_ok=True)
            (md_dir / f"{proof.family}.md").write_text(render_markdown(proof, results), encoding="utf-8")
    if as_json:
        print(json.dumps({"steps": records, "scope_counts": counts, "failed": failed,
                          "seconds": round(time.perf_counter() - t_all, 3)}, indent=1, ensure_ascii=False))
    else:
        print(f"{'FAILED' if failed else 'OK'}: {failed} failing step(s), {time.perf_counter() - t_all:.2f} s")
    return 1 if failed else 0


if __name__ == "__main__":
    # run the canonical module's main() so that Proof is the class the proof files import
    from wpgd_theory.symbolic.proofcheck import main as _main

    raise SystemExit(_main())
