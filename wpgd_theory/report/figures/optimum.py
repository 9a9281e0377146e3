"""Figures of the optimum family (claims W2–W5): the W4 scalar equation along the
stationary curve, and the profile risk on a 2-D slice through the minimiser."""

from __future__ import annotations

import math

import numpy as np

from ... import landscape
from ...model import MultitaskModel
from . import _base
from ._base import (
    MAX_DENSE_N,
    PALETTE,
    FigureRecord,
    _field,
    _new_figure,
    _slug,
    _solution,
    _Unavailable,
    figure_to_png,
)

__all__ = ["numerical_minimiser", "profile_slice_figure", "w4_function_figure"]


def _eigs(model):
    lam = model.sigma_eigenvalues
    return lam, float(lam[0]), float(lam[-1])


def _w4_values(model, mu):
    """``F(μ)`` and the profile risk along ``ω(μ)``, from :func:`wpgd_theory.landscape.stationary_curve`."""
    if not model.is_multitask and model.n > MAX_DENSE_N:
        raise _Unavailable(f"general-R model with n = {model.n} > {MAX_DENSE_N}: the W4 curve is not drawn")
    curve = landscape.stationary_curve(model)
    mu = np.asarray(mu, dtype=float)
    return curve.F(mu), curve.risk(mu)


def _roots(model, lo, hi):
    from scipy.optimize import brentq

    grid = np.geomspace(lo, hi, 801)
    F, _ = _w4_values(model, grid)
    roots = []
    for i in np.flatnonzero(np.sign(F[:-1]) * np.sign(F[1:]) <= 0):
        if F[i] == 0:
            roots.append(float(grid[i]))
            continue
        roots.append(float(brentq(lambda m: _w4_values(model, np.array([m]))[0][0], grid[i], grid[i + 1],
                                  xtol=1e-13, rtol=1e-12)))
    return sorted(set(roots))


def w4_function_figure(name: str, model: MultitaskModel, ctx=None) -> FigureRecord:
    """The W4 scalar function with its roots, and the profile risk along the curve."""
    rec = FigureRecord(f"w4_function-{_slug(name)}", f"W4 scalar equation — model {name!r}", ("W4", "W5"))
    if not np.any(model.r != 0):
        raise _Unavailable("r = 0: the W4 curve ω(μ) ∝ (R+(1+μ)I)⁻¹r vanishes and the risk is constant (W6)")
    lam, lmin, lmax = _eigs(model)
    tau = model.tau
    lo_b, hi_b = tau / lmax, tau / lmin
    lo, hi = lo_b / 3.0, hi_b * 3.0
    mu = np.geomspace(lo, hi, 400)
    F, L = _w4_values(model, mu)
    roots = _roots(model, lo, hi)
    fig, (ax1, ax2) = _new_figure(6.4, 5.2, 2, 1, sharex=True)
    ax1.axvspan(lo_b, hi_b, color=PALETTE[5], alpha=0.15, label=r"$[\tau/\lambda_{\max}, \tau/\lambda_{\min}]$")
    ax1.plot(mu, F, color=PALETTE[0], label=r"$F(\mu)=\mu-\tau\,h(t(\mu))$")
    ax1.axhline(0.0, color="0.3", lw=0.8)
    ax2.axvspan(lo_b, hi_b, color=PALETTE[5], alpha=0.15)
    ax2.plot(mu, L, color=PALETTE[2], ls="--", label=r"profile risk $L(\omega(\mu))$")
    if roots:
        r_arr = np.array(roots)
        _, Lr = _w4_values(model, r_arr)
        best = int(np.argmin(Lr))
        ax1.plot(r_arr, np.zeros_like(r_arr), ls="none", marker="o", ms=7, mfc="white", mec=PALETTE[1], mew=2,
                 label=f"root{'s' if len(roots) > 1 else ''} ({len(roots)})")
        ax2.plot(r_arr, Lr, ls="none", marker="o", ms=7, mfc="white", mec=PALETTE[1], mew=2, label="at the roots")
        ax2.plot([r_arr[best]], [Lr[best]], ls="none", marker="*", ms=12, color=PALETTE[1],
                 label=f"least risk {Lr[best]:.5g}")
    solve_note = ""
    if _base._solve() is not None:
        try:
            sol = _solution(model)
            risk = float(_field(sol, "risk"))
            ax2.axhline(risk, color=PALETTE[6], lw=1.0, ls=":", label=f"solve(model).risk = {risk:.5g}")
            sroots = np.atleast_1d(np.asarray(_field(sol, "roots"), dtype=float))
            if sroots.size:
                ax1.plot(sroots, np.zeros_like(sroots), ls="none", marker="+", ms=12, mew=2, color=PALETTE[6],
                         label="solve(model).roots")
                solve_note = f" solve(model) reports roots {', '.join(f'{r:.6g}' for r in sroots)}."
        except Exception as exc:  # shown, not hidden
            solve_note = f" solve(model) raised {type(exc).__name__}: {exc}."
    else:
        solve_note = " (wpgd_theory.landscape.solve not available: its risk is not overlaid.)"
    ax1.set_xscale("log")
    for ax in (ax1, ax2):
        ax.minorticks_off()  # dozens of minor tick lines cost ~0.2 s a figure
    ax1.set_ylabel(r"$F(\mu)$")
    ax2.set_ylabel("profile risk")
    ax2.set_xlabel(r"$\mu$ (log scale)")
    ax1.set_title(rec.title)
    ax1.legend(loc="best")
    ax2.legend(loc="best")
    rec.png = figure_to_png(fig)
    rec.caption = (f"Roots of F: {', '.join(f'{r:.6g}' for r in roots) or 'none found'} "
                   f"(τ = {tau:.4g}, λ ∈ [{lmin:.4g}, {lmax:.4g}]); every stationary point of the profile risk with "
                   f"rᵀω ≠ 0 lies on the curve at a root.{solve_note}")
    return rec


