"""Every public API function is scale covariant from 1e-300 to 1e300, or refuses (issue 24, items 1–2).

Scaling ``Σ`` and ``σ²`` by ``s`` multiplies every risk by ``s``, every optimal ``P`` by
``1/s`` and leaves every weight, root and verdict unchanged; ``(cP, ω/c)`` leaves every
risk unchanged (W2) and the profile risk is homogeneous of degree 0 in ``ω``.  The library
computes in natural units (:meth:`MultitaskModel.in_natural_units`) and must answer in the
user's units — finite and right — or raise a one-line ``ValueError``: never ``τ``, ``inf``,
``-inf`` or NaN.

Two kinds of test: *covariance* (the same function at two scales; a consistency test of the
rescaling) and *independent* (the rescaled result against :mod:`wpgd_theory.quadrature`, which
shares no code with the closed form and does not rescale).
"""

import warnings

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from wpgd_theory import MultitaskModel
from wpgd_theory import landscape as L
from wpgd_theory import strategies as wst
from wpgd_theory.claims.defaults import default_models
from wpgd_theory.convex import CONES, multistart_profile, solve_constrained
from wpgd_theory.model import NATURAL_SCALE_RANGE
from wpgd_theory.quadrature import example_moments

DOCS_MODEL = MultitaskModel.from_tasks([6, 4], np.array([[1.0, 0.4], [0.4, 1.0]]), np.array([0.2, 0.9]),
                                       sigma=np.array([2.0, 1.0, 0.5]), noise=0.1)
FACTORS = [1e-300, 1e-200, 1e-160, 1e-100, 1e-20, 1e-10, 1e10, 1e20, 1e80, 1e150, 1e200, 1e300]
RTOL = 1e-9  # rounding of a few hundred flops on data of order one, with a wide margin


def _close(a, b, rtol=RTOL, atol_scale=0.0):
    a, b = np.asarray(a, float), np.asarray(b, float)
    assert np.all(np.isfinite(a)), a
    np.testing.assert_allclose(a, b, rtol=rtol, atol=atol_scale * float(np.max(np.abs(b))))


def _instance(model, rng):
    omega = rng.uniform(-0.5, 1.0, model.n)
    return L.optimal_preconditioner(model, omega) + 0.1 * rng.standard_normal((model.d, model.d)), omega


# ----------------------------------------------------------------------------- the model
def test_natural_units_are_exact_powers_of_two():
    for s in FACTORS:
        m = DOCS_MODEL.scaled(s)
        nat, unit = m.in_natural_units()
        assert unit == 2.0 ** np.round(np.log2(unit))  # a power of two: the division is exact
        lo, hi = NATURAL_SCALE_RANGE
        assert 0.5 <= nat.risk_scale <= 2.0 and lo <= nat.risk_scale <= hi
        np.testing.assert_array_equal(nat.sigma * unit, m.sigma)  # exact, not approximately
        assert nat.noise * unit == m.noise
        np.testing.assert_array_equal(nat.r, m.r)
    assert DOCS_MODEL.in_natural_units()[0] is DOCS_MODEL  # ordinary models are used as given


def test_scaled_validates_its_factor():
    for bad in (0.0, -1.0, float("nan"), float("inf")):
        with pytest.raises(ValueError, match="factor"):
            DOCS_MODEL.scaled(bad)
    with pytest.raises(TypeError, match="factor"):
        DOCS_MODEL.scaled("2")
    with pytest.raises(ValueError, match="factor"):
        DOCS_MODEL.scaled(1e300).scaled(1e300)


# ----------------------------------------------------------------------------- covariance
@pytest.mark.parametrize("s", FACTORS)
def test_closed_forms_are_scale_covariant(s):
    rng = np.random.default_rng(0)
    P, w = _instance(DOCS_MODEL, rng)
    m = DOCS_MODEL.scaled(s)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no overflow or underflow on the way
        _close(L.population_risk(m, P / s, w) / s, L.population_risk(DOCS_MODEL, P, w))
        _close(L.profile_risk(m, w) / s, L.profile_risk(DOCS_MODEL, w))
        _close(L.optimal_preconditioner(m, w) * s, L.optimal_preconditioner(DOCS_MODEL, w), atol_scale=1e-12)
        _close(L.profile_risk_gradient(m, w) / s, L.profile_risk_gradient(DOCS_MODEL, w), atol_scale=1e-12)
        dP0, dw0 = L.risk_gradient(DOCS_MODEL, P, w)
        if 1e-300 < s * s < 1e306:  # the gradient in P is ∝ s²
            dP, dw = L.risk_gradient(m, P / s, w)
            _close(dP / s / s, dP0, atol_scale=1e-12)
            _close(dw / s, dw0, atol_scale=1e-12)
        elif s > 1:
            with pytest.raises(ValueError, match="gradient in P is not representable"):
                L.risk_gradient(m, P / s, w)
        sol, ref = L.solve(m), L.solve(DOCS_MODEL)
        _close(sol.risk / s, ref.risk)
        _close(sol.omega, ref.omega, atol_scale=1e-12)


