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
    r"""Declare the matrix letters ``names`` symmetric (``M = Mᵀ``).

    They are the only letters atoms may contain, since ``⟨u|W|v⟩ = ⟨v|reversed W|u⟩`` needs
    every letter of ``W`` symmetric.  The declaration is global to the module (``"I"`` is
    always declared).

    Parameters
    ----------
    *names : str
        Non-empty matrix letters, e.g. ``"R"``, ``"A"``.

    Returns
    -------
    None
        The letters are added to the declared set.

    Raises
    ------
    ValueError
        If a name is not a non-empty string.

    Examples
    --------
    >>> from wpgd_theory.symbolic.bilinear import apply, bil, symmetric, vec
    >>> symmetric("R")
    >>> bil(vec("u"), apply("R", vec("v"))) == bil(vec("v"), apply("R", vec("u")))
    True
    """
    for name in names:
        if not isinstance(name, str) or not name:
            raise ValueError(f"symmetric: a matrix letter is a non-empty string, got {name!r}")
    _SYMMETRIC.update(names)


class Rules:
    r"""Rewrite rules ``(matrix letter, vector letter) → vector expression``, e.g. ``A z → r``.

    Defining relations such as ``z = A⁻¹r`` (claims W5, A3) enter as ``A z → r``; :func:`bil`
    applies them at both ends of every atom before canonicalisation.

    Parameters
    ----------
    rules : mapping or None, optional
        ``{(matrix letter, vector letter): vector expression}`` (default none).

    Examples
    --------
    >>> from wpgd_theory.symbolic.bilinear import Rules, apply, bil, symmetric, vec
    >>> symmetric("A")
    >>> rules = Rules({("A", "z"): vec("r")})
    >>> bil(vec("omega"), apply("A", vec("z")), rules)  # ωᵀ A z = ωᵀ r
    <omega|r>
    """

    def __init__(self, rules: Mapping | None = None):
        self.rules = dict(rules or {})

    def reduce(self, word: tuple, v: str):
        r"""Return ``W v`` as a vector expression after applying the rules at the right end, repeatedly.

        Parameters
        ----------
        word : tuple of str
            The matrix letters of ``W``, left to right.
        v : str
            The vector letter.

        Returns
        -------
        dict
            A vector expression ``{(word, vector letter): coefficient}``.

        Examples
        --------
        >>> from wpgd_theory.symbolic.bilinear import Rules, vec
        >>> Rules({("A", "z"): vec("r")}).reduce(("R", "A"), "z")
        {(('R',), 'r'): 1}
        """
        if word and (word[-1], v) in self.rules:
            out = {}
            for (w2, v2), c in self.rules[(word[-1], v)].items():
                for (w3, v3), c3 in self.reduce(word[:-1] + w2, v2).items():
                    out[(w3, v3)] = out.get((w3, v3), 0) + c * c3
            return out
        return {(word, v): sp.Integer(1)}


def vec(name: str, coeff=1) -> dict:
    r"""Return the vector letter ``name`` times ``coeff`` as a vector expression (length ``n`` symbolic).

    Parameters
    ----------
    name : str
        The vector letter (e.g. ``"omega"``, ``"r"``).
    coeff : sympy.Expr or number, optional
        A scalar coefficient (default 1).

    Returns
    -------
    dict
        ``{((), name): coeff}``: a linear combination of words applied to vector letters.

    Examples
    --------
    >>> from wpgd_theory.symbolic.bilinear import vec
    >>> vec("omega", 2)
    {((), 'omega'): 2}
    """
    return {((), name): sp.sympify(coeff)}


def add(*vs) -> dict:
    r"""Add vector expressions (terms with a zero coefficient are dropped).

    Parameters
    ----------
    *vs : dict
        Vector expressions as returned by :func:`vec` or :func:`apply`.

    Returns
    -------
    dict
        Their sum.

    Examples
    --------
    >>> from wpgd_theory.symbolic.bilinear import add, vec
    >>> add(vec("omega"), vec("r", 3), vec("omega", -1))
    {((), 'r'): 3}
    """
    out: dict = {}
    for v in vs:
        for k, c in v.items():
            out[k] = out.get(k, 0) + c
    return {k: c for k, c in out.items() if sp.expand(c) != 0}


def scale(v: dict, c) -> dict:
    r"""Multiply a vector expression by a scalar.

    Parameters
    ----------
    v : dict
        A vector expression.
    c : sympy.Expr or number
        The scalar.

    Returns
    -------
    dict
        ``c · v``.

    Examples
    --------
    >>> import sympy as sp
    >>> from wpgd_theory.symbolic.bilinear import scale, vec
    >>> scale(vec("h"), sp.Symbol("s"))
    {((), 'h'): s}
    """
    return {k: sp.sympify(c) * x for k, x in v.items()}


