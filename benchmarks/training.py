"""T1's thorough training workload, batched vs sequential (issue 23).

* ``workload``: every T1 training run of the thorough suite (each instance, class and
  restart: 36 runs) with the thorough settings (batch 512, learning rates) but a fixed
  number of steps per run (``--steps``, default 40; no plateau can stop a run that short)
  and held-out prompts in the thorough proportion (50 per step: 200 000 for 4000 steps).
  Trained once one by one with the reference :func:`wpgd_theory.gla.train` and once together
  with :func:`wpgd_theory.gla.batched.train_many`; both seconds, their ratio (target ≥ 5),
  and the largest relative difference of the held-out risks (the same runs).
* ``forms``: seconds per training step of one stack (the two thorough instances of one class
  at n = 64) in the forms and dtypes considered: the query-row last layer (used) in float32
  and float64, and the full attention-form last layer read at the query, float32.
* ``--full``: the thorough T1 and T2 training checks run in-process as the suite runs them
  (batched), with their wall and process CPU seconds, statuses and each run's steps and risks
  (``thorough_training_checks``).  ``--reference`` also runs them through the earlier
  whole-prompt path (``gla.batched.PRODUCTS_FORM = False``: every prompt laid out as tokens by
  ``MultitaskModel.sample``, the query-row form on whole tokens), records that run
  (``thorough_training_checks_reference``) and the ratios and the largest relative difference
  of the trained risks between the two (``thorough_ratio``).
* ``--profile``: the thorough T1 check under cProfile (``--reference``: through the earlier path
  too), its time split into training-loop prompt sampling, forward, backward, Adam and
  bookkeeping, held-out evaluation, exact risks and cone optima (``t1_profile``; cProfile
  slows Python-heavy code, so the split, not the total, is the result; it sees one thread,
  so the profiled run draws and trains in the calling thread: ``DRAW_THREADS = 0``,
  ``STACK_THREADS = 1``).
* ``step_segments``: process CPU time of one training step of a stack by segment (drawing the
  prompts, forward, backward, Adam) and of the normal draws alone (the floor of a sampler that
  keeps the reference random stream).
* ``sweep_cells``: trained sweep cells (``sweep._train_cells``, every architecture, quick budget)
  through the products form and through the earlier path, wall and CPU seconds, their ratio
  and the largest relative difference of the trained risks; and ``issue_baseline``: the same
  cells trained by the code at :data:`BASELINE_REVISION` (before issue 23's training work:
  ``gla.train`` cell by cell, in a temporary git worktree and a child process, in the same
  run), whose ratio to today's is the target (≥ 5x, ``target_5x``).  The trained risks
  differ from the baseline's by float32 rounding along different summation orders, which
  SGD amplifies (recorded).
* ``--suite``: the whole thorough suite in-process (``parallel.run`` with one worker, as
  ``benchmarks/parallel.py`` times it), wall time and every claim's status.

The machine is shared: its load average (1 min) before and after each part is recorded,
and the workload's process CPU seconds beside its wall seconds (CPU time is what a busy
machine inflates least, hence the fairer measure here); ratios measured in one run are the
meaningful numbers.  Writes ``results/training.json``
(``--quick``: ``results/training_quick.json``; ``--device cuda``: ``..._cuda.json``).
Threads: 1 (as the training does).

    .venv/bin/python benchmarks/training.py [--steps 40] [--full] [--reference] [--profile] [--sweep] [--suite]
                                            [--merge] [--quick]
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from dataclasses import replace
from pathlib import Path

import numpy as np
import torch
from _common import RESULTS, write_json

#: Where the runs train (``--device``).
DEVICE = "cpu"


def _load():
    return round(os.getloadavg()[0], 2)


def _t1_runs(ctx):
    """``(gla factory, task, layout, seed)`` for every thorough T1 training run (each restart)."""
    from wpgd_theory.claims import training as TR
    from wpgd_theory.gla import GLA

    jobs = [(label, model, cls) for label, model in TR._t1_instances(ctx) for cls in TR._t1_classes(ctx, model)]
    runs = []
    for job in jobs:
        spec = TR._t1_spec(ctx, *job)
        cfg = TR._class_config(ctx, spec["model"], spec["layout"], spec["cfg_kwargs"])
        for attempt in spec["attempts"]:
            salt = f"{spec['seed_salt']}-{attempt}" if attempt else spec["seed_salt"]
            seed = int(ctx.rng(salt).integers(2**31))
            runs.append((lambda cfg=cfg, seed=seed: GLA(cfg, seed=seed), spec["model"], spec["layout"], seed,
                         f"{job[0]} {job[2]}"))
    return runs


def workload(steps: int, quick: bool) -> dict:
    from wpgd_theory.claims import training as TR
    from wpgd_theory.claims.core import CheckContext
    from wpgd_theory.gla import train
    from wpgd_theory.gla.batched import train_many

    ctx = CheckContext(suite="thorough", seed=0, device=DEVICE)
    hyper = dict(TR._hyper(ctx), steps=steps, eval_prompts=50 * steps)
    runs = _t1_runs(ctx)
    if quick:
        runs = [r for r in runs if " n=8 " in r[4] or " n=16 " in r[4]]
    load0 = _load()
    t0, c0 = time.perf_counter(), time.process_time()
    seq = [train(make(), task, layout=lay, seed=seed, quiet=True, **hyper) for make, task, lay, seed, _ in runs]
    t_seq, c_seq = time.perf_counter() - t0, time.process_time() - c0
    load1 = _load()
    t0, c0 = time.perf_counter(), time.process_time()
    bat = train_many([r[0]() for r in runs], [r[1] for r in runs], [r[2] for r in runs], [r[3] for r in runs],
                     **hyper)
    t_bat, c_bat = time.perf_counter() - t0, time.process_time() - c0
    diff = max(abs(b.risk.mean - a.risk.mean) / a.risk.mean for a, b in zip(seq, bat))
    out = {"runs": len(runs), "steps_per_run": steps, "eval_prompts_per_run": hyper["eval_prompts"],
           "batch_size": hyper["batch_size"], "sequential_s": t_seq, "batched_s": t_bat, "ratio": t_seq / t_bat,
           "sequential_cpu_s": c_seq, "batched_cpu_s": c_bat, "cpu_ratio": c_seq / c_bat,
           "max_rel_risk_difference": diff, "load_1min": [load0, load1, _load()]}
    print(f"  workload: {len(runs)} runs x {steps} steps: sequential {t_seq:.1f} s ({c_seq:.1f} s CPU), batched "
          f"{t_bat:.1f} s ({c_bat:.1f} s CPU), ratio {t_seq / t_bat:.1f}x wall, {c_seq / c_bat:.1f}x CPU "
          f"(risks within {diff:.1e})", flush=True)
    return out


def forms(steps: int = 20) -> dict:
    """Seconds per training step of one stack of two runs (multi-head GLA, n = 64)."""
    from wpgd_theory.claims import training as TR
    from wpgd_theory.claims.core import CheckContext
    from wpgd_theory.gla import GLA
    from wpgd_theory.gla import batched as BT

    ctx = CheckContext(suite="thorough", seed=0, device=DEVICE)
    pairs = [(m, lay) for label, m in TR._t1_instances(ctx) if label.endswith("n=64")
             for lay in [TR._t1_spec(ctx, label, m, "multi-head GLA")["layout"]]]
    spec = TR._t1_spec(ctx, "x n=64", pairs[0][0], "multi-head GLA")
    out = {}

    def full_last(params, Z, st):  # the whole last layer (attention form), read at the query
        Z = BT._full_tokens(Z, st)
        L = st.cfg.num_layers
        for i in range(L - 1):
            Z = Z + BT._full_layer(Z, params, i, st)
        return BT._full_layer(Z, params, L - 1, st)[:, :, -1, st.cfg.label_index]

    whole = lambda params, Z, st: BT.stacked_predictions(params, BT._full_tokens(Z, st), st)  # noqa: E731
    for name, dtype, predict in (("query row, data/context split, float32", torch.float32, BT._predict),
                                 ("query row, data/context split, float64", torch.float64, BT._predict),
                                 ("query row, whole tokens, float32", torch.float32, whole),
                                 ("full attention-form last layer, float32", torch.float32, full_last)):
        cfg = TR._class_config(ctx, spec["model"], spec["layout"], spec["cfg_kwargs"])
        models = [GLA(replace(cfg, dtype=dtype), seed=s) for s in (1, 2)]
        st = BT._Statics(models[0], pairs[0][1])
        params = {n: t.requires_grad_(True) for n, t in BT._stack(models).items()}
        rngs = [np.random.default_rng(s) for s in (1, 2)]
        batches = [[m.sample(512, g) for (m, _), g in zip(pairs, rngs)] for _ in range(steps)]
        t0 = time.perf_counter()
        for b in batches:
            Z, y = BT._tokens(b, st)
            loss = ((y - predict(params, Z, st)) ** 2).mean(dim=1).sum()
            torch.autograd.grad(loss, list(params.values()))
        out[name] = (time.perf_counter() - t0) / steps
        print(f"  form {name}: {1e3 * out[name]:.1f} ms per step (2 runs, forward + backward)", flush=True)
    return {"seconds_per_step": out, "runs_in_stack": 2, "batch_size": 512, "n": 64, "load_1min": _load(),
            "note": "prompt sampling excluded (drawn before timing); the query-row form with the data/context "
                    "split in float32 is used"}


def _products(on: bool):
    from wpgd_theory.gla import batched as BT

    BT.PRODUCTS_FORM = on


def full_checks(reference: bool = False) -> dict:
    """The thorough T1/T2 checks in-process (``reference``: through the earlier path)."""
    from wpgd_theory.claims import depth as D
    from wpgd_theory.claims import training as TR
    from wpgd_theory.claims.core import CheckContext

    _products(not reference)
    ctx = CheckContext(suite="thorough", seed=0, device=DEVICE)
    load0 = _load()
    out = {"path": "whole prompts (earlier)" if reference else "products form"}
    try:
        for name, fn in (("T1 match", TR.t1_match), ("T1 order", TR.t1_order), ("T2 depth", D.t2_depth),
                         ("T2 causal", D.t2_causal)):
            t0, c0 = time.perf_counter(), time.process_time()
            res = fn(ctx)
            out[name] = {"seconds": time.perf_counter() - t0, "cpu_s": time.process_time() - c0,
                         "status": res.status, "measured": float(res.measured), "load_1min_after": _load()}
            print(f"  {name}: {out[name]['seconds']:.1f} s wall, {out[name]['cpu_s']:.1f} s CPU, {res.status} "
                  f"(measured {res.measured:.3g})", flush=True)
            if name == "T1 match":
                out[name]["runs"] = [{k: r[k] for k in ("instance", "cls", "steps", "trained", "held_out", "predicted",
                                                        "ratio")} for r in res.details["runs"]]
    finally:
        _products(True)
    checks = [v for v in out.values() if isinstance(v, dict)]
    out["load_1min"] = [load0, _load()]
    out["total_s"] = sum(v["seconds"] for v in checks)
    out["total_cpu_s"] = sum(v["cpu_s"] for v in checks)
    return out


def thorough_ratio(new: dict, ref: dict) -> dict:
    """Speed-up of the thorough T1/T2 checks and how far the trained risks moved."""
    rel = [abs(a["trained"] - b["trained"]) / abs(b["trained"])
           for a, b in zip(new["T1 match"]["runs"], ref["T1 match"]["runs"])]
    return {"wall_ratio": ref["total_s"] / new["total_s"], "cpu_ratio": ref["total_cpu_s"] / new["total_cpu_s"],
            "t1_wall_ratio": ref["T1 match"]["seconds"] / new["T1 match"]["seconds"],
            "t1_cpu_ratio": ref["T1 match"]["cpu_s"] / new["T1 match"]["cpu_s"],
            "statuses_equal": all(new[k]["status"] == ref[k]["status"] for k in ("T1 match", "T1 order", "T2 depth",
                                                                                 "T2 causal")),
            "max_rel_trained_risk_difference": max(rel),
            "note": "the products form draws the same prompts (same streams) and differs from the earlier path by "
                    "float32 rounding only; statuses and every run's trained risk are compared"}


#: Where the profiled time of the T1 check goes: (category, [(function, caller or None)]),
#: functions named ``file:function`` (file relative to the package).
_CATEGORIES = (
    ("training: prompt sampling", [("batched.py:start", "batched.py:_train_stack"),  # drawn at once: serial
                                   ("batched.py:<listcomp>", "batched.py:_train_stack"),  # task.sample per run
                                   ("batched.py:_tokens", "batched.py:_train_stack"),
                                   ("batched.py:__call__", "batched.py:_train_stack")]),
    ("training: forward", [("batched.py:_predict", "batched.py:_train_stack"),
                           ("batched.py:<lambda>", "batched.py:_train_stack"),
                           ("batched.py:predict", "batched.py:_train_stack")]),
    ("training: backward", [("torch/autograd/__init__.py:grad", "batched.py:_train_stack")]),
    ("held-out evaluation (200 000 prompts per run)", [("batched.py:evaluate_many", None),
                                                       ("batched.py:squared_errors_many", None)]),
    ("exact risk (float64 probe, closed form)", [("training.py:exact_risk", None)]),
    ("cone optima (convex solver)", [("training.py:_cached_cone", None)]),
)


def profile_breakdown(stats) -> dict:
    """Seconds per category (:data:`_CATEGORIES`) of a ``pstats.Stats`` of the T1 check;
    the training loop's remainder (Adam, plateau bookkeeping, stacking) is computed."""

    def match(func, name):
        file, fn = name.split(":")
        return func[0].endswith(file) and func[2] == fn

    def ct(name, caller=None):
        total = 0.0
        for func, (_cc, _nc, _tt, cum, callers) in stats.stats.items():
            if not match(func, name):
                continue
            if caller is None:
                total += cum
            else:
                total += sum(v[3] for c, v in callers.items() if match(c, caller))
        return total

    out = {cat: sum(ct(f, c) for f, c in funcs) for cat, funcs in _CATEGORIES}
    loop = ct("batched.py:_train_stack") - ct("batched.py:evaluate_many", "batched.py:_train_stack")
    out["training: Adam, plateau rule, stacking"] = loop - sum(out[k] for k in out if k.startswith("training:"))
    total = ct("training.py:t1_match_result")
    out["other"] = total - sum(out.values())
    return {"total_s": total, "seconds": out, "fraction": {k: v / total for k, v in out.items()}}


