r"""Log-linear attention's weight class: gate products times a signed constant per Fenwick level.

fla's log-linear attention (``naive_log_linear_attn``) reads token ``s < t`` at token ``t`` with

    λ_t^{(ℓ)} · e^{Σ_{j=s+1}^{t} g_j} · (q_tᵀ k_s),   ℓ = ℓ(t, s) its Fenwick level,

where level ``ℓ ≥ 1`` is present iff bit ``ℓ−1`` of ``t`` (0-based) is set, and then holds the
``2^{ℓ−1}`` positions ``[t − t mod 2^{ℓ−1} − 2^{ℓ−1}, t − t mod 2^{ℓ−1})`` (level 0 is ``s = t``).  The
query is token ``t = n + offset`` (``offset`` tokens before the prompt), so the examples fall
into the *buckets* of :func:`fenwick_buckets` — contiguous runs, one per set bit of ``t`` that
reaches them.  With ``ω_i = λ^{(ℓ(i))} γ_i`` (``γ`` the monotone gate products, ``λ`` signed, read
at the query) the class realised by one layer is, in its closure,

    𝓕(n) = {ω : on each bucket B, ω|_B = c_B m_B with c_B ∈ R and m_B ≥ 0 nondecreasing}

(proofs/architectures.md §12).  For ``n`` a power of two (offset 0) there is one bucket and
``𝓕`` is the monotone class (times a sign).  :func:`best_fenwick` minimises the WPGD risk over
``𝓕(n)`` exactly per ridge ``t`` (one NNLS per sign pattern of the buckets, ``m_B`` written as
cumulative sums of nonnegative increments), then searches ``t`` as for the nonnegative class.
"""

from __future__ import annotations

import itertools

import numpy as np
from scipy.optimize import nnls

__all__ = ["fenwick_buckets", "fenwick_weights", "fenwick_levels_needed", "best_fenwick"]


def fenwick_levels_needed(num_tokens: int) -> int:
    """Levels fla's naive op reads for ``T`` tokens: ``⌈log₂ T⌉ + 1``.

    Parameters
    ----------
    num_tokens : int
        ``T``.

    Returns
    -------
    int

    Examples
    --------
    >>> fenwick_levels_needed(9)
    5
    """
    return int(np.ceil(np.log2(num_tokens))) + 1


def fenwick_buckets(n: int, offset: int = 0) -> list:
    """The examples' Fenwick buckets seen from the query (token ``n + offset``, 0-based).

    Parameters
    ----------
    n : int
        Number of examples (tokens ``offset .. offset + n − 1``).
    offset : int
        Tokens before the prompt.

    Returns
    -------
    list of (int, numpy.ndarray)
        ``(level, example indices 0..n−1)`` for every level that holds an example, earliest first.

    Examples
    --------
    >>> [(lvl, idx.tolist()) for lvl, idx in fenwick_buckets(6)]
    [(3, [0, 1, 2, 3]), (2, [4, 5])]
    """
    n, offset = int(n), int(offset)
    if n < 1 or offset < 0:
        raise ValueError(f"n must be >= 1 and offset >= 0, got n = {n}, offset = {offset}")
    t = n + offset
    out = []
    for level in range(t.bit_length(), 0, -1):
        half = 1 << (level - 1)
        if t & half:
            hi = t - t % half
            lo = hi - half
            idx = np.arange(max(lo, offset), hi) - offset
            if idx.size:
                out.append((level, idx))
    return out


def fenwick_weights(gates, level_scales, offset: int = 0) -> np.ndarray:
    r"""The weights ``ω_i = λ^{(ℓ(i))} Π_{j=i+1}^{n+1} g_j`` one log-linear layer puts on example ``i``.

    Parameters
    ----------
    gates : array_like
        ``(n+1,)`` decays ``g_j ∈ (0, 1]`` of the examples and the query.
    level_scales : array_like
        The query's scale per level (index = level, at least ``⌈log₂(n+offset+1)⌉ + 1`` entries).
    offset : int
        Tokens before the prompt.

    Returns
    -------
    numpy.ndarray
        ``ω (n,)``.

    Examples
    --------
    >>> fenwick_weights([1.0] * 7, [0.0, 0.0, -1.0, 2.0]).tolist()
    [2.0, 2.0, 2.0, 2.0, -1.0, -1.0]
    """
    g = np.asarray(gates, dtype=float)
    lam = np.asarray(level_scales, dtype=float)
    n = g.size - 1
    tail = np.cumprod(g[::-1])[::-1]  # tail[j] = Π_{s ≥ j} g_s
    w = tail[1:].copy()
    for level, idx in fenwick_buckets(n, offset):
        w[idx] *= lam[level]
    return w


def _quadratic_min(C, z, D):
    """``min_{u ≥ 0} ‖Cᵀ D u − z‖²`` (NNLS): the risk minus ``τ − gᵀH⁻¹g`` and ``ω = D u``."""
    u, _ = nnls(C.T @ D, z, maxiter=50 * D.shape[1] + 100)
    return D @ u


def _fenwick_min(model, t, buckets, quadratic):
    """``min_{ω ∈ 𝓕} L(P_t, ω)`` exactly: one NNLS per sign pattern of the buckets."""
    from ..landscape import population_risk

    P = np.linalg.inv(model.sigma + t * np.eye(model.d))
    g, H = quadratic(model, P)
    C = np.linalg.cholesky(H)
    z = np.linalg.solve(C, g)
    n = model.n
    best = (float(model.tau), np.zeros(n))
    for signs in itertools.product((1.0, -1.0), repeat=len(buckets)):
        D = np.zeros((n, n))  # ω = D u, u ≥ 0: on bucket B, s_B times cumulative sums of u|_B
        for s, (_, idx) in zip(signs, buckets):
            D[np.ix_(idx, idx)] = s * np.tril(np.ones((idx.size, idx.size)))
        w = _quadratic_min(C, z, D)
        val = float(population_risk(model, P, w))
        if val < best[0]:
            best = (val, w)
    return best


def best_fenwick(model, offset: int = 0):
    """Best WPGD risk over log-linear attention's class ``𝓕(n)`` (module docstring) on ``model``.

    Exact per ridge ``t`` (``P_t = (Σ + tI)⁻¹``, the W3 form of the optimal ``P``), then a
    logarithmic grid of ``t ∈ [τ/(ν_max+1), τ]`` refined by bounded Brent (not certified).

    Parameters
    ----------
    model : MultitaskModel
        In natural units (:meth:`~wpgd_theory.model.MultitaskModel.in_natural_units`).
    offset : int
        Tokens before the prompt (0: the prompt starts the sequence).

    Returns
    -------
    (float, numpy.ndarray or None, dict)
        The risk, the unit-norm weights (``None`` for the zero predictor) and details
        (``t``, the buckets).

    Examples
    --------
    >>> from wpgd_theory.claims.defaults import default_models
    >>> risk, w, info = best_fenwick(default_models()["ar1-general"])
    >>> info["buckets"]
    [[0, 1, 2, 3], [4, 5]]
    """
    from .cones import _quadratic, _ridge_search

    buckets = fenwick_buckets(model.n, offset)
    best_t, best_v = _ridge_search(model, lambda t: _fenwick_min(model, t, buckets, _quadratic))
    w = _fenwick_min(model, best_t, buckets, _quadratic)[1]
    nw = np.linalg.norm(w)
    details = {"t": best_t, "buckets": [idx.tolist() for _, idx in buckets], "offset": int(offset)}
    if best_v >= model.tau or nw == 0:
        return float(model.tau), None, details
    return best_v, w / nw, details
