"""The Coq development ``proofs/coq`` (issue 22): G1–G4, W2 and U3's certificates.

* it builds (``coq_makefile`` + ``make``, in a temporary copy) with no ``Admitted``, ``admit``,
  ``Axiom``/``Parameter``/``Conjecture`` or checker switches in its sources, and
  ``Print Assumptions`` of every lemma named in :mod:`wpgd_theory.symbolic.coq` shows only the
  standard library's axioms (in fact none: "Closed under the global context") — which also shows
  that every lemma of the table exists;
* the detectors are shown to fire: a planted ``Admitted`` is caught by the source scan and by
  ``Print Assumptions``;
* ``Certificates.v`` is what ``proofs/coq/certificates.py`` writes from ``proofs/general_sigma.py``
  (no drift), and the table's certificate lemmas are the generated ones;
* ``proofcheck --json`` reports scope ``coq`` with the lemma names.

The tests that need ``coqc`` skip with one line where it is absent.  The build takes ~20–50 s.
"""

from __future__ import annotations

import importlib.util
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from wpgd_theory.symbolic import coq as C
from wpgd_theory.symbolic import proofcheck as pc

ROOT = Path(__file__).resolve().parents[1]
COQ_DIR = ROOT / "proofs" / "coq"
HAVE_COQ = bool(shutil.which("coqc") and shutil.which("coq_makefile"))
needs_coq = pytest.mark.skipif(not HAVE_COQ, reason="coqc not found: the Coq proofs (proofs/coq) are not "
                               "built here (install coq and libcoq-mathcomp-*; see proofs/README.md)")
COQ_FLAGS = ["-w", "-notation-overridden,-ambiguous-paths"]

#: Vernacular that adds an assumption or switches a check off (outside comments).
FORBIDDEN = re.compile(r"\b(Admitted|admit|give_up|Axioms?|Parameters?|Conjecture|Hypothes[ie]s"
                       r"|Unset\s+(Guard|Positivity|Universe)\s+Checking|Bypass\s+Check)\b")

#: Axioms of Coq's standard library that Print Assumptions may list (none are used today).
STDLIB_AXIOMS = {"ClassicalDedekindReals.sig_forall_dec", "ClassicalDedekindReals.sig_not_dec",
                 "FunctionalExtensionality.functional_extensionality_dep", "Classical_Prop.classic",
                 "ProofIrrelevance.proof_irrelevance", "PropExtensionality.propositional_extensionality"}


def strip_comments(text: str) -> str:
    """Coq source without its (nested) comments."""
    out, depth, i = [], 0, 0
    while i < len(text):
        if text.startswith("(*", i):
            depth, i = depth + 1, i + 2
        elif depth and text.startswith("*)", i):
            depth, i = depth - 1, i + 2
        else:
            if not depth:
                out.append(text[i])
            i += 1
    return "".join(out)


def forbidden(text: str) -> list:
    """The forbidden words in a Coq source (comments excluded)."""
    return [m.group(0) for m in FORBIDDEN.finditer(strip_comments(text))]


def assumption_failures(output: str, expected: int) -> list:
    """Problems in the output of ``expected`` ``Print Assumptions`` commands: a missing block,
    or an assumption that is not a standard-library axiom."""
    blocks = [b for b in re.split(r"(?m)^(?=Closed under the global context|Axioms:)", output)
              if b.startswith(("Closed under the global context", "Axioms:"))]
    problems = [] if len(blocks) == expected else [f"{len(blocks)} Print Assumptions answers, expected {expected}"]
    for b in blocks:
        if b.startswith("Axioms:"):
            body = b[len("Axioms:"):]
            names = re.findall(r"(?m)^(\S+)\s*:", body) + re.findall(r"(?m)^(\S+)\s*$", body)
            problems += [n for n in names if n not in STDLIB_AXIOMS]
    return problems


def sources() -> list:
    return sorted(COQ_DIR.glob("*.v"))


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> Path:
    """A built copy of proofs/coq."""
    work = tmp_path_factory.mktemp("coq")
    for f in sources() + [COQ_DIR / "_CoqProject"]:
        shutil.copy(f, work / f.name)
    for cmd in (["coq_makefile", "-f", "_CoqProject", "-o", "Makefile.coq"], ["make", "-f", "Makefile.coq", "-j2"]):
        res = subprocess.run(cmd, cwd=work, capture_output=True, text=True, timeout=900)
        assert res.returncode == 0, f"{' '.join(cmd)} failed:\n{res.stdout[-3000:]}\n{res.stderr[-3000:]}"
    return work


