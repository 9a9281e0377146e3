"""Issue 10: no silent wrong answers, no lost data.

Extreme and malformed inputs to the config loader, ``wpgd-verify solve`` and the API: each
gives a finite, complete answer or one line on stderr with exit 2 naming what is wrong;
models cannot be edited behind their validation; ``solve --json`` is complete and shaped.
"""

from __future__ import annotations

import json
import sys

import numpy as np
import pytest

from wpgd_theory import cli
from wpgd_theory.config import ConfigError, estimate_resources, load_config
from wpgd_theory.model import MultitaskModel


def run_cli(*args):
    return cli.main([str(a) for a in args])


def one_line_error(err: str) -> str:
    lines = [ln for ln in err.splitlines() if ln.strip()]
    assert len(lines) == 1, f"expected one line on stderr, got {err!r}"
    assert "Traceback" not in err and lines[0].startswith("wpgd-verify: error: ")
    assert len(lines[0]) < 1000, "an error line quotes at most an excerpt of the input"
    return lines[0]


def write(tmp_path, text, suffix=".json", name="cfg"):
    p = tmp_path / f"{name}{suffix}"
    p.write_text(text if isinstance(text, str) else json.dumps(text))
    return p


def tasks(sizes, sigma=(1.0, 1.0), **extra):
    K = len(sizes)
    return {"sigma": list(sigma), "sizes": sizes, "rho": np.eye(K).tolist(), "r_task": [0.5] * K, **extra}


# ----------------------------------------------------------------------------- state cannot go stale
def test_model_copies_its_inputs_and_is_read_only():
    sigma = np.diag([2.0, 1.0, 0.5])
    r_task = np.array([0.2, 0.9])
    rho = np.eye(2)
    model = MultitaskModel.from_tasks([3, 2], rho, r_task, sigma=sigma, noise=0.1)
    omega = np.ones(model.n)
    from wpgd_theory import optimal_preconditioner, population_risk

    P = optimal_preconditioner(model, omega)
    before = population_risk(model, P, omega)
    sigma[0, 0] = -5.0  # editing the caller's arrays afterwards ...
    r_task[1] = 7.0
    rho[0, 1] = 3.0
    assert population_risk(model, P, omega) == before  # ... changes nothing (same arithmetic, same value)
    assert model.sigma[0, 0] == 2.0 and model.r_task[1] == 0.9
    for arr in (model.sigma, model.r, model.r_task, model.rho, model.sizes, model.R, model.sigma_eigenvalues,
                model.task_of):
        assert not arr.flags.writeable
        with pytest.raises(ValueError, match="read-only"):
            arr[(0,) * arr.ndim] = 1
    general = MultitaskModel(np.eye(2), np.eye(3), np.zeros(3))
    assert not general.R.flags.writeable and not general.r.flags.writeable and not general.sigma.flags.writeable


@pytest.mark.parametrize("field", ["sigma", "R", "r", "rho", "r_task"])
def test_boolean_arrays_are_not_matrices(field):
    args = {"sigma": np.eye(2), "R": np.eye(2), "r": np.zeros(2)}
    if field in args:
        args[field] = args[field].astype(bool)
        with pytest.raises(TypeError, match=field):
            MultitaskModel(**args)
    else:
        kw = {"rho": np.eye(2), "r_task": np.zeros(2)}
        kw[field] = kw[field].astype(bool)
        with pytest.raises(TypeError, match=field):
            MultitaskModel.from_tasks([1, 1], kw["rho"], kw["r_task"], sigma=np.eye(2))


def test_model_refuses_scales_that_overflow_and_absurd_sizes():
    with pytest.raises(ValueError, match="overflows"):
        MultitaskModel.single_task(2, sigma=1e308 * np.eye(3))
    with pytest.raises(ValueError, match="sizes"):
        MultitaskModel.from_tasks([2**62, 2**62], np.eye(2), np.zeros(2), sigma=np.eye(2))


# ----------------------------------------------------------------------------- solve --json
def _solve_json(tmp_path, capsys, spec):
    assert run_cli("solve", write(tmp_path, spec), "--json") == 0
    text = capsys.readouterr().out

    def strict(constant):
        raise AssertionError(f"non-standard JSON constant {constant}")

    (sol,) = json.loads(text, parse_constant=strict)["models"].values()
    assert "…truncated" not in text
    return sol


def _no_strings_in_numbers(value):
    if isinstance(value, list):
        assert all(not isinstance(v, str) for v in value), "a string inside a numeric array"
        for v in value:
            _no_strings_in_numbers(v)


