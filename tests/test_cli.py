"""``wpgd-verify``: exit statuses, messages, reports, config, interruption.

Most tests run the command in-process against a tiny monkeypatched registry (real claim
ids and statements, fake checks), so they are fast and independent of which family
checks exist yet; report figures computed from the API are switched off except where a
test is about them.
"""

from __future__ import annotations

import copy
import json
import subprocess
import sys
import types
from html.parser import HTMLParser
from pathlib import Path

import pytest

from wpgd_theory import cli
from wpgd_theory.claims import runner
from wpgd_theory.claims.core import Check, CheckResult, compare
from wpgd_theory.claims.registry import CLAIM_IDS
from wpgd_theory.claims.statements import CLAIMS
from wpgd_theory.report import atomic, figures, validate_document

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = ROOT / "docs" / "examples"


# ----------------------------------------------------------------------------- helpers
def _passing(ctx):
    return compare(1.0, 1.0 + 1e-13, rtol=1e-10, what="1 vs 1", models=sorted(ctx.models))


def _failing(ctx):
    return compare(1.0, 2.0, rtol=1e-10, what="deliberately wrong")


def _raising(ctx):
    raise RuntimeError("boom")


def _skipped(ctx):
    return CheckResult("skipped", message="needs CUDA")


def fake_registry(spec):
    """Real claims (ids, statements) with fake checks: ``spec = {id: [(name, func, suites)]}``."""
    claims = []
    for c in CLAIMS:
        cc = copy.copy(c)
        cc.checks = [Check(c.id, name, "numeric", tuple(suites), func, f"fake check {name}")
                     for name, func, suites in spec.get(c.id, [])]
        claims.append(cc)
    return claims


ALL = ("quick", "default", "thorough")


@pytest.fixture
def registry(monkeypatch):
    """Install a fake registry: call it with a spec; figures computed from the API are off."""
    monkeypatch.setattr(figures, "COMPUTED_FIGURES", ())

    def install(spec):
        claims = fake_registry(spec)
        monkeypatch.setattr(runner, "registry", lambda: copy.deepcopy(claims))
        return claims

    return install


def run_cli(*args):
    return cli.main([str(a) for a in args])


def one_line_error(err: str) -> str:
    lines = [ln for ln in err.splitlines() if ln.strip()]
    assert len(lines) == 1, f"expected one line on stderr, got {err!r}"
    assert "Traceback" not in err
    assert lines[0].startswith("wpgd-verify: error: ")
    return lines[0]


class _Collector(HTMLParser):
    def __init__(self):
        super().__init__()
        self.ids, self.srcs, self.hrefs, self.stack = set(), [], [], []

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if "id" in a:
            self.ids.add(a["id"])
        if "src" in a:
            self.srcs.append(a["src"])
        if "href" in a:
            self.hrefs.append(a["href"])


# ----------------------------------------------------------------------------- exit statuses
def test_exit_0_when_every_claim_in_the_run_is_verified(registry, tmp_path, capsys):
    registry({"W1": [("a", _passing, ALL)], "W2": [("b", _passing, ALL), ("c", _passing, ALL)]})
    assert run_cli("run", "--only", "W1,W2", "--out", tmp_path, "--suite", "quick") == 0
    out = capsys.readouterr().out
    assert "VERIFIED: 2/2 claims verified" in out
    doc = json.loads((tmp_path / "report.json").read_text())
    assert doc["status"] == "verified" and doc["exit_status"] == 0
    assert [c["id"] for c in doc["claims"]] == ["W1", "W2"]


@pytest.mark.parametrize("func,status", [(_failing, "failed"), (_raising, "error")])
def test_exit_1_when_a_check_fails_or_raises(registry, tmp_path, capsys, func, status):
    registry({"W1": [("ok", _passing, ALL)], "W2": [("bad", func, ALL)]})
    assert run_cli("run", "--only", "W1,W2", "--out", tmp_path, "--quiet") == 1
    out = capsys.readouterr().out
    assert "failed: W2" in out
    doc = json.loads((tmp_path / "report.json").read_text())
    w2 = doc["claims"][1]
    assert w2["status"] == "failed" and w2["checks"][0]["status"] == status
    if status == "error":
        assert "boom" in w2["checks"][0]["message"] and "traceback" in w2["checks"][0]["details"]


