r"""Checks of the closed-form risk family: W1 (closed form), W2 (scaling), W3 (P*, profile).

Every check compares two independent computations:

* W1 — closed form vs Monte Carlo (z-score from the standard error), vs the exact
  conditional-Gaussian quadrature of :mod:`wpgd_theory.quadrature` (no Isserlis), and the
  latter on hypothesis-drawn instances;
* W2 — predictions and risks at ``(cP, ω/c)`` vs ``(P, ω)``;
* W3 — ``P*(ω)`` vs a cvxpy QP and vs L-BFGS from random starts, the finite-difference
  Hessian in ``P`` vs ``2 M ⊗ Σ`` (strict convexity), the ridge form vs ``(rᵀω)ΣM⁻¹``, the
  profile risk vs the risk at ``P*``, the analytic gradient vs central differences.

The functions are looked up through their modules (``landscape.population_risk``) so a
test can substitute a deliberately wrong formula and see the check fail.
"""

from __future__ import annotations

import numpy as np

from .. import landscape, quadrature, wpgd
from .. import strategies as wst
from .core import check, combine_results, compare, compare_bool, compare_monte_carlo
from .properties import property_check


def _random_instance(model, rng):
    """A random ``(P, ω)`` for ``model``, scaled so risks are O(τ)."""
    P = rng.standard_normal((model.d, model.d)) / (model.d * np.sqrt(model.n) * model.sigma_eigenvalues[-1])
    omega = rng.uniform(-0.5, 1.0, model.n)
    return P, omega


# ----------------------------------------------------------------------------- W1
@check("W1", "closed form vs Monte Carlo", kind="numeric")
def w1_monte_carlo(ctx):
    """Closed-form risk vs a Monte Carlo average of squared errors of sampled prompts
    (|z| ≤ 4 from the estimated standard error), on every context model."""
    num = ctx.scale(20_000, 100_000, 1_000_000)
    results = []
    for name, model in ctx.models.items():
        rng = ctx.rng("W1-mc-" + name)
        P, omega = _random_instance(model, rng)
        exact = landscape.population_risk(model, P, omega)
        est = landscape.monte_carlo_risk(model, P, omega, num, rng)
        results.append(compare_monte_carlo(est.mean, est.std_error, exact, z=4.0, model=name, num_prompts=num))
    return combine_results(results, "closed form vs Monte Carlo (z-score)")


