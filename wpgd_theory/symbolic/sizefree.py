r"""The risk and optimum identities (W1–W5) with symbolic ``d`` and ``n`` (scope ``all-sizes``).

Built on :mod:`.matrixwick` (Wick contraction and matrix calculus on ``d × d`` letters of
symbolic size, canonical form) and :mod:`.termsums` (sums over eigenvalues by their generic
term).  Sums over example indices are reduced by **index-coincidence classes**: a double sum
``Σ_{i,j} ω_i ω_j f(i, j)`` splits into ``i = j`` (features and tasks coincide; weight
``Σ_i ω_i² = ‖ω‖²``) and ``i ≠ j`` (independent features, task correlation ``R_ij``; weight
``Σ_{i≠j} ω_iω_jR_ij = ωᵀRω − ‖ω‖²`` since ``R_ii = 1``); a single sum ``Σ_i ω_i r_i f``
gives ``rᵀω``.  These are the only index patterns (each term involves at most two context
examples), so the result holds for every ``n``.

Every function returns :class:`~.algebra.Identity` objects whose residual is the number of
terms of the canonical difference (0 exactly when the identity holds for every ``d``,
``n``).  The cross-checks against the fixed-size engine (:mod:`.derivations`) are
:func:`crosscheck_isserlis` and :func:`crosscheck_second_moment`, which evaluate this
engine's result at concrete sizes and compare it with the Isserlis engine on entries.
"""

from __future__ import annotations

from functools import lru_cache

import sympy as sp

from .algebra import Identity, dm
from .matrixwick import (
    SYM,
    D,
    MatPoly,
    Vec,
    directional,
    evaluate,
    expect_chain,
    identity,
    letter,
    scalar,
    trace_gradient,
)
from .termsums import termwise

__all__ = [
    "NORM2", "WRW", "RW", "ONEW", "NOISE", "RIJ", "RI",
    "pair_sum", "single_sum",
    "w1_isserlis", "w1_label_variance", "w1_cross_moment", "w1_second_moment", "w1_risk",
    "w2_scaling", "w3_gradient", "w3_gradient_sympy", "w3_hessian", "w3_spectral", "w3_homogeneity",
    "w4_partials", "w4_mu", "w5_isotropic", "crosscheck_isserlis", "crosscheck_second_moment",
    "closed_form_risk", "second_moment_claim", "w6_zero_r", "from_sympy", "e_vvT", "engine_risk_all_sizes",
    "a4_taskwise", "w3_profile_engine", "reduce_resolvent", "w3_resolvent", "w3_profile_resolvent",
]

NORM2, WRW, RW, ONEW = sp.symbols("|omega|^2 omega^TRomega r^Tomega 1^Tomega", real=True)
NOISE = sp.Symbol("sigma^2")  # the same symbol as the fixed-size engine
RIJ, RI, RJ = sp.symbols("R_ij r_i r_j", real=True)
ALL = {"d": "symbolic", "n": "symbolic"}

S = letter("Sigma", symmetric=True)  #: Σ, declared symmetric
I_ = identity()


def _id(name, lhs, rhs=0, size=None) -> Identity:
    diff = lhs - rhs if isinstance(lhs, MatPoly) else lhs
    return Identity(name, dict(size or ALL), diff.as_expr() if isinstance(diff, MatPoly) else diff, 0,
                    note="canonical form, symbolic d, n")


def _index_symbols(poly: MatPoly) -> set:
    return set().union(*(sp.sympify(c).free_symbols for c in poly.terms.values())) & {RIJ, RI, RJ}


def _degree(poly: MatPoly, sym) -> int:
    return max((sp.Poly(sp.expand(c), sym).degree() for c in poly.terms.values()), default=0)


def pair_sum(equal: MatPoly, distinct: MatPoly) -> MatPoly:
    r"""Sum ``Σ_{i,j} ω_iω_j f(i,j)`` over two example indices by index-coincidence classes.

    From the class values ``f(i,i) = equal`` and ``f(i,j) = distinct`` (``distinct`` affine in
    ``R_ij``): ``‖ω‖²·equal + (ωᵀRω − ‖ω‖²)·[R_ij] + ((1ᵀω)² − ‖ω‖²)·[1]`` (``R_ii = 1``); the
    reduction behind claim W1 for every ``n``.

    Only these index patterns have a closed form in ``‖ω‖²``, ``ωᵀRω``, ``1ᵀω``; anything else
    (``r_i``, ``r_j`` — e.g. ``Σ_{i≠j} ω_iω_j r_ir_j`` —, ``R_ij`` in the class ``i = j``, or ``R_ij²``)
    is refused with a ``ValueError`` naming the term, never returned unsummed.

    Parameters
    ----------
    equal : MatPoly
        The term in the class ``i = j`` (free of ``R_ij``, ``r_i``, ``r_j``).
    distinct : MatPoly
        The term in the class ``i ≠ j``, affine in the symbol :data:`RIJ` and free of
        ``r_i``, ``r_j``.

    Returns
    -------
    MatPoly
        The sum, in the symbols :data:`NORM2`, :data:`WRW`, :data:`ONEW`.

    Raises
    ------
    ValueError
        If a term has an index pattern without closed form (named in the message).

    Examples
    --------
    >>> from wpgd_theory.symbolic.sizefree import RIJ, S, pair_sum
    >>> pair_sum(S, S * RIJ)  # Σ_ij ω_iω_j R_ij Σ = (ωᵀRω) Σ
    MatPoly(omega^TRomega*Sigma)
    """
    left = _index_symbols(equal)
    if left:
        raise ValueError(f"pair_sum: the i = j term {equal.as_expr()} contains {sorted(map(str, left))}; "
                         "only index-free terms can be summed")
    left = _index_symbols(distinct) - {RIJ}
    if left:
        raise ValueError(f"pair_sum: the i != j term {distinct.as_expr()} contains {sorted(map(str, left))}; "
                         "only terms affine in R_ij can be summed")
    if _degree(distinct, RIJ) > 1:
        raise ValueError(f"pair_sum: the i != j term {distinct.as_expr()} is not affine in R_ij")
    lin = distinct.map_coeffs(lambda c: sp.expand(c).coeff(RIJ, 1))
    const = distinct.map_coeffs(lambda c: sp.expand(c).coeff(RIJ, 0))
    return equal * NORM2 + lin * (WRW - NORM2) + const * (ONEW**2 - NORM2)


