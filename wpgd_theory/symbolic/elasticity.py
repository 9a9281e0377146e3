r"""Theorem U3 and the combined condition (claim **W5**): the steps, checked for every ``d``.

Notation of ``proofs/uniqueness.md``: eigenvalues ``λ_j`` of ``Σ``, ridge ``t > 0``,
``u = t/(λ+t)``, ``p ∝ λ²/(λ+t)²``, ``q ∝ λp`` and ``|ε_h|/2 = E_p u − E_q u``.  Put
``v_j = λ_j/(λ_j+t) ∈ (0, 1)``, ``m = max v_j``, ``A = Σv²``, ``B = Σv³``, ``C = Σv³/(1−v)``,
``y = v/m``, ``k = d − 1``.  Each function returns exact :class:`~.algebra.Identity` objects:

* identities between sums are checked on the generic term (:mod:`.termsums`, every ``d``),
  and cross-checked with the sums written out for ``d = 2, 3`` (the fixed-size side);
* inequalities are reduced to polynomial positivity certificates (:mod:`.positivity`);
* the numbers (``G*(6)``, ``κ_R ≥ 1385.79…``) are enclosed in interval arithmetic
  (``mpmath.iv``), returned as an identity ``failures = 0``.
"""

from __future__ import annotations

import functools

import mpmath
import sympy as sp

from .algebra import Identity
from .positivity import Hypothesis, PositivityCertificate, Term
from .termsums import explicit_sum, ratio_identity, termwise

__all__ = [
    "u3_change_of_variables",
    "u3_elasticity_identity",
    "u3_bc_bound",
    "u3_split_max",
    "u3_cubic_max",
    "u3_fixed_point",
    "u3_monotone",
    "u3_small_d",
    "u3_sharp",
    "u3_eps_t",
    "combined_consequences",
    "kappa_r_threshold_d6",
    "u2_ridge_difference",
    "u2_chord",
    "u2_two_point",
    "q_poly",
    "u3_eps_h_formula",
    "u3_eps_t_formula",
    "u3_root_derivative",
    "crosscheck_elasticities",
    "crosscheck_root_derivative",
    "u2_reduction_identities",
    "crosscheck_change_of_variables",
    "crosscheck_split",
    "crosscheck_sharp",
    "crosscheck_reduction",
    "crosscheck_consequences",
]

v, t, m, y, G, c, k, lam, ell = sp.symbols("v t m y G c k lambda ell", real=True)
A, B, C, Y2, Y3, S_pi, S_piv = sp.symbols("A B C Y2' Y3' S_pi S_piv", real=True)
BASIS_V = {A: v**2, B: v**3, C: v**3 / (1 - v)}
BASIS_Y = {Y2: y**2, Y3: y**3}
LAM_OF_V = t * v / (1 - v)  # inverse of v = λ/(λ + t)


def q_poly(G_, k_):
    r"""Return ``q(G) = 4k(1 − G)³ − 27G``, whose root ``G*`` in ``[0, 1)`` bounds ``|ε_h|`` (theorem U3, claim W5).

    ``q`` is strictly decreasing (:func:`u3_monotone`) and ``|ε_h| ≤ 2 m G*(d)`` with
    ``k = d − 1``.

    Parameters
    ----------
    G_ : sympy.Expr or number
        The variable ``G``.
    k_ : sympy.Expr or number
        ``k = d − 1``.

    Returns
    -------
    sympy.Expr or number
        ``q(G)``, of the type of the arguments.

    Examples
    --------
    >>> import sympy as sp
    >>> from wpgd_theory.symbolic.elasticity import q_poly
    >>> q_poly(sp.Rational(1, 4), 4)  # d = 5: G* = 1/4
    0
    >>> G = sp.Symbol("G")
    >>> sp.expand(q_poly(G, 1))
    -4*G**3 + 12*G**2 - 39*G + 4
    """
    return 4 * k_ * (1 - G_) ** 3 - 27 * G_


def _cancel0(name, expr, size=None, note=""):
    return Identity(name, dict(size or {"d": "symbolic"}), sp.cancel(sp.together(expr)), 0, note=note)


def u3_change_of_variables() -> list:
    r"""Check the change of variables ``v = λ/(λ+t)`` of theorem U3 (claim W5).

    With ``λ = tv/(1−v)``: ``λ/(λ+t) = v``, ``p = λ²/(λ+t)² = v²``, ``u = 1 − v``, ``q = λp = t v³/(1−v)``.

    Returns
    -------
    list of Identity
        The 4 exact identities checked; each is ``ok`` (residual 0) when it holds,
        and its ``size`` says for which sizes.

    Examples
    --------
    >>> from wpgd_theory.symbolic.elasticity import u3_change_of_variables
    >>> identities = u3_change_of_variables()
    >>> identities[0]
    Identity('v = lambda/(lambda + t)', d=symbolic, residual=0)
    >>> all(identity.ok for identity in identities), len(identities)
    (True, 4)
    """
    p = LAM_OF_V**2 / (LAM_OF_V + t) ** 2
    return [
        _cancel0("v = lambda/(lambda + t)", LAM_OF_V / (LAM_OF_V + t) - v),
        _cancel0("p = v^2", p - v**2),
        _cancel0("u = 1 - v", t / (LAM_OF_V + t) - (1 - v)),
        _cancel0("q = lambda p = t v^3/(1 - v)", LAM_OF_V * p - t * v**3 / (1 - v)),
    ]


def _eps_half_sums(u_, p_, q_):
    return termwise("sum p u = A - B", p_ * u_, {A: 1, B: -1}, BASIS_V, v), \
        termwise("sum q u = t B", q_ * u_, {B: t}, BASIS_V, v), \
        termwise("sum p = A", p_, {A: 1}, BASIS_V, v), \
        termwise("sum q = t C", q_, {C: t}, BASIS_V, v)


def u3_elasticity_identity() -> list:
    r"""Check ``|ε_h|/2 = 1 − B/A − B/C`` for every ``d`` (theorem U3, claim W5).

    ``|ε_h|/2 = E_p u − E_q u = 1 − B/A − B/C`` for every ``d`` (the fixed-size side, with the sums
    written out in the eigenvalues ``λ_j``, is :func:`crosscheck_change_of_variables`).

    Returns
    -------
    list of Identity
        The 5 exact identities checked; each is ``ok`` (residual 0) when it holds,
        and its ``size`` says for which sizes.

    Examples
    --------
    >>> from wpgd_theory.symbolic.elasticity import u3_elasticity_identity
    >>> identities = u3_elasticity_identity()
    >>> identities[0]
    Identity('sum p u = A - B', d=symbolic, residual=0)
    >>> all(identity.ok for identity in identities), len(identities)
    (True, 5)
    """
    p_, u_, q_ = v**2, 1 - v, t * v**3 / (1 - v)
    out = list(_eps_half_sums(u_, p_, q_))
    out.append(ratio_identity("E_p u - E_q u = 1 - B/A - B/C", (A - B) / A - (t * B) / (t * C), 1 - B / A - B / C))
    return out


