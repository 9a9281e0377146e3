r"""``report.md``: the report as Markdown, for pasting into issues and papers.

Statements keep their LaTeX in ``$...$`` (GitHub and MyST render it); figures are
referenced as ``figures/<name>.png`` beside the file.  Text from checks is escaped so it
cannot turn into Markdown or math by accident.
"""

from __future__ import annotations

import json
import re

from .mathml import EMPHASIS, MATH, strip_roles
from .measures import fmt_number, fmt_seconds, group_reasons, verdict
from .references import PAPER_URL, theory_page

__all__ = ["render_markdown", "fmt_number", "fmt_seconds", "group_reasons", "STATUS_MARK"]

#: Marks in every common text font (no emoji: they render as empty boxes without an emoji
#: font, on servers and in print); the status word always follows the mark.
STATUS_MARK = {"verified": "✓", "passed": "✓", "failed": "✗", "error": "✗", "not verified": "–",
               "skipped": "–", "not applicable": "–"}
_MD_SPECIAL = re.compile(r"([\\`*_\[\]<>|$#~])")


def esc(text) -> str:
    """Escape Markdown/MyST specials (also ``$``: no accidental math) and newlines."""
    return _MD_SPECIAL.sub(r"\\\1", str(text)).replace("\r", "").replace("\n", " ")


def _code(text) -> str:
    text = str(text).replace("\n", " ")
    ticks = "``" if "`" in text else "`"
    return f"{ticks}{text}{ticks}" if text else ""


_TOKENS = re.compile(MATH.pattern + r"|``(.+?)``", re.S)


def _prose(text: str) -> str:
    """Escaped prose whose RST emphasis ``*word*`` stays Markdown emphasis."""
    out, last = [], 0
    for m in EMPHASIS.finditer(text):
        out += [esc(text[last:m.start()]), f"*{esc(m.group(1))}*"]
        last = m.end()
    return "".join(out + [esc(text[last:])])


def _rich(text) -> str:
    """Registry text (descriptions, assumptions): ``$math$`` kept for the Markdown renderer,
    RST literals and Sphinx roles as code spans, RST emphasis as Markdown emphasis, everything
    else escaped."""
    text = strip_roles(" ".join(str(text).split()))
    out, last = [], 0
    for m in _TOKENS.finditer(text):
        out.append(_prose(text[last:m.start()]))
        if m.group(3) is not None:
            out.append(_code(m.group(3)))
        else:
            out.append(m.group(0))
        last = m.end()
    out.append(_prose(text[last:]))
    return "".join(out)


def _statement(tex: str) -> str:
    """Statements are trusted LaTeX from the registry: keep ``$...$``, flatten newlines."""
    return " ".join(tex.split())


def _architectures_md(doc: dict, h: str) -> list:
    """The real-architectures table (the G1 architecture check), if it ran."""
    arch = doc.get("architectures")
    if not arch:
        return []
    models = list(doc["run"]["models"])
    lines = [f"{h}# Real architectures (flash-linear-attention {arch.get('fla_version') or ''})".rstrip(), "",
             "| Architecture | Implements WPGD | Weight class | Discrepancy vs bound | "
             + " | ".join(f"Best risk: {esc(m)}" for m in models) + " |",
             "|---|---|---|---|" + "---|" * len(models)]
    for r in arch["rows"]:
        said = "yes" if r["implements_wpgd"] else "no"
        if not r["as_stated"]:
            said += f" (stated: {'yes' if r.get('stated_implements_wpgd') else 'no'})"
        risks = [r.get("best_risk", {}).get(m) for m in models]
        lines.append(f"| {esc(r.get('title') or r['name'])} | {said} | {r['weight_class']} | "
                     f"{r['max_discrepancy']:.2g} {'≤' if r['implements_wpgd'] else '>'} {r['tolerance']:.2g} | "
                     + " | ".join("—" if v is None else f"{v:.4g}" for v in risks) + " |")
    controls = [r for r in arch["rows"] if not r["implements_wpgd"]]
    if controls:
        lines += ["", "Why each control is not one-step WPGD:", ""]
        lines += [f"- **{esc(r.get('title') or r['name'])}**: {esc(r.get('reason') or 'no reason recorded')}"
                  for r in controls]
    if arch.get("unavailable"):
        lines += ["", "Not in the map on this machine:", ""]
        lines += [f"- **{esc(u['name'])}**: {esc(u['reason'])}" for u in arch["unavailable"]]
    return lines + [""]


