"""The Sphinx docs build with warnings as errors, with generated theory, API, CLI and report pages.

The build runs on a copy of ``docs/`` in a temporary folder (the generated pages go
there, not into the work tree) and embeds a small report made here, so it does not run the
checks; the in-process quick-report path of the build is tested separately on a tiny
registry.
"""

from __future__ import annotations

import copy
import importlib
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from wpgd_theory.claims import runner
from wpgd_theory.claims.core import Check, CheckContext, CheckResult
from wpgd_theory.claims.registry import CLAIM_IDS
from wpgd_theory.claims.runner import ClaimOutcome
from wpgd_theory.claims.statements import CLAIMS
from wpgd_theory.report import figures, write_report

ROOT = Path(__file__).resolve().parents[1]
DOCS = ROOT / "docs"
GENERATED = ("_build", "theory", "report", "api", "_generated", "auto_examples", "sg_execution_times.rst")


def _docs_copy(tmp_path) -> Path:
    src = tmp_path / "docs"
    shutil.copytree(DOCS, src, ignore=lambda d, names: [n for n in names if Path(d) == DOCS and n in GENERATED])
    return src


def _small_report(out: Path):
    outs = []
    for c in CLAIMS:
        cc = copy.copy(c)
        if c.id in ("W1", "W2"):
            chk = Check(c.id, "exact identity", "symbolic", ("quick",), lambda ctx: None, "a | b with $dollars$")
            cc.checks = [chk]
            outs.append(ClaimOutcome(cc, [(chk, CheckResult("passed", 1e-15, 1e-10, {"x": [1, 2]}), 0.01)]))
        else:
            cc.checks = []
            outs.append(ClaimOutcome(cc, []))
    ctx = CheckContext(suite="quick")
    write_report(outs, ctx, out, claim_ids=list(CLAIM_IDS))


@pytest.fixture(scope="module")
def built_docs(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("docs")
    src = _docs_copy(tmp)
    report = tmp / "report"
    mp = pytest.MonkeyPatch()
    mp.setattr(figures, "MAX_MODELS", 1)
    try:
        _small_report(report)
    finally:
        mp.undo()
    out = tmp / "html"
    env = dict(os.environ, WPGD_DOCS_REPORT_DIR=str(report))
    # The gallery's examples are not executed here (plot_gallery=0): `make docs` runs them.
    proc = subprocess.run([sys.executable, "-m", "sphinx", "-W", "--keep-going", "-E", "-q", "-b", "html",
                           "-D", "plot_gallery=0", str(src), str(out)], capture_output=True, text=True, timeout=300,
                          env=env)
    return proc, out


def test_docs_build_without_warnings(built_docs):
    proc, out = built_docs
    assert proc.returncode == 0, f"sphinx failed:\n{proc.stderr[-6000:]}"
    for page in ("index", "getting-started", "how-to/config", "cli", "theory/index", "api/index", "report/index",
                 "api/wpgd_theory.landscape", "api/wpgd_theory.cli", "api/wpgd_theory.config", "installation",
                 "auto_examples/index", "performance"):
        assert (out / f"{page}.html").exists(), page


def test_math_is_prerendered_mathml_offline(built_docs):
    """No MathJax, no CDN: every formula is MathML with its LaTeX in the annotation."""
    proc, out = built_docs
    assert proc.returncode == 0, proc.stderr[-3000:]
    pages = {p: p.read_text(encoding="utf-8") for p in out.rglob("*.html")}
    for p, html in pages.items():
        assert not re.search(r"<script[^>]*mathjax", html, re.I), p
        assert "tex-unrendered" not in html, f"{p}: a formula the converter could not read"
        assert not re.search(r"<mi>&(?:amp;)?</mi>", html), f"{p}: an alignment '&' rendered as text"
        assert "cdn." not in html, p
    theory = "".join(html for p, html in pages.items() if p.parent.name == "theory")
    assert theory.count("<math") > 50 and '<annotation encoding="application/x-tex">' in theory
    assert "\\(" not in theory and "\\[" not in theory


def test_api_pages_link_the_examples_that_use_them(built_docs):
    """Issue 20: "Examples using this" on the API pages (sphinx-gallery backreferences): the
    landscape page lists the gallery examples that call its functions."""
    proc, out = built_docs
    assert proc.returncode == 0, proc.stderr[-3000:]
    src = (out / "_sources" / "api" / "wpgd_theory.landscape.md.txt")
    html = (out / "api" / "wpgd_theory.landscape.html").read_text(encoding="utf-8")
    if src.exists():
        assert "minigallery" in src.read_text(encoding="utf-8")
    assert "Examples using wpgd_theory.landscape" in html
    assert "uniqueness_tie" in html or "w4_equation" in html  # both call landscape.solve
    # and per object, under the entry of a function the gallery calls (docs/conf.py, _examples_using)
    for page, obj in (("wpgd_theory.landscape", "solve"), ("wpgd_theory.gla.construct", "construct_from_wpgd")):
        text = (out / "api" / f"{page}.html").read_text(encoding="utf-8")  # the second: used as wpgd_theory.gla.*
        entry = text[text.index(f'id="{page}.{obj}"'):]
        entry = entry[:entry.index('<dl class="py', 1)] if '<dl class="py' in entry[1:] else entry
        assert "Examples using this" in entry, obj


def test_gallery_has_the_examples(built_docs):
    proc, out = built_docs
    assert proc.returncode == 0, proc.stderr[-3000:]
    names = {p.stem for p in (out / "auto_examples").glob("plot_*.html")}
    for stem in ("headline_experiment", "w4_equation", "uniqueness_tie", "gla_from_wpgd", "verify_your_model",
                 "property_tests"):
        assert any(stem in n for n in names), stem


def test_api_reference_lists_public_names_first(built_docs):
    proc, out = built_docs
    html = (out / "api" / "index.html").read_text(encoding="utf-8")
    assert html.index("Public names") < html.index("Internals")
    import wpgd_theory

    for name in wpgd_theory.__all__:
        assert name in html, name


def test_theory_pages_cover_every_claim(built_docs):
    proc, out = built_docs
    assert (out / "index.html").exists(), proc.stderr[-3000:]
    text = "".join(p.read_text(encoding="utf-8") for p in (out / "theory").glob("*.html"))
    for cid in CLAIM_IDS:
        assert f"{cid} —" in text, cid


def test_report_page_embeds_the_report(built_docs):
    proc, out = built_docs
    assert (out / "index.html").exists(), proc.stderr[-3000:]
    html = (out / "report" / "index.html").read_text(encoding="utf-8")
    for cid in CLAIM_IDS:
        assert f"{cid} —" in html, cid
    assert "not verified" in html and "report.html" in html
    assert "<img" in html  # the report's figures
    assert list((out / "_downloads").rglob("report.html"))


def test_cli_help_is_in_the_docs(built_docs):
    proc, out = built_docs
    assert (out / "index.html").exists(), proc.stderr[-3000:]
    html = (out / "cli.html").read_text(encoding="utf-8")
    assert "--suite" in html and "--config" in html and "solve" in html


def test_generated_report_page_runs_the_quick_suite_in_process(tmp_path, monkeypatch):
    """Without WPGD_DOCS_REPORT_DIR the build runs the quick suite itself (tiny registry here)."""
    sys.path.insert(0, str(DOCS))
    try:
        pages = importlib.import_module("_pages")
    finally:
        sys.path.remove(str(DOCS))
    claims = []
    for c in CLAIMS:
        cc = copy.copy(c)
        cc.checks = [Check(c.id, "ok", "numeric", ("quick",), lambda ctx: CheckResult("passed", 0.0, 1.0))] \
            if c.id == "W2" else []
        claims.append(cc)
    monkeypatch.setattr(runner, "registry", lambda: copy.deepcopy(claims))
    monkeypatch.setattr(figures, "COMPUTED_FIGURES", ())
    monkeypatch.delenv("WPGD_DOCS_REPORT_DIR", raising=False)
    monkeypatch.delenv("WPGD_DOCS_REPORT", raising=False)
    pages.generate_report(tmp_path)
    md = (tmp_path / "report" / "index.md").read_text(encoding="utf-8")
    assert md.startswith("# Latest quick report") and "runs `wpgd-verify run --suite quick` in-process" in md
    assert "**W2**" in md and "not verified" in md
    assert (tmp_path / "report" / "report.html").exists()
    monkeypatch.setenv("WPGD_DOCS_REPORT", "off")
    pages.generate_report(tmp_path)
    assert "not generated" in (tmp_path / "report" / "index.md").read_text(encoding="utf-8")


def test_embedded_report_is_cached_until_the_source_changes(tmp_path, monkeypatch):
    """`make docs` runs the quick suite once per version of the package's source, not per build."""
    sys.path.insert(0, str(DOCS))
    try:
        pages = importlib.import_module("_pages")
    finally:
        sys.path.remove(str(DOCS))
    calls = []

    def fake_run(cache):
        calls.append(cache)
        _small_report(cache)
        return cache

    monkeypatch.setattr(pages, "_run_quick_report", fake_run)
    monkeypatch.delenv("WPGD_DOCS_REPORT_DIR", raising=False)
    monkeypatch.delenv("WPGD_DOCS_REPORT", raising=False)
    pages.generate_report(tmp_path)
    pages.generate_report(tmp_path)
    assert len(calls) == 1 and calls[0].name == pages.source_key()
    assert "this build reused that run" in (tmp_path / "report" / "index.md").read_text(encoding="utf-8")
    monkeypatch.setattr(pages, "source_key", lambda: "changed")
    pages.generate_report(tmp_path)
    assert len(calls) == 2 and not (tmp_path / "_build" / "report-cache" / calls[0].name).exists()


def test_heading_demotion_leaves_code_alone():
    sys.path.insert(0, str(DOCS))
    try:
        pages = importlib.import_module("_pages")
    finally:
        sys.path.remove(str(DOCS))
    text = "# T\n\n## S\n```python\n# comment\n```\n#tag\n###### six"
    assert pages._demote(text, 2) == "### T\n\n#### S\n```python\n# comment\n```\n#tag\n###### six"


def test_theory_pages_render_proofs_when_proofcheck_exists(tmp_path, monkeypatch):
    """With a (stand-in) ``wpgd_theory.symbolic.proofcheck`` the family pages carry the rendered
    proof under their "Proof" heading; a proof whose check raises says so on its page."""
    import dataclasses
    import types

    sys.path.insert(0, str(DOCS))
    try:
        pages = importlib.import_module("_pages")
    finally:
        sys.path.remove(str(DOCS))

    @dataclasses.dataclass
    class Proof:
        family: str
        title: str
        claims: tuple
        intro: str = ""
        steps: tuple = ()

    def check_proof(proof):
        if proof.family == "optimum":
            raise RuntimeError("sympy gave up")
        return ["ok"]

    def render_markdown(proof, results=None):
        marks = "✓" if results else "?"
        return f"# {proof.title}\n\nStep 1 {marks}\n\n```python\n# not a heading\n```\n"

    fake = types.ModuleType("wpgd_theory.symbolic.proofcheck")
    fake.load_proofs = lambda: [Proof("risk", "Risk proof", ("W1",)), Proof("optimum", "Optimum proof", ("W4",))]
    fake.check_proof = check_proof
    fake.render_markdown = render_markdown
    monkeypatch.setitem(sys.modules, "wpgd_theory.symbolic.proofcheck", fake)
    pages.generate_theory(tmp_path)
    risk = (tmp_path / "theory" / "risk.md").read_text(encoding="utf-8")
    assert "## Proof" in risk and "### Risk proof" in risk and "Step 1 ✓" in risk and "# not a heading" in risk
    assert risk.index("## Claims") < risk.index("## Proof") and "### W1 — " in risk
    optimum = (tmp_path / "theory" / "optimum.md").read_text(encoding="utf-8")
    assert "raised `RuntimeError`: sympy gave up" in optimum and "Step 1 ?" in optimum
    construction = (tmp_path / "theory" / "construction.md").read_text(encoding="utf-8")
    assert "No proof file for the family `construction`" in construction
    index = (tmp_path / "theory" / "index.md").read_text(encoding="utf-8")
    assert all(fam in index for fam in ("construction", "risk", "optimum", "gla_landscape"))