def profile_t1(reference: bool = False) -> dict:
    import cProfile
    import pstats

    from wpgd_theory.claims import training as TR
    from wpgd_theory.claims.core import CheckContext
    from wpgd_theory.gla import batched as BT

    _products(not reference)
    ctx = CheckContext(suite="thorough", seed=0, device=DEVICE)
    prof = cProfile.Profile()
    load0 = _load()
    threads = BT.DRAW_THREADS, BT.STACK_THREADS
    BT.DRAW_THREADS, BT.STACK_THREADS = 0, 1  # cProfile sees the calling thread only: everything in it
    try:
        prof.runcall(TR.t1_match, ctx)
    finally:
        _products(True)
        BT.DRAW_THREADS, BT.STACK_THREADS = threads
    out = profile_breakdown(pstats.Stats(prof))
    out.update(path="whole prompts (earlier)" if reference else "products form", load_1min=[load0, _load()])
    print(f"  T1 profile ({out['path']}): " + ", ".join(f"{k} {v:.0%}" for k, v in out["fraction"].items()),
          flush=True)
    return out


def step_segments(steps: int = 100) -> dict:
    """Process CPU milliseconds per training step of one stack in the products form, split
    into prompt drawing (``gla.batched._Sampler``: the numpy normal draws of the reference
    stream and their arithmetic), forward, backward and the Adam update: the thorough T1
    multi-head GLA stack (both instances, n = 8, 16, 32, 64: 8 runs, batch 512) and a stack of
    trained sweep cells (n = 6, 12, 24, two seeds: 6 runs, batch 256).  ``normal_draws_ms``:
    the ``rng.standard_normal`` calls alone (same sizes), the floor of any sampler drawing the
    reference stream."""
    from wpgd_theory.claims import training as TR
    from wpgd_theory.claims.core import CheckContext
    from wpgd_theory.gla import GLA, GLAConfig, PromptLayout
    from wpgd_theory.gla import batched as BT
    from wpgd_theory.sweep import _build_model

    ctx = CheckContext(suite="thorough", seed=0, device=DEVICE)
    t1 = [(m, TR._t1_spec(ctx, label, m, "multi-head GLA")) for label, m in TR._t1_instances(ctx)]
    t1 = [(m, sp["layout"], TR._class_config(ctx, m, sp["layout"], sp["cfg_kwargs"])) for m, sp in t1]
    base = {"sigma": "identity", "d": 3, "noise": 0.5, "sizes": [4, 4, 4],
            "rho": [[1, 0, 0], [0, 1, 0], [0, 0, 1]], "r_task": [0.2, 0.9, 0.1]}
    cells = []
    for n in (6, 12, 24):
        m = _build_model(base, {"n": n})
        lay = PromptLayout.for_model(m, task_features=True, delimiters=True)
        cfg = GLAConfig(d=3, num_context=lay.num_context, structure="wpgd", init_scale=0.3, chunk_size=lay.num_tokens,
                        gating="scalar", gate_input="context", shared_qk=True, num_heads=3, device=DEVICE)
        cells += [(m, lay, cfg)] * 2
    out = {"note": "process CPU time; the products form; 'draw' includes 'normal_draws_ms'"}
    for name, runs, B in (("T1 multi-head GLA stack (8 runs, batch 512)", t1, 512),
                          ("sweep cells stack (6 runs, batch 256)", cells, 256)):
        models = [GLA(cfg, seed=i) for i, (_, _, cfg) in enumerate(runs)]
        st = BT._statics(models[0], [lay for _, lay, _ in runs])
        params = {k: t.requires_grad_(True) for k, t in BT._stack(models).items()}
        draw, predict = BT._batches(st, [m for m, _, _ in runs])
        rngs = [np.random.default_rng(i) for i in range(len(runs))]
        seg = dict.fromkeys(("draw", "forward", "backward", "adam"), 0.0)
        state = {k: (torch.zeros_like(t), torch.zeros_like(t)) for k, t in params.items()}
        for _ in range(steps):
            c0 = time.process_time()
            data, y = draw(B, rngs)
            c1 = time.process_time()
            loss = torch.mean((y - predict(params, data)) ** 2, dim=1)
            c2 = time.process_time()
            grads = torch.autograd.grad(loss.sum(), list(params.values()))
            c3 = time.process_time()
            with torch.no_grad():  # the update train_many applies
                for (k, p), g in zip(params.items(), grads):
                    m1, m2 = state[k]
                    m1.lerp_(g, 0.1)
                    m2.mul_(0.999).addcmul_(g, g, value=0.001)
                    p.sub_((m1 / (m2.sqrt() / 0.5 + 1e-8)) * 0.01)
            loss.detach().tolist()
            c4 = time.process_time()
            for key, dt in zip(seg, (c1 - c0, c2 - c1, c3 - c2, c4 - c3)):
                seg[key] += 1e3 * dt / steps
        c0 = time.process_time()
        for _ in range(steps):
            for m, _, _ in runs:
                g = rngs[0]
                g.standard_normal((B * (m.n + 1), m.d))
                g.standard_normal((B, m._C_joint.shape[0], m.d))
                g.standard_normal((B, m.n + 1))
        seg["normal_draws_ms"] = 1e3 * (time.process_time() - c0) / steps
        seg["total_ms"] = sum(seg[k] for k in ("draw", "forward", "backward", "adam"))
        out[name] = seg
        print(f"  step segments, {name}: " + ", ".join(f"{k} {v:.2f} ms" for k, v in seg.items()), flush=True)
    out["load_1min"] = _load()
    return out


