r"""The report as one JSON-serialisable document (``report.json``), the source of every format.

Schema: :data:`SCHEMA_VERSION` (``MAJOR.MINOR``; a minor bump only adds optional fields),
described by the JSON Schema file ``report.schema.json`` beside this module
(:func:`schema_path`, :func:`load_schema`).  Top level::

    schema            "wpgd-theory-report"
    schema_version    "1.1"
    generated_at      ISO 8601 UTC timestamp
    status            "verified" | "failed" | "not verified"   (the whole run)
    exit_status       0 (every applicable claim verified, at least one) | 1 (otherwise)
    run               suite, seed, device, requested_device, claim_ids, config, models,
                      duration_s (checks + figures), checks_duration_s, command
    environment       python, platform, machine, cpu_count, packages {name: version|null},
                      device, git_commit, git_dirty
    summary           counts of claims by status and checks by status,
                      failed_claims, unverified_claims [{id, reason}],
                      not_applicable_claims [{id, reason}]
    claims[]          id, title, statement (LaTeX), assumptions[], proof, paper {result, url}
                      (1.1: the paper's statement the claim refines), status
                      ("verified" | "failed" | "not verified" | "not applicable"), reason,
                      duration_s, figures[] (names), checks[]
    claims[].checks[] name, key, kind, suites[], description, status, measured,
                      tolerance, message, details {...}, seed, duration_s
    architectures     (optional, when the G1 architecture check ran) fla_version, rows[]: name,
                      title, fla_op, implements_wpgd (measured), stated_implements_wpgd,
                      weight_class, max_discrepancy, tolerance, as_stated, best_risk {model: risk}
    figures[]         name, title, claims[], caption, status "ok"|"skipped", note,
                      file ("figures/<name>.png" or null), source

``measured`` and ``tolerance`` are numbers, ``null``, or the strings ``"inf"``,
``"-inf"``, ``"nan"`` (JSON has no non-finite numbers); ``details`` holds whatever the
check recorded, made JSON-safe by :func:`jsonable` (arrays as nested lists, ``null`` for a
non-finite entry of an array, an array longer than :data:`MAX_LIST` values summarised as
``{"truncated": true, "shape", "size", "head"}``, unknown objects as their ``repr``).
"""

from __future__ import annotations

import dataclasses
import datetime as _dt
import importlib.metadata
import json
import math
import os
import platform
import subprocess
import sys
from pathlib import Path

import numpy as np

from .references import PAPER_URL, paper_result

__all__ = [
    "SCHEMA_NAME",
    "SCHEMA_VERSION",
    "build_document",
    "environment",
    "jsonable",
    "load_schema",
    "schema_path",
    "validate_document",
    "overall_status",
]

SCHEMA_NAME = "wpgd-theory-report"
SCHEMA_VERSION = "1.1"
#: Packages whose versions the environment records (``None`` when not installed).
PACKAGES = ("numpy", "scipy", "sympy", "cvxpy", "torch", "matplotlib", "hypothesis", "wpgd_theory")
#: Longest list kept in ``details`` before truncation.
MAX_LIST = 2000


_NONFINITE_REASON = {"nan": "not a number (NaN): the quantity is undefined for this input",
                     "inf": "+infinity: the quantity is unbounded for this input",
                     "-inf": "-infinity: the quantity is unbounded below for this input"}


def _nonfinite_name(x: float) -> str:
    return "nan" if math.isnan(x) else ("inf" if x > 0 else "-inf")


