"""Issue 13 item 1-3: every architecture's construction run through fla's own op vs wpgd_predict,
and the negative controls (delta rule, HGRN2) measured negative with their exact alternative."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from wpgd_theory.architectures import (
    ARCHITECTURES,
    architecture,
    delta_rule_first_order_weights,
    delta_rule_predict,
    fit_wpgd,
    run_conformance,
)
from wpgd_theory.architectures.registry import mamba2_parameters, sample_prompts
from wpgd_theory.architectures.table import verdict
from wpgd_theory.wpgd import wpgd_predict

POSITIVE = [a.name for a in ARCHITECTURES.values() if a.implements_wpgd]
NEGATIVE = [a.name for a in ARCHITECTURES.values() if not a.implements_wpgd]
#: controls with an exact statement of what they compute instead (the others: the WPGD fit only)
EXACT_CONTROLS = ["deltanet", "gated_deltanet", "hgrn2"]


def test_registry_covers_the_issue():
    need = {"linear_attention", "retnet", "mamba2", "gla", "hgrn2", "rwkv6", "deltanet", "gated_deltanet"}
    assert need <= set(ARCHITECTURES)
    assert set(EXACT_CONTROLS) <= set(NEGATIVE)


@pytest.mark.parametrize("name", POSITIVE)
def test_constructions_match_wpgd_through_fla(name):
    res = run_conformance(name, n=6, d=4, num_prompts=16, seed=1)
    cons = [r for r in res if r.role == "construction"]
    assert cons
    for r in cons:
        assert r.reference_name.startswith("wpgd.wpgd_predict") and r.subject_name.startswith(("fla.ops", "fla.layers"))
        assert r.discrepancy <= r.tolerance, (r.what, r.discrepancy, r.tolerance)
        assert r.discrepancy <= 1e-5
        assert np.max(np.abs(r.reference)) > 0.1  # the comparison is not between two zeros
    v = verdict(res)
    assert v["implements_wpgd"]


@pytest.mark.parametrize("name", EXACT_CONTROLS)
def test_controls_are_negative_with_their_exact_statement(name):
    res = run_conformance(name, n=6, d=3, num_prompts=16, seed=2)
    alts = [r for r in res if r.role == "alternative"]
    fits = [r for r in res if r.role == "wpgd_fit"]
    assert alts and fits
    for r in alts:  # what it computes instead holds to float32 accuracy
        assert r.discrepancy <= r.tolerance, (r.what, r.discrepancy)
    for r in fits:  # far from every one-step WPGD
        assert r.discrepancy > 1e3 * r.tolerance
    assert not verdict(res)["implements_wpgd"]


@settings(max_examples=4)
@given(seed=st.integers(0, 2**16), n=st.integers(2, 7), d=st.integers(1, 4),
       name=st.sampled_from(["simple_gla", "mamba2", "retnet", "linear_attention"]))
def test_scalar_constructions_hold_for_drawn_sizes(seed, n, d, name):
    for r in run_conformance(name, n=n, d=d, num_prompts=4, seed=seed):
        assert r.discrepancy <= r.tolerance


@settings(max_examples=20)
@given(w=st.lists(st.floats(0.05, 3.0), min_size=1, max_size=10), f=st.floats(1e-3, 1.0))
def test_mamba2_step_sizes_realise_any_positive_weights(w, f):
    w = np.array(w)
    a = f / (4 * w.size * w.max())
    delta = mamba2_parameters(w, a)
    assert np.all(delta > 0)
    n = w.size
    realised = delta[:n] * np.exp(-a * np.array([delta[i + 1:].sum() for i in range(n)]))
    np.testing.assert_allclose(realised, w, rtol=1e-10)


def test_mamba2_rejects_nonpositive_weights_and_overflow():
    with pytest.raises(ValueError, match="omega must be positive"):
        mamba2_parameters(np.array([1.0, 0.0]), 0.1)
    with pytest.raises(ValueError, match="too large"):
        mamba2_parameters(np.full(40, 3.0), 5.0)


def test_unknown_architecture_is_a_one_line_error():
    with pytest.raises(ValueError, match="unknown architecture 'mamba3'"):
        architecture("mamba3")
    with pytest.raises(TypeError, match="name must be a string"):
        architecture(3)


# ----------------------------------------------------------------------------- the delta rule
def _delta_closed_form(X, y, x, A, Bq, beta, alpha):
    """s_n = Σ_i β_i [Π_{j=n}^{i+1} α_j (I − β_j k_j k_jᵀ)] α_i-free k_i y_i (matrix products, per prompt)."""
    B, n, d = X.shape
    out = np.zeros(B)
    for b in range(B):
        K = X[b] @ A.T
        s = np.zeros(A.shape[0])
        for i in range(n):
            M = np.eye(A.shape[0])
            for j in range(i + 1, n):
                M = alpha[j] * (np.eye(A.shape[0]) - beta[j] * np.outer(K[j], K[j])) @ M
            s = s + M @ (beta[i] * K[i] * y[b, i])
        out[b] = alpha[n] * (Bq @ x[b]) @ s
    return out


def test_delta_rule_loop_equals_its_unrolled_closed_form():
    rng = np.random.default_rng(0)
    X, y, x = sample_prompts(5, 5, 3, rng)
    A, Bq = rng.standard_normal((3, 3)), rng.standard_normal((3, 3))
    beta, alpha = rng.uniform(0.1, 0.9, 5), rng.uniform(0.5, 1.0, 6)
    np.testing.assert_allclose(delta_rule_predict(X, y, x, A, Bq, beta, alpha),
                               _delta_closed_form(X, y, x, A, Bq, beta, alpha), rtol=1e-10, atol=1e-12)


def test_delta_rule_is_wpgd_only_to_first_order_in_beta():
    rng = np.random.default_rng(3)
    X, y, x = sample_prompts(64, 6, 3, rng)
    A, Bq = np.eye(3), np.eye(3)
    alpha = rng.uniform(0.6, 1.0, 7)
    base = rng.uniform(0.5, 1.0, 6)
    errs = []
    for eps in (0.1, 0.05, 0.025):
        beta = eps * base
        w1 = delta_rule_first_order_weights(beta, alpha)
        ref = wpgd_predict(X, y, x, Bq.T @ A, w1)
        errs.append(np.max(np.abs(delta_rule_predict(X, y, x, A, Bq, beta, alpha) - ref)) / eps)
    # error / eps is O(eps): halving eps halves it (second-order remainder), never zero
    assert errs[-1] > 0
    np.testing.assert_allclose(np.array(errs[:-1]) / np.array(errs[1:]), 2.0, rtol=0.15)


def test_fit_recovers_an_exact_wpgd():
    rng = np.random.default_rng(4)
    n, d = 5, 3
    X, y, x = sample_prompts(4 * n * d * d, n, d, rng)
    P, w = rng.standard_normal((d, d)), rng.standard_normal(n)
    fit = fit_wpgd(X, y, x, wpgd_predict(X, y, x, P, w))
    assert fit.rank_ratio < 1e-10
    np.testing.assert_allclose(np.outer(fit.omega, fit.P.ravel()), np.outer(w, P.ravel()), atol=1e-9)
    with pytest.raises(ValueError, match="need at least"):
        fit_wpgd(X[:3], y[:3], x[:3], np.zeros(3))


@pytest.mark.parametrize("T, dk", [(9, 6), (33, 4)])
def test_float32_tolerance_is_gamma_m_with_the_unit_roundoff(T, dk):
    """``γ_m = m u/(1 − m u)``, ``m = T(d_k + 2)``, ``u = 2⁻²⁴`` (the IEEE single unit roundoff,
    half of float32's machine epsilon): a bound built on epsilon would double every
    conformance tolerance."""
    import numpy as np

    from wpgd_theory.architectures.registry import float32_tolerance

    u = float(np.finfo(np.float32).eps) / 2
    m = T * (dk + 2)
    assert float32_tolerance(T, dk) == pytest.approx(m * u / (1 - m * u), rel=1e-12)


def test_a_control_whose_exact_statement_fails_is_not_as_stated(monkeypatch):
    """Decision meta-test of the architectures table: a negative control is *as stated* only if
    it is not WPGD **and** its exact alternative statement holds; with that statement made to
    fail (its tolerance made negative) the row says not as stated."""
    import dataclasses

    from wpgd_theory.architectures import table
    from wpgd_theory.claims.defaults import default_models

    control = next(n for n, a in table.registry.ARCHITECTURES.items() if not a.implements_wpgd)
    real = table.run_conformance

    def broken(name, **kw):
        res = real(name, **kw)
        if name != control:
            return res
        return [dataclasses.replace(r, tolerance=-1.0) if r.role == "alternative" else r for r in res]

    models = {"m": default_models()["multitask-anisotropic"]}
    assert table.architecture_table(models, names=[control], num_prompts=8)["architectures"][0]["as_stated"]
    monkeypatch.setattr(table, "run_conformance", broken)
    assert not table.architecture_table(models, names=[control], num_prompts=8)["architectures"][0]["as_stated"]


def test_a_failing_limit_statement_makes_a_control_not_as_stated():
    """Decision meta-test: a ``limit`` check (HGRN2's proved rate) counts like an exact statement."""
    from wpgd_theory.architectures.registry import Conformance
    from wpgd_theory.architectures.table import verdict

    one = np.array([1.0])
    alt = Conformance("a", "s", "r", one, one, one, 1e-6, role="alternative")
    fit = Conformance("f", "s", "r", one, 0 * one, one, 1e-6, role="wpgd_fit")
    good = Conformance("l", "s", "r", np.array([1.05]), one, one, 0.2, role="limit")
    bad = Conformance("l", "s", "r", np.array([0.1]), one, one, 0.2, role="limit")
    assert verdict([alt, fit, good])["exact_statements_hold"]
    assert not verdict([alt, fit, bad])["exact_statements_hold"]


def test_the_map_has_at_least_sixteen_layers_each_as_stated():
    from wpgd_theory.architectures.registry import ARCHITECTURES
    from wpgd_theory.architectures.table import verdict

    new = ["based_pm", "based", "forgetting_transformer", "kda", "comba", "gated_deltaproduct", "gsa", "hgrn",
           "mesanet"]
    assert len(ARCHITECTURES) >= 16 and set(new) <= set(ARCHITECTURES)
    for name in new:
        v = verdict(run_conformance(name, num_prompts=16, seed=1))
        assert v["implements_wpgd"] == ARCHITECTURES[name].implements_wpgd, name
        if not v["implements_wpgd"]:
            assert v["max_discrepancy"] > 1e3 * v["tolerance"], name


def test_planted_errors_in_the_new_rows_are_caught(monkeypatch):
    """Power: Based with one head (no -q head to cancel 1 + a^2/2) fails its construction; the
    generic control check calls a layer that *is* WPGD (linear attention) WPGD."""
    from wpgd_theory.architectures import fla_ops, registry
    from wpgd_theory.architectures.table import verdict

    real = fla_ops.based
    monkeypatch.setattr(fla_ops, "based", lambda q, k, v, use_norm=False: real(q.abs(), k, v, use_norm))
    assert not verdict(run_conformance("based_pm", num_prompts=16))["implements_wpgd"]
    monkeypatch.undo()
    monkeypatch.setitem(fla_ops.OPS, "hgrn (value in channel 0)",
                        (lambda q, k, v: fla_ops.linear_attention(q, k, v), "linear attention (planted)"))
    res = registry._control("hgrn (value in channel 0)", registry._extra_none)(
        *registry.sample_prompts(8, 6, 3, np.random.default_rng(0)), np.random.default_rng(1))
    assert verdict(res)["implements_wpgd"]


def test_every_control_says_why_it_is_not_wpgd():
    """Issue 19 item 6: each control carries a one-line reason (the positives none), shown in the text."""
    from wpgd_theory.architectures.cli import format_table

    for a in ARCHITECTURES.values():
        if a.implements_wpgd:
            assert a.reason is None, a.name
        else:
            assert a.reason and "\n" not in a.reason, a.name
    row = {"name": "deltanet", "implements_wpgd": False, "weight_class": "none", "max_discrepancy": 0.5,
           "tolerance": 1e-6, "best_risk": {}, "proof": "§8", "as_stated": True,
           "reason": ARCHITECTURES["deltanet"].reason}
    text = format_table({"models": {}, "architectures": [row], "fla_version": "x"})
    assert f"deltanet: not WPGD: {ARCHITECTURES['deltanet'].reason}" in text


def test_verdict_of_nothing_measured_is_a_one_line_error():
    """``table.verdict`` with no construction and no WPGD fit names its argument (no bare ``max()``)."""
    with pytest.raises(ValueError, match="^results: no construction"):
        verdict([])
