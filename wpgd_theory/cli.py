"""``wpgd-verify``: the command line of the verifier.

Commands:

``wpgd-verify run [--suite S] [--only G1,W5,...] [--out DIR] [--seed N] [--device D] [--config FILE] [--quiet]``
    Run the claim registry (:func:`wpgd_theory.claims.run`) in suite ``S`` (``quick``,
    ``default``, ``thorough``) on device ``D`` (``cpu``, ``cuda``) with a progress bar on
    stderr (off when stderr is not a terminal or with ``--quiet``) and write
    ``DIR/report.html``, ``report.json``, ``report.md`` and ``figures/`` atomically
    (default ``DIR`` is ``./wpgd-report``).

``wpgd-verify solve FILE.toml|FILE.json [--model NAME] [--json]``
    The optimal WPGD (``wpgd_theory.landscape.solve``) for the model(s) in a
    configuration file (:mod:`wpgd_theory.config`).

``wpgd-verify list [--json]``
    The claims and their registered checks (id, title, check names, kinds, suites).

Exit status:

* ``0`` — every applicable claim in the run is *verified* (it has checks in the suite,
  every applicable one passed, at least one of them independent evidence), and at least
  one claim is; a claim is *not applicable* when no model of the run meets its premise
  (listed with the reason, never counted as passed);
* ``1`` — some check failed or raised, or some claim is *not verified* (no checks in the
  suite, a check skipped, or only consistency checks): a claim without passing evidence
  is never counted as passed. A summary line names those claims;
* ``2`` — usage or input error (bad option, unknown ``--only`` id, invalid ``--config``,
  unwritable ``--out``, ``solve`` unavailable): one line on stderr, no traceback;
* ``130`` — interrupted (Ctrl-C); the previous report, if any, is left as it was.

``--device cuda`` without a usable CUDA device (or without torch) is not an error: a
warning line is printed and the run uses the CPU; the report records both the requested
and the used device.  torch is imported only in that case (its version is read from
package metadata otherwise).
"""

from __future__ import annotations

import argparse
import importlib
import json
import shlex
import sys
import time

__all__ = ["main", "build_parser", "EXIT_OK", "EXIT_FAILED", "EXIT_USAGE"]

EXIT_OK, EXIT_FAILED, EXIT_USAGE, EXIT_INTERRUPTED = 0, 1, 2, 130
PROG = "wpgd-verify"


class UsageError(Exception):
    """A usage or input error: printed as one line, exit status 2."""


class _Parser(argparse.ArgumentParser):
    def error(self, message):  # one line, no usage dump
        raise UsageError(f"{message} (see {self.prog} --help)")


def _nonneg_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected an integer >= 0, got {text!r}") from None
    if value < 0:
        raise argparse.ArgumentTypeError(f"expected an integer >= 0, got {value}")
    return value


