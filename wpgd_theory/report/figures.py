r"""Figures of the verification report (matplotlib, Agg canvas, no global pyplot state).

Each figure is computed here from the public API, or taken from what the checks left in
the context, and is attached to the claims it illustrates.  When its inputs are not
available the figure is *skipped with a note* (shown in the report) — never faked.

Figures and their inputs:

``w4_function-<model>`` (W4, W5)
    The scalar function ``F(μ) = μ − τ h(t(μ))`` of claim W4 along the curve
    ``ω(μ) ∝ (R + (1+μ)I)⁻¹ r``, its roots (sign changes refined by Brent's method)
    marked, the interval ``[τ/λ_max, τ/λ_min]`` shaded, and below it the profile risk
    ``L(ω(μ))`` (:func:`~wpgd_theory.landscape.weight_moments`), with the risk reported
    by ``solve(model)`` when :func:`wpgd_theory.landscape.solve` exists.
``profile_slice-<model>`` (W2, W3, W5)
    The profile risk on the plane spanned by a minimiser ``ω̂`` and ``r⊥`` (``r``
    orthogonalised against ``ω̂``).  ``L`` is homogeneous of degree 0, so level sets are
    rays and the minimisers form the valley ``{cω̂}``.  ``ω̂`` is ``solve(model).omega``
    when ``solve`` exists, otherwise a numerical minimiser of
    :func:`~wpgd_theory.landscape.profile_risk` (BFGS, several starts; labelled so).
``omega_projections-<model>`` (A2, A3, A4)
    ``ω*`` beside the best monotone weights (``solve_constrained(model, "monotone")``)
    and the uniform weights of linear attention, normalised to ``max|ω| = 1``; needs
    :func:`wpgd_theory.convex.solve_constrained`.
``risk_vs_n`` (T1, A3)
    Optimal risk over the uniform, monotone and free (and task-wise) weight classes as
    the segments grow, with trained models overlaid from ``ctx.artifacts["T1"]``.
``risk_vs_depth`` (T2)
    Trained risk vs depth from ``ctx.artifacts["T2"]``.

Artifact formats read (all keys optional unless stated; lists aligned with the x axis)::

    ctx.artifacts["T1"] = {"model": name, "n": [...],                # "n" required
                           "theory": {"uniform": [...], "monotone": [...], "free": [...]},
                           "trained": {"LinAtt": [...], "scalar GLA": [...], ...},
                           "trained_se": {"LinAtt": [...], ...}}
    ctx.artifacts["T2"] = {"depth": [...],                           # required ("layers" also read)
                           "trained": [...] or {label: [...]},      # at least one series
                           "wpgd": [...] or {label: [...]},         # causal multi-step WPGD risk
                           "trained_se": [...] or {label: [...]}}

Figures that checks put in ``ctx.figures`` (a matplotlib ``Figure`` or PNG bytes) are
included as they are, in the section of the claim whose check made them.

Every figure drawn here is also written as SVG and PDF (``figures/<name>.svg``,
``figures/<name>.pdf``, for papers) beside the PNG that the HTML report embeds.  One
matplotlib style, :data:`STYLE` (apply it with :func:`style`), is used by the report and by
the documentation's example gallery.
"""

from __future__ import annotations

import importlib
import io
import math
import re
import time
from dataclasses import dataclass

import numpy as np

from .. import landscape
from ..model import MultitaskModel

__all__ = ["FigureRecord", "make_figures", "figure_to_png", "figure_to_vector", "COMPUTED_FIGURES", "STYLE",
           "style"]

#: Most models for which the per-model figures are drawn (the first ones in the context).
MAX_MODELS = 4
#: Largest ``n`` for which dense fallbacks (numerical minimiser, general-R curve) run.
MAX_DENSE_N = 2000
#: Seconds the risk-vs-n sweep may spend in solvers before it stops adding points.
SWEEP_BUDGET_S = 2.0

# Okabe–Ito colour-blind-safe palette; every series also has its own marker/line style.
PALETTE = ["#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#000000"]
MARKERS = ["o", "s", "^", "D", "v", "P", "X"]
LINESTYLES = ["-", "--", "-.", ":", "-", "--", "-."]

