"""Engine traps of the symbolic-size engine (issue 21): symmetry is a declared property of a
letter, never inferred from its name, and index sums the engine cannot do are refused.

The independent side of the Wick checks is a brute-force Isserlis expansion over the entries of
the joint Gaussian vector at ``d = 2`` (scalar pairings of a 4 × 4 covariance written out by hand),
which shares nothing with the engine's index-graph contraction."""

from __future__ import annotations

import itertools

import pytest
import sympy as sp

from wpgd_theory.symbolic import sizefree as SF
from wpgd_theory.symbolic.algebra import full_matrix, symmetric_matrix
from wpgd_theory.symbolic.matrixwick import Vec, evaluate, expect_chain, letter, scalar, trace_gradient

D2 = 2


def _isserlis4(C, p, q, r, s):
    """``E[z_p z_q z_r z_s]`` for a centred Gaussian ``z`` with covariance ``C``."""
    return C[p, q] * C[r, s] + C[p, r] * C[q, s] + C[p, s] * C[q, r]


def _brute_y_xT_A_y_xT(Sig, G, K, A):
    """``E[y xᵀ A y xᵀ]`` entry by entry: ``Σ_{b,c} A_bc E[y_a x_b y_c x_e]`` with ``z = (x, y)``,
    ``E[x xᵀ] = Σ``, ``E[y yᵀ] = G``, ``E[x yᵀ] = K``."""
    C = sp.Matrix(sp.BlockMatrix([[Sig, K], [K.T, G]]))
    X, Y = list(range(D2)), [D2 + k for k in range(D2)]
    return sp.Matrix(D2, D2, lambda a, e: sp.expand(sum(A[b, c] * _isserlis4(C, Y[a], X[b], Y[c], X[e])
                                                        for b, c in itertools.product(range(D2), repeat=2))))


def _engine_y_xT_A_y_xT(K_symmetric: bool):
    S, G, K = letter("Sigma", symmetric=True), letter("G", symmetric=True), letter("K", symmetric=K_symmetric)
    covs = {("x", "x"): S, ("y", "y"): G, ("x", "y"): K, ("y", "x"): K.T}
    x, y = Vec("x"), Vec("y")
    return expect_chain([y, x.T, letter("A"), y, x.T], lambda a, b: covs[(a, b)])


def test_a_letter_is_general_unless_declared_symmetric():
    for name in ("Sigma", "M", "K", "N", "rho", "F", "A"):
        assert letter(name).T != letter(name), name
        assert letter(name, symmetric=True).T == letter(name, symmetric=True), name
    assert (letter("K") * letter("A")).T == letter("A").T * letter("K").T


def test_non_symmetric_cross_covariance_matches_brute_force_isserlis():
    """``E[y xᵀ A y xᵀ]`` with a *general* cross-covariance ``K`` named K: the engine equals the
    brute-force Isserlis expansion on all 4 entries at d = 2 (the old engine read K as symmetric
    and got all 4 entries wrong)."""
    Sig, G = symmetric_matrix("S", D2), symmetric_matrix("G", D2)
    K, A = full_matrix("K", D2), full_matrix("A", D2)
    brute = _brute_y_xT_A_y_xT(Sig, G, K, A)
    engine = evaluate(_engine_y_xT_A_y_xT(False), {"Sigma": Sig, "G": G, "K": K, "A": A}, D2)
    assert engine.shape == (D2, D2)
    assert (engine - brute).applyfunc(sp.expand) == sp.zeros(D2, D2)


def test_a_symmetric_declaration_is_checked_when_evaluated():
    """Declaring K symmetric and evaluating it at a non-symmetric matrix is refused; at a
    symmetric K both sides agree."""
    Sig, G, A = symmetric_matrix("S", D2), symmetric_matrix("G", D2), full_matrix("A", D2)
    with pytest.raises(ValueError, match="'K' is declared symmetric"):
        evaluate(_engine_y_xT_A_y_xT(True), {"Sigma": Sig, "G": G, "K": full_matrix("K", D2), "A": A}, D2)
    Ks = symmetric_matrix("K", D2)
    engine = evaluate(_engine_y_xT_A_y_xT(True), {"Sigma": Sig, "G": G, "K": Ks, "A": A}, D2)
    assert (engine - _brute_y_xT_A_y_xT(Sig, G, Ks, A)).applyfunc(sp.expand) == sp.zeros(D2, D2)


