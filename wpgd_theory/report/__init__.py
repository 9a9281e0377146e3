"""The verification report: ``report.html`` (self-contained), ``report.json``, ``report.md``.

:func:`write_report` turns the outcomes of :func:`wpgd_theory.claims.run` into the three
files plus ``figures/*.png`` in one directory, atomically and under a lock (see
:mod:`.atomic`: the complete folder is written beside ``out_dir`` and swapped in as a
whole).  One document (:mod:`.document`, JSON schema version :data:`SCHEMA_VERSION`) is
the source of all three formats.

Example::

    from wpgd_theory.claims import CheckContext, run
    from wpgd_theory.report import write_report

    ctx = CheckContext(suite="quick", seed=0)
    outcomes = run(["W1", "W2"], "quick", context=ctx)
    doc = write_report(outcomes, ctx, "my-report")
    print(doc["status"], doc["exit_status"])
"""

from __future__ import annotations

import time

from .atomic import REPORT_FILES, ReportDirError, ensure_writable, write_report_dir
from .document import SCHEMA_VERSION, build_document, load_schema, schema_path, validate_document

__all__ = [
    "SCHEMA_VERSION",
    "REPORT_FILES",
    "ReportDirError",
    "build_document",
    "ensure_writable",
    "load_schema",
    "render_report",
    "schema_path",
    "validate_document",
    "write_report",
]


def render_report(outcomes, ctx, *, claim_ids=None, checks_duration_s: float = 0.0, requested_device=None,
                  config=None, models=None, command=None, figures=True):
    """Build the document and render the three formats in memory.

    Returns ``(doc, files, figure_files)``: ``files`` maps ``report.{md,html,json}`` to bytes
    and ``figure_files`` maps ``<name>.png`` (and ``<name>.svg``, ``<name>.pdf`` for
    figures drawn here) to their bytes.

    Parameters
    ----------
    outcomes : list of ClaimOutcome
        What :func:`wpgd_theory.claims.run` returned.
    ctx : CheckContext
        The context the checks ran in (suite, seed, device, models, figures).
    claim_ids : list of str, optional
        The claims requested (default: those of ``outcomes``).
    checks_duration_s : float, optional
        How long the checks took, in seconds.
    requested_device : str, optional
        The device asked for, when it differs from the one used.
    config : str, optional
        The path of the user's configuration file.
    models : dict, optional
        ``{name: description}`` of the models (default: described from ``ctx.models``).
    command : str, optional
        The command line that ran, for the record.
    figures : bool, optional
        Draw the figures (False: none, faster).

    Returns
    -------
    doc : dict
        The report document (schema ``wpgd-theory-report``, :data:`SCHEMA_VERSION`).
    files : dict
        ``{"report.md" | "report.html" | "report.json": bytes}``.
    figure_files : dict
        ``{file name: bytes}`` of the figures.

    Examples
    --------
    >>> from wpgd_theory.claims import Check, CheckContext, CheckResult, ClaimOutcome, registry
    >>> claim = next(c for c in registry() if c.id == "W2")
    >>> chk = Check("W2", "demo", "numeric", ("quick",), lambda ctx: None)
    >>> outcome = ClaimOutcome(claim, [(chk, CheckResult("passed", 1e-15, 1e-12, message="demo"), 0.01)], "quick")
    >>> doc, files, figure_files = render_report([outcome], CheckContext(suite="quick", models={}), figures=False)
    >>> doc["status"], sorted(files), figure_files
    ('verified', ['report.html', 'report.json', 'report.md'], {})
    """
    import json

    from ..config import describe_model
    from .figures import make_figures
    from .html import render_html
    from .markdown import render_markdown

    t0 = time.perf_counter()
    records = make_figures(outcomes, ctx, claim_ids) if figures else []
    if models is None:
        units = getattr(ctx, "model_units", None) or {}
        models = {}
        for name, m in (getattr(ctx, "models", None) or {}).items():
            unit = units.get(name, 1.0)  # the checks ran on model / unit: describe the user's model
            models[name] = describe_model(m) if unit == 1.0 else dict(describe_model(m.scaled(unit)), natural_unit=unit)
    doc = build_document(outcomes, suite=ctx.suite, seed=ctx.seed, device=ctx.device,
                         requested_device=requested_device, claim_ids=claim_ids, figures=records, config=config,
                         models=models, checks_duration_s=checks_duration_s,
                         duration_s=checks_duration_s + (time.perf_counter() - t0), command=command)
    pngs = {r.name: r.png for r in records if r.png is not None}
    vectors = {r.name: [f"figures/{f}" for f in r.files if not f.endswith(".png")] for r in records}
    files = {
        "report.json": (json.dumps(doc, indent=2, ensure_ascii=False, allow_nan=False) + "\n").encode("utf-8"),
        "report.md": render_markdown(doc, vector_files=vectors).encode("utf-8"),
        "report.html": render_html(doc, pngs, vector_files=vectors).encode("utf-8"),
    }
    return doc, files, {name: data for r in records for name, data in r.files.items()}


def write_report(outcomes, ctx, out_dir, *, on_commit=None, on_wait=None, cancelled=None, **kwargs) -> dict:
    """Render the report of ``outcomes`` in memory, then replace ``out_dir`` with it atomically.

    Keyword arguments are those of :func:`render_report`; ``on_commit``, ``on_wait`` and
    ``cancelled`` are passed to :func:`.atomic.write_report_dir` (called once the new report
    is in place, with interrupts held back; when another writer holds the folder's lock;
    and right before the swap, to abandon it).  Returns the report document.

    Parameters
    ----------
    outcomes : list of ClaimOutcome
        What :func:`wpgd_theory.claims.run` returned.
    ctx : CheckContext
        The context the checks ran in.
    out_dir : str or path-like
        The report folder: missing, empty or an earlier report folder (replaced as a whole).
    on_commit : callable, optional
        ``on_commit()``, called once the new report is in place.
    on_wait : callable, optional
        ``on_wait(message)``, called while another writer holds the folder's lock.
    cancelled : callable, optional
        ``cancelled() -> bool``, asked right before the swap; true abandons the write.
    **kwargs
        Keyword arguments of :func:`render_report`.

    Returns
    -------
    dict
        The report document.

    Raises
    ------
    ReportDirError
        If ``out_dir`` cannot receive a report (one-line message).

    Examples
    --------
    >>> import os, tempfile
    >>> from wpgd_theory.claims import Check, CheckContext, CheckResult, ClaimOutcome, registry
    >>> claim = next(c for c in registry() if c.id == "W2")
    >>> chk = Check("W2", "demo", "numeric", ("quick",), lambda ctx: None)
    >>> outcome = ClaimOutcome(claim, [(chk, CheckResult("passed", 1e-15, 1e-12, message="demo"), 0.01)], "quick")
    >>> with tempfile.TemporaryDirectory() as tmp:
    ...     doc = write_report([outcome], CheckContext(suite="quick", models={}), os.path.join(tmp, "r"),
    ...                        figures=False)
    ...     written = sorted(os.listdir(os.path.join(tmp, "r")))
    >>> doc["exit_status"], [f for f in written if f.startswith("report")]
    (0, ['report.html', 'report.json', 'report.md'])
    """
    doc, files, figure_files = render_report(outcomes, ctx, **kwargs)
    write_report_dir(out_dir, files, figure_files, on_commit=on_commit, on_wait=on_wait, cancelled=cancelled)
    return doc