def single_sum(term: MatPoly) -> MatPoly:
    r"""Sum ``Σ_i ω_i f(i)`` over one example index, for ``f`` affine in ``r_i``.

    The result is ``rᵀω·[r_i] + 1ᵀω·[1]`` (claim W1's cross moments for every ``n``); anything
    else — ``r_j``, ``R_ij``, ``r_i²`` — is refused with a ``ValueError`` naming the term.

    Parameters
    ----------
    term : MatPoly
        ``f(i)``, affine in the symbol :data:`RI` and free of other index symbols.

    Returns
    -------
    MatPoly
        The sum, in the symbols :data:`RW` and :data:`ONEW`.

    Raises
    ------
    ValueError
        If ``term`` is not affine in ``r_i`` alone.

    Examples
    --------
    >>> from wpgd_theory.symbolic.sizefree import RI, S, single_sum
    >>> single_sum(S * RI + S)
    MatPoly((1^Tomega + r^Tomega)*Sigma)
    """
    if _index_symbols(term) - {RI} or _degree(term, RI) > 1:
        raise ValueError(f"single_sum: the term {term.as_expr()} is not affine in r_i alone; it cannot be summed")
    lin = term.map_coeffs(lambda c: sp.expand(c).coeff(RI, 1))
    const = term.map_coeffs(lambda c: sp.expand(c).coeff(RI, 0))
    return lin * RW + const * ONEW


def _cov(equal_class: bool):
    """Cross-covariances ``E[a bᵀ]`` of the Gaussian vectors of one prompt (THEORY §1):
    query ``x`` and context ``x_i`` (``Σ``), tasks ``β`` (query), ``β_i`` with
    ``E[β_iβ_jᵀ] = R_ij I``, ``E[β_iβᵀ] = r_i I``.  In the class ``i = j`` the names ``xj, bj``
    are the same vectors as ``xi, bi``."""
    def canon(nm):
        return {"xj": "xi", "bj": "bi"}.get(nm, nm) if equal_class else nm

    def cov(a, b):
        a, b = canon(a), canon(b)
        if a[0] == "x" and b[0] == "x":
            return S if a == b else None
        if a[0] == "b" and b[0] == "b":
            if a == b:
                return I_
            pair = {a, b}
            if pair == {"bi", "bj"}:
                return I_ * RIJ
            if pair == {"bi", "b"}:
                return I_ * RI
            if pair == {"bj", "b"}:
                return I_ * RJ
        return None

    return cov


def _tau():
    return S.trace() + NOISE


def second_moment_claim() -> MatPoly:
    r"""Return the claimed second moment ``M(ω) = aΣ² + bΣ``, ``a = ωᵀRω + ‖ω‖²``, ``b = τ‖ω‖²`` (W1).

    The stated side of :func:`w1_second_moment` (``τ = tr Σ + σ²``).

    Returns
    -------
    MatPoly
        A ``d × d`` matrix expression, ``d`` symbolic.

    Examples
    --------
    >>> from wpgd_theory.symbolic.sizefree import e_vvT, second_moment_claim
    >>> second_moment_claim()
    MatPoly((omega^TRomega + |omega|^2)*Sigma**2 + (sigma^2*|omega|^2 + |omega|^2*Trace(Sigma))*Sigma)
    >>> e_vvT() == second_moment_claim()
    True
    """
    return S * S * (WRW + NORM2) + S * _tau() * NORM2


def closed_form_risk(P: MatPoly | None = None) -> MatPoly:
    r"""Return the claimed risk ``L(P, ω) = τ − 2 (rᵀω) tr(ΣPΣ) + tr(PᵀΣPM)`` (W1).

    ``M = M(ω)`` is :func:`second_moment_claim`; the stated side of :func:`w1_risk`.

    Parameters
    ----------
    P : MatPoly or None, optional
        The preconditioner, a ``d × d`` matrix expression; ``None`` (default) for the general
        letter ``P``.

    Returns
    -------
    MatPoly
        A scalar expression, ``d`` symbolic.

    Examples
    --------
    >>> from wpgd_theory.symbolic.matrixwick import letter
    >>> from wpgd_theory.symbolic.sizefree import closed_form_risk
    >>> risk = closed_form_risk()
    >>> risk.is_matrix, sorted(risk.letters())
    (False, ['P', 'Sigma'])
    >>> closed_form_risk(letter("P") * 2) == closed_form_risk().substitute("P", letter("P") * 2)
    True
    """
    P = letter("P") if P is None else P
    return _tau() - (S * P * S).trace() * (2 * RW) + (P.T * S * P * second_moment_claim()).trace()


# ---------------------------------------------------------------------- W1
def w1_isserlis() -> list:
    r"""Check the matrix Isserlis identity of claim W1 for a ``d × d`` letter, ``d`` symbolic.

    ``E[x xᵀ A x xᵀ] = ΣAΣ + ΣAᵀΣ + tr(AΣ)Σ`` for a ``d × d`` letter ``A``, ``d`` symbolic.

    Returns
    -------
    list of Identity
        The 1 exact identity checked; each is ``ok`` (residual 0) when it holds,
        and its ``size`` says for which sizes.

    Examples
    --------
    >>> from wpgd_theory.symbolic.sizefree import w1_isserlis
    >>> identities = w1_isserlis()
    >>> identities[0]
    Identity('E[x x^T A x x^T] = S A S + S A^T S + tr(A S) S', d=symbolic, residual=0)
    >>> all(identity.ok for identity in identities), len(identities)
    (True, 1)
    """
    x, A = Vec("x"), letter("A")
    lhs = expect_chain([x, x.T, A, x, x.T], _cov(False))
    return [_id("E[x x^T A x x^T] = S A S + S A^T S + tr(A S) S", lhs, S * A * S + S * A.T * S + (A * S).trace() * S,
                {"d": "symbolic"})]


def w1_label_variance() -> list:
    r"""Check ``E[y²] = τ`` (claim W1) for symbolic ``d``.

    ``E[y²] = E[βᵀ x xᵀ β] + σ² = tr Σ + σ² = τ``.

    Returns
    -------
    list of Identity
        The 1 exact identity checked; each is ``ok`` (residual 0) when it holds,
        and its ``size`` says for which sizes.

    Examples
    --------
    >>> from wpgd_theory.symbolic.sizefree import w1_label_variance
    >>> identities = w1_label_variance()
    >>> identities[0]
    Identity('E[y^2] = tau', d=symbolic, residual=0)
    >>> all(identity.ok for identity in identities), len(identities)
    (True, 1)
    """
    x, b = Vec("x"), Vec("b")
    lhs = expect_chain([b.T, x, x.T, b], _cov(False)) + NOISE
    return [_id("E[y^2] = tau", lhs, _tau(), {"d": "symbolic"})]


def _e_v_beta() -> MatPoly:
    r"""``E[v βᵀ] = Σ_i ω_i E[x_i x_iᵀ β_i βᵀ]`` (noise independent and centred)."""
    xi, bi, b = Vec("xi"), Vec("bi"), Vec("b")
    return single_sum(expect_chain([xi, xi.T, bi, b.T], _cov(False)))


