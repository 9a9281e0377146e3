"""Ctrl-C and SIGTERM through the real program (issue 24, item 4): real processes, real
signals, at every moment of a run.

Each run is a separate ``wpgd-verify`` process started like the console script (a driver
sets ``argv[0]`` to ``wpgd-verify`` and calls ``main()``), so the whole path is exercised:
the imports, the command, the report swap and the interpreter's shutdown.  Whatever the
moment, the process must exit 130 with one line on stderr (no traceback, no "Exception
ignored" dump), and the report folder must hold the previous report unless that line
says the new one was written — also when the signal's ``KeyboardInterrupt`` was swallowed
inside a callback (hypothesis's ``gc`` callback, any "Exception ignored in" path).

Signals are sent either by the process to itself at a precise point (a hook of the
driver: an import, a check, a step of :mod:`wpgd_theory.report.atomic`, the exit), or
from outside when the driver announces a moment on stderr.  Every wait is bounded.
"""

from __future__ import annotations

import json
import os
import queue
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from wpgd_theory.report import atomic

pytestmark = pytest.mark.skipif(os.name != "posix", reason="POSIX signals")

ROOT = Path(__file__).resolve().parents[1]
#: Generous bound of every wait on a child process (a hang guard, not a speed test).
TIMEOUT = 240

DRIVER = r"""
import gc, json, os, signal, sys, time
spec = json.loads(os.environ["WPGD_DRIVER"])
sys.argv = [os.path.join(os.path.dirname(sys.executable), "wpgd-verify")] + spec["args"]

def say(text):
    os.write(2, ("@driver " + text + "\n").encode())

def sigint():
    os.kill(os.getpid(), signal.SIGINT)

def mark(text):
    if spec.get("marker"):
        with open(spec["marker"], "a") as fh:
            fh.write(text + "\n")

class Finder:  # watches imports: announces readiness, or signals during one
    fired = set()
    def find_spec(self, name, path=None, target=None):
        ours = signal.getsignal(signal.SIGINT) is not signal.default_int_handler
        if spec.get("ready") and ours and "ready" not in self.fired:
            self.fired.add("ready")
            say("ready")
        if name == spec.get("kill_on_import") and name not in self.fired:
            self.fired.add(name)
            sigint()
        return None

sys.meta_path.insert(0, Finder())

def swallow_in_gc_callback():
    # the signal's KeyboardInterrupt is raised inside a gc callback, where Python drops it
    fired = []
    def callback(phase, info):
        if not fired:
            fired.append(1)
            sigint()
            for _ in range(1000):  # the handler runs here at the latest
                pass
    gc.callbacks.insert(0, callback)
    try:
        gc.collect()
    finally:
        gc.callbacks.remove(callback)
    mark("continued after the signal")

def swallow_in_hypothesis_gc_callback():
    # run a hypothesis test (it installs its gc callback), then deliver the signal while
    # that very callback runs: its KeyboardInterrupt is dropped ("Exception ignored in ... gc_callback")
    from hypothesis import given, settings, strategies as st
    from hypothesis.internal.conjecture import junkdrawer

    @settings(max_examples=5, database=None, deadline=None)
    @given(st.integers())
    def prop(x):
        assert x == x
    prop()
    real = junkdrawer._perf_counter
    def perf_counter():  # called by hypothesis's gc callback
        junkdrawer._perf_counter = real
        sigint()
        return real()
    hook = sys.unraisablehook
    def record(unraisable):
        mark("dropped in " + getattr(unraisable.object, "__qualname__", repr(unraisable.object)))
        hook(unraisable)
    sys.unraisablehook = record
    junkdrawer._perf_counter = perf_counter
    try:
        gc.collect()
    finally:
        junkdrawer._perf_counter = real
        sys.unraisablehook = hook
    mark("continued after the signal")

ACTIONS = {"sigint": sigint, "swallow": swallow_in_gc_callback,
           "swallow-hypothesis": swallow_in_hypothesis_gc_callback}

if spec.get("fake"):  # a registry of fake checks (real claims): fast, and the check does what the test says
    import copy
    from wpgd_theory.claims import runner
    from wpgd_theory.claims.core import Check, compare
    from wpgd_theory.claims.statements import CLAIMS
    from wpgd_theory.report import figures
    figures.COMPUTED_FIGURES = ()

    def make(action):
        def check(ctx):
            if action in ACTIONS:
                ACTIONS[action]()
            return compare(1.0, 1.0, rtol=1e-10, what="1 vs 1")
        return check

    claims = []
    for c in CLAIMS:
        cc = copy.copy(c)
        cc.checks = [Check(c.id, action, "numeric", ("quick", "default", "thorough"), make(action), action)
                     for cid, action in spec["fake"] if cid == c.id]
        claims.append(cc)
    runner.registry = lambda: copy.deepcopy(claims)

if spec.get("step"):
    from wpgd_theory.report import atomic

    def step_hook(name):
        if name != spec["step"]:
            return
        if spec["action"] == "announce":
            say("step " + name)
            time.sleep(2.0)
        else:
            ACTIONS[spec["action"]]()
    atomic._STEP_HOOK = step_hook

if spec.get("announce_checks"):
    from wpgd_theory import cli

    start = cli._Progress.start
    def announced(self, chk):
        say("start " + chk.key)
        start(self, chk)
    cli._Progress.start = announced

from wpgd_theory.cli import main

code = main()
if spec.get("sigint_at_exit"):
    import atexit
    atexit.register(sigint)  # runs before the command line's own exit callback
sys.exit(code)
"""


