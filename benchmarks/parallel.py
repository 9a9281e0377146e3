"""Dask execution (issue 14): suite wall times with 1 and 2 workers, per-task overhead,
sweep throughput on local clusters of 1, 2 and 4 processes, and an estimate of the
full-size sweep on a 64-worker cluster from the measured per-cell cost.

    .venv/bin/python benchmarks/parallel.py [--suites default,thorough] [--quick]
    .venv/bin/python benchmarks/parallel.py --suites-only --suites thorough --workers 1

Writes ``results/parallel.json``.  Wall times on a shared machine are noisy: the ratios
(speed-up of 2 workers over 1) are the meaningful numbers, and the machine is recorded.
The thorough suite takes tens of minutes with one worker; ``--suites default`` skips it.
``--suites-only`` times only the suites, for the worker counts of ``--workers``, and
merges the timings into the existing JSON (so the two halves of a long measurement can
run as separate commands); each suite entry also records every check's seconds, status
and measured value.  Suites not timed in a run (``--suites ""``) keep their earlier
timings.  ``--quick`` writes ``results/parallel_quick.json`` instead.
"""

from __future__ import annotations

import argparse
import json
import math
import statistics
import sys
import tempfile
import time
from pathlib import Path

from _common import RESULTS, write_json

ROOT = Path(__file__).resolve().parents[1]


def suite_time(suite: str, workers: int) -> dict:
    """Wall time of a whole suite, its claims' statuses and each check's own seconds."""
    from wpgd_theory import parallel
    from wpgd_theory.claims.core import CheckContext

    t0 = time.perf_counter()
    outcomes = parallel.run(None, suite, context=CheckContext(suite=suite), workers=workers)
    elapsed = time.perf_counter() - t0
    statuses = {o.claim.id: o.status for o in outcomes}
    print(f"  {suite} suite, {workers} worker(s): {elapsed:.1f} s (claim statuses {sorted(set(statuses.values()))})",
          flush=True)
    checks = {chk.key: secs for o in outcomes for chk, _res, secs in o.results}
    measured = {chk.key: [res.status, _finite_or_text(res.measured)] for o in outcomes for chk, res, _ in o.results}
    return {"wall_s": elapsed, "statuses": statuses, "check_s": checks, "check_results": measured}


def _finite_or_text(x):
    return x if x is None or (isinstance(x, (int, float)) and math.isfinite(x)) else str(x)


def suite_timings(suites, workers, previous: dict) -> dict:
    """``{suite: {"workers_W_s": ..., "runs": {W: ...}, "speedup": ...}}``, merged into ``previous``."""
    out = {k: dict(v) for k, v in previous.items()}
    for suite in suites:
        entry = out.setdefault(suite, {})
        for w in workers:
            run = suite_time(suite, w)
            earlier = entry.get("runs", {}).get(str(w))
            if earlier and "check_results" in earlier:
                run["vs_previous_run"] = compare_runs(earlier, run)
            entry[f"workers_{w}_s"] = run["wall_s"]
            entry.setdefault("runs", {})[str(w)] = run
        if "workers_1_s" in entry and "workers_2_s" in entry:
            entry["speedup"] = entry["workers_1_s"] / entry["workers_2_s"]
    return out


def compare_runs(before: dict, after: dict) -> dict:
    """How a suite's run differs from the previous one recorded for it (e.g. before a speed-up):
    its wall seconds, the checks added or removed, claims and checks whose status changed, and
    every check's relative change of its measured value, the largest first (training checks
    move by float32 rounding along different summation orders, which SGD amplifies)."""
    b, a = before.get("check_results", {}), after["check_results"]
    changed = {}
    for key in sorted(set(a) & set(b)):
        x, y = b[key][1], a[key][1]
        if isinstance(x, (int, float)) and isinstance(y, (int, float)) and x != y:
            changed[key] = abs(y - x) / max(abs(x), 1e-300)
        elif x != y:
            changed[key] = f"{x!r} -> {y!r}"
    numeric = {k: v for k, v in changed.items() if isinstance(v, float)}
    return {"wall_s_before": before.get("wall_s"), "wall_s_after": after["wall_s"],
            "checks_added": sorted(set(a) - set(b)), "checks_removed": sorted(set(b) - set(a)),
            "claim_status_changes": {c: [before.get("statuses", {}).get(c), s] for c, s in after["statuses"].items()
                                     if before.get("statuses", {}).get(c) != s},
            "check_status_changes": {k: [b[k][0], a[k][0]] for k in sorted(set(a) & set(b)) if a[k][0] != b[k][0]},
            "checks_compared": len(set(a) & set(b)), "measured_unchanged": len(set(a) & set(b)) - len(changed),
            "measured_rel_change": dict(sorted(numeric.items(), key=lambda kv: -kv[1])),
            "measured_other_change": {k: v for k, v in changed.items() if not isinstance(v, float)}}


