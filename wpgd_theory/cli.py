"""``wpgd-verify``: the command line of the verifier.

Commands:

``wpgd-verify run [--suite S] [--only G1,W5,...] [--out DIR] [--seed N] [--device D] [--config FILE] [--quiet]``
    Run the claim registry (:func:`wpgd_theory.claims.run`) in suite ``S`` (``quick``,
    ``default``, ``thorough``) on device ``D`` (``cpu``, ``cuda``) and write
    ``DIR/report.html``, ``report.json``, ``report.md`` and ``figures/`` atomically and
    under a lock (default ``DIR`` is ``./wpgd-report``; see :mod:`wpgd_theory.report.atomic`).
    Progress goes to stderr: a bar on a terminal; otherwise (CI logs, ``nohup``, batch
    jobs) one line per finished claim and a heartbeat line every :data:`HEARTBEAT_S`
    seconds while a check runs; nothing with ``--quiet``.  A Python warning (numpy's or
    scipy's ``RuntimeWarning``, ...) is one line ``wpgd-verify: warning: ...`` (once each),
    none with ``--quiet``.

``wpgd-verify solve FILE.toml|FILE.json [--model NAME] [--json]``
    The optimal WPGD (``wpgd_theory.landscape.solve``) for the model(s) in a
    configuration file (:mod:`wpgd_theory.config`).  ``--json`` is complete and shaped
    at any size (matrices as nested lists, never truncated); a diagnostic that is not a
    finite number is ``null`` and listed under ``nonfinite`` with the reason.  A model whose
    optimum cannot be represented in float64 is an input error (exit 2), never printed.

``run`` and ``solve`` estimate the memory and time a ``--config`` model needs before
building it and refuse one beyond the limits of :mod:`wpgd_theory.config`
(:data:`~wpgd_theory.config.MAX_MEMORY_BYTES`, :data:`~wpgd_theory.config.MAX_SETUP_SECONDS`)
with exit 2, unless ``--allow-large`` is given.

``wpgd-verify list [--json]``
    The claims and their registered checks (id, title, check names, kinds, suites).

``wpgd-verify sweep`` and ``wpgd-verify architectures``: see :mod:`wpgd_theory.commands`.

Layout: this module holds the entry point (:func:`main`), the parser and the helpers the
commands share (one-line errors, warnings, progress output, ``--config`` loading, the device);
every command is a module of :mod:`wpgd_theory.commands` (``run``, ``solve``, ``sweep``,
``listing``, ``architectures``).

Exit status:

* ``0`` — every applicable claim in the run is *verified* (it has checks in the suite,
  every applicable one passed, at least one of them independent evidence), and at least
  one claim is; a claim is *not applicable* when no model of the run meets its premise
  (listed with the reason, never counted as passed);
* ``1`` — some check failed or raised, or some claim is *not verified* (no checks in the
  suite, a check skipped, or only consistency checks): a claim without passing evidence
  is never counted as passed. A summary line names those claims;
* ``2`` — usage or input error (bad option, unknown ``--only`` id, invalid ``--config``,
  a model too large or not representable, unwritable ``--out``, standard output not
  writable or closed — after a completed ``run`` the line says the report was written —,
  ``solve`` unavailable): one line on stderr naming what is wrong, no traceback;
* ``130`` — interrupted (Ctrl-C, SIGTERM), at any moment from the imports to the
  interpreter's shutdown, also when the signal's ``KeyboardInterrupt`` was swallowed in a
  callback (:mod:`wpgd_theory._interrupts`): one line, which says whether the new report
  was written (then it is complete) or not (then the previous report, if any, is left as
  it was); never a mix of the two, never a staging folder left behind.

``--device cuda`` without a usable CUDA device (or without torch) is not an error: a
warning line is printed and the run uses the CPU; the report records both the requested
and the used device.  torch is imported only in that case (its version is read from
package metadata otherwise).
"""

from __future__ import annotations

