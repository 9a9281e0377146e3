"""Fault injection into the sweep cache (issue 24, item 5).

A clean sweep is run once; each test copies its output folder, damages cache entries (valid
JSON of the wrong shape, a truncated file, one entry copied over another, an edited value,
NaN, a wrong checksum, ...) and reruns ``wpgd-verify sweep``.  Every run must exit 0 with
the clean run's table (floats compared with a tolerance), say on stderr one line naming
each damaged entry and no other, count the recomputed entries in its summary, and leave a
cache that the next run uses entirely.  One run in a separate process damages every entry
in a different way at once and must print no traceback.
"""

from __future__ import annotations

import csv
import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from wpgd_theory import sweep
from wpgd_theory.cli import main

BASE = {"sigma": [2.0, 1.0], "noise": 0.2, "sizes": [2, 2], "rho": [[1.0, 0.3], [0.3, 1.0]], "r_task": [0.4, 0.8]}
SPEC = {"sweep": {"name": "faults", "seeds": 1}, "base": BASE,
        "grid": {"n": list(range(4, 13)), "class": ["uniform", "free"]}}


def entries(out: Path, spec_path: Path) -> list:
    """The cache file of every cell of the spec, in cell order."""
    spec = sweep.load_spec(spec_path)
    return [out / "cache" / f"{sweep.cell_key(spec, point, seed)}.json" for point, seed in sweep.cells(spec)]


def edit_json(path: Path, change) -> None:
    data = json.loads(path.read_text())
    change(data)
    path.write_text(json.dumps(data))


def scale_predicted(path: Path, factor: float | str) -> None:
    """Multiply the predicted risk written in ``path`` by ``factor`` (or write NaN), in the
    file's text, whatever the entry's layout."""
    def repl(m):
        value = "NaN" if factor == "nan" else repr(float(m.group(2)) * factor)
        return m.group(1) + value

    text, count = re.subn(r'("predicted":\s*)([-+0-9.eE]+)', repl, path.read_text())
    assert count == 1, "the entry has no predicted risk to edit"
    path.write_text(text)


def forged(change):
    """Apply ``change`` to the parsed entry and write it back with a correct checksum: only
    the schema or key checks can find the damage."""
    def fault(path):
        def both(entry):
            change(entry)
            entry["sha256"] = sweep._entry_checksum(entry)
        edit_json(path, both)
    return fault


def infinite(path: Path) -> None:
    """A predicted risk of 1e999 (JSON for +inf) in an entry whose checksum is otherwise right."""
    forged(lambda e: e["result"].update(predicted=1e300))(path)
    path.write_text(path.read_text().replace("1e+300", "1e999"))


