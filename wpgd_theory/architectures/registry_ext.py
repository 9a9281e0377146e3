r"""More of fla's family (issue 19, remainder): log-linear attention, RWKV-7, lightning attention,
ReBased and Mamba-1, each run through fla's own CPU op (proofs/architectures.md §12).

The prompt layout, the helpers and :class:`~.registry.Conformance` are those of
:mod:`wpgd_theory.architectures.registry`,
which appends :data:`EXTRA_ARCHITECTURES` to its :data:`~.registry.ARCHITECTURES`.

==================  ==========================================================================
architecture        weights ``ω`` realised by one layer (``P`` free)
==================  ==========================================================================
log_linear          ``ω_i = λ^{(ℓ(i))} Π_{j>i} g_j``: gate products times a signed constant per
                    Fenwick level of the query (:mod:`.fenwick`; class ``"fenwick"``)
rwkv7_a0            RWKV-7 with in-context learning rate ``a = 0``: GLA with inclusive
                    key-dimension decay ``e^{w} ∈ (e^{−0.607}, 1)`` — every ``ω`` (``"free"``)
rwkv7               RWKV-7 with ``a > 0``: a delta-rule step per token — control
lightning           fixed per-head decays ``e^{−8h/H}`` (layer 0): signed sums of the heads'
                    geometric profiles (``"lightning"``)
rebased_pm          ReBased without normalisation, feature map ``(q, b)``, heads ``±q``:
                    ``ω ∝ 𝟙`` (``"uniform"``)
rebased             ReBased with fla's normaliser: control
mamba1              Mamba-1 (fla's ``Mamba`` layer, torch selective scan): ``Σ_b c_b Δ_i e^{−a_b S_i}``,
                    every ``ω`` with ``n`` blocks of state (one block: nonnegative, §4)
==================  ==========================================================================
"""

from __future__ import annotations

import numpy as np
import torch

from ..wpgd import gate_weights, wpgd_predict
from . import fla_ops
from .cones import lightning_profiles
from .fenwick import fenwick_levels_needed, fenwick_weights
from .fit import wpgd_terms
from .registry import (
    Architecture,
    Conformance,
    _block_log_gates,
    _control,
    _fixed,
    _gamma,
    _key_blocks,
    _log,
    _query_out,
    _r32,
    _random_P,
    _t,
    _tokens,
    _wpgd_conformance,
    float32_tolerance,
)
from .selective_scan import MAMBA1_MODULE, run_mamba1

__all__ = ["EXTRA_ARCHITECTURES", "LOG_LINEAR_OFFSETS", "RWKV7_LOG_DECAY_MIN"]

#: tokens before the prompt in the log-linear checks: 0 (the layout) and 3 (the query at token
#: ``n + 3``, several Fenwick levels with their own signs even when ``n`` is a power of two)
LOG_LINEAR_OFFSETS = (0, 3)

#: RWKV-7's log decay is ``w = −e^{−1/2} σ(·) ∈ (RWKV7_LOG_DECAY_MIN, 0)`` (fla's ``RWKV7Attention``)
RWKV7_LOG_DECAY_MIN = -0.6065306597126334


