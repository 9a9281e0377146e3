"""``wpgd-verify architectures [--json] [--config FILE] [--seed N]`` (called from :mod:`wpgd_theory.cli`).

Exit status 0 when every architecture's measured verdict is the stated one (the WPGD
architectures match ``wpgd_predict`` within the float32 tolerance, the delta-rule and HGRN2
controls do not, and their exact alternative statements hold), 1 otherwise, 2 when fla cannot
be imported (one line on stderr).
"""

from __future__ import annotations

import json
import sys

from . import fla_ops
from .table import architecture_table

__all__ = ["run", "format_table"]


def _fmt(v):
    return "—" if v is None else f"{v:.4f}"


def format_table(doc: dict) -> str:
    """Plain-text table of :func:`~.table.architecture_table`'s output."""
    models = list(doc["models"])
    head = ["architecture", "WPGD", "weight class", "discrepancy", *models]
    rows = [[a["name"], "yes" if a["implements_wpgd"] else "no", a["weight_class"], f"{a['max_discrepancy']:.1e}",
             *[_fmt(a["best_risk"][m]) for m in models]] for a in doc["architectures"]]
    widths = [max(len(str(r[i])) for r in [head, *rows]) for i in range(len(head))]
    line = lambda r: "  ".join(str(c).ljust(w) for c, w in zip(r, widths)).rstrip()  # noqa: E731
    out = [line(head), line(["-" * w for w in widths])] + [line(r) for r in rows]
    out.append("")
    taus = ", ".join(f"{m} {v['tau']:g}" for m, v in doc["models"].items())
    out.append(f"fla {doc['fla_version']}; discrepancy: max |fla - reference| relative to the sum of |terms| "
               f"(controls: to the best one-step WPGD fit, held-out prompts); best risk: best WPGD of the class "
               f"(tau = label variance: {taus})")
    for a in doc["architectures"]:
        if "layer" in a:
            lay = a["layer"]
            out.append(f"{a['name']} layer {lay['module']}: construction "
                       f"{'holds' if lay['holds'] else 'FAILS'} ({lay['identity_discrepancy']:.1e}) with "
                       f"{', '.join(lay['must_be_identity'])} at the identity")
    for a in doc["architectures"]:
        if not a["as_stated"]:
            out.append(f"UNEXPECTED: {a['name']}: measured implements_wpgd={a['implements_wpgd']}")
    return "\n".join(out)


def run(models: dict, *, as_json: bool = False, seed: int = 0) -> int:
    if not fla_ops.fla_available():
        print("wpgd-verify: error: flash-linear-attention's ops (package fla-core, with triton, einops and packaging) "
              "cannot be imported here; install them: pip install -c constraints.txt -e .", file=sys.stderr)
        return 2
    doc = architecture_table(models, seed=seed)
    if as_json:
        print(json.dumps(doc, indent=2, ensure_ascii=False, allow_nan=False))
    else:
        print(format_table(doc))
    return 0 if all(a["as_stated"] for a in doc["architectures"]) else 1
