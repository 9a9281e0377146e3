r"""Matrix expressions of symbolic size: canonical form, Wick contraction, matrix calculus.

The second symbolic engine (scope ``all-sizes``).  Matrices are letters of *symbolic* size
``d × d`` (``Σ`` declared symmetric, ``A``, ``P`` general, ...); an expression is a polynomial in
commuting scalars (``d``, ``σ²``, ``‖ω‖²``, ``ωᵀRω``, ``rᵀω``, ...), traces of words and at most
one open word (the matrix part):

    Σ_k  coeff_k · tr(W_{k,1}) ⋯ tr(W_{k,m}) · V_k .

**Canonical form** (:class:`MatPoly`): a word is a tuple of letters ``(name, transposed)``;
symmetry is a property *declared* when a letter is made (``letter("Sigma", symmetric=True)``,
stored as ``(name, SYM)``: its own transpose), never inferred from its name, so a letter is
general unless declared; ``tr(W)`` is stored as the least word among the
rotations of ``W`` and of ``Wᵀ`` (trace cyclicity and ``tr Wᵀ = tr W``); ``tr(I) = d``; traces
of a term are sorted.  For generic matrices of unbounded size, distinct canonical trace
monomials are linearly independent, so two expressions are equal **iff** their canonical
forms are — the engine decides equality, not a reader.

**Wick contraction** (:func:`expect_chain`): ``E[F₀ z₁ F₁ z₂ ⋯]`` for a chain of constant
matrices and occurrences of jointly Gaussian vectors (``x`` or ``xᵀ``) with cross-covariances
``E[x yᵀ] = K_{xy}`` (themselves expressions).  Every pairing of the occurrences adds a
``K`` edge to the index graph of the chain; the graph splits into one path (the matrix part)
and cycles (traces).  For ``E[x xᵀ A x xᵀ]`` it yields ``ΣAΣ + ΣAᵀΣ + tr(AΣ)Σ`` with ``d``
symbolic.

**Matrix calculus** (:func:`trace_gradient`, :func:`directional`): the gradient of a scalar
expression with respect to a general letter ``P`` (``∂ tr(U P V)/∂P = (V U)ᵀ``, ``∂ tr(U Pᵀ
V)/∂P = V U``) and directional derivatives by substitution ``P → P + sE``.

:func:`evaluate` turns an expression into a concrete matrix at a given size (the bridge to
the fixed-size engine for the cross-checks).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence

import sympy as sp

__all__ = [
    "MatPoly",
    "letter",
    "scalar",
    "identity",
    "Vec",
    "expect_chain",
    "trace_gradient",
    "directional",
    "evaluate",
    "D",
]

D = sp.Symbol("d", positive=True, integer=True)  #: the symbolic dimension
#: the transpose flag of a letter declared symmetric (``letter(name, symmetric=True)``): its own transpose
SYM = 2


def _t(letter_):
    name, tr = letter_
    return (name, SYM) if tr == SYM else (name, 1 - tr)


def transpose_word(word: tuple) -> tuple:
    r"""Return the transpose of a word: ``(L₁ ⋯ L_k)ᵀ = L_kᵀ ⋯ L₁ᵀ``.

    Parameters
    ----------
    word : tuple of (str, int)
        Letters ``(name, flag)`` with flag 0 (the letter), 1 (its transpose) or ``SYM`` (2,
        declared symmetric, its own transpose).

    Returns
    -------
    tuple of (str, int)
        The letters reversed, each transposed.

    Examples
    --------
    >>> from wpgd_theory.symbolic.matrixwick import transpose_word
    >>> transpose_word((("A", 0), ("B", 1)))
    (('B', 0), ('A', 1))
    """
    return tuple(_t(x) for x in reversed(word))


def canonical_trace(word: tuple) -> tuple:
    r"""Return the canonical key of ``tr(word)``: the least rotation of ``word`` or of its transpose.

    ``tr`` is cyclic and transpose-invariant, so all these words have the same trace.

    Parameters
    ----------
    word : tuple of (str, int)
        Letters ``(name, flag)`` as in :func:`transpose_word`.

    Returns
    -------
    tuple of (str, int)
        The least word among the rotations of ``word`` and of ``wordᵀ`` (``()`` for the empty
        word, ``tr I = d``).

    Examples
    --------
    >>> from wpgd_theory.symbolic.matrixwick import canonical_trace
    >>> canonical_trace((("B", 0), ("A", 0)))
    (('A', 0), ('B', 0))
    >>> canonical_trace((("B", 1), ("A", 1))) == canonical_trace((("A", 0), ("B", 0)))
    True
    """
    if not word:
        return ()
    cands = []
    for w in (word, transpose_word(word)):
        cands += [w[i:] + w[:i] for i in range(len(w))]
    return min(cands)


class MatPoly:
    r"""A matrix expression of symbolic size in canonical form: ``Σ_k coeff_k · Π tr(W_{k,j}) · V_k``.

    Coefficients are commuting sympy scalars, ``W`` are words of ``d × d`` letters (stored by
    :func:`canonical_trace`) and ``V_k`` is one open word (``None`` for a scalar expression).
    Two expressions are equal iff their canonical forms are (distinct trace monomials of
    generic matrices of unbounded size are linearly independent), so ``==`` decides the
    identities of the all-sizes engine (claims W1–W6).  Supports ``+``, ``−``, ``*`` (``@``),
    ``.T``, :meth:`trace`, :meth:`substitute`.  Usually built with :func:`letter`,
    :func:`identity` and :func:`scalar` rather than directly.

    Parameters
    ----------
    terms : mapping or None, optional
        ``{(traces, path): coeff}`` with ``traces`` a tuple of words and ``path`` a word or
        ``None``; ``None`` (default) for 0.
    is_matrix : bool, optional
        Whether the expression is a matrix (default) or a scalar.

    Raises
    ------
    TypeError
        On adding a matrix and a scalar expression, or taking the trace of a scalar.

    Examples
    --------
    >>> from wpgd_theory.symbolic.matrixwick import letter
    >>> S, A = letter("Sigma", symmetric=True), letter("A")
    >>> (A * S).trace() == (S * A.T).trace()
    True
    >>> (A * S * A.T).T == A * S * A.T
    True
    >>> (2 * A - A).nterms()
    1
    """

    __slots__ = ("terms", "is_matrix")

    def __init__(self, terms: Mapping | None = None, is_matrix: bool = True):
        self.is_matrix = is_matrix
        self.terms: dict = {}
        for (traces, path), c in (terms or {}).items():
            self._add(traces, path, c)

    # ------------------------------------------------------------------ construction
    def _add(self, traces, path, c):
        c = sp.sympify(c)
        ts = []
        for w in traces:
            cw = canonical_trace(tuple(w))
            if cw == ():
                c = c * D
            else:
                ts.append(cw)
        key = (tuple(sorted(ts)), None if path is None else tuple(path))
        new = sp.expand(self.terms.get(key, 0) + c)
        if new == 0:
            self.terms.pop(key, None)
        else:
            self.terms[key] = new

    def copy(self) -> MatPoly:
        r"""Return a copy (the terms dictionary is copied).

        Returns
        -------
        MatPoly
            An equal, independent expression.

        Examples
        --------
        >>> import sympy as sp
        >>> from wpgd_theory.symbolic.matrixwick import letter
        >>> S, A, c = letter("Sigma", symmetric=True), letter("A"), sp.Symbol("c")
        >>> p = A * S
        >>> p.copy() == p, p.copy() is p
        (True, False)
        """
        out = MatPoly(is_matrix=self.is_matrix)
        out.terms = dict(self.terms)
        return out

    # ------------------------------------------------------------------ algebra
    def __add__(self, other):
        other = _lift(other, self.is_matrix)
        if other.is_matrix != self.is_matrix:
            raise TypeError("cannot add a matrix and a scalar expression")
        out = self.copy()
        for (ts, p), c in other.terms.items():
            out._add(ts, p, c)
        return out

    __radd__ = __add__

    def __neg__(self):
        return self * -1

    def __sub__(self, other):
        return self + (-_lift(other, self.is_matrix))

    def __rsub__(self, other):
        return _lift(other, self.is_matrix) - self

    def __mul__(self, other):
        if not isinstance(other, MatPoly):  # a commuting scalar
            out = MatPoly(is_matrix=self.is_matrix)
            for (ts, p), c in self.terms.items():
                out._add(ts, p, c * sp.sympify(other))
            return out
        out = MatPoly(is_matrix=self.is_matrix or other.is_matrix)
        for (t1, p1), c1 in self.terms.items():
            for (t2, p2), c2 in other.terms.items():
                if p1 is None or p2 is None:
                    path = p1 if p2 is None else p2
                else:
                    path = p1 + p2
                out._add(t1 + t2, path, c1 * c2)
        return out

    def __rmul__(self, other):
        return self * other  # scalars commute

    def __matmul__(self, other):
        return self * other

    @property
    def T(self) -> MatPoly:
        r"""The transpose, ``(Π tr(W) · V)ᵀ = Π tr(W) · Vᵀ`` term by term.

        Examples
        --------
        >>> import sympy as sp
        >>> from wpgd_theory.symbolic.matrixwick import letter
        >>> S, A, c = letter("Sigma", symmetric=True), letter("A"), sp.Symbol("c")
        >>> (A * S).T == S * A.T
        True
        """
        out = MatPoly(is_matrix=self.is_matrix)
        for (ts, p), c in self.terms.items():
            out._add(ts, None if p is None else transpose_word(p), c)
        return out

    def trace(self) -> MatPoly:
        r"""Return the trace of a matrix expression (canonical trace words).

        Returns
        -------
        MatPoly
            A scalar expression.

        Raises
        ------
        TypeError
            If the expression is a scalar.

        Examples
        --------
        >>> import sympy as sp
        >>> from wpgd_theory.symbolic.matrixwick import letter
        >>> S, A, c = letter("Sigma", symmetric=True), letter("A"), sp.Symbol("c")
        >>> (A * S).trace() == (S * A).trace()
        True
        """
        if not self.is_matrix:
            raise TypeError("trace of a scalar expression")
        out = MatPoly(is_matrix=False)
        for (ts, p), c in self.terms.items():
            out._add(ts + (p,), None, c)
        return out

    def substitute(self, name: str, value: MatPoly) -> MatPoly:
        r"""Replace the letter ``name`` (and ``nameᵀ`` by ``valueᵀ``) by the matrix expression ``value``.

        Parameters
        ----------
        name : str
            The letter to replace.
        value : MatPoly
            A matrix expression of the same symbolic size.

        Returns
        -------
        MatPoly
            The substituted expression, in canonical form.

        Examples
        --------
        >>> from wpgd_theory.symbolic.matrixwick import letter
        >>> A, B = letter("A"), letter("B")
        >>> (A * A.T).trace().substitute("A", 2 * B) == 4 * (B * B.T).trace()
        True
        """
        vt = value.T

        def word_poly(word):
            acc = identity()
            for nm, tr in word:
                acc = acc * (vt if tr == 1 else value) if nm == name else acc * _letter(nm, tr)
            return acc

        out = MatPoly(is_matrix=self.is_matrix)
        for (ts, p), c in self.terms.items():
            term = scalar(c)
            for w in ts:
                term = term * word_poly(w).trace()
            if p is not None:
                term = term * word_poly(p)
            out = out + term
        return out

    def coeff_of(self, sym) -> MatPoly:
        r"""Return the coefficient of the scalar ``sym`` (the degree-1 part of every coefficient).

        Parameters
        ----------
        sym : sympy.Symbol
            A commuting scalar.

        Returns
        -------
        MatPoly
            The expression formed by the coefficients of ``sym``.

        Examples
        --------
        >>> import sympy as sp
        >>> from wpgd_theory.symbolic.matrixwick import letter
        >>> S, A, c = letter("Sigma", symmetric=True), letter("A"), sp.Symbol("c")
        >>> (A * S * c + S).coeff_of(c)
        MatPoly(A*Sigma)
        """
        out = MatPoly(is_matrix=self.is_matrix)
        for (ts, p), c in self.terms.items():
            out._add(ts, p, sp.expand(c).coeff(sym))
        return out

    def map_coeffs(self, func: Callable) -> MatPoly:
        r"""Apply ``func`` to every scalar coefficient.

        Parameters
        ----------
        func : callable
            ``func(coefficient)`` returns a sympy scalar.

        Returns
        -------
        MatPoly
            The expression with the new coefficients (zero terms dropped).

        Examples
        --------
        >>> import sympy as sp
        >>> from wpgd_theory.symbolic.matrixwick import letter
        >>> S, A, c = letter("Sigma", symmetric=True), letter("A"), sp.Symbol("c")
        >>> (A * S * c + S).map_coeffs(lambda k: k.subs(c, 0))
        MatPoly(Sigma)
        """
        out = MatPoly(is_matrix=self.is_matrix)
        for (ts, p), c in self.terms.items():
            out._add(ts, p, func(c))
        return out

    # ------------------------------------------------------------------ comparison / display
    def is_zero(self) -> bool:
        r"""Return whether the expression is 0 (no term left in canonical form).

        Returns
        -------
        bool
            True exactly for the zero expression.

        Examples
        --------
        >>> import sympy as sp
        >>> from wpgd_theory.symbolic.matrixwick import letter
        >>> S, A, c = letter("Sigma", symmetric=True), letter("A"), sp.Symbol("c")
        >>> ((A * S).trace() - (S * A.T).trace()).is_zero()
        True
        """
        return not self.terms

    def __eq__(self, other):
        if not isinstance(other, MatPoly):
            other = _lift(other, self.is_matrix)
        return (self - other).is_zero()

    def __hash__(self):
        return hash(tuple(sorted(self.terms.items(), key=str)))

    def nterms(self) -> int:
        r"""Return the number of terms in canonical form.

        Returns
        -------
        int
            Number of distinct (traces, open word) monomials.

        Examples
        --------
        >>> import sympy as sp
        >>> from wpgd_theory.symbolic.matrixwick import letter
        >>> S, A, c = letter("Sigma", symmetric=True), letter("A"), sp.Symbol("c")
        >>> (A * S * c + S).nterms()
        2
        """
        return len(self.terms)

    def symmetric_letters(self) -> set:
        r"""Return the names of the letters that occur declared symmetric.

        Returns
        -------
        set of str
            The names.

        Examples
        --------
        >>> import sympy as sp
        >>> from wpgd_theory.symbolic.matrixwick import letter
        >>> S, A, c = letter("Sigma", symmetric=True), letter("A"), sp.Symbol("c")
        >>> (A * S).symmetric_letters()
        {'Sigma'}
        """
        out = set()
        for ts, p in self.terms:
            for w in ts + ((p,) if p is not None else ()):
                out |= {nm for nm, tr in w if tr == SYM}
        return out

    def general_letters(self) -> set:
        r"""Return the names of the letters that occur not declared symmetric.

        Returns
        -------
        set of str
            The names.

        Examples
        --------
        >>> import sympy as sp
        >>> from wpgd_theory.symbolic.matrixwick import letter
        >>> S, A, c = letter("Sigma", symmetric=True), letter("A"), sp.Symbol("c")
        >>> (A * S).general_letters()
        {'A'}
        """
        out = set()
        for ts, p in self.terms:
            for w in ts + ((p,) if p is not None else ()):
                out |= {nm for nm, tr in w if tr != SYM}
        return out

    def letters(self) -> set:
        r"""Return the names of all letters that occur.

        Returns
        -------
        set of str
            The names.

        Examples
        --------
        >>> import sympy as sp
        >>> from wpgd_theory.symbolic.matrixwick import letter
        >>> S, A, c = letter("Sigma", symmetric=True), letter("A"), sp.Symbol("c")
        >>> sorted((A * S).letters())
        ['A', 'Sigma']
        """
        out = set()
        for ts, p in self.terms:
            for w in ts + ((p,) if p is not None else ()):
                out |= {nm for nm, _ in w}
        return out

    def as_expr(self):
        r"""Return a sympy expression (``Trace``/``MatMul`` of ``MatrixSymbol``s of size ``d``), for display.

        Returns
        -------
        sympy.Basic
            A matrix expression, or a scalar for a scalar expression.

        Examples
        --------
        >>> import sympy as sp
        >>> from wpgd_theory.symbolic.matrixwick import letter
        >>> S, A, c = letter("Sigma", symmetric=True), letter("A"), sp.Symbol("c")
        >>> (A * S * c + S).as_expr()
        c*A*Sigma + Sigma
        """
        def word_expr(w):
            if not w:
                return sp.Identity(D)
            fs = [sp.MatrixSymbol(nm, D, D).T if tr == 1 else sp.MatrixSymbol(nm, D, D) for nm, tr in w]
            return sp.MatMul(*fs) if len(fs) > 1 else fs[0]

        out = []
        for (ts, p), c in self.terms.items():
            f = c
            for w in ts:
                f = f * sp.Trace(word_expr(w))
            out.append(f * word_expr(p) if p is not None else f)
        return sp.Add(*out) if out else sp.Integer(0)

    def __repr__(self):
        return f"MatPoly({self.as_expr()})"


def _lift(x, is_matrix: bool) -> MatPoly:
    if isinstance(x, MatPoly):
        return x
    return scalar(x) if not is_matrix else identity() * x


def letter(name: str, transposed: int = 0, *, symmetric: bool = False) -> MatPoly:
    r"""Return the ``d × d`` matrix letter ``name`` (or its transpose), ``d`` symbolic.

    Symmetry is declared, never inferred from the name: without ``symmetric=True`` the letter
    is general.

    Parameters
    ----------
    name : str
        The letter's name (non-empty).
    transposed : {0, 1}, optional
        1 for the transpose of the letter (default 0).
    symmetric : bool, optional
        Declare the letter symmetric, ``Aᵀ = A`` (default False).

    Returns
    -------
    MatPoly
        The one-term matrix expression.

    Raises
    ------
    TypeError
        If ``name`` is not a non-empty string.
    ValueError
        If ``transposed`` is not 0 or 1.

    Examples
    --------
    >>> from wpgd_theory.symbolic.matrixwick import letter
    >>> letter("A", 1)
    MatPoly(A.T)
    >>> S = letter("Sigma", symmetric=True)
    >>> S.T == S, letter("A").T == letter("A")
    (True, False)
    """
    if not isinstance(name, str) or not name:
        raise TypeError(f"letter: name must be a non-empty str, got {name!r}")
    if transposed not in (0, 1, False, True):
        raise ValueError(f"letter: transposed must be 0 or 1, got {transposed!r}")
    return _letter(name, SYM if symmetric else int(transposed))


def _letter(name: str, tr: int) -> MatPoly:
    return MatPoly({((), ((name, tr),)): 1})


def identity() -> MatPoly:
    r"""Return the ``d × d`` identity matrix ``I`` (``tr I = d``, the symbol :data:`D`).

    Returns
    -------
    MatPoly
        The matrix expression ``I`` (the empty word).

    Examples
    --------
    >>> from wpgd_theory.symbolic.matrixwick import identity
    >>> identity()
    MatPoly(I)
    >>> identity().trace()
    MatPoly(d)
    """
    return MatPoly({((), ()): 1})


def scalar(c) -> MatPoly:
    r"""Return the commuting scalar ``c`` as a scalar expression.

    Parameters
    ----------
    c : sympy.Expr or number
        The scalar (e.g. ``σ²``, ``‖ω‖²``).

    Returns
    -------
    MatPoly
        A scalar (``is_matrix`` False) expression.

    Examples
    --------
    >>> import sympy as sp
    >>> from wpgd_theory.symbolic.matrixwick import scalar
    >>> scalar(sp.Symbol("tau")) + 1
    MatPoly(tau + 1)
    """
    return MatPoly({((), None): c}, is_matrix=False)


# ---------------------------------------------------------------------- Wick contraction
class Vec:
    r"""An occurrence of the Gaussian vector ``name`` in a chain: a column (``row=False``) or a row.

    Used in the chains of :func:`expect_chain`; ``Vec("x").T`` is the row ``xᵀ``.

    Parameters
    ----------
    name : str
        The vector's name (the key of the covariance function).
    row : bool, optional
        True for the row ``xᵀ`` (default False, the column ``x``).

    Examples
    --------
    >>> from wpgd_theory.symbolic.matrixwick import Vec
    >>> x = Vec("x")
    >>> x.row, x.T.row, x.T.name
    (False, True, 'x')
    """

    __slots__ = ("name", "row")

    def __init__(self, name: str, row: bool = False):
        self.name, self.row = name, row

    @property
    def T(self) -> Vec:
        r"""The same vector occurring transposed (a row becomes a column and back).

        Examples
        --------
        >>> from wpgd_theory.symbolic.matrixwick import Vec
        >>> Vec("x").T.T.row
        False
        """
        return Vec(self.name, not self.row)


def _matchings(items: list):
    if not items:
        yield []
        return
    first, rest = items[0], items[1:]
    for k in range(len(rest)):
        for m in _matchings(rest[:k] + rest[k + 1:]):
            yield [(first, rest[k])] + m


def expect_chain(chain: Sequence, cov: Callable) -> MatPoly:
    r"""Compute ``E[chain]`` by Wick's theorem for matrices of symbolic size.

    The sum, over perfect matchings of the vector occurrences, of the contracted index graphs
    (one open path, the matrix part, and cycles, the traces).  For
    ``E[x xᵀ A x xᵀ]`` it yields ``ΣAΣ + ΣAᵀΣ + tr(AΣ)Σ`` (claim W1, matrix Isserlis) with
    ``d`` symbolic.  An odd number of occurrences gives 0.

    Parameters
    ----------
    chain : sequence of MatPoly or Vec
        Constant matrices and occurrences of jointly Gaussian zero-mean vectors, in the order
        of the product; a chain opens with a matrix or a row and ends with a matrix or a
        row (matrix-valued) or is ``xᵀ ⋯ y`` (scalar-valued).
    cov : callable
        ``cov(a, b)`` returns ``E[a bᵀ]`` for vector names ``a``, ``b`` as a MatPoly, or
        ``None`` when they are independent.

    Returns
    -------
    MatPoly
        The expectation (a matrix or scalar expression).

    Raises
    ------
    ValueError
        If the chain is malformed (a matrix directly after a column, a row not after a
        column, a vector-valued chain).

    Examples
    --------
    >>> from wpgd_theory.symbolic.matrixwick import Vec, expect_chain, letter
    >>> S, A = letter("Sigma", symmetric=True), letter("A")
    >>> x = Vec("x")
    >>> expect_chain([x, x.T, A, x, x.T], lambda a, b: S)
    MatPoly(Trace(A*Sigma)*Sigma + Sigma*A*Sigma + Sigma*A.T*Sigma)
    >>> expect_chain([x.T, A, x], lambda a, b: S)  # E[xᵀAx] = tr(AΣ)
    MatPoly(Trace(A*Sigma))
    """
    edges = []  # (u, v, MatPoly): rows indexed at node u, columns at node v
    node, acc = None, identity()
    occ = []
    starts_open = not (isinstance(chain[0], Vec) and chain[0].row)
    if starts_open:
        node = "L"
    for it in chain:
        if isinstance(it, Vec):
            p = len(occ)
            occ.append(it.name)
            if it.row:
                if node is not None:
                    raise ValueError("a row vector must follow a column vector or open the chain")
                node, acc = p, identity()
            else:
                if node is None:
                    raise ValueError("a column vector needs an open row index before it")
                edges.append((node, p, acc))
                node, acc = None, None
        else:
            if node is None:
                raise ValueError("a matrix cannot follow a column vector directly (use a row vector)")
            acc = acc * it
    if starts_open and node is None:
        raise ValueError("a chain must end with a matrix or a row vector (vector-valued chains are not supported)")
    is_matrix = node is not None and starts_open
    if node is not None:
        if not starts_open:
            raise ValueError("a chain that opens with a row vector must close with a column vector")
        edges.append((node, "R", acc))
    total = MatPoly(is_matrix=is_matrix)
    if len(occ) % 2:
        return total
    for match in _matchings(list(range(len(occ)))):
        ks = [cov(occ[p], occ[q]) for p, q in match]
        if any(k is None for k in ks):
            continue
        total = total + _contract(edges + [(p, q, k) for (p, q), k in zip(match, ks)], is_matrix)
    return total


def _contract(edges: list, is_matrix: bool) -> MatPoly:
    adj: dict = {}
    for e, (u, v, _) in enumerate(edges):
        adj.setdefault(u, []).append(e)
        adj.setdefault(v, []).append(e)
    used = [False] * len(edges)

    def walk(start, first_edge):
        acc, cur, e = identity(), start, first_edge
        while True:
            used[e] = True
            u, v, M = edges[e]
            if u == cur:
                acc, cur = acc * M, v
            else:
                acc, cur = acc * M.T, u
            nxt = [f for f in adj[cur] if not used[f]]
            if not nxt or cur in ("L", "R"):
                return acc, cur
            e = nxt[0]

    out = scalar(1)
    if is_matrix:
        path, end = walk("L", adj["L"][0])
        if end != "R":
            raise AssertionError("open path must run from L to R")
        out = path
    for e in range(len(edges)):
        if not used[e]:
            u = edges[e][0]
            cyc, _ = walk(u, e)
            out = out * cyc.trace()
    return out


# ---------------------------------------------------------------------- matrix calculus
def trace_gradient(f: MatPoly, name: str) -> MatPoly:
    r"""Return ``∂f/∂P`` for a scalar expression ``f`` and a general letter ``P = name``.

    For each occurrence, rotate ``tr(U P V) = tr(P V U)`` ⇒ ``(V U)ᵀ``, and
    ``tr(U Pᵀ V)`` ⇒ ``V U`` (used for ``∇_P L`` of claim W3).

    Parameters
    ----------
    f : MatPoly
        A scalar expression.
    name : str
        The letter to differentiate by (general, not declared symmetric).

    Returns
    -------
    MatPoly
        The gradient, a ``d × d`` matrix expression.

    Raises
    ------
    TypeError
        If ``f`` is a matrix expression.
    ValueError
        If ``name`` is declared symmetric in ``f``.

    Examples
    --------
    >>> from wpgd_theory.symbolic.matrixwick import letter, trace_gradient
    >>> S, P = letter("Sigma", symmetric=True), letter("P")
    >>> trace_gradient((P * S).trace(), "P")
    MatPoly(Sigma)
    >>> trace_gradient((P.T * S * P).trace(), "P") == 2 * S * P
    True
    """
    if f.is_matrix:
        raise TypeError("trace_gradient needs a scalar expression")
    if name in f.symmetric_letters():
        raise ValueError(f"trace_gradient: the letter {name!r} is declared symmetric; "
                         "the gradient is for general letters")
    out = MatPoly()
    for (ts, _path), c in f.terms.items():
        for k, w in enumerate(ts):
            others = scalar(c)
            for j, w2 in enumerate(ts):
                if j != k:
                    others = others * _word(w2).trace()
            for pos, (nm, tr) in enumerate(w):
                if nm != name:
                    continue
                rest = w[pos + 1:] + w[:pos]  # tr(P rest) or tr(Pᵀ rest)
                g = _word(rest) if tr == 1 else _word(rest).T
                out = out + others * g
    return out


def _word(w) -> MatPoly:
    acc = identity()
    for nm, tr in w:
        acc = acc * _letter(nm, tr)
    return acc


def directional(f: MatPoly, name: str, direction: str, s: sp.Symbol, order: int) -> MatPoly:
    r"""Return the coefficient of ``s**order`` in ``f(P + sE)`` (``P = name``, ``E = direction``).

    ``order = 1`` gives ``⟨∇f, E⟩``, ``order = 2`` half the second directional derivative
    (the Hessian form of claim W3).

    Parameters
    ----------
    f : MatPoly
        The expression (scalar or matrix).
    name : str
        The letter ``P`` (general).
    direction : str
        The letter ``E`` of the direction (general).
    s : sympy.Symbol
        The step symbol.
    order : int
        The power of ``s`` whose coefficient is returned.

    Returns
    -------
    MatPoly
        The coefficient, an expression of the same kind as ``f``.

    Raises
    ------
    ValueError
        If ``name`` is declared symmetric in ``f``.

    Examples
    --------
    >>> import sympy as sp
    >>> from wpgd_theory.symbolic.matrixwick import directional, letter
    >>> P = letter("P")
    >>> directional((P.T * P).trace(), "P", "E", sp.Symbol("s"), 1)
    MatPoly(2*Trace(E*P.T))
    >>> directional((P.T * P).trace(), "P", "E", sp.Symbol("s"), 2)
    MatPoly(Trace(E*E.T))
    """
    if name in f.symmetric_letters():
        raise ValueError(f"directional: the letter {name!r} is declared symmetric; directions are general letters")
    g = f.substitute(name, letter(name) + letter(direction) * s)
    return g.map_coeffs(lambda c: sp.expand(c).coeff(s, order))


# ---------------------------------------------------------------------- evaluation at a size
def evaluate(f: MatPoly, mats: Mapping, d: int, scalars: Mapping | None = None):
    r"""Evaluate ``f`` at concrete ``d × d`` sympy matrices (``d`` substituted).

    The bridge from the all-sizes engine to the fixed-size one, for the cross-checks.

    Parameters
    ----------
    f : MatPoly
        The expression.
    mats : mapping
        ``{letter name: sympy.Matrix of shape (d, d)}`` for every letter of ``f``.
    d : int
        The concrete size.
    scalars : mapping or None, optional
        Values of scalar symbols (``{symbol: value}``), substituted too.

    Returns
    -------
    sympy.Matrix or sympy.Expr
        A ``d × d`` matrix (matrix expression) or a scalar, expanded.

    Raises
    ------
    ValueError
        If a letter occurs both declared symmetric and general, or a symmetric letter is given
        a non-symmetric matrix.

    Examples
    --------
    >>> import sympy as sp
    >>> from wpgd_theory.symbolic.matrixwick import evaluate, identity, letter
    >>> A = letter("A")
    >>> evaluate((A * A.T).trace(), {"A": sp.Matrix([[1, 2], [3, 4]])}, 2)
    30
    >>> evaluate(identity().trace(), {}, 3)
    3
    """
    subs = dict(scalars or {})
    subs[D] = d
    both = f.symmetric_letters() & f.general_letters()
    if both:
        raise ValueError(f"evaluate: letters {sorted(both)} occur both declared symmetric and general")
    for nm in f.symmetric_letters():
        if nm in mats and mats[nm] != mats[nm].T:
            raise ValueError(f"evaluate: mats[{nm!r}] is not symmetric but {nm!r} is declared symmetric")

    def word(w):
        out = sp.eye(d)
        for nm, tr in w:
            out = out * (mats[nm].T if tr == 1 else mats[nm])
        return out

    total = sp.zeros(d, d) if f.is_matrix else sp.Integer(0)
    for (ts, p), c in f.terms.items():
        term = sp.sympify(c).subs(subs)
        for w in ts:
            term = term * word(w).trace()
        total = total + (word(p) * term if p is not None else term)
    return total.applyfunc(sp.expand) if f.is_matrix else sp.expand(total)
