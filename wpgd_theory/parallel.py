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
"""

from __future__ import annotations

import dataclasses
import functools
import time
import warnings
from collections import OrderedDict

from .claims import runner
from .claims.core import CheckContext

__all__ = ["run", "map_tasks", "plan_tasks", "ParallelError", "EVENT_TOPIC", "connect"]

#: The event topic under which workers log each attempt of a task.
EVENT_TOPIC = "wpgd-task-attempt"

#: The allocator setting that Dask's nanny puts into its workers' environment by default.
MALLOC_TRIM = "MALLOC_TRIM_THRESHOLD_"


class ParallelError(RuntimeError):
    """The cluster cannot be reached or cannot run the work (e.g. no GPU worker)."""


def plan_tasks(claim_ids=None, suite: str = "default") -> list:
    """The tasks of a run, in registry order: a list of tuples of check keys.

    Each check is a task of its own, except the training checks of one claim, which form
    one task (they share trained models through the context)."""
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
    from distributed import get_worker

    get_worker().log_event(EVENT_TOPIC, {"task": task_id})


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
    ``workers`` single-threaded processes.  Raises :class:`ParallelError` if it cannot."""
    try:
        from distributed import Client, LocalCluster
    except ImportError as exc:  # pragma: no cover - distributed is a dependency
        raise ParallelError(f"Dask's distributed package is needed for parallel runs ({exc})") from None
    if scheduler:
        try:
            return Client(scheduler, timeout="10s")
        except (OSError, TimeoutError, ValueError) as exc:
            raise ParallelError(f"cannot reach the Dask scheduler at {scheduler!r} ({exc})") from None
    import dask

    # Dask's nanny sets MALLOC_TRIM_THRESHOLD_=65536 in its workers, which also switches off
    # glibc's adaptive mmap threshold: every array over 128 KiB is then mapped and unmapped
    # afresh, and training spent as much time in the kernel as in user code.  Our workers
    # keep glibc's defaults (benchmarks/parallel.py measures the difference).
    with dask.config.set({f"distributed.nanny.pre-spawn-environ.{MALLOC_TRIM}": None}):
        # the scheduler's HTTP server on a free port (None would still take 8787 and warn
        # when another cluster holds it)
        cluster = LocalCluster(n_workers=workers, threads_per_worker=1, processes=True, host="127.0.0.1",
                               dashboard_address=":0")
    return Client(cluster)


def map_tasks(func, items, *, workers: int = 1, scheduler: str | None = None) -> list:
    """``[func(x) for x in items]``, in-process (``workers == 1``, no scheduler) or as one
    Dask task per item on a local cluster or ``scheduler``; results in the order of
    ``items``.  ``func`` and the items must be picklable (cloudpickle: a function of a
    script's ``__main__`` works)."""
    items = list(items)
    if isinstance(workers, bool) or not isinstance(workers, int) or workers < 1:
        raise ValueError(f"workers must be an integer >= 1, got {workers!r}")
    if workers == 1 and scheduler is None:
        return [func(x) for x in items]
    client = connect(workers, scheduler)
    try:
        return client.gather(client.map(func, items, pure=False))
    finally:
        _close(client, own_cluster=scheduler is None)


def _close(client, own_cluster: bool):
    cluster = getattr(client, "cluster", None)
    client.close()
    if own_cluster and cluster is not None:
        cluster.close()


def run(claim_ids=None, suite: str = "default", *, context: CheckContext | None = None, workers: int = 1,
        scheduler: str | None = None, client=None, progress=None, on_start=None):
    """Run the checks of ``claim_ids`` in ``suite`` on ``workers`` local processes, on the
    Dask scheduler at ``scheduler``, or on an existing ``client``.

    Returns the same list of :class:`~wpgd_theory.claims.runner.ClaimOutcome` as
    :func:`wpgd_theory.claims.run`.  ``workers == 1`` without a scheduler or client runs
    in-process with no Dask start-up cost.  ``progress(check, result)`` is called as each
    check's task finishes (in completion order, counted across workers); ``on_start`` is
    only called in-process.
    """
    if isinstance(workers, bool) or not isinstance(workers, int) or workers < 1:
        raise ValueError(f"workers must be an integer >= 1, got {workers!r}")
    if scheduler is not None and (not isinstance(scheduler, str) or not scheduler.strip()):
        raise ValueError(f"scheduler must be an address such as 'tcp://host:8786', got {scheduler!r}")
    ctx = context or CheckContext(suite=suite)
    if workers == 1 and scheduler is None and client is None:
        return runner.run(claim_ids, suite, context=ctx, progress=progress, on_start=on_start)
    if suite not in runner.SUITES:
        raise ValueError(f"suite must be one of {runner.SUITES}, got {suite!r}")
    ids = runner._validate_ids(claim_ids)
    runner._check_context(context, suite)
    tasks = plan_tasks(ids, suite)
    own = client is None
    client = client or connect(workers, scheduler)
    try:
        results = _submit_and_gather(client, tasks, ctx, progress)
        attempts = _attempts(client)
    finally:
        if own:
            _close(client, own_cluster=scheduler is None)
    return _assemble(ids, suite, ctx, tasks, results, attempts)


def _submit_and_gather(client, tasks, ctx, progress):
    from distributed import as_completed

    checks = _checks_by_key()
    gpu = _gpu_routing(ctx, client)
    models = dict(ctx.models)
    futures = {}
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
    results = {}
    for fut in as_completed(list(futures)):
        task_id = futures[fut]
        data = fut.result()
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
    info = client.scheduler_info()
    return any((w.get("resources") or {}).get("GPU") for w in info.get("workers", {}).values())


def _attempts(client) -> dict:
    counts: dict = {}
    try:
        events = client.get_events(EVENT_TOPIC)
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
        subs = {k.split("/", 1)[1]: c for k, c in attempts.items() if k.startswith(task_id + "/") and c > 1}
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
