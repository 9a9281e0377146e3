"""Symbolic derivations: per-derivation timings, the symbolic claim checks per suite, the
proof checker, and how the Isserlis engine scales (issue 4, DESIGN.md performance targets).

* every derivation of :data:`wpgd_theory.symbolic.derivations.DERIVATIONS`, *cold* (caches
  cleared before each) at the ``quick`` and ``default`` levels (``--thorough`` adds that level),
  with the number of identities, the sizes covered and whether all hold;
* the registered symbolic claim checks, cold, per suite (target: default < 20 s, quick < 5 s
  on 2 cores), then warm (what a second run in the same process costs);
* ``check_proof`` per proof family (cold);
* the engine's W1 risk ``E(y − ŷ)²`` at growing ``(d, n)``: seconds, integrand monomials,
  risk terms, distinct monomial moments and hafnians evaluated;
* the symbolic-size engine (symbolic ``d``, ``n``): every all-sizes and certified function, cold,
  and the scope counts of the proofs (``all-sizes`` / ``certified`` / ``sizes`` / ``numeric``).

``--quick`` keeps the quick level and skips the engine scaling beyond d = n = 3.
Writes benchmarks/results/symbolic.json.
"""

from __future__ import annotations

import sys
import time

import sympy
from _common import write_json

from wpgd_theory.symbolic import derivations as D


def _cold(fn):
    D.clear_caches()
    t0 = time.perf_counter()
    out = fn()
    return out, time.perf_counter() - t0


def bench_derivations(levels) -> list:
    rows = []
    for level in levels:
        for key, der in D.DERIVATIONS.items():
            ids, secs = _cold(lambda der=der, level=level: der.run(level))
            t0 = time.perf_counter()  # residuals are computed lazily: count their time too
            residual = sum(i.residual for i in ids)
            ok = all(i.ok for i in ids)
            secs += time.perf_counter() - t0
            rows.append({"derivation": key, "claim": der.claim, "level": level, "seconds": round(secs, 4),
                         "identities": len(ids), "sizes": der.scope(level), "all_hold": ok, "residual": residual})
            print(f"{level:8s} {key:22s} {secs:8.3f}s  {len(ids):3d} identities  {der.scope(level)}"
                  f"  {'ok' if ok else 'FAIL'}", flush=True)
    return rows


def bench_claim_checks(suites) -> list:
    from wpgd_theory.claims import registry
    from wpgd_theory.claims.core import CheckContext
    from wpgd_theory.claims.runner import run_check

    checks = [c for cl in registry() for c in cl.checks if c.kind == "symbolic"]
    rows = []
    for suite in suites:
        for warm in (False, True):
            if not warm:
                D.clear_caches()
            ctx = CheckContext(suite=suite)
            per = []
            t0 = time.perf_counter()
            for chk in checks:
                if suite not in chk.suites:
                    continue
                res, secs = run_check(chk, ctx)
                per.append({"check": chk.key, "status": res.status, "seconds": round(secs, 4)})
            total = time.perf_counter() - t0
            rows.append({"suite": suite, "warm": warm, "seconds": round(total, 3), "checks": per,
                         "all_passed": all(p["status"] == "passed" for p in per)})
            print(f"symbolic claim checks, suite {suite:8s} {'warm' if warm else 'cold'}: {total:7.2f}s "
                  f"({len(per)} checks)", flush=True)
    return rows


def bench_proofs() -> list:
    from wpgd_theory.symbolic.proofcheck import check_proof, load_proofs

    rows = []
    D.clear_caches()
    for proof in load_proofs():
        t0 = time.perf_counter()
        res = check_proof(proof)
        secs = time.perf_counter() - t0
        counts = {s: sum(r.status == s for r in res) for s in ("✓", "✗", "pending", "—")}
        rows.append({"family": proof.family, "seconds": round(secs, 3), "steps": len(res), "status": counts})
        print(f"proof {proof.family:14s} {secs:7.2f}s  {counts}", flush=True)
    return rows


