r"""The architecture table: architecture → implements WPGD → weight class → best risk → discrepancy.

:func:`architecture_table` returns a JSON-serialisable dict (the output of
``wpgd-verify architectures --json``); :func:`risk_vs_n` and :func:`figure_risk_vs_n` give
the data and a matplotlib figure of the best risk of every architecture's class against
the number of examples ``n`` (for the report).

Verdicts are *measured*: an architecture implements WPGD when every construction run
through fla matches ``wpgd_predict`` within the float32 tolerance; a control does not when
the exact statement of what it computes matches fla and the best one-step WPGD fit leaves a
discrepancy above the tolerance.  ``as_stated`` says whether the measured verdict is the
registry's stated one.
"""

from __future__ import annotations

import numpy as np

from ..model import MultitaskModel
from . import registry
from .cones import best_risk
from .delta import distance_curve
from .fla_ops import fla_version
from .layers import LAYER_COMPONENTS, layer_conformance, layers_available
from .registry import run_conformance

__all__ = ["architecture_table", "class_risks", "verdict", "risk_vs_n", "figure_risk_vs_n", "TABLE_SCHEMA",
           "TABLE_PROMPTS", "MAX_N_BEST_RISK"]

TABLE_SCHEMA = "wpgd-theory-architectures"

#: prompts per architecture: the same in ``wpgd-verify architectures`` and in the G1 check of
#: every suite, so the report's table and the command's are one computation for one seed
TABLE_PROMPTS = 32

#: largest ``n`` for which the best risk of a weight class is computed per model
MAX_N_BEST_RISK = 200


def _num(x):
    return None if x is None or not np.isfinite(x) else float(x)


def class_risks(models: dict, weight_class: str, *, cache: dict | None = None, max_n: int | None = None) -> dict:
    r"""Return ``{model name: best risk of weight_class}`` on each of ``models`` (claim G1's table).

    The best risk ``min_{ω ∈ class, P} L(ω, P)`` is :func:`~.cones.best_risk`; it is ``None``
    for class ``"none"``, a failed solve, or a model of more than ``max_n`` examples.

    Parameters
    ----------
    models : dict
        ``{name: MultitaskModel}``, possibly empty.
    weight_class : str
        One of :data:`~.cones.WEIGHT_CLASSES` (e.g. ``"uniform"``, ``"nonnegative"``, ``"none"``).
    cache : dict or None, optional
        ``{(model name, class): risk}``, shared across calls and filled in place (default: a new one).
    max_n : int or None, optional
        Models with more than ``max_n`` examples get ``None`` (default ``None``: no limit).

    Returns
    -------
    dict
        ``{model name: float or None}``.

    Raises
    ------
    ValueError
        If ``weight_class`` is unknown.
    TypeError
        If a value of ``models`` is not a MultitaskModel.

    Examples
    --------
    >>> import numpy as np
    >>> from wpgd_theory.model import MultitaskModel
    >>> model = MultitaskModel(np.eye(2), R=[[1.0, 0.5], [0.5, 1.0]], r=[0.5, 0.9], noise=0.1)
    >>> {k: round(v, 4) for k, v in class_risks({"toy": model}, "uniform").items()}
    {'toy': 1.6739}
    >>> class_risks({"toy": model}, "none"), class_risks({"toy": model}, "uniform", max_n=1)
    ({'toy': None}, {'toy': None})
    """
    cache = {} if cache is None else cache
    out = {}
    for mname, m in models.items():
        if max_n is not None and m.n > max_n:
            out[mname] = None
            continue
        if (mname, weight_class) not in cache:
            cache[mname, weight_class] = _num(best_risk(m, weight_class).risk)
        out[mname] = cache[mname, weight_class]
    return out