def test_claim_without_checks_is_not_verified_and_exits_1(registry, tmp_path, capsys):
    registry({"W1": [("ok", _passing, ALL)]})
    assert run_cli("run", "--only", "W1,W4", "--out", tmp_path, "--quiet") == 1
    out = capsys.readouterr().out
    assert "not verified: W4 (no checks implemented yet)" in out
    doc = json.loads((tmp_path / "report.json").read_text())
    w4 = doc["claims"][1]
    assert w4["status"] == "not verified" and w4["checks"] == [] and "passed" not in json.dumps(w4)
    assert doc["summary"]["unverified_claims"] == [{"id": "W4", "reason": "no checks implemented yet"}]


def test_checks_only_in_other_suites_and_skipped_checks_are_not_verified(registry, tmp_path, capsys):
    registry({"T1": [("slow", _passing, ("thorough",))], "G1": [("cuda", _skipped, ALL)]})
    assert run_cli("run", "--only", "T1,G1", "--out", tmp_path, "--suite", "quick", "--quiet") == 1
    doc = json.loads((tmp_path / "report.json").read_text())
    reasons = {c["id"]: (c["status"], c["reason"]) for c in doc["claims"]}
    assert reasons["T1"] == ("not verified", "no checks in suite 'quick' (its checks run in: thorough)")
    assert reasons["G1"] == ("not verified", "1 skipped of 1 checks")


@pytest.mark.parametrize("args,needle", [
    (("run", "--only", "W1,X9"), "unknown claim id X9"),
    (("run", "--only", ","), "no claim ids"),
    (("run", "--suite", "fast"), "invalid choice: 'fast'"),
    (("run", "--seed", "-3"), "expected an integer >= 0"),
    (("run", "--seed", "x"), "expected an integer >= 0"),
    (("run", "--device", "tpu"), "invalid choice: 'tpu'"),
    (("run", "--bogus"), "unrecognized arguments: --bogus"),
    ((), "a command is required"),
    (("frobnicate",), "invalid choice: 'frobnicate'"),
    (("run", "--config", "/nonexistent/cfg.toml"), "no such file"),
    (("solve",), "the following arguments are required: FILE"),
])
def test_usage_errors_exit_2_with_one_line(registry, tmp_path, capsys, args, needle):
    registry({"W1": [("ok", _passing, ALL)]})
    assert run_cli(*args, *(["--out", tmp_path / "o"] if args[:1] == ("run",) else [])) == 2
    line = one_line_error(capsys.readouterr().err)
    assert needle in line, line
    assert not (tmp_path / "o" / "report.json").exists()


def test_only_ids_are_case_insensitive_and_ordered(registry, tmp_path):
    registry({"W1": [("ok", _passing, ALL)], "G1": [("ok", _passing, ALL)]})
    assert run_cli("run", "--only", " w1 , g1,W1", "--out", tmp_path, "--quiet") == 0
    doc = json.loads((tmp_path / "report.json").read_text())
    assert doc["run"]["claim_ids"] == ["G1", "W1"]


@pytest.mark.parametrize("kind", ["file", "under-file", "foreign-figures"])
def test_unwritable_out_exits_2(registry, tmp_path, capsys, kind):
    registry({"W1": [("ok", _passing, ALL)]})
    blocker = tmp_path / "afile"
    blocker.write_text("x")
    if kind == "file":
        out = blocker
    elif kind == "under-file":
        out = blocker / "sub"
    else:
        out = tmp_path / "paper"
        (out / "figures").mkdir(parents=True)
        (out / "figures" / "mine.png").write_bytes(b"precious")
    assert run_cli("run", "--only", "W1", "--out", out) == 2
    line = one_line_error(capsys.readouterr().err)
    assert "--out" in line
    if kind == "foreign-figures":
        assert (out / "figures" / "mine.png").read_bytes() == b"precious"


