r"""Bilinear forms in vectors of symbolic length ``n`` (scope ``all-sizes``): W4, W5, A1, A3.

Vectors (``ω``, ``r``, ``z``, ``h``, ``1``, ...) and symmetric ``n × n`` matrices (``R``,
``A``) are letters; a matrix letter is symmetric only by declaration (:func:`symmetric`, e.g.
``symmetric("R", "A")`` where the caller knows ``R = Rᵀ``), and an atom with an undeclared
letter is refused (the canonical form below is only valid for symmetric letters); a vector
expression is a linear combination of words applied to vector
letters, ``Σ c · W v``, and a scalar is a polynomial in **atoms** ``⟨u|W|v⟩ = uᵀ W v``,
stored in canonical form (``⟨u|W|v⟩ = ⟨v|Wᵀ|u⟩``, all matrices symmetric, so the least of the
two readings).  Defining relations are rewrite rules applied before canonicalisation, e.g.
``z = A⁻¹r`` as ``A z → r`` (and ``zᵀA → rᵀ``).

Calculus: the directional derivative ``D_h f(ω) = d/ds f(ω + s h)|₀`` is computed by
substitution in the atoms; with ``h`` a free vector letter, ``∇f = g`` is equivalent to
``⟨g|h⟩ = D_h f`` as an identity of atoms — decided for every ``n``.
"""

from __future__ import annotations

from collections.abc import Mapping

import sympy as sp

from .algebra import Identity

__all__ = ["vec", "apply", "bil", "directional", "Rules", "symmetric"]

ALL = {"d": "symbolic", "n": "symbolic"}

#: The matrix letters declared symmetric (:func:`symmetric`); ``"I"`` is the identity.
_SYMMETRIC: set = {"I"}


def symmetric(*names: str) -> None:
    """Declare the matrix letters ``names`` symmetric (``M = Mᵀ``): the only letters atoms may
    contain, since ``⟨u|W|v⟩ = ⟨v|reversed W|u⟩`` needs every letter of ``W`` symmetric."""
    for name in names:
        if not isinstance(name, str) or not name:
            raise ValueError(f"symmetric: a matrix letter is a non-empty string, got {name!r}")
    _SYMMETRIC.update(names)


class Rules:
    """Rewrite rules ``(matrix letter, vector letter) → vector expression`` (``A z → r``)."""

    def __init__(self, rules: Mapping | None = None):
        self.rules = dict(rules or {})

    def reduce(self, word: tuple, v: str):
        """``W v`` as a vector expression after applying the rules at the right end (repeatedly)."""
        if word and (word[-1], v) in self.rules:
            out = {}
            for (w2, v2), c in self.rules[(word[-1], v)].items():
                for (w3, v3), c3 in self.reduce(word[:-1] + w2, v2).items():
                    out[(w3, v3)] = out.get((w3, v3), 0) + c * c3
            return out
        return {(word, v): sp.Integer(1)}


def vec(name: str, coeff=1) -> dict:
    """The vector letter ``name`` (times ``coeff``)."""
    return {((), name): sp.sympify(coeff)}


def add(*vs) -> dict:
    out: dict = {}
    for v in vs:
        for k, c in v.items():
            out[k] = out.get(k, 0) + c
    return {k: c for k, c in out.items() if sp.expand(c) != 0}


def scale(v: dict, c) -> dict:
    return {k: sp.sympify(c) * x for k, x in v.items()}


def apply(mat: str | tuple, v: dict) -> dict:
    """``M v`` for a matrix letter (or word) ``mat``; ``"I"`` is the identity."""
    word = (mat,) if isinstance(mat, str) else tuple(mat)
    word = tuple(m for m in word if m != "I")
    return {(word + w, n): c for (w, n), c in v.items()}


def _atom(u: str, word: tuple, v: str, rules: Rules):
    """``⟨u|W|v⟩`` after the rules (applied at both ends; matrices symmetric), canonical."""
    undeclared = sorted({m for m in word if m not in _SYMMETRIC})
    if undeclared:
        raise ValueError(f"bilinear: matrix letters {undeclared} are not declared symmetric (symmetric(...)); "
                         f"the engine's canonical atoms hold only for symmetric matrices")
    total = sp.Integer(0)
    for (w1, v1), c1 in rules.reduce(word, v).items():
        # the left end: ⟨u|W = (Wᵀ u)ᵀ = (reversed W) u, matrices symmetric
        for (w2, u2), c2 in rules.reduce(tuple(reversed(w1)), u).items():
            inner = tuple(reversed(w2))
            a = (u2, inner, v1)
            b = (v1, tuple(reversed(inner)), u2)
            key = min(a, b)
            total += c1 * c2 * sp.Symbol(f"<{key[0]}|{''.join(x + '.' for x in key[1])}{key[2]}>")
    return total


def bil(u: dict, v: dict, rules: Rules | None = None, mid: tuple = ()) -> sp.Expr:
    """``uᵀ M v`` (``M`` the word ``mid``) as a polynomial in canonical atoms."""
    rules = rules or Rules()
    out = sp.Integer(0)
    for (wu, nu), cu in u.items():
        for (wv, nv), cv in v.items():
            # (Wu nu)ᵀ mid (Wv nv) = ⟨nu| reversed(Wu) mid Wv |nv⟩
            out += cu * cv * _atom(nu, tuple(reversed(wu)) + tuple(mid) + wv, nv, rules)
    return sp.expand(out)


def directional(f_of, omega: dict, h: dict, s: sp.Symbol):
    """``d/ds f(ω + s h)`` at ``s = 0`` for ``f_of`` a function of the vector expression ``ω``."""
    return sp.expand(sp.diff(f_of(add(omega, scale(h, s))), s).subs(s, 0))


def identity_(name: str, expr) -> Identity:
    return Identity(name, dict(ALL), sp.expand(sp.cancel(sp.together(expr))), 0, note="canonical atoms, symbolic n")
