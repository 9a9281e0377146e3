"""How the report reads: MathML with the LaTeX kept, units, print styles, no emoji, no
placeholders or internal messages, the template shipped with the package."""

from __future__ import annotations

import copy
import importlib.resources
import re
import shutil
import subprocess
from html.parser import HTMLParser

import pytest

from wpgd_theory.claims import registry
from wpgd_theory.claims.core import CheckResult
from wpgd_theory.claims.runner import ClaimOutcome
from wpgd_theory.report import build_document, validate_document
from wpgd_theory.report.figures import FigureRecord, figure_to_png
from wpgd_theory.report.html import render_html
from wpgd_theory.report.markdown import render_markdown
from wpgd_theory.report.mathml import MATH, has_raw_tex, rich_html, strip_roles, tex_to_mathml
from wpgd_theory.report.measures import unit_of, verdict


class _Visible(HTMLParser):
    """Visible text nodes (outside <annotation>, <script>, <style>) and MathML annotations."""

    SKIP = {"annotation", "script", "style"}

    def __init__(self):
        super().__init__()
        self.stack, self.visible, self.annotations, self.maths, self.details = [], [], [], 0, []

    def handle_starttag(self, tag, attrs):
        self.stack.append(tag)
        self.maths += tag == "math"
        if tag == "details":
            self.details.append(dict(attrs))

    def handle_endtag(self, tag):
        while self.stack and self.stack.pop() != tag:
            pass

    def handle_data(self, data):
        if self.stack and self.stack[-1] == "annotation":
            self.annotations.append(data)
        elif not self.SKIP & set(self.stack):
            self.visible.append(data)


def _full_document(failed=("W3",)):
    """Every registered claim with every registered check (passed; one failed claim),
    without running them: the text of the real registry, rendered."""
    outs = []
    for claim in registry():
        c = copy.copy(claim)
        results = []
        for k in c.checks:
            if c.id in failed and not results:
                res = CheckResult("failed", 3.2e-3, 1e-10, {"instances": [{"x": 1}]}, "relative error too large")
            elif k.kind == "symbolic":
                res = CheckResult("passed", 0.0, 0.0, {"identities": ["x"], "failed": []}, "exact")
            else:
                res = CheckResult("passed", 9.3e-16, 1e-10, {"reference": "a", "subject": "b"}, "ok")
            results.append((k, res, 0.01))
        outs.append(ClaimOutcome(c, results))
    return build_document(outs, suite="default", seed=0, checks_duration_s=1.0)


@pytest.fixture(scope="module")
def full():
    doc = _full_document()
    validate_document(doc)
    return doc, render_html(doc), render_markdown(doc)


def test_html_shows_no_raw_latex_and_keeps_every_formula_source(full):
    doc, html, _ = full
    p = _Visible()
    p.feed(html)
    raw = [t for t in p.visible if has_raw_tex(t)]
    assert not raw, f"raw LaTeX shown to the reader: {raw[:3]}"
    texts = [c["statement"] for c in doc["claims"]] + [a for c in doc["claims"] for a in c["assumptions"]]
    texts += [ch[k] for c in doc["claims"] for ch in c["checks"] for k in ("name", "description")]
    spans = [" ".join((m.group(1) or m.group(2)).split()) for t in texts for m in MATH.finditer(" ".join(t.split()))]
    assert spans, "the registry's statements have mathematics"
    assert p.maths == len(spans)
    assert sorted(p.annotations) == sorted(spans)  # the LaTeX source of every formula, verbatim
    assert html.count('class="copy-tex"') == len(doc["claims"])  # a statement's whole source is one click away


def test_no_placeholder_or_internal_message_reaches_the_reader(full):
    _, html, md = full
    p = _Visible()
    p.feed(html)
    text = " ".join(p.visible)
    for bad in (":func:", ":class:", ":mod:", "THEORY.md §", "Traceback", "<function", "ctx.", "TODO",
                "placeholder", "None", "nan", "(LaTeX)"):
        assert bad not in text, f"{bad!r} in report.html"
    for bad in (":func:", ":class:", "Traceback", "<function", "ctx.", "*Proof:* `proofs/"):
        assert bad not in md, f"{bad!r} in report.md"
    # proofs are cited as the documentation's theory pages (proofs/ is not installed with the package)
    assert "Proof</strong>: <code>proofs/" not in html
    assert html.count("Proof.</strong> Documentation") == len(full[0]["claims"])
    assert "Theory › The optimum" in text and "Theory › The optimum" in md


