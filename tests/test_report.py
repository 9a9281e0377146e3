"""The report package: document + JSON Schema, Markdown/HTML rendering, atomic writes,
and the figures (computed from the API, or taken from checks and artifacts)."""

from __future__ import annotations

import copy
import dataclasses
import json
from html.parser import HTMLParser

import jsonschema
import numpy as np
import pytest

from wpgd_theory.claims.core import Check, CheckContext, CheckResult
from wpgd_theory.claims.runner import ClaimOutcome
from wpgd_theory.claims.statements import CLAIMS
from wpgd_theory.report import (
    SCHEMA_VERSION,
    atomic,
    build_document,
    figures,
    load_schema,
    render_report,
    validate_document,
    write_report,
)
from wpgd_theory.report.document import jsonable, overall_status
from wpgd_theory.report.figures import FigureRecord
from wpgd_theory.report.html import render_html
from wpgd_theory.report.markdown import render_markdown

CLAIM = {c.id: c for c in CLAIMS}


def outcome(cid, *results, suite="default", kinds=None):
    c = copy.copy(CLAIM[cid])
    kinds = kinds or ["numeric"] * len(results)
    checks = [Check(cid, f"check{i}", kinds[i], ("quick", "default"), lambda ctx: None, "d")
              for i in range(len(results))]
    c.checks = checks
    return ClaimOutcome(c, [(k, r, 0.01) for k, r in zip(checks, results)], suite=suite)


def doc_of(outcomes, figs=()):
    return build_document(outcomes, suite="default", seed=0, figures=figs, checks_duration_s=0.1)


# ----------------------------------------------------------------------------- document
def test_not_applicable_and_consistency_statuses():
    """A claim whose checks are all not applicable is reported as such (visible, never
    counted as passed) and does not fail the run; consistency checks alone never verify."""
    ok = CheckResult("passed", 1e-14, 1e-10)
    na = CheckResult("not applicable", message="no model with a non-monotone optimum")
    outs = [outcome("W1", ok, na), outcome("A4", na, na), outcome("W2", ok, kinds=["consistency"]),
            outcome("W3", ok, ok, kinds=["consistency", "numeric"])]
    doc = doc_of(outs)
    validate_document(doc)
    status = {c["id"]: c["status"] for c in doc["claims"]}
    assert status == {"W1": "verified", "A4": "not applicable", "W2": "not verified", "W3": "verified"}
    assert doc["summary"]["not_applicable_claims"][0]["id"] == "A4"
    assert "non-monotone" in doc["summary"]["not_applicable_claims"][0]["reason"]
    assert "consistency" in doc["claims"][2]["reason"]
    assert doc["status"] == "not verified" and doc["exit_status"] == 1
    doc = doc_of([outs[0], outs[1], outs[3]])
    assert doc["status"] == "verified" and doc["exit_status"] == 0
    assert doc["summary"]["claims"]["not applicable"] == 1
    assert "A4" in render_markdown(doc) and "Not applicable" in render_markdown(doc)
    assert "Not applicable" in render_html(doc)
    assert overall_status(["not applicable"]) == "not verified"


def test_combine_results_drops_not_applicable_instances():
    from wpgd_theory.claims.core import combine_results, not_applicable

    a = CheckResult("passed", 0.5, 1.0, {"reference": "f", "subject": "g"})
    b = not_applicable("premise fails", reference="f", subject="g")
    res = combine_results([a, b], "x")
    assert res.status == "passed" and res.details["reference"] == "f" and res.details["subject"] == "g"
    assert len(res.details["instances"]) == 2
    res = combine_results([b, b], "x")
    assert res.status == "not applicable" and "premise fails" in res.message
    assert combine_results([], "x").status == "not applicable"
    # an instance that errored (or was skipped) decides, even beside a worse-rated pass
    worse = CheckResult("passed", 0.9, 1.0)
    for bad in (CheckResult("error", message="boom"), CheckResult("skipped", message="not run")):
        assert combine_results([worse, bad, a], "x").status == bad.status


