r"""Exact algebra helpers shared by the derivations.

* Symbol factories for the objects of THEORY.md (``Σ`` symmetric, ``R`` symmetric with
  unit diagonal, vectors, full matrices), with LaTeX-friendly names.
* Small matrices over a sparse polynomial ring or a fraction field, as
  :class:`sympy.polys.matrices.DomainMatrix` (exact, fast, with ``det``/``adjugate``).
* :class:`Identity`: one symbolic comparison ``lhs == rhs`` at one size, with the number
  of non-zero terms left in ``lhs − rhs`` (0 exactly when the identity holds).
"""

from __future__ import annotations

import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

import sympy as sp
from sympy.polys.fields import FracElement
from sympy.polys.matrices import DomainMatrix
from sympy.polys.rings import PolyElement

__all__ = [
    "symmetric_matrix",
    "correlation_matrix",
    "full_matrix",
    "vector",
    "dm",
    "dm_eye",
    "dm_trace",
    "dm_entries",
    "Frac",
    "Identity",
    "residual_terms",
    "timed",
    "summarize",
    "sizes_grid",
    "free_symbols",
    "ring_sum",
    "ring_prod",
    "compose",
    "ring_mul",
]


# ---------------------------------------------------------------------- symbols
def symmetric_matrix(name: str, k: int) -> sp.Matrix:
    r"""Build a ``k × k`` symmetric matrix of symbols ``name_{ij}`` (``i ≤ j``, 1-based).

    Entry ``(i, j)`` and ``(j, i)`` are the same symbol ``name_{min(i,j) max(i,j)}``, so the
    matrix equals its transpose exactly (used for the covariance ``Σ`` of THEORY.md).

    Parameters
    ----------
    name : str
        Base name of the symbols (LaTeX-friendly, e.g. ``"\\Sigma"``).
    k : int
        Number of rows and columns.

    Returns
    -------
    sympy.Matrix
        Shape ``(k, k)``, symmetric, with ``k (k + 1) / 2`` distinct symbols.

    Examples
    --------
    >>> from wpgd_theory.symbolic.algebra import symmetric_matrix
    >>> S = symmetric_matrix("S", 2)
    >>> S
    Matrix([
    [S_{11}, S_{12}],
    [S_{12}, S_{22}]])
    >>> S == S.T
    True
    """
    return sp.Matrix(k, k, lambda i, j: sp.Symbol(f"{name}_{{{min(i, j) + 1}{max(i, j) + 1}}}"))


def correlation_matrix(name: str, k: int) -> sp.Matrix:
    r"""Build a ``k × k`` symmetric matrix of symbols with unit diagonal.

    The off-diagonal entries are ``name_{ij}`` (``i < j``, 1-based); the diagonal is the
    integer 1 (the task correlation ``R`` of THEORY.md, ``R_{ii} = 1``).

    Parameters
    ----------
    name : str
        Base name of the off-diagonal symbols.
    k : int
        Number of rows and columns.

    Returns
    -------
    sympy.Matrix
        Shape ``(k, k)``, symmetric, with ones on the diagonal.

    Examples
    --------
    >>> from wpgd_theory.symbolic.algebra import correlation_matrix
    >>> correlation_matrix("R", 2)
    Matrix([
    [     1, R_{12}],
    [R_{12},      1]])
    """
    return sp.Matrix(k, k, lambda i, j: sp.Integer(1) if i == j
                     else sp.Symbol(f"{name}_{{{min(i, j) + 1}{max(i, j) + 1}}}"))


def full_matrix(name: str, k: int, m: int | None = None) -> sp.Matrix:
    r"""Build a ``k × m`` matrix of independent symbols ``name_{ij}`` (1-based).

    Parameters
    ----------
    name : str
        Base name of the symbols.
    k : int
        Number of rows.
    m : int or None, optional
        Number of columns; ``None`` (default) for a square ``k × k`` matrix.

    Returns
    -------
    sympy.Matrix
        Shape ``(k, m)`` with ``k m`` distinct symbols.

    Examples
    --------
    >>> from wpgd_theory.symbolic.algebra import full_matrix
    >>> full_matrix("P", 1, 2)
    Matrix([[P_{11}, P_{12}]])
    >>> full_matrix("P", 2).shape
    (2, 2)
    """
    m = k if m is None else m
    return sp.Matrix(k, m, lambda i, j: sp.Symbol(f"{name}_{{{i + 1}{j + 1}}}"))


