"""The symbolic-size engine (matrixwick, sizefree, termsums): canonical form, Wick contraction,
index classes and matrix calculus decide the W1-W6 identities for symbolic d, n; wrong
formulas are rejected; numbers from numpy (an independent evaluation) agree."""

from __future__ import annotations

import numpy as np
import pytest
import sympy as sp
from hypothesis import given
from hypothesis import strategies as st

from wpgd_theory.symbolic import sizefree as SF
from wpgd_theory.symbolic.matrixwick import (
    D,
    MatPoly,
    Vec,
    canonical_trace,
    directional,
    expect_chain,
    identity,
    letter,
    trace_gradient,
)

S, A, B, P = letter("Sigma", symmetric=True), letter("A"), letter("B"), letter("P")


def cov_x(a, b):
    return S if a == b == "x" else None


def test_canonical_form_decides_trace_and_transpose_rules():
    assert (A * B).trace() == (B * A).trace()
    assert A.T.trace() == A.trace()
    assert (S * A.T).trace() == (A * S).trace()
    assert S.T == S and (A * B).T == B.T * A.T
    assert (A * B).trace() != (A * B.T).trace()
    assert (A * B * S).trace() == (S.T * B.T * A.T).trace()
    assert identity().trace() == MatPoly({((), None): D}, is_matrix=False)
    assert A * 2 - A - A == MatPoly()


def test_wick_contraction_at_symbolic_size():
    x = Vec("x")
    assert expect_chain([x, x.T, A, x, x.T], cov_x) == S * A * S + S * A.T * S + (A * S).trace() * S
    # a wrong right side (one pairing dropped) is rejected
    assert expect_chain([x, x.T, A, x, x.T], cov_x) != S * A * S + (A * S).trace() * S
    assert expect_chain([x.T, A, x], cov_x) == (A * S).trace()
    assert expect_chain([x, x.T, x, x.T], cov_x) == S * S * 2 + S.trace() * S
    assert expect_chain([x.T, x, x.T, x], cov_x) == (S * S).trace() * 2 + S.trace() * S.trace()
    with pytest.raises(ValueError):
        expect_chain([x, A, x.T], cov_x)
    with pytest.raises(ValueError, match="vector-valued"):
        expect_chain([x, x.T, A, x], cov_x)
    assert expect_chain([x.T, A, x, x.T, B, x], cov_x) == ((A * S).trace() * (B * S).trace() + (A * S * B * S).trace()
                                                           + (A * S * B.T * S).trace())


ALL_SIZES = [SF.w1_isserlis, SF.w1_label_variance, SF.w1_cross_moment, SF.w1_second_moment, SF.w1_risk,
             SF.w2_scaling, SF.w3_gradient, SF.w3_gradient_sympy, SF.w3_hessian, SF.w3_spectral, SF.w3_homogeneity,
             SF.w4_partials, SF.w4_mu, SF.w5_isotropic, SF.w6_zero_r, SF.w3_profile_engine, SF.a4_taskwise]


@pytest.mark.parametrize("func", ALL_SIZES, ids=lambda f: f.__name__)
def test_all_sizes_identities_hold(func):
    ids = func()
    assert ids and all(i.ok for i in ids), [(i.name, i.residual) for i in ids if not i.ok]


def test_two_engines_agree_at_small_sizes():
    ids = SF.crosscheck_isserlis((2,)) + SF.crosscheck_second_moment(((2, 2),))
    assert len(ids) == 3 and all(i.ok for i in ids)


def test_wrong_closed_forms_are_rejected():
    M_wrong = S * S * SF.WRW + S * (S.trace() + SF.NOISE) * SF.NORM2  # a = ωᵀRω (missing ‖ω‖²)
    assert SF.e_vvT() != M_wrong
    wrong_risk = SF.closed_form_risk() + (S * P * S).trace() * SF.RW  # -c instead of -2c
    assert SF.engine_risk_all_sizes() != wrong_risk
    assert trace_gradient(SF._risk_M(), "P") != S * S * (-2 * SF.RW) + S * P * letter("M", symmetric=True)
    with pytest.raises(ValueError, match="affine"):
        SF.pair_sum(S, S * SF.RIJ**2)


def _word_strategy():
    return st.lists(st.tuples(st.sampled_from(["A", "B", "Sigma"]), st.integers(0, 1)), min_size=1, max_size=5)


def _num(word, mats):
    out = np.eye(3)
    for nm, tr in word:
        out = out @ (mats[nm].T if tr else mats[nm])
    return out


@given(_word_strategy(), st.integers(0, 2**31 - 1))
def test_canonical_trace_has_the_same_value(word, seed):
    """numpy (independent) evaluates tr(W) and tr(canonical W) equally at random matrices."""
    rng = np.random.default_rng(seed)
    G = rng.standard_normal((3, 3))
    mats = {"A": rng.standard_normal((3, 3)), "B": rng.standard_normal((3, 3)), "Sigma": G @ G.T}
    word = [(nm, 0 if nm == "Sigma" else tr) for nm, tr in word]
    can = canonical_trace(tuple(word))
    assert np.trace(_num(word, mats)) == pytest.approx(np.trace(_num(can, mats)), rel=1e-9, abs=1e-9)


