"""Run a hypothesis property inside a claim check.

:func:`property_check` draws instances from a strategy, evaluates a *discrepancy*
(``0`` means the two independent computations agree exactly) and passes iff every
discrepancy is ``<= tol``.  On failure hypothesis shrinks to a minimal counterexample,
which is recorded.  Runs are reproducible: the seed comes from the check context and no
example database is used.
"""

from __future__ import annotations

import math

from hypothesis import HealthCheck, given, settings
from hypothesis import seed as hyp_seed

from .core import CheckResult


def property_check(ctx, strategy, discrepancy, *, tol: float, max_examples, what: str) -> CheckResult:
    """``max_examples`` may be an int or a ``(quick, default, thorough)`` triple."""
    if isinstance(max_examples, tuple):
        max_examples = ctx.scale(*max_examples)
    worst = {"value": 0.0, "count": 0}

    @hyp_seed(ctx.seed)
    @settings(max_examples=max_examples, database=None, deadline=None, derandomize=False,
              suppress_health_check=list(HealthCheck), print_blob=False)
    @given(strategy)
    def prop(instance):
        value = float(discrepancy(instance))
        worst["count"] += 1
        if math.isnan(value) or value > worst["value"]:
            worst["value"] = value
        assert value <= tol, f"discrepancy {value:.3g} > {tol:g} on {instance!r}"

    try:
        prop()
    except AssertionError as exc:
        return CheckResult("failed", worst["value"], tol,
                           {"examples": worst["count"], "counterexample": str(exc)[:2000]}, what)
    return CheckResult("passed", worst["value"], tol, {"examples": worst["count"]}, what)
