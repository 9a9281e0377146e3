r"""Checks of the optimum family: W4 (stationary curve), W5 (existence, uniqueness, closed
forms), W6 (degenerate conditions), A1 (monotone-cone SOCP), A2, A3 (cone ordering).

Every check compares two independently computed quantities:

* W4 — :func:`~wpgd_theory.landscape.solve` (root isolation on the stationary curve) vs
  BFGS on the joint risk ``L(P, ω)`` from ≥ 20 random starts; every root vs the W1
  gradient at ``(P*(ω), ω)`` and vs ``τ h(b/a)`` recomputed from ``ω`` itself;
* W5 — ``solve`` vs multi-start BFGS on the profile risk and the closed forms for
  ``Σ = λI``; the finite-difference Hessian of the
  profile risk on the sphere (positive definite); the root-isolation certificate vs the
  branch-and-bound global minimum of the one-dimensional reduction; the stored
  counterexamples (three roots; a tie with two global minimisers);
* W6 — ``r = 0``: profile risk vs ``τ``; a non-PSD ``C`` is rejected;
* A1 — the THEORY SOCP built directly in ``R^n`` (cvxpy) vs :func:`solve_constrained`
  (reduced, cvxpy and exact NNLS) vs multi-start BFGS over the monotone cone; the optimum
  realised by constructed gates (G1, G2) has the same risk;
* A2/A3 — gaps between the uniform, monotone and free optima vs what the shape of ``ω*``
  and a first-order (KKT) test at ``𝟙`` predict.

Functions are looked up through their modules (``landscape.solve``,
``convex.solve_constrained``) so tests can substitute deliberately wrong formulas.
"""

from __future__ import annotations

import numpy as np

from .. import convex, landscape
from .. import strategies as wst
from ..model import MultitaskModel
from .core import CheckResult, check, combine_results, compare, compare_bool
from .properties import property_check

#: Models with more examples than this are skipped by checks that form ``n × n`` matrices.
MAX_DENSE_N = 400


# ----------------------------------------------------------------------------- helpers


def _dense_models(ctx, max_n=MAX_DENSE_N, *, any_task_model=False):
    """Context models small enough for dense ``n × n`` reference computations (task models
    of any size with ``any_task_model``: their computations are ``O(n + K³)``), with
    ``r ≠ 0``; anisotropic ``Σ`` first (the quick suite takes the first ones, and isotropic
    ``Σ`` hides most of the stationary-curve structure)."""
    out = [(k, m) for k, m in ctx.models.items()
           if (m.n <= max_n or (any_task_model and m.is_multitask)) and np.any(m.r != 0)]
    return sorted(out, key=lambda km: km[1].sigma_eigenvalues[-1] <= km[1].sigma_eigenvalues[0] * (1 + 1e-12))


def _with_sigma(model, sigma):
    """The same correlation structure and noise with another feature covariance."""
    if model.is_multitask:
        return MultitaskModel.from_tasks(model.sizes, model.rho, model.r_task, sigma=sigma, noise=model.noise)
    return MultitaskModel(sigma, model.R, model.r, model.noise)


def _cosine(u, v):
    return abs(float(u @ v)) / (np.linalg.norm(u) * np.linalg.norm(v))


def tangent_hessian(model, omega, step=1e-4):
    r"""Central-difference Hessian of the profile risk (W3) at ``ω`` on the tangent space of
    the sphere, in an orthonormal basis of ``ω^⊥`` (``(n−1) × (n−1)``)."""
    omega = omega / np.linalg.norm(omega)
    n = omega.size
    Q, _ = np.linalg.qr(np.column_stack([omega, np.eye(n)]))
    B = Q[:, 1:n]  # orthonormal basis of ω^⊥
    k = B.shape[1]
    f0 = float(landscape.profile_risk(model, omega))
    H = np.empty((k, k))
    pts = omega[None, :] + step * B.T
    fp = landscape.profile_risk(model, omega[None, :] + step * B.T)
    fm = landscape.profile_risk(model, omega[None, :] - step * B.T)
    np.fill_diagonal(H, (fp - 2 * f0 + fm) / step**2)
    for i in range(k):
        j = np.arange(i + 1, k)
        if not j.size:
            continue
        pp = landscape.profile_risk(model, pts[i] + step * B[:, j].T)
        pm = landscape.profile_risk(model, pts[i] - step * B[:, j].T)
        mp = landscape.profile_risk(model, omega - step * B[:, i] + step * B[:, j].T)
        mm = landscape.profile_risk(model, omega - step * B[:, i] - step * B[:, j].T)
        H[i, j] = H[j, i] = (pp - pm - mp + mm) / (4 * step**2)
    return (H + H.T) / 2.0


