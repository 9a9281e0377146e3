r"""MesaNet's limit (``proofs/architectures.md`` §C): ``λ·ŷ_λ → one-step WPGD`` as ``λ → ∞``, at rate ``1/λ``.

MesaNet (fla's ``naive_mesa_net_exact``) predicts, at the query ``t = n+1``,

    ŷ_λ = hᵀ (H + λI)⁻¹ q,   H = Σ_{s ≤ n+1} a_s β_s k_s k_sᵀ,   h = Σ_{i ≤ n} ω_i y_i k_i,

with ``k_t = P_k x_t``, ``q = P_q x``, values ``(y_t, 0, …, 0)`` (``v_{n+1} = 0``), decays
``γ_t = e^{g_t}``, ``a_s = Π_{j=s+1}^{n+1} γ_j`` and ``ω_i = a_i β_i``.  Exactly

    λ ŷ_λ − ŷ_W = −hᵀ H (H + λI)⁻¹ q,     ŷ_W = hᵀ q = Σ_i ω_i y_i xᵀ P x_i  (P = P_qᵀ P_k),

so ``|λŷ_λ − ŷ_W| ≤ ‖h‖ ‖H‖ ‖q‖ / λ`` for every ``λ > 0`` and ``λ(λŷ_λ − ŷ_W) → −hᵀ H q``: the
rate is exactly first order in ``1/λ`` whenever ``hᵀHq ≠ 0``.

:func:`mesa_limit_curve` runs fla's op at growing ``λ`` and measures the discrepancy of
``λ ŷ_λ`` to ``wpgd_predict`` (numpy) against the proved bound and its order.
"""

from __future__ import annotations

import numpy as np
import torch

from ..wpgd import gate_weights, wpgd_predict
from . import fla_ops
from .fit import wpgd_terms
from .registry import float32_tolerance, sample_prompts

__all__ = ["MESA_LAMBDAS", "ORDER_TOLERANCE", "mesa_ridge_predict", "mesa_limit_curve", "measured_orders",
           "rate_holds"]

#: ``λ`` of the curve: the first-order term dominates the second (``‖H‖/λ ≲ 0.1``) and stays
#: far above fla's float32 floor (``~10⁻⁶`` relative) at every point
MESA_LAMBDAS = (1e2, 1e3, 1e4, 1e5)

#: the measured order between consecutive ``λ`` must be the stated rate ± this (§C: a relative
#: second-order correction ``|ε| ≤ ε_max`` moves an order by at most ``2ε_max/ln 10``; the first-order
#: check measures ``ε_max ≤ 0.10`` from ``λ = 10²`` on, and fla's float32 floor is ``≤ 10⁻²`` of ``e(λ)``)
ORDER_TOLERANCE = 0.1


def mesa_ridge_predict(X, y, x, Pk, Pq, log_decay, beta, lam):
    r"""The ridge formula ``ŷ_λ = hᵀ (H + λI)⁻¹ q`` of MesaNet at the query, in float64 (numpy).

    Parameters
    ----------
    X, y, x : ndarray, shapes (B, n, d), (B, n), (B, d)
    Pk, Pq : ndarray (d_k, d)
        Key and query maps.
    log_decay : ndarray (n+1,)
        ``g_t`` (``γ_t = e^{g_t}``).
    beta : ndarray (n+1,)
        Write strengths ``β_t``.
    lam : float
        ``λ > 0`` (``Λ = λI``).

    Returns
    -------
    ndarray, shape (B,)

    Examples
    --------
    >>> import numpy as np
    >>> X, y, x = np.ones((1, 1, 1)), np.ones((1, 1)), np.ones((1, 1))
    >>> mesa_ridge_predict(X, y, x, np.eye(1), np.eye(1), np.zeros(2), np.array([1.0, 0.0]), 1.0).tolist()
    [0.5]
    """
    lam = float(lam)
    if not lam > 0:
        raise ValueError(f"lam must be positive, got {lam!r}")
    B, n, d = X.shape
    feats = np.concatenate([X, x[:, None]], axis=1)
    k = feats @ np.asarray(Pk).T  # (B, T, dk)
    q = x @ np.asarray(Pq).T
    a = gate_weights(np.exp(np.asarray(log_decay, dtype=float)))  # a_s, s = 1..n
    a = np.append(a, 1.0)  # a_{n+1}
    w = a * np.asarray(beta, dtype=float)
    H = np.einsum("t,bta,btc->bac", w, k, k)
    h = np.einsum("i,bi,bia->ba", w[:n], y, k[:, :n])
    sol = np.linalg.solve(H + lam * np.eye(k.shape[-1]), q[..., None])[..., 0]
    return np.einsum("ba,ba->b", h, sol)


