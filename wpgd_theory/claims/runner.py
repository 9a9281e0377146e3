"""Run registered checks and aggregate claim status.

A claim is ``"failed"`` if any of its checks failed or errored; ``"not applicable"`` if
it has checks in the suite and every one of them is not applicable (no model of the run
meets the claim's premise); ``"verified"`` if every applicable check passed and at least
one of them is evidence (a kind other than ``"consistency"``); otherwise
``"not verified"`` (no checks, some skipped, or only consistency checks passed).
:attr:`ClaimOutcome.reason` says why in words.

Figures a check adds to ``ctx.figures`` and artifacts it adds to ``ctx.artifacts`` are
attributed to the claim whose check produced them (:attr:`ClaimOutcome.figures`,
:attr:`ClaimOutcome.artifacts`), so the report can show them in that claim's section.
"""

from __future__ import annotations

import time
import traceback
from dataclasses import dataclass, field

from .core import EVIDENCE_KINDS, SUITES, CheckContext, CheckResult
from .registry import CLAIM_IDS, registry

#: The statuses a :class:`~wpgd_theory.claims.core.CheckResult` may carry.
CHECK_STATUSES = ("passed", "failed", "error", "skipped", "not applicable")
#: The statuses a claim may have in a run.
CLAIM_STATUSES = ("verified", "failed", "not verified", "not applicable")


@dataclass
class ClaimOutcome:
    """The checks of one claim that ran in a suite, with their results.

    ``results`` is a list of ``(Check, CheckResult, seconds)``; ``available`` lists the
    claim's registered checks in any suite (to explain an empty run); ``figures`` and
    ``artifacts`` hold what its checks put into the context.  Its ``status`` is
    ``"verified"`` (every applicable check passed and one that counts as evidence did),
    ``"failed"``, ``"not applicable"`` or ``"not verified"`` (no check ran).

    Parameters
    ----------
    claim : Claim
        The claim.
    results : list of tuple, optional
        ``(Check, CheckResult, seconds)`` for every check that ran.
    suite : str, optional
        The suite that ran.
    figures : dict, optional
        ``{name: matplotlib Figure}`` its checks drew.
    artifacts : dict, optional
        JSON-serialisable data behind the figures.

    Examples
    --------
    >>> from wpgd_theory.claims import Check, CheckResult, Claim, ClaimOutcome
    >>> claim = Claim("W2", "Scale invariance", "L(cP, ω/c) = L(P, ω)")
    >>> chk = Check("W2", "demo", "numeric", ("quick",), lambda ctx: None)
    >>> ClaimOutcome(claim, [(chk, CheckResult("passed", 0.0, 1e-12), 0.01)], "quick").status
    'verified'
    >>> ClaimOutcome(claim).status  # no check ran: never "verified"
    'not verified'
    """

    claim: object
    results: list = field(default_factory=list)  # [(Check, CheckResult, seconds)]
    suite: str = "default"
    figures: dict = field(default_factory=dict)
    artifacts: dict = field(default_factory=dict)

    @property
    def status(self) -> str:
        if not self.results:
            return "not verified"
        statuses = {r.status for _, r, _ in self.results}
        if statuses & {"failed", "error"}:
            return "failed"
        if statuses == {"not applicable"}:
            return "not applicable"
        evidence = any(r.passed and c.kind in EVIDENCE_KINDS for c, r, _ in self.results)
        if statuses <= {"passed", "not applicable"} and evidence:
            return "verified"
        return "not verified"

    @property
    def reason(self) -> str:
        """Why the claim has its status, in one phrase (empty when verified)."""
        if not self.results:
            registered = list(getattr(self.claim, "checks", []))
            if not registered:
                return "no checks implemented yet"
            suites = sorted({s for c in registered for s in c.suites}, key=SUITES.index)
            return f"no checks in suite {self.suite!r} (its checks run in: {', '.join(suites)})"
        counts = {}
        for _, r, _ in self.results:
            counts[r.status] = counts.get(r.status, 0) + 1
        if self.status == "verified":
            return ""
        if self.status == "not applicable":
            reasons = sorted({r.message for _, r, _ in self.results if r.message})
            return "premise met by no model of the run: " + ("; ".join(reasons) or "no applicable model")
        parts = [f"{counts[s]} {s}" for s in ("failed", "error", "skipped") if counts.get(s)]
        if not parts:
            return "only consistency checks passed: no independent evidence in this suite"
        return f"{', '.join(parts)} of {len(self.results)} checks"

    @property
    def duration(self) -> float:
        return float(sum(secs for _, _, secs in self.results))

    def _repr_html_(self) -> str:
        return outcomes_table_html([self])


def _fmt(x) -> str:
    return "—" if x is None else f"{x:.3g}"


