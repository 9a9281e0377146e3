"""Issue 19 (remainder): log-linear attention, RWKV-7 (a = 0 and a > 0), lightning attention and
ReBased through fla's own ops — each verdict as stated, and a planted error flips it."""

import importlib.util
from pathlib import Path

import numpy as np
import pytest

from wpgd_theory.architectures import ARCHITECTURES, fla_ops, run_conformance
from wpgd_theory.architectures.table import verdict

NEW = ["log_linear", "rwkv7_a0", "rwkv7", "lightning", "rebased_pm", "rebased", "mamba1"]
FLA = Path(importlib.util.find_spec("fla").origin).parent


def _implements(name, **kw):
    return verdict(run_conformance(name, num_prompts=16, seed=kw.pop("seed", 1), **kw))["implements_wpgd"]


@pytest.mark.parametrize("name", NEW)
def test_new_rows_are_as_stated(name):
    res = run_conformance(name, n=6, d=3, num_prompts=16, seed=2)
    v = verdict(res)
    assert v["implements_wpgd"] == ARCHITECTURES[name].implements_wpgd
    assert ARCHITECTURES[name].proof.endswith("§12")
    if v["implements_wpgd"]:
        for r in res:
            assert r.subject_name.startswith(("fla.ops", "fla.layers"))
            assert r.reference_name.startswith("wpgd.wpgd_predict")
            assert np.max(np.abs(r.reference)) > 0 and r.discrepancy <= r.tolerance
        assert max(np.max(np.abs(r.reference)) for r in res) > 0.1  # not a comparison of two zeros
    else:
        assert v["max_discrepancy"] > 1e3 * v["tolerance"] and ARCHITECTURES[name].reason


def test_log_linear_without_signs_per_level_fails(monkeypatch):
    """Planted: the level scales' signs dropped (|lambda|, as a softplus would make them) — the
    reference's signed Fenwick weights no longer match."""
    real = fla_ops.log_linear_attn
    assert _implements("log_linear")
    monkeypatch.setattr(fla_ops, "log_linear_attn", lambda q, k, v, g, s: real(q, k, v, g, s.abs()))
    assert not _implements("log_linear")


def test_fla_log_linear_mamba2_layer_makes_the_level_scales_positive():
    """§12.1's remark on the layer: lambda = softplus(L * dl) > 0 there (read from fla's source)."""
    src = (FLA / "layers" / "log_linear_mamba2.py").read_text()
    assert "L = torch.nn.functional.softplus(" in src and "level_scales=L" in src


def test_log_linear_checks_several_levels():
    """The offset-3 check puts the query at n + 3 = 11 = 1011b: three buckets with their own signs."""
    from wpgd_theory.architectures.fenwick import fenwick_buckets
    from wpgd_theory.architectures.registry_ext import LOG_LINEAR_OFFSETS

    assert max(len(fenwick_buckets(8, o)) for o in LOG_LINEAR_OFFSETS) >= 3
    assert len(run_conformance("log_linear")) == len(LOG_LINEAR_OFFSETS)


def test_rwkv7_with_a_nonzero_learning_rate_is_not_the_construction(monkeypatch):
    """Planted: a = 0.05 instead of 0 in the a = 0 construction (one small delta-rule step) flips it."""
    real = fla_ops.rwkv7
    monkeypatch.setattr(fla_ops, "rwkv7", lambda q, k, v, w, a, k_a=0.0: real(q, k, v, w, 0.05, k_a))
    assert not _implements("rwkv7_a0")


def test_rwkv7_parameterisation_is_fla_layers():
    """The adapter's map (alpha = -kk, beta = kk a, log decay -e^{-1/2} sigmoid) is the one fla's
    RWKV7Attention passes to its op (read from fla's source, so a changed fla is noticed)."""
    src = (FLA / "layers" / "rwkv7.py").read_text()
    assert "w = -0.6065306597126334 * self.w_lora(xw).sigmoid()" in src
    assert "a=-kk" in src and "b=kk * a" in src
    chunk = (FLA / "ops" / "rwkv7" / "chunk.py").read_text()  # RWKV-7's op is the DPLR delta rule, gk = w
    assert "return chunk_dplr_delta_rule(" in chunk and "gk=w," in chunk
    from wpgd_theory.architectures.registry_ext import RWKV7_LOG_DECAY_MIN

    assert RWKV7_LOG_DECAY_MIN == pytest.approx(-np.exp(-0.5))


def test_lightning_with_mis_set_slopes_fails(monkeypatch):
    """Planted: the slopes of H = 4 heads loaded instead of fla's H = 8 — the reference's profiles
    (cones.lightning_profiles, numpy) no longer match."""
    real = fla_ops.lightning_log_decays
    monkeypatch.setattr(fla_ops, "lightning_log_decays", lambda H, *a: real(H, *a) * 2.0)
    assert not _implements("lightning")