def test_solve_json_is_complete_and_shaped_for_d_50(tmp_path, capsys):
    d = 50
    spec = {"sigma": np.linspace(0.5, 3.0, d).tolist(), "n": 3, "noise": 0.2}
    sol = _solve_json(tmp_path, capsys, spec)
    P = np.array(sol["P"])
    assert P.shape == (d, d) and np.all(np.isfinite(P))
    assert np.allclose(P, P.T, rtol=1e-10, atol=1e-12 * np.max(np.abs(P)))
    _no_strings_in_numbers(sol["P"])
    assert sol["nonfinite"] == [] and sol["unique"] == (sol["status"] == "unique")


def test_solve_json_is_complete_for_n_over_2000(tmp_path, capsys):
    spec = tasks([1500, 1200], noise=0.3)
    sol = _solve_json(tmp_path, capsys, spec)
    omega = np.array(sol["omega"])
    assert omega.shape == (2700,) and np.all(np.isfinite(omega))
    _no_strings_in_numbers(sol["omega"])
    # the task-wise structure of the optimum survives the round trip, entry for entry
    assert np.allclose(omega[:1500], omega[0], rtol=1e-12) and np.allclose(omega[1500:], omega[-1], rtol=1e-12)


def test_solve_json_nonfinite_diagnostic_is_null_with_a_reason(tmp_path, capsys):
    # r_task = 0: no unique minimiser (claim W6); the certificate's margins are undefined (NaN)
    sol = _solve_json(tmp_path, capsys, {"sigma": [1.0, 2.0], "sizes": [2], "rho": [[1.0]], "r_task": [0.0]})
    assert sol["status"] == "degenerate" and sol["unique"] is False
    fields = {note["field"]: note for note in sol["nonfinite"]}
    assert "certificate.exclusion_margin" in fields and fields["certificate.exclusion_margin"]["reason"]
    assert sol["certificate"]["exclusion_margin"] is None


def test_solve_never_prints_a_non_finite_optimum(tmp_path, capsys, monkeypatch):
    import dataclasses

    import wpgd_theory.landscape as landscape

    real = landscape.solve

    def broken(model):
        return dataclasses.replace(real(model), risk=float("nan"))

    monkeypatch.setattr(landscape, "solve", broken)
    cfg = write(tmp_path, {"sigma": [1.0, 2.0], "n": 3, "noise": 0.1})
    for extra in ([], ["--json"]):
        assert run_cli("solve", cfg, *extra) == 2
        captured = capsys.readouterr()
        assert "risk is not finite" in one_line_error(captured.err) and captured.out == ""


@pytest.mark.parametrize("exc", [ZeroDivisionError("float division by zero"), ValueError("cannot scale")])
def test_solve_errors_are_one_line(tmp_path, capsys, monkeypatch, exc):
    import wpgd_theory.landscape as landscape

    def failing(model):
        raise exc

    monkeypatch.setattr(landscape, "solve", failing)
    assert run_cli("solve", write(tmp_path, {"sigma": [1.0], "n": 2})) == 2
    assert "model 'cfg'" in one_line_error(capsys.readouterr().err)


# ----------------------------------------------------------------------------- config: one line, exit 2
BAD = [
    ("deep-json", "[" * 5000 + "]" * 5000, ".json", "nested too deeply"),
    ("deep-json-value", '{"model": ' + "[" * 5000 + "]" * 5000 + "}", ".json", "nested too deeply"),
    ("deep-toml", "a = " + "[" * 100000 + "]" * 100000, ".toml", "nested too deeply"),
    ("int-digits", '{"sigma": [1, 1], "n": 1' + "0" * 5000 + "}", ".json", "4300"),
    ("int-digits-toml", "sigma = [1, 1]\nn = 1" + "0" * 5000 + "\n", ".toml", "4300"),
    ("int-beyond-float", '{"sigma": [1' + "0" * 400 + ', 1], "n": 2}', ".json", "field 'sigma'[0]"),
    ("noise-beyond-float", '{"sigma": [1, 1], "n": 2, "noise": 1' + "0" * 400 + "}", ".json", "field 'noise'"),
    ("n-2^63", {"sigma": [1, 1], "n": 2**63}, ".json", "field 'n'"),
    ("n-huge", '{"sigma": [1, 1], "n": 1' + "0" * 4000 + "}", ".json", "field 'n'"),
    ("sizes-2^63", tasks([2**63, 1]), ".json", "field 'sizes'"),
    ("sizes-2^62", tasks([2**62, 2**62]), ".json", "field 'sizes'"),
    ("sizes-5e8", tasks([500_000_000, 500_000_000]), ".json", "field 'sizes'"),
    ("d-1e5", {"sigma": "identity", "d": 100_000, "n": 3}, ".json", "field 'd'/'sigma'"),
    ("d-20000", {"sigma": 2.0, "d": 20_000, "n": 3}, ".json", "--allow-large"),
    ("sigma-1e308", {"sigma": 1e308, "d": 3, "n": 3}, ".json", "overflows"),
    ("seed-2^64", {"seed": 2**64, "sigma": [1, 1], "n": 2}, ".json", "field 'seed'"),
    ("name-newline", {"model": [{"name": "a\n", "sigma": [1, 1], "n": 2}]}, ".json", "field 'name'"),
    ("name-long", {"model": [{"name": "a" * 300, "sigma": [1, 1], "n": 2}]}, ".json", "field 'name'"),
    ("bool-sigma", {"sigma": [True, True], "n": 2}, ".json", "field 'sigma'[0]"),
    ("key-huge", {"x" * 100_000: 1, "sigma": [1.0], "n": 1}, ".json", "unknown field"),
]