def w1_cross_moment() -> list:
    r"""Check the cross moments ``E[vβᵀ]`` and ``E[yŷ]`` of claim W1 for symbolic ``d``, ``n``.

    ``E[vβᵀ] = (rᵀω)Σ`` and ``E[yŷ] = E[βᵀ x xᵀ P v] = (rᵀω) tr(ΣPΣ)``.

    Returns
    -------
    list of Identity
        The 2 exact identities checked; each is ``ok`` (residual 0) when it holds,
        and its ``size`` says for which sizes.

    Examples
    --------
    >>> from wpgd_theory.symbolic.sizefree import w1_cross_moment
    >>> identities = w1_cross_moment()
    >>> identities[0]
    Identity('E[v b^T] = (r^T w) S', d=symbolic, n=symbolic, residual=0)
    >>> all(identity.ok for identity in identities), len(identities)
    (True, 2)
    """
    x, b, xi, bi = Vec("x"), Vec("b"), Vec("xi"), Vec("bi")
    P = letter("P")
    lhs2 = single_sum(expect_chain([b.T, x, x.T, P, xi, xi.T, bi], _cov(False)))
    return [_id("E[v b^T] = (r^T w) S", _e_v_beta(), S * RW),
            _id("E[y yhat] = (r^T w) tr(S P S)", lhs2, (S * P * S).trace() * RW)]


def e_vvT() -> MatPoly:
    r"""Compute ``E[vvᵀ]`` (``v = Σ_i ω_i y_i x_i``) by Wick contraction and index classes (W1).

    ``i = j``: ``E[x xᵀ ββᵀ x xᵀ] + σ²Σ``; ``i ≠ j``: ``E[x_ix_iᵀβ_iβ_jᵀx_jx_jᵀ]``, summed by
    :func:`pair_sum` — the derived side of :func:`w1_second_moment`.

    Returns
    -------
    MatPoly
        A ``d × d`` matrix expression, ``d`` and ``n`` symbolic.

    Examples
    --------
    >>> from wpgd_theory.symbolic.sizefree import e_vvT, second_moment_claim
    >>> e_vvT() == second_moment_claim()
    True
    """
    xi, xj, bi, bj = Vec("xi"), Vec("xj"), Vec("bi"), Vec("bj")
    chain = [xi, xi.T, bi, bj.T, xj, xj.T]
    eq = expect_chain(chain, _cov(True)) + S * NOISE
    ne = expect_chain(chain, _cov(False))
    return pair_sum(eq, ne)


def w1_second_moment() -> list:
    r"""Check the second moments ``E[vvᵀ] = M(ω)`` and ``E[ŷ²]`` of claim W1 for symbolic ``d``, ``n``.

    ``E[vvᵀ] = M(ω)`` and ``E[ŷ²] = tr(PᵀΣP M)`` (the query ``x`` contracted by Wick too).

    Returns
    -------
    list of Identity
        The 2 exact identities checked; each is ``ok`` (residual 0) when it holds,
        and its ``size`` says for which sizes.

    Examples
    --------
    >>> from wpgd_theory.symbolic.sizefree import w1_second_moment
    >>> identities = w1_second_moment()
    >>> identities[0]
    Identity('E[v v^T] = a S^2 + b S', d=symbolic, n=symbolic, residual=0)
    >>> all(identity.ok for identity in identities), len(identities)
    (True, 2)
    """
    P = letter("P")
    xi, xj, bi, bj, x = Vec("xi"), Vec("xj"), Vec("bi"), Vec("bj"), Vec("x")
    chain = [bi.T, xi, xi.T, P.T, x, x.T, P, xj, xj.T, bj]
    eq = expect_chain(chain, _cov(True)) + expect_chain([xi.T, P.T, x, x.T, P, xi], _cov(True)) * NOISE
    ne = expect_chain(chain, _cov(False))
    yhat2 = pair_sum(eq, ne)
    return [_id("E[v v^T] = a S^2 + b S", e_vvT(), second_moment_claim()),
            _id("E[yhat^2] = tr(P^T S P M)", yhat2, (P.T * S * P * second_moment_claim()).trace())]


@lru_cache(maxsize=1)
def engine_risk_all_sizes() -> MatPoly:
    r"""``E(y − ŷ)²`` by Wick contraction and index classes, without the intermediate steps."""
    P = letter("P")
    x, b, xi, xj, bi, bj = Vec("x"), Vec("b"), Vec("xi"), Vec("xj"), Vec("bi"), Vec("bj")
    ey2 = expect_chain([b.T, x, x.T, b], _cov(False)) + NOISE
    eyy = single_sum(expect_chain([b.T, x, x.T, P, xi, xi.T, bi], _cov(False)))
    chain = [bi.T, xi, xi.T, P.T, x, x.T, P, xj, xj.T, bj]
    eq = expect_chain(chain, _cov(True)) + expect_chain([xi.T, P.T, x, x.T, P, xi], _cov(True)) * NOISE
    eyh2 = pair_sum(eq, expect_chain(chain, _cov(False)))
    return ey2 - eyy * 2 + eyh2


def w1_risk() -> list:
    r"""Check the closed-form risk of claim W1 by Wick contraction, for symbolic ``d``, ``n``.

    ``E(y − ŷ)² = τ − 2(rᵀω)tr(ΣPΣ) + tr(PᵀΣPM)`` for every ``d``, ``n``.

    Returns
    -------
    list of Identity
        The 1 exact identity checked; each is ``ok`` (residual 0) when it holds,
        and its ``size`` says for which sizes.

    Examples
    --------
    >>> from wpgd_theory.symbolic.sizefree import w1_risk
    >>> identities = w1_risk()
    >>> identities[0]
    Identity('E(y - yhat)^2 = closed form', d=symbolic, n=symbolic, residual=0)
    >>> all(identity.ok for identity in identities), len(identities)
    (True, 1)
    """
    return [_id("E(y - yhat)^2 = closed form", engine_risk_all_sizes(), closed_form_risk())]


# ---------------------------------------------------------------------- W2
def w2_scaling() -> list:
    r"""Check the scaling symmetry of claim W2 on the Wick risk, for symbolic ``d``, ``n``.

    The risk is invariant under ``(P, ω) → (κP, ω/κ)``: ``rᵀω → rᵀω/κ``, ``‖ω‖², ωᵀRω, (1ᵀω)² → ·/κ²``.

    Returns
    -------
    list of Identity
        The 1 exact identity checked; each is ``ok`` (residual 0) when it holds,
        and its ``size`` says for which sizes.

    Examples
    --------
    >>> from wpgd_theory.symbolic.sizefree import w2_scaling
    >>> identities = w2_scaling()
    >>> identities[0]
    Identity('L(kP, w/k) = L(P, w)', d=symbolic, n=symbolic, residual=0)
    >>> all(identity.ok for identity in identities), len(identities)
    (True, 1)
    """
    k = sp.Symbol("kappa", nonzero=True)
    L = engine_risk_all_sizes()
    scaled = L.substitute("P", letter("P") * k).map_coeffs(
        lambda c: sp.expand(c.subs({RW: RW / k, NORM2: NORM2 / k**2, WRW: WRW / k**2, ONEW: ONEW / k})))
    return [_id("L(kP, w/k) = L(P, w)", scaled, L)]


