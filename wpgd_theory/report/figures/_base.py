"""What every figure of the report shares: the style, :class:`FigureRecord`, rendering to
PNG, SVG and PDF, the canvas, and the solvers the figures call (looked up lazily, with one
solve per model per :func:`~wpgd_theory.report.figures.make_figures` call)."""

from __future__ import annotations

import importlib
import io
import re
from dataclasses import dataclass

__all__ = ["FigureRecord", "STYLE", "figure_to_png", "figure_to_vector", "style"]

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