def u3_bc_bound() -> list:
    r"""Certify ``B/C ≥ 1 − m`` (theorem U3, claim W5).

    ``B − (1−m)C = Σ v³(m − v)/(1 − v) ≥ 0`` for ``0 ≤ v ≤ m``, ``v < 1``: so ``B/C ≥ 1 − m``.

    Returns
    -------
    list of Identity
        The 2 exact identities checked; each is ``ok`` (residual 0) when it holds,
        and its ``size`` says for which sizes.

    Examples
    --------
    >>> from wpgd_theory.symbolic.elasticity import u3_bc_bound
    >>> identities = u3_bc_bound()
    >>> identities[0]
    Identity('v^3 - (1-m) v^3/(1-v) = v^3 (m-v)/(1-v)', d=symbolic, residual=0)
    >>> all(identity.ok for identity in identities), len(identities)
    (True, 2)
    """
    term = termwise("v^3 - (1-m) v^3/(1-v) = v^3 (m-v)/(1-v)", v**3 * (m - v) / (1 - v), {B: 1, C: -(1 - m)},
                    BASIS_V, v)
    hyps = [Hypothesis(v, name="v >= 0"), Hypothesis(m - v, name="m - v >= 0"), Hypothesis(1 - v, True, "1 - v > 0")]
    cert = PositivityCertificate("v^3 (m - v)/(1 - v) >= 0", v**3 * (m - v) / (1 - v), hyps,
                                 [Term(sp.Integer(1), v, (0, 1))], denominator=(2,)).check({"d": "symbolic"})
    return [term, cert]


def u3_split_max() -> list:
    r"""Check the split at the largest value, ``|ε_h|/2 ≤ mG`` (theorem U3, claim W5).

    With ``v = my`` (``y_max = 1``): ``m − B/A = m Σy²(1−y)/Σy² = m (Y2' − Y3')/(1 + Y2')``,
    ``Y2' = Σ'y²``, ``Y3' = Σ'y³`` over the other ``d − 1`` values; so
    ``|ε_h|/2 ≤ m − B/A = m G`` with ``G = Σ'y²(1−y)/(1 + Σ'y²)``.

    Returns
    -------
    list of Identity
        The 4 exact identities checked; each is ``ok`` (residual 0) when it holds,
        and its ``size`` says for which sizes.

    Examples
    --------
    >>> from wpgd_theory.symbolic.elasticity import u3_split_max
    >>> identities = u3_split_max()
    >>> identities[0]
    Identity('v^2 = m^2 y^2', d=symbolic, residual=0)
    >>> all(identity.ok for identity in identities), len(identities)
    (True, 4)
    """
    Ay, By = sp.symbols("Ay By")  # Σ y², Σ y³ over all d values
    return [
        termwise("v^2 = m^2 y^2", (m * y) ** 2, {Y2: m**2}, BASIS_Y, y),
        termwise("v^3 = m^3 y^3", (m * y) ** 3, {Y3: m**3}, BASIS_Y, y),
        ratio_identity("m - B/A = m (Ay - By)/Ay", m - (m**3 * By) / (m**2 * Ay), m * (Ay - By) / Ay),
        ratio_identity("split off y = 1", m * ((1 + Y2) - (1 + Y3)) / (1 + Y2), m * (Y2 - Y3) / (1 + Y2)),
    ]


def u3_cubic_max() -> list:
    r"""Certify ``max_{y ≥ 0} y²(c − y) = 4c³/27`` (theorem U3, claim W5).

    ``4c³/27 − y²(c − y) = (y − 2c/3)²(y + c/3) ≥ 0`` for ``y, c ≥ 0``: ``max_{y ≥ 0} y²(c−y) = 4c³/27``.

    Returns
    -------
    list of Identity
        The 1 exact identity checked; each is ``ok`` (residual 0) when it holds,
        and its ``size`` says for which sizes.

    Examples
    --------
    >>> from wpgd_theory.symbolic.elasticity import u3_cubic_max
    >>> identities = u3_cubic_max()
    >>> identities[0]
    Identity('4c^3/27 - y^2 (c - y) >= 0', d=symbolic, residual=0)
    >>> all(identity.ok for identity in identities), len(identities)
    (True, 1)
    """
    hyps = [Hypothesis(y, name="y >= 0"), Hypothesis(c, name="c >= 0")]
    sq = y - 2 * c / 3
    cert = PositivityCertificate("4c^3/27 - y^2 (c - y) >= 0", 4 * c**3 / 27 - y**2 * (c - y), hyps,
                                 [Term(sp.Integer(1), sq, (0,)), Term(sp.Rational(1, 3), sq, (1,))])
    return [cert.check({"d": "symbolic"})]


def u3_fixed_point() -> list:
    r"""Check the fixed-point form of ``G`` and ``q(G) ≥ 0`` (theorem U3, claim W5).

    ``G(1 + Y2') = Y2' − Y3'`` ⇔ ``Σ' y²(1 − G − y) = G`` (termwise), and ``1 − G = (1 + Y3')/(1 + Y2') > 0``.

    With ``c = 1 − G`` and :func:`u3_cubic_max` termwise: ``G ≤ 4k(1 − G)³/27``, i.e. ``q(G) ≥ 0``.

    Returns
    -------
    list of Identity
        The 3 exact identities checked; each is ``ok`` (residual 0) when it holds,
        and its ``size`` says for which sizes.

    Examples
    --------
    >>> from wpgd_theory.symbolic.elasticity import u3_fixed_point
    >>> identities = u3_fixed_point()
    >>> identities[0]
    Identity('y^2 (1 - G - y) = (1 - G) y^2 - y^3', d=symbolic, residual=0)
    >>> all(identity.ok for identity in identities), len(identities)
    (True, 3)
    """
    Gdef = (Y2 - Y3) / (1 + Y2)
    S = sp.Symbol("S")  # Σ' y²(1 − G − y) = (1 − G) Y2' − Y3'
    return [
        termwise("y^2 (1 - G - y) = (1 - G) y^2 - y^3", y**2 * (1 - G - y), {Y2: 1 - G, Y3: -1}, BASIS_Y, y),
        ratio_identity("sum' y^2 (1 - G - y) = G", ((1 - S) * Y2 - Y3).subs(S, Gdef), Gdef),
        ratio_identity("1 - G = (1 + Y3')/(1 + Y2')", 1 - Gdef, (1 + Y3) / (1 + Y2)),
    ]


def u3_monotone() -> list:
    r"""Certify that ``q`` is strictly decreasing, so ``G ≤ G*`` (theorem U3, claim W5).

    ``−q'(G) = 27 + 12k(1 − G)² > 0`` for ``k ≥ 0``: ``q`` is strictly decreasing, so
    ``q(G) ≥ 0 = q(G*)`` gives ``G ≤ G*``.

    Returns
    -------
    list of Identity
        The 1 exact identity checked; each is ``ok`` (residual 0) when it holds,
        and its ``size`` says for which sizes.

    Examples
    --------
    >>> from wpgd_theory.symbolic.elasticity import u3_monotone
    >>> identities = u3_monotone()
    >>> identities[0]
    Identity("-q'(G) > 0", d=symbolic, residual=0)
    >>> all(identity.ok for identity in identities), len(identities)
    (True, 1)
    """
    hyps = [Hypothesis(k, name="k = d - 1 >= 0")]
    target = -sp.diff(q_poly(G, k), G)
    cert = PositivityCertificate("-q'(G) > 0", target, hyps,
                                 [Term(sp.Integer(27)), Term(sp.Integer(12), 1 - G, (0,))], strict=True)
    return [cert.check({"d": "symbolic"})]