def _hessian_condition(model, omega):
    """``λ_max/λ_min`` of the tangent Hessian (``inf`` unless positive definite)."""
    ev = np.linalg.eigvalsh(tangent_hessian(model, omega))
    if ev.size == 0:
        return 1.0, ev
    return (float(ev[-1] / ev[0]) if ev[0] > 0 else float("inf")), ev


# ----------------------------------------------------------------------------- counterexamples
#: Instances where the W4 equation has three roots (``proofs/uniqueness.md``, data in
#: ``proofs/data/counterexamples.json``): two independent tasks, a long segment of task 1
#: and one example of task 2; ``Σ`` has seven small and one large eigenvalue.
COUNTEREXAMPLES = {
    "three-roots": dict(sizes=[100000, 1], rho=[[1.0, 0.0], [0.0, 1.0]],
                        r_task=[0.6133258760608841, 0.7771302141559991],
                        sigma_eigenvalues=[0.001] * 7 + [0.12746], noise=3.435764386687607),
    "tie": dict(sizes=[100000, 1], rho=[[1.0, 0.0], [0.0, 1.0]],
                r_task=[0.6133258760608841, 0.7771302141559991],
                sigma_eigenvalues=[0.001] * 7 + [0.12746], noise=3.471106911659799),
}


def counterexample_model(name: str) -> MultitaskModel:
    """The stored counterexample ``name`` as a model (diagonal ``Σ``)."""
    spec = COUNTEREXAMPLES[name]
    return MultitaskModel.from_tasks(spec["sizes"], np.array(spec["rho"]), np.array(spec["r_task"]),
                                     sigma=np.diag(spec["sigma_eigenvalues"]), noise=spec["noise"])


# ----------------------------------------------------------------------------- W4
@check("W4", "solve vs multi-start BFGS on the joint risk", kind="numeric")
def w4_joint_multistart(ctx):
    """``solve(model)`` (stationary-curve roots) vs the best of ≥ 20 BFGS runs on the
    joint risk ``L(P, ω)`` of W1 from random starts: same risk (relative 1e-9) and the same
    ``ω`` up to scale (``1 − |cos| ≤ 1e-9``)."""
    models = _dense_models(ctx, max_n=60)[: ctx.scale(1, 4, 100)]
    starts = ctx.scale(20, 20, 40)
    results = []
    for name, model in models:
        sol = landscape.solve(model)
        ms = convex.multistart_joint(model, starts=starts, rng=ctx.rng("W4-joint-" + name))
        results.append(compare([ms.risk, _cosine(ms.omega, sol.omega)], [sol.risk, 1.0], rtol=1e-9,
                               what=name, model=name, starts=starts, solve_risk=sol.risk, multistart_risk=ms.risk,
                               local_risks=np.sort(ms.local_risks)[:5]))
    return combine_results(results, "solve vs joint multi-start (risk, |cos ω|)")


@check("W4", "roots lie in [tau/lambda_max, tau/lambda_min] and give stationary points", kind="numeric")
def w4_roots_stationary(ctx):
    """Each root ``μ`` of ``solve`` lies in ``[τ/λ_max, τ/λ_min]``; at ``ω = (R+(1+μ)I)⁻¹r``
    (dense solve) the W1 gradient at ``(P*(ω), ω)`` vanishes, and ``μ = τ h(b/a)`` with
    ``a, b`` recomputed from ``ω`` (relative 1e-10)."""
    results = []
    cases = _dense_models(ctx) + [("counterexample:three-roots", counterexample_model("three-roots"))]
    for name, model in cases:
        sol = landscape.solve(model)
        lo, hi = model.tau / model.sigma_eigenvalues[-1], model.tau / model.sigma_eigenvalues[0]
        measured, reference = [], []
        outside = 0
        for mu in sol.roots:
            outside += int(not (lo * (1 - 1e-12) <= mu <= hi * (1 + 1e-12)))
            if model.n <= MAX_DENSE_N:
                omega = np.linalg.solve(model.R + (1.0 + mu) * np.eye(model.n), model.r)
            else:  # task model: solve in task space, lift (no n × n matrix)
                omega = np.linalg.solve(model.rho * model.sizes[None, :] + (1 + mu) * np.eye(model.num_tasks),
                                        model.r_task)[model.task_of]
            omega /= np.linalg.norm(omega)
            P = landscape.optimal_preconditioner(model, omega)
            dP, dw = landscape.risk_gradient(model, P, omega)
            grad = np.sqrt(np.sum(dP**2) + np.sum(dw**2)) / (np.linalg.norm(model.r) * model.tau)
            c, a, b = landscape.weight_moments(model, omega)
            mu_from_omega = model.tau * float(landscape.stationary_ratio(model.sigma_eigenvalues, b / a))
            measured += [mu_from_omega, grad]
            reference += [mu, 0.0]
        res = compare(measured, reference, rtol=1e-10, atol=1e-10 * max(1.0, hi), what=name, model=name,
                      roots=sol.roots, bracket=[lo, hi])
        if outside:
            res = CheckResult("failed", float(outside), 0.0, dict(res.details, roots_outside=outside), name)
        results.append(res)
    return combine_results(results, "roots: mu = tau h(b/a) at omega(mu), W1 gradient = 0, inside the bracket")