import argparse
import contextlib
import os
import sys
import threading
import time
import warnings

from . import _interrupts

__all__ = ["main", "build_parser", "EXIT_OK", "EXIT_FAILED", "EXIT_USAGE"]

EXIT_OK, EXIT_FAILED, EXIT_USAGE, EXIT_INTERRUPTED = 0, 1, 2, 130
PROG = "wpgd-verify"
#: Seconds between heartbeat lines of a long check when stderr is not a terminal.
HEARTBEAT_S = 60.0
#: Relative cost of a training check in the progress bar's ETA (other checks count 1).
TRAINING_WEIGHT = 20


class UsageError(Exception):
    """A usage or input error: printed as one line, exit status 2."""


class _StdoutError(UsageError):
    """Standard output cannot be written (``> /dev/full``, closed pipe)."""


def _say(*args, **kwargs) -> None:
    """``print`` to stdout; a failing or closed stdout becomes :class:`_StdoutError` (exit 2, one line)."""
    if sys.stdout is None:  # started with stdout closed (`>&-`)
        raise _StdoutError("cannot write to standard output (it is closed)")
    try:
        print(*args, **kwargs)
    except BrokenPipeError:
        raise
    except OSError as exc:
        raise _StdoutError(f"cannot write to standard output ({exc.strerror or exc})") from None


class _Parser(argparse.ArgumentParser):
    def error(self, message):  # one line, no usage dump
        raise UsageError(f"{message} (see {self.prog} --help)")


def _nonneg_int(text: str) -> int:
    from .config import MAX_SEED

    shown = text if len(text) <= 40 else text[:20] + "…"
    try:
        value = int(text) if len(text) <= 100 else None
    except ValueError:
        value = None
    if value is None or not 0 <= value <= MAX_SEED:
        raise argparse.ArgumentTypeError(f"expected an integer >= 0 and < 2**63, got {shown!r}")
    return value


def _pos_int(text: str) -> int:
    value = _nonneg_int(text)
    if value < 1:
        raise argparse.ArgumentTypeError(f"expected an integer >= 1, got {value}")
    return value


def _scheduler(text: str) -> str:
    """``--scheduler``: a Dask address, checked before anything starts (wpgd_theory.parallel)."""
    from . import parallel

    try:
        return parallel.check_arguments(1, text)
    except parallel.ParallelError as exc:
        raise argparse.ArgumentTypeError(str(exc).removeprefix("scheduler: ")) from None


def _check_local_workers(args) -> None:
    """``--workers`` against what this machine holds (without ``--scheduler``), before
    anything starts or is printed (wpgd_theory.parallel.max_local_workers)."""
    if args.scheduler is None and args.workers > 1:
        from . import parallel

        try:
            parallel.check_arguments(args.workers)
        except parallel.ParallelError as exc:
            raise UsageError(exc.command_line()) from None


def build_parser() -> argparse.ArgumentParser:
    from . import __version__
    from .commands.architectures import cmd_architectures  # one module per command
    from .commands.listing import cmd_list
    from .commands.run import cmd_run
    from .commands.solve import cmd_solve
    from .commands.sweep import cmd_sweep

    p = _Parser(prog=PROG, description="Verify the claims of 'Gating is Weighting' (GLA as weighted "
                                       "preconditioned gradient descent) and write a report.")
    p.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    sub = p.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)

    r = sub.add_parser("run", help="run the checks and write the report",
                       description="Run the claim registry and write DIR/report.{html,json,md}. "
                                   "Exit 0 iff every applicable claim in the run is verified, 1 otherwise, "
                                   "2 on bad input.")
    r.add_argument("--suite", choices=("quick", "default", "thorough"), default=None,
                   help="quick, default or thorough, in increasing cost (measured times and the machine they "
                        "came from: docs, 'How long a run takes'; each report records its own); "
                        "default: the config file's suite, else 'default'")
    r.add_argument("--only", metavar="IDS", default=None,
                   help="comma-separated claim ids to run, e.g. G1,W5 (default: all)")
    r.add_argument("--out", metavar="DIR", default="wpgd-report", help="output directory (default: ./wpgd-report)")
    r.add_argument("--seed", type=_nonneg_int, default=None, metavar="N",
                   help="seed of every check's random generator (default: the config's seed, else 0)")
    r.add_argument("--device", choices=("cpu", "cuda"), default="cpu",
                   help="device for torch checks; cuda falls back to cpu with a warning when unavailable")
    r.add_argument("--config", metavar="FILE", default=None,
                   help="TOML or JSON file with your own model instances (see the docs: how-to/config)")
    r.add_argument("--quiet", "-q", action="store_true", help="no progress output and only the final summary lines")
    r.add_argument("--allow-large", action="store_true",
                   help="run --config models beyond the memory/time limits (see the docs: how-to/config)")
    r.add_argument("--workers", type=_pos_int, default=1, metavar="N",
                   help="run checks on a local Dask cluster of N processes (default 1: in-process, no Dask)")
    r.add_argument("--scheduler", type=_scheduler, metavar="ADDRESS", default=None,
                   help="run checks on an existing Dask scheduler, e.g. tcp://host:8786 (overrides --workers)")
    r.set_defaults(handler=cmd_run)

    s = sub.add_parser("solve", help="optimal WPGD for a model instance",
                       description="Solve for the optimal WPGD (P*, omega*, risk, W4 roots, uniqueness "
                                   "certificate) of the model(s) in a TOML or JSON configuration file.")
    s.add_argument("file", metavar="FILE", help="a .toml or .json model file (same schema as --config)")
    s.add_argument("--model", metavar="NAME", default=None, help="solve only this model of the file")
    s.add_argument("--json", action="store_true", help="print JSON instead of text (complete, never truncated)")
    s.add_argument("--allow-large", action="store_true",
                   help="solve models beyond the memory/time limits (see the docs: how-to/config)")
    s.set_defaults(handler=cmd_solve)

    sw = sub.add_parser("sweep", help="run an experiment grid (predicted and trained risk), resumable",
                        description="Run the grid of a sweep spec (models x classes x depths x seeds): "
                                    "predicted optimum per cell and, if the spec asks, trained risk; writes "
                                    "results.parquet, results.csv, figures and summary.html into DIR. "
                                    "Finished cells are cached in DIR/cache: a rerun computes only what is new.")
    sw.add_argument("spec", metavar="SPEC", help="a .toml or .json sweep spec (see the docs: how-to/parallel)")
    sw.add_argument("--out", metavar="DIR", required=True, help="output directory (also holds the cell cache)")
    sw.add_argument("--workers", type=_pos_int, default=1, metavar="N",
                    help="local Dask cluster of N processes (default 1: in-process)")
    sw.add_argument("--scheduler", type=_scheduler, metavar="ADDRESS", default=None,
                    help="an existing Dask scheduler")
    sw.add_argument("--device", choices=("cpu", "cuda"), default="cpu", help="device for training")
    sw.add_argument("--quiet", "-q", action="store_true", help="only the final summary line")
    sw.set_defaults(handler=cmd_sweep)

    ls = sub.add_parser("list", help="list claims and their checks")
    ls.add_argument("--json", action="store_true", help="print JSON instead of text")
    ls.set_defaults(handler=cmd_list)

    ar = sub.add_parser("architectures", help="which real architectures (flash-linear-attention) implement WPGD",
                        description="Run the WPGD constructions through fla's ops for each architecture and "
                                    "print architecture -> implements WPGD -> weight class -> best risk per model "
                                    "-> discrepancy. Exit 0 iff every verdict is the stated one.")
    ar.add_argument("--json", action="store_true", help="print JSON instead of text")
    ar.add_argument("--config", metavar="FILE", default=None, help="TOML or JSON models (default: the built-in ones)")
    ar.add_argument("--seed", type=_nonneg_int, default=0, metavar="N", help="seed of the sampled prompts")
    ar.add_argument("--train", action="store_true", help="also train each trainable architecture through fla's ops "
                    "on each model (the thorough suite's settings; minutes per model) and add its trained risk")
    ar.set_defaults(handler=cmd_architectures)
    return p


def _stderr_line(text: str) -> None:
    """One line on stderr; nothing if stderr is closed or broken (never onto stdout)."""
    if sys.stderr is None:
        return
    with contextlib.suppress(OSError, ValueError):
        print(text, file=sys.stderr, flush=True)


def _err(message: str) -> None:
    _stderr_line(f"{PROG}: error: {message}")


def _warn(message: str) -> None:
    _stderr_line(f"{PROG}: warning: {message}")


def _where(filename) -> str:
    """A short location for a warning: ``wpgd_theory/x.py`` or ``numpy/x.py``, else the file name."""
    parts = str(filename).replace("\\", "/").split("/")
    for anchor in ("wpgd_theory", "site-packages"):
        if anchor in parts:
            i = len(parts) - 1 - parts[::-1].index(anchor)
            return "/".join(parts[i if anchor == "wpgd_theory" else i + 1:])
    return parts[-1]


@contextlib.contextmanager
def _python_warnings(quiet: bool):
    """Python warnings (numpy's and scipy's RuntimeWarnings, ...) while a command runs: with
    ``quiet`` none is shown; otherwise each distinct one is one line
    ``wpgd-verify: warning: RuntimeWarning: overflow encountered in multiply (wpgd_theory/x.py:12)``
    instead of Python's two-line dump.  Only the display changes: the filters, and code that
    records or escalates warnings (``catch_warnings``, ``simplefilter("error")``), are as before."""
    seen = set()

    def show(message, category, filename, lineno, file=None, line=None):
        if quiet:
            return
        text = " ".join(str(message).split())
        if (category, text) in seen:
            return
        seen.add((category, text))
        _warn(f"{getattr(category, '__name__', 'Warning')}: {text} ({_where(filename)}:{lineno})")

    previous = warnings.showwarning
    warnings.showwarning = show
    try:
        yield
    finally:
        warnings.showwarning = previous


def _load_config(path, allow_large: bool = False, quiet: bool = False):
    """Load and validate a config; numpy warnings become single warning lines (after success;
    none with ``quiet``)."""
    from .config import ConfigError, load_config

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            cfg = load_config(path, allow_large=allow_large, on_estimate=_warn)
        except ConfigError as exc:
            raise UsageError(str(exc)) from None
    for message in dict.fromkeys(" ".join(str(w.message).split()) for w in caught):
        if not quiet:
            _warn(f"{path}: {message}")
    return cfg


def resolve_device(requested: str) -> str:
    """The device to run on: ``cuda`` only when torch sees a CUDA device, else ``cpu`` (with a warning)."""
    if requested != "cuda":
        return "cpu"
    try:
        import torch

        if torch.cuda.is_available():
            return "cuda"
        why = "torch.cuda.is_available() is False"
    except Exception as exc:  # torch missing or broken
        why = f"torch cannot be imported ({type(exc).__name__}: {exc})"
    _warn(f"--device cuda requested but CUDA is not available ({why}); running on CPU")
    return "cpu"


def _weight(chk) -> int:
    """ETA weight of a check: training checks take far longer than the others."""
    return TRAINING_WEIGHT if chk.kind == "training" else 1