def u3_small_d() -> list:
    r"""Check ``φ(d) ≤ 1/2`` for ``d ≤ 5``, with equality at ``d = 5`` (theorem U3, claim W5).

    ``−q(1/4) = (27/16)(4 − k) ≥ 0`` for ``k ≤ 4`` (``d ≤ 5``), so ``G* ≤ 1/4`` and
    ``φ(d) = 2G* ≤ 1/2``; at ``k = 4`` ``q(1/4) = 0`` exactly: ``φ(5) = 1/2``.

    Returns
    -------
    list of Identity
        The 2 exact identities checked; each is ``ok`` (residual 0) when it holds,
        and its ``size`` says for which sizes.

    Examples
    --------
    >>> from wpgd_theory.symbolic.elasticity import u3_small_d
    >>> identities = u3_small_d()
    >>> identities[0]
    Identity('-q(1/4) >= 0 for k <= 4', d=d <= 5, residual=0)
    >>> all(identity.ok for identity in identities), len(identities)
    (True, 2)
    """
    hyps = [Hypothesis(4 - k, name="4 - k >= 0")]
    cert = PositivityCertificate("-q(1/4) >= 0 for k <= 4", -q_poly(sp.Rational(1, 4), k), hyps,
                                 [Term(sp.Rational(27, 16), 1, (0,))])
    return [cert.check({"d": "d <= 5"}), _cancel0("q(1/4) = 0 at d = 5", q_poly(sp.Rational(1, 4), 4), {"d": 5})]


def u3_sharp() -> list:
    r"""Check that the bound ``|ε_h| ≤ 2G*`` is sharp (theorem U3, claim W5).

    Sharpness: at ``y₀ = 2(1 − G)/3`` (all ``d − 1`` values), ``k y₀²(1 − G − y₀) = 4k(1−G)³/27``,
    which is ``G`` exactly when ``q(G) = 0``; with ``m → 1`` (one eigenvalue → ∞) ``|ε_h| → 2G*``.
    And the formula of ``proofs/uniqueness.md``: with ``y = ℓ/(1+ℓ)``,
    ``k y²(1−y)/(1 + k y²) = kℓ²/((1+ℓ)(kℓ² + (1+ℓ)²))``, so ``φ(d) = 2G*(d)``.

    Returns
    -------
    list of Identity
        The 4 exact identities checked; each is ``ok`` (residual 0) when it holds,
        and its ``size`` says for which sizes.

    Examples
    --------
    >>> from wpgd_theory.symbolic.elasticity import u3_sharp
    >>> identities = u3_sharp()
    >>> identities[0]
    Identity('k y0^2 (1 - G - y0) = 4k(1-G)^3/27', d=symbolic, residual=0)
    >>> all(identity.ok for identity in identities), len(identities)
    (True, 4)
    """
    y0 = 2 * (1 - G) / 3
    val = k * y0**2 * (1 - G - y0)
    rem = sp.rem(sp.expand(sp.numer(sp.together(val - G)) * 1), sp.expand(q_poly(G, k)), G)
    yl = ell / (1 + ell)
    return [
        _cancel0("k y0^2 (1 - G - y0) = 4k(1-G)^3/27", val - 4 * k * (1 - G) ** 3 / 27),
        _cancel0("k y0^2 (1 - G - y0) - G = q(G)/27", val - G - q_poly(G, k) / 27),
        Identity("remainder mod q(G)", {"d": "symbolic"}, sp.expand(rem), 0),
        _cancel0("phi formula in ell", k * yl**2 * (1 - yl) / (1 + k * yl**2)
                 - k * ell**2 / ((1 + ell) * (k * ell**2 + (1 + ell) ** 2))),
    ]


def u3_eps_t() -> list:
    r"""Certify ``|ε_t| < 2`` for every ``R``, ``r`` (theorem U3, claim W5).

    ``|ε_t|/2 = E_π w − E_ρ w ≤ E_π w < 1`` for ``w = μ/(x+μ) ∈ (0, 1)``: ``S_π − S_πw = Σ π(1 − w) > 0``
    (termwise certificate), so ``|ε_t| < 2`` for every ``R``, ``r``.

    Returns
    -------
    list of Identity
        The 2 exact identities checked; each is ``ok`` (residual 0) when it holds,
        and its ``size`` says for which sizes.

    Examples
    --------
    >>> from wpgd_theory.symbolic.elasticity import u3_eps_t
    >>> identities = u3_eps_t()
    >>> identities[0]
    Identity('pi - pi w = pi (1 - w)', d=symbolic, residual=0)
    >>> all(identity.ok for identity in identities), len(identities)
    (True, 2)
    """
    w, pi = sp.symbols("w pi", real=True)
    hyps = [Hypothesis(pi, True, "pi > 0"), Hypothesis(1 - w, True, "1 - w > 0")]
    cert = PositivityCertificate("pi (1 - w) > 0", pi * (1 - w), hyps, [Term(sp.Integer(1), 1, (0, 1))], strict=True)
    return [termwise("pi - pi w = pi (1 - w)", pi - pi * w, {S_pi: pi, S_piv: -pi}, {S_pi: sp.Integer(1),
                                                                                  S_piv: w}, w),
            cert.check({"d": "symbolic"})]


def combined_consequences() -> list:
    r"""Check the consequences of the combined condition: ``κ_Σ > 9`` and the threshold map (claim W5).

    ``δ(κ) − 1/2 = (s − 3)/(2(s + 1))`` with ``s = √κ``: ``δ(κ_Σ) > 1/2`` iff ``κ_Σ > 9``;
    and ``δ(κ)² = T`` iff ``√κ = (1 + √T)/(1 − √T)`` (the threshold map).

    Returns
    -------
    list of Identity
        The 2 exact identities checked; each is ``ok`` (residual 0) when it holds,
        and its ``size`` says for which sizes.

    Examples
    --------
    >>> from wpgd_theory.symbolic.elasticity import combined_consequences
    >>> identities = combined_consequences()
    >>> identities[0]
    Identity('delta - 1/2 = (s - 3)/(2 (s + 1))', d=symbolic, residual=0)
    >>> all(identity.ok for identity in identities), len(identities)
    (True, 2)
    """
    s, T = sp.symbols("s T", positive=True)
    dl = (s - 1) / (s + 1)
    sT = (1 + sp.sqrt(T)) / (1 - sp.sqrt(T))
    return [_cancel0("delta - 1/2 = (s - 3)/(2 (s + 1))", dl - sp.Rational(1, 2) - (s - 3) / (2 * (s + 1)), {}),
            Identity("delta(kappa(T)) = sqrt(T)", {}, sp.simplify(dl.subs(s, sT) - sp.sqrt(T)), 0)]


