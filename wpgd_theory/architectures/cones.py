r"""The best in-context risk of each architecture's weight class (issue 13, item 2c).

``best_risk(model, weight_class)`` minimises the WPGD risk ``L(P, ω)`` over all ``P`` and
``ω`` in the class, so architectures are compared on the same :class:`MultitaskModel`:

* ``"uniform"``, ``"monotone"``, ``"free"`` — :func:`~wpgd_theory.convex.solve_constrained`
  (linear attention; scalar-gated GLA; key-dimension GLA / RWKV-6 with enough key blocks);
* ``"geometric"`` — ``ω_i = γ^{n+1−i}``, ``γ ∈ (0, 1]`` (RetNet, one head): a
  one-dimensional search of the profile risk (W3) over ``γ`` (grid, then bounded Brent);
* ``"nonnegative"`` — ``ω ≥ 0`` (Mamba-2): for fixed ``P_t = (Σ + tI)⁻¹`` the risk is a
  convex quadratic in ``ω`` (W1), minimised *exactly* over ``ω ≥ 0`` and ``ω ≤ 0`` by NNLS;
  ``P*(ω) ∝ (Σ + tI)⁻¹`` (W3) so the optimum is ``min_t`` of that value, searched on a
  logarithmic grid of ``t ∈ [τ/(ν_max+1), τ]`` refined by bounded Brent (not certified).

The classes are nested, ``geometric ⊂ monotone ⊂ nonnegative ⊂ free`` and
``uniform ⊂ geometric`` (``γ = 1``), so the best risks are ordered the other way; the tests
check the ordering and check the two new searches against independent optimisers.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
from scipy.optimize import minimize_scalar, nnls

from ..convex import solve_constrained
from ..landscape import _check_model, population_risk, profile_risk

__all__ = ["WEIGHT_CLASSES", "ClassOptimum", "best_risk", "geometric_weights", "geometric_risk"]

#: weight classes realised by the architectures, and ``"none"`` (not one-step WPGD)
WEIGHT_CLASSES = ("uniform", "geometric", "monotone", "nonnegative", "free", "none")


@dataclass(frozen=True)
class ClassOptimum:
    """Best WPGD over a weight class: ``risk`` (``None`` for ``"none"`` or a failed solve), ``omega``,
    ``method``, ``details`` (e.g. ``gamma`` for the geometric class)."""

    weight_class: str
    risk: float | None
    omega: np.ndarray | None
    method: str
    details: dict = field(default_factory=dict)


def geometric_weights(n: int, gamma: float) -> np.ndarray:
    r"""``ω_i = γ^{n+1−i}``, ``i = 1..n`` (RetNet's retention read at the query ``n+1``)."""
    return float(gamma) ** (n - np.arange(n, dtype=float))


def geometric_risk(model, gamma) -> float:
    """Profile risk (W3) of the geometric weights with ratio ``gamma``."""
    model = _check_model(model)
    return float(profile_risk(model, geometric_weights(model.n, gamma)))


def _best_geometric(model) -> ClassOptimum:
    lo = 1e-3
    grid = np.concatenate([np.linspace(lo, 1.0, 400), 1.0 - np.logspace(-6, -2, 40)])
    W = np.power.outer(grid, model.n - np.arange(model.n, dtype=float))
    vals = profile_risk(model, W / np.linalg.norm(W, axis=1, keepdims=True))
    i = int(np.argmin(vals))
    a, b = grid[max(i - 1, 0)], grid[min(i + 1, grid.size - 1)]
    best_g, best_v = float(grid[i]), float(vals[i])
    if b > a:
        res = minimize_scalar(lambda g: geometric_risk(model, g), bounds=(a, b), method="bounded",
                              options={"xatol": 1e-12})
        if res.fun < best_v:
            best_g, best_v = float(res.x), float(res.fun)
    w = geometric_weights(model.n, best_g)
    return ClassOptimum("geometric", best_v, w / np.linalg.norm(w), "grid over gamma in [1e-3, 1] + bounded Brent",
                        {"gamma": best_g})


def _quadratic(model, P):
    r"""``L(P, ω) = τ − 2 gᵀω + ωᵀHω`` recovered from :func:`population_risk` by polarisation."""
    n = model.n
    eye = np.eye(n)
    lp = population_risk(model, P, eye)
    lm = population_risk(model, P, -eye)
    g = (lm - lp) / 4.0
    diag = (lp + lm) / 2.0 - model.tau
    iu, ju = np.triu_indices(n, 1)
    H = np.diag(diag)
    if iu.size:
        pair = population_risk(model, P, eye[iu] + eye[ju]) - model.tau + 2.0 * (g[iu] + g[ju])
        off = (pair - diag[iu] - diag[ju]) / 2.0
        H[iu, ju] = off
        H[ju, iu] = off
    return g, (H + H.T) / 2.0


def _orthant_min(model, t):
    """``min_{ω ≥ 0 or ω ≤ 0} L(P_t, ω)`` exactly (NNLS), ``P_t = (Σ + tI)⁻¹``."""
    P = np.linalg.inv(model.sigma + t * np.eye(model.d))
    g, H = _quadratic(model, P)
    C = np.linalg.cholesky(H)  # H = C Cᵀ; ωᵀHω − 2gᵀω = ‖Cᵀω − C⁻¹g‖² − gᵀH⁻¹g
    z = np.linalg.solve(C, g)
    best = (model.tau, np.zeros(model.n))
    for sign in (1.0, -1.0):
        w, _ = nnls(C.T, sign * z, maxiter=50 * model.n + 100)
        w = sign * w
        val = float(population_risk(model, P, w))
        if val < best[0]:
            best = (val, w)
    return best


def _best_nonnegative(model) -> ClassOptimum:
    R = model.R
    nu_max = max(float(np.linalg.eigvalsh(R)[-1]), 0.0)
    t_lo, t_hi = model.tau / (nu_max + 1.0), model.tau
    ts = np.geomspace(t_lo, t_hi, 48)
    vals = [_orthant_min(model, t)[0] for t in ts]
    i = int(np.argmin(vals))
    best_t, best_v = float(ts[i]), float(vals[i])
    a, b = ts[max(i - 1, 0)], ts[min(i + 1, ts.size - 1)]
    if b > a:
        res = minimize_scalar(lambda lt: _orthant_min(model, np.exp(lt))[0], bounds=(np.log(a), np.log(b)),
                              method="bounded", options={"xatol": 1e-10})
        if res.fun < best_v:
            best_t, best_v = float(np.exp(res.x)), float(res.fun)
    w = _orthant_min(model, best_t)[1]
    nw = np.linalg.norm(w)
    return ClassOptimum("nonnegative", best_v, np.abs(w) / nw if nw > 0 else None,
                        "exact NNLS per ridge t, grid + bounded Brent over t", {"t": best_t})


def best_risk(model, weight_class: str) -> ClassOptimum:
    """Best risk of the weight class on ``model`` (see the module docstring)."""
    model = _check_model(model)
    if not isinstance(weight_class, str):
        raise TypeError(f"weight_class must be a string, one of {WEIGHT_CLASSES}, got {type(weight_class).__name__}")
    if weight_class not in WEIGHT_CLASSES:
        raise ValueError(f"weight_class must be one of {WEIGHT_CLASSES}, got {weight_class!r}")
    if weight_class == "none":
        return ClassOptimum("none", None, None, "not one-step WPGD")
    if weight_class in ("geometric", "nonnegative"):
        # grids, polarisation and NNLS with absolute tolerances: computed in natural units, the
        # risk (and the ridge t) returned in the user's (scale covariance, W1)
        nat, unit = model.in_natural_units()
        opt = _best_geometric(nat) if weight_class == "geometric" else _best_nonnegative(nat)
        if unit == 1.0:
            return opt
        details = dict(opt.details, natural_unit=unit, **({"t": opt.details["t"] * unit} if "t" in opt.details else {}))
        return ClassOptimum(opt.weight_class, opt.risk * unit, opt.omega, opt.method, details)
    sol = solve_constrained(model, weight_class)
    return ClassOptimum(weight_class, sol.risk if sol.status in ("optimal", "degenerate") else None, sol.omega,
                        f"convex.solve_constrained ({sol.method})", {"status": sol.status})
