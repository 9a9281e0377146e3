"""The G1 check on real architectures (issue 13 item 7: quick and default run the exact
conformance checks): it passes as registered and fails when a verdict is not the stated one."""

from __future__ import annotations

import dataclasses

from wpgd_theory.architectures import registry as areg
from wpgd_theory.claims.architectures import architectures_as_stated
from wpgd_theory.claims.core import CheckContext


def test_every_architecture_is_as_stated_and_both_sides_are_named():
    ctx = CheckContext(suite="quick", models={})
    res = architectures_as_stated(ctx)
    assert res.passed, res.message
    assert "fla" in res.details["subject"] and "wpgd_predict" in res.details["reference"]
    rows = {r["name"]: r for r in res.details["architectures"]}
    assert not rows["deltanet"]["implements_wpgd"] and rows["gla"]["implements_wpgd"]
    assert ctx.artifacts["architectures"]["rows"]


def test_a_wrongly_stated_verdict_fails(monkeypatch):
    """If the registry claimed that DeltaNet implements WPGD, the measured verdict contradicts it."""
    wrong = dict(areg.ARCHITECTURES)
    wrong["deltanet"] = dataclasses.replace(wrong["deltanet"], implements_wpgd=True)
    monkeypatch.setattr(areg, "ARCHITECTURES", wrong)
    res = architectures_as_stated(CheckContext(suite="quick", models={}))
    assert res.status == "failed" and "deltanet" in res.message
