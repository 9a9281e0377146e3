"""Recurrent, chunked and attention-matrix forms of the GLA recurrence agree (forward and
backward, float64 to 1e-10 and float32 to 1e-5), across gatings, shapes and gate values
0 and 1; bad input is rejected with messages naming the argument."""

import numpy as np
import pytest
import torch
from hypothesis import given
from hypothesis import strategies as st

from wpgd_theory.gla import (
    attention_gla,
    chunked_gla,
    decay_matrix,
    log_gates_from_gates,
    recurrent_gla,
    rounding_bound,
)


def _inputs(B, H, T, dk, dv, gating, dtype, seed=0, zeros=0.15, ones=0.15, low=0.3):
    gen = torch.Generator().manual_seed(seed)
    q, k = (torch.randn(B, H, T, dk, generator=gen, dtype=dtype) for _ in range(2))
    v = torch.randn(B, H, T, dv, generator=gen, dtype=dtype)
    shape = {"none": None, "scalar": (B, H, T), "vector": (B, H, T, dk)}[gating]
    g = None
    if shape is not None:
        g = torch.rand(shape, generator=gen, dtype=dtype) * (1 - low) + low
        u = torch.rand(shape, generator=gen)
        g[u < zeros] = 0.0
        g[(u >= zeros) & (u < zeros + ones)] = 1.0
    m = (torch.rand(T, generator=gen) < 0.8).to(dtype)
    return q, k, v, g, m


def _rel(a, b):
    a, b = a.detach(), b.detach()
    return float((a - b).abs().max() / b.abs().max().clamp_min(1e-30))


def _all_forms(q, k, v, g, m, chunk=8, sub=4):
    lg = None if g is None else log_gates_from_gates(g)
    return {"recurrent": recurrent_gla(q, k, v, g, m),
            "chunked": chunked_gla(q, k, v, lg, m, chunk_size=chunk, subchunk_size=sub),
            "attention": attention_gla(q, k, v, g, m)}


SHAPES = [(1, 1, 1, 3, 2), (2, 3, 7, 4, 5), (1, 1, 8, 2, 3), (2, 2, 21, 3, 4), (1, 4, 33, 5, 2)]


def _abs_reference(q, k, v, g, m, w):
    """``Σ|terms|`` of every output and gradient entry: the recurrence on ``|q|, |k|, |v|``
    (gates are ≥ 0) with cotangent ``|w|``, in float64 (the scale of :func:`rounding_bound`)."""
    qa, ka, va = (t.detach().abs().double().requires_grad_(True) for t in (q, k, v))
    ga = None if g is None else g.detach().double().requires_grad_(True)
    oa = recurrent_gla(qa, ka, va, ga, m.double())
    wrt = (qa, ka, va) + (() if ga is None else (ga,))
    return oa.detach(), torch.autograd.grad((oa * w.abs().double()).sum(), wrt)


def _bound(dtype, q, v, g, chunk):
    """:func:`rounding_bound` for one forward/backward of the recurrence: per term a
    ``d_v``- and a ``d_k``-term dot product, a ``T``-term sum and a product of ``≤ T`` gates."""
    T, dk, dv = q.shape[2], q.shape[3], v.shape[3]
    gd = None if g is None else g.detach()
    lam = float(-log_gates_from_gates(gd[gd > 0]).min()) if gd is not None and bool((gd > 0).any()) else 0.0
    return rounding_bound(dtype, terms=dk + dv + 2 * T + 2, chunk=chunk, max_log_decay=lam)


