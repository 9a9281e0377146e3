r"""Core types of the claim registry: :class:`Claim`, :class:`Check`, :class:`CheckResult`.

A *check* compares two independently computed quantities with a stated tolerance and
records both (DESIGN.md, "How a check is honest").  Check functions take a
:class:`CheckContext` and return a :class:`CheckResult`, usually built with
:func:`compare` (deterministic comparisons) or :func:`compare_monte_carlo` (a z-score
bound from the estimated standard error).

Families register checks with the :func:`check` decorator in their own module
(``claims/risk.py``, ``claims/construction.py``, ...).  A claim with no registered check,
or whose checks did not all run, is reported as *not verified* — never as passed.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

__all__ = [
    "SUITES",
    "KINDS",
    "Claim",
    "Check",
    "CheckResult",
    "CheckContext",
    "check",
    "compare",
    "compare_monte_carlo",
    "compare_bool",
    "combine_results",
    "not_applicable",
    "EVIDENCE_KINDS",
]

#: Suites in increasing cost; a check lists the suites it runs in.
SUITES = ("quick", "default", "thorough")
#: What a check is made of: the three independent ways plus torch constructions/training,
#: and ``"consistency"`` for a check whose two sides share code (an error in the shared
#: part passes it): it still fails its claim when it fails, but never counts as evidence.
KINDS = ("symbolic", "numeric", "property", "torch", "training", "consistency")
#: The power of a ``|z| ≤ 4`` test: an error shifting ``z``'s mean by ``POWER_Z`` standard
#: errors fails it with probability ≥ 97.7 % (4 + 2 SE); statistical checks state
#: ``POWER_Z·SE`` as the effect they detect (``4·SE`` would be detected half the time).
POWER_Z = 6.0
#: Kinds whose passing counts as evidence for a claim.
EVIDENCE_KINDS = tuple(k for k in KINDS if k != "consistency")


@dataclass(frozen=True)
class CheckResult:
    """Outcome of one check.

    ``status`` is ``"passed"``, ``"failed"``, ``"error"`` (the check raised),
    ``"skipped"`` (e.g. CUDA requested but absent; a skipped check leaves its claim
    *not verified*) or ``"not applicable"`` (no model of the run meets the check's
    premise; ``message`` says why; it neither passes nor fails its claim).  ``details``
    names the two compared sides under ``"reference"`` and ``"subject"`` (functions or
    methods), so their independence can be read in ``report.json``.
    ``measured`` and ``tolerance`` are what the report's table shows:
    ``measured`` is the discrepancy (relative error, z-score, ...) and the check passes
    iff ``measured <= tolerance``.  ``details`` carries the two compared values and
    anything else worth recording (JSON-serialisable).

    Parameters
    ----------
    status : str
        ``"passed"``, ``"failed"``, ``"error"``, ``"skipped"`` or ``"not applicable"``.
    measured : float, optional
        The discrepancy measured (None when there is none to report).
    tolerance : float, optional
        The bound it is held to: passes iff ``measured <= tolerance``.
    details : dict, optional
        The two compared sides (``"reference"``, ``"subject"``) and values, JSON-serialisable.
    message : str, optional
        What was compared (a sentence for the report).

    Examples
    --------
    >>> res = CheckResult("passed", measured=1e-14, tolerance=1e-10, message="closed form vs Monte Carlo")
    >>> res.passed
    True
    """

    status: str
    measured: float | None = None
    tolerance: float | None = None
    details: dict = field(default_factory=dict)
    message: str = ""

    @property
    def passed(self) -> bool:
        return self.status == "passed"


@dataclass
class CheckContext:
    """What a check may use: the suite, a seed, a device and the models under test.

    ``models`` holds named :class:`~wpgd_theory.model.MultitaskModel` instances (the
    built-in defaults, or a user's ``--config``), each **in natural units**: a model whose
    risk scale ``max(λ_max(Σ), σ²)`` lies outside
    :data:`~wpgd_theory.model.NATURAL_SCALE_RANGE` is replaced, when assigned, by
    ``model / u`` (``u`` a power of two, an exact division; see
    :meth:`~wpgd_theory.model.MultitaskModel.in_natural_units`), and ``model_units[name] = u``
    records it.  Every claim is scale covariant (risks scale by ``u``, ``P`` by ``1/u``,
    weights, gates, roots and verdicts are unchanged), so the checks' tolerances, written
    for data of order one, hold at every scale and the verdicts are the user's.
    ``figures`` collects matplotlib figures a check wants in the report (``{name: Figure}``),
    ``artifacts`` collects JSON-serialisable data behind them.

    Parameters
    ----------
    suite : {"quick", "default", "thorough"}, optional
        The suite (sizes are picked with :meth:`scale`).
    seed : int, optional
        The seed of every generator :meth:`rng` returns.
    device : str, optional
        The torch device of the torch checks (``"cpu"`` or ``"cuda"``).
    models : dict, optional
        ``{name: MultitaskModel}``; the built-in default models when omitted.
    figures : dict, optional
        ``{name: matplotlib Figure}`` collected for the report.
    artifacts : dict, optional
        JSON-serialisable data behind the figures.
    mapper : callable, optional
        ``mapper(func, items, costs) -> list``, set by a parallel run (None: a plain loop).

    Raises
    ------
    TypeError
        If ``models`` is not a dict of MultitaskModel.

    Examples
    --------
    >>> import numpy as np
    >>> from wpgd_theory import MultitaskModel
    >>> model = MultitaskModel.from_tasks([2], rho=[[1.0]], r_task=[0.5], sigma=[1.0], noise=0.1)
    >>> ctx = CheckContext(suite="quick", seed=1, models={"mine": model})
    >>> ctx.scale(10, 100, 1000), list(ctx.models), ctx.map(abs, [-1, 2])
    (10, ['mine'], [1, 2])
    >>> bool(ctx.rng("W1").normal() == ctx.rng("W1").normal())  # reproducible per (seed, salt)
    True
    """

    suite: str = "default"
    seed: int = 0
    device: str = "cpu"
    models: dict = field(default_factory=lambda: _default_models())
    figures: dict = field(default_factory=dict)
    artifacts: dict = field(default_factory=dict)
    #: How :meth:`map` runs its items: ``None`` is a plain loop; a parallel runner
    #: (:mod:`wpgd_theory.parallel`) sets a function ``mapper(func, items, costs) -> list``
    #: (``costs``: the items' estimated costs, or ``None``).
    mapper: Callable | None = field(default=None, repr=False, compare=False)

    def __setattr__(self, name, value):
        if name == "models":
            value, units = _natural_models(value)
            object.__setattr__(self, "model_units", units)
        object.__setattr__(self, name, value)

    def map(self, func, items, *, cost=None) -> list:
        """``[func(x) for x in items]``, split into tasks of their own when the run is
        parallel (``func`` must then be a picklable module-level function and each item
        plain data).  The result is the same either way.

        ``cost(item)``, if given, estimates an item's run time (in units comparable across
        calls: the training runs of T1 and T2 use prompt length x layers x class factor): a
        parallel run submits the costliest first (longest-processing-time-first scheduling,
        so that no long task starts last and leaves the other workers idle); results keep
        the order of ``items``."""
        items = list(items)
        if self.mapper is None:
            return [func(x) for x in items]
        order = list(range(len(items)))
        costs = None if cost is None else [float(cost(x)) for x in items]
        if costs is not None:
            order.sort(key=lambda i: -costs[i])  # stable: equal costs keep their order
        done = list(self.mapper(func, [items[i] for i in order], None if costs is None else [costs[i] for i in order]))
        out = [None] * len(items)
        for i, res in zip(order, done):
            out[i] = res
        return out

    def rng(self, salt: str = "") -> np.random.Generator:
        """A generator determined by ``(seed, salt)``: checks are reproducible and
        independent of the order they run in."""
        key = [self.seed] + [ord(ch) for ch in salt]
        return np.random.default_rng(key)

    def scale(self, quick, default, thorough):
        """Pick a size by suite."""
        return {"quick": quick, "default": default, "thorough": thorough}[self.suite]


@dataclass(frozen=True)
class Check:
    """A registered check of one claim (made by the :func:`check` decorator).

    Parameters
    ----------
    claim_id : str
        The claim it checks (``"W1"``, ...).
    name : str
        Its name, unique within the claim.
    kind : str
        One of ``KINDS``: ``"symbolic"``, ``"numeric"``, ``"property"``, ``"torch"``,
        ``"training"`` or ``"consistency"`` (the last never counts as evidence).
    suites : tuple of str
        The suites it runs in.
    func : callable
        ``func(ctx: CheckContext) -> CheckResult``.
    description : str, optional
        One sentence for the report.

    Examples
    --------
    >>> chk = Check("W2", "scale", "numeric", ("quick", "default"), lambda ctx: compare(1.0, 1.0, rtol=1e-12))
    >>> chk.key, chk.func(None).status
    ('W2:scale', 'passed')
    """

    claim_id: str
    name: str
    kind: str
    suites: tuple
    func: Callable[[CheckContext], CheckResult]
    description: str = ""

    @property
    def key(self) -> str:
        return f"{self.claim_id}:{self.name}"


@dataclass
class Claim:
    """One THEORY.md claim: id, statement (LaTeX allowed), assumptions, proof file, checks.

    Parameters
    ----------
    id : str
        The claim id (``"G1"`` ... ``"T2"``).
    title : str
        A short title.
    statement : str
        The statement (LaTeX allowed).
    assumptions : tuple of str, optional
        Its assumptions.
    proof : str, optional
        The file of its proof.
    checks : list of Check, optional
        Its checks (filled by :func:`~wpgd_theory.claims.registry`).

    Examples
    --------
    >>> from wpgd_theory.claims import registry
    >>> w1 = next(c for c in registry() if c.id == "W1")
    >>> isinstance(w1, Claim), all(chk.claim_id == "W1" for chk in w1.checks)
    (True, True)
    """

    id: str
    title: str
    statement: str
    assumptions: tuple = ()
    proof: str = ""
    checks: list = field(default_factory=list)


_PENDING: list = []


def _natural_models(models) -> tuple:
    """``({name: model in natural units}, {name: u})`` for the models whose unit ``u ≠ 1``."""
    if not isinstance(models, dict):
        raise TypeError(f"models must be a dict of name -> MultitaskModel, got {type(models).__name__}")
    out, units = {}, {}
    for name, model in models.items():
        natural = getattr(model, "in_natural_units", None)
        if natural is None:
            raise TypeError(f"models[{name!r}] must be a MultitaskModel, got {type(model).__name__}")
        out[name], unit = natural()
        if unit != 1.0:
            units[name] = unit
    return out, units


def _default_models() -> dict:
    from .defaults import default_models

    return default_models()


def check(claim_id: str, name: str, *, kind: str, suites=SUITES, description: str = ""):
    """Decorator registering ``func(ctx) -> CheckResult`` as a check of ``claim_id``.

    Parameters
    ----------
    claim_id : str
        The claim it checks.
    name : str
        The check's name, unique within the claim.
    kind : str
        One of ``KINDS``.
    suites : tuple of str, optional
        The suites it runs in (all by default).
    description : str, optional
        One sentence for the report (default: the first paragraph of ``func``'s docstring).

    Returns
    -------
    callable
        The decorator; it returns ``func`` unchanged.

    Raises
    ------
    ValueError
        If ``kind`` is not in ``KINDS`` or a suite not in ``SUITES``.

    Examples
    --------
    >>> deco = check("W2", "demo", kind="numeric", suites=("quick",))
    >>> callable(deco)
    True
    >>> check("W2", "demo", kind="guess")
    Traceback (most recent call last):
    ...
    ValueError: kind must be one of (...), got 'guess'
    """
    if kind not in KINDS:
        raise ValueError(f"kind must be one of {KINDS}, got {kind!r}")
    bad = [s for s in suites if s not in SUITES]
    if bad:
        raise ValueError(f"suites must be drawn from {SUITES}, got {bad}")

    def deco(func):
        doc = description or (func.__doc__ or "").strip().split("\n\n")[0]
        _PENDING.append(Check(claim_id, name, kind, tuple(suites), func, " ".join(doc.split())))
        return func

    return deco


def _finite(x) -> float | None:
    if x is None:
        return None
    x = float(x)
    return x if math.isfinite(x) else float("inf")


def _jsonable(value):
    if isinstance(value, np.ndarray):
        return value.tolist()
    if isinstance(value, (np.floating, np.integer)):
        return value.item()
    return value


def compare(measured, reference, *, rtol: float, atol: float = 0.0, what: str = "", **details) -> CheckResult:
    r"""Compare two independently computed arrays: passes iff
    ``max|m − r| <= atol + rtol · max|r|``.

    Records ``measured`` as the relative discrepancy ``max|m − r| / (max|r| + atol/rtol)``
    and ``tolerance = rtol``, plus both values in ``details``: the check passes exactly when
    ``measured <= tolerance``, the contract of :class:`CheckResult`.  ``rtol`` must be
    positive (an exact comparison is a ``compare_bool``).

    Parameters
    ----------
    measured : array_like, shape (...)
        The subject's value.
    reference : array_like, shape (...)
        The independently computed reference, the same shape.
    rtol : float
        Relative tolerance, positive.
    atol : float, optional
        Absolute tolerance.
    what : str, optional
        The message of the result.
    **details
        Recorded in ``details`` (the two sides' origins: ``reference=``, ``subject=``).

    Returns
    -------
    CheckResult
        ``"passed"`` or ``"failed"`` (also for different shapes or non-finite values).

    Raises
    ------
    ValueError
        If ``rtol`` is not positive.

    Examples
    --------
    >>> import numpy as np
    >>> res = compare(np.array([1.0, 2.0 + 1e-13]), np.array([1.0, 2.0]), rtol=1e-10, what="risk")
    >>> res.status, bool(res.measured <= res.tolerance)
    ('passed', True)
    >>> compare([1.0], [1.1], rtol=1e-3).status
    'failed'
    """
    if not rtol > 0:
        raise ValueError(f"compare: rtol must be positive, got {rtol!r}")
    m = np.asarray(measured, dtype=float)
    r = np.asarray(reference, dtype=float)
    if m.shape != r.shape:
        return CheckResult("failed", None, rtol, {"shapes": [list(m.shape), list(r.shape)]},
                           f"{what}: shapes differ {m.shape} vs {r.shape}")
    if not (np.all(np.isfinite(m)) and np.all(np.isfinite(r))):
        return CheckResult("failed", float("inf"), rtol, {}, f"{what}: non-finite values")
    err = float(np.max(np.abs(m - r))) if m.size else 0.0
    scale = float(np.max(np.abs(r))) if r.size else 0.0
    bound = atol + rtol * scale
    rel = err / max(bound / rtol, np.finfo(float).tiny)
    ok = rel <= rtol  # err <= bound, decided on the number reported
    info = {"measured_value": _jsonable(m if m.size <= 16 else m.ravel()[:16]),
            "reference_value": _jsonable(r if r.size <= 16 else r.ravel()[:16]),
            "abs_error": err, "atol": atol}
    info.update({k: _jsonable(v) for k, v in details.items()})
    return CheckResult("passed" if ok else "failed", _finite(rel), rtol, info, what)


def compare_monte_carlo(estimate, std_error, reference, *, z: float = 4.0, what: str = "", **details) -> CheckResult:
    r"""Monte Carlo vs exact: passes iff ``|estimate − reference| <= z · std_error``.

    Parameters
    ----------
    estimate : float
        The Monte Carlo mean.
    std_error : float
        Its standard error, positive.
    reference : float
        The exact value computed independently.
    z : float, optional
        The bound on the z-score (default 4).
    what : str, optional
        The message of the result.
    **details
        Recorded in ``details``.

    Returns
    -------
    CheckResult
        ``measured`` is the absolute z-score ``|estimate − reference| / std_error`` and
        ``tolerance`` is ``z``.

    Examples
    --------
    >>> res = compare_monte_carlo(1.02, 0.01, 1.0)
    >>> res.status, round(res.measured, 6), res.tolerance
    ('passed', 2.0, 4.0)
    """
    diff = float(estimate) - float(reference)
    se = float(std_error)
    zs = abs(diff) / se if se > 0 else (0.0 if diff == 0 else float("inf"))
    info = {"estimate": float(estimate), "std_error": se, "reference_value": float(reference)}
    info.update({k: _jsonable(v) for k, v in details.items()})
    return CheckResult("passed" if zs <= z else "failed", _finite(zs), z, info, what)


def compare_bool(ok: bool, *, what: str, measured=None, tolerance=None, **details) -> CheckResult:
    """A check whose verdict is a proved-or-refuted predicate (e.g. "cvxpy status optimal
    and gap >= 0"); ``measured``/``tolerance`` are recorded when meaningful."""
    return CheckResult("passed" if ok else "failed", _finite(measured), tolerance,
                       {k: _jsonable(v) for k, v in details.items()}, what)


def not_applicable(reason: str, **details) -> CheckResult:
    """The result of a check whose premise no model of the run meets (``reason`` says which
    premise); its claim is *not applicable* if all its checks are, never passed."""
    return CheckResult("not applicable", None, None, {k: _jsonable(v) for k, v in details.items()}, reason)


def combine_results(results, what: str, *, reference: str | None = None, subject: str | None = None) -> CheckResult:
    """Combine per-instance results of one check into one: any failure decides, else the
    instance with the largest ``measured / tolerance``.  Not-applicable instances are
    recorded but do not count; no applicable instance at all gives ``"not applicable"``
    (its claim is then never counted as passed).  Every instance is recorded under
    ``details["instances"]`` with its measured value, status and message.  ``reference``
    and ``subject`` (else the ones all instances agree on) name the two compared sides."""
    instances = [dict(r.details, measured=r.measured, status=r.status, message=r.message) for r in results]
    applicable = [r for r in results if r.status != "not applicable"]
    sides = {}
    for key, given in (("reference", reference), ("subject", subject)):
        vals = {str(r.details.get(key)) for r in results if r.details.get(key) is not None}
        if given is not None:
            sides[key] = given
        elif len(vals) == 1:
            sides[key] = vals.pop()
    if not applicable:
        reasons = sorted({r.message for r in results if r.message})
        why = "; ".join(reasons) if reasons else "no applicable model in the context"
        return CheckResult("not applicable", None, None, dict(sides, instances=instances), f"{what}: {why}")
    fails = [r for r in applicable if not r.passed]
    rated = [r for r in applicable if r.measured is not None and r.tolerance]
    worst = max(rated, key=lambda r: r.measured / r.tolerance) if rated else applicable[0]
    rep = fails[0] if fails else worst
    return CheckResult(rep.status, rep.measured, rep.tolerance, dict(sides, instances=instances), what)