@pytest.mark.parametrize("s", [1e-300, 1e-150, 1e-20, 1e20, 1e150, 1e300])
@pytest.mark.parametrize("cone", CONES)
def test_constrained_optima_are_scale_covariant(s, cone):
    """issue 24 item 2: at 1e-200 the monotone, uniform and task-wise optima were τ, at 1e160 -inf or NaN."""
    ref = solve_constrained(DOCS_MODEL, cone)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        sol = solve_constrained(DOCS_MODEL.scaled(s), cone)
    assert sol.status == ref.status == "optimal"
    _close(sol.risk / s, ref.risk)
    assert sol.risk < DOCS_MODEL.scaled(s).tau * (1 - 1e-3)  # not the trivial answer τ
    # the weights of a polished branch and bound are certain to about the square root of its
    # risk tolerance (a flat minimum): both scales give the same optimum to that accuracy
    _close(sol.omega, ref.omega, rtol=1e-5, atol_scale=1e-5)
    _close(sol.P * s, ref.P, rtol=1e-5, atol_scale=1e-5)
    if ref.gap is not None:
        assert sol.gap / s <= ref.gap + 1e-12 * ref.risk


@pytest.mark.parametrize("c", [1e-300, 1e-160, 1e-100, 1e100, 1e155, 1e200, 1e300])
def test_weight_scaling_is_harmless(c):
    """``profile_risk`` is homogeneous of degree 0 (was NaN at ω·1e300, -inf at ω·1e-160) and
    ``population_risk(cP, ω/c)`` = ``population_risk(P, ω)`` (was inf/NaN from c = 1e155)."""
    rng = np.random.default_rng(1)
    P, w = _instance(DOCS_MODEL, rng)
    _close(L.profile_risk(DOCS_MODEL, c * w), L.profile_risk(DOCS_MODEL, w))
    _close(L.population_risk(DOCS_MODEL, c * P, w / c), L.population_risk(DOCS_MODEL, P, w))
    _close(L.optimal_preconditioner(DOCS_MODEL, w / c) / c, L.optimal_preconditioner(DOCS_MODEL, w),
           atol_scale=1e-12)


def test_overflowing_results_are_refused_not_returned():
    """A risk that really overflows float64 is a ValueError naming the inputs, not inf."""
    w = np.ones(DOCS_MODEL.n)
    with pytest.raises(ValueError, match="P, omega: the risk"):
        L.population_risk(DOCS_MODEL, 1e200 * np.eye(3), w)
    with pytest.raises(ValueError, match="omega"):
        L.weight_moments(DOCS_MODEL, 1e200 * w)
    c, a, b = L.weight_moments(DOCS_MODEL, 1e100 * w)  # large but representable: right, not refused
    c0, a0, b0 = L.weight_moments(DOCS_MODEL, w)
    _close([c / 1e100, a / 1e200, b / 1e200], [c0, a0, b0])


def test_monte_carlo_is_scale_covariant():
    P, w = _instance(DOCS_MODEL, np.random.default_rng(2))
    ref = L.monte_carlo_risk(DOCS_MODEL, P, w, 2000, np.random.default_rng(3))
    for s in (1e-200, 1e200):
        est = L.monte_carlo_risk(DOCS_MODEL.scaled(s), P / s, w, 2000, np.random.default_rng(3))
        _close([est.mean / s, est.std_error / s], [ref.mean, ref.std_error], rtol=1e-6)


def test_multistart_reference_is_scale_covariant():
    """The optimiser reference of the checks: BFGS tolerances hold in natural units."""
    ref = multistart_profile(DOCS_MODEL, "free", starts=3, rng=np.random.default_rng(4))
    for s in (1e-100, 1e100):
        ms = multistart_profile(DOCS_MODEL.scaled(s), "free", starts=3, rng=np.random.default_rng(4))
        _close(ms.risk / s, ref.risk, rtol=1e-8)


