r"""W4–W5 and A1/A3 identities in ``ω`` with symbolic ``n`` and ``d`` (scope ``all-sizes``).

Built on :mod:`.bilinear` (atoms ``⟨u|W|v⟩`` in vectors of symbolic length, directional
derivatives against a free vector ``h``) and on generic-term sums over the eigenvalues of
``Σ`` (a sum of ``d`` terms, ``d`` symbolic).  ``c = rᵀω``, ``a = ωᵀ(R+I)ω``, ``b = τ‖ω‖²``.
"""

from __future__ import annotations

import sympy as sp

from .bilinear import Rules, add, apply, bil, directional, identity_, scale, symmetric, vec

__all__ = ["w4_gradient", "w4_euler", "w4_same_system", "w5_gap", "w5_optimum", "a1_isotropic_profile",
           "a3_uniform_gap", "a3_single_task"]

lam, tau, s, dlt = sp.symbols("lambda tau s d", positive=True)
NOISE = sp.Symbol("sigma^2")
W, R_, H, K, Z, ONE = vec("w"), vec("r"), vec("h"), vec("k"), vec("z"), vec("1")
# R (the examples' task correlations) and A = R + s·I are symmetric matrices
symmetric("R", "A")


def _c(w):
    return bil(R_, w)


def _a(w):
    return bil(w, w, mid=("R",)) + bil(w, w)


def _n2(w):
    return bil(w, w)


def w4_gradient() -> list:
    r"""Check the gradient ``∇_ω L`` of claim W4 for vectors of symbolic length (every ``d``, ``n``).

    ``D_h L = ⟨∇L, h⟩`` for the generic eigenvalue term of ``L = τ − c²Σλ²/(aλ+b)`` with the
    claimed ``∇L = −2c[φ r − cA₃(R+I)ω − cτA₂ω]`` term by term (every ``d``, ``n``); and
    ``cA₃(R + (1+μ)I)ω = cA₃(R+I)ω + cτA₂ω`` for ``μ = τA₂/A₃``.

    Returns
    -------
    list of Identity
        The 2 exact identities checked; each is ``ok`` (residual 0) when it holds,
        and its ``size`` says for which sizes.

    Examples
    --------
    >>> from wpgd_theory.symbolic.stationary import w4_gradient
    >>> identities = w4_gradient()
    >>> identities[0]
    Identity('D_h L = <grad L, h> (generic eigenvalue term)', d=symbolic, n=symbolic, residual=0)
    >>> all(identity.ok for identity in identities), len(identities)
    (True, 2)
    """
    def L_t(w):
        return -_c(w) ** 2 * lam**2 / (_a(w) * lam + tau * _n2(w))

    c, a, b = _c(W), _a(W), tau * _n2(W)
    phi_t, A2_t, A3_t = lam**2 / (a * lam + b), lam**2 / (a * lam + b) ** 2, lam**3 / (a * lam + b) ** 2
    grad = add(scale(R_, -2 * c * phi_t), scale(apply("R", W), 2 * c**2 * A3_t), scale(W, 2 * c**2 * (A3_t + tau
                                                                                                        * A2_t)))
    Phi, A2, A3, cc = sp.symbols("Phi A2 A3 c")
    mu = tau * A2 / A3
    return [identity_("D_h L = <grad L, h> (generic eigenvalue term)", bil(grad, H) - directional(L_t, W, H, s)),
            identity_("c A3 (R + (1+mu) I) w = c A3 (R+I) w + c tau A2 w",
                      bil(H, add(scale(apply("R", W), cc * A3), scale(W, cc * A3 * (1 + mu))))
                      - bil(H, add(scale(apply("R", W), cc * A3), scale(W, cc * A3 + cc * tau * A2))))]


def _grad_sum(Phi, A2, A3):
    """``∇L`` with the summed ``φ, A₂, A₃`` (symbols)."""
    c = _c(W)
    return add(scale(R_, -2 * c * Phi), scale(apply("R", W), 2 * c**2 * A3), scale(W, 2 * c**2 * (A3 + tau * A2)))


def w4_euler() -> list:
    r"""Check Euler's identity ``ωᵀ∇L = 0`` and the normalisation of claim W4 (every ``d``, ``n``).

    ``ωᵀ∇L = 0`` and ``A₃ ωᵀ(R + (1+μ)I)ω = φ`` given ``φ = aA₃ + bA₂`` (W4 partials).

    Returns
    -------
    list of Identity
        The 2 exact identities checked; each is ``ok`` (residual 0) when it holds,
        and its ``size`` says for which sizes.

    Examples
    --------
    >>> from wpgd_theory.symbolic.stationary import w4_euler
    >>> identities = w4_euler()
    >>> identities[0]
    Identity('w^T grad L = 0', d=symbolic, n=symbolic, residual=0)
    >>> all(identity.ok for identity in identities), len(identities)
    (True, 2)
    """
    A2, A3 = sp.symbols("A2 A3", positive=True)
    a, b = _a(W), tau * _n2(W)
    Phi = a * A3 + b * A2
    mu = tau * A2 / A3
    v = add(apply("R", W), scale(W, 1 + mu))
    return [identity_("w^T grad L = 0", bil(W, _grad_sum(Phi, A2, A3))),
            identity_("A3 w^T (R + (1+mu) I) w = phi", A3 * bil(W, v) - Phi)]


def w4_same_system() -> list:
    r"""Check that ``∇L = 0`` and ``(R + (1+μ)I)ω ∥ r`` are the same system (claim W4).

    With ``v = (R + (1+μ)I)ω`` and ``φ = A₃ ωᵀv``: ``∇L = −2cA₃[(ωᵀv) r − c v]`` and, for any
    ``h, k``: ``(rᵀh)(∇Lᵀk) − (rᵀk)(∇Lᵀh) = 2c²A₃[(vᵀk)(rᵀh) − (vᵀh)(rᵀk)]``.

    Returns
    -------
    list of Identity
        The 2 exact identities checked; each is ``ok`` (residual 0) when it holds,
        and its ``size`` says for which sizes.

    Examples
    --------
    >>> from wpgd_theory.symbolic.stationary import w4_same_system
    >>> identities = w4_same_system()
    >>> identities[0]
    Identity('grad L = -2c A3 [(w^T v) r - c v]', d=symbolic, n=symbolic, residual=0)
    >>> all(identity.ok for identity in identities), len(identities)
    (True, 2)
    """
    A2, A3 = sp.symbols("A2 A3", positive=True)
    mu = tau * A2 / A3
    v = add(apply("R", W), scale(W, 1 + mu))
    Phi = A3 * bil(W, v)
    g = _grad_sum(Phi, A2, A3)
    c = _c(W)
    alt = add(scale(R_, -2 * c * A3 * bil(W, v)), scale(v, 2 * c**2 * A3))
    minors = bil(R_, H) * bil(g, K) - bil(R_, K) * bil(g, H) - 2 * c**2 * A3 * (bil(v, K) * bil(R_, H)
                                                                                 - bil(v, H) * bil(R_, K))
    return [identity_("grad L = -2c A3 [(w^T v) r - c v]", bil(g, H) - bil(alt, H)),
            identity_("2x2 minors of [v, r]", minors)]


RULES_Z = Rules({("A", "z"): vec("r")})  # z = A⁻¹ r


def w5_gap() -> list:
    r"""Check the Lagrange form of the risk gap ``L(ω) − L*`` for ``Σ = λI`` (claim W5, every ``n``).

    Lagrange: with ``z = A⁻¹r``, ``q = rᵀz``, ``e = ω − (c/q)z``: ``q eᵀAe = q ωᵀAω − c²`` and
    ``L(ω) − L* = dλ q eᵀAe/ωᵀAω`` for ``L = τ − dλ c²/ωᵀAω``, ``L* = τ − dλ q`` (every ``n``).

    Returns
    -------
    list of Identity
        The 2 exact identities checked; each is ``ok`` (residual 0) when it holds,
        and its ``size`` says for which sizes.

    Examples
    --------
    >>> from wpgd_theory.symbolic.stationary import w5_gap
    >>> identities = w5_gap()
    >>> identities[0]
    Identity('q e^T A e = q w^T A w - c^2', d=symbolic, n=symbolic, residual=0)
    >>> all(identity.ok for identity in identities), len(identities)
    (True, 2)
    """
    c, q = _c(W), bil(R_, Z, RULES_Z)
    e = add(W, scale(Z, -c / q))
    eAe = bil(e, e, RULES_Z, mid=("A",))
    wAw = bil(W, W, RULES_Z, mid=("A",))
    L = tau - dlt * lam * c**2 / wAw
    Ls = tau - dlt * lam * q
    return [identity_("q e^T A e = q w^T A w - c^2", q * eAe - (q * wAw - c**2)),
            identity_("L - L* = d lambda q e^T A e / w^T A w", (L - Ls) - dlt * lam * q * eAe / wAw)]


