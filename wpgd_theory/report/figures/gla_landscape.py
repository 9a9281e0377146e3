"""Figures of the GLA-landscape family (claims A2–A4, T1, T2): the optimal weights of each
cone side by side, the optimal and trained risks vs n, and the trained risk vs depth."""

from __future__ import annotations

import time

import numpy as np

from ... import landscape
from ...model import MultitaskModel
from . import _base
from ._base import (
    LINESTYLES,
    MARKERS,
    PALETTE,
    SWEEP_BUDGET_S,
    FigureRecord,
    _field,
    _new_figure,
    _slug,
    _solution,
    _Unavailable,
    figure_to_png,
)
from .optimum import _reference_omega

__all__ = ["omega_projections_figure", "risk_vs_depth_figure", "risk_vs_n_figure"]


def omega_projections_figure(name: str, model: MultitaskModel, ctx=None) -> FigureRecord:
    """ω* beside the best monotone and the uniform weights."""
    rec = FigureRecord(f"omega_projections-{_slug(name)}", f"ω* vs monotone and uniform optima — model {name!r}",
                       ("A2", "A3", "A4"))
    sc = _base._solve_constrained()
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
        sc = _base._solve_constrained()
        if base is None:
            raise _Unavailable("no multitask model in the context to grow with n")
        if sc is None:
            raise _Unavailable("wpgd_theory.convex.solve_constrained is not available and no T1 artifacts were "
                               "recorded: the monotone optimum cannot be computed")
        solve = _base._solve()
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