def sweep_cells() -> dict:
    """Trained sweep cells (every architecture, n in {6, 12, 24}, two seeds, quick budget)
    through the products form and through the earlier path."""
    from wpgd_theory.sweep import CLASSES, _build_model, _train_cells

    base = {"sigma": "identity", "d": 3, "noise": 0.5, "sizes": [4, 4, 4],
            "rho": [[1, 0, 0], [0, 1, 0], [0, 0, 1]], "r_task": [0.2, 0.9, 0.1]}
    cells = [(_build_model(base, {"n": n}), CLASSES[cls][1], 1, seed, "quick", DEVICE)
             for n in (6, 12, 24) for cls in ("linear-attention", "scalar-gla", "multihead-gla", "vector-gla")
             for seed in (0, 1)]
    out = {"cells": len(cells), "budget": "quick"}
    results = {}
    for name, on in (("earlier", False), ("products", True)):
        _products(on)
        load0 = _load()
        t0, c0 = time.perf_counter(), time.process_time()
        try:
            results[name] = _train_cells(cells)
        finally:
            _products(True)
        out[name] = {"wall_s": time.perf_counter() - t0, "cpu_s": time.process_time() - c0,
                     "load_1min": [load0, _load()]}
    out["wall_ratio"] = out["earlier"]["wall_s"] / out["products"]["wall_s"]
    out["cpu_ratio"] = out["earlier"]["cpu_s"] / out["products"]["cpu_s"]
    out["issue_baseline"] = _baseline_cells(base)
    if "wall_s" in out["issue_baseline"]:
        b = out["issue_baseline"]
        b["wall_ratio"] = b["wall_s"] / out["products"]["wall_s"]
        b["cpu_ratio"] = b["cpu_s"] / out["products"]["cpu_s"]
        b["max_rel_trained_risk_difference"] = max(abs(t - r["trained"]) / abs(r["trained"])
                                                   for t, r in zip(b.pop("trained"), results["products"]))
        out["target_5x"] = {"wall_ratio": b["wall_ratio"], "cpu_ratio": b["cpu_ratio"],
                            "met": b["wall_ratio"] >= 5 and b["cpu_ratio"] >= 5}
        print(f"  sweep cells at {b['revision']} (before issue 23's training work, gla.train cell by cell): "
              f"{b['wall_s']:.1f} s ({b['cpu_s']:.1f} s CPU): now {b['wall_ratio']:.1f}x faster wall, "
              f"{b['cpu_ratio']:.1f}x CPU", flush=True)
    out["max_rel_trained_risk_difference"] = max(abs(a["trained"] - b["trained"]) / abs(b["trained"])
                                                 for a, b in zip(results["products"], results["earlier"]))
    e, p = out["earlier"], out["products"]
    print(f"  sweep cells: {len(cells)} cells, earlier {e['wall_s']:.1f} s ({e['cpu_s']:.1f} s CPU), products "
          f"{p['wall_s']:.1f} s ({p['cpu_s']:.1f} s CPU): "
          f"{out['wall_ratio']:.1f}x wall, {out['cpu_ratio']:.1f}x CPU", flush=True)
    return out


