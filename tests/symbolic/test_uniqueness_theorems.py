"""Theorem U3 and the combined condition (proofs/uniqueness.py, wpgd_theory.uniqueness):
the certified steps hold, wrong ones are rejected, the bounds dominate the float elasticities,
the d = 6 three-root instance and the tie noise are verified at 50 digits."""

from __future__ import annotations

import json
from pathlib import Path

import mpmath
import numpy as np
import pytest
import sympy as sp
from hypothesis import given
from hypothesis import strategies as st
from scipy.optimize import minimize_scalar

from wpgd_theory import MultitaskModel, solve
from wpgd_theory.landscape import stationary_curve
from wpgd_theory.symbolic import elasticity as E
from wpgd_theory.symbolic.positivity import Hypothesis, PositivityCertificate, Term
from wpgd_theory.symbolic.termsums import termwise
from wpgd_theory.uniqueness import (
    combined_bound,
    delta,
    g_star,
    multiple_root_thresholds,
    phi,
    strongest_theorem,
    task_model_w4,
    tie_noise,
    verify_roots,
)

DATA = Path(__file__).resolve().parents[2] / "proofs" / "data" / "counterexamples.json"
STEPS = [getattr(E, n) for n in E.__all__ if n != "q_poly"]


@pytest.mark.parametrize("step", STEPS, ids=lambda f: f.__name__)
def test_u3_steps_hold_exactly(step):
    ids = step()
    assert ids and all(i.ok for i in ids), [(i.name, i.residual) for i in ids if not i.ok]


def test_wrong_certificates_are_rejected():
    y, c = sp.symbols("y c")
    hyps = [Hypothesis(y), Hypothesis(c)]
    sq = y - 2 * c / 3
    # wrong coefficient: the identity fails
    bad = PositivityCertificate("x", 4 * c**3 / 27 - y**2 * (c - y), hyps,
                                [Term(sp.Integer(1), sq, (0,)), Term(sp.Rational(1, 2), sq, (1,))]).check()
    assert not bad.ok
    with pytest.raises(ValueError, match="positive rational"):
        PositivityCertificate("x", y, hyps, [Term(sp.Integer(-1), 1, (0,))]).check()
    with pytest.raises(ValueError, match="not a strict"):
        PositivityCertificate("x", y, hyps, [Term(sp.Integer(1), 1, (0,))], denominator=(1,)).check()
    with pytest.raises(ValueError, match="strict inequality"):
        PositivityCertificate("x", y, hyps, [Term(sp.Integer(1), 1, (0,))], strict=True).check()
    v, A = sp.symbols("v A")
    with pytest.raises(ValueError, match="depends on the summation variable"):
        termwise("x", v**3, {A: v}, {A: v**2}, v)
    # a wrong termwise identity: sum v^3/(1-v) is not sum v^3 + sum v^4
    B = sp.Symbol("B")
    assert not termwise("x", v**3 / (1 - v), {A: 1, B: 1}, {A: v**3, B: v**4}, v).ok


def test_wrong_cubic_relation_is_rejected():
    """A mutant of the G* equation (27 replaced by 26) does not make the sharpness identity exact."""
    G, k = E.G, E.k
    y0 = 2 * (1 - G) / 3
    val = k * y0**2 * (1 - G - y0)
    assert sp.cancel(val - G - (4 * k * (1 - G) ** 3 - 26 * G) / 27) != 0


def test_phi_equals_the_elasticity_limit_formula():
    """phi(d) = 2 G*(d) (cubic root, mpmath) vs the maximum over l of the U3 limit formula (scipy)."""
    for d in range(2, 9):
        k = d - 1
        res = minimize_scalar(lambda ll, k=k: -2 * k * np.exp(2 * ll) / ((1 + np.exp(ll)) * (k * np.exp(2 * ll)
                                                                                        + (1 + np.exp(ll)) ** 2)),
                              bounds=(-10, 10), method="bounded", options={"xatol": 1e-12})
        assert phi(d) == pytest.approx(-res.fun, rel=1e-9), d
    assert phi(5) == 0.5 and phi(1) == 0.0 and g_star(5) == mpmath.mpf(1) / 4
    assert all(phi(d) <= 0.5 for d in range(1, 6)) and phi(6) > 0.5


def _eps_h(lam, t):
    """eps_h = d log h / d log t by its definition (weighted means of u = t/(lambda + t))."""
    p = lam**2 / (lam + t) ** 2
    q = p * lam
    u = t / (lam + t)
    return 2 * (np.sum(q * u) / np.sum(q) - np.sum(p * u) / np.sum(p))


