r"""Run the claim registry on Dask: a local cluster of processes, or an existing scheduler.

The unit of work is a *task*: one check, except that the training checks of one claim
(``kind == "training"``, e.g. T1's "reach the cone optima" and "ordering") form one task,
because they share their trained models.  Inside a task, long loops are split further with
:meth:`~wpgd_theory.claims.core.CheckContext.map` (T1 trains each class, ``n`` and
restart as a task of its own): on a Dask worker that map submits sub-tasks to the same
cluster (``distributed.worker_client``); in-process it is a plain loop.

Every check is seeded by ``(seed, salt)`` (:meth:`CheckContext.rng`) and runs in a fresh
context on its worker, so the report is the same for any number of workers: the same
checks, statuses, measured values and order.  What crosses process boundaries is data
only: the models, the :class:`~wpgd_theory.claims.core.CheckResult`\ s, the artifacts
(JSON-like) and figures rendered to PNG, SVG and PDF bytes on the worker — never matplotlib
objects.

A task whose worker dies is re-run by Dask (the scheduler's ``allowed-failures``); the
worker logs an event at the start of every attempt, and a check whose task ran more than
once records ``details["attempts"]`` and says so in its message; a sub-task of its
(``CheckContext.map``) that ran more than once is recorded in
``details["sub_task_attempts"]`` (``{index: attempts}``), also said in the message.

With ``device="cuda"`` on a cluster with GPU workers (``dask worker ADDRESS --resources
GPU=1``), the torch checks and the training runs that training tasks map (T1's runs, T2's
depths) request the worker resource ``GPU``, so a mixed cluster runs numeric checks on CPU
workers and torch work on GPU workers.  A training task itself only maps and compares (it
does not hold a GPU while it waits), and its runs come back as CPU data.

Entry point: :func:`run` (same outcomes as :func:`wpgd_theory.claims.run`); the command
line is ``wpgd-verify run --workers N`` or ``--scheduler ADDRESS``.

Every Dask fault ends in a stated time as a one-line :class:`ParallelError` (the command
line's exit status 2; the report is not written, a previous one stays), never as a hang or a
traceback.  The bounds are module constants (a test or a program may lower or raise them):

- :data:`CONNECT_TIMEOUT_S` (30 s): reaching a scheduler given by address.  What answers
  there is asked who it is (Dask's ``identity``) first, so a listener that never answers
  fails after about ``1.2 × CONNECT_TIMEOUT_S``, a closed port after ``CONNECT_TIMEOUT_S``
  (Dask retries a refused connection until then), and a peer that is not a Dask scheduler
  (a web server, a Dask worker) at once, said as such.  A scheduler that stops answering
  mid-run is given up after ``CONNECT_TIMEOUT_S``.
- :data:`LOCAL_START_TIMEOUT_S` (120 s): starting each worker process of a local cluster.
- :data:`NO_WORKERS_TIMEOUT_S` (120 s): how long work waits while the cluster has no
  worker that can run it (all died, or none was ever started; with GPU routing, no GPU
  worker).  A worker that vanishes without closing its connection counts as alive until
  the scheduler removes it (Dask's ``distributed.scheduler.worker-ttl``, 5 min by default).
- the scheduler's loss (its process killed, its connection closed) ends the wait at once;
  a task whose workers all died ``allowed-failures`` times (Dask's ``KilledWorker``) too.
- :data:`CLOSE_TIMEOUT_S` (10 s): closing the client and a local cluster.

Before anything starts, ``scheduler`` must be a Dask address (``tcp://host:port``, also
``tls://``, ``ws://``, ``wss://``, ``ucx://``, ``inproc://``) and a local cluster's
``workers`` at most :func:`max_local_workers` (from the open-file limit and the memory of
the machine): either error is a :class:`ParallelInputError`, which is a ``ValueError``
naming the argument.
"""

from __future__ import annotations

import contextlib
import dataclasses
import functools
import logging
import threading
import time
import warnings
from collections import OrderedDict

from .claims import runner
from .claims.core import CheckContext

__all__ = ["run", "map_tasks", "plan_tasks", "ParallelError", "ParallelInputError", "EVENT_TOPIC", "connect",
           "completed", "closing", "check_arguments", "max_local_workers", "CONNECT_TIMEOUT_S", "NO_WORKERS_TIMEOUT_S",
           "LOCAL_START_TIMEOUT_S", "CLOSE_TIMEOUT_S"]

#: The event topic under which workers log each attempt of a task.
EVENT_TOPIC = "wpgd-task-attempt"

#: The allocator setting that Dask's nanny puts into its workers' environment by default.
MALLOC_TRIM = "MALLOC_TRIM_THRESHOLD_"


#: Seconds to reach a Dask scheduler given by address (see the module's docstring).
CONNECT_TIMEOUT_S = 30.0
#: Seconds that work waits while the cluster has no worker able to run it.
NO_WORKERS_TIMEOUT_S = 120.0
#: Seconds that each worker process of a local cluster may take to start.
LOCAL_START_TIMEOUT_S = 120.0
#: Seconds that closing the client, and then a local cluster, may take.
CLOSE_TIMEOUT_S = 10.0
#: Seconds between two looks at the cluster while no task finishes.
POLL_S = 1.0
#: Open files that a local cluster holds per worker in the client's process (its scheduler
#: and nanny live there): about 10 measured at rest; connections opened by tasks that map
#: sub-tasks (``worker_client``) and data transfers take more.
FILES_PER_WORKER = 16
#: Open files kept for everything else in the client's process (the scheduler's listeners,
#: Python's and the libraries' own files, the report).
RESERVED_FILES = 256
#: Memory of one local worker process once it has run torch checks (about 0.78 GiB measured).
WORKER_MEMORY_BYTES = 768 * 2**20


