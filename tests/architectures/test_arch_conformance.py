"""check_recurrence: a user's recurrence in one call (issue 13 item 4)."""

import json

import numpy as np
import pytest
import torch

from wpgd_theory.architectures import fla_ops
from wpgd_theory.architectures.conformance import check_recurrence
from wpgd_theory.wpgd import gate_weights

N = 6
GATES = np.linspace(0.55, 1.0, N + 1)


def ema(q, k, v):
    """fla's simple GLA with fixed positional gates: G1 says omega_i = prod_{j>i} g_j."""
    g = torch.log(torch.as_tensor(GATES, dtype=torch.float32))
    return fla_ops.simple_gla(q, k, v, g[None, :, None].expand(q.shape[0], -1, q.shape[2]))


def normalised(q, k, v):
    """Linear attention divided by 1 + |q^T sum k|: a custom recurrence that is not WPGD."""
    S = torch.cumsum(k[..., :, None] * v[..., None, :], dim=1)
    z = torch.cumsum(k, dim=1)
    o = torch.einsum("bthk,bthkv->bthv", q, S)
    return o / (1 + torch.einsum("bthk,bthk->bth", q, z).abs()[..., None]), None


def test_gated_recurrence_implements_wpgd_with_the_gate_products():
    v = check_recurrence(ema, n=N, d=3, max_examples=10)
    assert v.implements_wpgd and v.max_discrepancy <= v.tolerance
    want = gate_weights(GATES)
    np.testing.assert_allclose(v.omega, want / want.max(), rtol=1e-5)
    np.testing.assert_allclose(v.P / v.P[0, 0], np.eye(3), atol=1e-5)  # q = k = x: P is a multiple of I
    assert "implements one-step WPGD" in str(v)


def test_delta_rule_and_normalised_attention_do_not():
    beta = torch.full((1, N + 1, 1), 0.5)
    beta[:, -1] = 0.0

    def delta(q, k, v):
        return fla_ops.delta_rule(q, k / 2, v, beta.expand(q.shape[0], -1, q.shape[2]))

    for fn in (delta, normalised):
        v = check_recurrence(fn, n=N, d=3, max_examples=10)
        assert not v.implements_wpgd
        assert v.max_discrepancy > 100 * v.tolerance
        assert "does not implement" in str(v)


def test_bad_input_is_a_one_line_error():
    with pytest.raises(TypeError, match="fn must be callable"):
        check_recurrence(3)
    with pytest.raises(ValueError, match="fn must return o of shape"):
        check_recurrence(lambda q, k, v: v[:, :-1], n=N, d=2)
    with pytest.raises(TypeError, match="fn must return a tensor"):
        check_recurrence(lambda q, k, v: json, n=N, d=2)
    with pytest.raises(ValueError, match="tol"):
        check_recurrence(ema, n=N, d=2, tol=-1.0)


def test_default_tolerance_is_ten_gamma_m_and_decides_at_it():
    """The default tolerance is the documented ``10 γ_m`` (``m = (n+1)(d+2)``, float32 unit
    roundoff), and it decides: the output perturbed by a relative ``3 ×`` that tolerance (a
    small non-WPGD term, ``1 + ε·q₀``) is no longer WPGD, and the exact recurrence is."""
    from wpgd_theory.architectures.registry import float32_tolerance

    d = 3
    v = check_recurrence(ema, n=N, d=d, max_examples=6)
    assert v.tolerance == pytest.approx(10 * float32_tolerance(N + 1, d), rel=1e-12)
    eps = 3 * v.tolerance

    def nearly(q, k, v_):
        o = ema(q, k, v_)
        return o * (1 + eps * torch.tanh(q[..., :1]))

    assert check_recurrence(ema, n=N, d=d, max_examples=6).implements_wpgd
    assert not check_recurrence(nearly, n=N, d=d, max_examples=6).implements_wpgd
