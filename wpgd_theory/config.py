r"""User configuration files for ``wpgd-verify run --config`` and ``wpgd-verify solve``.

A configuration file (TOML or JSON, chosen by its suffix) names one or more
:class:`~wpgd_theory.model.MultitaskModel` instances and, optionally, defaults for the
run.  Every field is validated; an error is a :class:`ConfigError` (a ``ValueError``)
whose message names the file, the model and the field, e.g.
``my.toml: model[1] 'ar': field 'sigma': must be positive definite; ...``.

Schema (TOML; JSON has the same keys, ``"model": [{...}, ...]``)::

    # optional run defaults (command-line flags override them)
    seed = 0                    # integer >= 0
    suite = "quick"             # "quick" | "default" | "thorough"

    [[model]]                   # one table per model, at least one
    name = "two-tasks"          # required, unique; letters, digits, "-", "_", "."
    sigma = [2.0, 1.0, 0.5]     # feature covariance Σ: a list = diag(Σ),
                                #   a list of lists = the full d×d matrix,
                                #   "identity" or a number λ > 0 = λ·I (then d is required)
    # d = 3                     # only with sigma = "identity" or a number
    noise = 0.1                 # label-noise variance σ² >= 0 (default 0)
    # task structure: exactly one of the three forms
    sizes = [4, 3]              # multitask: segment sizes n_1..n_K,
    rho = [[1.0, 0.5],          #   task correlations ρ (K×K, unit diagonal),
           [0.5, 1.0]]
    r_task = [0.3, 0.8]         #   query correlations r^task (K)
    # n = 8                     # single task (K = 1, r^task = 1)
    # R = [[...]]; r = [...]    # general: R (n×n, unit diagonal) and r (n)

A file may instead hold a single model at its top level (the keys of one ``[[model]]``
table, ``name`` optional and defaulting to the file's stem).  Unknown keys are errors
(with a suggestion when a known key is close), so a typo never silently falls back to a
default.  The joint matrix ``C = [[R, r], [rᵀ, 1]]`` (or ``[[ρ, r^task], [r^taskᵀ, 1]]``)
must be PSD with unit diagonal and ``Σ`` symmetric positive definite, exactly as
:class:`~wpgd_theory.model.MultitaskModel` requires; nothing is repaired.
"""

from __future__ import annotations

import difflib
import json
import math
import numbers
import re
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from .model import MultitaskModel

__all__ = ["Config", "ConfigError", "load_config", "parse_config", "model_from_spec", "SUITES"]

SUITES = ("quick", "default", "thorough")
TOP_KEYS = ("seed", "suite", "model")
MODEL_KEYS = ("name", "sigma", "d", "noise", "n", "sizes", "rho", "r_task", "R", "r")
_NAME_RE = re.compile(r"^[A-Za-z0-9_.\-]+$")


class ConfigError(ValueError):
    """A configuration file is unreadable or invalid; the message names file and field."""


@dataclass
class Config:
    """A loaded configuration: named models plus optional run defaults."""

    models: dict = field(default_factory=dict)
    seed: int | None = None
    suite: str | None = None
    source: str = ""

    def describe(self) -> dict:
        """A JSON-serialisable summary of the models (for reports)."""
        return {name: describe_model(m) for name, m in self.models.items()}


def describe_model(model: MultitaskModel) -> dict:
    """Short JSON-serialisable description of a model (shape, structure, noise)."""
    out = {"d": model.d, "n": model.n, "noise": model.noise,
           "sigma_eigenvalues": [float(x) for x in model.sigma_eigenvalues[:16]]}
    if model.is_multitask:
        out.update(structure="tasks", sizes=model.sizes.tolist(), rho=model.rho.tolist(),
                   r_task=model.r_task.tolist())
    else:
        out.update(structure="general")
    return out


# --------------------------------------------------------------------------- helpers
def _suggest(key: str, allowed) -> str:
    close = difflib.get_close_matches(key, allowed, n=1)
    return f" (did you mean {close[0]!r}?)" if close else ""


def _is_number(x) -> bool:
    return isinstance(x, numbers.Real) and not isinstance(x, bool)


def _type_name(x) -> str:
    return {bool: "boolean", str: "string", list: "array", dict: "table/object", int: "integer",
            float: "number"}.get(type(x), type(x).__name__)


