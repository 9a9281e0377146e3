"""Mutants: every derivation rejects a deliberately wrong closed form (a dropped term, a wrong
constant, R instead of R + I, weights without the query gate, ...).

Each derivation takes its claimed formula as a keyword argument; here it is replaced by a
wrong one and the derivation must report a non-zero residual.  ``test_every_derivation_has_a_mutant``
keeps this list complete.
"""

from __future__ import annotations

import pytest
from sympy.polys.matrices import DomainMatrix

from wpgd_theory.symbolic import derivations as D
from wpgd_theory.symbolic.algebra import Frac, dm_trace, ring_prod, ring_sum


def _w(gates, one):  # ω_i = Π_{j=i+1}^{n} g_j: the query gate forgotten
    n = len(gates) - 1
    return [ring_prod(gates[i + 1:n], one) for i in range(n)]


def _no_sigma2(S, a, b):
    return S.scalarmul(b)


def _risk_factor1(S, P, c, a, b, tau):  # cross term with 1 instead of 2
    M = D.second_moment_claim(S, a, b)
    return tau - c * dm_trace(S * P * S) + dm_trace(P.transpose() * S * P * M)


def _risk_tau_trace(S, P, c, a, b, tau):
    return dm_trace(S) - 2 * c * dm_trace(S * P * S) + dm_trace(P.transpose() * S * P * D.second_moment_claim(S, a, b))


def _moments_R_not_RI(R, r, w, tau):  # a = ωᵀRω
    c, _, b = D.weight_moments_claim(R, r, w, tau)
    return c, (w.transpose() * R * w).to_list_flat()[0], b


def _moments_no_r(R, r, w, tau):  # c = Σ ω_i
    _, a, b = D.weight_moments_claim(R, r, w, tau)
    return sum(w.to_list_flat(), w.domain.zero), a, b


def _isserlis_missing_transpose(S, A):
    return S * A * S + S.scalarmul(dm_trace(A * S))


def _isserlis_wrong_constant(S, A):
    return S * A * S + S * A.transpose() * S + S.scalarmul(2 * dm_trace(A * S))


def _gradient_half(S, P, c, a, b):
    return (S * S).scalarmul(-c) + (S * P * D.second_moment_claim(S, a, b)).scalarmul(S.domain.convert(2))


def _hessian_swapped(M, S, d):
    return D.hessian_claim(S, M, d)


def _pstar_no_sigma(S, c, a, b):
    M = D.second_moment_claim(S, a, b)
    return M.adjugate().scalarmul(c), M.det()


def _ridge_no_a(S, c, a, b):
    N = S + DomainMatrix.eye(S.shape[0], S.domain).scalarmul(b)
    return N.adjugate().scalarmul(c), N.det()


def _ridge_double_b(S, c, a, b):
    N = S.scalarmul(a) + DomainMatrix.eye(S.shape[0], S.domain).scalarmul(2 * b)
    return N.adjugate().scalarmul(c), N.det()


def _profile_lambda(lams, c, a, b):  # λ instead of λ² in the numerator
    N, Dn = D.profile_claim(lams, c, a, b)
    den = [a * lam + b for lam in lams]
    one = den[0].ring.one
    N = ring_sum((lams[j] * ring_prod((den[k] for k in range(len(den)) if k != j), one) for j in range(len(den))),
                 one * 0)
    return N, Dn


def _profile_not_homogeneous(lams, c, a, b):
    N, Dn = D.profile_claim(lams, c, a, b)
    return N * a, Dn


def _stationary_R_mu(R, mu):  # R + μI instead of R + (1+μ)I
    n = len(R)
    return [[R[i][j] + (mu if i == j else 0) for j in range(n)] for i in range(n)]


def _h_inverted(lams, t):
    return 1 / D.h_claim(lams, t)


def _iso_missing_one(R, d, lam, s2):  # A = R + (d + σ²/λ) I
    n = len(R)
    return [[lam * R[i][j] + ((lam * d + s2) if i == j else 0) for j in range(n)] for i in range(n)]


def _idcov_missing_one(R, d, s2):
    n = len(R)
    return [[R[i][j] + ((d + s2) if i == j else 0) for j in range(n)] for i in range(n)]


def _idcov_missing_noise(R, d, s2):
    n = len(R)
    return [[R[i][j] + ((d + 1) if i == j else 0) for j in range(n)] for i in range(n)]


def _reduced_without_sizes(rho, sizes, s):
    K = len(sizes)
    return [[rho[k][l] + (s if k == l else 0) for l in range(K)] for k in range(K)]


def _gates_inverted(omega, one):
    n = len(omega)
    return [one] + [omega[i + 1] / omega[i] for i in range(n - 1)] + [omega[n - 1]]


def _key_gating_own_gate(Xk, y, q, gates, one, zero):
    n = len(Xk)
    total = zero
    for i in range(n):
        for c in range(len(q)):
            gamma = ring_prod((gates[j][c] for j in range(i, n + 1)), one)
            total = total + y[i] * Xk[i][c] * gamma * q[c]
    return total


def _causal_off_by_one(gates, one):
    T = len(gates)
    return [[ring_prod(gates[j:i + 1], one) if j <= i else one * 0 for j in range(T - 1)] for i in range(T)]


def _perturb_unbalanced(L, pb):
    K = L.ring
    return L + K(pb.P[0, 0]) * K(pb.omega[0]) ** 2


