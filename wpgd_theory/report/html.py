r"""``report.html``: one self-contained page, rendered from the Jinja2 template
``templates/report.html.j2`` (with ``templates/report.css`` inlined).

Self-contained: CSS inline, figures as base64 PNG, no network; the only links out of the page
are to the paper (arXiv) and, for a report inside the built docs, to its theory pages.  The
page opens with the claims at a glance (id, title, the paper's statement each refines,
verdict, independent checks passed, proof), then the run, every check, and each claim.
Mathematics (statements, assumptions, check names and descriptions) is rendered as MathML
by :mod:`.mathml` — no scripts, no fonts to fetch — with each formula's LaTeX source kept
in its MathML annotation; a button beside each statement copies the statement's source.
Each check shows its measured value and bound together, with its unit (:mod:`.measures`).
Printing keeps ``<details>`` as they are (closed for passed checks), so the default report
prints in a few pages of summary, statements, evidence lines and figures.
"""

from __future__ import annotations

import base64
import functools
import json

import jinja2

from .mathml import rich_html
from .measures import fmt_seconds, group_reasons, verdict
from .references import PAPER_URL, theory_page

__all__ = ["render_html", "outcomes_html", "STATUS_MARK"]

# Marks present in common text fonts (emoji fonts are often missing, e.g. on servers and in print).
STATUS_MARK = {"verified": "✓", "passed": "✓", "failed": "✗", "error": "✗", "not verified": "⚠", "skipped": "–",
               "not applicable": "n/a"}
#: Longest details JSON shown in the page (the full details are in report.json).
MAX_DETAILS_CHARS = 20000


def _details_json(details) -> str:
    text = json.dumps(details, indent=1, ensure_ascii=False)
    if len(text) > MAX_DETAILS_CHARS:
        text = text[:MAX_DETAILS_CHARS] + "\n… (truncated; the full details are in report.json)"
    return text


@functools.lru_cache(maxsize=1)
def environment() -> jinja2.Environment:
    """The Jinja2 environment of the report templates (autoescaping on, undefined names fail)."""
    env = jinja2.Environment(loader=jinja2.PackageLoader("wpgd_theory.report", "templates"),
                             autoescape=jinja2.select_autoescape(["html", "j2"], default_for_string=True),
                             undefined=jinja2.StrictUndefined, trim_blocks=False, lstrip_blocks=False)
    env.filters.update(
        rich=rich_html,
        verdict=verdict,
        seconds=fmt_seconds,
        group_reasons=group_reasons,
        mark=lambda s: STATUS_MARK.get(s, ""),
        cls=lambda s: "s-" + str(s).replace(" ", "-"),
        squash=lambda s: " ".join(str(s).split()),
        theory_page=theory_page,
        details_json=_details_json,
    )
    return env


def render_html(doc: dict, figure_png: dict | None = None, *, title: str = "wpgd_theory verification report",
                vector_files: dict | None = None, docs_root: str | None = None) -> str:
    """Render a report document as one HTML page.

    ``figure_png`` maps figure names to PNG bytes (embedded); ``vector_files`` maps figure
    names to the other files written for them (``["figures/x.svg", "figures/x.pdf"]``,
    mentioned in the caption); ``docs_root`` (e.g. ``"../"``) turns the references to the
    documentation's theory pages into links, for a report placed inside the built docs.
    """
    images = {name: base64.b64encode(png).decode("ascii") for name, png in (figure_png or {}).items() if png}
    return environment().get_template("report.html.j2").render(
        doc=doc, title=title, paper_url=PAPER_URL, figures={f["name"]: f for f in doc["figures"]}, images=images,
        vectors=vector_files or {}, docs_root=docs_root)


def outcomes_html(outcomes, *, suite: str | None = None, seed: int = 0) -> str:
    """The claims and checks of :func:`wpgd_theory.claims.run` outcomes as an HTML table
    (status, value ≤ bound), for a notebook's rich display: a ``_repr_html_`` of a result
    object can return ``outcomes_html(self.outcomes)``.

    ``suite`` defaults to the suite recorded in the outcomes.
    """
    from .document import build_document

    outcomes = list(outcomes)
    if suite is None:
        suite = next((getattr(o, "suite", None) for o in outcomes if getattr(o, "suite", None)), "default")
    doc = build_document(outcomes, suite=suite, seed=seed)
    return environment().get_template("notebook.html.j2").render(doc=doc, paper_url=PAPER_URL)