class Run:
    """A driver process; its stderr lines are collected by a thread, so waits are bounded."""

    def __init__(self, tmp_path, args, **spec):
        spec["args"] = [str(a) for a in args]
        spec["marker"] = str(tmp_path / "marker.txt")
        env = dict(os.environ, WPGD_DRIVER=json.dumps(spec), PYTHONUNBUFFERED="1")
        self.proc = subprocess.Popen(
            [sys.executable, "-c", DRIVER], cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
            text=True, preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))
        self.lines: queue.Queue = queue.Queue()
        self.err: list = []
        self.out: list = []
        self.readers = [threading.Thread(target=self._read_err, daemon=True),
                        threading.Thread(target=lambda: self.out.append(self.proc.stdout.read()), daemon=True)]
        for reader in self.readers:
            reader.start()
        self.marker = Path(spec["marker"])

    def _read_err(self):
        for line in self.proc.stderr:
            self.err.append(line)
            self.lines.put(line)

    def wait_for(self, text: str, timeout: float = TIMEOUT) -> None:
        deadline = time.monotonic() + timeout
        while True:
            left = deadline - time.monotonic()
            assert left > 0, f"no {text!r} on stderr within {timeout} s: {''.join(self.err)!r}"
            try:
                line = self.lines.get(timeout=min(left, 1.0))
            except queue.Empty:
                assert self.proc.poll() is None or not self.lines.empty(), \
                    f"exited {self.proc.returncode} before {text!r}: {''.join(self.err)!r}"
                continue
            if line.startswith("@driver ") and text in line:
                return

    def signal(self, sig=signal.SIGINT) -> None:
        assert self.proc.poll() is None, "the process ended before the signal could be sent"
        self.proc.send_signal(sig)

    def finish(self):
        """``(exit status, stdout, the stderr lines of the program, marker lines)``."""
        try:
            self.proc.wait(timeout=TIMEOUT)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait(timeout=60)
            pytest.fail(f"no exit within {TIMEOUT} s: {''.join(self.err)!r}")
        for reader in self.readers:
            reader.join(timeout=60)
        out = "".join(self.out)
        program = [ln.rstrip("\n") for ln in self.err if ln.strip() and not ln.startswith("@driver ")]
        marks = self.marker.read_text().splitlines() if self.marker.exists() else []
        return self.proc.returncode, out, program, marks


def previous_report(tmp_path, out) -> bytes:
    """A previous report folder in ``out``, of seed 1 (the run under test uses seed 2)."""
    files = {name: b"previous " + name.encode() for name in atomic.REPORT_FILES}
    files["report.json"] = json.dumps({"run": {"seed": 1}}).encode()
    atomic.write_report_dir(out, files)
    return (out / "report.json").read_bytes()


def seed_of(out) -> int:
    return json.loads((out / "report.json").read_text())["run"]["seed"]


