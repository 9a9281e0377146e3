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
]


# ---------------------------------------------------------------------- symbols
def symmetric_matrix(name: str, k: int) -> sp.Matrix:
    """``k × k`` symmetric matrix of symbols ``name_{ij}`` (``i ≤ j``), 1-based."""
    return sp.Matrix(k, k, lambda i, j: sp.Symbol(f"{name}_{{{min(i, j) + 1}{max(i, j) + 1}}}"))


def correlation_matrix(name: str, k: int) -> sp.Matrix:
    """``k × k`` symmetric matrix of symbols with unit diagonal."""
    return sp.Matrix(k, k, lambda i, j: sp.Integer(1) if i == j
                     else sp.Symbol(f"{name}_{{{min(i, j) + 1}{max(i, j) + 1}}}"))


def full_matrix(name: str, k: int, m: int | None = None) -> sp.Matrix:
    """``k × m`` matrix of independent symbols ``name_{ij}``."""
    m = k if m is None else m
    return sp.Matrix(k, m, lambda i, j: sp.Symbol(f"{name}_{{{i + 1}{j + 1}}}"))


def vector(name: str, k: int, start: int = 1) -> list:
    """Symbols ``name_{start}..name_{start+k-1}``."""
    return [sp.Symbol(f"{name}_{{{i + start}}}") for i in range(k)]


def free_symbols(*objs) -> list:
    """Sorted free symbols of sympy objects (for building rings deterministically)."""
    out: set = set()
    for o in objs:
        if isinstance(o, (list, tuple)):
            out |= set(free_symbols(*o))
        else:
            out |= sp.sympify(o).free_symbols
    return sorted(out, key=str)


# ---------------------------------------------------------------------- matrices
def dm(rows, ring) -> DomainMatrix:
    """A DomainMatrix over ``ring`` (PolyRing or FracField) from nested lists of sympy
    expressions or ring elements (a sympy Matrix is accepted too)."""
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
    return DomainMatrix.eye(k, ring.to_domain())


def dm_trace(A: DomainMatrix):
    dom = A.domain
    total = dom.zero
    for v in A.diagonal():
        total += v
    return total


def dm_entries(A: DomainMatrix) -> list:
    return A.to_list_flat()


# ---------------------------------------------------------------------- fractions
class Frac:
    r"""A quotient ``num / den`` of two polynomials of one :class:`PolyRing`, kept *unreduced*.

    Sympy's fraction fields cancel a multivariate gcd after every operation, which is
    exact but very slow on the expressions of this project.  Here no gcd is ever taken:
    sums use the product of denominators (or the common one when they are equal),
    products multiply, and equality is decided exactly by cross-multiplication
    ``n₁ d₂ = n₂ d₁`` — a polynomial identity.  Denominators must not be the zero
    polynomial (checked).
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
        """Quotient rule; ``x`` a generator of the ring."""
        return Frac(self.num.diff(x) * self.den - self.num * self.den.diff(x), self.den * self.den)

    def compose(self, pairs) -> Frac:
        """Substitute generators by polynomials (``[(gen, poly), ...]``)."""
        return Frac(self.num.compose(pairs), self.den.compose(pairs))

    def __eq__(self, other):
        o = self._coerce(other)
        return self.num * o.den == o.num * self.den

    def __hash__(self):  # pragma: no cover - fractions are not used as keys
        raise TypeError("Frac is unhashable")

    def __bool__(self):
        return bool(self.num)

    def as_expr(self):
        return self.num.as_expr() / self.den.as_expr()

    def __repr__(self) -> str:
        return f"Frac({self.num.as_expr()}, {self.den.as_expr()})"


def ring_sum(items, zero):
    total = zero
    for x in items:
        total = total + x
    return total


def ring_prod(items, one):
    total = one
    for x in items:
        total = total * x
    return total


# ---------------------------------------------------------------------- identities
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
    """Number of non-zero terms of ``lhs − rhs`` (entrywise for matrices and lists)."""
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
    sympy expressions or matrices, or lists of those (compared entrywise).  ``size`` records
    the dimensions it was derived for (e.g. ``{"d": 2, "n": 3}``), ``seconds`` the time the
    derivation took.  :attr:`residual` is the number of non-zero terms of ``lhs − rhs``.
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
        if self._residual is None:
            self._residual = residual_terms(self.lhs, self.rhs)
        return self._residual

    @property
    def ok(self) -> bool:
        return self.residual == 0

    def as_exprs(self):
        """``(lhs, rhs)`` as sympy objects (for display)."""
        return _as_expr(self.lhs), _as_expr(self.rhs)

    def size_label(self) -> str:
        return ", ".join(f"{k}={v}" for k, v in self.size.items()) or "general"

    def __repr__(self) -> str:
        return f"Identity({self.name!r}, {self.size_label()}, residual={self.residual})"


def timed(func, *args, **kwargs):
    """``(result, seconds)``."""
    t0 = time.perf_counter()
    out = func(*args, **kwargs)
    return out, time.perf_counter() - t0


def summarize(identities: Iterable[Identity]) -> dict:
    """``{"ok", "residual", "sizes", "seconds", "count"}`` over a list of identities."""
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
    """Cartesian product of size ranges as a list of dicts (deterministic order)."""
    out = [{}]
    for k, vals in ranges.items():
        out = [dict(o, **{k: v}) for o in out for v in vals]
    return out