MUTANTS = {
    "W1.risk": [
        ("M without the Σ² term", lambda: D.w1_risk(2, 2, closed_form=lambda *a: D.risk_closed_form(
            *a, second_moment=_no_sigma2))),
        ("R instead of R + I in a", lambda: D.w1_risk(2, 2, weight_moments=_moments_R_not_RI)),
        ("cross term with factor 1", lambda: D.w1_risk(1, 1, closed_form=_risk_factor1)),
        ("τ without σ²", lambda: D.w1_risk(1, 1, closed_form=_risk_tau_trace)),
    ],
    "W1.isserlis": [("ΣAᵀΣ dropped", lambda: D.w1_isserlis(2, rhs=_isserlis_missing_transpose)),
                    ("2 tr(AΣ)Σ", lambda: D.w1_isserlis(1, rhs=_isserlis_wrong_constant))],
    "W1.label_variance": [("τ = tr Σ", lambda: D.w1_label_variance(2, claim=lambda S, noise: dm_trace(S)))],
    "W1.cross_moment": [("c = Σω_i", lambda: D.w1_cross_moment(1, 2, weight_moments=_moments_no_r))],
    "W1.second_moment": [("M without Σ²", lambda: D.w1_second_moment(2, 2, second_moment=_no_sigma2)),
                         ("R instead of R + I", lambda: D.w1_second_moment(1, 2, weight_moments=_moments_R_not_RI))],
    "W2.scaling": [("monomial P₁₁ω₁²", lambda: D.w2_scaling(1, 1, perturb=_perturb_unbalanced))],
    "W3.gradient": [("−cΣ² instead of −2cΣ²", lambda: D.w3_gradient(2, gradient=_gradient_half))],
    "W3.hessian": [("Σ ⊗ M instead of M ⊗ Σ", lambda: D.w3_hessian(2, hessian=_hessian_swapped))],
    "W3.stationary": [("P* = cM⁻¹", lambda: D.w3_stationary(2, preconditioner=_pstar_no_sigma))],
    "W3.ridge": [("(Σ + bI)⁻¹", lambda: D.w3_ridge(2, ridge=_ridge_no_a))],
    "W3.profile_value": [("ridge 2b", lambda: D.w3_profile_value(2, preconditioner=_ridge_double_b))],
    "W3.profile_engine": [("λ instead of λ²", lambda: D.w3_profile_engine(1, 2, profile=_profile_lambda))],
    "W3.homogeneity": [("extra factor a", lambda: D.w3_homogeneity(2, profile=_profile_not_homogeneous))],
    "W4.partials": [("λ instead of λ²", lambda: D.w4_partials(1, profile=_profile_lambda))],
    "W4.gradient": [("R + μI", lambda: D.w4_gradient(1, 2, stationary_matrix=_stationary_R_mu))],
    "W4.mu": [("h inverted", lambda: D.w4_mu(2, h=_h_inverted))],
    "W4.euler": [("R + μI", lambda: D.w4_euler(1, 2, stationary_matrix=_stationary_R_mu))],
    "W4.same_system": [("R + μI", lambda: D.w4_same_system(1, 2, stationary_matrix=_stationary_R_mu))],
    "W5.isotropic_mu": [("h = λ", lambda: D.w5_isotropic_mu(h=lambda lams, t: Frac(lams[0])))],
    "W5.quadratic": [("A missing the 1", lambda: D.w5_quadratic(2, isotropic_matrix=_iso_missing_one))],
    "W5.gap": [("A missing the 1", lambda: D.w5_gap(2, isotropic_matrix=_iso_missing_one))],
    "W5.optimum": [("A missing the 1", lambda: D.w5_optimum(2, isotropic_matrix=_iso_missing_one))],
    "W5.identity_cov": [("A missing the 1", lambda: D.w5_identity_cov(2, matrix=_idcov_missing_one))],
    "W6.zero_r": [("M without Σ²", lambda: D.w6_zero_r(2, 2, closed_form=lambda *a: D.risk_closed_form(
        *a, second_moment=_no_sigma2)))],
    "A1.isotropic_profile": [("σ² dropped", lambda: D.a1_isotropic_profile(2, matrix=_idcov_missing_noise))],
    "A3.uniform_gap": [("A missing the 1", lambda: D.a3_uniform_gap(2, matrix=_idcov_missing_one))],
    "A3.single_task": [("A missing the 1", lambda: D.a3_single_task(2, matrix=_idcov_missing_one))],
    "A4.taskwise_optimum": [("ρ + sI without N",
                             lambda: D.a4_taskwise_optimum((1, 2), reduced=_reduced_without_sizes))],
    "G1.one_layer": [("ω without the query gate", lambda: D.g1_one_layer(1, 2, weights=_w))],
    "G2.inverse": [("g_{i+1} = ω_{i+1}/ω_i", lambda: D.g2_inverse(1, 3, gates_from_weights=_gates_inverted))],
    "G2.forward": [("ω without the query gate", lambda: D.g2_forward(2, weights=_w))],
    "G3.vector_gating": [("γ_i includes g_i", lambda: D.g3_vector_gating(1, 2, claim=_key_gating_own_gate))],
    "G4.multilayer": [("ω_ij = Π_{k=j}^{i} g_k", lambda: D.g4_multilayer(2, 1, 2, weights=_causal_off_by_one)),
                      ("W_v = +1", lambda: D.g4_multilayer(2, 1, 1, value_sign=1))],
}

CASES = [(key, name, fn) for key, items in MUTANTS.items() for name, fn in items]


def test_every_derivation_has_a_mutant():
    assert set(MUTANTS) == set(D.DERIVATIONS)


@pytest.mark.parametrize("key, name, fn", CASES, ids=[f"{k}: {n}" for k, n, _ in CASES])
def test_mutant_is_rejected(key, name, fn):
    res = fn()
    ids = res if isinstance(res, list) else [res]
    assert not all(i.ok for i in ids), f"{key}: the wrong formula ({name}) was not detected"
    assert sum(i.residual for i in ids) > 0