def _setup(n, d, num_prompts, seed):
    rng = np.random.default_rng([seed, 19, 3])
    X, y, x = sample_prompts(num_prompts, n, d, rng)
    r32 = lambda a: np.asarray(a, dtype=np.float32).astype(np.float64)  # noqa: E731
    Pk = r32(rng.standard_normal((d, d)) / np.sqrt(d))
    Pq = r32(rng.standard_normal((d, d)) / np.sqrt(d))
    logg = r32(np.log(rng.uniform(0.6, 1.0, n + 1)))
    beta = r32(np.append(rng.uniform(0.3, 0.9, n), 0.0))
    return X, y, x, Pk, Pq, logg, beta


def _fla_mesa(X, y, x, Pk, Pq, logg, beta, lam):
    B, n, d = X.shape
    T = n + 1
    feats = np.concatenate([X, x[:, None]], axis=1)
    t = lambda a: torch.as_tensor(np.ascontiguousarray(a), dtype=torch.float32)  # noqa: E731
    q = t(feats @ Pq.T)[:, :, None]
    k = t(feats @ Pk.T)[:, :, None]
    v = np.zeros((B, T, 1, d))
    v[:, :n, 0, 0] = y
    g = t(np.broadcast_to(logg[None, :, None], (B, T, 1)))
    b = t(np.broadcast_to(beta[None, :, None], (B, T, 1)))
    with torch.no_grad():
        o = fla_ops.mesa_net(q, k, t(v), g, t(np.full((1, d), lam)), b)
    return o[:, -1, 0, 0].double().numpy()