def kappa_r_threshold_d6(prec: int = 200) -> list:
    r"""Enclose ``G*(6)`` and the threshold ``κ_R* ∈ [1385.79, 1385.80]`` at ``d = 6`` (claim W5).

    Interval enclosures (``mpmath.iv``, ``prec`` bits): ``G*(6)`` (sign change of ``q``),
    ``φ(6) = 2G* > 1/2`` and the threshold ``κ_R* = ((1+δ)/(1−δ))²``, ``δ² = 1/(2φ(6))``,
    inside ``[1385.79, 1385.80]``: at ``d = 6`` several roots need ``κ_R ≥ κ_R* > 1385.79``.
    Returns ``failures = 0`` as an identity (the enclosure widths in the note).

    Parameters
    ----------
    prec : int, optional
        Working precision of the interval arithmetic, in bits (default 200).

    Returns
    -------
    list of Identity
        The 1 exact identity checked; each is ``ok`` (residual 0) when it holds,
        and its ``size`` says for which sizes.

    Examples
    --------
    >>> from wpgd_theory.symbolic.elasticity import kappa_r_threshold_d6
    >>> identities = kappa_r_threshold_d6()
    >>> identities[0]
    Identity('kappa_R threshold at d = 6 enclosed', d=6, residual=0)
    >>> all(identity.ok for identity in identities), len(identities)
    (True, 1)
    """
    iv = mpmath.iv
    old = iv.prec
    iv.prec = prec
    try:
        with mpmath.workprec(prec + 20):
            k6 = 5
            g_mid = mpmath.findroot(lambda g: 4 * k6 * (1 - g) ** 3 - 27 * g, (0.0, 1.0), solver="anderson")
            eps = mpmath.mpf(2) ** (-prec + 20)
            lo, hi = iv.mpf(g_mid - eps), iv.mpf(g_mid + eps)
        q_lo = 4 * k6 * (1 - lo) ** 3 - 27 * lo
        q_hi = 4 * k6 * (1 - hi) ** 3 - 27 * hi
        failures = int(not q_lo > 0) + int(not q_hi < 0)  # q decreasing: G* in [lo, hi]
        Gs = iv.mpf([lo.a, hi.b])
        phi6 = 2 * Gs
        failures += int(not phi6 > iv.mpf(0.5))
        dl = iv.sqrt(1 / (2 * phi6))
        kap = ((1 + dl) / (1 - dl)) ** 2
        failures += int(not (kap > iv.mpf("1385.79") and kap < iv.mpf("1385.80")))
        note = f"G*(6) in {iv.nstr(Gs, 30)}; kappa_R* in {iv.nstr(kap, 25)}"
    finally:
        iv.prec = old
    return [Identity("kappa_R threshold at d = 6 enclosed", {"d": 6}, sp.Integer(failures), 0, note=note)]


# ---------------------------------------------------------------------- theorem U2, re-checked
def u2_ridge_difference() -> list:
    r"""Certify ``u(λ_min) − u(λ_max) ≤ δ(κ)`` for every ridge ``t > 0`` (theorem U2, claim W5).

    ``u(λ_min) − u(λ_max) ≤ δ(κ)`` for every ``t > 0`` (scale ``λ_min = 1``, ``λ_max = s²``,
    ``s = √κ ≥ 1``): ``δ − t(s²−1)/((1+t)(s²+t)) = (s−1)(t−s)²/((s+1)(1+t)(s²+t)) ≥ 0``.

    Returns
    -------
    list of Identity
        The 1 exact identity checked; each is ``ok`` (residual 0) when it holds,
        and its ``size`` says for which sizes.

    Examples
    --------
    >>> from wpgd_theory.symbolic.elasticity import u2_ridge_difference
    >>> identities = u2_ridge_difference()
    >>> identities[0]
    Identity('delta - (u(l_min) - u(l_max)) >= 0', d=symbolic, residual=0)
    >>> all(identity.ok for identity in identities), len(identities)
    (True, 1)
    """
    s_, t_ = sp.symbols("s t", positive=True)
    dl = (s_ - 1) / (s_ + 1)
    target = dl - t_ * (s_**2 - 1) / ((1 + t_) * (s_**2 + t_))
    hyps = [Hypothesis(s_ - 1, name="s - 1 >= 0"), Hypothesis(s_ + 1, True), Hypothesis(1 + t_, True),
            Hypothesis(s_**2 + t_, True)]
    cert = PositivityCertificate("delta - (u(l_min) - u(l_max)) >= 0", target, hyps,
                                 [Term(sp.Integer(1), t_ - s_, (0,))], denominator=(1, 2, 3))
    return [cert.check({"d": "symbolic"})]


def u2_chord() -> list:
    r"""Certify the Edmundson–Madansky chord bound of theorem U2 (claim W5).

    Edmundson–Madansky for ``φ(λ) = (1 − λ/m)₊`` on ``[a, b]`` (``a ≤ m ≤ b``): the chord
    ``ℓ(λ) = (b−λ)(1 − a/m)/(b−a)`` dominates ``φ``: on ``[a, m]`` ``ℓ − φ = (λ−a)(b−m)/(m(b−a))``,
    on ``[m, b]`` ``ℓ = (b−λ)(m−a)/(m(b−a))``; so ``T = E_p φ ≤ E_p ℓ = (b−m)(m−a)/(m(b−a))``
    (``ℓ`` is affine and ``E_p λ = m``).

    Returns
    -------
    list of Identity
        The 3 exact identities checked; each is ``ok`` (residual 0) when it holds,
        and its ``size`` says for which sizes.

    Examples
    --------
    >>> from wpgd_theory.symbolic.elasticity import u2_chord
    >>> identities = u2_chord()
    >>> identities[0]
    Identity('chord - (1 - lambda/m) >= 0 on [a, m]', d=symbolic, residual=0)
    >>> all(identity.ok for identity in identities), len(identities)
    (True, 3)
    """
    a, b, m_, l_ = sp.symbols("a b m lambda", positive=True)
    chord = (b - l_) * (1 - a / m_) / (b - a)
    hyps = [Hypothesis(l_ - a, name="lambda >= a"), Hypothesis(b - m_, name="b >= m"), Hypothesis(m_, True),
            Hypothesis(b - a, True), Hypothesis(b - l_, name="lambda <= b"), Hypothesis(m_ - a, name="m >= a")]
    left = PositivityCertificate("chord - (1 - lambda/m) >= 0 on [a, m]", chord - (1 - l_ / m_), hyps,
                                 [Term(sp.Integer(1), 1, (0, 1))], denominator=(2, 3))
    right = PositivityCertificate("chord >= 0 on [m, b]", chord, hyps, [Term(sp.Integer(1), 1, (4, 5))],
                                  denominator=(2, 3))
    mean = Identity("E chord = chord(m)", {"d": "symbolic"},
                    sp.cancel(chord.subs(l_, m_) - (b - m_) * (m_ - a) / (m_ * (b - a))), 0)
    return [left.check({"d": "symbolic"}), right.check({"d": "symbolic"}), mean]


