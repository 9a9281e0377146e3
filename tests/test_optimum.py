"""solve(): the global WPGD optimum (W4, W5, W6), its structure, closed forms and errors."""

import numpy as np
import pytest
from hypothesis import given

from wpgd_theory import MultitaskModel, WPGDSolution, solve
from wpgd_theory import strategies as wst
from wpgd_theory.claims.defaults import default_models
from wpgd_theory.claims.optimum import counterexample_model
from wpgd_theory.landscape import (
    StationaryCurve,
    optimal_preconditioner,
    population_risk,
    profile_risk,
    profile_risk_gradient,
    risk_gradient,
    stationary_curve,
    stationary_equation,
    stationary_weights,
    weight_moments,
)

MODELS = default_models()


def dense_copy(model):
    """The same model with a general (unstructured) ``R``."""
    return MultitaskModel(model.sigma, model.R, model.r, model.noise)


@pytest.mark.parametrize("name", list(MODELS))
def test_solution_is_normalised_and_consistent(name):
    model = MODELS[name]
    sol = solve(model)
    assert isinstance(sol, WPGDSolution) and sol.unique
    assert np.linalg.norm(sol.omega) == pytest.approx(1.0, rel=1e-13)
    assert sol.omega @ model.r > 1e-12 * np.linalg.norm(model.r)  # sign convention r^T omega > 0
    np.testing.assert_allclose(sol.P, optimal_preconditioner(model, sol.omega), rtol=1e-11, atol=1e-14)
    assert profile_risk(model, sol.omega) == pytest.approx(sol.risk, rel=1e-12)
    assert population_risk(model, sol.P, sol.omega) == pytest.approx(sol.risk, rel=1e-12)
    c, a, b = weight_moments(model, sol.omega)
    assert sol.t == pytest.approx(b / a, rel=1e-12)
    # stationary: the joint W1 gradient vanishes
    dP, dw = risk_gradient(model, sol.P, sol.omega)
    assert np.abs(dP).max() < 1e-12 * model.tau and np.abs(dw).max() < 1e-12 * model.tau


@pytest.mark.parametrize("name", list(MODELS))
def test_scaled_solutions_are_equally_good(name):
    model = MODELS[name]
    sol = solve(model)
    for c in (-3.0, 0.5, 1e4):
        assert population_risk(model, c * sol.P, sol.omega / c) == pytest.approx(sol.risk, rel=1e-11)


def test_task_model_solve_uses_task_space_and_matches_dense(monkeypatch):
    model = MODELS["multitask-anisotropic"]
    dense = dense_copy(model)
    ref = solve(dense)

    def forbidden(self):
        raise AssertionError("solve formed the n x n matrix R of a task model")

    monkeypatch.setattr(MultitaskModel, "R", property(forbidden))
    sol = solve(model)
    assert sol.risk == pytest.approx(ref.risk, rel=1e-12)
    np.testing.assert_allclose(sol.roots, ref.roots, rtol=1e-10)
    np.testing.assert_allclose(sol.omega, ref.omega, rtol=1e-9, atol=1e-12)
    # task-wise: constant on every segment, equal to omega_task
    np.testing.assert_array_equal(sol.omega, sol.omega_task[model.task_of])


def test_large_task_model_is_solved_in_task_space():
    """n = 10^6 in K = 3 tasks: solved through the segment structure (no n x n matrix; its
    speed is measured by benchmarks/solve.py, never asserted by a timed test)."""
    rho = np.array([[1.0, 0.3, -0.2], [0.3, 1.0, 0.4], [-0.2, 0.4, 1.0]])
    model = MultitaskModel.from_tasks([400_000, 300_000, 300_000], rho, [0.5, 0.2, 0.6],
                                      sigma=np.diag([2.0, 1.0, 0.1]), noise=0.2)
    sol = solve(model)
    assert sol.omega.shape == (1_000_000,) and sol.unique


@given(wst.multitask_models(max_d=3, max_tasks=3, max_size=3))
def test_task_space_equals_dense_space(model):
    sol, ref = solve(model), solve(dense_copy(model))
    assert sol.status == ref.status
    if sol.status == "degenerate":
        return
    assert sol.risk == pytest.approx(ref.risk, rel=1e-9, abs=1e-12 * model.tau)


@given(wst.multitask_models(max_d=3, max_tasks=3, max_size=4), wst.weights(12))
def test_segment_averaging_never_increases_the_profile_risk(model, w):
    """The lemma behind the task-space reduction: averaging ω within segments keeps rᵀω and
    ωᵀRω, shrinks ‖ω‖², hence cannot increase L(ω)."""
    omega = w[: model.n] if model.n <= 12 else np.resize(w, model.n)
    if not np.any(omega):
        return
    avg = (model.segment_sums(omega) / model.sizes)[model.task_of]
    c, a, b = weight_moments(model, omega)
    c2, a2, b2 = weight_moments(model, avg)
    assert c2 == pytest.approx(c, rel=1e-12, abs=1e-12)
    assert a2 <= a * (1 + 1e-12) and b2 <= b * (1 + 1e-12)
    if np.any(avg):
        assert profile_risk(model, avg) <= profile_risk(model, omega) + 1e-12 * model.tau


