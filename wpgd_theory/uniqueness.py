r"""A-priori uniqueness theorems for the root of the W4 equation (claim **W5**).

At a root ``μ*`` of ``F(μ) = μ − τ h(t(μ))`` the slope is ``F'(μ*) = 1 − ε_h ε_t`` with the
elasticities ``ε_h = d log h/d log t ≤ 0`` and ``ε_t = d log t/d log μ ≤ 0``; if
``ε_h ε_t < 1`` at every root, every root is a strict up-crossing and there is exactly one
(``proofs/uniqueness.md``).  The bounds proved there:

* **U2** ``|ε_h| ≤ 2δ(κ_Σ)²`` and ``|ε_t| ≤ 2δ(κ_R)²``, ``δ(κ) = (√κ − 1)/(√κ + 1)``;
* **U3** ``|ε_h| < φ(d) = 2G*(d)`` with ``G*`` the root in ``[0, 1)`` of
  ``4(d − 1)(1 − G)³ = 27 G``; ``φ(5) = 1/2``, so with ``|ε_t| < 2`` one root for ``d ≤ 5``;
* **combined** ``2δ(κ_R)² · min(2δ(κ_Σ)², φ(d)) < 1`` ⇒ one root.

Consequences (:func:`multiple_root_thresholds`): several roots need ``κ_Σ > 9`` and
``d ≥ 6``, and at ``d = 6`` also ``κ_R > 1386.2…``.

:func:`strongest_theorem` is the hook used by :func:`wpgd_theory.certify.certify_uniqueness`:
it extends the U2 record of :func:`~wpgd_theory.certify.apriori_uniqueness` with the
theorem that establishes uniqueness, if any.  The high-precision evaluation of the W4
equation of a task model (:func:`task_model_w4`, ``mpmath``, by a ``K × K`` linear solve,
independent of the spectral float code of :mod:`wpgd_theory.landscape`) verifies stored
counterexamples to 50 digits.
"""

from __future__ import annotations

from functools import cache

import mpmath

__all__ = [
    "g_star",
    "phi",
    "delta",
    "combined_bound",
    "multiple_root_thresholds",
    "strongest_theorem",
    "TaskModelW4",
    "task_model_w4",
    "refine_roots",
    "verify_roots",
    "tie_noise",
]

#: Safety margin for float comparisons of the bounds with 1 (the bounds are computed in float64).
BOUND_MARGIN = 1e-12


@cache
def _g_star_mp(d: int, dps: int):
    with mpmath.workdps(dps + 10):
        k = mpmath.mpf(d - 1)
        if k == 0:
            return mpmath.mpf(0)
        f = lambda G: 4 * k * (1 - G) ** 3 - 27 * G  # noqa: E731  strictly decreasing on [0, 1]
        return +mpmath.findroot(f, (mpmath.mpf(0), mpmath.mpf(1)), solver="anderson")


def g_star(d: int, dps: int = 30):
    r"""``G*(d)``: the root in ``[0, 1)`` of ``4(d − 1)(1 − G)³ = 27G`` (theorem U3).

    ``G*`` is the supremum over ``y ∈ [0, 1]^{d−1}`` of ``Σ y²(1 − y) / (1 + Σ y²)``;
    ``G*(1) = 0``, ``G*(5) = 1/4``, and it increases with ``d``.

    Parameters
    ----------
    d : int
        The dimension, at least 1.
    dps : int, optional
        Decimal digits of the mpmath computation.

    Returns
    -------
    mpmath.mpf
        ``G*(d)``.

    Raises
    ------
    ValueError
        If ``d`` is not a positive integer.

    Examples
    --------
    >>> float(g_star(1)), float(g_star(5))
    (0.0, 0.25)
    """
    if isinstance(d, bool) or not isinstance(d, int) or d < 1:
        raise ValueError(f"d must be an integer >= 1, got {d!r}")
    return _g_star_mp(d, int(dps))


