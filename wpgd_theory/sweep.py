r"""Experiment sweeps: grids of models × weight classes × depths × seeds, resumable, on Dask.

A sweep spec (TOML or JSON) names a *base* model in the configuration format of
:mod:`wpgd_theory.config`, the grid axes and the seeds::

    [sweep]
    name = "headline"            # optional, used in titles
    seeds = [0, 1]               # or: seeds = 2  (seeds 0, 1)
    train = true                 # train each trainable class and evaluate it (default false)
    budget = "quick"             # training budget: "quick" | "default" | "thorough"

    [base]                       # a model, exactly as one [[model]] table of a config file
    sigma = "identity"
    d = 3
    noise = 0.5
    sizes = [4, 4, 4]
    rho = [[1, 0, 0], [0, 1, 0], [0, 0, 1]]
    r_task = [0.2, 0.9, 0.1]

    [grid]                       # every axis is a list; the grid is their product
    n = [6, 12, 24]              # total examples, split evenly over the K tasks of the base
    class = ["linear-attention", "scalar-gla", "multihead-gla", "free"]
    # depth = [1, 2, 3]          # GLA layers (trained only; the prediction is for depth 1)
    # noise = [0.1, 0.5]; r_task = [[...], [...]]; sigma = [...]; rho = [...]; sizes = [...]

Classes: the cones ``uniform``, ``monotone``, ``taskwise``, ``free`` (predicted only) and
the architectures ``linear-attention`` (uniform cone), ``scalar-gla`` (monotone cone, W4/A1),
``multihead-gla`` (task-wise cone with K heads, G3), ``vector-gla`` (task-wise cone,
key dimension K·d), which are trained when ``train = true``.

Each cell (one point of the grid and one seed) computes the predicted optimum of its class
(:func:`~wpgd_theory.landscape.solve` or :func:`~wpgd_theory.convex.solve_constrained`) and,
when asked, trains the architecture and evaluates its risk ± SE.  Results go to a tidy
table, one row per cell and seed (``results.parquet`` via pyarrow and ``results.csv``), with
figures (risk vs n per class, trained points ± SE; risk vs depth) and ``summary.html``.

Finished cells are cached under ``OUT/cache/`` by a hash of their parameters and of the
code (the package's source files), so a rerun after an interruption, or with a larger grid,
computes only what is new, and says how many cells came from the cache.  Cells run on
Dask (:mod:`wpgd_theory.parallel`) with ``workers > 1`` or a ``scheduler``.
"""

from __future__ import annotations

import csv
import hashlib
import itertools
import json
import math
import os
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from .config import ConfigError, _toml_module, model_from_spec

__all__ = ["SweepSpec", "SweepError", "load_spec", "parse_spec", "cells", "run_cell", "run_sweep", "CLASSES",
           "code_version"]

#: Class name -> (cone of its predicted optimum, GLA config of the trained architecture or None).
CLASSES = {
    "uniform": ("uniform", None),
    "monotone": ("monotone", None),
    "taskwise": ("taskwise", None),
    "free": ("free", None),
    "linear-attention": ("uniform", {"gating": "none"}),
    "scalar-gla": ("monotone", {"gating": "scalar", "gate_input": "context"}),
    "multihead-gla": ("taskwise", {"gating": "scalar", "gate_input": "context", "shared_qk": True}),
    "vector-gla": ("taskwise", {"gating": "vector", "gate_input": "context"}),
}
#: Grid axes besides the model fields of :mod:`wpgd_theory.config`.
_AXES = ("n", "class", "depth")
_MODEL_AXES = ("sigma", "noise", "sizes", "rho", "r_task", "d")
#: Training budgets: the T1 checks' settings of the suite of that name.
_BUDGETS = ("quick", "default", "thorough")


def training_settings(budget: str) -> dict:
    """The training settings of ``budget``: exactly those the T1 checks use in the suite of
    that name (``claims.training._hyper``), so a sweep trains as the verification does."""
    from .claims.core import CheckContext
    from .claims.training import _hyper

    return _hyper(CheckContext(suite=budget, models={}))