@pytest.mark.parametrize("name,text,suffix,needle", BAD, ids=[b[0] for b in BAD])
def test_bad_or_extreme_config_is_one_line_exit_2(tmp_path, capsys, name, text, suffix, needle):
    cfg = write(tmp_path, text, suffix)
    assert run_cli("solve", cfg) == 2
    captured = capsys.readouterr()
    line = one_line_error(captured.err)
    assert needle in line and str(cfg) in line, line
    assert captured.out == ""


def test_size_limits_are_overridable_and_announced(tmp_path):
    notes = []
    cfg = write(tmp_path, tasks([3_000_000, 1_000_000]))
    load_config(cfg, allow_large=True, on_estimate=notes.append)  # 4e6 examples: about 250 MiB, fine
    assert notes and "large model" in notes[0]
    mem, secs = estimate_resources(20_000, 3, 1)
    assert mem > 2**30 and secs > 60
    with pytest.raises(ConfigError, match="--allow-large"):
        load_config(write(tmp_path, {"sigma": "identity", "d": 20_000, "n": 3}, name="big"))


def _many_tasks(tmp_path, K):
    rho = np.full((K, K), 0.3) + 0.7 * np.eye(K)
    return write(tmp_path, {"sigma": [1.0, 2.0], "sizes": [1] * K, "rho": rho.tolist(), "r_task": [0.1] * K})


def test_loading_a_config_does_no_sampling_work(tmp_path):
    """Loading validates (one eigvalsh of C_task) and parses the matrix on a fast path; the
    sampling factor (an eigh, the bulk of the former 46 s for K = 2000) is built on demand."""
    model = load_config(_many_tasks(tmp_path, 300)).models["cfg"]
    assert model.num_tasks == 300 and "_factor" not in model.__dict__
    X, y, x, yq = model.sample(2, np.random.default_rng(0))
    assert np.all(np.isfinite(y)) and not model._factor.flags.writeable


@pytest.mark.slow
def test_a_16_mb_config_with_2000_tasks_loads(tmp_path):
    """(Its load time is measured by benchmarks/config.py, not asserted here.)"""
    cfg = _many_tasks(tmp_path, 2000)
    assert cfg.stat().st_size > 10 * 2**20
    model = load_config(cfg).models["cfg"]
    assert model.num_tasks == 2000 and "_factor" not in model.__dict__


# ----------------------------------------------------------------------------- API validation
def test_gates_from_weights_validates_free_gate():
    from wpgd_theory.wpgd import gates_from_weights

    w = np.array([0.0, 0.5, 1.0])
    for bad in (2.0, -0.1, float("nan"), float("inf")):
        with pytest.raises(ValueError, match="free_gate"):
            gates_from_weights(w, free_gate=bad)
    g = gates_from_weights(w, free_gate=0.3)
    assert np.all((g >= 0) & (g <= 1))


def test_gla_gate_helpers_and_write_mask_validate():
    torch = pytest.importorskip("torch")
    from wpgd_theory.gla import GLA, GLAConfig
    from wpgd_theory.gla.layer import decay_matrix, log_gates_from_gates

    for fn in (decay_matrix, log_gates_from_gates):
        with pytest.raises(ValueError, match="gates"):
            fn(torch.tensor([0.5, float("nan")]))
        with pytest.raises(ValueError, match="gates"):
            fn(torch.tensor([0.5, 1.5]))
        with pytest.raises(TypeError, match="gates"):
            fn([0.5, 0.5])
        with pytest.raises(TypeError, match="gates"):
            fn(torch.tensor([1, 0]))
    assert torch.isfinite(decay_matrix(torch.tensor([0.5, 0.25]))).all()
    with pytest.raises(ValueError, match="seed"):
        GLA(GLAConfig(d=2), seed=2**64)
    model = GLA(GLAConfig(d=2), seed=0)
    tokens = torch.zeros(1, 4, 3)
    with pytest.raises(ValueError, match="write_mask"):
        model(tokens, write_mask=torch.tensor([1.0, float("nan"), 1.0, 0.0]))


