"""Shared helpers for the benchmark scripts: timing and JSON output.

Benchmarks *report* numbers (ratios are what is meaningful on a noisy machine); no test
asserts a timing.
"""

from __future__ import annotations

import json
import os
import platform
import time
from pathlib import Path

RESULTS = Path(__file__).resolve().parent / "results"


def best_time(fn, *, repeat: int = 5, min_time: float = 0.05, clock=time.perf_counter) -> float:
    """Best-of-``repeat`` seconds per call, each measurement looping until ``min_time``.
    ``clock``: ``time.perf_counter`` (wall) or ``time.thread_time`` (this thread's CPU time:
    what a shared, busy machine inflates least, for single-threaded work)."""
    best = float("inf")
    for _ in range(repeat):
        calls, t0 = 0, clock()
        while True:
            fn()
            calls += 1
            elapsed = clock() - t0
            if elapsed >= min_time:
                break
        best = min(best, elapsed / calls)
    return best


def write_json(name: str, payload: dict) -> Path:
    RESULTS.mkdir(exist_ok=True)
    payload = dict(payload, machine={"platform": platform.platform(), "cpus": os.cpu_count(),
                                     "python": platform.python_version()})
    path = RESULTS / f"{name}.json"
    tmp = path.with_suffix(".json.tmp")
    tmp.write_text(json.dumps(payload, indent=2))
    os.replace(tmp, path)
    return path