def build_parser() -> argparse.ArgumentParser:
    from . import __version__

    p = _Parser(prog=PROG, description="Verify the claims of 'Gating is Weighting' (GLA as weighted "
                                       "preconditioned gradient descent) and write a report.")
    p.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    sub = p.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)

    r = sub.add_parser("run", help="run the checks and write the report",
                       description="Run the claim registry and write DIR/report.{html,json,md}. "
                                   "Exit 0 iff every applicable claim in the run is verified, 1 otherwise, "
                                   "2 on bad input.")
    r.add_argument("--suite", choices=("quick", "default", "thorough"), default=None,
                   help="quick (< 15 s), default (< 90 s on 2 cores) or thorough (minutes); "
                        "default: the config file's suite, else 'default'")
    r.add_argument("--only", metavar="IDS", default=None,
                   help="comma-separated claim ids to run, e.g. G1,W5 (default: all)")
    r.add_argument("--out", metavar="DIR", default="wpgd-report", help="output directory (default: ./wpgd-report)")
    r.add_argument("--seed", type=_nonneg_int, default=None, metavar="N",
                   help="seed of every check's random generator (default: the config's seed, else 0)")
    r.add_argument("--device", choices=("cpu", "cuda"), default="cpu",
                   help="device for torch checks; cuda falls back to cpu with a warning when unavailable")
    r.add_argument("--config", metavar="FILE", default=None,
                   help="TOML or JSON file with your own model instances (see the docs: how-to/config)")
    r.add_argument("--quiet", "-q", action="store_true", help="no progress bar and only the final summary lines")
    r.set_defaults(handler=cmd_run)

    s = sub.add_parser("solve", help="optimal WPGD for a model instance",
                       description="Solve for the optimal WPGD (P*, omega*, risk, W4 roots, uniqueness "
                                   "certificate) of the model(s) in a TOML or JSON configuration file.")
    s.add_argument("file", metavar="FILE", help="a .toml or .json model file (same schema as --config)")
    s.add_argument("--model", metavar="NAME", default=None, help="solve only this model of the file")
    s.add_argument("--json", action="store_true", help="print JSON instead of text")
    s.set_defaults(handler=cmd_solve)

    ls = sub.add_parser("list", help="list claims and their checks")
    ls.add_argument("--json", action="store_true", help="print JSON instead of text")
    ls.set_defaults(handler=cmd_list)

    ar = sub.add_parser("architectures", help="which real architectures (flash-linear-attention) implement WPGD",
                        description="Run the WPGD constructions through fla's ops for each architecture and "
                                    "print architecture -> implements WPGD -> weight class -> best risk per model "
                                    "-> discrepancy. Exit 0 iff every verdict is the stated one.")
    ar.add_argument("--json", action="store_true", help="print JSON instead of text")
    ar.add_argument("--config", metavar="FILE", default=None, help="TOML or JSON models (default: the built-in ones)")
    ar.add_argument("--seed", type=_nonneg_int, default=0, metavar="N", help="seed of the sampled prompts")
    ar.set_defaults(handler=cmd_architectures)
    return p


def _err(message: str) -> None:
    print(f"{PROG}: error: {message}", file=sys.stderr)


def _warn(message: str) -> None:
    print(f"{PROG}: warning: {message}", file=sys.stderr)


def _load_config(path):
    from .config import ConfigError, load_config

    try:
        return load_config(path)
    except ConfigError as exc:
        raise UsageError(str(exc)) from None


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


def resolve_device(requested: str) -> str:
    """The device to run on: ``cuda`` only when torch sees a CUDA device, else ``cpu`` (with a warning)."""
    if requested != "cuda":
        return "cpu"
    try:
        import torch

        if torch.cuda.is_available():
            return "cuda"
        why = "torch.cuda.is_available() is False"
    except Exception as exc:  # torch missing or broken
        why = f"torch cannot be imported ({type(exc).__name__}: {exc})"
    _warn(f"--device cuda requested but CUDA is not available ({why}); running on CPU")
    return "cpu"


def _progress(total: int, quiet: bool):
    from tqdm import tqdm

    disable = quiet or not sys.stderr.isatty()
    return tqdm(total=total, disable=disable, file=sys.stderr, unit="check", desc="verifying",
                dynamic_ncols=True, leave=False)


# --------------------------------------------------------------------------- run
def cmd_run(args) -> int:
    from .claims import runner
    from .claims.core import CheckContext
    from .report import ReportDirError, ensure_writable, write_report

    registry = runner.registry()
    known = [c.id for c in registry]
    claim_ids = _parse_only(args.only, known)
    cfg = _load_config(args.config) if args.config else None
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
    bar = _progress(len(planned), args.quiet)

    def on_start(chk):
        key = chk.key if len(chk.key) <= 40 else chk.key[:39] + "…"
        bar.set_postfix_str(key, refresh=True)

    def progress(chk, res):
        bar.update(1)

    t0 = time.perf_counter()
    try:
        outcomes = runner.run(claim_ids, suite, context=ctx, progress=progress, on_start=on_start)
    finally:
        bar.close()
    checks_s = time.perf_counter() - t0
    command = " ".join([PROG] + [shlex.quote(a) for a in args.argv])
    try:
        doc = write_report(outcomes, ctx, out, claim_ids=claim_ids, checks_duration_s=checks_s,
                           requested_device=args.device, config=args.config, command=command)
    except OSError as exc:  # e.g. disk full while writing: no report.json is left behind
        raise UsageError(f"--out {out}: could not write the report ({exc.strerror or exc})") from None
    _print_run_summary(doc, out, args.quiet)
    return doc["exit_status"]


