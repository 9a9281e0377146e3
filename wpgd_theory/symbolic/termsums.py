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
    r"""``Σ_j summand(v_j) = Σ_S combination[S] · Σ_j basis[S](v_j)`` for every length ``d``.

    ``combination`` maps basis-sum symbols ``S`` to coefficients that must not depend on
    ``var`` (checked: a coefficient containing ``var`` raises ``ValueError``).
    """
    for S, coef in combination.items():
        if var in sp.sympify(coef).free_symbols:
            raise ValueError(f"{name}: coefficient of {S} depends on the summation variable {var}")
    rhs = sum((sp.sympify(coef) * basis[S] for S, coef in combination.items()), sp.Integer(0))
    return Identity(name, dict(ALL_SIZES), sp.cancel(sp.together(summand - rhs)), 0, note="termwise, every d")


def ratio_identity(name: str, lhs: sp.Expr, rhs: sp.Expr) -> Identity:
    """An identity between rational functions of basis-sum symbols (and parameters)."""
    return Identity(name, dict(ALL_SIZES), sp.cancel(sp.together(lhs - rhs)), 0, note="in the sums, every d")


def explicit_sum(term, values) -> sp.Expr:
    """``Σ_j term(v_j)`` over concrete symbols ``values`` (the fixed-size side)."""
    return sp.Add(*[term(v) for v in values])
