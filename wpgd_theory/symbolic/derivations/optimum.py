r"""Fixed-size derivations of W4–W6 (``proofs/optimum.py``): stationary points, the isotropic
optimum and the Lagrange gap, ``r = 0``.

See :mod:`wpgd_theory.symbolic.derivations` for what a derivation compares."""

from __future__ import annotations

import time
from dataclasses import dataclass

import sympy as sp
from sympy.polys.matrices import DomainMatrix
from sympy.polys.rings import PolyRing

from ..algebra import (
    Frac,
    Identity,
    correlation_matrix,
    ring_mul,
    ring_prod,
    ring_sum,
    sizes_grid,
    vector,
)
from .core import (
    NOISE,
    ZZ,
    _cached,
    _levels,
    _register,
    engine_risk,
    h_claim,
    identity_cov_matrix_claim,
    isotropic_matrix_claim,
    profile_claim,
    risk_closed_form,
    risk_problem,
    stationary_matrix_claim,
    weight_moments_claim,
)
from .risk import (
    _DN3,
)


# ------------------------------------------------------------------------------ W6
@_register("W6.zero_r", "W6", "with r = 0 the risk is τ + tr(PᵀΣPM) ≥ τ for every ω",
           _levels(sizes_grid(d=[1, 2], n=[1, 2]), _DN3, _DN3),
           general="immediate from W1 for every d, n")
@_cached
def w6_zero_r(d: int, n: int, *, closed_form=risk_closed_form) -> Identity:
    t0 = time.perf_counter()
    pb = risk_problem(d, n)
    L = engine_risk(d, n)
    K = L.ring
    lhs = L.compose([(K(v), K.zero) for v in pb.r])
    S, P, R, r, w, tau = pb.matrices()
    c, a, b = weight_moments_claim(R, r, w, tau)
    rhs = closed_form(S, P, K.zero, a, b, tau)
    return Identity("L(P, ω)|_{r=0} = τ + tr(PᵀΣPM)", {"d": d, "n": n}, lhs, rhs, time.perf_counter() - t0)


# =====================================================================================
# W4: stationary points of the profile risk (Σ = diag(λ), the eigenbasis)
# =====================================================================================
@dataclass(frozen=True)
class _OmegaSetting:
    d: int
    n: int
    K: PolyRing
    lams: tuple
    w: tuple
    R: tuple
    r: tuple
    s2: object
    tau: object
    c: object
    a: object
    b: object
    RIw: tuple  # (R + I) ω
    w_syms: tuple


@_cached
def _omega_setting(d: int, n: int) -> _OmegaSetting:
    lam_syms = vector("lambda", d)
    w_syms = vector("omega", n)
    Rm = correlation_matrix("R", n)
    r_syms = vector("r", n)
    syms = lam_syms + w_syms + [Rm[i, j] for i in range(n) for j in range(i + 1, n)] + r_syms + [NOISE]
    K = PolyRing(syms, ZZ)
    lams = tuple(K(s) for s in lam_syms)
    w = tuple(K(s) for s in w_syms)
    R = tuple(tuple(K(Rm[i, j]) for j in range(n)) for i in range(n))
    r = tuple(K(s) for s in r_syms)
    s2 = K(NOISE)
    tau = ring_sum(lams, K.zero) + s2
    c = ring_sum((r[i] * w[i] for i in range(n)), K.zero)
    RIw = tuple(ring_sum((R[i][j] * w[j] for j in range(n)), K.zero) + w[i] for i in range(n))
    a = ring_sum((w[i] * RIw[i] for i in range(n)), K.zero)
    b = tau * ring_sum((x * x for x in w), K.zero)
    return _OmegaSetting(d, n, K, lams, w, R, r, s2, tau, c, a, b, RIw, tuple(w_syms))


def _cleared_profile_gradient(st: _OmegaSetting, profile=profile_claim):
    r"""``G = D² ∇_ω L`` for ``L = τ − c² N/D`` (quotient rule, exact ring derivatives)."""
    return _cleared_profile_gradient_cached(st.d, st.n, profile)


@_cached
def _cleared_profile_gradient_cached(d: int, n: int, profile):
    st = _omega_setting(d, n)
    N, D = profile(st.lams, st.c, st.a, st.b)
    c2N = st.c * st.c * N
    return [-(ring_mul(c2N.diff(x), D) - ring_mul(c2N, D.diff(x))) for x in st.w], N, D