def outcomes_table_html(outcomes) -> str:
    """A plain HTML table of outcomes (claim, status, checks with status and measured vs
    tolerance) for a notebook's rich display; the full report is :mod:`wpgd_theory.report`."""
    from html import escape as e

    rows = []
    for out in outcomes:
        reason = f"<br><small>{e(out.reason)}</small>" if out.reason else ""
        span = max(len(out.results), 1)
        head = f'<td rowspan="{span}"><b>{e(out.claim.id)}</b></td><td rowspan="{span}">{e(out.status)}{reason}</td>'
        if not out.results:
            rows.append(f"<tr>{head}<td>—</td><td>—</td><td>—</td></tr>")
        for i, (chk, res, _) in enumerate(out.results):
            cells = (f"<td>{e(chk.name)} <small>({e(chk.kind)})</small></td><td>{e(res.status)}</td>"
                     f"<td>{_fmt(res.measured)} ≤ {_fmt(res.tolerance)}</td>")
            rows.append(f"<tr>{head if i == 0 else ''}{cells}</tr>")
    return ("<table><thead><tr><th>Claim</th><th>Status</th><th>Check</th><th>Check status</th>"
            "<th>Measured ≤ tolerance</th></tr></thead><tbody>" + "".join(rows) + "</tbody></table>")


class Outcomes(list):
    """The :class:`ClaimOutcome` list that :func:`run` returns; a plain list that a notebook
    displays as a table (``_repr_html_``)."""

    def _repr_html_(self) -> str:
        return outcomes_table_html(self)


def _validate_ids(claim_ids):
    if claim_ids is None:
        return list(CLAIM_IDS)
    if isinstance(claim_ids, str):
        raise TypeError("claim_ids must be a list of ids such as ['G1', 'W5'], got a string")
    unknown = [c for c in claim_ids if c not in CLAIM_IDS]
    if unknown:
        raise ValueError(f"claim_ids contains unknown ids {unknown}; known: {', '.join(CLAIM_IDS)}")
    return list(claim_ids)


def _check_context(context, suite: str) -> None:
    """A given context must be of ``suite``: its sizes follow its suite, so overwriting it
    silently would run other sizes than the caller's context says."""
    if context is not None and context.suite != suite:
        raise ValueError(f"suite is {suite!r} but context.suite is {context.suite!r}: give the same suite to both "
                         "(the context's sizes follow its suite)")


def run_check(chk, ctx: CheckContext):
    """Run one check, turning an exception into an ``"error"`` result; returns (result, seconds).

    A result that is not a :class:`CheckResult`, or carries a status outside
    :data:`CHECK_STATUSES`, is an error too: nothing unrecognised counts as a pass.
    """
    t0 = time.perf_counter()
    try:
        res = chk.func(ctx)
        if not isinstance(res, CheckResult):
            res = CheckResult("error", message=f"check returned {type(res).__name__}, not CheckResult")
        elif res.status not in CHECK_STATUSES:
            res = CheckResult("error", res.measured, res.tolerance, dict(res.details),
                              f"check returned unknown status {res.status!r} ({res.message})")
    except Exception as exc:  # a check that raises is an error, never a pass
        res = CheckResult("error", message=f"{type(exc).__name__}: {exc}",
                          details={"traceback": traceback.format_exc(limit=6)})
    return res, time.perf_counter() - t0


def run(claim_ids=None, suite: str = "default", *, context: CheckContext | None = None, progress=None,
        on_start=None):
    r"""Run the checks of ``claim_ids`` (all by default) in ``suite``.

    Parameters
    ----------
    claim_ids : list of str, optional
        Claim ids (``"G1"`` … ``"T2"``); all registered claims by default.
    suite : {"quick", "default", "thorough"}, optional
        Which checks run and at what size.
    context : CheckContext, optional
        Seed, device and the models the checks run on (the built-in ones by default); its
        suite must be ``suite``.
    progress : callable, optional
        ``progress(check, result)``, called after each check.
    on_start : callable, optional
        ``on_start(check)``, called before each check.

    Returns
    -------
    Outcomes
        A list of :class:`ClaimOutcome`, one per claim in registry order (each with its
        ``status`` and every check's result), shown as a table in a notebook.

    Raises
    ------
    ValueError
        For an unknown claim id or suite, or a context of another suite.

    Examples
    --------
    >>> outcomes = run(["W2"], "quick")
    >>> [(o.claim.id, o.status) for o in outcomes]
    [('W2', 'verified')]
    >>> all(res.status == "passed" for _, res, _ in outcomes[0].results)
    True
    """
    if suite not in SUITES:
        raise ValueError(f"suite must be one of {SUITES}, got {suite!r}")
    ids = _validate_ids(claim_ids)
    ctx = context or CheckContext(suite=suite)
    _check_context(context, suite)
    outcomes = []
    for claim in registry():
        if claim.id not in ids:
            continue
        out = ClaimOutcome(claim, suite=suite)
        for chk in claim.checks:
            if suite not in chk.suites:
                continue
            before_fig = dict(ctx.figures)
            before_art = {k: id(v) for k, v in ctx.artifacts.items()}
            if on_start is not None:
                on_start(chk)
            res, secs = run_check(chk, ctx)
            out.results.append((chk, res, secs))
            out.figures.update({k: v for k, v in ctx.figures.items() if before_fig.get(k) is not v})
            out.artifacts.update({k: v for k, v in ctx.artifacts.items() if before_art.get(k) != id(v)})
            if progress is not None:
                progress(chk, res)
        outcomes.append(out)
    return Outcomes(outcomes)


def planned_checks(claim_ids=None, suite: str = "default") -> list:
    """The checks :func:`run` would execute (for sizing a progress bar)."""
    ids = _validate_ids(claim_ids)
    return [c for cl in registry() if cl.id in ids for c in cl.checks if suite in c.suites]
