"""Figures of the construction family (claim G1): the best risk of each real architecture's
weight class vs n."""

from __future__ import annotations

import numpy as np

from ._base import LINESTYLES, MARKERS, PALETTE, FigureRecord, _new_figure, _Unavailable, figure_to_png

__all__ = ["architectures_figure"]


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