#: Most cells a spec may ask for (the grid size times the seeds).
MAX_CELLS = 100_000


class SweepError(ConfigError):
    """An invalid sweep spec (a :class:`ValueError`; the CLI exits 2 with its one-line message)."""


@dataclass
class SweepSpec:
    """A validated sweep: base model spec, grid axes (ordered), seeds, training settings."""

    source: str
    name: str
    base: dict
    grid: dict
    seeds: list
    train: bool = False
    budget: str = "quick"
    extra: dict = field(default_factory=dict)

    @property
    def num_cells(self) -> int:
        return math.prod(len(v) for v in self.grid.values()) * len(self.seeds)


def _err(source, where, msg):
    return SweepError(f"{source}: {where}: {msg}")


def parse_spec(data, source: str = "<spec>") -> SweepSpec:
    """Validate a sweep spec (a dict, as loaded from TOML/JSON); raises :class:`SweepError`."""
    if not isinstance(data, dict):
        raise _err(source, "top level", f"must be a table, got {type(data).__name__}")
    unknown = set(data) - {"sweep", "base", "grid"}
    if unknown:
        raise _err(source, "top level", f"unknown key(s) {sorted(unknown)}; expected sweep, base, grid")
    meta = data.get("sweep", {})
    if not isinstance(meta, dict):
        raise _err(source, "[sweep]", "must be a table")
    bad = set(meta) - {"name", "seeds", "train", "budget"}
    if bad:
        raise _err(source, "[sweep]", f"unknown key(s) {sorted(bad)}; expected name, seeds, train, budget")
    name = meta.get("name", Path(source).stem if source != "<spec>" else "sweep")
    if not isinstance(name, str) or not name.strip() or "\n" in name:
        raise _err(source, "[sweep] name", "must be a non-empty one-line string")
    seeds = meta.get("seeds", 1)
    if isinstance(seeds, bool):
        raise _err(source, "[sweep] seeds", "must be a count or a list of integers >= 0")
    if isinstance(seeds, int):
        if not 1 <= seeds <= 10_000:
            raise _err(source, "[sweep] seeds", f"a count must be in 1..10000, got {seeds}")
        seeds = list(range(seeds))
    if (not isinstance(seeds, list) or not seeds
            or any(isinstance(s, bool) or not isinstance(s, int) or not 0 <= s < 2**32 for s in seeds)):
        raise _err(source, "[sweep] seeds", "must be a count or a non-empty list of integers in [0, 2^32)")
    train = meta.get("train", False)
    if not isinstance(train, bool):
        raise _err(source, "[sweep] train", f"must be true or false, got {train!r}")
    budget = meta.get("budget", "quick")
    if budget not in _BUDGETS:
        raise _err(source, "[sweep] budget", f"must be one of {sorted(_BUDGETS)}, got {budget!r}")
    base = data.get("base")
    if not isinstance(base, dict):
        raise _err(source, "[base]", "a base model table is required")
    grid = data.get("grid", {})
    if not isinstance(grid, dict):
        raise _err(source, "[grid]", "must be a table")
    axes = {}
    for key, values in grid.items():
        if key not in _AXES + _MODEL_AXES:
            raise _err(source, f"[grid] {key}", f"unknown axis; expected one of {', '.join(_AXES + _MODEL_AXES)}")
        if not isinstance(values, list) or not values:
            raise _err(source, f"[grid] {key}", "must be a non-empty list of values")
        if len(values) > 10_000:
            raise _err(source, f"[grid] {key}", f"at most 10000 values, got {len(values)}")
        axes[key] = values
    for value in axes.get("class", []):
        if value not in CLASSES:
            raise _err(source, "[grid] class", f"unknown class {value!r}; expected one of {', '.join(CLASSES)}")
    for key in ("n", "depth"):
        for value in axes.get(key, []):
            if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= 10**7:
                raise _err(source, f"[grid] {key}", f"values must be integers in 1..10^7, got {value!r}")
    axes.setdefault("class", ["free"])
    spec = SweepSpec(source, name.strip(), dict(base), axes, seeds, train, budget)
    if spec.num_cells > MAX_CELLS:
        raise _err(source, "[grid]", f"{spec.num_cells} cells (grid x seeds) exceed the limit of {MAX_CELLS}")
    # every model of the grid must be valid: build each distinct one now (cheap), so a bad
    # value is reported up front, naming its axis value, never halfway through a sweep
    seen = set()
    for point in _points(spec):
        key = json.dumps(_model_params(point), sort_keys=True, default=str)
        if key in seen:
            continue
        seen.add(key)
        try:
            _build_model(spec.base, point)
        except (ConfigError, ValueError, TypeError) as exc:
            axes_s = ", ".join(f"{k}={v!r}" for k, v in _model_params(point).items())
            raise _err(source, f"[base] with {axes_s}" if axes_s else "[base]", str(exc)) from None
    return spec


