r"""Mutation testing of the verifier: does a planted bug make the quick suite fail?

``make mutate`` (or ``python benchmarks/mutation/harness.py``) takes every mutant of
``catalogue.py`` and, for each one, in a scratch copy of the repository (the working
tree's tracked and untracked-but-not-ignored files, copied into a temporary directory;
the working tree itself is never modified):

1. applies the patch (a snippet found zero times or more than once makes the mutant
   **stale**: reported loudly, never silently skipped);
2. runs the quick suite, ``python -m wpgd_theory.cli run --suite quick --seed S`` with the
   scratch copy first on ``PYTHONPATH`` (checked: the harness refuses to run if
   ``wpgd_theory`` would be imported from anywhere else);
3. runs the mutant's pytest selection (``HYPOTHESIS_PROFILE=ci``, junit XML parsed for
   the failing tests).

Before the mutants, the same two steps run once on the unmutated tree (the *baseline*);
a check or test that already fails there is not counted as catching anything (and is
reported).  A mutant is *caught by the suite* when the suite exits non-zero with a check
that failed (or errored) beyond the baseline's, or crashes; *caught by tests* likewise.
Its status is ``caught`` (by either), ``survived``, ``stale`` or ``timeout``.  The table
is written to ``benchmarks/results/mutation.json`` and summarised on stdout.

Reproducible: fixed ``--seed`` for the suite, hypothesis profile ``ci`` (derandomised),
``PYTHONHASHSEED=0``, one BLAS/torch thread per job.
"""

from __future__ import annotations

import argparse
import concurrent.futures as cf
import datetime as _dt
import importlib.util
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
DEFAULT_OUT = ROOT / "benchmarks" / "results" / "mutation.json"
#: Where a partial run (--only, --claims, --no-tests, --no-suite) goes unless --out is given,
#: so that it never overwrites the table of the whole catalogue.
PARTIAL_OUT = ROOT / "benchmarks" / "results" / "mutation-partial.json"
SCHEMA = "wpgd-theory-mutation"
SCHEMA_VERSION = "1.0"


def load_catalogue():
    """The ``catalogue`` module beside this file (benchmarks/ is not a package)."""
    spec = importlib.util.spec_from_file_location("wpgd_mutation_catalogue", HERE / "catalogue.py")
    mod = importlib.util.module_from_spec(spec)
    sys.modules.setdefault(spec.name, mod)
    spec.loader.exec_module(mod)
    return mod


# ----------------------------------------------------------------------------- patching
def snippet_count(mutant, root: Path) -> int:
    """How often the mutant's original snippet occurs in its file under ``root`` (-1: no file)."""
    path = root / mutant.file
    if not path.is_file():
        return -1
    return path.read_text(encoding="utf-8").count(mutant.original)


def stale_reason(mutant, root: Path) -> str | None:
    """``None`` if the mutant applies exactly once under ``root``, else why it is stale."""
    n = snippet_count(mutant, root)
    if n == 1:
        return None
    if n == -1:
        return f"file {mutant.file} does not exist"
    return f"snippet found {n} times in {mutant.file} (must be exactly once)"


def apply_mutant(mutant, root: Path) -> None:
    """Patch ``root/mutant.file`` in place (``root`` is a scratch copy); raises if stale."""
    why = stale_reason(mutant, root)
    if why is not None:
        raise ValueError(f"mutant {mutant.id} is stale: {why}")
    path = root / mutant.file
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace(mutant.original, mutant.replacement, 1), encoding="utf-8")


#: Folders never copied when the tree is not a git checkout (build outputs, caches, the venv).
_SKIP_DIRS = {".git", ".venv", "__pycache__", ".pytest_cache", ".hypothesis", ".ruff_cache", "_build", "results",
              "wpgd-report", "build", "dist"}


