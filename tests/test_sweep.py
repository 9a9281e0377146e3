"""Sweeps (issue 14): spec validation, one row per cell and seed, resume from the cache."""

from __future__ import annotations

import csv
import json

import pytest

from wpgd_theory.cli import main
from wpgd_theory.sweep import SweepError, cells, load_spec, parse_spec, run_sweep

BASE = {"sigma": [2.0, 1.0], "noise": 0.2, "sizes": [2, 2], "rho": [[1.0, 0.3], [0.3, 1.0]], "r_task": [0.4, 0.8]}


def spec(**grid):
    return parse_spec({"sweep": {"name": "t", "seeds": 2}, "base": dict(BASE), "grid": grid})


def test_cells_are_the_grid_times_the_seeds():
    s = spec(n=[4, 8], **{"class": ["uniform", "free"]})
    assert s.num_cells == 8 and len(cells(s)) == 8


def test_rows_match_the_solvers(tmp_path):
    from wpgd_theory.convex import solve_constrained
    from wpgd_theory.landscape import solve
    from wpgd_theory.sweep import _build_model

    s = spec(n=[4, 6], **{"class": ["monotone", "free"]})
    res = run_sweep(s, tmp_path)
    assert res["computed"] == 8 and res["cached"] == 0 and len(res["rows"]) == 8
    for row in res["rows"]:
        model = _build_model(BASE, {"n": row["n"]})
        ref = solve(model).risk if row["class"] == "free" else solve_constrained(model, "monotone").risk
        assert row["predicted"] == pytest.approx(ref, rel=1e-12)
        assert row["trained"] is None
    with open(tmp_path / "results.csv") as fh:
        assert len(list(csv.DictReader(fh))) == 8
    import pyarrow.parquet as pq

    assert pq.read_table(tmp_path / "results.parquet").num_rows == 8
    assert (tmp_path / "risk_vs_n.png").read_bytes().startswith(b"\x89PNG")
    assert "8 cells (0 from the cache" in (tmp_path / "summary.html").read_text()


def test_resume_after_interruption_and_growth(tmp_path):
    s = spec(n=[4, 6, 8], **{"class": ["uniform"]})

    def stop_after_two(done, total):
        if done >= 2:
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        run_sweep(s, tmp_path, progress=stop_after_two)
    res = run_sweep(s, tmp_path)
    assert res["cached"] == 2 and res["computed"] == 4
    bigger = spec(n=[4, 6, 8, 10], **{"class": ["uniform"]})
    res = run_sweep(bigger, tmp_path)
    assert res["cached"] == 6 and res["computed"] == 2


@pytest.mark.parametrize("data, field", [
    ({"base": BASE, "grid": {"n": [0]}}, "[grid] n"),
    ({"base": BASE, "grid": {"class": ["lstm"]}}, "[grid] class"),
    ({"base": BASE, "grid": {"bogus": [1]}}, "[grid] bogus"),
    ({"base": BASE, "grid": {"noise": []}}, "[grid] noise"),
    ({"base": BASE, "grid": {"noise": [0.1, -1.0]}}, "noise"),
    ({"base": BASE, "grid": {"n": [1]}}, "n = 1"),
    ({"grid": {"n": [4]}}, "[base]"),
    ({"base": BASE, "sweep": {"seeds": 0}}, "seeds"),
    ({"base": BASE, "sweep": {"budget": "huge"}}, "budget"),
    ({"base": BASE, "sweep": {"train": "yes"}}, "train"),
    ({"base": BASE, "extra": 1}, "top level"),
    ({"base": BASE, "grid": {"n": list(range(1, 400)), "noise": [0.1] * 300}}, "exceed"),
])
def test_bad_specs_name_the_field(data, field):
    with pytest.raises(SweepError) as info:
        parse_spec(data, "s.toml")
    msg = str(info.value)
    assert field in msg and "\n" not in msg


def test_cli_sweep_and_rerun(tmp_path, capsys):
    path = tmp_path / "s.json"
    path.write_text(json.dumps({"sweep": {"seeds": 1}, "base": BASE, "grid": {"n": [4, 6]}}))
    assert main(["sweep", str(path), "--out", str(tmp_path / "o"), "--quiet"]) == 0
    assert "0 from the cache, 2 computed" in capsys.readouterr().out
    assert main(["sweep", str(path), "--out", str(tmp_path / "o"), "--quiet"]) == 0
    assert "2 from the cache, 0 computed" in capsys.readouterr().out