def _tiny_model(rng):
    d = int(rng.integers(1, 3))
    n = int(rng.integers(1, 10 // d))  # (n+1) d <= 10
    A = rng.standard_normal((d, d))
    sigma = A @ A.T + 0.3 * np.eye(d)
    V = rng.standard_normal((n + 1, n + 1))
    V /= np.linalg.norm(V, axis=1, keepdims=True)
    C = V @ V.T
    np.fill_diagonal(C, 1.0)
    return landscape.MultitaskModel(sigma, C[:n, :n], C[:n, n], float(rng.uniform(0, 1)))


@check("W1", "closed form vs exact quadrature", kind="numeric")
def w1_quadrature(ctx):
    """Closed form vs the exact conditional-Gaussian quadrature (no Isserlis), relative
    error ≤ 1e-10, on random tiny models ((n+1)·d ≤ 10)."""
    rng = ctx.rng("W1-quad")
    results = []
    for _ in range(ctx.scale(2, 6, 20)):
        model = _tiny_model(rng)
        P, omega = _random_instance(model, rng)
        results.append(compare(landscape.population_risk(model, P, omega),
                               quadrature.quadrature_risk(model, P, omega), rtol=1e-10,
                               d=model.d, n=model.n))
    return combine_results(results, "closed form vs exact quadrature")


@check("W1", "property: closed form vs quadrature", kind="property")
def w1_property(ctx):
    """Hypothesis-drawn models (Σ spectra over four decades, normalised-Gram C, noise)
    and (P, ω): closed form vs quadrature, relative error ≤ 1e-9."""
    from hypothesis import strategies as st

    inst = wst.general_models(max_d=2, max_n=3).flatmap(
        lambda m: st.tuples(st.just(m), wst.preconditioners(m.d), wst.weights(m.n)))

    def disc(t):
        m, P, w = t
        q = quadrature.quadrature_risk(m, P, w)
        return abs(landscape.population_risk(m, P, w) - q) / max(abs(q), 1e-300)

    return property_check(ctx, inst, disc, tol=1e-9, max_examples=(5, 20, 200),
                          what="closed form vs quadrature on hypothesis instances")


# ----------------------------------------------------------------------------- W2
@check("W2", "prediction and risk invariant under (cP, omega/c)", kind="numeric")
def w2_scaling(ctx):
    """``ŷ(cP, ω/c) = ŷ(P, ω)`` on sampled prompts and ``L(cP, ω/c) = L(P, ω)`` for
    c over six decades and both signs; relative error ≤ 1e-10."""
    results = []
    for name, model in ctx.models.items():
        rng = ctx.rng("W2-" + name)
        P, omega = _random_instance(model, rng)
        X, y, x, _ = model.sample(64, rng)
        base_pred = wpgd.wpgd_predict(X, y, x, P, omega)
        base_risk = landscape.population_risk(model, P, omega)
        for c in (-1e3, -0.7, 1e-3, 3.0):
            results.append(compare(wpgd.wpgd_predict(X, y, x, c * P, omega / c), base_pred, rtol=1e-10,
                                   model=name, c=c, quantity="prediction"))
            results.append(compare(landscape.population_risk(model, c * P, omega / c), base_risk, rtol=1e-10,
                                   model=name, c=c, quantity="risk"))
    return combine_results(results, "scaling symmetry")


@check("W2", "property: scaling symmetry", kind="property")
def w2_property(ctx):
    """Hypothesis-drawn models, (P, ω) and c ∈ ±[1e-3, 1e3]: |L(cP, ω/c) − L(P, ω)| / L ≤ 1e-10."""
    from hypothesis import strategies as st

    cs = st.tuples(st.sampled_from([-1.0, 1.0]), st.floats(-3, 3)).map(lambda t: t[0] * 10 ** t[1])
    inst = wst.models(max_d=4).flatmap(
        lambda m: st.tuples(st.just(m), wst.preconditioners(m.d), wst.weights(m.n), cs))

    def disc(t):
        m, P, w, c = t
        ref = landscape.population_risk(m, P, w)
        return abs(landscape.population_risk(m, c * P, w / c) - ref) / max(abs(ref), 1e-300)

    return property_check(ctx, inst, disc, tol=1e-10, max_examples=(10, 40, 400), what="scaling symmetry")


# ----------------------------------------------------------------------------- W3
@check("W3", "P* vs cvxpy QP", kind="numeric")
def w3_cvxpy(ctx):
    """``P*(ω)`` vs the minimiser of the convex QP ``min_P −2c tr(ΣPΣ) + ‖Σ^{1/2} P M^{1/2}‖²_F``
    solved by cvxpy; relative error ≤ 1e-6 (solver accuracy)."""
    import cvxpy as cp
    from scipy.linalg import sqrtm

    results = []
    for name, model in ctx.models.items():
        rng = ctx.rng("W3-cvx-" + name)
        _, omega = _random_instance(model, rng)
        c, a, b = landscape.weight_moments(model, omega)
        S = model.sigma
        M = a * S @ S + b * S
        Sh, Mh = np.real(sqrtm(S)), np.real(sqrtm(M))
        Pv = cp.Variable((model.d, model.d))
        prob = cp.Problem(cp.Minimize(-2 * c * cp.trace(S @ Pv @ S) + cp.sum_squares(Sh @ Pv @ Mh)))
        prob.solve()
        if prob.status != cp.OPTIMAL:
            results.append(compare_bool(False, what=f"cvxpy status {prob.status}", model=name))
            continue
        results.append(compare(landscape.optimal_preconditioner(model, omega), Pv.value, rtol=1e-6,
                               model=name, solver=prob.solver_stats.solver_name))
    return combine_results(results, "P* vs cvxpy")


@check("W3", "P* vs L-BFGS from random starts", kind="numeric")
def w3_scipy(ctx):
    """``P*(ω)`` vs ``scipy.optimize.minimize`` (L-BFGS, analytic gradient) from 5 random
    starts; relative error ≤ 1e-6, and no start ends below the closed-form minimum."""
    from scipy.optimize import minimize

    results = []
    for name, model in ctx.models.items():
        rng = ctx.rng("W3-scipy-" + name)
        _, omega = _random_instance(model, rng)
        d = model.d
        Pstar = landscape.optimal_preconditioner(model, omega)
        Lstar = landscape.population_risk(model, Pstar, omega)

        def f(v, model=model, omega=omega, d=d):
            P = v.reshape(d, d)
            return landscape.population_risk(model, P, omega), landscape.risk_gradient(model, P, omega)[0].ravel()

        for _ in range(5):
            res = minimize(f, rng.standard_normal(d * d), jac=True, method="L-BFGS-B",
                           options={"gtol": 1e-13, "ftol": 1e-15, "maxiter": 5000})
            results.append(compare(res.x.reshape(d, d), Pstar, rtol=1e-6, model=name,
                                   risk_found=float(res.fun), risk_closed_form=float(Lstar)))
            if res.fun < Lstar - 1e-9 * abs(Lstar):
                results.append(compare_bool(False, what="optimiser beat closed form", model=name))
    return combine_results(results, "P* vs L-BFGS")


@check("W3", "Hessian in P is 2 M kron Sigma, positive definite", kind="numeric")
def w3_hessian(ctx):
    """Central-difference Hessian of ``P ↦ L(P, ω)`` (exact for a quadratic up to
    rounding) vs ``2 M(ω) ⊗ Σ``; its least eigenvalue must be > 0 (strict convexity)."""
    results = []
    for name, model in ctx.models.items():
        rng = ctx.rng("W3-hess-" + name)
        P0, omega = _random_instance(model, rng)
        d = model.d
        m = d * d
        h = 1e-2
        E = np.eye(m).reshape(m, d, d) * h
        # all (k, l) perturbations in one batched closed-form call
        pp = P0 + E[:, None] + E[None, :]
        pm = P0 + E[:, None] - E[None, :]
        mp = P0 - E[:, None] + E[None, :]
        mm = P0 - E[:, None] - E[None, :]
        f = lambda Q, model=model, omega=omega: landscape.population_risk(model, Q, omega)  # noqa: E731
        H = (f(pp) - f(pm) - f(mp) + f(mm)) / (4 * h * h)
        _, a, b = landscape.weight_moments(model, omega)
        S = model.sigma
        Mw = a * S @ S + b * S
        # vec(P) row-major: d/dP_ij d/dP_kl tr(PᵀΣPM) = 2 Σ_ik M_jl
        H_formula = 2 * np.kron(S, Mw)
        r = compare(H, H_formula, rtol=1e-6, model=name, min_eigenvalue=float(np.linalg.eigvalsh(H).min()))
        results.append(r)
        results.append(compare_bool(bool(np.linalg.eigvalsh(H).min() > 0), what="Hessian positive definite",
                                    model=name, measured=-float(np.linalg.eigvalsh(H).min()), tolerance=0.0))
    return combine_results(results, "Hessian vs 2 M⊗Σ")


@check("W3", "ridge form equals (r^T omega) Sigma M^-1", kind="property")
def w3_ridge(ctx):
    """Hypothesis instances: ``(rᵀω)/a (Σ + (b/a)I)⁻¹`` (eigen-form of the library) vs
    ``(rᵀω) Σ M(ω)⁻¹`` by a linear solve; relative error ≤ 1e-8 (condition numbers up to 1e4)."""
    from hypothesis import strategies as st

    inst = wst.models(max_d=4).flatmap(lambda m: st.tuples(st.just(m), wst.weights(m.n))).filter(
        lambda t: abs(t[0].r @ t[1]) > 1e-3 * np.linalg.norm(t[0].r) * np.linalg.norm(t[1]))

    def disc(t):
        m, w = t
        c, a, b = landscape.weight_moments(m, w)
        S = m.sigma
        ref = c * np.linalg.solve((a * S @ S + b * S).T, S.T).T
        got = landscape.optimal_preconditioner(m, w)
        return float(np.max(np.abs(got - ref)) / np.max(np.abs(ref)))

    return property_check(ctx, inst, disc, tol=1e-8, max_examples=(10, 40, 400), what="ridge form")


@check("W3", "profile risk equals risk at P*", kind="property")
def w3_profile(ctx):
    """Hypothesis instances: ``τ − c²Σλ²/(aλ+b)`` vs the closed-form risk evaluated at
    ``P*(ω)``, and no random perturbation of ``P*`` goes lower; relative error ≤ 1e-9."""
    from hypothesis import strategies as st

    inst = wst.models(max_d=4).flatmap(
        lambda m: st.tuples(st.just(m), wst.weights(m.n), wst.preconditioners(m.d))).filter(
        lambda t: abs(t[0].r @ t[1]) > 1e-3 * np.linalg.norm(t[0].r) * np.linalg.norm(t[1]))

    def disc(t):
        m, w, D = t
        Ps = landscape.optimal_preconditioner(m, w)
        at_star = landscape.population_risk(m, Ps, w)
        prof = landscape.profile_risk(m, w)
        worse = landscape.population_risk(m, Ps + 1e-3 * D / max(1.0, np.abs(D).max()) * np.abs(Ps).max(), w)
        gap = max(0.0, at_star - worse) / max(abs(at_star), 1e-300)
        return max(abs(prof - at_star) / max(abs(at_star), 1e-300), gap)

    return property_check(ctx, inst, disc, tol=1e-9, max_examples=(10, 40, 400), what="profile risk")


@check("W3", "risk gradient vs central differences", kind="numeric")
def w3_gradient(ctx):
    """Analytic ``(∂L/∂P, ∂L/∂ω)`` vs central differences of the closed form (exact up to
    rounding in P; O(h²) in ω, h = 1e-5); relative error ≤ 1e-6."""
    results = []
    for name, model in ctx.models.items():
        rng = ctx.rng("W3-grad-" + name)
        P, omega = _random_instance(model, rng)
        dP, dw = landscape.risk_gradient(model, P, omega)
        h = 1e-5
        d, n = model.d, model.n
        EP = np.eye(d * d).reshape(-1, d, d) * h
        gP = (landscape.population_risk(model, P + EP, omega)
              - landscape.population_risk(model, P - EP, omega)) / (2 * h)
        Ew = np.eye(n) * h
        gw = (landscape.population_risk(model, P, omega + Ew)
              - landscape.population_risk(model, P, omega - Ew)) / (2 * h)
        results.append(compare(np.concatenate([dP.ravel(), dw]), np.concatenate([gP, gw]), rtol=1e-6, model=name))
    return combine_results(results, "gradient vs central differences")
