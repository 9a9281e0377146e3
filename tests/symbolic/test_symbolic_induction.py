"""Induction over a symbolic length (G1, G2) and bilinear atoms of symbolic length (W4, W5, A1,
A3): every identity holds, and wrong statements are rejected."""

from __future__ import annotations

import pytest
import sympy as sp

from wpgd_theory.symbolic import bilinear as BL
from wpgd_theory.symbolic import induction as IN
from wpgd_theory.symbolic import stationary as ST

FUNCS = [IN.g_unrolling, IN.g2_forward, IN.g2_inverse, IN.confirm_rules, IN.g1_readout, IN.g3_key_unrolling,
         IN.g3_diag_products, IN.g3_value_readout, IN.g4_layer_step, IN.g4_unmasked, IN.crosscheck_unrolling] + \
    [getattr(ST, n) for n in ST.__all__]


@pytest.mark.parametrize("func", FUNCS, ids=lambda f: f.__name__)
def test_identities_hold(func):
    ids = func()
    assert ids and all(i.ok for i in ids), [(i.name, i.residual) for i in ids if not i.ok]


def test_wrong_recurrences_are_rejected():
    i, g, T = IN.i, IN.g, IN.T
    step = IN.peel_sum_top(IN._unrolled(i + 1))
    # a recurrence without the gate is not what the unrolled formula satisfies
    wrong = IN.normal_form(IN._unrolled(i) + T(i + 1))
    inner = next(a for a in sp.Add.make_args(step) if isinstance(a, sp.Sum))
    prod = next(a for a in sp.Mul.make_args(inner.function) if isinstance(a, sp.Product))
    right = IN.normal_form(sp.Sum(inner.function.subs(prod, IN.peel_product_top(prod)), inner.limits)
                           + (step - inner).doit())
    assert sp.expand(right - wrong) != 0
    assert sp.expand(right - IN.normal_form(g(i + 1) * IN._unrolled(i) + T(i + 1))) == 0
    # omega_i = g_i omega_{i+1} (off by one) is rejected
    lhs = IN.normal_form(IN.peel_product_bottom(IN._omega(i)))
    assert sp.expand(lhs - IN.normal_form(g(i) * IN._omega(i + 1))) != 0


def test_wrong_lagrange_and_gradient_are_rejected():
    W, R, Z = BL.vec("w"), BL.vec("r"), BL.vec("z")
    c, q = BL.bil(R, W), BL.bil(R, Z, ST.RULES_Z)
    e = BL.add(W, BL.scale(Z, -2 * c / q))  # wrong coefficient
    eAe = BL.bil(e, e, ST.RULES_Z, mid=("A",))
    assert sp.expand(q * eAe - (q * BL.bil(W, W, ST.RULES_Z, mid=("A",)) - c**2)) != 0
    # atoms are canonical: <w|R|r> = <r|R|w>, and A z -> r applies on both sides
    assert BL.bil(W, R, mid=("R",)) == BL.bil(R, W, mid=("R",))
    assert BL.bil(Z, W, ST.RULES_Z, mid=("A",)) == BL.bil(R, W)
    assert BL.bil(W, W, mid=("R",)) != BL.bil(W, W)


def test_non_commuting_order_matters():
    """Key gates act on the right: D_{i+1} S_i (the wrong side) is not the unrolled step."""
    i, j = IN.i, IN.j
    U_i = sp.Sum(IN.Tn(j) * IN.Pi(j, i), (j, 1, i))
    assert sp.expand(U_i * IN.Dn(i + 1) - IN.Dn(i + 1) * U_i) != 0
    assert IN.Tn(1) * IN.Dn(2) != IN.Dn(2) * IN.Tn(1)


def test_block_readouts_reject_wrong_weights():
    """The block-matrix derivations of G1 and G4 see the weight matrices: with W_v = diag(0, +1) in
    the G4 layer the label block is +ρ_j xᵢᵀPx_j (not the claimed −ρ_j xᵢᵀPx_j), and with
    W_q = diag(P_qᵀ, 0) in G1 the label block is y_j xᵀP_qP_kx_j (not y_j xᵀP_qᵀP_kx_j)."""
    d, Z, blk, vec = IN._block_products()
    Pl = sp.MatrixSymbol("Pl", d, d)
    xi, xj, ri, rj = (sp.MatrixSymbol("Xi", d, 1), sp.MatrixSymbol("Xj", d, 1), sp.MatrixSymbol("ri", 1, 1),
                      sp.MatrixSymbol("rj", 1, 1))
    kj = sp.block_collapse(blk(sp.Identity(d)) * vec(xj, rj))
    vj = sp.block_collapse(blk(Z(d, d), sp.Identity(1)) * vec(xj, rj))  # wrong sign
    qi = sp.block_collapse(blk(Pl.T) * vec(xi, ri))
    feat, label = IN._split_blocks(vj * kj.T * qi)
    assert feat.is_ZeroMatrix
    assert not (IN._scalar_form(label, ("rj",)) - IN._scalar_form(-rj * xi.T * Pl * xj, ("rj",))).is_zero()
    Pk, Pq = sp.MatrixSymbol("Pk", d, d), sp.MatrixSymbol("Pq", d, d)
    x, yj = sp.MatrixSymbol("X", d, 1), sp.MatrixSymbol("yj", 1, 1)
    k = sp.block_collapse(blk(Pk) * vec(xj, yj))
    v = sp.block_collapse(blk(Z(d, d), sp.Identity(1)) * vec(xj, yj))
    q = sp.block_collapse(blk(Pq.T) * vec(x, Z(1, 1)))  # wrong: P_q transposed
    _, label = IN._split_blocks(v * k.T * q)
    assert not (IN._scalar_form(label, ("yj",)) - IN._scalar_form(yj * x.T * Pq.T * Pk * xj, ("yj",))).is_zero()
