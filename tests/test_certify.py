"""Root isolation and uniqueness certificates (W4, W5): soundness of every bound it uses."""

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from wpgd_theory import MultitaskModel, solve
from wpgd_theory import strategies as wst
from wpgd_theory.certify import (
    RISK_TIE_TOL,
    RootIsolation,
    apriori_uniqueness,
    certify_uniqueness,
    condition_delta,
    interval_verify,
    isolate_roots,
    slope_bounds,
)
from wpgd_theory.claims.defaults import default_models
from wpgd_theory.claims.optimum import counterexample_model
from wpgd_theory.landscape import StationaryCurve, stationary_curve


def spectral_curve(lam, mult, noise, x, s2):
    """A curve straight from spectral data (``x = ν + 1``, ``s² = ``components of ``r``)."""
    lam = np.sort(np.repeat(np.asarray(lam, float), mult))
    x = np.asarray(x, float)
    return StationaryCurve(lam, float(lam.sum() + noise), x - 1.0, np.sqrt(np.asarray(s2, float)), np.eye(x.size))


#: Three roots with d = 50 (49 small eigenvalues and one large), found by the study.
THREE_ROOTS_D50 = ([340.8892653, 8.17757242], [1, 49], 6.493462662866036e-05, [1.44791566, 3073.61218],
                   [0.18535369, 165.0514358])
#: One root where F' ≈ 5e-5 (nearly tangential): the slope stage must still certify it.
NEAR_TANGENT = ([14135.00011, 106.515746], [1, 9], 0.0, [1.028371, 5762.168724], [0.618598, 25689.39941])


@st.composite
def curves(draw):
    """Random spectral data over many decades, with multiplicities."""
    k = draw(st.integers(1, 3))
    lam = [10 ** draw(st.floats(-3, 3)) for _ in range(k)]
    mult = [draw(st.integers(1, 20)) for _ in range(k)]
    m = draw(st.integers(1, 3))
    x = [1 + 10 ** draw(st.floats(-3, 6)) for _ in range(m)]
    s2 = [10 ** draw(st.floats(-6, 2)) for _ in range(m)]
    return spectral_curve(lam, mult, draw(st.sampled_from([0.0, 0.1, 10.0])), x, s2)


# ----------------------------------------------------------------------------- the bounds
@given(curves(), st.floats(0, 1), st.floats(0, 1))
def test_g_is_nondecreasing(curve, u, v):
    lo, hi = curve.bracket
    a, b = sorted([lo * (hi / lo) ** u, lo * (hi / lo) ** v])
    ga, gb = curve.g(np.array([a, b]))
    assert ga <= gb * (1 + curve.g_relative_error())


@given(curves(), st.floats(0.01, 0.99))
def test_elasticities_match_finite_differences(curve, u):
    lo, hi = curve.bracket
    if hi <= lo * (1 + 1e-6):
        return
    mu = lo * (hi / lo) ** u
    eh, et = curve.elasticities(mu)
    h = 1e-6 * mu
    fd = (curve.g(mu + h) - curve.g(mu - h)) / (2 * h)
    assert float(eh * et * curve.g(mu) / mu) == pytest.approx(float(fd), rel=1e-4, abs=1e-9 * curve.g(mu) / mu)
    assert eh <= 1e-15 and et <= 1e-15


@given(curves(), st.floats(0, 1), st.floats(0, 1), st.floats(0, 1))
def test_slope_bounds_enclose_the_derivative(curve, u, v, w):
    lo, hi = curve.bracket
    if hi <= lo * (1 + 1e-6):
        return
    a, b = sorted([lo * (hi / lo) ** u, lo * (hi / lo) ** v])
    if b <= a * (1 + 1e-6):
        return
    mu = a * (b / a) ** w
    ga, gb = curve.g(np.array([a, b]))
    inf, sup = slope_bounds(curve, np.array([a]), np.array([b]), np.array([ga]), np.array([gb]),
                            curve.g_relative_error())
    eh, et = curve.elasticities(mu)
    scale = float(curve.g(mu) / mu)
    gp = float(eh * et) * scale  # g'(μ), with ε computed to roundoff (≈ 1e-15)
    assert inf[0] * (1 - 1e-9) - 1e-13 * scale <= gp <= sup[0] * (1 + 1e-9) + 1e-13 * scale


@given(curves(), st.floats(0, 1))
def test_elasticity_bounds_of_theorem_u2(curve, u):
    lo, hi = curve.bracket
    mu = lo * (hi / lo) ** u
    eh, et = curve.elasticities(mu)
    apri = apriori_uniqueness(curve, support_tol=0.0)
    assert abs(eh) <= 2 * condition_delta(apri["kappa_sigma"]) ** 2 + 1e-12
    assert abs(et) <= 2 * condition_delta(apri["kappa_R"]) ** 2 + 1e-12


def test_condition_delta():
    assert condition_delta(1.0) == 0.0
    assert condition_delta(9.0) == pytest.approx(0.5)
    assert condition_delta(1e12) == pytest.approx(1.0, abs=1e-5)