# ---------------------------------------------------------------------- W3
def _risk_M():
    """``τ − 2c tr(ΣPΣ) + tr(PᵀΣPM)`` with ``M`` a symmetric letter and ``c = rᵀω``."""
    P, M = letter("P"), letter("M", symmetric=True)
    return _tau() - (S * P * S).trace() * (2 * RW) + (P.T * S * P * M).trace()


def w3_gradient() -> list:
    r"""Check the gradient ``∇_P L`` of claim W3 by this engine's matrix calculus, ``d`` symbolic.

    ``∇_P L = −2cΣ² + 2ΣPM`` by matrix calculus on traces (``Σ``, ``M`` symmetric).

    Returns
    -------
    list of Identity
        The 1 exact identity checked; each is ``ok`` (residual 0) when it holds,
        and its ``size`` says for which sizes.

    Examples
    --------
    >>> from wpgd_theory.symbolic.sizefree import w3_gradient
    >>> identities = w3_gradient()
    >>> identities[0]
    Identity('grad_P L = -2c S^2 + 2 S P M', d=symbolic, residual=0)
    >>> all(identity.ok for identity in identities), len(identities)
    (True, 1)
    """
    P, M = letter("P"), letter("M", symmetric=True)
    return [_id("grad_P L = -2c S^2 + 2 S P M", trace_gradient(_risk_M(), "P"), S * S * (-2 * RW) + S * P * M * 2,
                {"d": "symbolic"})]


def from_sympy(expr, symmetric: tuple = ()) -> MatPoly:
    r"""Convert a sympy matrix expression into canonical form.

    Accepted: MatrixSymbols of size ``d``, MatMul, MatAdd, Transpose, Trace, Identity,
    ZeroMatrix, positive integer powers and scalars; the MatrixSymbols named in ``symmetric``
    are declared symmetric letters, every other one is general.  Used to read sympy's own
    matrix derivative (:func:`w3_gradient_sympy`, claim W3).

    Parameters
    ----------
    expr : sympy.Basic
        The matrix or scalar expression.
    symmetric : tuple of str, optional
        Names of the MatrixSymbols declared symmetric (default none).

    Returns
    -------
    MatPoly
        The expression in canonical form.

    Raises
    ------
    TypeError
        If ``expr`` holds an unsupported matrix expression or power.

    Examples
    --------
    >>> import sympy as sp
    >>> from wpgd_theory.symbolic.matrixwick import D, letter
    >>> from wpgd_theory.symbolic.sizefree import from_sympy
    >>> S, P = sp.MatrixSymbol("Sigma", D, D), sp.MatrixSymbol("P", D, D)
    >>> f = from_sympy(sp.Trace(P.T * S), symmetric=("Sigma",))
    >>> f == (letter("P") * letter("Sigma", symmetric=True)).trace()
    True
    """
    if isinstance(expr, sp.MatrixSymbol):
        return letter(expr.name, symmetric=expr.name in symmetric)
    if isinstance(expr, sp.Identity):
        return identity()
    if isinstance(expr, sp.ZeroMatrix):
        return MatPoly()
    if isinstance(expr, sp.Transpose):
        return from_sympy(expr.arg, symmetric).T
    if isinstance(expr, sp.Trace):
        return from_sympy(expr.arg, symmetric).trace()
    if isinstance(expr, (sp.MatAdd, sp.Add)):
        parts = [from_sympy(a, symmetric) for a in expr.args]
        out = parts[0]
        for p in parts[1:]:
            out = out + p
        return out
    if isinstance(expr, (sp.MatPow, sp.Pow)) and expr.base.is_Matrix:
        if not (expr.exp.is_Integer and expr.exp > 0):
            raise TypeError(f"unsupported matrix power {expr}")
        base, out = from_sympy(expr.base, symmetric), identity()
        for _ in range(int(expr.exp)):
            out = out * base
        return out
    if isinstance(expr, (sp.MatMul, sp.Mul)):
        out = None
        for a in expr.args:
            f = from_sympy(a, symmetric) if (a.is_Matrix or isinstance(a, sp.Trace)) else a
            out = f if out is None else out * f
        return out
    if expr.is_Matrix:
        raise TypeError(f"unsupported matrix expression {type(expr).__name__}")
    return scalar(expr)


def w3_gradient_sympy() -> list:
    r"""Check the gradient ``∇_P L`` of claim W3 by sympy's matrix derivative, ``d`` symbolic.

    The same gradient by **sympy's** matrix derivative (``Trace(...).diff(P)`` with ``d``
    symbolic; sympy does not know ``Σ``, ``M`` symmetric, the canonical form does).  Each trace
    term is differentiated separately (sympy 1.14 returns 0 for ``(c·Trace(X) + Trace(Y)).diff(P)``).

    Returns
    -------
    list of Identity
        The 1 exact identity checked; each is ``ok`` (residual 0) when it holds,
        and its ``size`` says for which sizes.

    Examples
    --------
    >>> from wpgd_theory.symbolic.sizefree import w3_gradient_sympy
    >>> identities = w3_gradient_sympy()
    >>> identities[0]
    Identity('sympy d/dP = -2c S^2 + 2 S P M', d=symbolic, residual=0)
    >>> all(identity.ok for identity in identities), len(identities)
    (True, 1)
    """
    Ss, Ps, Ms = (sp.MatrixSymbol(nm, D, D) for nm in ("Sigma", "P", "M"))
    c = RW
    terms = [-2 * c * sp.Trace(Ss * Ps * Ss), sp.Trace(Ps.T * Ss * Ps * Ms)]
    grad = from_sympy(terms[0].diff(Ps), ("Sigma", "M")) + from_sympy(terms[1].diff(Ps), ("Sigma", "M"))
    M = letter("M", symmetric=True)
    return [_id("sympy d/dP = -2c S^2 + 2 S P M", grad, S * S * (-2 * c) + S * letter("P") * M * 2, {"d": "symbolic"})]


def w3_hessian() -> list:
    r"""Check the first and second directional derivatives of ``L`` in ``P`` (claim W3).

    ``L(P + sE) = L + s⟨∇L, E⟩ + s² tr(EᵀΣEM)``: the second directional derivative is
    ``2 tr(EᵀΣEM) = 2 vec(E)ᵀ(M ⊗ Σ)vec(E)``, and the first is ``tr(∇Lᵀ E)``.

    Returns
    -------
    list of Identity
        The 2 exact identities checked; each is ``ok`` (residual 0) when it holds,
        and its ``size`` says for which sizes.

    Examples
    --------
    >>> from wpgd_theory.symbolic.sizefree import w3_hessian
    >>> identities = w3_hessian()
    >>> identities[0]
    Identity('half second derivative = tr(E^T S E M)', d=symbolic, residual=0)
    >>> all(identity.ok for identity in identities), len(identities)
    (True, 2)
    """
    s = sp.Symbol("s")
    E = letter("E")
    L = _risk_M()
    second = directional(L, "P", "E", s, 2)
    first = directional(L, "P", "E", s, 1)
    grad = trace_gradient(L, "P")
    return [_id("half second derivative = tr(E^T S E M)", second, (E.T * S * E * letter("M", symmetric=True)).trace(),
                {"d": "symbolic"}),
            _id("first derivative = tr(grad^T E)", first, (grad.T * E).trace(), {"d": "symbolic"})]


