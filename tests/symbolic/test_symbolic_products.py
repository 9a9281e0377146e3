"""algebra.ring_mul and algebra.compose are sympy's product and substitution, computed faster:
compared with sympy's own ``p * q`` and ``PolyElement.compose`` on random polynomials
(cancellations, coefficients beyond int64, repeated and zero replacements)."""

import random

import pytest
import sympy as sp
from hypothesis import given
from hypothesis import strategies as st

from wpgd_theory.symbolic.algebra import compose, ring_mul

RING, *GENS = sp.ring("a b c d e", sp.ZZ)


def _poly(rng, terms, deg=4, cmax=50):
    out = RING.zero
    for _ in range(terms):
        mono = RING.one
        for _ in range(3):
            mono *= rng.choice(GENS) ** rng.randint(0, deg)
        out += rng.randint(-cmax, cmax) * mono
    return out


@given(seed=st.integers(0, 2**32 - 1), cmax=st.sampled_from([1, 50, 10**6, 10**12, 2**40]))
def test_ring_mul_is_sympys_product(seed, cmax):
    rng = random.Random(seed)
    p, q = _poly(rng, rng.randint(1, 200)), _poly(rng, rng.randint(1, 200), cmax=cmax)
    assert ring_mul(p, q) == p * q
    r = -p + _poly(random.Random(seed + 1), 3)
    assert ring_mul(p, r) == p * r  # most products cancel


def test_ring_mul_large_products_take_the_vectorised_path():
    rng = random.Random(7)
    p, q = _poly(rng, 300), _poly(rng, 300)
    assert len(p) * len(q) >= 4096  # above the threshold: the int64 path runs
    assert ring_mul(p, q) == p * q
    big = p * (2**61)  # coefficient sums beyond int64: falls back to sympy, same product
    assert ring_mul(big, q) == big * q


def test_ring_mul_other_domains_are_sympys():
    R, x, y = sp.ring("x y", sp.QQ)
    p, q = (x / 3 + y) ** 30, (x - y / 2) ** 30
    assert ring_mul(p, q) == p * q


@pytest.mark.parametrize("seed", range(8))
def test_compose_is_sympys_substitution(seed):
    rng = random.Random(seed)
    f = _poly(rng, 60, deg=2)
    a, b, c, d, e = GENS
    pairs = [(a, _poly(rng, 8, deg=1)), (c, RING.zero), (b, a + 2 * e), (a, e)]  # a twice: the first wins
    assert compose(f, pairs) == f.compose(pairs)
    assert compose(f, [(d, d)]) == f
    assert compose(f, []) == f
