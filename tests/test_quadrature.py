"""The independent risk computations of :mod:`wpgd_theory.quadrature` against each other
(no closed form involved): explicit moment sums vs exact Gauss–Hermite quadrature, the
conditional Monte Carlo estimators vs the moment sums, and input validation."""

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from wpgd_theory import MultitaskModel
from wpgd_theory import quadrature as Q
from wpgd_theory import strategies as wst


@given(wst.general_models(max_d=2, max_n=3).flatmap(
    lambda m: st.tuples(st.just(m), wst.preconditioners(m.d), wst.weights(m.n))))
def test_moment_sums_equal_exact_quadrature(inst):
    m, P, w = inst
    em = Q.example_moments(m, w)
    q = Q.quadrature_risk(m, P, w)
    assert abs(float(em.risk(P)) - q) <= 1e-10 * max(abs(q), em.label_variance)


def test_task_model_moments_equal_general_model_moments():
    """The bincount route of task models and the explicit n × n route agree."""
    m = MultitaskModel.from_tasks([3, 2, 4], [[1, 0.2, -0.1], [0.2, 1, 0.3], [-0.1, 0.3, 1]], [0.3, 0.6, -0.2],
                                  sigma=np.diag([1.5, 0.5]), noise=0.3)
    g = MultitaskModel(m.sigma, m.R, m.r, m.noise)
    w = np.random.default_rng(0).uniform(-1, 1, m.n)
    a, b = Q.example_moments(m, w), Q.example_moments(g, w)
    np.testing.assert_allclose(a.second, b.second, rtol=1e-13)
    np.testing.assert_allclose(a.cross, b.cross, rtol=1e-13)


def test_moment_gradient_hessian_and_minimiser_are_consistent():
    m = MultitaskModel.from_tasks([2, 3], [[1, 0.5], [0.5, 1]], [0.4, 0.8], sigma=np.diag([2.0, 1.0, 0.3]),
                                  noise=0.2)
    rng = np.random.default_rng(1)
    em = Q.example_moments(m, rng.uniform(0, 1, m.n))
    P = rng.standard_normal((3, 3))
    G, H = em.risk_gradient(P), em.hessian()
    D = rng.standard_normal((3, 3))
    # the risk is quadratic in P: exact second-order expansion
    expansion = em.risk(P) + np.sum(G * D) + 0.5 * D.ravel() @ H @ D.ravel()
    assert abs(float(em.risk(P + D)) - float(expansion)) <= 1e-10 * em.label_variance
    np.testing.assert_allclose(em.risk_gradient(em.minimiser()), 0.0, atol=1e-10)


@pytest.mark.parametrize("general", [False, True])
def test_conditional_monte_carlo_agrees_with_moment_sums(general):
    m = MultitaskModel.from_tasks([2, 3], [[1, 0.5], [0.5, 1]], [0.4, 0.8], sigma=np.diag([2.0, 1.0]), noise=0.2)
    if general:
        m = MultitaskModel(m.sigma, m.R, m.r, m.noise)
    rng = np.random.default_rng(2)
    w = rng.uniform(-0.5, 1, m.n)
    P = 0.2 * rng.standard_normal((2, 2))
    exact = float(Q.example_moments(m, w).risk(P))
    est = Q.conditional_monte_carlo_risk(m, P, w, 4000, rng)
    assert abs(est.mean - exact) <= 4 * est.std_error
    assert est.detectable(4.0, exact) < 0.05
    chunked = Q.conditional_monte_carlo_risk(m, P, w, 400, rng, max_floats=3)
    assert abs(chunked.mean - exact) <= 4 * chunked.std_error


def test_taskwise_wishart_estimate_agrees_with_moment_sums():
    m = MultitaskModel.from_tasks([1, 6], [[1, 0.5], [0.5, 1]], [0.4, 0.8], sigma=np.diag([2.0, 1.0]), noise=0.2)
    rng = np.random.default_rng(3)
    wt = np.array([0.7, -0.3])
    P = 0.2 * rng.standard_normal((2, 2))
    exact = float(Q.example_moments(m, wt[m.task_of]).risk(P))
    est = Q.taskwise_monte_carlo_risk(m, P, wt, 4000, rng)
    assert abs(est.mean - exact) <= 4 * est.std_error


def test_label_covariance_matches_sampled_labels():
    """Given features, Cov(labels) = C ⊙ FFᵀ + σ²I: the whitened labels of sampled prompts
    have mean square 1 (4 standard errors)."""
    m = MultitaskModel.from_tasks([2, 2], [[1, 0.3], [0.3, 1]], [0.5, 0.7], sigma=np.diag([1.0, 0.5]), noise=0.3)
    X, y, x, yq = m.sample(5000, np.random.default_rng(4))
    F = np.concatenate([X, x[:, None]], axis=1)
    L = np.linalg.cholesky(Q.label_covariance(m, F))
    z = np.linalg.solve(L, np.concatenate([y, yq[:, None]], axis=1)[..., None])
    assert abs(float(np.mean(z**2)) - 1.0) <= 4 * np.sqrt(2.0 / z.size)


def test_bad_inputs_name_the_argument():
    m = MultitaskModel.single_task(3, sigma=np.eye(2), noise=0.1)
    with pytest.raises(TypeError, match="model must be a MultitaskModel"):
        Q.example_moments("m", np.ones(3))
    with pytest.raises(ValueError, match="omega"):
        Q.example_moments(m, np.ones(4))
    with pytest.raises(ValueError, match="num_prompts"):
        Q.conditional_monte_carlo_risk(m, np.eye(2), np.ones(3), 1, np.random.default_rng(0))
    with pytest.raises(ValueError, match="omega_task"):
        Q.taskwise_monte_carlo_risk(m, np.eye(2), np.ones(2), 10, np.random.default_rng(0))