#: The matplotlib style of the report's figures and of the docs' example gallery.
STYLE = {
    "font.size": 10, "axes.titlesize": 11, "axes.labelsize": 10, "legend.fontsize": 8.5,
    "xtick.labelsize": 9, "ytick.labelsize": 9, "lines.linewidth": 1.8, "lines.markersize": 5,
    "axes.grid": True, "grid.alpha": 0.3, "axes.spines.top": False, "axes.spines.right": False,
    "savefig.dpi": 110, "figure.dpi": 100, "svg.hashsalt": "wpgd", "mathtext.fontset": "dejavusans",
    "axes.prop_cycle": f"cycler('color', {PALETTE!r})",
    "svg.fonttype": "path",
}


def style():
    """Apply :data:`STYLE` to matplotlib's global settings (for scripts and notebooks; the
    report itself uses it in a ``rc_context`` and leaves global settings alone)."""
    import matplotlib

    matplotlib.rcParams.update(STYLE)


@dataclass
class FigureRecord:
    """A figure of the report: PNG bytes, or ``png=None`` and a note saying why not."""

    name: str
    title: str
    claims: tuple
    caption: str = ""
    png: bytes | None = None
    note: str = ""
    source: str = "report"
    svg: bytes | None = None
    pdf: bytes | None = None

    @property
    def status(self) -> str:
        return "ok" if self.png is not None else "skipped"

    @property
    def file(self) -> str | None:
        return f"figures/{self.name}.png" if self.png is not None else None

    @property
    def files(self) -> dict:
        """``{"<name>.png": bytes, "<name>.svg": ..., "<name>.pdf": ...}`` for what was drawn."""
        out = {}
        for ext in ("png", "svg", "pdf"):
            data = getattr(self, ext)
            if data is not None and self.png is not None:
                out[f"{self.name}.{ext}"] = data
        return out


class _Unavailable(Exception):
    """Inputs of a figure are missing; the message is the note shown in the report."""


def _slug(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9_.-]+", "-", str(text)).strip("-") or "figure"


def _optional(module: str, name: str):
    """``module.name`` if importable, else ``None`` (lazy: other parts may not exist yet)."""
    try:
        mod = importlib.import_module(module)
    except Exception:
        return None
    return getattr(mod, name, None)


def _solve():
    return _optional("wpgd_theory.landscape", "solve")


def _solve_constrained():
    return _optional("wpgd_theory.convex", "solve_constrained")


_SOLUTIONS: dict = {}  # id(model) -> (model, solution): one solve per model per make_figures call


def _solution(model):
    """``solve(model)`` (cached for the current :func:`make_figures` call), or ``None``."""
    solve = _solve()
    if solve is None:
        return None
    hit = _SOLUTIONS.get(id(model))
    if hit is not None and hit[0] is model:
        return hit[1]
    sol = solve(model)
    _SOLUTIONS[id(model)] = (model, sol)
    return sol


def _field(obj, name):
    if isinstance(obj, dict):
        return obj.get(name)
    return getattr(obj, name, None)


def _new_figure(width=6.4, height=4.0, nrows=1, ncols=1, **kw):
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    # Fixed margins instead of a layout engine: constrained layout costs ~0.3 s a figure.
    fig = Figure(figsize=(width, height))
    FigureCanvasAgg(fig)
    axes = fig.subplots(nrows, ncols, **kw)
    fig.subplots_adjust(left=0.12, right=0.97, bottom=0.11, top=0.92, hspace=0.12)
    return fig, axes


_RENDERED: list | None = None  # figures rendered by figure_to_png inside make_figures (for vector copies)


def figure_to_vector(fig, fmt: str) -> bytes:
    """Render a matplotlib figure as ``"svg"`` or ``"pdf"`` bytes (deterministic: no date,
    fixed SVG ids)."""
    import matplotlib

    if fmt not in ("svg", "pdf"):
        raise ValueError(f"fmt must be 'svg' or 'pdf', got {fmt!r}")
    buf = io.BytesIO()
    meta = {"Date": None, "Creator": None} if fmt == "svg" else {"CreationDate": None, "Creator": None,
                                                                  "Producer": None}
    with matplotlib.rc_context({"svg.hashsalt": "wpgd"}):
        fig.savefig(buf, format=fmt, metadata=meta, facecolor="white")
    return buf.getvalue()