def mesa_limit_curve(*, lambdas=MESA_LAMBDAS, n: int = 8, d: int = 4, num_prompts: int = 16, seed: int = 0,
                     scale_by=None) -> dict:
    r"""Discrepancy of ``λ ŷ_λ`` (fla's MesaNet op, float32) to one-step WPGD at each ``λ``.

    ``e(λ) = max_b |λ ŷ_λ − ŷ_W| / max_b Σ_i |ω_i y_i xᵀ P x_i|`` with ``ŷ_W`` from
    :func:`~wpgd_theory.wpgd.wpgd_predict` (``ω_i = β_i Π_{j>i} γ_j``, ``P = P_qᵀ P_k``); beside
    it the proved bound ``max_b ‖h‖‖H‖‖q‖/λ`` in the same unit, the proved first-order
    coefficient ``−hᵀHq`` vs the measured ``λ(λŷ_λ − ŷ_W)``, and fla vs the float64 ridge
    formula (:func:`mesa_ridge_predict`) within the float32 bound.

    Parameters
    ----------
    lambdas : sequence of float
        Increasing ``λ > 0``.
    n, d, num_prompts, seed : int
    scale_by : callable, optional
        ``λ ↦ factor`` multiplying fla's output before the comparison (a planted error for the
        power tests, e.g. ``lambda lam: 1 + 1/lam**0.5``, which converges at rate ``1/2``).

    Returns
    -------
    dict
        ``lambdas``, ``discrepancy`` (``e(λ)``), ``bound``, ``orders`` (:func:`measured_orders`),
        ``first_order`` and ``first_order_bound`` (per ``λ``: relative error of the measured coefficient
        ``λ(λŷ_λ − ŷ_W)`` against ``−hᵀHq``, and its bound ``‖h‖‖H‖²‖q‖/λ`` plus fla's float32 error times ``λ²``),
        ``fla_vs_ridge`` (discrepancy / float32 bound, worst over ``λ``).

    Examples
    --------
    >>> c = mesa_limit_curve(lambdas=(1e2, 1e3), num_prompts=4)
    >>> 0.9 < c["orders"][0] < 1.1
    True
    """
    lams = [float(v) for v in lambdas]
    if len(lams) < 2 or any(v <= 0 for v in lams) or any(b <= a for a, b in zip(lams, lams[1:])):
        raise ValueError(f"lambdas must be at least two increasing positive values, got {lambdas!r}")
    X, y, x, Pk, Pq, logg, beta = _setup(n, d, num_prompts, seed)
    omega = gate_weights(np.exp(logg)) * beta[:n]
    P = Pq.T @ Pk
    target = wpgd_predict(X, y, x, P, omega)
    scale = float(np.max(np.abs(wpgd_terms(X, y, x, P, omega)).sum(axis=1)))
    feats = np.concatenate([X, x[:, None]], axis=1)
    k = feats @ Pk.T
    q = x @ Pq.T
    wts = np.append(gate_weights(np.exp(logg)), 1.0) * beta
    H = np.einsum("t,bta,btc->bac", wts, k, k)
    h = np.einsum("i,bi,bia->ba", omega, y, k[:, :n])
    coef = -np.einsum("ba,bac,bc->b", h, H, q)  # the proved first-order coefficient −hᵀHq
    bound_num = float(np.max(np.linalg.norm(h, axis=1) * np.linalg.norm(H, 2, axis=(1, 2)) * np.linalg.norm(q, axis=1)))
    Hn = np.linalg.norm(H, 2, axis=(1, 2))
    cmax = float(np.max(np.abs(coef)))
    gam = float32_tolerance(n + 1, 2 * d)
    disc, bound, fla_ridge, first, first_bound = [], [], [], [], []
    for lam in lams:
        out = _fla_mesa(X, y, x, Pk, Pq, logg, beta, lam)
        if scale_by is not None:
            out = out * float(scale_by(lam))
        ridge = mesa_ridge_predict(X, y, x, Pk, Pq, logg, beta, lam)
        # fla vs the float64 ridge formula: relative to |ŷ_W|/λ, the size of the output (float32 solve, d_k + T terms)
        fla_ridge.append(float(np.max(np.abs(out - ridge)) / (scale / lam)) / float32_tolerance(n + 1, 2 * d))
        disc.append(float(np.max(np.abs(lam * out - target))) / scale)
        bound.append(bound_num / lam / scale)
        # the first-order coefficient: |λ(λŷ − ŷ_W) + hᵀHq| = |hᵀH²(H + λI)⁻¹q| ≤ ‖h‖‖H‖²‖q‖/λ, plus fla's
        # float32 error of ŷ_λ (γ·scale/λ, as for fla_vs_ridge) multiplied by λ²
        first.append(float(np.max(np.abs(lam * (lam * out - target) - coef))) / cmax)
        first_bound.append((bound_num * float(np.max(Hn)) / lam + lam * gam * scale) / cmax)
    return {"lambdas": lams, "discrepancy": disc, "bound": bound, "orders": measured_orders(lams, disc),
            "first_order": first, "first_order_bound": first_bound,
            "fla_vs_ridge": float(max(fla_ridge)), "n": n, "d": d, "num_prompts": num_prompts, "seed": seed}


def measured_orders(lambdas, discrepancies) -> list:
    r"""``log(e_k / e_{k+1}) / log(λ_{k+1} / λ_k)`` for consecutive points of a curve.

    Parameters
    ----------
    lambdas, discrepancies : sequence of float

    Returns
    -------
    list of float

    Examples
    --------
    >>> measured_orders([1.0, 10.0, 100.0], [1.0, 0.1, 0.01])
    [1.0, 1.0]
    """
    lam, e = np.asarray(lambdas, dtype=float), np.asarray(discrepancies, dtype=float)
    return [float(v) for v in np.log(e[:-1] / e[1:]) / np.log(lam[1:] / lam[:-1])]


def rate_holds(curve: dict, rate: float = 1.0, tol: float = ORDER_TOLERANCE) -> bool:
    r"""True iff every measured order of ``curve`` is ``rate ± tol``, every point is below the bound
    and (when recorded) every first-order coefficient within its bound.

    Parameters
    ----------
    curve : dict
        :func:`mesa_limit_curve`'s output.
    rate : float
        The stated rate (proved: 1).
    tol : float
        :data:`ORDER_TOLERANCE`.

    Returns
    -------
    bool

    Examples
    --------
    >>> rate_holds({"orders": [1.02, 0.99], "discrepancy": [1e-2, 1e-3], "bound": [1.0, 0.1]})
    True
    >>> rate_holds({"orders": [1.02, 0.99], "discrepancy": [1e-2, 1e-3], "bound": [1.0, 0.1]}, rate=2.0)
    False
    """
    return (all(abs(o - rate) <= tol for o in curve["orders"])
            and all(e <= b for e, b in zip(curve["discrepancy"], curve["bound"]))
            and all(e <= b for e, b in zip(curve.get("first_order", []), curve.get("first_order_bound", []))))
