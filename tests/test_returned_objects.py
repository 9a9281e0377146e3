"""Issue 18, class 1: reported numbers are recomputed from the returned objects.  A returned
preconditioner off by 0.1 % of scale, or weights that leave their cone, fail the A1 check
that recomputes every returned optimum's risk by explicit moment sums."""

import dataclasses

import numpy as np
import pytest

from wpgd_theory import convex, landscape
from wpgd_theory.claims import weight_cones as W
from wpgd_theory.claims.core import CheckContext


@pytest.fixture
def ctx():
    return CheckContext(suite="quick", seed=0)


def test_passes_on_the_returned_optima(ctx):
    res = W.returned_optima_have_their_risks(ctx)
    assert res.status == "passed", res.message


@pytest.mark.parametrize("target", ["solve", "solve_constrained"])
def test_a_rescaled_returned_p_fails(ctx, monkeypatch, target):
    module = landscape if target == "solve" else convex
    real = getattr(module, target)

    def wrong(*args, **kw):
        sol = real(*args, **kw)
        return dataclasses.replace(sol, P=None if sol.P is None else np.asarray(sol.P) * 1.001)

    monkeypatch.setattr(module, target, wrong)
    assert W.returned_optima_have_their_risks(ctx).status == "failed"


def test_monotone_weights_outside_their_cone_fail(ctx, monkeypatch):
    real = convex.solve_constrained

    def reversed_weights(model, cone, **kw):
        sol = real(model, cone, **kw)
        if cone != "monotone" or sol.omega is None:
            return sol
        return dataclasses.replace(sol, omega=np.asarray(sol.omega)[::-1].copy())

    monkeypatch.setattr(convex, "solve_constrained", reversed_weights)
    assert W.returned_optima_have_their_risks(ctx).status == "failed"


def test_architecture_class_risks_are_compared_with_something(ctx, monkeypatch):
    """issue 18, class 7: the best risks the architectures table shows are checked — a geometric
    (RetNet) best risk reported 0.1 % high, or a nonnegative (Mamba-2) optimum returned with
    other weights, fails the A3 check."""
    from wpgd_theory.architectures import cones

    assert W.architecture_class_risks(ctx).status == "passed"
    real = cones.best_risk

    def high(model, cls):
        opt = real(model, cls)
        return dataclasses.replace(opt, risk=opt.risk * 1.001) if cls == "geometric" else opt

    monkeypatch.setattr(cones, "best_risk", high)
    assert W.architecture_class_risks(ctx).status == "failed"

    def other_weights(model, cls):
        opt = real(model, cls)
        return dataclasses.replace(opt, omega=np.ones_like(opt.omega)) if cls == "nonnegative" else opt

    monkeypatch.setattr(cones, "best_risk", other_weights)
    assert W.architecture_class_risks(ctx).status == "failed"