# ----------------------------------------------------------------------------- log-linear attention
def _run_log_linear(X, y, x, rng):
    r"""§12.1: scalar gates ``g`` and signed level scales ``λ`` (read at the query) loaded into fla's
    naive log-linear op; ``ω = fenwick_weights(g, λ)``.  fla forms the gate products as
    ``exp`` of differences of a float32 cumulative sum of ``log g``, so the a-priori bound adds
    ``2 γ_T Σ_j |log g_j|`` (the exponent's error) to ``γ_m``."""
    B, n, d = X.shape
    Pk, Pq, P = _random_P(rng, d)
    res = []
    for offset in LOG_LINEAR_OFFSETS:
        T = n + 1 + offset
        q, k, v = _tokens(X, y, x, Pk, Pq)
        pad = torch.zeros(B, offset, 1, d)
        q, k = torch.cat([pad, q], 1), torch.cat([pad, k], 1)
        v = torch.cat([torch.zeros(B, offset, 1, 1), v], 1)
        gates = np.concatenate([np.ones(offset), _r32(rng.uniform(0.7, 1.0, size=n + 1))])
        lam = _r32(rng.standard_normal(fenwick_levels_needed(T)))
        logg = _t(np.broadcast_to(_log(gates)[None, :, None], (B, T, 1)))
        scales = _t(np.broadcast_to(lam[None, None, None, :], (B, T, 1, lam.size)))
        out = _query_out(fla_ops.log_linear_attn(q, k, v, logg, scales))
        omega = fenwick_weights(gates[offset:], lam, offset=offset)
        c = _wpgd_conformance(f"log-linear: gate products times a signed constant per Fenwick level "
                              f"({offset} tokens before the prompt)", fla_ops.OPS["log_linear_attn"][1],
                              X, y, x, P, omega, out, d)
        tol = float32_tolerance(T, d) + 2 * _gamma(T) * float(np.abs(np.log(gates)).sum())
        res.append(Conformance(c.what, c.subject_name, c.reference_name, c.subject, c.reference, c.magnitude, tol,
                               c.omega, c.P))
    return res


# ----------------------------------------------------------------------------- RWKV-7
def _rwkv7_log_decays(rng, shape):
    """RWKV-7's own decay map: ``w = −e^{−1/2} σ(z)`` of a positional pre-activation ``z``."""
    z = rng.normal(0.0, 2.0, size=shape)
    return _r32(RWKV7_LOG_DECAY_MIN / (1.0 + np.exp(-z)))


def _run_rwkv7_a0(X, y, x, rng, a=0.0):
    r"""§12.2: ``n`` key blocks (``d_k = n d``) with RWKV-7's decays ``w^{(c)}_t ∈ (−0.607, 0)``,
    ``k = [P_k x; …]``, ``q = [α_1 P_q x; …]``, ``a = 0`` (then ``β = kk·a = 0``): inclusive GLA,
    ``ω = Σ_c α_c Π_{j>i} e^{w^{(c)}_j}``."""
    B, n, d = X.shape
    T = n + 1
    q, k, v, P, alpha, _, _ = _key_blocks(X, y, x, rng)
    W = _rwkv7_log_decays(rng, (T, n))  # one decay per token and block
    prof = np.array([gate_weights(np.exp(W[:, c])) for c in range(n)])
    w = _block_log_gates(W, B, d)
    out = _query_out(fla_ops.rwkv7(q, k, v, w, a))
    return [_wpgd_conformance("RWKV-7 with a = 0: signed sums of monotone key-dimension profiles (d_k = n d)",
                              fla_ops.OPS["rwkv7"][1], X, y, x, P, alpha @ prof, out, n * d)]


def _extra_rwkv7(rng, T, d):
    w = _rwkv7_log_decays(rng, (T, d))[None, :, None, :]
    a = _r32(rng.uniform(0.3, 0.9, size=(T, d)))[None, :, None, :]
    return _fixed({"w": w, "a": a})


# ----------------------------------------------------------------------------- lightning attention
LIGHTNING_RUN_HEADS = 8


def _run_lightning(X, y, x, rng):
    r"""§12.3: every head of lightning attention (fla's slopes for ``H = 8``, layer 0) on fla's naive
    simple-GLA op with the constant log decay ``g_h``: ``ω^{(h)}_i = e^{g_h (n+1−i)}``; and the heads
    (sharing ``P``) mixed by a signed output projection ``c``: ``ω = Σ_h c_h ω^{(h)}``."""
    B, n, d = X.shape
    H = LIGHTNING_RUN_HEADS
    Pk, Pq, P = _random_P(rng, d)
    q, k, v = _tokens(X, y, x, Pk, Pq, H)
    gh = fla_ops.lightning_log_decays(H)
    o = fla_ops.simple_gla(q, k, v, gh[None, None, :].expand(B, n + 1, H))
    profiles = list(lightning_profiles(n, H).T)  # the reference's weights: cones' numpy formula
    res = [_wpgd_conformance(f"lightning head {h}: omega_i = exp(-{8 * h / H:g} (n+1-i)) (cones.lightning_profiles)",
                             fla_ops.OPS["simple_gla"][1] + " (lightning slopes)", X, y, x, P, profiles[h],
                             _query_out(o, h), d) for h in (0, 1, 2)]
    c = _r32(rng.standard_normal(H))
    out = np.einsum("h,bh->b", c, o[:, -1, :, 0].double().numpy())
    omega = c @ np.array(profiles)
    mag = sum(abs(c[h]) * np.abs(wpgd_terms(X, y, x, P, profiles[h])).sum(axis=1) for h in range(H))
    res.append(Conformance(f"lightning: signed combination of its {H} heads (fixed slopes), c = "
                           + np.array2string(c, precision=2),
                           fla_ops.OPS["simple_gla"][1] + " (lightning, heads mixed)",
                           "wpgd.wpgd_predict (numpy)", out, wpgd_predict(X, y, x, P, omega), mag,
                           float32_tolerance(n + 1, d + 1), omega, P))
    return res


