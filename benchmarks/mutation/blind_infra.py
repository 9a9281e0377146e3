# ruff: noqa: E501  (exact snippets of library lines: data, not code)
"""Blind mutants of the infrastructure (written from the library modules and docs only)."""
BLIND = (
    # ------------------------------------------------------------------ config.py
    # parse_config({"model": [{"name": "a", "sigma": [1.0], "n": 2, "noise": 0.5}]}).models["a"].noise: 0.5 -> 0.0
    dict(id="config-single-task-noise-dropped", file="wpgd_theory/config.py",
         original='return MultitaskModel.single_task(spec["n"], sigma=sigma, noise=float(noise))',
         replacement='return MultitaskModel.single_task(spec["n"], sigma=sigma)',
         rationale="the single-task branch forgets to pass the validated noise variance, so an `n = ...` model "
                   "silently runs noiseless",
         claims=(),
         kind="infrastructure",
         equivalent=None),
    # parse_config({"model": [{"name": "a", "sigma": [4.0, 1.0], "n": 2}]}).models["a"].sigma: diag(4, 1) -> diag(2, 1)
    dict(id="config-diag-sigma-read-as-std", file="wpgd_theory/config.py",
         original="return np.diag(diag)",
         replacement="return np.diag(np.sqrt(diag))",
         rationale="a list-valued `sigma` is read as standard deviations (square-rooted) although the docs say "
                   "it is diag(Σ), the variances",
         claims=(),
         kind="infrastructure",
         equivalent=None),
    # parse_config({"sigma": [1.0], "n": 2, "seed": 5, "suite": "quick"}).seed: 5 -> None
    dict(id="config-single-model-file-drops-run-defaults", file="wpgd_theory/config.py",
         original='data = {k: v for k, v in data.items() if k in ("seed", "suite")} | {"model": [spec]}',
         replacement='data = {"model": [spec]}',
         rationale="when a file holds one model at its top level, the rewrite into the [[model]] form drops the "
                   "top-level seed and suite run defaults",
         claims=(),
         kind="infrastructure",
         equivalent=None),
    # _check_size({"sigma": "identity", "d": 6000, "n": 1}, "n", "w", False, None): ConfigError -> accepted
    dict(id="config-size-limit-needs-both", file="wpgd_theory/config.py",
         original="over = mem > MAX_MEMORY_BYTES or secs > MAX_SETUP_SECONDS",
         replacement="over = mem > MAX_MEMORY_BYTES and secs > MAX_SETUP_SECONDS",
         rationale="a model is refused only when it exceeds both the memory and the time limit instead of either",
         claims=(),
         kind="infrastructure",
         equivalent=None),
    # ------------------------------------------------------------------ sweep.py
    # cell_key of the same point/seed for specs with budget "quick" and "default": different -> equal
    dict(id="sweep-cache-key-omits-budget", file="wpgd_theory/sweep.py",
         # re-anchored (same bug) after the sweep cache's canonical key (issue 24 item 5)
         original='"depth": point.get("depth", 1), "seed": seed, "train": spec.train, "budget": spec.budget,',
         replacement='"depth": point.get("depth", 1), "seed": seed, "train": spec.train,',
         rationale="the cache key leaves out the training budget, so a rerun with a larger budget reuses cells "
                   "trained with the smaller one",
         claims=(),
         kind="infrastructure",
         equivalent=None),
    # _build_model(base with sizes [2, 2], {"n": 5}).n: 5 -> 4
    dict(id="sweep-n-axis-drops-remainder", file="wpgd_theory/sweep.py",
         original='spec["sizes"] = [n // K + (1 if k < n % K else 0) for k in range(K)]',
         replacement='spec["sizes"] = [n // K for k in range(K)]',
         rationale="the n axis splits n over the K tasks by integer division and loses the remainder, so the "
                   "model has fewer than n examples",
         claims=(),
         kind="infrastructure",
         equivalent=None),
    # run_sweep with grid n=[6] then n=[4, 6] into the same folder: rows' n_total [4, 6] -> [6, 4]
    dict(id="sweep-table-in-completion-order", file="wpgd_theory/sweep.py",
         # re-anchored (same bug) after the sweep cache's validation (issue 24 item 5)
         original="table = [rows[i] for i in range(spec.num_cells)]",
         replacement="table = list(rows.values())",
         rationale="the table is assembled in the order rows arrived (cached first, then as Dask finished) "
                   "instead of grid order",
         claims=(),
         kind="infrastructure",
         equivalent=None),
    # parse_spec(..., [sweep] seeds = 2).seeds: [0, 1] -> [1, 2]
    dict(id="sweep-seed-count-starts-at-one", file="wpgd_theory/sweep.py",
         original="seeds = list(range(seeds))",
         replacement="seeds = list(range(1, seeds + 1))",
         rationale="a seed count N is expanded to seeds 1..N instead of the documented 0..N-1",
         claims=(),
         kind="infrastructure",
         equivalent=None),
    # _group_mean([{"trained": 1.0}, {"trained": 3.0}], "trained"): (2.0, 1.0) -> (2.0, 0.707)
    dict(id="sweep-group-se-population-std", file="wpgd_theory/sweep.py",
         original="return float(np.mean(vals)), float(np.std(vals, ddof=1) / math.sqrt(len(vals)))",
         replacement="return float(np.mean(vals)), float(np.std(vals) / math.sqrt(len(vals)))",
         rationale="the standard error over seeds uses the biased (ddof=0) standard deviation, shrinking the "
                   "error bars of the sweep figures",
         claims=(),
         kind="infrastructure",
         equivalent=None),
    # ------------------------------------------------------------------ parallel.py
    # _run_task(["X:a"], "quick", 7, ...) with run_check reporting ctx.seed: 7 -> 0
    dict(id="parallel-worker-context-drops-seed", file="wpgd_theory/parallel.py",
         original="ctx = CheckContext(suite=suite, seed=seed, device=device, models=dict(models))",
         replacement="ctx = CheckContext(suite=suite, device=device, models=dict(models))",
         rationale="the fresh context on the worker is built without the run's seed, so a parallel run uses "
                   "seed 0 whatever --seed says",
         claims=(),
         kind="infrastructure",
         equivalent=None),
    # _assemble with attempts {"0000:X:a": 1, "0000:X:a/0": 1}: no message -> "1 of its sub-tasks re-run ..."
    dict(id="parallel-subtask-single-attempt-counted-as-rerun", file="wpgd_theory/parallel.py",
         # re-anchored (same bug) after the sub-task id parsing fix (a check name may contain "/")
         original='subs = {k[len(task_id) + 1:]: c for k, c in attempts.items() if k.startswith(task_id + "/") and c > 1}',
         replacement='subs = {k[len(task_id) + 1:]: c for k, c in attempts.items() if k.startswith(task_id + "/") and c >= 1}',
         rationale="every sub-task that ran once is reported as re-run after its worker died",
         claims=(),
         kind="infrastructure",
         equivalent=None),
    # _gpu_routing(ctx with device "cpu", client with a GPU worker): False -> True
    dict(id="parallel-gpu-routing-ignores-device", file="wpgd_theory/parallel.py",
         original='return ctx.device == "cuda" and _has_gpu_workers(client)',
         replacement="return _has_gpu_workers(client)",
         rationale="torch and training work requests the GPU resource whenever the cluster has a GPU worker, "
                   "even for a --device cpu run",
         claims=(),
         kind="infrastructure",
         equivalent=None),
    # ------------------------------------------------------------------ claims/core.py, claims/runner.py
    # CheckContext with an in-order mapper: ctx.map(str, [1, 3, 2], cost=float): ['1', '3', '2'] -> ['3', '2', '1']
    dict(id="core-map-results-in-submission-order", file="wpgd_theory/claims/core.py",
         original="for i, res in zip(order, done):",
         replacement="for i, res in enumerate(done):",
         rationale="the results of a cost-sorted parallel map are stored in submission order instead of being "
                   "put back at their items' positions",
         claims=("T1", "T2"),
         kind="value",
         equivalent=None),
    # compare_monte_carlo(0.0, 0.1, 1.0).status: failed -> passed
    dict(id="core-monte-carlo-one-sided", file="wpgd_theory/claims/core.py",
         original='zs = abs(diff) / se if se > 0 else (0.0 if diff == 0 else float("inf"))',
         replacement='zs = diff / se if se > 0 else (0.0 if diff == 0 else float("inf"))',
         rationale="the z-score loses its absolute value, so any estimate below the reference passes",
         claims=(),
         kind="leniency",
         equivalent=None),
    # combine_results([passed(1e-3 <= 1), error("boom")], "x").status: error -> passed
    dict(id="core-combine-ignores-error-instance", file="wpgd_theory/claims/core.py",
         original="fails = [r for r in applicable if not r.passed]",
         replacement='fails = [r for r in applicable if r.status == "failed"]',
         rationale="only failed instances decide a combined check, so an instance that raised is dropped and "
                   "the worst passing instance represents the check",
         claims=(),
         kind="leniency",
         equivalent=None),
    # ClaimOutcome with a passed numeric check and a skipped torch check: not verified -> verified
    dict(id="runner-skipped-check-counts-as-passed", file="wpgd_theory/claims/runner.py",
         original='if statuses <= {"passed", "not applicable"} and evidence:',
         replacement='if statuses <= {"passed", "not applicable", "skipped"} and evidence:',
         rationale="a skipped check is treated like a not-applicable one, so a claim with a skipped check is "
                   "verified",
         claims=(),
         kind="leniency",
         equivalent=None),
    # ClaimOutcome whose only check is a passed "consistency" check: not verified -> verified
    dict(id="runner-consistency-counts-as-evidence", file="wpgd_theory/claims/runner.py",
         original="evidence = any(r.passed and c.kind in EVIDENCE_KINDS for c, r, _ in self.results)",
         replacement="evidence = any(r.passed for c, r, _ in self.results)",
         rationale="any passed check counts as evidence, including consistency checks whose two sides share code",
         claims=(),
         kind="leniency",
         equivalent=None),
    # ------------------------------------------------------------------ architectures/
    # run_conformance("retnet", n=4, d=2, num_prompts=8): all passed -> all failed
    dict(id="registry-retnet-exponent-off-by-one", file="wpgd_theory/architectures/registry.py",
         original="omega = gamma ** (n - np.arange(n))",
         replacement="omega = gamma ** (n - 1 - np.arange(n))",
         rationale="RetNet's geometric weights are computed as γ^{n−i} instead of γ^{n+1−i}, forgetting the "
                   "query token's decay step",
         claims=("G1",),
         kind="value",
         equivalent=None),
    # float32_tolerance(9, 6): 4.29e-6 -> 8.58e-6
    dict(id="registry-unit-roundoff-as-epsilon", file="wpgd_theory/architectures/registry.py",
         original="U32 = 2.0**-24",
         replacement="U32 = 2.0**-23",
         rationale="float32 machine epsilon is used where the rounding bound needs the unit roundoff, doubling "
                   "every conformance tolerance",
         claims=("G1",),
         kind="leniency",
         equivalent=None),
    # run_conformance("mamba2", n=4, d=2, num_prompts=8)[0].passed: True -> False
    dict(id="registry-mamba2-decay-sum-inclusive", file="wpgd_theory/architectures/registry.py",
         original="omega = dd[:n] * np.exp(-np.exp(A_log) * (np.cumsum(dd[::-1])[::-1][1:]))",
         replacement="omega = dd[:n] * np.exp(-np.exp(A_log) * (np.cumsum(dd[::-1])[::-1][:-1]))",
         rationale="the Mamba-2 weight of example i decays by the sum of step sizes from i on instead of from "
                   "i+1 on (off by one position)",
         claims=("G1",),
         kind="value",
         equivalent=None),
    # layer_conformance("gla")["identity"].passed: True -> False
    dict(id="layers-gla-gate-product-includes-own-gate", file="wpgd_theory/architectures/layers.py",
         original="omega = np.array([np.prod(gates[i + 1:]) for i in range(n)])",
         replacement="omega = np.array([np.prod(gates[i:]) for i in range(n)])",
         rationale="the reference weights of the GLA layer multiply the example's own gate too, Π_{j≥i} g_j "
                   "instead of Π_{j>i} g_j",
         claims=("G1",),
         kind="value",
         equivalent=None),
    # best_risk(from_tasks([2, 2, 2], I, [0.2, 0.9, 0.1], Σ = I₂, σ² = 0.5), "nonnegative").risk changes
    dict(id="cones-polarisation-linear-term-halved", file="wpgd_theory/architectures/cones.py",
         original="g = (lm - lp) / 4.0",
         replacement="g = (lm - lp) / 2.0",
         rationale="the linear term recovered by polarisation from L(P, ±e_i) is divided by 2 instead of 4, so "
                   "the NNLS solves the wrong quadratic and the nonnegative class optimum is wrong",
         claims=("G1",),
         kind="value",
         equivalent=None),
    # best_risk(from_tasks([2, 2, 2], I, [0.2, 0.9, 0.1], Σ = I₂, σ² = 0.5), "geometric").risk changes
    dict(id="cones-geometric-keeps-worse-refinement", file="wpgd_theory/architectures/cones.py",
         original="if res.fun < best_v:\n            best_g, best_v = float(res.x), float(res.fun)",
         replacement="if res.fun > best_v:\n            best_g, best_v = float(res.x), float(res.fun)",
         rationale="the bounded-Brent refinement of RetNet's γ replaces the grid optimum only when it is worse, "
                   "so the geometric class reports a too-high best risk",
         claims=("G1",),
         kind="value",
         equivalent=None),
    # architecture_table on a control whose exact alternative statement fails: as_stated False -> True
    dict(id="table-as-stated-ignores-exact-statements", file="wpgd_theory/architectures/table.py",
         original='"as_stated": v["implements_wpgd"] == arch.implements_wpgd and v["exact_statements_hold"],',
         replacement='"as_stated": v["implements_wpgd"] == arch.implements_wpgd,',
         rationale="a control counts as stated as soon as it is not WPGD, even when the exact statement of what "
                   "it computes does not hold",
         claims=("G1",),
         kind="leniency",
         equivalent=None),
    # train_architecture("mamba2", from_tasks([2, 2, 2], ...), steps=1, batch=8).optimum changes
    dict(id="train-mamba2-optimum-of-monotone-class", file="wpgd_theory/architectures/train.py",
         # relocated (not rewritten): the class map moved to train.TRAINED_CLASS; same change of mamba2's class
         original='"simple_gla": "monotone", "mamba2": "nonnegative", "gla": "free"}',
         replacement='"simple_gla": "monotone", "mamba2": "monotone", "gla": "free"}',
         rationale="Mamba-2's trained risk is compared with the optimum of the monotone class instead of its own "
                   "larger nonnegative class",
         claims=("T1",),
         kind="value",
         equivalent=None),
    # check_recurrence(fla_ops.linear_attention, n=2, d=1, max_examples=1).tolerance: 10 γ_m -> 100 γ_m
    dict(id="conformance-default-tolerance-100x", file="wpgd_theory/architectures/conformance.py",
         original='tol = 10.0 * float32_tolerance(n + 1, d) if tol is None else as_scalar(tol, "tol", minimum=0.0, strict=True)',
         replacement='tol = 100.0 * float32_tolerance(n + 1, d) if tol is None else as_scalar(tol, "tol", minimum=0.0, strict=True)',
         rationale="the default tolerance of check_recurrence is 100 γ_m instead of the documented 10 γ_m",
         claims=("G1",),
         kind="leniency",
         equivalent=None),
    # architectures.cli.run with a table where one row is not as stated: exit 1 -> 0
    dict(id="archcli-exit-any-as-stated", file="wpgd_theory/architectures/cli.py",
         original='return 0 if all(a["as_stated"] for a in doc["architectures"]) else 1',
         replacement='return 0 if any(a["as_stated"] for a in doc["architectures"]) else 1',
         rationale="`wpgd-verify architectures` exits 0 when some, not every, architecture's verdict is the "
                   "stated one",
         claims=("G1",),
         kind="leniency",
         equivalent=None),
    # ------------------------------------------------------------------ report/
    # overall_status(["not applicable"]): not verified -> verified
    dict(id="document-all-not-applicable-is-verified", file="wpgd_theory/report/document.py",
         original='if statuses and all(s == "verified" for s in statuses):',
         replacement='if all(s == "verified" for s in statuses):',
         rationale="a run whose claims are all not applicable (or empty) is reported verified, because all() of "
                   "an empty list is true",
         claims=(),
         kind="leniency",
         equivalent=None),
    # build_document([one claim without checks], suite="quick", seed=0)["exit_status"]: 1 -> 0
    dict(id="document-exit-status-zero-unless-failed", file="wpgd_theory/report/document.py",
         original='"exit_status": 0 if status == "verified" else 1,',
         replacement='"exit_status": 0 if status != "failed" else 1,',
         rationale="the exit status is 0 for a not-verified run; only a failed one exits 1",
         claims=(),
         kind="leniency",
         equivalent=None),
    # _check_entry(check, CheckResult("failed", 0.5, 0.1), 0.0, 0)["tolerance"]: 0.1 -> 0.5
    dict(id="document-tolerance-shows-measured", file="wpgd_theory/report/document.py",
         original='"tolerance": jsonable(res.tolerance),',
         replacement='"tolerance": jsonable(res.measured),',
         rationale="a copy-paste slip records the measured value as the check's tolerance in report.json",
         claims=(),
         kind="infrastructure",
         equivalent=None),
    # jsonable({"v": [1.0, nan]}): {"v": [1.0, None]} -> {"v": [1.0, "nan"]}
    dict(id="document-nan-in-array-as-string", file="wpgd_theory/report/document.py",
         original="return None if (complete or in_array) else name",
         replacement="return None if complete else name",
         rationale="a non-finite number inside a list becomes the string 'nan' instead of null, putting strings "
                   "into numeric arrays of report.json",
         claims=(),
         kind="infrastructure",
         equivalent=None),
    # verdict({"status": "error", "measured": 0.5, "tolerance": 1.0}): "0.5 vs 1" -> "0.5 ≤ 1"
    dict(id="measures-relation-le-unless-failed", file="wpgd_theory/report/measures.py",
         original='if check.get("status") == "passed":',
         replacement='if check.get("status") != "failed":',
         rationale="an errored or skipped check is shown with '≤' beside its bound, like a passed one",
         claims=(),
         kind="infrastructure",
         equivalent=None),
    # _recover(target) with OUT missing and two complete staging folders (mtimes 1000, 1100): restores 1100 -> 1000
    dict(id="atomic-recover-oldest-report", file="wpgd_theory/report/atomic.py",
         original="newest = max(complete, key=lambda p: p.stat().st_mtime)",
         replacement="newest = min(complete, key=lambda p: p.stat().st_mtime)",
         rationale="after a killed fallback swap the oldest complete staging folder is put back instead of the "
                   "newest, restoring a stale report",
         claims=(),
         kind="infrastructure",
         equivalent=None),
    # _is_complete(folder holding only report.md): False -> True
    dict(id="atomic-is-complete-any-file", file="wpgd_theory/report/atomic.py",
         original="return all((folder / name).is_file() for name in REPORT_FILES)",
         replacement="return any((folder / name).is_file() for name in REPORT_FILES)",
         rationale="a staging folder with any one report file counts as complete, so recovery can put back a "
                   "partial report",
         claims=(),
         kind="infrastructure",
         equivalent=None),
    # ------------------------------------------------------------------ symbolic/derivations.py
    # w2_scaling(1, 1, perturb=L + P_11).ok: False -> True
    dict(id="derivations-w2-scaling-unscaled-exponent", file="wpgd_theory/symbolic/derivations/risk.py",
         original="scaled[monom + (e,)] = scaled.get(monom + (e,), 0) + coeff",
         replacement="scaled[monom + (2,)] = scaled.get(monom + (2,), 0) + coeff",
         rationale="the κ exponent of each monomial is not applied, so W2.scaling compares the risk with itself",
         claims=("W2",),
         kind="leniency",
         equivalent=None),
    # w3_ridge(1, ridge=lambda S, c, a, b: (S.scalarmul(c), S.det())).ok: False -> True
    dict(id="derivations-w3-ridge-compares-itself", file="wpgd_theory/symbolic/derivations/risk.py",
         original="N1.scalarmul(d2), N2.scalarmul(d1), time.perf_counter() - t0)",
         replacement="N1.scalarmul(d2), N1.scalarmul(d2), time.perf_counter() - t0)",
         rationale="a copy-paste slip puts the optimal-preconditioner form on both sides of W3.ridge, so the "
                   "ridge formula is never compared",
         claims=("W3",),
         kind="leniency",
         equivalent=None),
    # g1_one_layer(1, 1)[0].ok: True -> False
    dict(id="derivations-gate-weights-exclude-query-gate", file="wpgd_theory/symbolic/derivations/core.py",
         original="return [ring_prod(gates[i + 1:], one) for i in range(n)]",
         replacement="return [ring_prod(gates[i + 1:n], one) for i in range(n)]",
         rationale="the claimed one-layer weights stop before the query's gate g_{n+1}, which the docstring "
                   "says is included",
         claims=("G1", "G2", "G3"),
         kind="value",
         equivalent=None),
    # w4_gradient(1, 2).ok: True -> False
    dict(id="derivations-stationary-matrix-drops-one", file="wpgd_theory/symbolic/derivations/core.py",
         original="return [[R[i][j] + ((1 + mu) if i == j else 0) for j in range(n)] for i in range(n)]",
         replacement="return [[R[i][j] + (mu if i == j else 0) for j in range(n)] for i in range(n)]",
         rationale="the claimed stationary matrix is R + μI instead of R + (1+μ)I",
         claims=("W4",),
         kind="value",
         equivalent=None),
    # len(derivation("W1.label_variance").run("quick")): 3 -> 1
    dict(id="derivations-run-smallest-size-only", file="wpgd_theory/symbolic/derivations/core.py",
         original="for size in self.sizes[level]:",
         replacement="for size in self.sizes[level][:1]:",
         rationale="a derivation runs only at the first (smallest) size of its level, while its scope still "
                   "lists them all",
         claims=(),
         kind="leniency",
         equivalent=None),
    # ------------------------------------------------------------------ symbolic/proofcheck.py
    # _check_symbolic(certified("t", lambda: [], ())).status: ✗ -> ✓
    dict(id="proofcheck-empty-identity-list-passes", file="wpgd_theory/symbolic/proofcheck.py",
         original="if isinstance(result, (list, tuple)) and result and all(isinstance(r, Identity) for r in result):",
         replacement="if isinstance(result, (list, tuple)) and all(isinstance(r, Identity) for r in result):",
         rationale="a symbolic check returning an empty list is accepted as zero identities, all exact, and the "
                   "step is marked ✓ with nothing verified",
         claims=(),
         kind="leniency",
         equivalent=None),
    # _check_numeric(numeric step, {key: check that raises}, run_numeric=True, "quick").status: ✗ -> pending
    dict(id="proofcheck-numeric-error-is-pending", file="wpgd_theory/symbolic/proofcheck.py",
         original='status = {"passed": "✓", "failed": "✗", "error": "✗"}.get(res.status, "pending")',
         replacement='status = {"passed": "✓", "failed": "✗"}.get(res.status, "pending")',
         rationale="a numeric step whose check raised is shown as pending instead of failed, so the proof "
                   "checker does not count it and exits 0",
         claims=(),
         kind="leniency",
         equivalent=None),
    # ------------------------------------------------------------------ commands/run.py (the run command)
    # main(["run", "--seed", "0", "--config", file with seed = 5, ...]): ctx.seed 0 -> 5
    dict(id="cli-seed-zero-overridden-by-config", file="wpgd_theory/commands/run.py",
         original="seed = args.seed if args.seed is not None else (cfg.seed if cfg and cfg.seed is not None else 0)",
         replacement="seed = args.seed or (cfg.seed if cfg and cfg.seed is not None else 0)",
         rationale="`--seed 0` is falsy and falls through to the config file's seed, although command-line "
                   "flags override the config",
         claims=(),
         kind="infrastructure",
         equivalent=None),
    # main(["run", "--only", "W1", ...]) without --suite or config: suite "default" -> "quick"
    dict(id="cli-default-suite-quick", file="wpgd_theory/commands/run.py",
         original='suite = args.suite or (cfg.suite if cfg and cfg.suite else "default")',
         replacement='suite = args.suite or (cfg.suite if cfg and cfg.suite else "quick")',
         rationale="without --suite and without a config suite the run uses 'quick' instead of the documented "
                   "'default'",
         claims=(),
         kind="infrastructure",
         equivalent=None),
    # cmd_run whose report document is {"status": "not verified", "exit_status": 1}: exit 1 -> 0
    dict(id="cli-exit-zero-unless-failed", file="wpgd_theory/commands/run.py",
         original='return doc["exit_status"]',
         replacement='return EXIT_FAILED if doc["status"] == "failed" else EXIT_OK',
         rationale="the run command derives its exit code from 'failed' alone, so a not-verified run exits 0",
         claims=(),
         kind="leniency",
         equivalent=None),
    # _parse_only("g1", ["G1", "W1"]): ["G1"] -> UsageError (exit 2)
    dict(id="cli-only-ids-case-sensitive", file="wpgd_theory/commands/run.py",
         original="part = part.strip().upper()",
         replacement="part = part.strip()",
         rationale="--only ids are no longer upper-cased, so `--only g1` is rejected as an unknown id",
         claims=(),
         kind="infrastructure",
         equivalent=None),
)