def _cleared_A(st: _OmegaSetting, power: int):
    r"""``D² A_p = Σ_j λ_j^p Π_{k≠j} (aλ_k + b)²`` (``A_p = Σ λ^p/(aλ+b)²``)."""
    K = st.K
    den = [st.a * lam + st.b for lam in st.lams]
    return ring_sum((st.lams[j] ** power * ring_prod((den[k] ** 2 for k in range(st.d) if k != j), K.one)
                     for j in range(st.d)), K.zero)


_W4_DEFAULT = sizes_grid(d=[1, 2], n=[1, 2, 3]) + sizes_grid(d=[3], n=[1, 2])


@_register("W4.gradient", "W4",
           "∇_ω L = −2(rᵀω)[φ r − (rᵀω) A₃ (R + (1+μ)I) ω] with μ = τ A₂/A₃",
           _levels(sizes_grid(d=[1, 2], n=[1, 2]), _W4_DEFAULT, _DN3),
           general="chain rule through (c, a, b) with ∇c = r, ∇a = 2(R+I)ω, ∇b = 2τω and the partials of "
                   "W4.partials; every d, n. Here confirmed at concrete sizes, denominators cleared by D²")
@_cached
def w4_gradient(d: int, n: int, *, stationary_matrix=stationary_matrix_claim, profile=profile_claim) -> Identity:
    r"""``D² ∇L = −2c (N D r − c V)`` with ``V = D² A₃ (R + (1+μ)I) ω``; the claimed
    ``μ = τA₂/A₃`` enters as ``D²A₃ μ = τ D²A₂``, so ``V = D²A₃ (R+I)ω + τ D²A₂ ω`` when
    the claimed matrix is ``R + (1+μ)I`` (a mutant matrix changes ``V``)."""
    t0 = time.perf_counter()
    st = _omega_setting(d, n)
    G, N, D = _cleared_profile_gradient(st, profile)
    V = _cleared_V(st, stationary_matrix)
    rhs = [-2 * st.c * (N * D * st.r[i] - st.c * V[i]) for i in range(n)]
    return Identity("D²∇L = −2c(φD² r − c D²A₃(R+(1+μ)I)ω)", {"d": d, "n": n}, G, rhs, time.perf_counter() - t0)


def _cleared_V(st: _OmegaSetting, stationary_matrix=stationary_matrix_claim):
    r"""``V = D²A₃ · (R + (1+μ)I) ω`` with ``μ = τA₂/A₃``, computed from the claimed matrix
    with ``μ`` as a :class:`Frac` and then multiplied by ``D²A₃`` (exact division checked)."""
    return _cleared_V_cached(st.d, st.n, stationary_matrix)


def _times_exact(f: Frac, factor):
    """``f · factor`` as a polynomial, where ``f.den`` divides ``factor · f.num`` exactly."""
    if f.den == factor:
        return f.num
    if f.den == 1:
        return f.num * factor
    q, rem = (f.num * factor).div(f.den)
    if rem:
        raise ArithmeticError("expected an exact polynomial quotient")
    return q


@_cached
def _cleared_V_cached(d: int, n: int, stationary_matrix):
    st = _omega_setting(d, n)
    A3 = _cleared_A(st, 3)
    A2 = _cleared_A(st, 2)
    mu = Frac(st.tau * A2, A3)
    Rf = [[Frac(x) for x in row] for row in st.R]
    Mat = stationary_matrix(Rf, mu)
    out = []
    for i in range(st.n):
        vi = ring_sum((Mat[i][j] * Frac(st.w[j]) for j in range(st.n)), Frac(st.K.zero))
        out.append(_times_exact(vi, A3))
    return out


@_register("W4.same_system", "W4",
           "{∇L = 0} and {(R + (1+μ)I)ω ∥ r} generate each other (c ≠ 0)",
           _levels(sizes_grid(d=[1, 2], n=[2]), _W4_DEFAULT, _DN3),
           general="∇L = −2cA₃ Σ_j ω_j (v_j r − r_j v) uses φ = A₃ ωᵀv (from φ = aA₃ + bA₂) and "
                   "r_i∇_jL − r_j∇_iL = 2c²A₃ (v_j r_i − v_i r_j) is linear algebra: every d, n")
