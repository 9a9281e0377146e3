r"""``report.html``: one self-contained file (inline CSS, figures as base64 PNG, no network).

Mathematics: statements are shown as their LaTeX source in a styled block.  The file must
work offline and without scripts from elsewhere, and matplotlib's mathtext cannot typeset
the statements' matrices, so the source is shown verbatim (it is also what one pastes into
a paper); the Sphinx docs render the same statements with MathJax.
"""

from __future__ import annotations

import base64
import json
import re
from html import escape

from .markdown import fmt_number, fmt_seconds, group_reasons

__all__ = ["render_html"]

_CSS = """
:root { --ok:#1a7f37; --bad:#b42318; --warn:#9a6700; --muted:#57606a; --line:#d0d7de; --bg2:#f6f8fa; }
* { box-sizing: border-box; }
body { font: 15px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif;
       color:#1f2328; max-width: 1100px; margin: 0 auto; padding: 1.5rem; }
h1 { font-size: 1.7rem; margin: 0 0 .3rem; } h2 { border-bottom: 1px solid var(--line); padding-bottom:.2rem;
     margin-top: 2.2rem; } h3 { margin-top: 1.8rem; }
code, pre, .tex { font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; font-size: .86em; }
.tex { display:block; background: var(--bg2); border-left: 3px solid #8250df; padding: .5rem .7rem;
       white-space: pre-wrap; word-break: break-word; }
table { border-collapse: collapse; width: 100%; margin: .6rem 0; font-size: .9rem; }
th, td { border: 1px solid var(--line); padding: .3rem .5rem; text-align: left; vertical-align: top; }
th { background: var(--bg2); } td.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
.badge { display:inline-block; padding: .05rem .5rem; border-radius: 1rem; font-weight: 600; font-size:.85rem;
         border: 1px solid currentColor; white-space: nowrap; }
.s-verified, .s-passed { color: var(--ok); } .s-failed, .s-error { color: var(--bad); }
.s-not-verified, .s-skipped { color: var(--warn); } .s-not-applicable { color: #666; }
.banner { padding: .8rem 1rem; border-radius: .4rem; border: 2px solid currentColor; margin: .8rem 0; }
.muted { color: var(--muted); } .reason { color: var(--warn); font-style: italic; }
figure { margin: 1rem 0; page-break-inside: avoid; break-inside: avoid; }
figure img { max-width: 100%; height: auto; border: 1px solid var(--line); }
figcaption { font-size: .88rem; color: var(--muted); }
details pre { background: var(--bg2); padding: .5rem; overflow: auto; max-height: 24rem; font-size: .8rem; }
.check { margin: .4rem 0 .8rem; padding-left: .6rem; border-left: 3px solid var(--line); }
.check.s-failed, .check.s-error { border-left-color: var(--bad); } .check.s-passed { border-left-color: var(--ok); }
.check > .desc, .check > .msg { color: #1f2328; }
section.claim { page-break-before: auto; }
@media print { body { max-width: none; padding: 0; font-size: 11pt; } a { color: inherit; text-decoration: none; }
  details pre { max-height: none; overflow: visible; white-space: pre-wrap; } h2 { page-break-after: avoid; } }
"""

# Opens every <details> for printing, so nothing is hidden on paper.
_JS = ("window.addEventListener('beforeprint',function(){document.querySelectorAll('details')"
       ".forEach(function(d){d.open=true;});});")


# Marks present in common text fonts (emoji fonts are often missing, e.g. on servers and in print).
STATUS_MARK = {"verified": "✓", "passed": "✓", "failed": "✗", "error": "✗", "not verified": "⚠", "skipped": "–",
               "not applicable": "n/a"}


_RST_LITERAL = re.compile(r"``(.+?)``")


def _text(value: str) -> str:
    """Escape text from docstrings/checks; RST ``literals`` become <code>."""
    return _RST_LITERAL.sub(r"<code>\1</code>", escape(value))


def _cls(status: str) -> str:
    return "s-" + status.replace(" ", "-")


def _badge(status: str) -> str:
    return f'<span class="badge {_cls(status)}">{STATUS_MARK.get(status, "")} {escape(status)}</span>'