def _numeric(value, where: str, ndim: int):
    """A rectangular nested list of real numbers of rank ``ndim`` → float array."""
    def walk(v, depth, path):
        if depth == ndim:
            if not _is_number(v):
                raise ConfigError(f"{where}{path}: expected a number, got {_type_name(v)} {v!r}")
            if not math.isfinite(float(v)):
                raise ConfigError(f"{where}{path}: expected a finite number, got {v!r}")
            return float(v)
        if not isinstance(v, list):
            what = "a list of lists of numbers" if ndim - depth == 2 else "a list of numbers"
            raise ConfigError(f"{where}{path}: expected {what}, got {_type_name(v)} {v!r}")
        return [walk(e, depth + 1, f"{path}[{i}]") for i, e in enumerate(v)]

    nested = walk(value, 0, "")
    if ndim == 2:
        if not nested or any(len(row) != len(nested[0]) for row in nested):
            lens = sorted({len(row) for row in nested})
            raise ConfigError(f"{where}: expected a non-empty rectangular matrix, got rows of lengths {lens}")
    elif not nested:
        raise ConfigError(f"{where}: expected a non-empty list")
    return np.array(nested, dtype=float)


def _sigma(spec: dict, where: str):
    sigma = spec["sigma"]
    d = spec.get("d")
    if isinstance(sigma, str) or _is_number(sigma):
        if isinstance(sigma, str) and sigma != "identity":
            raise ConfigError(f"{where}: field 'sigma': expected \"identity\", a number, a list (diagonal) "
                              f"or a matrix, got string {sigma!r}")
        if d is None:
            raise ConfigError(f"{where}: field 'd' is required when sigma is {sigma!r}")
        if not isinstance(d, int) or isinstance(d, bool) or d < 1:
            raise ConfigError(f"{where}: field 'd': expected an integer >= 1, got {_type_name(d)} {d!r}")
        lam = 1.0 if isinstance(sigma, str) else float(sigma)
        if not (math.isfinite(lam) and lam > 0):
            raise ConfigError(f"{where}: field 'sigma': a scalar sigma means sigma·I and must be > 0, got {sigma!r}")
        return lam * np.eye(d)
    if d is not None:
        raise ConfigError(f"{where}: field 'd' is only allowed with sigma = \"identity\" or a number "
                          "(otherwise d is the size of sigma)")
    if isinstance(sigma, list) and sigma and all(not isinstance(e, list) for e in sigma):
        diag = _numeric(sigma, f"{where}: field 'sigma'", 1)
        return np.diag(diag)
    return _numeric(sigma, f"{where}: field 'sigma'", 2)


def model_from_spec(spec: dict, where: str = "model") -> MultitaskModel:
    """Build one :class:`MultitaskModel` from a parsed ``[[model]]`` table (see module doc)."""
    if not isinstance(spec, dict):
        raise ConfigError(f"{where}: expected a table/object of model fields, got {_type_name(spec)}")
    for key in spec:
        if key not in MODEL_KEYS:
            raise ConfigError(f"{where}: unknown field {key!r}{_suggest(key, MODEL_KEYS)}; "
                              f"allowed: {', '.join(MODEL_KEYS)}")
    if "sigma" not in spec:
        raise ConfigError(f"{where}: missing required field 'sigma'")
    sigma = _sigma(spec, where)
    noise = spec.get("noise", 0.0)
    if not _is_number(noise) or not math.isfinite(float(noise)) or noise < 0:
        raise ConfigError(f"{where}: field 'noise' (the noise variance) must be a finite number >= 0, "
                          f"got {_type_name(noise)} {noise!r}")
    forms = {"n": ("n",), "tasks": ("sizes", "rho", "r_task"), "general": ("R", "r")}
    present = {f for f, keys in forms.items() if any(k in spec for k in keys)}
    if len(present) != 1:
        got = sorted(k for keys in forms.values() for k in keys if k in spec)
        raise ConfigError(f"{where}: give exactly one task structure: 'n' (single task), "
                          f"'sizes' + 'rho' + 'r_task' (multitask) or 'R' + 'r' (general); got fields {got or 'none'}")
    form = present.pop()
    missing = [k for k in forms[form] if k not in spec]
    if missing:
        raise ConfigError(f"{where}: missing required field {missing[0]!r} (needed with "
                          f"{' + '.join(repr(k) for k in forms[form])})")
    try:
        if form == "n":
            n = spec["n"]
            if not isinstance(n, int) or isinstance(n, bool) or n < 1:
                raise ConfigError(f"{where}: field 'n': expected an integer >= 1, got {_type_name(n)} {n!r}")
            return MultitaskModel.single_task(n, sigma=sigma, noise=float(noise))
        if form == "tasks":
            sizes = spec["sizes"]
            if not isinstance(sizes, list) or not sizes or not all(
                isinstance(s, int) and not isinstance(s, bool) and s >= 1 for s in sizes
            ):
                raise ConfigError(f"{where}: field 'sizes': expected a non-empty list of integers >= 1, got {sizes!r}")
            rho = _numeric(spec["rho"], f"{where}: field 'rho'", 2)
            r_task = _numeric(spec["r_task"], f"{where}: field 'r_task'", 1)
            return MultitaskModel.from_tasks(sizes, rho, r_task, sigma=sigma, noise=float(noise))
        R = _numeric(spec["R"], f"{where}: field 'R'", 2)
        r = _numeric(spec["r"], f"{where}: field 'r'", 1)
        return MultitaskModel(sigma, R, r, noise=float(noise))
    except ConfigError:
        raise
    except (ValueError, TypeError) as exc:  # the model's own validation names the argument
        raise ConfigError(f"{where}: {exc}") from None