@check("W4", "root isolation vs dense sign scan", kind="numeric")
def w4_dense_scan(ctx):
    """The certified root count vs the sign changes of ``F(μ) = μ − τh(t(μ))`` on a dense
    log grid (10⁴–10⁵ points): every grid sign change lies in a certified root cell and
    the counts agree."""
    results = []
    cases = list(ctx.models.items()) + [("counterexample:three-roots", counterexample_model("three-roots"))]
    for name, model in cases:
        if not np.any(model.r != 0):
            continue
        sol = landscape.solve(model)
        lo, hi = sol.certificate.bracket
        if hi <= lo * (1 + 1e-12):
            results.append(compare_bool(len(sol.roots) == 1, what=name, measured=0.0, tolerance=0.0,
                                        model=name, note="bracket is a point"))
            continue
        curve = landscape.stationary_curve(model)
        grid = np.geomspace(lo, hi, ctx.scale(10_000, 20_000, 100_000))
        F = curve.F(grid)
        idx = np.nonzero(np.sign(F[1:]) * np.sign(F[:-1]) < 0)[0]
        scan_roots = np.sqrt(grid[idx] * grid[idx + 1])
        near = [np.min(np.abs(np.log(sol.roots / r))) for r in scan_roots]
        far = int(np.sum(np.array(near) > 1e-3)) if near else 0
        miss = abs(len(scan_roots) - sol.certificate.num_roots) + far
        results.append(compare_bool(miss == 0, what=name, measured=float(miss), tolerance=0.0, model=name,
                                    certified_roots=sol.roots, scan_roots=scan_roots))
    return combine_results(results, "certified roots vs dense sign scan (count mismatches)")


# ----------------------------------------------------------------------------- W5
@check("W5", "isotropic closed form vs numerical optimum", kind="numeric")
def w5_isotropic(ctx):
    """For ``Σ = λI`` (λ = 1 and 2.5, each context structure): ``solve`` vs
    ``ω* ∝ (R + (d+1+σ²/λ)I)⁻¹r``, ``L* = τ − dλ rᵀ(R+(d+1+σ²/λ)I)⁻¹r`` (for λ = 1 the
    THEORY form ``d + σ² − d rᵀ(R+(d+1+σ²)I)⁻¹r``) and ``P* ∝ I``; relative 1e-10."""
    results = []
    for name, base in _dense_models(ctx):
        for lam in (1.0, 2.5):
            d = base.d
            model = _with_sigma(base, lam * np.eye(d))
            sol = landscape.solve(model)
            A = model.R + (d + 1 + model.noise / lam) * np.eye(model.n)
            w = np.linalg.solve(A, model.r)
            L_cf = model.tau - d * lam * float(model.r @ w)
            if lam == 1.0:
                L_theory = d + model.noise - d * float(model.r @ w)
            else:
                L_theory = L_cf
            P = sol.P
            off = np.linalg.norm(P - np.trace(P) / d * np.eye(d)) / np.linalg.norm(P)
            results.append(compare([sol.risk, sol.risk, _cosine(sol.omega, w), off], [L_cf, L_theory, 1.0, 0.0],
                                   rtol=1e-10, what=f"{name}, Sigma={lam}I", model=name, lam=lam,
                                   mu_solve=sol.mu, mu_closed_form=d + model.noise / lam))
    return combine_results(results, "solve vs isotropic closed forms (risk, THEORY risk, |cos ω|, P off-identity)")


@check("W5", "solve() agrees with multistart optimisation", kind="numeric")
def w5_multistart(ctx):
    """``solve(model)`` vs the best of ≥ 20 BFGS runs on the ``n``-dimensional profile risk
    (W3) from random starts: same optimal risk (relative 1e-9), same ``ω`` up to scale, and
    no local minimum found below ``solve``'s risk (it is the *global* minimum)."""
    results = []
    for name, model in _dense_models(ctx, max_n=60)[: ctx.scale(1, 4, 100)]:
        sol = landscape.solve(model)
        ms = convex.multistart_profile(model, "free", starts=ctx.scale(20, 20, 50), rng=ctx.rng("W5-ms-" + name))
        below = int(np.sum(ms.local_risks < sol.risk * (1 - 1e-9)))
        res = compare([ms.risk, _cosine(ms.omega, sol.omega)], [sol.risk, 1.0], rtol=1e-9, what=name, model=name,
                      local_risks=np.unique(np.round(ms.local_risks, 12))[:6], below_solve=below)
        if below:
            res = CheckResult("failed", res.measured, res.tolerance, res.details, name + ": a local search beat solve")
        results.append(res)
    return combine_results(results, "solve vs multi-start on the profile risk")


