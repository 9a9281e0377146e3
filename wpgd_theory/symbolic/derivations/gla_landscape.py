r"""Fixed-size derivations of A1, A3, A4 (``proofs/gla_landscape.py``): the isotropic profile,
the uniform-weight gap and the task-wise optimum.

See :mod:`wpgd_theory.symbolic.derivations` for what a derivation compares."""

from __future__ import annotations

import time

import sympy as sp
from sympy.polys.rings import PolyRing

from ..algebra import (
    Frac,
    Identity,
    correlation_matrix,
    ring_sum,
    sizes_grid,
    vector,
)
from .core import (
    ZZ,
    _cached,
    _levels,
    _register,
    identity_cov_matrix_claim,
    profile_claim,
    reduced_task_matrix_claim,
)
from .optimum import (
    _N2,
    _N3,
    _adj_det,
    _iso_setting,
    _matvec,
    _quad,
)


# =====================================================================================
@_register("A1.isotropic_profile", "A1", "Σ = I: L(ω) = τ − d (rᵀω)² / ωᵀAω, A = R + (d+1+σ²)I",
           _levels(_N3, _N3, sizes_grid(n=[1, 2, 3, 4])),
           general="W5.quadratic at λ = 1: every n (d symbolic)")
@_cached
def a1_isotropic_profile(n: int, *, matrix=identity_cov_matrix_claim) -> Identity:
    t0 = time.perf_counter()
    st = _iso_setting(n)
    K = st.K
    one_sub = [(st.lam, K.one)]
    N, D = profile_claim([st.lam], st.c, st.a, st.b)  # one eigenvalue; d copies multiply N by d
    lhs = (Frac(st.tau) - Frac(st.d * st.c * st.c * N, D)).compose(one_sub)
    A = matrix(st.R, st.d, st.s2)
    rhs = Frac(st.d + st.s2) - Frac(st.d * st.c * st.c, _quad(A, st.w, st.w, K.zero))
    return Identity("L(ω) = τ − d c²/ωᵀAω", {"n": n}, lhs, rhs, time.perf_counter() - t0)


@_register("A3.uniform_gap", "A3",
           "Σ = I: L(𝟙) − L* = d (Q𝟙 − (rᵀ𝟙)z)ᵀA(Q𝟙 − (rᵀ𝟙)z) / (Qδ 𝟙ᵀA𝟙) with z = adj(A)r",
           _levels(_N2, _N3, _N3),
           general="W5.gap at ω = 𝟙: every n (d symbolic); zero iff A⁻¹r ∝ 𝟙")
@_cached
def a3_uniform_gap(n: int, *, matrix=identity_cov_matrix_claim) -> Identity:
    t0 = time.perf_counter()
    st = _iso_setting(n)
    K = st.K
    one_sub = [(st.lam, K.one)] + [(x, K.one) for x in st.w]
    A = matrix(st.R, st.d, st.s2)
    adj, delta = _adj_det(A, K)
    z = _matvec(adj, st.r, K.zero)
    Q = ring_sum((st.r[i] * z[i] for i in range(n)), K.zero)
    ones = [K.one] * n
    c1 = ring_sum(st.r, K.zero)
    q1 = _quad(A, ones, ones, K.zero)
    L1 = (Frac(st.tau) - Frac(st.d * st.c * st.c, st.a * st.lam + st.b)).compose(one_sub)
    L_star = Frac(st.d + st.s2) - Frac(st.d * Q, delta)
    e = [Q - c1 * z[i] for i in range(n)]
    gap = Frac(st.d * _quad(A, e, e, K.zero), Q * delta * q1)
    return Identity("L_LinAtt − L* = d eᵀAe/(Qδ 𝟙ᵀA𝟙)", {"n": n}, L1 - L_star, gap, time.perf_counter() - t0)


