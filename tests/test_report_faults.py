"""Fault injection into report writing (issue 10): a delay and a signal at each step of
:func:`wpgd_theory.report.atomic.write_report_dir`, and concurrent writers.

Every writer runs in its own process (the module is loaded from its file, so a process
starts in milliseconds) and prints what it would tell the user; the folder must always
hold exactly one complete report (every file and figure of one run), the new one exactly
when the writer says so, and no staging folder may be left behind.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from wpgd_theory.report import atomic

pytestmark = pytest.mark.skipif(os.name != "posix", reason="POSIX signals and flock")

ATOMIC = Path(atomic.__file__)

DRIVER = r"""
import importlib.util, os, signal, sys, time
spec = importlib.util.spec_from_file_location("atomic_under_test", sys.argv[1])
atomic = importlib.util.module_from_spec(spec)
spec.loader.exec_module(atomic)
out, tag, step, action = sys.argv[2:6]
signal.signal(signal.SIGTERM, signal.default_int_handler) if action == "sigterm-cli" else None

def hook(name):
    if name != step and step != "*":
        return
    if action.startswith("sleep:"):
        time.sleep(float(action[6:]))
    elif action in ("sigint",):
        os.kill(os.getpid(), signal.SIGINT)
    elif action in ("sigterm", "sigterm-cli"):
        os.kill(os.getpid(), signal.SIGTERM)

atomic._STEP_HOOK = hook
if os.environ.get("WPGD_TEST_NO_EXCHANGE"):
    atomic.exchange = lambda a, b: False  # the two-rename fallback
state = {"written": False}
def committed():
    state["written"] = True
body = tag.encode()
files = {name: body + b" " + name.encode() for name in atomic.REPORT_FILES}
figures = {f"fig-{tag}.png": body, f"other-{tag}.png": body}
try:
    atomic.write_report_dir(out, files, figures, on_commit=committed,
                            on_wait=lambda m: print("waiting", flush=True))
except KeyboardInterrupt:
    print("interrupted " + ("written" if state["written"] else "not-written"), flush=True)
    sys.exit(130)