def _claims_table_md(doc: dict, h: str, theory_links: str | None) -> list:
    """The claims at a glance: id, title, the paper's statement refined, verdict, checks, proof."""
    lines = [f"{h}# Claims at a glance", "",
             f"Each claim is this project's precise version of a statement of the paper "
             f"([Li et al. 2025, *Gating is Weighting*, arXiv:2504.04308]({PAPER_URL})); the checks are "
             "independent computations of both sides (passed of run).", "",
             "| Claim | Title | Refines (paper) | Verdict | Independent checks | Proof |", "|---|---|---|---|---|---|"]
    for c in doc["claims"]:
        paper = (c.get("paper") or {}).get("result") or ""
        page = theory_page(c["proof"])
        proof = "—"
        if page:
            proof = f"Theory › {esc(page[1])}"
            if theory_links is not None:
                proof = f"[{proof}]({theory_links}{page[0]}.md)"
        npass = sum(ch["status"] == "passed" for ch in c["checks"])
        lines.append(f"| **{c['id']}** | {esc(c['title'])} | "
                     f"{f'[{esc(paper)}]({PAPER_URL})' if paper else '—'} | {STATUS_MARK[c['status']]} {c['status']} | "
                     f"{npass} of {len(c['checks'])} | {proof} |")
    return lines + [""]


def _model_label(name, desc) -> str:
    """A model's name, with the unit its checks ran in when that is not 1 (scale covariance)."""
    unit = desc.get("natural_unit") if isinstance(desc, dict) else None
    return name if unit in (None, 1.0) else f"{name} (checked in units of its risk scale, u = {unit:.6g})"


