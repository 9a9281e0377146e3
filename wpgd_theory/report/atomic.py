"""Atomic, locked writing of a report folder.

The report folder ``OUT`` is replaced as a whole, never edited in place:

1. **lock** — an exclusive ``fcntl.flock`` on the lock file ``.OUT-NAME.wpgd-lock`` beside
   ``OUT`` (in its parent folder) is held for the whole write.  A second writer of the same
   ``OUT`` waits for it (``on_wait`` is told once), so two runs never interleave;
2. **stage** — every file (``report.md``, ``report.html``, ``report.json``, ``figures/``)
   is written, flushed and ``fsync``-ed into a new sibling folder
   ``.OUT-NAME.wpgd-staging-PID-XXXX`` (same parent, so the same file system);
3. **swap** — the complete sibling replaces ``OUT`` in one step: on Linux
   ``renameat2(RENAME_EXCHANGE)`` (via ``ctypes``) exchanges the two folders atomically;
   where that is unavailable (other systems, file systems without it) ``OUT`` is first
   renamed aside and the sibling renamed into place (two ``rename`` calls; see below);
   when ``OUT`` does not exist yet one ``rename`` suffices;
4. **clean** — the previous folder (now at the staging name) is deleted.

``SIGINT``, ``SIGTERM`` and ``SIGHUP`` are held back (their handlers record them) from step 3 to
the end of step 4 and delivered right after, and ``on_commit`` is called inside that
window, right after the swap.  So an interrupt either comes before the swap (the previous
report is untouched, the staging folder is removed) or after ``on_commit`` ran (the new
report is complete and in place): what ``wpgd-verify`` says on exit 130 is true in every
window, and no staging folder is left behind.  An interrupt whose ``KeyboardInterrupt``
was swallowed earlier (raised inside a callback whose exceptions Python drops, such as a
``gc`` callback) is caught by ``cancelled``: the caller's record of signals, asked once
the signals are held back and before the swap; when it answers true the write is
abandoned with ``KeyboardInterrupt`` and the previous report stays.  A reader that opens ``OUT`` sees exactly one
run's complete report, or the previous one.

With the fallback a reader can find ``OUT`` missing for the instant between the two
renames (never incomplete).  Only ``SIGKILL``/power loss can stop the process inside the
window.  With
``RENAME_EXCHANGE`` that leaves at worst the *previous* folder under the staging name
(``OUT`` itself is always one complete report); with the two-rename fallback it can leave
``OUT`` missing and the previous report under the staging name: the next writer (under
the lock, so no other writer is alive) puts that folder back first if ``OUT`` is missing,
and removes every stale staging folder.

``OUT`` may hold only what this module writes (the report files, ``figures/``, the marker
``.written-by-wpgd-verify``): a folder with anything else in it (``--out .`` in a project,
a ``figures/`` of your own) is refused with :class:`ReportDirError`, because replacing it
would delete those files.
"""

from __future__ import annotations

import contextlib
import ctypes
import ctypes.util
import errno
import os
import shutil
import signal
import tempfile
from pathlib import Path

__all__ = ["ReportDirError", "ensure_writable", "write_report_dir", "REPORT_FILES", "STAGING_TAG", "LOCK_TAG",
           "exchange", "leftovers"]

#: Report files (``report.json`` is written last into the staging folder).
REPORT_FILES = ("report.md", "report.html", "report.json")
STAGING_TAG = ".wpgd-staging-"
LOCK_TAG = ".wpgd-lock"
FIGURES_DIR = "figures"
FIGURES_MARKER = ".written-by-wpgd-verify"
FOLDER_MARKER = ".written-by-wpgd-verify"
#: Entries a report folder may hold (older versions also left ``.wpgd-report-staging-*``).
_OURS = set(REPORT_FILES) | {FIGURES_DIR, FOLDER_MARKER}
_LEGACY_STAGING = ".wpgd-report-staging-"
_DEFERRED = tuple(s for s in (getattr(signal, n, None) for n in ("SIGINT", "SIGTERM", "SIGHUP")) if s is not None)

#: Test hook: called with the name of each step (``"locked"``, ``"staging"``, ``"staged"``,
#: ``"swapped"``, ``"cleaned"``); the fault-injection tests delay or signal the process there.
STEPS = ("locked", "staging", "staged", "swapped", "cleaned")
_STEP_HOOK = None