def apply(mat: str | tuple, v: dict) -> dict:
    r"""Return ``M v`` for a matrix letter (or word) ``mat``; ``"I"`` is the identity.

    Parameters
    ----------
    mat : str or tuple of str
        A matrix letter or a word of letters (applied right to left as written).
    v : dict
        A vector expression.

    Returns
    -------
    dict
        The vector expression ``M v``.

    Examples
    --------
    >>> from wpgd_theory.symbolic.bilinear import apply, vec
    >>> apply("R", vec("omega"))
    {(('R',), 'omega'): 1}
    >>> apply("I", vec("omega")) == vec("omega")
    True
    """
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
    r"""Return ``uᵀ M v`` (``M`` the word ``mid``) as a polynomial in canonical atoms ``⟨a|W|b⟩``.

    Every matrix letter must be declared symmetric (:func:`symmetric`); the rules are applied
    at both ends of each atom, and ``⟨a|W|b⟩ = ⟨b|reversed W|a⟩`` is stored as the least reading.

    Parameters
    ----------
    u : dict
        The left vector expression.
    v : dict
        The right vector expression.
    rules : Rules or None, optional
        Rewrite rules (default none).
    mid : tuple of str, optional
        Matrix letters between ``u`` and ``v`` (default none, ``M = I``).

    Returns
    -------
    sympy.Expr
        An expanded polynomial in atom symbols ``<a|W.b>``.

    Raises
    ------
    ValueError
        If a matrix letter is not declared symmetric.

    Examples
    --------
    >>> from wpgd_theory.symbolic.bilinear import apply, bil, symmetric, vec
    >>> symmetric("R")
    >>> bil(vec("omega"), apply("R", vec("omega")))
    <omega|R.omega>
    >>> bil(vec("r"), vec("omega")) == bil(vec("omega"), vec("r"))
    True
    """
    rules = rules or Rules()
    out = sp.Integer(0)
    for (wu, nu), cu in u.items():
        for (wv, nv), cv in v.items():
            # (Wu nu)ᵀ mid (Wv nv) = ⟨nu| reversed(Wu) mid Wv |nv⟩
            out += cu * cv * _atom(nu, tuple(reversed(wu)) + tuple(mid) + wv, nv, rules)
    return sp.expand(out)


def directional(f_of, omega: dict, h: dict, s: sp.Symbol):
    r"""Return the directional derivative ``d/ds f(ω + s h)`` at ``s = 0``.

    With ``h`` a free vector letter, ``∇f = g`` is equivalent to ``⟨g|h⟩ = D_h f`` as an
    identity of atoms, decided for every ``n`` (claims W4, W5).

    Parameters
    ----------
    f_of : callable
        ``f_of(omega)`` returns a polynomial in atoms for a vector expression ``omega``.
    omega : dict
        The point ``ω`` (a vector expression).
    h : dict
        The direction ``h`` (a vector expression).
    s : sympy.Symbol
        The step symbol.

    Returns
    -------
    sympy.Expr
        The derivative, expanded.

    Examples
    --------
    >>> import sympy as sp
    >>> from wpgd_theory.symbolic.bilinear import apply, bil, directional, symmetric, vec
    >>> symmetric("R")
    >>> directional(lambda w: bil(w, apply("R", w)), vec("omega"), vec("h"), sp.Symbol("s"))
    2*<h|R.omega>
    """
    return sp.expand(sp.diff(f_of(add(omega, scale(h, s))), s).subs(s, 0))


def identity_(name: str, expr) -> Identity:
    r"""Return the identity ``expr = 0`` for vectors of symbolic length (``d``, ``n`` symbolic).

    Parameters
    ----------
    name : str
        The identity in words or ASCII mathematics.
    expr : sympy.Expr
        The difference of the two sides, a rational function of atoms.

    Returns
    -------
    Identity
        Its residual is 0 exactly when ``expr`` cancels.

    Examples
    --------
    >>> from wpgd_theory.symbolic.bilinear import bil, identity_, vec
    >>> identity_("r^T w = w^T r", bil(vec("r"), vec("omega")) - bil(vec("omega"), vec("r")))
    Identity('r^T w = w^T r', d=symbolic, n=symbolic, residual=0)
    """
    return Identity(name, dict(ALL), sp.expand(sp.cancel(sp.together(expr))), 0, note="canonical atoms, symbolic n")
