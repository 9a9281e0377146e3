"""Plausible bugs in the optimum family (issue 9 items 2, 3, 5): each is planted by a textual
patch of the library source (as a mutation harness would) or a substituted shared function,
and must be caught by a registered check and by a unit test of the library."""

import inspect
import textwrap

import numpy as np
import pytest
from test_optimum_checks import O, run  # the family by name; run a check function as the registry does

from wpgd_theory import certify, convex, landscape
from wpgd_theory.claims.core import CheckContext
from wpgd_theory.landscape import StationaryCurve


@pytest.fixture
def ctx():
    return CheckContext(suite="quick", seed=0)


def fails(fn, ctx):
    return run(fn, ctx).status in ("failed", "error")


def mutate(monkeypatch, module, name, old, new):
    """Replace ``module.name`` by its source with ``old`` (exactly one occurrence) replaced by ``new``."""
    func = getattr(module, name)
    src = textwrap.dedent(inspect.getsource(func))
    assert src.count(old) == 1, (name, old)
    ns = dict(vars(module))
    exec(compile(src.replace(old, new), inspect.getsourcefile(func), "exec"), ns)
    monkeypatch.setattr(module, name, ns[name])


# ----------------------------------------------------------------------------- catalogue (item 5)
#: (module, function, exact old line, mutated line): the bugs of issue 9 item 5.
SMALLEST_ROOT = (landscape, "solve", "    best = int(np.argmin(risks_n))", "    best = 0")
LAST_CELL = (certify, "isolate_roots", "    a, b, ga, gb = edges[:-1], edges[1:], gv[:-1], gv[1:]",
             "    a, b, ga, gb = edges[:-2], edges[1:-1], gv[:-2], gv[1:-1]")
NO_NEGATIVE_CONE = (convex, "monotone_projection_value", "    for sign in (1.0, -1.0):", "    for sign in (1.0,):")
APRIORI_EXPONENT = (certify, "apriori_uniqueness",
                    "    bound = 4.0 * condition_delta(kS) ** 2 * condition_delta(kR) ** 2",
                    "    bound = 4.0 * condition_delta(kS) ** 4 * condition_delta(kR) ** 4")
SOCP_NO_NEGATIVE_CONE = (convex, "socp_value", "    for sign in (1.0, -1.0):", "    for sign in (1.0,):")


def test_smallest_root_is_caught(ctx, monkeypatch):
    mutate(monkeypatch, *SMALLEST_ROOT)
    assert fails(O.w5_counterexamples, ctx)
    assert fails(O.w5_certificate, ctx)
    assert fails(O.w5_multistart, ctx)


def test_socp_forgetting_the_negative_cone_is_caught_by_the_quick_a1_check(ctx, monkeypatch):
    """The cvxpy SOCP of A1 (Σ = I) over M only: the stored negative-cone model (Σ set to I)
    is among the SOCP check's instances, so the quick suite sees it."""
    mutate(monkeypatch, *SOCP_NO_NEGATIVE_CONE)
    assert fails(O.a1_socp, ctx)


def test_a_wrong_apriori_exponent_is_caught_by_the_quick_suite(ctx, monkeypatch):
    """U2's bound with δ⁴ instead of δ² (it would claim uniqueness too often): the measured
    slopes of g on the bracket exceed it."""
    mutate(monkeypatch, *APRIORI_EXPONENT)
    assert fails(O.w5_apriori_bound, ctx)


def test_last_initial_cell_is_caught(ctx, monkeypatch):
    mutate(monkeypatch, *LAST_CELL)
    assert fails(O.w4_roots_stationary, ctx)
    assert fails(O.w4_dense_scan, ctx)


def test_forgotten_negative_cone_is_caught(ctx, monkeypatch):
    mutate(monkeypatch, *NO_NEGATIVE_CONE)
    assert fails(O.a1_general_sigma, ctx)


def test_solve_returns_the_least_risk_root_not_the_smallest():
    """The tie instance shifted by +0.02 in σ²: three roots, the least-risk one is the largest
    (judged by the mpmath reference written out from the model data)."""
    model = O.edge_model("global-at-last-root")
    roots, risks = O._mp_w4_roots(model)
    assert len(roots) == 3 and int(np.argmin(risks)) == 2
    assert sorted(risks)[1] - min(risks) > 1e-9 * model.tau  # strictly best, beyond the tie tolerance
    sol = landscape.solve(model)
    assert sol.status == "unique" and sol.mu == pytest.approx(roots[2], rel=1e-9)
    assert sol.risk == pytest.approx(min(risks), rel=1e-12)


