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
table, one row per cell and seed (``results.parquet`` via pyarrow and ``results.csv``), its
aggregate over seeds (``results-mean.csv``: mean ± standard error per grid point, see
:func:`aggregate_over_seeds`), figures as PNG, SVG and PDF (risk vs n per class on a log
axis labelled at the grid's values, trained points ± SE; risk vs depth) and ``summary.html``.

Finished cells are cached under ``OUT/cache/`` by a hash of their parameters and of the
code (the package's source files), so a rerun after an interruption, or with a larger grid,
computes only what is new, and says how many cells came from the cache.  Cells run on
Dask (:mod:`wpgd_theory.parallel`) with ``workers > 1`` or a ``scheduler``.

The cache key (:func:`cell_key`) is a hash of the cell's canonical form: the model it
computes with (the base with the point's model axes written over it, the ``n`` axis spread
over the base's tasks, without the base's ``name``), its class, depth and seed, the
training settings and the code version, with every number as a float and tables' keys
sorted.  So ``rho = [[1, 0], [0, 1]]`` and ``[[1.0, 0.0], [0.0, 1.0]]``, or a value given
in ``[base]`` or as a one-value axis, give one key; every field that changes a cell's
result changes it.  The device (``--device``) is a run option, not part of the key.

Each cache entry (``OUT/cache/KEY.json``) holds its format, its key, its canonical cell,
its result and the SHA-256 of those.  Every entry read is validated — it parses (strict
JSON: no NaN or Infinity), has the schema of a result (fields, types, finite numbers,
class/cone/depth/seed of its cell), carries its own key (the key it is stored under is the
key recomputed from the cell it describes) and its checksum matches.  An entry that fails
is not used: the cell is recomputed, the entry replaced atomically, and the run says so on
stderr, one line per entry (``sweep: cache entry PATH invalid (REASON); recomputed``), and
counts the entries in ``summary.html``.  Output files are written with the mode a new file
gets (0644 under the usual umask 022).
"""

from __future__ import annotations

import csv
import hashlib
import io
import itertools
import json
import math
import os
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from .config import ConfigError, _toml_module, model_from_spec

__all__ = ["SweepSpec", "SweepError", "load_spec", "parse_spec", "cells", "cell_key", "run_cell", "run_sweep",
           "CLASSES", "KEYED_INPUTS", "aggregate_over_seeds", "code_version"]

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
#: The arguments of :func:`run_cell` that its result depends on: all are in the cache key
#: (the device is a run option: a cell computed on a GPU is reused on the CPU).
KEYED_INPUTS = ("base", "point", "seed", "train", "budget")
#: Format of a cache entry (a new format makes every older entry invalid).
CACHE_FORMAT = "wpgd-sweep-cell/1"


def training_settings(budget: str) -> dict:
    """The training settings of ``budget``: exactly those the T1 checks use in the suite of
    that name (the T1 checks' hyper-parameters), so a sweep trains as the verification does.

    Parameters
    ----------
    budget : str
        A suite name: ``"quick"``, ``"default"`` or ``"thorough"``.

    Returns
    -------
    dict
        Keyword arguments of :func:`wpgd_theory.gla.train` (``steps``, ``batch_size``, ``lr``, ...).

    Examples
    --------
    >>> quick, default = training_settings("quick"), training_settings("default")
    >>> "steps" in quick and quick["steps"] <= default["steps"]
    True
    """
    from .claims.core import CheckContext
    from .claims.training import _hyper

    return _hyper(CheckContext(suite=budget, models={}))
#: Most cells a spec may ask for (the grid size times the seeds).
MAX_CELLS = 100_000


class SweepError(ConfigError):
    """An invalid sweep spec (a :class:`ValueError`; the CLI exits 2 with its one-line message).

    Examples
    --------
    >>> try:
    ...     parse_spec({"grid": {"n": [4]}})
    ... except SweepError as exc:
    ...     print(exc)
    <spec>: [base]: a base model table is required
    """


@dataclass
class SweepSpec:
    """A validated sweep: base model spec, grid axes (ordered), seeds, training settings.

    Built by :func:`parse_spec` or :func:`load_spec`.

    Parameters
    ----------
    source : str
        Where it was read from.
    name : str
        Its name (the table's and figures' title).
    base : dict
        The base model's spec (as in a configuration file's ``[[model]]``).
    grid : dict
        ``{axis: values}``: model fields (``n``, ``d``, ``noise``, ...), ``class`` and ``depth``.
    seeds : list of int
        The seeds of every grid point.
    train : bool, optional
        Also train the architectures (T1's protocol), not only predict their optimum.
    budget : str, optional
        The training budget: a suite name.
    extra : dict, optional
        Further settings.

    Examples
    --------
    >>> spec = parse_spec({"base": {"sigma": "identity", "d": 2, "noise": 0.5, "sizes": [2, 2],
    ...                             "rho": [[1.0, 0.0], [0.0, 1.0]], "r_task": [0.3, 0.9]},
    ...                    "grid": {"n": [4, 8], "class": ["linear-attention", "free"]}, "sweep": {"seeds": 2}})
    >>> isinstance(spec, SweepSpec), spec.num_cells, spec.seeds
    (True, 8, [0, 1])
    """

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
    """Validate a sweep spec (a dict, as loaded from TOML/JSON); raises :class:`SweepError`.

    Parameters
    ----------
    data : dict
        Tables ``sweep`` (name, seeds, train, budget), ``base`` (the model) and ``grid`` (the axes).
    source : str, optional
        Its origin, named in error messages.

    Returns
    -------
    SweepSpec
        The validated sweep.

    Raises
    ------
    SweepError
        Naming the source and the field, for any invalid entry.

    Examples
    --------
    >>> spec = parse_spec({"base": {"sigma": "identity", "d": 2, "noise": 0.5, "sizes": [2, 2],
    ...                             "rho": [[1.0, 0.0], [0.0, 1.0]], "r_task": [0.3, 0.9]},
    ...                    "grid": {"n": [4, 8], "class": ["linear-attention", "free"]}, "sweep": {"seeds": 2}})
    >>> spec.grid
    {'n': [4, 8], 'class': ['linear-attention', 'free']}
    """
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
    _check_distinct(source, "[sweep] seeds", seeds)
    for key, values in axes.items():
        _check_distinct(source, f"[grid] {key}", values)
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


def _check_distinct(source, where, values) -> None:
    """Refuse a value given twice in one axis (or seed list), spelled alike or not (``1``
    and ``1.0``): it would be the same cell twice, two identical rows."""
    seen = {}
    for value in values:
        canon = json.dumps(_canonical(value), sort_keys=True, default=repr)
        if canon in seen:
            raise _err(source, where, f"value {value!r} appears twice (as {seen[canon]!r}); each must be distinct")
        seen[canon] = value


def load_spec(path) -> SweepSpec:
    r"""Read and validate a sweep spec from a ``.toml`` or ``.json`` file.

    Parameters
    ----------
    path : str or path-like
        The file.

    Returns
    -------
    SweepSpec
        The validated sweep (named after the file unless ``[sweep] name`` is given).

    Raises
    ------
    SweepError
        If the file cannot be read or parsed, or the spec is invalid.

    Examples
    --------
    >>> import os, tempfile
    >>> with tempfile.TemporaryDirectory() as tmp:
    ...     path = os.path.join(tmp, "mine.toml")
    ...     with open(path, "w") as f:
    ...         _ = f.write('[base]\nsigma = "identity"\nd = 2\nnoise = 0.5\nn = 3\n[grid]\nn = [4, 8]\n')
    ...     spec = load_spec(path)
    >>> spec.name, spec.num_cells
    ('mine', 2)
    """
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
    """Every ``(point, seed)`` of the sweep, in grid order then seed.

    Parameters
    ----------
    spec : SweepSpec
        The sweep.

    Returns
    -------
    list of tuple
        ``(point, seed)`` with ``point`` a dict ``{axis: value}``.

    Examples
    --------
    >>> spec = parse_spec({"base": {"sigma": "identity", "d": 2, "noise": 0.5, "sizes": [2, 2],
    ...                             "rho": [[1.0, 0.0], [0.0, 1.0]], "r_task": [0.3, 0.9]},
    ...                    "grid": {"n": [4, 8], "class": ["linear-attention", "free"]}, "sweep": {"seeds": 2}})
    >>> all_cells = cells(spec)
    >>> len(all_cells), all_cells[0]
    (8, ({'n': 4, 'class': 'linear-attention'}, 0))
    """
    return [(point, seed) for point in _points(spec) for seed in spec.seeds]


def _model_params(point) -> dict:
    return {k: v for k, v in point.items() if k in _MODEL_AXES or k == "n"}


def _build_model(base: dict, point: dict):
    """The model of a cell (a :class:`~wpgd_theory.config.ConfigError` if it is invalid)."""
    return model_from_spec(_model_spec(base, point), "base")


def _model_spec(base: dict, point: dict) -> dict:
    """The model table a cell computes with: ``base`` without its name, the point's model
    axes written over it and the ``n`` axis spread evenly over the base's tasks (a
    :class:`ValueError` if it cannot be)."""
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
    return spec


_CODE_VERSION = None


def code_version() -> str:
    """A hash of the package's version and source files: a cached cell is reused only by
    the same code.

    Returns
    -------
    str
        A hexadecimal digest.

    Examples
    --------
    >>> version = code_version()
    >>> int(version, 16) >= 0, version == code_version()
    (True, True)
    """
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


def _canonical(value):
    """``value`` in the canonical form of the cache key: every number a float (an integer
    a float holds exactly becomes that float, ``-0.0`` becomes ``0.0``), every table with
    sorted keys; a :class:`TypeError` for anything that is not plain data."""
    if value is None or isinstance(value, (bool, str)):
        return value
    if isinstance(value, int):
        try:
            as_float = float(value)
        except OverflowError:
            return value
        return as_float if int(as_float) == value else value
    if isinstance(value, float):
        return value + 0.0
    if isinstance(value, (list, tuple)):
        return [_canonical(v) for v in value]
    if isinstance(value, dict):
        return {str(k): _canonical(v) for k, v in value.items()}
    raise TypeError(f"cannot key a value of type {type(value).__name__}")


def _json(value) -> str:
    """Compact JSON with sorted keys; a :class:`ValueError` for NaN or infinity."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), allow_nan=False, ensure_ascii=True)


def _cell_identity(spec: SweepSpec, point: dict, seed: int) -> dict:
    """The canonical form of a cell: all its result depends on (see :data:`KEYED_INPUTS`)."""
    return _canonical({"model": _model_spec(spec.base, point), "class": point.get("class", "free"),
                       "depth": point.get("depth", 1), "seed": seed, "train": spec.train, "budget": spec.budget,
                       "code": code_version()})


def _key_of(identity: dict) -> str:
    """The key of a cell's canonical form (24 hex digits of its SHA-256)."""
    return hashlib.sha256(_json(_canonical(identity)).encode()).hexdigest()[:24]


def cell_key(spec: SweepSpec, point: dict, seed: int) -> str:
    """The cache key of a cell: a hash of its canonical form (its model, class, depth and
    seed, the training settings and the code; numbers as floats), so spellings of one cell
    share a key and every change of its result changes it.

    Parameters
    ----------
    spec : SweepSpec
        The sweep.
    point : dict
        The cell's grid point ``{axis: value}``.
    seed : int
        The cell's seed.

    Returns
    -------
    str
        A hexadecimal digest.

    Examples
    --------
    >>> spec = parse_spec({"base": {"sigma": "identity", "d": 2, "noise": 0.5, "sizes": [2, 2],
    ...                             "rho": [[1.0, 0.0], [0.0, 1.0]], "r_task": [0.3, 0.9]},
    ...                    "grid": {"n": [4, 8], "class": ["linear-attention", "free"]}, "sweep": {"seeds": 2}})
    >>> cell_key(spec, {"n": 4, "class": "free"}, 0) == cell_key(spec, {"class": "free", "n": 4.0}, 0)
    True
    >>> cell_key(spec, {"n": 4, "class": "free"}, 0) == cell_key(spec, {"n": 4, "class": "free"}, 1)
    False
    """
    return _key_of(_cell_identity(spec, point, seed))


def _finite_or_none(x):
    if x is None:
        return None
    x = float(x)
    return x if math.isfinite(x) else None


def run_cell(base: dict, point: dict, seed: int, train: bool, budget: str, device: str = "cpu") -> dict:
    """Compute one cell: the predicted optimum of its class and, if ``train`` and the class
    is an architecture, its trained risk ± SE.  Returns one row (plain data): the point's
    values, then the result.

    Parameters
    ----------
    base : dict
        The base model's spec.
    point : dict
        The grid point ``{axis: value}`` (model fields, ``class``, ``depth``).
    seed : int
        The seed of the training and evaluation prompts.
    train : bool
        Train the architecture (else only its predicted optimum).
    budget : str
        The training budget (a suite name).
    device : str, optional
        The torch device of the training.

    Returns
    -------
    dict
        One row: the point, ``seed``, ``predicted`` (the class's optimal risk, W5/A1–A3),
        ``trained`` and ``std_error`` (None unless trained), sizes and ``seconds``.

    Examples
    --------
    >>> spec = parse_spec({"base": {"sigma": "identity", "d": 2, "noise": 0.5, "sizes": [2, 2],
    ...                             "rho": [[1.0, 0.0], [0.0, 1.0]], "r_task": [0.3, 0.9]},
    ...                    "grid": {"n": [4, 8], "class": ["linear-attention", "free"]}, "sweep": {"seeds": 2}})
    >>> point, seed = cells(spec)[0]
    >>> row = run_cell(spec.base, point, seed, train=False, budget="quick")
    >>> row["class"], row["n"], row["trained"], bool(row["predicted"] > 0)
    ('linear-attention', 4, None, True)
    """
    return {**_point_columns(point), **_cell_result(base, point, seed, train, budget, device)}


def _point_columns(point: dict) -> dict:
    """The grid point's values as table columns (a list-valued axis as its JSON text)."""
    return {k: (json.dumps(v) if isinstance(v, list) else v) for k, v in point.items()}


def _cell_result(base: dict, point: dict, seed: int, train: bool, budget: str, device: str = "cpu",
                 trained: dict | None = None) -> dict:
    """The result of a cell (what its cache entry stores): class, cone, depth, seed, the
    model's sizes, predicted risk and solver, trained risk ± SE and steps, seconds.
    ``trained``: the cell's training result when it was trained together with other cells
    (:func:`_train_cells`; ``seconds`` then include its share of their wall-clock time)."""
    t0 = time.perf_counter() - (trained or {}).get("seconds", 0.0)
    model = _build_model(base, point)
    cls = point.get("class", "free")
    cone, arch = CLASSES[cls]
    depth = int(point.get("depth", 1))
    row = {"class": cls, "depth": depth, "seed": int(seed), "n_total": int(model.n), "K": int(model.num_tasks),
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
        done = _train_cells([(model, arch, depth, seed, budget, device)])[0] if trained is None else trained
        row.update({k: v for k, v in done.items() if k != "seconds"})
    row["seconds"] = time.perf_counter() - t0
    return row


def _train_cells(cells: list) -> list:
    """Train cells ``(model, arch, depth, seed, budget, device)`` as one batched computation
    (:func:`wpgd_theory.gla.batched.train_many`: cells of one configuration stacked; the
    same runs as training each with :func:`wpgd_theory.gla.train`, up to float32 rounding).
    Returns per cell ``{trained, std_error, steps, seconds}`` (``seconds``: an equal share of
    its budget group's wall-clock time)."""
    import torch

    from .gla import GLA, GLAConfig, PromptLayout
    from .gla.batched import train_many

    out = [None] * len(cells)
    budgets = {}
    for i, cell in enumerate(cells):
        budgets.setdefault(cell[4], []).append(i)
    for budget, idx in budgets.items():
        t0 = time.perf_counter()
        glas, models, layouts, seeds = [], [], [], []
        for i in idx:
            model, arch, depth, seed, _, device = cells[i]
            layout = PromptLayout.for_model(model, task_features=True, delimiters=True)
            kw = dict(arch)
            if kw.get("shared_qk"):
                kw["num_heads"] = model.num_tasks
            if kw.get("gating") == "vector":
                kw["d_key"] = model.num_tasks * model.d
            T = layout.num_tokens
            chunk = T if kw.get("gating") != "vector" else -(-T // 16) * 16
            cfg = GLAConfig(d=model.d, num_context=layout.num_context, structure="wpgd", init_scale=0.3,
                            chunk_size=chunk, num_layers=depth, device=device, dtype=torch.float32, **kw)
            glas.append(GLA(cfg, seed=int(seed)))
            models.append(model)
            layouts.append(layout)
            seeds.append(int(seed))
        results = train_many(glas, models, layouts, seeds, **training_settings(budget))
        share = (time.perf_counter() - t0) / len(idx)
        for i, res in zip(idx, results):
            out[i] = {"trained": _finite_or_none(res.risk.mean), "std_error": _finite_or_none(res.risk.std_error),
                      "steps": int(res.steps), "seconds": share}
    return out


def _cell_training(args) -> tuple:
    """A trained cell's training run ``(model, arch, depth, seed, budget, device)``."""
    base, point, seed, train, budget, device = args
    return (_build_model(base, point), CLASSES[point.get("class", "free")][1], int(point.get("depth", 1)), seed,
            budget, device)


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
    """A cell's result (the task a Dask worker runs)."""
    base, point, seed, train, budget, device = args
    return _cell_result(base, point, seed, train, budget, device)


# --------------------------------------------------------------------------- cache entries
class _InvalidEntry(Exception):
    """A cache entry that must not be used; the message says why (one line)."""


#: The fields of a cell's result and their types (``None`` where a value may be absent).
_RESULT_TYPES = {"class": (str,), "cone": (str,), "depth": (int,), "seed": (int,), "n_total": (int,),
                 "K": (int,), "d": (int,), "predicted": (float, type(None)), "trained": (float, type(None)),
                 "std_error": (float, type(None)), "steps": (int, type(None)), "solver": (str,),
                 "seconds": (float,)}
_ENTRY_FIELDS = ("format", "key", "cell", "result", "sha256")


def _entry_checksum(entry: dict) -> str:
    """SHA-256 of the canonical JSON of an entry's content (everything but the checksum)."""
    return hashlib.sha256(_json({k: entry[k] for k in _ENTRY_FIELDS[:-1]}).encode()).hexdigest()


def _make_entry(key: str, identity: dict, result: dict) -> bytes:
    """The bytes of the cache entry of a freshly computed cell (checked as a read is)."""
    entry = {"format": CACHE_FORMAT, "key": key, "cell": identity, "result": result}
    entry["sha256"] = _entry_checksum(entry)
    try:
        _check_entry(entry, key, identity)
    except _InvalidEntry as exc:  # a bug: run_cell made a result the cache would refuse
        raise RuntimeError(f"sweep: the result of cell {key} does not pass its own check ({exc})") from None
    return (_json(entry) + "\n").encode()


def _reject_constant(name):
    raise ValueError(f"{name} is not a number JSON allows")


_MISSING = object()


def _read_entry(path: Path):
    """The parsed cache entry at ``path`` (any JSON value); ``_MISSING`` if there is none;
    :class:`_InvalidEntry` if it cannot be read or parsed as strict JSON."""
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        return _MISSING
    except OSError as exc:
        raise _InvalidEntry(f"cannot read: {exc.strerror or exc}") from None
    try:
        return json.loads(data.decode("utf-8"), parse_constant=_reject_constant)
    except UnicodeDecodeError:
        raise _InvalidEntry("not UTF-8 text") from None
    except RecursionError:
        raise _InvalidEntry("nested too deeply") from None
    except ValueError as exc:
        raise _InvalidEntry(f"not valid JSON: {exc}") from None


def _check_entry(entry, key: str, identity: dict) -> dict:
    """Validate a parsed entry stored under ``key`` for the cell ``identity``: schema, its
    own key, its cell, its checksum; return its result or raise :class:`_InvalidEntry`."""
    if not isinstance(entry, dict):
        raise _InvalidEntry(f"{_json_kind(entry)} where a JSON object is expected")
    if set(entry) != set(_ENTRY_FIELDS):
        raise _InvalidEntry(f"fields {sorted(entry)}, expected {sorted(_ENTRY_FIELDS)}")
    if entry["format"] != CACHE_FORMAT:
        raise _InvalidEntry(f"format {entry['format']!r}, expected {CACHE_FORMAT!r}")
    if not isinstance(entry["cell"], dict) or not isinstance(entry["result"], dict):
        raise _InvalidEntry("its cell and result must be objects")
    if entry["key"] != key:
        raise _InvalidEntry(f"carries key {entry['key']!r} but is stored under {key!r}")
    own = _key_of(entry["cell"])
    if own != key:
        raise _InvalidEntry(f"describes the cell of key {own!r} but is stored under {key!r}")
    if _json(entry["cell"]) != _json(identity):
        raise _InvalidEntry("describes another cell than the one of its key")
    _check_result(entry["result"], identity)
    if entry["sha256"] != _entry_checksum(entry):
        raise _InvalidEntry("checksum mismatch: changed after it was written")
    return entry["result"]


def _json_kind(value) -> str:
    """What a parsed JSON value is, in JSON's words (``null``, ``an array``, ...)."""
    kinds = ((type(None), "null"), (bool, "a boolean"), ((int, float), "a number"), (str, "a string"),
             (list, "an array"), (dict, "an object"))
    return next(name for types, name in kinds if isinstance(value, types))


def _check_result(result: dict, identity: dict) -> None:
    """Schema of a cell's result: its fields and types, finite numbers, the class, cone,
    depth and seed of its cell, trained fields exactly when the cell trains."""
    missing, extra = sorted(set(_RESULT_TYPES) - set(result)), sorted(set(result) - set(_RESULT_TYPES))
    if missing or extra:
        raise _InvalidEntry("result: " + "; ".join(f"{what} field(s) {names}" for what, names in
                                                  (("missing", missing), ("unexpected", extra)) if names))
    for name, types in _RESULT_TYPES.items():
        value = result[name]
        if isinstance(value, bool) or not isinstance(value, types):
            raise _InvalidEntry(f"result field {name!r}: {type(value).__name__}, expected "
                                + " or ".join("null" if t is type(None) else t.__name__ for t in types))
        if isinstance(value, float) and not math.isfinite(value):
            raise _InvalidEntry(f"result field {name!r}: {value} is not finite")
    cls = identity["class"]
    expected = {"class": cls, "cone": CLASSES[cls][0], "depth": int(identity["depth"]),
                "seed": int(identity["seed"])}
    for name, value in expected.items():
        if result[name] != value:
            raise _InvalidEntry(f"result field {name!r}: {result[name]!r}, its cell has {value!r}")
    if min(result["n_total"], result["K"], result["d"]) < 1 or result["seconds"] < 0:
        raise _InvalidEntry("result: n_total, K and d must be >= 1 and seconds >= 0")
    trains = identity["train"] and CLASSES[cls][1] is not None
    if trains != (result["steps"] is not None) or (not trains and result["trained"] is not None):
        raise _InvalidEntry(f"result: the cell {'trains' if trains else 'does not train'}, "
                            f"steps = {result['steps']!r}, trained = {result['trained']!r}")


def _load_cached(path: Path, key: str, identity: dict):
    """``(result, None)`` for a valid entry, ``(None, None)`` for none, ``(None, reason)``
    for an invalid one."""
    try:
        entry = _read_entry(path)
        if entry is _MISSING:
            return None, None
        return _check_entry(entry, key, identity), None
    except _InvalidEntry as exc:
        return None, " ".join(str(exc).split())[:300]
    except (TypeError, ValueError, KeyError, RecursionError) as exc:  # untrusted data deep inside the entry
        return None, " ".join(f"malformed: {type(exc).__name__}: {exc}".split())[:300]


def _say(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def run_sweep(spec: SweepSpec, out_dir, *, workers: int = 1, scheduler: str | None = None, device: str = "cpu",
              progress=None, warn=None) -> dict:
    """Run the cells of ``spec`` not validly cached in ``out_dir``; write the table, figures
    and summary.  An invalid cache entry is recomputed and replaced, and ``warn`` (default:
    a line on stderr) hears one line naming it.  Returns ``{"rows": [...], "cached": int,
    "computed": int, "invalid": [{"path", "reason"}, ...], "out": Path}``.

    Parameters
    ----------
    spec : SweepSpec
        The sweep.
    out_dir : str or path-like
        The output folder (its ``cache/`` keeps every cell's result).
    workers : int, optional
        Local worker processes (Dask) for the cells.
    scheduler : str, optional
        The address of a running Dask scheduler instead.
    device : str, optional
        The torch device of the training.
    progress : callable, optional
        ``progress(done, total)`` after every cell.
    warn : callable, optional
        ``warn(line)`` for an invalid cache entry (default: a line on stderr).

    Returns
    -------
    dict
        ``rows``, ``cached``, ``computed``, ``invalid`` and ``out``.

    Raises
    ------
    RuntimeError
        If the rows do not match the cells (a bug).

    Examples
    --------
    >>> import os, tempfile
    >>> spec = parse_spec({"base": {"sigma": "identity", "d": 2, "noise": 0.5, "n": 3}, "grid": {"n": [4]}})
    >>> with tempfile.TemporaryDirectory() as tmp:
    ...     first, again = run_sweep(spec, tmp), run_sweep(spec, tmp)
    ...     written = sorted(f for f in os.listdir(tmp) if f.startswith("results"))
    >>> (first["computed"], first["cached"]), (again["computed"], again["cached"])
    ((1, 0), (0, 1))
    >>> written
    ['results-mean.csv', 'results.csv', 'results.parquet']
    """
    if workers != 1 or scheduler is not None:  # bad Dask arguments: an error before anything starts
        from . import parallel

        scheduler = parallel.check_arguments(workers, scheduler)
    out = Path(out_dir)
    cache_dir = out / "cache"
    cache_dir.mkdir(parents=True, exist_ok=True)
    warn = _say if warn is None else warn
    points = [point for point, _ in cells(spec)]
    rows, todo, invalid = _cached_rows(spec, cache_dir, device)
    cached = len(rows)

    def store(i, key, identity, result):
        _atomic_write(cache_dir / f"{key}.json", _make_entry(key, identity, result))
        rows[i] = {**_point_columns(points[i]), **result}
        if i in invalid:
            warn(f"sweep: cache entry {invalid[i]['path']} invalid ({invalid[i]['reason']}); recomputed")
        if progress is not None:
            progress(len(rows), spec.num_cells)

    if progress is not None and cached:
        progress(len(rows), spec.num_cells)
    _compute(todo, store, workers, scheduler, device)
    if sorted(rows) != list(range(spec.num_cells)):  # never a lost or extra row
        raise RuntimeError(f"sweep: {len(rows)} rows for {spec.num_cells} cells")
    table = [rows[i] for i in range(spec.num_cells)]
    bad = [invalid[i] for i in sorted(invalid)]
    _write_outputs(spec, out, table, cached, bad)
    return {"rows": table, "cached": cached, "computed": len(todo), "invalid": bad, "out": out}


def _cached_rows(spec: SweepSpec, cache_dir: Path, device: str):
    """Read the cache: ``(rows, todo, invalid)`` — the rows of validly cached cells by cell
    index, the cells to compute ``(index, key, identity, args)``, and the invalid entries
    by cell index (``{"path", "reason"}``)."""
    rows, todo, invalid, reported = {}, [], {}, set()
    for i, (point, seed) in enumerate(cells(spec)):
        identity = _cell_identity(spec, point, seed)
        key = _key_of(identity)
        path = cache_dir / f"{key}.json"
        result, reason = _load_cached(path, key, identity)
        if result is not None:
            rows[i] = {**_point_columns(point), **result}
            continue
        if reason is not None and key not in reported:  # once per entry (two cells may share one)
            invalid[i] = {"path": str(path), "reason": reason}
            reported.add(key)
        todo.append((i, key, identity, (spec.base, point, seed, spec.train, spec.budget, device)))
    return rows, todo, invalid


def _compute(todo: list, store, workers: int, scheduler, device: str) -> None:
    """Compute the cells of ``todo`` in-process or on Dask; ``store(i, key, identity,
    result)`` each as it finishes."""
    if todo and workers == 1 and scheduler is None:
        # in-process: every trained cell in one batched computation first, then each cell
        trains = [job for job in todo if _trains(job[3])]
        done = _train_cells([_cell_training(job[3]) for job in trains]) if trains else []
        trained = {job[0]: result for job, result in zip(trains, done)}
        for i, key, identity, args in todo:
            store(i, key, identity, _cell_result(*args, trained=trained.get(i)))
    elif todo:
        from . import parallel

        client = parallel.connect(workers, scheduler)
        with parallel.closing(client, own_cluster=scheduler is None):
            # costliest first (no long cell starts last while the other workers idle); with
            # --device cuda on a cluster with GPU workers, trained cells request the GPU
            gpu = device == "cuda" and parallel._has_gpu_workers(client)
            futs, on_gpu = {}, []
            for i, key, identity, args in sorted(todo, key=lambda job: -_cell_cost(job[3])):
                kw = {"resources": {"GPU": 1}} if gpu and _trains(args) else {}
                fut = client.submit(_run_cell_task, args, pure=False, **kw)
                futs[fut] = (i, key, identity)
                if kw:
                    on_gpu.append(fut)
            # bounded: no workers, a lost scheduler... end as a ParallelError (parallel.completed)
            for fut, result in parallel.completed(client, list(futs), scheduler=scheduler, gpu=on_gpu):
                store(*futs[fut], result)


def _atomic_write(path: Path, data: bytes) -> None:
    """Write ``path`` whole or not at all (a temporary file renamed over it), with the mode
    a new file gets (0666 less the umask: 0644 under the usual 022), as the reports are."""
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    try:
        with os.fdopen(fd, "wb") as fh:
            os.fchmod(fh.fileno(), 0o666 & ~_umask())
            fh.write(data)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _umask() -> int:
    """The process's umask (read by setting it and putting it back)."""
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


_COLUMNS = ("class", "cone", "depth", "seed", "n_total", "K", "d", "predicted", "trained", "std_error", "steps",
            "solver", "seconds")


def _columns(table) -> list:
    cols = [c for c in _COLUMNS]
    for row in table:
        for k in row:
            if k not in cols:
                cols.append(k)
    return cols


def _write_outputs(spec, out: Path, table: list, cached: int, invalid: list) -> None:
    """Write ``results.parquet``, ``results.csv`` (one row per cell and seed),
    ``results-mean.csv`` (one row per grid point: mean ± standard error over the seeds), the
    figures (PNG, SVG and PDF) and ``summary.html``, each atomically."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    cols = _columns(table)
    data = {c: [row.get(c) for row in table] for c in cols}
    sink = pa.BufferOutputStream()
    pq.write_table(pa.table(data), sink)
    _atomic_write(out / "results.parquet", sink.getvalue().to_pybytes())
    _atomic_write(out / "results.csv", _csv_bytes(table, cols))
    means = aggregate_over_seeds(table)
    _atomic_write(out / "results-mean.csv", _csv_bytes(means, _columns(means)))
    figs = _figures(spec, table)
    for name, files in figs.items():
        for ext, data in files.items():
            _atomic_write(out / f"{name}.{ext}", data)
    _atomic_write(out / "summary.html", _summary_html(spec, table, cached, list(figs), invalid, means).encode())


def _csv_bytes(rows: list, cols: list) -> bytes:
    text = io.StringIO()
    writer = csv.DictWriter(text, fieldnames=cols, lineterminator="\n")
    writer.writeheader()
    for row in rows:
        writer.writerow({c: ("" if row.get(c) is None else row.get(c)) for c in cols})
    return text.getvalue().encode()


#: Per-seed columns that are aggregated (or dropped) in :func:`aggregate_over_seeds`.
_PER_SEED = ("seed", "predicted", "trained", "std_error", "steps", "solver", "seconds")


def aggregate_over_seeds(table: list) -> list:
    """One row per grid point: the mean over seeds of ``predicted`` and ``trained`` with their
    standard errors.

    The standard error of a mean over ``s ≥ 2`` seeds is ``std(values, ddof=1) / √s``; with
    one seed, ``trained_se`` is that run's own standard error (the Monte Carlo error of its
    risk estimate) and ``predicted_se`` is 0 (the prediction is a deterministic optimum).

    Parameters
    ----------
    table : list of dict
        Rows of a sweep (one per cell and seed), as ``run_sweep(...)["rows"]``.

    Returns
    -------
    list of dict
        The grid point's columns, then ``seeds`` (the number of seeds), ``predicted_mean``,
        ``predicted_se``, ``trained_mean``, ``trained_se`` (``None`` where nothing was trained).

    Examples
    --------
    >>> rows = [{"class": "free", "n_total": 4, "seed": s, "predicted": p, "trained": None}
    ...         for s, p in enumerate([1.0, 3.0])]
    >>> agg = aggregate_over_seeds(rows)
    >>> len(agg), agg[0]["seeds"], agg[0]["predicted_mean"], agg[0]["predicted_se"]
    (1, 2, 2.0, 1.0)
    """
    groups: dict = {}
    for row in table:
        key = tuple((k, _json(v)) for k, v in row.items() if k not in _PER_SEED)
        groups.setdefault(key, []).append(row)
    out = []
    for rows in groups.values():
        head = {k: v for k, v in rows[0].items() if k not in _PER_SEED}
        p_mean, p_se = _group_mean(rows, "predicted", own_se=0.0)
        t_mean, t_se = _group_mean(rows, "trained")
        out.append(dict(head, seeds=len(rows), predicted_mean=p_mean, predicted_se=p_se, trained_mean=t_mean,
                        trained_se=t_se))
    return out


def _group_mean(rows, key, own_se=None):
    """Mean over seeds of ``key`` and its standard error (over seeds, or, with one seed, the
    row's own ``std_error`` for ``trained`` and ``own_se`` otherwise)."""
    vals = [r[key] for r in rows if r.get(key) is not None]
    if not vals:
        return None, None
    if len(vals) == 1:
        se = own_se if own_se is not None else (rows[0].get("std_error") if key == "trained" else 0.0)
        return float(vals[0]), se
    return float(np.mean(vals)), float(np.std(vals, ddof=1) / math.sqrt(len(vals)))


#: Line styles and markers cycled per class, so that coinciding curves stay visible.
_STYLES = (("-", "o"), ("--", "s"), (":", "^"), ("-.", "D"), ((0, (5, 1, 1, 1)), "v"), ((0, (1, 1)), "P"))


def _log_axis_at(ax, values) -> None:
    """A log x axis labelled at the grid's own values, in plain numbers (no ``6×10⁰``)."""
    from matplotlib.ticker import FixedLocator, NullLocator, ScalarFormatter

    ax.set_xscale("log")
    ax.xaxis.set_major_locator(FixedLocator(sorted(set(values))))
    ax.xaxis.set_minor_locator(NullLocator())
    fmt = ScalarFormatter()
    fmt.set_scientific(False)
    ax.xaxis.set_major_formatter(fmt)


def _figures(spec, table) -> dict:
    """``{"risk_vs_n": {"png": …, "svg": …, "pdf": …}, "risk_vs_depth": …}``: risk vs n per
    class (predicted line, trained points ± SE over seeds) when the grid has an ``n`` axis;
    risk vs depth when it has a ``depth`` axis and trained rows.  Each class has its own line
    style and marker, and the trained points are spread slightly around their ``n`` so that
    equal values do not hide one another."""
    import matplotlib

    from .report.figures import STYLE, _new_figure, figure_to_png, figure_to_vector

    def files(fig):
        return {"png": figure_to_png(fig), "svg": figure_to_vector(fig, "svg"), "pdf": figure_to_vector(fig, "pdf")}

    figs = {}
    classes = list(spec.grid["class"])
    with matplotlib.rc_context(STYLE):
        if "n" in spec.grid:
            fig, ax = _new_figure()
            all_n = []
            for i, cls in enumerate(classes):
                ls, mk = _STYLES[i % len(_STYLES)]
                ns = sorted({r["n_total"] for r in table if r["class"] == cls})
                all_n += ns
                at = {n: [r for r in table if r["class"] == cls and r["n_total"] == n and r["depth"] == 1] for n in ns}
                pred = [_group_mean(at[n], "predicted")[0] for n in ns]
                # later classes drawn on top, thinner and with smaller markers: coinciding curves
                # (equal optima of nested cones) stay visible as nested strokes
                k = len(classes) - 1 - i
                line = ax.plot(ns, pred, linestyle=ls, marker=mk, markersize=4 + 2 * k, markerfacecolor="none",
                               linewidth=1.0 + 0.9 * k, label=f"{cls} (predicted)", zorder=3 + i)[0]
                tr = [(n, *_group_mean(at[n], "trained")) for n in ns]
                tr = [t for t in tr if t[1] is not None]
                if tr:
                    shift = 1.0 + 0.012 * (i - (len(classes) - 1) / 2)  # a small dodge on the log axis
                    ax.errorbar([t[0] * shift for t in tr], [t[1] for t in tr], yerr=[t[2] or 0.0 for t in tr],
                                fmt=mk, color=line.get_color(), capsize=3, markersize=5,
                                label=f"{cls} (trained, mean ± SE over seeds)")
            _log_axis_at(ax, all_n)
            ax.set_xlabel("n (examples in the prompt, log scale)")
            ax.set_ylabel("in-context risk")
            ax.set_title(f"{spec.name}: risk vs n")
            ax.legend(loc="best", fontsize="small", framealpha=0.9)
            figs["risk_vs_n"] = files(fig)
        if "depth" in spec.grid and any(r.get("trained") is not None for r in table):
            fig, ax = _new_figure()
            for i, cls in enumerate(classes):
                ls, mk = _STYLES[i % len(_STYLES)]
                depths = sorted({r["depth"] for r in table if r["class"] == cls})
                pts = [(L, *_group_mean([r for r in table if r["class"] == cls and r["depth"] == L], "trained"))
                       for L in depths]
                pts = [p for p in pts if p[1] is not None]
                if pts:
                    shift = 0.04 * (i - (len(classes) - 1) / 2)
                    ax.errorbar([p[0] + shift for p in pts], [p[1] for p in pts], yerr=[p[2] or 0.0 for p in pts],
                                marker=mk, linestyle=ls, capsize=3, label=f"{cls} (mean ± SE over seeds)")
            ax.set_xticks(sorted({r["depth"] for r in table}))
            ax.set_xlabel("depth (GLA layers)")
            ax.set_ylabel("trained risk")
            ax.set_title(f"{spec.name}: risk vs depth")
            ax.legend(loc="best", fontsize="small", framealpha=0.9)
            figs["risk_vs_depth"] = files(fig)
    return figs


_SUMMARY = """<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>{{ name }} — sweep summary</title>
<style>body{font-family:system-ui,sans-serif;max-width:70em;margin:2em auto;padding:0 1em}
table{border-collapse:collapse;font-size:.9em}td,th{border:1px solid #ccc;padding:.2em .5em;text-align:right}
th{background:#f3f3f3}img{max-width:100%}</style></head><body>
<h1>{{ name }}</h1>
<p>{{ total }} cells ({{ cached }} from the cache, {{ total - cached }} computed); spec <code>{{ source }}</code>;
code version <code>{{ code }}</code>. Tables: <a href="results-mean.csv">results-mean.csv</a> (mean ± standard
error over seeds, below), <a href="results.csv">results.csv</a> and results.parquet (one row per cell and seed).</p>
<p>{% if invalid %}{{ invalid|length }} invalid cache {{ "entry" if invalid|length == 1 else "entries" }} recomputed:
</p><ul>{% for e in invalid %}<li><code>{{ e.path }}</code>: {{ e.reason }}</li>{% endfor %}</ul>
{% else %}No invalid cache entries.</p>{% endif %}
{% for f in figures %}<figure><img src="{{ f }}.png" alt="{{ f }}">
<figcaption>Also as <a href="{{ f }}.svg">{{ f }}.svg</a> and <a href="{{ f }}.pdf">{{ f }}.pdf</a>.</figcaption>
</figure>{% endfor %}
<h2>Mean ± standard error over seeds</h2>
<table><tr>{% for c in mean_columns %}<th>{{ c }}</th>{% endfor %}<th>seeds</th><th>predicted risk</th>
<th>trained risk</th></tr>
{% for row in means %}<tr>{% for c in mean_columns %}<td>{{ fmt(row.get(c)) }}</td>{% endfor %}<td>{{ row.seeds }}</td>
<td>{{ pm(row.predicted_mean, row.predicted_se) }}</td><td>{{ pm(row.trained_mean, row.trained_se) }}</td></tr>
{% endfor %}</table>
<details><summary>Every cell and seed ({{ rows|length }} rows)</summary>
<table><tr>{% for c in columns %}<th>{{ c }}</th>{% endfor %}</tr>
{% for row in rows %}<tr>{% for c in columns %}<td>{{ fmt(row.get(c)) }}</td>{% endfor %}</tr>
{% endfor %}</table></details></body></html>
"""


def _fmt(v):
    if v is None:
        return "—"
    if isinstance(v, float):
        return f"{v:.6g}"
    return str(v)


def _pm(mean, se):
    """``"0.512 ± 0.003"`` (``"—"`` when there is no value)."""
    if mean is None:
        return "—"
    return _fmt(mean) if not se else f"{mean:.4g} ± {se:.2g}"


def _summary_html(spec, table, cached, figures, invalid, means=None) -> str:
    """The summary page: counts (cells, from the cache, computed, invalid entries
    recomputed), figures (with their SVG and PDF), the table of means ± standard errors over
    seeds and, folded, every row."""
    import jinja2

    means = aggregate_over_seeds(table) if means is None else means
    mean_cols = [c for c in _columns(means) if c not in ("seeds", "predicted_mean", "predicted_se", "trained_mean",
                                                          "trained_se")]
    env = jinja2.Environment(autoescape=True)
    return env.from_string(_SUMMARY).render(name=spec.name, total=len(table), cached=cached, source=spec.source,
                                            code=code_version(), figures=figures, columns=_columns(table),
                                            rows=table, fmt=_fmt, invalid=invalid, means=means,
                                            mean_columns=mean_cols, pm=_pm)