def w3_spectral() -> list:
    r"""Check the stationarity, ridge and profile identities of claim W3 per eigenvalue of ``Σ``.

    Functions of ``Σ`` commute and are diagonal in its eigenbasis, so identities between them
    are identities per eigenvalue ``λ`` (every ``d``): with ``N = aλ + b``, ``M = aλ² + bλ``:
    stationarity ``−2cλ² + 2λ (c/N) M = 0``; ridge form ``λ/M = 1/N``; profile value
    ``−2c λ² (c/N) + (c/N)² λ M = −c² λ²/N``.

    Returns
    -------
    list of Identity
        The 3 exact identities checked; each is ``ok`` (residual 0) when it holds,
        and its ``size`` says for which sizes.

    Examples
    --------
    >>> from wpgd_theory.symbolic.sizefree import w3_spectral
    >>> identities = w3_spectral()
    >>> identities[0]
    Identity('grad at P* = c N^-1 vanishes', d=symbolic (per eigenvalue), residual=0)
    >>> all(identity.ok for identity in identities), len(identities)
    (True, 3)
    """
    lam, a, b, c = sp.symbols("lambda a b c", positive=True)
    N, M = a * lam + b, a * lam**2 + b * lam
    one = {"d": "symbolic (per eigenvalue)"}
    return [Identity("grad at P* = c N^-1 vanishes", one, sp.cancel(-2 * c * lam**2 + 2 * lam * (c / N) * M), 0),
            Identity("S M^-1 = N^-1", one, sp.cancel(lam / M - 1 / N), 0),
            Identity("profile value", one, sp.cancel(-2 * c * lam**2 * (c / N) + (c / N) ** 2 * lam * M
                                                     + c**2 * lam**2 / N), 0)]


# ---------------------------------------------------------------------- W3 without eigenvalues
A_, B_ = sp.symbols("a b", positive=True)  #: the scalars a, b of N = aΣ + bI, free
NINV = "Ninv"  #: the letter N⁻¹ (declared symmetric: N = aΣ + bI is)


def _ninv() -> MatPoly:
    return letter(NINV, symmetric=True)


def reduce_resolvent(poly: MatPoly, a=A_, b=B_) -> MatPoly:
    r"""Return the normal form of an expression in ``Σ`` and ``N⁻¹`` (``N = aΣ + bI``, ``a ≠ 0``), ``d`` symbolic.

    **Lemma** (the engine's only rule here, derived from ``N⁻¹N = NN⁻¹ = I``):
    ``N⁻¹(aΣ + bI) = I`` gives ``N⁻¹Σ = (I − bN⁻¹)/a``, and ``(aΣ + bI)N⁻¹ = I`` gives
    ``ΣN⁻¹ = (I − bN⁻¹)/a``.  Every adjacent pair ``ΣN⁻¹`` or ``N⁻¹Σ`` in an open word or a trace is
    replaced until none is left (each replacement lowers the degree, so this terminates); what
    remains are words ``Σᵏ`` and ``N⁻ᵐ``.  No eigenbasis is used: identities between functions of
    ``Σ`` follow from the two defining equations of ``N⁻¹`` (claim W3, :func:`w3_resolvent`).

    Parameters
    ----------
    poly : MatPoly
        An expression in the letters ``Sigma`` and ``Ninv`` (:data:`NINV`), both symmetric.
    a : sympy.Expr, optional
        The coefficient of ``Σ`` in ``N`` (default the symbol ``a``).
    b : sympy.Expr, optional
        The coefficient of ``I`` in ``N`` (default the symbol ``b``).

    Returns
    -------
    MatPoly
        The normal form.

    Raises
    ------
    ValueError
        If no normal form is reached after 64 rounds of rewriting.

    Examples
    --------
    >>> from wpgd_theory.symbolic.matrixwick import identity, letter
    >>> from wpgd_theory.symbolic.sizefree import A_, B_, S, reduce_resolvent
    >>> Ninv = letter("Ninv", symmetric=True)
    >>> reduce_resolvent(Ninv * (S * A_ + identity() * B_)) == identity()
    True
    >>> reduce_resolvent(S * Ninv) == (identity() - Ninv * B_) * (1 / A_)  # ΣN⁻¹ = (I − bN⁻¹)/a
    True
    """
    rule = (identity() - _ninv() * b) * (1 / a)
    pair = {("Sigma", NINV), (NINV, "Sigma")}

    def red(word):
        for q in range(len(word) - 1):
            if (word[q][0], word[q + 1][0]) in pair:
                return _word_poly(word[:q]) * rule * _word_poly(word[q + 2:]), True
        if len(word) > 1 and (word[-1][0], word[0][0]) in pair:  # cyclic neighbours (inside a trace)
            return None, False
        return _word_poly(word), False

    for _ in range(64):
        out, changed = MatPoly(is_matrix=poly.is_matrix), False
        for (ts, p), c in poly.terms.items():
            term = scalar(c)
            for w in ts:
                rw, ch = red(w)
                if rw is None:  # only a cyclic pair: rotate the trace so that it becomes adjacent
                    rw, ch = red(w[-1:] + w[:-1])
                changed |= ch
                term = term * rw.trace()
            if p is not None:
                rp, ch = red(p)
                changed |= ch
                term = term * rp
            out = out + term
        poly = out
        if not changed:
            return poly
    raise ValueError("reduce_resolvent: no normal form after 64 rounds")


def _word_poly(word) -> MatPoly:
    acc = identity()
    for nm, tr in word:
        acc = acc * (letter(nm, symmetric=True) if tr == SYM else letter(nm, tr))
    return acc


def _traces_as_symbols(poly: MatPoly, subs: dict) -> sp.Expr:
    """A scalar expression with ``tr Σ`` as the symbol ``trSigma`` and ``subs`` applied, expanded."""
    trS = sp.Symbol("trSigma")
    expr = poly.as_expr().subs(sp.Trace(sp.MatrixSymbol("Sigma", D, D)), trS)
    return sp.expand(sp.together(expr.subs(subs)))