def test_gradient_refuses_a_declared_symmetric_letter():
    f = (letter("M", symmetric=True) * letter("A")).trace()
    with pytest.raises(ValueError, match="'M' is declared symmetric"):
        trace_gradient(f, "M")


def test_pair_sum_matches_the_explicit_double_sum_where_it_applies():
    """``Σ_{i,j} ω_iω_j (R_ij + 2)`` (R_ii = 1) at n = 3 written out vs pair_sum's closed form."""
    n = 3
    w = sp.symbols("w1:4")
    R = sp.Matrix(n, n, lambda i, j: 1 if i == j else sp.Symbol(f"R{min(i, j)}{max(i, j)}"))
    explicit = sp.expand(sum(w[i] * w[j] * (R[i, j] + 2) for i in range(n) for j in range(n)))
    got = SF.pair_sum(scalar(3), scalar(SF.RIJ + 2)).as_expr()
    values = {SF.NORM2: sum(v**2 for v in w), SF.ONEW: sum(w),
              SF.WRW: sum(w[i] * w[j] * R[i, j] for i in range(n) for j in range(n))}
    assert sp.expand(got.subs(values) - explicit) == 0


@pytest.mark.parametrize("equal, distinct, what", [
    (scalar(1), scalar(SF.RI * SF.RJ), "r_i"),
    (scalar(SF.RI**2), scalar(1), "i = j term"),
    (scalar(1), scalar(SF.RIJ**2), "not affine in R_ij"),
    (scalar(SF.RIJ), scalar(1), "i = j term"),
])
def test_pair_sum_refuses_what_it_cannot_sum(equal, distinct, what):
    """The old pair_sum returned an expression still containing r_i, r_j (an unsummed index);
    now it refuses, naming the term."""
    with pytest.raises(ValueError, match=what):
        SF.pair_sum(equal, distinct)


def test_single_sum_refuses_what_it_cannot_sum():
    with pytest.raises(ValueError, match="single_sum"):
        SF.single_sum(scalar(SF.RI**2))
    with pytest.raises(ValueError, match="single_sum"):
        SF.single_sum(scalar(SF.RJ))
    assert SF.single_sum(scalar(2 * SF.RI + 1)) == scalar(2 * SF.RW + SF.ONEW)


def test_a_letter_declared_both_ways_is_refused_when_evaluated():
    mixed = letter("K", symmetric=True) * letter("K")
    with pytest.raises(ValueError, match="both declared symmetric and general"):
        evaluate(mixed, {"K": symmetric_matrix("K", D2)}, D2)


def test_bilinear_refuses_a_matrix_letter_not_declared_symmetric():
    """The bilinear engine's canonical atoms read ⟨u|K|v⟩ as ⟨v|K|u⟩, true only for a
    symmetric K: an undeclared letter is refused (it used to be taken as symmetric silently,
    which for a non-symmetric K equates two different numbers)."""
    import numpy as np

    from wpgd_theory.symbolic import bilinear as BL

    u, v = BL.vec("u"), BL.vec("v")
    with pytest.raises(ValueError, match="not declared symmetric"):
        BL.bil(u, v, mid=("Knonsym",))
    # what the old behaviour asserted, uᵀKv = vᵀKu, is false for a non-symmetric K
    rng = np.random.default_rng(0)
    Kn, un, vn = rng.standard_normal((3, 3)), rng.standard_normal(3), rng.standard_normal(3)
    assert abs(un @ Kn @ vn - vn @ Kn @ un) > 1e-3
    # declared letters (R, A of the W4/W5 engine) keep the canonical symmetric form
    assert BL.bil(u, v, mid=("R",)) == BL.bil(v, u, mid=("R",))
