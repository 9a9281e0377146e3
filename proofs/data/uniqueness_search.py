r"""Uniqueness study for claim W5 with general ``Σ``: the evidence behind ``proofs/uniqueness.md``.

Run by hand (a few minutes)::

    HYPOTHESIS_PROFILE=thorough .venv/bin/python proofs/data/uniqueness_search.py
    .venv/bin/python proofs/data/uniqueness_search.py --quick      # seconds, for a smoke run
    .venv/bin/python proofs/data/uniqueness_search.py --workers 4  # parts 2 and 3 on Dask
    .venv/bin/python proofs/data/uniqueness_search.py --scheduler tcp://HOST:8786

It writes ``proofs/data/uniqueness_study.json`` (search statistics) and
``proofs/data/counterexamples.json`` (instances whose W4 equation has three roots, and a
tie with two global minimisers).  Four parts:

1. **Random search with hypothesis** over broad model distributions — ``Σ`` spectra over
   twelve decades with repeated eigenvalues (``d ≤ 12``), noise ``0`` or ``10^[−4, 3]``,
   task models with sizes up to ``10⁶`` and correlation matrices with negative entries and
   any rank (rank-deficient ``C`` included), general models with ``n ≤ 8``, and a two-task
   family with very different segment sizes — *targeted* (``hypothesis.target``) at the
   largest slope ``g'(μ*) = ε_h ε_t`` at a root, which must exceed 1 for a second root.
2. **Optimisation search** (Nelder–Mead) over the two-task family for ``d = 6 … 10``:
   maximise the number of certified roots, then the slope.
3. **sup |ε_h| over d-point spectra**: numerical maximisation vs the limit formula
   ``2 max_ℓ (d−1)ℓ² / ((1+ℓ)((d−1)ℓ² + (1+ℓ)²))`` (``d − 1`` equal eigenvalues, one → ∞).
4. **The stored counterexamples** re-solved with interval-verified certificates, and the
   tie located by bisection on ``σ²``.
"""

from __future__ import annotations

import argparse
import json
import os
import time
from pathlib import Path

import numpy as np
from hypothesis import HealthCheck, given, settings, target
from hypothesis import strategies as st
from scipy.optimize import brentq, minimize

from wpgd_theory import MultitaskModel
from wpgd_theory import strategies as wst
from wpgd_theory.certify import isolate_roots
from wpgd_theory.claims.optimum import COUNTEREXAMPLES, counterexample_model
from wpgd_theory.landscape import solve, stationary_curve
from wpgd_theory.parallel import map_tasks

HERE = Path(__file__).resolve().parent
PROFILES = {"ci": 25, "dev": 200, "thorough": 2000}


# ----------------------------------------------------------------------------- strategies
@st.composite
def spectra_with_multiplicities(draw, max_d=12):
    """A diagonal ``Σ``: ``k ≤ 4`` distinct eigenvalues over 12 decades, multiplicities summing to ``d``."""
    d = draw(st.integers(1, max_d))
    k = draw(st.integers(1, min(4, d)))
    values = [10.0 ** draw(st.floats(-6, 6)) for _ in range(k)]
    cuts = sorted(draw(st.lists(st.integers(1, d - 1), min_size=k - 1, max_size=k - 1, unique=True))) if k > 1 else []
    mult = np.diff([0, *cuts, d])
    return np.repeat(values, mult)


noise = st.one_of(st.just(0.0), st.floats(-4, 3).map(lambda u: 10.0**u))


@st.composite
def task_models(draw):
    lam = draw(spectra_with_multiplicities())
    K = draw(st.integers(1, 4))
    sizes = [int(10 ** draw(st.floats(0, 6))) for _ in range(K)]
    C = draw(wst.correlation_matrices(K + 1))
    return MultitaskModel.from_tasks(sizes, C[:K, :K], C[:K, K], sigma=np.diag(lam), noise=draw(noise))


@st.composite
def general_models(draw):
    lam = draw(spectra_with_multiplicities())
    n = draw(st.integers(1, 8))
    C = draw(wst.correlation_matrices(n + 1))
    return MultitaskModel(np.diag(lam), C[:n, :n], C[:n, n], draw(noise))


@st.composite
def two_task_models(draw):
    """Independent tasks (``ρ = I``) with very different segment sizes: the counterexample family."""
    lam = draw(spectra_with_multiplicities())
    sizes = [int(10 ** draw(st.floats(0, 6))), int(10 ** draw(st.floats(0, 6)))]
    angle = draw(st.floats(0, 2 * np.pi))
    r = draw(st.floats(0.05, 1.0)) * np.array([np.cos(angle), np.sin(angle)])
    return MultitaskModel.from_tasks(sizes, np.eye(2), r, sigma=np.diag(lam), noise=draw(noise))