def _print_run_summary(doc, out, quiet: bool) -> None:
    summ = doc["summary"]
    if not quiet:
        for c in doc["claims"]:
            n = len(c["checks"])
            passed = sum(1 for ch in c["checks"] if ch["status"] == "passed")
            extra = f"  ({c['reason']})" if c["reason"] else ""
            print(f"  {c['id']:<3} {c['status']:<14} {passed}/{n} checks passed{extra}")
    cc = summ["claims"]
    line = (f"{doc['status'].upper()}: {cc['verified']}/{cc['total']} claims verified, {cc['failed']} failed, "
            f"{cc['not verified']} not verified, {cc['not applicable']} not applicable "
            f"({doc['run']['suite']} suite, {doc['run']['duration_s']:.1f} s)")
    print(line)
    if summ["failed_claims"]:
        print("failed: " + ", ".join(summ["failed_claims"]))
    if summ["unverified_claims"]:
        from .report.markdown import group_reasons

        print("not verified: " + "; ".join(f"{', '.join(ids)} ({reason})"
                                           for reason, ids in group_reasons(summ["unverified_claims"])))
    if summ["not_applicable_claims"]:
        from .report.markdown import group_reasons

        print("not applicable: " + "; ".join(f"{', '.join(ids)} ({reason})"
                                             for reason, ids in group_reasons(summ["not_applicable_claims"])))
    print(f"report: {out / 'report.html'} (also report.json, report.md)")


# --------------------------------------------------------------------------- solve
_SOLUTION_FIELDS = ("P", "omega", "risk", "roots", "certificate")


def _solution_dict(sol) -> dict:
    import dataclasses

    from .report.document import jsonable

    if dataclasses.is_dataclass(sol) and not isinstance(sol, type):
        raw = {f.name: getattr(sol, f.name) for f in dataclasses.fields(sol)}
    elif isinstance(sol, dict):
        raw = dict(sol)
    else:
        raw = {k: getattr(sol, k) for k in _SOLUTION_FIELDS if hasattr(sol, k)}
    return jsonable(raw)


def _fmt_vec(values, limit: int = 12) -> str:
    import numpy as np

    v = np.asarray(values, dtype=float).ravel()
    body = ", ".join(f"{x:.6g}" for x in v[:limit])
    return f"[{body}{', …' if v.size > limit else ''}]" + (f" ({v.size} entries)" if v.size > limit else "")


def _print_solution(name, model, sol) -> None:
    import numpy as np

    print(f"model {name!r}: {model!r}")
    risk = getattr(sol, "risk", None)
    if risk is not None:
        print(f"  optimal risk L* = {float(risk):.10g}   (tau = {model.tau:.6g}, the risk of predicting 0)")
    omega = getattr(sol, "omega", None)
    if omega is not None:
        w = np.asarray(omega, dtype=float)
        scale = np.max(np.abs(w)) or 1.0
        w = w / scale
        if model.is_multitask:
            starts = np.concatenate([[0], np.cumsum(model.sizes)[:-1]])
            segs = [w[s:s + k] for s, k in zip(starts, model.sizes)]
            if all(np.allclose(seg, seg[0], rtol=1e-9, atol=1e-12) for seg in segs):
                print(f"  omega* / max|omega*| per task segment: {_fmt_vec([seg[0] for seg in segs])}")
            else:
                print(f"  omega* / max|omega*|: {_fmt_vec(w)}")
        else:
            print(f"  omega* / max|omega*|: {_fmt_vec(w)}")
        status = getattr(sol, "status", "unique")
        if status == "unique":
            print("  (unique up to (P, omega) -> (cP, omega/c); P* below is for omega* as returned)")
        else:
            print(f"  (status: {status} -- NOT certified unique up to scaling; see the certificate below)")
    P = getattr(sol, "P", None)
    if P is not None:
        P = np.asarray(P, dtype=float)
        with np.printoptions(precision=6, suppress=True, linewidth=100):
            body = str(P) if P.shape[0] <= 8 else f"eigenvalues {_fmt_vec(np.linalg.eigvalsh((P + P.T) / 2))}"
        print("  P* =" + ("\n    " + body.replace("\n", "\n    ") if "\n" in body else " " + body))
    roots = getattr(sol, "roots", None)
    if roots is not None:
        try:
            print(f"  roots of the W4 equation: {_fmt_vec(roots)}")
        except (TypeError, ValueError):
            print(f"  roots of the W4 equation: {roots!r}")
    cert = getattr(sol, "certificate", None)
    if cert is not None:
        print(f"  uniqueness: {cert}")