def test_bad_config_through_the_cli(registry, tmp_path, capsys):
    registry({"W1": [("ok", _passing, ALL)]})
    bad = tmp_path / "bad.toml"
    bad.write_text('[[model]]\nname = "x"\nsigma = [[1.0, 2.0], [2.0, 1.0]]\nn = 3\n')
    assert run_cli("run", "--config", bad, "--out", tmp_path / "o") == 2
    line = one_line_error(capsys.readouterr().err)
    assert str(bad) in line and "sigma must be positive definite" in line


def test_cuda_requested_without_cuda_falls_back_to_cpu(registry, tmp_path, capsys, monkeypatch):
    fake_torch = types.SimpleNamespace(cuda=types.SimpleNamespace(is_available=lambda: False))
    monkeypatch.setitem(sys.modules, "torch", fake_torch)
    registry({"W1": [("ok", _passing, ALL)]})
    assert run_cli("run", "--only", "W1", "--out", tmp_path, "--device", "cuda") == 0
    err = capsys.readouterr().err
    assert "warning: --device cuda requested but CUDA is not available" in err and "running on CPU" in err
    doc = json.loads((tmp_path / "report.json").read_text())
    assert doc["run"]["device"] == "cpu" and doc["run"]["requested_device"] == "cuda"


# ----------------------------------------------------------------------------- config
def test_config_models_seed_and_suite_reach_the_checks(registry, tmp_path):
    registry({"W1": [("ok", _passing, ("quick",))]})
    assert run_cli("run", "--only", "W1", "--config", EXAMPLES / "models.toml", "--out", tmp_path, "--quiet") == 0
    doc = json.loads((tmp_path / "report.json").read_text())
    names = ["two-tasks-anisotropic", "single-task", "ar1-time-series"]
    assert doc["run"]["suite"] == "quick" and doc["run"]["seed"] == 7
    assert list(doc["run"]["models"]) == names
    assert doc["claims"][0]["checks"][0]["details"]["models"] == sorted(names)
    assert doc["run"]["config"].endswith("models.toml")
    # command-line flags override the file's defaults
    assert run_cli("run", "--only", "W1", "--config", EXAMPLES / "models.toml", "--out", tmp_path,
                   "--seed", "11", "--suite", "default", "--quiet") == 1  # the check is quick-only
    doc = json.loads((tmp_path / "report.json").read_text())
    assert doc["run"]["seed"] == 11 and doc["run"]["suite"] == "default"
    # without --suite and without a suite in the file, the suite is the documented "default"
    registry({"W1": [("ok", _passing, ALL)]})
    assert run_cli("run", "--only", "W1", "--out", tmp_path, "--quiet") == 0
    assert json.loads((tmp_path / "report.json").read_text())["run"]["suite"] == "default"
    # --seed 0 is a seed too (not "unset": the file's seed 7 must not win over it)
    assert run_cli("run", "--only", "W1", "--config", EXAMPLES / "models.toml", "--out", tmp_path,
                   "--seed", "0", "--quiet") == 0
    assert json.loads((tmp_path / "report.json").read_text())["run"]["seed"] == 0


# ----------------------------------------------------------------------------- report content
def test_full_registry_report_is_valid_and_complete(registry, tmp_path, capsys):
    spec = {cid: [("ok", _passing, ALL)] for cid in CLAIM_IDS[:5]}
    spec["W2"] = [("bad", _failing, ALL), ("err", _raising, ALL)]
    registry(spec)
    assert run_cli("run", "--out", tmp_path) == 1
    capsys.readouterr()
    doc = json.loads((tmp_path / "report.json").read_text())
    validate_document(doc)
    assert [c["id"] for c in doc["claims"]] == list(CLAIM_IDS)
    for c in doc["claims"]:
        for ch in c["checks"]:
            assert {"status", "measured", "tolerance", "details", "seed", "duration_s"} <= set(ch)
    env = doc["environment"]
    assert {"numpy", "scipy", "sympy", "cvxpy", "torch"} <= set(env["packages"])
    assert env["python"] and env["platform"] and env["device"] == "cpu"

    html = (tmp_path / "report.html").read_text()
    parser = _Collector()
    parser.feed(html)
    parser.close()
    for cid in CLAIM_IDS:
        assert f"claim-{cid}" in parser.ids
    assert all(s.startswith("data:") for s in parser.srcs), "report.html must be self-contained"
    from wpgd_theory.report.references import PAPER_URL

    # no links out of report.html except to the paper the claims refine (arXiv)
    assert all(h.startswith("#") or h == PAPER_URL for h in parser.hrefs), "no links out of report.html"
    assert PAPER_URL in parser.hrefs
    assert "<link" not in html
    md = (tmp_path / "report.md").read_text()
    for cid in CLAIM_IDS:
        assert f"### {cid} — " in md


