r"""Figures of the verification report (matplotlib, Agg canvas, no global pyplot state).

One module per claim family: :mod:`wpgd_theory.report.figures.optimum` (W2–W5),
:mod:`wpgd_theory.report.figures.gla_landscape` (A2–A4, T1, T2) and
:mod:`wpgd_theory.report.figures.construction` (G1); ``_base`` holds what they share.
This package runs them (:func:`make_figures`).

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

from . import _base
from ._base import STYLE, FigureRecord, _slug, _Unavailable, figure_to_png, figure_to_vector, style
from ._base import _new_figure as _new_figure  # re-exported: the sweep's figures use the same canvas
from .construction import architectures_figure
from .gla_landscape import omega_projections_figure, risk_vs_depth_figure, risk_vs_n_figure
from .optimum import _roots as _roots  # re-exported for the tests of root marking
from .optimum import numerical_minimiser, profile_slice_figure, w4_function_figure

__all__ = ["FigureRecord", "make_figures", "figure_to_png", "figure_to_vector", "COMPUTED_FIGURES", "STYLE",
           "style", "w4_function_figure", "profile_slice_figure", "omega_projections_figure", "risk_vs_n_figure",
           "risk_vs_depth_figure", "architectures_figure", "numerical_minimiser"]

#: Most models for which the per-model figures are drawn (the first ones in the context).
MAX_MODELS = 4

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
    rendered = _base._RENDERED
    fig = rendered[-1] if rendered else None
    rendered.clear()
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
    _base._RENDERED = []
    try:
        return _make_figures(outcomes, ctx, claim_ids, vector)
    finally:
        _base._RENDERED = None


def _make_figures(outcomes, ctx, claim_ids, vector) -> list:
    import matplotlib

    ids = set(claim_ids if claim_ids is not None else [o.claim.id for o in outcomes])
    _base._SOLUTIONS.clear()
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
                _base._RENDERED.clear()
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
                _base._RENDERED.clear()
                records.append(rec)
            if is_per_model and len(models) > MAX_MODELS:
                records[-1].caption += f" (per-model figures drawn for the first {MAX_MODELS} models only)"
    _base._SOLUTIONS.clear()
    return records


def _default_title(key, mname):
    titles = {"w4_function": "W4 scalar equation", "profile_slice": "Profile risk on a 2-D slice",
              "omega_projections": "ω* vs monotone and uniform optima", "risk_vs_n": "Optimal risk vs n (T1)",
              "risk_vs_depth": "Trained risk vs depth (T2)",
              "architectures_risk_vs_n": "Best risk per architecture vs n"}
    return titles[key] + (f" — model {mname!r}" if mname else "")