def _noop(x):
    return x


def task_overhead(tasks: int = 200) -> dict:
    """Seconds per tiny task through the Dask path (submit + run + gather) vs a plain call."""
    from distributed import Client, LocalCluster

    with LocalCluster(n_workers=1, threads_per_worker=1, processes=True, host="127.0.0.1",
                      dashboard_address=":0") as cluster, Client(cluster) as client:
        client.gather(client.map(_noop, range(10), pure=False))  # warm up
        samples = []
        for _ in range(3):
            t0 = time.perf_counter()
            client.gather(client.map(_noop, range(tasks), pure=False))
            samples.append((time.perf_counter() - t0) / tasks)
        # one check-sized task: a whole quick check (W6) shipped and run on the worker
        from wpgd_theory.claims.core import CheckContext
        from wpgd_theory.parallel import _run_task, plan_tasks

        ctx = CheckContext(suite="quick")
        keys = plan_tasks(["W6"], "quick")[0]
        t0 = time.perf_counter()
        client.submit(_run_task, keys, "quick", 0, "cpu", dict(ctx.models), "bench", pure=False).result()
        first = time.perf_counter() - t0
        t0 = time.perf_counter()
        client.submit(_run_task, keys, "quick", 0, "cpu", dict(ctx.models), "bench2", pure=False).result()
        warm = time.perf_counter() - t0
        _run_task(keys, "quick", 0, "cpu", dict(ctx.models), "local")  # imports
        t0 = time.perf_counter()
        _run_task(keys, "quick", 0, "cpu", dict(ctx.models), "local")
        local = time.perf_counter() - t0
    # the first check-sized task includes the worker's imports (wpgd_theory, scipy, ...)
    return {"tiny_task_s": statistics.median(samples), "tiny_task_samples_s": samples,
            "check_task_first_s": first, "check_task_warm_s": warm, "check_in_process_s": local,
            "check_task_overhead_s": warm - local}


def sweep_throughput(workers: int, cells_spec: dict) -> dict:
    """Cells per second of a sweep on ``workers`` processes.  ``workers == 1`` runs in-process;
    otherwise a local cluster is started and warmed up (each worker imports the package and
    runs one cell) before the clock starts, and its start-up is reported apart
    (``startup_s``): the steady throughput is what a long sweep sees."""
    from wpgd_theory import parallel
    from wpgd_theory.sweep import parse_spec, run_sweep

    spec = parse_spec(cells_spec, "bench-sweep")
    warm = parse_spec(dict(cells_spec, grid={k: v[:1] for k, v in cells_spec["grid"].items()},
                           sweep=dict(cells_spec["sweep"], seeds=1)), "bench-warm-up")
    startup, client, kw = 0.0, None, {"workers": 1}
    if workers > 1:
        t0 = time.perf_counter()
        client = parallel.connect(workers)
        client.wait_for_workers(workers)
        with tempfile.TemporaryDirectory() as tmp:  # one cell per worker: imports, first-call costs
            client.gather(client.map(_warm_cell, [(warm, tmp, i) for i in range(workers)], pure=False))
        startup = time.perf_counter() - t0
        kw = {"scheduler": client.scheduler.address}
    try:
        with tempfile.TemporaryDirectory() as tmp:
            t0 = time.perf_counter()
            res = run_sweep(spec, tmp, **kw)
            elapsed = time.perf_counter() - t0
    finally:
        if client is not None:
            parallel._close(client, own_cluster=True)
    secs = [r["seconds"] for r in res["rows"]]
    print(f"  sweep, {workers} worker(s): {len(secs)} cells in {elapsed:.1f} s (+{startup:.1f} s start-up)",
          flush=True)
    return {"workers": workers, "cells": len(secs), "wall_s": elapsed, "cells_per_s": len(secs) / elapsed,
            "mean_cell_s": statistics.mean(secs), "startup_s": startup}