# ----------------------------------------------------------------------------- ReBased
#: the constant coordinate ``b`` ReBased's feature map (its ``β``) appends to ``q`` and ``k``
REBASED_B = 1.0


def rebased_feature_map(dim: int, b: float = REBASED_B):
    """fla's ``RebasedFeatureMap`` (``normalize=False``: ``x ↦ β + γ ⊙ x``) set to ``γ = (1, …, 1, 0)``,
    ``β = (0, …, 0, b)``: it maps ``(u, ·)`` to ``(u, b)``.

    Parameters
    ----------
    dim : int
        Feature dimension (the input's last coordinate is the one replaced by ``b``).
    b : float
        The constant.

    Returns
    -------
    torch.nn.Module

    Examples
    --------
    >>> import torch
    >>> fm = rebased_feature_map(3)
    >>> fm(torch.tensor([[2.0, 3.0, 9.0]]), flatten=False).tolist()
    [[2.0, 3.0, 1.0]]
    """
    cls = fla_ops._module("fla.modules.feature_map").RebasedFeatureMap
    fm = cls(dim, use_gamma=True, use_beta=True, normalize=False)
    with torch.no_grad():
        fm.gamma.copy_(torch.cat([torch.ones(dim - 1), torch.zeros(1)]))
        fm.beta.copy_(torch.cat([torch.zeros(dim - 1), torch.full((1,), float(b))]))
    return fm


def _run_rebased_pm(X, y, x, rng):
    r"""§12.4: heads ``±q`` after the feature map ``(·, b)``: ``(a + b²)² − (−a + b²)² = 4 b² a``, so
    ``(o₊ − o₋)/(4b²) = Σ_i y_i qᵀk_i`` (uniform WPGD)."""
    B, n, d = X.shape
    Pk, Pq, P = _random_P(rng, d)
    q, k, v = _tokens(X, y, x, np.vstack([Pk, np.zeros((1, d))]), np.vstack([Pq, np.zeros((1, d))]))
    fm = rebased_feature_map(d + 1)
    b2 = REBASED_B**2
    with torch.no_grad():
        kf = fm(k, flatten=False)
        o_p = _query_out(fla_ops.rebased(fm(q, flatten=False), kf, v))
        o_m = _query_out(fla_ops.rebased(fm(-q, flatten=False), kf, v))
    out = (o_p - o_m) / (4 * b2)
    a = np.einsum("ba,ac,bic->bi", x, P, X)
    mag = (np.abs(y) * (np.abs(a) + b2) ** 2).sum(axis=1) / (2 * b2)  # both heads' terms, weighted 1/(4b^2)
    omega = np.ones(n)
    return [Conformance("ReBased, no normalisation: heads +q, -q after the feature map (q, b)",
                        fla_ops.OPS["rebased"][1] + " (use_norm=False) + fla.modules.feature_map.RebasedFeatureMap",
                        "wpgd.wpgd_predict (numpy)", out, wpgd_predict(X, y, x, P, omega), mag,
                        float32_tolerance(n + 1, d + 2), omega, P)]


fla_ops.OPS.update({
    "rwkv7 (a > 0)": (lambda q, k, v, w, a: fla_ops.rwkv7(q, k, v, w, a, k_a=1.02),
                      fla_ops.OPS["rwkv7"][1] + " (a in [0.3, 0.9], k_a = 1.02)"),
    "rebased (normalised)": (lambda q, k, v: fla_ops.rebased(q, k, v, use_norm=True),
                             fla_ops.OPS["rebased"][1] + " (use_norm=True)"),
})

