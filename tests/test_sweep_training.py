"""Trained sweep cells: in-process a sweep trains every trained cell in one batched
computation (``sweep._train_cells``, gla.batched); a Dask task trains its cell alone.
Both give the same trained risks, within the batched trainer's stated tolerance
(``tests/gla/test_gla_batched.py``: RTOL 1e-4), and the same steps."""

import pytest

from wpgd_theory import sweep

pytest.importorskip("torch")

RTOL = 1e-4
BASE = {"sigma": [2.0, 1.0], "noise": 0.2, "sizes": [2, 2], "rho": [[1.0, 0.3], [0.3, 1.0]], "r_task": [0.4, 0.8]}


def _tiny(budget):
    return dict(steps=30, batch_size=32, lr=0.03, gate_lr=0.1, check_every=5, patience=2, eval_prompts=200)


def test_batched_trained_cells_equal_cells_trained_alone(tmp_path, monkeypatch):
    monkeypatch.setattr(sweep, "training_settings", _tiny)
    spec = sweep.parse_spec({"sweep": {"name": "t", "seeds": 2, "train": True, "budget": "quick"},
                             "base": dict(BASE),
                             "grid": {"n": [4, 6], "class": ["scalar-gla", "multihead-gla", "vector-gla", "free"],
                                      "depth": [1, 2]}})
    out = sweep.run_sweep(spec, tmp_path / "out")
    rows = out["rows"]
    assert len(rows) == spec.num_cells
    trained = 0
    for (point, seed), row in zip(sweep.cells(spec), rows):
        alone = sweep._run_cell_task((spec.base, point, seed, spec.train, spec.budget, "cpu"))
        if alone["trained"] is None:
            assert row["trained"] is None and row["steps"] is None
            continue
        trained += 1
        assert row["steps"] == alone["steps"]
        assert abs(row["trained"] - alone["trained"]) <= RTOL * alone["trained"]
        assert abs(row["std_error"] - alone["std_error"]) <= RTOL * alone["std_error"]
        assert row["seconds"] > 0
    assert trained == 2 * 2 * 3 * 2