def test_entry_point_survives_a_full_stdout(tmp_path):
    import subprocess

    if not __import__("os").path.exists("/dev/full"):
        pytest.skip("no /dev/full")
    with open("/dev/full", "w") as full:
        proc = subprocess.run([sys.executable, "-m", "wpgd_theory.cli", "list"], stdout=full,
                              stderr=subprocess.PIPE, text=True, timeout=120)
    assert proc.returncode == 2
    assert "cannot write to standard output" in one_line_error(proc.stderr)


# ----------------------------------------------------------------------------- issue 24, item 7
def test_a_positive_definite_sigma_beyond_float64_range_is_not_called_singular(tmp_path, capsys):
    """diag(1e300, 1e-300, 1) is positive definite; LAPACK's scaling underflows its smallest
    eigenvalue to 0, so the message used to say "smallest eigenvalue is 0"."""
    for sigma in ([1e300, 1e-300, 1.0], [[1e300, 0, 0], [0, 1e-300, 0], [0, 0, 1.0]]):
        assert run_cli("solve", write(tmp_path, {"sigma": sigma, "n": 3})) == 2
        line = one_line_error(capsys.readouterr().err)
        assert "sigma" in line and "span more than float64 can represent relative to each other" in line
        assert "condition number overflows" in line and "smallest eigenvalue is 0" not in line
    with pytest.raises(ValueError, match="sigma is positive definite, but its eigenvalues span"):
        MultitaskModel.single_task(3, sigma=np.diag([1e300, 1e-300, 1.0]))


def test_check_spd_on_ordinary_matrices_is_unchanged():
    from wpgd_theory._validation import check_spd

    rng = np.random.default_rng(0)
    for d in (1, 2, 5, 12):
        A = rng.standard_normal((d, d))
        S = A @ A.T + 0.1 * np.eye(d)
        np.testing.assert_allclose(check_spd(S, "sigma"), np.linalg.eigvalsh(S), rtol=1e-12)
        # a badly scaled but representable matrix keeps being accepted, with its eigenvalues
        D = np.diag(10.0 ** rng.uniform(-100, 100, d))
        np.testing.assert_allclose(check_spd(D, "sigma"), np.sort(np.diag(D)), rtol=1e-12)
    for bad, smallest in ((np.diag([1.0, -1.0]), "-1"), (np.diag([1.0, 0.0]), "0"),
                          (np.array([[1.0, 2.0], [2.0, 1.0]]), "-1")):
        with pytest.raises(ValueError, match="sigma must be positive definite; smallest eigenvalue is " + smallest):
            check_spd(bad, "sigma")


def _p_block(out: str) -> list:
    lines = out.splitlines()
    i = next(k for k, ln in enumerate(lines) if ln.strip().startswith("P* ="))
    rows = []
    for ln in lines[i + 1:]:
        if not ln.strip().startswith("["):
            break
        rows.append([float(x) for x in ln.replace("[", " ").replace("]", " ").split()])
    return rows


@pytest.mark.parametrize("scale", [1e300, 1e-300, 1.0])
def test_solve_text_shows_the_magnitude_of_every_entry_of_p(tmp_path, capsys, scale):
    """P* ~ 1/scale: numpy's fixed-point printing showed it as zeros at scale 1e300."""
    spec = {"sigma": [[2.0 * scale, 0.3 * scale], [0.3 * scale, 1.0 * scale]], "noise": 0.1 * scale,
            "sizes": [2, 3], "rho": [[1.0, 0.5], [0.5, 1.0]], "r_task": [0.3, 0.8]}
    cfg = write(tmp_path, spec)
    assert run_cli("solve", cfg, "--json") == 0
    P = np.array(json.loads(capsys.readouterr().out)["models"]["cfg"]["P"])
    assert np.all(P[~np.eye(2, dtype=bool)] != 0) and np.all(np.isfinite(P))
    assert run_cli("solve", cfg) == 0
    shown = np.array(_p_block(capsys.readouterr().out))
    assert shown.shape == P.shape
    np.testing.assert_allclose(shown, P, rtol=1e-5, atol=0)  # %.6g: six significant digits, any magnitude


@pytest.mark.parametrize("args", [["list"], ["solve", "{cfg}"], ["solve", "{cfg}", "--json"]])
def test_a_closed_stdout_is_one_line_and_exit_2(tmp_path, args):
    import os
    import subprocess

    cfg = write(tmp_path, {"sigma": [1.0, 2.0], "n": 3})
    proc = subprocess.run([sys.executable, "-m", "wpgd_theory", *[a.format(cfg=cfg) for a in args]],
                          stdout=None, stderr=subprocess.PIPE, text=True, timeout=120,
                          preexec_fn=lambda: os.close(1))  # `wpgd-verify ... >&-`
    assert proc.returncode == 2
    assert "cannot write to standard output (it is closed)" in one_line_error(proc.stderr)