@_cached
def w4_same_system(d: int, n: int, *, stationary_matrix=stationary_matrix_claim) -> list:
    r"""With ``G = D²∇L`` and ``V = D²A₃ v``, ``v = (R + (1+μ)I)ω``:

    * ``G_i = −2c Σ_j ω_j (V_j r_i − r_j V_i)`` (the gradient lies in the ideal of the 2×2
      minors of ``[V, r]``), and
    * ``r_i G_j − r_j G_i = 2c² (V_j r_i − V_i r_j)`` (``c²`` times each minor lies in the
      ideal of the gradient).
    """
    t0 = time.perf_counter()
    st = _omega_setting(d, n)
    G, _, _ = _cleared_profile_gradient(st)
    V = _cleared_V(st, stationary_matrix)
    r, w, c = st.r, st.w, st.c
    zero = st.K.zero
    lhs1 = G
    rhs1 = [-2 * c * ring_sum((w[j] * (V[j] * r[i] - r[j] * V[i]) for j in range(n)), zero) for i in range(n)]
    pairs = [(i, j) for i in range(n) for j in range(i + 1, n)]
    lhs2 = [r[i] * G[j] - r[j] * G[i] for i, j in pairs]
    rhs2 = [2 * c * c * (V[j] * r[i] - V[i] * r[j]) for i, j in pairs]
    secs = time.perf_counter() - t0
    return [Identity("∇L ∈ ⟨minors of [v, r]⟩", {"d": d, "n": n}, lhs1, rhs1, secs / 2),
            Identity("c² · minors ∈ ⟨∇L⟩", {"d": d, "n": n}, lhs2, rhs2, secs / 2)]


@_cached
def _abstract_setting(d: int):
    lam_syms = vector("lambda", d)
    c, a, b, tau, t = sp.symbols("c a b tau t")
    K = PolyRing(lam_syms + [c, a, b, tau, t], ZZ)
    return K, [K(s) for s in lam_syms], K(c), K(a), K(b), K(tau), K(t)


def _A_frac(lams, a, b, power):
    K = a.ring
    return ring_sum((Frac(lam**power, (a * lam + b) ** 2) for lam in lams), Frac(K.zero))


@_register("W4.partials", "W4",
           "F(c,a,b) = τ − c²φ(a,b): ∂F/∂c = −2cφ, ∂F/∂a = c²A₃, ∂F/∂b = c²A₂, and φ = aA₃ + bA₂",
           _levels(sizes_grid(d=[1, 2]), sizes_grid(d=[1, 2, 3]), sizes_grid(d=[1, 2, 3, 4])),
           general="each identity is a sum over j of the same identity for one eigenvalue, so d = 1 with a "
                   "symbolic λ proves it for every d; and (c, a, b) are free, so for every n")
@_cached
def w4_partials(d: int, *, profile=profile_claim) -> list:
    t0 = time.perf_counter()
    K, lams, c, a, b, tau, _ = _abstract_setting(d)
    N, D = profile(lams, c, a, b)
    F = Frac(tau) - Frac(c * c * N, D)
    phi = Frac(N, D)
    A3 = _A_frac(lams, a, b, 3)
    A2 = _A_frac(lams, a, b, 2)
    ids = [
        ("∂F/∂c = −2cφ", F.diff(c), Frac(-2 * c) * phi),
        ("∂F/∂a = c²A₃", F.diff(a), Frac(c * c) * A3),
        ("∂F/∂b = c²A₂", F.diff(b), Frac(c * c) * A2),
        ("φ = aA₃ + bA₂", phi, Frac(a) * A3 + Frac(b) * A2),
    ]
    secs = (time.perf_counter() - t0) / len(ids)
    return [Identity(name, {"d": d}, lhs, rhs, secs) for name, lhs, rhs in ids]


@_register("W4.mu", "W4", "τ A₂/A₃ = τ h(b/a), h(t) = Σλ²/(λ+t)² / Σλ³/(λ+t)²",
           _levels(sizes_grid(d=[1, 2]), sizes_grid(d=[1, 2, 3]), sizes_grid(d=[1, 2, 3, 4])),
           general="(aλ + b)² = a²(λ + t)² term by term: every d")