def test_markdown_uses_text_marks_not_emoji(full):
    _, _, md = full
    emoji = [ch for ch in md if 0x1F000 <= ord(ch) <= 0x1FAFF or ch in "\ufe0f✅❌⚠⏭"]
    assert not emoji, f"emoji in report.md: {sorted(set(emoji))}"
    assert "✓ passed" in md and "✗ failed" in md


def test_print_keeps_details_closed_except_failures(full):
    doc, html, _ = full
    assert "beforeprint" not in html and ".open" not in html
    p = _Visible()
    p.feed(html)
    failed = sum(ch["status"] == "failed" for c in doc["claims"] for ch in c["checks"])
    assert sum("open" in d for d in p.details) == failed == 1
    assert len(p.details) > 40
    css = re.search(r"@media print \{(.*?)\n\}", html, re.S).group(1)
    assert "details > pre" in css and "max-height" in css and "copy-tex" in css


@pytest.mark.skipif(shutil.which("chromium") is None, reason="needs Debian's chromium to print")
def test_printed_report_fits_in_25_pages(full, tmp_path):
    """The whole registry with 14 figures, printed by headless Chromium."""
    from matplotlib.figure import Figure

    doc = copy.deepcopy(full[0])  # the module's fixture is shared: its claims are not to be changed here
    fig = Figure(figsize=(6.4, 4.2))
    fig.add_subplot().plot(range(50))
    png = figure_to_png(fig)
    recs = [FigureRecord(f"fig{i}", f"Figure {i}", (c["id"],), "caption", png)
            for i, c in enumerate(doc["claims"][:14])]
    for c in doc["claims"]:
        c["figures"] = [r.name for r in recs if c["id"] in r.claims]
    doc = dict(doc, figures=[{"name": r.name, "title": r.title, "claims": list(r.claims), "caption": r.caption,
                              "status": "ok", "note": "", "file": r.file, "source": "report"} for r in recs])
    page = tmp_path / "report.html"
    page.write_text(render_html(doc, {r.name: png for r in recs}), encoding="utf-8")
    pdf = tmp_path / "report.pdf"
    subprocess.run(["chromium", "--headless", "--no-sandbox", "--disable-gpu", "--no-pdf-header-footer",
                    f"--print-to-pdf={pdf}", page.as_uri()], capture_output=True, timeout=120, check=True)
    pages = len(re.findall(rb"/Type\s*/Page[^s]", pdf.read_bytes()))
    assert 5 <= pages <= 25, pages


def test_units_show_value_and_bound_together():
    z = {"kind": "numeric", "status": "passed", "measured": 2.0134, "tolerance": 4.0, "description": "",
         "message": "closed form vs Monte Carlo (z-score)", "details": {}}
    assert verdict(z) == "|z| = 2.01 ≤ 4"
    rel = dict(z, measured=9.3e-16, tolerance=1e-10, message="", description="relative error ≤ 1e-10")
    assert verdict(rel) == "rel. 9.3e-16 ≤ 1e-10"
    assert verdict(dict(rel, status="failed", measured=3e-3)) == "rel. 0.003 > 1e-10"
    assert verdict(dict(rel, details={"unit": "cond."}, measured=2.5, tolerance=1e7)) == "cond. = 2.5 ≤ 1e+07"
    sym = dict(rel, kind="symbolic", measured=0, tolerance=0, details={"identities": ["a"], "failed": []})
    assert verdict(sym) == "exact: 0 failed identities"
    assert verdict(dict(z, measured=None, tolerance=None)) == ""
    assert unit_of(dict(z, message="", description="no unit named")) == ""


def test_mathml_conversion_and_prose():
    m = tex_to_mathml(r"\hat y = x^\top P X^\top(\omega\odot y)")
    assert m.startswith("<math") and r"<annotation encoding=\"application/x-tex\">" not in m
    assert r'<annotation encoding="application/x-tex">\hat y = x^\top P X^\top(\omega\odot y)</annotation>' in m
    assert 'alttext="\\hat y' in m
    out = str(rich_html("a <b> & ``code`` with $x_1 < y$ and :func:`~wpgd_theory.landscape.solve`"))
    assert "&lt;b&gt; &amp;" in out and "<code>code</code>" in out and "<code>solve</code>" in out
    assert "x_1 &lt; y</annotation>" in out and "<mi>x</mi>" in out
    assert strip_roles(":class:`wpgd_theory.model.MultitaskModel`") == "``wpgd_theory.model.MultitaskModel``"
    assert "<math" in str(rich_html("display $$\\sum_i a_i$$ math")) and 'display="block"' in str(
        rich_html("$$a$$"))