def test_without_a_tty_progress_is_one_line_per_claim_and_a_heartbeat(registry, tmp_path, capsys, monkeypatch):
    import time as _time

    def slow(ctx):
        _time.sleep(0.35)
        return _passing(ctx)

    monkeypatch.setattr(cli, "HEARTBEAT_S", 0.1)
    registry({"W1": [("ok", _passing, ALL), ("ok2", _passing, ALL)], "W2": [("slow", slow, ALL)]})
    assert run_cli("run", "--only", "W1,W2", "--out", tmp_path) == 0
    captured = capsys.readouterr()
    lines = captured.err.splitlines()
    assert any("W1: 2/2 checks passed" in ln for ln in lines), lines
    assert any("W2: 1/1 checks passed" in ln for ln in lines), lines
    assert any("still running W2:slow" in ln for ln in lines), lines
    assert not any("\r" in ln or "\x1b" in ln for ln in lines), "no bar control characters in a log"
    assert "W1  verified" in captured.out and "report:" in captured.out
    assert run_cli("run", "--only", "W1", "--out", tmp_path, "--quiet") == 0
    assert capsys.readouterr().err == ""


def test_progress_weights_training_checks_for_the_eta():
    fast = Check("W1", "a", "numeric", ALL, _passing)
    slow = Check("T1", "b", "training", ALL, _passing)
    assert cli._weight(slow) > 5 * cli._weight(fast)


def test_rerun_overwrites_cleanly(registry, tmp_path, monkeypatch):
    import matplotlib.figure

    def with_figure(ctx):
        fig = matplotlib.figure.Figure(figsize=(2, 2))
        fig.add_subplot().plot([0, 1], [1, 0])
        ctx.figures["line"] = fig
        return _passing(ctx)

    registry({"W1": [("fig", with_figure, ALL)]})
    assert run_cli("run", "--only", "W1", "--out", tmp_path, "--quiet") == 0
    assert (tmp_path / "figures" / "W1-line.png").exists()
    first = json.loads((tmp_path / "report.json").read_text())
    assert first["figures"][0]["file"] == "figures/W1-line.png" and first["claims"][0]["figures"] == ["W1-line"]
    registry({"W1": [("plain", _passing, ALL)]})
    assert run_cli("run", "--only", "W1", "--out", tmp_path, "--quiet", "--seed", "4") == 0
    assert not (tmp_path / "figures" / "W1-line.png").exists()
    second = json.loads((tmp_path / "report.json").read_text())
    assert second["run"]["seed"] == 4 and second["figures"] == []
    assert atomic.leftovers(tmp_path) == []


# ----------------------------------------------------------------------------- interruption
def _previous_report(registry, out):
    registry({"W1": [("ok", _passing, ALL)]})
    assert run_cli("run", "--only", "W1", "--out", out, "--quiet") == 0
    return (out / "report.json").read_text()


