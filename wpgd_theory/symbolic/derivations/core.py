r"""The registry of fixed-size derivations, the claimed formulas of THEORY.md (each written once;
derivations take them as defaults, so tests can substitute mutants) and the risk problem
(symbols, Gaussian engine, prediction) shared by the W families.

See :mod:`wpgd_theory.symbolic.derivations` for what a derivation compares."""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache

import sympy as sp
from sympy.polys.matrices import DomainMatrix

from ..algebra import (
    Frac,
    correlation_matrix,
    dm,
    dm_trace,
    full_matrix,
    ring_prod,
    ring_sum,
    symmetric_matrix,
    vector,
)
from ..moments import GaussianMoments
from ..recurrences import gate_products, wpgd_one_step

LEVELS = ("quick", "default", "thorough")
ZZ = sp.ZZ
NOISE = sp.Symbol("sigma^2")


# =====================================================================================
# Registry of derivations
# =====================================================================================
@dataclass(frozen=True)
class Derivation:
    r"""A symbolic derivation: a function of sizes returning :class:`~wpgd_theory.symbolic.algebra.Identity` objects.

    Each registered derivation re-derives one identity family of a claim (W1–W6, G1–G4,
    A1–A4) at fixed sizes and compares it exactly with the formula stated in THEORY.md;
    :data:`DERIVATIONS` maps ``key`` to the instance.  Calling the instance runs it at the
    ``default`` level.

    Parameters
    ----------
    key : str
        Registry key, ``"<claim>.<family>"`` (e.g. ``"W1.risk"``).
    claim : str
        The claim id (e.g. ``"W1"``).
    title : str
        The identity in one line of mathematics.
    func : callable
        ``func(**size, **overrides)`` returns an Identity or a list of them.
    sizes : mapping
        ``sizes[level]`` lists the size dicts it is run at per level (``quick``,
        ``default``, ``thorough``).
    general : str, optional
        One sentence on how the result extends beyond those sizes (or that it does not).
    scope_text : mapping, optional
        Per level, a coverage text replacing the one computed from ``sizes``.

    Examples
    --------
    >>> from wpgd_theory.symbolic import DERIVATIONS
    >>> d = DERIVATIONS["W1.label_variance"]
    >>> d.claim, d.scope("quick")
    ('W1', 'd ≤ 3')
    >>> all(identity.ok for identity in d.run("quick"))
    True
    """

    key: str
    claim: str
    title: str
    func: Callable
    sizes: Mapping
    general: str = ""
    scope_text: Mapping = field(default_factory=dict)

    def run(self, level: str = "default", **overrides) -> list:
        r"""Run the derivation at every size of one level.

        Parameters
        ----------
        level : {"quick", "default", "thorough"}, optional
            Which list of sizes to run (default ``"default"``).
        **overrides
            Passed to the derivation function (e.g. a mutated claimed formula, in tests).

        Returns
        -------
        list of Identity
            The identities of all sizes, in order; each records the seconds it took.

        Raises
        ------
        ValueError
            If ``level`` is not one of the three levels.

        Examples
        --------
        >>> from wpgd_theory.symbolic import DERIVATIONS
        >>> ids = DERIVATIONS["W1.label_variance"].run("quick")
        >>> [i.size for i in ids]
        [{'d': 1}, {'d': 2}, {'d': 3}]
        """
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
        r"""Return the sizes covered at ``level`` in words, e.g. ``"d ≤ 3, n ≤ 3"``.

        Parameters
        ----------
        level : {"quick", "default", "thorough"}, optional
            The level (default ``"default"``).

        Returns
        -------
        str
            The coverage text.

        Examples
        --------
        >>> from wpgd_theory.symbolic import DERIVATIONS
        >>> DERIVATIONS["W1.risk"].scope("quick")
        'd ≤ 2, n ≤ 3'
        """
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
    r"""Look up a registered derivation by key.

    Parameters
    ----------
    key : str
        A key of :data:`DERIVATIONS`, e.g. ``"W3.gradient"``.

    Returns
    -------
    Derivation
        The registered derivation.

    Raises
    ------
    KeyError
        If ``key`` is unknown (the message lists the known keys).

    Examples
    --------
    >>> from wpgd_theory.symbolic import derivation
    >>> derivation("W3.gradient").claim
    'W3'
    """
    try:
        return DERIVATIONS[key]
    except KeyError:
        raise KeyError(f"unknown derivation {key!r}; known: {', '.join(DERIVATIONS)}") from None


def run_derivation(key: str, level: str = "default", **overrides) -> list:
    r"""Run the derivation ``key`` at ``level``: ``derivation(key).run(level, **overrides)``.

    Parameters
    ----------
    key : str
        A key of :data:`DERIVATIONS`.
    level : {"quick", "default", "thorough"}, optional
        Which sizes to run (default ``"default"``).
    **overrides
        Passed to the derivation function (substitute a claimed formula, in tests).

    Returns
    -------
    list of Identity
        One or more identities per size; each is exact (``ok`` when its residual is 0).

    Raises
    ------
    KeyError
        If ``key`` is unknown.
    ValueError
        If ``level`` is not one of the three levels.

    Examples
    --------
    >>> from wpgd_theory.symbolic import run_derivation
    >>> ids = run_derivation("G2.forward", "quick")
    >>> len(ids) > 0 and all(i.ok for i in ids)
    True
    """
    return derivation(key).run(level, **overrides)


_CACHED: list = []


def _cached(func):
    wrapped = lru_cache(maxsize=None)(func)
    _CACHED.append(wrapped)
    return wrapped


def clear_caches() -> None:
    r"""Forget every cached derivation and engine (for cold timings).

    Returns
    -------
    None
        The caches of the derivations are emptied in place.

    Examples
    --------
    >>> from wpgd_theory.symbolic import clear_caches, run_derivation
    >>> clear_caches()
    >>> all(i.ok for i in run_derivation("W1.label_variance", "quick"))
    True
    """
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