def jsonable(value, *, complete: bool = False, notes: list | None = None, _depth: int = 0, _path: str = ""):
    """``value`` made strict-JSON-safe; arrays keep their shape as nested lists.

    * A non-finite number **inside an array or list** becomes ``null`` (never a string in a
      numeric array).  A non-finite scalar becomes the string ``"inf"``, ``"-inf"`` or
      ``"nan"`` (the report schema's convention for ``measured``/``tolerance``), or ``null``
      with ``complete=True``.
    * ``notes``: if a list is given, every non-finite value replaced is recorded there as
      ``{"field": <path>, "value": "nan"|"inf"|"-inf", "reason": ...}`` (path like
      ``certificate.exclusion_margin`` or ``roots[3]``).
    * ``complete=False`` (report ``details``): an array or list longer than
      :data:`MAX_LIST` values is summarised as ``{"truncated": true, "shape": [...],
      "size": N, "head": [first MAX_LIST values, flattened]}`` (an object, not a list with
      a string appended).  ``complete=True`` (``wpgd-verify solve --json``): nothing is
      ever truncated.
    """
    def rec(v, path):
        return jsonable(v, complete=complete, notes=notes, _depth=_depth + 1, _path=path)

    if _depth > 100:
        return repr(value)[:200]
    if value is None or isinstance(value, (bool, str)):
        return value
    if isinstance(value, (int, np.integer)) and not isinstance(value, np.bool_):
        return int(value)
    if isinstance(value, np.bool_):
        return bool(value)
    if isinstance(value, (float, np.floating)):
        x = float(value)
        if math.isfinite(x):
            return x
        name = _nonfinite_name(x)
        if notes is not None:
            notes.append({"field": _path or "$", "value": name, "reason": _NONFINITE_REASON[name]})
        in_array = _path.endswith("]")
        return None if (complete or in_array) else name
    if isinstance(value, (complex, np.complexfloating)):
        return {"re": rec(value.real, f"{_path}.re"), "im": rec(value.imag, f"{_path}.im")}
    if isinstance(value, np.ndarray):
        if value.dtype == object:
            return rec(value.tolist(), _path)
        if not complete and value.size > MAX_LIST:
            head = value.ravel()[:MAX_LIST]
            return {"truncated": True, "shape": list(value.shape), "size": int(value.size),
                    "head": [rec(v, f"{_path}[{i}]") for i, v in enumerate(head.tolist())]}
        if value.ndim == 0:
            return rec(value.item(), _path)
        if value.dtype.kind in "iub" or (value.dtype.kind == "f" and np.all(np.isfinite(value))):
            return value.tolist()  # fast path: nested lists of finite numbers, shape kept
        return [rec(v, f"{_path}[{i}]") for i, v in enumerate(value)]
    if isinstance(value, dict):
        return {str(k): rec(v, f"{_path}.{k}" if _path else str(k)) for k, v in value.items()}
    if isinstance(value, (list, tuple, set, frozenset)):
        seq = list(value)
        if not complete and len(seq) > MAX_LIST:
            return {"truncated": True, "shape": [len(seq)], "size": len(seq),
                    "head": [rec(v, f"{_path}[{i}]") for i, v in enumerate(seq[:MAX_LIST])]}
        return [rec(v, f"{_path}[{i}]") for i, v in enumerate(seq)]
    if isinstance(value, Path):
        return str(value)
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: rec(getattr(value, f.name), f"{_path}.{f.name}" if _path else f.name)
                for f in dataclasses.fields(value)}
    return repr(value)[:500]


def _git_info() -> dict:
    root = Path(__file__).resolve().parents[2]
    if not (root / ".git").exists():
        return {"git_commit": None, "git_dirty": None}
    try:
        commit = subprocess.run(["git", "-C", str(root), "rev-parse", "HEAD"], capture_output=True, text=True,
                                timeout=5, check=True).stdout.strip()
        status = subprocess.run(["git", "-C", str(root), "status", "--porcelain", "--untracked-files=no"],
                                capture_output=True, text=True, timeout=10, check=True).stdout
        return {"git_commit": commit or None, "git_dirty": bool(status.strip())}
    except (OSError, subprocess.SubprocessError):
        return {"git_commit": None, "git_dirty": None}


def environment(device: str = "cpu") -> dict:
    """Versions, platform, device and git commit (torch's version read from its metadata,
    never by importing it)."""
    packages = {}
    for name in PACKAGES:
        try:
            packages[name] = importlib.metadata.version(name)
        except importlib.metadata.PackageNotFoundError:
            packages[name] = None
    env = {
        "python": platform.python_version(),
        "implementation": platform.python_implementation(),
        "platform": platform.platform(),
        "machine": platform.machine(),
        "cpu_count": os.cpu_count(),
        "packages": packages,
        "device": device,
    }
    torch = sys.modules.get("torch")  # only if something already imported it
    if device == "cuda" and torch is not None:
        try:
            env["cuda_device"] = torch.cuda.get_device_name(0)
        except Exception:  # pragma: no cover - depends on the machine
            env["cuda_device"] = None
    env.update(_git_info())
    return env