def cmd_solve(args) -> int:
    cfg = _load_config(args.file)
    landscape = importlib.import_module("wpgd_theory.landscape")
    solve = getattr(landscape, "solve", None)
    if solve is None:
        raise UsageError("solve is not available in this installation (wpgd_theory.landscape.solve is missing)")
    if args.model is not None and args.model not in cfg.models:
        raise UsageError(f"--model {args.model!r}: no such model in {args.file}; models: {', '.join(cfg.models)}")
    names = [args.model] if args.model else list(cfg.models)
    results = {}
    for name in names:
        try:
            results[name] = solve(cfg.models[name])
        except (ValueError, TypeError) as exc:
            raise UsageError(f"{args.file}: model {name!r}: {exc}") from None
    if args.json:
        doc = {"schema": "wpgd-theory-solution", "schema_version": "1.0", "source": args.file,
               "models": {name: _solution_dict(sol) for name, sol in results.items()}}
        print(json.dumps(doc, indent=2, ensure_ascii=False, allow_nan=False))
    else:
        for name, sol in results.items():
            _print_solution(name, cfg.models[name], sol)
    return EXIT_OK


# --------------------------------------------------------------------------- list
def cmd_list(args) -> int:
    from .claims import runner

    claims = runner.registry()
    if args.json:
        doc = [{"id": c.id, "title": c.title, "proof": c.proof,
                "checks": [{"name": k.name, "kind": k.kind, "suites": list(k.suites), "description": k.description}
                           for k in c.checks]} for c in claims]
        print(json.dumps(doc, indent=2, ensure_ascii=False))
        return EXIT_OK
    for c in claims:
        print(f"{c.id:<3} {c.title}")
        if not c.checks:
            print("      (no checks implemented yet: reported as not verified)")
        for k in c.checks:
            print(f"      - {k.name}  [{k.kind}; {', '.join(k.suites)}]")
    total = sum(len(c.checks) for c in claims)
    print(f"{len(claims)} claims, {total} checks")
    return EXIT_OK


def cmd_architectures(args) -> int:
    from .architectures.cli import run
    from .claims.defaults import default_models

    models = _load_config(args.config).models if args.config else default_models()
    return run(models, as_json=args.json, seed=args.seed)


# --------------------------------------------------------------------------- main
def main(argv=None) -> int:
    """Entry point of ``wpgd-verify``; returns the exit status."""
    argv = list(sys.argv[1:] if argv is None else argv)
    try:
        args = build_parser().parse_args(argv)
        if args.command is None:
            raise UsageError(f"a command is required: run, solve or list (see {PROG} --help)")
        args.argv = argv
        return int(args.handler(args))
    except UsageError as exc:
        _err(str(exc))
        return EXIT_USAGE
    except SystemExit as exc:  # --help / --version
        return exc.code if isinstance(exc.code, int) else (0 if exc.code is None else EXIT_USAGE)
    except KeyboardInterrupt:
        print(f"\n{PROG}: interrupted; no new report was written", file=sys.stderr)
        return EXIT_INTERRUPTED
    except BrokenPipeError:  # e.g. `wpgd-verify list | head`
        return EXIT_OK


if __name__ == "__main__":
    sys.exit(main())