def phi(d: int) -> float:
    r"""``φ(d) = 2G*(d)``: the supremum of ``|ε_h|`` over spectra of size ``d`` (theorem U3).

    Parameters
    ----------
    d : int
        The dimension, at least 1.

    Returns
    -------
    float
        ``φ(d)``; ``φ(d) ≤ 1/2`` exactly when ``d ≤ 5``.

    Examples
    --------
    >>> phi(5), phi(6) > 0.5
    (0.5, True)
    """
    return float(2 * g_star(d))


def delta(kappa) -> float:
    r"""``δ(κ) = (√κ − 1)/(√κ + 1)`` for a condition number ``κ ≥ 1`` (theorem U2).

    Parameters
    ----------
    kappa : float
        A condition number, at least 1 (``inf`` gives 1).

    Returns
    -------
    float
        ``δ(κ)`` in ``[0, 1]``.

    Raises
    ------
    ValueError
        If ``kappa < 1`` or is NaN.

    Examples
    --------
    >>> delta(1.0), delta(9.0)
    (0.0, 0.5)
    """
    kappa = float(kappa)
    if not kappa >= 1.0:
        raise ValueError(f"kappa must be >= 1, got {kappa!r}")
    rk = kappa**0.5
    return (rk - 1.0) / (rk + 1.0)


def combined_bound(kappa_sigma, kappa_R, d: int) -> float:
    r"""``2δ(κ_R)² · min(2δ(κ_Σ)², φ(d))``: a bound on ``ε_h ε_t`` at every root of W4; below
    1 it proves the root unique (the *combined* condition of claim W5).

    Parameters
    ----------
    kappa_sigma : float
        Condition number of ``Σ``, at least 1.
    kappa_R : float
        Condition number of ``R + I`` on the span of ``r``, at least 1.
    d : int
        The dimension.

    Returns
    -------
    float
        The bound.

    Examples
    --------
    >>> combined_bound(9.0, 9.0, 5)  # 2·(1/2)²·min(2·(1/2)², 1/2)
    0.25
    """
    return 2.0 * delta(kappa_R) ** 2 * min(2.0 * delta(kappa_sigma) ** 2, phi(d))


def _kappa_for_delta_squared(target, dps: int):
    """The ``κ`` with ``δ(κ)² = target`` (``0 ≤ target < 1``)."""
    dl = mpmath.sqrt(target)
    return ((1 + dl) / (1 - dl)) ** 2


def multiple_root_thresholds(d: int, dps: int = 30) -> dict:
    r"""Necessary conditions for several roots, from the combined condition.

    Several roots need ``2δ(κ_R)² min(2δ(κ_Σ)², φ(d)) ≥ 1``.  As ``δ(κ_R) < 1``:
    ``min(2δ(κ_Σ)², φ(d)) > 1/2``, i.e. ``φ(d) > 1/2`` (``d ≥ 6``) and ``δ(κ_Σ) > 1/2``
    (``κ_Σ > 9``); and ``2δ(κ_R)² φ(d) ≥ 1``, i.e. ``κ_R ≥ κ`` with ``δ(κ)² = 1/(2φ(d))``.
    Returns the thresholds as ``mpmath.mpf`` (``kappa_R`` is ``inf`` for ``d ≤ 5``).

    Parameters
    ----------
    d : int
        The feature dimension.
    dps : int, optional
        Decimal digits of the computation.

    Returns
    -------
    dict
        ``d``, ``phi`` (``φ(d)``), ``kappa_sigma`` (9) and ``kappa_R``: several roots need
        ``κ_Σ > kappa_sigma`` and ``κ_R ≥ kappa_R``.

    Examples
    --------
    >>> import mpmath
    >>> t = multiple_root_thresholds(8)
    >>> float(t["kappa_sigma"]), round(float(t["kappa_R"]), 1)
    (9.0, 247.4)
    >>> mpmath.isinf(multiple_root_thresholds(3)["kappa_R"])  # d <= 5: one root always
    True
    """
    with mpmath.workdps(dps + 10):
        ph = 2 * g_star(d, dps + 10)
        kappa_sigma = _kappa_for_delta_squared(mpmath.mpf(1) / 4, dps)
        kappa_R = _kappa_for_delta_squared(1 / (2 * ph), dps) if 2 * ph > 1 else mpmath.inf
        return {"d": d, "phi": +ph, "kappa_sigma": +kappa_sigma, "kappa_R": +kappa_R}