def overall_status(claim_statuses) -> str:
    """``failed`` if any claim failed; ``verified`` iff every applicable claim is verified
    and at least one is; else ``not verified``.  A *not applicable* claim (no model of the
    run meets its premise) neither fails the run nor counts as passed."""
    statuses = [s for s in claim_statuses if s != "not applicable"]
    if any(s == "failed" for s in statuses):
        return "failed"
    if statuses and all(s == "verified" for s in statuses):
        return "verified"
    return "not verified"


def _check_entry(chk, res, secs, seed) -> dict:
    return {
        "name": chk.name,
        "key": chk.key,
        "kind": chk.kind,
        "suites": list(chk.suites),
        "description": chk.description,
        "status": res.status,
        "measured": jsonable(res.measured),
        "tolerance": jsonable(res.tolerance),
        "message": res.message or "",
        "details": jsonable(res.details or {}),
        "seed": seed,
        "duration_s": round(float(secs), 6),
    }


def build_document(outcomes, *, suite: str, seed: int, device: str = "cpu", requested_device: str | None = None,
                   claim_ids=None, figures=(), config: str | None = None, models: dict | None = None,
                   checks_duration_s: float = 0.0, duration_s: float | None = None, command: str | None = None,
                   generated_at: str | None = None) -> dict:
    """Assemble the report document from :func:`wpgd_theory.claims.run` outcomes.

    The one source of ``report.json``, ``report.md`` and ``report.html``: per claim its
    statement, paper reference, verdict and checks (measured value, tolerance, the two
    compared sides), the run, the environment and a summary.

    Parameters
    ----------
    outcomes : list of ClaimOutcome
        The claims' outcomes.
    suite : str
        The suite that ran.
    seed : int
        The run's seed.
    device : str, optional
        The device used.
    requested_device : str, optional
        The device asked for (default: ``device``).
    claim_ids : list of str, optional
        The claims requested (default: those of ``outcomes``).
    figures : sequence of figure records, optional
        The figures drawn (name, title, claims, caption, status, file).
    config : str, optional
        The path of the user's configuration file.
    models : dict, optional
        ``{name: description}`` of the models.
    checks_duration_s : float, optional
        How long the checks took, in seconds.
    duration_s : float, optional
        The whole run's duration (default: ``checks_duration_s``).
    command : str, optional
        The command line, for the record.
    generated_at : str, optional
        An ISO 8601 time stamp (default: now, UTC).

    Returns
    -------
    dict
        The document (strict JSON): ``status`` (``"verified"``, ``"failed"`` or
        ``"not verified"``), ``exit_status``, ``run``, ``environment``, ``summary``, ``claims``, ``figures``.

    Examples
    --------
    >>> from wpgd_theory.claims import Check, CheckContext, CheckResult, ClaimOutcome, registry
    >>> claim = next(c for c in registry() if c.id == "W2")
    >>> chk = Check("W2", "demo", "numeric", ("quick",), lambda ctx: None)
    >>> outcome = ClaimOutcome(claim, [(chk, CheckResult("passed", 1e-15, 1e-12, message="demo"), 0.01)], "quick")
    >>> doc = build_document([outcome], suite="quick", seed=0)
    >>> doc["status"], doc["summary"]["checks"]["passed"], doc["claims"][0]["id"]
    ('verified', 1, 'W2')
    """
    fig_by_claim: dict = {}
    for f in figures:
        for cid in f.claims:
            fig_by_claim.setdefault(cid, []).append(f.name)
    claims = []
    check_counts = {s: 0 for s in ("passed", "failed", "error", "skipped", "not applicable")}
    for out in outcomes:
        c = out.claim
        checks = [_check_entry(chk, res, secs, seed) for chk, res, secs in out.results]
        for ch in checks:
            check_counts[ch["status"]] = check_counts.get(ch["status"], 0) + 1
        claims.append({
            "id": c.id,
            "title": c.title,
            "statement": c.statement,
            "assumptions": list(c.assumptions),
            "proof": c.proof,
            "paper": {"result": paper_result(c.id), "url": PAPER_URL},
            "status": out.status,
            "reason": out.reason,
            "duration_s": round(out.duration, 6),
            "figures": fig_by_claim.get(c.id, []),
            "checks": checks,
        })
    status = overall_status(c["status"] for c in claims)
    claim_counts = {s: sum(1 for c in claims if c["status"] == s)
                    for s in ("verified", "failed", "not verified", "not applicable")}
    doc = {
        "schema": SCHEMA_NAME,
        "schema_version": SCHEMA_VERSION,
        "generated_at": generated_at or _dt.datetime.now(_dt.timezone.utc).isoformat(timespec="seconds"),
        "status": status,
        "exit_status": 0 if status == "verified" else 1,
        "run": {
            "suite": suite,
            "seed": seed,
            "device": device,
            "requested_device": requested_device or device,
            "claim_ids": list(claim_ids) if claim_ids is not None else [c["id"] for c in claims],
            "config": config,
            "models": jsonable(models or {}),
            "checks_duration_s": round(float(checks_duration_s), 3),
            "duration_s": round(float(duration_s if duration_s is not None else checks_duration_s), 3),
            "command": command,
        },
        "environment": environment(device),
        "summary": {
            "claims": dict(claim_counts, total=len(claims)),
            "checks": dict(check_counts, total=sum(check_counts.values())),
            "failed_claims": [c["id"] for c in claims if c["status"] == "failed"],
            "unverified_claims": [{"id": c["id"], "reason": c["reason"]} for c in claims
                                  if c["status"] == "not verified"],
            "not_applicable_claims": [{"id": c["id"], "reason": c["reason"]} for c in claims
                                      if c["status"] == "not applicable"],
        },
        "claims": claims,
        **_architectures(outcomes),
        "figures": [{"name": f.name, "title": f.title, "claims": list(f.claims), "caption": f.caption,
                     "status": f.status, "note": f.note, "file": f.file, "source": f.source} for f in figures],
    }
    return doc


