"""Pages generated at docs build time (see conf.py): theory/, report/, api/, _generated/.

Files are rewritten only when their content changes, so incremental builds stay fast.
"""

from __future__ import annotations

import importlib
import os
import pkgutil
import shutil
import time
import traceback
from pathlib import Path

from wpgd_theory.report.references import FAMILY_TITLES  # one title per theory page, shared with the report

#: Modules that get no API page (private helpers, the docs' own machinery).
API_EXCLUDE_PREFIXES = ("wpgd_theory._",)


def _write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    if path.exists() and path.read_text(encoding="utf-8") == text:
        return
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(text, encoding="utf-8")
    os.replace(tmp, path)


def _write_bytes(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    if path.exists() and path.read_bytes() == data:
        return
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_bytes(data)
    os.replace(tmp, path)


# --------------------------------------------------------------------------- theory
def _family_of(claim) -> str:
    return Path(claim.proof).stem if claim.proof else "other"


def _claims_md(claims) -> str:
    lines = []
    for c in claims:
        lines += [f"(claim-{c.id.lower()})=", f"### {c.id} — {c.title}", "", " ".join(c.statement.split()), ""]
        if c.assumptions:
            lines += ["*Assumptions:* " + "; ".join(c.assumptions) + ".", ""]
        if c.checks:
            lines += ["*Checks:* " + "; ".join(f"{k.name} ({k.kind})" for k in c.checks) + ".", ""]
        else:
            lines += ["*Checks:* none registered yet — reported as **not verified**.", ""]
    return "\n".join(lines)


def _demote(text: str, levels: int) -> str:
    """Lower every Markdown heading by ``levels`` (max 6), leaving fenced code untouched."""
    out, fence = [], None
    for ln in text.splitlines():
        stripped = ln.lstrip()
        if fence is None and (stripped.startswith("```") or stripped.startswith("~~~")):
            fence = stripped[:3]
        elif fence is not None and stripped.startswith(fence):
            fence = None
        elif fence is None and ln.startswith("#"):
            hashes = len(ln) - len(ln.lstrip("#"))
            if ln[hashes:hashes + 1] in (" ", ""):
                ln = "#" * min(6, hashes + levels) + ln[hashes:]
        out.append(ln)
    return "\n".join(out)


def _load_proofs():
    """``{family: (proof, results | exception)}`` or ``None`` when proofcheck is not importable."""
    try:
        pc = importlib.import_module("wpgd_theory.symbolic.proofcheck")
        load, check, render = pc.load_proofs, pc.check_proof, pc.render_markdown
    except Exception:
        return None, None
    out = {}
    for proof in load():
        try:
            results = check(proof)
        except Exception as exc:  # shown on the page, not hidden
            results = exc
        out[proof.family] = (proof, results)
    return out, render


def generate_theory(src: Path) -> None:
    from wpgd_theory.claims import registry

    claims = registry()
    families: dict = {}
    for c in claims:
        families.setdefault(_family_of(c), []).append(c)
    proofs, render = _load_proofs()
    if proofs:
        for fam in proofs:
            families.setdefault(fam, [])
    names = []
    for fam, fam_claims in families.items():
        title = FAMILY_TITLES.get(fam, fam.replace("_", " ").capitalize())
        body = [f"# {title}", ""]
        ids = ", ".join(c.id for c in fam_claims)
        if fam_claims:
            body += [f"Claims of this family: {ids}. Their proof lives in `proofs/{fam}.py`; every step is either a "
                     "sympy-checked identity or a pointer to a registered numeric check.", ""]
        body += ["## Claims", "", _claims_md(fam_claims), "## Proof", ""]
        if proofs is None:
            body += [":::{note}", "The machine-checked proofs are not available in this build "
                     "(`wpgd_theory.symbolic.proofcheck` is not importable yet).", ":::", ""]
        elif fam not in proofs:
            body += [":::{note}", f"No proof file for the family `{fam}` was found by `load_proofs()`.", ":::", ""]
        else:
            proof, results = proofs[fam]
            if isinstance(results, Exception):
                body += [":::{warning}", f"Checking this proof raised `{type(results).__name__}`: "
                         f"{str(results).splitlines()[0] if str(results) else ''}", ":::", ""]
                results = None
            text = render(proof, results)
            # The proof nests under this page's "Proof" heading: demote its headings by two levels.
            body += [_demote(text, 2), ""]
        body += _coq_md(fam)
        _write(src / "theory" / f"{fam}.md", "\n".join(body))
        names.append(fam)
    # The uniqueness study (W5) is prose in proofs/uniqueness.md: copy it in as a page.
    study = Path(__file__).resolve().parents[1] / "proofs" / "uniqueness.md"
    if not study.exists():  # the docs were copied away from the repository (tests): find it via the package
        import wpgd_theory

        study = Path(wpgd_theory.__file__).resolve().parents[1] / "proofs" / "uniqueness.md"
    if study.exists():
        _write(src / "theory" / "uniqueness.md", study.read_text(encoding="utf-8"))
        names.append("uniqueness")
    index = ["# Theory", "",
             "The setting (THEORY.md §1–3): Gaussian features $x\\sim N(0,\\Sigma)$, jointly Gaussian task vectors "
             "with correlations $C=\\begin{psmallmatrix}R&r\\\\r^\\top&1\\end{psmallmatrix}$, one-step WPGD "
             "$\\hat y = x^\\top P X^\\top(\\omega\\odot y)$ and gated linear attention. One page per claim family; "
             "claim ids are stable and shared with the report and the tests.", ""]
    index += _scope_table(proofs)
    index += ["```{toctree}", ":maxdepth: 2", ""] + names + ["```", ""]
    _write(src / "theory" / "index.md", "\n".join(index))


def _coq_md(fam: str) -> list:
    """The "Proved in Coq" section of a family's page: each Coq lemma proving a step, with its
    statement as written in ``proofs/coq/`` (the docs' statement above it as a comment), and the
    Coq definitions the statements use."""
    try:
        coq = importlib.import_module("wpgd_theory.symbolic.coq")
        steps: dict = {}
        for (f, index), (lemmas, _) in sorted(coq.COQ_LEMMAS.items(), key=lambda kv: kv[0][1]):
            if f == fam:
                for name in lemmas:
                    steps.setdefault(name, []).append(index)
        if not steps:
            return []
        out = ["## Proved in Coq", "",
               "These steps are also proved in the proof assistant Coq (8.16, with the Mathematical Components "
               "library), for every $d$, $n$ and number of layers, over an arbitrary commutative ring (a real "
               "field where order is needed): `make proofs-coq` builds `proofs/coq/`, and `tests/test_coq.py` "
               "checks that nothing is admitted and that `Print Assumptions` lists no axiom. "
               "`python -m wpgd_theory.symbolic.proofcheck --json` marks these steps with scope `coq`.", ""]
        for name, indices in steps.items():
            file, short = name.split(".", 1)
            which = "Step" if len(indices) == 1 else "Steps"
            out += [f"(coq-{fam.replace('_', '-')}-{short.lower().replace('_', '-')})=",
                    f"**{which} {', '.join(map(str, indices))}** — `WPGD.{name}` in `proofs/coq/{file}.v`:", "",
                    "```coq", coq.statement(name), "```", ""]
        defs = coq.COQ_DEFINITIONS.get(fam, ())
        if defs:
            out += ["### The Coq definitions", "", "```coq"]
            out += [coq.statement(name) + "\n" for name in defs]
            out += ["```", ""]
        return out
    except Exception as exc:  # shown on the page, not hidden
        return [":::{warning}", f"The Coq lemma table could not be read: `{type(exc).__name__}`.", ":::", ""]


def _scope_table(proofs) -> list:
    """Steps per scope and family (all-sizes / certified / sizes / numeric / text), if available."""
    if not proofs:
        return []
    try:
        pc = importlib.import_module("wpgd_theory.symbolic.proofcheck")
        scopes, counts = pc.SCOPES, {fam: pc.scope_counts(proof) for fam, (proof, _) in proofs.items()}
    except Exception:  # an older proof checker without scopes: no table
        return []
    head = ["family"] + list(scopes) + ["text"]
    rows = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for fam, c in counts.items():
        rows.append(f"| [{fam}]({fam}.md) | " + " | ".join(str(c[k]) for k in list(scopes) + ["text"]) + " |")
    return ["**How far each proof step is checked** — *all-sizes*: an identity checked with symbolic $d$, $n$ "
            "(and cross-checked by the fixed-size engine); *certified*: an inequality checked over its whole "
            "domain; *sizes*: exact at the listed sizes only; *numeric*: a registered numeric check; *text*: "
            "an argument. `python -m wpgd_theory.symbolic.proofcheck --json` lists every step.", ""] + rows + [""]


# --------------------------------------------------------------------------- report
def source_key() -> str:
    """A digest of what a report depends on: the package's files (code, templates, schema)
    and ``proofs/``.  The embedded report is recomputed only when it changes."""
    import hashlib

    import wpgd_theory

    pkg = Path(wpgd_theory.__file__).resolve().parent
    h = hashlib.sha256(wpgd_theory.__version__.encode())
    for root in (pkg, pkg.parent / "proofs"):
        for p in sorted(root.rglob("*")):
            if p.is_file() and p.suffix in (".py", ".json", ".j2", ".css", ".toml", ".md"):
                h.update(str(p.relative_to(root.parent)).encode())
                h.update(p.read_bytes())
    return h.hexdigest()[:20]


def _run_quick_report(cache: Path) -> Path:
    """Run the quick suite in-process and write its report into ``cache`` (returned)."""
    from wpgd_theory.claims import CheckContext, run
    from wpgd_theory.report import render_report
    from wpgd_theory.report.atomic import write_report_dir

    ctx = CheckContext(suite="quick", seed=0)
    t0 = time.perf_counter()
    outcomes = run(None, "quick", context=ctx)
    _, files, figs = render_report(outcomes, ctx, checks_duration_s=time.perf_counter() - t0,
                                   command="wpgd-verify run --suite quick (run by the docs build)")
    write_report_dir(cache, files, figs)
    return cache


def generate_report(src: Path) -> None:
    """The docs' report page: an existing report (``WPGD_DOCS_REPORT_DIR``), or the quick
    suite run in-process — cached in ``_build/report-cache/<source key>/`` so that a build
    reruns it only when the package's source changed."""
    import json

    from wpgd_theory.report.markdown import render_markdown

    dest = src / "report"
    mode = os.environ.get("WPGD_DOCS_REPORT", "on").lower()
    given = os.environ.get("WPGD_DOCS_REPORT_DIR")
    head = ["# Latest quick report", ""]
    if mode in ("off", "0", "no", "false") and not given:
        _write(dest / "index.md", "\n".join(head + ["The report was not generated for this build "
                                                    "(`WPGD_DOCS_REPORT=off`). Run `wpgd-verify run --suite quick` "
                                                    "to produce one.", ""]))
        return
    try:
        if given:
            d = Path(given)
            origin = f"embedded from the report directory `{d.name}`"
        else:
            d = src / "_build" / "report-cache" / source_key()
            cached = (d / "report.json").exists()
            if not cached:
                shutil.rmtree(d.parent, ignore_errors=True)  # older keys
                _run_quick_report(d)
            origin = ("produced by the docs build, which runs `wpgd-verify run --suite quick` in-process once per "
                      "version of the package's source" + ("; this build reused that run" if cached else ""))
        doc = json.loads((d / "report.json").read_text(encoding="utf-8"))
        html = (d / "report.html").read_bytes()
        pngs = {p.name: p.read_bytes() for p in (d / "figures").glob("*.png")}
    except Exception as exc:
        tb = traceback.format_exc(limit=4)
        _write(dest / "index.md", "\n".join(head + [":::{warning}", f"The quick report could not be produced: "
                                                    f"`{type(exc).__name__}: {exc}`", ":::", "", "```text", tb,
                                                    "```", ""]))
        return
    fig_dir = dest / "figures"
    if fig_dir.exists():
        for p in fig_dir.glob("*.png"):
            if p.name not in pngs:
                p.unlink()
    for name, data in pngs.items():
        _write_bytes(fig_dir / name, data)
    _write_bytes(dest / "report.html", html)
    md = render_markdown(doc, title="Latest quick report", theory_links="../")
    intro = [f"This page is {origin} (suite `{doc['run']['suite']}`, seed {doc['run']['seed']}). The same report "
             "as one self-contained HTML file: {download}`report.html <report.html>`. "
             "How to read it: [Getting started](../getting-started.md#reading-the-report).", ""]
    lines = md.splitlines()
    _write(dest / "index.md", "\n".join(lines[:2] + intro + lines[2:]) + "\n")


# --------------------------------------------------------------------------- api
def _public_modules() -> list:
    """Every public module, except the claim families' check modules (not API: their checks
    are listed on the theory pages and in the report)."""
    import wpgd_theory
    from wpgd_theory.claims.registry import FAMILIES

    skip = {f"wpgd_theory.claims.{fam}" for fam in FAMILIES} | {"wpgd_theory.claims.properties",
                                                                "wpgd_theory.claims.optimum"}  # shared by W4–A3
    names = ["wpgd_theory"]
    for info in pkgutil.walk_packages(wpgd_theory.__path__, "wpgd_theory.", onerror=lambda name: None):
        if any(part.startswith("_") for part in info.name.split(".")[1:]) or info.name in skip:
            continue
        names.append(info.name)
    return sorted(names)


#: Module groups of the API reference, in order; a module goes to the first group whose
#: prefix it has; the last group ("Internals") takes the rest.
API_GROUPS = (
    ("Models, predictors and the risk landscape", ("wpgd_theory.model", "wpgd_theory.wpgd", "wpgd_theory.landscape",
                                                   "wpgd_theory.convex", "wpgd_theory.certify",
                                                   "wpgd_theory.quadrature", "wpgd_theory.strategies")),
    ("Gated linear attention (torch)", ("wpgd_theory.gla",)),
    ("Checks, report and command line", ("wpgd_theory.claims", "wpgd_theory.report", "wpgd_theory.cli",
                                         "wpgd_theory.commands", "wpgd_theory.config")),
    ("Internals", ("",)),
)


def _public_names() -> list:
    """``wpgd_theory.__all__`` as canonical dotted names (where each object is documented)."""
    import wpgd_theory

    out = []
    for name in wpgd_theory.__all__:
        obj = getattr(wpgd_theory, name)
        out.append(f"{getattr(obj, '__module__', 'wpgd_theory')}.{name}")
    return out


def _gallery_names(module: str) -> list:
    """The names under which the gallery's examples can refer to the public objects defined
    in ``module``: the module's own path and, for names the package re-exports, the
    package's (sphinx-gallery records the path an example imports from)."""
    import inspect

    import wpgd_theory

    mod = importlib.import_module(module)
    names = []
    for attr in getattr(mod, "__all__", None) or [a for a in vars(mod) if not a.startswith("_")]:
        obj = getattr(mod, attr, None)
        if not (inspect.isfunction(obj) or inspect.isclass(obj)) or getattr(obj, "__module__", None) != module:
            continue
        names.append(f"{module}.{attr}")
        if getattr(wpgd_theory, attr, None) is obj:
            names.append(f"wpgd_theory.{attr}")
    return names


def generate_api(src: Path) -> None:
    dest = src / "api"
    pages, failed = [], []
    for name in _public_modules():
        try:
            importlib.import_module(name)
        except Exception as exc:  # listed, not autodoc'ed (autodoc would warn = fail the build)
            failed.append((name, f"{type(exc).__name__}: {exc}"))
            continue
        # :ignore-module-all: documents what a module defines, not what it re-exports, so a
        # name has one entry (the package pages would otherwise duplicate the modules').
        body = [f"# `{name}`", "", "```{eval-rst}", f".. automodule:: {name}", "   :members:",
                "   :ignore-module-all:", "   :show-inheritance:", "```", ""]
        used = _gallery_names(name)
        if used:  # the gallery's examples that use one of the module's names (sphinx-gallery backreferences)
            body += ["```{eval-rst}", ".. minigallery::", f"   :add-heading: Examples using {name}", "",
                     *[f"   {n}" for n in used], "```", ""]
        _write(dest / f"{name}.md", "\n".join(body))
        pages.append(name)
    for p in dest.glob("*.md"):
        if p.stem not in pages and p.name != "index.md":
            p.unlink()
    index = ["# API reference", "",
             "Stable public names are importable from `wpgd_theory`; every docstring gives the formula the "
             "function implements and its claim id. The torch GLA is `wpgd_theory.gla`; checks run from Python "
             "with `wpgd_theory.claims.run` and are reported with `wpgd_theory.report.write_report`.", "",
             "## Public names", "", "```{eval-rst}", ".. autosummary::", "   :nosignatures:", ""]
    index += [f"   {n}" for n in _public_names()] + ["```", ""]
    grouped: dict = {title: [] for title, _ in API_GROUPS}
    for name in pages:
        title = next(t for t, prefixes in API_GROUPS
                     if any(name == p or name.startswith(p + ".") or p == "" for p in prefixes))
        grouped[title].append(name)
    grouped["Internals"] = [n for n in grouped["Internals"] if n != "wpgd_theory"]
    index += ["## Modules", "", "The package itself: {doc}`wpgd_theory`.", ""]
    for title, names in grouped.items():
        if names:
            index += [f"### {title}", "", "```{toctree}", ":maxdepth: 1", ""] + names + ["```", ""]
    index += ["```{toctree}", ":hidden:", "", "wpgd_theory", "```", ""]
    if failed:
        index += ["Modules that could not be imported when these docs were built:", ""]
        index += [f"- `{n}`: {msg.splitlines()[0] if msg else ''}" for n, msg in failed] + [""]
    _write(dest / "index.md", "\n".join(index))


# --------------------------------------------------------------------------- cli
def generate_cli(src: Path) -> None:
    from wpgd_theory.cli import build_parser

    old = os.environ.get("COLUMNS")
    os.environ["COLUMNS"] = "96"  # argparse wraps to the terminal: fix it so the pages are deterministic
    try:
        parser = build_parser()
        _write(src / "_generated" / "cli-main.txt", parser.format_help())
        sub = next(a for a in parser._actions if a.__class__.__name__ == "_SubParsersAction")
        for name, p in sub.choices.items():
            _write(src / "_generated" / f"cli-{name}.txt", p.format_help())
    finally:
        if old is None:
            os.environ.pop("COLUMNS", None)
        else:
            os.environ["COLUMNS"] = old


# --------------------------------------------------------------------------- timings
def generate_timings(src: Path) -> None:
    """``_generated/suite-times.md``: the measured suite times (``_timings.py``)."""
    from _timings import suite_table

    _write(src / "_generated" / "suite-times.md", suite_table())


def generate_all(src: Path) -> None:
    for gen in (generate_cli, generate_timings, generate_api, generate_theory, generate_report):
        gen(src)


def clean(src: Path) -> None:
    """Remove every generated folder (for tests and `make clean`)."""
    for d in ("theory", "report", "api", "_generated"):
        shutil.rmtree(src / d, ignore_errors=True)
