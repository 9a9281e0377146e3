r"""Text with mathematics → HTML with MathML, offline and without scripts.

Statements, assumptions and check descriptions are prose with LaTeX between single or
double dollar signs, RST inline literals (text between double back-quotes) and, in a few
descriptions, Sphinx cross-reference roles such as ``:func:`` followed by a target.
:func:`rich_html` turns such text into HTML:

* every math span becomes MathML (``latex2mathml``; MathML Core renders in current
  Chromium, Firefox and Safari) wrapped as ``<semantics>…<annotation
  encoding="application/x-tex">SOURCE</annotation></semantics>``, with the source also in
  the ``alttext`` attribute, so the LaTeX stays available (screen readers, copying, a
  paper);
* literals become ``<code>``; RST emphasis (``*word*``) becomes ``<em>``; a role becomes
  ``<code>`` with the name it displays (``~`` keeps the last component, as in Sphinx);
* everything else is escaped.

:func:`plain_text` is the Markdown counterpart for roles: it leaves math and literals alone.
"""

from __future__ import annotations

import functools
import re
from html import escape

from markupsafe import Markup

__all__ = ["EMPHASIS", "MATH", "ROLE", "SUPPORTED_ENVIRONMENTS", "UnrenderedMathError",
           "normalize_environments", "tex_to_mathml", "rich_html", "strip_roles", "has_raw_tex"]

#: A math span: ``$$display$$`` or ``$inline$`` (no ``$`` inside; an escaped ``\$`` is not a delimiter).
MATH = re.compile(r"(?<!\\)\$\$(.+?)(?<!\\)\$\$|(?<!\\)\$(.+?)(?<!\\)\$", re.S)
#: A Sphinx cross-reference role (``:func:``, ``:class:``, … followed by a back-quoted target).
ROLE = re.compile(r":(?:py:)?(?:func|class|mod|meth|data|attr|obj|exc|ref|doc):`([^`]+)`")
_LITERAL = re.compile(r"``(.+?)``", re.S)
#: RST emphasis ``*word*`` in prose: the opening ``*`` not after a word character (so ``P*``
#: and ``ω*`` stay as they are), the closing one not before one.
EMPHASIS = re.compile(r"(?<![\w*])\*(?=[^\s*])([^*]+?)(?<=[^\s*])\*(?![\w*])")
#: A LaTeX control word outside math, as a reader would see it raw (used by the tests and
#: :func:`has_raw_tex`).
RAW_TEX = re.compile(r"\\(?:[A-Za-z]{2,}|[{}])|\$[^$\s][^$]*\$")


#: The environments latex2mathml typesets as tables (its ``MATRICES``); any other
#: ``\begin{…}`` is silently flattened by the converter, its ``&`` left as text.
SUPPORTED_ENVIRONMENTS = frozenset({
    "matrix", "matrix*", "pmatrix", "pmatrix*", "bmatrix", "bmatrix*", "Bmatrix", "Bmatrix*",
    "vmatrix", "vmatrix*", "Vmatrix", "Vmatrix*", "array", "substack", "cases", "smallmatrix",
    "split", "align", "align*",
})
#: Environments rewritten before conversion: ``name -> (opening, closing)`` replacing
#: ``\begin{name}`` and ``\end{name}`` (``psmallmatrix`` is mathtools' parenthesised
#: ``smallmatrix``; ``aligned``/``alignedat`` are ``align*`` inside a formula; a gathered
#: block is a centred one-column array; ``equation`` only numbers its content).
_REWRITES = {
    "psmallmatrix": (r"\left(\begin{smallmatrix}", r"\end{smallmatrix}\right)"),
    "bsmallmatrix": (r"\left[\begin{smallmatrix}", r"\end{smallmatrix}\right]"),
    "aligned": (r"\begin{align*}", r"\end{align*}"),
    "alignedat": (r"\begin{align*}", r"\end{align*}"),
    "eqnarray": (r"\begin{align*}", r"\end{align*}"),
    "eqnarray*": (r"\begin{align*}", r"\end{align*}"),
    "gathered": (r"\begin{array}{c}", r"\end{array}"),
    "gather": (r"\begin{array}{c}", r"\end{array}"),
    "gather*": (r"\begin{array}{c}", r"\end{array}"),
    "multline": (r"\begin{array}{c}", r"\end{array}"),
    "multline*": (r"\begin{array}{c}", r"\end{array}"),
    "equation": ("", ""),
    "equation*": ("", ""),
}
_BEGIN = re.compile(r"\\(begin|end)\s*\{([A-Za-z*]+)\}(\{\d+\})?")


class UnrenderedMathError(ValueError):
    """A formula the converter would show garbled (an ``&`` as text, an unknown environment)."""


