"""Atomic writing of a report directory.

Everything is rendered into a staging directory inside ``out`` first (same file system,
so renames are atomic).  Only when every file is complete are they moved into place:

1. the previous ``report.json``, ``report.html`` and ``report.md`` are removed
   (``report.json`` first);
2. ``figures/`` is swapped for the new one;
3. ``report.md``, ``report.html`` and finally ``report.json`` are renamed into place.

So ``report.json`` exists only beside a complete, matching ``report.html`` and
``report.md``: **a directory without report.json holds no complete report**.  An
exception or interrupt before step 1 leaves the previous report untouched; one during the
moves leaves no ``report.json``.  The staging directory is removed in every case; one left
by a killed process is removed by the next run.

A pre-existing ``figures/`` that this module did not write (it carries no marker file) is
never deleted: the write fails with :class:`ReportDirError` instead.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import tempfile
from pathlib import Path

__all__ = ["ReportDirError", "ensure_writable", "write_report_dir", "REPORT_FILES", "STAGING_PREFIX"]

#: Report files in the order they are moved into place (``report.json`` last: the marker).
REPORT_FILES = ("report.md", "report.html", "report.json")
STAGING_PREFIX = ".wpgd-report-staging-"
FIGURES_DIR = "figures"
FIGURES_MARKER = ".written-by-wpgd-verify"


class ReportDirError(OSError):
    """The output directory cannot be used; the message says why in one line."""


def ensure_writable(out_dir) -> Path:
    """Create ``out_dir`` (with parents) and prove a file can be created in it."""
    out = Path(out_dir)
    if out.exists() and not out.is_dir():
        raise ReportDirError(f"--out {out}: exists and is not a directory")
    try:
        out.mkdir(parents=True, exist_ok=True)
        fd, probe = tempfile.mkstemp(prefix=STAGING_PREFIX + "probe-", dir=out)
        os.close(fd)
        os.unlink(probe)
    except OSError as exc:
        raise ReportDirError(f"--out {out}: not writable ({exc.strerror or exc})") from None
    figs = out / FIGURES_DIR
    if figs.exists() and not (figs / FIGURES_MARKER).exists():
        raise ReportDirError(f"--out {out}: {figs} exists and was not written by wpgd-verify; "
                             "refusing to replace it (choose another --out)")
    return out


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:
        return True
    return True


def _remove_stale(out: Path) -> None:
    for p in out.glob(STAGING_PREFIX + "*"):
        try:
            pid = int(p.name[len(STAGING_PREFIX):].split("-")[0])
        except ValueError:
            continue
        if pid == os.getpid() or _pid_alive(pid):
            continue
        if p.is_dir():
            shutil.rmtree(p, ignore_errors=True)
        else:
            p.unlink(missing_ok=True)


def _write(path: Path, data: bytes) -> None:
    with open(path, "wb") as fh:
        fh.write(data)
        fh.flush()
        os.fsync(fh.fileno())


def write_report_dir(out_dir, files: dict, figures: dict | None = None) -> dict:
    """Write ``files`` (``{name: bytes}``, names from :data:`REPORT_FILES`) and ``figures``
    (``{file name: PNG bytes}``, into ``figures/``) atomically; returns ``{name: Path}``."""
    unknown = set(files) - set(REPORT_FILES)
    if unknown:
        raise ValueError(f"files must be named among {REPORT_FILES}, got {sorted(unknown)}")
    out = ensure_writable(out_dir)
    _remove_stale(out)
    stage = Path(tempfile.mkdtemp(prefix=f"{STAGING_PREFIX}{os.getpid()}-", dir=out))
    try:
        fig_stage = stage / FIGURES_DIR
        fig_stage.mkdir()
        (fig_stage / FIGURES_MARKER).write_bytes(b"figures of the report beside this directory\n")
        for name, data in (figures or {}).items():
            if os.sep in name or name.startswith("."):
                raise ValueError(f"figure file name {name!r} must be a plain file name")
            _write(fig_stage / name, data)
        for name in REPORT_FILES:
            if name in files:
                _write(stage / name, files[name])
        # --- commit: nothing above touched the previous report
        for name in reversed(REPORT_FILES):  # report.json first
            with contextlib.suppress(FileNotFoundError):
                (out / name).unlink()
        figs = out / FIGURES_DIR
        if figs.exists():
            os.replace(figs, stage / "figures.old")
        os.replace(fig_stage, figs)
        paths = {FIGURES_DIR: figs}
        for name in REPORT_FILES:
            if name in files:
                os.replace(stage / name, out / name)
                paths[name] = out / name
        return paths
    finally:
        shutil.rmtree(stage, ignore_errors=True)
