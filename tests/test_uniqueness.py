"""The uniqueness study (W5 for general Σ): stored counterexamples, theorem U2, conjecture U3."""

import json
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from wpgd_theory import MultitaskModel, population_risk, solve
from wpgd_theory.certify import condition_delta, isolate_roots
from wpgd_theory.claims.optimum import COUNTEREXAMPLES, counterexample_model
from wpgd_theory.landscape import StationaryCurve, optimal_preconditioner, stationary_curve

DATA = Path(__file__).resolve().parents[1] / "proofs" / "data"


def load(name):
    path = DATA / name
    if not path.exists():
        pytest.skip(f"{path} not generated (run proofs/data/uniqueness_search.py)")
    return json.loads(path.read_text())


def test_counterexamples_reload_with_three_roots():
    doc = load("counterexamples.json")
    assert set(doc["instances"]) == set(COUNTEREXAMPLES)
    for name, inst in doc["instances"].items():
        for key in ("sizes", "rho", "r_task", "sigma_eigenvalues", "noise"):
            assert inst[key] == COUNTEREXAMPLES[name][key], (name, key)
        model = MultitaskModel.from_tasks(inst["sizes"], np.array(inst["rho"]), np.array(inst["r_task"]),
                                          sigma=np.diag(inst["sigma_eigenvalues"]), noise=inst["noise"])
        sol = solve(model)
        assert len(sol.roots) == 3 == sol.certificate.num_roots
        np.testing.assert_allclose(sol.roots, inst["roots"], rtol=1e-9)
        assert sol.status == inst["status"]
        assert inst["interval_verified"] is True


def test_study_found_no_violation_of_the_small_d_statement():
    study = load("uniqueness_study.json")
    rs = study["random_search"]
    assert rs["examples"] >= 25 and rs["small_d_violations"] == []
    for row in study["sup_eps_h"]:
        assert row["numeric"] <= row["limit_formula"] + 1e-9
        if row["d"] <= 5:
            assert row["limit_formula"] <= 0.5 + 1e-12
    assert study["tie_noise_bisection"] == pytest.approx(COUNTEREXAMPLES["tie"]["noise"], rel=1e-12)


def test_the_tie_has_two_distinct_global_minimisers():
    model = counterexample_model("tie")
    sol = solve(model)
    curve = stationary_curve(model)
    w1, w3 = curve.weights(sol.roots[0]), curve.weights(sol.roots[-1])
    w1, w3 = w1 / np.linalg.norm(w1), w3 / np.linalg.norm(w3)
    L1 = population_risk(model, optimal_preconditioner(model, w1), w1)
    L3 = population_risk(model, optimal_preconditioner(model, w3), w3)
    assert L1 == pytest.approx(L3, rel=1e-14)
    assert L1 < sol.root_risks[1] - 1e-12 * model.tau  # the middle root (a saddle) is worse
    u1, u3 = curve.task_weights(sol.roots[0]), curve.task_weights(sol.roots[-1])
    assert abs(u1[0] / u1[1] - u3[0] / u3[1]) > 1e-3 * abs(u3[0] / u3[1])  # different directions


def test_minimiser_jumps_between_roots_across_the_tie():
    """Just below the tie noise the global minimiser is the smallest root, just above the largest."""
    spec = COUNTEREXAMPLES["tie"]
    for noise, best in ((spec["noise"] - 0.02, 0), (spec["noise"] + 0.02, 2)):
        model = MultitaskModel.from_tasks(spec["sizes"], np.array(spec["rho"]), np.array(spec["r_task"]),
                                          sigma=np.diag(spec["sigma_eigenvalues"]), noise=noise)
        sol = solve(model)
        assert len(sol.roots) == 3 and sol.status == "unique" and int(np.argmin(sol.root_risks)) == best


@st.composite
def small_d_curves(draw, max_d=5):
    """Spectral data with d ≤ 5 eigenvalues (any values) and any R-spectrum carrying r."""
    d = draw(st.integers(1, max_d))
    lam = np.sort([10 ** draw(st.floats(-4, 4)) for _ in range(d)])
    m = draw(st.integers(1, 4))
    x = np.array([1 + 10 ** draw(st.floats(-4, 7)) for _ in range(m)])
    s = np.array([10 ** draw(st.floats(-4, 2)) for _ in range(m)])
    noise = draw(st.sampled_from([0.0, 1e-3, 1.0, 100.0]))
    return StationaryCurve(lam, float(lam.sum() + noise), x - 1, s, np.eye(m))


@given(small_d_curves())
def test_conjecture_u3_one_root_for_d_at_most_5(curve):
    iso = isolate_roots(curve)
    assert len(iso.roots) == 1
    eh, et = curve.elasticities(iso.roots)
    assert eh[0] * et[0] < 1.0 - 1e-12  # an up-crossing


@given(st.integers(2, 5), st.lists(st.floats(-6, 6), min_size=6, max_size=6))
def test_eps_h_below_one_half_for_d_at_most_5(d, logs):
    lam = 10.0 ** np.array(logs[:d])
    t = 10.0 ** logs[5]
    p = lam**2 / (lam + t) ** 2
    q = p * lam
    u = t / (lam + t)
    eps_h = 2 * (np.sum(p * u) / np.sum(p) - np.sum(q * u) / np.sum(q))
    assert -1e-12 <= eps_h <= 0.5 + 1e-12


@st.composite
def any_curves(draw):
    k = draw(st.integers(1, 3))
    lam = np.sort(np.repeat([10 ** draw(st.floats(-3, 3)) for _ in range(k)],
                            [draw(st.integers(1, 30)) for _ in range(k)]))
    m = draw(st.integers(1, 3))
    x = np.array([1 + 10 ** draw(st.floats(-3, 7)) for _ in range(m)])
    s = np.array([10 ** draw(st.floats(-4, 2)) for _ in range(m)])
    return StationaryCurve(lam, float(lam.sum() + draw(st.sampled_from([0.0, 1.0]))), x - 1, s, np.eye(m))


@given(any_curves())
def test_theorem_u2_sufficient_condition(curve):
    """4δ(κ_Σ)²δ(κ_R)² < 1 ⇒ exactly one root, whatever the multiplicities."""
    x = curve.x
    bound = 4 * condition_delta(curve.lam[-1] / curve.lam[0]) ** 2 * condition_delta(x.max() / x.min()) ** 2
    iso = isolate_roots(curve)
    eh, et = curve.elasticities(iso.roots)
    assert np.all(eh * et <= bound + 1e-12)
    if bound < 1:
        assert len(iso.roots) == 1


def test_single_task_and_isotropic_are_unique_a_priori():
    sol = solve(MultitaskModel.single_task(50, sigma=np.diag([100.0, 1.0, 0.01]), noise=0.5))
    assert sol.certificate.apriori["single_eigenspace"] and sol.status == "unique"
    sol = solve(MultitaskModel.from_tasks([5, 500], np.eye(2), [0.3, 0.6], sigma=3 * np.eye(4), noise=1.0))
    assert sol.certificate.apriori["isotropic_sigma"] and sol.status == "unique"


@pytest.mark.parametrize("sizes", [[2, 5], [7, 1, 3]])
def test_high_precision_task_w4_matches_the_float_curve(sizes):
    """:class:`~wpgd_theory.uniqueness.TaskModelW4` (mpmath, ``(ρN + (1+μ)I)u = r_task``) against
    :func:`~wpgd_theory.landscape.stationary_equation` (float64, the symmetric spectral form
    ``N^{1/2}ρN^{1/2}``): the same ``F(μ)`` and profile risk on models with unequal segment
    sizes (where ``ρN`` and ``Nρ`` differ), relative 1e-10."""
    from wpgd_theory.landscape import profile_risk, stationary_equation, stationary_weights
    from wpgd_theory.uniqueness import TaskModelW4

    K = len(sizes)
    rng = np.random.default_rng(K)
    V = rng.standard_normal((K + 1, 3))
    V /= np.linalg.norm(V, axis=1, keepdims=True)
    C = V @ V.T
    model = MultitaskModel.from_tasks(sizes, C[:K, :K], C[:K, K], sigma=np.array([3.0, 1.0, 0.2]), noise=0.4)
    hp = TaskModelW4(sizes, C[:K, :K], C[:K, K], model.sigma_eigenvalues, model.noise)
    for mu in (0.5, 2.0, 9.0):
        assert float(hp.F(mu)) == pytest.approx(float(stationary_equation(model, np.array([mu]))[0]), rel=1e-10,
                                                abs=1e-12)
        assert float(hp.risk(mu)) == pytest.approx(float(profile_risk(model, stationary_weights(model, mu))),
                                                   rel=1e-10)