@pytest.mark.parametrize("gating", ["none", "scalar", "vector"])
@pytest.mark.parametrize("shape", SHAPES, ids=lambda s: "B{}H{}T{}dk{}dv{}".format(*s))
@pytest.mark.parametrize("dtype", [torch.float64, torch.float32], ids=["f64", "f32"])
def test_forward_and_backward_agree(gating, shape, dtype):
    """Entry by entry, the forms differ by at most the derived rounding bound times the
    entry's ``Σ|terms|`` (forward outputs and gradients alike)."""
    q, k, v, g, m = _inputs(*shape, gating, dtype)
    for t in (q, k, v) + (() if g is None else (g,)):
        t.requires_grad_(True)
    outs = _all_forms(q, k, v, g, m)
    # a fixed cotangent: the global RNG would make the test depend on test order
    w = torch.randn(outs["recurrent"].shape, generator=torch.Generator().manual_seed(1), dtype=dtype)
    wrt = (q, k, v) + (() if g is None else (g,))
    grads = {name: torch.autograd.grad((o * w).sum(), wrt) for name, o in outs.items()}
    o_abs, g_abs = _abs_reference(q, k, v, g, m, w)
    tol = _bound(dtype, q, v, g, chunk=8)
    for name in ("chunked", "attention"):
        assert bool(((outs[name] - outs["recurrent"]).detach().double().abs() <= tol * o_abs + 1e-300).all()), name
        for i, (a, b) in enumerate(zip(grads[name], grads["recurrent"])):
            scale = g_abs[i]
            if i == 3:  # gates: the chunked form does not propagate d/dg at g = 0 exactly (documented)
                pos = (g > 0).to(a.dtype)
                a, b = a * pos, b * pos
                # the chunked backward reaches d/dg through suffix sums of d/d(log-cumsum) (partial sums
                # of all pair terms, with cancellation) and the chain rule 1/g: its scale is the total
                # sum of |pair terms| over the smallest non-zero gate
                scale = float((o_abs * w.detach().abs().double()).sum()) / float(g.detach()[g.detach() > 0].min())
            assert bool(((a - b).double().abs() <= tol * scale + 1e-300).all()), (name, i)


@pytest.mark.parametrize("gating", ["scalar", "vector"])
def test_gates_zero_and_one_exact_in_float64(gating):
    """All-zero, all-one and alternating gates: exact 0 never produces NaN and matches the loop."""
    q, k, v, _, m = _inputs(2, 2, 19, 3, 4, gating, torch.float64)
    base = (2, 2, 19) if gating == "scalar" else (2, 2, 19, 3)
    alternating = (torch.arange(19) % 2).to(torch.float64).view(1, 1, 19, *([1] * (len(base) - 3)))
    for g in (torch.zeros(base, dtype=torch.float64), torch.ones(base, dtype=torch.float64),
              alternating.expand(base).contiguous()):
        outs = _all_forms(q, k, v, g, m, chunk=8, sub=4)
        assert torch.isfinite(outs["chunked"]).all()
        assert _rel(outs["chunked"], outs["recurrent"]) <= 1e-12
        assert _rel(outs["attention"], outs["recurrent"]) <= 1e-12
    # gates all 0: o_i = m_i (k_i · q_i) v_i (only the token's own write survives)
    g0 = torch.zeros(base, dtype=torch.float64)
    o = chunked_gla(q, k, v, log_gates_from_gates(g0), m, chunk_size=8, subchunk_size=4)
    ref = (q * k).sum(-1, keepdim=True) * v * m[:, None]
    assert _rel(o, ref) <= 1e-12


@pytest.mark.parametrize("gating", ["scalar", "vector"])
def test_strong_decay_float32_no_overflow(gating):
    """Gates ~1e-4 (log ≈ −9 per step): the chunked form stays finite and equals the loop
    (the vector form switches to its exact sub-block path)."""
    q, k, v, _, m = _inputs(1, 2, 70, 4, 3, gating, torch.float32)
    shape = (1, 2, 70) if gating == "scalar" else (1, 2, 70, 4)
    g = torch.full(shape, 1e-4)
    g[..., ::5] = 0.9
    out = chunked_gla(q, k, v, torch.log(g), m)
    ref = recurrent_gla(q, k, v, g, m)
    assert torch.isfinite(out).all()
    o_abs, _ = _abs_reference(q, k, v, g, m, torch.ones_like(ref))
    tol = _bound(torch.float32, q, v, g, chunk=64)  # derived: ~5e-3 here (chunk^2 |log g| exponent error)
    assert bool(((out - ref).double().abs() <= tol * o_abs).all())


@pytest.mark.parametrize("chunk,sub", [(1, 1), (4, 2), (16, 16), (64, 16), (128, 8)])
def test_chunk_sizes(chunk, sub):
    for gating in ("scalar", "vector"):
        q, k, v, g, m = _inputs(1, 2, 45, 3, 3, gating, torch.float64, seed=3)
        out = chunked_gla(q, k, v, log_gates_from_gates(g), m, chunk_size=chunk, subchunk_size=sub)
        assert _rel(out, recurrent_gla(q, k, v, g, m)) <= 1e-10


@given(st.integers(1, 40), st.integers(1, 3), st.sampled_from(["none", "scalar", "vector"]),
       st.integers(0, 2**31 - 1), st.sampled_from([(4, 2), (8, 4), (16, 16)]))
