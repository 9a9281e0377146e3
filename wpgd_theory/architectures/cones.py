r"""The best in-context risk of each architecture's weight class (issue 13, item 2c).

``best_risk(model, weight_class)`` minimises the WPGD risk ``L(P, ω)`` over all ``P`` and
``ω`` in the class, so architectures are compared on the same :class:`MultitaskModel`:

* ``"uniform"``, ``"monotone"``, ``"free"`` — :func:`~wpgd_theory.convex.solve_constrained`
  (linear attention; scalar-gated GLA; key-dimension GLA / RWKV-6 with enough key blocks);
* ``"geometric"`` — ``ω_i = γ^{n+1−i}``, ``γ ∈ (0, 1]`` (a retention with a *learned* ratio,
  one head): a one-dimensional search of the profile risk (W3) over ``γ`` (grid, then
  bounded Brent);
* ``"retnet"`` — RetNet as fla fixes it: the signed combinations ``Σ_h c_h γ_h^{n+1−i}`` of
  the :data:`RETNET_HEADS` profiles with fla's ratios ``γ_h = 1 − 2^{−5−h}`` (heads sharing
  ``P``, combined by the output projection; the span's directions with singular value below
  :data:`RETNET_CUTOFF` times the largest are not realisable in float32 and left out): for
  ``P_t = (Σ + tI)⁻¹`` the risk is a convex
  quadratic in ``c`` (W1), minimised exactly by least squares; then ``min_t`` as for the
  nonnegative class (not certified);
* ``"nonnegative"`` — ``ω ≥ 0`` (Mamba-2): for fixed ``P_t = (Σ + tI)⁻¹`` the risk is a
  convex quadratic in ``ω`` (W1), minimised *exactly* over ``ω ≥ 0`` and ``ω ≤ 0`` by NNLS;
  ``P*(ω) ∝ (Σ + tI)⁻¹`` (W3) so the optimum is ``min_t`` of that value, searched on a
  logarithmic grid of ``t ∈ [τ/(ν_max+1), τ]`` refined by bounded Brent (not certified);
* ``"lightning"`` — lightning attention: signed sums of its :data:`LIGHTNING_HEADS` fixed profiles
  ``e^{g_h (n+1−i)}``, ``g_h = −h`` (fla's slopes, layer 0), as for ``"retnet"``;
* ``"fenwick"`` — log-linear attention: gate products times a signed constant per Fenwick level
  (:mod:`.fenwick`), exact per ridge ``t`` by NNLS for each sign pattern of the buckets.

The classes are nested, ``geometric ⊂ monotone ⊂ nonnegative ⊂ free``,
``uniform ⊂ geometric`` (``γ = 1``) and ``retnet ⊂ free`` (``retnet`` and ``geometric`` are not
nested: fla's ratios are fixed, but signed sums of several are allowed), so the best risks
are ordered the other way; the tests check the ordering and check the two new searches against independent optimisers.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
from scipy.optimize import minimize_scalar, nnls

from ..convex import solve_constrained
from ..landscape import _check_model, population_risk, profile_risk

__all__ = ["WEIGHT_CLASSES", "ClassOptimum", "best_risk", "geometric_weights", "geometric_risk", "RETNET_HEADS",
           "RETNET_CUTOFF", "retnet_profiles", "retnet_basis", "LIGHTNING_HEADS", "lightning_profiles"]

#: weight classes realised by the architectures, and ``"none"`` (not one-step WPGD)
WEIGHT_CLASSES = ("uniform", "geometric", "retnet", "lightning", "monotone", "fenwick", "nonnegative", "free", "none")

#: heads of fla's ``MultiScaleRetention`` by default (``num_heads=8``)
RETNET_HEADS = 8


@dataclass(frozen=True)
class ClassOptimum:
    r"""Best WPGD over a weight class, as returned by :func:`best_risk`.

    Parameters
    ----------
    weight_class : str
        One of :data:`WEIGHT_CLASSES`.
    risk : float or None
        The best population risk ``min L(P, ω)`` over the class (W1, W3); ``None`` for
        ``"none"`` or a failed solve.
    omega : numpy.ndarray of shape (n,) or None
        A minimising weight vector (any positive scale; ``None`` with ``risk``).
    method : str
        How it was found (solver, search).
    details : dict, optional
        Extra data of the search, e.g. ``gamma`` for the geometric class or the ridge ``t``.

    Examples
    --------
    >>> import numpy as np
    >>> from wpgd_theory.model import MultitaskModel
    >>> from wpgd_theory.architectures import best_risk
    >>> model = MultitaskModel(np.eye(2), R=[[1.0, 0.5], [0.5, 1.0]], r=[0.5, 0.9], noise=0.1)
    >>> opt = best_risk(model, "geometric")
    >>> opt.weight_class, opt.omega.shape, 0 < opt.details["gamma"] <= 1
    ('geometric', (2,), True)
    """

    weight_class: str
    risk: float | None
    omega: np.ndarray | None
    method: str
    details: dict = field(default_factory=dict)


def geometric_weights(n: int, gamma: float) -> np.ndarray:
    r"""Return the geometric weights ``ω_i = γ^{n+1−i}``, ``i = 1..n`` (RetNet's retention read at the query ``n+1``).

    Parameters
    ----------
    n : int
        Number of examples.
    gamma : float
        The ratio ``γ``.

    Returns
    -------
    numpy.ndarray of shape (n,)
        The weights, increasing towards the query for ``γ < 1``.

    Examples
    --------
    >>> from wpgd_theory.architectures.cones import geometric_weights
    >>> geometric_weights(3, 0.5)
    array([0.125, 0.25 , 0.5  ])
    """
    return float(gamma) ** (n - np.arange(n, dtype=float))


def geometric_risk(model, gamma) -> float:
    r"""Return the profile risk (W3) ``min_P L(P, ω)`` of the geometric weights with ratio ``gamma``.

    Parameters
    ----------
    model : MultitaskModel
        The data model.
    gamma : float
        The ratio ``γ``.

    Returns
    -------
    float
        The risk.

    Raises
    ------
    TypeError
        If ``model`` is not a MultitaskModel.

    Examples
    --------
    >>> import numpy as np
    >>> from wpgd_theory.model import MultitaskModel
    >>> model = MultitaskModel(np.eye(2), R=[[1.0, 0.5], [0.5, 1.0]], r=[0.5, 0.9], noise=0.1)
    >>> from wpgd_theory.architectures.cones import geometric_risk
    >>> round(geometric_risk(model, 1.0), 4)  # γ = 1: linear attention's uniform weights
    1.6739
    >>> geometric_risk(model, 0.5) < geometric_risk(model, 1.0)
    True
    """
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


def retnet_profiles(n: int, num_heads: int = RETNET_HEADS) -> np.ndarray:
    r"""Return fla's fixed RetNet profiles: column ``h`` is ``γ_h^{n+1−i}`` with ``γ_h = 1 − 2^{−5−h}``.

    Parameters
    ----------
    n : int
        Number of examples.
    num_heads : int, optional
        Number of heads ``H`` (default :data:`RETNET_HEADS`, fla's default 8).

    Returns
    -------
    numpy.ndarray of shape (n, H)
        One geometric profile per head.

    Examples
    --------
    >>> from wpgd_theory.architectures.cones import retnet_profiles
    >>> retnet_profiles(3, num_heads=2).round(4)
    array([[0.9091, 0.9539],
           [0.9385, 0.969 ],
           [0.9688, 0.9844]])
    """
    gam = 1.0 - 2.0 ** (-5.0 - np.arange(num_heads))
    return np.stack([geometric_weights(n, g) for g in gam], axis=1)


#: directions of the span of fla's profiles kept: singular values ``σ ≥ RETNET_CUTOFF σ₁``.  The
#: profiles are nearly collinear (``γ_h`` all within ``2^{−5}`` of 1): a mix along a direction
#: with ``σ/σ₁ < 10⁻⁶`` needs head coefficients ``≳ 10⁶`` times the output, whose float32
#: rounding (``u ≈ 6·10⁻⁸`` per head) then exceeds the signal — not realisable.
RETNET_CUTOFF = 1e-6


def retnet_basis(n: int, num_heads: int = RETNET_HEADS) -> np.ndarray:
    r"""Return an orthonormal basis of the realisable span of :func:`retnet_profiles`.

    Directions whose singular value is below :data:`RETNET_CUTOFF` times the largest are left
    out (not realisable in float32).

    Parameters
    ----------
    n : int
        Number of examples.
    num_heads : int, optional
        Number of heads (default :data:`RETNET_HEADS`).

    Returns
    -------
    numpy.ndarray of shape (n, r)
        Orthonormal columns, ``r ≤ min(n, H)``.

    Examples
    --------
    >>> import numpy as np
    >>> from wpgd_theory.architectures.cones import retnet_basis
    >>> G = retnet_basis(12)
    >>> G.shape, bool(np.allclose(G.T @ G, np.eye(G.shape[1])))
    ((12, 4), True)
    """
    U, sv, _ = np.linalg.svd(retnet_profiles(n, num_heads), full_matrices=False)
    return U[:, sv >= RETNET_CUTOFF * sv[0]]


def _span_min(model, t, G):
    """``min_c L(P_t, G c)`` exactly (least squares in the Cholesky factor of the quadratic)."""
    P = np.linalg.inv(model.sigma + t * np.eye(model.d))
    g, H = _quadratic(model, P)
    C = np.linalg.cholesky(H)  # ωᵀHω − 2gᵀω = ‖Cᵀω − C⁻¹g‖² − gᵀH⁻¹g
    c, *_ = np.linalg.lstsq(C.T @ G, np.linalg.solve(C, g), rcond=None)
    w = G @ c
    return float(population_risk(model, P, w)), w


def _ridge_search(model, inner):
    """``(t*, min_t inner(t)[0])`` over the ridge ``t`` of ``P_t = (Σ + tI)⁻¹``: a logarithmic grid of
    48 ``t ∈ [τ/(ν_max+1), τ]``, refined by bounded Brent (in ``log t``) between the grid neighbours
    of the best grid point (not certified).  ``inner(t)`` returns ``(risk, ω)``, the class's exact
    minimum at that ``t``; the one search of the span, orthant and Fenwick classes."""
    nu_max = max(float(np.linalg.eigvalsh(model.R)[-1]), 0.0)
    ts = np.geomspace(model.tau / (nu_max + 1.0), model.tau, 48)
    vals = [inner(t)[0] for t in ts]
    i = int(np.argmin(vals))
    best_t, best_v = float(ts[i]), float(vals[i])
    a, b = ts[max(i - 1, 0)], ts[min(i + 1, ts.size - 1)]
    if b > a:
        res = minimize_scalar(lambda lt: inner(np.exp(lt))[0], bounds=(np.log(a), np.log(b)),
                              method="bounded", options={"xatol": 1e-10})
        if res.fun < best_v:
            best_t, best_v = float(np.exp(res.x)), float(res.fun)
    return best_t, best_v


def _best_retnet(model) -> ClassOptimum:
    return _best_span(model, retnet_basis(model.n), "retnet", f"the span of fla's {RETNET_HEADS} fixed profiles",
                      {"heads": RETNET_HEADS,
                       "single_head_risks": [float(profile_risk(model, g)) for g in retnet_profiles(model.n).T]})


#: heads of the lightning-attention class (``"lightning"``): fla's slopes for ``H = 8``, layer 0
LIGHTNING_HEADS = 8


def lightning_profiles(n: int, num_heads: int = LIGHTNING_HEADS, layer_idx: int = 0, num_layers: int = 1):
    r"""``G (n, H)``: column ``h`` is ``e^{g_h (n+1−i)}`` with lightning attention's fixed log decays
    ``g_h = −(8/H)(1 − layer_idx/L)·h`` (fla's ``chunk_lightning_attn``; head 0 is uniform).

    Parameters
    ----------
    n : int
        Number of examples.
    num_heads, layer_idx, num_layers : int
        ``H``, the layer's index and the stack's depth ``L``.

    Returns
    -------
    numpy.ndarray
        ``(n, H)``.

    Examples
    --------
    >>> lightning_profiles(2, num_heads=2).round(4).tolist()
    [[1.0, 0.0003], [1.0, 0.0183]]
    """
    g = -(8.0 / num_heads * (1.0 - layer_idx / num_layers)) * np.arange(num_heads, dtype=float)
    return np.exp(np.outer(n + 1 - np.arange(1, n + 1, dtype=float), g))


def _best_span(model, G, cls, what, extra=None):
    """``min`` of the risk over ``span(G)`` (orthonormal ``G``): exact least squares per ridge ``t``
    (:func:`_span_min`), :func:`_ridge_search` over ``t``; ``extra`` joins the details."""
    best_t, best_v = _ridge_search(model, lambda t: _span_min(model, t, G))
    w = _span_min(model, best_t, G)[1]
    nw = np.linalg.norm(w)
    details = {"t": best_t, "span_rank": int(G.shape[1]), **(extra or {})}
    if best_v >= model.tau or nw == 0:
        return ClassOptimum(cls, float(model.tau), None, "zero predictor", details)
    return ClassOptimum(cls, best_v, w / nw, f"exact least squares over {what} per ridge t, grid + bounded Brent "
                        "over t", details)


def _best_lightning(model) -> ClassOptimum:
    U, sv, _ = np.linalg.svd(lightning_profiles(model.n), full_matrices=False)
    return _best_span(model, U[:, sv >= RETNET_CUTOFF * sv[0]], "lightning",
                      f"the span of lightning attention's {LIGHTNING_HEADS} fixed profiles")


def _best_fenwick_class(model) -> ClassOptimum:
    from .fenwick import best_fenwick

    risk, w, details = best_fenwick(model)
    return ClassOptimum("fenwick", risk, w, "exact NNLS per sign pattern of the Fenwick buckets and ridge t, grid + "
                        "bounded Brent over t", details)


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
    best_t, best_v = _ridge_search(model, lambda t: _orthant_min(model, t))
    w = _orthant_min(model, best_t)[1]
    nw = np.linalg.norm(w)
    return ClassOptimum("nonnegative", best_v, np.abs(w) / nw if nw > 0 else None,
                        "exact NNLS per ridge t, grid + bounded Brent over t", {"t": best_t})


def best_risk(model, weight_class: str) -> ClassOptimum:
    r"""Return the best risk of a weight class on ``model``: ``min { L(P, ω) : P ∈ R^{d×d}, ω ∈ class }``.

    The risk ``L(P, ω)`` is the population risk of one-step WPGD (claim W1); the classes
    are the weight vectors realisable by the architectures (claim G1 and the registry):
    ``"uniform"`` (linear attention), ``"geometric"`` (one retention head with a learned
    ratio), ``"retnet"`` (fla's 8 fixed ratios), ``"monotone"`` (scalar-gated GLA),
    ``"nonnegative"`` (Mamba-2), ``"free"`` (GLA, RWKV-6), ``"none"`` (not one-step WPGD).
    The classes are nested, so the best risks are ordered (the module docstring gives each
    method).

    Parameters
    ----------
    model : MultitaskModel
        The data model (``n`` examples of dimension ``d``).
    weight_class : str
        One of :data:`WEIGHT_CLASSES`.

    Returns
    -------
    ClassOptimum
        The best risk, a minimising ``ω`` (shape ``(n,)``) and the method; ``risk`` is
        ``None`` for ``"none"`` or a failed solve.

    Raises
    ------
    TypeError
        If ``model`` is not a MultitaskModel or ``weight_class`` not a string.
    ValueError
        If ``weight_class`` is not one of :data:`WEIGHT_CLASSES`.

    Examples
    --------
    >>> import numpy as np
    >>> from wpgd_theory.model import MultitaskModel
    >>> from wpgd_theory.architectures import best_risk
    >>> model = MultitaskModel(np.eye(2), R=[[1.0, 0.5], [0.5, 1.0]], r=[0.5, 0.9], noise=0.1)
    >>> uniform, free = best_risk(model, "uniform"), best_risk(model, "free")
    >>> round(uniform.risk, 4), round(free.risk, 4)
    (1.6739, 1.6295)
    >>> free.risk <= uniform.risk + 1e-9
    True
    >>> best_risk(model, "none").risk is None
    True
    """
    model = _check_model(model)
    if not isinstance(weight_class, str):
        raise TypeError(f"weight_class must be a string, one of {WEIGHT_CLASSES}, got {type(weight_class).__name__}")
    if weight_class not in WEIGHT_CLASSES:
        raise ValueError(f"weight_class must be one of {WEIGHT_CLASSES}, got {weight_class!r}")
    if weight_class == "none":
        return ClassOptimum("none", None, None, "not one-step WPGD")
    if weight_class in ("geometric", "nonnegative", "retnet", "lightning", "fenwick"):
        # grids, polarisation and NNLS with absolute tolerances: computed in natural units, the
        # risk (and the ridge t) returned in the user's (scale covariance, W1)
        nat, unit = model.in_natural_units()
        search = {"geometric": _best_geometric, "nonnegative": _best_nonnegative, "retnet": _best_retnet,
                  "lightning": _best_lightning, "fenwick": _best_fenwick_class}
        opt = search[weight_class](nat)
        if unit == 1.0:
            return opt
        details = dict(opt.details, natural_unit=unit, **({"t": opt.details["t"] * unit} if "t" in opt.details else {}))
        return ClassOptimum(opt.weight_class, opt.risk * unit, opt.omega, opt.method, details)
    sol = solve_constrained(model, weight_class)
    return ClassOptimum(weight_class, sol.risk if sol.status in ("optimal", "degenerate") else None, sol.omega,
                        f"convex.solve_constrained ({sol.method})", {"status": sol.status})