def test_markdown_keeps_math_of_registry_text_and_escapes_check_messages(full):
    _, _, md = full
    assert "$\\hat y_{\\mathrm{GLA}}" in md or "$\\hat y" in md
    assert ":func:" not in md


def test_templates_ship_with_the_package():
    tpl = importlib.resources.files("wpgd_theory.report") / "templates"
    assert (tpl / "report.html.j2").is_file() and (tpl / "report.css").is_file()


def test_outcomes_render_for_notebooks():
    from wpgd_theory.report.html import outcomes_html

    outs = []
    for claim in registry()[:2]:
        c = copy.copy(claim)
        outs.append(ClaimOutcome(c, [(k, CheckResult("passed", 1e-16, 1e-10, {}, "relative"), 0.01)
                                     for k in c.checks]))
    html = outcomes_html(outs, suite="quick")
    assert html.lstrip().startswith('<div class="wpgd-theory-summary">') and "<html" not in html
    assert "✓ verified" in html and "rel. 1e-16 ≤ 1e-10" in html and "<strong>G1</strong>" in html
    for c in outs:  # each claim's title, and labelled columns under a caption citing the paper
        assert str(rich_html(c.claim.title)) in html
    assert "<caption>" in html and 'href="https://arxiv.org/abs/2504.04308"' in html
    assert "<th>Claim verdict</th>" in html and "<th>Check status</th>" in html


def test_the_report_opens_with_a_claims_table(full):
    """Issue 20: id, title, the paper's statement refined (linked), verdict, independent checks,
    proof — one row per claim, before the run's details and the per-check table."""
    from wpgd_theory.report.references import PAPER_RESULTS, PAPER_URL

    doc, html, md = full
    start = html.index('id="claims-table"')
    assert start < html.index('id="run"') < html.index('id="summary"') < html.index('id="claims"')
    table = html[start:html.index("</table>", start)]
    rows = re.findall(r"<tr><td><a href=\"#claim-([A-Z][0-9]+)\">(.*?)</tr>", table, re.S)
    assert [cid for cid, _ in rows] == [c["id"] for c in doc["claims"]]
    for (cid, row), c in zip(rows, doc["claims"]):
        assert c["paper"] == {"result": PAPER_RESULTS[cid], "url": PAPER_URL}
        assert f'<a href="{PAPER_URL}">{c["paper"]["result"]}</a>' in row
        assert str(rich_html(c["title"])) in row and c["status"] in row
        assert f"{sum(ch['status'] == 'passed' for ch in c['checks'])} of {len(c['checks'])}" in row
        assert "Theory ›" in row
    assert set(PAPER_RESULTS) == {c["id"] for c in doc["claims"]}  # every registered claim is mapped
    assert f'href="{PAPER_URL}"' in html[:start + 2000]
    md_table = md[md.index("Claims at a glance"):md.index("# Run")]
    assert md_table.count("\n| **") == len(doc["claims"]) and f"]({PAPER_URL})" in md_table


def test_proof_pointers_are_links_inside_the_docs(full):
    doc, _, _ = full
    html = render_html(doc, docs_root="../")
    assert html.count('<a href="../theory/') >= 2 * len(doc["claims"])  # the table and each claim's section
    md = render_markdown(doc, theory_links="../")
    assert md.count("](../theory/") >= 2 * len(doc["claims"])


@pytest.mark.parametrize("status, relation", [("passed", "≤"), ("error", "vs"), ("skipped", "vs"), ("failed", "vs")])
def test_only_a_passed_check_is_shown_within_its_bound(status, relation):
    """The relation beside a bound says what was decided: ``≤`` only for a passed check; an
    errored, skipped or failed one whose value lies below the bound reads ``vs``."""
    from wpgd_theory.report.measures import verdict

    assert verdict({"status": status, "measured": 0.5, "tolerance": 1.0}) == f"0.5 {relation} 1"