def test_property_chunked_equals_recurrent(T, H, gating, seed, sizes):
    q, k, v, g, m = _inputs(2, H, T, 3, 2, gating, torch.float64, seed=seed)
    lg = None if g is None else log_gates_from_gates(g)
    out = chunked_gla(q, k, v, lg, m, chunk_size=sizes[0], subchunk_size=sizes[1])
    assert _rel(out, recurrent_gla(q, k, v, g, m)) <= 1e-10


def test_decay_matrix_products():
    g = torch.tensor([0.5, 0.0, 0.25, 1.0], dtype=torch.float64)
    D = decay_matrix(g).numpy()
    ref = np.zeros((4, 4))
    for i in range(4):
        for j in range(i + 1):
            ref[i, j] = np.prod(g.numpy()[j + 1:i + 1])
    assert np.array_equal(D, ref)


def test_value_dimension_full_gates():
    """A full gate matrix G_i = g_i 1^T acts row-wise on the state (the G3 value-gating case)."""
    q, k, v, _, m = _inputs(1, 1, 9, 3, 4, "none", torch.float64)
    gv = torch.rand(1, 1, 9, 4, dtype=torch.float64)
    o = recurrent_gla(q, k, v, gv[..., None].expand(1, 1, 9, 4, 3), m)
    for r in range(4):  # row r of the state only sees gate coordinate r: scalar gating of column r of v
        ref = recurrent_gla(q, k, v[..., r:r + 1], gv[..., r], m)
        assert _rel(o[..., r:r + 1], ref) <= 1e-12


def test_log_gates_gradient_is_finite_at_zero():
    g = torch.tensor([0.0, 0.5, 1.0], dtype=torch.float64, requires_grad=True)
    lg = log_gates_from_gates(g)
    assert torch.isneginf(lg[0]) and lg[2] == 0
    (grad,) = torch.autograd.grad(torch.where(torch.isinf(lg), 0, lg).sum(), g)
    assert torch.isfinite(grad).all()


# --------------------------------------------------------------------------- bad input
def test_bad_inputs():
    q, k, v, g, m = _inputs(1, 1, 5, 3, 2, "scalar", torch.float64)
    with pytest.raises(ValueError, match="gates"):
        recurrent_gla(q, k, v, g + 0.5, m)
    with pytest.raises(ValueError, match="gates"):
        attention_gla(q, k, v, -g, m)
    with pytest.raises(ValueError, match="gates"):
        recurrent_gla(q, k, v, torch.full_like(g, float("nan")), m)
    with pytest.raises(ValueError, match="log_gates"):
        chunked_gla(q, k, v, torch.ones_like(g), m)
    with pytest.raises(ValueError, match="gates"):
        recurrent_gla(q, k, v, torch.rand(1, 1, 4), m)
    with pytest.raises(ValueError, match="q and k"):
        recurrent_gla(q, k[..., :2], v)
    with pytest.raises(ValueError, match="v must"):
        recurrent_gla(q, k, v[:, :, :3])
    with pytest.raises(ValueError, match="q must"):
        chunked_gla(q[0], k, v)
    with pytest.raises(TypeError, match="k must"):
        chunked_gla(q, k.numpy(), v)
    with pytest.raises(ValueError, match="write_mask"):
        chunked_gla(q, k, v, None, torch.ones(4, dtype=torch.float64))
    with pytest.raises(ValueError, match="chunk_size"):
        chunked_gla(q, k, v, None, chunk_size=0)
    with pytest.raises(ValueError, match="subchunk_size"):
        chunked_gla(q, k, v, torch.zeros(1, 1, 5, 3, dtype=torch.float64), chunk_size=8, subchunk_size=3)
    chunked_gla(q, k, v, torch.zeros(1, 1, 5, dtype=torch.float64), chunk_size=8, subchunk_size=3)  # scalar: unused
    with pytest.raises(TypeError, match="dtype"):
        recurrent_gla(q, k.float(), v)


@pytest.mark.cuda
def test_cuda_matches_cpu():
    q, k, v, g, m = _inputs(2, 2, 50, 4, 3, "vector", torch.float64)
    ref = recurrent_gla(q, k, v, g, m)
    dev = torch.device("cuda")
    out = chunked_gla(q.to(dev), k.to(dev), v.to(dev), log_gates_from_gates(g).to(dev), m.to(dev))
    assert out.device.type == "cuda"
    assert _rel(out.cpu(), ref) <= 1e-10


