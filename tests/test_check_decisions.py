"""Every check's decision, shown on the quick suite (issue 18 items 4 and 5: leniency must
be visible to a test, for every check, not only the catalogued ones).

Three layers:

1. **The decision rules** (``compare``, ``compare_monte_carlo``, ``compare_bool``) are tested
   just inside and just outside their bounds in ``tests/test_claims_core.py``.
2. **Every check decides through them, and by the numbers it reports.**  The quick suite is
   run twice in-process with an error injected at the point where each check compares its
   two sides: every ``compare`` and ``compare_monte_carlo`` sees its subject moved to 0.5×
   its bound (*just inside*: every check must pass) or to 1.5× (*just outside*: every check
   that compared anything must fail), and every symbolic identity gets one planted non-zero
   term (every symbolic check must fail).  In both runs every result must satisfy the
   contract of :class:`~wpgd_theory.claims.core.CheckResult`: passed ⇔ measured ≤ tolerance.
3. **The checks that decide by their own rule** (a metric of the Hessian, a hypothesis
   search, an ordering, a z-score over training runs, a re-verified certificate) are listed
   in :data:`OWN_DECISION` with the test that plants an error in their subject and sees them
   fail; a check that is neither injected above nor listed fails
   :func:`test_every_check_has_a_decision_test`.
"""

from __future__ import annotations

import ast
import importlib
import pkgutil
from pathlib import Path

import numpy as np
import pytest

import wpgd_theory.claims as claims_pkg
from wpgd_theory.claims import core, registry, runner
from wpgd_theory.claims.core import CheckContext
from wpgd_theory.symbolic import algebra

ROOT = Path(__file__).resolve().parents[1]

#: check key → the test (``file::function``) that plants an error in its subject and shows
#: that the check fails (and passes on the correct code).
OWN_DECISION = {
    "G1:real architectures through flash-linear-attention implement WPGD as stated":
        "tests/architectures/test_arch_claim.py::test_a_wrongly_stated_verdict_fails",
    "G2:property: gates give monotone weights in [0,1]; round trip; sigmoid interior":
        "tests/gla/test_gla_checks.py::test_g2_property_catches_wrong_weights",
    "W1:model.sample draws the model's prompts (whitened features and labels)":
        "tests/test_risk_checks.py::test_w1_sampler_catches_noise_std_for_variance",
    "W1:sampled errors of wpgd_predict vs their conditional law":
        "tests/test_risk_checks.py::test_w1_prediction_errors_catch_transposed_preconditioner",
    "W1:property: closed form vs quadrature":
        "tests/test_risk_checks.py::test_w1_checks_catch_wrong_closed_form",
    "W2:property: scaling symmetry": "tests/test_risk_checks.py::test_w2_check_catches_broken_symmetry",
    "W3:P* vs cvxpy QP": "tests/test_risk_checks.py::test_w3_checks_catch_wrong_preconditioner",
    "W3:P* vs L-BFGS from random starts": "tests/test_risk_checks.py::test_w3_checks_catch_wrong_preconditioner",
    "W3:ridge form equals (rᵀω) Σ M⁻¹": "tests/test_risk_checks.py::test_w3_checks_catch_wrong_preconditioner",
    "W3:profile risk equals risk at P*": "tests/test_risk_checks.py::test_w3_checks_catch_wrong_preconditioner",
    "W5:U2: the a-priori bound dominates the slope of g along the whole curve":
        "tests/test_optimum_mutants.py::test_a_wrong_apriori_exponent_is_caught_by_the_quick_suite",
    "W5:Hessian of the profile risk on the sphere is positive definite":
        "tests/test_optimum_checks.py::test_saddle_reported_as_optimum_is_caught",
    "W5:one root and the same optimum as branch and bound (hypothesis, d ≤ 4)":
        "tests/test_optimum_checks.py::test_wrong_stationary_curve_is_caught",
    "W5:root isolation's cells re-verified at 30 digits from the model data":
        "tests/test_certificate_reverified.py::test_an_exclusion_just_inside_its_bound_passes_and_just_outside_fails",
    "A2:monotone optimum equals the free optimum exactly when ω* is monotone":
        "tests/test_optimum_checks.py::test_dropped_cone_is_caught",
    "A2:monotone optimum vs free optimum (hypothesis)": "tests/test_optimum_checks.py::test_dropped_cone_is_caught",
    "A3:GLA never worse than linear attention; gap as predicted":
        "tests/test_optimum_checks.py::test_monotone_equal_to_uniform_is_caught",
    "A3:ordering of the cone optima (hypothesis)":
        "tests/test_optimum_checks.py::test_monotone_equal_to_uniform_is_caught",
    "T1:trained LinAtt / scalar / multi-head GLA reach the cone optima":
        "tests/gla/test_gla_checks.py::test_t1_match_exact_risk_and_wrong_cones",
    "T1:ordering LinAtt ≥ scalar GLA ≥ multi-head GLA":
        "tests/gla/test_gla_checks.py::test_t1_order_catches_inverted_ordering",
    "T2:risk decreases with depth (trained L = 1, 2, 3)": "tests/test_no_false_failed.py::test_t2_depth_decision",
    "G4:L stacked layers of fla's ops (linear attention, simple GLA, GLA) = L steps of causal WPGD":
        "tests/architectures/test_arch_stacking.py::test_the_check_fails_when_a_layer_gate_is_shifted",
    "T1:fla layers trained on the non-monotone model reach their class optimum":
        "tests/architectures/test_arch_train.py::test_training_stopped_early_fails_the_check",
    "G1:MesaNet through fla tends to one-step WPGD as lambda -> infinity, at rate 1/lambda":
        "tests/architectures/test_arch_mesa_limit.py::test_the_check_passes_and_fails_for_a_planted_rate",
}