def bench_all_sizes() -> list:
    from wpgd_theory.symbolic import elasticity, induction, sizefree, stationary

    rows = []
    funcs = [getattr(sizefree, n) for n in ("w1_isserlis", "w1_label_variance", "w1_cross_moment",
                                             "w1_second_moment", "w1_risk", "w2_scaling", "w3_gradient",
                                             "w3_gradient_sympy", "w3_hessian", "w3_spectral", "w3_homogeneity",
                                             "w4_partials", "w4_mu", "w5_isotropic", "w6_zero_r", "a4_taskwise",
                                             "w3_profile_engine")]
    funcs += [getattr(stationary, n) for n in stationary.__all__]
    funcs += [getattr(induction, nm) for nm in induction.__all__ if nm.startswith("g") and nm != "g_unrolling"]
    funcs += [induction.g_unrolling, induction.confirm_rules]
    funcs += [getattr(elasticity, n) for n in elasticity.__all__ if n != "q_poly"]
    sizefree.engine_risk_all_sizes.cache_clear()
    for f in funcs:
        t0 = time.perf_counter()
        ids = f()
        ok = all(i.ok for i in ids)
        secs = time.perf_counter() - t0
        rows.append({"function": f"{f.__module__.rsplit('.', 1)[-1]}.{f.__name__}", "seconds": round(secs, 4),
                     "identities": len(ids), "all_hold": ok})
        print(f"all-sizes {rows[-1]['function']:34s} {secs:7.3f}s {len(ids):3d} identities {'ok' if ok else 'FAIL'}",
              flush=True)
    return rows


def bench_scopes() -> dict:
    from wpgd_theory.symbolic.proofcheck import load_proofs, scope_counts

    out = {p.family: scope_counts(p) for p in load_proofs()}
    for fam, c in out.items():
        print(f"scopes {fam:14s} {c}", flush=True)
    return out


def bench_engine(sizes) -> list:
    rows = []
    for d, n in sizes:
        D.clear_caches()
        t0 = time.perf_counter()
        pb = D.risk_problem(d, n)
        ys, yq = pb.labels()
        err = yq - pb.prediction(ys)
        integrand = err * err
        t1 = time.perf_counter()
        risk = pb.engine.expectation(integrand)
        t2 = time.perf_counter()
        ok = D.w1_risk(d, n).ok
        t3 = time.perf_counter()
        info = pb.engine.cache_info()
        rows.append({"d": d, "n": n, "build_seconds": round(t1 - t0, 4), "expectation_seconds": round(t2 - t1, 4),
                     "compare_seconds": round(t3 - t2, 4), "integrand_terms": len(integrand),
                     "risk_terms": len(risk), "gaussians": len(pb.engine.gaussians), **info, "closed_form_holds": ok})
        print(f"engine W1 d={d} n={n}: expand {t1 - t0:6.3f}s, E {t2 - t1:6.3f}s, integrand {len(integrand)} terms, "
              f"risk {len(risk)} terms, {info}", flush=True)
    return rows


def main(argv) -> int:
    quick = "--quick" in argv
    levels = ["quick"] if quick else ["quick", "default"] + (["thorough"] if "--thorough" in argv else [])
    suites = ["quick"] if quick else ["quick", "default"]
    engine_sizes = [(d, n) for d in (1, 2, 3) for n in (1, 2, 3)] + ([] if quick else [(4, 3), (4, 4), (5, 3)])
    payload = {
        "sympy": sympy.__version__,
        "levels": levels,
        "derivations": bench_derivations(levels),
        "claim_checks": bench_claim_checks(suites),
        "proofs": bench_proofs(),
        "engine_w1": bench_engine(engine_sizes),
        "all_sizes": bench_all_sizes(),
        "proof_scopes": bench_scopes(),
    }
    default = [r for r in payload["claim_checks"] if r["suite"] == "default" and not r["warm"]]
    quick_row = [r for r in payload["claim_checks"] if r["suite"] == "quick" and not r["warm"]]
    payload["targets"] = {
        "default_suite_symbolic_under_20s": (default[0]["seconds"] < 20) if default else None,
        "quick_suite_symbolic_under_5s": quick_row[0]["seconds"] < 5,
    }
    path = write_json("symbolic", payload)
    print(f"wrote {path}")
    failed = [r["derivation"] for r in payload["derivations"] if not r["all_hold"]]
    failed += [r["function"] for r in payload["all_sizes"] if not r["all_hold"]]
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