class ReportDirError(OSError):
    """The output directory cannot be used; the message says why in one line.

    A subclass of :class:`OSError`; the command line prints its message and exits with status 2.

    Examples
    --------
    >>> import os, tempfile
    >>> with tempfile.NamedTemporaryFile() as f:
    ...     try:
    ...         ensure_writable(f.name)
    ...     except ReportDirError as exc:
    ...         print(str(exc).endswith("exists and is not a directory"))
    True
    """


def _step(name: str) -> None:
    if _STEP_HOOK is not None:
        _STEP_HOOK(name)


def _why(exc: OSError) -> str:
    return exc.strerror or str(exc)


def _target(out_dir) -> Path:
    """``out_dir`` as an absolute path; a symlink to a folder is followed (its target is replaced)."""
    out = Path(os.path.abspath(os.fspath(out_dir)))
    if out.is_symlink():
        out = Path(os.path.realpath(out))
    return out


def _foreign_entries(out: Path) -> list:
    try:
        listing = sorted(os.listdir(out))
    except FileNotFoundError:  # swapped out by another writer this instant (it holds the lock)
        return []
    names = []
    for name in listing:
        if name in _OURS or name.startswith(_LEGACY_STAGING):
            continue
        names.append(name)
    figs = out / FIGURES_DIR
    if figs.exists() and not (figs.is_dir() and (figs / FIGURES_MARKER).exists()):
        names.insert(0, FIGURES_DIR + "/")
    return names


def ensure_writable(out_dir) -> Path:
    """Check that ``out_dir`` can receive a report; returns it (as given, made a ``Path``).

    Its parent folder is created if needed and must be writable (the report is staged
    there and swapped in); ``out_dir`` itself must be missing, empty or a report folder.
    Every problem is a :class:`ReportDirError` with a one-line message.

    Parameters
    ----------
    out_dir : str or path-like
        The report folder to check.

    Returns
    -------
    pathlib.Path
        ``out_dir`` as a path.

    Raises
    ------
    ReportDirError
        If ``out_dir`` is a file, the root or current folder, holds files not written by
        wpgd-verify, or its parent is not writable.

    Examples
    --------
    >>> import os, tempfile
    >>> with tempfile.TemporaryDirectory() as tmp:
    ...     print(ensure_writable(os.path.join(tmp, "report")).name)
    report
    """
    out = Path(out_dir)
    target = out
    try:
        target = _target(out)
        if target.exists() and not target.is_dir():
            raise ReportDirError(f"--out {out}: exists and is not a directory")
        if target.parent == target:
            raise ReportDirError(f"--out {out}: the root folder cannot be a report folder")
        cwd = Path(os.path.realpath(os.getcwd()))
        if cwd == Path(os.path.realpath(target)) or Path(os.path.realpath(target)) in cwd.parents:
            raise ReportDirError(f"--out {out}: is the current folder (or contains it); the report folder is "
                                 "replaced as a whole, so choose a folder below it, e.g. --out wpgd-report")
        target.parent.mkdir(parents=True, exist_ok=True)
        fd, probe = tempfile.mkstemp(prefix=f".{target.name}.wpgd-probe-", dir=target.parent)
        os.close(fd)
        Path(probe).unlink(missing_ok=True)
        if target.is_dir():
            foreign = _foreign_entries(target)
            if foreign:
                shown = ", ".join(foreign[:3]) + (f" and {len(foreign) - 3} more" if len(foreign) > 3 else "")
                raise ReportDirError(f"--out {out}: holds files not written by wpgd-verify ({shown}); refusing to "
                                     "replace it (choose a new or empty folder)")
    except ReportDirError:
        raise
    except OSError as exc:
        where = exc.filename if isinstance(exc.filename, str) and exc.filename not in (str(out), str(target)) else ""
        raise ReportDirError(f"--out {out}: not usable ({_why(exc)}{': ' + where if where else ''})") from None
    return out


# --------------------------------------------------------------------------- primitives
def _write(path: Path, data: bytes) -> None:
    with open(path, "wb") as fh:
        fh.write(data)
        fh.flush()
        os.fsync(fh.fileno())