def w5_optimum() -> list:
    r"""Check that ``ω* = A⁻¹r`` is stationary with risk ``L* = τ − dλ rᵀA⁻¹r`` (claim W5).

    At ``ω* = z = A⁻¹r``: ``D_h L(z) = 0`` for every ``h`` and ``L(z) = τ − dλ rᵀA⁻¹r``; at
    ``λ = 1``, ``τ = d + σ²``: ``L* = d + σ² − d rᵀ(R + (d+1+σ²)I)⁻¹r``.

    Returns
    -------
    list of Identity
        The 3 exact identities checked; each is ``ok`` (residual 0) when it holds,
        and its ``size`` says for which sizes.

    Examples
    --------
    >>> from wpgd_theory.symbolic.stationary import w5_optimum
    >>> identities = w5_optimum()
    >>> identities[0]
    Identity('D_h L(z) = 0', d=symbolic, n=symbolic, residual=0)
    >>> all(identity.ok for identity in identities), len(identities)
    (True, 3)
    """
    def L(w):
        return tau - dlt * lam * bil(R_, w, RULES_Z) ** 2 / bil(w, w, RULES_Z, mid=("A",))

    q = bil(R_, Z, RULES_Z)
    Ls = L(Z)
    return [identity_("D_h L(z) = 0", directional(L, Z, H, s)),
            identity_("L(z) = tau - d lambda q", Ls - (tau - dlt * lam * q)),
            identity_("Sigma = I: L* = d + s2 - d q", Ls.subs({lam: 1, tau: dlt + NOISE}) - (dlt + NOISE - dlt * q))]


def a1_isotropic_profile() -> list:
    r"""Check the isotropic profile risk ``L = τ − d c²/ωᵀAω`` for ``Σ = I`` (claim A1).

    ``Σ = I``: ``L = τ − c² Σ_{j≤d} 1/(a + b) = τ − d c²/(a+b)`` and ``a + b = ωᵀ(R + (d+1+σ²)I)ω``.

    Returns
    -------
    list of Identity
        The 2 exact identities checked; each is ``ok`` (residual 0) when it holds,
        and its ``size`` says for which sizes.

    Examples
    --------
    >>> from wpgd_theory.symbolic.stationary import a1_isotropic_profile
    >>> identities = a1_isotropic_profile()
    >>> identities[0]
    Identity('a + b = w^T A w', d=symbolic, n=symbolic, residual=0)
    >>> all(identity.ok for identity in identities), len(identities)
    (True, 2)
    """
    c, a, b = _c(W), _a(W), (dlt + NOISE) * _n2(W)
    Aw = add(apply("R", W), scale(W, dlt + 1 + NOISE))
    return [identity_("a + b = w^T A w", a + b - bil(W, Aw)),
            identity_("sum of d equal terms", dlt * (c**2 * 1**2 / (a * 1 + b)) - dlt * c**2 / bil(W, Aw))]


def a3_uniform_gap() -> list:
    r"""Check the gap of linear attention ``L(1) − L*`` for ``Σ = I`` (claim A3, every ``n``).

    ``L(1) − L* = d eᵀAe/(q·1ᵀA1)`` with ``e = q1 − (rᵀ1)z``, ``z = A⁻¹r`` (``Σ = I``, every ``n``).

    Returns
    -------
    list of Identity
        The 1 exact identity checked; each is ``ok`` (residual 0) when it holds,
        and its ``size`` says for which sizes.

    Examples
    --------
    >>> from wpgd_theory.symbolic.stationary import a3_uniform_gap
    >>> identities = a3_uniform_gap()
    >>> identities[0]
    Identity('L(1) - L* = d e^T A e / (q 1^T A 1)', d=symbolic, n=symbolic, residual=0)
    >>> all(identity.ok for identity in identities), len(identities)
    (True, 1)
    """
    q, c1 = bil(R_, Z, RULES_Z), bil(R_, ONE)
    e = add(scale(ONE, q), scale(Z, -c1))
    eAe = bil(e, e, RULES_Z, mid=("A",))
    oAo = bil(ONE, ONE, RULES_Z, mid=("A",))
    L1 = tau - dlt * c1**2 / oAo
    return [identity_("L(1) - L* = d e^T A e / (q 1^T A 1)", (L1 - (tau - dlt * q)) - dlt * eAe / (q * oAo))]


def a3_single_task() -> list:
    r"""Check that linear attention is optimal for a single task, ``Σ = I`` (claim A3).

    ``R = 11ᵀ`` (``R1 = n1``), ``r = 1``: ``A1 = (n + d + 1 + σ²)1`` for ``A = R + (d+1+σ²)I``, so
    ``A⁻¹r ∥ 1`` (tested against a free vector ``h``).

    Returns
    -------
    list of Identity
        The 1 exact identity checked; each is ``ok`` (residual 0) when it holds,
        and its ``size`` says for which sizes.

    Examples
    --------
    >>> from wpgd_theory.symbolic.stationary import a3_single_task
    >>> identities = a3_single_task()
    >>> identities[0]
    Identity('A 1 = (n + d + 1 + s2) 1', d=symbolic, n=symbolic, residual=0)
    >>> all(identity.ok for identity in identities), len(identities)
    (True, 1)
    """
    n = sp.Symbol("n", positive=True)
    rules = Rules({("R", "1"): vec("1", n)})
    A1 = add(apply("R", ONE), scale(ONE, dlt + 1 + NOISE))
    return [identity_("A 1 = (n + d + 1 + s2) 1", bil(H, A1, rules) - (n + dlt + 1 + NOISE) * bil(H, ONE, rules))]