@pytest.mark.parametrize("failing", ["report.html", "swap"])
def test_failure_while_writing_keeps_the_previous_report(registry, tmp_path, monkeypatch, capsys, failing):
    before = _previous_report(registry, tmp_path)
    real_write, real_exchange = atomic._write, atomic.exchange

    def flaky_write(path, data):
        if path.name == failing:
            raise OSError(28, "No space left on device")
        return real_write(path, data)

    def flaky_exchange(a, b):
        if failing == "swap":
            raise OSError(28, "No space left on device")
        return real_exchange(a, b)

    monkeypatch.setattr(atomic, "_write", flaky_write)
    monkeypatch.setattr(atomic, "exchange", flaky_exchange)
    assert run_cli("run", "--only", "W1", "--out", tmp_path, "--quiet", "--seed", "3") == 2
    err = capsys.readouterr().err
    assert "No space left on device" in err and len(err.strip().splitlines()) == 1
    assert (tmp_path / "report.json").read_text() == before
    assert atomic.leftovers(tmp_path) == []


def test_exception_while_rendering_keeps_the_previous_report(registry, tmp_path, monkeypatch):
    before = _previous_report(registry, tmp_path)
    import wpgd_theory.report.html as html_mod

    def broken(*a, **k):
        raise RuntimeError("renderer crashed")

    monkeypatch.setattr(html_mod, "render_html", broken)
    with pytest.raises(RuntimeError, match="renderer crashed"):
        run_cli("run", "--only", "W1", "--out", tmp_path, "--quiet", "--seed", "9")
    assert (tmp_path / "report.json").read_text() == before
    assert atomic.leftovers(tmp_path) == []


def test_ctrl_c_during_checks_exits_130_and_writes_nothing(registry, tmp_path, capsys):
    before = _previous_report(registry, tmp_path)

    def interrupted(ctx):
        raise KeyboardInterrupt

    registry({"W1": [("ok", _passing, ALL)], "W2": [("ctrl-c", interrupted, ALL)]})
    assert run_cli("run", "--only", "W1,W2", "--out", tmp_path, "--quiet") == 130
    assert "interrupted" in capsys.readouterr().err
    assert (tmp_path / "report.json").read_text() == before


@pytest.mark.parametrize("when", ["before", "after"])
def test_ctrl_c_while_writing_says_what_happened(registry, tmp_path, capsys, monkeypatch, when):
    before = _previous_report(registry, tmp_path)

    def hook(step):
        if step == ("staged" if when == "before" else "swapped"):
            raise KeyboardInterrupt

    monkeypatch.setattr(atomic, "_STEP_HOOK", hook)
    assert run_cli("run", "--only", "W1", "--out", tmp_path, "--quiet", "--seed", "5") == 130
    err = capsys.readouterr().err
    after = json.loads((tmp_path / "report.json").read_text())
    if when == "before":
        assert "no new report was written" in err and (tmp_path / "report.json").read_text() == before
    else:
        assert "after the new report was written" in err and after["run"]["seed"] == 5
    assert atomic.leftovers(tmp_path) == []


def test_out_with_foreign_files_or_a_long_name_is_refused(registry, tmp_path, capsys):
    registry({"W1": [("ok", _passing, ALL)]})
    (tmp_path / "notes.txt").write_text("mine")
    assert run_cli("run", "--only", "W1", "--out", tmp_path, "--quiet") == 2
    assert "notes.txt" in one_line_error(capsys.readouterr().err)
    assert run_cli("run", "--only", "W1", "--out", tmp_path / ("x" * 300), "--quiet") == 2
    assert "File name too long" in one_line_error(capsys.readouterr().err)
    assert (tmp_path / "notes.txt").read_text() == "mine"


def test_a_full_stdout_after_the_run_is_exit_2_naming_the_report(registry, tmp_path, capsys, monkeypatch):
    registry({"W1": [("ok", _passing, ALL)]})

    class Full:
        def write(self, text):
            raise OSError(28, "No space left on device")

        def flush(self):
            pass

    monkeypatch.setattr(sys, "stdout", Full())
    assert run_cli("run", "--only", "W1", "--out", tmp_path, "--quiet") == 2
    line = one_line_error(capsys.readouterr().err)
    assert "cannot write to standard output" in line and str(tmp_path) in line
    assert (tmp_path / "report.json").exists()
    assert run_cli("list") == 2