@pytest.mark.parametrize("dtype", [torch.float64, torch.float32], ids=["f64", "f32"])
def test_vector_fast_and_exact_diagonal_paths(dtype, monkeypatch):
    """Key gating without zeros uses the factorised diagonal sub-blocks; forcing the exact
    sub-block recurrence (span limit below 0) gives the same result, forward and backward."""
    from wpgd_theory.gla import layer

    q, k, v, g, m = _inputs(2, 2, 37, 4, 3, "vector", dtype, seed=5, zeros=0.0, ones=0.1)
    lg = torch.log(g).requires_grad_(True)
    ref = recurrent_gla(q, k, v, g, m)
    fast = chunked_gla(q, k, v, lg, m, chunk_size=16, subchunk_size=4)
    (g_fast,) = torch.autograd.grad(fast.sum(), lg)
    monkeypatch.setattr(layer, "_DIAG_SPAN_LIMIT", {torch.float32: -1.0, torch.float64: -1.0})
    exact = chunked_gla(q, k, v, lg, m, chunk_size=16, subchunk_size=4)
    (g_exact,) = torch.autograd.grad(exact.sum(), lg)
    o_abs, _ = _abs_reference(q, k, v, g, m, torch.ones_like(ref))
    tol = _bound(dtype, q, v, g, chunk=16)
    for out in (fast, exact):
        assert bool(((out - ref).detach().double().abs() <= tol * o_abs).all())
    # d/d(log g): partial sums of all pair terms (see test_forward_and_backward_agree)
    assert float((g_fast - g_exact).abs().max()) <= tol * float(o_abs.sum())


@pytest.mark.parametrize("gating", ["scalar", "vector"])
def test_shared_gates_broadcast(gating):
    """Gates with singleton batch/head axes (deterministic gates) equal their expanded copies."""
    q, k, v, g, m = _inputs(3, 2, 23, 4, 3, gating, torch.float64, seed=8)
    g1 = g[:1, :1]
    full = g1.expand_as(g).contiguous()
    for fn, a, b in ((recurrent_gla, g1, full), (attention_gla, g1, full),
                     (chunked_gla, log_gates_from_gates(g1), log_gates_from_gates(full))):
        kw = {"chunk_size": 8, "subchunk_size": 4} if fn is chunked_gla else {}
        assert _rel(fn(q, k, v, a, m, **kw), fn(q, k, v, b, m, **kw)) <= 1e-12


@pytest.mark.parametrize("dtype, u", [(torch.float32, 2.0**-24), (torch.float64, 2.0**-53)])
@pytest.mark.parametrize("terms, chunk, decay", [(10, 1, 0.0), (300, 16, 0.5)])
def test_rounding_bound_is_the_stated_gamma(dtype, u, terms, chunk, decay):
    """The tolerance of every GLA comparison is ``2γ_N``, ``γ_N = Nu/(1 − Nu)`` with the unit
    roundoff ``u = 2⁻²⁴`` (float32) or ``2⁻⁵³`` (float64) and ``N = terms + 1 + chunk²·decay``:
    written out here from the IEEE constants, not ``torch.finfo`` (a bound 4× too loose — ``2ε``
    for ``ε/2`` — would let float32 errors four times the proved size pass)."""
    from wpgd_theory.gla.layer import rounding_bound

    n = terms + 1 + chunk * chunk * decay
    assert rounding_bound(dtype, terms=terms, chunk=chunk, max_log_decay=decay) == pytest.approx(
        2 * n * u / (1 - n * u), rel=1e-12)