def test_lightning_slopes_are_fla_chunk_lightning_attn():
    """fla's Triton-only op builds g_gamma = -(8 / H * (1 - layer_idx / L)) * arange(H); the
    adapter and cones' numpy profiles both follow it."""
    import torch

    from wpgd_theory.architectures.cones import lightning_profiles

    src = (FLA / "ops" / "lightning_attn" / "chunk.py").read_text()
    assert "g_gamma = -(8 / H * (1 - layer_idx / L)) * torch.arange(H" in src
    H, layer, L = 6, 2, 5
    g = fla_ops.lightning_log_decays(H, layer, L).double().numpy()
    np.testing.assert_allclose(g, -(8 / H * (1 - layer / L)) * torch.arange(H).double().numpy(), rtol=1e-6)
    np.testing.assert_allclose(lightning_profiles(4, H, layer, L), np.exp(np.outer([4, 3, 2, 1], g)), rtol=1e-6)


def test_rebased_with_the_normaliser_or_one_head_fails(monkeypatch):
    """Planted: fla's normaliser switched on in the +-q construction flips it."""
    real = fla_ops.rebased
    monkeypatch.setattr(fla_ops, "rebased", lambda q, k, v, use_norm=False: real(q, k, v, True))
    assert not _implements("rebased_pm")


def test_mamba1_needs_its_activation_at_the_identity():
    """Planted: fla's Mamba-1 with a SiLU after the convolution (and on the gate), as by default —
    the construction fails; with the identity it holds (both through fla's module)."""
    import torch

    from wpgd_theory.architectures.registry import sample_prompts
    from wpgd_theory.architectures.selective_scan import run_mamba1

    X, y, x = sample_prompts(8, 5, 3, np.random.default_rng(0))
    assert all(r.passed for r in run_mamba1(X, y, x, np.random.default_rng(1)))
    assert not any(r.passed for r in run_mamba1(X, y, x, np.random.default_rng(1), act=torch.nn.SiLU()))


def test_selective_scan_weights_equal_the_recurrence():
    """The closed form equals the scan run step by step in numpy (one channel, blocks of state)."""
    from wpgd_theory.architectures.selective_scan import selective_scan_weights

    rng = np.random.default_rng(0)
    delta, a, c = rng.uniform(0.1, 1.0, 6), rng.uniform(0.1, 2.0, 3), rng.standard_normal(3)
    n = 5
    w = np.zeros(n)
    for i in range(n):  # the contribution of a unit input at token i, read at the query by C = c
        h = delta[i] * np.ones(3)
        for j in range(i + 1, n + 1):
            h = np.exp(-a * delta[j]) * h
        w[i] = c @ h
    np.testing.assert_allclose(selective_scan_weights(delta, a, c), w, rtol=1e-12)


def test_mamba3_says_why_it_does_not_run():
    """Mamba-3 is not silently omitted: fla's own device check (or import error) is the reason."""
    import torch

    from wpgd_theory.architectures.selective_scan import mamba3_unavailable

    reason = mamba3_unavailable()
    if not torch.cuda.is_available():
        assert reason and "Mamba3" in reason and "\n" not in reason
    else:  # with CUDA it may run (mamba-ssm installed) or say why not
        assert reason is None or "Mamba3" in reason


def _control_verdict(key, extra):
    from wpgd_theory.architectures import registry

    res = registry._control(key, extra)(*registry.sample_prompts(8, 6, 3, np.random.default_rng(0)),
                                        np.random.default_rng(1))
    return verdict(res)["implements_wpgd"]


def test_controls_flip_when_their_op_is_made_wpgd(monkeypatch):
    """Power of the two new controls: with RWKV-7's a = 0 and one decay per token (scalar-gated GLA),
    or ReBased un-normalised with heads +-q and the constant coordinate, the same control check
    calls the op WPGD."""
    import torch

    from wpgd_theory.architectures import registry_ext

    assert not _control_verdict("rwkv7 (a > 0)", registry_ext._extra_rwkv7)
    monkeypatch.setitem(fla_ops.OPS, "rwkv7 (a > 0)",
                        (lambda q, k, v, w, a: fla_ops.rwkv7(q, k, v, w[..., :1].expand_as(w), 0.0), "planted"))
    assert _control_verdict("rwkv7 (a > 0)", registry_ext._extra_rwkv7)

    def pm(q, k, v):
        one = torch.ones(*q.shape[:-1], 1)
        kk = torch.cat([k, one], -1)
        return (fla_ops.rebased(torch.cat([q, one], -1), kk, v) - fla_ops.rebased(torch.cat([-q, one], -1), kk, v)) / 4

    none = lambda rng, T, d: (lambda B: {})  # noqa: E731
    assert not _control_verdict("rebased (normalised)", none)
    monkeypatch.setitem(fla_ops.OPS, "rebased (normalised)", (pm, "planted"))
    assert _control_verdict("rebased (normalised)", none)


def test_the_text_and_json_list_the_layers_that_cannot_run():
    """Mamba-3's reason reaches the CLI text as 'not in the map: ...' (and the JSON's unavailable list)."""
    from wpgd_theory.architectures.cli import format_table

    doc = {"models": {}, "architectures": [], "fla_version": "x",
           "unavailable": [{"name": "mamba3", "reason": "fla.layers.Mamba3: NotImplementedError: needs CUDA"}]}
    assert "not in the map: mamba3: fla.layers.Mamba3: NotImplementedError: needs CUDA" in format_table(doc)
