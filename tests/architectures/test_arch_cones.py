"""Best risk per weight class: the new geometric and nonnegative searches against independent
optimisers, and the order the nesting of the classes forces."""

import numpy as np
import pytest
from hypothesis import given, settings
from scipy.optimize import minimize

from wpgd_theory.architectures.cones import WEIGHT_CLASSES, best_risk, geometric_risk, geometric_weights
from wpgd_theory.claims.defaults import default_models
from wpgd_theory.landscape import profile_risk, profile_risk_gradient
from wpgd_theory.model import MultitaskModel
from wpgd_theory.strategies import multitask_models

TOL = 1e-6


def _lbfgsb_nonnegative(model, starts):
    """Reference: L-BFGS-B on the profile risk (W3) with bounds omega >= 0, several starts."""
    best = np.inf
    for w0 in starts:
        res = minimize(lambda w: profile_risk(model, w), w0, jac=lambda w: profile_risk_gradient(model, w),
                       method="L-BFGS-B", bounds=[(0.0, None)] * model.n, options={"ftol": 1e-15, "gtol": 1e-12})
        if np.any(res.x > 0):
            best = min(best, float(res.fun))
    return best


@settings(max_examples=6)
@given(model=multitask_models(max_d=3, max_tasks=3, max_size=3))
def test_nonnegative_class_matches_bounded_quasi_newton(model):
    sol = best_risk(model, "nonnegative")
    rng = np.random.default_rng(0)
    starts = [np.ones(model.n)] + [rng.uniform(0.01, 1.0, model.n) for _ in range(6)]
    ref = min(_lbfgsb_nonnegative(model, starts), _lbfgsb_nonnegative(_negated(model), starts))
    assert sol.risk <= ref + TOL * model.tau  # NNLS per ridge is exact: never worse than a local search
    assert sol.risk >= ref - 1e-4 * model.tau  # and the outer search over t finds the same optimum


def _negated(model):
    """Same risk landscape with r -> -r (the omega <= 0 half of the class)."""
    return MultitaskModel.from_tasks(model.sizes, model.rho, -model.r_task, sigma=model.sigma, noise=model.noise)


@settings(max_examples=6)
@given(model=multitask_models(max_d=3, max_tasks=3, max_size=4))
def test_geometric_class_matches_a_dense_grid(model):
    sol = best_risk(model, "geometric")
    grid = np.linspace(1e-3, 1.0, 20001)
    ref = min(geometric_risk(model, g) for g in grid[::50])
    fine = min(ref, *(geometric_risk(model, g) for g in grid[np.abs(grid - sol.details["gamma"]) < 0.01]))
    assert sol.risk <= ref + TOL * model.tau
    assert sol.risk >= fine - TOL * model.tau
    np.testing.assert_allclose(profile_risk(model, geometric_weights(model.n, sol.details["gamma"])), sol.risk,
                               rtol=1e-12)


@pytest.mark.parametrize("name", list(default_models()))
def test_classes_are_ordered_by_inclusion(name):
    model = default_models()[name]
    r = {c: best_risk(model, c).risk for c in ("free", "nonnegative", "monotone", "geometric", "uniform")}
    slack = 1e-7 * model.tau
    assert r["free"] <= r["nonnegative"] + slack
    assert r["nonnegative"] <= r["monotone"] + slack
    assert r["monotone"] <= r["geometric"] + slack
    assert r["geometric"] <= r["uniform"] + slack
    assert r["uniform"] < model.tau


def test_nonnegative_equals_cvxpy_on_an_isotropic_model():
    """Sigma = I: the class optimum is the SOCP max r^T w s.t. w^T A w <= 1, w >= 0 (A = R + (d+1+s2) I)."""
    import cvxpy as cp

    model = MultitaskModel.from_tasks([3, 3, 2], np.eye(3), np.array([0.6, -0.5, 0.3]), sigma=np.eye(2), noise=0.3)
    A = model.R + (model.d + 1 + model.noise) * np.eye(model.n)
    vals = []
    for sign in (1, -1):
        w = cp.Variable(model.n)
        prob = cp.Problem(cp.Maximize(sign * model.r @ w), [cp.quad_form(w, A) <= 1, w >= 0])
        prob.solve()
        vals.append(prob.value)
    ref = model.tau - model.d * max(vals) ** 2
    np.testing.assert_allclose(best_risk(model, "nonnegative").risk, ref, rtol=1e-6)


def test_none_class_and_bad_input():
    model = default_models()["single-task-isotropic"]
    assert best_risk(model, "none").risk is None
    assert "none" in WEIGHT_CLASSES
    with pytest.raises(ValueError, match="weight_class must be one of"):
        best_risk(model, "cubic")
    with pytest.raises(TypeError, match="model must be a MultitaskModel"):
        best_risk("model", "free")


# ---------------------------------------------------------------- RetNet as fla fixes it (issue 19 item 3)
@settings(max_examples=5)
@given(model=multitask_models(max_d=3, max_tasks=3, max_size=4))
def test_retnet_class_matches_quasi_newton_over_the_head_mix(model):
    """The exact least squares per ridge t + the search over t against an independent
    optimiser: BFGS on the profile risk (W3) over the span of fla's 8 profiles, in an
    orthonormal basis of its float32-realisable directions (the profiles are nearly collinear;
    in exact arithmetic they span R^n for n <= 8, a Vandermonde matrix), several starts."""
    from wpgd_theory.architectures.cones import RETNET_CUTOFF, retnet_profiles

    sol = best_risk(model, "retnet")
    U, sv, _ = np.linalg.svd(retnet_profiles(model.n), full_matrices=False)
    Q = U[:, sv >= RETNET_CUTOFF * sv[0]]
    rng = np.random.default_rng(0)
    ref = model.tau
    for z0 in [Q.T @ np.ones(model.n), *rng.standard_normal((4, Q.shape[1]))]:
        res = minimize(lambda z: profile_risk(model, Q @ z) if np.any(Q @ z) else model.tau, z0, method="BFGS",
                       options={"gtol": 1e-12})
        ref = min(ref, float(res.fun))
    assert sol.risk <= ref + 1e-6 * model.tau  # never worse than the local search
    assert sol.risk >= best_risk(model, "free").risk - 1e-7 * model.tau
    if sol.omega is not None:  # the returned weights have the reported risk (W3 closed form)
        np.testing.assert_allclose(profile_risk(model, sol.omega), sol.risk, rtol=1e-9)
        np.testing.assert_allclose(Q @ (Q.T @ sol.omega), sol.omega, atol=1e-8)  # in the span of fla's profiles


@pytest.mark.parametrize("name", list(default_models()))
def test_retnet_class_between_free_and_each_fixed_head(name):
    model = default_models()[name]
    sol = best_risk(model, "retnet")
    slack = 1e-7 * model.tau
    assert best_risk(model, "free").risk <= sol.risk + slack
    assert sol.risk <= min(sol.details["single_head_risks"]) + slack
    assert len(sol.details["single_head_risks"]) == 8


def test_retnet_signed_mix_beats_every_geometric_profile_on_the_non_monotone_model():
    """Signed head mixes matter: on the non-monotone default model fla's 8 fixed heads reach a
    risk below every single geometric profile, learned ratio included."""
    model = default_models()["multitask-nonmonotone"]
    assert best_risk(model, "retnet").risk < best_risk(model, "geometric").risk - 1e-3 * model.tau