def _architectures(outcomes) -> dict:
    """``{"architectures": ...}`` from the G1 architecture check's artifact, else ``{}``."""
    for out in outcomes:
        table = getattr(out, "artifacts", {}).get("architectures")
        if table:
            return {"architectures": jsonable(table)}
    return {}


def schema_path() -> Path:
    """Location of the JSON Schema of ``report.json`` (shipped with the package).

    Returns
    -------
    pathlib.Path
        The path of ``report.schema.json``.

    Examples
    --------
    >>> schema_path().name, schema_path().is_file()
    ('report.schema.json', True)
    """
    return Path(__file__).with_name("report.schema.json")


def load_schema() -> dict:
    """The JSON Schema of ``report.json``, parsed.

    Returns
    -------
    dict
        The schema (JSON Schema draft), as read from :func:`schema_path`.

    Examples
    --------
    >>> "properties" in load_schema()
    True
    """
    return json.loads(schema_path().read_text(encoding="utf-8"))


def validate_document(doc: dict) -> None:
    """Validate ``doc`` against the JSON Schema (needs ``jsonschema``, a dev dependency).

    Parameters
    ----------
    doc : dict
        A report document (as :func:`build_document` returns, or ``report.json`` parsed).

    Raises
    ------
    jsonschema.ValidationError
        If ``doc`` does not follow the schema.

    Examples
    --------
    >>> from wpgd_theory.claims import Check, CheckContext, CheckResult, ClaimOutcome, registry
    >>> claim = next(c for c in registry() if c.id == "W2")
    >>> chk = Check("W2", "demo", "numeric", ("quick",), lambda ctx: None)
    >>> outcome = ClaimOutcome(claim, [(chk, CheckResult("passed", 1e-15, 1e-12, message="demo"), 0.01)], "quick")
    >>> validate_document(build_document([outcome], suite="quick", seed=0))  # no exception: valid
    """
    import jsonschema

    jsonschema.validate(doc, load_schema())