@check("W5", "Hessian of the profile risk on the sphere is positive definite", kind="numeric")
def w5_hessian(ctx):
    """Central-difference Hessian of the profile risk at ``ω*`` on the tangent space of the
    sphere: positive definite (condition number ≤ 1e7) wherever the certificate says
    *unique*; the two (finite differences of W3, root isolation) must agree."""
    results = []
    for name, model in _dense_models(ctx, max_n=60):
        sol = landscape.solve(model)
        cond, ev = _hessian_condition(model, sol.omega)
        ok = (sol.status == "unique") == (cond <= 1e7)
        results.append(compare_bool(ok and cond <= 1e7, what=name, measured=cond, tolerance=1e7, model=name,
                                    certificate=sol.status, eigenvalues=ev[:6]))
    return combine_results(results, "tangent Hessian condition number at the optimum")


@check("W5", "certificate vs branch and bound on the 1-D reduction", kind="numeric")
def w5_certificate(ctx):
    """The uniqueness certificate of ``solve`` (monotone-enclosure root isolation; with
    interval arithmetic outside the quick suite) vs an independent global method: branch
    and bound over ``t`` for ``min_t τ − A(t) rᵀ(R+(1+τh(t))I)⁻¹r`` with a certified lower
    bound.  Same optimal risk (relative 1e-9); the certified lower bound does not exceed
    it; status *unique* on every context model."""
    interval = ctx.suite != "quick"
    results = []
    for name, model in ctx.models.items():
        if not np.any(model.r != 0):
            continue
        sol = landscape.solve(model, interval=interval)
        bnb = convex.solve_constrained(model, "free", method="bnb")
        lower = bnb.details.get("lower_bound", bnb.risk)
        ok = sol.status == "unique" and (not interval or sol.certificate.interval_verified in (True, None)) \
            and bnb.optimal and lower <= sol.risk + 1e-12 * model.tau
        res = compare(bnb.risk if bnb.optimal else np.inf, sol.risk, rtol=1e-9, what=name, model=name,
                      certificate=str(sol.certificate), interval_verified=sol.certificate.interval_verified,
                      bnb_lower_bound=lower, bnb_gap=bnb.gap)
        if not ok:
            res = CheckResult("failed", res.measured, res.tolerance, res.details, name + ": certificate not unique")
        results.append(res)
    return combine_results(results, "root-isolation optimum vs branch-and-bound optimum")


@check("W5", "counterexamples: three roots, and a tie of two global minimisers", kind="numeric")
def w5_counterexamples(ctx):
    """The stored instances of ``proofs/uniqueness.md``: the W4 equation has three roots;
    the outer ones are local minima (tangent Hessian PD), the middle one a saddle; for
    ``three-roots`` the least-risk root is strictly best (unique minimiser), for ``tie`` the
    two outer roots have equal risk (to rounding) with different directions — the global
    minimiser is *not* unique.  The task-wise multi-start BFGS reaches the same optimal
    risk (relative 1e-9)."""
    results = []
    for name in COUNTEREXAMPLES:
        model = counterexample_model(name)
        sol = landscape.solve(model)
        curve = landscape.stationary_curve(model)
        signature = []
        for mu in sol.roots:
            # the Hessian of the task-wise profile (ω = θ[task_of], θ ∈ R^K) on θ^⊥
            ev = _taskwise_hessian_eigs(model, curve.task_weights(mu))
            signature.append(int(np.sum(ev > 0)) - int(np.sum(ev < 0)))
        ms = convex.multistart_profile(model, "taskwise", starts=ctx.scale(10, 20, 40), rng=ctx.rng("W5-ce-" + name))
        expect_status = "unique" if name == "three-roots" else "not unique"
        # distinct directions: the ratio of per-example weights (task 1 / task 2) differs
        ratios = [u[0] / u[1] for u in (curve.task_weights(mu) for mu in sol.roots)]
        spread = abs(ratios[0] - ratios[-1]) / abs(ratios[-1]) if len(ratios) == 3 else 0.0
        ok = (len(sol.roots) == 3 and sol.status == expect_status and signature == [1, -1, 1] and spread > 1e-3)
        res = compare(ms.risk, sol.risk, rtol=1e-9, what=name, model=name, roots=sol.roots,
                      root_risks=sol.root_risks, status=sol.status, hessian_signature=signature,
                      weight_ratios=ratios)
        if not ok:
            res = CheckResult("failed", res.measured, res.tolerance, res.details,
                              f"{name}: expected 3 roots, status {expect_status}, signature [1,-1,1]")
        results.append(res)
    return combine_results(results, "counterexamples to 'one root' (W5)")


def _taskwise_hessian_eigs(model, u, step=1e-5):
    """Eigenvalues of the profile-risk Hessian in task-wise coordinates, on ``u^⊥`` (K−1 of them)."""
    u = u / np.linalg.norm(u)
    K = u.size
    Q, _ = np.linalg.qr(np.column_stack([u, np.eye(K)]))
    B = Q[:, 1:K]

    def f(v):
        return float(landscape.profile_risk(model, v[model.task_of]))

    k = B.shape[1]
    H = np.empty((k, k))
    for i in range(k):
        for j in range(k):
            ei, ej = step * B[:, i], step * B[:, j]
            H[i, j] = (f(u + ei + ej) - f(u + ei - ej) - f(u - ei + ej) + f(u - ei - ej)) / (4 * step**2)
    return np.linalg.eigvalsh((H + H.T) / 2)


@check("W5", "one root and the same optimum as branch and bound (hypothesis, d <= 4)", kind="property")
def w5_property(ctx):
    """On hypothesis-drawn models (``d ≤ 4``, spectra over four decades, negative and
    rank-deficient correlations, noise): the W4 equation has exactly one certified root
    (theorem U2 or conjecture U3 of ``proofs/uniqueness.md``) and the branch-and-bound
    optimum of the 1-D reduction equals ``solve``'s risk (relative)."""
    def disc(model):
        if not np.any(model.r != 0):
            return 0.0
        sol = landscape.solve(model)
        if sol.status != "unique" or len(sol.roots) != 1:
            return float("inf")
        bnb = convex.solve_constrained(model, "free", method="bnb")
        return abs(bnb.risk - sol.risk) / model.tau
    return property_check(ctx, wst.models(max_d=4, max_tasks=3, max_size=4, max_n=5), disc, tol=1e-9,
                          max_examples=(5, 25, 300), what="one root; solve = branch and bound")


# ----------------------------------------------------------------------------- W6
def _w6_r_zero(ctx):
    """With ``r = 0`` (a task model with ``r_task = 0`` and a general one) the profile risk
    at random ``ω`` equals ``τ``; ``solve`` reports status *degenerate* with risk ``τ`` and no
    ``ω``; ``solve_constrained`` reports *degenerate* for every cone."""
    rng = ctx.rng("W6-r0")
    sigma = np.diag([2.0, 0.5])
    models = {
        "task r=0": MultitaskModel.from_tasks([3, 2], [[1.0, 0.3], [0.3, 1.0]], [0.0, 0.0], sigma=sigma, noise=0.3),
        "general r=0": MultitaskModel(sigma, np.eye(4), np.zeros(4), 0.1),
    }
    results = []
    for name, model in models.items():
        W = rng.standard_normal((50, model.n))
        L = landscape.profile_risk(model, W)
        sol = landscape.solve(model)
        cones = [c for c in convex.CONES if c != "taskwise" or model.is_multitask]
        statuses = [convex.solve_constrained(model, c).status for c in cones]
        ok = sol.status == "degenerate" and sol.omega is None and all(s == "degenerate" for s in statuses)
        res = compare(np.append(L, sol.risk), np.full(51, model.tau), rtol=1e-14, what=name, model=name,
                      solve_status=sol.status, constrained_statuses=statuses, message=str(sol.certificate))
        if not ok:
            res = CheckResult("failed", res.measured, res.tolerance, res.details, name + ": not reported degenerate")
        results.append(res)
    return combine_results(results, "r = 0: profile risk = tau; solve/solve_constrained report degenerate")


def _w6_invalid_c(ctx):
    """Non-PSD ``C`` (``|r_i| > 1``, ``ρ`` with a negative eigenvalue, ``rᵀR⁻¹r > 1``) and a
    non-unit diagonal are rejected with a ``ValueError`` naming ``C``; the valid neighbours
    of the same instances are accepted."""
    sigma = np.eye(2)
    bad = {
        "|r| > 1": lambda: MultitaskModel.from_tasks([2], [[1.0]], [1.2], sigma=sigma),
        "rho not PSD": lambda: MultitaskModel.from_tasks([1, 1, 1], [[1, .9, -.9], [.9, 1, .9], [-.9, .9, 1]],
                                                         [0.1, 0.1, 0.1], sigma=sigma),
        "r^T R^-1 r > 1": lambda: MultitaskModel(sigma, np.eye(2), np.array([0.8, 0.8]), 0.0),
        "diag(R) != 1": lambda: MultitaskModel(sigma, 2 * np.eye(2), np.array([0.1, 0.1]), 0.0),
    }
    good = [lambda: MultitaskModel.from_tasks([2], [[1.0]], [1.0], sigma=sigma),
            lambda: MultitaskModel(sigma, np.eye(2), np.array([0.7, 0.7]), 0.0)]
    rejected, messages = 0, {}
    for name, make in bad.items():
        try:
            make()
            messages[name] = "accepted"
        except ValueError as exc:
            rejected += "C" in str(exc)
            messages[name] = str(exc)
    accepted = 0
    for make in good:
        try:
            make()
            accepted += 1
        except ValueError:
            pass
    misses = (len(bad) - rejected) + (len(good) - accepted)
    return compare_bool(misses == 0, what="invalid C rejected, valid C accepted", measured=float(misses),
                        tolerance=0.0, messages=messages)


