"""``wpgd-verify solve FILE [--model NAME] [--json]``: the optimal WPGD for the models of a
configuration file (:func:`wpgd_theory.landscape.solve`).

``--json`` is complete and shaped at any size (matrices as nested lists, never truncated);
a diagnostic that is not a finite number is ``null`` and listed under ``nonfinite`` with
the reason.  A model whose optimum cannot be represented in float64 is an input error
(exit 2), never printed.
"""

from __future__ import annotations

import importlib
import json
import warnings

from ..cli import EXIT_OK, UsageError, _load_config, _say, _warn

__all__ = ["cmd_solve"]


#: Numeric fields of a solution that must be finite to be printed (else exit 2).
_RESULT_FIELDS = ("P", "omega", "risk", "roots", "root_risks", "mu", "t", "omega_task")


def _solution_dict(sol) -> dict:
    """The solution as complete, shaped JSON (nested lists, nothing truncated); non-finite
    diagnostics are ``null`` and listed in ``nonfinite`` with a reason."""
    import dataclasses

    from ..report.document import jsonable

    if dataclasses.is_dataclass(sol) and not isinstance(sol, type):
        raw = {f.name: getattr(sol, f.name) for f in dataclasses.fields(sol)}
    elif isinstance(sol, dict):
        raw = dict(sol)
    else:
        raw = {k: getattr(sol, k) for k in _RESULT_FIELDS + ("certificate", "status") if hasattr(sol, k)}
    if "status" in raw:
        raw["unique"] = raw["status"] == "unique"
    notes: list = []
    out = jsonable(raw, complete=True, notes=notes)
    out["nonfinite"] = notes
    return out


def _check_finite(where: str, sol) -> None:
    """Refuse (exit 2) a solution whose result fields are not finite: never print them."""
    import numpy as np

    for name in _RESULT_FIELDS:
        value = getattr(sol, name, None) if not isinstance(sol, dict) else sol.get(name)
        if value is None:
            continue
        try:
            arr = np.asarray(value, dtype=float)
        except (TypeError, ValueError):
            continue
        if not np.all(np.isfinite(arr)):
            raise UsageError(f"{where}: the optimum is not representable in float64 at this scale ({name} is not "
                             "finite); rescale sigma and noise together (the risk scales with them)")


def _fmt_vec(values, limit: int = 12) -> str:
    import numpy as np

    v = np.asarray(values, dtype=float).ravel()
    body = ", ".join(f"{x:.6g}" for x in v[:limit])
    return f"[{body}{', …' if v.size > limit else ''}]" + (f" ({v.size} entries)" if v.size > limit else "")


def _fmt_matrix(M) -> str:
    """A matrix in numpy's bracket layout, every entry as ``%.6g``: its magnitude always shows
    (``1.47059e-301``, never a ``0`` for a nonzero value), columns right-aligned."""
    import numpy as np

    M = np.atleast_2d(np.asarray(M, dtype=float))
    cells = [[f"{x + 0.0:.6g}" for x in row] for row in M]  # + 0.0: -0.0 prints as 0
    width = max((len(c) for row in cells for c in row), default=1)
    rows = ["[" + " ".join(c.rjust(width) for c in row) + "]" for row in cells]
    return "[" + "\n ".join(rows) + "]"


def _eigvalsh_scaled(M):
    """Eigenvalues of the symmetric part of ``M``, computed on ``M / max|M|`` (so LAPACK's own
    scaling of matrices beyond ~1e154 cannot underflow the small ones) and scaled back."""
    import numpy as np

    M = np.asarray(M, dtype=float)
    scale = float(np.max(np.abs(M))) if M.size else 0.0
    if not scale or not np.isfinite(scale):
        return np.linalg.eigvalsh((M + M.T) / 2)
    A = M / scale
    return np.linalg.eigvalsh((A + A.T) / 2) * scale


