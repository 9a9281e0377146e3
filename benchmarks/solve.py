"""Time ``solve`` on task models: n = 10⁴ … 10⁶ examples at fixed K = 8 tasks (issue 3).

``solve`` works in the K-dimensional task space (``O(K³)`` once, ``O(K + d)`` per root-finding
step) and only lifts ``ω*`` to ``R^n`` at the end, so its cost after the model is built is
``O(n + K³)``.  The target: n = 10⁶ well under a second, and time(10⁶)/time(10⁴) < 150
(linear scaling would be 100; the ``O(K³)`` part makes it smaller).  Model construction
(``from_tasks``, also ``O(n)``) is timed separately.  Also times the monotone-cone optimum
(``solve_constrained``, K-dimensional branch and bound) at the same sizes.

Writes benchmarks/results/solve.json.
"""

from __future__ import annotations

import sys
import time

import numpy as np
from _common import best_time, write_json

from wpgd_theory import MultitaskModel, solve, solve_constrained

K = 8
SIZES = (10_000, 30_000, 100_000, 300_000, 1_000_000)


def task_structure(seed: int = 0):
    """A valid ``C_task`` (Gram matrix, normalised) with negative correlations, and ``Σ``."""
    rng = np.random.default_rng(seed)
    G = rng.standard_normal((K + 1, 4))
    C = G @ G.T
    dinv = 1.0 / np.sqrt(np.diag(C))
    C = C * dinv[:, None] * dinv[None, :]
    np.fill_diagonal(C, 1.0)
    sigma = np.diag([4.0, 2.0, 1.0, 0.5, 0.25, 0.1])
    return C[:K, :K], C[:K, K], sigma


def main(quick: bool = False) -> dict:
    rho, r_task, sigma = task_structure()
    rows = []
    for n in SIZES[:3] if quick else SIZES:
        sizes = np.full(K, n // K)
        sizes[-1] += n - sizes.sum()
        t0 = time.perf_counter()
        model = MultitaskModel.from_tasks(sizes, rho, r_task, sigma=sigma, noise=0.3)
        t_build = time.perf_counter() - t0
        t_solve = best_time(lambda model=model: solve(model), repeat=5, min_time=0.0)
        sol = solve(model)
        t_mono = best_time(lambda model=model: solve_constrained(model, "monotone"), repeat=3, min_time=0.0)
        rows.append({"n": int(n), "K": K, "d": model.d, "build_s": t_build, "solve_s": t_solve,
                     "solve_constrained_monotone_s": t_mono, "roots": sol.roots.tolist(), "status": sol.status,
                     "risk": sol.risk})
        print(f"n={n:>9,d}  build {t_build * 1e3:8.2f} ms  solve {t_solve * 1e3:8.2f} ms  "
              f"monotone {t_mono * 1e3:8.2f} ms  ({sol.status}, {len(sol.roots)} root)")
    t = {row["n"]: row["solve_s"] for row in rows}
    ratio = t[max(t)] / t[min(t)]
    summary = {"ratio_largest_vs_smallest": ratio, "n_ratio": max(t) / min(t),
               "largest_n_solve_s": t[max(t)], "target_ratio_below": 150.0, "target_largest_below_s": 1.0,
               "meets_targets": bool(ratio < 150.0 and t[max(t)] < 1.0)}
    print(f"time({max(t):,}) / time({min(t):,}) = {ratio:.1f} (target < 150); "
          f"n = {max(t):,}: {t[max(t)] * 1e3:.1f} ms (target < 1000 ms)")
    path = write_json("solve", {"benchmark": "solve", "rows": rows, "summary": summary})
    print(f"wrote {path}")
    return summary


if __name__ == "__main__":
    main(quick="--quick" in sys.argv)