@check("W6", "r = 0 gives a constant profile; a non-PSD C is rejected", kind="numeric")
def w6_conditions(ctx):
    """Both W6 failure modes: with ``r = 0`` the profile risk at random ``ω`` equals ``τ``
    (relative 1e-14) and ``solve``/``solve_constrained`` report *degenerate*; non-PSD or
    non-unit-diagonal ``C`` is rejected with a ``ValueError`` naming ``C`` while its valid
    neighbours are accepted."""
    return combine_results([_w6_r_zero(ctx), _w6_invalid_c(ctx)], "W6: r = 0 and invalid C")


# ----------------------------------------------------------------------------- A1
def _theory_socp(model):
    r"""THEORY A1 built directly in ``R^n``: ``max ±rᵀω`` s.t. ``‖A^{1/2}ω‖ ≤ 1``, ω monotone,
    ``A = R + (d+1+σ²)I`` (``Σ = I``); returns ``(τ − d v², status)``."""
    import cvxpy as cp

    n, d = model.n, model.d
    A = model.R + (d + 1 + model.noise) * np.eye(n)
    F = np.linalg.cholesky(A).T
    best = 0.0
    for sign in (1.0, -1.0):
        w = cp.Variable(n)
        cons = [cp.norm(F @ w, 2) <= 1, w[0] >= 0] + ([cp.diff(w) >= 0] if n > 1 else [])
        prob = cp.Problem(cp.Maximize(sign * (model.r @ w)), cons)
        prob.solve()
        if prob.status != "optimal":
            return None, prob.status
        w_opt = np.asarray(w.value, dtype=float)
        if float(w_opt @ A @ w_opt) < 0.25:  # optimum w = 0: value 0 for this sign
            continue
        # exact refinement on the face cvxpy identified (the solver itself is ~1e-8 accurate)
        w_opt = convex.polish_monotone(A, sign * model.r, w_opt)
        best = max(best, sign * float(model.r @ w_opt) / np.sqrt(float(w_opt @ A @ w_opt)))
    return model.tau - d * best**2, "optimal"


@check("A1", "SOCP (Sigma = I) vs reduced cvxpy vs exact NNLS vs multi-start", kind="numeric")
def a1_socp(ctx):
    """For ``Σ = I`` with every context correlation structure: the THEORY SOCP in ``R^n``
    (cvxpy) vs ``solve_constrained(model, "monotone")`` (task-space cvxpy) vs the exact
    NNLS projection vs multi-start BFGS-B on the profile risk over the monotone cone
    (relative 1e-9; the cvxpy solutions are refined exactly on the face they identify)."""
    results = []
    for name, base in _dense_models(ctx, max_n=80)[: ctx.scale(2, 100, 1000)]:
        model = _with_sigma(base, np.eye(base.d))
        L_theory, status = _theory_socp(model)
        red = convex.solve_constrained(model, "monotone", inner="cvxpy")
        exact = convex.solve_constrained(model, "monotone", inner="nnls")
        ms = convex.multistart_profile(model, "monotone", starts=ctx.scale(5, 10, 20), rng=ctx.rng("A1-" + name))
        if status != "optimal" or not (red.optimal and exact.optimal):
            results.append(CheckResult("failed", None, 1e-7, {"status": status, "reduced": red.status,
                                                             "exact": exact.status}, name + ": solver failure"))
            continue
        results.append(compare([red.risk, exact.risk, ms.risk], [L_theory] * 3, rtol=1e-9, what=name, model=name))
    return combine_results(results, "A1 SOCP vs reduced SOCP vs NNLS vs multi-start (monotone cone, Sigma = I)")


@check("A1", "branch and bound vs multi-start over the monotone cone (general Sigma)", kind="numeric")
def a1_general_sigma(ctx):
    """For the context models (general ``Σ``): the branch-and-bound optimum over the
    monotone cone (exact reduction to ``t``, NNLS inner program) vs the best of 20 BFGS
    runs (10 in the quick suite) on the ``n``-dimensional profile risk over the cone
    (``ω = cumsum(z²)``; relative 1e-8); the
    certified lower bound lies below both."""
    results = []
    for name, model in _dense_models(ctx, max_n=60)[: ctx.scale(1, 4, 100)]:
        sol = convex.solve_constrained(model, "monotone")
        ms = convex.multistart_profile(model, "monotone", starts=ctx.scale(10, 20, 40), rng=ctx.rng("A1g-" + name))
        if not sol.optimal:
            results.append(CheckResult("failed", None, 1e-8, {"status": sol.status}, name + ": solver failure"))
            continue
        lower = sol.details.get("lower_bound")
        res = compare(ms.risk, sol.risk, rtol=1e-8, what=name, model=name, method=sol.method, gap=sol.gap,
                      lower_bound=lower)
        if lower is not None and lower > min(sol.risk, ms.risk) + 1e-12 * model.tau:
            res = CheckResult("failed", res.measured, res.tolerance, res.details, name + ": lower bound violated")
        results.append(res)
    return combine_results(results, "monotone optimum: branch and bound vs multi-start")