def u2_two_point() -> list:
    r"""Certify the two-point bound ``≤ δ(s²)`` of theorem U2 (claim W5).

    ``(s² − m)(m − 1)/(m(s² − 1)) ≤ δ(s²) = (s−1)/(s+1)`` for ``m > 0``, ``s > 1``:
    ``δ·m(s²−1) − (s²−m)(m−1) = (m − s)²``.

    Returns
    -------
    list of Identity
        The 1 exact identity checked; each is ``ok`` (residual 0) when it holds,
        and its ``size`` says for which sizes.

    Examples
    --------
    >>> from wpgd_theory.symbolic.elasticity import u2_two_point
    >>> identities = u2_two_point()
    >>> identities[0]
    Identity('delta - T_max(m) >= 0', d=symbolic, residual=0)
    >>> all(identity.ok for identity in identities), len(identities)
    (True, 1)
    """
    s_, m_ = sp.symbols("s m", positive=True)
    dl = (s_ - 1) / (s_ + 1)
    target = dl - (s_**2 - m_) * (m_ - 1) / (m_ * (s_**2 - 1))
    hyps = [Hypothesis(m_, True), Hypothesis(s_**2 - 1, True)]
    cert = PositivityCertificate("delta - T_max(m) >= 0", target, hyps, [Term(sp.Integer(1), m_ - s_)],
                                 denominator=(0, 1))
    return [cert.check({"d": "symbolic"})]


# ---------------------------------------------------------------------- the elasticities and F'(μ*)
def _lam_weights():
    r"""``(λ, t, p̃, q̃, u)``: ``p̃ = λ²/(λ+t)²``, ``q̃ = λp̃``, ``u = t/(λ+t)`` (generic eigenvalue)."""
    lam_, t_ = sp.symbols("lambda t", positive=True)
    p_ = lam_**2 / (lam_ + t_) ** 2
    return lam_, t_, p_, lam_ * p_, t_ / (lam_ + t_)


def _x_weights():
    r"""``(x, μ, π̃, ρ̃, v, s)``: ``π̃ = s²/(x+μ)²``, ``ρ̃ = xπ̃``, ``v = μ/(x+μ)`` (generic component)."""
    x_, mu_, s_ = sp.symbols("x mu s", positive=True)
    pi_ = s_**2 / (x_ + mu_) ** 2
    return x_, mu_, pi_, x_ * pi_, mu_ / (x_ + mu_), s_


def _log_elasticity(tag: str, var, w1, w2, u_, z) -> list:
    r"""``var ∂_var log(Σw₁/Σw₂) = 2(E_{w₂}u − E_{w₁}u)`` for every number of terms: termwise
    ``var ∂_var w_i = −2 w_i u`` (generic term in ``z``), the quotient rule for the log-derivative of
    a ratio of two functions (generic ``P``, ``Q``), and the ratio of the basis sums."""
    S1, S2, S1u, S2u = sp.symbols(f"S_{tag}1 S_{tag}2 S_{tag}1u S_{tag}2u", positive=True)
    basis = {S1: w1, S2: w2, S1u: w1 * u_, S2u: w2 * u_}
    Pf, Qf = sp.Function("P"), sp.Function("Q")
    ratio = Pf(var) / Qf(var)
    quotient = var * sp.diff(ratio, var) / ratio - (var * sp.diff(Pf(var), var) / Pf(var)
                                                     - var * sp.diff(Qf(var), var) / Qf(var))
    return [
        termwise(f"{var} d/d{var} w1 = -2 w1 u (generic term)", var * sp.diff(w1, var), {S1u: -2}, basis, z),
        termwise(f"{var} d/d{var} w2 = -2 w2 u (generic term)", var * sp.diff(w2, var), {S2u: -2}, basis, z),
        _cancel0(f"{var} d/d{var} log(P/Q) = {var} P'/P - {var} Q'/Q", quotient, {"d": "any"}),
        ratio_identity("(-2 S1u)/S1 - (-2 S2u)/S2 = 2 (E_2 u - E_1 u)", -2 * S1u / S1 + 2 * S2u / S2,
                       2 * (S2u / S2 - S1u / S1)),
    ]


def u3_eps_h_formula() -> list:
    r"""Check the elasticity formula ``ε_h = 2(E_q u − E_p u)`` for every ``d`` (claim W5).

    ``ε_h = d log h/d log t = 2(E_q u − E_p u)`` for ``h(t) = Σλ²/(λ+t)² / Σλ³/(λ+t)²``
    (``p ∝ λ²/(λ+t)²``, ``q ∝ λp``, ``u = t/(λ+t)``), every ``d``.

    Returns
    -------
    list of Identity
        The 4 exact identities checked; each is ``ok`` (residual 0) when it holds,
        and its ``size`` says for which sizes.

    Examples
    --------
    >>> from wpgd_theory.symbolic.elasticity import u3_eps_h_formula
    >>> identities = u3_eps_h_formula()
    >>> identities[0]
    Identity('t d/dt w1 = -2 w1 u (generic term)', d=symbolic, residual=0)
    >>> all(identity.ok for identity in identities), len(identities)
    (True, 4)
    """
    lam_, t_, p_, q_, u_ = _lam_weights()
    return _log_elasticity("h", t_, p_, q_, u_, lam_)


def u3_eps_t_formula() -> list:
    r"""Check the elasticity formula ``ε_t = 2(E_ρ v − E_π v)`` (claim W5).

    ``ε_t = d log t/d log μ = 2(E_ρ v − E_π v)`` for ``t(μ) = τ Σs²/(x+μ)² / Σs²x/(x+μ)²``
    (``π ∝ s²/(x+μ)²``, ``ρ ∝ xπ``, ``v = μ/(x+μ)``; the constant ``τ`` drops out of the
    log-derivative), every number of components.

    Returns
    -------
    list of Identity
        The 4 exact identities checked; each is ``ok`` (residual 0) when it holds,
        and its ``size`` says for which sizes.

    Examples
    --------
    >>> from wpgd_theory.symbolic.elasticity import u3_eps_t_formula
    >>> identities = u3_eps_t_formula()
    >>> identities[0]
    Identity('mu d/dmu w1 = -2 w1 u (generic term)', d=symbolic, residual=0)
    >>> all(identity.ok for identity in identities), len(identities)
    (True, 4)
    """
    x_, mu_, pi_, rho_, v_, _ = _x_weights()
    return _log_elasticity("t", mu_, pi_, rho_, v_, x_)


def u3_root_derivative() -> list:
    r"""Check ``F'(μ*) = 1 − ε_h ε_t`` at a root of the W4 equation (claim W5).

    ``F'(μ) = 1 − (g(μ)/μ) ε_h ε_t`` for ``F = μ − g``, ``g = τ h(t(μ))``, any differentiable ``h``,
    ``t`` (chain rule, generic functions), and at a root ``g(μ*) = μ*``: ``F'(μ*) = 1 − ε_h ε_t``.

    Returns
    -------
    list of Identity
        The 2 exact identities checked; each is ``ok`` (residual 0) when it holds,
        and its ``size`` says for which sizes.

    Examples
    --------
    >>> from wpgd_theory.symbolic.elasticity import u3_root_derivative
    >>> identities = u3_root_derivative()
    >>> identities[0]
    Identity("F'(mu) = 1 - (g/mu) eps_h eps_t", d=any, residual=0)
    >>> all(identity.ok for identity in identities), len(identities)
    (True, 2)
    """
    mu_, tau_, T = sp.symbols("mu tau T", positive=True)
    h, tf = sp.Function("h"), sp.Function("t")
    g = tau_ * h(tf(mu_))
    eps_h = (T * sp.diff(h(T), T) / h(T)).subs(T, tf(mu_)).doit()
    eps_t = mu_ * sp.diff(tf(mu_), mu_) / tf(mu_)
    F1 = sp.diff(mu_ - g, mu_)
    gs, eh, et = sp.symbols("g eps_h eps_t")
    return [
        _cancel0("F'(mu) = 1 - (g/mu) eps_h eps_t", sp.expand(F1 - (1 - g / mu_ * eps_h * eps_t)), {"d": "any"}),
        _cancel0("at g(mu*) = mu*: F' = 1 - eps_h eps_t", (1 - gs / mu_ * eh * et).subs(gs, mu_) - (1 - eh * et),
                 {"d": "any"}),
    ]