# ----------------------------------------------------------------------------- independent
@given(model=wst.models(max_d=3), exponent=st.sampled_from([-300, -150, -40, -7, 6, 40, 150, 290]),
       data=st.data())
@settings(max_examples=25, deadline=None)
def test_rescaled_closed_form_matches_quadrature(model, exponent, data):
    """The closed form on a model scaled far out of the natural range vs the moment sums of
    :mod:`~wpgd_theory.quadrature` on the *unscaled* model (no shared code, no rescaling
    there), times the scale: relative 1e-9 of ``E[y²]``."""
    s = 10.0**exponent
    P = data.draw(wst.preconditioners(model.d))
    w = data.draw(wst.weights(model.n))
    try:
        scaled = model.scaled(s)
    except ValueError:  # sigma·s or noise·s not representable: refused, as it must be
        return
    try:
        risk = L.population_risk(scaled, P / s, w)
    except ValueError as exc:  # refused with a message, never a wrong number
        assert "not representable" in str(exc) or "overflow" in str(exc)
        return
    em = example_moments(model, w)
    ref = float(em.risk(P))
    assert np.isfinite(risk)
    assert abs(risk / s - ref) <= 1e-9 * em.label_variance


@given(model=wst.models(max_d=3), exponent=st.integers(-300, 300))
@settings(max_examples=25, deadline=None)
def test_every_entry_point_is_covariant_or_refuses(model, exponent):
    """For a random model and scale 10^k, k ∈ [-300, 300]: each function returns the unscaled
    value times the right power of the scale, or raises ValueError; never inf, NaN or τ."""
    s = 10.0**exponent
    try:
        scaled = model.scaled(s)
    except ValueError:
        return
    w = np.linspace(1.0, 0.5, model.n)
    calls = {
        "profile_risk": (lambda m: L.profile_risk(m, w), 1),
        "solve.risk": (lambda m: L.solve(m).risk, 1),
        "solve_constrained(monotone).risk": (lambda m: solve_constrained(m, "monotone").risk, 1),
        "solve_constrained(uniform).risk": (lambda m: solve_constrained(m, "uniform").risk, 1),
    }
    for name, (fn, power) in calls.items():
        ref = fn(model)
        try:
            out = fn(scaled)
        except ValueError:
            continue
        assert out is not None and np.isfinite(out), name
        assert out / s**power == pytest.approx(ref, rel=1e-8, abs=1e-12 * model.tau), name


# ----------------------------------------------------------------------------- read-only, sizes
def test_solutions_are_read_only():
    sol = L.solve(DOCS_MODEL)
    for arr in (sol.P, sol.omega, sol.roots):
        with pytest.raises(ValueError, match="read-only"):
            arr[0] = 1.0
    for cone in CONES:
        c = solve_constrained(DOCS_MODEL, cone)
        with pytest.raises(ValueError, match="read-only"):
            c.P[0, 0] = 1.0


def test_sizes_the_machine_cannot_hold_are_refused_up_front():
    with pytest.raises(ValueError, match="sizes: .* GiB"):
        MultitaskModel.from_tasks([10**12], np.ones((1, 1)), np.ones(1), sigma=np.eye(2))
    with pytest.raises(ValueError, match="num_prompts: .* GiB"):
        DOCS_MODEL.sample(10**13, np.random.default_rng(0))
    with pytest.raises(ValueError, match="initial_cells: .* GiB"):
        L.solve(DOCS_MODEL, initial_cells=10**11)
    assert L.solve(DOCS_MODEL, initial_cells=10**3).unique  # an ordinary size still works


def test_default_models_are_used_as_given():
    """The built-in models lie in the natural range: the default report is unchanged by it."""
    for name, model in default_models().items():
        assert model.in_natural_units()[1] == 1.0, name


@pytest.mark.parametrize("s", [1e-200, 1e-20, 1e20, 1e200])
def test_architecture_class_risks_are_scale_covariant(s):
    """issue 24 item 2: ``architectures --config`` on a model scaled 1e-200 reported τ for four layers."""
    from wpgd_theory.architectures.cones import WEIGHT_CLASSES, best_risk

    for wc in WEIGHT_CLASSES:
        if wc == "none":
            continue
        ref = best_risk(DOCS_MODEL, wc).risk
        got = best_risk(DOCS_MODEL.scaled(s), wc).risk
        assert ref < 0.9 * DOCS_MODEL.tau, wc  # the reference itself is informative
        _close(got / s, ref, rtol=1e-8)