def _fsync_dir(path: Path) -> None:
    with contextlib.suppress(OSError):
        fd = os.open(path, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


_RENAME_EXCHANGE = 2
_AT_FDCWD = -100


def _renameat2():
    """libc ``renameat2`` or ``None`` (not Linux, or glibc older than 2.28)."""
    if not hasattr(os, "uname") or os.uname().sysname != "Linux":
        return None
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6", use_errno=True)
        fn = libc.renameat2
    except (OSError, AttributeError):
        return None
    fn.argtypes = [ctypes.c_int, ctypes.c_char_p, ctypes.c_int, ctypes.c_char_p, ctypes.c_uint]
    fn.restype = ctypes.c_int
    return fn


def exchange(a: Path, b: Path) -> bool:
    """Atomically exchange the entries ``a`` and ``b`` (``renameat2(RENAME_EXCHANGE)``).

    Returns ``False`` when the system or file system does not support it (nothing is
    changed then); raises ``OSError`` on any other failure.
    """
    fn = _renameat2()
    if fn is None:
        return False
    rc = fn(_AT_FDCWD, os.fsencode(a), _AT_FDCWD, os.fsencode(b), _RENAME_EXCHANGE)
    if rc == 0:
        return True
    err = ctypes.get_errno()
    if err in (errno.ENOSYS, errno.EINVAL, errno.ENOTSUP, errno.EOPNOTSUPP):
        return False
    raise OSError(err, os.strerror(err), str(b))


@contextlib.contextmanager
def _signals_deferred():
    """Hold back SIGINT/SIGTERM/SIGHUP until the block ends, then deliver them.

    Python runs signal handlers only in the main thread, between bytecodes, whichever
    thread the kernel picked (BLAS threads do not block signals, so ``pthread_sigmask``
    alone would not do): the handlers are swapped for ones that only record the signal, and
    the recorded signals are re-raised through the original handlers when the block ends.
    Outside the main thread this is a no-op.
    """
    import threading

    if threading.current_thread() is not threading.main_thread():
        yield
        return
    pending = []
    old = {}
    for sig in _DEFERRED:
        with contextlib.suppress(OSError, ValueError, TypeError):
            old[sig] = signal.signal(sig, lambda signum, frame: pending.append(signum))
    try:
        yield
    finally:
        for sig, handler in old.items():
            signal.signal(sig, handler)
        for sig in dict.fromkeys(pending):
            handler = old.get(sig)
            if callable(handler):
                handler(sig, None)  # e.g. default_int_handler raises KeyboardInterrupt
            elif handler == signal.SIG_DFL:
                os.kill(os.getpid(), sig)


@contextlib.contextmanager
def _locked(lock_path: Path, on_wait=None):
    fd = os.open(lock_path, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        try:
            import fcntl
        except ModuleNotFoundError:  # pragma: no cover - not POSIX: no lock
            fcntl = None
        if fcntl is not None:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                if on_wait is not None:
                    holder = os.pread(fd, 64, 0).decode("ascii", "replace").strip() or "?"
                    on_wait(f"another wpgd-verify (pid {holder}) is writing {lock_path.parent}; waiting for it")
                fcntl.flock(fd, fcntl.LOCK_EX)
        if hasattr(os, "pwrite"):  # the holder's pid, for the message of a waiting writer
            os.ftruncate(fd, 0)
            os.pwrite(fd, f"{os.getpid()}\n".encode(), 0)
        yield
    finally:
        os.close(fd)  # releases the lock


def _staging_dirs(target: Path) -> list:
    prefix = f".{target.name}{STAGING_TAG}"
    return [p for p in target.parent.iterdir() if p.name.startswith(prefix)]


def leftovers(out_dir) -> list:
    """Staging folders of ``out_dir`` left beside it (none, unless a writer was killed)."""
    target = _target(out_dir)
    return sorted(p.name for p in _staging_dirs(target)) if target.parent.is_dir() else []


def _is_complete(folder: Path) -> bool:
    return all((folder / name).is_file() for name in REPORT_FILES)


def _recover(target: Path) -> None:
    """Under the lock: put back a previous report lost by a killed fallback swap, drop stale staging."""
    stale = _staging_dirs(target)
    if not target.exists():
        complete = [p for p in stale if p.is_dir() and not p.name.endswith("-new") and _is_complete(p)]
        if complete:
            newest = max(complete, key=lambda p: p.stat().st_mtime)
            os.rename(newest, target)
            stale.remove(newest)
    for p in stale:
        if p.is_dir() and not p.is_symlink():
            shutil.rmtree(p, ignore_errors=True)
        else:
            with contextlib.suppress(OSError):
                p.unlink()
    if target.is_dir():  # leftovers of older versions, which staged inside the folder
        for p in target.glob(_LEGACY_STAGING + "*"):
            shutil.rmtree(p, ignore_errors=True) if p.is_dir() else p.unlink(missing_ok=True)


def write_report_dir(out_dir, files: dict, figures: dict | None = None, *, on_commit=None, on_wait=None,
                     cancelled=None) -> dict:
    """Write ``files`` (``{name: bytes}``, names from :data:`REPORT_FILES`) and ``figures``
    (``{file name: PNG bytes}``, into ``figures/``) as one atomic replacement of ``out_dir``.

    ``on_commit()`` is called right after the new folder is in place, with interrupts held
    back; ``on_wait(message)`` when another writer holds the lock; ``cancelled()``, when
    given, is asked right before the swap (signals already held back): if it is true the
    staging folder is removed, nothing is replaced and ``KeyboardInterrupt`` is raised.  Returns
    ``{name: Path}`` of what was written.  See the module docstring for the guarantees.
    """
    unknown = set(files) - set(REPORT_FILES)
    if unknown:
        raise ValueError(f"files must be named among {REPORT_FILES}, got {sorted(unknown)}")
    for name in figures or {}:
        if not name or os.sep in name or "/" in name or name.startswith("."):
            raise ValueError(f"figure file name {name!r} must be a plain file name")
    out = ensure_writable(out_dir)
    target = _target(out)
    lock = target.parent / f".{target.name}{LOCK_TAG}"
    try:
        with _locked(lock, on_wait):
            _step("locked")
            _recover(target)
            ensure_writable(out)  # again, under the lock
            stage = Path(tempfile.mkdtemp(prefix=f".{target.name}{STAGING_TAG}{os.getpid()}-",
                                          suffix="-new", dir=target.parent))
            try:
                _step("staging")
                (stage / FOLDER_MARKER).write_bytes(b"a report folder written by wpgd-verify\n")
                fig_stage = stage / FIGURES_DIR
                fig_stage.mkdir()
                (fig_stage / FIGURES_MARKER).write_bytes(b"figures of the report beside this directory\n")
                for name, data in (figures or {}).items():
                    _write(fig_stage / name, data)
                for name in REPORT_FILES:
                    if name in files:
                        _write(stage / name, files[name])
                _fsync_dir(fig_stage)
                _fsync_dir(stage)
                os.chmod(stage, 0o755 & ~_umask())
                _step("staged")
                old = stage.with_name(stage.name[: -len("-new")] + "-old")
                with _signals_deferred():
                    if cancelled is not None and cancelled():
                        raise KeyboardInterrupt  # a signal seen earlier, whose exception was lost
                    if not target.exists():
                        os.rename(stage, target)
                    elif exchange(stage, target):
                        os.rename(stage, old)  # the previous report, now at the staging name
                    else:  # fallback: two renames (see the module docstring)
                        os.rename(target, old)
                        try:
                            os.rename(stage, target)
                        except BaseException:
                            os.rename(old, target)  # put the previous report back
                            raise
                    try:
                        _fsync_dir(target.parent)
                        if on_commit is not None:
                            on_commit()
                        _step("swapped")
                    finally:
                        shutil.rmtree(old, ignore_errors=True)
                    _step("cleaned")
            finally:
                if stage.exists():  # an exception or interrupt before the swap
                    shutil.rmtree(stage, ignore_errors=True)
    except ReportDirError:
        raise
    except OSError as exc:
        raise ReportDirError(f"--out {out}: could not write the report ({_why(exc)})") from None
    paths = {FIGURES_DIR: out / FIGURES_DIR}
    paths.update({name: out / name for name in REPORT_FILES if name in files})
    return paths


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask
