"""Closed-form risk (W1–W3): batching, structure, errors, and the quadrature reference."""

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from wpgd_theory import (
    MultitaskModel,
    monte_carlo_risk,
    optimal_preconditioner,
    population_risk,
    profile_risk,
    risk_gradient,
)
from wpgd_theory import strategies as wst
from wpgd_theory.quadrature import quadrature_risk


@pytest.fixture
def model():
    return MultitaskModel.from_tasks([3, 2], [[1, -0.3], [-0.3, 1]], [0.6, 0.4],
                                     sigma=np.array([[2.0, 0.3], [0.3, 0.5]]), noise=0.2)


def test_batched_equals_loop(model):
    rng = np.random.default_rng(0)
    Ps, ws = rng.standard_normal((4, 3, 2, 2)), rng.standard_normal((4, 3, 5))
    batched = population_risk(model, Ps, ws)
    loop = np.array([[population_risk(model, Ps[i, j], ws[i, j]) for j in range(3)] for i in range(4)])
    np.testing.assert_allclose(batched, loop, rtol=1e-13)
    dP, dw = risk_gradient(model, Ps, ws)
    assert dP.shape == (4, 3, 2, 2) and dw.shape == (4, 3, 5)
    np.testing.assert_allclose(dP[1, 2], risk_gradient(model, Ps[1, 2], ws[1, 2])[0], rtol=1e-13)
    Pst = optimal_preconditioner(model, ws)
    np.testing.assert_allclose(Pst[2, 1], optimal_preconditioner(model, ws[2, 1]), rtol=1e-13)
    np.testing.assert_allclose(profile_risk(model, ws), population_risk(model, Pst, ws), rtol=1e-12)


def test_task_model_equals_dense_model(model):
    dense = MultitaskModel(model.sigma, model.R, model.r, model.noise)
    rng = np.random.default_rng(1)
    P, w = rng.standard_normal((2, 2)), rng.standard_normal(5)
    assert population_risk(model, P, w) == pytest.approx(population_risk(dense, P, w), rel=1e-13)
    np.testing.assert_allclose(risk_gradient(model, P, w)[1], risk_gradient(dense, P, w)[1], rtol=1e-12)


def test_zero_weights_and_orthogonal_weights(model):
    assert population_risk(model, np.eye(2), np.zeros(5)) == pytest.approx(model.tau)
    with pytest.raises(ValueError, match="omega must be nonzero"):
        profile_risk(model, np.zeros(5))
    w = np.array([0.4, 0.4, 0.4, -0.9, -0.9])  # r^T w = 0.72 - 0.72 = 0
    with pytest.raises(ValueError, match="r\\^T omega = 0"):
        optimal_preconditioner(model, w)
    assert profile_risk(model, w) == pytest.approx(model.tau)


def test_input_errors(model):
    with pytest.raises(TypeError, match="model must be a MultitaskModel"):
        population_risk("model", np.eye(2), np.ones(5))
    with pytest.raises(ValueError, match=r"P must have shape \(\.\.\., 2, 2\)"):
        population_risk(model, np.eye(3), np.ones(5))
    with pytest.raises(ValueError, match=r"omega must have shape \(\.\.\., 5\)"):
        population_risk(model, np.eye(2), np.ones(4))
    with pytest.raises(ValueError, match="num_prompts must be an integer >= 2"):
        monte_carlo_risk(model, np.eye(2), np.ones(5), 1, np.random.default_rng(0))
    with pytest.raises(ValueError, match="single P"):
        monte_carlo_risk(model, np.stack([np.eye(2)] * 2), np.ones(5), 10, np.random.default_rng(0))
    with pytest.raises(ValueError, match=r"\(n\+1\)\*d must be <= 10"):
        quadrature_risk(model, np.eye(2), np.ones(5))


def test_monte_carlo_within_standard_error(model):
    P, w = np.array([[0.1, 0.02], [0.0, 0.2]]), np.linspace(0.2, 1.0, 5)
    est = monte_carlo_risk(model, P, w, 100_000, np.random.default_rng(3))
    assert abs(est.z_score(population_risk(model, P, w))) <= 4.0


def test_monte_carlo_detects_dropped_sigma_squared_term(model):
    """Mutant: M(ω) without the a Σ² term is rejected by Monte Carlo at many standard errors."""
    P, w = np.array([[0.3, 0.0], [0.1, 0.5]]), np.linspace(0.5, 1.0, 5)
    exact = population_risk(model, P, w)
    from wpgd_theory.landscape import _traces, weight_moments

    c, a, b = weight_moments(model, w)
    t0, t2, t1 = _traces(model, P)
    mutant = model.tau - 2 * c * t0 + b * t1
    est = monte_carlo_risk(model, P, w, 100_000, np.random.default_rng(4))
    assert abs(est.z_score(exact)) <= 4.0 and abs(est.z_score(mutant)) > 10.0


@given(wst.general_models(max_d=2, max_n=3), st.integers(0, 2**31))
def test_closed_form_equals_quadrature(m, seed):
    rng = np.random.default_rng(seed)
    P, w = rng.standard_normal((m.d, m.d)), rng.standard_normal(m.n)
    q = quadrature_risk(m, P, w)
    assert population_risk(m, P, w) == pytest.approx(q, rel=1e-9, abs=1e-12)
    if (m.n + 1) * m.d <= 6:  # 3 nodes are exact already: more nodes change nothing
        assert quadrature_risk(m, P, w, nodes=5) == pytest.approx(q, rel=1e-9, abs=1e-12)


@given(wst.models(max_d=3), st.integers(0, 2**31))
def test_profile_risk_degree_zero_and_bounds(m, seed):
    rng = np.random.default_rng(seed)
    w = rng.standard_normal(m.n)
    L = profile_risk(m, w)
    assert profile_risk(m, -7.5 * w) == pytest.approx(L, rel=1e-10)
    assert L <= m.tau * (1 + 1e-12)  # P = 0 is feasible
    assert L >= -1e-9 * m.tau  # a risk is nonnegative