def normalize_environments(tex: str) -> str:
    r"""Rewrite the environments latex2mathml does not know into ones it typesets.

    ``\begin{psmallmatrix}…\end{psmallmatrix}`` → ``\left(\begin{smallmatrix}…\end{smallmatrix}\right)``,
    ``aligned``/``alignedat``/``eqnarray`` → ``align*``, ``gather``/``gathered``/``multline`` →
    a one-column ``array``, ``equation`` → its content (see ``_REWRITES``).

    Raises
    ------
    UnrenderedMathError
        If an environment remains that the converter does not typeset (it would drop the
        environment and show its ``&`` separators as text).

    Examples
    --------
    >>> normalize_environments(r"W=\begin{psmallmatrix}a&0\\0&b\end{psmallmatrix}")
    'W=\\left(\\begin{smallmatrix}a&0\\\\0&b\\end{smallmatrix}\\right)'
    """
    def swap(m: re.Match) -> str:
        kind, env = m.group(1), m.group(2)
        if env in _REWRITES:
            return _REWRITES[env][0 if kind == "begin" else 1]
        if env not in SUPPORTED_ENVIRONMENTS:
            raise UnrenderedMathError(f"unsupported LaTeX environment {env!r} in {tex[:60]!r}")
        return m.group(0)
    return _BEGIN.sub(swap, tex)


def _role_text(target: str) -> str:
    target = target.strip()
    if "<" in target and target.endswith(">"):  # :func:`title <target>`
        return target.split("<", 1)[0].strip()
    if target.startswith("~"):
        return target[1:].rsplit(".", 1)[-1]
    return target.lstrip("!")


def strip_roles(text: str) -> str:
    """Sphinx roles → RST literals of the name they display (a ``~`` target shows its last component)."""
    return ROLE.sub(lambda m: f"``{_role_text(m.group(1))}``", text)


@functools.lru_cache(maxsize=2048)
def tex_to_mathml(tex: str, display: bool = False) -> str:
    r"""One LaTeX formula as a MathML ``<math>`` element keeping the source in an annotation.

    Environments the converter does not know are rewritten first
    (:func:`normalize_environments`); :class:`UnrenderedMathError` (a ``ValueError``) is
    raised rather than returning MathML with a literal ``&`` token.

    >>> m = tex_to_mathml(r"\omega_i = \prod_{j>i} g_j")
    >>> m.startswith('<math') and '<annotation encoding="application/x-tex">' in m
    True
    >>> "<mi>&</mi>" in tex_to_mathml(r"\begin{psmallmatrix}1&0\\0&1\end{psmallmatrix}")
    False
    """
    from latex2mathml.converter import convert

    tex = " ".join(tex.split())
    body = convert(normalize_environments(tex), display="block" if display else "inline")
    if re.search(r"<mi>&(?:amp;)?</mi>", body):
        raise UnrenderedMathError(f"the converter left an alignment '&' as text in {tex[:60]!r}")
    head, rest = body.split(">", 1)
    inner = rest[: -len("</math>")]
    src = escape(tex, quote=False)
    return (f'{head} alttext="{escape(tex)}"><semantics><mrow>{inner}</mrow>'
            f'<annotation encoding="application/x-tex">{src}</annotation></semantics></math>')


def _emphasis(text: str) -> str:
    return EMPHASIS.sub(r"<em>\1</em>", escape(text, quote=False))


def _prose(text: str) -> str:
    parts, last = [], 0
    for m in _LITERAL.finditer(text):
        parts.append(_emphasis(text[last:m.start()]))
        parts.append(f"<code>{escape(m.group(1), quote=False)}</code>")
        last = m.end()
    parts.append(_emphasis(text[last:]))
    return "".join(parts).replace("\\$", "$")


def rich_html(text: str) -> Markup:
    r"""Prose with math, RST literals and Sphinx roles as safe HTML (see the module).

    Parameters
    ----------
    text : str
        Registry text: a statement, an assumption, a check's name or description.

    Returns
    -------
    markupsafe.Markup
        Escaped prose, ``<code>`` for literals and roles, MathML for each formula.

    Examples
    --------
    >>> html = rich_html("weights $\\omega_i$ from ``gate_weights`` & co")
    >>> "<math" in html and "<code>gate_weights</code>" in html and "&amp; co" in html
    True
    >>> str(rich_html("the *global* minimum P* of ω*"))
    'the <em>global</em> minimum P* of ω*'

    """
    text = strip_roles(" ".join(str(text or "").split()))
    out, last = [], 0
    for m in MATH.finditer(text):
        out.append(_prose(text[last:m.start()]))
        display = m.group(1) is not None
        tex = m.group(1) if display else m.group(2)
        try:
            out.append(tex_to_mathml(tex, display))
        except Exception:  # a formula the converter cannot parse: its source, marked as such
            out.append(f'<code class="tex">{escape(tex, quote=False)}</code>')
        last = m.end()
    out.append(_prose(text[last:]))
    return Markup("".join(out))


def has_raw_tex(text: str) -> bool:
    """Whether ``text`` (visible text, not markup) shows LaTeX source to a reader."""
    return bool(RAW_TEX.search(text))
