"""The W5 check that re-verifies root isolation (issue 18, class 2): certificates are evidence
only when re-checked by code that shares nothing with ``certify``.  Power: a cell excluded
although it holds the root, a gap in the tiling of the bracket, and a root cell without a
sign change each make the check fail."""

import dataclasses

import numpy as np
import pytest

from wpgd_theory import certify
from wpgd_theory.claims import global_minimum as G
from wpgd_theory.claims.core import CheckContext


@pytest.fixture
def ctx():
    return CheckContext(suite="quick", seed=0)


def _tampered(monkeypatch, change):
    real = certify.isolate_roots

    def isolate(curve, **kw):
        return change(real(curve, **kw))

    monkeypatch.setattr(certify, "isolate_roots", isolate)


def test_passes_on_the_real_isolation(ctx):
    res = G.w5_cells_reverified(ctx)
    assert res.status == "passed", res.message
    assert all(i["num_failures"] == 0 and i["cells"] > 10 for i in res.details["instances"])


def test_a_root_cell_reported_as_excluded_fails(ctx, monkeypatch):
    def exclude_root(iso):
        a, b = iso.root_cells[0]
        excluded = np.vstack([iso.excluded, [[a, b, 1.0]]])
        return dataclasses.replace(iso, excluded=excluded, root_cells=iso.root_cells[1:])

    _tampered(monkeypatch, exclude_root)
    res = G.w5_cells_reverified(ctx)
    assert res.status == "failed"
    assert any("excluded with F > 0" in f for i in res.details["instances"] for f in i["failures"])


def test_a_missing_cell_fails(ctx, monkeypatch):
    _tampered(monkeypatch, lambda iso: dataclasses.replace(iso, excluded=iso.excluded[1:]))
    res = G.w5_cells_reverified(ctx)
    assert res.status == "failed"


def test_a_root_cell_without_sign_change_fails(ctx, monkeypatch):
    def shifted(iso):
        a, b = iso.root_cells[0]
        return dataclasses.replace(iso, root_cells=((b, b * (1 + 1e-3)),) + tuple(iso.root_cells[1:]))

    _tampered(monkeypatch, shifted)
    res = G.w5_cells_reverified(ctx)
    assert res.status == "failed"
    assert any("does not change sign" in f for i in res.details["instances"] for f in i["failures"])


def test_an_exclusion_just_inside_its_bound_passes_and_just_outside_fails():
    """Decision meta-test: a cell ``[α, β]`` excluded with ``F > 0`` re-verifies iff
    ``α > g(β)``: the cell that ends just below the root fails once stretched past it."""
    from wpgd_theory import landscape
    from wpgd_theory.claims.defaults import default_models

    model = default_models()["multitask-anisotropic"]
    curve = landscape.stationary_curve(model)
    iso = certify.isolate_roots(curve)
    root = float(iso.roots[0])
    g = G._mp_g(model)
    narrow_in = (root * (1 + 1e-3), root * (1 + 2e-3))  # F > 0 just right of the only root
    narrow_out = (root * (1 - 1e-4), root * (1 + 1e-3))  # the same cell stretched over the root
    assert narrow_in[0] > g(narrow_in[1])
    assert not narrow_out[0] > g(narrow_out[1])
    for cell, ok in ((narrow_in, True), (narrow_out, False)):
        tampered = dataclasses.replace(iso, excluded=np.vstack([iso.excluded, [[cell[0], cell[1], 1.0]]]))
        assert any("excluded with F > 0" in f for f in G.reverify_isolation(model, tampered)["failures"]) != ok
