"""`wpgd-verify architectures [--json] [--config FILE]` (issue 13 item 6)."""

import json
from pathlib import Path

import pytest

from wpgd_theory.architectures.cli import format_table
from wpgd_theory.architectures.table import figure_risk_vs_n, risk_vs_n
from wpgd_theory.cli import main
from wpgd_theory.model import MultitaskModel

ROOT = Path(__file__).resolve().parents[2]
CONFIG = """
[[model]]
name = "two-tasks"
sigma = [2.0, 1.0]
noise = 0.1
sizes = [3, 3]
rho = [[1.0, 0.2], [0.2, 1.0]]
r_task = [0.3, 0.9]
"""


@pytest.fixture(scope="module")
def doc(tmp_path_factory):
    path = tmp_path_factory.mktemp("cfg") / "m.toml"
    path.write_text(CONFIG)
    import contextlib
    import io

    buf = io.StringIO()
    with contextlib.redirect_stdout(buf):
        rc = main(["architectures", "--json", "--config", str(path)])
    assert rc == 0
    return json.loads(buf.getvalue())


def test_json_lists_the_architectures_with_their_verdicts(doc):
    rows = {a["name"]: a for a in doc["architectures"]}
    assert len(rows) >= 8
    for a in rows.values():
        assert {"name", "implements_wpgd", "weight_class", "max_discrepancy", "best_risk"} <= set(a)
        assert a["as_stated"]
        assert set(a["best_risk"]) == {"two-tasks"}
        assert bool(a["reason"]) == (not a["stated_implements_wpgd"])  # a control says why (issue 19 item 6)
    for neg in ("deltanet", "gated_deltanet"):
        assert rows[neg]["implements_wpgd"] is False and rows[neg]["best_risk"]["two-tasks"] is None
    tau = doc["models"]["two-tasks"]["tau"]
    for pos in ("linear_attention", "retnet", "mamba2", "gla", "rwkv6"):
        assert rows[pos]["implements_wpgd"] is True and rows[pos]["max_discrepancy"] <= 1e-5
        assert 0 < rows[pos]["best_risk"]["two-tasks"] < tau
    for name in ("gla", "mamba2"):  # the layers of flash-linear-attention (item 5)
        assert rows[name]["layer"]["holds"] and rows[name]["layer"]["must_be_identity"]
    risk = {k: rows[k]["best_risk"]["two-tasks"] for k in ("linear_attention", "simple_gla", "gla")}
    assert risk["gla"] <= risk["simple_gla"] + 1e-9 <= risk["linear_attention"] + 2e-9


def test_json_and_text_name_the_layers_that_cannot_run(doc):
    """Issue 19: Mamba-3 is never silently omitted — off CUDA it is listed with fla's own reason."""
    import torch

    text = format_table(doc)
    for u in doc["unavailable"]:
        assert u["reason"] and f"not in the map: {u['name']}: {u['reason']}" in text
    if not torch.cuda.is_available():
        assert "mamba3" in {u["name"] for u in doc["unavailable"]}


def test_text_table_has_a_row_per_architecture(doc):
    text = format_table(doc)
    for a in doc["architectures"]:
        assert a["name"] in text
    assert "two-tasks" in text.splitlines()[0]


def test_text_says_which_ablations_did_not_run_and_why(doc):
    """Every component switched back is in the text: what it did, or 'not run: needs CUDA'."""
    text = format_table(doc)
    for a in doc["architectures"]:
        for comp, res in a.get("layer", {}).get("components", {}).items():
            line = next(ln for ln in text.splitlines() if ln.strip().startswith(f"ablation {comp}:"))
            if isinstance(res, str):
                assert "not run: needs CUDA" in line
            else:
                assert "ran;" in line and ("breaks" in line)


DRIVER = """
import sys
from wpgd_theory.architectures import cli as c, fla_ops
fla_ops.fla_available = lambda: True
c.architecture_table = lambda models, seed=0: {"architectures": [{"as_stated": True}]}
c.format_table = lambda doc: "row\\n" * 20000
from wpgd_theory.cli import main
sys.argv = ["wpgd-verify", "architectures"]
raise SystemExit(main())
"""


def _driver(stdout):
    import subprocess
    import sys

    return subprocess.run([sys.executable, "-c", DRIVER], stdout=stdout, stderr=subprocess.PIPE, cwd=ROOT,
                          timeout=120, check=False)


@pytest.mark.skipif(not Path("/dev/full").exists(), reason="needs /dev/full")
def test_unwritable_stdout_exits_2_with_one_line():
    with open("/dev/full", "w") as full:
        res = _driver(full)
    err = res.stderr.decode()
    assert res.returncode == 2 and err.count("\n") == 1 and "cannot write to standard output" in err
    assert "Traceback" not in err