def test_gradient_matches_finite_differences():
    """trace_gradient (symbolic d) evaluated at d = 3 vs central differences in numpy."""
    rng = np.random.default_rng(0)
    G = rng.standard_normal((3, 3))
    Sn, Mn, Pn = G @ G.T, np.eye(3) + 0.1 * (G + G.T), rng.standard_normal((3, 3))
    c = 0.7

    def L(Pm):
        return -2 * c * np.trace(Sn @ Pm @ Sn) + np.trace(Pm.T @ Sn @ Pm @ Mn)

    grad = trace_gradient(SF._risk_M(), "P")
    num = np.zeros((3, 3))
    h = 1e-6
    for i in range(3):
        for j in range(3):
            E = np.zeros((3, 3))
            E[i, j] = h
            num[i, j] = (L(Pn + E) - L(Pn - E)) / (2 * h)
    from wpgd_theory.symbolic.matrixwick import evaluate

    sym = evaluate(grad, {"Sigma": sp.Matrix(Sn), "P": sp.Matrix(Pn), "M": sp.Matrix(Mn)}, 3, {SF.RW: c})
    np.testing.assert_allclose(np.array(sym, dtype=float), num, rtol=1e-6, atol=1e-6)
    s = sp.Symbol("s")
    M = letter("M", symmetric=True)
    assert directional(SF._risk_M(), "P", "E", s, 2) == (letter("E").T * S * letter("E") * M).trace()


def test_trace_of_the_identity_is_the_symbolic_dimension():
    """``E[bᵀb] = tr(I) = d`` for ``E[bbᵀ] = I``, and ``E[xᵀx] = tr Σ``: an empty trace word is
    the symbolic ``d``, not 1 (a blind mutant took ``tr(I) = 1`` and no proof step noticed)."""
    from wpgd_theory.symbolic.matrixwick import scalar

    def cov_b(a, b):
        return identity() if a == b == "b" else None

    b = Vec("b")
    assert expect_chain([b.T, b], cov_b) == scalar(D)
    assert expect_chain([b.T, b], cov_b) != scalar(1)
    x = Vec("x")
    assert expect_chain([x.T, x], cov_x) == S.trace()


def test_an_empty_list_of_identities_is_not_verified():
    """``summarize([])`` is not ``ok``: a proof step that checked nothing verified nothing."""
    from wpgd_theory.symbolic.algebra import summarize

    assert summarize([])["ok"] is False


def test_resolvent_steps_hold_and_reject_wrong_claims():
    """W3 steps 14–17 without an eigenbasis: the identities hold with d symbolic; a preconditioner
    2cN⁻¹ or a wrong ridge b = tr Σ ‖ω‖² (σ² dropped) makes the engine-risk identity fail, and
    N⁻¹(aΣ² + 2bΣ) does not reduce to Σ."""
    for f in (SF.w3_resolvent, SF.w3_profile_resolvent):
        ids = f()
        assert ids and all(i.ok for i in ids), [(i.name, i.residual) for i in ids if not i.ok]
    Ni, trS = SF._ninv(), sp.Symbol("trSigma")
    claim = SF.reduce_resolvent(SF._tau() - (SF.S * SF.S * Ni).trace() * SF.RW**2)
    good = {SF.A_: SF.WRW + SF.NORM2, SF.B_: (trS + SF.NOISE) * SF.NORM2}
    for P, model in ((Ni * SF.RW * 2, good), (Ni * SF.RW, {**good, SF.B_: trS * SF.NORM2})):
        L = SF.reduce_resolvent(SF.engine_risk_all_sizes().substitute("P", P))
        assert sp.cancel(SF._traces_as_symbols(L, model) - SF._traces_as_symbols(claim, model)) != 0
    assert SF.reduce_resolvent(Ni * (SF.S * SF.S * SF.A_ + SF.S * SF.B_ * 2)) != SF.S


def test_resolvent_normal_form_matches_matrices_at_d_2():
    """Independent side of the resolvent rule: at d = 2 with a symbolic symmetric Σ, the normal form of
    tr(Σ²N⁻¹Σ) evaluated with N⁻¹ = (aΣ + bI)⁻¹ (sympy inverse) equals the trace computed directly."""
    from wpgd_theory.symbolic.algebra import symmetric_matrix
    from wpgd_theory.symbolic.matrixwick import evaluate

    Sig = symmetric_matrix("S", 2)
    Ninv = (SF.A_ * Sig + SF.B_ * sp.eye(2)).inv()
    direct = (Sig * Sig * Ninv * Sig).trace()
    reduced = SF.reduce_resolvent((SF.S * SF.S * SF._ninv() * SF.S).trace())
    assert sp.cancel(evaluate(reduced, {"Sigma": Sig, "Ninv": Ninv}, 2) - direct) == 0
