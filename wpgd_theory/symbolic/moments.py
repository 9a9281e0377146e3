r"""Gaussian moment engine: exact expectations by Isserlis' (Wick's) theorem.

For zero-mean jointly Gaussian variables ``u_1..u_m`` with covariance ``K``,

.. math::  \mathbb E[u_{i_1}\cdots u_{i_{2k}}] = \sum_{\text{pairings } \pi}\ \prod_{\{s,t\}\in\pi} K_{i_s i_t},

and every odd moment vanishes (Isserlis 1918).  The sum over perfect matchings is the
*hafnian* of the ``2k × 2k`` matrix ``K[i_s, i_t]``.  :class:`GaussianMoments` takes the
expectation of any polynomial whose coefficients may contain other symbols
(preconditioner entries, weights, ...) and whose covariance entries are themselves
*symbolic* polynomials (``Σ_ab``, ``R_ij``, ``σ²``, ...).  It never uses a closed form for
the quantity being checked: the only mathematics in it is the pairing sum above.

How it is fast enough
---------------------
* Polynomials live in a sparse :class:`sympy.polys.rings.PolyRing` (exact integer or
  rational coefficients), not as :class:`sympy.Expr` trees; conversion to and from ``Expr``
  is offered at the boundary (:meth:`GaussianMoments.expect_expr`).
* The integrand is expanded once into monomials; terms sharing the same Gaussian
  monomial are grouped, so each distinct Gaussian monomial is paired only once.
* Independence blocks: the variables split into the connected components of the graph
  "covariance entry structurally non-zero" (e.g. each ``x_i`` is its own block, every
  coordinate of the stacked task vectors is one block, each noise variable is one).  A
  monomial factorises over blocks and each factor's hafnian is computed separately.
* Hafnians are memoised on the sorted multiset of variable indices (recursion: pair the
  first variable with each distinct partner, times its multiplicity), monomial moments on
  their exponent vector.  Both caches live on the engine instance, so an engine built
  once per problem size (see :mod:`.derivations`) re-uses every sub-moment.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence

import sympy as sp
from sympy.polys.rings import PolyElement, PolyRing

__all__ = ["GaussianMoments", "expectation"]


class GaussianMoments:
    r"""Expectations of polynomials in zero-mean jointly Gaussian variables.

    By Isserlis' (Wick's) theorem,
    ``E[u_{i_1} ⋯ u_{i_{2k}}] = Σ_{pairings π} Π_{{s,t} ∈ π} K_{i_s i_t}`` (the hafnian of
    ``K`` restricted to the factors) and every odd moment vanishes; this pairing sum is the
    only mathematics the engine uses (the reference side of the symbolic checks, e.g. W1).

    Parameters
    ----------
    gaussians : sequence of sympy.Symbol
        The Gaussian variables ``u_1..u_m`` (distinct, ``m ≥ 1``).
    covariance : mapping, callable or sympy.Matrix
        ``{(u, v): expr}`` listing the non-zero covariances (a missing pair means 0; a
        pair may be given in either order, both orders must agree if both are given), or
        ``cov(u, v) -> expr``, or an ``m × m`` symmetric Matrix aligned with
        ``gaussians``.  Entries are polynomials in ``parameters``.
    parameters : sequence of sympy.Symbol, optional
        Every other symbol that may occur in covariance entries or in integrands
        (default none).
    domain : sympy domain, default ``ZZ``
        Coefficient domain (``QQ`` for rational coefficients).

    Raises
    ------
    TypeError
        If ``gaussians`` or ``parameters`` hold non-symbols, or ``covariance`` is of another
        type (or a mapping key is not a pair).
    ValueError
        If ``gaussians`` is empty, the symbols are not distinct, the covariance is not
        symmetric, has the wrong shape, names an unknown variable, or an entry is not a
        polynomial in ``parameters``.

    Examples
    --------
    >>> import sympy as sp
    >>> from wpgd_theory.symbolic.moments import GaussianMoments
    >>> x, y, s, c = sp.symbols("x y s c")
    >>> g = GaussianMoments([x, y], {(x, x): s, (y, y): s, (x, y): c}, parameters=[s, c])
    >>> g.expect_expr(x**4)
    3*s**2
    >>> g.expect_expr(x**2 * y**2)
    2*c**2 + s**2
    >>> g.expect_expr(x**3 * y)
    3*c*s
    >>> g.expect_expr(x * y**2)
    0
    """

    def __init__(self, gaussians: Sequence[sp.Symbol], covariance, parameters: Sequence[sp.Symbol] = (),
                 domain=sp.ZZ):
        gaussians = tuple(gaussians)
        parameters = tuple(parameters)
        if not gaussians:
            raise ValueError("gaussians must contain at least one symbol")
        for name, seq in (("gaussians", gaussians), ("parameters", parameters)):
            bad = [s for s in seq if not isinstance(s, sp.Symbol)]
            if bad:
                raise TypeError(f"{name} must be sympy Symbols, got {bad[:3]}")
        if len(set(gaussians + parameters)) != len(gaussians) + len(parameters):
            raise ValueError("gaussians and parameters must be distinct symbols")
        self.gaussians = gaussians
        self.parameters = parameters
        self.ring = PolyRing(gaussians + parameters, domain)
        self.param_ring = PolyRing(parameters, domain) if parameters else PolyRing((sp.Dummy("one"),), domain)
        self._m = len(gaussians)
        self._index = {s: i for i, s in enumerate(gaussians)}
        self._cov = self._build_covariance(covariance)
        self._component = self._components()
        self._haf_cache: dict = {}
        self._moment_cache: dict = {}

    # ------------------------------------------------------------------ set-up
    def _param(self, expr, where: str):
        try:
            return self.param_ring.from_expr(sp.sympify(expr)) if self.parameters else self._const(expr)
        except (ValueError, sp.polys.polyerrors.CoercionFailed) as exc:  # not a polynomial in parameters
            raise ValueError(f"covariance entry {where} = {expr!r} is not a polynomial in the parameters") from exc

    def _const(self, expr):
        value = sp.sympify(expr)
        if value.free_symbols:
            raise ValueError(f"covariance entry {expr!r} has symbols but no parameters were declared")
        return self.param_ring.ground_new(self.param_ring.domain.from_sympy(value))

    def _build_covariance(self, covariance) -> list:
        m = self._m
        cov: list = [dict() for _ in range(m)]

        def put(i, j, value, where):
            if not value:
                return
            for a, b in ((i, j), (j, i)):
                old = cov[a].get(b)
                if old is not None and old != value:
                    raise ValueError(f"covariance is not symmetric at {where}: {old.as_expr()} vs {value.as_expr()}")
                cov[a][b] = value

        if isinstance(covariance, sp.MatrixBase):
            if covariance.shape != (m, m):
                raise ValueError(f"covariance matrix must be {m}x{m}, got {covariance.shape}")
            for i in range(m):
                for j in range(i, m):
                    if sp.expand(covariance[i, j] - covariance[j, i]) != 0:
                        raise ValueError(f"covariance matrix is not symmetric at ({i}, {j})")
                    put(i, j, self._param(covariance[i, j], f"[{i},{j}]"), f"[{i},{j}]")
        elif isinstance(covariance, Mapping):
            for key, value in covariance.items():
                if not (isinstance(key, tuple) and len(key) == 2):
                    raise TypeError(f"covariance keys must be pairs of gaussian symbols, got {key!r}")
                u, v = key
                if u not in self._index or v not in self._index:
                    raise ValueError(f"covariance key {key!r} names a symbol that is not a gaussian")
                put(self._index[u], self._index[v], self._param(value, str(key)), str(key))
        elif isinstance(covariance, Callable):
            g = self.gaussians
            for i in range(m):
                for j in range(i, m):
                    put(i, j, self._param(covariance(g[i], g[j]), f"({g[i]}, {g[j]})"), f"({g[i]}, {g[j]})")
        else:
            raise TypeError("covariance must be a Mapping, a callable or a sympy Matrix, "
                            f"got {type(covariance).__name__}")
        return cov

    def _components(self) -> list:
        """Component id of every variable in the graph of structurally non-zero covariances."""
        parent = list(range(self._m))

        def find(i):
            while parent[i] != i:
                parent[i] = parent[parent[i]]
                i = parent[i]
            return i

        for i, row in enumerate(self._cov):
            for j in row:
                ri, rj = find(i), find(j)
                if ri != rj:
                    parent[max(ri, rj)] = min(ri, rj)
        return [find(i) for i in range(self._m)]

    @property
    def blocks(self) -> list:
        r"""The independence blocks (tuples of gaussian symbols), in order of first variable.

        Two variables are in one block when they are connected by structurally non-zero
        covariances; a monomial's moment factorises over blocks.

        Examples
        --------
        >>> import sympy as sp
        >>> from wpgd_theory.symbolic.moments import GaussianMoments
        >>> a, b, c, s = sp.symbols("a b c s")
        >>> GaussianMoments([a, b, c], {(a, a): s, (b, b): 1, (c, c): 1, (a, c): s}, [s]).blocks
        [(a, c), (b,)]
        """
        out: dict = {}
        for i, c in enumerate(self._component):
            out.setdefault(c, []).append(self.gaussians[i])
        return [tuple(v) for v in out.values()]

    # ------------------------------------------------------------------ pairing
    def hafnian(self, multiset: tuple):
        r"""Return ``E[u_{i_1} ⋯ u_{i_k}]`` for a sorted tuple of variable indices.

        Recursion on the first variable: ``E[u_{i_1} w] = Σ_t K_{i_1 i_t} E[w \ u_{i_t}]``
        over the remaining factors ``t``; equal indices are grouped (multiplicity times one
        recursive call).  Memoised on the multiset.

        Parameters
        ----------
        multiset : tuple of int
            Sorted indices into :attr:`gaussians` (repetitions allowed).

        Returns
        -------
        sympy.polys.rings.PolyElement
            An element of :attr:`param_ring` (0 for an odd number of factors).

        Examples
        --------
        >>> import sympy as sp
        >>> from wpgd_theory.symbolic.moments import GaussianMoments
        >>> x, s = sp.symbols("x s")
        >>> GaussianMoments([x], {(x, x): s}, [s]).hafnian((0, 0, 0, 0)).as_expr()
        3*s**2
        """
        cached = self._haf_cache.get(multiset)
        if cached is not None:
            return cached
        ring = self.param_ring
        if not multiset:
            value = ring.one
        elif len(multiset) % 2:
            value = ring.zero
        else:
            first, rest = multiset[0], multiset[1:]
            row = self._cov[first]
            value = ring.zero
            k = 0
            while k < len(rest):
                j = rest[k]
                mult = 1
                while k + mult < len(rest) and rest[k + mult] == j:
                    mult += 1
                c = row.get(j)
                if c is not None:
                    sub = self.hafnian(rest[:k] + rest[k + 1:])
                    if sub:
                        value += c * sub * mult
                k += mult
        self._haf_cache[multiset] = value
        return value

    def moment(self, exponents: tuple):
        r"""Return ``E[Π_i u_i^{e_i}]`` for an exponent vector over :attr:`gaussians` (cached).

        The monomial factorises over the independence blocks; each block's factor is a hafnian.

        Parameters
        ----------
        exponents : tuple of int
            One exponent ``e_i ≥ 0`` per Gaussian variable (length ``m``).

        Returns
        -------
        sympy.polys.rings.PolyElement
            An element of :attr:`param_ring`.

        Examples
        --------
        >>> import sympy as sp
        >>> from wpgd_theory.symbolic.moments import GaussianMoments
        >>> x, y, s = sp.symbols("x y s")
        >>> GaussianMoments([x, y], {(x, x): s, (y, y): 1}, [s]).moment((2, 2)).as_expr()
        s
        """
        cached = self._moment_cache.get(exponents)
        if cached is not None:
            return cached
        blocks: dict = {}
        comp = self._component
        for i, e in enumerate(exponents):
            if e:
                blocks.setdefault(comp[i], []).extend([i] * e)
        value = self.param_ring.one
        for idx in blocks.values():
            if len(idx) % 2:
                value = self.param_ring.zero
                break
            h = self.hafnian(tuple(idx))  # indices were appended in increasing order
            if not h:
                value = self.param_ring.zero
                break
            value = value * h
        self._moment_cache[exponents] = value
        return value

    # ------------------------------------------------------------------ expectation
    def to_ring(self, f) -> PolyElement:
        r"""Convert ``f`` into an element of :attr:`ring`.

        Parameters
        ----------
        f : sympy.Expr or sympy.polys.rings.PolyElement
            A polynomial in the Gaussians and parameters.

        Returns
        -------
        sympy.polys.rings.PolyElement
            ``f`` in :attr:`ring` (the Gaussians followed by the parameters).

        Raises
        ------
        ValueError
            If ``f`` is a polynomial of another ring or has undeclared symbols.

        Examples
        --------
        >>> import sympy as sp
        >>> from wpgd_theory.symbolic.moments import GaussianMoments
        >>> x, s = sp.symbols("x s")
        >>> GaussianMoments([x], {(x, x): s}, [s]).to_ring(s * x**2).as_expr()
        s*x**2
        """
        if isinstance(f, PolyElement):
            if f.ring != self.ring:
                raise ValueError("polynomial belongs to a different ring than this engine's")
            return f
        expr = sp.sympify(f)
        extra = expr.free_symbols - set(self.gaussians) - set(self.parameters)
        if extra:
            raise ValueError(f"integrand has undeclared symbols {sorted(map(str, extra))}")
        return self.ring.from_expr(expr)

    def expectation(self, f):
        r"""Return ``E[f]`` exactly, as an element of :attr:`param_ring`.

        Parameters
        ----------
        f : sympy.Expr or sympy.polys.rings.PolyElement
            A polynomial in the Gaussians whose coefficients are polynomials in the parameters.

        Returns
        -------
        sympy.polys.rings.PolyElement
            The expectation in :attr:`param_ring`.

        Raises
        ------
        ValueError
            If ``f`` has undeclared symbols.

        Examples
        --------
        >>> import sympy as sp
        >>> from wpgd_theory.symbolic.moments import GaussianMoments
        >>> x, s = sp.symbols("x s")
        >>> GaussianMoments([x], {(x, x): s}, [s]).expectation(x**2 + s).as_expr()
        2*s
        """
        f = self.to_ring(f)
        m = self._m
        groups: dict = {}
        for monom, coeff in f.iterterms():
            g, p = monom[:m], monom[m:]
            d = groups.get(g)
            if d is None:
                groups[g] = {p: coeff}
            else:
                d[p] = d.get(p, 0) + coeff
        ring = self.param_ring
        total = ring.zero
        nparam = len(self.parameters)
        for g, d in groups.items():
            mom = self.moment(g)
            if not mom:
                continue
            if nparam:
                total += mom * ring.from_dict(d)
            else:
                total += mom * sum(d.values())
        return total

    def expect_expr(self, f) -> sp.Expr:
        r"""Return ``E[f]`` as an expanded :class:`sympy.Expr`.

        Parameters
        ----------
        f : sympy.Expr or sympy.polys.rings.PolyElement
            A polynomial in the Gaussians whose coefficients are polynomials in the parameters.

        Returns
        -------
        sympy.Expr
            The expectation.

        Examples
        --------
        >>> import sympy as sp
        >>> from wpgd_theory.symbolic.moments import GaussianMoments
        >>> x, s = sp.symbols("x s")
        >>> GaussianMoments([x], {(x, x): s}, [s]).expect_expr(x**6)
        15*s**3
        """
        return self.expectation(f).as_expr()

    def cache_info(self) -> dict:
        r"""Return the sizes of the two memo caches.

        Returns
        -------
        dict
            ``{"hafnians": int, "monomial_moments": int}``.

        Examples
        --------
        >>> import sympy as sp
        >>> from wpgd_theory.symbolic.moments import GaussianMoments
        >>> x, s = sp.symbols("x s")
        >>> g = GaussianMoments([x], {(x, x): s}, [s])
        >>> _ = g.expect_expr(x**4)
        >>> g.cache_info()["monomial_moments"]
        1
        """
        return {"hafnians": len(self._haf_cache), "monomial_moments": len(self._moment_cache)}


def expectation(expr, gaussians: Sequence[sp.Symbol], covariance) -> sp.Expr:
    r"""Compute ``E[expr]`` once, sympy in and sympy out.

    The parameters (every symbol other than the Gaussians) are inferred, and coefficients may
    be rational.  A thin wrapper around :class:`GaussianMoments` (Isserlis' theorem).

    Parameters
    ----------
    expr : sympy.Expr
        A polynomial in ``gaussians`` whose coefficients may contain other symbols.
    gaussians : sequence of sympy.Symbol
        The zero-mean jointly Gaussian variables (length ``m``).
    covariance : mapping or sympy.Matrix
        ``{(u, v): expr}`` of the non-zero covariances, or an ``m × m`` symmetric Matrix
        aligned with ``gaussians``.

    Returns
    -------
    sympy.Expr
        The expectation, expanded.

    Raises
    ------
    TypeError
        If ``covariance`` is neither a mapping nor a Matrix (use :class:`GaussianMoments`
        for a callable).
    ValueError
        As :class:`GaussianMoments` (non-symmetric covariance, entries not polynomial, ...).

    Examples
    --------
    >>> import sympy as sp
    >>> from wpgd_theory.symbolic.moments import expectation
    >>> x, s = sp.symbols("x s")
    >>> expectation(x**4, [x], {(x, x): s})
    3*s**2
    >>> expectation((x + 1) ** 2 / 2, [x], sp.Matrix([[s]]))
    s/2 + 1/2
    """
    gaussians = tuple(gaussians)
    syms = set(sp.sympify(expr).free_symbols)
    if isinstance(covariance, sp.MatrixBase):
        syms |= covariance.free_symbols
    elif isinstance(covariance, Mapping):
        for v in covariance.values():
            syms |= sp.sympify(v).free_symbols
    else:
        raise TypeError("expectation() needs the covariance as a Mapping or Matrix (use GaussianMoments for callables)")
    params = tuple(sorted(syms - set(gaussians), key=str))
    return GaussianMoments(gaussians, covariance, params, domain=sp.QQ).expect_expr(expr)