def figure_to_png(fig) -> bytes:
    """Render a matplotlib figure (or pass PNG bytes through) to PNG bytes."""
    if _RENDERED is not None and not isinstance(fig, (bytes, bytearray)):
        _RENDERED.append(fig)
    if isinstance(fig, (bytes, bytearray)):
        data = bytes(fig)
        if not data.startswith(b"\x89PNG"):
            raise TypeError("figure bytes are not a PNG image")
        return data
    if not hasattr(fig, "savefig"):
        raise TypeError(f"a figure must be a matplotlib Figure or PNG bytes, got {type(fig).__name__}")
    import matplotlib

    buf = io.BytesIO()
    with matplotlib.rc_context({"savefig.dpi": STYLE["savefig.dpi"]}):
        if getattr(fig, "canvas", None) is None or type(fig.canvas).__name__ == "FigureCanvasBase":
            from matplotlib.backends.backend_agg import FigureCanvasAgg

            FigureCanvasAgg(fig)
        fig.savefig(buf, format="png", metadata={"Software": None}, facecolor="white")
    return buf.getvalue()


# --------------------------------------------------------------------------- W4 curve
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
    if _solve() is not None:
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
    if _solve() is not None:
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
def omega_projections_figure(name: str, model: MultitaskModel, ctx=None) -> FigureRecord:
    """ω* beside the best monotone and the uniform weights."""
    rec = FigureRecord(f"omega_projections-{_slug(name)}", f"ω* vs monotone and uniform optima — model {name!r}",
                       ("A2", "A3", "A4"))
    sc = _solve_constrained()
    if sc is None:
        raise _Unavailable("wpgd_theory.convex.solve_constrained is not available: the best monotone weights "
                           "cannot be computed")
    if not np.any(model.r != 0):
        raise _Unavailable("r = 0: every ω has the same risk (W6)")
    omega, how = _reference_omega(model, ctx)
    mono = np.asarray(_field(sc(model, "monotone"), "omega"), dtype=float)
    series = [("ω* = solve(model).omega" if "solve" in how else "ω̂ (numerical minimiser)", omega),
              ("best monotone (scalar GLA, A1)", mono), ("uniform (linear attention)", np.ones(model.n))]
    if model.is_multitask and model.num_tasks > 1:
        try:
            series.append(("best task-wise (A4)", np.asarray(_field(sc(model, "taskwise"), "omega"), dtype=float)))
        except Exception:
            pass
    fig, ax = _new_figure(6.6, 4.0)
    idx = np.arange(1, model.n + 1)
    many = model.n > 60
    for k, (label, w) in enumerate(series):
        risk = float(landscape.profile_risk(model, w)) if np.any(w) else float("nan")
        s = 1.0 if model.r @ w >= 0 else -1.0
        w = s * w / (np.max(np.abs(w)) or 1.0)
        ax.step(idx, w, where="mid", color=PALETTE[k], ls=LINESTYLES[k], marker=None if many else MARKERS[k],
                ms=4, label=f"{label}: L = {risk:.5g}")
    if model.is_multitask:
        for start in np.cumsum(model.sizes)[:-1]:
            ax.axvline(start + 0.5, color="0.5", lw=0.8, ls=":")
    ax.set_xlabel("example index i (dotted: task boundaries)")
    ax.set_ylabel(r"$\omega_i$ / max$|\omega|$ (sign: $r^\top\omega>0$)")
    ax.set_title(rec.title)
    ax.legend(loc="best")
    rec.png = figure_to_png(fig)
    rec.caption = ("Weights normalised to max|ω| = 1 with rᵀω > 0; L is the profile risk of each, computed by "
                   "landscape.profile_risk (not taken from the solvers). Scalar gating reaches the monotone curve, "
                   "linear attention the flat one.")
    return rec


# --------------------------------------------------------------------------- risk vs n
def _series(obj):
    if obj is None:
        return {}
    if isinstance(obj, dict):
        return {str(k): v for k, v in obj.items() if isinstance(v, (list, tuple, np.ndarray))}
    return {"": obj}


def _as_float_list(values):
    return np.array([np.nan if v is None else float(v) for v in values], dtype=float)


def _pick_sweep_model(models, preferred=None):
    if preferred and preferred in models:
        return preferred, models[preferred]
    for name in ("multitask-nonmonotone",):
        if name in models:
            return name, models[name]
    for name, m in models.items():
        if m.is_multitask and m.num_tasks > 1:
            return name, m
    for name, m in models.items():
        if m.is_multitask:
            return name, m
    return None, None