def test_stale_staging_dir_of_a_killed_run_is_removed(registry, tmp_path):
    stale = tmp_path.parent / f".{tmp_path.name}{atomic.STAGING_TAG}999999999-abc-new"
    stale.mkdir()
    (stale / "report.json").write_text("{}")
    registry({"W1": [("ok", _passing, ALL)]})
    assert run_cli("run", "--only", "W1", "--out", tmp_path, "--quiet") == 0
    assert not stale.exists()


# ----------------------------------------------------------------------------- list / solve
def test_list_shows_every_claim_and_check(registry, capsys):
    registry({"W1": [("alpha", _passing, ("quick", "default"))]})
    assert run_cli("list") == 0
    out = capsys.readouterr().out
    for cid in CLAIM_IDS:
        assert f"\n{cid} " in "\n" + out
    assert "alpha  [numeric; quick, default]" in out
    assert "no checks implemented yet" in out
    assert run_cli("list", "--json") == 0
    data = json.loads(capsys.readouterr().out)
    assert [c["id"] for c in data] == list(CLAIM_IDS)
    assert data[4]["checks"][0] == {"name": "alpha", "kind": "numeric", "suites": ["quick", "default"],
                                    "description": "fake check alpha"}


def test_solve_without_solver_is_a_clear_usage_error(monkeypatch, capsys):
    import wpgd_theory.landscape as landscape

    monkeypatch.delattr(landscape, "solve", raising=False)
    assert run_cli("solve", EXAMPLES / "model.json") == 2
    assert "wpgd_theory.landscape.solve is missing" in one_line_error(capsys.readouterr().err)


def test_solve_unknown_model_name(monkeypatch, capsys):
    import wpgd_theory.landscape as landscape

    monkeypatch.setattr(landscape, "solve", lambda m: None, raising=False)
    assert run_cli("solve", EXAMPLES / "model.json", "--model", "nope") == 2
    assert "no such model" in one_line_error(capsys.readouterr().err)


def test_solve_output_with_a_stand_in_solver(monkeypatch, capsys):
    """The text and JSON output paths, with a stand-in returning a WPGDSolution-like dataclass."""
    import dataclasses

    import numpy as np

    import wpgd_theory.landscape as landscape

    @dataclasses.dataclass
    class FakeSolution:
        P: np.ndarray
        omega: np.ndarray
        risk: float
        roots: tuple
        certificate: str

    def fake_solve(model):
        if model.noise == 0.25:
            raise ValueError("r = 0: no unique optimum")
        w = np.repeat([0.2, 0.9, 0.1], 4) if model.is_multitask and model.num_tasks == 3 else model.r
        return FakeSolution(np.eye(model.d), w, 1.25, (3.5,), "single root (interval arithmetic)")

    monkeypatch.setattr(landscape, "solve", fake_solve, raising=False)
    assert run_cli("solve", EXAMPLES / "model.json") == 0
    out = capsys.readouterr().out
    assert "optimal risk L* = 1.25" in out and "per task segment: [0.222222, 1, 0.111111]" in out
    assert "roots of the W4 equation: [3.5]" in out and "single root (interval arithmetic)" in out
    assert run_cli("solve", EXAMPLES / "model.json", "--json") == 0
    data = json.loads(capsys.readouterr().out)
    sol = data["models"]["three-tasks"]
    assert sol["risk"] == 1.25 and sol["roots"] == [3.5] and len(sol["omega"]) == 12 and sol["P"][0] == [1, 0, 0]
    # a model the solver rejects is an input error naming the model
    assert run_cli("solve", EXAMPLES / "models.toml", "--model", "single-task") == 2
    line = one_line_error(capsys.readouterr().err)
    assert "'single-task'" in line and "r = 0" in line


def test_solve_prints_the_optimum(capsys):
    import wpgd_theory.landscape as landscape

    if not hasattr(landscape, "solve"):
        pytest.skip("wpgd_theory.landscape.solve is not implemented yet")
    assert run_cli("solve", EXAMPLES / "models.toml", "--json") == 0
    data = json.loads(capsys.readouterr().out)
    assert data["schema"] == "wpgd-theory-solution"
    assert set(data["models"]) == {"two-tasks-anisotropic", "single-task", "ar1-time-series"}
    for sol in data["models"].values():
        assert isinstance(sol["risk"], float) and len(sol["omega"]) > 0
    assert run_cli("solve", EXAMPLES / "model.json") == 0
    out = capsys.readouterr().out
    assert "three-tasks" in out and "optimal risk" in out