def repo_files(root: Path) -> list:
    """Tracked and untracked-but-not-ignored files of the working tree (relative paths);
    without git, every file outside build outputs, caches and the venv."""
    try:
        out = subprocess.run(["git", "-C", str(root), "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
                             capture_output=True, check=True, timeout=60).stdout.decode("utf-8")
        return sorted({p for p in out.split("\0") if p and (root / p).is_file()})
    except (OSError, subprocess.SubprocessError):
        files = []
        for dirpath, dirnames, filenames in os.walk(root):
            dirnames[:] = [d for d in dirnames if d not in _SKIP_DIRS and not d.endswith(".egg-info")]
            files += [str((Path(dirpath) / f).relative_to(root)) for f in filenames if f != ".git"]
        return sorted(files)


def make_scratch(root: Path, files, parent: str | None = None) -> Path:
    """Copy ``files`` of ``root`` into a new temporary directory and return it."""
    dest = Path(tempfile.mkdtemp(prefix="wpgd-mutant-", dir=parent))
    for rel in files:
        target = dest / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(root / rel, target)
    return dest


# ----------------------------------------------------------------------------- running
def _env(scratch: Path, profile: str = "ci") -> dict:
    env = dict(os.environ)
    env.update({
        "PYTHONPATH": str(scratch) + (os.pathsep + env["PYTHONPATH"] if env.get("PYTHONPATH") else ""),
        "HYPOTHESIS_PROFILE": profile,
        "PYTHONHASHSEED": "0",
        "PYTHONDONTWRITEBYTECODE": "1",
        "MPLBACKEND": "Agg",
        "OMP_NUM_THREADS": "1",
        "MKL_NUM_THREADS": "1",
        "OPENBLAS_NUM_THREADS": "1",
        "CI": "1",
    })
    return env


def _run(cmd, cwd: Path, timeout: float, profile: str = "ci"):
    """Run ``cmd`` in its own process group; returns ``(exit status or None on timeout, output tail, seconds)``."""
    t0 = time.perf_counter()
    proc = subprocess.Popen(cmd, cwd=cwd, env=_env(cwd, profile), stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                            start_new_session=True)
    try:
        out, _ = proc.communicate(timeout=max(timeout, 1.0))
        rc = proc.returncode
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        out, _ = proc.communicate()
        rc = None
    return rc, out.decode("utf-8", "replace")[-2000:], time.perf_counter() - t0


def check_import_path(scratch: Path, python: str) -> None:
    """Refuse to run unless ``wpgd_theory`` is imported from ``scratch`` (else every mutant 'survives')."""
    rc, out, _ = _run([python, "-c", "import wpgd_theory, sys; sys.stdout.write(wpgd_theory.__file__)"],
                      scratch, 120)
    where = out.strip().splitlines()[-1] if out.strip() else ""
    if rc != 0 or not Path(where).resolve().is_relative_to(scratch.resolve()):
        raise RuntimeError(f"wpgd_theory is imported from {where or '?'} instead of the scratch copy {scratch} "
                           f"(exit {rc}): {out[-500:]}")


def failing_checks(report: dict) -> list:
    """``"CLAIM: check name"`` of every check that failed or errored in a report document."""
    return [f"{c['id']}: {k['name']}" for c in report.get("claims", []) for k in c.get("checks", [])
            if k.get("status") in ("failed", "error")]


def run_suite(scratch: Path, python: str, *, seed: int, claims=None, timeout: float) -> dict:
    """The quick suite on ``scratch``: exit status, failing checks, duration."""
    out_dir = scratch / ".mutation-report"
    cmd = [python, "-m", "wpgd_theory.cli", "run", "--suite", "quick", "--seed", str(seed), "--out", str(out_dir),
           "--quiet"]
    if claims:
        cmd += ["--only", ",".join(claims)]
    rc, tail, secs = _run(cmd, scratch, timeout)
    res = {"exit_status": rc, "failed_checks": [], "duration_s": round(secs, 1), "note": ""}
    if rc is None:
        res["note"] = f"timeout after {timeout:.0f} s"
        return res
    report = out_dir / "report.json"
    if report.is_file():
        doc = json.loads(report.read_text(encoding="utf-8"))
        res["failed_checks"] = failing_checks(doc)
        res["unverified_claims"] = [c["id"] for c in doc.get("claims", []) if c.get("status") == "not verified"]
    elif rc != 0:
        res["note"] = f"no report.json (exit {rc}): {tail.strip().splitlines()[-1] if tail.strip() else ''}"[:400]
    return res


def _junit_failures(path: Path, root: Path) -> list:
    """Node ids ``file::[Class::]name`` of the failed or errored test cases of a junit XML file."""
    bad = []
    for case in ET.parse(path).iter("testcase"):
        if case.find("failure") is None and case.find("error") is None:
            continue
        parts = case.get("classname", "").split(".")
        # classname is "tests.test_x" or "tests.test_x.TestClass": the longest prefix that is a file
        for k in range(len(parts), 0, -1):
            if (root / ("/".join(parts[:k]) + ".py")).is_file():
                node = "/".join(parts[:k]) + ".py" + "".join("::" + p for p in parts[k:])
                break
        else:
            node = ".".join(parts)
        bad.append(f"{node}::{case.get('name')}" if node else case.get("name", "?"))
    return sorted(set(bad))


def run_tests(scratch: Path, python: str, selection, *, timeout: float, maxfail: int = 3) -> dict:
    """Run the pytest ``selection`` on ``scratch``: exit status, failing tests, duration.

    Stops after ``maxfail`` failures (0: never), and uses the hypothesis profile
    ``mutation`` (``ci`` without shrinking, see ``noshrink.py``): both only save time on
    a mutant that is caught anyway.
    """
    xml = scratch / ".mutation-junit.xml"
    cmd = [python, "-m", "pytest", "-q", "-p", "no:xdist", "-p", "no:cacheprovider",
           "-p", "benchmarks.mutation.noshrink", f"--junitxml={xml}", *selection]
    if maxfail:
        cmd.insert(3, f"--maxfail={maxfail}")
    rc, tail, secs = _run(cmd, scratch, timeout, profile="mutation")
    res = {"selection": list(selection), "exit_status": rc, "failed_tests": [], "duration_s": round(secs, 1),
           "note": ""}
    if rc is None:
        res["note"] = f"timeout after {timeout:.0f} s"
    elif xml.is_file():
        res["failed_tests"] = _junit_failures(xml, scratch)
        if rc not in (0, 1) and not res["failed_tests"]:
            res["note"] = f"pytest exit {rc}: {tail.strip().splitlines()[-1] if tail.strip() else ''}"[:400]
    elif rc != 0:
        res["note"] = f"no junit report (pytest exit {rc})"
    return res


# ----------------------------------------------------------------------------- one mutant
@dataclass
class Baseline:
    """What fails on the unmutated tree (subtracted from every mutant's failures)."""

    suite_exit: int | None = 0
    failed_checks: set = field(default_factory=set)
    failed_tests: set = field(default_factory=set)


def judge(mutant_id: str, suite: dict | None, tests: dict | None, baseline: Baseline, stale: str | None = None):
    """Status and what caught the mutant, from the raw suite/test results."""
    row = {"status": None, "caught_by_suite": False, "caught_by_tests": False, "checks": [], "tests": []}
    if stale is not None:
        row.update(status="stale", note=stale)
        return row
    timed_out = False
    if suite is not None:
        new = [c for c in suite["failed_checks"] if c not in baseline.failed_checks]
        row["checks"] = new
        rc = suite["exit_status"]
        timed_out |= rc is None
        crashed = rc not in (None, 0) and not suite["failed_checks"] and baseline.suite_exit == 0
        row["caught_by_suite"] = rc not in (None, 0) and (bool(new) or crashed)
        if crashed and suite.get("unverified_claims"):  # exit 1 without a failed check: claims left unverified
            row["checks"] = ["(not verified: " + ", ".join(suite["unverified_claims"]) + ")"]
        elif crashed:
            row["checks"] = ["(crash: " + (suite["note"] or f"exit {rc}") + ")"]
    if tests is not None:
        new = [t for t in tests["failed_tests"] if t not in baseline.failed_tests]
        row["tests"] = new
        rc = tests["exit_status"]
        timed_out |= rc is None
        crashed = rc not in (None, 0, 1, 5) and not tests["failed_tests"]
        row["caught_by_tests"] = bool(new) or crashed
        if crashed:
            row["tests"] = ["(crash: " + (tests["note"] or f"exit {rc}") + ")"]
    if row["caught_by_suite"] or row["caught_by_tests"]:
        row["status"] = "caught"
    elif timed_out:
        row["status"] = "timeout"
    else:
        row["status"] = "survived"
    return row


def run_mutant(mutant, *, root: Path = ROOT, files=None, python: str = sys.executable, seed: int = 0,
               claims=None, tests=None, timeout: float = 900.0, baseline: Baseline | None = None,
               run_suite_: bool = True, run_tests_: bool = True, keep: bool = False, maxfail: int = 3) -> dict:
    """Apply ``mutant`` (``None``: the unmutated baseline) to a scratch copy and run the
    quick suite and its tests there.  Returns the mutant's row of the table."""
    baseline = baseline or Baseline()
    info = {"id": "baseline" if mutant is None else mutant.id}
    if mutant is not None:
        info.update(family=mutant.family, file=mutant.file, source=mutant.source, rationale=mutant.rationale,
                    expected_claims=list(mutant.claims))
        if mutant.source == "blind":
            info.update(kind=mutant.kind, equivalent=mutant.equivalent,
                        off_verdict_path=load_catalogue().OFF_VERDICT_PATH.get(mutant.id))
        why = stale_reason(mutant, root)
        if why is not None:
            info.update(judge(mutant.id, None, None, baseline, stale=why))
            return info
    deadline = time.monotonic() + timeout
    scratch = make_scratch(root, repo_files(root) if files is None else files)
    try:
        if mutant is not None:
            apply_mutant(mutant, scratch)
        check_import_path(scratch, python)
        suite = run_suite(scratch, python, seed=seed, claims=claims,
                          timeout=deadline - time.monotonic()) if run_suite_ else None
        selection = tests if tests is not None else (mutant.test_selection if mutant is not None else ())
        res_tests = (run_tests(scratch, python, selection, timeout=deadline - time.monotonic(), maxfail=maxfail)
                     if (run_tests_ and selection) else None)
    finally:
        if keep:
            info["scratch"] = str(scratch)
        else:
            shutil.rmtree(scratch, ignore_errors=True)
    info["suite"] = suite
    info["test_run"] = res_tests
    if mutant is not None:
        info.update(judge(mutant.id, suite, res_tests, baseline))
    return info


# ----------------------------------------------------------------------------- table
def _git(root: Path, *args) -> str | None:
    try:
        return subprocess.run(["git", "-C", str(root), *args], capture_output=True, text=True, check=True,
                              timeout=20).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return None


def expected_claims_caught(row) -> list:
    """Which of the mutant's expected claims have a check among those that caught it."""
    failed = {c.split(":")[0] for c in row.get("checks") or [] if not c.startswith("(")}
    return sorted(failed & set(row.get("expected_claims") or []))


def summarise(rows) -> dict:
    """Counts of the whole table, with the blind catalogue's apart (``summary["blind"]``)."""
    out = _summarise(rows)
    blind = [r for r in rows if r.get("source") == "blind"]
    if blind:
        out["blind"] = _summarise(blind)
        out["blind"]["by_kind"] = {k: _summarise([r for r in blind if r.get("kind") == k])
                                   for k in sorted({r.get("kind", "") for r in blind})}
        out["blind"]["equivalent"] = [r["id"] for r in blind if r.get("equivalent")]
        # issue 18's done-when: a value mutant on the quick verdict's path is caught by it
        out["blind"]["value_missed_on_verdict_path"] = [
            r["id"] for r in blind if r.get("kind") == "value" and not r.get("equivalent")
            and not r.get("off_verdict_path") and not r.get("caught_by_suite")]
    return out


def _summarise(rows) -> dict:
    by = {s: [r["id"] for r in rows if r["status"] == s] for s in ("caught", "survived", "stale", "timeout", "error")}
    for r in rows:
        if r.get("status") not in ("stale", "error"):
            r["expected_claims_caught"] = expected_claims_caught(r)
    return {
        "total": len(rows),
        "caught": len(by["caught"]),
        "caught_by_suite": sum(1 for r in rows if r.get("caught_by_suite")),
        "caught_by_tests_only": sum(1 for r in rows if r.get("caught_by_tests") and not r.get("caught_by_suite")),
        "missed_by_suite": [r["id"] for r in rows if r["status"] in ("caught", "survived", "timeout")
                            and not r.get("caught_by_suite")],
        "missed_by_expected_claims": [r["id"] for r in rows if r.get("expected_claims") and r["status"] != "stale"
                                      and not r.get("expected_claims_caught")],
        "survived": by["survived"],
        "stale": by["stale"],
        "timeout": by["timeout"],
        "harness_errors": by["error"],
    }


def format_summary(doc: dict) -> str:
    lines = [f"{'mutant':38s} {'status':9s} {'suite':6s} {'tests':6s} caught by", "-" * 100]
    for r in doc["mutants"]:
        if r["status"] == "stale":
            lines.append(f"{r['id']:38s} STALE     {'-':6s} {'-':6s} {r.get('note', '')}")
            continue
        checks = r.get("checks") or []
        tests = r.get("tests") or []
        what = "; ".join(checks[:2]) + (f" (+{len(checks) - 2})" if len(checks) > 2 else "")
        if tests:
            what += (" | " if what else "") + f"{len(tests)} test(s), e.g. {tests[0]}"
        lines.append(f"{r['id']:38s} {r['status']:9s} {'yes' if r['caught_by_suite'] else 'no':6s} "
                     f"{'yes' if r['caught_by_tests'] else 'no':6s} {what[:160]}")
    s = doc["summary"]
    lines += ["-" * 100,
              f"{s['total']} mutants: {s['caught']} caught ({s['caught_by_suite']} by the quick suite, "
              f"{s['caught_by_tests_only']} by tests only), {len(s['survived'])} survived, {len(s['stale'])} stale, "
              f"{len(s['timeout'])} timed out"]
    if s["missed_by_suite"]:
        lines.append("not caught by the quick suite: " + ", ".join(s["missed_by_suite"]))
    if s.get("missed_by_expected_claims"):
        lines.append("no check of the expected claims failed: " + ", ".join(s["missed_by_expected_claims"]))
    if s["survived"]:
        lines.append("SURVIVED (caught by nothing): " + ", ".join(s["survived"]))
    if s.get("harness_errors"):
        lines.append("HARNESS ERRORS (not measured): " + ", ".join(s["harness_errors"]))
    if s["stale"]:
        lines.append("STALE (snippet not found exactly once; fix catalogue.py): " + ", ".join(s["stale"]))
    base = doc.get("baseline") or {}
    if base.get("failed_checks") or base.get("failed_tests"):
        lines.append("WARNING: already failing on the unmutated tree (not counted): "
                     + ", ".join(base.get("failed_checks", []) + base.get("failed_tests", [])))
    return "\n".join(lines)


def run_catalogue(mutants, *, root: Path = ROOT, jobs: int = 2, seed: int = 0, claims=None, timeout: float = 900.0,
                  python: str = sys.executable, run_suite_: bool = True, run_tests_: bool = True,
                  baseline: bool = True, progress=print) -> dict:
    """Run the baseline and then ``mutants`` (``jobs`` at a time); returns the table document."""
    t0 = time.perf_counter()
    commit, dirty = _git(root, "rev-parse", "HEAD"), bool(_git(root, "status", "--porcelain", "--untracked-files=no"))
    files = repo_files(root)  # listed once; each mutant copies their contents when it starts: keep the tree still
    base = Baseline()
    base_row = None
    if baseline:
        selection = sorted({t for m in mutants for t in m.test_selection}) if run_tests_ else []
        progress(f"baseline: quick suite and {len(selection)} test selections on the unmutated tree ...")
        base_row = run_mutant(None, root=root, files=files, python=python, seed=seed, claims=claims,
                              tests=selection, timeout=max(timeout, 1800.0), run_suite_=run_suite_,
                              run_tests_=run_tests_, maxfail=0)
        if base_row["suite"] is not None:
            base.suite_exit = base_row["suite"]["exit_status"]
            base.failed_checks = set(base_row["suite"]["failed_checks"])
        if base_row["test_run"] is not None:
            base.failed_tests = set(base_row["test_run"]["failed_tests"])
        progress(f"baseline: suite exit {base.suite_exit}, {len(base.failed_checks)} failing checks, "
                 f"{len(base.failed_tests)} failing tests")
    rows = {}
    with cf.ThreadPoolExecutor(max_workers=max(1, int(jobs))) as pool:
        futures = {pool.submit(run_mutant, m, root=root, files=files, python=python, seed=seed, claims=claims,
                               timeout=timeout, baseline=base, run_suite_=run_suite_, run_tests_=run_tests_): m
                   for m in mutants}
        for fut in cf.as_completed(futures):
            m = futures[fut]
            try:
                row = fut.result()
            except Exception as exc:  # a harness failure is reported, never a silent pass
                row = {"id": m.id, "family": m.family, "file": m.file, "status": "error",
                       "caught_by_suite": False, "caught_by_tests": False, "note": f"{type(exc).__name__}: {exc}"}
            rows[m.id] = row
            progress(f"[{len(rows)}/{len(mutants)}] {m.id}: {row['status']}"
                     + (f" (suite: {', '.join(row.get('checks', [])[:3])})" if row.get("caught_by_suite") else "")
                     + (f" (tests: {len(row.get('tests', []))})" if row.get("caught_by_tests") else ""))
    ordered = [rows[m.id] for m in mutants]
    return {
        "schema": SCHEMA,
        "schema_version": SCHEMA_VERSION,
        "generated_at": _dt.datetime.now(_dt.timezone.utc).isoformat(timespec="seconds"),
        "git_commit": commit,
        "git_dirty": dirty,
        "settings": {"suite": "quick", "seed": seed, "claims": list(claims) if claims else "all", "jobs": jobs,
                     "timeout_s": timeout, "suite_hypothesis": "seeded from --seed",
                     "tests_hypothesis_profile": "mutation (ci without shrinking)", "tests_maxfail": 3,
                     "suite_run": run_suite_,
                     "tests_run": run_tests_},
        "duration_s": round(time.perf_counter() - t0, 1),
        "baseline": None if base_row is None else {
            "suite_exit_status": base.suite_exit, "failed_checks": sorted(base.failed_checks),
            "failed_tests": sorted(base.failed_tests)},
        "summary": summarise(ordered),
        "mutants": ordered,
    }


def update_table(old: dict, new: dict, order) -> dict:
    """``old`` with the rows of ``new`` replacing (or adding) theirs, in catalogue ``order``.

    Only a table measured with the same settings (seed, claims, suite/tests runs) can be
    updated; the update is recorded under ``updates`` with its commit and baseline.
    """
    keys = ("suite", "seed", "claims", "suite_run", "tests_run")
    if any(old["settings"].get(k) != new["settings"].get(k) for k in keys):
        raise ValueError("--update: the existing table was measured with other settings "
                         f"({ {k: old['settings'].get(k) for k in keys} }); rerun the whole catalogue")
    rows = {r["id"]: r for r in old["mutants"]}
    rows.update({r["id"]: r for r in new["mutants"]})
    doc = dict(old)
    doc["mutants"] = [rows[i] for i in order if i in rows]
    doc["updates"] = list(old.get("updates", [])) + [{
        "mutants": [r["id"] for r in new["mutants"]], "generated_at": new["generated_at"],
        "git_commit": new["git_commit"], "git_dirty": new["git_dirty"], "baseline": new["baseline"],
        "duration_s": new["duration_s"]}]
    doc["summary"] = summarise(doc["mutants"])
    return doc


def write_table(doc: dict, out: Path) -> None:
    """Write the table atomically (temp file + rename)."""
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_suffix(out.suffix + ".tmp")
    tmp.write_text(json.dumps(doc, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    tmp.replace(out)


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description="Apply every catalogued mutant to a scratch copy, run the quick suite "
                                            "and its tests, and write benchmarks/results/mutation.json.")
    p.add_argument("--jobs", "-j", type=int, default=2, help="mutants run in parallel (default 2)")
    p.add_argument("--only", default=None, metavar="ID,...", help="run only these mutant ids")
    p.add_argument("--timeout", type=float, default=900.0, help="seconds per mutant, suite and tests (default 900)")
    p.add_argument("--seed", type=int, default=0, help="seed of the quick suite (default 0)")
    p.add_argument("--claims", default=None, metavar="G1,W5,...",
                   help="run only these claims of the quick suite (default: all)")
    p.add_argument("--no-tests", action="store_true", help="run the quick suite only")
    p.add_argument("--no-suite", action="store_true", help="run the tests only")
    p.add_argument("--no-baseline", action="store_true", help="skip the run on the unmutated tree")
    p.add_argument("--out", type=Path, default=None,
                   help="output JSON (default benchmarks/results/mutation.json, or mutation-partial.json for a "
                        "partial run: --only, --claims, --no-tests or --no-suite)")
    p.add_argument("--update", action="store_true",
                   help="with --only: replace these mutants' rows in the existing table (--out, default "
                        "benchmarks/results/mutation.json) instead of writing a partial table")
    p.add_argument("--list", action="store_true", help="list the catalogue (and stale mutants) and exit")
    p.add_argument("--summarise", type=Path, default=None, metavar="TABLE",
                   help="print the summary of an existing table (recomputed from its rows) and exit")
    args = p.parse_args(argv)
    if args.summarise is not None:
        doc = json.loads(args.summarise.read_text(encoding="utf-8"))
        doc["summary"] = summarise(doc["mutants"])
        print(format_summary(doc))
        return 0
    cat = load_catalogue()
    try:
        mutants = cat.by_id(args.only.split(",") if args.only else None)
    except ValueError as exc:
        print(f"error: --only: {exc}", file=sys.stderr)
        return 2
    if args.jobs < 1:
        print("error: --jobs must be >= 1", file=sys.stderr)
        return 2
    stale = {m.id: stale_reason(m, ROOT) for m in mutants}
    if args.list:
        for m in mutants:
            print(f"{m.id:38s} {m.family:14s} {','.join(m.claims):18s} "
                  f"{'STALE: ' + stale[m.id] if stale[m.id] else m.rationale}")
        return 1 if any(stale.values()) else 0
    for mid, why in stale.items():
        if why:
            print(f"STALE mutant {mid}: {why}", file=sys.stderr)
    claims = args.claims.split(",") if args.claims else None
    partial = bool(args.only or args.claims or args.no_tests or args.no_suite)
    out = args.out or (DEFAULT_OUT if (args.update or not partial) else PARTIAL_OUT)
    if args.update and not out.is_file():
        print(f"error: --update: no table at {out}", file=sys.stderr)
        return 2
    doc = run_catalogue(mutants, jobs=args.jobs, seed=args.seed, claims=claims, timeout=args.timeout,
                        run_suite_=not args.no_suite, run_tests_=not args.no_tests, baseline=not args.no_baseline,
                        progress=lambda s: print(s, flush=True))
    doc["settings"]["partial"] = partial
    if args.update:
        old = json.loads(out.read_text(encoding="utf-8"))
        try:
            doc = update_table(old, doc, [m.id for m in cat.MUTANTS])
        except ValueError as exc:
            print(f"error: {exc}", file=sys.stderr)
            return 2
    write_table(doc, out)
    print(format_summary(doc))
    took = doc["updates"][-1]["duration_s"] if args.update else doc["duration_s"]  # an updated table: this run's
    print(f"table: {out} ({took:.0f} s)")
    return 1 if (doc["summary"]["stale"] or doc["summary"]["harness_errors"]) else 0


if __name__ == "__main__":
    sys.exit(main())