def test_root_in_the_top_initial_cell_is_found():
    model = O.edge_model("root-in-top-cell")
    curve = landscape.stationary_curve(model)
    lo, hi = curve.bracket
    iso = certify.isolate_roots(curve, initial_cells=64)
    assert iso.roots.size == 1 and not iso.unresolved
    assert iso.roots[0] > hi * (lo / hi) ** (1 / 64)  # it is in the last cell of the initial grid
    mu_ref, grad = O._explicit_stationarity(model, O._explicit_weights(model, iso.roots[0]))
    assert iso.roots[0] == pytest.approx(mu_ref, rel=1e-9) and grad <= 1e-9


def test_negative_cone_model():
    """The stored model whose best monotone weights have rᵀω < 0 (issue 9 item 5)."""
    model = O.negative_cone_model()
    sol = convex.solve_constrained(model, "monotone")
    assert sol.optimal and sol.details["sign"] == -1.0 and sol.omega @ model.r < -1e-3
    ms = convex.multistart_profile(model, "monotone", starts=5, rng=np.random.default_rng(0))
    assert sol.risk == pytest.approx(ms.risk, rel=1e-8)


# ----------------------------------------------------------------------------- shared code (item 2)
def _h_dropped_power(lam, t):
    lam = np.asarray(lam, float)
    w = lam / (lam + np.asarray(t, float)[..., None]) ** 2
    return np.sum(w, -1) / np.sum(w * lam, -1)


def test_error_in_the_shared_ratio_is_caught_by_branch_and_bound(ctx, monkeypatch):
    """A wrong h(t) in every place that imports it: branch and bound no longer shares it."""
    monkeypatch.setattr(landscape, "stationary_ratio", _h_dropped_power)
    monkeypatch.setattr(convex, "stationary_ratio", _h_dropped_power, raising=False)
    assert fails(O.w5_certificate, ctx)
    assert fails(O.w4_dense_scan, ctx)


def test_error_in_the_curve_is_caught_by_the_scan(ctx, monkeypatch):
    """A wrong t(μ) = b/a (the x-weighting of a dropped): solve's roots move; the scan of the
    independently computed profile slope must see it (it used to scan the same curve)."""
    def t_wrong(self, mu):
        s2, inv = self._terms(mu)
        return self.tau * np.ones_like(np.sum(s2 * inv, axis=-1)) / np.mean(self.x)

    monkeypatch.setattr(StationaryCurve, "t", t_wrong)
    assert fails(O.w4_dense_scan, ctx)
    assert fails(O.w4_roots_stationary, ctx)


def test_w6_sees_a_wrong_w1_at_r_zero(ctx, monkeypatch):
    """W6 used to compare τ − c²f with c = 0 to τ (cannot fail).  A W1 risk that forgets the
    noise in τ now shows at r = 0 in the joint-risk minimisation."""
    real = convex.population_risk
    monkeypatch.setattr(convex, "population_risk", lambda model, P, omega: real(model, P, omega) - model.noise)
    assert fails(O.w6_conditions, ctx)


def test_a2_band_is_decided(ctx, monkeypatch):
    """A2 used to return agree=True for a violation between 1e-10 and 1e-6: with the cone
    constraint dropped (monotone optimum = free optimum) and ω* 1e-8 outside the cone, the
    verdict must be a disagreement."""
    def free_value(Q, g):
        z = np.linalg.solve(Q, g)
        return float(np.sqrt(g @ z)), z, 1.0

    monkeypatch.setattr(convex, "monotone_projection_value", free_value)
    monkeypatch.setattr(O, "_monotone_violation", lambda omega: 1e-8)
    model = next(iter(O._dense_models(ctx)))[1]
    agree, info = O._a2_verdict(model)
    assert not agree and info["predicted_min_distance"] > 0


# ----------------------------------------------------------------------------- narrow basins (item 7)
def test_multistart_includes_the_certified_stationary_points():
    """In the d = 8 three-root instance random starts tend to end in the non-global minimum;
    with starts near the certified stationary points the reference cannot miss the global one."""
    model = O.counterexample_model("three-roots")
    sol = landscape.solve(model)
    curve = landscape.stationary_curve(model)
    seeds = [curve.weights(mu) for mu in sol.roots]
    ms = convex.multistart_profile(model, "taskwise", starts=2, rng=np.random.default_rng(3), initial=seeds)
    assert ms.starts == len(seeds) + 2
    assert ms.risk == pytest.approx(sol.risk, rel=1e-10)
    # each seeded run ends at a root's risk (the saddle's run descends to a minimum)
    assert np.min(np.abs(ms.local_risks[0] - sol.root_risks)) <= 1e-10 * model.tau


def test_multistart_checks_say_they_start_at_stationary_points(ctx):
    for fn in (O.w4_joint_multistart, O.w5_multistart, O.w5_counterexamples):
        res = run(fn, ctx)
        assert res.passed
        assert "stationary points" in res.details["reference"] or "stationary" in str(res.details["instances"])
