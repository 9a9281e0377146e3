r"""Checks of claim W4 (the stationary curve): :func:`~wpgd_theory.landscape.solve`'s roots vs
BFGS on the joint risk ``L(P, ω)`` (random starts and starts near the certified stationary
points), every root vs the stationarity condition written out with explicit matrices
(``P = c(aΣ+bI)⁻¹``, ``μ = τ tr(PΣPΣ)/tr(PΣPΣ²)``, the W1 gradient), and the root count vs a
dense scan of the W4 equation evaluated the same explicit way (and an mpmath root finder).

Shared helpers, stored instances and explicit references: :mod:`wpgd_theory.claims.optimum`.
"""

from __future__ import annotations

import numpy as np

from .. import convex, landscape
from .core import CheckResult, check, compare, compare_bool
from .optimum import (
    _applicable,
    _cosine,
    _dense_models,
    _explicit_stationarity,
    _explicit_weights,
    _mp_g,
    _mp_moments,
    _r_zero,
    _stored_cases,
)


# ----------------------------------------------------------------------------- W4
@check("W4", "solve vs multi-start BFGS on the joint risk", kind="numeric")
def w4_joint_multistart(ctx):
    """``solve(model)`` (stationary-curve roots) vs the best of BFGS runs on the joint risk
    ``L(P, ω)`` of W1: one start near each certified stationary point (so a narrow basin
    of the global minimum is not missed by luck) plus ≥ 20 random starts;
    same risk (relative 1e-9) and the same ``ω`` up to scale (``1 − |cos| ≤ 1e-9``)."""
    models = [(k, m) for k, m in _dense_models(ctx, max_n=60)[: ctx.scale(1, 4, 100)]]
    starts = ctx.scale(20, 20, 40)
    results = []
    for name, model in models:
        sol = landscape.solve(model)
        curve = landscape.stationary_curve(model)
        seeds = [curve.weights(mu) for mu in sol.roots]
        ms = convex.multistart_joint(model, starts=starts, rng=ctx.rng("W4-joint-" + name), initial=seeds)
        results.append(compare([ms.risk, _cosine(ms.omega, sol.omega)], [sol.risk, 1.0], rtol=1e-9,
                               what=name, model=name, random_starts=starts, stationary_point_starts=len(seeds),
                               solve_risk=sol.risk, multistart_risk=ms.risk, local_risks=np.sort(ms.local_risks)[:5],
                               detectable_effect="a relative risk difference > 1e-9 between solve and the best "
                                                 "local minimum (BFGS converged to gtol 1e-12)"))
    return _applicable(results, "solve vs joint multi-start (risk, |cos ω|)",
                       reference="convex.multistart_joint (BFGS on landscape.population_risk, W1; random starts "
                                 "and starts near the certified stationary points)",
                       subject="landscape.solve (certify.isolate_roots on the stationary curve)")


@check("W4", "roots lie in [τ/λ_max, τ/λ_min] and give stationary points", kind="numeric")
def w4_roots_stationary(ctx):
    """Each root ``μ`` of ``solve`` lies in ``[τ/λ_max, τ/λ_min]``; at ``ω = (R+(1+μ)I)⁻¹r``
    (dense solve) the W1 gradient in ``ω`` at ``P = c(aΣ+bI)⁻¹`` vanishes and
    ``μ = τ tr(PΣPΣ)/tr(PΣPΣ²)`` (relative 1e-9), all written out with explicit matrices
    (no ``landscape`` code on the reference side)."""
    results = []
    for name, model in _dense_models(ctx, any_task_model=True) + _stored_cases():
        sol = landscape.solve(model)
        lam = np.linalg.eigvalsh(model.sigma)
        lo, hi = model.tau / lam[-1], model.tau / lam[0]
        measured, reference = [], []
        outside = 0
        for mu in sol.roots:
            outside += int(not (lo * (1 - 1e-12) <= mu <= hi * (1 + 1e-12)))
            mu_ref, grad = _explicit_stationarity(model, _explicit_weights(model, mu))
            measured += [abs(mu - mu_ref) / mu_ref, grad]  # relative: roots span many decades
            reference += [0.0, 0.0]
        res = compare(measured, reference, rtol=1e-9, atol=1e-9, what=name, model=name,
                      roots=sol.roots, bracket=[lo, hi], note="relative root error and relative gradient")
        if outside:
            res = CheckResult("failed", float(outside), 0.0, dict(res.details, roots_outside=outside), name)
        results.append(res)
    return _applicable(results, "roots: μ = τ tr(PΣPΣ)/tr(PΣPΣ²) at ω(μ), W1 gradient = 0, in the bracket",
                       reference="explicit matrices: omega by np.linalg.solve, P = c (a Sigma + b I)^-1, "
                                 "mu = tau tr(PΣPΣ)/tr(PΣPΣ²), W1 gradient in omega",
                       subject="landscape.solve roots (certify.isolate_roots, landscape.stationary_ratio)")


