"""Sphinx math renderer ``mathml``: every formula pre-rendered to MathML at build time.

No MathJax, no CDN, no script: the built pages show mathematics offline in current
Chromium, Firefox and Safari (MathML Core).  The conversion is the report's
(:func:`wpgd_theory.report.mathml.tex_to_mathml`, via latex2mathml), so the docs and
``report.html`` typeset the same LaTeX the same way, and each formula keeps its source in
its MathML annotation.  A formula the converter cannot parse is shown as its source in a
``<code class="tex-unrendered">`` and logged (the docs tests fail on any).
"""

from __future__ import annotations

from docutils import nodes
from sphinx.util import logging
from sphinx.util.math import get_node_equation_number

from wpgd_theory.report.mathml import tex_to_mathml

logger = logging.getLogger(__name__)

_ENVIRONMENTS = ("align", "align*", "aligned", "equation", "equation*", "gather", "gather*", "split")


def _convert(self, tex: str, display: bool, node) -> str:
    try:
        return tex_to_mathml(tex, display)
    except Exception as exc:
        logger.info("mathml: could not convert %r (%s: %s)", tex[:80], type(exc).__name__, exc, location=node)
        return f'<code class="tex-unrendered">{self.encode(tex)}</code>'


def _unwrap(tex: str) -> str:
    """``\\begin{align}…\\end{align}`` → ``\\begin{aligned}…\\end{aligned}`` (what the converter reads)."""
    t = tex.strip()
    for env in _ENVIRONMENTS:
        head, tail = f"\\begin{{{env}}}", f"\\end{{{env}}}"
        if t.startswith(head) and t.endswith(tail):
            inner = t[len(head):-len(tail)].strip()
            return f"\\begin{{aligned}}{inner}\\end{{aligned}}" if "\\\\" in inner or "&" in inner else inner
    return t


def visit_math(self, node: nodes.math) -> None:
    self.body.append(self.starttag(node, "span", "", CLASS="math notranslate nohighlight"))
    self.body.append(_convert(self, node.astext(), False, node) + "</span>")
    raise nodes.SkipNode


def visit_displaymath(self, node: nodes.math_block) -> None:
    self.body.append(self.starttag(node, "div", CLASS="math notranslate nohighlight"))
    if node["number"]:
        number = get_node_equation_number(self, node)
        self.body.append(f'<span class="eqno">({number})')
        self.add_permalink_ref(node, "Link to this equation")
        self.body.append("</span>")
    parts = [p for p in node.astext().split("\n\n") if p.strip()]
    for part in parts:
        tex = _unwrap(part)
        if "\\\\" in tex and not tex.startswith("\\begin"):
            tex = f"\\begin{{aligned}}{tex}\\end{{aligned}}"
        self.body.append(_convert(self, tex, True, node))
    self.body.append("</div>\n")
    raise nodes.SkipNode


def setup(app):
    app.add_html_math_renderer("mathml", (visit_math, None), (visit_displaymath, None))
    return {"parallel_read_safe": True, "parallel_write_safe": True}
