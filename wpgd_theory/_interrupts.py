"""Ctrl-C and SIGTERM in ``wpgd-verify``: exit 130 with one line, and never a lost signal.

A handler that only raises :class:`KeyboardInterrupt` is not enough: Python runs it in
whatever Python code the main thread is executing, and when that is a callback whose
exceptions the interpreter reports and drops (a ``gc`` callback such as hypothesis's,
a ``__del__``, a weakref callback: "Exception ignored in ..."), the interrupt is lost and
the run would go on, exit 0 and replace the previous report.  So the handler also
*records* the signal in :data:`state`, and the command line checks the record at every
check boundary, right before the report folder is swapped (``cancelled`` of
:func:`wpgd_theory.report.atomic.write_report_dir`) and before it returns.

Three phases of a ``wpgd-verify`` process:

* **imports** — :func:`install_early` runs first thing when the package is imported by
  the ``wpgd-verify`` program itself (the console script, ``python -m wpgd_theory`` or
  ``python -m wpgd_theory.cli``; never when the package is imported as a library):
  until the command line starts, a signal prints one line and ends the process with 130
  at once (nothing has been written yet).  A signal in the instants before that, while the
  Python interpreter itself starts, is Python's own (a ``KeyboardInterrupt`` traceback).
* **the command** — :func:`handling` installs :func:`_handler` (record, then raise
  ``KeyboardInterrupt``) and a :data:`sys.unraisablehook` that drops the report of an
  interrupt swallowed in a callback (it is recorded and acted on).
* **after the command** (program mode only) — a signal is only recorded, and an
  :mod:`atexit` callback, registered before anything else of the command, ends the
  process with 130 (saying what happened if the command did not) when a signal was
  received at any time, even during the interpreter's shutdown; otherwise it ignores the
  two signals for the last instants of the teardown, so the process ends with the status
  the command decided instead of being killed half-way.

A signal that the process inherited as *ignored* (``nohup``, a background job of a
non-interactive shell) stays ignored.
"""

from __future__ import annotations

import atexit
import contextlib
import os
import signal
import sys
import threading

PROG = "wpgd-verify"
EXIT_INTERRUPTED = 130
#: The modules whose ``python -m`` is the ``wpgd-verify`` program.
PROGRAM_MODULES = ("wpgd_theory", "wpgd_theory.cli")
_SIGNALS = tuple(s for s in (getattr(signal, n, None) for n in ("SIGINT", "SIGTERM")) if s is not None)


class State:
    """What the handlers saw during one :func:`handling` block."""

    def __init__(self) -> None:
        self.received = None  # the number of the first signal received
        self.raising = True  # the handler raises KeyboardInterrupt (False once the command is over)
        self.said = False  # the exit-130 line was printed
        self.written = None  # the report folder, once the new report is in place
        self.command = None  # the command being run (run, solve, ...), once parsed

    def reset(self) -> None:
        self.__init__()


state = State()
_late_exit_registered = False


def interrupted() -> bool:
    """Whether a signal was received during the current command."""
    return state.received is not None


def check() -> None:
    """Raise :class:`KeyboardInterrupt` if a signal was received (even one whose exception
    was swallowed in a callback)."""
    if state.received is not None:
        raise KeyboardInterrupt


def _handler(signum, frame):
    if state.received is None:
        state.received = signum
    if state.raising:
        raise KeyboardInterrupt


def _exit_at_once(signum, frame):  # the imports of the program: nothing written yet
    with contextlib.suppress(OSError):
        os.write(2, f"\n{PROG}: interrupted\n".encode())
    os._exit(EXIT_INTERRUPTED)