def parse_config(data, source: str = "<config>") -> Config:
    """Validate parsed TOML/JSON ``data`` (a dict) into a :class:`Config`."""
    if not isinstance(data, dict):
        raise ConfigError(f"{source}: the top level must be a table/object, got {_type_name(data)}")
    if "model" not in data and "sigma" in data:  # a single model at top level
        spec = {k: v for k, v in data.items() if k not in ("seed", "suite")}
        spec.setdefault("name", Path(source).stem or "model")
        data = {k: v for k, v in data.items() if k in ("seed", "suite")} | {"model": [spec]}
    for key in data:
        if key not in TOP_KEYS:
            raise ConfigError(f"{source}: unknown top-level key {key!r}{_suggest(key, TOP_KEYS)}; "
                              f"allowed: {', '.join(TOP_KEYS)} (models go in [[model]] tables)")
    cfg = Config(source=source)
    if "seed" in data:
        seed = data["seed"]
        if not isinstance(seed, int) or isinstance(seed, bool) or seed < 0:
            raise ConfigError(f"{source}: field 'seed': expected an integer >= 0, got {_type_name(seed)} {seed!r}")
        cfg.seed = seed
    if "suite" in data:
        suite = data["suite"]
        if suite not in SUITES:
            raise ConfigError(f"{source}: field 'suite': expected one of {', '.join(SUITES)}, got {suite!r}")
        cfg.suite = suite
    models = data.get("model")
    if models is None:
        raise ConfigError(f"{source}: no models: add at least one [[model]] table (JSON: \"model\": [{{...}}])")
    if isinstance(models, dict):
        models = [models]
    if not isinstance(models, list) or not models:
        raise ConfigError(f"{source}: 'model' must be a non-empty array of tables, got {_type_name(models)}")
    for i, spec in enumerate(models):
        where = f"{source}: model[{i}]"
        if not isinstance(spec, dict):
            raise ConfigError(f"{where}: expected a table/object, got {_type_name(spec)}")
        name = spec.get("name")
        if name is None:
            raise ConfigError(f"{where}: missing required field 'name'")
        if not isinstance(name, str) or not _NAME_RE.match(name):
            raise ConfigError(f"{where}: field 'name': expected a string of letters, digits, '-', '_' or '.', "
                              f"got {name!r}")
        if name in cfg.models:
            raise ConfigError(f"{where}: duplicate model name {name!r}")
        cfg.models[name] = model_from_spec(spec, f"{where} {name!r}")
    return cfg


def load_config(path) -> Config:
    """Read and validate a ``.toml`` or ``.json`` configuration file (see module doc)."""
    p = Path(path)
    src = str(path)
    suffix = p.suffix.lower()
    if suffix not in (".toml", ".json"):
        raise ConfigError(f"{src}: unsupported file type {p.suffix or '(none)'!r}; use .toml or .json")
    try:
        raw = p.read_bytes()
    except FileNotFoundError:
        raise ConfigError(f"{src}: no such file") from None
    except IsADirectoryError:
        raise ConfigError(f"{src}: is a directory, not a file") from None
    except OSError as exc:
        raise ConfigError(f"{src}: cannot read: {exc.strerror or exc}") from None
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ConfigError(f"{src}: not UTF-8 text ({exc.reason} at byte {exc.start})") from None
    toml = _toml_module(src) if suffix == ".toml" else None
    try:
        if toml is not None:
            data = toml.loads(text)
        else:
            data = json.loads(text, parse_constant=lambda c: float(c))
    except json.JSONDecodeError as exc:
        raise ConfigError(f"{src}: invalid JSON: {exc.msg} (line {exc.lineno}, column {exc.colno})") from None
    except Exception as exc:
        if toml is not None and isinstance(exc, toml.TOMLDecodeError):
            raise ConfigError(f"{src}: invalid TOML: {exc}") from None
        raise
    return parse_config(data, src)


def _toml_module(src: str):
    """``tomllib`` (Python >= 3.11) or its backport ``tomli``."""
    try:
        import tomllib

        return tomllib
    except ModuleNotFoundError:  # Python 3.10
        try:
            import tomli

            return tomli
        except ModuleNotFoundError:
            raise ConfigError(f"{src}: reading TOML needs Python >= 3.11 or the 'tomli' package; "
                              "install tomli or use a .json file") from None