def _explicit_h_t(d: int, m_: int):
    lams = sp.symbols(f"lambda1:{d + 1}", positive=True)
    xs, ss = sp.symbols(f"x1:{m_ + 1}", positive=True), sp.symbols(f"s1:{m_ + 1}", positive=True)
    return lams, xs, ss


def crosscheck_elasticities() -> list:
    r"""Cross-check the elasticity formulas at fixed sizes with sympy's derivatives (claim W5).

    Fixed-size side of the three formulas: at ``d = 2, 3`` (and ``2, 3`` components) the
    log-derivatives of the written-out ``h(t)`` and ``t(μ)`` are taken by sympy and compared with
    ``2(E_q u − E_p u)`` and ``2(E_ρ v − E_π v)`` written out; at ``d = 2`` with 2 components the
    derivative of ``g(μ) = τh(t(μ))`` itself is compared with ``g ε_h ε_t/μ``.

    Returns
    -------
    list of Identity
        The 4 exact identities checked; each is ``ok`` (residual 0) when it holds,
        and its ``size`` says for which sizes.

    Examples
    --------
    >>> from wpgd_theory.symbolic.elasticity import crosscheck_elasticities
    >>> identities = crosscheck_elasticities()
    >>> identities[0]
    Identity("t h'/h = 2 (E_q u - E_p u) (explicit)", d=2, residual=0)
    >>> all(identity.ok for identity in identities), len(identities)
    (True, 4)
    """
    t_, mu_, tau_ = sp.symbols("t mu tau", positive=True)
    out = []
    for d in (2, 3):
        lams, xs, ss = _explicit_h_t(d, d)
        P = [lj**2 / (lj + t_) ** 2 for lj in lams]
        U = [t_ / (lj + t_) for lj in lams]
        h = sum(P) / sum(lj * pj for lj, pj in zip(lams, P))
        eh = 2 * (sum(lj * pj * uj for lj, pj, uj in zip(lams, P, U)) / sum(lj * pj for lj, pj in zip(lams, P))
                  - sum(pj * uj for pj, uj in zip(P, U)) / sum(P))
        out.append(_cancel0("t h'/h = 2 (E_q u - E_p u) (explicit)", t_ * sp.diff(h, t_) / h - eh, {"d": d},
                            "fixed-size cross-check"))
        Pi = [sj**2 / (xj + mu_) ** 2 for xj, sj in zip(xs, ss)]
        V = [mu_ / (xj + mu_) for xj in xs]
        tm = tau_ * sum(Pi) / sum(xj * pj for xj, pj in zip(xs, Pi))
        et = 2 * (sum(xj * pj * vj for xj, pj, vj in zip(xs, Pi, V)) / sum(xj * pj for xj, pj in zip(xs, Pi))
                  - sum(pj * vj for pj, vj in zip(Pi, V)) / sum(Pi))
        out.append(_cancel0("mu t'/t = 2 (E_rho v - E_pi v) (explicit)", mu_ * sp.diff(tm, mu_) / tm - et,
                            {"components": d}, "fixed-size cross-check"))
    return out


crosscheck_elasticities.sizes = "d = 2, 3 (2, 3 components)"


def crosscheck_root_derivative() -> list:
    r"""Cross-check ``g'(μ) = g ε_h ε_t/μ`` at ``d = 2`` with sympy's derivative (claim W5).

    Fixed-size side of ``g'(μ) = g ε_h ε_t/μ``: at ``d = 2`` with 2 components, ``g(μ) = τh(t(μ))``
    written out as one rational function of ``μ`` and differentiated by sympy, against
    ``g·2(E_q u − E_p u)·2(E_ρ v − E_π v)/μ`` written out at ``t = t(μ)``.

    Returns
    -------
    list of Identity
        The 1 exact identity checked; each is ``ok`` (residual 0) when it holds,
        and its ``size`` says for which sizes.

    Examples
    --------
    >>> from wpgd_theory.symbolic.elasticity import crosscheck_root_derivative
    >>> identities = crosscheck_root_derivative()
    >>> identities[0]
    Identity("g'(mu) = g eps_h eps_t / mu (explicit)", d=2, components=2, residual=0)
    >>> all(identity.ok for identity in identities), len(identities)
    (True, 1)
    """
    t_, mu_, tau_ = sp.symbols("t mu tau", positive=True)
    lams, xs, ss = _explicit_h_t(2, 2)
    P = [lj**2 / (lj + t_) ** 2 for lj in lams]
    U = [t_ / (lj + t_) for lj in lams]
    h = sum(P) / sum(lj * pj for lj, pj in zip(lams, P))
    eh = 2 * (sum(lj * pj * uj for lj, pj, uj in zip(lams, P, U)) / sum(lj * pj for lj, pj in zip(lams, P))
              - sum(pj * uj for pj, uj in zip(P, U)) / sum(P))
    Pi = [sj**2 / (xj + mu_) ** 2 for xj, sj in zip(xs, ss)]
    V = [mu_ / (xj + mu_) for xj in xs]
    tm = tau_ * sum(Pi) / sum(xj * pj for xj, pj in zip(xs, Pi))
    et = 2 * (sum(xj * pj * vj for xj, pj, vj in zip(xs, Pi, V)) / sum(xj * pj for xj, pj in zip(xs, Pi))
              - sum(pj * vj for pj, vj in zip(Pi, V)) / sum(Pi))
    g = tau_ * h.subs(t_, tm)
    return [_cancel0("g'(mu) = g eps_h eps_t / mu (explicit)", sp.diff(g, mu_) - g * eh.subs(t_, tm) * et / mu_,
                     {"d": 2, "components": 2}, "fixed-size cross-check")]


crosscheck_root_derivative.sizes = "d = 2 with 2 components (g(μ) written out)"


