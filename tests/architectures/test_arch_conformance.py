"""check_recurrence: a user's recurrence in one call (issue 13 item 4)."""

import json

import numpy as np
import pytest
import torch

from wpgd_theory.architectures import fla_ops
from wpgd_theory.architectures.conformance import NonFiniteOutput, check_recurrence, prompt_inputs
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


# ---------------------------------------------------------------- power tests: planted broken layers (issue 19)
def nan_at_zero(q, k, v):
    """Linear attention with a 0/0 normaliser when a query entry is exactly 0 (never on Gaussian prompts)."""
    o = fla_ops.linear_attention(q, k, v)
    zero = (q[:, -1] == 0).any(-1)  # (B, H)
    return torch.where(zero[:, None, :, None], torch.full_like(o, float("nan")), o)


@pytest.mark.parametrize("layer, kind, source", [
    (nan_at_zero, "NaN", "hypothesis-drawn prompt"),
    (lambda q, k, v: torch.full_like(v, float("nan")), "NaN", "Gaussian fitting prompt 0"),
    (lambda q, k, v: fla_ops.linear_attention(q, k, v) / 0.0, "inf", "Gaussian fitting prompt 0"),
])
def test_non_finite_output_is_an_error_naming_the_prompt(layer, kind, source):
    """NaN or inf anywhere is refused with one line naming the prompt (not skipped by ``max``,
    not an 'SVD did not converge')."""
    with pytest.raises(NonFiniteOutput) as exc:
        check_recurrence(layer, n=N, d=3, max_examples=10)
    msg = str(exc.value)
    assert isinstance(exc.value, ValueError) and "\n" not in msg
    assert msg.startswith(f"fn returned {kind} on {source}") and "X = [[" in msg and "y = [" in msg
    if layer is nan_at_zero:  # the prompt named is one that produces the NaN
        assert np.any(exc.value.x == 0)
        assert torch.isnan(nan_at_zero(*prompt_inputs(exc.value.X[None], exc.value.y[None],
                                                      exc.value.x[None]))).any()


def bhtk_retention(q, k, v):
    """fla's retention op, which expects (B, H, T, K), called on (B, T, H, K) tensors."""
    return fla_ops._module("fla.ops.retention.naive").naive_retention(q, k, v)


@pytest.mark.parametrize("layer", [bhtk_retention, lambda q, k, v: torch.zeros_like(v),
                                   lambda q, k, v: 0.5 + torch.zeros_like(v)])
def test_degenerate_output_is_not_wpgd_and_names_the_layout_mistake(layer):
    v = check_recurrence(layer, n=N, d=3, max_examples=4)
    assert not v.implements_wpgd and v.details["degenerate"]
    assert "constant" in v.message and "(B, H, T, K)" in v.message and "(B, T, H, K)" in v.message
    assert str(v).startswith("does not implement one-step WPGD")
    # the same op with the layout fixed is WPGD (retention, geometric weights)
    fixed = check_recurrence(lambda q, k, v_: bhtk_retention(*(t.transpose(1, 2) for t in (q, k, v_))).transpose(1, 2),
                             n=N, d=3, max_examples=4)
    assert fixed.implements_wpgd


def non_causal(q, k, v):
    """Linear attention over the whole sequence (future tokens included)."""
    S = (k[..., :, None] * v[..., None, :]).sum(1, keepdim=True).expand(-1, q.shape[1], -1, -1, -1)
    return torch.einsum("bthk,bthkv->bthv", q, S)


def test_a_non_causal_layer_is_refused():
    """Its query output is exactly linear attention's (the query's value is 0), so only the
    causality probe can refuse it."""
    v = check_recurrence(non_causal, n=N, d=3, max_examples=4)
    assert v.max_discrepancy <= v.tolerance  # the query readout alone cannot tell
    assert not v.implements_wpgd and v.causality_discrepancy > 100 * v.tolerance and "not causal" in v.message
    ok = check_recurrence(fla_ops.linear_attention, n=N, d=3, max_examples=4)
    assert ok.implements_wpgd and ok.causality_discrepancy <= ok.tolerance


def test_a_layer_that_swaps_query_and_key_is_refused():
    """With q = k = x this layer would be WPGD; the distinct q/k probes refuse it."""
    v = check_recurrence(lambda q, k, v_: fla_ops.linear_attention(k, q, v_), n=N, d=3, max_examples=4)
    assert not v.implements_wpgd and v.max_discrepancy > 100 * v.tolerance


def late_gate(q, k, v):
    """Simple GLA with the gate applied one step late: S_t = g_{t-1} S_{t-1} + k_t v_t^T."""
    g = torch.log(torch.as_tensor(GATES, dtype=torch.float32))
    g = torch.cat([torch.zeros(1), g[:-1]])
    return fla_ops.simple_gla(q, k, v, g[None, :, None].expand(q.shape[0], -1, q.shape[2]))


def test_expected_omega_refuses_a_gate_applied_one_step_late():
    want = gate_weights(GATES)
    assert check_recurrence(late_gate, n=N, d=3, max_examples=4).implements_wpgd  # WPGD, other weights
    v = check_recurrence(late_gate, n=N, d=3, max_examples=4, expected_omega=want)
    assert not v.implements_wpgd and v.max_discrepancy > 100 * v.tolerance and "expected omega" in v.message
    ok = check_recurrence(ema, n=N, d=3, max_examples=4, expected_omega=3.0 * want)  # any scale
    assert ok.implements_wpgd
    np.testing.assert_allclose(ok.omega, want / want.max(), rtol=1e-12)
    np.testing.assert_allclose(ok.P / ok.P[0, 0], np.eye(3), atol=1e-5)


def test_expected_omega_bad_input():
    with pytest.raises(ValueError, match="expected_omega must have shape"):
        check_recurrence(ema, n=N, d=2, expected_omega=np.ones(N + 1))
    with pytest.raises(ValueError, match="expected_omega must not be all zero"):
        check_recurrence(ema, n=N, d=2, expected_omega=np.zeros(N))
    with pytest.raises(TypeError, match="expected_omega"):
        check_recurrence(ema, n=N, d=2, expected_omega="uniform")