def verdict(results) -> dict:
    r"""Return the measured verdict (claim G1) from a list of :class:`~.registry.Conformance` results.

    With constructions (``role == "construction"``): the architecture implements WPGD iff every
    one passes (``discrepancy ≤ tolerance``).  Without (a control): ``implements_wpgd`` is
    whether every best-WPGD fit (``"wpgd_fit"``) passes, and the exact statements
    (``"alternative"``, ``"limit"``) must all hold.  ``max_discrepancy`` and ``tolerance`` are
    the maxima over the constructions, else over the fits.

    Parameters
    ----------
    results : list of Conformance
        One architecture's results (:func:`~.registry.run_conformance`).

    Returns
    -------
    dict
        ``{"implements_wpgd": bool, "max_discrepancy": float, "tolerance": float,
        "exact_statements_hold": bool}``.

    Raises
    ------
    ValueError
        If ``results`` holds neither a construction nor a WPGD fit (nothing to measure).

    Examples
    --------
    >>> import numpy as np
    >>> from wpgd_theory.architectures import Conformance
    >>> c = Conformance("toy", "subject", "reference", np.array([1.0]), np.array([1.0 + 1e-8]),
    ...                 magnitude=np.array([1.0]), tolerance=1e-6)
    >>> v = verdict([c])
    >>> v["implements_wpgd"], v["exact_statements_hold"], v["max_discrepancy"] < v["tolerance"]
    (True, True, True)
    """
    cons = [r for r in results if r.role == "construction"]
    alts = [r for r in results if r.role == "alternative"]
    fits = [r for r in results if r.role == "wpgd_fit"]
    limits = [r for r in results if r.role == "limit"]  # a proved limit statement (its rate) must hold too
    if not cons and not fits:
        raise ValueError("results: no construction and no WPGD fit among them (nothing to measure)")
    if cons:
        implements = all(r.passed for r in cons)
        disc = max(r.discrepancy for r in cons)
        tol = max(r.tolerance for r in cons)
        ok = implements
    else:
        implements = all(r.passed for r in fits)
        disc = max(r.discrepancy for r in fits)
        tol = max(r.tolerance for r in fits)
        ok = all(r.passed for r in alts + limits)  # the alternative statements must hold exactly
    return {"implements_wpgd": bool(implements), "max_discrepancy": float(disc), "tolerance": float(tol),
            "exact_statements_hold": bool(ok)}