def _warm_cell(job):
    from wpgd_theory.sweep import run_sweep

    spec, tmp, i = job
    run_sweep(spec, f"{tmp}/{i}")


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--suites", default="default,thorough", help="suites to time with 1 and 2 workers")
    ap.add_argument("--quick", action="store_true", help="small sweep, no suites (seconds to a minute)")
    ap.add_argument("--suites-only", action="store_true",
                    help="time only the suites and merge them into the existing results/parallel.json")
    ap.add_argument("--workers", default="1,2", help="worker counts of the suite timings (default 1,2)")
    args = ap.parse_args()
    suites = [s for s in args.suites.split(",") if s]
    workers = [int(w) for w in args.workers.split(",") if w]
    path = RESULTS / "parallel.json"
    previous = json.loads(path.read_text()) if path.exists() else {}
    if args.suites_only:
        previous.pop("machine", None)
        previous["suites"] = suite_timings(suites, workers, previous.get("suites", {}))
        print("wrote", write_json("parallel", previous))
        return 0
    out = {}
    print("per-task overhead", flush=True)
    out["overhead"] = task_overhead(50 if args.quick else 200)
    print(f"  tiny task {out['overhead']['tiny_task_s'] * 1e3:.2f} ms; check task overhead "
          f"{out['overhead']['check_task_overhead_s'] * 1e3:.1f} ms", flush=True)
    base = {"sigma": "identity", "d": 3, "noise": 0.5, "sizes": [4, 4, 4],
            "rho": [[1, 0, 0], [0, 1, 0], [0, 0, 1]], "r_task": [0.2, 0.9, 0.1]}
    predicted = {"sweep": {"seeds": 1}, "base": base,
                 "grid": {"n": [6, 12, 24, 48] if args.quick else [6, 12, 24, 48, 96, 192, 384, 768],
                          "noise": [0.1, 0.5] if args.quick else [0.05, 0.1, 0.25, 0.5, 1.0, 2.0],
                          "class": ["uniform", "monotone", "taskwise", "free"]}}
    trained = {"sweep": {"seeds": 2, "train": True, "budget": "quick"}, "base": base,
               "grid": {"n": [6, 12] if args.quick else [6, 12, 24], "class": ["linear-attention", "scalar-gla"]}}
    out["sweep_predicted"] = [sweep_throughput(w, predicted) for w in (1, 2, 4)]
    out["sweep_trained"] = [sweep_throughput(w, trained) for w in ((1, 2) if args.quick else (1, 2, 4))]
    # the full-size headline sweep (docs/examples/sweep-full.toml) on 64 workers, from the
    # measured per-cell cost of the trained cells (quick budget) scaled by the budget's steps
    from wpgd_theory.sweep import load_spec, training_settings

    full = load_spec(ROOT / "docs" / "examples" / "sweep-full.toml")
    steps = {b: training_settings(b)["steps"] for b in ("quick", full.budget)}
    cell_s = out["sweep_trained"][0]["mean_cell_s"] * steps[full.budget] / steps["quick"]
    out["full_sweep_estimate"] = {"cells": full.num_cells, "per_cell_s_estimate": cell_s,
                                  "one_worker_h": full.num_cells * cell_s / 3600,
                                  "workers_64_min": full.num_cells * cell_s / 64 / 60,
                                  "assumes": "per-cell cost of the quick-budget trained cells measured here, scaled "
                                             "by the ratio of training steps (an upper bound: early stopping)"}
    print(f"full-size sweep: {full.num_cells} cells, about {out['full_sweep_estimate']['workers_64_min']:.0f} min "
          "on 64 workers", flush=True)
    if not args.quick:  # suites not timed now (e.g. --suites "") keep their earlier timings
        out["suites"] = suite_timings(suites, workers, previous.get("suites", {}))
    # a quick run never replaces the committed table
    print("wrote", write_json("parallel_quick" if args.quick else "parallel", out))
    return 0


if __name__ == "__main__":
    sys.exit(main())
