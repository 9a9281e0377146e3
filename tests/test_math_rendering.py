"""Every formula a reader sees renders: no alignment ``&`` left as text, no environment the
MathML converter drops (issue 20, item 1).

Two sources: the formulas written in the docs and proofs (Markdown math spans and
``{math}`` blocks) and the registry's text (statements, assumptions, check names and
descriptions), each converted by :func:`wpgd_theory.report.mathml.tex_to_mathml` (what the
report and the docs' ``mathml`` renderer use); and a rendered report's HTML.  The built
docs are checked the same way in ``test_docs.py``.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from wpgd_theory.claims import registry
from wpgd_theory.report.mathml import MATH, UnrenderedMathError, normalize_environments, rich_html, tex_to_mathml

ROOT = Path(__file__).resolve().parents[1]
_FENCE = re.compile(r"```\{math\}[^\n]*\n(.*?)```", re.S)
_AMP_TOKEN = re.compile(r"<mi>&(?:amp;)?</mi>")


def _markdown_sources() -> list[Path]:
    docs = [p for p in (ROOT / "docs").rglob("*.md") if "_build" not in p.parts]
    return sorted(docs + list((ROOT / "proofs").glob("*.md")) + [ROOT / "README.md"])


def _formulas() -> list[tuple[str, str, bool]]:
    """``(origin, tex, display)`` for every formula of the docs' Markdown, the proofs' Markdown
    and the claim registry."""
    out = []
    for path in _markdown_sources():
        text = path.read_text(encoding="utf-8")
        fenced = _FENCE.findall(text)
        text = _FENCE.sub("", text)
        text = re.sub(r"```.*?```", "", text, flags=re.S)  # code blocks are not math
        text = re.sub(r"`[^`\n]*`", "", text)  # nor inline code
        name = str(path.relative_to(ROOT))
        out += [(name, block, True) for block in fenced]
        out += [(name, m.group(1) or m.group(2), m.group(1) is not None) for m in MATH.finditer(text)]
    for claim in registry():
        texts = [claim.statement, *claim.assumptions]
        texts += [t for k in claim.checks for t in (k.name, k.description)]
        for t in texts:
            t = " ".join(str(t or "").split())
            out += [(claim.id, m.group(1) or m.group(2), m.group(1) is not None) for m in MATH.finditer(t)]
    return out


def test_there_are_formulas_with_matrices_to_check():
    tex = [t for _, t, _ in _formulas()]
    assert len(tex) > 50
    assert any("psmallmatrix" in t for t in tex)  # the headline construction G1 and the config how-to


@pytest.mark.parametrize("origin", sorted({o for o, _, _ in _formulas()}))
def test_every_formula_converts_without_stray_ampersands(origin):
    bad = []
    for o, tex, display in _formulas():
        if o != origin:
            continue
        try:
            m = tex_to_mathml(tex, display)
        except Exception as exc:  # noqa: BLE001 - any failure is a formula a reader sees as source
            bad.append(f"{tex[:60]!r}: {type(exc).__name__}: {exc}")
            continue
        if _AMP_TOKEN.search(m):
            bad.append(f"{tex[:60]!r}: '&' as text")
    assert not bad, f"{origin}: " + "; ".join(bad[:3])


@pytest.mark.parametrize("env, fence", [("psmallmatrix", ("(", ")")), ("aligned", None), ("gathered", None),
                                        ("equation", None)])
def test_environments_the_converter_lacks_are_rewritten(env, fence):
    body = {"gathered": r"a\\b", "equation": "a=b"}.get(env, r"a&b\\c&d")
    tex = rf"A=\begin{{{env}}}{body}\end{{{env}}}"
    m = tex_to_mathml(tex, True)
    assert not _AMP_TOKEN.search(m) and "linebreak" not in m
    if env != "equation":
        assert "<mtable" in m
    if fence:
        assert all(f"&#x{ord(c):05X};" in m for c in fence)


def test_an_unknown_environment_is_an_error_not_garbage():
    with pytest.raises(UnrenderedMathError, match="foomatrix"):
        normalize_environments(r"\begin{foomatrix}a&b\end{foomatrix}")
    html = rich_html(r"see $\begin{foomatrix}a&b\end{foomatrix}$")
    assert "<math" not in html and 'class="tex"' in html  # shown as its source, visibly marked


def test_a_rendered_report_has_no_stray_ampersands():
    from test_report_rendering import _full_document, _Visible

    from wpgd_theory.report.html import render_html

    html = render_html(_full_document())
    assert html.count("<math") > 50
    assert not _AMP_TOKEN.search(html)
    assert 'class="tex"' not in html  # no formula fell back to its source
    p = _Visible()
    p.feed(html)
    assert not [t for t in p.visible if "\\begin" in t or "&" in t and "\\\\" in t]
