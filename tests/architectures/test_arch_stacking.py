"""G4 through fla's ops (issue 19): stacked layers of fla's naive ops with the residual connection
are L steps of causal WPGD within the float32 bound grown with L; planted errors fail it."""

from __future__ import annotations

import numpy as np
import pytest

from wpgd_theory.architectures import stacking
from wpgd_theory.architectures.stacking import (
    STACKABLE,
    causal_weights,
    fla_stack_predict,
    stack_conformance,
    stack_magnitude,
    stack_tolerance,
)
from wpgd_theory.claims.architectures import g4_through_fla
from wpgd_theory.claims.core import CheckContext
from wpgd_theory.wpgd import causal_wpgd_predict, gate_weight_matrix, wpgd_predict


@pytest.mark.parametrize("op", STACKABLE)
@pytest.mark.parametrize("L", [1, 2, 3])
def test_stacked_fla_layers_are_causal_wpgd(op, L):
    c = stack_conformance(op, L, num_prompts=8)
    assert c.passed, (c.discrepancy, c.tolerance)
    assert np.all(np.isfinite(c.subject)) and np.max(np.abs(c.reference)) > 0


@pytest.mark.parametrize("op, plant", [("simple_gla", "gate_shift"), ("gla", "gate_shift"),
                                       ("linear_attention", "no_residual"), ("gla", "no_residual"),
                                       ("linear_attention", "no_write_mask"), ("simple_gla", "no_write_mask"),
                                       ("gla", "no_write_mask")])
def test_a_planted_error_fails_from_two_layers(op, plant):
    c = stack_conformance(op, 2, num_prompts=8, plant=plant)
    assert c.discrepancy > 2 * c.tolerance, (c.discrepancy, c.tolerance)


def test_one_stacked_layer_is_one_step_wpgd():
    """L = 1: the query's row of the causal weights is the one-layer WPGD (G1)."""
    rng = np.random.default_rng(3)
    X, y, x = rng.standard_normal((4, 5, 3)), rng.standard_normal((4, 5)), rng.standard_normal((4, 3))
    g = rng.uniform(0.3, 1, 6)
    P = rng.standard_normal((3, 3)) / 3
    got = fla_stack_predict("simple_gla", X.astype(np.float32).astype(float), y, x, [P], [g])
    want = wpgd_predict(X, y, x, P, gate_weight_matrix(g)[-1])
    assert np.max(np.abs(got - want)) <= 1e-5 * np.max(np.abs(want))


def test_gla_weights_are_the_signed_sum_of_block_profiles():
    rng = np.random.default_rng(0)
    G, c = rng.uniform(0.2, 1, (6, 3)), rng.standard_normal(3)
    W = causal_weights("gla", G, c)
    assert W.shape == (6, 5)
    assert np.allclose(W, sum(c[b] * gate_weight_matrix(G[:, b]) for b in range(3)), rtol=1e-13, atol=0)
    assert np.array_equal(causal_weights("linear_attention", None, n=4), np.tril(np.ones((5, 4))))


def test_the_bound_grows_with_the_layers_and_the_magnitude_bounds_the_reference():
    assert stack_tolerance(3, 9, 4) == pytest.approx(3 * stack_tolerance(1, 9, 4), rel=1e-5)
    rng = np.random.default_rng(1)
    X, y, x = rng.standard_normal((6, 4, 2)), rng.standard_normal((6, 4)), rng.standard_normal((6, 2))
    Ps = [rng.standard_normal((2, 2)) for _ in range(3)]
    Ws = [gate_weight_matrix(rng.uniform(0, 1, 5)) for _ in range(3)]
    assert np.all(np.abs(causal_wpgd_predict(X, y, x, Ps, Ws)) <= stack_magnitude(X, y, x, Ps, Ws) * (1 + 1e-12))


def test_bad_arguments():
    with pytest.raises(ValueError, match="op must be one of"):
        stack_conformance("deltanet", 1)
    with pytest.raises(TypeError, match="op must be a string"):
        causal_weights(3, None)
    with pytest.raises(ValueError, match="plant"):
        stack_conformance("gla", 2, plant="typo")
    with pytest.raises(ValueError, match="gate_shift"):
        stack_conformance("linear_attention", 2, plant="gate_shift")
    with pytest.raises(ValueError, match="num_layers"):
        stack_conformance("gla", 0)
    X, y, x = np.zeros((2, 3, 2)), np.zeros((2, 3)), np.zeros((2, 2))
    with pytest.raises(ValueError, match="X, y, x must have shapes"):
        fla_stack_predict("gla", X, y[:, :2], x, [np.eye(2)])
    with pytest.raises(TypeError, match="Ps must be"):
        fla_stack_predict("linear_attention", X, y, x, np.eye(2))
    with pytest.raises(ValueError, match="gates must be given"):
        fla_stack_predict("simple_gla", X, y, x, [np.eye(2)])
    with pytest.raises(ValueError, match="coefs must be given"):
        fla_stack_predict("gla", X, y, x, [np.eye(2)], [np.ones((4, 2))])


def test_the_check_passes_and_names_both_sides():
    res = g4_through_fla(CheckContext(suite="quick", models={}))
    assert res.passed, res.message
    assert "causal_wpgd_predict" in res.details["reference"] and "fla" in res.details["subject"]
    assert len(res.details["stacks"]) == 3 * len(STACKABLE)


def test_the_check_fails_when_a_layer_gate_is_shifted(monkeypatch):
    real = stacking.stack_conformance

    def planted(op, L, **kw):
        return real(op, L, plant="gate_shift" if op != "linear_attention" and L >= 2 else None, **kw)

    monkeypatch.setattr(stacking, "stack_conformance", planted)
    res = g4_through_fla(CheckContext(suite="quick", models={}))
    assert res.status == "failed" and "simple_gla L=2" in res.message