def render_html(doc: dict, figure_png: dict | None = None, *, title: str = "wpgd_theory verification report") -> str:
    """Render a report document as one HTML page; ``figure_png`` maps figure names to PNG bytes."""
    figure_png = figure_png or {}
    run, env, summ = doc["run"], doc["environment"], doc["summary"]
    e = escape
    out = ["<!DOCTYPE html>", '<html lang="en"><head><meta charset="utf-8">',
           '<meta name="viewport" content="width=device-width, initial-scale=1">',
           f'<meta name="generator" content="wpgd-verify; report schema {e(doc["schema_version"])}">',
           f"<title>{e(title)} — {e(doc['status'])}</title><style>{_CSS}</style>",
           f"<script>{_JS}</script></head><body>"]
    cc, ck = summ["claims"], summ["checks"]
    out.append(f"<h1>{e(title)}</h1>")
    out.append(f'<div class="banner {_cls(doc["status"])}" id="status"><strong>{STATUS_MARK[doc["status"]]} '
               f'{e(doc["status"]).upper()}</strong> — {cc["verified"]} of {cc["total"]} claims verified, '
               f'{cc["failed"]} failed, {cc["not verified"]} not verified, {cc["not applicable"]} not applicable; '
               f'{ck["passed"]} of {ck["total"]} checks '
               f'passed ({ck["failed"]} failed, {ck["error"]} errors, {ck["skipped"]} skipped). '
               f'Exit status {doc["exit_status"]}.</div>')
    if summ["failed_claims"]:
        out.append("<p><strong>Failed:</strong> " + ", ".join(
            f'<a href="#claim-{e(i)}">{e(i)}</a>' for i in summ["failed_claims"]) + "</p>")
    if summ["unverified_claims"]:
        groups = [", ".join(f'<a href="#claim-{e(i)}">{e(i)}</a>' for i in ids)
                  + f' <span class="reason">({e(reason)})</span>'
                  for reason, ids in group_reasons(summ["unverified_claims"])]
        out.append("<p><strong>Not verified:</strong> " + "; ".join(groups) + "</p>")
    if summ.get("not_applicable_claims"):
        groups = [", ".join(f'<a href="#claim-{e(i)}">{e(i)}</a>' for i in ids)
                  + f' <span class="reason">({e(reason)})</span>'
                  for reason, ids in group_reasons(summ["not_applicable_claims"])]
        out.append("<p><strong>Not applicable</strong> (never counted as passed): " + "; ".join(groups) + "</p>")
    commit = env.get("git_commit")
    device = run["device"] + ("" if run["requested_device"] == run["device"]
                              else f" (requested {run['requested_device']}, unavailable)")
    models = ", ".join(run["models"]) or "—"
    rows = [("Suite", f"<code>{e(run['suite'])}</code>"), ("Seed", e(str(run["seed"]))), ("Device", e(device)),
            ("Claims", e(", ".join(run["claim_ids"]))),
            ("Models", e(models) + (f" (from <code>{e(run['config'])}</code>)" if run.get("config")
                                    else ' <span class="muted">(built-in defaults)</span>')),
            ("Duration", f"{run['duration_s']:.1f} s (checks {run['checks_duration_s']:.1f} s)"),
            ("Generated", e(doc["generated_at"])),
            ("Git commit", (f"<code>{e(commit[:12])}</code>" + (" (uncommitted changes)" if env.get("git_dirty")
                                                                 else "")) if commit else "—")]
    out.append("<table>" + "".join(f"<tr><th>{k}</th><td>{v}</td></tr>" for k, v in rows) + "</table>")

    # ---- summary table
    out.append('<h2 id="summary">Summary</h2><table><thead><tr><th>Claim</th><th>Check</th><th>Kind</th>'
               "<th>Status</th><th>Measured</th><th>Tolerance</th><th>Time (s)</th></tr></thead><tbody>")
    for c in doc["claims"]:
        link = f'<a href="#claim-{e(c["id"])}"><strong>{e(c["id"])}</strong></a>'
        if not c["checks"]:
            out.append(f'<tr><td>{link}</td><td class="reason">{e(c["reason"])}</td><td>—</td>'
                       f'<td>{_badge(c["status"])}</td><td class="num">—</td><td class="num">—</td>'
                       '<td class="num">—</td></tr>')
        for i, ch in enumerate(c["checks"]):
            first = link if i == 0 else ""
            out.append(f"<tr><td>{first}</td><td>{e(ch['name'])}</td><td>{e(ch['kind'])}</td>"
                       f"<td>{_badge(ch['status'])}</td><td class=\"num\">{e(fmt_number(ch['measured']))}</td>"
                       f"<td class=\"num\">{e(fmt_number(ch['tolerance']))}</td>"
                       f"<td class=\"num\">{e(fmt_seconds(ch['duration_s']))}</td></tr>")
    out.append("</tbody></table>")

    # ---- claims
    figures = {f["name"]: f for f in doc["figures"]}
    shown: set = set()  # a figure shared by several claims is embedded once, then linked
    out.append('<h2 id="claims">Claims</h2>')
    for c in doc["claims"]:
        out.append(f'<section class="claim" id="claim-{e(c["id"])}"><h3>{e(c["id"])} — {e(c["title"])} '
                   f'{_badge(c["status"])}</h3>')
        if c["reason"]:
            out.append(f'<p class="reason">{e(c["reason"])}</p>')
        out.append(f'<p><strong>Statement</strong> <span class="muted">(LaTeX)</span></p>'
                   f'<code class="tex">{e(" ".join(c["statement"].split()))}</code>')
        if c["assumptions"]:
            out.append("<p><strong>Assumptions</strong></p><ul>" + "".join(
                f"<li>{e(a)}</li>" for a in c["assumptions"]) + "</ul>")
        if c["proof"]:
            out.append(f"<p><strong>Proof</strong>: <code>{e(c['proof'])}</code></p>")
        if c["checks"]:
            out.append("<p><strong>Evidence</strong></p>")
        for ch in c["checks"]:
            verdict = ""
            if ch["measured"] is not None or ch["tolerance"] is not None:
                verdict = (f" — measured <code>{e(fmt_number(ch['measured']))}</code>, tolerance "
                           f"<code>{e(fmt_number(ch['tolerance']))}</code>")
            out.append(f'<div class="check {_cls(ch["status"])}"><div>{_badge(ch["status"])} <strong>'
                       f'{e(ch["name"])}</strong> <span class="muted">({e(ch["kind"])}, '
                       f'{e(fmt_seconds(ch["duration_s"]))} s, seed {ch["seed"]})</span>{verdict}</div>')
            if ch["description"]:
                out.append(f'<div class="desc">{_text(ch["description"])}</div>')
            if ch["message"]:
                out.append(f'<div class="msg"><em>{_text(ch["message"])}</em></div>')
            if ch["details"]:
                text = json.dumps(ch["details"], indent=1, ensure_ascii=False)
                opened = " open" if ch["status"] in ("failed", "error") else ""
                out.append(f"<details{opened}><summary>details</summary><pre>{e(text)}</pre></details>")
            out.append("</div>")
        for name in c["figures"]:
            f = figures[name]
            if name in shown and f["status"] == "ok":
                out.append(f'<p class="muted">See figure <a href="#fig-{e(name)}">{e(f["title"])}</a> above.</p>')
            else:
                out.append(_figure(f, figure_png.get(name)))
            shown.add(name)
        out.append("</section>")

    # ---- environment
    out.append('<h2 id="environment">Environment</h2><table>')
    out.append(f"<tr><th>Python</th><td>{e(env['python'])} ({e(env.get('implementation', ''))})</td></tr>")
    out.append(f"<tr><th>Platform</th><td>{e(env['platform'])}</td></tr>")
    out.append(f"<tr><th>CPUs</th><td>{e(str(env.get('cpu_count')))}</td></tr>")
    out.append(f"<tr><th>Device</th><td>{e(env['device'])}"
               + (f" — {e(env['cuda_device'])}" if env.get("cuda_device") else "") + "</td></tr>")
    for k, v in env["packages"].items():
        out.append(f"<tr><th>{e(k)}</th><td>{e(v) if v else '<span class=muted>not installed</span>'}</td></tr>")
    out.append("</table>")
    out.append(f'<p class="muted">Report schema <code>{e(doc["schema"])}</code> {e(doc["schema_version"])}; '
               f'machine-readable twin: <code>report.json</code>; command: '
               f'<code>{e(run.get("command") or "wpgd-verify run")}</code>.</p>')
    out.append("</body></html>")
    return "\n".join(out) + "\n"


def _figure(f: dict, png: bytes | None) -> str:
    e = escape
    if f["status"] == "ok" and png:
        data = base64.b64encode(png).decode("ascii")
        return (f'<figure id="fig-{e(f["name"])}"><img alt="{e(f["title"])}" src="data:image/png;base64,{data}">'
                f"<figcaption><strong>{e(f['title'])}.</strong> {e(f['caption'])}</figcaption></figure>")
    return (f'<p class="muted" id="fig-{e(f["name"])}">Figure <em>{e(f["title"])}</em> not drawn: '
            f"{e(f['note'])}</p>")
