"""The proof files check clean; the checker reports failures, missing citations and bad input; the
Markdown renderer carries the marks; the registered symbolic claim checks pass."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
import sympy as sp

from wpgd_theory.symbolic import proofcheck as pc
from wpgd_theory.symbolic.algebra import Identity

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def proofs():
    return pc.load_proofs()


def test_one_proof_per_family(proofs):
    assert [p.family for p in proofs] == ["construction", "risk", "optimum", "general_sigma", "gla_landscape"]
    claims = [c for p in proofs for c in p.claims]
    for cid in ("G1", "G2", "G3", "G4", "W1", "W2", "W3", "W4", "W5", "W6", "A1", "A2", "A3", "A4", "T1", "T2"):
        assert cid in claims, cid
    for p in proofs:
        assert p.intro.strip() and p.steps
        assert any(s.kind == "symbolic" for s in p.steps)
        for s in p.steps:
            assert (s.kind == "text") == (s.scope == ""), (p.family, s.text[:40])
            assert s.kind == "text" or s.scope in pc.SCOPES


@pytest.mark.parametrize("family", ["construction", "risk", "optimum", "general_sigma", "gla_landscape"])
def test_proof_checks_clean(proofs, family):
    proof = next(p for p in proofs if p.family == family)
    results = pc.check_proof(proof)
    assert len(results) == len(proof.steps)
    bad = [(k, r.note) for k, r in enumerate(results, 1) if r.status == "✗"]
    assert not bad, bad
    sym = [r for r in results if r.step.kind == "symbolic"]
    assert sym and all(r.status == "✓" for r in sym)
    # every all-sizes step ran its own identities and, apart, a fixed-size cross-check (issue 21)
    for k, r in enumerate(results, 1):
        if r.step.scope == "all-sizes":
            assert r.identities and r.cross, (family, k, len(r.identities), len(r.cross))
    for r in results:
        assert r.status in pc.STATUSES
        if r.step.kind == "numeric":
            assert r.status in ("—", "pending")
    md = pc.render_markdown(proof, results)
    assert md.startswith(f"(proof-{family})=\n# ") and "✓" in md
    assert md.count("**Step ") == len(proof.steps)


def test_numeric_keys_resolve_or_fail(proofs):
    """A numeric step citing a key that is registered is ``—`` (run by wpgd-verify); one citing a key
    with no registered check fails (✗), never ``pending``."""
    results = pc.check_proof(next(p for p in proofs if p.family == "risk"),
                             registry={"W1:closed form vs Monte Carlo": object()})
    numeric = {r.step.check: r for r in results if r.step.kind == "numeric"}
    assert numeric["W1:closed form vs Monte Carlo"].status == "—"
    assert numeric["W3:P* vs cvxpy QP"].status == "✗"
    assert "cites a missing check" in numeric["W3:P* vs cvxpy QP"].note


def test_every_cited_check_exists(proofs):
    """Against the live registry no proof step cites a missing check and none is pending."""
    for proof in proofs:
        for k, r in enumerate(pc.check_proof(proof), 1):
            if r.step.kind == "numeric":
                assert r.status == "—", (proof.family, k, r.note)


def test_a_planted_missing_citation_fails_the_runner(tmp_path, capsys):
    """A proof file whose numeric step cites a check that does not exist makes the runner exit 1
    (it was ``pending`` and exit 0), in text and in ``--json``."""
    (tmp_path / "cites.py").write_text(
        "from wpgd_theory.symbolic.proofcheck import Proof, numeric, argument\n"
        "PROOF = Proof('cites', 'C', ('W1',), 'i', [argument('words'),\n"
        "    numeric('a check nobody wrote', 'W1:no such check exists')])\n")
    assert pc.main(["--proofs", str(tmp_path)]) == 1
    out = capsys.readouterr().out
    assert "cites a missing check" in out and "FAILED: 1 failing" in out
    assert pc.main(["--proofs", str(tmp_path), "--json"]) == 1
    doc = json.loads(capsys.readouterr().out)
    assert doc["failed"] == 1 and doc["steps"][1]["result"] == "failed"
    assert "cites a missing check" in doc["steps"][1]["note"]


def test_failing_and_erroring_steps_are_reported():
    def wrong():
        a = sp.Symbol("a")
        return Identity("wrong", {"n": 1}, (a + 1) ** 2, a**2 + 1)

    def boom():
        raise RuntimeError("nope")

    def returns_bool():
        return True

    proof = pc.Proof("test", "T", ("W1",), "intro", [
        pc.Step("a wrong identity", "symbolic", wrong, "sizes", "n = 1"),
        pc.Step("raises", "symbolic", boom, "sizes", "n = 1"),
        pc.Step("bool is not evidence", "symbolic", returns_bool, "sizes", "n = 1"),
        pc.Step("a zero expression", "symbolic", lambda: sp.sin(sp.Symbol("x")) ** 2 + sp.cos(sp.Symbol("x")) ** 2 - 1,
                "all-sizes", "all x"),
        pc.Step("a pair", "symbolic", lambda: (sp.Integer(4), sp.Integer(2) ** 2), "certified"),
        pc.Step("missing key", "numeric", "W1:no such check", "numeric"),
        pc.Step("just words"),
    ])
    res = pc.check_proof(proof, registry={})
    assert [r.status for r in res] == ["✗", "✗", "✗", "✓", "✓", "✗", "—"]
    assert "1 non-zero terms" in res[0].note and "RuntimeError" in res[1].note
    assert "cites a missing check" in res[5].note
    md = pc.render_markdown(proof, res)
    assert "FAILED" in md
    assert "**Step 1 ✗.**" in md
    with pytest.raises(ValueError, match="results"):
        pc.render_markdown(proof, res[:2])


def test_step_validation():
    with pytest.raises(ValueError, match="kind"):
        pc.Step("x", "magic")
    with pytest.raises(TypeError, match="callable"):
        pc.Step("x", "symbolic", "W1:foo")
    with pytest.raises(TypeError, match="registry key"):
        pc.Step("x", "numeric", "no colon")
    with pytest.raises(TypeError, match="no check"):
        pc.Step("x", "text", lambda: 0)
    with pytest.raises(ValueError, match="empty"):
        pc.Step("  ")
    with pytest.raises(ValueError, match="scope"):
        pc.Step("x", "symbolic", lambda: 0, "every d by the argument above")
    with pytest.raises(ValueError, match="scope"):
        pc.Step("x", "numeric", "W1:foo", "all-sizes")
    with pytest.raises(TypeError, match="Step objects"):
        pc.Proof("f", "t", ("W1",), "", ["not a step"])
    with pytest.raises(TypeError, match="Proof"):
        pc.check_proof("risk")


def test_load_proofs_errors(tmp_path):
    with pytest.raises(FileNotFoundError, match="proofs directory not found"):
        pc.load_proofs(tmp_path / "missing")
    with pytest.raises(FileNotFoundError, match="no proof files"):
        pc.load_proofs(tmp_path)
    (tmp_path / "bad.py").write_text("X = 1\n")
    with pytest.raises(ValueError, match="must define PROOF"):
        pc.load_proofs(tmp_path)
    assert pc.proofs_dir() == ROOT / "proofs"


def test_runner_exit_codes(tmp_path):
    (tmp_path / "broken.py").write_text(
        "import sympy as sp\n"
        "from wpgd_theory.symbolic.proofcheck import Proof, Step\n"
        "PROOF = Proof('broken', 'B', ('W1',), 'i', [Step('wrong', 'symbolic', lambda: sp.Integer(1), 'sizes')])\n")
    out = tmp_path / "md"
    code = pc.main(["--proofs", str(tmp_path), "--markdown", str(out)])
    assert code == 1 and (out / "broken.md").exists()
    assert pc.main(["--proofs", str(tmp_path / "nowhere")]) == 2
    assert pc.main(["--proofs", str(tmp_path), "nosuchfamily"]) == 2


def test_module_runner_passes_on_the_real_proofs():
    proc = subprocess.run([sys.executable, "-m", "wpgd_theory.symbolic.proofcheck", "risk"], capture_output=True,
                          text=True, timeout=300, cwd=ROOT)
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    assert "✓" in proc.stdout and "OK: 0 failing" in proc.stdout


def test_registered_symbolic_checks_pass_in_quick_suite():
    from wpgd_theory.claims import registry
    from wpgd_theory.claims.core import CheckContext
    from wpgd_theory.claims.runner import run_check

    ctx = CheckContext(suite="quick")
    checks = [c for cl in registry() for c in cl.checks if c.kind == "symbolic"]
    assert len(checks) >= 15
    claims = {c.claim_id for c in checks}
    assert {"G1", "G2", "G3", "G4", "W1", "W2", "W3", "W4", "W5", "W6"} <= claims
    for chk in checks:
        res, _ = run_check(chk, ctx)
        assert res.status == "passed", (chk.key, res.message, res.details)
        assert res.tolerance is not None and res.measured is not None
        if "derivations" in res.details:
            assert res.measured == 0 and res.details["identities"] > 0


def test_bridge_check_fails_on_a_wrong_numeric_closed_form(monkeypatch):
    """Mutant for the symbolic ↔ numeric bridge: a population_risk that is off by 1e-6 fails."""
    from wpgd_theory import landscape
    from wpgd_theory.claims import registry
    from wpgd_theory.claims.core import CheckContext
    from wpgd_theory.claims.runner import run_check

    chk = next(c for cl in registry() for c in cl.checks
               if c.key == "W1:symbolic risk polynomial = landscape.population_risk")
    true = landscape.population_risk
    monkeypatch.setattr(landscape, "population_risk", lambda m, P, w: true(m, P, w) * (1 + 1e-6))
    res, _ = run_check(chk, CheckContext(suite="quick"))
    assert res.status == "failed"


def test_json_scope_report(capsys):
    """``--json`` lists every step with family, index, kind, scope, sizes, engines and result."""
    assert pc.main(["--json", "general_sigma", "risk"]) == 0
    doc = json.loads(capsys.readouterr().out)
    steps = doc["steps"]
    assert {s["family"] for s in steps} == {"general_sigma", "risk"}
    for s in steps:
        assert set(s) >= {"family", "index", "kind", "scope", "sizes", "engines", "result"}
        assert s["kind"] in pc.STEP_KINDS
        if s["kind"] == "text":
            assert s["scope"] is None and s["result"] == "not run"
        else:
            assert s["scope"] in pc.SCOPES and s["engines"]
        if s["kind"] == "symbolic":
            assert s["result"] == "passed"
        if s["kind"] == "symbolic":
            assert s["identities"] >= 1 and s["cross_checks"] >= 0 and s["cross_check_sizes"] <= s["cross_checks"]
    gs = [s for s in steps if s["family"] == "general_sigma" and s["kind"] == "symbolic"]
    assert gs and all(s["scope"] in ("all-sizes", "certified") for s in gs)
    counts = doc["scope_counts"]["general_sigma"]
    assert sum(counts.values()) == len([s for s in steps if s["family"] == "general_sigma"])


def test_rendered_proof_shows_scope_counts(proofs):
    proof = next(p for p in proofs if p.family == "general_sigma")
    md = pc.render_markdown(proof, pc.check_proof(proof))
    counts = pc.scope_counts(proof)
    assert f"{counts['all-sizes']} all-sizes" in md and f"{counts['certified']} certified" in md
    assert "`[all-sizes]`" in md and "`[certified]`" in md


def test_a_step_that_checked_nothing_is_not_verified():
    """Decision meta-test: a certified step whose function returns no identity verified nothing
    (✗, not ✓); one exact identity verifies it."""
    import sympy as sp

    from wpgd_theory.symbolic.algebra import Identity

    assert pc._check_symbolic(pc.certified("nothing", lambda: [], ())).status == "✗"
    one = Identity("0 = 0", {}, sp.Integer(0), 0)
    assert pc._check_symbolic(pc.certified("one", lambda: [one], ())).status == "✓"


def test_a_numeric_step_whose_check_raised_fails():
    """A numeric step whose registered check raises is ✗ (an error is never pending)."""
    from wpgd_theory.claims.core import Check, CheckResult

    def boom(ctx):
        raise RuntimeError("boom")

    def fine(ctx):
        return CheckResult("passed", 0.0, 1.0)

    for func, status in ((boom, "✗"), (fine, "✓")):
        chk = Check("W1", "x", "numeric", ("quick",), func, "")
        assert pc._check_numeric(pc.numeric("t", "W1:x"), {"W1:x": chk}, True, "quick").status == status


@pytest.mark.parametrize("key", ["W1.label_variance", "W2.scaling"])
def test_a_derivation_runs_at_every_size_it_lists(key):
    """The sizes a derivation's scope names are the sizes it ran at: one or more identities per
    listed size, each carrying that size."""
    from wpgd_theory.symbolic.derivations import derivation

    der = derivation(key)
    ran = der.run("quick")
    listed = [dict(s) for s in der.sizes["quick"]]
    assert len(listed) >= 2
    seen = [dict(i.size) for i in ran]
    for size in listed:
        assert any(all(s.get(k) == v for k, v in size.items()) for s in seen), (size, seen)


def test_counts_separate_identities_from_cross_checks(capsys):
    """Per step, the identities of the step itself and the fixed-size cross-checks are counted
    apart, from what the check returned: two all-sizes identities and three cross-check identities
    at two sizes are reported as 2 and 3 (2 sizes), in the text output and in ``--json``."""
    a = sp.Symbol("a")

    def own():
        return [Identity("own 1", {"d": "symbolic"}, a + a, 2 * a), Identity("own 2", {"d": "symbolic"}, a * 0, 0)]

    def fixed():
        return [Identity(f"fixed {k}", {"d": k % 2 + 2}, sp.Integer(k), k) for k in range(3)]

    fixed.sizes = "d = 2, 3"
    step = pc.all_sizes("two identities and a cross-check", own, ("engine",), cross=(fixed,))
    res = pc._check_symbolic(step)
    assert res.status == "✓" and len(res.identities) == 2 and len(res.cross) == 3
    rec = pc.step_records(pc.Proof("t", "T", ("W1",), "i", [step]), [res])[0]
    assert (rec["identities"], rec["cross_checks"], rec["cross_check_sizes"]) == (2, 3, 2)
    wrong = pc.all_sizes("a wrong cross-check", own, ("engine",),
                         cross=(lambda: [Identity("wrong", {"d": 2}, a + 1, a)],))
    assert pc._check_symbolic(wrong).status == "✗"
    bare = pc._check_symbolic(pc.all_sizes("no cross-check", own, ("engine",)))
    assert len(bare.identities) == 2 and bare.cross == []
    assert pc.main(["risk"]) == 0
    assert "fixed-size cross-checks)" in capsys.readouterr().out


def test_a_stated_fact_is_shown_never_counted():
    """A step's stated fact (used by its text, not checked) appears in the Markdown and in --json as
    such; it adds no identity."""
    a = sp.Symbol("a")
    step = pc.all_sizes("uses a fact", lambda: [Identity("a = a", {"d": "symbolic"}, a, a)], ("engine",),
                        stated="a standard fact (Some Book, ch. 1)")
    proof = pc.Proof("t", "T", ("W1",), "i", [step])
    res = pc.check_proof(proof)
    assert len(res[0].identities) == 1
    assert "stated fact, not checked: a standard fact (Some Book, ch. 1)" in pc.render_markdown(proof, res)
    assert pc.step_records(proof, res)[0]["stated_fact"] == "a standard fact (Some Book, ch. 1)"