def architecture_table(models: dict, *, n: int = 8, d: int = 4, num_prompts: int = TABLE_PROMPTS, seed: int = 0,
                       names=None, max_n: int | None = MAX_N_BEST_RISK, delta_curve: bool = True) -> dict:
    r"""Build the architecture table for ``models``, JSON-serialisable.

    Per architecture: implements WPGD (measured through fla, claim G1) → weight class →
    best risk on each model (:func:`best_risk`) → discrepancy.  The result is
    ``{"schema", "fla_version", "n", "d", "num_prompts", "seed", "models": {name: {...}},
    "architectures": [{"name", "title", "fla_op", "implements_wpgd", "as_stated",
    "weight_class", "max_discrepancy", "tolerance", "best_risk": {model: value}, "realises",
    "restriction", "checks": [...], "layer": {...}}]}``.  ``layer`` (gla, mamba2, when
    flash-linear-attention is installed): the construction on fla's layer module, which
    components must be the identity and what each does when switched back.  This one
    function makes both ``wpgd-verify architectures --seed N`` and the report's table (claim
    G1's check with run seed ``N``): they agree for the same seed.

    Parameters
    ----------
    models : dict
        ``{name: MultitaskModel}``, possibly empty.
    n : int, optional
        Number of in-context examples of the conformance prompts (default 8).
    d : int, optional
        Feature dimension of the conformance prompts (default 4).
    num_prompts : int, optional
        Prompts per architecture (default :data:`TABLE_PROMPTS`).
    seed : int, optional
        Seed of the prompts (default 0).
    names : iterable of str or None, optional
        Architectures to include (default all of :data:`ARCHITECTURES`).
    max_n : int or None, optional
        ``best_risk`` is ``None`` for a model of more than ``max_n`` examples (default
        :data:`MAX_N_BEST_RISK`; ``None`` for no limit).  It is also ``None`` for class
        ``"none"`` and where the solve failed.
    delta_curve : bool, optional
        Add to the DeltaNet row ``distance_curve`` (:func:`~.delta.distance_curve`: its
        distance to the best one-step WPGD as a function of the step ``β``), default True.

    Returns
    -------
    dict
        The table (schema ``"wpgd-theory-architectures"``).

    Raises
    ------
    TypeError
        If ``models`` is not a dict of MultitaskModel.
    ValueError
        If a name is unknown or a size is out of range.

    Examples
    --------
    >>> import numpy as np
    >>> from wpgd_theory.model import MultitaskModel
    >>> from wpgd_theory.architectures import architecture_table
    >>> model = MultitaskModel(np.eye(2), R=[[1.0, 0.5], [0.5, 1.0]], r=[0.5, 0.9], noise=0.1)
    >>> table = architecture_table({"toy": model}, n=3, d=2, num_prompts=8,
    ...                            names=["linear_attention", "deltanet"], delta_curve=False)
    >>> [(row["name"], row["implements_wpgd"], row["as_stated"]) for row in table["architectures"]]
    [('linear_attention', True, True), ('deltanet', False, True)]
    >>> round(table["architectures"][0]["best_risk"]["toy"], 4)
    1.6739
    """
    if not isinstance(models, dict):
        raise TypeError(f"models must be a dict {{name: MultitaskModel}}, got {type(models).__name__}")
    for name, m in models.items():
        if not isinstance(m, MultitaskModel):
            raise TypeError(f"models[{name!r}] must be a MultitaskModel, got {type(m).__name__}")
    names = list(registry.ARCHITECTURES) if names is None else list(names)
    cache = {}
    rows = []
    for name in names:
        arch = registry.architecture(name)
        results = run_conformance(name, n=n, d=d, num_prompts=num_prompts, seed=seed)
        v = verdict(results)
        risks = class_risks(models, arch.weight_class, cache=cache, max_n=max_n)
        rows.append({
            "name": arch.name,
            "title": arch.title,
            "fla_op": arch.fla_op,
            "implements_wpgd": v["implements_wpgd"],
            "stated_implements_wpgd": arch.implements_wpgd,
            "as_stated": v["implements_wpgd"] == arch.implements_wpgd and v["exact_statements_hold"],
            "weight_class": arch.weight_class,
            "max_discrepancy": v["max_discrepancy"],
            "tolerance": v["tolerance"],
            "best_risk": risks,
            "realises": arch.realises,
            "restriction": arch.restriction,
            "proof": arch.proof,
            "reason": arch.reason,
            "checks": [{"what": r.what, "role": r.role, "subject": r.subject_name, "reference": r.reference_name,
                        "discrepancy": float(r.discrepancy), "tolerance": float(r.tolerance),
                        "passed": bool(r.passed)} for r in results],
        })
        if name == "deltanet" and delta_curve:
            rows[-1]["distance_curve"] = distance_curve(n=n, d=d)
        if name in LAYER_COMPONENTS and layers_available():
            rows[-1]["layer"] = _layer_row(name, seed)
            rows[-1]["as_stated"] = rows[-1]["as_stated"] and rows[-1]["layer"]["holds"]
    unavailable = []
    if layers_available():
        from .selective_scan import mamba3_unavailable

        why = mamba3_unavailable()
        if why is not None:
            unavailable.append({"name": "mamba3", "reason": why})
    return {
        "schema": TABLE_SCHEMA,
        "schema_version": "1.0",
        "fla_version": fla_version(),
        "n": n, "d": d, "num_prompts": num_prompts, "seed": seed,
        "models": {k: {"n": m.n, "d": m.d, "tau": m.tau} for k, m in models.items()},
        "architectures": rows,
        "unavailable": unavailable,  # layers of the family that cannot run here, with fla's own reason
    }


def _layer_row(name, seed):
    res = layer_conformance(name, seed=seed)
    ident = res.pop("identity")
    comps = {k: (r if isinstance(r, str) else {"discrepancy": float(r.discrepancy), "breaks_construction":
                                                 bool(not r.passed)}) for k, r in res.items()}
    return {"module": ident.subject_name, "must_be_identity": list(LAYER_COMPONENTS[name]),
            "identity_discrepancy": float(ident.discrepancy), "tolerance": float(ident.tolerance),
            "holds": bool(ident.passed), "components": comps}