@given(wst.models(max_d=3, max_n=5, isotropic=True))
def test_isotropic_closed_form(model):
    """W5: Σ = λI ⇒ ω* ∝ (R + (d+1+σ²/λ)I)⁻¹r, P* ∝ I, L* = τ − dλ rᵀ(…)⁻¹r."""
    sol = solve(model)
    if sol.status == "degenerate":
        return
    lam, d = model.sigma_eigenvalues[0], model.d
    A = model.R + (d + 1 + model.noise / lam) * np.eye(model.n)
    w = np.linalg.solve(A, model.r)
    assert sol.mu == pytest.approx(d + model.noise / lam, rel=1e-12)
    assert abs(sol.omega @ w) / np.linalg.norm(w) == pytest.approx(1.0, rel=1e-10)
    assert sol.risk == pytest.approx(model.tau - d * lam * model.r @ w, rel=1e-10, abs=1e-12 * model.tau)
    np.testing.assert_allclose(sol.P, np.trace(sol.P) / d * np.eye(d), atol=1e-12 * np.abs(sol.P).max())


def test_theory_formula_for_identity_sigma():
    for model in MODELS.values():
        m = MultitaskModel(np.eye(model.d), model.R, model.r, model.noise)
        d, s2 = m.d, m.noise
        L = d + s2 - d * m.r @ np.linalg.solve(m.R + (d + 1 + s2) * np.eye(m.n), m.r)
        assert solve(m).risk == pytest.approx(L, rel=1e-12)


def test_stationary_curve_helpers():
    model = MODELS["ar1-general"]
    curve = stationary_curve(model)
    lo, hi = curve.bracket
    assert stationary_equation(model, lo) <= 0 <= stationary_equation(model, hi)
    mu = 2.0
    np.testing.assert_allclose(stationary_weights(model, mu),
                               np.linalg.solve(model.R + (1 + mu) * np.eye(model.n), model.r), rtol=1e-12)
    c, a, nrm2 = curve.moments(mu)
    w = stationary_weights(model, mu)
    cc, aa, bb = weight_moments(model, w)
    k = 1.0 + mu  # the curve's moments carry the factors (1+μ), (1+μ)², (1+μ)² (degree 0 cancels them)
    np.testing.assert_allclose([c / k, a / k**2, model.tau * nrm2 / k**2], [cc, aa, bb], rtol=1e-12)
    assert curve.risk(mu) == pytest.approx(profile_risk(model, w), rel=1e-12)


@given(wst.models(max_d=3, max_n=5), wst.weights(5))
def test_profile_gradient(model, w):
    omega = np.resize(w, model.n)
    g = profile_risk_gradient(model, omega)
    assert abs(g @ omega) <= 1e-10 * model.tau  # Euler: degree 0
    h = 1e-6
    fd = np.array([(profile_risk(model, omega + h * e) - profile_risk(model, omega - h * e)) / (2 * h)
                   for e in np.eye(model.n)])
    np.testing.assert_allclose(g, fd, atol=1e-6 * model.tau * max(1.0, 1 / np.linalg.norm(omega)))


def test_counterexample_roots_are_all_stationary():
    model = counterexample_model("three-roots")
    sol = solve(model)
    curve = stationary_curve(model)
    assert len(sol.roots) == 3
    for mu in sol.roots:
        w = curve.weights(mu)
        grad = profile_risk_gradient(model, w)
        assert np.linalg.norm(grad) * np.linalg.norm(w) < 1e-10 * model.tau
    assert sol.risk == pytest.approx(min(sol.root_risks), rel=1e-15)


def test_r_zero_is_reported_not_raised():
    model = MultitaskModel.from_tasks([2, 3], np.eye(2), [0.0, 0.0], sigma=np.diag([1.0, 2.0]), noise=0.1)
    sol = solve(model)
    assert sol.status == "degenerate" and not sol.unique
    assert sol.omega is None and sol.risk == pytest.approx(model.tau, rel=1e-15) and np.all(sol.P == 0)
    assert sol.roots.size == 0
    assert "constant" in str(sol.certificate)
    rng = np.random.default_rng(0)
    np.testing.assert_allclose(profile_risk(model, rng.standard_normal((10, model.n))), model.tau, rtol=1e-15)


def test_mutant_curve_with_R_instead_of_R_plus_I_is_caught(monkeypatch):
    """Mutant W4: ω(μ) = (R + μI)⁻¹r (x = ν instead of ν + 1): the 'optimum' is no longer
    stationary and is beaten by a better point."""
    model = MODELS["multitask-anisotropic"]
    good = solve(model)
    monkeypatch.setattr(StationaryCurve, "x", property(lambda self: self.nu))
    bad = solve(model)
    dP, dw = risk_gradient(model, bad.P, bad.omega)
    assert np.abs(dw).max() > 1e-6
    assert profile_risk(model, bad.omega) > good.risk + 1e-8


@pytest.mark.parametrize("bad, exc, match", [
    (dict(rtol=0.0), ValueError, "rtol"),
    (dict(rtol="x"), TypeError, "rtol"),
    (dict(initial_cells=0), ValueError, "initial_cells"),
    (dict(interval=1), TypeError, "interval"),
])
def test_bad_arguments(bad, exc, match):
    with pytest.raises(exc, match=match):
        solve(MODELS["ar1-general"], **bad)


def test_bad_model_and_mu():
    with pytest.raises(TypeError, match="model"):
        solve("not a model")
    with pytest.raises(ValueError, match="mu"):
        stationary_weights(MODELS["ar1-general"], -1.0)
    with pytest.raises(ValueError, match="mu"):
        stationary_equation(MODELS["ar1-general"], [1.0, -2.0])
    with pytest.raises(TypeError, match="mu"):
        stationary_weights(MODELS["ar1-general"], "1")


def test_curve_spectral_form_is_consistent():
    curve = stationary_curve(MODELS["multitask-anisotropic"])
    assert isinstance(curve, StationaryCurve)
    assert not curve.degenerate and curve.g_relative_error() < 1e-12
