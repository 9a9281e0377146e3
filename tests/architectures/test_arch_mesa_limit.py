"""MesaNet's limit (issue 19, proofs/architectures.md §C): lambda * MesaNet -> one-step WPGD at rate
1/lambda, through fla's naive_mesa_net_exact; a wrong rate or a wrong limit fails."""

from __future__ import annotations

import numpy as np
import pytest

from wpgd_theory.architectures import mesa_limit as ml
from wpgd_theory.claims.architectures import mesanet_limit
from wpgd_theory.claims.core import CheckContext


@pytest.fixture(scope="module")
def curve():
    return ml.mesa_limit_curve(num_prompts=8)


def test_the_curve_falls_at_rate_one_below_the_bound(curve):
    assert ml.rate_holds(curve, 1.0)
    assert all(e > 0 for e in curve["discrepancy"])
    assert curve["discrepancy"][-1] < 1e-2 * curve["discrepancy"][0]  # it shrinks (lambda 1e3-fold)
    assert curve["fla_vs_ridge"] <= 1.0


@pytest.mark.parametrize("rate", [0.5, 2.0])
def test_a_wrongly_stated_rate_fails(curve, rate):
    assert not ml.rate_holds(curve, rate)


def test_a_slower_convergence_fails_at_the_stated_rate():
    planted = ml.mesa_limit_curve(num_prompts=8, scale_by=lambda lam: 1 + lam**-0.5)
    assert not ml.rate_holds(planted, 1.0)
    assert all(abs(o - 0.5) < 0.1 for o in planted["orders"][1:])


def test_a_wrong_limit_fails():
    """λŷ tending to 1.01 x the WPGD: the discrepancy stalls near 1 %, the order goes to 0."""
    planted = ml.mesa_limit_curve(num_prompts=8, scale_by=lambda lam: 1.01)
    assert not ml.rate_holds(planted, 1.0) and planted["orders"][-1] < 0.5


def test_the_ridge_formula_matches_a_direct_solve():
    rng = np.random.default_rng(5)
    X, y, x = rng.standard_normal((3, 4, 2)), rng.standard_normal((3, 4)), rng.standard_normal((3, 2))
    Pk, Pq = rng.standard_normal((2, 2)), rng.standard_normal((2, 2))
    logg, beta = np.log(rng.uniform(0.5, 1, 5)), rng.uniform(0.1, 1, 5)
    got = ml.mesa_ridge_predict(X, y, x, Pk, Pq, logg, beta, 0.7)
    g = np.exp(logg)
    for b in range(3):
        feats = np.vstack([X[b], x[b]])
        H = np.zeros((2, 2))
        hv = np.zeros(2)
        for t in range(5):  # the recurrence, token by token
            H = g[t] * H + beta[t] * np.outer(Pk @ feats[t], Pk @ feats[t])
            hv = g[t] * hv + beta[t] * (Pk @ feats[t]) * (y[b, t] if t < 4 else 0.0)
        assert got[b] == pytest.approx(hv @ np.linalg.solve(H + 0.7 * np.eye(2), Pq @ x[b]), rel=1e-10)


def test_bad_arguments():
    with pytest.raises(ValueError, match="lambdas"):
        ml.mesa_limit_curve(lambdas=(10.0,))
    with pytest.raises(ValueError, match="lambdas"):
        ml.mesa_limit_curve(lambdas=(100.0, 10.0))
    with pytest.raises(ValueError, match="lam must be positive"):
        ml.mesa_ridge_predict(np.ones((1, 1, 1)), np.ones((1, 1)), np.ones((1, 1)), np.eye(1), np.eye(1),
                              np.zeros(2), np.ones(2), 0.0)


def test_the_check_passes_and_fails_for_a_planted_rate(monkeypatch):
    res = mesanet_limit(CheckContext(suite="quick", models={}))
    assert res.passed, res.message
    assert "wpgd_predict" in res.details["reference"] and "mesa_net" in res.details["subject"]
    real = ml.mesa_limit_curve
    monkeypatch.setattr(ml, "mesa_limit_curve", lambda **kw: real(scale_by=lambda lam: 1 + lam**-0.5, **kw))
    bad = mesanet_limit(CheckContext(suite="quick", models={}))
    assert bad.status == "failed" and bad.measured > bad.tolerance and "order" in bad.message
    assert res.measured <= res.tolerance