def test_entry_point_runs_as_a_program(tmp_path):
    proc = subprocess.run([sys.executable, "-m", "wpgd_theory.cli", "run", "--only", "Q7", "--out", str(tmp_path)],
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 2
    one_line_error(proc.stderr)
    assert proc.stdout == ""


# ----------------------------------------------------------------------------- issue 24, item 7
def _warns(ctx):
    import numpy as np

    for _ in range(3):  # the same warning three times: shown once
        np.float64(1e300) * np.float64(1e300)  # numpy: RuntimeWarning: overflow encountered
    return compare(1.0, 1.0, rtol=1e-10, what="1 vs 1")


def test_python_warnings_are_silent_under_quiet_and_one_line_otherwise(registry, tmp_path, capsys):
    registry({"W1": [("warns", _warns, ALL)]})
    assert run_cli("run", "--only", "W1", "--out", tmp_path, "--quiet") == 0
    assert capsys.readouterr().err == ""
    assert run_cli("run", "--only", "W1", "--out", tmp_path) == 0
    err = capsys.readouterr().err
    lines = [ln for ln in err.splitlines() if ln.strip()]
    assert all(ln.startswith("wpgd-verify: ") for ln in lines), err  # no source line of a warning dump
    shown = [ln for ln in lines if "RuntimeWarning" in ln]
    assert len(shown) == 1 and "warning: RuntimeWarning: overflow encountered" in shown[0], err
    assert "test_cli.py:" in shown[0]  # where it came from


def test_warnings_recorded_or_escalated_by_a_check_are_unaffected(registry, tmp_path):
    import warnings

    def escalates(ctx):
        import numpy as np

        with warnings.catch_warnings():
            warnings.simplefilter("error")
            try:
                np.float64(1e300) * np.float64(1e300)
            except RuntimeWarning:
                return compare(1.0, 1.0, rtol=1e-10, what="escalated")
        return compare(1.0, 2.0, rtol=1e-10, what="the warning was not escalated")

    registry({"W1": [("escalates", escalates, ALL)]})
    assert run_cli("run", "--only", "W1", "--out", tmp_path, "--quiet") == 0


def test_quiet_run_of_a_model_that_overflows_prints_nothing_on_stderr(tmp_path):
    """A real run (W2, quick) on a model at scale 1e300, where numpy warns (overflow)."""
    cfg = tmp_path / "big.toml"
    cfg.write_text('name = "big"\nsigma = [2e300, 1e300, 0.5e300]\nnoise = 1e299\nn = 4\n')
    proc = subprocess.run([sys.executable, "-m", "wpgd_theory", "run", "--suite", "quick", "--only", "W2",
                           "--config", str(cfg), "--out", str(tmp_path / "out"), "--quiet"],
                          capture_output=True, text=True, timeout=600, cwd=ROOT)
    assert proc.returncode in (0, 1), proc.stderr
    assert proc.stderr == ""
    assert "claims verified" in proc.stdout


def test_a_closed_stdout_after_the_run_is_exit_2_and_the_report_is_written(registry, tmp_path, capsys, monkeypatch):
    """``wpgd-verify run ... >&-``: Python sets sys.stdout to None."""
    registry({"W1": [("ok", _passing, ALL)]})
    monkeypatch.setattr(sys, "stdout", None)
    assert run_cli("run", "--only", "W1", "--out", tmp_path, "--quiet", "--seed", "3") == 2
    line = one_line_error(capsys.readouterr().err)
    assert "standard output (it is closed)" in line and f"the report was written to {tmp_path}" in line
    assert json.loads((tmp_path / "report.json").read_text())["run"]["seed"] == 3
    assert run_cli("list") == 2
    assert "standard output (it is closed)" in one_line_error(capsys.readouterr().err)