def risk_vs_n_figure(models: dict, ctx=None) -> FigureRecord:
    """Optimal risk of each weight class vs n, with trained models from ``artifacts['T1']``."""
    rec = FigureRecord("risk_vs_n", "Optimal risk vs n by weight class (T1)", ("T1", "A3"))
    art = (getattr(ctx, "artifacts", None) or {}).get("T1") if ctx is not None else None
    art = art if isinstance(art, dict) else {}
    notes = []
    theory, n_theory = {}, None
    own_theory = art.get("n") is not None and bool(_series(art.get("theory")))
    sweep_name = None
    if own_theory:
        n_theory = _as_float_list(art["n"])
        theory = {k: _as_float_list(v) for k, v in _series(art["theory"]).items()}
        notes.append("theory curves as recorded by the T1 checks")
    else:
        sweep_name, base = _pick_sweep_model(models, art.get("model"))
        name = sweep_name
        sc = _solve_constrained()
        if base is None:
            raise _Unavailable("no multitask model in the context to grow with n")
        if sc is None:
            raise _Unavailable("wpgd_theory.convex.solve_constrained is not available and no T1 artifacts were "
                               "recorded: the monotone optimum cannot be computed")
        solve = _solve()
        classes = ["uniform", "monotone", "free"] + (["taskwise"] if base.num_tasks > 1 else [])
        theory = {k: [] for k in classes}
        ns = []
        t0 = time.perf_counter()
        for mult in (1, 2, 4, 8, 16):
            if time.perf_counter() - t0 > SWEEP_BUDGET_S and len(ns) >= 2:
                notes.append(f"sweep stopped at n = {ns[-1]} (time budget {SWEEP_BUDGET_S:g} s)")
                break
            m = MultitaskModel.from_tasks(base.sizes * mult, base.rho, base.r_task, sigma=base.sigma,
                                          noise=base.noise)
            ns.append(m.n)
            theory["uniform"].append(float(landscape.profile_risk(m, np.ones(m.n))))
            theory["monotone"].append(float(_field(sc(m, "monotone"), "risk")))
            theory["free"].append(float(_field(_solution(m) if solve is not None else sc(m, "free"), "risk")))
            if "taskwise" in theory:
                theory["taskwise"].append(float(_field(sc(m, "taskwise"), "risk")))
        n_theory = np.array(ns, dtype=float)
        theory = {k: np.array(v) for k, v in theory.items()}
        notes.append(f"theory: model {name!r} with every segment scaled by 1, 2, 4, ...")
    trained = {k: _as_float_list(v) for k, v in _series(art.get("trained")).items()}
    trained_se = {k: _as_float_list(v) for k, v in _series(art.get("trained_se")).items()}
    n_trained = _as_float_list(art["n"]) if art.get("n") is not None else None
    fig, ax = _new_figure(8.6, 4.2)
    fig.subplots_adjust(left=0.09, right=0.67)  # the legend sits beside the axes, never over a curve
    for k, (label, vals) in enumerate(theory.items()):
        ax.plot(n_theory, vals, color=PALETTE[k], ls=LINESTYLES[k], marker=MARKERS[k], label=f"optimum: {label}")
    if trained and not own_theory and art.get("model") != sweep_name:
        # Trained risks belong to the model they were trained on: never overlay them on
        # theory curves of another model.
        notes.append("trained risks not overlaid: ctx.artifacts['T1'] does not name the model "
                     f"{sweep_name!r} the theory curves are for")
        trained = {}
    if trained and n_trained is not None:
        for k, (label, vals) in enumerate(trained.items()):
            se = trained_se.get(label)
            ax.errorbar(n_trained, vals, yerr=None if se is None else 2 * se, ls="none",
                        marker=MARKERS[(k + 3) % len(MARKERS)], ms=8, mfc="white", mew=1.8,
                        color=PALETTE[(k + 3) % len(PALETTE)], capsize=3, label=f"trained: {label or 'model'}")
        notes.append("trained models: held-out Monte Carlo risk, error bars ±2 SE"
                     + ("; '(exact)': the closed-form risk of the WPGD probed from the trained model (no sampling "
                        "error)" if any(lab.endswith("(exact)") for lab in trained) else ""))
    elif not any("not overlaid" in n for n in notes):
        notes.append("no trained models recorded (ctx.artifacts['T1'] absent or without 'trained')")
    ax.set_xscale("log")
    ax.minorticks_off()
    ax.set_xticks(n_theory, [f"{int(v)}" for v in n_theory])
    ax.set_xlabel("number of in-context examples n (log scale)")
    ax.set_ylabel("risk")
    ax.set_title(rec.title)
    ax.legend(loc="upper left", bbox_to_anchor=(1.02, 1.0), borderaxespad=0.0, framealpha=0.9)
    rec.png = figure_to_png(fig)
    rec.caption = "Lower is better; uniform = linear attention, monotone = scalar-gated GLA. " + "; ".join(notes) + "."
    return rec