@_cached
def w4_mu(d: int, *, h=h_claim) -> Identity:
    t0 = time.perf_counter()
    K, lams, c, a, b, tau, _ = _abstract_setting(d)
    lhs = Frac(tau) * _A_frac(lams, a, b, 2) / _A_frac(lams, a, b, 3)
    rhs = Frac(tau) * h(lams, Frac(b, a))
    return Identity("τA₂/A₃ = τh(b/a)", {"d": d}, lhs, rhs, time.perf_counter() - t0)


@_register("W4.euler", "W4", "ωᵀ∇L = 0 (degree-0 homogeneity) and ωᵀ(R + (1+μ)I)ω = φ/A₃",
           _levels(sizes_grid(d=[1, 2], n=[1, 2]), _W4_DEFAULT, _DN3),
           general="Euler's identity for a degree-0 homogeneous function, and φ = aA₃ + bA₂: every d, n")
@_cached
def w4_euler(d: int, n: int, *, stationary_matrix=stationary_matrix_claim) -> list:
    t0 = time.perf_counter()
    st = _omega_setting(d, n)
    G, N, D = _cleared_profile_gradient(st)
    lhs1 = ring_sum((st.w[i] * G[i] for i in range(n)), st.K.zero)
    V = _cleared_V(st, stationary_matrix)
    lhs2 = ring_sum((st.w[i] * V[i] for i in range(n)), st.K.zero)  # D²A₃ ωᵀv
    rhs2 = N * D  # D² φ
    secs = time.perf_counter() - t0
    return [Identity("ωᵀ∇L = 0", {"d": d, "n": n}, lhs1, 0, secs / 2),
            Identity("A₃ ωᵀ(R+(1+μ)I)ω = φ", {"d": d, "n": n}, lhs2, rhs2, secs / 2)]


# =====================================================================================
# W5: Σ = λI (d symbolic)
# =====================================================================================
@dataclass(frozen=True)
class _IsoSetting:
    n: int
    K: PolyRing
    d: object
    lam: object
    s2: object
    w: tuple
    R: tuple
    r: tuple
    tau: object
    c: object
    a: object
    b: object


@_cached
def _iso_setting(n: int) -> _IsoSetting:
    w_syms = vector("omega", n)
    Rm = correlation_matrix("R", n)
    r_syms = vector("r", n)
    d_sym, lam_sym = sp.symbols("d lambda")
    syms = [d_sym, lam_sym, NOISE] + w_syms + [Rm[i, j] for i in range(n) for j in range(i + 1, n)] + r_syms
    K = PolyRing(syms, ZZ)
    d, lam, s2 = K(d_sym), K(lam_sym), K(NOISE)
    w = tuple(K(s) for s in w_syms)
    R = tuple(tuple(K(Rm[i, j]) for j in range(n)) for i in range(n))
    r = tuple(K(s) for s in r_syms)
    tau = d * lam + s2
    c = ring_sum((r[i] * w[i] for i in range(n)), K.zero)
    a = ring_sum((w[i] * (R[i][j] + (1 if i == j else 0)) * w[j] for i in range(n) for j in range(n)), K.zero)
    b = tau * ring_sum((x * x for x in w), K.zero)
    return _IsoSetting(n, K, d, lam, s2, w, R, r, tau, c, a, b)


def _quad(A, u, v, zero):
    n = len(u)
    return ring_sum((u[i] * A[i][j] * v[j] for i in range(n) for j in range(n)), zero)


def _matvec(A, v, zero):
    return [ring_sum((A[i][j] * v[j] for j in range(len(v))), zero) for i in range(len(A))]


def _adj_det(A, K):
    M = DomainMatrix([list(row) for row in A], (len(A), len(A)), K.to_domain())
    return M.adjugate().to_list(), M.det()


@_register("W5.isotropic_mu", "W5", "Σ = λI: h ≡ 1/λ, so the W4 equation has the single root μ = d + σ²/λ",
           _levels([{}], [{}], [{}]), general="d is a symbol: every d", scope_text={
               "quick": "d symbolic", "default": "d symbolic", "thorough": "d symbolic"})
