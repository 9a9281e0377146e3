"""Decision meta-tests of the root certificates (issue 18, classes 3–5): each margin and
enclosure of :mod:`wpgd_theory.certify` is tested at its boundary — just inside passes, just
outside fails — against references that share no code with it (mpmath, 30 digits)."""


import mpmath as mp
import numpy as np
import pytest

from wpgd_theory import certify, landscape
from wpgd_theory.claims import global_minimum as G
from wpgd_theory.claims.defaults import default_models
from wpgd_theory.claims.optimum import edge_model

MODELS = {"anisotropic": default_models()["multitask-anisotropic"],
          "last-root": edge_model("global-at-last-root")}


@pytest.mark.parametrize("name", MODELS)
def test_exclusion_margin_keeps_cells_within_rounding_of_a_root(name, monkeypatch):
    """With the rounding margin inflated to 1e-4 and cells narrower than it (20 000 initial
    cells), a cell whose ``α`` lies within the margin of ``g(β)`` must not be excluded: every
    root is still found and every returned cell re-verifies.  (A margin applied with the
    wrong sign excludes the root cell itself.)"""
    model = MODELS[name]
    ref = landscape.solve(model)
    monkeypatch.setattr(landscape.StationaryCurve, "g_relative_error", lambda self: 1e-4)
    curve = landscape.stationary_curve(model)
    iso = certify.isolate_roots(curve, initial_cells=20_000)
    assert iso.roots.size == ref.roots.size  # no root lost
    np.testing.assert_allclose(np.sort(iso.roots), ref.roots, rtol=1e-6)
    g = G._mp_g(model)  # the cells around each root keep a sign change (mpmath, 30 digits)
    for a, b in iso.root_cells:
        assert (a - g(a)) * (b - g(b)) < 0


def _mp_slope(model):
    g = G._mp_g(model)

    def slope(mu):
        with mp.workdps(30):
            return float(mp.diff(g, mp.mpf(mu)))

    return slope


@pytest.mark.parametrize("name", MODELS)
def test_slope_enclosure_contains_the_derivative(name):
    """``slope_bounds`` on wide cells (a factor 1.5 and 3 in μ) encloses ``g'`` computed by
    mpmath's differentiation of ``g`` written out from the model data, at both ends and inside
    (a bound that divides by the wrong end of the cell is too small near ``α``)."""
    model = MODELS[name]
    curve = landscape.stationary_curve(model)
    slope = _mp_slope(model)
    lo, hi = curve.bracket
    for ratio in (1.5, 3.0):
        alphas = np.geomspace(lo, hi / ratio, 6)
        betas = alphas * ratio
        g_a, g_b = curve.g(alphas), curve.g(betas)
        inf, sup = certify.slope_bounds(curve, alphas, betas, g_a, g_b, curve.g_relative_error())
        for k, (a, b) in enumerate(zip(alphas, betas)):
            for mu in (a * (1 + 1e-9), np.sqrt(a * b), b * (1 - 1e-9)):
                d = slope(mu)
                assert inf[k] - 1e-12 <= d <= sup[k] + 1e-12, (a, b, mu, d, inf[k], sup[k])


def test_interval_verification_refuses_a_root_cell_with_an_undetermined_end(monkeypatch):
    """A root cell one of whose ends has an interval value of ``F`` enclosing 0 is not
    certified by ``interval_verify`` (its sign is undetermined); with that end's enclosure
    strictly signed it is."""
    model = MODELS["anisotropic"]
    curve = landscape.stationary_curve(model)
    iso = certify.isolate_roots(curve)
    assert certify.interval_verify(curve, iso)
    a, _ = iso.root_cells[0]
    real_F = certify._IntervalCurve.F

    def F(self, mu, width):
        out = real_F(self, mu)
        if mu == float(a):  # this end's enclosure widened to [F - w, F + w]
            out = out + self.iv.mpf([-width, width])
        return out

    signed = abs(float(real_F(certify._IntervalCurve(curve), float(a)).a))
    monkeypatch.setattr(certify._IntervalCurve, "F", lambda self, mu: F(self, mu, 0.5 * signed))
    assert certify.interval_verify(curve, iso)  # just inside: still strictly signed
    monkeypatch.setattr(certify._IntervalCurve, "F", lambda self, mu: F(self, mu, 2.0 * signed))
    assert not certify.interval_verify(curve, iso)  # just outside: encloses 0