class _Progress:
    """Progress on stderr: a tqdm bar on a terminal; otherwise plain lines (one per finished
    claim, a heartbeat every :data:`HEARTBEAT_S` s while a check runs); nothing if quiet.

    The bar counts checks weighted by :func:`_weight`, so its ETA accounts for the slow
    training checks."""

    def __init__(self, planned, quiet: bool):
        self.planned = list(planned)
        self.quiet = quiet
        self.tty = sys.stderr.isatty()
        self.remaining = {}
        for chk in self.planned:
            self.remaining[chk.claim_id] = self.remaining.get(chk.claim_id, 0) + 1
        self.claim_stats = {}
        self.done = 0
        self.t0 = time.monotonic()
        self.current = None
        self.started = 0.0
        self.parallel = False  # on Dask: checks finish in any order, without a start call
        self.bar = None
        self._stop = threading.Event()
        self._thread = None
        if quiet:
            return
        if self.tty:
            from tqdm import tqdm

            self.bar = tqdm(total=sum(_weight(c) for c in self.planned), file=sys.stderr, unit="w",
                            desc="verifying", dynamic_ncols=True, leave=False,
                            bar_format="{l_bar}{bar}| {percentage:3.0f}% [{elapsed}<{remaining}{postfix}]")
        else:
            self._line(f"running {len(self.planned)} checks of {len(self.remaining)} claims")
            self._thread = threading.Thread(target=self._heartbeat, name="wpgd-heartbeat", daemon=True)
            self._thread.start()

    @staticmethod
    def _line(text: str) -> None:
        try:
            print(f"{PROG}: {text}", file=sys.stderr, flush=True)
        except (OSError, ValueError):  # stderr gone: progress is best effort
            pass

    def _heartbeat(self):
        while not self._stop.wait(HEARTBEAT_S):
            cur = self.current
            if cur is not None:
                self._line(f"... still running {cur.key} ({time.monotonic() - self.started:.0f} s so far; "
                           f"{self.done}/{len(self.planned)} checks done, {time.monotonic() - self.t0:.0f} s elapsed)")
            elif self.parallel and self.done < len(self.planned):
                self._line(f"... {self.done}/{len(self.planned)} checks done on the workers, "
                           f"{time.monotonic() - self.t0:.0f} s elapsed")

    def start(self, chk):
        _interrupts.check()  # a check boundary: a Ctrl-C lost in a callback ends the run here
        self.current, self.started = chk, time.monotonic()
        if self.bar is not None:
            key = chk.key if len(chk.key) <= 40 else chk.key[:39] + "…"
            self.bar.set_postfix_str(key, refresh=True)

    def finish(self, chk, res):
        _interrupts.check()
        started = self.current is chk
        self.current = None
        self.done += 1
        stats = self.claim_stats.setdefault(chk.claim_id, {"n": 0, "passed": 0, "s": 0.0, "other": []})
        stats["n"] += 1
        stats["s"] += time.monotonic() - self.started if started else 0.0
        status = getattr(res, "status", "?")
        if status == "passed":
            stats["passed"] += 1
        else:
            stats["other"].append(status)
        self.remaining[chk.claim_id] -= 1
        if self.bar is not None:
            self.bar.update(_weight(chk))
        elif not self.quiet and self.remaining[chk.claim_id] == 0:
            other = f", {', '.join(sorted(set(stats['other'])))}" if stats["other"] else ""
            self._line(f"[{self.done}/{len(self.planned)}] {chk.claim_id}: {stats['passed']}/{stats['n']} checks "
                       f"passed{other}" + ("" if self.parallel else f" ({stats['s']:.1f} s)"))

    def close(self):
        self._stop.set()
        if self.bar is not None:
            self.bar.close()