def _explicit_F(model, grid, chunk=256):
    r"""The W4 equation ``F(μ) = μ − τ tr(PΣPΣ)/tr(PΣPΣ²)`` at ``ω(μ) = (R+(1+μ)I)⁻¹r``,
    ``P = c(aΣ + bI)⁻¹`` (the zero of ``∂L/∂P``), on a grid of ``μ``, by explicit formulas:
    batched dense (or task-space) linear solves for ``ω``, plain sums for ``(c, a, b)`` and
    matrix traces (elementwise for diagonal ``Σ``).  Shares no code with
    :class:`~wpgd_theory.landscape.StationaryCurve` or :mod:`~wpgd_theory.certify`."""
    S = model.sigma
    diag = not np.any(S - np.diag(np.diag(S)))
    out = np.empty(grid.size)
    for k in range(0, grid.size, chunk):
        mu = grid[k:k + chunk]
        if model.is_multitask:
            N = model.sizes.astype(float)
            A = (model.rho * N[None, :])[None] + (1.0 + mu)[:, None, None] * np.eye(model.num_tasks)[None]
            u = np.linalg.solve(A, np.broadcast_to(model.r_task, (mu.size, model.num_tasks))[..., None])[..., 0]
            u = u / np.sqrt(np.sum(N * u * u, axis=1, keepdims=True))
            sv = N * u
            nrm2 = np.sum(N * u * u, axis=1)
            a = np.einsum("gi,ij,gj->g", sv, model.rho, sv) + nrm2
            c = sv @ model.r_task
        else:
            A = model.R[None] + (1.0 + mu)[:, None, None] * np.eye(model.n)[None]
            w = np.linalg.solve(A, np.broadcast_to(model.r, (mu.size, model.n))[..., None])[..., 0]
            w = w / np.linalg.norm(w, axis=1, keepdims=True)
            nrm2 = np.sum(w * w, axis=1)
            a = np.einsum("gi,ij,gj->g", w, model.R, w) + nrm2
            c = w @ model.r
        b = model.tau * nrm2
        if diag:
            sig = np.diag(S)
            p = c[:, None] / (a[:, None] * sig[None, :] + b[:, None])
            t1 = np.sum((p * sig) ** 2, axis=1)
            t2 = np.sum((p * sig) ** 2 * sig, axis=1)
        else:
            P = c[:, None, None] * np.linalg.inv(a[:, None, None] * S[None] + b[:, None, None] * np.eye(model.d)[None])
            SP = S[None] @ P
            SPSP = SP @ SP
            t1 = np.trace(SPSP, axis1=1, axis2=2)
            t2 = np.trace(SPSP @ S[None], axis1=1, axis2=2)
        out[k:k + chunk] = mu - model.tau * t1 / t2
    return out