def test_sources_have_no_admitted_or_axioms():
    assert sources(), "no .v files in proofs/coq"
    for f in sources():
        assert forbidden(f.read_text(encoding="utf-8")) == [], f.name


def test_source_scan_catches_a_planted_admitted():
    text = (COQ_DIR / "GLA.v").read_text(encoding="utf-8")
    planted = text.replace("Qed.", "Admitted.", 1)
    assert planted != text
    assert forbidden(planted) == ["Admitted"]
    assert forbidden("(* Admitted in a comment (* nested *) *) Lemma x : True. Proof. admit. Qed.") == ["admit"]
    assert forbidden("Axiom ax : False.") == ["Axiom"]


@needs_coq
def test_development_builds_and_assumes_nothing(built):
    lemmas = C.all_lemmas()
    script = "From WPGD Require GLA Weights Risk Certificates.\n" + "".join(
        f"Print Assumptions WPGD.{name}.\n" for name in lemmas)
    (built / "Assumptions.v").write_text(script, encoding="utf-8")
    res = subprocess.run(["coqc", *COQ_FLAGS, "-R", ".", "WPGD", "Assumptions.v"], cwd=built,
                         capture_output=True, text=True, timeout=300)
    assert res.returncode == 0, res.stdout[-3000:] + res.stderr[-3000:]  # also: every lemma exists
    assert assumption_failures(res.stdout, len(lemmas)) == []
    assert res.stdout.count("Closed under the global context") == len(lemmas)


@needs_coq
def test_print_assumptions_catches_a_planted_admitted(tmp_path):
    (tmp_path / "Planted.v").write_text("Lemma planted : 1 = 2. Admitted.\nPrint Assumptions planted.\n")
    res = subprocess.run(["coqc", "Planted.v"], cwd=tmp_path, capture_output=True, text=True, timeout=120)
    assert res.returncode == 0, res.stderr
    assert assumption_failures(res.stdout, 1) == ["planted"]


def _generator():
    spec = importlib.util.spec_from_file_location("coq_certificates", COQ_DIR / "certificates.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def test_certificates_file_is_generated_from_the_python_certificates():
    gen = _generator()
    assert gen.render() == (COQ_DIR / "Certificates.v").read_text(encoding="utf-8"), \
        "proofs/coq/Certificates.v is stale: run python proofs/coq/certificates.py"
    generated = {i: tuple(f"Certificates.{n}" for n in names) for i, names in gen.lemmas().items()}
    table = {i: lemmas for (fam, i), (lemmas, _) in C.COQ_LEMMAS.items() if fam == "general_sigma"}
    assert table == generated


def test_table_points_at_the_steps_it_names():
    proofs = {p.family: p for p in pc.load_proofs()}
    for (family, index), (lemmas, marker) in C.COQ_LEMMAS.items():
        assert lemmas
        assert marker in proofs[family].steps[index - 1].text, (family, index, marker)
        for name in lemmas:
            assert C.statement(name).splitlines()[-1].rstrip().endswith(".")
    for names in C.COQ_DEFINITIONS.values():
        for name in names:
            assert re.match(r"(\(\*.*?\*\)\n)?(Definition|Fixpoint) ", C.statement(name), re.S), name


def test_proofcheck_json_reports_scope_coq():
    proof = next(p for p in pc.load_proofs() if p.family == "general_sigma")
    records = pc.step_records(proof, [pc.StepResult(s, "—") for s in proof.steps])
    by_index = {r["index"]: r for r in records}
    for (family, index), (lemmas, _) in C.COQ_LEMMAS.items():
        if family == "general_sigma":
            assert by_index[index]["coq"] == list(lemmas)
            assert by_index[index]["scopes"] == [by_index[index]["scope"], "coq"]
    plain = [r for r in records if ("general_sigma", r["index"]) not in C.COQ_LEMMAS]
    assert plain and all(r["coq"] is None and "coq" not in r["scopes"] for r in plain)


def test_statement_rejects_an_unknown_lemma():
    with pytest.raises(ValueError, match="not found"):
        C.statement("GLA.no_such_lemma")