# --------------------------------------------------------------------------- main
def _detach_stdout() -> None:
    """After stdout failed, point its descriptor at /dev/null so the interpreter's final
    flush cannot print a second error or change the exit status."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        os.close(devnull)
    except (OSError, ValueError, AttributeError):  # in-process (captured) or closed stdout: nothing to do
        pass


def _guard_closed_std_fds() -> None:
    """Started with stdout or stderr closed (``>&-``): Python sets ``sys.stdout`` to ``None``
    and the descriptor is free, so the next file opened (the report lock, a report file)
    would get it and anything written to descriptor 1 by C code would land in that file.
    Point the descriptor at /dev/null; ``sys.stdout`` stays ``None``, so the command's first
    output is a one-line error (exit 2)."""
    for fd, stream in ((1, sys.stdout), (2, sys.stderr)):
        if stream is not None:
            continue
        try:
            os.fstat(fd)
            continue  # open after all
        except OSError:
            pass
        with contextlib.suppress(OSError):
            null = os.open(os.devnull, os.O_WRONLY)
            if null != fd:
                os.dup2(null, fd)
                os.close(null)


def main(argv=None) -> int:
    """Entry point of ``wpgd-verify``; returns the exit status.

    Ctrl-C and SIGTERM end the command with status 130 and one line saying whether the new
    report was written (:mod:`wpgd_theory._interrupts`), also when the ``KeyboardInterrupt``
    was swallowed in a callback.  ``main()`` without arguments is the program itself (the
    console script, ``python -m wpgd_theory``): its signal handling then lasts until the
    process exits, so a signal during the interpreter's shutdown still gives 130.
    ``main([...])`` (in-process, e.g. tests) restores the previous handlers on return."""
    program = argv is None
    if program:
        _guard_closed_std_fds()
    with _interrupts.handling(program) as state:
        try:
            return _main(argv, state)
        except KeyboardInterrupt:  # in an error's own handling, say
            state.raising = False
            return _interrupted(state)


def _interrupted(state) -> int:
    if state.written is not None:
        msg = f"interrupted after the new report was written (complete, in {state.written})"
    elif state.command == "run":
        msg = "interrupted; no new report was written (the previous report, if any, is unchanged)"
    else:
        msg = "interrupted"
    _stderr_line(f"\n{PROG}: {msg}")
    state.said = True
    return EXIT_INTERRUPTED


def _main(argv, state) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    args = None
    try:
        args = build_parser().parse_args(argv)
        if args.command is None:
            raise UsageError(f"a command is required: run, solve, sweep, architectures or list (see {PROG} --help)")
        args.argv = argv
        args.report_written = None
        state.command = args.command
        with _python_warnings(quiet=getattr(args, "quiet", False)):
            code = int(args.handler(args))
        if sys.stdout is None:  # a command whose output went nowhere (stdout closed)
            raise _StdoutError("cannot write to standard output (it is closed)")
        try:
            sys.stdout.flush()
        except BrokenPipeError:
            raise
        except OSError as exc:
            raise _StdoutError(f"cannot write to standard output ({exc.strerror or exc})") from None
        _interrupts.check()  # a signal whose KeyboardInterrupt was swallowed in a callback
        return code
    except _StdoutError as exc:
        _detach_stdout()
        _err(str(exc))
        code = EXIT_USAGE
    except UsageError as exc:
        _err(str(exc))
        code = EXIT_USAGE
    except SystemExit as exc:  # --help / --version
        code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else EXIT_USAGE)
    except KeyboardInterrupt:
        state.raising = False  # first, before any call: a second Ctrl-C only adds to the record
        return _interrupted(state)
    except BrokenPipeError:  # e.g. `wpgd-verify list | head`
        _detach_stdout()
        code = EXIT_OK
    except RecursionError:
        _err("input nested too deeply to process")
        code = EXIT_USAGE
    except MemoryError:
        _err("out of memory (see --allow-large and the size limits in the docs: how-to/config)")
        code = EXIT_USAGE
    if state.received is not None:  # a Ctrl-C lost in a callback, then another way out
        state.raising = False
        return _interrupted(state)
    return code


if __name__ == "__main__":
    # ``python -m wpgd_theory.cli``: run the package's module, not this ``__main__`` copy, so that
    # the commands (wpgd_theory.commands, which import wpgd_theory.cli) share its exception classes
    from wpgd_theory.cli import main as _main_of_the_package

    sys.exit(_main_of_the_package())