def max_slope(model):
    """``(number of certified roots, status, max ε_h ε_t at the roots)``."""
    sol = solve(model)
    if sol.status == "degenerate":
        return 0, sol.status, 0.0
    eh, et = stationary_curve(model).elasticities(sol.roots)
    return len(sol.roots), sol.status, float(np.max(eh * et))


def random_search(examples):
    stats = {"examples": 0, "roots_histogram": {}, "statuses": {}, "max_slope": 0.0, "multi_root": [],
             "small_d_violations": []}

    @settings(max_examples=examples, database=None, deadline=None, derandomize=False,
              suppress_health_check=list(HealthCheck))
    @given(st.one_of(task_models(), general_models(), two_task_models()))
    def search(model):
        k, status, slope = max_slope(model)
        target(slope, label="slope g' at a root")
        stats["examples"] += 1
        stats["roots_histogram"][str(k)] = stats["roots_histogram"].get(str(k), 0) + 1
        stats["statuses"][status] = stats["statuses"].get(status, 0) + 1
        stats["max_slope"] = max(stats["max_slope"], slope)
        if k > 1 and len(stats["multi_root"]) < 20:
            stats["multi_root"].append(describe(model))
        if k > 1 and model.d <= 5:
            stats["small_d_violations"].append(describe(model))

    search()
    return stats


def describe(model):
    out = {"d": model.d, "n": model.n, "sigma_eigenvalues": model.sigma_eigenvalues.tolist(), "noise": model.noise}
    if model.is_multitask:
        out.update(sizes=model.sizes.tolist(), rho=model.rho.tolist(), r_task=model.r_task.tolist())
    else:
        out.update(R=model.R.tolist(), r=model.r.tolist())
    return out


# ----------------------------------------------------------------------------- optimisation search
def family_model(z, d):
    """Two-task family from an unconstrained vector ``z`` (7 numbers)."""
    ls, lb = 10 ** np.clip(z[0], -3, 3), 10 ** np.clip(z[1], -3, 3)
    ms = int(np.clip(round(z[2]), 1, d - 1))
    sizes = [int(round(10 ** np.clip(z[4], 0, 6))), int(round(10 ** np.clip(z[5], 0, 6)))]
    r = 0.99 * np.array([np.cos(z[6]), np.sin(z[6])])
    lam = np.array([ls] * ms + [lb] * (d - ms))
    return MultitaskModel.from_tasks(sizes, np.eye(2), r, sigma=np.diag(lam), noise=10 ** np.clip(z[3], -4, 3))


def optimisation_search(d, trials, seed):
    rng = np.random.default_rng(seed)

    def objective(z):
        model = family_model(z, d)
        curve = stationary_curve(model)
        iso = isolate_roots(curve, rtol=1e-8, initial_cells=32, max_evaluations=5000)
        if iso.unresolved or iso.truncated:
            return 0.0
        eh, et = curve.elasticities(iso.roots)
        return -(float(np.max(eh * et)) + 10.0 * (len(iso.root_cells) - 1))

    best, best_z = 0.0, None
    for _ in range(trials):
        z0 = np.array([rng.uniform(-3, 3), rng.uniform(-3, 3), rng.uniform(1, d - 1), rng.uniform(-4, 3),
                       rng.uniform(0, 6), rng.uniform(0, 6), rng.uniform(0, 2 * np.pi)])
        res = minimize(objective, z0, method="Nelder-Mead", options={"maxiter": 1500, "xatol": 1e-6, "fatol": 1e-9})
        if -res.fun > best:
            best, best_z = -res.fun, res.x
    out = {"d": d, "trials": trials, "best_score": best}
    if best_z is not None:
        model = family_model(best_z, d)
        k, status, slope = max_slope(model)
        out.update(roots=k, status=status, slope=slope, model=describe(model))
    return out


# ----------------------------------------------------------------------------- sup |ε_h|
def eps_h_limit(d):
    """``2 max_ℓ (d−1)ℓ²/((1+ℓ)((d−1)ℓ² + (1+ℓ)²))``: ``d−1`` equal eigenvalues ``ℓ t``, one → ∞."""
    ell = np.geomspace(1e-3, 1e3, 200001)
    m = d - 1
    return float(np.max(2 * m * ell**2 / ((1 + ell) * (m * ell**2 + (1 + ell) ** 2))))


