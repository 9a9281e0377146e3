"""``wpgd-verify architectures --train`` (issue 19): a trained-risk column, in the text and the JSON,
only behind the option."""

from __future__ import annotations

import contextlib
import io
import json

import pytest

from wpgd_theory.architectures import cli as acli
from wpgd_theory.architectures import train as tr
from wpgd_theory.cli import main


def _fake_table(models, seed=0):
    """A two-row table (the real one runs every architecture through fla: tested in test_arch_cli)."""
    row = lambda name, yes, cls: {"name": name, "implements_wpgd": yes, "as_stated": True,  # noqa: E731
                                  "weight_class": cls, "max_discrepancy": 1e-8, "tolerance": 3e-6,
                                  "best_risk": {m: None for m in models}, "proof": "proofs/architectures.md §1"}
    return {"fla_version": "x", "seed": seed, "models": {k: {"n": m.n, "d": m.d, "tau": m.tau}
                                                         for k, m in models.items()},
            "architectures": [row("linear_attention", True, "uniform"), row("deltanet", False, "none")]}


def _run(monkeypatch, argv):
    monkeypatch.setattr(acli, "architecture_table", _fake_table)
    monkeypatch.setitem(tr.TRAIN_SETTINGS, "thorough", {"steps": 3, "batch": 8})
    buf = io.StringIO()
    with contextlib.redirect_stdout(buf):
        rc = main(argv)
    return rc, buf.getvalue()


def test_json_has_the_trained_risks_only_with_train(monkeypatch):
    rc, out = _run(monkeypatch, ["architectures", "--json", "--train", "--seed", "1"])
    assert rc == 0
    doc = json.loads(out)
    rows = {a["name"]: a for a in doc["architectures"]}
    assert set(rows["linear_attention"]["trained"]) == set(doc["models"])
    for t in rows["linear_attention"]["trained"].values():
        assert t["risk"] >= t["optimum"] * (1 - tr.BELOW_OPTIMUM_RTOL) and {"within", "tolerance"} <= set(t)
    assert "trained" not in rows["deltanet"] and doc["trained_settings"] == {"steps": 3, "batch": 8, "seed": 1}
    rc, out = _run(monkeypatch, ["architectures", "--json"])
    assert rc == 0 and "trained_settings" not in json.loads(out)


def test_text_has_a_trained_column_per_model(monkeypatch):
    rc, out = _run(monkeypatch, ["architectures", "--train"])
    head = out.splitlines()[0]
    assert rc == 0 and "trained multitask-nonmonotone" in head and "Adam steps" in out
    la = next(line for line in out.splitlines() if line.startswith("linear_attention"))
    assert la.count(".") >= 4  # a trained risk per model
    rc, out = _run(monkeypatch, ["architectures"])
    assert "trained" not in out.splitlines()[0]


def test_the_cli_trains_what_the_thorough_check_trains(monkeypatch):
    """Same function, settings and seed: the CLI's trained risk on multitask-nonmonotone is the T1 check's."""
    from wpgd_theory.claims.defaults import default_models

    monkeypatch.setitem(tr.TRAIN_SETTINGS, "thorough", {"steps": 3, "batch": 8})
    models = {"multitask-nonmonotone": default_models()["multitask-nonmonotone"]}
    doc = acli.add_trained({"architectures": [{"name": "retnet"}]}, models, seed=2)
    want = tr.train_classes(models["multitask-nonmonotone"], ["retnet"], seed=2, **tr.TRAIN_SETTINGS["thorough"])
    assert doc["architectures"][0]["trained"]["multitask-nonmonotone"]["risk"] == pytest.approx(want[0]["risk"],
                                                                                                rel=1e-12)
