r"""Sums over an index of symbolic length by their generic term (scope ``all-sizes``).

A sum ``Σ_{j=1}^{d} f(v_j)`` with ``d`` symbolic is represented by its generic term ``f(v)``.
Sums are linear, so an identity between *linear combinations of sums* holds for every ``d``
as soon as the generic terms agree as rational functions of ``v`` (coefficients independent
of ``j``):

    Σ_j f(v_j) = Σ_i c_i Σ_j b_i(v_j)   ⇐   f(v) − Σ_i c_i b_i(v) ≡ 0.

:func:`termwise` checks that step and returns an :class:`~.algebra.Identity`;
:func:`ratio_identity` then checks an identity between *rational functions of sums* by
replacing every sum by its named basis sum (a free symbol) — exact for every ``d``.
:func:`explicit_sum` is the fixed-size side: the same sum written out for ``d`` concrete
symbols, for the cross-check at small sizes.
"""

from __future__ import annotations

from collections.abc import Mapping

import sympy as sp

from .algebra import Identity

__all__ = ["termwise", "ratio_identity", "explicit_sum"]

ALL_SIZES = {"d": "symbolic"}


def termwise(name: str, summand: sp.Expr, combination: Mapping, basis: Mapping, var: sp.Symbol) -> Identity:
    r"""Check ``Σ_j summand(v_j) = Σ_S combination[S] · Σ_j basis[S](v_j)`` for every length ``d``.

    Sums are linear, so the identity holds for every ``d`` as soon as the generic terms agree,
    ``summand(v) − Σ_S combination[S] basis[S](v) ≡ 0``, with coefficients independent of the
    summation variable (used by claims W3, W4, W5).

    Parameters
    ----------
    name : str
        The identity in words or ASCII mathematics.
    summand : sympy.Expr
        The generic term ``f(v)`` of the left-hand sum.
    combination : mapping
        ``{basis-sum symbol S: coefficient}``; coefficients must not contain ``var``.
    basis : mapping
        ``{S: generic term of the basis sum S}``.
    var : sympy.Symbol
        The generic summation variable ``v``.

    Returns
    -------
    Identity
        Size ``d`` symbolic; its residual is 0 exactly when the generic terms agree.

    Raises
    ------
    ValueError
        If a coefficient depends on ``var``.

    Examples
    --------
    >>> import sympy as sp
    >>> from wpgd_theory.symbolic.termsums import termwise
    >>> v, S1, Sv = sp.symbols("v S_1 S_v")
    >>> termwise("sum (2v + 1) = 2 S_v + S_1", 2 * v + 1, {Sv: 2, S1: 1}, {Sv: v, S1: sp.Integer(1)}, v)
    Identity('sum (2v + 1) = 2 S_v + S_1', d=symbolic, residual=0)
    """
    for S, coef in combination.items():
        if var in sp.sympify(coef).free_symbols:
            raise ValueError(f"{name}: coefficient of {S} depends on the summation variable {var}")
    rhs = sum((sp.sympify(coef) * basis[S] for S, coef in combination.items()), sp.Integer(0))
    return Identity(name, dict(ALL_SIZES), sp.cancel(sp.together(summand - rhs)), 0, note="termwise, every d")


def ratio_identity(name: str, lhs: sp.Expr, rhs: sp.Expr) -> Identity:
    r"""Check an identity between rational functions of basis-sum symbols (and parameters).

    Every sum is replaced by its named basis sum (a free symbol), so the comparison is exact
    for every ``d``.

    Parameters
    ----------
    name : str
        The identity in words or ASCII mathematics.
    lhs : sympy.Expr
        Left-hand side, a rational function of the sum symbols.
    rhs : sympy.Expr
        Right-hand side.

    Returns
    -------
    Identity
        Size ``d`` symbolic; residual 0 exactly when ``lhs − rhs`` cancels.

    Examples
    --------
    >>> import sympy as sp
    >>> from wpgd_theory.symbolic.termsums import ratio_identity
    >>> A, B = sp.symbols("A B")
    >>> ratio_identity("(A^2 - B^2)/(A - B) = A + B", (A**2 - B**2) / (A - B), A + B).ok
    True
    """
    return Identity(name, dict(ALL_SIZES), sp.cancel(sp.together(lhs - rhs)), 0, note="in the sums, every d")


def explicit_sum(term, values) -> sp.Expr:
    r"""Write out ``Σ_j term(v_j)`` over concrete symbols (the fixed-size side of a cross-check).

    Parameters
    ----------
    term : callable
        ``term(v)`` returns the summand for one value.
    values : sequence of sympy.Symbol
        The ``d`` concrete values ``v_1 … v_d``.

    Returns
    -------
    sympy.Expr
        The sum.

    Examples
    --------
    >>> import sympy as sp
    >>> from wpgd_theory.symbolic.termsums import explicit_sum
    >>> explicit_sum(lambda v: v**2, sp.symbols("v1 v2"))
    v1**2 + v2**2
    """
    return sp.Add(*[term(v) for v in values])