#: The last commit before issue 23's training work (its ``sweep._train_cell`` trains a cell with
#: ``gla.train``, one after another): the "before" of the sweep cells' target
BASELINE_REVISION = "2086cbf^"

_BASELINE_SCRIPT = """
import json, sys, time
import torch
torch.set_num_threads(1)
from wpgd_theory.sweep import CLASSES, _build_model, _train_cell
base = json.loads(sys.argv[1])
cells = [(_build_model(base, {"n": n}), CLASSES[cls][1], 1, seed, "quick", "cpu")
         for n in (6, 12, 24) for cls in ("linear-attention", "scalar-gla", "multihead-gla", "vector-gla")
         for seed in (0, 1)]
t0, c0 = time.perf_counter(), time.process_time()
trained = [_train_cell(*c)["trained"] for c in cells]
print(json.dumps({"wall_s": time.perf_counter() - t0, "cpu_s": time.process_time() - c0, "trained": trained}))
"""


def _baseline_cells(base: dict) -> dict:
    """The same sweep cells trained by the code at :data:`BASELINE_REVISION` (a temporary git
    worktree, a child process with this interpreter): its wall and CPU seconds and trained
    risks, or ``{"error": ...}`` (not a git checkout, the revision missing, the child failing)."""
    import subprocess
    import tempfile

    root = Path(__file__).resolve().parent.parent
    with tempfile.TemporaryDirectory() as tmp:
        tree = Path(tmp) / "baseline"
        try:
            rev = subprocess.run(["git", "-C", str(root), "rev-parse", "--short", BASELINE_REVISION], check=True,
                                 capture_output=True, text=True).stdout.strip()
            subprocess.run(["git", "-C", str(root), "worktree", "add", "--detach", "-q", str(tree), rev], check=True,
                           capture_output=True, text=True)
        except (OSError, subprocess.CalledProcessError) as exc:
            return {"error": f"no worktree at {BASELINE_REVISION}: {getattr(exc, 'stderr', '') or exc}".strip()}
        try:
            load0 = _load()
            done = subprocess.run([sys.executable, "-c", _BASELINE_SCRIPT, json.dumps(base)], cwd=tree, check=True,
                                  capture_output=True, text=True, timeout=1800,
                                  env=dict(os.environ, PYTHONPATH=str(tree)))
            res = json.loads(done.stdout.strip().splitlines()[-1])
            res.update(revision=rev, load_1min=[load0, _load()])
            return res
        except (subprocess.SubprocessError, ValueError, IndexError) as exc:
            return {"error": f"{type(exc).__name__}: {exc}"}
        finally:
            subprocess.run(["git", "-C", str(root), "worktree", "remove", "--force", str(tree)], capture_output=True)


