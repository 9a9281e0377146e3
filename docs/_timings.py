"""Run times quoted by the docs, generated from ``benchmarks/results/parallel.json``.

Pages never type a duration: ``conf.py`` turns the measured suite times into MyST
substitutions (``{{ quick_time }}``, ``{{ default_time }}``, ``{{ thorough_time }}``,
``{{ timings_machine }}``), and ``_pages.py`` writes the table of every measured suite
(``_generated/suite-times.md``, included by the pages that show it).  Rerun
``benchmarks/parallel.py --suites-only --suites quick,default,thorough`` and rebuild: the
pages follow.
"""

from __future__ import annotations

import json
from pathlib import Path

SUITES = ("quick", "default", "thorough")


def results_path() -> Path:
    """``benchmarks/results/parallel.json`` of the checkout the package is imported from."""
    import wpgd_theory

    return Path(wpgd_theory.__file__).resolve().parents[1] / "benchmarks" / "results" / "parallel.json"


def load(path: Path | None = None) -> dict:
    """The benchmark results (``{}`` when the file is absent, e.g. in an installed package)."""
    path = results_path() if path is None else Path(path)
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}


def fmt_duration(seconds) -> str:
    """``27 s``, ``3.2 s``, ``3 min 19 s``, ``27 min``; ``not measured`` for ``None``."""
    if seconds is None:
        return "not measured"
    s = float(seconds)
    if s < 10:
        return f"{s:.1f} s"
    if s < 60:
        return f"{s:.0f} s"
    m, r = divmod(round(s), 60)
    if m >= 20:
        return f"{m + (r >= 30)} min"
    return f"{m} min {r} s" if r else f"{m} min"


def _machine(results: dict) -> str:
    m = results.get("machine") or {}
    parts = [f"{m['cpus']} CPUs" if m.get("cpus") else "", f"Python {m['python']}" if m.get("python") else "",
             m.get("platform", "")]
    return ", ".join(p for p in parts if p) or "the benchmark machine"


def substitutions(results: dict | None = None) -> dict:
    """MyST substitutions: each suite's measured time with one worker, and the machine."""
    results = load() if results is None else results
    suites = results.get("suites") or {}
    out = {f"{s}_time": fmt_duration((suites.get(s) or {}).get("workers_1_s")) for s in SUITES}
    out["timings_machine"] = _machine(results)
    return out


def suite_table(results: dict | None = None) -> str:
    """Markdown table: suite, time with 1 worker (in-process) and 2 workers, speed-up."""
    results = load() if results is None else results
    suites = results.get("suites") or {}
    lines = ["| suite | 1 worker (in-process) | 2 workers | speed-up |", "|---|---|---|---|"]
    for s in SUITES:
        e = suites.get(s) or {}
        w1, w2 = e.get("workers_1_s"), e.get("workers_2_s")
        speed = f"{w1 / w2:.2f}×" if w1 and w2 else "—"
        lines.append(f"| `{s}` | {fmt_duration(w1)} | {fmt_duration(w2) if w2 else '—'} | {speed} |")
    lines += ["", f"Measured by `benchmarks/parallel.py` (the checks of every claim, without the report's "
                  f"figures) on {_machine(results)}; generated from `benchmarks/results/parallel.json`.", ""]
    return "\n".join(lines)