def _claims_modules():
    for info in pkgutil.iter_modules(claims_pkg.__path__):
        yield importlib.import_module(f"wpgd_theory.claims.{info.name}")


def _run_injected(factor: float, plant_symbolic: bool):
    """The quick suite in-process, each comparison's subject moved to ``factor`` × its bound;
    returns ``{key: (check, result, {"compare", "monte_carlo", "symbolic"} seen)}``."""
    orig_cmp, orig_mc, orig_run_check = core.compare, core.compare_monte_carlo, runner.run_check
    orig_residual = algebra.Identity.residual
    current, seen = [None], {}

    def cmp(measured, reference, *, rtol, atol=0.0, what="", **details):
        m, r = np.asarray(measured, dtype=float), np.asarray(reference, dtype=float)
        if m.shape != r.shape or r.size == 0 or not (np.all(np.isfinite(m)) and np.all(np.isfinite(r))):
            return orig_cmp(measured, reference, rtol=rtol, atol=atol, what=what, **details)
        seen.setdefault(current[0], set()).add("compare")
        bound = atol + rtol * float(np.max(np.abs(r)))
        moved = r.copy()
        moved.flat[int(np.argmax(np.abs(r)))] += factor * bound
        return orig_cmp(moved, r, rtol=rtol, atol=atol, what=what, **details)

    def mc(estimate, std_error, reference, *, z=4.0, what="", **details):
        seen.setdefault(current[0], set()).add("monte_carlo")
        return orig_mc(float(reference) - factor * z * float(std_error), std_error, reference, z=z, what=what,
                       **details)

    def residual(identity):
        seen.setdefault(current[0], set()).add("symbolic")
        return orig_residual.fget(identity) + 1

    def run_check(chk, ctx):
        current[0] = chk.key
        return orig_run_check(chk, ctx)

    patches = [(runner, "run_check", run_check)]
    for mod in _claims_modules():
        if getattr(mod, "compare", None) is orig_cmp:
            patches.append((mod, "compare", cmp))
        if getattr(mod, "compare_monte_carlo", None) is orig_mc:
            patches.append((mod, "compare_monte_carlo", mc))
    if plant_symbolic:
        patches.append((algebra.Identity, "residual", property(residual)))  # also cached identities
    saved = [(obj, name, obj.__dict__[name]) for obj, name, _ in patches]
    try:
        for obj, name, value in patches:
            setattr(obj, name, value)
        outcomes = runner.run(None, "quick", context=CheckContext(suite="quick"))
    finally:  # restored here, whatever the fixtures do: later tests must see the real rules
        for obj, name, value in saved:
            setattr(obj, name, value)
    assert all(obj.__dict__[name] is value for obj, name, value in saved)
    return {chk.key: (chk, res, seen.get(chk.key, set())) for out in outcomes for chk, res, _ in out.results}