def render_markdown(doc: dict, *, title: str = "wpgd_theory verification report", heading_level: int = 1,
                    vector_files: dict | None = None, theory_links: str | None = None) -> str:
    """Render a report document (see :mod:`.document`) as Markdown.

    ``vector_files`` maps figure names to their SVG/PDF files (linked under each figure);
    ``theory_links`` (e.g. ``"../"``) makes the proof references links to the docs' theory
    pages, for a report page inside the documentation.
    """
    vector_files = vector_files or {}
    h = "#" * heading_level
    run, env, summ = doc["run"], doc["environment"], doc["summary"]
    lines = [f"{h} {title}", ""]
    cc = summ["claims"]
    lines += [f"**Status: {STATUS_MARK[doc['status']]} {doc['status']}** — {cc['verified']} of {cc['total']} claims "
              f"verified, {cc['failed']} failed, {cc['not verified']} not verified, "
              f"{cc['not applicable']} not applicable; "
              f"{summ['checks']['passed']} of {summ['checks']['total']} checks passed "
              f"(exit status {doc['exit_status']}).", ""]
    lines += _claims_table_md(doc, h, theory_links)
    commit = env.get("git_commit")
    commit_s = _code(commit[:12]) + (" (uncommitted changes)" if env.get("git_dirty") else "") if commit else "—"
    device = run["device"] + ("" if run["requested_device"] == run["device"]
                              else f" (requested {run['requested_device']}, unavailable)")
    lines += [f"{h}# Run", "", "| Run | |", "|---|---|",
              f"| Suite | {_code(run['suite'])} |",
              f"| Seed | {run['seed']} |",
              f"| Device | {esc(device)} |",
              f"| Claims | {esc(', '.join(run['claim_ids']))} |",
              f"| Models | {esc(', '.join(_model_label(k, v) for k, v in run['models'].items()) or '—')}"
              f"{' (from ' + esc(run['config']) + ')' if run.get('config') else ' (built-in defaults)'} |",
              f"| Duration | {run['duration_s']:.1f} s (checks {run['checks_duration_s']:.1f} s) |",
              f"| Generated | {esc(doc['generated_at'])} |",
              f"| Git commit | {commit_s} |", ""]
    if summ["failed_claims"]:
        lines += [f"**Failed:** {', '.join(summ['failed_claims'])}", ""]
    if summ["unverified_claims"]:
        lines += ["**Not verified:** " + "; ".join(f"{', '.join(ids)} ({esc(reason)})"
                                                   for reason, ids in group_reasons(summ["unverified_claims"])), ""]
    if summ.get("not_applicable_claims"):
        lines += ["**Not applicable** (never counted as passed): " + "; ".join(
            f"{', '.join(ids)} ({esc(reason)})" for reason, ids in group_reasons(summ["not_applicable_claims"])), ""]
    lines += [f"{h}# Checks", "", "| Claim | Check | Kind | Status | Measured ≤ bound | Time (s) |",
              "|---|---|---|---|---|---|"]
    for c in doc["claims"]:
        if not c["checks"]:
            lines.append(f"| **{c['id']}** | *{esc(c['reason'])}* | — | {STATUS_MARK[c['status']]} {c['status']} "
                         "| — | — |")
        for ch in c["checks"]:
            lines.append(f"| **{c['id']}** | {esc(ch['name'])} | {ch['kind']} | {STATUS_MARK[ch['status']]} "
                         f"{ch['status']} | {esc(verdict(ch)) or '—'} | {fmt_seconds(ch['duration_s'])} |")
    lines.append("")
    figures = {f["name"]: f for f in doc["figures"]}
    shown: set = set()
    lines += [f"{h}# Claims", ""]
    for c in doc["claims"]:
        lines += [f"{h}## {c['id']} — {esc(c['title'])}", "",
                  f"**{STATUS_MARK[c['status']]} {c['status']}**" + (f" — {esc(c['reason'])}" if c["reason"] else ""),
                  "", f"*Statement.* {_statement(c['statement'])}", ""]
        if c["assumptions"]:
            lines += ["*Assumptions.* " + "; ".join(_rich(a) for a in c["assumptions"]) + ".", ""]
        page = theory_page(c["proof"])
        if page:
            ref = f"Theory › {esc(page[1])}"
            if theory_links is not None:
                ref = f"[{ref}]({theory_links}{page[0]}.md)"
            lines += [f"*Proof:* documentation, {ref} (page {_code(page[0])}).", ""]
        if c["checks"]:
            lines += ["*Evidence.*", ""]
            for ch in c["checks"]:
                message = ch["message"] if ch["status"] != "passed" else ""  # a passed check's description says it
                parts = [p for p in (_rich(ch["description"]), esc(strip_roles(message)), esc(verdict(ch))) if p]
                lines.append(f"- {STATUS_MARK[ch['status']]} **{esc(ch['name'])}** ({ch['kind']}, {ch['status']}, "
                             f"{fmt_seconds(ch['duration_s'])} s): " + " — ".join(parts))
            lines.append("")
            for ch in c["checks"]:
                if ch["status"] in ("failed", "error") and ch["details"]:
                    text = json.dumps(ch["details"], indent=1, ensure_ascii=False)
                    if len(text) > 2000:
                        text = text[:2000] + "\n… (truncated; full details in report.json)"
                    lines += [f"Details of *{esc(ch['name'])}*:", "", "```json", text.replace("```", "'''"),
                              "```", ""]
        for name in c["figures"]:
            f = figures[name]
            if f["status"] == "ok" and name in shown:
                lines += [f"*Figure: {esc(f['title'])} (above).*", ""]
            elif f["status"] == "ok":
                also = "".join(f" [{p.rsplit('.', 1)[-1].upper()}]({p})" for p in vector_files.get(name, ()))
                lines += [f"![{esc(f['title'])}]({f['file']})", "", f"*{esc(f['title'])}.* {esc(f['caption'])}"
                          + (f" Also as{also}." if also else ""), ""]
            shown.add(name)
    skipped = [f for f in doc["figures"] if f["status"] != "ok"]
    if skipped:
        lines += [f"{h}# Figures not drawn", ""]
        lines += [f"- **{esc(f['title'])}** ({', '.join(f['claims'])}): {esc(f['note'])}" for f in skipped]
        lines.append("")
    pk = env["packages"]
    lines += _architectures_md(doc, h)
    lines += [f"{h}# Environment", "", "| | |", "|---|---|",
              f"| Python | {esc(env['python'])} ({esc(env.get('implementation', ''))}) |",
              f"| Platform | {esc(env['platform'])} |",
              f"| CPUs | {env.get('cpu_count')} |"]
    lines += [f"| {esc(k)} | {esc(v) if v else 'not installed'} |" for k, v in pk.items()]
    lines += ["", f"*Report schema {esc(doc['schema'])} {doc['schema_version']}; generated by "
                  f"{_code(run.get('command') or 'wpgd-verify run')}.*", ""]
    return "\n".join(lines)
