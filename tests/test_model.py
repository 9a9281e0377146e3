"""MultitaskModel: validation (one test per rule), structure, and sampling moments."""

import numpy as np
import pytest
from hypothesis import given

from wpgd_theory import MultitaskModel
from wpgd_theory import strategies as wst

RHO = np.array([[1.0, 0.4], [0.4, 1.0]])


def task_model(**kw):
    args = dict(sizes=[2, 3], rho=RHO, r_task=np.array([0.5, 0.1]), sigma=np.eye(2), noise=0.1)
    args.update(kw)
    return MultitaskModel.from_tasks(args.pop("sizes"), args.pop("rho"), args.pop("r_task"), **args)


@pytest.mark.parametrize(
    "kwargs, exc, match",
    [
        (dict(sigma=np.array([[1.0, 0.5], [0.0, 1.0]])), ValueError, "sigma must be symmetric"),
        (dict(sigma=np.diag([1.0, -1.0])), ValueError, "sigma must be positive definite"),
        (dict(sigma=np.diag([1.0, 0.0])), ValueError, "sigma must be positive definite"),
        (dict(sigma=np.ones((2, 2, 2))), ValueError, "sigma must have 1 or 2 dimensions"),
        (dict(sigma=np.ones((2, 3))), ValueError, "sigma must be a non-empty square"),
        (dict(sigma=np.array([[np.nan, 0], [0, 1]])), ValueError, "sigma must contain only finite"),
        (dict(sigma="identity"), TypeError, "sigma must be a numeric array"),
        (dict(noise=-0.1), ValueError, "noise must be >= 0"),
        (dict(noise=float("inf")), ValueError, "noise must be finite"),
        (dict(noise="0.1"), TypeError, "noise must be a real number"),
        (dict(rho=np.array([[1.0, 2.0], [2.0, 1.0]])), ValueError, "positive semidefinite"),
        (dict(rho=np.array([[1.0, 0.4], [0.3, 1.0]])), ValueError, "symmetric"),
        (dict(rho=np.array([[0.9, 0.4], [0.4, 1.0]])), ValueError, "unit diagonal"),
        (dict(r_task=np.array([1.0, -1.0])), ValueError, "positive semidefinite"),
        (dict(r_task=np.array([0.5, 0.1, 0.2])), ValueError, r"r_task must have shape \(2\)"),
        (dict(rho=np.eye(3)), ValueError, r"rho must have shape \(2, 2\)"),
        (dict(sizes=[2, 0]), ValueError, r"sizes\[1\] must be an integer >= 1"),
        (dict(sizes=[2, 1.5]), TypeError, r"sizes\[1\] must be an integer"),
        (dict(sizes=[]), ValueError, r"rho must have shape \(0, 0\)|at least one segment"),
        (dict(sizes="23"), TypeError, "sizes must be a sequence"),
    ],
)
def test_from_tasks_validation(kwargs, exc, match):
    with pytest.raises(exc, match=match):
        task_model(**kwargs)


@pytest.mark.parametrize(
    "R, r, match",
    [
        (np.array([[1.0, 0.2], [0.2, 1.0]]), np.array([0.5]), r"r must have shape \(2\)"),
        (np.array([[1.0, 0.9], [0.9, 1.0]]), np.array([0.9, -0.9]), "C = .* positive semidefinite"),
        (np.array([[1.1, 0.0], [0.0, 1.0]]), np.array([0.0, 0.0]), "unit diagonal"),
        (np.ones((2, 3)), np.zeros(2), "R must be a non-empty square"),
        (np.array([[1.0, np.inf], [np.inf, 1.0]]), np.zeros(2), "R must contain only finite"),
    ],
)
def test_general_validation(R, r, match):
    with pytest.raises(ValueError, match=match):
        MultitaskModel(np.eye(2), R, r, 0.0)


def test_complex_rejected():
    with pytest.raises(TypeError, match="sigma must be real"):
        MultitaskModel(np.eye(2) + 0j, np.eye(1), np.zeros(1))


def test_rank_deficient_C_accepted():
    # C of rank one: every task equals the query's (single task)
    m = MultitaskModel(np.eye(2), np.ones((3, 3)), np.ones(3), 0.0)
    assert m.n == 3 and np.allclose(m.C, 1.0)