def load_spec(path) -> SweepSpec:
    """Read and validate a sweep spec from a ``.toml`` or ``.json`` file."""
    p = Path(path)
    if p.suffix.lower() not in (".toml", ".json"):
        raise SweepError(f"{path}: a sweep spec must be a .toml or .json file")
    try:
        text = p.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise SweepError(f"{path}: cannot read ({getattr(exc, 'strerror', None) or exc})") from None
    try:
        if p.suffix.lower() == ".json":
            data = json.loads(text)
        else:
            data = _toml_module(str(path)).loads(text)
    except RecursionError:
        raise SweepError(f"{path}: nested too deeply") from None
    except ValueError as exc:
        raise SweepError(f"{path}: not valid {p.suffix[1:].upper()}: {str(exc).splitlines()[0]}") from None
    return parse_spec(data, str(path))


def _points(spec: SweepSpec):
    keys = list(spec.grid)
    for combo in itertools.product(*(spec.grid[k] for k in keys)):
        yield dict(zip(keys, combo))


def cells(spec: SweepSpec) -> list:
    """Every ``(point, seed)`` of the sweep, in grid order then seed."""
    return [(point, seed) for point in _points(spec) for seed in spec.seeds]


def _model_params(point) -> dict:
    return {k: v for k, v in point.items() if k in _MODEL_AXES or k == "n"}