@pytest.mark.parametrize("gating", ["none", "scalar", "vector"])
@pytest.mark.parametrize("dtype", [torch.float64, torch.float32], ids=["f64", "f32"])
def test_factored_chunk_path_equals_the_reference(gating, dtype, monkeypatch):
    """Without zero gates and with chunk decays within the span limit the chunked form takes
    the factored path (one product for the chunk scores, the N x N chunk-decay matrix for
    the states); it equals the recurrent reference within the rounding bound and the
    per-chunk path taken with the span limit below 0, forward and backward."""
    from wpgd_theory.gla import layer

    q, k, v, g, m = _inputs(2, 2, 37, 4, 3, gating, dtype, seed=11, zeros=0.0, ones=0.1)
    taken = []
    real = layer._chunked_factored
    monkeypatch.setattr(layer, "_chunked_factored", lambda *a: taken.append(1) or real(*a))
    lg = None if g is None else torch.log(g).requires_grad_(True)
    wrt = (q.requires_grad_(True),) + (() if lg is None else (lg,))
    ref = recurrent_gla(q, k, v, g, m)
    fast = chunked_gla(q, k, v, lg, m, chunk_size=8, subchunk_size=4)
    assert taken
    d_fast = torch.autograd.grad(fast.sum(), wrt)
    monkeypatch.setattr(layer, "_DIAG_SPAN_LIMIT", {torch.float32: -1.0, torch.float64: -1.0})
    other = chunked_gla(q, k, v, lg, m, chunk_size=8, subchunk_size=4)
    d_other = torch.autograd.grad(other.sum(), wrt)
    assert len(taken) == 1 or gating == "none"  # linear attention has no decay to limit
    o_abs, _ = _abs_reference(q, k, v, g, m, torch.ones_like(ref))
    tol = _bound(dtype, q, v, g, chunk=8)
    for out in (fast, other):
        assert bool(((out - ref).detach().double().abs() <= tol * o_abs).all())
    for a, b in zip(d_fast, d_other):
        assert float((a - b).abs().max()) <= tol * float(o_abs.sum())


@pytest.mark.parametrize("dtype", [torch.float64, torch.float32], ids=["f64", "f32"])
def test_long_decay_drops_only_subnormal_state_weights(dtype):
    """512 tokens with gates near 0.6: chunk-to-chunk decays fall far below the smallest
    normal number (they are set to 0 rather than computed as subnormals); the result equals
    the float64 recurrence within the rounding bound."""
    q, k, v, _, m = _inputs(1, 2, 512, 8, 8, "none", dtype, seed=3)
    for gating in ("scalar", "vector"):
        shape = (1, 2, 512) if gating == "scalar" else (1, 2, 512, 8)
        g = torch.rand(shape, generator=torch.Generator().manual_seed(4), dtype=dtype) * 0.1 + 0.55
        ref = recurrent_gla(q.double(), k.double(), v.double(), g.double(), m.double())
        out = chunked_gla(q, k, v, torch.log(g), m, chunk_size=16, subchunk_size=4)
        o_abs, _ = _abs_reference(q, k, v, g, m, torch.ones_like(ref))
        tol = _bound(dtype, q, v, g, chunk=16)
        assert bool(((out.double() - ref).abs() <= tol * o_abs + torch.finfo(dtype).tiny).all())


@pytest.mark.parametrize("gating", ["none", "scalar", "vector"])
@pytest.mark.parametrize("dtype", [torch.float64, torch.float32], ids=["f64", "f32"])
@pytest.mark.parametrize("shared", [False, True], ids=["own-gates", "shared-gates"])
def test_inplace_factored_path_equals_the_autograd_path(gating, dtype, shared, monkeypatch):
    """Without autograd the factored chunked form writes its temporaries into one workspace
    (:func:`~wpgd_theory.gla.layer._chunked_factored_inplace`, states by a scan); with
    autograd it takes :func:`~wpgd_theory.gla.layer._chunked_factored`.  Both equal the
    recurrent reference within the rounding bound (padding: T = 37 with chunk 8; write mask;
    batch and head axes; gates shared over them), and the in-place path is the one taken."""
    from wpgd_theory.gla import layer

    q, k, v, g, m = _inputs(2, 3, 37, 4, 3, gating, dtype, seed=12, zeros=0.0, ones=0.1)
    if shared and g is not None:
        g = g[:1, :1]
    taken = []
    real = layer._chunked_factored_inplace
    monkeypatch.setattr(layer, "_chunked_factored_inplace", lambda *a: taken.append(1) or real(*a))
    lg = None if g is None else torch.log(g)
    with torch.no_grad():
        inplace = chunked_gla(q, k, v, lg, m, chunk_size=8, subchunk_size=4)
    assert taken
    autograd = chunked_gla(q.clone().requires_grad_(True), k, v, lg, m, chunk_size=8, subchunk_size=4)
    assert len(taken) == 1 and autograd.requires_grad
    ref = recurrent_gla(q, k, v, g, m)
    o_abs, _ = _abs_reference(q, k, v, g, m, torch.ones_like(ref))
    tol = _bound(dtype, q, v, g, chunk=8)
    for out in (inplace, autograd):
        assert bool(((out - ref).detach().double().abs() <= tol * o_abs).all())