def interrupted_line(err) -> str:
    assert len(err) == 1, f"expected one line on stderr, got {err!r}"
    assert err[0].startswith("wpgd-verify: interrupted"), err
    return err[0]


def assert_outcome(out, before: bytes, err) -> str:
    """One line; the previous report kept unless the line says the new one was written."""
    line = interrupted_line(err)
    if "after the new report was written" in line:
        assert seed_of(out) == 2 and str(out) in line
    else:
        assert (out / "report.json").read_bytes() == before
    assert atomic.leftovers(out) == []
    return line


ARGS = ("run", "--only", "W1,W2", "--quiet", "--seed", "2", "--out")


def fake(action: str = "ok") -> list:
    """Fake checks for W1 (doing ``action``) and W2 (passing)."""
    return [["W1", action], ["W2", "ok"]]


def hypothesis_gc_callback_reachable() -> bool:
    try:
        from hypothesis.internal.conjecture import junkdrawer
    except ImportError:
        return False
    return hasattr(junkdrawer, "_perf_counter") and hasattr(junkdrawer, "gc_cumulative_time")


# ----------------------------------------------------------------------------- the imports
@pytest.mark.parametrize("module", ["numpy", "wpgd_theory.landscape"])
def test_a_signal_during_the_package_imports_is_one_line_and_130(tmp_path, module):
    """numpy and the package's own modules are imported before the command line starts."""
    code, out, err, _ = Run(tmp_path, ["list"], kill_on_import=module).finish()
    assert code == 130 and out == ""
    assert interrupted_line(err) == "wpgd-verify: interrupted"


def test_a_signal_during_the_imports_of_the_command_is_one_line_and_130(tmp_path):
    """hypothesis is imported by ``run`` (the claim registry); the previous report stays."""
    out = tmp_path / "report"
    before = previous_report(tmp_path, out)
    code, _, err, _ = Run(tmp_path, ["run", "--only", "W2", "--suite", "quick", "--out", out, "--quiet"],
                          kill_on_import="hypothesis").finish()
    assert code == 130
    assert "no new report was written" in assert_outcome(out, before, err)


# ----------------------------------------------------------------------------- swallowed signals
@pytest.mark.parametrize("action", ["swallow", "swallow-hypothesis"])
def test_a_signal_swallowed_in_a_gc_callback_still_ends_the_run_with_130(tmp_path, action):
    """Before the fix the run went on, exited 0 and replaced the previous report."""
    if action == "swallow-hypothesis" and not hypothesis_gc_callback_reachable():
        pytest.skip("this hypothesis version has no gc callback timer to deliver the signal in")
    out = tmp_path / "report"
    before = previous_report(tmp_path, out)
    run = Run(tmp_path, [*ARGS, out], fake=fake(action))
    code, _, err, marks = run.finish()
    assert "continued after the signal" in marks  # the KeyboardInterrupt was indeed dropped
    if action == "swallow-hypothesis":
        assert any("gc_callback" in m for m in marks), marks  # ... inside hypothesis's gc callback
    assert code == 130
    assert "no new report was written" in assert_outcome(out, before, err)


@pytest.mark.parametrize("step", ["locked", "staging", "staged"])
def test_a_signal_swallowed_while_the_report_is_written_keeps_the_previous_report(tmp_path, step):
    out = tmp_path / "report"
    before = previous_report(tmp_path, out)
    code, _, err, marks = Run(tmp_path, [*ARGS, out], fake=fake(), step=step, action="swallow").finish()
    assert "continued after the signal" in marks and code == 130
    assert "no new report was written" in assert_outcome(out, before, err)


# ----------------------------------------------------------------------------- the report swap
@pytest.mark.parametrize("step", atomic.STEPS)
def test_a_signal_at_each_step_of_the_report_swap(tmp_path, step):
    out = tmp_path / "report"
    before = previous_report(tmp_path, out)
    code, _, err, _ = Run(tmp_path, [*ARGS, out], fake=fake(), step=step, action="sigint").finish()
    assert code == 130
    line = assert_outcome(out, before, err)
    after_swap = atomic.STEPS.index(step) >= atomic.STEPS.index("swapped")
    assert ("after the new report was written" in line) == after_swap