def w3_resolvent() -> list:
    r"""Check the stationarity, ridge and profile identities of claim W3 without an eigenbasis.

    Steps 14–16 of W3 with ``d`` symbolic and **no eigenbasis** (:func:`reduce_resolvent`), with
    ``c``, ``a``, ``b`` free and ``M = aΣ² + bΣ = ΣN``:

    * stationarity: ``∇_PL = −2cΣ² + 2ΣPM`` at ``P* = cN⁻¹`` reduces to 0;
    * ridge form: ``N⁻¹M`` reduces to ``Σ``, i.e. ``ΣM⁻¹ = N⁻¹`` (``M`` invertible, Step 13);
    * profile value: the W1 risk ``τ − 2c tr(ΣPΣ) + tr(PᵀΣPM)`` at ``P* = cN⁻¹`` and
      ``τ − c² tr(Σ²N⁻¹)`` have the same normal form.

    Returns
    -------
    list of Identity
        The 3 exact identities checked; each is ``ok`` (residual 0) when it holds,
        and its ``size`` says for which sizes.

    Examples
    --------
    >>> from wpgd_theory.symbolic.sizefree import w3_resolvent
    >>> identities = w3_resolvent()
    >>> identities[0]
    Identity('grad_P L at P* = c N^-1 is 0', d=symbolic, residual=0)
    >>> all(identity.ok for identity in identities), len(identities)
    (True, 3)
    """
    c = RW  # c = rᵀω, the symbol of the risk's linear term
    S2, Ni = S * S, _ninv()
    M = S2 * A_ + S * B_
    P = Ni * c
    grad = trace_gradient(_risk_M(), "P").substitute("M", M).substitute("P", P)
    risk = _tau() - (S * P * S).trace() * (2 * c) + (P.T * S * P * M).trace()
    claim = _tau() - (S2 * Ni).trace() * c**2
    one = {"d": "symbolic"}
    return [_id("grad_P L at P* = c N^-1 is 0", reduce_resolvent(grad), 0, one),
            _id("N^-1 M = Sigma (so Sigma M^-1 = N^-1)", reduce_resolvent(Ni * M), S, one),
            _id("L(c N^-1) = tau - c^2 tr(Sigma^2 N^-1)", reduce_resolvent(risk), reduce_resolvent(claim), one)]


def w3_profile_resolvent() -> list:
    r"""Confirm the profile risk of claim W3 from the Wick risk, for symbolic ``d``, ``n`` (resolvent form).

    Independent confirmation of the profile risk for symbolic ``d``, ``n`` without an eigenbasis:
    ``P* = cN⁻¹`` (``c = rᵀω``, ``N = aΣ + bI``) substituted into **this engine's** risk ``E(y − ŷ)²``
    (Wick contraction and index classes, not the closed form), reduced by :func:`reduce_resolvent`,
    and compared with ``τ − c² tr(Σ²N⁻¹)`` after ``a = ωᵀRω + ‖ω‖²``, ``b = τ‖ω‖²``, ``τ = tr Σ + σ²``.

    Returns
    -------
    list of Identity
        The 1 exact identity checked; each is ``ok`` (residual 0) when it holds,
        and its ``size`` says for which sizes.

    Examples
    --------
    >>> from wpgd_theory.symbolic.sizefree import w3_profile_resolvent
    >>> identities = w3_profile_resolvent()
    >>> identities[0]
    Identity('E(y - yhat)^2 at P* = c N^-1 equals tau - c^2 tr(Sigma^2 N^-1)', d=symbolic, n=symbolic, residual=0)
    >>> all(identity.ok for identity in identities), len(identities)
    (True, 1)
    """
    L = reduce_resolvent(engine_risk_all_sizes().substitute("P", _ninv() * RW))
    claim = reduce_resolvent(_tau() - (S * S * _ninv()).trace() * RW**2)
    trS = sp.Symbol("trSigma")
    model = {A_: WRW + NORM2, B_: (trS + NOISE) * NORM2}
    return [Identity("E(y - yhat)^2 at P* = c N^-1 equals tau - c^2 tr(Sigma^2 N^-1)",
                     {"d": "symbolic", "n": "symbolic"},
                     sp.cancel(_traces_as_symbols(L, model) - _traces_as_symbols(claim, model)), 0,
                     note="resolvent normal form, symbolic d, n")]


def w3_homogeneity() -> list:
    r"""Check that the profile risk of claim W3 is homogeneous of degree 0 in ``ω``.

    ``c²λ²/(aλ + b)`` is invariant under ``(c, a, b) → (tc, t²a, t²b)`` term by term, so the
    profile is homogeneous of degree 0 for every ``d``.

    Returns
    -------
    list of Identity
        The 1 exact identity checked; each is ``ok`` (residual 0) when it holds,
        and its ``size`` says for which sizes.

    Examples
    --------
    >>> from wpgd_theory.symbolic.sizefree import w3_homogeneity
    >>> identities = w3_homogeneity()
    >>> identities[0]
    Identity('(tc)^2 l^2/(t^2 a l + t^2 b) = c^2 l^2/(a l + b)', d=symbolic, residual=0)
    >>> all(identity.ok for identity in identities), len(identities)
    (True, 1)
    """
    lam, a, b, c, t = sp.symbols("lambda a b c t")
    Phi = sp.Symbol("Phi")
    return [termwise("(tc)^2 l^2/(t^2 a l + t^2 b) = c^2 l^2/(a l + b)", (t * c) ** 2 * lam**2 / (t**2 * a * lam
                                                                                               + t**2 * b),
                     {Phi: 1}, {Phi: c**2 * lam**2 / (a * lam + b)}, lam)]


# ---------------------------------------------------------------------- W4, W5
def w4_partials() -> list:
    r"""Check the partial derivatives of ``F(c, a, b) = τ − c²φ`` (claim W4) for every ``d``.

    For ``F = τ − c²φ``, ``φ = Σλ²/(aλ+b)``: ``∂_cF = −2cφ``, ``∂_aF = c²A₃``, ``∂_bF = c²A₂``,
    ``φ = aA₃ + bA₂`` — each a termwise identity in one eigenvalue (every ``d``).

    Returns
    -------
    list of Identity
        The 4 exact identities checked; each is ``ok`` (residual 0) when it holds,
        and its ``size`` says for which sizes.

    Examples
    --------
    >>> from wpgd_theory.symbolic.sizefree import w4_partials
    >>> identities = w4_partials()
    >>> identities[0]
    Identity('dF/dc = -2c phi', d=symbolic, residual=0)
    >>> all(identity.ok for identity in identities), len(identities)
    (True, 4)
    """
    lam, a, b, c = sp.symbols("lambda a b c")
    phi_t = lam**2 / (a * lam + b)
    Phi, A2, A3 = sp.symbols("Phi A2 A3")
    basis = {Phi: phi_t, A2: lam**2 / (a * lam + b) ** 2, A3: lam**3 / (a * lam + b) ** 2}
    F_t = -(c**2) * phi_t  # τ is constant in (c, a, b)
    return [termwise("dF/dc = -2c phi", sp.diff(F_t, c), {Phi: -2 * c}, basis, lam),
            termwise("dF/da = c^2 A3", sp.diff(F_t, a), {A3: c**2}, basis, lam),
            termwise("dF/db = c^2 A2", sp.diff(F_t, b), {A2: c**2}, basis, lam),
            termwise("phi = a A3 + b A2", phi_t, {A3: a, A2: b}, basis, lam)]