#: fault name -> (what it does to the first of two entries ``a``, ``b``; which get damaged)
FAULTS = {
    "object": lambda a, b: a.write_text("{}"),
    "null": lambda a, b: a.write_text("null"),
    "array": lambda a, b: a.write_text("[]"),
    "number": lambda a, b: a.write_text("42"),
    "empty": lambda a, b: a.write_text(""),
    "truncated": lambda a, b: a.write_bytes(a.read_bytes()[: len(a.read_bytes()) // 2]),
    "not-utf8": lambda a, b: a.write_bytes(b"\xff\xfe{}"),
    "nested-deeply": lambda a, b: a.write_text("[" * 100_000),
    "copied-over": lambda a, b: shutil.copyfile(b, a),
    "edited-value": lambda a, b: scale_predicted(a, 1.5),
    "nan": lambda a, b: scale_predicted(a, "nan"),
    "wrong-checksum": lambda a, b: edit_json(a, lambda e: e.update(sha256="0" * 64)),
    "missing-field": lambda a, b: forged(lambda e: e["result"].pop("solver"))(a),
    "infinite-value": lambda a, b: infinite(a),
    "wrong-type": lambda a, b: forged(lambda e: e["result"].update(n_total="4"))(a),
    "other-key-inside": lambda a, b: forged(lambda e: e.update(key=b.stem))(a),
    "other-cell-inside": lambda a, b: forged(lambda e: e["cell"].update(seed=7.0))(a),
}


@pytest.fixture(scope="module")
def clean(tmp_path_factory):
    """The spec file and the output folder of one clean run (its cache complete)."""
    root = tmp_path_factory.mktemp("sweep-clean")
    spec_path = root / "spec.json"
    spec_path.write_text(json.dumps(SPEC))
    assert main(["sweep", str(spec_path), "--out", str(root / "out"), "--quiet"]) == 0
    return spec_path, root / "out"


def table(out: Path) -> list:
    with open(out / "results.csv", newline="") as fh:
        return list(csv.DictReader(fh))


def assert_same_table(got: list, want: list) -> None:
    """Same rows, columns and values; numbers within a relative 1e-9 (``seconds`` excepted)."""
    assert len(got) == len(want)
    for g, w in zip(got, want):
        assert list(g) == list(w)
        for col in w:
            if col == "seconds":
                continue
            try:
                assert float(g[col]) == pytest.approx(float(w[col]), rel=1e-9, abs=1e-12), col
            except ValueError:
                assert g[col] == w[col], col


def damaged_copy(clean, tmp_path, damage) -> tuple:
    """A copy of the clean output with ``damage(entries)`` applied; returns the spec, the
    copy and the damaged entries."""
    spec_path, out = clean
    copy = tmp_path / "out"
    shutil.copytree(out, copy)
    files = entries(copy, spec_path)
    return spec_path, copy, damage(files)


def rerun(spec_path, out, capsys) -> list:
    """Run the sweep again; return its stderr lines (it must exit 0)."""
    assert main(["sweep", str(spec_path), "--out", str(out), "--quiet"]) == 0
    return capsys.readouterr().err.splitlines()


def assert_reported(lines: list, damaged: list) -> None:
    """One stderr line per damaged entry, naming its file and saying it was recomputed."""
    assert len(lines) == len(damaged), lines
    for path in damaged:
        said = [line for line in lines if str(path) in line]
        assert len(said) == 1, (path, lines)
        assert re.fullmatch(r"sweep: cache entry \S+ invalid \(.+\); recomputed", said[0]), said[0]


@pytest.mark.parametrize("fault", sorted(FAULTS))
def test_a_damaged_entry_is_recomputed_and_said(clean, tmp_path, capsys, fault):
    def damage(files):
        FAULTS[fault](files[3], files[5])
        return [files[3]]

    spec_path, out, damaged = damaged_copy(clean, tmp_path, damage)
    capsys.readouterr()
    lines = rerun(spec_path, out, capsys)
    assert_reported(lines, damaged)
    assert_same_table(table(out), table(clean[1]))
    cells = len(entries(out, spec_path))
    summary = (out / "summary.html").read_text()
    assert f"{cells} cells ({cells - 1} from the cache, 1 computed" in summary
    assert "1 invalid cache entry recomputed" in summary
    import pyarrow.parquet as pq

    assert pq.read_table(out / "results.parquet").num_rows == cells
    assert rerun(spec_path, out, capsys) == []  # the replaced entry is valid: all from the cache
    assert f"{cells} from the cache, 0 computed" in (out / "summary.html").read_text()


def test_an_entry_copied_over_another_leaves_no_duplicate_and_no_lost_row(clean, tmp_path, capsys):
    spec_path, out, damaged = damaged_copy(clean, tmp_path, lambda f: (shutil.copyfile(f[0], f[1]), [f[1]])[1])
    capsys.readouterr()
    assert_reported(rerun(spec_path, out, capsys), damaged)
    rows = table(out)
    points = [(r["n"], r["class"], r["seed"]) for r in rows]
    assert len(set(points)) == len(points) == len(entries(out, spec_path))


def test_every_fault_at_once_in_a_process_prints_no_traceback(clean, tmp_path):
    names = sorted(FAULTS)

    def damage(files):
        assert len(files) >= len(names) + 1
        for name, a in zip(names, files):
            FAULTS[name](a, files[-1])
        return files[: len(names)]

    spec_path, out, damaged = damaged_copy(clean, tmp_path, damage)
    env = dict(os.environ, PYTHONPATH=str(Path(sweep.__file__).resolve().parents[1]))  # this checkout's package
    proc = subprocess.run([sys.executable, "-m", "wpgd_theory", "sweep", str(spec_path), "--out", str(out),
                           "--quiet"], capture_output=True, text=True, timeout=300, env=env)
    assert "Traceback" not in proc.stderr, proc.stderr
    assert proc.returncode == 0, proc.stderr
    assert_reported(proc.stderr.splitlines(), damaged)
    assert_same_table(table(out), table(clean[1]))
    assert f"{len(names)} invalid cache entries recomputed" in (out / "summary.html").read_text()
