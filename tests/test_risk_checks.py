"""The registered W1–W3 checks pass, and each is shown to fail on a deliberately wrong formula."""

import numpy as np
import pytest

from wpgd_theory import landscape
from wpgd_theory.claims import registry
from wpgd_theory.claims import risk as R
from wpgd_theory.claims.core import CheckContext

ALL = [R.w1_monte_carlo, R.w1_sampler, R.w1_prediction_errors, R.w1_moments, R.w1_quadrature, R.w1_property,
       R.w2_scaling, R.w2_property, R.w3_cvxpy, R.w3_scipy, R.w3_hessian, R.w3_ridge, R.w3_profile, R.w3_gradient]


@pytest.fixture
def ctx():
    return CheckContext(suite="quick", seed=0)


@pytest.fixture
def no_shrink():
    """Failing property checks need not shrink their counterexample in these tests (speed);
    the previous default hypothesis settings are restored afterwards."""
    from hypothesis import Phase, settings

    prev = settings.default
    settings.register_profile("_risk_no_shrink", parent=prev, phases=(Phase.explicit, Phase.reuse, Phase.generate))
    settings.load_profile("_risk_no_shrink")
    yield
    settings.register_profile("_risk_restore", parent=prev)
    settings.load_profile("_risk_restore")


@pytest.mark.parametrize("fn", ALL, ids=lambda f: f.__name__)
def test_check_passes(fn, ctx):
    res = fn(ctx)
    assert res.passed, (res.message, res.measured, res.tolerance, res.details)
    assert res.tolerance is not None and res.measured is not None and res.measured <= res.tolerance
    # independence is readable from the result: both sides are named
    assert res.details.get("reference") and res.details.get("subject"), res.details.keys()
    assert res.details["reference"] != res.details["subject"]


def test_registered():
    claims = {c.id: c for c in registry()}
    for cid in ("W1", "W2", "W3"):
        assert len(claims[cid].checks) >= 2


_true_risk = landscape.population_risk


def _risk_without_sigma_squared(model, P, omega):
    """Mutant W1: M(ω) = bΣ only (drops the a Σ² term)."""
    model, (P, omega) = landscape._inputs(model, P, omega)
    c, a, b = landscape.weight_moments(model, omega)
    t0, t2, t1 = landscape._traces(model, P)
    return model.tau - 2 * c * t0 + b * t1


def _risk_with_R_not_R_plus_I(model, P, omega):
    """Mutant W1: a = ωᵀRω (the diagonal Isserlis term lost)."""
    model, (P, omega) = landscape._inputs(model, P, omega)
    c, a, b = landscape.weight_moments(model, omega)
    a = a - np.einsum("...i,...i->...", omega, omega)
    t0, t2, t1 = landscape._traces(model, P)
    return model.tau - 2 * c * t0 + a * t2 + b * t1


@pytest.mark.parametrize("mutant", [_risk_without_sigma_squared, _risk_with_R_not_R_plus_I])
@pytest.mark.parametrize("fn", [R.w1_monte_carlo, R.w1_quadrature, R.w1_property], ids=lambda f: f.__name__)
def test_w1_checks_catch_wrong_closed_form(fn, mutant, ctx, monkeypatch, no_shrink):
    monkeypatch.setattr(landscape, "population_risk", mutant)
    assert fn(ctx).status == "failed"


def test_w2_check_catches_broken_symmetry(ctx, monkeypatch, no_shrink):
    """Mutant W2: a risk with ‖P‖² regularisation is not scale invariant."""
    monkeypatch.setattr(landscape, "population_risk",
                        lambda m, P, w: _true_risk(m, P, w) + 1e-3 * np.sum(np.asarray(P) ** 2, axis=(-2, -1)))
    assert R.w2_property(ctx).status == "failed"
    assert R.w2_scaling(ctx).status == "failed"