def vector(name: str, k: int, start: int = 1) -> list:
    r"""Return the symbols ``name_{start}, …, name_{start+k-1}``.

    Parameters
    ----------
    name : str
        Base name of the symbols.
    k : int
        Number of symbols (the vector's length).
    start : int, optional
        Index of the first symbol (default 1).

    Returns
    -------
    list of sympy.Symbol
        Length ``k``.

    Examples
    --------
    >>> from wpgd_theory.symbolic.algebra import vector
    >>> vector("w", 3)
    [w_{1}, w_{2}, w_{3}]
    >>> vector("g", 2, start=0)
    [g_{0}, g_{1}]
    """
    return [sp.Symbol(f"{name}_{{{i + start}}}") for i in range(k)]


def free_symbols(*objs) -> list:
    r"""Return the free symbols of sympy objects, sorted by name.

    Used to build polynomial rings deterministically (the same generators in the same order
    on every run).

    Parameters
    ----------
    *objs : sympy.Basic or list or tuple
        Expressions, matrices, or (nested) lists and tuples of them.

    Returns
    -------
    list of sympy.Symbol
        Every free symbol once, sorted by ``str``.

    Examples
    --------
    >>> import sympy as sp
    >>> from wpgd_theory.symbolic.algebra import free_symbols
    >>> x, y, z = sp.symbols("x y z")
    >>> free_symbols(y * z, [x + 1, z])
    [x, y, z]
    """
    out: set = set()
    for o in objs:
        if isinstance(o, (list, tuple)):
            out |= set(free_symbols(*o))
        else:
            out |= sp.sympify(o).free_symbols
    return sorted(out, key=str)


# ---------------------------------------------------------------------- matrices
def dm(rows, ring) -> DomainMatrix:
    r"""Build a :class:`~sympy.polys.matrices.DomainMatrix` over ``ring``.

    Parameters
    ----------
    rows : list of list or sympy.Matrix
        Entries as nested lists (``k`` rows of ``m`` entries) of sympy expressions or elements
        of ``ring``; a sympy Matrix is accepted too.
    ring : sympy.polys.rings.PolyRing or sympy.polys.fields.FracField
        The ring (or fraction field) the entries are converted into.

    Returns
    -------
    sympy.polys.matrices.DomainMatrix
        Shape ``(k, m)`` over ``ring.to_domain()``.

    Examples
    --------
    >>> import sympy as sp
    >>> from wpgd_theory.symbolic.algebra import dm
    >>> R, a, b = sp.ring("a b", sp.QQ)
    >>> A = dm([[a, 0], [0, b]], R)
    >>> A.shape
    (2, 2)
    >>> A.det().as_expr()
    a*b
    """
    if isinstance(rows, sp.MatrixBase):
        rows = rows.tolist()
    conv = [[e if _in_ring(e, ring) else ring.from_expr(sp.sympify(e)) if hasattr(ring, "from_expr")
             else ring(sp.sympify(e)) for e in row] for row in rows]
    k = len(conv)
    m = len(conv[0]) if k else 0
    return DomainMatrix(conv, (k, m), ring.to_domain())


def _in_ring(e, ring) -> bool:
    return isinstance(e, (PolyElement, FracElement)) and getattr(e, "ring", getattr(e, "field", None)) == ring


def dm_eye(k: int, ring) -> DomainMatrix:
    r"""Return the ``k × k`` identity matrix over ``ring``.

    Parameters
    ----------
    k : int
        Number of rows and columns.
    ring : sympy.polys.rings.PolyRing or sympy.polys.fields.FracField
        The ring of the entries.

    Returns
    -------
    sympy.polys.matrices.DomainMatrix
        Shape ``(k, k)``.

    Examples
    --------
    >>> import sympy as sp
    >>> from wpgd_theory.symbolic.algebra import dm_eye
    >>> R, a = sp.ring("a", sp.QQ)
    >>> dm_eye(2, R).to_Matrix()
    Matrix([
    [1, 0],
    [0, 1]])
    """
    return DomainMatrix.eye(k, ring.to_domain())