@given(st.integers(1, 9), st.lists(st.floats(-5, 5), min_size=10, max_size=10))
def test_u3_bound_dominates_the_elasticity(d, logs):
    """|eps_h| <= 2 m G*(d) (theorem U3's chain) and <= 2 delta(kappa)^2 (U2) on random spectra."""
    lam = 10.0 ** np.array(logs[:d])
    t = 10.0 ** logs[-1]
    eps = abs(_eps_h(lam, t))
    m = float(np.max(lam / (lam + t)))
    assert eps <= 2 * m * float(g_star(d)) + 1e-12
    assert eps <= phi(d) + 1e-12
    assert eps <= 2 * delta(lam.max() / lam.min()) ** 2 + 1e-12


def test_u3_bound_is_sharp():
    """One eigenvalue -> infinity, d - 1 at the extremal ratio: |eps_h| approaches phi(d)."""
    for d in (3, 5, 6):
        G = float(g_star(d))
        y0 = 2 * (1 - G) / 3  # v/m of the other eigenvalues, v = lambda/(lambda + t) with t = 1
        lam = np.array([1e12] + [y0 / (1 - y0)] * (d - 1))
        assert abs(_eps_h(lam, 1.0)) == pytest.approx(phi(d), rel=1e-6)


def test_thresholds_of_the_combined_condition():
    th = multiple_root_thresholds(6)
    assert th["kappa_sigma"] == pytest.approx(9.0, rel=1e-25)
    assert 1385.79 < th["kappa_R"] < 1385.80
    # at the threshold the combined bound equals 1 (kappa_Sigma large): both sides independent
    assert combined_bound(1e12, float(th["kappa_R"]), 6) == pytest.approx(1.0, rel=1e-9)
    assert combined_bound(1e12, float(th["kappa_R"]) * 0.999, 6) < 1.0
    assert combined_bound(9.0 * 0.999, 1e12, 50) < 1.0
    assert multiple_root_thresholds(5)["kappa_R"] == mpmath.inf


def _model(spec, noise=None):
    return MultitaskModel.from_tasks(spec["sizes"], np.array(spec["rho"]), np.array(spec["r_task"]),
                                     sigma=np.diag(spec["sigma_eigenvalues"]),
                                     noise=spec["noise"] if noise is None else noise)


def test_d6_instance_has_three_roots_verified_to_50_digits():
    doc = json.loads(DATA.read_text())["high_precision"]
    inst = doc["three-roots-d6"]
    assert len(inst["sigma_eigenvalues"]) == 6 and inst["digits_verified"] >= 50
    check = verify_roots(inst, inst["roots"], digits=50)
    assert check["ok"]
    sol = solve(_model(inst), interval=True)
    assert sol.certificate.num_roots == 3 and sol.certificate.interval_verified
    np.testing.assert_allclose(sol.roots, [float(r) for r in inst["roots"]], rtol=1e-9)
    assert sol.certificate.apriori["theorem"] is None  # no theorem applies: d = 6, kappa's large
    th = multiple_root_thresholds(6)
    assert inst["kappa_sigma"] > th["kappa_sigma"] and inst["kappa_R"] > th["kappa_R"]
    # a mutant: the first root altered in its 45th digit is not verified at 50 digits
    r0 = mpmath.mpf(inst["roots"][0])
    with mpmath.workdps(80):
        wrong = mpmath.nstr(mpmath.mpf(inst["roots"][0]) * (1 + mpmath.mpf("1e-45")), 70)
    assert r0 > 0 and not verify_roots(inst, [wrong], digits=50)["ok"]


def test_tie_noise_to_50_digits():
    doc = json.loads(DATA.read_text())
    tie = doc["instances"]["tie"]
    stored = doc["high_precision"]["tie_noise"]["noise"]
    got = tie_noise(tie, tie["noise"], [tie["roots"][0], tie["roots"][-1]], dps=30)
    with mpmath.workdps(60):
        assert abs(mpmath.mpf(stored) - got) < mpmath.mpf("1e-27")
        w4 = task_model_w4(tie).with_noise(stored)
        assert w4.tau > 0
    assert stored.startswith("3.47110691165943621270573")