@check("W4", "root isolation vs a dense scan of the W4 equation written out", kind="numeric")
def w4_dense_scan(ctx):
    """The certified roots vs the sign changes of ``F(μ) = μ − τ tr(PΣPΣ)/tr(PΣPΣ²)`` at
    ``ω(μ)``, ``P = c(aΣ+bI)⁻¹``, computed by explicit formulas (no
    stationary-curve or certificate code) on a dense log grid (2·10³–5·10⁴ points): the
    counts agree and every sign change lies within two grid steps (in ``log μ``) of a
    certified root (the grid's resolution, recorded)."""
    results = []
    cases = [(k, m) for k, m in ctx.models.items() if not _r_zero(m) and (m.n <= 60 or m.is_multitask)]
    for name, model in cases + _stored_cases():
        sol = landscape.solve(model)
        lam = np.linalg.eigvalsh(model.sigma)
        lo, hi = model.tau / lam[-1], model.tau / lam[0]
        if hi <= lo * (1 + 1e-12):  # isotropic Σ: μ = τ/λ exactly
            results.append(compare(sol.roots, [model.tau / lam[0]], rtol=1e-12, what=name, model=name,
                                   note="bracket is a point: mu = tau/lambda"))
            continue
        grid = np.geomspace(lo, hi, ctx.scale(2_000, 10_000, 50_000))
        F = _explicit_F(model, grid)
        idx = np.nonzero(np.sign(F[1:]) * np.sign(F[:-1]) < 0)[0]
        scan_roots = np.sqrt(grid[idx] * grid[idx + 1])
        step = float(np.log(grid[1] / grid[0]))
        near = [float(np.min(np.abs(np.log(sol.roots / r)))) for r in scan_roots]
        far = int(np.sum(np.array(near) > 2 * step)) if near else 0
        miss = abs(len(scan_roots) - sol.certificate.num_roots) + far
        results.append(compare_bool(miss == 0, what=name, measured=float(miss), tolerance=0.0, model=name,
                                    certified_roots=sol.roots, scan_roots=scan_roots,
                                    location_tolerance_log_mu=2 * step,
                                    detectable_effect=f"a missed or extra root, or a root misplaced by more than "
                                                      f"{2 * step:.2g} in log mu"))
    return _applicable(results, "certified roots vs sign changes of the W4 equation written out (count mismatches)",
                       reference="_explicit_F: mu - tau tr(PΣPΣ)/tr(PΣPΣ²) at omega(mu) by batched np.linalg.solve "
                                 "and explicit traces, dense log grid",
                       subject="landscape.solve (certify.isolate_roots on StationaryCurve.g)")


def _mp_w4_roots(model, *, points=400, dps=40):
    r"""Every root of the W4 equation and its profile risk, in ``mpmath`` (``dps`` digits),
    written out from the model data only: the moments ``c, a, ‖ω‖²`` of ``ω(μ)`` by
    :func:`~wpgd_theory.claims.optimum._mp_moments` (task models: ``u(μ) = (ρN + (1+μ)I)⁻¹
    r_task``, ``a = sᵀρs + Σ N u²``, ``s = Nu``), ``b = τ‖ω‖²``, ``t = b/a``,
    ``F(μ) = μ − g(μ)`` with ``g`` of :func:`~wpgd_theory.claims.optimum._mp_g`; sign changes on a
    log grid of ``points`` points over ``[τ/λ_max, τ/λ_min]``, refined by ``findroot`` (Illinois, bracketing).
    Returns ``(roots, risks)`` as floats (risk ``τ − c² Σλ²/(aλ+b)`` at ``‖ω‖ = 1``)."""
    import mpmath as mp

    with mp.workdps(dps):
        lam = [mp.mpf(float(v)) for v in model.sigma_eigenvalues]
        tau = mp.fsum(lam) + mp.mpf(float(model.noise))
        moments = _mp_moments(model)
        g = _mp_g(model, dps)

        def F(mu):
            return mu - g(mu)

        def risk(mu):
            c, a, nrm2 = moments(mu)
            c, a = c / mp.sqrt(nrm2), a / nrm2
            return tau - c**2 * mp.fsum(x**2 / (a * x + tau) for x in lam)

        lo, hi = tau / max(lam), tau / min(lam)
        grid = [lo * (hi / lo) ** (mp.mpf(k) / (points - 1)) for k in range(points)]
        vals = [F(m) for m in grid]
        roots = []
        for k in range(points - 1):
            if vals[k] == 0:
                roots.append(grid[k])
            elif vals[k] * vals[k + 1] < 0:
                roots.append(mp.findroot(F, (grid[k], grid[k + 1]), solver="illinois"))
        return [float(m) for m in roots], [float(risk(m)) for m in roots]