@_cached
def w5_isotropic_mu(*, h=None) -> list:
    r"""With all ``d`` eigenvalues equal to ``λ``: ``h(t) = dλ²/(λ+t)² / (dλ³/(λ+t)²) = 1/λ``
    and ``τ h = (dλ + σ²)/λ = d + σ²/λ``."""
    t0 = time.perf_counter()
    d_sym, lam_sym, t_sym = sp.symbols("d lambda t")
    K = PolyRing([d_sym, lam_sym, t_sym, NOISE], ZZ)
    d, lam, t, s2 = K(d_sym), K(lam_sym), K(t_sym), K(NOISE)
    if h is None:
        hval = Frac(d * lam**2, (lam + t) ** 2) / Frac(d * lam**3, (lam + t) ** 2)
    else:
        hval = h([lam], Frac(t))
    tau = d * lam + s2
    secs = time.perf_counter() - t0
    return [Identity("h(t) = 1/λ", {}, hval, Frac(K.one, lam), secs / 2),
            Identity("τ h(t) = d + σ²/λ", {}, Frac(tau) * hval, Frac(d * lam + s2, lam), secs / 2)]


_N2 = sizes_grid(n=[1, 2])
_N3 = sizes_grid(n=[1, 2, 3])


@_register("W5.quadratic", "W5", "Σ = λI: aλ + b = λ ωᵀAω, A = R + (d + 1 + σ²/λ) I",
           _levels(_N3, _N3, sizes_grid(n=[1, 2, 3, 4])),
           general="ωᵀ(R+I)ω λ + (dλ + σ²)‖ω‖² regrouped: every n (d symbolic)")
@_cached
def w5_quadratic(n: int, *, isotropic_matrix=isotropic_matrix_claim) -> Identity:
    t0 = time.perf_counter()
    st = _iso_setting(n)
    Al = isotropic_matrix(st.R, st.d, st.lam, st.s2)
    lhs = st.a * st.lam + st.b
    rhs = _quad(Al, st.w, st.w, st.K.zero)
    return Identity("aλ + b = ωᵀ(λA)ω", {"n": n}, lhs, rhs, time.perf_counter() - t0)


def _iso_profile_cleared_gradient(st: _IsoSetting):
    r"""``L = τ − d λ² c² / (aλ + b)``; returns ``(D² ∇L, N, D)`` with ``N = dλ²``."""
    D = st.a * st.lam + st.b
    c2N = st.c * st.c * st.d * st.lam**2
    return [-(c2N.diff(x) * D - c2N * D.diff(x)) for x in st.w], st.d * st.lam**2, D


@_register("W5.optimum", "W5",
           "Σ = λI: ω* = (R + (d+1+σ²/λ)I)⁻¹ r is stationary, with L* = τ − dλ rᵀA⁻¹r",
           _levels(_N2, _N3, _N3),
           general="A ω* = r gives aλ + b = λ rᵀA⁻¹r and c = rᵀA⁻¹r: every n (d symbolic)")
@_cached
def w5_optimum(n: int, *, isotropic_matrix=isotropic_matrix_claim) -> list:
    r"""At ``z = adj(λA) r`` (∝ ``A⁻¹r``): ``D²∇L(z) = 0`` and ``L(z) = τ − dλ² Q/δ`` with
    ``δ = det(λA)``, ``Q = rᵀ adj(λA) r`` (so ``rᵀ(λA)⁻¹r = Q/δ`` and ``dλ² Q/δ = dλ rᵀA⁻¹r``)."""
    t0 = time.perf_counter()
    st = _iso_setting(n)
    K = st.K
    Al = isotropic_matrix(st.R, st.d, st.lam, st.s2)
    adj, delta = _adj_det(Al, K)
    z = _matvec(adj, st.r, K.zero)
    sub = [(x, zi) for x, zi in zip(st.w, z)]
    G, N, D = _iso_profile_cleared_gradient(st)
    grad_at_z = [g.compose(sub) for g in G]
    Q = ring_sum((st.r[i] * z[i] for i in range(n)), K.zero)
    Dz = D.compose(sub)
    cz = st.c.compose(sub)
    L_at_z = Frac(st.tau) - Frac(N * cz * cz, Dz)
    L_star = Frac(st.tau) - Frac(N * Q, delta)
    secs = time.perf_counter() - t0
    return [Identity("∇L(A⁻¹r) = 0", {"n": n}, grad_at_z, [0] * n, secs / 2),
            Identity("L(A⁻¹r) = τ − dλ rᵀA⁻¹r", {"n": n}, L_at_z, L_star, secs / 2)]