def test_w3_checks_catch_wrong_preconditioner(ctx, monkeypatch, no_shrink):
    """Mutant W3: P* = (rᵀω)/a Σ⁻¹ (ridge term b/a dropped)."""
    def wrong(model, omega):
        c, a, b = landscape.weight_moments(model, omega)
        return (c / a)[..., None, None] * np.linalg.inv(model.sigma)

    monkeypatch.setattr(landscape, "optimal_preconditioner", wrong)
    for fn in (R.w3_cvxpy, R.w3_scipy, R.w3_ridge, R.w3_profile):
        assert fn(ctx).status == "failed", fn.__name__


def _weight_moments_a_without_identity(model, omega):
    """Mutant in the shared part of the closed form: a = ωᵀRω (no +‖ω‖²)."""
    c, a, b = _true_moments(model, omega)
    return c, a - np.einsum("...i,...i->...", np.asarray(omega), np.asarray(omega)), b


def _weight_moments_tau_without_noise(model, omega):
    """Mutant: b = tr(Σ)‖ω‖² (σ² dropped from τ in b)."""
    c, a, b = _true_moments(model, omega)
    return c, a, b - model.noise * np.einsum("...i,...i->...", np.asarray(omega), np.asarray(omega))


_true_moments = landscape._plain_moments  # the shared part of every closed form (natural units)


@pytest.mark.parametrize("fn", [R.w3_cvxpy, R.w3_scipy, R.w3_hessian, R.w3_ridge, R.w3_profile, R.w3_gradient],
                         ids=lambda f: f.__name__)
def test_w3_checks_catch_wrong_shared_moments(fn, ctx, monkeypatch, no_shrink):
    """The references are built from explicit sums over examples, not from
    ``landscape._plain_moments`` (the moments of :func:`~wpgd_theory.landscape.weight_moments`): a
    bug there (used by the risk, P*, the profile and the gradient alike) is caught by every W3 check."""
    monkeypatch.setattr(landscape, "_plain_moments", _weight_moments_a_without_identity)
    assert fn(ctx).status == "failed"


@pytest.mark.parametrize("mutant", [_weight_moments_a_without_identity, _weight_moments_tau_without_noise])
@pytest.mark.parametrize("fn", [R.w2_scaling, R.w2_property], ids=lambda f: f.__name__)
def test_w2_risk_side_catches_wrong_formula(fn, mutant, ctx, monkeypatch, no_shrink):
    """A wrong a or τ keeps the degree structure (L(cP, ω/c) = L(P, ω) still holds for the
    wrong formula): the W2 risk side compares with an independent risk, so it fails."""
    monkeypatch.setattr(landscape, "_plain_moments", mutant)
    assert fn(ctx).status == "failed"


@pytest.mark.parametrize("fn", [R.w1_monte_carlo, R.w1_moments], ids=lambda f: f.__name__)
def test_w1_detects_one_percent_error(fn, ctx, monkeypatch):
    """Power: a risk 1 % too large is caught (the detectable effect is recorded ≤ 1 %)."""
    res = fn(ctx)
    for inst in res.details["instances"]:
        assert inst.get("detectable_relative_error", 0.0) <= R.TARGET_EFFECT
    monkeypatch.setattr(landscape, "population_risk", lambda m, P, w: 1.01 * _true_risk(m, P, w))
    assert fn(ctx).status == "failed"


def test_w1_sampler_catches_noise_std_for_variance(ctx, monkeypatch):
    """Mutant of MultitaskModel.sample: noise drawn with σ² as its standard deviation
    (``noise * N(0,1)`` instead of ``sqrt(noise) * N(0,1)``), i.e. variance σ⁴."""
    from wpgd_theory.model import MultitaskModel

    true_sample = MultitaskModel.sample

    def mutant(self, num_prompts, rng):
        twin = MultitaskModel.__new__(MultitaskModel)
        twin.__dict__.update(self.__dict__)
        twin.noise = self.noise**2
        return true_sample(twin, num_prompts, rng)

    assert R.w1_sampler(ctx).status == "passed"
    monkeypatch.setattr(MultitaskModel, "sample", mutant)
    res = R.w1_sampler(ctx)
    assert res.status == "failed"
    assert res.measured > 4.0