def _print_solution(name, model, sol) -> None:
    import numpy as np

    _say(f"model {name!r}: {model!r}")
    risk = getattr(sol, "risk", None)
    if risk is not None:
        _say(f"  optimal risk L* = {float(risk):.10g}   (tau = {model.tau:.6g}, the risk of predicting 0)")
    omega = getattr(sol, "omega", None)
    status = getattr(sol, "status", None)
    if omega is not None:
        w = np.asarray(omega, dtype=float)
        scale = np.max(np.abs(w)) or 1.0
        w = w / scale
        if model.is_multitask:
            starts = np.concatenate([[0], np.cumsum(model.sizes)[:-1]])
            segs = [w[s:s + k] for s, k in zip(starts, model.sizes)]
            if all(np.allclose(seg, seg[0], rtol=1e-9, atol=1e-12) for seg in segs):
                _say(f"  omega* / max|omega*| per task segment: {_fmt_vec([seg[0] for seg in segs])}")
            else:
                _say(f"  omega* / max|omega*|: {_fmt_vec(w)}")
        else:
            _say(f"  omega* / max|omega*|: {_fmt_vec(w)}")
        if status == "unique":
            _say("  (unique up to (P, omega) -> (cP, omega/c); P* below is for omega* as returned)")
        else:
            _say(f"  (status: {status or 'unknown'} -- NOT certified unique up to scaling; see the certificate below)")
    P = getattr(sol, "P", None)
    if P is not None:
        P = np.asarray(P, dtype=float)
        body = _fmt_matrix(P) if P.shape[0] <= 8 else f"eigenvalues {_fmt_vec(_eigvalsh_scaled(P))}"
        _say("  P* =" + ("\n    " + body.replace("\n", "\n    ") if "\n" in body else " " + body))
    roots = getattr(sol, "roots", None)
    if roots is not None:
        try:
            _say(f"  roots of the W4 equation: {_fmt_vec(roots)}")
        except (TypeError, ValueError):
            _say(f"  roots of the W4 equation: {roots!r}")
    cert = getattr(sol, "certificate", None)
    if cert is not None:
        _say(f"  uniqueness: {cert}")


def _solve_one(solve, where: str, model):
    import numpy as np

    with warnings.catch_warnings(record=True) as caught, np.errstate(all="warn"):
        warnings.simplefilter("always")
        try:
            sol = solve(model)
        except (ValueError, TypeError) as exc:
            raise UsageError(f"{where}: {' '.join(str(exc).split()) or type(exc).__name__}") from None
        except ArithmeticError as exc:  # ZeroDivisionError, OverflowError, FloatingPointError
            raise UsageError(f"{where}: the optimum cannot be computed in float64 at this scale "
                             f"({type(exc).__name__}: {' '.join(str(exc).split())}); rescale sigma and noise "
                             "together (the risk scales with them)") from None
        except MemoryError:
            raise UsageError(f"{where}: out of memory while solving (see --allow-large and the size "
                             "limits in the docs)") from None
    _check_finite(where, sol)
    notes = dict.fromkeys(" ".join(str(w.message).split()) for w in caught)
    return sol, list(notes)


def cmd_solve(args) -> int:
    cfg = _load_config(args.file, args.allow_large)
    landscape = importlib.import_module("wpgd_theory.landscape")
    solve = getattr(landscape, "solve", None)
    if solve is None:
        raise UsageError("solve is not available in this installation (wpgd_theory.landscape.solve is missing)")
    if args.model is not None and args.model not in cfg.models:
        raise UsageError(f"--model {args.model!r}: no such model in {args.file}; models: {', '.join(cfg.models)}")
    names = [args.model] if args.model else list(cfg.models)
    results, notes = {}, {}
    for name in names:
        results[name], notes[name] = _solve_one(solve, f"{args.file}: model {name!r}", cfg.models[name])
    if args.json:
        models = {}
        for name, sol in results.items():
            models[name] = _solution_dict(sol)
            models[name]["warnings"] = notes[name]
        doc = {"schema": "wpgd-theory-solution", "schema_version": "1.1", "source": args.file, "models": models}
        _say(json.dumps(doc, indent=2, ensure_ascii=False, allow_nan=False))
    else:
        for name, sol in results.items():
            _print_solution(name, cfg.models[name], sol)
            for note in notes[name]:
                _warn(f"model {name!r}: {note}")
    return EXIT_OK