def test_a_signal_during_the_shutdown_after_the_report_is_130_saying_it_was_written(tmp_path):
    """The command has finished and printed its summary; the signal comes while the
    interpreter shuts down (before, it killed the process silently)."""
    out = tmp_path / "report"
    before = previous_report(tmp_path, out)
    code, stdout, err, _ = Run(tmp_path, [*ARGS, out], fake=fake(), sigint_at_exit=True).finish()
    assert code == 130 and "VERIFIED" in stdout
    assert "after the new report was written" in assert_outcome(out, before, err)


def test_sigterm_is_handled_like_ctrl_c(tmp_path):
    out = tmp_path / "report"
    before = previous_report(tmp_path, out)
    run = Run(tmp_path, [*ARGS, out], fake=fake(), step="staged", action="announce")
    run.wait_for("step staged")
    run.signal(signal.SIGTERM)
    code, _, err, _ = run.finish()
    assert code == 130
    assert "no new report was written" in assert_outcome(out, before, err)


@pytest.mark.parametrize("step,written", [("staged", False), ("swapped", True)])
def test_a_signal_from_outside_around_the_swap(tmp_path, step, written):
    """The driver pauses at the step and says so; the test sends SIGINT from outside."""
    out = tmp_path / "report"
    before = previous_report(tmp_path, out)
    run = Run(tmp_path, [*ARGS, out], fake=fake(), step=step, action="announce")
    run.wait_for(f"step {step}")
    run.signal()
    code, _, err, _ = run.finish()
    assert code == 130
    assert ("after the new report was written" in assert_outcome(out, before, err)) == written


# ----------------------------------------------------------------------------- real checks
@pytest.mark.parametrize("moment", ["imports", "first check", "hypothesis check", "after hypothesis"])
def test_a_signal_from_outside_during_a_real_run(tmp_path, moment):
    """The real W2 checks of the quick suite (a numeric check, a hypothesis property, then
    symbolic checks that run while hypothesis's gc callback is installed)."""
    out = tmp_path / "report"
    before = previous_report(tmp_path, out)
    run = Run(tmp_path, ["run", "--only", "W2", "--suite", "quick", "--quiet", "--seed", "2", "--out", out],
              ready=True, announce_checks=True)
    if moment == "imports":
        run.wait_for("ready")
    elif moment == "first check":
        run.wait_for("start W2:")
    elif moment == "hypothesis check":
        run.wait_for("start W2:property")
        time.sleep(0.3)  # hypothesis is drawing examples
    else:
        run.wait_for("start W2:property")
        run.wait_for("start W2:")  # the check after it
    run.signal()
    code, _, err, _ = run.finish()
    assert code == 130
    line = assert_outcome(out, before, err)
    # still in the package's imports the command is not known yet: the line says only "interrupted"
    assert "no new report was written" in line or (moment == "imports" and line == "wpgd-verify: interrupted")


# ----------------------------------------------------------------------------- unit level
@pytest.mark.parametrize("argv0,orig,expected", [
    ("/usr/bin/wpgd-verify", [], True),
    ("-m", ["python", "-m", "wpgd_theory", "run"], True),
    ("-m", ["python", "-X", "importtime", "-m", "wpgd_theory.cli"], True),
    ("-m", ["python", "-Im", "wpgd_theory"], True),
    ("-m", ["python", "-m", "pytest", "-m", "wpgd_theory"], False),
    ("-m", ["python", "-Wignore", "-mpytest"], False),
    ("/usr/bin/pytest", [], False),
    ("script.py", ["python", "script.py"], False),
])
def test_the_program_is_recognised_and_a_library_import_is_not(argv0, orig, expected):
    from wpgd_theory import _interrupts

    assert _interrupts.invoked_as_program([argv0], orig) is expected


def test_in_process_main_restores_the_handlers(tmp_path):
    from wpgd_theory import cli

    before = {s: signal.getsignal(s) for s in (signal.SIGINT, signal.SIGTERM)}
    hook = sys.unraisablehook
    assert cli.main(["run", "--only", "Q7", "--out", str(tmp_path)]) == 2
    assert {s: signal.getsignal(s) for s in before} == before and sys.unraisablehook is hook