def u2_reduction_identities() -> list:
    r"""Check the identities of the U2 reduction for both elasticities (claim W5).

    The identities the U2 reduction uses, checked for **both** elasticities with the same
    code: for ``(z, r, w̃, w̃') = (λ, t, p̃, q̃)`` (``ε_h``) and ``(x, μ, π̃, ρ̃)`` (``ε_t``), with
    ``u = r/(z+r)``, normalised weights ``w = w̃/Σw̃``, ``w' = w̃'/Σw̃'`` and ``m = E_w z``:

    * ``w̃' = z w̃`` (the tilt), hence ``w'_j = w_j z_j/m`` and ``w_j − w'_j = w_j(1 − z_j/m)``;
    * ``Σ_j (u_j − c)(w_j − w'_j) = E_w u − E_{w'} u`` for any constant ``c`` (``Σw = Σw' = 1``);
    * ``u`` is strictly decreasing in ``z`` (``−∂_z u = r/(z+r)² > 0``, certificate);
    * scale invariance: ``u(cz; cr) = u(z; r)`` and ``w̃(cz; cr) = c^k w̃(z; r)``;
    * ``u(1) − u(s²) = r(s² − 1)/((1+r)(s²+r))``, the quantity certified ``≤ δ(s²)`` in
      :func:`u2_ridge_difference`.

    So the three certified inequalities of U2 (chord, two-point bound, ridge difference) apply to
    ``ε_t`` exactly as to ``ε_h``, with ``κ_R = x_max/x_min``.

    Returns
    -------
    list of Identity
        The 20 exact identities checked; each is ``ok`` (residual 0) when it holds,
        and its ``size`` says for which sizes.

    Examples
    --------
    >>> from wpgd_theory.symbolic.elasticity import u2_reduction_identities
    >>> identities = u2_reduction_identities()
    >>> identities[0]
    Identity('[h] tilt: w2 = z w1', d=symbolic, residual=0)
    >>> all(identity.ok for identity in identities), len(identities)
    (True, 20)
    """
    lam_, t_, p_, q_, u_ = _lam_weights()
    x_, mu_, pi_, rho_, v_, _ = _x_weights()
    cc, sc, kap = sp.symbols("c_s c s", positive=True)
    out = []
    for tag, z, r, w1, w2, u in (("h", lam_, t_, p_, q_, u_), ("t", x_, mu_, pi_, rho_, v_)):
        S1, S2, S1z, S1u, S2u = sp.symbols(f"S_{tag} S'_{tag} S_{tag}z S_{tag}u S'_{tag}u", positive=True)
        basis = {S1: w1, S2: w2, S1z: z * w1, S1u: w1 * u, S2u: w2 * u}
        out.append(_cancel0(f"[{tag}] tilt: w2 = z w1", w2 - z * w1))
        out.append(termwise(f"[{tag}] sum w2 = sum z w1", w2, {S1z: 1}, basis, z))
        # normalised: w_j = w1_j/S1, w'_j = w2_j/S2 = z_j w1_j/S1z, m = S1z/S1
        wj, wpj = w1 / S1, z * w1 / S1z
        out.append(_cancel0(f"[{tag}] w'_j = w_j z_j/m", wpj - wj * z / (S1z / S1)))
        out.append(_cancel0(f"[{tag}] w_j - w'_j = w_j (1 - z_j/m)", wj - wpj - wj * (1 - z / (S1z / S1))))
        gen = (u - cc) * (w1 / S1 - w2 / S2)
        Sw1, Sw2 = sp.symbols(f"Sig_{tag} Sig'_{tag}", positive=True)
        out.append(termwise(f"[{tag}] (u - c)(w - w') termwise", gen,
                            {S1u: 1 / S1, S2u: -1 / S2, Sw1: -cc / S1, Sw2: cc / S2},
                            {**basis, Sw1: w1, Sw2: w2}, z))
        out.append(ratio_identity(f"[{tag}] sum (u - c)(w - w') = E_w u - E_w' u (sum w = sum w' = 1)",
                                  S1u / S1 - S2u / S2 - cc * S1 / S1 + cc * S2 / S2, S1u / S1 - S2u / S2))
        cert = PositivityCertificate(f"[{tag}] -du/dz > 0", -sp.diff(u, z), [Hypothesis(r, True, "ridge > 0"),
                                     Hypothesis((z + r) ** 2, True, "(z + ridge)^2 > 0")],
                                     [Term(sp.Integer(1), 1, (0,))], strict=True, denominator=(1,))
        out.append(cert.check({"d": "symbolic"}))
        out.append(_cancel0(f"[{tag}] u(cz; cr) = u(z; r)", u.subs({z: sc * z, r: sc * r}, simultaneous=True) - u))
        ratio_w = sp.cancel(w1.subs({z: sc * z, r: sc * r}, simultaneous=True) / w1)
        out.append(Identity(f"[{tag}] w(cz; cr)/w(z; r) is free of z", {"d": "symbolic"},
                            sp.diff(ratio_w, z), 0, note="uniform scaling of the weights"))
        diff = u.subs(z, 1) - u.subs(z, kap**2)
        out.append(_cancel0(f"[{tag}] u(1) - u(s^2) = r (s^2 - 1)/((1 + r)(s^2 + r))",
                            diff - r * (kap**2 - 1) / ((1 + r) * (kap**2 + r))))
    return out


# ---------------------------------------------------------------------- fixed-size cross-checks
def _fixed(name, expr, size):
    return _cancel0(name, expr, size, "fixed-size cross-check")


@functools.cache
def crosscheck_change_of_variables(ds=(2, 3)) -> list:
    r"""Steps 3–4 with the sums written out over ``d`` eigenvalues ``λ_j`` (not the generic term):
    ``Σp̃ = A``, ``Σp̃u = A − B``, ``Σλp̃ = tC``, ``Σλp̃u = tB`` with ``v_j = λ_j/(λ_j+t)``, and
    ``E_pu − E_qu = 1 − B/A − B/C``."""
    out = []
    for d in ds:
        lams = sp.symbols(f"lambda1:{d + 1}", positive=True)
        P = [lj**2 / (lj + t) ** 2 for lj in lams]
        U = [t / (lj + t) for lj in lams]
        vs = [lj / (lj + t) for lj in lams]
        Ae, Be = explicit_sum(lambda x: x**2, vs), explicit_sum(lambda x: x**3, vs)
        Ce = explicit_sum(lambda x: x**3 / (1 - x), vs)
        Sp, Spu = sum(P), sum(pj * uj for pj, uj in zip(P, U))
        Sq, Squ = sum(lj * pj for lj, pj in zip(lams, P)), sum(lj * pj * uj for lj, pj, uj in zip(lams, P, U))
        size = {"d": d}
        out += [_fixed("sum p = A (explicit)", Sp - Ae, size),
                _fixed("sum p u = A - B (explicit)", Spu - (Ae - Be), size),
                _fixed("sum q = t C (explicit)", Sq - t * Ce, size),
                _fixed("sum q u = t B (explicit)", Squ - t * Be, size),
                _fixed("|eps_h|/2 = 1 - B/A - B/C (explicit)", Spu / Sp - Squ / Sq - (1 - Be / Ae - Be / Ce), size)]
    return out


crosscheck_change_of_variables.sizes = "d = 2, 3 (sums written out in the eigenvalues)"


