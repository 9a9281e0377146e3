r"""Fixed-size derivations of G1–G4 (``proofs/construction.py``): the GLA recurrence run on exact
polynomials against WPGD.

See :mod:`wpgd_theory.symbolic.derivations` for what a derivation compares."""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass

import sympy as sp
from sympy.polys.rings import PolyRing

from ..algebra import (
    Frac,
    Identity,
    full_matrix,
    ring_sum,
    sizes_grid,
    vector,
)
from ..recurrences import GLALayer, causal_wpgd, gla_forward, gla_layer, wpgd_one_step
from .core import (
    ZZ,
    _cached,
    _levels,
    _register,
    causal_weights_claim,
    gate_weights_claim,
    gates_from_weights_claim,
    key_gating_claim,
)
from .optimum import (
    _matvec,
)


# =====================================================================================
# G1–G4: GLA unrolled symbolically
# =====================================================================================
@dataclass(frozen=True)
class _GLASetting:
    d: int
    n: int
    K: PolyRing
    X: tuple
    x: tuple
    y: tuple


def _gla_symbols(d: int, n: int, extra: Sequence[sp.Symbol]):
    X = [[sp.Symbol(f"x_{{{i + 1},{a + 1}}}") for a in range(d)] for i in range(n)]
    xq = [sp.Symbol(f"x_{{*,{a + 1}}}") for a in range(d)]
    y = vector("y", n)
    syms = [v for row in X for v in row] + xq + y + list(extra)
    K = PolyRing(syms, ZZ)
    return K, [[K(v) for v in row] for row in X], [K(v) for v in xq], [K(v) for v in y]


def _block(Mtop, d: int, corner, K):
    r"""``[[M, 0], [0, corner]]`` as a nested list of size ``(d+1) × (d+1)``."""
    out = [[(Mtop[i][j] if (i < d and j < d) else K.zero) for j in range(d + 1)] for i in range(d + 1)]
    out[d][d] = corner
    return out


def _tokens(X, x, y, zero):
    return [list(X[i]) + [y[i]] for i in range(len(X))] + [list(x) + [zero]]


@_register("G1.one_layer", "G1", "one-layer scalar-gated GLA = one-step WPGD with ω_i = Π_{j>i} g_j, P = P_qᵀP_k",
           _levels(sizes_grid(d=[1, 2], n=[1, 2, 3]), sizes_grid(d=[1, 2, 3], n=[1, 2, 3, 4]),
                   sizes_grid(d=[1, 2, 3, 4], n=[1, 2, 3, 4, 5])),
           general="the unrolled state is S_{n+1} = Σ_i (Π_{j>i} g_j) v_i k_iᵀ for every n (induction on i); "
                   "the readout is a bilinear form in x and x_i: every d")
@_cached
def g1_one_layer(d: int, n: int, *, weights=gate_weights_claim) -> list:
    t0 = time.perf_counter()
    gs = vector("g", n + 1)
    Pk, Pq = full_matrix("Pk", d), full_matrix("Pq", d)
    K, X, x, y = _gla_symbols(d, n, gs + list(Pk) + list(Pq))
    g = [K(s) for s in gs]
    Pk_ = [[K(Pk[i, j]) for j in range(d)] for i in range(d)]
    Pq_ = [[K(Pq[i, j]) for j in range(d)] for i in range(d)]
    Wk = _block(Pk_, d, K.zero, K)
    Wq = _block(Pq_, d, K.zero, K)
    Wv = _block([[K.zero] * d for _ in range(d)], d, K.one, K)
    toks = _tokens(X, x, y, K.zero)
    out = []
    for masked in (True, False):
        layer = GLALayer(Wq, Wk, Wv, g, "scalar", [1] * n + [0 if masked else 1])
        o = gla_layer(toks, layer, K.zero, K.one)
        lhs = o[n][d]
        P = [[ring_sum((Pq_[k][i] * Pk_[k][j] for k in range(d)), K.zero) for j in range(d)] for i in range(d)]
        rhs = wpgd_one_step(X, y, x, P, weights(g, K.one), K.zero)
        out.append(Identity(f"[o_(n+1)]_(d+1) = xᵀP_qᵀP_k Xᵀ(ω⊙y) ({'masked' if masked else 'unmasked'} query)",
                            {"d": d, "n": n}, lhs, rhs))
    secs = time.perf_counter() - t0
    for it in out:
        it.seconds = secs / 2
    return out


@_register("G2.inverse", "G2",
           "gates g_{n+1} = ω_n, g_{i+1} = ω_i/ω_{i+1} reproduce ω and the GLA output",
           _levels(sizes_grid(d=[1], n=[1, 2, 3]), sizes_grid(d=[1, 2], n=[1, 2, 3, 4]),
                   sizes_grid(d=[1, 2, 3], n=[1, 2, 3, 4, 5])),
           general="the product Π_{j=i+1}^{n+1} g_j telescopes to ω_i for every n")