def whole_suite() -> dict:
    from wpgd_theory import parallel
    from wpgd_theory.claims.core import CheckContext

    load0 = _load()
    t0 = time.perf_counter()
    outcomes = parallel.run(None, "thorough", context=CheckContext(suite="thorough"), workers=1)
    wall = time.perf_counter() - t0
    checks = {chk.key: secs for o in outcomes for chk, _res, secs in o.results}
    top = dict(sorted(checks.items(), key=lambda kv: -kv[1])[:10])
    print(f"  thorough suite in-process: {wall:.1f} s", flush=True)
    return {"wall_s": wall, "statuses": {o.claim.id: o.status for o in outcomes}, "slowest_checks_s": top,
            "load_1min": [load0, _load()]}


def _full(out: dict, args) -> None:
    out["thorough_training_checks"] = full_checks()
    if args.reference:
        out["thorough_training_checks_reference"] = full_checks(reference=True)
        out["thorough_ratio"] = thorough_ratio(out["thorough_training_checks"],
                                               out["thorough_training_checks_reference"])
    else:
        for key in ("thorough_training_checks_reference", "thorough_ratio"):
            out.pop(key, None)  # from another version of the code


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--steps", type=int, default=40, help="steps per run of the workload (default 40)")
    ap.add_argument("--full", action="store_true", help="also run the thorough T1/T2 checks (minutes)")
    ap.add_argument("--suite", action="store_true", help="also run the whole thorough suite in-process")
    ap.add_argument("--quick", action="store_true", help="n <= 16 only, 10 steps (seconds); training_quick.json")
    ap.add_argument("--device", choices=("cpu", "cuda"), default="cpu", help="where the runs train (default cpu)")
    ap.add_argument("--full-only", action="store_true",
                    help="only the thorough T1/T2 checks, merged into the existing results/training.json")
    ap.add_argument("--reference", action="store_true",
                    help="with --full / --full-only / --profile: also through the earlier whole-prompt path")
    ap.add_argument("--profile", action="store_true", help="the thorough T1 check under cProfile, split by category")
    ap.add_argument("--sweep", action="store_true", help="trained sweep cells, products form vs the earlier path, and "
                    "the CPU time of one training step by segment")
    ap.add_argument("--merge", action="store_true",
                    help="only the parts asked (--full, --profile, --sweep, --suite), merged into the existing JSON")
    ap.add_argument("--profile-stats", metavar="PATH",
                    help="also split a saved cProfile stats file of claims.training.t1_match (with --profile-label)")
    ap.add_argument("--profile-label", default="saved profile", help="its key in t1_profile")
    args = ap.parse_args()
    if args.steps < 1:
        print("--steps must be a positive integer", file=sys.stderr)
        return 2
    torch.set_num_threads(1)
    steps = 10 if args.quick else args.steps
    global DEVICE
    DEVICE = args.device
    if args.full_only:
        args.merge = args.full = True
    name = "training_quick" if args.quick else "training"
    if args.merge:
        path = RESULTS / f"{name if DEVICE == 'cpu' else name + '_cuda'}.json"
        out = json.loads(path.read_text()) if path.exists() else {}
        out.pop("machine", None)
    else:
        out = {"threads": 1, "device": DEVICE, "workload": workload(steps, args.quick)}
        if not args.quick:
            out["forms"] = forms()
            args.sweep = True
    if args.sweep:
        out["sweep_cells"] = sweep_cells()
        out["step_segments"] = step_segments()
    if args.full:
        _full(out, args)
    if args.profile or args.profile_stats:
        prof = out.setdefault("t1_profile", {})
        if args.profile:
            prof["products form"] = profile_t1()
            if args.reference:
                prof["whole prompts (earlier)"] = profile_t1(reference=True)
        if args.profile_stats:
            import pstats

            prof[args.profile_label] = profile_breakdown(pstats.Stats(args.profile_stats))
    if args.suite:
        out["thorough_suite"] = whole_suite()
    path = write_json(name if DEVICE == "cpu" else f"{name}_cuda", out)
    print(f"wrote {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