def test_task_structure_matches_dense():
    m = task_model()
    assert m.R.shape == (5, 5) and m.R[0, 4] == 0.4 and m.R[0, 1] == 1.0
    np.testing.assert_array_equal(m.r, [0.5, 0.5, 0.1, 0.1, 0.1])
    dense = MultitaskModel(m.sigma, m.R, m.r, m.noise)
    w = np.random.default_rng(0).standard_normal((4, 5))
    np.testing.assert_allclose(m.R_quadratic(w), dense.R_quadratic(w), rtol=1e-13)
    np.testing.assert_allclose(m.R_matvec(w), dense.R_matvec(w), rtol=1e-13)
    assert m.tau == pytest.approx(2.1)


def test_sample_shapes_and_rng_validation():
    m = task_model()
    X, y, x, yq = m.sample(7, np.random.default_rng(0))
    assert X.shape == (7, 5, 2) and y.shape == (7, 5) and x.shape == (7, 2) and yq.shape == (7,)
    with pytest.raises(TypeError, match="rng must be a numpy.random.Generator"):
        m.sample(3, 0)
    with pytest.raises(ValueError, match="num_prompts must be an integer >= 1"):
        m.sample(0, np.random.default_rng(0))


def _moment_check(model, B, rng, z=4.5):
    """Moments of the samples vs the model definition, within z standard errors:
    E[y_i²] = tr Σ + σ², E[y_i y_j f_iᵀ f_j] = C_ij tr(Σ²) for i ≠ j (query included,
    f_{n+1} = x), and E[f fᵀ] = Σ."""
    X, y, x, yq = model.sample(B, rng)
    Y = np.concatenate([y, yq[:, None]], axis=1)
    F = np.concatenate([X, x[:, None]], axis=1)
    prods = Y[:, :, None] * Y[:, None, :] * np.einsum("bid,bjd->bij", F, F)
    off = ~np.eye(model.n + 1, dtype=bool)
    prods[:, ~off] = (Y**2)[:, np.arange(model.n + 1)]
    mean, se = prods.mean(0), prods.std(0, ddof=1) / np.sqrt(B)
    ref = np.where(off, model.C * np.trace(model.sigma @ model.sigma), np.trace(model.sigma) + model.noise)
    assert np.all(np.abs(mean - ref) <= z * se + 1e-12), np.max(np.abs(mean - ref) / se)
    flat = F.reshape(-1, model.d)
    cov = flat.T @ flat / len(flat)
    se_f = np.sqrt((flat[:, :, None] ** 2 * flat[:, None, :] ** 2).mean(0) / len(flat))
    assert np.all(np.abs(cov - model.sigma) <= z * se_f)


def test_sample_moments_task_and_general():
    rng = np.random.default_rng(1)
    m = task_model(sigma=np.array([[1.5, 0.3], [0.3, 0.5]]), noise=0.3)
    _moment_check(m, 40_000, rng)
    _moment_check(MultitaskModel(m.sigma, m.R, m.r, m.noise), 40_000, rng)


def test_sample_moment_check_catches_wrong_sampler(monkeypatch):
    """Mutant: a sampler that ignores the task correlations (independent tasks) is caught."""
    m = task_model(rho=np.array([[1.0, 0.9], [0.9, 1.0]]), r_task=np.array([0.9, 0.8]))
    m._factor = np.eye(m._factor.shape[0])
    with pytest.raises(AssertionError):
        _moment_check(m, 20_000, np.random.default_rng(2))


@given(wst.models())
def test_strategies_build_valid_models(model):
    assert np.linalg.eigvalsh(model.C).min() > -1e-9
    assert np.allclose(np.diag(model.C), 1.0)
    assert np.linalg.eigvalsh(model.sigma).min() > 0


def test_one_dimensional_sigma_is_its_diagonal_as_in_a_config():
    """Python accepts the same forms as a config file: a 1-D ``sigma`` is ``diag(Σ)``."""
    import numpy as np

    from wpgd_theory import MultitaskModel

    a = MultitaskModel.single_task(3, sigma=[1.0, 2.0, 3.0], noise=0.1)
    b = MultitaskModel.single_task(3, sigma=np.diag([1.0, 2.0, 3.0]), noise=0.1)
    np.testing.assert_array_equal(a.sigma, b.sigma)
    assert not a.sigma.flags.writeable