# --------------------------------------------------------------------------- minimiser
def _profile_and_grad(model, omega):
    lam = model.sigma_eigenvalues
    tau = model.tau
    c = float(model.r @ omega)
    Romega = model.R_matvec(omega) + omega
    a = float(omega @ Romega)
    b = tau * float(omega @ omega)
    den = a * lam + b
    S = float(np.sum(lam**2 / den))
    dSa = -float(np.sum(lam**3 / den**2))
    dSb = -float(np.sum(lam**2 / den**2))
    val = tau - c * c * S
    grad = -2.0 * c * S * model.r - c * c * (dSa * 2.0 * Romega + dSb * 2.0 * tau * omega)
    return val, grad


def numerical_minimiser(model, rng=None):
    """A minimiser of the profile risk by BFGS from several starts (fallback for figures)."""
    from scipy.optimize import minimize

    if model.n > MAX_DENSE_N:
        raise _Unavailable(f"n = {model.n} > {MAX_DENSE_N}: no numerical fallback for ω*")
    rng = rng or np.random.default_rng(0)
    starts = [model.r.copy(), np.ones(model.n)] + [rng.standard_normal(model.n) for _ in range(2)]
    best = None
    for w0 in starts:
        if not np.any(w0):
            continue
        w0 = w0 / np.linalg.norm(w0)
        res = minimize(lambda w: _profile_and_grad(model, w), w0, jac=True,
                       method="BFGS" if model.n <= 200 else "L-BFGS-B", options={"maxiter": 2000, "gtol": 1e-10})
        if best is None or res.fun < best.fun:
            best = res
    w = best.x / np.linalg.norm(best.x)
    return w * (1.0 if model.r @ w >= 0 else -1.0), "numerical minimiser of the profile risk (BFGS, 4 starts)"


def _reference_omega(model, ctx=None):
    if _base._solve() is not None:
        omega = np.asarray(_field(_solution(model), "omega"), dtype=float)
        return omega, "ω* = solve(model).omega"
    rng = ctx.rng("report-figures") if ctx is not None and hasattr(ctx, "rng") else None
    return numerical_minimiser(model, rng)


