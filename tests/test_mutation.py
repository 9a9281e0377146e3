"""The mutation harness (``benchmarks/mutation/``, ``make mutate``).

CI runs one mutant only (a claim subset of the quick suite and one test), as a test of
the harness; the whole catalogue is slow and runs with ``make mutate``.  Every catalogued
snippet must apply exactly once to the current tree (cheap; catches a stale catalogue).
"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import pytest

from wpgd_theory.claims.registry import CLAIM_IDS

ROOT = Path(__file__).resolve().parents[1]
HARNESS_PATH = ROOT / "benchmarks" / "mutation" / "harness.py"


def _load_harness():
    spec = importlib.util.spec_from_file_location("wpgd_mutation_harness", HARNESS_PATH)
    mod = importlib.util.module_from_spec(spec)
    sys.modules.setdefault(spec.name, mod)
    spec.loader.exec_module(mod)
    return mod


harness = _load_harness()
catalogue = harness.load_catalogue()
MUTANTS = catalogue.MUTANTS

#: Library areas the catalogue must cover (issue 9: model, wpgd, landscape, certify,
#: convex, gla layer/construct/train, symbolic, claims, report).
REQUIRED_FAMILIES = {"model", "wpgd", "landscape", "certify", "convex", "gla.layer", "gla.construct", "gla.train",
                     "symbolic", "claims", "report"}
#: The plausible bugs issue 9 names, by the code they change.
ISSUE9 = {"landscape-solve-smallest-root", "certify-skip-last-cell", "convex-forget-negative-cone",
          "gla-chunk-state-off-by-one", "model-noise-as-std"}


@pytest.mark.parametrize("mutant", MUTANTS, ids=[m.id for m in MUTANTS])
def test_mutant_applies_exactly_once(mutant):
    assert harness.stale_reason(mutant, ROOT) is None, f"{mutant.id}: {harness.stale_reason(mutant, ROOT)}"
    assert mutant.replacement != mutant.original
    assert mutant.family in catalogue.FAMILY_TESTS
    assert set(mutant.claims) <= set(CLAIM_IDS), mutant.claims
    assert mutant.rationale.strip()
    for sel in mutant.test_selection:
        assert (ROOT / sel.split("::")[0]).is_file(), f"{mutant.id}: test selection {sel} does not exist"
    assert not mutant.file.startswith(("tests/", "benchmarks/")), "mutants patch the library, not the tests"


def test_catalogue_size_coverage_and_issue9_bugs():
    ids = [m.id for m in MUTANTS]
    assert len(ids) == len(set(ids)), "mutant ids must be unique"
    assert len(MUTANTS) >= 30
    assert REQUIRED_FAMILIES <= {m.family for m in MUTANTS}
    assert ISSUE9 <= set(ids)
    assert {m.id for m in MUTANTS if m.source == "issue 9"} >= ISSUE9


def test_blind_catalogue_is_kept_apart_and_covers_every_package():
    """issue 18: at least 40 blind mutants (written without reading the checks), over every
    package including parallel, sweep, config, architectures, the symbolic engines and report,
    each with its kind; the summary counts them apart."""
    blind = [m for m in MUTANTS if m.source == "blind"]
    assert len(blind) >= 40
    assert {m.kind for m in blind} <= {"value", "leniency", "infrastructure"}
    assert {"parallel", "sweep", "config", "architectures", "symbolic", "symbolic.proofs", "report", "cli",
            "model", "landscape", "convex", "certify", "gla.layer"} <= {m.family for m in blind}
    assert all(m.kind for m in blind) and not any(m.kind for m in MUTANTS if m.source != "blind")
    rows = [dict(id=m.id, source=m.source, kind=m.kind, status="survived", expected_claims=list(m.claims))
            for m in MUTANTS]
    summary = harness.summarise(rows)
    assert summary["blind"]["total"] == len(blind)
    assert sum(v["total"] for v in summary["blind"]["by_kind"].values()) == len(blind)


def test_by_id_rejects_unknown_ids():
    assert [m.id for m in catalogue.by_id(["certify-skip-last-cell"])] == ["certify-skip-last-cell"]
    with pytest.raises(ValueError, match="unknown mutant ids"):
        catalogue.by_id(["no-such-mutant"])


def _fake(original, file="wpgd_theory/landscape.py"):
    return catalogue.Mutant("fake", "landscape", file, original, "x", "test", ("W1",))


def test_stale_mutants_are_reported_and_never_run(tmp_path):
    missing = _fake("this snippet is not in the file")
    twice = _fake("import numpy as np\n", file="wpgd_theory/model.py") if \
        (ROOT / "wpgd_theory/model.py").read_text().count("import numpy as np\n") > 1 else _fake("np.")
    gone = _fake("x", file="wpgd_theory/no_such_module.py")
    assert "found 0 times" in harness.stale_reason(missing, ROOT)
    assert "times" in harness.stale_reason(twice, ROOT) and "found 1 times" not in harness.stale_reason(twice, ROOT)
    assert "does not exist" in harness.stale_reason(gone, ROOT)
    for m in (missing, twice, gone):
        row = harness.run_mutant(m, files=[], timeout=5)  # stale: returns before copying or running anything
        assert row["status"] == "stale" and row["note"]
        assert not row["caught_by_suite"] and not row["caught_by_tests"]
    with pytest.raises(ValueError, match="stale"):
        harness.apply_mutant(missing, ROOT)


def test_apply_patches_only_the_scratch_copy(tmp_path):
    mutant = catalogue.by_id(["landscape-solve-smallest-root"])[0]
    before = (ROOT / mutant.file).read_text()
    scratch = harness.make_scratch(ROOT, [mutant.file], parent=str(tmp_path))
    harness.apply_mutant(mutant, scratch)
    patched = (scratch / mutant.file).read_text()
    assert patched == before.replace(mutant.original, mutant.replacement)
    assert patched != before
    assert (ROOT / mutant.file).read_text() == before


def test_judge_subtracts_the_baseline_and_reports_crashes_and_timeouts():
    base = harness.Baseline(suite_exit=1, failed_checks={"W3: P* vs L-BFGS"}, failed_tests={"tests/a.py::t"})
    suite = {"exit_status": 1, "failed_checks": ["W3: P* vs L-BFGS"], "note": ""}
    tests = {"exit_status": 1, "failed_tests": ["tests/a.py::t"], "note": ""}
    row = harness.judge("m", suite, tests, base)
    assert row["status"] == "survived" and not row["caught_by_suite"] and not row["caught_by_tests"]
    row = harness.judge("m", dict(suite, failed_checks=["W3: P* vs L-BFGS", "W1: x"]), tests, base)
    assert row["status"] == "caught" and row["caught_by_suite"] and row["checks"] == ["W1: x"]
    clean = harness.Baseline()
    crash = harness.judge("m", {"exit_status": 2, "failed_checks": [], "note": "no report.json"}, None, clean)
    assert crash["caught_by_suite"] and "crash" in crash["checks"][0]
    unverified = harness.judge("m", {"exit_status": 1, "failed_checks": [], "note": "", "unverified_claims": ["T1"]},
                               None, clean)
    assert unverified["caught_by_suite"] and unverified["checks"] == ["(not verified: T1)"]
    hung = harness.judge("m", {"exit_status": None, "failed_checks": [], "note": "timeout"},
                         {"exit_status": 0, "failed_tests": [], "note": ""}, clean)
    assert hung["status"] == "timeout"
    collect = harness.judge("m", None, {"exit_status": 2, "failed_tests": [], "note": "pytest exit 2"}, clean)
    assert collect["caught_by_tests"]
    rows = [dict(harness.judge("a", dict(suite, failed_checks=["W1: x"]), None, clean), id="a",
                 expected_claims=["W3"]),
            dict(harness.judge("b", {"exit_status": 0, "failed_checks": [], "note": ""}, None, clean), id="b",
                 expected_claims=["W1"])]
    summary = harness.summarise(rows)
    assert summary["missed_by_expected_claims"] == ["a", "b"] and summary["survived"] == ["b"]
    assert summary["caught_by_suite"] == 1 and summary["missed_by_suite"] == ["b"]


def test_junit_failures_are_named_as_node_ids(tmp_path):
    (tmp_path / "tests").mkdir()
    (tmp_path / "tests" / "test_x.py").write_text("")
    xml = tmp_path / "j.xml"
    xml.write_text('<testsuites><testsuite>'
                   '<testcase classname="tests.test_x" name="test_a"><failure message="m"/></testcase>'
                   '<testcase classname="tests.test_x.TestK" name="test_b"><error message="e"/></testcase>'
                   '<testcase classname="tests.test_x" name="test_ok"/>'
                   '</testsuite></testsuites>')
    assert harness._junit_failures(xml, tmp_path) == ["tests/test_x.py::TestK::test_b", "tests/test_x.py::test_a"]


def test_one_mutant_end_to_end(tmp_path):
    """The harness on one real mutant: the quick suite restricted to W1 and one test catch it."""
    mutant = catalogue.by_id(["landscape-risk-a-b-swapped"])[0]
    before = (ROOT / mutant.file).read_text()
    node = "tests/test_landscape.py::test_closed_form_equals_quadrature"
    row = harness.run_mutant(mutant, claims=("W1",), tests=(node,), timeout=240)
    assert (ROOT / mutant.file).read_text() == before, "the working tree must never be modified"
    assert row["status"] == "caught", row
    assert row["caught_by_suite"] and row["suite"]["exit_status"] == 1
    assert "W1: closed form vs exact quadrature" in row["checks"]
    assert row["caught_by_tests"]
    assert row["tests"] == [node]
    assert harness.expected_claims_caught(row) == ["W1"]  # expected W1, W3; only W1 ran
    doc = {"mutants": [row], "summary": harness.summarise([row]), "baseline": None}
    assert doc["summary"]["caught_by_suite"] == 1 and doc["summary"]["survived"] == []
    text = harness.format_summary(doc)
    assert "landscape-risk-a-b-swapped" in text and "1 caught" in text
    harness.write_table(doc, tmp_path / "mutation.json")
    assert (tmp_path / "mutation.json").read_text().startswith("{")


def test_update_replaces_rows_in_catalogue_order_and_refuses_other_settings():
    settings = {"suite": "quick", "seed": 0, "claims": "all", "suite_run": True, "tests_run": True}

    def row(i, status):
        return {"id": i, "status": status, "caught_by_suite": status == "caught", "caught_by_tests": False,
                "checks": ["W1: x"] if status == "caught" else [], "expected_claims": ["W1"]}

    old = {"settings": dict(settings), "mutants": [row("a", "survived"), row("c", "caught")], "summary": {}}
    new = {"settings": dict(settings, jobs=1), "mutants": [row("b", "caught"), row("a", "caught")],
           "generated_at": "t", "git_commit": "abc", "git_dirty": False, "baseline": None, "duration_s": 1.0}
    doc = harness.update_table(old, new, ["a", "b", "c"])
    assert [r["id"] for r in doc["mutants"]] == ["a", "b", "c"]
    assert doc["summary"]["caught"] == 3 and doc["updates"][0]["mutants"] == ["b", "a"]
    with pytest.raises(ValueError, match="other settings"):
        harness.update_table(old, dict(new, settings=dict(settings, seed=1)), ["a", "b", "c"])


def test_repo_files_without_git_skips_caches_and_the_venv(monkeypatch):
    with_git = set(harness.repo_files(ROOT))
    assert "wpgd_theory/landscape.py" in with_git and not any(p.startswith(".venv/") for p in with_git)

    def no_git(*args, **kwargs):
        raise OSError("git is not installed")

    monkeypatch.setattr(harness.subprocess, "run", no_git)
    walked = set(harness.repo_files(ROOT))
    assert {m.file for m in MUTANTS} <= walked
    assert not any(p.startswith((".venv/", ".git/")) or "__pycache__" in p or p == ".git" for p in walked)


def test_off_verdict_path_annotations_name_blind_value_mutants():
    """The maintainers' annotation of value mutants no quick verdict rests on names only blind
    "value" mutants that exist, each with its reason."""
    cat = _load_harness().load_catalogue()
    blind = {m.id: m for m in cat.MUTANTS if m.source == "blind"}
    for mid, why in cat.OFF_VERDICT_PATH.items():
        assert mid in blind and blind[mid].kind == "value" and len(why) > 40, mid