_P = "proofs/architectures.md §12"

#: the rows this module adds to the registry
EXTRA_ARCHITECTURES = [
    Architecture("log_linear", "Log-linear attention", fla_ops.OPS["log_linear_attn"][1], "fenwick", True,
                 "omega_i = lambda^(level(i)) prod_{j>i} g_j: gate products times a signed constant per Fenwick "
                 "level of the query (one bucket per set bit of the query's position)",
                 "the buckets depend on the query's position; fla's log-linear Mamba-2 layer makes lambda = "
                 "softplus(.) > 0 (then, with Mamba-2's Delta, the nonnegative class)", _run_log_linear, proof=_P),
    Architecture("rwkv7_a0", "RWKV-7, in-context learning rate a = 0", fla_ops.OPS["rwkv7"][1], "free", True,
                 "a = 0 removes the delta step (b = kk a = 0): GLA with inclusive key-dimension decay "
                 "exp(w), w in (-0.607, 0); signed sums of its monotone profiles reach every omega",
                 "a = sigmoid(.) in (0, 1) in the layer: a = 0 is a limit; key dimension >= n d (K d on a "
                 "task model)", _run_rwkv7_a0, proof=_P),
    Architecture("rwkv7", "RWKV-7 (a > 0)", fla_ops.OPS["rwkv7"][1], "none", False,
                 "S_t = S_{t-1}(diag(w_t) - kk_t (a_t kk_t)^T) + v_t k_t^T: a delta-rule step per token",
                 "negative control", _control("rwkv7 (a > 0)", _extra_rwkv7), proof=_P,
                 reason="its in-context learning rate a > 0 makes each token a delta-rule step (degree-4 terms)"),
    Architecture("lightning", "Lightning attention (fixed per-head decay)",
                 fla_ops.OPS["simple_gla"][1] + " (lightning slopes)", "lightning", True,
                 "omega_i = exp(g_h (n+1-i)), g_h = -(8/H)(1 - l/L) h fixed per head (fla's chunk_lightning_attn "
                 "slopes; its op is Triton-only, so fla's naive simple-GLA op runs them); heads mixed with signs",
                 "the slopes are fixed by (H, layer, depth): the span of H geometric profiles (class for H = 8, "
                 "layer 0)", _run_lightning, proof=_P),
    Architecture("rebased_pm", "ReBased, no normalisation, heads +q/-q",
                 fla_ops.OPS["rebased"][1] + " (use_norm=False)", "uniform", True,
                 "feature map (q, b): ((a + b^2)^2 - (-a + b^2)^2)/(4 b^2) = a = q^T k_i",
                 "needs fla's feature map with gamma = (1, .., 1, 0), beta = (0, .., 0, b), two heads and no "
                 "normaliser (fla's layer always normalises)", _run_rebased_pm, proof=_P),
    Architecture("rebased", "ReBased (fla's normalisation)", fla_ops.OPS["rebased"][1] + " (use_norm=True)", "none",
                 False, "sum_i (q^T k_i)^2 y_i / (sum_s (q^T k_s)^2 + 1e-6): homogeneous of degree 0 in x",
                 "negative control", _control("rebased (normalised)", lambda rng, T, d: (lambda B: {})), proof=_P,
                 reason="the normaliser makes the output scale-invariant in x (degree 0), WPGD is linear in x"),
    Architecture("mamba1", "Mamba-1 (selective scan, fla's Mamba layer)", MAMBA1_MODULE, "free", True,
                 "omega_i = sum_b c_b Delta_i exp(-a_b sum_{j>i} Delta_j): blocks of state dimensions with their own "
                 "A = -a_b, read by the query's C with signs; n blocks with distinct a_b reach every omega",
                 "state size >= n d and the activation after the convolution (shared with the gate) at the "
                 "identity; one block (A equal over the state) gives the nonnegative class; fla's default "
                 "A = 1..N gives matrix weights", run_mamba1, proof=_P),
]