@pytest.mark.parametrize("gating", ["scalar", "vector"])
def test_inplace_path_rejects_nan_and_falls_back_on_steep_decay(gating):
    """Under ``torch.no_grad``: a NaN log gate is rejected naming ``log_gates``; a chunk decaying
    beyond the span limit is computed by the per-chunk path and still equals the loop."""
    q, k, v, g, m = _inputs(1, 2, 40, 4, 3, gating, torch.float32, seed=13, zeros=0.0, ones=0.0)
    lg = torch.log(g)
    with torch.no_grad():
        bad = lg.clone()
        bad[0, 1, 7] = float("nan")
        with pytest.raises(ValueError, match="log_gates"):
            chunked_gla(q, k, v, bad, m, chunk_size=16, subchunk_size=4)
        steep = lg.clone()
        steep[0, 0, 20] = -80.0  # one gate e^{-80}: beyond the float32 span limit 30
        out = chunked_gla(q, k, v, steep, m, chunk_size=16, subchunk_size=4)
    g_steep = torch.exp(steep)
    ref = recurrent_gla(q, k, v, g_steep, m)
    o_abs, _ = _abs_reference(q, k, v, g_steep, m, torch.ones_like(ref))
    tol = _bound(torch.float32, q, v, g_steep, chunk=16)
    assert bool(((out - ref).double().abs() <= tol * o_abs).all())


@pytest.mark.parametrize("C", [1, 5, 8, 16, 24, 64])
def test_in_chunk_cumulative_sums_equal_torch_cumsum(C):
    """The two-level in-place cumulative sums of the in-place path (groups of 8, then group
    offsets) equal ``torch.cumsum`` along the chunk axis to float64 rounding."""
    from wpgd_theory.gla.layer import _cumsum_in_chunks_

    x = torch.randn(2, 3, 4, C, 5, generator=torch.Generator().manual_seed(C), dtype=torch.float64)
    ref = torch.cumsum(x, dim=-2)
    out = _cumsum_in_chunks_(x.clone())
    assert float((out - ref).abs().max()) <= 1e-13 * float(x.abs().sum(dim=-2).max())


@pytest.mark.cuda
@pytest.mark.parametrize("gating", ["none", "scalar", "vector"])
def test_cuda_inplace_factored_path_matches_the_loop(gating):
    """The in-place factored path (no autograd, no zero gate) on CUDA equals the float64
    recurrence on the CPU (the workspace, ``out=`` products and state scan are device-agnostic)."""
    q, k, v, g, m = _inputs(2, 3, 150, 4, 3, gating, torch.float64, seed=14, zeros=0.0, ones=0.1)
    ref = recurrent_gla(q, k, v, g, m)
    dev = torch.device("cuda")
    lg = None if g is None else torch.log(g).to(dev)
    with torch.no_grad():
        out = chunked_gla(q.to(dev), k.to(dev), v.to(dev), lg, m.to(dev), chunk_size=64, subchunk_size=16)
    assert out.device.type == "cuda"
    assert _rel(out.cpu(), ref) <= 1e-10


@pytest.mark.parametrize("N", [1, 5, 8, 16, 24, 64])
@pytest.mark.parametrize("decay", ["none", "scalar", "key"])
def test_chunk_state_scan_equals_the_plain_loop(N, decay):
    """The in-place two-level scan of the chunk states (blocks of 8 chunks when 8 divides N)
    equals the loop ``R_n = Ŵ_n + t_n ⊙ R_{n−1}`` written out here, to float64 rounding,
    with chunk decays shared over the batch axis (a singleton axis)."""
    from wpgd_theory.gla.layer import _scan_chunk_states_

    gen = torch.Generator().manual_seed(N)
    W = torch.randn(2, 3, N, 4, 5, generator=gen, dtype=torch.float64)
    tot = {"none": None, "scalar": torch.rand(1, 3, N, 1, 1, generator=gen, dtype=torch.float64),
           "key": torch.rand(1, 3, N, 4, 1, generator=gen, dtype=torch.float64)}[decay]
    ref, R = [], torch.zeros_like(W[:, :, 0])
    for n in range(N):
        R = W[:, :, n] + (R if tot is None else tot[:, :, n] * R)
        ref.append(R)
    out = _scan_chunk_states_(W.clone(), tot)
    assert float((out - torch.stack(ref, dim=2)).abs().max()) <= 1e-13 * float(W.abs().sum(dim=2).max())
