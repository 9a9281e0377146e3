"""WPGD predictors: one step, multi-step, causal (vectorised vs loop), gate ↔ weight maps."""

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from wpgd_theory import (
    MultitaskModel,
    causal_wpgd_predict,
    gate_weight_matrix,
    gate_weights,
    gates_from_weights,
    multistep_wpgd_predict,
    wpgd_predict,
)
from wpgd_theory import strategies as wst
from wpgd_theory.wpgd import causal_wpgd_predict_reference


def prompts(n=5, d=3, B=4, seed=0):
    m = MultitaskModel.from_tasks([2, n - 2], [[1, 0.3], [0.3, 1]], [0.7, 0.2], sigma=np.eye(d), noise=0.1)
    return m.sample(B, np.random.default_rng(seed))


def test_one_step_matches_explicit_sum():
    X, y, x, _ = prompts()
    rng = np.random.default_rng(1)
    P, w = rng.standard_normal((3, 3)), rng.standard_normal(5)
    ref = [sum(w[i] * y[b, i] * x[b] @ P @ X[b, i] for i in range(5)) for b in range(4)]
    np.testing.assert_allclose(wpgd_predict(X, y, x, P, w), ref, rtol=1e-12)
    assert wpgd_predict(X[0], y[0], x[0], P, w) == pytest.approx(ref[0], rel=1e-12)
    Pb, wb = np.stack([P] * 4), np.stack([w] * 4)
    np.testing.assert_allclose(wpgd_predict(X, y, x, Pb, wb), ref, rtol=1e-12)


def test_multistep_first_step_is_one_step_and_second_step_by_hand():
    X, y, x, _ = prompts()
    rng = np.random.default_rng(2)
    P1, P2 = rng.standard_normal((2, 3, 3))
    w1, w2 = rng.random((2, 5))
    np.testing.assert_allclose(multistep_wpgd_predict(X, y, x, [P1], [w1]), wpgd_predict(X, y, x, P1, w1))
    b = 0
    beta1 = P1 @ X[b].T @ (w1 * y[b])
    beta2 = beta1 + P2 @ X[b].T @ (w2 * (y[b] - X[b] @ beta1))
    assert multistep_wpgd_predict(X[b], y[b], x[b], [P1, P2], [w1, w2]) == pytest.approx(x[b] @ beta2, rel=1e-12)


@given(st.integers(1, 5), st.integers(1, 3), st.integers(1, 3), st.integers(0, 2**31))
def test_causal_vectorised_equals_loop(n, d, L, seed):
    rng = np.random.default_rng(seed)
    X, y, x = rng.standard_normal((3, n, d)), rng.standard_normal((3, n)), rng.standard_normal((3, d))
    Ps = [rng.standard_normal((d, d)) for _ in range(L)]
    Ws = [np.tril(rng.standard_normal((n + 1, n))) for _ in range(L)]
    np.testing.assert_allclose(causal_wpgd_predict(X, y, x, Ps, Ws),
                               causal_wpgd_predict_reference(X, y, x, Ps, Ws), rtol=1e-10, atol=1e-12)


def test_causal_one_layer_is_one_step_wpgd():
    X, y, x, _ = prompts()
    rng = np.random.default_rng(3)
    P, g = rng.standard_normal((3, 3)), rng.random(6)
    W = gate_weight_matrix(g)
    np.testing.assert_allclose(causal_wpgd_predict(X, y, x, [P], [W]), wpgd_predict(X, y, x, P, gate_weights(g)),
                               rtol=1e-12)


def test_causal_rejects_noncausal_weights():
    X, y, x, _ = prompts()
    W = np.ones((6, 5))
    with pytest.raises(ValueError, match=r"omegas\[0\] must be lower triangular"):
        causal_wpgd_predict(X, y, x, [np.eye(3)], [W])


