"""The Isserlis moment engine on known moments, against an independent brute-force pairing
enumeration, against Monte Carlo, and its input validation."""

from __future__ import annotations

import itertools

import numpy as np
import pytest
import sympy as sp
from hypothesis import given
from hypothesis import strategies as st

from wpgd_theory.symbolic.algebra import symmetric_matrix
from wpgd_theory.symbolic.moments import GaussianMoments, expectation

x, y, s, t = sp.symbols("x y s t")


def test_univariate_moments():
    assert expectation(x**2, [x], {(x, x): s}) == s
    assert expectation(x**4, [x], {(x, x): s}) == 3 * s**2
    assert expectation(x**6, [x], {(x, x): s}) == 15 * s**3
    assert expectation(x**8, [x], {(x, x): s}) == 105 * s**4
    for k in (1, 3, 5, 7):
        assert expectation(x**k, [x], {(x, x): s}) == 0


def test_four_variable_pairings():
    v = sp.symbols("a b c e")
    S = symmetric_matrix("S", 4)
    got = expectation(v[0] * v[1] * v[2] * v[3], v, S)
    assert sp.expand(got - (S[0, 1] * S[2, 3] + S[0, 2] * S[1, 3] + S[0, 3] * S[1, 2])) == 0


def _pairings(items):
    """All perfect matchings of a list (independent of the engine's recursion)."""
    if not items:
        yield []
        return
    first, rest = items[0], items[1:]
    for k in range(len(rest)):
        for tail in _pairings(rest[:k] + rest[k + 1:]):
            yield [(first, rest[k])] + tail


def test_sixth_order_distinct_and_repeated():
    v = sp.symbols("v0:6")
    S = symmetric_matrix("S", 6)
    got = expectation(sp.Mul(*v), v, S)
    ref = sum(sp.Mul(*[S[i, j] for i, j in m]) for m in _pairings(list(range(6))))
    assert len(list(_pairings(list(range(6))))) == 15
    assert sp.expand(got - ref) == 0
    a, b = v[0], v[1]
    got = expectation(a**3 * b**3, [a, b], S[:2, :2])
    assert sp.expand(got - (9 * S[0, 0] * S[0, 1] * S[1, 1] + 6 * S[0, 1] ** 3)) == 0


def test_independent_blocks_factorise():
    eng = GaussianMoments([x, y], {(x, x): s, (y, y): t}, [s, t])
    assert [set(b) for b in eng.blocks] == [{x}, {y}]
    assert eng.expect_expr(x**2 * y**2) == s * t
    assert eng.expect_expr(x**4 * y**2 + 2 * x * y) == 3 * s**2 * t


def test_coefficients_may_carry_parameters():
    p, q = sp.symbols("p q")
    eng = GaussianMoments([x], {(x, x): s}, [s, p, q])
    assert sp.expand(eng.expect_expr((p * x + q) ** 2) - (p**2 * s + q**2)) == 0


@given(st.lists(st.integers(0, 3), min_size=0, max_size=6))
def test_engine_equals_bruteforce_pairings(indices):
    v = sp.symbols("u0:4")
    S = symmetric_matrix("S", 4)
    got = expectation(sp.Mul(*[v[i] for i in indices]), v, S)
    ref = sum((sp.Mul(*[S[indices[i], indices[j]] for i, j in m]) for m in _pairings(list(range(len(indices))))),
              sp.Integer(0))
    assert sp.expand(got - ref) == 0


def test_numeric_covariance_against_monte_carlo():
    rng = np.random.default_rng(0)
    G = rng.standard_normal((3, 3))
    C = G @ G.T + np.eye(3)
    v = sp.symbols("w0:3")
    Cq = sp.Matrix(3, 3, lambda i, j: sp.Rational(round(C[i, j] * 1000), 1000))
    f = v[0] ** 2 * v[1] * v[2] + 3 * v[1] ** 4 - v[0] * v[2]
    exact = float(expectation(f, v, Cq))
    Z = rng.multivariate_normal(np.zeros(3), np.array(Cq, dtype=float), size=400_000)
    vals = Z[:, 0] ** 2 * Z[:, 1] * Z[:, 2] + 3 * Z[:, 1] ** 4 - Z[:, 0] * Z[:, 2]
    z = abs(vals.mean() - exact) / (vals.std() / np.sqrt(len(vals)))
    assert z < 5


def test_moments_are_cached():
    v = sp.symbols("c0:3")
    S = symmetric_matrix("S", 3)
    eng = GaussianMoments(v, S, sorted(S.free_symbols, key=str))
    eng.expectation(v[0] ** 2 * v[1] ** 2 * v[2] ** 2)
    n_haf = eng.cache_info()["hafnians"]
    eng.expectation(v[0] ** 2 * v[1] ** 2 * v[2] ** 2 + v[0] ** 4)
    assert eng.cache_info()["hafnians"] >= n_haf
    eng.expectation(v[0] ** 2 * v[1] ** 2 * v[2] ** 2)
    info = eng.cache_info()
    eng.expectation(v[0] ** 2 * v[1] ** 2 * v[2] ** 2)
    assert eng.cache_info() == info


def test_validation_errors():
    with pytest.raises(ValueError, match="not symmetric"):
        GaussianMoments([x, y], {(x, y): s, (y, x): t}, [s, t])
    with pytest.raises(ValueError, match="not a gaussian"):
        GaussianMoments([x], {(x, y): s}, [s])
    with pytest.raises(ValueError, match="not a polynomial"):
        GaussianMoments([x], {(x, x): 1 / s}, [s])
    with pytest.raises(ValueError, match="distinct"):
        GaussianMoments([x], {(x, x): s}, [x, s])
    with pytest.raises(TypeError, match="Symbols"):
        GaussianMoments(["x"], {}, [])
    with pytest.raises(TypeError, match="covariance must be"):
        GaussianMoments([x], 3, [])
    eng = GaussianMoments([x], {(x, x): s}, [s])
    with pytest.raises(ValueError, match="undeclared symbols"):
        eng.expectation(x * t)
    with pytest.raises(ValueError, match="not symmetric"):
        GaussianMoments([x, y], sp.Matrix([[s, 1], [0, s]]), [s])


def test_callable_covariance_and_matrix_agree():
    S = symmetric_matrix("S", 2)
    v = sp.symbols("p0:2")
    e1 = GaussianMoments(v, lambda a, b: S[v.index(a), v.index(b)], sorted(S.free_symbols, key=str))
    e2 = GaussianMoments(v, S, sorted(S.free_symbols, key=str))
    f = v[0] ** 3 * v[1] + v[1] ** 4
    assert e1.expectation(f) == e2.expectation(f)


def test_no_itertools_shortcut_needed():
    # sanity for the brute-force helper itself: (2k-1)!! matchings
    for k in range(1, 5):
        assert len(list(_pairings(list(range(2 * k))))) == int(np.prod(np.arange(2 * k - 1, 0, -2)))
    assert itertools is not None