def test_jsonable_makes_strict_json():
    @dataclasses.dataclass
    class Sol:
        P: np.ndarray
        risk: float

    value = {"inf": float("inf"), "ninf": -np.inf, "nan": np.nan, "arr": np.arange(3.0), "i": np.int64(3),
             "b": np.bool_(True), "sol": Sol(np.eye(2), 0.5), "obj": object(), "big": np.zeros(5000), 1: (1, 2)}
    out = jsonable(value)
    text = json.dumps(out, allow_nan=False)
    back = json.loads(text)
    assert back["inf"] == "inf" and back["ninf"] == "-inf" and back["nan"] == "nan"
    assert back["arr"] == [0.0, 1.0, 2.0] and back["i"] == 3 and back["b"] is True
    assert back["sol"] == {"P": [[1.0, 0.0], [0.0, 1.0]], "risk": 0.5}
    assert back["1"] == [1, 2]
    assert back["big"]["truncated"] is True and back["big"]["shape"] == [5000] and len(back["big"]["head"]) == 2000


def test_jsonable_arrays_keep_shape_and_never_hold_strings():
    notes = []
    mat = np.arange(12.0).reshape(3, 4)
    mat[1, 2] = np.nan
    out = jsonable({"m": mat, "v": [1.0, np.inf]}, notes=notes)
    assert json.loads(json.dumps(out, allow_nan=False)) == out
    assert len(out["m"]) == 3 and all(len(row) == 4 for row in out["m"])
    assert out["m"][1][2] is None and out["v"] == [1.0, None]
    assert {n["field"] for n in notes} == {"m[1][2]", "v[1]"} and all(n["reason"] for n in notes)


def test_jsonable_complete_never_truncates():
    big = np.random.default_rng(0).standard_normal((60, 60))
    out = jsonable({"P": big, "w": np.ones(5000), "x": float("nan")}, complete=True)
    assert np.array_equal(np.array(out["P"]), big) and len(out["w"]) == 5000 and out["x"] is None


def test_statuses_and_schema():
    ok = CheckResult("passed", 1e-14, 1e-10)
    bad = CheckResult("failed", float("inf"), 1e-10, {"x": np.array([1.0, np.nan])}, "diverged")
    outs = [outcome("W1", ok, ok), outcome("W2", ok, bad), outcome("W4"), outcome("G1", ok, CheckResult("skipped"))]
    doc = doc_of(outs)
    validate_document(doc)
    assert doc["schema_version"] == SCHEMA_VERSION
    status = {c["id"]: c["status"] for c in doc["claims"]}
    assert status == {"W1": "verified", "W2": "failed", "W4": "not verified", "G1": "not verified"}
    assert doc["status"] == "failed" and doc["exit_status"] == 1
    assert doc["claims"][1]["checks"][1]["measured"] == "inf"
    assert doc["summary"]["checks"] == {"passed": 4, "failed": 1, "error": 0, "skipped": 1, "not applicable": 0,
                                        "total": 6}
    json.dumps(doc, allow_nan=False)
    assert overall_status(["verified", "verified"]) == "verified"
    assert overall_status(["verified", "not verified"]) == "not verified"
    assert overall_status([]) == "not verified"


def test_schema_rejects_a_claim_without_checks_marked_verified():
    doc = doc_of([outcome("W4")])
    doc["claims"][0]["status"] = "verified"
    with pytest.raises(jsonschema.ValidationError):
        validate_document(doc)
    doc = doc_of([outcome("W1", CheckResult("passed", 0.0, 1.0))])
    doc["claims"][0]["checks"][0]["status"] = "pass"
    with pytest.raises(jsonschema.ValidationError):
        validate_document(doc)
    assert load_schema()["properties"]["schema"]["const"] == "wpgd-theory-report"


# ----------------------------------------------------------------------------- rendering
class _Tags(HTMLParser):
    def __init__(self):
        super().__init__()
        self.tags, self.ids, self.text = [], set(), []

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)
        a = dict(attrs)
        if "id" in a:
            self.ids.add(a["id"])

    def handle_data(self, data):
        self.text.append(data)


def test_markdown_and_html_escape_check_text():
    nasty = CheckResult("failed", 2.0, 1.0, {"note": "<script>alert(1)</script>"},
                        "a | b $x$ <b>bold</b> *star* `tick`")
    doc = doc_of([outcome("W1", nasty)])
    md = render_markdown(doc)
    row = next(ln for ln in md.splitlines() if ln.startswith("| **W1** |"))
    assert row.count(" | ") == 5 or row.count("|") - row.count("\\|") == 7
    assert "\\$x\\$" in md and "\\<b\\>" in md
    html = render_html(doc)
    assert "<script>alert" not in html and "&lt;script&gt;" in html
    p = _Tags()
    p.feed(html)
    assert "claim-W1" in p.ids and "b" not in p.tags


def test_figures_embedded_once_and_skipped_ones_explained():
    png = figures.figure_to_png(_tiny_figure())
    recs = [FigureRecord("shared", "Shared", ("W2", "W3"), "cap", png), FigureRecord("gone", "Gone", ("W3",),
                                                                                    note="inputs missing")]
    ok = CheckResult("passed", 0.0, 1.0)
    doc = doc_of([outcome("W2", ok), outcome("W3", ok)], recs)
    validate_document(doc)
    html = render_html(doc, {"shared": png})
    assert html.count("data:image/png;base64,") == 1
    assert 'href="#fig-shared"' in html and "not drawn: inputs missing" in html
    md = render_markdown(doc)
    assert md.count("](figures/shared.png)") == 1 and "inputs missing" in md


def _tiny_figure():
    from matplotlib.figure import Figure

    fig = Figure(figsize=(2, 1.5))
    fig.add_subplot().plot([0, 1], [0, 1])
    return fig


# ----------------------------------------------------------------------------- atomic writes
def test_write_report_dir_replaces_everything_and_marks_figures(tmp_path):
    tmp_path = tmp_path / "out"
    paths = atomic.write_report_dir(tmp_path, {"report.json": b"{}", "report.md": b"# a", "report.html": b"<p>"},
                                    {"a.png": b"\x89PNG1"})
    assert paths["report.json"].read_bytes() == b"{}"
    assert (tmp_path / "figures" / atomic.FIGURES_MARKER).exists()
    atomic.write_report_dir(tmp_path, {"report.json": b"{ }", "report.md": b"# b", "report.html": b"<p>"},
                            {"b.png": b"\x89PNG2"})
    assert sorted(p.name for p in (tmp_path / "figures").iterdir()) == [atomic.FIGURES_MARKER, "b.png"]
    assert sorted(p.name for p in tmp_path.iterdir()) == [atomic.FOLDER_MARKER, "figures", "report.html",
                                                          "report.json", "report.md"]
    assert atomic.leftovers(tmp_path) == []
    with pytest.raises(ValueError):
        atomic.write_report_dir(tmp_path, {"other.txt": b""})


def test_interrupt_before_commit_leaves_previous_report(tmp_path, monkeypatch):
    tmp_path = tmp_path / "out"
    atomic.write_report_dir(tmp_path, {"report.json": b"old", "report.md": b"old", "report.html": b"old"})
    real = atomic._write
    calls = []

    def dying_write(path, data):
        calls.append(path.name)
        if path.name == "report.html":
            raise KeyboardInterrupt
        real(path, data)

    monkeypatch.setattr(atomic, "_write", dying_write)
    with pytest.raises(KeyboardInterrupt):
        atomic.write_report_dir(tmp_path, {"report.json": b"new", "report.md": b"new", "report.html": b"new"})
    assert "report.md" in calls
    assert all((tmp_path / n).read_bytes() == b"old" for n in atomic.REPORT_FILES)
    assert atomic.leftovers(tmp_path) == []


# ----------------------------------------------------------------------------- figures
def _names(records):
    return {r.name: r for r in records}


def test_computed_figures_from_the_api_or_skipped_with_a_note(monkeypatch):
    monkeypatch.setattr(figures._base, "_solve", lambda: None)
    monkeypatch.setattr(figures._base, "_solve_constrained", lambda: None)
    ctx = CheckContext(suite="quick")
    recs = _names(figures.make_figures([], ctx, ["W4", "W3", "A4", "T1", "T2"]))
    for name in ctx.models:
        assert recs[f"w4_function-{name}"].status == "ok"
        assert recs[f"w4_function-{name}"].png.startswith(b"\x89PNG")
        assert recs[f"profile_slice-{name}"].status == "ok"
        assert "numerical minimiser" in recs[f"profile_slice-{name}"].caption
        assert "solve_constrained is not available" in recs[f"omega_projections-{name}"].note
    assert recs["risk_vs_n"].status == "skipped" and "solve_constrained" in recs["risk_vs_n"].note
    assert recs["risk_vs_depth"].status == "skipped" and "T2" in recs["risk_vs_depth"].note
    # only figures of the claims in the run
    g1 = figures.make_figures([], ctx, ["G1"])  # only the real-architecture figure, which needs its check
    assert set(_names(g1)) == {"architectures_risk_vs_n"}
    assert g1[0].status == "skipped" and "did not run" in g1[0].note


def test_w4_roots_match_the_isotropic_closed_form():
    # Σ = λI: h(t) = 1/λ, so F(μ) = μ − τ/λ has the single root τ/λ (W5).
    ctx = CheckContext(suite="quick")
    model = ctx.models["single-task-isotropic"]
    roots = figures._roots(model, 0.1, 100.0)
    assert roots == pytest.approx([model.tau / model.sigma_eigenvalues[0]], rel=1e-10)


@dataclasses.dataclass
class _Sol:
    omega: np.ndarray
    risk: float


def _fake_solvers(monkeypatch):
    """Cheap stand-ins for solve / solve_constrained (plumbing only: ω = r, its sorted
    magnitudes, and the uniform weights, with their exact profile risks)."""
    from wpgd_theory.landscape import profile_risk

    def solve(model):
        return _Sol(model.r.copy(), float(profile_risk(model, model.r)))

    def solve_constrained(model, cone):
        w = np.ones(model.n) if cone == "uniform" else np.sort(np.abs(model.r))
        return _Sol(w, float(profile_risk(model, w)))

    monkeypatch.setattr(figures._base, "_solve", lambda: solve)
    monkeypatch.setattr(figures._base, "_solve_constrained", lambda: solve_constrained)


def test_figures_with_solvers_and_artifacts(monkeypatch):
    _fake_solvers(monkeypatch)
    ctx = CheckContext(suite="quick")
    ctx.artifacts["T2"] = {"depth": [1, 2, 3], "trained": {"GLA": [1.0, 0.8, 0.7]}, "wpgd": [0.95, 0.79, 0.71],
                           "trained_se": {"GLA": [0.01, 0.01, 0.02]}, "model": "multitask-nonmonotone"}
    ctx.artifacts["T1"] = {"n": [12, 24], "model": "multitask-nonmonotone",
                           "trained": {"LinAtt": [1.2, 1.1], "scalar GLA": [1.0, None]}}
    recs = _names(figures.make_figures([], ctx, ["A4", "T1", "T2", "W5"]))
    assert recs["omega_projections-multitask-nonmonotone"].status == "ok"
    assert "solve(model).risk" not in recs["w4_function-ar1-general"].caption  # overlay is in the plot
    assert recs["risk_vs_n"].status == "ok", recs["risk_vs_n"].note
    assert "multitask-nonmonotone" in recs["risk_vs_n"].caption
    assert "not overlaid" not in recs["risk_vs_n"].caption
    ctx.artifacts["T1"].pop("model")  # trained on an unnamed model: not drawn over these curves
    rec = figures.risk_vs_n_figure(ctx.models, ctx)
    assert "not overlaid" in rec.caption
    assert recs["risk_vs_depth"].status == "ok", recs["risk_vs_depth"].note


def test_t1_legend_sits_beside_the_curves(monkeypatch):
    """Issue 20: the T1 figure's legend covered curves; it is placed outside the axes."""
    _fake_solvers(monkeypatch)
    drawn = []
    real = figures.figure_to_png
    monkeypatch.setattr(figures.gla_landscape, "figure_to_png", lambda fig: drawn.append(fig) or real(fig))
    ctx = CheckContext(suite="quick")
    ctx.artifacts["T1"] = {"n": [12, 24], "model": "multitask-nonmonotone",
                           "trained": {"LinAtt": [1.2, 1.1], "scalar GLA": [1.0, 0.9]}}
    rec = figures.risk_vs_n_figure(ctx.models, ctx)
    assert rec.status == "ok", rec.note
    fig = drawn[-1]
    fig.canvas.draw()
    ax = fig.axes[0]
    legend, frame = ax.get_legend().get_window_extent(), ax.get_window_extent()
    assert legend.x0 >= frame.x1  # entirely to the right of the plotting area
    assert legend.x1 <= fig.bbox.x1 + 1  # and inside the figure


def test_check_figures_go_to_their_claim_and_bad_ones_are_noted(monkeypatch):
    monkeypatch.setattr(figures, "COMPUTED_FIGURES", ())
    out = outcome("W1", CheckResult("passed", 0.0, 1.0))
    out.figures = {"fit": _tiny_figure(), "raw": figures.figure_to_png(_tiny_figure()), "junk": "not a figure"}
    recs = _names(figures.make_figures([out], CheckContext(suite="quick"), ["W1"]))
    assert recs["W1-fit"].status == "ok" and recs["W1-fit"].claims == ("W1",)
    assert recs["W1-raw"].status == "ok"
    assert recs["W1-junk"].status == "skipped" and "could not render" in recs["W1-junk"].note


def test_report_generation_is_valid(tmp_path, monkeypatch):
    """Figures (PNG, SVG and PDF) + documents + files for every claim on the default models
    (its speed is a benchmark's business, never a timed test's)."""
    _fake_solvers(monkeypatch)
    ctx = CheckContext(suite="quick")
    outs = [outcome(c.id, CheckResult("passed", 0.0, 1.0)) for c in CLAIMS]
    ids = [c.id for c in CLAIMS]
    figures.make_figures([], ctx, ["W4"])  # warm matplotlib's font cache: a one-off per process
    doc = write_report(outs, ctx, tmp_path, claim_ids=ids)
    validate_document(doc)
    assert doc["status"] == "verified"
    for f in doc["figures"]:
        assert (f["file"] is None) == (f["status"] == "skipped")
        if f["file"]:
            assert (tmp_path / f["file"]).read_bytes().startswith(b"\x89PNG")
            if f["source"] == "report":  # drawn here: also as SVG and PDF, for papers
                stem = tmp_path / f["file"][: -len(".png")]
                assert stem.with_suffix(".svg").read_bytes().lstrip().startswith(b"<?xml")
                assert stem.with_suffix(".pdf").read_bytes().startswith(b"%PDF")
    _, files, pngs = render_report(outs, ctx, claim_ids=ids, figures=False)
    assert set(files) == {"report.json", "report.md", "report.html"} and pngs == {}


def test_results_display_as_a_table_in_a_notebook():
    """``run`` returns a list that a notebook shows as an HTML table (``_repr_html_``)."""
    from wpgd_theory.claims import run

    outs = run(["W6"], "quick", context=CheckContext(suite="quick"))
    assert isinstance(outs, list) and len(outs) == 1
    html = outs._repr_html_()
    assert html.startswith("<table>") and "W6" in html and "verified" in html
    assert outs[0]._repr_html_().count("<tr>") == 1 + len(outs[0].results)
    bad = outcome("W1", CheckResult("failed", 2.0, 1.0, message="x < y"))
    assert "<td>failed</td>" in bad._repr_html_() and "2 ≤ 1" in bad._repr_html_()


def test_every_number_of_a_check_reaches_the_report_unchanged():
    """Report fidelity: each check's status, measured value, tolerance and message in
    report.json are exactly those of its CheckResult (distinct values, so a swap shows)."""
    results = [CheckResult("passed", 1e-14, 1e-10, {}, "a"), CheckResult("failed", 0.5, 0.1, {}, "b"),
               CheckResult("passed", 2.0, 4.0, {}, "c")]
    doc = doc_of([outcome("W1", *results)])
    got = [(k["status"], k["measured"], k["tolerance"], k["message"]) for k in doc["claims"][0]["checks"]]
    assert got == [(r.status, r.measured, r.tolerance, r.message) for r in results]


def test_architectures_controls_say_why_and_unavailable_layers_are_listed():
    """The architectures table's controls carry their reason and layers that cannot run here
    are listed with theirs, in both renderings (issue 19, item 6)."""
    out = outcome("G1", CheckResult("passed", 0.1, 1.0))
    rows = [dict(name="gla", title="GLA", implements_wpgd=True, stated_implements_wpgd=True, as_stated=True,
                 weight_class="free", max_discrepancy=1e-7, tolerance=1e-5, best_risk={}),
            dict(name="deltanet", title="DeltaNet", implements_wpgd=False, stated_implements_wpgd=False,
                 as_stated=True, weight_class="none", max_discrepancy=0.7, tolerance=1e-5, best_risk={},
                 reason="the state is corrected by <its own> prediction")]
    out.artifacts = {"architectures": {"fla_version": "0.6.0", "rows": rows,
                                       "unavailable": [{"name": "mamba3", "reason": "needs a CUDA device"}]}}
    doc = doc_of([out])
    validate_document(doc)
    md, html = render_markdown(doc), render_html(doc)
    for text in (md, html):
        assert "DeltaNet" in text and "needs a CUDA device" in text and "mamba3" in text
    assert "the state is corrected by &lt;its own&gt; prediction" in html
    assert "**DeltaNet**: the state is corrected by" in md
    assert "**GLA**:" not in md  # only controls carry a reason