def test_causality_boundary_is_exact():
    """Decision meta-test (issue 18, class 5): the weights just inside causality (every
    ``j ≤ i``, the diagonal included) are accepted and one weight just outside (a single
    ``(i, i+1)`` entry) is refused, for every row and for both step functions."""
    X, y, x, _ = prompts()
    n = X.shape[-2]
    inside = np.tril(np.ones((n + 1, n)))
    for fn in (causal_wpgd_predict, causal_wpgd_predict_reference):
        assert np.all(np.isfinite(fn(X, y, x, [np.eye(3)], [inside])))
        for i in range(n - 1):
            W = inside.copy()
            W[i, i + 1] = 1e-3
            with pytest.raises(ValueError, match="lower triangular"):
                fn(X, y, x, [np.eye(3)], [W])


@pytest.mark.parametrize(
    "args, exc, match",
    [
        (dict(y=np.ones((4, 4))), ValueError, r"y must have shape \(4, 5\)"),
        (dict(P=np.ones((2, 2))), ValueError, r"P must have shape \(3, 3\) or \(4, 3, 3\)"),
        (dict(omega=np.ones(4)), ValueError, r"omega must have shape \(5,\)"),
        (dict(omega=[np.nan] * 5), ValueError, "omega must contain only finite"),
        (dict(X="data"), TypeError, "X must be a numeric array"),
    ],
)
def test_predict_validation(args, exc, match):
    X, y, x, _ = prompts()
    kw = dict(X=X, y=y, x=x, P=np.eye(3), omega=np.ones(5))
    kw.update(args)
    with pytest.raises(exc, match=match):
        wpgd_predict(**kw)


#: Tolerance of the orderings below: exactly 0, because IEEE multiplication and division
#: round monotonically: ``a·g <= a`` for ``g`` in [0, 1] and ``a/b <= 1`` for ``0 <= a <= b``
#: hold in floating point, so a violation by any amount is a bug (and would make
#: ``gates_from_weights`` reject weights that ``gate_weights`` produced).
ORDER_TOL = 0.0


@given(st.lists(st.floats(0, 1), min_size=2, max_size=8))
def test_gate_weights_are_monotone_products(gs):
    g = np.array(gs)
    w = gate_weights(g)
    n = len(g) - 1
    ref = [np.prod(g[i + 1:]) for i in range(n)]  # ω_i = Π_{j=i+1}^{n+1} g_j (0-based)
    np.testing.assert_allclose(w, ref, rtol=1e-12, atol=1e-300)
    assert np.all(np.diff(w) >= -ORDER_TOL) and w.min() >= -ORDER_TOL and w.max() <= 1 + ORDER_TOL
    np.testing.assert_allclose(gate_weight_matrix(g)[-1], w, rtol=1e-12)


@given(wst.monotone_weights(6))
def test_gates_from_weights_inverts(w):
    g = gates_from_weights(w)
    assert g.min() >= -ORDER_TOL and g.max() <= 1 + ORDER_TOL
    np.testing.assert_allclose(gate_weights(g), w, rtol=1e-12, atol=1e-300)


def test_gate_weight_mutant_without_query_gate_is_caught():
    """Mutant: ω_i = Π_{j=i+1}^{n} g_j (query gate dropped) disagrees with the one-layer weights."""
    g = np.array([0.5, 0.9, 0.8, 0.6])
    mutant = np.array([np.prod(g[i + 1:-1]) for i in range(3)])
    assert not np.allclose(mutant, gate_weights(g), rtol=1e-12, atol=0.0)


@pytest.mark.parametrize("bad, match", [(np.array([0.2, 0.1]), "omega must satisfy"),
                                        (np.array([-0.1, 0.5]), "omega must satisfy"),
                                        (np.array([0.5, 1.2]), "omega must satisfy")])
def test_gates_from_nonmonotone_weights_rejected(bad, match):
    with pytest.raises(ValueError, match=match):
        gates_from_weights(bad)


@pytest.mark.parametrize("g", [np.array([0.5, 1.5]), np.array([-0.1, 0.5, 0.5])])
def test_gates_outside_unit_interval_rejected(g):
    with pytest.raises(ValueError, match=r"gates must lie in \[0, 1\]"):
        gate_weights(g)
    with pytest.raises(ValueError, match=r"gates must lie in \[0, 1\]"):
        gate_weight_matrix(g)