def dm_trace(A: DomainMatrix):
    r"""Return the trace ``tr A = Σ_i A_ii`` of a square DomainMatrix.

    Parameters
    ----------
    A : sympy.polys.matrices.DomainMatrix
        Shape ``(k, k)``.

    Returns
    -------
    object
        An element of ``A.domain`` (a ring or field element).

    Examples
    --------
    >>> import sympy as sp
    >>> from wpgd_theory.symbolic.algebra import dm, dm_trace
    >>> R, a, b = sp.ring("a b", sp.QQ)
    >>> dm_trace(dm([[a, 1], [2, b]], R)).as_expr()
    a + b
    """
    dom = A.domain
    total = dom.zero
    for v in A.diagonal():
        total += v
    return total


def dm_entries(A: DomainMatrix) -> list:
    r"""Return the entries of a DomainMatrix, row by row, as a flat list.

    Parameters
    ----------
    A : sympy.polys.matrices.DomainMatrix
        Shape ``(k, m)``.

    Returns
    -------
    list
        ``k m`` elements of ``A.domain``.

    Examples
    --------
    >>> import sympy as sp
    >>> from wpgd_theory.symbolic.algebra import dm, dm_entries
    >>> R, a = sp.ring("a", sp.QQ)
    >>> [e.as_expr() for e in dm_entries(dm([[a, 1], [2, a]], R))]
    [a, 1, 2, a]
    """
    return A.to_list_flat()


