"""solve() at extreme scales (issue 10, first bullet): homogeneity, finite results or a clear ValueError.

The risk is homogeneous: scaling ``Σ`` and ``σ²`` by ``s`` scales every risk by ``s``, ``P*``
by ``1/s`` and leaves ``ω*`` and the roots ``μ`` unchanged.  ``solve`` works in normalised
units and must return the user's units, finite, or refuse with a one-line ``ValueError``.
"""

import warnings

import numpy as np
import pytest

from wpgd_theory import MultitaskModel
from wpgd_theory.claims.defaults import default_models
from wpgd_theory.landscape import solve

BASE = default_models()["multitask-anisotropic"]


def scaled(model, s):
    return MultitaskModel.from_tasks(model.sizes, model.rho, model.r_task, sigma=model.sigma * s,
                                     noise=model.noise * s)


@pytest.mark.parametrize("s", [1e-160, 1e-300, 1e-100, 1e150, 1e300])
def test_solution_is_homogeneous(s):
    ref = solve(BASE)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no overflow/underflow/invalid warning on the way
        sol = solve(scaled(BASE, s))
    assert sol.status == ref.status == "unique"
    assert sol.risk / s == pytest.approx(ref.risk, rel=1e-13)
    np.testing.assert_allclose(sol.omega, ref.omega, rtol=1e-12, atol=1e-15)
    np.testing.assert_allclose(sol.P * s, ref.P, rtol=1e-12, atol=1e-15 * np.abs(ref.P).max())
    np.testing.assert_allclose(sol.roots, ref.roots, rtol=1e-12)
    assert sol.t / s == pytest.approx(ref.t, rel=1e-12)


def test_tiny_isotropic_sigma_with_noise():
    """Σ = 1e-300·I, σ² = 0.1: the context is worthless; risk τ (to rounding), ω* ∝ (R+(d+1+σ²/λ)I)⁻¹r."""
    model = MultitaskModel.single_task(6, sigma=1e-300 * np.eye(3), noise=0.1)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        sol = solve(model)
    assert sol.status == "unique"
    assert np.all(np.isfinite(sol.P)) and np.all(np.isfinite(sol.omega))
    assert sol.risk == pytest.approx(model.tau, rel=1e-15)
    mu = 3 + 0.1 / 1e-300  # isotropic closed form, written as (1 + μ)(R + (1+μ)I)⁻¹r to stay in range
    w = np.linalg.solve(model.R / (1 + mu) + np.eye(model.n), model.r)
    assert abs(w @ sol.omega) / np.linalg.norm(w) == pytest.approx(1.0, rel=1e-12)


def test_tiny_anisotropic_sigma_is_certified():
    model = MultitaskModel.from_tasks([6, 4], [[1, .4], [.4, 1]], [.2, .9], sigma=np.diag([1e-300, 2e-300, 3e-300]),
                                      noise=0.1)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        sol = solve(model, interval=True)
    assert sol.status == "unique" and sol.certificate.interval_verified
    assert np.all(np.isfinite(sol.P)) and sol.risk == pytest.approx(model.tau, rel=1e-15)


@pytest.mark.parametrize("sigma, noise", [
    (np.array([[1e308]]), 0.1),  # P* ~ 1e-309: below the normal range
    (np.eye(3), 1e308),  # λ/σ² = 1e-308: not representable in normalised units
])
def test_unrepresentable_optimum_is_refused(sigma, noise):
    model = MultitaskModel.single_task(4, sigma=sigma, noise=noise)
    with pytest.raises(ValueError, match="sigma") as info:
        solve(model)
    assert "\n" not in str(info.value)


def test_wide_spectrum_root_is_a_root():
    """Σ eigenvalues over 18 decades: the certified root satisfies the W4 equation written out
    directly in the user's units (no normalisation) and the joint W1 gradient vanishes."""
    from wpgd_theory.landscape import optimal_preconditioner, risk_gradient

    lam = np.array([1e-12, 1e-6, 1.0, 1e3, 1e6])
    model = MultitaskModel.from_tasks([6, 4], [[1, .4], [.4, 1]], [.2, .9], sigma=np.diag(lam), noise=0.1)
    sol = solve(model, interval=True)
    assert sol.status == "unique" and sol.certificate.interval_verified
    mu = sol.roots[0]
    w = np.linalg.solve(model.R + (1 + mu) * np.eye(model.n), model.r)
    a, b = w @ model.R @ w + w @ w, model.tau * (w @ w)
    t = b / a
    h = np.sum(lam**2 / (lam + t) ** 2) / np.sum(lam**3 / (lam + t) ** 2)
    assert model.tau * h == pytest.approx(mu, rel=1e-9)
    dP, dw = risk_gradient(model, optimal_preconditioner(model, sol.omega), sol.omega)
    assert np.abs(dw).max() <= 1e-9 * model.tau


@pytest.mark.parametrize("r", [1.45e-303, 5e-324, 1e-160])
def test_query_correlations_too_small_for_float64_are_refused_naming_r(r):
    """r ≠ 0 whose square underflows: the W4 sums would be 0/0 (found by the config fuzz
    test: a non-finite P, or scipy's 'function value is NaN'); refused with one line naming r."""
    model = MultitaskModel(np.diag([1.0, 2.0]), np.eye(1), np.array([r]), 0.0)
    with pytest.raises(ValueError, match=r"^r \(r_task\): .*W6") as info:
        solve(model)
    assert "\n" not in str(info.value)


def test_small_but_representable_query_correlations_still_solve():
    model = MultitaskModel(np.diag([1.0, 2.0]), np.eye(1), np.array([1e-100]), 0.0)
    sol = solve(model)
    assert sol.status == "unique" and np.all(np.isfinite(sol.P)) and np.isfinite(sol.risk)