def risk_vs_depth_figure(models: dict, ctx=None) -> FigureRecord:
    """Trained risk vs depth from ``artifacts['T2']``."""
    rec = FigureRecord("risk_vs_depth", "Trained risk vs depth (T2)", ("T2",))
    art = (getattr(ctx, "artifacts", None) or {}).get("T2") if ctx is not None else None
    if not isinstance(art, dict):
        raise _Unavailable("no T2 artifacts recorded (ctx.artifacts['T2']): the T2 training checks did not run "
                           "in this suite or are not implemented yet")
    depth = art.get("depth", art.get("layers"))
    trained, wpgd_ = _series(art.get("trained")), _series(art.get("wpgd"))
    if depth is None or not (trained or wpgd_):
        raise _Unavailable("ctx.artifacts['T2'] lacks 'depth' or any risk series")
    x = _as_float_list(depth)
    se = {k: _as_float_list(v) for k, v in _series(art.get("trained_se")).items()}
    fig, ax = _new_figure(6.0, 4.0)
    k = 0
    for label, vals in wpgd_.items():
        ax.plot(x, _as_float_list(vals), color=PALETTE[k], ls=LINESTYLES[k], marker=MARKERS[k],
                label=f"causal multi-step WPGD{': ' + label if label else ''}")
        k += 1
    for label, vals in trained.items():
        e = se.get(label)
        ax.errorbar(x, _as_float_list(vals), yerr=None if e is None else 2 * e, color=PALETTE[k], ls="none",
                    marker=MARKERS[k], ms=8, mfc="white", mew=1.8, capsize=3,
                    label=f"trained GLA{': ' + label if label else ''}")
        k += 1
    ax.set_xlabel("layers L")
    ax.set_xticks(x)
    ax.set_ylabel("risk")
    ax.set_title(rec.title + (f" — model {art['model']!r}" if art.get("model") else ""))
    ax.legend(loc="best")
    rec.png = figure_to_png(fig)
    rec.caption = "Error bars: ±2 standard errors where recorded."
    return rec


def architectures_figure(models: dict, ctx=None) -> FigureRecord:
    """Best in-context risk of each real architecture's weight class vs ``n`` (issue 13),
    drawn when the G1 architecture check ran (``artifacts['architectures']``)."""
    rec = FigureRecord("architectures_risk_vs_n", "Best risk per architecture vs n", ("G1",))
    art = (getattr(ctx, "artifacts", None) or {}).get("architectures") if ctx is not None else None
    if not art:
        raise _Unavailable("the G1 check of the real architectures did not run")
    from ..architectures.table import risk_vs_n

    data = risk_vs_n()
    by_class: dict = {}
    for name, cls in data["weight_class"].items():
        if cls != "none":
            by_class.setdefault(cls, []).append(name)
    fig, ax = _new_figure(6.4, 4.2)
    for k, (cls, names) in enumerate(sorted(by_class.items())):
        risks = data["risk"][names[0]]
        ax.plot(data["n"], [np.nan if v is None else v for v in risks], color=PALETTE[k % len(PALETTE)],
                ls=LINESTYLES[k % len(LINESTYLES)], marker=MARKERS[k % len(MARKERS)],
                label=f"{cls}: {', '.join(names)}")
    ax.set_xlabel("n (examples in the prompt)")
    ax.set_ylabel("best in-context risk of the class")
    ax.set_title(rec.title)
    ax.legend(loc="best", fontsize=7)
    rec.png = figure_to_png(fig)
    rec.caption = ("Three equal tasks, the query's task in the middle (r_task = (0.2, 0.9, 0.1)): each line is the "
                   "best risk of a weight class; the architectures realising it are named in the legend.")
    return rec