def invoked_as_program(argv=None, orig_argv=None) -> bool:
    """Whether this process is the ``wpgd-verify`` program: the console script (``argv[0]``
    is ``wpgd-verify``) or ``python -m wpgd_theory[.cli]`` (while runpy imports it,
    ``argv[0]`` is ``-m``; the module is read from the interpreter's own arguments)."""
    argv = sys.argv if argv is None else argv
    argv0 = argv[0] if argv else ""
    if os.path.basename(argv0).removesuffix(".exe") == PROG:
        return True
    if argv0 != "-m":
        return False
    orig = list(getattr(sys, "orig_argv", []) if orig_argv is None else orig_argv)
    i = 1
    while i < len(orig):
        arg = orig[i]
        if not arg.startswith("-") or arg == "-" or arg == "--":
            return False  # a script, stdin, or the end of the options: not -m
        if arg.startswith("--"):
            i += 2 if arg == "--check-hash-based-pycs" else 1
            continue
        for j, ch in enumerate(arg[1:], 1):
            if ch == "c":
                return False
            if ch in "mWX":
                value = arg[j + 1:] or (orig[i + 1] if i + 1 < len(orig) else "")
                if ch == "m":
                    return value in PROGRAM_MODULES
                i += 0 if arg[j + 1:] else 1
                break
        i += 1
    return False


def install_early() -> None:
    """Called first by the package's ``__init__``: in the ``wpgd-verify`` program, a signal
    during the imports ends the process with one line and status 130 (no traceback)."""
    if not invoked_as_program():
        return
    defaults = {getattr(signal, "SIGINT", None): signal.default_int_handler,
                getattr(signal, "SIGTERM", None): signal.SIG_DFL}
    for sig in _SIGNALS:
        with contextlib.suppress(OSError, ValueError, TypeError):  # ValueError: not the main thread
            if signal.getsignal(sig) == defaults[sig]:
                signal.signal(sig, _exit_at_once)


def _unraisable(previous):
    def hook(unraisable):
        if isinstance(unraisable.exc_value, KeyboardInterrupt) and state.received is not None:
            return  # an interrupt swallowed in a callback: recorded, and acted on by the command
        previous(unraisable)

    return hook


def _at_exit() -> None:
    """Last of the exit callbacks of a ``wpgd-verify`` process (see the module doc)."""
    if state.received is None:
        for sig in _SIGNALS:
            with contextlib.suppress(OSError, ValueError, TypeError):
                if signal.getsignal(sig) is _handler:
                    signal.signal(sig, signal.SIG_IGN)
        return
    if not state.said:
        if state.written is not None:
            message = f"interrupted after the new report was written (complete, in {state.written})"
        else:
            message = "interrupted"
        with contextlib.suppress(OSError, ValueError, AttributeError):
            sys.stdout.flush()
        with contextlib.suppress(OSError):
            os.write(2, f"\n{PROG}: {message}\n".encode())
    for stream in (sys.stdout, sys.stderr):
        with contextlib.suppress(OSError, ValueError, AttributeError):
            stream.flush()
    os._exit(EXIT_INTERRUPTED)


@contextlib.contextmanager
def handling(program: bool):
    """Handle SIGINT and SIGTERM for one command (see the module doc); yields :data:`state`.

    ``program``: this command is the whole process (``wpgd-verify``; ``main()`` called
    without arguments): the handling stays in force after the block, through the exit.
    Otherwise (``main([...])`` called in-process, e.g. by tests) the previous handlers and
    unraisable hook are restored when the block ends."""
    global _late_exit_registered
    state.reset()
    if program and not _late_exit_registered:
        atexit.register(_at_exit)
        _late_exit_registered = True
    previous = {}
    if threading.current_thread() is threading.main_thread():
        for sig in _SIGNALS:
            with contextlib.suppress(OSError, ValueError, TypeError):
                current = signal.getsignal(sig)
                if current == signal.SIG_IGN or current is None:
                    continue  # ignored by whoever started us: stays ignored
                previous[sig] = signal.signal(sig, _handler)
    old_hook = sys.unraisablehook
    sys.unraisablehook = _unraisable(old_hook)
    try:
        yield state
    finally:
        state.raising = False  # from here on a signal is only recorded
        if not program:
            for sig, handler in previous.items():
                with contextlib.suppress(OSError, ValueError, TypeError):
                    signal.signal(sig, handler)
            sys.unraisablehook = old_hook


install_early()  # imported first by the package's __init__