def strongest_theorem(curve, apriori: dict) -> dict:
    r"""Extend the U2 record ``apriori`` (:func:`~wpgd_theory.certify.apriori_uniqueness`)
    with the theorems U3 and *combined* and the strongest one that proves a unique root.

    Keys added: ``dimension`` (``d``), ``phi`` (``φ(d)``), ``combined_bound``, ``theorems``
    (all that apply, strongest first: ``"isotropic Sigma"``, ``"r in one eigenspace"``,
    ``"U3"``, ``"U2"``, ``"combined"``), ``theorem`` (the first, or ``None``) and
    ``reason`` (one sentence).  ``implies_unique_root`` becomes true when any applies.
    Float bounds count only below ``1 − BOUND_MARGIN``.

    Parameters
    ----------
    curve : StationaryCurve
        The stationary curve.
    apriori : dict
        :func:`~wpgd_theory.certify.apriori_uniqueness`'s record for ``curve``.

    Returns
    -------
    dict
        ``apriori`` extended with the keys above.

    Examples
    --------
    >>> from wpgd_theory import MultitaskModel
    >>> from wpgd_theory.certify import apriori_uniqueness
    >>> from wpgd_theory.landscape import stationary_curve
    >>> curve = stationary_curve(MultitaskModel.from_tasks([3, 2], rho=[[1.0, 0.3], [0.3, 1.0]], r_task=[0.5, 0.8],
    ...                                                    sigma=[2.0, 1.0], noise=0.1))
    >>> rec = strongest_theorem(curve, apriori_uniqueness(curve))
    >>> rec["theorem"], rec["implies_unique_root"]
    ('U3', True)
    """
    d = int(curve.lam.size)
    out = dict(apriori)
    ph = phi(d)
    comb = combined_bound(apriori["kappa_sigma"], apriori["kappa_R"], d)
    theorems, reasons = [], []
    if apriori["isotropic_sigma"]:
        theorems.append("isotropic Sigma")
        reasons.append("isotropic Sigma (h constant, one root mu = tau/lambda)")
    if apriori["single_eigenspace"]:
        theorems.append("r in one eigenspace")
        reasons.append("r in one eigenspace of R (t constant, one root)")
    if d <= 5:
        theorems.append("U3")
        reasons.append(f"theorem U3: d = {d} <= 5, |eps_h| < phi(d) = {ph:.4g} <= 1/2 and |eps_t| < 2")
    if apriori["elasticity_bound"] < 1.0 - BOUND_MARGIN:
        theorems.append("U2")
        reasons.append(f"theorem U2: 4 delta(kS)^2 delta(kR)^2 = {apriori['elasticity_bound']:.3g} < 1")
    if comb < 1.0 - BOUND_MARGIN:
        theorems.append("combined")
        reasons.append(f"combined condition: 2 delta(kR)^2 min(2 delta(kS)^2, phi(d)) = {comb:.3g} < 1")
    out.update(dimension=d, phi=ph, combined_bound=comb, theorems=theorems,
               theorem=theorems[0] if theorems else None, reason=reasons[0] if reasons else "",
               implies_unique_root=bool(theorems))
    return out


# --------------------------------------------------------------------------- high precision
class TaskModelW4:
    r"""The W4 equation of a task model in ``mpmath`` (``mp`` or ``iv`` context).

    ``u(μ) = (ρN + (1+μ)I)⁻¹ r_task`` (``ω(μ) = E u``), ``c = r_taskᵀNu``,
    ``‖ω‖² = uᵀNu``, ``a = ωᵀ(R+I)ω = uᵀ(NρN + N)u``, ``t = τ‖ω‖²/a``,
    ``g(μ) = τ Σλ²/(λ+t)² / Σλ³/(λ+t)²``, ``F(μ) = μ − g(μ)`` and the profile risk
    ``τ − c² Σ λ²/(aλ + τ‖ω‖²)``.  Float inputs are taken as the exact binary64 numbers
    they are (the model exactly as :class:`~wpgd_theory.model.MultitaskModel` holds it); a
    decimal string for ``noise`` is parsed at the working precision.

    Parameters
    ----------
    sizes : sequence of int
        The segments' sizes ``N``.
    rho : sequence of sequence of float
        The task correlation ``ρ`` (``K × K``).
    r_task : sequence of float
        The query's correlation with each task.
    sigma_eigenvalues : sequence of float
        The eigenvalues ``λ`` of ``Σ``.
    noise : float or str
        ``σ²`` (a decimal string is parsed at the working precision).
    ctx : mpmath context, optional
        ``mpmath.mp`` (points) or ``mpmath.iv`` (intervals).

    Examples
    --------
    >>> import mpmath
    >>> w4 = TaskModelW4([3], [[1.0]], [0.5], [2.0, 1.0], 0.1)
    >>> mu = mpmath.findroot(w4.F, (w4.tau / 2, w4.tau / 1))  # the bracket [τ/λ_max, τ/λ_min]
    >>> bool(abs(w4.F(mu)) < mpmath.mpf(10) ** -10)
    True
    """

    def __init__(self, sizes, rho, r_task, sigma_eigenvalues, noise, ctx=mpmath.mp):
        self.ctx = ctx
        c = ctx
        self.K = len(sizes)
        self.N = [c.mpf(int(n)) for n in sizes]
        self.rho = [[c.mpf(float(v)) for v in row] for row in rho]
        self.r = [c.mpf(float(v)) for v in r_task]
        self.lam = [c.mpf(float(v)) for v in sigma_eigenvalues]
        self.noise = c.mpf(noise) if isinstance(noise, str) else c.mpf(float(noise))
        self.tau = sum(self.lam) + self.noise

    def with_noise(self, noise) -> TaskModelW4:
        other = object.__new__(TaskModelW4)
        other.__dict__.update(self.__dict__)
        other.noise = self.ctx.mpf(noise)
        other.tau = sum(self.lam) + other.noise
        return other

    def moments(self, mu):
        c, K, N = self.ctx, self.K, self.N
        mu = c.mpf(mu)
        A = c.matrix(K, K)
        for i in range(K):
            for j in range(K):
                A[i, j] = self.rho[i][j] * N[j] + ((1 + mu) if i == j else 0)
        u = c.lu_solve(A, c.matrix(self.r))
        u = [u[i] for i in range(K)]
        cc = sum(self.r[k] * N[k] * u[k] for k in range(K))
        nrm2 = sum(N[k] * u[k] ** 2 for k in range(K))
        Nu = [N[k] * u[k] for k in range(K)]
        a = sum(Nu[i] * self.rho[i][j] * Nu[j] for i in range(K) for j in range(K)) + nrm2
        return cc, a, nrm2

    def g(self, mu):
        _, a, nrm2 = self.moments(mu)
        t = self.tau * nrm2 / a
        num = sum(lk**2 / (lk + t) ** 2 for lk in self.lam)
        den = sum(lk**3 / (lk + t) ** 2 for lk in self.lam)
        return self.tau * num / den

    def F(self, mu):
        return self.ctx.mpf(mu) - self.g(mu)

    def risk(self, mu):
        cc, a, nrm2 = self.moments(mu)
        b = self.tau * nrm2
        return self.tau - cc**2 * sum(lk**2 / (a * lk + b) for lk in self.lam)


def task_model_w4(spec: dict, ctx=mpmath.mp) -> TaskModelW4:
    """:class:`TaskModelW4` of a stored instance (keys ``sizes, rho, r_task, sigma_eigenvalues, noise``).

    Parameters
    ----------
    spec : dict
        The instance.
    ctx : mpmath context, optional
        ``mpmath.mp`` or ``mpmath.iv``.

    Returns
    -------
    TaskModelW4
        Its W4 equation in ``mpmath``.

    Examples
    --------
    >>> w4 = task_model_w4(dict(sizes=[3], rho=[[1.0]], r_task=[0.5], sigma_eigenvalues=[2.0, 1.0], noise=0.1))
    >>> float(w4.tau)
    3.1
    """
    return TaskModelW4(spec["sizes"], spec["rho"], spec["r_task"], spec["sigma_eigenvalues"], spec["noise"], ctx)


def refine_roots(spec: dict, approx, dps: int = 80, rel: float = 1e-6) -> list:
    r"""The roots of the W4 equation of a task model near ``approx``, to ``dps`` digits
    (bracketing solver on ``[μ(1 − rel), μ(1 + rel)]``); returned as ``mpmath.mpf``.

    Parameters
    ----------
    spec : dict
        The instance (keys ``sizes, rho, r_task, sigma_eigenvalues, noise``).
    approx : sequence of float
        Approximate roots (e.g. :func:`~wpgd_theory.landscape.solve`'s ``roots``).
    dps : int, optional
        Decimal digits.
    rel : float, optional
        The relative half-width of each root's bracket.

    Returns
    -------
    list of mpmath.mpf
        The refined roots.

    Raises
    ------
    ValueError
        If ``F`` does not change sign around an approximate root.

    Examples
    --------
    A stored three-root instance (the ``tie`` counterexample of ``proofs/uniqueness.md``):

    >>> spec = dict(sizes=[100000, 1], rho=[[1.0, 0.0], [0.0, 1.0]],
    ...             r_task=[0.6133258760608841, 0.7771302141559991],
    ...             sigma_eigenvalues=[0.001] * 7 + [0.12746], noise=3.471106911659799)
    >>> from wpgd_theory import MultitaskModel, solve
    >>> approx = solve(MultitaskModel.from_tasks(spec["sizes"], spec["rho"], spec["r_task"],
    ...                                          sigma=spec["sigma_eigenvalues"], noise=spec["noise"])).roots
    >>> roots = refine_roots(spec, approx, dps=30)
    >>> len(roots), [round(float(r), 4) for r in roots] == [round(float(a), 4) for a in approx]
    (3, True)
    """
    out = []
    with mpmath.workdps(dps + 10):
        w4 = task_model_w4(spec)
        for mu in approx:
            lo, hi = mpmath.mpf(mu) * (1 - mpmath.mpf(rel)), mpmath.mpf(mu) * (1 + mpmath.mpf(rel))
            if not w4.F(lo) * w4.F(hi) < 0:
                raise ValueError(f"approx root {mu!r}: F does not change sign on [mu(1-rel), mu(1+rel)]")
            out.append(+mpmath.findroot(w4.F, (lo, hi), solver="illinois"))
    return out


def verify_roots(spec: dict, roots, digits: int = 50, prec: int | None = None) -> dict:
    r"""Interval verification (``mpmath.iv``) that ``F`` changes sign across every stored root
    ``μ`` between ``μ(1 − 10^{−digits})`` and ``μ(1 + 10^{−digits})``, so each root is known to
    ``digits`` significant digits, and enclosures of the risks at the bracketing points.

    ``roots`` are decimal strings.  Returns ``{"ok", "sign_changes", "risk_enclosures"}``.

    Parameters
    ----------
    spec : dict
        The instance (keys ``sizes, rho, r_task, sigma_eigenvalues, noise``).
    roots : sequence of str
        The roots as decimal strings.
    digits : int, optional
        Significant digits to verify.
    prec : int, optional
        Working precision in bits (default: enough for ``digits``).

    Returns
    -------
    dict
        ``ok`` (every sign change verified), ``sign_changes``, ``risk_enclosures``
        (``mpmath.iv`` intervals) and ``prec_bits``.

    Examples
    --------
    A stored three-root instance (the ``tie`` counterexample of ``proofs/uniqueness.md``):

    >>> spec = dict(sizes=[100000, 1], rho=[[1.0, 0.0], [0.0, 1.0]],
    ...             r_task=[0.6133258760608841, 0.7771302141559991],
    ...             sigma_eigenvalues=[0.001] * 7 + [0.12746], noise=3.471106911659799)
    >>> from wpgd_theory import MultitaskModel, solve
    >>> approx = solve(MultitaskModel.from_tasks(spec["sizes"], spec["rho"], spec["r_task"],
    ...                                          sigma=spec["sigma_eigenvalues"], noise=spec["noise"])).roots
    >>> import mpmath
    >>> roots = [mpmath.nstr(r, 40) for r in refine_roots(spec, approx, dps=40)]
    >>> verify_roots(spec, roots, digits=20)["sign_changes"]
    [True, True, True]
    """
    iv = mpmath.iv
    prec = prec or int(digits * 3.33) + 120
    old = iv.prec
    iv.prec = prec
    try:
        w4 = task_model_w4(spec, ctx=iv)
        h = iv.mpf(10) ** (-digits)
        changes, risks = [], []
        for r in roots:
            mu = iv.mpf(str(r))
            lo, hi = mu * (1 - h), mu * (1 + h)
            # evaluate at the (outward rounded) end points
            Flo, Fhi = w4.F(iv.mpf(lo.a)), w4.F(iv.mpf(hi.b))
            changes.append(bool((Flo < 0 and Fhi > 0) or (Flo > 0 and Fhi < 0)))
            risks.append(w4.risk(mu))
        return {"ok": all(changes), "sign_changes": changes, "risk_enclosures": risks, "prec_bits": prec}
    finally:
        iv.prec = old


def tie_noise(spec: dict, approx_noise: float, approx_roots, dps: int = 50) -> mpmath.mpf:
    r"""The noise ``σ²*`` at which the outer roots of the W4 equation tie in risk, to ``dps``
    digits (secant on ``σ² ↦ L(μ₁(σ²)) − L(μ₃(σ²))``, roots re-solved at each ``σ²``).

    Parameters
    ----------
    spec : dict
        The instance (keys ``sizes, rho, r_task, sigma_eigenvalues, noise``).
    approx_noise : float
        A starting noise near the tie.
    approx_roots : sequence of float
        Approximate roots at ``approx_noise`` (the first and last are tracked).
    dps : int, optional
        Decimal digits.

    Returns
    -------
    mpmath.mpf
        The noise at which the outer roots' risks are equal.

    Examples
    --------
    A stored three-root instance (the ``tie`` counterexample of ``proofs/uniqueness.md``):

    >>> spec = dict(sizes=[100000, 1], rho=[[1.0, 0.0], [0.0, 1.0]],
    ...             r_task=[0.6133258760608841, 0.7771302141559991],
    ...             sigma_eigenvalues=[0.001] * 7 + [0.12746], noise=3.471106911659799)
    >>> from wpgd_theory import MultitaskModel, solve
    >>> approx = solve(MultitaskModel.from_tasks(spec["sizes"], spec["rho"], spec["r_task"],
    ...                                          sigma=spec["sigma_eigenvalues"], noise=spec["noise"])).roots
    >>> round(float(tie_noise(spec, spec["noise"], approx, dps=20)), 9)
    3.471106912
    """
    with mpmath.workdps(dps + 20):
        base = task_model_w4(spec)

        def gap(noise):
            w4 = base.with_noise(noise)
            mus = []
            for mu in (approx_roots[0], approx_roots[-1]):
                lo, hi = mpmath.mpf(mu) * (1 - mpmath.mpf("1e-2")), mpmath.mpf(mu) * (1 + mpmath.mpf("1e-2"))
                mus.append(mpmath.findroot(w4.F, (lo, hi), solver="anderson"))
            return w4.risk(mus[0]) - w4.risk(mus[1])

        x0 = mpmath.mpf(float(approx_noise))
        return +mpmath.findroot(gap, (x0 * (1 - mpmath.mpf("1e-9")), x0 * (1 + mpmath.mpf("1e-9"))), solver="secant")