@_cached
def g2_inverse(d: int, n: int, *, gates_from_weights=gates_from_weights_claim) -> list:
    t0 = time.perf_counter()
    ws = vector("omega", n)
    P = full_matrix("P", d)
    K, X, x, y = _gla_symbols(d, n, ws + list(P))
    w = [Frac(K(s)) for s in ws]
    one = Frac(K.one)
    gates = gates_from_weights(w, one)
    recovered = gate_weights_claim(gates, one)
    Pm = [[K(P[i, j]) for j in range(d)] for i in range(d)]
    # GLA with W_q = [[Pᵀ,0],[0,0]], W_k = [[I,0],[0,0]] (so P_qᵀP_k = P), run on fractions
    PT = [[Frac(Pm[j][i]) for j in range(d)] for i in range(d)]
    I_ = [[Frac(K.one if i == j else K.zero) for j in range(d)] for i in range(d)]
    zero = Frac(K.zero)

    def blk(M, corner):
        out = [[(M[i][j] if (i < d and j < d) else zero) for j in range(d + 1)] for i in range(d + 1)]
        out[d][d] = corner
        return out

    toks = [[Frac(v) for v in row] for row in _tokens(X, x, y, K.zero)]
    layer = GLALayer(blk(PT, zero), blk(I_, zero), blk([[zero] * d for _ in range(d)], one), gates, "scalar",
                     [1] * n + [0])
    o = gla_layer(toks, layer, zero, one)
    rhs = wpgd_one_step([[Frac(v) for v in row] for row in X], [Frac(v) for v in y], [Frac(v) for v in x],
                        [[Frac(v) for v in row] for row in Pm], w, zero)
    secs = (time.perf_counter() - t0) / 2
    return [Identity("ω(g(ω)) = ω", {"d": d, "n": n}, recovered, w, secs),
            Identity("GLA(g(ω)) = WPGD(ω)", {"d": d, "n": n}, o[n][d], rhs, secs)]


@_register("G2.forward", "G2", "ω_n = g_{n+1} and ω_i = g_{i+1} ω_{i+1}: gates in [0,1] give 0 ≤ ω_1 ≤ … ≤ ω_n ≤ 1",
           _levels(sizes_grid(n=[1, 2, 3, 4]), sizes_grid(n=[1, 2, 3, 4, 5, 6]),
                   sizes_grid(n=list(range(1, 11)))),
           general="one factor per step of the product: every n")
@_cached
def g2_forward(n: int, *, weights=gate_weights_claim) -> list:
    t0 = time.perf_counter()
    gs = vector("g", n + 1)
    K = PolyRing(gs, ZZ)
    g = [K(s) for s in gs]
    w = weights(g, K.one)
    lhs = [w[n - 1]] + [w[i] for i in range(n - 1)]
    rhs = [g[n]] + [g[i + 1] * w[i + 1] for i in range(n - 1)]
    return [Identity("ω_n = g_{n+1}, ω_i = g_{i+1}ω_{i+1}", {"n": n}, lhs, rhs, time.perf_counter() - t0)]


@_register("G3.vector_gating", "G3",
           "key-dimension gating: ŷ = Σ_i y_i (P_k x_i)ᵀ diag(γ_i) (P_q x); value gating = scalar gating",
           _levels(sizes_grid(d=[1, 2], n=[1, 2]), sizes_grid(d=[1, 2], n=[1, 2, 3]),
                   sizes_grid(d=[1, 2, 3], n=[1, 2, 3, 4])),
           general="column c of the state decays by Π_j g_{j,c}: every d, n")