@_register("A3.single_task", "A3", "single task (R = 𝟙𝟙ᵀ, r = 𝟙), Σ = I: linear attention is WPGD-optimal, L(𝟙) = L*",
           _levels(_N3, _N3, sizes_grid(n=[1, 2, 3, 4])),
           general="A𝟙 = (n + d + 1 + σ²)𝟙 ∝ r for every n, so A⁻¹r ∝ 𝟙")
@_cached
def a3_single_task(n: int, *, matrix=identity_cov_matrix_claim) -> Identity:
    t0 = time.perf_counter()
    st = _iso_setting(n)
    K = st.K
    sub = [(st.lam, K.one)] + [(st.R[i][j], K.one) for i in range(n) for j in range(i + 1, n)] + \
        [(x, K.one) for x in st.r]
    A = matrix(st.R, st.d, st.s2)
    A = [[v.compose(sub) for v in row] for row in A]
    adj, delta = _adj_det(A, K)
    ones = [K.one] * n
    Q = ring_sum(_matvec(adj, ones, K.zero), K.zero)
    L_star = Frac(st.d + st.s2) - Frac(st.d * Q, delta)
    L1 = (Frac(st.tau) - Frac(st.d * st.c * st.c, st.a * st.lam + st.b)).compose(sub + [(x, K.one) for x in st.w])
    return Identity("L(𝟙) = L* for a single task", {"n": n}, L1, L_star, time.perf_counter() - t0)


_SEGMENTS = [(1, 1), (1, 2), (2, 2), (1, 1, 1), (1, 2, 1)]


@_register("A4.taskwise_optimum", "A4",
           "task models: ω(μ) = (R + (1+μ)I)⁻¹r = E(ρN + (1+μ)I)⁻¹ r_task is constant on each segment",
           _levels([{"sizes": s} for s in _SEGMENTS[:3]], [{"sizes": s} for s in _SEGMENTS],
                   [{"sizes": s} for s in _SEGMENTS + [(2, 3), (2, 2, 2), (1, 1, 1, 1)]]),
           general="(EρEᵀ + sI)E y = E(ρN + sI)y with N = EᵀE = diag(n_k): every segment structure",
           scope_text={"quick": "segment sizes (1,1), (1,2), (2,2)",
                       "default": "segment sizes (1,1), (1,2), (2,2), (1,1,1), (1,2,1)",
                       "thorough": "8 segment structures, K ≤ 4, n ≤ 6"})
@_cached
def a4_taskwise_optimum(sizes: tuple, *, reduced=reduced_task_matrix_claim) -> Identity:
    r"""``(EρEᵀ + sI) · E adj(ρN + sI) r_task = det(ρN + sI) · E r_task`` with ``s = 1 + μ``
    symbolic, ``ρ`` a symbolic correlation matrix, ``E`` the segment indicator."""
    t0 = time.perf_counter()
    Kt = len(sizes)
    rho = correlation_matrix("rho", Kt)
    rt = vector("r^task", Kt)
    s_sym = sp.Symbol("s")
    syms = [rho[i, j] for i in range(Kt) for j in range(i + 1, Kt)] + rt + [s_sym]
    K = PolyRing(syms, ZZ)
    P = [[K(rho[i, j]) for j in range(Kt)] for i in range(Kt)]
    r_t = [K(v) for v in rt]
    s = K(s_sym)
    task_of = [k for k, m in enumerate(sizes) for _ in range(m)]
    n = len(task_of)
    Rn = [[P[task_of[i]][task_of[j]] + (s if i == j else 0) for j in range(n)] for i in range(n)]
    small = reduced(P, sizes, s)
    adj, delta = _adj_det(small, K)
    y = _matvec(adj, r_t, K.zero)
    w = [y[task_of[i]] for i in range(n)]
    lhs = _matvec(Rn, w, K.zero)
    rhs = [delta * r_t[task_of[i]] for i in range(n)]
    return Identity("(R + sI) E adj(ρN + sI) r_task = det(ρN + sI) r", {"sizes": sizes}, lhs, rhs,
                    time.perf_counter() - t0)