def eps_h_numeric(d, starts, seed):
    rng = np.random.default_rng(seed)

    def neg(z):
        lam, t = 10.0 ** np.clip(z[:-1], -15, 15), 10.0 ** np.clip(z[-1], -15, 15)
        p = lam**2 / (lam + t) ** 2
        q = p * lam
        u = t / (lam + t)
        return -2 * (np.sum(p * u) / np.sum(p) - np.sum(q * u) / np.sum(q))

    best = 0.0
    for _ in range(starts):
        res = minimize(neg, rng.uniform(-6, 6, d + 1), method="Nelder-Mead",
                       options={"maxiter": 40000, "fatol": 1e-14, "xatol": 1e-11})
        best = max(best, -res.fun)
    return best


# ----------------------------------------------------------------------------- counterexamples
def tie_noise():
    """``σ²`` at which the outer roots of the ``three-roots`` family have equal risk."""
    spec = COUNTEREXAMPLES["three-roots"]

    def diff(noise):
        m = MultitaskModel.from_tasks(spec["sizes"], np.array(spec["rho"]), np.array(spec["r_task"]),
                                      sigma=np.diag(spec["sigma_eigenvalues"]), noise=noise)
        rr = solve(m).root_risks
        return float(rr[0] - rr[-1])

    return brentq(diff, 3.4, 3.5, xtol=1e-16, rtol=8.9e-16)


def counterexample_records():
    records = {}
    for name, spec in COUNTEREXAMPLES.items():
        model = counterexample_model(name)
        sol = solve(model, interval=True)
        curve = stationary_curve(model)
        eh, et = curve.elasticities(sol.roots)
        records[name] = dict(spec, roots=sol.roots.tolist(), root_risks=sol.root_risks.tolist(),
                             status=sol.status, interval_verified=sol.certificate.interval_verified,
                             slopes_at_roots=(eh * et).tolist(),
                             task_weights_at_roots=[curve.task_weights(mu).tolist() for mu in sol.roots],
                             apriori=sol.certificate.apriori, certificate=str(sol.certificate))
    return records


def _optimisation_task(args):
    d, trials = args
    return optimisation_search(d, trials, seed=d)


def _sup_eps_h_task(args):
    d, starts = args
    return {"d": d, "limit_formula": eps_h_limit(d), "numeric": eps_h_numeric(d, starts, seed=d)}


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--quick", action="store_true", help="a smoke run (seconds)")
    ap.add_argument("--examples", type=int, default=None, help="hypothesis examples (default: by HYPOTHESIS_PROFILE)")
    ap.add_argument("--workers", type=int, default=1, help="local Dask processes for parts 2 and 3 (default 1)")
    ap.add_argument("--scheduler", default=None, help="an existing Dask scheduler for parts 2 and 3")
    args = ap.parse_args()

    def run(func, items):  # one Dask task per item (wpgd_theory.parallel.map_tasks)
        return map_tasks(func, items, workers=args.workers, scheduler=args.scheduler)

    profile = os.environ.get("HYPOTHESIS_PROFILE", "thorough")
    examples = args.examples or (25 if args.quick else PROFILES.get(profile, 2000))
    t0 = time.time()
    study = {"hypothesis_profile": profile, "random_search": random_search(examples)}
    print("random search:", json.dumps({k: v for k, v in study["random_search"].items() if k != "multi_root"}))
    trials = 2 if args.quick else 40
    study["optimisation_search"] = run(_optimisation_task, [(d, trials) for d in (6, 7, 8, 10)])
    for row in study["optimisation_search"]:
        print(f"optimisation search d={row['d']}: roots {row.get('roots')}, slope {row.get('slope', 0):.4g}")
    study["sup_eps_h"] = run(_sup_eps_h_task, [(d, 5 if args.quick else 100) for d in range(2, 9)])
    for row in study["sup_eps_h"]:
        print(f"sup |eps_h| d={row['d']}: formula {row['limit_formula']:.6f} numeric {row['numeric']:.6f}")
    study["tie_noise_bisection"] = tie_noise()
    study["seconds"] = time.time() - t0
    (HERE / "uniqueness_study.json").write_text(json.dumps(study, indent=1))
    (HERE / "counterexamples.json").write_text(json.dumps(
        {"schema": "wpgd-theory-counterexamples", "schema_version": "1.0",
         "description": "Instances whose W4 equation has three roots (proofs/uniqueness.md). Sigma is "
                        "diag(sigma_eigenvalues); the model is MultitaskModel.from_tasks(sizes, rho, r_task).",
         "instances": counterexample_records()}, indent=1))
    print("tie at noise", study["tie_noise_bisection"], "stored", COUNTEREXAMPLES["tie"]["noise"])
    print("wrote", HERE / "uniqueness_study.json", "and", HERE / "counterexamples.json")


if __name__ == "__main__":
    main()