# ----------------------------------------------------------------------------- isolation
@given(curves())
def test_isolation_finds_every_sign_change(curve):
    iso = isolate_roots(curve)
    assert iso.roots.size >= 1 and not iso.truncated
    assert np.all(np.diff(iso.roots) > 1e-12 * iso.roots[1:])  # distinct, beyond the resolution
    lo, hi = curve.bracket
    if hi > lo * (1 + 1e-9):
        grid = np.geomspace(lo, hi, 4001)
        F = curve.F(grid)
        for i in np.nonzero(np.sign(F[1:]) * np.sign(F[:-1]) < 0)[0]:
            assert np.min(np.abs(np.log(iso.roots / grid[i]))) <= np.log(grid[i + 1] / grid[i]) + 1e-12
        # excluded cells contain no sign change
        for a, b, _ in iso.excluded:
            inside = grid[(grid >= a) & (grid <= b)]
            if inside.size > 1:
                s = np.sign(curve.F(inside))
                assert np.all(s == s[0])
    assert np.allclose(curve.F(iso.roots), 0.0, atol=1e-12 * hi)


def test_three_roots_are_isolated_and_interval_verified():
    curve = spectral_curve(*THREE_ROOTS_D50)
    iso = isolate_roots(curve)
    assert len(iso.root_cells) == 3 and not iso.unresolved
    assert interval_verify(curve, iso)
    eh, et = curve.elasticities(iso.roots)
    slope = 1 - eh * et  # F' at the roots: up, down, up
    assert slope[0] > 0 > slope[1] and slope[2] > 0
    cert = certify_uniqueness(curve, iso, curve.risk(iso.roots))
    assert cert.num_roots == 3 and cert.status == "unique" and cert.risk_gap > RISK_TIE_TOL


def test_nearly_tangential_root_is_certified():
    curve = spectral_curve(*NEAR_TANGENT)
    iso = isolate_roots(curve)
    assert len(iso.root_cells) == 1 and not iso.unresolved and not iso.truncated
    eh, et = curve.elasticities(iso.roots)
    assert 0 < 1 - eh[0] * et[0] < 1e-4
    assert 0 < iso.min_slope < 1e-4


def test_truncation_is_reported_not_hidden():
    curve = spectral_curve(*NEAR_TANGENT)
    iso = isolate_roots(curve, max_evaluations=100)
    assert iso.truncated
    cert = certify_uniqueness(curve, iso, curve.risk(iso.roots))
    assert cert.status == "uncertified"


def test_interval_verification_catches_a_forged_exclusion():
    """Mutant certificate: a cell that contains the root is marked as excluded."""
    model = default_models()["multitask-anisotropic"]
    curve = stationary_curve(model)
    iso = isolate_roots(curve)
    assert interval_verify(curve, iso)
    (a, b), = iso.root_cells
    forged = RootIsolation(iso.roots, (), (), np.vstack([iso.excluded, [a, b, 1.0]]), iso.margin, iso.resolution,
                           iso.num_evaluations, iso.bracket, iso.rel_err)
    assert not interval_verify(curve, forged)
    forged2 = RootIsolation(iso.roots, (), (), np.vstack([iso.excluded, [a, b, 2.0]]), iso.margin, iso.resolution,
                            iso.num_evaluations, iso.bracket, iso.rel_err)
    assert not interval_verify(curve, forged2)


def test_wrong_bracket_is_caught(monkeypatch):
    """Mutant W4 bracket [τ/λ_max, τ/λ_max·1.01]: it misses the root, and solve says so."""
    model = default_models()["multitask-anisotropic"]
    monkeypatch.setattr(StationaryCurve, "bracket", property(lambda self: (self.tau / self.lam[-1],
                                                                           1.01 * self.tau / self.lam[-1])))
    with pytest.raises(RuntimeError, match="no root"):
        solve(model)


def test_isotropic_bracket_is_a_point():
    model = MultitaskModel.from_tasks([3, 2], [[1, 0.2], [0.2, 1]], [0.5, 0.1], sigma=2 * np.eye(3), noise=0.4)
    sol = solve(model, interval=True)
    assert sol.roots.tolist() == pytest.approx([model.tau / 2.0])
    assert sol.status == "unique" and sol.certificate.apriori["isotropic_sigma"]


def test_tie_is_reported_not_unique():
    sol = solve(counterexample_model("tie"))
    assert sol.status == "not unique" and not sol.unique
    assert sol.certificate.num_roots == 3 and abs(sol.certificate.risk_gap) < 1e-11
    assert "tie" in str(sol.certificate)


@given(wst.models(max_d=3, max_n=5))
def test_certificate_on_random_models(model):
    sol = solve(model)
    if sol.status == "degenerate":
        assert not np.any(model.r)
        return
    cert = sol.certificate
    assert cert.status == "unique" and cert.num_roots == 1
    lo, hi = cert.bracket
    assert lo * (1 - 1e-12) <= sol.mu <= hi * (1 + 1e-12)
    assert str(cert).startswith("unique")
