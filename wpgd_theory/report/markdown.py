r"""``report.md``: the report as Markdown, for pasting into issues and papers.

Statements keep their LaTeX in ``$...$`` (GitHub and MyST render it); figures are
referenced as ``figures/<name>.png`` beside the file.  Text from checks is escaped so it
cannot turn into Markdown or math by accident.
"""

from __future__ import annotations

import json
import re

__all__ = ["render_markdown", "fmt_number", "group_reasons", "STATUS_MARK"]

STATUS_MARK = {"verified": "✅", "passed": "✅", "failed": "❌", "error": "💥", "not verified": "⚠️",
               "skipped": "⏭️", "not applicable": "n/a"}
_MD_SPECIAL = re.compile(r"([\\`*_\[\]<>|$#~])")


def fmt_number(x) -> str:
    """Compact display of a measured value / tolerance (numbers, ``None``, "inf"...)."""
    if x is None:
        return "—"
    if isinstance(x, str):
        return x
    if isinstance(x, bool):
        return str(x)
    if isinstance(x, int):
        return str(x)
    if x == 0:
        return "0"
    return f"{x:.3g}"


def group_reasons(unverified) -> list:
    """``[{id, reason}]`` → ``[(reason, [ids])]`` in first-seen order (one line per reason)."""
    groups: dict = {}
    for u in unverified:
        groups.setdefault(u["reason"], []).append(u["id"])
    return list(groups.items())


def fmt_seconds(x) -> str:
    return f"{x:.2f}" if x >= 0.01 else ("<0.01" if x > 0 else "0")


def esc(text) -> str:
    """Escape Markdown/MyST specials (also ``$``: no accidental math) and newlines."""
    return _MD_SPECIAL.sub(r"\\\1", str(text)).replace("\r", "").replace("\n", " ")


def _code(text) -> str:
    text = str(text).replace("\n", " ")
    ticks = "``" if "`" in text else "`"
    return f"{ticks}{text}{ticks}" if text else ""


def _statement(tex: str) -> str:
    """Statements are trusted LaTeX from the registry: keep ``$...$``, flatten newlines."""
    return " ".join(tex.split())


def render_markdown(doc: dict, *, title: str = "wpgd_theory verification report", heading_level: int = 1) -> str:
    """Render a report document (see :mod:`.document`) as Markdown."""
    h = "#" * heading_level
    run, env, summ = doc["run"], doc["environment"], doc["summary"]
    lines = [f"{h} {title}", ""]
    cc = summ["claims"]
    lines += [f"**Status: {STATUS_MARK[doc['status']]} {doc['status']}** — {cc['verified']} of {cc['total']} claims "
              f"verified, {cc['failed']} failed, {cc['not verified']} not verified, "
              f"{cc['not applicable']} not applicable; "
              f"{summ['checks']['passed']} of {summ['checks']['total']} checks passed "
              f"(exit status {doc['exit_status']}).", ""]
    commit = env.get("git_commit")
    commit_s = _code(commit[:12]) + (" (uncommitted changes)" if env.get("git_dirty") else "") if commit else "—"
    device = run["device"] + ("" if run["requested_device"] == run["device"]
                              else f" (requested {run['requested_device']}, unavailable)")
    lines += ["| Run | |", "|---|---|",
              f"| Suite | {_code(run['suite'])} |",
              f"| Seed | {run['seed']} |",
              f"| Device | {esc(device)} |",
              f"| Claims | {esc(', '.join(run['claim_ids']))} |",
              f"| Models | {esc(', '.join(run['models']) or '—')}"
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
    lines += [f"{h}# Summary", "", "| Claim | Check | Kind | Status | Measured | Tolerance | Time (s) |",
              "|---|---|---|---|---|---|---|"]
    for c in doc["claims"]:
        if not c["checks"]:
            lines.append(f"| **{c['id']}** | *{esc(c['reason'])}* | — | {STATUS_MARK[c['status']]} {c['status']} "
                         "| — | — | — |")
        for ch in c["checks"]:
            lines.append(f"| **{c['id']}** | {esc(ch['name'])} | {ch['kind']} | {STATUS_MARK[ch['status']]} "
                         f"{ch['status']} | {fmt_number(ch['measured'])} | {fmt_number(ch['tolerance'])} | "
                         f"{fmt_seconds(ch['duration_s'])} |")
    lines.append("")
    figures = {f["name"]: f for f in doc["figures"]}
    shown: set = set()
    lines += [f"{h}# Claims", ""]
    for c in doc["claims"]:
        lines += [f"{h}## {c['id']} — {esc(c['title'])}", "",
                  f"**{STATUS_MARK[c['status']]} {c['status']}**" + (f" — {esc(c['reason'])}" if c["reason"] else ""),
                  "", f"*Statement.* {_statement(c['statement'])}", ""]
        if c["assumptions"]:
            lines += ["*Assumptions.* " + "; ".join(esc(a) for a in c["assumptions"]) + ".", ""]
        if c["proof"]:
            lines += [f"*Proof:* {_code(c['proof'])}", ""]
        if c["checks"]:
            lines += ["*Evidence.*", ""]
            for ch in c["checks"]:
                verdict = (f"measured {fmt_number(ch['measured'])} vs tolerance {fmt_number(ch['tolerance'])}"
                           if ch["measured"] is not None or ch["tolerance"] is not None else "")
                parts = [p for p in (esc(ch["description"]), esc(ch["message"]), verdict) if p]
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
                lines += [f"![{esc(f['title'])}]({f['file']})", "", f"*{esc(f['title'])}.* {esc(f['caption'])}", ""]
            shown.add(name)
    skipped = [f for f in doc["figures"] if f["status"] != "ok"]
    if skipped:
        lines += [f"{h}# Figures not drawn", ""]
        lines += [f"- **{esc(f['title'])}** ({', '.join(f['claims'])}): {esc(f['note'])}" for f in skipped]
        lines.append("")
    pk = env["packages"]
    lines += [f"{h}# Environment", "", "| | |", "|---|---|",
              f"| Python | {esc(env['python'])} ({esc(env.get('implementation', ''))}) |",
              f"| Platform | {esc(env['platform'])} |",
              f"| CPUs | {env.get('cpu_count')} |"]
    lines += [f"| {esc(k)} | {esc(v) if v else 'not installed'} |" for k, v in pk.items()]
    lines += ["", f"*Report schema {esc(doc['schema'])} {doc['schema_version']}; generated by "
                  f"{_code(run.get('command') or 'wpgd-verify run')}.*", ""]
    return "\n".join(lines)