# --------------------------------------------------------------------------- slice
def profile_slice_figure(name: str, model: MultitaskModel, ctx=None) -> FigureRecord:
    """Profile risk on the plane (ω̂, r⊥): the valley of minimisers along the scaling ray."""
    rec = FigureRecord(f"profile_slice-{_slug(name)}", f"Profile risk on a 2-D slice — model {name!r}",
                       ("W2", "W3", "W5"))
    if not np.any(model.r != 0):
        raise _Unavailable("r = 0: the profile risk is constant (= τ) in ω (W6); nothing to slice")
    omega, how = _reference_omega(model, ctx)
    u = omega / np.linalg.norm(omega)
    v = model.r - (model.r @ u) * u
    if np.linalg.norm(v) <= 1e-8 * np.linalg.norm(model.r):
        v = np.ones(model.n) - u.sum() * u
        vlabel = "(1,…,1)⊥"
    else:
        vlabel = "r⊥"
    if np.linalg.norm(v) <= 1e-8 * math.sqrt(model.n):
        v = np.zeros(model.n)
        v[int(np.argmin(np.abs(u)))] = 1.0
        v -= (v @ u) * u
        vlabel = "e⊥"
    v /= np.linalg.norm(v)
    # L on the plane from six scalars: exact for ω = αu + βv (u ⟂ v, unit).
    Ru, Rv = model.R_matvec(u) + u, model.R_matvec(v) + v
    cu, cv = model.r @ u, model.r @ v
    auu, auv, avv = u @ Ru, u @ Rv, v @ Rv
    lam = model.sigma_eigenvalues
    g = np.linspace(-1.6, 1.6, 161)
    A, B = np.meshgrid(g, g)
    c = A * cu + B * cv
    a = A**2 * auu + 2 * A * B * auv + B**2 * avv
    b = model.tau * (A**2 + B**2)
    with np.errstate(divide="ignore", invalid="ignore"):
        L = model.tau - c**2 * np.sum(lam**2 / (a[..., None] * lam + b[..., None]), axis=-1)
    L[(A**2 + B**2) < 1e-12] = np.nan
    Lstar = float(landscape.profile_risk(model, omega))
    fig, ax = _new_figure(6.0, 4.8)
    levels = np.linspace(np.nanmin(L), np.nanmax(L), 25)
    cs = ax.contourf(A, B, L, levels=levels, cmap="viridis")
    ax.contour(A, B, L, levels=levels[::3], colors="white", linewidths=0.4, alpha=0.6)
    fig.colorbar(cs, ax=ax, label=r"profile risk $L(\omega)$")
    ax.plot([-1.6, 1.6], [0, 0], color=PALETTE[1], ls="--", lw=2.2,
            label=r"valley $\{c\,\hat\omega\}$: all minimisers (W2)")
    ax.plot([1.0, -1.0], [0, 0], ls="none", marker="*", ms=13, color=PALETTE[4], mec="black",
            label=f"±ω̂/‖ω̂‖, L = {Lstar:.5g}")
    ax.set_xlabel(r"$\alpha$ (along $\hat\omega/\|\hat\omega\|$)")
    ax.set_ylabel(rf"$\beta$ (along {vlabel}, normalised)")
    ax.set_aspect("equal")
    ax.grid(False)
    ax.set_title(rec.title)
    ax.legend(loc="lower left", framealpha=0.9)
    rec.png = figure_to_png(fig)
    rec.caption = (f"Profile risk on the plane spanned by ω̂ ({how}) and {vlabel} (orthogonalised against ω̂). "
                   "L is homogeneous of degree 0, so its level sets are rays from the origin (undefined at 0); "
                   "the minimum is attained along the whole ray through ±ω̂, the scaling symmetry of W2.")
    return rec


# --------------------------------------------------------------------------- projections
