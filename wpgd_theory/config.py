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
default; so is a key given twice in one table or object (TOML's own rule; JSON readers
keep the last silently, so the JSON reader here refuses it, naming the key and where).
The joint matrix ``C = [[R, r], [rᵀ, 1]]`` (or ``[[ρ, r^task], [r^taskᵀ, 1]]``)
must be PSD with unit diagonal and ``Σ`` symmetric positive definite, exactly as
:class:`~wpgd_theory.model.MultitaskModel` requires; nothing is repaired.  The format is
also a JSON Schema, ``config.schema.json`` beside this module (:func:`config_schema`).

Size limits.  Before any array is built, the memory and time a model needs are estimated
(:func:`estimate_resources`: about ``8·(4d² + 8n + 4(K+1)²)`` bytes and ``(d³ + K³)/10⁹``
seconds for a task model, ``8·(4d² + 4n²)`` bytes and ``(d³ + n³)/10⁹`` s with a general
``R``); a model beyond :data:`MAX_MEMORY_BYTES` or :data:`MAX_SETUP_SECONDS` is refused with
a :class:`ConfigError` naming the field, unless ``allow_large=True`` (``--allow-large`` on
the command line), and ``on_estimate`` is told about any model above a tenth of a limit
before it is built.  Nesting deeper than the format allows, integers too long to convert
and numbers beyond float64 are errors naming the file (and the field where known); the
messages are one line and quote at most a short excerpt of the offending value.
"""

from __future__ import annotations

import difflib
import json
import math
import numbers
import re
import reprlib
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from .model import MultitaskModel

__all__ = ["Config", "ConfigError", "load_config", "parse_config", "model_from_spec", "SUITES",
           "estimate_resources", "config_schema", "schema_path", "MAX_MEMORY_BYTES", "MAX_SETUP_SECONDS",
           "MAX_SEED"]

SUITES = ("quick", "default", "thorough")
#: Refuse a model whose estimated memory exceeds this (bytes), unless ``allow_large``.
MAX_MEMORY_BYTES = 2 * 2**30
#: Refuse a model whose estimated setup time (eigendecompositions) exceeds this (seconds).
MAX_SETUP_SECONDS = 120.0
#: Dense O(m³) work per second assumed by the time estimate (a deliberately slow machine).
_FLOPS = 1e9
#: Largest seed accepted (``--seed`` too): numpy and torch take it, and seeds derived from
#: it by small offsets stay below torch's limit of 2**64.
MAX_SEED = 2**63 - 1
TOP_KEYS = ("seed", "suite", "model")
MODEL_KEYS = ("name", "sigma", "d", "noise", "n", "sizes", "rho", "r_task", "R", "r")
_NAME_RE = re.compile(r"[A-Za-z0-9_.\-]{1,200}")


class ConfigError(ValueError):
    """A configuration file is unreadable or invalid; the message names file and field.

    A :class:`ValueError`: the command line prints its one-line message and exits with status 2.

    Examples
    --------
    >>> try:
    ...     parse_config({"models": []})
    ... except ConfigError as exc:
    ...     print(str(exc).split(";")[0])
    <config>: unknown top-level key 'models' (did you mean 'model'?)
    """


@dataclass
class Config:
    """A loaded configuration: named models plus optional run defaults.

    Parameters
    ----------
    models : dict, optional
        ``{name: MultitaskModel}``.
    seed : int, optional
        The run's seed (None: the command line's).
    suite : str, optional
        The run's suite (None: the command line's).
    source : str, optional
        Where it was read from.

    Examples
    --------
    >>> cfg = parse_config({"model": [{"name": "mine", "sigma": [2.0, 1.0], "noise": 0.1,
    ...                                "sizes": [3, 2], "rho": [[1.0, 0.3], [0.3, 1.0]], "r_task": [0.5, 0.8]}]})
    >>> isinstance(cfg, Config), cfg.seed, cfg.suite
    (True, None, None)
    """

    models: dict = field(default_factory=dict)
    seed: int | None = None
    suite: str | None = None
    source: str = ""

    def describe(self) -> dict:
        """A JSON-serialisable summary of the models (for reports)."""
        return {name: describe_model(m) for name, m in self.models.items()}


def describe_model(model: MultitaskModel) -> dict:
    """Short JSON-serialisable description of a model (shape, structure, noise), as the report records it.

    Parameters
    ----------
    model : MultitaskModel
        The prompt model.

    Returns
    -------
    dict
        ``d``, ``n``, ``noise``, the first 16 ``sigma_eigenvalues`` and the ``structure``
        (``"tasks"`` with ``sizes``, ``rho``, ``r_task``; or ``"general"``).

    Examples
    --------
    >>> from wpgd_theory import MultitaskModel
    >>> desc = describe_model(MultitaskModel.from_tasks([3, 2], rho=[[1.0, 0.3], [0.3, 1.0]], r_task=[0.5, 0.8],
    ...                                                 sigma=[2.0, 1.0], noise=0.1))
    >>> desc["structure"], desc["n"], desc["sizes"]
    ('tasks', 5, [3, 2])
    """
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


_REPR = reprlib.Repr()
_REPR.maxlevel, _REPR.maxlist, _REPR.maxdict, _REPR.maxstring, _REPR.maxother = 2, 4, 4, 40, 40


def _show(x) -> str:
    """A short one-line excerpt of a value for an error message (never huge, never recursive)."""
    if isinstance(x, int) and not isinstance(x, bool) and x.bit_length() > 128:
        return f"<integer of about {int(x.bit_length() * 0.30103) + 1} digits>"
    try:
        text = _REPR.repr(x)
    except (ValueError, RecursionError):
        text = f"<{_type_name(x)}>"
    return " ".join(text.split())


def _int_field(value, where: str, field_name: str, minimum: int, maximum: int | None = None) -> int:
    if not isinstance(value, int) or isinstance(value, bool) or value < minimum or (
            maximum is not None and value > maximum):
        bound = f"an integer >= {minimum}" if maximum is None else f"an integer in [{minimum}, {maximum}]"
        raise ConfigError(f"{where}: field {field_name!r}: expected {bound}, got {_type_name(value)} {_show(value)}")
    return value


def _finite_float(v) -> float | None:
    try:
        x = float(v)
    except OverflowError:  # an integer beyond float64
        return None
    return x if math.isfinite(x) else None


_PLAIN = (int, float)


def _fast_numeric(value, ndim: int):
    """The common case quickly (a 2000×2000 matrix in well under a second), or ``None``."""
    if not isinstance(value, list) or not value:
        return None
    rows = value if ndim == 2 else [value]
    if ndim == 2 and not all(type(row) is list for row in rows):
        return None
    width = len(rows[0])
    if not all(len(row) == width and all(type(v) in _PLAIN for v in row) for row in rows):
        return None
    try:
        arr = np.array(value, dtype=float)
    except (OverflowError, ValueError):
        return None
    return arr if arr.ndim == ndim and arr.size and np.all(np.isfinite(arr)) else None


def _numeric(value, where: str, ndim: int):
    """A rectangular nested list of real numbers of rank ``ndim`` → float array."""
    fast = _fast_numeric(value, ndim)
    if fast is not None:
        return fast

    def walk(v, depth, path):
        if depth == ndim:
            if not _is_number(v):
                raise ConfigError(f"{where}{path}: expected a number, got {_type_name(v)} {_show(v)}")
            x = _finite_float(v)
            if x is None:
                raise ConfigError(f"{where}{path}: expected a finite float64 number, got {_show(v)}")
            return x
        if not isinstance(v, list):
            what = "a list of lists of numbers" if ndim - depth == 2 else "a list of numbers"
            raise ConfigError(f"{where}{path}: expected {what}, got {_type_name(v)} {_show(v)}")
        return [walk(e, depth + 1, f"{path}[{i}]") for i, e in enumerate(v)]

    nested = walk(value, 0, "")
    if ndim == 2:
        if not nested or not nested[0] or any(len(row) != len(nested[0]) for row in nested):
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
                              f"or a matrix, got string {_show(sigma)}")
        if not isinstance(sigma, str) and not (_finite_float(sigma) is not None and sigma > 0):
            raise ConfigError(f"{where}: field 'sigma': a scalar sigma means sigma·I and must be > 0 and finite, "
                              f"got {_show(sigma)}")
        if d is None:
            raise ConfigError(f"{where}: field 'd' is required when sigma is {_show(sigma)}")
        _int_field(d, where, "d", 1)
        lam = 1.0 if isinstance(sigma, str) else _finite_float(sigma)
        try:
            return lam * np.eye(d)
        except (MemoryError, ValueError):
            raise ConfigError(f"{where}: field 'd': d = {d} is too large (a {d}×{d} matrix does not fit in "
                              "memory)") from None
    if d is not None:
        raise ConfigError(f"{where}: field 'd' is only allowed with sigma = \"identity\" or a number "
                          "(otherwise d is the size of sigma)")
    if isinstance(sigma, list) and sigma and all(not isinstance(e, list) for e in sigma):
        diag = _numeric(sigma, f"{where}: field 'sigma'", 1)
        return np.diag(diag)
    return _numeric(sigma, f"{where}: field 'sigma'", 2)


def _shape_of_sigma(spec: dict) -> int | None:
    sigma = spec.get("sigma")
    if isinstance(sigma, str) or _is_number(sigma):
        d = spec.get("d")
        return d if isinstance(d, int) and not isinstance(d, bool) and d >= 1 else None
    return len(sigma) if isinstance(sigma, list) else None


def estimate_resources(d: int, n: int, K: int | None) -> tuple:
    """``(bytes, seconds)`` a model needs to be built and solved, roughly (see module doc).

    ``K`` is the number of tasks of a task model, ``None`` for a general ``R`` (then the
    ``n × n`` matrix and its eigendecomposition dominate).  Sizes beyond ``10⁵⁰`` are
    counted as ``10⁵⁰`` (the estimate only has to be far beyond every limit then).

    Parameters
    ----------
    d : int
        The feature dimension.
    n : int
        The number of examples.
    K : int or None
        The number of tasks (None: a general ``R``).

    Returns
    -------
    bytes : int
        Memory, roughly.
    seconds : float
        Time, roughly.

    Examples
    --------
    >>> task_bytes, _ = estimate_resources(3, 10_000, 3)
    >>> general_bytes, _ = estimate_resources(3, 10_000, None)  # an n x n matrix
    >>> bool(general_bytes > 1000 * task_bytes)
    True
    """
    d, n = min(d, 10**50), min(n, 10**50)
    K = None if K is None else min(K, 10**50)
    if K is None:
        return 8 * (4 * d * d + 4 * (n + 1) ** 2), (d ** 3 + (n + 1) ** 3) / _FLOPS
    return 8 * (4 * d * d + 8 * n + 4 * (K + 1) ** 2), (d ** 3 + (K + 1) ** 3) / _FLOPS


def _human_bytes(b: int) -> str:
    if b >= 2**80:
        return f"{float(b):.3g} bytes"
    for unit, size in (("TiB", 2**40), ("GiB", 2**30), ("MiB", 2**20)):
        if b >= size:
            return f"{b / size:.3g} {unit}"
    return f"{b} bytes"


def _count(x: int) -> str:
    return str(x) if x < 10**12 else f"about 10^{len(str(min(x, 10**4000))) - 1}"


def _human_seconds(t: float) -> str:
    if t >= 86400 * 365:
        return f"{t / (86400 * 365):.2g} years"
    return f"{t / 3600:.2g} h" if t >= 3600 else (f"{t / 60:.2g} min" if t >= 60 else f"{t:.2g} s")


def _check_size(spec: dict, form: str, where: str, allow_large: bool, on_estimate) -> None:
    """Refuse a model beyond the limits before any array is built (module doc, "Size limits")."""
    d = _shape_of_sigma(spec)
    if form == "n":
        n, K, fields = spec["n"], 1, "'n'"
    elif form == "tasks":
        n, K, fields = sum(spec["sizes"]), len(spec["sizes"]), "'sizes'"
    else:
        r = spec.get("r")
        n, K, fields = (len(r) if isinstance(r, list) else 1), None, "'R'/'r'"
    if d is None:
        return  # malformed sigma: its own validation reports it
    mem, secs = estimate_resources(d, n, K)
    big_d = d ** 3 >= n ** 3 if K is None else d ** 3 + 8 * d * d >= (K + 1) ** 3 + 2 * n
    field_name = "'d'/'sigma'" if big_d else fields
    shape = f"d = {_count(d)}, n = {_count(n)}" + (f", K = {_count(K)}" if K is not None else ", general R")
    over = mem > MAX_MEMORY_BYTES or secs > MAX_SETUP_SECONDS
    if over and not allow_large:
        raise ConfigError(f"{where}: field {field_name}: model too large ({shape}): needs about {_human_bytes(mem)} "
                          f"and {_human_seconds(secs)} to set up, beyond the limits of "
                          f"{_human_bytes(MAX_MEMORY_BYTES)} and {_human_seconds(MAX_SETUP_SECONDS)} "
                          "(--allow-large overrides)")
    if on_estimate is not None and (mem > MAX_MEMORY_BYTES / 10 or secs > MAX_SETUP_SECONDS / 10):
        on_estimate(f"{where}: large model ({shape}): about {_human_bytes(mem)} and {_human_seconds(secs)} "
                    "to set up (a rough estimate)")


def model_from_spec(spec: dict, where: str = "model", *, allow_large: bool = False,
                    on_estimate=None) -> MultitaskModel:
    r"""Build one :class:`MultitaskModel` from a parsed ``[[model]]`` table (see the module docstring).

    The model's size is checked first (module docstring, "Size limits"): beyond the limits
    a :class:`ConfigError` unless ``allow_large``.

    Parameters
    ----------
    spec : dict
        One model table: ``sigma`` (``"identity"`` with ``d``, a diagonal or a matrix),
        ``noise``, and either ``n`` (one task), ``sizes``/``rho``/``r_task`` (tasks) or
        ``R``/``r`` (general correlations); ``name`` is ignored here.
    where : str, optional
        How error messages name the table.
    allow_large : bool, optional
        Accept a model beyond the size limits.
    on_estimate : callable, optional
        ``on_estimate(message)`` hears about a large model before it is built.

    Returns
    -------
    MultitaskModel

    Raises
    ------
    ConfigError
        Naming ``where`` and the field, for a missing or unknown key, a wrong type or an
        invalid model.

    Examples
    --------
    >>> m = model_from_spec({"sigma": "identity", "d": 3, "noise": 0.5, "n": 6})
    >>> m.d, m.n, m.num_tasks
    (3, 6, 1)
    """
    if not isinstance(spec, dict):
        raise ConfigError(f"{where}: expected a table/object of model fields, got {_type_name(spec)}")
    for key in spec:
        if key not in MODEL_KEYS:
            raise ConfigError(f"{where}: unknown field {_show(key)}{_suggest(key, MODEL_KEYS)}; "
                              f"allowed: {', '.join(MODEL_KEYS)}")
    if "sigma" not in spec:
        raise ConfigError(f"{where}: missing required field 'sigma'")
    noise = spec.get("noise", 0.0)
    if not _is_number(noise) or _finite_float(noise) is None or noise < 0:
        raise ConfigError(f"{where}: field 'noise' (the noise variance) must be a finite number >= 0, "
                          f"got {_type_name(noise)} {_show(noise)}")
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
    if form == "n":
        _int_field(spec["n"], where, "n", 1)
    elif form == "tasks":
        sizes = spec["sizes"]
        if not isinstance(sizes, list) or not sizes or not all(
            isinstance(s, int) and not isinstance(s, bool) and s >= 1 for s in sizes
        ):
            raise ConfigError(f"{where}: field 'sizes': expected a non-empty list of integers >= 1, "
                              f"got {_show(sizes)}")
    _check_size(spec, form, where, allow_large, on_estimate)
    sigma = _sigma(spec, where)
    try:
        if form == "n":
            return MultitaskModel.single_task(spec["n"], sigma=sigma, noise=float(noise))
        if form == "tasks":
            sizes = spec["sizes"]
            rho = _numeric(spec["rho"], f"{where}: field 'rho'", 2)
            r_task = _numeric(spec["r_task"], f"{where}: field 'r_task'", 1)
            return MultitaskModel.from_tasks(sizes, rho, r_task, sigma=sigma, noise=float(noise))
        R = _numeric(spec["R"], f"{where}: field 'R'", 2)
        r = _numeric(spec["r"], f"{where}: field 'r'", 1)
        return MultitaskModel(sigma, R, r, noise=float(noise))
    except ConfigError:
        raise
    except (ValueError, TypeError, ArithmeticError) as exc:  # the model's own validation names the argument
        raise ConfigError(f"{where}: {' '.join(str(exc).split())}") from None
    except MemoryError:
        raise ConfigError(f"{where}: out of memory building the model (see the size limits)") from None


def parse_config(data, source: str = "<config>", *, allow_large: bool = False, on_estimate=None) -> Config:
    r"""Validate parsed TOML/JSON ``data`` (a dict) into a :class:`Config`.

    Parameters
    ----------
    data : dict
        The parsed file: optional ``seed`` and ``suite``, and a list ``model`` of model
        tables (see the module docstring and the docs' how-to *config*).
    source : str, optional
        The file's name, used in error messages.
    allow_large : bool, optional
        Accept models beyond the size limits of :func:`model_from_spec`.
    on_estimate : callable, optional
        ``on_estimate(message)`` hears about a large model before it is built.

    Returns
    -------
    Config
        ``models`` (name → :class:`~wpgd_theory.model.MultitaskModel`), ``seed``, ``suite``.

    Raises
    ------
    ConfigError
        (a ``ValueError``) naming the source and the field: an unknown key, a wrong type, an
        invalid model, a duplicate name or a model beyond the size limits.

    Examples
    --------
    >>> cfg = parse_config({"model": [{"name": "mine", "sigma": [2.0, 1.0], "noise": 0.1,
    ...                                "sizes": [3, 2], "rho": [[1.0, 0.3], [0.3, 1.0]], "r_task": [0.5, 0.8]}]})
    >>> list(cfg.models), cfg.models["mine"].n
    (['mine'], 5)
    >>> parse_config({"model": [{"name": "bad", "sigma": [1.0], "noise": -1.0, "n": 2}]})
    Traceback (most recent call last):
        ...
    wpgd_theory.config.ConfigError: ...
    """
    if not isinstance(data, dict):
        raise ConfigError(f"{source}: the top level must be a table/object, got {_type_name(data)}")
    if "model" not in data and "sigma" in data:  # a single model at top level
        spec = {k: v for k, v in data.items() if k not in ("seed", "suite")}
        stem = Path(source).stem
        spec.setdefault("name", stem if _NAME_RE.fullmatch(stem) else "model")
        data = {k: v for k, v in data.items() if k in ("seed", "suite")} | {"model": [spec]}
    for key in data:
        if key not in TOP_KEYS:
            raise ConfigError(f"{source}: unknown top-level key {_show(key)}{_suggest(key, TOP_KEYS)}; "
                              f"allowed: {', '.join(TOP_KEYS)} (models go in [[model]] tables)")
    cfg = Config(source=source)
    if "seed" in data:
        cfg.seed = _int_field(data["seed"], source, "seed", 0, MAX_SEED)
    if "suite" in data:
        suite = data["suite"]
        if not isinstance(suite, str) or suite not in SUITES:
            raise ConfigError(f"{source}: field 'suite': expected one of {', '.join(SUITES)}, got {_show(suite)}")
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
        if not isinstance(name, str) or not _NAME_RE.fullmatch(name):
            raise ConfigError(f"{where}: field 'name': expected a string of 1 to 200 letters, digits, '-', '_' "
                              f"or '.', got {_show(name)}")
        if name in cfg.models:
            raise ConfigError(f"{where}: duplicate model name {name!r}")
        cfg.models[name] = model_from_spec(spec, f"{where} {name!r}", allow_large=allow_large,
                                           on_estimate=on_estimate)
    return cfg


def load_config(path, *, allow_large: bool = False, on_estimate=None) -> Config:
    r"""Read and validate a ``.toml`` or ``.json`` configuration file (see the module docstring).

    Parameters
    ----------
    path : str or path-like
        The file (``.toml`` or ``.json``).
    allow_large : bool, optional
        Accept models beyond the size limits.
    on_estimate : callable, optional
        ``on_estimate(message)`` hears about a large model before it is built.

    Returns
    -------
    Config
        As :func:`parse_config`.

    Raises
    ------
    ConfigError
        If the file cannot be read or parsed, or its content is invalid (the message names
        the file and the field).

    Examples
    --------
    >>> import tempfile, pathlib
    >>> with tempfile.TemporaryDirectory() as d:
    ...     p = pathlib.Path(d) / "m.toml"
    ...     _ = p.write_text('[[model]]\nname = "one"\nsigma = "identity"\nd = 2\nnoise = 0.2\nn = 4\n')
    ...     cfg = load_config(p)
    >>> cfg.models["one"].d, cfg.models["one"].n
    (2, 4)
    """
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
    duplicates: list = []
    try:
        if toml is not None:
            data = toml.loads(text)
        else:
            data = json.loads(text, parse_constant=lambda c: float(c), object_pairs_hook=_pairs_hook(duplicates))
    except json.JSONDecodeError as exc:
        raise ConfigError(f"{src}: invalid JSON: {exc.msg} (line {exc.lineno}, column {exc.colno})") from None
    except RecursionError:
        raise ConfigError(f"{src}: invalid {suffix[1:].upper()}: nested too deeply") from None
    except MemoryError:
        raise ConfigError(f"{src}: too large to parse in memory") from None
    except ValueError as exc:  # TOMLDecodeError, or an integer over the 4300-digit conversion limit
        kind = "TOML" if toml is not None else "JSON"
        message = " ".join(str(exc).split())
        if "integer string conversion" in message or "digits" in message:
            message = "an integer has too many digits (more than 4300)"
        elif toml is not None:
            message += _toml_duplicate(message, text)
        raise ConfigError(f"{src}: invalid {kind}: {message[:300]}") from None
    if duplicates:
        obj, key = duplicates[0]
        where = _path_of(data, obj)
        where = "at the top level" if where == "" else f"in {where}" if where else "in an object"
        raise ConfigError(f"{src}: invalid JSON: duplicate key {_show(key)} {where} (an object may give each key "
                          "once; JSON readers would silently keep the last)")
    try:
        return parse_config(data, src, allow_large=allow_large, on_estimate=on_estimate)
    except RecursionError:
        raise ConfigError(f"{src}: a value is nested too deeply") from None


def _pairs_hook(duplicates: list):
    """``object_pairs_hook`` for :func:`json.loads` that records ``(object, key)`` for the
    first key given twice in each object (the plain reader silently keeps the last)."""

    def hook(pairs):
        obj: dict = {}
        for key, value in pairs:
            if key in obj and not any(o is obj for o, _ in duplicates):
                duplicates.append((obj, key))
            obj[key] = value
        return obj

    return hook


def _path_of(root, target, path: str = "") -> str | None:
    """Where ``target`` (an object of the parsed document) is: ``""`` (the top level),
    ``model[0]``, ...; ``None`` if it is not in ``root``."""
    if root is target:
        return path
    items = root.items() if isinstance(root, dict) else enumerate(root) if isinstance(root, list) else ()
    for key, value in items:
        if isinstance(value, (dict, list)):
            step = f"[{key}]" if isinstance(root, list) else (f".{key}" if path else str(key))
            found = _path_of(value, target, path + step)
            if found is not None:
                return found
    return None


def _toml_duplicate(message: str, text: str) -> str:
    """For TOML's "Cannot overwrite a value (at line N, ...)": the key of that line."""
    if not message.startswith(("Cannot overwrite", "Cannot declare")):
        return ""
    m = re.search(r"at line (\d+)", message)
    lines = text.splitlines()
    if m is None or not 1 <= int(m.group(1)) <= len(lines):
        return ""
    line = lines[int(m.group(1)) - 1].strip()
    key = line.split("=", 1)[0].strip() if "=" in line else line
    return f"; a key or table given twice: {_show(key[:60])}"


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


def schema_path() -> Path:
    """Location of the JSON Schema of the configuration format (shipped with the package,
    beside this module; the report's schema is ``report/report.schema.json``).

    Returns
    -------
    pathlib.Path
        The path of ``config.schema.json``.

    Examples
    --------
    >>> schema_path().name, schema_path().is_file()
    ('config.schema.json', True)
    """
    return Path(__file__).with_name("config.schema.json")


def config_schema() -> dict:
    """The JSON Schema (draft 2020-12) of a configuration file, parsed.

    Returns
    -------
    dict
        The schema, as read from :func:`schema_path`.

    Examples
    --------
    >>> config_schema()["$schema"]
    'https://json-schema.org/draft/2020-12/schema'
    """
    return json.loads(schema_path().read_text(encoding="utf-8"))