def test_closed_pipe_exits_quietly():
    import os

    r, w = os.pipe()
    os.close(r)  # nobody reads: the first write is EPIPE
    with os.fdopen(w, "wb") as pipe:
        res = _driver(pipe)
    assert res.returncode == 0 and res.stderr.decode() == ""


def test_report_table_and_cli_are_one_computation():
    """The G1 check (the report's architectures table) and ``wpgd-verify architectures`` give
    the same rows for the same seed: same discrepancies, verdicts and best risks (the quick
    suite, like delta_curve=False, leaves out the delta-rule curve)."""
    from wpgd_theory.architectures.table import architecture_table
    from wpgd_theory.claims.architectures import architectures_as_stated
    from wpgd_theory.claims.core import CheckContext

    model = MultitaskModel.from_tasks([2, 2], [[1.0, 0.3], [0.3, 1.0]], [0.9, 0.2], sigma=[[1.0, 0.0], [0.0, 1.0]],
                                      noise=0.2)
    ctx = CheckContext(suite="quick", seed=5, models={"m": model})
    res = architectures_as_stated(ctx)
    cli_rows = {a["name"]: a for a in architecture_table({"m": model}, seed=5, delta_curve=False)["architectures"]}
    rep_rows = {a["name"]: a for a in ctx.artifacts["architectures"]["rows"]}
    assert res.passed and set(cli_rows) == set(rep_rows)
    for name, a in cli_rows.items():
        b = rep_rows[name]
        assert a["max_discrepancy"] == pytest.approx(b["max_discrepancy"], rel=1e-12, abs=0)
        assert a["implements_wpgd"] == b["implements_wpgd"] and a["as_stated"] == b["as_stated"]
        assert a["best_risk"]["m"] == pytest.approx(b["best_risk"]["m"], rel=1e-9) if a["best_risk"]["m"] else \
            b["best_risk"]["m"] is None
    other = {a["name"]: a for a in architecture_table({"m": model}, seed=6, delta_curve=False)["architectures"]}
    assert other["hgrn2"]["max_discrepancy"] != pytest.approx(cli_rows["hgrn2"]["max_discrepancy"], rel=1e-3)


def test_bad_config_exits_2(tmp_path, capsys):
    bad = tmp_path / "bad.toml"
    bad.write_text("[[model]]\nname = 'x'\n")
    assert main(["architectures", "--config", str(bad)]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "error" in err


def test_risk_vs_n_figure():
    fam = lambda n: MultitaskModel.from_tasks([n // 2, n - n // 2], [[1.0, 0.0], [0.0, 1.0]], [0.9, 0.2],  # noqa: E731
                                              sigma=[[1.0, 0.0], [0.0, 1.0]], noise=0.2)
    data = risk_vs_n(ns=(2, 4), model_factory=fam)
    assert data["n"] == [2, 4] and data["risk"]["deltanet"] == [None, None]
    assert all(v is not None for v in data["risk"]["gla"])
    fig = figure_risk_vs_n(data)
    assert len(fig.axes[0].lines) == len({c for c in data["weight_class"].values() if c != "none"})
    json.dumps(data)


def test_missing_fla_is_a_one_line_error(monkeypatch, capsys):
    from wpgd_theory.architectures import fla_ops

    monkeypatch.setattr(fla_ops, "fla_available", lambda: False)
    assert main(["architectures"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "fla-core" in err


@pytest.mark.parametrize("stated, status", [((True, True), 0), ((True, False), 1), ((False, False), 1)])
def test_exit_status_is_zero_only_when_every_verdict_is_as_stated(monkeypatch, capsys, stated, status):
    """Decision meta-test: ``wpgd-verify architectures`` exits 0 iff *every* architecture's
    measured verdict is the stated one (the table itself is substituted)."""
    from wpgd_theory.architectures import cli as arch_cli

    rows = [{"name": f"a{i}", "title": "t", "fla_op": "op", "implements_wpgd": True, "as_stated": s,
             "weight_class": "free", "max_discrepancy": 0.0, "tolerance": 1.0, "best_risk": {}, "realises": "",
             "restriction": "", "checks": []} for i, s in enumerate(stated)]
    monkeypatch.setattr(arch_cli, "architecture_table", lambda models, seed=0: {"architectures": rows})
    monkeypatch.setattr(arch_cli, "format_table", lambda doc: "table")
    assert arch_cli.run({}, seed=0) == status


def test_risks_of_an_extreme_scale_print_in_exponent_form():
    """A model scaled by 1e300 has risks near 1e300: the text table shows them in four
    significant digits, not as 300-digit numbers; ordinary risks keep four decimals."""
    from wpgd_theory.architectures.cli import _fmt

    assert _fmt(2.1262038690954503e300) == "2.1262e+300"
    assert _fmt(1.8349123) == "1.8349" and _fmt(None) == "—" and _fmt(0.0) == "0.0000"
    assert _fmt(6.3e-305) == "6.3000e-305"