def w4_mu() -> list:
    r"""Check ``μ = τA₂/A₃ = τh(b/a)`` (claim W4) for every ``d``.

    ``(aλ+b)² = a²(λ+t)²`` with ``t = b/a`` termwise, so ``τA₂/A₃ = τh(b/a)`` for every ``d``.

    Returns
    -------
    list of Identity
        The 2 exact identities checked; each is ``ok`` (residual 0) when it holds,
        and its ``size`` says for which sizes.

    Examples
    --------
    >>> from wpgd_theory.symbolic.sizefree import w4_mu
    >>> identities = w4_mu()
    >>> identities[0]
    Identity('A2 term = H2 term / a^2', d=symbolic, residual=0)
    >>> all(identity.ok for identity in identities), len(identities)
    (True, 2)
    """
    lam, a, b = sp.symbols("lambda a b", positive=True)
    H2, H3 = sp.symbols("H2 H3")  # Σλ²/(λ+t)², Σλ³/(λ+t)²
    t = b / a
    basis = {H2: lam**2 / (lam + t) ** 2, H3: lam**3 / (lam + t) ** 2}
    return [termwise("A2 term = H2 term / a^2", lam**2 / (a * lam + b) ** 2, {H2: 1 / a**2}, basis, lam),
            termwise("A3 term = H3 term / a^2", lam**3 / (a * lam + b) ** 2, {H3: 1 / a**2}, basis, lam)]


def w5_isotropic() -> list:
    r"""Check the isotropic case ``Σ = λI`` of claim W5 for symbolic ``d``, ``n``.

    ``Σ = λI``: ``h = dλ²/(λ+t)² / (dλ³/(λ+t)²) = 1/λ``, ``τh = d + σ²/λ``, and
    ``aλ + b = λ(ωᵀRω + ‖ω‖²) + (dλ + σ²)‖ω‖² = λ ωᵀ(R + (d + 1 + σ²/λ)I)ω`` (``d``, ``n`` symbolic).

    Returns
    -------
    list of Identity
        The 3 exact identities checked; each is ``ok`` (residual 0) when it holds,
        and its ``size`` says for which sizes.

    Examples
    --------
    >>> from wpgd_theory.symbolic.sizefree import w5_isotropic
    >>> identities = w5_isotropic()
    >>> identities[0]
    Identity('h = 1/lambda', d=symbolic, n=symbolic, residual=0)
    >>> all(identity.ok for identity in identities), len(identities)
    (True, 3)
    """
    lam, t = sp.symbols("lambda t", positive=True)
    h = (D * lam**2 / (lam + t) ** 2) / (D * lam**3 / (lam + t) ** 2)
    tau = D * lam + NOISE
    a, b = WRW + NORM2, tau * NORM2
    quad = lam * (WRW + (D + 1 + NOISE / lam) * NORM2)  # λ ωᵀAω = λ(ωᵀRω + (d+1+σ²/λ)‖ω‖²)
    return [Identity("h = 1/lambda", ALL, sp.cancel(h - 1 / lam), 0),
            Identity("tau h = d + s2/lambda", ALL, sp.cancel(tau * h - (D + NOISE / lam)), 0),
            Identity("a lambda + b = lambda w^T A w", ALL, sp.expand(a * lam + b - quad), 0)]


# ---------------------------------------------------------------------- cross-checks (two engines)
def crosscheck_isserlis(sizes=(2, 3)) -> list:
    r"""Cross-check the all-sizes matrix Isserlis identity (W1) with the fixed-size engine.

    The fixed-size Isserlis engine on entries (``derivations.w1_isserlis``) against **this**
    engine's ``E[x xᵀ A x xᵀ]`` evaluated at ``d × d`` symbol matrices.

    Parameters
    ----------
    sizes : sequence of int, optional
        The dimensions ``d`` to compare at (default ``(2, 3)``).

    Returns
    -------
    list of Identity
        The 1 exact identity checked; each is ``ok`` (residual 0) when it holds,
        and its ``size`` says for which sizes.

    Examples
    --------
    >>> from wpgd_theory.symbolic.sizefree import crosscheck_isserlis
    >>> identities = crosscheck_isserlis(sizes=(2,))
    >>> identities[0]
    Identity('E[x xᵀ A x xᵀ] = ΣAΣ + ΣAᵀΣ + tr(AΣ)Σ', d=2, residual=0)
    >>> all(identity.ok for identity in identities), len(identities)
    (True, 1)
    """
    from . import derivations as Dv

    poly = expect_chain([Vec("x"), Vec("x").T, letter("A"), Vec("x"), Vec("x").T], _cov(False))

    def rhs(Sd, Ad):
        K = Sd.domain
        mats = {"Sigma": Sd.to_Matrix(), "A": Ad.to_Matrix()}
        return dm(evaluate(poly, mats, Sd.shape[0]), K.ring if hasattr(K, "ring") else K)

    return [Dv.w1_isserlis.__wrapped__(d, rhs=rhs) for d in sizes]


def crosscheck_second_moment(sizes=((2, 2), (2, 3), (3, 2))) -> list:
    r"""Cross-check the all-sizes ``E[vvᵀ]`` and risk (W1) with the fixed-size engine.

    The fixed-size engine's ``E[vvᵀ]`` and ``E(y − ŷ)²`` against this engine's all-sizes results
    evaluated at ``(d, n)`` (``‖ω‖², ωᵀRω, rᵀω`` written out in the entries).

    Parameters
    ----------
    sizes : sequence of (int, int), optional
        The sizes ``(d, n)`` to compare at (default ``((2, 2), (2, 3), (3, 2))``).

    Returns
    -------
    list of Identity
        The 2 exact identities checked; each is ``ok`` (residual 0) when it holds,
        and its ``size`` says for which sizes.

    Examples
    --------
    >>> from wpgd_theory.symbolic.sizefree import crosscheck_second_moment
    >>> identities = crosscheck_second_moment(sizes=((1, 2),))
    >>> identities[0]
    Identity('E[v v^T]: fixed-size vs all-sizes', d=1, n=2, residual=0)
    >>> all(identity.ok for identity in identities), len(identities)
    (True, 2)
    """
    from . import derivations as Dv

    out = []
    vv, risk = e_vvT(), engine_risk_all_sizes()
    for d, n in sizes:
        pb = Dv.risk_problem(d, n)
        K = pb.engine.param_ring
        w, r, R = pb.omega, pb.r, pb.R
        scal = {NORM2: sum(wi**2 for wi in w), WRW: sum(w[i] * R[i, j] * w[j] for i in range(n) for j in range(n)),
                RW: sum(ri * wi for ri, wi in zip(r, w)), ONEW: sum(w)}
        ys, yq = pb.labels()
        v = pb.weighted_sum(ys)
        lhs = dm([[pb.engine.expectation(v[a] * v[b]) for b in range(d)] for a in range(d)], K)
        rhs = dm(evaluate(vv, {"Sigma": pb.Sigma}, d, scal), K)
        out.append(Identity("E[v v^T]: fixed-size vs all-sizes", {"d": d, "n": n}, lhs, rhs))
        rl = K.from_expr(sp.expand(evaluate(risk, {"Sigma": pb.Sigma, "P": pb.P}, d, scal)))
        out.append(Identity("E(y - yhat)^2: fixed-size vs all-sizes", {"d": d, "n": n}, Dv.engine_risk(d, n), rl))
    return out