def test_solve_reports_the_theorem():
    small = MultitaskModel.from_tasks([1000, 1], np.eye(2), [0.6, 0.8], sigma=np.diag([1e-3, 1e-3, 1e-3, 0.3]),
                                      noise=2.0)
    cert = solve(small).certificate
    assert cert.apriori["theorem"] == "U3" and "theorem U3" in cert.message and cert.status == "unique"
    mild = MultitaskModel.from_tasks([3, 5], np.eye(2), [0.6, 0.8], sigma=np.diag(np.linspace(1, 2, 8)), noise=1.0)
    cert = solve(mild).certificate
    assert cert.apriori["theorem"] == "U2" and "combined" in cert.apriori["theorems"]
    # combined but not U2: d = 7, kappa_Sigma big, kappa_R moderate
    comb = MultitaskModel.from_tasks([40, 1], np.eye(2), [0.6, 0.8], sigma=np.diag([1e-3] * 6 + [10.0]), noise=1.0)
    apri = strongest_theorem(stationary_curve(comb), solve(comb).certificate.apriori)
    assert apri["dimension"] == 7 and apri["theorem"] == "combined" and apri["combined_bound"] < 1


def test_the_enclosure_of_g_star_checks_both_ends(monkeypatch):
    """Decision meta-test: ``G*(6)`` is enclosed only if ``q`` is positive at the lower end and
    negative at the upper end.  A centre moved below the root by far more than the enclosure's
    half-width (both ends then have ``q > 0``) must fail the identity; the true centre passes."""
    import mpmath

    from wpgd_theory.symbolic import elasticity as E

    assert E.kappa_r_threshold_d6()[0].ok
    real = mpmath.findroot
    monkeypatch.setattr(E.mpmath, "findroot", lambda *a, **k: real(*a, **k) - mpmath.mpf(10) ** -40)
    assert not E.kappa_r_threshold_d6()[0].ok


def test_elasticity_formulas_agree_with_finite_differences():
    """Independent side of the three U3 formulas: central finite differences of log h(t), log t(μ)
    and of F(μ) = μ − τh(t(μ)) in floats at d = 4 with 3 components, against 2(E_q u − E_p u),
    2(E_ρ v − E_π v) and 1 − (g/μ)ε_hε_t."""
    rng = np.random.default_rng(21)
    lam, x, s2, tau = rng.uniform(0.3, 5.0, 4), rng.uniform(1.0, 4.0, 3), rng.uniform(0.2, 2.0, 3), 3.7

    def h(t):
        return np.sum(lam**2 / (lam + t) ** 2) / np.sum(lam**3 / (lam + t) ** 2)

    def tm(mu):
        return tau * np.sum(s2 / (x + mu) ** 2) / np.sum(s2 * x / (x + mu) ** 2)

    def eps_h(t):
        p, u = lam**2 / (lam + t) ** 2, t / (lam + t)
        return 2 * (np.sum(lam * p * u) / np.sum(lam * p) - np.sum(p * u) / np.sum(p))

    def eps_t(mu):
        pi, v = s2 / (x + mu) ** 2, mu / (x + mu)
        return 2 * (np.sum(x * pi * v) / np.sum(x * pi) - np.sum(pi * v) / np.sum(pi))

    e = 1e-5
    for t in (0.4, 1.3, 6.0):
        fd = (np.log(h(t * np.exp(e))) - np.log(h(t * np.exp(-e)))) / (2 * e)
        assert fd == pytest.approx(eps_h(t), rel=1e-6, abs=1e-9)
    for mu in (0.2, 1.1, 5.0):
        fd = (np.log(tm(mu * np.exp(e))) - np.log(tm(mu * np.exp(-e)))) / (2 * e)
        assert fd == pytest.approx(eps_t(mu), rel=1e-6, abs=1e-9)
        dF = ((mu + e - tau * h(tm(mu + e))) - (mu - e - tau * h(tm(mu - e)))) / (2 * e)
        g = tau * h(tm(mu))
        assert dF == pytest.approx(1 - g / mu * eps_h(tm(mu)) * eps_t(mu), rel=1e-6, abs=1e-8)


def test_a_wrong_elasticity_formula_fails_the_step():
    """Mutant: with u = λ/(λ+t) in place of t/(λ+t) the termwise log-derivative identities fail."""
    lam_, t_, p_, q_, _ = E._lam_weights()
    ids = E._log_elasticity("h", t_, p_, q_, lam_ / (lam_ + t_), lam_)
    assert not all(i.ok for i in ids)