def _contract_broken(results) -> list:
    """Results whose status is not what their own numbers say (passed ⇔ measured ≤ tolerance)."""
    bad = []
    for key, (_, res, _) in results.items():
        if res.status in ("passed", "failed") and res.measured is not None and res.tolerance is not None:
            if res.passed != (res.measured <= res.tolerance):
                bad.append((key, res.status, res.measured, res.tolerance))
    return bad


def test_an_error_just_inside_every_bound_passes_every_check():
    results = _run_injected(0.5, plant_symbolic=False)
    assert not _contract_broken(results), _contract_broken(results)
    bad = [(k, res.status, res.message[:120]) for k, (_, res, _) in results.items()
           if res.status not in ("passed", "not applicable")]
    assert not bad, bad
    injected = [k for k, (_, _, seen) in results.items() if seen & {"compare", "monte_carlo"}]
    assert len(injected) >= 25, injected  # the comparisons are where most checks decide


def test_an_error_just_outside_every_bound_fails_every_check_it_reaches():
    results = _run_injected(1.5, plant_symbolic=True)
    assert not _contract_broken(results), _contract_broken(results)
    lenient = [(k, sorted(seen), res.status) for k, (chk, res, seen) in results.items()
               if seen and res.status != "failed"]
    assert not lenient, lenient
    symbolic = [k for k, (chk, _, _) in results.items() if chk.kind == "symbolic"]
    unreached = [k for k in symbolic if not results[k][2]]
    assert symbolic and not unreached, unreached  # every symbolic check compares identities
    # a check this run did not reach decides by its own rule: it needs its own decision test
    own = [k for k, (_, _, seen) in results.items() if not seen and k not in OWN_DECISION]
    assert not own, f"checks with no decision test (add one to OWN_DECISION): {own}"
    needless = [k for k in OWN_DECISION if k in results and results[k][2]]
    assert not needless, f"reached by the injection, no longer needs an OWN_DECISION entry: {needless}"


def _test_exists(node: str) -> bool:
    path, name = node.split("::")
    tree = ast.parse((ROOT / path).read_text())
    return any(isinstance(n, ast.FunctionDef) and n.name == name for n in tree.body)


def test_every_check_has_a_decision_test():
    """Checks outside the quick suite cannot be reached by the injected runs: each is listed."""
    stale = [k for k in OWN_DECISION if not _test_exists(OWN_DECISION[k])]
    keys = {chk.key for claim in registry() for chk in claim.checks}
    not_quick = [chk.key for claim in registry() for chk in claim.checks if "quick" not in chk.suites]
    assert not stale, f"OWN_DECISION names tests that do not exist: {stale}"
    assert set(OWN_DECISION) <= keys, sorted(set(OWN_DECISION) - keys)
    missing = [k for k in not_quick if k not in OWN_DECISION]
    assert not missing, f"checks outside the quick suite with no decision test (add to OWN_DECISION): {missing}"


@pytest.mark.parametrize("factor, status", [(0.999, "passed"), (1.001, "failed")])
def test_the_injection_moves_a_comparison_to_the_stated_side(factor, status):
    """The instrument itself: a subject moved to ``factor`` × the bound decides as stated."""
    ref = np.array([3.0, -5.0])
    bound = 1e-9 + 1e-6 * 5.0
    moved = ref.copy()
    moved[1] += factor * bound
    assert core.compare(moved, ref, rtol=1e-6, atol=1e-9).status == status