@check("A1", "GLA optimum over the monotone cone (SOCP) vs constructed gates", kind="numeric")
def a1_gates(ctx):
    """The monotone-cone optimum realised by scalar gates: ``g = gates_from_weights(ω/ω_n)``
    (G2 inverse; gates may equal 0 and 1), ``ω_g = gate_weights(g)`` (G1), ``P_g = ω_n P``;
    the WPGD risk of ``(P_g, ω_g)`` — what the one-layer GLA with those gates predicts —
    equals the cone optimum (relative 1e-10: the ``n``-term sums of W1 for ``n`` up to
    10⁶), for ``Σ = I`` (the A1 SOCP) and general ``Σ``."""
    from .. import wpgd

    results = []
    for name, base in _dense_models(ctx, any_task_model=True)[: ctx.scale(1, 100, 1000)]:
        for label, model in ((name + " (Sigma=I)", _with_sigma(base, np.eye(base.d))), (name, base)):
            sol = convex.solve_constrained(model, "monotone", inner="nnls")
            scale = float(sol.omega[-1])
            gates = wpgd.gates_from_weights(sol.omega / scale)
            omega_g = wpgd.gate_weights(gates)
            risk_g = float(landscape.population_risk(model, scale * sol.P, omega_g))
            results.append(compare(risk_g, sol.risk, rtol=1e-10, what=label, model=label,
                                   gates_at_0=int(np.sum(gates[1:] == 0.0)), gates_at_1=int(np.sum(gates[1:] == 1.0)),
                                   gates=gates))
    return combine_results(results, "risk of the gate-realised monotone optimum vs the cone optimum")


# ----------------------------------------------------------------------------- A2 / A3
def _cone_risks(model):
    free = landscape.solve(model)
    mono = convex.solve_constrained(model, "monotone", inner="nnls")  # exact inner program
    unif = convex.solve_constrained(model, "uniform")
    return free, mono, unif


def _monotone_violation(omega):
    """``min_± max(0, −(±ω)_1, −min diff(±ω)) / max|ω|``: 0 iff ``ω`` is monotone up to sign."""
    scale = np.max(np.abs(omega))
    return min(max(0.0, -w[0], -np.min(np.diff(w), initial=0.0)) / scale for w in (omega, -omega))


def _direction_distance(u, v):
    u, v = u / np.linalg.norm(u), v / np.linalg.norm(v)
    return min(np.linalg.norm(u - v), np.linalg.norm(u + v))


def _a2_verdict(model):
    r"""Does the monotone-vs-free gap match the shape of ``ω*``?  Three-valued prediction:
    ``ω*`` clearly outside ``±M`` (violation > 1e-6) ⇒ the monotone optimiser differs from
    ``ω*`` (a first-order quantity) and the risk gap is ≥ 0 (> 0 when the violation exceeds
    1e-3); ``ω*`` in ``±M`` (violation < 1e-10) ⇒ same direction and equal risk;
    in between the instance is too close to the boundary to call."""
    free, mono, _ = _cone_risks(model)
    v = _monotone_violation(free.omega)
    dist = _direction_distance(mono.omega, free.omega)
    gap = (mono.risk - free.risk) / model.tau
    if v > 1e-6:
        agree = dist > 1e-7 and gap >= -1e-12 and (v < 1e-3 or gap > 0)
    elif v < 1e-10:
        agree = dist < 1e-6 and abs(gap) <= 1e-10
    else:
        agree = True
    return agree, {"gap_mono_free": gap, "violation": v, "direction_distance": dist,
                   "free": free.risk, "mono": mono.risk}


@check("A2", "monotone optimum equals the free optimum exactly when omega* is monotone", kind="numeric")
def a2_monotone(ctx):
    """``solve_constrained(model, "monotone")`` vs ``solve(model)``: equal risk (and the same
    ``ω`` up to scale) when ``ω*`` is monotone up to sign, a strict gap (> 1e-9 τ) when it is
    not — the prediction from the shape of ``ω*`` vs the measured gap, on every context
    model and on the isotropic variant of each."""
    results = []
    for name, base in _dense_models(ctx, any_task_model=True)[: ctx.scale(1, 100, 1000)]:
        for label, model in ((name, base), (name + " (Sigma=I)", _with_sigma(base, np.eye(base.d)))):
            agree, info = _a2_verdict(model)
            results.append(compare_bool(agree, what=label, measured=float(not agree), tolerance=0.0, model=label,
                                        **info))
    return combine_results(results, "A2: gap(monotone, free) > 0 iff omega* is not monotone")