def test_w1_sampler_catches_transposed_feature_factor(ctx, monkeypatch):
    """Mutant of MultitaskModel.sample: features ``Z L`` instead of ``Z Lᵀ`` (covariance
    ``LᵀL ≠ Σ``).  Invisible on diagonal Σ (all default models): the check's built-in
    correlated-Σ probe catches it."""
    from wpgd_theory.model import MultitaskModel

    true_sample = MultitaskModel.sample

    def mutant(self, num_prompts, rng):
        L = np.linalg.cholesky(self.sigma)
        twin = MultitaskModel.__new__(MultitaskModel)
        twin.__dict__.update(self.__dict__)
        twin.sigma = L.T @ L
        return true_sample(twin, num_prompts, rng)

    monkeypatch.setattr(MultitaskModel, "sample", mutant)
    res = R.w1_sampler(ctx)
    assert res.status == "failed"
    failed = [i["model"] for i in res.details["instances"] if i["status"] == "failed"]
    assert failed == [R._PROBE_NAME]


def test_w1_symbolic_bridge_records_both_sides(ctx):
    from wpgd_theory.claims.symbolic import w1_symbolic_vs_landscape

    res = w1_symbolic_vs_landscape(ctx)
    assert res.passed
    assert "engine_risk" in res.details["reference"] and "population_risk" in res.details["subject"]


def test_w1_prediction_errors_catch_transposed_preconditioner(ctx, monkeypatch):
    """Mutant of wpgd.wpgd_predict: ``xᵀPᵀXᵀ(ω⊙y)`` (P transposed).  The closed form, the
    moment sums and the conditional Monte Carlo never call the predictor; this check ties
    it to the law the risk is computed under."""
    from wpgd_theory import wpgd

    true_step = wpgd._pred_step
    monkeypatch.setattr(wpgd, "_pred_step", lambda X, res, x, P, w: true_step(X, res, x, np.swapaxes(P, -1, -2), w))
    assert R.w1_prediction_errors(ctx).status == "failed"


def test_w1_sampler_detects_its_stated_effect(ctx, monkeypatch):
    """Power (issue 18 item 4): labels whose variance is off by exactly the target 1 % — the
    effect the check states it detects — fail it; every instance records a detectable
    relative error ≤ 1 %."""
    from wpgd_theory.model import MultitaskModel

    res = R.w1_sampler(ctx)
    assert res.passed and all(i["detectable_relative_error"] <= R.TARGET_EFFECT for i in res.details["instances"])
    true_sample = MultitaskModel.sample
    inflate = np.sqrt(1.0 + R.TARGET_EFFECT)

    def mutant(self, num_prompts, rng):
        X, y, x, yq = true_sample(self, num_prompts, rng)
        return X, inflate * y, x, inflate * yq

    monkeypatch.setattr(MultitaskModel, "sample", mutant)
    res = R.w1_sampler(ctx)
    assert res.status == "failed"
    assert all(i["status"] == "failed" for i in res.details["instances"])


def test_w1_prediction_errors_detect_their_stated_effect(ctx, monkeypatch):
    """Power: an error variance off by exactly the recorded detectable relative error fails
    every instance (injected as a conditional variance ``s²/(1 + δ)`` on the reference side)."""
    from wpgd_theory import quadrature

    res = R.w1_prediction_errors(ctx)
    assert res.passed
    delta = max(i["detectable_relative_error"] for i in res.details["instances"])
    true_cov = quadrature.label_covariance
    monkeypatch.setattr(quadrature, "label_covariance", lambda m, F: true_cov(m, F) / (1.0 + delta))
    res = R.w1_prediction_errors(ctx)
    assert res.status == "failed"
    assert all(i["status"] == "failed" for i in res.details["instances"])