# ---------------------------------------------------------------------- fractions
class Frac:
    r"""A quotient ``num / den`` of two polynomials of one :class:`~sympy.polys.rings.PolyRing`, kept *unreduced*.

    Sympy's fraction fields cancel a multivariate gcd after every operation, which is
    exact but very slow on the expressions of this project.  Here no gcd is ever taken:
    sums use the product of denominators (or the common one when they are equal),
    products multiply, and equality is decided exactly by cross-multiplication
    ``n₁ d₂ = n₂ d₁`` — a polynomial identity.  Denominators must not be the zero
    polynomial (checked).

    Parameters
    ----------
    num : sympy.polys.rings.PolyElement or Frac
        The numerator (or a Frac to copy, then ``den`` must be ``None``).
    den : sympy.polys.rings.PolyElement or int or None, optional
        The denominator, an element of the numerator's ring (an integer is converted);
        ``None`` (default) for 1.

    Raises
    ------
    TypeError
        If ``num`` is not a polynomial (or ``den`` is given with a Frac numerator).
    ZeroDivisionError
        If ``den`` is the zero polynomial.

    Examples
    --------
    >>> import sympy as sp
    >>> from wpgd_theory.symbolic.algebra import Frac
    >>> R, x, y = sp.ring("x y", sp.QQ)
    >>> f = Frac(x, y) + Frac(y, x)
    >>> f
    Frac(x**2 + y**2, x*y)
    >>> f == Frac(x**3 + x * y**2, x**2 * y)
    True
    >>> Frac(x, y).diff(y)
    Frac(-x, y**2)
    """

    __slots__ = ("num", "den")

    def __init__(self, num, den=None):
        if isinstance(num, Frac):
            if den is not None:
                raise TypeError("Frac(num, den) needs a polynomial numerator")
            num, den = num.num, num.den
        if not isinstance(num, PolyElement):
            raise TypeError(f"Frac numerator must be a PolyElement, got {type(num).__name__}")
        den = num.ring.one if den is None else den
        if not isinstance(den, PolyElement):
            den = num.ring(den)
        if not den:
            raise ZeroDivisionError("Frac with zero denominator")
        self.num, self.den = num, den

    @property
    def ring(self):
        r"""The polynomial ring of the numerator and denominator.

        Examples
        --------
        >>> import sympy as sp
        >>> from wpgd_theory.symbolic.algebra import Frac
        >>> R, x = sp.ring("x", sp.QQ)
        >>> Frac(x).ring == R
        True
        """
        return self.num.ring

    def _coerce(self, other) -> Frac:
        if isinstance(other, Frac):
            return other
        return Frac(self.num.ring(other))

    def __add__(self, other):
        o = self._coerce(other)
        if self.den == o.den:
            return Frac(self.num + o.num, self.den)
        return Frac(self.num * o.den + o.num * self.den, self.den * o.den)

    __radd__ = __add__

    def __neg__(self):
        return Frac(-self.num, self.den)

    def __sub__(self, other):
        return self + (-self._coerce(other))

    def __rsub__(self, other):
        return self._coerce(other) - self

    def __mul__(self, other):
        o = self._coerce(other)
        return Frac(self.num * o.num, self.den * o.den)

    __rmul__ = __mul__

    def __truediv__(self, other):
        o = self._coerce(other)
        if not o.num:
            raise ZeroDivisionError("division by the zero polynomial")
        return Frac(self.num * o.den, self.den * o.num)

    def __rtruediv__(self, other):
        return self._coerce(other) / self

    def __pow__(self, k: int):
        if not isinstance(k, int) or k < 0:
            raise ValueError("Frac powers must be non-negative integers")
        return Frac(self.num**k, self.den**k)

    def diff(self, x) -> Frac:
        r"""Differentiate by the quotient rule: ``(n/d)' = (n'd − nd')/d²`` (no cancellation).

        Parameters
        ----------
        x : sympy.polys.rings.PolyElement
            A generator of the ring.

        Returns
        -------
        Frac
            The derivative.

        Examples
        --------
        >>> import sympy as sp
        >>> from wpgd_theory.symbolic.algebra import Frac
        >>> R, x, y = sp.ring("x y", sp.QQ)
        >>> Frac(x, y).diff(y)
        Frac(-x, y**2)
        """
        return Frac(self.num.diff(x) * self.den - self.num * self.den.diff(x), self.den * self.den)

    def compose(self, pairs) -> Frac:
        r"""Substitute generators by polynomials in the numerator and denominator.

        Parameters
        ----------
        pairs : list of (PolyElement, PolyElement)
            ``[(generator, polynomial), ...]``.

        Returns
        -------
        Frac
            The substituted fraction.

        Examples
        --------
        >>> import sympy as sp
        >>> from wpgd_theory.symbolic.algebra import Frac
        >>> R, x, y = sp.ring("x y", sp.QQ)
        >>> Frac(x, y).compose([(y, x + 1)])
        Frac(x, x + 1)
        """
        return Frac(compose(self.num, pairs), compose(self.den, pairs))

    def __eq__(self, other):
        o = self._coerce(other)
        return self.num * o.den == o.num * self.den

    def __hash__(self):  # pragma: no cover - fractions are not used as keys
        raise TypeError("Frac is unhashable")

    def __bool__(self):
        return bool(self.num)

    def as_expr(self):
        r"""Return the fraction as a sympy expression ``num/den``.

        Returns
        -------
        sympy.Expr
            The quotient (sympy may cancel it).

        Examples
        --------
        >>> import sympy as sp
        >>> from wpgd_theory.symbolic.algebra import Frac
        >>> R, x, y = sp.ring("x y", sp.QQ)
        >>> Frac(x, y).as_expr()
        x/y
        """
        return self.num.as_expr() / self.den.as_expr()

    def __repr__(self) -> str:
        return f"Frac({self.num.as_expr()}, {self.den.as_expr()})"


def ring_sum(items, zero):
    r"""Return ``zero + Σ items`` (works for ring elements, :class:`Frac` and DomainMatrices).

    Parameters
    ----------
    items : iterable
        The terms, all addable to ``zero``.
    zero : object
        The additive identity to start from (e.g. ``ring.zero``).

    Returns
    -------
    object
        The sum, of the type of ``zero + item``.

    Examples
    --------
    >>> import sympy as sp
    >>> from wpgd_theory.symbolic.algebra import ring_sum
    >>> R, x = sp.ring("x", sp.QQ)
    >>> ring_sum([x, x**2, 1], R.zero).as_expr()
    x**2 + x + 1
    """
    total = zero
    for x in items:
        total = total + x
    return total