@check("A2", "monotone optimum vs free optimum (hypothesis)", kind="property")
def a2_property(ctx):
    """On hypothesis-drawn task models: the monotone-cone optimum equals the free optimum
    iff ``ω*`` is monotone up to sign (strict gap otherwise)."""
    def disc(model):
        if not np.any(model.r != 0):
            return 0.0
        agree, _ = _a2_verdict(model)
        return 0.0 if agree else 1.0
    return property_check(ctx, wst.multitask_models(max_d=3, max_tasks=3, max_size=3), disc, tol=0.0,
                          max_examples=(5, 15, 200), what="A2 on random task models")


def _kkt_tail_sums(model):
    r"""Tail sums ``T_k = Σ_{i≥k} ∂L/∂ω_i`` at ``ω = 𝟙`` (k = 2..n), in units of ``τ/√n``.

    ``𝟙`` satisfies the first-order conditions of the profile risk over the monotone cone
    iff every ``T_k ≥ 0`` (feasible directions at ``𝟙`` are the nondecreasing ``δ``, and
    ``∇Lᵀ𝟙 = 0`` by homogeneity).  A negative ``T_k`` is a descent direction."""
    grad = landscape.profile_risk_gradient(model, np.ones(model.n))
    tails = np.cumsum(grad[::-1])[::-1][1:]
    return tails / (model.tau / np.sqrt(model.n))


def _a3_record(model):
    r"""Ordering and strictness of the cone optima.  ``gap = L_uniform − L_monotone``:

    * ``|gap| ≤ 1e-10 τ`` (``𝟙`` attains the monotone optimum) ⇒ the first-order test at
      ``𝟙`` must hold (tail sums ``≥ −1e-6``);
    * ``gap > 1e-10 τ`` ⇒ the monotone optimiser returned is not ``∝ 𝟙``;
    * a clear first-order failure at ``𝟙`` (a tail sum ``< −1e-3``) ⇒ ``gap > 0``.
    """
    free, mono, unif = _cone_risks(model)
    tau = model.tau
    g_um, g_mf = (unif.risk - mono.risk) / tau, (mono.risk - free.risk) / tau
    ordered = g_um >= -1e-10 and g_mf >= -1e-10
    dev = _direction_distance(mono.omega, np.ones(model.n))
    tails = _kkt_tail_sums(model)
    min_tail = float(tails.min()) if tails.size else 0.0
    if abs(g_um) <= 1e-10:
        strictness_ok = min_tail >= -1e-6
    else:
        strictness_ok = dev > 1e-7
    kkt_ok = min_tail >= -1e-3 or g_um > 0
    return ordered and strictness_ok and kkt_ok, {
        "L_uniform": unif.risk, "L_monotone": mono.risk, "L_free": free.risk,
        "gap_uniform_monotone": g_um, "gap_monotone_free": g_mf,
        "monotone_optimum_distance_to_uniform": dev, "min_tail_sum": min_tail}


@check("A3", "GLA never worse than linear attention; gap as predicted", kind="numeric")
def a3_ordering(ctx):
    """On every context model and its ``Σ = I`` variant: ``L_uniform ≥ L_monotone ≥ L_free``;
    the gap ``L_uniform − L_monotone`` is strictly positive iff the monotone optimum is not
    ``∝ 𝟙``, and whenever the first-order (KKT) test at ``𝟙`` fails (a negative tail sum of
    ``∇L(𝟙)``, computed independently) the gap is strict.  Gaps are recorded."""
    results, table = [], {}
    for name, base in _dense_models(ctx, any_task_model=True)[: ctx.scale(1, 100, 1000)]:
        for label, model in ((name, base), (name + " (Sigma=I)", _with_sigma(base, np.eye(base.d)))):
            ok, info = _a3_record(model)
            table[label] = info
            results.append(compare_bool(ok, what=label, measured=float(not ok), tolerance=0.0, model=label, **info))
    ctx.artifacts["A3"] = {"gaps": table}
    return combine_results(results, "A3 ordering and strictness")


@check("A3", "ordering of the cone optima (hypothesis)", kind="property")
def a3_property(ctx):
    """On hypothesis-drawn task models: ``L_uniform ≥ L_monotone ≥ L_free`` (to 1e-10 τ),
    strict uniform/monotone gap iff the monotone optimum is not ``∝ 𝟙``."""
    def disc(model):
        if not np.any(model.r != 0):
            return 0.0
        ok, _ = _a3_record(model)
        return 0.0 if ok else 1.0
    return property_check(ctx, wst.multitask_models(max_d=3, max_tasks=3, max_size=3), disc, tol=0.0,
                          max_examples=(5, 15, 200), what="A3 on random task models")


__all__ = ["COUNTEREXAMPLES", "counterexample_model", "tangent_hessian"]
