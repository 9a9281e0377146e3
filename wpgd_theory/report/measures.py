r"""What a check measured, in its unit, beside its bound: ``"|z| = 2.01 ≤ 4"``, ``"rel. 9.3e-16 ≤ 1e-10"``.

Checks measure different things (a relative error, a z-score, a condition number, a
count of failed identities…), so a bare "measured" column mixes units.  The unit of a
check is, in this order:

1. ``details["unit"]`` when the check records it (the preferred way: a short label such
   as ``"rel."``, ``"|z|"``, ``"cond."``);
2. named by the check's message as ``(measured: <quantity>)`` (e.g. ``"(measured: largest
   violation)"``): the quantity, verbatim;
3. recognised from the check's message and description (``"z-score"`` → ``|z|``,
   ``"relative"``/``rtol`` → ``rel.``, ``"condition number"`` → ``cond.``, sympy identity
   checks → ``failed identities``, …);
4. none: the value and bound are shown without a label (every check of the registry names
   its quantity; the tests keep it so).

The relation shown is ``≤`` for a passed check, ``>`` for a failed one whose value is above
its bound, and ``vs`` otherwise (a check whose criterion is not "value ≤ bound").
"""

from __future__ import annotations

import re

__all__ = ["unit_of", "verdict", "fmt_number", "fmt_seconds", "group_reasons"]


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


def fmt_seconds(x) -> str:
    return f"{x:.2f}" if x >= 0.01 else ("<0.01" if x > 0 else "0")


def group_reasons(unverified) -> list:
    """``[{id, reason}]`` → ``[(reason, [ids])]`` in first-seen order (one line per reason)."""
    groups: dict = {}
    for u in unverified:
        groups.setdefault(u["reason"], []).append(u["id"])
    return list(groups.items())

#: ``(measured: <quantity>)`` in a check's message: the quantity it measured.
_MEASURED = re.compile(r"\(measured:\s*([^()]*(?:\([^()]*\)[^()]*)*)\)")
#: (pattern in message + description, unit label), first match wins.
_RULES = (
    (re.compile(r"z-score|\|z\||\bz\s*≤|\bz\s*<="), "|z|"),
    (re.compile(r"condition number"), "cond."),
    (re.compile(r"count mismatch|mismatches"), "mismatches"),
    (re.compile(r"/\s*\(3\s*SE\s*\+\s*2\s*%\)"), "|Δ|/(3 SE + 2 %)"),
    (re.compile(r"\brelative\b|\brtol\b|\brel\.|relative error|1\s*−\s*\|cos\|"), "rel."),
)


def unit_of(check: dict) -> str:
    """The unit label of a check entry of the report document (``""`` when unknown)."""
    details = check.get("details") or {}
    unit = details.get("unit")
    if isinstance(unit, str) and unit.strip():
        return unit.strip()
    if check.get("kind") == "symbolic" and "identities" in details:
        return "failed identities"
    named = _MEASURED.search(str(check.get("message") or ""))
    if named and named.group(1).strip():
        return named.group(1).split(";")[0].strip()  # the quantity; what follows a ';' explains it
    text = f"{check.get('message', '')} {check.get('description', '')}"
    for pattern, label in _RULES:
        if pattern.search(text):
            return label
    return ""


def _relation(check: dict) -> str:
    m, t = check.get("measured"), check.get("tolerance")
    if check.get("status") == "passed":
        return "≤"
    if isinstance(m, (int, float)) and isinstance(t, (int, float)) and m > t:
        return ">"
    return "vs"


def verdict(check: dict) -> str:
    """What a check measured beside its bound, with its unit.

    Parameters
    ----------
    check : dict
        A check entry of the report document (``doc["claims"][i]["checks"][j]``): its
        ``measured``, ``tolerance``, ``status``, ``kind``, ``message``, ``description``
        and ``details`` are read.

    Returns
    -------
    str
        ``"<unit> = <value> <relation> <bound>"`` (``"rel. <value> …"`` for relative
        errors), or ``""`` when nothing was measured.

    Examples
    --------
    >>> verdict({"status": "passed", "measured": 2.0134, "tolerance": 4.0, "message": "z-score"})
    '|z| = 2.01 ≤ 4'
    >>> verdict({"status": "failed", "measured": 3e-3, "tolerance": 1e-10, "description": "relative error"})
    'rel. 0.003 > 1e-10'
    >>> verdict({"status": "passed", "measured": 0.0, "tolerance": 0.0,
    ...          "message": "ordering (measured: models where the prediction fails)"})
    'models where the prediction fails = 0 ≤ 0'
    """
    m, t = check.get("measured"), check.get("tolerance")
    if m is None and t is None:
        return ""
    unit = unit_of(check)
    value = fmt_number(m)
    if unit == "failed identities":  # exact: a count, whose bound is zero
        return f"exact: {value} failed identities"
    if t is None:
        return f"{unit} = {value}" if unit else value
    head = f"{unit} = {value}" if unit and unit != "rel." else (f"rel. {value}" if unit else value)
    return f"{head} {_relation(check)} {fmt_number(t)}"