print("written", flush=True)
"""


def writer(out, tag, step="none", action="none", fallback=False):
    env = dict(os.environ, WPGD_TEST_NO_EXCHANGE="1" if fallback else "")
    return subprocess.Popen([sys.executable, "-c", DRIVER, str(ATOMIC), str(out), tag, step, action],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)


def finish(proc, timeout=60):
    out, err = proc.communicate(timeout=timeout)
    assert "Traceback" not in err, err
    return proc.returncode, out.strip()


def snapshot(out: Path):
    """The tag of the complete report in ``out`` read through one directory descriptor, or
    ``None`` if ``out`` changed while it was read (then nothing can be concluded)."""
    try:
        fd = os.open(out, os.O_RDONLY | os.O_DIRECTORY)
    except FileNotFoundError:
        return "missing"
    try:
        ino = os.fstat(fd).st_ino
        names = set(os.listdir(fd))
        contents = {}
        for name in atomic.REPORT_FILES:
            if name in names:
                f = os.open(name, os.O_RDONLY, dir_fd=fd)
                with os.fdopen(f, "rb") as fh:
                    contents[name] = fh.read()
        ffd = os.open(atomic.FIGURES_DIR, os.O_RDONLY | os.O_DIRECTORY, dir_fd=fd) \
            if atomic.FIGURES_DIR in names else None
        figs = set(os.listdir(ffd)) if ffd is not None else None
        if ffd is not None:
            os.close(ffd)
        if os.stat(out).st_ino != ino:
            return None
    except FileNotFoundError:
        return None
    finally:
        os.close(fd)
    assert set(contents) == set(atomic.REPORT_FILES), f"incomplete report: {sorted(names)}"
    tags = {data.split(b" ")[0].decode() for data in contents.values()}
    assert len(tags) == 1, f"files of different runs mixed: {tags}"
    (tag,) = tags
    for name, data in contents.items():
        assert data == f"{tag} {name}".encode(), "a file is incomplete"
    assert figs == {atomic.FIGURES_MARKER, f"fig-{tag}.png", f"other-{tag}.png"}, f"figures mixed: {figs}"
    return tag


def previous(tmp_path) -> Path:
    out = tmp_path / "report"
    assert finish(writer(out, "old")) == (0, "written")
    assert snapshot(out) == "old"
    return out


def test_exchange_swaps_two_folders_or_says_it_cannot(tmp_path):
    a, b = tmp_path / "a", tmp_path / "b"
    a.mkdir()
    b.mkdir()
    (a / "x").write_text("a")
    (b / "x").write_text("b")
    if not atomic.exchange(a, b):
        pytest.skip("no renameat2(RENAME_EXCHANGE) here: the two-rename fallback is used")
    assert (a / "x").read_text() == "b" and (b / "x").read_text() == "a"


@pytest.mark.parametrize("step", atomic.STEPS)
@pytest.mark.parametrize("action,fallback", [("sigint", False), ("sigterm-cli", False), ("sigint", True)])
def test_a_signal_at_each_step_leaves_one_complete_report_and_the_truth(tmp_path, step, action, fallback):
    out = previous(tmp_path)
    code, said = finish(writer(out, "new", step, action, fallback))
    assert code == 130, said
    expected = "new" if said == "interrupted written" else "old"
    assert said in ("interrupted written", "interrupted not-written")
    assert snapshot(out) == expected
    # the swap is the dividing line: before it nothing changed, after it the new report is in
    assert (expected == "new") == (atomic.STEPS.index(step) >= atomic.STEPS.index("swapped"))
    assert atomic.leftovers(out) == []


@pytest.mark.parametrize("step", atomic.STEPS)
def test_sigterm_with_the_default_action_never_mixes_reports(tmp_path, step):
    out = previous(tmp_path)
    proc = writer(out, "new", step, "sigterm")
    code, _ = finish(proc)
    assert code == -signal.SIGTERM
    tag = snapshot(out)
    assert tag == ("new" if atomic.STEPS.index(step) >= atomic.STEPS.index("swapped") else "old")
    # a process killed before the swap leaves its staging folder; the next writer removes it
    assert finish(writer(out, "next")) == (0, "written")
    assert snapshot(out) == "next" and atomic.leftovers(out) == []


@pytest.mark.parametrize("step", atomic.STEPS)
@pytest.mark.parametrize("fallback", [False, True])
def test_two_concurrent_writers_with_a_delay_at_each_step(tmp_path, step, fallback):
    out = previous(tmp_path)
    first = writer(out, "one", step, "sleep:0.3", fallback)
    time.sleep(0.05)
    second = writer(out, "two", step, "sleep:0.3", fallback)
    seen = set()
    deadline = time.monotonic() + 60
    while (first.poll() is None or second.poll() is None) and time.monotonic() < deadline:
        tag = snapshot(out)  # a reader at any moment: one complete report, or the previous one
        if tag is not None:
            # (the fallback's one-rename window, where ``out`` does not exist, is judged below)
            assert tag in ("old", "one", "two") or (fallback and tag == "missing"), tag
            seen.add(tag)
        time.sleep(0.005)
    results = [finish(first), finish(second)]
    assert all(code == 0 and said.endswith("written") for code, said in results), results
    final = snapshot(out)
    assert final in ("one", "two") and atomic.leftovers(out) == []
    # RENAME_EXCHANGE: the folder never disappears; the two-rename fallback has a window of
    # one rename in which it does not exist (never one in which it is incomplete)
    assert fallback or "missing" not in seen


def test_a_killed_fallback_swap_is_repaired_by_the_next_writer(tmp_path, monkeypatch):
    """Without RENAME_EXCHANGE the swap is two renames; SIGKILL between them leaves ``out``
    missing and the previous report at the staging name: the next writer puts it back
    (under the lock) before writing."""
    out = previous(tmp_path)
    old = out.with_name(f".{out.name}{atomic.STAGING_TAG}12345-abcd-old")
    os.rename(out, old)  # the state right after the first of the two renames
    monkeypatch.setattr(atomic, "exchange", lambda a, b: False)
    seen = []
    monkeypatch.setattr(atomic, "_STEP_HOOK", lambda name: seen.append((name, snapshot(out))))
    atomic.write_report_dir(out, {n: b"new " + n.encode() for n in atomic.REPORT_FILES},
                            {"fig-new.png": b"x", "other-new.png": b"x"})
    assert seen[0] == ("locked", "missing") and seen[1] == ("staging", "old")
    assert ("swapped", "new") in seen
    assert snapshot(out) == "new" and atomic.leftovers(out) == []


def test_a_failed_second_rename_of_the_fallback_puts_the_previous_report_back(tmp_path, monkeypatch):
    out = previous(tmp_path)
    monkeypatch.setattr(atomic, "exchange", lambda a, b: False)
    real_rename = os.rename

    def failing(src, dst):
        if str(src).endswith("-new"):
            raise OSError(28, "No space left on device")
        return real_rename(src, dst)

    monkeypatch.setattr(atomic.os, "rename", failing)
    with pytest.raises(atomic.ReportDirError, match="No space left"):
        atomic.write_report_dir(out, {n: b"new " + n.encode() for n in atomic.REPORT_FILES})
    assert snapshot(out) == "old" and atomic.leftovers(out) == []


@pytest.mark.parametrize("fallback", [False, True])
def test_a_cancelled_write_keeps_the_previous_report(tmp_path, monkeypatch, fallback):
    """``cancelled()`` is the caller's record of a signal whose ``KeyboardInterrupt`` was
    swallowed (issue 24): asked right before the swap, it abandons the write."""
    out = previous(tmp_path)
    if fallback:
        monkeypatch.setattr(atomic, "exchange", lambda a, b: False)
    files = {n: b"new " + n.encode() for n in atomic.REPORT_FILES}
    figs = {"fig-new.png": b"x", "other-new.png": b"x"}
    committed = []
    with pytest.raises(KeyboardInterrupt):
        atomic.write_report_dir(out, files, figs, on_commit=lambda: committed.append(1), cancelled=lambda: True)
    assert committed == [] and snapshot(out) == "old" and atomic.leftovers(out) == []
    atomic.write_report_dir(out, files, figs, on_commit=lambda: committed.append(1), cancelled=lambda: False)
    assert committed == [1] and snapshot(out) == "new" and atomic.leftovers(out) == []


def test_a_folder_with_foreign_files_is_never_replaced(tmp_path):
    out = tmp_path / "project"
    out.mkdir()
    (out / "notes.txt").write_text("mine")
    with pytest.raises(atomic.ReportDirError, match="notes.txt"):
        atomic.write_report_dir(out, {"report.json": b"{}"})
    assert (out / "notes.txt").read_text() == "mine" and atomic.leftovers(out) == []


def test_the_current_folder_is_never_replaced(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    for out in (".", tmp_path, tmp_path.parent):
        with pytest.raises(atomic.ReportDirError, match="current folder"):
            atomic.ensure_writable(out)


def test_waiting_writer_is_told_once(tmp_path):
    out = previous(tmp_path)
    first = writer(out, "one", "staged", "sleep:1.0")
    time.sleep(0.4)
    second = writer(out, "two")
    assert finish(first) == (0, "written")
    code, said = finish(second)
    assert code == 0 and said.splitlines() == ["waiting", "written"]
    assert snapshot(out) == "two"


def test_recovery_puts_back_the_newest_complete_report_and_never_a_partial_one(tmp_path):
    """Decision meta-test of the recovery after a killed fallback swap: with the report folder
    missing and staging folders beside it, the newest *complete* one comes back; a partial one
    (not all of report.md, .html and .json) never counts as complete."""
    import os

    from wpgd_theory.report import atomic

    target = tmp_path / "out"
    prefix = f".{target.name}{atomic.STAGING_TAG}"
    folders = {}
    for name, mtime, files in (("a", 1000, atomic.REPORT_FILES), ("b", 1100, atomic.REPORT_FILES),
                               ("c", 1200, ("report.md",))):
        p = tmp_path / (prefix + name)
        p.mkdir()
        for f in files:
            (p / f).write_text(name)
        os.utime(p, (mtime, mtime))
        folders[name] = p
    assert atomic._is_complete(folders["a"]) and not atomic._is_complete(folders["c"])
    atomic._recover(target)
    assert (target / "report.json").read_text() == "b"  # the newest complete, not the oldest or the partial
    assert not any(p.exists() for p in folders.values())