@_register("W5.gap", "W5",
           "Σ = λI: L(ω) − L* = dλ² (Qω − cz)ᵀ(λA)(Qω − cz) / (Q δ ωᵀ(λA)ω) ≥ 0, zero iff ω ∝ A⁻¹r",
           _levels(_N2, _N3, _N3),
           general="Lagrange's identity q·eᵀAe = q ωᵀAω − (rᵀω)² for e = ω − (c/q)A⁻¹r: every n")
@_cached
def w5_gap(n: int, *, isotropic_matrix=isotropic_matrix_claim) -> list:
    r"""``z = adj(λA) r``, ``δ = det(λA)``, ``Q = rᵀz``, ``c = rᵀω``:

    * ``Q (Q ωᵀ(λA)ω − c² δ) = (Qω − cz)ᵀ (λA) (Qω − cz)`` (polynomial), and
    * ``L(ω) − (τ − dλ² Q/δ) = dλ² (Qω − cz)ᵀ(λA)(Qω − cz) / (Q δ ωᵀ(λA)ω)`` (rational).
    """
    t0 = time.perf_counter()
    st = _iso_setting(n)
    K = st.K
    Al = isotropic_matrix(st.R, st.d, st.lam, st.s2)
    adj, delta = _adj_det(Al, K)
    z = _matvec(adj, st.r, K.zero)
    Q = ring_sum((st.r[i] * z[i] for i in range(n)), K.zero)
    c = st.c
    qf = _quad(Al, st.w, st.w, K.zero)
    e = [Q * st.w[i] - c * z[i] for i in range(n)]
    eAe = _quad(Al, e, e, K.zero)
    lagrange_lhs = Q * (Q * qf - c * c * delta)
    N = st.d * st.lam**2
    L = Frac(st.tau) - Frac(N * c * c, st.a * st.lam + st.b)
    L_star = Frac(st.tau) - Frac(N * Q, delta)
    gap_rhs = Frac(N * eAe, Q * delta * qf)
    secs = time.perf_counter() - t0
    return [Identity("Q(Q ωᵀAω − c²δ) = (Qω − cz)ᵀA(Qω − cz)", {"n": n}, lagrange_lhs, eAe, secs / 2),
            Identity("L(ω) − L* = dλ² eᵀAe/(Qδ ωᵀAω)", {"n": n}, L - L_star, gap_rhs, secs / 2)]


@_register("W5.identity_cov", "W5", "Σ = I: L* = d + σ² − d rᵀ(R + (d+1+σ²)I)⁻¹ r",
           _levels(_N3, _N3, _N3), general="W5.optimum at λ = 1: every n (d symbolic)")
@_cached
def w5_identity_cov(n: int, *, matrix=identity_cov_matrix_claim) -> Identity:
    r"""The profile risk at ``λ = 1`` evaluated at ``z = adj(R + (d+1+σ²)I) r`` against the
    stated ``d + σ² − d rᵀ(R + (d+1+σ²)I)⁻¹ r`` (matrix written independently here)."""
    t0 = time.perf_counter()
    st = _iso_setting(n)
    K = st.K
    one_sub = [(st.lam, K.one)]
    A1 = matrix(st.R, st.d, st.s2)
    adj, delta = _adj_det(A1, K)
    z = _matvec(adj, st.r, K.zero)
    sub = [(x, zi) for x, zi in zip(st.w, z)]
    c = st.c.compose(sub)
    D = (st.a * st.lam + st.b).compose(one_sub).compose(sub)
    L_at_z = Frac(st.d + st.s2) - Frac(st.d * c * c, D)
    Q = ring_sum((st.r[i] * z[i] for i in range(n)), K.zero)
    stated = Frac(st.d + st.s2) - Frac(st.d * Q, delta)
    return Identity("L* = d + σ² − d rᵀ(R+(d+1+σ²)I)⁻¹r", {"n": n}, L_at_z, stated, time.perf_counter() - t0)


# =====================================================================================
# A1, A3, A4: the landscape of the weights (Σ = I; task models)
