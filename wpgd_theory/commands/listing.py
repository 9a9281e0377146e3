"""``wpgd-verify list [--json]``: the claims and their registered checks (id, title, check
names, kinds, suites)."""

from __future__ import annotations

import json

from ..cli import EXIT_OK, _say

__all__ = ["cmd_list"]


def cmd_list(args) -> int:
    from ..claims import runner

    claims = runner.registry()
    if args.json:
        doc = [{"id": c.id, "title": c.title, "proof": c.proof,
                "checks": [{"name": k.name, "kind": k.kind, "suites": list(k.suites), "description": k.description}
                           for k in c.checks]} for c in claims]
        _say(json.dumps(doc, indent=2, ensure_ascii=False))
        return EXIT_OK
    for c in claims:
        _say(f"{c.id:<3} {c.title}")
        if not c.checks:
            _say("      (no checks implemented yet: reported as not verified)")
        for k in c.checks:
            _say(f"      - {k.name}  [{k.kind}; {', '.join(k.suites)}]")
    total = sum(len(c.checks) for c in claims)
    _say(f"{len(claims)} claims, {total} checks")
    return EXIT_OK