@functools.cache
def crosscheck_split(ds=(2, 3, 4)) -> list:
    r"""Steps 5, 6 and 8 with the sums written out over ``d`` values (``y₁ = 1`` the largest):
    ``B − (1−m)C = Σv³(m−v)/(1−v)``; ``m − B/A = m(Y2' − Y3')/(1 + Y2')`` for ``v = my``;
    ``Σ'y²(1 − G − y) = G`` and ``1 − G = (1 + Y3')/(1 + Y2')`` for ``G = (Y2' − Y3')/(1 + Y2')``."""
    out = []
    for d in ds:
        vs = sp.symbols(f"v1:{d + 1}", positive=True)
        size = {"d": d}
        Be, Ce = explicit_sum(lambda x: x**3, vs), explicit_sum(lambda x: x**3 / (1 - x), vs)
        out.append(_fixed("B - (1-m) C = sum v^3 (m-v)/(1-v) (explicit)",
                          Be - (1 - m) * Ce - explicit_sum(lambda x: x**3 * (m - x) / (1 - x), vs), size))
        ys = (sp.Integer(1),) + sp.symbols(f"y2:{d + 1}", positive=True)
        A_ = explicit_sum(lambda x: (m * x) ** 2, ys)
        B_ = explicit_sum(lambda x: (m * x) ** 3, ys)
        y2, y3 = explicit_sum(lambda x: x**2, ys[1:]), explicit_sum(lambda x: x**3, ys[1:])
        out.append(_fixed("m - B/A = m (Y2' - Y3')/(1 + Y2') (explicit)", m - B_ / A_ - m * (y2 - y3) / (1 + y2), size))
        Gd = (y2 - y3) / (1 + y2)
        lhs = sp.Add(*[x**2 * (1 - Gd - x) for x in ys[1:]])
        out.append(_fixed("sum' y^2 (1 - G - y) = G (explicit)", lhs - Gd, size))
        out.append(_fixed("1 - G = (1 + Y3')/(1 + Y2') (explicit)", 1 - Gd - (1 + y3) / (1 + y2), size))
    return out


crosscheck_split.sizes = "d = 2, 3, 4 (sums written out)"


def crosscheck_sharp(ds=(2, 3, 4, 5, 6)) -> list:
    r"""Cross-check the sharpness identity of theorem U3 at concrete ``d`` (claim W5).

    Step 10 at concrete ``d``: ``d − 1`` values all equal to ``y₀ = 2(1 − G)/3``, the sum
    ``Σ'y₀²(1 − G − y₀)`` written out, minus ``G``, equals ``q(G)/27`` with ``k = d − 1`` a number.

    Parameters
    ----------
    ds : sequence of int, optional
        The dimensions ``d`` (default ``(2, 3, 4, 5, 6)``).

    Returns
    -------
    list of Identity
        The 2 exact identities checked; each is ``ok`` (residual 0) when it holds,
        and its ``size`` says for which sizes.

    Examples
    --------
    >>> from wpgd_theory.symbolic.elasticity import crosscheck_sharp
    >>> identities = crosscheck_sharp(ds=(2, 3))
    >>> identities[0]
    Identity("sum' y0^2 (1 - G - y0) - G = q(G)/27 (explicit)", d=2, residual=0)
    >>> all(identity.ok for identity in identities), len(identities)
    (True, 2)
    """
    out = []
    for d in ds:
        y0 = 2 * (1 - G) / 3
        val = explicit_sum(lambda x: x**2 * (1 - G - x), [y0] * (d - 1))
        out.append(_fixed("sum' y0^2 (1 - G - y0) - G = q(G)/27 (explicit)", val - G - q_poly(G, d - 1) / 27, {"d": d}))
    return out


crosscheck_sharp.sizes = "d = 2–6 (d − 1 equal values written out)"


def crosscheck_reduction(ds=(2,)) -> list:
    r"""Cross-check the U2 reduction with the weights written out over ``d`` terms (claim W5).

    Step 15 with the weights written out over ``d`` terms, for both elasticities: normalised
    ``w_j``, ``w'_j``, ``m = E_wz``: ``w'_j = w_jz_j/m`` and ``Σ(u_j − c)(w_j − w'_j) = E_wu − E_{w'}u``.

    Parameters
    ----------
    ds : sequence of int, optional
        The dimensions ``d`` (default ``(2,)``).

    Returns
    -------
    list of Identity
        The 4 exact identities checked; each is ``ok`` (residual 0) when it holds,
        and its ``size`` says for which sizes.

    Examples
    --------
    >>> from wpgd_theory.symbolic.elasticity import crosscheck_reduction
    >>> identities = crosscheck_reduction()
    >>> identities[0]
    Identity("[h] w'_1 = w_1 z_1/m (explicit)", d=2, residual=0)
    >>> all(identity.ok for identity in identities), len(identities)
    (True, 4)
    """
    out = []
    cc = sp.Symbol("c_s")
    for d in ds:
        for tag, zname, r in (("h", "lambda", t), ("t", "x", sp.Symbol("mu", positive=True))):
            zs = sp.symbols(f"{zname}1:{d + 1}", positive=True)
            ss = sp.symbols(f"s1:{d + 1}", positive=True)
            wt = [z**2 / (z + r) ** 2 for z in zs] if tag == "h" else [s_**2 / (z + r) ** 2 for z, s_ in zip(zs, ss)]
            wpt = [z * w_ for z, w_ in zip(zs, wt)]
            W, Wp = [w_ / sum(wt) for w_ in wt], [w_ / sum(wpt) for w_ in wpt]
            us = [r / (z + r) for z in zs]
            mean = sum(w_ * z for w_, z in zip(W, zs))
            size = {"d": d}
            out.append(_fixed(f"[{tag}] w'_1 = w_1 z_1/m (explicit)", Wp[0] - W[0] * zs[0] / mean, size))
            out.append(_fixed(f"[{tag}] sum (u - c)(w - w') = E_w u - E_w' u (explicit)",
                              sum((u - cc) * (a - b) for u, a, b in zip(us, W, Wp))
                              - (sum(a * u for a, u in zip(W, us)) - sum(b * u for b, u in zip(Wp, us))), size))
    return out


crosscheck_reduction.sizes = "d = 2 (weights written out)"


def crosscheck_consequences(kappas=(1, 4, 9, 16, 49, 100)) -> list:
    r"""Cross-check the consequences of the combined condition at concrete numbers (claim W5).

    Step 20 at concrete numbers: ``δ(κ) − 1/2 = (s − 3)/(2(s + 1))`` at perfect-square ``κ``
    (exact rationals), and ``δ(κ(T))² = T`` at ``T = 1/4, 1/9, 4/9``.

    Parameters
    ----------
    kappas : sequence of int, optional
        Perfect-square condition numbers ``κ`` (default ``(1, 4, 9, 16, 49, 100)``).

    Returns
    -------
    list of Identity
        The 5 exact identities checked; each is ``ok`` (residual 0) when it holds,
        and its ``size`` says for which sizes.

    Examples
    --------
    >>> from wpgd_theory.symbolic.elasticity import crosscheck_consequences
    >>> identities = crosscheck_consequences(kappas=(4, 9))
    >>> identities[0]
    Identity('delta - 1/2 = (s - 3)/(2 (s + 1)) at kappa', kappa=4, residual=0)
    >>> all(identity.ok for identity in identities), len(identities)
    (True, 5)
    """
    out = []
    for kap in kappas:
        s_ = sp.sqrt(sp.Integer(kap))
        dl = (s_ - 1) / (s_ + 1)
        out.append(_fixed("delta - 1/2 = (s - 3)/(2 (s + 1)) at kappa",
                          dl - sp.Rational(1, 2) - (s_ - 3) / (2 * (s_ + 1)), {"kappa": kap}))
    for T in (sp.Rational(1, 4), sp.Rational(1, 9), sp.Rational(4, 9)):
        s_ = (1 + sp.sqrt(T)) / (1 - sp.sqrt(T))
        out.append(_fixed("delta(kappa(T))^2 = T", ((s_ - 1) / (s_ + 1)) ** 2 - T, {"T": str(T)}))
    return out


crosscheck_consequences.sizes = "κ = 1, 4, 9, 16, 49, 100; T = 1/4, 1/9, 4/9"