@_cached
def g3_vector_gating(d: int, n: int, *, claim=key_gating_claim) -> list:
    t0 = time.perf_counter()
    gk = [[sp.Symbol(f"g_{{{j + 1},{c + 1}}}") for c in range(d + 1)] for j in range(n + 1)]
    Pk, Pq = full_matrix("Pk", d), full_matrix("Pq", d)
    K, X, x, y = _gla_symbols(d, n, [s for row in gk for s in row] + list(Pk) + list(Pq))
    G = [[K(s) for s in row] for row in gk]
    Pk_ = [[K(Pk[i, j]) for j in range(d)] for i in range(d)]
    Pq_ = [[K(Pq[i, j]) for j in range(d)] for i in range(d)]
    Wk = _block(Pk_, d, K.zero, K)
    Wq = _block(Pq_, d, K.zero, K)
    Wv = _block([[K.zero] * d for _ in range(d)], d, K.one, K)
    toks = _tokens(X, x, y, K.zero)
    o_key = gla_layer(toks, GLALayer(Wq, Wk, Wv, G, "key", [1] * n + [0]), K.zero, K.one)
    Xk = [_matvec(Pk_, X[i], K.zero) for i in range(n)]
    q = _matvec(Pq_, x, K.zero)
    rhs_key = claim(Xk, y, q, [row[:d] for row in G], K.one, K.zero)
    # value gating: gate vector over the d+1 value coordinates; only the label coordinate's gate matters
    o_val = gla_layer(toks, GLALayer(Wq, Wk, Wv, G, "value", [1] * n + [0]), K.zero, K.one)
    lab = [row[d] for row in G]
    P = [[ring_sum((Pq_[k][i] * Pk_[k][j] for k in range(d)), K.zero) for j in range(d)] for i in range(d)]
    rhs_val = wpgd_one_step(X, y, x, P, gate_weights_claim(lab, K.one), K.zero)
    secs = (time.perf_counter() - t0) / 2
    return [Identity("key gating: ŷ = Σ y_i (P_k x_i)ᵀ diag(γ_i) P_q x", {"d": d, "n": n}, o_key[n][d], rhs_key, secs),
            Identity("value gating = scalar gating with the label gate", {"d": d, "n": n}, o_val[n][d], rhs_val, secs)]


@_register("G4.multilayer", "G4",
           "L-layer residual GLA (W_k=[[I,0],[0,0]], W_q=[[P_ℓᵀ,0],[0,0]], W_v=[[0,0],[0,−1]]) = causal WPGD",
           _levels(sizes_grid(L=[2], d=[1, 2], n=[1, 2]),
                   sizes_grid(L=[2], d=[1, 2], n=[1, 2, 3]) + sizes_grid(L=[3], d=[1], n=[1, 2]),
                   sizes_grid(L=[2], d=[1, 2, 3], n=[1, 2, 3]) + sizes_grid(L=[3], d=[1, 2], n=[1, 2, 3])),
           general="induction on ℓ: the feature block of the stream never changes and each layer's label "
                   "coordinate performs one causal step; every L, d, n")
@_cached
def g4_multilayer(L: int, d: int, n: int, *, weights=causal_weights_claim, value_sign: int = -1) -> list:
    r"""Masked query: ``ŷ = −[Z^{(L)}]_{n+1,d+1}`` equals causal WPGD with
    ``ω^{(ℓ)}_{ij} = Π_{k=j+1}^i g^{(ℓ)}_k``.  Unmasked: equals causal WPGD in which the query
    also reads its own slot (weight 1); for ``L = 2`` the difference is
    ``ŷ_unmasked − ŷ_masked = −(xᵀP₂x) ŷ₁`` with ``ŷ₁`` the one-step prediction."""
    t0 = time.perf_counter()
    gs = [vector(f"g^{l + 1}", n + 1) for l in range(L)]
    Ps = [full_matrix(f"P^{l + 1}", d) for l in range(L)]
    K, X, x, y = _gla_symbols(d, n, [s for row in gs for s in row] + [s for P in Ps for s in P])
    G = [[K(s) for s in row] for row in gs]
    Pm = [[[K(P[i, j]) for j in range(d)] for i in range(d)] for P in Ps]
    I_ = [[K.one if i == j else K.zero for j in range(d)] for i in range(d)]
    toks = _tokens(X, x, y, K.zero)
    zero_d = [[K.zero] * d for _ in range(d)]
    out = []
    results = {}
    for masked in (True, False):
        layers = [GLALayer(_block([[Pm[l][j][i] for j in range(d)] for i in range(d)], d, K.zero, K),
                           _block(I_, d, K.zero, K), _block(zero_d, d, K(value_sign), K), G[l], "scalar",
                           [1] * n + [0 if masked else 1]) for l in range(L)]
        Z = gla_forward(toks, layers, K.zero, K.one, residual=True)
        results[masked] = -Z[n][d]
        omegas = [weights(G[l], K.one) for l in range(L)]
        ref, _ = causal_wpgd(X, y, x, Pm, omegas, K.zero, query_reads_itself=not masked)
        out.append(Identity(f"−[Z^(L)]_(n+1,d+1) = causal WPGD ({'masked' if masked else 'unmasked'} query)",
                            {"L": L, "d": d, "n": n}, results[masked], ref))
    if L == 2:
        y1, _ = causal_wpgd(X, y, x, Pm[:1], [weights(G[0], K.one)], K.zero)
        xPx = ring_sum((x[i] * Pm[1][i][j] * x[j] for i in range(d) for j in range(d)), K.zero)
        out.append(Identity("ŷ_unmasked − ŷ_masked = −(xᵀP₂x) ŷ₁", {"L": L, "d": d, "n": n},
                            results[False] - results[True], -xPx * y1))
    secs = time.perf_counter() - t0
    for it in out:
        it.seconds = secs / len(out)
    return out