@pytest.mark.parametrize("text, suffix", [("[grid\n", ".toml"), ("{", ".json"), ("x", ".yaml")])
def test_cli_bad_spec_files_exit_2(tmp_path, capsys, text, suffix):
    path = tmp_path / f"s{suffix}"
    path.write_text(text)
    assert main(["sweep", str(path), "--out", str(tmp_path / "o")]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and str(path) in err[0]


def test_example_specs_are_valid():
    from pathlib import Path

    root = Path(__file__).resolve().parents[1] / "docs" / "examples"
    small, full = load_spec(root / "sweep.toml"), load_spec(root / "sweep-full.toml")
    assert small.train and small.num_cells <= 50
    assert full.num_cells > small.num_cells


def test_trained_cells_are_costed_by_prompt_length_and_depth():
    """Cells go to Dask costliest first: trained cells by n x depth (x 4 for vector gating),
    solve-only cells far below any trained one."""
    from wpgd_theory.sweep import _cell_cost, _trains

    def args(train=True, **point):
        return (dict(BASE), point, 0, train, "quick", "cpu")

    assert not _trains(args(**{"class": "free"})) and not _trains(args(False, **{"class": "scalar-gla"}))
    assert _trains(args(**{"class": "scalar-gla"}))
    small, deep = args(n=8, **{"class": "scalar-gla"}), args(n=8, depth=3, **{"class": "scalar-gla"})
    vector, base_n = args(n=8, **{"class": "vector-gla"}), args(**{"class": "scalar-gla"})
    assert _cell_cost(deep) == 3 * _cell_cost(small) and _cell_cost(vector) == 4 * _cell_cost(small)
    assert _cell_cost(base_n) == sum(BASE["sizes"])  # n from the base model's segments
    assert _cell_cost(args(n=10**6, **{"class": "free"})) < _cell_cost(small) * 10**3


# ---------------------------------------------------------------- cache keys (issue 24.5, 18.8)
def test_rho_as_integers_or_floats_gives_the_same_key(tmp_path):
    """``rho = [[1, 0], [0, 1]]`` and ``[[1.0, 0.0], [0.0, 1.0]]`` are one model: one cache
    key, so a sweep rerun with the other spelling computes nothing."""
    from wpgd_theory.sweep import cell_key

    ints = dict(BASE, rho=[[1, 0], [0, 1]], noise=1)
    floats = dict(BASE, rho=[[1.0, 0.0], [0.0, 1.0]], noise=1.0)
    a = parse_spec({"sweep": {"seeds": 1}, "base": ints, "grid": {"n": [4, 6]}})
    b = parse_spec({"sweep": {"seeds": 1}, "base": floats, "grid": {"n": [4, 6]}})
    assert [cell_key(a, *c) for c in cells(a)] == [cell_key(b, *c) for c in cells(b)]
    assert run_sweep(a, tmp_path)["computed"] == 2
    res = run_sweep(b, tmp_path)
    assert res["cached"] == 2 and res["computed"] == 0


def test_a_new_code_version_changes_every_key(monkeypatch):
    from wpgd_theory import sweep

    s = spec(n=[4])
    before = [sweep.cell_key(s, *c) for c in cells(s)]
    monkeypatch.setattr(sweep, "_CODE_VERSION", "another-version")
    assert all(a != b for a, b in zip(before, [sweep.cell_key(s, *c) for c in cells(s)]))


def test_every_input_of_a_cell_but_the_device_is_keyed():
    """A cell's result is a function of ``run_cell``'s arguments (and the code): each but
    the device (a run option; see the module docstring) is part of the key."""
    import inspect

    from wpgd_theory import sweep

    args = set(inspect.signature(sweep.run_cell).parameters)
    assert args - {"device"} == set(sweep.KEYED_INPUTS)


@pytest.mark.parametrize("axis, values", [("n", [4, 6, 4]), ("noise", [0.1, 0.1]), ("rho", [[[1, 0], [0, 1]],
                                          [[1.0, 0.0], [0.0, 1.0]]]), ("class", ["free", "free"])])
def test_duplicate_grid_values_are_refused(axis, values):
    with pytest.raises(SweepError, match=rf"\[grid\] {axis}: .*twice"):
        parse_spec({"base": BASE, "grid": {axis: values}}, "s.toml")


def test_duplicate_seeds_are_refused():
    with pytest.raises(SweepError, match=r"\[sweep\] seeds: .*twice"):
        parse_spec({"base": BASE, "sweep": {"seeds": [0, 1, 0]}}, "s.toml")


def test_outputs_are_written_with_mode_0644(tmp_path):
    import os
    import stat

    old = os.umask(0o022)
    try:
        run_sweep(spec(n=[4, 6]), tmp_path)
    finally:
        os.umask(old)
    files = [tmp_path / name for name in ("results.csv", "results-mean.csv", "results.parquet", "summary.html",
                                          "risk_vs_n.png", "risk_vs_n.svg", "risk_vs_n.pdf")]
    files += sorted((tmp_path / "cache").glob("*.json"))
    assert len(files) == 7 + 4
    for path in files:
        assert stat.S_IMODE(path.stat().st_mode) == 0o644, path.name


def test_cells_sharing_an_entry_report_it_once(tmp_path):
    """Two grid points with one model (``n`` spread over two tasks whatever their sizes)
    share a cache entry: damaged, it is said once, and both rows come back."""
    from wpgd_theory.sweep import cell_key

    s = spec(n=[4], sizes=[[2, 2], [1, 3]])
    assert s.num_cells == 4 and len({cell_key(s, *c) for c in cells(s)}) == 2
    run_sweep(s, tmp_path)
    path = tmp_path / "cache" / f"{cell_key(s, *cells(s)[0])}.json"
    path.write_text("{}")
    said = []
    res = run_sweep(s, tmp_path, warn=said.append)
    assert len(said) == 1 and said[0].startswith(f"sweep: cache entry {path} invalid (")
    assert said[0].endswith("); recomputed")
    assert res["computed"] == 2 and len(res["rows"]) == 4 and len(res["invalid"]) == 1
    assert [r["sizes"] for r in res["rows"]] == ["[2, 2]", "[2, 2]", "[1, 3]", "[1, 3]"]


def test_the_n_axis_gives_exactly_n_examples_spread_over_the_tasks():
    """``n = 5`` over the base's two tasks: sizes ``[3, 2]`` (the remainder goes to the first
    tasks), never fewer than ``n`` examples."""
    from wpgd_theory.sweep import _build_model

    for n, sizes in ((4, [2, 2]), (5, [3, 2]), (7, [4, 3])):
        model = _build_model(dict(BASE), {"n": n})
        assert model.n == n and model.sizes.tolist() == sizes


def test_a_seed_count_means_seeds_zero_to_n_minus_one():
    """``seeds = 2`` in ``[sweep]`` is the documented ``0, 1``."""
    assert list(spec().seeds) == [0, 1]


def test_the_standard_error_over_seeds_uses_the_sample_standard_deviation():
    """Over seeds ``1`` and ``3``: mean 2, standard error ``s/√2`` with the unbiased ``s = √2``, i.e. 1."""
    from wpgd_theory.sweep import _group_mean

    mean, se = _group_mean([{"trained": 1.0}, {"trained": 3.0}], "trained")
    assert mean == pytest.approx(2.0) and se == pytest.approx(1.0)


def test_table_is_aggregated_over_seeds_with_standard_errors(tmp_path):
    """results-mean.csv: one row per grid point, the mean over seeds and its standard error
    (std with ddof=1 over √seeds), recomputed here from the per-seed rows."""
    import math
    import statistics

    s = spec(n=[4, 6], **{"class": ["monotone", "free"]})
    res = run_sweep(s, tmp_path)
    with open(tmp_path / "results-mean.csv") as fh:
        means = list(csv.DictReader(fh))
    assert len(means) == 4 and all(int(m["seeds"]) == 2 for m in means)
    for m in means:
        vals = [r["predicted"] for r in res["rows"] if r["class"] == m["class"] and r["n_total"] == int(m["n_total"])]
        assert len(vals) == 2
        assert float(m["predicted_mean"]) == pytest.approx(statistics.fmean(vals), rel=1e-12)
        assert float(m["predicted_se"]) == pytest.approx(statistics.stdev(vals) / math.sqrt(2), rel=1e-9, abs=1e-15)
        assert m["trained_mean"] == ""  # nothing trained
    html = (tmp_path / "summary.html").read_text()
    assert "Mean ± standard error over seeds" in html and html.index("Mean ±") < html.index("Every cell and seed")


def test_figure_in_vector_form_with_a_readable_log_axis(tmp_path):
    run_sweep(spec(n=[4, 6, 12], **{"class": ["uniform", "free"]}), tmp_path)
    svg = (tmp_path / "risk_vs_n.svg").read_text()
    assert svg.lstrip().startswith("<?xml") and "<svg" in svg
    assert (tmp_path / "risk_vs_n.pdf").read_bytes().startswith(b"%PDF")
    from wpgd_theory.report.figures import _new_figure
    from wpgd_theory.sweep import _log_axis_at

    fig, ax = _new_figure()
    ax.plot([4, 6, 12], [1, 2, 3])
    _log_axis_at(ax, [4, 6, 12])
    fig.canvas.draw()
    labels = [t.get_text() for t in ax.get_xticklabels()]
    assert labels == ["4", "6", "12"]  # the grid's n, not 6×10⁰, 10¹


def test_classes_get_distinct_line_styles(tmp_path):
    from wpgd_theory.sweep import _STYLES

    assert len({str(ls) for ls, _ in _STYLES}) == len(_STYLES) and len({m for _, m in _STYLES}) == len(_STYLES)
