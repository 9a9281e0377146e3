"""Run registered checks and aggregate claim status.

A claim is ``"verified"`` only if it has at least one check in the suite and every one
of them passed; ``"failed"`` if any failed or errored; otherwise ``"not verified"``
(no checks, or some skipped).
"""

from __future__ import annotations

import time
import traceback
from dataclasses import dataclass, field

from .core import SUITES, CheckContext, CheckResult
from .registry import CLAIM_IDS, registry


@dataclass
class ClaimOutcome:
    claim: object
    results: list = field(default_factory=list)  # [(Check, CheckResult, seconds)]

    @property
    def status(self) -> str:
        if not self.results:
            return "not verified"
        statuses = {r.status for _, r, _ in self.results}
        if statuses & {"failed", "error"}:
            return "failed"
        if statuses == {"passed"}:
            return "verified"
        return "not verified"


def _validate_ids(claim_ids):
    if claim_ids is None:
        return list(CLAIM_IDS)
    if isinstance(claim_ids, str):
        raise TypeError("claim_ids must be a list of ids such as ['G1', 'W5'], got a string")
    unknown = [c for c in claim_ids if c not in CLAIM_IDS]
    if unknown:
        raise ValueError(f"claim_ids contains unknown ids {unknown}; known: {', '.join(CLAIM_IDS)}")
    return list(claim_ids)


def run_check(chk, ctx: CheckContext):
    """Run one check, turning an exception into an ``"error"`` result; returns (result, seconds)."""
    t0 = time.perf_counter()
    try:
        res = chk.func(ctx)
        if not isinstance(res, CheckResult):
            res = CheckResult("error", message=f"check returned {type(res).__name__}, not CheckResult")
    except Exception as exc:  # a check that raises is an error, never a pass
        res = CheckResult("error", message=f"{type(exc).__name__}: {exc}",
                          details={"traceback": traceback.format_exc(limit=6)})
    return res, time.perf_counter() - t0


def run(claim_ids=None, suite: str = "default", *, context: CheckContext | None = None, progress=None):
    """Run the checks of ``claim_ids`` (all by default) in ``suite``.

    ``progress`` is an optional callable ``progress(check, result)`` called after each
    check (the CLI passes a progress-bar updater).  Returns a list of
    :class:`ClaimOutcome` in THEORY order.
    """
    if suite not in SUITES:
        raise ValueError(f"suite must be one of {SUITES}, got {suite!r}")
    ids = _validate_ids(claim_ids)
    ctx = context or CheckContext(suite=suite)
    ctx.suite = suite
    outcomes = []
    for claim in registry():
        if claim.id not in ids:
            continue
        out = ClaimOutcome(claim)
        for chk in claim.checks:
            if suite not in chk.suites:
                continue
            res, secs = run_check(chk, ctx)
            out.results.append((chk, res, secs))
            if progress is not None:
                progress(chk, res)
        outcomes.append(out)
    return outcomes


def planned_checks(claim_ids=None, suite: str = "default") -> list:
    """The checks :func:`run` would execute (for sizing a progress bar)."""
    ids = _validate_ids(claim_ids)
    return [c for cl in registry() if cl.id in ids for c in cl.checks if suite in c.suites]
