"""``wpgd-verify run``: run the claim registry and write the report.

``wpgd-verify run [--suite S] [--only G1,W5,...] [--out DIR] [--seed N] [--device D] [--config FILE]
[--quiet] [--workers N | --scheduler ADDRESS]``: the checks of the claims (all, or ``--only``)
in suite ``S``, in-process or on Dask (:mod:`wpgd_theory.parallel`), then
``DIR/report.{html,json,md}`` and ``figures/`` written atomically
(:func:`wpgd_theory.report.write_report`).  The options, exit statuses and progress output are
described in :mod:`wpgd_theory.cli`, which builds the parser and dispatches here.
"""

from __future__ import annotations

import shlex
import time

from .. import _interrupts
from ..cli import (
    PROG,
    UsageError,
    _check_local_workers,
    _load_config,
    _Progress,
    _say,
    _StdoutError,
    _warn,
    resolve_device,
)

__all__ = ["cmd_run"]


def _parse_only(text, known) -> list | None:
    if text is None:
        return None
    ids = []
    for part in text.split(","):
        part = part.strip().upper()
        if part and part not in ids:
            ids.append(part)
    if not ids:
        raise UsageError("--only: no claim ids given (e.g. --only G1,W5)")
    unknown = [i for i in ids if i not in known]
    if unknown:
        raise UsageError(f"--only: unknown claim id{'s' if len(unknown) > 1 else ''} {', '.join(unknown)}; "
                         f"known ids: {', '.join(known)}")
    order = {k: i for i, k in enumerate(known)}
    return sorted(ids, key=order.__getitem__)


def _run_checks(args, claim_ids, suite, ctx, bar):
    """In-process (``--workers 1``) or on Dask (:mod:`wpgd_theory.parallel`)."""
    from .. import parallel

    if args.workers == 1 and args.scheduler is None:
        return parallel.run(claim_ids, suite, context=ctx, progress=bar.finish, on_start=bar.start)
    bar.parallel = True
    try:
        return parallel.run(claim_ids, suite, context=ctx, workers=args.workers, scheduler=args.scheduler,
                            progress=bar.finish)
    except parallel.ParallelError as exc:
        raise UsageError(exc.command_line()) from None


def cmd_run(args) -> int:
    from ..claims import runner
    from ..claims.core import CheckContext
    from ..report import ReportDirError, ensure_writable, write_report

    _check_local_workers(args)
    registry = runner.registry()
    known = [c.id for c in registry]
    claim_ids = _parse_only(args.only, known)
    cfg = _load_config(args.config, args.allow_large, args.quiet) if args.config else None
    suite = args.suite or (cfg.suite if cfg and cfg.suite else "default")
    seed = args.seed if args.seed is not None else (cfg.seed if cfg and cfg.seed is not None else 0)
    try:
        out = ensure_writable(args.out)
    except ReportDirError as exc:
        raise UsageError(str(exc)) from None
    device = resolve_device(args.device)
    ctx = CheckContext(suite=suite, seed=seed, device=device)
    if cfg is not None:
        ctx.models = dict(cfg.models)
    planned = runner.planned_checks(claim_ids, suite)
    bar = _Progress(planned, args.quiet)
    t0 = time.perf_counter()
    try:
        outcomes = _run_checks(args, claim_ids, suite, ctx, bar)
    finally:
        bar.close()
    checks_s = time.perf_counter() - t0
    command = " ".join([PROG] + [shlex.quote(a) for a in args.argv])

    def committed():  # called inside the swap's interrupt-free window
        args.report_written = _interrupts.state.written = out

    _interrupts.check()
    try:
        doc = write_report(outcomes, ctx, out, claim_ids=claim_ids, checks_duration_s=checks_s,
                           requested_device=args.device, config=args.config, command=command,
                           on_commit=committed, on_wait=None if args.quiet else _warn,
                           cancelled=_interrupts.interrupted)
    except ReportDirError as exc:  # e.g. disk full: the previous report is left as it was
        raise UsageError(str(exc)) from None
    except OSError as exc:
        raise UsageError(f"--out {out}: could not write the report ({exc.strerror or exc})") from None
    try:
        _print_run_summary(doc, out, args.quiet)
    except _StdoutError as exc:
        raise UsageError(f"{exc} (the report was written to {out})") from None
    return doc["exit_status"]


def _print_run_summary(doc, out, quiet: bool) -> None:
    summ = doc["summary"]
    if not quiet:
        for c in doc["claims"]:
            n = len(c["checks"])
            passed = sum(1 for ch in c["checks"] if ch["status"] == "passed")
            extra = f"  ({c['reason']})" if c["reason"] else ""
            _say(f"  {c['id']:<3} {c['status']:<14} {passed}/{n} checks passed{extra}")
    cc = summ["claims"]
    line = (f"{doc['status'].upper()}: {cc['verified']}/{cc['total']} claims verified, {cc['failed']} failed, "
            f"{cc['not verified']} not verified, {cc['not applicable']} not applicable "
            f"({doc['run']['suite']} suite, {doc['run']['duration_s']:.1f} s)")
    _say(line)
    if summ["failed_claims"]:
        _say("failed: " + ", ".join(summ["failed_claims"]))
    if summ["unverified_claims"]:
        from ..report.markdown import group_reasons

        _say("not verified: " + "; ".join(f"{', '.join(ids)} ({reason})"
                                           for reason, ids in group_reasons(summ["unverified_claims"])))
    if summ["not_applicable_claims"]:
        from ..report.markdown import group_reasons

        _say("not applicable: " + "; ".join(f"{', '.join(ids)} ({reason})"
                                             for reason, ids in group_reasons(summ["not_applicable_claims"])))
    _say(f"report: {out / 'report.html'} (also report.json, report.md)")