class ParallelError(RuntimeError):
    """The cluster cannot be reached or cannot run the work: one line.

    ``option`` is the argument the message is about (``"scheduler"``, ``"workers"``) or
    ``None``; the message then starts with ``"OPTION: "`` and :meth:`command_line` names
    the command line's ``--OPTION`` instead.

    Parameters
    ----------
    message : str
        What went wrong (made one line).
    option : str, optional
        The argument it is about (``"scheduler"``, ``"workers"``).

    Examples
    --------
    >>> err = ParallelError("no scheduler answers", option="scheduler")
    >>> str(err), err.command_line()
    ('scheduler: no scheduler answers', '--scheduler: no scheduler answers')
    """

    def __init__(self, message: str, option: str | None = None):
        message = " ".join(str(message).split())  # one line
        super().__init__(f"{option}: {message}" if option else message)
        self.option = option

    def command_line(self) -> str:
        """The message as ``wpgd-verify`` prints it (``--scheduler: ...``, ``--workers: ...``)."""
        return f"--{self}" if self.option else str(self)


class ParallelInputError(ParallelError, ValueError):
    """A bad ``workers`` or ``scheduler``, found before anything starts (also a ValueError).

    Parameters
    ----------
    message : str
        What is wrong with the argument.
    option : str, optional
        The argument (``"scheduler"``, ``"workers"``).

    Examples
    --------
    >>> try:
    ...     check_arguments(workers=0)
    ... except ParallelInputError as err:
    ...     print(err.command_line(), isinstance(err, ValueError))
    --workers: must be an integer >= 1, got 0 True
    """


def _one_line(exc: BaseException, limit: int = 300) -> str:
    text = " ".join(str(exc).split())
    text = f"{type(exc).__name__}: {text}" if text else type(exc).__name__
    return text if len(text) <= limit else text[:limit - 3] + "..."


def _open_file_limit() -> int:
    try:
        import resource
    except ImportError:  # pragma: no cover - not POSIX
        return 1 << 20
    soft, _hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    return soft if soft != resource.RLIM_INFINITY else 1 << 20


def _total_memory() -> int:
    import psutil  # a dependency of distributed

    return int(psutil.virtual_memory().total)


def _limits() -> tuple[int, str]:
    files, memory = _open_file_limit(), _total_memory()
    by_files = max(0, (files - RESERVED_FILES) // FILES_PER_WORKER)
    by_memory = max(1, memory // WORKER_MEMORY_BYTES)
    why = (f"each worker needs about {FILES_PER_WORKER} open files of the {files} allowed (ulimit -n; "
           f"{RESERVED_FILES} kept for the rest) and about {WORKER_MEMORY_BYTES / 2**30:.2f} GiB of the machine's "
           f"{memory / 2**30:.1f} GiB of memory")
    return min(by_files, by_memory), why


def max_local_workers() -> int:
    """The most worker processes a local cluster may have on this machine: the open-file
    limit (``ulimit -n``, less :data:`RESERVED_FILES`) over :data:`FILES_PER_WORKER`, and
    the machine's memory over :data:`WORKER_MEMORY_BYTES`, whichever is smaller.

    Returns
    -------
    int
        The largest ``workers`` a local cluster accepts (at least 1).

    Examples
    --------
    >>> max_local_workers() >= 1
    True
    """
    return _limits()[0]


def _check_workers(workers, local: bool) -> int:
    if isinstance(workers, bool) or not isinstance(workers, int) or workers < 1:
        raise ParallelInputError(f"must be an integer >= 1, got {workers!r}", "workers")
    if local:
        most, why = _limits()
        if workers > most:
            raise ParallelInputError(
                f"{workers} local worker processes are more than this machine can hold: at most {most} ({why}); "
                "for more, start a cluster and pass its scheduler's address", "workers")
    return workers


def check_arguments(workers: int = 1, scheduler: str | None = None) -> str | None:
    """Check ``workers`` and ``scheduler`` as :func:`connect` and :func:`run` take them,
    before anything starts; returns ``scheduler`` as an address (stripped) or ``None``.

    Raises :class:`ParallelInputError` (a ``ValueError`` naming the argument) for a
    ``workers`` that is not an integer >= 1, a malformed ``scheduler``, or, without a
    scheduler, more ``workers`` than :func:`max_local_workers`.

    Parameters
    ----------
    workers : int, optional
        Local worker processes.
    scheduler : str, optional
        A Dask scheduler's address (``tcp://host:port``).

    Returns
    -------
    str or None
        The address, stripped, or None.

    Raises
    ------
    ParallelInputError
        For a bad ``workers`` or ``scheduler``.
    TypeError
        If ``scheduler`` is not a string.

    Examples
    --------
    >>> check_arguments(2), check_arguments(1, " tcp://127.0.0.1:8786 ")
    (None, 'tcp://127.0.0.1:8786')
    """
    # with a scheduler, its workers run the work; workers == 1 without one runs in-process
    _check_workers(workers, local=scheduler is None and workers != 1)
    return None if scheduler is None else _check_scheduler(scheduler)


#: Address schemes whose location is ``host:port``.
_HOST_PORT_SCHEMES = ("tcp", "tls", "ws", "wss", "ucx")


def _check_scheduler(scheduler) -> str:
    """``scheduler`` as a Dask address, or a :class:`ParallelInputError` naming it."""
    if not isinstance(scheduler, str):
        raise TypeError(f"scheduler must be an address (a str) such as 'tcp://host:8786', got {scheduler!r}")
    addr = scheduler.strip()
    expected = "expected e.g. 'tcp://host:8786'"
    if not addr:
        raise ParallelInputError(f"{scheduler!r} is not an address; {expected}", "scheduler")
    if any(ch.isspace() or not ch.isprintable() for ch in addr):
        raise ParallelInputError(f"{scheduler!r} is not an address (it contains white space or control "
                                 f"characters); {expected}", "scheduler")
    from distributed.comm.addressing import parse_address, parse_host_port
    from distributed.comm.registry import backends

    try:
        scheme, loc = parse_address(addr)
    except ValueError as exc:
        raise ParallelInputError(f"{scheduler!r} is not an address ({exc}); {expected}", "scheduler") from None
    if scheme not in backends:
        raise ParallelInputError(f"{scheduler!r} is not a Dask address: unknown protocol {scheme!r} (known: "
                                 f"{', '.join(sorted(backends))}); {expected}", "scheduler")
    if scheme in _HOST_PORT_SCHEMES:
        try:
            host, port = parse_host_port(loc)
        except (ValueError, TypeError):
            host, port = None, None
        if not host or not isinstance(port, int) or not 1 <= port <= 65535:
            raise ParallelInputError(f"{scheduler!r} is not an address (a host and a port from 1 to 65535 are "
                                     f"needed after '{scheme}://'); {expected}", "scheduler")
    elif not loc:
        raise ParallelInputError(f"{scheduler!r} is not an address (nothing after '{scheme}://'); {expected}",
                                 "scheduler")
    return addr


def plan_tasks(claim_ids=None, suite: str = "default") -> list:
    """The tasks of a run, in registry order: a list of tuples of check keys.

    Each check is a task of its own, except the training checks of one claim, which form
    one task (they share trained models through the context).

    Parameters
    ----------
    claim_ids : list of str, optional
        The claims (default: all).
    suite : str, optional
        The suite.

    Returns
    -------
    list of tuple of str
        The tasks, each a tuple of check keys ``"CLAIM:name"``.

    Examples
    --------
    >>> tasks = plan_tasks(["W2"], "quick")
    >>> len(tasks) > 1, all(key.startswith("W2:") for task in tasks for key in task)
    (True, True)
    """
    tasks, training = [], OrderedDict()
    for chk in runner.planned_checks(claim_ids, suite):
        if chk.kind == "training":
            if chk.claim_id not in training:
                training[chk.claim_id] = []
                tasks.append(training[chk.claim_id])
            training[chk.claim_id].append(chk.key)
        else:
            tasks.append([chk.key])
    return [tuple(t) for t in tasks]


def _checks_by_key() -> dict:
    return {chk.key: chk for claim in runner.registry() for chk in claim.checks}


def _render_figures(figures: dict) -> dict:
    """Figures as data: ``{"png", "svg", "pdf"}`` bytes, rendered exactly as the report
    renders them in-process (a figure that is already PNG bytes stays as it is)."""
    if not figures:
        return {}
    import matplotlib

    from .report.figures import STYLE, figure_to_png, figure_to_vector

    out = {}
    with matplotlib.rc_context(STYLE):
        for name, fig in figures.items():
            if isinstance(fig, (bytes, bytearray)):
                out[name] = bytes(fig)
                continue
            out[name] = {"png": figure_to_png(fig), "svg": figure_to_vector(fig, "svg"),
                         "pdf": figure_to_vector(fig, "pdf")}
    return out


#: Dask priority of the training tasks (T1, T2): they start first, so that their long
#: sub-tasks do too, and the short checks fill the workers at the end.
TRAINING_PRIORITY = 2**30


def _dask_map(func, items, costs=None, resources=None, task_id=None):
    """``[func(x) for x in items]`` as sub-tasks on the cluster this task runs on, each
    with Dask priority ``1 + cost`` (above every check task but the training ones; the
    costliest first, across all mapping tasks) and requesting the worker ``resources`` of
    the task that maps them (a training run needs the GPU worker).  Each sub-task logs
    its attempts as ``task_id/j``."""
    items = list(items)
    if len(items) <= 1 and not resources:
        return [func(x) for x in items]
    from distributed import worker_client

    costs = [0.0] * len(items) if costs is None else list(costs)
    kw = {"resources": resources} if resources else {}
    with worker_client() as client:
        futures = [client.submit(_sub_task, func, x, f"{task_id}/{j}", pure=False, priority=1 + c, **kw)
                   for j, (x, c) in enumerate(zip(items, costs))]
        return client.gather(futures)


def _sub_task(func, item, sub_id):
    _log_attempt(sub_id)
    return func(item)


def _log_attempt(task_id):
    """Log the start of an attempt of ``task_id`` (and the Dask key that runs it)."""
    from distributed import get_worker

    worker = get_worker()
    worker.log_event(EVENT_TOPIC, {"task": task_id, "key": str(worker.get_current_task())})


#: Hypothesis warns when the global ``random`` state changes while it draws an example; on
#: a Dask worker the worker's own event-loop thread draws from ``random`` meanwhile (our
#: strategies do not use it: in-process runs never warn), so on workers the warning is noise.
_DASK_RANDOM_WARNING = "Do not use the `random` module inside strategies"


def _run_task(keys, suite, seed, device, models, task_id, resources=None):
    """Run the checks ``keys`` in a fresh context (on a worker); returns plain data."""
    try:
        _log_attempt(task_id)
        warnings.filterwarnings("ignore", message=_DASK_RANDOM_WARNING)  # idempotent
        mapper = functools.partial(_dask_map, resources=resources, task_id=task_id)
    except (ImportError, ValueError):  # not on a worker (tests call it directly)
        mapper = None
    checks = _checks_by_key()
    ctx = CheckContext(suite=suite, seed=seed, device=device, models=dict(models))
    if mapper is not None:
        ctx.mapper = mapper
    out = []
    for key in keys:
        before_fig = dict(ctx.figures)
        before_art = {k: id(v) for k, v in ctx.artifacts.items()}
        res, secs = runner.run_check(checks[key], ctx)
        figs = {k: v for k, v in ctx.figures.items() if before_fig.get(k) is not v}
        arts = {k: v for k, v in ctx.artifacts.items() if before_art.get(k) != id(v)}
        out.append((key, res, secs, _render_figures(figs), arts))
    return out


def connect(workers: int = 1, scheduler: str | None = None):
    """A ``distributed.Client``: to ``scheduler`` if given, else to a new local cluster of
    ``workers`` single-threaded processes.

    Bounded: a scheduler is reached within :data:`CONNECT_TIMEOUT_S` (what answers at the
    address is asked who it is first: a listener that never answers fails after about
    ``1.2 × CONNECT_TIMEOUT_S``, a peer that is not a Dask scheduler at once); each worker
    process of a local cluster starts within :data:`LOCAL_START_TIMEOUT_S`.  Raises
    :class:`ParallelInputError` (a ``ValueError``) for a malformed ``scheduler`` or more
    ``workers`` than :func:`max_local_workers`, before anything starts, and
    :class:`ParallelError` if the cluster cannot be reached or started.

    Parameters
    ----------
    workers : int, optional
        Local worker processes (when no ``scheduler`` is given).
    scheduler : str, optional
        A Dask scheduler's address.

    Returns
    -------
    distributed.Client
        A connected client (close it with :func:`closing`).

    Raises
    ------
    ParallelInputError
        For a bad ``workers`` or ``scheduler``, before anything starts.
    ParallelError
        If the cluster cannot be reached or started in time.

    Examples
    --------
    >>> try:
    ...     connect(workers=0)
    ... except ParallelInputError as err:
    ...     print(err)
    workers: must be an integer >= 1, got 0
    """
    if scheduler is not None:
        scheduler = _check_scheduler(scheduler)
    else:
        _check_workers(workers, local=True)  # a local cluster of one worker is one too
    try:
        from distributed import Client, LocalCluster
    except ImportError as exc:  # pragma: no cover - distributed is a dependency
        raise ParallelError(f"Dask's distributed package is needed for parallel runs ({exc})") from None
    if scheduler is not None:
        _probe(scheduler)
        try:
            return Client(scheduler, timeout=f"{CONNECT_TIMEOUT_S}s")
        except (OSError, TimeoutError) as exc:
            raise ParallelError(f"cannot connect to {scheduler!r} within {CONNECT_TIMEOUT_S:g} s "
                                f"({_one_line(exc)})", "scheduler") from None
        except Exception as exc:  # noqa: BLE001 - answered identity, then failed Dask's handshake
            raise ParallelError(f"{scheduler!r} is not a Dask scheduler ({_one_line(exc)})", "scheduler") from None
    import multiprocessing

    import dask

    # Dask's nanny sets MALLOC_TRIM_THRESHOLD_=65536 in its workers, which also switches off
    # glibc's adaptive mmap threshold: every array over 128 KiB is then mapped and unmapped
    # afresh, and training spent as much time in the kernel as in user code.  Our workers
    # keep glibc's defaults (benchmarks/parallel.py measures the difference).
    before = set(multiprocessing.active_children())
    try:
        with _held_logs() as held:
            with dask.config.set({f"distributed.nanny.pre-spawn-environ.{MALLOC_TRIM}": None}):
                # the scheduler's HTTP server on a free port (None would still take 8787 and
                # warn when another cluster holds it); death_timeout bounds each worker's start
                cluster = LocalCluster(n_workers=workers, threads_per_worker=1, processes=True, host="127.0.0.1",
                                       dashboard_address=":0", death_timeout=LOCAL_START_TIMEOUT_S)
            held.keep()  # started: what Dask logged meanwhile is shown after all
    except Exception as exc:  # noqa: BLE001 - e.g. a worker that does not start in time, no file descriptors
        _end_processes(set(multiprocessing.active_children()) - before)  # workers whose nanny gave up
        cause = _root_cause(exc)
        why = ("a worker did not start in time" if isinstance(cause, TimeoutError) and not str(cause).strip()
               else _one_line(cause))
        raise ParallelError(f"cannot start a local Dask cluster of {workers} worker{'s' if workers > 1 else ''} "
                            f"(each within {LOCAL_START_TIMEOUT_S:g} s): {why}") from None
    try:
        return Client(cluster, timeout=f"{CONNECT_TIMEOUT_S}s")
    except Exception as exc:  # noqa: BLE001
        _close_quietly(None, cluster)
        raise ParallelError(f"cannot connect to the local Dask cluster ({_one_line(exc)})") from None


def _end_processes(procs) -> None:
    for proc in procs:
        proc.terminate()
    for proc in procs:
        proc.join(CLOSE_TIMEOUT_S)
        if proc.is_alive():
            proc.kill()
            proc.join(CLOSE_TIMEOUT_S)


def _root_cause(exc: BaseException) -> BaseException:
    """The informative exception of a chain: a timeout or an OS error (too many open
    files) if there is one, else ``exc``."""
    chain, seen = [], set()
    while exc is not None and id(exc) not in seen:
        seen.add(id(exc))
        chain.append(exc)
        exc = exc.__cause__ or exc.__context__
    for kind in (TimeoutError, OSError):
        found = sorted((e for e in chain if isinstance(e, kind)), key=lambda e: not str(e).strip())
        if found:
            return found[0]
    return chain[0]


class _HeldLogs(logging.Filter):
    """Holds Dask's log records back; :meth:`keep` marks them to be shown after all."""

    def __init__(self):
        super().__init__()
        self.records, self.kept = {}, False

    def filter(self, record) -> bool:
        if record.name.startswith("distributed"):
            self.records[id(record)] = record  # once, though several handlers see it
            return False
        return True

    def keep(self) -> None:
        self.kept = True


@contextlib.contextmanager
def _held_logs():
    """Dask's log of a failed start (tracebacks) is dropped: the one-line error says what
    failed; after a successful start, the records are logged as they would have been."""
    held = _HeldLogs()
    handlers = [h for lg in (logging.getLogger("distributed"), logging.getLogger()) for h in lg.handlers]
    for h in handlers:
        h.addFilter(held)
    try:
        yield held
    finally:
        for h in handlers:
            h.removeFilter(held)
        if held.kept:
            for record in held.records.values():
                logging.getLogger(record.name).handle(record)


def _probe(address: str) -> None:
    """Ask what answers at ``address`` who it is (Dask's ``identity``), within about
    ``1.2 × CONNECT_TIMEOUT_S``; a :class:`ParallelError` unless it is a Dask scheduler.

    Dask's own connect bounds the connection but not its handshake (a listener that never
    answers would hold the client forever), and reads a peer's garbage as a frame length
    (a web server's answer becomes a request for exabytes: "out of memory")."""
    if address.startswith("inproc://"):
        return  # in this process: no socket to hang on
    import asyncio

    from distributed.comm import connect as dask_connect
    from distributed.comm.core import CommClosedError
    from distributed.security import Security

    timeout = CONNECT_TIMEOUT_S
    box: dict = {}

    async def ask():
        comm = await dask_connect(address, timeout=timeout, **Security().get_connection_args("client"))
        box["connected"] = True
        try:
            await comm.write({"op": "identity", "reply": True})
            return await comm.read()
        finally:
            comm.abort()

    async def bounded():
        task = asyncio.ensure_future(ask())
        done, _ = await asyncio.wait({task}, timeout=1.2 * timeout + 1.0)
        if not done:  # connected (or connecting), and no complete answer in time
            task.cancel()
            with contextlib.suppress(BaseException):
                await task
            box["silent"] = True
            return None
        return task.result()

    def target():
        try:
            box["reply"] = asyncio.run(bounded())
        except BaseException as exc:  # noqa: BLE001 - classified below
            box["exc"] = exc

    th = threading.Thread(target=target, name="wpgd-dask-probe", daemon=True)
    th.start()
    th.join(1.5 * timeout + 5.0)  # the probe's loop is bounded itself; this is a last guard
    exc, reply = box.get("exc"), box.get("reply")
    silent = (f"{address!r} accepted the connection but gave no answer within {timeout:g} s (not a Dask "
              "scheduler, or a hung one)")
    if th.is_alive() or box.get("silent"):
        raise ParallelError(silent, "scheduler")
    if exc is not None:
        if isinstance(exc, CommClosedError):
            raise ParallelError(f"{address!r} is not a Dask scheduler (it closed the connection during Dask's "
                                f"handshake: {_one_line(exc)})", "scheduler")
        if isinstance(exc, OSError):
            raise ParallelError(f"cannot connect to {address!r} within {timeout:g} s ({_one_line(exc)})",
                                "scheduler")
        if isinstance(exc, (KeyboardInterrupt, SystemExit)):
            raise exc
        raise ParallelError(f"{address!r} is not a Dask scheduler (its answer is not Dask's protocol: "
                            f"{_one_line(exc, 120)})", "scheduler")
    kind = reply.get("type") if isinstance(reply, dict) else None
    if kind != "Scheduler":
        what = f"it is a Dask {kind}" if isinstance(kind, str) else f"it answered {_one_line(reply, 80)}"
        raise ParallelError(f"{address!r} is not a Dask scheduler ({what})", "scheduler")


def map_tasks(func, items, *, workers: int = 1, scheduler: str | None = None) -> list:
    """``[func(x) for x in items]``, in-process (``workers == 1``, no scheduler) or as one
    Dask task per item on a local cluster or ``scheduler``; results in the order of
    ``items``.  ``func`` and the items must be picklable (cloudpickle: a function of a
    script's ``__main__`` works).  On Dask, bounded as :func:`connect` and :func:`completed`.

    Parameters
    ----------
    func : callable
        A picklable function of one item.
    items : iterable
        The items (picklable).
    workers : int, optional
        Local worker processes (1: in-process).
    scheduler : str, optional
        A Dask scheduler's address.

    Returns
    -------
    list
        ``[func(x) for x in items]``.

    Raises
    ------
    ParallelInputError
        For a bad ``workers`` or ``scheduler``.
    ParallelError
        If the cluster cannot be reached or loses its workers.

    Examples
    --------
    >>> map_tasks(abs, [-1, 2, -3])
    [1, 2, 3]
    """
    items = list(items)
    scheduler = check_arguments(workers, scheduler)
    if workers == 1 and scheduler is None:
        return [func(x) for x in items]
    client = connect(workers, scheduler)
    with closing(client, own_cluster=scheduler is None):
        futures = client.map(func, items, pure=False)
        results = dict(completed(client, futures, scheduler=scheduler))
        return [results[f] for f in futures]


def _where(client, scheduler) -> tuple[str, str | None]:
    """How a message names the cluster, and the argument it is about."""
    if scheduler is not None:
        return f"the Dask scheduler at {scheduler!r}", "scheduler"
    if getattr(client, "cluster", None) is not None:
        return "the local Dask cluster", None
    address = getattr(getattr(client, "scheduler", None), "address", None)
    return f"the Dask scheduler at {address!r}", None


class _Watch:
    """Whether the cluster can still run the work; raises :class:`ParallelError` if not."""

    def __init__(self, client, scheduler=None):
        self.client = client
        self.where, self.option = _where(client, scheduler)
        self.no_workers_since = None

    def lost(self, detail: str = "") -> ParallelError:
        detail = f": {detail}" if detail else ""
        return ParallelError(f"lost the connection to {self.where} before the work was done (the scheduler "
                             f"stopped, or the network failed{detail}); no results", self.option)

    def identity(self) -> dict:
        """The scheduler's ``identity`` (its workers), within :data:`CONNECT_TIMEOUT_S`."""
        if self.client.status != "running":
            raise self.lost()
        try:
            return self.client.sync(self.client.scheduler.identity, callback_timeout=CONNECT_TIMEOUT_S)
        except TimeoutError:
            raise ParallelError(f"{self.where} did not answer within {CONNECT_TIMEOUT_S:g} s; the work was "
                                "stopped", self.option) from None
        except (OSError, RuntimeError) as exc:  # connection closed, client closing
            raise self.lost(_one_line(exc, 120)) from None

    def check(self, need_gpu: bool = False) -> None:
        """Raise when the cluster has had no worker able to run the work (a GPU worker if
        ``need_gpu``) for :data:`NO_WORKERS_TIMEOUT_S`, or the scheduler is gone."""
        workers = [w for w in (self.identity().get("workers") or {}).values()
                   if w.get("status", "running") in ("running", "paused", "init")]
        if need_gpu:
            workers = [w for w in workers if (w.get("resources") or {}).get("GPU")]
        now = time.monotonic()
        if workers:
            self.no_workers_since = None
        elif self.no_workers_since is None:
            self.no_workers_since = now
        elif now - self.no_workers_since >= NO_WORKERS_TIMEOUT_S:
            what = "no workers with the GPU resource" if need_gpu else "no workers"
            raise ParallelError(f"{self.where} has had {what} for {NO_WORKERS_TIMEOUT_S:g} s (they died, or none "
                                "was started); the work was stopped", self.option)


def completed(client, futures, *, scheduler: str | None = None, gpu=()):
    """Yield ``(future, result)`` for Dask ``futures`` as they finish, within stated bounds.

    While no future finishes, the cluster is looked at every :data:`POLL_S` seconds: when it
    has had no worker (no GPU worker, while a future of ``gpu`` is pending) for
    :data:`NO_WORKERS_TIMEOUT_S` seconds, when the scheduler is lost (its futures are then
    cancelled) or stops answering for :data:`CONNECT_TIMEOUT_S`, or when a task's workers
    died too often (Dask's ``KilledWorker``), a one-line :class:`ParallelError` is raised.
    An exception raised by a task itself is raised as it is.  ``scheduler`` (the address,
    if any) names the argument in messages.

    Parameters
    ----------
    client : distributed.Client
        The client the futures belong to.
    futures : list of distributed.Future
        The submitted tasks.
    scheduler : str, optional
        The scheduler's address, named in messages.
    gpu : collection of distributed.Future, optional
        The futures that need a GPU worker.

    Yields
    ------
    tuple
        ``(future, result)`` in completion order.

    Raises
    ------
    ParallelError
        If the cluster has no worker for too long, the scheduler is lost or stops
        answering, or a task's workers keep dying.

    Examples
    --------
    >>> from distributed import Client
    >>> client = Client(processes=False, n_workers=1, threads_per_worker=1, dashboard_address=None)
    >>> with closing(client, own_cluster=True):
    ...     results = sorted(result for _, result in completed(client, client.map(abs, [-1, -2])))
    >>> results
    [1, 2]
    """
    import asyncio
    import concurrent.futures

    from distributed import wait

    watch = _Watch(client, scheduler)
    pending, gpu = set(futures), set(gpu)
    while pending:
        try:
            done, pending = wait(pending, timeout=POLL_S, return_when="FIRST_COMPLETED")
        except TimeoutError:
            watch.check(need_gpu=bool(gpu & pending))
            continue
        except (asyncio.CancelledError, concurrent.futures.CancelledError):  # Dask cancelled some of them
            done = [f for f in pending if f.cancelled()] or list(pending)
        for fut in done:
            yield fut, _result(fut, watch)


def _result(fut, watch):
    if fut.status == "finished":
        return fut.result()
    if fut.status == "cancelled" or fut.cancelled():
        if watch.client.status != "running":
            raise watch.lost()
        raise ParallelError(f"a task was cancelled on {watch.where} (by another client, or a restart); the work "
                            "was stopped", watch.option)
    exc = fut.exception()
    if type(exc).__name__ == "KilledWorker":
        raise ParallelError(f"{watch.where}: the workers running a task all died, one after another, until Dask "
                            f"gave up on it (KilledWorker: {_one_line(exc, 160)}); out of memory, or killed? The "
                            "work was stopped", watch.option) from None
    return fut.result()  # the task's own exception


@contextlib.contextmanager
def closing(client, own_cluster: bool):
    """Close ``client`` (and its local cluster) afterwards, each within
    :data:`CLOSE_TIMEOUT_S`; after a fault, quietly (the fault is what is reported), and
    without Dask's log of a lost connection (one line on stderr: the fault's).

    Parameters
    ----------
    client : distributed.Client
        The client.
    own_cluster : bool
        Also close the client's local cluster (one :func:`connect` started).

    Yields
    ------
    distributed.Client
        ``client``.

    Examples
    --------
    >>> from distributed import Client
    >>> client = Client(processes=False, n_workers=1, threads_per_worker=1, dashboard_address=None)
    >>> with closing(client, own_cluster=True):
    ...     total = client.submit(sum, [1, 2, 3]).result()
    >>> total, client.status
    (6, 'closed')
    """
    with _quiet_after_loss(client):
        try:
            yield client
        except BaseException:
            _close_quietly(client, getattr(client, "cluster", None) if own_cluster else None)
            raise
        _close(client, own_cluster)


def _close(client, own_cluster: bool):
    cluster = getattr(client, "cluster", None)
    client.close(timeout=CLOSE_TIMEOUT_S)
    if own_cluster and cluster is not None:
        cluster.close(timeout=CLOSE_TIMEOUT_S)


def _close_quietly(client, cluster) -> None:
    for thing in (client, cluster):
        if thing is not None:
            with contextlib.suppress(Exception):
                thing.close(timeout=CLOSE_TIMEOUT_S)


class _LostConnectionFilter(logging.Filter):
    """Drops Dask's log records while ``client`` is not running (it lost its scheduler:
    the one line of the :class:`ParallelError` says so instead of a logged traceback)."""

    def __init__(self, client):
        super().__init__()
        self.client = client

    def filter(self, record) -> bool:
        return not (record.name.startswith("distributed") and getattr(self.client, "status", "running") != "running")


@contextlib.contextmanager
def _quiet_after_loss(client):
    filt = _LostConnectionFilter(client)
    loggers = [logging.getLogger("distributed"), logging.getLogger()]
    handlers = [h for lg in loggers for h in lg.handlers]
    for h in handlers:
        h.addFilter(filt)
    try:
        yield
    finally:
        for h in handlers:
            h.removeFilter(filt)


def run(claim_ids=None, suite: str = "default", *, context: CheckContext | None = None, workers: int = 1,
        scheduler: str | None = None, client=None, progress=None, on_start=None):
    """Run the checks of ``claim_ids`` in ``suite`` on ``workers`` local processes, on the
    Dask scheduler at ``scheduler``, or on an existing ``client``.

    Returns the same list of :class:`~wpgd_theory.claims.runner.ClaimOutcome` as
    :func:`wpgd_theory.claims.run`.  ``workers == 1`` without a scheduler or client runs
    in-process with no Dask start-up cost.  ``progress(check, result)`` is called as each
    check's task finishes (in completion order, counted across workers); ``on_start`` is
    only called in-process.

    Parameters
    ----------
    claim_ids : list of str, optional
        The claims (default: all).
    suite : str, optional
        ``"quick"``, ``"default"`` or ``"thorough"``.
    context : CheckContext, optional
        The models, seed and device (default: a fresh one for ``suite``).
    workers : int, optional
        Local worker processes (1: in-process).
    scheduler : str, optional
        A Dask scheduler's address.
    client : distributed.Client, optional
        An existing client to run on.
    progress : callable, optional
        ``progress(check, result)`` as each check finishes.
    on_start : callable, optional
        Called before each check, in-process only.

    Returns
    -------
    list of ClaimOutcome
        One outcome per claim, in registry order.

    Raises
    ------
    ValueError
        For an unknown ``suite`` (a bad ``workers`` or ``scheduler`` is a :class:`ParallelInputError`).
    ParallelError
        If the cluster cannot be reached or loses its workers.

    Examples
    --------
    >>> [outcome.status for outcome in run(["W2"], "quick")]
    ['verified']
    """
    scheduler = check_arguments(workers, scheduler if client is None else None)
    ctx = context or CheckContext(suite=suite)
    if workers == 1 and scheduler is None and client is None:
        return runner.run(claim_ids, suite, context=ctx, progress=progress, on_start=on_start)
    if suite not in runner.SUITES:
        raise ValueError(f"suite must be one of {runner.SUITES}, got {suite!r}")
    ids = runner._validate_ids(claim_ids)
    runner._check_context(context, suite)
    tasks = plan_tasks(ids, suite)
    if client is not None:  # the caller's: not closed here
        with _quiet_after_loss(client):
            results = _submit_and_gather(client, tasks, ctx, progress, None)
            attempts = _attempts(client, None)
        return _assemble(ids, suite, ctx, tasks, results, attempts)
    client = connect(workers, scheduler)
    with closing(client, own_cluster=scheduler is None):
        results = _submit_and_gather(client, tasks, ctx, progress, scheduler)
        attempts = _attempts(client, scheduler)
    return _assemble(ids, suite, ctx, tasks, results, attempts)


def _submit_and_gather(client, tasks, ctx, progress, scheduler):
    checks = _checks_by_key()
    gpu = _gpu_routing(ctx, client)
    models = dict(ctx.models)
    futures, needs_gpu = {}, []
    for i, keys in enumerate(tasks):
        task_id = f"{i:04d}:{keys[0]}"
        # torch checks run on a GPU worker; a training task only maps its training runs
        # (T1's runs, T2's depths) as sub-tasks, which request the GPU: were it to hold the
        # GPU itself while it waits for them, one GPU worker would deadlock
        kind = checks[keys[0]].kind
        resources = {"GPU": 1} if gpu and kind == "torch" else None
        sub_resources = {"GPU": 1} if gpu and kind == "training" else None
        fut = client.submit(_run_task, keys, ctx.suite, ctx.seed, ctx.device, models, task_id, sub_resources,
                            pure=False, key=f"wpgd-task-{i:04d}-{time.time_ns()}",
                            priority=TRAINING_PRIORITY if kind == "training" else 0,
                            **({"resources": resources} if resources else {}))
        futures[fut] = task_id
        if resources or sub_resources:  # it (or its sub-tasks) can only run on a GPU worker
            needs_gpu.append(fut)
    results = {}
    for fut, data in completed(client, list(futures), scheduler=scheduler, gpu=needs_gpu):
        task_id = futures[fut]
        results[task_id] = data
        if progress is not None:
            for key, res, _secs, _figs, _arts in data:
                progress(checks[key], res)
    return results


def _gpu_routing(ctx, client) -> bool:
    """Whether torch and training work requests the worker resource ``GPU``: with
    ``device="cuda"`` on a cluster that has GPU workers."""
    return ctx.device == "cuda" and _has_gpu_workers(client)


def _has_gpu_workers(client) -> bool:
    info = _Watch(client).identity()
    return any((w.get("resources") or {}).get("GPU") for w in (info.get("workers") or {}).values())


def _attempts(client, scheduler=None) -> dict:
    """How often each task and sub-task started (its workers' events), within
    :data:`CONNECT_TIMEOUT_S`: without them a re-run would go unreported, so a scheduler
    lost or silent here is an error too."""
    counts: dict = {}
    watch = _Watch(client, scheduler)
    if client.status != "running":
        raise watch.lost()
    try:
        events = client.sync(client.scheduler.events, topic=EVENT_TOPIC, callback_timeout=CONNECT_TIMEOUT_S)
    except TimeoutError:
        raise ParallelError(f"{watch.where} did not answer within {CONNECT_TIMEOUT_S:g} s (the tasks' attempts "
                            "were not read)", watch.option) from None
    except OSError as exc:
        raise watch.lost(_one_line(exc, 120)) from None
    except Exception:  # pragma: no cover - older schedulers
        return counts
    for _t, msg in events:
        task = msg.get("task") if isinstance(msg, dict) else None
        if task is not None:
            counts[task] = counts.get(task, 0) + 1
    return counts


def _assemble(ids, suite, ctx, tasks, results, attempts):
    checks = _checks_by_key()
    by_key = {}
    for i, keys in enumerate(tasks):
        task_id = f"{i:04d}:{keys[0]}"
        n = attempts.get(task_id, 1)
        # the sub-task's own id follows the task's (whose check name may itself contain "/")
        subs = {k[len(task_id) + 1:]: c for k, c in attempts.items() if k.startswith(task_id + "/") and c > 1}
        for key, res, secs, figs, arts in results[task_id]:
            if n > 1:
                res = dataclasses.replace(res, details=dict(res.details, attempts=n),
                                          message=(res.message + "; " if res.message else "")
                                          + f"re-run after its worker died ({n} attempts)")
            if subs:
                res = dataclasses.replace(res, details=dict(res.details, sub_task_attempts=subs),
                                          message=(res.message + "; " if res.message else "")
                                          + f"{len(subs)} of its sub-tasks re-run after their worker died")
            by_key[key] = (res, secs, figs, arts)
    outcomes = []
    for claim in runner.registry():
        if claim.id not in ids:
            continue
        out = runner.ClaimOutcome(claim, suite=suite)
        for chk in claim.checks:
            if suite not in chk.suites:
                continue
            res, secs, figs, arts = by_key[chk.key]
            out.results.append((checks[chk.key], res, secs))
            out.figures.update(figs)
            out.artifacts.update(arts)
            ctx.figures.update(figs)
            ctx.artifacts.update(arts)
        outcomes.append(out)
    return runner.Outcomes(outcomes)
