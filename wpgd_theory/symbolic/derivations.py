r"""Symbolic derivations of the claims of THEORY.md §4 (G1–G4, W1–W6, A1, A3).

Every derivation compares two *independently* obtained exact expressions:

* the left side is computed from the **definitions** — an expectation by the Isserlis
  engine (:mod:`.moments`), a derivative by differentiation, a GLA output by running the
  recurrence (:mod:`.recurrences`);
* the right side is the **claimed formula** of THEORY.md, written once in this module as a
  small function (:func:`risk_closed_form`, :func:`gate_weights_claim`, ...).

They agree when ``lhs − rhs`` is the zero polynomial (an exact identity over the
integers; rational functions are compared by cross-multiplication, see
:class:`~.algebra.Frac`).  Each claimed formula is a keyword argument of its
derivation, so the tests can substitute a wrong formula (a *mutant*) and see it rejected.

All entries are symbolic: ``Σ`` (symmetric), ``R`` (symmetric, unit diagonal), ``r``,
``P``, ``ω``, ``σ²``, gates, features, labels.  Sizes are small (listed per derivation in
:data:`DERIVATIONS`); the proofs in ``proofs/`` give the argument for general sizes and
say which steps the small sizes prove outright (e.g. identities that hold term by term).

Results are cached (``functools.lru_cache``) per size and formula, so the claims
registry, the proof checker and the tests share one computation per process;
:func:`clear_caches` resets them (benchmarks use it to time cold runs).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache

import sympy as sp
from sympy.polys.matrices import DomainMatrix
from sympy.polys.rings import PolyRing

from .algebra import (
    Frac,
    Identity,
    correlation_matrix,
    dm,
    dm_eye,
    dm_trace,
    full_matrix,
    ring_prod,
    ring_sum,
    sizes_grid,
    symmetric_matrix,
    vector,
)
from .moments import GaussianMoments
from .recurrences import GLALayer, causal_wpgd, gate_products, gla_forward, gla_layer, wpgd_one_step

__all__ = [
    "Derivation",
    "DERIVATIONS",
    "LEVELS",
    "derivation",
    "run_derivation",
    "clear_caches",
    "risk_problem",
    "engine_risk",
    # claimed formulas (THEORY.md), replaceable by mutants in the tests
    "weight_moments_claim",
    "risk_closed_form",
    "second_moment_claim",
    "isserlis_claim",
    "gradient_claim",
    "optimal_preconditioner_claim",
    "ridge_preconditioner_claim",
    "profile_claim",
    "h_claim",
    "stationary_matrix_claim",
    "isotropic_matrix_claim",
    "gate_weights_claim",
    "gates_from_weights_claim",
    "causal_weights_claim",
    "key_gating_claim",
    "hessian_claim",
    "identity_cov_matrix_claim",
    "reduced_task_matrix_claim",
    "label_variance_claim",
]

LEVELS = ("quick", "default", "thorough")
ZZ = sp.ZZ
NOISE = sp.Symbol("sigma^2")


# =====================================================================================
# Registry of derivations
# =====================================================================================
@dataclass(frozen=True)
class Derivation:
    """A symbolic derivation: a function of sizes returning :class:`Identity` objects.

    ``sizes[level]`` lists the sizes it is run at per level (``quick``, ``default``,
    ``thorough``); ``general`` says how the result extends beyond them (or that it does
    not), in one sentence for the proofs and the report.
    """

    key: str
    claim: str
    title: str
    func: Callable
    sizes: Mapping
    general: str = ""
    scope_text: Mapping = field(default_factory=dict)

    def run(self, level: str = "default", **overrides) -> list:
        if level not in LEVELS:
            raise ValueError(f"level must be one of {LEVELS}, got {level!r}")
        out = []
        for size in self.sizes[level]:
            t0 = time.perf_counter()
            res = self.func(**size, **overrides)
            secs = time.perf_counter() - t0
            items = res if isinstance(res, list) else [res]
            for it in items:
                if not it.seconds:
                    it.seconds = secs / len(items)
            out.extend(items)
        return out

    def __call__(self):
        return self.run("default")

    def scope(self, level: str = "default") -> str:
        """Human-readable coverage, e.g. ``"d ≤ 3, n ≤ 3"``."""
        if level in self.scope_text:
            return self.scope_text[level]
        return describe_sizes(self.sizes[level])


def describe_sizes(sizes: Sequence[Mapping]) -> str:
    """``[{d:1,n:1}, …]`` → ``"d ≤ 3, n ≤ 3"`` (or a union of such boxes)."""
    sizes = list(sizes)
    if not sizes or not sizes[0]:
        return "general (no size parameter)"
    keys = list(sizes[0])
    if len(keys) == 1:
        k = keys[0]
        vals = sorted({s[k] for s in sizes})
        return f"{k} ≤ {vals[-1]}" if vals == list(range(vals[0], vals[-1] + 1)) and vals[0] <= 1 else \
            f"{k} ∈ {{{', '.join(map(str, vals))}}}"
    k0, rest = keys[0], keys[1:]
    by: dict = {}
    for s in sizes:
        by.setdefault(s[k0], []).append({k: s[k] for k in rest})
    parts: list = []
    groups: list = []
    for v0 in sorted(by):
        desc = describe_sizes(by[v0])
        if groups and groups[-1][1] == desc and groups[-1][0][-1] == v0 - 1:
            groups[-1][0].append(v0)
        else:
            groups.append(([v0], desc))
    for vals, desc in groups:
        if len(vals) == 1:
            parts.append(f"{k0} = {vals[0]}, {desc}")
        elif vals[0] <= 1:
            parts.append(f"{k0} ≤ {vals[-1]}, {desc}")
        else:
            parts.append(f"{vals[0]} ≤ {k0} ≤ {vals[-1]}, {desc}")
    return "; ".join(parts)


DERIVATIONS: dict = {}


def _register(key, claim, title, sizes, general="", scope_text=None):
    def deco(func):
        DERIVATIONS[key] = Derivation(key, claim, title, func, sizes, general, scope_text or {})
        return func

    return deco


def derivation(key: str) -> Derivation:
    try:
        return DERIVATIONS[key]
    except KeyError:
        raise KeyError(f"unknown derivation {key!r}; known: {', '.join(DERIVATIONS)}") from None


def run_derivation(key: str, level: str = "default", **overrides) -> list:
    return derivation(key).run(level, **overrides)


_CACHED: list = []


def _cached(func):
    wrapped = lru_cache(maxsize=None)(func)
    _CACHED.append(wrapped)
    return wrapped


def clear_caches() -> None:
    """Forget every cached derivation and engine (for cold timings)."""
    for f in _CACHED:
        f.cache_clear()


def _levels(quick, default, thorough) -> dict:
    return {"quick": tuple(quick), "default": tuple(default), "thorough": tuple(thorough)}


# =====================================================================================
# Claimed formulas (THEORY.md).  Each is written once; derivations take them as defaults.
# =====================================================================================
def weight_moments_claim(R: DomainMatrix, r: DomainMatrix, w: DomainMatrix, tau):
    r"""``(c, a, b) = (rᵀω, ωᵀ(R + I)ω, τ‖ω‖²)`` (W1)."""
    one = DomainMatrix.eye(R.shape[0], R.domain)
    c = (r.transpose() * w).to_list_flat()[0]
    a = (w.transpose() * (R + one) * w).to_list_flat()[0]
    b = tau * (w.transpose() * w).to_list_flat()[0]
    return c, a, b


def second_moment_claim(S: DomainMatrix, a, b) -> DomainMatrix:
    r"""``M(ω) = a Σ² + b Σ`` (W1)."""
    return (S * S).scalarmul(a) + S.scalarmul(b)


def risk_closed_form(S: DomainMatrix, P: DomainMatrix, c, a, b, tau, *, second_moment=second_moment_claim):
    r"""``L = τ − 2 (rᵀω) tr(ΣPΣ) + tr(PᵀΣP M)`` (W1)."""
    M = second_moment(S, a, b)
    return tau - 2 * c * dm_trace(S * P * S) + dm_trace(P.transpose() * S * P * M)


def isserlis_claim(S: DomainMatrix, A: DomainMatrix) -> DomainMatrix:
    r"""``E[x xᵀ A x xᵀ] = ΣAΣ + ΣAᵀΣ + tr(AΣ) Σ`` for ``x ~ N(0, Σ)`` (W1, general d)."""
    return S * A * S + S * A.transpose() * S + S.scalarmul(dm_trace(A * S))


def gradient_claim(S: DomainMatrix, P: DomainMatrix, c, a, b) -> DomainMatrix:
    r"""``∂L/∂P = −2 (rᵀω) Σ² + 2 Σ P M(ω)`` (W3)."""
    return (S * S).scalarmul(-2 * c) + (S * P * second_moment_claim(S, a, b)).scalarmul(S.domain.convert(2))



def optimal_preconditioner_claim(S: DomainMatrix, c, a, b):
    r"""``P*(ω) = (rᵀω) Σ M⁻¹`` as ``(numerator matrix, denominator)``:
    ``c Σ adj(M) / det M`` (W3)."""
    M = second_moment_claim(S, a, b)
    return (S * M.adjugate()).scalarmul(c), M.det()


def ridge_preconditioner_claim(S: DomainMatrix, c, a, b):
    r"""``P*(ω) = (rᵀω)/a · (Σ + (b/a) I)⁻¹ = c (aΣ + bI)⁻¹`` as ``(c adj(aΣ+bI), det(aΣ+bI))`` (W3)."""
    K = S.domain
    N = S.scalarmul(a) + DomainMatrix.eye(S.shape[0], K).scalarmul(b)
    return N.adjugate().scalarmul(c), N.det()


def profile_claim(lams: Sequence, c, a, b):
    r"""Profile risk ``L(ω) = τ − c² Σ_j λ_j² / (a λ_j + b)`` as ``(N, D)`` with
    ``L = τ − c² N / D``, ``D = Π_j (aλ_j + b)``, ``N = Σ_j λ_j² Π_{k≠j}(aλ_k + b)`` (W3)."""
    den = [a * lam + b for lam in lams]
    one = den[0].ring.one
    D = ring_prod(den, one)
    N = ring_sum((lams[j] ** 2 * ring_prod((den[k] for k in range(len(den)) if k != j), one)
                  for j in range(len(den))), one * 0)
    return N, D


def h_claim(lams: Sequence, t):
    r"""``h(t) = Σ λ²/(λ+t)² / Σ λ³/(λ+t)²`` as a :class:`Frac` (``t`` may be a Frac) (W4)."""
    zero = Frac(lams[0].ring.zero)
    num = ring_sum((Frac(lam) ** 2 / (Frac(lam) + t) ** 2 for lam in lams), zero)
    den = ring_sum((Frac(lam) ** 3 / (Frac(lam) + t) ** 2 for lam in lams), zero)
    return num / den


def stationary_matrix_claim(R: list, mu) -> list:
    r"""``R + (1 + μ) I`` (W4): stationary ``ω ∝ (R + (1+μ)I)⁻¹ r``."""
    n = len(R)
    return [[R[i][j] + ((1 + mu) if i == j else 0) for j in range(n)] for i in range(n)]


def isotropic_matrix_claim(R: list, d, lam, s2) -> list:
    r"""``λ A`` with ``A = R + (d + 1 + σ²/λ) I`` (W5, ``Σ = λI``), scaled by ``λ`` to stay
    polynomial: ``λR + (λ(d+1) + σ²) I``."""
    n = len(R)
    return [[lam * R[i][j] + ((lam * (d + 1) + s2) if i == j else 0) for j in range(n)] for i in range(n)]


def gate_weights_claim(gates: Sequence, one) -> list:
    r"""One-layer weights ``ω_i = Π_{j=i+1}^{n+1} g_j`` (G1; the query's gate included)."""
    n = len(gates) - 1
    return [ring_prod(gates[i + 1:], one) for i in range(n)]


def gates_from_weights_claim(omega: Sequence, one) -> list:
    r"""Gates from monotone weights: ``g_{n+1} = ω_n``, ``g_{i+1} = ω_i/ω_{i+1}``, ``g_1 = 1`` (G2)."""
    n = len(omega)
    return [one] + [omega[i] / omega[i + 1] for i in range(n - 1)] + [omega[n - 1]]


def causal_weights_claim(gates: Sequence, one) -> list:
    r"""``ω_{ij} = Π_{k=j+1}^{i} g_k`` (G4), an ``(n+1) × n`` lower-triangular array."""
    return gate_products(gates, one)


def key_gating_claim(Xk: Sequence, y: Sequence, q: Sequence, gates: Sequence, one, zero):
    r"""``ŷ = Σ_i y_i (P_k x_i)ᵀ diag(γ_i) (P_q x)``, ``γ_i = ⊙_{j>i} g_j`` (G3).

    ``Xk[i] = P_k x_i`` and ``q = P_q x`` are given; ``gates[j]`` is the key-gate vector of
    token ``j`` (0-based over ``n+1`` tokens).
    """
    n = len(Xk)
    total = zero
    for i in range(n):
        for c in range(len(q)):
            gamma = ring_prod((gates[j][c] for j in range(i + 1, n + 1)), one)
            total = total + y[i] * Xk[i][c] * gamma * q[c]
    return total


def hessian_claim(M: list, S: list, d: int) -> list:
    r"""``∂²L/∂vec(P)² = 2 M ⊗ Σ`` for column-major ``vec`` (``P_ij ↦ i + d j``) (W3)."""
    order = [(i, j) for j in range(d) for i in range(d)]
    return [[2 * M[j][l] * S[i][k] for (k, l) in order] for (i, j) in order]


def identity_cov_matrix_claim(R: list, d, s2) -> list:
    r"""``A = R + (d + 1 + σ²) I`` (W5 at ``Σ = I``; A1, A3)."""
    n = len(R)
    return [[R[i][j] + ((d + 1 + s2) if i == j else 0) for j in range(n)] for i in range(n)]


def reduced_task_matrix_claim(rho: list, sizes: Sequence[int], s) -> list:
    r"""``ρN + sI`` with ``N = diag(n_k)``: the ``K × K`` system of task-wise weights (A4)."""
    K = len(sizes)
    return [[rho[k][l] * sizes[l] + (s if k == l else 0) for l in range(K)] for k in range(K)]


def label_variance_claim(S: DomainMatrix, noise):
    r"""``E[y²] = τ = tr Σ + σ²`` (W1)."""
    return dm_trace(S) + noise


# =====================================================================================
# The risk problem: symbols, Gaussian engine, prediction (W1, W2, W3, W6)
# =====================================================================================
@dataclass(frozen=True)
class RiskProblem:
    """Symbols and Gaussian engine of one-step WPGD at size ``(d, n)`` (THEORY §1–2)."""

    d: int
    n: int
    X: tuple  # n × d features
    xq: tuple  # query features
    B: tuple  # n × d task vectors
    bq: tuple  # query task vector
    xi: tuple  # n noises
    xiq: sp.Symbol
    Sigma: sp.Matrix
    R: sp.Matrix
    r: tuple
    P: sp.Matrix
    omega: tuple
    noise: sp.Symbol
    engine: GaussianMoments

    def g(self, s):
        """A symbol as an element of the engine's full ring."""
        return self.engine.ring(s)

    def p(self, s):
        """A symbol as an element of the parameter ring."""
        return self.engine.param_ring(s)

    def labels(self):
        """``y_i = x_iᵀβ_i + ξ_i`` and ``y = xᵀβ + ξ`` (full ring)."""
        g, d = self.g, self.d
        zero = self.engine.ring.zero
        ys = [ring_sum((g(self.X[i][a]) * g(self.B[i][a]) for a in range(d)), zero) + g(self.xi[i])
              for i in range(self.n)]
        yq = ring_sum((g(self.xq[a]) * g(self.bq[a]) for a in range(d)), zero) + g(self.xiq)
        return ys, yq

    def weighted_sum(self, ys):
        """``v = Xᵀ(ω ⊙ y)`` (full ring), the first WPGD step before ``P``."""
        g = self.g
        zero = self.engine.ring.zero
        return [ring_sum((g(self.omega[i]) * g(self.X[i][b]) * ys[i] for i in range(self.n)), zero)
                for b in range(self.d)]

    def prediction(self, ys):
        """``ŷ = xᵀ P Xᵀ(ω ⊙ y)`` from :func:`~.recurrences.wpgd_one_step`."""
        g = self.g
        X = [[g(v) for v in row] for row in self.X]
        P = [[g(self.P[a, b]) for b in range(self.d)] for a in range(self.d)]
        return wpgd_one_step(X, ys, [g(v) for v in self.xq], P, [g(w) for w in self.omega], self.engine.ring.zero)

    # ---- parameter-ring objects for the closed forms
    def matrices(self):
        K = self.engine.param_ring
        S = dm(self.Sigma, K)
        P = dm(self.P, K)
        R = dm(self.R, K)
        r = dm([[v] for v in self.r], K)
        w = dm([[v] for v in self.omega], K)
        tau = dm_trace(S) + K(self.noise)
        return S, P, R, r, w, tau


@_cached
def risk_problem(d: int, n: int) -> RiskProblem:
    r"""Symbols and the Isserlis engine for ``(d, n)``.

    Covariances (THEORY §1): ``Cov(x_{i,a}, x_{i,b}) = Σ_ab`` (each ``x_i`` and the query
    ``x`` independent), ``Cov(β_{i,a}, β_{j,b}) = R_ij δ_ab``, ``Cov(β_{i,a}, β_{*,b}) = r_i
    δ_ab``, ``Var β_{*,a} = 1``, ``Var ξ = σ²``; everything else 0.
    """
    X = tuple(tuple(sp.Symbol(f"x_{{{i + 1},{a + 1}}}") for a in range(d)) for i in range(n))
    xq = tuple(sp.Symbol(f"x_{{*,{a + 1}}}") for a in range(d))
    B = tuple(tuple(sp.Symbol(f"beta_{{{i + 1},{a + 1}}}") for a in range(d)) for i in range(n))
    bq = tuple(sp.Symbol(f"beta_{{*,{a + 1}}}") for a in range(d))
    xi = tuple(vector("xi", n))
    xiq = sp.Symbol("xi_{*}")
    S = symmetric_matrix("Sigma", d)
    R = correlation_matrix("R", n)
    r = tuple(vector("r", n))
    P = full_matrix("P", d)
    w = tuple(vector("omega", n))
    cov: dict = {}
    for row in list(X) + [xq]:
        for a in range(d):
            for b in range(a, d):
                cov[(row[a], row[b])] = S[a, b]
    for a in range(d):
        tasks = [B[i][a] for i in range(n)] + [bq[a]]
        for i in range(n + 1):
            for j in range(i, n + 1):
                cov[(tasks[i], tasks[j])] = 1 if i == j else (R[i, j] if j < n else r[i])
    for v in xi + (xiq,):
        cov[(v, v)] = NOISE
    gauss = [v for row in X for v in row] + list(xq) + [v for row in B for v in row] + list(bq) + list(xi) + [xiq]
    params = ([S[a, b] for a in range(d) for b in range(a, d)] + [R[i, j] for i in range(n) for j in range(i + 1, n)]
              + list(r) + list(P) + list(w) + [NOISE])
    engine = GaussianMoments(gauss, cov, params)
    return RiskProblem(d, n, X, xq, B, bq, xi, xiq, S, R, r, P, w, NOISE, engine)


@_cached
def engine_risk(d: int, n: int):
    r"""``E(y − ŷ)²`` by the Isserlis engine (an element of the parameter ring)."""
    pb = risk_problem(d, n)
    ys, yq = pb.labels()
    err = yq - pb.prediction(ys)
    return pb.engine.expectation(err * err)


def _closed_form_parts(pb: RiskProblem, weight_moments=weight_moments_claim):
    S, P, R, r, w, tau = pb.matrices()
    c, a, b = weight_moments(R, r, w, tau)
    return S, P, c, a, b, tau


# ------------------------------------------------------------------------------ W1
_DN3 = sizes_grid(d=[1, 2, 3], n=[1, 2, 3])


@_register("W1.risk", "W1", "E(y − ŷ)² by Isserlis equals the closed form",
           _levels(sizes_grid(d=[1, 2], n=[1, 2, 3]), _DN3, _DN3 + [{"d": 4, "n": 3}, {"d": 4, "n": 4}]),
           general="each term involves at most two context indices, so n = 2 already meets every index "
                   "pattern; the general-d argument is the matrix Isserlis identity")
@_cached
def w1_risk(d: int, n: int, *, closed_form=risk_closed_form, weight_moments=weight_moments_claim) -> Identity:
    t0 = time.perf_counter()
    lhs = engine_risk(d, n)
    pb = risk_problem(d, n)
    rhs = closed_form(*_closed_form_parts(pb, weight_moments))
    return Identity("E(y − ŷ)² = τ − 2(rᵀω)tr(ΣPΣ) + tr(PᵀΣPM)", {"d": d, "n": n}, lhs, rhs,
                    time.perf_counter() - t0)


@_register("W1.isserlis", "W1", "matrix Isserlis identity E[x xᵀ A x xᵀ] = ΣAΣ + ΣAᵀΣ + tr(AΣ)Σ",
           _levels(sizes_grid(d=[1, 2, 3, 4]), sizes_grid(d=[1, 2, 3, 4]), sizes_grid(d=[1, 2, 3, 4, 5])),
           general="entry (a, b) is Σ_{c,e} A_ce E[x_a x_c x_e x_b], a 4th moment of at most 4 coordinates; "
                   "d = 4 realises every coincidence pattern with a generic covariance, so the identity holds "
                   "for every d")
@_cached
def w1_isserlis(d: int, *, rhs=isserlis_claim) -> Identity:
    t0 = time.perf_counter()
    xs = vector("x", d)
    S = symmetric_matrix("Sigma", d)
    A = full_matrix("A", d)
    cov = {(xs[a], xs[b]): S[a, b] for a in range(d) for b in range(a, d)}
    params = [S[a, b] for a in range(d) for b in range(a, d)] + list(A)
    eng = GaussianMoments(xs, cov, params)
    g = eng.ring
    quad = ring_sum((g(xs[c]) * g(A[c, e]) * g(xs[e]) for c in range(d) for e in range(d)), g.zero)
    K = eng.param_ring
    lhs = DomainMatrix([[eng.expectation(g(xs[a]) * quad * g(xs[b])) for b in range(d)] for a in range(d)],
                       (d, d), K.to_domain())
    right = rhs(dm(S, K), dm(A, K))
    return Identity("E[x xᵀ A x xᵀ] = ΣAΣ + ΣAᵀΣ + tr(AΣ)Σ", {"d": d}, lhs, right, time.perf_counter() - t0)


@_register("W1.label_variance", "W1", "E[y²] = τ = tr Σ + σ²",
           _levels(sizes_grid(d=[1, 2, 3]), sizes_grid(d=[1, 2, 3]), sizes_grid(d=[1, 2, 3, 4])),
           general="E[(xᵀβ)²] = tr(Σ E[ββᵀ]) = tr Σ for every d")
@_cached
def w1_label_variance(d: int, *, claim=label_variance_claim) -> Identity:
    t0 = time.perf_counter()
    pb = risk_problem(d, 1)
    _, yq = pb.labels()
    lhs = pb.engine.expectation(yq * yq)
    S, *_ = pb.matrices()
    rhs = claim(S, pb.engine.param_ring(pb.noise))
    return Identity("E[y²] = tr Σ + σ²", {"d": d}, lhs, rhs, time.perf_counter() - t0)


@_register("W1.cross_moment", "W1", "E[v βᵀ] = (rᵀω) Σ and E[y ŷ] = (rᵀω) tr(ΣPΣ)",
           _levels(sizes_grid(d=[1, 2], n=[1, 2]), _DN3, _DN3 + [{"d": 4, "n": 4}]),
           general="E[v βᵀ] = Σ_i ω_i E[x_i x_iᵀ] E[β_i βᵀ] = Σ_i ω_i r_i Σ for every d, n")
@_cached
def w1_cross_moment(d: int, n: int, *, weight_moments=weight_moments_claim) -> list:
    t0 = time.perf_counter()
    pb = risk_problem(d, n)
    ys, yq = pb.labels()
    v = pb.weighted_sum(ys)
    eng = pb.engine
    K = eng.param_ring
    S, P, c, a, b, tau = _closed_form_parts(pb, weight_moments)
    lhs1 = DomainMatrix([[eng.expectation(v[a_] * pb.g(pb.bq[b_])) for b_ in range(d)] for a_ in range(d)],
                        (d, d), K.to_domain())
    rhs1 = S.scalarmul(c)
    lhs2 = eng.expectation(yq * pb.prediction(ys))
    rhs2 = c * dm_trace(S * P * S)
    secs = time.perf_counter() - t0
    return [Identity("E[Xᵀ(ω⊙y) βᵀ] = (rᵀω)Σ", {"d": d, "n": n}, lhs1, rhs1, secs / 2),
            Identity("E[y ŷ] = (rᵀω) tr(ΣPΣ)", {"d": d, "n": n}, lhs2, rhs2, secs / 2)]


@_register("W1.second_moment", "W1", "E[v vᵀ] = M(ω) = aΣ² + bΣ and E[ŷ²] = tr(PᵀΣPM)",
           _levels(sizes_grid(d=[1, 2], n=[1, 2]), _DN3, _DN3 + [{"d": 4, "n": 4}]),
           general="pairs i ≠ j give R_ij Σ², pairs i = j give 2Σ² + τΣ by the matrix Isserlis identity "
                   "with A = I; every d, n")
@_cached
def w1_second_moment(d: int, n: int, *, second_moment=second_moment_claim,
                     weight_moments=weight_moments_claim) -> list:
    t0 = time.perf_counter()
    pb = risk_problem(d, n)
    ys, _ = pb.labels()
    v = pb.weighted_sum(ys)
    eng = pb.engine
    K = eng.param_ring
    S, P, c, a, b, tau = _closed_form_parts(pb, weight_moments)
    lhs1 = DomainMatrix([[eng.expectation(v[a_] * v[b_]) for b_ in range(d)] for a_ in range(d)],
                        (d, d), K.to_domain())
    M = second_moment(S, a, b)
    yh = pb.prediction(ys)
    lhs2 = eng.expectation(yh * yh)
    rhs2 = dm_trace(P.transpose() * S * P * M)
    secs = time.perf_counter() - t0
    return [Identity("E[vvᵀ] = aΣ² + bΣ", {"d": d, "n": n}, lhs1, M, secs / 2),
            Identity("E[ŷ²] = tr(PᵀΣPM)", {"d": d, "n": n}, lhs2, rhs2, secs / 2)]


# ------------------------------------------------------------------------------ W2
def _degree_in(monom, idx) -> int:
    return sum(monom[i] for i in idx)


@_register("W2.scaling", "W2", "L(κP, ω/κ) = L(P, ω) on the Isserlis risk polynomial",
           _levels(sizes_grid(d=[1, 2], n=[1, 2]), _DN3, _DN3 + [{"d": 4, "n": 4}]),
           general="ŷ is bilinear in (P, ω), so every monomial of the risk has equal degree in P and in ω; "
                   "holds for every d, n")
@_cached
def w2_scaling(d: int, n: int, *, perturb=None) -> Identity:
    r"""``κ² L(κP, ω/κ) = κ² L(P, ω)`` as polynomials (``κ`` a new symbol).

    Substitution is done monomial by monomial: ``P^α ω^β ↦ κ^{|α| − |β|} P^α ω^β``;
    the factor ``κ²`` makes every exponent non-negative (``|β| ≤ 2``)."""
    t0 = time.perf_counter()
    pb = risk_problem(d, n)
    L = engine_risk(d, n)
    K = pb.engine.param_ring
    if perturb is not None:  # tests: a polynomial that is *not* scale invariant must be caught
        L = perturb(L, pb)
    kappa = sp.Symbol("kappa")
    K2 = PolyRing(tuple(K.symbols) + (kappa,), ZZ)
    P_idx = [K.symbols.index(s) for s in pb.P]
    w_idx = [K.symbols.index(s) for s in pb.omega]
    scaled: dict = {}
    plain: dict = {}
    for monom, coeff in L.iterterms():
        e = 2 + _degree_in(monom, P_idx) - _degree_in(monom, w_idx)
        if e < 0:
            raise ArithmeticError("risk has a monomial of ω-degree > 2 + P-degree")
        scaled[monom + (e,)] = scaled.get(monom + (e,), 0) + coeff
        plain[monom + (2,)] = coeff
    return Identity("κ² L(κP, ω/κ) = κ² L(P, ω)", {"d": d, "n": n}, K2.from_dict(scaled), K2.from_dict(plain),
                    time.perf_counter() - t0)


# ------------------------------------------------------------------------------ W3
@dataclass(frozen=True)
class _PSetting:
    """Ring over Σ (symmetric), P (full), and free scalars c, a, b, τ: the closed form of W1
    depends on (ω, R, r, σ²) only through (c, a, b, τ), so W3 is checked for every n."""

    d: int
    K: PolyRing
    S: DomainMatrix
    P: DomainMatrix
    P_syms: tuple
    c: object
    a: object
    b: object
    tau: object


@_cached
def _p_setting(d: int) -> _PSetting:
    S = symmetric_matrix("Sigma", d)
    P = full_matrix("P", d)
    c, a, b, tau = sp.symbols("c a b tau")
    syms = [S[i, j] for i in range(d) for j in range(i, d)] + list(P) + [c, a, b, tau]
    K = PolyRing(syms, ZZ)
    return _PSetting(d, K, dm(S, K), dm(P, K), tuple(P), K(c), K(a), K(b), K(tau))


def _closed_form_P(st: _PSetting):
    return risk_closed_form(st.S, st.P, st.c, st.a, st.b, st.tau)


def _gradient_poly(st: _PSetting):
    L = _closed_form_P(st)
    d = st.d
    return [[L.diff(st.K(st.P_syms[i * d + j])) for j in range(d)] for i in range(d)]


@_register("W3.gradient", "W3", "∂L/∂P = −2(rᵀω)Σ² + 2ΣPM by differentiation",
           _levels(sizes_grid(d=[1, 2, 3]), sizes_grid(d=[1, 2, 3]), sizes_grid(d=[1, 2, 3, 4])),
           general="matrix calculus: d tr(ΣPΣ) = tr(Σ² dP), d tr(PᵀΣPM) = 2 tr(M PᵀΣ dP) for symmetric Σ, M; "
                   "every d, and every n because L depends on ω only through (c, a, b)")
@_cached
def w3_gradient(d: int, *, gradient=gradient_claim) -> Identity:
    t0 = time.perf_counter()
    st = _p_setting(d)
    lhs = DomainMatrix(_gradient_poly(st), (d, d), st.K.to_domain())
    rhs = gradient(st.S, st.P, st.c, st.a, st.b)
    return Identity("∂L/∂P = −2cΣ² + 2ΣPM", {"d": d}, lhs, rhs, time.perf_counter() - t0)


@_register("W3.hessian", "W3", "∂²L/∂vec(P)² = 2 (M ⊗ Σ) (strict convexity for ω ≠ 0)",
           _levels(sizes_grid(d=[1, 2]), sizes_grid(d=[1, 2, 3]), sizes_grid(d=[1, 2, 3, 4])),
           general="tr(PᵀΣPM) = vec(P)ᵀ(M ⊗ Σ)vec(P) for every d")
@_cached
def w3_hessian(d: int, *, hessian=hessian_claim) -> Identity:
    t0 = time.perf_counter()
    st = _p_setting(d)
    L = _closed_form_P(st)
    K = st.K
    M = second_moment_claim(st.S, st.a, st.b).to_list()
    S = st.S.to_list()
    # column-major vec: P_ij ↦ index i + d j
    order = [(i, j) for j in range(d) for i in range(d)]
    gens = {(i, j): K(st.P_syms[i * d + j]) for i in range(d) for j in range(d)}
    lhs = [[L.diff(gens[p]).diff(gens[q]) for q in order] for p in order]
    rhs = hessian(M, S, d)
    return Identity("∇²_P L = 2 M ⊗ Σ", {"d": d}, lhs, rhs, time.perf_counter() - t0)


@_register("W3.stationary", "W3", "the gradient vanishes at P* = (rᵀω) Σ M⁻¹",
           _levels(sizes_grid(d=[1, 2]), sizes_grid(d=[1, 2, 3]), sizes_grid(d=[1, 2, 3, 4])),
           general="−2cΣ² + 2Σ(cΣM⁻¹)M = 0 for every d (Σ, M are functions of Σ and commute)")
@_cached
def w3_stationary(d: int, *, preconditioner=optimal_preconditioner_claim) -> Identity:
    r"""``det(M) · ∂L/∂P (P*) = 0`` with ``P* = P̃ / det M``.

    ``∂L/∂P`` is affine in ``P`` (it is the derivative of a quadratic): ``G(P) = G(0) +
    J(P)``; hence ``δ G(P̃/δ) = δ G(0) + G(P̃) − G(0)``, a polynomial."""
    t0 = time.perf_counter()
    st = _p_setting(d)
    G = _gradient_poly(st)
    Pt, delta = preconditioner(st.S, st.c, st.a, st.b)
    Ptl = Pt.to_list()
    sub_P = [(st.K(st.P_syms[i * d + j]), Ptl[i][j]) for i in range(d) for j in range(d)]
    sub_0 = [(st.K(st.P_syms[i * d + j]), st.K.zero) for i in range(d) for j in range(d)]
    lhs = []
    for i in range(d):
        for j in range(d):
            g0 = G[i][j].compose(sub_0)
            lhs.append(delta * g0 + G[i][j].compose(sub_P) - g0)
    return Identity("det M · ∇_P L((rᵀω)ΣM⁻¹) = 0", {"d": d}, lhs, [0] * len(lhs), time.perf_counter() - t0)


@_register("W3.ridge", "W3", "(rᵀω) Σ M⁻¹ = (rᵀω)/a · (Σ + (b/a) I)⁻¹",
           _levels(sizes_grid(d=[1, 2]), sizes_grid(d=[1, 2, 3]), sizes_grid(d=[1, 2, 3, 4])),
           general="M = Σ(aΣ + bI), so ΣM⁻¹ = (aΣ + bI)⁻¹ for every d")
@_cached
def w3_ridge(d: int, *, ridge=ridge_preconditioner_claim) -> Identity:
    r"""Both forms as ``numerator / denominator`` matrices; equal iff
    ``N₁ δ₂ = N₂ δ₁`` entrywise (with ``c Σ adj(M) / det M`` against the ridge form)."""
    t0 = time.perf_counter()
    st = _p_setting(d)
    N1, d1 = optimal_preconditioner_claim(st.S, st.c, st.a, st.b)
    N2, d2 = ridge(st.S, st.c, st.a, st.b)
    return Identity("cΣ adj(M) / det M = c adj(aΣ+bI) / det(aΣ+bI)", {"d": d},
                    N1.scalarmul(d2), N2.scalarmul(d1), time.perf_counter() - t0)


def _split_by_P_degree(L, P_gens_idx):
    parts: dict = {0: {}, 1: {}, 2: {}}
    for monom, coeff in L.iterterms():
        k = _degree_in(monom, P_gens_idx)
        if k > 2:
            raise ArithmeticError("risk is not quadratic in P")
        parts[k][monom] = coeff
    return {k: L.ring.from_dict(v) if v else L.ring.zero for k, v in parts.items()}


@_register("W3.profile_value", "W3", "L(P*(ω), ω) = τ − (rᵀω)² tr(Σ²(aΣ + bI)⁻¹)",
           _levels(sizes_grid(d=[1, 2]), sizes_grid(d=[1, 2, 3]), sizes_grid(d=[1, 2, 3, 4])),
           general="with N = aΣ + bI: L(cN⁻¹) = τ − 2c² tr(Σ²N⁻¹) + c² tr(N⁻¹ΣN⁻¹ΣN) = τ − c² tr(Σ²N⁻¹), "
                   "every d; in the eigenbasis tr(Σ²N⁻¹) = Σ_j λ_j²/(aλ_j + b)")
@_cached
def w3_profile_value(d: int, *, preconditioner=ridge_preconditioner_claim) -> Identity:
    r"""``δ² (L(P̃/δ) − τ) = −c² δ tr(Σ² adj N)``, ``N = aΣ + bI``, ``δ = det N``,
    ``P̃ = c adj N``; ``L`` is the closed form, split by its degree in ``P``."""
    t0 = time.perf_counter()
    st = _p_setting(d)
    L = _closed_form_P(st)
    K = st.K
    idx = [K.symbols.index(s) for s in st.P_syms]
    parts = _split_by_P_degree(L, idx)
    Pt, delta = preconditioner(st.S, st.c, st.a, st.b)
    Ptl = Pt.to_list()
    sub = [(K(st.P_syms[i * d + j]), Ptl[i][j]) for i in range(d) for j in range(d)]
    lhs = delta**2 * (parts[0] - st.tau) + delta * parts[1].compose(sub) + parts[2].compose(sub)
    N = st.S.scalarmul(st.a) + dm_eye(d, K).scalarmul(st.b)
    detN = N.det()
    rhs = -(st.c**2) * detN * dm_trace(st.S * st.S * N.adjugate())  # = det(N)² · (−c² tr(Σ²N⁻¹))
    if delta != detN:  # another claimed P* = P̃/δ: compare L − τ after scaling both sides to det(N)² δ²
        lhs, rhs = lhs * detN**2, rhs * delta**2
    return Identity("L(P*) = τ − c² tr(Σ²(aΣ+bI)⁻¹)", {"d": d}, lhs, rhs, time.perf_counter() - t0)


@_register("W3.profile_engine", "W3",
           "profile risk from the Isserlis risk polynomial: L(P*(ω), ω) = τ − (rᵀω)² Σ_j λ_j²/(aλ_j + b)",
           _levels(sizes_grid(d=[1, 2], n=[1, 2]),
                   sizes_grid(d=[1, 2], n=[1, 2, 3]) + sizes_grid(d=[3], n=[1, 2]),
                   _DN3),
           general="confirmation at concrete (d, n) with Σ = diag(λ) (the eigenbasis); the general statement is "
                   "W3.profile_value")
@_cached
def w3_profile_engine(d: int, n: int, *, profile=profile_claim) -> Identity:
    r"""Diagonal ``Σ = diag(λ)`` substituted in the *engine* risk polynomial (so this does not
    rely on the W1 closed form), ``P* = diag(c/(aλ_j + b))`` with ``c, a, b`` the
    polynomials in ``ω, R, r, σ², λ``; both sides multiplied by ``D² = Π_j (aλ_j + b)²``."""
    t0 = time.perf_counter()
    pb = risk_problem(d, n)
    L = engine_risk(d, n)
    K = L.ring
    diag_sub = [(K(pb.Sigma[i, j]), K.zero) for i in range(d) for j in range(i + 1, d)]
    L = L.compose(diag_sub) if diag_sub else L
    lams = [K(pb.Sigma[j, j]) for j in range(d)]
    S, P, R, r, w, tau = pb.matrices()
    c, a, b = weight_moments_claim(R, r, w, tau)
    tau = ring_sum(lams, K.zero) + K(pb.noise)
    den = [a * lam + b for lam in lams]
    D = ring_prod(den, K.one)
    idx = [K.symbols.index(s) for s in pb.P]
    parts = _split_by_P_degree(L, idx)
    Pt = [[(c * ring_prod((den[k] for k in range(d) if k != i), K.one) if i == j else K.zero) for j in range(d)]
          for i in range(d)]
    sub = [(K(pb.P[i, j]), Pt[i][j]) for i in range(d) for j in range(d)]
    lhs = D**2 * parts[0] + D * parts[1].compose(sub) + parts[2].compose(sub)
    N, Dc = profile(lams, c, a, b)
    if Dc == D:  # the claimed denominator is Π(aλ_j + b): compare polynomials directly
        rhs = D**2 * tau - c**2 * N * D
    else:
        rhs, lhs = Frac(D**2 * tau) - Frac(c**2 * N * D**2, Dc), Frac(lhs)
    return Identity("D² L(P*(ω), ω) = D²(τ − c² Σλ²/(aλ+b))", {"d": d, "n": n}, lhs, rhs,
                    time.perf_counter() - t0)


@_register("W3.homogeneity", "W3", "the profile risk is homogeneous of degree 0 in ω",
           _levels(sizes_grid(d=[1, 2, 3]), sizes_grid(d=[1, 2, 3]), sizes_grid(d=[1, 2, 3, 4])),
           general="(c, a, b) ↦ (tc, t²a, t²b) under ω ↦ tω; each term c²λ²/(aλ+b) is invariant: every d, n")
@_cached
def w3_homogeneity(d: int, *, profile=profile_claim) -> Identity:
    t0 = time.perf_counter()
    lam_syms = vector("lambda", d)
    c, a, b, t = sp.symbols("c a b t")
    K = PolyRing(lam_syms + [c, a, b, t], ZZ)
    lams = [K(s) for s in lam_syms]
    cK, aK, bK, tK = K(c), K(a), K(b), K(t)
    N1, D1 = profile(lams, cK, aK, bK)
    N2, D2 = profile(lams, tK * cK, tK**2 * aK, tK**2 * bK)
    lhs = Frac((tK * cK) ** 2 * N2, D2)
    rhs = Frac(cK**2 * N1, D1)
    return Identity("L(tω) = L(ω)", {"d": d}, lhs, rhs, time.perf_counter() - t0)


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
    return [-(c2N.diff(x) * D - c2N * D.diff(x)) for x in st.w], N, D


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