def w6_zero_r() -> list:
    r"""Check claim W6: with ``r = 0`` the risk is ``τ + tr(PᵀΣPM) ≥ τ`` (symbolic ``d``, ``n``).

    With ``r = 0`` (``rᵀω = 0`` for every ``ω``) the engine's risk is ``τ + tr(PᵀΣPM) ≥ τ``.

    Returns
    -------
    list of Identity
        The 1 exact identity checked; each is ``ok`` (residual 0) when it holds,
        and its ``size`` says for which sizes.

    Examples
    --------
    >>> from wpgd_theory.symbolic.sizefree import w6_zero_r
    >>> identities = w6_zero_r()
    >>> identities[0]
    Identity('L = tau + tr(P^T S P M) when r = 0', d=symbolic, n=symbolic, residual=0)
    >>> all(identity.ok for identity in identities), len(identities)
    (True, 1)
    """
    L0 = engine_risk_all_sizes().map_coeffs(lambda c: sp.expand(c.subs(RW, 0)))
    return [_id("L = tau + tr(P^T S P M) when r = 0", L0, _tau() + (letter("P").T * S * letter("P")
                                                                   * second_moment_claim()).trace())]


crosscheck_isserlis.sizes = "d = 2, 3 (this engine's result evaluated)"
crosscheck_second_moment.sizes = "(d, n) = (2, 2), (2, 3), (3, 2) (this engine's results evaluated)"


def _rewrite(poly: MatPoly, pattern: tuple, replacement: tuple) -> MatPoly:
    """Replace every occurrence of the letter pair ``pattern`` in the open words by ``replacement``."""
    out = MatPoly(is_matrix=poly.is_matrix)
    for (ts, p), c in poly.terms.items():
        w = p
        changed = True
        while changed and w is not None:
            changed = False
            for i in range(len(w) - len(pattern) + 1):
                if w[i:i + len(pattern)] == pattern:
                    w, changed = w[:i] + replacement + w[i + len(pattern):], True
                    break
        out._add(ts, w, c)
    return out


def a4_taskwise() -> list:
    r"""Check the task-wise optimum of claim A4 for symbolic numbers of examples and tasks.

    Task models: ``R = EρEᵀ`` (``E`` the ``n × K`` segment indicator, ``N = EᵀE``):
    ``(EρEᵀ + sI)E = E(ρN + sI)`` for letters of symbolic sizes, so ``(R + sI)⁻¹r = E(ρN + sI)⁻¹r_task``
    (``r = E r_task``): ``ω(μ)`` is constant on every segment, for every segment structure.

    Returns
    -------
    list of Identity
        The 1 exact identity checked; each is ``ok`` (residual 0) when it holds,
        and its ``size`` says for which sizes.

    Examples
    --------
    >>> from wpgd_theory.symbolic.sizefree import a4_taskwise
    >>> identities = a4_taskwise()
    >>> identities[0]
    Identity('(E rho E^T + sI) E = E (rho N + sI)', n=symbolic, K=symbolic, residual=0)
    >>> all(identity.ok for identity in identities), len(identities)
    (True, 1)
    """
    s = sp.Symbol("s")
    E, rho = letter("E"), letter("rho", symmetric=True)
    lhs = _rewrite((E * rho * E.T + identity() * s) * E, (("E", 1), ("E", 0)), (("N", SYM),))
    return [_id("(E rho E^T + sI) E = E (rho N + sI)", lhs, E * (rho * letter("N", symmetric=True) + identity() * s),
                {"n": "symbolic", "K": "symbolic"})]


def w3_profile_engine() -> list:
    r"""Confirm the profile risk of claim W3 from the Wick risk, per eigenvalue, for every ``d``.

    Independent confirmation of the profile risk for every ``d``: substitute ``P* = f(Σ)``,
    ``f(λ) = c/(aλ + b)``, into **this engine's** risk ``E(y − ŷ)²`` (not the closed form).
    ``P*`` is a function of ``Σ``, so every trace containing it is ``Σ_j λ_j^p f(λ_j)^q`` (``p``, ``q``
    the letter counts of the word); pure traces ``tr Σ`` stay symbolic.  The ``P``-free part must
    be ``τ`` and the generic eigenvalue term must be ``−c²λ²/(aλ + b)``.

    Returns
    -------
    list of Identity
        The 2 exact identities checked; each is ``ok`` (residual 0) when it holds,
        and its ``size`` says for which sizes.

    Raises
    ------
    ValueError
        If a term of the engine's risk has a shape the eigenvalue reduction does not cover
        (two traces containing ``P*``, an unexpected pure trace): the check fails loudly.
    AssertionError
        If the engine's risk is not a scalar expression (an engine error).

    Examples
    --------
    >>> from wpgd_theory.symbolic.sizefree import w3_profile_engine
    >>> identities = w3_profile_engine()
    >>> identities[0]
    Identity('P-free part = tau', d=symbolic, n=symbolic, residual=0)
    >>> all(identity.ok for identity in identities), len(identities)
    (True, 2)
    """
    L = engine_risk_all_sizes().substitute("P", letter("F", symmetric=True))
    lam, trS = sp.symbols("lambda trSigma", positive=True)
    a, c = WRW + NORM2, RW
    b = (trS + NOISE) * NORM2
    f = c / (a * lam + b)
    const, term = sp.Integer(0), sp.Integer(0)
    for (ts, p), coef in L.terms.items():
        if p is not None:
            raise AssertionError("the risk is a scalar")
        with_f = [w for w in ts if any(nm == "F" for nm, _ in w)]
        pure = [w for w in ts if w not in with_f]
        if len(with_f) > 1:
            raise ValueError("a term with two traces containing P*")
        scal = coef
        for w in pure:
            if w != (("Sigma", SYM),):
                raise ValueError(f"unexpected pure trace {w}")
            scal = scal * trS
        if with_f:
            w = with_f[0]
            term += scal * lam ** sum(nm == "Sigma" for nm, _ in w) * f ** sum(nm == "F" for nm, _ in w)
        else:
            const += scal
    return [Identity("P-free part = tau", {"d": "symbolic", "n": "symbolic"}, sp.expand(const - (trS + NOISE)), 0),
            Identity("eigenvalue term = -c^2 l^2/(a l + b)", {"d": "symbolic", "n": "symbolic"},
                     sp.cancel(term + c**2 * lam**2 / (a * lam + b)), 0)]