def _family(n: int) -> MultitaskModel:
    """Three tasks of ``n/3`` examples, the middle one the query's (the non-monotone default family)."""
    k = n // 3
    return MultitaskModel.from_tasks([k, k, k], np.eye(3), np.array([0.2, 0.9, 0.1]), sigma=np.eye(3), noise=0.5)


def risk_vs_n(ns=(3, 6, 9, 12, 18, 24), model_factory=None) -> dict:
    r"""Compute the best risk of every architecture's weight class for models of growing ``n``.

    Each value is :func:`best_risk` of the architecture's class (W1, W3) on
    ``model_factory(n)``.

    Parameters
    ----------
    ns : sequence of int, optional
        The numbers of examples (default ``(3, 6, 9, 12, 18, 24)``).
    model_factory : callable or None, optional
        ``model_factory(n)`` returns a MultitaskModel; ``None`` (default) for three equal
        tasks of ``n // 3`` examples, the query's task in the middle,
        ``r_task = (0.2, 0.9, 0.1)``.

    Returns
    -------
    dict
        ``{"n": [...], "risk": {arch: [...]}, "weight_class": {arch: cls}}``, one risk per
        ``n`` (``None`` where the class is ``"none"``).

    Examples
    --------
    >>> import numpy as np
    >>> from wpgd_theory.model import MultitaskModel
    >>> from wpgd_theory.architectures import risk_vs_n
    >>> def factory(n):
    ...     return MultitaskModel.from_tasks([n], np.eye(1), [0.9], sigma=np.eye(2), noise=0.5)
    >>> data = risk_vs_n(ns=(2,), model_factory=factory)
    >>> data["n"], data["weight_class"]["deltanet"], data["risk"]["deltanet"]
    ([2], 'none', [None])
    >>> data["risk"]["gla"][0] <= data["risk"]["linear_attention"][0] + 1e-9
    True
    """
    factory = _family if model_factory is None else model_factory
    ns = [int(v) for v in ns]
    models = [factory(v) for v in ns]
    classes = sorted({a.weight_class for a in registry.ARCHITECTURES.values()})
    by_class = {c: [_num(best_risk(m, c).risk) for m in models] for c in classes}
    return {"n": [m.n for m in models],
            "risk": {a.name: by_class[a.weight_class] for a in registry.ARCHITECTURES.values()},
            "weight_class": {a.name: a.weight_class for a in registry.ARCHITECTURES.values()}}


def figure_risk_vs_n(data=None):
    r"""Draw :func:`risk_vs_n` as a matplotlib figure (one line per weight class, labelled with its architectures).

    Parameters
    ----------
    data : dict or None, optional
        The output of :func:`risk_vs_n`; ``None`` (default) to compute it with its defaults.

    Returns
    -------
    matplotlib.figure.Figure
        One axes: best risk against ``n``; classes whose risks are all ``None`` are left out.

    Examples
    --------
    >>> from wpgd_theory.architectures import figure_risk_vs_n
    >>> data = {"n": [3, 6], "risk": {"linear_attention": [1.2, 1.1], "deltanet": [None, None]},
    ...         "weight_class": {"linear_attention": "uniform", "deltanet": "none"}}
    >>> fig = figure_risk_vs_n(data)
    >>> len(fig.axes[0].lines)
    1
    """
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    data = risk_vs_n() if data is None else data
    fig, ax = plt.subplots(figsize=(6.4, 4.0))
    classes = {}
    for arch, cls in data["weight_class"].items():
        classes.setdefault(cls, []).append(arch)
    for cls, archs in classes.items():
        vals = data["risk"][archs[0]]
        if all(v is None for v in vals):
            continue
        ax.plot(data["n"], [np.nan if v is None else v for v in vals], marker="o",
                label=f"{cls}: {', '.join(archs)}")
    ax.set_xlabel("number of in-context examples n")
    ax.set_ylabel("best in-context risk of the class")
    ax.set_title("Best risk per architecture (one layer)")
    ax.legend(fontsize=7)
    fig.tight_layout()
    return fig
