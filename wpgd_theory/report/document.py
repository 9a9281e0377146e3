r"""The report as one JSON-serialisable document (``report.json``), the source of every format.

Schema: :data:`SCHEMA_VERSION` (``MAJOR.MINOR``; a minor bump only adds optional fields),
described by the JSON Schema file ``report.schema.json`` beside this module
(:func:`schema_path`, :func:`load_schema`).  Top level::

    schema            "wpgd-theory-report"
    schema_version    "1.0"
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
    claims[]          id, title, statement (LaTeX), assumptions[], proof, status
                      ("verified" | "failed" | "not verified" | "not applicable"), reason,
                      duration_s, figures[] (names), checks[]
    claims[].checks[] name, key, kind, suites[], description, status, measured,
                      tolerance, message, details {...}, seed, duration_s
    figures[]         name, title, claims[], caption, status "ok"|"skipped", note,
                      file ("figures/<name>.png" or null), source

``measured`` and ``tolerance`` are numbers, ``null``, or the strings ``"inf"``,
``"-inf"``, ``"nan"`` (JSON has no non-finite numbers); ``details`` holds whatever the
check recorded, made JSON-safe the same way (arrays as lists, long arrays truncated with a
note, unknown objects as their ``repr``).
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
SCHEMA_VERSION = "1.0"
#: Packages whose versions the environment records (``None`` when not installed).
PACKAGES = ("numpy", "scipy", "sympy", "cvxpy", "torch", "matplotlib", "hypothesis", "wpgd_theory")
#: Longest list kept in ``details`` before truncation.
MAX_LIST = 2000


def jsonable(value, _depth: int = 0):
    """``value`` made JSON-safe (strict JSON: non-finite floats become strings)."""
    if _depth > 25:
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
        return "nan" if math.isnan(x) else ("inf" if x > 0 else "-inf")
    if isinstance(value, (complex, np.complexfloating)):
        return {"re": jsonable(value.real), "im": jsonable(value.imag)}
    if isinstance(value, np.ndarray):
        if value.size <= MAX_LIST:
            return jsonable(value.tolist(), _depth + 1)
        head = jsonable(value.ravel()[:MAX_LIST].tolist(), _depth + 1)
        return head + [f"…truncated ({value.size} values, shape {list(value.shape)})"]
    if isinstance(value, dict):
        return {str(k): jsonable(v, _depth + 1) for k, v in value.items()}
    if isinstance(value, (list, tuple, set, frozenset)):
        seq = list(value)
        out = [jsonable(v, _depth + 1) for v in seq[:MAX_LIST]]
        if len(seq) > MAX_LIST:
            out.append(f"…{len(seq) - MAX_LIST} more")
        return out
    if isinstance(value, Path):
        return str(value)
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: jsonable(getattr(value, f.name), _depth + 1) for f in dataclasses.fields(value)}
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
    """Assemble the report document from :func:`wpgd_theory.claims.run` outcomes."""
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
        "figures": [{"name": f.name, "title": f.title, "claims": list(f.claims), "caption": f.caption,
                     "status": f.status, "note": f.note, "file": f.file, "source": f.source} for f in figures],
    }
    return doc


def schema_path() -> Path:
    """Location of the JSON Schema of ``report.json`` (shipped with the package)."""
    return Path(__file__).with_name("report.schema.json")


def load_schema() -> dict:
    return json.loads(schema_path().read_text(encoding="utf-8"))


def validate_document(doc: dict) -> None:
    """Validate ``doc`` against the JSON Schema (needs ``jsonschema``, a dev dependency)."""
    import jsonschema

    jsonschema.validate(doc, load_schema())
