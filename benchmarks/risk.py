"""Closed-form risk evaluations per second vs Monte Carlo samples per second (issue 2).

For (d, n) in {(5, 20), (20, 200), (50, 1000)}: time a batch of 256 closed-form
evaluations of L(P, ω) (vectorised) and a Monte Carlo estimate over 2000 prompts.
Writes benchmarks/results/risk.json.
"""

from __future__ import annotations

import sys

import numpy as np
from _common import best_time, write_json

from wpgd_theory import MultitaskModel, monte_carlo_risk, population_risk, risk_gradient


def main(quick: bool = False) -> dict:
    rows = []
    batch, prompts = 256, (500 if quick else 2000)
    for d, n in [(5, 20), (20, 200), (50, 1000)]:
        rng = np.random.default_rng(0)
        K = 4
        sizes = [n // K] * K
        model = MultitaskModel.from_tasks(sizes, np.eye(K), np.full(K, 0.5), sigma=np.eye(d), noise=0.1)
        Ps = rng.standard_normal((batch, d, d)) / d
        ws = rng.standard_normal((batch, n))
        t_cf = best_time(lambda model=model, Ps=Ps, ws=ws: population_risk(model, Ps, ws))
        t_grad = best_time(lambda model=model, Ps=Ps, ws=ws: risk_gradient(model, Ps, ws))
        t_mc = best_time(lambda model=model, Ps=Ps, ws=ws, rng=rng: monte_carlo_risk(model, Ps[0], ws[0], prompts, rng),
                         repeat=3, min_time=0.0)
        rows.append({
            "d": d, "n": n,
            "closed_form_evals_per_s": batch / t_cf,
            "gradient_evals_per_s": batch / t_grad,
            "monte_carlo_prompts_per_s": prompts / t_mc,
            "prompts_per_closed_form_eval": (prompts / t_mc) / (batch / t_cf),
        })
        print(f"d={d:3d} n={n:5d}  closed form {batch / t_cf:12.0f}/s  gradient {batch / t_grad:12.0f}/s  "
              f"Monte Carlo {prompts / t_mc:10.0f} prompts/s")
    path = write_json("risk", {"benchmark": "risk", "batch": batch, "prompts": prompts, "rows": rows})
    print(f"wrote {path}")
    return {"rows": rows}


if __name__ == "__main__":
    main(quick="--quick" in sys.argv)