def ring_prod(items, one):
    r"""Return ``one · Π items`` (works for ring elements, :class:`Frac` and DomainMatrices).

    Parameters
    ----------
    items : iterable
        The factors, all multipliable with ``one``.
    one : object
        The multiplicative identity to start from (e.g. ``ring.one``).

    Returns
    -------
    object
        The product, of the type of ``one * item``.

    Examples
    --------
    >>> import sympy as sp
    >>> from wpgd_theory.symbolic.algebra import ring_prod
    >>> R, x = sp.ring("x", sp.QQ)
    >>> ring_prod([x, x + 1], R.one).as_expr()
    x**2 + x
    """
    total = one
    for x in items:
        total = total * x
    return total


# ---------------------------------------------------------------------- identities
#: Below this many pairs of terms :func:`ring_mul` leaves the product to sympy.
_VECTOR_MUL_PAIRS = 4096
_INT64_SAFE = 2**62


def ring_mul(p: PolyElement, q: PolyElement) -> PolyElement:
    r"""``p · q`` over ``ZZ``: the polynomial sympy's ``p * q`` returns, by a vectorised
    Kronecker substitution.

    Each exponent vector ``e`` is packed into one integer ``Σ_i e_i W_i`` with the mixed
    radix ``W_i = Π_{j<i} (deg_j p + deg_j q + 1)``, so a product of monomials is a sum of
    keys; the products of all pairs of terms are summed per key (a sort and a segmented
    sum) and unpacked.  Exact: it runs in ``int64`` only when every key and every
    coefficient sum provably fits (``|Σ| ≤ min(#p, #q) · max|p_k| · max|q_k| < 2⁶²``; an
    output monomial gets at most one term of ``q`` per term of ``p``), and otherwise, for
    other domains and for small products, returns sympy's ``p * q``.

    Parameters
    ----------
    p, q : PolyElement
        Polynomials of one ring.

    Returns
    -------
    PolyElement
        The product.

    Examples
    --------
    >>> import sympy as sp
    >>> from wpgd_theory.symbolic.algebra import ring_mul
    >>> R, x, y = sp.ring("x y", sp.ZZ)
    >>> p, q = (x + 2 * y + 1) ** 40, (3 * x - y + 1) ** 30
    >>> ring_mul(p, q) == p * q
    True
    """
    import numpy as np

    ring = p.ring
    if (q.ring != ring or ring.domain != sp.ZZ or not p or not q or len(p) * len(q) < _VECTOR_MUL_PAIRS):
        return p * q
    cp, cq = list(p.values()), list(q.values())
    bound = max(abs(c) for c in cp) * max(abs(c) for c in cq) * min(len(cp), len(cq))
    ep, eq = np.array(list(p.keys()), dtype=np.int64), np.array(list(q.keys()), dtype=np.int64)
    radix = [int(v) + 1 for v in ep.max(0) + eq.max(0)]
    weights, span = [], 1
    for rdx in radix:
        weights.append(span)
        span *= rdx
    if bound >= _INT64_SAFE or span >= _INT64_SAFE:
        return p * q
    w = np.array(weights, dtype=np.int64)
    keys = (ep @ w)[:, None] + (eq @ w)[None, :]
    vals = np.array(cp, dtype=np.int64)[:, None] * np.array(cq, dtype=np.int64)[None, :]
    order = np.argsort(keys, axis=None, kind="stable")
    keys, vals = keys.ravel()[order], vals.ravel()[order]
    first = np.flatnonzero(np.concatenate(([True], keys[1:] != keys[:-1])))
    sums = np.add.reduceat(vals, first)
    nz = sums != 0
    exps = (keys[first][nz, None] // w[None, :]) % np.array(radix, dtype=np.int64)[None, :]
    terms = dict(zip(map(tuple, exps.tolist()), sums[nz].tolist()))
    return p.new(terms) if ring.domain.dtype is int else ring.from_dict(terms)


def compose(poly: PolyElement, pairs) -> PolyElement:
    r"""``poly`` with generators substituted by ring elements, simultaneously: the polynomial
    ``PolyElement.compose(pairs)`` returns, computed with fewer products.

    ``poly = Σ_k q_k(y) x^{e_k}`` (``x`` the substituted generators, ``y`` the others) maps to
    ``Σ_k q_k(y) Π_i g_i^{e_{k,i}}``: the terms are grouped by their exponent vector ``e_k``,
    so each product of powers ``Π_i g_i^{e_{k,i}}`` (and each power ``g_i^n``) is formed once
    and multiplied by the group's ``q_k`` once, where sympy forms it again for every term.
    Exact (polynomial arithmetic over the ring's domain), so the result is the same
    polynomial; a generator named twice is substituted by its first replacement, as in sympy.

    Parameters
    ----------
    poly : PolyElement
        The polynomial.
    pairs : list of (PolyElement, PolyElement)
        ``[(generator, replacement), ...]``, replacements in ``poly``'s ring.

    Returns
    -------
    PolyElement
        The substituted polynomial.

    Examples
    --------
    >>> import sympy as sp
    >>> from wpgd_theory.symbolic.algebra import compose
    >>> R, x, y, z = sp.ring("x y z", sp.ZZ)
    >>> f = x**2 * z + x * y * z + y**2
    >>> compose(f, [(x, y + 1), (y, x)]) == f.compose([(x, y + 1), (y, x)])
    True
    >>> compose(f, [(x, y + 1), (y, x)]).as_expr()
    x**2 + x*y*z + x*z + y**2*z + 2*y*z + z
    """
    ring = poly.ring
    index = {g: i for i, g in enumerate(ring.gens)}
    repl: list = []
    for x, g in pairs:
        i = index[x]
        if all(i != j for j, _ in repl):
            repl.append((i, ring.ring_new(g)))
    groups: dict = {}
    for monom, coeff in poly.iterterms():
        rest = list(monom)
        for i, _ in repl:
            rest[i] = 0
        groups.setdefault(tuple(monom[i] for i, _ in repl), {})[tuple(rest)] = coeff
    powers: dict = {}
    result = ring.zero
    for key, terms in groups.items():
        factor = ring.one
        for (i, g), n in zip(repl, key):
            if n:
                if (i, n) not in powers:
                    powers[(i, n)] = g**n
                factor = ring_mul(factor, powers[(i, n)])
        if factor:
            result = result + ring_mul(ring.from_dict(terms), factor)
    return result


def _count_terms(x) -> int:
    if isinstance(x, PolyElement):
        return len(x)
    if isinstance(x, Frac):
        return len(x.num)
    if isinstance(x, FracElement):
        return len(x.numer)
    if isinstance(x, DomainMatrix):
        return sum(_count_terms(v) for v in x.to_list_flat())
    if isinstance(x, sp.MatrixBase):
        return sum(_count_terms(v) for v in x)
    if isinstance(x, (list, tuple)):
        return sum(_count_terms(v) for v in x)
    e = sp.expand(sp.sympify(x))
    if e == 0:
        return 0
    if sp.simplify(e) == 0:  # rational expressions: expand alone may not cancel
        return 0
    return len(sp.Add.make_args(e))


def _difference(lhs, rhs):
    if isinstance(lhs, (list, tuple)) or isinstance(rhs, (list, tuple)):
        if len(lhs) != len(rhs):
            raise ValueError(f"identity sides have different lengths {len(lhs)} and {len(rhs)}")
        return [_difference(a, b) for a, b in zip(lhs, rhs)]
    if isinstance(lhs, DomainMatrix) and isinstance(rhs, DomainMatrix):
        if lhs.shape != rhs.shape:
            raise ValueError(f"identity sides have shapes {lhs.shape} and {rhs.shape}")
        return lhs - rhs
    return lhs - rhs


def residual_terms(lhs, rhs=0) -> int:
    r"""Count the non-zero terms of ``lhs − rhs`` (entrywise for matrices and lists).

    Polynomials are counted by their monomials; sympy expressions are expanded (and
    simplified, so that rational expressions cancel) before counting.

    Parameters
    ----------
    lhs : object
        A ring or fraction-field element, :class:`Frac`, DomainMatrix, sympy expression or
        matrix, or a list/tuple of those.
    rhs : object, optional
        Same kind and shape as ``lhs`` (default 0).

    Returns
    -------
    int
        0 exactly when ``lhs = rhs``.

    Raises
    ------
    ValueError
        If list sides have different lengths or matrix sides different shapes.

    Examples
    --------
    >>> import sympy as sp
    >>> from wpgd_theory.symbolic.algebra import residual_terms
    >>> x, y = sp.symbols("x y")
    >>> residual_terms((x + y) ** 2, x**2 + y**2)
    1
    >>> residual_terms([x / (x * y), 1], [1 / y, 1])
    0
    """
    return _count_terms(_difference(lhs, rhs) if not _is_zero_literal(rhs) else lhs)


def _is_zero_literal(x) -> bool:
    return isinstance(x, int) and x == 0


def _as_expr(x):
    if isinstance(x, (PolyElement, FracElement, Frac)):
        return x.as_expr()
    if isinstance(x, DomainMatrix):
        return x.to_Matrix()
    if isinstance(x, (list, tuple)):
        return [_as_expr(v) for v in x]
    return x


@dataclass
class Identity:
    r"""One symbolic identity ``lhs = rhs`` at one size.

    ``lhs``/``rhs`` are exact objects: ring or fraction-field elements, DomainMatrices,
    sympy expressions or matrices, or lists of those (compared entrywise).
    :attr:`residual` is the number of non-zero terms of ``lhs − rhs`` (0 exactly when the
    identity holds) and :attr:`ok` is ``residual == 0``.

    Parameters
    ----------
    name : str
        The identity in words or ASCII mathematics (shown in reports).
    size : dict
        The dimensions it was derived for, e.g. ``{"d": 2, "n": 3}`` or
        ``{"d": "symbolic"}``; empty for "general".
    lhs : object
        Left-hand side (an exact object as above).
    rhs : object, optional
        Right-hand side, same kind and shape as ``lhs`` (default 0).
    seconds : float, optional
        Time the derivation took (default 0.0).
    note : str, optional
        Free text shown with the identity (default empty).
    _residual : int or None, optional
        Cached residual; ``None`` (default) to compute it on first access.

    Raises
    ------
    ValueError
        On first access of :attr:`residual`, if list sides have different lengths or matrix
        sides different shapes.

    Examples
    --------
    >>> import sympy as sp
    >>> from wpgd_theory.symbolic.algebra import Identity
    >>> x, y = sp.symbols("x y")
    >>> good = Identity("(x+y)^2 = x^2 + 2xy + y^2", {}, (x + y) ** 2, x**2 + 2 * x * y + y**2)
    >>> good.ok, good.residual
    (True, 0)
    >>> Identity("(x+y)^2 = x^2 + y^2", {"d": 1}, (x + y) ** 2, x**2 + y**2)
    Identity('(x+y)^2 = x^2 + y^2', d=1, residual=1)
    """

    name: str
    size: dict
    lhs: object
    rhs: object = 0
    seconds: float = 0.0
    note: str = ""
    _residual: int | None = field(default=None, repr=False)

    @property
    def residual(self) -> int:
        r"""Number of non-zero terms of ``lhs − rhs`` (0 exactly when the identity holds), computed once.

        Examples
        --------
        >>> import sympy as sp
        >>> from wpgd_theory.symbolic.algebra import Identity
        >>> x = sp.Symbol("x")
        >>> Identity("2x = x + x", {}, 2 * x, x + x).residual
        0
        """
        if self._residual is None:
            self._residual = residual_terms(self.lhs, self.rhs)
        return self._residual

    @property
    def ok(self) -> bool:
        r"""Whether the identity holds exactly (``residual == 0``).

        Examples
        --------
        >>> import sympy as sp
        >>> from wpgd_theory.symbolic.algebra import Identity
        >>> x = sp.Symbol("x")
        >>> Identity("2x = x", {}, 2 * x, x).ok
        False
        """
        return self.residual == 0

    def as_exprs(self):
        r"""Return ``(lhs, rhs)`` as sympy objects (for display).

        Returns
        -------
        lhs, rhs : sympy.Basic or list
            Ring elements, fractions and DomainMatrices converted to sympy expressions and
            matrices (lists entrywise).

        Examples
        --------
        >>> import sympy as sp
        >>> from wpgd_theory.symbolic.algebra import Identity
        >>> R, x = sp.ring("x", sp.QQ)
        >>> Identity("x + x = 2x", {}, x + x, 2 * x).as_exprs()
        (2*x, 2*x)
        """
        return _as_expr(self.lhs), _as_expr(self.rhs)

    def size_label(self) -> str:
        r"""Return the sizes as text, ``"d=2, n=3"`` (``"general"`` when there are none).

        Returns
        -------
        str
            The label shown in reports.

        Examples
        --------
        >>> import sympy as sp
        >>> from wpgd_theory.symbolic.algebra import Identity
        >>> x = sp.Symbol("x")
        >>> Identity("x = x", {"d": 2, "n": 3}, x, x).size_label()
        'd=2, n=3'
        >>> Identity("x = x", {}, x, x).size_label()
        'general'
        """
        return ", ".join(f"{k}={v}" for k, v in self.size.items()) or "general"

    def __repr__(self) -> str:
        return f"Identity({self.name!r}, {self.size_label()}, residual={self.residual})"


def timed(func, *args, **kwargs):
    r"""Call ``func(*args, **kwargs)`` and measure its wall-clock time.

    Parameters
    ----------
    func : callable
        The function to call.
    *args, **kwargs
        Passed to ``func``.

    Returns
    -------
    result : object
        What ``func`` returned.
    seconds : float
        Elapsed time (``time.perf_counter``).

    Examples
    --------
    >>> from wpgd_theory.symbolic.algebra import timed
    >>> out, seconds = timed(sum, [1, 2, 3])
    >>> out, seconds >= 0
    (6, True)
    """
    t0 = time.perf_counter()
    out = func(*args, **kwargs)
    return out, time.perf_counter() - t0


def summarize(identities: Iterable[Identity]) -> dict:
    r"""Summarise a list of identities for a report.

    Parameters
    ----------
    identities : iterable of Identity
        The identities of one derivation.

    Returns
    -------
    dict
        ``ok`` (all hold, and there is at least one), ``residual`` (total non-zero terms),
        ``sizes`` (size labels), ``seconds`` (total time, rounded), ``count`` and ``failed``
        (``"name [size]"`` of those that do not hold).

    Examples
    --------
    >>> import sympy as sp
    >>> from wpgd_theory.symbolic.algebra import Identity, summarize
    >>> x = sp.Symbol("x")
    >>> s = summarize([Identity("x = x", {"d": 2}, x, x), Identity("2x = x", {}, 2 * x, x)])
    >>> s["ok"], s["count"], s["failed"]
    (False, 2, ['2x = x [general]'])
    """
    ids = list(identities)
    return {
        "ok": all(i.ok for i in ids) and bool(ids),
        "residual": sum(i.residual for i in ids),
        "sizes": [i.size_label() for i in ids],
        "seconds": round(sum(i.seconds for i in ids), 4),
        "count": len(ids),
        "failed": [f"{i.name} [{i.size_label()}]" for i in ids if not i.ok],
    }


def sizes_grid(**ranges: Sequence[int]) -> list:
    r"""Return the Cartesian product of size ranges as a list of dicts (deterministic order).

    Parameters
    ----------
    **ranges : sequence of int
        One keyword per dimension, e.g. ``d=(1, 2), n=(1, 2, 3)``; the last keyword varies
        fastest.

    Returns
    -------
    list of dict
        One ``{name: value}`` per combination.

    Examples
    --------
    >>> from wpgd_theory.symbolic.algebra import sizes_grid
    >>> sizes_grid(d=(1, 2), n=(3,))
    [{'d': 1, 'n': 3}, {'d': 2, 'n': 3}]
    """
    out = [{}]
    for k, vals in ranges.items():
        out = [dict(o, **{k: v}) for o in out for v in vals]
    return out