def _build_model(base: dict, point: dict):
    spec = dict(base)
    spec.pop("name", None)
    for k in _MODEL_AXES:
        if k in point:
            spec[k] = point[k]
    if "n" in point:
        n = int(point["n"])
        if "sizes" in spec:
            K = len(spec["sizes"])
            if n < K:
                raise ValueError(f"n = {n} is smaller than the number of tasks K = {K}")
            spec["sizes"] = [n // K + (1 if k < n % K else 0) for k in range(K)]
        elif "R" in spec:
            raise ValueError("axis n needs a base model with sizes (multitask) or n (single task), not R/r")
        else:
            spec["n"] = n
    return model_from_spec(spec, "base")


_CODE_VERSION = None


def code_version() -> str:
    """A hash of the package's version and source files: a cached cell is reused only by
    the same code."""
    global _CODE_VERSION
    if _CODE_VERSION is None:
        from . import __version__

        h = hashlib.sha256(__version__.encode())
        root = Path(__file__).resolve().parent
        for path in sorted(root.rglob("*.py")):
            h.update(str(path.relative_to(root)).encode())
            h.update(path.read_bytes())
        _CODE_VERSION = h.hexdigest()[:16]
    return _CODE_VERSION


def cell_key(spec: SweepSpec, point: dict, seed: int) -> str:
    """The cache key of a cell: its base model, point, seed, training settings and code."""
    payload = {"base": spec.base, "point": point, "seed": seed, "train": spec.train, "budget": spec.budget,
               "code": code_version()}
    return hashlib.sha256(json.dumps(payload, sort_keys=True, default=str).encode()).hexdigest()[:24]


def _finite_or_none(x):
    if x is None:
        return None
    x = float(x)
    return x if math.isfinite(x) else None


def run_cell(base: dict, point: dict, seed: int, train: bool, budget: str, device: str = "cpu") -> dict:
    """Compute one cell: the predicted optimum of its class and, if ``train`` and the class
    is an architecture, its trained risk ± SE.  Returns one row (plain data)."""
    t0 = time.perf_counter()
    model = _build_model(base, point)
    cls = point.get("class", "free")
    cone, arch = CLASSES[cls]
    depth = int(point.get("depth", 1))
    row = {**{k: (json.dumps(v) if isinstance(v, list) else v) for k, v in point.items()},
           "class": cls, "depth": depth, "seed": int(seed), "n_total": int(model.n), "K": int(model.num_tasks),
           "d": int(model.d), "cone": cone}
    if cone == "free":
        from .landscape import solve

        sol = solve(model)
        row.update(predicted=_finite_or_none(sol.risk), solver="landscape.solve")
    else:
        from .convex import solve_constrained

        sol = solve_constrained(model, cone)
        row.update(predicted=_finite_or_none(sol.risk), solver=f"convex.solve_constrained({cone!r})")
    row.update(trained=None, std_error=None, steps=None)
    if train and arch is not None:
        row.update(_train_cell(model, arch, depth, seed, budget, device))
    row["seconds"] = time.perf_counter() - t0
    return row


def _train_cell(model, arch: dict, depth: int, seed: int, budget: str, device: str) -> dict:
    import torch

    from .gla import GLA, GLAConfig, PromptLayout, train

    layout = PromptLayout.for_model(model, task_features=True, delimiters=True)
    kw = dict(arch)
    if kw.get("shared_qk"):
        kw["num_heads"] = model.num_tasks
    if kw.get("gating") == "vector":
        kw["d_key"] = model.num_tasks * model.d
    T = layout.num_tokens
    chunk = T if kw.get("gating") != "vector" else -(-T // 16) * 16
    cfg = GLAConfig(d=model.d, num_context=layout.num_context, structure="wpgd", init_scale=0.3, chunk_size=chunk,
                    num_layers=depth, device=device, dtype=torch.float32, **kw)
    gla = GLA(cfg, seed=int(seed))
    res = train(gla, model, layout=layout, seed=int(seed), quiet=True, **training_settings(budget))
    return {"trained": _finite_or_none(res.risk.mean), "std_error": _finite_or_none(res.risk.std_error),
            "steps": int(res.steps)}


def _trains(args) -> bool:
    base, point, seed, train, budget, device = args
    return bool(train) and CLASSES[point.get("class", "free")][1] is not None


def _cell_cost(args) -> float:
    """Relative cost of a cell: prompt length x depth (x 4 for vector gating) when it
    trains, a thousandth of the prompt length when it only solves."""
    base, point, seed, train, budget, device = args
    sizes = point.get("sizes", base.get("sizes"))
    n = point.get("n", base.get("n", sum(sizes) if isinstance(sizes, (list, tuple)) else 1))
    if not _trains(args):
        return 1e-3 * float(n)
    arch = CLASSES[point.get("class", "free")][1]
    return float(n) * int(point.get("depth", 1)) * (4.0 if arch.get("gating") == "vector" else 1.0)


def _run_cell_task(args):
    base, point, seed, train, budget, device = args
    return run_cell(base, point, seed, train, budget, device)


def run_sweep(spec: SweepSpec, out_dir, *, workers: int = 1, scheduler: str | None = None, device: str = "cpu",
              progress=None) -> dict:
    """Run the cells of ``spec`` not already cached in ``out_dir``; write the table, figures
    and summary.  Returns ``{"rows": [...], "cached": int, "computed": int, "out": Path}``."""
    if workers != 1 or scheduler is not None:  # bad Dask arguments: an error before anything starts
        from . import parallel

        scheduler = parallel.check_arguments(workers, scheduler)
    out = Path(out_dir)
    cache_dir = out / "cache"
    cache_dir.mkdir(parents=True, exist_ok=True)
    todo, rows, cached = [], {}, 0
    for i, (point, seed) in enumerate(cells(spec)):
        key = cell_key(spec, point, seed)
        path = cache_dir / f"{key}.json"
        if path.exists():
            try:
                rows[i] = json.loads(path.read_text(encoding="utf-8"))
                cached += 1
                continue
            except (OSError, ValueError):
                pass  # a damaged cache file is recomputed
        todo.append((i, key, (spec.base, point, seed, spec.train, spec.budget, device)))

    def store(i, key, row):
        rows[i] = row
        _atomic_write(cache_dir / f"{key}.json", json.dumps(row, sort_keys=True).encode())
        if progress is not None:
            progress(len(rows), spec.num_cells)

    if progress is not None and cached:
        progress(len(rows), spec.num_cells)
    if todo and workers == 1 and scheduler is None:
        for i, key, args in todo:
            store(i, key, _run_cell_task(args))
    elif todo:
        from . import parallel

        client = parallel.connect(workers, scheduler)
        with parallel.closing(client, own_cluster=scheduler is None):
            # costliest first (no long cell starts last while the other workers idle); with
            # --device cuda on a cluster with GPU workers, trained cells request the GPU
            gpu = device == "cuda" and parallel._has_gpu_workers(client)
            futs, on_gpu = {}, []
            for i, key, args in sorted(todo, key=lambda job: -_cell_cost(job[2])):
                kw = {"resources": {"GPU": 1}} if gpu and _trains(args) else {}
                fut = client.submit(_run_cell_task, args, pure=False, **kw)
                futs[fut] = (i, key)
                if kw:
                    on_gpu.append(fut)
            # bounded: no workers, a lost scheduler... end as a ParallelError (parallel.completed)
            for fut, row in parallel.completed(client, list(futs), scheduler=scheduler, gpu=on_gpu):
                i, key = futs[fut]
                store(i, key, row)
    table = [rows[i] for i in sorted(rows)]
    _write_outputs(spec, out, table, cached)
    return {"rows": table, "cached": cached, "computed": len(todo), "out": out}


def _atomic_write(path: Path, data: bytes) -> None:
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


_COLUMNS = ("class", "cone", "depth", "seed", "n_total", "K", "d", "predicted", "trained", "std_error", "steps",
            "solver", "seconds")


def _columns(table) -> list:
    cols = [c for c in _COLUMNS]
    for row in table:
        for k in row:
            if k not in cols:
                cols.append(k)
    return cols


def _write_outputs(spec, out: Path, table: list, cached: int) -> None:
    import pyarrow as pa
    import pyarrow.parquet as pq

    cols = _columns(table)
    data = {c: [row.get(c) for row in table] for c in cols}
    buf = tempfile.NamedTemporaryFile(dir=out, prefix=".results.", suffix=".parquet", delete=False)
    buf.close()
    try:
        pq.write_table(pa.table(data), buf.name)
        os.replace(buf.name, out / "results.parquet")
    finally:
        Path(buf.name).unlink(missing_ok=True)
    import io

    text = io.StringIO()
    writer = csv.DictWriter(text, fieldnames=cols, lineterminator="\n")
    writer.writeheader()
    for row in table:
        writer.writerow({c: ("" if row.get(c) is None else row.get(c)) for c in cols})
    _atomic_write(out / "results.csv", text.getvalue().encode())
    figs = _figures(spec, table)
    for name, png in figs.items():
        _atomic_write(out / f"{name}.png", png)
    _atomic_write(out / "summary.html", _summary_html(spec, table, cached, list(figs)).encode())


def _group_mean(rows, key):
    """Mean over seeds of ``key`` and its standard error (over seeds, or the mean of the
    rows' own standard errors when there is one seed)."""
    vals = [r[key] for r in rows if r.get(key) is not None]
    if not vals:
        return None, None
    if len(vals) == 1:
        se = rows[0].get("std_error") if key == "trained" else 0.0
        return vals[0], se
    return float(np.mean(vals)), float(np.std(vals, ddof=1) / math.sqrt(len(vals)))


def _figures(spec, table) -> dict:
    """``risk_vs_n.png`` (per class: predicted line, trained points ± SE) when the grid has
    an ``n`` axis; ``risk_vs_depth.png`` when it has a ``depth`` axis and trained rows."""
    import matplotlib

    from .report.figures import STYLE, _new_figure, figure_to_png

    figs = {}
    with matplotlib.rc_context(STYLE):
        if "n" in spec.grid:
            fig, ax = _new_figure()
            for cls in spec.grid["class"]:
                ns = sorted({r["n_total"] for r in table if r["class"] == cls})
                pred = [_group_mean([r for r in table if r["class"] == cls and r["n_total"] == n and
                                     r["depth"] == 1], "predicted")[0] for n in ns]
                line = ax.plot(ns, pred, marker="", label=f"{cls} (predicted)")[0]
                tr = [(n, *_group_mean([r for r in table if r["class"] == cls and r["n_total"] == n and
                                        r["depth"] == 1], "trained")) for n in ns]
                tr = [t for t in tr if t[1] is not None]
                if tr:
                    ax.errorbar([t[0] for t in tr], [t[1] for t in tr], yerr=[t[2] or 0.0 for t in tr], fmt="o",
                                color=line.get_color(), capsize=3, label=f"{cls} (trained ± SE)")
            ax.set_xscale("log")
            ax.set_xlabel("n (examples in the prompt)")
            ax.set_ylabel("in-context risk")
            ax.set_title(f"{spec.name}: risk vs n")
            ax.legend()
            figs["risk_vs_n"] = figure_to_png(fig)
        if "depth" in spec.grid and any(r.get("trained") is not None for r in table):
            fig, ax = _new_figure()
            for cls in spec.grid["class"]:
                depths = sorted({r["depth"] for r in table if r["class"] == cls})
                pts = [(L, *_group_mean([r for r in table if r["class"] == cls and r["depth"] == L], "trained"))
                       for L in depths]
                pts = [p for p in pts if p[1] is not None]
                if pts:
                    ax.errorbar([p[0] for p in pts], [p[1] for p in pts], yerr=[p[2] or 0.0 for p in pts],
                                marker="o", capsize=3, label=cls)
            ax.set_xlabel("depth (GLA layers)")
            ax.set_ylabel("trained risk")
            ax.set_title(f"{spec.name}: risk vs depth")
            ax.legend()
            figs["risk_vs_depth"] = figure_to_png(fig)
    return figs


_SUMMARY = """<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>{{ name }} — sweep summary</title>
<style>body{font-family:system-ui,sans-serif;max-width:70em;margin:2em auto;padding:0 1em}
table{border-collapse:collapse;font-size:.9em}td,th{border:1px solid #ccc;padding:.2em .5em;text-align:right}
th{background:#f3f3f3}img{max-width:100%}</style></head><body>
<h1>{{ name }}</h1>
<p>{{ total }} cells ({{ cached }} from the cache, {{ total - cached }} computed); spec <code>{{ source }}</code>;
code version <code>{{ code }}</code>. Table: <a href="results.csv">results.csv</a>, results.parquet.</p>
{% for f in figures %}<p><img src="{{ f }}.png" alt="{{ f }}"></p>{% endfor %}
<table><tr>{% for c in columns %}<th>{{ c }}</th>{% endfor %}</tr>
{% for row in rows %}<tr>{% for c in columns %}<td>{{ fmt(row.get(c)) }}</td>{% endfor %}</tr>
{% endfor %}</table></body></html>
"""


def _fmt(v):
    if v is None:
        return "—"
    if isinstance(v, float):
        return f"{v:.6g}"
    return str(v)


def _summary_html(spec, table, cached, figures) -> str:
    import jinja2

    env = jinja2.Environment(autoescape=True)
    return env.from_string(_SUMMARY).render(name=spec.name, total=len(table), cached=cached, source=spec.source,
                                            code=code_version(), figures=figures, columns=_columns(table),
                                            rows=table, fmt=_fmt)