#: Figures computed by the report: (key, claims, per-model?, function).
COMPUTED_FIGURES = (
    ("w4_function", ("W4", "W5"), True, w4_function_figure),
    ("profile_slice", ("W2", "W3", "W5"), True, profile_slice_figure),
    ("omega_projections", ("A2", "A3", "A4"), True, omega_projections_figure),
    ("risk_vs_n", ("T1", "A3"), False, risk_vs_n_figure),
    ("risk_vs_depth", ("T2",), False, risk_vs_depth_figure),
    ("architectures_risk_vs_n", ("G1",), False, architectures_figure),
)


def _add_vectors(rec: FigureRecord) -> None:
    """SVG and PDF copies of the figure whose PNG ``rec`` just received (if it was a Figure)."""
    fig = _RENDERED[-1] if _RENDERED else None
    _RENDERED.clear()
    if rec.png is None or fig is None:
        return
    try:
        rec.svg, rec.pdf = figure_to_vector(fig, "svg"), figure_to_vector(fig, "pdf")
    except Exception:  # the PNG is the figure of record; a vector copy is a convenience
        rec.svg = rec.pdf = None


def make_figures(outcomes, ctx, claim_ids=None, *, vector: bool = True) -> list:
    """All figures for a run: the checks' own, then the computed ones for claims in the run.

    Never raises for a figure: a failure becomes a skipped :class:`FigureRecord` with the
    reason as its note.  With ``vector`` every matplotlib figure is also kept as SVG and PDF.
    """
    global _RENDERED
    _RENDERED = []
    try:
        return _make_figures(outcomes, ctx, claim_ids, vector)
    finally:
        _RENDERED = None


def _make_figures(outcomes, ctx, claim_ids, vector) -> list:
    import matplotlib

    ids = set(claim_ids if claim_ids is not None else [o.claim.id for o in outcomes])
    _SOLUTIONS.clear()
    records = []
    seen = set()
    with matplotlib.rc_context(STYLE):
        for out in outcomes:
            for fname, fig in getattr(out, "figures", {}).items():
                base = _slug(f"{out.claim.id}-{fname}")
                name, i = base, 2
                while name in seen:
                    name, i = f"{base}-{i}", i + 1
                seen.add(name)
                rec = FigureRecord(name, str(fname), (out.claim.id,), source=f"check of {out.claim.id}")
                if isinstance(fig, dict):  # rendered on a Dask worker (wpgd_theory.parallel): data, not a Figure
                    try:
                        rec.png = figure_to_png(fig.get("png"))
                        if vector:
                            rec.svg, rec.pdf = fig.get("svg"), fig.get("pdf")
                    except Exception as exc:
                        rec.note = f"could not render: {type(exc).__name__}: {exc}"
                    records.append(rec)
                    continue
                try:
                    rec.png = figure_to_png(fig)
                except Exception as exc:
                    rec.note = f"could not render: {type(exc).__name__}: {exc}"
                if vector:
                    _add_vectors(rec)
                _RENDERED.clear()
                records.append(rec)
        models = dict(getattr(ctx, "models", {}) or {})
        per_model = list(models.items())[:MAX_MODELS]
        for key, claims, is_per_model, func in COMPUTED_FIGURES:
            if not ids & set(claims):
                continue
            jobs = [(n, m) for n, m in per_model] if is_per_model else [(None, None)]
            for mname, model in jobs:
                name = f"{key}-{_slug(mname)}" if is_per_model else key
                try:
                    rec = func(mname, model, ctx) if is_per_model else func(models, ctx)
                except _Unavailable as exc:
                    rec = FigureRecord(name, _default_title(key, mname), claims, note=str(exc))
                except Exception as exc:  # a figure bug must not lose the report
                    rec = FigureRecord(name, _default_title(key, mname), claims,
                                       note=f"not drawn: {type(exc).__name__}: {exc}")
                if vector:
                    _add_vectors(rec)
                _RENDERED.clear()
                records.append(rec)
            if is_per_model and len(models) > MAX_MODELS:
                records[-1].caption += f" (per-model figures drawn for the first {MAX_MODELS} models only)"
    _SOLUTIONS.clear()
    return records


def _default_title(key, mname):
    titles = {"w4_function": "W4 scalar equation", "profile_slice": "Profile risk on a 2-D slice",
              "omega_projections": "ω* vs monotone and uniform optima", "risk_vs_n": "Optimal risk vs n (T1)",
              "risk_vs_depth": "Trained risk vs depth (T2)",
              "architectures_risk_vs_n": "Best risk per architecture vs n"}
    return titles[key] + (f" — model {mname!r}" if mname else "")
